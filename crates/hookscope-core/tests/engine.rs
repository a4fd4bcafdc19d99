//! The capture pipeline and store through the public API, on a temp data dir.

#![allow(clippy::unwrap_used)]

use hookscope_core::Engine;
use hookscope_core::hub::HubEvent;
use hookscope_core::model::{EndpointPatch, Header, RawRequest, Rejection, ResponseRule};
use hookscope_core::store::events::{self, Filter, Page};
use hookscope_core::store::{StoreOptions, endpoints, settings};

fn raw(path: &str, body: &[u8]) -> RawRequest {
    RawRequest {
        method: "POST".into(),
        path: path.into(),
        query: String::new(),
        http_version: "HTTP/1.1".into(),
        headers: vec![
            Header::new("content-type", "application/json"),
            Header::new("x-dup", "1"),
            Header::new("x-dup", "2"),
        ],
        body: body.to_vec(),
        remote_addr: Some("127.0.0.1:5000".into()),
        received_at_us: hookscope_core::store::now_us(),
        rejection: None,
    }
}

fn engine() -> (tempfile::TempDir, Engine) {
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(dir.path(), StoreOptions::default()).unwrap();
    (dir, engine)
}

async fn capture(engine: &Engine, r: RawRequest) -> hookscope_core::Captured {
    let ep = engine.route(&r.path).unwrap();
    engine.capture(&ep, r).await.unwrap()
}

#[tokio::test]
async fn routes_by_first_segment_and_falls_back_to_default() {
    let (_d, engine) = engine();
    engine
        .store()
        .write(|tx| endpoints::insert(tx, "stripe", &EndpointPatch::default()))
        .unwrap();
    engine.refresh_endpoints().unwrap();
    assert_eq!(engine.route("/stripe").unwrap().slug, "stripe");
    assert_eq!(engine.route("/stripe/x/y").unwrap().slug, "stripe");
    assert_eq!(engine.route("/stripey").unwrap().slug, "default");
    assert_eq!(engine.route("/").unwrap().slug, "default");
}

#[tokio::test]
async fn stores_exact_bytes_and_publishes_a_summary() {
    let (_d, engine) = engine();
    let mut hub = engine.hub().subscribe();
    let body = b"\x00\xff binary \xc3\x28";
    let captured = capture(&engine, raw("/anything/%2F?", body)).await;
    assert_eq!(captured.reply.status, 200);
    let ev = engine
        .store()
        .read(|c| events::get(c, captured.id))
        .unwrap();
    assert_eq!(ev.body, body);
    assert_eq!(ev.summary.path, "/anything/%2F?");
    assert_eq!(
        ev.headers
            .iter()
            .filter(|h| h.name == "x-dup")
            .map(|h| h.value.clone())
            .collect::<Vec<_>>(),
        [b"1".to_vec(), b"2".to_vec()]
    );
    match hub.recv().await.unwrap() {
        HubEvent::Captured(s) => assert_eq!((s.id, s.endpoint.as_str()), (captured.id, "default")),
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test]
async fn many_concurrent_captures_all_commit() {
    let (_d, engine) = engine();
    let tasks: Vec<_> = (0..300)
        .map(|i| {
            let engine = engine.clone();
            tokio::spawn(async move {
                capture(&engine, raw("/load", format!("{{\"n\":{i}}}").as_bytes()))
                    .await
                    .id
            })
        })
        .collect();
    let mut ids = Vec::new();
    for t in tasks {
        ids.push(t.await.unwrap());
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 300);
    assert_eq!(engine.store().read(events::count).unwrap(), 300);
}

#[tokio::test]
async fn lists_newest_first_with_keyset_pages_filters_and_search() {
    let (_d, engine) = engine();
    engine
        .store()
        .write(|tx| endpoints::insert(tx, "gh", &EndpointPatch::default()))
        .unwrap();
    engine.refresh_endpoints().unwrap();
    for i in 0..25 {
        let path = if i % 2 == 0 { "/gh/push" } else { "/other" };
        capture(
            &engine,
            raw(path, format!("{{\"delivery\":\"evt_{i:03}\"}}").as_bytes()),
        )
        .await;
    }
    let read = |f: Filter, p: Page, n| engine.store().read(|c| events::list(c, &f, p, n)).unwrap();
    let first = read(Filter::default(), Page::NewestBefore(None), 10);
    assert_eq!(first.len(), 10);
    assert!(first.windows(2).all(|w| w[0].id > w[1].id));
    let second = read(
        Filter::default(),
        Page::NewestBefore(first.last().map(|s| s.id)),
        10,
    );
    assert!(second[0].id < first[9].id);
    let gh = read(
        Filter {
            endpoint: Some("gh".into()),
            ..Default::default()
        },
        Page::NewestBefore(None),
        100,
    );
    assert_eq!(gh.len(), 13);
    let hit = read(
        Filter {
            search: Some("evt_017".into()),
            ..Default::default()
        },
        Page::NewestBefore(None),
        100,
    );
    assert_eq!(hit.len(), 1);
    let substring = read(
        Filter {
            search: Some("vt_01".into()),
            ..Default::default()
        },
        Page::NewestBefore(None),
        100,
    );
    assert_eq!(substring.len(), 10);
    let short = read(
        Filter {
            search: Some("gh".into()),
            ..Default::default()
        },
        Page::NewestBefore(None),
        100,
    );
    assert_eq!(short.len(), 13);
    let after = read(Filter::default(), Page::OldestAfter(first[1].id), 100);
    assert_eq!(
        after.iter().map(|s| s.id).collect::<Vec<_>>(),
        [first[0].id]
    );
}

#[tokio::test]
async fn injected_failures_fail_the_first_deliveries_of_each_request() {
    let (_d, engine) = engine();
    let mut rule = ResponseRule::default();
    rule.failures.fail_first = 2;
    let patch = EndpointPatch {
        response: Some(rule),
        ..Default::default()
    };
    engine
        .store()
        .write(|tx| endpoints::insert(tx, "flaky", &patch))
        .unwrap();
    engine.refresh_endpoints().unwrap();
    let statuses: Vec<u16> = futures_statuses(&engine, "/flaky", b"same", 3).await;
    assert_eq!(statuses, [500, 500, 200]);
    assert_eq!(
        futures_statuses(&engine, "/flaky", b"another", 1).await,
        [500]
    );
}

async fn futures_statuses(engine: &Engine, path: &str, body: &[u8], n: usize) -> Vec<u16> {
    let mut out = Vec::new();
    for _ in 0..n {
        out.push(capture(engine, raw(path, body)).await.reply.status);
    }
    out
}

#[tokio::test]
async fn a_rejected_request_is_recorded_with_413() {
    let (_d, engine) = engine();
    let mut r = raw("/big", b"");
    r.rejection = Some(Rejection {
        reason: "too_large".into(),
        declared_size: Some(99_999_999),
        limit: 10,
    });
    let captured = capture(&engine, r).await;
    assert_eq!(captured.reply.status, 413);
    let body: serde_json::Value = serde_json::from_slice(&captured.reply.body).unwrap();
    assert_eq!(body["limit"], 10);
    let ev = engine
        .store()
        .read(|c| events::get(c, captured.id))
        .unwrap();
    assert_eq!(
        (ev.summary.rejected.as_deref(), ev.summary.body_size),
        (Some("too_large"), 99_999_999)
    );
}

#[tokio::test]
async fn retention_keeps_the_newest_events() {
    let (_d, engine) = engine();
    for i in 0..20 {
        capture(&engine, raw("/r", format!("{i}").as_bytes())).await;
    }
    engine
        .store()
        .write(|tx| {
            settings::set_retention(
                tx,
                settings::Retention {
                    max_events: Some(5),
                    max_age_days: None,
                },
            )
        })
        .unwrap();
    let deleted = engine.store().write(|tx| events::prune_now(tx)).unwrap();
    assert_eq!(deleted, 15);
    let left = engine
        .store()
        .read(|c| events::list(c, &Filter::default(), Page::NewestBefore(None), 100))
        .unwrap();
    assert_eq!(left.len(), 5);
    let gone = engine
        .store()
        .read(|c| {
            events::list(
                c,
                &Filter {
                    search: Some("/r".into()),
                    ..Default::default()
                },
                Page::NewestBefore(None),
                100,
            )
        })
        .unwrap();
    assert_eq!(gone.len(), 5, "search index follows deletions");
}

#[tokio::test]
async fn endpoint_changes_by_another_handle_are_picked_up() {
    let (dir, engine) = engine();
    let other = hookscope_core::store::Store::open(dir.path(), StoreOptions::default()).unwrap();
    other
        .write(|tx| endpoints::insert(tx, "late", &EndpointPatch::default()))
        .unwrap();
    assert_eq!(engine.route("/late").unwrap().slug, "default");
    assert!(engine.refresh_endpoints().unwrap());
    assert_eq!(engine.route("/late").unwrap().slug, "late");
    assert!(!engine.refresh_endpoints().unwrap());
}

#[tokio::test]
async fn the_search_index_catches_up_and_sees_decoded_bodies() {
    use std::io::Write;
    let (_d, engine) = engine();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(br#"{"id":"evt_zipped_7"}"#).unwrap();
    let mut r = raw("/zipped", &gz.finish().unwrap());
    r.headers.push(Header::new("content-encoding", "gzip"));
    let id = capture(&engine, r).await.id;
    // Plain text is found at once, indexed or not.
    capture(&engine, raw("/plain", b"needle_in_plain_text")).await;
    let search = |text: &str| {
        let filter = Filter {
            search: Some(text.into()),
            ..Default::default()
        };
        engine
            .store()
            .read(|c| events::list(c, &filter, Page::NewestBefore(None), 10))
            .unwrap()
            .len()
    };
    assert_eq!(search("needle_in_plain"), 1);
    let started = std::time::Instant::now();
    while engine
        .store()
        .read(hookscope_core::store::search_index::indexed_upto)
        .unwrap()
        < id
    {
        assert!(
            started.elapsed().as_secs() < 10,
            "the index never caught up"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(
        search("evt_zipped_7"),
        1,
        "the compressed body is searchable once indexed"
    );
    assert_eq!(search("needle_in_plain"), 1);
}

#[tokio::test]
async fn endpoint_and_clear_operations_route_at_once_and_announce_themselves() {
    let (_d, engine) = engine();
    let mut hub = engine.hub().subscribe();
    engine
        .endpoint_create("shop", &EndpointPatch::default())
        .unwrap();
    assert_eq!(engine.route("/shop/x").unwrap().slug, "shop");
    assert_eq!(hub.recv().await.unwrap(), HubEvent::EndpointsChanged);
    capture(&engine, raw("/shop/x", b"1")).await;
    assert!(matches!(hub.recv().await.unwrap(), HubEvent::Captured(_)));
    assert_eq!(engine.events_clear(Some("shop")).unwrap(), 1);
    assert_eq!(hub.recv().await.unwrap(), HubEvent::EventsRemoved);
    engine.endpoint_delete("shop").unwrap();
    assert_eq!(engine.route("/shop/x").unwrap().slug, "default");
}

#[tokio::test]
async fn counts_events_per_endpoint_up_to_a_bound() {
    let (_d, engine) = engine();
    engine
        .store()
        .write(|tx| endpoints::insert(tx, "stripe", &EndpointPatch::default()))
        .unwrap();
    engine.refresh_endpoints().unwrap();
    let empty = engine.store().read(events::count_by_endpoint).unwrap();
    assert_eq!(
        empty,
        (vec![("default".into(), 0), ("stripe".into(), 0)], 0)
    );
    capture(&engine, raw("/stripe/a", b"{}")).await;
    capture(&engine, raw("/stripe", b"{}")).await;
    let last = capture(&engine, raw("/other", b"{}")).await;
    let (counts, upto) = engine.store().read(events::count_by_endpoint).unwrap();
    assert_eq!(counts, vec![("default".into(), 1), ("stripe".into(), 2)]);
    assert_eq!(upto, last.id);
}

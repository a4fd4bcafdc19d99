//! The capture server on a real socket: what providers send is what gets stored.

#![allow(clippy::unwrap_used)]

mod support;

use std::io::Write;
use std::net::SocketAddr;
use std::time::Duration;

use hookscope_core::Engine;
use hookscope_core::model::{EndpointPatch, ResponseRule};
use hookscope_core::store::events::{self, Filter, Page};
use hookscope_core::store::{StoreOptions, endpoints};
use support::start;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn add_endpoint(engine: &Engine, slug: &str, patch: EndpointPatch) {
    engine
        .store()
        .write(|tx| endpoints::insert(tx, slug, &patch))
        .unwrap();
    engine.refresh_endpoints().unwrap();
}

fn newest(engine: &Engine) -> hookscope_core::model::Event {
    let list = engine
        .store()
        .read(|c| events::list(c, &Filter::default(), Page::NewestBefore(None), 1))
        .unwrap();
    engine.store().read(|c| events::get(c, list[0].id)).unwrap()
}

/// Send raw bytes and read the whole answer (the request must ask for `Connection: close`).
async fn raw_exchange(addr: SocketAddr, request: &[u8]) -> String {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(request).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test]
async fn json_post_is_answered_after_it_is_stored() {
    let server = start(StoreOptions::default()).await;
    let res = reqwest::Client::new()
        .post(format!("http://{}/hooks/a?x=1&x=2", server.addr))
        .header("content-type", "application/json")
        .body(r#"{"type":"ping"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.text().await.unwrap(), r#"{"ok":true}"#);
    let ev = newest(&server.engine);
    assert_eq!(ev.summary.endpoint, "default");
    assert_eq!(ev.summary.path, "/hooks/a");
    assert_eq!(ev.summary.query, "x=1&x=2");
    assert_eq!(ev.body, br#"{"type":"ping"}"#);
    assert!(ev.remote_addr.unwrap().starts_with("127.0.0.1:"));
}

#[tokio::test]
async fn custom_method_repeated_headers_and_binary_body_are_kept_exactly() {
    let server = start(StoreOptions::default()).await;
    let body: Vec<u8> = (0..=255u8).chain([0xc3, 0x28, 0x00]).collect();
    let head = format!(
        "PURGE /raw/%E2%9C%93/x%20y?a=%20b&&c HTTP/1.1\r\nHost: example\r\nX-Multi: one\r\nX-Other: o\r\nX-Multi: two\r\nX-Bin: BIN\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    // Header values may carry bytes that are not UTF-8 (obs-text): put one on the wire.
    let (before, after) = head.split_once("BIN").unwrap();
    let mut request = [before.as_bytes(), &[0xff], after.as_bytes()].concat();
    request.extend_from_slice(&body);
    let answer = raw_exchange(server.addr, &request).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let ev = newest(&server.engine);
    assert_eq!(ev.summary.method, "PURGE");
    assert_eq!(ev.summary.path, "/raw/%E2%9C%93/x%20y");
    assert_eq!(ev.summary.query, "a=%20b&&c");
    assert_eq!(ev.body, body);
    let multi: Vec<&[u8]> = ev
        .headers
        .iter()
        .filter(|h| h.name == "x-multi")
        .map(|h| h.value.as_slice())
        .collect();
    assert_eq!(multi, [b"one".as_slice(), b"two".as_slice()]);
    assert_eq!(
        ev.headers.iter().find(|h| h.name == "x-bin").unwrap().value,
        [0xff]
    );
    assert_eq!(ev.http_version, "HTTP/1.1");
}

#[tokio::test]
async fn chunked_bodies_are_reassembled() {
    let server = start(StoreOptions::default()).await;
    let request = b"POST /chunked HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n";
    let answer = raw_exchange(server.addr, request).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let ev = newest(&server.engine);
    assert_eq!(ev.body, b"hello world");
    assert!(ev.headers.iter().any(|h| h.name == "transfer-encoding"));
}

#[tokio::test]
async fn compressed_bodies_are_stored_as_sent_and_searchable_decoded() {
    let server = start(StoreOptions::default()).await;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(br#"{"event":"invoice.paid","id":"evt_gzipped_42"}"#)
        .unwrap();
    let compressed = gz.finish().unwrap();
    let res = reqwest::Client::new()
        .post(format!("http://{}/gz", server.addr))
        .header("content-encoding", "gzip")
        .body(compressed.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let ev = newest(&server.engine);
    assert_eq!(ev.body, compressed);
    let filter = Filter {
        search: Some("evt_gzipped_42".into()),
        ..Default::default()
    };
    // Compressed bodies become searchable once the background index has decoded them.
    let started = std::time::Instant::now();
    while server
        .engine
        .store()
        .read(hookscope_core::store::search_index::indexed_upto)
        .unwrap()
        < ev.summary.id
    {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the search index never caught up"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let hits = server
        .engine
        .store()
        .read(|c| events::list(c, &filter, Page::NewestBefore(None), 10))
        .unwrap();
    assert_eq!(hits.len(), 1);
}

#[tokio::test]
async fn too_large_is_413_and_still_recorded() {
    let server = start(StoreOptions::default()).await;
    add_endpoint(
        &server.engine,
        "small",
        EndpointPatch {
            max_body: Some(16),
            ..Default::default()
        },
    );
    let client = reqwest::Client::new();
    let res = client
        .post(format!("http://{}/small/x", server.addr))
        .body(vec![b'a'; 100])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);
    let json: serde_json::Value = serde_json::from_slice(&res.bytes().await.unwrap()).unwrap();
    assert_eq!(json["limit"], 16);
    assert!(json["hint"].as_str().unwrap().contains("--max-body"));
    let ev = newest(&server.engine);
    assert_eq!(ev.summary.rejected.as_deref(), Some("too_large"));
    assert_eq!(
        (ev.summary.body_size, ev.summary.response_status),
        (100, 413)
    );
    assert!(ev.body.is_empty());

    // Chunked, so no declared size: the limit is found while reading.
    let request = b"POST /small/c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n14\r\n01234567890123456789\r\n0\r\n\r\n";
    let answer = raw_exchange(server.addr, request).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert_eq!(
        newest(&server.engine).summary.rejected.as_deref(),
        Some("too_large")
    );
}

#[tokio::test]
async fn response_rule_status_headers_body_and_delay_are_applied() {
    let server = start(StoreOptions::default()).await;
    let rule = ResponseRule {
        status: 202,
        headers: vec![("x-hookscope-test".into(), "yes".into())],
        body: "accepted".into(),
        delay_ms: 150,
        ..Default::default()
    };
    add_endpoint(
        &server.engine,
        "rule",
        EndpointPatch {
            response: Some(rule),
            ..Default::default()
        },
    );
    let started = std::time::Instant::now();
    let res = reqwest::Client::new()
        .post(format!("http://{}/rule", server.addr))
        .body("x")
        .send()
        .await
        .unwrap();
    assert!(started.elapsed() >= Duration::from_millis(150));
    assert_eq!(res.status(), 202);
    assert_eq!(res.headers()["x-hookscope-test"], "yes");
    assert_eq!(res.text().await.unwrap(), "accepted");
}

#[tokio::test]
async fn a_store_that_cannot_write_answers_503_not_2xx() {
    let server = start(StoreOptions {
        busy_timeout: Duration::from_millis(100),
        ..Default::default()
    })
    .await;
    // Another process holds an exclusive lock: the writer cannot commit.
    let blocker = rusqlite::Connection::open(server.engine.store().path()).unwrap();
    blocker.execute_batch("BEGIN EXCLUSIVE").unwrap();
    let res = reqwest::Client::new()
        .post(format!("http://{}/locked", server.addr))
        .body("x")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 503);
    let json: serde_json::Value = serde_json::from_slice(&res.bytes().await.unwrap()).unwrap();
    assert_eq!(json["error"], "store_failed");
    assert!(
        json["message"].as_str().unwrap().contains("locked"),
        "{json}"
    );
    blocker.execute_batch("ROLLBACK").unwrap();
    let res = reqwest::Client::new()
        .post(format!("http://{}/locked", server.addr))
        .body("x")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        server.engine.store().read(events::count).unwrap(),
        1,
        "only the acknowledged request is stored"
    );
}

#[tokio::test]
async fn endpoints_added_elsewhere_take_effect_within_a_second() {
    let server = start(StoreOptions::default()).await;
    let other =
        hookscope_core::store::Store::open(server.dir.path(), StoreOptions::default()).unwrap();
    other
        .write(|tx| endpoints::insert(tx, "late", &EndpointPatch::default()))
        .unwrap();
    tokio::time::sleep(Duration::from_millis(1000)).await;
    reqwest::Client::new()
        .post(format!("http://{}/late/x", server.addr))
        .body("x")
        .send()
        .await
        .unwrap();
    assert_eq!(newest(&server.engine).summary.endpoint, "late");
}

//! The replay commands through Tauri's mock runtime: real IPC requests against an engine on a
//! temp data dir, a real capture server and a real receiver on free ports.
#![allow(clippy::unwrap_used)]

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use hookscope_core::hub::{ForwardOutcome, ForwardState, HubEvent};
use hookscope_desktop::state::AppState;
use serde_json::{Value, json};
use support::{Harness, harness, invoke, ok, raw};
use tauri::Listener;

/// POST over a real socket to the capture server; returns the new event's id.
fn capture(h: &Harness, path: &str, headers: &[(&str, &str)], body: &[u8]) -> i64 {
    let before = ok(h, "event_list", json!({})).as_array().unwrap().len();
    let out = support::post(&h.base, path, headers, body);
    assert!(out.starts_with("HTTP/1.1 200"), "{out}");
    let start = Instant::now();
    loop {
        let list = ok(h, "event_list", json!({}));
        let list = list.as_array().unwrap();
        if list.len() > before {
            return list[0]["id"].as_i64().unwrap();
        }
        assert!(start.elapsed() < Duration::from_secs(5), "not captured");
        std::thread::sleep(Duration::from_millis(20));
    }
}

struct Received {
    request_line: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Received {
    fn all(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

/// A receiver answering `201 handled` to every request and reporting what reached it.
fn receiver() -> (String, mpsc::Receiver<Received>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request_line = String::new();
            reader.read_line(&mut request_line).unwrap();
            let mut headers = Vec::new();
            loop {
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                let line = line.trim_end();
                if line.is_empty() {
                    break;
                }
                let (n, v) = line.split_once(':').unwrap();
                headers.push((n.to_string(), v.trim().to_string()));
            }
            let len = headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
                .map_or(0, |(_, v)| v.parse().unwrap());
            let mut body = vec![0; len];
            reader.read_exact(&mut body).unwrap();
            stream
                .write_all(b"HTTP/1.1 201 Created\r\nx-handler: yes\r\ncontent-length: 7\r\nconnection: close\r\n\r\nhandled")
                .unwrap();
            let _ = tx.send(Received {
                request_line: request_line.trim_end().to_string(),
                headers,
                body,
            });
        }
    });
    (base, rx)
}

fn next(rx: &mpsc::Receiver<Received>) -> Received {
    rx.recv_timeout(Duration::from_secs(10)).unwrap()
}

#[test]
fn a_replay_is_previewed_sent_exactly_listed_and_its_bodies_travel_as_raw_bytes() {
    let h = harness();
    let body = b"\x00\xffbinary body";
    let id = capture(
        &h,
        "/default/hooks/x?a=1",
        &[("X-Rep", "one"), ("X-Rep", "two")],
        body,
    );
    let (target, rx) = receiver();
    let spec = json!({ "eventId": id, "target": target, "edits": {}, "resign": false });
    let preview = ok(&h, "replay_preview", json!({ "spec": spec }));
    assert_eq!(preview["target"], target);
    assert_eq!(preview["loopback"], true);
    assert_eq!(
        preview["request"]["url"],
        format!("{target}/hooks/x?a=1"),
        "the path after the slug, and the raw query"
    );

    let attempt = ok(
        &h,
        "replay_send",
        json!({ "spec": spec, "allowRemote": false, "remember": true }),
    );
    let got = next(&rx);
    assert_eq!(got.request_line, "POST /hooks/x?a=1 HTTP/1.1");
    assert_eq!(got.body, body);
    assert_eq!(got.all("x-rep"), ["one", "two"]);
    assert_eq!(attempt["status"], 201);
    assert_eq!(attempt["kind"], "replay");
    assert_eq!(
        attempt["sent"], preview["request"],
        "the preview is what is sent"
    );
    assert!(attempt["latencyMs"].as_f64().unwrap() >= 0.0);

    let listed = ok(&h, "replay_list", json!({ "eventId": id }));
    assert_eq!(listed, json!([attempt.clone()]));
    let attempt_id = attempt["id"].as_i64().unwrap();
    assert_eq!(
        raw(
            &h,
            "replay_body",
            json!({ "id": attempt_id, "part": "sent" })
        ),
        body
    );
    assert_eq!(
        raw(
            &h,
            "replay_body",
            json!({ "id": attempt_id, "part": "response" })
        ),
        b"handled"
    );
    // Remembered: the Replay button (no target) goes there now.
    let remembered = ok(&h, "replay_target_get", json!({ "slug": "default" }));
    assert_eq!(remembered, json!({ "target": target, "remembered": true }));
    ok(
        &h,
        "replay_send",
        json!({ "spec": { "eventId": id, "edits": {}, "resign": false } }),
    );
    assert_eq!(next(&rx).body, body);
    assert_eq!(
        ok(&h, "replay_list", json!({ "eventId": id }))
            .as_array()
            .map(Vec::len),
        Some(2)
    );
}

#[test]
fn edits_replace_method_path_header_table_and_body() {
    let h = harness();
    let id = capture(&h, "/default/orig", &[("X-Old", "o")], b"old");
    let (target, rx) = receiver();
    let edits = json!({
        "method": "PUT",
        "path": "/edited?z=9",
        "headers": [
            { "name": "X-Rep", "value": "1" },
            { "name": "content-type", "value": "text/plain" },
            { "name": "X-Rep", "value": "2" },
        ],
        "body": "new body ✓",
    });
    let spec = json!({ "eventId": id, "target": target, "edits": edits, "resign": false });
    let attempt = ok(&h, "replay_send", json!({ "spec": spec }));
    let got = next(&rx);
    assert_eq!(got.request_line, "PUT /edited?z=9 HTTP/1.1");
    assert_eq!(got.body, "new body ✓".as_bytes());
    assert_eq!(got.all("x-rep"), ["1", "2"]);
    assert!(got.all("x-old").is_empty());
    assert_eq!(attempt["sent"]["edited"], true);

    let bad = json!({ "eventId": id, "target": target, "edits": { "headers": [{ "name": "bad name", "value": "x" }] }, "resign": false });
    let err = invoke(&h, "replay_send", json!({ "spec": bad })).unwrap_err();
    assert_eq!(err["code"], "invalid");
    assert!(err["message"].as_str().unwrap().contains("bad name"));
}

#[test]
fn a_remote_target_is_refused_with_a_typed_code_until_allowed() {
    let h = harness();
    let id = capture(&h, "/default/r", &[], b"{}");
    // TEST-NET-1: nothing answers there (refused or timed out, depending on the network).
    let spec =
        json!({ "eventId": id, "target": "http://192.0.2.1:9", "edits": {}, "resign": false });
    let preview = ok(&h, "replay_preview", json!({ "spec": spec }));
    assert_eq!(preview["loopback"], false);
    let err = invoke(&h, "replay_send", json!({ "spec": spec })).unwrap_err();
    assert_eq!(err["code"], "remote_target");
    assert!(err["message"].as_str().unwrap().contains("192.0.2.1"));
    assert_eq!(
        ok(&h, "replay_list", json!({ "eventId": id })),
        json!([]),
        "nothing recorded when refused"
    );
    let attempt = ok(
        &h,
        "replay_send",
        json!({ "spec": spec, "allowRemote": true, "timeoutMs": 300 }),
    );
    assert_eq!(attempt["status"], Value::Null);
    assert!(
        attempt["error"]
            .as_str()
            .is_some_and(|e| e.contains("192.0.2.1") || e.contains("timed out")),
        "the failure in words: {attempt}"
    );
    let err = invoke(
        &h,
        "replay_bulk_start",
        json!({ "ids": [id], "target": "http://192.0.2.1:9", "resign": false, "allowRemote": false }),
    )
    .unwrap_err();
    assert_eq!(err["code"], "remote_target");
}

#[test]
fn the_resign_toggle_knows_the_scheme_and_secret_or_why_not() {
    let h = harness();
    ok(
        &h,
        "endpoint_create",
        json!({ "slug": "stripe", "fields": { "provider": "stripe" } }),
    );
    let id = capture(&h, "/stripe", &[("Stripe-Signature", "t=1,v1=00")], b"{}");
    let spec = json!({ "eventId": id, "edits": {}, "resign": false });
    let info = &ok(&h, "replay_preview", json!({ "spec": spec }))["resign"];
    assert_eq!(info["provider"], "stripe");
    assert!(
        info["unavailable"].as_str().unwrap().contains("no secret"),
        "{info}"
    );
    ok(
        &h,
        "endpoint_update",
        json!({ "slug": "stripe", "fields": { "secrets": ["whsec_abcdefghijklmnop"] } }),
    );
    let spec = json!({ "eventId": id, "edits": {}, "resign": true });
    let preview = ok(&h, "replay_preview", json!({ "spec": spec }));
    assert_eq!(
        preview["resign"],
        json!({ "provider": "stripe", "secretMasked": "whsec_…mnop", "unavailable": null })
    );
    assert_eq!(preview["request"]["resigned"], "stripe");
    let signature = preview["request"]["headers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["name"] == "stripe-signature")
        .unwrap()["value"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(signature.starts_with("t=") && !signature.starts_with("t=1,"));
    assert_eq!(preview["target"], "http://localhost:3000");
}

/// Collects a live event's payloads.
fn collect(h: &Harness, name: &str) -> mpsc::Receiver<Value> {
    let (tx, rx) = mpsc::channel();
    h.app.listen_any(name.to_string(), move |e| {
        let _ = tx.send(serde_json::from_str::<Value>(e.payload()).unwrap());
    });
    rx
}

#[test]
fn bulk_replay_sends_in_order_reports_progress_and_stops() {
    let h = harness();
    let ids: Vec<i64> = (0..3)
        .map(|i| {
            capture(
                &h,
                &format!("/default/n{i}"),
                &[],
                format!("{i}").as_bytes(),
            )
        })
        .collect();
    let (target, rx) = receiver();
    let progress = collect(&h, "replay-bulk-progress");
    let done = collect(&h, "replay-bulk-done");
    let recorded = collect(&h, "replay-recorded");
    let started = ok(
        &h,
        "replay_bulk_start",
        json!({ "ids": [ids[2], ids[0], ids[1]], "target": target, "ratePerSecond": 50.0, "resign": false, "allowRemote": false }),
    );
    assert_eq!(started["total"], 3);
    let order: Vec<Vec<u8>> = (0..3).map(|_| next(&rx).body).collect();
    assert_eq!(
        order,
        [b"0".to_vec(), b"1".to_vec(), b"2".to_vec()],
        "oldest first"
    );
    let end = done.recv_timeout(Duration::from_secs(10)).unwrap();
    assert_eq!(
        end,
        json!({ "runId": started["runId"], "sent": 3, "succeeded": 3, "failed": 0, "stopped": false })
    );
    let last: Vec<Value> = progress.try_iter().collect();
    assert_eq!(last.len(), 3);
    assert_eq!(last[2]["done"], 3);
    assert_eq!(last[2]["succeeded"], 3);
    assert_eq!(last[2]["status"], 201);
    assert_eq!(recorded.try_iter().count(), 3);
    assert_eq!(
        ok(&h, "replay_bulk_stop", json!({ "runId": started["runId"] })),
        false,
        "already ended"
    );

    // The current filter, slowly, stopped after the first.
    let started = ok(
        &h,
        "replay_bulk_start",
        json!({ "filter": { "search": "n" }, "target": target, "ratePerSecond": 2.0, "resign": false, "allowRemote": false }),
    );
    assert_eq!(started["total"], 3);
    next(&rx);
    assert_eq!(
        ok(&h, "replay_bulk_stop", json!({ "runId": started["runId"] })),
        true
    );
    let end = done.recv_timeout(Duration::from_secs(10)).unwrap();
    assert_eq!(end["stopped"], true);
    assert!(end["sent"].as_u64().unwrap() < 3);

    let err = invoke(
        &h,
        "replay_bulk_start",
        json!({ "filter": { "search": "nothing-matches-this" }, "resign": false, "allowRemote": false }),
    )
    .unwrap_err();
    assert_eq!(err["code"], "invalid");
    let err = invoke(
        &h,
        "replay_bulk_start",
        json!({ "ids": [ids[0]], "ratePerSecond": -1.0, "resign": false, "allowRemote": false }),
    )
    .unwrap_err();
    assert_eq!(err["code"], "invalid");
    // Too slow for a gap between two requests: refused before a run starts.
    let err = invoke(
        &h,
        "replay_bulk_start",
        json!({ "ids": [ids[0]], "ratePerSecond": 1e-300, "resign": false, "allowRemote": false }),
    )
    .unwrap_err();
    assert_eq!(err["code"], "invalid");
    assert!(
        err["message"].as_str().unwrap().contains("at least 0.001"),
        "{err}"
    );
    // A selection is capped like a filter.
    let many: Vec<i64> = (1..=100_001).collect();
    let err = invoke(
        &h,
        "replay_bulk_start",
        json!({ "ids": many, "resign": false, "allowRemote": false }),
    )
    .unwrap_err();
    assert_eq!(err["code"], "invalid");
    assert!(
        err["message"].as_str().unwrap().contains("at most 100000"),
        "{err}"
    );
    assert!(
        done.recv_timeout(Duration::from_millis(300)).is_err(),
        "no run was started"
    );
    assert!(rx.recv_timeout(Duration::from_millis(300)).is_err());
}

#[test]
fn every_forward_try_is_announced_to_the_replays_tab() {
    let h = harness();
    let state = tauri::Manager::state::<AppState>(&h.app).inner().clone();
    let recorded = collect(&h, "replay-recorded");
    let (notices, _heard) = tokio::sync::mpsc::unbounded_channel();
    tauri::async_runtime::spawn(hookscope_desktop::live::forward(
        h.app.handle().clone(),
        state.clone(),
        notices,
    ));
    let outcome = ForwardOutcome {
        endpoint: "default".into(),
        event_id: 42,
        replay_id: 7,
        attempt: 2,
        target: "http://localhost:3000".into(),
        status: None,
        error: Some("connection refused".into()),
        state: ForwardState::Retrying,
    };
    // The task subscribes as it starts: publish until it hears.
    let start = Instant::now();
    let got = loop {
        state
            .engine
            .hub()
            .publish(HubEvent::Forwarded(Box::new(outcome.clone())));
        if let Ok(v) = recorded.recv_timeout(Duration::from_millis(50)) {
            break v;
        }
        assert!(start.elapsed() < Duration::from_secs(5), "never announced");
    };
    assert_eq!(got, json!({ "eventId": 42 }));
}

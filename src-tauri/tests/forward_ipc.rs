//! Auto-forward and routes through real IPC requests on Tauri's mock runtime: the app's
//! forwarder against a real receiver that is down at first, then up. No display needed.
#![allow(clippy::unwrap_used)]

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::{Harness, harness_forwarding, invoke, ok};

fn post(base: &str, path: &str, body: &str) {
    let answer = post_answer(base, path, body);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

fn post_answer(base: &str, path: &str, body: &str) -> String {
    support::post(base, path, &[], body.as_bytes())
}

/// A port nothing listens on (yet).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Accept one request, answer 204, return its request line and body.
fn receive_one(listener: &TcpListener) -> (String, Vec<u8>) {
    let (stream, _) = listener.accept().unwrap();
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    let mut length = 0;
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).unwrap();
        if header.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap();
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    reader
        .get_mut()
        .write_all(b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        .unwrap();
    (line.trim_end().to_string(), body)
}

fn status_until(h: &Harness, slug: &str, what: &str, cond: impl Fn(&Value) -> bool) -> Value {
    let start = Instant::now();
    loop {
        let status = ok(h, "forward_status", json!({ "slug": slug }));
        if cond(&status) {
            return status;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "{what}: {status}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn settings() -> Value {
    json!({
        "timeoutMs": 5000, "retryInitialMs": 100, "retryMaxMs": 200,
        "maxAttempts": 3, "allowRemote": false,
        "respond": "rule", "respondTimeoutMs": 10000
    })
}

#[test]
fn a_down_target_shows_failed_tries_and_a_backlog_then_gets_the_event_once_up() {
    let h = harness_forwarding();
    let off = ok(&h, "forward_status", json!({ "slug": "default" }));
    assert_eq!(off["target"], Value::Null);
    assert_eq!(off["settings"]["timeoutMs"], 300_000, "the defaults");
    let port = free_port();
    let target = format!("http://127.0.0.1:{port}/hooks");
    let on = ok(
        &h,
        "forward_set",
        json!({ "slug": "default", "target": target, "settings": settings() }),
    );
    assert_eq!(on["target"], target);
    assert_eq!(on["settings"]["maxAttempts"], 3);

    post(&h.base, "/x?a=1", r#"{"n":1}"#);
    let failing = status_until(&h, "default", "a failed try", |s| {
        s["recent"][0]["error"].is_string()
    });
    assert_eq!(failing["backlog"], 1);
    assert_eq!(
        failing["delivering"], true,
        "the app holds the forward lock"
    );
    assert!(
        failing["recent"][0]["error"]
            .as_str()
            .unwrap()
            .contains("connection refused"),
        "{failing}"
    );

    let listener = TcpListener::bind(("127.0.0.1", port)).unwrap();
    let (line, body) = receive_one(&listener);
    assert_eq!(line, "POST /hooks/x?a=1 HTTP/1.1");
    assert_eq!(body, br#"{"n":1}"#);
    let delivered = status_until(&h, "default", "delivered", |s| {
        s["recent"][0]["status"] == 204 && s["backlog"] == 0
    });
    assert!(delivered["recent"][0]["attempt"].as_u64().unwrap() >= 2);

    let cleared = ok(&h, "forward_clear", json!({ "slug": "default" }));
    assert_eq!(cleared["target"], Value::Null);
}

#[test]
fn with_respond_target_the_provider_gets_the_targets_own_answer() {
    let h = harness_forwarding();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let target = format!("http://{}/", listener.local_addr().unwrap());
    let mut inline = settings();
    inline["respond"] = json!("target");
    inline["respondTimeoutMs"] = json!(3000);
    let on = ok(
        &h,
        "forward_set",
        json!({ "slug": "default", "target": target, "settings": inline }),
    );
    assert_eq!(on["settings"]["respond"], "target");
    assert_eq!(on["settings"]["respondTimeoutMs"], 3000);
    let receiver = std::thread::spawn(move || receive_one(&listener));
    let answer = post_answer(&h.base, "/inline", "{}");
    assert!(
        answer.starts_with("HTTP/1.1 204"),
        "the target's answer: {answer}"
    );
    assert_eq!(receiver.join().unwrap().0, "POST /inline HTTP/1.1");
}

#[test]
fn remote_targets_need_allow_remote_and_bad_settings_are_refused() {
    let h = harness_forwarding();
    let err = invoke(
        &h,
        "forward_set",
        json!({ "slug": "default", "target": "http://example.com/", "settings": settings() }),
    )
    .unwrap_err();
    assert_eq!(err["code"], "remote_target");
    assert!(err["message"].as_str().unwrap().contains("loopback"));
    let mut allowed = settings();
    allowed["allowRemote"] = json!(true);
    let on = ok(
        &h,
        "forward_set",
        json!({ "slug": "default", "target": "http://example.com/", "settings": allowed }),
    );
    assert_eq!(on["settings"]["allowRemote"], true);
    let mut bad = settings();
    bad["retryMaxMs"] = json!(10);
    let err = invoke(
        &h,
        "forward_set",
        json!({ "slug": "default", "target": "http://localhost:3000", "settings": bad }),
    )
    .unwrap_err();
    assert_eq!(err["code"], "invalid");
    let err = invoke(&h, "forward_status", json!({ "slug": "nope" })).unwrap_err();
    assert_eq!(err["code"], "not_found");
}

#[test]
fn routes_are_added_in_order_listed_and_removed_by_position() {
    let h = harness_forwarding();
    ok(
        &h,
        "route_add",
        json!({ "slug": "default", "kind": "event_type", "pattern": "invoice.*", "target": "http://localhost:3000/billing" }),
    );
    let second = ok(
        &h,
        "route_add",
        json!({ "slug": "default", "kind": "path_prefix", "pattern": "/connect", "target": "http://localhost:4000" }),
    );
    assert_eq!(second["position"], 2);
    let err = invoke(
        &h,
        "route_add",
        json!({ "slug": "default", "kind": "path_prefix", "pattern": "/x", "target": "http://example.com" }),
    )
    .unwrap_err();
    assert_eq!(err["code"], "remote_target");
    let err = invoke(
        &h,
        "route_add",
        json!({ "slug": "default", "kind": "path_prefix", "pattern": " ", "target": "http://localhost:1" }),
    )
    .unwrap_err();
    assert_eq!(err["code"], "invalid");
    let list = ok(&h, "route_list", json!({ "slug": "default" }));
    let patterns: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["pattern"].as_str())
        .collect();
    assert_eq!(patterns, ["invoice.*", "/connect"]);
    let far = ok(
        &h,
        "route_add",
        json!({ "slug": "default", "kind": "path_prefix", "pattern": "/x", "target": "http://example.com", "allowRemote": true }),
    );
    assert_eq!(
        (&far["position"], &far["allowRemote"]),
        (&json!(3), &json!(true))
    );
    let list = ok(&h, "route_list", json!({ "slug": "default" }));
    let consent: Vec<&serde_json::Value> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["allowRemote"])
        .collect();
    assert_eq!(consent, [&json!(false), &json!(false), &json!(true)]);
    let left = ok(
        &h,
        "route_remove",
        json!({ "slug": "default", "position": 1 }),
    );
    assert_eq!(left[0]["pattern"], "/connect");
    assert_eq!(left[0]["position"], 1);
    let err = invoke(
        &h,
        "route_remove",
        json!({ "slug": "default", "position": 9 }),
    )
    .unwrap_err();
    assert_eq!(err["code"], "not_found");
    let err = invoke(&h, "route_list", json!({ "slug": "nope" })).unwrap_err();
    assert_eq!(err["code"], "not_found");
}

//! The app's wiring through Tauri's mock runtime: real commands over real IPC requests against
//! an engine on a temp data dir, with a real capture server on a free port. No display needed.
#![allow(clippy::unwrap_used)]

mod support;

use std::net::TcpStream;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::{Harness, harness, invoke_args};
use tauri::WebviewWindowBuilder;
use tauri::ipc::InvokeResponseBody;
use tauri::test::{mock_builder, mock_context, noop_assets};

fn invoke(h: &Harness, cmd: &str, args: Value) -> Result<InvokeResponseBody, Value> {
    invoke_args(&h.window, cmd, args)
}

fn json_of(h: &Harness, cmd: &str, args: Value) -> Value {
    match invoke(h, cmd, args) {
        Ok(body) => body.deserialize::<Value>().unwrap(),
        Err(e) => panic!("{cmd} failed: {e}"),
    }
}

/// POST JSON with a repeated header; returns the status line.
fn post(base: &str, path: &str, body: &str) -> String {
    let headers = [
        ("Content-Type", "application/json"),
        ("X-Test", "a"),
        ("X-Test", "b"),
    ];
    let out = support::post(base, path, &headers, body.as_bytes());
    out.lines().next().unwrap_or("").to_string()
}

fn wait_for_events(h: &Harness, n: usize) -> Vec<Value> {
    let start = Instant::now();
    loop {
        let list = json_of(h, "event_list", json!({ "req": {} }));
        let list = list.as_array().cloned().unwrap_or_default();
        if list.len() >= n || start.elapsed() > Duration::from_secs(5) {
            return list;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn captured_requests_are_listed_detailed_and_their_bodies_travel_as_raw_bytes() {
    let h = harness();
    assert!(post(&h.base, "/default/hook?x=1", r#"{"hello":"world"}"#).contains("200"));
    let list = wait_for_events(&h, 1);
    assert_eq!(list.len(), 1);
    let id = list[0]["id"].as_i64().unwrap();
    assert_eq!(list[0]["path"], "/default/hook");
    assert_eq!(list[0]["receivedAtUs"].as_i64().map(|t| t > 0), Some(true));

    let detail = json_of(&h, "event_get", json!({ "req": { "id": id } }));
    let repeated: Vec<&Value> = detail["headers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["name"] == "x-test")
        .collect();
    assert_eq!(repeated.len(), 2, "repeated headers stay separate");
    assert!(detail.get("body").is_none(), "details carry no body");

    match invoke(&h, "event_body", json!({ "req": { "id": id } })) {
        Ok(InvokeResponseBody::Raw(bytes)) => assert_eq!(bytes, br#"{"hello":"world"}"#),
        other => panic!("expected raw bytes, got {other:?}"),
    }
}

#[test]
fn counts_per_endpoint_come_with_the_newest_id_they_include() {
    let h = harness();
    json_of(
        &h,
        "endpoint_create",
        json!({ "req": { "slug": "shop", "fields": {} } }),
    );
    post(&h.base, "/shop/a", "{}");
    post(&h.base, "/shop/b", "{}");
    post(&h.base, "/elsewhere", "{}");
    let list = wait_for_events(&h, 3);
    let counts = json_of(&h, "event_counts", Value::Null);
    assert_eq!(counts["counts"], json!({ "default": 1, "shop": 2 }));
    assert_eq!(counts["upto"], list[0]["id"], "{counts}");
}

#[test]
fn search_and_filters_narrow_the_list() {
    let h = harness();
    post(&h.base, "/default/a", r#"{"needle":"haystack"}"#);
    post(&h.base, "/default/b", r#"{"other":1}"#);
    wait_for_events(&h, 2);
    let found = json_of(&h, "event_list", json!({ "req": { "search": "haystack" } }));
    let paths: Vec<&str> = found
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["path"].as_str())
        .collect();
    assert_eq!(paths, ["/default/a"]);
    let none = json_of(&h, "event_list", json!({ "req": { "method": "GET" } }));
    assert_eq!(none.as_array().map(Vec::len), Some(0));
}

#[test]
fn hmac_over_an_events_raw_body_matches_a_known_value() {
    let h = harness();
    post(&h.base, "/default/sig", "hello");
    let id = wait_for_events(&h, 1)[0]["id"].as_i64().unwrap();
    // HMAC-SHA256("key", "hello").
    let known = "9307b3b915efb5171ff14d8cb55fbcc798c6c0ef1456d66ded1a6aa723a58b7b";
    let res = json_of(
        &h,
        "hmac_compute",
        json!({ "req": { "key": "key", "eventId": id, "compareWith": known } }),
    );
    assert_eq!(res["digest"], known);
    assert_eq!(res["matches"], true);
}

#[test]
fn errors_are_typed_with_a_code_and_a_reason() {
    let h = harness();
    let err = invoke(&h, "event_get", json!({ "req": { "id": 424242 } })).unwrap_err();
    assert_eq!(err["code"], "not_found");
    assert!(err["message"].as_str().unwrap().contains("424242"));
    let err = invoke(
        &h,
        "hmac_compute",
        json!({ "req": { "key": "zz", "keyEncoding": "hex" } }),
    )
    .unwrap_err();
    assert_eq!(err["code"], "bad_key");
}

#[test]
fn endpoints_are_created_with_their_url_and_route_at_once() {
    let h = harness();
    let created = json_of(
        &h,
        "endpoint_create",
        json!({ "req": { "slug": "stripe", "fields": { "name": "Stripe", "secrets": ["whsec_abcdefghijklmnop"], "notify": false } } }),
    );
    assert_eq!(created["url"], format!("{}/stripe", h.base));
    assert_eq!(created["maskedSecrets"][0], "whsec_…mnop");
    assert_eq!(created["notify"], false);
    post(&h.base, "/stripe/x", "{}");
    let list = wait_for_events(&h, 1);
    assert_eq!(list[0]["endpoint"], "stripe");
    let dup = invoke(
        &h,
        "endpoint_create",
        json!({ "req": { "slug": "stripe" } }),
    )
    .unwrap_err();
    assert_eq!(dup["code"], "conflict");
}

#[test]
fn settings_are_saved_and_capture_pauses_and_resumes() {
    let h = harness();
    let mut settings = json_of(&h, "settings_get", json!({}));
    settings["notifyRule"] = json!("invalid_signature");
    settings["retentionMaxEvents"] = json!(1000);
    settings["startAtLogin"] = json!(true);
    let saved = json_of(
        &h,
        "settings_set",
        json!({ "req": { "settings": settings } }),
    );
    assert_eq!(saved["notifyRule"], "invalid_signature");
    assert_eq!(
        json_of(&h, "settings_get", json!({}))["retentionMaxEvents"],
        1000
    );

    let paused = json_of(&h, "capture_pause", json!({ "req": { "paused": true } }));
    assert_eq!(paused["paused"], true);
    assert_eq!(paused["url"], Value::Null);
    let addr = h.base.trim_start_matches("http://");
    assert!(
        TcpStream::connect(addr).is_err(),
        "nothing listens while paused"
    );
    let resumed = json_of(&h, "capture_pause", json!({ "req": { "paused": false } }));
    assert_eq!(resumed["paused"], false);
    let status = json_of(&h, "app_status", json!({}));
    assert_eq!(status["capture"]["url"], resumed["url"]);
    assert!(status["capture"]["url"].is_string());
}

#[test]
fn without_an_engine_the_status_explains_why_instead_of_failing_blindly() {
    let app = hookscope_desktop::builder(mock_builder())
        .manage(hookscope_desktop::state::StartupFailure {
            data_dir: "/nowhere/hookscope".into(),
            reason: "file is not a database".into(),
        })
        .build(mock_context(noop_assets()))
        .unwrap();
    let window = WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .unwrap();
    let err = invoke_args(&window, "app_status", json!({})).unwrap_err();
    assert_eq!(err["code"], "engine_unavailable", "{err}");
    let message = err["message"].as_str().unwrap();
    assert!(
        message.contains("/nowhere/hookscope") && message.contains("file is not a database"),
        "{message}"
    );
}

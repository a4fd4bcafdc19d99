//! Test events, export and import through Tauri's mock runtime: real commands over IPC against
//! engines on scratch data dirs, files written and read where the file dialog answered (a
//! preset, as the e2e does), and a real HTTP receiver for test events sent to a handler.
#![allow(clippy::unwrap_used)]

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::sync::mpsc;

use hookscope_desktop::commands::transfer::PresetPaths;
use serde_json::{Value, json};
use support::{Harness, harness};
use tauri::Manager;

const SECRET: &str = "whsec_transfer_test_secret_0123456789";

/// Invoke `cmd`. For export and import, the request's `path` is what the file dialog answers
/// (the user's pick), not part of the request.
fn invoke(a: &Harness, cmd: &str, mut req: Value) -> Result<Value, Value> {
    if let Some(path) = req.as_object_mut().and_then(|r| r.remove("path")) {
        let presets = a.app.state::<PresetPaths>();
        let slot = if cmd == "event_export" {
            &presets.save
        } else {
            &presets.open
        };
        *slot.lock().unwrap() = path.as_str().map(Into::into);
        if cmd == "event_export" {
            req["fileName"] = json!("suggested.har");
        } else {
            req = Value::Null;
        }
    }
    support::invoke(a, cmd, req)
}

fn ok(a: &Harness, cmd: &str, req: Value) -> Value {
    invoke(a, cmd, req).unwrap_or_else(|e| panic!("{cmd} failed: {e}"))
}

/// Events, oldest first.
fn events(a: &Harness) -> Vec<Value> {
    let mut list = ok(a, "event_list", json!({})).as_array().cloned().unwrap();
    list.reverse();
    list
}

fn path_in(dir: &Path, name: &str) -> String {
    dir.join(name).display().to_string()
}

/// Two events on a fresh app: a signed Stripe test event on `stripe-test`, a GitHub push on
/// `default`.
fn app_with_events() -> Harness {
    let a = harness();
    ok(
        &a,
        "endpoint_create",
        json!({ "slug": "stripe-test", "fields": { "secrets": [SECRET] } }),
    );
    let captured = ok(
        &a,
        "trigger_capture",
        json!({ "provider": "stripe", "event": "payment_intent.succeeded", "endpoint": "stripe-test" }),
    );
    assert_eq!(captured["signed"], true);
    assert_eq!(captured["responseStatus"], 200);
    ok(
        &a,
        "trigger_capture",
        json!({ "provider": "github", "event": "push", "endpoint": "default" }),
    );
    a
}

#[test]
fn templates_are_listed_and_a_captured_test_event_verifies_with_the_endpoints_secret() {
    let a = app_with_events();
    let templates = ok(&a, "trigger_list", Value::Null);
    let names: Vec<String> = templates
        .as_array()
        .unwrap()
        .iter()
        .map(|t| format!("{} {}", t["provider"], t["event"]))
        .collect();
    assert!(names.contains(&r#""stripe" "payment_intent.succeeded""#.to_string()));
    assert!(names.contains(&r#""github" "push""#.to_string()));

    let list = events(&a);
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["endpoint"], "stripe-test");
    assert_eq!(list[0]["provider"], "stripe");
    assert_eq!(list[0]["eventType"], "payment_intent.succeeded");
    assert_eq!(list[0]["signatureStatus"], "valid");
    assert_eq!(list[0]["imported"], false);
    // No secret on `default`: captured unsigned, and the report says so.
    assert_eq!(list[1]["eventType"], "push");
    assert_eq!(list[1]["signatureStatus"], "no_secret");

    let err = invoke(
        &a,
        "trigger_capture",
        json!({ "provider": "stripe", "event": "nope", "endpoint": "stripe-test" }),
    )
    .unwrap_err();
    assert_eq!(err["code"], "invalid");
    assert!(err["message"].as_str().unwrap().contains("no template"));
    let err = invoke(
        &a,
        "trigger_capture",
        json!({ "provider": "stripe", "event": "payment_intent.succeeded", "endpoint": "missing" }),
    )
    .unwrap_err();
    assert_eq!(err["code"], "not_found");
}

/// A one-shot HTTP receiver: answers 202 `{"ok":true}` and hands back the request's head.
fn receiver() -> (String, mpsc::Receiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hooks", listener.local_addr().unwrap());
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        let mut reader = BufReader::new(stream);
        let mut head = String::new();
        let mut length = 0;
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = v.trim().parse().unwrap();
            }
            if line == "\r\n" {
                break;
            }
            head += &line;
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body).unwrap();
        let mut stream = reader.into_inner();
        stream
            .write_all(b"HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nContent-Length: 11\r\nConnection: close\r\n\r\n{\"ok\":true}")
            .unwrap();
        tx.send(head).unwrap();
    });
    (url, rx)
}

#[test]
fn a_test_event_sent_to_a_handler_is_signed_with_the_endpoints_secret_and_its_answer_returned() {
    let a = app_with_events();
    let (url, received) = receiver();
    let res = ok(
        &a,
        "trigger_send",
        json!({ "provider": "stripe", "event": "payment_intent.succeeded", "url": url, "endpoint": "stripe-test" }),
    );
    assert_eq!(res["status"], 202);
    assert_eq!(res["signed"], true);
    assert_eq!(res["body"], r#"{"ok":true}"#);
    assert_eq!(res["bodySize"], 11);
    assert!(res["error"].is_null());
    let head = received.recv().unwrap();
    assert!(head.starts_with("POST /hooks HTTP/1.1"), "{head}");
    assert!(
        head.to_ascii_lowercase().contains("stripe-signature: t="),
        "{head}"
    );

    // Nobody listening: the answer is the reason, in words.
    let closed = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let res = ok(
        &a,
        "trigger_send",
        json!({ "provider": "github", "event": "ping", "url": format!("http://127.0.0.1:{port}/") }),
    );
    assert!(res["status"].is_null());
    assert_eq!(res["signed"], false);
    assert!(!res["error"].as_str().unwrap().is_empty());
}

#[test]
fn a_remote_target_is_refused_with_its_own_code_until_allowed() {
    let a = harness();
    let err = invoke(
        &a,
        "trigger_send",
        json!({ "provider": "stripe", "event": "payment_intent.succeeded", "url": "http://192.0.2.1:9/hooks" }),
    )
    .unwrap_err();
    assert_eq!(err["code"], "remote_target");
    assert!(err["message"].as_str().unwrap().contains("192.0.2.1"));
    // Allowed: it is sent (TEST-NET-1 does not answer within the timeout given).
    let res = ok(
        &a,
        "trigger_send",
        json!({ "provider": "stripe", "event": "payment_intent.succeeded", "url": "http://192.0.2.1:9/hooks",
                "allowRemote": true, "timeoutMs": 300 }),
    );
    assert!(res["status"].is_null());
    assert!(res["error"].as_str().unwrap().len() > 3);
    let err = invoke(
        &a,
        "trigger_send",
        json!({ "provider": "stripe", "event": "payment_intent.succeeded", "url": "ftp://localhost/" }),
    )
    .unwrap_err();
    assert_eq!(err["code"], "invalid");
}

#[test]
fn ndjson_and_har_exports_import_into_a_fresh_data_dir_as_the_same_events_marked_imported() {
    let source = app_with_events();
    let out = tempfile::tempdir().unwrap();
    let ndjson = path_in(out.path(), "hookscope.ndjson");
    let har = path_in(out.path(), "hookscope.har");
    let res = ok(
        &source,
        "event_export",
        json!({ "path": ndjson, "format": "ndjson" }),
    );
    assert_eq!(res["count"], 2);
    assert_eq!(res["fileName"], "hookscope.ndjson");
    assert_eq!(
        res["bytes"].as_u64().unwrap(),
        std::fs::metadata(&ndjson).unwrap().len()
    );
    let res = ok(
        &source,
        "event_export",
        json!({ "path": har, "format": "har", "endpoint": "stripe-test" }),
    );
    assert_eq!(res["count"], 1);
    let doc: Value = serde_json::from_slice(&std::fs::read(&har).unwrap()).unwrap();
    assert_eq!(doc["log"]["version"], "1.2");
    assert_eq!(doc["log"]["entries"].as_array().unwrap().len(), 1);
    let leftovers: Vec<_> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".part"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    let original = events(&source);
    let fresh = harness();
    let report = ok(&fresh, "event_import", json!({ "path": ndjson }));
    assert_eq!(report["imported"], 2);
    assert_eq!(report["format"], "ndjson");
    assert_eq!(report["fileName"], "hookscope.ndjson");
    assert_eq!(report["createdEndpoints"], json!(["stripe-test"]));
    assert_eq!(report["ids"].as_array().unwrap().len(), 2);
    let copied = events(&fresh);
    assert_eq!(copied.len(), 2);
    for (o, c) in original.iter().zip(&copied) {
        for field in [
            "endpoint",
            "receivedAtUs",
            "method",
            "path",
            "query",
            "bodySize",
            "provider",
            "eventType",
            "eventId",
            "signatureStatus",
            "responseStatus",
        ] {
            assert_eq!(o[field], c[field], "{field}");
        }
        assert_eq!(c["imported"], true);
    }
    // The bodies too: exporting the copies gives the same lines but for ids and the mark.
    let again = path_in(out.path(), "again.ndjson");
    ok(
        &fresh,
        "event_export",
        json!({ "path": again, "format": "ndjson" }),
    );
    let lines = |p: &str| -> Vec<Value> {
        std::fs::read_to_string(p)
            .unwrap()
            .lines()
            .map(|l| {
                let mut v: Value = serde_json::from_str(l).unwrap();
                v.as_object_mut().unwrap().remove("id");
                v.as_object_mut().unwrap().remove("imported");
                v.as_object_mut().unwrap().remove("duplicate_of");
                v
            })
            .collect()
    };
    assert_eq!(lines(&ndjson), lines(&again));

    let from_har = harness();
    let report = ok(&from_har, "event_import", json!({ "path": har }));
    assert_eq!(report["imported"], 1);
    assert_eq!(report["format"], "har");
    assert_eq!(events(&from_har)[0]["signatureStatus"], "valid");
}

#[test]
fn a_malformed_file_is_refused_with_the_line_and_nothing_is_imported() {
    let source = app_with_events();
    let exported = path_in(source.dir.path(), "good.ndjson");
    ok(
        &source,
        "event_export",
        json!({ "path": exported, "format": "ndjson" }),
    );
    let good = std::fs::read_to_string(&exported).unwrap();
    let first = good.lines().next().unwrap();
    let bad = path_in(source.dir.path(), "bad.ndjson");
    std::fs::write(
        &bad,
        format!("{first}\n{{\"id\": 2, \"endpoint\": \"x\"}}\n"),
    )
    .unwrap();

    let fresh = harness();
    let err = invoke(&fresh, "event_import", json!({ "path": bad })).unwrap_err();
    assert_eq!(err["code"], "import_refused");
    let message = err["message"].as_str().unwrap();
    assert!(
        message.starts_with("bad.ndjson: line 2: missing field"),
        "{message}"
    );
    assert!(events(&fresh).is_empty(), "nothing imported half-way");
    assert_eq!(
        ok(&fresh, "endpoint_list", Value::Null)
            .as_array()
            .unwrap()
            .len(),
        1,
        "no endpoint created either"
    );

    let not_json = path_in(source.dir.path(), "notes.txt");
    std::fs::write(&not_json, "hello").unwrap();
    let err = invoke(&fresh, "event_import", json!({ "path": not_json })).unwrap_err();
    assert_eq!(err["code"], "import_refused");
    let err = invoke(
        &fresh,
        "event_import",
        json!({ "path": path_in(source.dir.path(), "missing.har") }),
    )
    .unwrap_err();
    assert_eq!(err["code"], "io");
    assert!(err["message"].as_str().unwrap().contains("missing.har"));

    // A file too large to parse in memory is refused before it is read (sparse: no disk used).
    let huge = path_in(source.dir.path(), "huge.ndjson");
    std::fs::File::create(&huge)
        .unwrap()
        .set_len(hookscope_desktop::commands::transfer::MAX_IMPORT_BYTES + 1)
        .unwrap();
    let err = invoke(&fresh, "event_import", json!({ "path": huge })).unwrap_err();
    assert_eq!(err["code"], "import_refused");
    assert!(err["message"].as_str().unwrap().contains("huge.ndjson"));
    assert!(events(&fresh).is_empty());
}

#[test]
fn paths_must_be_absolute_and_a_failed_export_leaves_no_file() {
    let a = app_with_events();
    let err = invoke(
        &a,
        "event_export",
        json!({ "path": "relative.har", "format": "har" }),
    )
    .unwrap_err();
    assert_eq!(err["code"], "invalid");
    let err = invoke(&a, "event_import", json!({ "path": "" })).unwrap_err();
    assert_eq!(err["code"], "invalid");
    let nowhere = a.dir.path().join("no-such-dir").join("x.har");
    let err = invoke(
        &a,
        "event_export",
        json!({ "path": nowhere.display().to_string(), "format": "har" }),
    )
    .unwrap_err();
    assert_eq!(err["code"], "io");
    assert!(err["message"].as_str().unwrap().contains("x.har"));
    assert!(!nowhere.exists());
}

#[test]
fn a_cancelled_dialog_exports_and_imports_nothing() {
    let a = app_with_events();
    let exported = ok(
        &a,
        "event_export",
        json!({ "fileName": "x.har", "format": "har" }),
    );
    assert!(exported.is_null(), "{exported}");
    let imported = ok(&a, "event_import", Value::Null);
    assert!(imported.is_null(), "{imported}");
    assert_eq!(events(&a).len(), 2);
}

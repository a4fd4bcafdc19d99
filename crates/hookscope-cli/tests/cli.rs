//! The `hookscope` binary as users and scripts run it: real processes, real sockets.

#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

mod support;

use support::{BIN, hookscope, serve, stdout};

/// One HTTP/1.1 request on its own connection; returns the status code, or None if the server
/// went away before answering.
fn post(addr: SocketAddr, path: &str, body: &[u8]) -> Option<u16> {
    let mut s = TcpStream::connect(addr).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: t\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).ok()?;
    s.write_all(body).ok()?;
    let mut answer = Vec::new();
    s.read_to_end(&mut answer).ok()?;
    let text = String::from_utf8_lossy(&answer);
    text.strip_prefix("HTTP/1.1 ")?.get(..3)?.parse().ok()
}

fn export(data: &Path) -> Vec<serde_json::Value> {
    let out = hookscope(data, &["export", "--format", "ndjson"]);
    assert!(out.status.success(), "{out:?}");
    stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn endpoints_are_managed_and_bad_input_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let add = hookscope(
        d,
        &[
            "endpoints",
            "add",
            "shop",
            "--secret",
            "whsec_abcdefghijklmnop",
            "--status",
            "202",
            "--body",
            "ok",
            "--delay-ms",
            "5",
        ],
    );
    assert!(add.status.success(), "{add:?}");
    let list = hookscope(d, &["endpoints", "list", "--json"]);
    let eps: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    let shop = eps
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["slug"] == "shop")
        .unwrap();
    assert_eq!(shop["secrets"][0], "whsec_…mnop", "secrets are masked");
    assert!(!stdout(&list).contains("abcdefghijklmnop"));
    assert_eq!(shop["response"]["status"], 202);

    let set = hookscope(
        d,
        &[
            "endpoints",
            "set",
            "shop",
            "--fail-first",
            "2",
            "--add-secret",
            "second-secret-1",
        ],
    );
    assert!(set.status.success(), "{set:?}");
    let eps: serde_json::Value =
        serde_json::from_slice(&hookscope(d, &["endpoints", "list", "--json"]).stdout).unwrap();
    let shop = eps
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["slug"] == "shop")
        .unwrap();
    assert_eq!(
        (
            shop["secrets"].as_array().unwrap().len(),
            &shop["response"]["status"]
        ),
        (2, &serde_json::json!(202))
    );
    assert_eq!(shop["response"]["failures"]["fail_first"], 2);

    for bad in [
        vec!["endpoints", "add", "shop"],
        vec!["endpoints", "add", "Bad/Slug"],
        vec!["endpoints", "add", "x", "--status", "9999"],
        vec!["endpoints", "set", "nope", "--status", "200"],
        vec!["endpoints", "rm", "default"],
        vec!["show", "12345"],
        vec!["clear"],
    ] {
        let out = hookscope(d, &bad);
        assert_eq!(out.status.code(), Some(1), "{bad:?}: {out:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.starts_with("hookscope: ") && !err.contains("panicked"),
            "{bad:?}: {err}"
        );
    }
    assert!(hookscope(d, &["endpoints", "rm", "shop"]).status.success());
}

#[test]
fn serve_captures_and_show_list_export_speak_the_json_contract() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let server = serve(d);
    let body = b"{\"id\":\"evt_1\",\"bin\":\"\xff\"}";
    assert_eq!(post(server.addr, "/hooks/a?x=1", body), Some(200));
    assert_eq!(post(server.addr, "/hooks/b", b"second"), Some(200));

    let list: serde_json::Value =
        serde_json::from_slice(&hookscope(d, &["list", "--json"]).stdout).unwrap();
    let ids: Vec<i64> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_i64().unwrap())
        .collect();
    assert!(ids.len() == 2 && ids[0] > ids[1], "newest first: {ids:?}");
    let eps: serde_json::Value =
        serde_json::from_slice(&hookscope(d, &["endpoints", "list", "--json"]).stdout).unwrap();
    assert_eq!(eps[0]["slug"], "default");
    assert_eq!(eps[0]["events"], 2, "{eps}");

    let show: serde_json::Value =
        serde_json::from_slice(&hookscope(d, &["show", &ids[1].to_string(), "--json"]).stdout)
            .unwrap();
    for field in [
        "id",
        "endpoint",
        "received_at",
        "method",
        "path",
        "query",
        "headers",
        "body_base64",
        "body_size",
        "remote_addr",
        "provider",
        "event_type",
        "event_id",
        "signature",
        "duplicate_of",
    ] {
        assert!(show.get(field).is_some(), "missing {field}: {show}");
    }
    assert_eq!(show["endpoint"], "default");
    assert_eq!(
        (show["path"].as_str(), show["query"].as_str()),
        (Some("/hooks/a"), Some("x=1"))
    );
    use base64::Engine as _;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(show["body_base64"].as_str().unwrap())
        .unwrap();
    assert_eq!(decoded, body);
    assert_eq!(show["body_size"], body.len());
    assert!(
        show["headers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h[0] == "content-length")
    );
    assert!(show["received_at"].as_str().unwrap().ends_with('Z'));

    let exported = export(d);
    assert_eq!(
        exported
            .iter()
            .map(|e| e["id"].as_i64().unwrap())
            .collect::<Vec<_>>(),
        [ids[1], ids[0]],
        "oldest first"
    );
    assert_eq!(exported[0], show);

    let found = hookscope(d, &["list", "--search", "second"]);
    assert!(stdout(&found).contains("/hooks/b") && !stdout(&found).contains("/hooks/a"));
}

#[test]
fn an_endpoint_added_while_serving_takes_effect_within_a_second() {
    let dir = tempfile::tempdir().unwrap();
    let server = serve(dir.path());
    assert!(
        hookscope(dir.path(), &["endpoints", "add", "late", "--status", "201"])
            .status
            .success()
    );
    std::thread::sleep(Duration::from_millis(1000));
    assert_eq!(post(server.addr, "/late/x", b"{}"), Some(201));
}

#[test]
fn tail_follows_events_captured_by_another_process() {
    let dir = tempfile::tempdir().unwrap();
    let server = serve(dir.path());
    let mut tail = Command::new(BIN)
        .args(["tail", "--json", "--data"])
        .arg(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(400));
    assert_eq!(post(server.addr, "/tailed", b"hello tail"), Some(200));
    let mut line = String::new();
    BufReader::new(tail.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let _ = tail.kill();
    let _ = tail.wait();
    let ev: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(ev["path"], "/tailed");
}

#[cfg(unix)]
#[test]
fn sigterm_stops_serve_gracefully() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = serve(dir.path());
    assert_eq!(post(server.addr, "/x", b"1"), Some(200));
    let pid = server.child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let started = Instant::now();
    let status = loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            break status;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "serve did not stop on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "{status:?}");
}

/// Load `serve` from several threads, SIGKILL it mid-load, and check that every request that
/// was answered 2xx is on disk, byte for byte.
#[test]
fn every_acknowledged_request_survives_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = serve(dir.path());
    let stop = Arc::new(AtomicBool::new(false));
    let threads: Vec<_> = (0..4u8)
        .map(|t| {
            let (stop, addr) = (stop.clone(), server.addr);
            std::thread::spawn(move || {
                let mut acked = Vec::new();
                for n in 0u32.. {
                    if stop.load(Ordering::Relaxed) || n > 5000 {
                        break;
                    }
                    // Binary, unique per request: thread, counter, and bytes that are not UTF-8.
                    let mut body = vec![t, 0xff, 0x00, 0xfe];
                    body.extend_from_slice(&n.to_le_bytes());
                    body.extend(std::iter::repeat_n(b'x', (n % 300) as usize));
                    if post(addr, "/crash", &body).is_some_and(|s| (200..300).contains(&s)) {
                        acked.push(body);
                    }
                }
                acked
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(700));
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    stop.store(true, Ordering::Relaxed);
    let acked: Vec<Vec<u8>> = threads
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();
    assert!(
        acked.len() > 20,
        "the load should have got answers before the kill ({})",
        acked.len()
    );

    use base64::Engine as _;
    let stored: std::collections::HashSet<Vec<u8>> = export(dir.path())
        .iter()
        .map(|e| {
            base64::engine::general_purpose::STANDARD
                .decode(e["body_base64"].as_str().unwrap())
                .unwrap()
        })
        .collect();
    let missing = acked.iter().filter(|b| !stored.contains(*b)).count();
    assert_eq!(
        missing,
        0,
        "{missing} of {} acknowledged requests were lost",
        acked.len()
    );
}

/// POST with extra headers; returns the status.
fn post_with(addr: SocketAddr, path: &str, headers: &[String], body: &[u8]) -> Option<u16> {
    let mut s = TcpStream::connect(addr).ok()?;
    let mut head = format!(
        "POST {path} HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for h in headers {
        head += &format!("{h}\r\n");
    }
    head += "\r\n";
    s.write_all(head.as_bytes()).ok()?;
    s.write_all(body).ok()?;
    let mut answer = String::new();
    s.read_to_string(&mut answer).ok()?;
    answer.strip_prefix("HTTP/1.1 ")?.get(..3)?.parse().ok()
}

#[test]
fn a_signed_delivery_is_recognised_verified_and_its_redelivery_flagged() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    assert!(
        hookscope(
            d,
            &[
                "endpoints",
                "add",
                "stripe",
                "--secret",
                "whsec_cli_test_secret_0123"
            ]
        )
        .status
        .success()
    );
    let server = serve(d);
    let body = br#"{"id":"evt_3Pabc","object":"event","type":"payment_intent.succeeded","data":{"object":{"id":"pi_1"}}}"#;
    let body_file = d.join("body.json");
    std::fs::write(&body_file, body).unwrap();
    let signed = hookscope(
        d,
        &[
            "sign",
            "--provider",
            "stripe",
            "--secret",
            "whsec_cli_test_secret_0123",
            "--body-file",
            body_file.to_str().unwrap(),
        ],
    );
    assert!(signed.status.success(), "{signed:?}");
    let headers: Vec<String> = stdout(&signed).lines().map(str::to_string).collect();
    assert!(
        headers[0].starts_with("Stripe-Signature: t="),
        "{headers:?}"
    );
    assert_eq!(
        post_with(server.addr, "/stripe/webhook", &headers, body),
        Some(200)
    );
    assert_eq!(
        post_with(server.addr, "/stripe/webhook", &headers, body),
        Some(200)
    );
    let wrong = [format!("Stripe-Signature: t=1,v1={}", "0".repeat(64))];
    assert_eq!(
        post_with(
            server.addr,
            "/stripe/webhook",
            &wrong,
            b"{\"id\":\"evt_other\",\"type\":\"x\",\"object\":\"event\"}"
        ),
        Some(200)
    );

    let list: serde_json::Value =
        serde_json::from_slice(&hookscope(d, &["list", "--json"]).stdout).unwrap();
    let events = list.as_array().unwrap();
    let (third, second, first) = (&events[0], &events[1], &events[2]);
    assert_eq!(
        (
            first["provider"].as_str(),
            first["event_type"].as_str(),
            first["event_id"].as_str()
        ),
        (
            Some("stripe"),
            Some("payment_intent.succeeded"),
            Some("evt_3Pabc")
        )
    );
    assert_eq!(first["signature_status"], "valid");
    assert_eq!(first["duplicate_of"], serde_json::Value::Null);
    assert_eq!(second["duplicate_of"], first["id"]);
    assert_eq!(third["signature_status"], "invalid");

    let id = first["id"].to_string();
    let shown: serde_json::Value =
        serde_json::from_slice(&hookscope(d, &["show", &id, "--json"]).stdout).unwrap();
    assert_eq!(shown["signature"]["status"], "valid");
    assert_eq!(hookscope(d, &["verify", &id]).status.code(), Some(0));
    let wrong_secret = hookscope(d, &["verify", &id, "--secret", "whsec_not_the_one_000000"]);
    assert_eq!(wrong_secret.status.code(), Some(1));
    assert!(
        stdout(&wrong_secret).contains("invalid"),
        "{}",
        stdout(&wrong_secret)
    );
    let judged_now = hookscope(d, &["verify", &id, "--now", "--json"]);
    assert_eq!(
        judged_now.status.code(),
        Some(0),
        "a fresh signature is valid now too"
    );
}

//! Replay, cURL, HAR/NDJSON and auto-forward as users run them: `hookscope serve` capturing,
//! the CLI replaying to a receiver thread on 127.0.0.1 that records the bytes that reached it.

#![allow(clippy::unwrap_used)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

mod support;

use support::{hookscope, serve, stdout};

/// Send raw header lines and a body to the capture server; returns the status.
fn send(addr: SocketAddr, path: &str, headers: &[&str], body: &[u8]) -> u16 {
    let mut s = TcpStream::connect(addr).unwrap();
    let mut head = format!("POST {path} HTTP/1.1\r\nHost: {addr}\r\n");
    for h in headers {
        head.push_str(h);
        head.push_str("\r\n");
    }
    head.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    ));
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(body).unwrap();
    let mut answer = Vec::new();
    s.read_to_end(&mut answer).unwrap();
    String::from_utf8_lossy(&answer)[9..12].parse().unwrap()
}

fn last_id(data: &Path) -> i64 {
    let list: serde_json::Value =
        serde_json::from_slice(&hookscope(data, &["list", "--json", "--limit", "1"]).stdout)
            .unwrap();
    list[0]["id"].as_i64().unwrap()
}

#[derive(Debug)]
struct Received {
    request_line: String,
    headers: Vec<(String, Vec<u8>)>,
    body: Vec<u8>,
}

impl Received {
    fn header(&self, name: &str) -> Option<String> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
    }
}

fn read_request(stream: &mut TcpStream) -> Option<Received> {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte).ok()? == 0 {
            return None;
        }
        buf.push(byte[0]);
    }
    let head = &buf[..buf.len() - 4];
    let mut lines = head
        .split(|b| *b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l));
    let request_line = String::from_utf8_lossy(lines.next()?).into_owned();
    let headers: Vec<(String, Vec<u8>)> = lines
        .filter_map(|l| {
            let colon = l.iter().position(|b| *b == b':')?;
            let value = &l[colon + 1..];
            let value = value.strip_prefix(b" ").unwrap_or(value);
            Some((
                String::from_utf8_lossy(&l[..colon]).to_ascii_lowercase(),
                value.to_vec(),
            ))
        })
        .collect();
    let length: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| std::str::from_utf8(v).ok()?.trim().parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    stream.read_exact(&mut body).ok()?;
    Some(Received {
        request_line,
        headers,
        body,
    })
}

/// A receiver thread answering `status` (changeable) with body `handled`.
struct Receiver {
    addr: SocketAddr,
    status: Arc<AtomicU16>,
    rx: mpsc::Receiver<Received>,
}

impl Receiver {
    fn on(listener: TcpListener) -> Self {
        let addr = listener.local_addr().unwrap();
        let status = Arc::new(AtomicU16::new(200));
        let answer = status.clone();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { return };
                if let Some(req) = read_request(&mut stream) {
                    let head = format!(
                        "HTTP/1.1 {} X\r\ncontent-type: text/plain\r\ncontent-length: 7\r\nconnection: close\r\n\r\nhandled",
                        answer.load(Ordering::SeqCst)
                    );
                    let _ = stream.write_all(head.as_bytes());
                    if tx.send(req).is_err() {
                        return;
                    }
                }
            }
        });
        Self { addr, status, rx }
    }

    fn start() -> Self {
        Self::on(TcpListener::bind("127.0.0.1:0").unwrap())
    }

    fn next(&self) -> Received {
        self.rx.recv_timeout(Duration::from_secs(15)).unwrap()
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

/// A loopback port with nothing listening on it (yet).
fn free_port() -> SocketAddr {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap()
}

#[test]
fn replay_prints_the_answer_and_exits_zero_only_for_2xx() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    assert!(
        hookscope(d, &["endpoints", "add", "hooks"])
            .status
            .success()
    );
    let server = serve(d);
    let body = b"{\"id\":\"evt_1\",\"bin\":\"\xff\"}";
    assert_eq!(
        send(server.addr, "/hooks/x?a=1", &["X-Custom: yes"], body),
        200
    );
    let id = last_id(d).to_string();
    let recv = Receiver::start();

    let ok = hookscope(d, &["replay", &id, "--to", &recv.url("/app"), "--remember"]);
    assert_eq!(ok.status.code(), Some(0), "{ok:?}");
    assert!(stdout(&ok).contains(": 200 in"), "{}", stdout(&ok));
    assert!(stdout(&ok).contains("handled"));
    let got = recv.next();
    assert_eq!(got.request_line, "POST /app/x?a=1 HTTP/1.1");
    assert_eq!(got.body, body);
    assert_eq!(got.header("x-custom").as_deref(), Some("yes"));
    assert_eq!(got.header("host"), Some(recv.addr.to_string()));
    assert_eq!(got.header("connection"), None);

    let again = hookscope(d, &["replay", &id]);
    assert_eq!(again.status.code(), Some(0), "{again:?}");
    assert_eq!(
        recv.next().request_line,
        "POST /app/x?a=1 HTTP/1.1",
        "the target is remembered"
    );

    let edited = hookscope(
        d,
        &[
            "replay",
            &id,
            "--to",
            &recv.url(""),
            "--method",
            "PUT",
            "--path",
            "/other?b=2",
            "--edit-header",
            "X-Custom: edited",
            "--json",
        ],
    );
    assert_eq!(edited.status.code(), Some(0), "{edited:?}");
    let attempt: serde_json::Value = serde_json::from_slice(&edited.stdout).unwrap();
    assert_eq!(attempt["status"], 200);
    let got = recv.next();
    assert_eq!(got.request_line, "PUT /other?b=2 HTTP/1.1");
    assert_eq!(got.header("x-custom").as_deref(), Some("edited"));

    recv.status.store(500, Ordering::SeqCst);
    let failed = hookscope(d, &["replay", &id, "--to", &recv.url("/")]);
    assert_eq!(
        failed.status.code(),
        Some(1),
        "a 5xx answer fails: {failed:?}"
    );
    assert!(stdout(&failed).contains(": 500 in"));
    recv.next();

    let down = hookscope(
        d,
        &["replay", &id, "--to", &format!("http://{}/", free_port())],
    );
    assert_eq!(down.status.code(), Some(1));
    assert!(stdout(&down).contains("connection refused"), "{down:?}");

    let remote = hookscope(d, &["replay", &id, "--to", "http://example.com/"]);
    assert_eq!(remote.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&remote.stderr).contains("--allow-remote"));

    let listed = hookscope(d, &["replays", &id, "--json"]);
    let attempts: Vec<serde_json::Value> = stdout(&listed)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let statuses: Vec<&serde_json::Value> = attempts.iter().map(|a| &a["status"]).collect();
    assert_eq!(
        statuses,
        [
            &serde_json::json!(200),
            &serde_json::json!(200),
            &serde_json::json!(200),
            &serde_json::json!(500),
            &serde_json::Value::Null
        ],
        "every attempt is recorded, the refused remote one is not sent"
    );
}

#[test]
fn the_curl_command_reproduces_the_request_byte_exact() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let server = serve(d);
    let recv = Receiver::start();
    let bodies: [&[u8]; 3] = [
        b"\x00\x01binary\xff\xfe with 'quotes' and %s \\ \n",
        b"@not-a-file it's text",
        "{\"caf\u{e9}\":\"\u{2713}\"}\n".as_bytes(),
    ];
    for body in bodies {
        assert_eq!(
            send(
                server.addr,
                "/c/path%2Fx?q=1&r",
                &[
                    "X-Empty:",
                    "X-Quote: it's \"here\"",
                    "Content-Type: application/x-thing"
                ],
                body,
            ),
            200
        );
        let id = last_id(d).to_string();
        let out = hookscope(
            d,
            &["show", &id, "--format", "curl", "--to", &recv.url("/recv")],
        );
        assert!(out.status.success(), "{out:?}");
        let command = stdout(&out);
        let run = Command::new("bash")
            .arg("-c")
            .arg(&command)
            .output()
            .unwrap();
        assert!(run.status.success(), "{command}\n{run:?}");
        let got = recv.next();
        assert_eq!(
            got.request_line, "POST /recv/c/path%2Fx?q=1&r HTTP/1.1",
            "{command}"
        );
        assert_eq!(got.body, body, "{command}");
        let shown: serde_json::Value =
            serde_json::from_slice(&hookscope(d, &["show", &id, "--json"]).stdout).unwrap();
        let original: Vec<(String, String)> = shown["headers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| {
                (
                    h[0].as_str().unwrap().to_string(),
                    h[1].as_str().unwrap().to_string(),
                )
            })
            .filter(|(n, _)| !["host", "content-length", "connection"].contains(&n.as_str()))
            .collect();
        let received: Vec<(String, String)> = got
            .headers
            .iter()
            .map(|(n, v)| (n.clone(), String::from_utf8_lossy(v).into_owned()))
            .filter(|(n, _)| !["host", "content-length"].contains(&n.as_str()))
            .collect();
        assert_eq!(received, original, "no header added or lost: {command}");
    }
    let file = d.join("body.bin");
    let id = last_id(d).to_string();
    let out = hookscope(
        d,
        &[
            "show",
            &id,
            "--format",
            "curl",
            "--body-out",
            file.to_str().unwrap(),
        ],
    );
    assert!(stdout(&out).contains(&format!("--data-binary '@{}'", file.display())));
    assert_eq!(std::fs::read(&file).unwrap(), bodies[2]);
    assert!(stdout(&out).contains(&format!("'http://{}/c/path%2Fx?q=1&r'", server.addr)));
}

fn ndjson(data: &Path) -> Vec<serde_json::Value> {
    let out = hookscope(data, &["export", "--format", "ndjson"]);
    assert!(out.status.success(), "{out:?}");
    stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// An event's fields that survive a move to another data dir (ids are new there).
fn portable(mut ev: serde_json::Value) -> serde_json::Value {
    let map = ev.as_object_mut().unwrap();
    map.remove("id");
    map.remove("imported");
    ev
}

#[test]
fn har_and_ndjson_exports_import_into_a_fresh_data_dir() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    assert!(
        hookscope(
            d,
            &["endpoints", "add", "shop", "--secret", "s3cr3t-s3cr3t"]
        )
        .status
        .success()
    );
    let server = serve(d);
    send(
        server.addr,
        "/shop/orders?x=1",
        &["X-Shopify-Topic: orders/create", "X-Dup: 1", "X-Dup: 2"],
        b"{\"id\":1}",
    );
    send(server.addr, "/elsewhere", &[], b"\x00\xffbinary");
    drop(server);
    let original = ndjson(d);
    assert_eq!(original.len(), 2);

    for format in ["har", "ndjson"] {
        let file = d.join(format!("export.{format}"));
        let out = hookscope(
            d,
            &[
                "export",
                "--format",
                format,
                "--out",
                file.to_str().unwrap(),
            ],
        );
        assert!(out.status.success(), "{out:?}");
        if format == "har" {
            let har: serde_json::Value =
                serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
            assert_eq!(har["log"]["version"], "1.2");
            let entry = &har["log"]["entries"][0];
            assert_eq!(entry["request"]["method"], "POST");
            assert!(
                entry["request"]["url"]
                    .as_str()
                    .unwrap()
                    .ends_with("/shop/orders?x=1")
            );
            assert_eq!(
                har["log"]["entries"][1]["request"]["postData"]["_encoding"],
                "base64"
            );
        }
        let fresh = tempfile::tempdir().unwrap();
        let imported = hookscope(fresh.path(), &["import", file.to_str().unwrap()]);
        assert!(imported.status.success(), "{imported:?}");
        assert!(
            stdout(&imported).contains("Imported 2 events"),
            "{}",
            stdout(&imported)
        );
        assert!(stdout(&imported).contains("Created endpoints: shop"));
        let back = ndjson(fresh.path());
        assert!(
            back.iter().all(|e| e["imported"] == true),
            "{format}: marked imported"
        );
        assert_eq!(
            back.into_iter().map(portable).collect::<Vec<_>>(),
            original.iter().cloned().map(portable).collect::<Vec<_>>(),
            "{format}: every field round-trips, the original time included"
        );
    }

    let bad = d.join("bad.ndjson");
    let mut lines = stdout(&hookscope(d, &["export"]));
    lines.push_str("{\"id\": 3, \"not\": \"an event\"}\n");
    std::fs::write(&bad, lines).unwrap();
    let fresh = tempfile::tempdir().unwrap();
    let refused = hookscope(fresh.path(), &["import", bad.to_str().unwrap()]);
    assert_eq!(refused.status.code(), Some(1));
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(
        err.contains("nothing imported") && err.contains("line 3"),
        "{err}"
    );
    assert!(ndjson(fresh.path()).is_empty(), "nothing imported half-way");
}

#[test]
fn forward_delivers_in_order_and_catches_up_after_the_target_starts_late() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    assert!(
        hookscope(
            d,
            &["endpoints", "add", "live", "--secret", "whsec_test_secret"]
        )
        .status
        .success()
    );
    let target = free_port();
    let set = hookscope(
        d,
        &[
            "forward",
            "live",
            "--to",
            &format!("http://{target}/wh"),
            "--retry-initial-ms",
            "50",
            "--retry-max-ms",
            "200",
            "--timeout-ms",
            "2000",
        ],
    );
    assert!(set.status.success(), "{set:?}");
    assert!(stdout(&set).contains("forwarded to"), "{}", stdout(&set));
    // Captured while nothing forwards (no server running): part of the backlog.
    let trig = hookscope(
        d,
        &[
            "trigger",
            "stripe",
            "payment_intent.succeeded",
            "--endpoint",
            "live",
        ],
    );
    assert!(stdout(&trig).contains("(signed)"), "{trig:?}");

    let server = serve(d);
    for n in 0..3 {
        let started = Instant::now();
        assert_eq!(
            send(
                server.addr,
                &format!("/live/{n}"),
                &[],
                format!("event {n}").as_bytes()
            ),
            200
        );
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "capture is not held up by forwarding"
        );
    }
    let first = last_id(d) - 3;
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let tries = stdout(&hookscope(d, &["replays", &first.to_string()]));
        if tries
            .lines()
            .filter(|l| l.contains("connection refused"))
            .count()
            >= 2
        {
            break;
        }
        assert!(Instant::now() < deadline, "no retries recorded: {tries}");
        std::thread::sleep(Duration::from_millis(100));
    }

    let recv = Receiver::on(TcpListener::bind(target).unwrap());
    let triggered = recv.next();
    assert_eq!(triggered.request_line, "POST /wh HTTP/1.1");
    assert!(triggered.header("stripe-signature").is_some());
    let lines: Vec<String> = (0..3).map(|_| recv.next().request_line).collect();
    assert_eq!(
        lines,
        [
            "POST /wh/0 HTTP/1.1",
            "POST /wh/1 HTTP/1.1",
            "POST /wh/2 HTTP/1.1"
        ]
    );
    send(server.addr, "/live/later", &[], b"later");
    assert_eq!(recv.next().request_line, "POST /wh/later HTTP/1.1");
    assert!(
        recv.rx.recv_timeout(Duration::from_millis(500)).is_err(),
        "nothing twice"
    );

    let status = hookscope(d, &["forward", "live", "--timeout-ms", "1234", "--json"]);
    let status: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(status["backlog"], 0);
    assert_eq!(
        status["timeout_ms"], 1234,
        "settings change without repeating --to"
    );
    assert_eq!(status["target"], format!("http://{target}/wh"));
    assert!(hookscope(d, &["forward", "live", "--off"]).status.success());
    std::thread::sleep(Duration::from_millis(1500));
    send(server.addr, "/live/after-off", &[], b"x");
    assert!(
        recv.rx.recv_timeout(Duration::from_millis(1500)).is_err(),
        "off means off"
    );
}

#[test]
fn trigger_sends_a_signed_test_event_and_exit_code_follows_the_answer() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let recv = Receiver::start();
    let out = hookscope(
        d,
        &[
            "trigger",
            "github",
            "push",
            "--to",
            &recv.url("/gh"),
            "--secret",
            "It's a Secret to Everybody",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let got = recv.next();
    assert_eq!(got.request_line, "POST /gh HTTP/1.1");
    assert_eq!(got.header("x-github-event").as_deref(), Some("push"));
    assert!(
        got.header("x-hub-signature-256")
            .unwrap()
            .starts_with("sha256=")
    );
    recv.status.store(401, Ordering::SeqCst);
    let rejected = hookscope(
        d,
        &["trigger", "slack", "event_callback", "--to", &recv.url("/")],
    );
    assert_eq!(rejected.status.code(), Some(1));
    assert!(stdout(&rejected).contains("(unsigned)"));
    let list = hookscope(d, &["trigger", "--list"]);
    assert!(stdout(&list).contains("orders/create") && stdout(&list).contains("standard-webhooks"));
}

#[test]
fn bulk_replay_sends_an_endpoints_events_in_order_at_the_rate_asked() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    assert!(hookscope(d, &["endpoints", "add", "bulk"]).status.success());
    let server = serve(d);
    for n in 0..4 {
        send(server.addr, &format!("/bulk/{n}"), &[], b"x");
    }
    send(server.addr, "/not-this-one", &[], b"x");
    let recv = Receiver::start();
    let started = Instant::now();
    let out = hookscope(
        d,
        &[
            "replay",
            "--endpoint",
            "bulk",
            "--to",
            &recv.url(""),
            "--rate",
            "10",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "4 at 10/s take at least 0.3 s"
    );
    let lines: Vec<String> = (0..4).map(|_| recv.next().request_line).collect();
    assert_eq!(
        lines,
        [
            "POST /0 HTTP/1.1",
            "POST /1 HTTP/1.1",
            "POST /2 HTTP/1.1",
            "POST /3 HTTP/1.1"
        ]
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("4 sent, 4 answered 2xx, 0 failed"));
    assert!(recv.rx.recv_timeout(Duration::from_millis(200)).is_err());
    // A rate too small for a gap between two requests: refused in words, nothing sent.
    let tiny = hookscope(
        d,
        &[
            "replay",
            "--endpoint",
            "bulk",
            "--to",
            &recv.url(""),
            "--rate",
            "1e-300",
        ],
    );
    assert_eq!(tiny.status.code(), Some(1), "{tiny:?}");
    assert!(
        String::from_utf8_lossy(&tiny.stderr).contains("at least 0.001"),
        "{tiny:?}"
    );
    assert!(recv.rx.recv_timeout(Duration::from_millis(200)).is_err());
}

#[test]
fn routes_send_matching_events_to_their_own_target() {
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
                "whsec_test_secret"
            ]
        )
        .status
        .success()
    );
    let recv = Receiver::start();
    let add = hookscope(
        d,
        &[
            "routes",
            "stripe",
            "--event-type",
            "payment_intent.*",
            "--to",
            &recv.url("/billing"),
        ],
    );
    assert!(
        stdout(&add).contains("1. event type payment_intent.* → "),
        "{add:?}"
    );
    let remote = hookscope(
        d,
        &[
            "routes",
            "stripe",
            "--path-prefix",
            "/x",
            "--to",
            "http://example.com",
        ],
    );
    assert_eq!(remote.status.code(), Some(1));
    let agreed = hookscope(
        d,
        &[
            "routes",
            "stripe",
            "--path-prefix",
            "/x",
            "--to",
            "http://example.com",
            "--allow-remote",
        ],
    );
    let listed = stdout(&agreed);
    assert!(
        listed.contains("2. path prefix /x → http://example.com (remote allowed)")
            && !listed
                .lines()
                .next()
                .unwrap_or("")
                .contains("remote allowed"),
        "{agreed:?}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&stdout(&hookscope(d, &["routes", "stripe", "--json"]))).unwrap();
    assert_eq!(json[1]["allow_remote"], true);
    assert_eq!(json[0]["allow_remote"], false);
    assert!(
        hookscope(d, &["routes", "stripe", "--rm", "2"])
            .status
            .success()
    );
    assert!(
        hookscope(d, &["forward", "stripe", "--to", &recv.url("/webhooks")])
            .status
            .success()
    );
    let server = serve(d);
    let trig = hookscope(
        d,
        &[
            "trigger",
            "stripe",
            "payment_intent.succeeded",
            "--endpoint",
            "stripe",
        ],
    );
    assert!(trig.status.success(), "{trig:?}");
    let trig_id = last_id(d).to_string();
    send(server.addr, "/stripe/other", &[], b"{}");
    assert_eq!(recv.next().request_line, "POST /billing HTTP/1.1");
    assert_eq!(recv.next().request_line, "POST /webhooks/other HTTP/1.1");
    let replayed = hookscope(d, &["replay", &trig_id]);
    assert!(replayed.status.success(), "{replayed:?}");
    assert_eq!(
        recv.next().request_line,
        "POST /billing HTTP/1.1",
        "replays follow routes too"
    );
    assert!(
        hookscope(d, &["routes", "stripe", "--rm", "1"])
            .status
            .success()
    );
    assert!(stdout(&hookscope(d, &["routes", "stripe"])).contains("no routes"));
}

/// Post `body` to the capture server and return the whole answer as text.
fn exchange(addr: SocketAddr, path: &str, body: &[u8]) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(body).unwrap();
    let mut answer = Vec::new();
    s.read_to_end(&mut answer).unwrap();
    String::from_utf8_lossy(&answer).into_owned()
}

#[test]
fn forward_respond_target_relays_the_handlers_answer_and_rule_is_the_default() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    assert!(hookscope(d, &["endpoints", "add", "dev"]).status.success());
    let recv = Receiver::start();
    recv.status.store(202, Ordering::SeqCst);
    let set = hookscope(
        d,
        &[
            "forward",
            "dev",
            "--to",
            &recv.url("/wh"),
            "--respond",
            "target",
            "--respond-timeout",
            "3000",
        ],
    );
    assert!(set.status.success(), "{set:?}");
    let text = stdout(&set);
    assert!(
        text.contains("forwarded to")
            && text.contains("target's own answer")
            && text.contains("3000 ms"),
        "{text}"
    );
    let json: serde_json::Value =
        serde_json::from_slice(&hookscope(d, &["forward", "dev", "--json"]).stdout).unwrap();
    assert_eq!(json["respond"], "target");
    assert_eq!(json["respond_timeout_ms"], 3000);
    assert_eq!(
        json["timeout_ms"], 300_000,
        "other settings keep their defaults"
    );

    let server = serve(d);
    let answer = exchange(server.addr, "/dev/a", b"a");
    assert!(
        answer.starts_with("HTTP/1.1 202") && answer.ends_with("handled"),
        "{answer}"
    );
    assert_eq!(recv.next().request_line, "POST /wh/a HTTP/1.1");
    assert!(
        recv.rx.recv_timeout(Duration::from_millis(1500)).is_err(),
        "serve's forwarder does not send it again"
    );

    let zero = hookscope(d, &["forward", "dev", "--respond-timeout", "0"]);
    assert_eq!(zero.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&zero.stderr).contains("respond timeout"),
        "{zero:?}"
    );
    assert!(
        !hookscope(d, &["forward", "dev", "--respond", "both"])
            .status
            .success()
    );
    assert!(
        hookscope(d, &["forward", "dev", "--respond", "rule", "--off"])
            .status
            .code()
            != Some(0),
        "--off takes no settings"
    );

    let rule = hookscope(d, &["forward", "dev", "--respond", "rule"]);
    assert!(stdout(&rule).contains("response rule"), "{rule:?}");
    let shown = stdout(&hookscope(d, &["forward", "dev"]));
    assert!(
        shown.contains("response rule") && shown.contains(&recv.url("/wh")),
        "{shown}"
    );
    // The server picks the change up within a second.
    std::thread::sleep(Duration::from_millis(1000));
    let answer = exchange(server.addr, "/dev/b", b"b");
    assert!(
        answer.starts_with("HTTP/1.1 200") && answer.ends_with(r#"{"ok":true}"#),
        "{answer}"
    );
    assert_eq!(recv.next().request_line, "POST /wh/b HTTP/1.1");
}

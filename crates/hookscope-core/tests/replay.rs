//! The replay engine and auto-forward against a real receiver: a raw TCP listener on
//! 127.0.0.1:0 that records the bytes that reached it and answers as told.

#![allow(clippy::unwrap_used)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::sync::mpsc;
use std::time::Duration;

use hookscope_core::Engine;
use hookscope_core::forward;
use hookscope_core::hub::{ForwardState, HubEvent};
use hookscope_core::model::{EndpointPatch, Header, RawRequest};
use hookscope_core::providers::{self, Inbound, SignInput, SignatureStatus};
use hookscope_core::replay::{self, Edits, ReplayReq, Resign, SendOptions};
use hookscope_core::store::forwards::ForwardSettings;
use hookscope_core::store::routes::{self, Match};
use hookscope_core::store::{StoreOptions, endpoints};

/// What reached the receiver.
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
    fn as_headers(&self) -> Vec<Header> {
        self.headers
            .iter()
            .map(|(n, v)| Header::new(n.to_ascii_lowercase(), v.clone()))
            .collect()
    }
}

/// Read one HTTP/1.1 request (Content-Length bodies only).
fn read_request(stream: &mut std::net::TcpStream) -> Option<Received> {
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
            let value = l[colon + 1..].strip_prefix(b" ").unwrap_or(&l[colon + 1..]);
            Some((
                String::from_utf8_lossy(&l[..colon]).into_owned(),
                value.to_vec(),
            ))
        })
        .collect();
    let length: usize = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
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

/// A receiver on `listener`: records each request and answers `answer(n)` to the n-th.
fn receive_on(
    listener: TcpListener,
    answer: impl Fn(usize, &Received) -> Vec<u8> + Send + 'static,
) -> mpsc::Receiver<Received> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for (n, stream) in listener.incoming().enumerate() {
            let Ok(mut stream) = stream else { return };
            if let Some(req) = read_request(&mut stream) {
                let _ = stream.write_all(&answer(n, &req));
                if tx.send(req).is_err() {
                    return;
                }
            }
        }
    });
    rx
}

fn ok_answer(_: usize, _: &Received) -> Vec<u8> {
    b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 7\r\nconnection: close\r\n\r\nhandled"
        .to_vec()
}

fn receiver() -> (SocketAddr, mpsc::Receiver<Received>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    (addr, receive_on(listener, ok_answer))
}

fn next(rx: &mpsc::Receiver<Received>) -> Received {
    rx.recv_timeout(Duration::from_secs(10)).unwrap()
}

fn engine() -> (tempfile::TempDir, Engine) {
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(dir.path(), StoreOptions::default()).unwrap();
    (dir, engine)
}

fn add_endpoint(engine: &Engine, slug: &str, patch: EndpointPatch) {
    engine
        .store()
        .write(|tx| endpoints::insert(tx, slug, &patch))
        .unwrap();
    engine.refresh_endpoints().unwrap();
}

async fn capture(
    engine: &Engine,
    path: &str,
    query: &str,
    headers: Vec<Header>,
    body: &[u8],
) -> i64 {
    let raw = RawRequest {
        method: "POST".into(),
        path: path.into(),
        query: query.into(),
        http_version: "HTTP/1.1".into(),
        headers,
        body: body.to_vec(),
        remote_addr: Some("127.0.0.1:5000".into()),
        received_at_us: hookscope_core::store::now_us(),
        rejection: None,
    };
    let ep = engine.route(path).unwrap();
    engine.capture(&ep, raw).await.unwrap().id
}

fn to(addr: SocketAddr, path: &str) -> Option<String> {
    Some(format!("http://{addr}{path}"))
}

#[tokio::test]
async fn replay_is_exact_minus_hop_by_hop_and_records_the_answer() {
    let (_d, engine) = engine();
    add_endpoint(&engine, "stripe", EndpointPatch::default());
    let body: &[u8] = b"\x00\xffbinary\r\n\xc3\x28 body";
    let headers = vec![
        Header::new("host", "hooks.example:8787"),
        Header::new("content-type", "application/octet-stream"),
        Header::new("connection", "keep-alive, x-per-hop"),
        Header::new("keep-alive", "timeout=5"),
        Header::new("x-per-hop", "drop me"),
        Header::new("x-dup", "1"),
        Header::new("content-length", body.len().to_string()),
        Header::new("x-bytes", b"\xe9t\xe9".to_vec()),
        Header::new("x-dup", "2"),
    ];
    let id = capture(&engine, "/stripe/x/y", "a=1&b=%20", headers, body).await;
    let (addr, rx) = receiver();
    let attempt = replay::replay_send(
        engine.store(),
        &ReplayReq {
            event_id: id,
            target: to(addr, "/hooks"),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let got = next(&rx);
    assert_eq!(got.request_line, "POST /hooks/x/y?a=1&b=%20 HTTP/1.1");
    assert_eq!(got.body, body);
    assert_eq!(got.header("host").unwrap(), addr.to_string());
    assert_eq!(
        got.header("content-length").unwrap(),
        body.len().to_string()
    );
    for gone in ["connection", "keep-alive", "x-per-hop", "transfer-encoding"] {
        assert_eq!(got.header(gone), None, "{gone} must not be replayed");
    }
    let names: Vec<&str> = got.headers.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "host",
            "content-type",
            "x-dup",
            "x-dup",
            "content-length",
            "x-bytes"
        ],
        "nothing added, repeated headers kept in order"
    );
    let dups: Vec<&[u8]> = got
        .headers
        .iter()
        .filter(|(n, _)| n == "x-dup")
        .map(|(_, v)| v.as_slice())
        .collect();
    assert_eq!(dups, [b"1", b"2"]);
    let raw_bytes = got
        .headers
        .iter()
        .find(|(n, _)| n == "x-bytes")
        .unwrap()
        .1
        .clone();
    assert_eq!(raw_bytes, b"\xe9t\xe9", "header bytes are sent as captured");

    assert_eq!(attempt.status, Some(200));
    assert!(attempt.succeeded());
    assert_eq!(attempt.response_size, Some(7));
    let listed = replay::replay_list(engine.store(), id).unwrap();
    assert_eq!(listed, vec![attempt.clone()]);
    let sent = attempt.sent.unwrap();
    assert_eq!(sent.url, format!("http://{addr}/hooks/x/y?a=1&b=%20"));
    assert_eq!(sent.body_size, body.len() as u64);
}

#[tokio::test]
async fn default_endpoint_replays_the_whole_path_and_edits_apply() {
    let (_d, engine) = engine();
    let id = capture(
        &engine,
        "/unknown/path",
        "q=1",
        vec![Header::new("x-keep", "k"), Header::new("x-old", "o")],
        b"original",
    )
    .await;
    let (addr, rx) = receiver();
    // Remembered per endpoint: a replay without a target goes there.
    replay::replay_target_remember(engine.store(), "default", Some(&format!("http://{addr}")))
        .unwrap();
    assert_eq!(
        replay::replay_target_remembered(engine.store(), "default").unwrap(),
        Some(format!("http://{addr}"))
    );
    let req = ReplayReq {
        event_id: id,
        ..Default::default()
    };
    let preview = replay::replay_preview(engine.store(), &req).unwrap();
    let sent = replay::replay_send(engine.store(), &req).await.unwrap();
    assert_eq!(next(&rx).request_line, "POST /unknown/path?q=1 HTTP/1.1");
    assert_eq!(sent.sent.unwrap(), preview, "the preview is what is sent");

    let edited = ReplayReq {
        edits: Edits {
            method: Some("put".into()),
            path: Some("/edited?z=9".into()),
            headers: None,
            set_headers: vec![Header::new("X-Keep", "changed"), Header::new("x-new", "n")],
            remove_headers: vec!["x-old".into()],
            body: Some(b"new body".to_vec()),
        },
        ..req
    };
    let attempt = replay::replay_send(engine.store(), &edited).await.unwrap();
    let got = next(&rx);
    assert_eq!(got.request_line, "PUT /edited?z=9 HTTP/1.1");
    assert_eq!(got.body, b"new body");
    assert_eq!(got.header("content-length").as_deref(), Some("8"));
    assert_eq!(got.header("x-keep").as_deref(), Some("changed"));
    assert_eq!(got.header("x-new").as_deref(), Some("n"));
    assert_eq!(got.header("x-old"), None);
    assert!(attempt.sent.unwrap().edited);
    let bad = ReplayReq {
        event_id: id,
        edits: Edits {
            path: Some("/has space".into()),
            ..Default::default()
        },
        ..Default::default()
    };
    let err = replay::replay_send(engine.store(), &bad).await.unwrap_err();
    assert!(err.to_string().contains("not a valid path"), "{err}");
}

#[tokio::test]
async fn a_whole_header_table_replaces_the_captured_headers_keeping_repeats_and_order() {
    let (_d, engine) = engine();
    let id = capture(
        &engine,
        "/default/t",
        "",
        vec![Header::new("x-a", "1"), Header::new("x-a", "2")],
        b"body",
    )
    .await;
    let (addr, rx) = receiver();
    let table = vec![
        Header::new("x-b", "first"),
        Header::new("x-a", "one"),
        Header::new("x-a", "two"),
        Header::new("connection", "close"),
    ];
    let req = ReplayReq {
        event_id: id,
        target: to(addr, "/"),
        edits: Edits {
            headers: Some(table),
            ..Default::default()
        },
        ..Default::default()
    };
    let attempt = replay::replay_send(engine.store(), &req).await.unwrap();
    let got = next(&rx);
    let names: Vec<String> = got
        .headers
        .iter()
        .map(|(n, _)| n.to_ascii_lowercase())
        .collect();
    assert_eq!(names, ["host", "x-b", "x-a", "x-a", "content-length"]);
    let a: Vec<&[u8]> = got
        .headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("x-a"))
        .map(|(_, v)| v.as_slice())
        .collect();
    assert_eq!(a, [b"one".as_slice(), b"two".as_slice()]);
    let stored = replay::replay_get(engine.store(), attempt.id).unwrap();
    assert_eq!(stored.status, attempt.status);
    assert_eq!(stored.response_size, attempt.response_size);
    assert!(attempt.sent.unwrap().edited);
    assert_eq!(
        replay::replay_get(engine.store(), attempt.id + 1000)
            .unwrap_err()
            .code(),
        "not_found"
    );
    let bad = ReplayReq {
        edits: Edits {
            headers: Some(vec![Header::new("x-bad", "a\nb")]),
            ..Default::default()
        },
        ..req
    };
    let err = replay::replay_send(engine.store(), &bad).await.unwrap_err();
    assert_eq!(err.code(), "invalid", "{err}");
}

#[tokio::test]
async fn remote_targets_are_refused_and_failures_are_recorded_in_words() {
    let (_d, engine) = engine();
    let id = capture(&engine, "/x", "", vec![], b"{}").await;
    let remote = ReplayReq {
        event_id: id,
        target: Some("http://example.com/hooks".into()),
        ..Default::default()
    };
    let err = replay::replay_send(engine.store(), &remote)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("--allow-remote"), "{err}");
    assert!(replay::replay_list(engine.store(), id).unwrap().is_empty());

    let closed = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = closed.local_addr().unwrap();
    drop(closed);
    let refused = replay::replay_send(
        engine.store(),
        &ReplayReq {
            event_id: id,
            target: to(addr, "/"),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(refused.status, None);
    assert!(
        refused
            .error
            .as_deref()
            .unwrap()
            .contains("connection refused"),
        "{refused:?}"
    );

    // A target that accepts but never answers.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = silent.local_addr().unwrap();
    let timed_out = replay::replay_send(
        engine.store(),
        &ReplayReq {
            event_id: id,
            target: to(addr, "/"),
            options: SendOptions {
                timeout: Duration::from_millis(300),
                ..Default::default()
            },
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert!(
        timed_out
            .error
            .as_deref()
            .unwrap()
            .contains("timed out after 300 ms"),
        "{timed_out:?}"
    );
    drop(silent);

    // A plain-HTTP server called with https://: the TLS failure is recorded in words.
    let plain = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = plain.local_addr().unwrap();
    std::thread::spawn(move || {
        for mut stream in plain.incoming().flatten() {
            let _ = stream.write_all(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n");
        }
    });
    let tls = replay::replay_send(
        engine.store(),
        &ReplayReq {
            event_id: id,
            target: Some(format!("https://localhost:{}/", addr.port())),
            options: SendOptions {
                timeout: Duration::from_secs(5),
                ..Default::default()
            },
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert!(
        tls.error.as_deref().unwrap().contains("TLS with localhost"),
        "{tls:?}"
    );
    assert_eq!(replay::replay_list(engine.store(), id).unwrap().len(), 3);
}

#[tokio::test]
async fn redirects_are_followed_only_when_asked() {
    let (_d, engine) = engine();
    let id = capture(&engine, "/x", "", vec![], b"payload").await;
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let rx = receive_on(listener, |_, req| {
        if req.request_line.starts_with("POST /start") {
            b"HTTP/1.1 307 Temporary Redirect\r\nlocation: /moved\r\ncontent-length: 0\r\n\r\n"
                .to_vec()
        } else {
            ok_answer(0, req)
        }
    });
    let req = ReplayReq {
        event_id: id,
        target: to(addr, "/start"),
        ..Default::default()
    };
    let not_followed = replay::replay_send(engine.store(), &req).await.unwrap();
    assert_eq!(not_followed.status, Some(307));
    assert!(!not_followed.succeeded());
    next(&rx);
    let followed = ReplayReq {
        options: SendOptions {
            follow_redirects: true,
            ..Default::default()
        },
        ..req
    };
    let attempt = replay::replay_send(engine.store(), &followed)
        .await
        .unwrap();
    assert_eq!(attempt.status, Some(200));
    next(&rx);
    let moved = next(&rx);
    assert_eq!(moved.request_line, "POST /moved HTTP/1.1");
    assert_eq!(moved.body, b"payload");
}

/// Capture `body` signed by `provider` an hour ago, replay it as is and re-signed, and verify
/// both deliveries with the provider module.
async fn resign_case(provider_id: &str, secret: &str) {
    let (_d, engine) = engine();
    add_endpoint(
        &engine,
        "hooks",
        EndpointPatch {
            secrets: Some(vec![secret.into()]),
            provider: Some(Some(provider_id.into())),
            ..Default::default()
        },
    );
    let provider = providers::by_id(provider_id).unwrap();
    let body = br#"{"id":"evt_1","type":"payment_intent.succeeded"}"#;
    let an_hour_ago = time::OffsetDateTime::now_utc().unix_timestamp() - 3600;
    let mut headers = vec![Header::new("content-type", "application/json")];
    let signed = provider
        .sign(&SignInput {
            secret,
            body,
            timestamp: an_hour_ago,
            url: "http://127.0.0.1:8787/hooks",
            method: "POST",
            headers: &[],
        })
        .unwrap();
    headers.extend(
        signed
            .into_iter()
            .map(|(n, v)| Header::new(n.to_ascii_lowercase(), v)),
    );
    let id = capture(&engine, "/hooks", "", headers, body).await;

    let (addr, rx) = receiver();
    let verify = |got: &Received| {
        let headers = got.as_headers();
        let inbound = Inbound {
            method: "POST",
            url: &format!("http://{addr}/"),
            headers: &headers,
            body: &got.body,
            now: time::OffsetDateTime::now_utc().unix_timestamp(),
            json: None,
        };
        provider.verify(&inbound, &[secret.to_string()]).status
    };
    let plain = ReplayReq {
        event_id: id,
        target: to(addr, "/"),
        ..Default::default()
    };
    replay::replay_send(engine.store(), &plain).await.unwrap();
    assert_eq!(
        verify(&next(&rx)),
        SignatureStatus::Stale,
        "{provider_id}: the old timestamp is stale"
    );
    let resigned = ReplayReq {
        resign: Some(Resign::default()),
        ..plain
    };
    let attempt = replay::replay_send(engine.store(), &resigned)
        .await
        .unwrap();
    let got = next(&rx);
    assert_eq!(
        verify(&got),
        SignatureStatus::Valid,
        "{provider_id}: re-signed is accepted"
    );
    assert_eq!(got.body, body);
    assert_eq!(attempt.sent.unwrap().resigned.as_deref(), Some(provider_id));
}

#[tokio::test]
async fn resigned_stripe_replay_verifies_and_the_old_one_is_stale() {
    resign_case("stripe", "whsec_test_secret_for_replay").await;
}

#[tokio::test]
async fn resigned_standard_webhooks_replay_verifies_and_the_old_one_is_stale() {
    resign_case(
        "standard-webhooks",
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
    )
    .await;
}

#[tokio::test]
async fn resigned_slack_replay_verifies_and_the_old_one_is_stale() {
    resign_case("slack", "8f742231b10e8888abcd99yyyzzz85a5").await;
}

#[tokio::test]
async fn resign_without_a_secret_is_a_clear_error() {
    let (_d, engine) = engine();
    add_endpoint(
        &engine,
        "gh",
        EndpointPatch {
            provider: Some(Some("github".into())),
            ..Default::default()
        },
    );
    let id = capture(&engine, "/gh", "", vec![], b"{}").await;
    let err = replay::replay_send(
        engine.store(),
        &ReplayReq {
            event_id: id,
            resign: Some(Resign::default()),
            ..Default::default()
        },
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("no secret"), "{err}");
    let plan = replay::resign_plan(engine.store(), id).unwrap();
    assert_eq!(plan.provider.as_deref(), Some("github"));
    assert_eq!(plan.secret_masked, None);
    assert!(plan.unavailable.unwrap().contains("no secret"));

    endpoints_set_secret(&engine, "gh", "It's a Secret to Everybody");
    let plan = replay::resign_plan(engine.store(), id).unwrap();
    assert_eq!(plan.secret_masked.as_deref(), Some("…body"));
    assert_eq!(plan.unavailable, None);
}

fn endpoints_set_secret(engine: &Engine, slug: &str, secret: &str) {
    engine
        .store()
        .write(|tx| {
            endpoints::update(
                tx,
                slug,
                &EndpointPatch {
                    secrets: Some(vec![secret.into()]),
                    ..Default::default()
                },
            )
        })
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forward_retries_a_down_target_then_delivers_the_backlog_in_order() {
    let (_d, engine) = engine();
    add_endpoint(&engine, "live", EndpointPatch::default());
    let reserved = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = reserved.local_addr().unwrap();
    drop(reserved);
    let settings = ForwardSettings {
        retry_initial_ms: 50,
        retry_max_ms: 200,
        timeout_ms: 2000,
        ..Default::default()
    };
    // Captured before forwarding was on: not forwarded.
    capture(&engine, "/live/before", "", vec![], b"before").await;
    forward::forward_set(
        engine.store(),
        "live",
        &format!("http://{addr}/wh"),
        &settings,
    )
    .unwrap();
    let forwarder = forward::start(&engine);
    let mut ids = Vec::new();
    for n in 0..3 {
        let started = std::time::Instant::now();
        ids.push(
            capture(
                &engine,
                &format!("/live/{n}"),
                "",
                vec![],
                format!("event {n}").as_bytes(),
            )
            .await,
        );
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "capture does not wait for forwarding"
        );
    }
    // The target is down: the first event is retried and every try recorded.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while replay::replay_list(engine.store(), ids[0]).unwrap().len() < 3 {
        assert!(std::time::Instant::now() < deadline, "no retries recorded");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let tries = replay::replay_list(engine.store(), ids[0]).unwrap();
    assert!(
        tries
            .iter()
            .all(|t| t.kind == "forward"
                && t.error.as_deref().is_some_and(|e| e.contains("refused")))
    );
    assert_eq!(
        tries.iter().map(|t| t.attempt).take(3).collect::<Vec<_>>(),
        [1, 2, 3]
    );
    let status = forward::forward_status(engine.store(), "live", 5).unwrap();
    assert_eq!(status.backlog, 3);

    // The target comes up: the backlog arrives in order, then new events follow.
    let rx = receive_on(TcpListener::bind(addr).unwrap(), ok_answer);
    let paths: Vec<String> = (0..3).map(|_| next(&rx).request_line).collect();
    assert_eq!(
        paths,
        [
            "POST /wh/0 HTTP/1.1",
            "POST /wh/1 HTTP/1.1",
            "POST /wh/2 HTTP/1.1"
        ]
    );
    capture(&engine, "/live/3", "", vec![], b"event 3").await;
    assert_eq!(next(&rx).request_line, "POST /wh/3 HTTP/1.1");
    assert!(
        rx.recv_timeout(Duration::from_millis(300)).is_err(),
        "nothing delivered twice"
    );
    forwarder.stop().await;
    let status = forward::forward_status(engine.store(), "live", 5).unwrap();
    assert_eq!(status.backlog, 0);
    assert_eq!(
        status.target.as_deref(),
        Some(format!("http://{addr}/wh").as_str())
    );
    forward::forward_clear(engine.store(), "live").unwrap();
    assert_eq!(
        forward::forward_status(engine.store(), "live", 5)
            .unwrap()
            .target,
        None
    );
}

#[tokio::test]
async fn an_edited_github_body_verifies_only_when_re_signed() {
    let (_d, engine) = engine();
    let secret = "It's a Secret to Everybody";
    add_endpoint(
        &engine,
        "gh",
        EndpointPatch {
            secrets: Some(vec![secret.into()]),
            ..Default::default()
        },
    );
    let provider = providers::by_id("github").unwrap();
    let body = br#"{"ref":"refs/heads/main"}"#;
    let mut headers = vec![
        Header::new("x-github-event", "push"),
        Header::new("user-agent", "GitHub-Hookshot/abc"),
    ];
    let signed = provider
        .sign(&SignInput {
            secret,
            body,
            timestamp: 0,
            url: "",
            method: "POST",
            headers: &[],
        })
        .unwrap();
    headers.extend(
        signed
            .into_iter()
            .map(|(n, v)| Header::new(n.to_ascii_lowercase(), v)),
    );
    let id = capture(&engine, "/gh", "", headers, body).await;
    let (addr, rx) = receiver();
    let verify = |got: &Received| {
        let headers = got.as_headers();
        let inbound = Inbound {
            method: "POST",
            url: "",
            headers: &headers,
            body: &got.body,
            now: 0,
            json: None,
        };
        provider.verify(&inbound, &[secret.to_string()]).status
    };
    let edited = ReplayReq {
        event_id: id,
        target: to(addr, "/"),
        edits: Edits {
            body: Some(br#"{"ref":"refs/heads/edited"}"#.to_vec()),
            ..Default::default()
        },
        ..Default::default()
    };
    replay::replay_send(engine.store(), &edited).await.unwrap();
    assert_eq!(verify(&next(&rx)), SignatureStatus::Invalid);
    let resigned = ReplayReq {
        resign: Some(Resign::default()),
        ..edited
    };
    replay::replay_send(engine.store(), &resigned)
        .await
        .unwrap();
    let got = next(&rx);
    assert_eq!(
        verify(&got),
        SignatureStatus::Valid,
        "detected as github and re-signed"
    );
    assert_eq!(
        got.headers
            .iter()
            .filter(|(n, _)| n == "x-hub-signature-256")
            .count(),
        1,
        "the old signature header is replaced, not kept beside the new one"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stopping_the_forwarder_does_not_wait_for_a_handler_at_a_breakpoint() {
    let (_d, engine) = engine();
    add_endpoint(&engine, "bp", EndpointPatch::default());
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = silent.local_addr().unwrap();
    let settings = ForwardSettings {
        timeout_ms: 600_000,
        ..Default::default()
    };
    forward::forward_set(engine.store(), "bp", &format!("http://{addr}/"), &settings).unwrap();
    let forwarder = forward::start(&engine);
    let id = capture(&engine, "/bp", "", vec![], b"x").await;
    let accepted = tokio::task::spawn_blocking(move || silent.accept().map(|(s, _)| (s, silent)));
    let _held = accepted.await.unwrap().unwrap();
    let started = std::time::Instant::now();
    forwarder.stop().await;
    assert!(started.elapsed() < Duration::from_secs(2), "stop is prompt");
    let status = forward::forward_status(engine.store(), "bp", 5).unwrap();
    assert_eq!(status.backlog, 1, "the abandoned try is retried next time");
    assert!(replay::replay_list(engine.store(), id).unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_forwarders_on_one_data_dir_deliver_once_and_the_second_takes_over() {
    let (dir, engine) = engine();
    add_endpoint(&engine, "once", EndpointPatch::default());
    let other = Engine::open(dir.path(), StoreOptions::default()).unwrap();
    let (addr, rx) = receiver();
    let settings = ForwardSettings {
        retry_initial_ms: 50,
        ..Default::default()
    };
    forward::forward_set(
        engine.store(),
        "once",
        &format!("http://{addr}/"),
        &settings,
    )
    .unwrap();
    let first = forward::start(&engine);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let second = forward::start(&other);
    capture(&engine, "/once/a", "", vec![], b"a").await;
    assert_eq!(next(&rx).request_line, "POST /a HTTP/1.1");
    assert!(
        rx.recv_timeout(Duration::from_millis(1500)).is_err(),
        "delivered once"
    );
    first.stop().await;
    capture(&engine, "/once/b", "", vec![], b"b").await;
    assert_eq!(
        next(&rx).request_line,
        "POST /b HTTP/1.1",
        "the waiting forwarder took over"
    );
    assert!(rx.recv_timeout(Duration::from_millis(500)).is_err());
    second.stop().await;
    other.shutdown();
}

/// The next forward outcome on the hub, skipping other announcements.
async fn next_forwarded(
    hub: &mut tokio::sync::broadcast::Receiver<HubEvent>,
) -> hookscope_core::hub::ForwardOutcome {
    loop {
        let message = tokio::time::timeout(Duration::from_secs(10), hub.recv())
            .await
            .expect("a forward outcome within 10 s")
            .unwrap();
        if let HubEvent::Forwarded(outcome) = message {
            return *outcome;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_forward_try_is_announced_with_what_happens_next() {
    let (_d, engine) = engine();
    add_endpoint(&engine, "hub", EndpointPatch::default());
    let reserved = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = reserved.local_addr().unwrap();
    drop(reserved);
    let settings = ForwardSettings {
        retry_initial_ms: 100,
        retry_max_ms: 100,
        ..Default::default()
    };
    let url = format!("http://{addr}/");
    forward::forward_set(engine.store(), "hub", &url, &settings).unwrap();
    let mut hub = engine.hub().subscribe();
    let forwarder = forward::start(&engine);
    let id = capture(&engine, "/hub", "", vec![], b"x").await;

    // Down: each refused try is announced as Retrying, with its own row in `replays`.
    for attempt in 1..=2 {
        let o = next_forwarded(&mut hub).await;
        assert_eq!(
            (o.endpoint.as_str(), o.event_id, o.attempt, o.state),
            ("hub", id, attempt, ForwardState::Retrying)
        );
        assert_eq!(o.status, None);
        assert!(o.failed());
        assert!(o.error.as_deref().is_some_and(|e| e.contains("refused")));
    }
    // Up: the next try is Delivered.
    let rx = receive_on(TcpListener::bind(addr).unwrap(), ok_answer);
    let delivered = loop {
        let o = next_forwarded(&mut hub).await;
        if o.state != ForwardState::Retrying {
            break o;
        }
    };
    // Heard only once the position moved: a status read now sees no backlog.
    assert_eq!(
        forward::forward_status(engine.store(), "hub", 1)
            .unwrap()
            .backlog,
        0
    );
    next(&rx);
    assert_eq!(delivered.state, ForwardState::Delivered);
    assert_eq!(delivered.status, Some(200));
    assert!(!delivered.failed());
    assert_eq!(delivered.target, url);
    let tries = replay::replay_list(engine.store(), id).unwrap();
    let last = tries.last().unwrap();
    assert_eq!(
        (last.id, last.attempt),
        (delivered.replay_id, delivered.attempt)
    );
    assert!(tries.len() >= 3);
    forwarder.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_target_answering_5xx_is_given_up_on_after_max_attempts() {
    let (_d, engine) = engine();
    add_endpoint(&engine, "err", EndpointPatch::default());
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let _rx = receive_on(listener, |_, _| {
        b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
            .to_vec()
    });
    let settings = ForwardSettings {
        retry_initial_ms: 20,
        retry_max_ms: 20,
        max_attempts: 2,
        ..Default::default()
    };
    forward::forward_set(engine.store(), "err", &format!("http://{addr}/"), &settings).unwrap();
    let mut hub = engine.hub().subscribe();
    let forwarder = forward::start(&engine);
    let id = capture(&engine, "/err", "", vec![], b"x").await;
    let first = next_forwarded(&mut hub).await;
    let second = next_forwarded(&mut hub).await;
    assert_eq!(
        [
            (first.attempt, first.status, first.state),
            (second.attempt, second.status, second.state)
        ],
        [
            (1, Some(503), ForwardState::Retrying),
            (2, Some(503), ForwardState::GaveUp)
        ]
    );
    assert!(second.failed());
    let ids: Vec<i64> = replay::replay_list(engine.store(), id)
        .unwrap()
        .iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(ids, [first.replay_id, second.replay_id]);
    forwarder.stop().await;
    assert_eq!(
        forward::forward_status(engine.store(), "err", 1)
            .unwrap()
            .backlog,
        0,
        "given up on: the position moved past it"
    );
}

/// An address of this machine that Hookscope does not count as loopback: its address on the
/// network when it has one, else `0.0.0.0` (which Linux connects to this machine). A receiver on
/// `0.0.0.0` answers on either.
fn not_loopback_host() -> std::net::IpAddr {
    let probe = std::net::UdpSocket::bind("0.0.0.0:0")
        .and_then(|s| s.connect("192.0.2.1:9").map(|()| s))
        .and_then(|s| s.local_addr());
    match probe {
        Ok(a) if !a.ip().is_loopback() && !a.ip().is_unspecified() => a.ip(),
        _ => std::net::Ipv4Addr::UNSPECIFIED.into(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_remote_route_agreed_to_is_delivered_though_the_forward_target_is_local() {
    let (_d, engine) = engine();
    add_endpoint(&engine, "shop", EndpointPatch::default());
    let (local, local_rx) = receiver();
    let far = TcpListener::bind("0.0.0.0:0").unwrap();
    let far_url = format!(
        "http://{}:{}/far",
        not_loopback_host(),
        far.local_addr().unwrap().port()
    );
    let far_rx = receive_on(far, ok_answer);
    let settings = ForwardSettings {
        timeout_ms: 2000,
        max_attempts: 1,
        ..Default::default()
    };
    assert!(!settings.allow_remote, "the endpoint's own target is local");
    forward::forward_set(
        engine.store(),
        "shop",
        &format!("http://{local}/near"),
        &settings,
    )
    .unwrap();
    let route = engine
        .store()
        .write(|tx| routes::add(tx, "shop", Match::PathPrefix, "/orders", &far_url, true))
        .unwrap();
    assert!(route.allow_remote, "the consent is kept with the route");
    let forwarder = forward::start(&engine);
    let routed = capture(&engine, "/shop/orders/1", "", vec![], b"order").await;
    let got = far_rx.recv_timeout(Duration::from_secs(10));
    assert!(
        got.is_ok(),
        "{:?}",
        replay::replay_list(engine.store(), routed).unwrap()
    );
    assert_eq!(got.unwrap().request_line, "POST /far/orders/1 HTTP/1.1");
    capture(&engine, "/shop/other", "", vec![], b"other").await;
    assert_eq!(next(&local_rx).request_line, "POST /near/other HTTP/1.1");
    forwarder.stop().await;
    let tries = replay::replay_list(engine.store(), routed).unwrap();
    assert_eq!(
        (tries.len(), tries[0].status, tries[0].error.as_deref()),
        (1, Some(200), None),
        "{tries:?}"
    );
}

//! Auto-forward with `respond = target` on real sockets: the provider (reqwest) calls the capture
//! server, which stores the request, forwards it to a receiver thread and relays its answer.

#![allow(clippy::unwrap_used)]

mod support;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use hookscope_core::Engine;
use hookscope_core::forward;
use hookscope_core::hub::{ForwardState, HubEvent};
use hookscope_core::model::EndpointPatch;
use hookscope_core::replay;
use hookscope_core::store::forwards::{ForwardSettings, Respond};
use hookscope_core::store::routes::{self, Match};
use hookscope_core::store::{StoreOptions, endpoints, events};
use support::Server;

async fn start() -> Server {
    support::start(StoreOptions::default()).await
}

/// Forward `slug` to `url`, answering the provider as `respond` says.
fn forward_to(engine: &Engine, slug: &str, url: &str, respond: Respond, timeout_ms: u64) {
    if engine.store().read(|c| endpoints::get(c, slug)).is_err() {
        engine
            .store()
            .write(|tx| endpoints::insert(tx, slug, &EndpointPatch::default()))
            .unwrap();
    }
    let settings = ForwardSettings {
        retry_initial_ms: 50,
        retry_max_ms: 100,
        respond,
        respond_timeout_ms: timeout_ms,
        ..Default::default()
    };
    forward::forward_set(engine.store(), slug, url, &settings).unwrap();
    engine.refresh_endpoints().unwrap();
}

/// What reached the receiver: the request line and the body.
#[derive(Debug)]
struct Received {
    request_line: String,
    body: Vec<u8>,
}

fn read_request(stream: &mut TcpStream) -> Option<Received> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte).ok()? == 0 {
            return None;
        }
        head.push(byte[0]);
    }
    let text = String::from_utf8_lossy(&head).into_owned();
    let length: usize = text
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().ok())?
        })
        .unwrap_or(0);
    let mut body = vec![0; length];
    stream.read_exact(&mut body).ok()?;
    Some(Received {
        request_line: text.lines().next()?.to_string(),
        body,
    })
}

/// A receiver on `listener` answering every request with `answer`.
fn receive_on(listener: TcpListener, answer: &'static [u8]) -> mpsc::Receiver<Received> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            if let Some(req) = read_request(&mut stream) {
                let _ = stream.write_all(answer);
                if tx.send(req).is_err() {
                    return;
                }
            }
        }
    });
    rx
}

const OK: &[u8] = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok";

/// A port nothing listens on (for now).
fn free_port() -> SocketAddr {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
}

fn newest_id(engine: &Engine) -> i64 {
    engine.store().read(events::max_id).unwrap()
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

/// The next forward outcome on the hub.
async fn next_forwarded(
    hub: &mut tokio::sync::broadcast::Receiver<HubEvent>,
) -> hookscope_core::hub::ForwardOutcome {
    loop {
        match tokio::time::timeout(Duration::from_secs(10), hub.recv())
            .await
            .unwrap()
            .unwrap()
        {
            HubEvent::Forwarded(o) => return *o,
            _ => continue,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_provider_gets_the_targets_status_headers_and_body() {
    let server = start().await;
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let target = listener.local_addr().unwrap();
    // Chunked, with hop-by-hop headers and one named in Connection: none of those are relayed.
    let rx = receive_on(
        listener,
        b"HTTP/1.1 201 Created\r\nx-handled-by: billing\r\nconnection: close, x-private\r\n\
          x-private: 1\r\nkeep-alive: timeout=5\r\ntransfer-encoding: chunked\r\n\r\n\
          5\r\nbill \r\n4\r\npaid\r\n0\r\n\r\n",
    );
    forward_to(
        &server.engine,
        "pay",
        &format!("http://{target}/hooks"),
        Respond::Target,
        5000,
    );
    let forwarder = forward::start(&server.engine);
    let mut hub = server.engine.hub().subscribe();
    let res = client()
        .post(format!("http://{}/pay/invoice?x=1", server.addr))
        .header("content-type", "application/json")
        .body(r#"{"type":"invoice.paid"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let headers = res.headers().clone();
    assert_eq!(headers["x-handled-by"], "billing");
    assert_eq!(headers["content-length"], "9");
    for hop in ["x-private", "keep-alive", "transfer-encoding"] {
        assert!(headers.get(hop).is_none(), "{hop} is not relayed");
    }
    assert_eq!(res.text().await.unwrap(), "bill paid");

    let got = rx.recv_timeout(Duration::from_secs(5)).unwrap();
    assert_eq!(got.request_line, "POST /hooks/invoice?x=1 HTTP/1.1");
    assert_eq!(got.body, br#"{"type":"invoice.paid"}"#);
    let id = newest_id(&server.engine);
    let event = server.engine.store().read(|c| events::get(c, id)).unwrap();
    assert_eq!(event.summary.response_status, 201, "the status answered");
    let tries = replay::replay_list(server.engine.store(), id).unwrap();
    assert_eq!(tries.len(), 1);
    assert_eq!(
        (tries[0].kind.as_str(), tries[0].attempt, tries[0].status),
        ("forward", 1, Some(201))
    );
    let o = next_forwarded(&mut hub).await;
    assert_eq!(
        (o.event_id, o.replay_id, o.state, o.status),
        (id, tries[0].id, ForwardState::Delivered, Some(201))
    );

    // The background forwarder does not send it again.
    assert!(
        rx.recv_timeout(Duration::from_millis(1500)).is_err(),
        "delivered once"
    );
    let status = forward::forward_status(server.engine.store(), "pay", 5).unwrap();
    assert_eq!(status.backlog, 0);
    assert_eq!(status.respond, Some(Respond::Target));
    assert_eq!(status.respond_timeout_ms, Some(5000));
    forwarder.stop().await;
}

/// An address of this machine that Hookscope does not count as loopback: its address on the
/// network when it has one, else `0.0.0.0` (which Linux connects to this machine).
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
async fn routes_choose_the_target_that_answers() {
    let server = start().await;
    // One receiver for both routes, reachable on loopback and on a remote-looking address.
    let (fallback, routed) = (free_port(), TcpListener::bind("0.0.0.0:0").unwrap());
    let port = routed.local_addr().unwrap().port();
    let rx = receive_on(
        routed,
        b"HTTP/1.1 202 Accepted\r\ncontent-length: 6\r\n\r\nrouted",
    );
    forward_to(
        &server.engine,
        "r",
        &format!("http://{fallback}/"),
        Respond::Target,
        5000,
    );
    let far = format!("http://{}:{port}/far", not_loopback_host());
    server
        .engine
        .store()
        .write(|tx| {
            routes::add(
                tx,
                "r",
                Match::PathPrefix,
                "/billing",
                &format!("http://127.0.0.1:{port}/b"),
                false,
            )?;
            // The endpoint's forward target is local; this route's consent is its own.
            routes::add(tx, "r", Match::PathPrefix, "/orders", &far, true)
        })
        .unwrap();
    for (path, sent) in [
        ("billing/x", "POST /b/billing/x HTTP/1.1"),
        ("orders/7", "POST /far/orders/7 HTTP/1.1"),
    ] {
        let res = client()
            .post(format!("http://{}/r/{path}", server.addr))
            .body("x")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 202, "{path}");
        assert_eq!(res.text().await.unwrap(), "routed");
        assert_eq!(
            rx.recv_timeout(Duration::from_secs(5))
                .unwrap()
                .request_line,
            sent
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_target_that_is_down_is_502_and_nothing_is_sent_twice_or_skipped() {
    let server = start().await;
    let target = free_port();
    let url = format!("http://{target}/wh");
    // Rule mode first, target down: the provider gets the rule at once, the event waits.
    forward_to(&server.engine, "dev", &url, Respond::Rule, 5000);
    let forwarder = forward::start(&server.engine);
    let post = |path: &'static str| {
        client()
            .post(format!("http://{}/dev/{path}", server.addr))
            .body(path)
            .send()
    };
    let res = post("by-rule").await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.text().await.unwrap(), r#"{"ok":true}"#);
    let by_rule = newest_id(&server.engine);

    // Target mode, still down: 502 with the reason; stored, the one try recorded.
    forward_to(&server.engine, "dev", &url, Respond::Target, 5000);
    let res = post("by-target").await.unwrap();
    assert_eq!(res.status(), 502);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let by_target = newest_id(&server.engine);
    let text = res.text().await.unwrap();
    assert!(
        text.contains("connection refused") && text.contains(&format!("#{by_target}")),
        "{text}"
    );
    let event = server
        .engine
        .store()
        .read(|c| events::get(c, by_target))
        .unwrap();
    assert_eq!(event.body, b"by-target", "the event stays captured");
    assert_eq!(event.summary.response_status, 502);
    let tries = replay::replay_list(server.engine.store(), by_target).unwrap();
    assert_eq!(tries.len(), 1);
    assert!(
        tries[0]
            .error
            .as_deref()
            .is_some_and(|e| e.contains("refused"))
    );

    // Up: the rule-mode event comes from the backlog, the one answered inline does not.
    let rx = receive_on(TcpListener::bind(target).unwrap(), OK);
    let got = rx.recv_timeout(Duration::from_secs(10)).unwrap();
    assert_eq!(got.request_line, "POST /wh/by-rule HTTP/1.1");
    let res = post("later").await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.text().await.unwrap(), "ok");
    assert_eq!(
        rx.recv_timeout(Duration::from_secs(5))
            .unwrap()
            .request_line,
        "POST /wh/later HTTP/1.1"
    );
    assert!(
        rx.recv_timeout(Duration::from_millis(1500)).is_err(),
        "nothing twice"
    );
    assert_eq!(
        replay::replay_list(server.engine.store(), by_target)
            .unwrap()
            .len(),
        1,
        "the inline try is not repeated"
    );
    assert!(
        replay::replay_list(server.engine.store(), by_rule)
            .unwrap()
            .last()
            .is_some_and(|t| t.status == Some(200))
    );
    let status = forward::forward_status(server.engine.store(), "dev", 5).unwrap();
    assert_eq!(status.backlog, 0);
    forwarder.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_target_is_504_after_the_respond_timeout() {
    let server = start().await;
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let target = silent.local_addr().unwrap();
    // Reads the request, never answers (until the test ends).
    let (held_tx, held_rx) = mpsc::channel();
    std::thread::spawn(move || {
        if let Ok((mut stream, _)) = silent.accept() {
            let _ = read_request(&mut stream);
            let _ = held_tx.send(());
            std::thread::sleep(Duration::from_secs(30));
        }
    });
    forward_to(
        &server.engine,
        "slow",
        &format!("http://{target}/"),
        Respond::Target,
        400,
    );
    let started = Instant::now();
    let res = client()
        .post(format!("http://{}/slow", server.addr))
        .body("x")
        .send()
        .await
        .unwrap();
    let waited = started.elapsed();
    assert_eq!(res.status(), 504);
    assert!(
        waited >= Duration::from_millis(400) && waited < Duration::from_secs(5),
        "{waited:?}"
    );
    assert!(res.text().await.unwrap().contains("timed out"));
    held_rx.recv_timeout(Duration::from_secs(1)).unwrap();
    let id = newest_id(&server.engine);
    let tries = replay::replay_list(server.engine.store(), id).unwrap();
    assert_eq!(tries.len(), 1);
    assert!(
        tries[0]
            .error
            .as_deref()
            .is_some_and(|e| e.contains("timed out"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handshake_is_still_answered_by_hookscope() {
    let server = start().await;
    let target = free_port();
    forward_to(
        &server.engine,
        "slack",
        &format!("http://{target}/"),
        Respond::Target,
        5000,
    );
    let res = client()
        .post(format!("http://{}/slack", server.addr))
        .header("content-type", "application/json")
        .header("user-agent", "Slackbot 1.0 (+https://api.slack.com/robots)")
        .body(r#"{"type":"url_verification","challenge":"abc123","token":"t"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("abc123"));
    let id = newest_id(&server.engine);
    assert!(
        replay::replay_list(server.engine.store(), id)
            .unwrap()
            .is_empty(),
        "not tried inline"
    );
    let status = forward::forward_status(server.engine.store(), "slack", 0).unwrap();
    assert_eq!(status.backlog, 1, "left to the background forwarder");
}

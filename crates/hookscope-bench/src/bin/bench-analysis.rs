//! Times the CPU work on the capture path, per request: the analysis (`capture::prepare`:
//! provider detection, event metadata, signature verification, fingerprint, search text) on the
//! benchmark's ~1 KiB JSON payload, and signature verification of a 1 MiB body. Printed as
//! figures for `make bench`; nothing is asserted.

use std::time::{Duration, Instant};

use hookscope_core::capture::prepare;
use hookscope_core::model::{DEFAULT_MAX_BODY, Endpoint, Header, RawRequest, ResponseRule};
use hookscope_core::providers::{self, Inbound, SignInput};

fn endpoint(provider: Option<&str>, secrets: Vec<String>) -> Endpoint {
    Endpoint {
        id: 1,
        slug: "bench".into(),
        name: "bench".into(),
        secrets,
        provider: provider.map(str::to_string),
        response: ResponseRule::default(),
        forward_url: None,
        public_url: None,
        notify: false,
        max_body: DEFAULT_MAX_BODY,
        handshakes: true,
        created_at_us: 0,
    }
}

fn raw(body: &[u8], headers: Vec<Header>) -> RawRequest {
    RawRequest {
        method: "POST".into(),
        path: "/bench/hook".into(),
        query: String::new(),
        http_version: "HTTP/1.1".into(),
        headers,
        body: body.to_vec(),
        remote_addr: Some("127.0.0.1:1".into()),
        received_at_us: 0,
        rejection: None,
    }
}

/// Run `f` repeatedly for about `budget` and return the mean time per call.
fn time_per_call(budget: Duration, mut f: impl FnMut()) -> Duration {
    let started = Instant::now();
    let mut n = 0u32;
    while started.elapsed() < budget || n < 10 {
        f();
        n += 1;
    }
    started.elapsed() / n
}

fn main() {
    let payload_path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "bench/payload.json".into());
    let payload = match std::fs::read(&payload_path) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("bench-analysis: cannot read {payload_path}: {e}");
            std::process::exit(1);
        }
    };
    let now = 1_735_689_600;
    let secret = "whsec_benchmarkbenchmarkbenchmark".to_string();
    let headers = |body: &[u8]| {
        let input = SignInput {
            secret: &secret,
            body,
            timestamp: now,
            url: "http://127.0.0.1/bench/hook",
            method: "POST",
            headers: &[],
        };
        let signed = providers::by_id("stripe")
            .and_then(|p| p.sign(&input).ok())
            .unwrap_or_default();
        let mut h = vec![
            Header::new("content-type", "application/json"),
            Header::new(
                "user-agent",
                "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
            ),
        ];
        h.extend(
            signed
                .into_iter()
                .map(|(n, v)| Header::new(n.to_ascii_lowercase(), v)),
        );
        h
    };
    let budget = Duration::from_secs(1);
    let plain = endpoint(None, vec![]);
    let unsigned = time_per_call(budget, || {
        std::hint::black_box(prepare(
            &plain,
            raw(
                &payload,
                vec![Header::new("content-type", "application/json")],
            ),
            now,
        ));
    });
    let stripe = endpoint(None, vec![secret.clone()]);
    let signed_headers = headers(&payload);
    let signed = time_per_call(budget, || {
        std::hint::black_box(prepare(&stripe, raw(&payload, signed_headers.clone()), now));
    });
    let big: Vec<u8> = payload.iter().copied().cycle().take(1 << 20).collect();
    let big_headers = headers(&big);
    let stripe_provider = providers::by_id("stripe");
    let verify_1mib = time_per_call(budget, || {
        if let Some(p) = stripe_provider {
            let req = Inbound {
                method: "POST",
                url: "http://127.0.0.1/bench/hook",
                headers: &big_headers,
                body: &big,
                now,
                json: None,
            };
            std::hint::black_box(p.verify(&req, std::slice::from_ref(&secret)));
        }
    });
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    println!(
        "analysis (capture::prepare), {} B JSON, no signature: {:>8.1} µs/request",
        payload.len(),
        us(unsigned)
    );
    println!(
        "analysis (capture::prepare), {} B JSON, Stripe-signed: {:>8.1} µs/request",
        payload.len(),
        us(signed)
    );
    println!(
        "Stripe verification of a 1 MiB body:                  {:>8.1} µs",
        us(verify_1mib)
    );
}

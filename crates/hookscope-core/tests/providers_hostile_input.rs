//! Every provider in the catalog against hostile input: each entry point answers and never
//! panics, a malformed signature never verifies, and no report ever contains a secret.

use hookscope_core::model::Header;
use hookscope_core::providers::{Inbound, SignInput, SignatureStatus, catalog};

/// Values put in every signature-related header at once.
const VALUES: [&[u8]; 17] = [
    b"",
    b"=",
    b"\xff\xfe\x00",
    b"sha256=",
    b"sha1=zz",
    b"sha256=\xff",
    b"v1=,v1=,,",
    b",;= v1, v1a, t=,ts=;h1=",
    b"t=99999999999999999999999,v1=zz",
    b"Basic",
    b"Basic %%%",
    b"a.b.c",
    b"..",
    b"eyJhbGciOiJFUzI1NiJ9.eyJpYXQiOiJ4In0.AAAA",
    b"not-a-date",
    b"9999-99-99T99:99:99Z",
    "é漢字=%E9%ZZ+".as_bytes(),
];

const BODIES: [&[u8]; 9] = [
    b"",
    b"\xff\x00\xfe binary",
    b"{",
    b"[1,2,3]",
    b"a=%&b=%zz&&=",
    br#"{"event":"endpoint.url_validation","payload":{"plainToken":7}}"#,
    br#"{"notificationItems":[{"NotificationRequestItem":{"additionalData":{"hmacSignature":5},"amount":[]}}]}"#,
    br#"{"meta":[],"event":"x","webhook_type":{},"RecordType":null,"signature":{"timestamp":[]}}"#,
    br#"{"type":1}"#,
];

const URLS: [&str; 7] = [
    "",
    "https://",
    "http://[::1]:80",
    "weird://x:y@z/?bodySHA256=%",
    "https://x.test/h?challenge=%",
    "https://x.test/h?challenge=%e2%82",
    "not a url",
];

fn secrets() -> Vec<String> {
    [
        "",
        "s",
        "whsec_!!",
        "é",
        "user:pw",
        "44782DEF",
        r#"{"kty":"EC","crv":"P-256","x":"AA","y":"AA"}"#,
    ]
    .map(str::to_string)
    .to_vec()
}

/// Every header any provider reads a signature, timestamp or id from, plus a few shared ones.
fn header_names() -> Vec<String> {
    let mut names: Vec<String> = catalog()
        .iter()
        .flat_map(|p| {
            p.info()
                .signature_headers
                .iter()
                .map(|h| h.to_ascii_lowercase())
        })
        .chain(["authorization", "user-agent", "content-type", "x-event-key"].map(str::to_string))
        .collect();
    names.sort();
    names.dedup();
    names
}

fn request<'a>(
    headers: &'a [Header],
    body: &'a [u8],
    url: &'a str,
    method: &'a str,
) -> Inbound<'a> {
    Inbound {
        method,
        url,
        headers,
        body,
        now: 1_700_000_000,
        json: None,
    }
}

#[test]
fn hostile_requests_never_panic_and_never_verify() {
    let names = header_names();
    let secrets = secrets();
    for value in VALUES {
        let headers: Vec<Header> = names
            .iter()
            .map(|n| Header::new(n.as_str(), value))
            .collect();
        for body in BODIES {
            let req = request(&headers, body, "https://x.test/h", "POST");
            for p in catalog() {
                p.detect(&req);
                p.event(&req);
                p.handshake(&req, &secrets);
                p.verify(&req, &[]);
                let report = p.verify(&req, &secrets);
                let id = p.info().id;
                assert_ne!(report.status, SignatureStatus::Valid, "{id}: {report:?}");
                assert_ne!(report.status, SignatureStatus::Stale, "{id}: {report:?}");
            }
        }
    }
    let headers: Vec<Header> = names
        .iter()
        .map(|n| Header::new(n.as_str(), "v1=zz"))
        .collect();
    for url in URLS {
        for method in ["GET", "POST", ""] {
            let req = request(&headers, br#"{"a":1}"#, url, method);
            for p in catalog() {
                p.detect(&req);
                p.handshake(&req, &secrets);
                assert_ne!(
                    p.verify(&req, &secrets).status,
                    SignatureStatus::Valid,
                    "{}",
                    p.info().id
                );
            }
        }
    }
}

#[test]
fn signing_odd_input_answers_without_panicking() {
    for p in catalog() {
        for timestamp in [i64::MIN, -1, 0, i64::MAX] {
            for secret in ["", "whsec_!!", "é"] {
                let input = SignInput {
                    secret,
                    body: b"\xff",
                    timestamp,
                    url: "",
                    method: "POST",
                    headers: &[],
                };
                // Headers or a clear error; a panic is not an answer.
                let _ = p.sign(&input);
            }
        }
    }
}

#[test]
fn reports_never_contain_the_secret() {
    let secret = "hunter2-super-secret:password-part";
    let body = br#"{"a":1}"#;
    for p in catalog() {
        let input = SignInput {
            secret,
            body,
            timestamp: 1_700_000_000,
            url: "https://x.test/h",
            method: "POST",
            headers: &[],
        };
        let headers: Vec<Header> = p
            .sign(&input)
            .unwrap_or_default()
            .into_iter()
            .map(|(n, v)| Header::new(n.to_ascii_lowercase(), v))
            .collect();
        let req = request(&headers, body, "https://x.test/h", "POST");
        for secrets in [vec![secret.to_owned()], vec!["other:x".to_owned()]] {
            let text = format!("{:?}", p.verify(&req, &secrets));
            let id = p.info().id;
            assert!(!text.contains("hunter2"), "{id}: {text}");
            assert!(!text.contains("password-part"), "{id}: {text}");
        }
    }
}

#[test]
fn the_catalog_has_every_provider_the_cli_promises() {
    let ids: Vec<&str> = catalog().iter().map(|p| p.info().id).collect();
    for id in [
        "stripe",
        "github",
        "gitlab",
        "shopify",
        "slack",
        "twilio",
        "standard-webhooks",
        "paddle",
        "square",
        "zoom",
        "intercom",
        "mailgun",
        "sendgrid",
        "discord",
        "linear",
        "twitch",
        "hubspot",
        "typeform",
        "calendly",
        "razorpay",
        "mollie",
        "woocommerce",
        "bitbucket",
        "dropbox",
        "vercel",
        "postmark",
        "sentry",
        "pagerduty",
        "lemonsqueezy",
        "coinbase-commerce",
        "plaid",
        "adyen",
        "zendesk",
    ] {
        assert!(ids.contains(&id), "{id} is missing from the catalog");
    }
}

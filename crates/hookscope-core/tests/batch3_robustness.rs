//! Batch 3 providers against hostile input: every entry point must answer, never panic, and a
//! malformed signature must never verify.

use hookscope_core::model::Header;
use hookscope_core::providers::{Inbound, SignInput, SignatureStatus, by_id, catalog};

const IDS: [&str; 11] = [
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
];

const SIGNATURE_HEADERS: [&str; 14] = [
    "x-hub-signature",
    "x-dropbox-signature",
    "x-vercel-signature",
    "authorization",
    "sentry-hook-signature",
    "sentry-app-signature",
    "x-pagerduty-signature",
    "x-signature",
    "x-cc-webhook-signature",
    "plaid-verification",
    "x-zendesk-webhook-signature",
    "x-zendesk-webhook-signature-timestamp",
    "x-event-key",
    "user-agent",
];

#[test]
fn batch_3_is_registered_in_order() {
    let positions: Vec<Option<usize>> = IDS
        .iter()
        .map(|id| catalog().iter().position(|p| p.info().id == *id))
        .collect();
    assert!(positions.iter().all(Option::is_some), "{positions:?}");
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{positions:?}");
    for id in IDS {
        assert_eq!(by_id(id).map(|p| p.info().id), Some(id));
    }
}

#[test]
fn hostile_requests_never_panic_and_never_verify() {
    let values: [&[u8]; 12] = [
        b"",
        b"\xff\xfe\x00",
        b"sha256=",
        b"sha1=zz",
        b"v1=,v1=,,",
        b"Basic",
        b"Basic %%%",
        b"a.b.c",
        b"..",
        b"eyJhbGciOiJFUzI1NiJ9.eyJpYXQiOiJ4In0.AAAA",
        b"not-a-date",
        b"9999-99-99T99:99:99Z",
    ];
    let bodies: [&[u8]; 7] = [
        b"",
        b"\xff\x00\xfe binary",
        b"{",
        br#"{"notificationItems":5}"#,
        br#"{"notificationItems":[{"NotificationRequestItem":{"additionalData":{"hmacSignature":5},"amount":[]}}]}"#,
        br#"{"meta":[],"event":"x","webhook_type":{},"RecordType":null}"#,
        br#"[1,2,3]"#,
    ];
    let urls = [
        "https://x.test/h?challenge=%",
        "https://x.test/h?challenge=%e2%82",
        "https://x.test/h?challenge",
        "not a url",
    ];
    let secrets = [
        String::new(),
        "s".into(),
        "user:pw".into(),
        "44782DEF".into(),
        r#"{"kty":"EC","crv":"P-256","x":"AA","y":"AA"}"#.into(),
    ];
    for id in IDS {
        let Some(p) = by_id(id) else {
            panic!("{id} is not in the catalog");
        };
        for value in values {
            let headers: Vec<Header> = SIGNATURE_HEADERS
                .iter()
                .map(|n| Header::new(*n, value))
                .collect();
            for body in bodies {
                for url in urls {
                    for method in ["GET", "POST"] {
                        let req = Inbound {
                            method,
                            url,
                            headers: &headers,
                            body,
                            now: 1_700_000_000,
                            json: None,
                        };
                        p.detect(&req);
                        p.event(&req);
                        p.handshake(&req, &secrets);
                        let report = p.verify(&req, &secrets);
                        assert_ne!(report.status, SignatureStatus::Valid, "{id}: {report:?}");
                        assert_ne!(report.status, SignatureStatus::Stale, "{id}: {report:?}");
                    }
                }
            }
        }
        for ts in [i64::MIN, -1, 0, i64::MAX] {
            let input = SignInput {
                secret: "",
                body: b"\xff",
                timestamp: ts,
                url: "",
                method: "POST",
                headers: &[],
            };
            // Either headers or a clear error; both are fine, a panic is not.
            let _ = p.sign(&input);
        }
    }
}

#[test]
fn reports_never_contain_the_secret() {
    let secret = "hunter2-super-secret:password-part";
    let body = br#"{"a":1}"#;
    for id in IDS {
        let Some(p) = by_id(id) else {
            panic!("{id} is not in the catalog");
        };
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
        let req = Inbound {
            method: "POST",
            url: "https://x.test/h",
            headers: &headers,
            body,
            now: 1_700_000_000,
            json: None,
        };
        for secrets in [vec![secret.to_owned()], vec!["other:x".to_owned()]] {
            let report = p.verify(&req, &secrets);
            let text = format!("{report:?}");
            assert!(!text.contains("hunter2"), "{id}: {text}");
            assert!(!text.contains("password-part"), "{id}: {text}");
        }
    }
}

//! The checks every symmetric provider passes, written once: each provider's module runs
//! [`symmetric`] (and [`stale`] when it signs a timestamp) and keeps only its published vectors
//! and its quirks.

use super::{Inbound, Provider, SignInput, SignatureReport, SignatureStatus};
use crate::model::Header;

/// The URL requests are signed for and delivered to.
pub const URL: &str = "https://example.test/hook";

pub fn inbound<'a>(headers: &'a [Header], body: &'a [u8], now: i64) -> Inbound<'a> {
    request(URL, headers, body, now)
}

/// A POST to `url`.
pub fn request<'a>(url: &'a str, headers: &'a [Header], body: &'a [u8], now: i64) -> Inbound<'a> {
    Inbound {
        method: "POST",
        url,
        headers,
        body,
        now,
        json: None,
    }
}

pub fn secrets(secrets: &[&str]) -> Vec<String> {
    secrets.iter().map(|s| s.to_string()).collect()
}

/// The headers `p` signs `body` with at `timestamp`, names lowercased.
pub fn signed(p: &dyn Provider, secret: &str, body: &[u8], timestamp: i64) -> Vec<Header> {
    let input = SignInput {
        secret,
        body,
        timestamp,
        url: URL,
        method: "POST",
        headers: &[],
    };
    p.sign(&input)
        .expect("sign")
        .into_iter()
        .map(|(n, v)| Header::new(n.to_ascii_lowercase(), v))
        .collect()
}

pub fn verify(
    p: &dyn Provider,
    headers: &[Header],
    body: &[u8],
    now: i64,
    secrets: &[&str],
) -> SignatureReport {
    p.verify(&inbound(headers, body, now), &self::secrets(secrets))
}

/// Signed with `secret` at `now`: valid; the body tampered with: invalid; another secret:
/// invalid with `wrong_secret`; no signature headers: missing; no secrets: no secret; the secret
/// second of two: valid with index 1.
pub fn symmetric(p: &dyn Provider, secret: &str, body: &[u8], now: i64) {
    let id = p.info().id;
    let headers = signed(p, secret, body, now);
    let r = verify(p, &headers, body, now, &[secret]);
    assert_eq!(
        (r.status, r.secret_index),
        (SignatureStatus::Valid, Some(0)),
        "{id}: {r:?}"
    );

    let mut tampered = body.to_vec();
    tampered.extend_from_slice(b"tampered");
    let r = verify(p, &headers, &tampered, now, &[secret]);
    assert_eq!(r.status, SignatureStatus::Invalid, "{id}: {r:?}");

    let r = verify(p, &headers, body, now, &["not-the-secret"]);
    assert_eq!(r.status, SignatureStatus::Invalid, "{id}: {r:?}");
    assert!(
        r.diagnosis.iter().any(|d| d.code == "wrong_secret"),
        "{id}: {r:?}"
    );

    let r = verify(p, &[], body, now, &[secret]);
    assert_eq!(r.status, SignatureStatus::Missing, "{id}: {r:?}");

    let r = verify(p, &headers, body, now, &[]);
    assert_eq!(r.status, SignatureStatus::NoSecret, "{id}: {r:?}");

    let r = verify(p, &headers, body, now, &["old-secret", secret]);
    assert_eq!(
        (r.status, r.secret_index),
        (SignatureStatus::Valid, Some(1)),
        "{id}: {r:?}"
    );
}

/// For schemes that sign a timestamp: a second past the provider's tolerance the signature is
/// stale, with the timestamp's age reported; at the tolerance it is still valid.
pub fn stale(p: &dyn Provider, secret: &str, body: &[u8], signed_at: i64) {
    let id = p.info().id;
    let tolerance = p
        .info()
        .tolerance_secs
        .expect("a signed timestamp's tolerance");
    let headers = signed(p, secret, body, signed_at);
    let r = verify(p, &headers, body, signed_at + tolerance, &[secret]);
    assert_eq!(r.status, SignatureStatus::Valid, "{id}: {r:?}");
    let r = verify(p, &headers, body, signed_at + tolerance + 1, &[secret]);
    assert_eq!(
        (r.status, r.timestamp_age_secs),
        (SignatureStatus::Stale, Some(tolerance + 1)),
        "{id}: {r:?}"
    );
}

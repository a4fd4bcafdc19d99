//! Stripe: `Stripe-Signature: t=<unix>,v1=<hex>[,v1=<hex>…]`, where each `v1` is
//! hex(HMAC-SHA256(secret, t + "." + body)). The `whsec_…` secret is used as UTF-8 text, never
//! base64-decoded (unlike Standard Webhooks, which uses the same prefix). During a secret roll
//! Stripe sends one `v1` per active secret; other schemes (`v0`) are ignored so a downgrade cannot
//! be forced. The SDKs allow 300 s between `t` and now.

use super::common::{self, Alg, Enc, Parsed};
use super::{
    Confidence, Diagnosis, EventMeta, Inbound, Provider, ProviderInfo, SignError, SignInput,
    SignatureReport, SignatureStatus,
};

pub struct Stripe;

const TOLERANCE_SECS: i64 = 300;
const RECIPE: &str = "hex(HMAC-SHA256(secret as UTF-8, \"{t}.{body}\")) in each `v1=` of \
                      Stripe-Signature";

static INFO: ProviderInfo = ProviderInfo {
    id: "stripe",
    name: "Stripe",
    docs_url: "https://docs.stripe.com/webhooks#verify-events",
    scheme: "HMAC-SHA256 hex over `{t}.{body}`; header `t=…,v1=…`, one `v1` per active secret",
    signature_headers: &["Stripe-Signature"],
    secret_kind: "the endpoint's signing secret (`whsec_…`), used as text",
    retries: "live mode: up to 3 days with exponential backoff; sandbox: 3 times over a few hours",
    tolerance_secs: Some(TOLERANCE_SECS),
};

/// The parts of a `Stripe-Signature` header.
#[derive(Debug, Default)]
struct Header<'a> {
    t: Option<i64>,
    v1: Vec<&'a str>,
    v0: usize,
}

fn parse(value: &str) -> Header<'_> {
    let mut h = Header::default();
    for part in value.split(',') {
        match part.trim().split_once('=') {
            Some(("t", t)) => h.t = t.trim().parse().ok(),
            Some(("v1", sig)) => h.v1.push(sig.trim()),
            Some(("v0", _)) => h.v0 += 1,
            _ => {}
        }
    }
    h
}

fn mac(key: &[u8], t: i64, body: &[u8]) -> Vec<u8> {
    let mut msg = format!("{t}.").into_bytes();
    msg.extend_from_slice(body);
    common::hmac(Alg::Sha256, key, &msg)
}

impl Provider for Stripe {
    fn info(&self) -> &'static ProviderInfo {
        &INFO
    }

    fn detect(&self, req: &Inbound<'_>) -> Confidence {
        let ua = req.header("user-agent").unwrap_or_default();
        if req.header("stripe-signature").is_some() || ua.starts_with("Stripe/") {
            return Confidence::Strong;
        }
        let is_event = common::body_field(req, &["object"]).as_deref() == Some("event")
            && common::body_field(req, &["id"]).is_some_and(|id| id.starts_with("evt_"));
        if is_event {
            Confidence::Weak
        } else {
            Confidence::No
        }
    }

    fn event(&self, req: &Inbound<'_>) -> EventMeta {
        EventMeta {
            event_type: common::body_field(req, &["type"]),
            event_id: common::body_field(req, &["id"]),
        }
    }

    fn verify(&self, req: &Inbound<'_>, secrets: &[String]) -> SignatureReport {
        if secrets.is_empty() {
            return common::bare_report(
                SignatureStatus::NoSecret,
                "no secret: add the endpoint's signing secret (`whsec_…`, from the Stripe \
                 dashboard or `stripe listen`)",
            )
            .with_recipe(RECIPE);
        }
        let Some(raw) = req.header("stripe-signature") else {
            return common::bare_report(SignatureStatus::Missing, "no `Stripe-Signature` header")
                .with_recipe(RECIPE);
        };
        let h = parse(raw);
        let Some(t) = h.t else {
            return common::bare_report(
                SignatureStatus::Missing,
                "the `Stripe-Signature` header has no usable `t=` timestamp",
            )
            .with_recipe(RECIPE);
        };
        if h.v1.is_empty() && h.v0 == 0 {
            return common::bare_report(
                SignatureStatus::Missing,
                "the `Stripe-Signature` header has no `v1=` signature",
            )
            .with_recipe(RECIPE);
        }
        let check = |key: &[u8], body: &[u8]| {
            let computed = mac(key, t, body);
            h.v1.iter()
                .any(|sig| common::signature_matches(Enc::Hex, &computed, sig))
        };
        common::verify_symmetric(
            Parsed {
                provider: INFO.name,
                recipe: RECIPE,
                received: raw.into(),
                body: req.body,
                timestamp: Some(t),
                tolerance_secs: Some(TOLERANCE_SECS),
                now: req.now,
            },
            secrets,
            |s| Some(s.as_bytes().to_vec()),
            check,
            |key| format!("t={t},v1={}", hex::encode(mac(key, t, req.body))),
            || findings(&h, secrets),
        )
    }

    fn sign(&self, input: &SignInput<'_>) -> Result<Vec<(String, String)>, SignError> {
        if input.secret.is_empty() {
            return Err(SignError::BadSecret("the signing secret is empty".into()));
        }
        let sig = hex::encode(mac(input.secret.as_bytes(), input.timestamp, input.body));
        Ok(vec![(
            "Stripe-Signature".into(),
            format!("t={},v1={sig}", input.timestamp),
        )])
    }
}

/// Stripe-specific reasons a signature cannot match.
fn findings(h: &Header<'_>, secrets: &[String]) -> Vec<Diagnosis> {
    let mut out = Vec::new();
    if h.v1.is_empty() {
        out.push(Diagnosis {
            code: "only_v0_signatures".into(),
            message: "the header carries only `v0` signatures (a legacy/test scheme); only `v1` \
                      is verified, so this delivery cannot be checked"
                .into(),
            explains: true,
        });
    }
    if secrets.iter().any(|s| {
        let s = s.trim();
        !s.starts_with("whsec_") && !["sk_", "rk_", "pk_"].iter().any(|p| s.starts_with(p))
    }) {
        out.push(Diagnosis {
            code: "secret_format".into(),
            message:
                "Stripe signing secrets start with `whsec_`; copy it from the endpoint's page \
                      in the dashboard (or the output of `stripe listen`)"
                    .into(),
            explains: false,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Header as H;
    use crate::providers::testkit;

    const SECRET: &str = "whsec_test_secret";
    const BODY: &[u8] = br#"{"id":"evt_test_webhook","object":"event","type":"charge.succeeded"}"#;
    const T: i64 = 1_700_000_000;

    fn verify(headers: &[H], body: &[u8], now: i64, secrets: &[&str]) -> SignatureReport {
        Stripe.verify(
            &testkit::request(testkit::URL, headers, body, now),
            &testkit::secrets(secrets),
        )
    }

    fn signed(secret: &str, body: &[u8], t: i64) -> Vec<H> {
        testkit::signed(&Stripe, secret, body, t)
    }

    #[test]
    fn signature_matches_an_independently_computed_value() {
        // Computed with Python's hmac over "1700000000." + BODY, key "whsec_test_secret".
        let headers = signed(SECRET, BODY, T);
        assert_eq!(
            headers[0].value_lossy(),
            "t=1700000000,v1=256315adcbec6e27c4db46fd5ce257278fe155645695bfaea6ff0e9ae45e7721"
        );
    }

    #[test]
    fn wrong_secret_is_invalid_with_a_wrong_secret_finding() {
        let headers = signed(SECRET, BODY, T);
        let r = verify(&headers, BODY, T, &["whsec_other"]);
        assert_eq!(r.status, SignatureStatus::Invalid);
        assert!(r.diagnosis.iter().any(|d| d.code == "wrong_secret"));
        let expected = r.expected.expect("expected");
        assert!(!expected.contains("whsec_other"));
        assert_ne!(Some(expected), r.received);
    }

    #[test]
    fn an_old_timestamp_is_stale_and_a_future_one_is_clock_skew() {
        let headers = signed(SECRET, BODY, T);
        let r = verify(&headers, BODY, T + 301, &[SECRET]);
        assert_eq!(r.status, SignatureStatus::Stale);
        assert_eq!(r.timestamp_age_secs, Some(301));
        assert!(
            r.reason.contains("301 s") && r.reason.contains("300 s"),
            "{}",
            r.reason
        );
        let r = verify(&headers, BODY, T - 1000, &[SECRET]);
        assert_eq!(r.status, SignatureStatus::Stale);
        assert!(r.diagnosis.iter().any(|d| d.code == "clock_skew"));
    }

    #[test]
    fn missing_timestamp() {
        let no_t = [H::new("stripe-signature", "v1=abcd")];
        assert_eq!(
            verify(&no_t, BODY, T, &[SECRET]).status,
            SignatureStatus::Missing
        );
    }

    #[test]
    fn rotation_matches_the_second_secret_and_any_v1() {
        let new = signed("whsec_new", BODY, T)[0].value_lossy();
        let old = signed(SECRET, BODY, T)[0].value_lossy();
        let old_v1 = old.split_once(",v1=").map(|(_, v)| v).unwrap_or_default();
        let both = [H::new("stripe-signature", format!("{new},v1={old_v1}"))];
        let r = verify(&both, BODY, T, &["whsec_unrelated", SECRET]);
        assert_eq!(r.status, SignatureStatus::Valid, "{r:?}");
        assert_eq!(r.secret_index, Some(1));
    }

    #[test]
    fn only_v0_is_explained() {
        let v0 = [H::new("stripe-signature", format!("t={T},v0=00ff"))];
        let r = verify(&v0, BODY, T, &[SECRET]);
        assert_eq!(r.status, SignatureStatus::Invalid);
        assert!(
            r.diagnosis
                .iter()
                .any(|d| d.code == "only_v0_signatures" && d.explains)
        );
    }

    #[test]
    fn diagnosis_finds_a_reserialised_body_and_a_pasted_api_key() {
        let pretty = b"{\n  \"id\": \"evt_1\",\n  \"type\": \"x\"\n}";
        let compact = br#"{"id":"evt_1","type":"x"}"#;
        let headers = signed(SECRET, compact, T);
        let r = verify(&headers, pretty, T, &[SECRET]);
        assert_eq!(
            r.diagnosis.first().map(|d| d.code.as_str()),
            Some("body_reserialized")
        );
        let r = verify(&headers, compact, T, &["sk_test_123"]);
        assert!(
            r.diagnosis
                .iter()
                .any(|d| d.code == "api_key_not_signing_secret")
        );
    }

    #[test]
    fn detection_and_event() {
        let req = Inbound {
            method: "POST",
            url: "",
            headers: &[],
            body: BODY,
            now: 0,
            json: None,
        };
        assert_eq!(Stripe.detect(&req), Confidence::Weak);
        let meta = Stripe.event(&req);
        assert_eq!(meta.event_type.as_deref(), Some("charge.succeeded"));
        assert_eq!(meta.event_id.as_deref(), Some("evt_test_webhook"));
        let headers = signed(SECRET, BODY, T);
        let req = Inbound {
            headers: &headers,
            ..req
        };
        assert_eq!(Stripe.detect(&req), Confidence::Strong);
    }

    #[test]
    fn shared_symmetric_cases() {
        testkit::symmetric(&Stripe, SECRET, BODY, T);
        testkit::stale(&Stripe, SECRET, BODY, T);
    }
}

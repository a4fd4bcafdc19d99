//! Linear: `Linear-Signature` is the hex HMAC-SHA256 of the raw body (no prefix) under the
//! webhook's signing secret. Freshness comes from the body, not a header: `webhookTimestamp` is
//! Unix time in milliseconds and Linear's SDK rejects it when more than 60 s from now. Because
//! the timestamp is inside the signed body, a re-signed replay of an old body is still stale;
//! [`Linear::sign`] cannot refresh it without changing the body, so it signs the body as given.

use super::common::{self, Alg, Enc};
use super::scheme::{Carried, HmacScheme, Message};
use super::{
    Confidence, Diagnosis, EventMeta, Inbound, Provider, ProviderInfo, SignError, SignInput,
    SignatureReport, SignatureStatus,
};

pub struct Linear;

const SIGNATURE: &str = "linear-signature";
const RECIPE: &str = "hex(HMAC-SHA256(signing secret, raw body)); freshness from body \
                      `webhookTimestamp` (ms)";
const TOLERANCE: i64 = 60;

static INFO: ProviderInfo = ProviderInfo {
    id: "linear",
    name: "Linear",
    docs_url: "https://linear.app/developers/webhooks",
    scheme: "Linear-Signature = hex(HMAC-SHA256(secret, raw body)); body webhookTimestamp (ms) \
             within 60 s",
    signature_headers: &[SIGNATURE, "linear-delivery", "linear-event"],
    secret_kind: "the webhook's signing secret (Settings → API → Webhooks)",
    retries: "about 3 retries with backoff (1 min, 1 h, 6 h) (unconfirmed)",
    tolerance_secs: Some(TOLERANCE),
};

/// The freshness timestamp is a body field, so Linear finds it itself and hands it over.
static SCHEME: HmacScheme = HmacScheme {
    provider: INFO.name,
    alg: Alg::Sha256,
    enc: Enc::Hex,
    header: "Linear-Signature",
    prefix: "",
    message: Message::Body,
    tolerance_secs: Some(TOLERANCE),
    recipe: RECIPE,
    no_secret: "no signing secret configured: add the Linear webhook's signing secret",
    missing: "no Linear-Signature header",
};

impl Provider for Linear {
    fn info(&self) -> &'static ProviderInfo {
        &INFO
    }

    fn detect(&self, req: &Inbound<'_>) -> Confidence {
        if [SIGNATURE, "linear-delivery", "linear-event"]
            .iter()
            .any(|h| req.header(h).is_some())
        {
            return Confidence::Strong;
        }
        let shaped = common::body_json(req).is_some_and(|v| {
            v.get("webhookTimestamp").is_some() && v.get("organizationId").is_some()
        });
        if shaped {
            Confidence::Weak
        } else {
            Confidence::No
        }
    }

    fn event(&self, req: &Inbound<'_>) -> EventMeta {
        let body = common::body_json(req);
        let field = |name: &str| {
            body.as_ref()
                .and_then(|v| v.get(name))
                .and_then(|v| v.as_str())
        };
        let kind = field("type").or_else(|| req.header("linear-event"));
        let event_type = match (kind, field("action")) {
            (Some(kind), Some(action)) => Some(format!("{kind}.{action}")),
            (Some(kind), None) => Some(kind.to_owned()),
            (None, _) => None,
        };
        EventMeta {
            event_type,
            event_id: req.header("linear-delivery").map(str::to_owned),
        }
    }

    fn verify(&self, req: &Inbound<'_>, secrets: &[String]) -> SignatureReport {
        if let Some(report) = SCHEME.no_secret(secrets) {
            return report;
        }
        let Some(text) = req
            .header(SCHEME.header)
            .map(str::trim)
            .filter(|s| !s.is_empty())
        else {
            return SCHEME.bare(SignatureStatus::Missing, SCHEME.missing);
        };
        let ms = common::body_json(req).and_then(|v| {
            v.get("webhookTimestamp")
                .and_then(serde_json::Value::as_i64)
        });
        let carried = Carried {
            text: text.to_owned(),
            candidates: vec![text],
            signed_text: "".into(),
            timestamp: ms.map(|ms| ms.div_euclid(1000)),
        };
        let mut report = SCHEME.report(req, secrets, carried, Vec::new);
        match (report.status, ms) {
            (SignatureStatus::Valid, None) => {
                report.reason = format!(
                    "{}; the body has no numeric webhookTimestamp, so freshness was not checked",
                    report.reason
                );
            }
            (SignatureStatus::Stale, Some(ms))
                if common::check_timestamp(ms, req.now, TOLERANCE).within =>
            {
                report.diagnosis.push(Diagnosis {
                    code: "timestamp_seconds_not_ms".into(),
                    message: "webhookTimestamp is within the window when read as seconds: Linear \
                              sends milliseconds, so whatever produced this body used seconds"
                        .into(),
                    explains: true,
                });
            }
            _ => {}
        }
        report
    }

    fn sign(&self, input: &SignInput<'_>) -> Result<Vec<(String, String)>, SignError> {
        Ok(SCHEME.sign(input))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Header;
    use crate::providers::testkit;

    const NOW: i64 = 1_700_000_000;

    fn body(ms: i64) -> Vec<u8> {
        format!(
            r#"{{"action":"create","type":"Issue","organizationId":"org","webhookTimestamp":{ms},"data":{{"id":"i1"}}}}"#
        )
        .into_bytes()
    }

    fn inbound<'a>(headers: &'a [Header], body: &'a [u8]) -> Inbound<'a> {
        testkit::inbound(headers, body, NOW)
    }

    fn verify(headers: &[Header], body: &[u8], secrets: &[&str]) -> SignatureReport {
        testkit::verify(&Linear, headers, body, NOW, secrets)
    }

    fn signed(secret: &str, body: &[u8]) -> Vec<Header> {
        testkit::signed(&Linear, secret, body, NOW)
    }

    #[test]
    fn known_answer() {
        // RFC 4231 test case 2 through Linear's recipe: plain hex, no prefix.
        let headers = signed("Jefe", b"what do ya want for nothing?");
        assert_eq!(
            headers[0].value_lossy(),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn shared_symmetric_cases_and_the_body_timestamp() {
        testkit::symmetric(&Linear, "lin_wh_secret", &body(NOW * 1000), NOW);
        let b = body(NOW * 1000 - 5_000);
        let headers = signed("lin_wh_secret", &b);
        let ok = verify(&headers, &b, &["lin_wh_secret"]);
        assert_eq!(
            (ok.status, ok.timestamp_age_secs),
            (SignatureStatus::Valid, Some(5))
        );
        assert_eq!(
            verify(&headers, &body(NOW * 1000), &["lin_wh_secret"]).status,
            SignatureStatus::Invalid
        );
    }

    #[test]
    fn stale_body_timestamp_and_seconds_confusion() {
        let b = body(NOW * 1000 - 61_000);
        let r = verify(&signed("s", &b), &b, &["s"]);
        assert_eq!(
            (r.status, r.timestamp_age_secs),
            (SignatureStatus::Stale, Some(61))
        );
        assert!(r.reason.contains("61 s") && r.reason.contains("60 s"));
        let secs = body(NOW - 2);
        let r = verify(&signed("s", &secs), &secs, &["s"]);
        assert_eq!(r.status, SignatureStatus::Stale);
        assert!(
            r.diagnosis
                .iter()
                .any(|d| d.code == "timestamp_seconds_not_ms" && d.explains)
        );
    }

    #[test]
    fn diagnosis_explains_a_reserialised_body() {
        let value: serde_json::Value =
            serde_json::from_slice(&body(NOW * 1000)).expect("valid JSON");
        let compact = serde_json::to_vec(&value).expect("serialises");
        let pretty = serde_json::to_vec_pretty(&value).expect("serialises");
        let r = verify(&signed("s", &compact), &pretty, &["s"]);
        assert_eq!(r.status, SignatureStatus::Invalid);
        assert!(
            r.diagnosis
                .iter()
                .any(|d| d.code == "body_reserialized" && d.explains)
        );
    }

    #[test]
    fn event_and_detection() {
        let b = body(NOW * 1000);
        let headers = [
            Header::new("linear-delivery", "d-1"),
            Header::new("linear-event", "Issue"),
        ];
        let req = inbound(&headers, &b);
        assert_eq!(Linear.detect(&req), Confidence::Strong);
        let meta = Linear.event(&req);
        assert_eq!(meta.event_type.as_deref(), Some("Issue.create"));
        assert_eq!(meta.event_id.as_deref(), Some("d-1"));
        assert_eq!(Linear.detect(&inbound(&[], &b)), Confidence::Weak);
        assert_eq!(Linear.detect(&inbound(&[], b"\xfe")), Confidence::No);
    }
}

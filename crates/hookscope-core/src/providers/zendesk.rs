//! Zendesk: `X-Zendesk-Webhook-Signature` is base64 HMAC-SHA256 of the timestamp header text
//! immediately followed by the raw body (no separator), keyed with the signing secret as UTF-8.
//! The timestamp travels in `X-Zendesk-Webhook-Signature-Timestamp` as RFC 3339 text and is
//! signed as sent. Bodiless requests sign the timestamp alone. Test deliveries from the webhook
//! builder are signed with a fixed, published test secret rather than the webhook's own.
//! Zendesk documents no replay window; Hookscope applies the common 5 minutes.

use super::common::{self, Alg, Enc, signature_matches};
use super::scheme::{Carried, HmacScheme, Message};
use super::{
    Confidence, Diagnosis, EventMeta, Inbound, Provider, ProviderInfo, SignError, SignInput,
    SignatureReport, SignatureStatus,
};

pub struct Zendesk;

const TOLERANCE_SECS: i64 = 300;

/// The secret Zendesk signs webhook-builder test deliveries with.
const TEST_SECRET: &str = "dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ==";

static INFO: ProviderInfo = ProviderInfo {
    id: "zendesk",
    name: "Zendesk",
    docs_url: "https://developer.zendesk.com/documentation/webhooks/verifying/",
    scheme: "X-Zendesk-Webhook-Signature: base64(HMAC-SHA256(signing secret, timestamp ‖ raw \
             body)), timestamp from X-Zendesk-Webhook-Signature-Timestamp (RFC 3339)",
    signature_headers: &[
        "X-Zendesk-Webhook-Signature",
        "X-Zendesk-Webhook-Signature-Timestamp",
        "X-Zendesk-Webhook-Id",
        "X-Zendesk-Webhook-Invocation-Id",
    ],
    secret_kind: "the webhook's signing secret (Admin Center → Webhooks → Reveal secret); test \
                  deliveries use Zendesk's fixed test secret",
    retries: "requests answered with certain statuses (409; 429/503 with a short Retry-After) \
              are retried a few times; a circuit breaker pauses a webhook that keeps failing",
    tolerance_secs: Some(TOLERANCE_SECS),
};

/// The timestamp is RFC 3339 text, not Unix seconds, so Zendesk finds and writes it itself.
static SCHEME: HmacScheme = HmacScheme {
    provider: INFO.name,
    alg: Alg::Sha256,
    enc: Enc::Base64,
    header: "X-Zendesk-Webhook-Signature",
    prefix: "",
    message: Message::Timestamped {
        header: "X-Zendesk-Webhook-Signature-Timestamp",
        before: "",
        between: "",
    },
    tolerance_secs: Some(TOLERANCE_SECS),
    recipe: "base64(HMAC-SHA256(secret, timestamp ‖ body))",
    no_secret: "configure the Zendesk webhook's signing secret to verify X-Zendesk-Webhook-Signature",
    missing: "X-Zendesk-Webhook-Signature and X-Zendesk-Webhook-Signature-Timestamp are both \
              needed; at least one is absent",
};

impl Provider for Zendesk {
    fn info(&self) -> &'static ProviderInfo {
        &INFO
    }

    fn detect(&self, req: &Inbound<'_>) -> Confidence {
        let zendesk = req.headers.iter().any(|h| {
            h.name
                .to_ascii_lowercase()
                .starts_with("x-zendesk-webhook-")
        });
        if zendesk {
            Confidence::Strong
        } else {
            Confidence::No
        }
    }

    fn event(&self, req: &Inbound<'_>) -> EventMeta {
        let meta = common::body_event(req, "/type", "/id");
        EventMeta {
            event_id: meta.event_id.or_else(|| {
                req.header("x-zendesk-webhook-invocation-id")
                    .map(str::to_owned)
            }),
            ..meta
        }
    }

    fn verify(&self, req: &Inbound<'_>, secrets: &[String]) -> SignatureReport {
        if let Some(report) = SCHEME.no_secret(secrets) {
            return report;
        }
        let sig = req.header(SCHEME.header).map(str::trim);
        let ts = req.header("x-zendesk-webhook-signature-timestamp");
        let (Some(sig), Some(ts)) = (sig, ts) else {
            return SCHEME.bare(SignatureStatus::Missing, SCHEME.missing);
        };
        let carried = Carried {
            text: sig.to_owned(),
            candidates: vec![sig],
            signed_text: ts.into(),
            timestamp: common::rfc3339_secs(ts),
        };
        let mut report = SCHEME.report(req, secrets, carried, || {
            let test_mac = SCHEME.mac(TEST_SECRET.as_bytes(), ts, req.body);
            if signature_matches(Enc::Base64, &test_mac, sig) {
                vec![Diagnosis {
                    code: "zendesk_test_secret".into(),
                    message: "this is a test delivery from the webhook builder: it is signed \
                              with Zendesk's fixed test secret, not the webhook's"
                        .into(),
                    explains: true,
                }]
            } else {
                Vec::new()
            }
        });
        common::note_unparsed_timestamp(&mut report, ts);
        report
    }

    fn sign(&self, input: &SignInput<'_>) -> Result<Vec<(String, String)>, SignError> {
        let ts = common::rfc3339_text(INFO.id, input.timestamp)?;
        let sig = SCHEME.signature(input.secret.as_bytes(), &ts, input.body);
        Ok(vec![
            (SCHEME.header.into(), sig),
            ("X-Zendesk-Webhook-Signature-Timestamp".into(), ts),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Header;
    use crate::providers::testkit::{self, inbound};

    const NOW: i64 = 1_700_000_000;

    fn signed(secret: &str, body: &[u8], ts: i64) -> Vec<Header> {
        testkit::signed(&Zendesk, secret, body, ts)
    }

    const BODY: &[u8] =
        br#"{"type":"zen:event-type:ticket.created","id":"01HX","detail":{"id":"35"}}"#;

    #[test]
    fn constructed_vector_with_the_test_secret() {
        // Computed independently with Python's hmac module over "2023-11-14T22:13:20Z" + body.
        let headers = [
            Header::new(
                "x-zendesk-webhook-signature",
                "HdW2IOkBG/wwpubo5Bpw8ZV4wkf4+eEohdMNZl7A7a4=",
            ),
            Header::new(
                "x-zendesk-webhook-signature-timestamp",
                "2023-11-14T22:13:20Z",
            ),
        ];
        let r = Zendesk.verify(&inbound(&headers, BODY, NOW), &[TEST_SECRET.into()]);
        assert_eq!(r.status, SignatureStatus::Valid, "{r:?}");
        assert_eq!(r.timestamp_age_secs, Some(0));
        assert_eq!(signed(TEST_SECRET, BODY, NOW), headers.to_vec());
    }

    #[test]
    fn shared_symmetric_and_stale_cases() {
        testkit::symmetric(&Zendesk, "zd", BODY, NOW);
        testkit::stale(&Zendesk, "zd", BODY, NOW);
    }

    #[test]
    fn wrong_secret_expected_event_and_missing_timestamp() {
        let headers = signed("zd", BODY, NOW - 10);
        let req = inbound(&headers, BODY, NOW);
        assert_eq!(Zendesk.detect(&req), Confidence::Strong);
        let wrong = Zendesk.verify(&req, &["x".into()]);
        assert_eq!(wrong.status, SignatureStatus::Invalid);
        assert!(wrong.expected.is_some());
        let meta = Zendesk.event(&req);
        assert_eq!(
            meta.event_type.as_deref(),
            Some("zen:event-type:ticket.created")
        );
        assert_eq!(meta.event_id.as_deref(), Some("01HX"));
        let headers = signed("zd", BODY, NOW - 3600);
        let r = Zendesk.verify(&inbound(&headers, BODY, NOW), &["zd".into()]);
        assert_eq!(
            (r.status, r.timestamp_age_secs),
            (SignatureStatus::Stale, Some(3600))
        );
        let only_sig = [headers[0].clone()];
        assert_eq!(
            Zendesk
                .verify(&inbound(&only_sig, BODY, NOW), &["zd".into()])
                .status,
            SignatureStatus::Missing
        );
    }

    #[test]
    fn diagnosis_recognises_a_test_delivery() {
        let headers = signed(TEST_SECRET, BODY, NOW);
        let r = Zendesk.verify(&inbound(&headers, BODY, NOW), &["real-secret".into()]);
        assert_eq!(r.status, SignatureStatus::Invalid);
        assert!(
            r.diagnosis
                .iter()
                .any(|d| d.code == "zendesk_test_secret" && d.explains)
        );
        let pretty = serde_json::to_vec_pretty(
            &serde_json::from_slice::<serde_json::Value>(BODY).unwrap_or_default(),
        )
        .unwrap_or_default();
        let compact = serde_json::to_vec(
            &serde_json::from_slice::<serde_json::Value>(BODY).unwrap_or_default(),
        )
        .unwrap_or_default();
        let headers = signed("zd", &compact, NOW);
        let r = Zendesk.verify(&inbound(&headers, &pretty, NOW), &["zd".into()]);
        assert!(
            r.diagnosis
                .iter()
                .any(|d| d.code == "body_reserialized" && d.explains)
        );
    }
}

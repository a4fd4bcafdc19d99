//! Calendly: `Calendly-Webhook-Signature: t=<unix seconds>,v1=<hex>` where `v1` is the hex
//! HMAC-SHA256 of `t + "." + raw body` under the subscription's signing key (chosen when the
//! subscription is created with a personal access token, generated per OAuth app otherwise).
//! Calendly's sample verifier rejects timestamps more than 3 minutes old; that window is used here.

use super::common::{self, Alg, Enc};
use super::scheme::{Carried, HmacScheme, Message};
use super::{
    Confidence, EventMeta, Inbound, Provider, ProviderInfo, SignError, SignInput, SignatureReport,
    SignatureStatus,
};

pub struct Calendly;

const SIGNATURE: &str = "calendly-webhook-signature";
const RECIPE: &str = "hex(HMAC-SHA256(signing key, t + \".\" + raw body)), t from the header";
const TOLERANCE: i64 = 180;

static INFO: ProviderInfo = ProviderInfo {
    id: "calendly",
    name: "Calendly",
    docs_url: "https://developer.calendly.com/api-docs/overview/webhooks/webhook-signatures",
    scheme: "Calendly-Webhook-Signature: t=<unix>,v1=hex(HMAC-SHA256(signing key, t.body))",
    signature_headers: &[SIGNATURE],
    secret_kind: "the webhook signing key (set on the subscription, or the OAuth app's key)",
    retries: "retried for up to 24 h, then the subscription is disabled (unconfirmed)",
    tolerance_secs: Some(TOLERANCE),
};

/// `t` travels inside the signature header (`t=…,v1=…`), so Calendly parses and writes the
/// header itself.
static SCHEME: HmacScheme = HmacScheme {
    provider: INFO.name,
    alg: Alg::Sha256,
    enc: Enc::Hex,
    header: "Calendly-Webhook-Signature",
    prefix: "",
    message: Message::Timestamped {
        header: "Calendly-Webhook-Signature",
        before: "",
        between: ".",
    },
    tolerance_secs: Some(TOLERANCE),
    recipe: RECIPE,
    no_secret: "no signing key configured: add the webhook subscription's signing key",
    missing: "no Calendly-Webhook-Signature header (subscriptions created without a signing key \
              are unsigned)",
};

/// `t` and every `v1` from the header; unknown schemes are ignored.
fn parse(header: &str) -> (Option<&str>, Vec<&str>) {
    let mut t = None;
    let mut v1 = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", value)) => t = Some(value.trim()),
            Some(("v1", value)) if !value.trim().is_empty() => v1.push(value.trim()),
            _ => {}
        }
    }
    (t, v1)
}

impl Provider for Calendly {
    fn info(&self) -> &'static ProviderInfo {
        &INFO
    }

    fn detect(&self, req: &Inbound<'_>) -> Confidence {
        if req.header(SIGNATURE).is_some() {
            return Confidence::Strong;
        }
        let body = common::body_json(req);
        let shaped = body.as_ref().is_some_and(|v| {
            v.get("event")
                .and_then(|e| e.as_str())
                .is_some_and(|e| e.starts_with("invitee.") || e.starts_with("routing_form"))
                && v.get("created_by").is_some()
        });
        if shaped {
            Confidence::Weak
        } else {
            Confidence::No
        }
    }

    fn event(&self, req: &Inbound<'_>) -> EventMeta {
        let body = common::body_json(req);
        EventMeta {
            event_type: common::json_str(body.as_deref(), "/event"),
            event_id: common::json_str(body.as_deref(), "/payload/uri"),
        }
    }

    fn verify(&self, req: &Inbound<'_>, secrets: &[String]) -> SignatureReport {
        if let Some(report) = SCHEME.no_secret(secrets) {
            return report;
        }
        let Some(header) = req.header(SIGNATURE) else {
            return SCHEME.bare(SignatureStatus::Missing, SCHEME.missing);
        };
        let (t, v1) = parse(header);
        let ts = t.and_then(|t| t.parse::<i64>().ok());
        let (Some(t), Some(ts), false) = (t, ts, v1.is_empty()) else {
            return SignatureReport {
                received: Some(header.to_owned()),
                ..SCHEME.bare(
                    SignatureStatus::Missing,
                    "Calendly-Webhook-Signature lacks a numeric `t=` or a `v1=` value",
                )
            };
        };
        let carried = Carried {
            text: v1.join(", "),
            candidates: v1,
            signed_text: t.into(),
            timestamp: Some(ts),
        };
        SCHEME.report(req, secrets, carried, Vec::new)
    }

    fn sign(&self, input: &SignInput<'_>) -> Result<Vec<(String, String)>, SignError> {
        let t = input.timestamp.to_string();
        let sig = SCHEME.signature(input.secret.as_bytes(), &t, input.body);
        Ok(vec![(SCHEME.header.into(), format!("t={t},v1={sig}"))])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Header;
    use crate::providers::testkit;

    const BODY: &[u8] = br#"{"created_at":"2024-05-01T10:00:00.000000Z","created_by":"https://api.calendly.com/users/AAA","event":"invitee.created","payload":{"uri":"https://api.calendly.com/scheduled_events/E/invitees/I"}}"#;
    const NOW: i64 = 1_714_557_600;

    fn inbound<'a>(headers: &'a [Header], body: &'a [u8], now: i64) -> Inbound<'a> {
        testkit::inbound(headers, body, now)
    }

    fn verify(headers: &[Header], body: &[u8], secrets: &[&str], now: i64) -> SignatureReport {
        testkit::verify(&Calendly, headers, body, now, secrets)
    }

    fn signed(secret: &str, body: &[u8], timestamp: i64) -> Vec<Header> {
        testkit::signed(&Calendly, secret, body, timestamp)
    }

    #[test]
    fn known_answer() {
        // Computed independently: Python hmac.new(b"key", b"1714557600.x", sha256).hexdigest().
        let headers = signed("key", b"x", NOW);
        assert_eq!(
            headers[0].value_lossy(),
            "t=1714557600,v1=7b8fadb5f9497d33356969ce8c602e4f349064dceda26c3b32c6706880bbaab6"
        );
        assert_eq!(
            verify(&headers, b"x", &["key"], NOW).status,
            SignatureStatus::Valid
        );
    }

    #[test]
    fn shared_symmetric_and_stale_cases() {
        testkit::symmetric(&Calendly, "k", BODY, NOW);
        testkit::stale(&Calendly, "k", BODY, NOW);
        let stale = verify(&signed("k", BODY, NOW), BODY, &["k"], NOW + 181);
        assert!(stale.reason.contains("181 s") && stale.reason.contains("180 s"));
    }

    #[test]
    fn unparseable() {
        let bad = [Header::new(SIGNATURE, "t=abc,v1=00")];
        assert_eq!(
            verify(&bad, BODY, &["k"], NOW).status,
            SignatureStatus::Missing
        );
        let no_v1 = [Header::new(SIGNATURE, "t=1,v0=00")];
        assert_eq!(
            verify(&no_v1, BODY, &["k"], NOW).status,
            SignatureStatus::Missing
        );
    }

    #[test]
    fn diagnosis_explains_a_hex_secret() {
        let headers = signed("key!", BODY, NOW);
        let r = verify(&headers, BODY, &["6b657921"], NOW);
        assert_eq!(r.status, SignatureStatus::Invalid);
        assert!(
            r.diagnosis
                .iter()
                .any(|d| d.code == "secret_hex_decoded" && d.explains)
        );
    }

    #[test]
    fn event_and_detection() {
        let req = inbound(&[], BODY, NOW);
        assert_eq!(Calendly.detect(&req), Confidence::Weak);
        let meta = Calendly.event(&req);
        assert_eq!(meta.event_type.as_deref(), Some("invitee.created"));
        assert!(meta.event_id.is_some_and(|id| id.ends_with("/invitees/I")));
        assert_eq!(Calendly.detect(&inbound(&[], b"\0", NOW)), Confidence::No);
    }
}

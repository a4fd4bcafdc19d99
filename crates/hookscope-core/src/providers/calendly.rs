//! Calendly: `Calendly-Webhook-Signature: t=<unix seconds>,v1=<hex>` where `v1` is the hex
//! HMAC-SHA256 of `t + "." + raw body` under the subscription's signing key (chosen when the
//! subscription is created with a personal access token, generated per OAuth app otherwise).
//! Calendly's sample verifier rejects timestamps more than 3 minutes old; that window is used here.

use super::common::{self, Alg, Enc};
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

fn signature(key: &[u8], t: &str, body: &[u8]) -> Vec<u8> {
    let mut msg = Vec::with_capacity(t.len() + 1 + body.len());
    msg.extend_from_slice(t.as_bytes());
    msg.push(b'.');
    msg.extend_from_slice(body);
    common::hmac(Alg::Sha256, key, &msg)
}

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
        let text = |v: Option<&serde_json::Value>| v.and_then(|v| v.as_str()).map(str::to_owned);
        EventMeta {
            event_type: text(body.as_ref().and_then(|v| v.get("event"))),
            event_id: text(body.as_ref().and_then(|v| v.pointer("/payload/uri"))),
        }
    }

    fn verify(&self, req: &Inbound<'_>, secrets: &[String]) -> SignatureReport {
        let mut report = common::bare_report(SignatureStatus::Invalid, "");
        report.recipe = Some(RECIPE.into());
        let Some(first) = secrets.first() else {
            report.status = SignatureStatus::NoSecret;
            report.reason = "no signing key configured: add the webhook subscription's signing \
                             key"
            .into();
            return report;
        };
        let Some(header) = req.header(SIGNATURE) else {
            report.status = SignatureStatus::Missing;
            report.reason = "no Calendly-Webhook-Signature header (subscriptions created without \
                             a signing key are unsigned)"
                .into();
            return report;
        };
        let (t, v1) = parse(header);
        let ts = t.and_then(|t| t.parse::<i64>().ok());
        let (Some(t), Some(ts), false) = (t, ts, v1.is_empty()) else {
            report.status = SignatureStatus::Missing;
            report.reason =
                "Calendly-Webhook-Signature lacks a numeric `t=` or a `v1=` value".into();
            report.received = Some(header.to_owned());
            return report;
        };
        report.received = Some(v1.join(", "));
        report.expected = Some(common::encode(
            Enc::Hex,
            &signature(first.as_bytes(), t, req.body),
        ));
        let check = |key: &[u8], body: &[u8]| {
            let mac = signature(key, t, body);
            v1.iter()
                .any(|r| common::signature_matches(Enc::Hex, &mac, r))
        };
        let Some(i) = secrets.iter().position(|s| check(s.as_bytes(), req.body)) else {
            report.reason = "no v1 signature matches any configured signing key".into();
            report.diagnosis = common::diagnose(secrets, req.body, check);
            return report;
        };
        report.secret_index = Some(i);
        let age = common::check_timestamp(ts, req.now, TOLERANCE);
        report.timestamp_age_secs = Some(age.age_secs);
        if age.within {
            report.status = SignatureStatus::Valid;
            report.reason = "the signature matches".into();
        } else {
            report.status = SignatureStatus::Stale;
            report.reason = format!(
                "the signature matches, but t is {} s old and Calendly's window is {TOLERANCE} s",
                age.age_secs
            );
        }
        report
    }

    fn sign(&self, input: &SignInput<'_>) -> Result<Vec<(String, String)>, SignError> {
        let t = input.timestamp.to_string();
        let mac = signature(input.secret.as_bytes(), &t, input.body);
        Ok(vec![(
            "Calendly-Webhook-Signature".into(),
            format!("t={t},v1={}", common::encode(Enc::Hex, &mac)),
        )])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Header;

    const BODY: &[u8] = br#"{"created_at":"2024-05-01T10:00:00.000000Z","created_by":"https://api.calendly.com/users/AAA","event":"invitee.created","payload":{"uri":"https://api.calendly.com/scheduled_events/E/invitees/I"}}"#;
    const NOW: i64 = 1_714_557_600;

    fn inbound<'a>(headers: &'a [Header], body: &'a [u8], now: i64) -> Inbound<'a> {
        Inbound {
            method: "POST",
            url: "https://example.test/hook",
            headers,
            body,
            now,
            json: None,
        }
    }

    fn verify(headers: &[Header], body: &[u8], secrets: &[&str], now: i64) -> SignatureReport {
        let secrets: Vec<String> = secrets.iter().map(|s| s.to_string()).collect();
        Calendly.verify(&inbound(headers, body, now), &secrets)
    }

    fn signed(secret: &str, body: &[u8], timestamp: i64) -> Vec<Header> {
        let input = SignInput {
            secret,
            body,
            timestamp,
            url: "",
            method: "POST",
            headers: &[],
        };
        Calendly
            .sign(&input)
            .expect("this scheme signs with any secret")
            .into_iter()
            .map(|(n, v)| Header::new(n.to_ascii_lowercase(), v))
            .collect()
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
    fn round_trip_tamper_wrong_secret_rotation_and_stale() {
        let headers = signed("k", BODY, NOW);
        assert_eq!(
            verify(&headers, BODY, &["k"], NOW + 60).status,
            SignatureStatus::Valid
        );
        assert_eq!(
            verify(&headers, b"{}", &["k"], NOW).status,
            SignatureStatus::Invalid
        );
        assert_eq!(
            verify(&headers, BODY, &["x"], NOW).status,
            SignatureStatus::Invalid
        );
        let r = verify(&headers, BODY, &["old", "k"], NOW);
        assert_eq!(
            (r.status, r.secret_index),
            (SignatureStatus::Valid, Some(1))
        );
        let stale = verify(&headers, BODY, &["k"], NOW + 181);
        assert_eq!(stale.status, SignatureStatus::Stale);
        assert_eq!(stale.timestamp_age_secs, Some(181));
        assert!(stale.reason.contains("181 s") && stale.reason.contains("180 s"));
    }

    #[test]
    fn missing_unparseable_and_no_secret() {
        assert_eq!(
            verify(&[], BODY, &["k"], NOW).status,
            SignatureStatus::Missing
        );
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
        assert_eq!(
            verify(&signed("k", BODY, NOW), BODY, &[], NOW).status,
            SignatureStatus::NoSecret
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

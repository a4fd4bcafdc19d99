//! Intercom: `X-Hub-Signature: sha1=<hex>` = HMAC-SHA1(app client_secret, body). There is no
//! separate webhook secret: the key is the app's client secret from the Developer Hub, and nothing
//! is timestamped. The header name is shared with GitHub, Bitbucket and Meta, so detection is weak
//! and steps aside when GitHub's or Bitbucket's own headers are present; the body envelope
//! (`"type":"notification_event"` with a `topic`) is the other hint.

use super::common::{self, Alg, Enc};
use super::scheme::{HmacScheme, Message};
use super::{
    Confidence, EventMeta, Inbound, Provider, ProviderInfo, SignError, SignInput, SignatureReport,
};

pub struct Intercom;

const RECIPE: &str = "`sha1=` + hex(HMAC-SHA1(client_secret, body)) in X-Hub-Signature";

static INFO: ProviderInfo = ProviderInfo {
    id: "intercom",
    name: "Intercom",
    docs_url: "https://developers.intercom.com/docs/references/webhooks/webhook-models",
    scheme: "HMAC-SHA1 hex over the body, `sha1=` prefix",
    signature_headers: &["X-Hub-Signature"],
    secret_kind: "the app's client_secret (Developer Hub → Basic Info)",
    retries: "no documented per-notification schedule; a topic is paused for 15 min after more \
              than 1000 consecutive errors in 15 min, and private apps are suspended after 7 days \
              of errors",
    tolerance_secs: None,
};

static SCHEME: HmacScheme = HmacScheme {
    provider: INFO.name,
    alg: Alg::Sha1,
    enc: Enc::Hex,
    header: "X-Hub-Signature",
    prefix: "sha1=",
    message: Message::Body,
    tolerance_secs: None,
    recipe: RECIPE,
    no_secret: "no secret: add the app's client_secret (Developer Hub → your app → Basic Info)",
    missing: "no `X-Hub-Signature` header",
};

fn is_notification(req: &Inbound<'_>) -> bool {
    common::body_field(req, &["type"]).as_deref() == Some("notification_event")
        && common::body_field(req, &["topic"]).is_some()
}

impl Provider for Intercom {
    fn info(&self) -> &'static ProviderInfo {
        &INFO
    }

    fn detect(&self, req: &Inbound<'_>) -> Confidence {
        let other_sender = req.header("x-github-event").is_some()
            || req.header("x-github-delivery").is_some()
            || req.header("x-event-key").is_some();
        let sha1 = req
            .header("x-hub-signature")
            .is_some_and(|v| v.trim().starts_with("sha1="));
        if !other_sender && (sha1 || is_notification(req)) {
            Confidence::Weak
        } else {
            Confidence::No
        }
    }

    fn event(&self, req: &Inbound<'_>) -> EventMeta {
        EventMeta {
            event_type: common::body_field(req, &["topic"]),
            event_id: common::body_field(req, &["id"]),
        }
    }

    fn verify(&self, req: &Inbound<'_>, secrets: &[String]) -> SignatureReport {
        SCHEME.verify(req, secrets)
    }

    fn sign(&self, input: &SignInput<'_>) -> Result<Vec<(String, String)>, SignError> {
        Ok(SCHEME.sign(input))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Header as H;
    use crate::providers::SignatureStatus;
    use crate::providers::testkit;

    const BODY: &[u8] = br#"{"type":"notification_event","app_id":"abc123","topic":"conversation.user.created","id":"notif_1"}"#;

    fn inbound<'a>(headers: &'a [H], body: &'a [u8]) -> Inbound<'a> {
        testkit::inbound(headers, body, 0)
    }

    fn verify(headers: &[H], body: &[u8], secrets: &[&str]) -> SignatureReport {
        testkit::verify(&Intercom, headers, body, 0, secrets)
    }

    fn signed(secret: &str, body: &[u8]) -> Vec<H> {
        testkit::signed(&Intercom, secret, body, 0)
    }

    #[test]
    fn signature_matches_an_independently_computed_value() {
        // Python: hmac.new(b"client-secret", BODY, hashlib.sha1).hexdigest()
        let headers = signed("client-secret", BODY);
        assert_eq!(
            headers[0].value_lossy(),
            "sha1=3a67c7d80f40578a4e3509d4a95f7c0a86753c32"
        );
    }

    #[test]
    fn shared_symmetric_cases_and_a_sha256_header() {
        testkit::symmetric(&Intercom, "cs", BODY, 0);
        let sha256 = [H::new("x-hub-signature", "sha256=00")];
        assert_eq!(
            verify(&sha256, BODY, &["cs"]).status,
            SignatureStatus::Missing
        );
    }

    #[test]
    fn whitespace_diagnosis() {
        let headers = signed("cs", BODY);
        let r = verify(&headers, BODY, &["cs\n"]);
        assert_eq!(r.status, SignatureStatus::Invalid);
        assert!(
            r.diagnosis
                .iter()
                .any(|d| d.code == "secret_whitespace" && d.explains)
        );
    }

    #[test]
    fn detection_steps_aside_for_github_and_bitbucket() {
        let headers = signed("cs", BODY);
        assert_eq!(Intercom.detect(&inbound(&headers, BODY)), Confidence::Weak);
        assert_eq!(Intercom.detect(&inbound(&[], BODY)), Confidence::Weak);
        let github = [
            H::new("x-hub-signature", "sha1=00"),
            H::new("x-github-event", "push"),
        ];
        assert_eq!(Intercom.detect(&inbound(&github, b"{}")), Confidence::No);
        let meta = Intercom.event(&inbound(&[], BODY));
        assert_eq!(
            meta.event_type.as_deref(),
            Some("conversation.user.created")
        );
        assert_eq!(meta.event_id.as_deref(), Some("notif_1"));
    }
}

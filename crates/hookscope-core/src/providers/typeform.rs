//! Typeform: `Typeform-Signature: sha256=<base64>` where the value is the base64 HMAC-SHA256 of
//! the raw body under the secret set on the webhook. Note the encoding: base64, although the
//! `sha256=` prefix makes people expect GitHub-style hex. No timestamp is signed.

use super::common::{self, Alg, Enc};
use super::scheme::{HmacScheme, Message};
use super::{
    Confidence, EventMeta, Inbound, Provider, ProviderInfo, SignError, SignInput, SignatureReport,
};

pub struct Typeform;

const SIGNATURE: &str = "typeform-signature";
const RECIPE: &str = "\"sha256=\" + base64(HMAC-SHA256(webhook secret, raw body))";

static INFO: ProviderInfo = ProviderInfo {
    id: "typeform",
    name: "Typeform",
    docs_url: "https://www.typeform.com/developers/webhooks/secure-your-webhooks/",
    scheme: "Typeform-Signature: sha256=base64(HMAC-SHA256(secret, raw body)); no timestamp",
    signature_headers: &[SIGNATURE],
    secret_kind: "the secret set on the webhook (Connect → Webhooks → Edit, or the API's `secret`)",
    retries: "transient failures (408, 429, 503…) retried every 2–3 min for up to 10 h; 404 and \
              410 disable the webhook at once (unconfirmed)",
    tolerance_secs: None,
};

static SCHEME: HmacScheme = HmacScheme {
    provider: INFO.name,
    alg: Alg::Sha256,
    enc: Enc::Base64,
    header: "Typeform-Signature",
    prefix: "sha256=",
    message: Message::Body,
    tolerance_secs: None,
    recipe: RECIPE,
    no_secret: "no webhook secret configured: add the secret set on the Typeform webhook",
    missing: "no Typeform-Signature header (webhooks without a secret are unsigned)",
};

impl Provider for Typeform {
    fn info(&self) -> &'static ProviderInfo {
        &INFO
    }

    fn detect(&self, req: &Inbound<'_>) -> Confidence {
        if req.header(SIGNATURE).is_some() {
            return Confidence::Strong;
        }
        let shaped = common::body_json(req).is_some_and(|v| {
            v.get("event_type").and_then(|t| t.as_str()) == Some("form_response")
                && v.get("form_response").is_some()
        });
        if shaped {
            Confidence::Weak
        } else {
            Confidence::No
        }
    }

    fn event(&self, req: &Inbound<'_>) -> EventMeta {
        common::body_event(req, "/event_type", "/event_id")
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
    use crate::model::Header;
    use crate::providers::SignatureStatus;
    use crate::providers::testkit;

    const BODY: &[u8] =
        br#"{"event_id":"01HXYZ","event_type":"form_response","form_response":{"form_id":"abc"}}"#;

    fn inbound<'a>(headers: &'a [Header], body: &'a [u8]) -> Inbound<'a> {
        testkit::inbound(headers, body, 0)
    }

    fn verify(headers: &[Header], body: &[u8], secrets: &[&str]) -> SignatureReport {
        testkit::verify(&Typeform, headers, body, 0, secrets)
    }

    fn signed(secret: &str, body: &[u8]) -> Vec<Header> {
        testkit::signed(&Typeform, secret, body, 0)
    }

    #[test]
    fn known_answer_is_base64_with_prefix() {
        // RFC 4231 test case 2 (key "Jefe"), base64 of its HMAC-SHA256.
        let headers = signed("Jefe", b"what do ya want for nothing?");
        assert_eq!(
            headers[0].value_lossy(),
            "sha256=W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM="
        );
    }

    #[test]
    fn shared_symmetric_cases() {
        testkit::symmetric(&Typeform, "tf-secret", BODY, 0);
    }

    #[test]
    fn missing_prefix() {
        let hexish = [Header::new(SIGNATURE, "abcdef")];
        let r = verify(&hexish, BODY, &["s"]);
        assert_eq!(r.status, SignatureStatus::Missing);
        assert!(r.reason.contains("sha256="));
    }

    #[test]
    fn diagnosis_explains_whitespace_in_the_secret() {
        let headers = signed("tf-secret", BODY);
        let r = verify(&headers, BODY, &["tf-secret\n"]);
        assert_eq!(r.status, SignatureStatus::Invalid);
        assert!(
            r.diagnosis
                .iter()
                .any(|d| d.code == "secret_whitespace" && d.explains)
        );
    }

    #[test]
    fn event_and_detection() {
        let req = inbound(&[], BODY);
        assert_eq!(Typeform.detect(&req), Confidence::Weak);
        let meta = Typeform.event(&req);
        assert_eq!(meta.event_type.as_deref(), Some("form_response"));
        assert_eq!(meta.event_id.as_deref(), Some("01HXYZ"));
        assert_eq!(Typeform.detect(&inbound(&[], b"\xff")), Confidence::No);
    }
}

//! Lemon Squeezy: `X-Signature` is hex HMAC-SHA256 of the raw body with the signing secret chosen
//! when the webhook was created (6–40 characters). `X-Event-Name` repeats the body's
//! `meta.event_name`. `X-Signature` is a generic name many small providers use, so it alone is only
//! a weak hint; together with `X-Event-Name` or the `meta.event_name` body shape it is Lemon Squeezy.

use super::common::{self, Alg, Enc};
use super::scheme::{HmacScheme, Message};
use super::{
    Confidence, EventMeta, Inbound, Provider, ProviderInfo, SignError, SignInput, SignatureReport,
};

pub struct LemonSqueezy;

static INFO: ProviderInfo = ProviderInfo {
    id: "lemonsqueezy",
    name: "Lemon Squeezy",
    docs_url: "https://docs.lemonsqueezy.com/help/webhooks/signing-requests",
    scheme: "X-Signature: hex(HMAC-SHA256(signing secret, raw body))",
    signature_headers: &["X-Signature", "X-Event-Name"],
    secret_kind: "the signing secret typed when creating the webhook (6–40 characters)",
    retries: "any answer other than 200 is retried up to 3 more times with exponential backoff \
              (about 5 s, 25 s, 125 s), then dropped",
    tolerance_secs: None,
};

static SCHEME: HmacScheme = HmacScheme {
    provider: INFO.name,
    alg: Alg::Sha256,
    enc: Enc::Hex,
    header: "X-Signature",
    prefix: "",
    message: Message::Body,
    tolerance_secs: None,
    recipe: "hex(HMAC-SHA256(signing secret, body))",
    no_secret: "configure the signing secret of the Lemon Squeezy webhook to verify X-Signature",
    missing: "no X-Signature header",
};

impl Provider for LemonSqueezy {
    fn info(&self) -> &'static ProviderInfo {
        &INFO
    }

    fn detect(&self, req: &Inbound<'_>) -> Confidence {
        let signature = req.header("x-signature").is_some();
        let event_name = req.header("x-event-name").is_some();
        let shape =
            || common::body_json(req).is_some_and(|b| b.pointer("/meta/event_name").is_some());
        if signature && event_name {
            Confidence::Strong
        } else if signature || event_name || shape() {
            Confidence::Weak
        } else {
            Confidence::No
        }
    }

    fn event(&self, req: &Inbound<'_>) -> EventMeta {
        let body = common::body_json(req);
        let field = |ptr: &str| common::json_str(body.as_deref(), ptr);
        EventMeta {
            event_type: req
                .header("x-event-name")
                .map(str::to_owned)
                .or_else(|| field("/meta/event_name")),
            // Lemon Squeezy sends no event id; the resource id is the closest stable key.
            event_id: field("/data/id"),
        }
    }

    fn verify(&self, req: &Inbound<'_>, secrets: &[String]) -> SignatureReport {
        SCHEME.verify(req, secrets)
    }

    fn sign(&self, input: &SignInput<'_>) -> Result<Vec<(String, String)>, SignError> {
        let mut headers = SCHEME.sign(input);
        let event = common::json_str(
            serde_json::from_slice(input.body).ok().as_ref(),
            "/meta/event_name",
        );
        if let Some(event) = event {
            headers.push(("X-Event-Name".into(), event));
        }
        Ok(headers)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Header;
    use crate::providers::SignatureStatus;
    use crate::providers::testkit::{self, inbound, signed};

    const NOW: i64 = 1_700_000_000;
    const BODY: &[u8] = br#"{"meta":{"event_name":"order_created","test_mode":true},"data":{"type":"orders","id":"1"}}"#;

    #[test]
    fn constructed_vector() {
        // Computed independently with Python's hmac module.
        let headers = [Header::new(
            "x-signature",
            "3e33314302e13b3cda51087c06eb6859c814bccc8bf9f695d1fc00ff141d3d09",
        )];
        let r = LemonSqueezy.verify(&inbound(&headers, BODY, NOW), &["lemon-secret".into()]);
        assert_eq!(r.status, SignatureStatus::Valid, "{r:?}");
    }

    #[test]
    fn shared_symmetric_cases() {
        testkit::symmetric(&LemonSqueezy, "lemon-secret", BODY, NOW);
    }

    #[test]
    fn signed_headers_are_detected_and_name_the_event() {
        let headers = signed(&LemonSqueezy, "lemon-secret", BODY, 0);
        let req = inbound(&headers, BODY, NOW);
        assert_eq!(LemonSqueezy.detect(&req), Confidence::Strong);
        let meta = LemonSqueezy.event(&req);
        assert_eq!(meta.event_type.as_deref(), Some("order_created"));
        assert_eq!(meta.event_id.as_deref(), Some("1"));
    }

    #[test]
    fn reserialised_body_diagnosis() {
        let compact = br#"{"data":{"id":"1","type":"orders"},"meta":{"event_name":"order_created","test_mode":true}}"#;
        let headers = signed(&LemonSqueezy, "lemon-secret", compact, 0);
        let pretty = b"{\n  \"data\": {\n    \"id\": \"1\",\n    \"type\": \"orders\"\n  },\n  \"meta\": {\n    \"event_name\": \"order_created\",\n    \"test_mode\": true\n  }\n}";
        let r = LemonSqueezy.verify(&inbound(&headers, pretty, NOW), &["lemon-secret".into()]);
        assert_eq!(r.status, SignatureStatus::Invalid);
        assert!(
            r.diagnosis
                .iter()
                .any(|d| d.code == "body_reserialized" && d.explains),
            "{r:?}"
        );
    }
}

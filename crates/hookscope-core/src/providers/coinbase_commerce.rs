//! Coinbase Commerce: `X-CC-Webhook-Signature` is hex HMAC-SHA256 of the raw body with the
//! endpoint's shared secret. The delivery wraps the event: `{id, scheduled_for, attempt_number,
//! event: {id, type, data…}}`, so the event's own id and type are nested under `event`.

use super::common::{self, Alg, Enc};
use super::scheme::{HmacScheme, Message};
use super::{
    Confidence, EventMeta, Inbound, Provider, ProviderInfo, SignError, SignInput, SignatureReport,
};

pub struct CoinbaseCommerce;

static INFO: ProviderInfo = ProviderInfo {
    id: "coinbase-commerce",
    name: "Coinbase Commerce",
    docs_url: "https://docs.cdp.coinbase.com/commerce-onchain/docs/webhooks-security",
    scheme: "X-CC-Webhook-Signature: hex(HMAC-SHA256(shared secret, raw body))",
    signature_headers: &["X-CC-Webhook-Signature"],
    secret_kind: "the webhook shared secret from Settings → Webhook subscriptions",
    retries: "exponential backoff for up to about 3 days",
    tolerance_secs: None,
};

static SCHEME: HmacScheme = HmacScheme {
    provider: INFO.name,
    alg: Alg::Sha256,
    enc: Enc::Hex,
    header: "X-CC-Webhook-Signature",
    prefix: "",
    message: Message::Body,
    tolerance_secs: None,
    recipe: "hex(HMAC-SHA256(shared secret, body))",
    no_secret: "configure the Coinbase Commerce webhook shared secret to verify X-CC-Webhook-Signature",
    missing: "no X-CC-Webhook-Signature header",
};

impl Provider for CoinbaseCommerce {
    fn info(&self) -> &'static ProviderInfo {
        &INFO
    }

    fn detect(&self, req: &Inbound<'_>) -> Confidence {
        if req.header("x-cc-webhook-signature").is_some() {
            Confidence::Strong
        } else if req
            .header("user-agent")
            .is_some_and(|ua| ua.starts_with("weipay-webhooks"))
        {
            Confidence::Weak
        } else {
            Confidence::No
        }
    }

    fn event(&self, req: &Inbound<'_>) -> EventMeta {
        EventMeta {
            event_type: common::body_field(req, &["event", "type"]),
            event_id: common::body_field(req, &["event", "id"])
                .or_else(|| common::body_field(req, &["id"])),
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
    use crate::model::Header;
    use crate::providers::SignatureStatus;
    use crate::providers::testkit::{self, inbound, signed};

    const NOW: i64 = 1_700_000_000;
    const BODY: &[u8] = br#"{"id":1,"scheduled_for":"2017-01-31T20:50:02Z","attempt_number":1,"event":{"id":"24934862-d980-46cb-9402-43c81b0cdba6","type":"charge:created","api_version":"2018-03-22","data":{"code":"66BEOV2A"}}}"#;

    #[test]
    fn constructed_vector_and_event() {
        // Computed independently with Python's hmac module.
        let headers = [Header::new(
            "x-cc-webhook-signature",
            "afdbcde21b16f1d9fe520fad51e32b5b3794920c4d6a09dc6ad487668e6006ee",
        )];
        let req = inbound(&headers, BODY, NOW);
        assert_eq!(
            CoinbaseCommerce.verify(&req, &["cc-secret".into()]).status,
            SignatureStatus::Valid
        );
        let meta = CoinbaseCommerce.event(&req);
        assert_eq!(meta.event_type.as_deref(), Some("charge:created"));
        assert_eq!(
            meta.event_id.as_deref(),
            Some("24934862-d980-46cb-9402-43c81b0cdba6")
        );
    }

    #[test]
    fn shared_symmetric_cases() {
        testkit::symmetric(&CoinbaseCommerce, "cc-secret", BODY, NOW);
    }

    #[test]
    fn api_key_and_trailing_newline_diagnosis() {
        let headers = signed(&CoinbaseCommerce, "cc-secret", BODY, 0);
        let wrong = CoinbaseCommerce.verify(&inbound(&headers, BODY, NOW), &["sk_live_123".into()]);
        assert_eq!(wrong.status, SignatureStatus::Invalid);
        assert!(
            wrong
                .diagnosis
                .iter()
                .any(|d| d.code == "api_key_not_signing_secret")
        );
        let mut with_newline = BODY.to_vec();
        with_newline.push(b'\n');
        let r = CoinbaseCommerce.verify(
            &inbound(&headers, &with_newline, NOW),
            &["cc-secret".into()],
        );
        assert!(
            r.diagnosis
                .iter()
                .any(|d| d.code == "body_trailing_newline" && d.explains)
        );
    }
}

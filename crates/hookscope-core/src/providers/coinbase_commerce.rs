//! Coinbase Commerce: `X-CC-Webhook-Signature` is hex HMAC-SHA256 of the raw body with the
//! endpoint's shared secret. The delivery wraps the event: `{id, scheduled_for, attempt_number,
//! event: {id, type, data…}}`, so the event's own id and type are nested under `event`.

use super::common::{self, Alg, Enc, MacCheck, bare_report, encode, hmac};
use super::{
    Confidence, EventMeta, Inbound, Provider, ProviderInfo, SignError, SignInput, SignatureReport,
    SignatureStatus,
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
        let body = common::body_json(req);
        let text = |ptr: &str| {
            body.as_ref()
                .and_then(|b| b.pointer(ptr))
                .and_then(|v| match v {
                    serde_json::Value::String(s) => Some(s.clone()),
                    serde_json::Value::Number(n) => Some(n.to_string()),
                    _ => None,
                })
        };
        EventMeta {
            event_type: text("/event/type"),
            event_id: text("/event/id").or_else(|| text("/id")),
        }
    }

    fn verify(&self, req: &Inbound<'_>, secrets: &[String]) -> SignatureReport {
        if secrets.is_empty() {
            return bare_report(
                SignatureStatus::NoSecret,
                "configure the Coinbase Commerce webhook shared secret to verify X-CC-Webhook-Signature",
            );
        }
        let Some(sig) = req.header("x-cc-webhook-signature").map(str::trim) else {
            return bare_report(SignatureStatus::Missing, "no X-CC-Webhook-Signature header");
        };
        MacCheck {
            alg: Alg::Sha256,
            enc: Enc::Hex,
            prefix: "",
            recipe: "hex(HMAC-SHA256(shared secret, body))".into(),
            received_text: sig.to_owned(),
            received: vec![sig],
        }
        .report(secrets, req.body, <[u8]>::to_vec)
    }

    fn sign(&self, input: &SignInput<'_>) -> Result<Vec<(String, String)>, SignError> {
        let mac = hmac(Alg::Sha256, input.secret.as_bytes(), input.body);
        Ok(vec![(
            "X-CC-Webhook-Signature".into(),
            encode(Enc::Hex, &mac),
        )])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Header;

    fn inbound<'a>(headers: &'a [Header], body: &'a [u8]) -> Inbound<'a> {
        Inbound {
            method: "POST",
            url: "https://example.test/hook",
            headers,
            body,
            now: 1_700_000_000,
            json: None,
        }
    }

    fn signed(secret: &str, body: &[u8]) -> Vec<Header> {
        let input = SignInput {
            secret,
            body,
            timestamp: 0,
            url: "",
            method: "POST",
            headers: &[],
        };
        CoinbaseCommerce
            .sign(&input)
            .unwrap_or_default()
            .into_iter()
            .map(|(n, v)| Header::new(n.to_ascii_lowercase(), v))
            .collect()
    }

    const BODY: &[u8] = br#"{"id":1,"scheduled_for":"2017-01-31T20:50:02Z","attempt_number":1,"event":{"id":"24934862-d980-46cb-9402-43c81b0cdba6","type":"charge:created","api_version":"2018-03-22","data":{"code":"66BEOV2A"}}}"#;

    #[test]
    fn constructed_vector_and_event() {
        // Computed independently with Python's hmac module.
        let headers = [Header::new(
            "x-cc-webhook-signature",
            "afdbcde21b16f1d9fe520fad51e32b5b3794920c4d6a09dc6ad487668e6006ee",
        )];
        let req = inbound(&headers, BODY);
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
    fn sign_verify_tamper_wrong_secret_rotation() {
        let headers = signed("cc-secret", BODY);
        let req = inbound(&headers, BODY);
        assert_eq!(
            CoinbaseCommerce.verify(&req, &["cc-secret".into()]).status,
            SignatureStatus::Valid
        );
        assert_eq!(
            CoinbaseCommerce
                .verify(&inbound(&headers, b"{}"), &["cc-secret".into()])
                .status,
            SignatureStatus::Invalid
        );
        let wrong = CoinbaseCommerce.verify(&req, &["sk_live_123".into()]);
        assert_eq!(wrong.status, SignatureStatus::Invalid);
        assert!(
            wrong
                .diagnosis
                .iter()
                .any(|d| d.code == "api_key_not_signing_secret")
        );
        assert_eq!(
            CoinbaseCommerce
                .verify(&req, &["a".into(), "cc-secret".into()])
                .secret_index,
            Some(1)
        );
    }

    #[test]
    fn missing_no_secret_and_diagnosis() {
        assert_eq!(
            CoinbaseCommerce
                .verify(&inbound(&[], BODY), &["s".into()])
                .status,
            SignatureStatus::Missing
        );
        assert_eq!(
            CoinbaseCommerce.verify(&inbound(&[], BODY), &[]).status,
            SignatureStatus::NoSecret
        );
        let headers = signed("cc-secret", BODY);
        let mut with_newline = BODY.to_vec();
        with_newline.push(b'\n');
        let r = CoinbaseCommerce.verify(&inbound(&headers, &with_newline), &["cc-secret".into()]);
        assert!(
            r.diagnosis
                .iter()
                .any(|d| d.code == "body_trailing_newline" && d.explains)
        );
    }
}

//! WooCommerce: `X-WC-Webhook-Signature` is the base64 HMAC-SHA256 of the raw body. The key is
//! the webhook secret after WordPress's `wp_specialchars_decode(secret, ENT_QUOTES)`: a secret
//! saved through the admin form can be stored with HTML entities (`&amp;`, `&#039;`…) and is
//! decoded before signing, so the key here is the entity-decoded secret. The save-time ping
//! (`webhook_id=N`, form-encoded) is unsigned. There is no timestamp and no retry.

use super::common::{self, Alg, Enc};
use super::{
    Confidence, Diagnosis, EventMeta, Inbound, Provider, ProviderInfo, SignError, SignInput,
    SignatureReport, SignatureStatus,
};

pub struct WooCommerce;

const SIGNATURE: &str = "x-wc-webhook-signature";
const RECIPE: &str = "base64(HMAC-SHA256(wp_specialchars_decode(secret), raw body))";

static INFO: ProviderInfo = ProviderInfo {
    id: "woocommerce",
    name: "WooCommerce",
    docs_url: "https://woocommerce.com/document/webhooks/",
    scheme: "X-WC-Webhook-Signature = base64(HMAC-SHA256(entity-decoded secret, raw body)); the \
             save-time ping is unsigned",
    signature_headers: &[
        SIGNATURE,
        "x-wc-webhook-topic",
        "x-wc-webhook-delivery-id",
        "x-wc-webhook-source",
    ],
    secret_kind: "the webhook's Secret (WooCommerce → Settings → Advanced → Webhooks)",
    retries: "none; 2xx, 301 and 302 count as success, and more than 5 consecutive failures \
              disable the webhook",
    tolerance_secs: None,
};

/// `wp_specialchars_decode($s, ENT_QUOTES)`: `&lt; &gt; &amp; &quot;` and the numeric forms of
/// `< > & " '` (decimal with leading zeros, hex case-insensitively), in one pass, so `&amp;lt;`
/// becomes `&lt;` as in PHP. Other entities are left alone.
fn entity_decode(secret: &str) -> String {
    fn entity(name: &str) -> Option<char> {
        let numeric = |digits: &str, radix: u32| {
            u32::from_str_radix(digits, radix)
                .ok()
                .and_then(char::from_u32)
                .filter(|c| ['<', '>', '&', '"', '\''].contains(c))
        };
        match name {
            "lt" => Some('<'),
            "gt" => Some('>'),
            "amp" => Some('&'),
            "quot" => Some('"'),
            _ => {
                let num = name.strip_prefix('#')?;
                match num.strip_prefix(['x', 'X']) {
                    Some(hex) if !hex.is_empty() => numeric(hex, 16),
                    Some(_) => None,
                    None if !num.is_empty() => numeric(num, 10),
                    None => None,
                }
            }
        }
    }
    let mut out = String::with_capacity(secret.len());
    let mut rest = secret;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let tail = &rest[at + 1..];
        let decoded = tail
            .find(';')
            .filter(|end| *end <= 12)
            .and_then(|end| entity(&tail[..end]).map(|c| (c, end)));
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &tail[end + 1..];
            }
            None => {
                out.push('&');
                rest = tail;
            }
        }
    }
    out.push_str(rest);
    out
}

fn signature(key: &[u8], body: &[u8]) -> Vec<u8> {
    common::hmac(Alg::Sha256, key, body)
}

fn key_of(secret: &str) -> Vec<u8> {
    entity_decode(secret).into_bytes()
}

impl Provider for WooCommerce {
    fn info(&self) -> &'static ProviderInfo {
        &INFO
    }

    fn detect(&self, req: &Inbound<'_>) -> Confidence {
        let agent = req
            .header("user-agent")
            .is_some_and(|ua| ua.starts_with("WooCommerce") && ua.contains("Hookshot"));
        let headers = [SIGNATURE, "x-wc-webhook-topic", "x-wc-webhook-source"];
        if agent || headers.iter().any(|h| req.header(h).is_some()) {
            Confidence::Strong
        } else {
            Confidence::No
        }
    }

    fn event(&self, req: &Inbound<'_>) -> EventMeta {
        EventMeta {
            event_type: req.header("x-wc-webhook-topic").map(str::to_owned),
            event_id: req.header("x-wc-webhook-delivery-id").map(str::to_owned),
        }
    }

    fn verify(&self, req: &Inbound<'_>, secrets: &[String]) -> SignatureReport {
        let mut report = common::bare_report(SignatureStatus::Invalid, "");
        report.recipe = Some(RECIPE.into());
        let received = req
            .header(SIGNATURE)
            .map(str::trim)
            .filter(|s| !s.is_empty());
        if received.is_none() && common::form_field(req.body, "webhook_id").is_some() {
            report.status = SignatureStatus::Unsupported;
            report.reason = "this is WooCommerce's save-time ping (`webhook_id=…`), which is sent \
                             unsigned; deliveries carry X-WC-Webhook-Signature"
                .into();
            return report;
        }
        let Some(first) = secrets.first() else {
            report.status = SignatureStatus::NoSecret;
            report.reason = "no webhook secret configured: add the Secret shown on the \
                             WooCommerce webhook"
                .into();
            return report;
        };
        let Some(received) = received else {
            report.status = SignatureStatus::Missing;
            report.reason = "no X-WC-Webhook-Signature header".into();
            return report;
        };
        report.received = Some(received.to_owned());
        report.expected = Some(common::encode(
            Enc::Base64,
            &signature(&key_of(first), req.body),
        ));
        let check = |key: &[u8], body: &[u8]| {
            common::signature_matches(Enc::Base64, &signature(key, body), received)
        };
        if let Some(i) = secrets.iter().position(|s| check(&key_of(s), req.body)) {
            report.status = SignatureStatus::Valid;
            report.reason = "the signature matches".into();
            report.secret_index = Some(i);
            return report;
        }
        report.reason = "the signature does not match any configured secret".into();
        let decoded: Vec<String> = secrets.iter().map(|s| entity_decode(s)).collect();
        report.diagnosis = common::diagnose(&decoded, req.body, check);
        if secrets.iter().any(|s| check(s.as_bytes(), req.body)) {
            report.diagnosis.insert(
                0,
                Diagnosis {
                    code: "secret_entities_not_decoded".into(),
                    message: "the signature matches the secret with its HTML entities left in: \
                              the sender did not entity-decode the secret as WooCommerce does \
                              (a custom signer or plugin changed how it signs)"
                        .into(),
                    explains: true,
                },
            );
        }
        if !report.diagnosis.iter().any(|d| d.explains) {
            report.diagnosis.push(Diagnosis {
                code: "hash_algorithm_filter".into(),
                message: "WooCommerce lets plugins change the hash through the \
                          `woocommerce_webhook_hash_algorithm` filter; if the site uses one, the \
                          signature is not HMAC-SHA256"
                    .into(),
                explains: false,
            });
        }
        report
    }

    fn sign(&self, input: &SignInput<'_>) -> Result<Vec<(String, String)>, SignError> {
        let mac = signature(&key_of(input.secret), input.body);
        Ok(vec![(
            "X-WC-Webhook-Signature".into(),
            common::encode(Enc::Base64, &mac),
        )])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Header;
    use crate::providers::testkit;

    const BODY: &[u8] = br#"{"id":123,"status":"processing","total":"19.99"}"#;

    fn inbound<'a>(headers: &'a [Header], body: &'a [u8]) -> Inbound<'a> {
        testkit::inbound(headers, body, 0)
    }

    fn verify(headers: &[Header], body: &[u8], secrets: &[&str]) -> SignatureReport {
        WooCommerce.verify(&inbound(headers, body), &testkit::secrets(secrets))
    }

    fn raw_signed(key: &[u8], body: &[u8]) -> Vec<Header> {
        vec![Header::new(
            SIGNATURE,
            common::encode(Enc::Base64, &signature(key, body)),
        )]
    }

    fn signed(secret: &str, body: &[u8]) -> Vec<Header> {
        testkit::signed(&WooCommerce, secret, body, 0)
    }

    #[test]
    fn entities_are_decoded_like_wordpress() {
        assert_eq!(entity_decode("a&amp;b&#039;c&quot;d&lt;&gt;"), "a&b'c\"d<>");
        assert_eq!(entity_decode("&amp;lt;"), "&lt;");
        assert_eq!(
            entity_decode("&#39;&#X26;&#0060;&copy;&#65;&x;"),
            "'&<&copy;&#65;&x;"
        );
        // A secret typed as `s3cr&t` but stored as `s3cr&amp;t` signs with `s3cr&t`.
        let headers = raw_signed(b"s3cr&t", BODY);
        assert_eq!(
            verify(&headers, BODY, &["s3cr&amp;t"]).status,
            SignatureStatus::Valid
        );
        assert_eq!(
            verify(&headers, BODY, &["s3cr&t"]).status,
            SignatureStatus::Valid
        );
    }

    #[test]
    fn known_answer() {
        let headers = signed("Jefe", b"what do ya want for nothing?");
        assert_eq!(
            headers[0].value_lossy(),
            "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM="
        );
    }

    #[test]
    fn the_ping_is_unsupported() {
        assert_eq!(
            verify(&[], b"webhook_id=42", &["s"]).status,
            SignatureStatus::Unsupported
        );
    }

    #[test]
    fn diagnosis_explains_undecoded_entities_and_reserialised_bodies() {
        let headers = raw_signed(b"s3cr&amp;t", BODY);
        let r = verify(&headers, BODY, &["s3cr&amp;t"]);
        assert_eq!(r.status, SignatureStatus::Invalid);
        assert_eq!(r.diagnosis[0].code, "secret_entities_not_decoded");
        let pretty = b"{\n  \"id\": 123\n}";
        let headers = signed("s", br#"{"id":123}"#);
        let r = verify(&headers, pretty, &["s"]);
        assert!(
            r.diagnosis
                .iter()
                .any(|d| d.code == "body_reserialized" && d.explains)
        );
    }

    #[test]
    fn event_and_detection() {
        let headers = [
            Header::new("user-agent", "WooCommerce/8.9.1 Hookshot (WordPress/6.5.3)"),
            Header::new("x-wc-webhook-topic", "order.updated"),
            Header::new("x-wc-webhook-delivery-id", "77"),
        ];
        let req = inbound(&headers, BODY);
        assert_eq!(WooCommerce.detect(&req), Confidence::Strong);
        let meta = WooCommerce.event(&req);
        assert_eq!(meta.event_type.as_deref(), Some("order.updated"));
        assert_eq!(meta.event_id.as_deref(), Some("77"));
        assert_eq!(WooCommerce.detect(&inbound(&[], BODY)), Confidence::No);
    }

    #[test]
    fn shared_symmetric_cases() {
        testkit::symmetric(&WooCommerce, "wc-secret", BODY, 0);
    }
}

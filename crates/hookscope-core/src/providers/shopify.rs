//! Shopify: `X-Shopify-Hmac-Sha256` = base64(HMAC-SHA256(app client secret, body)). Nothing is
//! timestamped (`X-Shopify-Triggered-At` is informative and unsigned). After a client-secret
//! rotation Shopify can keep signing with the old secret for up to an hour, so both secrets should
//! be configured for a while. The newer "Shopify Events" deliveries use the same names without
//! `X-` (`shopify-hmac-sha256`, `shopify-topic`, …); both spellings are read, and `sign` answers in
//! the spelling the original request used.

use super::common::{Alg, Enc};
use super::scheme::{HmacScheme, Message};
use super::{
    Confidence, EventMeta, Inbound, Provider, ProviderInfo, SignError, SignInput, SignatureReport,
};
use crate::model::Header;

pub struct Shopify;

const RECIPE: &str = "base64(HMAC-SHA256(client secret, body)) in X-Shopify-Hmac-Sha256";

static INFO: ProviderInfo = ProviderInfo {
    id: "shopify",
    name: "Shopify",
    docs_url: "https://shopify.dev/docs/apps/build/webhooks/subscribe/https",
    scheme: "HMAC-SHA256 base64 over the body",
    signature_headers: &[
        "X-Shopify-Hmac-Sha256",
        "X-Shopify-Topic",
        "X-Shopify-Webhook-Id",
        "X-Shopify-Event-Id",
        "X-Shopify-Triggered-At",
    ],
    secret_kind: "the app's client secret (or the key shown in the store admin for webhooks \
                  created there)",
    retries: "8 retries over 4 hours with exponential backoff (since 2024-09-10; 19 over 48 h \
              before); 5 s timeout",
    tolerance_secs: None,
};

static SCHEME: HmacScheme = HmacScheme {
    provider: INFO.name,
    alg: Alg::Sha256,
    enc: Enc::Base64,
    header: "X-Shopify-Hmac-Sha256",
    prefix: "",
    message: Message::Body,
    tolerance_secs: None,
    recipe: RECIPE,
    no_secret: "no secret: add the app's client secret (Partner Dashboard / Dev Dashboard → \
                your app → Client credentials)",
    missing: "no `X-Shopify-Hmac-Sha256` header (EventBridge and Pub/Sub deliveries are not \
              signed)",
};

/// The "Shopify Events" spelling.
static UNPREFIXED: HmacScheme = HmacScheme {
    header: "shopify-hmac-sha256",
    ..SCHEME
};

/// A Shopify header in either spelling: `X-Shopify-<name>` or `shopify-<name>`.
fn shopify_header<'a>(req: &Inbound<'a>, name: &str) -> Option<&'a str> {
    req.header(&format!("x-shopify-{name}"))
        .or_else(|| req.header(&format!("shopify-{name}")))
}

impl Provider for Shopify {
    fn info(&self) -> &'static ProviderInfo {
        &INFO
    }

    fn detect(&self, req: &Inbound<'_>) -> Confidence {
        let named = req.headers.iter().any(|h| {
            let n = h.name.to_ascii_lowercase();
            n.starts_with("x-shopify-") || n == "shopify-hmac-sha256" || n == "shopify-topic"
        });
        let ua = req.header("user-agent").unwrap_or_default();
        if named || ua.starts_with("Shopify-Captain-Hook") {
            Confidence::Strong
        } else {
            Confidence::No
        }
    }

    fn event(&self, req: &Inbound<'_>) -> EventMeta {
        EventMeta {
            event_type: shopify_header(req, "topic").map(str::to_string),
            // The webhook id is the same on retries, which is what deduplication needs.
            event_id: shopify_header(req, "webhook-id")
                .or_else(|| shopify_header(req, "event-id"))
                .map(str::to_string),
        }
    }

    fn verify(&self, req: &Inbound<'_>, secrets: &[String]) -> SignatureReport {
        if req.header(SCHEME.header).is_none() && req.header(UNPREFIXED.header).is_some() {
            UNPREFIXED.verify(req, secrets)
        } else {
            SCHEME.verify(req, secrets)
        }
    }

    fn sign(&self, input: &SignInput<'_>) -> Result<Vec<(String, String)>, SignError> {
        let unprefixed = input.headers.iter().any(|h: &Header| {
            h.name
                .get(..8)
                .is_some_and(|p| p.eq_ignore_ascii_case("shopify-"))
        });
        Ok(if unprefixed { &UNPREFIXED } else { &SCHEME }.sign(input))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Header as H;
    use crate::providers::SignatureStatus;
    use crate::providers::testkit;

    const BODY: &[u8] = br#"{"id":820982911946154508,"email":"jon@example.com"}"#;

    fn inbound<'a>(headers: &'a [H], body: &'a [u8]) -> Inbound<'a> {
        testkit::inbound(headers, body, 0)
    }

    fn verify(headers: &[H], body: &[u8], secrets: &[&str]) -> SignatureReport {
        testkit::verify(&Shopify, headers, body, 0, secrets)
    }

    fn signed(secret: &str, body: &[u8], original: &[H]) -> Vec<H> {
        let input = SignInput {
            secret,
            body,
            timestamp: 0,
            url: "",
            method: "POST",
            headers: original,
        };
        Shopify
            .sign(&input)
            .expect("sign")
            .into_iter()
            .map(|(n, v)| H::new(n.to_ascii_lowercase(), v))
            .collect()
    }

    #[test]
    fn signature_matches_an_independently_computed_value() {
        // Python: base64(hmac.new(b"shpss_secret", BODY, sha256).digest())
        let headers = signed("shpss_secret", BODY, &[]);
        assert_eq!(headers[0].name, "x-shopify-hmac-sha256");
        assert_eq!(
            headers[0].value_lossy(),
            "vo+n5h/cLxNKGlgJ0Fd1aDzU0aOaajK8Hs9m0hPqWiQ="
        );
    }

    #[test]
    fn shared_symmetric_cases() {
        testkit::symmetric(&Shopify, "s", BODY, 0);
    }

    #[test]
    fn rotation_and_unprefixed_headers() {
        let original = [H::new("shopify-topic", "orders/create")];
        let headers = signed("new", BODY, &original);
        assert_eq!(headers[0].name, "shopify-hmac-sha256");
        let r = verify(&headers, BODY, &["old", "new"]);
        assert_eq!(
            (r.status, r.secret_index),
            (SignatureStatus::Valid, Some(1))
        );
        let r = verify(&headers, b"{}", &["new"]);
        assert_eq!(r.status, SignatureStatus::Invalid);
    }

    #[test]
    fn diagnosis_finds_a_reserialised_body() {
        // Keys in sorted order: the re-serialisation variants do not preserve key order.
        let compact = br#"{"email":"jon@example.com","id":820982911946154508}"#;
        let headers = signed("s", compact, &[]);
        let pretty = b"{\n  \"email\": \"jon@example.com\",\n  \"id\": 820982911946154508\n}";
        let r = verify(&headers, pretty, &["s"]);
        assert_eq!(r.status, SignatureStatus::Invalid);
        assert!(
            r.diagnosis
                .iter()
                .any(|d| d.code == "body_reserialized" && d.explains)
        );
    }

    #[test]
    fn detection_and_event() {
        let headers = [
            H::new("x-shopify-topic", "orders/create"),
            H::new(
                "x-shopify-webhook-id",
                "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
            ),
        ];
        let req = inbound(&headers, BODY);
        assert_eq!(Shopify.detect(&req), Confidence::Strong);
        let meta = Shopify.event(&req);
        assert_eq!(meta.event_type.as_deref(), Some("orders/create"));
        assert_eq!(
            meta.event_id.as_deref(),
            Some("b54557e4-bdd9-4b37-8a5f-bf7d70bcd043")
        );
        assert_eq!(Shopify.detect(&inbound(&[], BODY)), Confidence::No);
    }
}

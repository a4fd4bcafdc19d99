//! Razorpay: `X-Razorpay-Signature` is the hex HMAC-SHA256 of the raw body, keyed with the
//! webhook secret set on the webhook in the Dashboard. That secret is not the API key secret
//! (`rzp_live_…`/`rzp_test_…` key ids come with one), the most common reason verification fails.
//! There is no timestamp; dedupe on `X-Razorpay-Event-Id`.

use super::common::{self, Alg, Enc};
use super::scheme::{HmacScheme, Message};
use super::{
    Confidence, Diagnosis, EventMeta, Inbound, Provider, ProviderInfo, SignError, SignInput,
    SignatureReport,
};

pub struct Razorpay;

const SIGNATURE: &str = "x-razorpay-signature";
const RECIPE: &str = "hex(HMAC-SHA256(webhook secret, raw body))";

static INFO: ProviderInfo = ProviderInfo {
    id: "razorpay",
    name: "Razorpay",
    docs_url: "https://razorpay.com/docs/webhooks/validate-test/",
    scheme: "X-Razorpay-Signature = hex(HMAC-SHA256(webhook secret, raw body)); no timestamp",
    signature_headers: &[SIGNATURE, "x-razorpay-event-id"],
    secret_kind: "the webhook secret entered when creating the webhook (not the API key secret)",
    retries: "exponential backoff for 24 h from the event; a webhook failing for 24 h is disabled \
              and an alert email is sent",
    tolerance_secs: None,
};

static SCHEME: HmacScheme = HmacScheme {
    provider: INFO.name,
    alg: Alg::Sha256,
    enc: Enc::Hex,
    header: "X-Razorpay-Signature",
    prefix: "",
    message: Message::Body,
    tolerance_secs: None,
    recipe: RECIPE,
    no_secret: "no webhook secret configured: add the secret you entered on the Razorpay webhook \
                (Dashboard → Webhooks)",
    missing: "no X-Razorpay-Signature header",
};

impl Provider for Razorpay {
    fn info(&self) -> &'static ProviderInfo {
        &INFO
    }

    fn detect(&self, req: &Inbound<'_>) -> Confidence {
        if req.header(SIGNATURE).is_some() || req.header("x-razorpay-event-id").is_some() {
            return Confidence::Strong;
        }
        let body = common::body_json(req);
        let shaped = body.as_ref().is_some_and(|v| {
            v.get("entity").and_then(|e| e.as_str()) == Some("event")
                && v.get("account_id").is_some()
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
            event_type: body
                .as_ref()
                .and_then(|v| v.get("event"))
                .and_then(|e| e.as_str())
                .map(str::to_owned),
            event_id: req.header("x-razorpay-event-id").map(str::to_owned),
        }
    }

    fn verify(&self, req: &Inbound<'_>, secrets: &[String]) -> SignatureReport {
        SCHEME.verify_with(req, secrets, || {
            secrets
                .iter()
                .filter(|s| s.trim().starts_with("rzp_"))
                .map(|_| Diagnosis {
                    code: "api_key_not_signing_secret".into(),
                    message: "a secret starting with `rzp_` is an API key id; webhooks are signed \
                              with the secret typed into the webhook's settings"
                        .into(),
                    explains: false,
                })
                .collect()
        })
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

    const BODY: &[u8] = br#"{"entity":"event","account_id":"acc_1","event":"payment.captured","contains":["payment"]}"#;

    fn verify(headers: &[Header], body: &[u8], secrets: &[&str]) -> SignatureReport {
        testkit::verify(&Razorpay, headers, body, 0, secrets)
    }

    fn signed(secret: &str, body: &[u8]) -> Vec<Header> {
        testkit::signed(&Razorpay, secret, body, 0)
    }

    #[test]
    fn hmac_vector_over_the_raw_body() {
        // RFC 4231 test case 2 computed through the Razorpay recipe: secret "Jefe".
        let headers = [Header::new(
            SIGNATURE,
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
        )];
        let r = verify(&headers, b"what do ya want for nothing?", &["Jefe"]);
        assert_eq!(r.status, SignatureStatus::Valid);
    }

    #[test]
    fn shared_symmetric_cases() {
        testkit::symmetric(&Razorpay, "whsec", BODY, 0);
        let headers = signed("whsec", BODY);
        let wrong = verify(&headers, BODY, &["other"]);
        assert_ne!(wrong.expected, wrong.received);
    }

    #[test]
    fn diagnosis_explains_a_reserialised_body() {
        let pretty = b"{\n  \"event\": \"payment.captured\"\n}";
        let headers = signed("s", br#"{"event":"payment.captured"}"#);
        let r = verify(&headers, pretty, &["s"]);
        assert_eq!(r.status, SignatureStatus::Invalid);
        assert!(
            r.diagnosis
                .iter()
                .any(|d| d.code == "body_reserialized" && d.explains)
        );
        let api = verify(&headers, pretty, &["rzp_test_abc"]);
        assert_eq!(api.diagnosis[0].code, "api_key_not_signing_secret");
    }

    #[test]
    fn event_and_detection() {
        let headers = [Header::new("x-razorpay-event-id", "evt_1")];
        let req = Inbound {
            method: "POST",
            url: "",
            headers: &headers,
            body: BODY,
            now: 0,
            json: None,
        };
        let meta = Razorpay.event(&req);
        assert_eq!(meta.event_type.as_deref(), Some("payment.captured"));
        assert_eq!(meta.event_id.as_deref(), Some("evt_1"));
        assert_eq!(Razorpay.detect(&req), Confidence::Strong);
        let bare = Inbound {
            headers: &[],
            body: b"\xff\x00",
            ..req
        };
        assert_eq!(Razorpay.detect(&bare), Confidence::No);
    }
}

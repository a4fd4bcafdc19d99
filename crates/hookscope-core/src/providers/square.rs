//! Square: `x-square-hmacsha256-signature` = base64(HMAC-SHA256(signature key, notification URL +
//! body)). The URL is the one configured on the subscription, byte for byte, so a proxy that
//! changes the scheme, the port or a trailing slash breaks every signature; the diagnosis tries
//! those URL variants. The legacy `x-square-signature` (HMAC-SHA1 over the same bytes) is used only
//! when the SHA-256 header is absent. Nothing is timestamped.

use super::common::{self, Alg, Enc, Parsed};
use super::{
    Confidence, Diagnosis, EventMeta, Inbound, Provider, ProviderInfo, SignError, SignInput,
    SignatureReport, SignatureStatus,
};

pub struct Square;

const RECIPE_256: &str =
    "base64(HMAC-SHA256(signature key, notification URL + body)) in x-square-hmacsha256-signature";
const RECIPE_1: &str =
    "base64(HMAC-SHA1(signature key, notification URL + body)) in x-square-signature (legacy)";

static INFO: ProviderInfo = ProviderInfo {
    id: "square",
    name: "Square",
    docs_url: "https://developer.squareup.com/docs/webhooks/step3validate",
    scheme: "HMAC-SHA256 base64 over the notification URL followed by the body",
    signature_headers: &["x-square-hmacsha256-signature", "x-square-signature"],
    secret_kind: "the webhook subscription's signature key",
    retries: "retried with backoff for up to 24 hours",
    tolerance_secs: None,
};

fn mac(alg: Alg, key: &[u8], url: &str, body: &[u8]) -> Vec<u8> {
    let mut msg = url.as_bytes().to_vec();
    msg.extend_from_slice(body);
    common::hmac(alg, key, &msg)
}

impl Provider for Square {
    fn info(&self) -> &'static ProviderInfo {
        &INFO
    }

    fn detect(&self, req: &Inbound<'_>) -> Confidence {
        if req.header("x-square-hmacsha256-signature").is_some()
            || req.header("x-square-signature").is_some()
        {
            return Confidence::Strong;
        }
        let shaped = ["merchant_id", "event_id", "type", "created_at"]
            .iter()
            .all(|k| common::body_field(req, &[k]).is_some());
        if shaped {
            Confidence::Weak
        } else {
            Confidence::No
        }
    }

    fn event(&self, req: &Inbound<'_>) -> EventMeta {
        EventMeta {
            event_type: common::body_field(req, &["type"]),
            event_id: common::body_field(req, &["event_id"]),
        }
    }

    fn verify(&self, req: &Inbound<'_>, secrets: &[String]) -> SignatureReport {
        let (alg, recipe, enc_sig) = match req.header("x-square-hmacsha256-signature") {
            Some(v) => (Alg::Sha256, RECIPE_256, Some(v)),
            None => (Alg::Sha1, RECIPE_1, req.header("x-square-signature")),
        };
        if secrets.is_empty() {
            return common::bare_report(
                SignatureStatus::NoSecret,
                "no secret: add the subscription's signature key (Developer Console → Webhooks → \
                 Subscriptions)",
            )
            .with_recipe(recipe);
        }
        let Some(sig) = enc_sig else {
            return common::bare_report(
                SignatureStatus::Missing,
                "no `x-square-hmacsha256-signature` header",
            )
            .with_recipe(recipe);
        };
        let url = req.url;
        common::verify_symmetric(
            Parsed {
                provider: INFO.name,
                recipe,
                received: sig.into(),
                body: req.body,
                timestamp: None,
                tolerance_secs: None,
                now: req.now,
            },
            secrets,
            |s| Some(s.as_bytes().to_vec()),
            |key, body| common::signature_matches(Enc::Base64, &mac(alg, key, url, body), sig),
            |key| common::encode(Enc::Base64, &mac(alg, key, url, req.body)),
            || url_findings(alg, url, req.body, sig, secrets),
        )
    }

    fn sign(&self, input: &SignInput<'_>) -> Result<Vec<(String, String)>, SignError> {
        if input.url.is_empty() {
            return Err(SignError::Unsupported(
                "square",
                "Square signs the notification URL, and none was given".into(),
            ));
        }
        let sig = mac(Alg::Sha256, input.secret.as_bytes(), input.url, input.body);
        Ok(vec![(
            "x-square-hmacsha256-signature".into(),
            common::encode(Enc::Base64, &sig),
        )])
    }
}

/// The URL variants that make the signature match: the subscription's URL differs from the one
/// this request is analysed with. When none does, a note says which URL was used.
fn url_findings(alg: Alg, url: &str, body: &[u8], sig: &str, secrets: &[String]) -> Vec<Diagnosis> {
    let mut out: Vec<Diagnosis> = common::url_variants(url)
        .into_iter()
        .filter(|(candidate, _)| {
            secrets.iter().any(|s| {
                common::signature_matches(
                    Enc::Base64,
                    &mac(alg, s.as_bytes(), candidate, body),
                    sig,
                )
            })
        })
        .map(|(_, what)| Diagnosis {
            code: "url_mismatch".into(),
            message: format!(
                "{what}, not `{url}`: set the endpoint's public URL to the subscription's \
                 notification URL exactly"
            ),
            explains: true,
        })
        .collect();
    if out.is_empty() {
        out.push(Diagnosis {
            code: "notification_url".into(),
            message: format!(
                "verified against `{url}`; Square signs the subscription's notification URL \
                 exactly as configured"
            ),
            explains: false,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Header as H;
    use crate::providers::testkit;

    // Square SDK test vector (webhooks helper tests).
    const SDK_BODY: &[u8] = br#"{"merchant_id":"MLEFBHHSJGVHD","type":"webhooks.test_notification","event_id":"ac3ac95b-f97d-458c-a6e6-18981597e05f","created_at":"2022-07-13T20:30:59.037339943Z","data":{"type":"webhooks","id":"bc368e64-01aa-407e-b46e-3231809b1129"}}"#;
    const SDK_KEY: &str = "Ibxx_5AKakO-3qeNVR61Dw";
    const SDK_URL: &str = "https://webhook.site/679a4f3a-dcfa-49ee-bac5-9d0edad886b9";
    const SDK_SIG: &str = "GF4YkrJgGBDZ9NIYbNXBnMzqb2HoL4RW/S6vkZ9/2N4=";

    fn verify(url: &str, headers: &[H], body: &[u8], secrets: &[&str]) -> SignatureReport {
        Square.verify(
            &testkit::request(url, headers, body, 0),
            &testkit::secrets(secrets),
        )
    }

    fn sig(sig: &str) -> [H; 1] {
        [H::new("x-square-hmacsha256-signature", sig)]
    }

    #[test]
    fn sdk_vector_verifies_and_signs() {
        let r = verify(SDK_URL, &sig(SDK_SIG), SDK_BODY, &[SDK_KEY]);
        assert_eq!(r.status, SignatureStatus::Valid, "{r:?}");
        let input = SignInput {
            secret: SDK_KEY,
            body: SDK_BODY,
            timestamp: 0,
            url: SDK_URL,
            method: "POST",
            headers: &[],
        };
        let out = Square.sign(&input).expect("sign");
        assert_eq!(out[0].1, SDK_SIG);
    }

    #[test]
    fn tamper_wrong_secret_missing_no_secret_rotation() {
        let headers = sig(SDK_SIG);
        assert_eq!(
            verify(SDK_URL, &headers, b"{}", &[SDK_KEY]).status,
            SignatureStatus::Invalid
        );
        let r = verify(SDK_URL, &headers, SDK_BODY, &["other"]);
        assert!(r.diagnosis.iter().any(|d| d.code == "wrong_secret"));
        assert_eq!(
            verify(SDK_URL, &[], SDK_BODY, &[SDK_KEY]).status,
            SignatureStatus::Missing
        );
        assert_eq!(
            verify(SDK_URL, &headers, SDK_BODY, &[]).status,
            SignatureStatus::NoSecret
        );
        let r = verify(SDK_URL, &headers, SDK_BODY, &["other", SDK_KEY]);
        assert_eq!(
            (r.status, r.secret_index),
            (SignatureStatus::Valid, Some(1))
        );
    }

    #[test]
    fn diagnosis_finds_the_url_behind_a_tls_terminating_proxy() {
        let behind_proxy = "http://webhook.site:443/679a4f3a-dcfa-49ee-bac5-9d0edad886b9";
        let r = verify(behind_proxy, &sig(SDK_SIG), SDK_BODY, &[SDK_KEY]);
        assert_eq!(r.status, SignatureStatus::Invalid);
        let first = r.diagnosis.first().expect("a finding");
        assert_eq!(first.code, "url_mismatch");
        assert!(
            first.explains && first.message.contains(SDK_URL),
            "{first:?}"
        );
    }

    #[test]
    fn detection_and_event() {
        let req = Inbound {
            method: "POST",
            url: SDK_URL,
            headers: &[],
            body: SDK_BODY,
            now: 0,
            json: None,
        };
        assert_eq!(Square.detect(&req), Confidence::Weak);
        let meta = Square.event(&req);
        assert_eq!(
            meta.event_type.as_deref(),
            Some("webhooks.test_notification")
        );
        assert_eq!(
            meta.event_id.as_deref(),
            Some("ac3ac95b-f97d-458c-a6e6-18981597e05f")
        );
    }

    #[test]
    fn shared_symmetric_cases() {
        testkit::symmetric(
            &Square,
            "square-key",
            br#"{\"merchant_id\":\"M1\",\"type\":\"payment.created\",\"event_id\":\"e1\"}"#,
            0,
        );
    }
}

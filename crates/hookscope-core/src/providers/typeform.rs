//! Typeform: `Typeform-Signature: sha256=<base64>` where the value is the base64 HMAC-SHA256 of
//! the raw body under the secret set on the webhook. Note the encoding: base64, although the
//! `sha256=` prefix makes people expect GitHub-style hex. No timestamp is signed.

use super::common::{self, Alg, Enc};
use super::{
    Confidence, EventMeta, Inbound, Provider, ProviderInfo, SignError, SignInput, SignatureReport,
    SignatureStatus,
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

fn signature(key: &[u8], body: &[u8]) -> Vec<u8> {
    common::hmac(Alg::Sha256, key, body)
}

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
        let body = common::body_json(req);
        let field = |name: &str| {
            body.as_ref()
                .and_then(|v| v.get(name))
                .and_then(|v| v.as_str())
                .map(str::to_owned)
        };
        EventMeta {
            event_type: field("event_type"),
            event_id: field("event_id"),
        }
    }

    fn verify(&self, req: &Inbound<'_>, secrets: &[String]) -> SignatureReport {
        let mut report = common::bare_report(SignatureStatus::Invalid, "");
        report.recipe = Some(RECIPE.into());
        let Some(first) = secrets.first() else {
            report.status = SignatureStatus::NoSecret;
            report.reason = "no webhook secret configured: add the secret set on the Typeform \
                             webhook"
                .into();
            return report;
        };
        let header = req.header(SIGNATURE).map(str::trim);
        let Some(received) = header
            .and_then(|h| h.strip_prefix("sha256="))
            .filter(|s| !s.is_empty())
        else {
            report.status = SignatureStatus::Missing;
            report.reason = match header {
                Some(_) => "Typeform-Signature does not start with `sha256=`".into(),
                None => {
                    "no Typeform-Signature header (webhooks without a secret are unsigned)".into()
                }
            };
            return report;
        };
        report.received = Some(received.to_owned());
        report.expected = Some(common::encode(
            Enc::Base64,
            &signature(first.as_bytes(), req.body),
        ));
        let check = |key: &[u8], body: &[u8]| {
            common::signature_matches(Enc::Base64, &signature(key, body), received)
        };
        if let Some(i) = secrets.iter().position(|s| check(s.as_bytes(), req.body)) {
            report.status = SignatureStatus::Valid;
            report.reason = "the signature matches".into();
            report.secret_index = Some(i);
            return report;
        }
        report.reason = "the signature does not match any configured secret".into();
        report.diagnosis = common::diagnose(secrets, req.body, check);
        report
    }

    fn sign(&self, input: &SignInput<'_>) -> Result<Vec<(String, String)>, SignError> {
        let mac = signature(input.secret.as_bytes(), input.body);
        Ok(vec![(
            "Typeform-Signature".into(),
            format!("sha256={}", common::encode(Enc::Base64, &mac)),
        )])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Header;

    const BODY: &[u8] =
        br#"{"event_id":"01HXYZ","event_type":"form_response","form_response":{"form_id":"abc"}}"#;

    fn inbound<'a>(headers: &'a [Header], body: &'a [u8]) -> Inbound<'a> {
        Inbound {
            method: "POST",
            url: "https://example.test/hook",
            headers,
            body,
            now: 0,
            json: None,
        }
    }

    fn verify(headers: &[Header], body: &[u8], secrets: &[&str]) -> SignatureReport {
        let secrets: Vec<String> = secrets.iter().map(|s| s.to_string()).collect();
        Typeform.verify(&inbound(headers, body), &secrets)
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
        Typeform
            .sign(&input)
            .expect("this scheme signs with any secret")
            .into_iter()
            .map(|(n, v)| Header::new(n.to_ascii_lowercase(), v))
            .collect()
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
    fn round_trip_tamper_wrong_secret_and_rotation() {
        let headers = signed("tf-secret", BODY);
        assert_eq!(
            verify(&headers, BODY, &["tf-secret"]).status,
            SignatureStatus::Valid
        );
        assert_eq!(
            verify(&headers, b"{}", &["tf-secret"]).status,
            SignatureStatus::Invalid
        );
        assert_eq!(
            verify(&headers, BODY, &["nope"]).status,
            SignatureStatus::Invalid
        );
        let r = verify(&headers, BODY, &["old", "tf-secret"]);
        assert_eq!(
            (r.status, r.secret_index),
            (SignatureStatus::Valid, Some(1))
        );
    }

    #[test]
    fn missing_prefix_missing_header_and_no_secret() {
        assert_eq!(verify(&[], BODY, &["s"]).status, SignatureStatus::Missing);
        let hexish = [Header::new(SIGNATURE, "abcdef")];
        let r = verify(&hexish, BODY, &["s"]);
        assert_eq!(r.status, SignatureStatus::Missing);
        assert!(r.reason.contains("sha256="));
        assert_eq!(
            verify(&signed("s", BODY), BODY, &[]).status,
            SignatureStatus::NoSecret
        );
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

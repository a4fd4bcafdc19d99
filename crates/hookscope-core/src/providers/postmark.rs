//! Postmark: webhooks are not signed. The protection Postmark offers is HTTP Basic auth written
//! into the webhook URL (`https://user:password@host/…`), which arrives as
//! `Authorization: Basic base64(user:password)`. The endpoint's "secret" is therefore
//! `user:password`, compared in constant time with the decoded credentials. Both halves are part
//! of the secret, so reports describe the received credentials by their lengths only.

use base64::Engine as _;

use super::common::{self, bare_report, ct_eq, decode_base64_any};
use super::{
    Confidence, Diagnosis, EventMeta, Inbound, Provider, ProviderInfo, SignError, SignInput,
    SignatureReport, SignatureStatus,
};

pub struct Postmark;

static INFO: ProviderInfo = ProviderInfo {
    id: "postmark",
    name: "Postmark",
    docs_url: "https://postmarkapp.com/developer/webhooks/webhooks-overview#protecting-your-webhook",
    scheme: "no signature: HTTP Basic auth from the webhook URL (https://user:password@host/…), \
             sent as Authorization: Basic base64(user:password)",
    signature_headers: &["Authorization"],
    secret_kind: "`user:password` as written in the webhook URL",
    retries: "varies by webhook type; the origin IP can change between attempts",
    tolerance_secs: None,
};

const RECIPE: &str =
    "Authorization: Basic base64(user:password), compared with the secret `user:password`";

/// The `user:password` credentials of a Basic `Authorization` header.
fn basic_credentials(req: &Inbound<'_>) -> Option<Vec<u8>> {
    let value = req.header("authorization")?.trim();
    let (scheme, rest) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    decode_base64_any(rest.trim())
}

/// What the request carried, without revealing it.
fn masked(credentials: &[u8]) -> String {
    let text = String::from_utf8_lossy(credentials);
    match text.split_once(':') {
        Some((user, password)) => format!(
            "Basic credentials (hidden): a {}-character user and a {}-character password",
            user.chars().count(),
            password.chars().count()
        ),
        None => "Basic credentials without a `:` separator".into(),
    }
}

impl Provider for Postmark {
    fn info(&self) -> &'static ProviderInfo {
        &INFO
    }

    fn detect(&self, req: &Inbound<'_>) -> Confidence {
        let body = common::body_json(req);
        let shape =
            body.is_some_and(|b| b.get("RecordType").is_some() && b.get("MessageID").is_some());
        if shape {
            Confidence::Weak
        } else {
            Confidence::No
        }
    }

    fn event(&self, req: &Inbound<'_>) -> EventMeta {
        common::body_event(req, "/RecordType", "/MessageID")
    }

    fn verify(&self, req: &Inbound<'_>, secrets: &[String]) -> SignatureReport {
        if secrets.is_empty() {
            return bare_report(
                SignatureStatus::NoSecret,
                "Postmark webhooks are unsigned: put `user:password` in the webhook URL and \
                 configure the same `user:password` as this endpoint's secret",
            );
        }
        let Some(credentials) = basic_credentials(req) else {
            return SignatureReport {
                recipe: Some(RECIPE.into()),
                ..bare_report(
                    SignatureStatus::Missing,
                    "no `Authorization: Basic …` header: add `user:password@` to the webhook URL \
                     in Postmark",
                )
            };
        };
        let mut report = match secrets
            .iter()
            .position(|s| ct_eq(s.as_bytes(), &credentials))
        {
            Some(i) => SignatureReport {
                secret_index: Some(i),
                ..bare_report(
                    SignatureStatus::Valid,
                    format!("the Basic auth credentials match secret #{}", i + 1),
                )
            },
            None => SignatureReport {
                diagnosis: diagnose(secrets, &credentials),
                ..bare_report(
                    SignatureStatus::Invalid,
                    "the Basic auth credentials match none of the configured `user:password` secrets",
                )
            },
        };
        report.recipe = Some(RECIPE.into());
        report.received = Some(masked(&credentials));
        report
    }

    fn sign(&self, input: &SignInput<'_>) -> Result<Vec<(String, String)>, SignError> {
        if !input.secret.contains(':') {
            return Err(SignError::BadSecret(
                "Postmark's secret is `user:password` (Basic auth), and this one has no `:`".into(),
            ));
        }
        let token = base64::engine::general_purpose::STANDARD.encode(input.secret.as_bytes());
        Ok(vec![("Authorization".into(), format!("Basic {token}"))])
    }
}

/// Which part of the credentials differs, without revealing either side.
fn diagnose(secrets: &[String], credentials: &[u8]) -> Vec<Diagnosis> {
    let received_user = credentials
        .split(|&b| b == b':')
        .next()
        .unwrap_or(credentials);
    let mut out = Vec::new();
    for (i, secret) in secrets.iter().enumerate() {
        let n = i + 1;
        let Some((user, _)) = secret.split_once(':') else {
            out.push(Diagnosis {
                code: "secret_not_user_password".into(),
                message: format!("secret #{n} has no `:`; it must be `user:password`"),
                explains: false,
            });
            continue;
        };
        if ct_eq(secret.trim().as_bytes(), credentials) {
            out.push(Diagnosis {
                code: "secret_whitespace".into(),
                message: format!("secret #{n} has leading or trailing whitespace; remove it"),
                explains: true,
            });
        } else if ct_eq(user.as_bytes(), received_user) {
            out.push(Diagnosis {
                code: "wrong_password".into(),
                message: format!(
                    "the username matches secret #{n} but the password does not (URL-encoded \
                     characters in the webhook URL are decoded before they are sent)"
                ),
                explains: false,
            });
        }
    }
    if out.is_empty() {
        out.push(Diagnosis {
            code: "wrong_credentials".into(),
            message: "neither username nor password matches: compare the webhook URL in Postmark \
                      with this endpoint's secret"
                .into(),
            explains: false,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Header;
    use crate::providers::testkit;

    fn inbound<'a>(headers: &'a [Header], body: &'a [u8]) -> Inbound<'a> {
        testkit::inbound(headers, body, 1_700_000_000)
    }

    fn signed(secret: &str) -> Vec<Header> {
        let input = SignInput {
            secret,
            body: BODY,
            timestamp: 0,
            url: "",
            method: "POST",
            headers: &[],
        };
        Postmark
            .sign(&input)
            .unwrap_or_default()
            .into_iter()
            .map(|(n, v)| Header::new(n.to_ascii_lowercase(), v))
            .collect()
    }

    const BODY: &[u8] = br#"{"RecordType":"Delivery","MessageID":"883953f4-6105-42a2-a16a-77a8eac79483","Recipient":"john@example.com"}"#;

    #[test]
    fn rfc7617_example_credentials() {
        // RFC 7617 section 2: "Aladdin:open sesame" is sent as QWxhZGRpbjpvcGVuIHNlc2FtZQ==.
        let headers = [Header::new(
            "authorization",
            "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==",
        )];
        let r = Postmark.verify(&inbound(&headers, BODY), &["Aladdin:open sesame".into()]);
        assert_eq!(r.status, SignatureStatus::Valid);
        assert_eq!(signed("Aladdin:open sesame"), headers.to_vec());
        let shown = r.received.unwrap_or_default();
        assert!(
            shown.contains("7-character user")
                && !shown.contains("Aladdin")
                && !shown.contains("sesame"),
            "{shown}"
        );
    }

    #[test]
    fn wrong_password_rotation_event() {
        let headers = signed("hook:pw-1");
        let req = inbound(&headers, BODY);
        let wrong = Postmark.verify(&req, &["hook:pw-2".into()]);
        assert_eq!(wrong.status, SignatureStatus::Invalid);
        assert!(wrong.diagnosis.iter().any(|d| d.code == "wrong_password"));
        assert_eq!(
            Postmark.verify(&req, &["other:x".into()]).status,
            SignatureStatus::Invalid
        );
        let rot = Postmark.verify(&req, &["hook:old".into(), "hook:pw-1".into()]);
        assert_eq!(
            (rot.status, rot.secret_index),
            (SignatureStatus::Valid, Some(1))
        );
        let ws = Postmark.verify(&req, &["hook:pw-1 ".into()]);
        assert!(
            ws.diagnosis
                .iter()
                .any(|d| d.code == "secret_whitespace" && d.explains)
        );
        assert_eq!(Postmark.detect(&req), Confidence::Weak);
        let meta = Postmark.event(&req);
        assert_eq!(meta.event_type.as_deref(), Some("Delivery"));
        assert_eq!(
            meta.event_id.as_deref(),
            Some("883953f4-6105-42a2-a16a-77a8eac79483")
        );
    }

    #[test]
    fn missing_no_secret_and_bad_secret() {
        assert_eq!(
            Postmark.verify(&inbound(&[], BODY), &["a:b".into()]).status,
            SignatureStatus::Missing
        );
        let bearer = [Header::new("authorization", "Bearer abc")];
        assert_eq!(
            Postmark
                .verify(&inbound(&bearer, BODY), &["a:b".into()])
                .status,
            SignatureStatus::Missing
        );
        assert_eq!(
            Postmark.verify(&inbound(&[], BODY), &[]).status,
            SignatureStatus::NoSecret
        );
        let input = SignInput {
            secret: "nocolon",
            body: BODY,
            timestamp: 0,
            url: "",
            method: "POST",
            headers: &[],
        };
        assert!(matches!(
            Postmark.sign(&input),
            Err(SignError::BadSecret(_))
        ));
    }
}

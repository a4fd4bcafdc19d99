//! Bitbucket: `X-Hub-Signature: sha256=<hex>`, HMAC-SHA256 of the raw body with the webhook's
//! secret as UTF-8. Cloud signs only webhooks that have a secret; Data Center lets the admin pick
//! the algorithm, so a `sha1=` prefix is accepted too. The header name is shared with GitHub and
//! Intercom, so detection leans on Bitbucket's own `X-Event-Key` / `X-Request-UUID` headers.

use super::common::{Alg, Enc, MacCheck, bare_report, encode, hmac};
use super::{
    Confidence, EventMeta, Inbound, Provider, ProviderInfo, SignError, SignInput, SignatureReport,
    SignatureStatus,
};

pub struct Bitbucket;

static INFO: ProviderInfo = ProviderInfo {
    id: "bitbucket",
    name: "Bitbucket",
    docs_url: "https://support.atlassian.com/bitbucket-cloud/docs/manage-webhooks/",
    scheme: "X-Hub-Signature: sha256=hex(HMAC-SHA256(secret, raw body)); Data Center may use sha1=",
    signature_headers: &[
        "X-Hub-Signature",
        "X-Event-Key",
        "X-Request-UUID",
        "X-Hook-UUID",
    ],
    secret_kind: "the webhook's secret, as typed in the webhook settings (no secret: no signature)",
    retries: "Cloud: 2 more attempts on a 5xx answer or a timeout",
    tolerance_secs: None,
};

impl Provider for Bitbucket {
    fn info(&self) -> &'static ProviderInfo {
        &INFO
    }

    fn detect(&self, req: &Inbound<'_>) -> Confidence {
        let github = req
            .headers
            .iter()
            .any(|h| h.name.to_ascii_lowercase().starts_with("x-github-"));
        if github {
            return Confidence::No;
        }
        let ua = req
            .header("user-agent")
            .is_some_and(|ua| ua.starts_with("Bitbucket-Webhooks"));
        let event_key = req.header("x-event-key").is_some();
        let request_id =
            req.header("x-request-uuid").is_some() || req.header("x-hook-uuid").is_some();
        if ua || (event_key && request_id) {
            Confidence::Strong
        } else if event_key
            || req
                .header("x-hub-signature")
                .is_some_and(|s| s.trim().starts_with("sha256="))
        {
            Confidence::Weak
        } else {
            Confidence::No
        }
    }

    fn event(&self, req: &Inbound<'_>) -> EventMeta {
        EventMeta {
            event_type: req.header("x-event-key").map(str::to_owned),
            // Cloud sends X-Request-UUID; Data Center sends X-Request-Id.
            event_id: req
                .header("x-request-uuid")
                .or_else(|| req.header("x-request-id"))
                .map(str::to_owned),
        }
    }

    fn verify(&self, req: &Inbound<'_>, secrets: &[String]) -> SignatureReport {
        if secrets.is_empty() {
            return bare_report(
                SignatureStatus::NoSecret,
                "configure the secret set on the Bitbucket webhook to verify X-Hub-Signature",
            );
        }
        let Some(header) = req.header("x-hub-signature") else {
            return bare_report(
                SignatureStatus::Missing,
                "no X-Hub-Signature header: Bitbucket only signs webhooks that have a secret set",
            );
        };
        let value = header.trim();
        let (alg, prefix, hex) = if let Some(hex) = value.strip_prefix("sha256=") {
            (Alg::Sha256, "sha256=", hex)
        } else if let Some(hex) = value.strip_prefix("sha1=") {
            (Alg::Sha1, "sha1=", hex)
        } else {
            return SignatureReport {
                received: Some(value.to_owned()),
                ..bare_report(
                    SignatureStatus::Missing,
                    "X-Hub-Signature is not of the form `sha256=<hex>` (or `sha1=<hex>`)",
                )
            };
        };
        MacCheck {
            alg,
            enc: Enc::Hex,
            prefix,
            recipe: format!("{prefix}hex({}(secret, body))", alg.name()),
            received_text: value.to_owned(),
            received: vec![hex],
        }
        .report(secrets, req.body, <[u8]>::to_vec)
    }

    fn sign(&self, input: &SignInput<'_>) -> Result<Vec<(String, String)>, SignError> {
        let mac = hmac(Alg::Sha256, input.secret.as_bytes(), input.body);
        Ok(vec![(
            "X-Hub-Signature".into(),
            format!("sha256={}", encode(Enc::Hex, &mac)),
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
            timestamp: 1_700_000_000,
            url: "",
            method: "POST",
            headers: &[],
        };
        let mut headers: Vec<Header> = Bitbucket
            .sign(&input)
            .unwrap_or_default()
            .into_iter()
            .map(|(n, v)| Header::new(n.to_ascii_lowercase(), v))
            .collect();
        headers.push(Header::new("x-event-key", "repo:push"));
        headers
    }

    #[test]
    fn published_vector_verifies() {
        // GitHub's published example for the same `sha256=` body-HMAC construction.
        let secret = "It's a Secret to Everybody";
        let headers = [Header::new(
            "x-hub-signature",
            "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
        )];
        let r = Bitbucket.verify(&inbound(&headers, b"Hello, World!"), &[secret.into()]);
        assert_eq!(r.status, SignatureStatus::Valid, "{r:?}");
        assert_eq!(
            signed(secret, b"Hello, World!")[0].value_lossy(),
            headers[0].value_lossy()
        );
    }

    #[test]
    fn sign_verify_tamper_wrong_secret_rotation() {
        let headers = signed("s3cret", b"{\"a\":1}");
        let ok = Bitbucket.verify(&inbound(&headers, b"{\"a\":1}"), &["s3cret".into()]);
        assert_eq!(ok.status, SignatureStatus::Valid);
        assert_eq!(ok.secret_index, Some(0));
        let tampered = Bitbucket.verify(&inbound(&headers, b"{\"a\":2}"), &["s3cret".into()]);
        assert_eq!(tampered.status, SignatureStatus::Invalid);
        let wrong = Bitbucket.verify(&inbound(&headers, b"{\"a\":1}"), &["other".into()]);
        assert_eq!(wrong.status, SignatureStatus::Invalid);
        assert!(
            wrong
                .expected
                .as_deref()
                .is_some_and(|e| e.starts_with("sha256="))
        );
        let rotated = Bitbucket.verify(
            &inbound(&headers, b"{\"a\":1}"),
            &["old".into(), "s3cret".into()],
        );
        assert_eq!(rotated.secret_index, Some(1));
    }

    #[test]
    fn missing_and_no_secret() {
        let headers = [Header::new("x-event-key", "repo:push")];
        assert_eq!(
            Bitbucket
                .verify(&inbound(&headers, b"x"), &["s".into()])
                .status,
            SignatureStatus::Missing
        );
        let bad = [Header::new("x-hub-signature", "md5=abc")];
        assert_eq!(
            Bitbucket.verify(&inbound(&bad, b"x"), &["s".into()]).status,
            SignatureStatus::Missing
        );
        assert_eq!(
            Bitbucket.verify(&inbound(&headers, b"x"), &[]).status,
            SignatureStatus::NoSecret
        );
    }

    #[test]
    fn diagnosis_explains_a_trailing_newline() {
        let headers = signed("s3cret", b"plain text payload");
        let r = Bitbucket.verify(
            &inbound(&headers, b"plain text payload\n"),
            &["s3cret".into()],
        );
        assert!(
            r.diagnosis
                .iter()
                .any(|d| d.code == "body_trailing_newline" && d.explains),
            "{r:?}"
        );
    }

    #[test]
    fn detection_tells_bitbucket_from_github() {
        let bb = [
            Header::new("x-event-key", "repo:push"),
            Header::new("x-request-uuid", "u-1"),
        ];
        assert_eq!(Bitbucket.detect(&inbound(&bb, b"")), Confidence::Strong);
        let gh = [
            Header::new("x-hub-signature", "sha256=00"),
            Header::new("x-github-event", "push"),
        ];
        assert_eq!(Bitbucket.detect(&inbound(&gh, b"")), Confidence::No);
        let meta = Bitbucket.event(&inbound(&bb, b""));
        assert_eq!(meta.event_type.as_deref(), Some("repo:push"));
        assert_eq!(meta.event_id.as_deref(), Some("u-1"));
    }
}

//! Bitbucket: `X-Hub-Signature: sha256=<hex>`, HMAC-SHA256 of the raw body with the webhook's
//! secret as UTF-8. Cloud signs only webhooks that have a secret; Data Center lets the admin pick
//! the algorithm, so a `sha1=` prefix is accepted too. The header name is shared with GitHub and
//! Intercom, so detection leans on Bitbucket's own `X-Event-Key` / `X-Request-UUID` headers.

use super::common::{Alg, Enc, bare_report};
use super::scheme::{HmacScheme, Message};
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

static SHA256: HmacScheme = HmacScheme {
    provider: INFO.name,
    alg: Alg::Sha256,
    enc: Enc::Hex,
    header: "X-Hub-Signature",
    prefix: "sha256=",
    message: Message::Body,
    tolerance_secs: None,
    recipe: "sha256=hex(HMAC-SHA256(secret, body))",
    no_secret: "configure the secret set on the Bitbucket webhook to verify X-Hub-Signature",
    missing: "no X-Hub-Signature header: Bitbucket only signs webhooks that have a secret set",
};

/// Data Center may sign with SHA-1.
static SHA1: HmacScheme = HmacScheme {
    alg: Alg::Sha1,
    prefix: "sha1=",
    recipe: "sha1=hex(HMAC-SHA1(secret, body))",
    ..SHA256
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
        if let Some(report) = SHA256.no_secret(secrets) {
            return report;
        }
        match req.header(SHA256.header).map(str::trim) {
            Some(v) if v.starts_with(SHA1.prefix) => SHA1.verify(req, secrets),
            Some(v) if !v.starts_with(SHA256.prefix) => SignatureReport {
                received: Some(v.to_owned()),
                ..bare_report(
                    SignatureStatus::Missing,
                    "X-Hub-Signature is not of the form `sha256=<hex>` (or `sha1=<hex>`)",
                )
            },
            _ => SHA256.verify(req, secrets),
        }
    }

    fn sign(&self, input: &SignInput<'_>) -> Result<Vec<(String, String)>, SignError> {
        Ok(SHA256.sign(input))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Header;
    use crate::providers::testkit::{self, inbound, signed};

    const NOW: i64 = 1_700_000_000;

    #[test]
    fn published_vector_verifies() {
        // GitHub's published example for the same `sha256=` body-HMAC construction.
        let secret = "It's a Secret to Everybody";
        let headers = [Header::new(
            "x-hub-signature",
            "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
        )];
        let r = Bitbucket.verify(&inbound(&headers, b"Hello, World!", NOW), &[secret.into()]);
        assert_eq!(r.status, SignatureStatus::Valid, "{r:?}");
        assert_eq!(
            signed(&Bitbucket, secret, b"Hello, World!", NOW)[0].value_lossy(),
            headers[0].value_lossy()
        );
    }

    #[test]
    fn shared_symmetric_cases() {
        testkit::symmetric(&Bitbucket, "s3cret", b"{\"a\":1}", NOW);
    }

    #[test]
    fn expected_is_prefixed_and_sha1_is_accepted() {
        let headers = signed(&Bitbucket, "s3cret", b"{\"a\":1}", NOW);
        let wrong = Bitbucket.verify(&inbound(&headers, b"{\"a\":1}", NOW), &["other".into()]);
        assert_eq!(wrong.status, SignatureStatus::Invalid);
        assert!(
            wrong
                .expected
                .as_deref()
                .is_some_and(|e| e.starts_with("sha256="))
        );
        let sha1 = [Header::new(
            "x-hub-signature",
            format!(
                "sha1={}",
                hex::encode(crate::providers::common::hmac(Alg::Sha1, b"s3cret", b"x"))
            ),
        )];
        let r = Bitbucket.verify(&inbound(&sha1, b"x", NOW), &["s3cret".into()]);
        assert_eq!(r.status, SignatureStatus::Valid, "{r:?}");
    }

    #[test]
    fn missing_and_no_secret() {
        let headers = [Header::new("x-event-key", "repo:push")];
        assert_eq!(
            Bitbucket
                .verify(&inbound(&headers, b"x", NOW), &["s".into()])
                .status,
            SignatureStatus::Missing
        );
        let bad = [Header::new("x-hub-signature", "md5=abc")];
        assert_eq!(
            Bitbucket
                .verify(&inbound(&bad, b"x", NOW), &["s".into()])
                .status,
            SignatureStatus::Missing
        );
        assert_eq!(
            Bitbucket.verify(&inbound(&headers, b"x", NOW), &[]).status,
            SignatureStatus::NoSecret
        );
    }

    #[test]
    fn diagnosis_explains_a_trailing_newline() {
        let headers = signed(&Bitbucket, "s3cret", b"plain text payload", NOW);
        let r = Bitbucket.verify(
            &inbound(&headers, b"plain text payload\n", NOW),
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
        assert_eq!(
            Bitbucket.detect(&inbound(&bb, b"", NOW)),
            Confidence::Strong
        );
        let gh = [
            Header::new("x-hub-signature", "sha256=00"),
            Header::new("x-github-event", "push"),
        ];
        assert_eq!(Bitbucket.detect(&inbound(&gh, b"", NOW)), Confidence::No);
        let meta = Bitbucket.event(&inbound(&bb, b"", NOW));
        assert_eq!(meta.event_type.as_deref(), Some("repo:push"));
        assert_eq!(meta.event_id.as_deref(), Some("u-1"));
    }
}

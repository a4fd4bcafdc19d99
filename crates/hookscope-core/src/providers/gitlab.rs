//! GitLab: `X-Gitlab-Token` carries the configured secret token in clear — no HMAC, no timestamp
//! — and is compared with the secret in constant time. Newer GitLab versions can also send a
//! signing token (behind a feature flag) that follows Standard Webhooks: `webhook-id`,
//! `webhook-timestamp` and `webhook-signature: v1,<base64>` over `{id}.{timestamp}.{body}`. When
//! that signature is present it is verified instead of the token. How GitLab turns the signing
//! token into key bytes is not documented, so both a `whsec_`/base64 key and the token text used
//! as-is are accepted.
//!
//! Because the token *is* the secret, reports never show it: `received` and `expected` are
//! fingerprints (length and a SHA-256 prefix) that are enough to compare two values by eye.

use sha2::Digest as _;
use subtle::ConstantTimeEq as _;

use super::common::{self, Parsed};
use super::standard_webhooks as sw;
use super::{
    Confidence, EventMeta, Inbound, Provider, ProviderInfo, SignError, SignInput, SignatureReport,
    SignatureStatus,
};

pub struct GitLab;

const RECIPE: &str = "X-Gitlab-Token equals the secret token (plain text, no HMAC)";

static INFO: ProviderInfo = ProviderInfo {
    id: "gitlab",
    name: "GitLab",
    docs_url: "https://docs.gitlab.com/user/project/integrations/webhooks/",
    scheme: "the secret token in clear in `X-Gitlab-Token`; optionally a Standard Webhooks \
             signing token (`webhook-signature`)",
    signature_headers: &[
        "X-Gitlab-Token",
        "X-Gitlab-Event",
        "X-Gitlab-Event-UUID",
        "X-Gitlab-Webhook-UUID",
        "Idempotency-Key",
        "webhook-signature",
    ],
    secret_kind: "the webhook's secret token (or its signing token)",
    retries: "no per-event retry schedule; after 4 consecutive failures the hook is disabled \
              temporarily (1 min, doubling, up to 24 h), permanently after 40; 10 s timeout",
    tolerance_secs: None,
};

/// A value that can be compared by eye without being revealed.
fn fingerprint(value: &str) -> String {
    let digest = sha2::Sha256::digest(value.as_bytes());
    format!(
        "{} characters, sha256 {}…",
        value.chars().count(),
        hex::encode(digest.get(..6).unwrap_or_default())
    )
}

/// Signing-token keys: the Standard Webhooks decoding when the token has that form, the text
/// itself otherwise.
fn signing_keys(secret: &str) -> Vec<Vec<u8>> {
    let mut keys = vec![secret.trim().as_bytes().to_vec()];
    if let Some(k) = sw::key_of(secret).filter(|_| secret.trim().starts_with("whsec_")) {
        keys.insert(0, k);
    }
    keys
}

impl Provider for GitLab {
    fn info(&self) -> &'static ProviderInfo {
        &INFO
    }

    fn detect(&self, req: &Inbound<'_>) -> Confidence {
        let ua = req.header("user-agent").unwrap_or_default();
        let gitlab_header = req.headers.iter().any(|h| {
            h.name
                .get(..9)
                .is_some_and(|p| p.eq_ignore_ascii_case("x-gitlab-"))
        });
        if gitlab_header || ua.starts_with("GitLab/") {
            Confidence::Strong
        } else {
            Confidence::No
        }
    }

    fn event(&self, req: &Inbound<'_>) -> EventMeta {
        EventMeta {
            event_type: req
                .header("x-gitlab-event")
                .map(str::to_string)
                .or_else(|| common::body_field(req, &["object_kind"])),
            event_id: req
                .header("idempotency-key")
                .or_else(|| req.header("x-gitlab-event-uuid"))
                .or_else(|| req.header("webhook-id"))
                .map(str::to_string),
        }
    }

    fn verify(&self, req: &Inbound<'_>, secrets: &[String]) -> SignatureReport {
        if secrets.is_empty() {
            return common::bare_report(
                SignatureStatus::NoSecret,
                "no secret: add the webhook's secret token (Settings → Webhooks → Secret token)",
            )
            .with_recipe(RECIPE);
        }
        if req.header("webhook-signature").is_some() {
            return verify_signing_token(req, secrets);
        }
        let Some(token) = req.header("x-gitlab-token") else {
            return common::bare_report(
                SignatureStatus::Missing,
                "no `X-Gitlab-Token` header: the webhook has no secret token set in GitLab",
            )
            .with_recipe(RECIPE);
        };
        common::verify_symmetric(
            Parsed {
                provider: INFO.name,
                recipe: RECIPE,
                received: fingerprint(token),
                body: req.body,
                timestamp: None,
                tolerance_secs: None,
                now: req.now,
            },
            secrets,
            |s| Some(s.as_bytes().to_vec()),
            // The token does not depend on the body.
            |key, _body| key.len() == token.len() && bool::from(key.ct_eq(token.as_bytes())),
            |key| fingerprint(&String::from_utf8_lossy(key)),
            Vec::new,
        )
    }

    fn sign(&self, input: &SignInput<'_>) -> Result<Vec<(String, String)>, SignError> {
        if input.secret.is_empty() {
            return Err(SignError::BadSecret("the secret token is empty".into()));
        }
        let mut out = vec![("X-Gitlab-Token".into(), input.secret.to_string())];
        let signed = input
            .headers
            .iter()
            .any(|h| h.name.eq_ignore_ascii_case("webhook-signature"));
        if signed {
            let key = signing_keys(input.secret)
                .into_iter()
                .next()
                .unwrap_or_default();
            out.extend(sw::sign_with(input, &key, "webhook"));
        }
        Ok(out)
    }
}

/// The Standard Webhooks flow, each secret standing for the key (of its possible forms) that
/// matches the request, or else its first form.
fn verify_signing_token(req: &Inbound<'_>, secrets: &[String]) -> SignatureReport {
    let h = sw::headers(req);
    let matching_key = |secret: &str| {
        let keys = signing_keys(secret);
        let found = match (h.id, h.timestamp, h.signature) {
            (Some(id), Some(ts), Some(sig)) => {
                let sigs = sw::v1_entries(sig);
                keys.iter().find(|k| {
                    let computed = sw::mac(k, id, ts, req.body);
                    sigs.iter()
                        .any(|s| common::signature_matches(common::Enc::Base64, &computed, s))
                })
            }
            _ => None,
        };
        found.or(keys.first()).cloned()
    };
    sw::verify_with(INFO.name, req, secrets, matching_key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Header as H;
    use crate::providers::testkit;

    fn inbound<'a>(headers: &'a [H], body: &'a [u8], now: i64) -> Inbound<'a> {
        testkit::inbound(headers, body, now)
    }

    fn verify(headers: &[H], body: &[u8], secrets: &[&str]) -> SignatureReport {
        GitLab.verify(
            &inbound(headers, body, 1_700_000_000),
            &testkit::secrets(secrets),
        )
    }

    #[test]
    fn token_matches_and_is_never_shown() {
        let h = [H::new("x-gitlab-token", "s3cr3t-token")];
        let r = verify(&h, b"{}", &["other", "s3cr3t-token"]);
        assert_eq!(
            (r.status, r.secret_index),
            (SignatureStatus::Valid, Some(1))
        );
        let shown = serde_json::to_string(&r).expect("json");
        assert!(!shown.contains("s3cr3t-token"), "{shown}");
        let r = verify(&h, b"{}", &["other"]);
        assert_eq!(r.status, SignatureStatus::Invalid);
        assert!(r.diagnosis.iter().any(|d| d.code == "wrong_secret"));
        assert_ne!(r.received, r.expected);
        assert!(!serde_json::to_string(&r).expect("json").contains("other"));
    }

    #[test]
    fn token_with_a_pasted_newline_is_explained() {
        let h = [H::new("x-gitlab-token", "tok")];
        let r = verify(&h, b"{}", &["tok\n"]);
        assert_eq!(r.status, SignatureStatus::Invalid);
        assert!(
            r.diagnosis
                .iter()
                .any(|d| d.code == "secret_whitespace" && d.explains)
        );
    }

    #[test]
    fn missing_and_no_secret() {
        assert_eq!(verify(&[], b"{}", &["t"]).status, SignatureStatus::Missing);
        let h = [H::new("x-gitlab-token", "t")];
        assert_eq!(verify(&h, b"{}", &[]).status, SignatureStatus::NoSecret);
    }

    #[test]
    fn signing_token_is_verified_with_either_key_form() {
        let body = br#"{"object_kind":"push"}"#;
        for secret in [
            "plain-signing-token",
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        ] {
            let original = [H::new("webhook-signature", "v1,placeholder")];
            let input = SignInput {
                secret,
                body,
                timestamp: 1_700_000_000,
                url: "",
                method: "POST",
                headers: &original,
            };
            let mut headers: Vec<H> = GitLab
                .sign(&input)
                .expect("sign")
                .into_iter()
                .map(|(n, v)| H::new(n.to_ascii_lowercase(), v))
                .collect();
            headers.push(H::new("x-gitlab-event", "Push Hook"));
            let r = verify(&headers, body, &["unrelated", secret]);
            assert_eq!(
                (r.status, r.secret_index),
                (SignatureStatus::Valid, Some(1)),
                "{secret}"
            );
            let r = verify(&headers, b"{}", &[secret]);
            assert_eq!(r.status, SignatureStatus::Invalid);
            let meta = GitLab.event(&inbound(&headers, body, 0));
            assert_eq!(meta.event_type.as_deref(), Some("Push Hook"));
            assert!(meta.event_id.is_some_and(|id| id.starts_with("msg_")));
        }
    }

    #[test]
    fn detection() {
        let h = [H::new("x-gitlab-event", "Push Hook")];
        assert_eq!(GitLab.detect(&inbound(&h, b"", 0)), Confidence::Strong);
        let sw_only = [H::new("webhook-signature", "v1,x")];
        assert_eq!(GitLab.detect(&inbound(&sw_only, b"", 0)), Confidence::No);
    }
}

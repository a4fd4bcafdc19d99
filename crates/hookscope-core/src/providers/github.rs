//! GitHub: `X-Hub-Signature-256: sha256=<hex>` = HMAC-SHA256(secret, body); the legacy
//! `X-Hub-Signature: sha1=<hex>` is sent alongside and only used here when the SHA-256 header is
//! absent. Nothing is timestamped, so replays can only be caught by deduplicating on
//! `X-GitHub-Delivery`. `X-Hub-Signature` alone is not GitHub's: Intercom, Bitbucket and Meta send
//! it too, so detection relies on the `X-GitHub-*` headers and the `GitHub-Hookshot` User-Agent.
//!
//! Event type: `X-GitHub-Event`, joined with the body's `action` when there is one
//! (`issues.opened`, `pull_request.closed`), because the header alone hides what happened; events
//! without an action (`push`, `ping`) keep the bare header value.

use super::common::{self, Alg, Enc};
use super::scheme::{HmacScheme, Message};
use super::{
    Confidence, EventMeta, Inbound, Provider, ProviderInfo, SignError, SignInput, SignatureReport,
};

pub struct GitHub;

const RECIPE_256: &str = "`sha256=` + hex(HMAC-SHA256(secret, body)) in X-Hub-Signature-256";
const RECIPE_1: &str = "`sha1=` + hex(HMAC-SHA1(secret, body)) in X-Hub-Signature (legacy)";

static INFO: ProviderInfo = ProviderInfo {
    id: "github",
    name: "GitHub",
    docs_url: "https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries",
    scheme: "HMAC-SHA256 hex over the body, `sha256=` prefix (legacy HMAC-SHA1 `sha1=`)",
    signature_headers: &[
        "X-Hub-Signature-256",
        "X-Hub-Signature",
        "X-GitHub-Event",
        "X-GitHub-Delivery",
    ],
    secret_kind: "the webhook's secret, any text",
    retries: "no automatic retries; failed deliveries can be redelivered by hand or through the \
              API for about 3 days",
    tolerance_secs: None,
};

static SHA256: HmacScheme = HmacScheme {
    provider: INFO.name,
    alg: Alg::Sha256,
    enc: Enc::Hex,
    header: "X-Hub-Signature-256",
    prefix: "sha256=",
    message: Message::Body,
    tolerance_secs: None,
    recipe: RECIPE_256,
    no_secret: "no secret: add the webhook's secret (repository or organisation settings → \
                Webhooks → Secret)",
    missing: "no `X-Hub-Signature-256` header: the webhook has no secret set on GitHub",
};

/// The legacy header, verified when it comes alone.
static SHA1: HmacScheme = HmacScheme {
    alg: Alg::Sha1,
    header: "X-Hub-Signature",
    prefix: "sha1=",
    recipe: RECIPE_1,
    ..SHA256
};

impl Provider for GitHub {
    fn info(&self) -> &'static ProviderInfo {
        &INFO
    }

    fn detect(&self, req: &Inbound<'_>) -> Confidence {
        let ua = req.header("user-agent").unwrap_or_default();
        if req.header("x-github-event").is_some()
            || req.header("x-github-delivery").is_some()
            || ua.starts_with("GitHub-Hookshot/")
        {
            Confidence::Strong
        } else if req.header("x-hub-signature-256").is_some() {
            // Also Meta's header name: a weak hint only.
            Confidence::Weak
        } else {
            Confidence::No
        }
    }

    fn event(&self, req: &Inbound<'_>) -> EventMeta {
        let event_type =
            req.header("x-github-event")
                .map(|e| match common::body_field(req, &["action"]) {
                    Some(action) => format!("{e}.{action}"),
                    None => e.to_string(),
                });
        EventMeta {
            event_type,
            event_id: req.header("x-github-delivery").map(str::to_string),
        }
    }

    fn verify(&self, req: &Inbound<'_>, secrets: &[String]) -> SignatureReport {
        if req.header(SHA256.header).is_none() && req.header(SHA1.header).is_some() {
            SHA1.verify(req, secrets)
        } else {
            SHA256.verify(req, secrets)
        }
    }

    fn sign(&self, input: &SignInput<'_>) -> Result<Vec<(String, String)>, SignError> {
        let mut headers = SHA256.sign(input);
        headers.extend(SHA1.sign(input));
        Ok(headers)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Header as H;
    use crate::providers::SignatureStatus;
    use crate::providers::testkit;

    // GitHub's docs example ("Testing the webhook payload validation").
    const DOCS_SECRET: &str = "It's a Secret to Everybody";
    const DOCS_BODY: &[u8] = b"Hello, World!";
    const DOCS_SIG: &str =
        "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

    fn inbound<'a>(headers: &'a [H], body: &'a [u8]) -> Inbound<'a> {
        testkit::inbound(headers, body, 0)
    }

    fn verify(headers: &[H], body: &[u8], secrets: &[&str]) -> SignatureReport {
        testkit::verify(&GitHub, headers, body, 0, secrets)
    }

    fn signed(secret: &str, body: &[u8]) -> Vec<H> {
        testkit::signed(&GitHub, secret, body, 0)
    }

    #[test]
    fn docs_vector_verifies_and_signs() {
        let headers = [H::new("x-hub-signature-256", DOCS_SIG)];
        let r = verify(&headers, DOCS_BODY, &[DOCS_SECRET]);
        assert_eq!(r.status, SignatureStatus::Valid, "{r:?}");
        assert_eq!(r.expected.as_deref(), Some(DOCS_SIG));
        let out = signed(DOCS_SECRET, DOCS_BODY);
        assert_eq!(out[0].value_lossy(), DOCS_SIG);
    }

    #[test]
    fn legacy_sha1_header_alone_is_verified() {
        let headers: Vec<H> = signed("s", b"{}")
            .into_iter()
            .filter(|h| h.name == "x-hub-signature")
            .collect();
        let r = verify(&headers, b"{}", &["s"]);
        assert_eq!(r.status, SignatureStatus::Valid);
        assert_eq!(r.recipe.as_deref(), Some(RECIPE_1));
    }

    #[test]
    fn shared_symmetric_cases() {
        testkit::symmetric(&GitHub, "s", b"{\"a\":1}", 0);
    }

    #[test]
    fn diagnosis_finds_a_trailing_newline_added_by_a_proxy() {
        // Not JSON, so the re-serialisation variant does not claim it first.
        let headers = signed("s", b"payload=text");
        let r = verify(&headers, b"payload=text\n", &["s"]);
        assert_eq!(r.status, SignatureStatus::Invalid);
        assert!(
            r.diagnosis
                .iter()
                .any(|d| d.code == "body_trailing_newline" && d.explains)
        );
    }

    #[test]
    fn event_joins_the_action_but_push_stays_push() {
        let headers = [
            H::new("x-github-event", "issues"),
            H::new("x-github-delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958"),
        ];
        let meta = GitHub.event(&inbound(&headers, br#"{"action":"opened"}"#));
        assert_eq!(meta.event_type.as_deref(), Some("issues.opened"));
        assert_eq!(
            meta.event_id.as_deref(),
            Some("72d3162e-cc78-11e3-81ab-4c9367dc0958")
        );
        let push = [H::new("x-github-event", "push")];
        let meta = GitHub.event(&inbound(&push, br#"{"ref":"refs/heads/main"}"#));
        assert_eq!(meta.event_type.as_deref(), Some("push"));
        assert_eq!(GitHub.detect(&inbound(&push, b"")), Confidence::Strong);
        let bare = [H::new("x-hub-signature", "sha1=00")];
        assert_eq!(GitHub.detect(&inbound(&bare, b"")), Confidence::No);
    }
}

//! The provider catalog: one small module per signing scheme.
//!
//! Each provider recognises its requests (`detect`), names the event (`event`), verifies a
//! signature with the endpoint's secrets (`verify`, with a diagnosis when it fails), signs a
//! body the way the provider would (`sign`, for re-signed replays and test events), answers the
//! provider's URL-verification handshake when it has one, and describes itself (`info`).
//!
//! Invariants:
//! - Everything here is pure: no I/O, no clock reads (the caller passes `now`), no panics on any
//!   input — payloads are attacker-controlled.
//! - Secrets never appear in a [`SignatureReport`]; reports are stored and shown to the user.
//!
//! Adding a provider: write `providers/<id>.rs` implementing [`Provider`], add it to
//! [`catalog`], add the provider's published test vectors as unit tests, and a row to the
//! README's provider table.

mod adyen;
mod bitbucket;
mod calendly;
mod coinbase_commerce;
pub mod common;
mod discord;
mod dropbox;
mod github;
mod gitlab;
mod hubspot;
mod intercom;
mod lemonsqueezy;
mod linear;
mod mailgun;
mod mollie;
mod paddle;
mod pagerduty;
mod plaid;
mod postmark;
mod razorpay;
mod scheme;
mod sendgrid;
mod sentry;
mod shopify;
mod slack;
mod square;
mod standard_webhooks;
mod stripe;
#[cfg(test)]
mod testkit;
mod twilio;
mod twitch;
mod typeform;
mod vercel;
mod woocommerce;
mod zendesk;
mod zoom;

use serde::Serialize;

use crate::model::{Header, Reply};

/// A captured request as the analysis sees it.
#[derive(Debug, Clone, Copy)]
pub struct Inbound<'a> {
    pub method: &'a str,
    /// The absolute URL the provider called (the endpoint's public URL with the path after the
    /// slug appended, or one rebuilt from `Host` / `X-Forwarded-*`). Schemes that sign the URL
    /// (Twilio, Square, HubSpot) use this.
    pub url: &'a str,
    pub headers: &'a [Header],
    /// The body exactly as received (still compressed if it was sent compressed).
    pub body: &'a [u8],
    /// Unix time in seconds at analysis, for timestamp tolerance checks.
    pub now: i64,
    /// The body parsed as JSON by [`analyse`], shared by the providers; `None` elsewhere. Read
    /// through [`common::body_json`], which parses the body itself when this is absent.
    pub json: Option<&'a common::SharedJson<'a>>,
}

impl<'a> Inbound<'a> {
    /// First value of a header, case-insensitively, if it is valid UTF-8.
    pub fn header(&self, name: &str) -> Option<&'a str> {
        self.headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .and_then(|h| std::str::from_utf8(&h.value).ok())
    }

    /// Every value of a header, in arrival order.
    pub fn header_all(&self, name: &str) -> Vec<&'a str> {
        self.headers
            .iter()
            .filter(|h| h.name.eq_ignore_ascii_case(name))
            .filter_map(|h| std::str::from_utf8(&h.value).ok())
            .collect()
    }
}

/// What `detect` thinks: how sure it is that the request came from this provider.
/// The highest confidence wins; ties go to the provider listed first in the catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Confidence {
    No,
    /// Body shape or a generic header only.
    Weak,
    /// A header or User-Agent only this provider sends.
    Strong,
}

/// The provider's event type and delivery/event id, when the request carries them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct EventMeta {
    pub event_type: Option<String>,
    pub event_id: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SignatureStatus {
    /// Matches with one of the endpoint's secrets, timestamp within tolerance.
    Valid,
    /// Does not match with any secret.
    Invalid,
    /// Matches the bytes, but the signed timestamp is outside the provider's tolerance.
    Stale,
    /// The request carries no signature the scheme expects.
    Missing,
    /// The endpoint has no secret to verify with.
    NoSecret,
    /// The scheme cannot be verified here (e.g. unsigned provider, key only available online).
    Unsupported,
}

impl SignatureStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Valid => "valid",
            Self::Invalid => "invalid",
            Self::Stale => "stale",
            Self::Missing => "missing",
            Self::NoSecret => "no_secret",
            Self::Unsupported => "unsupported",
        }
    }
}

/// The outcome of a verification, stored with the event and shown to the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SignatureReport {
    pub status: SignatureStatus,
    /// One sentence a user can act on.
    pub reason: String,
    /// Index (0-based) of the endpoint secret that matched, when one did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_index: Option<usize>,
    /// How the signed string is built, in words (e.g. `"{t}.{body}" HMAC-SHA256 hex`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recipe: Option<String>,
    /// The signature the request carried, as found in the header/body.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub received: Option<String>,
    /// What the first secret produces for these bytes (never the secret itself).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    /// Age of the signed timestamp in seconds (positive: in the past).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timestamp_age_secs: Option<i64>,
    /// Known mistakes tried when it did not match, the ones that explain it first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub diagnosis: Vec<Diagnosis>,
}

impl SignatureReport {
    /// The same report with the signed-string recipe filled in.
    pub fn with_recipe(mut self, recipe: impl Into<String>) -> Self {
        self.recipe = Some(recipe.into());
        self
    }
}

/// One finding of the diagnosis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnosis {
    /// Stable machine code, e.g. `secret_base64_decoded`, `body_reserialized`, `stale_timestamp`,
    /// `api_key_not_signing_secret`, `clock_skew`, `body_decompressed`, `wrong_parts`.
    pub code: String,
    /// What it means and what to do, in words.
    pub message: String,
    /// True when trying this variant made the signature match: it explains the failure.
    pub explains: bool,
}

/// Static description of a provider, for `hookscope providers` and the UI.
#[derive(Debug, Clone, Serialize)]
pub struct ProviderInfo {
    pub id: &'static str,
    pub name: &'static str,
    pub docs_url: &'static str,
    /// The signing scheme in words.
    pub scheme: &'static str,
    /// Headers the provider's signature and metadata travel in.
    pub signature_headers: &'static [&'static str],
    /// What the endpoint's "secret" is for this scheme (shared secret, public key, token…).
    pub secret_kind: &'static str,
    /// The provider's retry schedule in words.
    pub retries: &'static str,
    /// Timestamp tolerance in seconds, for schemes that sign a timestamp.
    pub tolerance_secs: Option<i64>,
}

/// Input of [`Provider::sign`].
#[derive(Debug, Clone)]
pub struct SignInput<'a> {
    pub secret: &'a str,
    pub body: &'a [u8],
    /// Unix seconds to sign with (fresh `now` for re-signing).
    pub timestamp: i64,
    /// The URL the request will be delivered to, for schemes that sign it.
    pub url: &'a str,
    pub method: &'a str,
    /// Headers the request already has (e.g. a `webhook-id` to keep).
    pub headers: &'a [Header],
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SignError {
    #[error("{0} cannot be signed here: {1}")]
    Unsupported(&'static str, String),
    #[error("the secret is not usable for this scheme: {0}")]
    BadSecret(String),
}

pub trait Provider: Send + Sync {
    fn info(&self) -> &'static ProviderInfo;
    fn detect(&self, req: &Inbound<'_>) -> Confidence;
    fn event(&self, req: &Inbound<'_>) -> EventMeta;
    /// Verify with any of `secrets` (rotation). `secrets` may be empty: say `NoSecret`.
    fn verify(&self, req: &Inbound<'_>, secrets: &[String]) -> SignatureReport;
    /// The headers the provider would send for this body (signature, timestamp, id…).
    fn sign(&self, input: &SignInput<'_>) -> Result<Vec<(String, String)>, SignError>;
    /// The answer to the provider's URL-verification challenge, when this request is one.
    fn handshake(&self, _req: &Inbound<'_>, _secrets: &[String]) -> Option<Reply> {
        None
    }
}

/// Every provider, in detection-priority order.
pub fn catalog() -> &'static [&'static dyn Provider] {
    &[
        &stripe::Stripe,
        &github::GitHub,
        &gitlab::GitLab,
        &shopify::Shopify,
        &slack::Slack,
        &twilio::Twilio,
        &standard_webhooks::StandardWebhooks,
        &paddle::Paddle,
        &square::Square,
        &zoom::Zoom,
        &intercom::Intercom,
        // batch 2
        &mailgun::Mailgun,
        &sendgrid::SendGrid,
        &discord::Discord,
        &linear::Linear,
        &twitch::Twitch,
        &hubspot::HubSpot,
        &typeform::Typeform,
        &calendly::Calendly,
        &razorpay::Razorpay,
        &mollie::Mollie,
        &woocommerce::WooCommerce,
        // batch 3
        &bitbucket::Bitbucket,
        &dropbox::Dropbox,
        &vercel::Vercel,
        &postmark::Postmark,
        &sentry::Sentry,
        &pagerduty::PagerDuty,
        &lemonsqueezy::LemonSqueezy,
        &coinbase_commerce::CoinbaseCommerce,
        &plaid::Plaid,
        &adyen::Adyen,
        &zendesk::Zendesk,
    ]
}

/// Look a provider up by its id (`stripe`, `standard-webhooks`, …).
pub fn by_id(id: &str) -> Option<&'static dyn Provider> {
    catalog().iter().copied().find(|p| p.info().id == id)
}

/// The provider that most confidently recognises the request; ties go to the one listed first.
pub fn detect(req: &Inbound<'_>) -> Option<&'static dyn Provider> {
    let mut best: Option<(Confidence, &'static dyn Provider)> = None;
    for &p in catalog() {
        let c = p.detect(req);
        if c > Confidence::No && best.is_none_or(|(b, _)| c > b) {
            best = Some((c, p));
        }
        // Nothing beats a strong match listed first: the later detectors need not run.
        if c == Confidence::Strong {
            break;
        }
    }
    best.map(|(_, p)| p)
}

/// What the capture pipeline stores in the summary columns.
#[derive(Debug, Clone, Default)]
pub struct Analysis {
    pub provider: Option<&'static str>,
    pub meta: EventMeta,
    pub signature: Option<SignatureReport>,
    pub handshake: Option<Reply>,
}

/// Recognise the provider (the endpoint's hint wins over detection), name the event, verify the
/// signature and prepare a handshake answer. Cheap enough for the capture path.
pub fn analyse(req: &Inbound<'_>, hint: Option<&str>, secrets: &[String]) -> Analysis {
    // Parse the body once for every provider that reads it, instead of once per reader.
    let json = common::SharedJson::parse(req.body);
    let req = &Inbound {
        json: Some(&json),
        ..*req
    };
    let provider = match hint {
        Some(id) => by_id(id),
        None => detect(req),
    };
    let Some(provider) = provider else {
        return Analysis::default();
    };
    Analysis {
        provider: Some(provider.info().id),
        meta: provider.event(req),
        signature: Some(provider.verify(req, secrets)),
        handshake: provider.handshake(req, secrets),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::testkit;

    fn inbound<'a>(headers: &'a [Header], body: &'a [u8]) -> Inbound<'a> {
        testkit::inbound(headers, body, 1_700_000_000)
    }

    #[test]
    fn ids_are_unique_and_found_by_id() {
        for p in catalog() {
            let id = p.info().id;
            assert_eq!(
                catalog().iter().filter(|q| q.info().id == id).count(),
                1,
                "{id}"
            );
            assert!(by_id(id).is_some());
        }
    }

    #[test]
    fn shared_header_names_go_to_the_right_provider() {
        let body = br#"{"type":"notification_event","topic":"ping","id":"n1"}"#;
        let cases: Vec<(Vec<Header>, &[u8], &str)> = vec![
            (
                vec![
                    Header::new("x-hub-signature", "sha1=00"),
                    Header::new("x-hub-signature-256", "sha256=00"),
                    Header::new("x-github-event", "ping"),
                    Header::new("user-agent", "GitHub-Hookshot/abc"),
                ],
                b"{}",
                "github",
            ),
            (
                vec![Header::new("x-hub-signature", "sha1=00")],
                body,
                "intercom",
            ),
            (
                vec![
                    Header::new("x-gitlab-event", "Push Hook"),
                    Header::new("webhook-id", "msg_1"),
                    Header::new("webhook-timestamp", "1700000000"),
                    Header::new("webhook-signature", "v1,AAAA"),
                ],
                b"{}",
                "gitlab",
            ),
            (
                vec![
                    Header::new("webhook-id", "msg_1"),
                    Header::new("webhook-timestamp", "1700000000"),
                    Header::new("webhook-signature", "v1,AAAA"),
                ],
                b"{}",
                "standard-webhooks",
            ),
            (
                vec![Header::new("svix-signature", "v1,AAAA")],
                b"{}",
                "standard-webhooks",
            ),
            (
                vec![Header::new("stripe-signature", "t=1,v1=00")],
                b"{}",
                "stripe",
            ),
            (
                vec![Header::new("x-twilio-signature", "AAAA")],
                b"a=1",
                "twilio",
            ),
        ];
        for (headers, body, want) in cases {
            let a = analyse(&inbound(&headers, body), None, &[]);
            assert_eq!(a.provider, Some(want), "{headers:?}");
        }
    }

    #[test]
    fn analyse_prepares_handshakes_and_honours_the_hint() {
        let body = br#"{"event":"endpoint.url_validation","payload":{"plainToken":"abc"}}"#;
        let a = analyse(&inbound(&[], body), None, &["zoom-secret".into()]);
        assert_eq!(a.provider, Some("zoom"));
        assert!(a.handshake.is_some());
        let body = br#"{"type":"url_verification","challenge":"c"}"#;
        let a = analyse(&inbound(&[], body), None, &[]);
        assert_eq!(a.provider, Some("slack"));
        assert!(a.handshake.is_some());
        let a = analyse(&inbound(&[], b"{}"), Some("paddle"), &[]);
        assert_eq!(a.provider, Some("paddle"));
        assert_eq!(
            a.signature.map(|s| s.status),
            Some(SignatureStatus::NoSecret)
        );
    }
}

//! The engine's data: what a captured request is, what an endpoint is, what the store hands out.
//!
//! Requests are kept as received: header values and bodies are bytes, not strings, because
//! providers (and attackers) send whatever they like and a debugger must show exactly that.

use serde::{Deserialize, Serialize};

/// One header line as received. Names are lower-case (the HTTP stack normalises them); values are
/// the raw bytes. Repeated headers are separate entries, in arrival order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub name: String,
    pub value: Vec<u8>,
}

impl Header {
    pub fn new(name: impl Into<String>, value: impl Into<Vec<u8>>) -> Self {
        Self {
            name: name.into(),
            value: value.into(),
        }
    }

    /// The value as text, with invalid UTF-8 replaced (for display and search only).
    pub fn value_lossy(&self) -> String {
        String::from_utf8_lossy(&self.value).into_owned()
    }
}

/// A request as the capture server received it, before anything is stored.
#[derive(Debug, Clone)]
pub struct RawRequest {
    pub method: String,
    /// The path as sent, percent-encoding kept, slug included.
    pub path: String,
    /// The raw query string without `?`; empty when none.
    pub query: String,
    /// `HTTP/1.1`, `HTTP/2.0`, …
    pub http_version: String,
    pub headers: Vec<Header>,
    pub body: Vec<u8>,
    pub remote_addr: Option<String>,
    /// Microseconds since the Unix epoch.
    pub received_at_us: i64,
    /// Set when the body was not kept (too large): the reason and the size the sender declared.
    pub rejection: Option<Rejection>,
}

impl RawRequest {
    pub fn content_type(&self) -> Option<String> {
        self.header("content-type")
            .map(|v| String::from_utf8_lossy(v).into_owned())
    }

    /// The size recorded: the body kept, or for a rejected request the size it declared.
    pub fn recorded_size(&self) -> u64 {
        let kept = self.body.len() as u64;
        self.rejection
            .as_ref()
            .and_then(|r| r.declared_size)
            .unwrap_or(kept)
    }

    pub fn header(&self, name: &str) -> Option<&[u8]> {
        self.headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| h.value.as_slice())
    }
}

/// Why a request's body was not stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rejection {
    /// `too_large`.
    pub reason: String,
    /// `Content-Length` as declared, when there was one.
    pub declared_size: Option<u64>,
    /// The limit that applied.
    pub limit: u64,
}

/// An answer the capture server gives: from the endpoint's response rule, a handshake, or an error.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// Failures injected on purpose so a user can rehearse a provider's retries.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InjectedFailures {
    /// Answer `fail_status` to the first N deliveries of each distinct request (same provider
    /// event id, or else same method, path and body).
    #[serde(default)]
    pub fail_first: u32,
    /// Answer `fail_status` to this percentage (0–100) of requests, at random.
    #[serde(default)]
    pub fail_percent: u8,
    /// The status used for injected failures (500 when unset).
    #[serde(default)]
    pub fail_status: Option<u16>,
}

/// How an endpoint answers the provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResponseRule {
    pub status: u16,
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub delay_ms: u64,
    #[serde(default)]
    pub failures: InjectedFailures,
}

impl Default for ResponseRule {
    fn default() -> Self {
        Self {
            status: 200,
            headers: vec![("content-type".into(), "application/json".into())],
            body: r#"{"ok":true}"#.into(),
            delay_ms: 0,
            failures: InjectedFailures::default(),
        }
    }
}

impl ResponseRule {
    /// The status to answer with, given how many earlier deliveries of the same request this
    /// endpoint has seen and a uniform random number in `0..100`.
    pub fn decide_status(&self, prior_deliveries: u64, roll: u8) -> u16 {
        let fail = self.failures.fail_status.unwrap_or(500);
        if prior_deliveries < u64::from(self.failures.fail_first)
            || roll < self.failures.fail_percent
        {
            fail
        } else {
            self.status
        }
    }

    pub fn injects_failures(&self) -> bool {
        self.failures.fail_first > 0 || self.failures.fail_percent > 0
    }
}

/// The default endpoint's slug: it also takes every request whose first path segment is no
/// endpoint's slug.
pub const DEFAULT_SLUG: &str = "default";

/// Default body limit per endpoint: 25 MiB.
pub const DEFAULT_MAX_BODY: u64 = 25 * 1024 * 1024;

/// A named inbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Endpoint {
    pub id: i64,
    pub slug: String,
    pub name: String,
    /// Signing secrets, several for rotation. Never logged; masked in listings.
    pub secrets: Vec<String>,
    /// A provider id that overrides detection.
    pub provider: Option<String>,
    pub response: ResponseRule,
    /// Where auto-forward sends events (the replay issue).
    pub forward_url: Option<String>,
    /// The URL the provider calls for this endpoint, for schemes that sign the URL.
    pub public_url: Option<String>,
    pub notify: bool,
    pub max_body: u64,
    /// Answer providers' URL-verification challenges (Slack, Zoom, Twitch, Discord, Dropbox).
    pub handshakes: bool,
    pub created_at_us: i64,
}

/// Fields to create or change an endpoint; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct EndpointPatch {
    pub name: Option<String>,
    pub secrets: Option<Vec<String>>,
    pub provider: Option<Option<String>>,
    pub response: Option<ResponseRule>,
    pub forward_url: Option<Option<String>>,
    pub public_url: Option<Option<String>>,
    pub notify: Option<bool>,
    pub max_body: Option<u64>,
    pub handshakes: Option<bool>,
}

/// Mask a secret for display: `whsec_…abcd`.
pub fn mask_secret(secret: &str) -> String {
    let prefix = secret
        .find('_')
        .filter(|i| *i <= 8)
        .map_or("", |i| &secret[..=i]);
    let tail: String = secret
        .chars()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    if secret.chars().count() <= 8 {
        "…".to_string()
    } else {
        format!("{prefix}…{tail}")
    }
}

/// A small summary of an event: what lists show and what the hub broadcasts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventSummary {
    pub id: i64,
    pub endpoint: String,
    pub received_at_us: i64,
    pub method: String,
    pub path: String,
    pub query: String,
    pub body_size: u64,
    pub content_type: Option<String>,
    pub provider: Option<String>,
    pub event_type: Option<String>,
    pub event_id: Option<String>,
    pub signature_status: Option<String>,
    pub duplicate_of: Option<i64>,
    pub response_status: u16,
    pub rejected: Option<String>,
    /// Brought in by `import` (with its original time) rather than captured.
    pub imported: bool,
}

/// A stored event with everything that was captured.
#[derive(Debug, Clone)]
pub struct Event {
    pub summary: EventSummary,
    pub http_version: String,
    pub headers: Vec<Header>,
    pub body: Vec<u8>,
    pub remote_addr: Option<String>,
    pub rejection: Option<Rejection>,
    /// The stored signature report (JSON), when the provider was recognised.
    pub signature: Option<serde_json::Value>,
    /// Brought in by `import` rather than captured; never auto-forwarded.
    pub imported: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_keep_prefix_and_tail_only() {
        assert_eq!(
            mask_secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
            "whsec_…LaSw"
        );
        assert_eq!(mask_secret("supersecretvalue"), "…alue");
        assert_eq!(mask_secret("short"), "…");
    }

    #[test]
    fn injected_failures_fail_first_deliveries_then_succeed() {
        let mut rule = ResponseRule::default();
        rule.failures.fail_first = 2;
        assert_eq!(rule.decide_status(0, 99), 500);
        assert_eq!(rule.decide_status(1, 99), 500);
        assert_eq!(rule.decide_status(2, 99), 200);
        rule.failures = InjectedFailures {
            fail_percent: 30,
            fail_status: Some(503),
            ..Default::default()
        };
        assert_eq!(rule.decide_status(0, 29), 503);
        assert_eq!(rule.decide_status(0, 30), 200);
    }
}

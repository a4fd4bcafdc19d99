//! What crosses IPC: request and response types of the commands, in camelCase, each exported to
//! TypeScript by ts-rs (see [`crate::bindings`]). They are thin views of the core's types; the
//! conversions live next to them so commands stay a few lines.
//!
//! NOTE: 64-bit integers are typed `number` in TypeScript: ids and microsecond timestamps stay
//! far below 2^53.

use hookscope_core::hmac_calc;
use hookscope_core::model::{self, Endpoint, Event};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::ApiError;

mod forward;
pub use forward::*;
mod replay;
pub use replay::*;
mod transfer;
pub use transfer::*;

/// One line of the event list, and what live updates carry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct EventSummary {
    #[ts(type = "number")]
    pub id: i64,
    pub endpoint: String,
    /// Microseconds since the Unix epoch.
    #[ts(type = "number")]
    pub received_at_us: i64,
    pub method: String,
    pub path: String,
    pub query: String,
    #[ts(type = "number")]
    pub body_size: u64,
    pub content_type: Option<String>,
    pub provider: Option<String>,
    pub event_type: Option<String>,
    pub event_id: Option<String>,
    /// `valid`, `invalid`, `stale`, `missing`, `no_secret`, `unsupported`; none when no provider
    /// was recognised.
    pub signature_status: Option<String>,
    #[ts(type = "number | null")]
    pub duplicate_of: Option<i64>,
    pub response_status: u16,
    pub rejected: Option<String>,
    /// Brought in by an import (with its original time) rather than captured.
    pub imported: bool,
}

impl From<model::EventSummary> for EventSummary {
    fn from(s: model::EventSummary) -> Self {
        Self {
            id: s.id,
            endpoint: s.endpoint,
            received_at_us: s.received_at_us,
            method: s.method,
            path: s.path,
            query: s.query,
            body_size: s.body_size,
            content_type: s.content_type,
            provider: s.provider,
            event_type: s.event_type,
            event_id: s.event_id,
            signature_status: s.signature_status,
            duplicate_of: s.duplicate_of,
            response_status: s.response_status,
            rejected: s.rejected,
            imported: s.imported,
        }
    }
}

/// Which events to list: filters (empty ones match all) and a keyset page, newest first.
#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
#[ts(optional_fields)]
pub struct EventListReq {
    pub endpoint: Option<String>,
    pub method: Option<String>,
    pub provider: Option<String>,
    pub signature_status: Option<String>,
    pub search: Option<String>,
    /// Only ids below this one (the last id of the previous page).
    #[ts(as = "Option<f64>")]
    pub before: Option<i64>,
    /// At most this many (1–1000, 200 when unset).
    pub limit: Option<u32>,
}

#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct EventGetReq {
    #[ts(type = "number")]
    pub id: i64,
}

#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct EventBodyReq {
    #[ts(type = "number")]
    pub id: i64,
    /// Undo the `Content-Encoding` (gzip, deflate, br) before sending, capped.
    #[serde(default)]
    pub decoded: bool,
}

#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
#[ts(optional_fields)]
pub struct EventClearReq {
    /// Only this endpoint's events; all when unset.
    pub endpoint: Option<String>,
}

/// Events per endpoint slug, counted up to and including event `upto`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct EventCounts {
    #[ts(type = "Record<string, number>")]
    pub counts: std::collections::BTreeMap<String, u64>,
    #[ts(type = "number")]
    pub upto: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Header {
    pub name: String,
    /// The value as text; bytes that are not UTF-8 show as replacement characters.
    pub value: String,
}

/// A stored event without its body (the body travels as raw bytes through `event_body`).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct EventDetail {
    pub summary: EventSummary,
    pub http_version: String,
    /// In arrival order; repeated headers are separate entries.
    pub headers: Vec<Header>,
    pub remote_addr: Option<String>,
    pub content_encoding: Option<String>,
    pub rejection: Option<Rejection>,
    pub signature: Option<SignatureReport>,
}

impl From<Event> for EventDetail {
    fn from(ev: Event) -> Self {
        let content_encoding = ev
            .headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case("content-encoding"))
            .map(|h| h.value_lossy());
        Self {
            http_version: ev.http_version,
            headers: ev
                .headers
                .iter()
                .map(|h| Header {
                    name: h.name.clone(),
                    value: h.value_lossy(),
                })
                .collect(),
            remote_addr: ev.remote_addr,
            content_encoding,
            rejection: ev.rejection.map(|r| Rejection {
                reason: r.reason,
                declared_size: r.declared_size,
                limit: r.limit,
            }),
            signature: ev.signature.and_then(SignatureReport::from_stored),
            summary: ev.summary.into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Rejection {
    pub reason: String,
    #[ts(type = "number | null")]
    pub declared_size: Option<u64>,
    #[ts(type = "number")]
    pub limit: u64,
}

/// The signature report stored with an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SignatureReport {
    pub status: String,
    pub reason: String,
    pub secret_index: Option<u32>,
    pub recipe: Option<String>,
    pub received: Option<String>,
    pub expected: Option<String>,
    #[ts(type = "number | null")]
    pub timestamp_age_secs: Option<i64>,
    pub diagnosis: Vec<Diagnosis>,
}

/// The report as the core stores it (snake_case JSON, optional fields omitted).
#[derive(Deserialize)]
struct StoredReport {
    status: String,
    reason: String,
    #[serde(default)]
    secret_index: Option<u32>,
    #[serde(default)]
    recipe: Option<String>,
    #[serde(default)]
    received: Option<String>,
    #[serde(default)]
    expected: Option<String>,
    #[serde(default)]
    timestamp_age_secs: Option<i64>,
    #[serde(default)]
    diagnosis: Vec<Diagnosis>,
}

impl SignatureReport {
    fn from_stored(value: serde_json::Value) -> Option<Self> {
        let r: StoredReport = serde_json::from_value(value).ok()?;
        Some(Self {
            status: r.status,
            reason: r.reason,
            secret_index: r.secret_index,
            recipe: r.recipe,
            received: r.received,
            expected: r.expected,
            timestamp_age_secs: r.timestamp_age_secs,
            diagnosis: r.diagnosis,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Diagnosis {
    pub code: String,
    pub message: String,
    pub explains: bool,
}

/// An endpoint as the sidebar shows it. Secrets are masked; they never travel back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct EndpointInfo {
    pub slug: String,
    pub name: String,
    /// The capture URL, when the server is listening.
    pub url: Option<String>,
    pub provider: Option<String>,
    pub masked_secrets: Vec<String>,
    pub notify: bool,
    #[ts(type = "number")]
    pub max_body: u64,
    pub response_status: u16,
    pub handshakes: bool,
}

impl EndpointInfo {
    pub fn new(e: Endpoint, base_url: Option<&str>) -> Self {
        let url = base_url.map(|base| {
            if e.slug == model::DEFAULT_SLUG {
                format!("{base}/")
            } else {
                format!("{base}/{}", e.slug)
            }
        });
        Self {
            url,
            masked_secrets: e.secrets.iter().map(|s| model::mask_secret(s)).collect(),
            slug: e.slug,
            name: e.name,
            provider: e.provider,
            notify: e.notify,
            max_body: e.max_body,
            response_status: e.response.status,
            handshakes: e.handshakes,
        }
    }
}

/// Fields of an endpoint to set; unset ones keep their value (or the default on create).
#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
#[ts(optional_fields)]
pub struct EndpointFields {
    pub name: Option<String>,
    /// Replaces all secrets when set.
    pub secrets: Option<Vec<String>>,
    /// A provider id that overrides detection; `""` clears it.
    pub provider: Option<String>,
    pub notify: Option<bool>,
    #[ts(as = "Option<f64>")]
    pub max_body: Option<u64>,
    pub response_status: Option<u16>,
}

impl EndpointFields {
    /// The core's patch; `base` supplies the rest of the response rule when the status changes.
    pub fn into_patch(self, base: Option<&Endpoint>) -> model::EndpointPatch {
        let response = self.response_status.map(|status| {
            let mut rule = base.map(|e| e.response.clone()).unwrap_or_default();
            rule.status = status;
            rule
        });
        model::EndpointPatch {
            name: self.name,
            secrets: self.secrets,
            provider: self
                .provider
                .map(|p| Some(p.trim().to_string()).filter(|p| !p.is_empty())),
            response,
            notify: self.notify,
            max_body: self.max_body,
            ..Default::default()
        }
    }
}

#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct EndpointCreateReq {
    pub slug: String,
    #[serde(default)]
    pub fields: EndpointFields,
}

#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct EndpointUpdateReq {
    pub slug: String,
    pub fields: EndpointFields,
}

#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct EndpointDeleteReq {
    pub slug: String,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum HmacAlgorithm {
    Sha1,
    #[default]
    Sha256,
    Sha384,
    Sha512,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum KeyEncoding {
    #[default]
    Utf8,
    Hex,
    Base64,
    Whsec,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum MessageEncoding {
    #[default]
    Text,
    Hex,
    Base64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum OutputEncoding {
    #[default]
    Hex,
    Base64,
    #[serde(rename = "base64url")]
    Base64Url,
}

/// The workbench's input: like `hookscope hmac`, optionally over a captured event's raw body.
#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
#[ts(optional_fields)]
pub struct HmacComputeReq {
    pub algorithm: HmacAlgorithm,
    pub key: String,
    pub key_encoding: KeyEncoding,
    pub message: String,
    pub message_encoding: MessageEncoding,
    /// Use this event's raw body as the message instead of `message`.
    #[ts(as = "Option<f64>")]
    pub event_id: Option<i64>,
    /// E.g. `{timestamp}.{body}`.
    pub template: Option<String>,
    pub substitutions: Vec<Substitution>,
    pub output_encoding: OutputEncoding,
    pub output_prefix: Option<String>,
    pub compare_with: Option<String>,
}

#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Substitution {
    pub name: String,
    pub value: String,
}

impl HmacComputeReq {
    /// The core's request, with `body` (the event's raw bytes) as the message when given.
    pub fn into_core(self, body: Option<Vec<u8>>) -> hmac_calc::HmacReq {
        hmac_calc::HmacReq {
            algorithm: match self.algorithm {
                HmacAlgorithm::Sha1 => hmac_calc::Algorithm::Sha1,
                HmacAlgorithm::Sha256 => hmac_calc::Algorithm::Sha256,
                HmacAlgorithm::Sha384 => hmac_calc::Algorithm::Sha384,
                HmacAlgorithm::Sha512 => hmac_calc::Algorithm::Sha512,
            },
            key: self.key,
            key_encoding: match self.key_encoding {
                KeyEncoding::Utf8 => hmac_calc::KeyEncoding::Utf8,
                KeyEncoding::Hex => hmac_calc::KeyEncoding::Hex,
                KeyEncoding::Base64 => hmac_calc::KeyEncoding::Base64,
                KeyEncoding::Whsec => hmac_calc::KeyEncoding::Whsec,
            },
            message: self.message,
            message_encoding: match self.message_encoding {
                MessageEncoding::Text => hmac_calc::MessageEncoding::Text,
                MessageEncoding::Hex => hmac_calc::MessageEncoding::Hex,
                MessageEncoding::Base64 => hmac_calc::MessageEncoding::Base64,
            },
            message_bytes: body,
            template: self.template.filter(|t| !t.is_empty()),
            substitutions: self
                .substitutions
                .into_iter()
                .map(|s| (s.name, s.value))
                .collect(),
            output_encoding: match self.output_encoding {
                OutputEncoding::Hex => hmac_calc::OutputEncoding::Hex,
                OutputEncoding::Base64 => hmac_calc::OutputEncoding::Base64,
                OutputEncoding::Base64Url => hmac_calc::OutputEncoding::Base64Url,
            },
            output_prefix: self.output_prefix.filter(|p| !p.is_empty()),
            compare_with: self.compare_with.filter(|c| !c.trim().is_empty()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct HmacComputeRes {
    pub digest: String,
    pub signed_len: u32,
    pub signed_preview: String,
    pub preview_truncated: bool,
    pub matches: Option<bool>,
}

impl From<hmac_calc::HmacRes> for HmacComputeRes {
    fn from(r: hmac_calc::HmacRes) -> Self {
        Self {
            digest: r.digest,
            signed_len: u32::try_from(r.signed_len).unwrap_or(u32::MAX),
            signed_preview: r.signed_preview,
            preview_truncated: r.preview_truncated,
            matches: r.matches,
        }
    }
}

/// Whether the capture server is listening, and if not, why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CaptureStatus {
    /// The address asked for.
    pub requested: String,
    /// The base URL it listens on (`http://127.0.0.1:8787`), when listening.
    pub url: Option<String>,
    /// Paused by the user (from the tray or the window).
    pub paused: bool,
    /// Why it is not listening.
    pub error: Option<ApiError>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AppStatus {
    pub capture: CaptureStatus,
    pub data_dir: String,
    pub version: String,
    #[ts(type = "number")]
    pub event_count: u64,
}

#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CaptureStartReq {
    /// `host:port`, e.g. `127.0.0.1:8788`.
    pub listen: String,
}

#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CapturePauseReq {
    pub paused: bool,
}

/// When the desktop notifies.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum NotifyRule {
    /// Every captured request.
    #[default]
    All,
    /// Only requests whose signature did not verify (invalid, stale, missing).
    InvalidSignature,
    /// Only requests of the event type in `notify_event_type`.
    EventType,
    /// Only forward tries that failed (no answer, or not 2xx).
    FailedForward,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Theme {
    #[default]
    System,
    Light,
    Dark,
}

/// The app's settings (shell settings in the store's settings table, retention from the core).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct Settings {
    /// Where capture listens; `HOOKSCOPE_LISTEN` overrides it at launch.
    pub listen: String,
    pub notify_enabled: bool,
    pub notify_rule: NotifyRule,
    pub notify_event_type: String,
    /// Closing the window keeps capturing in the tray.
    pub close_to_tray: bool,
    /// Start Hookscope when the user logs in.
    pub start_at_login: bool,
    pub theme: Theme,
    #[ts(type = "number | null")]
    pub retention_max_events: Option<u64>,
    #[ts(type = "number | null")]
    pub retention_max_age_days: Option<u64>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            listen: hookscope_server::DEFAULT_LISTEN.to_string(),
            notify_enabled: true,
            notify_rule: NotifyRule::All,
            notify_event_type: String::new(),
            close_to_tray: true,
            start_at_login: false,
            theme: Theme::System,
            retention_max_events: None,
            retention_max_age_days: None,
        }
    }
}

#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SettingsSetReq {
    pub settings: Settings,
}

/// Sent to the window when a notification is clicked: show this event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FocusEvent {
    #[ts(type = "number")]
    pub id: i64,
}

//! What the replay commands exchange with the window, in camelCase, exported by ts-rs: the
//! editor's request (target, edits, re-sign), the preview, the recorded attempts (their bodies
//! travel separately as raw bytes through `replay_body`) and bulk replay's progress events.

use std::time::Duration;

use hookscope_core::model;
use hookscope_core::replay::{self, Edits, ReplayReq, Resign, SendOptions, SentJson};
use hookscope_core::store::replays::Replay;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{EventListReq, Header};

/// What to change before sending; unset fields keep the captured request's.
#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
#[ts(optional_fields)]
pub struct ReplayEdits {
    pub method: Option<String>,
    /// The path after the target's path; `?…` replaces the query too.
    pub path: Option<String>,
    /// The whole header table, replacing the captured headers (repeats and order kept).
    pub headers: Option<Vec<Header>>,
    /// The body as text (UTF-8), replacing the captured bytes.
    pub body: Option<String>,
}

impl ReplayEdits {
    fn into_core(self) -> Edits {
        Edits {
            method: self.method,
            path: self.path,
            headers: self.headers.map(|list| {
                list.into_iter()
                    .map(|h| model::Header::new(h.name.trim().to_ascii_lowercase(), h.value))
                    .collect()
            }),
            body: self.body.map(String::into_bytes),
            ..Default::default()
        }
    }
}

/// One replay as the editor (or the Replay button) describes it.
#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
#[ts(optional_fields)]
pub struct ReplaySpec {
    #[ts(type = "number")]
    pub event_id: i64,
    /// Default: the endpoint's route, remembered target, forward target, else
    /// `http://localhost:3000`.
    pub target: Option<String>,
    pub edits: ReplayEdits,
    /// Replace the provider's signature headers with fresh ones.
    pub resign: bool,
}

impl ReplaySpec {
    /// The core's request; `allow_remote` is the user's explicit consent to a non-loopback host.
    pub fn into_core(self, allow_remote: bool, timeout_ms: Option<u64>) -> ReplayReq {
        ReplayReq {
            event_id: self.event_id,
            target: self
                .target
                .map(|t| t.trim().to_string())
                .filter(|t| !t.is_empty()),
            edits: self.edits.into_core(),
            resign: self.resign.then(Resign::default),
            options: SendOptions {
                allow_remote,
                timeout: timeout_ms.map_or(SendOptions::default().timeout, Duration::from_millis),
                ..Default::default()
            },
        }
    }
}

#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ReplayPreviewReq {
    pub spec: ReplaySpec,
}

/// How a re-sign would go for this event: the scheme and secret, or why it cannot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ResignInfo {
    pub provider: Option<String>,
    pub secret_masked: Option<String>,
    /// Why re-signing is not possible; none when it is.
    pub unavailable: Option<String>,
}

impl From<replay::ResignPlan> for ResignInfo {
    fn from(p: replay::ResignPlan) -> Self {
        Self {
            provider: p.provider,
            secret_masked: p.secret_masked,
            unavailable: p.unavailable,
        }
    }
}

/// A request as it is (or was) sent; its body travels through `replay_body` or is the editor's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SentRequest {
    pub method: String,
    pub url: String,
    /// Exactly as sent, `Host` and `Content-Length` included.
    pub headers: Vec<Header>,
    #[ts(type = "number")]
    pub body_size: u64,
    /// The provider whose signature headers were replaced.
    pub resigned: Option<String>,
    pub edited: bool,
}

impl From<SentJson> for SentRequest {
    fn from(s: SentJson) -> Self {
        Self {
            method: s.method,
            url: s.url,
            headers: pairs(s.headers),
            body_size: s.body_size,
            resigned: s.resigned,
            edited: s.edited,
        }
    }
}

fn pairs(list: Vec<(String, String)>) -> Vec<Header> {
    list.into_iter()
        .map(|(name, value)| Header { name, value })
        .collect()
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ReplayPreviewRes {
    /// The base target the request goes to (before the path after the slug is appended).
    pub target: String,
    /// Whether the target is loopback; any other host needs the user's confirmation.
    pub loopback: bool,
    pub request: SentRequest,
    pub resign: ResignInfo,
}

#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ReplaySendReq {
    pub spec: ReplaySpec,
    /// The user confirmed sending to a host that is not loopback.
    #[serde(default)]
    pub allow_remote: bool,
    /// Remember the target for the endpoint's next replays.
    #[serde(default)]
    pub remember: bool,
    #[ts(optional, as = "Option<f64>")]
    #[serde(default)]
    pub timeout_ms: Option<u64>,
}

/// One recorded attempt (a replay, or a forward try) without its bodies.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ReplayAttempt {
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "number")]
    pub event_id: i64,
    /// `replay` or `forward`.
    pub kind: String,
    pub attempt: u32,
    #[ts(type = "number")]
    pub created_at_us: i64,
    pub target: String,
    /// None when the attempt could not even be prepared.
    pub sent: Option<SentRequest>,
    /// None, with `error`, when the target did not answer.
    pub status: Option<u16>,
    pub response_headers: Vec<Header>,
    /// The whole answer body's size (only the first 1 MiB is kept).
    #[ts(type = "number | null")]
    pub response_size: Option<u64>,
    pub latency_ms: Option<f64>,
    pub error: Option<String>,
}

impl From<Replay> for ReplayAttempt {
    fn from(r: Replay) -> Self {
        Self {
            sent: serde_json::from_str::<SentJson>(&r.sent)
                .ok()
                .map(SentRequest::from),
            response_headers: r
                .response_headers
                .as_deref()
                .and_then(|h| serde_json::from_str::<Vec<(String, String)>>(h).ok())
                .map(pairs)
                .unwrap_or_default(),
            id: r.id,
            event_id: r.request_id,
            kind: r.kind,
            attempt: r.attempt,
            created_at_us: r.created_at_us,
            target: r.target,
            status: r.status,
            response_size: r.response_size,
            latency_ms: r.latency_us.map(|us| us as f64 / 1000.0),
            error: r.error,
        }
    }
}

#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ReplayListReq {
    #[ts(type = "number")]
    pub event_id: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ReplayBodyPart {
    /// The body that was sent.
    Sent,
    /// The target's answer (first 1 MiB).
    Response,
}

#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ReplayBodyReq {
    /// The attempt's id.
    #[ts(type = "number")]
    pub id: i64,
    pub part: ReplayBodyPart,
}

#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ReplayTargetGetReq {
    pub slug: String,
}

/// Where the endpoint's replays go by default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ReplayTarget {
    /// The remembered target, else the endpoint's forward target, else `http://localhost:3000`.
    pub target: String,
    /// Whether `target` was remembered (rather than a fallback).
    pub remembered: bool,
}

#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ReplayTargetSetReq {
    pub slug: String,
    /// None forgets it.
    pub target: Option<String>,
}

/// Replay many events in order: the given ids, or every event matching a filter.
#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
#[ts(optional_fields)]
pub struct ReplayBulkReq {
    /// These events (sent oldest first); when unset, `filter` selects.
    #[ts(as = "Option<Vec<f64>>")]
    pub ids: Option<Vec<i64>>,
    pub filter: Option<EventListReq>,
    /// At most this many events from the filter (default 1000).
    pub limit: Option<u32>,
    /// Default: each event's own target.
    pub target: Option<String>,
    /// Requests per second; unset: as fast as the target answers.
    pub rate_per_second: Option<f64>,
    pub resign: bool,
    pub allow_remote: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ReplayBulkStarted {
    #[ts(type = "number")]
    pub run_id: u64,
    pub total: u32,
}

#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ReplayBulkStopReq {
    #[ts(type = "number")]
    pub run_id: u64,
}

/// After each event of a bulk run.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ReplayBulkProgress {
    #[ts(type = "number")]
    pub run_id: u64,
    pub done: u32,
    pub total: u32,
    pub succeeded: u32,
    pub failed: u32,
    #[ts(type = "number")]
    pub event_id: i64,
    pub status: Option<u16>,
    /// Why this event got no 2xx answer, in words (none when the target answered).
    pub error: Option<String>,
}

/// A bulk run ended (all sent, or stopped).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ReplayBulkDone {
    #[ts(type = "number")]
    pub run_id: u64,
    pub sent: u32,
    pub succeeded: u32,
    pub failed: u32,
    pub stopped: bool,
}

/// An attempt was recorded for this event (a replay, or a forward try): refresh its Replays tab.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ReplayRecorded {
    #[ts(type = "number")]
    pub event_id: i64,
}

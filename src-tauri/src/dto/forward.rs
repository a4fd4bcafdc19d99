//! Auto-forward and routes across IPC: an endpoint's forwarding status and settings, its
//! routes, and the live outcome of each forward try.

use hookscope_core::forward::ForwardStatus;
use hookscope_core::hub::{self, ForwardOutcome};
use hookscope_core::replay::ReplayJson;
use hookscope_core::store::forwards::{ForwardSettings, Respond};
use hookscope_core::store::routes::{Match, Route};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ForwardStatusReq {
    pub slug: String,
}

/// One recorded forward try, as the status shows it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ForwardTry {
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "number")]
    pub event_id: i64,
    pub attempt: u32,
    /// RFC 3339, UTC.
    pub created_at: String,
    pub target: String,
    /// `None` when the target did not answer (then `error` says why).
    pub status: Option<u16>,
    pub error: Option<String>,
    pub latency_ms: Option<f64>,
}

impl From<&ReplayJson> for ForwardTry {
    fn from(r: &ReplayJson) -> Self {
        Self {
            id: r.id,
            event_id: r.event_id,
            attempt: r.attempt,
            created_at: r.created_at.clone(),
            target: r.target.clone(),
            status: r.status,
            error: r.error.clone(),
            latency_ms: r.latency_ms,
        }
    }
}

/// An endpoint's auto-forward: whether it is on, how it retries, how far behind it is.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ForwardStatusRes {
    pub endpoint: String,
    /// `None` when auto-forward is off.
    pub target: Option<String>,
    /// The settings in force, or the defaults when off (what the editor starts from).
    pub settings: ForwardSettingsDto,
    /// Events captured but not yet delivered.
    #[ts(type = "number")]
    pub backlog: u64,
    /// The newest tries, newest first.
    pub recent: Vec<ForwardTry>,
    /// Whether this app is the process delivering for its data dir; false while another one
    /// (say `hookscope serve` on the same data dir) holds the forward lock.
    pub delivering: bool,
}

impl ForwardStatusRes {
    pub fn new(status: ForwardStatus, settings: Option<ForwardSettings>, delivering: bool) -> Self {
        Self {
            endpoint: status.endpoint,
            target: status.target,
            settings: settings.unwrap_or_default().into(),
            backlog: status.backlog,
            recent: status.recent.iter().map(ForwardTry::from).collect(),
            delivering,
        }
    }
}

/// How an endpoint's events are forwarded (see the core's `ForwardSettings`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ForwardSettingsDto {
    /// Each try waits this long for the target's whole answer.
    #[ts(type = "number")]
    pub timeout_ms: u64,
    /// The wait before the second try; it doubles per try up to `retry_max_ms`.
    #[ts(type = "number")]
    pub retry_initial_ms: u64,
    #[ts(type = "number")]
    pub retry_max_ms: u64,
    /// Tries for an event answered with 5xx before moving on; 0 keeps trying.
    pub max_attempts: u32,
    /// Allow a target that is not loopback (the UI asks the user first).
    pub allow_remote: bool,
    #[serde(default)]
    pub follow_redirects: bool,
    /// What the provider gets back: the endpoint's response rule at once, or the target's own
    /// answer (waited for inline, within `respond_timeout_ms`).
    pub respond: ForwardRespond,
    /// Keep it below the provider's own delivery timeout.
    #[ts(type = "number")]
    pub respond_timeout_ms: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ForwardRespond {
    Rule,
    Target,
}

impl From<ForwardSettings> for ForwardSettingsDto {
    fn from(s: ForwardSettings) -> Self {
        Self {
            timeout_ms: s.timeout_ms,
            retry_initial_ms: s.retry_initial_ms,
            retry_max_ms: s.retry_max_ms,
            max_attempts: s.max_attempts,
            allow_remote: s.allow_remote,
            follow_redirects: s.follow_redirects,
            respond: match s.respond {
                Respond::Rule => ForwardRespond::Rule,
                Respond::Target => ForwardRespond::Target,
            },
            respond_timeout_ms: s.respond_timeout_ms,
        }
    }
}

impl From<ForwardSettingsDto> for ForwardSettings {
    fn from(s: ForwardSettingsDto) -> Self {
        Self {
            timeout_ms: s.timeout_ms,
            retry_initial_ms: s.retry_initial_ms,
            retry_max_ms: s.retry_max_ms,
            max_attempts: s.max_attempts,
            allow_remote: s.allow_remote,
            follow_redirects: s.follow_redirects,
            respond: match s.respond {
                ForwardRespond::Rule => Respond::Rule,
                ForwardRespond::Target => Respond::Target,
            },
            respond_timeout_ms: s.respond_timeout_ms,
        }
    }
}

/// Turn auto-forward on (or change it): every new event goes to `target`.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ForwardSetReq {
    pub slug: String,
    pub target: String,
    pub settings: ForwardSettingsDto,
}

#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ForwardClearReq {
    pub slug: String,
}

/// What a route matches on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum RouteMatch {
    /// The path after the slug starts with the pattern.
    PathPrefix,
    /// The event type equals the pattern, or starts with it when it ends in `*`.
    EventType,
}

impl From<Match> for RouteMatch {
    fn from(m: Match) -> Self {
        match m {
            Match::PathPrefix => Self::PathPrefix,
            Match::EventType => Self::EventType,
        }
    }
}

impl From<RouteMatch> for Match {
    fn from(m: RouteMatch) -> Self {
        match m {
            RouteMatch::PathPrefix => Self::PathPrefix,
            RouteMatch::EventType => Self::EventType,
        }
    }
}

/// One row of an endpoint's routes table; the first matching row wins.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RouteInfo {
    /// 1-based, in matching order.
    pub position: u32,
    pub kind: RouteMatch,
    pub pattern: String,
    pub target: String,
    /// The user agreed to this route's target being off this machine.
    pub allow_remote: bool,
}

impl From<Route> for RouteInfo {
    fn from(r: Route) -> Self {
        Self {
            position: r.position,
            kind: r.kind.into(),
            pattern: r.pattern,
            target: r.target,
            allow_remote: r.allow_remote,
        }
    }
}

#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RouteListReq {
    pub slug: String,
}

/// Add a route after the existing ones.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RouteAddReq {
    pub slug: String,
    pub kind: RouteMatch,
    pub pattern: String,
    pub target: String,
    /// Allow a target that is not loopback (the UI asks the user first).
    #[serde(default)]
    pub allow_remote: bool,
}

#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RouteRemoveReq {
    pub slug: String,
    /// As listed, 1-based.
    pub position: u32,
}

/// What follows a forward try.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ForwardNext {
    Delivered,
    Retrying,
    GaveUp,
}

/// Live: a forward try was recorded (by whichever process delivers for the data dir).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ForwardAttempt {
    pub endpoint: String,
    #[ts(type = "number")]
    pub event_id: i64,
    /// The try's row in the replays.
    #[ts(type = "number")]
    pub replay_id: i64,
    pub attempt: u32,
    pub target: String,
    pub status: Option<u16>,
    pub error: Option<String>,
    pub state: ForwardNext,
    /// Not answered with 2xx.
    pub failed: bool,
}

impl From<ForwardOutcome> for ForwardAttempt {
    fn from(o: ForwardOutcome) -> Self {
        Self {
            failed: o.failed(),
            endpoint: o.endpoint,
            event_id: o.event_id,
            replay_id: o.replay_id,
            attempt: o.attempt,
            target: o.target,
            status: o.status,
            error: o.error,
            state: match o.state {
                hub::ForwardState::Delivered => ForwardNext::Delivered,
                hub::ForwardState::Retrying => ForwardNext::Retrying,
                hub::ForwardState::GaveUp => ForwardNext::GaveUp,
            },
        }
    }
}

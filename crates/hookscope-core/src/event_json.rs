//! The JSON of an event (`show --json`, `export`, `tail --json`): a documented, stable contract
//! that users' scripts rely on. Fields are only ever added, never renamed or removed. The README
//! documents every field.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};

use crate::model::{Event, EventSummary, Rejection};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventJson {
    pub id: i64,
    pub endpoint: String,
    /// RFC 3339, UTC, microsecond precision.
    pub received_at: String,
    pub method: String,
    pub path: String,
    /// Raw query string, `""` when none.
    pub query: String,
    pub http_version: String,
    /// `[name, value]` pairs in arrival order; repeated headers are separate pairs. Values that
    /// are not UTF-8 are shown with replacement characters; `body_base64` and the stored bytes
    /// are exact.
    pub headers: Vec<(String, String)>,
    pub body_base64: String,
    pub body_size: u64,
    pub content_type: Option<String>,
    pub remote_addr: Option<String>,
    /// The status Hookscope answered with.
    pub response_status: u16,
    /// Set when the body was not kept (e.g. too large).
    pub rejected: Option<Rejection>,
    pub provider: Option<String>,
    pub event_type: Option<String>,
    pub event_id: Option<String>,
    pub signature: Option<serde_json::Value>,
    pub duplicate_of: Option<i64>,
    /// Brought in by `hookscope import` (its `received_at` is the original time) rather than
    /// captured. Absent in exports made before this field existed: read as `false`.
    #[serde(default)]
    pub imported: bool,
}

/// One line of a list (`list --json`): the summary columns, named as in [`EventJson`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SummaryJson {
    pub id: i64,
    pub endpoint: String,
    pub received_at: String,
    pub method: String,
    pub path: String,
    pub query: String,
    pub body_size: u64,
    pub content_type: Option<String>,
    pub response_status: u16,
    pub rejected: Option<String>,
    pub provider: Option<String>,
    pub event_type: Option<String>,
    pub event_id: Option<String>,
    pub signature_status: Option<String>,
    pub duplicate_of: Option<i64>,
}

impl From<&EventSummary> for SummaryJson {
    fn from(s: &EventSummary) -> Self {
        Self {
            id: s.id,
            endpoint: s.endpoint.clone(),
            received_at: rfc3339_us(s.received_at_us),
            method: s.method.clone(),
            path: s.path.clone(),
            query: s.query.clone(),
            body_size: s.body_size,
            content_type: s.content_type.clone(),
            response_status: s.response_status,
            rejected: s.rejected.clone(),
            provider: s.provider.clone(),
            event_type: s.event_type.clone(),
            event_id: s.event_id.clone(),
            signature_status: s.signature_status.clone(),
            duplicate_of: s.duplicate_of,
        }
    }
}

/// RFC 3339 with microseconds, from µs since the epoch.
pub fn rfc3339_us(us: i64) -> String {
    let nanos = i128::from(us) * 1000;
    time::OffsetDateTime::from_unix_timestamp_nanos(nanos)
        .ok()
        .and_then(|t| {
            t.format(time::macros::format_description!(
                "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z"
            ))
            .ok()
        })
        .unwrap_or_default()
}

/// Parse RFC 3339 into µs since the epoch (for imports).
pub fn parse_rfc3339_us(text: &str) -> Option<i64> {
    let t =
        time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).ok()?;
    i64::try_from(t.unix_timestamp_nanos() / 1000).ok()
}

impl From<&Event> for EventJson {
    fn from(ev: &Event) -> Self {
        let s: &EventSummary = &ev.summary;
        Self {
            id: s.id,
            endpoint: s.endpoint.clone(),
            received_at: rfc3339_us(s.received_at_us),
            method: s.method.clone(),
            path: s.path.clone(),
            query: s.query.clone(),
            http_version: ev.http_version.clone(),
            headers: ev
                .headers
                .iter()
                .map(|h| (h.name.clone(), h.value_lossy()))
                .collect(),
            body_base64: STANDARD.encode(&ev.body),
            body_size: s.body_size,
            content_type: s.content_type.clone(),
            remote_addr: ev.remote_addr.clone(),
            response_status: s.response_status,
            rejected: ev.rejection.clone(),
            provider: s.provider.clone(),
            event_type: s.event_type.clone(),
            event_id: s.event_id.clone(),
            signature: ev.signature.clone(),
            duplicate_of: s.duplicate_of,
            imported: ev.imported,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_round_trip_with_microseconds() {
        let us = 1_764_576_000_123_456;
        let text = rfc3339_us(us);
        assert_eq!(text, "2025-12-01T08:00:00.123456Z");
        assert_eq!(parse_rfc3339_us(&text), Some(us));
    }
}

//! Queries on `replays`: every attempt to send a stored request somewhere (a replay or an
//! auto-forward try), with what was sent and what the target answered, or why it did not.

use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::Result;

/// Why an attempt was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Replay,
    Forward,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Replay => "replay",
            Self::Forward => "forward",
        }
    }
}

/// One attempt, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replay {
    pub id: i64,
    pub request_id: i64,
    /// `replay` or `forward`.
    pub kind: String,
    /// 1 for the first try of a delivery.
    pub attempt: u32,
    /// µs since the epoch.
    pub created_at_us: i64,
    pub target: String,
    /// JSON of the request as sent.
    pub sent: String,
    pub status: Option<u16>,
    /// JSON `[name, value]` pairs.
    pub response_headers: Option<String>,
    /// The answer's body, capped.
    pub response_body: Option<Vec<u8>>,
    /// Size of the whole answer's body.
    pub response_size: Option<u64>,
    pub latency_us: Option<i64>,
    /// Why there is no answer, in words.
    pub error: Option<String>,
}

const COLUMNS: &str = "id, request_id, kind, attempt, created_at, target, sent, status, \
                       response_headers, response_body, response_size, latency_us, error";

fn from_row(row: &Row<'_>) -> rusqlite::Result<Replay> {
    let attempt: i64 = row.get(3)?;
    let status: Option<i64> = row.get(7)?;
    let size: Option<i64> = row.get(10)?;
    Ok(Replay {
        id: row.get(0)?,
        request_id: row.get(1)?,
        kind: row.get(2)?,
        attempt: u32::try_from(attempt).unwrap_or(0),
        created_at_us: row.get(4)?,
        target: row.get(5)?,
        sent: row.get(6)?,
        status: status.and_then(|s| u16::try_from(s).ok()),
        response_headers: row.get(8)?,
        response_body: row.get(9)?,
        response_size: size.and_then(|s| u64::try_from(s).ok()),
        latency_us: row.get(11)?,
        error: row.get(12)?,
    })
}

/// Record an attempt (`id` and `created_at_us` of `r` are ignored); returns it as stored.
pub fn insert(conn: &Connection, kind: Kind, r: &Replay) -> Result<Replay> {
    let created_at = super::now_us();
    conn.prepare_cached(
        "INSERT INTO replays(request_id, kind, attempt, created_at, target, sent, status,
            response_headers, response_body, response_size, latency_us, error)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )?
    .execute(params![
        r.request_id,
        kind.as_str(),
        r.attempt,
        created_at,
        r.target,
        r.sent,
        r.status,
        r.response_headers,
        r.response_body,
        r.response_size
            .map(|s| i64::try_from(s).unwrap_or(i64::MAX)),
        r.latency_us,
        r.error,
    ])?;
    Ok(Replay {
        id: conn.last_insert_rowid(),
        kind: kind.as_str().to_string(),
        created_at_us: created_at,
        ..r.clone()
    })
}

/// One attempt by its id.
pub fn get(conn: &Connection, id: i64) -> Result<Replay> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM replays WHERE id = ?1"))?
        .query_row([id], from_row)
        .optional()?
        .ok_or_else(|| crate::Error::NotFound {
            what: "replay",
            key: id.to_string(),
        })
}

/// Every attempt for one request, oldest first.
pub fn list_for_request(conn: &Connection, request_id: i64) -> Result<Vec<Replay>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM replays WHERE request_id = ?1 ORDER BY id"
    ))?;
    let rows = stmt.query_map([request_id], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The newest attempts of one kind for an endpoint's requests, newest first.
pub fn list_recent(
    conn: &Connection,
    endpoint: &str,
    kind: Kind,
    limit: usize,
) -> Result<Vec<Replay>> {
    let columns = COLUMNS
        .split(", ")
        .map(|c| format!("p.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {columns} FROM replays p JOIN requests r ON r.id = p.request_id
         JOIN endpoints e ON e.id = r.endpoint_id
         WHERE e.slug = ?1 AND p.kind = ?2 ORDER BY p.id DESC LIMIT ?3"
    ))?;
    let rows = stmt.query_map(
        params![
            endpoint,
            kind.as_str(),
            i64::try_from(limit).unwrap_or(i64::MAX)
        ],
        from_row,
    )?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

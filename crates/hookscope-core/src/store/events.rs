//! Queries on `requests`: insert (from the writer and imports), get, filtered keyset lists,
//! follow-up reads for `tail`, and retention pruning.

use rusqlite::{Connection, OptionalExtension, Row, Transaction, params, params_from_iter};

use crate::model::{Event, EventSummary, RawRequest, Rejection, ResponseRule};
use crate::store::{decode_headers, encode_headers};
use crate::{Error, Result};

/// How the answer's status is chosen when the request is stored.
#[derive(Debug, Clone)]
pub enum StatusPolicy {
    /// A status fixed before storing (handshake, 413, import).
    Fixed(u16),
    /// The endpoint's response rule, which may inject failures depending on earlier deliveries.
    Rule(ResponseRule),
}

/// A request ready to be stored, with the analysis done on the capture path.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub endpoint_id: i64,
    pub raw: RawRequest,
    pub fingerprint: String,
    pub provider: Option<String>,
    pub event_type: Option<String>,
    pub event_id: Option<String>,
    pub signature_status: Option<String>,
    pub signature: Option<String>,
    pub status: StatusPolicy,
    pub imported: bool,
    /// The provider gets the forward target's answer, tried inline right after the commit; the
    /// background forwarder leaves it alone.
    pub answered_by_target: bool,
}

/// What storing a request decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inserted {
    pub id: i64,
    pub duplicate_of: Option<i64>,
    pub response_status: u16,
}

/// The earliest request of an endpoint with a provider event id: entries of equal keys lie in
/// rowid order in the index. Not `ORDER BY id`: with it, SQLite recompiles the statement at
/// every new binding, which cost the writer a sixth of its time per captured event.
const DUPLICATE_OF: &str = "SELECT id FROM requests INDEXED BY requests_by_event_id
    WHERE endpoint_id = ?1 AND event_id = ?2 LIMIT 1";

pub(crate) fn insert(tx: &Transaction<'_>, ev: &NewEvent) -> Result<Inserted> {
    let duplicate_of: Option<i64> = match &ev.event_id {
        Some(event_id) => tx
            .prepare_cached(DUPLICATE_OF)?
            .query_row(params![ev.endpoint_id, event_id], |r| r.get(0))
            .optional()?,
        None => None,
    };
    let response_status = match &ev.status {
        StatusPolicy::Fixed(s) => *s,
        StatusPolicy::Rule(rule) if rule.injects_failures() => {
            let prior: i64 = tx
                .prepare_cached(
                    "SELECT count(*) FROM requests WHERE endpoint_id = ?1 AND fingerprint = ?2",
                )?
                .query_row(params![ev.endpoint_id, ev.fingerprint], |r| r.get(0))?;
            rule.decide_status(u64::try_from(prior).unwrap_or(0), fastrand::u8(0..100))
        }
        StatusPolicy::Rule(rule) => rule.status,
    };
    let raw = &ev.raw;
    let headers = encode_headers(&raw.headers);
    let content_type = raw.content_type();
    let rejection = raw
        .rejection
        .as_ref()
        .map(serde_json::to_string)
        .transpose()
        .map_err(|e| Error::invalid(e.to_string()))?;
    tx.prepare_cached(
        "INSERT INTO requests(endpoint_id, received_at, method, path, query, http_version, headers,
            body, body_size, content_type, remote_addr, rejection, response_status, fingerprint,
            provider, event_type, event_id, signature_status, signature, duplicate_of, imported,
            answered_by_target)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19,
            ?20, ?21, ?22)",
    )?
    .execute(params![
        ev.endpoint_id,
        raw.received_at_us,
        raw.method,
        raw.path,
        raw.query,
        raw.http_version,
        headers,
        raw.body,
        i64::try_from(raw.recorded_size()).unwrap_or(i64::MAX),
        content_type,
        raw.remote_addr,
        rejection,
        response_status,
        ev.fingerprint,
        ev.provider,
        ev.event_type,
        ev.event_id,
        ev.signature_status,
        ev.signature,
        duplicate_of,
        ev.imported,
        ev.answered_by_target,
    ])?;
    let id = tx.last_insert_rowid();
    Ok(Inserted {
        id,
        duplicate_of,
        response_status,
    })
}

const SUMMARY: &str =
    "r.id, e.slug, r.received_at, r.method, r.path, r.query, r.body_size, r.content_type,
    r.provider, r.event_type, r.event_id, r.signature_status, r.duplicate_of, r.response_status,
    json_extract(r.rejection, '$.reason'), r.imported";

fn summary_from_row(row: &Row<'_>) -> rusqlite::Result<EventSummary> {
    let size: i64 = row.get(6)?;
    let status: i64 = row.get(13)?;
    Ok(EventSummary {
        id: row.get(0)?,
        endpoint: row.get(1)?,
        received_at_us: row.get(2)?,
        method: row.get(3)?,
        path: row.get(4)?,
        query: row.get(5)?,
        body_size: u64::try_from(size).unwrap_or(0),
        content_type: row.get(7)?,
        provider: row.get(8)?,
        event_type: row.get(9)?,
        event_id: row.get(10)?,
        signature_status: row.get(11)?,
        duplicate_of: row.get(12)?,
        response_status: u16::try_from(status).unwrap_or(0),
        rejected: row.get(14)?,
        imported: row.get(15)?,
    })
}

pub fn get(conn: &Connection, id: i64) -> Result<Event> {
    conn.query_row(
        &format!(
            "SELECT {SUMMARY}, r.http_version, r.headers, r.body, r.remote_addr, r.rejection, r.signature
             FROM requests r JOIN endpoints e ON e.id = r.endpoint_id WHERE r.id = ?1"
        ),
        [id],
        |row| {
            let headers: Vec<u8> = row.get(17)?;
            let rejection: Option<String> = row.get(20)?;
            let signature: Option<String> = row.get(21)?;
            let summary = summary_from_row(row)?;
            Ok(Event {
                imported: summary.imported,
                summary,
                http_version: row.get(16)?,
                headers: decode_headers(&headers),
                body: row.get(18)?,
                remote_addr: row.get(19)?,
                rejection: rejection.and_then(|r| serde_json::from_str::<Rejection>(&r).ok()),
                signature: signature.and_then(|s| serde_json::from_str(&s).ok()),
            })
        },
    )
    .optional()?
    .ok_or_else(|| Error::NotFound { what: "event", key: id.to_string() })
}

/// Filters for [`list`]; empty fields match everything.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub endpoint: Option<String>,
    pub method: Option<String>,
    pub provider: Option<String>,
    pub signature_status: Option<String>,
    /// Free text: substring match over path, headers and text bodies.
    pub search: Option<String>,
}

/// Which page of a list to read (keyset pagination on id).
#[derive(Debug, Clone, Copy)]
pub enum Page {
    /// Newest first, ids below `before` (or from the newest when `None`).
    NewestBefore(Option<i64>),
    /// Oldest first, ids above `after`.
    OldestAfter(i64),
}

pub fn list(
    conn: &Connection,
    filter: &Filter,
    page: Page,
    limit: usize,
) -> Result<Vec<EventSummary>> {
    use rusqlite::types::Value;
    let mut args: Vec<Value> = Vec::new();
    // Binds a value and returns its placeholder.
    let mut bind = |v: Value| {
        args.push(v);
        format!("?{}", args.len())
    };
    let mut sql = format!(
        "SELECT {SUMMARY} FROM requests r JOIN endpoints e ON e.id = r.endpoint_id WHERE 1"
    );
    if let Some(v) = &filter.endpoint {
        sql += &format!(" AND e.slug = {}", bind(v.clone().into()));
    }
    if let Some(v) = &filter.method {
        sql += &format!(" AND r.method = {}", bind(v.to_ascii_uppercase().into()));
    }
    if let Some(v) = &filter.provider {
        sql += &format!(" AND r.provider = {}", bind(v.clone().into()));
    }
    if let Some(v) = &filter.signature_status {
        sql += &format!(" AND r.signature_status = {}", bind(v.clone().into()));
    }
    if let Some(text) = filter
        .search
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        // Rows above the mark are not indexed yet: they are matched by a scan instead.
        let upto = bind(super::search_index::indexed_upto(conn)?.into());
        for term in text.split_whitespace() {
            let scan = bind(term.to_lowercase().into());
            let scan_clause = format!(
                "instr(lower(r.path), {scan}) > 0 OR instr(lower(CAST(r.headers AS TEXT)), {scan}) > 0"
            );
            if term.chars().count() >= 3 {
                let phrase = bind(format!("\"{}\"", term.replace('"', "\"\"")).into());
                // One id list (index hits, then the scan of the unindexed tail) lets SQLite look
                // rows up by id instead of testing every row against the list: a rare term in
                // 100 000 events answers in ~2 ms instead of ~65 ms.
                sql += &format!(
                    " AND r.id IN (SELECT rowid FROM requests_fts WHERE requests_fts MATCH {phrase} \
                     UNION ALL SELECT r.id FROM requests r WHERE r.id > {upto} \
                     AND ({scan_clause} OR instr(lower(CAST(r.body AS TEXT)), {scan}) > 0))"
                );
            } else {
                // Trigrams need three characters; shorter terms scan path and headers.
                sql += &format!(" AND ({scan_clause})");
            }
        }
    }
    match page {
        Page::NewestBefore(before) => {
            if let Some(b) = before {
                sql += &format!(" AND r.id < {}", bind(b.into()));
            }
            sql += " ORDER BY r.id DESC";
        }
        Page::OldestAfter(after) => {
            sql += &format!(" AND r.id > {} ORDER BY r.id ASC", bind(after.into()));
        }
    }
    sql += &format!(
        " LIMIT {}",
        bind(i64::try_from(limit).unwrap_or(i64::MAX).into())
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(params_from_iter(args), summary_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// What auto-forward does next for an endpoint whose position is `after`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NextToForward {
    /// Move the position here first: requests up to it were answered inline by the target.
    pub skip_to: Option<i64>,
    /// The oldest request to deliver in the background.
    pub deliver: Option<i64>,
}

/// The next captured (not imported) request of an endpoint after `after` that auto-forward
/// delivers in the background, and how far the requests before it were answered inline.
pub fn next_to_forward(conn: &Connection, endpoint: &str, after: i64) -> Result<NextToForward> {
    let deliver: Option<i64> = conn
        .prepare_cached(
            "SELECT r.id FROM requests r JOIN endpoints e ON e.id = r.endpoint_id
             WHERE e.slug = ?1 AND r.id > ?2 AND r.imported = 0 AND r.answered_by_target = 0
             ORDER BY r.id LIMIT 1",
        )?
        .query_row(params![endpoint, after], |r| r.get(0))
        .optional()?;
    let skip_to: Option<i64> = conn
        .prepare_cached(
            "SELECT max(r.id) FROM requests r JOIN endpoints e ON e.id = r.endpoint_id
             WHERE e.slug = ?1 AND r.id > ?2 AND r.id < ?3 AND r.answered_by_target = 1",
        )?
        .query_row(params![endpoint, after, deliver.unwrap_or(i64::MAX)], |r| {
            r.get(0)
        })?;
    Ok(NextToForward { skip_to, deliver })
}

/// How many captured (not imported) events of an endpoint after `after` wait for the
/// background forwarder.
pub fn count_captured_after(conn: &Connection, endpoint: &str, after: i64) -> Result<u64> {
    let n: i64 = conn
        .prepare_cached(
            "SELECT count(*) FROM requests r JOIN endpoints e ON e.id = r.endpoint_id
             WHERE e.slug = ?1 AND r.id > ?2 AND r.imported = 0 AND r.answered_by_target = 0",
        )?
        .query_row(params![endpoint, after], |r| r.get(0))?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// Record the status the provider was answered with once it is known (after an inline try).
pub fn set_response_status(conn: &Connection, id: i64, status: u16) -> Result<()> {
    conn.prepare_cached("UPDATE requests SET response_status = ?2 WHERE id = ?1")?
        .execute(params![id, status])?;
    Ok(())
}

/// The highest event id, 0 when empty.
pub fn max_id(conn: &Connection) -> Result<i64> {
    Ok(
        conn.query_row("SELECT coalesce(max(id), 0) FROM requests", [], |r| {
            r.get(0)
        })?,
    )
}

/// How many events each endpoint holds (every endpoint, zero included), and the highest event
/// id those counts include: a reader adding live events counts only ids above it.
pub fn count_by_endpoint(conn: &Connection) -> Result<(Vec<(String, u64)>, i64)> {
    // The bound first, then counts below it: consistent without a read transaction.
    let upto = max_id(conn)?;
    let mut stmt = conn.prepare_cached(
        "SELECT e.slug,
                (SELECT count(*) FROM requests r WHERE r.endpoint_id = e.id AND r.id <= ?1)
         FROM endpoints e ORDER BY e.slug",
    )?;
    let counts = stmt
        .query_map([upto], |r| {
            Ok((
                r.get::<_, String>(0)?,
                u64::try_from(r.get::<_, i64>(1)?).unwrap_or(0),
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok((counts, upto))
}

pub fn count(conn: &Connection) -> Result<u64> {
    let n: i64 = conn.query_row("SELECT count(*) FROM requests", [], |r| r.get(0))?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// Delete every event (optionally of one endpoint).
pub fn clear(conn: &Connection, endpoint: Option<&str>) -> Result<u64> {
    let n = match endpoint {
        Some(slug) => conn.execute(
            "DELETE FROM requests WHERE endpoint_id = (SELECT id FROM endpoints WHERE slug = ?1)",
            [slug],
        )?,
        None => conn.execute("DELETE FROM requests", [])?,
    };
    Ok(n as u64)
}

/// Apply the configured retention now, in one call (no batching): for `hookscope retention`
/// and tests; the writer prunes in batches on its own.
pub fn prune_now(conn: &Connection) -> Result<u64> {
    let retention = super::settings::retention(conn)?;
    prune(conn, retention, super::now_us(), usize::MAX >> 1)
}

/// Apply retention: drop events older than `max_age_days` and all but the newest `max_events`.
/// Deletes at most `batch` rows per call so the writer is never stalled for long.
pub(crate) fn prune(
    conn: &Connection,
    r: super::settings::Retention,
    now_us: i64,
    batch: usize,
) -> Result<u64> {
    let mut deleted = 0;
    if let Some(days) = r.max_age_days {
        let cutoff = now_us.saturating_sub(
            i64::try_from(days)
                .unwrap_or(i64::MAX / 86_400_000_000)
                .saturating_mul(86_400_000_000),
        );
        deleted += conn.execute(
            "DELETE FROM requests WHERE id IN (SELECT id FROM requests WHERE received_at < ?1 ORDER BY id LIMIT ?2)",
            params![cutoff, batch as i64],
        )? as u64;
    }
    if let Some(max) = r.max_events {
        deleted += conn.execute(
            "DELETE FROM requests WHERE id IN (
                SELECT id FROM requests WHERE id <= (
                    SELECT id FROM requests ORDER BY id DESC LIMIT 1 OFFSET ?1)
                ORDER BY id LIMIT ?2)",
            params![i64::try_from(max).unwrap_or(i64::MAX), batch as i64],
        )? as u64;
    }
    Ok(deleted)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{EndpointPatch, Header};
    use crate::store::endpoints;
    use crate::store::testing::temp_store;

    fn with_event_id(endpoint: &crate::model::Endpoint, id: &str) -> NewEvent {
        let raw = RawRequest {
            method: "POST".into(),
            path: "/a".into(),
            query: String::new(),
            http_version: "HTTP/1.1".into(),
            headers: vec![Header::new("content-type", "application/json")],
            body: Vec::new(),
            remote_addr: None,
            received_at_us: 0,
            rejection: None,
        };
        let mut event = crate::capture::prepare(endpoint, raw, 0).event;
        event.event_id = Some(id.into());
        event
    }

    #[test]
    fn a_duplicate_points_at_the_earliest_and_the_lookup_is_not_recompiled() {
        let (_d, store) = temp_store();
        let mut conn = store.connect().unwrap();
        let endpoint = endpoints::insert(&conn, "a", &EndpointPatch::default()).unwrap();
        let tx = conn.transaction().unwrap();
        let first = insert(&tx, &with_event_id(&endpoint, "evt_1")).unwrap();
        assert_eq!(first.duplicate_of, None);
        for n in 2..50 {
            insert(&tx, &with_event_id(&endpoint, &format!("evt_{n}"))).unwrap();
            let again = insert(&tx, &with_event_id(&endpoint, "evt_1")).unwrap();
            assert_eq!(again.duplicate_of, Some(first.id));
        }
        let lookup = tx.prepare_cached(DUPLICATE_OF).unwrap();
        assert_eq!(
            lookup.get_status(rusqlite::StatementStatus::RePrepare),
            0,
            "new bindings do not recompile the lookup"
        );
    }
}

//! The full-text index over path, headers and text bodies, kept off the capture path.
//!
//! Indexing a body (trigrams, for substring search) costs far more than storing it, so the
//! writer commits and acknowledges requests first and indexes them afterwards, whenever its queue
//! is empty. Under a sustained burst the index lags behind; searches stay complete because rows
//! above the indexed mark are matched by a plain scan (see `events::list`).

use rusqlite::{Connection, params};

use super::{decode_headers, settings};
use crate::{Result, body};

/// The setting holding the highest request id that has been indexed.
const INDEXED_UPTO: &str = "search.indexed_upto";
/// How much of a (decoded) body the index sees.
const BODY_CAP: usize = 1024 * 1024;

pub fn indexed_upto(conn: &Connection) -> Result<i64> {
    Ok(settings::get(conn, INDEXED_UPTO)?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0))
}

/// Index up to `limit` requests above the mark, in one transaction of the caller's. Returns how
/// many were indexed (0: the index is up to date).
pub fn index_pending(conn: &Connection, limit: usize) -> Result<usize> {
    let upto = indexed_upto(conn)?;
    let mut select = conn.prepare_cached(
        "SELECT id, path, headers, body FROM requests WHERE id > ?1 ORDER BY id LIMIT ?2",
    )?;
    let rows = select.query_map(
        params![upto, i64::try_from(limit).unwrap_or(i64::MAX)],
        |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Vec<u8>>(2)?,
                r.get::<_, Vec<u8>>(3)?,
            ))
        },
    )?;
    let mut insert = conn.prepare_cached(
        "INSERT INTO requests_fts(rowid, path, headers, body) VALUES (?1, ?2, ?3, ?4)",
    )?;
    let mut last = upto;
    let mut count = 0;
    for row in rows {
        let (id, path, headers, raw_body) = row?;
        let encoding = decode_headers(&headers)
            .into_iter()
            .find(|h| h.name.eq_ignore_ascii_case("content-encoding"))
            .map(|h| h.value_lossy());
        let text = body::search_text(encoding.as_deref(), &raw_body, BODY_CAP);
        insert.execute(params![id, path, String::from_utf8_lossy(&headers), text])?;
        last = id;
        count += 1;
    }
    if count > 0 {
        settings::set(conn, INDEXED_UPTO, Some(&last.to_string()))?;
    }
    Ok(count)
}

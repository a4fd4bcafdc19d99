//! Key/value settings shared by every process on the data dir (retention, …).

use rusqlite::{Connection, OptionalExtension};

use crate::Result;

pub const RETENTION_MAX_EVENTS: &str = "retention.max_events";
pub const RETENTION_MAX_AGE_DAYS: &str = "retention.max_age_days";

pub fn get(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
            r.get(0)
        })
        .optional()?)
}

pub fn set(conn: &Connection, key: &str, value: Option<&str>) -> Result<()> {
    match value {
        Some(v) => conn.execute(
            "INSERT INTO settings(key, value) VALUES (?1, ?2)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [key, v],
        )?,
        None => conn.execute("DELETE FROM settings WHERE key = ?1", [key])?,
    };
    Ok(())
}

/// Retention limits; `None` keeps everything.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Retention {
    pub max_events: Option<u64>,
    pub max_age_days: Option<u64>,
}

pub fn retention(conn: &Connection) -> Result<Retention> {
    let parse = |key| -> Result<Option<u64>> { Ok(get(conn, key)?.and_then(|v| v.parse().ok())) };
    Ok(Retention {
        max_events: parse(RETENTION_MAX_EVENTS)?,
        max_age_days: parse(RETENTION_MAX_AGE_DAYS)?,
    })
}

pub fn set_retention(conn: &Connection, r: Retention) -> Result<()> {
    set(
        conn,
        RETENTION_MAX_EVENTS,
        r.max_events.map(|v| v.to_string()).as_deref(),
    )?;
    set(
        conn,
        RETENTION_MAX_AGE_DAYS,
        r.max_age_days.map(|v| v.to_string()).as_deref(),
    )
}

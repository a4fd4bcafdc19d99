//! Queries on `forwards`: per endpoint, how auto-forward retries and how far it has delivered.
//! The target itself is the endpoint's `forward_url`; a row exists while forwarding is on.
//!
//! The position (`delivered_upto`) is the id of the last request delivered, given up on, or
//! answered inline by the target ([`Respond::Target`]); requests after it that were not answered
//! inline are the backlog.

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use crate::{Error, Result};

/// What the provider gets back for a forwarded endpoint's request.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Respond {
    /// The endpoint's response rule, at once; forwarding happens in the background.
    #[default]
    Rule,
    /// The forward target's own answer, waited for inline (within `respond_timeout_ms`).
    Target,
}

impl Respond {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Rule => "rule",
            Self::Target => "target",
        }
    }

    pub fn parse(text: &str) -> Result<Self> {
        match text {
            "rule" => Ok(Self::Rule),
            "target" => Ok(Self::Target),
            other => Err(Error::invalid(format!(
                "{other:?} is not a way to respond; use rule or target"
            ))),
        }
    }
}

/// How an endpoint's events are forwarded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForwardSettings {
    /// Each try waits this long for the target's whole answer.
    pub timeout_ms: u64,
    /// The wait before the second try; it doubles per try up to `retry_max_ms`.
    pub retry_initial_ms: u64,
    pub retry_max_ms: u64,
    /// Tries for an event the target answers with 5xx before moving on; 0 keeps trying.
    /// A target that cannot be reached is always retried: that is the backlog case.
    pub max_attempts: u32,
    pub allow_remote: bool,
    pub follow_redirects: bool,
    pub respond: Respond,
    /// With [`Respond::Target`]: how long the provider's request waits for the target's answer.
    /// It should stay below the provider's own delivery timeout (3 s for Slack and Zoom, 5 s for
    /// Shopify and Paddle, 10 s for GitLab, 15 s for Svix).
    pub respond_timeout_ms: u64,
}

/// The default [`ForwardSettings::respond_timeout_ms`].
pub const DEFAULT_RESPOND_TIMEOUT_MS: u64 = 10_000;

impl Default for ForwardSettings {
    fn default() -> Self {
        Self {
            // A developer may sit at a breakpoint: minutes, not seconds.
            timeout_ms: 300_000,
            retry_initial_ms: 500,
            retry_max_ms: 30_000,
            max_attempts: 5,
            allow_remote: false,
            follow_redirects: false,
            respond: Respond::Rule,
            respond_timeout_ms: DEFAULT_RESPOND_TIMEOUT_MS,
        }
    }
}

/// The stored state of one endpoint's forwarding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForwardState {
    pub settings: ForwardSettings,
    /// Id of the last request delivered or given up on.
    pub delivered_upto: i64,
}

fn to_u64(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

fn to_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

pub fn get(conn: &Connection, endpoint: &str) -> Result<Option<ForwardState>> {
    Ok(conn
        .prepare_cached(
            "SELECT f.delivered_upto, f.timeout_ms, f.retry_initial_ms, f.retry_max_ms,
                    f.max_attempts, f.allow_remote, f.follow_redirects, f.respond,
                    f.respond_timeout_ms
             FROM forwards f JOIN endpoints e ON e.id = f.endpoint_id WHERE e.slug = ?1",
        )?
        .query_row([endpoint], |r| {
            let attempts: i64 = r.get(4)?;
            let respond: String = r.get(7)?;
            Ok(ForwardState {
                delivered_upto: r.get(0)?,
                settings: ForwardSettings {
                    timeout_ms: to_u64(r.get(1)?),
                    retry_initial_ms: to_u64(r.get(2)?),
                    retry_max_ms: to_u64(r.get(3)?),
                    max_attempts: u32::try_from(attempts).unwrap_or(0),
                    allow_remote: r.get(5)?,
                    follow_redirects: r.get(6)?,
                    // The column's CHECK allows only the two names.
                    respond: Respond::parse(&respond).unwrap_or_default(),
                    respond_timeout_ms: to_u64(r.get(8)?),
                },
            })
        })
        .optional()?)
}

/// Endpoints that forward and answer with the target's answer, with their respond timeouts.
pub fn list_responding(conn: &Connection) -> Result<Vec<(String, u64)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT e.slug, f.respond_timeout_ms FROM forwards f JOIN endpoints e ON e.id = f.endpoint_id
         WHERE f.respond = 'target' AND e.forward_url IS NOT NULL",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, to_u64(r.get(1)?))))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Turn forwarding on (or change its settings). Turning it on starts after the newest event:
/// only events captured from now on are forwarded; changing settings keeps the position.
pub fn set(conn: &Connection, endpoint: &str, s: &ForwardSettings) -> Result<()> {
    conn.execute(
        "INSERT INTO forwards(endpoint_id, delivered_upto, timeout_ms, retry_initial_ms,
            retry_max_ms, max_attempts, allow_remote, follow_redirects, respond, respond_timeout_ms)
         SELECT e.id, (SELECT coalesce(max(id), 0) FROM requests), ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9
         FROM endpoints e WHERE e.slug = ?1
         ON CONFLICT(endpoint_id) DO UPDATE SET timeout_ms = excluded.timeout_ms,
            retry_initial_ms = excluded.retry_initial_ms, retry_max_ms = excluded.retry_max_ms,
            max_attempts = excluded.max_attempts, allow_remote = excluded.allow_remote,
            follow_redirects = excluded.follow_redirects, respond = excluded.respond,
            respond_timeout_ms = excluded.respond_timeout_ms",
        params![
            endpoint,
            to_i64(s.timeout_ms),
            to_i64(s.retry_initial_ms),
            to_i64(s.retry_max_ms),
            s.max_attempts,
            s.allow_remote,
            s.follow_redirects,
            s.respond.as_str(),
            to_i64(s.respond_timeout_ms)
        ],
    )?;
    Ok(())
}

pub fn clear(conn: &Connection, endpoint: &str) -> Result<()> {
    conn.execute(
        "DELETE FROM forwards WHERE endpoint_id = (SELECT id FROM endpoints WHERE slug = ?1)",
        [endpoint],
    )?;
    Ok(())
}

/// Move the position from `from` to `to`; false when someone else moved it meanwhile.
pub fn advance(conn: &Connection, endpoint: &str, from: i64, to: i64) -> Result<bool> {
    let n = conn.execute(
        "UPDATE forwards SET delivered_upto = ?3
         WHERE endpoint_id = (SELECT id FROM endpoints WHERE slug = ?1) AND delivered_upto = ?2",
        params![endpoint, from, to],
    )?;
    Ok(n == 1)
}

/// Endpoints whose `forward_url` was set or cleared through another door (`endpoints set
/// --forward`, the app's endpoint editor) get their forwarding state created (starting after
/// the newest event, default settings) or removed. Returns whether anything changed.
pub fn reconcile(conn: &Connection) -> Result<bool> {
    let d = ForwardSettings::default();
    let removed = conn.execute(
        "DELETE FROM forwards WHERE endpoint_id IN (SELECT id FROM endpoints WHERE forward_url IS NULL)",
        [],
    )?;
    let added = conn.execute(
        "INSERT INTO forwards(endpoint_id, delivered_upto, timeout_ms, retry_initial_ms,
            retry_max_ms, max_attempts, allow_remote, follow_redirects)
         SELECT e.id, (SELECT coalesce(max(id), 0) FROM requests), ?1, ?2, ?3, ?4, 0, 0
         FROM endpoints e
         WHERE e.forward_url IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM forwards f WHERE f.endpoint_id = e.id)",
        params![
            to_i64(d.timeout_ms),
            to_i64(d.retry_initial_ms),
            to_i64(d.retry_max_ms),
            d.max_attempts
        ],
    )?;
    Ok(removed + added > 0)
}

/// Whether [`reconcile`] has anything to do (a read, so the common case takes no write lock).
pub fn out_of_step(conn: &Connection) -> Result<bool> {
    Ok(conn.query_row(
        "SELECT EXISTS(SELECT 1 FROM endpoints e WHERE (e.forward_url IS NULL) =
            EXISTS(SELECT 1 FROM forwards f WHERE f.endpoint_id = e.id))",
        [],
        |r| r.get(0),
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::EndpointPatch;
    use crate::store::endpoints;
    use crate::store::testing::temp_store;

    #[test]
    fn a_forward_url_set_through_the_endpoint_gets_state_and_loses_it_when_cleared() {
        let (_d, store) = temp_store();
        let with = |url: Option<&str>| EndpointPatch {
            forward_url: Some(url.map(str::to_string)),
            ..Default::default()
        };
        store
            .write(|tx| {
                endpoints::insert(tx, "a", &with(Some("http://localhost:3000")))?;
                assert!(out_of_step(tx)?);
                assert!(reconcile(tx)?);
                assert!(!out_of_step(tx)?);
                assert_eq!(
                    get(tx, "a")?.map(|s| s.settings),
                    Some(ForwardSettings::default())
                );
                endpoints::update(tx, "a", &with(None))?;
                assert!(out_of_step(tx)?);
                reconcile(tx)?;
                assert_eq!(get(tx, "a")?, None);
                Ok(())
            })
            .unwrap();
    }
    #[test]
    fn respond_settings_round_trip_and_changing_them_bumps_the_endpoint_revision() {
        let (_d, store) = temp_store();
        store
            .write(|tx| {
                endpoints::insert(tx, "a", &EndpointPatch::default())?;
                let s = ForwardSettings {
                    respond: Respond::Target,
                    respond_timeout_ms: 2500,
                    ..Default::default()
                };
                set(tx, "a", &s)?;
                assert_eq!(get(tx, "a")?.map(|f| f.settings), Some(s.clone()));
                // Not forwarding (no forward_url): not answered by a target.
                assert_eq!(list_responding(tx)?, vec![]);
                endpoints::update(
                    tx,
                    "a",
                    &EndpointPatch {
                        forward_url: Some(Some("http://localhost:3000".into())),
                        ..Default::default()
                    },
                )?;
                assert_eq!(list_responding(tx)?, vec![("a".to_string(), 2500)]);
                let before = endpoints::revision(tx)?;
                assert!(advance(tx, "a", 0, 5)?);
                assert_eq!(
                    endpoints::revision(tx)?,
                    before,
                    "moving the position is no change"
                );
                set(tx, "a", &ForwardSettings::default())?;
                assert!(
                    endpoints::revision(tx)? > before,
                    "capture servers reload the mode"
                );
                assert_eq!(list_responding(tx)?, vec![]);
                Ok(())
            })
            .unwrap();
        assert!(Respond::parse("both").is_err());
    }

    #[test]
    fn the_position_skips_requests_answered_inline_but_not_the_others() {
        use crate::store::events::{NextToForward, next_to_forward};
        let (_d, store) = temp_store();
        store
            .write(|tx| {
                let id = endpoints::insert(tx, "a", &EndpointPatch::default())?.id;
                // 1 by rule, 2 and 3 inline, 4 by rule, 5 inline.
                for inline in [0, 1, 1, 0, 1] {
                    tx.execute(
                        "INSERT INTO requests(endpoint_id, received_at, method, path, query,
                            http_version, headers, body, body_size, response_status, fingerprint,
                            answered_by_target)
                         VALUES (?1, 0, 'POST', '/a', '', 'HTTP/1.1', x'', x'', 0, 200, 'f', ?2)",
                        params![id, inline],
                    )?;
                }
                let next = |after| next_to_forward(tx, "a", after);
                let at = |skip_to, deliver| NextToForward { skip_to, deliver };
                assert_eq!(next(0)?, at(None, Some(1)));
                assert_eq!(next(1)?, at(Some(3), Some(4)));
                assert_eq!(next(3)?, at(None, Some(4)));
                assert_eq!(next(4)?, at(Some(5), None));
                assert_eq!(next(5)?, at(None, None));
                assert_eq!(crate::store::events::count_captured_after(tx, "a", 0)?, 2);
                Ok(())
            })
            .unwrap();
    }
}

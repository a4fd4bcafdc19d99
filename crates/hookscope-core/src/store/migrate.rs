//! Forward-only schema migrations, embedded in the binary and tracked by `PRAGMA user_version`.
//! Each migration runs in its own transaction; a released migration is never edited.

use rusqlite::Connection;

use crate::{Error, Result};

const MIGRATIONS: &[(&str, &str)] = &[
    ("0001_init", include_str!("../../migrations/0001_init.sql")),
    (
        "0002_replay_forward",
        include_str!("../../migrations/0002_replay_forward.sql"),
    ),
    (
        "0003_forward_respond",
        include_str!("../../migrations/0003_forward_respond.sql"),
    ),
    (
        "0004_route_consent",
        include_str!("../../migrations/0004_route_consent.sql"),
    ),
];

/// Bring the schema up to date. A database newer than this binary is refused rather than
/// misread.
pub fn migrate(conn: &mut Connection) -> Result<()> {
    let current: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let current = usize::try_from(current).unwrap_or(usize::MAX);
    if current > MIGRATIONS.len() {
        return Err(Error::StoreUnavailable(format!(
            "the database has schema version {current}, newer than this Hookscope knows ({}); \
             upgrade Hookscope",
            MIGRATIONS.len()
        )));
    }
    for (index, (name, sql)) in MIGRATIONS.iter().enumerate().skip(current) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)
            .map_err(|e| Error::StoreUnavailable(format!("migration {name} failed: {e}")))?;
        tx.pragma_update(
            None,
            "user_version",
            i64::try_from(index + 1).unwrap_or(i64::MAX),
        )?;
        tx.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrates_from_empty_and_is_idempotent() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        migrate(&mut conn).unwrap();
        let v: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(v, MIGRATIONS.len() as i64);
        let n: i64 = conn
            .query_row("SELECT count(*) FROM requests_fts", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 0);
    }

    #[test]
    fn refuses_a_newer_schema() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "user_version", 999).unwrap();
        assert!(matches!(
            migrate(&mut conn),
            Err(Error::StoreUnavailable(_))
        ));
    }
    #[test]
    fn forwarding_set_up_before_0003_answers_by_rule_and_keeps_its_position() {
        let mut conn = Connection::open_in_memory().unwrap();
        for (_, sql) in &MIGRATIONS[..2] {
            conn.execute_batch(sql).unwrap();
        }
        conn.pragma_update(None, "user_version", 2).unwrap();
        conn.execute_batch(
            "INSERT INTO endpoints(slug, name, response, forward_url, max_body, created_at)
                VALUES ('a', 'a', '{}', 'http://localhost:3000', 1, 0);
             INSERT INTO forwards(endpoint_id, delivered_upto, timeout_ms, retry_initial_ms,
                retry_max_ms, max_attempts) VALUES (1, 42, 1, 1, 1, 1);",
        )
        .unwrap();
        migrate(&mut conn).unwrap();
        let row: (i64, String, i64) = conn
            .query_row(
                "SELECT delivered_upto, respond, respond_timeout_ms FROM forwards",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        assert_eq!(row, (42, "rule".into(), 10_000));
        assert!(
            conn.execute("UPDATE forwards SET respond = 'both'", [])
                .is_err(),
            "only rule or target"
        );
    }

    #[test]
    fn routes_added_before_0004_keep_the_consent_they_were_added_with() {
        let mut conn = Connection::open_in_memory().unwrap();
        for (_, sql) in &MIGRATIONS[..3] {
            conn.execute_batch(sql).unwrap();
        }
        conn.pragma_update(None, "user_version", 3).unwrap();
        conn.execute_batch(
            "INSERT INTO endpoints(slug, name, response, max_body, created_at)
                VALUES ('a', 'a', '{}', 1, 0);
             INSERT INTO routes(endpoint_id, position, match_kind, pattern, target)
                VALUES (1, 1, 'path_prefix', '/x', 'https://example.com/hooks');",
        )
        .unwrap();
        migrate(&mut conn).unwrap();
        let routes = crate::store::routes::list(&conn, "a").unwrap();
        assert!(routes[0].allow_remote, "{routes:?}");
    }
}

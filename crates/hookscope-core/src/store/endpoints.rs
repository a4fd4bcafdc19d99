//! Queries on `endpoints`. The default endpoint always exists and cannot be removed.

use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::model::{DEFAULT_MAX_BODY, DEFAULT_SLUG, Endpoint, EndpointPatch, ResponseRule};
use crate::{Error, Result};

const COLUMNS: &str = "id, slug, name, secrets, provider, response, forward_url, public_url, notify, \
                       max_body, handshakes, created_at";

fn from_row(row: &Row<'_>) -> rusqlite::Result<Endpoint> {
    let secrets: String = row.get(3)?;
    let response: String = row.get(5)?;
    let max_body: i64 = row.get(9)?;
    Ok(Endpoint {
        id: row.get(0)?,
        slug: row.get(1)?,
        name: row.get(2)?,
        secrets: serde_json::from_str(&secrets).unwrap_or_default(),
        provider: row.get(4)?,
        response: serde_json::from_str(&response).unwrap_or_default(),
        forward_url: row.get(6)?,
        public_url: row.get(7)?,
        notify: row.get(8)?,
        max_body: u64::try_from(max_body).unwrap_or(DEFAULT_MAX_BODY),
        handshakes: row.get(10)?,
        created_at_us: row.get(11)?,
    })
}

/// A slug is one URL path segment people can type: lower-case letters, digits, `-` and `_`.
pub fn validate_slug(slug: &str) -> Result<()> {
    let ok = !slug.is_empty()
        && slug.len() <= 64
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(format!(
            "invalid slug {slug:?}: use 1-64 characters of a-z, 0-9, '-' and '_'"
        )))
    }
}

fn json<T: serde::Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| Error::invalid(e.to_string()))
}

pub(crate) fn ensure_default(conn: &Connection) -> Result<()> {
    conn.execute(
        "INSERT INTO endpoints(slug, name, response, max_body, created_at)
         VALUES (?1, 'Default', ?2, ?3, ?4) ON CONFLICT(slug) DO NOTHING",
        params![
            DEFAULT_SLUG,
            json(&ResponseRule::default())?,
            DEFAULT_MAX_BODY as i64,
            super::now_us()
        ],
    )?;
    Ok(())
}

pub fn list(conn: &Connection) -> Result<Vec<Endpoint>> {
    let mut stmt =
        conn.prepare_cached(&format!("SELECT {COLUMNS} FROM endpoints ORDER BY slug"))?;
    let rows = stmt.query_map([], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn get(conn: &Connection, slug: &str) -> Result<Endpoint> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM endpoints WHERE slug = ?1"),
        [slug],
        from_row,
    )
    .optional()?
    .ok_or_else(|| Error::NotFound {
        what: "endpoint",
        key: slug.to_string(),
    })
}

/// The revision counter bumped by every endpoint change (by any process).
pub fn revision(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row(
        "SELECT CAST(value AS INTEGER) FROM settings WHERE key = 'endpoints_rev'",
        [],
        |r| r.get(0),
    )?)
}

pub fn insert(conn: &Connection, slug: &str, patch: &EndpointPatch) -> Result<Endpoint> {
    validate_slug(slug)?;
    validate_patch(patch)?;
    let exists: bool = conn.query_row(
        "SELECT EXISTS(SELECT 1 FROM endpoints WHERE slug = ?1)",
        [slug],
        |r| r.get(0),
    )?;
    if exists {
        return Err(Error::Conflict(format!("endpoint {slug:?}")));
    }
    conn.execute(
        "INSERT INTO endpoints(slug, name, response, max_body, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            slug,
            patch.name.clone().unwrap_or_else(|| slug.to_string()),
            json(&ResponseRule::default())?,
            DEFAULT_MAX_BODY as i64,
            super::now_us()
        ],
    )?;
    update(conn, slug, patch)
}

fn validate_patch(patch: &EndpointPatch) -> Result<()> {
    if let Some(rule) = &patch.response {
        if !(100..=599).contains(&rule.status) {
            return Err(Error::invalid(format!(
                "status {} is not an HTTP status (100-599)",
                rule.status
            )));
        }
        if rule.failures.fail_percent > 100 {
            return Err(Error::invalid("fail percentage must be between 0 and 100"));
        }
        if let Some(s) = rule
            .failures
            .fail_status
            .filter(|s| !(100..=599).contains(s))
        {
            return Err(Error::invalid(format!(
                "failure status {s} is not an HTTP status (100-599)"
            )));
        }
    }
    if let Some(secrets) = &patch.secrets
        && secrets.iter().any(|s| s.is_empty())
    {
        return Err(Error::invalid("a secret cannot be empty"));
    }
    if patch.max_body == Some(0) {
        return Err(Error::invalid("the body limit must be at least 1 byte"));
    }
    Ok(())
}

pub fn update(conn: &Connection, slug: &str, patch: &EndpointPatch) -> Result<Endpoint> {
    validate_patch(patch)?;
    let current = get(conn, slug)?;
    let next = Endpoint {
        name: patch.name.clone().unwrap_or(current.name),
        secrets: patch.secrets.clone().unwrap_or(current.secrets),
        provider: patch.provider.clone().unwrap_or(current.provider),
        response: patch.response.clone().unwrap_or(current.response),
        forward_url: patch.forward_url.clone().unwrap_or(current.forward_url),
        public_url: patch.public_url.clone().unwrap_or(current.public_url),
        notify: patch.notify.unwrap_or(current.notify),
        max_body: patch.max_body.unwrap_or(current.max_body),
        handshakes: patch.handshakes.unwrap_or(current.handshakes),
        ..current
    };
    conn.execute(
        "UPDATE endpoints SET name = ?2, secrets = ?3, provider = ?4, response = ?5, forward_url = ?6,
                public_url = ?7, notify = ?8, max_body = ?9, handshakes = ?10
         WHERE slug = ?1",
        params![
            slug,
            next.name,
            json(&next.secrets)?,
            next.provider,
            json(&next.response)?,
            next.forward_url,
            next.public_url,
            next.notify,
            i64::try_from(next.max_body).unwrap_or(i64::MAX),
            next.handshakes
        ],
    )?;
    Ok(next)
}

/// Remove an endpoint and its captured requests.
pub fn delete(conn: &Connection, slug: &str) -> Result<()> {
    if slug == DEFAULT_SLUG {
        return Err(Error::invalid("the default endpoint cannot be removed"));
    }
    match conn.execute("DELETE FROM endpoints WHERE slug = ?1", [slug])? {
        0 => Err(Error::NotFound {
            what: "endpoint",
            key: slug.to_string(),
        }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing::temp_store;

    #[test]
    fn default_exists_and_cannot_be_removed() {
        let (_d, store) = temp_store();
        store
            .read(|c| {
                assert_eq!(get(c, DEFAULT_SLUG)?.slug, DEFAULT_SLUG);
                assert!(matches!(delete(c, DEFAULT_SLUG), Err(Error::Invalid(_))));
                Ok(())
            })
            .unwrap();
    }

    #[test]
    fn insert_update_delete_bump_the_revision() {
        let (_d, store) = temp_store();
        store
            .write(|tx| {
                let r0 = revision(tx)?;
                let patch = EndpointPatch {
                    secrets: Some(vec!["a".into(), "b".into()]),
                    ..Default::default()
                };
                let ep = insert(tx, "stripe", &patch)?;
                assert_eq!(ep.secrets, ["a", "b"]);
                assert!(revision(tx)? > r0);
                assert!(matches!(
                    insert(tx, "stripe", &patch),
                    Err(Error::Conflict(_))
                ));
                let r1 = revision(tx)?;
                let rule = ResponseRule {
                    status: 202,
                    ..Default::default()
                };
                let ep = update(
                    tx,
                    "stripe",
                    &EndpointPatch {
                        response: Some(rule),
                        ..Default::default()
                    },
                )?;
                assert_eq!((ep.response.status, ep.secrets.len()), (202, 2));
                assert!(revision(tx)? > r1);
                delete(tx, "stripe")?;
                assert!(matches!(get(tx, "stripe"), Err(Error::NotFound { .. })));
                Ok(())
            })
            .unwrap();
    }

    #[test]
    fn rejects_bad_slugs_and_rules() {
        let (_d, store) = temp_store();
        for slug in ["", "Stripe", "a/b", "has space"] {
            assert!(
                store
                    .write(|tx| insert(tx, slug, &EndpointPatch::default()))
                    .is_err(),
                "{slug}"
            );
        }
        let rule = ResponseRule {
            status: 42,
            ..Default::default()
        };
        let patch = EndpointPatch {
            response: Some(rule),
            ..Default::default()
        };
        assert!(matches!(
            store.write(|tx| insert(tx, "x", &patch)),
            Err(Error::Invalid(_))
        ));
    }
}

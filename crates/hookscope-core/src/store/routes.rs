//! Queries on `routes`: per endpoint, rules sending matching events to their own target (by a
//! prefix of the path after the slug, or by event type), tried in order; the first match wins,
//! and an event no rule matches goes to the endpoint's forward target. A route carries its own
//! consent to a target that is not loopback: delivery to it is allowed by that consent, not by the
//! one the endpoint's forward target was given.

use rusqlite::{Connection, params};
use serde::Serialize;

use crate::model::Event;
use crate::replay::target::{Target, path_after_slug};
use crate::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Match {
    /// The path after the slug starts with the pattern.
    PathPrefix,
    /// The event type equals the pattern, or starts with it when it ends in `*`.
    EventType,
}

impl Match {
    fn as_str(self) -> &'static str {
        match self {
            Self::PathPrefix => "path_prefix",
            Self::EventType => "event_type",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Route {
    pub id: i64,
    /// 1-based, in matching order.
    pub position: u32,
    pub kind: Match,
    pub pattern: String,
    pub target: String,
    /// The user agreed to `target` being off this machine (asked when the route was added).
    pub allow_remote: bool,
}

impl Route {
    pub fn matches(&self, slug: &str, event: &Event) -> bool {
        match self.kind {
            Match::PathPrefix => {
                path_after_slug(slug, &event.summary.path).starts_with(&self.pattern)
            }
            Match::EventType => event.summary.event_type.as_deref().is_some_and(|t| {
                match self.pattern.strip_suffix('*') {
                    Some(prefix) => t.starts_with(prefix),
                    None => t == self.pattern,
                }
            }),
        }
    }
}

/// The first route `event` matches.
pub fn resolve<'a>(routes: &'a [Route], slug: &str, event: &Event) -> Option<&'a Route> {
    routes.iter().find(|r| r.matches(slug, event))
}

pub fn list(conn: &Connection, endpoint: &str) -> Result<Vec<Route>> {
    let mut stmt = conn.prepare_cached(
        "SELECT r.id, r.match_kind, r.pattern, r.target, r.allow_remote FROM routes r
         JOIN endpoints e ON e.id = r.endpoint_id WHERE e.slug = ?1 ORDER BY r.position, r.id",
    )?;
    let rows = stmt.query_map([endpoint], |r| {
        let kind: String = r.get(1)?;
        Ok((r.get::<_, i64>(0)?, kind, r.get(2)?, r.get(3)?, r.get(4)?))
    })?;
    let mut out = Vec::new();
    for (index, row) in rows.enumerate() {
        let (id, kind, pattern, target, allow_remote) = row?;
        out.push(Route {
            id,
            position: u32::try_from(index + 1).unwrap_or(u32::MAX),
            kind: if kind == "event_type" {
                Match::EventType
            } else {
                Match::PathPrefix
            },
            pattern,
            target,
            allow_remote,
        });
    }
    Ok(out)
}

/// Add a route after the existing ones. The target must be loopback unless `allow_remote`, which
/// is kept with the route and honoured whenever an event is delivered through it.
pub fn add(
    conn: &Connection,
    endpoint: &str,
    kind: Match,
    pattern: &str,
    target: &str,
    allow_remote: bool,
) -> Result<Route> {
    Target::parse(target)?.check_allowed(allow_remote)?;
    if pattern.is_empty() {
        return Err(Error::invalid("a route needs a non-empty pattern"));
    }
    let endpoint_id: i64 = super::endpoints::get(conn, endpoint)?.id;
    conn.execute(
        "INSERT INTO routes(endpoint_id, position, match_kind, pattern, target, allow_remote)
         VALUES (?1, (SELECT coalesce(max(position), 0) + 1 FROM routes WHERE endpoint_id = ?1), ?2, ?3, ?4, ?5)",
        params![endpoint_id, kind.as_str(), pattern, target, allow_remote],
    )?;
    let id = conn.last_insert_rowid();
    list(conn, endpoint)?
        .into_iter()
        .find(|r| r.id == id)
        .ok_or_else(|| Error::NotFound {
            what: "route",
            key: id.to_string(),
        })
}

/// Remove the route at `position` (1-based, as listed).
pub fn remove(conn: &Connection, endpoint: &str, position: u32) -> Result<()> {
    let route = list(conn, endpoint)?
        .into_iter()
        .find(|r| r.position == position)
        .ok_or_else(|| Error::NotFound {
            what: "route",
            key: format!("{endpoint} #{position}"),
        })?;
    conn.execute("DELETE FROM routes WHERE id = ?1", [route.id])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::EventSummary;
    use crate::store::testing::temp_store;

    fn event(path: &str, event_type: Option<&str>) -> Event {
        Event {
            summary: EventSummary {
                id: 1,
                endpoint: "stripe".into(),
                received_at_us: 0,
                method: "POST".into(),
                path: path.into(),
                query: String::new(),
                body_size: 0,
                content_type: None,
                provider: None,
                event_type: event_type.map(str::to_string),
                event_id: None,
                signature_status: None,
                duplicate_of: None,
                response_status: 200,
                rejected: None,
                imported: false,
            },
            http_version: "HTTP/1.1".into(),
            headers: vec![],
            body: vec![],
            remote_addr: None,
            rejection: None,
            signature: None,
            imported: false,
        }
    }

    #[test]
    fn first_matching_route_wins_by_event_type_glob_or_path_prefix() {
        let (_d, store) = temp_store();
        let routes = store
            .write(|tx| {
                crate::store::endpoints::insert(tx, "stripe", &Default::default())?;
                add(
                    tx,
                    "stripe",
                    Match::EventType,
                    "invoice.*",
                    "http://localhost:3000/billing",
                    false,
                )?;
                add(
                    tx,
                    "stripe",
                    Match::PathPrefix,
                    "/connect",
                    "http://localhost:4000",
                    false,
                )?;
                assert!(
                    add(
                        tx,
                        "stripe",
                        Match::PathPrefix,
                        "/x",
                        "http://example.com",
                        false
                    )
                    .is_err()
                );
                list(tx, "stripe")
            })
            .unwrap();
        assert_eq!(
            routes.iter().map(|r| r.position).collect::<Vec<_>>(),
            [1, 2]
        );
        let to = |path, t| resolve(&routes, "stripe", &event(path, t)).map(|r| r.target.as_str());
        assert_eq!(
            to("/stripe", Some("invoice.paid")),
            Some("http://localhost:3000/billing")
        );
        assert_eq!(
            to("/stripe/connect/x", Some("invoice.paid")),
            Some("http://localhost:3000/billing")
        );
        assert_eq!(
            to("/stripe/connect/x", Some("charge.succeeded")),
            Some("http://localhost:4000")
        );
        assert_eq!(to("/stripe", Some("invoices")), None);
        assert_eq!(to("/stripe", None), None);
        store.write(|tx| remove(tx, "stripe", 1)).unwrap();
        let left = store.read(|c| list(c, "stripe")).unwrap();
        assert_eq!((left.len(), left[0].position), (1, 1));
    }

    #[test]
    fn a_route_keeps_whether_its_remote_target_was_agreed_to() {
        let (_d, store) = temp_store();
        let routes = store
            .write(|tx| {
                crate::store::endpoints::insert(tx, "gh", &Default::default())?;
                add(
                    tx,
                    "gh",
                    Match::EventType,
                    "push",
                    "http://localhost:1",
                    false,
                )?;
                add(
                    tx,
                    "gh",
                    Match::EventType,
                    "*",
                    "https://ci.example.com",
                    true,
                )?;
                list(tx, "gh")
            })
            .unwrap();
        assert_eq!(
            routes.iter().map(|r| r.allow_remote).collect::<Vec<_>>(),
            [false, true]
        );
    }
}

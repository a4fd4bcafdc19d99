//! Import: a HAR file (from browser devtools, other tools, or Hookscope's own export) or
//! Hookscope's NDJSON export, detected from the content. Imported events keep their original
//! time, are marked `imported` (so auto-forward never sends them), and keep the analysis they
//! were exported with (provider, event, signature report); requests from elsewhere are analysed
//! as if they had arrived at their original time.
//!
//! All or nothing: the whole file is parsed and checked first, and then stored in one
//! transaction; a malformed file is refused with the line (NDJSON) or entry (HAR) and the reason.

use std::collections::HashMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::Serialize;

use crate::capture::prepare;
use crate::event_json::{EventJson, parse_rfc3339_us};
use crate::hub::{Hub, HubEvent};
use crate::model::{DEFAULT_SLUG, Endpoint, EndpointPatch, Header, RawRequest};
use crate::store::events::{self, StatusPolicy};
use crate::store::{Store, endpoints};
use crate::{Error, Result};

/// A request to import, from either format.
#[derive(Debug, Clone)]
pub struct Incoming {
    /// The endpoint it was captured on, when the file says; created when missing.
    pub endpoint: Option<String>,
    pub raw: RawRequest,
    /// The status Hookscope (or the original server) answered with.
    pub response_status: u16,
    /// The analysis the file carries; `None`: analyse on import.
    pub kept: Option<Kept>,
}

/// Analysis carried over from an export.
#[derive(Debug, Clone, Default)]
pub struct Kept {
    pub provider: Option<String>,
    pub event_type: Option<String>,
    pub event_id: Option<String>,
    pub signature: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Har,
    Ndjson,
}

#[derive(Debug, Clone, Serialize)]
pub struct ImportReport {
    pub format: Format,
    pub imported: u64,
    /// Ids the imported events got, in file order.
    pub ids: Vec<i64>,
    /// Endpoints the file named that did not exist and were created.
    pub created_endpoints: Vec<String>,
}

/// Parse a file's content, detecting the format.
pub fn parse(content: &[u8]) -> Result<(Format, Vec<Incoming>)> {
    let text = std::str::from_utf8(content)
        .map_err(|e| Error::invalid(format!("the file is not UTF-8 text: {e}")))?;
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(doc) if doc.get("log").is_some() => {
            let incoming =
                crate::har::parse(&doc).map_err(|e| Error::invalid(format!("HAR {e}")))?;
            Ok((Format::Har, incoming))
        }
        _ if text.trim_start().starts_with('{') => Ok((Format::Ndjson, parse_ndjson(text)?)),
        _ => Err(Error::invalid(
            "neither HAR (a JSON object with `log`) nor Hookscope NDJSON (one event JSON per line)",
        )),
    }
}

fn parse_ndjson(text: &str) -> Result<Vec<Incoming>> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(i, line)| {
            from_event_json(line).map_err(|why| Error::invalid(format!("line {}: {why}", i + 1)))
        })
        .collect()
}

fn from_event_json(line: &str) -> Result<Incoming, String> {
    let ev: EventJson = serde_json::from_str(line).map_err(|e| e.to_string())?;
    let received_at_us = parse_rfc3339_us(&ev.received_at)
        .ok_or_else(|| format!("received_at {:?} is not an RFC 3339 time", ev.received_at))?;
    let body = STANDARD
        .decode(&ev.body_base64)
        .map_err(|e| format!("body_base64 is not base64: {e}"))?;
    Ok(Incoming {
        endpoint: Some(ev.endpoint),
        raw: RawRequest {
            method: ev.method,
            path: ev.path,
            query: ev.query,
            http_version: ev.http_version,
            headers: ev
                .headers
                .into_iter()
                .map(|(name, value)| Header::new(name, value))
                .collect(),
            body,
            remote_addr: ev.remote_addr,
            received_at_us,
            rejection: ev.rejected,
        },
        response_status: ev.response_status,
        kept: Some(Kept {
            provider: ev.provider,
            event_type: ev.event_type,
            event_id: ev.event_id,
            signature: ev.signature,
        }),
    })
}

/// Store parsed requests in one transaction and announce them.
pub fn import_events(
    store: &Store,
    hub: &Hub,
    format: Format,
    incoming: Vec<Incoming>,
) -> Result<ImportReport> {
    let (ids, created) = store.write(|tx| {
        let mut known: HashMap<String, Endpoint> = endpoints::list(tx)?
            .into_iter()
            .map(|e| (e.slug.clone(), e))
            .collect();
        let mut created = Vec::new();
        let mut ids = Vec::with_capacity(incoming.len());
        for inc in incoming {
            let slug = match inc.endpoint {
                Some(slug) => {
                    if !known.contains_key(&slug) {
                        let e = endpoints::insert(tx, &slug, &EndpointPatch::default())?;
                        created.push(slug.clone());
                        known.insert(slug.clone(), e);
                    }
                    slug
                }
                None => {
                    let first = inc.raw.path.trim_start_matches('/').split('/').next();
                    first
                        .filter(|s| known.contains_key(*s))
                        .unwrap_or(DEFAULT_SLUG)
                        .to_string()
                }
            };
            let endpoint = known.get(&slug).ok_or_else(|| Error::NotFound {
                what: "endpoint",
                key: slug.clone(),
            })?;
            let status = inc.response_status;
            // Signatures are judged as of the original arrival.
            let secs = inc.raw.received_at_us.div_euclid(1_000_000);
            let mut prepared = prepare(endpoint, inc.raw, secs);
            let event = &mut prepared.event;
            event.status = StatusPolicy::Fixed(status);
            event.imported = true;
            if let Some(k) = inc.kept {
                event.signature_status = k
                    .signature
                    .as_ref()
                    .and_then(|s| s.get("status"))
                    .and_then(|s| s.as_str())
                    .map(str::to_string);
                event.signature = k.signature.map(|s| s.to_string());
                event.provider = k.provider;
                event.event_type = k.event_type;
                event.event_id = k.event_id;
            }
            ids.push(events::insert(tx, event)?.id);
        }
        Ok((ids, created))
    })?;
    hub.publish(HubEvent::EventsImported {
        count: ids.len() as u64,
    });
    if !created.is_empty() {
        hub.publish(HubEvent::EndpointsChanged);
    }
    Ok(ImportReport {
        format,
        imported: ids.len() as u64,
        ids,
        created_endpoints: created,
    })
}

/// Parse and import a file's content.
pub fn import_file(store: &Store, hub: &Hub, content: &[u8]) -> Result<ImportReport> {
    let (format, incoming) = parse(content)?;
    import_events(store, hub, format, incoming)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"{"id":1,"endpoint":"default","received_at":"2025-01-01T00:00:00.000001Z","method":"POST","path":"/","query":"","http_version":"HTTP/1.1","headers":[],"body_base64":"","body_size":0,"content_type":null,"remote_addr":null,"response_status":200,"rejected":null,"provider":null,"event_type":null,"event_id":null,"signature":null,"duplicate_of":null}"#;

    #[test]
    fn imported_events_are_marked_in_list_summaries_and_keep_their_time() {
        let (_dir, store) = crate::store::testing::temp_store();
        let report = import_file(&store, &Hub::default(), GOOD.as_bytes()).unwrap();
        assert_eq!(report.imported, 1);
        let list = store
            .read(|c| events::list(c, &Default::default(), events::Page::OldestAfter(0), 10))
            .unwrap();
        assert_eq!(list.len(), 1);
        assert!(list[0].imported);
        assert_eq!(list[0].received_at_us, 1_735_689_600_000_001);
        assert!(store.read(|c| events::get(c, list[0].id)).unwrap().imported);
    }

    #[test]
    fn refuses_malformed_input_with_the_line() {
        let good = GOOD;
        let text = format!("{good}\n\n{{\"id\":2}}\n");
        let err = parse(text.as_bytes()).unwrap_err().to_string();
        assert!(err.starts_with("line 3: missing field"), "{err}");
        assert_eq!(parse(good.as_bytes()).unwrap().1.len(), 1);
        assert!(parse(b"[1,2]").is_err());
        assert!(
            parse(br#"{"log":{}}"#)
                .unwrap_err()
                .to_string()
                .contains("log.entries")
        );
    }
}

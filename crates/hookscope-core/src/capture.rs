//! The capture pipeline: route a request to its endpoint, analyse it (provider, event, signature,
//! handshake), store it through the group-commit writer, and decide the answer.
//!
//! The pipeline is transport-agnostic: the axum server turns HTTP into a [`RawRequest`] and the
//! [`Captured`] back into HTTP; imports and tests call the same functions.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use sha2::{Digest, Sha256};

use crate::hub::{Hub, HubEvent};
use crate::model::{DEFAULT_SLUG, Endpoint, EndpointPatch, Header, RawRequest, Reply};
use crate::providers::{self, Inbound};
use crate::store::events::{Inserted, NewEvent, StatusPolicy};
use crate::store::writer::Writer;
use crate::store::{Store, StoreOptions, endpoints, forwards};
use crate::{Error, Result};

/// The engine shared by the capture server, the desktop shell and the CLI: cheap to clone.
#[derive(Clone)]
pub struct Engine {
    store: Store,
    hub: Hub,
    writer: Arc<Writer>,
    directory: Arc<RwLock<Directory>>,
}

/// The endpoints by slug, as last loaded, with the revision they were loaded at.
struct Directory {
    revision: i64,
    by_slug: HashMap<String, Arc<Endpoint>>,
    /// Endpoints answered with their forward target's answer, with the respond timeout.
    responding: HashMap<String, Duration>,
}

/// What the server should answer after a request was stored.
#[derive(Debug, Clone)]
pub struct Captured {
    pub id: i64,
    pub reply: Reply,
    pub delay: Duration,
    pub duplicate_of: Option<i64>,
}

impl Engine {
    pub fn open(data_dir: &std::path::Path, options: StoreOptions) -> Result<Self> {
        let store = Store::open(data_dir, options)?;
        let hub = Hub::default();
        let writer = Arc::new(Writer::start(&store, hub.clone())?);
        let directory = Arc::new(RwLock::new(Directory {
            revision: -1,
            by_slug: HashMap::new(),
            responding: HashMap::new(),
        }));
        let engine = Self {
            store,
            hub,
            writer,
            directory,
        };
        engine.refresh_endpoints()?;
        Ok(engine)
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn hub(&self) -> &Hub {
        &self.hub
    }

    /// Reload the endpoints if any process changed them since the last load. Returns whether
    /// they changed. Cheap when nothing changed (one indexed read).
    pub fn refresh_endpoints(&self) -> Result<bool> {
        let known = self.directory.read().map(|d| d.revision).unwrap_or(-1);
        let (revision, list) = self.store.read(|c| {
            let revision = endpoints::revision(c)?;
            let list = if revision == known {
                None
            } else {
                Some((endpoints::list(c)?, forwards::list_responding(c)?))
            };
            Ok((revision, list))
        })?;
        let Some((list, responding)) = list else {
            return Ok(false);
        };
        let by_slug = list
            .into_iter()
            .map(|e| (e.slug.clone(), Arc::new(e)))
            .collect();
        let responding = responding
            .into_iter()
            .map(|(slug, ms)| (slug, Duration::from_millis(ms.max(1))))
            .collect();
        if let Ok(mut dir) = self.directory.write() {
            *dir = Directory {
                revision,
                by_slug,
                responding,
            };
        }
        if known >= 0 {
            self.hub.publish(HubEvent::EndpointsChanged);
        }
        Ok(true)
    }

    /// The endpoint a path belongs to: `/{slug}` and `/{slug}/…` go to that endpoint, everything
    /// else to the default one.
    pub fn route(&self, path: &str) -> Result<Arc<Endpoint>> {
        let first = path.trim_start_matches('/').split('/').next().unwrap_or("");
        let dir = self
            .directory
            .read()
            .map_err(|_| Error::StoreUnavailable("endpoint directory is poisoned".into()))?;
        dir.by_slug
            .get(first)
            .or_else(|| dir.by_slug.get(DEFAULT_SLUG))
            .cloned()
            .ok_or_else(|| Error::NotFound {
                what: "endpoint",
                key: DEFAULT_SLUG.into(),
            })
    }

    /// How long the provider waits for the forward target's answer, when the endpoint is
    /// answered that way ([`crate::store::forwards::Respond::Target`]); `None`: by its rule.
    pub fn respond_by_target(&self, slug: &str) -> Option<Duration> {
        self.directory
            .read()
            .ok()
            .and_then(|d| d.responding.get(slug).copied())
    }

    /// Analyse and store a request, then say how to answer it. The answer is only produced once
    /// the request is committed; a store failure is an error (the server answers 503).
    pub async fn capture(&self, endpoint: &Endpoint, raw: RawRequest) -> Result<Captured> {
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        self.commit(endpoint, prepare(endpoint, raw, now)).await
    }

    /// Store a request [`prepare`]d elsewhere (e.g. on a blocking thread for a large body).
    pub async fn commit(&self, endpoint: &Endpoint, prepared: Prepared) -> Result<Captured> {
        let Inserted {
            id,
            duplicate_of,
            response_status,
        } = self.writer.submit(&endpoint.slug, prepared.event).await?;
        let mut reply = prepared.reply;
        reply.status = response_status;
        Ok(Captured {
            id,
            reply,
            delay: prepared.delay,
            duplicate_of,
        })
    }

    /// Add an endpoint; it takes requests at once and the change is announced on the hub.
    pub fn endpoint_create(&self, slug: &str, patch: &EndpointPatch) -> Result<Endpoint> {
        let endpoint = self.store.write(|tx| endpoints::insert(tx, slug, patch))?;
        self.refresh_endpoints()?;
        Ok(endpoint)
    }

    /// Change an endpoint; announced on the hub.
    pub fn endpoint_update(&self, slug: &str, patch: &EndpointPatch) -> Result<Endpoint> {
        let endpoint = self.store.write(|tx| endpoints::update(tx, slug, patch))?;
        self.refresh_endpoints()?;
        Ok(endpoint)
    }

    /// Remove an endpoint and its events; announced on the hub.
    pub fn endpoint_delete(&self, slug: &str) -> Result<()> {
        self.store.write(|tx| endpoints::delete(tx, slug))?;
        self.refresh_endpoints()?;
        self.hub.publish(HubEvent::EventsRemoved);
        Ok(())
    }

    /// Delete events (of one endpoint, or all); announced on the hub.
    pub fn events_clear(&self, endpoint: Option<&str>) -> Result<u64> {
        let n = self
            .store
            .write(|tx| crate::store::events::clear(tx, endpoint))?;
        self.hub.publish(HubEvent::EventsRemoved);
        Ok(n)
    }

    /// Stop the writer after committing what is queued.
    pub fn shutdown(&self) {
        self.writer.shutdown();
    }
}

/// A request analysed and ready to store, with the answer it will get.
pub struct Prepared {
    pub event: NewEvent,
    /// The answer; its status is replaced by the one decided at commit for rule-based answers.
    pub reply: Reply,
    pub delay: Duration,
}

impl Prepared {
    /// Mark the request as answered by the forward target (tried inline once it is stored, see
    /// [`crate::respond`]), unless Hookscope answers it itself anyway (a handshake, a rejected
    /// body). Until the target's answer is known, the stored status is 502: what the provider
    /// gets when it does not come.
    pub fn answer_by_target(&mut self) -> bool {
        if !matches!(self.event.status, StatusPolicy::Rule(_)) {
            return false;
        }
        self.event.status = StatusPolicy::Fixed(502);
        self.event.answered_by_target = true;
        true
    }
}

/// Analysis on the capture path: pure and synchronous.
pub fn prepare(endpoint: &Endpoint, raw: RawRequest, now: i64) -> Prepared {
    let url = provider_url(endpoint, &raw.path, &raw.query, &raw.headers);
    let analysis = if raw.rejection.is_some() {
        providers::Analysis::default()
    } else {
        let inbound = Inbound {
            method: &raw.method,
            url: &url,
            headers: &raw.headers,
            body: &raw.body,
            now,
            json: None,
        };
        providers::analyse(&inbound, endpoint.provider.as_deref(), &endpoint.secrets)
    };
    let rule = &endpoint.response;
    let (reply, status, delay) = if let Some(rejection) = &raw.rejection {
        let reply = rejection_reply(rejection, &endpoint.slug);
        let status = StatusPolicy::Fixed(reply.status);
        (reply, status, Duration::ZERO)
    } else if let Some(handshake) = analysis.handshake.clone().filter(|_| endpoint.handshakes) {
        let status = StatusPolicy::Fixed(handshake.status);
        (handshake, status, Duration::ZERO)
    } else {
        let reply = Reply {
            status: rule.status,
            headers: rule.headers.clone(),
            body: rule.body.clone().into_bytes(),
        };
        (
            reply,
            StatusPolicy::Rule(rule.clone()),
            Duration::from_millis(rule.delay_ms),
        )
    };
    let fingerprint = match &analysis.meta.event_id {
        Some(id) => format!("id:{id}"),
        None => {
            let mut h = Sha256::new();
            for part in [
                raw.method.as_bytes(),
                raw.path.as_bytes(),
                raw.query.as_bytes(),
                &raw.body,
            ] {
                h.update((part.len() as u64).to_le_bytes());
                h.update(part);
            }
            hex::encode(&h.finalize()[..16])
        }
    };
    let signature_status = analysis
        .signature
        .as_ref()
        .map(|s| s.status.as_str().to_string());
    let signature = analysis
        .signature
        .as_ref()
        .and_then(|s| serde_json::to_string(s).ok());
    let event = NewEvent {
        endpoint_id: endpoint.id,
        raw,
        fingerprint,
        provider: analysis.provider.map(str::to_string),
        event_type: analysis.meta.event_type,
        event_id: analysis.meta.event_id,
        signature_status,
        signature,
        status,
        imported: false,
        answered_by_target: false,
    };
    Prepared {
        event,
        reply,
        delay,
    }
}

/// The answer to a request whose body was not kept.
fn rejection_reply(rejection: &crate::model::Rejection, slug: &str) -> Reply {
    if rejection.reason == "too_large" {
        let body = serde_json::json!({
            "error": "payload_too_large",
            "message": format!("the body exceeds this endpoint's limit of {} bytes", rejection.limit),
            "limit": rejection.limit,
            "hint": format!("raise it with `hookscope endpoints set {slug} --max-body BYTES`"),
        });
        json_reply(413, &body)
    } else {
        let body = serde_json::json!({ "error": "bad_request", "message": rejection.reason });
        json_reply(400, &body)
    }
}

fn json_reply(status: u16, body: &serde_json::Value) -> Reply {
    Reply {
        status,
        headers: vec![("content-type".into(), "application/json".into())],
        body: body.to_string().into_bytes(),
    }
}

/// The URL the provider called, for schemes that sign it: the endpoint's public URL with the
/// rest of the path appended, else one rebuilt from `X-Forwarded-Proto` / `X-Forwarded-Host` /
/// `Host`.
pub fn provider_url(endpoint: &Endpoint, path: &str, query: &str, headers: &[Header]) -> String {
    let query = if query.is_empty() {
        String::new()
    } else {
        format!("?{query}")
    };
    let text = |name: &str| {
        headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| String::from_utf8_lossy(&h.value).trim().to_string())
    };
    if let Some(public) = &endpoint.public_url {
        let slug_prefix = format!("/{}", endpoint.slug);
        let rest = path
            .strip_prefix(&slug_prefix)
            .filter(|r| r.is_empty() || r.starts_with('/'))
            .unwrap_or(path);
        return format!("{}{rest}{query}", public.trim_end_matches('/'));
    }
    let first = |v: String| v.split(',').next().unwrap_or("").trim().to_string();
    let proto = text("x-forwarded-proto")
        .map(first)
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| "http".into());
    let host = text("x-forwarded-host")
        .map(first)
        .filter(|h| !h.is_empty())
        .or_else(|| text("host"))
        .unwrap_or_else(|| "localhost".into());
    format!("{proto}://{host}{path}{query}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ResponseRule;

    fn endpoint(slug: &str) -> Endpoint {
        Endpoint {
            id: 1,
            slug: slug.into(),
            name: slug.into(),
            secrets: vec![],
            provider: None,
            response: ResponseRule::default(),
            forward_url: None,
            public_url: None,
            notify: true,
            max_body: crate::model::DEFAULT_MAX_BODY,
            handshakes: true,
            created_at_us: 0,
        }
    }

    fn raw(path: &str, query: &str, headers: Vec<Header>) -> RawRequest {
        RawRequest {
            method: "POST".into(),
            path: path.into(),
            query: query.into(),
            http_version: "HTTP/1.1".into(),
            headers,
            body: b"{}".to_vec(),
            remote_addr: None,
            received_at_us: 0,
            rejection: None,
        }
    }

    #[test]
    fn provider_url_prefers_public_url_then_forwarded_headers() {
        let mut ep = endpoint("twilio");
        let r = raw(
            "/twilio/sms",
            "a=1",
            vec![Header::new("host", "127.0.0.1:8787")],
        );
        assert_eq!(
            provider_url(&ep, &r.path, &r.query, &r.headers),
            "http://127.0.0.1:8787/twilio/sms?a=1"
        );
        let fwd = raw(
            "/twilio/sms",
            "",
            vec![
                Header::new("host", "127.0.0.1:8787"),
                Header::new("x-forwarded-host", "abc.ngrok.app"),
                Header::new("x-forwarded-proto", "https"),
            ],
        );
        assert_eq!(
            provider_url(&ep, &fwd.path, &fwd.query, &fwd.headers),
            "https://abc.ngrok.app/twilio/sms"
        );
        ep.public_url = Some("https://abc.ngrok.app/hooks/".into());
        assert_eq!(
            provider_url(&ep, &r.path, &r.query, &r.headers),
            "https://abc.ngrok.app/hooks/sms?a=1"
        );
    }

    #[test]
    fn same_request_gets_the_same_fingerprint() {
        let ep = endpoint("x");
        let a = prepare(&ep, raw("/x", "", vec![]), 0).event.fingerprint;
        let b = prepare(&ep, raw("/x", "", vec![]), 0).event.fingerprint;
        let c = prepare(&ep, raw("/x/other", "", vec![]), 0)
            .event
            .fingerprint;
        assert_eq!(a, b);
        assert_ne!(a, c);
    }
}

//! Replay: send a stored request to a target again — byte-exact, or edited, optionally re-signed
//! with a fresh timestamp — and record the attempt with the target's answer in `replays`.
//!
//! What is sent: the same method; the path after `/{slug}` and the raw query appended to the
//! target URL; every header except hop-by-hop ones, with `Host` and `Content-Length` set for the
//! target; the body's exact bytes. Targets are loopback unless the caller allows others.
//! Auto-forward ([`crate::forward`]) is this engine driven by new events.

pub mod bulk;
pub mod client;
pub mod target;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};

pub use client::{Answer, Delivery, Outgoing, SendOptions};
pub use target::{DEFAULT_TARGET, default_target};

use crate::event_json::rfc3339_us;
use crate::model::{Endpoint, Event, Header};
use crate::providers::{self, SignInput};
use crate::store::replays::{self, Kind, Replay};
use crate::store::routes;
use crate::store::{Store, endpoints, events, settings};
use crate::{Error, Result};

/// Changes to make before sending.
#[derive(Debug, Clone, Default)]
pub struct Edits {
    pub method: Option<String>,
    /// Replaces the path after the slug; a `?…` in it replaces the query too.
    pub path: Option<String>,
    /// Replaces the captured headers as a whole (the editor's table: repeated headers and
    /// their order kept); hop-by-hop ones are still dropped and `Host` / `Content-Length` set.
    pub headers: Option<Vec<Header>>,
    /// Headers to set, replacing every header of the same name.
    pub set_headers: Vec<Header>,
    /// Header names to drop.
    pub remove_headers: Vec<String>,
    pub body: Option<Vec<u8>>,
}

impl Edits {
    pub fn is_empty(&self) -> bool {
        self.method.is_none()
            && self.path.is_none()
            && self.headers.is_none()
            && self.set_headers.is_empty()
            && self.remove_headers.is_empty()
            && self.body.is_none()
    }
}

/// Re-sign with the endpoint's provider scheme and a fresh timestamp.
#[derive(Debug, Clone, Default)]
pub struct Resign {
    /// Sign with this secret instead of the endpoint's first one.
    pub secret: Option<String>,
    /// Sign as this provider instead of the endpoint's hint or the detected one.
    pub provider: Option<String>,
}

/// A replay to make.
#[derive(Debug, Clone, Default)]
pub struct ReplayReq {
    pub event_id: i64,
    /// Default: see [`resolve_target`].
    pub target: Option<String>,
    pub edits: Edits,
    pub resign: Option<Resign>,
    pub options: SendOptions,
}

/// A request as sent, as stored in `replays.sent` and shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentJson {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body_base64: String,
    pub body_size: u64,
    /// The provider whose signature headers were replaced, when re-signed.
    pub resigned: Option<String>,
    pub edited: bool,
}

/// One recorded attempt, as the CLI's `--json` and the app show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReplayJson {
    pub id: i64,
    /// The replayed event.
    pub event_id: i64,
    /// `replay` or `forward`.
    pub kind: String,
    pub attempt: u32,
    /// RFC 3339, UTC, µs.
    pub created_at: String,
    pub target: String,
    pub sent: Option<SentJson>,
    /// The target's status; `None` with `error` when it did not answer.
    pub status: Option<u16>,
    pub response_headers: Vec<(String, String)>,
    /// The answer's body, capped at 1 MiB.
    pub response_body_base64: Option<String>,
    pub response_size: Option<u64>,
    pub latency_ms: Option<f64>,
    pub error: Option<String>,
}

impl From<&Replay> for ReplayJson {
    fn from(r: &Replay) -> Self {
        Self {
            id: r.id,
            event_id: r.request_id,
            kind: r.kind.clone(),
            attempt: r.attempt,
            created_at: rfc3339_us(r.created_at_us),
            target: r.target.clone(),
            sent: serde_json::from_str(&r.sent).ok(),
            status: r.status,
            response_headers: r
                .response_headers
                .as_deref()
                .and_then(|h| serde_json::from_str(h).ok())
                .unwrap_or_default(),
            response_body_base64: r.response_body.as_ref().map(|b| STANDARD.encode(b)),
            response_size: r.response_size,
            latency_ms: r.latency_us.map(|us| us as f64 / 1000.0),
            error: r.error.clone(),
        }
    }
}

impl ReplayJson {
    /// The target answered with 2xx.
    pub fn succeeded(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

/// Headers that describe one connection, not the request: never replayed.
const HOP_BY_HOP: &[&str] = &[
    "connection",
    "keep-alive",
    "proxy-connection",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
];

/// Whether a header is not replayed: hop-by-hop, named in `Connection`, or `Host` /
/// `Content-Length` (set anew for the target).
pub fn is_dropped(name: &str, connection_listed: &[String]) -> bool {
    let name = name.to_ascii_lowercase();
    HOP_BY_HOP.contains(&name.as_str())
        || name == "host"
        || name == "content-length"
        || connection_listed.contains(&name)
}

/// Header names listed in `Connection` (lower case): hop-by-hop for this message.
pub(crate) fn connection_listed(headers: &[Header]) -> Vec<String> {
    headers
        .iter()
        .filter(|h| h.name.eq_ignore_ascii_case("connection"))
        .flat_map(|h| {
            h.value_lossy()
                .split(',')
                .map(|t| t.trim().to_ascii_lowercase())
                .filter(|t| !t.is_empty())
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Build what a replay sends, without sending it: pure, given the clock (`now`, Unix seconds,
/// for re-signing).
pub fn prepare(
    event: &Event,
    endpoint: &Endpoint,
    target: &str,
    edits: &Edits,
    resign: Option<&Resign>,
    now: i64,
) -> Result<Outgoing> {
    if let Some(r) = &event.rejection
        && edits.body.is_none()
    {
        return Err(Error::invalid(format!(
            "event #{}'s body was not kept ({}), so it cannot be replayed exactly; give a body to send",
            event.summary.id, r.reason
        )));
    }
    let method = match &edits.method {
        Some(m) => {
            let m = m.trim().to_ascii_uppercase();
            if m.is_empty() || http::Method::from_bytes(m.as_bytes()).is_err() {
                return Err(Error::invalid(format!("{m:?} is not an HTTP method")));
            }
            m
        }
        None => event.summary.method.clone(),
    };
    let original_rest = target::path_after_slug(&endpoint.slug, &event.summary.path);
    let (rest, query) = match &edits.path {
        Some(p) => match p.split_once('?') {
            Some((path, query)) => (path, query),
            None => (p.as_str(), event.summary.query.as_str()),
        },
        None => (original_rest, event.summary.query.as_str()),
    };
    let url = target::join(target, rest, query)?;
    let parsed = target::Target::parse(&url)
        .map_err(|_| Error::invalid(format!("{rest:?} is not a valid path")))?;
    let source = edits.headers.as_deref().unwrap_or(&event.headers);
    let listed = connection_listed(source);
    let mut headers: Vec<Header> = Vec::with_capacity(source.len() + 2);
    let mut host_at = None;
    let mut length_at = None;
    for h in source {
        if edits.headers.is_some() {
            check_header(h)?;
        }
        if h.name.eq_ignore_ascii_case("host") && host_at.is_none() {
            host_at = Some(headers.len());
        }
        if (h.name.eq_ignore_ascii_case("content-length")
            || h.name.eq_ignore_ascii_case("transfer-encoding"))
            && length_at.is_none()
        {
            length_at = Some(headers.len());
        }
        if !is_dropped(&h.name, &listed) {
            headers.push(h.clone());
        }
    }
    headers.retain(|h| {
        !edits
            .remove_headers
            .iter()
            .any(|r| r.eq_ignore_ascii_case(&h.name))
    });
    for set in &edits.set_headers {
        check_header(set)?;
        let name = set.name.to_ascii_lowercase();
        replace_header(&mut headers, Header::new(name, set.value.clone()));
    }
    let body = edits.body.clone().unwrap_or_else(|| event.body.clone());
    if let Some(resign) = resign {
        let input = Signing {
            event,
            endpoint,
            url: &url,
            method: &method,
            body: &body,
            now,
        };
        resign_headers(resign, &input, &mut headers)?;
    }
    let host = Header::new("host", parsed.authority.clone());
    let at = host_at.unwrap_or(0).min(headers.len());
    headers.insert(at, host);
    let had_length = length_at.is_some();
    if !body.is_empty() || had_length {
        let at = length_at.map_or(headers.len(), |i| (i + 1).min(headers.len()));
        headers.insert(at, Header::new("content-length", body.len().to_string()));
    }
    Ok(Outgoing {
        method,
        url,
        headers,
        body,
    })
}

/// An edited header must be one the wire can carry.
fn check_header(h: &Header) -> Result<()> {
    if http::HeaderName::from_bytes(h.name.as_bytes()).is_err() {
        return Err(Error::invalid(format!(
            "{:?} is not a valid header name",
            h.name
        )));
    }
    if http::HeaderValue::from_bytes(&h.value).is_err() {
        return Err(Error::invalid(format!(
            "the value of {:?} holds a character a header cannot carry (a line break?)",
            h.name
        )));
    }
    Ok(())
}

/// What a re-sign signs.
struct Signing<'a> {
    event: &'a Event,
    endpoint: &'a Endpoint,
    url: &'a str,
    method: &'a str,
    body: &'a [u8],
    now: i64,
}

/// Replace the provider's signature headers in `headers` with fresh ones.
fn resign_headers(resign: &Resign, s: &Signing<'_>, headers: &mut Vec<Header>) -> Result<()> {
    let provider_id = resign_provider(resign, s.endpoint, s.event).ok_or_else(|| {
        Error::invalid(format!(
            "event #{} was not recognised as any provider's, so it cannot be re-signed; \
                 set the endpoint's provider (`hookscope endpoints set {} --provider P`)",
            s.event.summary.id, s.endpoint.slug
        ))
    })?;
    let provider = providers::by_id(provider_id).ok_or_else(|| {
        Error::invalid(format!(
            "unknown provider {provider_id:?}; `hookscope providers` lists them"
        ))
    })?;
    let secret = resign
        .secret
        .as_deref()
        .or(s.endpoint.secrets.first().map(String::as_str))
        .ok_or_else(|| {
            Error::invalid(format!(
                "endpoint {} has no secret to re-sign with; add one with \
                 `hookscope endpoints set {} --secret S`",
                s.endpoint.slug, s.endpoint.slug
            ))
        })?;
    let signed = provider
        .sign(&SignInput {
            secret,
            body: s.body,
            timestamp: s.now,
            url: s.url,
            method: s.method,
            headers,
        })
        .map_err(|e| Error::invalid(e.to_string()))?;
    for (name, value) in signed {
        replace_header(headers, Header::new(name.to_ascii_lowercase(), value));
    }
    Ok(())
}

/// The provider scheme a re-sign uses: the one asked for, else the endpoint's, else the one
/// detected at capture.
fn resign_provider<'a>(
    resign: &'a Resign,
    endpoint: &'a Endpoint,
    event: &'a Event,
) -> Option<&'a str> {
    resign
        .provider
        .as_deref()
        .or(endpoint.provider.as_deref())
        .or(event.summary.provider.as_deref())
}

/// Put `header` where the first header of its name is, dropping the others of that name; at the
/// end when there is none.
fn replace_header(headers: &mut Vec<Header>, header: Header) {
    match headers
        .iter()
        .position(|h| h.name.eq_ignore_ascii_case(&header.name))
    {
        Some(first) => {
            headers[first] = header.clone();
            let mut index = 0;
            headers.retain(|h| {
                let keep = index == first || !h.name.eq_ignore_ascii_case(&header.name);
                index += 1;
                keep
            });
        }
        None => headers.push(header),
    }
}

/// Run a store operation off the async threads.
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::StoreUnavailable(format!("a store task failed: {e}")))?
}

/// Where a replay without an explicit target goes: the endpoint's first matching route, else
/// the target remembered for the endpoint ([`replay_target_remember`]), else its forward target,
/// else [`DEFAULT_TARGET`].
pub fn resolve_target(
    conn: &rusqlite::Connection,
    event: &Event,
    endpoint: &Endpoint,
) -> Result<String> {
    let list = routes::list(conn, &endpoint.slug)?;
    if let Some(routed) = routes::resolve(&list, &endpoint.slug, event) {
        return Ok(routed.target.clone());
    }
    Ok(settings::get(conn, &remembered_key(&endpoint.slug))?
        .unwrap_or_else(|| default_target(endpoint)))
}

fn remembered_key(slug: &str) -> String {
    format!("replay.target.{slug}")
}

/// Remember `url` as where this endpoint's events are replayed by default (the UI's Replay
/// button, `replay --to URL --remember`); `None` forgets it.
pub fn replay_target_remember(store: &Store, slug: &str, url: Option<&str>) -> Result<()> {
    if let Some(url) = url {
        target::Target::parse(url)?;
    }
    store.write(|tx| {
        endpoints::get(tx, slug)?;
        settings::set(tx, &remembered_key(slug), url)
    })
}

/// The target a replay of this event goes to when none is given (see [`resolve_target`]).
pub fn replay_target_for(store: &Store, event_id: i64) -> Result<String> {
    store.read(|c| {
        let event = events::get(c, event_id)?;
        let endpoint = endpoints::get(c, &event.summary.endpoint)?;
        resolve_target(c, &event, &endpoint)
    })
}

/// What re-signing this event would use, or why it cannot be re-signed (for the editor's toggle).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResignPlan {
    /// The provider whose scheme signs.
    pub provider: Option<String>,
    /// The secret it signs with, masked.
    pub secret_masked: Option<String>,
    /// Why re-signing is not possible; `None` when it is.
    pub unavailable: Option<String>,
}

/// Whether (and how) the event can be re-signed with the endpoint's provider and first secret:
/// decided by actually signing it, so the answer is the one a replay would meet.
pub fn resign_plan(store: &Store, event_id: i64) -> Result<ResignPlan> {
    let (event, endpoint) = store.read(|c| {
        let event = events::get(c, event_id)?;
        let endpoint = endpoints::get(c, &event.summary.endpoint)?;
        Ok((event, endpoint))
    })?;
    let resign = Resign::default();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let signing = Signing {
        event: &event,
        endpoint: &endpoint,
        url: DEFAULT_TARGET,
        method: &event.summary.method,
        body: &event.body,
        now,
    };
    let mut headers = event.headers.clone();
    let unavailable = resign_headers(&resign, &signing, &mut headers)
        .err()
        .map(|e| e.to_string());
    Ok(ResignPlan {
        provider: resign_provider(&resign, &endpoint, &event).map(str::to_string),
        secret_masked: endpoint
            .secrets
            .first()
            .map(|s| crate::model::mask_secret(s)),
        unavailable,
    })
}

/// The target remembered for this endpoint, if any.
pub fn replay_target_remembered(store: &Store, slug: &str) -> Result<Option<String>> {
    store.read(|c| {
        endpoints::get(c, slug)?;
        settings::get(c, &remembered_key(slug))
    })
}

/// What a replay of `req` sends: the target (the caller's, else the resolved one), the request
/// prepared for it, and the provider it was re-signed as.
struct Planned {
    target: String,
    out: Outgoing,
    resigned: Option<String>,
}

fn plan(store: &Store, req: &ReplayReq) -> Result<Planned> {
    let (event, endpoint, routed) = store.read(|c| {
        let event = events::get(c, req.event_id)?;
        let endpoint = endpoints::get(c, &event.summary.endpoint)?;
        let target = resolve_target(c, &event, &endpoint)?;
        Ok((event, endpoint, target))
    })?;
    let target = req.target.clone().unwrap_or(routed);
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let out = prepare(
        &event,
        &endpoint,
        &target,
        &req.edits,
        req.resign.as_ref(),
        now,
    )?;
    let resigned = req
        .resign
        .as_ref()
        .and_then(|r| resign_provider(r, &endpoint, &event))
        .map(str::to_string);
    Ok(Planned {
        target,
        out,
        resigned,
    })
}

/// What a replay would send, without sending it (the editor's preview).
pub fn replay_preview(store: &Store, req: &ReplayReq) -> Result<SentJson> {
    let p = plan(store, req)?;
    Ok(sent_json(&p.out, p.resigned, !req.edits.is_empty()))
}

/// Replay a stored event: prepare, send, record. A refused target (not loopback) or an event
/// that cannot be prepared is an error and nothing is recorded; a target that fails to answer is
/// a recorded attempt with its `error`.
pub async fn replay_send(store: &Store, req: &ReplayReq) -> Result<ReplayJson> {
    let (reader, planning) = (store.clone(), req.clone());
    let p = blocking(move || plan(&reader, &planning)).await?;
    target::Target::parse(&p.target)?.check_allowed(req.options.allow_remote)?;
    send_and_record(
        store,
        req.event_id,
        Kind::Replay,
        1,
        &p.out,
        &req.options,
        p.resigned,
        !req.edits.is_empty(),
    )
    .await
}

/// Send `out` for event `event_id` and record the attempt.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn send_and_record(
    store: &Store,
    event_id: i64,
    kind: Kind,
    attempt: u32,
    out: &Outgoing,
    options: &SendOptions,
    resigned: Option<String>,
    edited: bool,
) -> Result<ReplayJson> {
    let delivery = client::send(out, options).await;
    let row = record_row(event_id, attempt, out, &delivery, resigned, edited)?;
    let writer = store.clone();
    let stored = blocking(move || writer.write(|tx| replays::insert(tx, kind, &row))).await?;
    Ok(ReplayJson::from(&stored))
}

/// Record an attempt that could not even be sent (e.g. the event cannot be prepared).
pub(crate) async fn record_failure(
    store: &Store,
    event_id: i64,
    kind: Kind,
    attempt: u32,
    target: &str,
    error: String,
) -> Result<ReplayJson> {
    let row = failure_row(event_id, attempt, target, error);
    let writer = store.clone();
    let stored = blocking(move || writer.write(|tx| replays::insert(tx, kind, &row))).await?;
    Ok(ReplayJson::from(&stored))
}

/// The row of an attempt that was not sent.
pub(crate) fn failure_row(event_id: i64, attempt: u32, target: &str, error: String) -> Replay {
    Replay {
        id: 0,
        request_id: event_id,
        kind: String::new(),
        attempt,
        created_at_us: 0,
        target: target.to_string(),
        sent: "null".into(),
        status: None,
        response_headers: None,
        response_body: None,
        response_size: None,
        latency_us: None,
        error: Some(error),
    }
}

pub(crate) fn record_row(
    event_id: i64,
    attempt: u32,
    out: &Outgoing,
    delivery: &Delivery,
    resigned: Option<String>,
    edited: bool,
) -> Result<Replay> {
    let sent = sent_json(out, resigned, edited);
    let (status, headers, body, size, error) = match &delivery.answer {
        Ok(a) => (
            Some(a.status),
            Some(to_json(&pairs(&a.headers))?),
            Some(a.body.clone()),
            Some(a.body_size),
            None,
        ),
        Err(e) => (None, None, None, None, Some(e.clone())),
    };
    Ok(Replay {
        id: 0,
        request_id: event_id,
        kind: String::new(),
        attempt,
        created_at_us: 0,
        target: out.url.clone(),
        sent: to_json(&sent)?,
        status,
        response_headers: headers,
        response_body: body,
        response_size: size,
        latency_us: Some(i64::try_from(delivery.latency.as_micros()).unwrap_or(i64::MAX)),
        error,
    })
}

fn sent_json(out: &Outgoing, resigned: Option<String>, edited: bool) -> SentJson {
    SentJson {
        method: out.method.clone(),
        url: out.url.clone(),
        headers: pairs(&out.headers),
        body_base64: STANDARD.encode(&out.body),
        body_size: out.body.len() as u64,
        resigned,
        edited,
    }
}

fn to_json<T: Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| Error::invalid(e.to_string()))
}

/// Headers as `[name, value]` text pairs (values lossy, for display).
pub fn pairs(headers: &[Header]) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|h| (h.name.clone(), h.value_lossy()))
        .collect()
}

/// One recorded attempt, as stored (its bodies as bytes).
pub fn replay_get(store: &Store, id: i64) -> Result<Replay> {
    store.read(|c| replays::get(c, id))
}

/// Every attempt recorded for an event, oldest first.
pub fn replay_list(store: &Store, event_id: i64) -> Result<Vec<ReplayJson>> {
    let rows = store.read(|c| replays::list_for_request(c, event_id))?;
    Ok(rows.iter().map(ReplayJson::from).collect())
}

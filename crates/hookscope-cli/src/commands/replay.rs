//! `hookscope replay|replays|forward|trigger`: send stored requests (or test events) to a
//! handler and show what it answered. Exit codes reflect the target's answers: 0 only when every
//! one was 2xx.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use hookscope_core::Engine;
use hookscope_core::forward::{self, ForwardStatus};
use hookscope_core::model::Header;
use hookscope_core::replay::{
    self, Answer, Edits, ReplayJson, ReplayReq, Resign, SendOptions, bulk,
};
use hookscope_core::store::StoreOptions;
use hookscope_core::store::events::{self, Filter};
use hookscope_core::store::forwards::{self, ForwardSettings, Respond};
use hookscope_core::triggers;

use super::open_store;
use crate::Result;

/// Bodies larger than this are cut when printed (the JSON keeps the stored 1 MiB).
const PRINT_CAP: usize = 64 * 1024;

#[derive(clap::Args)]
pub struct SendArgs {
    /// Send only to loopback targets unless this is given.
    #[arg(long)]
    allow_remote: bool,
    /// Follow 3xx redirects (not followed by default: the handler's answer is shown as is).
    #[arg(long)]
    follow_redirects: bool,
    /// Give up on an answer after this long.
    #[arg(long, value_name = "N", default_value_t = 30_000)]
    timeout_ms: u64,
    /// One JSON object per attempt, one per line.
    #[arg(long)]
    json: bool,
}

impl SendArgs {
    fn options(&self) -> SendOptions {
        SendOptions {
            allow_remote: self.allow_remote,
            follow_redirects: self.follow_redirects,
            timeout: Duration::from_millis(self.timeout_ms.max(1)),
        }
    }
}

#[derive(clap::Args)]
pub struct ReplayArgs {
    /// Events to replay, in this order (or select them with --endpoint / --search).
    #[arg(value_name = "ID", required_unless_present_any = ["endpoint", "search"])]
    ids: Vec<i64>,
    /// Bulk: every event of this endpoint, oldest first.
    #[arg(long, value_name = "SLUG")]
    endpoint: Option<String>,
    /// Bulk: every event matching this text (as `list --search`), oldest first.
    #[arg(long, value_name = "TEXT")]
    search: Option<String>,
    /// Bulk: only events after this id.
    #[arg(long, value_name = "ID", default_value_t = 0)]
    after: i64,
    /// Bulk: at most this many events.
    #[arg(long, value_name = "N", default_value_t = 1000)]
    limit: usize,
    /// Send at most N requests per second.
    #[arg(long, value_name = "N")]
    rate: Option<f64>,
    /// Target URL; the path after the endpoint's slug and the query are appended (repeatable;
    /// default: the endpoint's forward target, else http://localhost:3000).
    #[arg(long = "to", value_name = "URL")]
    targets: Vec<String>,
    /// Remember the (single) --to URL as where this endpoint's events are replayed by default.
    #[arg(long, requires = "targets")]
    remember: bool,
    /// Replace the provider's signature headers with fresh ones (new timestamp), signed with the
    /// endpoint's first secret.
    #[arg(long)]
    resign: bool,
    /// Re-sign with this secret instead of the endpoint's.
    #[arg(long, value_name = "S", requires = "resign")]
    secret: Option<String>,
    /// Re-sign as this provider instead of the endpoint's or the detected one.
    #[arg(long, value_name = "P", requires = "resign")]
    provider: Option<String>,
    /// Set a header, replacing any of the same name (repeatable).
    #[arg(long = "edit-header", value_name = "'NAME: VALUE'")]
    edit_headers: Vec<String>,
    /// Drop a header (repeatable).
    #[arg(long = "remove-header", value_name = "NAME")]
    remove_headers: Vec<String>,
    /// Send this file's bytes as the body (`-`: standard input).
    #[arg(long, value_name = "FILE")]
    body_file: Option<PathBuf>,
    /// Send with this method.
    #[arg(long, value_name = "M")]
    method: Option<String>,
    /// Send to this path (after the target's) instead of the original one; `?…` replaces the query.
    #[arg(long, value_name = "P")]
    path: Option<String>,
    #[command(flatten)]
    send: SendArgs,
}

fn parse_header(text: &str) -> Result<Header> {
    let (name, value) = text
        .split_once(':')
        .ok_or_else(|| format!("expected 'Name: value', got {text:?}"))?;
    let name = name.trim();
    if name.is_empty() {
        return Err(format!("a header needs a name: {text:?}").into());
    }
    Ok(Header::new(name.to_ascii_lowercase(), value.trim_start()))
}

fn read_body(path: &Path) -> Result<Vec<u8>> {
    if path == Path::new("-") {
        let mut body = Vec::new();
        std::io::stdin().read_to_end(&mut body)?;
        return Ok(body);
    }
    std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()).into())
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?)
}

pub fn replay(data: &Path, args: ReplayArgs) -> Result<ExitCode> {
    let store = open_store(data)?;
    let edits = Edits {
        method: args.method.clone(),
        path: args.path.clone(),
        headers: None,
        set_headers: args
            .edit_headers
            .iter()
            .map(|h| parse_header(h))
            .collect::<Result<_>>()?,
        remove_headers: args.remove_headers.clone(),
        body: args.body_file.as_deref().map(read_body).transpose()?,
    };
    let resign = args.resign.then(|| Resign {
        secret: args.secret.clone(),
        provider: args.provider.clone(),
    });
    let targets: Vec<Option<String>> = if args.targets.is_empty() {
        vec![None]
    } else {
        args.targets.iter().cloned().map(Some).collect()
    };
    let rate = args.rate.map(bulk::Rate::per_second).transpose()?;
    let mut ids = args.ids.clone();
    if args.endpoint.is_some() || args.search.is_some() {
        let filter = Filter {
            endpoint: args.endpoint.clone(),
            search: args.search.clone(),
            ..Default::default()
        };
        ids.extend(bulk::select(&store, &filter, args.after, args.limit)?);
    }
    if ids.is_empty() {
        return Err("no events match".into());
    }
    if args.remember {
        let [url] = args.targets.as_slice() else {
            return Err("--remember takes exactly one --to URL".into());
        };
        let mut slugs: Vec<String> = ids
            .iter()
            .map(|id| {
                store
                    .read(|c| events::get(c, *id))
                    .map(|e| e.summary.endpoint)
            })
            .collect::<hookscope_core::Result<_>>()?;
        slugs.sort();
        slugs.dedup();
        for slug in slugs {
            replay::replay_target_remember(&store, &slug, Some(url))?;
        }
    }
    let rt = runtime()?;
    // Set when stdout closes (`| head`): no point sending what nobody reads.
    let stop = AtomicBool::new(false);
    let mut all_ok = true;
    for target in &targets {
        let template = ReplayReq {
            event_id: 0,
            target: target.clone(),
            edits: edits.clone(),
            resign: resign.clone(),
            options: args.send.options(),
        };
        let mut printed = Ok(());
        let summary = rt.block_on(bulk::replay_bulk(
            &store,
            &ids,
            &template,
            rate,
            &stop,
            |p| {
                if printed.is_err() {
                    return;
                }
                printed = match &p.attempt {
                    Ok(a) => print_attempt(a, args.send.json),
                    Err(e) => {
                        eprintln!("hookscope: #{}: {e}", p.event_id);
                        Ok(())
                    }
                };
                if printed.is_err() {
                    stop.store(true, std::sync::atomic::Ordering::SeqCst);
                }
            },
        ));
        printed?;
        all_ok &= summary.failed == 0;
        if ids.len() > 1 && !args.send.json {
            eprintln!(
                "{} sent, {} answered 2xx, {} failed",
                summary.sent, summary.succeeded, summary.failed
            );
        }
    }
    Ok(exit(all_ok))
}

fn exit(ok: bool) -> ExitCode {
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn print_attempt(a: &ReplayJson, json: bool) -> Result<()> {
    if json {
        outln!("{}", serde_json::to_string(a)?);
        return Ok(());
    }
    let method = a.sent.as_ref().map_or("", |s| s.method.as_str());
    let took = a
        .latency_ms
        .map(|ms| format!(" in {ms:.1} ms"))
        .unwrap_or_default();
    let resigned = a
        .sent
        .as_ref()
        .and_then(|s| s.resigned.as_deref())
        .map(|p| format!(" (re-signed as {p})"))
        .unwrap_or_default();
    match (a.status, &a.error) {
        (Some(status), _) => {
            outln!(
                "#{} → {method} {}{resigned}: {status}{took}",
                a.event_id,
                a.target
            );
            for (name, value) in &a.response_headers {
                outln!("  {name}: {value}");
            }
            let body = a
                .response_body_base64
                .as_deref()
                .and_then(|b| {
                    use base64::Engine as _;
                    base64::engine::general_purpose::STANDARD.decode(b).ok()
                })
                .unwrap_or_default();
            print_body(&body, a.response_size.unwrap_or(0))?;
        }
        (None, error) => outln!(
            "#{} → {method} {}{resigned}: failed{took}: {}",
            a.event_id,
            a.target,
            error.as_deref().unwrap_or("no answer")
        ),
    }
    Ok(())
}

fn print_body(body: &[u8], size: u64) -> Result<()> {
    if body.is_empty() {
        return Ok(());
    }
    let shown = &body[..body.len().min(PRINT_CAP)];
    outln!("\n{}", String::from_utf8_lossy(shown));
    if (shown.len() as u64) < size {
        outln!("(answer cut: {} of {size} bytes shown)", shown.len());
    }
    Ok(())
}

#[derive(clap::Args)]
pub struct ReplaysArgs {
    /// The event whose replay and forward attempts to list.
    id: i64,
    #[arg(long)]
    json: bool,
}

pub fn replays(data: &Path, args: ReplaysArgs) -> Result<ExitCode> {
    let store = open_store(data)?;
    let list = replay::replay_list(&store, args.id)?;
    if list.is_empty() && !args.json {
        eprintln!("No replay or forward attempts for #{}.", args.id);
    }
    for a in &list {
        if args.json {
            outln!("{}", serde_json::to_string(a)?);
        } else {
            let outcome = match (a.status, &a.error) {
                (Some(s), _) => s.to_string(),
                (None, e) => format!("failed: {}", e.as_deref().unwrap_or("no answer")),
            };
            outln!(
                "{}  {} try {}  {}  {outcome}",
                a.created_at,
                a.kind,
                a.attempt,
                a.target
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(clap::Args)]
pub struct ForwardArgs {
    /// The endpoint whose new events are forwarded.
    slug: String,
    /// Forward every new event to this URL (the path after the slug and the query appended).
    #[arg(long = "to", value_name = "URL", conflicts_with = "off")]
    to: Option<String>,
    /// Stop forwarding.
    #[arg(long, conflicts_with_all = ["timeout_ms", "retry_initial_ms", "retry_max_ms", "max_attempts", "respond", "respond_timeout"])]
    off: bool,
    /// How long each try waits for the handler (default 300000: time for a breakpoint).
    #[arg(long, value_name = "N")]
    timeout_ms: Option<u64>,
    /// Wait before the second try; doubles per try (default 500).
    #[arg(long, value_name = "N")]
    retry_initial_ms: Option<u64>,
    /// Longest wait between tries (default 30000).
    #[arg(long, value_name = "N")]
    retry_max_ms: Option<u64>,
    /// Tries for an event answered with 5xx before moving on (default 5; 0: keep trying). A
    /// handler that cannot be reached is retried until it is back.
    #[arg(long, value_name = "N")]
    max_attempts: Option<u32>,
    /// Allow a target that is not loopback.
    #[arg(long)]
    allow_remote: bool,
    /// Follow redirects.
    #[arg(long)]
    follow_redirects: bool,
    /// What the provider is answered with: `rule` (the endpoint's response rule, at once; the
    /// default) or `target` (the forward target's own answer, waited for; 502/504 when it
    /// fails, and such events are not forwarded again).
    #[arg(long, value_name = "MODE", value_parser = ["rule", "target"])]
    respond: Option<String>,
    /// With `--respond target`: how long the provider waits for the target's answer (default
    /// 10000); keep it below the provider's own timeout (Slack, Zoom 3 s; Shopify 5 s).
    #[arg(long, value_name = "MS")]
    respond_timeout: Option<u64>,
    #[arg(long)]
    json: bool,
}

pub fn forward(data: &Path, args: ForwardArgs) -> Result<ExitCode> {
    let store = open_store(data)?;
    let tuning = args.timeout_ms.is_some()
        || args.retry_initial_ms.is_some()
        || args.retry_max_ms.is_some()
        || args.max_attempts.is_some()
        || args.allow_remote
        || args.follow_redirects
        || args.respond.is_some()
        || args.respond_timeout.is_some();
    let target = match &args.to {
        Some(url) => Some(url.clone()),
        // Changing settings only: keep the target.
        None if tuning => Some(
            forward::forward_status(&store, &args.slug, 0)?
                .target
                .ok_or("auto-forward is off for this endpoint; give --to URL")?,
        ),
        None => None,
    };
    if args.off {
        forward::forward_clear(&store, &args.slug)?;
    } else if let Some(url) = &target {
        let current = store
            .read(|c| forwards::get(c, &args.slug))?
            .map(|s| s.settings)
            .unwrap_or_default();
        let settings = ForwardSettings {
            timeout_ms: args.timeout_ms.unwrap_or(current.timeout_ms),
            retry_initial_ms: args.retry_initial_ms.unwrap_or(current.retry_initial_ms),
            retry_max_ms: args.retry_max_ms.unwrap_or(current.retry_max_ms),
            max_attempts: args.max_attempts.unwrap_or(current.max_attempts),
            allow_remote: args.allow_remote,
            follow_redirects: args.follow_redirects,
            respond: match &args.respond {
                Some(mode) => Respond::parse(mode)?,
                None => current.respond,
            },
            respond_timeout_ms: args.respond_timeout.unwrap_or(current.respond_timeout_ms),
        };
        forward::forward_set(&store, &args.slug, url, &settings)?;
    }
    let status = forward::forward_status(&store, &args.slug, 5)?;
    if args.json {
        outln!("{}", serde_json::to_string_pretty(&status)?);
    } else {
        print_forward(&status)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn print_forward(s: &ForwardStatus) -> Result<()> {
    let Some(target) = &s.target else {
        outln!("{}: auto-forward is off", s.endpoint);
        return Ok(());
    };
    outln!(
        "{}: new events are forwarded to {target} by `hookscope serve` (or the app)",
        s.endpoint
    );
    outln!(
        "  timeout {} ms; retries every {}…{} ms; {} tries for a 5xx answer",
        s.timeout_ms.unwrap_or(0),
        s.retry_initial_ms.unwrap_or(0),
        s.retry_max_ms.unwrap_or(0),
        match s.max_attempts {
            Some(0) | None => "unlimited".to_string(),
            Some(n) => n.to_string(),
        }
    );
    match s.respond {
        Some(Respond::Target) => outln!(
            "  the provider gets the target's own answer (waits up to {} ms; 502/504 when it fails)",
            s.respond_timeout_ms.unwrap_or(0)
        ),
        _ => outln!("  the provider gets the endpoint's response rule at once"),
    }
    outln!("  waiting to be delivered: {}", s.backlog);
    for a in &s.recent {
        let outcome = match (a.status, &a.error) {
            (Some(st), _) => st.to_string(),
            (None, e) => format!("failed: {}", e.as_deref().unwrap_or("no answer")),
        };
        outln!(
            "  {}  #{} try {}  {outcome}",
            a.created_at,
            a.event_id,
            a.attempt
        );
    }
    Ok(())
}

#[derive(clap::Args)]
pub struct TriggerArgs {
    /// Provider id (`hookscope trigger --list`).
    #[arg(required_unless_present = "list")]
    provider: Option<String>,
    /// Event from the provider's templates.
    #[arg(required_unless_present = "list")]
    event: Option<String>,
    /// Send it to this URL (default http://localhost:3000).
    #[arg(long = "to", value_name = "URL", conflicts_with = "endpoint")]
    to: Option<String>,
    /// Capture it on this endpoint of Hookscope itself, through the capture pipeline (no server
    /// needed; a running `serve` on the same data dir sees and forwards it too).
    #[arg(long, value_name = "SLUG")]
    endpoint: Option<String>,
    /// Sign with this secret (default: the endpoint's first secret with --endpoint; unsigned
    /// otherwise).
    #[arg(long, value_name = "S")]
    secret: Option<String>,
    /// List the templates.
    #[arg(long)]
    list: bool,
    #[command(flatten)]
    send: SendArgs,
}

pub fn trigger(data: &Path, args: TriggerArgs) -> Result<ExitCode> {
    if args.list {
        for t in triggers::TEMPLATES {
            outln!("{:<18} {:<28} {}", t.provider, t.event, t.description);
        }
        return Ok(ExitCode::SUCCESS);
    }
    let (Some(provider), Some(event)) = (&args.provider, &args.event) else {
        return Err("give PROVIDER and EVENT (see `hookscope trigger --list`)".into());
    };
    let rt = runtime()?;
    if let Some(slug) = &args.endpoint {
        let engine = Engine::open(data, StoreOptions::default())?;
        let result = rt.block_on(triggers::trigger_capture(
            &engine,
            slug,
            provider,
            event,
            args.secret.as_deref(),
        ));
        engine.shutdown();
        let (test, captured) = result?;
        if args.send.json {
            outln!(
                "{}",
                serde_json::json!({ "id": captured.id, "endpoint": slug, "signed": test.signed,
                                    "response_status": captured.reply.status })
            );
        } else {
            outln!(
                "Captured #{} on {slug} ({}), answered {}",
                captured.id,
                if test.signed {
                    "signed"
                } else {
                    "unsigned: the endpoint has no secret"
                },
                captured.reply.status
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    let url = args
        .to
        .clone()
        .unwrap_or_else(|| replay::DEFAULT_TARGET.to_string());
    let (test, delivery) = rt.block_on(triggers::trigger_send(
        provider,
        event,
        args.secret.as_deref(),
        &url,
        &args.send.options(),
    ))?;
    let took = delivery.latency.as_secs_f64() * 1000.0;
    let ok = delivery
        .answer
        .as_ref()
        .is_ok_and(|a| (200..300).contains(&a.status));
    if args.send.json {
        let (status, error) = match &delivery.answer {
            Ok(a) => (Some(a.status), None),
            Err(e) => (None, Some(e.clone())),
        };
        outln!(
            "{}",
            serde_json::json!({ "target": url, "signed": test.signed, "status": status,
                                "error": error, "latency_ms": took })
        );
        return Ok(exit(ok));
    }
    let signed = if test.signed { "signed" } else { "unsigned" };
    match &delivery.answer {
        Ok(Answer {
            status,
            headers,
            body,
            body_size,
            ..
        }) => {
            outln!("{provider} {event} ({signed}) → {url}: {status} in {took:.1} ms");
            for h in headers {
                outln!("  {}: {}", h.name, h.value_lossy());
            }
            print_body(body, *body_size)?;
        }
        Err(e) => outln!("{provider} {event} ({signed}) → {url}: failed: {e}"),
    }
    Ok(exit(ok))
}

#[derive(clap::Args)]
pub struct RoutesArgs {
    /// The endpoint whose routes to show or change.
    slug: String,
    /// Add a route for events whose type matches (a trailing `*` matches a prefix: `invoice.*`).
    #[arg(long, value_name = "TYPE", requires = "to", conflicts_with_all = ["path_prefix", "rm"])]
    event_type: Option<String>,
    /// Add a route for events whose path after the slug starts with this.
    #[arg(long, value_name = "PREFIX", requires = "to", conflicts_with = "rm")]
    path_prefix: Option<String>,
    /// The new route's target.
    #[arg(long = "to", value_name = "URL")]
    to: Option<String>,
    /// Allow a target that is not loopback.
    #[arg(long)]
    allow_remote: bool,
    /// Remove the route at this position (as listed).
    #[arg(long, value_name = "N")]
    rm: Option<u32>,
    #[arg(long)]
    json: bool,
}

/// `hookscope routes`: send matching events to their own target (replays without `--to`, and
/// auto-forward); the first match wins, the rest go to the forward target.
pub fn routes(data: &Path, args: RoutesArgs) -> Result<ExitCode> {
    use hookscope_core::store::routes::{self, Match};
    let store = open_store(data)?;
    let rule = match (&args.event_type, &args.path_prefix) {
        (Some(t), _) => Some((Match::EventType, t.as_str())),
        (None, Some(p)) => Some((Match::PathPrefix, p.as_str())),
        (None, None) => None,
    };
    if let (Some((kind, pattern)), Some(to)) = (rule, &args.to) {
        store.write(|tx| routes::add(tx, &args.slug, kind, pattern, to, args.allow_remote))?;
    } else if let Some(position) = args.rm {
        store.write(|tx| routes::remove(tx, &args.slug, position))?;
    } else if args.to.is_some() {
        return Err("--to needs --event-type or --path-prefix".into());
    }
    let list = store.read(|c| routes::list(c, &args.slug))?;
    if args.json {
        outln!("{}", serde_json::to_string_pretty(&list)?);
        return Ok(ExitCode::SUCCESS);
    }
    if list.is_empty() {
        outln!(
            "{}: no routes; every event goes to the forward target",
            args.slug
        );
    }
    for r in &list {
        let what = match r.kind {
            Match::EventType => "event type",
            Match::PathPrefix => "path prefix",
        };
        let consent = if r.allow_remote {
            " (remote allowed)"
        } else {
            ""
        };
        outln!(
            "{}. {what} {} → {}{consent}",
            r.position,
            r.pattern,
            r.target
        );
    }
    Ok(ExitCode::SUCCESS)
}

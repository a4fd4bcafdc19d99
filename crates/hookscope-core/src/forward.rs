//! Auto-forward: every new event of an endpoint goes to the endpoint's forward target (or the
//! target of the first route it matches, see [`crate::store::routes`]), in arrival order,
//! through the replay engine; each try is recorded in `replays` (`kind = 'forward'`) and then
//! announced on the hub ([`HubEvent::Forwarded`]) with what happens next.
//!
//! Invariants:
//! - Capture never waits for forwarding: workers run on their own tasks and only read what the
//!   writer committed. They hear of new events on the hub and also poll the store, so events
//!   captured by another process on the same data dir (or while nothing was forwarding) are
//!   delivered too.
//! - Order: one worker per endpoint delivers one event at a time; the position (`forwards.
//!   delivered_upto`) advances only once an event is delivered or given up on, so a backlog that
//!   built up while the target was down goes out in order once it is back.
//! - A target that cannot be reached (refused, timed out, …) is retried with backoff until it
//!   answers; an answer of 5xx is retried up to `max_attempts` times, then the event is given
//!   up on; any other answer (2xx–4xx) is the handler's verdict and counts as delivered.
//! - Imported events are never forwarded.
//! - Events of an endpoint with `respond = target` that the capture server answered with the
//!   target's own answer ([`crate::respond`]) are marked so when stored: their one try was inline,
//!   and the background worker moves its position past them without sending them again. The mark
//!   is set per event at capture, not read from the current mode, so switching the mode neither
//!   repeats an inline try nor skips an event answered by the rule (those stay in the backlog).
//! - One forwarder per data dir delivers: it holds an OS file lock ([`LOCK_FILE`]); another
//!   process's forwarder (the app beside `hookscope serve`) waits and takes over when it exits.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use serde::Serialize;
use tokio::sync::{broadcast, watch};
use tokio::task::JoinHandle;

use crate::hub::{ForwardOutcome, ForwardState, HubEvent};
use crate::model::EndpointPatch;
use crate::replay::{self, Edits, ReplayJson, SendOptions, blocking, target::Target};
use crate::store::forwards::{self, ForwardSettings, Respond};
use crate::store::replays::{self, Kind};
use crate::store::routes;
use crate::store::{Store, endpoints, events};
use crate::{Engine, Result};

/// How often the store is checked for events the hub did not announce, and for endpoints that
/// started or stopped forwarding.
const CATCH_UP_EVERY: Duration = Duration::from_secs(1);

/// The running forwarder; stop it with [`Forwarder::stop`].
pub struct Forwarder {
    stop: watch::Sender<bool>,
    supervisor: JoinHandle<()>,
    delivering: Arc<AtomicBool>,
}

/// Start forwarding for every endpoint that has it on. Call from within a tokio runtime (the
/// capture server's, or the desktop app's).
pub fn start(engine: &Engine) -> Forwarder {
    let (stop, stopped) = watch::channel(false);
    let delivering = Arc::new(AtomicBool::new(false));
    let supervisor = tokio::spawn(supervise(engine.clone(), stopped, delivering.clone()));
    Forwarder {
        stop,
        supervisor,
        delivering,
    }
}

impl Forwarder {
    /// Whether this forwarder holds the data dir's lock and so is the one delivering; false
    /// while another process (say `hookscope serve`) forwards for the same data dir.
    pub fn delivering(&self) -> bool {
        self.delivering.load(Ordering::Relaxed)
    }

    /// Stop after the tries in flight; events not yet delivered wait for the next start.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.supervisor.await;
    }
}

fn stopping(stop: &watch::Receiver<bool>) -> bool {
    *stop.borrow() || stop.has_changed().is_err()
}

/// The lock file next to the database: whoever holds it forwards for this data dir.
pub const LOCK_FILE: &str = "forward.lock";

/// Take the data dir's forwarding lock: `None` while another process (or forwarder) holds it.
/// The OS releases it when the holder exits, however it exits.
fn try_lock(store: &Store) -> Result<Option<std::fs::File>> {
    let path = store.path().with_file_name(LOCK_FILE);
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)?;
    match file.try_lock() {
        Ok(()) => Ok(Some(file)),
        Err(std::fs::TryLockError::WouldBlock) => Ok(None),
        Err(std::fs::TryLockError::Error(e)) => Err(e.into()),
    }
}

/// Wait until this forwarder holds the lock; `None` when stopped first.
async fn take_lock(store: &Store, stop: &mut watch::Receiver<bool>) -> Option<std::fs::File> {
    let mut told = false;
    while !stopping(stop) {
        match try_lock(store) {
            Ok(Some(file)) => return Some(file),
            Ok(None) if !told => {
                tracing::info!("another process forwards for this data dir; waiting to take over");
                told = true;
            }
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "auto-forward cannot take its lock"),
        }
        tokio::select! {
            _ = stop.changed() => {}
            () = tokio::time::sleep(CATCH_UP_EVERY) => {}
        }
    }
    None
}

async fn supervise(engine: Engine, mut stop: watch::Receiver<bool>, delivering: Arc<AtomicBool>) {
    // One forwarder per data dir: the app and `hookscope serve` side by side must not both
    // deliver. The other one waits and takes over when the holder exits.
    let Some(_lock) = take_lock(engine.store(), &mut stop).await else {
        return;
    };
    delivering.store(true, Ordering::Relaxed);
    let mut hub = engine.hub().subscribe();
    let mut workers: HashMap<String, JoinHandle<()>> = HashMap::new();
    while !stopping(&stop) {
        let store = engine.store().clone();
        match blocking(move || forwarding_endpoints(&store)).await {
            Ok(slugs) => {
                workers.retain(|_, w| !w.is_finished());
                for slug in slugs {
                    workers
                        .entry(slug.clone())
                        .or_insert_with(|| tokio::spawn(work(engine.clone(), slug, stop.clone())));
                }
            }
            Err(e) => tracing::warn!(error = %e, "auto-forward could not read its endpoints"),
        }
        tokio::select! {
            _ = stop.changed() => {}
            () = endpoints_changed(&mut hub) => {}
            () = tokio::time::sleep(CATCH_UP_EVERY) => {}
        }
    }
    for (_, worker) in workers {
        let _ = worker.await;
    }
    delivering.store(false, Ordering::Relaxed);
}

fn forwarding_endpoints(store: &Store) -> Result<Vec<String>> {
    if store.read(forwards::out_of_step)? {
        store.write(|tx| forwards::reconcile(tx))?;
    }
    store.read(|c| {
        let mut out = Vec::new();
        for e in endpoints::list(c)? {
            if e.forward_url.is_some() && forwards::get(c, &e.slug)?.is_some() {
                out.push(e.slug);
            }
        }
        Ok(out)
    })
}

async fn endpoints_changed(hub: &mut broadcast::Receiver<HubEvent>) {
    loop {
        match hub.recv().await {
            Ok(HubEvent::EndpointsChanged) | Err(broadcast::error::RecvError::Lagged(_)) => return,
            Ok(_) => {}
            Err(broadcast::error::RecvError::Closed) => std::future::pending::<()>().await,
        }
    }
}

/// What a worker does next.
enum Next {
    Off,
    Wait,
    /// Move past requests the target already answered inline.
    Skip {
        from: i64,
        to: i64,
    },
    Deliver {
        id: i64,
        from: i64,
    },
}

/// Save the position; false when the store failed (logged).
async fn advance(store: &Store, slug: &str, from: i64, to: i64) -> bool {
    let store = store.clone();
    let name = slug.to_string();
    match blocking(move || store.write(|tx| forwards::advance(tx, &name, from, to))).await {
        Ok(_) => true,
        Err(e) => {
            tracing::warn!(endpoint = %slug, error = %e, "auto-forward could not save its position");
            false
        }
    }
}

async fn work(engine: Engine, slug: String, mut stop: watch::Receiver<bool>) {
    let mut hub = engine.hub().subscribe();
    while !stopping(&stop) {
        let store = engine.store().clone();
        let name = slug.clone();
        let next = blocking(move || {
            store.read(|c| {
                let endpoint = endpoints::get(c, &name)?;
                let state = forwards::get(c, &name)?;
                Ok(match (endpoint.forward_url, state) {
                    (Some(_), Some(state)) => {
                        let from = state.delivered_upto;
                        match events::next_to_forward(c, &name, from)? {
                            events::NextToForward {
                                skip_to: Some(to), ..
                            } => Next::Skip { from, to },
                            events::NextToForward {
                                deliver: Some(id), ..
                            } => Next::Deliver { id, from },
                            _ => Next::Wait,
                        }
                    }
                    _ => Next::Off,
                })
            })
        })
        .await;
        match next {
            // Forwarding turned off, or the endpoint removed.
            Ok(Next::Off) | Err(crate::Error::NotFound { .. }) => return,
            Ok(Next::Wait) => wait_for_new(&mut hub, &slug, &mut stop).await,
            Ok(Next::Skip { from, to }) => {
                if !advance(engine.store(), &slug, from, to).await {
                    tokio::select! {
                        _ = stop.changed() => {}
                        () = tokio::time::sleep(CATCH_UP_EVERY) => {}
                    }
                }
            }
            Ok(Next::Deliver { id, from }) => {
                let Some(last) = deliver(&engine, &slug, id, &mut stop).await else {
                    return;
                };
                advance(engine.store(), &slug, from, id).await;
                // Announced once the position moved: a status read on hearing it sees the
                // event off the backlog.
                if let Some((r, state)) = last {
                    announce(&engine, &slug, &r, state);
                }
            }
            Err(e) => {
                tracing::warn!(endpoint = %slug, error = %e, "auto-forward could not read the store");
                tokio::select! {
                    _ = stop.changed() => {}
                    () = tokio::time::sleep(CATCH_UP_EVERY) => {}
                }
            }
        }
    }
}

/// Wait until the hub announces an event of `slug`, endpoints change, or the catch-up poll is
/// due.
async fn wait_for_new(
    hub: &mut broadcast::Receiver<HubEvent>,
    slug: &str,
    stop: &mut watch::Receiver<bool>,
) {
    let poll = tokio::time::sleep(CATCH_UP_EVERY);
    tokio::pin!(poll);
    loop {
        tokio::select! {
            () = &mut poll => return,
            _ = stop.changed() => return,
            message = hub.recv() => match message {
                Ok(HubEvent::Captured(s)) if s.endpoint == slug => return,
                Ok(HubEvent::EndpointsChanged) | Err(broadcast::error::RecvError::Lagged(_)) => return,
                Ok(_) => {}
                Err(broadcast::error::RecvError::Closed) => {
                    (&mut poll).await;
                    return;
                }
            },
        }
    }
}

/// Deliver one event, retrying as the settings say (tries to retry are announced here). `None`
/// when stopped or forwarding was turned off meanwhile (the position stays, so the event is
/// tried again next time); else done, with the final try (delivered or given up) for the caller
/// to announce after it advanced the position.
async fn deliver(
    engine: &Engine,
    slug: &str,
    id: i64,
    stop: &mut watch::Receiver<bool>,
) -> Option<Option<(ReplayJson, ForwardState)>> {
    let store = engine.store();
    let mut attempt: u32 = 1;
    loop {
        let reader = store.clone();
        let name = slug.to_string();
        let loaded = blocking(move || {
            reader.read(|c| {
                let endpoint = endpoints::get(c, &name)?;
                let state = forwards::get(c, &name)?;
                let event = events::get(c, id)?;
                let list = routes::list(c, &name)?;
                let routed = routes::resolve(&list, &name, &event).cloned();
                Ok((endpoint, state, event, routed))
            })
        })
        .await;
        let (endpoint, state, event, routed) = match loaded {
            Ok(v) => v,
            // The event was deleted (clear, retention): nothing left to deliver.
            Err(crate::Error::NotFound { what: "event", .. }) => return Some(None),
            Err(e) => {
                tracing::warn!(endpoint = %slug, error = %e, "auto-forward could not read the event");
                return None;
            }
        };
        let (Some(fallback), Some(state)) = (endpoint.forward_url.clone(), state) else {
            return None;
        };
        let settings = &state.settings;
        // A route's own consent decides for its target; the endpoint's is for the fallback.
        let (url, allow_remote) = routed.map_or((fallback, settings.allow_remote), |r| {
            (r.target, r.allow_remote)
        });
        let options = SendOptions {
            allow_remote,
            follow_redirects: settings.follow_redirects,
            timeout: Duration::from_millis(settings.timeout_ms.max(1)),
        };
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let prepared = replay::prepare(&event, &endpoint, &url, &Edits::default(), None, now)
            .and_then(|out| {
                Target::parse(&out.url)?.check_allowed(options.allow_remote)?;
                Ok(out)
            });
        let out = match prepared {
            Ok(out) => out,
            Err(e) => {
                // It can never be sent as it is: record why and move on.
                let recorded =
                    replay::record_failure(store, id, Kind::Forward, attempt, &url, e.to_string())
                        .await;
                return Some(recorded.ok().map(|r| (r, ForwardState::GaveUp)));
            }
        };
        // A try may wait minutes (the timeout is long on purpose): stopping abandons it
        // unrecorded, and the event is tried again at the next start.
        let sent = tokio::select! {
            sent = replay::send_and_record(store, id, Kind::Forward, attempt, &out, &options, None, false) => sent,
            _ = stop.changed() => return None,
        };
        match sent {
            Ok(r) => match next_state(settings, attempt, r.status) {
                ForwardState::Retrying => announce(engine, slug, &r, ForwardState::Retrying),
                done => return Some(Some((r, done))),
            },
            Err(e) => {
                tracing::warn!(endpoint = %slug, error = %e, "auto-forward could not record a try");
            }
        }
        let backoff = backoff(settings, attempt);
        tokio::select! {
            _ = stop.changed() => return None,
            () = tokio::time::sleep(backoff) => {}
        }
        if stopping(stop) {
            return None;
        }
        attempt = attempt.saturating_add(1);
    }
}

/// What follows try `attempt` that got `status`: an answer below 500 is the handler's verdict;
/// a 5xx is retried up to `max_attempts` (0: forever); no answer is always retried.
fn next_state(s: &ForwardSettings, attempt: u32, status: Option<u16>) -> ForwardState {
    match status {
        Some(code) if code < 500 => ForwardState::Delivered,
        Some(_) if s.max_attempts > 0 && attempt >= s.max_attempts => ForwardState::GaveUp,
        _ => ForwardState::Retrying,
    }
}

/// Tell the hub about a recorded try.
pub(crate) fn announce(engine: &Engine, slug: &str, r: &ReplayJson, state: ForwardState) {
    engine
        .hub()
        .publish(HubEvent::Forwarded(Box::new(ForwardOutcome {
            endpoint: slug.to_string(),
            event_id: r.event_id,
            replay_id: r.id,
            attempt: r.attempt,
            target: r.target.clone(),
            status: r.status,
            error: r.error.clone(),
            state,
        })));
}

/// The wait after try `attempt`: the initial delay doubled per try, capped.
fn backoff(s: &ForwardSettings, attempt: u32) -> Duration {
    let factor = 1u64 << attempt.saturating_sub(1).min(20);
    Duration::from_millis(
        s.retry_initial_ms
            .saturating_mul(factor)
            .min(s.retry_max_ms),
    )
}

/// Turn auto-forward on for an endpoint (or change its target or settings). Only events
/// captured from now on are forwarded.
pub fn forward_set(store: &Store, slug: &str, url: &str, settings: &ForwardSettings) -> Result<()> {
    Target::parse(url)?.check_allowed(settings.allow_remote)?;
    if settings.retry_initial_ms == 0 || settings.retry_max_ms < settings.retry_initial_ms {
        return Err(crate::Error::invalid(
            "retry delays must be at least 1 ms, the maximum no less than the initial one",
        ));
    }
    if settings.respond_timeout_ms == 0 {
        return Err(crate::Error::invalid(
            "the respond timeout must be at least 1 ms (keep it below the provider's own timeout)",
        ));
    }
    store.write(|tx| {
        endpoints::update(
            tx,
            slug,
            &EndpointPatch {
                forward_url: Some(Some(url.to_string())),
                ..Default::default()
            },
        )?;
        forwards::set(tx, slug, settings)
    })
}

/// Turn auto-forward off for an endpoint.
pub fn forward_clear(store: &Store, slug: &str) -> Result<()> {
    store.write(|tx| {
        endpoints::update(
            tx,
            slug,
            &EndpointPatch {
                forward_url: Some(None),
                ..Default::default()
            },
        )?;
        forwards::clear(tx, slug)
    })
}

/// An endpoint's forwarding, for `hookscope forward SLUG` and the app.
#[derive(Debug, Clone, Serialize)]
pub struct ForwardStatus {
    pub endpoint: String,
    /// `None` when off.
    pub target: Option<String>,
    pub timeout_ms: Option<u64>,
    pub retry_initial_ms: Option<u64>,
    pub retry_max_ms: Option<u64>,
    pub max_attempts: Option<u32>,
    /// What the provider is answered with: the response rule, or the target's own answer.
    pub respond: Option<Respond>,
    /// How long the provider waits for the target's answer (with `respond: target`).
    pub respond_timeout_ms: Option<u64>,
    /// Events captured but not yet delivered in the background.
    pub backlog: u64,
    /// The newest tries, newest first.
    pub recent: Vec<ReplayJson>,
}

pub fn forward_status(store: &Store, slug: &str, recent: usize) -> Result<ForwardStatus> {
    store.read(|c| {
        let endpoint = endpoints::get(c, slug)?;
        let state = forwards::get(c, slug)?.filter(|_| endpoint.forward_url.is_some());
        let backlog = match &state {
            Some(s) => events::count_captured_after(c, slug, s.delivered_upto)?,
            None => 0,
        };
        let recent = replays::list_recent(c, slug, Kind::Forward, recent)?
            .iter()
            .map(ReplayJson::from)
            .collect();
        let s = state.as_ref().map(|s| &s.settings);
        Ok(ForwardStatus {
            endpoint: slug.to_string(),
            target: state.as_ref().and(endpoint.forward_url),
            timeout_ms: s.map(|s| s.timeout_ms),
            retry_initial_ms: s.map(|s| s.retry_initial_ms),
            retry_max_ms: s.map(|s| s.retry_max_ms),
            max_attempts: s.map(|s| s.max_attempts),
            respond: s.map(|s| s.respond),
            respond_timeout_ms: s.map(|s| s.respond_timeout_ms),
            backlog,
            recent,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::StoreOptions;

    async fn until(what: &str, cond: impl Fn() -> bool) {
        let start = std::time::Instant::now();
        while !cond() {
            assert!(start.elapsed() < Duration::from_secs(5), "{what}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn only_the_lock_holder_says_it_delivers_and_the_other_takes_over() {
        let dir = tempfile::tempdir().unwrap();
        let one = Engine::open(dir.path(), StoreOptions::default()).unwrap();
        let two = Engine::open(dir.path(), StoreOptions::default()).unwrap();
        let first = start(&one);
        until("the first takes the lock", || first.delivering()).await;
        let second = start(&two);
        tokio::time::sleep(CATCH_UP_EVERY + Duration::from_millis(200)).await;
        assert!(!second.delivering(), "another process holds the lock");
        first.stop().await;
        until("the second takes over", || second.delivering()).await;
        second.stop().await;
        one.shutdown();
        two.shutdown();
    }
}

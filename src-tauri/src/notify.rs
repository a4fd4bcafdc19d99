//! Desktop notifications for captured requests and failed forwards, sent by the backend (so
//! they also arrive while the window is hidden). Rules decide which events qualify (global
//! switch, per-endpoint mute, all / invalid signatures / one event type / failed forwards); a
//! [`Burst`] coalesces floods: the first notice of a burst is shown at once, the rest become one
//! "N new events on …" notice per window.

use std::collections::BTreeSet;
use std::time::Duration;

use hookscope_core::store::events;
use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::dto::{EventSummary, ForwardAttempt, ForwardNext, NotifyRule, Settings};
use crate::state::AppState;

/// How long after a notification further events are held back and summed up.
pub const BURST_WINDOW: Duration = Duration::from_secs(2);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub summary: String,
    pub body: String,
    /// The event to focus when the notice is clicked (single events only).
    pub event_id: Option<i64>,
}

/// Where notices go: the desktop, or a recorder in tests.
pub trait Notifier: Send + Sync + 'static {
    fn show(&self, notice: Notice);
}

/// What the notifier hears about.
#[derive(Debug, Clone)]
pub enum Arrival {
    Captured(EventSummary),
    Forwarded(ForwardAttempt),
}

/// Whether `ev` should notify under `settings`, given its endpoint's own switch.
pub fn wants(settings: &Settings, endpoint_notify: bool, ev: &EventSummary) -> bool {
    if !settings.notify_enabled || !endpoint_notify {
        return false;
    }
    match settings.notify_rule {
        NotifyRule::All => true,
        NotifyRule::InvalidSignature => matches!(
            ev.signature_status.as_deref(),
            Some("invalid" | "stale" | "missing")
        ),
        NotifyRule::EventType => {
            let wanted = settings.notify_event_type.trim();
            !wanted.is_empty() && ev.event_type.as_deref() == Some(wanted)
        }
        NotifyRule::FailedForward => false,
    }
}

/// Whether a forward try should notify: only under the failed-forward rule, and only when the
/// target did not answer 2xx.
pub fn wants_forward(settings: &Settings, endpoint_notify: bool, a: &ForwardAttempt) -> bool {
    settings.notify_enabled
        && endpoint_notify
        && settings.notify_rule == NotifyRule::FailedForward
        && a.failed
}

/// The forwarded request, for the notice's title.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Forwarded {
    pub method: String,
    pub path: String,
}

/// `Forward failed · POST /stripe → localhost:3000` / `connection refused: … · attempt 3, retrying`.
pub fn forward_failed(a: &ForwardAttempt, request: Option<&Forwarded>) -> Notice {
    let what = match request {
        Some(r) => format!("{} {}", r.method, r.path),
        None => format!("event #{}", a.event_id),
    };
    let target = a.target.strip_prefix("http://").unwrap_or(&a.target);
    let target = target.strip_suffix('/').unwrap_or(target);
    let why = match (a.status, &a.error) {
        (Some(status), _) => format!("HTTP {status}"),
        (None, Some(e)) => e.clone(),
        (None, None) => "no answer".to_string(),
    };
    let next = match a.state {
        ForwardNext::Retrying => "retrying",
        ForwardNext::GaveUp => "gave up",
        ForwardNext::Delivered => "moved on",
    };
    Notice {
        summary: format!("Forward failed · {what} → {target}"),
        body: format!("{why} · attempt {}, {next}", a.attempt),
        event_id: Some(a.event_id),
    }
}

/// `POST /stripe · payment_intent.succeeded` / `stripe · 1.2 kB · signature valid`.
pub fn single(ev: &EventSummary) -> Notice {
    let mut summary = format!("{} {}", ev.method, ev.path);
    if let Some(t) = &ev.event_type {
        summary += &format!(" · {t}");
    }
    let mut parts = vec![ev.provider.clone().unwrap_or_else(|| ev.endpoint.clone())];
    parts.push(human_size(ev.body_size));
    if let Some(s) = &ev.signature_status {
        parts.push(format!("signature {}", s.replace('_', " ")));
    }
    if let Some(r) = &ev.rejected {
        parts.push(format!("rejected: {r}"));
    }
    Notice {
        summary,
        body: parts.join(" · "),
        event_id: Some(ev.id),
    }
}

pub fn human_size(bytes: u64) -> String {
    match bytes {
        b if b < 1024 => format!("{b} B"),
        b if b < 1024 * 1024 => format!("{:.1} kB", b as f64 / 1024.0),
        b => format!("{:.1} MB", b as f64 / (1024.0 * 1024.0)),
    }
}

/// What a burst holds back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Held {
    Event,
    FailedForward,
}

/// Coalescing state: pure, driven by the caller's clock.
#[derive(Debug, Default)]
pub struct Burst {
    deadline: Option<Instant>,
    held_events: u64,
    held_forwards: u64,
    endpoints: BTreeSet<String>,
}

impl Burst {
    /// An event arrived: a notice to show now if it opens a burst, else it is held.
    pub fn offer(&mut self, ev: &EventSummary, now: Instant) -> Option<Notice> {
        self.admit(&ev.endpoint, Held::Event, now)
            .then(|| single(ev))
    }

    /// A forward try failed: as [`Burst::offer`], counted apart from new events.
    pub fn offer_forward(
        &mut self,
        a: &ForwardAttempt,
        request: Option<&Forwarded>,
        now: Instant,
    ) -> Option<Notice> {
        self.admit(&a.endpoint, Held::FailedForward, now)
            .then(|| forward_failed(a, request))
    }

    /// True when this opens a burst (show it); otherwise it is counted.
    fn admit(&mut self, endpoint: &str, held: Held, now: Instant) -> bool {
        if self.deadline.is_none() {
            self.deadline = Some(now + BURST_WINDOW);
            return true;
        }
        match held {
            Held::Event => self.held_events += 1,
            Held::FailedForward => self.held_forwards += 1,
        }
        self.endpoints.insert(endpoint.to_string());
        false
    }

    pub fn deadline(&self) -> Option<Instant> {
        self.deadline
    }

    /// The window ended: sum up what was held (and keep coalescing), or close the burst.
    pub fn expire(&mut self, now: Instant) -> Option<Notice> {
        if self.held_events == 0 && self.held_forwards == 0 {
            self.deadline = None;
            return None;
        }
        let counted = |n: u64, one: &str, many: &str| match n {
            0 => None,
            1 => Some(format!("1 {one}")),
            n => Some(format!("{n} {many}")),
        };
        let parts: Vec<String> = [
            counted(self.held_events, "new event", "new events"),
            counted(self.held_forwards, "failed forward", "failed forwards"),
        ]
        .into_iter()
        .flatten()
        .collect();
        let endpoints = std::mem::take(&mut self.endpoints);
        self.held_events = 0;
        self.held_forwards = 0;
        self.deadline = Some(now + BURST_WINDOW);
        let target = match endpoints.len() {
            1 => endpoints.into_iter().next().unwrap_or_default(),
            k => format!("{k} endpoints"),
        };
        Some(Notice {
            summary: format!("{} on {target}", parts.join(" and ")),
            body: "Open Hookscope to see them.".to_string(),
            event_id: None,
        })
    }
}

/// The endpoint's own notification switch (on when it is unknown).
fn endpoint_notify(state: &AppState, slug: &str) -> bool {
    state
        .engine
        .route(&format!("/{slug}"))
        .map(|e| e.notify)
        .unwrap_or(true)
}

/// Method and path of a forwarded event, for the notice's title.
async fn forwarded_request(state: &AppState, id: i64) -> Option<Forwarded> {
    let store = state.engine.store().clone();
    let event = tokio::task::spawn_blocking(move || store.read(|c| events::get(c, id)))
        .await
        .ok()?
        .ok()?;
    Some(Forwarded {
        method: event.summary.method,
        path: event.summary.path,
    })
}

/// Decide and coalesce notices for every arrival until the channel closes.
pub async fn run(
    state: AppState,
    mut arrivals: mpsc::UnboundedReceiver<Arrival>,
    notifier: impl Notifier,
) {
    let mut burst = Burst::default();
    loop {
        let deadline = burst.deadline();
        tokio::select! {
            next = arrivals.recv() => {
                let notice = match next {
                    None => break,
                    Some(Arrival::Captured(ev)) => {
                        let on = endpoint_notify(&state, &ev.endpoint);
                        if wants(&state.settings(), on, &ev) {
                            burst.offer(&ev, Instant::now())
                        } else {
                            None
                        }
                    }
                    Some(Arrival::Forwarded(a)) => {
                        let on = endpoint_notify(&state, &a.endpoint);
                        if wants_forward(&state.settings(), on, &a) {
                            let request = forwarded_request(&state, a.event_id).await;
                            burst.offer_forward(&a, request.as_ref(), Instant::now())
                        } else {
                            None
                        }
                    }
                };
                if let Some(notice) = notice {
                    notifier.show(notice);
                }
            }
            () = async {
                match deadline {
                    Some(d) => tokio::time::sleep_until(d).await,
                    None => std::future::pending().await,
                }
            } => {
                if let Some(notice) = burst.expire(Instant::now()) {
                    notifier.show(notice);
                }
            }
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Recorder(Arc<Mutex<Vec<Notice>>>);

    impl Notifier for Recorder {
        fn show(&self, notice: Notice) {
            self.0.lock().unwrap().push(notice);
        }
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn the_task_skips_muted_endpoints_and_coalesces_a_burst() {
        let dir = tempfile::tempdir().unwrap();
        let engine = hookscope_core::Engine::open(dir.path(), Default::default()).unwrap();
        let patch = hookscope_core::model::EndpointPatch {
            notify: Some(false),
            ..Default::default()
        };
        engine
            .store()
            .write(|tx| hookscope_core::store::endpoints::insert(tx, "quiet", &patch))
            .unwrap();
        engine.refresh_endpoints().unwrap();
        let state = AppState::new(
            engine,
            dir.path().into(),
            Settings::default(),
            "127.0.0.1:0",
        );
        let (tx, rx) = mpsc::unbounded_channel();
        let recorder = Recorder::default();
        let task = tokio::spawn(run(state, rx, recorder.clone()));
        tx.send(Arrival::Captured(event(1000, "quiet"))).unwrap();
        for i in 0..50 {
            tx.send(Arrival::Captured(event(i, "default"))).unwrap();
        }
        tokio::time::sleep(BURST_WINDOW + Duration::from_millis(500)).await;
        drop(tx);
        task.await.unwrap();
        let shown = recorder.0.lock().unwrap().clone();
        let summaries: Vec<&str> = shown.iter().map(|n| n.summary.as_str()).collect();
        assert_eq!(
            summaries,
            [
                "POST /default · payment_intent.succeeded",
                "49 new events on default"
            ]
        );
    }

    pub fn event(id: i64, endpoint: &str) -> EventSummary {
        EventSummary {
            id,
            endpoint: endpoint.into(),
            received_at_us: 0,
            method: "POST".into(),
            path: format!("/{endpoint}"),
            query: String::new(),
            body_size: 1300,
            content_type: None,
            provider: Some("stripe".into()),
            event_type: Some("payment_intent.succeeded".into()),
            event_id: None,
            signature_status: Some("valid".into()),
            duplicate_of: None,
            response_status: 200,
            rejected: None,
            imported: false,
        }
    }

    #[test]
    fn a_single_notice_names_method_path_type_provider_size_and_signature() {
        let n = single(&event(3, "stripe"));
        assert_eq!(n.summary, "POST /stripe · payment_intent.succeeded");
        assert_eq!(n.body, "stripe · 1.3 kB · signature valid");
        assert_eq!(n.event_id, Some(3));
    }

    #[test]
    fn a_burst_of_fifty_gives_one_notice_then_one_summary() {
        let mut b = Burst::default();
        let t0 = Instant::now();
        let shown: Vec<Notice> = (0..50)
            .filter_map(|i| b.offer(&event(i, "stripe"), t0))
            .collect();
        assert_eq!(shown.len(), 1);
        let summary = b.expire(t0 + BURST_WINDOW).unwrap();
        assert_eq!(summary.summary, "49 new events on stripe");
        assert_eq!(b.expire(t0 + BURST_WINDOW * 2), None);
        assert_eq!(b.deadline(), None);
        assert!(
            b.offer(&event(51, "github"), t0 + BURST_WINDOW * 3)
                .is_some()
        );
    }

    #[test]
    fn rules_switches_and_mutes() {
        let mut s = Settings::default();
        let mut ev = event(1, "stripe");
        assert!(wants(&s, true, &ev));
        assert!(!wants(&s, false, &ev), "muted endpoint");
        s.notify_rule = NotifyRule::InvalidSignature;
        assert!(!wants(&s, true, &ev));
        ev.signature_status = Some("invalid".into());
        assert!(wants(&s, true, &ev));
        s.notify_rule = NotifyRule::EventType;
        s.notify_event_type = "charge.failed".into();
        assert!(!wants(&s, true, &ev));
        s.notify_event_type = "payment_intent.succeeded".into();
        assert!(wants(&s, true, &ev));
        s.notify_enabled = false;
        assert!(!wants(&s, true, &ev));
    }

    fn attempt(status: Option<u16>, state: ForwardNext) -> ForwardAttempt {
        ForwardAttempt {
            endpoint: "stripe".into(),
            event_id: 9,
            replay_id: 4,
            attempt: 3,
            target: "http://localhost:3000/".into(),
            status,
            error: status
                .is_none()
                .then(|| "connection refused: nothing is listening on localhost:3000".into()),
            state,
            failed: !status.is_some_and(|s| (200..300).contains(&s)),
        }
    }

    #[test]
    fn the_failed_forward_rule_notifies_on_failed_tries_only() {
        let mut s = Settings {
            notify_rule: NotifyRule::FailedForward,
            ..Settings::default()
        };
        let down = attempt(None, ForwardNext::Retrying);
        assert!(wants_forward(&s, true, &down));
        assert!(wants_forward(
            &s,
            true,
            &attempt(Some(404), ForwardNext::Delivered)
        ));
        assert!(!wants_forward(
            &s,
            true,
            &attempt(Some(204), ForwardNext::Delivered)
        ));
        assert!(!wants_forward(&s, false, &down), "muted endpoint");
        assert!(
            !wants(&s, true, &event(1, "stripe")),
            "captures stay quiet under this rule"
        );
        s.notify_enabled = false;
        assert!(!wants_forward(&s, true, &down), "global switch");
        s.notify_enabled = true;
        s.notify_rule = NotifyRule::All;
        assert!(!wants_forward(&s, true, &down), "only under its own rule");
    }

    #[test]
    fn a_failed_forward_notice_names_request_target_reason_attempt_and_what_next() {
        let request = Forwarded {
            method: "POST".into(),
            path: "/stripe".into(),
        };
        let n = forward_failed(&attempt(None, ForwardNext::Retrying), Some(&request));
        assert_eq!(n.summary, "Forward failed · POST /stripe → localhost:3000");
        assert_eq!(
            n.body,
            "connection refused: nothing is listening on localhost:3000 · attempt 3, retrying"
        );
        assert_eq!(n.event_id, Some(9));
        let n = forward_failed(&attempt(Some(503), ForwardNext::GaveUp), None);
        assert_eq!(n.summary, "Forward failed · event #9 → localhost:3000");
        assert_eq!(n.body, "HTTP 503 · attempt 3, gave up");
    }

    #[test]
    fn failed_forwards_in_a_burst_are_summed_apart_from_new_events() {
        let mut b = Burst::default();
        let t0 = Instant::now();
        let down = attempt(None, ForwardNext::Retrying);
        assert!(b.offer_forward(&down, None, t0).is_some());
        assert!(b.offer_forward(&down, None, t0).is_none());
        assert!(b.offer_forward(&down, None, t0).is_none());
        assert!(b.offer(&event(1, "github"), t0).is_none());
        let summary = b.expire(t0 + BURST_WINDOW).unwrap();
        assert_eq!(
            summary.summary,
            "1 new event and 2 failed forwards on 2 endpoints"
        );
        assert!(b.offer_forward(&down, None, t0 + BURST_WINDOW).is_none());
        assert_eq!(
            b.expire(t0 + BURST_WINDOW * 2).map(|n| n.summary),
            Some("1 failed forward on stripe".into())
        );
    }
}

//! Desktop notifications for captured requests, sent by the backend (so they also arrive while
//! the window is hidden). Rules decide which events qualify (global switch, per-endpoint mute,
//! all / invalid signatures / one event type); a [`Burst`] coalesces floods: the first event of
//! a burst is shown at once, the rest become one "N new events on …" notice per window.

use std::collections::BTreeSet;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::dto::{EventSummary, NotifyRule, Settings};
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

/// Coalescing state: pure, driven by the caller's clock.
#[derive(Debug, Default)]
pub struct Burst {
    deadline: Option<Instant>,
    held: u64,
    endpoints: BTreeSet<String>,
}

impl Burst {
    /// An event arrived: a notice to show now if it opens a burst, else it is held.
    pub fn offer(&mut self, ev: &EventSummary, now: Instant) -> Option<Notice> {
        if self.deadline.is_none() {
            self.deadline = Some(now + BURST_WINDOW);
            return Some(single(ev));
        }
        self.held += 1;
        self.endpoints.insert(ev.endpoint.clone());
        None
    }

    pub fn deadline(&self) -> Option<Instant> {
        self.deadline
    }

    /// The window ended: sum up what was held (and keep coalescing), or close the burst.
    pub fn expire(&mut self, now: Instant) -> Option<Notice> {
        if self.held == 0 {
            self.deadline = None;
            return None;
        }
        let n = self.held;
        let endpoints = std::mem::take(&mut self.endpoints);
        self.held = 0;
        self.deadline = Some(now + BURST_WINDOW);
        let target = match endpoints.len() {
            1 => endpoints.into_iter().next().unwrap_or_default(),
            k => format!("{k} endpoints"),
        };
        let noun = if n == 1 { "event" } else { "events" };
        Some(Notice {
            summary: format!("{n} new {noun} on {target}"),
            body: "Open Hookscope to see them.".to_string(),
            event_id: None,
        })
    }
}

/// Decide and coalesce notices for every captured event until the channel closes.
pub async fn run(
    state: AppState,
    mut events: mpsc::UnboundedReceiver<EventSummary>,
    notifier: impl Notifier,
) {
    let mut burst = Burst::default();
    loop {
        let deadline = burst.deadline();
        tokio::select! {
            next = events.recv() => {
                let Some(ev) = next else { break };
                let endpoint_notify = state
                    .engine
                    .route(&format!("/{}", ev.endpoint))
                    .map(|e| e.notify)
                    .unwrap_or(true);
                if wants(&state.settings(), endpoint_notify, &ev)
                    && let Some(notice) = burst.offer(&ev, Instant::now())
                {
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
        tx.send(event(1000, "quiet")).unwrap();
        for i in 0..50 {
            tx.send(event(i, "default")).unwrap();
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
}

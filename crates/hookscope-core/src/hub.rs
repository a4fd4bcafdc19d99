//! The hub: a broadcast of small summaries of every committed change, for the desktop UI, the
//! notifier, the forwarder and `tail`. Subscribers fetch details lazily from the store. A slow
//! subscriber that lags behind loses messages (it is told so) and should re-read the store; the
//! capture path never waits for subscribers.

use serde::Serialize;
use tokio::sync::broadcast;

use crate::model::EventSummary;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum HubEvent {
    /// A request was captured and committed.
    Captured(Box<EventSummary>),
    /// Endpoints were added, changed or removed (possibly by another process).
    EndpointsChanged,
    /// Events were deleted (clear or retention).
    EventsRemoved,
    /// Events were imported in bulk (with their original times): re-read lists.
    EventsImported { count: u64 },
    /// A forward try was recorded in `replays`.
    Forwarded(Box<ForwardOutcome>),
}

/// One recorded forward try, for the app's status and "failed forward" notifications.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ForwardOutcome {
    /// The endpoint's slug.
    pub endpoint: String,
    pub event_id: i64,
    /// The try's row in `replays`.
    pub replay_id: i64,
    pub attempt: u32,
    pub target: String,
    /// `None` when the target did not answer.
    pub status: Option<u16>,
    /// Why the target did not answer, in words.
    pub error: Option<String>,
    pub state: ForwardState,
}

impl ForwardOutcome {
    /// The try failed: the target did not answer with 2xx.
    pub fn failed(&self) -> bool {
        !self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

/// What happens to the event after a forward try.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ForwardState {
    /// The target answered (2xx–4xx: its verdict); the forwarder moves on.
    Delivered,
    /// Another try follows after a backoff.
    Retrying,
    /// No more tries (5xx after `max_attempts`, or the event cannot be sent); moved on.
    GaveUp,
}

#[derive(Clone)]
pub struct Hub {
    tx: broadcast::Sender<HubEvent>,
}

impl Default for Hub {
    fn default() -> Self {
        Self::new(4096)
    }
}

impl Hub {
    pub fn new(capacity: usize) -> Self {
        let (tx, _) = broadcast::channel(capacity);
        Self { tx }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<HubEvent> {
        self.tx.subscribe()
    }

    /// Announce a change; having no subscriber is fine.
    pub fn publish(&self, event: HubEvent) {
        let _ = self.tx.send(event);
    }
}

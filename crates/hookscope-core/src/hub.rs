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

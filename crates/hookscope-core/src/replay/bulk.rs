//! Bulk replay: many stored events, in the order given, one at a time, at most `per_second`,
//! with progress after each and a stop the caller can pull at any time (the UI's progress bar and
//! stop button, the CLI's output).

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde::Serialize;

use super::{ReplayJson, ReplayReq, replay_send};
use crate::Result;
use crate::store::Store;
use crate::store::events::{self, Filter, Page};

/// After each event.
#[derive(Debug, Clone, Serialize)]
pub struct BulkProgress {
    pub done: usize,
    pub total: usize,
    pub event_id: i64,
    /// The attempt, or why the event could not be sent (nothing recorded then).
    pub attempt: std::result::Result<ReplayJson, String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct BulkSummary {
    pub sent: usize,
    /// Answered 2xx.
    pub succeeded: usize,
    /// Could not be sent or had no 2xx answer.
    pub failed: usize,
    /// Stopped before the end.
    pub stopped: bool,
}

/// The ids of the events matching `filter`, oldest first, at most `limit`.
pub fn select(store: &Store, filter: &Filter, after: i64, limit: usize) -> Result<Vec<i64>> {
    let mut ids = Vec::new();
    let mut cursor = after;
    while ids.len() < limit {
        let page = store.read(|c| {
            events::list(
                c,
                filter,
                Page::OldestAfter(cursor),
                (limit - ids.len()).min(500),
            )
        })?;
        let Some(last) = page.last() else { break };
        cursor = last.id;
        ids.extend(page.iter().map(|s| s.id));
    }
    Ok(ids)
}

/// Replay `ids` in order with `template` (its `event_id` is ignored).
pub async fn replay_bulk(
    store: &Store,
    ids: &[i64],
    template: &ReplayReq,
    per_second: Option<f64>,
    stop: &AtomicBool,
    mut on_progress: impl FnMut(&BulkProgress),
) -> BulkSummary {
    let gap = per_second
        .filter(|r| *r > 0.0)
        .map(|r| Duration::from_secs_f64(1.0 / r));
    let mut summary = BulkSummary::default();
    let mut next_at = Instant::now();
    for (index, &id) in ids.iter().enumerate() {
        if stop.load(Ordering::SeqCst) {
            summary.stopped = true;
            break;
        }
        if let Some(gap) = gap {
            tokio::time::sleep_until(next_at.into()).await;
            next_at = Instant::now() + gap;
        }
        let req = ReplayReq {
            event_id: id,
            ..template.clone()
        };
        let attempt = replay_send(store, &req).await.map_err(|e| e.to_string());
        match &attempt {
            Ok(a) => {
                summary.sent += 1;
                if a.succeeded() {
                    summary.succeeded += 1;
                } else {
                    summary.failed += 1;
                }
            }
            Err(_) => summary.failed += 1,
        }
        on_progress(&BulkProgress {
            done: index + 1,
            total: ids.len(),
            event_id: id,
            attempt,
        });
    }
    summary
}

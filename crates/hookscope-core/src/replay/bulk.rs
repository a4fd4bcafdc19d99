//! Bulk replay: many stored events, in the order given, one at a time, at most `per_second`,
//! with progress after each and a stop the caller can pull at any time (the UI's progress bar and
//! stop button, the CLI's output).

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde::Serialize;

use super::{ReplayJson, ReplayReq, replay_send};
use crate::store::Store;
use crate::store::events::{self, Filter, Page};
use crate::{Error, Result};

/// The slowest rate accepted, one request every 1000 s: anything slower is a typo, and its gap
/// would not fit a `Duration`.
pub const MIN_RATE_PER_SECOND: f64 = 0.001;

/// A send rate checked once, up front: the gap between two requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate(Duration);

impl Rate {
    /// At most `per_second` requests per second; at least [`MIN_RATE_PER_SECOND`].
    pub fn per_second(per_second: f64) -> Result<Self> {
        if !(per_second.is_finite() && per_second >= MIN_RATE_PER_SECOND) {
            return Err(Error::invalid(format!(
                "the rate must be a number of requests per second of at least \
                 {MIN_RATE_PER_SECOND}, not {per_second}"
            )));
        }
        Duration::try_from_secs_f64(1.0 / per_second)
            .map(Self)
            .map_err(|e| Error::invalid(format!("the rate {per_second}/s is out of range: {e}")))
    }

    pub fn gap(self) -> Duration {
        self.0
    }
}

/// After each event.
#[derive(Debug, Clone, Serialize)]
pub struct BulkProgress {
    pub done: usize,
    pub total: usize,
    pub event_id: i64,
    /// The attempt, or why the event could not be sent (nothing recorded then).
    pub attempt: std::result::Result<ReplayJson, String>,
    /// The counts up to and including this event.
    pub so_far: BulkSummary,
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
    rate: Option<Rate>,
    stop: &AtomicBool,
    mut on_progress: impl FnMut(&BulkProgress),
) -> BulkSummary {
    let gap = rate.map(Rate::gap);
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
            so_far: summary.clone(),
        });
    }
    summary
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rate_is_a_gap_and_rates_too_small_or_not_numbers_are_refused() {
        assert_eq!(
            Rate::per_second(10.0).unwrap().gap(),
            Duration::from_millis(100)
        );
        assert_eq!(
            Rate::per_second(MIN_RATE_PER_SECOND).unwrap().gap(),
            Duration::from_secs(1000)
        );
        assert_eq!(Rate::per_second(f64::MAX).unwrap().gap(), Duration::ZERO);
        for bad in [1e-300, 0.0009, 0.0, -1.0, f64::NAN, f64::INFINITY] {
            assert!(
                matches!(Rate::per_second(bad), Err(Error::Invalid(_))),
                "{bad}"
            );
        }
    }
}

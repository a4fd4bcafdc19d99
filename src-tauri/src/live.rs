//! Live updates: one task subscribed to the engine's hub forwards new events to the window in
//! small batches (at most one emit per [`BATCH_WINDOW`]), hands each to the notifier, and keeps
//! the tray's count. Forward tries go to the window (its forward status and the event's Replays
//! tab) and to the notifier as they come. Event names and payloads are defined here and nowhere
//! else.
//!
//! The window subscribes before its first `event_list` and merges by id, so an event that lands
//! between the two is neither lost nor shown twice. When the hub reports that this subscriber
//! lagged, the window is told to reload instead of silently missing events.

use std::time::Duration;

use hookscope_core::hub::HubEvent;
use tauri::{AppHandle, Emitter, Runtime};
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::mpsc;

use crate::dto::{EventSummary, ForwardAttempt};
use crate::notify::Arrival;
use crate::state::AppState;

/// Payload: `EventSummary[]`, oldest first.
pub const EVENTS_CAPTURED_EVENT: &str = "events-captured";
/// Payload: none. Events were deleted, imported in bulk, or some were missed: reload the list.
pub const EVENTS_RELOAD_EVENT: &str = "events-reload";
/// Payload: none. Endpoints changed (possibly in another process).
pub const ENDPOINTS_CHANGED_EVENT: &str = "endpoints-changed";
/// Payload: `CaptureStatus`.
pub const CAPTURE_STATUS_EVENT: &str = "capture-status";
/// Payload: `FocusEvent`. A notification was clicked.
pub const FOCUS_EVENT: &str = "event-focus";
/// Payload: `ForwardAttempt`. A forward try was recorded: refresh the status and replays.
pub const FORWARD_ATTEMPTED_EVENT: &str = "forward-attempted";
/// Payload: `ReplayRecorded`. A replay or forward try of that event was recorded.
pub const REPLAY_RECORDED_EVENT: &str = "replay-recorded";
/// Payload: `ReplayBulkProgress`, after each event of a bulk replay.
pub const REPLAY_BULK_PROGRESS_EVENT: &str = "replay-bulk-progress";
/// Payload: `ReplayBulkDone`.
pub const REPLAY_BULK_DONE_EVENT: &str = "replay-bulk-done";

const BATCH_WINDOW: Duration = Duration::from_millis(30);
const BATCH_MAX: usize = 500;

/// Forward hub events until the hub closes.
pub async fn forward<R: Runtime>(
    app: AppHandle<R>,
    state: AppState,
    notices: mpsc::UnboundedSender<Arrival>,
) {
    let mut hub = state.engine.hub().subscribe();
    let mut batch: Vec<EventSummary> = Vec::new();
    loop {
        let next = if batch.is_empty() {
            Some(hub.recv().await)
        } else {
            tokio::time::timeout(BATCH_WINDOW, hub.recv()).await.ok()
        };
        match next {
            Some(Ok(HubEvent::Captured(summary))) => {
                let summary = EventSummary::from(*summary);
                let _ = notices.send(Arrival::Captured(summary.clone()));
                batch.push(summary);
                if batch.len() >= BATCH_MAX {
                    flush(&app, &mut batch);
                }
            }
            Some(Ok(HubEvent::EndpointsChanged)) => emit(&app, ENDPOINTS_CHANGED_EVENT, ()),
            // Rare (one per try, tries are spaced by backoff): no batching needed.
            Some(Ok(HubEvent::Forwarded(outcome))) => {
                // The event's Replays tab lists forward tries too.
                crate::commands::replay::announce(&app, outcome.event_id);
                let attempt = ForwardAttempt::from(*outcome);
                let _ = notices.send(Arrival::Forwarded(attempt.clone()));
                emit(&app, FORWARD_ATTEMPTED_EVENT, attempt);
            }
            // Deleted, or imported in bulk with their original times: the list must be re-read.
            Some(Ok(HubEvent::EventsRemoved | HubEvent::EventsImported { .. })) => {
                flush(&app, &mut batch);
                crate::tray::reload_count(&app, &state);
                emit(&app, EVENTS_RELOAD_EVENT, ());
            }
            Some(Err(RecvError::Lagged(missed))) => {
                tracing::warn!(missed, "live updates lagged; asking the window to reload");
                batch.clear();
                crate::tray::reload_count(&app, &state);
                emit(&app, EVENTS_RELOAD_EVENT, ());
            }
            Some(Err(RecvError::Closed)) => break,
            None => flush(&app, &mut batch),
        }
    }
}

fn flush<R: Runtime>(app: &AppHandle<R>, batch: &mut Vec<EventSummary>) {
    if batch.is_empty() {
        return;
    }
    crate::tray::add_to_count(app, batch.len() as u64);
    emit(app, EVENTS_CAPTURED_EVENT, std::mem::take(batch));
}

fn emit<R: Runtime, S: serde::Serialize + Clone>(app: &AppHandle<R>, name: &str, payload: S) {
    if let Err(e) = app.emit(name, payload) {
        tracing::warn!(error = %e, event = name, "could not reach the window");
    }
}

//! Forward tries reach the window's Replays tab: a hub subscriber turns every recorded forward
//! attempt into a `replay-recorded` event (replays made from the window announce themselves in
//! their commands). Its own subscriber, so a slow window never holds up the list's live feed.

use hookscope_core::hub::HubEvent;
use tauri::{AppHandle, Runtime};
use tokio::sync::broadcast::error::RecvError;

use crate::state::AppState;

/// Announce forward tries until the hub closes.
pub async fn run<R: Runtime>(app: AppHandle<R>, state: AppState) {
    let mut hub = state.engine.hub().subscribe();
    loop {
        match hub.recv().await {
            Ok(HubEvent::Forwarded(outcome)) => {
                crate::commands::replay::announce(&app, outcome.event_id);
            }
            Ok(_) => {}
            // Missed some announcements: an open tab catches up with the next one.
            Err(RecvError::Lagged(_)) => {}
            Err(RecvError::Closed) => break,
        }
    }
}

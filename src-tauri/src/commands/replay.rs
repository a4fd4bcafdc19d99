//! Replay commands: preview and send one replay (optionally edited and re-signed), list an
//! event's attempts (replays and forward tries) with their bodies as raw bytes, the target
//! remembered per endpoint, and bulk replay with progress events and a stop.
//!
//! A target that is not loopback is refused with the code `remote_target` unless the request
//! carries `allowRemote`: the window asks the user and retries with it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hookscope_core::replay::{self, bulk, target};
use hookscope_core::store::events::Filter;
use hookscope_core::store::{endpoints, events, replays};
use tauri::ipc::Response;
use tauri::{AppHandle, Emitter, Runtime, State};

use crate::dto::*;
use crate::error::{ApiError, ApiResult, blocking};
use crate::live;
use crate::state::AppState;

const DEFAULT_BULK_LIMIT: u32 = 1000;
const MAX_BULK_LIMIT: u32 = 100_000;

/// The stop switches of running bulk replays, by run id.
#[derive(Default)]
pub struct BulkRuns {
    next: AtomicU64,
    stops: Mutex<HashMap<u64, Arc<AtomicBool>>>,
}

impl BulkRuns {
    fn start(&self) -> (u64, Arc<AtomicBool>) {
        let id = self.next.fetch_add(1, Ordering::SeqCst) + 1;
        let stop = Arc::new(AtomicBool::new(false));
        if let Ok(mut runs) = self.stops.lock() {
            runs.insert(id, stop.clone());
        }
        (id, stop)
    }

    fn finish(&self, id: u64) {
        if let Ok(mut runs) = self.stops.lock() {
            runs.remove(&id);
        }
    }

    /// Whether a run of that id was still going.
    fn stop(&self, id: u64) -> bool {
        let stop = self.stops.lock().ok().and_then(|r| r.get(&id).cloned());
        stop.inspect(|s| s.store(true, Ordering::SeqCst)).is_some()
    }
}

/// What the replay would send, and how a re-sign would go.
#[tauri::command]
pub async fn replay_preview(
    state: State<'_, AppState>,
    req: ReplayPreviewReq,
) -> ApiResult<ReplayPreviewRes> {
    let store = state.engine.store().clone();
    blocking(move || {
        let id = req.spec.event_id;
        let core = req.spec.into_core(false, None);
        let target = match &core.target {
            Some(t) => t.clone(),
            None => replay::replay_target_for(&store, id)?,
        };
        let loopback = target::Target::parse(&target)?.is_loopback();
        let request = replay::replay_preview(&store, &core)?.into();
        let resign = replay::resign_plan(&store, id)?.into();
        Ok(ReplayPreviewRes {
            target,
            loopback,
            request,
            resign,
        })
    })
    .await
}

/// Send one replay and record it; the target's answer (or why there is none) comes back.
#[tauri::command]
pub async fn replay_send<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    req: ReplaySendReq,
) -> ApiResult<ReplayAttempt> {
    let store = state.engine.store().clone();
    let explicit = req.spec.target.clone().filter(|t| !t.trim().is_empty());
    let core = req.spec.into_core(req.allow_remote, req.timeout_ms);
    let event_id = core.event_id;
    let recorded = replay::replay_send(&store, &core).await?;
    announce(&app, event_id);
    blocking(move || {
        if req.remember
            && let Some(target) = explicit
        {
            let slug = store.read(|c| events::get(c, event_id))?.summary.endpoint;
            replay::replay_target_remember(&store, &slug, Some(target.trim()))?;
        }
        Ok(replay::replay_get(&store, recorded.id)?.into())
    })
    .await
}

/// Every attempt for an event (replays and forward tries), oldest first, without bodies.
#[tauri::command]
pub async fn replay_list(
    state: State<'_, AppState>,
    req: ReplayListReq,
) -> ApiResult<Vec<ReplayAttempt>> {
    let store = state.engine.store().clone();
    blocking(move || {
        let rows = store.read(|c| {
            events::get(c, req.event_id)?;
            replays::list_for_request(c, req.event_id)
        })?;
        Ok(rows.into_iter().map(ReplayAttempt::from).collect())
    })
    .await
}

/// An attempt's sent body or the target's answer body, as raw bytes.
#[tauri::command]
pub async fn replay_body(state: State<'_, AppState>, req: ReplayBodyReq) -> ApiResult<Response> {
    let store = state.engine.store().clone();
    blocking(move || {
        let row = replay::replay_get(&store, req.id)?;
        let bytes = match req.part {
            ReplayBodyPart::Response => row.response_body.unwrap_or_default(),
            ReplayBodyPart::Sent => sent_body(&row.sent)?,
        };
        Ok(Response::new(bytes))
    })
    .await
}

/// The body of a recorded request; empty when nothing was sent (`null`: the try failed before
/// sending). A row that reads back wrong is reported, never shown as an empty body.
fn sent_body(sent: &str) -> ApiResult<Vec<u8>> {
    let damaged = |e: &dyn std::fmt::Display| {
        ApiError::internal(format!("the stored request is damaged: {e}"))
    };
    match serde_json::from_str::<Option<replay::SentJson>>(sent).map_err(|e| damaged(&e))? {
        Some(sent) => STANDARD.decode(sent.body_base64).map_err(|e| damaged(&e)),
        None => Ok(Vec::new()),
    }
}

#[tauri::command]
pub async fn replay_target_get(
    state: State<'_, AppState>,
    req: ReplayTargetGetReq,
) -> ApiResult<ReplayTarget> {
    let store = state.engine.store().clone();
    blocking(move || {
        let remembered = replay::replay_target_remembered(&store, &req.slug)?;
        Ok(match remembered {
            Some(target) => ReplayTarget {
                target,
                remembered: true,
            },
            None => ReplayTarget {
                target: target::default_target(&store.read(|c| endpoints::get(c, &req.slug))?),
                remembered: false,
            },
        })
    })
    .await
}

#[tauri::command]
pub async fn replay_target_set(
    state: State<'_, AppState>,
    req: ReplayTargetSetReq,
) -> ApiResult<()> {
    let store = state.engine.store().clone();
    blocking(move || {
        let target = req
            .target
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty());
        Ok(replay::replay_target_remember(
            &store,
            &req.slug,
            target.as_deref(),
        )?)
    })
    .await
}

/// Start replaying a selection (or every event matching a filter), oldest first; progress
/// arrives as `replay-bulk-progress` events and the end as `replay-bulk-done`.
#[tauri::command]
pub async fn replay_bulk_start<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    runs: State<'_, BulkRuns>,
    req: ReplayBulkReq,
) -> ApiResult<ReplayBulkStarted> {
    let store = state.engine.store().clone();
    let target = req
        .target
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty());
    if let Some(t) = &target {
        target::Target::parse(t)?.check_allowed(req.allow_remote)?;
    }
    let rate = req
        .rate_per_second
        .map(bulk::Rate::per_second)
        .transpose()?;
    let limit = req
        .limit
        .unwrap_or(DEFAULT_BULK_LIMIT)
        .clamp(1, MAX_BULK_LIMIT) as usize;
    let (ids, filter) = (req.ids, req.filter);
    let selector = store.clone();
    let ids = blocking(move || match ids {
        Some(mut ids) => {
            ids.sort_unstable();
            ids.dedup();
            if ids.len() > MAX_BULK_LIMIT as usize {
                return Err(ApiError::new(
                    "invalid",
                    format!(
                        "a bulk replay takes at most {MAX_BULK_LIMIT} events, not {}",
                        ids.len()
                    ),
                ));
            }
            Ok(ids)
        }
        None => Ok(bulk::select(
            &selector,
            &filter.map(to_filter).unwrap_or_default(),
            0,
            limit,
        )?),
    })
    .await?;
    if ids.is_empty() {
        return Err(ApiError::new("invalid", "no events to replay"));
    }
    let template = ReplaySpec {
        target,
        resign: req.resign,
        ..Default::default()
    }
    .into_core(req.allow_remote, None);
    let (run_id, stop) = runs.start();
    let total = u32::try_from(ids.len()).unwrap_or(u32::MAX);
    let mut end = RunEnd {
        app: app.clone(),
        run_id,
        summary: bulk::BulkSummary {
            stopped: true,
            ..Default::default()
        },
    };
    tauri::async_runtime::spawn(async move {
        let summary = bulk::replay_bulk(
            &store,
            &ids,
            &template,
            rate,
            &stop,
            |p: &bulk::BulkProgress| {
                let (status, error) = match &p.attempt {
                    Ok(a) => (a.status, a.error.clone()),
                    Err(e) => (None, Some(e.clone())),
                };
                if p.attempt.is_ok() {
                    announce(&end.app, p.event_id);
                }
                emit(
                    &end.app,
                    live::REPLAY_BULK_PROGRESS_EVENT,
                    ReplayBulkProgress {
                        run_id,
                        done: count(p.done),
                        total,
                        succeeded: count(p.so_far.succeeded),
                        failed: count(p.so_far.failed),
                        event_id: p.event_id,
                        status,
                        error,
                    },
                );
                // Until the run returns, an end is an early one.
                end.summary = bulk::BulkSummary {
                    stopped: true,
                    ..p.so_far.clone()
                };
            },
        )
        .await;
        // Read when `end` drops, right after.
        end.summary.clone_from(&summary);
    });
    Ok(ReplayBulkStarted { run_id, total })
}

/// The end of a bulk run, however its task ends (a panic included): the run's stop switch is
/// dropped and the window hears `replay-bulk-done` with the counts so far.
struct RunEnd<R: Runtime> {
    app: AppHandle<R>,
    run_id: u64,
    summary: bulk::BulkSummary,
}

impl<R: Runtime> Drop for RunEnd<R> {
    fn drop(&mut self) {
        if let Some(runs) = tauri::Manager::try_state::<BulkRuns>(&self.app) {
            runs.finish(self.run_id);
        }
        emit(
            &self.app,
            live::REPLAY_BULK_DONE_EVENT,
            ReplayBulkDone {
                run_id: self.run_id,
                sent: count(self.summary.sent),
                succeeded: count(self.summary.succeeded),
                failed: count(self.summary.failed),
                stopped: self.summary.stopped,
            },
        );
    }
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[tauri::command]
pub fn replay_bulk_stop(runs: State<'_, BulkRuns>, req: ReplayBulkStopReq) -> bool {
    runs.stop(req.run_id)
}

fn to_filter(f: crate::dto::EventListReq) -> Filter {
    let clean = |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    Filter {
        endpoint: clean(f.endpoint),
        method: clean(f.method),
        provider: clean(f.provider),
        signature_status: clean(f.signature_status),
        search: clean(f.search),
    }
}

/// Tell the window an attempt was recorded for `event_id`.
pub fn announce<R: Runtime>(app: &AppHandle<R>, event_id: i64) {
    emit(
        app,
        live::REPLAY_RECORDED_EVENT,
        ReplayRecorded { event_id },
    );
}

fn emit<R: Runtime, S: serde::Serialize + Clone>(app: &AppHandle<R>, name: &str, payload: S) {
    if let Err(e) = app.emit(name, payload) {
        tracing::warn!(error = %e, event = name, "could not reach the window");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sent(body_base64: &str) -> String {
        serde_json::to_string(&replay::SentJson {
            method: "POST".into(),
            url: "http://localhost:3000/".into(),
            headers: vec![],
            body_base64: body_base64.into(),
            body_size: 2,
            resigned: None,
            edited: false,
        })
        .unwrap()
    }

    #[test]
    fn a_run_whose_task_panics_still_reports_done_and_drops_its_stop_switch() {
        use tauri::{Listener, Manager};
        let app = tauri::test::mock_app();
        app.manage(BulkRuns::default());
        let (run_id, _stop) = app.state::<BulkRuns>().start();
        let (tx, rx) = std::sync::mpsc::channel();
        app.listen_any(live::REPLAY_BULK_DONE_EVENT, move |e| {
            let _ = tx.send(e.payload().to_string());
        });
        let end = RunEnd {
            app: app.handle().clone(),
            run_id,
            summary: bulk::BulkSummary {
                sent: 2,
                succeeded: 1,
                failed: 1,
                stopped: true,
            },
        };
        let task = tauri::async_runtime::spawn(async move {
            let _end = end;
            panic!("the run failed");
        });
        assert!(tauri::async_runtime::block_on(task).is_err());
        let done: serde_json::Value =
            serde_json::from_str(&rx.recv_timeout(std::time::Duration::from_secs(5)).unwrap())
                .unwrap();
        assert_eq!(
            done,
            serde_json::json!({ "runId": run_id, "sent": 2, "succeeded": 1, "failed": 1, "stopped": true })
        );
        assert!(!app.state::<BulkRuns>().stop(run_id), "no longer running");
    }

    #[test]
    fn a_sent_body_is_its_bytes_empty_when_nothing_was_sent_and_damage_is_an_error() {
        assert_eq!(sent_body(&sent("aGk=")).unwrap(), b"hi");
        assert_eq!(sent_body("null").unwrap(), b"");
        for damaged in [sent("%%not base64"), "{\"method\":".to_string()] {
            let err = sent_body(&damaged).unwrap_err();
            assert_eq!(err.code, "internal", "{damaged}");
            assert!(
                err.message.starts_with("the stored request is damaged"),
                "{err}"
            );
        }
    }
}

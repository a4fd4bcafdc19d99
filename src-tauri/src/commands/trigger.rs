//! Test events from the provider templates (like `hookscope trigger`): captured into an endpoint
//! through the capture pipeline, or sent to a handler. Signed with the endpoint's secret.

use std::time::Duration;

use hookscope_core::replay::SendOptions;
use hookscope_core::store::endpoints;
use hookscope_core::triggers;
use tauri::State;

use crate::dto::{
    ANSWER_PREVIEW, Header, TriggerCaptureReq, TriggerCaptureRes, TriggerSendReq, TriggerSendRes,
    TriggerTemplate,
};
use crate::error::{ApiResult, blocking};
use crate::state::AppState;

#[tauri::command]
pub async fn trigger_list() -> ApiResult<Vec<TriggerTemplate>> {
    Ok(triggers::TEMPLATES
        .iter()
        .map(TriggerTemplate::from)
        .collect())
}

/// Capture a test event on an endpoint; it reaches the list like any captured request.
#[tauri::command]
pub async fn trigger_capture(
    state: State<'_, AppState>,
    req: TriggerCaptureReq,
) -> ApiResult<TriggerCaptureRes> {
    let secret = blank_to_none(req.secret);
    let (test, captured) = triggers::trigger_capture(
        &state.engine,
        &req.endpoint,
        &req.provider,
        &req.event,
        secret.as_deref(),
    )
    .await?;
    Ok(TriggerCaptureRes {
        id: captured.id,
        endpoint: req.endpoint,
        signed: test.signed,
        response_status: captured.reply.status,
    })
}

/// Send a test event to a handler and return its answer. A host other than loopback is refused
/// by the core with `remote_target` unless `allowRemote` (the window asks the user first).
#[tauri::command]
pub async fn trigger_send(
    state: State<'_, AppState>,
    req: TriggerSendReq,
) -> ApiResult<TriggerSendRes> {
    let url = req.url.trim().to_string();
    let secret = match (blank_to_none(req.secret), blank_to_none(req.endpoint)) {
        (Some(secret), _) => Some(secret),
        (None, Some(slug)) => {
            let store = state.engine.store().clone();
            let endpoint = blocking(move || Ok(store.read(|c| endpoints::get(c, &slug))?)).await?;
            endpoint.secrets.into_iter().next()
        }
        (None, None) => None,
    };
    let mut options = SendOptions {
        allow_remote: req.allow_remote,
        ..SendOptions::default()
    };
    if let Some(ms) = req.timeout_ms.filter(|ms| *ms > 0) {
        options.timeout = Duration::from_millis(u64::from(ms));
    }
    let (test, delivery) =
        triggers::trigger_send(&req.provider, &req.event, secret.as_deref(), &url, &options)
            .await?;
    let latency_ms = u64::try_from(delivery.latency.as_millis()).unwrap_or(u64::MAX);
    let mut res = TriggerSendRes {
        url,
        signed: test.signed,
        status: None,
        headers: Vec::new(),
        body: String::new(),
        body_size: 0,
        body_truncated: false,
        latency_ms,
        error: None,
    };
    match delivery.answer {
        Ok(answer) => {
            let shown = &answer.body[..answer.body.len().min(ANSWER_PREVIEW)];
            res.status = Some(answer.status);
            res.headers = answer
                .headers
                .iter()
                .map(|h| Header {
                    name: h.name.clone(),
                    value: h.value_lossy(),
                })
                .collect();
            res.body = String::from_utf8_lossy(shown).into_owned();
            res.body_size = answer.body_size;
            res.body_truncated = answer.body_size > shown.len() as u64;
        }
        Err(why) => res.error = Some(why),
    }
    Ok(res)
}

fn blank_to_none(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

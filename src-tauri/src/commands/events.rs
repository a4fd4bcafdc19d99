//! Event commands: list (keyset pages with filters), get (without body), body (raw bytes), clear,
//! counts per endpoint.

use hookscope_core::body;
use hookscope_core::hub::HubEvent;
use hookscope_core::store::events::{self, Filter, Page};
use tauri::State;
use tauri::ipc::Response;

use crate::dto::{
    EventBodyReq, EventClearReq, EventCounts, EventDetail, EventGetReq, EventListReq, EventSummary,
};
use crate::error::{ApiResult, blocking};
use crate::state::AppState;

const DEFAULT_PAGE: u32 = 200;
const MAX_PAGE: u32 = 1000;
/// Decoded bodies are capped so a decompression bomb cannot exhaust memory.
const DECODE_CAP: usize = 64 * 1024 * 1024;

fn blank_to_none(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

#[tauri::command]
pub async fn event_list(
    state: State<'_, AppState>,
    req: EventListReq,
) -> ApiResult<Vec<EventSummary>> {
    let store = state.engine.store().clone();
    let limit = req.limit.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE) as usize;
    let filter = Filter {
        endpoint: blank_to_none(req.endpoint),
        method: blank_to_none(req.method),
        provider: blank_to_none(req.provider),
        signature_status: blank_to_none(req.signature_status),
        search: blank_to_none(req.search),
    };
    blocking(move || {
        let list =
            store.read(|c| events::list(c, &filter, Page::NewestBefore(req.before), limit))?;
        Ok(list.into_iter().map(EventSummary::from).collect())
    })
    .await
}

#[tauri::command]
pub async fn event_get(state: State<'_, AppState>, req: EventGetReq) -> ApiResult<EventDetail> {
    let store = state.engine.store().clone();
    blocking(move || Ok(store.read(|c| events::get(c, req.id))?.into())).await
}

/// The body as raw bytes (an `ArrayBuffer` in the window), decoded when asked.
#[tauri::command]
pub async fn event_body(state: State<'_, AppState>, req: EventBodyReq) -> ApiResult<Response> {
    let store = state.engine.store().clone();
    blocking(move || {
        let ev = store.read(|c| events::get(c, req.id))?;
        let bytes = if req.decoded {
            let encoding = ev
                .headers
                .iter()
                .find(|h| h.name.eq_ignore_ascii_case("content-encoding"))
                .map(|h| h.value_lossy());
            body::decode(encoding.as_deref(), &ev.body, DECODE_CAP)?.bytes
        } else {
            ev.body
        };
        Ok(Response::new(bytes))
    })
    .await
}

/// Delete events (of one endpoint or all); returns how many.
#[tauri::command]
pub async fn event_clear(state: State<'_, AppState>, req: EventClearReq) -> ApiResult<u64> {
    let engine = state.engine.clone();
    blocking(move || {
        let endpoint = blank_to_none(req.endpoint);
        let n = engine
            .store()
            .write(|tx| events::clear(tx, endpoint.as_deref()))?;
        engine.hub().publish(HubEvent::EventsRemoved);
        Ok(n)
    })
    .await
}

/// How many events each endpoint holds, and the newest id counted (the window adds live events
/// above it, so none is counted twice).
#[tauri::command]
pub async fn event_counts(state: State<'_, AppState>) -> ApiResult<EventCounts> {
    let store = state.engine.store().clone();
    blocking(move || {
        let (counts, upto) = store.read(events::count_by_endpoint)?;
        Ok(EventCounts {
            counts: counts.into_iter().collect(),
            upto,
        })
    })
    .await
}

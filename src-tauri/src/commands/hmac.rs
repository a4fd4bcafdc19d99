//! The HMAC workbench's one command: the core's calculator, optionally over a stored event's
//! raw body, so the result is byte for byte what the verifier computes.

use hookscope_core::hmac_calc;
use hookscope_core::store::events;
use tauri::State;

use crate::dto::{HmacComputeReq, HmacComputeRes};
use crate::error::{ApiResult, blocking};
use crate::state::AppState;

#[tauri::command]
pub async fn hmac_compute(
    state: State<'_, AppState>,
    req: HmacComputeReq,
) -> ApiResult<HmacComputeRes> {
    let store = state.engine.store().clone();
    blocking(move || {
        let body = match req.event_id {
            Some(id) => Some(store.read(|c| events::get(c, id))?.body),
            None => None,
        };
        Ok(hmac_calc::hmac_compute(&req.into_core(body))?.into())
    })
    .await
}

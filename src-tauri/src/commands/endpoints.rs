//! Endpoint commands. After a change the engine's directory is reloaded at once, so the next
//! request is routed with the new settings.

use hookscope_core::store::endpoints;
use tauri::State;

use crate::dto::{EndpointCreateReq, EndpointDeleteReq, EndpointInfo, EndpointUpdateReq};
use crate::error::{ApiResult, blocking};
use crate::state::AppState;

#[tauri::command]
pub async fn endpoint_list(state: State<'_, AppState>) -> ApiResult<Vec<EndpointInfo>> {
    let store = state.engine.store().clone();
    let base = state.capture.base_url();
    blocking(move || {
        let list = store.read(endpoints::list)?;
        Ok(list
            .into_iter()
            .map(|e| EndpointInfo::new(e, base.as_deref()))
            .collect())
    })
    .await
}

#[tauri::command]
pub async fn endpoint_create(
    state: State<'_, AppState>,
    req: EndpointCreateReq,
) -> ApiResult<EndpointInfo> {
    let engine = state.engine.clone();
    let base = state.capture.base_url();
    blocking(move || {
        let slug = req.slug.trim().to_string();
        let patch = req.fields.into_patch(None);
        let created = engine
            .store()
            .write(|tx| endpoints::insert(tx, &slug, &patch))?;
        engine.refresh_endpoints()?;
        Ok(EndpointInfo::new(created, base.as_deref()))
    })
    .await
}

#[tauri::command]
pub async fn endpoint_update(
    state: State<'_, AppState>,
    req: EndpointUpdateReq,
) -> ApiResult<EndpointInfo> {
    let engine = state.engine.clone();
    let base = state.capture.base_url();
    blocking(move || {
        let updated = engine.store().write(|tx| {
            let current = endpoints::get(tx, &req.slug)?;
            let patch = req.fields.into_patch(Some(&current));
            endpoints::update(tx, &req.slug, &patch)
        })?;
        engine.refresh_endpoints()?;
        Ok(EndpointInfo::new(updated, base.as_deref()))
    })
    .await
}

#[tauri::command]
pub async fn endpoint_delete(state: State<'_, AppState>, req: EndpointDeleteReq) -> ApiResult<()> {
    let engine = state.engine.clone();
    blocking(move || {
        engine
            .store()
            .write(|tx| endpoints::delete(tx, &req.slug))?;
        engine.refresh_endpoints()?;
        Ok(())
    })
    .await
}

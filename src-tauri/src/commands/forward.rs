//! Auto-forward and routes commands: thin adapters over `hookscope_core::forward` and
//! `store::routes`. A change reloads the engine's endpoint directory, which also wakes the
//! forwarder (it listens for endpoint changes on the hub).

use hookscope_core::forward;
use hookscope_core::store::{forwards, routes};
use tauri::State;

use crate::dto::{
    ForwardClearReq, ForwardSetReq, ForwardStatusReq, ForwardStatusRes, RouteAddReq, RouteInfo,
    RouteListReq, RouteRemoveReq,
};
use crate::error::{ApiResult, blocking};
use crate::state::AppState;

/// How many recent tries the status carries.
const RECENT_TRIES: usize = 10;

fn status(state: &AppState, slug: &str) -> ApiResult<ForwardStatusRes> {
    let store = state.engine.store();
    let status = forward::forward_status(store, slug, RECENT_TRIES)?;
    let settings = store.read(|c| forwards::get(c, slug))?.map(|s| s.settings);
    Ok(ForwardStatusRes::new(status, settings, state.delivering()))
}

#[tauri::command]
pub async fn forward_status(
    state: State<'_, AppState>,
    req: ForwardStatusReq,
) -> ApiResult<ForwardStatusRes> {
    let state = state.inner().clone();
    blocking(move || status(&state, &req.slug)).await
}

#[tauri::command]
pub async fn forward_set(
    state: State<'_, AppState>,
    req: ForwardSetReq,
) -> ApiResult<ForwardStatusRes> {
    let state = state.inner().clone();
    blocking(move || {
        let target = req.target.trim();
        forward::forward_set(
            state.engine.store(),
            &req.slug,
            target,
            &req.settings.into(),
        )?;
        state.engine.refresh_endpoints()?;
        status(&state, &req.slug)
    })
    .await
}

#[tauri::command]
pub async fn forward_clear(
    state: State<'_, AppState>,
    req: ForwardClearReq,
) -> ApiResult<ForwardStatusRes> {
    let state = state.inner().clone();
    blocking(move || {
        forward::forward_clear(state.engine.store(), &req.slug)?;
        state.engine.refresh_endpoints()?;
        status(&state, &req.slug)
    })
    .await
}

#[tauri::command]
pub async fn route_list(
    state: State<'_, AppState>,
    req: RouteListReq,
) -> ApiResult<Vec<RouteInfo>> {
    let store = state.engine.store().clone();
    blocking(move || {
        let list = store.read(|c| {
            hookscope_core::store::endpoints::get(c, &req.slug)?;
            routes::list(c, &req.slug)
        })?;
        Ok(list.into_iter().map(RouteInfo::from).collect())
    })
    .await
}

#[tauri::command]
pub async fn route_add(state: State<'_, AppState>, req: RouteAddReq) -> ApiResult<RouteInfo> {
    let store = state.engine.store().clone();
    blocking(move || {
        let route = store.write(|tx| {
            routes::add(
                tx,
                &req.slug,
                req.kind.into(),
                req.pattern.trim(),
                req.target.trim(),
                req.allow_remote,
            )
        })?;
        Ok(route.into())
    })
    .await
}

#[tauri::command]
pub async fn route_remove(
    state: State<'_, AppState>,
    req: RouteRemoveReq,
) -> ApiResult<Vec<RouteInfo>> {
    let store = state.engine.store().clone();
    blocking(move || {
        let left = store.write(|tx| {
            routes::remove(tx, &req.slug, req.position)?;
            routes::list(tx, &req.slug)
        })?;
        Ok(left.into_iter().map(RouteInfo::from).collect())
    })
    .await
}

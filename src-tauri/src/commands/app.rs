//! App-level commands: status (capture address, data dir, counts), capture start/pause, and
//! settings, applied at once where possible (notifications, tray behaviour, start at login,
//! retention, theme).

use hookscope_core::store::events;
use tauri::{AppHandle, Emitter, Manager, Runtime, State};

use crate::dto::{
    AppStatus, CapturePauseReq, CaptureStartReq, CaptureStatus, Settings, SettingsSetReq,
};
use crate::error::{ApiError, ApiResult, blocking};
use crate::live::CAPTURE_STATUS_EVENT;
use crate::state::{AppState, StartupFailure};

/// The app's status; `engine_unavailable` when the data dir could not be opened at launch (the
/// window then shows the reason instead of the app).
#[tauri::command]
pub async fn app_status<R: Runtime>(app: AppHandle<R>) -> ApiResult<AppStatus> {
    let Some(state) = app.try_state::<AppState>() else {
        let (dir, reason) = app
            .try_state::<StartupFailure>()
            .map(|f| (f.data_dir.clone(), f.reason.clone()))
            .unwrap_or_default();
        return Err(ApiError::new(
            "engine_unavailable",
            format!("Hookscope cannot open its data in {dir:?}: {reason}"),
        ));
    };
    let store = state.engine.store().clone();
    let event_count = blocking(move || Ok(store.read(events::count)?)).await?;
    Ok(AppStatus {
        capture: state.capture.status(),
        data_dir: state.data_dir.display().to_string(),
        version: env!("CARGO_PKG_VERSION").to_string(),
        event_count,
    })
}

/// Listen on another address (e.g. when the default port is taken); the outcome is the status.
#[tauri::command]
pub async fn capture_start<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    req: CaptureStartReq,
) -> ApiResult<CaptureStatus> {
    let status = state.capture.start(&req.listen).await;
    if status.error.is_none() {
        let mut settings = state.settings();
        settings.listen = req.listen.trim().to_string();
        save(&state, settings).await?;
    }
    announce(&app, &status);
    Ok(status)
}

#[tauri::command]
pub async fn capture_pause<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    req: CapturePauseReq,
) -> ApiResult<CaptureStatus> {
    let status = if req.paused {
        state.capture.pause().await
    } else {
        state.capture.resume().await
    };
    announce(&app, &status);
    Ok(status)
}

#[tauri::command]
pub async fn settings_get(state: State<'_, AppState>) -> ApiResult<Settings> {
    Ok(state.settings())
}

#[tauri::command]
pub async fn settings_set<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    req: SettingsSetReq,
) -> ApiResult<Settings> {
    if req.settings.start_at_login != state.settings().start_at_login {
        start_at_login(&app, req.settings.start_at_login)?;
    }
    save(&state, req.settings).await
}

/// Register or remove the login item (an XDG autostart entry on Linux). Without the autostart
/// plugin (the mock runtime in tests) there is nothing to change.
fn start_at_login<R: Runtime>(app: &AppHandle<R>, enabled: bool) -> ApiResult<()> {
    let Some(manager) = app.try_state::<tauri_plugin_autostart::AutoLaunchManager>() else {
        return Ok(());
    };
    let result = if enabled {
        manager.enable()
    } else {
        manager.disable()
    };
    result.map_err(|e| ApiError::new("io", format!("could not change start at login: {e}")))
}

async fn save(state: &AppState, settings: Settings) -> ApiResult<Settings> {
    let store = state.engine.store().clone();
    let to_save = settings.clone();
    blocking(move || crate::settings::save(&store, &to_save)).await?;
    let mut current = state
        .settings
        .write()
        .map_err(|_| ApiError::internal("settings are poisoned"))?;
    *current = settings.clone();
    Ok(settings)
}

/// Tell the window (and the tray) that capture changed state.
pub fn announce<R: Runtime>(app: &AppHandle<R>, status: &CaptureStatus) {
    if let Err(e) = app.emit(CAPTURE_STATUS_EVENT, status) {
        tracing::warn!(error = %e, "could not announce the capture status");
    }
    crate::tray::refresh(app);
}

//! Hookscope's desktop shell: opens the engine on the data dir (`HOOKSCOPE_DATA`), starts the
//! capture server in-process (`HOOKSCOPE_LISTEN`, else the saved setting, else
//! `127.0.0.1:8787`), and serves the window thin typed commands and live events over it. It
//! adds the tray, notifications, single instance, window state and start at login; nothing here
//! is something the CLI would also need.

#[cfg(test)]
mod bindings;
mod capture;
pub mod commands;
mod desktop_notifier;
pub mod dto;
pub mod error;
pub mod live;
pub mod notify;
mod settings;
pub mod state;
mod tray;

use hookscope_core::Engine;
use hookscope_core::store::StoreOptions;
use tauri::{AppHandle, Manager, RunEvent, Runtime, WindowEvent};
use tokio::sync::mpsc;

use crate::state::{AppState, StartupFailure};

/// Overrides the listen address, as for `hookscope serve`.
pub const LISTEN_ENV: &str = "HOOKSCOPE_LISTEN";

/// How long quitting waits for the forwarder to stop.
const FORWARDER_STOP_GRACE: std::time::Duration = std::time::Duration::from_secs(5);

/// The part of the app the mock runtime tests too: commands and window behaviour.
pub fn builder<R: Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    builder
        .invoke_handler(tauri::generate_handler![
            commands::app::app_status,
            commands::app::capture_start,
            commands::app::capture_pause,
            commands::app::settings_get,
            commands::app::settings_set,
            commands::events::event_list,
            commands::events::event_get,
            commands::events::event_body,
            commands::events::event_clear,
            commands::events::event_counts,
            commands::endpoints::endpoint_list,
            commands::endpoints::endpoint_create,
            commands::endpoints::endpoint_update,
            commands::endpoints::endpoint_delete,
            commands::hmac::hmac_compute,
            commands::forward::forward_status,
            commands::forward::forward_set,
            commands::forward::forward_clear,
            commands::forward::route_list,
            commands::forward::route_add,
            commands::forward::route_remove,
            commands::trigger::trigger_list,
            commands::trigger::trigger_capture,
            commands::trigger::trigger_send,
            commands::transfer::event_export,
            commands::transfer::event_import,
            commands::replay::replay_preview,
            commands::replay::replay_send,
            commands::replay::replay_list,
            commands::replay::replay_body,
            commands::replay::replay_target_get,
            commands::replay::replay_target_set,
            commands::replay::replay_bulk_start,
            commands::replay::replay_bulk_stop,
        ])
        .manage(commands::replay::BulkRuns::default())
        .on_window_event(|window, event| {
            if let WindowEvent::CloseRequested { api, .. } = event {
                let app = window.app_handle();
                let keep = app
                    .try_state::<AppState>()
                    .is_some_and(|s| s.settings().close_to_tray);
                if keep && app.try_state::<tray::Tray<R>>().is_some() {
                    api.prevent_close();
                    let _ = window.hide();
                }
            }
        })
}

/// Open the engine, start capture, and the background tasks; the window opens whatever the
/// capture server's fate (a used port is shown in the window, not fatal) and also when the
/// engine cannot be opened (then it shows why, see [`StartupFailure`]).
fn setup<R: Runtime>(app: &AppHandle<R>) {
    let data_dir = hookscope_core::datadir::resolve(None);
    let shown = data_dir
        .as_ref()
        .map(|d| d.display().to_string())
        .unwrap_or_default();
    let opened = data_dir
        .and_then(|dir| Engine::open(&dir, StoreOptions::default()).map(|engine| (dir, engine)));
    match opened {
        Ok((dir, engine)) => start(app, dir, engine),
        Err(e) => {
            tracing::error!(error = %e, "cannot open the data dir; the window says why");
            app.manage(StartupFailure {
                data_dir: shown,
                reason: e.to_string(),
            });
        }
    }
}

fn start<R: Runtime>(app: &AppHandle<R>, data_dir: std::path::PathBuf, engine: Engine) {
    // Only debug builds (the e2e) let the environment answer the file dialogs.
    #[cfg(debug_assertions)]
    if let Some(preset) = commands::transfer::PresetPaths::from_env() {
        app.manage(preset);
    }
    let saved = settings::load(engine.store()).unwrap_or_else(|e| {
        tracing::warn!(error = %e, "could not read the settings; using the defaults");
        dto::Settings::default()
    });
    let listen = std::env::var(LISTEN_ENV)
        .ok()
        .filter(|v| !v.trim().is_empty())
        .unwrap_or_else(|| saved.listen.clone());
    let state = AppState::new(engine, data_dir, saved, &listen);
    app.manage(state.clone());
    if let Err(e) = tray::create(app) {
        tracing::warn!(error = %e, "no tray icon");
    }
    tray::reload_count(app, &state);
    let status = tauri::async_runtime::block_on(state.capture.start(&listen));
    if let Some(e) = &status.error {
        tracing::warn!(error = %e, "capture is not listening");
    }
    commands::app::announce(app, &status);
    // The forwarder spawns its tasks on the current runtime: enter Tauri's.
    tauri::async_runtime::block_on(async { state.start_forwarder() });
    spawn_tasks(app, &state);
}

fn spawn_tasks<R: Runtime>(app: &AppHandle<R>, state: &AppState) {
    let (notices_tx, notices_rx) = mpsc::unbounded_channel();
    tauri::async_runtime::spawn(live::forward(app.clone(), state.clone(), notices_tx));
    tauri::async_runtime::spawn(notify::run(
        state.clone(),
        notices_rx,
        desktop_notifier::DesktopNotifier::new(app.clone()),
    ));
}

/// Run the desktop app until it quits.
pub fn run() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("HOOKSCOPE_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .try_init();
    let app = builder(tauri::Builder::default())
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            tray::show_main(app);
        }))
        .plugin(tauri_plugin_window_state::Builder::default().build())
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_autostart::init(
            tauri_plugin_autostart::MacosLauncher::LaunchAgent,
            None,
        ))
        .setup(|app| {
            setup(app.handle());
            Ok(())
        })
        .build(tauri::generate_context!());
    let app = match app {
        Ok(app) => app,
        Err(e) => {
            eprintln!("hookscope-desktop: cannot start: {e}");
            std::process::exit(1);
        }
    };
    app.run(|app, event| {
        if let RunEvent::Exit = event
            && let Some(state) = app.try_state::<AppState>()
        {
            // Let the forward try in flight finish (bounded), then commit what is queued.
            if let Some(forwarder) = state.take_forwarder() {
                let stopped = tauri::async_runtime::block_on(tokio::time::timeout(
                    FORWARDER_STOP_GRACE,
                    forwarder.stop(),
                ));
                if stopped.is_err() {
                    tracing::warn!("auto-forward did not stop in time; quitting anyway");
                }
            }
            state.engine.shutdown();
        }
    });
}

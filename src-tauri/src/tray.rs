//! The tray icon: the listening URL and event count in its tooltip, and Open / Pause capture /
//! Quit. Without a tray host (e.g. a bare X server) creating it fails; that is logged and the
//! app runs without it.

use std::sync::atomic::{AtomicU64, Ordering};

use hookscope_core::store::events;
use tauri::menu::{Menu, MenuItem};
use tauri::tray::{TrayIcon, TrayIconBuilder};
use tauri::{AppHandle, Manager, Runtime};

use crate::state::AppState;

/// The tray's handles, managed by the app when the tray exists.
pub struct Tray<R: Runtime> {
    icon: TrayIcon<R>,
    pause: MenuItem<R>,
    count: AtomicU64,
}

pub fn create<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    let open = MenuItem::with_id(app, "open", "Open Hookscope", true, None::<&str>)?;
    let pause = MenuItem::with_id(app, "pause", "Pause capture", true, None::<&str>)?;
    let quit = MenuItem::with_id(app, "quit", "Quit", true, None::<&str>)?;
    let menu = Menu::with_items(app, &[&open, &pause, &quit])?;
    let mut builder = TrayIconBuilder::with_id("main")
        .menu(&menu)
        .tooltip("Hookscope")
        .on_menu_event(|app, event| match event.id().as_ref() {
            "open" => show_main(app),
            "pause" => toggle_pause(app),
            "quit" => app.exit(0),
            _ => {}
        });
    if let Some(icon) = app.default_window_icon() {
        builder = builder.icon(icon.clone());
    }
    let icon = builder.build(app)?;
    app.manage(Tray {
        icon,
        pause,
        count: AtomicU64::new(0),
    });
    Ok(())
}

pub fn show_main<R: Runtime>(app: &AppHandle<R>) {
    if let Some(w) = app.get_webview_window("main") {
        let _ = w.unminimize();
        let _ = w.show();
        let _ = w.set_focus();
    }
}

fn toggle_pause<R: Runtime>(app: &AppHandle<R>) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let Some(state) = app.try_state::<AppState>() else {
            return;
        };
        let status = if state.capture.status().paused {
            state.capture.resume().await
        } else {
            state.capture.pause().await
        };
        crate::commands::app::announce(&app, &status);
    });
}

pub fn add_to_count<R: Runtime>(app: &AppHandle<R>, n: u64) {
    if let Some(tray) = app.try_state::<Tray<R>>() {
        tray.count.fetch_add(n, Ordering::Relaxed);
    }
    refresh(app);
}

/// Re-read the count from the store (after a clear or a lag).
pub fn reload_count<R: Runtime>(app: &AppHandle<R>, state: &AppState) {
    if let (Some(tray), Ok(n)) = (
        app.try_state::<Tray<R>>(),
        state.engine.store().read(events::count),
    ) {
        tray.count.store(n, Ordering::Relaxed);
    }
    refresh(app);
}

/// Update the tooltip and the pause item from the capture status.
pub fn refresh<R: Runtime>(app: &AppHandle<R>) {
    let (Some(tray), Some(state)) = (app.try_state::<Tray<R>>(), app.try_state::<AppState>())
    else {
        return;
    };
    let status = state.capture.status();
    let count = tray.count.load(Ordering::Relaxed);
    let place = match (&status.url, status.paused) {
        (_, true) => "capture paused".to_string(),
        (Some(url), false) => url.clone(),
        (None, false) => format!("not listening on {}", status.requested),
    };
    let _ = tray
        .icon
        .set_tooltip(Some(format!("Hookscope — {place} · {count} events")));
    let label = if status.paused {
        "Resume capture"
    } else {
        "Pause capture"
    };
    let _ = tray.pause.set_text(label);
}

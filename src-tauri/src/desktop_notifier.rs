//! The real [`Notifier`]: notify-rust over D-Bus (`org.freedesktop.Notifications` on Linux).
//! `show()` blocks on the bus, so each notice gets its own thread; clicking a single-event
//! notice (where the server supports actions) shows the window on that event. Without a session
//! bus the failure is logged and capture goes on.

use tauri::{AppHandle, Emitter, Manager, Runtime};

use crate::dto::FocusEvent;
use crate::live::FOCUS_EVENT;
use crate::notify::{Notice, Notifier};

pub struct DesktopNotifier<R: Runtime> {
    app: AppHandle<R>,
}

impl<R: Runtime> DesktopNotifier<R> {
    pub fn new(app: AppHandle<R>) -> Self {
        Self { app }
    }
}

impl<R: Runtime> Notifier for DesktopNotifier<R> {
    fn show(&self, notice: Notice) {
        let app = self.app.clone();
        let spawned = std::thread::Builder::new()
            .name("notification".into())
            .spawn(move || {
                let mut n = notify_rust::Notification::new();
                n.appname("Hookscope")
                    .summary(&notice.summary)
                    .body(&notice.body);
                if notice.event_id.is_some() {
                    n.action("default", "Show");
                }
                match n.show() {
                    Ok(handle) => {
                        if let Some(id) = notice.event_id {
                            handle.wait_for_action(|action| {
                                if action == "default" {
                                    focus(&app, id);
                                }
                            });
                        }
                    }
                    Err(e) => tracing::warn!(error = %e, "notification failed"),
                }
            });
        if let Err(e) = spawned {
            tracing::warn!(error = %e, "could not start a notification thread");
        }
    }
}

fn focus<R: Runtime>(app: &AppHandle<R>, id: i64) {
    crate::tray::show_main(app);
    if let Some(w) = app.get_webview_window("main")
        && let Err(e) = w.emit(FOCUS_EVENT, FocusEvent { id })
    {
        tracing::warn!(error = %e, "could not focus the event");
    }
}

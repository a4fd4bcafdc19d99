//! The state every command and background task shares: cheap-to-clone handles only.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};

use hookscope_core::Engine;
use hookscope_core::forward::Forwarder;

use crate::capture::CaptureServer;
use crate::dto::Settings;

#[derive(Clone)]
pub struct AppState {
    pub engine: Engine,
    pub capture: Arc<CaptureServer>,
    pub settings: Arc<RwLock<Settings>>,
    pub data_dir: PathBuf,
    /// The auto-forwarder, once started (in setup, inside Tauri's async runtime).
    pub forwarder: Arc<Mutex<Option<Forwarder>>>,
}

/// Why the engine could not be opened at launch (data dir not writable, database damaged or
/// written by a newer version…). Managed instead of [`AppState`], so the window opens and says
/// so rather than the process exiting with a line on stderr nobody sees.
pub struct StartupFailure {
    pub data_dir: String,
    pub reason: String,
}

impl AppState {
    pub fn new(engine: Engine, data_dir: PathBuf, settings: Settings, listen: &str) -> Self {
        Self {
            capture: Arc::new(CaptureServer::new(engine.clone(), listen)),
            engine,
            settings: Arc::new(RwLock::new(settings)),
            data_dir,
            forwarder: Arc::default(),
        }
    }

    pub fn settings(&self) -> Settings {
        self.settings.read().map(|s| s.clone()).unwrap_or_default()
    }

    /// Start auto-forwarding; call from within Tauri's async runtime.
    pub fn start_forwarder(&self) {
        let started = hookscope_core::forward::start(&self.engine);
        if let Ok(mut slot) = self.forwarder.lock() {
            *slot = Some(started);
        }
    }

    /// Stop auto-forwarding (on exit); the caller awaits the returned forwarder's stop.
    pub fn take_forwarder(&self) -> Option<Forwarder> {
        self.forwarder.lock().ok().and_then(|mut slot| slot.take())
    }

    /// Whether this process is the one delivering forwards for its data dir.
    pub fn delivering(&self) -> bool {
        self.forwarder
            .lock()
            .is_ok_and(|slot| slot.as_ref().is_some_and(Forwarder::delivering))
    }
}

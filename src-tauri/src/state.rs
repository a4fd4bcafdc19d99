//! The state every command and background task shares: cheap-to-clone handles only.

use std::path::PathBuf;
use std::sync::{Arc, RwLock};

use hookscope_core::Engine;

use crate::capture::CaptureServer;
use crate::dto::Settings;

#[derive(Clone)]
pub struct AppState {
    pub engine: Engine,
    pub capture: Arc<CaptureServer>,
    pub settings: Arc<RwLock<Settings>>,
    pub data_dir: PathBuf,
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
        }
    }

    pub fn settings(&self) -> Settings {
        self.settings.read().map(|s| s.clone()).unwrap_or_default()
    }
}

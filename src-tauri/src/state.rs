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

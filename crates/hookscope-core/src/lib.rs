//! Hookscope's engine: the capture pipeline, the durable store, the provider catalog and
//! signatures, replay and auto-forward, import and export. No GUI and no HTTP server live here,
//! so the desktop app, the capture server and the CLI share one tested core.

pub mod body;
pub mod capture;
pub mod curl;
pub mod datadir;
pub mod error;
pub mod event_json;
pub mod export;
pub mod forward;
pub mod har;
pub mod hmac_calc;
pub mod hub;
pub mod import;
pub mod model;
pub mod providers;
pub mod replay;
pub mod respond;
pub mod signatures;
pub mod store;
pub mod triggers;

pub use capture::{Captured, Engine};
pub use error::{Error, Result};

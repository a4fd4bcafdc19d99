//! Hookscope's engine: the capture pipeline, the durable store, the provider catalog and
//! signatures. No GUI and no HTTP server live here, so the desktop app, the capture server and
//! the CLI share one tested core.

pub mod error;
pub mod hmac_calc;
pub mod model;
pub mod providers;

pub use error::{Error, Result};

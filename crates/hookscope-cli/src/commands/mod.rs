//! One module per command family; each is a thin layer over `hookscope-core`.

pub mod endpoints;
pub mod events;
pub mod replay;
pub mod serve;
pub mod signatures;

use std::path::Path;

use hookscope_core::store::{Store, StoreOptions};

/// Open the store for a one-shot command.
pub fn open_store(data: &Path) -> hookscope_core::Result<Store> {
    Store::open(data, StoreOptions::default())
}

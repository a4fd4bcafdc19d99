//! The IPC commands: thin adapters from typed requests to the core, named `<noun>_<verb>`.
//!
//! Adding a command: write it in the module of its noun, add it to `handlers!` in `lib.rs`, to
//! `commands.txt` (which grants it in the capability) and to `bindings::API`; then run
//! `make bindings` to regenerate the TypeScript.

pub mod app;
pub mod endpoints;
pub mod events;
pub mod forward;
pub mod hmac;
pub mod replay;
pub mod transfer;
pub mod trigger;

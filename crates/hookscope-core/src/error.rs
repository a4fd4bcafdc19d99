//! The engine's error type. Every variant has a stable `code` the UI and CLI switch on; the
//! message is for people.

/// Errors from the engine.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("storage failed: {0}")]
    Store(#[from] rusqlite::Error),
    #[error("storage is unavailable: {0}")]
    StoreUnavailable(String),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("{what} not found: {key}")]
    NotFound { what: &'static str, key: String },
    #[error("{0}")]
    Invalid(String),
    #[error("{0} already exists")]
    Conflict(String),
    /// A replay or forward target that is not loopback, without the user's explicit consent.
    #[error("{0}")]
    RemoteTarget(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A stable, machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Store(_) | Self::StoreUnavailable(_) => "store_failed",
            Self::Io(_) => "io",
            Self::NotFound { .. } => "not_found",
            Self::Invalid(_) => "invalid",
            Self::Conflict(_) => "conflict",
            Self::RemoteTarget(_) => "remote_target",
        }
    }

    pub fn invalid(msg: impl Into<String>) -> Self {
        Self::Invalid(msg.into())
    }
}

//! The one error type that crosses IPC: a stable `code` the UI switches on and a `message` for
//! people. Every failure a command can meet is mapped here, so none reaches the window as a
//! panic or an untyped string.

use serde::Serialize;
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ApiError {
    /// `not_found`, `invalid`, `conflict`, `store_failed`, `io`, `in_use`, `bind_failed`,
    /// `bad_key`, `bad_message`, `unknown_placeholder`, `unclosed_placeholder`, `decode_failed`,
    /// `internal`.
    pub code: String,
    pub message: String,
}

impl ApiError {
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        Self {
            code: code.to_string(),
            message: message.into(),
        }
    }

    pub fn internal(message: impl std::fmt::Display) -> Self {
        Self::new("internal", message.to_string())
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for ApiError {}

impl From<hookscope_core::Error> for ApiError {
    fn from(e: hookscope_core::Error) -> Self {
        Self::new(e.code(), e.to_string())
    }
}

impl From<hookscope_core::hmac_calc::HmacError> for ApiError {
    fn from(e: hookscope_core::hmac_calc::HmacError) -> Self {
        Self::new(e.code(), e.to_string())
    }
}

impl From<hookscope_core::body::DecodeError> for ApiError {
    fn from(e: hookscope_core::body::DecodeError) -> Self {
        Self::new("decode_failed", e.to_string())
    }
}

impl From<hookscope_server::BindError> for ApiError {
    fn from(e: hookscope_server::BindError) -> Self {
        let code = match e {
            hookscope_server::BindError::InUse { .. } => "in_use",
            hookscope_server::BindError::Other { .. } => "bind_failed",
        };
        Self::new(code, e.to_string())
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// Run blocking store work off the async workers (and never on the UI thread).
pub async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> ApiResult<T> + Send + 'static,
) -> ApiResult<T> {
    tauri::async_runtime::spawn_blocking(work)
        .await
        .map_err(ApiError::internal)?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn core_errors_keep_their_code_and_reason() {
        let e: ApiError = hookscope_core::Error::NotFound {
            what: "event",
            key: "7".into(),
        }
        .into();
        assert_eq!(e.code, "not_found");
        assert_eq!(e.message, "event not found: 7");
        let json = serde_json::to_value(&e).unwrap_or_default();
        assert_eq!(json["code"], "not_found");
    }
}

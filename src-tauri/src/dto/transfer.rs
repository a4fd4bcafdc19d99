//! What the test-event picker and export/import exchange with the backend. Paths are chosen in
//! the window (a native file dialog) and the backend reads or writes them itself: the window
//! gets no file-system access of its own.

use hookscope_core::import::{Format, ImportReport};
use hookscope_core::triggers::TemplateInfo;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::Header;

/// One test-event template (`hookscope trigger --list`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TriggerTemplate {
    pub provider: String,
    pub event: String,
    pub description: String,
}

impl From<&TemplateInfo> for TriggerTemplate {
    fn from(t: &TemplateInfo) -> Self {
        Self {
            provider: t.provider.to_string(),
            event: t.event.to_string(),
            description: t.description.to_string(),
        }
    }
}

/// Capture a test event on an endpoint, as if the provider had sent it.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct TriggerCaptureReq {
    pub provider: String,
    pub event: String,
    pub endpoint: String,
    /// Sign with this secret instead of the endpoint's first one.
    #[serde(default)]
    pub secret: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TriggerCaptureRes {
    #[ts(type = "number")]
    pub id: i64,
    pub endpoint: String,
    /// False when there was no secret to sign with.
    pub signed: bool,
    /// What the endpoint's response rule answered.
    pub response_status: u16,
}

/// Send a test event to a handler.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct TriggerSendReq {
    pub provider: String,
    pub event: String,
    pub url: String,
    /// Sign with this endpoint's first secret (secrets never travel to the window).
    #[serde(default)]
    pub endpoint: Option<String>,
    /// Sign with this secret (wins over `endpoint`).
    #[serde(default)]
    pub secret: Option<String>,
    /// Send to a host other than loopback; refused with `remote_target` otherwise.
    #[serde(default)]
    pub allow_remote: bool,
    #[serde(default)]
    pub timeout_ms: Option<u32>,
}

/// The handler's answer, or why there is none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TriggerSendRes {
    pub url: String,
    pub signed: bool,
    pub status: Option<u16>,
    pub headers: Vec<Header>,
    /// The answer's body as text (invalid UTF-8 replaced), its first 64 KiB.
    pub body: String,
    #[ts(type = "number")]
    pub body_size: u64,
    pub body_truncated: bool,
    #[ts(type = "number")]
    pub latency_ms: u64,
    /// In words, when the target did not answer.
    pub error: Option<String>,
}

/// How much of a handler's answer the window shows.
pub const ANSWER_PREVIEW: usize = 64 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum TransferFormat {
    Har,
    Ndjson,
}

impl From<Format> for TransferFormat {
    fn from(f: Format) -> Self {
        match f {
            Format::Har => Self::Har,
            Format::Ndjson => Self::Ndjson,
        }
    }
}

/// Export events, oldest first, to a file the user picks in the save dialog the backend opens.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(optional_fields)]
pub struct EventExportReq {
    /// The file name the dialog suggests.
    pub file_name: String,
    pub format: TransferFormat,
    /// Only this endpoint's events; all when unset.
    #[serde(default)]
    pub endpoint: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct EventExportRes {
    pub path: String,
    pub file_name: String,
    #[ts(type = "number")]
    pub count: u64,
    #[ts(type = "number")]
    pub bytes: u64,
}

/// What an import brought in. A refused file is the error `import_refused`, whose message
/// names the line (NDJSON) or entry (HAR) and the reason; nothing is imported then.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct EventImportRes {
    pub file_name: String,
    pub format: TransferFormat,
    #[ts(type = "number")]
    pub imported: u64,
    /// Ids the events got, in file order.
    #[ts(type = "Array<number>")]
    pub ids: Vec<i64>,
    /// Endpoints the file named that did not exist and were created.
    pub created_endpoints: Vec<String>,
}

impl EventImportRes {
    pub fn new(file_name: String, r: ImportReport) -> Self {
        Self {
            file_name,
            format: r.format.into(),
            imported: r.imported,
            ids: r.ids,
            created_endpoints: r.created_endpoints,
        }
    }
}

//! Export to and import from a file the user picks in a native dialog: HAR or Hookscope NDJSON,
//! by endpoint or all. The backend opens the dialog and reads or writes the path itself, so the
//! window gets no dialog or file-system permission and cannot name a path of its own.
//!
//! An export is written beside its destination and renamed into place, so a failed export never
//! leaves a half-written file where the user asked for one. An import is all or nothing (the
//! core parses the whole file first); a refusal is `import_refused` with the line and reason.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use hookscope_core::export::{self, ExportFormat};
use hookscope_core::import;
use hookscope_core::store::events::Filter;
use tauri::{AppHandle, Manager, Runtime, State};
use tauri_plugin_dialog::DialogExt;
use tokio::sync::oneshot;

use crate::dto::{EventExportReq, EventExportRes, EventImportRes, TransferFormat};
use crate::error::{ApiError, ApiResult, blocking};
use crate::state::AppState;

/// The largest file an import reads: the core parses it whole, in memory.
pub const MAX_IMPORT_BYTES: u64 = 512 * 1024 * 1024;

/// Answers for the file dialogs without opening them. WebDriver cannot drive a native dialog:
/// debug builds started with `HOOKSCOPE_TEST_SAVE_PATH` / `HOOKSCOPE_TEST_OPEN_PATH` (the e2e)
/// and the IPC tests manage one; release builds never do, so there every path is the user's.
#[derive(Debug, Default)]
pub struct PresetPaths {
    pub save: Mutex<Option<PathBuf>>,
    pub open: Mutex<Option<PathBuf>>,
}

#[cfg(debug_assertions)]
pub const TEST_SAVE_PATH_ENV: &str = "HOOKSCOPE_TEST_SAVE_PATH";
#[cfg(debug_assertions)]
pub const TEST_OPEN_PATH_ENV: &str = "HOOKSCOPE_TEST_OPEN_PATH";

impl PresetPaths {
    /// From the test variables; `None` (real dialogs) unless one is set.
    #[cfg(debug_assertions)]
    pub fn from_env() -> Option<Self> {
        let var = |name| {
            std::env::var_os(name)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        let (save, open) = (var(TEST_SAVE_PATH_ENV), var(TEST_OPEN_PATH_ENV));
        (save.is_some() || open.is_some()).then(|| Self {
            save: Mutex::new(save),
            open: Mutex::new(open),
        })
    }
}

enum Ask {
    Save {
        title: String,
        file_name: String,
        format: TransferFormat,
    },
    Open,
}

/// The path the user picked, `None` when they cancelled.
async fn ask<R: Runtime>(app: &AppHandle<R>, what: Ask) -> ApiResult<Option<PathBuf>> {
    if let Some(preset) = app.try_state::<PresetPaths>() {
        let slot = match what {
            Ask::Save { .. } => &preset.save,
            Ask::Open => &preset.open,
        };
        let path = slot.lock().map_err(ApiError::internal)?.clone();
        return Ok(path);
    }
    let (tx, rx) = oneshot::channel();
    let done = move |picked: Option<tauri_plugin_dialog::FilePath>| {
        let _ = tx.send(picked.map(|p| p.into_path()));
    };
    let dialog = app.dialog().file();
    match what {
        Ask::Save {
            title,
            file_name,
            format,
        } => {
            let (name, ext) = match format {
                TransferFormat::Har => ("HAR", "har"),
                TransferFormat::Ndjson => ("NDJSON", "ndjson"),
            };
            dialog
                .set_title(title)
                .set_file_name(file_name)
                .add_filter(name, &[ext])
                .save_file(done);
        }
        Ask::Open => dialog
            .set_title("Import events (HAR or Hookscope NDJSON)")
            .add_filter(
                "HAR or Hookscope NDJSON",
                &["har", "ndjson", "json", "jsonl"],
            )
            .add_filter("All files", &["*"])
            .pick_file(done),
    }
    match rx.await {
        Ok(Some(Ok(path))) => Ok(Some(path)),
        Ok(Some(Err(e))) => Err(ApiError::new(
            "invalid",
            format!("the dialog answered a location that is not a file path: {e}"),
        )),
        Ok(None) | Err(_) => Ok(None),
    }
}

/// Ask where (a save dialog) and export there; `None` when the user cancelled.
#[tauri::command]
pub async fn event_export<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    req: EventExportReq,
) -> ApiResult<Option<EventExportRes>> {
    let title = match req
        .endpoint
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(slug) => format!("Export {slug}'s events"),
        None => "Export all events".to_string(),
    };
    let asked = Ask::Save {
        title,
        file_name: req.file_name.clone(),
        format: req.format,
    };
    let Some(path) = ask(&app, asked).await? else {
        return Ok(None);
    };
    let store = state.engine.store().clone();
    blocking(move || export_to(&store, &absolute(&path)?, &req).map(Some)).await
}

fn export_to(
    store: &hookscope_core::store::Store,
    path: &Path,
    req: &EventExportReq,
) -> ApiResult<EventExportRes> {
    let filter = Filter {
        endpoint: req
            .endpoint
            .as_deref()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty()),
        ..Filter::default()
    };
    let format = match req.format {
        TransferFormat::Har => ExportFormat::Har,
        TransferFormat::Ndjson => ExportFormat::Ndjson,
    };
    let part = part_path(path);
    let written = (|| {
        let mut sink = BufWriter::new(File::create(&part)?);
        let count = export::export(store, &filter, format, &mut sink)?;
        sink.flush()?;
        sink.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        std::fs::rename(&part, path)?;
        Ok::<_, hookscope_core::Error>(count)
    })();
    let count = written.map_err(|e| {
        let _ = std::fs::remove_file(&part);
        ApiError::new(
            e.code(),
            format!("could not export to {}: {e}", path.display()),
        )
    })?;
    let bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    Ok(EventExportRes {
        file_name: file_name(path),
        path: path.display().to_string(),
        count,
        bytes,
    })
}

/// Ask which file (an open dialog) and import it; `None` when the user cancelled.
#[tauri::command]
pub async fn event_import<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> ApiResult<Option<EventImportRes>> {
    let Some(path) = ask(&app, Ask::Open).await? else {
        return Ok(None);
    };
    let engine = state.engine.clone();
    blocking(move || {
        let path = absolute(&path)?;
        let name = file_name(&path);
        let read_err = |e: std::io::Error| {
            ApiError::new("io", format!("could not read {}: {e}", path.display()))
        };
        let size = std::fs::metadata(&path).map_err(read_err)?.len();
        if size > MAX_IMPORT_BYTES {
            return Err(ApiError::new(
                "import_refused",
                format!(
                    "{name}: {size} bytes is more than an import reads ({MAX_IMPORT_BYTES}); \
                     split it, or import it with `hookscope import`"
                ),
            ));
        }
        let content = std::fs::read(&path).map_err(read_err)?;
        let report =
            import::import_file(engine.store(), engine.hub(), &content).map_err(|e| match e {
                hookscope_core::Error::Invalid(why) => {
                    ApiError::new("import_refused", format!("{name}: {why}"))
                }
                other => other.into(),
            })?;
        Ok(Some(EventImportRes::new(name, report)))
    })
    .await
}

/// Dialogs answer absolute paths; a relative preset would land wherever the app was started.
fn absolute(path: &Path) -> ApiResult<PathBuf> {
    let path = path.to_path_buf();
    if path.as_os_str().is_empty() || !path.is_absolute() {
        return Err(ApiError::new(
            "invalid",
            format!(
                "{:?} is not an absolute file path",
                path.display().to_string()
            ),
        ));
    }
    Ok(path)
}

/// A hidden sibling of the destination (same directory, so the rename cannot cross devices).
fn part_path(path: &Path) -> PathBuf {
    let mut name = std::ffi::OsString::from(".");
    name.push(path.file_name().unwrap_or_default());
    name.push(".part");
    path.with_file_name(name)
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

//! Export to and import from a file the user chose in a dialog: HAR or Hookscope NDJSON, by
//! endpoint or all. The backend reads and writes the path itself, so the window needs no
//! file-system permission.
//!
//! An export is written beside its destination and renamed into place, so a failed export never
//! leaves a half-written file where the user asked for one. An import is all or nothing (the
//! core parses the whole file first); a refusal is `import_refused` with the line and reason.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use hookscope_core::export::{self, ExportFormat};
use hookscope_core::import;
use hookscope_core::store::events::Filter;
use tauri::State;

use crate::dto::{EventExportReq, EventExportRes, EventImportReq, EventImportRes, TransferFormat};
use crate::error::{ApiError, ApiResult, blocking};
use crate::state::AppState;

#[tauri::command]
pub async fn event_export(
    state: State<'_, AppState>,
    req: EventExportReq,
) -> ApiResult<EventExportRes> {
    let store = state.engine.store().clone();
    blocking(move || {
        let path = absolute(&req.path)?;
        let filter = Filter {
            endpoint: req
                .endpoint
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty()),
            ..Filter::default()
        };
        let format = match req.format {
            TransferFormat::Har => ExportFormat::Har,
            TransferFormat::Ndjson => ExportFormat::Ndjson,
        };
        let part = part_path(&path);
        let written = (|| {
            let mut sink = BufWriter::new(File::create(&part)?);
            let count = export::export(&store, &filter, format, &mut sink)?;
            sink.flush()?;
            sink.into_inner().map_err(|e| e.into_error())?.sync_all()?;
            std::fs::rename(&part, &path)?;
            Ok::<_, hookscope_core::Error>(count)
        })();
        let count = written.map_err(|e| {
            let _ = std::fs::remove_file(&part);
            ApiError::new(
                e.code(),
                format!("could not export to {}: {e}", path.display()),
            )
        })?;
        let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        Ok(EventExportRes {
            file_name: file_name(&path),
            path: path.display().to_string(),
            count,
            bytes,
        })
    })
    .await
}

#[tauri::command]
pub async fn event_import(
    state: State<'_, AppState>,
    req: EventImportReq,
) -> ApiResult<EventImportRes> {
    let engine = state.engine.clone();
    blocking(move || {
        let path = absolute(&req.path)?;
        let content = std::fs::read(&path)
            .map_err(|e| ApiError::new("io", format!("could not read {}: {e}", path.display())))?;
        let report =
            import::import_file(engine.store(), engine.hub(), &content).map_err(|e| match e {
                hookscope_core::Error::Invalid(why) => ApiError::new("import_refused", why),
                other => other.into(),
            })?;
        Ok(EventImportRes::new(file_name(&path), report))
    })
    .await
}

/// Dialogs answer absolute paths; a relative one would land wherever the app was started.
fn absolute(path: &str) -> ApiResult<PathBuf> {
    let path = PathBuf::from(path.trim());
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

//! Export events, oldest first, as Hookscope NDJSON (one event JSON per line, the documented
//! contract; `import` reads it back) or as a HAR 1.2 document. Both stream page by page, so an
//! export of 100k events never holds them all in memory.

use std::io::Write;

use serde::Serialize;

use crate::event_json::EventJson;
use crate::model::Event;
use crate::store::Store;
use crate::store::events::{self, Filter, Page};
use crate::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    Ndjson,
    Har,
}

const PAGE: usize = 500;

/// Write every event matching `filter` to `sink`; returns how many.
pub fn export(
    store: &Store,
    filter: &Filter,
    format: ExportFormat,
    sink: &mut dyn Write,
) -> Result<u64> {
    if format == ExportFormat::Har {
        sink.write_all(crate::har::document_start().as_bytes())?;
    }
    let mut count = 0;
    each_event(store, filter, |event| {
        match format {
            ExportFormat::Ndjson => {
                serde_json::to_writer(&mut *sink, &EventJson::from(event)).map_err(json_error)?;
                sink.write_all(b"\n")?;
            }
            ExportFormat::Har => {
                if count > 0 {
                    sink.write_all(b",")?;
                }
                serde_json::to_writer(&mut *sink, &crate::har::entry(event)).map_err(json_error)?;
            }
        }
        count += 1;
        Ok(())
    })?;
    if format == ExportFormat::Har {
        sink.write_all(crate::har::DOCUMENT_END.as_bytes())?;
    }
    Ok(count)
}

fn json_error(e: serde_json::Error) -> Error {
    match e.io_error_kind() {
        Some(kind) => Error::Io(std::io::Error::new(kind, e)),
        None => Error::invalid(e.to_string()),
    }
}

/// Call `f` with each matching event, oldest first.
fn each_event(
    store: &Store,
    filter: &Filter,
    mut f: impl FnMut(&Event) -> Result<()>,
) -> Result<()> {
    let mut after = 0;
    loop {
        let page = store.read(|c| events::list(c, filter, Page::OldestAfter(after), PAGE))?;
        let Some(last) = page.last() else {
            return Ok(());
        };
        after = last.id;
        for s in &page {
            let event = store.read(|c| events::get(c, s.id))?;
            f(&event)?;
        }
    }
}

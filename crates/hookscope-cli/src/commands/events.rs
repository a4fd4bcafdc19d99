//! `hookscope list|show|tail|export|import|clear|retention`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use hookscope_core::curl::{self, CurlBody};
use hookscope_core::event_json::{EventJson, SummaryJson};
use hookscope_core::export::{self, ExportFormat};
use hookscope_core::hub::Hub;
use hookscope_core::import;
use hookscope_core::store::events::{self, Filter, Page};
use hookscope_core::store::{endpoints, settings};

use super::open_store;
use crate::{Result, output};

#[derive(clap::Args)]
pub struct FilterArgs {
    /// Only this endpoint's events.
    #[arg(long, value_name = "SLUG")]
    endpoint: Option<String>,
    /// Substring search over path, headers and text bodies (all words must match).
    #[arg(long, value_name = "TEXT")]
    search: Option<String>,
    /// Only this HTTP method.
    #[arg(long)]
    method: Option<String>,
    /// Only this provider.
    #[arg(long)]
    provider: Option<String>,
    /// Only this signature status (valid, invalid, stale, missing, no_secret, unsupported).
    #[arg(long, value_name = "STATUS")]
    signature: Option<String>,
}

impl FilterArgs {
    fn filter(&self) -> Filter {
        Filter {
            endpoint: self.endpoint.clone(),
            method: self.method.clone(),
            provider: self.provider.clone(),
            signature_status: self.signature.clone(),
            search: self.search.clone(),
        }
    }
}

#[derive(clap::Args)]
pub struct ListArgs {
    #[command(flatten)]
    filter: FilterArgs,
    /// How many events to list.
    #[arg(long, default_value_t = 50)]
    limit: usize,
    /// List events older than this id (the next page).
    #[arg(long, value_name = "ID")]
    before: Option<i64>,
    /// A JSON array of summaries.
    #[arg(long)]
    json: bool,
}

pub fn list(data: &Path, args: ListArgs) -> Result<ExitCode> {
    let store = open_store(data)?;
    let filter = args.filter.filter();
    let list =
        store.read(|c| events::list(c, &filter, Page::NewestBefore(args.before), args.limit))?;
    if args.json {
        let out: Vec<SummaryJson> = list.iter().map(SummaryJson::from).collect();
        outln!("{}", serde_json::to_string_pretty(&out)?);
    } else if list.is_empty() {
        eprintln!("No events.");
    } else {
        let mut out = std::io::stdout().lock();
        for s in &list {
            writeln!(out, "{}", output::summary_line(s))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(clap::Args)]
pub struct ShowArgs {
    id: i64,
    /// The event JSON (the documented contract); same as `--format json`.
    #[arg(long, conflicts_with = "format")]
    json: bool,
    /// How to show it: `text`, `json`, or `curl` (a command that reproduces the request).
    #[arg(long, value_parser = ["text", "json", "curl"])]
    format: Option<String>,
    /// With `--format curl`: send to this URL (the path after the slug and the query appended)
    /// instead of the original one.
    #[arg(long = "to", value_name = "URL", requires = "format")]
    to: Option<String>,
    /// With `--format curl`: write the body to FILE and have curl read it (`--data-binary @FILE`).
    #[arg(long, value_name = "FILE", requires = "format")]
    body_out: Option<PathBuf>,
}

pub fn show(data: &Path, args: ShowArgs) -> Result<ExitCode> {
    let store = open_store(data)?;
    let event = store.read(|c| events::get(c, args.id))?;
    let format = match (&args.format, args.json) {
        (Some(f), _) => f.as_str(),
        (None, true) => "json",
        (None, false) => "text",
    };
    match format {
        "json" => outln!(
            "{}",
            serde_json::to_string_pretty(&EventJson::from(&event))?
        ),
        "curl" => {
            let endpoint = store.read(|c| endpoints::get(c, &event.summary.endpoint))?;
            let file = args
                .body_out
                .as_ref()
                .map(|p| p.to_string_lossy().into_owned());
            if let Some(path) = &args.body_out {
                std::fs::write(path, &event.body)
                    .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            }
            let body = match &file {
                Some(f) => CurlBody::File(f),
                None => CurlBody::Inline,
            };
            outln!(
                "{}",
                curl::curl_command(&event, &endpoint, args.to.as_deref(), body)?
            );
        }
        _ => out!("{}", output::event_text(&event)),
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(clap::Args)]
pub struct TailArgs {
    #[command(flatten)]
    filter: FilterArgs,
    /// One event JSON per line.
    #[arg(long)]
    json: bool,
}

/// Follow the store rather than a hub: that sees events captured by any process on the data dir.
pub fn tail(data: &Path, args: TailArgs) -> Result<ExitCode> {
    const POLL: Duration = Duration::from_millis(200);
    let store = open_store(data)?;
    let filter = args.filter.filter();
    let mut last = store.read(events::max_id)?;
    eprintln!(
        "Following new events in {} (Ctrl-C to stop)…",
        data.display()
    );
    let mut out = std::io::stdout();
    loop {
        let batch = store.read(|c| events::list(c, &filter, Page::OldestAfter(last), 500))?;
        for s in &batch {
            if args.json {
                let event = store.read(|c| events::get(c, s.id))?;
                writeln!(out, "{}", serde_json::to_string(&EventJson::from(&event))?)?;
            } else {
                writeln!(out, "{}", output::summary_line(s))?;
            }
            last = s.id;
        }
        out.flush()?;
        if batch.is_empty() {
            std::thread::sleep(POLL);
        }
    }
}

#[derive(clap::Args)]
pub struct ExportArgs {
    /// `ndjson` (one event JSON per line; `import` reads it back) or `har` (HAR 1.2).
    #[arg(long, default_value = "ndjson", value_parser = ["ndjson", "har"])]
    format: String,
    /// Write to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Only this endpoint's events.
    #[arg(long, value_name = "SLUG")]
    endpoint: Option<String>,
}

pub fn export(data: &Path, args: ExportArgs) -> Result<ExitCode> {
    let store = open_store(data)?;
    let mut sink: Box<dyn Write> = match &args.out {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    let filter = Filter {
        endpoint: args.endpoint.clone(),
        ..Default::default()
    };
    let format = if args.format == "har" {
        ExportFormat::Har
    } else {
        ExportFormat::Ndjson
    };
    let count = export::export(&store, &filter, format, &mut sink)?;
    sink.flush()?;
    if let Some(path) = &args.out {
        eprintln!("Exported {count} events to {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(clap::Args)]
pub struct ImportArgs {
    /// A HAR file or Hookscope NDJSON export (detected; `-`: standard input).
    file: PathBuf,
    /// The report as JSON.
    #[arg(long)]
    json: bool,
}

pub fn import(data: &Path, args: ImportArgs) -> Result<ExitCode> {
    let content = if args.file == Path::new("-") {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut buf)?;
        buf
    } else {
        std::fs::read(&args.file)
            .map_err(|e| format!("cannot read {}: {e}", args.file.display()))?
    };
    let store = open_store(data)?;
    let report = import::import_file(&store, &Hub::default(), &content)
        .map_err(|e| format!("{}: nothing imported: {e}", args.file.display()))?;
    if args.json {
        outln!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        let format = match report.format {
            import::Format::Har => "HAR",
            import::Format::Ndjson => "NDJSON",
        };
        outln!("Imported {} events from {format}", report.imported);
        if !report.created_endpoints.is_empty() {
            outln!("Created endpoints: {}", report.created_endpoints.join(", "));
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(clap::Args)]
pub struct ClearArgs {
    /// Only this endpoint's events.
    #[arg(long, value_name = "SLUG")]
    endpoint: Option<String>,
    /// Confirm: deleting events cannot be undone.
    #[arg(long)]
    yes: bool,
}

pub fn clear(data: &Path, args: ClearArgs) -> Result<ExitCode> {
    if !args.yes {
        return Err("this deletes captured events for good; add --yes to confirm".into());
    }
    let store = open_store(data)?;
    let n = store.write(|tx| events::clear(tx, args.endpoint.as_deref()))?;
    outln!("Deleted {n} events");
    Ok(ExitCode::SUCCESS)
}

#[derive(clap::Args)]
pub struct RetentionArgs {
    /// Keep at most N events (`none`: no limit).
    #[arg(long, value_name = "N|none", value_parser = limit)]
    max_events: Option<Option<u64>>,
    /// Delete events older than D days (`none`: no limit).
    #[arg(long, value_name = "D|none", value_parser = limit)]
    max_age_days: Option<Option<u64>>,
}

fn limit(v: &str) -> std::result::Result<Option<u64>, String> {
    match v {
        "none" => Ok(None),
        n => n
            .parse::<u64>()
            .map(Some)
            .map_err(|_| format!("expected a number or none, got {v:?}")),
    }
}

pub fn retention(data: &Path, args: RetentionArgs) -> Result<ExitCode> {
    let store = open_store(data)?;
    let mut r = store.read(settings::retention)?;
    if args.max_events.is_some() || args.max_age_days.is_some() {
        r.max_events = args.max_events.unwrap_or(r.max_events);
        r.max_age_days = args.max_age_days.unwrap_or(r.max_age_days);
        let deleted = store.write(|tx| {
            settings::set_retention(tx, r)?;
            events::prune_now(tx)
        })?;
        if deleted > 0 {
            outln!("Deleted {deleted} events outside the new retention");
        }
    }
    let show = |v: Option<u64>| v.map_or("no limit".to_string(), |v| v.to_string());
    outln!(
        "max events: {}\nmax age (days): {}",
        show(r.max_events),
        show(r.max_age_days)
    );
    Ok(ExitCode::SUCCESS)
}

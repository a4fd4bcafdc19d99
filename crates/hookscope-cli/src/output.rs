//! How events look in a terminal: one line per event in lists, a readable page for `show`.

use std::fmt::Write as _;

use hookscope_core::body;
use hookscope_core::event_json::rfc3339_us;
use hookscope_core::model::{Event, EventSummary};

/// Bodies larger than this are cut in `show` (the JSON and export keep everything).
const SHOW_CAP: usize = 64 * 1024;

pub fn summary_line(s: &EventSummary) -> String {
    let mut line = format!(
        "#{:<6} {}  {:<7} {}{}  [{}] {} {}B",
        s.id,
        rfc3339_us(s.received_at_us),
        s.method,
        s.path,
        if s.query.is_empty() {
            String::new()
        } else {
            format!("?{}", s.query)
        },
        s.endpoint,
        s.response_status,
        s.body_size
    );
    if let Some(p) = &s.provider {
        let _ = write!(line, "  {p}");
        if let Some(t) = &s.event_type {
            let _ = write!(line, " {t}");
        }
    }
    if let Some(sig) = &s.signature_status {
        let _ = write!(line, "  sig:{sig}");
    }
    if let Some(d) = s.duplicate_of {
        let _ = write!(line, "  duplicate of #{d}");
    }
    if let Some(r) = &s.rejected {
        let _ = write!(line, "  REJECTED ({r})");
    }
    line
}

pub fn event_text(ev: &Event) -> String {
    let s = &ev.summary;
    let mut out = String::new();
    let query = if s.query.is_empty() {
        String::new()
    } else {
        format!("?{}", s.query)
    };
    let _ = writeln!(
        out,
        "#{} {} {}{} {}",
        s.id, s.method, s.path, query, ev.http_version
    );
    let _ = writeln!(out, "endpoint   {}", s.endpoint);
    let _ = writeln!(out, "received   {}", rfc3339_us(s.received_at_us));
    if let Some(addr) = &ev.remote_addr {
        let _ = writeln!(out, "from       {addr}");
    }
    let _ = writeln!(out, "answered   {}", s.response_status);
    if let Some(p) = &s.provider {
        let _ = writeln!(
            out,
            "provider   {p}  event: {}  id: {}",
            s.event_type.as_deref().unwrap_or("-"),
            s.event_id.as_deref().unwrap_or("-")
        );
    }
    if let Some(sig) = &ev.signature {
        let status = sig.get("status").and_then(|v| v.as_str()).unwrap_or("?");
        let reason = sig.get("reason").and_then(|v| v.as_str()).unwrap_or("");
        let _ = writeln!(out, "signature  {status}: {reason}");
    }
    if let Some(d) = s.duplicate_of {
        let _ = writeln!(
            out,
            "duplicate  of #{d} (same provider event id: a redelivery)"
        );
    }
    if let Some(r) = &ev.rejection {
        let declared = r
            .declared_size
            .map(|d| format!(", {d} bytes declared"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "rejected   {} (limit {} bytes{declared}); body not kept",
            r.reason, r.limit
        );
    }
    let _ = writeln!(out, "\nheaders");
    for h in &ev.headers {
        let _ = writeln!(out, "  {}: {}", h.name, h.value_lossy());
    }
    let _ = writeln!(
        out,
        "\nbody ({} bytes{})",
        ev.body.len(),
        s.content_type
            .as_deref()
            .map(|c| format!(", {c}"))
            .unwrap_or_default()
    );
    out.push_str(&body_text(ev));
    out
}

/// The body for a terminal: decoded if compressed, pretty JSON, text as is, binary as a hex dump.
fn body_text(ev: &Event) -> String {
    if ev.body.is_empty() {
        return "(empty)\n".into();
    }
    let encoding = ev
        .headers
        .iter()
        .find(|h| h.name == "content-encoding")
        .map(|h| h.value_lossy());
    let (bytes, note) = match body::decode(encoding.as_deref(), &ev.body, SHOW_CAP) {
        Ok(d) if d.undone.is_empty() => (
            d.bytes,
            if d.truncated {
                "(cut at 64 KiB)\n".to_string()
            } else {
                String::new()
            },
        ),
        Ok(d) => {
            let cut = if d.truncated { ", cut at 64 KiB" } else { "" };
            let note = format!(
                "(decoded from {}{cut}; stored as sent)\n",
                d.undone.join(", ")
            );
            (d.bytes, note)
        }
        Err(e) => (
            ev.body.iter().copied().take(SHOW_CAP).collect(),
            format!("(could not decode: {e})\n"),
        ),
    };
    let text = match std::str::from_utf8(&bytes) {
        Ok(text) => match serde_json::from_str::<serde_json::Value>(text) {
            Ok(json) => serde_json::to_string_pretty(&json).unwrap_or_else(|_| text.to_string()),
            Err(_) => text.to_string(),
        },
        Err(_) => hex_dump(&bytes),
    };
    format!("{note}{text}\n")
}

fn hex_dump(bytes: &[u8]) -> String {
    let mut out = String::new();
    for (i, chunk) in bytes.chunks(16).enumerate() {
        let hex: Vec<String> = chunk.iter().map(|b| format!("{b:02x}")).collect();
        let ascii: String = chunk
            .iter()
            .map(|&b| {
                if b.is_ascii_graphic() || b == b' ' {
                    b as char
                } else {
                    '.'
                }
            })
            .collect();
        let _ = writeln!(out, "{:08x}  {:<47}  {ascii}", i * 16, hex.join(" "));
    }
    out
}

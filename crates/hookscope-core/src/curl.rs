//! "Copy as cURL": a shell command that reproduces a stored request exactly — every header as
//! captured (minus hop-by-hop ones, `Host` and `Content-Length`, which curl sets for the URL),
//! none of curl's own defaults added (`User-Agent`, `Accept`, `Content-Type`, `Expect` are
//! suppressed when the request had none), the path as is, and the body's exact bytes: quoted
//! text, `$'…'` for other bytes, a `printf … |` pipe when they include NUL (which shells cannot
//! hold in an argument), `--data-raw` when they start with `@`, or `@FILE` when the caller wrote
//! the body to a file.
//!
//! The quoting targets bash and zsh (`$'…'` is not POSIX sh).

use std::fmt::Write as _;

use crate::model::{Endpoint, Event};
use crate::replay::{self, target};
use crate::{Error, Result};

/// Where the body goes in the command.
#[derive(Debug, Clone, Copy)]
pub enum CurlBody<'a> {
    /// In the command itself.
    Inline,
    /// Read by curl from this file (the caller writes the body there).
    File(&'a str),
}

/// The URL the request was sent to, rebuilt from its `Host` header.
pub fn original_url(event: &Event) -> String {
    let host = event
        .headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case("host"))
        .map_or_else(|| "localhost".to_string(), |h| h.value_lossy());
    let s = &event.summary;
    let query = if s.query.is_empty() {
        String::new()
    } else {
        format!("?{}", s.query)
    };
    format!("http://{host}{}{query}", s.path)
}

/// The command for `event`, sent to `to` (joined like a replay: the path after the slug and the
/// query appended) or, without `to`, to its original URL.
pub fn curl_command(
    event: &Event,
    endpoint: &Endpoint,
    to: Option<&str>,
    body: CurlBody<'_>,
) -> Result<String> {
    if event.rejection.is_some() {
        return Err(Error::invalid(format!(
            "event #{}'s body was not kept, so no command can reproduce it",
            event.summary.id
        )));
    }
    let url = match to {
        Some(t) => target::join(
            t,
            target::path_after_slug(&endpoint.slug, &event.summary.path),
            &event.summary.query,
        )?,
        None => original_url(event),
    };
    let mut cmd = String::new();
    let inline_nul = matches!(body, CurlBody::Inline) && event.body.contains(&0);
    if inline_nul {
        let _ = write!(cmd, "printf {} | ", printf_format(&event.body));
    }
    cmd.push_str("curl --silent --show-error --globoff --path-as-is");
    if event.summary.method == "HEAD" {
        cmd.push_str(" --head");
    } else {
        let _ = write!(cmd, " -X {}", quote(event.summary.method.as_bytes()));
    }
    let _ = write!(cmd, " {}", quote(url.as_bytes()));
    let listed: Vec<String> = event
        .headers
        .iter()
        .filter(|h| h.name.eq_ignore_ascii_case("connection"))
        .flat_map(|h| {
            h.value_lossy()
                .split(',')
                .map(|t| t.trim().to_ascii_lowercase())
                .collect::<Vec<_>>()
        })
        .collect();
    for h in &event.headers {
        if replay::is_dropped(&h.name, &listed) {
            continue;
        }
        let mut arg = h.name.clone().into_bytes();
        if h.value.is_empty() {
            // `Name;` is curl's way of sending a header with an empty value.
            arg.push(b';');
        } else {
            arg.extend_from_slice(b": ");
            arg.extend_from_slice(&h.value);
        }
        let _ = write!(cmd, " \\\n  -H {}", quote(&arg));
    }
    let has = |name: &str| {
        event
            .headers
            .iter()
            .any(|h| h.name.eq_ignore_ascii_case(name))
    };
    let mut suppress = vec!["User-Agent", "Accept"];
    if !event.body.is_empty() {
        suppress.extend(["Content-Type", "Expect"]);
    }
    for name in suppress {
        if !has(name) {
            let _ = write!(cmd, " \\\n  -H {}", quote(format!("{name}:").as_bytes()));
        }
    }
    if !event.body.is_empty() {
        let data = match body {
            CurlBody::File(path) => {
                format!("--data-binary {}", quote(format!("@{path}").as_bytes()))
            }
            CurlBody::Inline if inline_nul => "--data-binary @-".to_string(),
            // `--data-binary @…` would read a file; `--data-raw` takes a leading `@` literally.
            CurlBody::Inline if event.body.starts_with(b"@") => {
                format!("--data-raw {}", quote(&event.body))
            }
            CurlBody::Inline => format!("--data-binary {}", quote(&event.body)),
        };
        let _ = write!(cmd, " \\\n  {data}");
    }
    Ok(cmd)
}

/// Single quotes for plain text, `$'…'` for anything else.
fn quote(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) if !text.chars().any(char::is_control) => {
            format!("'{}'", text.replace('\'', r"'\''"))
        }
        _ => ansi_c(bytes),
    }
}

/// Bash/zsh ANSI-C quoting: printable ASCII as is, every other byte as `\xHH`.
fn ansi_c(bytes: &[u8]) -> String {
    let mut out = String::from("$'");
    for &b in bytes {
        match b {
            b'\\' => out.push_str(r"\\"),
            b'\'' => out.push_str(r"\'"),
            0x20..=0x7e => out.push(b as char),
            _ => {
                let _ = write!(out, "\\x{b:02x}");
            }
        }
    }
    out.push('\'');
    out
}

/// A `printf` format that prints `bytes` exactly (octal escapes are POSIX).
fn printf_format(bytes: &[u8]) -> String {
    let mut out = String::from("'");
    for &b in bytes {
        match b {
            b'%' => out.push_str("%%"),
            b'\\' => out.push_str(r"\\"),
            b'\'' => out.push_str(r"'\''"),
            0x20..=0x7e => out.push(b as char),
            _ => {
                let _ = write!(out, "\\{b:03o}");
            }
        }
    }
    out.push('\'');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_text_and_escapes_bytes() {
        assert_eq!(quote(b"it's"), r"'it'\''s'");
        assert_eq!(quote(b"a\nb\xff"), r"$'a\x0ab\xff'");
        assert_eq!(ansi_c(b"@x'\\"), r"$'@x\'\\'");
        assert_eq!(printf_format(b"%\x00'"), r"'%%\000'\'''");
    }
}

//! Building blocks shared by the provider modules: HMAC, encodings, constant-time comparison,
//! timestamp tolerance, and the diagnosis search that tries the known mistakes.
//!
//! The diagnosis works the same way for every symmetric scheme: the provider module supplies a
//! `check(key, body) -> bool` closure that rebuilds its signed string from those bytes and
//! compares it with what the request carried; [`diagnose`] calls it with the variants people get
//! wrong (secret encodings, re-serialised bodies) and reports the ones that make it match.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use hmac::{KeyInit, Mac};
use subtle::ConstantTimeEq;

use std::borrow::Cow;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::{Diagnosis, EventMeta, Inbound, SignError, SignatureReport, SignatureStatus};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alg {
    Sha1,
    Sha256,
    Sha384,
    Sha512,
}

impl Alg {
    pub fn name(self) -> &'static str {
        match self {
            Self::Sha1 => "HMAC-SHA1",
            Self::Sha256 => "HMAC-SHA256",
            Self::Sha384 => "HMAC-SHA384",
            Self::Sha512 => "HMAC-SHA512",
        }
    }
}

/// HMAC of `msg` under `key`. Every key length is valid for HMAC, so this cannot fail.
pub fn hmac(alg: Alg, key: &[u8], msg: &[u8]) -> Vec<u8> {
    fn run<M: Mac + KeyInit>(key: &[u8], msg: &[u8]) -> Vec<u8> {
        match <M as KeyInit>::new_from_slice(key) {
            Ok(mut mac) => {
                mac.update(msg);
                mac.finalize().into_bytes().to_vec()
            }
            Err(_) => Vec::new(),
        }
    }
    match alg {
        Alg::Sha1 => run::<hmac::Hmac<sha1::Sha1>>(key, msg),
        Alg::Sha256 => run::<hmac::Hmac<sha2::Sha256>>(key, msg),
        Alg::Sha384 => run::<hmac::Hmac<sha2::Sha384>>(key, msg),
        Alg::Sha512 => run::<hmac::Hmac<sha2::Sha512>>(key, msg),
    }
}

/// Constant-time equality (length leaks, content does not).
pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Enc {
    Hex,
    Base64,
    Base64Url,
}

pub fn encode(enc: Enc, bytes: &[u8]) -> String {
    match enc {
        Enc::Hex => hex::encode(bytes),
        Enc::Base64 => STANDARD.encode(bytes),
        Enc::Base64Url => URL_SAFE_NO_PAD.encode(bytes),
    }
}

/// Decode a received signature; hex is case-insensitive, base64 accepts both alphabets and
/// missing padding.
pub fn decode(enc: Enc, text: &str) -> Option<Vec<u8>> {
    let text = text.trim();
    match enc {
        Enc::Hex => hex::decode(text).ok(),
        Enc::Base64 | Enc::Base64Url => decode_base64_any(text),
    }
}

pub fn decode_base64_any(text: &str) -> Option<Vec<u8>> {
    let normalised: String = text
        .trim()
        .trim_end_matches('=')
        .chars()
        .map(|c| match c {
            '-' => '+',
            '_' => '/',
            c => c,
        })
        .collect();
    base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(normalised)
        .ok()
}

/// Compare a computed MAC with a received encoded signature in constant time.
pub fn signature_matches(enc: Enc, computed: &[u8], received: &str) -> bool {
    decode(enc, received).is_some_and(|r| ct_eq(&r, computed))
}

/// Where a signed timestamp stands against the provider's tolerance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimestampCheck {
    /// `now - ts`, seconds; negative means the timestamp is in the future.
    pub age_secs: i64,
    pub within: bool,
}

pub fn check_timestamp(ts: i64, now: i64, tolerance_secs: i64) -> TimestampCheck {
    let age_secs = now.saturating_sub(ts);
    TimestampCheck {
        age_secs,
        within: age_secs.abs() <= tolerance_secs,
    }
}

/// A variant tried by the diagnosis: a stable code, the message shown when it explains the
/// failure, and the bytes to try.
pub struct Variant {
    pub code: &'static str,
    pub message: String,
    pub bytes: Vec<u8>,
}

/// The ways a secret is commonly given wrong: with/without `whsec_`, base64 vs raw text, hex.
/// The first entry is always the secret as given (UTF-8 bytes).
pub fn secret_variants(secret: &str) -> Vec<Variant> {
    let mut out = vec![Variant {
        code: "secret_as_given",
        message: "the secret as given, as UTF-8 text".into(),
        bytes: secret.as_bytes().to_vec(),
    }];
    let trimmed = secret.trim();
    if trimmed != secret {
        out.push(Variant {
            code: "secret_whitespace",
            message: "the secret has leading or trailing whitespace; remove it".into(),
            bytes: trimmed.as_bytes().to_vec(),
        });
    }
    if let Some(rest) = trimmed.strip_prefix("whsec_") {
        out.push(Variant {
            code: "secret_without_prefix",
            message: "the secret matches without its `whsec_` prefix".into(),
            bytes: rest.as_bytes().to_vec(),
        });
        if let Some(raw) = decode_base64_any(rest) {
            out.push(Variant {
                code: "secret_base64_decoded",
                message: "the secret matches once the part after `whsec_` is base64-decoded".into(),
                bytes: raw,
            });
        }
    } else {
        out.push(Variant {
            code: "secret_with_prefix",
            message: "the secret matches with a `whsec_` prefix added".into(),
            bytes: format!("whsec_{trimmed}").into_bytes(),
        });
        if let Some(raw) = decode_base64_any(trimmed).filter(|r| r.len() >= 8) {
            out.push(Variant {
                code: "secret_base64_decoded",
                message: "the secret matches once base64-decoded; this scheme wants it decoded"
                    .into(),
                bytes: raw,
            });
        }
        if trimmed.len().is_multiple_of(2)
            && let Ok(raw) = hex::decode(trimmed)
        {
            out.push(Variant {
                code: "secret_hex_decoded",
                message: "the secret matches once hex-decoded".into(),
                bytes: raw,
            });
        }
    }
    out
}

/// The ways a body is commonly changed between the provider and the verifier: re-serialised JSON
/// (compact vs pretty, key order), a trailing newline, `\r\n` line endings, a decompressing proxy.
/// The received body itself is not in the list.
pub fn body_variants(body: &[u8]) -> Vec<Variant> {
    let mut out = Vec::new();
    let mut push = |code: &'static str, message: &str, bytes: Vec<u8>| {
        if bytes != body && !out.iter().any(|v: &Variant| v.bytes == bytes) {
            out.push(Variant {
                code,
                message: message.into(),
                bytes,
            });
        }
    };
    if body.ends_with(b"\n") {
        let trimmed = body
            .strip_suffix(b"\r\n")
            .or_else(|| body.strip_suffix(b"\n"))
            .unwrap_or(body);
        push(
            "body_trailing_newline",
            "a trailing newline was added to the body",
            trimmed.to_vec(),
        );
    } else {
        let mut with = body.to_vec();
        with.push(b'\n');
        push(
            "body_trailing_newline",
            "a trailing newline was removed from the body",
            with,
        );
    }
    if body.windows(2).any(|w| w == b"\r\n") {
        let lf: Vec<u8> = String::from_utf8_lossy(body)
            .replace("\r\n", "\n")
            .into_bytes();
        push(
            "body_line_endings",
            "`\\r\\n` line endings were changed to `\\n`",
            lf,
        );
    } else if body.contains(&b'\n') {
        let crlf = String::from_utf8_lossy(body)
            .replace('\n', "\r\n")
            .into_bytes();
        push(
            "body_line_endings",
            "`\\n` line endings were changed to `\\r\\n`",
            crlf,
        );
    }
    // Re-serialisation last: when a newline or line-ending change explains it, say that.
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) {
        let reserialised = "the body was re-serialised as JSON before signing/verifying (compact vs pretty, \
                           key order or escaping changed): verify over the raw bytes";
        if let Ok(compact) = serde_json::to_vec(&value) {
            push("body_reserialized", reserialised, compact);
        }
        if let Ok(pretty) = serde_json::to_vec_pretty(&value) {
            push("body_reserialized", reserialised, pretty);
        }
    }
    out
}

/// Try the known mistakes: every secret variant against the received body, then the secrets as
/// given against every body variant. `check(key, body)` returns whether that combination makes
/// the request's signature match. Returns findings that explain the failure (`explains: true`),
/// or, when none does, the generic findings that still help (API key pasted, test/live secret).
pub fn diagnose(
    secrets: &[String],
    body: &[u8],
    check: impl Fn(&[u8], &[u8]) -> bool,
) -> Vec<Diagnosis> {
    let mut found = Vec::new();
    for secret in secrets {
        for v in secret_variants(secret).into_iter().skip(1) {
            if check(&v.bytes, body) {
                found.push(Diagnosis {
                    code: v.code.into(),
                    message: v.message,
                    explains: true,
                });
            }
        }
        for v in body_variants(body) {
            if check(secret.as_bytes(), &v.bytes) {
                found.push(Diagnosis {
                    code: v.code.into(),
                    message: v.message,
                    explains: true,
                });
            }
        }
    }
    if found.is_empty() {
        found.extend(secret_hints(secrets));
    }
    found
}

/// Findings about the secrets themselves that hold whatever the bytes were.
pub fn secret_hints(secrets: &[String]) -> Vec<Diagnosis> {
    let mut out = Vec::new();
    for s in secrets {
        let t = s.trim();
        if ["sk_", "rk_", "pk_"].iter().any(|p| t.starts_with(p)) {
            out.push(Diagnosis {
                code: "api_key_not_signing_secret".into(),
                message: format!(
                    "a secret starting with `{}` is an API key, not a webhook signing secret; copy the \
                     signing secret from the webhook endpoint's settings",
                    &t[..3]
                ),
                explains: false,
            });
        }
    }
    out.push(Diagnosis {
        code: "wrong_secret".into(),
        message: "no variant of the secret or the body matches: the secret is probably not this \
                  endpoint's (test-mode and live secrets look alike and cannot be told apart), or the \
                  body was changed in transit"
            .into(),
        explains: false,
    });
    out
}

/// A report with only a status and a reason; the scheme fills in the rest.
pub fn bare_report(
    status: super::SignatureStatus,
    reason: impl Into<String>,
) -> super::SignatureReport {
    super::SignatureReport {
        status,
        reason: reason.into(),
        secret_index: None,
        recipe: None,
        received: None,
        expected: None,
        timestamp_age_secs: None,
        diagnosis: Vec::new(),
    }
}

/// What a module found in the request, for [`verify_symmetric`].
pub struct Parsed<'a> {
    /// The provider's display name, for reasons.
    pub provider: &'static str,
    /// The signed-string recipe in words.
    pub recipe: &'a str,
    /// The signature as carried by the request.
    pub received: String,
    /// The body bytes the signature is checked against.
    pub body: &'a [u8],
    /// The signed timestamp in Unix seconds, for schemes that sign one.
    pub timestamp: Option<i64>,
    pub tolerance_secs: Option<i64>,
    pub now: i64,
}

/// Try every secret, then judge the timestamp, then diagnose.
///
/// - `key_of(secret)` turns a configured secret into HMAC key bytes (`None`: unusable);
/// - `check(key, body)` rebuilds the signed string from `body` and compares it, in constant time,
///   with what the request carried;
/// - `expected(key)` is the value that key produces for the received bytes, in the header's form;
/// - `extra()` adds the scheme's own findings when nothing matches.
///
/// The diagnosis also tries each variant's bytes through `key_of`, so schemes that decode their
/// secrets (Standard Webhooks) get the same body and encoding checks as the others.
pub fn verify_symmetric(
    p: Parsed<'_>,
    secrets: &[String],
    key_of: impl Fn(&str) -> Option<Vec<u8>>,
    check: impl Fn(&[u8], &[u8]) -> bool,
    expected: impl Fn(&[u8]) -> String,
    extra: impl FnOnce() -> Vec<Diagnosis>,
) -> SignatureReport {
    let matched = secrets
        .iter()
        .position(|s| key_of(s).is_some_and(|k| check(&k, p.body)));
    let ts = p
        .timestamp
        .zip(p.tolerance_secs)
        .map(|(ts, tol)| (check_timestamp(ts, p.now, tol), tol));
    let mut report = SignatureReport {
        status: SignatureStatus::Invalid,
        reason: String::new(),
        secret_index: matched,
        recipe: Some(p.recipe.into()),
        received: Some(p.received),
        expected: secrets
            .first()
            .and_then(|s| key_of(s))
            .map(|k| expected(&k)),
        timestamp_age_secs: p.timestamp.map(|t| p.now.saturating_sub(t)),
        diagnosis: Vec::new(),
    };
    let timing = ts
        .filter(|(c, _)| !c.within)
        .map(|(c, tol)| timestamp_finding(c, tol));
    match matched {
        Some(i) => match timing {
            Some(finding) => {
                report.status = SignatureStatus::Stale;
                report.reason = format!(
                    "the signature matches secret #{} but {}",
                    i + 1,
                    finding.message
                );
                report.diagnosis.push(finding);
            }
            None => {
                report.status = SignatureStatus::Valid;
                report.reason = format!("valid {} signature (secret #{})", p.provider, i + 1);
            }
        },
        None => {
            let mut found = extra();
            found.extend(diagnose(secrets, p.body, |k, b| {
                check(k, b)
                    || std::str::from_utf8(k)
                        .ok()
                        .and_then(&key_of)
                        .is_some_and(|derived| derived != k && check(&derived, b))
            }));
            found.extend(timing);
            // A scheme finding that explains the failure contradicts the generic "wrong secret".
            if found.iter().any(|d| d.explains) {
                found.retain(|d| d.code != "wrong_secret");
            }
            // Findings that explain the failure first; the sort is stable.
            found.sort_by_key(|d| !d.explains);
            report.reason = match found.iter().find(|d| d.explains) {
                Some(d) => format!(
                    "the {} signature does not match any secret; likely cause: {}",
                    p.provider, d.message
                ),
                None => format!(
                    "the {} signature does not match any of the {} secret(s)",
                    p.provider,
                    secrets.len()
                ),
            };
            report.diagnosis = found;
        }
    }
    report
}

/// An RFC 3339 timestamp (Zendesk, Twitch sign the text) as Unix seconds, when it parses.
pub fn rfc3339_secs(text: &str) -> Option<i64> {
    OffsetDateTime::parse(text.trim(), &Rfc3339)
        .ok()
        .map(OffsetDateTime::unix_timestamp)
}

/// Unix seconds as RFC 3339 text, to sign with; `provider` is the id named in the error.
pub fn rfc3339_text(provider: &'static str, secs: i64) -> Result<String, SignError> {
    OffsetDateTime::from_unix_timestamp(secs)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .ok_or_else(|| {
            SignError::Unsupported(provider, format!("timestamp {secs} is out of range"))
        })
}

/// A valid signature whose RFC 3339 timestamp did not parse says its age was not checked.
pub fn note_unparsed_timestamp(report: &mut SignatureReport, ts: &str) {
    if report.status == SignatureStatus::Valid && report.timestamp_age_secs.is_none() {
        report.reason = format!(
            "{}; the timestamp `{ts}` is not RFC 3339, so its age was not checked",
            report.reason
        );
    }
}

/// The finding for a timestamp outside the tolerance: stale when in the past, clock skew when in
/// the future.
pub fn timestamp_finding(c: TimestampCheck, tolerance_secs: i64) -> Diagnosis {
    if c.age_secs < 0 {
        Diagnosis {
            code: "clock_skew".into(),
            message: format!(
                "its timestamp is {} s in the future (tolerance {tolerance_secs} s): this machine's \
                 clock or the sender's is wrong",
                c.age_secs.unsigned_abs()
            ),
            explains: false,
        }
    } else {
        Diagnosis {
            code: "stale_timestamp".into(),
            message: format!(
                "its timestamp is {} s old (tolerance {tolerance_secs} s): a replay or a delayed \
                 retry; re-sign it to replay",
                c.age_secs
            ),
            explains: false,
        }
    }
}

/// The request body parsed as JSON, once per analysis: [`super::analyse`] makes one and every
/// provider reads it through [`body_json`] instead of parsing the body again.
#[derive(Debug)]
pub struct SharedJson<'a> {
    /// The bytes `value` was parsed from.
    body: &'a [u8],
    value: Option<serde_json::Value>,
}

impl<'a> SharedJson<'a> {
    pub fn parse(body: &'a [u8]) -> Self {
        Self {
            body,
            value: parse_json(body),
        }
    }
}

/// `serde_json::from_slice(body).ok()`, without running the parser on bodies whose first byte
/// cannot start a JSON value (forms, binary).
fn parse_json(body: &[u8]) -> Option<serde_json::Value> {
    let first = body.iter().find(|b| !b" \t\n\r".contains(b))?;
    if !matches!(
        first,
        b'{' | b'[' | b'"' | b'-' | b'0'..=b'9' | b't' | b'f' | b'n'
    ) {
        return None;
    }
    serde_json::from_slice(body).ok()
}

/// The request's body as JSON, `None` when it is not JSON. Borrowed from the analysis' shared
/// parse when it was made from these very bytes (a copy of the request with another body parses
/// its own), parsed here otherwise.
pub fn body_json<'a>(req: &Inbound<'a>) -> Option<Cow<'a, serde_json::Value>> {
    match req.json {
        Some(shared) if std::ptr::eq(shared.body, req.body) => {
            shared.value.as_ref().map(Cow::Borrowed)
        }
        _ => parse_json(req.body).map(Cow::Owned),
    }
}

/// [`json_field`] of the request's body, through [`body_json`].
pub fn body_field(req: &Inbound<'_>, path: &[&str]) -> Option<String> {
    field_text(&*body_json(req)?, path)
}

/// The string at JSON `pointer` (`/event/type`) of a parsed body; `None` for any other value.
pub fn json_str(body: Option<&serde_json::Value>, pointer: &str) -> Option<String> {
    body?.pointer(pointer)?.as_str().map(str::to_owned)
}

/// The event type and id: the strings at two JSON pointers of the request's body.
pub fn body_event(req: &Inbound<'_>, type_pointer: &str, id_pointer: &str) -> EventMeta {
    let body = body_json(req);
    EventMeta {
        event_type: json_str(body.as_deref(), type_pointer),
        event_id: json_str(body.as_deref(), id_pointer),
    }
}

/// A string field of a JSON body at `path` (numbers are given as text); `None` for anything else,
/// including bodies that are not JSON.
pub fn json_field(body: &[u8], path: &[&str]) -> Option<String> {
    field_text(&parse_json(body)?, path)
}

fn field_text(value: &serde_json::Value, path: &[&str]) -> Option<String> {
    let mut at = value;
    for key in path {
        at = at.get(key)?;
    }
    match at {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The URLs a sender may have signed instead of `url` when a proxy or a misconfigured public URL
/// sits between them: the other scheme, with/without the default port, with/without a trailing
/// slash on the path. Each comes with a description; `url` itself is not in the list.
pub fn url_variants(url: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut push = |u: String, what: String| {
        if u != url && !out.iter().any(|(o, _)| *o == u) {
            out.push((u, what));
        }
    };
    let Some((scheme, rest)) = url.split_once("://") else {
        return out;
    };
    let other = match scheme.to_ascii_lowercase().as_str() {
        "https" => "http",
        "http" => "https",
        _ => return out,
    };
    let swapped = format!("{other}://{rest}");
    for base in [url.to_string(), swapped] {
        if let Some(toggled) = toggle_default_port(&base) {
            push(toggled.clone(), format!("the sender signed `{toggled}`"));
            if let Some(slashed) = toggle_trailing_slash(&toggled) {
                push(slashed.clone(), format!("the sender signed `{slashed}`"));
            }
        }
        if let Some(slashed) = toggle_trailing_slash(&base) {
            push(slashed.clone(), format!("the sender signed `{slashed}`"));
        }
        push(base.clone(), format!("the sender signed `{base}`"));
    }
    out
}

/// `url` with its scheme's default port added (`:443` / `:80`) or, when present, removed.
/// `None` for URLs without an http(s) scheme or with a non-default port.
pub fn toggle_default_port(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let default = match scheme.to_ascii_lowercase().as_str() {
        "https" => "443",
        "http" => "80",
        _ => return None,
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let (userinfo, hostport) = match authority.rsplit_once('@') {
        Some((u, h)) => (format!("{u}@"), h),
        None => (String::new(), authority),
    };
    // An IPv6 literal's colons are inside the brackets.
    let port_sep = hostport
        .rfind(':')
        .filter(|&i| !hostport[i..].contains(']'));
    let new_hostport = match port_sep {
        Some(i) if &hostport[i + 1..] == default => hostport[..i].to_string(),
        Some(_) => return None,
        None => format!("{hostport}:{default}"),
    };
    Some(format!("{scheme}://{userinfo}{new_hostport}{tail}"))
}

/// `url` with a trailing slash added to or removed from its path (query and fragment kept).
fn toggle_trailing_slash(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let end = rest.find(['?', '#']).unwrap_or(rest.len());
    let (path, tail) = rest.split_at(end);
    let toggled = match path.strip_suffix('/') {
        Some(p) if p.contains('/') => p.to_string(),
        Some(_) => return None,
        None => format!("{path}/"),
    };
    Some(format!("{scheme}://{toggled}{tail}"))
}

/// The `name=value` pairs of an `application/x-www-form-urlencoded` body or query string, in
/// order, with `+` and `%XX` decoded (invalid UTF-8 replaced). Empty for non-UTF-8 input.
pub fn form_pairs(body: &[u8]) -> Vec<(String, String)> {
    let Ok(text) = std::str::from_utf8(body) else {
        return Vec::new();
    };
    text.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

/// Form decoding: `+` is a space, `%XX` a byte; a malformed escape is kept as written.
pub fn percent_decode(s: &str) -> String {
    let out: Vec<u8> = decoded_bytes(s).collect();
    String::from_utf8_lossy(&out).into_owned()
}

/// The bytes [`percent_decode`] decodes `s` to, before the UTF-8 check.
fn decoded_bytes(s: &str) -> impl Iterator<Item = u8> + '_ {
    let bytes = s.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        let b = *bytes.get(i)?;
        let escaped = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        Some(match (b, escaped) {
            (b'%', Some(decoded)) => {
                i += 3;
                decoded
            }
            (b'+', _) => {
                i += 1;
                b' '
            }
            _ => {
                i += 1;
                b
            }
        })
    })
}

/// Every value of `name` in an `application/x-www-form-urlencoded` body, decoded, as
/// [`form_pairs`] would give them; only matching values are decoded, so it is cheap on bodies
/// that are not forms. `name` must not contain U+FFFD (it is compared before the UTF-8 check).
pub fn form_values<'a>(body: &'a [u8], name: &'a str) -> impl Iterator<Item = String> + 'a {
    std::str::from_utf8(body)
        .unwrap_or_default()
        .split('&')
        .filter(|pair| !pair.is_empty())
        .filter_map(move |pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            decoded_bytes(k).eq(name.bytes()).then(|| percent_decode(v))
        })
}

/// The first value of `name` in an `application/x-www-form-urlencoded` body, decoded.
pub fn form_field(body: &[u8], name: &str) -> Option<String> {
    form_values(body, name).next()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_sha256_matches_rfc4231_case_2() {
        let mac = hmac(Alg::Sha256, b"Jefe", b"what do ya want for nothing?");
        assert_eq!(
            hex::encode(mac),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn base64_decoding_accepts_both_alphabets_and_no_padding() {
        assert_eq!(decode_base64_any("+/8="), Some(vec![0xfb, 0xff]));
        assert_eq!(decode_base64_any("-_8"), Some(vec![0xfb, 0xff]));
        assert_eq!(decode_base64_any("not base64!"), None);
    }

    #[test]
    fn diagnosis_finds_a_reserialised_body_and_a_trailing_newline() {
        // The provider signed `signed`; the verifier holds `received`.
        let cases: [(&[u8], &[u8], &str); 2] = [
            (
                br#"{"a":1,"b":[1,2]}"#,
                b"{\n  \"a\": 1,\n  \"b\": [\n    1,\n    2\n  ]\n}",
                "body_reserialized",
            ),
            (b"{\"a\":1}\n", br#"{"a":1}"#, "body_trailing_newline"),
        ];
        for (signed, received, code) in cases {
            let sig = hmac(Alg::Sha256, b"k", signed);
            let found = diagnose(&["k".into()], received, |k, b| {
                ct_eq(&hmac(Alg::Sha256, k, b), &sig)
            });
            assert!(
                found.iter().any(|d| d.code == code && d.explains),
                "{code}: {found:?}"
            );
        }
    }

    #[test]
    fn diagnosis_finds_a_secret_given_without_decoding() {
        let raw = b"0123456789abcdef";
        let secret = format!("whsec_{}", STANDARD.encode(raw));
        let sig = hmac(Alg::Sha256, raw, b"body");
        let found = diagnose(&[secret], b"body", |k, b| {
            ct_eq(&hmac(Alg::Sha256, k, b), &sig)
        });
        assert!(
            found
                .iter()
                .any(|d| d.code == "secret_base64_decoded" && d.explains)
        );
    }

    #[test]
    fn api_keys_are_called_out() {
        let found = diagnose(&["sk_test_123".into()], b"x", |_, _| false);
        assert!(found.iter().any(|d| d.code == "api_key_not_signing_secret"));
    }

    #[test]
    fn form_fields_are_percent_and_plus_decoded() {
        let body = b"a=1&token=x%2By+z&bad=%zz&empty";
        assert_eq!(form_field(body, "token").as_deref(), Some("x+y z"));
        assert_eq!(form_field(body, "bad").as_deref(), Some("%zz"));
        assert_eq!(form_field(body, "empty").as_deref(), Some(""));
        assert_eq!(form_field(body, "missing"), None);
        assert_eq!(
            form_field(b"x=%ff", "x").as_deref(),
            Some("\u{fffd}"),
            "invalid UTF-8 is replaced"
        );
    }

    #[test]
    fn timestamps_outside_tolerance_are_not_within() {
        assert!(check_timestamp(1000, 1200, 300).within);
        let c = check_timestamp(1000, 1400, 300);
        assert_eq!((c.age_secs, c.within), (400, false));
        assert!(!check_timestamp(2000, 1000, 300).within);
    }

    #[test]
    fn url_variants_cover_scheme_port_and_trailing_slash() {
        let v: Vec<String> = url_variants("https://h.test/a?x=1")
            .into_iter()
            .map(|(u, _)| u)
            .collect();
        for want in [
            "https://h.test:443/a?x=1",
            "https://h.test/a/?x=1",
            "http://h.test/a?x=1",
            "http://h.test:80/a?x=1",
        ] {
            assert!(v.iter().any(|u| u == want), "{want} not in {v:?}");
        }
        assert!(!v.iter().any(|u| u == "https://h.test/a?x=1"));
        assert_eq!(
            toggle_default_port("https://u:p@h.test:443/a").as_deref(),
            Some("https://u:p@h.test/a")
        );
        assert_eq!(toggle_default_port("https://h.test:8443/a"), None);
        assert!(url_variants("not a url").is_empty());
    }

    #[test]
    fn the_shared_parse_serves_only_the_bytes_it_was_made_from() {
        let shared = SharedJson::parse(br#"{"a":"shared"}"#);
        let req = Inbound {
            method: "POST",
            url: "",
            headers: &[],
            body: shared.body,
            now: 0,
            json: Some(&shared),
        };
        assert!(matches!(body_json(&req), Some(Cow::Borrowed(_))));
        let other = Inbound {
            body: br#"{"a":"own"}"#,
            ..req
        };
        assert_eq!(body_field(&other, &["a"]).as_deref(), Some("own"));
        assert!(
            body_json(&Inbound {
                body: b"a=1",
                ..req
            })
            .is_none()
        );
        assert!(body_json(&Inbound { body: b" 7", ..req }).is_some());
    }

    #[test]
    fn json_str_reads_strings_only() {
        let v = serde_json::json!({"a": {"b": "x"}, "n": 1});
        assert_eq!(json_str(Some(&v), "/a/b").as_deref(), Some("x"));
        assert_eq!(json_str(Some(&v), "/n"), None);
        assert_eq!(json_str(None, "/a"), None);
    }

    #[test]
    fn form_values_match_form_pairs() {
        let body = b"AccountSid=AC1&Account%53id=AC2&x=1&AccountSid";
        let values: Vec<String> = form_values(body, "AccountSid").collect();
        assert_eq!(values, ["AC1", "AC2", ""]);
        assert_eq!(form_values(&[0xff, b'='], "").count(), 0);
    }

    #[test]
    fn form_decoding_handles_plus_escapes_and_malformed_input() {
        assert_eq!(percent_decode("a%2Fb+c%zz%4"), "a/b c%zz%4");
        assert_eq!(
            form_pairs(b"a=1&b=%2B&c"),
            vec![
                ("a".into(), "1".into()),
                ("b".into(), "+".into()),
                ("c".into(), String::new())
            ]
        );
        assert!(form_pairs(&[0xff, b'=']).is_empty());
    }
}

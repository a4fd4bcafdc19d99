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

use super::Diagnosis;

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

/// A report with only a status and a reason; provider modules fill in the rest.
pub fn report(status: super::SignatureStatus, reason: impl Into<String>) -> super::SignatureReport {
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

/// The first value of `name` in an `application/x-www-form-urlencoded` body, percent- and
/// `+`-decoded. Invalid UTF-8 after decoding yields `None`.
pub fn form_field(body: &[u8], name: &str) -> Option<String> {
    fn unescape(raw: &[u8]) -> Option<String> {
        let mut out = Vec::with_capacity(raw.len());
        let mut i = 0;
        while let Some(&b) = raw.get(i) {
            match b {
                b'+' => out.push(b' '),
                b'%' => {
                    let hex = raw
                        .get(i + 1..i + 3)
                        .and_then(|h| std::str::from_utf8(h).ok());
                    match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                        Some(v) => {
                            out.push(v);
                            i += 2;
                        }
                        None => out.push(b'%'),
                    }
                }
                b => out.push(b),
            }
            i += 1;
        }
        String::from_utf8(out).ok()
    }
    body.split(|b| *b == b'&').find_map(|pair| {
        let mut kv = pair.splitn(2, |b| *b == b'=');
        let key = unescape(kv.next()?)?;
        if key == name {
            unescape(kv.next().unwrap_or_default())
        } else {
            None
        }
    })
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
        assert_eq!(form_field(b"x=%ff", "x"), None);
    }

    #[test]
    fn timestamps_outside_tolerance_are_not_within() {
        assert!(check_timestamp(1000, 1200, 300).within);
        let c = check_timestamp(1000, 1400, 300);
        assert_eq!((c.age_secs, c.within), (400, false));
        assert!(!check_timestamp(2000, 1000, 300).within);
    }
}

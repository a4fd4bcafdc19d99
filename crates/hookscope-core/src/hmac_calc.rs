//! The HMAC calculator behind `hookscope hmac` and the desktop app's workbench: compute an HMAC
//! over a message (typed, pasted as hex/base64, or a captured event's raw body), optionally
//! through a template such as `{timestamp}.{body}`, and compare it with a signature the user has.
//!
//! It reuses the providers' primitives, so what it computes is exactly what the provider
//! modules verify. Invariants: no panics on any input, the comparison is constant-time, and the
//! key never appears in the response.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::providers::common::{Alg, Enc, ct_eq, decode, decode_base64_any, encode, hmac};

/// How many bytes of the signed string the response previews.
const PREVIEW_BYTES: usize = 4096;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Algorithm {
    Sha1,
    #[default]
    Sha256,
    Sha384,
    Sha512,
}

impl Algorithm {
    fn alg(self) -> Alg {
        match self {
            Self::Sha1 => Alg::Sha1,
            Self::Sha256 => Alg::Sha256,
            Self::Sha384 => Alg::Sha384,
            Self::Sha512 => Alg::Sha512,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyEncoding {
    /// The key text's UTF-8 bytes, as most providers use it.
    #[default]
    Utf8,
    Hex,
    Base64,
    /// Standard Webhooks / Svix: strip `whsec_`, then base64-decode the rest.
    Whsec,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageEncoding {
    #[default]
    Text,
    Hex,
    Base64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutputEncoding {
    #[default]
    Hex,
    Base64,
    /// URL-safe alphabet without padding.
    #[serde(rename = "base64url")]
    Base64Url,
}

impl OutputEncoding {
    fn enc(self) -> Enc {
        match self {
            Self::Hex => Enc::Hex,
            Self::Base64 => Enc::Base64,
            Self::Base64Url => Enc::Base64Url,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HmacReq {
    #[serde(default)]
    pub algorithm: Algorithm,
    pub key: String,
    #[serde(default)]
    pub key_encoding: KeyEncoding,
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub message_encoding: MessageEncoding,
    /// Raw message bytes (a captured event's body), used instead of `message` when set. Filled
    /// in by the Rust caller; over IPC, send base64 in `message` instead.
    #[serde(skip)]
    pub message_bytes: Option<Vec<u8>>,
    /// How the signed string is built, e.g. `{timestamp}.{body}`; `{body}` is the message, other
    /// `{name}`s come from `substitutions`; `{{` and `}}` are literal braces. None: the message.
    #[serde(default)]
    pub template: Option<String>,
    #[serde(default)]
    pub substitutions: BTreeMap<String, String>,
    #[serde(default)]
    pub output_encoding: OutputEncoding,
    /// Written before the digest, as providers do (`sha256=`, `v1=`…).
    #[serde(default)]
    pub output_prefix: Option<String>,
    /// A signature to compare with, with or without the prefix.
    #[serde(default)]
    pub compare_with: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HmacRes {
    /// The digest in the output encoding, prefix included.
    pub digest: String,
    /// Length in bytes of the exact string that was signed.
    pub signed_len: usize,
    /// The start of the signed string, invalid UTF-8 replaced.
    pub signed_preview: String,
    pub preview_truncated: bool,
    /// Whether `compare_with` equals the digest; absent when nothing was compared.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matches: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HmacError {
    #[error("the key is not valid {0}")]
    BadKey(&'static str),
    #[error("the message is not valid {0}")]
    BadMessage(&'static str),
    #[error("the template uses `{{{0}}}`, which has no value: add it to the substitutions")]
    UnknownPlaceholder(String),
    #[error("the template has a `{{` without a closing `}}`")]
    UnclosedPlaceholder,
}

impl HmacError {
    /// A stable code for the UI to switch on.
    pub fn code(&self) -> &'static str {
        match self {
            Self::BadKey(_) => "bad_key",
            Self::BadMessage(_) => "bad_message",
            Self::UnknownPlaceholder(_) => "unknown_placeholder",
            Self::UnclosedPlaceholder => "unclosed_placeholder",
        }
    }
}

fn without_whitespace(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

fn key_bytes(key: &str, encoding: KeyEncoding) -> Result<Vec<u8>, HmacError> {
    match encoding {
        KeyEncoding::Utf8 => Ok(key.as_bytes().to_vec()),
        KeyEncoding::Hex => {
            hex::decode(without_whitespace(key)).map_err(|_| HmacError::BadKey("hex"))
        }
        KeyEncoding::Base64 => {
            decode_base64_any(&without_whitespace(key)).ok_or(HmacError::BadKey("base64"))
        }
        KeyEncoding::Whsec => {
            let key = key.trim();
            decode_base64_any(key.strip_prefix("whsec_").unwrap_or(key))
                .ok_or(HmacError::BadKey("base64 after `whsec_`"))
        }
    }
}

fn message_bytes(req: &HmacReq) -> Result<Vec<u8>, HmacError> {
    if let Some(bytes) = &req.message_bytes {
        return Ok(bytes.clone());
    }
    match req.message_encoding {
        MessageEncoding::Text => Ok(req.message.as_bytes().to_vec()),
        MessageEncoding::Hex => {
            hex::decode(without_whitespace(&req.message)).map_err(|_| HmacError::BadMessage("hex"))
        }
        MessageEncoding::Base64 => decode_base64_any(&without_whitespace(&req.message))
            .ok_or(HmacError::BadMessage("base64")),
    }
}

/// The template with `{body}` and the named substitutions filled in.
fn render(
    template: &str,
    body: &[u8],
    vars: &BTreeMap<String, String>,
) -> Result<Vec<u8>, HmacError> {
    let mut out = Vec::with_capacity(template.len() + body.len());
    let mut rest = template;
    while let Some(i) = rest.find(['{', '}']) {
        let (literal, tail) = rest.split_at(i);
        out.extend_from_slice(literal.as_bytes());
        if let Some(after) = tail.strip_prefix("{{") {
            out.push(b'{');
            rest = after;
        } else if let Some(after) = tail.strip_prefix("}}") {
            out.push(b'}');
            rest = after;
        } else if let Some(after) = tail.strip_prefix('{') {
            let (name, after) = after
                .split_once('}')
                .ok_or(HmacError::UnclosedPlaceholder)?;
            if name == "body" {
                out.extend_from_slice(body);
            } else {
                let value = vars
                    .get(name)
                    .ok_or_else(|| HmacError::UnknownPlaceholder(name.to_owned()))?;
                out.extend_from_slice(value.as_bytes());
            }
            rest = after;
        } else {
            // A lone `}` is literal text.
            out.push(b'}');
            rest = tail.get(1..).unwrap_or("");
        }
    }
    out.extend_from_slice(rest.as_bytes());
    Ok(out)
}

/// Compute the HMAC a request describes, and compare it when asked.
pub fn hmac_compute(req: &HmacReq) -> Result<HmacRes, HmacError> {
    let key = key_bytes(&req.key, req.key_encoding)?;
    let message = message_bytes(req)?;
    let signed = match &req.template {
        Some(t) => render(t, &message, &req.substitutions)?,
        None => message,
    };
    let mac = hmac(req.algorithm.alg(), &key, &signed);
    let enc = req.output_encoding.enc();
    let prefix = req.output_prefix.as_deref().unwrap_or("");
    let matches = req.compare_with.as_deref().map(|given| {
        let given = given.trim();
        let bare = given
            .get(..prefix.len())
            .filter(|p| !prefix.is_empty() && p.eq_ignore_ascii_case(prefix))
            .and_then(|_| given.get(prefix.len()..))
            .unwrap_or(given);
        decode(enc, bare).is_some_and(|b| ct_eq(&b, &mac))
    });
    let preview = signed.get(..PREVIEW_BYTES).unwrap_or(&signed);
    Ok(HmacRes {
        digest: format!("{prefix}{}", encode(enc, &mac)),
        signed_len: signed.len(),
        signed_preview: String::from_utf8_lossy(preview).into_owned(),
        preview_truncated: signed.len() > PREVIEW_BYTES,
        matches,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const JEFE_MSG: &str = "what do ya want for nothing?";

    fn req(algorithm: Algorithm, key: &str, key_encoding: KeyEncoding, message: &str) -> HmacReq {
        HmacReq {
            algorithm,
            key: key.into(),
            key_encoding,
            message: message.into(),
            ..HmacReq::default()
        }
    }

    fn digest(r: &HmacReq) -> String {
        hmac_compute(r)
            .map(|r| r.digest)
            .unwrap_or_else(|e| format!("error: {e}"))
    }

    #[test]
    fn rfc_vectors_for_each_algorithm() {
        // RFC 2202 (SHA-1) and RFC 4231 (SHA-2) test cases 1 (hex key 0x0b × 20) and 2 ("Jefe").
        let cases = [
            (
                Algorithm::Sha1,
                "b617318655057264e28bc0b6fb378c8ef146be00",
                "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79",
            ),
            (
                Algorithm::Sha256,
                "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
                "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
            ),
            (
                Algorithm::Sha384,
                "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6",
                "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649",
            ),
            (
                Algorithm::Sha512,
                "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854",
                "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737",
            ),
        ];
        for (alg, tc1, tc2) in cases {
            let key1 = "0b".repeat(20);
            assert_eq!(
                digest(&req(alg, &key1, KeyEncoding::Hex, "Hi There")),
                tc1,
                "{alg:?}"
            );
            assert_eq!(
                digest(&req(alg, "Jefe", KeyEncoding::Utf8, JEFE_MSG)),
                tc2,
                "{alg:?}"
            );
        }
    }

    #[test]
    fn key_and_message_encodings() {
        let expected = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
        assert_eq!(
            digest(&req(
                Algorithm::Sha256,
                "SmVmZQ==",
                KeyEncoding::Base64,
                JEFE_MSG
            )),
            expected
        );
        assert_eq!(
            digest(&req(
                Algorithm::Sha256,
                "4a656665",
                KeyEncoding::Hex,
                JEFE_MSG
            )),
            expected
        );
        let mut r = req(
            Algorithm::Sha256,
            "Jefe",
            KeyEncoding::Utf8,
            "d2hhdCBkbyB5YSB3YW50IGZvciBub3RoaW5nPw==",
        );
        r.message_encoding = MessageEncoding::Base64;
        assert_eq!(digest(&r), expected);
        r.message = hex::encode(JEFE_MSG);
        r.message_encoding = MessageEncoding::Hex;
        assert_eq!(digest(&r), expected);
        r.message = "ignored".into();
        r.message_bytes = Some(JEFE_MSG.as_bytes().to_vec());
        assert_eq!(digest(&r), expected);
    }

    #[test]
    fn whsec_key_with_a_standard_webhooks_template() {
        // The Standard Webhooks published example.
        let mut r = req(
            Algorithm::Sha256,
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            KeyEncoding::Whsec,
            r#"{"test": 2432232314}"#,
        );
        r.template = Some("{id}.{timestamp}.{body}".into());
        r.substitutions = BTreeMap::from([
            ("id".to_owned(), "msg_p5jXN8AQM9LWM0D4loKWxJek".to_owned()),
            ("timestamp".to_owned(), "1614265330".to_owned()),
        ]);
        r.output_encoding = OutputEncoding::Base64;
        r.output_prefix = Some("v1,".into());
        r.compare_with = Some("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=".into());
        let res = hmac_compute(&r);
        assert_eq!(
            res.as_ref().map(|r| r.digest.as_str()),
            Ok("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        );
        assert_eq!(res.as_ref().map(|r| r.matches), Ok(Some(true)));
        let signed = "msg_p5jXN8AQM9LWM0D4loKWxJek.1614265330.{\"test\": 2432232314}";
        assert_eq!(res.as_ref().map(|r| r.signed_len), Ok(signed.len()));
        assert_eq!(res.map(|r| r.signed_preview), Ok(signed.to_owned()));
    }

    #[test]
    fn template_escapes_and_lone_braces() {
        let vars = BTreeMap::from([("t".to_owned(), "9".to_owned())]);
        assert_eq!(
            render("{{{t}}}:{body}}", b"B", &vars),
            Ok(b"{9}:B}".to_vec())
        );
        assert_eq!(
            render("no placeholders", b"B", &vars),
            Ok(b"no placeholders".to_vec())
        );
    }

    #[test]
    fn output_encodings_and_comparison() {
        let mut r = req(
            Algorithm::Sha1,
            &"0b".repeat(20),
            KeyEncoding::Hex,
            "Hi There",
        );
        r.output_encoding = OutputEncoding::Base64Url;
        assert_eq!(digest(&r), "thcxhlUFcmTii8C2-zeMjvFGvgA");
        r.output_encoding = OutputEncoding::Base64;
        assert_eq!(digest(&r), "thcxhlUFcmTii8C2+zeMjvFGvgA=");
        r.output_encoding = OutputEncoding::Hex;
        r.output_prefix = Some("sha1=".into());
        let upper = "B617318655057264E28BC0B6FB378C8EF146BE00";
        for (given, expected) in [
            (format!("sha1={upper}"), true),
            (upper.to_owned(), true),
            (format!("SHA1={upper}"), true),
            (
                "sha1=b617318655057264e28bc0b6fb378c8ef146be01".to_owned(),
                false,
            ),
            ("not hex".to_owned(), false),
        ] {
            r.compare_with = Some(given.clone());
            assert_eq!(
                hmac_compute(&r).map(|r| r.matches),
                Ok(Some(expected)),
                "{given}"
            );
        }
        r.compare_with = None;
        assert_eq!(hmac_compute(&r).map(|r| r.matches), Ok(None));
    }

    #[test]
    fn errors_are_reported_not_panicked() {
        let bad_hex = req(Algorithm::Sha256, "xyz", KeyEncoding::Hex, "m");
        assert_eq!(hmac_compute(&bad_hex), Err(HmacError::BadKey("hex")));
        let bad_b64 = req(Algorithm::Sha256, "***", KeyEncoding::Base64, "m");
        assert_eq!(hmac_compute(&bad_b64).map_err(|e| e.code()), Err("bad_key"));
        let bad_whsec = req(Algorithm::Sha256, "whsec_***", KeyEncoding::Whsec, "m");
        assert!(hmac_compute(&bad_whsec).is_err());
        let mut bad_msg = req(Algorithm::Sha256, "k", KeyEncoding::Utf8, "abc");
        bad_msg.message_encoding = MessageEncoding::Hex;
        assert_eq!(hmac_compute(&bad_msg), Err(HmacError::BadMessage("hex")));
        let mut unknown = req(Algorithm::Sha256, "k", KeyEncoding::Utf8, "m");
        unknown.template = Some("{ts}.{body}".into());
        assert_eq!(
            hmac_compute(&unknown),
            Err(HmacError::UnknownPlaceholder("ts".into()))
        );
        unknown.template = Some("{body".into());
        assert_eq!(hmac_compute(&unknown), Err(HmacError::UnclosedPlaceholder));
    }

    #[test]
    fn long_binary_messages_are_previewed_lossily() {
        let mut r = req(Algorithm::Sha256, "k", KeyEncoding::Utf8, "");
        r.message_bytes = Some(vec![0xff; PREVIEW_BYTES + 10]);
        let res = hmac_compute(&r);
        assert_eq!(
            res.as_ref().map(|r| (r.signed_len, r.preview_truncated)),
            Ok((PREVIEW_BYTES + 10, true))
        );
        assert!(res.is_ok_and(|r| r.signed_preview.starts_with('\u{fffd}')));
    }

    #[test]
    fn json_shape_is_camel_case_with_snake_case_values() {
        let json = r#"{"algorithm":"sha512","key":"k","keyEncoding":"whsec","message":"m",
            "messageEncoding":"base64","outputEncoding":"base64url","outputPrefix":"v1=",
            "compareWith":"x","template":"{body}","substitutions":{"a":"b"}}"#;
        let parsed: Result<HmacReq, _> = serde_json::from_str(json);
        assert!(
            parsed
                .as_ref()
                .is_ok_and(|r| r.algorithm == Algorithm::Sha512
                    && r.key_encoding == KeyEncoding::Whsec
                    && r.output_encoding == OutputEncoding::Base64Url
                    && r.output_prefix.as_deref() == Some("v1=")),
            "{parsed:?}"
        );
        let res = hmac_compute(&req(Algorithm::Sha256, "k", KeyEncoding::Utf8, "m"));
        let out = res
            .ok()
            .and_then(|r| serde_json::to_string(&r).ok())
            .unwrap_or_default();
        assert!(
            out.contains("\"signedLen\"")
                && out.contains("\"signedPreview\"")
                && !out.contains("matches"),
            "{out}"
        );
    }
}

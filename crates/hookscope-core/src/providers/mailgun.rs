//! Mailgun: the signature travels in the body, not a header. Current webhooks post JSON
//! `{"signature":{"timestamp","token","signature"},"event-data":{…}}`; legacy webhooks and routes
//! post the same three values as form fields (URL-encoded or multipart). The signature is the hex
//! HMAC-SHA256 of `timestamp + token` (no separator) under the account's HTTP webhook signing key,
//! so it covers neither the event data nor the URL: parsing before verifying is harmless, and
//! replays are stopped by remembering tokens. Subaccount events carry a second value,
//! `signature.parent-signature`, made with the parent account's key; either one matching is
//! enough.
//! Mailgun documents no timestamp window, so the age is reported but never makes a report stale.

use super::common::{self, Alg, Enc};
use super::{
    Confidence, Diagnosis, EventMeta, Inbound, Provider, ProviderInfo, SignError, SignInput,
    SignatureReport, SignatureStatus,
};

pub struct Mailgun;

const RECIPE: &str = "hex(HMAC-SHA256(HTTP webhook signing key, timestamp + token)), all three \
                      values from the body's `signature` object (or legacy form fields)";

static INFO: ProviderInfo = ProviderInfo {
    id: "mailgun",
    name: "Mailgun",
    docs_url: "https://documentation.mailgun.com/docs/mailgun/user-manual/webhooks/securing-webhooks",
    scheme: "body signature.signature = hex(HMAC-SHA256(webhook signing key, timestamp + token)); \
             the body itself is not signed",
    signature_headers: &[],
    secret_kind: "the HTTP webhook signing key (Sending → Webhooks), not the private API key",
    retries: "a 406 stops retries; other failures are retried after 10 min, 10 min, 15 min, \
              30 min, 1 h, 2 h and 4 h (about 8 h)",
    tolerance_secs: None,
};

/// The three signed values, from whichever body form the request used.
struct Signed {
    timestamp: String,
    token: String,
    signatures: Vec<String>,
}

fn text(v: Option<&serde_json::Value>) -> Option<String> {
    match v? {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// A field of a `multipart/form-data` body, found by its `name="…"` parameter.
fn multipart_field(body: &[u8], name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\"");
    let at = find(body, marker.as_bytes())?;
    let after = body.get(at + marker.len()..)?;
    let start = find(after, b"\r\n\r\n")? + 4;
    let value = after.get(start..)?;
    let end = find(value, b"\r\n--").unwrap_or(value.len());
    String::from_utf8(value.get(..end)?.to_vec()).ok()
}

fn form(body: &[u8], name: &str) -> Option<String> {
    if body.starts_with(b"--") {
        multipart_field(body, name)
    } else {
        common::form_field(body, name)
    }
}

fn signed(req: &Inbound<'_>) -> Option<Signed> {
    let body = req.body;
    if let Some(v) = common::body_json(req) {
        let sig = v.get("signature")?;
        let signatures = ["/signature/signature", "/signature/parent-signature"]
            .iter()
            .filter_map(|p| text(v.pointer(p)))
            .collect();
        return Some(Signed {
            timestamp: text(sig.get("timestamp"))?,
            token: text(sig.get("token"))?,
            signatures,
        });
    }
    Some(Signed {
        timestamp: form(body, "timestamp")?,
        token: form(body, "token")?,
        signatures: vec![form(body, "signature")?],
    })
}

fn signature(key: &[u8], s: &Signed) -> Vec<u8> {
    common::hmac(
        Alg::Sha256,
        key,
        format!("{}{}", s.timestamp, s.token).as_bytes(),
    )
}

impl Provider for Mailgun {
    fn info(&self) -> &'static ProviderInfo {
        &INFO
    }

    fn detect(&self, req: &Inbound<'_>) -> Confidence {
        let json = common::body_json(req).is_some_and(|v| {
            v.pointer("/signature/token").is_some() && v.get("event-data").is_some()
        });
        let legacy = !json
            && signed(req)
                .is_some_and(|s| s.token.len() >= 32 && s.signatures.iter().all(|x| x.len() == 64));
        if json || legacy {
            Confidence::Weak
        } else {
            Confidence::No
        }
    }

    fn event(&self, req: &Inbound<'_>) -> EventMeta {
        if let Some(v) = common::body_json(req) {
            return EventMeta {
                event_type: text(v.pointer("/event-data/event")),
                event_id: text(v.pointer("/event-data/id"))
                    .or_else(|| text(v.pointer("/signature/token"))),
            };
        }
        EventMeta {
            event_type: form(req.body, "event"),
            event_id: form(req.body, "token"),
        }
    }

    fn verify(&self, req: &Inbound<'_>, secrets: &[String]) -> SignatureReport {
        let mut report = common::bare_report(SignatureStatus::Invalid, "");
        report.recipe = Some(RECIPE.into());
        let Some(first) = secrets.first() else {
            report.status = SignatureStatus::NoSecret;
            report.reason = "no signing key configured: add the HTTP webhook signing key from \
                             Mailgun's webhook settings"
                .into();
            return report;
        };
        let Some(s) = signed(req).filter(|s| !s.signatures.is_empty()) else {
            report.status = SignatureStatus::Missing;
            report.reason = "expected `signature.timestamp`, `signature.token` and \
                             `signature.signature` in the JSON body, or `timestamp`, `token` and \
                             `signature` form fields"
                .into();
            return report;
        };
        report.received = Some(s.signatures.join(", "));
        report.expected = Some(common::encode(Enc::Hex, &signature(first.as_bytes(), &s)));
        if let Ok(ts) = s.timestamp.trim().parse::<i64>() {
            report.timestamp_age_secs = Some(req.now.saturating_sub(ts));
        }
        // The body is not signed: body variants cannot explain anything, so `check` ignores it.
        let check = |key: &[u8], _body: &[u8]| {
            let mac = signature(key, &s);
            s.signatures
                .iter()
                .any(|r| common::signature_matches(Enc::Hex, &mac, r))
        };
        if let Some(i) = secrets.iter().position(|k| check(k.as_bytes(), req.body)) {
            report.status = SignatureStatus::Valid;
            report.reason = "the signature matches (Mailgun signs only timestamp + token; \
                             remember tokens to refuse replays)"
                .into();
            report.secret_index = Some(i);
            return report;
        }
        report.reason = "the signature does not match any configured signing key".into();
        report.diagnosis = common::diagnose(secrets, req.body, check);
        if secrets.iter().any(|k| k.trim().starts_with("key-")) {
            report.diagnosis.insert(
                0,
                Diagnosis {
                    code: "api_key_not_signing_secret".into(),
                    message:
                        "a key starting with `key-` is a Mailgun API key; webhooks are signed \
                              with the separate HTTP webhook signing key"
                            .into(),
                    explains: false,
                },
            );
        }
        report
    }

    /// The signature lives inside the body (`signature.{timestamp,token,signature}`), so there is
    /// no header that could carry a fresh one; re-signing would mean rewriting the body.
    fn sign(&self, _input: &SignInput<'_>) -> Result<Vec<(String, String)>, SignError> {
        Err(SignError::Unsupported(
            "mailgun",
            "Mailgun puts its signature inside the body (`signature.timestamp`, `token` and \
             `signature`), not in a header; replay the body as captured, whose signature stays \
             valid because it covers only timestamp + token"
                .into(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::testkit;

    const TS: &str = "1529006854";
    const TOKEN: &str = "a8ce0edb2dd8301dee6c2405235584e45aa91d1e9f979f3de0";

    fn sig(key: &str) -> String {
        common::encode(
            Enc::Hex,
            &common::hmac(
                Alg::Sha256,
                key.as_bytes(),
                format!("{TS}{TOKEN}").as_bytes(),
            ),
        )
    }

    fn json(sig: &str) -> Vec<u8> {
        format!(
            r#"{{"signature":{{"timestamp":"{TS}","token":"{TOKEN}","signature":"{sig}"}},"event-data":{{"event":"delivered","id":"CPgfbmQMTCKtHW6uIWtuVe"}}}}"#
        )
        .into_bytes()
    }

    fn verify(body: &[u8], secrets: &[&str]) -> SignatureReport {
        Mailgun.verify(
            &testkit::request(testkit::URL, &[], body, 1_529_006_900),
            &testkit::secrets(secrets),
        )
    }

    #[test]
    fn known_answer_over_timestamp_and_token() {
        // Computed independently: Python hmac.new(b"mg-signing-key",
        // b"1529006854a8ce0edb…3de0", sha256).hexdigest(), with the docs' timestamp and token.
        assert_eq!(
            sig("mg-signing-key"),
            "13419fb6afd047225d098b7f6b002a4f061022ad3bc2e9b153326308345dcfa0"
        );
    }

    #[test]
    fn json_body_valid_wrong_key_rotation_and_age() {
        let body = json(&sig("signing-key"));
        let ok = verify(&body, &["signing-key"]);
        assert_eq!(
            (ok.status, ok.timestamp_age_secs),
            (SignatureStatus::Valid, Some(46))
        );
        assert_eq!(verify(&body, &["other"]).status, SignatureStatus::Invalid);
        let r = verify(&body, &["old", "signing-key"]);
        assert_eq!(
            (r.status, r.secret_index),
            (SignatureStatus::Valid, Some(1))
        );
        // Tampering with the signed values breaks it; the event data is not covered.
        let tampered = String::from_utf8(body.clone())
            .expect("utf-8")
            .replace(TS, "1529006855");
        assert_eq!(
            verify(tampered.as_bytes(), &["signing-key"]).status,
            SignatureStatus::Invalid
        );
    }

    #[test]
    fn parent_signature_of_a_subaccount_matches() {
        let body = format!(
            r#"{{"signature":{{"timestamp":"{TS}","token":"{TOKEN}","signature":"{}","parent-signature":"{}"}},"event-data":{{}}}}"#,
            sig("sub-key"),
            sig("parent-key")
        );
        assert_eq!(
            verify(body.as_bytes(), &["parent-key"]).status,
            SignatureStatus::Valid
        );
    }

    #[test]
    fn legacy_form_fields_urlencoded_and_multipart() {
        let form = format!(
            "event=delivered&timestamp={TS}&token={TOKEN}&signature={}",
            sig("k")
        );
        assert_eq!(
            verify(form.as_bytes(), &["k"]).status,
            SignatureStatus::Valid
        );
        let multipart = format!(
            "--xyz\r\nContent-Disposition: form-data; name=\"timestamp\"\r\n\r\n{TS}\r\n--xyz\r\n\
             Content-Disposition: form-data; name=\"token\"\r\n\r\n{TOKEN}\r\n--xyz\r\n\
             Content-Disposition: form-data; name=\"signature\"\r\n\r\n{}\r\n--xyz--\r\n",
            sig("k")
        );
        assert_eq!(
            verify(multipart.as_bytes(), &["k"]).status,
            SignatureStatus::Valid
        );
    }

    #[test]
    fn missing_no_secret_and_sign_is_unsupported() {
        assert_eq!(
            verify(br#"{"event-data":{}}"#, &["k"]).status,
            SignatureStatus::Missing
        );
        assert_eq!(verify(b"\xff\xfe", &["k"]).status, SignatureStatus::Missing);
        assert_eq!(verify(&json("00"), &[]).status, SignatureStatus::NoSecret);
        let input = SignInput {
            secret: "k",
            body: b"{}",
            timestamp: 0,
            url: "",
            method: "POST",
            headers: &[],
        };
        assert!(matches!(
            Mailgun.sign(&input),
            Err(SignError::Unsupported(..))
        ));
    }

    #[test]
    fn diagnosis_explains_whitespace_and_flags_api_keys() {
        let body = json(&sig("signing-key"));
        let r = verify(&body, &[" signing-key "]);
        assert!(
            r.diagnosis
                .iter()
                .any(|d| d.code == "secret_whitespace" && d.explains)
        );
        let r = verify(&body, &["key-3ax6xnjp29jd6fds4gc373sgvjxteol0"]);
        assert_eq!(r.diagnosis[0].code, "api_key_not_signing_secret");
        assert!(r.diagnosis.iter().all(|d| !d.code.starts_with("body_")));
    }

    #[test]
    fn event_and_detection() {
        let body = json(&sig("k"));
        let req = Inbound {
            method: "POST",
            url: "",
            headers: &[],
            body: &body,
            now: 0,
            json: None,
        };
        assert_eq!(Mailgun.detect(&req), Confidence::Weak);
        let meta = Mailgun.event(&req);
        assert_eq!(meta.event_type.as_deref(), Some("delivered"));
        assert_eq!(meta.event_id.as_deref(), Some("CPgfbmQMTCKtHW6uIWtuVe"));
        let other = Inbound { body: b"{}", ..req };
        assert_eq!(Mailgun.detect(&other), Confidence::No);
    }
}

//! Twilio: `X-Twilio-Signature` = base64(HMAC-SHA1(Auth Token, URL + params)), where URL is the
//! full URL Twilio requested (query included) and, for form POSTs, params is every body parameter
//! sorted by name, each name immediately followed by its decoded value (a repeated name adds each
//! distinct value, sorted). GET requests sign the URL alone. JSON bodies are not in the string:
//! Twilio adds `bodySHA256=<hex sha256(body)>` to the URL's query and signs that URL, so the body
//! is checked through the hash. With the newer SharedKey option the request carries
//! `X-Twilio-Webhooks-Signature-Settings: key=…,algorithm=HMAC_SHA256` and the same string is
//! signed with HMAC-SHA256 under the SharedKey secret.
//!
//! The URL must be the public one exactly as Twilio called it; like the SDKs, a match with or
//! without the default port is accepted, and the diagnosis tries the other scheme and a trailing
//! slash, which is what a TLS-terminating proxy or a wrong public URL produces.

use sha2::Digest as _;

use super::common::{self, Alg, Enc, Parsed};
use super::{
    Confidence, Diagnosis, EventMeta, Inbound, Provider, ProviderInfo, SignError, SignInput,
    SignatureReport, SignatureStatus,
};
use crate::model::Header;

pub struct Twilio;

const RECIPE: &str = "base64(HMAC-SHA1(Auth Token, full URL + each POST param name+value sorted \
                      by name)); JSON bodies: URL with `bodySHA256=hex(sha256(body))`, no params; \
                      HMAC-SHA256 with a SharedKey when X-Twilio-Webhooks-Signature-Settings says \
                      so";
const SETTINGS: &str = "x-twilio-webhooks-signature-settings";

static INFO: ProviderInfo = ProviderInfo {
    id: "twilio",
    name: "Twilio",
    docs_url: "https://www.twilio.com/docs/usage/webhooks/webhooks-security",
    scheme: "HMAC-SHA1 base64 over the URL followed by the sorted POST parameters (HMAC-SHA256 \
             with a SharedKey); JSON bodies are covered by a `bodySHA256` query parameter",
    signature_headers: &["X-Twilio-Signature", "X-Twilio-Webhooks-Signature-Settings"],
    secret_kind: "the account's Auth Token (the subaccount's for subaccount resources), or the \
                  SharedKey secret",
    retries: "none by default; connection overrides in the URL fragment (`#rc=`, `#rp=`, `#ct=`, \
              `#rt=`, `#tt=`) configure retries and timeouts",
    tolerance_secs: None,
};

/// The HMAC named by the settings header; SHA-1 when there is none.
fn algorithm(headers: &[Header]) -> Alg {
    let sha256 = headers
        .iter()
        .filter(|h| h.name.eq_ignore_ascii_case(SETTINGS))
        .any(|h| {
            h.value_lossy()
                .split(',')
                .any(|p| p.trim().eq_ignore_ascii_case("algorithm=HMAC_SHA256"))
        });
    if sha256 { Alg::Sha256 } else { Alg::Sha1 }
}

/// A decoded query parameter of `url`.
fn query_param(url: &str, name: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    let query = query.split('#').next().unwrap_or_default();
    common::form_pairs(query.as_bytes())
        .into_iter()
        .find_map(|(k, v)| (k == name).then_some(v))
}

/// What is signed besides the URL: the POST form parameters, unless the body is covered by
/// `bodySHA256` or the request is a GET.
fn params(method: &str, url: &str, headers: &[Header], body: &[u8]) -> Vec<(String, String)> {
    let content_type = headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case("content-type"))
        .map(|h| h.value_lossy().to_ascii_lowercase());
    let form = content_type
        .as_deref()
        .is_none_or(|ct| ct.starts_with("application/x-www-form-urlencoded"));
    if method.eq_ignore_ascii_case("GET") || query_param(url, "bodySHA256").is_some() || !form {
        return Vec::new();
    }
    common::form_pairs(body)
}

fn signed_string(url: &str, params: &[(String, String)]) -> String {
    let mut names: Vec<&str> = params.iter().map(|(k, _)| k.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    let mut out = url.to_string();
    for name in names {
        let mut values: Vec<&str> = params
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect();
        values.sort_unstable();
        values.dedup();
        for v in values {
            out.push_str(name);
            out.push_str(v);
        }
    }
    out
}

fn body_hash(body: &[u8]) -> String {
    hex::encode(sha2::Sha256::digest(body))
}

/// Everything one check needs, so the same logic serves `verify`, the URL variants and `sign`.
struct Request<'a> {
    method: &'a str,
    headers: &'a [Header],
    sig: &'a str,
}

impl Request<'_> {
    fn mac(&self, alg: Alg, key: &[u8], url: &str, body: &[u8]) -> Vec<u8> {
        let p = params(self.method, url, self.headers, body);
        common::hmac(alg, key, signed_string(url, &p).as_bytes())
    }

    /// The signature matches for exactly this URL, and the body hash (when used) agrees.
    fn matches_url(&self, alg: Alg, key: &[u8], url: &str, body: &[u8]) -> bool {
        let hash_ok = query_param(url, "bodySHA256")
            .is_none_or(|h| h.trim().eq_ignore_ascii_case(&body_hash(body)));
        hash_ok && common::signature_matches(Enc::Base64, &self.mac(alg, key, url, body), self.sig)
    }

    /// As the SDKs do: the URL as given, or with its default port toggled.
    fn matches(&self, alg: Alg, key: &[u8], url: &str, body: &[u8]) -> bool {
        self.matches_url(alg, key, url, body)
            || common::toggle_default_port(url)
                .is_some_and(|u| self.matches_url(alg, key, &u, body))
    }
}

impl Provider for Twilio {
    fn info(&self) -> &'static ProviderInfo {
        &INFO
    }

    fn detect(&self, req: &Inbound<'_>) -> Confidence {
        let ua = req.header("user-agent").unwrap_or_default();
        if req.header("x-twilio-signature").is_some()
            || req.header("i-twilio-idempotency-token").is_some()
            || ua.starts_with("TwilioProxy")
        {
            return Confidence::Strong;
        }
        let account = common::form_values(req.body, "AccountSid").any(|v| v.starts_with("AC"));
        if account {
            Confidence::Weak
        } else {
            Confidence::No
        }
    }

    fn event(&self, req: &Inbound<'_>) -> EventMeta {
        let form = common::form_pairs(req.body);
        let field = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
        let event_type = field("MessageStatus")
            .or_else(|| field("SmsStatus"))
            .map(|s| format!("message.{s}"))
            .or_else(|| field("CallStatus").map(|s| format!("call.{s}")))
            .or_else(|| common::body_field(req, &["type"]));
        let event_id = req
            .header("i-twilio-idempotency-token")
            .map(str::to_string)
            .or_else(|| field("MessageSid"))
            .or_else(|| field("CallSid"))
            .or_else(|| common::body_field(req, &["id"]));
        EventMeta {
            event_type,
            event_id,
        }
    }

    fn verify(&self, req: &Inbound<'_>, secrets: &[String]) -> SignatureReport {
        if secrets.is_empty() {
            return common::bare_report(
                SignatureStatus::NoSecret,
                "no secret: add the account's Auth Token (Console → Account → API keys & tokens), \
                 or the SharedKey secret",
            )
            .with_recipe(RECIPE);
        }
        let Some(sig) = req.header("x-twilio-signature").map(str::trim) else {
            return common::bare_report(SignatureStatus::Missing, "no `X-Twilio-Signature` header")
                .with_recipe(RECIPE);
        };
        let alg = algorithm(req.headers);
        let r = Request {
            method: req.method,
            headers: req.headers,
            sig,
        };
        let url = req.url;
        common::verify_symmetric(
            Parsed {
                provider: INFO.name,
                recipe: RECIPE,
                received: sig.into(),
                body: req.body,
                timestamp: None,
                tolerance_secs: None,
                now: req.now,
            },
            secrets,
            |s| Some(s.as_bytes().to_vec()),
            |key, body| r.matches(alg, key, url, body),
            |key| common::encode(Enc::Base64, &r.mac(alg, key, url, req.body)),
            || findings(&r, alg, url, req.body, secrets),
        )
    }

    fn sign(&self, input: &SignInput<'_>) -> Result<Vec<(String, String)>, SignError> {
        let stale_hash = query_param(input.url, "bodySHA256")
            .is_some_and(|hash| !hash.trim().eq_ignore_ascii_case(&body_hash(input.body)));
        if stale_hash {
            return Err(SignError::Unsupported(
                "twilio",
                "the URL's bodySHA256 does not match the body, and Twilio carries the body hash \
                 in the URL, which re-signing cannot change"
                    .into(),
            ));
        }
        let r = Request {
            method: input.method,
            headers: input.headers,
            sig: "",
        };
        let mac = r.mac(
            algorithm(input.headers),
            input.secret.as_bytes(),
            input.url,
            input.body,
        );
        Ok(vec![(
            "X-Twilio-Signature".into(),
            common::encode(Enc::Base64, &mac),
        )])
    }
}

/// Twilio-specific explanations: another URL, another algorithm, a body that no longer matches
/// its `bodySHA256`.
fn findings(
    r: &Request<'_>,
    alg: Alg,
    url: &str,
    body: &[u8],
    secrets: &[String],
) -> Vec<Diagnosis> {
    let keys: Vec<&[u8]> = secrets.iter().map(|s| s.as_bytes()).collect();
    let mut out: Vec<Diagnosis> = common::url_variants(url)
        .into_iter()
        .filter(|(u, _)| keys.iter().any(|k| r.matches_url(alg, k, u, body)))
        .map(|(_, what)| Diagnosis {
            code: "url_mismatch".into(),
            message: format!(
                "{what}, not `{url}`: set the endpoint's public URL to the one configured in \
                 Twilio (scheme, host, port and path as Twilio calls it)"
            ),
            explains: true,
        })
        .collect();
    let other = if alg == Alg::Sha1 {
        Alg::Sha256
    } else {
        Alg::Sha1
    };
    if keys.iter().any(|k| r.matches(other, k, url, body)) {
        out.push(Diagnosis {
            code: "algorithm_mismatch".into(),
            message: format!(
                "the signature is {} but the request says {}: the \
                 X-Twilio-Webhooks-Signature-Settings header was added or dropped on the way",
                other.name(),
                alg.name()
            ),
            explains: true,
        });
    }
    if let Some(hash) = query_param(url, "bodySHA256") {
        let url_signed = keys.iter().any(|k| {
            let mac = r.mac(alg, k, url, body);
            common::signature_matches(Enc::Base64, &mac, r.sig)
        });
        if url_signed && !hash.trim().eq_ignore_ascii_case(&body_hash(body)) {
            out.push(Diagnosis {
                code: "body_hash_mismatch".into(),
                message: "the URL's signature matches but its bodySHA256 is not the SHA-256 of \
                          the body: the body was changed after Twilio sent it"
                    .into(),
                explains: true,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Header as H;
    use crate::providers::testkit;

    // Twilio's docs example (also in the SDKs' tests).
    const TOKEN: &str = "12345";
    const URL: &str = "https://mycompany.com/myapp.php?foo=1&bar=2";
    const FORM: &[u8] = b"CallSid=CA1234567890ABCDE&Caller=%2B12349013030&Digits=1234&From=%2B12349013030&To=%2B18005551212";
    const SIG: &str = "0/KCTR6DLpKmkAf8muzZqo1nDgQ=";
    // The SDKs' bodySHA256 example.
    const JSON: &[u8] = br#"{"property": "value", "boolean": true}"#;
    const JSON_URL: &str = "https://mycompany.com/myapp.php?foo=1&bar=2&bodySHA256=0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620";
    const JSON_SIG: &str = "a9nBmqA0ju/hNViExpshrM61xv4=";

    fn form_headers(sig: &str) -> Vec<H> {
        vec![
            H::new("content-type", "application/x-www-form-urlencoded"),
            H::new("x-twilio-signature", sig),
        ]
    }

    fn verify(url: &str, headers: &[H], body: &[u8], secrets: &[&str]) -> SignatureReport {
        Twilio.verify(
            &testkit::request(url, headers, body, 0),
            &testkit::secrets(secrets),
        )
    }

    fn sign(url: &str, headers: &[H], body: &[u8], secret: &str) -> Result<String, SignError> {
        let input = SignInput {
            secret,
            body,
            timestamp: 0,
            url,
            method: "POST",
            headers,
        };
        Ok(Twilio.sign(&input)?.remove(0).1)
    }

    #[test]
    fn docs_vector_verifies_with_and_without_the_default_port_and_signs() {
        let h = form_headers(SIG);
        for url in [URL, "https://mycompany.com:443/myapp.php?foo=1&bar=2"] {
            let r = verify(url, &h, FORM, &[TOKEN]);
            assert_eq!(r.status, SignatureStatus::Valid, "{url}: {r:?}");
        }
        assert_eq!(sign(URL, &h, FORM, TOKEN).expect("sign"), SIG);
    }

    #[test]
    fn body_sha256_vector_verifies_and_a_changed_body_is_explained() {
        let h = [
            H::new("content-type", "application/json"),
            H::new("x-twilio-signature", JSON_SIG),
        ];
        let r = verify(JSON_URL, &h, JSON, &[TOKEN]);
        assert_eq!(r.status, SignatureStatus::Valid, "{r:?}");
        assert_eq!(sign(JSON_URL, &h, JSON, TOKEN).expect("sign"), JSON_SIG);
        let r = verify(JSON_URL, &h, br#"{"property": "other"}"#, &[TOKEN]);
        assert_eq!(r.status, SignatureStatus::Invalid);
        assert!(
            r.diagnosis
                .iter()
                .any(|d| d.code == "body_hash_mismatch" && d.explains)
        );
        assert!(matches!(
            sign(JSON_URL, &h, b"{}", TOKEN),
            Err(SignError::Unsupported(..))
        ));
    }

    #[test]
    fn shared_key_option_uses_hmac_sha256() {
        let mut h = form_headers("");
        h.push(H::new(SETTINGS, "key=KS123,algorithm=HMAC_SHA256"));
        // Python: base64(hmac.new(b"shared-key-secret", URL + sorted params, sha256).digest())
        let sig = sign(URL, &h, FORM, "shared-key-secret").expect("sign");
        assert_eq!(sig, "8SN8hdML70uZUwc2JSbC8GyArzkPS3D6VPVjfK/H87Q=");
        h[1] = H::new("x-twilio-signature", sig);
        assert_eq!(
            verify(URL, &h, FORM, &["shared-key-secret"]).status,
            SignatureStatus::Valid
        );
        // The settings header dropped by a proxy: the diagnosis names the algorithm.
        let stripped = &h[..2];
        let r = verify(URL, stripped, FORM, &["shared-key-secret"]);
        assert!(
            r.diagnosis
                .iter()
                .any(|d| d.code == "algorithm_mismatch" && d.explains),
            "{r:?}"
        );
    }

    #[test]
    fn repeated_params_add_each_distinct_value_sorted() {
        let p = common::form_pairs(b"b=2&a=9&b=1&b=2");
        assert_eq!(signed_string("u", &p), "ua9b1b2");
    }

    #[test]
    fn diagnosis_finds_the_http_url_seen_behind_a_proxy() {
        let h = form_headers(SIG);
        let r = verify(
            "http://mycompany.com/myapp.php?foo=1&bar=2",
            &h,
            FORM,
            &[TOKEN],
        );
        assert_eq!(r.status, SignatureStatus::Invalid);
        let first = r.diagnosis.first().expect("finding");
        assert_eq!(first.code, "url_mismatch");
        assert!(first.message.contains(URL), "{first:?}");
        assert!(!r.diagnosis.iter().any(|d| d.code == "wrong_secret"));
    }

    #[test]
    fn tamper_wrong_secret_missing_no_secret_rotation() {
        let h = form_headers(SIG);
        assert_eq!(
            verify(URL, &h, b"CallSid=CA1", &[TOKEN]).status,
            SignatureStatus::Invalid
        );
        let r = verify(URL, &h, FORM, &["54321"]);
        assert!(r.diagnosis.iter().any(|d| d.code == "wrong_secret"));
        assert_eq!(
            verify(URL, &h[..1], FORM, &[TOKEN]).status,
            SignatureStatus::Missing
        );
        assert_eq!(verify(URL, &h, FORM, &[]).status, SignatureStatus::NoSecret);
        let r = verify(URL, &h, FORM, &["54321", TOKEN]);
        assert_eq!(
            (r.status, r.secret_index),
            (SignatureStatus::Valid, Some(1))
        );
    }

    #[test]
    fn detection_and_event() {
        let body = b"AccountSid=AC123&MessageSid=SM42&MessageStatus=delivered";
        let req = Inbound {
            method: "POST",
            url: URL,
            headers: &[],
            body,
            now: 0,
            json: None,
        };
        assert_eq!(Twilio.detect(&req), Confidence::Weak);
        let meta = Twilio.event(&req);
        assert_eq!(meta.event_type.as_deref(), Some("message.delivered"));
        assert_eq!(meta.event_id.as_deref(), Some("SM42"));
        let h = form_headers(SIG);
        assert_eq!(
            Twilio.detect(&Inbound { headers: &h, ..req }),
            Confidence::Strong
        );
    }

    #[test]
    fn shared_symmetric_cases() {
        testkit::symmetric(
            &Twilio,
            "twilio-token",
            b"CallSid=CA1&From=%2B15550001111",
            0,
        );
    }
}

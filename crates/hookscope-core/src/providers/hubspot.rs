//! HubSpot, three signature versions. v3 (`X-HubSpot-Signature-v3`) is the base64 HMAC-SHA256,
//! keyed with the app's client secret, of `method + uri + body + X-HubSpot-Request-Timestamp`,
//! where the timestamp is Unix **milliseconds** and must be within 5 minutes. v1 and v2
//! (`X-HubSpot-Signature`, version in `X-HubSpot-Signature-Version`, v1 when absent) are plain
//! SHA-256 hashes, not HMACs: hex(SHA-256(secret + body)) and hex(SHA-256(secret + method + uri +
//! body)). v2 and v3 sign the URL HubSpot called, so a proxy that changes the scheme, host or
//! path breaks them; HubSpot's docs also say to decode a handful of percent-escapes in the URI
//! before signing v3 while its SDKs use it verbatim, so both forms are accepted.

use sha2::Digest as _;

use super::common::{self, Alg, Enc};
use super::{
    Confidence, Diagnosis, EventMeta, Inbound, Provider, ProviderInfo, SignError, SignInput,
    SignatureReport, SignatureStatus,
};

pub struct HubSpot;

const V3: &str = "x-hubspot-signature-v3";
const V3_TIMESTAMP: &str = "x-hubspot-request-timestamp";
const LEGACY: &str = "x-hubspot-signature";
const VERSION: &str = "x-hubspot-signature-version";
const TOLERANCE: i64 = 300;

static INFO: ProviderInfo = ProviderInfo {
    id: "hubspot",
    name: "HubSpot",
    docs_url: "https://developers.hubspot.com/docs/api/webhooks/validating-requests",
    scheme: "v3: base64(HMAC-SHA256(client secret, method + uri + body + timestamp ms)), 5 min; \
             v2: hex(SHA-256(secret + method + uri + body)); v1: hex(SHA-256(secret + body))",
    signature_headers: &[V3, V3_TIMESTAMP, LEGACY, VERSION],
    secret_kind: "the app's client secret (app settings → Auth), not an access token",
    retries: "up to 10 times over 24 h (unconfirmed)",
    tolerance_secs: Some(TOLERANCE),
};

/// The percent-escapes HubSpot's docs decode in the v3 URI: `: / ? @ ! $ ' ( ) * , ;`.
fn docs_decoded(url: &str) -> String {
    const DECODED: [(&str, char); 12] = [
        ("3A", ':'),
        ("2F", '/'),
        ("3F", '?'),
        ("40", '@'),
        ("21", '!'),
        ("24", '$'),
        ("27", '\''),
        ("28", '('),
        ("29", ')'),
        ("2A", '*'),
        ("2C", ','),
        ("3B", ';'),
    ];
    let mut out = String::with_capacity(url.len());
    let mut rest = url;
    while let Some(at) = rest.find('%') {
        out.push_str(&rest[..at]);
        let tail = &rest[at + 1..];
        let hit = tail.get(..2).and_then(|code| {
            DECODED
                .iter()
                .find(|(c, _)| c.eq_ignore_ascii_case(code))
                .map(|(_, ch)| *ch)
        });
        match hit {
            Some(ch) => {
                out.push(ch);
                rest = tail.get(2..).unwrap_or_default();
            }
            None => {
                out.push('%');
                rest = tail;
            }
        }
    }
    out.push_str(rest);
    out
}

/// URLs the provider may really have called when the one we rebuilt does not match: the other
/// scheme (TLS ended at a proxy), with/without a trailing slash, without the query.
fn url_alternatives(url: &str) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(rest) = url.strip_prefix("http://") {
        out.push(format!("https://{rest}"));
    } else if let Some(rest) = url.strip_prefix("https://") {
        out.push(format!("http://{rest}"));
    }
    let (path, query) = url
        .split_once('?')
        .map_or((url, None), |(p, q)| (p, Some(q)));
    let toggled = match path.strip_suffix('/') {
        Some(p) => p.to_owned(),
        None => format!("{path}/"),
    };
    out.push(match query {
        Some(q) => format!("{toggled}?{q}"),
        None => toggled,
    });
    if query.is_some() {
        out.push(path.to_owned());
    }
    out
}

fn v3_mac(key: &[u8], method: &str, uri: &str, body: &[u8], ts: &str) -> Vec<u8> {
    let mut msg = Vec::with_capacity(method.len() + uri.len() + body.len() + ts.len());
    msg.extend_from_slice(method.as_bytes());
    msg.extend_from_slice(uri.as_bytes());
    msg.extend_from_slice(body);
    msg.extend_from_slice(ts.as_bytes());
    common::hmac(Alg::Sha256, key, &msg)
}

/// v1 when `uri` is `None`, v2 otherwise.
fn legacy_hash(key: &[u8], method_uri: Option<(&str, &str)>, body: &[u8]) -> Vec<u8> {
    let mut h = sha2::Sha256::new();
    h.update(key);
    if let Some((method, uri)) = method_uri {
        h.update(method.as_bytes());
        h.update(uri.as_bytes());
    }
    h.update(body);
    h.finalize().to_vec()
}

fn url_diagnosis(
    secrets: &[String],
    url: &str,
    matches_with: impl Fn(&[u8], &str) -> bool,
) -> Vec<Diagnosis> {
    if !url.contains("://") {
        return vec![Diagnosis {
            code: "url_unknown".into(),
            message: format!(
                "this version signs the full URL HubSpot called, but the URL here is `{url}`: \
                 set the endpoint's public URL"
            ),
            explains: false,
        }];
    }
    url_alternatives(url)
        .into_iter()
        .filter(|alt| secrets.iter().any(|s| matches_with(s.as_bytes(), alt)))
        .map(|alt| Diagnosis {
            code: "url_mismatch".into(),
            message: format!(
                "the signature matches for the URL `{alt}` instead of `{url}`: HubSpot called \
                 that URL (a proxy changed it); set the endpoint's public URL to it"
            ),
            explains: true,
        })
        .collect()
}

impl HubSpot {
    fn verify_v3(&self, req: &Inbound<'_>, secrets: &[String], received: &str) -> SignatureReport {
        let mut report = common::bare_report(SignatureStatus::Invalid, "");
        report.recipe = Some(
            "v3: base64(HMAC-SHA256(client secret, method + uri + raw body + \
             X-HubSpot-Request-Timestamp))"
                .into(),
        );
        report.received = Some(received.to_owned());
        let Some(ts) = req.header(V3_TIMESTAMP).map(str::trim) else {
            report.status = SignatureStatus::Missing;
            report.reason = "X-HubSpot-Signature-v3 came without X-HubSpot-Request-Timestamp, \
                             which is part of the signed string"
                .into();
            return report;
        };
        let method = req.method;
        let decoded = docs_decoded(req.url);
        let uris = [req.url, decoded.as_str()];
        let with_uri = |key: &[u8], body: &[u8], uri: &str| {
            common::signature_matches(Enc::Base64, &v3_mac(key, method, uri, body, ts), received)
        };
        let check = |key: &[u8], body: &[u8]| uris.iter().any(|u| with_uri(key, body, u));
        if let Some(first) = secrets.first() {
            report.expected = Some(common::encode(
                Enc::Base64,
                &v3_mac(first.as_bytes(), method, req.url, req.body, ts),
            ));
        }
        let Some(i) = secrets.iter().position(|s| check(s.as_bytes(), req.body)) else {
            report.reason = "the v3 signature does not match any configured client secret".into();
            report.diagnosis = url_diagnosis(secrets, req.url, |k, u| with_uri(k, req.body, u));
            if report.diagnosis.iter().all(|d| !d.explains) {
                report
                    .diagnosis
                    .extend(common::diagnose(secrets, req.body, check));
            }
            return report;
        };
        report.secret_index = Some(i);
        let Ok(ms) = ts.parse::<i64>() else {
            report.status = SignatureStatus::Valid;
            report.reason = format!(
                "the signature matches, but the timestamp `{ts}` is not a number, so its age was \
                 not checked"
            );
            return report;
        };
        let age = common::check_timestamp(ms.div_euclid(1000), req.now, TOLERANCE);
        report.timestamp_age_secs = Some(age.age_secs);
        if age.within {
            report.status = SignatureStatus::Valid;
            report.reason = "the v3 signature matches".into();
            return report;
        }
        report.status = SignatureStatus::Stale;
        report.reason = format!(
            "the v3 signature matches, but X-HubSpot-Request-Timestamp is {} s old and HubSpot's \
             window is {TOLERANCE} s",
            age.age_secs
        );
        if common::check_timestamp(ms, req.now, TOLERANCE).within {
            report.diagnosis.push(Diagnosis {
                code: "timestamp_seconds_not_ms".into(),
                message: "the timestamp is within the window when read as seconds: HubSpot \
                          sends milliseconds, so whatever signed this used seconds"
                    .into(),
                explains: true,
            });
        }
        report
    }

    fn verify_legacy(
        &self,
        req: &Inbound<'_>,
        secrets: &[String],
        received: &str,
    ) -> SignatureReport {
        let mut report = common::bare_report(SignatureStatus::Invalid, "");
        report.received = Some(received.to_owned());
        let version = req.header(VERSION).map_or("v1", str::trim);
        let v2 = match version {
            "v1" => false,
            "v2" => true,
            other => {
                report.status = SignatureStatus::Missing;
                report.reason = format!(
                    "X-HubSpot-Signature-Version is `{other}`; expected v1 or v2 (v3 travels in \
                     X-HubSpot-Signature-v3)"
                );
                return report;
            }
        };
        report.recipe = Some(if v2 {
            "v2: hex(SHA-256(client secret + method + uri + raw body)), a plain hash".into()
        } else {
            "v1: hex(SHA-256(client secret + raw body)), a plain hash".into()
        });
        let method = req.method;
        let hash = |key: &[u8], body: &[u8], uri: &str| {
            legacy_hash(key, v2.then_some((method, uri)), body)
        };
        let check = |key: &[u8], body: &[u8]| {
            common::signature_matches(Enc::Hex, &hash(key, body, req.url), received)
        };
        if let Some(first) = secrets.first() {
            report.expected = Some(common::encode(
                Enc::Hex,
                &hash(first.as_bytes(), req.body, req.url),
            ));
        }
        if let Some(i) = secrets.iter().position(|s| check(s.as_bytes(), req.body)) {
            report.status = SignatureStatus::Valid;
            report.reason = format!("the {version} signature matches");
            report.secret_index = Some(i);
            return report;
        }
        report.reason = format!("the {version} signature does not match any configured secret");
        if v2 {
            report.diagnosis = url_diagnosis(secrets, req.url, |k, u| {
                common::signature_matches(Enc::Hex, &hash(k, req.body, u), received)
            });
        }
        if report.diagnosis.iter().all(|d| !d.explains) {
            report
                .diagnosis
                .extend(common::diagnose(secrets, req.body, check));
        }
        report
    }
}

impl Provider for HubSpot {
    fn info(&self) -> &'static ProviderInfo {
        &INFO
    }

    fn detect(&self, req: &Inbound<'_>) -> Confidence {
        if req.header(V3).is_some() || req.header(LEGACY).is_some() {
            return Confidence::Strong;
        }
        let agent = req
            .header("user-agent")
            .is_some_and(|ua| ua.starts_with("HubSpot"));
        let body = common::body_json(req);
        let shaped = body
            .as_ref()
            .and_then(|v| v.as_array())
            .and_then(|events| events.first())
            .is_some_and(|e| e.get("subscriptionType").is_some() && e.get("portalId").is_some());
        if agent || shaped {
            Confidence::Weak
        } else {
            Confidence::No
        }
    }

    fn event(&self, req: &Inbound<'_>) -> EventMeta {
        let body = common::body_json(req);
        let first = body
            .as_deref()
            .and_then(|v| v.as_array().map_or(Some(v), |a| a.first()));
        let field = |name: &str| {
            first.and_then(|e| e.get(name)).and_then(|v| match v {
                serde_json::Value::String(s) => Some(s.clone()),
                serde_json::Value::Number(n) => Some(n.to_string()),
                _ => None,
            })
        };
        EventMeta {
            event_type: field("subscriptionType"),
            event_id: field("eventId"),
        }
    }

    fn verify(&self, req: &Inbound<'_>, secrets: &[String]) -> SignatureReport {
        let v3 = req.header(V3).map(str::trim).filter(|s| !s.is_empty());
        let legacy = req.header(LEGACY).map(str::trim).filter(|s| !s.is_empty());
        if secrets.is_empty() {
            let mut report = common::bare_report(
                SignatureStatus::NoSecret,
                "no client secret configured: add the HubSpot app's client secret",
            );
            report.recipe = Some(
                "v3: base64(HMAC-SHA256(client secret, method + uri + body + timestamp))".into(),
            );
            return report;
        }
        match (v3, legacy) {
            (Some(sig), _) => self.verify_v3(req, secrets, sig),
            (None, Some(sig)) => self.verify_legacy(req, secrets, sig),
            (None, None) => {
                let mut report = common::bare_report(
                    SignatureStatus::Missing,
                    "no X-HubSpot-Signature-v3 or X-HubSpot-Signature header",
                );
                report.recipe = Some(
                    "v3: base64(HMAC-SHA256(client secret, method + uri + body + timestamp))"
                        .into(),
                );
                report
            }
        }
    }

    /// Signs as v3 (what current HubSpot apps receive); the URL is part of the signed string.
    fn sign(&self, input: &SignInput<'_>) -> Result<Vec<(String, String)>, SignError> {
        if !input.url.contains("://") {
            return Err(SignError::Unsupported(
                "hubspot",
                "v3 signs the absolute URL HubSpot calls; set the endpoint's public URL".into(),
            ));
        }
        let ts = input.timestamp.saturating_mul(1000).to_string();
        let mac = v3_mac(
            input.secret.as_bytes(),
            input.method,
            input.url,
            input.body,
            &ts,
        );
        Ok(vec![
            (
                "X-HubSpot-Signature-v3".into(),
                common::encode(Enc::Base64, &mac),
            ),
            ("X-HubSpot-Request-Timestamp".into(), ts),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Header;
    use crate::providers::testkit;

    // The HubSpot SDK test fixture (hubspot-api-python tests/spec/utils/test_signature.py).
    const SECRET: &str = "yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy";
    const SDK_BODY: &[u8] = b"{'example_field':'example_value'}";
    const SDK_URL: &str = "https://www.example.com/webhook_uri";
    // The example in HubSpot's "validating requests" docs (v1).
    const DOCS_BODY: &[u8] = br#"[{"eventId":1,"subscriptionId":12345,"portalId":62515,"occurredAt":1564113600000,"subscriptionType":"contact.creation","attemptNumber":0,"objectId":123,"changeSource":"CRM","changeFlag":"NEW","appId":54321}]"#;

    fn req<'a>(
        method: &'a str,
        url: &'a str,
        headers: &'a [Header],
        body: &'a [u8],
        now: i64,
    ) -> Inbound<'a> {
        Inbound {
            method,
            url,
            headers,
            body,
            now,
            json: None,
        }
    }

    fn secrets(s: &[&str]) -> Vec<String> {
        s.iter().map(|s| s.to_string()).collect()
    }

    fn v3_headers(secret: &str, url: &str, body: &[u8], ts: i64) -> Vec<Header> {
        let input = SignInput {
            secret,
            body,
            timestamp: ts,
            url,
            method: "POST",
            headers: &[],
        };
        HubSpot
            .sign(&input)
            .expect("signs with an absolute URL")
            .into_iter()
            .map(|(n, v)| Header::new(n.to_ascii_lowercase(), v))
            .collect()
    }

    #[test]
    fn published_v1_vectors() {
        let docs = [Header::new(
            LEGACY,
            "232db2615f3d666fe21a8ec971ac7b5402d33b9a925784df3ca654d05f4817de",
        )];
        let r = HubSpot.verify(&req("POST", "", &docs, DOCS_BODY, 0), &secrets(&[SECRET]));
        assert_eq!(r.status, SignatureStatus::Valid, "{r:?}");
        let sdk = [
            Header::new(
                LEGACY,
                "69fc6631a867edd4f9e9e627fc5c1148e3fbdd8b21837b6d2b8901c1fa57f750",
            ),
            Header::new(VERSION, "v1"),
        ];
        let r = HubSpot.verify(&req("POST", "", &sdk, SDK_BODY, 0), &secrets(&[SECRET]));
        assert_eq!(r.status, SignatureStatus::Valid);
    }

    #[test]
    fn published_v2_vectors() {
        let post = [
            Header::new(
                LEGACY,
                "4fe4e3a7d3cf09db53be39d0a58130e2aaba074ec123a9e355b876a689a1c383",
            ),
            Header::new(VERSION, "v2"),
        ];
        let r = HubSpot.verify(
            &req("POST", SDK_URL, &post, SDK_BODY, 0),
            &secrets(&[SECRET]),
        );
        assert_eq!(r.status, SignatureStatus::Valid);
        let get = [
            Header::new(
                LEGACY,
                "eee2dddcc73c94d699f5e395f4b9d454a069a6855fbfa152e91e88823087200e",
            ),
            Header::new(VERSION, "v2"),
        ];
        let r = HubSpot.verify(&req("GET", SDK_URL, &get, b"", 0), &secrets(&[SECRET]));
        assert_eq!(r.status, SignatureStatus::Valid);
        let r = HubSpot.verify(&req("POST", SDK_URL, &get, b"", 0), &secrets(&[SECRET]));
        assert_eq!(r.status, SignatureStatus::Invalid);
    }

    #[test]
    fn published_v3_vector_and_its_window() {
        let headers = [
            Header::new(V3, "HPW73RUtKmcYoEDADG0s6MmGFWUzWJKAW07r8RDgcQw="),
            Header::new(V3_TIMESTAMP, "15000000"),
        ];
        let r = HubSpot.verify(
            &req("POST", SDK_URL, &headers, SDK_BODY, 15_000 + 299),
            &secrets(&[SECRET]),
        );
        assert_eq!(
            (r.status, r.timestamp_age_secs),
            (SignatureStatus::Valid, Some(299))
        );
        let r = HubSpot.verify(
            &req("POST", SDK_URL, &headers, SDK_BODY, 15_000 + 301),
            &secrets(&[SECRET]),
        );
        assert_eq!(r.status, SignatureStatus::Stale);
        assert!(r.reason.contains("301 s") && r.reason.contains("300 s"));
    }

    #[test]
    fn a_relative_url_cannot_be_signed() {
        let input = SignInput {
            secret: "s",
            body: b"",
            timestamp: 0,
            url: "/relative",
            method: "POST",
            headers: &[],
        };
        assert!(matches!(
            HubSpot.sign(&input),
            Err(SignError::Unsupported(..))
        ));
    }

    #[test]
    fn v3_accepts_the_docs_decoded_uri() {
        let called = "https://example.test/hook?email=a%40b.test&x=%2C";
        let decoded = "https://example.test/hook?email=a@b.test&x=,";
        assert_eq!(docs_decoded(called), decoded);
        assert_eq!(docs_decoded("%zz%2f%"), "%zz/%");
        let headers = v3_headers("s", decoded, b"[]", 1_000);
        let r = HubSpot.verify(
            &req("POST", called, &headers, b"[]", 1_000),
            &secrets(&["s"]),
        );
        assert_eq!(r.status, SignatureStatus::Valid);
    }

    #[test]
    fn diagnosis_explains_url_scheme_and_seconds_timestamps() {
        let headers = v3_headers("s", "https://example.test/hook", b"[]", 1_000);
        let behind_proxy = req("POST", "http://example.test/hook", &headers, b"[]", 1_000);
        let r = HubSpot.verify(&behind_proxy, &secrets(&["s"]));
        assert_eq!(r.status, SignatureStatus::Invalid);
        assert!(
            r.diagnosis
                .iter()
                .any(|d| d.code == "url_mismatch" && d.explains)
        );

        let ts = "1000";
        let mac = v3_mac(b"s", "POST", "https://e.test/h", b"[]", ts);
        let headers = [
            Header::new(V3, common::encode(Enc::Base64, &mac)),
            Header::new(V3_TIMESTAMP, ts),
        ];
        let r = HubSpot.verify(
            &req("POST", "https://e.test/h", &headers, b"[]", 1_010),
            &secrets(&["s"]),
        );
        assert_eq!(r.status, SignatureStatus::Stale);
        assert!(
            r.diagnosis
                .iter()
                .any(|d| d.code == "timestamp_seconds_not_ms" && d.explains)
        );

        let v1 = [Header::new(
            LEGACY,
            common::encode(Enc::Hex, &legacy_hash(b"s", None, b"id=1")),
        )];
        let r = HubSpot.verify(&req("POST", "", &v1, b"id=1\n", 0), &secrets(&["s"]));
        assert!(
            r.diagnosis
                .iter()
                .any(|d| d.code == "body_trailing_newline" && d.explains)
        );
    }

    #[test]
    fn missing_bad_version_and_no_secret() {
        let r = HubSpot.verify(&req("POST", SDK_URL, &[], b"[]", 0), &secrets(&["s"]));
        assert_eq!(r.status, SignatureStatus::Missing);
        let no_ts = [Header::new(V3, "abc")];
        let r = HubSpot.verify(&req("POST", SDK_URL, &no_ts, b"[]", 0), &secrets(&["s"]));
        assert_eq!(r.status, SignatureStatus::Missing);
        let bad = [Header::new(LEGACY, "abc"), Header::new(VERSION, "v9")];
        let r = HubSpot.verify(&req("POST", SDK_URL, &bad, b"[]", 0), &secrets(&["s"]));
        assert_eq!(r.status, SignatureStatus::Missing);
        let r = HubSpot.verify(&req("POST", SDK_URL, &bad, b"[]", 0), &[]);
        assert_eq!(r.status, SignatureStatus::NoSecret);
    }

    #[test]
    fn event_and_detection() {
        let r = req("POST", "", &[], DOCS_BODY, 0);
        assert_eq!(HubSpot.detect(&r), Confidence::Weak);
        let meta = HubSpot.event(&r);
        assert_eq!(meta.event_type.as_deref(), Some("contact.creation"));
        assert_eq!(meta.event_id.as_deref(), Some("1"));
        let signed = [Header::new(LEGACY, "x")];
        assert_eq!(
            HubSpot.detect(&req("POST", "", &signed, b"", 0)),
            Confidence::Strong
        );
        assert_eq!(
            HubSpot.detect(&req("POST", "", &[], b"\xff", 0)),
            Confidence::No
        );
    }

    #[test]
    fn shared_symmetric_cases() {
        testkit::symmetric(&HubSpot, SECRET, br#"[{\"eventId\":1}]"#, 1_700_000_000);
        testkit::stale(&HubSpot, SECRET, br#"[{\"eventId\":1}]"#, 1_700_000_000);
    }
}

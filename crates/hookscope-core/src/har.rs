//! HAR 1.2 (the HTTP Archive format of browser devtools) for captured requests.
//!
//! Export: one entry per event. The request is described in HAR's own fields (method, URL from
//! the `Host` header and the path as sent, headers, query, `postData`); what HAR has no field for
//! goes under `_hookscope` (endpoint, exact header bytes, analysis), and a body that is not UTF-8
//! is `postData.text` in base64 with `postData._encoding = "base64"`. The response is the answer
//! Hookscope gave (status only; it keeps no reply body).
//!
//! Import reads HAR from any tool: `_hookscope` when present (a Hookscope export round-trips
//! every field), HAR's fields otherwise; HTTP/2 pseudo-headers (`:path`, …) are skipped.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

use crate::event_json::{parse_rfc3339_us, rfc3339_us};
use crate::import::{Incoming, Kept};
use crate::model::{Event, Header, RawRequest, Rejection};
use crate::store::{decode_headers, encode_headers};

/// The document's opening, up to the entries.
pub fn document_start() -> String {
    let creator = json!({ "name": "Hookscope", "version": env!("CARGO_PKG_VERSION") });
    format!(r#"{{"log":{{"version":"1.2","creator":{creator},"entries":["#)
}

/// The document's end, after the entries.
pub const DOCUMENT_END: &str = "]}}\n";

/// One HAR entry for an event.
pub fn entry(ev: &Event) -> Value {
    let s = &ev.summary;
    let headers: Vec<Value> = ev
        .headers
        .iter()
        .map(|h| json!({ "name": h.name, "value": h.value_lossy() }))
        .collect();
    let query: Vec<Value> = s
        .query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (name, value) = p.split_once('=').unwrap_or((p, ""));
            json!({ "name": name, "value": value })
        })
        .collect();
    let mut request = json!({
        "method": s.method,
        "url": crate::curl::original_url(ev),
        "httpVersion": ev.http_version,
        "cookies": [],
        "headers": headers,
        "queryString": query,
        "headersSize": -1,
        "bodySize": ev.body.len(),
    });
    if !ev.body.is_empty() {
        let mime = s.content_type.clone().unwrap_or_default();
        request["postData"] = match std::str::from_utf8(&ev.body) {
            Ok(text) => json!({ "mimeType": mime, "text": text }),
            Err(_) => {
                json!({ "mimeType": mime, "text": STANDARD.encode(&ev.body), "_encoding": "base64" })
            }
        };
    }
    json!({
        "startedDateTime": rfc3339_us(s.received_at_us),
        "time": 0,
        "request": request,
        "response": {
            "status": s.response_status,
            "statusText": "",
            "httpVersion": ev.http_version,
            "cookies": [],
            "headers": [],
            "content": { "size": 0, "mimeType": "" },
            "redirectURL": "",
            "headersSize": -1,
            "bodySize": -1,
        },
        "cache": {},
        "timings": { "send": 0, "wait": 0, "receive": 0 },
        "_hookscope": {
            "id": s.id,
            "endpoint": s.endpoint,
            "path": s.path,
            "query": s.query,
            "headers_base64": STANDARD.encode(encode_headers(&ev.headers)),
            "remote_addr": ev.remote_addr,
            "rejected": ev.rejection,
            "provider": s.provider,
            "event_type": s.event_type,
            "event_id": s.event_id,
            "signature": ev.signature,
            "imported": ev.imported,
        },
    })
}

/// Read a HAR document into requests to import; an error names the entry and the reason.
pub fn parse(doc: &Value) -> Result<Vec<Incoming>, String> {
    let entries = doc
        .pointer("/log/entries")
        .and_then(Value::as_array)
        .ok_or("not a HAR file: no log.entries array")?;
    entries
        .iter()
        .enumerate()
        .map(|(i, e)| parse_entry(e).map_err(|why| format!("entry {}: {why}", i + 1)))
        .collect()
}

fn text<'a>(v: &'a Value, pointer: &str) -> Option<&'a str> {
    v.pointer(pointer).and_then(Value::as_str)
}

fn parse_entry(e: &Value) -> Result<Incoming, String> {
    let method = text(e, "/request/method").ok_or("request.method is missing")?;
    let url = text(e, "/request/url").ok_or("request.url is missing")?;
    let started = text(e, "/startedDateTime").ok_or("startedDateTime is missing")?;
    let received_at_us = parse_rfc3339_us(started)
        .ok_or_else(|| format!("startedDateTime {started:?} is not an ISO 8601 time"))?;
    let ours = e.get("_hookscope");
    let ours_text = |key: &str| ours.and_then(|h| h.get(key)).and_then(Value::as_str);
    let (url_path, url_query) = split_url(url)?;
    let path = ours_text("path").map_or(url_path, str::to_string);
    let query = ours_text("query").map_or(url_query, str::to_string);
    let headers = match ours_text("headers_base64") {
        Some(b64) => decode_headers(
            &STANDARD
                .decode(b64)
                .map_err(|e| format!("_hookscope.headers_base64: {e}"))?,
        ),
        None => e
            .pointer("/request/headers")
            .and_then(Value::as_array)
            .map(|list| {
                list.iter()
                    .filter_map(|h| Some((h.get("name")?.as_str()?, h.get("value")?.as_str()?)))
                    .filter(|(name, _)| !name.starts_with(':'))
                    .map(|(name, value)| Header::new(name.to_ascii_lowercase(), value))
                    .collect()
            })
            .unwrap_or_default(),
    };
    let body = match e.pointer("/request/postData") {
        Some(post) => {
            let text = post.get("text").and_then(Value::as_str).unwrap_or("");
            let base64 = [post.get("_encoding"), post.get("encoding")]
                .into_iter()
                .flatten()
                .any(|v| v.as_str() == Some("base64"));
            if base64 {
                STANDARD
                    .decode(text)
                    .map_err(|e| format!("request.postData.text is not base64: {e}"))?
            } else {
                text.as_bytes().to_vec()
            }
        }
        None => Vec::new(),
    };
    let rejection: Option<Rejection> = ours
        .and_then(|h| h.get("rejected"))
        .filter(|v| !v.is_null())
        .map(|v| serde_json::from_value(v.clone()))
        .transpose()
        .map_err(|e| format!("_hookscope.rejected: {e}"))?;
    let status = e
        .pointer("/response/status")
        .and_then(Value::as_u64)
        .and_then(|s| u16::try_from(s).ok())
        .unwrap_or(0);
    let kept = ours.map(|h| Kept {
        provider: h
            .get("provider")
            .and_then(Value::as_str)
            .map(str::to_string),
        event_type: h
            .get("event_type")
            .and_then(Value::as_str)
            .map(str::to_string),
        event_id: h
            .get("event_id")
            .and_then(Value::as_str)
            .map(str::to_string),
        signature: h.get("signature").filter(|v| !v.is_null()).cloned(),
    });
    Ok(Incoming {
        endpoint: ours_text("endpoint").map(str::to_string),
        raw: RawRequest {
            method: method.to_string(),
            path,
            query,
            http_version: text(e, "/request/httpVersion")
                .unwrap_or("HTTP/1.1")
                .to_string(),
            headers,
            body,
            remote_addr: ours_text("remote_addr").map(str::to_string),
            received_at_us,
            rejection,
        },
        response_status: status,
        kept,
    })
}

/// Path and raw query of an absolute (or origin-form) URL; the fragment is dropped.
fn split_url(url: &str) -> Result<(String, String), String> {
    let rest = if let Some(after) = url.split_once("://").map(|(_, r)| r) {
        after.find('/').map_or("/", |i| &after[i..])
    } else if url.starts_with('/') {
        url
    } else {
        return Err(format!("request.url {url:?} is not a URL"));
    };
    let rest = rest.split('#').next().unwrap_or(rest);
    Ok(match rest.split_once('?') {
        Some((p, q)) => (p.to_string(), q.to_string()),
        None => (rest.to_string(), String::new()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_urls_and_names_bad_entries() {
        assert_eq!(
            split_url("https://h:1/a/b?x=1&y#frag").unwrap(),
            ("/a/b".into(), "x=1&y".into())
        );
        assert_eq!(split_url("http://h").unwrap(), ("/".into(), String::new()));
        assert!(split_url("nope").is_err());
        let doc = json!({ "log": { "entries": [
            { "startedDateTime": "2025-01-01T00:00:00Z", "request": { "method": "GET", "url": "http://h/" } },
            { "request": { "method": "GET", "url": "http://h/" } }
        ]}});
        assert_eq!(
            parse(&doc).unwrap_err(),
            "entry 2: startedDateTime is missing"
        );
    }
}

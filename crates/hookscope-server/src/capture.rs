//! The one handler: HTTP in, the core's pipeline, the endpoint's answer out (its response
//! rule, or the forward target's own answer when the endpoint is set to respond with it).

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderName, HeaderValue, Request, Response, StatusCode};
use hookscope_core::model::{Endpoint, Header, RawRequest, Rejection};
use hookscope_core::{Engine, respond, store};
use http_body_util::BodyExt;

/// Bodies above this size are analysed on a blocking thread so hashing and decoding a large
/// body never stalls the async workers.
const INLINE_ANALYSIS_MAX: usize = 256 * 1024;

pub async fn capture(
    State(engine): State<Engine>,
    ConnectInfo(remote): ConnectInfo<SocketAddr>,
    request: Request<Body>,
) -> Response<Body> {
    let received_at_us = store::now_us();
    let (parts, body) = request.into_parts();
    let path = parts.uri.path().to_string();
    let endpoint = match engine.route(&path) {
        Ok(ep) => ep,
        Err(e) => return store_failed(&e.to_string()),
    };
    let headers: Vec<Header> = parts
        .headers
        .iter()
        .map(|(name, value)| Header::new(name.as_str(), value.as_bytes()))
        .collect();
    let declared_size = parts
        .headers
        .get("content-length")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let (body, rejection) = read_body(body, declared_size, &endpoint).await;
    let raw = RawRequest {
        method: parts.method.as_str().to_string(),
        path,
        query: parts.uri.query().unwrap_or("").to_string(),
        http_version: format!("{:?}", parts.version),
        headers,
        body,
        remote_addr: Some(remote.to_string()),
        received_at_us,
        rejection,
    };
    let (method, path, size) = (raw.method.clone(), raw.path.clone(), raw.recorded_size());
    let now = time_now();
    let prepared = if raw.body.len() > INLINE_ANALYSIS_MAX {
        let for_analysis = endpoint.clone();
        tokio::task::spawn_blocking(move || {
            hookscope_core::capture::prepare(&for_analysis, raw, now)
        })
        .await
        .map_err(|e| hookscope_core::Error::invalid(format!("analysis failed: {e}")))
    } else {
        Ok(hookscope_core::capture::prepare(&endpoint, raw, now))
    };
    // Answered by the forward target: marked so when stored, tried once it is committed.
    let mut by_target = None;
    let result = match prepared {
        Ok(mut prepared) => {
            by_target = engine
                .respond_by_target(&endpoint.slug)
                .filter(|_| prepared.answer_by_target());
            engine.commit(&endpoint, prepared).await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(captured) => {
            if let Some(timeout) = by_target {
                let relayed = respond::answer_from_target(&engine, captured.id, timeout).await;
                tracing::info!(
                    target: "hookscope::request",
                    "#{} {method} {path} {size}B -> {} (the forward target's answer)",
                    captured.id,
                    relayed.status
                );
                return relayed_response(relayed);
            }
            tracing::info!(
                target: "hookscope::request",
                "#{} {method} {path} {size}B -> {}{}",
                captured.id,
                captured.reply.status,
                captured.duplicate_of.map(|d| format!(" (duplicate of #{d})")).unwrap_or_default()
            );
            if !captured.delay.is_zero() {
                tokio::time::sleep(captured.delay).await;
            }
            to_response(captured.reply)
        }
        Err(e) => {
            tracing::error!("{method} {path} {size}B NOT STORED -> 503: {e}");
            store_failed(&e.to_string())
        }
    }
}

fn time_now() -> i64 {
    store::now_us() / 1_000_000
}

/// Read the body up to the endpoint's limit. Over the limit, stop reading and keep nothing but
/// the sizes; a body cut short by the client is kept as far as it arrived.
async fn read_body(
    body: Body,
    declared: Option<u64>,
    endpoint: &Endpoint,
) -> (Vec<u8>, Option<Rejection>) {
    let limit = endpoint.max_body;
    let too_large = |declared| {
        Some(Rejection {
            reason: "too_large".into(),
            declared_size: declared,
            limit,
        })
    };
    if declared.is_some_and(|d| d > limit) {
        return (Vec::new(), too_large(declared));
    }
    let capacity = declared
        .and_then(|d| usize::try_from(d).ok())
        .unwrap_or(0)
        .min(1 << 20);
    let mut out = Vec::with_capacity(capacity);
    let mut body = body;
    while let Some(frame) = body.frame().await {
        match frame {
            Ok(frame) => {
                if let Ok(data) = frame.into_data() {
                    if (out.len() + data.len()) as u64 > limit {
                        let seen = (out.len() + data.len()) as u64;
                        return (Vec::new(), too_large(Some(declared.unwrap_or(seen))));
                    }
                    out.extend_from_slice(&data);
                }
            }
            Err(e) => {
                let reason = format!("incomplete: {e}");
                return (
                    out,
                    Some(Rejection {
                        reason,
                        declared_size: declared,
                        limit,
                    }),
                );
            }
        }
    }
    (out, None)
}

fn to_response(reply: hookscope_core::model::Reply) -> Response<Body> {
    let mut response = Response::new(Body::from(reply.body));
    *response.status_mut() = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::OK);
    for (name, value) in reply.headers {
        if let (Ok(name), Ok(value)) = (HeaderName::try_from(name), HeaderValue::try_from(value)) {
            response.headers_mut().append(name, value);
        }
    }
    response
}

/// The target's answer as it came (header values as bytes); headers hyper refuses are dropped.
fn relayed_response(relayed: respond::Relayed) -> Response<Body> {
    let mut response = Response::new(Body::from(relayed.body));
    *response.status_mut() =
        StatusCode::from_u16(relayed.status).unwrap_or(StatusCode::BAD_GATEWAY);
    for h in relayed.headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(h.name.as_bytes()),
            HeaderValue::from_bytes(&h.value),
        ) {
            response.headers_mut().append(name, value);
        }
    }
    response
}

fn store_failed(reason: &str) -> Response<Body> {
    let body = serde_json::json!({
        "error": "store_failed",
        "message": format!("Hookscope could not store this request, so it is not acknowledged: {reason}"),
    });
    let mut response = Response::new(Body::from(body.to_string()));
    *response.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
    response
        .headers_mut()
        .insert("content-type", HeaderValue::from_static("application/json"));
    response
        .headers_mut()
        .insert("retry-after", HeaderValue::from_static("5"));
    response
}

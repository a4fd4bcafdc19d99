//! Sending one request exactly as prepared: hyper's HTTP/1.1 client connection (over rustls for
//! `https://`, verified against the Mozilla roots), so nothing is added on the way (no `Accept`, no `User-Agent`, header values as bytes, the body's exact
//! bytes). Redirects are followed only when asked; every hop is held to the loopback rule. The
//! whole attempt — connect, send, the target's whole answer — runs under one timeout, and every
//! failure becomes a sentence (connection refused, timed out, …) because it is stored and shown.

use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;

use super::target::Target;
use crate::model::Header;

/// The part of the target's answer body that is kept.
pub const RESPONSE_BODY_CAP: usize = 1024 * 1024;
const MAX_REDIRECTS: usize = 10;

/// A request ready to go: headers include `Host` and `Content-Length` for the target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    pub method: String,
    pub url: String,
    pub headers: Vec<Header>,
    pub body: Vec<u8>,
}

#[derive(Debug, Clone)]
pub struct SendOptions {
    pub allow_remote: bool,
    pub follow_redirects: bool,
    pub timeout: Duration,
}

impl Default for SendOptions {
    fn default() -> Self {
        Self {
            allow_remote: false,
            follow_redirects: false,
            timeout: Duration::from_secs(30),
        }
    }
}

/// What the target answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<Header>,
    /// The body, at most [`RESPONSE_BODY_CAP`] bytes.
    pub body: Vec<u8>,
    /// The whole body's size.
    pub body_size: u64,
    /// The URL that answered (differs from the request's after redirects).
    pub url: String,
}

/// The outcome of one attempt.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// The answer, or why there is none, in words.
    pub answer: Result<Answer, String>,
    pub latency: Duration,
    /// No complete answer came within the timeout.
    pub timed_out: bool,
}

/// Send `out` and wait for the answer (following redirects when asked).
pub async fn send(out: &Outgoing, options: &SendOptions) -> Delivery {
    let started = Instant::now();
    let (answer, timed_out) =
        match tokio::time::timeout(options.timeout, send_following(out, options)).await {
            Ok(answer) => (answer, false),
            Err(_) => (
                Err(format!(
                    "timed out after {} ms without a complete answer",
                    options.timeout.as_millis()
                )),
                true,
            ),
        };
    Delivery {
        answer,
        latency: started.elapsed(),
        timed_out,
    }
}

async fn send_following(out: &Outgoing, options: &SendOptions) -> Result<Answer, String> {
    let mut current = out.clone();
    for _ in 0..=MAX_REDIRECTS {
        let target = Target::parse(&current.url).map_err(|e| e.to_string())?;
        target
            .check_allowed(options.allow_remote)
            .map_err(|e| e.to_string())?;
        let answer = send_once(&target, &current).await?;
        let location = answer
            .headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case("location"))
            .map(Header::value_lossy);
        match location {
            Some(location)
                if options.follow_redirects
                    && matches!(answer.status, 301 | 302 | 303 | 307 | 308) =>
            {
                current = redirected(&current, &target, answer.status, &location)?;
            }
            _ => return Ok(answer),
        }
    }
    Err(format!("more than {MAX_REDIRECTS} redirects"))
}

/// The request a redirect asks for: 307/308 keep method and body; 303 (and 301/302 after a
/// POST, as browsers and clients do) become a GET without body.
fn redirected(
    out: &Outgoing,
    from: &Target,
    status: u16,
    location: &str,
) -> Result<Outgoing, String> {
    let scheme = if from.https { "https" } else { "http" };
    let url = if location.starts_with("http://") || location.starts_with("https://") {
        location.to_string()
    } else if location.starts_with('/') {
        format!("{scheme}://{}{location}", from.authority)
    } else {
        let path = from.path_and_query.split('?').next().unwrap_or("/");
        let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
        format!("{scheme}://{}{dir}/{location}", from.authority)
    };
    let next = Target::parse(&url).map_err(|e| format!("redirected to {location:?}: {e}"))?;
    let to_get = status == 303 || (matches!(status, 301 | 302) && out.method == "POST");
    let mut headers: Vec<Header> = out
        .headers
        .iter()
        .filter(|h| !(to_get && (h.name == "content-length" || h.name == "content-type")))
        .cloned()
        .collect();
    for h in &mut headers {
        if h.name == "host" {
            h.value = next.authority.clone().into_bytes();
        }
    }
    Ok(Outgoing {
        method: if to_get {
            "GET".into()
        } else {
            out.method.clone()
        },
        url,
        headers,
        body: if to_get { Vec::new() } else { out.body.clone() },
    })
}

async fn send_once(target: &Target, out: &Outgoing) -> Result<Answer, String> {
    let request = build_request(target, out)?;
    let stream = tokio::net::TcpStream::connect((target.host.as_str(), target.port))
        .await
        .map_err(|e| connect_error(target, &e))?;
    if target.https {
        let tls = tls_connect(target, stream).await?;
        exchange(TokioIo::new(tls), target, out, request).await
    } else {
        exchange(TokioIo::new(stream), target, out, request).await
    }
}

/// TLS over `stream`, verified against the Mozilla root store (webpki-roots).
async fn tls_connect(
    target: &Target,
    stream: tokio::net::TcpStream,
) -> Result<tokio_rustls::client::TlsStream<tokio::net::TcpStream>, String> {
    use tokio_rustls::rustls::{self, pki_types::ServerName};
    let failed = |e: &dyn std::fmt::Display| format!("TLS with {} failed: {e}", target.authority);
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| failed(&e))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    let name = ServerName::try_from(target.host.clone())
        .map_err(|_| format!("{:?} is not a valid TLS server name", target.host))?;
    tokio_rustls::TlsConnector::from(std::sync::Arc::new(config))
        .connect(name, stream)
        .await
        .map_err(|e| failed(&e))
}

/// One HTTP/1.1 exchange on an established connection.
async fn exchange<T>(
    io: TokioIo<T>,
    target: &Target,
    out: &Outgoing,
    request: hyper::Request<Full<Bytes>>,
) -> Result<Answer, String>
where
    T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(io)
            .await
            .map_err(|e| {
                format!(
                    "HTTP handshake with {} failed: {}",
                    target.authority,
                    words(&e)
                )
            })?;
    // The connection is driven on its own task until the answer is read; dropping the sender
    // and the body at the end closes it.
    let driver = tokio::spawn(connection);
    let result = async {
        let response = sender
            .send_request(request)
            .await
            .map_err(|e| answer_error(target, &e))?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(name, value)| Header::new(name.as_str(), value.as_bytes()))
            .collect();
        let mut body = response.into_body();
        let mut kept = Vec::new();
        let mut size: u64 = 0;
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|e| {
                format!(
                    "the answer's body from {} broke off: {}",
                    target.authority,
                    words(&e)
                )
            })?;
            if let Ok(data) = frame.into_data() {
                size += data.len() as u64;
                let room = RESPONSE_BODY_CAP.saturating_sub(kept.len());
                kept.extend_from_slice(&data[..data.len().min(room)]);
            }
        }
        Ok(Answer {
            status,
            headers,
            body: kept,
            body_size: size,
            url: out.url.clone(),
        })
    }
    .await;
    driver.abort();
    result
}

fn build_request(target: &Target, out: &Outgoing) -> Result<hyper::Request<Full<Bytes>>, String> {
    let method = http::Method::from_bytes(out.method.as_bytes())
        .map_err(|_| format!("{:?} is not an HTTP method", out.method))?;
    let mut request = hyper::Request::builder()
        .method(method)
        .uri(target.path_and_query.as_str())
        .body(Full::new(Bytes::from(out.body.clone())))
        .map_err(|e| format!("cannot build the request: {e}"))?;
    let headers = request.headers_mut();
    for h in &out.headers {
        let name = http::HeaderName::from_bytes(h.name.as_bytes())
            .map_err(|_| format!("{:?} is not a valid header name", h.name))?;
        let value = http::HeaderValue::from_bytes(&h.value)
            .map_err(|_| format!("the value of header {:?} is not valid in HTTP", h.name))?;
        headers.append(name, value);
    }
    Ok(request)
}

fn connect_error(target: &Target, e: &std::io::Error) -> String {
    let at = format!("{}:{}", target.host, target.port);
    match e.kind() {
        std::io::ErrorKind::ConnectionRefused => {
            format!("connection refused: nothing is listening on {at}")
        }
        std::io::ErrorKind::TimedOut => format!("connecting to {at} timed out"),
        _ if e.to_string().contains("lookup") || e.to_string().contains("resolve") => {
            format!("could not resolve host {}: {e}", target.host)
        }
        _ => format!("cannot connect to {at}: {e}"),
    }
}

fn answer_error(target: &Target, e: &hyper::Error) -> String {
    if e.is_incomplete_message() || e.is_canceled() {
        format!(
            "{} closed the connection without a complete answer",
            target.authority
        )
    } else if e.is_parse() {
        format!(
            "{} answered something that is not HTTP/1.x: {}",
            target.authority,
            words(e)
        )
    } else {
        format!("no answer from {}: {}", target.authority, words(e))
    }
}

/// An error with its causes, one sentence.
fn words(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

//! The capture server: axum over the core's pipeline. It turns any HTTP request (any method,
//! any path) into a [`RawRequest`], reads the body up to the endpoint's limit, hands it to the
//! engine, and answers only once the engine says the request is committed: the endpoint's
//! response rule on success (or the forward target's own answer, for an endpoint forwarding with
//! `respond = target`), `413` (still recorded) for a body over the limit, `503` with the reason
//! when the store failed. It serves nothing else: no UI, no API.

mod capture;

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use hookscope_core::Engine;
use tokio::net::TcpListener;

/// Where the capture server listens unless told otherwise.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8787";

/// How often endpoint changes made by other processes are picked up.
const ENDPOINT_REFRESH: Duration = Duration::from_millis(300);

/// The router: every request goes to the capture handler.
pub fn router(engine: Engine) -> Router {
    Router::new().fallback(capture::capture).with_state(engine)
}

#[derive(Debug, thiserror::Error)]
pub enum BindError {
    #[error(
        "{addr} is already in use (is `hookscope serve` or the Hookscope app already running?); pick another with --listen"
    )]
    InUse { addr: SocketAddr },
    #[error("cannot listen on {addr}: {source}")]
    Other {
        addr: SocketAddr,
        source: std::io::Error,
    },
}

pub async fn bind(addr: SocketAddr) -> Result<TcpListener, BindError> {
    TcpListener::bind(addr)
        .await
        .map_err(|source| match source.kind() {
            std::io::ErrorKind::AddrInUse => BindError::InUse { addr },
            _ => BindError::Other { addr, source },
        })
}

/// Serve until `shutdown` resolves, then let in-flight requests finish (their commits included).
/// Also keeps the endpoint directory fresh, so endpoints changed by another process (the CLI,
/// the app) take effect within a second.
pub async fn serve(
    engine: Engine,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let refresher = tokio::spawn(refresh_endpoints(engine.clone()));
    let app = router(engine).into_make_service_with_connect_info::<SocketAddr>();
    let result = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await;
    refresher.abort();
    result
}

async fn refresh_endpoints(engine: Engine) {
    let mut tick = tokio::time::interval(ENDPOINT_REFRESH);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let engine = engine.clone();
        match tokio::task::spawn_blocking(move || engine.refresh_endpoints()).await {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::warn!(error = %e, "could not reload endpoints"),
            Err(e) => tracing::warn!(error = %e, "endpoint reload task failed"),
        }
    }
}

//! The in-process capture server: bound at launch, re-bound on another address when the user
//! asks, stopped while capture is paused. A bind failure (port already used by `hookscope serve`,
//! say) is kept as the status the window shows; it never stops the app.
//!
//! Invariant: at most one server runs; a restart waits for the old one to release its port.

use std::net::SocketAddr;
use std::sync::Mutex;

use hookscope_core::Engine;
use tokio::sync::oneshot;

use crate::dto::CaptureStatus;
use crate::error::ApiError;

pub struct CaptureServer {
    engine: Engine,
    state: Mutex<Running>,
}

#[derive(Default)]
struct Running {
    requested: String,
    addr: Option<SocketAddr>,
    paused: bool,
    error: Option<ApiError>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tauri::async_runtime::JoinHandle<()>>,
}

impl CaptureServer {
    pub fn new(engine: Engine, requested: &str) -> Self {
        Self {
            engine,
            state: Mutex::new(Running {
                requested: requested.to_string(),
                ..Running::default()
            }),
        }
    }

    pub fn status(&self) -> CaptureStatus {
        match self.state.lock() {
            Ok(s) => CaptureStatus {
                requested: s.requested.clone(),
                url: s.addr.map(|a| format!("http://{a}")),
                paused: s.paused,
                error: s.error.clone(),
            },
            Err(_) => CaptureStatus {
                requested: String::new(),
                url: None,
                paused: false,
                error: Some(ApiError::internal("capture state is poisoned")),
            },
        }
    }

    /// The base URL endpoints live under, when listening.
    pub fn base_url(&self) -> Option<String> {
        self.status().url
    }

    /// (Re)start listening on `listen`; the outcome is in the returned status.
    pub async fn start(&self, listen: &str) -> CaptureStatus {
        self.stop().await;
        let outcome = match listen.trim().parse::<SocketAddr>() {
            Err(e) => Err(ApiError::new(
                "invalid",
                format!("{listen:?} is not an address like 127.0.0.1:8787 ({e})"),
            )),
            Ok(addr) => hookscope_server::bind(addr).await.map_err(ApiError::from),
        };
        let (tx, rx) = oneshot::channel::<()>();
        let mut listening = None;
        let mut error = None;
        let mut task = None;
        match outcome.and_then(|l| {
            l.local_addr()
                .map(|a| (l, a))
                .map_err(|e| ApiError::new("bind_failed", e.to_string()))
        }) {
            Ok((listener, addr)) => {
                let engine = self.engine.clone();
                task = Some(tauri::async_runtime::spawn(async move {
                    let shutdown = async move {
                        let _ = rx.await;
                    };
                    if let Err(e) = hookscope_server::serve(engine, listener, shutdown).await {
                        tracing::error!(error = %e, "capture server stopped");
                    }
                }));
                listening = Some(addr);
            }
            Err(e) => error = Some(e),
        }
        if let Ok(mut s) = self.state.lock() {
            s.requested = listen.trim().to_string();
            s.addr = listening;
            s.error = error;
            s.paused = false;
            s.stop = listening.map(|_| tx);
            s.task = task;
        }
        self.status()
    }

    /// Stop listening (pause); requests are refused until [`Self::resume`].
    pub async fn pause(&self) -> CaptureStatus {
        self.stop().await;
        if let Ok(mut s) = self.state.lock() {
            s.paused = true;
        }
        self.status()
    }

    pub async fn resume(&self) -> CaptureStatus {
        let requested = self.status().requested;
        self.start(&requested).await
    }

    async fn stop(&self) {
        let (stop, task) = match self.state.lock() {
            Ok(mut s) => {
                s.addr = None;
                (s.stop.take(), s.task.take())
            }
            Err(_) => (None, None),
        };
        if let Some(stop) = stop {
            let _ = stop.send(());
        }
        if let Some(task) = task {
            let _ = task.await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn engine() -> (tempfile::TempDir, Engine) {
        let dir = tempfile::tempdir().unwrap();
        let engine = Engine::open(dir.path(), Default::default()).unwrap();
        (dir, engine)
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_used_port_is_a_status_not_a_failure_and_another_port_works() {
        let (_dir, engine) = engine();
        let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let busy = taken.local_addr().unwrap().to_string();
        let server = CaptureServer::new(engine, &busy);
        let status = server.start(&busy).await;
        assert_eq!(status.url, None);
        assert_eq!(
            status.error.as_ref().map(|e| e.code.as_str()),
            Some("in_use")
        );

        let status = server.start("127.0.0.1:0").await;
        assert!(status.error.is_none(), "{status:?}");
        let url = status.url.unwrap();
        let addr: SocketAddr = url.trim_start_matches("http://").parse().unwrap();
        assert!(std::net::TcpStream::connect(addr).is_ok());

        let paused = server.pause().await;
        assert!(paused.paused && paused.url.is_none());
        assert!(std::net::TcpStream::connect(addr).is_err());
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_malformed_address_is_invalid() {
        let (_dir, engine) = engine();
        let server = CaptureServer::new(engine, "nope");
        let status = server.start("nope").await;
        assert_eq!(status.error.map(|e| e.code), Some("invalid".to_string()));
    }
}

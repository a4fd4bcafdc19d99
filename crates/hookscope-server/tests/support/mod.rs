//! What the server's socket tests share: a capture server on a free port over an engine on a
//! temp data dir, stopped when the test ends.

#![allow(clippy::unwrap_used, dead_code)]

use std::net::SocketAddr;

use hookscope_core::Engine;
use hookscope_core::store::StoreOptions;

pub struct Server {
    pub dir: tempfile::TempDir,
    pub engine: Engine,
    pub addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

pub async fn start(options: StoreOptions) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(dir.path(), options).unwrap();
    let listener = hookscope_server::bind("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(hookscope_server::serve(engine.clone(), listener, async {
        let _ = stopped.await;
    }));
    Server {
        dir,
        engine,
        addr,
        stop: Some(stop),
    }
}

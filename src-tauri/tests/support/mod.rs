//! What the IPC tests share: the app's commands on Tauri's mock runtime over an engine on a temp
//! data dir, a real capture server on a free port, and a raw socket to post to it.

#![allow(clippy::unwrap_used, dead_code)]

use std::io::{Read, Write};
use std::net::TcpStream;

use hookscope_core::Engine;
use hookscope_desktop::commands::transfer::PresetPaths;
use hookscope_desktop::dto::Settings;
use hookscope_desktop::state::AppState;
use serde_json::{Value, json};
use tauri::ipc::{CallbackFn, InvokeBody, InvokeResponseBody};
use tauri::test::{INVOKE_KEY, MockRuntime, mock_builder, mock_context, noop_assets};
use tauri::webview::InvokeRequest;
use tauri::{App, WebviewWindow, WebviewWindowBuilder};

pub struct Harness {
    pub dir: tempfile::TempDir,
    pub app: App<MockRuntime>,
    pub window: WebviewWindow<MockRuntime>,
    pub state: AppState,
    /// The capture server's base URL.
    pub base: String,
}

impl Drop for Harness {
    fn drop(&mut self) {
        if let Some(f) = self.state.take_forwarder() {
            tauri::async_runtime::block_on(f.stop());
        }
    }
}

/// A fresh app, capturing; its file dialogs answer from a [`PresetPaths`] the test sets.
pub fn harness() -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(dir.path(), Default::default()).unwrap();
    let state = AppState::new(
        engine,
        dir.path().into(),
        Settings::default(),
        "127.0.0.1:0",
    );
    let status = tauri::async_runtime::block_on(state.capture.start("127.0.0.1:0"));
    let app = hookscope_desktop::builder(mock_builder())
        .manage(state.clone())
        .manage(PresetPaths::default())
        .build(mock_context(noop_assets()))
        .unwrap();
    let window = WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .unwrap();
    Harness {
        dir,
        app,
        window,
        state,
        base: status.url.expect("capture listens"),
    }
}

/// The same, with the app's auto-forwarder running (stopped when the harness is dropped).
pub fn harness_forwarding() -> Harness {
    let h = harness();
    tauri::async_runtime::block_on(async { h.state.start_forwarder() });
    h
}

/// Invoke `cmd` with its whole argument object (`{ "req": … }`, or `{}` for none).
pub fn invoke_args(
    window: &WebviewWindow<MockRuntime>,
    cmd: &str,
    args: Value,
) -> Result<InvokeResponseBody, Value> {
    tauri::test::get_ipc_response(
        window,
        InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            // NOTE: on Linux the app's origin is tauri://localhost; another origin is refused.
            url: "tauri://localhost".parse().unwrap(),
            body: InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
}

/// Invoke `cmd` with its request (`null`: a command without one).
pub fn invoke_raw(h: &Harness, cmd: &str, req: Value) -> Result<InvokeResponseBody, Value> {
    let args = if req.is_null() {
        json!({})
    } else {
        json!({ "req": req })
    };
    invoke_args(&h.window, cmd, args)
}

/// [`invoke_raw`] with the answer as JSON.
pub fn invoke(h: &Harness, cmd: &str, req: Value) -> Result<Value, Value> {
    invoke_raw(h, cmd, req).map(|body| body.deserialize::<Value>().unwrap())
}

pub fn ok(h: &Harness, cmd: &str, req: Value) -> Value {
    invoke(h, cmd, req).unwrap_or_else(|e| panic!("{cmd} failed: {e}"))
}

/// An answer that travels as raw bytes.
pub fn raw(h: &Harness, cmd: &str, req: Value) -> Vec<u8> {
    match invoke_raw(h, cmd, req) {
        Ok(InvokeResponseBody::Raw(bytes)) => bytes,
        other => panic!("{cmd}: expected raw bytes, got {other:?}"),
    }
}

/// POST over a real socket to the capture server; the whole answer.
pub fn post(base: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> String {
    let addr = base.trim_start_matches("http://");
    let mut s = TcpStream::connect(addr).unwrap();
    let mut head = format!("POST {path} HTTP/1.1\r\nHost: {addr}\r\n");
    for (n, v) in headers {
        head += &format!("{n}: {v}\r\n");
    }
    head += &format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(body).unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

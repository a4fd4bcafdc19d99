//! The throughput ceiling for `make bench`: the same HTTP stack as hookscope
//! (axum on a multi-thread tokio runtime) doing the least a capture server
//! must do — read the whole body and answer 200 — while storing nothing.
//! hookscope's figures are read as a ratio to this server's on the same machine.

use std::net::SocketAddr;

use axum::{Router, body::Bytes, http::header};
use clap::Parser;

#[derive(Parser)]
#[command(about = "Bare axum server that reads each body and answers 200 {\"ok\":true}")]
struct Args {
    /// Address to listen on (loopback only in benchmarks).
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: SocketAddr,
}

// Taking `Bytes` makes axum read the full body before answering, as a capture
// server has to; dropping it keeps the ceiling free of any storage cost.
async fn sink(_body: Bytes) -> ([(header::HeaderName, &'static str); 1], &'static str) {
    (
        [(header::CONTENT_TYPE, "application/json")],
        r#"{"ok":true}"#,
    )
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> std::io::Result<()> {
    let args = Args::parse();
    let listener = tokio::net::TcpListener::bind(args.listen).await?;
    println!("http://{}", listener.local_addr()?);
    axum::serve(listener, Router::new().fallback(sink)).await
}

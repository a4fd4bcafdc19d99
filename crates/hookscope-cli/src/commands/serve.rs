//! `hookscope serve`: the capture server without a window, with auto-forward running beside it.

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::Path;
use std::process::ExitCode;

use hookscope_core::Engine;
use hookscope_core::store::{StoreOptions, SyncMode};

use crate::Result;

#[derive(clap::Args)]
pub struct Args {
    /// Address to listen on. Other interfaces than loopback expose captured data to the network.
    #[arg(long, env = "HOOKSCOPE_LISTEN", default_value = hookscope_server::DEFAULT_LISTEN, value_name = "ADDR")]
    listen: SocketAddr,
    /// Don't print a line per request.
    #[arg(long, short)]
    quiet: bool,
    /// When a request counts as stored: `full` fsyncs every commit (survives power loss);
    /// `normal` skips the fsync (survives a crash or kill -9 of Hookscope, not of the OS).
    #[arg(long, env = "HOOKSCOPE_SYNC", value_enum, default_value = "full")]
    sync: Sync,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Sync {
    Full,
    Normal,
}

pub fn run(data: &Path, args: Args) -> Result<ExitCode> {
    let filter = if args.quiet { "warn" } else { "info" };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("HOOKSCOPE_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(filter)),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .init();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(serve(data, args))?;
    Ok(ExitCode::SUCCESS)
}

async fn serve(data: &Path, args: Args) -> Result<()> {
    let sync = match args.sync {
        Sync::Full => SyncMode::Full,
        Sync::Normal => SyncMode::Normal,
    };
    let engine = Engine::open(
        data,
        StoreOptions {
            sync,
            ..Default::default()
        },
    )?;
    let listener = hookscope_server::bind(args.listen).await?;
    let addr = listener.local_addr()?;
    if !addr.ip().is_loopback() {
        eprintln!(
            "warning: listening on {addr}, reachable from other machines: anyone who can reach it can \
             send events, and captured payloads may hold secrets"
        );
    }
    // The URL goes to stdout for scripts; a closed stdout must not stop the server.
    let _ = writeln!(
        std::io::stdout(),
        "Hookscope is capturing on http://{addr}/ (data: {})\n\
         Endpoints: http://{addr}/<slug>/… ; anything else goes to the default endpoint.",
        data.display()
    );
    // Auto-forward runs beside the server, never in its way: it only reads what was committed.
    let forwarder = hookscope_core::forward::start(&engine);
    let served = hookscope_server::serve(engine.clone(), listener, shutdown_signal()).await;
    forwarder.stop().await;
    served?;
    // In-flight requests have been answered; commit anything still queued and stop.
    engine.shutdown();
    eprintln!("Hookscope stopped.");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}

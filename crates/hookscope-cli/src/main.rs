//! `hookscope`: the headless capture server and the tools around it, over the same engine as the
//! desktop app. Every command takes `--data DIR` (or `HOOKSCOPE_DATA`) and works while `serve` or
//! the app runs on the same data dir.
//!
//! Adding a command: a variant in [`Command`], a module under `commands/`, a line in `run`, a
//! section in the README's CLI reference, and a test in `tests/cli.rs`.

/// `println!` that returns an error instead of panicking when stdout is closed (`| head`).
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout(), $($arg)*)?
    }};
}

/// `print!` without the panic, as [`outln!`].
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        write!(std::io::stdout(), $($arg)*)?
    }};
}

mod commands;
mod output;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "hookscope",
    version,
    about = "Capture, inspect and verify webhooks locally."
)]
struct Cli {
    /// Data directory (default: the OS data dir, e.g. ~/.local/share/hookscope).
    #[arg(long, global = true, env = "HOOKSCOPE_DATA", value_name = "DIR")]
    data: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the capture server headless; prints the URL and one line per request.
    Serve(commands::serve::Args),
    /// Manage endpoints (named inboxes).
    #[command(subcommand)]
    Endpoints(commands::endpoints::Command),
    /// List captured events, newest first.
    List(commands::events::ListArgs),
    /// Show one event with its headers and body.
    Show(commands::events::ShowArgs),
    /// Follow new events as they are captured (also by another process on the same data dir).
    Tail(commands::events::TailArgs),
    /// Export events, oldest first, as NDJSON or HAR 1.2.
    Export(commands::events::ExportArgs),
    /// Import a HAR file or a Hookscope NDJSON export; events keep their original time.
    Import(commands::events::ImportArgs),
    /// Send stored events to a handler again (exact, edited or re-signed); exit 0 only when
    /// every answer was 2xx.
    Replay(commands::replay::ReplayArgs),
    /// List an event's replay and forward attempts with the answers.
    Replays(commands::replay::ReplaysArgs),
    /// Show or set auto-forward of an endpoint's new events to a local handler.
    Forward(commands::replay::ForwardArgs),
    /// Show or change an endpoint's routes: events by type or path prefix to their own target.
    Routes(commands::replay::RoutesArgs),
    /// Send a provider's test event (signed) to a handler or into Hookscope.
    Trigger(commands::replay::TriggerArgs),
    /// Delete captured events.
    Clear(commands::events::ClearArgs),
    /// Show or set how many events are kept.
    Retention(commands::events::RetentionArgs),
    /// The provider catalog: schemes, headers, retry schedules.
    Providers(commands::signatures::ProvidersArgs),
    /// Verify a captured event's signature, with a diagnosis; exit 0 only when valid.
    Verify(commands::signatures::VerifyArgs),
    /// Print the headers a provider would send for a body.
    Sign(commands::signatures::SignArgs),
    /// Compute (and compare) an HMAC.
    Hmac(commands::signatures::HmacArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        // A reader that stopped reading (`hookscope list | head`) is not a failure.
        Err(e)
            if e.downcast_ref::<std::io::Error>()
                .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe) =>
        {
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("hookscope: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The CLI's error: anything with a message a person can act on.
pub type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

fn run(cli: Cli) -> Result<ExitCode> {
    let data = hookscope_core::datadir::resolve(cli.data.as_deref())?;
    match cli.command {
        Command::Serve(args) => commands::serve::run(&data, args),
        Command::Endpoints(cmd) => commands::endpoints::run(&data, cmd),
        Command::List(args) => commands::events::list(&data, args),
        Command::Show(args) => commands::events::show(&data, args),
        Command::Tail(args) => commands::events::tail(&data, args),
        Command::Export(args) => commands::events::export(&data, args),
        Command::Import(args) => commands::events::import(&data, args),
        Command::Replay(args) => commands::replay::replay(&data, args),
        Command::Replays(args) => commands::replay::replays(&data, args),
        Command::Forward(args) => commands::replay::forward(&data, args),
        Command::Routes(args) => commands::replay::routes(&data, args),
        Command::Trigger(args) => commands::replay::trigger(&data, args),
        Command::Clear(args) => commands::events::clear(&data, args),
        Command::Retention(args) => commands::events::retention(&data, args),
        Command::Providers(args) => commands::signatures::list_providers(args),
        Command::Verify(args) => commands::signatures::verify(&data, args),
        Command::Sign(args) => commands::signatures::sign(args),
        Command::Hmac(args) => commands::signatures::hmac(args),
    }
}

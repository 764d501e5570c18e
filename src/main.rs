use std::process::ExitCode;

use clap::Parser;
use worklog_ls::cli::{self, Cli, Command};

fn main() -> ExitCode {
    // Usage errors exit 2 with clap's message (and a suggestion for a
    // misspelt flag); `--help` and `--version` exit 0.
    let args = Cli::parse();
    init_logging(args.log_file.as_deref().and_then(|p| p.to_str()));
    match args.command {
        Some(Command::Check(check)) => cli::run_check(&check),
        Some(Command::Next(a)) => cli::next::run(&a),
        Some(Command::Handoff(a)) => cli::handoff::run(&a),
        Some(Command::Status(a)) => cli::status::run(&a),
        None => serve(),
    }
}

/// Logging with `tracing`: to stderr, or to `log_file` (appended); the level
/// comes from `WORKLOG_LOG` (`error`, `warn` (default), `info`, `debug`,
/// `trace`, or any `tracing` filter such as `worklog_ls=debug`). stdout
/// stays protocol only. A panic hook writes the message and a backtrace to
/// the log (and to stderr when logging to a file), wherever it happens.
fn init_logging(log_file: Option<&str>) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("WORKLOG_LOG").unwrap_or_else(|_| EnvFilter::new("warn"));
    let file = log_file.and_then(|p| match std::fs::OpenOptions::new().create(true).append(true).open(p) {
        Ok(f) => Some(f),
        Err(e) => {
            eprintln!("worklog-ls: cannot open the log file {p}: {e}; logging to stderr");
            None
        }
    });
    let to_file = file.is_some();
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_target(false);
    let _ = match file {
        Some(f) => builder.with_ansi(false).with_writer(std::sync::Mutex::new(f)).try_init(),
        None => builder.with_ansi(false).with_writer(std::io::stderr).try_init(),
    };
    std::panic::set_hook(Box::new(move |info| {
        let backtrace = std::backtrace::Backtrace::force_capture();
        let thread = std::thread::current();
        let name = thread.name().unwrap_or("<unnamed>");
        tracing::error!("panic in thread {name}: {info}\n{backtrace}");
        if to_file {
            eprintln!("worklog-ls: panic in thread {name}: {info}\n{backtrace}");
        }
    }));
}

fn serve() -> ExitCode {
    let rt = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("worklog-ls: cannot start the runtime: {e}");
            return ExitCode::from(2);
        }
    };
    let code = rt.block_on(worklog_ls::lsp::serve_stdio());
    // tokio's stdin reader may still sit in a blocking read of the pipe, a
    // write to a client that stopped reading may be pending, a background
    // index walk may run: don't wait for any of them.
    rt.shutdown_background();
    ExitCode::from(code as u8)
}

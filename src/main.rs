use std::process::ExitCode;

use clap::Parser;
use worklog_ls::cli::{self, Cli, Command};

fn main() -> ExitCode {
    // Usage errors exit 2 with clap's message (and a suggestion for a
    // misspelt flag); `--help` and `--version` exit 0.
    let args = Cli::parse();
    match args.command {
        Some(Command::Check(check)) => cli::run_check(&check),
        None => {
            // Server-only setup (logging to a file, tracing) goes here.
            serve()
        }
    }
}

fn serve() -> ExitCode {
    let rt = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("worklog-ls: cannot start the runtime: {e}");
            return ExitCode::from(2);
        }
    };
    rt.block_on(worklog_ls::lsp::serve_stdio());
    // tokio's stdin reader may still sit in a blocking read of the pipe:
    // don't wait for it (nor for a background index walk).
    rt.shutdown_background();
    ExitCode::SUCCESS
}

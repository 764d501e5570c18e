use std::process::ExitCode;

use worklog_ls::cli;

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    // `--log-file PATH` (any position): logs go there instead of stderr.
    let mut log_file = None;
    if let Some(i) = args.iter().position(|a| a == "--log-file") {
        if i + 1 >= args.len() {
            eprintln!("worklog-ls: --log-file needs a path\n\n{}", cli::USAGE);
            return ExitCode::from(2);
        }
        log_file = Some(args.remove(i + 1));
        args.remove(i);
    } else if let Some(i) = args.iter().position(|a| a.starts_with("--log-file=")) {
        log_file = Some(args.remove(i)["--log-file=".len()..].to_string());
    }
    init_logging(log_file.as_deref());
    match args.first().map(String::as_str) {
        None | Some("--stdio") | Some("serve") => serve(),
        Some("check") => match cli::parse_check(&args[1..]) {
            Ok(a) => {
                let code = cli::check(&a, &mut std::io::stdout().lock(), &mut std::io::stderr().lock());
                ExitCode::from(code as u8)
            }
            Err(e) => {
                eprintln!("worklog-ls: {e}\n\n{}", cli::USAGE);
                ExitCode::from(2)
            }
        },
        Some("--version") | Some("-V") | Some("version") => {
            println!("worklog-ls {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        Some("--help") | Some("-h") | Some("help") => {
            print!("{}", cli::USAGE);
            ExitCode::SUCCESS
        }
        Some(other) => {
            eprintln!("worklog-ls: unknown command `{other}`\n\n{}", cli::USAGE);
            ExitCode::from(2)
        }
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

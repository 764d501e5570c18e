use std::process::ExitCode;

use worklog_ls::cli;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
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

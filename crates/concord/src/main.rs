//! The `concord` binary: parse the command line, start telemetry, run, and decide the exit code.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = concord::cli::Cli::parse();
    concord::telemetry::init(cli.log_json, cli.default_log_level());
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(concord::cli::run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

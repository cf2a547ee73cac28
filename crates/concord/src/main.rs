//! The `concord` binary: parse the command line, start telemetry, run, and decide the exit code.

use clap::Parser;
use std::process::ExitCode;

/// mimalloc rather than the system allocator: Concord replaces large caches (a 20,000-product
/// catalogue, price lists) wholesale, and glibc's malloc kept the freed copies' pages, so the
/// resident set grew with every refresh (at 20,000 SKUs: 402 MB with glibc, 261 MB with mimalloc;
/// see docs/benchmarks.md). Built without its transparent-huge-page advice (`no_thp`): where the
/// kernel grants huge pages on request (`madvise`, as on the machine measured), each 2 MiB page of
/// a sparse heap stayed resident whole, 33 MB of the engine's peak at 20,000 SKUs. On a kernel
/// that gives huge pages to every process, `MIMALLOC_ALLOW_THP=0` does the same.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = concord::cli::Cli::parse();
    concord::telemetry::init(cli.log_json, cli.default_log_level());
    let mut builder = if cli.engine_alone() {
        // The engine waits on I/O almost all the time: on one thread a task woken by an answer
        // (HTTP, the store) runs where it was woken, while a pool of workers handed the wake-up
        // across threads, parking and unparking them: 8 % of its CPU on the 600-order day
        // (docs/benchmarks.md, issue 17, seventh round).
        tokio::runtime::Builder::new_current_thread()
    } else {
        tokio::runtime::Builder::new_multi_thread()
    };
    let runtime = match builder.enable_all().build() {
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

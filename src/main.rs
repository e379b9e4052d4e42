//! `rota`: the command line, a thin front door onto the library. This file
//! only parses the arguments and dispatches; each command is a file of
//! `src/cli/`.
//!
//! Exit codes: 0 ok (for `check`: the plan is valid), 1 internal error (for
//! `check`: the plan is invalid), 2 bad input or usage.

mod cli;

use std::process::ExitCode;

use clap::Parser;

/// mimalloc rather than glibc's malloc: memory a solve or a fit frees is
/// handed back to the system when the work ends. glibc keeps an arena per
/// thread that ran the work and returns little of it, so a long-running
/// `rota serve` grew past `--max-memory-mb` with every fit (issue 27:
/// 1.9 -> 5 GB after five fits on a 3,000-client day); docs/limits.md has
/// the measurements.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    match cli::run(cli::Cli::parse()) {
        Ok(code) => ExitCode::from(code),
        Err(f) => {
            eprintln!("error: {:#}", f.error);
            ExitCode::from(f.code)
        }
    }
}

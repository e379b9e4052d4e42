//! `rota`: the command line, a thin front door onto the library. This file
//! only parses the arguments and dispatches; each command is a file of
//! `src/cli/`.
//!
//! Exit codes: 0 ok (for `check`: the plan is valid), 1 internal error (for
//! `check`: the plan is invalid), 2 bad input or usage.

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    match cli::run(cli::Cli::parse()) {
        Ok(code) => ExitCode::from(code),
        Err(f) => {
            eprintln!("error: {:#}", f.error);
            ExitCode::from(f.code)
        }
    }
}

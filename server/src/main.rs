//! `configurator`: the command-line program. Each subcommand parses its arguments, calls
//! `configurator-core`, and prints the result (JSON with `--json`, for other tools).

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    cli::run()
}

//! `configurator`: the command-line program. Each subcommand parses its arguments, calls
//! `configurator-core`, and prints the result (JSON with `--json`, for other tools).
//! `configurator serve` runs the HTTP server (`http/`, `service.rs`, `store/`).

mod app;
mod cli;
mod http;
mod ids;
mod service;
mod store;

use std::process::ExitCode;

fn main() -> ExitCode {
    cli::run()
}

//! The `serve` and `token` subcommands: open the store, load the example catalogs on the
//! first start, and run the HTTP server; or create a manufacturer's API token.

use crate::service::{Limits, Service};
use crate::store::{SledStore, Store};
use clap::{Args, Subcommand};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

#[derive(Args)]
pub struct ServeArgs {
    /// Address to listen on (port 0 picks a free port; the first line printed names it).
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: String,
    /// Directory of the database (created when missing; one server per directory).
    #[arg(long, default_value = "data")]
    data: PathBuf,
    /// The built web UI, served at `/` when it contains index.html.
    #[arg(long, default_value = "web-ui/dist")]
    web: PathBuf,
    /// Example catalogs (*.toml, *.json) published on the first start.
    #[arg(long)]
    examples: Option<PathBuf>,
    /// Solver effort limit per request, in conflicts.
    #[arg(long, value_name = "N", default_value_t = configurator_core::Effort::default().max_conflicts)]
    max_conflicts: u64,
    /// Time limit of one request's solver work, in milliseconds (then 503).
    #[arg(long, value_name = "MS", default_value_t = 10_000)]
    solve_timeout_ms: u64,
}

#[derive(Subcommand)]
pub enum TokenCommand {
    /// Create an API token for a manufacturer (created if new) and print it. Only its hash
    /// is stored; the server must not be running on the same data directory.
    Create {
        #[arg(long)]
        manufacturer: String,
        /// Directory of the database.
        #[arg(long, default_value = "data")]
        data: PathBuf,
    },
}

fn open(dir: &Path) -> Result<Arc<SledStore>, ExitCode> {
    SledStore::open(dir).map(Arc::new).map_err(|e| {
        eprintln!("error: {e}");
        ExitCode::from(1)
    })
}

/// The example catalogs' directory: `--examples`, else `./catalogs`, else the one next to the
/// sources this program was built from.
fn examples_dir(arg: Option<PathBuf>) -> Option<PathBuf> {
    arg.or_else(|| {
        [
            PathBuf::from("catalogs"),
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../catalogs"),
        ]
        .into_iter()
        .find(|p| p.is_dir())
    })
}

fn read_examples(dir: Option<&Path>) -> Vec<(String, String)> {
    let Some(dir) = dir else { return Vec::new() };
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.sort();
    files
        .into_iter()
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("toml" | "json")
            )
        })
        .filter_map(|p| {
            let text = std::fs::read_to_string(&p).ok()?;
            Some((p.display().to_string(), text))
        })
        .collect()
}

pub fn serve(args: ServeArgs) -> ExitCode {
    let store: Arc<dyn Store> = match open(&args.data) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let limits = Limits {
        max_conflicts: args.max_conflicts,
        solve_timeout: Duration::from_millis(args.solve_timeout_ms),
    };
    let service = Arc::new(Service::new(store, limits));
    let examples = examples_dir(args.examples);
    match service.load_examples(&read_examples(examples.as_deref())) {
        Ok(loaded) if !loaded.is_empty() => {
            eprintln!("published example catalogs: {}", loaded.join(", "))
        }
        Ok(_) => {}
        Err(e) => {
            eprintln!("error: loading the example catalogs: {}", e.detail);
            return ExitCode::from(1);
        }
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(crate::http::serve(service, &args.addr, &args.web)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: serving on {}: {e}", args.addr);
            ExitCode::from(1)
        }
    }
}

pub fn token(command: TokenCommand) -> ExitCode {
    match command {
        TokenCommand::Create { manufacturer, data } => {
            let name = manufacturer.trim();
            if name.is_empty() || name.chars().any(|c| c.is_control()) || name.len() > 100 {
                eprintln!(
                    "error: a manufacturer name is 1-100 characters without control characters"
                );
                return ExitCode::from(1);
            }
            let store = match open(&data) {
                Ok(s) => s,
                Err(code) => return code,
            };
            let service = Service::new(store, crate::http::default_limits());
            match service.create_token(name) {
                Ok(token) => {
                    println!("{token}");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("error: {}", e.detail);
                    ExitCode::from(1)
                }
            }
        }
    }
}

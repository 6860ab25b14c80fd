//! Subcommands of the `configurator` program. The JSON shapes printed here are a contract that
//! other tools rely on; change them only together with the tests in `tests/cli.rs`.

use clap::{Args, Parser, Subcommand};
use configurator_core::{
    catalog::Format, Choice, Compiled, Diagnostic, Effort, LimitReached, OptionState,
};
use serde_json::{json, Map, Value};
use std::io::Write;
use std::process::ExitCode;

/// Prints a line to stdout; a closed pipe (`| head`) ends output quietly instead of panicking.
macro_rules! out {
    ($($arg:tt)*) => {{
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

#[derive(Parser)]
#[command(
    name = "configurator",
    version,
    about = "Mass-customization product configurator"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Lint a catalog: syntax, names, types, satisfiability, dead and forced options.
    Check {
        /// Catalog file (.toml or .json).
        model: String,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        limits: Limits,
    },
    /// Show which options are selected, excluded or free under some choices.
    Domains {
        model: String,
        #[command(flatten)]
        choices: Choices,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        limits: Limits,
    },
    /// Run the HTTP server (API, web UI) over a database directory.
    Serve(crate::app::ServeArgs),
    /// Manage manufacturers' API tokens.
    Token {
        #[command(subcommand)]
        command: crate::app::TokenCommand,
    },
}

#[derive(Args)]
struct Choices {
    /// An option the customer selected, as group.option (repeatable).
    #[arg(long = "select", value_name = "NAME")]
    select: Vec<String>,
    /// An option the customer rejected, as group.option (repeatable).
    #[arg(long = "deselect", value_name = "NAME")]
    deselect: Vec<String>,
}

#[derive(Args)]
struct Limits {
    /// Solver effort limit, in conflicts, for the whole command.
    #[arg(long, value_name = "N", default_value_t = Effort::default().max_conflicts)]
    max_conflicts: u64,
}

/// An error already explained to the user on stderr.
struct Failed;

pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check {
            model,
            json,
            limits,
        } => check(&model, json, limits),
        Command::Domains {
            model,
            choices,
            json,
            limits,
        } => domains(&model, &choices, json, limits),
        Command::Serve(args) => Ok(crate::app::serve(args)),
        Command::Token { command } => Ok(crate::app::token(command)),
    };
    match result {
        Ok(code) => code,
        Err(Failed) => ExitCode::from(1),
    }
}

fn print_diagnostics(file: &str, diagnostics: &[Diagnostic]) {
    for d in diagnostics {
        let kind = match d.severity {
            configurator_core::Severity::Error => "error",
            configurator_core::Severity::Warning => "warning",
        };
        eprintln!("{kind}[{}]: {}", d.code, d.render(Some(file)));
    }
}

fn load(path: &str) -> Result<Compiled, Failed> {
    let format = Format::from_path(path).ok_or_else(|| {
        eprintln!("error: {path}: unknown catalog format; use a .toml or .json file");
        Failed
    })?;
    let text = std::fs::read_to_string(path).map_err(|e| {
        eprintln!("error: cannot read {path}: {e}");
        Failed
    })?;
    configurator_core::load(&text, format).map_err(|diagnostics| {
        print_diagnostics(path, &diagnostics);
        eprintln!(
            "error: {path} is not usable ({} error{})",
            diagnostics.len(),
            if diagnostics.len() == 1 { "" } else { "s" }
        );
        Failed
    })
}

fn limit_error(path: &str, e: LimitReached) -> Failed {
    eprintln!("error: {path}: {e}; raise it with --max-conflicts");
    Failed
}

fn check(path: &str, json: bool, limits: Limits) -> Result<ExitCode, Failed> {
    let compiled = load(path)?;
    let mut effort = Effort::new(limits.max_conflicts);
    let report = compiled
        .lint(&mut effort)
        .map_err(|e| limit_error(path, e))?;
    print_diagnostics(path, &report.diagnostics);
    if json {
        let out = json!({
            "options": report.options,
            "rules": report.rules,
            "satisfiable": report.satisfiable,
            "dead": report.dead,
            "forced": report.forced,
        });
        out!("{out}");
    } else {
        out!(
            "{path}: {} options in {} groups, {} rules; {}",
            report.options,
            compiled.catalog.groups.len(),
            report.rules,
            if report.satisfiable {
                "satisfiable"
            } else {
                "UNSATISFIABLE"
            }
        );
        if report.satisfiable {
            out!(
                "dead options: {}; forced options: {}",
                list(&report.dead),
                list(&report.forced)
            );
        } else {
            out!("conflicting rules:");
            for r in &report.conflict {
                out!("  {}: {}", r.id, r.description);
            }
        }
    }
    if report.usable() {
        Ok(ExitCode::SUCCESS)
    } else {
        if !report.satisfiable {
            eprintln!("error: {path} is not usable: no product satisfies all its rules");
        }
        Ok(ExitCode::from(1))
    }
}

fn list(names: &[String]) -> String {
    if names.is_empty() {
        "none".to_string()
    } else {
        names.join(", ")
    }
}

fn parse_choices(compiled: &Compiled, choices: &Choices) -> Result<Vec<Choice>, Failed> {
    let mut out = Vec::new();
    for (names, selected) in [(&choices.select, true), (&choices.deselect, false)] {
        for name in names {
            let option = compiled.option(name).map_err(|e| {
                eprintln!("error: {e}");
                Failed
            })?;
            out.push(Choice { option, selected });
        }
    }
    Ok(out)
}

fn domains(path: &str, choices: &Choices, json: bool, limits: Limits) -> Result<ExitCode, Failed> {
    let compiled = std::sync::Arc::new(load(path)?);
    let choices = parse_choices(&compiled, choices)?;
    let mut effort = Effort::new(limits.max_conflicts);
    let mut session = configurator_core::Session::new(compiled.clone());
    let d = session
        .domains(&choices, &mut effort)
        .map_err(|e| limit_error(path, e))?;
    if json {
        let options: Map<String, Value> = d
            .states
            .iter()
            .enumerate()
            .map(|(o, s)| (compiled.name(o).to_string(), json!(s.simple())))
            .collect();
        out!(
            "{}",
            json!({"satisfiable": d.satisfiable, "options": options})
        );
    } else {
        if !d.satisfiable {
            out!("The choices conflict: no valid product contains them all.");
        }
        for g in &compiled.index.groups {
            let kind = match g.kind {
                configurator_core::catalog::GroupKind::Visible => "visible",
                configurator_core::catalog::GroupKind::Infrastructure => "infrastructure",
            };
            out!("{} ({kind})", g.id);
            for o in g.options() {
                let mark = match d.states[o] {
                    OptionState::Selected => "selected (your choice)",
                    OptionState::Rejected => "excluded (your choice)",
                    OptionState::Forced => "selected (implied)",
                    OptionState::Excluded => "excluded (implied)",
                    OptionState::Free => "free",
                };
                out!("  {:<40} {mark}", compiled.name(o));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

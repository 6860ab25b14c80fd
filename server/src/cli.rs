//! Subcommands of the `configurator` program. The JSON shapes printed here are a contract that
//! other tools rely on; change them only together with the tests in `tests/cli.rs`.

use clap::{Args, Parser, Subcommand};
use configurator_core::import::ModelFormat;
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
        /// Catalog (.toml, .json) or variability model (.uvl, .dimacs, .cnf, .xml, .sxfm, CLib folder).
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

/// Loads a model: a catalog (`.toml`, `.json`) or an imported variability model (`.uvl`,
/// `.dimacs`/`.cnf`, XCSP or FeatureIDE `.xml`, SXFM `.sxfm`/`.splx`, a CLib folder with
/// `domains.txt`), gzip-compressed when the name ends in `.gz`. The format comes from the
/// extension, or from the content where extensions clash (`.xml`, `.txt`).
fn load(path: &str) -> Result<Compiled, Failed> {
    let fail = |diagnostics: Vec<Diagnostic>| {
        print_diagnostics(path, &diagnostics);
        eprintln!(
            "error: {path} is not usable ({} error{})",
            diagnostics.len(),
            if diagnostics.len() == 1 { "" } else { "s" }
        );
        Failed
    };
    if std::path::Path::new(path).is_dir() {
        return load_clib(path).and_then(|r| r.map_err(fail));
    }
    let text = read_text(path)?;
    let plain = path.strip_suffix(".gz").unwrap_or(path);
    if let Some(format) = Format::from_path(plain) {
        return configurator_core::load(&text, format).map_err(fail);
    }
    let head = &text[..floor_boundary(&text, 4096)];
    let Some(format) = ModelFormat::detect(plain, head) else {
        eprintln!(
            "error: {path}: unknown catalog format; use a catalog (.toml, .json) or a variability model (.uvl, .dimacs, .cnf, .xml, .sxfm, a CLib folder)"
        );
        return Err(Failed);
    };
    let stem = std::path::Path::new(plain)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("model")
        .to_string();
    let mut progress = progress_printer(path, text.len());
    let compiled = configurator_core::import::import(&text, format, &stem, &mut progress);
    compiled.map_err(fail)
}

/// Reads a file as UTF-8 text, decompressing `.gz`.
fn read_text(path: &str) -> Result<String, Failed> {
    let cannot = |e: std::io::Error| {
        eprintln!("error: cannot read {path}: {e}");
        Failed
    };
    if path.ends_with(".gz") {
        use std::io::Read;
        let file = std::fs::File::open(path).map_err(cannot)?;
        let mut text = String::new();
        flate2::read::GzDecoder::new(std::io::BufReader::new(file))
            .read_to_string(&mut text)
            .map_err(cannot)?;
        Ok(text)
    } else {
        std::fs::read_to_string(path).map_err(cannot)
    }
}

fn floor_boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// A CLib model: a folder with `domains.txt` and the rule files (`*.pm`, also in `rules/`).
fn load_clib(dir: &str) -> Result<Result<Compiled, Vec<Diagnostic>>, Failed> {
    let base = std::path::Path::new(dir);
    let domains = read_text(&base.join("domains.txt").to_string_lossy())?;
    let mut files = Vec::new();
    for sub in [base.to_path_buf(), base.join("rules")] {
        if let Ok(entries) = std::fs::read_dir(&sub) {
            for e in entries.flatten() {
                let p = e.path();
                if p.extension().is_some_and(|x| x == "pm") {
                    files.push(p);
                }
            }
        }
    }
    files.sort();
    let mut texts = Vec::new();
    for f in &files {
        let name = f
            .file_name()
            .map_or(String::new(), |n| n.to_string_lossy().into_owned());
        texts.push((name, read_text(&f.to_string_lossy())?));
    }
    let rules: Vec<(&str, &str)> = texts
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    let name = base
        .file_name()
        .map_or("clib".to_string(), |n| n.to_string_lossy().into_owned());
    Ok(configurator_core::import::clib::import(
        &domains, &rules, &name,
    ))
}

/// Shows the phases of a long import on stderr, only when stderr is a terminal.
fn progress_printer(path: &str, size: usize) -> impl FnMut(&str, usize, usize) + '_ {
    use std::io::IsTerminal;
    let show = size > 1_000_000 && std::io::stderr().is_terminal();
    let start = std::time::Instant::now();
    move |phase: &str, done: usize, total: usize| {
        if show {
            let pct = (done * 100).checked_div(total).unwrap_or(100);
            eprint!(
                "\r{path}: {phase} {pct:>3}% ({:.1} s){}",
                start.elapsed().as_secs_f64(),
                if done >= total { "\n" } else { "" }
            );
        }
    }
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

//! Subcommands of the `configurator` program. The JSON shapes printed here are a contract that
//! other tools rely on; change them only together with the tests in `tests/cli.rs`.

use clap::{ArgMatches, Args, CommandFactory, FromArgMatches, Parser, Subcommand};
use configurator_core::import::ModelFormat;
use configurator_core::{
    catalog::Format, complete::parse_objective, Choice, Compiled, CompleteRequest, Decimal,
    Diagnostic, Effort, LimitReached, OptionState, Session,
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
    /// Explain why an option is excluded or required: the minimal choices and rules behind it.
    Explain {
        model: String,
        #[command(flatten)]
        choices: Choices,
        /// The option to explain, as group.option.
        #[arg(long, value_name = "NAME")]
        option: String,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        limits: Limits,
    },
    /// When the last choice conflicts with earlier ones: up to 3 ranked minimal sets of earlier
    /// choices to drop.
    Repair {
        model: String,
        #[command(flatten)]
        choices: Choices,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        limits: Limits,
    },
    /// Guided mode: the next question with a short ranked list, and the default product.
    Guide {
        model: String,
        #[command(flatten)]
        choices: Choices,
        /// A needs profile of the catalog (e.g. gaming).
        #[arg(long)]
        profile: Option<String>,
        /// Options on the short list (at most 7).
        #[arg(long, default_value_t = 5)]
        k: usize,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        limits: Limits,
    },
    /// Run simulated customers through guided mode and the ask-everything baseline.
    Simulate {
        model: String,
        #[arg(long, default_value_t = 100)]
        customers: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Options on the short list (at most 7).
        #[arg(long, default_value_t = 5)]
        k: usize,
        /// Learn popularity from past sales (header of variable names, one sold product per
        /// line, one value per variable; -1: absent).
        #[arg(long, value_name = "FILE")]
        history: Option<String>,
        /// Replay these sold products as the customers' targets instead of drawing them (same
        /// format). When it is the same file as --history, every fifth sale is replayed and the
        /// others are learned from.
        #[arg(long, value_name = "FILE")]
        targets: Option<String>,
        /// Customers never start from a preset (by default they take the manufacturer's or a
        /// learned one when everything it chooses is in their target).
        #[arg(long)]
        no_presets: bool,
        /// How unevenly drawn customers deviate across groups: the Zipf exponent of the
        /// per-group deviation rates (0: every group alike; the default 1.4 is fitted on the
        /// real Renault sales by benches/guided/deviation_skew.py).
        #[arg(
            long,
            default_value_t = 1.4,
            value_name = "S",
            allow_negative_numbers = true
        )]
        deviation_skew: f64,
        /// Hidden styles of the drawn customers' population (their favourites in the groups
        /// the needs profile does not weigh); 1: one shared taste, as the profile's best
        /// product.
        #[arg(long, default_value_t = 4, value_name = "N")]
        styles: usize,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        limits: Limits,
    },
    /// Learn presets from past sales: clusters of similar products (k-medoids), each a named
    /// starting point answering what its cluster agrees on.
    Presets {
        model: String,
        /// Past sales (header of variable names, one sold product per line, one value per
        /// variable; -1: absent).
        #[arg(long, value_name = "FILE")]
        history: String,
        /// Presets at most.
        #[arg(long, default_value_t = 4)]
        max: usize,
        /// Share of the sales a cluster needs to become a preset.
        #[arg(long, value_name = "X", default_value_t = 0.1)]
        min_share: f64,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        limits: Limits,
    },
    /// Complete the choices into the best valid product and print its bill of materials.
    Complete {
        model: String,
        #[command(flatten)]
        choices: Choices,
        /// price (lowest total), lead_time (fastest, then cheapest) or preference (best
        /// attributes for the money, within --budget).
        #[arg(long, default_value = "price")]
        objective: String,
        /// Upper bound on the total price.
        #[arg(long, value_name = "X")]
        budget: Option<String>,
        /// Leave visible groups the customer did not decide open (only infrastructure is
        /// completed).
        #[arg(long)]
        no_visible: bool,
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
    /// Time limit of each optimisation (MILP) pass, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 10.0)]
    time_limit: f64,
}

/// An error already explained to the user on stderr.
struct Failed;

pub fn run() -> ExitCode {
    let matches = Cli::command().get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    let order = matches
        .subcommand()
        .map(|(_, m)| choice_order(m))
        .unwrap_or_default();
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
        } => domains(&model, &choices, &order, json, limits),
        Command::Explain {
            model,
            choices,
            option,
            json,
            limits,
        } => explain(&model, &choices, &order, &option, json, limits),
        Command::Repair {
            model,
            choices,
            json,
            limits,
        } => repair(&model, &choices, &order, json, limits),
        Command::Guide {
            model,
            choices,
            profile,
            k,
            json,
            limits,
        } => guide(
            &model,
            (&choices, &order),
            profile.as_deref(),
            k,
            json,
            limits,
        ),
        Command::Simulate {
            model,
            customers,
            seed,
            k,
            history,
            targets,
            no_presets,
            deviation_skew,
            styles,
            json,
            limits,
        } => simulate(
            &model,
            (customers, seed, k, !no_presets, (deviation_skew, styles)),
            (history.as_deref(), targets.as_deref()),
            json,
            limits,
        ),
        Command::Presets {
            model,
            history,
            max,
            min_share,
            json,
            limits,
        } => presets(&model, &history, (max, min_share), json, limits),
        Command::Complete {
            model,
            choices,
            objective,
            budget,
            no_visible,
            json,
            limits,
        } => complete(
            &model,
            (&choices, &order),
            &objective,
            budget.as_deref(),
            !no_visible,
            json,
            limits,
        ),
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

/// The `--select`/`--deselect` values in the order they were given on the command line (the
/// order of decisions: the last one is the newest, which `repair` keeps).
fn choice_order(m: &ArgMatches) -> Vec<(String, bool)> {
    let mut out: Vec<(usize, String, bool)> = Vec::new();
    for (id, selected) in [("select", true), ("deselect", false)] {
        // Only commands with choices have these arguments; asking others would panic.
        let Ok(Some(values)) = m.try_get_many::<String>(id) else {
            continue;
        };
        let Some(indices) = m.indices_of(id) else {
            continue;
        };
        for (v, i) in values.zip(indices) {
            out.push((i, v.clone(), selected));
        }
    }
    out.sort_by_key(|(i, _, _)| *i);
    out.into_iter().map(|(_, v, s)| (v, s)).collect()
}

fn parse_choices(
    compiled: &Compiled,
    choices: &Choices,
    order: &[(String, bool)],
) -> Result<Vec<Choice>, Failed> {
    debug_assert_eq!(order.len(), choices.select.len() + choices.deselect.len());
    let mut out = Vec::new();
    for (name, selected) in order {
        let option = compiled.option(name).map_err(|e| {
            eprintln!("error: {e}");
            Failed
        })?;
        out.push(Choice {
            option,
            selected: *selected,
        });
    }
    Ok(out)
}

fn domains(
    path: &str,
    choices: &Choices,
    order: &[(String, bool)],
    json: bool,
    limits: Limits,
) -> Result<ExitCode, Failed> {
    let compiled = std::sync::Arc::new(load(path)?);
    let choices = parse_choices(&compiled, choices, order)?;
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
                    OptionState::Unsettled => "unsettled (the solver picks it)",
                };
                out!("  {:<40} {mark}", compiled.name(o));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn to_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|e| json!({"error": e.to_string()}).to_string())
}

fn explain(
    path: &str,
    choices: &Choices,
    order: &[(String, bool)],
    option: &str,
    json: bool,
    limits: Limits,
) -> Result<ExitCode, Failed> {
    let compiled = std::sync::Arc::new(load(path)?);
    let choices = parse_choices(&compiled, choices, order)?;
    let option = compiled.option(option).map_err(|e| {
        eprintln!("error: {e}");
        Failed
    })?;
    let mut effort = Effort::new(limits.max_conflicts);
    let mut session = Session::new(compiled);
    let x = session
        .explain(&choices, option, &mut effort)
        .map_err(|e| limit_error(path, e))?;
    if json {
        out!("{}", to_json(&x));
    } else {
        out!("{}", x.message);
    }
    Ok(ExitCode::SUCCESS)
}

fn repair(
    path: &str,
    choices: &Choices,
    order: &[(String, bool)],
    json: bool,
    limits: Limits,
) -> Result<ExitCode, Failed> {
    let compiled = std::sync::Arc::new(load(path)?);
    let choices = parse_choices(&compiled, choices, order)?;
    let mut effort = Effort::new(limits.max_conflicts);
    let mut session = Session::new(compiled.clone());
    let r = session
        .repairs(&choices, limits.time_limit, &mut effort)
        .map_err(|e| limit_error(path, e))?;
    if json {
        out!("{}", to_json(&r));
    } else {
        out!("{}", r.message);
        for (i, rep) in r.repairs.iter().enumerate() {
            let delta = match rep.price_delta {
                Some(d) if d.raw() >= 0 => format!("+{d} {}", compiled.catalog.currency),
                Some(d) => format!("{d} {}", compiled.catalog.currency),
                None => "price unknown".into(),
            };
            out!("{}. drop {} ({delta})", i + 1, rep.drop.join(", "));
            out!("   {}", rep.explanation.message);
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn complete(
    path: &str,
    (choices, order): (&Choices, &[(String, bool)]),
    objective: &str,
    budget: Option<&str>,
    complete_visible: bool,
    json: bool,
    limits: Limits,
) -> Result<ExitCode, Failed> {
    let objective = parse_objective(objective).map_err(|e| {
        eprintln!("error: {e}");
        Failed
    })?;
    let budget = match budget {
        Some(b) => Some(Decimal::parse(b.trim()).ok_or_else(|| {
            eprintln!("error: --budget {b} is not a number");
            Failed
        })?),
        None => None,
    };
    if !(limits.time_limit > 0.0 && limits.time_limit.is_finite()) {
        eprintln!("error: --time-limit must be a positive number of seconds");
        return Err(Failed);
    }
    let compiled = std::sync::Arc::new(load(path)?);
    let choices = parse_choices(&compiled, choices, order)?;
    let mut effort = Effort::new(limits.max_conflicts);
    let mut session = Session::new(compiled.clone());
    let request = CompleteRequest {
        objective,
        budget,
        budget_at_cheapest: Vec::new(),
        complete_visible,
        time_limit_secs: limits.time_limit,
    };
    let r = session
        .complete(&choices, &request, &mut effort)
        .map_err(|e| {
            eprintln!("error: {path}: {e}");
            Failed
        })?;
    if json {
        out!("{}", to_json(&r));
    } else if !r.satisfiable {
        let why = r
            .explanation
            .as_ref()
            .map(|e| e.message.as_str())
            .unwrap_or("no valid product");
        out!("No product: {why}");
    } else {
        for l in &r.lines {
            out!(
                "{:<36} {:<14} {:>10} {}{}",
                l.option,
                l.kind,
                l.price.to_string(),
                r.currency,
                if l.chosen_by == "customer" {
                    "  (your choice)"
                } else {
                    ""
                }
            );
        }
        out!(
            "{:<36} {:<14} {:>10} {}{}",
            "total",
            "",
            r.total.to_string(),
            r.currency,
            if r.optimal {
                ""
            } else {
                "  (time limit: maybe not optimal)"
            }
        );
        if !r.open.is_empty() {
            out!("still open: {}", r.open.join(", "));
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn check_k(k: usize) -> Result<(), Failed> {
    if (1..=configurator_core::guide::MAX_K).contains(&k) {
        Ok(())
    } else {
        eprintln!(
            "error: --k must be between 1 and {}",
            configurator_core::guide::MAX_K
        );
        Err(Failed)
    }
}

fn guide(
    path: &str,
    (choices, order): (&Choices, &[(String, bool)]),
    profile: Option<&str>,
    k: usize,
    json: bool,
    limits: Limits,
) -> Result<ExitCode, Failed> {
    check_k(k)?;
    let compiled = std::sync::Arc::new(load(path)?);
    let choices = parse_choices(&compiled, choices, order)?;
    let profile = profile
        .map(|id| compiled.catalog.profile(id))
        .transpose()
        .map_err(|e| {
            eprintln!("error: {path}: {e}");
            Failed
        })?;
    let mut effort = Effort::new(limits.max_conflicts);
    let mut session = Session::new(compiled.clone());
    let g = configurator_core::guide::Guide::new(&compiled, profile, None);
    let step = g
        .step(&mut session, &choices, k, limits.time_limit, &mut effort)
        .map_err(|e| {
            eprintln!("error: {path}: {e}");
            Failed
        })?;
    if json {
        out!("{}", to_json(&step));
    } else if !step.satisfiable {
        out!("The choices conflict; run `repair` to see ways out.");
    } else {
        match &step.question {
            Some(q) => {
                out!(
                    "Next: {} ({} more valid, {} dominated hidden)",
                    q.name,
                    q.more,
                    q.dominated.len()
                );
                for (i, o) in q.options.iter().enumerate() {
                    out!(
                        "  {}. {:<36} {:>8} {}  {}",
                        i + 1,
                        o.option,
                        o.price.to_string(),
                        compiled.catalog.currency,
                        o.reasons.join("; ")
                    );
                }
            }
            None => out!("Nothing left to ask."),
        }
        if let Some(d) = &step.default {
            out!("Default product: {} {}", d.total, d.currency);
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn read_sales(
    compiled: &Compiled,
    path: &str,
) -> Result<Vec<configurator_core::simulate::Target>, Failed> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        eprintln!("error: cannot read {path}: {e}");
        Failed
    })?;
    configurator_core::simulate::read_sales(compiled, &text).map_err(|e| {
        eprintln!("error: {path}: {e}");
        Failed
    })
}

fn presets(
    path: &str,
    history: &str,
    (max, min_share): (usize, f64),
    json: bool,
    limits: Limits,
) -> Result<ExitCode, Failed> {
    use configurator_core::presets::{learn_presets, LearnConfig};
    if max == 0 || !(0.0..=1.0).contains(&min_share) {
        eprintln!("error: --max must be at least 1 and --min-share between 0 and 1");
        return Err(Failed);
    }
    let compiled = std::sync::Arc::new(load(path)?);
    let sales = read_sales(&compiled, history)?;
    let history = configurator_core::simulate::history_of(&sales);
    let config = LearnConfig {
        max,
        min_share,
        ..LearnConfig::default()
    };
    let mut session = Session::new(compiled.clone());
    let mut effort = Effort::new(limits.max_conflicts);
    let presets = learn_presets(&mut session, &history, &config, &mut effort).map_err(|e| {
        eprintln!("error: {path}: {e}");
        Failed
    })?;
    if json {
        out!(
            "{}",
            to_json(&serde_json::json!({ "sales": sales.len(), "presets": presets }))
        );
    } else {
        out!(
            "{} presets learned from {} sales:",
            presets.len(),
            sales.len()
        );
        for p in &presets {
            out!(
                "  {} ({:.0} %): {}",
                p.preset.name,
                p.share * 100.0,
                p.preset.choices.join(", ")
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn simulate(
    path: &str,
    (customers, seed, k, presets, (deviation_skew, styles)): (
        usize,
        u64,
        usize,
        bool,
        (f64, usize),
    ),
    (history, targets): (Option<&str>, Option<&str>),
    json: bool,
    limits: Limits,
) -> Result<ExitCode, Failed> {
    use configurator_core::simulate::history_of;
    check_k(k)?;
    if !(deviation_skew.is_finite() && deviation_skew >= 0.0) {
        eprintln!("error: --deviation-skew must be a number >= 0, got {deviation_skew}");
        return Err(Failed);
    }
    if styles == 0 {
        eprintln!("error: --styles must be at least 1");
        return Err(Failed);
    }
    let compiled = std::sync::Arc::new(load(path)?);
    let (learn, replay) = match (history, targets) {
        (Some(h), Some(t)) if h == t => {
            let all = read_sales(&compiled, h)?;
            let (mut learn, mut replay) = (Vec::new(), Vec::new());
            for (i, s) in all.into_iter().enumerate() {
                if i % 5 == 4 {
                    replay.push(s);
                } else {
                    learn.push(s);
                }
            }
            (Some(learn), Some(replay))
        }
        (h, t) => (
            h.map(|h| read_sales(&compiled, h)).transpose()?,
            t.map(|t| read_sales(&compiled, t)).transpose()?,
        ),
    };
    let history = learn.as_deref().map(history_of);
    let customers = match &replay {
        Some(r) => customers.min(r.len()),
        None => customers,
    };
    let config = configurator_core::simulate::SimulationConfig {
        customers,
        seed,
        k,
        presets,
        deviation_skew,
        styles,
        time_limit_secs: limits.time_limit,
        ..Default::default()
    };
    let r = configurator_core::simulate::simulate(
        compiled,
        &config,
        history.as_ref(),
        replay.as_deref(),
    )
    .map_err(|e| {
        eprintln!("error: {path}: {e}");
        Failed
    })?;
    if json {
        out!("{}", to_json(&r));
    } else {
        out!(
            "{} customers, {} visible groups: {:.2} decisions on average (p90 {}), baseline {:.2}; at most {} options shown; {} dead ends",
            r.customers,
            r.visible_groups,
            r.mean_decisions,
            r.p90_decisions,
            r.baseline_mean_decisions,
            r.max_options_shown,
            r.dead_ends
        );
    }
    Ok(ExitCode::SUCCESS)
}

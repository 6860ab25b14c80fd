//! The entry points: compile a catalog once, then answer questions about it.
//!
//! [`Compiled`] holds everything derived from a catalog (index, constraints, CNF) and is
//! immutable, so a server can share it between requests. A [`Session`] owns the incremental SAT
//! solver for one customer's configuration.

use crate::catalog::{parse_catalog, Catalog, Format};
use crate::compile::{compile, compile_with, Cnf, CompileLimits, PbEncoding};
use crate::complete::{CompleteError, CompletionReport};
use crate::diagnosis::quickxplain;
use crate::diagnostic::{did_you_mean, suggest, Diagnostic, Severity};
use crate::explain::{Conflict, Explanation};
use crate::ir::{Constraint, ConstraintInfo, Index, OptionIdx, Origin};
use crate::optimize::CompleteRequest;
use crate::propagate::{Backbone, Choice, Domains, OptionState, PropagationStats, SharedModels};
use crate::repair::RepairReport;
use crate::resolve::{cardinality_constraints, table_from_def, AttrTypes, ResolveError, Resolver};
use crate::rules::{line_col, parse_rule, ParseError};
use crate::solver::{Effort, Guards, LimitReached, SatSolver};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

/// A catalog compiled for the solver.
#[derive(Debug)]
pub struct Compiled {
    pub catalog: Catalog,
    pub index: Index,
    /// Group cardinalities first (one per group, in group order), then rules in catalog order.
    pub constraints: Vec<ConstraintInfo>,
    pub cnf: Cnf,
    /// Warnings found while compiling (errors prevent compilation).
    pub warnings: Vec<Diagnostic>,
    /// The same constraints with sums kept linear, for the completion MILP; built on first use.
    pub milp: OnceLock<Result<Cnf, String>>,
    /// Models of `cnf` found by earlier sessions, which new sessions start from (valid
    /// products for every customer; see `propagate`).
    pub shared_models: SharedModels,
    /// The price of the cheapest valid product without choices, once a guide computed it (it
    /// raises budgets by what choices cost, see `guide`).
    pub cheapest_total: OnceLock<crate::number::Decimal>,
}

/// Reads and compiles a catalog file's text. `source` positions errors in the file.
pub fn load(source: &str, format: Format) -> Result<Compiled, Vec<Diagnostic>> {
    let catalog = parse_catalog(source, format)?;
    compile_catalog(catalog, Some(source))
}

/// Resolves every rule (collecting all errors, not just the first) and compiles to CNF.
pub fn compile_catalog(
    catalog: Catalog,
    source: Option<&str>,
) -> Result<Compiled, Vec<Diagnostic>> {
    let index = Index::new(&catalog);
    let types = AttrTypes::new(&catalog);
    let resolver = Resolver {
        index: &index,
        types: &types,
    };
    let mut constraints = cardinality_constraints(&catalog, &index);
    let mut errors = Vec::new();
    for (ri, rule) in catalog.rules.iter().enumerate() {
        let body = if let Some(text) = &rule.rule {
            match parse_rule(text) {
                Ok(b) => b,
                Err(e) => {
                    errors.push(parse_diagnostic(&e, &rule.id, text, source));
                    continue;
                }
            }
        } else if let Some(t) = &rule.table {
            crate::rules::ast::RuleBody::Table(table_from_def(t))
        } else {
            continue;
        };
        match resolver.rule(&body) {
            Ok(c) => constraints.push(ConstraintInfo {
                id: rule.id.clone(),
                description: rule.description.clone(),
                origin: Origin::Rule(ri),
                body: c,
            }),
            Err(e) => errors.push(resolve_diagnostic(
                &e,
                &rule.id,
                rule.rule.as_deref(),
                source,
            )),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    finish(catalog, index, constraints)
}

/// Compiles a catalog whose rules were already resolved (by an importer that builds the
/// constraints directly instead of printing and re-parsing millions of rule texts):
/// `rules[i]` is the meaning of `catalog.rules[i]`, whose text must say the same (importers test
/// that on small models). Checks the catalog's structure like [`crate::catalog::parse_catalog`].
pub fn compile_resolved(
    catalog: Catalog,
    rules: Vec<Constraint>,
) -> Result<Compiled, Vec<Diagnostic>> {
    if rules.len() != catalog.rules.len() {
        return Err(vec![Diagnostic::error(
            "internal",
            format!(
                "{} resolved rules for {} catalog rules",
                rules.len(),
                catalog.rules.len()
            ),
        )]);
    }
    let problems = crate::catalog::validate_structure(&catalog);
    if problems.iter().any(|d| d.severity == Severity::Error) {
        return Err(problems);
    }
    let index = Index::new(&catalog);
    let mut constraints = cardinality_constraints(&catalog, &index);
    constraints.reserve(rules.len());
    for (ri, (rule, body)) in catalog.rules.iter().zip(rules).enumerate() {
        constraints.push(ConstraintInfo {
            id: rule.id.clone(),
            description: rule.description.clone(),
            origin: Origin::Rule(ri),
            body,
        });
    }
    finish(catalog, index, constraints)
}

fn finish(
    catalog: Catalog,
    index: Index,
    constraints: Vec<ConstraintInfo>,
) -> Result<Compiled, Vec<Diagnostic>> {
    let cnf = compile(&index, &constraints, CompileLimits::default())
        .map_err(|e| vec![Diagnostic::error("too-large", e.message).in_rule(e.constraint)])?;
    let mut warnings = Vec::new();
    for r in &catalog.rules {
        if r.description.trim().is_empty() {
            warnings.push(
                Diagnostic::warning(
                    "no-description",
                    "the rule has no description; explanations will only show its id",
                )
                .in_rule(&r.id),
            );
        }
    }
    Ok(Compiled {
        catalog,
        index,
        constraints,
        cnf,
        warnings,
        milp: OnceLock::new(),
        shared_models: SharedModels::default(),
        cheapest_total: OnceLock::new(),
    })
}

/// Finds where the rule text starts in the catalog file, when it appears there verbatim (no
/// escapes): the first occurrence after the rule's id.
fn locate(source: Option<&str>, rule_id: &str, text: &str) -> Option<usize> {
    let source = source?;
    if text.is_empty() {
        return None;
    }
    let from = source.find(&format!("\"{rule_id}\"")).unwrap_or(0);
    source[from..]
        .find(text)
        .map(|i| i + from)
        .or_else(|| source.find(text))
}

fn position(
    d: Diagnostic,
    rule_id: &str,
    text: &str,
    offset: usize,
    source: Option<&str>,
) -> Diagnostic {
    match (locate(source, rule_id, text), source) {
        (Some(start), Some(src)) => {
            let (line, col) = line_col(src, start + offset.min(text.len()));
            d.at(line, col, true)
        }
        _ => {
            let (line, col) = line_col(text, offset);
            d.at(line, col, false)
        }
    }
}

fn parse_diagnostic(e: &ParseError, rule_id: &str, text: &str, source: Option<&str>) -> Diagnostic {
    let d = Diagnostic::error("syntax", e.message.clone()).in_rule(rule_id);
    position(d, rule_id, text, e.offset, source)
}

fn resolve_diagnostic(
    e: &ResolveError,
    rule_id: &str,
    text: Option<&str>,
    source: Option<&str>,
) -> Diagnostic {
    let d = Diagnostic::error(e.code, e.message.clone()).in_rule(rule_id);
    match text {
        Some(t) => position(d, rule_id, t, e.span.start, source),
        None => d,
    }
}

/// The lint report of `configurator check`.
#[derive(Clone, Debug, Serialize)]
pub struct LintReport {
    pub options: usize,
    pub rules: usize,
    pub satisfiable: bool,
    /// Options in no valid product.
    pub dead: Vec<String>,
    /// Options in every valid product.
    pub forced: Vec<String>,
    /// When unsatisfiable: a minimal set of constraints (rules and group cardinalities) that
    /// conflict.
    pub conflict: Vec<RuleRef>,
    pub diagnostics: Vec<Diagnostic>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RuleRef {
    pub id: String,
    pub description: String,
}

impl LintReport {
    /// Usable: satisfiable and without errors.
    pub fn usable(&self) -> bool {
        self.satisfiable
            && !self
                .diagnostics
                .iter()
                .any(|d| d.severity == Severity::Error)
    }
}

impl Compiled {
    pub fn n_options(&self) -> usize {
        self.index.n_options()
    }

    /// Looks up an option by `group.option`, by its printed name, or by its bare option id
    /// when that is unique, with a "did you mean" error.
    pub fn option(&self, name: &str) -> Result<OptionIdx, String> {
        self.index.find(name).ok_or_else(|| {
            if let Some(None) = self.index.by_alias.get(name) {
                let owners: Vec<&str> = self
                    .index
                    .names
                    .iter()
                    .filter(|n| n.rsplit_once('.').is_some_and(|(_, o)| o == name))
                    .map(|s| s.as_str())
                    .take(5)
                    .collect();
                return format!(
                    "option name {name} is ambiguous; write it as group.option: {}",
                    owners.join(", ")
                );
            }
            let hint = did_you_mean(&suggest(name, self.index.labels.iter().map(|s| s.as_str())));
            format!("unknown option {name}{hint}")
        })
    }

    /// The name printed for an option: `group.option`, or the feature name as written in the
    /// file for imported variability models (`feature_names`).
    pub fn name(&self, o: OptionIdx) -> &str {
        &self.index.labels[o]
    }

    /// The constraints compiled for the completion MILP (sums as linear rows).
    pub fn milp(&self) -> Result<&Cnf, String> {
        self.milp
            .get_or_init(|| {
                compile_with(
                    &self.index,
                    &self.constraints,
                    CompileLimits::default(),
                    PbEncoding::Linear,
                )
                .map_err(|e| format!("rule {}: {}", e.constraint, e.message))
            })
            .as_ref()
            .map_err(|e| e.clone())
    }

    /// Attributes with a declared `better` direction.
    pub fn better(&self) -> BTreeMap<String, crate::catalog::Better> {
        self.catalog
            .attributes
            .iter()
            .filter_map(|(k, d)| d.better.map(|b| (k.clone(), b)))
            .collect()
    }

    /// The catalog definition of an option.
    pub fn option_def(&self, o: OptionIdx) -> &crate::catalog::OptionDef {
        let g = self.index.group_of[o];
        &self.catalog.groups[g].options[o - self.index.groups[g].first]
    }

    pub fn catalog_price(&self, o: OptionIdx) -> crate::number::Decimal {
        self.option_def(o).price
    }

    pub fn rule_ref(&self, constraint: usize) -> RuleRef {
        let c = &self.constraints[constraint];
        RuleRef {
            id: c.id.clone(),
            description: c.description.clone(),
        }
    }

    /// Checks the compiled catalog: satisfiable (else a minimal conflict), dead and forced
    /// options.
    pub fn lint(&self, effort: &mut Effort) -> Result<LintReport, LimitReached> {
        let mut solver = SatSolver::new(&self.cnf, self.constraints.len(), Guards::None);
        let mut backbone = Backbone::new(&self.cnf);
        backbone.seed(&self.shared_models);
        let d = backbone.domains(&mut solver, &[], effort, Some(&self.shared_models))?;
        let mut report = LintReport {
            options: self.n_options(),
            rules: self.catalog.rules.len(),
            satisfiable: d.satisfiable,
            dead: Vec::new(),
            forced: Vec::new(),
            conflict: Vec::new(),
            diagnostics: self.warnings.clone(),
        };
        if d.satisfiable {
            for (o, s) in d.states.iter().enumerate() {
                match s {
                    OptionState::Excluded => report.dead.push(self.name(o).to_string()),
                    OptionState::Forced => report.forced.push(self.name(o).to_string()),
                    _ => {}
                }
            }
            for name in &report.dead {
                report.diagnostics.push(Diagnostic::warning(
                    "dead-option",
                    format!("option {name} is in no valid product"),
                ));
            }
            for name in &report.forced {
                report.diagnostics.push(Diagnostic::warning(
                    "forced-option",
                    format!("option {name} is in every valid product"),
                ));
            }
        } else {
            let conflict = self.minimal_conflict(effort)?;
            let ids: Vec<String> = conflict
                .iter()
                .map(|c| self.constraints[*c].id.clone())
                .collect();
            report.diagnostics.push(Diagnostic::error(
                "unsatisfiable",
                format!(
                    "no product satisfies all rules; these conflict: {}",
                    ids.join(", ")
                ),
            ));
            report.conflict = conflict.into_iter().map(|c| self.rule_ref(c)).collect();
        }
        Ok(report)
    }

    /// A minimal set of constraints (indices) that cannot hold together (QuickXplain over the
    /// solver's unsatisfiable core). Empty when the catalog is satisfiable.
    pub fn minimal_conflict(&self, effort: &mut Effort) -> Result<Vec<usize>, LimitReached> {
        let mut solver = SatSolver::new(&self.cnf, self.constraints.len(), Guards::PerConstraint);
        let all: Vec<usize> = (0..self.constraints.len()).collect();
        let sels: Vec<_> = all.iter().map(|c| solver.selector(*c)).collect();
        if solver.solve(&sels, effort)? {
            return Ok(Vec::new());
        }
        // Start from the core; rules before group cardinalities so that the conflict prefers
        // to name rules (QuickXplain keeps later elements).
        let core: Vec<_> = solver.core();
        let mut candidates: Vec<usize> = all
            .into_iter()
            .filter(|c| core.contains(&solver.selector(*c)))
            .collect();
        candidates.sort_by_key(|c| match self.constraints[*c].origin {
            Origin::Group(_) => (0, *c),
            Origin::Rule(_) => (1, *c),
        });
        let mut oracle = |set: &[usize]| {
            let a: Vec<_> = set.iter().map(|c| solver.selector(*c)).collect();
            solver.solve(&a, effort)
        };
        let mut x = quickxplain(&[], &candidates, &mut oracle)?.unwrap_or_default();
        x.sort_unstable();
        Ok(x)
    }
}

/// One customer's configuration in progress: the compiled catalog and incremental solvers.
pub struct Session {
    pub compiled: Arc<Compiled>,
    /// For `domains`, satisfiability, witnesses, explanations and repairs.
    solver: SatSolver,
    /// Unit propagation and stored models for `domains` (see `propagate`).
    backbone: Backbone,
    /// Whether models are taken from and given to `compiled.shared_models`.
    share: bool,
    /// With a selector per constraint, for naming rules; built on first use.
    guarded: Option<SatSolver>,
}

impl Session {
    /// A session that starts from the models earlier sessions of `compiled` found, and shares
    /// its own.
    pub fn new(compiled: Arc<Compiled>) -> Self {
        let mut s = Self::isolated(compiled);
        s.backbone.seed(&s.compiled.shared_models);
        s.share = true;
        s
    }

    /// A session that neither uses nor feeds the compiled catalog's shared models (for
    /// benchmarks of a first customer, and tests).
    pub fn isolated(compiled: Arc<Compiled>) -> Self {
        let solver = SatSolver::new(&compiled.cnf, compiled.constraints.len(), Guards::None);
        let backbone = Backbone::new(&compiled.cnf);
        Session {
            compiled,
            solver,
            backbone,
            share: false,
            guarded: None,
        }
    }

    /// Which options the later [`domains`](Session::domains) calls settle: every option
    /// (the default), or those of visible groups, the ones customers decide (see
    /// [`Scope`](crate::Scope); servers and the browser use `Visible`).
    pub fn set_scope(&mut self, scope: crate::Scope) {
        let wanted: Option<Arc<[bool]>> = match scope {
            crate::Scope::All => None,
            crate::Scope::Visible => Some(
                (0..self.compiled.n_options())
                    .map(|o| self.compiled.index.is_visible(o))
                    .collect(),
            ),
        };
        self.backbone.set_scope(wanted);
    }

    /// What the last `domains` call did (SAT calls, models reused, ...).
    pub fn propagation_stats(&self) -> PropagationStats {
        self.backbone.stats()
    }

    /// How many models the session keeps for the next clicks.
    pub fn pool_len(&self) -> usize {
        self.backbone.pool_len()
    }

    fn solvers(&mut self) -> (&Compiled, &mut SatSolver, &mut SatSolver) {
        let compiled = &*self.compiled;
        let guarded = self.guarded.get_or_insert_with(|| {
            SatSolver::new(
                &compiled.cnf,
                compiled.constraints.len(),
                Guards::PerConstraint,
            )
        });
        (compiled, &mut self.solver, guarded)
    }

    /// Why `option` is excluded, forced or chosen under `choices` (minimal causes).
    pub fn explain(
        &mut self,
        choices: &[Choice],
        option: OptionIdx,
        effort: &mut Effort,
    ) -> Result<Explanation, LimitReached> {
        let (compiled, solver, guarded) = self.solvers();
        crate::explain::explain(compiled, solver, guarded, choices, option, effort)
    }

    /// A minimal conflict among unsatisfiable choices, with its rules.
    pub fn conflict(
        &mut self,
        choices: &[Choice],
        effort: &mut Effort,
    ) -> Result<Conflict, LimitReached> {
        let (compiled, solver, guarded) = self.solvers();
        crate::explain::conflict(compiled, solver, guarded, choices, effort)
    }

    /// Ranked minimal repairs when the newest (last) choice conflicts with earlier ones.
    /// `time_limit_secs` bounds each price computation (MILP).
    pub fn repairs(
        &mut self,
        choices: &[Choice],
        time_limit_secs: f64,
        effort: &mut Effort,
    ) -> Result<RepairReport, LimitReached> {
        let (compiled, solver, guarded) = self.solvers();
        let mut cheapest = |set: &[Choice]| {
            crate::complete::cheapest(compiled, set, time_limit_secs)
                .ok()
                .flatten()
        };
        crate::repair::repairs(compiled, solver, guarded, choices, &mut cheapest, effort)
    }

    /// The best valid product extending `choices` as a bill of materials, or why none exists.
    pub fn complete(
        &mut self,
        choices: &[Choice],
        request: &CompleteRequest,
        effort: &mut Effort,
    ) -> Result<CompletionReport, CompleteError> {
        let lits: Vec<_> = choices.iter().map(|c| c.lit()).collect();
        if !self.solver.solve(&lits, effort)? {
            let conflict = self.conflict(choices, effort)?;
            return Ok(crate::complete::infeasible(
                &self.compiled,
                request,
                conflict,
            ));
        }
        match crate::complete::best(&self.compiled, choices, request)? {
            Some(p) => Ok(crate::complete::report(
                &self.compiled,
                choices,
                request,
                &p,
            )),
            None => match request.budget {
                Some(b) => crate::complete::over_budget(&self.compiled, choices, request, b),
                None => Err(CompleteError::Solver(
                    "the MILP found no product although the SAT solver did".into(),
                )),
            },
        }
    }

    /// The state of every option under the choices.
    pub fn domains(
        &mut self,
        choices: &[Choice],
        effort: &mut Effort,
    ) -> Result<Domains, LimitReached> {
        let shared = self.share.then_some(&self.compiled.shared_models);
        self.backbone
            .domains(&mut self.solver, choices, effort, shared)
    }

    /// One valid product extending the choices (chosen flags of every option), if any. On
    /// table catalogs by finite-domain search (far cheaper than a SAT call over their table
    /// supports), else, or when that search hits its bound, by the SAT solver.
    pub fn witness(
        &mut self,
        choices: &[Choice],
        effort: &mut Effort,
    ) -> Result<Option<Vec<bool>>, LimitReached> {
        if let Some(found) = self.backbone.csp_witness(choices, effort)? {
            return Ok(found);
        }
        let a: Vec<_> = choices.iter().map(|c| c.lit()).collect();
        let n = self.compiled.n_options();
        let solver = &mut self.solver;
        if !solver.solve(&a, effort)? {
            return Ok(None);
        }
        Ok(Some(
            (0..n)
                .map(|o| solver.value(crate::compile::option_lit(o)))
                .collect(),
        ))
    }

    /// Whether some valid product extends the choices.
    pub fn satisfiable(
        &mut self,
        choices: &[Choice],
        effort: &mut Effort,
    ) -> Result<bool, LimitReached> {
        let a: Vec<_> = choices.iter().map(|c| c.lit()).collect();
        self.solver.solve(&a, effort)
    }
}

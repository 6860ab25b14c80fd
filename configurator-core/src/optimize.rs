//! Cost-optimal completion: the cheapest (or fastest, or best-fitting) valid product that
//! extends a customer's choices, as a mixed-integer linear program solved with good_lp's pure
//! Rust backend microlp (so the browser can run it too).
//!
//! The model is the catalog's own CNF compiled with [`PbEncoding::Linear`]: every clause
//! becomes the row `Σ literals >= 1`, and every sum or cardinality stays one linear row
//! (guarded by a literal, big-M style) instead of a totalizer. So the MILP states exactly the
//! rules the SAT solver sees, and its LP relaxation stays small: a handful of rows per rule.
//!
//! Objectives are lexicographic, solved one after the other with the previous optimum fixed:
//! - `price`: lowest total price;
//! - `lead_time`: lowest lead time (the largest `lead_time_days`/`lead_time` of the chosen
//!   options: a product ships when its slowest part arrives), then lowest price;
//! - `preference`: highest preference score (attributes the catalog marks `better`, each
//!   normalised to 0..1 within its group and weighted), within the budget, then lowest price.
//!
//! Ties are broken deterministically by a last pass that prefers options listed earlier in
//! their group (the manufacturer's order). Every product returned is re-checked with the
//! independent evaluator ([`crate::eval`]) before it is believed.

use crate::compile::{Cnf, LinearRow};
use crate::eval::violations;
use crate::ir::{GroupIdx, Index, OptionIdx};
use crate::number::{Decimal, SCALE};
use crate::propagate::Choice;
use good_lp::solvers::{Solution as _, SolutionStatus, SolverModel as _, WithTimeLimit as _};
use good_lp::{microlp, variable, Expression, ProblemVariables, Variable};
use rustsat::types::Lit;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;

/// What "best" means for a completion.
#[derive(Clone, Debug, PartialEq, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Objective {
    /// Lowest total price.
    #[default]
    Price,
    /// Lowest lead time, then lowest price.
    LeadTime,
    /// Highest preference score, then lowest price. Weights per attribute (attributes with a
    /// declared `better` direction); an empty map weighs every such attribute 1.
    Preference(BTreeMap<String, f64>),
    /// Highest total of the given per-option scores, then lowest price (guided mode's default
    /// product: fit to the customer's needs plus popularity).
    Scores(Vec<f64>),
}

impl Objective {
    pub fn name(&self) -> &'static str {
        match self {
            Objective::Price => "price",
            Objective::LeadTime => "lead_time",
            Objective::Preference(_) => "preference",
            Objective::Scores(_) => "scores",
        }
    }
}

/// A completion request.
#[derive(Clone, Debug, PartialEq)]
pub struct CompleteRequest {
    pub objective: Objective,
    /// Upper bound on the total price of the counted options.
    pub budget: Option<Decimal>,
    /// Groups whose premium is paid on top of the budget: their options count toward it at
    /// the price of the group's cheapest option (single-choice groups) or not at all (groups
    /// of several options, where the cheapest is none). Guided mode's default product puts
    /// matters of taste here (case, colour: groups the needs profile does not weigh), so the
    /// popular case does not cost the customer the processor of their profile, as it would not
    /// once they chose it (the budget is then raised by what the choice costs).
    pub budget_at_cheapest: Vec<GroupIdx>,
    /// Complete visible groups the customer left open (default). When false, only the
    /// infrastructure is chosen, such that the open visible groups can still be completed; the
    /// open visible options are not counted in the objective nor listed.
    pub complete_visible: bool,
    /// Wall-clock limit per MILP pass, in seconds (the one place the core relies on a clock,
    /// through microlp, which reads `web_time` and so also works in the browser).
    pub time_limit_secs: f64,
}

impl Default for CompleteRequest {
    fn default() -> Self {
        CompleteRequest {
            objective: Objective::Price,
            budget: None,
            budget_at_cheapest: Vec::new(),
            complete_visible: true,
            time_limit_secs: 5.0,
        }
    }
}

/// The best product found.
#[derive(Clone, Debug, PartialEq)]
pub struct OptimalProduct {
    /// The chosen options of the whole product (visible and infrastructure).
    pub chosen: Vec<bool>,
    /// Which options count (are listed and priced): all chosen options, or, without
    /// `complete_visible`, the customer's own choices and the infrastructure.
    pub counted: Vec<bool>,
    /// Proven optimal; false when a time limit stopped the search with a valid product.
    pub optimal: bool,
}

/// Why no completion was computed.
#[derive(Clone, Debug, PartialEq)]
pub enum OptimizeError {
    /// No valid product extends the choices (within the budget, if any).
    Infeasible,
    /// The time limit ran out before any valid product was found.
    LimitReached { seconds: f64 },
    /// The objective cannot be evaluated on this catalog (e.g. no lead-time attribute).
    Unsupported(String),
    /// The MILP solver failed or returned an invalid product (numerical trouble).
    Solver(String),
}

impl fmt::Display for OptimizeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OptimizeError::Infeasible => write!(f, "no valid product extends the choices"),
            OptimizeError::LimitReached { seconds } => write!(
                f,
                "the optimisation time limit ({seconds} s) was reached before a product was found"
            ),
            OptimizeError::Unsupported(m) | OptimizeError::Solver(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for OptimizeError {}

/// Attribute names read as an option's lead time, in order of preference.
pub const LEAD_TIME_ATTRIBUTES: [&str; 2] = ["lead_time_days", "lead_time"];

/// Per-option preference scores: for each attribute with a `better` direction, the option's
/// value normalised within its group to 0 (worst) ..= 1 (best), times the attribute's weight.
pub fn preference_scores(
    index: &Index,
    better: &BTreeMap<String, crate::catalog::Better>,
    weights: &BTreeMap<String, f64>,
) -> Vec<f64> {
    let mut score = vec![0.0; index.n_options()];
    for (attr, dir) in better {
        let w = if weights.is_empty() {
            1.0
        } else {
            weights.get(attr).copied().unwrap_or(0.0)
        };
        if w == 0.0 {
            continue;
        }
        for g in &index.groups {
            let values: Vec<(OptionIdx, f64)> = g
                .options()
                .filter_map(|o| match index.attr(o, attr) {
                    Some(crate::catalog::Value::Number(n)) => Some((o, n.to_f64())),
                    Some(crate::catalog::Value::Bool(b)) => Some((o, f64::from(u8::from(*b)))),
                    _ => None,
                })
                .collect();
            let lo = values.iter().map(|v| v.1).fold(f64::INFINITY, f64::min);
            let hi = values.iter().map(|v| v.1).fold(f64::NEG_INFINITY, f64::max);
            if values.len() < 2 || hi <= lo {
                continue;
            }
            for (o, v) in values {
                let t = (v - lo) / (hi - lo);
                score[o] += w * match dir {
                    crate::catalog::Better::Higher => t,
                    crate::catalog::Better::Lower => 1.0 - t,
                };
            }
        }
    }
    score
}

/// The lead time of each option (missing: 0), or `None` when no option has one.
pub fn lead_times(index: &Index) -> Option<Vec<f64>> {
    let attr = LEAD_TIME_ATTRIBUTES.iter().find(|a| {
        (0..index.n_options())
            .any(|o| matches!(index.attr(o, a), Some(crate::catalog::Value::Number(_))))
    })?;
    Some(
        (0..index.n_options())
            .map(|o| match index.attr(o, attr) {
                Some(crate::catalog::Value::Number(n)) => n.to_f64(),
                _ => 0.0,
            })
            .collect(),
    )
}

/// One pass's objective: minimise `Σ coef·x_o` (+ `lead` for the lead-time variable).
struct Pass {
    coef: Vec<f64>,
    lead: f64,
}

/// A bound carried from an earlier pass: `Σ coef·x_o + lead·T <= bound`.
struct Fixed {
    coef: Vec<f64>,
    lead: f64,
    bound: f64,
}

/// The price each option counts with toward the budget, in millionths: its price (`raw`, 0
/// for options that do not count), or in the groups of `at_cheapest` the cheapest price of its
/// group (single-choice groups that must be chosen) or nothing (other groups, where the
/// cheapest is none), see [`CompleteRequest::budget_at_cheapest`].
fn budget_prices(index: &Index, raw: &[i64], at_cheapest: &[GroupIdx]) -> Vec<i64> {
    let mut raw = raw.to_vec();
    for &g in at_cheapest {
        let Some(group) = index.groups.get(g) else {
            continue;
        };
        let cheapest = if group.max == 1 && group.min >= 1 {
            group.options().map(|o| raw[o]).min().unwrap_or(0)
        } else {
            0
        };
        for o in group.options() {
            raw[o] = raw[o].min(cheapest);
        }
    }
    raw
}

/// Solves the completion MILP. `milp` is the catalog compiled with [`PbEncoding::Linear`];
/// `constraints` and `index` are used for the final independent check.
///
/// [`PbEncoding::Linear`]: crate::compile::PbEncoding::Linear
pub fn optimize(
    index: &Index,
    constraints: &[crate::ir::ConstraintInfo],
    better: &BTreeMap<String, crate::catalog::Better>,
    milp: &Cnf,
    choices: &[Choice],
    request: &CompleteRequest,
) -> Result<OptimalProduct, OptimizeError> {
    let n = index.n_options();
    let mut chosen_by_customer = vec![false; n];
    for c in choices {
        if c.selected {
            chosen_by_customer[c.option] = true;
        }
    }
    // Options whose price counts: everything, or without `complete_visible`, the customer's
    // selections and the infrastructure.
    let counted_option: Vec<bool> = (0..n)
        .map(|o| {
            request.complete_visible
                || chosen_by_customer[o]
                || index.groups[index.group_of[o]].kind == crate::catalog::GroupKind::Infrastructure
        })
        .collect();
    // Prices in millionths (exact), 0 for options that do not count.
    let raw_price: Vec<i64> = (0..n)
        .map(|o| match index.attr(o, "price") {
            Some(crate::catalog::Value::Number(p)) if counted_option[o] => p.raw(),
            _ => 0,
        })
        .collect();
    let to_f64 = |p: &i64| *p as f64 / SCALE as f64;
    let price: Vec<f64> = raw_price.iter().map(to_f64).collect();
    // Half the smallest price step: prices are exact decimals, so totals within this of each
    // other are equal.
    let price_tol = price_tolerance(index);
    let mut fixed: Vec<Fixed> = Vec::new();
    let budget_price = budget_prices(index, &raw_price, &request.budget_at_cheapest);
    if let Some(b) = request.budget {
        fixed.push(Fixed {
            coef: budget_price.iter().map(to_f64).collect(),
            lead: 0.0,
            // Prices and budgets are whole millionths: half of one separates "within" from
            // "over" whatever the rounding of the sum.
            bound: b.to_f64() + 0.5 / SCALE as f64,
        });
    }
    // Lead times of the counted options (like prices, open visible groups do not count).
    let lead = match request.objective {
        Objective::LeadTime => {
            let lt = lead_times(index).ok_or_else(|| {
                OptimizeError::Unsupported(format!(
                    "no option has a lead time attribute ({}); use another objective",
                    LEAD_TIME_ATTRIBUTES.join(" or ")
                ))
            })?;
            Some(
                (0..n)
                    .map(|o| if counted_option[o] { lt[o] } else { 0.0 })
                    .collect::<Vec<f64>>(),
            )
        }
        _ => None,
    };
    let mut passes: Vec<(Pass, f64)> = Vec::new();
    match &request.objective {
        Objective::Price => {}
        Objective::LeadTime => passes.push((
            Pass {
                coef: vec![0.0; n],
                lead: 1.0,
            },
            1e-6,
        )),
        Objective::Preference(weights) => {
            let s = preference_scores(index, better, weights);
            let coef = (0..n)
                .map(|o| if counted_option[o] { -s[o] } else { 0.0 })
                .collect();
            passes.push((Pass { coef, lead: 0.0 }, 1e-6));
        }
        Objective::Scores(s) => {
            let coef = (0..n)
                .map(|o| {
                    if counted_option[o] {
                        -s.get(o).copied().unwrap_or(0.0)
                    } else {
                        0.0
                    }
                })
                .collect();
            passes.push((Pass { coef, lead: 0.0 }, 1e-6));
        }
    }
    passes.push((
        Pass {
            coef: price.clone(),
            lead: 0.0,
        },
        price_tol,
    ));
    // Tie-break: earlier options in their group (position 0 costs nothing).
    let position: Vec<f64> = (0..n)
        .map(|o| {
            if counted_option[o] {
                (o - index.groups[index.group_of[o]].first) as f64
            } else {
                0.0
            }
        })
        .collect();
    passes.push((
        Pass {
            coef: position,
            lead: 0.0,
        },
        0.5,
    ));

    let mut optimal = true;
    let mut last: Option<Vec<bool>> = None;
    for (pass, tol) in passes {
        let solved = solve_pass(milp, choices, lead.as_deref(), &fixed, &pass, request)?;
        let Some((values, value, proven)) = solved else {
            // A later pass can only fail if numerical trouble made the fixed bound too tight;
            // keep the earlier product.
            if last.is_none() {
                return Err(OptimizeError::Infeasible);
            }
            break;
        };
        optimal &= proven;
        fixed.push(Fixed {
            coef: pass.coef,
            lead: pass.lead,
            bound: value + tol,
        });
        last = Some(values);
    }
    let chosen = last.ok_or(OptimizeError::Infeasible)?;
    // Independent check of the product with the evaluator.
    let bad = violations(index, constraints, &chosen);
    if !bad.is_empty() {
        return Err(OptimizeError::Solver(format!(
            "the MILP solver returned a product that violates {}",
            bad.join(", ")
        )));
    }
    if let Some(c) = choices.iter().find(|c| chosen[c.option] != c.selected) {
        return Err(OptimizeError::Solver(format!(
            "the MILP solver ignored the choice on option {}",
            index.names[c.option]
        )));
    }
    if let Some(b) = request.budget {
        let total: i64 = (0..n).filter(|o| chosen[*o]).map(|o| budget_price[o]).sum();
        if total > b.raw() {
            return Err(OptimizeError::Solver(format!(
                "the MILP solver returned a product over the budget ({})",
                Decimal::from_raw(total)
            )));
        }
    }
    let counted = (0..n).map(|o| chosen[o] && counted_option[o]).collect();
    Ok(OptimalProduct {
        chosen,
        counted,
        optimal,
    })
}

fn price_tolerance(index: &Index) -> f64 {
    let mut g: i64 = 0;
    for o in 0..index.n_options() {
        if let Some(crate::catalog::Value::Number(p)) = index.attr(o, "price") {
            g = gcd(g, p.raw());
        }
    }
    if g == 0 {
        g = SCALE;
    }
    (g as f64 / SCALE as f64) / 2.0
}

fn gcd(a: i64, b: i64) -> i64 {
    if b == 0 {
        a.abs()
    } else {
        gcd(b, a % b)
    }
}

/// One MILP solve. `Ok(None)`: infeasible. Otherwise the option values, the objective value
/// and whether it is proven optimal.
#[allow(clippy::type_complexity)]
fn solve_pass(
    milp: &Cnf,
    choices: &[Choice],
    lead: Option<&[f64]>,
    fixed: &[Fixed],
    pass: &Pass,
    request: &CompleteRequest,
) -> Result<Option<(Vec<bool>, f64, bool)>, OptimizeError> {
    if milp.clauses.iter().any(|c| c.is_empty()) {
        return Ok(None);
    }
    let n = milp.n_options;
    let mut fixed_value: Vec<Option<bool>> = vec![None; milp.n_vars];
    for c in choices {
        if let Some(prev) = fixed_value[c.option] {
            if prev != c.selected {
                return Ok(None);
            }
        }
        fixed_value[c.option] = Some(c.selected);
    }
    let mut vars = ProblemVariables::new();
    let x: Vec<Variable> = fixed_value
        .iter()
        .map(|f| match f {
            Some(true) => vars.add(variable().binary().min(1.0)),
            Some(false) => vars.add(variable().binary().max(0.0)),
            None => vars.add(variable().binary()),
        })
        .collect();
    let t = vars.add(variable().min(0.0));
    let term = |l: Lit| -> (f64, Expression) {
        // x for a positive literal; 1 - x for a negative one, returned as (constant, expr).
        let v = x[l.var().idx()];
        if l.is_neg() {
            (1.0, Expression::from(0.0) - v)
        } else {
            (0.0, Expression::from(v))
        }
    };
    let mut objective = Expression::from(0.0);
    for (o, c) in pass.coef.iter().enumerate().take(n) {
        if *c != 0.0 {
            objective.add_mul(*c, x[o]);
        }
    }
    if pass.lead != 0.0 {
        objective.add_mul(pass.lead, t);
    }
    let mut model = vars
        .minimise(objective)
        .using(microlp)
        .with_time_limit(request.time_limit_secs);
    for clause in &milp.clauses {
        let mut e = Expression::from(0.0);
        let mut constant = 0.0;
        for l in clause {
            let (c, ex) = term(*l);
            constant += c;
            e += ex;
        }
        model = model.with(e.geq(1.0 - constant));
    }
    for row in &milp.linear {
        model = model.with(linear_row(row, &term));
    }
    if let Some(lead) = lead {
        for (o, d) in lead.iter().enumerate() {
            if *d > 0.0 {
                model = model.with((Expression::from(t) - *d * x[o]).geq(0.0));
            }
        }
    }
    for f in fixed {
        let mut e = Expression::from(0.0);
        for (o, c) in f.coef.iter().enumerate().take(n) {
            if *c != 0.0 {
                e.add_mul(*c, x[o]);
            }
        }
        if f.lead != 0.0 {
            e.add_mul(f.lead, t);
        }
        model = model.with(e.leq(f.bound));
    }
    match model.solve() {
        Ok(sol) => {
            let values: Vec<bool> = (0..n).map(|o| sol.value(x[o]) > 0.5).collect();
            let mut value: f64 = (0..n).filter(|o| values[*o]).map(|o| pass.coef[o]).sum();
            if pass.lead != 0.0 {
                // The exact lead time of the rounded product, not the LP value of T.
                let l = lead.unwrap_or(&[]);
                value += pass.lead
                    * (0..n)
                        .filter(|o| values[*o])
                        .map(|o| l.get(o).copied().unwrap_or(0.0))
                        .fold(0.0, f64::max);
            }
            let proven = matches!(sol.status(), SolutionStatus::Optimal);
            Ok(Some((values, value, proven)))
        }
        Err(good_lp::ResolutionError::Infeasible) => Ok(None),
        Err(good_lp::ResolutionError::Other(m)) if m.contains("Time limit") => {
            Err(OptimizeError::LimitReached {
                seconds: request.time_limit_secs,
            })
        }
        Err(e) => Err(OptimizeError::Solver(format!("MILP solver: {e}"))),
    }
}

/// `guard → Σ w·l <= bound` as `Σ w·l <= bound + M·(1 - guard)` with `M = Σ w - bound`, and
/// `guard → Σ w·l >= bound` as `Σ w·l >= bound·guard`.
fn linear_row(row: &LinearRow, term: &impl Fn(Lit) -> (f64, Expression)) -> good_lp::Constraint {
    let mut e = Expression::from(0.0);
    let mut constant = 0.0;
    for (l, w) in &row.terms {
        let (c, ex) = term(*l);
        constant += *w as f64 * c;
        e += *w as f64 * ex;
    }
    let bound = row.bound as f64;
    let total: f64 = row.terms.iter().map(|(_, w)| *w as f64).sum();
    match (row.guard, row.lower) {
        (None, false) => e.leq(bound - constant),
        (None, true) => e.geq(bound - constant),
        (Some(g), false) => {
            // e + constant <= bound + M (1 - g)  ⇔  e + M·g <= bound + M - constant
            let m = (total - bound).max(0.0);
            let (gc, ge) = term(g);
            (e + m * ge).leq(bound + m - m * gc - constant)
        }
        (Some(g), true) => {
            // e + constant >= bound·g  ⇔  e - bound·g >= -constant
            let (gc, ge) = term(g);
            (e - bound * ge).geq(bound * gc - constant)
        }
    }
}

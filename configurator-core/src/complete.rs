//! Completion as the customer sees it: the bill of materials of the best product for their
//! choices, or, when there is none, the reason (a minimal conflict among the choices, or the
//! choices that together break the budget).

use crate::catalog::GroupKind;
use crate::diagnosis::quickxplain;
use crate::engine::Compiled;
use crate::explain::{because_text, ChoiceRef, Conflict};
use crate::number::Decimal;
use crate::optimize::{optimize, CompleteRequest, Objective, OptimalProduct, OptimizeError};
use crate::propagate::Choice;
use crate::solver::LimitReached;
use serde::Serialize;
use std::fmt;

/// One line of a bill of materials.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BomLine {
    /// `group.option`.
    pub option: String,
    /// The option's display name.
    pub name: String,
    pub group: String,
    pub vendor: Option<String>,
    pub price: Decimal,
    /// `visible` or `infrastructure`.
    pub kind: &'static str,
    /// `customer` (a choice) or `solver` (completed).
    pub chosen_by: &'static str,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CompletionReport {
    pub satisfiable: bool,
    /// Proven best for the objective (false when a time limit cut the search short).
    pub optimal: bool,
    pub objective: &'static str,
    pub total: Decimal,
    pub currency: String,
    /// The product's lead time (largest `lead_time_days` of its options), when the catalog
    /// has lead times.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lead_time: Option<Decimal>,
    pub lines: Vec<BomLine>,
    /// Visible groups left open (only when visible groups are not completed).
    pub open: Vec<String>,
    /// When not satisfiable: why.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explanation: Option<Conflict>,
}

/// Why a completion could not be computed at all (as opposed to "no product exists", which is
/// an answer).
#[derive(Clone, Debug, PartialEq)]
pub enum CompleteError {
    Limit(String),
    Unsupported(String),
    Solver(String),
}

impl fmt::Display for CompleteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CompleteError::Limit(m) | CompleteError::Unsupported(m) | CompleteError::Solver(m) => {
                f.write_str(m)
            }
        }
    }
}

impl std::error::Error for CompleteError {}

impl From<LimitReached> for CompleteError {
    fn from(e: LimitReached) -> Self {
        CompleteError::Limit(e.to_string())
    }
}

impl From<OptimizeError> for CompleteError {
    fn from(e: OptimizeError) -> Self {
        match e {
            OptimizeError::LimitReached { .. } => CompleteError::Limit(e.to_string()),
            OptimizeError::Unsupported(m) => CompleteError::Unsupported(m),
            OptimizeError::Solver(m) => CompleteError::Solver(m),
            OptimizeError::Infeasible => CompleteError::Solver(e.to_string()),
        }
    }
}

/// Runs the MILP for `choices`; `Ok(None)` when infeasible.
pub(crate) fn best(
    compiled: &Compiled,
    choices: &[Choice],
    request: &CompleteRequest,
) -> Result<Option<OptimalProduct>, CompleteError> {
    let milp = compiled.milp().map_err(CompleteError::Solver)?;
    match optimize(
        &compiled.index,
        &compiled.constraints,
        &compiled.better(),
        milp,
        choices,
        request,
    ) {
        Ok(p) => Ok(Some(p)),
        Err(OptimizeError::Infeasible) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// The total of the counted options of a product.
pub(crate) fn total(compiled: &Compiled, p: &OptimalProduct) -> Decimal {
    Decimal::from_raw(
        (0..compiled.n_options())
            .filter(|o| p.counted[*o])
            .map(|o| compiled.catalog_price(o).raw())
            .sum(),
    )
}

/// The cheapest total for `choices`, when a product exists.
pub(crate) fn cheapest(
    compiled: &Compiled,
    choices: &[Choice],
    time_limit_secs: f64,
) -> Result<Option<Decimal>, CompleteError> {
    let request = CompleteRequest {
        time_limit_secs,
        ..CompleteRequest::default()
    };
    Ok(best(compiled, choices, &request)?.map(|p| total(compiled, &p)))
}

/// The report for a product.
pub fn report(
    compiled: &Compiled,
    choices: &[Choice],
    request: &CompleteRequest,
    p: &OptimalProduct,
) -> CompletionReport {
    let index = &compiled.index;
    let mut lines = Vec::new();
    for o in 0..compiled.n_options() {
        if !p.counted[o] {
            continue;
        }
        let g = &index.groups[index.group_of[o]];
        let def = compiled.option_def(o);
        lines.push(BomLine {
            option: compiled.name(o).to_string(),
            name: if def.name.is_empty() {
                def.id.clone()
            } else {
                def.name.clone()
            },
            group: g.id.clone(),
            vendor: def.vendor.clone(),
            price: def.price,
            kind: g.kind.word(),
            chosen_by: if choices.iter().any(|c| c.option == o && c.selected) {
                "customer"
            } else {
                "solver"
            },
        });
    }
    let open = if request.complete_visible {
        Vec::new()
    } else {
        index
            .groups
            .iter()
            .filter(|g| {
                g.kind == GroupKind::Visible
                    && !g
                        .options()
                        .any(|o| choices.iter().any(|c| c.option == o && c.selected))
            })
            .map(|g| g.id.clone())
            .collect()
    };
    let lead_time = crate::optimize::lead_times(index).map(|lt| {
        let days = (0..compiled.n_options())
            .filter(|o| p.counted[*o])
            .map(|o| lt[o])
            .fold(0.0, f64::max);
        Decimal::from_f64(days).unwrap_or_default()
    });
    CompletionReport {
        satisfiable: true,
        optimal: p.optimal,
        objective: request.objective.name(),
        total: total(compiled, p),
        currency: compiled.catalog.currency.clone(),
        lead_time,
        lines,
        open,
        explanation: None,
    }
}

/// The report when no product exists within the budget although the choices are consistent:
/// a minimal set of choices whose cheapest product already exceeds the budget.
pub(crate) fn over_budget(
    compiled: &Compiled,
    choices: &[Choice],
    request: &CompleteRequest,
    budget: Decimal,
) -> Result<CompletionReport, CompleteError> {
    let limit = request.time_limit_secs;
    let mut failure: Option<CompleteError> = None;
    let mut oracle = |set: &[Choice]| -> Result<bool, LimitReached> {
        if failure.is_some() {
            return Ok(true);
        }
        match cheapest(compiled, set, limit) {
            Ok(Some(t)) => Ok(t <= budget),
            Ok(None) => Ok(false),
            Err(e) => {
                failure = Some(e);
                Ok(true)
            }
        }
    };
    let selected: Vec<Choice> = choices.iter().copied().filter(|c| c.selected).collect();
    let x = quickxplain(&[], &selected, &mut oracle)?.unwrap_or_default();
    if let Some(e) = failure {
        return Err(e);
    }
    let cheapest_total = cheapest(compiled, &x, limit)?;
    let because: Vec<ChoiceRef> = x.iter().map(|c| ChoiceRef::new(compiled, *c)).collect();
    let message = match (because.is_empty(), cheapest_total) {
        (true, Some(t)) => format!(
            "no product costs {budget} {cur} or less; the cheapest costs {t} {cur}",
            cur = compiled.catalog.currency
        ),
        (false, Some(t)) => format!(
            "no product within {budget} {cur}: because {}, the cheapest costs {t} {cur}",
            because_text(&because),
            cur = compiled.catalog.currency
        ),
        _ => format!("no product within {budget} {}", compiled.catalog.currency),
    };
    Ok(CompletionReport {
        satisfiable: false,
        optimal: true,
        objective: request.objective.name(),
        total: Decimal::ZERO,
        currency: compiled.catalog.currency.clone(),
        lead_time: None,
        lines: Vec::new(),
        open: Vec::new(),
        explanation: Some(Conflict {
            because,
            rules: vec![crate::engine::RuleRef {
                id: "budget".into(),
                description: format!("total price at most {budget}"),
            }],
            message,
        }),
    })
}

/// The report when the choices themselves conflict.
pub(crate) fn infeasible(
    compiled: &Compiled,
    request: &CompleteRequest,
    conflict: Conflict,
) -> CompletionReport {
    CompletionReport {
        satisfiable: false,
        optimal: true,
        objective: request.objective.name(),
        total: Decimal::ZERO,
        currency: compiled.catalog.currency.clone(),
        lead_time: None,
        lines: Vec::new(),
        open: Vec::new(),
        explanation: Some(conflict),
    }
}

/// Parses an objective name of the CLI and API.
pub fn parse_objective(name: &str) -> Result<Objective, String> {
    match name {
        "price" => Ok(Objective::Price),
        "lead_time" | "lead-time" => Ok(Objective::LeadTime),
        "preference" => Ok(Objective::Preference(Default::default())),
        other => Err(format!(
            "unknown objective {other}; use price, lead_time or preference"
        )),
    }
}

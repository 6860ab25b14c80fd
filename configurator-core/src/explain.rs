//! Explanations: why an option is excluded or forced under a customer's choices.
//!
//! An explanation has two minimal parts, each found with QuickXplain ([`quickxplain`]):
//! 1. `because`: a minimal subset of the customer's choices that, with all rules, already
//!    excludes (or forces) the option; no proper subset does.
//! 2. `rules`: a minimal set of rules (and group cardinalities) that, with those choices,
//!    excludes (or forces) it.
//!
//! Step 1 runs on the propagation solver (all rules always on); step 2 on a solver whose rules
//! are guarded by selector literals (see [`Guards::PerConstraint`]), so that rules can be
//! switched off one by one through assumptions.
//!
//! [`Guards::PerConstraint`]: crate::solver::Guards::PerConstraint

use crate::diagnosis::quickxplain;
use crate::engine::{Compiled, RuleRef};
use crate::ir::{OptionIdx, Origin};
use crate::propagate::Choice;
use crate::solver::{Effort, LimitReached, SatSolver};
use rustsat::types::Lit;
use serde::Serialize;

/// A customer's choice, by name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ChoiceRef {
    /// The option, as `group.option`.
    pub choice: String,
    /// `true`: selected; `false`: rejected.
    pub selected: bool,
}

impl ChoiceRef {
    pub fn new(compiled: &Compiled, c: Choice) -> Self {
        ChoiceRef {
            choice: compiled.name(c.option).to_string(),
            selected: c.selected,
        }
    }
}

/// Why an option has its state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Explanation {
    pub option: String,
    /// `selected`/`rejected` (the customer's own choice), `excluded`, `forced`, `free`, or
    /// `conflict` when the choices themselves admit no product.
    pub state: &'static str,
    /// A minimal set of the customer's choices that causes the state.
    pub because: Vec<ChoiceRef>,
    /// A minimal set of rules that, with `because`, causes it.
    pub rules: Vec<RuleRef>,
    /// The same in one sentence for people.
    pub message: String,
}

/// A minimal conflict among choices, with its rules.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Conflict {
    pub because: Vec<ChoiceRef>,
    pub rules: Vec<RuleRef>,
    pub message: String,
}

/// A minimal subset of `choices` that with `target` (and all rules) is unsatisfiable, given
/// that `choices ∪ target` is. Starts from the solver's unsatisfiable core.
pub(crate) fn minimal_choices(
    solver: &mut SatSolver,
    target: &[Lit],
    choices: &[Choice],
    effort: &mut Effort,
) -> Result<Vec<Choice>, LimitReached> {
    let mut all: Vec<Lit> = target.to_vec();
    all.extend(choices.iter().map(|c| c.lit()));
    if solver.solve(&all, effort)? {
        return Ok(Vec::new());
    }
    let core = solver.core();
    // Earlier choices are preferred to stay out of the explanation (QuickXplain keeps later
    // ones), so explanations name the most recent decisions the customer remembers best.
    let mut candidates: Vec<Choice> = Vec::new();
    for c in choices {
        if core.contains(&c.lit()) && !candidates.contains(c) {
            candidates.push(*c);
        }
    }
    let mut oracle = |set: &[Lit]| solver.solve(set, effort);
    let lits: Vec<Lit> = candidates.iter().map(|c| c.lit()).collect();
    let x = quickxplain(target, &lits, &mut oracle)?.unwrap_or_default();
    Ok(candidates
        .into_iter()
        .filter(|c| x.contains(&c.lit()))
        .collect())
}

/// A minimal set of constraints (indices) that with `lits` is unsatisfiable, on a guarded
/// solver. Empty when `lits` alone conflict (e.g. the same option selected and rejected).
pub(crate) fn minimal_rules(
    compiled: &Compiled,
    guarded: &mut SatSolver,
    lits: &[Lit],
    effort: &mut Effort,
) -> Result<Vec<usize>, LimitReached> {
    let n = compiled.constraints.len();
    let mut all: Vec<Lit> = lits.to_vec();
    all.extend((0..n).map(|c| guarded.selector(c)));
    if guarded.solve(&all, effort)? {
        return Ok(Vec::new());
    }
    let core = guarded.core();
    // Group cardinalities first so that conflicts prefer to name the manufacturer's rules.
    let mut candidates: Vec<usize> = (0..n)
        .filter(|c| core.contains(&guarded.selector(*c)))
        .collect();
    candidates.sort_by_key(|c| match compiled.constraints[*c].origin {
        Origin::Group(_) => (0, *c),
        Origin::Rule(_) => (1, *c),
    });
    let sels: Vec<Lit> = candidates.iter().map(|c| guarded.selector(*c)).collect();
    let mut oracle = |set: &[Lit]| guarded.solve(set, effort);
    let x = quickxplain(lits, &sels, &mut oracle)?.unwrap_or_default();
    let mut out: Vec<usize> = candidates
        .into_iter()
        .filter(|c| x.contains(&guarded.selector(*c)))
        .collect();
    out.sort_unstable();
    Ok(out)
}

/// Explains the state of `option` under `choices`.
pub(crate) fn explain(
    compiled: &Compiled,
    solver: &mut SatSolver,
    guarded: &mut SatSolver,
    choices: &[Choice],
    option: OptionIdx,
    effort: &mut Effort,
) -> Result<Explanation, LimitReached> {
    let name = compiled.name(option).to_string();
    let lits: Vec<Lit> = choices.iter().map(|c| c.lit()).collect();
    if !solver.solve(&lits, effort)? {
        let conflict = conflict(compiled, solver, guarded, choices, effort)?;
        return Ok(Explanation {
            option: name,
            state: "conflict",
            because: conflict.because,
            rules: conflict.rules,
            message: conflict.message,
        });
    }
    if let Some(c) = choices.iter().rev().find(|c| c.option == option) {
        let state = if c.selected { "selected" } else { "rejected" };
        return Ok(Explanation {
            message: format!(
                "{name} is {state} because you {} it",
                if c.selected { "chose" } else { "rejected" }
            ),
            option: name,
            state,
            because: vec![ChoiceRef::new(compiled, *c)],
            rules: Vec::new(),
        });
    }
    let pos = crate::compile::option_lit(option);
    let (state, target) = {
        let mut with = lits.clone();
        with.push(pos);
        if !solver.solve(&with, effort)? {
            ("excluded", pos)
        } else {
            let mut without = lits.clone();
            without.push(!pos);
            if !solver.solve(&without, effort)? {
                ("forced", !pos)
            } else {
                return Ok(Explanation {
                    message: format!("{name} is still possible"),
                    option: name,
                    state: "free",
                    because: Vec::new(),
                    rules: Vec::new(),
                });
            }
        }
    };
    let because = minimal_choices(solver, &[target], choices, effort)?;
    let mut blamed: Vec<Lit> = because.iter().map(|c| c.lit()).collect();
    blamed.push(target);
    let rules = minimal_rules(compiled, guarded, &blamed, effort)?;
    let because: Vec<ChoiceRef> = because
        .into_iter()
        .map(|c| ChoiceRef::new(compiled, c))
        .collect();
    let rules: Vec<RuleRef> = rules.into_iter().map(|c| compiled.rule_ref(c)).collect();
    let verb = if state == "excluded" {
        "is unavailable"
    } else {
        "is required"
    };
    let cause = if because.is_empty() {
        "whatever you choose".to_string()
    } else {
        format!("because {}", because_text(&because))
    };
    let message = format!("{name} {verb} {cause}{}", rules_text(&rules));
    Ok(Explanation {
        option: name,
        state,
        because,
        rules,
        message,
    })
}

/// A minimal conflict among unsatisfiable `choices` and the rules behind it.
pub(crate) fn conflict(
    compiled: &Compiled,
    solver: &mut SatSolver,
    guarded: &mut SatSolver,
    choices: &[Choice],
    effort: &mut Effort,
) -> Result<Conflict, LimitReached> {
    let because = minimal_choices(solver, &[], choices, effort)?;
    let lits: Vec<Lit> = because.iter().map(|c| c.lit()).collect();
    let rules = minimal_rules(compiled, guarded, &lits, effort)?;
    let because: Vec<ChoiceRef> = because
        .into_iter()
        .map(|c| ChoiceRef::new(compiled, c))
        .collect();
    let rules: Vec<RuleRef> = rules.into_iter().map(|c| compiled.rule_ref(c)).collect();
    let message = if because.is_empty() {
        format!("no product satisfies the rules{}", rules_text(&rules))
    } else {
        format!(
            "{} cannot be combined{}",
            choices_text(&because),
            rules_text(&rules)
        )
    };
    Ok(Conflict {
        because,
        rules,
        message,
    })
}

/// "you chose a, you rejected b and you chose c".
pub(crate) fn because_text(because: &[ChoiceRef]) -> String {
    let parts: Vec<String> = because
        .iter()
        .map(|c| {
            if c.selected {
                format!("you chose {}", c.choice)
            } else {
                format!("you rejected {}", c.choice)
            }
        })
        .collect();
    join_and(&parts)
}

/// "a, rejecting b and c".
pub(crate) fn choices_text(choices: &[ChoiceRef]) -> String {
    let parts: Vec<String> = choices
        .iter()
        .map(|c| {
            if c.selected {
                c.choice.clone()
            } else {
                format!("rejecting {}", c.choice)
            }
        })
        .collect();
    join_and(&parts)
}

/// " (rule a: description; rule b: description)". Group cardinalities ("choose exactly one")
/// are left out of the sentence when a manufacturer's rule is named; they stay in the lists.
pub(crate) fn rules_text(rules: &[RuleRef]) -> String {
    let named: Vec<&RuleRef> = rules
        .iter()
        .filter(|r| !r.id.starts_with("group:"))
        .collect();
    let shown: Vec<&RuleRef> = if named.is_empty() {
        rules.iter().collect()
    } else {
        named
    };
    if shown.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = shown
        .iter()
        .map(|r| {
            if r.description.is_empty() {
                format!("rule {}", r.id)
            } else {
                format!("rule {}: {}", r.id, r.description)
            }
        })
        .collect();
    format!(" ({})", parts.join("; "))
}

fn join_and(parts: &[String]) -> String {
    match parts {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

//! Complete propagation: which options are forced, excluded or still free under the customer's
//! choices, so that the UI never offers a dead end (backtrack-free configuration).
//!
//! This is the *backbone* of the CNF under the choices as assumptions: the literals true in
//! every model. We compute it with the iterative algorithm with model filtering and chunking of
//! Janota, Lynce and Marques-Silva ("Algorithms for computing backbones of propositional
//! formulae", AI Communications 2015, Algorithms 3 and 5):
//!
//! 1. Solve once; every option literal true in the model is a backbone *candidate*.
//! 2. Ask for a model falsifying at least one candidate of a chunk (a clause guarded by a
//!    fresh activation literal). A model removes every candidate it falsifies (model
//!    filtering: one model settles many options at once); no model proves the whole chunk
//!    is backbone.
//! 3. Backbone literals found so far are added to the assumptions, which prunes later calls.
//!
//! The result is exact, so it is deterministic whatever path the solver takes; only the
//! effort budget can stop it, and then the caller gets [`LimitReached`], never a guess.

use crate::compile::option_lit;
use crate::ir::OptionIdx;
use crate::solver::{Effort, LimitReached, SatSolver};
use rustsat::types::Lit;
use serde::Serialize;

/// A customer's decision about one option.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Choice {
    pub option: OptionIdx,
    /// `true`: selected; `false`: deselected (rejected).
    pub selected: bool,
}

impl Choice {
    pub fn select(option: OptionIdx) -> Self {
        Choice {
            option,
            selected: true,
        }
    }

    pub fn deselect(option: OptionIdx) -> Self {
        Choice {
            option,
            selected: false,
        }
    }

    pub fn lit(self) -> Lit {
        if self.selected {
            option_lit(self.option)
        } else {
            !option_lit(self.option)
        }
    }
}

/// What the configurator shows for one option.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OptionState {
    /// Selected by the customer.
    Selected,
    /// Rejected by the customer.
    Rejected,
    /// In every valid product that extends the choices.
    Forced,
    /// In no valid product that extends the choices.
    Excluded,
    /// In some valid products and not in others.
    Free,
}

impl OptionState {
    /// The three-valued view of the CLI contract: selected, excluded or free.
    pub fn simple(self) -> &'static str {
        match self {
            OptionState::Selected | OptionState::Forced => "selected",
            OptionState::Rejected | OptionState::Excluded => "excluded",
            OptionState::Free => "free",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Domains {
    /// False when the choices admit no valid product; the states then only echo the choices
    /// (everything else `Free`) and a repair is needed.
    pub satisfiable: bool,
    pub states: Vec<OptionState>,
    /// One valid product extending the choices (when satisfiable).
    pub witness: Option<Vec<bool>>,
}

/// Computes the domains of all options under `choices`. Conflicting duplicate choices (the
/// same option selected and rejected) simply make the choices unsatisfiable.
pub fn domains(
    solver: &mut SatSolver,
    choices: &[Choice],
    effort: &mut Effort,
) -> Result<Domains, LimitReached> {
    let n = solver.n_options();
    let mut states = vec![OptionState::Free; n];
    let mut chosen = vec![false; n];
    for c in choices {
        states[c.option] = if c.selected {
            OptionState::Selected
        } else {
            OptionState::Rejected
        };
        chosen[c.option] = true;
    }
    let mut assumptions: Vec<Lit> = choices.iter().map(|c| c.lit()).collect();
    if !solver.solve(&assumptions, effort)? {
        return Ok(Domains {
            satisfiable: false,
            states,
            witness: None,
        });
    }
    let witness: Vec<bool> = (0..n).map(|o| solver.value(option_lit(o))).collect();
    // Candidates: the literal each unchosen option has in the first model.
    let mut candidates: Vec<Lit> = (0..n)
        .filter(|o| !chosen[*o])
        .map(|o| {
            if witness[o] {
                option_lit(o)
            } else {
                !option_lit(o)
            }
        })
        .collect();
    let mut backbone: Vec<Lit> = Vec::new();
    // Chunk size adapts: grows after an unsatisfiable chunk (all backbone, cheap to confirm
    // more at once), shrinks after a satisfiable one that removed little.
    let mut chunk = candidates.len().clamp(1, 64);
    while !candidates.is_empty() {
        let k = chunk.min(candidates.len());
        let act = solver.new_var();
        let mut clause: Vec<Lit> = vec![!act];
        clause.extend(candidates[..k].iter().map(|l| !*l));
        solver.add_clause(&clause);
        let mut assume = assumptions.clone();
        assume.push(act);
        let result = solver.solve(&assume, effort);
        // Retire the activation clause for good, whatever happened.
        solver.add_clause(&[!act]);
        if result? {
            let before = candidates.len();
            candidates.retain(|l| solver.value(*l));
            let removed = before - candidates.len();
            if removed * 4 < k {
                chunk = (chunk / 2).max(1);
            }
        } else {
            let proved: Vec<Lit> = candidates.drain(..k).collect();
            assumptions.extend_from_slice(&proved);
            backbone.extend(proved);
            chunk = (chunk * 2).min(256);
        }
    }
    for l in backbone {
        let o = l.var().idx();
        states[o] = if l.is_neg() {
            OptionState::Excluded
        } else {
            OptionState::Forced
        };
    }
    Ok(Domains {
        satisfiable: true,
        states,
        witness: Some(witness),
    })
}

//! Repairs: when a customer's newest choice conflicts with earlier ones, the minimal sets of
//! earlier choices to drop so that the new one becomes possible.
//!
//! Every repair is a minimal diagnosis of the earlier choices with the newest choice and all
//! rules kept ([`fastdiag`] inside the hitting-set enumeration [`all_diagnoses`]). They are
//! ranked by what a customer loses: fewest dropped choices first, then keeping the more
//! recent choices, then keeping the more expensive ones (a customer who picked a costly part
//! cares about it). Each repair carries a minimal conflict that shows why those choices must
//! go, and the change in the cheapest total price.
//!
//! [`fastdiag`]: crate::diagnosis::fastdiag

use crate::diagnosis::{all_diagnoses, quickxplain};
use crate::engine::Compiled;
use crate::explain::{choices_text, minimal_rules, rules_text, ChoiceRef, Conflict};
use crate::number::Decimal;
use crate::propagate::Choice;
use crate::solver::{Effort, LimitReached, SatSolver};
use rustsat::types::Lit;
use serde::Serialize;

/// Repairs returned at most.
pub const MAX_REPAIRS: usize = 3;
/// Hitting-set tree nodes explored at most (each one FastDiag run).
pub const MAX_NODES: usize = 64;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Repair {
    /// The options whose choices are dropped, as `group.option`.
    pub drop: Vec<String>,
    /// The same choices with whether they were selections or rejections.
    pub dropped: Vec<ChoiceRef>,
    /// Cheapest total after the repair minus the cheapest total before the newest choice;
    /// `None` when a price could not be computed.
    pub price_delta: Option<Decimal>,
    /// Cheapest total after the repair.
    pub total: Option<Decimal>,
    /// Why the dropped choices stand in the way.
    pub explanation: Conflict,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RepairReport {
    /// The choices are already consistent: nothing to repair.
    pub consistent: bool,
    /// The newest choice, which every repair keeps.
    pub keep: Option<ChoiceRef>,
    pub repairs: Vec<Repair>,
    pub message: String,
    /// When no repair exists (the newest choice is impossible on its own): why.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conflict: Option<Conflict>,
}

/// Computes up to [`MAX_REPAIRS`] ranked repairs for `choices` (oldest first; the last one is
/// the newest). `cheapest` prices a set of choices (the cheapest valid product's total).
pub(crate) fn repairs(
    compiled: &Compiled,
    solver: &mut SatSolver,
    guarded: &mut SatSolver,
    choices: &[Choice],
    cheapest: &mut impl FnMut(&[Choice]) -> Option<Decimal>,
    effort: &mut Effort,
) -> Result<RepairReport, LimitReached> {
    let choices = &dedup_keep_last(choices);
    let lits: Vec<Lit> = choices.iter().map(|c| c.lit()).collect();
    let Some((&newest, earlier)) = choices.split_last() else {
        return Ok(RepairReport {
            consistent: solver.solve(&[], effort)?,
            keep: None,
            repairs: Vec::new(),
            message: "no choices to repair".into(),
            conflict: None,
        });
    };
    if solver.solve(&lits, effort)? {
        return Ok(RepairReport {
            consistent: true,
            keep: Some(ChoiceRef::new(compiled, newest)),
            repairs: Vec::new(),
            message: "the choices are consistent; nothing to repair".into(),
            conflict: None,
        });
    }
    let keep = ChoiceRef::new(compiled, newest);
    if !solver.solve(&[newest.lit()], effort)? {
        let rules = minimal_rules(compiled, guarded, &[newest.lit()], effort)?;
        let rules: Vec<_> = rules.into_iter().map(|c| compiled.rule_ref(c)).collect();
        let message = format!(
            "{} is impossible whatever else you choose{}",
            keep.choice,
            rules_text(&rules)
        );
        return Ok(RepairReport {
            consistent: false,
            keep: Some(keep.clone()),
            repairs: Vec::new(),
            message: message.clone(),
            conflict: Some(Conflict {
                because: vec![keep],
                rules,
                message,
            }),
        });
    }
    // FastDiag prefers dropping earlier candidates: oldest first.
    let candidates: Vec<Lit> = earlier.iter().map(|c| c.lit()).collect();
    let mut oracle = |set: &[Lit]| solver.solve(set, effort);
    let diagnoses = all_diagnoses(&[newest.lit()], &candidates, MAX_NODES, &mut oracle)?;
    let position = |l: &Lit| candidates.iter().position(|c| c == l).unwrap_or(0);
    let price = |l: &Lit| -> i64 {
        let c = earlier[position(l)];
        if c.selected {
            compiled.catalog_price(c.option).raw()
        } else {
            0
        }
    };
    let mut ranked: Vec<(usize, Vec<usize>, i64, Vec<Lit>)> = diagnoses
        .into_iter()
        .map(|d| {
            let mut recency: Vec<usize> = d.iter().map(position).collect();
            recency.sort_unstable_by(|a, b| b.cmp(a));
            let cost: i64 = d.iter().map(price).sum();
            (d.len(), recency, cost, d)
        })
        .collect();
    ranked.sort();
    ranked.truncate(MAX_REPAIRS);
    let before = cheapest(earlier);
    let mut out = Vec::new();
    for (_, _, _, d) in ranked {
        let mut dropped: Vec<Choice> = earlier
            .iter()
            .copied()
            .filter(|c| d.contains(&c.lit()))
            .collect();
        dropped.sort_by_key(|c| c.option);
        let kept: Vec<Choice> = choices
            .iter()
            .copied()
            .filter(|c| !d.contains(&c.lit()))
            .collect();
        // A conflict that the repair resolves: QuickXplain keeps later candidates, so the
        // dropped choices come last to be named.
        let mut order: Vec<Lit> = kept
            .iter()
            .filter(|c| **c != newest)
            .map(|c| c.lit())
            .collect();
        order.extend(dropped.iter().map(|c| c.lit()));
        let mut oracle = |set: &[Lit]| solver.solve(set, effort);
        let x = quickxplain(&[newest.lit()], &order, &mut oracle)?.unwrap_or_default();
        let mut because: Vec<Choice> = earlier
            .iter()
            .copied()
            .filter(|c| x.contains(&c.lit()))
            .collect();
        because.push(newest);
        let blamed: Vec<Lit> = because.iter().map(|c| c.lit()).collect();
        let rules = minimal_rules(compiled, guarded, &blamed, effort)?;
        let because: Vec<ChoiceRef> = because
            .into_iter()
            .map(|c| ChoiceRef::new(compiled, c))
            .collect();
        let rules: Vec<_> = rules.into_iter().map(|c| compiled.rule_ref(c)).collect();
        let dropped_refs: Vec<ChoiceRef> = dropped
            .iter()
            .map(|c| ChoiceRef::new(compiled, *c))
            .collect();
        let total = cheapest(&kept);
        let price_delta = match (total, before) {
            (Some(t), Some(b)) => Some(Decimal::from_raw(t.raw() - b.raw())),
            _ => None,
        };
        let message = format!(
            "to keep {}, drop {}: {} cannot be combined{}",
            keep.choice,
            dropped_refs
                .iter()
                .map(|c| c.choice.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            choices_text(&because),
            rules_text(&rules)
        );
        out.push(Repair {
            drop: dropped_refs.iter().map(|c| c.choice.clone()).collect(),
            dropped: dropped_refs,
            price_delta,
            total,
            explanation: Conflict {
                because,
                rules,
                message,
            },
        });
    }
    let message = if out.is_empty() {
        "no repair found within the search limit".to_string()
    } else {
        format!(
            "{} conflicts with earlier choices; {} way{} out",
            keep.choice,
            out.len(),
            if out.len() == 1 { "" } else { "s" }
        )
    };
    Ok(RepairReport {
        consistent: false,
        keep: Some(keep),
        repairs: out,
        message,
        conflict: None,
    })
}

/// The choices with repeated identical decisions reduced to their latest occurrence: a
/// decision repeated is one decision, as recent as its last repetition.
pub fn dedup_keep_last(choices: &[Choice]) -> Vec<Choice> {
    let mut out: Vec<Choice> = Vec::with_capacity(choices.len());
    for (i, c) in choices.iter().enumerate() {
        if !choices[i + 1..].contains(c) {
            out.push(*c);
        }
    }
    out
}

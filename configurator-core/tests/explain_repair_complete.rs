//! Explanations, repairs and completions against brute force, on random small catalogs.
//!
//! - every explanation is sufficient (its choices and rules alone cause the state) and minimal
//!   (dropping any choice or any rule undoes it);
//! - every repair restores consistency and is minimal, the first one drops as few choices as
//!   any diagnosis can, and its price delta is the brute-force one;
//! - every completion is a valid product (independent evaluator) whose objective value equals
//!   the brute-force optimum, for each objective, with and without budget.

mod common;

use common::{priced_catalog, valid_products, Rng};
use configurator_core::engine::compile_catalog;
use configurator_core::optimize::{lead_times, preference_scores};
use configurator_core::{
    eval, Choice, Compiled, CompleteRequest, Decimal, Effort, Objective, OptionState, Session,
};
use proptest::prelude::*;
use std::collections::BTreeMap;
use std::sync::Arc;

fn compiled(seed: u64) -> Arc<Compiled> {
    let catalog = priced_catalog(seed);
    match compile_catalog(catalog.clone(), None) {
        Ok(c) => Arc::new(c),
        Err(d) => panic!("seed {seed}: generated catalog rejected: {d:?}"),
    }
}

fn all_selections(n: usize) -> impl Iterator<Item = Vec<bool>> {
    (0u32..1 << n).map(move |bits| (0..n).map(|i| bits >> i & 1 == 1).collect())
}

fn matches(p: &[bool], choices: &[Choice]) -> bool {
    choices.iter().all(|c| p[c.option] == c.selected)
}

/// Whether some selection satisfies the constraints `subset` (indices) and the choices.
fn consistent_with(c: &Compiled, subset: &[usize], choices: &[Choice]) -> bool {
    all_selections(c.n_options()).any(|sel| {
        matches(&sel, choices)
            && subset
                .iter()
                .all(|i| eval::holds(&c.index, &c.constraints[*i].body, &sel))
    })
}

fn constraint_index(c: &Compiled, id: &str) -> usize {
    c.constraints
        .iter()
        .position(|k| k.id == id)
        .unwrap_or_else(|| panic!("unknown rule id {id}"))
}

fn random_choices(r: &mut Rng, n: usize, max: usize) -> Vec<Choice> {
    (0..r.below(max + 1))
        .map(|_| Choice {
            option: r.below(n),
            selected: r.chance(60),
        })
        .collect()
}

fn choice_of(c: &Compiled, name: &str, selected: bool) -> Choice {
    Choice {
        option: c.index.option(name).unwrap(),
        selected,
    }
}

fn check_explanations(seed: u64) {
    let c = compiled(seed);
    let n = c.n_options();
    let products = valid_products(&c);
    let all: Vec<usize> = (0..c.constraints.len()).collect();
    let mut session = Session::new(c.clone());
    let mut r = Rng(seed ^ 0xA5A5_A5A5_A5A5 | 1);
    for _ in 0..4 {
        let choices = random_choices(&mut r, n, 4);
        let mut effort = Effort::default();
        let d = session.domains(&choices, &mut effort).unwrap();
        for o in 0..n {
            let x = session.explain(&choices, o, &mut effort).unwrap();
            let because: Vec<Choice> = x
                .because
                .iter()
                .map(|b| choice_of(&c, &b.choice, b.selected))
                .collect();
            let rules: Vec<usize> = x
                .rules
                .iter()
                .map(|k| constraint_index(&c, &k.id))
                .collect();
            let expected = if !d.satisfiable {
                "conflict"
            } else {
                match d.states[o] {
                    OptionState::Selected => "selected",
                    OptionState::Rejected => "rejected",
                    OptionState::Excluded => "excluded",
                    OptionState::Forced => "forced",
                    OptionState::Free => "free",
                    OptionState::Unsettled => unreachable!("the session settles every option"),
                }
            };
            assert_eq!(
                x.state, expected,
                "seed {seed}: {} under {choices:?}",
                x.option
            );
            let target: Vec<Choice> = match x.state {
                "excluded" => vec![Choice::select(o)],
                "forced" => vec![Choice::deselect(o)],
                "conflict" => vec![],
                _ => continue,
            };
            // Sufficient with all rules, and with only the named rules.
            let mut cause = because.clone();
            cause.extend(&target);
            assert!(
                !products.iter().any(|p| matches(p, &cause)),
                "seed {seed}: {x:?} is not sufficient"
            );
            assert!(
                !consistent_with(&c, &rules, &cause),
                "seed {seed}: rules of {x:?} are not sufficient"
            );
            // Minimal: every choice and every rule is needed.
            for i in 0..because.len() {
                let mut fewer = because.clone();
                fewer.remove(i);
                fewer.extend(&target);
                assert!(
                    products.iter().any(|p| matches(p, &fewer)),
                    "seed {seed}: {x:?} is not minimal in choices"
                );
            }
            for i in 0..rules.len() {
                let mut fewer = rules.clone();
                fewer.remove(i);
                assert!(
                    consistent_with(&c, &fewer, &cause),
                    "seed {seed}: {x:?} is not minimal in rules"
                );
            }
            let _ = &all;
        }
    }
}

/// The brute-force cheapest total of the products matching `choices`.
fn brute_cheapest(c: &Compiled, products: &[Vec<bool>], choices: &[Choice]) -> Option<i64> {
    products
        .iter()
        .filter(|p| matches(p, choices))
        .map(|p| {
            (0..c.n_options())
                .filter(|o| p[*o])
                .map(|o| c.catalog_price(o).raw())
                .sum()
        })
        .min()
}

fn check_repairs(seed: u64) {
    let c = compiled(seed);
    let n = c.n_options();
    let products = valid_products(&c);
    if products.is_empty() {
        return;
    }
    let mut session = Session::new(c.clone());
    let mut r = Rng(seed ^ 0x0F0F_0F0F | 1);
    for _ in 0..6 {
        let raw = random_choices(&mut r, n, 6);
        let mut effort = Effort::default();
        let report = session.repairs(&raw, 10.0, &mut effort).unwrap();
        // A repeated decision counts once, at its latest position.
        let choices = configurator_core::repair::dedup_keep_last(&raw);
        let consistent = products.iter().any(|p| matches(p, &choices));
        assert_eq!(report.consistent, consistent, "seed {seed}: {choices:?}");
        if consistent || choices.is_empty() {
            assert!(report.repairs.is_empty());
            continue;
        }
        let (newest, earlier) = choices.split_last().unwrap();
        let newest_possible = products.iter().any(|p| matches(p, &[*newest]));
        if !newest_possible {
            assert!(report.repairs.is_empty() && report.conflict.is_some());
            continue;
        }
        assert!(!report.repairs.is_empty() && report.repairs.len() <= 3);
        // The smallest diagnosis size, by brute force over subsets of earlier choices.
        let m = earlier.len();
        let min_size = (0u32..1 << m)
            .filter(|bits| {
                let kept: Vec<Choice> = (0..m)
                    .filter(|i| bits >> i & 1 == 0)
                    .map(|i| earlier[i])
                    .chain([*newest])
                    .collect();
                products.iter().any(|p| matches(p, &kept))
            })
            .map(|bits| bits.count_ones() as usize)
            .min()
            .unwrap();
        assert_eq!(
            report.repairs[0].dropped.len(),
            min_size,
            "seed {seed}: first repair is not a smallest one for {choices:?}"
        );
        let before = brute_cheapest(&c, &products, earlier);
        for rep in &report.repairs {
            let dropped: Vec<Choice> = rep
                .dropped
                .iter()
                .map(|d| choice_of(&c, &d.choice, d.selected))
                .collect();
            let kept: Vec<Choice> = choices
                .iter()
                .copied()
                .filter(|x| !dropped.contains(x))
                .collect();
            assert!(
                kept.contains(newest),
                "seed {seed}: repair drops the newest"
            );
            assert!(
                products.iter().any(|p| matches(p, &kept)),
                "seed {seed}: repair {rep:?} does not restore consistency"
            );
            for d in &dropped {
                let mut back = kept.clone();
                back.push(*d);
                assert!(
                    !products.iter().any(|p| matches(p, &back)),
                    "seed {seed}: repair {rep:?} is not minimal"
                );
            }
            let after = brute_cheapest(&c, &products, &kept);
            let expected = match (after, before) {
                (Some(a), Some(b)) => Some(Decimal::from_raw(a - b)),
                _ => None,
            };
            assert_eq!(
                rep.price_delta, expected,
                "seed {seed}: price delta of {rep:?}"
            );
        }
    }
}

fn check_completions(seed: u64) {
    let c = compiled(seed);
    let n = c.n_options();
    let products = valid_products(&c);
    let mut session = Session::new(c.clone());
    let mut r = Rng(seed ^ 0x3C3C_3C3C | 1);
    let lead = lead_times(&c.index);
    let score = preference_scores(&c.index, &c.better(), &BTreeMap::new());
    let price = |p: &[bool], counted: &dyn Fn(usize) -> bool| -> i64 {
        (0..n)
            .filter(|o| p[*o] && counted(*o))
            .map(|o| c.catalog_price(o).raw())
            .sum()
    };
    for round in 0..6 {
        let choices = random_choices(&mut r, n, 3);
        let objective = match round % 4 {
            0 => Objective::Price,
            1 if lead.is_some() => Objective::LeadTime,
            3 => Objective::Scores((0..n).map(|_| r.below(9) as f64 / 4.0 - 1.0).collect()),
            _ => Objective::Preference(BTreeMap::new()),
        };
        let budget = if r.chance(40) {
            Some(Decimal::from_raw(r.below(60) as i64 * 250_000))
        } else {
            None
        };
        let complete_visible = !r.chance(30);
        // Groups whose premium is outside the budget (guided mode's matters of taste).
        let at_cheapest: Vec<usize> = if budget.is_some() && r.chance(50) {
            (0..c.index.groups.len()).filter(|_| r.chance(50)).collect()
        } else {
            Vec::new()
        };
        let request = CompleteRequest {
            objective: objective.clone(),
            budget,
            budget_at_cheapest: at_cheapest.clone(),
            complete_visible,
            time_limit_secs: 30.0,
        };
        let mut effort = Effort::default();
        let report = session.complete(&choices, &request, &mut effort).unwrap();
        let chosen_by_customer = |o: usize| choices.iter().any(|x| x.option == o && x.selected);
        let counted = |o: usize| {
            complete_visible
                || chosen_by_customer(o)
                || c.index.groups[c.index.group_of[o]].kind
                    == configurator_core::catalog::GroupKind::Infrastructure
        };
        // What a product costs against the budget: its counted options' prices, except that
        // an option of an `at_cheapest` group costs its group's cheapest counted price (a group
        // that must have one option) or nothing (any other group).
        let budget_price = |p: &[bool]| -> i64 {
            (0..n)
                .filter(|o| p[*o] && counted(*o))
                .map(|o| {
                    let g = &c.index.groups[c.index.group_of[o]];
                    if !at_cheapest.contains(&c.index.group_of[o]) {
                        c.catalog_price(o).raw()
                    } else if g.max == 1 && g.min >= 1 {
                        g.options()
                            .map(|x| {
                                if counted(x) {
                                    c.catalog_price(x).raw()
                                } else {
                                    0
                                }
                            })
                            .min()
                            .unwrap_or(0)
                    } else {
                        0
                    }
                })
                .sum()
        };
        let feasible: Vec<&Vec<bool>> = products
            .iter()
            .filter(|p| matches(p, &choices))
            .filter(|p| budget.is_none_or(|b| budget_price(p) <= b.raw()))
            .collect();
        let ctx = format!(
            "seed {seed}: {objective:?} budget {budget:?} at cheapest {at_cheapest:?} visible \
             {complete_visible} {choices:?}"
        );
        assert_eq!(
            report.satisfiable,
            !feasible.is_empty(),
            "{ctx}: {report:?}"
        );
        if feasible.is_empty() {
            assert!(report.explanation.is_some(), "{ctx}");
            continue;
        }
        // Rebuild the product: listed lines are the counted options.
        let mut listed = vec![false; n];
        for l in &report.lines {
            listed[c.index.option(&l.option).unwrap()] = true;
        }
        for x in &choices {
            if x.selected {
                assert!(listed[x.option], "{ctx}: choice missing from the bill");
            }
        }
        // Some valid product matching the choices has exactly these counted options.
        let extends = feasible
            .iter()
            .any(|p| (0..n).all(|o| !counted(o) || p[o] == listed[o]));
        assert!(
            extends,
            "{ctx}: the bill is not a valid product: {report:?}"
        );
        let total: i64 = (0..n)
            .filter(|o| listed[*o])
            .map(|o| c.catalog_price(o).raw())
            .sum();
        assert_eq!(
            report.total.raw(),
            total,
            "{ctx}: total is not the sum of the lines"
        );
        let best_price =
            |set: &[&&Vec<bool>]| set.iter().map(|p| price(p, &counted)).min().unwrap();
        let all: Vec<&&Vec<bool>> = feasible.iter().collect();
        match &objective {
            Objective::Price => {
                assert_eq!(total, best_price(&all), "{ctx}: not the cheapest");
            }
            Objective::LeadTime => {
                let lt = lead.as_ref().unwrap();
                let lead_of = |p: &[bool]| -> f64 {
                    (0..n)
                        .filter(|o| p[*o] && counted(*o))
                        .map(|o| lt[o])
                        .fold(0.0, f64::max)
                };
                let best = all.iter().map(|p| lead_of(p)).fold(f64::INFINITY, f64::min);
                let mine = lead_of(&listed);
                assert!(
                    (mine - best).abs() < 1e-9,
                    "{ctx}: lead {mine} vs best {best}"
                );
                let fastest: Vec<&&Vec<bool>> = all
                    .iter()
                    .copied()
                    .filter(|p| (lead_of(p) - best).abs() < 1e-9)
                    .collect();
                assert_eq!(
                    total,
                    best_price(&fastest),
                    "{ctx}: not the cheapest of the fastest"
                );
            }
            Objective::Scores(s) => {
                let score_of = |p: &[bool]| -> f64 {
                    (0..n).filter(|o| p[*o] && counted(*o)).map(|o| s[o]).sum()
                };
                let best = all
                    .iter()
                    .map(|p| score_of(p))
                    .fold(f64::NEG_INFINITY, f64::max);
                let mine = score_of(&listed);
                assert!(
                    (mine - best).abs() < 1e-6,
                    "{ctx}: score {mine} vs best {best}"
                );
                let top: Vec<&&Vec<bool>> = all
                    .iter()
                    .copied()
                    .filter(|p| (score_of(p) - best).abs() < 1e-6)
                    .collect();
                assert_eq!(
                    total,
                    best_price(&top),
                    "{ctx}: not the cheapest of the best"
                );
            }
            Objective::Preference(_) => {
                let score_of = |p: &[bool]| -> f64 {
                    (0..n)
                        .filter(|o| p[*o] && counted(*o))
                        .map(|o| score[o])
                        .sum()
                };
                let best = all
                    .iter()
                    .map(|p| score_of(p))
                    .fold(f64::NEG_INFINITY, f64::max);
                let mine = score_of(&listed);
                assert!(
                    (mine - best).abs() < 1e-6,
                    "{ctx}: score {mine} vs best {best}"
                );
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 150, ..ProptestConfig::default() })]

    #[test]
    fn explanations_are_minimal_and_sufficient(seed in any::<u64>()) {
        check_explanations(seed);
    }

    #[test]
    fn repairs_are_minimal_and_restore_consistency(seed in any::<u64>()) {
        check_repairs(seed);
    }

    #[test]
    fn completions_equal_the_brute_force_optimum(seed in any::<u64>()) {
        check_completions(seed);
    }
}

#[test]
fn fixed_seeds() {
    for seed in [1u64, 2, 3, 42, 1234, 99_999, 0xDEAD_BEEF] {
        check_explanations(seed);
        check_repairs(seed);
        check_completions(seed);
    }
}

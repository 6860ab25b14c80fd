//! The solver against brute force: on random small catalogs with random rules of every kind,
//! the domains computed by SAT-based propagation must equal those found by enumerating every
//! selection and checking it with the independent evaluator (`eval`), for random partial
//! configurations. Minimal conflicts of unsatisfiable catalogs are checked the same way.

mod common;

use common::{priced_catalog, random_catalog, valid_products, Rng};
use configurator_core::engine::compile_catalog;
use configurator_core::eval;
use configurator_core::{Choice, Effort, OptionState, Scope, Session};
use proptest::prelude::*;
use std::sync::Arc;

/// Up to three random choices over `n` options.
fn random_choices(r: &mut Rng, n: usize) -> Vec<Choice> {
    (0..r.below(4))
        .map(|_| Choice {
            option: r.below(n),
            selected: r.chance(60),
        })
        .collect()
}

/// The valid products that agree with the choices.
fn matching<'a>(products: &'a [Vec<bool>], choices: &[Choice]) -> Vec<&'a Vec<bool>> {
    products
        .iter()
        .filter(|p| choices.iter().all(|c| p[c.option] == c.selected))
        .collect()
}

/// The state of option `o` by enumeration: the last choice about it, else what the products
/// agreeing with the choices (at least one) show.
fn expected_state(choices: &[Choice], matching: &[&Vec<bool>], o: usize) -> OptionState {
    let chosen = choices.iter().rev().find(|c| c.option == o);
    match (
        chosen,
        matching.iter().any(|p| p[o]),
        matching.iter().any(|p| !p[o]),
    ) {
        (Some(c), _, _) if c.selected => OptionState::Selected,
        (Some(_), _, _) => OptionState::Rejected,
        (None, true, true) => OptionState::Free,
        (None, true, false) => OptionState::Forced,
        (None, false, true) => OptionState::Excluded,
        (None, false, false) => unreachable!("no product agrees with the choices"),
    }
}

fn check_seed(seed: u64) {
    let catalog = random_catalog(seed);
    let compiled = match compile_catalog(catalog.clone(), None) {
        Ok(c) => Arc::new(c),
        Err(d) => panic!("seed {seed}: generated catalog rejected: {d:?}\n{catalog:#?}"),
    };
    let products = valid_products(&compiled);
    let n = compiled.n_options();
    let mut session = Session::new(compiled.clone());
    let mut r = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    for _ in 0..6 {
        let choices = random_choices(&mut r, n);
        let mut effort = Effort::default();
        let d = session.domains(&choices, &mut effort).unwrap();
        let matching = matching(&products, &choices);
        let rules: Vec<_> = catalog
            .rules
            .iter()
            .map(|r| r.rule.clone().unwrap())
            .collect();
        assert_eq!(
            d.satisfiable,
            !matching.is_empty(),
            "seed {seed}: satisfiability differs for {choices:?}; rules {rules:?}"
        );
        if matching.is_empty() {
            continue;
        }
        let witness = d.witness.as_ref().unwrap();
        assert!(
            eval::violations(&compiled.index, &compiled.constraints, witness).is_empty(),
            "seed {seed}: witness is not a valid product"
        );
        for o in 0..n {
            let expected = expected_state(&choices, &matching, o);
            assert_eq!(
                d.states[o],
                expected,
                "seed {seed}: option {} under {choices:?}; rules {rules:?}",
                compiled.name(o)
            );
        }
    }
    // Minimal conflicts of unsatisfiable catalogs.
    if products.is_empty() {
        let conflict = compiled.minimal_conflict(&mut Effort::default()).unwrap();
        let n = compiled.n_options();
        let consistent = |set: &[usize]| {
            (0u32..1 << n).any(|bits| {
                let sel: Vec<bool> = (0..n).map(|i| bits >> i & 1 == 1).collect();
                set.iter()
                    .all(|c| eval::holds(&compiled.index, &compiled.constraints[*c].body, &sel))
            })
        };
        assert!(!conflict.is_empty(), "seed {seed}: empty conflict");
        assert!(
            !consistent(&conflict),
            "seed {seed}: conflict {conflict:?} is consistent"
        );
        for i in 0..conflict.len() {
            let mut smaller = conflict.clone();
            smaller.remove(i);
            assert!(
                consistent(&smaller),
                "seed {seed}: conflict {conflict:?} is not minimal"
            );
        }
    }
}

/// With [`Scope::Visible`] (as the server and the browser run it), on random catalogs with
/// infrastructure groups: every option of a visible group has its exact state, and an
/// infrastructure option either its exact state or `Unsettled`. Returns how many infrastructure
/// states were left unsettled.
fn check_visible_scope(seed: u64) -> usize {
    let catalog = priced_catalog(seed);
    let compiled = Arc::new(compile_catalog(catalog, None).expect("generated catalog compiles"));
    let products = valid_products(&compiled);
    let n = compiled.n_options();
    let visible = |o: usize| compiled.index.is_visible(o);
    let mut session = Session::new(compiled.clone());
    session.set_scope(Scope::Visible);
    let mut r = Rng(seed.wrapping_mul(0x2545_F491_4F6C_DD1D) | 1);
    let mut unsettled = 0;
    for _ in 0..6 {
        let choices = random_choices(&mut r, n);
        let d = session.domains(&choices, &mut Effort::default()).unwrap();
        let matching = matching(&products, &choices);
        assert_eq!(
            d.satisfiable,
            !matching.is_empty(),
            "seed {seed}: {choices:?}"
        );
        if matching.is_empty() {
            continue;
        }
        for o in 0..n {
            let expected = expected_state(&choices, &matching, o);
            if d.states[o] == OptionState::Unsettled && !visible(o) {
                unsettled += 1;
                continue;
            }
            assert_eq!(
                d.states[o],
                expected,
                "seed {seed}: option {} (visible: {}) under {choices:?}",
                compiled.name(o),
                visible(o)
            );
        }
    }
    unsettled
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn domains_equal_brute_force(seed in any::<u64>()) {
        check_seed(seed);
    }

    #[test]
    fn visible_scope_settles_every_visible_option_exactly(seed in any::<u64>()) {
        check_visible_scope(seed);
    }
}

/// The scope is not a no-op: over a few catalogs, some infrastructure options are left
/// unsettled (else `Scope::Visible` would do the full work).
#[test]
fn visible_scope_leaves_some_infrastructure_unsettled() {
    let unsettled: usize = (0..40).map(check_visible_scope).sum();
    assert!(unsettled > 0, "no infrastructure option was left unsettled");
}

/// Fixed seeds so that a failure found once stays covered.
#[test]
fn regression_seeds() {
    for seed in [
        1u64,
        2,
        3,
        42,
        1234,
        99_999,
        0xDEAD_BEEF,
        // A table whose column had two chosen options inside a conflict subset.
        13_259_048_982_276_952_294,
    ] {
        check_seed(seed);
    }
}

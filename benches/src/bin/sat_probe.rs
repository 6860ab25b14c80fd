//! The cost of the primitives a `domains` call is built from, on one model (for the Linux 2018
//! analysis in `BENCHMARKS.md`): loading the CNF into batsat, one SAT call without assumptions
//! (the first, then three more with the saved phases of the previous model), calls that assume
//! the first 100 / 1,000 / 7,000 / all option values of that model, our unit propagator's
//! reset, and one repair attempt (`Flipper`, the budget `propagate.rs` uses) of every option the
//! propagator leaves open in that model: how many succeed and how long the sweep takes.
//!
//! Usage: `sat_probe MODEL_PATH`

use configurator_core::compile::option_lit;
use configurator_core::solver::{Guards, SatSolver};
use configurator_core::up::{Flipper, RepairBudget, UnitPropagator};
use configurator_core::Effort;
use std::time::Instant;

fn main() {
    let path = std::env::args().nth(1).expect("MODEL_PATH");
    let text = std::fs::read_to_string(&path).expect("model file");
    let format = configurator_core::import::ModelFormat::detect(&path, &text).expect("format");
    let c = configurator_core::import::import(&text, format, "model", &mut |_, _, _| {})
        .expect("importable");
    let t = Instant::now();
    let mut s = SatSolver::new(&c.cnf, 0, Guards::None);
    println!("load into batsat: {:.1} ms", ms(t));
    for i in 0..4 {
        let t = Instant::now();
        let r = s.solve(&[], &mut Effort::default()).expect("within effort");
        println!("solve without assumptions #{i}: {r} in {:.1} ms", ms(t));
    }
    let m = s.model();
    let all: Vec<_> = (0..c.cnf.n_options)
        .map(|o| {
            let l = option_lit(o);
            if m[o] {
                l
            } else {
                !l
            }
        })
        .collect();
    for k in [100usize, 1_000, 7_000, all.len()] {
        let a = &all[..k.min(all.len())];
        let t = Instant::now();
        let r = s.solve(a, &mut Effort::default()).expect("within effort");
        println!(
            "solve assuming {} of its option values: {r} in {:.1} ms",
            a.len(),
            ms(t)
        );
    }
    let mut up = UnitPropagator::new(&c.cnf);
    let t = Instant::now();
    let ok = up.reset();
    println!(
        "unit propagator reset: {ok}, {} literals, {:.2} ms",
        up.mark(),
        ms(t)
    );
    let mut flipper = Flipper::default();
    flipper.load(&up, &m);
    let mut model = m.clone();
    let (mut repaired, mut failed) = (0, 0);
    let t = Instant::now();
    for o in 0..c.cnf.n_options {
        let lit = 2 * o as u32 + u32::from(model[o]);
        if up.value(lit).is_some() {
            continue;
        }
        let budget = RepairBudget {
            flips: 100,
            visits: 2_000,
            reflips: false,
        };
        if flipper.repair(&up, &mut model, lit, budget) {
            repaired += 1;
            flipper.undo(&up, &mut model);
        } else {
            failed += 1;
        }
    }
    println!(
        "repairs of every open option in that model: {repaired} succeed, {failed} fail, {:.1} ms",
        ms(t)
    );
}

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1e3
}

//! One guided-mode step (domains, default product, question order, the next question with
//! its ranked options) as the server computes it per request, with popularity and lookahead
//! read from shared configurations: `pc` (needs profile "gaming", 60 shared products) and
//! `car` (the 200 real Renault sales in `models/`), after 0 and some answers.
//! Run: `cargo bench -p configurator-benches --bench guide`.

use configurator_benches::{catalog, click_sequence, random_clicks};
use configurator_core::guide::{Guide, History, DEFAULT_K};
use configurator_core::{Choice, Compiled, CompleteRequest, Effort, Objective, Session};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use std::cell::Cell;
use std::sync::Arc;

/// 60 valid products (the cheapest completions of random clicks), a third per profile.
fn pc_history(c: &Arc<Compiled>) -> History {
    let mut session = Session::new(c.clone());
    let mut h = History::default();
    let profiles: Vec<String> = c.catalog.profiles.iter().map(|p| p.id.clone()).collect();
    for seed in 0..60u64 {
        let clicks = random_clicks(c, 3, seed);
        let request = CompleteRequest {
            objective: Objective::Price,
            ..CompleteRequest::default()
        };
        let product = session
            .complete(&clicks, &request, &mut Effort::default())
            .expect("completes");
        let options = product
            .lines
            .iter()
            .filter_map(|l| c.index.option(&l.option))
            .collect();
        h.add(
            options,
            Some(profiles[seed as usize % profiles.len()].clone()),
            1.0,
        );
    }
    h
}

fn step(
    c: &Compiled,
    session: &mut Session,
    history: &History,
    profile: Option<&str>,
    choices: &[Choice],
    milp_too_slow: &Cell<bool>,
) {
    let p = profile.and_then(|id| c.catalog.profile(id).ok());
    let popularity = history.popularity(c.n_options(), profile, choices);
    let mut guide = Guide::new(c, p, Some(&popularity));
    guide.set_history(history, choices);
    // As the server does: once the MILP proved too slow for a catalog, defaults go greedy.
    guide.set_milp_too_slow(milp_too_slow.get());
    guide
        .step(session, choices, DEFAULT_K, 10.0, &mut Effort::default())
        .expect("within effort");
    milp_too_slow.set(guide.milp_too_slow());
}

fn guide(cr: &mut Criterion) {
    let mut group = cr.benchmark_group("guide_step");
    let pc = catalog("pc");
    let history = pc_history(&pc);
    let clicks = click_sequence(&pc);
    let mut session = Session::new(pc.clone());
    let slow = Cell::new(false);
    for k in [0, 3, 6] {
        group.bench_with_input(BenchmarkId::new("pc_gaming", k), &k, |b, &k| {
            b.iter(|| {
                step(
                    &pc,
                    &mut session,
                    &history,
                    Some("gaming"),
                    &clicks[..k],
                    &slow,
                )
            })
        });
    }
    let car = catalog("car");
    let sales_path = format!(
        "{}/../models/renault-br4cp/config_medium_filtered_head200.txt",
        env!("CARGO_MANIFEST_DIR")
    );
    let sales = configurator_core::simulate::read_sales(
        &car,
        &std::fs::read_to_string(sales_path).expect("sales file"),
    )
    .expect("sales");
    let history = configurator_core::simulate::history_of(&sales[1..]);
    // The first sale's answers, in catalog order.
    let answers: Vec<Choice> = sales[0]
        .iter()
        .flatten()
        .map(|o| Choice::select(*o))
        .collect();
    let mut session = Session::new(car.clone());
    let slow = Cell::new(false);
    for k in [0, 5, 10] {
        group.bench_with_input(BenchmarkId::new("car", k), &k, |b, &k| {
            b.iter(|| step(&car, &mut session, &history, None, &answers[..k], &slow))
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10).measurement_time(std::time::Duration::from_secs(3));
    targets = guide
}
criterion_main!(benches);

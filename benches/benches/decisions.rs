//! `explain`, `repair` and `complete` on the `pc` catalog, at fixed points of the reproducible
//! click sequence, with the session reused as the server does.
//! Run: `cargo bench -p configurator-benches --bench decisions`.

use configurator_benches::{catalog, click_sequence};
use configurator_core::catalog::GroupKind;
use configurator_core::{Choice, CompleteRequest, Effort, Objective, OptionState, Session};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};

fn decisions(c: &mut Criterion) {
    let compiled = catalog("pc");
    let clicks = click_sequence(&compiled);
    let mut session = Session::new(compiled.clone());
    let d = session
        .domains(&clicks, &mut Effort::default())
        .expect("within effort");
    // The first visible option the full click sequence excludes: explained, then clicked
    // anyway (a conflict to repair).
    let excluded = (0..compiled.n_options())
        .find(|o| {
            d.states[*o] == OptionState::Excluded
                && compiled.index.groups[compiled.index.group_of[*o]].kind == GroupKind::Visible
        })
        .expect("some option is excluded");

    c.bench_function("explain/pc/excluded_after_all_clicks", |b| {
        b.iter(|| {
            session
                .explain(&clicks, excluded, &mut Effort::default())
                .expect("within effort")
        })
    });

    let mut conflicting = clicks.clone();
    conflicting.push(Choice::select(excluded));
    c.bench_function("repair/pc/conflicting_last_click", |b| {
        b.iter(|| {
            session
                .repairs(&conflicting, 10.0, &mut Effort::default())
                .expect("within effort")
        })
    });

    let mut group = c.benchmark_group("complete/pc");
    for k in [0, clicks.len() / 2, clicks.len()] {
        for (name, objective, budget) in [
            ("price", Objective::Price, None),
            ("lead_time", Objective::LeadTime, None),
            (
                "preference_budget_2000",
                Objective::Preference(Default::default()),
                configurator_core::Decimal::from_int(2000),
            ),
        ] {
            let request = CompleteRequest {
                objective,
                budget,
                ..CompleteRequest::default()
            };
            group.bench_with_input(BenchmarkId::new(name, k), &k, |b, &k| {
                b.iter(|| {
                    session
                        .complete(&clicks[..k], &request, &mut Effort::default())
                        .expect("completes")
                })
            });
        }
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(std::time::Duration::from_secs(2));
    targets = decisions
}
criterion_main!(benches);

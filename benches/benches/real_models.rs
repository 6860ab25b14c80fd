//! `domains` after each click of a fixed random click sequence on the real models (small to
//! the largest), with the session's incremental solver reused across clicks.
//!
//! Two outputs:
//! - criterion benchmarks `real/<model>/after_clicks/<k>` on the models whose clicks take
//!   less than a second (criterion needs many samples);
//! - a per-click table (p50, p99, max over clicks × repetitions, plus import time) for every
//!   model, including the large ones from the shared data set when present, printed to stdout.
//!   Large models run their sequence once (each click then counts once). Every repetition is
//!   a fresh `Session::isolated`, so stored models never come from an earlier repetition.
//!   (The criterion benchmarks repeat one query on a warm session: a re-query, not a click.)
//!
//! Run: `cargo bench -p configurator-benches --bench real_models`.
//! Set `REAL_MODELS=pizzas-uvl,car` to pick models, `CLICKS=N` for the sequence length (10).

use configurator_benches::{customer_session, quantile, random_clicks, REAL_MODELS};
use configurator_core::Effort;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use std::time::{Duration, Instant};

fn selected(name: &str) -> bool {
    match std::env::var("REAL_MODELS") {
        Ok(list) => list.split(',').any(|x| x == name),
        Err(_) => true,
    }
}

fn real_models(c: &mut Criterion) {
    let clicks: usize = std::env::var("CLICKS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10);
    let mut table = Vec::new();
    for m in REAL_MODELS.iter().filter(|m| selected(m.name)) {
        let Some((compiled, load)) = m.load() else {
            eprintln!("{}: not present, skipped", m.name);
            continue;
        };
        let seq = random_clicks(&compiled, clicks, 42);
        // Per-click timings: repeat the sequence while it is cheap, each time as a new first
        // customer (a fresh session that does not see the models other sessions found).
        let mut session = customer_session(&compiled, true);
        let mut times = Vec::new();
        let mut reps = 0;
        let budget = Instant::now();
        while reps < 20 && (reps == 0 || budget.elapsed() < Duration::from_secs(10)) {
            if reps > 0 {
                session = customer_session(&compiled, true);
            }
            for k in 1..=seq.len() {
                let t = Instant::now();
                session
                    .domains(&seq[..k], &mut Effort::default())
                    .expect("within effort");
                times.push(t.elapsed());
            }
            reps += 1;
        }
        times.sort();
        let (p50, p99, max) = (
            quantile(&times, 0.5),
            quantile(&times, 0.99),
            quantile(&times, 1.0),
        );
        table.push(format!(
            "| {} | {} | {:.1} ms | {} × {} | {:.2} ms | {:.2} ms | {:.2} ms |",
            m.name,
            compiled.n_options(),
            load.as_secs_f64() * 1e3,
            seq.len(),
            reps,
            p50.as_secs_f64() * 1e3,
            p99.as_secs_f64() * 1e3,
            max.as_secs_f64() * 1e3
        ));
        if max < Duration::from_secs(1) {
            let mut group = c.benchmark_group(format!("real/{}", m.name));
            for k in [1, seq.len() / 2, seq.len()] {
                if k == 0 {
                    continue;
                }
                group.bench_with_input(BenchmarkId::new("after_clicks", k), &k, |b, &k| {
                    b.iter(|| {
                        session
                            .domains(&seq[..k], &mut Effort::default())
                            .expect("within effort")
                    })
                });
            }
            group.finish();
        }
    }
    println!("\n| model | options | import | clicks × repetitions | p50 per click | p99 per click | max |");
    println!("|---|---|---|---|---|---|---|");
    for row in table {
        println!("{row}");
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10).measurement_time(Duration::from_secs(2)).warm_up_time(Duration::from_millis(500));
    targets = real_models
}
criterion_main!(benches);

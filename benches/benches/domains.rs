//! `domains` after each click of a fixed click sequence on the example catalogs, with the
//! session's incremental solver reused across clicks as the server and browser do.
//! Run: `cargo bench -p configurator-benches --bench domains`.

use configurator_benches::{catalog, click_sequence};
use configurator_core::{Effort, Session};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};

fn domains_per_click(c: &mut Criterion) {
    for name in ["pc", "sneaker"] {
        let compiled = catalog(name);
        let clicks = click_sequence(&compiled);
        let mut group = c.benchmark_group(format!("domains/{name}"));
        let mut session = Session::new(compiled.clone());
        for k in 0..=clicks.len() {
            group.bench_with_input(BenchmarkId::new("after_clicks", k), &k, |b, &k| {
                b.iter(|| {
                    session
                        .domains(&clicks[..k], &mut Effort::default())
                        .expect("within effort")
                })
            });
        }
        group.finish();
        c.bench_function(&format!("compile/{name}"), |b| {
            let text = std::fs::read_to_string(format!(
                "{}/../catalogs/{name}.toml",
                env!("CARGO_MANIFEST_DIR")
            ))
            .unwrap();
            b.iter(|| configurator_core::load(&text, configurator_core::Format::Toml).unwrap())
        });
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).measurement_time(std::time::Duration::from_secs(2));
    targets = domains_per_click
}
criterion_main!(benches);

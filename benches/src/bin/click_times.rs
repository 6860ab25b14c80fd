//! Per-click `domains` times of our engine for `benches/compare/compare.py`: imports a model,
//! makes the fixed random click sequence of the benches (seed 42), and prints JSON with the
//! clicks (feature names, select/deselect), the import time and the time of `domains` after
//! each click (best of `REPS` runs, session reused as in the server).
//!
//! Usage: `click_times MODEL_PATH CLICKS [REPS]`

use configurator_benches::random_clicks;
use configurator_core::{Effort, Session};
use std::sync::Arc;
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let path = &args[1];
    let clicks: usize = args[2].parse().expect("CLICKS");
    let reps: usize = args.get(3).map_or(3, |r| r.parse().expect("REPS"));
    let text = std::fs::read_to_string(path).expect("model file");
    let format = configurator_core::import::ModelFormat::detect(path, &text).expect("format");
    let t = Instant::now();
    let c = Arc::new(
        configurator_core::import::import(&text, format, "model", &mut |_, _, _| {})
            .expect("importable"),
    );
    let import_ms = t.elapsed().as_secs_f64() * 1e3;
    let seq = random_clicks(&c, clicks, 42);
    let mut session = Session::new(c.clone());
    let mut times = Vec::new();
    for k in 1..=seq.len() {
        let mut best = f64::MAX;
        for _ in 0..reps {
            let t = Instant::now();
            session
                .domains(&seq[..k], &mut Effort::default())
                .expect("within effort");
            best = best.min(t.elapsed().as_secs_f64() * 1e3);
        }
        times.push(best);
    }
    let clicks: Vec<serde_json::Value> = seq
        .iter()
        .map(|ch| serde_json::json!({"option": c.name(ch.option), "select": ch.selected}))
        .collect();
    println!(
        "{}",
        serde_json::json!({"options": c.n_options(), "import_ms": import_ms, "clicks": clicks, "ms": times})
    );
}

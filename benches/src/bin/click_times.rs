//! Per-click `domains` times of our engine for `benches/compare/compare.py`: imports a model,
//! makes the fixed random click sequence of the benches (seed 42), and prints JSON with the
//! clicks (feature names, select/deselect), the import time, the time of `domains` after each
//! click (best of `REPS` runs) and the number of free visible options after each click (`free`,
//! so that the peers' answers, over the named features, can be checked against ours).
//!
//! Each run is one customer: a fresh session as the server makes it (it settles the options of
//! visible groups, `Scope::Visible`: on a DIMACS file, the named features) that makes the
//! clicks in order, each once (as in the server), isolated from the models other sessions
//! found (`Session::isolated`), so the times are those of a first customer. With `STATS=1`,
//! what each click did (SAT calls, reused models, ...) is printed to stderr for the first run.
//!
//! With `WARM=1`, each run instead imports the model afresh, calls `Compiled::lint` on it (as a
//! server would at publish: the backbone without choices and up to 32 models are then shared by
//! the compiled catalog) and makes the clicks in a `Session::new`, which starts from them; the
//! lint is not timed. The clicks are those of the cold runs.
//!
//! Besides the wall-clock times (`ms`), `cpu_ms` gives the CPU time of each `domains` call
//! (best of the runs, `CLOCK_THREAD_CPUTIME_ID`; absent where there is none). On a machine
//! shared with other builds the wall clock also counts the time the thread waited for a core;
//! the CPU time does not (it still includes slowdowns from shared caches and memory).
//!
//! `SEED=n` makes another click sequence than the benches' (seed 42).
//!
//! Usage: `click_times MODEL_PATH CLICKS [REPS]`

use configurator_benches::{customer_session, random_clicks};
use configurator_core::{Effort, OptionState};
use std::sync::Arc;
use std::time::Instant;

/// The CPU time of the calling thread in milliseconds, if the system tells.
#[cfg(unix)]
fn thread_cpu_ms() -> Option<f64> {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `t` is a valid, writable timespec.
    let r = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
    (r == 0).then(|| t.tv_sec as f64 * 1e3 + t.tv_nsec as f64 / 1e6)
}

#[cfg(not(unix))]
fn thread_cpu_ms() -> Option<f64> {
    None
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let path = &args[1];
    let clicks: usize = args[2].parse().expect("CLICKS");
    let reps: usize = args.get(3).map_or(3, |r| r.parse().expect("REPS"));
    let stats = std::env::var("STATS").is_ok_and(|v| v == "1");
    let text = std::fs::read_to_string(path).expect("model file");
    let format = configurator_core::import::ModelFormat::detect(path, &text).expect("format");
    let t = Instant::now();
    let c = Arc::new(
        configurator_core::import::import(&text, format, "model", &mut |_, _, _| {})
            .expect("importable"),
    );
    let import_ms = t.elapsed().as_secs_f64() * 1e3;
    if stats {
        let lits: usize = c.cnf.clauses.iter().map(|cl| cl.len()).sum();
        let longest = c.cnf.clauses.iter().map(|cl| cl.len()).max().unwrap_or(0);
        eprintln!(
            "cnf: {} options, {} variables, {} clauses, {lits} literals, longest clause {longest}",
            c.cnf.n_options,
            c.cnf.n_vars,
            c.cnf.clauses.len()
        );
    }
    // SEED=n: another click sequence (the benches and BENCHMARKS.md use 42).
    let seed: u64 = std::env::var("SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(42);
    let seq = random_clicks(&c, clicks, seed);
    let visible = c.index.visible_options();
    let mut times = vec![f64::MAX; seq.len()];
    let mut cpu_times = vec![f64::MAX; seq.len()];
    let mut cpu_known = true;
    let mut free = vec![0; seq.len()];
    let warm = std::env::var("WARM").is_ok_and(|v| v == "1");
    for rep in 0..reps {
        let mut session = if warm {
            let fresh = Arc::new(
                configurator_core::import::import(&text, format, "model", &mut |_, _, _| {})
                    .expect("importable"),
            );
            let t = Instant::now();
            fresh.lint(&mut Effort::default()).expect("within effort");
            if stats && rep == 0 {
                eprintln!(
                    "lint (publish): {:.2} ms, {} shared models",
                    t.elapsed().as_secs_f64() * 1e3,
                    fresh.shared_models.len()
                );
            }
            customer_session(&fresh, false)
        } else {
            customer_session(&c, true)
        };
        for k in 1..=seq.len() {
            let cpu = thread_cpu_ms();
            let t = Instant::now();
            let d = session
                .domains(&seq[..k], &mut Effort::default())
                .expect("within effort");
            let ms = t.elapsed().as_secs_f64() * 1e3;
            let cpu_ms = cpu.zip(thread_cpu_ms()).map(|(a, b)| b - a);
            times[k - 1] = times[k - 1].min(ms);
            match cpu_ms {
                Some(c) => cpu_times[k - 1] = cpu_times[k - 1].min(c),
                None => cpu_known = false,
            }
            free[k - 1] = visible
                .iter()
                .filter(|o| d.states[**o] == OptionState::Free)
                .count();
            if stats && rep == 0 {
                eprintln!(
                    "click {k}: {ms:.2} ms (cpu {:.2} ms) {:?}",
                    cpu_ms.unwrap_or(f64::NAN),
                    session.propagation_stats()
                );
            }
        }
    }
    let clicks: Vec<serde_json::Value> = seq
        .iter()
        .map(|ch| serde_json::json!({"option": c.name(ch.option), "select": ch.selected}))
        .collect();
    let mut out = serde_json::json!({"options": c.n_options(), "import_ms": import_ms, "clicks": clicks, "ms": times, "free": free});
    if cpu_known {
        out["cpu_ms"] = serde_json::json!(cpu_times);
    }
    println!("{out}");
}

//! Shared helpers for the criterion benchmarks in `benches/benches/`.

use configurator_core::catalog::{Format, GroupKind};
use configurator_core::{Choice, Compiled, Effort, OptionState, Scope, Session};
use std::sync::Arc;

/// A session as the server gives a customer: it settles the options of visible groups (see
/// [`Scope`]). `isolated`: without the models and backbone other sessions of `compiled`
/// found (a first customer).
pub fn customer_session(compiled: &Arc<Compiled>, isolated: bool) -> Session {
    let mut session = if isolated {
        Session::isolated(compiled.clone())
    } else {
        Session::new(compiled.clone())
    };
    session.set_scope(Scope::Visible);
    session
}

/// Loads a catalog shipped in `catalogs/`.
pub fn catalog(name: &str) -> Arc<Compiled> {
    let path = format!("{}/../catalogs/{name}.toml", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).expect("catalog file");
    Arc::new(configurator_core::load(&text, Format::Toml).expect("usable catalog"))
}

/// A fixed, reproducible click sequence: for each visible group in catalog order, select the
/// first option that is still free. Every prefix is satisfiable by construction.
pub fn click_sequence(compiled: &Arc<Compiled>) -> Vec<Choice> {
    let mut session = Session::new(compiled.clone());
    let mut choices = Vec::new();
    for g in &compiled.index.groups {
        if g.kind != GroupKind::Visible {
            continue;
        }
        let d = session
            .domains(&choices, &mut Effort::default())
            .expect("within effort");
        if let Some(o) = g.options().find(|o| d.states[*o] == OptionState::Free) {
            choices.push(Choice::select(o));
        }
    }
    choices
}

/// A real model: in `models/` (always there) or in the shared data set next to the repository
/// (`../shared/data`, used only when present).
pub struct RealModel {
    pub name: &'static str,
    pub path: &'static str,
}

/// The real models the benches click through, small to large. Paths starting with `shared/`
/// are looked up in `../shared/data` and skipped when absent.
pub const REAL_MODELS: &[RealModel] = &[
    RealModel {
        name: "pizzas-uvl",
        path: "models/flamapy-benchmark/uvl/pizzas.uvl",
    },
    RealModel {
        name: "dell-sxfm",
        path: "models/splot-models/DELL.splx",
    },
    RealModel {
        name: "pc-richmond-uvl",
        path: "models/pc-richmond/Sprey2020_with_prices.uvl",
    },
    RealModel {
        name: "renault-medium-xcsp",
        path: "models/renault-br4cp/medium_domainsorted.xml",
    },
    RealModel {
        name: "busybox-dimacs",
        path: "models/fm-benchmark-dimacs/systems_software/busybox-1.18.0_Knueppel2017.dimacs",
    },
    RealModel {
        name: "automotive01-dimacs",
        path: "models/fm-benchmark-dimacs/automotive/automotive01_Kowal2016.dimacs",
    },
    RealModel {
        name: "renault-big-xcsp",
        path: "shared/renault-br4cp/big_domainsorted.xml",
    },
    RealModel {
        name: "linux-2.6.33-dimacs",
        path: "shared/fm-benchmark-dimacs/systems_software/linux-2.6.33.3_Knueppel2017.dimacs",
    },
    RealModel {
        name: "automotive2_4-uvl",
        path: "shared/uvl-models/large/automotive2_4.uvl",
    },
];

impl RealModel {
    /// The file's path, or `None` when it lives in the shared data set and that is absent.
    pub fn file(&self) -> Option<std::path::PathBuf> {
        let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
        let p = match self.path.strip_prefix("shared/") {
            Some(rest) => root.join("../shared/data").join(rest),
            None => root.join(self.path),
        };
        p.exists().then_some(p)
    }

    /// Imports the model (the file is read here; parsing and compiling happen in the core).
    pub fn load(&self) -> Option<(Arc<Compiled>, std::time::Duration)> {
        let p = self.file()?;
        let text = std::fs::read_to_string(&p).expect("model file");
        let format =
            configurator_core::import::ModelFormat::detect(self.path, &text).expect("known format");
        let start = std::time::Instant::now();
        let c = configurator_core::import::import(&text, format, self.name, &mut |_, _, _| {})
            .expect("importable model");
        Some((Arc::new(c), start.elapsed()))
    }
}

/// A fixed random click sequence (seeded): each click picks a free option of a visible group
/// and selects it (70 %) or rejects it. Every prefix is satisfiable by construction.
pub fn random_clicks(compiled: &Arc<Compiled>, clicks: usize, seed: u64) -> Vec<Choice> {
    let mut session = customer_session(compiled, true);
    let mut choices = Vec::new();
    let mut x = seed;
    let mut next = move || {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        x >> 33
    };
    let visible = compiled.index.visible_options();
    for _ in 0..clicks {
        let d = session
            .domains(&choices, &mut Effort::default())
            .expect("within effort");
        let free: Vec<usize> = visible
            .iter()
            .copied()
            .filter(|o| d.states[*o] == OptionState::Free)
            .collect();
        if free.is_empty() {
            break;
        }
        let o = free[next() as usize % free.len()];
        choices.push(if next() % 10 < 7 {
            Choice::select(o)
        } else {
            Choice::deselect(o)
        });
    }
    choices
}

/// The `q`-quantile (0..=1) of durations, nearest rank.
pub fn quantile(sorted: &[std::time::Duration], q: f64) -> std::time::Duration {
    if sorted.is_empty() {
        return std::time::Duration::ZERO;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

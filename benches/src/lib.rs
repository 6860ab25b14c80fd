//! Shared helpers for the criterion benchmarks in `benches/benches/`.

use configurator_core::catalog::{Format, GroupKind};
use configurator_core::{Choice, Compiled, Effort, OptionState, Session};
use std::sync::Arc;

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

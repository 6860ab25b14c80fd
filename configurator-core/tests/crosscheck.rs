//! The configurator against an independent tool: `scripts/crosscheck/run.sh` (python-sat, its
//! own DIMACS/XCSP readers and CNF encoding) wrote the dead and forced features and the domains
//! after a fixed click sequence next to each model (`models/**/expected/*.json`); the imported
//! models must give the same answers.

use configurator_core::import::{self, ModelFormat};
use configurator_core::{Choice, Effort, OptionState, Session};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn names(v: &Value) -> BTreeSet<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_string())
        .collect()
}

fn check(expected_rel: &str) {
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string(root().join(expected_rel)).unwrap()).unwrap();
    let model = expected["model"].as_str().unwrap();
    let text = std::fs::read_to_string(root().join(model)).unwrap();
    let format = ModelFormat::detect(model, &text).unwrap();
    let c = Arc::new(import::import(&text, format, "m", &mut |_, _, _| {}).unwrap());
    // The independent tool lists only features (named DIMACS variables, XCSP values).
    let visible = c.index.visible_options();
    let sets = |states: &[OptionState]| {
        let mut sel = BTreeSet::new();
        let mut exc = BTreeSet::new();
        for o in &visible {
            match states[*o].simple() {
                "selected" => sel.insert(c.name(*o).to_string()),
                "excluded" => exc.insert(c.name(*o).to_string()),
                _ => false,
            };
        }
        (sel, exc)
    };
    let mut session = Session::new(c.clone());
    let d = session.domains(&[], &mut Effort::default()).unwrap();
    let (forced, dead) = sets(&d.states);
    assert_eq!(forced, names(&expected["forced"]), "{model}: forced");
    assert_eq!(dead, names(&expected["dead"]), "{model}: dead");
    let mut choices = Vec::new();
    let clicks = expected["clicks"].as_array().unwrap();
    assert!(!clicks.is_empty());
    for (k, click) in clicks.iter().enumerate() {
        if let Some(n) = click.get("select") {
            choices.push(Choice::select(c.option(n.as_str().unwrap()).unwrap()));
        } else {
            let n = click["deselect"].as_str().unwrap();
            choices.push(Choice::deselect(c.option(n).unwrap()));
        }
        let d = session.domains(&choices, &mut Effort::default()).unwrap();
        assert!(d.satisfiable);
        let (sel, exc) = sets(&d.states);
        assert_eq!(
            sel,
            names(&click["selected"]),
            "{model}: selected after click {}",
            k + 1
        );
        assert_eq!(
            exc,
            names(&click["excluded"]),
            "{model}: excluded after click {}",
            k + 1
        );
    }
}

#[test]
fn crosscheck_dimacs_small() {
    for m in [
        "berkeleydb_Hierons2020",
        "e_shop_Lau2006",
        "tankwar_Schulze2012",
    ] {
        check(&format!(
            "models/fm-benchmark-dimacs/small/expected/{m}.dimacs.json"
        ));
    }
}

#[test]
fn crosscheck_dimacs_pc_richmond() {
    check("models/fm-benchmark-dimacs/hardware/expected/pc-richmond_Sprey2020.dimacs.json");
}

#[test]
fn crosscheck_dimacs_busybox() {
    check("models/fm-benchmark-dimacs/systems_software/expected/busybox-1.18.0_Knueppel2017.dimacs.json");
}

#[test]
fn crosscheck_renault_medium() {
    check("models/renault-br4cp/expected/medium_domainsorted.xml.json");
}

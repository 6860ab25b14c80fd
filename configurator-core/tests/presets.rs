//! Presets learned from shared configurations (k-medoids, `presets.rs`): clusters become
//! presets that answer what the cluster agrees on, small clusters and presets the rules no
//! longer allow are left out, and the result does not depend on the order of the history.

use configurator_core::guide::History;
use configurator_core::presets::{learn_presets, LearnConfig, LearnedPreset};
use configurator_core::{Choice, Compiled, Effort, Format, Session};
use proptest::prelude::*;
use std::sync::Arc;

const LAPTOP: &str = r#"
id = "laptop"
name = "Laptop"
currency = "EUR"

[[groups]]
id = "cpu"
options = [
  { id = "basic", price = 100 },
  { id = "slow_dear", price = 120 },
  { id = "fast", name = "Fast CPU", price = 300 },
]

[[groups]]
id = "colour"
options = [
  { id = "black", name = "Black", price = 0 },
  { id = "silver", name = "Silver", price = 0 },
  { id = "pink", price = 30 },
]

[[groups]]
id = "keyboard"
options = [
  { id = "us", price = 0 },
  { id = "de", price = 0 },
]

[[groups]]
id = "charger"
kind = "infrastructure"
options = [
  { id = "c65", price = 20 },
  { id = "c100", price = 35 },
]

[[rules]]
id = "fast-needs-big-charger"
rule = "cpu.fast -> charger.c100"

[[rules]]
id = "de-only-black"
rule = "keyboard.de -> colour.black"

[[profiles]]
id = "travel"
name = "Travel"

[[profiles]]
id = "power"
name = "Power user"

[[presets]]
id = "office"
name = "Office"
choices = ["cpu.basic", "colour.black", "keyboard.de"]
"#;

fn laptop() -> Arc<Compiled> {
    Arc::new(configurator_core::load(LAPTOP, Format::Toml).expect("usable catalog"))
}

fn add(h: &mut History, c: &Compiled, names: &[&str], profile: Option<&str>, times: usize) {
    for _ in 0..times {
        let options = names.iter().map(|n| c.index.option(n).unwrap()).collect();
        h.add(options, profile.map(str::to_string), 1.0);
    }
}

fn learn(c: &Arc<Compiled>, h: &History, config: &LearnConfig) -> Vec<LearnedPreset> {
    let mut session = Session::new(c.clone());
    learn_presets(&mut session, h, config, &mut Effort::default()).unwrap()
}

/// Two tastes (power users in black with the fast CPU, travellers in silver with the basic
/// one) and an outlier.
fn two_tastes(c: &Compiled) -> History {
    let mut h = History::default();
    let power = ["cpu.fast", "colour.black", "keyboard.us", "charger.c100"];
    add(&mut h, c, &power, Some("power"), 10);
    let power_de = ["cpu.fast", "colour.black", "keyboard.de", "charger.c100"];
    add(&mut h, c, &power_de, Some("power"), 2);
    let travel = ["cpu.basic", "colour.silver", "keyboard.us", "charger.c65"];
    add(&mut h, c, &travel, Some("travel"), 8);
    let odd = ["cpu.basic", "colour.pink", "keyboard.us", "charger.c65"];
    add(&mut h, c, &odd, None, 1);
    h
}

#[test]
fn clusters_of_shared_configurations_become_presets() {
    let c = laptop();
    let presets = learn(&c, &two_tastes(&c), &LearnConfig::default());
    let summary: Vec<(Option<&str>, Vec<&str>)> = presets
        .iter()
        .map(|p| {
            (
                p.preset.profile.as_deref(),
                p.preset.choices.iter().map(|s| s.as_str()).collect(),
            )
        })
        .collect();
    // Biggest first; the outlier (1 of 21) is below the 10 % needed; infrastructure is never
    // a preset's choice; the power users' keyboard is answered (10 of 12 agree).
    assert_eq!(
        summary,
        vec![
            (
                Some("power"),
                vec!["colour.black", "cpu.fast", "keyboard.us"]
            ),
            (
                Some("travel"),
                vec!["colour.silver", "cpu.basic", "keyboard.us"]
            ),
        ]
    );
    // The outlier joined the nearest cluster (it has the travellers' CPU and keyboard).
    assert!((presets[0].share - 12.0 / 21.0).abs() < 1e-9);
    assert!((presets[1].share - 9.0 / 21.0).abs() < 1e-9);
    assert_eq!((presets[0].members, presets[1].members), (2, 2));
    // Named by profile and by the options that set the cluster apart (the keyboard most
    // customers have does not).
    assert_eq!(presets[0].preset.name, "Power user: Fast CPU, Black");
    assert_eq!(presets[1].preset.name, "Travel: basic, Silver");
    assert!(presets[0].preset.id.starts_with("learned-"));
    assert_ne!(presets[0].preset.id, presets[1].preset.id);
    let description = presets[0].preset.description.as_deref().unwrap();
    assert!(description.contains("57 %"), "{description}");
    assert!(description.contains("3 of 3 questions"), "{description}");
}

#[test]
fn a_group_the_cluster_disputes_stays_open() {
    let c = laptop();
    let mut h = History::default();
    add(
        &mut h,
        &c,
        &["cpu.fast", "colour.black", "keyboard.us"],
        None,
        5,
    );
    add(
        &mut h,
        &c,
        &["cpu.fast", "colour.black", "keyboard.de"],
        None,
        4,
    );
    let strict = LearnConfig {
        max: 1,
        consensus: 0.6,
        ..LearnConfig::default()
    };
    let presets = learn(&c, &h, &strict);
    assert_eq!(presets.len(), 1);
    assert_eq!(presets[0].preset.choices, vec!["colour.black", "cpu.fast"]);
    assert_eq!(presets[0].preset.profile, None);
    assert!(presets[0].preset.name.starts_with("Popular: "));
    // With a lower bar the medoid's keyboard (the majority's) is answered too.
    let loose = LearnConfig {
        max: 1,
        consensus: 0.5,
        ..LearnConfig::default()
    };
    let presets = learn(&c, &h, &loose);
    assert_eq!(
        presets[0].preset.choices,
        vec!["colour.black", "cpu.fast", "keyboard.us"]
    );
}

#[test]
fn presets_the_rules_forbid_or_the_manufacturer_has_are_left_out() {
    let c = laptop();
    let mut h = History::default();
    // Shared under an older version, before German keyboards came in black only.
    add(
        &mut h,
        &c,
        &["cpu.basic", "colour.silver", "keyboard.de"],
        None,
        6,
    );
    // Exactly the manufacturer's "office" preset.
    add(
        &mut h,
        &c,
        &["cpu.basic", "colour.black", "keyboard.de"],
        None,
        5,
    );
    add(
        &mut h,
        &c,
        &["cpu.fast", "colour.pink", "keyboard.us"],
        None,
        4,
    );
    let presets = learn(&c, &h, &LearnConfig::default());
    let choices: Vec<&Vec<String>> = presets.iter().map(|p| &p.preset.choices).collect();
    assert_eq!(
        choices,
        vec![&vec!["colour.pink", "cpu.fast", "keyboard.us"]]
    );
    assert!(learn(&c, &History::default(), &LearnConfig::default()).is_empty());
}

#[test]
fn the_order_of_the_history_does_not_matter() {
    let c = laptop();
    let h = two_tastes(&c);
    let mut reversed = History::default();
    for s in h.configurations.iter().rev() {
        reversed.add(s.options.clone(), s.profile.clone(), s.weight);
    }
    let config = LearnConfig::default();
    assert_eq!(learn(&c, &h, &config), learn(&c, &reversed, &config));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(60))]

    /// On random histories of valid products: at most `max` presets, each holding at least
    /// `min_share`, shares adding up to at most 1, unique ids, every preset a valid starting
    /// point and part of some shared configuration (its medoid).
    #[test]
    fn learned_presets_are_valid_parts_of_shared_configurations(
        picks in prop::collection::vec((0usize..3, 0usize..3, 0usize..2, 1u32..4), 1..40),
        max in 1usize..5,
        min_share in 0.0f64..0.4,
    ) {
        let c = laptop();
        let cpus = ["cpu.basic", "cpu.slow_dear", "cpu.fast"];
        let colours = ["colour.black", "colour.silver", "colour.pink"];
        let keyboards = ["keyboard.us", "keyboard.de"];
        let mut h = History::default();
        for (cpu, colour, keyboard, weight) in &picks {
            // German keyboards only in black: the history holds valid products.
            let colour = if *keyboard == 1 { 0 } else { *colour };
            let options = [cpus[*cpu], colours[colour], keyboards[*keyboard]]
                .iter()
                .map(|n| c.index.option(n).unwrap())
                .collect();
            h.add(options, None, f64::from(*weight));
        }
        let config = LearnConfig { max, min_share, ..LearnConfig::default() };
        let presets = learn(&c, &h, &config);
        prop_assert!(presets.len() <= max);
        let total: f64 = presets.iter().map(|p| p.share).sum();
        prop_assert!(total <= 1.0 + 1e-9);
        let mut session = Session::new(c.clone());
        let mut ids = std::collections::BTreeSet::new();
        for p in &presets {
            prop_assert!(p.share >= min_share - 1e-12);
            prop_assert!(ids.insert(p.preset.id.clone()));
            let options: Vec<usize> =
                p.preset.choices.iter().map(|n| c.index.option(n).unwrap()).collect();
            let choices: Vec<Choice> = options.iter().map(|o| Choice::select(*o)).collect();
            prop_assert!(session.satisfiable(&choices, &mut Effort::default()).unwrap());
            prop_assert!(h
                .configurations
                .iter()
                .any(|s| options.iter().all(|o| s.options.contains(o))));
        }
    }
}

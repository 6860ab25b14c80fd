//! Guided mode on small catalogs: dominance, ranking reasons, question order, default product,
//! and the simulator (deterministic per seed, never a dead end).

mod common;

use common::priced_catalog;
use configurator_core::engine::compile_catalog;
use configurator_core::guide::{Guide, History, Popularity};
use configurator_core::simulate::{simulate, SimulationConfig};
use configurator_core::{eval, Choice, Compiled, Effort, Format, Session};
use std::sync::Arc;

const LAPTOP: &str = r#"
id = "laptop"
name = "Laptop"
currency = "EUR"

[attributes]
speed = { type = "number", better = "higher" }
weight_kg = { type = "number", unit = "kg", better = "lower" }
battery_wh = { type = "number", better = "higher" }

[[groups]]
id = "cpu"
options = [
  { id = "basic", price = 100, attributes = { speed = 5 } },
  { id = "slow_dear", price = 120, attributes = { speed = 4 } },
  { id = "fast", price = 300, attributes = { speed = 9 } },
]

[[groups]]
id = "chassis"
options = [
  { id = "light", price = 200, attributes = { weight_kg = 1.1, battery_wh = 50 } },
  { id = "big_battery", price = 200, attributes = { weight_kg = 1.9, battery_wh = 99 } },
]

[[groups]]
id = "colour"
default = "silver"
options = [
  { id = "black", price = 0 },
  { id = "silver", price = 0 },
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
  { id = "c65", price = 20, attributes = { } },
  { id = "c100", price = 35 },
]

[[rules]]
id = "fast-needs-big-charger"
description = "The fast CPU needs the 100 W charger"
rule = "cpu.fast -> charger.c100"

[[rules]]
id = "de-only-black"
description = "German keyboards come in black only"
rule = "keyboard.de -> colour.black"

[[profiles]]
id = "travel"
name = "Travel"
weights = { weight_kg = 3, battery_wh = 1 }
budget = 700

[[profiles]]
id = "power"
name = "Power user"
weights = { speed = 3 }
"#;

fn laptop() -> Arc<Compiled> {
    Arc::new(configurator_core::load(LAPTOP, Format::Toml).expect("usable catalog"))
}

fn idx(c: &Compiled, name: &str) -> usize {
    c.index.option(name).unwrap()
}

fn profile<'a>(c: &'a Compiled, id: &str) -> &'a configurator_core::catalog::Profile {
    c.catalog.profiles.iter().find(|p| p.id == id).unwrap()
}

/// The option the default product takes in `group` for a customer with `profile` who made
/// `choices`, with the popularity of `history`.
fn default_option(
    c: &Arc<Compiled>,
    history: &History,
    profile: Option<&str>,
    choices: &[Choice],
    group: &str,
) -> String {
    let pop = history.popularity(c.n_options(), profile, choices);
    let g = Guide::new(c, profile.map(|p| self::profile(c, p)), Some(&pop));
    let mut session = Session::new(c.clone());
    let d = g
        .default_product(&mut session, choices, 5.0, &mut Effort::default())
        .unwrap();
    d.lines
        .iter()
        .find(|l| l.group == group)
        .map(|l| l.option.clone())
        .unwrap()
}

#[test]
fn dominated_options_are_hidden() {
    let c = laptop();
    let g = Guide::new(&c, None, None);
    let cpus = [
        idx(&c, "cpu.basic"),
        idx(&c, "cpu.slow_dear"),
        idx(&c, "cpu.fast"),
    ];
    // slow_dear: slower and dearer than basic.
    assert_eq!(g.dominated(&cpus), vec![false, true, false]);
    // Same price, each better on one attribute: neither dominates.
    let chassis = [idx(&c, "chassis.light"), idx(&c, "chassis.big_battery")];
    assert_eq!(g.dominated(&chassis), vec![false, false]);
    let mut session = Session::new(c.clone());
    let mut effort = Effort::default();
    let d = session.domains(&[], &mut effort).unwrap();
    let q = g
        .rank(&mut session, &[], &d, 0, 5, None, &mut effort)
        .unwrap();
    assert_eq!(q.dominated, vec!["cpu.slow_dear".to_string()]);
    assert!(q.options.iter().all(|o| o.option != "cpu.slow_dear"));
    assert_eq!(q.options.len() + q.more, 3);
}

#[test]
fn price_alone_does_not_dominate_and_the_current_default_is_never_hidden() {
    let c = laptop();
    // Colours differ by price only: the catalog records no attribute to compare them on, so
    // the dearer pink is not hidden behind black.
    let g = Guide::new(&c, None, None);
    let colours = [
        idx(&c, "colour.black"),
        idx(&c, "colour.silver"),
        idx(&c, "colour.pink"),
    ];
    assert_eq!(g.dominated(&colours), vec![false, false, false]);
    // Without a needs profile the customer stated nothing: no group is ranked by fit.
    assert!(g.weighted_group.iter().all(|w| !w));
    // Customers love the dominated CPU: the default product takes it, and the question about
    // the CPU keeps it on the short list (keeping it is the easiest answer).
    let mut pop = Popularity::new(c.n_options());
    pop.add(&[idx(&c, "cpu.slow_dear")], 40.0);
    let g = Guide::new(&c, None, Some(&pop));
    let mut session = Session::new(c.clone());
    let mut effort = Effort::default();
    let d = session.domains(&[], &mut effort).unwrap();
    let default = g
        .default_product(&mut session, &[], 5.0, &mut effort)
        .unwrap();
    assert!(
        default.lines.iter().any(|l| l.option == "cpu.slow_dear"),
        "{:?}",
        default.lines
    );
    let q = g
        .rank(&mut session, &[], &d, 0, 5, Some(&default), &mut effort)
        .unwrap();
    let kept = q.options.iter().find(|o| o.option == "cpu.slow_dear");
    assert!(
        kept.is_some_and(|o| o.reasons.iter().any(|r| r == "in your current product")),
        "{q:?}"
    );
    assert!(q.dominated.is_empty(), "{q:?}");
}

#[test]
fn an_option_customers_prefer_is_not_hidden_behind_one_that_dominates_it_on_paper() {
    let c = laptop();
    let cpus = [
        idx(&c, "cpu.basic"),
        idx(&c, "cpu.slow_dear"),
        idx(&c, "cpu.fast"),
    ];
    let dominated = |basic: f64, slow_dear: f64| {
        let mut pop = Popularity::new(c.n_options());
        pop.add(&[idx(&c, "cpu.basic")], basic);
        pop.add(&[idx(&c, "cpu.slow_dear")], slow_dear);
        Guide::new(&c, None, Some(&pop)).dominated(&cpus)
    };
    // Customers choose slow_dear although basic is faster and cheaper: the catalog's
    // attributes miss what they value, so it stays on the short list, whether it is the more
    // popular one or a real minority (10 %).
    assert_eq!(dominated(2.0, 10.0), vec![false, false, false]);
    assert_eq!(dominated(90.0, 10.0), vec![false, false, false]);
    // Chosen by hardly anybody (under 5 %), and less than basic: dominated.
    assert_eq!(dominated(100.0, 3.0), vec![false, true, false]);
    assert_eq!(dominated(100.0, 0.0), vec![false, true, false]);
}

/// The confidence `question_order` gives `group` for a customer with `profile` and history.
/// The guide's question order (groups with the confidence of their default) and the default
/// product, for a customer with `profile` and no choices, with the popularity of `history`;
/// `with_history`: as the server does, the guide also reads the shared configurations
/// themselves (lookahead, predictability).
fn order_of(
    c: &Arc<Compiled>,
    history: &History,
    profile: Option<&str>,
    with_history: bool,
) -> (
    Vec<(usize, f64)>,
    configurator_core::complete::CompletionReport,
) {
    let pop = history.popularity(c.n_options(), profile, &[]);
    let mut g = Guide::new(c, profile.map(|p| self::profile(c, p)), Some(&pop));
    if with_history {
        g.set_history(history, &[]);
    }
    let mut session = Session::new(c.clone());
    let mut effort = Effort::default();
    let d = session.domains(&[], &mut effort).unwrap();
    let default = g
        .default_product(&mut session, &[], 5.0, &mut effort)
        .unwrap();
    (g.question_order(&d, Some(&default)), default)
}

fn confidence_of(c: &Arc<Compiled>, history: &History, profile: Option<&str>, group: &str) -> f64 {
    let gi = c.index.group_by_id[group];
    order_of(c, history, profile, true)
        .0
        .into_iter()
        .find(|(x, _)| *x == gi)
        .map(|(_, conf)| conf)
        .unwrap()
}

#[test]
fn confidence_in_a_group_the_profile_weighs_counts_only_that_profile() {
    let c = laptop();
    let mut history = History::default();
    for _ in 0..20 {
        history.add(
            vec![idx(&c, "chassis.light"), idx(&c, "colour.black")],
            Some("travel".into()),
            1.0,
        );
    }
    for _ in 0..60 {
        history.add(
            vec![idx(&c, "chassis.big_battery"), idx(&c, "colour.pink")],
            Some("power".into()),
            1.0,
        );
    }
    // Travellers all took the light chassis, the travel profile's default; power users' big
    // batteries say nothing about them (blended, the rate would be 20 / 35).
    let chassis = confidence_of(&c, &history, Some("travel"), "chassis");
    assert!(chassis > 0.85, "{chassis}");
    // Colour is a matter of taste the profile does not weigh: every profile counts, but the
    // others less as the profile has more of its own (a_profile_s_own_taste_outvotes_...):
    // after 20 travellers, the 60 power users' pink (a quarter each without fading: 15
    // against 20) no longer makes their black uncertain.
    let colour = confidence_of(&c, &history, Some("travel"), "colour");
    assert!(colour > 0.7, "{colour}");
}

#[test]
fn a_group_that_every_profile_chooses_alike_in_is_trusted_sooner() {
    // Two power users took the fast processor, their profile's default. Whether that says
    // much depends on how predictable the processor is within a profile, which travellers'
    // configurations tell too: all 40 on one processor, or spread over the three.
    let c = laptop();
    let with_travellers = |spread: bool| {
        let mut history = History::default();
        for _ in 0..2 {
            history.add(vec![idx(&c, "cpu.fast")], Some("power".into()), 1.0);
        }
        for i in 0..40 {
            let cpu = if spread {
                ["cpu.basic", "cpu.slow_dear", "cpu.fast"][i % 3]
            } else {
                "cpu.basic"
            };
            history.add(vec![idx(&c, cpu)], Some("travel".into()), 1.0);
        }
        let (_, default) = order_of(&c, &history, Some("power"), true);
        assert!(default.lines.iter().any(|l| l.option == "cpu.fast"));
        confidence_of(&c, &history, Some("power"), "cpu")
    };
    let (alike, spread) = (with_travellers(false), with_travellers(true));
    assert!(alike > 0.9, "{alike}");
    assert!(spread < alike - 0.15, "{spread} vs {alike}");
}

const BIKE: &str = r#"
id = "bike"
name = "Bike"
currency = "EUR"

[[groups]]
id = "frame"
options = [{ id = "alu", price = 500 }, { id = "carbon", price = 900 }]

[[groups]]
id = "extras"
min = 0
max = 3
options = [
  { id = "lights", price = 40 },
  { id = "rack", price = 30 },
  { id = "bell", price = 5 },
]
"#;

#[test]
fn confidence_in_a_group_of_several_options_is_the_chance_that_the_whole_set_matches() {
    let c = Arc::new(configurator_core::load(BIKE, Format::Toml).expect("usable catalog"));
    let mut history = History::default();
    // Everybody takes lights; a third add a rack, a third a bell: at most a third of them
    // have any one set of extras.
    for extra in ["", "extras.rack", "extras.bell"] {
        for _ in 0..10 {
            let mut options = vec![idx(&c, "frame.alu"), idx(&c, "extras.lights")];
            if !extra.is_empty() {
                options.push(idx(&c, extra));
            }
            history.add(options, None, 1.0);
        }
    }
    let extras = confidence_of(&c, &history, None, "extras");
    assert!(extras < 0.5, "{extras}");
    // When everybody has the same set, it is predictable.
    let mut same = History::default();
    for _ in 0..30 {
        same.add(
            vec![idx(&c, "frame.alu"), idx(&c, "extras.lights")],
            None,
            1.0,
        );
    }
    let extras = confidence_of(&c, &same, None, "extras");
    assert!(extras > 0.85, "{extras}");
}

#[test]
fn the_current_default_is_always_on_the_short_list() {
    let c = laptop();
    let g = Guide::new(&c, None, None);
    let mut session = Session::new(c.clone());
    let mut effort = Effort::default();
    let d = session.domains(&[], &mut effort).unwrap();
    // A default product with the pink colour (as after the customer's earlier answers moved
    // it there): pink ranks last on its own (dearer, not the manufacturer's choice).
    let pink = g
        .default_product(
            &mut session,
            &[Choice::select(idx(&c, "colour.pink"))],
            5.0,
            &mut effort,
        )
        .unwrap();
    let colour = c.index.group_by_id["colour"];
    let ranked = g
        .rank(&mut session, &[], &d, colour, 3, None, &mut effort)
        .unwrap();
    assert_eq!(ranked.options.last().unwrap().option, "colour.pink");
    for k in [1, 2] {
        let q = g
            .rank(&mut session, &[], &d, colour, k, Some(&pink), &mut effort)
            .unwrap();
        assert_eq!(q.options.len(), k, "{q:?}");
        assert!(
            q.options
                .iter()
                .any(|o| o.option == "colour.pink" && o.default),
            "k = {k}: {q:?}"
        );
        assert_eq!(q.options.len() + q.more, 3);
    }
}

#[test]
fn ranking_follows_the_profile_and_says_why() {
    let c = laptop();
    let mut session = Session::new(c.clone());
    let mut effort = Effort::default();
    let d = session.domains(&[], &mut effort).unwrap();
    let travel = Guide::new(&c, Some(profile(&c, "travel")), None);
    let q = travel
        .rank(&mut session, &[], &d, 1, 5, None, &mut effort)
        .unwrap();
    assert_eq!(q.options[0].option, "chassis.light");
    assert!(
        q.options[0]
            .reasons
            .iter()
            .any(|r| r == "best fit for Travel"),
        "{:?}",
        q.options[0].reasons
    );
    let power = Guide::new(&c, Some(profile(&c, "power")), None);
    let q = power
        .rank(&mut session, &[], &d, 0, 5, None, &mut effort)
        .unwrap();
    assert_eq!(q.options[0].option, "cpu.fast");
    let basic = q.options.iter().find(|o| o.option == "cpu.basic").unwrap();
    assert!(basic
        .reasons
        .iter()
        .any(|r| r == "cheapest that fits your choices"));
    // k bounds the list.
    let q = power
        .rank(&mut session, &[], &d, 0, 1, None, &mut effort)
        .unwrap();
    assert_eq!(q.options.len(), 1);
    // "Show all" adds the other valid one and the dominated one.
    assert_eq!(q.more, 2);
}

#[test]
fn popularity_ranks_and_makes_defaults_confident() {
    let c = laptop();
    let mut pop = Popularity::new(c.n_options());
    for _ in 0..50 {
        pop.add(&[idx(&c, "colour.black"), idx(&c, "keyboard.us")], 1.0);
    }
    let g = Guide::new(&c, None, Some(&pop));
    let mut session = Session::new(c.clone());
    let mut effort = Effort::default();
    let d = session.domains(&[], &mut effort).unwrap();
    let q = g
        .rank(&mut session, &[], &d, 2, 5, None, &mut effort)
        .unwrap();
    assert_eq!(q.options[0].option, "colour.black");
    assert!(q.options[0].reasons[0].starts_with("most popular"));
    let default = g
        .default_product(&mut session, &[], 5.0, &mut effort)
        .unwrap();
    let order = g.question_order(&d, Some(&default));
    let names: Vec<&str> = order
        .iter()
        .map(|(gi, _)| c.index.groups[*gi].id.as_str())
        .collect();
    // The well-predicted groups (colour, keyboard) come after the uncertain ones; the
    // infrastructure is never asked.
    assert!(!names.contains(&"charger"));
    let pos = |n: &str| names.iter().position(|x| *x == n).unwrap();
    assert!(
        pos("cpu") < pos("colour") && pos("chassis") < pos("keyboard"),
        "{names:?}"
    );
}

#[test]
fn history_is_read_conditionally_so_tastes_that_go_together_follow_one_answer() {
    let c = laptop();
    let mut history = History::default();
    for _ in 0..20 {
        history.add(
            vec![
                idx(&c, "cpu.fast"),
                idx(&c, "chassis.big_battery"),
                idx(&c, "colour.pink"),
            ],
            None,
            1.0,
        );
        history.add(
            vec![
                idx(&c, "cpu.basic"),
                idx(&c, "chassis.light"),
                idx(&c, "colour.black"),
            ],
            Some("travel".into()),
            1.0,
        );
    }
    let colour_of = |choices: &[Choice]| default_option(&c, &history, None, choices, "colour");
    // One answer about the processor brings the colour that goes with it.
    assert_eq!(
        colour_of(&[Choice::select(idx(&c, "cpu.fast"))]),
        "colour.pink"
    );
    assert_eq!(
        colour_of(&[Choice::select(idx(&c, "cpu.basic"))]),
        "colour.black"
    );
    // Rejecting an option counts as disagreeing with the configurations that have it.
    assert_eq!(
        colour_of(&[Choice {
            option: idx(&c, "chassis.light"),
            selected: false
        }]),
        "colour.pink"
    );
    // Configurations made with another needs profile count less, and the less the more the
    // profile has of its own (here 20).
    let travel = history.popularity(c.n_options(), Some("travel"), &[]);
    let (black, pink) = (idx(&c, "colour.black"), idx(&c, "colour.pink"));
    assert!((travel.weight[black] - 20.0).abs() < 1e-9);
    let fade = History::OWN_SATURATION / (History::OWN_SATURATION + 20.0);
    assert!((travel.weight[pink] - 20.0 * History::OTHER_PROFILE * fade).abs() < 1e-9);
    // Decay shrinks every weight.
    let mut older = history.clone();
    older.decay(0.5);
    let p = older.popularity(c.n_options(), None, &[]);
    assert!((p.weight[pink] - 10.0).abs() < 1e-9 && (p.total - 20.0).abs() < 1e-9);
}

#[test]
fn a_profile_s_own_taste_outvotes_the_other_profiles_once_it_has_a_few() {
    // Power users (30) take pink; three travellers took black. Colour is a matter of taste
    // for both profiles.
    let c = laptop();
    let mut history = History::default();
    for _ in 0..30 {
        history.add(vec![idx(&c, "colour.pink")], Some("power".into()), 1.0);
    }
    let colour_for = |history: &History, profile: &str| {
        default_option(&c, history, Some(profile), &[], "colour")
    };
    // Without travellers of its own, a traveller borrows the power users' taste.
    assert_eq!(colour_for(&history, "travel"), "colour.pink");
    for _ in 0..4 {
        history.add(vec![idx(&c, "colour.black")], Some("travel".into()), 1.0);
    }
    // Four of its own outweigh thirty others (30 x 0.25 x 2 / (2 + 4) = 2.5 < 4; with a
    // fixed quarter per configuration, 7.5 > 4), while a power user keeps pink.
    let pop = history.popularity(c.n_options(), Some("travel"), &[]);
    let (black, pink) = (idx(&c, "colour.black"), idx(&c, "colour.pink"));
    assert!(pop.weight[black] > pop.weight[pink], "{pop:?}");
    assert_eq!(colour_for(&history, "travel"), "colour.black");
    assert_eq!(colour_for(&history, "power"), "colour.pink");
}

#[test]
fn after_an_unusual_choice_popularity_backs_off_to_the_population() {
    let c = laptop();
    let mut history = History::default();
    for _ in 0..30 {
        history.add(
            vec![idx(&c, "cpu.basic"), idx(&c, "colour.black")],
            None,
            1.0,
        );
    }
    // Nobody chose the fast CPU, so every shared configuration disagrees with the choice and
    // counts 20 times less; the population's black still beats the manufacturer's silver.
    let choices = [Choice::select(idx(&c, "cpu.fast"))];
    let pop = history.popularity(c.n_options(), None, &choices);
    assert!(pop.total >= History::BACK_OFF, "{}", pop.total);
    let g = Guide::new(&c, None, Some(&pop));
    let mut session = Session::new(c.clone());
    let default = g
        .default_product(&mut session, &choices, 5.0, &mut Effort::default())
        .unwrap();
    assert!(
        default.lines.iter().any(|l| l.option == "colour.black"),
        "{:?}",
        default.lines
    );
    // Without choices nothing is added: the counts are the kernel's.
    let plain = history.popularity(c.n_options(), None, &[]);
    assert!((plain.total - 30.0).abs() < 1e-9);
}

/// A desk whose glass top needs strong legs (infrastructure), always or only with the bright
/// lamp.
fn desk(rule: &str) -> Arc<Compiled> {
    desk_with(rule, 100)
}

/// [`desk`] with the glass top at `glass_price`.
fn desk_with(rule: &str, glass_price: u32) -> Arc<Compiled> {
    let text = format!(
        r#"
id = "desk"
name = "Desk"
currency = "EUR"

[attributes]
lumen = {{ type = "number", better = "higher" }}

[[groups]]
id = "lamp"
options = [
  {{ id = "basic", price = 50, attributes = {{ lumen = 1 }} }},
  {{ id = "bright", price = 150, attributes = {{ lumen = 5 }} }},
]

[[groups]]
id = "top"
default = "oak"
options = [{{ id = "oak", price = 100 }}, {{ id = "glass", price = {glass_price} }}]

[[groups]]
id = "legs"
kind = "infrastructure"
options = [{{ id = "light", price = 10 }}, {{ id = "strong", price = 110 }}]

[[rules]]
id = "glass-needs-strong-legs"
rule = "{rule}"

[[profiles]]
id = "reader"
weights = {{ lumen = 1 }}
budget = 300
"#
    );
    Arc::new(configurator_core::load(&text, Format::Toml).expect("usable catalog"))
}

fn lamp_of(c: &Arc<Compiled>, anchor: &[usize], choices: &[Choice]) -> String {
    let mut g = Guide::new(c, Some(profile(c, "reader")), None);
    g.set_anchor(anchor);
    let mut session = Session::new(c.clone());
    let d = g
        .default_product(&mut session, choices, 5.0, &mut Effort::default())
        .unwrap();
    assert!(d.satisfiable, "{d:?}");
    d.lines
        .iter()
        .find(|l| l.group == "lamp")
        .map(|l| l.option.clone())
        .unwrap()
}

#[test]
fn a_choice_that_needs_dearer_infrastructure_raises_the_budget_by_what_it_costs() {
    // The reader's best desk within 300: bright lamp, oak top, light legs (260). The glass
    // top costs as much as oak but needs the strong legs (+100): the budget grows by that,
    // so the lamp stays bright (360) instead of being downgraded to pay for the legs.
    let c = desk("top.glass -> legs.strong");
    assert_eq!(lamp_of(&c, &[], &[]), "lamp.bright");
    let glass = [Choice::select(idx(&c, "top.glass"))];
    assert_eq!(lamp_of(&c, &[], &glass), "lamp.bright");
}

#[test]
fn what_the_customer_did_not_touch_stays_affordable() {
    // Here glass needs strong legs only under the bright lamp: the cheapest desk costs the
    // same with glass or oak, so only the previous default (bright lamp) tells what the glass
    // top costs this customer.
    let c = desk("lamp.bright & top.glass -> legs.strong");
    let previous: Vec<usize> = ["lamp.bright", "top.oak", "legs.light"]
        .iter()
        .map(|n| idx(&c, n))
        .collect();
    let glass = [Choice::select(idx(&c, "top.glass"))];
    assert_eq!(lamp_of(&c, &previous, &glass), "lamp.bright");
    // Without the previous default to go by, the budget of 300 downgrades the lamp.
    assert_eq!(lamp_of(&c, &[], &glass), "lamp.basic");
}

/// The desk with a dearer glass top (`glass_price`), where `rule` may tie glass to the strong
/// legs, and `n` readers who shared a desk with the bright lamp and the glass top.
fn glass_desk(glass_price: u32, rule: &str, n: usize) -> (Arc<Compiled>, History) {
    let c = desk_with(rule, glass_price);
    let mut history = History::default();
    for _ in 0..n {
        history.add(
            vec![idx(&c, "lamp.bright"), idx(&c, "top.glass")],
            Some("reader".into()),
            1.0,
        );
    }
    (c, history)
}

/// The default desk of a reader who knows the shared desks of `history`.
fn default_desk(c: &Arc<Compiled>, history: &History) -> Vec<String> {
    let pop = history.popularity(c.n_options(), Some("reader"), &[]);
    let g = Guide::new(c, Some(profile(c, "reader")), Some(&pop));
    let mut session = Session::new(c.clone());
    let d = g
        .default_product(&mut session, &[], 5.0, &mut Effort::default())
        .unwrap();
    assert!(d.satisfiable, "{d:?}");
    let mut names: Vec<String> = d.lines.iter().map(|l| l.option.clone()).collect();
    names.sort();
    names
}

#[test]
fn the_popular_taste_is_paid_on_top_of_the_budget_not_by_the_profiles_parts() {
    // Readers choose the glass top (180, 80 more than oak): bright lamp + glass + light legs
    // is 340, over the budget of 300. The top is a matter of taste (the profile weighs only
    // lumen), so its premium is outside the budget, as it would be once the customer chose
    // it: the default keeps the bright lamp and takes the popular glass top.
    let (c, history) = glass_desk(180, "lamp.basic | lamp.bright", 20);
    assert_eq!(
        default_desk(&c, &history),
        ["lamp.bright", "legs.light", "top.glass"]
    );
    // Without shared desks the manufacturer's oak is the default, within the budget.
    assert_eq!(
        default_desk(&c, &History::default()),
        ["lamp.bright", "legs.light", "top.oak"]
    );
}

#[test]
fn the_infrastructure_a_popular_taste_needs_raises_the_budget() {
    // Glass costs as much as oak but needs the strong legs (+100): 360 with the bright lamp.
    // The budget grows by what the popular glass top's infrastructure costs, so the lamp
    // stays bright.
    let (c, history) = glass_desk(100, "top.glass -> legs.strong", 20);
    assert_eq!(
        default_desk(&c, &history),
        ["lamp.bright", "legs.strong", "top.glass"]
    );
}

#[test]
fn customers_of_the_profile_overrule_its_fit_as_their_configurations_come_in() {
    // Travellers' fit favours the light chassis (weight counts 3, battery 1), but travellers
    // who shared their laptop all took the big battery: with enough of them, the default
    // follows what they chose; with one, the profile's fit still decides.
    let c = laptop();
    let chassis_of = |n: usize| {
        let mut history = History::default();
        for _ in 0..n {
            history.add(
                vec![idx(&c, "chassis.big_battery")],
                Some("travel".into()),
                1.0,
            );
        }
        default_option(&c, &history, Some("travel"), &[], "chassis")
    };
    assert_eq!(chassis_of(0), "chassis.light");
    assert_eq!(chassis_of(1), "chassis.light");
    assert_eq!(chassis_of(20), "chassis.big_battery");
}

#[test]
fn the_question_that_settles_others_comes_first() {
    let c = Arc::new(
        configurator_core::load(
            r#"
id = "shop"
name = "Shop"
currency = "EUR"
[[groups]]
id = "case"
options = [{ id = "black", price = 0 }, { id = "white", price = 0 }]
[[groups]]
id = "cables"
options = [{ id = "black", price = 0 }, { id = "white", price = 0 }]
[[groups]]
id = "fan"
options = [{ id = "a", price = 0 }, { id = "b", price = 0 }, { id = "c", price = 0 }]
"#,
            Format::Toml,
        )
        .unwrap(),
    );
    // Cables always match the case (half black, half white); the fan is a three-way toss-up,
    // independent of both: the least predictable group on its own.
    let mut history = History::default();
    for colour in ["black", "white"] {
        for fan in ["a", "b", "c"] {
            for _ in 0..10 {
                history.add(
                    vec![
                        idx(&c, &format!("case.{colour}")),
                        idx(&c, &format!("cables.{colour}")),
                        idx(&c, &format!("fan.{fan}")),
                    ],
                    None,
                    1.0,
                );
            }
        }
    }
    let first = |lookahead: bool| {
        let order = order_of(&c, &history, None, lookahead).0;
        c.index.groups[order[0].0].id.clone()
    };
    assert_eq!(first(false), "fan");
    // Knowing what one answer tells about the others, the case (or the cables) comes first:
    // its answer settles two groups.
    assert!(["case", "cables"].contains(&first(true).as_str()));
}

#[test]
fn the_default_keeps_what_it_can_of_the_previous_one() {
    let c = laptop();
    let mut session = Session::new(c.clone());
    let mut g = Guide::new(&c, None, None);
    let colour = |g: &Guide, session: &mut Session| {
        let d = g
            .default_product(session, &[], 5.0, &mut Effort::default())
            .unwrap();
        d.lines
            .iter()
            .find(|l| l.group == "colour")
            .map(|l| l.option.clone())
            .unwrap()
    };
    assert_eq!(
        colour(&g, &mut session),
        "colour.silver",
        "the manufacturer's default"
    );
    g.set_anchor(&[idx(&c, "colour.black")]);
    assert_eq!(
        colour(&g, &mut session),
        "colour.black",
        "kept from the previous default"
    );
}

#[test]
fn forced_and_decided_groups_are_not_asked() {
    let c = laptop();
    let g = Guide::new(&c, None, None);
    let mut session = Session::new(c.clone());
    let mut effort = Effort::default();
    // A German keyboard forces the black colour: neither group is asked any more.
    let choices = [Choice::select(idx(&c, "keyboard.de"))];
    let d = session.domains(&choices, &mut effort).unwrap();
    let order = g.question_order(&d, None);
    let names: Vec<&str> = order
        .iter()
        .map(|(gi, _)| c.index.groups[*gi].id.as_str())
        .collect();
    assert!(
        !names.contains(&"colour") && !names.contains(&"keyboard"),
        "{names:?}"
    );
    assert!(names.contains(&"cpu"));
}

#[test]
fn default_product_is_valid_within_budget_and_cheapest_infrastructure() {
    let c = laptop();
    let mut session = Session::new(c.clone());
    let mut effort = Effort::default();
    let travel = Guide::new(&c, Some(profile(&c, "travel")), None);
    let step = travel.step(&mut session, &[], 5, 5.0, &mut effort).unwrap();
    let d = step.default.unwrap();
    assert!(d.satisfiable);
    assert!(d.total.to_f64() <= 700.0);
    let names: Vec<&str> = d.lines.iter().map(|l| l.option.as_str()).collect();
    assert!(
        names.contains(&"chassis.light") && names.contains(&"charger.c65"),
        "{names:?}"
    );
    assert!(
        names.contains(&"colour.silver"),
        "manufacturer default: {names:?}"
    );
    let mut chosen = vec![false; c.n_options()];
    for n in &names {
        chosen[idx(&c, n)] = true;
    }
    assert!(eval::violations(&c.index, &c.constraints, &chosen).is_empty());
    // The power user gets the fast CPU, and with it the big charger.
    let power = Guide::new(&c, Some(profile(&c, "power")), None);
    let d = power
        .default_product(&mut session, &[], 5.0, &mut effort)
        .unwrap();
    let names: Vec<&str> = d.lines.iter().map(|l| l.option.as_str()).collect();
    assert!(
        names.contains(&"cpu.fast") && names.contains(&"charger.c100"),
        "{names:?}"
    );
}

#[test]
fn simulation_is_deterministic_and_beats_the_baseline_here() {
    let c = laptop();
    let config = SimulationConfig {
        customers: 30,
        seed: 7,
        ..SimulationConfig::default()
    };
    let a = simulate(c.clone(), &config, None, None).unwrap();
    let b = simulate(c.clone(), &config, None, None).unwrap();
    assert_eq!(a, b);
    assert_eq!(a.customers, 30);
    assert_eq!(a.dead_ends, 0);
    assert_eq!(a.unfinished, 0);
    assert!(a.max_options_shown <= 5);
    assert!(a.mean_decisions <= a.baseline_mean_decisions + 1.0, "{a:?}");
    // The per-group figures add up to the totals (each rounded to hundredths).
    assert_eq!(a.groups.len(), a.visible_groups);
    let sum = |f: fn(&configurator_core::simulate::GroupReport) -> f64| {
        a.groups.iter().map(f).sum::<f64>()
    };
    assert!(
        (sum(|g| g.first_default_wrong) - a.mean_default_misses).abs() < 0.05,
        "{a:?}"
    );
    assert!(
        (sum(|g| g.asked_when_right) - a.mean_confirming_answers).abs() < 0.05,
        "{a:?}"
    );
    assert!(a
        .groups
        .iter()
        .all(|g| g.asked_when_right <= g.asked && g.show_all <= g.asked && g.asked <= 1.0));
    // A customer answers at most one question per decision beyond the first.
    assert!(sum(|g| g.asked) <= a.mean_decisions + 0.05, "{a:?}");
    assert!(sum(|g| g.asked) > 0.0, "{a:?}");
    // Every "show all" is an answer in some group.
    let answers = sum(|g| g.asked);
    assert!(
        (sum(|g| g.show_all) - a.show_all_rate * answers).abs() < 0.06,
        "{a:?}"
    );
    let other = simulate(c, &SimulationConfig { seed: 8, ..config }, None, None).unwrap();
    assert_ne!(a, other, "the seed should matter");
}

#[test]
fn no_dead_ends_on_random_catalogs() {
    for seed in 1..25u64 {
        let catalog = priced_catalog(seed * 7919);
        let Ok(c) = compile_catalog(catalog, None) else {
            continue;
        };
        let c = Arc::new(c);
        let mut session = Session::new(c.clone());
        if !session.satisfiable(&[], &mut Effort::default()).unwrap() {
            continue;
        }
        let config = SimulationConfig {
            customers: 3,
            seed,
            k: 3,
            ..SimulationConfig::default()
        };
        let r = simulate(c, &config, None, None).unwrap();
        assert_eq!(r.dead_ends, 0, "seed {seed}: {r:?}");
        assert_eq!(r.unfinished, 0, "seed {seed}: {r:?}");
        assert!(r.max_options_shown <= 3);
    }
}

#[test]
fn customers_start_from_a_learned_preset_that_matches_their_target() {
    // Without needs profiles, so the learned presets (made with none) are for everybody.
    let source = LAPTOP.split("[[profiles]]").next().unwrap();
    let c = Arc::new(configurator_core::load(source, Format::Toml).expect("usable catalog"));
    let target = |names: &[&str]| -> Vec<Vec<usize>> {
        ["cpu", "chassis", "colour", "keyboard"]
            .iter()
            .map(|g| {
                names
                    .iter()
                    .filter(|n| n.starts_with(&format!("{g}.")))
                    .map(|n| idx(&c, n))
                    .collect()
            })
            .collect()
    };
    // Three tastes; the most popular option of each group makes a laptop nobody bought.
    let german = target(&["cpu.fast", "chassis.light", "colour.black", "keyboard.de"]);
    let pink = target(&["cpu.basic", "chassis.light", "colour.pink", "keyboard.us"]);
    let long = target(&[
        "cpu.basic",
        "chassis.big_battery",
        "colour.silver",
        "keyboard.us",
    ]);
    let sales = [vec![german; 4], vec![pink; 3], vec![long; 3]].concat();
    let history = configurator_core::simulate::history_of(&sales);
    let config = SimulationConfig {
        customers: 10,
        ..SimulationConfig::default()
    };
    let with = simulate(c.clone(), &config, Some(&history), Some(&sales)).unwrap();
    // Every customer finds the preset of its cluster: one decision, nothing left to ask.
    assert_eq!(with.preset_rate, 1.0, "{with:?}");
    assert_eq!(with.mean_decisions, 1.0, "{with:?}");
    assert_eq!((with.dead_ends, with.unfinished), (0, 0));
    let config = SimulationConfig {
        presets: false,
        ..config
    };
    let without = simulate(c, &config, Some(&history), Some(&sales)).unwrap();
    assert_eq!(without.preset_rate, 0.0);
    assert!(without.mean_decisions > 1.0, "{without:?}");
}

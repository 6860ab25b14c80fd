//! Contract tests of `explain`, `repair` and `complete` on the shipped `pc` catalog: JSON
//! shapes, and answers checked independently through the `domains` command (a completed
//! product must be one that `domains` accepts as a full, consistent set of choices).

mod common;

use common::*;
use serde_json::Value;

fn ok_json(args: &[&str]) -> Value {
    let out = run(args);
    assert_eq!(code(&out), 0, "{args:?}: stderr:\n{}", stderr(&out));
    json(&out)
}

fn choices_of(v: &Value) -> Vec<(String, bool)> {
    v.as_array()
        .expect("an array of choices")
        .iter()
        .map(|c| {
            (
                c["choice"].as_str().unwrap().to_string(),
                c["selected"].as_bool().unwrap(),
            )
        })
        .collect()
}

fn rule_ids(v: &Value) -> Vec<String> {
    v.as_array()
        .expect("an array of rules")
        .iter()
        .map(|r| {
            assert!(
                r["description"].is_string(),
                "rule without description: {r}"
            );
            r["id"].as_str().unwrap().to_string()
        })
        .collect()
}

#[test]
fn explain_names_the_choice_and_the_rule() {
    let pc = catalog("pc.toml");
    let v = ok_json(&[
        "explain",
        &pc,
        "--select",
        "case.pop_mini_air",
        "--select",
        "colour.black",
        "--option",
        "gpu.rtx5090",
        "--json",
    ]);
    assert_eq!(
        keys(&v),
        set(&["option", "state", "because", "rules", "message"])
    );
    assert_eq!(v["option"], "gpu.rtx5090");
    assert_eq!(v["state"], "excluded");
    // Minimal: the colour has nothing to do with it.
    assert_eq!(
        choices_of(&v["because"]),
        vec![("case.pop_mini_air".to_string(), true)]
    );
    assert!(rule_ids(&v["rules"]).contains(&"flagship-gpu-case".to_string()));
    let message = v["message"].as_str().unwrap();
    assert!(
        message.contains("case.pop_mini_air") && message.contains("flagship-gpu-case"),
        "{message}"
    );
}

#[test]
fn explain_free_and_chosen_options() {
    let pc = catalog("pc.toml");
    let v = ok_json(&["explain", &pc, "--option", "gpu.rtx4060", "--json"]);
    assert_eq!(v["state"], "free");
    assert_eq!(v["because"].as_array().unwrap().len(), 0);
    let v = ok_json(&[
        "explain",
        &pc,
        "--select",
        "gpu.rtx4060",
        "--option",
        "gpu.rtx4060",
        "--json",
    ]);
    assert_eq!(v["state"], "selected");
    assert_eq!(
        choices_of(&v["because"]),
        vec![("gpu.rtx4060".to_string(), true)]
    );
}

#[test]
fn explain_unknown_option_suggests() {
    let err = fails(&[
        "explain",
        &catalog("pc.toml"),
        "--option",
        "gpu.rtx5900",
        "--json",
    ]);
    assert!(err.contains("gpu.rtx5090"), "{err}");
}

#[test]
fn repair_keeps_the_newest_choice() {
    let pc = catalog("pc.toml");
    let v = ok_json(&[
        "repair",
        &pc,
        "--select",
        "case.pop_mini_air",
        "--select",
        "cpu.r7_9700x",
        "--select",
        "gpu.rtx5090",
        "--json",
    ]);
    let repairs = v["repairs"].as_array().unwrap();
    assert!(!repairs.is_empty() && repairs.len() <= 3, "{v}");
    assert_eq!(repairs[0]["drop"], serde_json::json!(["case.pop_mini_air"]));
    assert!(repairs[0]["price_delta"].is_number(), "{v}");
    for r in repairs {
        assert!(r["explanation"]["message"].is_string());
        let drop: Vec<&str> = r["drop"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d.as_str().unwrap())
            .collect();
        assert!(
            !drop.contains(&"gpu.rtx5090"),
            "the newest choice was dropped"
        );
        // The repaired choices really are consistent.
        let mut args = vec!["domains", pc.as_str(), "--json"];
        for c in ["case.pop_mini_air", "cpu.r7_9700x", "gpu.rtx5090"] {
            if !drop.contains(&c) {
                args.extend(["--select", c]);
            }
        }
        assert_eq!(ok_json(&args)["satisfiable"], true, "{r}");
    }
    // Same choices, other order: now the case is the newest and the card must go.
    let v = ok_json(&[
        "repair",
        &pc,
        "--select",
        "gpu.rtx5090",
        "--select",
        "cpu.r7_9700x",
        "--select",
        "case.pop_mini_air",
        "--json",
    ]);
    assert_eq!(v["repairs"][0]["drop"], serde_json::json!(["gpu.rtx5090"]));
}

#[test]
fn repair_of_consistent_choices_is_empty() {
    let v = ok_json(&[
        "repair",
        &catalog("pc.toml"),
        "--select",
        "gpu.rtx4060",
        "--json",
    ]);
    assert_eq!(v["consistent"], true);
    assert_eq!(v["repairs"].as_array().unwrap().len(), 0);
}

/// Checks the bill of materials and that it is a valid, complete product (via `domains`).
fn check_bill(pc: &str, v: &Value) -> Vec<String> {
    assert!(
        set(&["satisfiable", "total", "currency", "lines"]).is_subset(&keys(v)),
        "{v}"
    );
    assert_eq!(v["satisfiable"], true);
    assert_eq!(v["currency"], "EUR");
    let lines = v["lines"].as_array().unwrap();
    let mut sum = 0.0;
    let mut names = Vec::new();
    for l in lines {
        assert!(
            set(&["option", "group", "vendor", "price", "kind"]).is_subset(&keys(l)),
            "{l}"
        );
        assert!(l["kind"] == "visible" || l["kind"] == "infrastructure");
        sum += l["price"].as_f64().unwrap();
        names.push(l["option"].as_str().unwrap().to_string());
    }
    assert!((sum - v["total"].as_f64().unwrap()).abs() < 1e-6, "{v}");
    let mut args = vec!["domains".to_string(), pc.to_string(), "--json".to_string()];
    for n in &names {
        args.extend(["--select".to_string(), n.clone()]);
    }
    let args: Vec<&str> = args.iter().map(|s| s.as_str()).collect();
    assert_eq!(
        ok_json(&args)["satisfiable"],
        true,
        "invalid product {names:?}"
    );
    names
}

#[test]
fn complete_is_a_valid_cheapest_product() {
    let pc = catalog("pc.toml");
    let v = ok_json(&["complete", &pc, "--select", "gpu.rtx5070", "--json"]);
    let names = check_bill(&pc, &v);
    assert!(names.contains(&"gpu.rtx5070".to_string()));
    let lines = v["lines"].as_array().unwrap();
    for group in ["board", "psu", "cooler"] {
        assert!(
            lines
                .iter()
                .any(|l| l["group"] == group && l["kind"] == "infrastructure"),
            "no {group} in {v}"
        );
    }
    // Cheapest: a budget one cent below the total admits no product.
    let total = v["total"].as_f64().unwrap();
    let below = format!("{:.2}", total - 0.01);
    let w = ok_json(&[
        "complete",
        &pc,
        "--select",
        "gpu.rtx5070",
        "--budget",
        &below,
        "--json",
    ]);
    assert_eq!(w["satisfiable"], false, "{w}");
    let message = w["explanation"]["message"].as_str().unwrap();
    assert!(message.contains("gpu.rtx5070"), "{message}");
}

#[test]
fn complete_other_objectives_and_open_groups() {
    let pc = catalog("pc.toml");
    let cheapest = ok_json(&["complete", &pc, "--json"]);
    let fast = ok_json(&["complete", &pc, "--objective", "lead_time", "--json"]);
    check_bill(&pc, &fast);
    assert!(fast["lead_time"].is_number());
    let best = ok_json(&[
        "complete",
        &pc,
        "--objective",
        "preference",
        "--budget",
        "1500",
        "--json",
    ]);
    check_bill(&pc, &best);
    assert!(best["total"].as_f64().unwrap() <= 1500.0);
    assert!(best["total"].as_f64().unwrap() >= cheapest["total"].as_f64().unwrap());
    let infra = ok_json(&[
        "complete",
        &pc,
        "--select",
        "gpu.rtx4060",
        "--no-visible",
        "--json",
    ]);
    for l in infra["lines"].as_array().unwrap() {
        assert!(
            l["kind"] == "infrastructure" || l["option"] == "gpu.rtx4060",
            "{l}"
        );
    }
    let open: Vec<&str> = infra["open"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g.as_str().unwrap())
        .collect();
    assert!(open.contains(&"cpu") && !open.contains(&"gpu"), "{open:?}");
    let err = fails(&["complete", &pc, "--objective", "fastest"]);
    assert!(err.contains("unknown objective"), "{err}");
}

#[test]
fn complete_conflicting_choices_explains() {
    let pc = catalog("pc.toml");
    let v = ok_json(&[
        "complete",
        &pc,
        "--select",
        "case.pop_mini_air",
        "--select",
        "gpu.rtx5090",
        "--json",
    ]);
    assert_eq!(v["satisfiable"], false);
    let because = choices_of(&v["explanation"]["because"]);
    assert_eq!(because.len(), 2, "{v}");
}

#[test]
fn guide_shows_a_short_ranked_list_with_reasons() {
    let pc = catalog("pc.toml");
    let v = ok_json(&["guide", &pc, "--profile", "gaming", "--k", "4", "--json"]);
    let q = &v["question"];
    let options = q["options"].as_array().unwrap();
    assert!(!options.is_empty() && options.len() <= 4, "{q}");
    for o in options {
        assert!(!o["reasons"].as_array().unwrap().is_empty(), "{o}");
    }
    assert_eq!(v["default"]["satisfiable"], true);
    let err = fails(&["guide", &pc, "--profile", "gamer"]);
    assert!(err.contains("gaming"), "{err}");
    let err = fails(&["guide", &pc, "--k", "9"]);
    assert!(err.contains("--k"), "{err}");
}

#[test]
fn simulate_contract_and_determinism() {
    let pc = catalog("pc.toml");
    let args = [
        "simulate",
        pc.as_str(),
        "--customers",
        "2",
        "--seed",
        "5",
        "--json",
    ];
    let a = ok_json(&args);
    for key in [
        "customers",
        "visible_groups",
        "mean_decisions",
        "p90_decisions",
        "baseline_mean_decisions",
        "max_options_shown",
        "dead_ends",
    ] {
        assert!(a.get(key).is_some(), "missing {key} in {a}");
    }
    assert_eq!(a["customers"], 2);
    assert_eq!(a["visible_groups"], 10);
    assert_eq!(a["dead_ends"], 0);
    assert!(a["max_options_shown"].as_u64().unwrap() <= 7);
    assert_eq!(ok_json(&args), a, "same seed, same result");
    let err = fails(&["simulate", &pc, "--deviation-skew", "-1", "--json"]);
    assert!(err.contains("--deviation-skew"), "{err}");
    let err = fails(&["simulate", &pc, "--styles", "0", "--json"]);
    assert!(err.contains("--styles"), "{err}");
}

#[test]
fn simulate_replays_real_sales() {
    let car = catalog("car.toml");
    let sales = path("../models/renault-br4cp/config_medium_filtered_head200.txt");
    let v = ok_json(&[
        "simulate",
        &car,
        "--history",
        &sales,
        "--targets",
        &sales,
        "--customers",
        "2",
        "--json",
    ]);
    assert_eq!(v["customers"], 2);
    assert_eq!(v["visible_groups"], 44);
    assert_eq!(v["dead_ends"], 0);
    assert_eq!(v["unfinished"], 0);
    let bad = fixture("catalog.yaml");
    let err = fails(&["simulate", &car, "--targets", &bad, "--json"]);
    assert!(err.contains("no column"), "{err}");
}

#[test]
fn presets_are_learned_from_real_sales() {
    let car = catalog("car.toml");
    let sales = path("../models/renault-br4cp/config_medium_filtered_head200.txt");
    let args = ["presets", &car, "--history", &sales, "--max", "3", "--json"];
    let v = ok_json(&args);
    assert_eq!(v["sales"], 200);
    let presets = v["presets"].as_array().unwrap();
    assert!((1..=3).contains(&presets.len()), "{v}");
    let shares: Vec<f64> = presets
        .iter()
        .map(|p| p["share"].as_f64().unwrap())
        .collect();
    assert!(shares.iter().all(|s| *s >= 0.1), "{shares:?}");
    assert!(
        shares.windows(2).all(|w| w[0] >= w[1]),
        "biggest first: {shares:?}"
    );
    for p in presets {
        assert!(p["id"].as_str().unwrap().starts_with("learned-"), "{p}");
        assert!(!p["choices"].as_array().unwrap().is_empty(), "{p}");
        // Bare values are named with their variable.
        assert!(p["name"].as_str().unwrap().starts_with("Popular: v"), "{p}");
    }
    assert_eq!(ok_json(&args), v, "deterministic");
    let err = fails(&["presets", &car, "--history", &sales, "--max", "0"]);
    assert!(err.contains("--max"), "{err}");
}

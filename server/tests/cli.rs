//! Integration tests of the `configurator` program: they run the real binary and check the
//! contract of `check` and `domains` (exit codes, JSON shapes, diagnostics on stderr).

mod common;

use common::*;

use serde_json::Value;

/// Counts the lines of a catalog that start a table array, e.g. `[[rules]]`.
fn count_headers(file: &str, header: &str) -> usize {
    std::fs::read_to_string(file)
        .unwrap()
        .lines()
        .filter(|l| l.trim() == header)
        .count()
}

fn count_options(file: &str) -> usize {
    count_headers(file, "[[groups.options]]")
}

fn count_rules(file: &str) -> usize {
    count_headers(file, "[[rules]]")
}

// ------------------------------------------------------------------------------------------
// check

fn check_usable_catalog(file: &str) {
    let out = run(&["check", file, "--json"]);
    assert_eq!(code(&out), 0, "stderr:\n{}", stderr(&out));
    let v = json(&out);
    assert_eq!(
        keys(&v),
        set(&["options", "rules", "satisfiable", "dead", "forced"])
    );
    assert_eq!(v["options"].as_u64(), Some(count_options(file) as u64));
    assert_eq!(v["rules"].as_u64(), Some(count_rules(file) as u64));
    assert_eq!(v["satisfiable"], Value::Bool(true));
    assert!(v["dead"].is_array());
    assert!(v["forced"].is_array());
}

#[test]
fn check_pc_json() {
    let file = catalog("pc.toml");
    assert!(count_options(&file) > 0 && count_rules(&file) > 0);
    check_usable_catalog(&file);
}

#[test]
fn check_sneaker_json() {
    let file = catalog("sneaker.toml");
    assert!(count_options(&file) > 0 && count_rules(&file) > 0);
    check_usable_catalog(&file);
}

#[test]
fn check_malformed_toml_reports_line() {
    let err = fails(&["check", &fixture("malformed.toml")]);
    // The unterminated string is on line 3.
    assert!(err.contains("malformed.toml:3:"), "stderr:\n{err}");
}

#[test]
fn check_unknown_option_suggests_and_locates() {
    let err = fails(&["check", &fixture("unknown_option.toml")]);
    assert!(
        err.contains("did you mean cpu.i9_14900k?"),
        "stderr:\n{err}"
    );
    // `rule = "cpu.i9 -> gpu.big"` is line 26; the rule text starts at column 9.
    assert!(err.contains("unknown_option.toml:26:9"), "stderr:\n{err}");
    assert!(err.contains("typo"), "stderr names the rule id:\n{err}");
}

#[test]
fn check_type_error() {
    let err = fails(&["check", &fixture("type_error.toml")]);
    assert!(err.contains("cannot compare"), "stderr:\n{err}");
    assert!(err.contains("bad-compare"), "stderr:\n{err}");
    assert!(err.contains("type_error.toml:22:"), "stderr:\n{err}");
}

#[test]
fn check_unit_mismatch() {
    let err = fails(&["check", &fixture("unit_mismatch.toml")]);
    assert!(err.contains("mm-vs-watts"), "stderr:\n{err}");
    assert!(err.contains("unit_mismatch.toml:34:"), "stderr:\n{err}");
    assert!(
        err.contains("mm") && err.contains('W'),
        "stderr names both units:\n{err}"
    );
}

#[test]
fn check_unsatisfiable_names_exactly_the_conflict() {
    let file = fixture("unsatisfiable.toml");
    let out = run(&["check", &file, "--json"]);
    let err = stderr(&out);
    assert_eq!(code(&out), 1, "stderr:\n{err}");
    let v = json(&out);
    assert_eq!(
        keys(&v),
        set(&["options", "rules", "satisfiable", "dead", "forced"])
    );
    assert_eq!(v["satisfiable"], Value::Bool(false));
    assert_eq!(v["options"].as_u64(), Some(count_options(&file) as u64));
    assert_eq!(v["rules"].as_u64(), Some(count_rules(&file) as u64));
    assert!(err.contains("needs-red"), "stderr:\n{err}");
    assert!(err.contains("never-red"), "stderr:\n{err}");
    assert!(!err.contains("unrelated-size"), "stderr:\n{err}");

    // Without --json the conflicting rules are listed too, still not the unrelated one.
    let out = run(&["check", &file]);
    assert_eq!(code(&out), 1);
    let text = format!("{}{}", stdout(&out), stderr(&out));
    assert!(text.contains("needs-red") && text.contains("never-red"));
    assert!(!text.contains("unrelated-size"), "output:\n{text}");
}

#[test]
fn check_unknown_extension() {
    let file = fixture("catalog.yaml");
    let err = fails(&["check", &file]);
    assert!(err.contains("unknown model format"), "stderr:\n{err}");
    assert!(err.contains("catalog.yaml"), "stderr:\n{err}");
}

#[test]
fn check_missing_file() {
    let file = fixture("does_not_exist.toml");
    let out = run(&["check", &file, "--json"]);
    let err = stderr(&out);
    assert_eq!(code(&out), 1, "stderr:\n{err}");
    assert!(stdout(&out).trim().is_empty(), "no JSON for a missing file");
    assert!(err.contains("does_not_exist.toml"), "stderr:\n{err}");
    assert!(err.contains("cannot read"), "stderr:\n{err}");
}

#[test]
fn check_dead_and_forced_options() {
    let file = fixture("dead_forced.toml");
    let out = run(&["check", &file, "--json"]);
    assert_eq!(code(&out), 0, "stderr:\n{}", stderr(&out));
    let v = json(&out);
    assert_eq!(
        keys(&v),
        set(&["options", "rules", "satisfiable", "dead", "forced"])
    );
    assert_eq!(v["satisfiable"], Value::Bool(true));
    assert_eq!(v["options"].as_u64(), Some(count_options(&file) as u64));
    assert_eq!(v["rules"].as_u64(), Some(count_rules(&file) as u64));
    assert_eq!(strings(&v["dead"]), vec!["colour.green"]);
    assert_eq!(strings(&v["forced"]), vec!["extras.laces"]);
}

// ------------------------------------------------------------------------------------------
// domains

/// Runs `domains` with --json, checks the shape, and returns (satisfiable, states).
fn domains(file: &str, extra: &[&str]) -> (bool, serde_json::Map<String, Value>) {
    let mut args = vec!["domains", file, "--json"];
    args.extend_from_slice(extra);
    let out = run(&args);
    assert_eq!(code(&out), 0, "stderr:\n{}", stderr(&out));
    let v = json(&out);
    assert_eq!(keys(&v), set(&["satisfiable", "options"]));
    let satisfiable = v["satisfiable"].as_bool().expect("satisfiable is a bool");
    let options = v["options"]
        .as_object()
        .expect("options is an object")
        .clone();
    assert_eq!(
        options.len(),
        count_options(file),
        "every option of the model is listed"
    );
    for (name, state) in &options {
        assert!(
            matches!(state.as_str(), Some("selected" | "excluded" | "free")),
            "{name} has state {state}"
        );
    }
    (satisfiable, options)
}

fn state<'a>(options: &'a serde_json::Map<String, Value>, name: &str) -> &'a str {
    options
        .get(name)
        .unwrap_or_else(|| panic!("{name} missing"))
        .as_str()
        .unwrap()
}

#[test]
fn domains_lists_every_option() {
    for file in [catalog("pc.toml"), catalog("sneaker.toml")] {
        let (satisfiable, options) = domains(&file, &[]);
        assert!(satisfiable);
        assert!(
            options.keys().all(|k| k.contains('.')),
            "names are group.option"
        );
    }
}

#[test]
fn domains_select_excludes_rest_of_exactly_one_group() {
    let file = catalog("pc.toml");
    let (satisfiable, options) = domains(&file, &["--select", "cpu.i9_14900k"]);
    assert!(satisfiable);
    assert_eq!(state(&options, "cpu.i9_14900k"), "selected");
    let others: Vec<_> = options
        .iter()
        .filter(|(k, _)| k.starts_with("cpu.") && k.as_str() != "cpu.i9_14900k")
        .collect();
    assert_eq!(others.len(), 13, "pc.toml has 14 processors");
    for (name, s) in others {
        assert_eq!(s, "excluded", "{name}");
    }
}

#[test]
fn domains_deselect() {
    let file = catalog("pc.toml");
    let (satisfiable, options) = domains(&file, &["--deselect", "gpu.rtx5090"]);
    assert!(satisfiable);
    assert_eq!(state(&options, "gpu.rtx5090"), "excluded");
}

#[test]
fn domains_small_case_excludes_long_gpus() {
    // case.terra: max_gpu_mm = 322, max_gpu_slots = 2.7, colours black and jade (rule
    // case-colours). gpu.rtx5080 is 338 mm long and 2.5 slots thick, so only the rule
    // gpu-length excludes it; gpu.rx9070xt (327 mm, 2.5 slots) likewise. gpu.rtx4060 (199 mm,
    // 2 slots) fits.
    let file = catalog("pc.toml");
    let (satisfiable, free) = domains(&file, &[]);
    assert!(satisfiable);
    assert_eq!(state(&free, "gpu.rtx5080"), "free");
    assert_eq!(state(&free, "colour.white"), "free");

    let (satisfiable, options) = domains(&file, &["--select", "case.terra"]);
    assert!(satisfiable);
    assert_eq!(state(&options, "case.terra"), "selected");
    assert_eq!(state(&options, "gpu.rtx5080"), "excluded");
    assert_eq!(state(&options, "gpu.rx9070xt"), "excluded");
    assert_eq!(state(&options, "gpu.rtx4060"), "free");
    assert_eq!(state(&options, "colour.white"), "excluded");
    assert_eq!(state(&options, "colour.black"), "free");
}

#[test]
fn domains_dead_and_forced_fixture() {
    let file = fixture("dead_forced.toml");
    let (satisfiable, options) = domains(&file, &[]);
    assert!(satisfiable);
    assert_eq!(state(&options, "colour.green"), "excluded");
    assert_eq!(state(&options, "extras.laces"), "selected");
    assert_eq!(state(&options, "extras.bag"), "free");
}

#[test]
fn domains_conflicting_choices() {
    let file = catalog("pc.toml");
    let (satisfiable, _) = domains(
        &file,
        &["--select", "cpu.i9_14900k", "--select", "cpu.i5_14400f"],
    );
    assert!(!satisfiable);
}

#[test]
fn domains_unknown_option() {
    let file = catalog("pc.toml");
    let err = fails(&["domains", &file, "--select", "cpu.i9", "--json"]);
    assert!(err.contains("unknown option"), "stderr:\n{err}");
    assert!(
        err.contains("did you mean cpu.i9_14900k?"),
        "stderr:\n{err}"
    );

    let err = fails(&["domains", &file, "--deselect", "gpu.rtx409"]);
    assert!(err.contains("unknown option"), "stderr:\n{err}");
    assert!(err.contains("gpu.rtx4090"), "stderr:\n{err}");
}

#[test]
fn domains_is_deterministic() {
    let file = catalog("pc.toml");
    for extra in [
        vec!["--json"],
        vec![
            "--json",
            "--select",
            "case.terra",
            "--deselect",
            "gpu.rtx4060",
        ],
        vec!["--select", "case.terra"],
    ] {
        let mut args = vec!["domains", file.as_str()];
        args.extend(extra);
        let a = run(&args);
        let b = run(&args);
        assert_eq!(code(&a), 0);
        assert_eq!(code(&b), 0);
        assert!(!a.stdout.is_empty());
        assert_eq!(a.stdout, b.stdout, "{args:?}");
    }
}

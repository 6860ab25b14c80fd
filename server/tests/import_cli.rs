//! The CLI on imported variability models: one loading path picks the format by extension or
//! content, gzip included, and the JSON contracts of `check` and `domains` are the catalogs'.

use serde_json::Value;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output};

fn model(relative: &str) -> String {
    let mut p = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    p.push("../models");
    p.push(relative);
    p.to_string_lossy().into_owned()
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_configurator"))
        .args(args)
        .output()
        .expect("failed to run the configurator binary")
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

#[test]
fn check_json_on_every_format() {
    for (rel, options) in [
        ("flamapy-benchmark/uvl/pizzas.uvl", 12),
        ("flamapy-benchmark/featureide/pizzas.xml", 12),
        (
            "fm-benchmark-dimacs/small/berkeleydb_Hierons2020.dimacs",
            117,
        ),
        ("splot-models/DELL.splx", 47),
        ("renault-br4cp/medium_domainsorted.xml", 328),
        ("clib-renault", 396),
    ] {
        let out = run(&["check", "--json", &model(rel)]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{rel}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let j = json(&out);
        assert_eq!(j["options"], options, "{rel}");
        assert_eq!(j["satisfiable"], true);
    }
}

#[test]
fn pizza_core_features_by_name() {
    let out = run(&[
        "check",
        "--json",
        &model("flamapy-benchmark/uvl/pizzas.uvl"),
    ]);
    let j = json(&out);
    let forced: Vec<&str> = j["forced"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(forced, vec!["Pizza", "Topping", "Size", "Dough"]);
}

#[test]
fn domains_accepts_feature_names_as_written() {
    let out = run(&[
        "domains",
        "--json",
        &model("fm-benchmark-dimacs/hardware/pc-richmond_Sprey2020.dimacs"),
        "--select",
        "G4560 Kaby Lake",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let j = json(&out);
    assert_eq!(j["options"]["G4560 Kaby Lake"], "selected");
    assert_eq!(j["options"]["G4600 Kaby Lake"], "excluded");
    assert_eq!(j["options"]["Intel Pentium"], "selected");
}

#[test]
fn gzip_and_content_detection() {
    let dir = std::env::temp_dir().join(format!("configurator-import-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let text = std::fs::read(model(
        "fm-benchmark-dimacs/small/berkeleydb_Hierons2020.dimacs",
    ))
    .unwrap();
    let gz = dir.join("berkeleydb.dimacs.gz");
    let mut enc = flate2::write::GzEncoder::new(
        std::fs::File::create(&gz).unwrap(),
        flate2::Compression::fast(),
    );
    enc.write_all(&text).unwrap();
    enc.finish().unwrap();
    let txt = dir.join("model.txt");
    std::fs::write(&txt, &text).unwrap();
    for p in [&gz, &txt] {
        let out = run(&["check", "--json", &p.to_string_lossy()]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(json(&out)["options"], 117);
    }
    let unknown = dir.join("notes.txt");
    std::fs::write(&unknown, "hello").unwrap();
    let out = run(&["check", &unknown.to_string_lossy()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown catalog format"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn faulty_model_reports_file_line_column() {
    let p = model("uvl-parser-tests/faulty/missingreference.uvl");
    let out = run(&["check", &p]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("{p}:7:5")) && err.contains("unknown feature C"),
        "{err}"
    );
}

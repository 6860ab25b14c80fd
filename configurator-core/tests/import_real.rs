//! Imported real models (copied into `models/`) against known answers: core and dead feature
//! counts from the flamapy benchmark oracle and the feature-model benchmark statistics, sold
//! Renault cars that must be valid products, faulty UVL files that must be rejected with a
//! position, and the printed rule texts of imported models meaning what the importer built.

use configurator_core::catalog::Format;
use configurator_core::eval::holds;
use configurator_core::import::{self, ModelFormat};
use configurator_core::{Choice, Compiled, Effort, Session};
use std::path::PathBuf;
use std::sync::Arc;

fn models() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../models")
}

fn read(rel: &str) -> String {
    let p = models().join(rel);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn import_file(rel: &str) -> Compiled {
    let text = read(rel);
    let format = ModelFormat::detect(rel, &text).unwrap_or_else(|| panic!("{rel}: no format"));
    import::import(&text, format, "model", &mut |_, _, _| {})
        .unwrap_or_else(|d| panic!("{rel}: {d:?}"))
}

fn lint_counts(c: &Compiled) -> (usize, usize) {
    let r = c.lint(&mut Effort::default()).expect("within effort");
    assert!(r.satisfiable);
    (r.forced.len(), r.dead.len())
}

fn json_models() -> serde_json::Value {
    serde_json::from_str(&read("flamapy-benchmark/oracle.json")).unwrap()
}

#[test]
fn flamapy_oracle_core_and_dead_features_uvl_and_featureide() {
    let oracle = json_models();
    let mut checked = 0;
    for m in oracle["models"].as_array().unwrap() {
        let name = m["name"].as_str().unwrap();
        for rel in [
            format!("flamapy-benchmark/uvl/{name}.uvl"),
            format!("flamapy-benchmark/featureide/{name}.xml"),
        ] {
            if !models().join(&rel).exists() {
                continue;
            }
            let c = import_file(&rel);
            assert_eq!(
                c.n_options() as u64,
                m["nof_features"].as_u64().unwrap(),
                "{rel}"
            );
            let (core, dead) = lint_counts(&c);
            assert_eq!(
                core as u64,
                m["nof_core_features"].as_u64().unwrap(),
                "{rel}: core"
            );
            assert_eq!(
                dead as u64,
                m["nof_dead_features"].as_u64().unwrap(),
                "{rel}: dead"
            );
            checked += 1;
        }
    }
    assert!(checked >= 24, "only {checked} models checked");
}

#[test]
fn dimacs_benchmark_core_and_dead_features() {
    let stats = read("fm-benchmark-dimacs/statistics/included_models.csv");
    let mut lines = stats.lines();
    let header: Vec<&str> = lines.next().unwrap().split(';').collect();
    let col = |n: &str| header.iter().position(|h| *h == n).unwrap();
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(';').collect()).collect();
    let mut checked = 0;
    for rel in [
        "fm-benchmark-dimacs/small/berkeleydb_Hierons2020.dimacs",
        "fm-benchmark-dimacs/small/bank_AlHajjaji2019.dimacs",
        "fm-benchmark-dimacs/hardware/pc-richmond_Sprey2020.dimacs",
        "fm-benchmark-dimacs/hardware/printer_Mendonca2009.dimacs",
        "fm-benchmark-dimacs/automotive/automotive01_Kowal2016.dimacs",
    ] {
        let base = rel.rsplit('/').next().unwrap().split('_').next().unwrap();
        let row = rows
            .iter()
            .find(|r| r[0] == base)
            .unwrap_or_else(|| panic!("{base}"));
        let num = |n: &str| row[col(n)].parse::<f64>().unwrap() as usize;
        let c = import_file(rel);
        let (core, dead) = lint_counts(&c);
        assert_eq!(core, num("Number_CORE"), "{rel}: core");
        assert_eq!(dead, num("Number_Dead"), "{rel}: dead");
        checked += 1;
    }
    assert_eq!(checked, 5);
}

#[test]
fn dimacs_names_are_printed_and_accepted_as_written() {
    let c = import_file("fm-benchmark-dimacs/hardware/pc-richmond_Sprey2020.dimacs");
    let o = c.option("PC RICHMOND F").expect("feature name with spaces");
    assert_eq!(c.name(o), "PC RICHMOND F");
    // The qualified form works too.
    assert_eq!(
        c.option(&format!("features.{}", c.catalog.groups[0].options[o].id)),
        Ok(o)
    );
    assert!(c
        .option("PC RICHMOND G")
        .unwrap_err()
        .contains("did you mean"));
}

#[test]
fn faulty_uvl_files_are_rejected_with_a_position() {
    let dir = models().join("uvl-parser-tests/faulty");
    let mut n = 0;
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        let text = std::fs::read_to_string(&p).unwrap();
        let err = import::import(&text, ModelFormat::Uvl, "faulty", &mut |_, _, _| {})
            .err()
            .unwrap_or_else(|| panic!("{} was accepted", p.display()));
        let loc = err[0]
            .location
            .unwrap_or_else(|| panic!("{}: {err:?}", p.display()));
        assert!(loc.line >= 1 && loc.column >= 1);
        n += 1;
    }
    assert_eq!(n, 5);
}

#[test]
fn faulty_uvl_errors_name_the_problem() {
    let cases = [
        ("illegalname.uvl", 4, "12B"),
        ("missingreference.uvl", 7, "unknown feature C"),
        ("same_feature_names.uvl", 22, "declared twice"),
        ("wrongindent.uvl", 3, "indentation"),
    ];
    for (file, line, needle) in cases {
        let text = read(&format!("uvl-parser-tests/faulty/{file}"));
        let err = import::uvl::parse(&text).unwrap_err();
        assert_eq!(err[0].location.unwrap().line, line, "{file}: {err:?}");
        assert!(
            err[0].message.contains(needle),
            "{file}: {}",
            err[0].message
        );
    }
}

#[test]
fn renault_medium_sold_cars_are_valid_products() {
    let c = Arc::new(import_file("renault-br4cp/medium_domainsorted.xml"));
    assert_eq!(c.index.groups.len(), 148);
    assert_eq!(c.catalog.rules.len(), 174);
    let sales = read("renault-br4cp/config_medium_filtered_head200.txt");
    let mut lines = sales.lines();
    let columns: Vec<&str> = lines.next().unwrap().split_whitespace().collect();
    assert_eq!(columns.len(), 44);
    let mut session = Session::new(c.clone());
    let mut checked = 0;
    for line in lines.take(60) {
        let mut choices = Vec::new();
        for (v, x) in columns.iter().zip(line.split_whitespace()) {
            let g = c.index.group_by_id[*v];
            if x == "-1" {
                for o in c.index.groups[g].options() {
                    choices.push(Choice::deselect(o));
                }
            } else {
                choices.push(Choice::select(c.option(&format!("{v}.{x}")).unwrap()));
            }
        }
        let d = session.domains(&choices, &mut Effort::default()).unwrap();
        assert!(d.satisfiable, "sold car {line} is not a valid product");
        checked += 1;
    }
    assert_eq!(checked, 60);
    // A value of a variable forbids the others.
    let o = c.option("v1.0").unwrap();
    let d = session
        .domains(&[Choice::select(o)], &mut Effort::default())
        .unwrap();
    assert!(d.satisfiable);
    assert_eq!(d.states[c.option("v1.1").unwrap()].simple(), "excluded");
}

#[test]
fn clib_sample_tables() {
    let domains = read("clib-renault/domains.txt");
    let mut files = Vec::new();
    for k in 79..=90 {
        let name = format!("renault_rule{k:03}.pm");
        files.push((name.clone(), read(&format!("clib-renault/rules/{name}"))));
    }
    let rules: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let c = import::clib::import(&domains, &rules, "renault").unwrap();
    assert_eq!(c.index.groups.len(), 99);
    assert_eq!(c.catalog.rules.len(), 12);
    // renault_rule079: Var40 = SEMBRY needs Var81 = BVA4.
    let d = Session::new(Arc::new(c))
        .domains(&[], &mut Effort::default())
        .unwrap();
    assert!(d.satisfiable);
    let c = import::clib::import(&domains, &rules, "renault").unwrap();
    let mut s = Session::new(Arc::new(c));
    let sel = s.compiled.option("Var40.SEMBRY").unwrap();
    let d = s
        .domains(&[Choice::select(sel)], &mut Effort::default())
        .unwrap();
    assert_eq!(
        d.states[s.compiled.option("Var81.BVA4").unwrap()].simple(),
        "selected"
    );
    // Bad input: an unknown value, with its line.
    let bad = [("bad.pm", "or(\nVar40 = SEMBRY  and Var81 = BVA9\nor)")];
    let err = import::clib::import(&domains, &bad, "renault").unwrap_err();
    assert!(err[0].message.contains("BVA9"), "{err:?}");
    assert_eq!(err[0].location.unwrap().line, 2);
}

#[test]
fn sxfm_dell_and_eshop() {
    let c = import_file("splot-models/DELL.splx");
    assert_eq!(c.catalog.name, "DELL Laptop/Notebook Computers");
    let (core, dead) = lint_counts(&c);
    assert!(core >= 1 && dead == 0);
    let c = import_file("splot-models/REAL-FM-4.sxfm");
    assert_eq!(c.n_options(), 290, "290 variables per statistics.txt");
}

/// Random selections on which to compare two meanings.
fn random_selections(n: usize, count: usize, seed: u64) -> Vec<Vec<bool>> {
    let mut x = seed;
    (0..count)
        .map(|k| {
            (0..n)
                .map(|_| {
                    x = x
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    // Vary the density so sums and cardinalities reach both sides of bounds.
                    (x >> 33) % 10 < (k % 9 + 1) as u64
                })
                .collect()
        })
        .collect()
}

/// The rule texts of an imported model, read back through the catalog path (TOML), mean the
/// same as the constraints the importer built.
fn texts_mean_the_same(rel: &str) {
    let imported = import_file(rel);
    let toml = toml::to_string(&imported.catalog).expect("serialisable");
    let reread = configurator_core::load(&toml, Format::Toml)
        .unwrap_or_else(|d| panic!("{rel}: rule texts do not resolve: {d:?}"));
    assert_eq!(reread.constraints.len(), imported.constraints.len());
    let n = imported.n_options();
    let sels = random_selections(n, 300, 7);
    for (a, b) in imported.constraints.iter().zip(&reread.constraints) {
        assert_eq!(a.id, b.id);
        for s in &sels {
            assert_eq!(
                holds(&imported.index, &a.body, s),
                holds(&reread.index, &b.body, s),
                "{rel}: rule {} differs from its text {:?}",
                a.id,
                imported
                    .catalog
                    .rules
                    .iter()
                    .find(|r| r.id == a.id)
                    .and_then(|r| r.rule.clone())
            );
        }
    }
    // Same printed names, same lint.
    assert_eq!(imported.index.labels, reread.index.labels);
    let (x, y) = (lint_counts(&imported), lint_counts(&reread));
    assert_eq!(x, y, "{rel}");
}

#[test]
fn printed_rule_texts_mean_what_the_importer_built() {
    for rel in [
        "flamapy-benchmark/uvl/pizzas.uvl",
        "flamapy-benchmark/uvl/Truck.uvl",
        "flamapy-benchmark/featureide/mobilemedia2.xml",
        "uvl-parser-tests/complex/Horcas2026_Pizza.uvl",
        "uvl-parser-tests/complex/bike.uvl",
        "pc-richmond/Sprey2020_with_prices.uvl",
        "splot-models/DELL.splx",
        "fm-benchmark-dimacs/small/berkeleydb_Hierons2020.dimacs",
        "renault-br4cp/medium_domainsorted.xml",
    ] {
        texts_mean_the_same(rel);
    }
}

#[test]
fn uvl_arithmetic_over_attributes() {
    // Attribute references mean value·[feature chosen]; sum(Price) maps to prices.
    let src = "features\n    A\n        or\n            B {Price 3, Fun 8}\n            C {Price 7, Fun 1}\nconstraints\n    B.Price + C.Price < 10\n    B.Price * B.Fun > 20\n";
    let c = import::import(src, ModelFormat::Uvl, "t", &mut |_, _, _| {}).unwrap();
    let r = c.lint(&mut Effort::default()).unwrap();
    assert!(r.satisfiable);
    assert_eq!(r.forced, vec!["A", "B"]);
    assert_eq!(r.dead, vec!["C"]);
    let src = "features\n    Pizza {abstract}\n        optional\n            X {Price 2.5}\n            Y {Price 3}\nconstraints\n    sum(Price) <= 5\n";
    let c = import::import(src, ModelFormat::Uvl, "t", &mut |_, _, _| {}).unwrap();
    let mut s = Session::new(Arc::new(c));
    let x = s.compiled.option("X").unwrap();
    let y = s.compiled.option("Y").unwrap();
    let d = s
        .domains(&[Choice::select(x)], &mut Effort::default())
        .unwrap();
    assert_eq!(d.states[y].simple(), "excluded");
    assert_eq!(
        s.compiled.catalog.groups[1].options[0].price.to_string(),
        "2.5"
    );
}

#[test]
fn uvl_group_under_optional_parent() {
    // [2..3] under an optional feature: 0 or 2..3 children, and children need the parent.
    let src = "features\n    R\n        optional\n            P\n                [2..3]\n                    a\n                    b\n                    c\n                    d\n";
    let c = Arc::new(import::import(src, ModelFormat::Uvl, "t", &mut |_, _, _| {}).unwrap());
    let mut s = Session::new(c.clone());
    let o = |n: &str| c.option(n).unwrap();
    let d = s
        .domains(
            &[
                Choice::select(o("a")),
                Choice::select(o("b")),
                Choice::select(o("c")),
            ],
            &mut Effort::default(),
        )
        .unwrap();
    assert!(d.satisfiable);
    assert_eq!(d.states[o("P")].simple(), "selected");
    assert_eq!(d.states[o("d")].simple(), "excluded");
    let d = s
        .domains(
            &[
                Choice::select(o("P")),
                Choice::deselect(o("a")),
                Choice::deselect(o("b")),
            ],
            &mut Effort::default(),
        )
        .unwrap();
    assert_eq!(d.states[o("c")].simple(), "selected");
    assert_eq!(d.states[o("d")].simple(), "selected");
    let d = s
        .domains(&[Choice::deselect(o("P"))], &mut Effort::default())
        .unwrap();
    assert_eq!(d.states[o("a")].simple(), "excluded");
}

#[test]
fn bad_inputs_of_every_format_give_positions() {
    let cases: [(ModelFormat, &str, usize); 5] = [
        (ModelFormat::Dimacs, "p cnf 2 1\n1 x 0\n", 2),
        (ModelFormat::Dimacs, "c 1 a\np cnf 2 1\n1 3 0\n", 3),
        (ModelFormat::Xcsp, "<instance>\n<domains>\n<domain name=\"D\">0 1</domain>\n</domains>\n<variables>\n<variable name=\"v\" domain=\"E\"/>\n</variables>\n</instance>", 6),
        (ModelFormat::FeatureIde, "<featureModel><struct>\n<and name=\"A\">\n<feature name=\"B\"/></and></struct>\n<constraints><rule>\n<var>C</var></rule></constraints></featureModel>", 5),
        (ModelFormat::Sxfm, "<feature_model name=\"x\"><feature_tree>\n:r A(a)\n\t:o B(b)\n</feature_tree><constraints>\nc1: ~b or z\n</constraints></feature_model>", 5),
    ];
    for (f, src, line) in cases {
        let err = import::import(src, f, "bad", &mut |_, _, _| {})
            .err()
            .unwrap_or_else(|| panic!("{f:?} accepted {src}"));
        assert_eq!(
            err[0].location.map(|l| l.line),
            Some(line),
            "{f:?}: {err:?}"
        );
    }
    let err = import::import(
        "<featureModel><struct>",
        ModelFormat::FeatureIde,
        "x",
        &mut |_, _, _| {},
    )
    .err()
    .unwrap();
    assert!(
        err[0].location.is_some() && err[0].message.contains("XML"),
        "{err:?}"
    );
}

#[test]
fn sxfm_comments_in_tree_and_constraints_are_skipped() {
    let src = "<feature_model name=\"m\">\n<feature_tree>\n:r A(a)\n<!-- tree comment -->\n\t:o B(b)\n\t:o C(c)\n</feature_tree>\n<constraints>\n<!-- link use cases -->\nc1: ~b or c\n</constraints>\n</feature_model>";
    let c = import::import(src, ModelFormat::Sxfm, "m", &mut |_, _, _| {}).unwrap();
    assert_eq!(c.n_options(), 3);
    assert_eq!(
        c.catalog
            .rules
            .iter()
            .filter(|r| r.id.starts_with('c'))
            .count(),
        1
    );
    let mut s = Session::new(Arc::new(c));
    let b = s.compiled.option("B").unwrap();
    let cc = s.compiled.option("C").unwrap();
    let d = s
        .domains(&[Choice::select(b)], &mut Effort::default())
        .unwrap();
    assert_eq!(d.states[cc].simple(), "selected");
}

#[test]
fn format_detection() {
    assert_eq!(ModelFormat::detect("a.uvl", ""), Some(ModelFormat::Uvl));
    assert_eq!(ModelFormat::detect("a.cnf", ""), Some(ModelFormat::Dimacs));
    assert_eq!(
        ModelFormat::detect("x.xml", "<?xml?>\n<instance>"),
        Some(ModelFormat::Xcsp)
    );
    assert_eq!(
        ModelFormat::detect("x.xml", "<featureModel>"),
        Some(ModelFormat::FeatureIde)
    );
    assert_eq!(
        ModelFormat::detect("x.txt", "c 1 a\np cnf 1 0\n"),
        Some(ModelFormat::Dimacs)
    );
    assert_eq!(ModelFormat::detect("x.txt", "hello"), None);
}

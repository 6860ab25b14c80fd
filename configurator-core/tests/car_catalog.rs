//! `catalogs/car.toml` is the real Renault medium model with the sales-history split, loadable by
//! the normal catalog path, and up to date with its generator.

use configurator_core::catalog::{Format, GroupKind};
use configurator_core::{Choice, Effort, Session};
use std::path::PathBuf;
use std::sync::Arc;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap()
}

#[test]
fn car_catalog_is_up_to_date() {
    let generated = configurator_core::import::car::catalog_text(
        &read("models/renault-br4cp/medium_domainsorted.xml"),
        &read("models/renault-br4cp/config_medium_filtered_head200.txt"),
        "medium",
    )
    .unwrap();
    assert!(
        generated == read("catalogs/car.toml"),
        "catalogs/car.toml is stale: run `cargo run -p configurator-core --example make_car_catalog`"
    );
}

#[test]
fn car_catalog_loads_and_has_the_sales_split() {
    let c = Arc::new(configurator_core::load(&read("catalogs/car.toml"), Format::Toml).unwrap());
    let visible = c
        .index
        .groups
        .iter()
        .filter(|g| g.kind == GroupKind::Visible)
        .count();
    assert_eq!(visible, 44);
    assert_eq!(c.index.groups.len(), 148);
    let r = c.lint(&mut Effort::default()).unwrap();
    assert!(r.usable());
    // A sold car (second line of the sales file), chosen on the visible groups only, leaves a
    // valid product for the solver to complete.
    let sales = read("models/renault-br4cp/config_medium_filtered_head200.txt");
    let mut lines = sales.lines();
    let cols: Vec<&str> = lines.next().unwrap().split_whitespace().collect();
    let row: Vec<&str> = lines.next().unwrap().split_whitespace().collect();
    let mut choices = Vec::new();
    for (v, x) in cols.iter().zip(row) {
        if x != "-1" {
            choices.push(Choice::select(c.option(&format!("{v}.{x}")).unwrap()));
        }
    }
    let d = Session::new(c.clone())
        .domains(&choices, &mut Effort::default())
        .unwrap();
    assert!(d.satisfiable);
}

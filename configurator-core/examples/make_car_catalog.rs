//! Writes `catalogs/car.toml`, the car configurator shipped with the product, from the real
//! Renault "medium" model (XCSP 2.1, `models/renault-br4cp/`): the 44 variables that appear in
//! the sales history are the customer's choices (visible groups), the 104 others are
//! infrastructure completed by the solver.
//!
//! Run: `cargo run -p configurator-core --example make_car_catalog`
//! (`configurator-core/tests/car_catalog.rs` checks that the shipped file is up to date).
//!
//! With arguments it writes the same kind of catalog from another BR4CP model, for
//! measurements (e.g. guided mode on the big model, see BENCHMARKS.md):
//! `cargo run --release -p configurator-core --example make_car_catalog -- big
//! ../shared/data/renault-br4cp/big_domainsorted.xml
//! ../shared/data/renault-br4cp/config_big_filtered.txt /tmp/car-big.toml`

use std::path::PathBuf;

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (size, xcsp, sales, out) = match args.as_slice() {
        [] => (
            "medium".to_string(),
            root.join("models/renault-br4cp/medium_domainsorted.xml"),
            root.join("models/renault-br4cp/config_medium_filtered_head200.txt"),
            root.join("catalogs/car.toml"),
        ),
        [size, xcsp, sales, out] => (size.clone(), xcsp.into(), sales.into(), out.into()),
        _ => {
            eprintln!("usage: make_car_catalog [SIZE XCSP SALES OUT]");
            std::process::exit(2);
        }
    };
    let read = |p: &PathBuf| {
        std::fs::read_to_string(p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()))
    };
    let text = configurator_core::import::car::catalog_text(&read(&xcsp), &read(&sales), &size)
        .unwrap_or_else(|d| panic!("{d:?}"));
    std::fs::write(&out, text).unwrap();
    println!("wrote {}", out.display());
}

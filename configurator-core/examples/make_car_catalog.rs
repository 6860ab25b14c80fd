//! Writes `catalogs/car.toml`, the car configurator shipped with the product, from the real
//! Renault "medium" model (XCSP 2.1, `models/renault-br4cp/`): the 44 variables that appear in
//! the sales history are the customer's choices (visible groups), the 104 others are
//! infrastructure completed by the solver.
//!
//! Run: `cargo run -p configurator-core --example make_car_catalog`
//! (`configurator-core/tests/car_catalog.rs` checks that the shipped file is up to date.)

use std::path::PathBuf;

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let text = configurator_core::import::car::catalog_text(
        &std::fs::read_to_string(root.join("models/renault-br4cp/medium_domainsorted.xml"))
            .unwrap(),
        &std::fs::read_to_string(
            root.join("models/renault-br4cp/config_medium_filtered_head200.txt"),
        )
        .unwrap(),
    )
    .unwrap_or_else(|d| panic!("{d:?}"));
    std::fs::write(root.join("catalogs/car.toml"), text).unwrap();
    println!("wrote catalogs/car.toml");
}

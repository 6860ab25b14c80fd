//! The domain and the solver of the configurator.
//!
//! Pure library: no I/O, no threads, no clock, so that it builds for `wasm32-unknown-unknown`
//! and the browser runs the very same propagation as the server. See `ARCHITECTURE.md`.

pub mod number;
pub mod rules;

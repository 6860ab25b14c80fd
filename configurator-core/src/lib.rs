//! The domain and the solver of the configurator.
//!
//! Pure library: no I/O, no threads, no clock, so that it builds for `wasm32-unknown-unknown`
//! and the browser runs the very same propagation as the server. See `ARCHITECTURE.md` for the
//! map: catalog → rules → resolve → ir → compile → solver → propagate / diagnosis.

pub mod catalog;
pub mod compile;
pub mod complete;
pub mod diagnosis;
pub mod diagnostic;
pub mod engine;
pub mod eval;
pub mod explain;
pub mod gac;
pub mod guide;
pub mod import;
pub mod ir;
pub mod lookahead;
pub mod number;
pub mod optimize;
pub mod presets;
pub mod propagate;
pub mod repair;
pub mod resolve;
pub mod rules;
pub mod simulate;
pub mod solver;
pub mod up;

pub use catalog::{Catalog, Format};
pub use complete::{BomLine, CompleteError, CompletionReport};
pub use diagnostic::{Diagnostic, Severity};
pub use engine::{compile_catalog, load, Compiled, LintReport, RuleRef, Session};
pub use explain::{ChoiceRef, Conflict, Explanation};
pub use number::Decimal;
pub use optimize::{CompleteRequest, Objective};
pub use propagate::{Choice, Domains, OptionState, PropagationStats, Scope};
pub use repair::{Repair, RepairReport};
pub use solver::{Effort, LimitReached};

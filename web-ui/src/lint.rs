//! Live lint of a catalog being edited, computed in the page by `configurator-core`: structure
//! checks, rule errors with their position, and (when everything compiles) `Compiled::lint`:
//! dead and forced options, or the minimal set of conflicting rules of an unsatisfiable
//! catalog.

use configurator_core::catalog::{validate_structure, Catalog};
use configurator_core::{compile_catalog, Diagnostic, Effort, LintReport, Severity};

/// Solver effort of one lint (conflicts); the examples need far less.
const EFFORT: u64 = 5_000_000;

#[derive(Clone, Debug)]
pub struct LintView {
    /// Errors that stop the catalog from compiling (structure, rule syntax, names, types).
    pub errors: Vec<Diagnostic>,
    /// The solver's findings when the catalog compiles.
    pub report: Option<LintReport>,
    /// Why no report: the solver's effort ran out.
    pub gave_up: bool,
    pub millis: f64,
}

impl LintView {
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty() || self.report.as_ref().is_some_and(|r| !r.usable())
    }
}

fn now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or(0.0)
}

pub fn lint(catalog: &Catalog) -> LintView {
    let start = now();
    let structure: Vec<Diagnostic> = validate_structure(catalog)
        .into_iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    let mut view = LintView {
        errors: structure,
        report: None,
        gave_up: false,
        millis: 0.0,
    };
    if view.errors.is_empty() {
        match compile_catalog(catalog.clone(), None) {
            Err(diags) => {
                view.errors = diags
                    .into_iter()
                    .filter(|d| d.severity == Severity::Error)
                    .collect()
            }
            Ok(compiled) => match compiled.lint(&mut Effort::new(EFFORT)) {
                Ok(r) => view.report = Some(r),
                Err(_) => view.gave_up = true,
            },
        }
    }
    view.millis = now() - start;
    view
}

/// `line L, column C: message` (positions inside the rule text).
pub fn describe(d: &Diagnostic) -> String {
    match d.location {
        Some(l) => format!("line {}, column {}: {}", l.line, l.column, d.message),
        None => d.message.clone(),
    }
}

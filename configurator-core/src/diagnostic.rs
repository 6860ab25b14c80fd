//! Problems found in a catalog, in a form people and programs can both read.
//!
//! Every error the core reports about a catalog is a [`Diagnostic`]: a stable code for programs
//! (the HTTP API returns it), a sentence for people, and where possible the line and column.

use serde::Serialize;
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// 1-based position in the catalog file (when the rule text could be found in it) or in the
/// rule text itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Location {
    pub line: usize,
    pub column: usize,
    /// True when line/column count inside the catalog file, false when inside the rule text.
    pub in_file: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Stable machine-readable code, e.g. `unknown-option`, `type-mismatch`, `syntax`.
    pub code: &'static str,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// The rule (or `group:<id>` for a group's cardinality) the problem is in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
}

impl Diagnostic {
    pub fn error(code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code,
            message: message.into(),
            location: None,
            rule: None,
        }
    }

    pub fn warning(code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, message)
        }
    }

    pub fn in_rule(mut self, rule: impl Into<String>) -> Self {
        self.rule = Some(rule.into());
        self
    }

    pub fn at(mut self, line: usize, column: usize, in_file: bool) -> Self {
        self.location = Some(Location {
            line,
            column,
            in_file,
        });
        self
    }

    /// Renders as `file:line:col: rule r: message` (the file name is the caller's to give).
    pub fn render(&self, file: Option<&str>) -> String {
        let mut out = String::new();
        match (file, self.location) {
            (Some(f), Some(loc)) if loc.in_file => {
                out.push_str(&format!("{f}:{}:{}: ", loc.line, loc.column))
            }
            (Some(f), _) => out.push_str(&format!("{f}: ")),
            _ => {}
        }
        if let Some(rule) = &self.rule {
            out.push_str(&format!("rule {rule}"));
            if let Some(loc) = self.location.filter(|l| !l.in_file) {
                out.push_str(&format!(" at {}:{}", loc.line, loc.column));
            }
            out.push_str(": ");
        }
        out.push_str(&self.message);
        out
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(None))
    }
}

/// The closest candidates to `name` (Jaro-Winkler, case-insensitive), best first, for
/// "did you mean" hints. Returns at most two.
pub fn suggest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let lower = name.to_lowercase();
    let mut scored: Vec<(f64, &str)> = candidates
        .into_iter()
        .map(|c| {
            let cl = c.to_lowercase();
            let mut score = strsim::jaro_winkler(&lower, &cl);
            if !lower.is_empty() && (cl.starts_with(&lower) || lower.starts_with(&cl)) {
                score = score.max(0.97);
            }
            (score, c)
        })
        .filter(|(s, _)| *s >= 0.8)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    scored.dedup_by(|a, b| a.1 == b.1);
    // Only the clear favourites: near the best score.
    let best = scored.first().map_or(0.0, |s| s.0);
    scored
        .into_iter()
        .filter(|(s, _)| *s >= best - 0.03)
        .take(2)
        .map(|(_, c)| c)
        .collect()
}

/// `"; did you mean x?"` or `"; did you mean x or y?"`, or nothing.
pub fn did_you_mean(suggestions: &[&str]) -> String {
    match suggestions {
        [] => String::new(),
        [one] => format!("; did you mean {one}?"),
        [a, b, ..] => format!("; did you mean {a} or {b}?"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_near_names() {
        let names = ["cpu.i9_14900k", "cpu.i5_14400", "gpu.rtx4090"];
        assert_eq!(suggest("cpu.i9", names), vec!["cpu.i9_14900k"]);
        assert_eq!(suggest("gpu.rtx409", names), vec!["gpu.rtx4090"]);
        assert!(suggest("zzz", names).is_empty());
        assert_eq!(
            did_you_mean(&suggest("cpu.i9", names)),
            "; did you mean cpu.i9_14900k?"
        );
    }
}

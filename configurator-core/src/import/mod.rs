//! Importers of real variability models: UVL, DIMACS CNF, XCSP 2.1, CLib tables, SXFM and
//! FeatureIDE XML. Each is a pure function from the file's text to a [`Compiled`] catalog, the
//! same value [`crate::engine::compile_catalog`] produces, so domains, lint and explanations work
//! unchanged on imported models. Reading files (and gzip) is the caller's business.
//!
//! The mapping (see `docs/catalog-format.md`, "Imported models"):
//! - every feature becomes an option named by the feature's name as written in the file
//!   (`feature_names`); feature groups become choice groups (see [`fm`]);
//! - a multi-valued variable (XCSP, CLib) becomes a choice group whose options are its values,
//!   named `variable.value`; `-1` (XCSP) means "absent": the group then allows no choice;
//! - cross-tree constraints and tables become rules with a printable text in the rule language
//!   and a description showing the constraint as written in the file.
//!
//! Importers build the resolved constraints directly (no re-parsing of rule text, which would be
//! too slow for models with hundreds of thousands of clauses); tests check on small models that
//! the printed text means the same.

pub mod car;
pub mod clib;
pub mod csp;
pub mod dimacs;
pub mod featureide;
pub mod fm;
pub mod sxfm;
pub mod uvl;
pub mod xcsp;

use crate::diagnostic::Diagnostic;
use crate::engine::Compiled;

/// The model formats the importers read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModelFormat {
    Uvl,
    Dimacs,
    Xcsp,
    Clib,
    Sxfm,
    FeatureIde,
}

impl ModelFormat {
    pub fn word(self) -> &'static str {
        match self {
            ModelFormat::Uvl => "UVL",
            ModelFormat::Dimacs => "DIMACS CNF",
            ModelFormat::Xcsp => "XCSP 2.1",
            ModelFormat::Clib => "CLib tables",
            ModelFormat::Sxfm => "SXFM",
            ModelFormat::FeatureIde => "FeatureIDE XML",
        }
    }

    /// Picks the format from a file name (without a `.gz` suffix) and, where extensions clash
    /// (`.xml`, `.txt`), from the start of the content. `None`: not a variability model.
    pub fn detect(path: &str, head: &str) -> Option<ModelFormat> {
        let lower = path.to_ascii_lowercase();
        let ext = lower.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
        match ext {
            "uvl" => Some(ModelFormat::Uvl),
            "dimacs" | "cnf" => Some(ModelFormat::Dimacs),
            "sxfm" | "splx" => Some(ModelFormat::Sxfm),
            "pm" => Some(ModelFormat::Clib),
            "xml" | "txt" => ModelFormat::sniff(head),
            _ => None,
        }
    }

    /// Guesses the format from the first bytes of a file.
    pub fn sniff(head: &str) -> Option<ModelFormat> {
        let h = head.trim_start_matches('\u{feff}');
        if h.contains("<instance") || h.contains("XCSP") {
            Some(ModelFormat::Xcsp)
        } else if h.contains("<featureModel") || h.contains("<extendedFeatureModel") {
            Some(ModelFormat::FeatureIde)
        } else if h.contains("<feature_model") {
            Some(ModelFormat::Sxfm)
        } else if h
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with('c'))
            .is_some_and(|l| l.starts_with("p cnf"))
        {
            Some(ModelFormat::Dimacs)
        } else if h.lines().map(str::trim).any(|l| l == "features") {
            Some(ModelFormat::Uvl)
        } else {
            None
        }
    }
}

/// Progress of a long import: called with a phase name and `done`/`total` units.
pub type Progress<'a> = &'a mut dyn FnMut(&str, usize, usize);

/// Imports one model file's text. `name` (the file name without extension) becomes the
/// catalog id when the file does not name the model. CLib models span several files: use
/// [`clib::import`].
pub fn import(
    source: &str,
    format: ModelFormat,
    name: &str,
    progress: Progress,
) -> Result<Compiled, Vec<Diagnostic>> {
    match format {
        ModelFormat::Uvl => fm::compile(uvl::parse(source)?, name, progress),
        ModelFormat::Sxfm => fm::compile(sxfm::parse(source)?, name, progress),
        ModelFormat::FeatureIde => fm::compile(featureide::parse(source)?, name, progress),
        ModelFormat::Dimacs => dimacs::import(source, name, progress),
        ModelFormat::Xcsp => xcsp::import(source, name, None),
        ModelFormat::Clib => Err(vec![Diagnostic::error(
            "multi-file",
            "a CLib model is a folder (domains.txt and rule files): use clib::import",
        )]),
    }
}

/// Whether `s` can be written bare in the rule language (else it needs backticks).
pub(crate) fn bare(s: &str) -> bool {
    let mut cs = s.chars();
    matches!(cs.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && cs.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !matches!(
            s,
            "not"
                | "and"
                | "or"
                | "if"
                | "then"
                | "else"
                | "iff"
                | "requires"
                | "excludes"
                | "true"
                | "false"
                | "sum"
                | "count"
                | "allowed"
                | "forbidden"
        )
}

/// A group or option id as written in rule text.
pub(crate) fn quote(s: &str) -> String {
    if bare(s) {
        s.to_string()
    } else {
        format!("`{s}`")
    }
}

/// `group.option` as written in rule text.
pub(crate) fn option_ref(group: &str, option: &str) -> String {
    let o = if option
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_')
        && bare_word(option)
    {
        option.to_string()
    } else {
        format!("`{option}`")
    };
    format!("{}.{o}", quote(group))
}

fn bare_word(s: &str) -> bool {
    !s.is_empty()
}

/// An id (group or option) made from a name as written in a file: characters that ids cannot
/// hold (`.`, white space, backticks, control characters) become `_`.
pub(crate) fn sanitize(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c == '.' || c == '`' || c.is_whitespace() || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect();
    if s.is_empty() {
        "_".to_string()
    } else {
        s
    }
}

/// Makes ids unique by appending `_2`, `_3`, ...
#[derive(Default)]
pub(crate) struct Unique {
    seen: std::collections::HashSet<String>,
}

impl Unique {
    pub fn make(&mut self, base: String) -> String {
        if self.seen.insert(base.clone()) {
            return base;
        }
        let mut k = 2;
        loop {
            let c = format!("{base}_{k}");
            if self.seen.insert(c.clone()) {
                return c;
            }
            k += 1;
        }
    }
}

/// A catalog id from a model name.
pub(crate) fn catalog_id(name: &str) -> String {
    let s = sanitize(name);
    s.replace(['`'], "_")
}

/// A 1-based line and column for a byte offset (for diagnostics).
pub(crate) fn at(d: Diagnostic, source: &str, offset: usize) -> Diagnostic {
    let (line, col) = crate::rules::line_col(source, offset);
    d.at(line, col, true)
}

/// 1-based line numbers of byte offsets, in O(log n) each (one pass to build).
pub(crate) struct Lines(Vec<usize>);

impl Lines {
    pub fn new(src: &str) -> Lines {
        let mut starts = vec![0];
        starts.extend(src.match_indices('\n').map(|(i, _)| i + 1));
        Lines(starts)
    }

    pub fn line(&self, offset: usize) -> usize {
        self.0.partition_point(|s| *s <= offset)
    }
}

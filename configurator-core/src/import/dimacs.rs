//! DIMACS CNF with the feature-model convention `c <id> <name>`: named variables are features
//! (options of the visible group `features`, printed by their names); the other variables are
//! options of the infrastructure group `auxiliary`, named by their number. When no variable is
//! named, every variable is a feature named by its number.
//!
//! Each clause becomes a rule `clause-N` (description: the clause over feature names). Models
//! with more than [`CLAUSES_PER_RULE_LIMIT`] clauses put consecutive clauses together into rules
//! `clauses-A-B`, so that the catalog stays small; explanations then name a block of clauses.
//! The reader works line by line in one pass.

use super::{option_ref, Progress};
use crate::catalog::{Catalog, Group, GroupKind, OptionDef, Rule};
use crate::diagnostic::Diagnostic;
use crate::engine::{compile_resolved, Compiled};
use crate::ir::{Constraint, Formula};
use std::collections::BTreeMap;

/// Above this many clauses, clauses are merged into rules of several clauses each.
pub const CLAUSES_PER_RULE_LIMIT: usize = 50_000;

/// The parsed file: variable count, names (`None`: unnamed), clauses with their line.
pub struct Dimacs {
    pub n_vars: usize,
    pub names: Vec<Option<String>>,
    pub clauses: Vec<Vec<i32>>,
}

fn error(source: &str, offset: usize, msg: String) -> Vec<Diagnostic> {
    vec![super::at(Diagnostic::error("syntax", msg), source, offset)]
}

/// Reads the text.
pub fn parse(source: &str) -> Result<Dimacs, Vec<Diagnostic>> {
    let mut n_vars: Option<usize> = None;
    let mut declared_clauses = 0usize;
    let mut names: Vec<Option<String>> = Vec::new();
    let mut pending: Vec<(usize, String, usize)> = Vec::new();
    let mut clauses: Vec<Vec<i32>> = Vec::new();
    let mut current: Vec<i32> = Vec::new();
    let mut offset = 0usize;
    let mut last_clause_offset = 0usize;
    for raw in source.split_inclusive('\n') {
        let line_start = offset;
        offset += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        let t = line.trim_start();
        if t.is_empty() || t.starts_with('%') {
            continue;
        }
        if let Some(rest) = t.strip_prefix('c') {
            if !(rest.is_empty() || rest.starts_with(' ') || rest.starts_with('\t')) {
                return Err(error(source, line_start, format!("unexpected line {t:?}")));
            }
            let rest = rest.trim_start();
            let (id, name) = match rest.split_once([' ', '\t']) {
                Some((a, b)) => (a, b.trim()),
                None => (rest, ""),
            };
            let id = id.strip_suffix('$').unwrap_or(id);
            if let Ok(v) = id.parse::<usize>() {
                if v > 0 && !name.is_empty() {
                    pending.push((v, name.to_string(), line_start));
                }
            }
            continue;
        }
        if let Some(rest) = t.strip_prefix("p") {
            let parts: Vec<&str> = rest.split_whitespace().collect();
            if n_vars.is_some() {
                return Err(error(source, line_start, "a second `p cnf` header".into()));
            }
            match parts.as_slice() {
                ["cnf", v, c] => match (v.parse::<usize>(), c.parse::<usize>()) {
                    (Ok(v), Ok(c)) => {
                        n_vars = Some(v);
                        declared_clauses = c;
                        names = vec![None; v];
                    }
                    _ => {
                        return Err(error(
                            source,
                            line_start,
                            format!("bad header {t:?}; expected `p cnf <variables> <clauses>`"),
                        ))
                    }
                },
                _ => {
                    return Err(error(
                        source,
                        line_start,
                        format!("bad header {t:?}; expected `p cnf <variables> <clauses>`"),
                    ))
                }
            }
            continue;
        }
        let Some(nv) = n_vars else {
            return Err(error(
                source,
                line_start,
                "clauses before the `p cnf` header".into(),
            ));
        };
        let mut col = line_start;
        for tok in line.split_ascii_whitespace() {
            let pos = line[col - line_start..].find(tok).map_or(col, |i| col + i);
            col = pos + tok.len();
            let lit: i64 = tok.parse().map_err(|_| {
                error(
                    source,
                    pos,
                    format!("expected a literal (a non-zero integer) or 0, found {tok:?}"),
                )
            })?;
            if lit == 0 {
                clauses.push(std::mem::take(&mut current));
                last_clause_offset = pos;
            } else {
                if lit.unsigned_abs() as usize > nv {
                    return Err(error(
                        source,
                        pos,
                        format!(
                            "variable {} is larger than the {nv} variables of the header",
                            lit.abs()
                        ),
                    ));
                }
                current.push(lit as i32);
            }
        }
    }
    let Some(n_vars) = n_vars else {
        return Err(vec![Diagnostic::error(
            "syntax",
            "no `p cnf <variables> <clauses>` header",
        )]);
    };
    if !current.is_empty() {
        clauses.push(current);
    }
    let _ = (declared_clauses, last_clause_offset);
    for (v, name, at) in pending {
        if v > n_vars {
            return Err(error(
                source,
                at,
                format!("comment names variable {v} but the header declares {n_vars} variables"),
            ));
        }
        names[v - 1] = Some(name);
    }
    Ok(Dimacs {
        n_vars,
        names,
        clauses,
    })
}

/// Reads and compiles a DIMACS model.
pub fn import(source: &str, name: &str, progress: Progress) -> Result<Compiled, Vec<Diagnostic>> {
    progress("parse", 0, source.len());
    let d = parse(source)?;
    progress("parse", source.len(), source.len());
    let (catalog, rules) = to_catalog(&d, name)?;
    progress("compile", 0, 1);
    let c = compile_resolved(catalog, rules)?;
    progress("compile", 1, 1);
    Ok(c)
}

/// The catalog and the meaning of each rule.
pub fn to_catalog(d: &Dimacs, name: &str) -> Result<(Catalog, Vec<Constraint>), Vec<Diagnostic>> {
    let any_named = d.names.iter().any(|n| n.is_some());
    // Duplicate names: later ones get their number appended, with a warning-free rename.
    let mut seen = std::collections::HashSet::new();
    let mut label: Vec<String> = Vec::with_capacity(d.n_vars);
    for (i, n) in d.names.iter().enumerate() {
        let mut l = n.clone().unwrap_or_else(|| (i + 1).to_string());
        if !seen.insert(l.clone()) {
            l = format!("{l}#{}", i + 1);
            seen.insert(l.clone());
        }
        label.push(l);
    }
    let is_feature = |v: usize| !any_named || d.names[v].is_some();
    // Option position of every variable.
    let mut feature_opts = Vec::new();
    let mut aux_opts = Vec::new();
    let mut place = vec![(0usize, 0usize); d.n_vars];
    let mut ids = super::Unique::default();
    for v in 0..d.n_vars {
        let o = OptionDef {
            id: ids.make(super::sanitize(&label[v])),
            name: label[v].clone(),
            vendor: None,
            price: Default::default(),
            description: None,
            attributes: BTreeMap::new(),
        };
        if is_feature(v) {
            place[v] = (0, feature_opts.len());
            feature_opts.push(o);
        } else {
            place[v] = (1, aux_opts.len());
            aux_opts.push(o);
        }
    }
    let n_features = feature_opts.len();
    let mut groups = vec![];
    if !feature_opts.is_empty() {
        groups.push(Group {
            default: None,
            id: "features".into(),
            name: "Features".into(),
            kind: GroupKind::Visible,
            min: 0,
            max: feature_opts.len() as u32,
            description: None,
            options: feature_opts,
        });
    }
    let aux_group = groups.len();
    if !aux_opts.is_empty() {
        groups.push(Group {
            default: None,
            id: "auxiliary".into(),
            name: "Auxiliary variables".into(),
            kind: GroupKind::Infrastructure,
            min: 0,
            max: aux_opts.len() as u32,
            description: Some("variables without a name in the DIMACS file".into()),
            options: aux_opts,
        });
    }
    if groups.is_empty() {
        return Err(vec![Diagnostic::error(
            "empty",
            "the model declares no variables",
        )]);
    }
    let opt_index = |v: usize| -> usize {
        let (g, o) = place[v];
        if g == 0 && n_features > 0 {
            o
        } else {
            n_features + o
        }
    };
    let _ = aux_group;
    let group_id = |v: usize| {
        if place[v].0 == 0 && n_features > 0 {
            "features"
        } else {
            "auxiliary"
        }
    };
    let per_rule = d.clauses.len().div_ceil(CLAUSES_PER_RULE_LIMIT).max(1);
    let mut rules = Vec::with_capacity(d.clauses.len() / per_rule + 1);
    let mut meanings = Vec::with_capacity(d.clauses.len() / per_rule + 1);
    let option_ids: Vec<&str> = groups
        .iter()
        .flat_map(|g| g.options.iter().map(|o| o.id.as_str()))
        .collect();
    for (chunk_no, chunk) in d.clauses.chunks(per_rule).enumerate() {
        let first = chunk_no * per_rule + 1;
        let mut texts = Vec::with_capacity(chunk.len());
        let mut descs = Vec::with_capacity(chunk.len());
        let mut fs = Vec::with_capacity(chunk.len());
        for clause in chunk {
            let mut lits = Vec::with_capacity(clause.len());
            let mut t = Vec::with_capacity(clause.len());
            let mut ds = Vec::with_capacity(clause.len());
            for l in clause {
                let v = l.unsigned_abs() as usize - 1;
                let pos = *l > 0;
                lits.push(Formula::Lit(opt_index(v), pos));
                let r = option_ref(group_id(v), option_ids[opt_index(v)]);
                t.push(if pos { r } else { format!("!{r}") });
                ds.push(if pos {
                    label[v].clone()
                } else {
                    format!("not {}", label[v])
                });
            }
            if t.is_empty() {
                t.push("false".into());
                ds.push("false".into());
            }
            texts.push(t.join(" | "));
            descs.push(ds.join(" or "));
            fs.push(Formula::Or(lits));
        }
        if per_rule == 1 {
            rules.push(Rule {
                id: format!("clause-{first}"),
                description: descs.pop().unwrap_or_default(),
                rule: texts.pop(),
                table: None,
            });
            meanings.push(Constraint::Formula(
                fs.pop().unwrap_or(Formula::Const(true)),
            ));
        } else {
            let last = first + chunk.len() - 1;
            rules.push(Rule {
                id: format!("clauses-{first}-{last}"),
                description: format!("DIMACS clauses {first} to {last}: {}", descs.join("; ")),
                rule: Some(
                    texts
                        .iter()
                        .map(|t| format!("({t})"))
                        .collect::<Vec<_>>()
                        .join(" & "),
                ),
                table: None,
            });
            meanings.push(Constraint::Formula(Formula::And(fs)));
        }
    }
    let catalog = Catalog {
        profiles: Vec::new(),
        presets: Vec::new(),
        id: super::catalog_id(name),
        name: name.to_string(),
        version: String::new(),
        currency: "EUR".into(),
        description: Some("imported DIMACS CNF model".into()),
        vendors: Vec::new(),
        attributes: BTreeMap::new(),
        groups,
        rules,
        feature_names: true,
    };
    Ok((catalog, meanings))
}

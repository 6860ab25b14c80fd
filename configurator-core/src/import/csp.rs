//! Finite-domain models (XCSP 2.1, CLib): variables with domains and allowed-tuple tables.
//!
//! A variable becomes a choice group named after it whose options are its values
//! (`variable.value`), chosen exactly once, or at most once when the variable is optional
//! (XCSP's `-1`, "absent"). A table becomes a rule with a compatibility table (the catalog's
//! `table` form), where an absent value is `-`.

use crate::catalog::{Catalog, Group, GroupKind, OptionDef, Rule, TableDef};
use crate::diagnostic::Diagnostic;
use crate::engine::{compile_resolved, Compiled};
use crate::ir::{Constraint, TableCell, TableConstraint};
use crate::rules::ast::TableKind;
use std::collections::{BTreeMap, HashSet};

pub struct Variable {
    pub name: String,
    /// Values other than "absent".
    pub values: Vec<String>,
    /// The variable may be absent (no option chosen).
    pub optional: bool,
}

pub struct Table {
    pub name: String,
    pub scope: Vec<usize>,
    /// Allowed tuples: value index per column, `None` = absent.
    pub rows: Vec<Vec<Option<usize>>>,
    pub description: String,
}

pub struct Csp {
    pub name: String,
    pub variables: Vec<Variable>,
    pub tables: Vec<Table>,
}

/// Builds the catalog (variables outside `visible` become infrastructure groups when `visible`
/// is given) and the meaning of each rule.
pub fn to_catalog(csp: &Csp, visible: Option<&HashSet<String>>) -> (Catalog, Vec<Constraint>) {
    let mut groups = Vec::with_capacity(csp.variables.len());
    let mut first = Vec::with_capacity(csp.variables.len());
    let mut n = 0;
    for v in &csp.variables {
        first.push(n);
        n += v.values.len();
        groups.push(Group {
            default: None,
            id: v.name.clone(),
            name: v.name.clone(),
            kind: match visible {
                Some(set) if !set.contains(&v.name) => GroupKind::Infrastructure,
                _ => GroupKind::Visible,
            },
            min: if v.optional { 0 } else { 1 },
            max: 1,
            description: None,
            options: v
                .values
                .iter()
                .map(|x| OptionDef {
                    id: x.clone(),
                    name: String::new(),
                    vendor: None,
                    price: Default::default(),
                    description: None,
                    attributes: BTreeMap::new(),
                })
                .collect(),
        });
    }
    let mut rules = Vec::with_capacity(csp.tables.len());
    let mut meanings = Vec::with_capacity(csp.tables.len());
    for t in &csp.tables {
        let rows_text: Vec<Vec<String>> = t
            .rows
            .iter()
            .map(|r| {
                r.iter()
                    .zip(&t.scope)
                    .map(|(c, v)| match c {
                        Some(i) => csp.variables[*v].values[*i].clone(),
                        None => "-".to_string(),
                    })
                    .collect()
            })
            .collect();
        rules.push(Rule {
            id: t.name.clone(),
            description: t.description.clone(),
            rule: None,
            table: Some(TableDef {
                groups: t
                    .scope
                    .iter()
                    .map(|v| csp.variables[*v].name.clone())
                    .collect(),
                allowed: Some(rows_text),
                forbidden: None,
            }),
        });
        meanings.push(Constraint::Table(TableConstraint {
            kind: TableKind::Allowed,
            columns: t.scope.clone(),
            rows: t
                .rows
                .iter()
                .map(|r| {
                    r.iter()
                        .zip(&t.scope)
                        .map(|(c, v)| match c {
                            Some(i) => TableCell::Option(first[*v] + i),
                            None => TableCell::Nothing,
                        })
                        .collect()
                })
                .collect(),
        }));
    }
    let catalog = Catalog {
        profiles: Vec::new(),
        presets: Vec::new(),
        id: super::catalog_id(&csp.name),
        name: csp.name.clone(),
        version: String::new(),
        currency: "EUR".into(),
        description: Some("imported constraint model".into()),
        vendors: Vec::new(),
        attributes: BTreeMap::new(),
        groups,
        rules,
        feature_names: false,
    };
    (catalog, meanings)
}

pub fn compile(csp: &Csp, visible: Option<&HashSet<String>>) -> Result<Compiled, Vec<Diagnostic>> {
    let (catalog, meanings) = to_catalog(csp, visible);
    compile_resolved(catalog, meanings)
}

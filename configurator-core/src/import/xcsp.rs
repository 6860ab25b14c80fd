//! XCSP 2.1 (the Renault models of BR4CP): integer domains, variables, `supports` relations
//! (allowed tuples `0 2 | 1 1`) and constraints referring to them. `-1` in a domain means
//! "absent" (the group allows no choice). Read with roxmltree; errors carry line and column.

use super::csp::{self, Csp, Table, Variable};
use crate::diagnostic::Diagnostic;
use crate::engine::Compiled;
use roxmltree::{Document, Node};
use std::collections::{HashMap, HashSet};

fn err(src: &str, at: usize, msg: impl Into<String>) -> Vec<Diagnostic> {
    vec![super::at(Diagnostic::error("syntax", msg.into()), src, at)]
}

/// Values of a domain text: integers and ranges `a..b`.
fn domain_values(src: &str, n: Node) -> Result<Vec<i64>, Vec<Diagnostic>> {
    let mut out = Vec::new();
    for tok in n.text().unwrap_or("").split_whitespace() {
        if let Some((a, b)) = tok.split_once("..") {
            let (a, b) = match (a.parse::<i64>(), b.parse::<i64>()) {
                (Ok(a), Ok(b)) if b >= a && b - a <= 100_000 => (a, b),
                _ => return Err(err(src, n.range().start, format!("bad range {tok}"))),
            };
            out.extend(a..=b);
        } else {
            out.push(
                tok.parse().map_err(|_| {
                    err(src, n.range().start, format!("bad value {tok:?} in domain"))
                })?,
            );
        }
    }
    Ok(out)
}

/// Parses the XML into variables and tables.
pub fn parse(src: &str, name: &str) -> Result<Csp, Vec<Diagnostic>> {
    let doc = Document::parse(src).map_err(|e| {
        let p = e.pos();
        vec![
            Diagnostic::error("syntax", format!("malformed XML: {e}")).at(
                p.row as usize,
                p.col as usize,
                true,
            ),
        ]
    })?;
    let root = doc.root_element();
    if !root.has_tag_name("instance") {
        return Err(err(
            src,
            0,
            format!("expected <instance>, found <{}>", root.tag_name().name()),
        ));
    }
    let model_name = root
        .children()
        .find(|n| n.has_tag_name("presentation"))
        .and_then(|p| p.attribute("name"))
        .filter(|n| !n.is_empty() && *n != "?")
        .unwrap_or(name)
        .to_string();
    let section = |tag: &str| root.children().find(|n| n.has_tag_name(tag));
    let mut domains: HashMap<&str, Vec<i64>> = HashMap::new();
    if let Some(ds) = section("domains") {
        for d in ds.children().filter(|n| n.has_tag_name("domain")) {
            let Some(dn) = d.attribute("name") else {
                return Err(err(src, d.range().start, "<domain> without a name"));
            };
            domains.insert(dn, domain_values(src, d)?);
        }
    }
    let mut variables = Vec::new();
    let mut var_index: HashMap<&str, usize> = HashMap::new();
    let mut var_values: Vec<HashMap<i64, usize>> = Vec::new();
    let Some(vs) = section("variables") else {
        return Err(err(src, root.range().start, "no <variables> element"));
    };
    for v in vs.children().filter(|n| n.has_tag_name("variable")) {
        let at = v.range().start;
        let (Some(vn), Some(dn)) = (v.attribute("name"), v.attribute("domain")) else {
            return Err(err(src, at, "<variable> needs name and domain"));
        };
        let Some(values) = domains.get(dn) else {
            return Err(err(
                src,
                at,
                format!("variable {vn} has unknown domain {dn}"),
            ));
        };
        if vn.contains('.') || vn.contains('`') || vn.chars().any(char::is_whitespace) {
            return Err(err(
                src,
                at,
                format!("variable name {vn:?} contains '.', '`' or white space"),
            ));
        }
        let optional = values.contains(&-1);
        let kept: Vec<i64> = values.iter().copied().filter(|x| *x != -1).collect();
        if kept.is_empty() {
            return Err(err(
                src,
                at,
                format!("variable {vn} has no value besides -1 (absent)"),
            ));
        }
        var_values.push(kept.iter().enumerate().map(|(i, x)| (*x, i)).collect());
        if var_index.insert(vn, variables.len()).is_some() {
            return Err(err(src, at, format!("variable {vn} is declared twice")));
        }
        variables.push(Variable {
            name: vn.to_string(),
            values: kept.iter().map(|x| x.to_string()).collect(),
            optional,
        });
    }
    let mut relations: HashMap<&str, Node> = HashMap::new();
    if let Some(rs) = section("relations") {
        for r in rs.children().filter(|n| n.has_tag_name("relation")) {
            if let Some(rn) = r.attribute("name") {
                relations.insert(rn, r);
            }
        }
    }
    let mut tables = Vec::new();
    let mut names = HashSet::new();
    if let Some(cs) = section("constraints") {
        for c in cs.children().filter(|n| n.has_tag_name("constraint")) {
            let at = c.range().start;
            let cname = c.attribute("name").unwrap_or("constraint").to_string();
            let (Some(reference), Some(scope)) = (c.attribute("reference"), c.attribute("scope"))
            else {
                return Err(err(
                    src,
                    at,
                    format!("constraint {cname} needs reference and scope"),
                ));
            };
            let Some(rel) = relations.get(reference) else {
                return Err(err(src, at, format!("constraint {cname} refers to unknown relation {reference} (only extensional relations are supported)")));
            };
            let scope: Vec<usize> = scope
                .split_whitespace()
                .map(|v| {
                    var_index.get(v).copied().ok_or_else(|| {
                        err(src, at, format!("constraint {cname}: unknown variable {v}"))
                    })
                })
                .collect::<Result<_, _>>()?;
            let mut seen = HashSet::new();
            if !scope.iter().all(|v| seen.insert(*v)) {
                return Err(err(
                    src,
                    at,
                    format!("constraint {cname}: a variable appears twice in the scope"),
                ));
            }
            let semantics = rel.attribute("semantics").unwrap_or("supports");
            if semantics != "supports" {
                return Err(err(src, rel.range().start, format!("relation {reference}: semantics {semantics:?} is not supported (only supports)")));
            }
            let mut rows = Vec::new();
            'tuples: for tuple in rel.text().unwrap_or("").split('|') {
                let vals: Vec<&str> = tuple.split_whitespace().collect();
                if vals.is_empty() {
                    continue;
                }
                if vals.len() != scope.len() {
                    return Err(err(
                        src,
                        rel.range().start,
                        format!(
                            "relation {reference}: tuple {:?} has {} values for a scope of {}",
                            tuple.trim(),
                            vals.len(),
                            scope.len()
                        ),
                    ));
                }
                let mut row = Vec::with_capacity(vals.len());
                for (x, v) in vals.iter().zip(&scope) {
                    let x: i64 = x.parse().map_err(|_| {
                        err(
                            src,
                            rel.range().start,
                            format!("relation {reference}: bad value {x:?}"),
                        )
                    })?;
                    if x == -1 {
                        if !variables[*v].optional {
                            continue 'tuples;
                        }
                        row.push(None);
                    } else {
                        match var_values[*v].get(&x) {
                            Some(i) => row.push(Some(*i)),
                            // A value outside the domain can never be chosen: the tuple never applies.
                            None => continue 'tuples,
                        }
                    }
                }
                rows.push(row);
            }
            let id = if names.insert(cname.clone()) {
                cname
            } else {
                format!("{cname}_{}", tables.len() + 1)
            };
            let description = format!(
                "allowed combinations of {}",
                scope
                    .iter()
                    .map(|v| variables[*v].name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            tables.push(Table {
                name: super::sanitize(&id),
                scope,
                rows,
                description,
            });
        }
    }
    Ok(Csp {
        name: model_name,
        variables,
        tables,
    })
}

/// Reads and compiles an XCSP 2.1 model; `visible`: the customer-visible variables (others
/// become infrastructure), or all when `None`.
pub fn import(
    src: &str,
    name: &str,
    visible: Option<&HashSet<String>>,
) -> Result<Compiled, Vec<Diagnostic>> {
    let csp = parse(src, name)?;
    csp::compile(&csp, visible)
}

/// The catalog of an XCSP model (for shipping it as a catalog file), with the variables outside
/// `visible` as infrastructure groups.
pub fn catalog(
    src: &str,
    name: &str,
    visible: Option<&HashSet<String>>,
) -> Result<crate::catalog::Catalog, Vec<Diagnostic>> {
    Ok(csp::to_catalog(&parse(src, name)?, visible).0)
}

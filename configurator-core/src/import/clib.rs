//! CLib tables (the Renault Megane benchmark): `domains.txt` lists `VarN : A, B, C`; every rule
//! file is one table written as a disjunction of conjunctions, one allowed tuple per line
//! (`Var1 = S64  and Var3 = M9`), inside `or(` ... `or)` (nested blocks allowed).

use super::csp::{self, Csp, Table, Variable};
use crate::diagnostic::Diagnostic;
use crate::engine::Compiled;
use std::collections::HashMap;

fn err(file: &str, src: &str, at: usize, msg: impl Into<String>) -> Vec<Diagnostic> {
    vec![super::at(
        Diagnostic::error("syntax", format!("{file}: {}", msg.into())),
        src,
        at,
    )]
}

/// Parses the domains and the rule files (`(file name, text)`, in order).
pub fn parse(domains: &str, rules: &[(&str, &str)], name: &str) -> Result<Csp, Vec<Diagnostic>> {
    let mut variables = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut values: Vec<HashMap<String, usize>> = Vec::new();
    let mut offset = 0;
    for raw in domains.split_inclusive('\n') {
        let at = offset;
        offset += raw.len();
        let line = raw.trim().trim_start_matches("//").trim();
        if line.is_empty() {
            continue;
        }
        let Some((v, list)) = line.split_once(':') else {
            return Err(err(
                "domains",
                domains,
                at,
                format!("expected `Var : A, B`, found {line:?}"),
            ));
        };
        let v = v.trim().to_string();
        let vals: Vec<String> = list
            .split(',')
            .map(|x| x.trim().to_string())
            .filter(|x| !x.is_empty())
            .collect();
        if vals.is_empty() {
            return Err(err(
                "domains",
                domains,
                at,
                format!("variable {v} has no values"),
            ));
        }
        if index.insert(v.clone(), variables.len()).is_some() {
            return Err(err(
                "domains",
                domains,
                at,
                format!("variable {v} is declared twice"),
            ));
        }
        values.push(
            vals.iter()
                .enumerate()
                .map(|(i, x)| (x.clone(), i))
                .collect(),
        );
        variables.push(Variable {
            name: v,
            values: vals,
            optional: false,
        });
    }
    let mut tables = Vec::new();
    for (file, text) in rules {
        let mut scope: Option<Vec<usize>> = None;
        let mut rows = Vec::new();
        let mut offset = 0;
        for raw in text.split_inclusive('\n') {
            let at = offset;
            offset += raw.len();
            // `or(` / `or)` markers may share a line with each other (`or)or(`).
            let line = raw.replace("or(", " ").replace("or)", " ");
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            let mut vars = Vec::new();
            let mut row = Vec::new();
            for part in line.split(" and ") {
                let Some((v, x)) = part.split_once('=') else {
                    return Err(err(
                        file,
                        text,
                        at,
                        format!("expected `Var = VALUE`, found {:?}", part.trim()),
                    ));
                };
                let (v, x) = (v.trim(), x.trim());
                let Some(vi) = index.get(v) else {
                    return Err(err(file, text, at, format!("unknown variable {v}")));
                };
                let Some(xi) = values[*vi].get(x) else {
                    return Err(err(file, text, at, format!("{x} is not a value of {v}")));
                };
                vars.push(*vi);
                row.push(Some(*xi));
            }
            match &scope {
                None => scope = Some(vars),
                Some(s) if *s == vars => {}
                Some(_) => {
                    return Err(err(
                        file,
                        text,
                        at,
                        "this line mentions other variables than the first line of the table",
                    ))
                }
            }
            rows.push(row);
        }
        let Some(scope) = scope else {
            return Err(vec![Diagnostic::error(
                "empty",
                format!("{file}: the table has no rows"),
            )]);
        };
        let id = super::sanitize(
            file.rsplit('/')
                .next()
                .unwrap_or(file)
                .trim_end_matches(".pm"),
        );
        tables.push(Table {
            description: format!(
                "allowed combinations of {} ({file})",
                scope
                    .iter()
                    .map(|v| variables[*v].name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            name: id,
            scope,
            rows,
        });
    }
    Ok(Csp {
        name: name.to_string(),
        variables,
        tables,
    })
}

/// Reads and compiles a CLib model.
pub fn import(
    domains: &str,
    rules: &[(&str, &str)],
    name: &str,
) -> Result<Compiled, Vec<Diagnostic>> {
    csp::compile(&parse(domains, rules, name)?, None)
}

//! SXFM (SPLOT's simple XML feature model): an XML envelope around an indentation-based tree
//! (`:r` root, `:m` mandatory, `:o` optional, `:g [min,max]` group, `: ` group member, each
//! `Name(id)`) and CNF constraints `name: ~a or b` over feature ids.
//!
//! The tree and constraints are text inside the XML, so the envelope is read by searching for
//! its few tags (the feature names are decoded from XML entities).

use super::fm::{Expr, FeatureGroup, FeatureModel, FmConstraint, Relation};
use crate::diagnostic::Diagnostic;
use std::collections::HashMap;

fn err(src: &str, at: usize, msg: impl Into<String>) -> Vec<Diagnostic> {
    vec![super::at(Diagnostic::error("syntax", msg.into()), src, at)]
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// The text between `<tag ...>` and `</tag>`, with its offset.
fn section<'a>(src: &'a str, tag: &str) -> Option<(usize, &'a str)> {
    let open = src.find(&format!("<{tag}"))?;
    let start = open + src[open..].find('>')? + 1;
    let end = start + src[start..].find(&format!("</{tag}>"))?;
    Some((start, &src[start..end]))
}

enum Node {
    Feature(usize),
    Group(usize),
}

/// Parses an SXFM model.
pub fn parse(src: &str) -> Result<FeatureModel, Vec<Diagnostic>> {
    let mut fm = FeatureModel::default();
    if let Some(i) = src.find("<feature_model") {
        let tag_end = src[i..].find('>').map_or(src.len(), |k| i + k);
        let tag = &src[i..tag_end];
        if let Some(n) = tag.find("name=\"") {
            let rest = &tag[n + 6..];
            if let Some(e) = rest.find('"') {
                fm.name = Some(unescape(&rest[..e]));
            }
        }
    }
    let Some((tree_at, tree)) = section(src, "feature_tree") else {
        return Err(err(src, 0, "no <feature_tree> element: not an SXFM model"));
    };
    let mut ids: HashMap<String, usize> = HashMap::new();
    let mut names: HashMap<String, usize> = HashMap::new();
    let mut stack: Vec<(usize, Node)> = Vec::new();
    // (parent, mandatory?) -> group of its :m / :o children.
    let mut solo: HashMap<(usize, bool), usize> = HashMap::new();
    let mut offset = tree_at;
    for raw in tree.split_inclusive('\n') {
        let at = offset;
        offset += raw.len();
        let line = raw.trim_end();
        let body = line.trim_start();
        if body.is_empty() || (body.starts_with("<!--") && body.ends_with("-->")) {
            continue;
        }
        let width = line.len() - body.len();
        let at = at + width;
        while stack.last().is_some_and(|(w, _)| *w >= width) {
            stack.pop();
        }
        let Some(rest) = body.strip_prefix(':') else {
            return Err(err(
                src,
                at,
                format!("expected a tree line (`:r`, `:m`, `:o`, `:g` or `: `), found {body:?}"),
            ));
        };
        let (kind, rest) = match rest.chars().next() {
            Some(c @ ('r' | 'm' | 'o' | 'g')) => (c, rest[1..].trim()),
            Some(' ') | Some('\t') | None => (' ', rest.trim()),
            _ => return Err(err(src, at, format!("unknown tree line {body:?}"))),
        };
        if kind == 'g' {
            // `(id) [min,max]` or `[min,max]`.
            let Some(b) = rest.find('[') else {
                return Err(err(src, at, format!("group without cardinality: {body:?}")));
            };
            let card = rest[b + 1..].trim_end_matches(']').trim_end();
            let card = card.strip_suffix(']').unwrap_or(card);
            let (a, z) = card
                .split_once(',')
                .ok_or_else(|| err(src, at, format!("bad group cardinality [{card}]")))?;
            let a: u32 = a
                .trim()
                .parse()
                .map_err(|_| err(src, at, format!("bad group cardinality [{card}]")))?;
            let z: Option<u32> = match z.trim() {
                "*" | "-1" => None,
                z => Some(
                    z.parse()
                        .map_err(|_| err(src, at, format!("bad group cardinality [{card}]")))?,
                ),
            };
            let Some((_, Node::Feature(p))) = stack.last() else {
                return Err(err(src, at, "a group must be under a feature"));
            };
            let relation = match (a, z) {
                (1, Some(1)) => Relation::Alternative,
                (1, None) => Relation::Or,
                (a, z) => Relation::Range(a, z),
            };
            fm.groups.push(FeatureGroup {
                parent: *p,
                relation,
                children: Vec::new(),
            });
            stack.push((width, Node::Group(fm.groups.len() - 1)));
            continue;
        }
        // `Name(id)`; the id may be missing.
        let (name, id) = match (rest.rfind('('), rest.ends_with(')')) {
            (Some(i), true) => (rest[..i].trim(), rest[i + 1..rest.len() - 1].trim()),
            _ => (rest, rest),
        };
        let mut name = unescape(name);
        if name.is_empty() {
            name = id.to_string();
        }
        if names.contains_key(&name) {
            name = format!("{name} ({id})");
        }
        if ids.contains_key(id) {
            return Err(err(src, at, format!("feature id {id} is declared twice")));
        }
        let f = fm.feature(name.clone(), false);
        ids.insert(id.to_string(), f);
        names.insert(name, f);
        match (kind, stack.last()) {
            ('r', None) if f == 0 => {}
            ('r', _) => return Err(err(src, at, "a second root (`:r`)")),
            (_, None) => return Err(err(src, at, "the first tree line must be the root (`:r`)")),
            ('m' | 'o', Some((_, Node::Feature(p)))) => {
                let key = (*p, kind == 'm');
                let g = *solo.entry(key).or_insert_with(|| {
                    fm.groups.push(FeatureGroup {
                        parent: key.0,
                        relation: if key.1 {
                            Relation::Mandatory
                        } else {
                            Relation::Optional
                        },
                        children: Vec::new(),
                    });
                    fm.groups.len() - 1
                });
                fm.groups[g].children.push(f);
            }
            (' ', Some((_, Node::Group(g)))) => fm.groups[*g].children.push(f),
            ('m' | 'o', Some(_)) => {
                return Err(err(
                    src,
                    at,
                    "`:m`/`:o` lines must be under a feature, not directly under a group",
                ))
            }
            _ => {
                return Err(err(
                    src,
                    at,
                    "a group member (`: `) must be under a group (`:g`)",
                ))
            }
        }
        stack.push((width, Node::Feature(f)));
    }
    if fm.features.is_empty() {
        return Err(err(src, tree_at, "the feature tree is empty"));
    }
    if let Some(g) = fm.groups.iter().find(|g| g.children.is_empty()) {
        return Err(err(
            src,
            tree_at,
            format!(
                "a group of feature {} has no members",
                fm.features[g.parent].name
            ),
        ));
    }
    let lines = super::Lines::new(src);
    if let Some((c_at, cons)) = section(src, "constraints") {
        let mut offset = c_at;
        for raw in cons.split_inclusive('\n') {
            let at = offset;
            offset += raw.len();
            let line = raw.trim();
            if line.is_empty() || (line.starts_with("<!--") && line.ends_with("-->")) {
                continue;
            }
            let (_, clause) = line
                .split_once(':')
                .ok_or_else(|| err(src, at, format!("expected `name: clause`, found {line:?}")))?;
            let mut lits = Vec::new();
            for lit in clause.split(" or ") {
                let lit = lit.trim();
                let (neg, id) = match lit.strip_prefix('~') {
                    Some(x) => (true, x.trim()),
                    None => (false, lit),
                };
                let Some(f) = ids.get(id) else {
                    let hint = crate::diagnostic::did_you_mean(&crate::diagnostic::suggest(
                        id,
                        ids.keys().map(|s| s.as_str()),
                    ));
                    return Err(err(
                        src,
                        at,
                        format!("constraint names unknown feature id {id}{hint}"),
                    ));
                };
                let e = Expr::Feature(*f);
                lits.push(if neg { Expr::Not(Box::new(e)) } else { e });
            }
            let line_no = lines.line(at);
            fm.constraints.push(FmConstraint {
                expr: Expr::Or(lits),
                text: line.to_string(),
                line: line_no,
            });
        }
    }
    Ok(fm)
}

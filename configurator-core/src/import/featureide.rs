//! FeatureIDE XML (`<featureModel>` and `<extendedFeatureModel>`): a `<struct>` tree of `and`
//! / `or` / `alt` / `feature` elements (`mandatory`, `abstract`, `hidden`, `<attribute name value
//! type>`) and `<constraints><rule>` formulas of `imp eq disj conj not var`. Read with roxmltree.

use super::fm::{Expr, FeatureGroup, FeatureModel, FmConstraint, Relation};
use crate::catalog::Value;
use crate::diagnostic::Diagnostic;
use crate::number::Decimal;
use roxmltree::{Document, Node};
use std::collections::HashMap;

fn err(src: &str, at: usize, msg: impl Into<String>) -> Vec<Diagnostic> {
    vec![super::at(Diagnostic::error("syntax", msg.into()), src, at)]
}

/// Parses a FeatureIDE model.
pub fn parse(src: &str) -> Result<FeatureModel, Vec<Diagnostic>> {
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
    if !matches!(
        root.tag_name().name(),
        "featureModel" | "extendedFeatureModel"
    ) {
        return Err(err(
            src,
            0,
            format!(
                "expected <featureModel>, found <{}>",
                root.tag_name().name()
            ),
        ));
    }
    let Some(tree) = root.children().find(|n| n.has_tag_name("struct")) else {
        return Err(err(src, root.range().start, "no <struct> element"));
    };
    let mut r = Reader {
        src,
        fm: FeatureModel::default(),
        names: HashMap::new(),
    };
    let top: Vec<Node> = tree.children().filter(|n| n.is_element()).collect();
    if top.len() != 1 {
        return Err(err(
            src,
            tree.range().start,
            "<struct> must hold exactly one root feature",
        ));
    }
    r.feature(top[0])?;
    let lines = super::Lines::new(src);
    if let Some(cons) = root.children().find(|n| n.has_tag_name("constraints")) {
        for rule in cons.children().filter(|n| n.is_element()) {
            let body: Vec<Node> = rule
                .children()
                .filter(|n| {
                    n.is_element() && !matches!(n.tag_name().name(), "description" | "tags")
                })
                .collect();
            if body.len() != 1 {
                return Err(err(
                    src,
                    rule.range().start,
                    "a <rule> must hold exactly one formula",
                ));
            }
            let expr = r.formula(body[0])?;
            let line = lines.line(rule.range().start);
            let text = show(&r.fm, &expr);
            r.fm.constraints.push(FmConstraint { expr, text, line });
        }
    }
    Ok(r.fm)
}

struct Reader<'a> {
    src: &'a str,
    fm: FeatureModel,
    names: HashMap<String, usize>,
}

impl Reader<'_> {
    fn feature(&mut self, n: Node) -> Result<usize, Vec<Diagnostic>> {
        let at = n.range().start;
        let Some(name) = n.attribute("name") else {
            return Err(err(
                self.src,
                at,
                format!("<{}> without a name", n.tag_name().name()),
            ));
        };
        if self.names.contains_key(name) {
            return Err(err(
                self.src,
                at,
                format!("feature {name:?} is declared twice"),
            ));
        }
        let hidden =
            n.attribute("abstract") == Some("true") || n.attribute("hidden") == Some("true");
        let f = self.fm.feature(name.to_string(), hidden);
        self.names.insert(name.to_string(), f);
        let mut kids = Vec::new();
        for c in n.children().filter(|c| c.is_element()) {
            match c.tag_name().name() {
                "and" | "or" | "alt" | "feature" => kids.push(c),
                "attribute" => {
                    if let (Some(k), Some(v)) = (c.attribute("name"), c.attribute("value")) {
                        let value = match c.attribute("type") {
                            Some("string") => Value::Str(v.to_string()),
                            Some("boolean") => Value::Bool(v == "true"),
                            _ => match Decimal::parse(v)
                                .or_else(|| v.parse::<f64>().ok().and_then(Decimal::from_f64))
                            {
                                Some(d) => Value::Number(d),
                                None => Value::Str(v.to_string()),
                            },
                        };
                        self.fm.features[f].attributes.insert(k.to_string(), value);
                    }
                }
                _ => {}
            }
        }
        match n.tag_name().name() {
            "feature" if kids.is_empty() => {}
            "feature" | "and" => {
                let mut mand = Vec::new();
                let mut opt = Vec::new();
                for k in &kids {
                    if k.attribute("mandatory") == Some("true") {
                        mand.push(*k);
                    } else {
                        opt.push(*k);
                    }
                }
                for (list, rel) in [(mand, Relation::Mandatory), (opt, Relation::Optional)] {
                    if list.is_empty() {
                        continue;
                    }
                    let g = self.group(f, rel);
                    for k in list {
                        let c = self.feature(k)?;
                        self.fm.groups[g].children.push(c);
                    }
                }
            }
            "or" | "alt" => {
                if kids.is_empty() {
                    return Err(err(
                        self.src,
                        at,
                        format!("<{}> {name} has no children", n.tag_name().name()),
                    ));
                }
                let rel = if n.tag_name().name() == "or" {
                    Relation::Or
                } else {
                    Relation::Alternative
                };
                let g = self.group(f, rel);
                for k in kids {
                    let c = self.feature(k)?;
                    self.fm.groups[g].children.push(c);
                }
            }
            other => return Err(err(self.src, at, format!("unknown tree element <{other}>"))),
        }
        Ok(f)
    }

    fn group(&mut self, parent: usize, relation: Relation) -> usize {
        self.fm.groups.push(FeatureGroup {
            parent,
            relation,
            children: Vec::new(),
        });
        self.fm.groups.len() - 1
    }

    fn formula(&self, n: Node) -> Result<Expr, Vec<Diagnostic>> {
        let at = n.range().start;
        let kids: Vec<Node> = n.children().filter(|c| c.is_element()).collect();
        let sub = |i: usize| -> Result<Expr, Vec<Diagnostic>> {
            match kids.get(i) {
                Some(k) => self.formula(*k),
                None => Err(err(
                    self.src,
                    at,
                    format!("<{}> needs more operands", n.tag_name().name()),
                )),
            }
        };
        Ok(match n.tag_name().name() {
            "var" => {
                let name = n.text().unwrap_or("").trim();
                match self.names.get(name) {
                    Some(f) => Expr::Feature(*f),
                    None => {
                        let hint = crate::diagnostic::did_you_mean(&crate::diagnostic::suggest(
                            name,
                            self.names.keys().map(|s| s.as_str()),
                        ));
                        return Err(err(self.src, at, format!("unknown feature {name}{hint}")));
                    }
                }
            }
            "not" => Expr::Not(Box::new(sub(0)?)),
            "imp" => Expr::Implies(Box::new(sub(0)?), Box::new(sub(1)?)),
            "eq" => Expr::Iff(Box::new(sub(0)?), Box::new(sub(1)?)),
            "conj" | "and" => Expr::And((0..kids.len()).map(sub).collect::<Result<_, _>>()?),
            "disj" | "or" => Expr::Or((0..kids.len()).map(sub).collect::<Result<_, _>>()?),
            other => {
                return Err(err(
                    self.src,
                    at,
                    format!("unknown formula element <{other}>"),
                ))
            }
        })
    }
}

/// A formula over feature names, for descriptions.
fn show(fm: &FeatureModel, e: &Expr) -> String {
    match e {
        Expr::Const(b) => b.to_string(),
        Expr::Feature(f) => fm.features[*f].name.clone(),
        Expr::Not(x) => format!("not {}", wrap(fm, x)),
        Expr::And(xs) => xs
            .iter()
            .map(|x| wrap(fm, x))
            .collect::<Vec<_>>()
            .join(" and "),
        Expr::Or(xs) => xs
            .iter()
            .map(|x| wrap(fm, x))
            .collect::<Vec<_>>()
            .join(" or "),
        Expr::Implies(a, b) => format!("{} implies {}", wrap(fm, a), wrap(fm, b)),
        Expr::Iff(a, b) => format!("{} iff {}", wrap(fm, a), wrap(fm, b)),
        Expr::Cmp(..) => "comparison".into(),
    }
}

fn wrap(fm: &FeatureModel, e: &Expr) -> String {
    match e {
        Expr::Feature(_) | Expr::Const(_) | Expr::Not(_) => show(fm, e),
        _ => format!("({})", show(fm, e)),
    }
}

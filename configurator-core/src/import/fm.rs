//! A feature model (a tree of features with group relations, plus cross-tree constraints) as
//! the UVL, SXFM and FeatureIDE importers read it, and its mapping to a catalog.
//!
//! Mapping:
//! - the root feature is alone in a group of its own, chosen exactly once;
//! - every group of children under one parent (a UVL `mandatory`/`optional`/`or`/`alternative`/
//!   `[n..m]` block, a FeatureIDE `and`/`or`/`alt`, an SXFM `:g`, or the parent's
//!   mandatory/optional children) becomes a choice group whose options are those children,
//!   named `<parent>_<relation>`;
//! - our groups have unconditional bounds, so when the parent is not always chosen (the
//!   root, or a mandatory child of an always chosen feature) the group gets `min 0` and a rule
//!   `tree-<group>` says "children need the parent" and "the parent needs between n and m
//!   children"; under an always chosen parent the group's own `min..max` says it;
//! - a group whose features are all abstract is infrastructure; abstract features also carry
//!   the attribute `abstract = true`;
//! - feature attributes become option attributes; a numeric attribute called `price` (any
//!   case) becomes the option's price;
//! - cross-tree constraints become rules `c<N>` whose description is the constraint as written.

use super::{option_ref, quote, sanitize, Progress, Unique};
use crate::catalog::{Catalog, Group, GroupKind, OptionDef, Rule, Value};
use crate::diagnostic::Diagnostic;
use crate::engine::{compile_resolved, Compiled};
use crate::ir::{Atom, Constraint, Formula, LinearForm, OptionIdx};
use crate::number::{Decimal, SCALE};
use crate::rules::ast::CmpOp;
use std::collections::{BTreeMap, HashMap};

#[derive(Clone, Debug, Default)]
pub struct FeatureModel {
    /// The model's name when the file gives one (UVL namespace, SXFM name).
    pub name: Option<String>,
    /// Feature 0 is the root.
    pub features: Vec<Feature>,
    pub groups: Vec<FeatureGroup>,
    pub constraints: Vec<FmConstraint>,
    pub warnings: Vec<Diagnostic>,
}

#[derive(Clone, Debug, Default)]
pub struct Feature {
    pub name: String,
    pub abstract_: bool,
    pub attributes: BTreeMap<String, Value>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Relation {
    Mandatory,
    Optional,
    Or,
    Alternative,
    /// Between `min` and `max` children (`max` `None`: no upper bound).
    Range(u32, Option<u32>),
}

impl Relation {
    fn word(self) -> String {
        match self {
            Relation::Mandatory => "mandatory".into(),
            Relation::Optional => "optional".into(),
            Relation::Or => "or".into(),
            Relation::Alternative => "alternative".into(),
            Relation::Range(a, Some(b)) => format!("{a}_{b}"),
            Relation::Range(a, None) => format!("{a}_n"),
        }
    }
}

#[derive(Clone, Debug)]
pub struct FeatureGroup {
    pub parent: usize,
    pub relation: Relation,
    pub children: Vec<usize>,
}

#[derive(Clone, Debug)]
pub struct FmConstraint {
    pub expr: Expr,
    /// The constraint as written in the file (for explanations).
    pub text: String,
    /// 1-based line in the file.
    pub line: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    Const(bool),
    Feature(usize),
    Not(Box<Expr>),
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Implies(Box<Expr>, Box<Expr>),
    Iff(Box<Expr>, Box<Expr>),
    Cmp(CmpOp, Num, Num),
}

/// Arithmetic over attribute values of features and sums over the chosen features.
#[derive(Clone, Debug, PartialEq)]
pub enum Num {
    /// In millionths (exact decimals).
    Const(i128),
    /// `Feature.attr`: the attribute's value (millionths) when the feature is chosen, else 0
    /// (the UVL semantics of attribute references).
    Attr(usize, i128),
    /// `sum(attr)` over the chosen features that have it.
    Sum(String),
    Add(Box<Num>, Box<Num>),
    Sub(Box<Num>, Box<Num>),
    Mul(Box<Num>, Box<Num>),
    Div(Box<Num>, Box<Num>),
    Neg(Box<Num>),
}

/// A constraint the importers cannot express (typed feature values, `avg`, `len`, ...).
#[derive(Debug)]
pub struct Unsupported(pub String);

impl FeatureModel {
    /// Adds a feature and returns its index.
    pub fn feature(&mut self, name: String, abstract_: bool) -> usize {
        self.features.push(Feature {
            name,
            abstract_,
            attributes: BTreeMap::new(),
        });
        self.features.len() - 1
    }
}

/// Builds the catalog and compiles it.
pub fn compile(
    fm: FeatureModel,
    name: &str,
    progress: Progress,
) -> Result<Compiled, Vec<Diagnostic>> {
    let (catalog, rules, warnings) = to_catalog(fm, name)?;
    progress("compile", 0, 1);
    let mut compiled = compile_resolved(catalog, rules)?;
    progress("compile", 1, 1);
    compiled.warnings.extend(warnings);
    Ok(compiled)
}

struct Built {
    /// (group index, option index within the group) of every feature.
    place: Vec<(usize, usize)>,
    groups: Vec<Group>,
}

impl Built {
    fn text(&self, f: usize) -> String {
        let (g, o) = self.place[f];
        option_ref(&self.groups[g].id, &self.groups[g].options[o].id)
    }
}

/// The catalog, the meaning of each of its rules, and warnings.
pub fn to_catalog(
    fm: FeatureModel,
    name: &str,
) -> Result<(Catalog, Vec<Constraint>, Vec<Diagnostic>), Vec<Diagnostic>> {
    let mut warnings = fm.warnings.clone();
    let n = fm.features.len();
    if n == 0 {
        return Err(vec![Diagnostic::error(
            "empty",
            "the model has no features",
        )]);
    }
    // Which features are always chosen: the root and mandatory children of such features.
    let mut parent_group: Vec<Option<usize>> = vec![None; n];
    for (gi, g) in fm.groups.iter().enumerate() {
        for c in &g.children {
            parent_group[*c] = Some(gi);
        }
    }
    let mut forced = vec![false; n];
    forced[0] = true;
    // Groups are listed parents first (the readers add a group when they meet its parent).
    for g in &fm.groups {
        if forced[g.parent] && g.relation == Relation::Mandatory {
            for c in &g.children {
                forced[*c] = true;
            }
        }
    }
    // Attribute types: the first value's type wins; conflicting values are dropped.
    let mut attr_types: HashMap<String, crate::catalog::AttrType> = HashMap::new();
    let mut group_ids = Unique::default();
    let mut built = Built {
        place: vec![(usize::MAX, 0); n],
        groups: Vec::new(),
    };
    let make_option = |f: usize,
                       ids: &mut Unique,
                       attr_types: &mut HashMap<String, crate::catalog::AttrType>,
                       warnings: &mut Vec<Diagnostic>|
     -> OptionDef {
        let feat = &fm.features[f];
        let mut attributes = BTreeMap::new();
        let mut price = Decimal::default();
        for (k, v) in &feat.attributes {
            if k.eq_ignore_ascii_case("price") {
                if let Value::Number(p) = v {
                    price = *p;
                    continue;
                }
            }
            let key = if k == "vendor" || k == "price" {
                format!("{k}_attr")
            } else {
                k.clone()
            };
            match attr_types.get(&key) {
                Some(t) if *t != v.ty() => warnings.push(Diagnostic::warning(
                    "attribute-type",
                    format!(
                        "feature {}: attribute {key} is a {} here but a {} elsewhere; value dropped",
                        feat.name,
                        v.ty().word(),
                        t.word()
                    ),
                )),
                _ => {
                    attr_types.insert(key.clone(), v.ty());
                    attributes.insert(key, v.clone());
                }
            }
        }
        if feat.abstract_ {
            attributes.insert("abstract".to_string(), Value::Bool(true));
        }
        OptionDef {
            id: ids.make(sanitize(&feat.name)),
            name: feat.name.clone(),
            vendor: None,
            price,
            description: None,
            attributes,
        }
    };
    // The root's group.
    {
        let mut ids = Unique::default();
        let o = make_option(0, &mut ids, &mut attr_types, &mut warnings);
        built.place[0] = (0, 0);
        built.groups.push(Group {
            default: None,
            id: group_ids.make(sanitize(&fm.features[0].name)),
            name: fm.features[0].name.clone(),
            kind: if fm.features[0].abstract_ {
                GroupKind::Infrastructure
            } else {
                GroupKind::Visible
            },
            min: 1,
            max: 1,
            description: Some("the model's root feature".into()),
            options: vec![o],
        });
    }
    // One group per feature group.
    let mut bounds = Vec::new();
    for g in &fm.groups {
        let k = g.children.len() as u32;
        let (lo, hi) = match g.relation {
            Relation::Mandatory => (k, k),
            Relation::Optional => (0, k),
            Relation::Or => (1, k),
            Relation::Alternative => (1, 1),
            Relation::Range(a, b) => (a, b.unwrap_or(k).min(k)),
        };
        bounds.push((lo, hi));
        let mut ids = Unique::default();
        let gi = built.groups.len();
        let mut options = Vec::new();
        for (oi, c) in g.children.iter().enumerate() {
            options.push(make_option(*c, &mut ids, &mut attr_types, &mut warnings));
            built.place[*c] = (gi, oi);
        }
        let parent = &fm.features[g.parent].name;
        let all_abstract = g.children.iter().all(|c| fm.features[*c].abstract_);
        let (min, max) = if forced[g.parent] {
            (lo, hi.max(lo).max(1))
        } else {
            (0, hi.max(1))
        };
        built.groups.push(Group {
            default: None,
            id: group_ids.make(format!("{}_{}", sanitize(parent), g.relation.word())),
            name: format!("{parent} ({})", g.relation.word().replace('_', "..")),
            kind: if all_abstract {
                GroupKind::Infrastructure
            } else {
                GroupKind::Visible
            },
            min,
            max,
            description: None,
            options,
        });
    }
    if let Some(f) = built.place.iter().position(|p| p.0 == usize::MAX) {
        return Err(vec![Diagnostic::error(
            "internal",
            format!("feature {} is in no group", fm.features[f].name),
        )]);
    }
    // Option index of each feature in catalog order.
    let mut first = Vec::new();
    let mut acc = 0;
    for g in &built.groups {
        first.push(acc);
        acc += g.options.len();
    }
    let opt = |f: usize| -> OptionIdx { first[built.place[f].0] + built.place[f].1 };
    let mut rules = Vec::new();
    let mut meanings = Vec::new();
    // Tree rules for groups under parents that are not always chosen.
    for (i, g) in fm.groups.iter().enumerate() {
        let gi = i + 1;
        let (lo, hi) = bounds[i];
        let group = &built.groups[gi];
        let gtext = quote(&group.id);
        let ptext = built.text(g.parent);
        let p = Formula::Lit(opt(g.parent), true);
        let any = Formula::Or(
            g.children
                .iter()
                .map(|c| Formula::Lit(opt(*c), true))
                .collect(),
        );
        let pname = &fm.features[g.parent].name;
        if hi == 0 {
            rules.push(Rule {
                id: format!("tree-{}", group.id),
                description: format!("no child of {pname} can be chosen (group bound 0)"),
                rule: Some(format!("!{gtext}")),
                table: None,
            });
            meanings.push(Constraint::Formula(Formula::negate(any)));
            continue;
        }
        if forced[g.parent] {
            continue;
        }
        let (text, meaning, description) = match (g.relation, lo) {
            (Relation::Mandatory, _) => {
                let kids: Vec<String> = g.children.iter().map(|c| built.text(*c)).collect();
                let all = Formula::And(
                    g.children
                        .iter()
                        .map(|c| Formula::Lit(opt(*c), true))
                        .collect(),
                );
                (
                    format!("({gtext} -> {ptext}) & ({ptext} -> ({}))", kids.join(" & ")),
                    Formula::And(vec![
                        Formula::implies(any, p.clone()),
                        Formula::implies(p, all),
                    ]),
                    format!("{pname} comes with its mandatory children, and they need it"),
                )
            }
            (_, 0) => (
                format!("{gtext} -> {ptext}"),
                Formula::implies(any, p),
                format!("children of {pname} need {pname}"),
            ),
            (_, 1) => (
                format!("{gtext} <-> {ptext}"),
                Formula::Iff(Box::new(any), Box::new(p)),
                if hi == 1 {
                    format!("{pname} needs exactly one of its children, and they need it")
                } else {
                    format!("{pname} needs at least one of its children, and they need it")
                },
            ),
            (_, lo) => {
                let mut form = LinearForm::constant(-(lo as i128) * SCALE as i128);
                for c in &g.children {
                    form.vars.insert(opt(*c), SCALE as i128);
                }
                (
                    format!("({gtext} -> {ptext}) & ({ptext} -> count({gtext}) >= {lo})"),
                    Formula::And(vec![
                        Formula::implies(any, p.clone()),
                        Formula::implies(
                            p,
                            Formula::Atom(Atom::Numeric {
                                over: vec![],
                                form,
                                op: CmpOp::Ge,
                            }),
                        ),
                    ]),
                    format!("{pname} needs at least {lo} of its children, and they need it"),
                )
            }
        };
        rules.push(Rule {
            id: format!("tree-{}", group.id),
            description,
            rule: Some(text),
            table: None,
        });
        meanings.push(Constraint::Formula(meaning));
    }
    // Cross-tree constraints.
    let mut feature_of = vec![0; acc];
    for f in 0..n {
        feature_of[opt(f)] = f;
    }
    let ctx = Ctx {
        built: &built,
        feature_of,
        opt: &opt,
        price_attr: &|a: &str| {
            if a.eq_ignore_ascii_case("price") {
                "price".to_string()
            } else {
                a.to_string()
            }
        },
        fm: &fm,
    };
    for (k, c) in fm.constraints.iter().enumerate() {
        match ctx.expr(&c.expr) {
            Ok((f, text)) => {
                rules.push(Rule {
                    id: format!("c{}", k + 1),
                    description: format!("line {}: {}", c.line, c.text.trim()),
                    rule: Some(text),
                    table: None,
                });
                meanings.push(Constraint::Formula(f));
            }
            Err(Unsupported(why)) => warnings.push(
                Diagnostic::warning(
                    "unsupported-constraint",
                    format!(
                        "constraint {} is ignored ({why}); the imported model allows more products than the original",
                        c.text.trim()
                    ),
                )
                .at(c.line, 1, true),
            ),
        }
    }
    let id = super::catalog_id(fm.name.as_deref().unwrap_or(name));
    let catalog = Catalog {
        profiles: Vec::new(),
        presets: Vec::new(),
        id: id.clone(),
        name: fm.name.clone().unwrap_or_else(|| name.to_string()),
        version: String::new(),
        currency: "EUR".into(),
        description: Some("imported variability model".into()),
        vendors: Vec::new(),
        attributes: BTreeMap::new(),
        groups: built.groups,
        rules,
        feature_names: true,
    };
    Ok((catalog, meanings, warnings))
}

struct Ctx<'a> {
    built: &'a Built,
    /// The feature of every option.
    feature_of: Vec<usize>,
    opt: &'a dyn Fn(usize) -> OptionIdx,
    price_attr: &'a dyn Fn(&str) -> String,
    fm: &'a FeatureModel,
}

impl Ctx<'_> {
    fn expr(&self, e: &Expr) -> Result<(Formula, String), Unsupported> {
        Ok(match e {
            Expr::Const(b) => (Formula::Const(*b), b.to_string()),
            Expr::Feature(f) => (Formula::Lit((self.opt)(*f), true), self.built.text(*f)),
            Expr::Not(x) => {
                let (f, t) = self.expr(x)?;
                (Formula::negate(f), format!("!{}", paren(&t)))
            }
            Expr::And(xs) | Expr::Or(xs) => {
                let and = matches!(e, Expr::And(_));
                let mut fs = Vec::new();
                let mut ts = Vec::new();
                for x in xs {
                    let (f, t) = self.expr(x)?;
                    fs.push(f);
                    ts.push(paren(&t));
                }
                if fs.is_empty() {
                    (Formula::Const(and), and.to_string())
                } else if and {
                    (Formula::And(fs), ts.join(" & "))
                } else {
                    (Formula::Or(fs), ts.join(" | "))
                }
            }
            Expr::Implies(a, b) => {
                let (fa, ta) = self.expr(a)?;
                let (fb, tb) = self.expr(b)?;
                (
                    Formula::implies(fa, fb),
                    format!("{} -> {}", paren(&ta), paren(&tb)),
                )
            }
            Expr::Iff(a, b) => {
                let (fa, ta) = self.expr(a)?;
                let (fb, tb) = self.expr(b)?;
                (
                    Formula::Iff(Box::new(fa), Box::new(fb)),
                    format!("{} <-> {}", paren(&ta), paren(&tb)),
                )
            }
            Expr::Cmp(op, a, b) => {
                let form = self.num(a)?.add(self.num(b)?, -1);
                let text = self.cmp_text(&form, *op);
                (
                    Formula::Atom(Atom::Numeric {
                        over: vec![],
                        form,
                        op: *op,
                    }),
                    text,
                )
            }
        })
    }

    /// `form op 0` in the rule language: `k * count(option) + ... op c`, scaled by a power of
    /// ten so that every coefficient is whole (the language multiplies by whole numbers only;
    /// scaling both sides does not change a comparison).
    fn cmp_text(&self, form: &LinearForm, op: CmpOp) -> String {
        let s = SCALE as i128;
        let mut unit = s; // every coefficient is a multiple of `unit`
        for c in form.vars.values().chain(std::iter::once(&form.constant)) {
            while unit > 1 && c % unit != 0 {
                unit /= 10;
            }
        }
        let mut terms = Vec::new();
        for (o, c) in &form.vars {
            let k = c / unit;
            let r = format!("count({})", self.built.text(self.feature_of[*o]));
            let term = match k.abs() {
                1 => r,
                a => format!("{a} * {r}"),
            };
            if terms.is_empty() {
                terms.push(if k < 0 { format!("0 - {term}") } else { term });
            } else {
                terms.push(format!("{} {term}", if k < 0 { '-' } else { '+' }));
            }
        }
        if terms.is_empty() {
            terms.push("0".into());
        }
        let rhs = -form.constant / unit;
        let rhs = if rhs < 0 {
            format!("(0 - {})", -rhs)
        } else {
            rhs.to_string()
        };
        format!("{} {} {rhs}", terms.join(" "), op.symbol())
    }

    fn num(&self, n: &Num) -> Result<LinearForm, Unsupported> {
        Ok(match n {
            Num::Const(c) => LinearForm::constant(*c),
            Num::Attr(f, v) => {
                let mut form = LinearForm::default();
                if *v != 0 {
                    form.vars.insert((self.opt)(*f), *v);
                }
                form
            }
            Num::Sum(attr) => {
                let a = (self.price_attr)(attr);
                let mut form = LinearForm::default();
                let mut any = false;
                for f in 0..self.fm.features.len() {
                    let (gi, oi) = self.built.place[f];
                    let o = &self.built.groups[gi].options[oi];
                    let v = if a == "price" {
                        Some(o.price)
                    } else {
                        match o.attributes.get(&a) {
                            Some(Value::Number(v)) => Some(*v),
                            _ => None,
                        }
                    };
                    if let Some(v) = v {
                        any = true;
                        if v.raw() != 0 {
                            form.vars.insert((self.opt)(f), v.raw() as i128);
                        }
                    }
                }
                if !any && a != "price" {
                    return Err(Unsupported(format!(
                        "no feature has a number attribute {attr}"
                    )));
                }
                form
            }
            Num::Add(a, b) => self.num(a)?.add(self.num(b)?, 1),
            Num::Sub(a, b) => self.num(a)?.add(self.num(b)?, -1),
            Num::Neg(a) => self.num(a)?.scale(-1),
            Num::Mul(a, b) => {
                let x = self.num(a)?;
                let y = self.num(b)?;
                let s = SCALE as i128;
                let exact = |v: i128| -> Result<i128, Unsupported> {
                    if v % s == 0 {
                        Ok(v / s)
                    } else {
                        Err(Unsupported("a product with more than 6 decimals".into()))
                    }
                };
                let times = |f: LinearForm, k: i128| -> Result<LinearForm, Unsupported> {
                    let mut out = LinearForm::constant(exact(f.constant * k)?);
                    for (o, c) in f.vars {
                        let v = exact(c * k)?;
                        if v != 0 {
                            out.vars.insert(o, v);
                        }
                    }
                    Ok(out)
                };
                let single = |f: &LinearForm| -> Option<(OptionIdx, i128)> {
                    match (f.constant, f.vars.len()) {
                        (0, 1) => f.vars.iter().next().map(|(o, c)| (*o, *c)),
                        _ => None,
                    }
                };
                match (constant(&x), constant(&y)) {
                    (Some(k), _) => times(y, k)?,
                    (_, Some(k)) => times(x, k)?,
                    _ => match (single(&x), single(&y)) {
                        // [f]·a · [f]·b = [f]·ab: two attributes of the same feature.
                        (Some((o1, c1)), Some((o2, c2))) if o1 == o2 => {
                            let mut f = LinearForm::default();
                            f.vars.insert(o1, exact(c1 * c2)?);
                            f
                        }
                        _ => {
                            return Err(Unsupported(
                                "a product of attributes of different features (not linear)".into(),
                            ))
                        }
                    },
                }
            }
            Num::Div(a, b) => {
                let x = self.num(a)?;
                let y = self.num(b)?;
                let s = SCALE as i128;
                match constant(&y) {
                    Some(q) if q != 0 => {
                        let div = |v: i128| -> Result<i128, Unsupported> {
                            if (v * s) % q == 0 {
                                Ok(v * s / q)
                            } else {
                                Err(Unsupported(
                                    "a division that is not exact to 6 decimals".into(),
                                ))
                            }
                        };
                        let mut out = LinearForm::constant(div(x.constant)?);
                        for (o, c) in x.vars {
                            out.vars.insert(o, div(c)?);
                        }
                        out
                    }
                    _ => {
                        return Err(Unsupported(
                            "a division by an attribute of a feature (not linear)".into(),
                        ))
                    }
                }
            }
        })
    }
}

fn constant(f: &LinearForm) -> Option<i128> {
    if f.is_constant() {
        Some(f.constant)
    } else {
        None
    }
}

fn paren(t: &str) -> String {
    // Simple when nothing but names and dots remain outside backticks.
    let mut inside = false;
    let simple = t.chars().all(|c| {
        if c == '`' {
            inside = !inside;
            true
        } else {
            inside || c.is_alphanumeric() || c == '_' || c == '.'
        }
    });
    if simple {
        t.to_string()
    } else {
        format!("({t})")
    }
}

//! The resolved constraint language: what a rule *means*, over option indices.
//!
//! `resolve` turns rule text into these terms after checking names, types and units; `eval`
//! interprets them on a concrete selection (the independent validity check); `compile`
//! encodes them as clauses for the SAT solver. Keeping one meaning in one place is what lets the
//! brute-force tests compare the solver against `eval`.

use crate::catalog::{Catalog, GroupKind, Value};
use crate::rules::ast::{CmpOp, TableKind};
use std::collections::{BTreeMap, HashMap};

/// Index of an option in catalog order (groups in order, options in order within a group).
pub type OptionIdx = usize;
/// Index of a group in catalog order.
pub type GroupIdx = usize;

/// Name lookups and attribute values of a catalog, by index.
#[derive(Clone, Debug)]
pub struct Index {
    pub groups: Vec<GroupInfo>,
    /// `group.option` for every option (how rules name it).
    pub names: Vec<String>,
    /// The name printed for every option: `group.option`, or the option's `name` when the
    /// catalog has `feature_names` (imported variability models).
    pub labels: Vec<String>,
    /// Looks up options by label (when different from `group.option`) and by bare option id,
    /// when unique; `None` marks an ambiguous key.
    pub by_alias: HashMap<String, Option<OptionIdx>>,
    pub group_of: Vec<GroupIdx>,
    /// Attribute values of every option, including the implicit `price` and `vendor`.
    pub attrs: Vec<BTreeMap<String, Value>>,
    pub by_name: HashMap<String, OptionIdx>,
    pub group_by_id: HashMap<String, GroupIdx>,
}

#[derive(Clone, Debug)]
pub struct GroupInfo {
    pub id: String,
    pub first: OptionIdx,
    pub len: usize,
    pub min: u32,
    pub max: u32,
    pub kind: GroupKind,
}

impl GroupInfo {
    pub fn options(&self) -> std::ops::Range<OptionIdx> {
        self.first..self.first + self.len
    }
}

impl Index {
    pub fn new(c: &Catalog) -> Index {
        let mut idx = Index {
            groups: Vec::new(),
            names: Vec::new(),
            labels: Vec::new(),
            by_alias: HashMap::new(),
            group_of: Vec::new(),
            attrs: Vec::new(),
            by_name: HashMap::new(),
            group_by_id: HashMap::new(),
        };
        for (gi, g) in c.groups.iter().enumerate() {
            idx.group_by_id.insert(g.id.clone(), gi);
            idx.groups.push(GroupInfo {
                id: g.id.clone(),
                first: idx.names.len(),
                len: g.options.len(),
                min: g.min,
                max: g.max,
                kind: g.kind,
            });
            for o in &g.options {
                let name = format!("{}.{}", g.id, o.id);
                let oi = idx.names.len();
                idx.by_name.insert(name.clone(), oi);
                for alias in [o.id.as_str(), o.label()] {
                    idx.by_alias
                        .entry(alias.to_string())
                        .and_modify(|e| {
                            if *e != Some(oi) {
                                *e = None
                            }
                        })
                        .or_insert(Some(oi));
                }
                idx.labels.push(if c.feature_names {
                    o.label().to_string()
                } else {
                    name.clone()
                });
                idx.names.push(name);
                idx.group_of.push(gi);
                let mut attrs = o.attributes.clone();
                attrs.insert("price".into(), Value::Number(o.price));
                if let Some(v) = &o.vendor {
                    attrs.insert("vendor".into(), Value::Str(v.clone()));
                }
                idx.attrs.push(attrs);
            }
        }
        idx
    }

    pub fn n_options(&self) -> usize {
        self.names.len()
    }

    /// Whether option `o` belongs to a visible group (one the customer decides).
    pub fn is_visible(&self, o: OptionIdx) -> bool {
        self.groups[self.group_of[o]].kind == GroupKind::Visible
    }

    /// The options of visible groups, in order.
    pub fn visible_options(&self) -> Vec<OptionIdx> {
        (0..self.n_options())
            .filter(|o| self.is_visible(*o))
            .collect()
    }

    pub fn attr(&self, option: OptionIdx, name: &str) -> Option<&Value> {
        self.attrs[option].get(name)
    }

    /// Looks up `group.option`.
    pub fn option(&self, name: &str) -> Option<OptionIdx> {
        self.by_name.get(name).copied()
    }

    /// Looks up an option the way people name it: `group.option`, else its printed label or
    /// its bare option id when exactly one option has it.
    pub fn find(&self, name: &str) -> Option<OptionIdx> {
        self.option(name)
            .or_else(|| self.by_alias.get(name).copied().flatten())
    }
}

/// A Boolean formula over option variables.
#[derive(Clone, Debug, PartialEq)]
pub enum Formula {
    Const(bool),
    /// The option is chosen (`true`) or not chosen (`false`).
    Lit(OptionIdx, bool),
    Not(Box<Formula>),
    And(Vec<Formula>),
    Or(Vec<Formula>),
    Iff(Box<Formula>, Box<Formula>),
    Atom(Atom),
}

impl Formula {
    pub fn negate(f: Formula) -> Formula {
        match f {
            Formula::Const(b) => Formula::Const(!b),
            Formula::Lit(o, s) => Formula::Lit(o, !s),
            Formula::Not(inner) => *inner,
            other => Formula::Not(Box::new(other)),
        }
    }

    pub fn implies(a: Formula, b: Formula) -> Formula {
        Formula::Or(vec![Formula::negate(a), b])
    }

    /// At least one option of the group is chosen.
    pub fn any_of(g: &GroupInfo) -> Formula {
        Formula::Or(g.options().map(|o| Formula::Lit(o, true)).collect())
    }
}

/// A comparison that must hold for every combination of chosen options, one from each group in
/// `over` (the groups whose attributes the comparison mentions). No chosen option in such a
/// group, or a chosen option lacking a mentioned attribute, means that combination is not
/// constrained.
#[derive(Clone, Debug, PartialEq)]
pub enum Atom {
    /// `form op 0`.
    Numeric {
        over: Vec<GroupIdx>,
        form: LinearForm,
        op: CmpOp,
    },
    /// `lhs == rhs` (`equal`) or `lhs != rhs` on strings or booleans.
    Scalar {
        over: Vec<GroupIdx>,
        lhs: ScalarTerm,
        rhs: ScalarTerm,
        equal: bool,
    },
}

impl Atom {
    pub fn over(&self) -> &[GroupIdx] {
        match self {
            Atom::Numeric { over, .. } | Atom::Scalar { over, .. } => over,
        }
    }
}

/// `constant + Σ coef·attr(chosen option of group) + Σ coef·[option chosen]`, in millionths.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LinearForm {
    pub constant: i128,
    /// Per-option attribute references: `(coef, group, attribute)`.
    pub attrs: Vec<(i128, GroupIdx, String)>,
    /// Option variables with their coefficients (from `sum` and `count`).
    pub vars: BTreeMap<OptionIdx, i128>,
}

impl LinearForm {
    pub fn constant(c: i128) -> Self {
        LinearForm {
            constant: c,
            ..Default::default()
        }
    }

    pub fn add(mut self, other: LinearForm, sign: i128) -> Self {
        self.constant += sign * other.constant;
        for (c, g, a) in other.attrs {
            self.attrs.push((sign * c, g, a));
        }
        for (o, c) in other.vars {
            *self.vars.entry(o).or_insert(0) += sign * c;
        }
        self.vars.retain(|_, c| *c != 0);
        self
    }

    pub fn scale(mut self, k: i128) -> Self {
        self.constant *= k;
        for t in &mut self.attrs {
            t.0 *= k;
        }
        for c in self.vars.values_mut() {
            *c *= k;
        }
        self.vars.retain(|_, c| *c != 0);
        self
    }

    pub fn is_constant(&self) -> bool {
        self.attrs.is_empty() && self.vars.is_empty()
    }

    /// Substitutes the attribute references with the values of the options in `combo` (one
    /// option per group of `over`, same order). `None` when an option lacks an attribute.
    pub fn instantiate(
        &self,
        index: &Index,
        over: &[GroupIdx],
        combo: &[OptionIdx],
    ) -> Option<(i128, &BTreeMap<OptionIdx, i128>)> {
        let mut constant = self.constant;
        for (coef, g, attr) in &self.attrs {
            let pos = over.iter().position(|x| x == g)?;
            match index.attr(combo[pos], attr) {
                Some(Value::Number(n)) => constant += coef * n.raw() as i128,
                _ => return None,
            }
        }
        Some((constant, &self.vars))
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum ScalarTerm {
    Const(Value),
    /// The attribute of the chosen option of the group.
    Attr(GroupIdx, String),
}

impl ScalarTerm {
    pub fn instantiate<'a>(
        &'a self,
        index: &'a Index,
        over: &[GroupIdx],
        combo: &[OptionIdx],
    ) -> Option<&'a Value> {
        match self {
            ScalarTerm::Const(v) => Some(v),
            ScalarTerm::Attr(g, a) => {
                let pos = over.iter().position(|x| x == g)?;
                index.attr(combo[pos], a)
            }
        }
    }
}

/// A compatibility table over single-choice groups.
#[derive(Clone, Debug, PartialEq)]
pub struct TableConstraint {
    pub kind: TableKind,
    pub columns: Vec<GroupIdx>,
    pub rows: Vec<Vec<TableCell>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TableCell {
    Option(OptionIdx),
    Any,
    Nothing,
}

/// One constraint of the compiled catalog.
#[derive(Clone, Debug, PartialEq)]
pub enum Constraint {
    Formula(Formula),
    Table(TableConstraint),
    /// `min <= chosen options of the group <= max`.
    Cardinality {
        group: GroupIdx,
        min: u32,
        max: u32,
    },
}

/// Where a constraint comes from, for explanations.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    Rule(usize),
    Group(GroupIdx),
}

#[derive(Clone, Debug, PartialEq)]
pub struct ConstraintInfo {
    /// The rule id, or `group:<id>` for a group's cardinality.
    pub id: String,
    pub description: String,
    pub origin: Origin,
    pub body: Constraint,
}

/// Every combination of one option per group (cartesian product), in index order.
pub fn combinations(index: &Index, over: &[GroupIdx]) -> Vec<Vec<OptionIdx>> {
    let mut out = vec![Vec::new()];
    for g in over {
        let mut next = Vec::new();
        for prefix in &out {
            for o in index.groups[*g].options() {
                let mut c = prefix.clone();
                c.push(o);
                next.push(c);
            }
        }
        out = next;
    }
    out
}

/// Number of combinations `combinations` would produce, saturating.
pub fn combination_count(index: &Index, over: &[GroupIdx]) -> usize {
    over.iter()
        .fold(1usize, |acc, g| acc.saturating_mul(index.groups[*g].len))
}

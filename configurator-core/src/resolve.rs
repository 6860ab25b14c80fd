//! Name resolution and type checking: rule syntax trees become [`Constraint`]s.
//!
//! This is where "unknown option cpu.i9; did you mean cpu.i9_14900k?", "cannot compare a
//! string with a number" and "cannot add W and mm" come from. Every error carries the span of
//! the offending text so callers can point at a line and column.

use crate::catalog::{AttrType, Catalog, TableDef, Value};
use crate::diagnostic::{did_you_mean, suggest};
use crate::ir::{
    Atom, Constraint, ConstraintInfo, Formula, GroupIdx, Index, LinearForm, Origin, ScalarTerm,
    TableCell, TableConstraint,
};
use crate::number::SCALE;
use crate::rules::ast::{
    ArithOp, Cell, CmpOp, Expr, ExprKind, Ident, LogicOp, Path, RuleBody, Span, Table, TableKind,
};
use std::collections::BTreeMap;

/// A semantic error at a span of the rule text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolveError {
    pub code: &'static str,
    pub message: String,
    pub span: Span,
}

fn err<T>(code: &'static str, span: Span, message: impl Into<String>) -> Result<T, ResolveError> {
    Err(ResolveError {
        code,
        message: message.into(),
        span,
    })
}

/// Type and unit of every attribute, from declarations and values.
#[derive(Clone, Debug)]
pub struct AttrTypes {
    pub types: BTreeMap<String, (AttrType, Option<String>)>,
}

impl AttrTypes {
    pub fn new(c: &Catalog) -> Self {
        let mut types = BTreeMap::new();
        types.insert(
            "price".to_string(),
            (AttrType::Number, Some(c.currency.clone())),
        );
        types.insert("vendor".to_string(), (AttrType::String, None));
        for (name, d) in &c.attributes {
            types.insert(name.clone(), (d.ty, d.unit.clone()));
        }
        for g in &c.groups {
            for o in &g.options {
                for (name, v) in &o.attributes {
                    types.entry(name.clone()).or_insert((v.ty(), None));
                }
            }
        }
        AttrTypes { types }
    }
}

/// Resolves rules against one catalog.
pub struct Resolver<'a> {
    pub index: &'a Index,
    pub types: &'a AttrTypes,
}

/// What an expression turned out to be.
enum Typed {
    Bool(Formula),
    /// A bare group name: "some option chosen" in a condition, or the left side of
    /// `group == option`.
    Group(GroupIdx),
    Num(NumTerm),
    Scalar(ScalarTerm, AttrType),
}

struct NumTerm {
    form: LinearForm,
    unit: Option<String>,
}

impl Resolver<'_> {
    /// Resolves a parsed rule body.
    pub fn rule(&self, body: &RuleBody) -> Result<Constraint, ResolveError> {
        match body {
            RuleBody::Expr(e) => Ok(Constraint::Formula(self.condition(e)?)),
            RuleBody::Table(t) => Ok(Constraint::Table(self.table(t)?)),
        }
    }

    fn group(&self, ident: &Ident) -> Result<GroupIdx, ResolveError> {
        match self.index.group_by_id.get(&ident.name) {
            Some(g) => Ok(*g),
            None => {
                let hint = did_you_mean(&suggest(
                    &ident.name,
                    self.index.groups.iter().map(|g| g.id.as_str()),
                ));
                err(
                    "unknown-group",
                    ident.span,
                    format!("unknown group {}{hint}", ident.name),
                )
            }
        }
    }

    /// "unknown option g.x; did you mean g.y?" with suggestions from the group's options.
    fn unknown_option(&self, g: GroupIdx, full: &str, span: Span) -> ResolveError {
        let names: Vec<&str> = self.index.groups[g]
            .options()
            .map(|x| self.index.names[x].as_str())
            .collect();
        let hint = did_you_mean(&suggest(full, names));
        ResolveError {
            code: "unknown-option",
            message: format!("unknown option {full}{hint}"),
            span,
        }
    }

    /// Attribute names present on at least one option of the group.
    fn group_attrs(&self, g: GroupIdx) -> Vec<&str> {
        let mut names: Vec<&str> = self.index.groups[g]
            .options()
            .flat_map(|o| self.index.attrs[o].keys().map(|k| k.as_str()))
            .collect();
        names.push("price");
        names.sort_unstable();
        names.dedup();
        names
    }

    fn condition(&self, e: &Expr) -> Result<Formula, ResolveError> {
        let typed = self.expr(e)?;
        self.as_formula(typed, e.span)
    }

    fn as_formula(&self, t: Typed, span: Span) -> Result<Formula, ResolveError> {
        match t {
            Typed::Bool(f) => Ok(f),
            Typed::Group(g) => Ok(Formula::any_of(&self.index.groups[g])),
            Typed::Scalar(term, AttrType::Bool) => Ok(scalar_atom(
                term,
                ScalarTerm::Const(Value::Bool(true)),
                true,
            )),
            Typed::Scalar(_, ty) => err(
                "type-mismatch",
                span,
                format!(
                    "expected a condition, found a {}; compare it with == or !=",
                    ty.word()
                ),
            ),
            Typed::Num(_) => err(
                "type-mismatch",
                span,
                "expected a condition, found a number; compare it with <=, >= or ==",
            ),
        }
    }

    fn number(&self, e: &Expr) -> Result<NumTerm, ResolveError> {
        match self.expr(e)? {
            Typed::Num(n) => Ok(n),
            Typed::Scalar(_, ty) => err(
                "type-mismatch",
                e.span,
                format!("expected a number, found a {}", ty.word()),
            ),
            Typed::Group(g) => err(
                "type-mismatch",
                e.span,
                format!(
                    "expected a number, found the group {}; use count({}) for the number of chosen options",
                    self.index.groups[g].id, self.index.groups[g].id
                ),
            ),
            Typed::Bool(_) => err("type-mismatch", e.span, "expected a number, found a condition"),
        }
    }

    fn expr(&self, e: &Expr) -> Result<Typed, ResolveError> {
        match &e.kind {
            ExprKind::Bool(b) => Ok(Typed::Bool(Formula::Const(*b))),
            ExprKind::Number(n) => Ok(Typed::Num(NumTerm {
                form: LinearForm::constant(n.raw() as i128),
                unit: None,
            })),
            ExprKind::Str(s) => Ok(Typed::Scalar(
                ScalarTerm::Const(Value::Str(s.clone())),
                AttrType::String,
            )),
            ExprKind::Path(p) => self.path(p),
            ExprKind::Not(x) => Ok(Typed::Bool(Formula::negate(self.condition(x)?))),
            ExprKind::Neg(x) => {
                let n = self.number(x)?;
                Ok(Typed::Num(NumTerm {
                    form: n.form.scale(-1),
                    unit: n.unit,
                }))
            }
            ExprKind::Logic(op, a, b) => {
                let fa = self.condition(a)?;
                let fb = self.condition(b)?;
                Ok(Typed::Bool(match op {
                    LogicOp::And => Formula::And(vec![fa, fb]),
                    LogicOp::Or => Formula::Or(vec![fa, fb]),
                    LogicOp::Implies | LogicOp::Requires => Formula::implies(fa, fb),
                    LogicOp::Excludes => {
                        Formula::Or(vec![Formula::negate(fa), Formula::negate(fb)])
                    }
                    LogicOp::Iff => Formula::Iff(Box::new(fa), Box::new(fb)),
                }))
            }
            ExprKind::If(c, t, e2) => {
                let fc = self.condition(c)?;
                let ft = self.condition(t)?;
                let mut parts = vec![Formula::implies(fc.clone(), ft)];
                if let Some(e2) = e2 {
                    parts.push(Formula::Or(vec![fc, self.condition(e2)?]));
                }
                Ok(Typed::Bool(Formula::And(parts)))
            }
            ExprKind::Compare(op, a, b) => self.compare(*op, a, b, e.span),
            ExprKind::Arith(op, a, b) => {
                let na = self.number(a)?;
                let nb = self.number(b)?;
                match op {
                    ArithOp::Add | ArithOp::Sub => {
                        let unit = self.join_units(&na.unit, &nb.unit, e.span, "add")?;
                        let sign = if *op == ArithOp::Add { 1 } else { -1 };
                        Ok(Typed::Num(NumTerm {
                            form: na.form.add(nb.form, sign),
                            unit,
                        }))
                    }
                    ArithOp::Mul => {
                        let (k, other) = match (whole_constant(&na.form), whole_constant(&nb.form)) {
                            (Some(k), _) => (k, nb),
                            (None, Some(k)) => (k, na),
                            (None, None) => {
                                return err(
                                    "nonlinear",
                                    e.span,
                                    "multiplication needs a whole number on one side (rules must stay linear)",
                                )
                            }
                        };
                        Ok(Typed::Num(NumTerm {
                            form: other.form.scale(k),
                            unit: other.unit,
                        }))
                    }
                }
            }
            ExprKind::Sum(p) => self.sum(p),
            ExprKind::Count(paths) => {
                let mut form = LinearForm::default();
                for p in paths {
                    match self.path(p)? {
                        Typed::Group(g) => {
                            for o in self.index.groups[g].options() {
                                *form.vars.entry(o).or_insert(0) += SCALE as i128;
                            }
                        }
                        Typed::Bool(Formula::Lit(o, true)) => {
                            *form.vars.entry(o).or_insert(0) += SCALE as i128;
                        }
                        _ => {
                            return err(
                                "type-mismatch",
                                p.span,
                                format!(
                                    "count() takes groups and options; {} is neither",
                                    p.dotted()
                                ),
                            )
                        }
                    }
                }
                Ok(Typed::Num(NumTerm { form, unit: None }))
            }
        }
    }

    fn join_units(
        &self,
        a: &Option<String>,
        b: &Option<String>,
        span: Span,
        verb: &str,
    ) -> Result<Option<String>, ResolveError> {
        match (a, b) {
            (Some(x), Some(y)) if x != y => {
                err("unit-mismatch", span, format!("cannot {verb} {x} and {y}"))
            }
            (Some(x), _) | (_, Some(x)) => Ok(Some(x.clone())),
            _ => Ok(None),
        }
    }

    fn sum(&self, p: &Path) -> Result<Typed, ResolveError> {
        // `single`: the one group of `sum(group.attr)`.
        let (groups, single, attr): (Vec<GroupIdx>, Option<GroupIdx>, &Ident) =
            match p.segments.as_slice() {
            [a] => ((0..self.index.groups.len()).collect(), None, a),
            [g, a] => {
                let gi = self.group(g)?;
                (vec![gi], Some(gi), a)
            }
            _ => {
                return err(
                    "bad-reference",
                    p.span,
                    "sum() takes an attribute (`sum(power_w)`) or a group's attribute (`sum(gpu.power_w)`)",
                )
            }
        };
        let Some((ty, unit)) = self.types.types.get(&attr.name) else {
            let hint = did_you_mean(&suggest(
                &attr.name,
                self.types.types.keys().map(|k| k.as_str()),
            ));
            return err(
                "unknown-attribute",
                attr.span,
                format!("unknown attribute {}{hint}", attr.name),
            );
        };
        if *ty != AttrType::Number {
            return err(
                "type-mismatch",
                attr.span,
                format!(
                    "sum() needs a number attribute; {} is a {}",
                    attr.name,
                    ty.word()
                ),
            );
        }
        let mut form = LinearForm::default();
        for g in groups {
            for o in self.index.groups[g].options() {
                if let Some(Value::Number(n)) = self.index.attr(o, &attr.name) {
                    if n.raw() != 0 {
                        *form.vars.entry(o).or_insert(0) += n.raw() as i128;
                    }
                }
            }
        }
        if let (Some(g), true) = (single, form.vars.is_empty()) {
            if !self.group_attrs(g).contains(&attr.name.as_str()) {
                return err(
                    "unknown-attribute",
                    attr.span,
                    format!(
                        "no option of group {} has attribute {}",
                        self.index.groups[g].id, attr.name
                    ),
                );
            }
        }
        Ok(Typed::Num(NumTerm {
            form,
            unit: unit.clone(),
        }))
    }

    fn path(&self, p: &Path) -> Result<Typed, ResolveError> {
        match p.segments.as_slice() {
            [g] => {
                if let Some(gi) = self.index.group_by_id.get(&g.name) {
                    return Ok(Typed::Group(*gi));
                }
                // Perhaps an option written without its group.
                let owners: Vec<&str> = self
                    .index
                    .names
                    .iter()
                    .filter(|n| n.split_once('.').is_some_and(|(_, o)| o == g.name))
                    .map(|n| n.as_str())
                    .collect();
                if !owners.is_empty() {
                    return err(
                        "unknown-group",
                        g.span,
                        format!(
                            "{} is an option, not a group; write it with its group: {}",
                            g.name,
                            owners.join(" or ")
                        ),
                    );
                }
                self.group(g).map(Typed::Group)
            }
            [g, x] => {
                let gi = self.group(g)?;
                let full = format!("{}.{}", g.name, x.name);
                if let Some(o) = self.index.option(&full) {
                    return Ok(Typed::Bool(Formula::Lit(o, true)));
                }
                let attrs = self.group_attrs(gi);
                if attrs.contains(&x.name.as_str()) {
                    let (ty, unit) = self.types.types[&x.name].clone();
                    let term = ScalarTerm::Attr(gi, x.name.clone());
                    return Ok(match ty {
                        AttrType::Number => Typed::Num(NumTerm {
                            form: LinearForm {
                                attrs: vec![(1, gi, x.name.clone())],
                                ..Default::default()
                            },
                            unit,
                        }),
                        ty => Typed::Scalar(term, ty),
                    });
                }
                let group = &self.index.groups[gi];
                let mut candidates: Vec<String> = group
                    .options()
                    .map(|o| self.index.names[o].clone())
                    .collect();
                candidates.extend(attrs.iter().map(|a| format!("{}.{a}", g.name)));
                let hint = did_you_mean(&suggest(&full, candidates.iter().map(|s| s.as_str())));
                err(
                    "unknown-option",
                    p.span,
                    format!("unknown option or attribute {full}{hint}"),
                )
            }
            _ => err(
                "bad-reference",
                p.span,
                format!(
                    "{} has too many parts; write group.option or group.attribute",
                    p.dotted()
                ),
            ),
        }
    }

    fn compare(&self, op: CmpOp, a: &Expr, b: &Expr, span: Span) -> Result<Typed, ResolveError> {
        // `material == suede`: a group compared with one of its options by bare name.
        if matches!(op, CmpOp::Eq | CmpOp::Ne) {
            for (g, o) in [(a, b), (b, a)] {
                if let (Some(gname), Some(oname)) = (single(g), single(o)) {
                    if let Some(gi) = self.index.group_by_id.get(gname) {
                        let full = format!("{gname}.{oname}");
                        if let Some(opt) = self.index.option(&full) {
                            return Ok(Typed::Bool(Formula::Lit(opt, op == CmpOp::Eq)));
                        }
                        if !self.index.group_by_id.contains_key(oname) {
                            return Err(self.unknown_option(*gi, &full, o.span));
                        }
                    }
                }
            }
        }
        let ta = self.expr(a)?;
        let tb = self.expr(b)?;
        match (ta, tb) {
            (Typed::Num(x), Typed::Num(y)) => {
                self.join_units(&x.unit, &y.unit, span, "compare")?;
                let form = x.form.add(y.form, -1);
                let over = groups_of(&form);
                Ok(Typed::Bool(Formula::Atom(Atom::Numeric { over, form, op })))
            }
            (Typed::Scalar(x, tx), Typed::Scalar(y, ty)) => {
                if tx != ty {
                    return err(
                        "type-mismatch",
                        span,
                        format!("cannot compare a {} with a {}", tx.word(), ty.word()),
                    );
                }
                let equal = match op {
                    CmpOp::Eq => true,
                    CmpOp::Ne => false,
                    _ => {
                        return err(
                            "type-mismatch",
                            span,
                            format!("a {} can only be compared with == or !=", tx.word()),
                        )
                    }
                };
                Ok(Typed::Bool(scalar_atom(x, y, equal)))
            }
            (Typed::Scalar(x, AttrType::Bool), Typed::Bool(Formula::Const(c)))
            | (Typed::Bool(Formula::Const(c)), Typed::Scalar(x, AttrType::Bool))
                if matches!(op, CmpOp::Eq | CmpOp::Ne) =>
            {
                Ok(Typed::Bool(scalar_atom(
                    x,
                    ScalarTerm::Const(Value::Bool(c)),
                    op == CmpOp::Eq,
                )))
            }
            (x @ (Typed::Bool(_) | Typed::Group(_)), y @ (Typed::Bool(_) | Typed::Group(_)))
                if matches!(op, CmpOp::Eq | CmpOp::Ne) =>
            {
                let fx = self.as_formula(x, a.span)?;
                let fy = self.as_formula(y, b.span)?;
                let iff = Formula::Iff(Box::new(fx), Box::new(fy));
                Ok(Typed::Bool(if op == CmpOp::Eq {
                    iff
                } else {
                    Formula::negate(iff)
                }))
            }
            (x, y) => err(
                "type-mismatch",
                span,
                format!("cannot compare {} with {}", describe(&x), describe(&y)),
            ),
        }
    }

    fn table(&self, t: &Table) -> Result<TableConstraint, ResolveError> {
        let mut columns = Vec::new();
        for c in &t.columns {
            let g = self.group(c)?;
            if self.index.groups[g].max > 1 {
                return err(
                    "bad-table",
                    c.span,
                    format!(
                        "table column {} allows up to {} chosen options; tables need groups with at most one",
                        c.name, self.index.groups[g].max
                    ),
                );
            }
            if columns.contains(&g) {
                return err(
                    "bad-table",
                    c.span,
                    format!("column {} appears twice", c.name),
                );
            }
            columns.push(g);
        }
        if columns.is_empty() {
            return err("bad-table", t.span, "a table needs at least one column");
        }
        let mut rows = Vec::new();
        for (ri, row) in t.rows.iter().enumerate() {
            if row.len() != columns.len() {
                let span = row
                    .iter()
                    .map(cell_span)
                    .reduce(Span::join)
                    .unwrap_or(t.span);
                return err(
                    "bad-table",
                    span,
                    format!(
                        "row {} has {} values but the table has {} columns",
                        ri + 1,
                        row.len(),
                        columns.len()
                    ),
                );
            }
            let mut cells = Vec::new();
            for (cell, g) in row.iter().zip(&columns) {
                cells.push(match cell {
                    Cell::Any(_) => TableCell::Any,
                    Cell::Nothing(_) => TableCell::Nothing,
                    Cell::Option(id) => {
                        let gid = &self.index.groups[*g].id;
                        let full = format!("{gid}.{}", id.name);
                        match self.index.option(&full) {
                            Some(o) => TableCell::Option(o),
                            None => return Err(self.unknown_option(*g, &full, id.span)),
                        }
                    }
                });
            }
            rows.push(cells);
        }
        Ok(TableConstraint {
            kind: t.kind,
            columns,
            rows,
        })
    }
}

fn cell_span(c: &Cell) -> Span {
    match c {
        Cell::Option(i) => i.span,
        Cell::Any(s) | Cell::Nothing(s) => *s,
    }
}

fn single(e: &Expr) -> Option<&str> {
    match &e.kind {
        ExprKind::Path(p) if p.segments.len() == 1 => Some(&p.segments[0].name),
        _ => None,
    }
}

fn describe(t: &Typed) -> &'static str {
    match t {
        Typed::Bool(_) => "a condition",
        Typed::Group(_) => "a group",
        Typed::Num(_) => "a number",
        Typed::Scalar(_, AttrType::String) => "a string",
        Typed::Scalar(_, AttrType::Bool) => "a boolean",
        Typed::Scalar(_, AttrType::Number) => "a number",
    }
}

fn whole_constant(f: &LinearForm) -> Option<i128> {
    if f.is_constant() && f.constant % SCALE as i128 == 0 {
        Some(f.constant / SCALE as i128)
    } else {
        None
    }
}

fn groups_of(form: &LinearForm) -> Vec<GroupIdx> {
    let mut gs: Vec<GroupIdx> = form.attrs.iter().map(|(_, g, _)| *g).collect();
    gs.sort_unstable();
    gs.dedup();
    gs
}

fn scalar_atom(lhs: ScalarTerm, rhs: ScalarTerm, equal: bool) -> Formula {
    let mut over: Vec<GroupIdx> = [&lhs, &rhs]
        .iter()
        .filter_map(|t| match t {
            ScalarTerm::Attr(g, _) => Some(*g),
            ScalarTerm::Const(_) => None,
        })
        .collect();
    over.sort_unstable();
    over.dedup();
    if let (ScalarTerm::Const(a), ScalarTerm::Const(b)) = (&lhs, &rhs) {
        return Formula::Const((a == b) == equal);
    }
    Formula::Atom(Atom::Scalar {
        over,
        lhs,
        rhs,
        equal,
    })
}

/// Turns a TOML/JSON table into the same syntax tree the rule language produces.
pub fn table_from_def(t: &TableDef) -> Table {
    let (kind, rows) = match (&t.allowed, &t.forbidden) {
        (Some(r), _) => (TableKind::Allowed, r),
        (None, Some(r)) => (TableKind::Forbidden, r),
        (None, None) => (TableKind::Allowed, &Vec::new() as &Vec<Vec<String>>),
    };
    let ident = |s: &str| Ident {
        name: s.to_string(),
        span: Span::default(),
    };
    Table {
        kind,
        columns: t.groups.iter().map(|g| ident(g)).collect(),
        rows: rows
            .iter()
            .map(|r| {
                r.iter()
                    .map(|c| match c.as_str() {
                        "*" => Cell::Any(Span::default()),
                        "-" => Cell::Nothing(Span::default()),
                        other => Cell::Option(ident(other)),
                    })
                    .collect()
            })
            .collect(),
        span: Span::default(),
    }
}

/// The constraints every catalog has besides its rules: group cardinalities.
pub fn cardinality_constraints(c: &Catalog, index: &Index) -> Vec<ConstraintInfo> {
    index
        .groups
        .iter()
        .enumerate()
        .map(|(gi, g)| {
            let name = if c.groups[gi].name.is_empty() {
                g.id.clone()
            } else {
                c.groups[gi].name.clone()
            };
            let description = match (g.min, g.max) {
                (1, 1) => format!("{name}: choose exactly one"),
                (0, 1) => format!("{name}: choose at most one"),
                (a, b) if a == b => format!("{name}: choose exactly {a}"),
                (0, b) => format!("{name}: choose at most {b}"),
                (a, b) => format!("{name}: choose between {a} and {b}"),
            };
            ConstraintInfo {
                id: format!("group:{}", g.id),
                description,
                origin: Origin::Group(gi),
                body: Constraint::Cardinality {
                    group: gi,
                    min: g.min,
                    max: g.max,
                },
            }
        })
        .collect()
}

//! Direct evaluation of constraints on a concrete selection: the independent validity check.
//!
//! Nothing here shares code with the SAT encoding. The solver's answers (domains, completions)
//! are verified against this interpreter in tests, and every product the configurator offers
//! can be re-checked with [`violations`].

use crate::ir::{
    combinations, Atom, Constraint, ConstraintInfo, Formula, Index, OptionIdx, TableCell,
    TableConstraint,
};
use crate::rules::ast::{CmpOp, TableKind};

/// Whether the constraint holds when exactly the options with `chosen[o] == true` are chosen.
pub fn holds(index: &Index, c: &Constraint, chosen: &[bool]) -> bool {
    match c {
        Constraint::Formula(f) => formula(index, f, chosen),
        Constraint::Table(t) => table(index, t, chosen),
        Constraint::Cardinality { group, min, max } => {
            let n = index.groups[*group]
                .options()
                .filter(|o| chosen[*o])
                .count() as u32;
            *min <= n && n <= *max
        }
    }
}

/// The ids of the constraints a selection violates (empty: a valid product).
pub fn violations<'a>(
    index: &Index,
    constraints: &'a [ConstraintInfo],
    chosen: &[bool],
) -> Vec<&'a str> {
    constraints
        .iter()
        .filter(|c| !holds(index, &c.body, chosen))
        .map(|c| c.id.as_str())
        .collect()
}

pub fn formula(index: &Index, f: &Formula, chosen: &[bool]) -> bool {
    match f {
        Formula::Const(b) => *b,
        Formula::Lit(o, s) => chosen[*o] == *s,
        Formula::Not(x) => !formula(index, x, chosen),
        Formula::And(xs) => xs.iter().all(|x| formula(index, x, chosen)),
        Formula::Or(xs) => xs.iter().any(|x| formula(index, x, chosen)),
        Formula::Iff(a, b) => formula(index, a, chosen) == formula(index, b, chosen),
        Formula::Atom(a) => atom(index, a, chosen),
    }
}

fn atom(index: &Index, a: &Atom, chosen: &[bool]) -> bool {
    let over = a.over();
    // Only combinations of chosen options matter.
    combinations(index, over)
        .into_iter()
        .filter(|combo| combo.iter().all(|o| chosen[*o]))
        .all(|combo| match a {
            Atom::Numeric { form, op, .. } => match form.instantiate(index, over, &combo) {
                None => true,
                Some((constant, vars)) => {
                    let value = constant
                        + vars
                            .iter()
                            .filter(|(o, _)| chosen[**o])
                            .map(|(_, c)| *c)
                            .sum::<i128>();
                    compare(value, *op)
                }
            },
            Atom::Scalar {
                lhs, rhs, equal, ..
            } => {
                match (
                    lhs.instantiate(index, over, &combo),
                    rhs.instantiate(index, over, &combo),
                ) {
                    (Some(l), Some(r)) => (l == r) == *equal,
                    _ => true,
                }
            }
        })
}

fn compare(value: i128, op: CmpOp) -> bool {
    match op {
        CmpOp::Eq => value == 0,
        CmpOp::Ne => value != 0,
        CmpOp::Lt => value < 0,
        CmpOp::Le => value <= 0,
        CmpOp::Gt => value > 0,
        CmpOp::Ge => value >= 0,
    }
}

fn table(index: &Index, t: &TableConstraint, chosen: &[bool]) -> bool {
    // A table requires at most one chosen option per column (on its own, independent of the
    // group's cardinality), then compares the chosen option of each column, or none.
    if t.columns
        .iter()
        .any(|g| index.groups[*g].options().filter(|o| chosen[*o]).count() > 1)
    {
        return false;
    }
    let values: Vec<Option<OptionIdx>> = t
        .columns
        .iter()
        .map(|g| index.groups[*g].options().find(|o| chosen[*o]))
        .collect();
    let matches = |row: &Vec<TableCell>| {
        row.iter().zip(&values).all(|(cell, v)| match cell {
            TableCell::Any => true,
            TableCell::Nothing => v.is_none(),
            TableCell::Option(o) => *v == Some(*o),
        })
    };
    let any = t.rows.iter().any(matches);
    match t.kind {
        TableKind::Allowed => any,
        TableKind::Forbidden => !any,
    }
}

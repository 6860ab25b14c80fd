//! Compilation of constraints to CNF: one Boolean variable per option, plus auxiliary
//! variables.
//!
//! - Boolean structure: Tseitin encoding (definitional clauses for nested sub-formulas), with
//!   top-level conjunctions and disjunctions asserted directly.
//! - Attribute comparisons: expanded over the combinations of options they range over; each
//!   combination gives a clause or a pseudo-Boolean (PB) constraint guarded by it.
//! - PB constraints (`sum(power_w) + 100 <= psu.watts`): generalized totalizer encoding (Joshi,
//!   Martins, Manquinho 2015) from rustsat, one encoding per distinct weighted sum, shared by all
//!   the bounds that use it.
//! - Cardinalities: pairwise at-most-one for small groups, totalizer otherwise.
//! - Tables: one selector variable per allowed row, with support clauses so that unit
//!   propagation sees which rows remain (Bacchus 2007, "GAC via unit propagation"); allowed
//!   tables over two groups use the support encoding instead, without row variables.
//!
//! Every clause is tagged with the constraint it belongs to (or none, for the shared PB
//! encodings, which on their own allow every assignment of the options). The solver can then
//! guard each constraint with a selector literal, which is how conflicts and explanations name
//! rules.

use crate::gac::TableCsp;
use crate::ir::{
    combination_count, combinations, Atom, Constraint, ConstraintInfo, Formula, Index, OptionIdx,
    ScalarTerm, TableCell, TableConstraint,
};
use crate::rules::ast::{CmpOp, TableKind};
use rustsat::encodings::card::{self, BoundLower as _, BoundUpper as _};
use rustsat::encodings::pb::{
    BoundLower as _, BoundLowerIncremental as _, BoundUpper as _, BoundUpperIncremental as _,
    DoubleGeneralizedTotalizer,
};
use rustsat::instances::{BasicVarManager, Cnf as RsCnf, ManageVars};
use rustsat::types::{Lit, Var};
use std::collections::HashMap;
use std::sync::Arc;

/// Limits that keep a pathological catalog from exhausting memory during compilation.
#[derive(Clone, Copy, Debug)]
pub struct CompileLimits {
    /// Combinations one comparison may range over.
    pub max_combinations: usize,
    /// Clauses in the whole CNF.
    pub max_clauses: usize,
}

impl Default for CompileLimits {
    fn default() -> Self {
        CompileLimits {
            max_combinations: 1_000_000,
            max_clauses: 10_000_000,
        }
    }
}

/// The compiled catalog: clauses over option variables `0..n_options` and auxiliary
/// variables `n_options..n_vars`.
#[derive(Clone, Debug)]
pub struct Cnf {
    pub n_options: usize,
    pub n_vars: usize,
    pub clauses: Vec<Vec<Lit>>,
    /// For each clause, the constraint it encodes; `None` for shared definitional clauses.
    pub owner: Vec<Option<u32>>,
    /// Linear constraints kept as such ([`PbEncoding::Linear`] only; empty otherwise).
    pub linear: Vec<LinearRow>,
    /// The finite-domain view when every constraint is a table over single-choice groups
    /// ([`PbEncoding::Totalizer`] only; see [`crate::gac`]).
    pub csp: Option<Arc<TableCsp>>,
}

/// How pseudo-Boolean constraints (sums, cardinalities above one) are encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PbEncoding {
    /// As clauses (totalizers), for the SAT solver.
    Totalizer,
    /// As [`LinearRow`]s guarded by a literal, for the mixed-integer model: a MILP solver
    /// handles sums natively, and their LP relaxation is what makes branch and bound prune.
    Linear,
}

/// `guard → Σ w·l <= bound` (or `>= bound` when `lower`); no guard: always.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinearRow {
    pub guard: Option<Lit>,
    pub terms: Vec<(Lit, usize)>,
    pub bound: usize,
    pub lower: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompileError {
    /// The constraint id (rule id or `group:<id>`).
    pub constraint: String,
    pub message: String,
}

/// The literal "option `o` is chosen".
pub fn option_lit(o: OptionIdx) -> Lit {
    Var::new(o as u32).pos_lit()
}

struct Encoder<'a> {
    index: &'a Index,
    limits: CompileLimits,
    vars: BasicVarManager,
    clauses: Vec<Vec<Lit>>,
    owner: Vec<Option<u32>>,
    tag: Option<u32>,
    true_lit: Option<Lit>,
    /// One totalizer per normalised weighted sum.
    totalizers: HashMap<Vec<(Lit, usize)>, DoubleGeneralizedTotalizer>,
    pb: PbEncoding,
    linear: Vec<LinearRow>,
    error: Option<String>,
}

/// `Σ w·l <= ub` over positive weights, or a constant truth value.
enum LinearLe {
    Const(bool),
    Pb(Vec<(Lit, usize)>, usize),
}

/// Compiles all constraints for the SAT solver. Fails only on resource limits.
pub fn compile(
    index: &Index,
    constraints: &[ConstraintInfo],
    limits: CompileLimits,
) -> Result<Cnf, CompileError> {
    compile_with(index, constraints, limits, PbEncoding::Totalizer)
}

/// Compiles all constraints with the chosen encoding of linear constraints.
pub fn compile_with(
    index: &Index,
    constraints: &[ConstraintInfo],
    limits: CompileLimits,
    pb: PbEncoding,
) -> Result<Cnf, CompileError> {
    let n_options = index.n_options();
    let mut enc = Encoder {
        index,
        limits,
        vars: BasicVarManager::from_next_free(Var::new(n_options as u32)),
        clauses: Vec::new(),
        owner: Vec::new(),
        tag: None,
        true_lit: None,
        totalizers: HashMap::new(),
        pb,
        linear: Vec::new(),
        error: None,
    };
    for (ci, c) in constraints.iter().enumerate() {
        enc.tag = Some(ci as u32);
        match &c.body {
            Constraint::Cardinality { group, min, max } => {
                let lits: Vec<Lit> = index.groups[*group].options().map(option_lit).collect();
                enc.cardinality(&lits, *min as usize, *max as usize);
            }
            Constraint::Table(t) => enc.table(t),
            Constraint::Formula(f) => enc.assert(f),
        }
        if let Some(message) = enc.error.take() {
            return Err(CompileError {
                constraint: c.id.clone(),
                message,
            });
        }
        if enc.clauses.len() > limits.max_clauses {
            return Err(CompileError {
                constraint: c.id.clone(),
                message: format!(
                    "the catalog compiles to more than {} clauses",
                    limits.max_clauses
                ),
            });
        }
    }
    let n_vars = enc.vars.n_used() as usize;
    let csp = match pb {
        PbEncoding::Totalizer => TableCsp::new(index, constraints).map(Arc::new),
        PbEncoding::Linear => None,
    };
    Ok(Cnf {
        n_options,
        n_vars: n_vars.max(n_options),
        clauses: enc.clauses,
        owner: enc.owner,
        linear: enc.linear,
        csp,
    })
}

impl Encoder<'_> {
    fn clause(&mut self, c: Vec<Lit>) {
        self.clauses.push(c);
        self.owner.push(self.tag);
    }

    fn fresh(&mut self) -> Lit {
        self.vars.new_var().pos_lit()
    }

    fn true_lit(&mut self) -> Lit {
        if let Some(t) = self.true_lit {
            return t;
        }
        let t = self.fresh();
        let tag = self.tag.take();
        self.clause(vec![t]);
        self.tag = tag;
        self.true_lit = Some(t);
        t
    }

    /// Adds clauses produced by a rustsat encoder, tagged with `tag`.
    fn absorb(&mut self, cnf: RsCnf, tag: Option<u32>) {
        let saved = self.tag;
        self.tag = tag;
        for cl in cnf {
            self.clause(cl.iter().copied().collect());
        }
        self.tag = saved;
    }

    fn cardinality(&mut self, lits: &[Lit], min: usize, max: usize) {
        if min > lits.len() {
            self.clause(vec![]);
            return;
        }
        if self.pb == PbEncoding::Linear && (min > 1 || (max > 0 && max < lits.len())) {
            let terms: Vec<(Lit, usize)> = lits.iter().map(|l| (*l, 1)).collect();
            if min > 0 {
                self.linear.push(LinearRow {
                    guard: None,
                    terms: terms.clone(),
                    bound: min,
                    lower: true,
                });
            }
            if max < lits.len() {
                self.linear.push(LinearRow {
                    guard: None,
                    terms,
                    bound: max,
                    lower: false,
                });
            }
            return;
        }
        if min == 1 {
            self.clause(lits.to_vec());
        } else if min > 1 {
            self.card(card::Totalizer::from_iter(lits.iter().copied()), min, true);
        }
        if max >= lits.len() {
            return;
        }
        if max == 0 {
            for l in lits {
                self.clause(vec![!*l]);
            }
        } else if max == 1 && lits.len() <= 8 {
            for i in 0..lits.len() {
                for j in i + 1..lits.len() {
                    self.clause(vec![!lits[i], !lits[j]]);
                }
            }
        } else {
            self.card(card::Totalizer::from_iter(lits.iter().copied()), max, false);
        }
    }

    fn card(&mut self, mut tot: card::Totalizer, bound: usize, lower: bool) {
        let mut cnf = RsCnf::new();
        let units = if lower {
            tot.encode_lb(bound..=bound, &mut cnf, &mut self.vars)
                .map_err(|_| ())
                .and_then(|_| tot.enforce_lb(bound).map_err(|_| ()))
        } else {
            tot.encode_ub(bound..=bound, &mut cnf, &mut self.vars)
                .map_err(|_| ())
                .and_then(|_| tot.enforce_ub(bound).map_err(|_| ()))
        };
        let tag = self.tag;
        self.absorb(cnf, tag);
        match units {
            Ok(units) => {
                for u in units {
                    self.clause(vec![u]);
                }
            }
            Err(()) => self.clause(vec![]),
        }
    }

    fn table(&mut self, t: &TableConstraint) {
        let index = self.index;
        // A table's own meaning includes "at most one chosen option per column", so that it
        // means the same with or without the group cardinality (e.g. inside conflict search).
        for g in &t.columns {
            let lits: Vec<Lit> = index.groups[*g].options().map(option_lit).collect();
            self.cardinality(&lits, 0, 1);
        }
        match t.kind {
            TableKind::Forbidden => {
                for row in &t.rows {
                    let mut cl = Vec::new();
                    for (cell, g) in row.iter().zip(&t.columns) {
                        match cell {
                            TableCell::Any => {}
                            TableCell::Option(o) => cl.push(!option_lit(*o)),
                            TableCell::Nothing => {
                                cl.extend(index.groups[*g].options().map(option_lit))
                            }
                        }
                    }
                    self.clause(cl);
                }
            }
            TableKind::Allowed if t.columns.len() == 2 && t.columns[0] != t.columns[1] => {
                self.binary_table(t)
            }
            TableKind::Allowed => {
                let selectors: Vec<Lit> = t.rows.iter().map(|_| self.fresh()).collect();
                self.clause(selectors.clone());
                for (row, r) in t.rows.iter().zip(&selectors) {
                    for (cell, g) in row.iter().zip(&t.columns) {
                        match cell {
                            TableCell::Any => {}
                            TableCell::Option(o) => self.clause(vec![!*r, option_lit(*o)]),
                            TableCell::Nothing => {
                                for o in index.groups[*g].options() {
                                    self.clause(vec![!*r, !option_lit(o)]);
                                }
                            }
                        }
                    }
                }
                // Support clauses: a chosen option needs a row that admits it.
                for (col, g) in t.columns.iter().enumerate() {
                    for o in index.groups[*g].options() {
                        let mut cl = vec![!option_lit(o)];
                        for (row, r) in t.rows.iter().zip(&selectors) {
                            if matches!(row[col], TableCell::Any)
                                || row[col] == TableCell::Option(o)
                            {
                                cl.push(*r);
                            }
                        }
                        self.clause(cl);
                    }
                }
            }
        }
    }

    /// An allowed table over two different groups without row variables: the support
    /// encoding of binary constraints (Kasif 1990; Gent, "Arc consistency in SAT", ECAI 2002),
    /// on which unit propagation achieves arc consistency like the row encoding, with "nothing
    /// chosen" as one more value of each column. For each value `a` of one column, `S(a)` is
    /// the set of values of the other column that some row allows with it:
    /// - `S(a)` everything: no clause;
    /// - "nothing" in `S(a)`: `¬a ∨ ¬b` for every option `b` outside `S(a)`;
    /// - otherwise `¬a ∨ ⋁ S(a)` (with at most one option per column, the other one must
    ///   then be in `S(a)`);
    /// - if no row allows nothing in both columns, `⋁ column 1 ∨ ⋁ column 2`.
    ///
    /// A pair is
    /// allowed exactly when no clause excludes it (each clause names a pair or a value that no
    /// row allows). Real models have many such tables (Renault: 276 of 332, with half the
    /// rows), and row variables made most of the CNF.
    fn binary_table(&mut self, t: &TableConstraint) {
        let index = self.index;
        let dom: [Vec<OptionIdx>; 2] =
            [0, 1].map(|c| index.groups[t.columns[c]].options().collect::<Vec<_>>());
        // Values: `Some(option)` or `None` = nothing chosen in the column.
        let values = |c: usize, cell: &TableCell| -> Vec<Option<OptionIdx>> {
            match cell {
                TableCell::Option(o) => vec![Some(*o)],
                TableCell::Nothing => vec![None],
                TableCell::Any => dom[c]
                    .iter()
                    .map(|o| Some(*o))
                    .chain(std::iter::once(None))
                    .collect(),
            }
        };
        let mut allowed: std::collections::HashSet<(Option<OptionIdx>, Option<OptionIdx>)> =
            std::collections::HashSet::new();
        for row in &t.rows {
            for a in values(0, &row[0]) {
                for b in values(1, &row[1]) {
                    allowed.insert((a, b));
                }
            }
        }
        let pair = |c: usize, a: Option<OptionIdx>, b: Option<OptionIdx>| {
            if c == 0 {
                (a, b)
            } else {
                (b, a)
            }
        };
        for c in 0..2 {
            let other = &dom[1 - c];
            for &a in &dom[c] {
                let with_nothing = allowed.contains(&pair(c, Some(a), None));
                let support: Vec<OptionIdx> = other
                    .iter()
                    .copied()
                    .filter(|b| allowed.contains(&pair(c, Some(a), Some(*b))))
                    .collect();
                if with_nothing {
                    if support.len() < other.len() {
                        for &b in other {
                            if !support.contains(&b) {
                                self.clause(vec![!option_lit(a), !option_lit(b)]);
                            }
                        }
                    }
                } else {
                    let mut cl = vec![!option_lit(a)];
                    cl.extend(support.iter().map(|b| option_lit(*b)));
                    self.clause(cl);
                }
            }
        }
        if !allowed.contains(&(None, None)) {
            self.clause(dom.iter().flatten().map(|o| option_lit(*o)).collect());
        }
    }

    /// Adds clauses that make `f` hold: its CNF by distribution when that stays small (see
    /// [`distribute`]), else Tseitin definitions for the nested parts.
    fn assert(&mut self, f: &Formula) {
        if let Some(clauses) = distribute(f, true, MAX_DISTRIBUTED) {
            clauses.into_iter().for_each(|c| self.clause(c));
            return;
        }
        match f {
            Formula::Const(true) => {}
            Formula::Const(false) => self.clause(vec![]),
            Formula::Lit(o, s) => self.clause(vec![lit_of(*o, *s)]),
            Formula::And(xs) => xs.iter().for_each(|x| self.assert(x)),
            Formula::Or(xs) => {
                let mut flat = Vec::new();
                flatten_or(xs, &mut flat);
                if flat.iter().any(|x| matches!(x, Formula::Const(true))) {
                    return;
                }
                // One atom can be asserted under the disjunction of the others; the rest are
                // reified.
                let atom_pos = flat.iter().position(|x| matches!(x, Formula::Atom(_)));
                let mut prefix = Vec::new();
                for (i, x) in flat.iter().enumerate() {
                    if Some(i) != atom_pos && !matches!(x, Formula::Const(false)) {
                        prefix.push(self.lit(x));
                    }
                }
                match atom_pos.map(|i| flat[i]) {
                    Some(Formula::Atom(a)) => self.assert_atom(a, &prefix),
                    _ => self.clause(prefix),
                }
            }
            Formula::Not(x) => match x.as_ref() {
                Formula::Const(b) => self.assert(&Formula::Const(!b)),
                Formula::Lit(o, s) => self.clause(vec![lit_of(*o, !*s)]),
                Formula::Not(y) => self.assert(y),
                Formula::And(ys) => self.assert(&Formula::Or(
                    ys.iter().cloned().map(Formula::negate).collect(),
                )),
                Formula::Or(ys) => ys
                    .iter()
                    .for_each(|y| self.assert(&Formula::negate(y.clone()))),
                Formula::Iff(a, b) => self.assert(&Formula::Iff(
                    a.clone(),
                    Box::new(Formula::negate(b.as_ref().clone())),
                )),
                Formula::Atom(_) => {
                    let l = self.lit(x);
                    self.clause(vec![!l]);
                }
            },
            Formula::Iff(a, b) => {
                let la = self.lit(a);
                let lb = self.lit(b);
                self.clause(vec![!la, lb]);
                self.clause(vec![la, !lb]);
            }
            Formula::Atom(a) => self.assert_atom(a, &[]),
        }
    }

    /// Adds clauses for `prefix ∨ atom`.
    fn assert_atom(&mut self, a: &Atom, prefix: &[Lit]) {
        let index = self.index;
        let over = a.over().to_vec();
        if combination_count(index, &over) > self.limits.max_combinations {
            self.error = Some(format!(
                "the comparison ranges over more than {} combinations of options",
                self.limits.max_combinations
            ));
            return;
        }
        for combo in combinations(index, &over) {
            let mut base: Vec<Lit> = prefix.to_vec();
            base.extend(combo.iter().map(|o| !option_lit(*o)));
            match a {
                Atom::Scalar {
                    lhs, rhs, equal, ..
                } => {
                    if let Some(false) = scalar(index, lhs, rhs, *equal, &over, &combo) {
                        self.clause(base);
                    }
                }
                Atom::Numeric { form, op, .. } => {
                    let Some((constant, vars)) = form.instantiate(index, &over, &combo) else {
                        continue;
                    };
                    let vars: Vec<(OptionIdx, i128)> = vars.iter().map(|(o, c)| (*o, *c)).collect();
                    let parts: Vec<LinearLe> = match op {
                        CmpOp::Ne => {
                            let l = self.reify_cmp(&vars, constant, CmpOp::Ne);
                            base.push(l);
                            self.clause(base);
                            continue;
                        }
                        _ => le_forms(&vars, constant, *op),
                    };
                    for part in parts {
                        match part {
                            LinearLe::Const(true) => {}
                            LinearLe::Const(false) => self.clause(base.clone()),
                            LinearLe::Pb(lits, ub) => {
                                for u in self.enforce(lits, ub, false) {
                                    let mut cl = base.clone();
                                    cl.push(u);
                                    self.clause(cl);
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// A literal equivalent to `f` (Tseitin).
    fn lit(&mut self, f: &Formula) -> Lit {
        match f {
            Formula::Const(true) => self.true_lit(),
            Formula::Const(false) => !self.true_lit(),
            Formula::Lit(o, s) => lit_of(*o, *s),
            Formula::Not(x) => !self.lit(x),
            Formula::And(xs) => {
                let ls: Vec<Lit> = xs.iter().map(|x| self.lit(x)).collect();
                self.and_lit(ls)
            }
            Formula::Or(xs) => {
                let ls: Vec<Lit> = xs.iter().map(|x| self.lit(x)).collect();
                self.or_lit(ls)
            }
            Formula::Iff(a, b) => {
                let la = self.lit(a);
                let lb = self.lit(b);
                let y = self.fresh();
                self.clause(vec![!y, !la, lb]);
                self.clause(vec![!y, la, !lb]);
                self.clause(vec![y, la, lb]);
                self.clause(vec![y, !la, !lb]);
                y
            }
            Formula::Atom(a) => self.atom_lit(a),
        }
    }

    fn and_lit(&mut self, ls: Vec<Lit>) -> Lit {
        if ls.len() == 1 {
            return ls[0];
        }
        let y = self.fresh();
        let mut back = vec![y];
        for l in &ls {
            self.clause(vec![!y, *l]);
            back.push(!*l);
        }
        self.clause(back);
        y
    }

    fn or_lit(&mut self, ls: Vec<Lit>) -> Lit {
        if ls.len() == 1 {
            return ls[0];
        }
        let y = self.fresh();
        let mut fwd = vec![!y];
        for l in &ls {
            self.clause(vec![y, !*l]);
            fwd.push(*l);
        }
        self.clause(fwd);
        y
    }

    /// A literal equivalent to the atom: the conjunction over combinations of
    /// `combination -> comparison`.
    fn atom_lit(&mut self, a: &Atom) -> Lit {
        let index = self.index;
        let over = a.over().to_vec();
        if combination_count(index, &over) > self.limits.max_combinations {
            self.error = Some(format!(
                "the comparison ranges over more than {} combinations of options",
                self.limits.max_combinations
            ));
            return self.true_lit();
        }
        let mut conj = Vec::new();
        for combo in combinations(index, &over) {
            let cmp = match a {
                Atom::Scalar {
                    lhs, rhs, equal, ..
                } => match scalar(index, lhs, rhs, *equal, &over, &combo) {
                    None | Some(true) => continue,
                    Some(false) => None,
                },
                Atom::Numeric { form, op, .. } => {
                    let Some((constant, vars)) = form.instantiate(index, &over, &combo) else {
                        continue;
                    };
                    let vars: Vec<(OptionIdx, i128)> = vars.iter().map(|(o, c)| (*o, *c)).collect();
                    Some(self.reify_cmp(&vars, constant, *op))
                }
            };
            let mut disj: Vec<Lit> = combo.iter().map(|o| !option_lit(*o)).collect();
            if let Some(c) = cmp {
                disj.push(c);
            }
            conj.push(self.or_lit(disj));
        }
        if conj.is_empty() {
            return self.true_lit();
        }
        self.and_lit(conj)
    }

    /// A literal equivalent to `Σ vars + constant op 0`.
    fn reify_cmp(&mut self, vars: &[(OptionIdx, i128)], constant: i128, op: CmpOp) -> Lit {
        match op {
            CmpOp::Ne => {
                let eq = self.reify_cmp(vars, constant, CmpOp::Eq);
                !eq
            }
            _ => {
                let parts: Vec<Lit> = le_forms(vars, constant, op)
                    .into_iter()
                    .map(|p| self.reify_le(p))
                    .collect();
                self.and_lit(parts)
            }
        }
    }

    /// A literal equivalent to `Σ w·l <= ub`.
    fn reify_le(&mut self, le: LinearLe) -> Lit {
        match le {
            LinearLe::Const(b) => {
                let t = self.true_lit();
                if b {
                    t
                } else {
                    !t
                }
            }
            LinearLe::Pb(lits, ub) => {
                let y = self.fresh();
                for u in self.enforce(lits.clone(), ub, false) {
                    self.clause(vec![!y, u]);
                }
                for u in self.enforce(lits, ub + 1, true) {
                    self.clause(vec![y, u]);
                }
                y
            }
        }
    }

    /// Literals whose conjunction enforces `Σ <= bound` (or `Σ >= bound` when `lower`), from
    /// the shared totalizer of this weighted sum. Its own clauses are added untagged.
    fn enforce(&mut self, lits: Vec<(Lit, usize)>, bound: usize, lower: bool) -> Vec<Lit> {
        if self.pb == PbEncoding::Linear {
            let total: usize = lits.iter().map(|(_, w)| *w).sum();
            if (lower && bound == 0) || (!lower && bound >= total) {
                return Vec::new();
            }
            if lower && bound > total {
                return vec![!self.true_lit()];
            }
            let guard = self.fresh();
            self.linear.push(LinearRow {
                guard: Some(guard),
                terms: lits,
                bound,
                lower,
            });
            return vec![guard];
        }
        let tot = self
            .totalizers
            .entry(lits.clone())
            .or_insert_with(|| DoubleGeneralizedTotalizer::from_iter(lits.iter().copied()));
        let mut cnf = RsCnf::new();
        let result = if lower {
            tot.encode_lb_change(bound..=bound, &mut cnf, &mut self.vars)
                .map_err(|_| ())
                .and_then(|_| tot.enforce_lb(bound).map_err(|_| ()))
        } else {
            tot.encode_ub_change(bound..=bound, &mut cnf, &mut self.vars)
                .map_err(|_| ())
                .and_then(|_| tot.enforce_ub(bound).map_err(|_| ()))
        };
        self.absorb(cnf, None);
        match result {
            Ok(units) => units,
            Err(()) => {
                // Unsatisfiable bound: a false literal.
                vec![!self.true_lit()]
            }
        }
    }
}

/// Clauses one asserted formula may distribute into before Tseitin is used instead.
const MAX_DISTRIBUTED: usize = 64;

/// The CNF of `f` (of `¬f` when `positive` is false) by pushing negations to the literals and
/// distributing disjunctions over conjunctions, without new variables; `None` when it has
/// more than `cap` clauses (at any step) or contains an attribute comparison. Tautological
/// clauses are dropped and literals deduplicated.
///
/// Unit propagation on these clauses sees every clause of the formula's CNF, where on a Tseitin
/// encoding (Tseitin 1968; Plaisted and Greenbaum 1986) it can miss what a disjunction of
/// conjunctions implies: `(x ∧ e) ∨ (x ↔ d)` contains the clause `x ∨ ¬d`, so `d` implies `x`,
/// which unit propagation over the definitions of `x ∧ e` and `x ↔ d` does not derive. (This is
/// how the DIMACS versions of the feature models were made, by distribution, and why unit
/// propagation refuted far more on them than on the UVL versions with Tseitin.)
fn distribute(f: &Formula, positive: bool, cap: usize) -> Option<Vec<Vec<Lit>>> {
    // A conjunction (positive `And`, negative `Or`): the clauses of every part.
    let conj = |xs: &[Formula]| -> Option<Vec<Vec<Lit>>> {
        let mut out = Vec::new();
        for x in xs {
            out.extend(distribute(x, positive, cap)?);
            if out.len() > cap {
                return None;
            }
        }
        Some(out)
    };
    // A disjunction: the pairwise unions of the parts' clauses (starting from "false", one
    // empty clause).
    let disj = |parts: Vec<Vec<Vec<Lit>>>| -> Option<Vec<Vec<Lit>>> {
        let mut acc: Vec<Vec<Lit>> = vec![Vec::new()];
        for p in parts {
            let mut next = Vec::with_capacity(acc.len() * p.len());
            for a in &acc {
                for b in &p {
                    let mut c = a.clone();
                    c.extend_from_slice(b);
                    c.sort_unstable();
                    c.dedup();
                    if c.windows(2).any(|w| w[0] == !w[1]) {
                        continue; // tautology
                    }
                    next.push(c);
                    if next.len() > cap {
                        return None;
                    }
                }
            }
            acc = next;
        }
        Some(acc)
    };
    match f {
        Formula::Const(b) => Some(if *b == positive {
            Vec::new()
        } else {
            vec![Vec::new()]
        }),
        Formula::Lit(o, s) => Some(vec![vec![lit_of(*o, *s == positive)]]),
        Formula::Not(x) => distribute(x, !positive, cap),
        Formula::And(xs) if positive => conj(xs),
        Formula::Or(xs) if !positive => conj(xs),
        Formula::And(xs) | Formula::Or(xs) => {
            let parts = xs
                .iter()
                .map(|x| distribute(x, positive, cap))
                .collect::<Option<Vec<_>>>()?;
            disj(parts)
        }
        Formula::Iff(a, b) => {
            // a ↔ b = (¬a ∨ b) ∧ (a ∨ ¬b); ¬(a ↔ b) = (a ∨ b) ∧ (¬a ∨ ¬b).
            let (na, nb) = (
                Formula::negate(a.as_ref().clone()),
                Formula::negate(b.as_ref().clone()),
            );
            let (a, b) = (a.as_ref().clone(), b.as_ref().clone());
            let parts = if positive {
                vec![Formula::Or(vec![na, b]), Formula::Or(vec![a, nb])]
            } else {
                vec![Formula::Or(vec![a, b]), Formula::Or(vec![na, nb])]
            };
            distribute(&Formula::And(parts), true, cap)
        }
        Formula::Atom(_) => None,
    }
}

fn lit_of(o: OptionIdx, chosen: bool) -> Lit {
    if chosen {
        option_lit(o)
    } else {
        !option_lit(o)
    }
}

fn flatten_or<'f>(xs: &'f [Formula], out: &mut Vec<&'f Formula>) {
    for x in xs {
        match x {
            Formula::Or(ys) => flatten_or(ys, out),
            other => out.push(other),
        }
    }
}

/// Truth of a string/boolean comparison for one combination; `None` when an attribute is
/// missing (not constrained).
fn scalar(
    index: &Index,
    lhs: &ScalarTerm,
    rhs: &ScalarTerm,
    equal: bool,
    over: &[usize],
    combo: &[OptionIdx],
) -> Option<bool> {
    let l = lhs.instantiate(index, over, combo)?;
    let r = rhs.instantiate(index, over, combo)?;
    Some((l == r) == equal)
}

/// `Σ c·x + constant op 0` as a conjunction of `Σ w·l <= ub` with positive weights
/// (`op` is not `!=`).
fn le_forms(vars: &[(OptionIdx, i128)], constant: i128, op: CmpOp) -> Vec<LinearLe> {
    // Each entry: (sign applied to Σ, bound) meaning sign·Σ <= bound.
    let bounds: Vec<(i128, i128)> = match op {
        CmpOp::Le => vec![(1, -constant)],
        CmpOp::Lt => vec![(1, -constant - 1)],
        CmpOp::Ge => vec![(-1, constant)],
        CmpOp::Gt => vec![(-1, constant - 1)],
        CmpOp::Eq => vec![(1, -constant), (-1, constant)],
        CmpOp::Ne => unreachable!("!= is handled as a negated =="),
    };
    bounds
        .into_iter()
        .map(|(sign, bound)| normalise_le(vars, sign, bound))
        .collect()
}

/// `sign·Σ c·x <= bound` with positive integer weights, divided by their gcd.
fn normalise_le(vars: &[(OptionIdx, i128)], sign: i128, mut bound: i128) -> LinearLe {
    let mut lits: Vec<(Lit, i128)> = Vec::new();
    for (o, c) in vars {
        let c = c * sign;
        if c > 0 {
            lits.push((option_lit(*o), c));
        } else if c < 0 {
            // c·x = c + |c|·¬x
            bound -= c;
            lits.push((!option_lit(*o), -c));
        }
    }
    if bound < 0 {
        return LinearLe::Const(false);
    }
    let total: i128 = lits.iter().map(|(_, w)| *w).sum();
    if bound >= total {
        return LinearLe::Const(true);
    }
    let g = lits.iter().fold(0i128, |g, (_, w)| gcd(g, *w)).max(1);
    let ub = bound / g;
    let mut out: Vec<(Lit, usize)> = lits
        .into_iter()
        .map(|(l, w)| (l, (w / g).min(ub + 1) as usize))
        .collect();
    out.sort_unstable();
    LinearLe::Pb(out, ub as usize)
}

fn gcd(a: i128, b: i128) -> i128 {
    if b == 0 {
        a.abs()
    } else {
        gcd(b, a % b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::up::testing::xorshift;

    fn random_formula(rnd: &mut impl FnMut(u64) -> u64, n: usize, depth: u32) -> Formula {
        let leaf = depth == 0 || rnd(4) == 0;
        if leaf {
            return match rnd(12) {
                0 => Formula::Const(rnd(2) == 1),
                _ => Formula::Lit(rnd(n as u64) as usize, rnd(2) == 1),
            };
        }
        let kind = rnd(4);
        if kind < 2 {
            let k = 1 + rnd(3);
            let kids: Vec<Formula> = (0..k).map(|_| random_formula(rnd, n, depth - 1)).collect();
            return if kind == 0 {
                Formula::And(kids)
            } else {
                Formula::Or(kids)
            };
        }
        match kind {
            2 => Formula::Not(Box::new(random_formula(rnd, n, depth - 1))),
            _ => Formula::Iff(
                Box::new(random_formula(rnd, n, depth - 1)),
                Box::new(random_formula(rnd, n, depth - 1)),
            ),
        }
    }

    fn holds(f: &Formula, m: &[bool]) -> bool {
        match f {
            Formula::Const(b) => *b,
            Formula::Lit(o, s) => m[*o] == *s,
            Formula::Not(x) => !holds(x, m),
            Formula::And(xs) => xs.iter().all(|x| holds(x, m)),
            Formula::Or(xs) => xs.iter().any(|x| holds(x, m)),
            Formula::Iff(a, b) => holds(a, m) == holds(b, m),
            Formula::Atom(_) => unreachable!(),
        }
    }

    /// Random formulas against their truth tables: the distributed clauses of `f` (and of
    /// `¬f`) hold exactly where `f` holds (fails), whenever they fit the cap, and the cap is
    /// respected.
    #[test]
    fn distribution_keeps_the_meaning() {
        let mut rnd = xorshift(0xA076_1D64_78BD_642Fu64);
        let (mut checked, mut capped) = (0, 0);
        for _ in 0..3000 {
            let n = 1 + rnd(5) as usize;
            let depth = 1 + rnd(4) as u32;
            let f = random_formula(&mut rnd, n, depth);
            let cap = 1 + rnd(40) as usize;
            for positive in [true, false] {
                let Some(clauses) = distribute(&f, positive, cap) else {
                    capped += 1;
                    continue;
                };
                checked += 1;
                assert!(clauses.len() <= cap, "{f:?}");
                for bits in 0u32..1 << n {
                    let m: Vec<bool> = (0..n).map(|i| bits >> i & 1 == 1).collect();
                    let cnf = clauses
                        .iter()
                        .all(|c| c.iter().any(|l| m[l.var().idx()] != l.is_neg()));
                    assert_eq!(cnf, holds(&f, &m) == positive, "{f:?} {positive} {m:?}");
                }
            }
        }
        assert!(checked > 2000 && capped > 100, "{checked} {capped}");
    }
}

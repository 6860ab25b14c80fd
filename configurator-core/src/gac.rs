//! The finite-domain view of catalogs whose rules are all allowed-tuple tables over
//! single-choice groups (the XCSP and CLib car configurators): a group is a variable whose
//! values are its options (plus "nothing chosen" when the group may stay empty), a table is a
//! table constraint. On such a catalog [`crate::propagate`] computes the domains here instead of
//! on the CNF: one solution per value, found by a backtracking search that keeps the tables
//! generalised arc consistent (maintaining arc consistency, MAC: Sabin and Freuder, "Contradicting
//! conventional wisdom in constraint satisfaction", ECAI 1994).
//!
//! Propagation of tables over three or more variables is **Compact-Table** (Demeulenaere,
//! Hartert, Lecoutre, Perez, Perron, Régin and Schaus, "Compact-Table: efficiently filtering
//! table constraints with reversible sparse bit-sets", CP 2016): per table, a reversible sparse
//! bit-set of the rows still valid (`currTable`), precomputed `supports[x, a]` bit-sets, delta-
//! or reset-based updates (`updateTable`) and residues for the support checks
//! (`filterDomains`). Rows may hold "any" cells (short tables; Verhaeghe, Lecoutre and Schaus,
//! "Extending Compact-Table to negative and short tables", AAAI 2017: a `*` cell supports every
//! value, and the delta-based update removes only the rows whose cell is the removed value).
//! Tables over two variables (most of a car configurator's: 276 of Renault big's 332, many of
//! them with a variable of 324 values) use bit-sets of values instead (bitwise arc consistency,
//! Lecoutre and Vion 2008), so a revision costs a word per value rather than a pass over rows.
//!
//! The search ([`Gac::supports`]) is the *model-per-value* backbone algorithm of a CSP: every
//! value still in a domain after propagation of the choices is either shown by a solution
//! (found by a search that decides it first) or refuted by an exhausted search. Value order:
//! a value no solution of the call has shown yet first (so each solution shows as many new
//! values as it can, like the greedy sets of `propagate` step 5), else the value of the previous
//! solution (phase saving, Pipatsrisawat and Darwiche 2007), so consecutive solutions differ
//! little and the search rarely backtracks. Before any decision, every open variable is given
//! the previous solution's value at once and propagated once: usually that is already a solution
//! (Renault big: 241 of 256 searches on the first click), else the level is undone and the search
//! decides one variable at a time. Variable order: smallest domain first (Haralick and Elliott
//! 1980). Every failure counts as a conflict of the caller's [`Effort`]; a value whose
//! search fails more often than a per-value bound is left to the SAT solver (the result is
//! exact either way).

use crate::ir::{Constraint, ConstraintInfo, Index, OptionIdx, TableCell};
use crate::rules::ast::TableKind;
use crate::solver::{Effort, LimitReached};

/// A variable of the view: one group.
#[derive(Clone, Debug)]
struct CVar {
    /// The group's first option: value `v < n_options` is option `first + v`.
    first: OptionIdx,
    n_options: u32,
    /// `n_options`, plus one when "nothing chosen" is a value (value `n_options`).
    n_values: u32,
    /// Words of the domain bit-set.
    words: u32,
    /// Offset of the domain in the reversible memory (and of the variable's bits in every
    /// per-value bit-set laid out like the domains).
    dom: u32,
    /// The tables over the variable, with its position in each scope.
    tables: Vec<(u32, u32)>,
}

/// A scope position of a table.
#[derive(Clone, Debug)]
struct Col {
    var: u32,
    /// Offset in `supports` of `supports[var, 0]`; `supports[var, a]` follows at `a * words`.
    sup: u32,
    /// The same for `supports*[var, a]`, the rows whose cell is `a` itself (not `*`), which
    /// the delta-based update removes (CT* of Verhaeghe et al.); `sup` when the column has no
    /// `*` cell.
    exact: u32,
    /// Offset in the reversible memory of the domain as the table last saw it (`lastSize` in
    /// Compact-Table, here the whole small domain, so the delta is a difference of bit-sets).
    last: u32,
    /// Offset of the residues of the column's values.
    res: u32,
}

#[derive(Clone, Debug)]
struct CTable {
    cols: Vec<Col>,
    /// Words of the row bit-set.
    words: u32,
    /// Offset of the rows' words in the reversible memory.
    rows: u32,
    /// Address of the sparse bit-set's `limit` in the reversible memory.
    limit: u32,
    /// Offset of the sparse bit-set's `index` (not reversible, as in Compact-Table).
    index: u32,
}

/// A table over two variables, kept as arc consistent as Compact-Table would, but on bit-sets
/// of values instead of rows (bitwise AC, Lecoutre and Vion, "Enforcing arc consistency using
/// bitwise operations", Constraint Programming Letters 2008): `supports[x, a]` is the set of
/// `y`'s values allowed with `a`, so a support check is one word (the residue) of `dom(y) ∩
/// supports[x, a]`, whatever the number of rows, and nothing but the domains is reversible.
#[derive(Clone, Debug)]
struct CBin {
    vars: [u32; 2],
    /// Per side: offset in `supports` of the first value's bit-set over the other side's
    /// values (one per value, `words` of the other side each).
    sup: [u32; 2],
    /// Per side: offset of the residues of its values.
    res: [u32; 2],
}

/// The finite-domain view of a catalog (immutable, shared by sessions). See the module
/// documentation.
pub struct TableCsp {
    vars: Vec<CVar>,
    /// Tables over more than two variables (Compact-Table), constraints `0..tables.len()`.
    tables: Vec<CTable>,
    /// Tables over two variables, constraints `tables.len()..`.
    bins: Vec<CBin>,
    supports: Vec<u64>,
    /// Per option: its variable and value.
    option_value: Vec<(u32, u32)>,
    /// The reversible memory before any choice: full domains, every row valid.
    init: Vec<u64>,
    n_index: usize,
    n_residues: usize,
    /// Total words of the domains (the first words of the memory).
    dom_words: usize,
    max_words: usize,
}

impl std::fmt::Debug for TableCsp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TableCsp")
            .field("vars", &self.vars.len())
            .field("tables", &self.tables.len())
            .finish()
    }
}

impl TableCsp {
    /// The view, if every constraint is a group cardinality that allows at most one option or
    /// an allowed table over distinct groups whose cells name options of their column's group.
    pub fn new(index: &Index, constraints: &[ConstraintInfo]) -> Option<TableCsp> {
        let n_groups = index.groups.len();
        let mut lo = vec![0u32; n_groups];
        let mut hi: Vec<u32> = index.groups.iter().map(|g| g.len as u32).collect();
        let mut tables = Vec::new();
        for c in constraints {
            match &c.body {
                Constraint::Cardinality { group, min, max } => {
                    lo[*group] = lo[*group].max(*min);
                    hi[*group] = hi[*group].min(*max);
                }
                Constraint::Table(t) if t.kind == TableKind::Allowed && !t.columns.is_empty() => {
                    let mut cols = t.columns.clone();
                    cols.sort_unstable();
                    cols.dedup();
                    if cols.len() != t.columns.len() {
                        return None;
                    }
                    let cells_ok = t.rows.iter().all(|r| {
                        r.len() == t.columns.len()
                            && r.iter().zip(&t.columns).all(|(cell, g)| match cell {
                                TableCell::Option(o) => index.group_of[*o] == *g,
                                _ => true,
                            })
                    });
                    if !cells_ok {
                        return None;
                    }
                    tables.push(t);
                }
                _ => return None,
            }
        }
        if hi.iter().any(|h| *h > 1) {
            return None;
        }
        let mut vars = Vec::with_capacity(n_groups);
        let mut option_value = vec![(0, 0); index.n_options()];
        let mut next = 0u32;
        for (gi, g) in index.groups.iter().enumerate() {
            let n_options = g.len as u32;
            let n_values = n_options + u32::from(lo[gi] == 0);
            let words = n_values.div_ceil(64).max(1);
            for (v, o) in g.options().enumerate() {
                option_value[o] = (gi as u32, v as u32);
            }
            vars.push(CVar {
                first: g.first,
                n_options,
                n_values,
                words,
                dom: next,
                tables: Vec::new(),
            });
            next += words;
        }
        let dom_words = next as usize;
        let mut init: Vec<u64> = vec![0; dom_words];
        for (gi, x) in vars.iter().enumerate() {
            // Values: every option if the group allows one (hi = 1), "nothing" if it may be
            // empty (lo = 0); lo > 1 leaves the domain empty (unsatisfiable).
            if lo[gi] > 1 {
                continue;
            }
            for v in 0..x.n_values {
                if v < x.n_options && hi[gi] == 0 {
                    continue;
                }
                init[(x.dom + v / 64) as usize] |= 1 << (v % 64);
            }
        }
        let mut supports: Vec<u64> = Vec::new();
        let mut out_tables = Vec::with_capacity(tables.len());
        let (mut n_index, mut n_residues, mut max_words) = (0usize, 0usize, 1usize);
        let (binary, tables): (Vec<_>, Vec<_>) =
            tables.into_iter().partition(|t| t.columns.len() == 2);
        for (ti, t) in tables.iter().enumerate() {
            // Rows that can match: "nothing" only in a column that may be empty.
            let rows: Vec<&Vec<TableCell>> = t
                .rows
                .iter()
                .filter(|r| {
                    r.iter()
                        .zip(&t.columns)
                        .all(|(cell, g)| *cell != TableCell::Nothing || lo[*g] == 0)
                })
                .collect();
            let words = rows.len().div_ceil(64) as u32;
            max_words = max_words.max(words as usize);
            let mut cols = Vec::with_capacity(t.columns.len());
            for (pos, &g) in t.columns.iter().enumerate() {
                let x = &vars[g];
                let sup = supports.len() as u32;
                supports.resize(supports.len() + (x.n_values * words) as usize, 0);
                for (r, row) in rows.iter().enumerate() {
                    let mut set = |v: u32| {
                        supports[(sup + v * words) as usize + r / 64] |= 1 << (r % 64);
                    };
                    match row[pos] {
                        TableCell::Any => (0..x.n_values).for_each(&mut set),
                        TableCell::Option(o) => set((o - x.first) as u32),
                        TableCell::Nothing => set(x.n_options),
                    }
                }
                let exact = if rows.iter().any(|r| r[pos] == TableCell::Any) {
                    let exact = supports.len() as u32;
                    supports.resize(supports.len() + (x.n_values * words) as usize, 0);
                    for (r, row) in rows.iter().enumerate() {
                        let v = match row[pos] {
                            TableCell::Any => continue,
                            TableCell::Option(o) => (o - x.first) as u32,
                            TableCell::Nothing => x.n_options,
                        };
                        supports[(exact + v * words) as usize + r / 64] |= 1 << (r % 64);
                    }
                    exact
                } else {
                    sup
                };
                let last = init.len() as u32;
                init.extend_from_within(x.dom as usize..(x.dom + x.words) as usize);
                cols.push(Col {
                    var: g as u32,
                    sup,
                    exact,
                    last,
                    res: n_residues as u32,
                });
                n_residues += x.n_values as usize;
            }
            for (pos, &g) in t.columns.iter().enumerate() {
                vars[g].tables.push((ti as u32, pos as u32));
            }
            let rows_at = init.len() as u32;
            for w in 0..words as usize {
                let bits = (rows.len() - 64 * w).min(64);
                init.push(if bits == 64 {
                    u64::MAX
                } else {
                    (1 << bits) - 1
                });
            }
            let limit = init.len() as u32;
            init.push(words as u64);
            out_tables.push(CTable {
                cols,
                words,
                rows: rows_at,
                limit,
                index: n_index as u32,
            });
            n_index += words as usize;
        }
        let mut bins = Vec::with_capacity(binary.len());
        for (bi, t) in binary.iter().enumerate() {
            let cid = (out_tables.len() + bi) as u32;
            let vs = [t.columns[0], t.columns[1]];
            let (nv, nw) = (vs.map(|g| vars[g].n_values), vs.map(|g| vars[g].words));
            let sup = [0, 1].map(|side| {
                let at = supports.len() as u32;
                supports.resize(supports.len() + (nv[side] * nw[1 - side]) as usize, 0);
                at
            });
            let values = |side: usize, cell: &TableCell| -> Vec<u32> {
                let x = &vars[vs[side]];
                match cell {
                    TableCell::Any => (0..x.n_values).collect(),
                    TableCell::Option(o) => vec![(o - x.first) as u32],
                    TableCell::Nothing if lo[vs[side]] == 0 => vec![x.n_options],
                    TableCell::Nothing => Vec::new(),
                }
            };
            for row in &t.rows {
                for a in values(0, &row[0]) {
                    for b in values(1, &row[1]) {
                        supports[(sup[0] + a * nw[1] + b / 64) as usize] |= 1 << (b % 64);
                        supports[(sup[1] + b * nw[0] + a / 64) as usize] |= 1 << (a % 64);
                    }
                }
            }
            let res = [0, 1].map(|side| {
                let at = n_residues as u32;
                n_residues += nv[side] as usize;
                at
            });
            for (pos, &g) in vs.iter().enumerate() {
                vars[g].tables.push((cid, pos as u32));
            }
            bins.push(CBin {
                vars: vs.map(|g| g as u32),
                sup,
                res,
            });
        }
        Some(TableCsp {
            vars,
            tables: out_tables,
            bins,
            supports,
            option_value,
            init,
            n_index,
            n_residues,
            dom_words,
            max_words,
        })
    }

    /// Variables (groups) of the view.
    pub fn n_vars(&self) -> usize {
        self.vars.len()
    }

    fn n_constraints(&self) -> usize {
        self.tables.len() + self.bins.len()
    }
}

/// What [`Gac::supports`] found.
#[derive(Clone, Debug, Default)]
pub struct Supports {
    /// False: the choices admit no solution, unless `open > 0` (then every search was cut by
    /// the bound and nothing is known).
    pub satisfiable: bool,
    /// The solutions found, as option values (one bit per option).
    pub solutions: Vec<Vec<u64>>,
    /// Per option: `Some(false)` if no solution has it, `Some(true)` if every one has it,
    /// `None` if solutions with and without it were found or the bound left it open.
    pub fixed: Vec<Option<bool>>,
    /// Values left open by the per-value bound (for the SAT solver).
    pub open: u32,
    /// Searches made, failures (conflicts) over all of them.
    pub searches: u32,
    pub failures: u64,
    /// Decisions over all searches.
    pub decisions: u64,
    /// Searches whose first full assignment was a solution (no decision).
    pub at_once: u64,
}

enum Outcome {
    Solution,
    Refuted,
    Bound,
}

/// The search state over a [`TableCsp`] (one per session).
#[derive(Clone, Debug, Default)]
pub struct Gac {
    mem: Vec<u64>,
    /// `stamp[a] == id`: address `a` is already on the trail for the current level.
    stamp: Vec<u32>,
    /// The current level's id; ids come from `next_id`, never reused (a popped level's stamps
    /// stay behind).
    id: u32,
    next_id: u32,
    ids: Vec<u32>,
    trail: Vec<(u32, u64)>,
    /// Trail length at the start of each level.
    levels: Vec<usize>,
    index: Vec<u32>,
    residues: Vec<u32>,
    queue: Vec<u32>,
    queued: Vec<bool>,
    mask: Vec<u64>,
    /// Per variable value: shown by a solution of the current call (laid out like domains).
    seen: Vec<u64>,
    /// The value of each variable in the last solution.
    phase: Vec<u32>,
    /// Decisions and searches solved at once (for statistics).
    decisions: u64,
    oneshot: u64,
}

impl Gac {
    fn reset(&mut self, csp: &TableCsp) {
        if self.mem.len() != csp.init.len() {
            self.mem = csp.init.clone();
            self.stamp = vec![0; csp.init.len()];
            self.residues = vec![0; csp.n_residues];
            self.queued = vec![false; csp.n_constraints()];
            self.mask = vec![0; csp.max_words];
            self.phase = vec![u32::MAX; csp.vars.len()];
            self.next_id = 0;
        } else {
            self.mem.copy_from_slice(&csp.init);
        }
        self.index.clear();
        for t in &csp.tables {
            self.index.extend(0..t.words);
        }
        debug_assert_eq!(self.index.len(), csp.n_index);
        self.trail.clear();
        self.levels.clear();
        self.ids.clear();
        self.queue.clear();
        self.queued.iter_mut().for_each(|q| *q = false);
        self.seen.clear();
        self.seen.resize(csp.dom_words, 0);
        if self.next_id > u32::MAX / 2 {
            // Between calls no level is open, so the stamps can start over.
            self.stamp.iter_mut().for_each(|s| *s = 0);
            self.next_id = 0;
        }
        self.new_id();
    }

    fn new_id(&mut self) {
        self.next_id += 1;
        self.id = self.next_id;
    }

    fn push_level(&mut self) {
        self.levels.push(self.trail.len());
        self.ids.push(self.id);
        self.new_id();
    }

    fn pop_level(&mut self) {
        let mark = self.levels.pop().expect("a level to pop");
        for &(a, old) in self.trail[mark..].iter().rev() {
            self.mem[a as usize] = old;
        }
        self.trail.truncate(mark);
        self.id = self.ids.pop().expect("a level id");
    }

    #[inline]
    fn set(&mut self, a: u32, v: u64) {
        let a = a as usize;
        if self.stamp[a] != self.id {
            self.stamp[a] = self.id;
            self.trail.push((a as u32, self.mem[a]));
        }
        self.mem[a] = v;
    }

    fn dom_size(&self, x: &CVar) -> u32 {
        self.mem[x.dom as usize..(x.dom + x.words) as usize]
            .iter()
            .map(|w| w.count_ones())
            .sum()
    }

    fn has(&self, x: &CVar, v: u32) -> bool {
        self.mem[(x.dom + v / 64) as usize] >> (v % 64) & 1 == 1
    }

    fn first_value(&self, x: &CVar, filter: &[u64]) -> Option<u32> {
        (0..x.words).find_map(|w| {
            let bits = self.mem[(x.dom + w) as usize] & !filter[(x.dom + w) as usize];
            (bits != 0).then(|| w * 64 + bits.trailing_zeros())
        })
    }

    fn lowest(&self, x: &CVar) -> Option<u32> {
        (0..x.words).find_map(|w| {
            let bits = self.mem[(x.dom + w) as usize];
            (bits != 0).then(|| w * 64 + bits.trailing_zeros())
        })
    }

    fn enqueue_tables(&mut self, csp: &TableCsp, x: u32, except: u32) {
        for &(t, _) in &csp.vars[x as usize].tables {
            if t != except && !self.queued[t as usize] {
                self.queued[t as usize] = true;
                self.queue.push(t);
            }
        }
    }

    /// Removes value `v` from `x`'s domain (with its consequences queued); false if that
    /// empties the domain.
    fn remove(&mut self, csp: &TableCsp, x: u32, v: u32) -> bool {
        let var = &csp.vars[x as usize];
        let a = var.dom + v / 64;
        let w = self.mem[a as usize];
        if w >> (v % 64) & 1 == 0 {
            return true;
        }
        self.set(a, w & !(1 << (v % 64)));
        self.enqueue_tables(csp, x, u32::MAX);
        self.dom_size(&csp.vars[x as usize]) > 0
    }

    /// Reduces `x`'s domain to `{v}`; false if `v` is not in it.
    fn assign(&mut self, csp: &TableCsp, x: u32, v: u32) -> bool {
        let var = &csp.vars[x as usize];
        if !self.has(var, v) {
            return false;
        }
        for w in 0..var.words {
            let keep = if w == v / 64 { 1u64 << (v % 64) } else { 0 };
            if self.mem[(var.dom + w) as usize] != keep {
                self.set(var.dom + w, keep);
            }
        }
        self.enqueue_tables(csp, x, u32::MAX);
        true
    }

    /// Compact-Table's fixpoint over the queued tables; false on a wipe-out (the queue is then
    /// emptied; the caller backtracks).
    fn propagate(&mut self, csp: &TableCsp) -> bool {
        while let Some(t) = self.queue.pop() {
            self.queued[t as usize] = false;
            let ok = match csp.bins.get((t as usize).wrapping_sub(csp.tables.len())) {
                Some(b) => self.revise_binary(csp, t, b),
                None => self.update_table(csp, t) && self.filter_domains(csp, t),
            };
            if !ok {
                for t in self.queue.drain(..) {
                    self.queued[t as usize] = false;
                }
                return false;
            }
        }
        true
    }

    /// `updateTable`: removes from `currTable` the rows that lost a value since the table last
    /// looked (delta-based when fewer values went than remain, reset-based otherwise).
    fn update_table(&mut self, csp: &TableCsp, t: u32) -> bool {
        let tb = &csp.tables[t as usize];
        let words = tb.words;
        for col in &tb.cols {
            let x = &csp.vars[col.var as usize];
            let (mut changed, mut n_removed, mut n_dom) = (false, 0, 0);
            for w in 0..x.words {
                let d = self.mem[(x.dom + w) as usize];
                let l = self.mem[(col.last + w) as usize];
                changed |= d != l;
                n_removed += (l & !d).count_ones();
                n_dom += d.count_ones();
            }
            if !changed {
                continue;
            }
            let mut limit = self.mem[tb.limit as usize] as usize;
            let index = tb.index as usize;
            let delta = n_removed <= n_dom;
            self.mask[..limit].iter_mut().for_each(|m| *m = 0);
            for w in 0..x.words {
                let d = self.mem[(x.dom + w) as usize];
                let l = self.mem[(col.last + w) as usize];
                let mut bits = if delta { l & !d } else { d };
                let base = if delta { col.exact } else { col.sup };
                while bits != 0 {
                    let v = w * 64 + bits.trailing_zeros();
                    bits &= bits - 1;
                    let sup = (base + v * words) as usize;
                    for i in 0..limit {
                        let off = self.index[index + i] as usize;
                        self.mask[i] |= csp.supports[sup + off];
                    }
                }
            }
            let mut i = limit;
            while i > 0 {
                i -= 1;
                let off = self.index[index + i];
                let m = if delta { !self.mask[i] } else { self.mask[i] };
                let w = self.mem[(tb.rows + off) as usize];
                let nw = w & m;
                if nw != w {
                    self.set(tb.rows + off, nw);
                    if nw == 0 {
                        limit -= 1;
                        // Positions above `i` are done, so the swap keeps `mask` (indexed by
                        // position) valid for the positions still to come.
                        self.index.swap(index + i, index + limit);
                    }
                }
            }
            if limit as u64 != self.mem[tb.limit as usize] {
                self.set(tb.limit, limit as u64);
            }
            for w in 0..x.words {
                let d = self.mem[(x.dom + w) as usize];
                if self.mem[(col.last + w) as usize] != d {
                    self.set(col.last + w, d);
                }
            }
            if limit == 0 {
                return false;
            }
        }
        true
    }

    /// Arc consistency of a binary table `c`: each side's values keep a support in the other
    /// side's domain (one pass per side is a fixpoint: a value removed from one side supported
    /// no value of the other).
    fn revise_binary(&mut self, csp: &TableCsp, c: u32, b: &CBin) -> bool {
        for side in [0, 1] {
            let x = &csp.vars[b.vars[side] as usize];
            let y = &csp.vars[b.vars[1 - side] as usize];
            let mut changed = false;
            for w in 0..x.words {
                let mut bits = self.mem[(x.dom + w) as usize];
                let mut kept = bits;
                while bits != 0 {
                    let a = w * 64 + bits.trailing_zeros();
                    bits &= bits - 1;
                    let sup = (b.sup[side] + a * y.words) as usize;
                    let res = (b.res[side] + a) as usize;
                    let r = self.residues[res] as usize;
                    let dom_y = &self.mem[y.dom as usize..(y.dom + y.words) as usize];
                    if r < dom_y.len() && dom_y[r] & csp.supports[sup + r] != 0 {
                        continue;
                    }
                    match (0..dom_y.len()).find(|&k| dom_y[k] & csp.supports[sup + k] != 0) {
                        Some(k) => self.residues[res] = k as u32,
                        None => kept &= !(1 << (a % 64)),
                    }
                }
                if kept != self.mem[(x.dom + w) as usize] {
                    self.set(x.dom + w, kept);
                    changed = true;
                }
            }
            if changed {
                if self.dom_size(x) == 0 {
                    return false;
                }
                self.enqueue_tables(csp, b.vars[side], c);
            }
        }
        true
    }

    /// `filterDomains`: removes the values without a valid row (residue first, then a scan of
    /// the non-zero words).
    fn filter_domains(&mut self, csp: &TableCsp, t: u32) -> bool {
        let tb = &csp.tables[t as usize];
        let words = tb.words;
        let limit = self.mem[tb.limit as usize] as usize;
        let index = tb.index as usize;
        for col in &tb.cols {
            let x = &csp.vars[col.var as usize];
            let mut changed = false;
            for w in 0..x.words {
                let mut bits = self.mem[(x.dom + w) as usize];
                let mut kept = bits;
                while bits != 0 {
                    let v = w * 64 + bits.trailing_zeros();
                    bits &= bits - 1;
                    let sup = (col.sup + v * words) as usize;
                    let r = self.residues[(col.res + v) as usize] as usize;
                    if r < words as usize
                        && self.mem[tb.rows as usize + r] & csp.supports[sup + r] != 0
                    {
                        continue;
                    }
                    let found = (0..limit)
                        .map(|i| self.index[index + i] as usize)
                        .find(|&off| {
                            self.mem[tb.rows as usize + off] & csp.supports[sup + off] != 0
                        });
                    match found {
                        Some(off) => self.residues[(col.res + v) as usize] = off as u32,
                        None => kept &= !(1 << (v % 64)),
                    }
                }
                if kept != self.mem[(x.dom + w) as usize] {
                    self.set(x.dom + w, kept);
                    changed = true;
                }
            }
            if changed {
                if self.dom_size(x) == 0 {
                    return false;
                }
                self.enqueue_tables(csp, col.var, t);
            }
            for w in 0..x.words {
                let d = self.mem[(x.dom + w) as usize];
                if self.mem[(col.last + w) as usize] != d {
                    self.set(col.last + w, d);
                }
            }
        }
        true
    }

    /// The unfixed variable with the smallest domain.
    fn select_var(&self, csp: &TableCsp) -> Option<u32> {
        let mut best: Option<(u32, u32)> = None;
        for (i, x) in csp.vars.iter().enumerate() {
            let s = self.dom_size(x);
            if s > 1 && best.is_none_or(|(b, _)| s < b) {
                best = Some((s, i as u32));
                if s == 2 {
                    break;
                }
            }
        }
        best.map(|(_, i)| i)
    }

    fn select_value(&self, csp: &TableCsp, x: u32) -> u32 {
        let var = &csp.vars[x as usize];
        if let Some(v) = self.first_value(var, &self.seen) {
            return v;
        }
        let p = self.phase[x as usize];
        if p != u32::MAX && self.has(var, p) {
            return p;
        }
        self.lowest(var).expect("a non-empty domain")
    }

    /// Assigns every unfixed variable its preferred value ([`select_value`](Self::select_value))
    /// in one level and propagates; true if that is a solution (left assigned, for
    /// [`read_solution`](Self::read_solution); the caller pops the level), else the level is
    /// undone.
    fn complete_at_once(&mut self, csp: &TableCsp) -> bool {
        self.push_level();
        for y in 0..csp.vars.len() as u32 {
            let var = &csp.vars[y as usize];
            if self.dom_size(var) > 1 {
                let p = self.phase[y as usize];
                let a = if p != u32::MAX && self.has(var, p) {
                    p
                } else {
                    self.select_value(csp, y)
                };
                self.assign(csp, y, a);
            }
        }
        if self.propagate(csp) && self.select_var(csp).is_none() {
            self.oneshot += 1;
            return true;
        }
        self.pop_level();
        false
    }

    /// The current assignment (every domain a singleton) as the phase.
    fn read_solution(&mut self, csp: &TableCsp) {
        for (i, var) in csp.vars.iter().enumerate() {
            self.phase[i] = self.lowest(var).expect("a solution assigns every variable");
        }
    }

    /// Backtracking search with `x = v` decided first (binary branching `y = a | y ≠ a`,
    /// maintaining GAC). Leaves the state at the level it started from.
    fn search(
        &mut self,
        csp: &TableCsp,
        x: u32,
        v: u32,
        bound: u64,
        failures: &mut u64,
        effort: &mut Effort,
    ) -> Result<Outcome, LimitReached> {
        self.push_level();
        if !(self.assign(csp, x, v) && self.propagate(csp)) {
            self.pop_level();
            return Ok(Outcome::Refuted);
        }
        // First try every open variable at its preferred value at once: one propagation
        // instead of one per decision, and the common case when solutions differ little.
        if self.complete_at_once(csp) {
            self.read_solution(csp);
            self.pop_level();
            self.pop_level();
            return Ok(Outcome::Solution);
        }
        let mut decisions: Vec<(u32, u32)> = Vec::new();
        let mut local = 0u64;
        loop {
            let Some(y) = self.select_var(csp) else {
                for (i, var) in csp.vars.iter().enumerate() {
                    self.phase[i] = self.lowest(var).expect("a solution assigns every variable");
                }
                for _ in 0..=decisions.len() {
                    self.pop_level();
                }
                return Ok(Outcome::Solution);
            };
            let a = self.select_value(csp, y);
            self.decisions += 1;
            self.push_level();
            decisions.push((y, a));
            self.assign(csp, y, a);
            if self.propagate(csp) {
                continue;
            }
            // Conflict: undo decisions until a refutation `y ≠ a` propagates.
            loop {
                *failures += 1;
                local += 1;
                effort.used += 1;
                if effort.used >= effort.max_conflicts || local > bound {
                    for _ in 0..=decisions.len() {
                        self.pop_level();
                    }
                    if effort.used >= effort.max_conflicts {
                        return Err(LimitReached {
                            max_conflicts: effort.max_conflicts,
                        });
                    }
                    return Ok(Outcome::Bound);
                }
                let Some((y, a)) = decisions.pop() else {
                    self.pop_level();
                    return Ok(Outcome::Refuted);
                };
                self.pop_level();
                if self.remove(csp, y, a) && self.propagate(csp) {
                    break;
                }
            }
        }
    }

    /// The root of a call: full domains, the choices, propagation of every table. False when
    /// propagation already refutes the choices.
    fn root(&mut self, csp: &TableCsp, choices: &[(OptionIdx, bool)]) -> bool {
        self.reset(csp);
        self.decisions = 0;
        self.oneshot = 0;
        let mut ok = csp.vars.iter().all(|x| self.dom_size(x) > 0);
        for &(o, selected) in choices {
            let (x, v) = csp.option_value[o];
            ok = ok
                && if selected {
                    self.assign(csp, x, v)
                } else {
                    self.remove(csp, x, v)
                };
        }
        for t in 0..csp.n_constraints() {
            self.queued[t] = true;
            self.queue.push(t as u32);
        }
        ok && self.propagate(csp)
    }

    /// One solution under the choices (`(option, selected)`), as chosen flags per option:
    /// `Some(Some(flags))`, or `Some(None)` when none exists, or `None` when a search failed
    /// more than `bound` times (nothing is known). The search is the one of
    /// [`Gac::supports`] (MAC with the previous solution's values first), one value of a
    /// variable after the other until one extends.
    pub fn solution(
        &mut self,
        csp: &TableCsp,
        choices: &[(OptionIdx, bool)],
        bound: u64,
        effort: &mut Effort,
    ) -> Result<Option<Option<Vec<bool>>>, LimitReached> {
        if !self.root(csp, choices) {
            return Ok(Some(None));
        }
        let mut failures = 0u64;
        loop {
            // Every domain a singleton: that is the solution.
            let Some(x) = (0..csp.vars.len()).find(|x| self.dom_size(&csp.vars[*x]) > 1) else {
                self.read_solution(csp);
                break;
            };
            let var = &csp.vars[x];
            let p = self.phase[x];
            let v = if p < var.n_values && self.has(var, p) {
                p
            } else {
                self.lowest(var).expect("a non-empty domain")
            };
            match self.search(csp, x as u32, v, bound, &mut failures, effort)? {
                Outcome::Solution => break,
                Outcome::Refuted => {
                    if !(self.remove(csp, x as u32, v) && self.propagate(csp)) {
                        return Ok(Some(None));
                    }
                }
                Outcome::Bound => return Ok(None),
            }
        }
        let mut flags = vec![false; csp.option_value.len()];
        for (i, var) in csp.vars.iter().enumerate() {
            let p = self.phase[i];
            if p < var.n_options {
                flags[var.first + p as usize] = true;
            }
        }
        Ok(Some(Some(flags)))
    }

    /// One solution per value (see the module documentation) under the choices (`(option,
    /// selected)`), starting from the values the `known` solutions (option bits) show; the
    /// values whose search fails more than `bound` times are left open.
    pub fn supports(
        &mut self,
        csp: &TableCsp,
        choices: &[(OptionIdx, bool)],
        known: &[&[u64]],
        bound: u64,
        effort: &mut Effort,
    ) -> Result<Supports, LimitReached> {
        let mut out = Supports {
            fixed: vec![None; csp.option_value.len()],
            ..Supports::default()
        };
        let bit = |bits: &[u64], o: usize| bits[o / 64] >> (o % 64) & 1 == 1;
        if !self.root(csp, choices) {
            return Ok(out);
        }
        // Values shown by known solutions that satisfy the choices.
        for bits in known {
            if !choices.iter().all(|&(o, s)| bit(bits, o) == s) {
                continue;
            }
            for (i, x) in csp.vars.iter().enumerate() {
                let v = (0..x.n_options)
                    .find(|v| bit(bits, x.first + *v as usize))
                    .unwrap_or(x.n_options);
                debug_assert!(v < x.n_values, "a known solution leaves a group empty");
                self.seen[(x.dom + v / 64) as usize] |= 1 << (v % 64);
                self.phase[i] = v;
            }
            out.satisfiable = true;
        }
        let mut failures = 0u64;
        let mut open: Vec<(u32, u32)> = Vec::new();
        for x in 0..csp.vars.len() as u32 {
            let var = &csp.vars[x as usize];
            while let Some(v) = self.first_value(var, &self.seen) {
                // Skip the values already left open (marked seen below, then unmarked).
                out.searches += 1;
                match self.search(csp, x, v, bound, &mut failures, effort)? {
                    Outcome::Solution => {
                        let mut bits = vec![0u64; csp.option_value.len().div_ceil(64)];
                        for (i, y) in csp.vars.iter().enumerate() {
                            let p = self.phase[i];
                            self.seen[(y.dom + p / 64) as usize] |= 1 << (p % 64);
                            if p < y.n_options {
                                let o = y.first + p as usize;
                                bits[o / 64] |= 1 << (o % 64);
                            }
                        }
                        out.solutions.push(bits);
                        out.satisfiable = true;
                    }
                    Outcome::Refuted => {
                        // No solution has `x = v`: remove it for good (root level).
                        if !(self.remove(csp, x, v) && self.propagate(csp)) {
                            debug_assert!(!out.satisfiable, "a solution was refuted");
                            out.satisfiable = false;
                            out.failures = failures;
                            return Ok(out);
                        }
                    }
                    Outcome::Bound => {
                        open.push((x, v));
                        self.seen[(var.dom + v / 64) as usize] |= 1 << (v % 64);
                    }
                }
            }
        }
        out.failures = failures;
        out.decisions = self.decisions;
        out.at_once = self.oneshot;
        out.open = open.len() as u32;
        if open.is_empty() {
            // A solution was found, or there is no variable at all.
            out.satisfiable = true;
        }
        if !out.satisfiable {
            // Every search was cut by the bound: nothing is known.
            debug_assert!(out.open > 0);
            return Ok(out);
        }
        for (x, v) in &open {
            let var = &csp.vars[*x as usize];
            self.seen[(var.dom + v / 64) as usize] &= !(1 << (v % 64));
        }
        // Excluded: not in the root domain (propagation or a refuted search removed it).
        // Forced: alone in it (a solution exists, so it has that value). Otherwise the
        // solutions show both values, except where a value was left open.
        for var in &csp.vars {
            let size = self.dom_size(var);
            for v in 0..var.n_options {
                let o = var.first + v as usize;
                out.fixed[o] = if !self.has(var, v) {
                    Some(false)
                } else if size == 1 {
                    Some(true)
                } else {
                    None
                };
            }
        }
        Ok(out)
    }
}

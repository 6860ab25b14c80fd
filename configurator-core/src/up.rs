//! Unit propagation over the compiled CNF, outside the SAT solver, for the cheap steps of the
//! backbone computation in [`crate::propagate`]:
//!
//! - *implied literals*: what unit propagation (UP) derives from the choices holds in every
//!   model that extends them, so it is backbone without a SAT call;
//! - *failed literals*: if UP derives a conflict from the choices and `¬l`, then `l` is
//!   backbone (failed-literal probing, Freeman 1995; used as a backbone filter by Janota, Lynce
//!   and Marques-Silva, "Algorithms for computing backbones of propositional formulae", AI
//!   Communications 2015, and by Biere, Froleyks and Wang, "CadiBack: Extracting backbones with
//!   CaDiCaL", SAT 2023);
//! - *rotatable literals*: a literal of a model whose every clause has another true literal can
//!   be flipped and the result is still a model (Janota et al. 2015, "rotatable variables";
//!   "flipping" in CadiBack), so its option is not backbone.
//!
//! Two watched literals per clause (Moskewicz et al., "Chaff", DAC 2001), a trail and
//! backtracking to a mark. Only sound deductions are made: UP is incomplete, so a literal it
//! does not decide is left to the SAT solver.

use crate::compile::Cnf;

const UNDEF: u8 = 0;
const TRUE: u8 = 1;
const FALSE: u8 = 2;

/// A literal as `2 * var + negated` (rustsat's `lidx`).
pub type LitCode = u32;

#[derive(Clone, Debug)]
pub struct UnitPropagator {
    /// Clause literals, clause `c` at `lits[start[c]..start[c + 1]]` (at least two literals;
    /// the first two are watched).
    lits: Vec<LitCode>,
    start: Vec<u32>,
    /// Per clause, where the last search for a new watch stopped (Gent, "Optimal
    /// implementation of watched literals and more general techniques", JAIR 2013: resuming
    /// there keeps long clauses, such as table supports, from being rescanned quadratically).
    resume: Vec<u32>,
    /// For each literal, the clauses watching it (visited when it becomes false).
    watches: Vec<Vec<u32>>,
    /// For each literal, the clauses that contain it: `occ[occ_start[l]..occ_start[l + 1]]`
    /// (for rotation and repair; clause membership never changes, only the order of a
    /// clause's literals).
    occ_start: Vec<u32>,
    occ: Vec<u32>,
    /// Unit clauses of the CNF.
    units: Vec<LitCode>,
    /// For each literal of an option variable: whether it is a unit clause.
    unit_option_lit: Vec<bool>,
    /// Per variable: `UNDEF`, `TRUE` or `FALSE`.
    value: Vec<u8>,
    trail: Vec<LitCode>,
    qhead: usize,
    /// False when the CNF has an empty clause.
    has_empty: bool,
}

impl UnitPropagator {
    pub fn new(cnf: &Cnf) -> Self {
        let n_lits = 2 * cnf.n_vars;
        let mut up = UnitPropagator {
            lits: Vec::new(),
            start: vec![0],
            resume: Vec::new(),
            watches: vec![Vec::new(); n_lits],
            occ_start: Vec::new(),
            occ: Vec::new(),
            units: Vec::new(),
            unit_option_lit: vec![false; 2 * cnf.n_options],
            value: vec![UNDEF; cnf.n_vars],
            trail: Vec::new(),
            qhead: 0,
            has_empty: false,
        };
        let mut buf: Vec<LitCode> = Vec::new();
        'clauses: for clause in &cnf.clauses {
            buf.clear();
            buf.extend(clause.iter().map(|l| l.lidx() as LitCode));
            buf.sort_unstable();
            buf.dedup();
            for w in buf.windows(2) {
                if w[0] ^ 1 == w[1] {
                    continue 'clauses; // tautology: always satisfied
                }
            }
            match buf.len() {
                0 => up.has_empty = true,
                1 => {
                    up.units.push(buf[0]);
                    if let Some(u) = up.unit_option_lit.get_mut(buf[0] as usize) {
                        *u = true;
                    }
                }
                _ => {
                    let c = (up.start.len() - 1) as u32;
                    up.watches[buf[0] as usize].push(c);
                    up.watches[buf[1] as usize].push(c);
                    up.lits.extend_from_slice(&buf);
                    up.start.push(up.lits.len() as u32);
                    up.resume.push(2);
                }
            }
        }
        // Occurrence lists in one array (counting sort by literal).
        let mut count = vec![0u32; n_lits + 1];
        for &l in &up.lits {
            count[l as usize + 1] += 1;
        }
        for i in 0..n_lits {
            count[i + 1] += count[i];
        }
        up.occ = vec![0; up.lits.len()];
        let mut next = count.clone();
        for c in 0..up.start.len() - 1 {
            for k in up.start[c]..up.start[c + 1] {
                let l = up.lits[k as usize] as usize;
                up.occ[next[l] as usize] = c as u32;
                next[l] += 1;
            }
        }
        up.occ_start = count;
        up
    }

    /// The clauses (of at least two literals) that contain `l`.
    pub(crate) fn occurrences(&self, l: LitCode) -> &[u32] {
        &self.occ[self.occ_start[l as usize] as usize..self.occ_start[l as usize + 1] as usize]
    }

    pub(crate) fn clause(&self, c: u32) -> &[LitCode] {
        &self.lits[self.start[c as usize] as usize..self.start[c as usize + 1] as usize]
    }

    /// The number of variables.
    pub fn n_vars(&self) -> usize {
        self.value.len()
    }

    #[inline]
    fn lit_value(&self, l: LitCode) -> u8 {
        let v = self.value[(l >> 1) as usize];
        if v == UNDEF || l & 1 == 0 {
            v
        } else {
            v ^ 3 // TRUE <-> FALSE
        }
    }

    fn value_of_var(&self, v: usize) -> u8 {
        self.value[v]
    }

    /// The value of a literal: `Some(true)` if UP made it true, `Some(false)` if false.
    pub fn value(&self, l: LitCode) -> Option<bool> {
        match self.lit_value(l) {
            TRUE => Some(true),
            FALSE => Some(false),
            _ => None,
        }
    }

    /// Unassigns everything and assigns the unit clauses; false when UP refutes the CNF alone.
    pub fn reset(&mut self) -> bool {
        self.backtrack(0);
        if self.has_empty {
            return false;
        }
        for i in 0..self.units.len() {
            if !self.assign(self.units[i]) {
                return false;
            }
        }
        self.propagate()
    }

    /// The trail's length, to [`backtrack`](Self::backtrack) to.
    pub fn mark(&self) -> usize {
        self.trail.len()
    }

    /// The literals assigned since `mark`.
    pub fn assigned_since(&self, mark: usize) -> &[LitCode] {
        &self.trail[mark..]
    }

    pub fn backtrack(&mut self, mark: usize) {
        for &l in &self.trail[mark..] {
            self.value[(l >> 1) as usize] = UNDEF;
        }
        self.trail.truncate(mark);
        self.qhead = self.qhead.min(mark);
    }

    /// Makes `l` true (to be followed by [`propagate`](Self::propagate)); false if it is
    /// already false.
    pub fn assign(&mut self, l: LitCode) -> bool {
        match self.lit_value(l) {
            TRUE => true,
            FALSE => false,
            _ => {
                self.value[(l >> 1) as usize] = if l & 1 == 0 { TRUE } else { FALSE };
                self.trail.push(l);
                true
            }
        }
    }

    /// Unit propagation to a fixpoint; false on a conflict (the assignment then stays partial:
    /// backtrack before using it again).
    pub fn propagate(&mut self) -> bool {
        while self.qhead < self.trail.len() {
            let p = self.trail[self.qhead];
            self.qhead += 1;
            let false_lit = p ^ 1;
            let mut ws = std::mem::take(&mut self.watches[false_lit as usize]);
            let (mut i, mut j) = (0, 0);
            let mut ok = true;
            while i < ws.len() {
                let c = ws[i];
                i += 1;
                let s = self.start[c as usize] as usize;
                let e = self.start[c as usize + 1] as usize;
                if self.lits[s] == false_lit {
                    self.lits.swap(s, s + 1);
                }
                let first = self.lits[s];
                if self.lit_value(first) == TRUE {
                    ws[j] = c;
                    j += 1;
                    continue;
                }
                let mut moved = false;
                let len = e - s;
                if len > 2 {
                    let r = self.resume[c as usize] as usize;
                    for k in (r..len).chain(2..r) {
                        let l = self.lits[s + k];
                        if self.lit_value(l) != FALSE {
                            self.lits.swap(s + 1, s + k);
                            self.watches[l as usize].push(c);
                            self.resume[c as usize] = k as u32;
                            moved = true;
                            break;
                        }
                    }
                }
                if moved {
                    continue;
                }
                ws[j] = c;
                j += 1;
                if !self.assign(first) {
                    ok = false;
                    while i < ws.len() {
                        ws[j] = ws[i];
                        i += 1;
                        j += 1;
                    }
                }
            }
            ws.truncate(j);
            self.watches[false_lit as usize] = ws;
            if !ok {
                self.qhead = self.trail.len();
                return false;
            }
        }
        true
    }

    /// Adds a clause that follows from the CNF (a learnt clause of a SAT solver over it), for
    /// stronger propagation, and assigns and propagates what it implies under the current
    /// assignment. Call it only where the current assignment stays until the next
    /// [`reset`](Self::reset) (the watches are chosen for it). False on a conflict (the current
    /// assignment has no model). The clause is not in the occurrence lists: rotation and
    /// repair keep models of the CNF, which satisfy it anyway.
    pub fn add_implied(&mut self, clause: &[LitCode]) -> bool {
        let mut buf: Vec<LitCode> = clause.to_vec();
        buf.sort_unstable();
        buf.dedup();
        if buf.windows(2).any(|w| w[0] ^ 1 == w[1]) {
            return true;
        }
        match buf.len() {
            0 => {
                self.has_empty = true;
                return false;
            }
            1 => {
                self.units.push(buf[0]);
                if let Some(u) = self.unit_option_lit.get_mut(buf[0] as usize) {
                    *u = true;
                }
                return self.assign(buf[0]) && self.propagate();
            }
            _ => {}
        }
        // Watch two literals that are not false, else the one that is not (true, or implied
        // now) and a false one.
        buf.sort_by_key(|&l| self.lit_value(l) == FALSE);
        let c = (self.start.len() - 1) as u32;
        self.watches[buf[0] as usize].push(c);
        self.watches[buf[1] as usize].push(c);
        self.lits.extend_from_slice(&buf);
        self.start.push(self.lits.len() as u32);
        self.resume.push(2);
        match (self.lit_value(buf[0]), self.lit_value(buf[1])) {
            (FALSE, _) => false,
            (UNDEF, FALSE) => self.assign(buf[0]) && self.propagate(),
            _ => true,
        }
    }

    /// A clause (of the CNF or added) that the full assignment `model` falsifies, or one of
    /// the literals this propagator assigned that `model` lacks (as `usize::MAX`); `None` when
    /// `model` satisfies them all (for checks).
    pub fn falsified_in(&self, model: &[bool]) -> Option<usize> {
        let true_in = |x: LitCode| model[(x >> 1) as usize] != (x & 1 == 1);
        if self.trail.iter().chain(&self.units).any(|&l| !true_in(l)) {
            return Some(usize::MAX);
        }
        (0..self.start.len() - 1).find(|&c| !self.clause(c as u32).iter().any(|&x| true_in(x)))
    }

    /// Failed-literal probe: whether UP from the current assignment and `l` derives a conflict
    /// (then `¬l` is implied). The assignment is left as it was.
    pub fn fails(&mut self, l: LitCode) -> bool {
        let mark = self.mark();
        let failed = !self.assign(l) || !self.propagate();
        self.backtrack(mark);
        failed
    }

    /// Whether flipping the variables `vars` of `model` (a full assignment that satisfies every
    /// clause and agrees with the current assignment) gives such an assignment again: none of
    /// them is assigned, and every clause that contains a literal the flips make false keeps a
    /// true literal. Only those clauses are read; `model` is left as it was.
    pub fn flips_keep_model(&self, model: &mut [bool], vars: &[u32]) -> bool {
        if vars.iter().any(|&v| self.value[v as usize] != UNDEF) {
            return false;
        }
        for &v in vars {
            model[v as usize] = !model[v as usize];
        }
        let true_in = |m: &[bool], x: LitCode| m[(x >> 1) as usize] != (x & 1 == 1);
        let ok = vars.iter().all(|&v| {
            // The literal of `v` that was true before the flips.
            let was = 2 * v + u32::from(model[v as usize]);
            self.occurrences(was)
                .iter()
                .all(|&c| self.clause(c).iter().any(|&x| true_in(model, x)))
        });
        for &v in vars {
            model[v as usize] = !model[v as usize];
        }
        ok
    }

    /// Whether literal `l` (of an option variable), true in the full assignment `model`, can
    /// be flipped without falsifying a clause: every clause containing it has another true
    /// literal. `model[v]` is the value of variable `v`.
    pub fn rotatable(&self, l: LitCode, model: &[bool]) -> bool {
        let true_in = |x: LitCode| model[(x >> 1) as usize] != (x & 1 == 1);
        debug_assert!(true_in(l));
        if self.unit_option_lit[l as usize] {
            return false;
        }
        self.occurrences(l)
            .iter()
            .all(|&c| self.clause(c).iter().any(|&x| x != l && true_in(x)))
    }
}

/// Bounds of one [`Flipper::repair`].
#[derive(Clone, Copy, Debug)]
pub struct RepairBudget {
    /// Variables flipped at most.
    pub flips: usize,
    /// Clauses and clause literals read at most.
    pub visits: usize,
    /// Whether a variable this repair flipped may be flipped back when a falsified clause has
    /// no other candidate (a WalkSAT move, Selman, Kautz and Cohen 1994, instead of giving up;
    /// only `flips` bounds the repair then). Worth it for the repair of a whole base model to
    /// new choices, whose budget is large: on Linux 2018 most of those failed at such a dead
    /// end, and with this 9 of the 10 base repairs of one click succeed instead of 0.
    pub reflips: bool,
}

/// Repairs a model after flipping one literal: a *k-flip* generalisation of rotation.
///
/// A rotatable literal (Janota, Lynce and Marques-Silva, "Algorithms for computing backbones of
/// propositional formulae", AI Communications 2015) can be flipped alone. In a configuration
/// model most option literals cannot: choosing another member of an exactly-one group needs the
/// chosen member deselected and the auxiliary variables of the group's cardinality encoding,
/// of table rows or of Tseitin definitions updated. Following recursive model rotation
/// (Belov and Marques-Silva, "Accelerating MUS extraction with recursive model rotation",
/// FMCAD 2011), which keeps flipping as long as each step leaves one clause to fix, the repair
/// flips the wanted literal and then, for every clause it falsified, one more variable of that
/// clause: one not flipped yet and not fixed by unit propagation of the choices and the proved
/// backbone, the one whose flip falsifies the fewest clauses (WalkSAT's "break count", Selman,
/// Kautz and Cohen 1994), so a table's replacement row is the one that agrees most with the
/// model; candidates are scored in order of fewest occurrences, so the cheap counts come first
/// and cap the scans of frequent variables (on Linux 2018 this raised the share of options a
/// model repairs within the budget from 42 % to 63 %). Every variable flips at most once
/// (unless [`RepairBudget::reflips`] allows flipping one back at a dead end), so the repair
/// stops; it gives up (the model is restored) when a falsified clause has nothing left to flip
/// or the budget runs out.
///
/// As in WalkSAT implementations, the number of true literals of every clause in the current
/// assignment is kept up to date through the flips ([`load`](Self::load) counts them for a
/// model): a clause is falsified when its count is 0, and flipping `x` breaks exactly the
/// clauses of `¬x` whose count is 1, so both tests read one number per clause instead of
/// scanning its literals.
///
/// Success is exact: every clause containing a literal made false was checked after its last
/// change and has a true literal, and every other clause keeps the true literal it had in the
/// original model. So the result is a model of the CNF that agrees with the unit propagator's
/// fixed literals (the choices and the backbone proved so far) — a witness that the flipped
/// literal is not backbone, found without the SAT solver. Failure proves nothing.
#[derive(Clone, Debug, Default)]
pub struct Flipper {
    /// `stamp[v] == epoch`: variable `v` was flipped in the current repair.
    stamp: Vec<u32>,
    epoch: u32,
    flipped: Vec<u32>,
    /// Literals made false, whose clauses are still to be checked.
    queue: Vec<LitCode>,
    /// Per clause (of at least two literals): its true literals in the current assignment,
    /// valid where `count_stamp[c] == count_epoch` (counted when first read after a
    /// [`load`](Self::load), then kept up to date through the flips).
    num_true: Vec<u32>,
    count_stamp: Vec<u32>,
    count_epoch: u32,
    /// Scratch: the candidates of one falsified clause.
    cands: Vec<LitCode>,
    /// Clauses and clause literals read by all repairs so far (for profiling).
    pub visits: u64,
    /// Flips back of a variable flipped earlier in the same repair, over all repairs so far
    /// (see [`RepairBudget::reflips`]).
    pub reflips: u64,
}

impl Flipper {
    /// The variables the last successful repair flipped (until [`undo`](Self::undo)).
    pub fn flipped(&self) -> &[u32] {
        &self.flipped
    }

    /// To be called before repairing a new model (`model`, a full assignment): forgets the
    /// clause counts of the previous one. Constant time: a clause's true literals are counted
    /// when a repair first reads them, so switching between models costs nothing up front.
    pub fn load(&mut self, up: &UnitPropagator, _model: &[bool]) {
        let n = up.start.len() - 1;
        if self.count_stamp.len() != n {
            self.count_stamp = vec![0; n];
            self.num_true = vec![0; n];
            self.count_epoch = 0;
        }
        self.count_epoch = self.count_epoch.wrapping_add(1);
        if self.count_epoch == 0 {
            self.count_stamp.iter_mut().for_each(|s| *s = 0);
            self.count_epoch = 1;
        }
    }

    /// The true literals of clause `c` in `model` (counted now if not known; the literals
    /// read are added to `visits`).
    #[inline]
    fn count(&mut self, up: &UnitPropagator, model: &[bool], c: u32, visits: &mut usize) -> u32 {
        let ci = c as usize;
        if self.count_stamp[ci] != self.count_epoch {
            let lits = up.clause(c);
            *visits += lits.len();
            self.num_true[ci] = lits
                .iter()
                .filter(|&&x| model[(x >> 1) as usize] != (x & 1 == 1))
                .count() as u32;
            self.count_stamp[ci] = self.count_epoch;
        }
        self.num_true[ci]
    }

    /// Makes `x` true (it is false), keeping the known counts.
    fn set_true(&mut self, up: &UnitPropagator, model: &mut [bool], x: LitCode) {
        model[(x >> 1) as usize] = x & 1 == 0;
        let epoch = self.count_epoch;
        for &c in up.occurrences(x) {
            if self.count_stamp[c as usize] == epoch {
                self.num_true[c as usize] += 1;
            }
        }
        for &c in up.occurrences(x ^ 1) {
            if self.count_stamp[c as usize] == epoch {
                self.num_true[c as usize] -= 1;
            }
        }
    }

    fn flip(&mut self, up: &UnitPropagator, model: &mut [bool], x: LitCode) {
        let v = (x >> 1) as usize;
        self.set_true(up, model, x);
        self.stamp[v] = self.epoch;
        self.flipped.push(v as u32);
        self.queue.push(x ^ 1);
    }

    /// Restores the variables the last repair flipped (and the counts).
    pub fn undo(&mut self, up: &UnitPropagator, model: &mut [bool]) {
        let flipped = std::mem::take(&mut self.flipped);
        for &v in &flipped {
            // The literal of `v` that is false now becomes true again.
            let x = 2 * v + u32::from(model[v as usize]);
            self.set_true(up, model, x);
        }
        self.flipped = flipped;
        self.flipped.clear();
    }

    /// Makes literal `l` (false in the full assignment `model`, a model of the CNF that
    /// agrees with `up`'s assigned literals and was [`load`](Self::load)ed) true and repairs
    /// the rest, see the type's documentation. True: `model` is a model again, with `l` (call
    /// [`undo`](Self::undo) to get the original back); false: `model` is unchanged.
    pub fn repair(
        &mut self,
        up: &UnitPropagator,
        model: &mut [bool],
        l: LitCode,
        budget: RepairBudget,
    ) -> bool {
        if up.value_of_var((l >> 1) as usize) != UNDEF {
            return false;
        }
        self.run(up, model, &[l], budget)
    }

    /// Makes a model of the CNF (`model`, a full assignment, [`load`](Self::load)ed) agree
    /// with `up`'s assigned literals (for example the model of the previous click, under this
    /// click's choices), flipping the ones it lacks and repairing the rest as
    /// [`repair`](Self::repair) does.
    pub fn repair_to(
        &mut self,
        up: &UnitPropagator,
        model: &mut [bool],
        budget: RepairBudget,
    ) -> bool {
        let starts: Vec<LitCode> = up
            .trail
            .iter()
            .copied()
            .filter(|&x| model[(x >> 1) as usize] == (x & 1 == 1))
            .collect();
        self.run(up, model, &starts, budget)
    }

    fn run(
        &mut self,
        up: &UnitPropagator,
        model: &mut [bool],
        starts: &[LitCode],
        budget: RepairBudget,
    ) -> bool {
        debug_assert!(
            (0..self.count_stamp.len()).all(|c| self.count_stamp[c] != self.count_epoch
                || self.num_true[c] as usize
                    == up
                        .clause(c as u32)
                        .iter()
                        .filter(|&&x| model[(x >> 1) as usize] != (x & 1 == 1))
                        .count()),
            "the counts are not those of the model (load it first)"
        );
        if self.stamp.len() != model.len() {
            self.stamp = vec![0; model.len()];
            self.epoch = 0;
        }
        self.epoch = self.epoch.wrapping_add(1);
        if self.epoch == 0 {
            self.stamp.iter_mut().for_each(|s| *s = 0);
            self.epoch = 1;
        }
        self.flipped.clear();
        self.queue.clear();
        for &l in starts {
            debug_assert!(model[(l >> 1) as usize] == (l & 1 == 1), "already true");
            self.flip(up, model, l);
        }
        let mut visits = 0usize;
        let mut reflipped = false;
        while let Some(f) = self.queue.pop() {
            for &c in up.occurrences(f) {
                visits += 1;
                if self.count(up, model, c, &mut visits) > 0 {
                    continue;
                }
                let lits = up.clause(c);
                visits += lits.len();
                // Falsified: flip the free variable that breaks the fewest clauses. Candidates
                // with fewer occurrences first: their counts are cheap and cap the scans of
                // the frequent ones.
                let mut cands = std::mem::take(&mut self.cands);
                cands.clear();
                cands.extend(lits.iter().copied().filter(|&x| {
                    let v = (x >> 1) as usize;
                    self.stamp[v] != self.epoch && up.value_of_var(v) == UNDEF
                }));
                if cands.is_empty() && budget.reflips {
                    // A dead end: every free variable of the clause was flipped already. Flip
                    // one back (not a start literal, nor the variable just flipped, which
                    // would undo the last step).
                    let last = self.flipped.last().copied();
                    let pinned = &self.flipped[..starts.len()];
                    cands.extend(lits.iter().copied().filter(|&x| {
                        let v = x >> 1;
                        up.value_of_var(v as usize) == UNDEF
                            && Some(v) != last
                            && !pinned.contains(&v)
                    }));
                    reflipped |= !cands.is_empty();
                }
                cands.sort_by_key(|&x| up.occurrences(x ^ 1).len());
                let mut best: Option<(usize, LitCode)> = None;
                for &x in &cands {
                    // Clauses only `¬x` satisfies, counted up to the best so far.
                    let cap = best.map_or(usize::MAX, |(b, _)| b);
                    let mut breaks = 0;
                    for &d in up.occurrences(x ^ 1) {
                        visits += 1;
                        if self.count(up, model, d, &mut visits) == 1 {
                            breaks += 1;
                            if breaks >= cap {
                                break;
                            }
                        }
                        if visits > budget.visits {
                            break; // over budget: the repair gives up below
                        }
                    }
                    if best.is_none_or(|(b, _)| breaks < b) {
                        best = Some((breaks, x));
                        if breaks == 0 {
                            break;
                        }
                    }
                    if visits > budget.visits {
                        break;
                    }
                }
                self.cands = cands;
                match best {
                    Some((_, x))
                        if self.flipped.len() < budget.flips && visits <= budget.visits =>
                    {
                        if self.stamp[(x >> 1) as usize] == self.epoch {
                            self.reflips += 1;
                        }
                        self.flip(up, model, x)
                    }
                    _ => {
                        self.visits += visits as u64;
                        self.undo(up, model);
                        return false;
                    }
                }
            }
        }
        self.visits += visits as u64;
        if reflipped {
            // A variable flipped an even number of times has its old value: `flipped` keeps
            // the variables that changed, each once (as `undo` and the witnesses expect).
            let mut f = std::mem::take(&mut self.flipped);
            f.sort_unstable();
            let mut i = 0;
            while i < f.len() {
                let j = i + f[i..].iter().take_while(|&&v| v == f[i]).count();
                if (j - i) % 2 == 1 {
                    self.flipped.push(f[i]);
                }
                i = j;
            }
        }
        debug_assert!(
            (0..up.start.len() - 1).all(|c| up
                .clause(c as u32)
                .iter()
                .any(|&x| model[(x >> 1) as usize] != (x & 1 == 1))),
            "repair left a clause false"
        );
        true
    }
}

/// Random small CNFs for the unit tests here and in `propagate`, checked against enumeration.
#[cfg(test)]
pub(crate) mod testing {
    use crate::compile::Cnf;
    use rustsat::types::{Lit, Var};

    /// xorshift64: `rnd(n)` is a number below `n`; one seed fixes a whole test.
    pub(crate) fn xorshift(mut x: u64) -> impl FnMut(u64) -> u64 {
        move |n| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % n
        }
    }

    /// A clause of `len` random literals over `n_vars` variables.
    pub(crate) fn clause(rnd: &mut impl FnMut(u64) -> u64, n_vars: usize, len: u64) -> Vec<Lit> {
        (0..len)
            .map(|_| Var::new(rnd(n_vars as u64) as u32).lit(rnd(2) == 1))
            .collect()
    }

    /// `count` clauses of `min_len + rnd(spread)` random literals each over `n_vars` variables.
    pub(crate) fn clauses(
        rnd: &mut impl FnMut(u64) -> u64,
        n_vars: usize,
        count: u64,
        (min_len, spread): (u64, u64),
    ) -> Vec<Vec<Lit>> {
        (0..count)
            .map(|_| {
                let len = min_len + rnd(spread);
                clause(rnd, n_vars, len)
            })
            .collect()
    }

    /// Whether `m` satisfies every clause of `cnf`.
    pub(crate) fn is_model(cnf: &Cnf, m: &[bool]) -> bool {
        cnf.clauses.iter().all(|c| c.iter().any(|l| holds(m, *l)))
    }

    /// A plain CNF (no rule owners, no linear rows).
    pub(crate) fn cnf(n_options: usize, n_vars: usize, clauses: Vec<Vec<Lit>>) -> Cnf {
        Cnf {
            n_options,
            n_vars,
            owner: vec![None; clauses.len()],
            clauses,
            linear: Vec::new(),
            csp: None,
        }
    }

    pub(crate) fn holds(m: &[bool], l: Lit) -> bool {
        m[l.var().idx()] != l.is_neg()
    }

    /// Every model, by enumeration.
    pub(crate) fn models(cnf: &Cnf) -> Vec<Vec<bool>> {
        (0u32..1 << cnf.n_vars)
            .map(|b| (0..cnf.n_vars).map(|i| b >> i & 1 == 1).collect::<Vec<_>>())
            .filter(|m| cnf.clauses.iter().all(|c| c.iter().any(|l| holds(m, *l))))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::testing::{clause, clauses, cnf, holds, is_model, models, xorshift};
    use super::*;

    /// The variables a repair flipped and those that differ between `before` and `after`,
    /// both sorted (they must be equal: each changed variable once, as the witnesses expect).
    fn flipped_and_changed(
        flipper: &Flipper,
        before: &[bool],
        after: &[bool],
    ) -> (Vec<u32>, Vec<u32>) {
        let changed: Vec<u32> = (0..before.len() as u32)
            .filter(|&u| after[u as usize] != before[u as usize])
            .collect();
        let mut flipped = flipper.flipped().to_vec();
        flipped.sort_unstable();
        (flipped, changed)
    }
    use rustsat::types::{Lit, Var};

    /// Random small CNFs against enumeration: a successful repair gives a model (of every
    /// clause, unit clauses included) with the wanted literal that keeps every literal unit
    /// propagation fixed; `undo` and a failed repair give the original model back; a repair to
    /// the propagator's assignment gives a model that agrees with it.
    #[test]
    fn repairs_give_models() {
        let mut rnd = xorshift(0x1234_5678_9ABC_DEF1u64);
        let (mut repaired, mut failed, mut multi, mut to_base) = (0, 0, 0, 0);
        let mut flipper_reflips = 0;
        for _ in 0..600 {
            let n_vars = 2 + rnd(8) as usize;
            let count = rnd(4 * n_vars as u64);
            let clauses = clauses(&mut rnd, n_vars, count, (1, 4));
            let cnf = cnf(n_vars, n_vars, clauses);
            let is_model = |m: &[bool]| is_model(&cnf, m);
            let models = models(&cnf);
            let mut up = UnitPropagator::new(&cnf);
            if !up.reset() {
                continue;
            }
            let assume = Var::new(rnd(n_vars as u64) as u32).lit(rnd(2) == 1);
            let fixed_ok = up.assign(assume.lidx() as u32) && up.propagate();
            let agrees = |up: &UnitPropagator, m: &[bool]| {
                (0..n_vars).all(
                    |v| match up.value(Var::new(v as u32).pos_lit().lidx() as u32) {
                        Some(val) => m[v] == val,
                        None => true,
                    },
                )
            };
            // With flips back, repairs need more flips than variables to get past a dead end.
            let reflips = rnd(2) == 1;
            let budget = RepairBudget {
                flips: 1 + rnd(if reflips { 40 } else { 8 }) as usize,
                visits: 1000,
                reflips,
            };
            let mut flipper = Flipper::default();
            for m in &models {
                // From any model to the propagator's assignment.
                let mut w = m.clone();
                flipper.load(&up, &w);
                if fixed_ok && flipper.repair_to(&up, &mut w, budget) {
                    to_base += 1;
                    assert!(is_model(&w) && agrees(&up, &w), "repair_to: {cnf:?}");
                    // `flipped` is what changed, each variable once (the witnesses rely on it).
                    let (flipped, changed) = flipped_and_changed(&flipper, m, &w);
                    assert_eq!(flipped, changed, "repair_to: flipped {cnf:?}");
                    flipper.undo(&up, &mut w);
                } else {
                    assert_eq!(&w, m, "failed repair_to changed the model");
                }
                assert_eq!(&w, m, "undo");
                if !fixed_ok || !agrees(&up, m) {
                    continue;
                }
                for v in 0..n_vars {
                    let l = Var::new(v as u32).lit(m[v]); // false in m
                    let mut w = m.clone();
                    if flipper.repair(&up, &mut w, l.lidx() as u32, budget) {
                        repaired += 1;
                        if flipper.flipped().len() > 1 {
                            multi += 1;
                        }
                        assert!(holds(&w, l), "{l:?} not made true");
                        assert!(is_model(&w), "repair of {l:?} gave no model: {cnf:?}");
                        assert!(agrees(&up, &w), "repair of {l:?} flipped a fixed literal");
                        let (flipped, changed) = flipped_and_changed(&flipper, m, &w);
                        assert_eq!(flipped, changed, "repair of {l:?}: flipped {cnf:?}");
                        flipper.undo(&up, &mut w);
                    } else {
                        failed += 1;
                    }
                    assert_eq!(&w, m, "model not restored");
                }
            }
            flipper_reflips += flipper.reflips;
        }
        let reflips = flipper_reflips;
        assert!(
            repaired > 100 && failed > 100 && multi > 50 && to_base > 50 && reflips > 20,
            "{repaired} {failed} {multi} {to_base} {reflips}"
        );
    }

    /// Random small CNFs against enumeration: what unit propagation derives holds in every
    /// model, failed literals are refuted by every model, and flipping a rotatable literal of a
    /// model gives a model.
    #[test]
    fn deductions_hold_in_every_model() {
        let mut rnd = xorshift(0x9E37_79B9_7F4A_7C15u64);
        for _ in 0..400 {
            let n_vars = 2 + rnd(7) as usize;
            let n_options = 1 + rnd(n_vars as u64) as usize;
            let count = rnd(12);
            let clauses = clauses(&mut rnd, n_vars, count, (1, 4));
            let cnf = cnf(n_options, n_vars, clauses);
            let models = models(&cnf);
            let mut up = UnitPropagator::new(&cnf);
            if !up.reset() {
                assert!(models.is_empty(), "UP refuted a satisfiable CNF: {cnf:?}");
                continue;
            }
            let assume = Var::new(rnd(n_vars as u64) as u32).lit(rnd(2) == 1);
            let sub: Vec<&Vec<bool>> = models.iter().filter(|m| holds(m, assume)).collect();
            if !(up.assign(assume.lidx() as u32) && up.propagate()) {
                assert!(sub.is_empty(), "UP refuted {assume:?} wrongly: {cnf:?}");
                continue;
            }
            for v in 0..n_vars {
                for l in [Var::new(v as u32).pos_lit(), Var::new(v as u32).neg_lit()] {
                    if up.value(l.lidx() as u32) == Some(true) {
                        assert!(
                            sub.iter().all(|m| holds(m, l)),
                            "{l:?} not implied: {cnf:?}"
                        );
                    }
                    if up.value(l.lidx() as u32).is_none() && up.fails(l.lidx() as u32) {
                        assert!(sub.iter().all(|m| !holds(m, l)), "{l:?} did not fail");
                    }
                }
            }
            for m in &models {
                for o in 0..n_options {
                    let l = Var::new(o as u32).lit(!m[o]);
                    if up.rotatable(l.lidx() as u32, m) {
                        let mut flipped = m.clone();
                        flipped[o] = !flipped[o];
                        assert!(models.contains(&flipped), "{l:?} is not rotatable: {cnf:?}");
                    }
                }
            }
        }
    }
    /// Random small CNFs against enumeration: clauses that every model satisfies, added at an
    /// assignment (as learnt clauses are), keep unit propagation sound, and it stays a fixpoint
    /// over all clauses (the watches of the added ones are right), there and after a reset and
    /// a new assignment.
    #[test]
    fn implied_clauses_keep_propagation_sound_and_complete() {
        let mut rnd = xorshift(0x3C6E_F372_FE94_F82Bu64);
        let mut added_total = 0;
        for _ in 0..600 {
            let n_vars = 2 + rnd(7) as usize;
            let count = rnd(14);
            let clauses = clauses(&mut rnd, n_vars, count, (2, 3));
            let cnf = cnf(n_vars, n_vars, clauses);
            let models = models(&cnf);
            let mut up = UnitPropagator::new(&cnf);
            if !up.reset() {
                continue;
            }
            let mut all: Vec<Vec<Lit>> = cnf.clauses.clone();
            let check = |up: &UnitPropagator, all: &[Vec<Lit>], sub: &[&Vec<bool>]| {
                for v in 0..n_vars {
                    let l = Var::new(v as u32).pos_lit();
                    if let Some(val) = up.value(l.lidx() as u32) {
                        assert!(sub.iter().all(|m| m[v] == val), "unsound: {cnf:?} {all:?}");
                    }
                }
                for c in all {
                    let vals: Vec<Option<bool>> =
                        c.iter().map(|l| up.value(l.lidx() as u32)).collect();
                    if vals.contains(&Some(true)) {
                        continue;
                    }
                    let open = vals.iter().filter(|v| v.is_none()).count();
                    assert!(open >= 2, "not a fixpoint: {c:?} under {cnf:?} {all:?}");
                }
            };
            let a = Var::new(rnd(n_vars as u64) as u32).lit(rnd(2) == 1);
            let sub: Vec<&Vec<bool>> = models.iter().filter(|m| holds(m, a)).collect();
            if sub.is_empty() || !(up.assign(a.lidx() as u32) && up.propagate()) {
                continue;
            }
            for _ in 0..rnd(6) {
                let len = 1 + rnd(3);
                let mut c = clause(&mut rnd, n_vars, len);
                if rnd(2) == 0 {
                    // `¬a ∨ x` for a literal `x` of every model with `a` that propagation
                    // missed: unit under the assignment.
                    let missed: Vec<Lit> = (0..n_vars)
                        .flat_map(|v| [Var::new(v as u32).pos_lit(), Var::new(v as u32).neg_lit()])
                        .filter(|x| up.value(x.lidx() as u32).is_none())
                        .filter(|x| sub.iter().all(|m| holds(m, *x)))
                        .collect();
                    if let Some(x) = missed.first() {
                        c = vec![!a, *x];
                    }
                }
                if !models.iter().all(|m| c.iter().any(|l| holds(m, *l))) {
                    continue; // not implied
                }
                let codes: Vec<LitCode> = c.iter().map(|l| l.lidx() as LitCode).collect();
                assert!(
                    up.add_implied(&codes),
                    "conflict on a satisfiable assignment"
                );
                all.push(c);
                added_total += 1;
                check(&up, &all, &sub);
            }
            assert!(up.reset());
            check(&up, &all, &models.iter().collect::<Vec<_>>());
            let b = Var::new(rnd(n_vars as u64) as u32).lit(rnd(2) == 1);
            let sub: Vec<&Vec<bool>> = models.iter().filter(|m| holds(m, b)).collect();
            if up.assign(b.lidx() as u32) && up.propagate() {
                check(&up, &all, &sub);
            } else {
                assert!(sub.is_empty(), "refuted wrongly");
            }
        }
        assert!(added_total > 300, "{added_total}");
    }

    /// Random sparse 2- and 3-CNFs against enumeration: a repair that fails at a dead end
    /// without flips back ([`RepairBudget::reflips`]) and succeeds with them gives a model with
    /// the wanted literal that keeps the propagator's literals, `flipped` holds exactly the
    /// variables that changed (a variable flipped twice is not among them), and `undo` restores
    /// the model.
    #[test]
    fn flips_back_turn_dead_ends_into_repairs() {
        let mut rnd = xorshift(0x2F0B_3C5D_A1E7_9B41u64);
        let (mut rescued, mut tried) = (0, 0);
        for _ in 0..1500 {
            let n_vars = 4 + rnd(9) as usize;
            let count = n_vars as u64 * (10 + rnd(20)) / 10;
            let clauses = clauses(&mut rnd, n_vars, count, (2, 2));
            let cnf = cnf(n_vars, n_vars, clauses);
            let is_model = |m: &[bool]| is_model(&cnf, m);
            let models = models(&cnf);
            let mut up = UnitPropagator::new(&cnf);
            if !up.reset() {
                continue;
            }
            let agrees = |m: &[bool]| {
                (0..n_vars).all(|v| {
                    up.value(Var::new(v as u32).pos_lit().lidx() as u32)
                        .is_none_or(|val| m[v] == val)
                })
            };
            let mut flipper = Flipper::default();
            for m in models.iter().filter(|m| agrees(m)) {
                flipper.load(&up, m);
                for v in 0..n_vars {
                    let l = Var::new(v as u32).lit(m[v]).lidx() as u32; // false in m
                    let mut w = m.clone();
                    let mut budget = RepairBudget {
                        flips: 60,
                        visits: 100_000,
                        reflips: false,
                    };
                    if flipper.repair(&up, &mut w, l, budget) {
                        flipper.undo(&up, &mut w);
                        continue;
                    }
                    tried += 1;
                    budget.reflips = true;
                    let before = flipper.reflips;
                    if flipper.repair(&up, &mut w, l, budget) {
                        assert!(flipper.reflips > before, "succeeded without a flip back");
                        rescued += 1;
                        assert!(
                            holds(&w, Var::new(v as u32).lit(m[v])),
                            "literal not made true"
                        );
                        assert!(is_model(&w) && agrees(&w), "not a model: {cnf:?}");
                        let (flipped, changed) = flipped_and_changed(&flipper, m, &w);
                        assert_eq!(flipped, changed, "flipped is not what changed: {cnf:?}");
                        flipper.undo(&up, &mut w);
                    }
                    assert_eq!(&w, m, "model not restored");
                }
            }
        }
        assert!(
            rescued > 100 && tried > 10 * rescued,
            "{rescued} of {tried}"
        );
    }
}

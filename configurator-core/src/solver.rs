//! The SAT solver behind every question the configurator asks: batsat (a MiniSat descendant in
//! pure Rust, so it also runs in the browser), used incrementally with assumptions.
//!
//! Every call runs under an [`Effort`] budget counted in conflicts, not time: the core has no
//! clock (there is none in `wasm32-unknown-unknown`), and conflict counts make results
//! reproducible. When the budget runs out the call returns [`LimitReached`] instead of guessing.

use crate::compile::Cnf;
use batsat::{lbool, Callbacks, ClauseKind, SolverInterface};
use rustsat::types::Lit;
use std::fmt;

/// A budget of solver conflicts shared by all the solver calls of one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Effort {
    pub max_conflicts: u64,
    pub used: u64,
}

impl Effort {
    pub fn new(max_conflicts: u64) -> Self {
        Effort {
            max_conflicts,
            used: 0,
        }
    }

    pub fn remaining(&self) -> u64 {
        self.max_conflicts.saturating_sub(self.used)
    }
}

impl Default for Effort {
    /// Ample for catalogs of thousands of options; a hard model still stops within seconds.
    fn default() -> Self {
        Effort::new(2_000_000)
    }
}

/// The effort budget ran out before the answer was known.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LimitReached {
    pub max_conflicts: u64,
}

impl fmt::Display for LimitReached {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the solver's effort limit ({} conflicts) was reached before the answer was known",
            self.max_conflicts
        )
    }
}

impl std::error::Error for LimitReached {}

/// Learnt clauses of at most this many literals are kept for [`SatSolver::take_learnt`].
pub const LEARNT_MAX_LEN: usize = 8;
/// At most this many learnt clauses wait to be taken.
const LEARNT_PENDING: usize = 10_000;

/// Counts conflicts (one learnt clause per conflict) and asks batsat to stop at the limit;
/// keeps the short learnt clauses.
struct Meter {
    conflicts: u64,
    limit: u64,
    learnt: Vec<Vec<batsat::Lit>>,
}

impl Callbacks for Meter {
    fn on_new_clause(&mut self, c: &[batsat::Lit], kind: ClauseKind) {
        if matches!(kind, ClauseKind::Learnt) {
            self.conflicts += 1;
            if c.len() <= LEARNT_MAX_LEN && self.learnt.len() < LEARNT_PENDING {
                self.learnt.push(c.to_vec());
            }
        }
    }

    fn stop(&self) -> bool {
        self.conflicts >= self.limit
    }
}

/// Whether each constraint's clauses are guarded by a selector literal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Guards {
    /// Constraints always hold (fastest; for propagation).
    None,
    /// Constraint `i` holds only while its selector is assumed (for conflicts and explanations).
    PerConstraint,
}

pub struct SatSolver {
    inner: batsat::Solver<Meter>,
    vars: Vec<batsat::Var>,
    selectors: Vec<Lit>,
    n_options: usize,
    /// Whether clauses beyond the CNF were added ([`add_clause`](Self::add_clause)).
    extended: bool,
}

impl fmt::Debug for SatSolver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SatSolver")
            .field("vars", &self.vars.len())
            .field("selectors", &self.selectors.len())
            .finish()
    }
}

impl SatSolver {
    /// Loads the CNF. With [`Guards::PerConstraint`], `n_constraints` selectors are created.
    pub fn new(cnf: &Cnf, n_constraints: usize, guards: Guards) -> SatSolver {
        let meter = Meter {
            conflicts: 0,
            limit: u64::MAX,
            learnt: Vec::new(),
        };
        let mut s = SatSolver {
            inner: batsat::Solver::new(batsat::SolverOpts::default(), meter),
            vars: Vec::new(),
            selectors: Vec::new(),
            n_options: cnf.n_options,
            extended: false,
        };
        for _ in 0..cnf.n_vars {
            s.new_var();
        }
        if guards == Guards::PerConstraint {
            s.selectors = (0..n_constraints).map(|_| s.new_var()).collect();
        }
        let mut buf = Vec::new();
        for (clause, owner) in cnf.clauses.iter().zip(&cnf.owner) {
            buf.clear();
            buf.extend(clause.iter().map(|l| s.to_batsat(*l)));
            if let (Some(ci), Guards::PerConstraint) = (owner, guards) {
                let sel = s.selectors[*ci as usize];
                buf.push(s.to_batsat(!sel));
            }
            s.inner.add_clause_reuse(&mut buf);
        }
        s
    }

    /// A fresh variable, as its positive literal.
    pub fn new_var(&mut self) -> Lit {
        let v = self.inner.new_var_default();
        self.vars.push(v);
        rustsat::types::Var::new((self.vars.len() - 1) as u32).pos_lit()
    }

    fn to_batsat(&self, l: Lit) -> batsat::Lit {
        batsat::Lit::new(self.vars[l.var().idx()], !l.is_neg())
    }

    fn lit_of_batsat(&self, l: batsat::Lit) -> Lit {
        // Variables are created in order, so batsat's index is ours.
        rustsat::types::Var::new(l.var().idx()).lit(!l.sign())
    }

    /// The selector of constraint `i` (only with [`Guards::PerConstraint`]).
    pub fn selector(&self, i: usize) -> Lit {
        self.selectors[i]
    }

    pub fn n_options(&self) -> usize {
        self.n_options
    }

    pub fn add_clause(&mut self, clause: &[Lit]) {
        self.extended = true;
        let mut buf: Vec<batsat::Lit> = clause.iter().map(|l| self.to_batsat(*l)).collect();
        self.inner.add_clause_reuse(&mut buf);
    }

    /// Solves under assumptions. `Ok(true)`: a model exists (read it with [`value`]);
    /// `Ok(false)`: none (read the conflicting assumptions with [`core`]).
    ///
    /// [`value`]: SatSolver::value
    /// [`core`]: SatSolver::core
    pub fn solve(
        &mut self,
        assumptions: &[Lit],
        effort: &mut Effort,
    ) -> Result<bool, LimitReached> {
        let assumptions: Vec<batsat::Lit> =
            assumptions.iter().map(|l| self.to_batsat(*l)).collect();
        let remaining = effort.remaining();
        if remaining == 0 {
            return Err(LimitReached {
                max_conflicts: effort.max_conflicts,
            });
        }
        let start = self.inner.cb().conflicts;
        self.inner.cb_mut().limit = start.saturating_add(remaining);
        let result = self.inner.solve_limited(&assumptions);
        effort.used += self.inner.cb().conflicts - start;
        if result == lbool::TRUE {
            Ok(true)
        } else if result == lbool::FALSE {
            Ok(false)
        } else {
            Err(LimitReached {
                max_conflicts: effort.max_conflicts,
            })
        }
    }

    /// The value of a literal in the last model.
    pub fn value(&self, l: Lit) -> bool {
        let v = self.inner.get_model()[l.var().idx()];
        (v == lbool::TRUE) != l.is_neg()
    }

    /// The last model: the value of every variable (indexed like the CNF's variables).
    pub fn model(&self) -> Vec<bool> {
        self.inner
            .get_model()
            .iter()
            .map(|v| *v == lbool::TRUE)
            .collect()
    }

    /// The literals the solver has fixed at decision level 0: consequences of its clauses alone
    /// (the CNF's, guarded or not, and the clauses it learnt from them), so backbone literals of
    /// the CNF whatever the assumptions. They appear in the order they were fixed, and the list
    /// only grows. Empty once [`add_clause`](Self::add_clause) added clauses beyond the CNF.
    pub fn fixed(&self) -> Vec<Lit> {
        if self.extended {
            return Vec::new();
        }
        self.inner
            .proved_at_lvl_0()
            .iter()
            .map(|l| self.lit_of_batsat(*l))
            .collect()
    }

    /// The short learnt clauses (at most [`LEARNT_MAX_LEN`] literals) since the last call:
    /// the clauses conflict analysis derived (Marques-Silva and Sakallah 1999), and for every
    /// refuted set of assumptions the clause that negates its core (MiniSat's `analyzeFinal`).
    /// They follow from the CNF, so any propagator over the same CNF may add them. Empty once
    /// [`add_clause`](Self::add_clause) added clauses beyond the CNF.
    pub fn take_learnt(&mut self) -> Vec<Vec<Lit>> {
        let learnt = std::mem::take(&mut self.inner.cb_mut().learnt);
        if self.extended {
            return Vec::new();
        }
        learnt
            .iter()
            .map(|c| c.iter().map(|l| self.lit_of_batsat(*l)).collect())
            .collect()
    }

    /// After an unsatisfiable [`solve`](SatSolver::solve): a subset of the assumptions that is
    /// already unsatisfiable (not necessarily minimal).
    pub fn core(&self) -> Vec<Lit> {
        self.inner
            .unsat_core()
            .iter()
            .map(|l| !self.lit_of_batsat(*l))
            .collect()
    }
}

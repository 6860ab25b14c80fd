//! Complete propagation: which options are forced, excluded or still free under the customer's
//! choices, so that the UI never offers a dead end (backtrack-free configuration).
//!
//! This is the *backbone* of the CNF under the choices: the option literals true in every model
//! that extends them. An option is free as soon as two models disagree on it, and backbone when
//! the model it lacks does not exist. [`Backbone::domains`] settles each option with the
//! cheapest sufficient evidence, in this order:
//!
//! 0. **Table catalogs** (every rule an allowed table over single-choice groups: the XCSP and
//!    CLib car configurators) are finite-domain problems, and [`crate::gac`] answers them there:
//!    every value still in a domain after arc consistency is shown by a solution of a search
//!    that decides it first, or refuted by an exhausted search (the model-per-value backbone of a
//!    CSP, with Compact-Table propagation). Values whose search needs more than a bounded number
//!    of backtracks are left to the steps below, which then start from what step 0 proved.
//! 1. **Unit propagation** of the choices (outside the solver, [`crate::up`]): every implied
//!    literal is backbone, a conflict proves the choices unsatisfiable. When the compiled
//!    catalog knows its backbone without choices (computed once, e.g. by
//!    [`crate::Compiled::lint`] at publish; see [`SharedModels`]), it is assumed too.
//! 2. **Model reuse across clicks**: a bounded pool of earlier models (option values only) is
//!    kept per session; every stored model that satisfies the new choices is a model of the new
//!    formula, so each option it disagrees with another such model on is free, without a SAT
//!    call. Models are also shared between the sessions of one [`crate::Compiled`] (any model of
//!    the CNF is a valid product for every customer). This is the model filtering of Janota,
//!    Lynce and Marques-Silva ("Algorithms for computing backbones of propositional formulae",
//!    AI Communications 2015, Algorithm 3; first in Marques-Silva, Janota and Lynce, "On
//!    Computing Backbones of Propositional Theories", ECAI 2010) carried over from one formula
//!    to the next: the formula only changes in its assumptions, so old models stay models
//!    whenever they agree with the new choices. Kept per model: the click when it last showed
//!    an option value no model before it showed; the least recently useful ones are dropped.
//!    **2b. Witnesses carried over from the previous click.** Every call keeps, for every
//!    option value it proved possible, a *witness*: one of a few full base models (every
//!    variable) plus the few variables a repair (step 3) flipped in it ([`Witnesses`]). The
//!    next call repairs each base model to its choices (flipping a set `R`) and keeps a witness
//!    `base ⊕ D` as `base ⊕ R ⊕ D` when no clause has a variable of both `D` and `R` and `D`
//!    keeps the literals unit propagation fixed: each clause then reads its values either in
//!    `base ⊕ D` or in `base ⊕ R`, both models, so the result is a model of the new choices
//!    (a locality argument in the spirit of the model rotation of Belov and Marques-Silva,
//!    FMCAD 2011, here between two independent repairs). A witness that fails this test, or
//!    whose base cannot be repaired, is *grafted*: its values on its flipped variables are
//!    copied into a repaired base and only the clauses this changes are checked. A base whose
//!    repair fails and that carries many witnesses is first replaced by a model close to it
//!    from the SAT solver (phase saving primed with the base's values; see
//!    `Backbone::close_model`), the target of its witnesses' grafts. A click that
//!    only adds choices also
//!    keeps the previous backbone (backbone literals stay backbone under more assumptions;
//!    the incremental backbone of a growing formula). So a click costs its unit propagation,
//!    the base repairs and the witnesses near them, usually without a SAT call; only values
//!    whose witnesses were lost and cannot be repaired in a base go on to the steps below.
//!    The witnesses of a call without choices ([`crate::Compiled::lint`]) are shared with the
//!    new sessions of a compiled catalog (see [`SharedModels`]).
//! 3. **Rotation and repair** (Janota et al. 2015, "rotatable variables"; "flipping" in Biere,
//!    Froleyks and Wang, "CadiBack: Extracting backbones with CaDiCaL", SAT 2023): in each new
//!    model (every variable's value), every open option is flipped and the model repaired
//!    ([`crate::up::Flipper`]): a k-flip generalisation of rotation after recursive model
//!    rotation (Belov and Marques-Silva, FMCAD 2011). A rotatable literal needs no repair; a
//!    member of an exactly-one group needs the chosen member deselected and the auxiliary
//!    variables of the group's encoding updated, which the repair finds by flipping, for every
//!    clause it falsified, one more variable (least breaking first, with WalkSAT's per-clause
//!    true-literal counts so that a break count reads one number per clause). A successful
//!    repair is a model, so the option is free; without it, a model shows one member per
//!    exactly-one group and a group of k members needs k SAT calls. The last model of a call is kept: the next
//!    call repairs it to the new choices (and the backbone unit propagation fixed) and starts
//!    from it instead of a SAT call.
//! 4. **Failed-literal probing**: if unit propagation refutes the choices plus the literal an
//!    option still lacks, the option is backbone, again without a SAT call. Probing every open
//!    option costs a propagation each (expensive on table encodings), so only the literals
//!    that propagation refuted while step 5 built its set are probed, before the next set: the
//!    negation of every backbone literal that propagation can refute is among them.
//! 5. **SAT calls that ask for many missing values at once.** The options still seen with one
//!    value only each lack a literal; the engine picks, in order, as many of these literals as
//!    unit propagation accepts together (a greedy, propagation-consistent subset) and asks the
//!    solver for a model with all of them, under the choices and the backbone proved so far.
//!    A model settles every option it shows with a new value (model filtering, Janota et al.
//!    2015, Algorithm 3), usually far more than the wanted ones. Where Janota et al.'s chunking
//!    (Algorithm 5) asks for a model falsifying *at least one* candidate of a chunk through an
//!    activation clause, this asks for *all* of them through assumptions: nothing is added to
//!    the solver, and MiniSat's phase saving, which returns the previous model with as few
//!    changes as possible, can no longer make each call settle a single option (the cause of
//!    the hundreds of calls per click of the previous version). If the solver refutes the set,
//!    the wanted literals in its unsatisfiable core are dropped (the first one is always kept)
//!    and it tries again; refuted alone, or alone among the wanted literals of a core, a
//!    literal's negation is backbone (Algorithm 2), and it is assumed in the later calls and
//!    propagated for its consequences. After every SAT call the solver's short learnt clauses
//!    (among them the negation of every refuted set's core) are added to the unit propagator
//!    ([`crate::up::UnitPropagator::add_implied`]; they follow from the CNF): the next greedy
//!    sets then avoid the conflicts the solver already found, and what the clauses imply is
//!    backbone. The literals the solver fixed at decision level 0 are backbone as well.
//!
//! With [`Scope::Visible`] (customers' sessions) steps 3–5 settle only the options of visible
//! groups; an infrastructure option is reported as settled only when the steps above settle
//! it on the way, else as [`OptionState::Unsettled`].
//!
//! Nothing is added to the solver's clause database (no activation literals), so it does not
//! grow over a session (only MiniSat's learnt clauses, which it prunes itself; the unit
//! propagator keeps at most [`MAX_LEARNT`] of them). The result is
//! exact and so deterministic whatever the pool holds (the witness may differ); only the effort
//! budget can stop it, and then the caller gets [`LimitReached`], never a guess.

use crate::compile::{option_lit, Cnf};
use crate::gac::{Gac, TableCsp};
use crate::ir::OptionIdx;
use crate::solver::{Effort, LimitReached, SatSolver};
use crate::up::{Flipper, LitCode, RepairBudget, UnitPropagator};
use rustsat::types::Lit;
use serde::Serialize;
use std::sync::{Arc, Mutex};

/// A customer's decision about one option.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Choice {
    pub option: OptionIdx,
    /// `true`: selected; `false`: deselected (rejected).
    pub selected: bool,
}

impl Choice {
    pub fn select(option: OptionIdx) -> Self {
        Choice {
            option,
            selected: true,
        }
    }

    pub fn deselect(option: OptionIdx) -> Self {
        Choice {
            option,
            selected: false,
        }
    }

    pub fn lit(self) -> Lit {
        if self.selected {
            option_lit(self.option)
        } else {
            !option_lit(self.option)
        }
    }
}

/// What the configurator shows for one option.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OptionState {
    /// Selected by the customer.
    Selected,
    /// Rejected by the customer.
    Rejected,
    /// In every valid product that extends the choices.
    Forced,
    /// In no valid product that extends the choices.
    Excluded,
    /// In some valid products and not in others.
    Free,
    /// Not settled: outside the scope of the call (an infrastructure option, which the solver
    /// picks itself, under [`Scope::Visible`]) and not decided by the cheap steps. It may be
    /// free, forced or excluded.
    Unsettled,
}

/// Which options a [`Backbone::domains`] call must settle.
///
/// Customers only decide the options of visible groups; infrastructure (power supplies,
/// brackets, the auxiliary variables of a DIMACS file) is completed by the solver, so its
/// domains are never shown to them. On Linux 2018 (76,457 variables, 21,958 of them named
/// features) leaving the 54,499 auxiliary ones out of steps 3–5 makes the slowest warm click
/// of four click sequences 1.8–7 times faster and their total 3 times lower (BENCHMARKS,
/// "2026-12-02 (3)"): most refuted sets were refuted over auxiliary literals. It is also what
/// the peers of `benches/compare` compute (domains of the named features).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Every option (the manufacturer's lint, the CLI, the independent cross-checks).
    #[default]
    All,
    /// The options of visible groups; an infrastructure option is settled only when unit
    /// propagation, a proved backbone literal or the models found on the way settle it, else
    /// it is [`OptionState::Unsettled`].
    Visible,
}

impl OptionState {
    /// The three-valued view of the CLI contract: selected, excluded or free.
    pub fn simple(self) -> &'static str {
        match self {
            OptionState::Selected | OptionState::Forced => "selected",
            OptionState::Rejected | OptionState::Excluded => "excluded",
            OptionState::Free => "free",
            OptionState::Unsettled => "unsettled",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Domains {
    /// False when the choices admit no valid product; the states then only echo the choices
    /// (everything else `Free`) and a repair is needed.
    pub satisfiable: bool,
    pub states: Vec<OptionState>,
    /// One valid product extending the choices (when satisfiable).
    pub witness: Option<Vec<bool>>,
}

/// How many models a session keeps between clicks.
pub const POOL_CAPACITY: usize = 64;
/// The bound of one repair of a model after flipping an option (see [`Flipper`]).
/// (Failed repairs cost the whole budget; on Linux 2.6.33.3 UVL, thousands fail per click, and
/// 100 / 10,000 was faster than 1,000 / 100,000 with about the same number of successes.)
const REPAIR_BUDGET: RepairBudget = RepairBudget {
    flips: 100,
    visits: 2_000,
    reflips: false,
};
/// The bound of the repair of the previous call's model to this call's choices.
const BASE_REPAIR_BUDGET: RepairBudget = RepairBudget {
    flips: 10_000,
    visits: 1_000_000,
    reflips: true,
};
/// A base model whose repair to new choices fails is replaced by a model close to it from the
/// SAT solver (see `Backbone::close_model`) when it carries at least this many witnesses; the
/// witnesses of smaller ones are grafted onto another base or left to the later steps. (Linux
/// 2018, 10 warm clicks: replacing every failed base took 34 SAT calls and 6 refuted sets,
/// this bound 20 and 11, never replacing 26 and 217 with 7 times the failed repairs; most
/// bases carry a few witnesses, one most.)
const REPLACE_MIN: usize = 256;
/// Failures (backtracks) after which a finite-domain search for one value gives up and leaves
/// the value to the SAT solver.
const GAC_BOUND: u64 = 1_000;
/// Learnt clauses a session adds to its unit propagator at most (see `Backbone::learn`).
pub const MAX_LEARNT: usize = 100_000;
/// How many models a compiled catalog keeps for new sessions.
pub const SHARED_CAPACITY: usize = 32;

/// What one [`Backbone::domains`] call did (for benchmarks and profiling).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PropagationStats {
    /// Satisfiable SAT calls (each one a new model).
    pub sat_calls: u32,
    /// Unsatisfiable SAT calls (each one a backbone literal, or unsatisfiable choices).
    pub unsat_calls: u32,
    /// Conflicts over all SAT calls.
    pub conflicts: u64,
    /// Stored models that satisfied the choices.
    pub pool_models_used: u32,
    /// Options proved free by rotating a model (flipping the option alone).
    pub rotated: u32,
    /// Options proved free by flipping them in a model and repairing the rest
    /// ([`crate::up::Flipper`]).
    pub repaired: u32,
    /// Repairs that failed.
    pub repair_failed: u32,
    /// Clauses and clause literals read by the repairs.
    pub repair_visits: u64,
    /// Whether the previous call's last model, repaired to agree with the choices, saved the
    /// first SAT call.
    pub base_repaired: bool,
    /// Options proved backbone by failed-literal probing.
    pub failed_literals: u32,
    /// Options implied by unit propagation (of the choices and of proved backbone literals).
    pub implied: u32,
    /// SAT calls whose set of wanted literals was refuted, so that a smaller set was tried.
    pub retries: u32,
    /// Failed-literal probes (unit propagations of one literal).
    pub probes: u32,
    /// Backbone literals read from the solver's level-0 assignment (learnt units).
    pub solver_fixed: u32,
    /// Learnt clauses of the solver added to the unit propagator.
    pub learnt: u32,
    /// Backbone literals proved by a refuted set whose core held one wanted literal.
    pub core_backbone: u32,
    /// Witnesses of the previous call carried over to this one, those dropped (their repair
    /// touched a clause of the base's repair, or a literal now fixed), and base models whose
    /// repair to the new choices failed (step 2b).
    pub witnesses_kept: u32,
    pub witnesses_dropped: u32,
    pub bases_failed: u32,
    /// Dropped witnesses whose model, grafted onto a repaired base, was still a model.
    pub witnesses_grafted: u32,
    /// Base models whose repair failed, replaced by a model close to them from the SAT solver
    /// (two SAT calls each, counted in `sat_calls`; see `Backbone::close_model`).
    pub bases_replaced: u32,
    /// Finite-domain searches ([`crate::gac`], table catalogs only), the solutions they found,
    /// their failures (backtracks), and the values they left to the SAT solver.
    pub gac_searches: u32,
    pub gac_solutions: u32,
    pub gac_failures: u64,
    /// Decisions of the finite-domain searches, and searches whose first full assignment (the
    /// previous solution's values) was a solution.
    pub gac_decisions: u64,
    pub gac_at_once: u64,
    pub gac_open: u32,
}

/// A model's option values, one bit per option.
type Bits = Arc<[u64]>;

fn bit(bits: &[u64], o: usize) -> bool {
    bits[o / 64] >> (o % 64) & 1 == 1
}

/// Models of a compiled catalog's CNF that any new session may start from (see the module
/// documentation, step 2).
#[derive(Debug, Default)]
pub struct SharedModels {
    models: Mutex<Vec<Bits>>,
    /// The backbone without choices (the forced and excluded options of the catalog), once a
    /// sharing session or [`crate::Compiled::lint`] computed it: every session that starts from
    /// the shared models assumes it (it holds in every valid product).
    backbone: Mutex<Option<Arc<[Lit]>>>,
    /// The witnesses of a call without choices (see [`Witnesses`]), for new sessions to carry
    /// over to their first click.
    witnesses: Mutex<Option<Arc<Witnesses>>>,
}

impl SharedModels {
    fn snapshot(&self) -> Vec<Bits> {
        self.models.lock().map(|m| m.clone()).unwrap_or_default()
    }

    fn offer(&self, new: &[Bits]) {
        if let Ok(mut m) = self.models.lock() {
            for b in new {
                if m.len() >= SHARED_CAPACITY {
                    break;
                }
                m.push(b.clone());
            }
        }
    }

    fn backbone(&self) -> Option<Arc<[Lit]>> {
        self.backbone.lock().ok().and_then(|b| b.clone())
    }

    /// Keeps the backbone of a call without choices (its forced and excluded options).
    fn offer_backbone(&self, states: &[OptionState]) {
        if let Ok(mut b) = self.backbone.lock() {
            if b.is_none() {
                let lits: Vec<Lit> = states
                    .iter()
                    .enumerate()
                    .filter_map(|(o, st)| match st {
                        OptionState::Forced => Some(option_lit(o)),
                        OptionState::Excluded => Some(!option_lit(o)),
                        _ => None,
                    })
                    .collect();
                *b = Some(lits.into());
            }
        }
    }

    fn witnesses(&self) -> Option<Arc<Witnesses>> {
        self.witnesses.lock().ok().and_then(|w| w.clone())
    }

    fn offer_witnesses(&self, wit: &Arc<Witnesses>) {
        if let Ok(mut w) = self.witnesses.lock() {
            if w.is_none() {
                *w = Some(wit.clone());
            }
        }
    }

    /// How many models are shared.
    pub fn len(&self) -> usize {
        self.models.lock().map(|m| m.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

struct PoolModel {
    bits: Bits,
    /// The click counter when the model last mattered (see `Backbone::keep`).
    last_used: u64,
}

/// No witness (see [`Witnesses`]).
const NONE: u32 = u32::MAX;
/// A dropped witness to graft (see `Backbone::transfer`): its literal, its base (or [`NONE`]
/// when that base's repair failed), and the values its model gives its flipped variables.
type Orphan = (u32, u32, Vec<(u32, bool)>);
/// Literals without a witness few enough to be tried in up to 16 base models (else 2).
const FILL_FEW: usize = 64;
/// Base models a [`Witnesses`] keeps at most.
const MAX_BASES: usize = 64;

/// Where a witness is: `bases[base]` with the variables `deltas[start..start + len]` flipped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct WitnessRef {
    base: u32,
    start: u32,
    len: u32,
}

const NO_WITNESS: WitnessRef = WitnessRef {
    base: NONE,
    start: 0,
    len: 0,
};

/// A model of the CNF under the last call's choices for every option value that is possible
/// there, kept so that the next click can carry them over (see the module documentation,
/// step 2b): a few full *base* models, and per option literal a base and the (few) variables
/// a repair flipped in it to show the literal (none when the base shows it).
///
/// Invariant: for every literal `l` with a witness, `bases[base] ⊕ delta` is a model of the
/// CNF that satisfies `choices`, the unit propagator's consequences of them, and `l`.
#[derive(Clone, Debug, Default)]
pub struct Witnesses {
    /// The choices (literal codes, sorted) the models satisfy.
    choices: Vec<LitCode>,
    /// The option literals (codes) that are backbone under `choices` (forced and excluded
    /// options, the choices left out): they stay backbone under any superset of the choices.
    backbone: Vec<LitCode>,
    /// Full models (every variable).
    bases: Vec<Vec<bool>>,
    /// Per option literal code (`2 * option + negated`).
    of: Vec<WitnessRef>,
    deltas: Vec<u32>,
}

impl Witnesses {
    fn new(n_options: usize) -> Self {
        Witnesses {
            of: vec![NO_WITNESS; 2 * n_options],
            ..Witnesses::default()
        }
    }

    fn has(&self, l: LitCode) -> bool {
        self.of[l as usize].base != NONE
    }

    /// Adds a base model; its index.
    fn add_base(&mut self, model: Vec<bool>) -> u32 {
        self.bases.push(model);
        (self.bases.len() - 1) as u32
    }

    /// Stores `delta` (variables flipped in base `base`) and returns its reference.
    fn add_delta(&mut self, base: u32, delta: &[u32]) -> WitnessRef {
        let start = self.deltas.len() as u32;
        self.deltas.extend_from_slice(delta);
        WitnessRef {
            base,
            start,
            len: delta.len() as u32,
        }
    }

    /// Whether every witness is a model of the CNF's clauses in `up` that agrees with its
    /// assignment and shows its literal (for debug assertions and tests).
    fn valid(&self, up: &UnitPropagator, n_options: usize) -> Result<(), String> {
        for (l, w) in self.of.iter().enumerate() {
            if w.base == NONE {
                continue;
            }
            let mut m = self.bases[w.base as usize].clone();
            if m.is_empty() {
                return Err(format!("literal {l}: dead base {}", w.base));
            }
            for &v in &self.deltas[w.start as usize..(w.start + w.len) as usize] {
                m[v as usize] = !m[v as usize];
            }
            let o = l >> 1;
            if o >= n_options || m[o] != (l & 1 == 0) {
                return Err(format!("literal {l} not shown by its witness {w:?}"));
            }
            if up.value(l as LitCode) == Some(false) {
                continue; // refuted now: a stale witness the caller ignores
            }
            if let Some(c) = up.falsified_in(&m) {
                return Err(format!("witness of {l} ({w:?}) falsifies clause {c}"));
            }
        }
        Ok(())
    }

    /// Drops unreferenced bases (and the fewest-referenced beyond [`MAX_BASES`]) and
    /// rewrites the deltas without the dead ones.
    fn compact(&mut self) {
        let mut refs = vec![0usize; self.bases.len()];
        let mut referenced = 0usize;
        for w in &self.of {
            if w.base != NONE {
                refs[w.base as usize] += 1;
                referenced += w.len as usize;
            }
        }
        // Nothing to gain: every base used, within bounds, and the deltas not much larger
        // than what the witnesses reference.
        if refs.iter().all(|&r| r > 0)
            && self.bases.len() <= MAX_BASES
            && self.deltas.len() <= 2 * referenced + 4096
        {
            return;
        }
        let mut order: Vec<usize> = (0..self.bases.len()).filter(|&b| refs[b] > 0).collect();
        if order.len() > MAX_BASES {
            // Stable: among equals, the older base stays.
            order.sort_by_key(|&b| std::cmp::Reverse(refs[b]));
            order.truncate(MAX_BASES);
            order.sort_unstable();
        }
        let mut remap = vec![NONE; self.bases.len()];
        for (new, &old) in order.iter().enumerate() {
            remap[old] = new as u32;
        }
        let old_bases = std::mem::take(&mut self.bases);
        for (b, m) in old_bases.into_iter().enumerate() {
            if remap[b] != NONE {
                self.bases.push(m);
            }
        }
        let old_deltas = std::mem::take(&mut self.deltas);
        // Literals sharing one delta (the variables of one repair) keep sharing it.
        let mut moved: Vec<u32> = vec![NONE; old_deltas.len()];
        for w in self.of.iter_mut() {
            if w.base == NONE {
                continue;
            }
            let nb = remap[w.base as usize];
            if nb == NONE {
                *w = NO_WITNESS;
                continue;
            }
            w.base = nb;
            if w.len == 0 {
                w.start = 0;
                continue;
            }
            if moved[w.start as usize] == NONE {
                moved[w.start as usize] = self.deltas.len() as u32;
                self.deltas
                    .extend_from_slice(&old_deltas[w.start as usize..(w.start + w.len) as usize]);
            }
            w.start = moved[w.start as usize];
        }
    }
}

/// The backbone engine of one session: a unit propagator and the model pool; the SAT solver
/// is the session's. See the module documentation.
pub struct Backbone {
    up: UnitPropagator,
    pool: Vec<PoolModel>,
    clock: u64,
    n_options: usize,
    words: usize,
    stats: PropagationStats,
    /// Backbone literals proved in the current call (see the suspects in `domains`).
    proved: u32,
    flipper: Flipper,
    /// The last model the previous call saw (every variable), to start the next call from.
    last: Option<Vec<bool>>,
    /// Per option: a repair failed in the current call.
    repair_failed: Vec<bool>,
    /// The finite-domain view and its search state, on table catalogs (step 0).
    gac: Option<(Arc<TableCsp>, Gac)>,
    /// Failures after which a finite-domain search leaves its value to the SAT solver.
    gac_bound: u64,
    /// Learnt clauses added to the unit propagator so far.
    learnt: usize,
    /// The backbone without choices, from the shared models (see [`SharedModels`]).
    global: Option<Arc<[Lit]>>,
    /// Whether a model of the current call's choices is known.
    satisfiable: bool,
    /// The witnesses of the last satisfiable call (or the shared ones of the calls without
    /// choices), carried over to the next call (step 2b).
    wit: Option<Arc<Witnesses>>,
    /// Per variable: `near[v] == near_epoch` when `v` shares a clause with a variable the
    /// current base repair flipped.
    near: Vec<u32>,
    near_epoch: u32,
    /// The bound of a base model's repair to new choices ([`BASE_REPAIR_BUDGET`]; tests
    /// lower it so that repairs fail).
    base_budget: RepairBudget,
    /// The witnesses a failed base needs for a replacement ([`REPLACE_MIN`]; tests lower it).
    replace_min: usize,
    /// Per option: whether the calls must settle it (see [`Scope`]); `None`: every option.
    scope: Option<Arc<[bool]>>,
}

impl std::fmt::Debug for Backbone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Backbone")
            .field("pool", &self.pool.len())
            .finish()
    }
}

/// The option values seen in models of the current choices, one bit per option.
struct Seen {
    t: Vec<u64>,
    f: Vec<u64>,
}

impl Seen {
    fn add(&mut self, bits: &[u64]) {
        for (w, b) in bits.iter().enumerate() {
            self.t[w] |= b;
            self.f[w] |= !b;
        }
    }

    fn both(&self, o: usize) -> bool {
        bit(&self.t, o) && bit(&self.f, o)
    }

    fn set(&mut self, o: usize, value: bool) {
        let v = if value { &mut self.t } else { &mut self.f };
        v[o / 64] |= 1 << (o % 64);
    }
}

/// Whether sorted `a` is a subset of sorted `b`.
fn is_subset(a: &[LitCode], b: &[LitCode]) -> bool {
    let mut j = 0;
    a.iter().all(|x| {
        while j < b.len() && b[j] < *x {
            j += 1;
        }
        j < b.len() && b[j] == *x
    })
}

fn code(l: Lit) -> LitCode {
    l.lidx() as LitCode
}

fn lit_of(o: OptionIdx, value: bool) -> Lit {
    if value {
        option_lit(o)
    } else {
        !option_lit(o)
    }
}

impl Backbone {
    pub fn new(cnf: &Cnf) -> Self {
        Backbone {
            up: UnitPropagator::new(cnf),
            pool: Vec::new(),
            clock: 0,
            n_options: cnf.n_options,
            words: cnf.n_options.div_ceil(64),
            stats: PropagationStats::default(),
            proved: 0,
            flipper: Flipper::default(),
            last: None,
            repair_failed: vec![false; cnf.n_options],
            gac: cnf.csp.clone().map(|c| (c, Gac::default())),
            gac_bound: GAC_BOUND,
            learnt: 0,
            global: None,
            satisfiable: false,
            wit: None,
            near: vec![0; cnf.n_vars],
            near_epoch: 0,
            base_budget: BASE_REPAIR_BUDGET,
            replace_min: REPLACE_MIN,
            scope: None,
        }
    }

    /// Restricts the later calls to the options flagged in `wanted` (one flag per option;
    /// `None`: every option). See [`Scope`].
    pub fn set_scope(&mut self, wanted: Option<Arc<[bool]>>) {
        self.scope = wanted.filter(|w| w.len() == self.n_options);
    }

    /// Whether the calls must settle option `o`.
    fn in_scope(&self, o: OptionIdx) -> bool {
        self.scope.as_ref().is_none_or(|w| w[o])
    }

    /// Adds the shared models of a compiled catalog to the pool, and takes its backbone
    /// without choices if known.
    pub fn seed(&mut self, shared: &SharedModels) {
        self.global = shared.backbone();
        if self.wit.is_none() {
            self.wit = shared.witnesses();
        }
        for bits in shared.snapshot() {
            if self.pool.len() < POOL_CAPACITY && bits.len() == self.words {
                self.pool.push(PoolModel { bits, last_used: 0 });
            }
        }
    }

    /// What the last [`domains`](Backbone::domains) call did.
    /// On table catalogs: one valid product extending the choices by finite-domain search
    /// ([`Gac::solution`]), as chosen flags per option; `Some(None)` when none exists. `None`
    /// without a finite-domain view or when the search hit its bound (ask the SAT solver).
    pub fn csp_witness(
        &mut self,
        choices: &[Choice],
        effort: &mut Effort,
    ) -> Result<Option<Option<Vec<bool>>>, LimitReached> {
        let Some((csp, gac)) = &mut self.gac else {
            return Ok(None);
        };
        let ch: Vec<(OptionIdx, bool)> = choices.iter().map(|c| (c.option, c.selected)).collect();
        gac.solution(csp, &ch, self.gac_bound, effort)
    }

    pub fn stats(&self) -> PropagationStats {
        self.stats
    }

    /// How many models the pool holds.
    pub fn pool_len(&self) -> usize {
        self.pool.len()
    }

    fn bits_of(&self, model: &[bool]) -> Bits {
        let mut bits = vec![0u64; self.words];
        for (o, v) in model[..self.n_options].iter().enumerate() {
            if *v {
                bits[o / 64] |= 1 << (o % 64);
            }
        }
        bits.into()
    }

    fn known(&self, o: OptionIdx) -> bool {
        self.up.value(code(option_lit(o))).is_some()
    }

    /// Computes the domains of all options under `choices` with `solver` (loaded with the
    /// same CNF, without guards). Conflicting duplicate choices (the same option selected and
    /// rejected) simply make the choices unsatisfiable. New models worth keeping are offered
    /// to `shared`.
    pub fn domains(
        &mut self,
        solver: &mut SatSolver,
        choices: &[Choice],
        effort: &mut Effort,
        shared: Option<&SharedModels>,
    ) -> Result<Domains, LimitReached> {
        self.stats = PropagationStats::default();
        self.proved = 0;
        self.satisfiable = false;
        let visits_before = self.flipper.visits;
        self.repair_failed.iter_mut().for_each(|f| *f = false);
        self.clock += 1;
        let n = self.n_options;
        let mut states = vec![OptionState::Free; n];
        let mut chosen = vec![false; n];
        for c in choices {
            states[c.option] = if c.selected {
                OptionState::Selected
            } else {
                OptionState::Rejected
            };
            chosen[c.option] = true;
        }
        let unsatisfiable = |states| {
            Ok(Domains {
                satisfiable: false,
                states,
                witness: None,
            })
        };
        // 0. On table catalogs: one solution per value by finite-domain search.
        let mut gac_models: Vec<Bits> = Vec::new();
        let mut gac_fixed: Vec<Option<bool>> = Vec::new();
        if let Some((csp, gac)) = &mut self.gac {
            let known: Vec<&[u64]> = self.pool.iter().map(|m| &m.bits[..]).collect();
            let ch: Vec<(OptionIdx, bool)> =
                choices.iter().map(|c| (c.option, c.selected)).collect();
            let s = gac.supports(csp, &ch, &known, self.gac_bound, effort)?;
            self.stats.gac_searches = s.searches;
            self.stats.gac_solutions = s.solutions.len() as u32;
            self.stats.gac_failures = s.failures;
            self.stats.gac_decisions = s.decisions;
            self.stats.gac_at_once = s.at_once;
            self.stats.gac_open = s.open;
            if !s.satisfiable && s.open == 0 {
                return unsatisfiable(states);
            }
            gac_models = s.solutions.into_iter().map(Bits::from).collect();
            gac_fixed = s.fixed;
            if s.open == 0 {
                return Ok(self.settle(states, &chosen, choices, gac_models, &gac_fixed, shared));
            }
        }
        // 1. Unit propagation of the choices.
        if !self.up.reset()
            || !choices.iter().all(|c| self.up.assign(code(c.lit())))
            || !self.up.propagate()
        {
            return unsatisfiable(states);
        }
        // The backbone without choices, when the compiled catalog knows it: it holds in every
        // model, so choices against it are unsatisfiable.
        if let Some(global) = self.global.clone() {
            if !self.assume_backbone(global.iter().map(|l| code(*l))) {
                return unsatisfiable(states);
            }
        }
        // 2b (setup). The witnesses of an earlier call: under a superset of its choices, its
        // backbone holds too.
        let mut choice_codes: Vec<LitCode> = choices.iter().map(|c| code(c.lit())).collect();
        choice_codes.sort_unstable();
        choice_codes.dedup();
        let wit = match self.wit.take() {
            Some(w) if w.of.len() == 2 * n => w,
            _ => Arc::new(Witnesses::new(n)),
        };
        if !wit.bases.is_empty()
            && is_subset(&wit.choices, &choice_codes)
            && !self.assume_backbone(wit.backbone.iter().copied())
        {
            self.wit = Some(wit);
            return unsatisfiable(states);
        }
        let mut wit = Arc::unwrap_or_clone(wit);
        // 2. Stored models that satisfy the choices.
        let (mut seen, consistent) = self.pool_models(choices);
        let mut witness: Option<Bits> = consistent.first().map(|i| self.pool[*i].bits.clone());
        // The choices and the backbone literals proved by the solver (those implied by unit
        // propagation need not be assumed: the solver propagates them itself).
        let mut base: Vec<Lit> = choices.iter().map(|c| c.lit()).collect();
        let mut new_models: Vec<Bits> = Vec::new();
        // What step 0 settled (when it left some values open).
        for bits in gac_models {
            seen.add(&bits);
            witness = witness.or_else(|| Some(bits.clone()));
            new_models.push(bits);
        }
        for (o, f) in gac_fixed.iter().enumerate() {
            if let Some(value) = *f {
                if !chosen[o] && !self.known(o) {
                    base.push(lit_of(o, value));
                    self.prove(lit_of(o, value));
                }
            }
        }
        // 2b. The witnesses carried over, and new ones by repairs in their base models.
        self.transfer(&mut wit, solver, &base, effort)?;
        debug_assert_eq!(wit.valid(&self.up, n), Ok(()), "after transfer");
        self.fill(&mut wit, &chosen);
        debug_assert_eq!(wit.valid(&self.up, n), Ok(()), "after fill");
        for o in 0..n {
            for value in [false, true] {
                if wit.has(code(lit_of(o, value))) {
                    seen.set(o, value);
                }
            }
        }
        if let Some(b) = wit.bases.iter().find(|b| !b.is_empty()) {
            witness = witness.or_else(|| Some(self.bits_of(b)));
            self.last = None;
        }
        // A full model (all variables) to flip options in: the last one of the previous call,
        // repaired to agree with the choices, else a SAT call (unless a stored model is a
        // witness: then the first SAT call below gives one).
        if let Some(mut last) = self.last.take() {
            self.flipper.load(&self.up, &last);
            if self
                .flipper
                .repair_to(&self.up, &mut last, BASE_REPAIR_BUDGET)
            {
                self.stats.base_repaired = true;
                self.record(last, &chosen, &mut seen, &mut new_models, &mut wit);
                witness = witness.or_else(|| new_models.last().cloned());
            }
        }
        if witness.is_none() {
            if !self.solve(solver, &base, effort)? {
                return unsatisfiable(states);
            }
            self.record(
                solver.model(),
                &chosen,
                &mut seen,
                &mut new_models,
                &mut wit,
            );
            witness = new_models.last().cloned();
        }
        self.satisfiable = true;
        // The options seen with one value only, and the literal each one lacks.
        let open = |bb: &Self, seen: &Seen| -> Vec<Lit> {
            (0..n)
                .filter(|o| !chosen[*o] && !bb.known(*o) && !seen.both(*o) && bb.in_scope(*o))
                .map(|o| lit_of(o, !bit(&seen.t, o)))
                .collect()
        };
        // Literals the solver fixed at level 0 in earlier calls (learnt units: backbone of the
        // CNF alone).
        let mut harvested = 0;
        self.harvest(solver, &mut harvested);
        // 4.-5. SAT calls, each asking for many missing literals at once. The literals that unit
        // propagation refuted while a set was built (every backbone literal's negation is among
        // them, if propagation can refute it at all) are probed alone before the next set.
        // A suspect is probed again only when a backbone literal was proved since its last
        // probe (before that, the probe would give the same answer).
        let mut suspects: Vec<Lit> = Vec::new();
        let mut probed_at: Vec<u32> = vec![0; n];
        loop {
            for l in std::mem::take(&mut suspects) {
                let o = l.var().idx();
                if self.known(o) || seen.both(o) || probed_at[o] == self.proved + 1 {
                    continue;
                }
                probed_at[o] = self.proved + 1;
                self.stats.probes += 1;
                if self.up.fails(code(l)) {
                    self.stats.failed_literals += 1;
                    self.prove(!l);
                }
            }
            let missing = open(self, &seen);
            if missing.is_empty() {
                break;
            }
            self.stats.probes += 1;
            if self.up.fails(code(missing[0])) {
                self.stats.failed_literals += 1;
                self.prove(!missing[0]);
                continue;
            }
            let mut wanted = self.greedy(&missing, &mut suspects);
            loop {
                let mut assumptions = base.clone();
                assumptions.extend_from_slice(&wanted);
                let sat = self.solve(solver, &assumptions, effort)?;
                self.harvest(solver, &mut harvested);
                if sat {
                    self.record(
                        solver.model(),
                        &chosen,
                        &mut seen,
                        &mut new_models,
                        &mut wit,
                    );
                    break;
                }
                let core = solver.core();
                let in_core: Vec<Lit> = wanted
                    .iter()
                    .copied()
                    .filter(|l| core.contains(l))
                    .collect();
                if let [l] = in_core[..] {
                    // The choices, the backbone so far and `l` alone are refuted: `¬l` is
                    // backbone (Algorithm 2 of Janota et al., from a larger call's core).
                    if self.up.value(code(l)).is_none() {
                        base.push(!l);
                        self.prove(!l);
                        self.stats.core_backbone += 1;
                    }
                    wanted.retain(|w| *w != l && self.up.value(code(*w)).is_none());
                    if wanted.is_empty() {
                        break;
                    }
                    self.stats.retries += 1;
                    continue;
                }
                if wanted.len() == 1 {
                    // No model has the missing literal: backbone. Assume it from now on
                    // (prunes the later calls).
                    base.push(!wanted[0]);
                    self.prove(!wanted[0]);
                    break;
                }
                // Drop the wanted literals of the core, keeping at least the first one (and
                // the ones the learnt clauses now refute).
                self.stats.retries += 1;
                let first = wanted[0];
                wanted.retain(|l| !core.contains(l) && self.up.value(code(*l)) != Some(false));
                if wanted.is_empty() {
                    if self.up.value(code(first)).is_some() {
                        break;
                    }
                    wanted.push(first);
                }
            }
        }
        for o in 0..n {
            if chosen[o] {
                continue;
            }
            match self.up.value(code(option_lit(o))) {
                Some(true) => states[o] = OptionState::Forced,
                Some(false) => states[o] = OptionState::Excluded,
                None if seen.both(o) => {}
                None => {
                    debug_assert!(!self.in_scope(o), "option {o} left undecided");
                    states[o] = OptionState::Unsettled;
                }
            }
        }
        self.stats.repair_visits = self.flipper.visits - visits_before;
        self.keep(&consistent, new_models, shared);
        // The backbone and witnesses without choices are shared only when complete.
        let complete = choices.is_empty() && self.scope.is_none();
        if let (true, Some(shared)) = (complete, shared) {
            shared.offer_backbone(&states);
        }
        wit.choices = choice_codes;
        wit.backbone = states
            .iter()
            .enumerate()
            .filter_map(|(o, st)| match st {
                OptionState::Forced => Some(code(option_lit(o))),
                OptionState::Excluded => Some(code(!option_lit(o))),
                _ => None,
            })
            .collect();
        debug_assert_eq!(wit.valid(&self.up, n), Ok(()), "at the end");
        wit.compact();
        debug_assert_eq!(wit.valid(&self.up, n), Ok(()), "after compaction");
        let wit = Arc::new(wit);
        if let (true, Some(shared)) = (complete, shared) {
            shared.offer_witnesses(&wit);
        }
        self.wit = Some(wit);
        let witness = witness.map(|b| (0..n).map(|o| bit(&b, o)).collect());
        Ok(Domains {
            satisfiable: true,
            states,
            witness,
        })
    }

    /// The stored models that satisfy the choices (their indices in the pool) and the values
    /// they show.
    fn pool_models(&mut self, choices: &[Choice]) -> (Seen, Vec<usize>) {
        let mut seen = Seen {
            t: vec![0; self.words],
            f: vec![0; self.words],
        };
        let mut consistent: Vec<usize> = Vec::new();
        for (i, m) in self.pool.iter().enumerate() {
            if choices.iter().all(|c| bit(&m.bits, c.option) == c.selected) {
                seen.add(&m.bits);
                consistent.push(i);
            }
        }
        self.stats.pool_models_used = consistent.len() as u32;
        (seen, consistent)
    }

    /// The domains when step 0 settled every value: `fixed` from the finite-domain view, the
    /// rest free (shown both ways by the stored models that satisfy the choices and the
    /// solutions found).
    fn settle(
        &mut self,
        mut states: Vec<OptionState>,
        chosen: &[bool],
        choices: &[Choice],
        found: Vec<Bits>,
        fixed: &[Option<bool>],
        shared: Option<&SharedModels>,
    ) -> Domains {
        let (mut seen, consistent) = self.pool_models(choices);
        for b in &found {
            seen.add(b);
        }
        let witness = consistent
            .first()
            .map(|i| self.pool[*i].bits.clone())
            .or_else(|| found.first().cloned());
        for o in 0..self.n_options {
            if chosen[o] {
                continue;
            }
            states[o] = match fixed[o] {
                Some(true) => OptionState::Forced,
                Some(false) => OptionState::Excluded,
                None => {
                    debug_assert!(seen.both(o), "option {o} left undecided");
                    OptionState::Free
                }
            };
        }
        self.keep(&consistent, found, shared);
        if let (true, Some(shared)) = (choices.is_empty(), shared) {
            shared.offer_backbone(&states);
        }
        let n = self.n_options;
        Domains {
            satisfiable: true,
            states,
            witness: witness.map(|b| (0..n).map(|o| bit(&b, o)).collect()),
        }
    }

    /// A subset of the `missing` literals that unit propagation does not refute together with
    /// the current assignment, chosen greedily in order (the caller makes sure that the first
    /// one is not refuted on its own, so it is always included): the
    /// solver is asked for a model with all of them, which settles all these options at once
    /// where Janota et al.'s chunking asks for a model with at least one.
    fn greedy(&mut self, missing: &[Lit], refuted: &mut Vec<Lit>) -> Vec<Lit> {
        let mark = self.up.mark();
        let mut wanted = Vec::new();
        for &l in missing {
            if self.up.value(code(l)).is_some() {
                continue; // implied (the model will have it) or refuted by the earlier ones
            }
            let before = self.up.mark();
            if self.up.assign(code(l)) && self.up.propagate() {
                wanted.push(l);
            } else {
                self.up.backtrack(before);
                refuted.push(l);
            }
        }
        self.up.backtrack(mark);
        debug_assert_eq!(
            wanted.first(),
            missing.first(),
            "the first one is not refuted"
        );
        wanted
    }

    fn solve(
        &mut self,
        solver: &mut SatSolver,
        assumptions: &[Lit],
        effort: &mut Effort,
    ) -> Result<bool, LimitReached> {
        let before = effort.used;
        let result = solver.solve(assumptions, effort);
        self.count(result, effort.used - before);
        self.learn(solver);
        result
    }

    /// Adds the solver's short learnt clauses to the unit propagator (they follow from the
    /// CNF; see [`SatSolver::take_learnt`]), up to [`MAX_LEARNT`] per session, so that the
    /// greedy sets of step 5 avoid the conflicts the solver already found: among them is the
    /// negation of every refuted set's core. Called between SAT calls, where the propagator
    /// holds the choices and the proved backbone only; what the clauses imply there is
    /// backbone.
    fn learn(&mut self, solver: &mut SatSolver) {
        let learnt = solver.take_learnt();
        let mark = self.up.mark();
        for c in learnt {
            if self.learnt >= MAX_LEARNT {
                break;
            }
            if c.iter().any(|l| l.var().idx() >= self.up.n_vars()) {
                continue;
            }
            let codes: Vec<LitCode> = c.iter().map(|l| code(*l)).collect();
            self.learnt += 1;
            self.stats.learnt += 1;
            if !self.up.add_implied(&codes) {
                // Only when the choices have no model (the first SAT call refuted them; the
                // caller says so, and the next call resets the propagator).
                debug_assert!(
                    !self.satisfiable,
                    "a learnt clause refuted satisfiable choices"
                );
                break;
            }
        }
        let implied = self
            .up
            .assigned_since(mark)
            .iter()
            .filter(|c| ((**c >> 1) as usize) < self.n_options)
            .count() as u32;
        if implied > 0 {
            self.stats.implied += implied;
            self.proved += 1;
        }
    }

    fn count(&mut self, result: Result<bool, LimitReached>, conflicts: u64) {
        self.stats.conflicts += conflicts;
        match result {
            Ok(true) => self.stats.sat_calls += 1,
            Ok(false) => self.stats.unsat_calls += 1,
            Err(_) => {}
        }
    }

    /// Proves the option literals the solver fixed at decision level 0 since `from` (see
    /// [`SatSolver::fixed`]).
    fn harvest(&mut self, solver: &SatSolver, from: &mut usize) {
        let fixed = solver.fixed();
        for &l in &fixed[(*from).min(fixed.len())..] {
            if l.var().idx() < self.n_options && self.up.value(code(l)).is_none() {
                self.prove(l);
                self.stats.solver_fixed += 1;
            }
        }
        *from = fixed.len();
    }

    /// `l` is backbone: assign it in the unit propagator, with its consequences.
    fn prove(&mut self, l: Lit) {
        self.proved += 1;
        let mark = self.up.mark();
        let ok = self.up.assign(code(l)) && self.up.propagate();
        // A model with `l` and every earlier backbone literal exists, so no conflict.
        debug_assert!(ok, "backbone literal refuted by unit propagation");
        self.stats.implied += self
            .up
            .assigned_since(mark)
            .iter()
            .filter(|c| ((**c >> 1) as usize) < self.n_options)
            .count()
            .saturating_sub(1) as u32;
    }

    /// A new model (every variable's value): its option values are seen, and so is the flipped
    /// value of every open option whose repair succeeds; the model becomes a base of the
    /// witnesses, and each option value it shows, as is or repaired, gets a witness if it had
    /// none.
    fn record(
        &mut self,
        mut model: Vec<bool>,
        chosen: &[bool],
        seen: &mut Seen,
        new_models: &mut Vec<Bits>,
        wit: &mut Witnesses,
    ) {
        let bits = self.bits_of(&model);
        seen.add(&bits);
        let b = wit.add_base(model.clone());
        self.flipper.load(&self.up, &model);
        for o in 0..self.n_options {
            if chosen[o] || self.up.value(code(option_lit(o))).is_some() || !self.in_scope(o) {
                continue;
            }
            let shown = code(lit_of(o, model[o]));
            if !wit.has(shown) {
                wit.of[shown as usize] = WitnessRef {
                    base: b,
                    start: 0,
                    len: 0,
                };
            }
            if wit.has(shown ^ 1) {
                continue;
            }
            // Where repairs rarely succeed (Renault big: tens per tens of thousands of
            // attempts, each failure costing the whole budget), an option whose repair
            // failed once in this call is left to the SAT calls.
            let successes = self.stats.rotated + self.stats.repaired;
            if self.repair_failed[o] && self.stats.repair_failed > 8 * successes.max(16) {
                continue;
            }
            let wanted = code(lit_of(o, !model[o]));
            if !self
                .flipper
                .repair(&self.up, &mut model, wanted, REPAIR_BUDGET)
            {
                self.stats.repair_failed += 1;
                self.repair_failed[o] = true;
                continue;
            }
            let r = wit.add_delta(b, self.flipper.flipped());
            for &v in self.flipper.flipped() {
                let v = v as usize;
                if v < self.n_options {
                    seen.set(v, model[v]);
                    let l = code(lit_of(v, model[v]));
                    if !wit.has(l) {
                        wit.of[l as usize] = r;
                    }
                }
            }
            if self.flipper.flipped().len() == 1 {
                self.stats.rotated += 1;
            } else {
                self.stats.repaired += 1;
            }
            self.flipper.undo(&self.up, &mut model);
        }
        new_models.push(bits);
        self.last = Some(model);
    }

    /// Assigns backbone literals known from elsewhere (the catalog's backbone without choices,
    /// or an earlier call's under a subset of the choices) in the unit propagator, with what
    /// they imply, counting the implied options; false when they conflict with the choices.
    fn assume_backbone(&mut self, mut literals: impl Iterator<Item = LitCode>) -> bool {
        let mark = self.up.mark();
        if !literals.all(|l| self.up.assign(l) && self.up.propagate()) {
            return false;
        }
        let n = self.n_options;
        self.stats.implied += self
            .up
            .assigned_since(mark)
            .iter()
            .filter(|c| ((**c >> 1) as usize) < n)
            .count() as u32;
        true
    }

    /// Carries the witnesses of an earlier call over to the current choices (step 2b): every
    /// base model is repaired to agree with the unit propagator (the choices and what they
    /// imply), flipping the variables `R`; a witness `base ⊕ D` stays one, as
    /// `base ⊕ R ⊕ D`, when no clause has variables of both `D` and `R` (then every clause
    /// reads either its values in `base ⊕ D` or those in `base ⊕ R`, both models) and `D`
    /// keeps every literal the propagator fixed. The others are grafted (below). A base whose
    /// repair fails is replaced by a model close to it from the SAT solver under `assumptions`
    /// (the choices) when it carries at least `replace_min` witnesses, and its witnesses are
    /// grafted onto the replacement; else it is dropped, and its witnesses grafted onto the
    /// first base that was repaired.
    fn transfer(
        &mut self,
        wit: &mut Witnesses,
        solver: &mut SatSolver,
        assumptions: &[Lit],
        effort: &mut Effort,
    ) -> Result<(), LimitReached> {
        let n = self.n_options;
        // Whether a replacement call refuted the choices (then none is tried again).
        let mut refuted = false;
        let mut by_base: Vec<Vec<u32>> = vec![Vec::new(); wit.bases.len()];
        for (l, w) in wit.of.iter().enumerate() {
            if w.base != NONE {
                by_base[w.base as usize].push(l as u32);
            }
        }
        // Witnesses that failed the test, with the values their model gives the flipped
        // variables, to be grafted onto a repaired base below.
        let mut orphans: Vec<Orphan> = Vec::new();
        let mut delta_values = |wit: &Witnesses, old: &[bool], l: u32, b: u32| {
            let w = wit.of[l as usize];
            let d = &wit.deltas[w.start as usize..(w.start + w.len) as usize];
            if !d.is_empty() {
                let values = d.iter().map(|&v| (v, !old[v as usize])).collect();
                orphans.push((l, b, values));
            }
        };
        for (b, lits) in by_base.iter().enumerate() {
            let mut base = std::mem::take(&mut wit.bases[b]);
            if base.is_empty() {
                continue;
            }
            let old = base.clone();
            self.flipper.load(&self.up, &base);
            if !self
                .flipper
                .repair_to(&self.up, &mut base, self.base_budget)
            {
                self.stats.bases_failed += 1;
                let replacement = if refuted || lits.len() < self.replace_min {
                    None
                } else {
                    let m = self.close_model(solver, &old, assumptions, effort)?;
                    refuted = m.is_none();
                    m
                };
                let target = if replacement.is_some() {
                    b as u32
                } else {
                    NONE
                };
                for &l in lits {
                    if self.up.value(l).is_none() {
                        delta_values(wit, &old, l, target);
                    }
                    wit.of[l as usize] = NO_WITNESS;
                }
                if let Some(m) = replacement {
                    self.stats.bases_replaced += 1;
                    wit.bases[b] = m;
                }
                continue; // without a replacement the base stays empty: dropped
            }
            self.near_epoch = self.near_epoch.wrapping_add(1);
            if self.near_epoch == 0 {
                self.near.iter_mut().for_each(|x| *x = 0);
                self.near_epoch = 1;
            }
            let epoch = self.near_epoch;
            for &v in self.flipper.flipped() {
                self.near[v as usize] = epoch;
                for l in [2 * v, 2 * v + 1] {
                    for &c in self.up.occurrences(l) {
                        for &x in self.up.clause(c) {
                            self.near[(x >> 1) as usize] = epoch;
                        }
                    }
                }
            }
            for &l in lits {
                let w = wit.of[l as usize];
                let o = (l >> 1) as usize;
                debug_assert!(o < n);
                let delta = &wit.deltas[w.start as usize..(w.start + w.len) as usize];
                let mut in_delta = false;
                let keeps = self.up.value(l).is_none()
                    && delta.iter().all(|&v| {
                        in_delta |= v as usize == o;
                        // `v` is flipped: it takes the value `base` does not have.
                        self.near[v as usize] != epoch
                            && self.up.value(2 * v + u32::from(base[v as usize])) != Some(false)
                    })
                    && (base[o] != in_delta) == (l & 1 == 0);
                if keeps {
                    self.stats.witnesses_kept += 1;
                } else {
                    if self.up.value(l).is_none() {
                        delta_values(wit, &old, l, b as u32);
                    }
                    wit.of[l as usize] = NO_WITNESS;
                }
            }
            wit.bases[b] = base;
        }
        // Grafts: the model a dropped witness had, on its repaired (or replaced) base, else on
        // the first base that was repaired: the base with the witness's values on its flipped
        // variables, checked clause by clause where they change it. A success is a model with
        // the literal (the flipped variables include its option). The witnesses a base shows
        // without flips are not grafted: the next step gives every literal a base shows a
        // witness.
        let first = wit.bases.iter().position(|b| !b.is_empty());
        let mut flips: Vec<u32> = Vec::new();
        for (l, b, values) in orphans {
            let Some(b) = (if b == NONE { first } else { Some(b as usize) }) else {
                self.stats.witnesses_dropped += 1;
                continue;
            };
            if wit.has(l) || self.up.value(l).is_some() {
                continue;
            }
            let target = &mut wit.bases[b];
            flips.clear();
            flips.extend(
                values
                    .iter()
                    .filter(|&&(v, x)| target[v as usize] != x)
                    .map(|&(v, _)| v),
            );
            let o = l >> 1;
            let shows = values.iter().any(|&(v, _)| v == o);
            if shows && self.up.flips_keep_model(target, &flips) {
                self.stats.witnesses_grafted += 1;
                wit.of[l as usize] = wit.add_delta(b as u32, &flips);
            } else {
                self.stats.witnesses_dropped += 1;
            }
        }
        Ok(())
    }

    /// A model of the current choices close to `old` (a model of the CNF under earlier choices
    /// whose repair to them failed), from the SAT solver, so that `old`'s witnesses graft onto
    /// it: a first call assuming every value of `old` (satisfiable without a conflict, `old`
    /// being a model of the CNF) leaves them as the solver's saved phases (phase saving,
    /// Pipatsrisawat and Darwiche, SAT 2007, which batsat keeps for every variable), so the
    /// second call, under `assumptions`, decides each variable as `old` has it unless the
    /// choices, their consequences or a learnt clause force the other value. batsat has no
    /// call that sets the phases directly. `None` when the choices have no model.
    ///
    /// On Linux 2018 the replacement of the base that carried 114,517 of the lint's 138,568
    /// witnesses differed from it in 1,330 of 76,457 variables after 20 conflicts, and 40,019
    /// dropped witnesses grafted onto the replacements of one click instead of 11,751.
    fn close_model(
        &mut self,
        solver: &mut SatSolver,
        old: &[bool],
        assumptions: &[Lit],
        effort: &mut Effort,
    ) -> Result<Option<Vec<bool>>, LimitReached> {
        let phases: Vec<Lit> = (0..old.len().min(self.up.n_vars()))
            .map(|v| rustsat::types::Var::new(v as u32).lit(!old[v]))
            .collect();
        let primed = self.solve(solver, &phases, effort)?;
        debug_assert!(primed, "a base model is a model of the CNF");
        if !self.solve(solver, assumptions, effort)? {
            return Ok(None);
        }
        Ok(Some(solver.model()))
    }

    /// Witnesses for the open option literals that have none: a base model that shows it,
    /// else a repair in one of the first two base models (16 when at most [`FILL_FEW`] are
    /// left).
    fn fill(&mut self, wit: &mut Witnesses, chosen: &[bool]) {
        let n = self.n_options;
        let mut todo: Vec<LitCode> = Vec::new();
        for o in 0..n {
            if chosen[o] || self.known(o) || !self.in_scope(o) {
                continue;
            }
            for value in [false, true] {
                let l = code(lit_of(o, value));
                if wit.has(l) {
                    continue;
                }
                match wit
                    .bases
                    .iter()
                    .position(|m| !m.is_empty() && m[o] == value)
                {
                    Some(b) => {
                        wit.of[l as usize] = WitnessRef {
                            base: b as u32,
                            start: 0,
                            len: 0,
                        }
                    }
                    None => todo.push(l),
                }
            }
        }
        let alive: Vec<usize> = (0..wit.bases.len())
            .filter(|&b| !wit.bases[b].is_empty())
            .collect();
        for (k, b) in alive.into_iter().enumerate() {
            // Two bases for every literal; more only when few are left (each failed repair
            // costs its budget).
            if todo.is_empty() || (k >= 2 && todo.len() > FILL_FEW) || k >= 16 {
                break;
            }
            let mut model = std::mem::take(&mut wit.bases[b]);
            self.flipper.load(&self.up, &model);
            todo.retain(|&l| {
                if wit.has(l) {
                    return false;
                }
                if !self.flipper.repair(&self.up, &mut model, l, REPAIR_BUDGET) {
                    self.stats.repair_failed += 1;
                    return true;
                }
                if self.flipper.flipped().len() == 1 {
                    self.stats.rotated += 1;
                } else {
                    self.stats.repaired += 1;
                }
                let r = wit.add_delta(b as u32, self.flipper.flipped());
                for &v in self.flipper.flipped() {
                    if (v as usize) < n {
                        let lv = code(lit_of(v as usize, model[v as usize]));
                        if !wit.has(lv) {
                            wit.of[lv as usize] = r;
                        }
                    }
                }
                self.flipper.undo(&self.up, &mut model);
                false
            });
            wit.bases[b] = model;
        }
    }

    /// Pool upkeep after a call: the stored and new models that satisfy the choices are
    /// scanned greedily, and each one that shows an option value not shown by the ones before
    /// it is marked as used now; the pool then keeps the [`POOL_CAPACITY`] most recently used
    /// models (new models that were not needed rank just below the used ones).
    fn keep(&mut self, consistent: &[usize], new_models: Vec<Bits>, shared: Option<&SharedModels>) {
        let first_new = self.pool.len();
        for bits in new_models {
            self.pool.push(PoolModel {
                bits,
                last_used: self.clock - 1,
            });
        }
        let tail = self.n_options % 64;
        let last_mask = if tail == 0 {
            u64::MAX
        } else {
            (1u64 << tail) - 1
        };
        let mut cover_t = vec![0u64; self.words];
        let mut cover_f = vec![0u64; self.words];
        let mut useful_new: Vec<Bits> = Vec::new();
        let candidates: Vec<usize> = consistent
            .iter()
            .copied()
            .chain(first_new..self.pool.len())
            .collect();
        for i in candidates {
            let m = &mut self.pool[i];
            let mut adds = false;
            for w in 0..self.words {
                let mask = if w + 1 == self.words {
                    last_mask
                } else {
                    u64::MAX
                };
                let b = m.bits[w];
                if (b & !cover_t[w]) & mask != 0 || (!b & !cover_f[w]) & mask != 0 {
                    adds = true;
                }
                cover_t[w] |= b;
                cover_f[w] |= !b;
            }
            if adds {
                m.last_used = self.clock;
                if i >= first_new {
                    useful_new.push(m.bits.clone());
                }
            }
        }
        if self.pool.len() > POOL_CAPACITY {
            // Stable: among equals, older models stay.
            self.pool.sort_by_key(|m| std::cmp::Reverse(m.last_used));
            self.pool.truncate(POOL_CAPACITY);
        }
        if let Some(shared) = shared {
            shared.offer(&useful_new);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::up::testing::{clause, clauses, cnf, models, xorshift};

    /// The state of option `o` by enumeration: its choice (the last one on it), else free,
    /// forced or excluded as the models `sub` (those of the choices) have it.
    fn enumerated_state(choices: &[Choice], sub: &[&Vec<bool>], o: usize) -> OptionState {
        match choices.iter().rev().find(|c| c.option == o) {
            Some(c) if c.selected => OptionState::Selected,
            Some(_) => OptionState::Rejected,
            None => match (sub.iter().any(|m| m[o]), sub.iter().any(|m| !m[o])) {
                (true, true) => OptionState::Free,
                (true, false) => OptionState::Forced,
                _ => OptionState::Excluded,
            },
        }
    }

    /// Random 3-CNFs near the satisfiability threshold (where unit propagation misses many
    /// conflicts, so the greedy sets of wanted literals get refuted and retried), a click
    /// history on one engine (the pool carries models over), against enumeration.
    #[test]
    fn random_cnfs_equal_brute_force() {
        let mut rnd = xorshift(0x2545_F491_4F6C_DD1Du64);
        let (mut retries, mut repaired, mut base_repaired, mut learnt) = (0, 0, 0, 0);
        for _ in 0..150 {
            let n_vars = 8 + rnd(6) as usize;
            let n_options = n_vars - rnd(3) as usize;
            let n_clauses = (n_vars as u64 * (30 + rnd(15))) / 10;
            let clauses: Vec<Vec<Lit>> = (0..n_clauses)
                .map(|_| clause(&mut rnd, n_vars, 3))
                .collect();
            let cnf = cnf(n_options, n_vars, clauses);
            let models = models(&cnf);
            let mut solver = SatSolver::new(&cnf, 0, crate::solver::Guards::None);
            let mut engine = Backbone::new(&cnf);
            let mut choices: Vec<Choice> = Vec::new();
            for _ in 0..6 {
                match rnd(4) {
                    0 => choices.clear(),
                    1 if !choices.is_empty() => {
                        choices.remove(rnd(choices.len() as u64) as usize);
                    }
                    _ => choices.push(Choice {
                        option: rnd(n_options as u64) as usize,
                        selected: rnd(2) == 1,
                    }),
                }
                let d = engine
                    .domains(&mut solver, &choices, &mut Effort::default(), None)
                    .unwrap();
                retries += engine.stats().retries;
                repaired += engine.stats().repaired;
                base_repaired += engine.stats().base_repaired as u32;
                learnt += engine.stats().learnt;
                let sub: Vec<&Vec<bool>> = models
                    .iter()
                    .filter(|m| choices.iter().all(|c| m[c.option] == c.selected))
                    .collect();
                assert_eq!(d.satisfiable, !sub.is_empty(), "{choices:?} {cnf:?}");
                if sub.is_empty() {
                    continue;
                }
                let w = d.witness.as_ref().unwrap();
                assert!(sub.iter().any(|m| m[..n_options] == w[..]), "witness");
                for o in 0..n_options {
                    let expected = enumerated_state(&choices, &sub, o);
                    assert_eq!(
                        d.states[o], expected,
                        "option {o} under {choices:?}: {cnf:?}"
                    );
                }
            }
        }
        assert!(retries > 0, "the refuted-set path was not exercised");
        assert!(learnt > 100, "learnt clauses not exercised: {learnt}");
        assert!(
            repaired > 0 && base_repaired > 0,
            "repairs not exercised: {repaired} {base_repaired}"
        );
    }
    /// Witnesses carried from click to click (step 2b) on random CNFs against enumeration:
    /// sparse 2- and 3-CNFs with chains (many free options, repairs of several variables),
    /// long click histories that mostly add a choice (the previous backbone is reused) and
    /// sometimes drop or change one, on engines seeded from a shared call without choices on
    /// odd rounds. After every call each witness must be a model with its literal, and the
    /// domains those of enumeration.
    #[test]
    fn carried_witnesses_equal_brute_force() {
        let mut rnd = xorshift(0xA076_1D64_78BD_642Fu64);
        let (mut kept, mut dropped, mut failed, mut sat_free, mut grafted) = (0, 0, 0, 0, 0);
        let mut replaced = 0;
        for round in 0..600 {
            let n_vars = 8 + rnd(7) as usize;
            let n_options = n_vars - rnd(3) as usize;
            let n_clauses = (n_vars as u64 * (8 + rnd(14))) / 10;
            let mut clauses = clauses(&mut rnd, n_vars, n_clauses, (2, 2));
            // Implication chains `x_i -> x_{i+1}`: repairs that flip several variables.
            let start = rnd(n_vars as u64) as usize;
            for i in start..(start + 3 + rnd(4) as usize).min(n_vars - 1) {
                let a = Lit::positive(i as u32);
                let b = Lit::positive(i as u32 + 1);
                clauses.push(vec![!a, b]);
            }
            let cnf = cnf(n_options, n_vars, clauses);
            let models = models(&cnf);
            if models.is_empty() {
                continue;
            }
            let mut solver = SatSolver::new(&cnf, 0, crate::solver::Guards::None);
            let mut engine = Backbone::new(&cnf);
            if round % 3 == 2 {
                engine.base_budget = RepairBudget {
                    flips: rnd(2) as usize,
                    visits: 1000,
                    reflips: rnd(2) == 1,
                };
                // Failed bases replaced by close models from the solver, or not.
                engine.replace_min = [0, 2, usize::MAX][rnd(3) as usize];
            }
            if round % 2 == 1 {
                let shared = SharedModels::default();
                let mut s2 = SatSolver::new(&cnf, 0, crate::solver::Guards::None);
                let mut lint = Backbone::new(&cnf);
                lint.domains(&mut s2, &[], &mut Effort::default(), Some(&shared))
                    .unwrap();
                engine.seed(&shared);
            }
            let mut choices: Vec<Choice> = Vec::new();
            for _ in 0..10 {
                match rnd(8) {
                    0 if !choices.is_empty() => {
                        choices.remove(rnd(choices.len() as u64) as usize);
                    }
                    1 if !choices.is_empty() => {
                        let k = rnd(choices.len() as u64) as usize;
                        choices[k].selected = !choices[k].selected;
                    }
                    _ => choices.push(Choice {
                        option: rnd(n_options as u64) as usize,
                        selected: rnd(2) == 1,
                    }),
                }
                let d = engine
                    .domains(&mut solver, &choices, &mut Effort::default(), None)
                    .unwrap();
                let st = engine.stats();
                kept += st.witnesses_kept;
                dropped += st.witnesses_dropped;
                failed += st.bases_failed;
                grafted += st.witnesses_grafted;
                replaced += st.bases_replaced;
                if st.sat_calls == 0 && d.satisfiable {
                    sat_free += 1;
                }
                let sub: Vec<&Vec<bool>> = models
                    .iter()
                    .filter(|m| choices.iter().all(|c| m[c.option] == c.selected))
                    .collect();
                assert_eq!(d.satisfiable, !sub.is_empty(), "{choices:?} {cnf:?}");
                if sub.is_empty() {
                    // Unsatisfiable choices: a conflicting click, undone next.
                    choices.pop();
                    continue;
                }
                if let Some(w) = &engine.wit {
                    assert_eq!(
                        w.valid(&engine.up, n_options),
                        Ok(()),
                        "{choices:?} {cnf:?}"
                    );
                }
                for o in 0..n_options {
                    let expected = enumerated_state(&choices, &sub, o);
                    assert_eq!(
                        d.states[o], expected,
                        "round {round} option {o} under {choices:?} {st:?}: {cnf:?}"
                    );
                }
            }
        }
        assert!(
            kept > 2000
                && dropped > 200
                && grafted > 600
                && failed > 10
                && sat_free > 2000
                && replaced > 10,
            "{kept} {dropped} {grafted} {failed} {sat_free} {replaced}"
        );
    }

    /// A random catalog of single-choice groups and allowed tables (with `*` and `-` cells)
    /// as TOML: the catalogs [`crate::gac`] handles.
    fn table_catalog(rnd: &mut impl FnMut(u64) -> u64) -> String {
        let n_groups = 3 + rnd(4) as usize;
        let mut sizes: Vec<usize> = (0..n_groups).map(|_| 2 + rnd(2) as usize).collect();
        while sizes.iter().sum::<usize>() > 14 {
            sizes.pop();
        }
        let n_groups = sizes.len();
        let mut toml = String::from("id = \"t\"\nname = \"T\"\ncurrency = \"EUR\"\n");
        for (g, n) in sizes.iter().enumerate() {
            toml += &format!("[[groups]]\nid = \"g{g}\"\nmin = {}\nmax = 1\n", rnd(2));
            for o in 0..*n {
                toml += &format!("[[groups.options]]\nid = \"o{o}\"\n");
            }
        }
        for r in 0..2 + rnd(8) {
            let arity = 2 + rnd(2) as usize;
            let mut cols: Vec<usize> = Vec::new();
            while cols.len() < arity.min(n_groups) {
                let g = rnd(n_groups as u64) as usize;
                if !cols.contains(&g) {
                    cols.push(g);
                }
            }
            // Half the tables: "different options" over two groups (arc consistent, but
            // cycles of them need search, as in graph colouring).
            if rnd(2) == 0 && sizes[cols[0]] > 1 && sizes[cols[1]] > 1 {
                let (a, b) = (cols[0], cols[1]);
                let mut rows = Vec::new();
                for i in 0..sizes[a] {
                    for j in 0..sizes[b] {
                        if i != j {
                            rows.push(format!("[\"o{i}\", \"o{j}\"]"));
                        }
                    }
                }
                toml += &format!(
                    "[[rules]]\nid = \"r{r}\"\ntable = {{ groups = [\"g{a}\", \"g{b}\"], allowed = [{}] }}\n",
                    rows.join(", ")
                );
                continue;
            }
            let rows: Vec<String> = (0..2 + rnd(7))
                .map(|_| {
                    let cells: Vec<String> = cols
                        .iter()
                        .map(|g| match rnd(12) {
                            0 => "\"*\"".to_string(),
                            1 => "\"-\"".to_string(),
                            _ => format!("\"o{}\"", rnd(sizes[*g] as u64)),
                        })
                        .collect();
                    format!("[{}]", cells.join(", "))
                })
                .collect();
            let groups: Vec<String> = cols.iter().map(|g| format!("\"g{g}\"")).collect();
            toml += &format!(
                "[[rules]]\nid = \"r{r}\"\ntable = {{ groups = [{}], allowed = [{}] }}\n",
                groups.join(", "),
                rows.join(", ")
            );
        }
        toml
    }

    /// Table catalogs through the finite-domain search (step 0), with the per-value bound at
    /// its default and at 0 (every search that backtracks leaves its value to the SAT steps),
    /// a click history per engine, against enumeration with the independent evaluator.
    #[test]
    fn table_catalogs_equal_brute_force() {
        let mut rnd = xorshift(0x5DEE_CE66_D1CE_4E5Bu64);
        let (mut searched, mut failures, mut open, mut unsat) = (0, 0, 0, 0);
        for round in 0..1500 {
            let text = table_catalog(&mut rnd);
            let c = crate::load(&text, crate::Format::Toml).expect(&text);
            assert!(c.cnf.csp.is_some(), "no finite-domain view: {text}");
            let n = c.n_options();
            let products: Vec<Vec<bool>> = (0u32..1 << n)
                .map(|b| (0..n).map(|i| b >> i & 1 == 1).collect::<Vec<_>>())
                .filter(|m| crate::eval::violations(&c.index, &c.constraints, m).is_empty())
                .collect();
            let mut solver = SatSolver::new(&c.cnf, 0, crate::solver::Guards::None);
            let mut engine = Backbone::new(&c.cnf);
            if round % 2 == 1 {
                engine.gac_bound = 0;
            }
            let mut choices: Vec<Choice> = Vec::new();
            for _ in 0..6 {
                match rnd(4) {
                    0 => choices.clear(),
                    1 if !choices.is_empty() => {
                        choices.remove(rnd(choices.len() as u64) as usize);
                    }
                    _ => choices.push(Choice {
                        option: rnd(n as u64) as usize,
                        selected: rnd(3) > 0,
                    }),
                }
                let d = engine
                    .domains(&mut solver, &choices, &mut Effort::default(), None)
                    .unwrap();
                let st = engine.stats();
                searched += st.gac_searches;
                failures += st.gac_failures;
                open += st.gac_open;
                let sub: Vec<&Vec<bool>> = products
                    .iter()
                    .filter(|m| choices.iter().all(|c| m[c.option] == c.selected))
                    .collect();
                assert_eq!(d.satisfiable, !sub.is_empty(), "{choices:?} {text}");
                if sub.is_empty() {
                    unsat += 1;
                    continue;
                }
                let w = d.witness.as_ref().unwrap();
                assert!(sub.iter().any(|m| m == &w), "witness");
                for o in 0..n {
                    let expected = enumerated_state(&choices, &sub, o);
                    assert_eq!(
                        d.states[o], expected,
                        "round {round} bound {} option {o} under {choices:?} {st:?}: {text}",
                        engine.gac_bound
                    );
                }
            }
        }
        assert!(
            searched > 1000 && failures > 100 && open > 20 && unsat > 100,
            "{searched} {failures} {open} {unsat}"
        );
    }

    /// One product by finite-domain search (`Session::witness` on table catalogs) against
    /// enumeration: a product that extends the choices exactly when one exists, or nothing
    /// known when the bound cut the search (bound 0 on odd rounds).
    #[test]
    fn csp_witnesses_equal_brute_force() {
        let mut rnd = xorshift(0x0DDB_1A5E_5BAD_5EEDu64);
        let (mut found, mut none, mut cut) = (0, 0, 0);
        for round in 0..600 {
            let text = table_catalog(&mut rnd);
            let c = crate::load(&text, crate::Format::Toml).expect(&text);
            let n = c.n_options();
            let products: Vec<Vec<bool>> = (0u32..1 << n)
                .map(|b| (0..n).map(|i| b >> i & 1 == 1).collect::<Vec<_>>())
                .filter(|m| crate::eval::violations(&c.index, &c.constraints, m).is_empty())
                .collect();
            let mut engine = Backbone::new(&c.cnf);
            if round % 2 == 1 {
                engine.gac_bound = 0;
            }
            let mut choices: Vec<Choice> = Vec::new();
            for _ in 0..6 {
                choices.push(Choice {
                    option: rnd(n as u64) as usize,
                    selected: rnd(3) > 0,
                });
                let exists = products
                    .iter()
                    .any(|m| choices.iter().all(|c| m[c.option] == c.selected));
                match engine
                    .csp_witness(&choices, &mut Effort::default())
                    .unwrap()
                {
                    Some(Some(w)) => {
                        found += 1;
                        assert!(
                            products.contains(&w)
                                && choices.iter().all(|c| w[c.option] == c.selected),
                            "not a product with {choices:?}: {w:?} {text}"
                        );
                    }
                    Some(None) => {
                        none += 1;
                        assert!(!exists, "a product exists with {choices:?}: {text}");
                    }
                    None => {
                        cut += 1;
                        assert_eq!(engine.gac_bound, 0, "cut at the default bound: {text}");
                    }
                }
            }
        }
        // (The bound rarely cuts a single-solution search on catalogs this small.)
        assert!(found > 500 && none > 500, "{found} {none} {cut}");
    }
}

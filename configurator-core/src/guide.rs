//! Guided mode: which question to ask next, a short ranked list of options with the reasons
//! for their rank, and a complete default product at every moment.
//!
//! The engine weighs what a person cannot: at each step it
//! - hides *dominated* options (another valid option of the group is at least as good on every
//!   attribute the catalog marks `better`, not more expensive, and strictly better somewhere;
//!   Pareto dominance as in multi-attribute recommenders), unless similar customers choose
//!   them anyway (revealed preference, see [`Guide::dominated`]);
//! - ranks the rest by fit to the customer's needs profile, popularity among shared
//!   configurations (decayed, with the manufacturer's defaults as cold-start prior), value for
//!   money, and how much of the product the option leaves open (computed by propagation);
//! - asks first the open visible group whose answer is least predictable (the default is least
//!   likely to be what the customer wants) and tells most about the others
//!   ([`crate::lookahead`]), near-ties going to the group that matters most (price spread,
//!   number of valid options); groups already forced are never asked, groups the default
//!   answers confidently come last;
//! - keeps a default product: the completion maximising fit plus popularity within the
//!   profile's budget, so the customer can stop at any time.
//!
//! Every option shown is valid under the current choices (taken from the complete domains), so
//! following the guide never leads to a dead end.

use crate::catalog::{GroupKind, Profile};
use crate::complete::{CompleteError, CompletionReport};
use crate::engine::{Compiled, Session};
use crate::ir::{GroupIdx, OptionIdx};
use crate::number::Decimal;
use crate::optimize::{preference_scores, CompleteRequest, Objective};
use crate::propagate::{Choice, Domains, OptionState};
use crate::solver::{Effort, LimitReached};
use serde::Serialize;
use std::collections::BTreeMap;

/// Options on the short list by default, and at most.
pub const DEFAULT_K: usize = 5;
pub const MAX_K: usize = 7;
/// A default this likely to be right makes its question wait until the end.
pub const CONFIDENT: f64 = 0.85;
/// Score bonus of an option of the previous default product (stability of the default).
const ANCHOR_BONUS: f64 = 0.3;
/// Weight of the prior confidence against observed shared configurations.
const CONFIDENCE_PSEUDO_COUNT: f64 = 3.0;
/// Pseudo-configurations of the manufacturer's prior (0.8 plus up to 0.2 by popularity) in
/// the prior confidence of a group the profile weighs, against the group's predictability over
/// all profiles' configurations. 1, 5 and 15 did about equally on ten `pc` simulations
/// (BENCHMARKS, "2026-12-02 (2)").
const PREDICTABILITY_PSEUDO_COUNT: f64 = 5.0;
/// Share of similar customers' configurations from which an option is never hidden as
/// dominated (see [`Guide::dominated`]).
pub const REVEALED_SHARE: f64 = 0.05;
/// Time limit of the default product's MILP passes before the greedy completion takes over.
pub const MILP_SECS: f64 = 1.0;

/// Configurations of the customer's own profile that weigh as much as the profile's fit in the
/// default product's scores (see [`Guide::default_scores`]).
const FIT_PRIOR: f64 = 10.0;

/// The price of the cheapest product with `choices` (infrastructure included), `None` when
/// there is none.
fn cheapest_price(
    session: &mut Session,
    choices: &[Choice],
    time_limit_secs: f64,
    effort: &mut Effort,
) -> Result<Option<Decimal>, CompleteError> {
    let request = CompleteRequest {
        objective: Objective::Price,
        budget: None,
        budget_at_cheapest: Vec::new(),
        complete_visible: true,
        time_limit_secs,
    };
    let r = session.complete(choices, &request, effort)?;
    Ok(r.satisfiable.then_some(r.total))
}

/// Decayed counts of options in configurations customers chose to share.
#[derive(Clone, Debug, PartialEq)]
pub struct Popularity {
    pub weight: Vec<f64>,
    /// Total weight of the configurations added.
    pub total: f64,
    /// The same counts over the configurations made with the customer's own needs profile
    /// only ([`History::popularity`]; empty without a profile). Confidence reads these in the
    /// groups the profile weighs, where other profiles choose differently by design (an office
    /// build's integrated graphics say nothing about a gamer's graphics card).
    pub own_weight: Vec<f64>,
    pub own_total: f64,
}

impl Popularity {
    pub fn new(n_options: usize) -> Self {
        Popularity {
            weight: vec![0.0; n_options],
            total: 0.0,
            own_weight: vec![0.0; n_options],
            own_total: 0.0,
        }
    }

    /// Adds a configuration made with the customer's own profile to the own counts (call
    /// [`Popularity::add`] for the blended counts too).
    fn add_own(&mut self, options: &[OptionIdx], weight: f64) {
        for o in options {
            if let Some(w) = self.own_weight.get_mut(*o) {
                *w += weight;
            }
        }
        self.own_total += weight;
    }

    /// Adds one shared configuration (its chosen options) with a weight, usually
    /// [`Popularity::decay`] of its age.
    pub fn add(&mut self, options: &[OptionIdx], weight: f64) {
        for o in options {
            if let Some(w) = self.weight.get_mut(*o) {
                *w += weight;
            }
        }
        self.total += weight;
    }

    /// Exponential decay: a configuration `age_days` old counts `0.5^(age/half_life)`.
    pub fn decay(age_days: f64, half_life_days: f64) -> f64 {
        0.5f64.powf(age_days.max(0.0) / half_life_days.max(1e-9))
    }
}

/// Shared configurations as the guide learns from them: each with the options it contains,
/// the needs profile it was made with and a weight (usually [`Popularity::decay`] of its age).
///
/// Popularity is read *conditionally* on what the customer chose so far: a kernel-weighted
/// nearest-neighbour estimate (user-based collaborative filtering, Resnick et al. 1994; here
/// with a product kernel over the choices). Every shared configuration that disagrees with a
/// choice counts [`History::MISMATCH`] times less per disagreement, and configurations made
/// with another needs profile count [`History::OTHER_PROFILE`]. So tastes that go together
/// (a white case with white cables, a sporty trim with sporty wheels) follow each other into
/// the default product after one answer, and the questions they settle are no longer asked.
///
/// After a few choices few configurations agree with all of them, and the kernel's weights
/// become too thin to estimate from: the conditional counts back off to the customer's
/// population (same kernel, no choices) with [`History::BACK_OFF`] pseudo-configurations
/// spread by its rates, the hierarchical smoothing of n-gram models (Katz 1987; here the
/// m-estimate of Cestnik 1990 with the parent level's rates as prior). Without it the
/// manufacturer's cold-start prior would take over again as soon as the customer made an
/// unusual choice.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct History {
    pub configurations: Vec<SharedConfiguration>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SharedConfiguration {
    /// The options it contains, sorted.
    pub options: Vec<OptionIdx>,
    pub profile: Option<String>,
    pub weight: f64,
}

impl History {
    /// Weight factor per choice a shared configuration disagrees with.
    pub const MISMATCH: f64 = 0.05;
    /// Weight factor of a configuration made with another needs profile (or none).
    pub const OTHER_PROFILE: f64 = 0.25;
    /// Own-profile weight at which the other profiles' configurations count half as much as
    /// without any (see [`History::counts`]). Tried 1, 2 and 5 on ten simulations of `pc`:
    /// 2 was best (BENCHMARKS, "2026-12-02 (2)").
    pub const OWN_SATURATION: f64 = 2.0;
    /// Pseudo-configurations of the population's rates added to the conditional counts.
    pub const BACK_OFF: f64 = 3.0;

    pub fn add(&mut self, mut options: Vec<OptionIdx>, profile: Option<String>, weight: f64) {
        options.sort_unstable();
        options.dedup();
        self.configurations.push(SharedConfiguration {
            options,
            profile,
            weight,
        });
    }

    /// Multiplies every weight by `factor` (decay as time passes).
    pub fn decay(&mut self, factor: f64) {
        for c in &mut self.configurations {
            c.weight *= factor;
        }
        self.configurations.retain(|c| c.weight > 1e-6);
    }

    pub fn is_empty(&self) -> bool {
        self.configurations.is_empty()
    }

    /// Popularity for a customer with `profile` who made `choices`: the kernel-weighted counts,
    /// backed off to those without the choices.
    pub fn popularity(
        &self,
        n_options: usize,
        profile: Option<&str>,
        choices: &[Choice],
    ) -> Popularity {
        let mut p = self.counts(n_options, profile, choices);
        if !choices.is_empty() {
            let population = self.counts(n_options, profile, &[]);
            let back_off = |w: &mut [f64], total: &mut f64, pw: &[f64], ptotal: f64| {
                if ptotal > 0.0 {
                    for (x, y) in w.iter_mut().zip(pw) {
                        *x += Self::BACK_OFF * y / ptotal;
                    }
                    *total += Self::BACK_OFF;
                }
            };
            back_off(
                &mut p.weight,
                &mut p.total,
                &population.weight,
                population.total,
            );
            back_off(
                &mut p.own_weight,
                &mut p.own_total,
                &population.own_weight,
                population.own_total,
            );
        }
        p
    }

    /// How much a shared configuration counts for a customer with `profile` who made
    /// `choices`: its weight, times [`History::OTHER_PROFILE`] when made with another profile,
    /// times [`History::MISMATCH`] per choice it disagrees with.
    pub fn kernel(c: &SharedConfiguration, profile: Option<&str>, choices: &[Choice]) -> f64 {
        let mut w = c.weight;
        if profile.is_some() && c.profile.as_deref() != profile {
            w *= Self::OTHER_PROFILE;
        }
        for choice in choices {
            if c.options.binary_search(&choice.option).is_ok() != choice.selected {
                w *= Self::MISMATCH;
            }
        }
        w
    }

    /// The kernel-weighted counts of [`History::popularity`], without back-off.
    ///
    /// The configurations of other profiles are the prior of the customer's own profile: they
    /// count [`History::OTHER_PROFILE`] each while the profile has none of its own, and fade
    /// as its own come in, by `S / (S + own weight)` with `S` = [`History::OWN_SATURATION`]
    /// (the hierarchical shrinkage of Witten-Bell smoothing, with the other profiles as the
    /// lower-order model). Where profiles differ in a matter of taste (gamers take the Windows
    /// the profile prefers, creative customers mostly Ubuntu), the others' choices then stop
    /// outvoting a profile's own once it has a few.
    fn counts(&self, n_options: usize, profile: Option<&str>, choices: &[Choice]) -> Popularity {
        let mut p = Popularity::new(n_options);
        let mut other = Popularity::new(n_options);
        for c in &self.configurations {
            let own = profile.is_some() && c.profile.as_deref() == profile;
            let w = Self::kernel(c, profile, choices);
            if w > 0.0 {
                if own {
                    p.add(&c.options, w);
                    p.add_own(&c.options, w);
                } else {
                    other.add(&c.options, w);
                }
            }
        }
        let fade = if profile.is_some() {
            Self::OWN_SATURATION / (Self::OWN_SATURATION + p.own_total)
        } else {
            1.0
        };
        for (x, y) in p.weight.iter_mut().zip(&other.weight) {
            *x += fade * y;
        }
        p.total += fade * other.total;
        p
    }
}

/// Per group of `compiled`: the share of the most chosen option among the shared
/// configurations of each needs profile, averaged over the profiles by their weight, and that
/// weight (single-choice groups with configurations of some profile; else `(0, 0)`).
///
/// How often customers of a profile take its most usual option is a property of the group
/// (a processor follows from the needs, a case or a warranty is personal) that every profile's
/// configurations estimate, so the confidence of a group a profile weighs starts from it
/// (hierarchical pooling, Gelman and Hill 2007, ch. 12) rather than only from the few
/// configurations of the customer's own profile.
fn predictability(compiled: &Compiled, history: &History) -> Vec<(f64, f64)> {
    let index = &compiled.index;
    let mut by_profile: BTreeMap<&str, (Vec<f64>, f64)> = BTreeMap::new();
    for c in &history.configurations {
        let Some(p) = c.profile.as_deref() else {
            continue;
        };
        let entry = by_profile
            .entry(p)
            .or_insert_with(|| (vec![0.0; index.n_options()], 0.0));
        for o in &c.options {
            if let Some(w) = entry.0.get_mut(*o) {
                *w += c.weight;
            }
        }
        entry.1 += c.weight;
    }
    index
        .groups
        .iter()
        .map(|g| {
            if g.max > 1 || g.min == 0 {
                return (0.0, 0.0);
            }
            let (mut sum, mut n) = (0.0, 0.0);
            for (weight, total) in by_profile.values() {
                if *total > 0.0 {
                    let modal = g.options().map(|o| weight[o]).fold(0.0, f64::max);
                    sum += modal;
                    n += total;
                }
            }
            if n > 0.0 {
                (sum / n, n)
            } else {
                (0.0, 0.0)
            }
        })
        .collect()
}

/// Everything the guide derives once per customer (profile) and catalog.
pub struct Guide<'a> {
    pub compiled: &'a Compiled,
    pub profile: Option<&'a Profile>,
    /// Fit of each option to the profile, 0..=1 within its group.
    pub fit: Vec<f64>,
    /// Popularity share of each option within its group (smoothed, with the default as prior).
    pub share: Vec<f64>,
    /// Whether each group's fit actually discriminates between its options.
    pub weighted_group: Vec<bool>,
    /// Groups where a product may hold several options or none (shares are inclusion rates).
    pub multi: Vec<bool>,
    /// Whether popularity comes from shared configurations (else only the manufacturer's
    /// defaults).
    pub learned: bool,
    /// Whose configurations the popularity mostly counts (e.g. "gamers"), for the reasons.
    pub popular_with: Option<String>,
    /// The learned weight of each option and the total (no prior): how often customers like
    /// this one actually took the default, for the confidence of a question.
    learned_weight: Vec<f64>,
    learned_total: f64,
    /// The same, over configurations made with this customer's profile only.
    own_weight: Vec<f64>,
    own_total: f64,
    /// Set when the default product's MILP ran out of time once: later defaults go straight
    /// to the greedy completion.
    milp_too_slow: std::cell::Cell<bool>,
    /// Options of the previous default product (see [`Guide::set_anchor`]).
    anchor: Vec<bool>,
    /// Shared configurations and the choices so far, for the question order's lookahead
    /// (see [`Guide::set_history`]).
    lookahead: Option<(&'a History, Vec<Choice>)>,
    /// Per group: how predictable its choice is within a needs profile, pooled over the
    /// profiles, and the weight of the configurations behind it (see [`predictability`]).
    predictability: Vec<(f64, f64)>,
    /// Cheapest prices already computed for this guide, by choices (see
    /// [`Guide::cheapest_price`]): the budget and the taste infrastructure both need the
    /// cheapest product with the customer's choices.
    priced: std::cell::RefCell<Vec<(Vec<Choice>, Option<Decimal>)>>,
}

/// An option on the short list.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RankedOption {
    pub option: String,
    pub name: String,
    pub price: Decimal,
    pub score: f64,
    /// Why it ranks where it does, most important first.
    pub reasons: Vec<String>,
    /// In the current default product.
    pub default: bool,
}

/// The next question.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Question {
    pub group: String,
    pub name: String,
    /// At most k ranked options, best first.
    pub options: Vec<RankedOption>,
    /// Valid options not on the short list ("show all" lists them too).
    pub more: usize,
    /// Valid but dominated options (hidden from the short list).
    pub dominated: Vec<String>,
    /// How likely the default answer is what the customer wants (0..=1).
    pub confidence: f64,
}

/// One step of guided mode.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GuideStep {
    pub satisfiable: bool,
    /// None when every visible group is decided or forced.
    pub question: Option<Question>,
    /// Open visible groups in the order they would be asked.
    pub order: Vec<String>,
    /// A complete valid product for the choices, steered by the profile and popularity.
    pub default: Option<CompletionReport>,
}

impl<'a> Guide<'a> {
    pub fn new(
        compiled: &'a Compiled,
        profile: Option<&'a Profile>,
        popularity: Option<&Popularity>,
    ) -> Self {
        let index = &compiled.index;
        let n = index.n_options();
        let weights: BTreeMap<String, f64> = profile.map(|p| p.weights.clone()).unwrap_or_default();
        // Without a needs profile the customer stated nothing: fit is neutral, and the
        // manufacturer's defaults and popularity decide (not "the best of everything").
        let raw = if profile.is_some() {
            preference_scores(index, &compiled.better(), &weights)
        } else {
            vec![0.0; n]
        };
        let mut fit = vec![0.0; n];
        let mut share = vec![0.0; n];
        let mut weighted_group = vec![false; index.groups.len()];
        let multi: Vec<bool> = index
            .groups
            .iter()
            .map(|g| g.max > 1 || g.min == 0)
            .collect();
        for (gi, g) in index.groups.iter().enumerate() {
            let lo = g.options().map(|o| raw[o]).fold(f64::INFINITY, f64::min);
            let hi = g
                .options()
                .map(|o| raw[o])
                .fold(f64::NEG_INFINITY, f64::max);
            weighted_group[gi] = hi - lo > 1e-9;
            let preferred = |o: OptionIdx| {
                profile.is_some_and(|p| p.prefer.iter().any(|x| x == compiled.name(o)))
            };
            for o in g.options() {
                let base = if hi - lo > 1e-9 {
                    (raw[o] - lo) / (hi - lo)
                } else {
                    0.5
                };
                fit[o] = if preferred(o) { 1.0 } else { base };
                if preferred(o) {
                    weighted_group[gi] = true;
                }
            }
            // Popularity with the manufacturer's default as cold-start prior. Single-choice
            // groups: the option's share of the group's picks (one pseudo-count per option,
            // two more for the default). Other groups: how often the option is included at all
            // (the default counts as in 2 of 3 pseudo-configurations, others in 1 of 6).
            let default = compiled.catalog.groups[gi].default.as_deref();
            let is_default = |o: OptionIdx| Some(compiled.option_def(o).id.as_str()) == default;
            let w = |o: OptionIdx| popularity.map_or(0.0, |p| p.weight[o]);
            if multi[gi] {
                let total = popularity.map_or(0.0, |p| p.total);
                for o in g.options() {
                    let prior = if is_default(o) { 2.0 } else { 0.5 };
                    share[o] = (prior + w(o)) / (3.0 + total);
                }
            } else {
                let prior = |o: OptionIdx| if is_default(o) { 3.0 } else { 1.0 };
                let total: f64 = g.options().map(|o| prior(o) + w(o)).sum();
                for o in g.options() {
                    share[o] = (prior(o) + w(o)) / total;
                }
            }
        }
        Guide {
            compiled,
            profile,
            fit,
            share,
            weighted_group,
            multi,
            learned: popularity.is_some_and(|p| p.total > 0.0),
            popular_with: None,
            learned_weight: popularity.map_or_else(|| vec![0.0; n], |p| p.weight.clone()),
            learned_total: popularity.map_or(0.0, |p| p.total),
            own_weight: popularity.map_or_else(|| vec![0.0; n], |p| p.own_weight.clone()),
            own_total: popularity.map_or(0.0, |p| p.own_total),
            milp_too_slow: std::cell::Cell::new(false),
            anchor: Vec::new(),
            lookahead: None,
            predictability: Vec::new(),
            priced: std::cell::RefCell::new(Vec::new()),
        }
    }

    /// Whether the default product's MILP proved too slow on this catalog (the greedy
    /// completion is used instead); carry it over to later guides for the same catalog.
    pub fn milp_too_slow(&self) -> bool {
        self.milp_too_slow.get()
    }

    pub fn set_milp_too_slow(&self, slow: bool) {
        self.milp_too_slow.set(slow);
    }

    /// Per-option scores the default product maximises. Infrastructure scores nothing (it is
    /// completed cheapest first). Single-choice groups: fit where the profile says something
    /// plus popularity. Other groups: an option is worth including when customers usually
    /// include it (inclusion rate above one half), nudged by fit.
    pub fn default_scores(&self) -> Vec<f64> {
        let index = &self.compiled.index;
        (0..self.fit.len())
            .map(|o| {
                let g = index.group_of[o];
                if index.groups[g].kind == GroupKind::Infrastructure {
                    return 0.0;
                }
                let weighted = self.weighted_group[g];
                let stay = if self.anchor.get(o).copied().unwrap_or(false) {
                    ANCHOR_BONUS
                } else {
                    0.0
                };
                stay + if self.multi[g] {
                    (self.share[o] - 0.5)
                        + if weighted {
                            0.3 * (self.fit[o] - 0.5)
                        } else {
                            0.0
                        }
                } else if weighted {
                    // Revealed preference takes over from the profile's fit as configurations
                    // of the same profile come in (a shrinkage estimate: the fit counts as
                    // FIT_PRIOR configurations): office customers who keep Windows Home over
                    // the "preferred" Pro say what office customers want.
                    let lambda = self.own_total / (self.own_total + FIT_PRIOR);
                    let own = if self.own_total > 0.0 {
                        self.own_weight[o] / self.own_total
                    } else {
                        0.0
                    };
                    (1.0 - lambda) * self.fit[o] + lambda * own + 0.5 * self.share[o]
                } else {
                    0.5 * self.share[o]
                }
            })
            .collect()
    }

    /// The shared configurations the popularity came from, and the customer's choices: the
    /// question order then also weighs what each answer tells about the other groups
    /// ([`crate::lookahead`]), and the confidence of the groups the profile weighs starts from
    /// how predictable each is within a profile ([`predictability`]).
    pub fn set_history(&mut self, history: &'a History, choices: &[Choice]) {
        self.lookahead = Some((history, choices.to_vec()));
        self.predictability = predictability(self.compiled, history);
    }

    /// Sets the previous default product (its options): the next default keeps what it can of
    /// it, so one answer does not reshuffle groups the customer did not touch (a dearer case
    /// does not silently swap the processor to stay within budget).
    pub fn set_anchor(&mut self, options: &[OptionIdx]) {
        self.anchor = vec![false; self.fit.len()];
        for o in options {
            if let Some(a) = self.anchor.get_mut(*o) {
                *a = true;
            }
        }
    }

    /// The default product: best scores within the profile's budget (or without it, when no
    /// product fits the budget). The MILP gets a short time limit; on large models where it
    /// cannot finish (e.g. hundreds of compatibility tables), a greedy SAT completion takes
    /// over: still a valid product, steered by the same scores, not proven best.
    pub fn default_product(
        &self,
        session: &mut Session,
        choices: &[Choice],
        time_limit_secs: f64,
        effort: &mut Effort,
    ) -> Result<CompletionReport, CompleteError> {
        if self.milp_too_slow.get() {
            return self.greedy_default(session, choices, effort);
        }
        match self.milp_default(session, choices, time_limit_secs, effort) {
            Err(CompleteError::Limit(_)) => {
                self.milp_too_slow.set(true);
                self.greedy_default(session, choices, effort)
            }
            // A numerical failure of the MILP backend (microlp: "singular matrix") is no reason
            // to leave the customer without a default: the greedy completion gives a valid one.
            Err(CompleteError::Solver(_)) => self.greedy_default(session, choices, effort),
            other => other,
        }
    }

    /// The default product by MILP: best scores within the budget as raised by the choices.
    fn milp_default(
        &self,
        session: &mut Session,
        choices: &[Choice],
        time_limit_secs: f64,
        effort: &mut Effort,
    ) -> Result<CompletionReport, CompleteError> {
        let secs = time_limit_secs.min(MILP_SECS);
        let taste = self.taste_groups(choices);
        let scores = self.default_scores();
        let mut budget = self.choice_budget(session, choices, secs, effort)?;
        if let Some(b) = budget {
            let extra =
                self.taste_infrastructure(session, choices, (&taste, &scores), secs, effort)?;
            budget = Some(Decimal::from_raw(b.raw().saturating_add(extra)));
        }
        let mut request = CompleteRequest {
            objective: Objective::Scores(scores),
            budget,
            budget_at_cheapest: taste,
            complete_visible: true,
            time_limit_secs: secs,
        };
        let first = session.complete(choices, &request, effort)?;
        if first.satisfiable || request.budget.is_none() {
            return Ok(first);
        }
        // Over budget whatever the customer does now: the budget becomes the lowest price still
        // possible, so the default stays as close to it as it can (rather than forgetting it
        // and proposing the best of everything).
        let cheapest = CompleteRequest {
            objective: Objective::Price,
            budget: None,
            ..request.clone()
        };
        let lowest = session.complete(choices, &cheapest, effort)?;
        request.budget = lowest.satisfiable.then_some(lowest.total);
        session.complete(choices, &request, effort)
    }

    /// The matters of taste still open: visible groups the needs profile does not weigh and
    /// the choices do not decide. The default product pays their premium on top of the budget
    /// ([`CompleteRequest::budget_at_cheapest`]), as [`Guide::choice_budget`] does once the
    /// customer chooses them: the default is then the product the guide would propose after
    /// the customer accepted its taste options, and the popular case is not traded for a
    /// faster processor (nor the processor of the profile for the popular case).
    fn taste_groups(&self, choices: &[Choice]) -> Vec<GroupIdx> {
        let index = &self.compiled.index;
        let decided: Vec<GroupIdx> = choices.iter().map(|c| index.group_of[c.option]).collect();
        (0..index.groups.len())
            .filter(|&g| {
                index.groups[g].kind == GroupKind::Visible
                    && !self.weighted_group[g]
                    && !decided.contains(&g)
            })
            .collect()
    }

    /// What the taste defaults cost beyond their own premium: the infrastructure the favoured
    /// options of the open taste groups (`taste`, best [`Guide::default_scores`]) need beyond
    /// what the cheapest product with the choices needs (a small case's SFX power supply).
    /// The premium itself is outside the budget ([`CompleteRequest::budget_at_cheapest`]); this
    /// raises the budget by the rest, so the default can afford the popular small case without
    /// downgrading the processor, as it could once the customer chose that case. Zero when no
    /// product has those options, or nothing is open.
    fn taste_infrastructure(
        &self,
        session: &mut Session,
        choices: &[Choice],
        (taste, scores): (&[GroupIdx], &[f64]),
        time_limit_secs: f64,
        effort: &mut Effort,
    ) -> Result<i64, CompleteError> {
        let index = &self.compiled.index;
        let price = |o: OptionIdx| self.compiled.catalog_price(o).raw();
        let mut with = choices.to_vec();
        let mut premium = 0i64;
        for &g in taste {
            let group = &index.groups[g];
            if group.max == 1 {
                let Some(best) = group
                    .options()
                    .max_by(|a, b| scores[*a].total_cmp(&scores[*b]).then(b.cmp(a)))
                else {
                    continue;
                };
                let cheapest = group.options().map(price).min().unwrap_or(0);
                premium += if group.min >= 1 {
                    price(best) - cheapest
                } else {
                    price(best)
                };
                with.push(Choice::select(best));
            } else {
                for o in group.options().filter(|o| scores[*o] > 0.0) {
                    premium += price(o);
                    with.push(Choice::select(o));
                }
            }
        }
        if with.len() == choices.len() {
            return Ok(0);
        }
        let (Some(base), Some(tasteful)) = (
            self.cheapest_price(session, choices, time_limit_secs, effort)?,
            self.cheapest_price(session, &with, time_limit_secs, effort)?,
        ) else {
            return Ok(0);
        };
        Ok((tasteful.raw() - base.raw() - premium).max(0))
    }

    /// The price of the cheapest product with `choices` ([`cheapest_price`]), computed once per
    /// guide and choices; without choices, once per compiled catalog
    /// (`Compiled::cheapest_total`). Errors are not kept.
    fn cheapest_price(
        &self,
        session: &mut Session,
        choices: &[Choice],
        time_limit_secs: f64,
        effort: &mut Effort,
    ) -> Result<Option<Decimal>, CompleteError> {
        if choices.is_empty() {
            if let Some(t) = self.compiled.cheapest_total.get() {
                return Ok(Some(*t));
            }
        }
        if let Some((_, p)) = self.priced.borrow().iter().find(|(c, _)| c == choices) {
            return Ok(*p);
        }
        let p = cheapest_price(session, choices, time_limit_secs, effort)?;
        if let (true, Some(t)) = (choices.is_empty(), p) {
            let _ = self.compiled.cheapest_total.set(t);
        }
        self.priced.borrow_mut().push((choices.to_vec(), p));
        Ok(p)
    }

    /// The profile's budget as it applies after `choices`: raised by what the choices cost at
    /// least, the cheapest product with them minus the cheapest without (a customer who picks
    /// a dearer case still wants the processor of their profile, not a downgrade to pay for
    /// the case, nor for the longer cables the case needs), and at least what the previous
    /// default product ([`Guide::set_anchor`]) costs with the choices in it. Price-only
    /// completions; when one cannot be computed, the selected options' catalog prices above
    /// the cheapest of their groups.
    fn choice_budget(
        &self,
        session: &mut Session,
        choices: &[Choice],
        time_limit_secs: f64,
        effort: &mut Effort,
    ) -> Result<Option<Decimal>, CompleteError> {
        let Some(budget) = self.profile.and_then(|p| p.budget) else {
            return Ok(None);
        };
        if choices.is_empty() {
            return Ok(Some(budget));
        }
        let cheapest = |session: &mut Session, choices: &[Choice], effort: &mut Effort| {
            self.cheapest_price(session, choices, time_limit_secs, effort)
        };
        let without = cheapest(session, &[], effort);
        let with = cheapest(session, choices, effort);
        if let (Ok(Some(with)), Ok(Some(without))) = (&with, &without) {
            let extra = (with.raw() - without.raw()).max(0);
            let mut raised = budget.raw().saturating_add(extra);
            // And at least what the previous default costs with the choices swapped in (its
            // infrastructure redone): what the customer did not touch stays affordable, even
            // where the choices cost more with it than with the cheapest product (a stronger
            // power supply for its processor).
            let index = &self.compiled.index;
            let decided: Vec<GroupIdx> = choices.iter().map(|c| index.group_of[c.option]).collect();
            let mut kept = choices.to_vec();
            kept.extend(
                (0..self.anchor.len())
                    .filter(|o| self.anchor[*o])
                    .filter(|o| {
                        let g = index.group_of[*o];
                        index.groups[g].kind == GroupKind::Visible && !decided.contains(&g)
                    })
                    .map(Choice::select),
            );
            if kept.len() > choices.len() {
                if let Some(previous) = cheapest(session, &kept, effort)? {
                    raised = raised.max(previous.raw());
                }
            }
            return Ok(Some(Decimal::from_raw(raised)));
        }
        // The effort budget is the caller's: running out is reported, not worked around.
        for r in [with, without] {
            if let Err(CompleteError::Limit(l)) = r {
                return Err(CompleteError::Limit(l));
            }
        }
        let index = &self.compiled.index;
        let mut raised = budget.raw();
        for c in choices.iter().filter(|c| c.selected) {
            let g = &index.groups[index.group_of[c.option]];
            let cheapest = g
                .options()
                .map(|o| self.compiled.catalog_price(o).raw())
                .min()
                .unwrap_or(0);
            raised = raised.saturating_add(self.compiled.catalog_price(c.option).raw() - cheapest);
        }
        Ok(Some(Decimal::from_raw(raised)))
    }

    /// Greedy completion on the SAT solver: visible groups take their best-scored option that
    /// keeps a valid product (options worth including first, in multi-option groups), then
    /// infrastructure its cheapest; one satisfiability check per attempt.
    pub fn greedy_default(
        &self,
        session: &mut Session,
        choices: &[Choice],
        effort: &mut Effort,
    ) -> Result<CompletionReport, CompleteError> {
        let compiled = self.compiled;
        let index = &compiled.index;
        let scores = self.default_scores();
        let mut fixed: Vec<Choice> = choices.to_vec();
        let Some(mut model) = session.witness(&fixed, effort)? else {
            return Err(CompleteError::Solver(
                "no valid product extends the choices".into(),
            ));
        };
        let decided = |fixed: &[Choice], o: OptionIdx| fixed.iter().any(|c| c.option == o);
        let try_fix = |fixed: &mut Vec<Choice>,
                       model: &mut Vec<bool>,
                       c: Choice,
                       session: &mut Session,
                       effort: &mut Effort|
         -> Result<bool, CompleteError> {
            if model[c.option] == c.selected {
                fixed.push(c);
                return Ok(true);
            }
            fixed.push(c);
            match session.witness(fixed, effort)? {
                Some(m) => {
                    *model = m;
                    Ok(true)
                }
                None => {
                    fixed.pop();
                    Ok(false)
                }
            }
        };
        let mut order: Vec<GroupIdx> = (0..index.groups.len()).collect();
        order.sort_by_key(|g| index.groups[*g].kind == GroupKind::Infrastructure);
        for g in order {
            let info = &index.groups[g];
            let infra = info.kind == GroupKind::Infrastructure;
            let mut opts: Vec<OptionIdx> =
                info.options().filter(|o| !decided(&fixed, *o)).collect();
            if infra {
                opts.sort_by_key(|o| (compiled.catalog_price(*o), *o));
            } else {
                opts.sort_by(|a, b| scores[*b].total_cmp(&scores[*a]).then(a.cmp(b)));
            }
            if self.multi[g] {
                // Include what is worth including, exclude the rest, each only if possible.
                for o in opts {
                    let want = !infra && scores[o] > 0.0;
                    if !try_fix(
                        &mut fixed,
                        &mut model,
                        Choice {
                            option: o,
                            selected: want,
                        },
                        session,
                        effort,
                    )? {
                        fixed.push(Choice {
                            option: o,
                            selected: !want,
                        });
                    }
                }
            } else {
                for o in opts {
                    if try_fix(&mut fixed, &mut model, Choice::select(o), session, effort)? {
                        break;
                    }
                }
            }
        }
        let counted = model.clone();
        let product = crate::optimize::OptimalProduct {
            chosen: model,
            counted,
            optimal: false,
        };
        let request = CompleteRequest {
            objective: Objective::Scores(scores),
            ..CompleteRequest::default()
        };
        Ok(crate::complete::report(
            compiled, choices, &request, &product,
        ))
    }

    /// Dominated options among `valid` (same group): another valid option is at least as good
    /// on every `better` attribute both have, not more expensive, and strictly better on one.
    /// Options compare only when they share at least one such attribute: two operating systems
    /// or colours the catalog describes by price alone differ in ways it does not record, so
    /// the cheaper one does not hide the other.
    ///
    /// Shared configurations can overrule the attributes (revealed preference, Samuelson
    /// 1948): customers like this one who chose the "dominated" option could have chosen the
    /// one that dominates it, so for them it does not. An option is hidden only while it is
    /// less popular than the one dominating it and holds less than [`REVEALED_SHARE`] of the
    /// similar customers' configurations: the catalog's attributes miss what such customers
    /// value (a small case is chosen for its size, which `max_gpu_mm` does not say). Without
    /// shared configurations every option but the default has the same prior share and none
    /// is chosen, so this changes nothing on a cold start.
    pub fn dominated(&self, valid: &[OptionIdx]) -> Vec<bool> {
        let index = &self.compiled.index;
        let better = self.compiled.better();
        let value = |o: OptionIdx, a: &str| -> Option<f64> {
            match index.attr(o, a)? {
                crate::catalog::Value::Number(n) => Some(n.to_f64()),
                crate::catalog::Value::Bool(b) => Some(f64::from(u8::from(*b))),
                _ => None,
            }
        };
        // Compare on the attributes any of the options has; an option lacking one that another
        // has is incomparable on it (neither dominates).
        let attrs: Vec<(&String, &crate::catalog::Better)> = better
            .iter()
            .filter(|(a, _)| valid.iter().any(|o| value(*o, a).is_some()))
            .collect();
        let revealed = |o: OptionIdx| {
            self.learned_total > 0.0
                && self.learned_weight[o] / self.learned_total >= REVEALED_SHARE
        };
        let dominates = |x: OptionIdx, y: OptionIdx| -> bool {
            let px = self.compiled.catalog_price(x);
            let py = self.compiled.catalog_price(y);
            if px > py || self.share[x] < self.share[y] || revealed(y) {
                return false;
            }
            let mut strictly = px < py;
            let mut compared = false;
            for (a, dir) in &attrs {
                let (Some(vx), Some(vy)) = (value(x, a), value(y, a)) else {
                    if value(x, a).is_some() != value(y, a).is_some() {
                        return false;
                    }
                    continue;
                };
                compared = true;
                let (gx, gy) = match dir {
                    crate::catalog::Better::Higher => (vx, vy),
                    crate::catalog::Better::Lower => (-vx, -vy),
                };
                if gx < gy {
                    return false;
                }
                if gx > gy {
                    strictly = true;
                }
            }
            compared && strictly
        };
        valid
            .iter()
            .map(|y| valid.iter().any(|x| x != y && dominates(*x, *y)))
            .collect()
    }

    /// Open visible groups, in the order to ask them, with the confidence of their default.
    pub fn question_order(
        &self,
        domains: &Domains,
        default: Option<&CompletionReport>,
    ) -> Vec<(GroupIdx, f64)> {
        let index = &self.compiled.index;
        let max_spread = index
            .groups
            .iter()
            .map(|g| self.price_spread(&self.valid(g.options(), domains)))
            .fold(0.0, f64::max)
            .max(1e-9);
        let mut open: Vec<(GroupIdx, f64, f64)> = Vec::new();
        for (gi, g) in index.groups.iter().enumerate() {
            if g.kind != GroupKind::Visible {
                continue;
            }
            // Open: some option still free. Groups the customer decided, or that the rules
            // force, have none.
            let valid = self.valid(g.options(), domains);
            let free = valid
                .iter()
                .filter(|o| domains.states[**o] == OptionState::Free)
                .count();
            if free == 0 {
                continue;
            }
            let confidence = self.confidence(gi, &valid, default);
            let spread = self.price_spread(&valid) / max_spread;
            let breadth = (valid.len() as f64).ln() / (index.groups[gi].len.max(2) as f64).ln();
            // The chance that the default is wrong: asking in decreasing order of it minimises
            // the expected number of questions until every wrong default is corrected when
            // groups go wrong independently (exchange argument: swapping two neighbours
            // changes only the later one's term). How much a group moves the price and how
            // many options it keeps open break near-ties.
            let urgency = (1.0 - confidence) * (1.0 + 0.1 * (spread + 0.5 * breadth));
            open.push((gi, confidence, urgency));
        }
        // What an answer tells about the other open groups (expected error reduction over the
        // shared configurations, `lookahead`), added to the group's own chance of a wrong
        // default.
        if let Some((history, choices)) = &self.lookahead {
            let groups: Vec<GroupIdx> = open.iter().map(|x| x.0).collect();
            let spill = crate::lookahead::spillover(
                self.compiled,
                history,
                self.profile.map(|p| p.id.as_str()),
                choices,
                &groups,
            );
            for (x, s) in open.iter_mut().zip(spill) {
                x.2 += s;
            }
        }
        // Confident defaults last; otherwise most urgent first; catalog order breaks ties.
        open.sort_by(|a, b| {
            (a.1 >= CONFIDENT)
                .cmp(&(b.1 >= CONFIDENT))
                .then(b.2.total_cmp(&a.2))
                .then(a.0.cmp(&b.0))
        });
        open.into_iter().map(|(g, c, _)| (g, c)).collect()
    }

    /// How likely the default option of a group is what this customer wants. In a group the
    /// profile weighs, the default is the profile's optimum (within budget), which most
    /// customers of the profile take: 0.8, plus up to 0.2 as popular as it is, until shared
    /// configurations say how predictable the group is within a profile ([`predictability`],
    /// pooled over the profiles). In a matter of taste, only popularity predicts: the
    /// default's share among the valid options.
    fn confidence(
        &self,
        group: GroupIdx,
        valid: &[OptionIdx],
        default: Option<&CompletionReport>,
    ) -> f64 {
        if valid.is_empty() {
            return 1.0;
        }
        let pop_total: f64 = valid.iter().map(|o| self.share[*o]).sum();
        let pop = |o: OptionIdx| {
            if pop_total > 0.0 {
                self.share[o] / pop_total
            } else {
                0.0
            }
        };
        let in_default = |o: OptionIdx| {
            default.is_some_and(|d| d.lines.iter().any(|l| l.option == self.compiled.name(o)))
        };
        let chosen = valid
            .iter()
            .copied()
            .find(|o| in_default(*o))
            .unwrap_or_else(|| {
                valid
                    .iter()
                    .copied()
                    .max_by(|a, b| pop(*a).total_cmp(&pop(*b)))
                    .unwrap_or(valid[0])
            });
        let prior = if self.weighted_group[group] {
            let manufacturer = 0.8 + 0.2 * pop(chosen);
            match self.predictability.get(group) {
                Some(&(rate, n)) if n > 0.0 => {
                    (n * rate + PREDICTABILITY_PSEUDO_COUNT * manufacturer)
                        / (n + PREDICTABILITY_PSEUDO_COUNT)
                }
                _ => manufacturer,
            }
        } else {
            pop(chosen)
        };
        // With a history, the observed rate at which customers like this one (same profile,
        // agreeing with the choices so far) took the default option, shrunk towards the prior
        // by `CONFIDENCE_PSEUDO_COUNT` pseudo-observations. In a group the profile weighs, only
        // configurations made with the same profile count, once there are any (other profiles
        // choose differently there by design); matters of taste borrow from every profile. In
        // a group of several options the set has to match as a whole: the product over its
        // valid options of the rate at which such customers include it (in the default) or
        // leave it out (not in the default), i.e. the options taken as independent.
        let (weight, w) = if self.weighted_group[group] && self.own_total > 0.0 {
            (&self.own_weight, self.own_total)
        } else {
            (&self.learned_weight, self.learned_total)
        };
        if w <= 0.0 {
            return prior;
        }
        let rate = |o: OptionIdx| (weight[o] / w).min(1.0);
        let observed = if self.multi[group] {
            valid
                .iter()
                .map(|o| {
                    if in_default(*o) {
                        rate(*o)
                    } else {
                        1.0 - rate(*o)
                    }
                })
                .product()
        } else {
            rate(chosen)
        };
        (w * observed + CONFIDENCE_PSEUDO_COUNT * prior) / (w + CONFIDENCE_PSEUDO_COUNT)
    }

    fn valid(&self, options: std::ops::Range<OptionIdx>, d: &Domains) -> Vec<OptionIdx> {
        options
            .filter(|o| {
                matches!(
                    d.states[*o],
                    OptionState::Free | OptionState::Forced | OptionState::Selected
                )
            })
            .collect()
    }

    fn price_spread(&self, options: &[OptionIdx]) -> f64 {
        let prices: Vec<f64> = options
            .iter()
            .map(|o| self.compiled.catalog_price(*o).to_f64())
            .collect();
        let lo = prices.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = prices.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        if prices.is_empty() {
            0.0
        } else {
            hi - lo
        }
    }

    /// Ranks the valid options of `group` under `choices`: dominated ones hidden, the rest
    /// scored, the best `k` with reasons. `openness` (propagation per candidate) is computed
    /// for the top candidates only.
    #[allow(clippy::too_many_arguments)]
    pub fn rank(
        &self,
        session: &mut Session,
        choices: &[Choice],
        domains: &Domains,
        group: GroupIdx,
        k: usize,
        default: Option<&CompletionReport>,
        effort: &mut Effort,
    ) -> Result<Question, LimitReached> {
        let index = &self.compiled.index;
        let g = &index.groups[group];
        let k = k.clamp(1, MAX_K);
        let valid: Vec<OptionIdx> = self
            .valid(g.options(), domains)
            .into_iter()
            .filter(|o| domains.states[*o] != OptionState::Selected)
            .collect();
        // The option in the current default product is never hidden: keeping it is the
        // customer's easiest answer, even when the manufacturer's default is dominated.
        let mut dominated = self.dominated(&valid);
        for (i, o) in valid.iter().enumerate() {
            let name = self.compiled.name(*o);
            if default.is_some_and(|d| d.lines.iter().any(|l| l.option == name)) {
                dominated[i] = false;
            }
        }
        let prices: Vec<f64> = valid
            .iter()
            .map(|o| self.compiled.catalog_price(*o).to_f64())
            .collect();
        let lo = prices.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = prices.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let price_norm = |i: usize| {
            if hi > lo {
                (prices[i] - lo) / (hi - lo)
            } else {
                0.0
            }
        };
        let weighted = self.weighted_group[group];
        let max_share = valid.iter().map(|o| self.share[*o]).fold(0.0, f64::max);
        struct Cand {
            i: usize,
            fit: f64,
            pop: f64,
            value: f64,
            open: f64,
            base: f64,
        }
        let mut cands: Vec<Cand> = (0..valid.len())
            .filter(|i| !dominated[*i])
            .map(|i| {
                let o = valid[i];
                let fit = if weighted { self.fit[o] } else { 0.5 };
                let pop = if max_share > 0.0 {
                    self.share[o] / max_share
                } else {
                    0.0
                };
                let value = (fit - price_norm(i) + 1.0) / 2.0;
                let base = if weighted {
                    0.4 * fit + 0.35 * pop + 0.25 * value
                } else {
                    0.7 * pop + 0.3 * value
                };
                Cand {
                    i,
                    fit,
                    pop,
                    value,
                    open: 1.0,
                    base,
                }
            })
            .collect();
        cands.sort_by(|a, b| b.base.total_cmp(&a.base).then(a.i.cmp(&b.i)));
        // Openness: the share of the other open visible groups' valid options that stay valid
        // after choosing the option (propagation), for the best k + 2 candidates.
        let others: Vec<OptionIdx> = index
            .groups
            .iter()
            .enumerate()
            .filter(|(gi, og)| *gi != group && og.kind == GroupKind::Visible)
            .flat_map(|(_, og)| og.options())
            .filter(|o| domains.states[*o] == OptionState::Free)
            .collect();
        if !others.is_empty() && cands.len() > 1 {
            for c in cands.iter_mut().take(k + 2) {
                let mut with = choices.to_vec();
                with.push(Choice::select(valid[c.i]));
                let d = session.domains(&with, effort)?;
                let kept = others
                    .iter()
                    .filter(|o| d.states[**o] == OptionState::Free)
                    .count();
                c.open = kept as f64 / others.len() as f64;
            }
        }
        let score = |c: &Cand| 0.85 * c.base + 0.15 * c.open;
        cands.sort_by(|a, b| score(b).total_cmp(&score(a)).then(a.i.cmp(&b.i)));
        let in_default = |o: OptionIdx| {
            default.is_some_and(|d| d.lines.iter().any(|l| l.option == self.compiled.name(o)))
        };
        // What the current default product has is always on the short list, in its rank:
        // keeping it is the customer's easiest answer. It takes the place of the lowest
        // ranked others.
        if cands.len() > k {
            let kept: Vec<usize> = (0..cands.len())
                .filter(|j| in_default(valid[cands[*j].i]))
                .take(k)
                .collect();
            let mut top: Vec<usize> = (0..cands.len())
                .filter(|j| !kept.contains(j))
                .take(k - kept.len())
                .chain(kept.iter().copied())
                .collect();
            top.sort_unstable();
            let mut order: Vec<Option<Cand>> = cands.into_iter().map(Some).collect();
            let mut reordered: Vec<Cand> = top.iter().filter_map(|j| order[*j].take()).collect();
            reordered.extend(order.into_iter().flatten());
            cands = reordered;
        }
        let cheapest = (0..valid.len())
            .filter(|i| !dominated[*i])
            .min_by(|a, b| prices[*a].total_cmp(&prices[*b]));
        let best_fit = cands
            .iter()
            .map(|c| c.fit)
            .fold(f64::NEG_INFINITY, f64::max);
        let best_value = cands
            .iter()
            .map(|c| c.value)
            .fold(f64::NEG_INFINITY, f64::max);
        let profile_name = self.profile.map(|p| {
            if p.name.is_empty() {
                p.id.clone()
            } else {
                p.name.clone()
            }
        });
        let options: Vec<RankedOption> = cands
            .iter()
            .take(k)
            .map(|c| {
                let o = valid[c.i];
                let mut reasons = Vec::new();
                if in_default(o) {
                    reasons.push("in your current product".to_string());
                }
                if weighted && c.fit >= best_fit - 1e-9 {
                    reasons.push(match &profile_name {
                        Some(p) => format!("best fit for {p}"),
                        None => "best specification".to_string(),
                    });
                }
                let is_default = self.compiled.catalog.groups[group].default.as_deref()
                    == Some(self.compiled.option_def(o).id.as_str());
                if !self.learned && is_default {
                    reasons.push("recommended by the manufacturer".to_string());
                } else if self.learned && c.pop >= 1.0 - 1e-9 {
                    let with = self
                        .popular_with
                        .as_deref()
                        .map(|w| format!(" with {w}"))
                        .unwrap_or_default();
                    reasons.push(format!(
                        "most popular{with} ({:.0}% of configurations)",
                        100.0 * self.share[o] / valid.iter().map(|x| self.share[*x]).sum::<f64>()
                    ));
                }
                if Some(c.i) == cheapest {
                    reasons.push("cheapest that fits your choices".to_string());
                }
                if weighted && c.value >= best_value - 1e-9 {
                    reasons.push("best value for money".to_string());
                }
                if c.open < 0.8 {
                    reasons.push(format!(
                        "rules out {:.0}% of the remaining options",
                        100.0 * (1.0 - c.open)
                    ));
                }
                if reasons.is_empty() {
                    reasons.push("a valid alternative".to_string());
                }
                let def = self.compiled.option_def(o);
                RankedOption {
                    option: self.compiled.name(o).to_string(),
                    name: if def.name.is_empty() {
                        def.id.clone()
                    } else {
                        def.name.clone()
                    },
                    price: def.price,
                    score: (score(c) * 1000.0).round() / 1000.0,
                    reasons,
                    default: in_default(o),
                }
            })
            .collect();
        let cat_group = &self.compiled.catalog.groups[group];
        Ok(Question {
            group: g.id.clone(),
            name: if cat_group.name.is_empty() {
                g.id.clone()
            } else {
                cat_group.name.clone()
            },
            more: valid.len() - options.len(),
            dominated: (0..valid.len())
                .filter(|i| dominated[*i])
                .map(|i| self.compiled.name(valid[i]).to_string())
                .collect(),
            confidence: self.confidence(group, &valid, default),
            options,
        })
    }

    /// One step: domains, default product, question order and the next question.
    pub fn step(
        &self,
        session: &mut Session,
        choices: &[Choice],
        k: usize,
        time_limit_secs: f64,
        effort: &mut Effort,
    ) -> Result<GuideStep, CompleteError> {
        let domains = session.domains(choices, effort)?;
        self.step_with(session, choices, &domains, k, time_limit_secs, effort)
    }

    /// [`step`](Self::step) for callers that already computed the domains of `choices`.
    pub fn step_with(
        &self,
        session: &mut Session,
        choices: &[Choice],
        domains: &Domains,
        k: usize,
        time_limit_secs: f64,
        effort: &mut Effort,
    ) -> Result<GuideStep, CompleteError> {
        if !domains.satisfiable {
            return Ok(GuideStep {
                satisfiable: false,
                question: None,
                order: Vec::new(),
                default: None,
            });
        }
        let default = self.default_product(session, choices, time_limit_secs, effort)?;
        let order = self.question_order(domains, Some(&default));
        let question = match order.first() {
            Some((g, _)) => {
                Some(self.rank(session, choices, domains, *g, k, Some(&default), effort)?)
            }
            None => None,
        };
        Ok(GuideStep {
            satisfiable: true,
            question,
            order: order
                .iter()
                .map(|(g, _)| self.compiled.index.groups[*g].id.clone())
                .collect(),
            default: Some(default),
        })
    }
}

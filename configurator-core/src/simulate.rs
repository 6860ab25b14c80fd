//! Simulated customers, to measure how much guided mode saves (issue: "simplified choices").
//!
//! Each customer has a needs profile and a hidden target product: the best product for the
//! profile with personal deviations in some groups. In detail, drawn targets start from the
//! best product for the profile (the guide's default for it, before any learning). Matters of
//! taste (groups the profile does not discriminate, such as colour or case) follow the
//! customer's *style*: the population has a few hidden styles (`styles`, their popularity
//! Zipf-distributed), each with a favourite option per taste group drawn from the population's
//! hidden taste distribution (Zipf-like over a seeded permutation of the options), so tastes
//! are skewed and go together as real ones do (white builds, sporty trims), but the engine is
//! told neither the styles nor the favourites. Then visible groups deviate, drawing from the
//! taste distribution: on average `deviation` of them per group, but unevenly, as in real
//! sales, where a few variables hold most of the deviations from the cluster's typical product
//! (Renault medium: the top 10 % of the variables hold 42 %): the r-th group of a seeded
//! permutation deviates with a rate proportional to r^-`deviation_skew` (see
//! `benches/guided/deviation_skew.py`, which fits the exponent on the sales). The engine is not
//! told which groups those are; it can only learn it from shared products. Every draw is
//! restricted to options still valid with the target so far. Given targets (real sales)
//! replace the drawing.
//!
//! Customers who opt in (`share_rate`) share their product; the guide learns from the shared
//! products of earlier customers ([`History`], read conditionally on the customer's profile and
//! choices), as the server does, starting cold from the manufacturer's defaults.
//!
//! Guided customer: picks its profile (one decision, when the catalog has profiles), or instead
//! a preset made for its profile (any preset, when the catalog has none) when everything the
//! preset chooses is in its target, the one choosing most (one decision; presets are the
//! manufacturer's plus those learned from the products shared so far, see `presets`). Then it
//! answers the guide's questions until the default product matches the target on every visible
//! group. An answer on the short list costs one decision; otherwise "show all" and the pick cost
//! two. Baseline customer: answers every visible group in catalog order from the full list of
//! valid options (one decision each), skipping groups the rules already decided.
//!
//! Every option shown is checked to lead to a valid product (a SAT call per option): a shown
//! option that does not is a dead end, and the count must stay 0.

use crate::catalog::GroupKind;
use crate::complete::CompleteError;
use crate::engine::{Compiled, Session};
use crate::guide::{Guide, History, DEFAULT_K};
use crate::ir::{GroupIdx, OptionIdx};
use crate::propagate::{Choice, OptionState};
use crate::solver::Effort;
use serde::Serialize;
use std::sync::Arc;

#[derive(Clone, Debug)]
pub struct SimulationConfig {
    pub customers: usize,
    pub seed: u64,
    /// Short-list length.
    pub k: usize,
    /// Mean probability that a customer deviates from its profile's best product and its style
    /// in a visible group.
    pub deviation: f64,
    /// Zipf exponent of the deviation rates across visible groups (0: every group deviates
    /// with probability `deviation`). The default, 1.4, gives 10 groups the unevenness of the
    /// real Renault medium sales around their 4 clusters' typical products (fitted by
    /// `benches/guided/deviation_skew.py`: 1.43; 1.22 around the single most typical product;
    /// 1.77 on Renault big).
    pub deviation_skew: f64,
    /// Zipf exponent of the hidden taste distributions.
    pub taste_skew: f64,
    /// Hidden styles of the population (favourite options in the taste groups).
    pub styles: usize,
    /// Zipf exponent of the styles' popularity.
    pub style_skew: f64,
    /// Share of customers who share their product (feeding popularity).
    pub share_rate: f64,
    /// Popularity half-life, in customers.
    pub half_life: f64,
    /// Customers may start from a preset (the manufacturer's, or one learned from the shared
    /// products so far, relearned every [`RELEARN_EVERY`] customers) when everything it chooses
    /// is in their target; picking it is one decision (instead of picking the needs profile).
    pub presets: bool,
    pub time_limit_secs: f64,
}

impl Default for SimulationConfig {
    fn default() -> Self {
        SimulationConfig {
            customers: 100,
            seed: 1,
            k: DEFAULT_K,
            deviation: 0.1,
            deviation_skew: 1.4,
            taste_skew: 1.5,
            styles: 4,
            style_skew: 1.0,
            share_rate: 0.5,
            half_life: 500.0,
            presets: true,
            time_limit_secs: 10.0,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SimulationReport {
    pub customers: usize,
    pub visible_groups: usize,
    pub mean_decisions: f64,
    pub p90_decisions: f64,
    pub baseline_mean_decisions: f64,
    pub max_options_shown: usize,
    pub dead_ends: usize,
    /// Share of answers that needed "show all".
    pub show_all_rate: f64,
    /// Customers whose target the guide never reached (must be 0).
    pub unfinished: usize,
    /// Mean number of visible groups where the first default product differs from the target:
    /// a lower bound on the questions any question-driven guide needs.
    pub mean_default_misses: f64,
    /// Share of customers who started from a preset.
    pub preset_rate: f64,
    /// Mean decisions of the best *fixed* question order in hindsight: the visible groups in
    /// decreasing order of how often the first default was wrong in this run, each customer
    /// asked down that order until its last wrong group (plus the profile or preset decision).
    /// A reference, not a bound: it knows the population's error rates without learning them
    /// but not the customer's, and ignores that answers move other defaults (an adaptive guide
    /// can do better on correlated groups, worse while it is still learning the rates). For
    /// groups that go wrong independently, asking by decreasing error rate is the optimal order
    /// (an exchange argument), so a guide far above this figure orders questions badly, and a
    /// goal below it needs fewer wrong first defaults, not a better order.
    pub fixed_order_decisions: f64,
    /// Mean questions per customer about a group the current default already had right (the
    /// answer confirmed the default): what a better question order or confidence would save.
    pub mean_confirming_answers: f64,
    /// Per visible group (catalog order): how the guide fared there.
    pub groups: Vec<GroupReport>,
}

/// One visible group in a [`SimulationReport`]: shares of the customers.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GroupReport {
    pub group: String,
    /// The first default product differed from the target here.
    pub first_default_wrong: f64,
    /// The group was asked.
    pub asked: f64,
    /// The group was asked while the default already matched the target there.
    pub asked_when_right: f64,
    /// The group was asked and the target was not on the short list ("show all").
    pub show_all: f64,
}

/// Customers between two learnings of presets from the shared products (the server relearns
/// when it recounts shared configurations).
pub const RELEARN_EVERY: usize = 10;

/// A target product: for each visible group (catalog order), the options it contains.
pub type Target = Vec<Vec<OptionIdx>>;

/// SplitMix64: a tiny deterministic generator, so one seed fixes a whole simulation.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn visible_groups(c: &Compiled) -> Vec<GroupIdx> {
    (0..c.index.groups.len())
        .filter(|g| c.index.groups[*g].kind == GroupKind::Visible)
        .collect()
}

/// The target as the options of each visible group, from a full product (chosen flags).
fn target_of(c: &Compiled, chosen: &[bool]) -> Target {
    visible_groups(c)
        .into_iter()
        .map(|g| c.index.groups[g].options().filter(|o| chosen[*o]).collect())
        .collect()
}

fn chosen_of(c: &Compiled, report: &crate::complete::CompletionReport) -> Vec<bool> {
    let mut chosen = vec![false; c.n_options()];
    for l in &report.lines {
        if let Some(o) = c.index.find(&l.option) {
            chosen[o] = true;
        }
    }
    chosen
}

/// The choices that fix `group` to exactly the target's options.
fn answer(c: &Compiled, group: GroupIdx, options: &[OptionIdx]) -> Vec<Choice> {
    c.index.groups[group]
        .options()
        .map(|o| Choice {
            option: o,
            selected: options.contains(&o),
        })
        .collect()
}

/// Hidden taste weights of every option: within each group, Zipf weights `1/rank^skew` over a
/// seeded permutation.
fn taste_weights(c: &Compiled, skew: f64, rng: &mut Rng) -> Vec<f64> {
    let mut w = vec![0.0; c.n_options()];
    for g in &c.index.groups {
        let mut order: Vec<OptionIdx> = g.options().collect();
        for i in (1..order.len()).rev() {
            order.swap(i, rng.below(i + 1));
        }
        for (rank, o) in order.into_iter().enumerate() {
            w[o] = 1.0 / ((rank + 1) as f64).powf(skew);
        }
    }
    w
}

/// The population's hidden styles: for each, the options it includes in every visible group
/// (one favourite per single-choice group, drawn from the taste distribution; in groups of
/// several options, each with its taste weight), as 1.0/0.0 flags.
fn styles(c: &Compiled, taste: &[f64], n: usize, rng: &mut Rng) -> Vec<Vec<f64>> {
    (0..n.max(1))
        .map(|_| {
            let mut flags = vec![0.0; c.n_options()];
            for g in visible_groups(c) {
                let options: Vec<OptionIdx> = c.index.groups[g].options().collect();
                if c.index.groups[g].max == 1 {
                    if let Some(o) = draw_weighted(&options, taste, rng) {
                        flags[o] = 1.0;
                    }
                } else {
                    for o in options {
                        if rng.unit() < taste[o] * 0.6 {
                            flags[o] = 1.0;
                        }
                    }
                }
            }
            flags
        })
        .collect()
}

fn draw_weighted(options: &[OptionIdx], w: &[f64], rng: &mut Rng) -> Option<OptionIdx> {
    let total: f64 = options.iter().map(|o| w[*o]).sum();
    if options.is_empty() || total <= 0.0 {
        return None;
    }
    let mut x = rng.unit() * total;
    for o in options {
        x -= w[*o];
        if x <= 0.0 {
            return Some(*o);
        }
    }
    options.last().copied()
}

/// Deviation rate of each visible group (catalog order): `deviation` on average, Zipf-distributed
/// with exponent `deviation_skew` over a seeded permutation, at most 1. Drawn from its own
/// generator so that the other draws of a seed do not depend on the skew.
fn deviation_rates(groups: usize, config: &SimulationConfig) -> Vec<f64> {
    let mut rng = Rng(config.seed ^ 0xD5A6_1266_F0C9_392C);
    let mut order: Vec<usize> = (0..groups).collect();
    for i in (1..order.len()).rev() {
        order.swap(i, rng.below(i + 1));
    }
    let weight = |rank: usize| 1.0 / ((rank + 1) as f64).powf(config.deviation_skew.max(0.0));
    let total: f64 = (0..groups).map(weight).sum();
    let mut rates = vec![0.0; groups];
    for (rank, g) in order.into_iter().enumerate() {
        rates[g] = (config.deviation * groups as f64 * weight(rank) / total).min(1.0);
    }
    rates
}

/// Draws a target for a profile: the profile's best product, taste groups from the hidden
/// taste distribution, occasional deviations elsewhere; each draw valid with the draws before.
#[allow(clippy::too_many_arguments)]
fn draw_target(
    c: &Compiled,
    session: &mut Session,
    guide: &Guide,
    (taste, style, deviation): (&[f64], &[f64], &[f64]),
    config: &SimulationConfig,
    rng: &mut Rng,
    effort: &mut Effort,
) -> Result<Target, CompleteError> {
    let best = guide.default_product(session, &[], config.time_limit_secs, effort)?;
    let best_chosen = chosen_of(c, &best);
    let groups = visible_groups(c);
    let mut fixed: Vec<Choice> = Vec::new();
    for (gi, g) in groups.iter().enumerate() {
        let d = session.domains(&fixed, effort)?;
        let valid: Vec<OptionIdx> = c.index.groups[*g]
            .options()
            .filter(|o| matches!(d.states[*o], OptionState::Free | OptionState::Forced))
            .collect();
        let keep: Vec<OptionIdx> = valid.iter().copied().filter(|o| best_chosen[*o]).collect();
        let deviate = rng.unit() < deviation[gi];
        let single = c.index.groups[*g].max == 1;
        // The style's favourites in the taste groups, the profile's best elsewhere.
        let usual: Vec<OptionIdx> = if guide.weighted_group[*g] {
            keep.clone()
        } else {
            valid.iter().copied().filter(|o| style[*o] > 0.0).collect()
        };
        let pick: Vec<OptionIdx> = if deviate && single {
            match draw_weighted(&valid, taste, rng) {
                Some(o) => vec![o],
                None => usual.clone(),
            }
        } else if deviate {
            // Several options allowed: each valid option is included with its taste weight.
            valid
                .iter()
                .copied()
                .filter(|o| rng.unit() < taste[*o] * 0.6)
                .collect()
        } else if single && usual.len() != 1 {
            // The favourite is not valid with the rest: the next best by taste.
            match draw_weighted(&valid, taste, rng) {
                Some(o) => vec![o],
                None => keep.clone(),
            }
        } else {
            usual
        };
        let mut with = fixed.clone();
        with.extend(answer(c, *g, &pick));
        if session.satisfiable(&with, effort)? {
            fixed = with;
        } else {
            // Fall back to what the best product has, which stays valid with the rest
            // when nothing was changed before; else leave the group to the solver.
            let mut alt = fixed.clone();
            alt.extend(answer(c, *g, &keep));
            if session.satisfiable(&alt, effort)? {
                fixed = alt;
            }
        }
    }
    let full = guide.default_product(session, &fixed, config.time_limit_secs, effort)?;
    Ok(target_of(c, &chosen_of(c, &full)))
}

/// Checks every shown option leads to a valid product; returns the number that do not.
fn dead_ends(
    session: &mut Session,
    choices: &[Choice],
    shown: &[OptionIdx],
    effort: &mut Effort,
) -> Result<usize, CompleteError> {
    let mut bad = 0;
    for o in shown {
        let mut with = choices.to_vec();
        with.push(Choice::select(*o));
        if !session.satisfiable(&with, effort)? {
            bad += 1;
        }
    }
    Ok(bad)
}

struct Outcome {
    /// Per visible group (catalog order): whether the first default was wrong there.
    wrong: Vec<bool>,
    /// Per visible group: whether it was asked, and whether the default was right when asked.
    asked: Vec<(bool, bool)>,
    /// Per visible group: whether its answer needed "show all".
    shown_all: Vec<bool>,
    decisions: usize,
    answers: usize,
    show_all: usize,
    max_shown: usize,
    dead_ends: usize,
    finished: bool,
}

/// The guided customer. The guide is rebuilt at every step with the popularity of the history
/// conditional on the profile and the choices so far (as the server does per request).
#[allow(clippy::too_many_arguments)]
fn guided(
    c: &Compiled,
    session: &mut Session,
    (history, profile, start): (&History, Option<&crate::catalog::Profile>, &[Choice]),
    milp_too_slow: &mut bool,
    target: &Target,
    config: &SimulationConfig,
    effort: &mut Effort,
) -> Result<Outcome, CompleteError> {
    let groups = visible_groups(c);
    let mut out = Outcome {
        wrong: vec![false; groups.len()],
        asked: vec![(false, false); groups.len()],
        shown_all: vec![false; groups.len()],
        // Picking the needs profile, or a preset (which carries one).
        decisions: usize::from(!c.catalog.profiles.is_empty() || !start.is_empty()),
        answers: 0,
        show_all: 0,
        max_shown: 0,
        dead_ends: 0,
        finished: false,
    };
    let mut choices: Vec<Choice> = start.to_vec();
    let mut anchor: Vec<OptionIdx> = Vec::new();
    for round in 0..=groups.len() + 1 {
        let popularity =
            history.popularity(c.n_options(), profile.map(|p| p.id.as_str()), &choices);
        let mut guide = Guide::new(c, profile, Some(&popularity));
        guide.set_anchor(&anchor);
        guide.set_history(history, &choices);
        guide.set_milp_too_slow(*milp_too_slow);
        let step = guide.step(session, &choices, config.k, config.time_limit_secs, effort);
        *milp_too_slow = guide.milp_too_slow();
        let step = step?;
        let Some(default) = step.default.as_ref().filter(|_| step.satisfiable) else {
            break;
        };
        let now = target_of(c, &chosen_of(c, default));
        anchor = chosen_of(c, default)
            .iter()
            .enumerate()
            .filter(|(_, x)| **x)
            .map(|(o, _)| o)
            .collect();
        if round == 0 {
            out.wrong = now.iter().zip(target).map(|(a, b)| a != b).collect();
        }
        if now == *target {
            out.finished = true;
            break;
        }
        let Some(q) = step.question else {
            break;
        };
        let g = c.index.group_by_id[&q.group];
        let ti = groups
            .iter()
            .position(|x| *x == g)
            .expect("a visible group");
        let shown: Vec<OptionIdx> = q
            .options
            .iter()
            .filter_map(|r| c.index.find(&r.option))
            .collect();
        out.max_shown = out.max_shown.max(shown.len());
        out.dead_ends += dead_ends(session, &choices, &shown, effort)?;
        let wanted = &target[ti];
        out.asked[ti] = (true, now[ti] == *wanted);
        out.answers += 1;
        if wanted.iter().all(|o| shown.contains(o)) || wanted.is_empty() {
            out.decisions += 1;
        } else {
            // "Show all": every valid option of the group, each checked too.
            let d = session.domains(&choices, effort)?;
            let all: Vec<OptionIdx> = c.index.groups[g]
                .options()
                .filter(|o| matches!(d.states[*o], OptionState::Free | OptionState::Forced))
                .collect();
            out.dead_ends += dead_ends(session, &choices, &all, effort)?;
            out.decisions += 2;
            out.show_all += 1;
            out.shown_all[ti] = true;
        }
        choices.extend(answer(c, g, wanted));
    }
    Ok(out)
}

/// The preset a customer starts from: one made for its needs profile (any, when the catalog has
/// no profiles) that chooses only options of its target, the one choosing most; its choices.
fn start_from(
    c: &Compiled,
    presets: &[crate::catalog::Preset],
    profile: Option<&crate::catalog::Profile>,
    target: &Target,
) -> Vec<Choice> {
    let wanted: Vec<OptionIdx> = target.iter().flatten().copied().collect();
    let mut best: Vec<OptionIdx> = Vec::new();
    for p in presets {
        if !c.catalog.profiles.is_empty() && p.profile.as_deref() != profile.map(|p| p.id.as_str())
        {
            continue;
        }
        let options: Option<Vec<OptionIdx>> = p.choices.iter().map(|n| c.index.find(n)).collect();
        if let Some(options) = options {
            if options.iter().all(|o| wanted.contains(o)) && options.len() > best.len() {
                best = options;
            }
        }
    }
    best.into_iter().map(Choice::select).collect()
}

fn baseline(
    c: &Compiled,
    session: &mut Session,
    target: &Target,
    effort: &mut Effort,
) -> Result<usize, CompleteError> {
    let mut decisions = 0;
    let mut choices: Vec<Choice> = Vec::new();
    for (ti, g) in visible_groups(c).into_iter().enumerate() {
        let d = session.domains(&choices, effort)?;
        if !c.index.groups[g]
            .options()
            .any(|o| d.states[o] == OptionState::Free)
        {
            continue;
        }
        decisions += 1;
        choices.extend(answer(c, g, &target[ti]));
    }
    Ok(decisions)
}

/// Runs the simulation. `targets` replaces drawn targets (cycled through for `customers`);
/// `history` is what the guide learned before (e.g. past sales).
pub fn simulate(
    compiled: Arc<Compiled>,
    config: &SimulationConfig,
    history: Option<&History>,
    targets: Option<&[Target]>,
) -> Result<SimulationReport, CompleteError> {
    let c = &*compiled;
    let mut session = Session::new(compiled.clone());
    session.set_scope(crate::propagate::Scope::Visible);
    let mut rng = Rng(config.seed);
    let mut effort = Effort::default();
    let mut decisions = Vec::new();
    let mut base = Vec::new();
    let mut report = SimulationReport {
        customers: 0,
        visible_groups: visible_groups(c).len(),
        mean_decisions: 0.0,
        p90_decisions: 0.0,
        baseline_mean_decisions: 0.0,
        max_options_shown: 0,
        dead_ends: 0,
        show_all_rate: 0.0,
        unfinished: 0,
        mean_default_misses: 0.0,
        preset_rate: 0.0,
        fixed_order_decisions: 0.0,
        mean_confirming_answers: 0.0,
        groups: Vec::new(),
    };
    // Per visible group: customers whose first default was wrong there, who were asked it,
    // who were asked it while the default was right, who needed "show all" there.
    let mut per_group = vec![[0usize; 4]; visible_groups(c).len()];
    let mut presets: Vec<crate::catalog::Preset> = Vec::new();
    let mut from_presets = 0usize;
    let mut misses = Vec::new();
    // Per customer, for `fixed_order_decisions`: the first decision (profile or preset) and,
    // per visible group, whether its first default was wrong there and whether the preset
    // settled it (never asked).
    let mut wrongs: Vec<(usize, Vec<(bool, bool)>)> = Vec::new();
    let (mut answers, mut show_all) = (0usize, 0usize);
    let taste = taste_weights(c, config.taste_skew, &mut rng);
    let styles = styles(c, &taste, config.styles, &mut rng);
    let style_weight: Vec<f64> = (0..styles.len())
        .map(|i| 1.0 / ((i + 1) as f64).powf(config.style_skew))
        .collect();
    let style_ids: Vec<usize> = (0..styles.len()).collect();
    let deviation = deviation_rates(visible_groups(c).len(), config);
    // What the guide learned: the history given, then what customers share.
    let mut learned = history.cloned().unwrap_or_default();
    let decay = crate::guide::Popularity::decay(1.0, config.half_life);
    let mut milp_too_slow = false;
    for i in 0..config.customers {
        effort = Effort::new(effort.max_conflicts);
        let profile = if c.catalog.profiles.is_empty() {
            None
        } else {
            Some(&c.catalog.profiles[rng.below(c.catalog.profiles.len())])
        };
        let target = match targets {
            Some(ts) if !ts.is_empty() => ts[i % ts.len()].clone(),
            Some(_) => break,
            None => {
                let cold = Guide::new(c, profile, None);
                cold.set_milp_too_slow(milp_too_slow);
                let style = draw_weighted(&style_ids, &style_weight, &mut rng).unwrap_or(0);
                let t = draw_target(
                    c,
                    &mut session,
                    &cold,
                    (&taste, &styles[style], &deviation),
                    config,
                    &mut rng,
                    &mut effort,
                )?;
                milp_too_slow = cold.milp_too_slow();
                t
            }
        };
        if config.presets && i % RELEARN_EVERY == 0 {
            presets = c.catalog.presets.clone();
            let learnt = crate::presets::learn_presets(
                &mut session,
                &learned,
                &crate::presets::LearnConfig::default(),
                &mut effort,
            )?;
            presets.extend(learnt.into_iter().map(|p| p.preset));
        }
        let start = start_from(c, &presets, profile, &target);
        from_presets += usize::from(!start.is_empty());
        let o = guided(
            c,
            &mut session,
            (&learned, profile, &start),
            &mut milp_too_slow,
            &target,
            config,
            &mut effort,
        )?;
        // Replayed sales are kept apart from the history they are compared with.
        if targets.is_none() && rng.unit() < config.share_rate {
            learned.decay(decay);
            let options: Vec<OptionIdx> = target.iter().flatten().copied().collect();
            learned.add(options, profile.map(|p| p.id.clone()), 1.0);
        }
        report.customers += 1;
        report.max_options_shown = report.max_options_shown.max(o.max_shown);
        report.dead_ends += o.dead_ends;
        if !o.finished {
            report.unfinished += 1;
        }
        answers += o.answers;
        for (gi, acc) in per_group.iter_mut().enumerate() {
            let (asked, right) = o.asked[gi];
            let counts = [o.wrong[gi], asked, asked && right, o.shown_all[gi]];
            for (a, x) in acc.iter_mut().zip(counts) {
                *a += usize::from(x);
            }
        }
        misses.push(o.wrong.iter().filter(|w| **w).count() as f64);
        let settled: Vec<GroupIdx> = start.iter().map(|s| c.index.group_of[s.option]).collect();
        wrongs.push((
            usize::from(!c.catalog.profiles.is_empty() || !start.is_empty()),
            visible_groups(c)
                .iter()
                .zip(&o.wrong)
                .map(|(g, w)| (*w, settled.contains(g)))
                .collect(),
        ));
        show_all += o.show_all;
        decisions.push(o.decisions as f64);
        base.push(baseline(c, &mut session, &target, &mut effort)? as f64);
    }
    let mean = |v: &[f64]| {
        if v.is_empty() {
            0.0
        } else {
            v.iter().sum::<f64>() / v.len() as f64
        }
    };
    report.mean_decisions = round2(mean(&decisions));
    report.baseline_mean_decisions = round2(mean(&base));
    report.mean_default_misses = round2(mean(&misses));
    report.fixed_order_decisions = round2(mean(&fixed_order(&wrongs)));
    let share = |k: usize| round2(k as f64 / report.customers.max(1) as f64);
    report.mean_confirming_answers = share(per_group.iter().map(|g| g[2]).sum());
    report.groups = visible_groups(c)
        .iter()
        .zip(&per_group)
        .map(|(g, [wrong, asked, right, show_all])| GroupReport {
            group: c.index.groups[*g].id.clone(),
            first_default_wrong: share(*wrong),
            asked: share(*asked),
            asked_when_right: share(*right),
            show_all: share(*show_all),
        })
        .collect();
    let mut sorted = decisions.clone();
    sorted.sort_by(f64::total_cmp);
    report.p90_decisions = if sorted.is_empty() {
        0.0
    } else {
        sorted[((sorted.len() as f64 * 0.9).ceil() as usize).clamp(1, sorted.len()) - 1]
    };
    report.preset_rate = if report.customers == 0 {
        0.0
    } else {
        round2(from_presets as f64 / report.customers as f64)
    };
    report.show_all_rate = if answers == 0 {
        0.0
    } else {
        round2(show_all as f64 / answers as f64)
    };
    Ok(report)
}

/// Decisions per customer when every customer is asked the visible groups in one fixed order,
/// the best in hindsight (see [`SimulationReport::fixed_order_decisions`]): decreasing number
/// of customers whose first default was wrong there (ties: catalog order), each customer
/// answering the groups its preset did not settle down to its last wrong group. Each entry:
/// the customer's first decision (profile or preset) and per group (wrong, settled).
fn fixed_order(wrongs: &[(usize, Vec<(bool, bool)>)]) -> Vec<f64> {
    let n = wrongs.first().map_or(0, |(_, w)| w.len());
    let mut order: Vec<usize> = (0..n).collect();
    let count = |g: usize| wrongs.iter().filter(|(_, w)| w[g].0).count();
    order.sort_by_key(|&g| std::cmp::Reverse(count(g)));
    wrongs
        .iter()
        .map(|(first, w)| {
            let last = order
                .iter()
                .filter(|&&g| !w[g].1)
                .enumerate()
                .filter(|(_, &g)| w[g].0)
                .last()
                .map_or(0, |(p, _)| p + 1);
            (first + last) as f64
        })
        .collect()
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Sales history in the format of the Renault BR4CP data: a header line of variable names (the
/// visible groups), then one sold product per line, one value per variable (`-1`: absent).
/// Returns each sale as a [`Target`] over the catalog's visible groups.
pub fn read_sales(c: &Compiled, text: &str) -> Result<Vec<Target>, String> {
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let (_, header) = lines.next().ok_or("the sales file is empty")?;
    let columns: Vec<&str> = header.split_whitespace().collect();
    let groups = visible_groups(c);
    let mut column_of: Vec<usize> = Vec::with_capacity(groups.len());
    for g in &groups {
        let id = &c.index.groups[*g].id;
        let col = columns
            .iter()
            .position(|x| x == id)
            .ok_or_else(|| format!("the sales header has no column for the visible group {id}"))?;
        column_of.push(col);
    }
    let mut out = Vec::new();
    for (i, line) in lines {
        let values: Vec<&str> = line.split_whitespace().collect();
        if values.len() != columns.len() {
            return Err(format!(
                "line {}: {} values for {} columns",
                i + 1,
                values.len(),
                columns.len()
            ));
        }
        let mut target = Vec::with_capacity(groups.len());
        for (g, col) in groups.iter().zip(&column_of) {
            let v = values[*col];
            if v == "-1" {
                target.push(Vec::new());
                continue;
            }
            let group = &c.index.groups[*g];
            let o = group
                .options()
                .find(|o| c.option_def(*o).id == v)
                .ok_or_else(|| format!("line {}: group {} has no option {v}", i + 1, group.id))?;
            target.push(vec![o]);
        }
        out.push(target);
    }
    Ok(out)
}

/// History learned from sales (each sale counts once, no decay: one sales year).
pub fn history_of(sales: &[Target]) -> History {
    let mut h = History::default();
    for t in sales {
        h.add(t.iter().flatten().copied().collect(), None, 1.0);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rates(groups: usize, deviation: f64, skew: f64, seed: u64) -> Vec<f64> {
        let config = SimulationConfig {
            deviation,
            deviation_skew: skew,
            seed,
            ..SimulationConfig::default()
        };
        deviation_rates(groups, &config)
    }

    #[test]
    fn fixed_order_asks_the_most_often_wrong_groups_first() {
        // Group 2 is wrong for three customers, group 0 for two, group 1 for none: the order
        // is 2, 0, 1, and each customer stops after its last wrong group.
        // The third customer's preset settled group 2 (so it cannot be wrong there): it is
        // asked group 0 only.
        let w = |x: [bool; 3]| x.map(|b| (b, false)).to_vec();
        let wrongs = vec![
            (1, w([false, false, true])),
            (1, w([true, false, true])),
            (1, vec![(true, false), (false, false), (false, true)]),
            (1, w([false, false, true])),
            (0, w([false, false, false])),
        ];
        assert_eq!(fixed_order(&wrongs), vec![2.0, 3.0, 2.0, 2.0, 0.0]);
        assert!(fixed_order(&[]).is_empty());
    }

    #[test]
    fn deviation_rates_are_uniform_without_skew() {
        assert_eq!(rates(10, 0.1, 0.0, 1), vec![0.1; 10]);
    }

    #[test]
    fn skewed_deviation_rates_keep_the_mean_and_follow_zipf() {
        for seed in 1..20 {
            let r = rates(10, 0.1, 1.4, seed);
            let mean = r.iter().sum::<f64>() / 10.0;
            assert!((mean - 0.1).abs() < 1e-12, "seed {seed}: mean {mean}");
            let mut sorted = r.clone();
            sorted.sort_by(|a, b| b.total_cmp(a));
            for (rank, x) in sorted.iter().enumerate() {
                let ratio = x / sorted[0];
                let zipf = 1.0 / ((rank + 1) as f64).powf(1.4);
                assert!((ratio - zipf).abs() < 1e-12, "seed {seed} rank {rank}");
            }
        }
        // Which group deviates most depends on the seed, not on the catalog order.
        let top = |seed| {
            let r = rates(10, 0.1, 1.4, seed);
            (0..10).max_by(|a, b| r[*a].total_cmp(&r[*b])).unwrap()
        };
        assert!((1..20).any(|s| top(s) != top(1)));
    }

    #[test]
    fn deviation_rates_are_probabilities() {
        let r = rates(3, 0.9, 3.0, 1);
        assert!(r.iter().all(|x| (0.0..=1.0).contains(x)), "{r:?}");
        assert!(rates(0, 0.1, 1.4, 1).is_empty());
    }
}

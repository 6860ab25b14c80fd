//! Presets learned from shared configurations: a few named starting points that many customers
//! ended up near, next to the ones the manufacturer defines.
//!
//! The shared configurations (as the guide reads them, [`History`]) are clustered with
//! *k-medoids*: PAM's greedy BUILD step for the initial medoids (Kaufman & Rousseeuw,
//! "Finding Groups in Data", 1990, ch. 2), then the alternating assignment / medoid update of
//! Park & Jun ("A simple and fast algorithm for K-medoids clustering", 2009) until no medoid
//! moves. Medoids rather than means, because a medoid is a configuration somebody actually
//! built, so it was a valid product, and any part of it still is (re-checked against the
//! current rules). The distance between two configurations is the number of visible groups in
//! which they differ (Hamming distance over the customer's answers; infrastructure is the
//! solver's business and does not count).
//!
//! A cluster becomes a preset when it holds at least `min_share` of the shared weight. Its
//! choices are what the cluster agrees on: the medoid's options in every visible group where
//! at least `consensus` of the cluster's weight has the same answer; the other groups stay
//! open for the guide. It is named after its profile (when most of the cluster shares one)
//! and the options that set it apart from the whole population (highest lift).
//!
//! Effort is bounded: at most `max_points` distinct configurations (the heaviest) are
//! clustered, and the alternation stops after [`MAX_ITERATIONS`].

use crate::catalog::{GroupKind, Preset};
use crate::engine::Session;
use crate::guide::History;
use crate::ir::{GroupIdx, OptionIdx};
use crate::propagate::Choice;
use crate::solver::{Effort, LimitReached};
use serde::Serialize;
use std::collections::BTreeMap;

/// Rounds of assignment and medoid update at most.
pub const MAX_ITERATIONS: usize = 50;

/// How presets are learned.
#[derive(Clone, Debug)]
pub struct LearnConfig {
    /// Presets at most (clusters before dropping the small ones).
    pub max: usize,
    /// Share of the shared weight a cluster needs to become a preset.
    pub min_share: f64,
    /// Share of a cluster's weight that must agree on a group for the preset to answer it.
    pub consensus: f64,
    /// Distinct configurations clustered at most (the heaviest are kept).
    pub max_points: usize,
}

impl Default for LearnConfig {
    fn default() -> Self {
        LearnConfig {
            max: 4,
            min_share: 0.1,
            consensus: 0.5,
            max_points: 1000,
        }
    }
}

/// A preset learned from shared configurations.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LearnedPreset {
    #[serde(flatten)]
    pub preset: Preset,
    /// Share of the shared weight closest to this preset's medoid.
    pub share: f64,
    /// Shared configurations (distinct answers) in the cluster.
    pub members: usize,
}

/// One distinct configuration: its options per visible group, its weight and the weight of
/// each needs profile it was made with.
struct Point {
    answers: Vec<Vec<OptionIdx>>,
    weight: f64,
    profiles: BTreeMap<Option<String>, f64>,
}

fn distance(a: &Point, b: &Point) -> u32 {
    a.answers
        .iter()
        .zip(&b.answers)
        .filter(|(x, y)| x != y)
        .count() as u32
}

/// Learns presets from `history` for the session's catalog. Presets whose choices equal a
/// manufacturer preset's, or no longer hold under the current rules, are left out.
pub fn learn_presets(
    session: &mut Session,
    history: &History,
    config: &LearnConfig,
    effort: &mut Effort,
) -> Result<Vec<LearnedPreset>, LimitReached> {
    let compiled = session.compiled.clone();
    let c = &*compiled;
    let visible: Vec<GroupIdx> = (0..c.index.groups.len())
        .filter(|g| c.index.groups[*g].kind == GroupKind::Visible)
        .collect();
    let points = points(c, &visible, history, config.max_points);
    let total: f64 = points.iter().map(|p| p.weight).sum();
    if points.is_empty() || total <= 0.0 || visible.is_empty() {
        return Ok(Vec::new());
    }
    let n = points.len();
    let d: Vec<u32> = (0..n * n)
        .map(|ij| distance(&points[ij / n], &points[ij % n]))
        .collect();
    let dist = |i: usize, j: usize| d[i * n + j];

    let mut medoids = build(&points, &dist, config.max.max(1));
    let mut members = alternate(&points, &dist, &mut medoids);
    // Clusters too small to name are dropped and their configurations go to the nearest
    // remaining medoid.
    let keep: Vec<usize> = (0..medoids.len())
        .filter(|k| weight_of(&points, &members[*k]) / total >= config.min_share)
        .collect();
    if keep.is_empty() {
        return Ok(Vec::new());
    }
    if keep.len() < medoids.len() {
        medoids = keep.iter().map(|k| medoids[*k]).collect();
        members = alternate(&points, &dist, &mut medoids);
    }

    // Population share of every option, for the lift that names a preset.
    let mut overall = vec![0.0; c.n_options()];
    for p in &points {
        for o in p.answers.iter().flatten() {
            overall[*o] += p.weight / total;
        }
    }
    let manufacturer: Vec<Vec<&str>> = c
        .catalog
        .presets
        .iter()
        .map(|p| {
            let mut v: Vec<&str> = p.choices.iter().map(|s| s.as_str()).collect();
            v.sort_unstable();
            v
        })
        .collect();

    let mut order: Vec<usize> = (0..medoids.len()).collect();
    order.sort_by(|a, b| {
        weight_of(&points, &members[*b])
            .total_cmp(&weight_of(&points, &members[*a]))
            .then(medoids[*a].cmp(&medoids[*b]))
    });
    let mut out: Vec<LearnedPreset> = Vec::new();
    for k in order {
        let cluster = &members[k];
        let w = weight_of(&points, cluster);
        if w / total < config.min_share {
            continue;
        }
        let medoid = &points[medoids[k]];
        let mut chosen: Vec<OptionIdx> = Vec::new();
        for (gi, answer) in medoid.answers.iter().enumerate() {
            let agree: f64 = cluster
                .iter()
                .filter(|i| points[**i].answers[gi] == *answer)
                .map(|i| points[*i].weight)
                .sum();
            if !answer.is_empty() && agree / w >= config.consensus {
                chosen.extend(answer);
            }
        }
        if chosen.is_empty() {
            continue;
        }
        let choices: Vec<Choice> = chosen.iter().map(|o| Choice::select(*o)).collect();
        if !session.satisfiable(&choices, effort)? {
            continue;
        }
        let mut names: Vec<String> = chosen.iter().map(|o| c.index.names[*o].clone()).collect();
        names.sort_unstable();
        let key: Vec<&str> = names.iter().map(|s| s.as_str()).collect();
        if manufacturer.contains(&key)
            || out.iter().any(|p| {
                let mut v: Vec<&str> = p.preset.choices.iter().map(|s| s.as_str()).collect();
                v.sort_unstable();
                v == key
            })
        {
            continue;
        }

        let mut profiles: BTreeMap<&Option<String>, f64> = BTreeMap::new();
        for i in cluster {
            for (p, pw) in &points[*i].profiles {
                *profiles.entry(p).or_default() += pw;
            }
        }
        let profile = profiles
            .iter()
            .filter(|(p, pw)| p.is_some() && **pw / w >= 0.5)
            .map(|(p, _)| (*p).clone())
            .next()
            .flatten();

        // The options that set the cluster apart: highest lift (share in the cluster over
        // share in the population), ties in catalog order.
        let mut distinctive: Vec<(f64, OptionIdx)> = chosen
            .iter()
            .map(|o| {
                let inside: f64 = cluster
                    .iter()
                    .filter(|i| points[**i].answers.iter().flatten().any(|x| x == o))
                    .map(|i| points[*i].weight)
                    .sum::<f64>()
                    / w;
                (inside / overall[*o].max(1e-12), *o)
            })
            .collect();
        distinctive.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        // An option called by a bare value ("11", imported models) is named with its group.
        let label = |o: OptionIdx| {
            let g = c.index.group_of[o];
            let group = &c.catalog.groups[g];
            let option = group.options[o - c.index.groups[g].first].label();
            if option.chars().any(char::is_alphabetic) {
                option.to_string()
            } else {
                // Long generated group names ("Variable v118 (customer choice)") make poor
                // labels: the id then.
                let name = if group.name.is_empty() || group.name.chars().count() > 20 {
                    &group.id
                } else {
                    &group.name
                };
                format!("{name} = {option}")
            }
        };
        let highlights: Vec<String> = distinctive.iter().take(2).map(|(_, o)| label(*o)).collect();
        let prefix = profile
            .as_deref()
            .and_then(|p| c.catalog.profile(p).ok())
            .map(|p| {
                if p.name.is_empty() {
                    p.id.clone()
                } else {
                    p.name.clone()
                }
            })
            .unwrap_or_else(|| "Popular".to_string());
        let share = w / total;
        out.push(LearnedPreset {
            preset: Preset {
                id: format!("learned-{:08x}", fnv1a(&names.join("\n"))),
                name: format!("{prefix}: {}", highlights.join(", ")),
                description: Some(format!(
                    "Learned from shared configurations: {:.0} % of them are closest to this \
                     one; it answers {} of {} questions.",
                    share * 100.0,
                    medoid
                        .answers
                        .iter()
                        .zip(&visible)
                        .filter(|(a, _)| a.iter().any(|o| chosen.contains(o)))
                        .count(),
                    visible.len()
                )),
                profile,
                choices: names,
            },
            share,
            members: cluster.len(),
        });
    }
    Ok(out)
}

/// The distinct configurations of `history` (answers per visible group), heaviest first, at
/// most `max`; ties in answer order, so the result does not depend on insertion order.
fn points(
    c: &crate::engine::Compiled,
    visible: &[GroupIdx],
    history: &History,
    max: usize,
) -> Vec<Point> {
    let mut by_answers: BTreeMap<Vec<Vec<OptionIdx>>, Point> = BTreeMap::new();
    for s in &history.configurations {
        if s.weight <= 0.0 || !s.weight.is_finite() {
            continue;
        }
        let answers: Vec<Vec<OptionIdx>> = visible
            .iter()
            .map(|g| {
                s.options
                    .iter()
                    .copied()
                    .filter(|o| c.index.groups[*g].options().contains(o))
                    .collect()
            })
            .collect();
        let p = by_answers.entry(answers.clone()).or_insert(Point {
            answers,
            weight: 0.0,
            profiles: BTreeMap::new(),
        });
        p.weight += s.weight;
        *p.profiles.entry(s.profile.clone()).or_default() += s.weight;
    }
    let mut points: Vec<Point> = by_answers.into_values().collect();
    // Stable sort: equal weights keep the answer order of the map.
    points.sort_by(|a, b| b.weight.total_cmp(&a.weight));
    points.truncate(max.max(1));
    points
}

fn weight_of(points: &[Point], members: &[usize]) -> f64 {
    members.iter().map(|i| points[*i].weight).sum()
}

/// PAM's BUILD: the most central point, then greedily the point that lowers the total
/// weighted distance to the nearest medoid most, until `k` medoids or no point helps.
fn build(points: &[Point], dist: &impl Fn(usize, usize) -> u32, k: usize) -> Vec<usize> {
    let n = points.len();
    let cost = |i: usize| -> f64 {
        (0..n)
            .map(|j| points[j].weight * f64::from(dist(i, j)))
            .sum()
    };
    let first = (0..n)
        .min_by(|a, b| cost(*a).total_cmp(&cost(*b)).then(a.cmp(b)))
        .expect("at least one point");
    let mut medoids = vec![first];
    let mut nearest: Vec<u32> = (0..n).map(|j| dist(first, j)).collect();
    while medoids.len() < k.min(n) {
        let gain = |i: usize| -> f64 {
            (0..n)
                .map(|j| points[j].weight * f64::from(nearest[j].saturating_sub(dist(i, j))))
                .sum()
        };
        let best = (0..n)
            .filter(|i| !medoids.contains(i))
            .map(|i| (gain(i), i))
            .max_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)));
        match best {
            Some((g, i)) if g > 0.0 => {
                medoids.push(i);
                for (j, d) in nearest.iter_mut().enumerate() {
                    *d = (*d).min(dist(i, j));
                }
            }
            _ => break,
        }
    }
    medoids
}

/// Park & Jun's alternation: assign every point to its nearest medoid (ties: the earlier
/// medoid), move each medoid to the member with the least weighted distance to the rest of its
/// cluster, repeat until nothing moves. Returns the members of each medoid's cluster.
fn alternate(
    points: &[Point],
    dist: &impl Fn(usize, usize) -> u32,
    medoids: &mut [usize],
) -> Vec<Vec<usize>> {
    let n = points.len();
    let mut members: Vec<Vec<usize>> = Vec::new();
    for round in 0..MAX_ITERATIONS {
        members = vec![Vec::new(); medoids.len()];
        for j in 0..n {
            let k = (0..medoids.len())
                .min_by_key(|k| (dist(medoids[*k], j), *k))
                .expect("at least one medoid");
            members[k].push(j);
        }
        // The last round only assigns, so the members belong to the medoids returned.
        if round + 1 == MAX_ITERATIONS {
            break;
        }
        let mut moved = false;
        for (k, m) in medoids.iter_mut().enumerate() {
            let cost = |i: usize| -> f64 {
                members[k]
                    .iter()
                    .map(|j| points[*j].weight * f64::from(dist(i, *j)))
                    .sum()
            };
            let best = members[k]
                .iter()
                .copied()
                .min_by(|a, b| cost(*a).total_cmp(&cost(*b)).then(a.cmp(b)))
                .unwrap_or(*m);
            if cost(best) < cost(*m) {
                *m = best;
                moved = true;
            }
        }
        if !moved {
            break;
        }
    }
    members
}

/// FNV-1a, 32 bits: a stable id for a preset's choices across recounts and processes.
fn fnv1a(s: &str) -> u32 {
    s.bytes().fold(0x811c_9dc5, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

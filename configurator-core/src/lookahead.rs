//! How much one answer tells about the rest of the product, read from shared configurations.
//!
//! The guide asks first the question whose answer is least predictable. But an answer also
//! moves the defaults of the groups that go with it (a white case brings white cables, one
//! trim its wheels): asking the group that reveals the customer's *style* first saves the
//! questions it settles. This module measures that for every open group `g` as the expected
//! reduction of the other groups' prediction errors, the *expected error reduction* criterion
//! of active learning (Roy and McCallum, "Toward optimal active learning through sampling
//! estimation of error reduction", ICML 2001), with the guide's own predictor: the
//! kernel-weighted shared configurations of [`History`], backed off to the population.
//!
//! For a group `h`, the prediction error is `err(h) = 1 - max_v Q(h = v)`, where `Q` is the
//! predictive distribution over the group's values (for a group of several options, the set it
//! holds). Answering `g` with `a` (probability `Q(g = a)`) multiplies the weight of every
//! configuration with another value in `g` by [`History::MISMATCH`], as the next
//! [`History::popularity`] would. The *spillover* of `g` is
//! `sum over h != g of max(0, err(h) - sum_a Q(g = a) err(h | g = a))`.
//! One pass over the configurations per pair of groups (a contingency table of their values).
//!
//! Bounded: at most [`MAX_CONFIGURATIONS`] configurations are read (the ones counting most for
//! this customer), and pairs of groups with more than [`MAX_TABLE`] value combinations are
//! skipped (they add nothing to the spillover).

use crate::engine::Compiled;
use crate::guide::History;
use crate::ir::GroupIdx;
use crate::propagate::Choice;
use std::collections::HashMap;

/// Configurations read per call, the heaviest for the customer first.
pub const MAX_CONFIGURATIONS: usize = 2000;
/// Largest contingency table (values of `g` times values of `h`) computed.
pub const MAX_TABLE: usize = 1 << 16;

/// The spillover of each group of `groups` (see the module documentation), in that order.
pub fn spillover(
    c: &Compiled,
    history: &History,
    profile: Option<&str>,
    choices: &[Choice],
    groups: &[GroupIdx],
) -> Vec<f64> {
    let mut out = vec![0.0; groups.len()];
    if groups.len() < 2 || history.is_empty() {
        return out;
    }
    // The configurations that count most for this customer.
    let mut read: Vec<(f64, f64, &crate::guide::SharedConfiguration)> = history
        .configurations
        .iter()
        .map(|cf| {
            (
                History::kernel(cf, profile, choices),
                History::kernel(cf, profile, &[]),
                cf,
            )
        })
        .filter(|(_, w0, _)| *w0 > 0.0)
        .collect();
    if read.len() > MAX_CONFIGURATIONS {
        read.sort_by(|a, b| b.0.total_cmp(&a.0));
        read.truncate(MAX_CONFIGURATIONS);
    }
    let weight: Vec<f64> = read.iter().map(|r| r.0).collect();
    let total: f64 = weight.iter().sum();
    let population_total: f64 = read.iter().map(|r| r.1).sum();
    if total <= 0.0 || population_total <= 0.0 {
        return out;
    }
    // Each configuration's value in each group: a dense id per distinct set of options.
    let mut value: Vec<Vec<u32>> = Vec::with_capacity(groups.len());
    let mut arity: Vec<usize> = Vec::with_capacity(groups.len());
    for g in groups {
        let range = c.index.groups[*g].options();
        let mut ids: HashMap<&[usize], u32> = HashMap::new();
        let mut of = Vec::with_capacity(read.len());
        for (_, _, cf) in &read {
            let from = cf.options.partition_point(|o| *o < range.start);
            let to = cf.options.partition_point(|o| *o < range.end);
            let next = ids.len() as u32;
            of.push(*ids.entry(&cf.options[from..to]).or_insert(next));
        }
        arity.push(ids.len());
        value.push(of);
    }
    // Counts per value now, and the population's rates (the back-off prior).
    let counts = |k: usize, w: &dyn Fn(usize) -> f64| {
        let mut m = vec![0.0; arity[k]];
        for (i, v) in value[k].iter().enumerate() {
            m[*v as usize] += w(i);
        }
        m
    };
    let now: Vec<Vec<f64>> = (0..groups.len())
        .map(|k| counts(k, &|i| weight[i]))
        .collect();
    let prior: Vec<Vec<f64>> = (0..groups.len())
        .map(|k| {
            counts(k, &|i| read[i].1)
                .into_iter()
                .map(|x| x / population_total)
                .collect()
        })
        .collect();
    let b = History::BACK_OFF;
    // 1 - max_v of the backed-off predictive distribution.
    let error = |k: usize, m: &dyn Fn(usize) -> f64, tot: f64| {
        let best = (0..arity[k])
            .map(|v| (m(v) + b * prior[k][v]) / (tot + b))
            .fold(0.0, f64::max);
        1.0 - best
    };
    let err_now: Vec<f64> = (0..groups.len())
        .map(|k| error(k, &|v| now[k][v], total))
        .collect();
    let mismatch = History::MISMATCH;
    for kg in 0..groups.len() {
        let answers = arity[kg];
        let p_answer: Vec<f64> = (0..answers)
            .map(|a| (now[kg][a] + b * prior[kg][a]) / (total + b))
            .collect();
        // Weight of the configurations agreeing with each answer, and the total after it.
        let agree = &now[kg];
        let total_after: Vec<f64> = (0..answers)
            .map(|a| agree[a] + mismatch * (total - agree[a]))
            .collect();
        let mut spill = 0.0;
        for kh in 0..groups.len() {
            if kh == kg || answers * arity[kh] > MAX_TABLE || err_now[kh] <= 0.0 {
                continue;
            }
            let width = arity[kh];
            let mut table = vec![0.0; answers * width];
            for (i, w) in weight.iter().enumerate() {
                table[value[kg][i] as usize * width + value[kh][i] as usize] += w;
            }
            let expected: f64 = (0..answers)
                .map(|a| {
                    let row = &table[a * width..(a + 1) * width];
                    let m = |v: usize| row[v] + mismatch * (now[kh][v] - row[v]);
                    p_answer[a] * error(kh, &m, total_after[a])
                })
                .sum();
            spill += (err_now[kh] - expected).max(0.0);
        }
        out[kg] = spill;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Format;

    const SHOP: &str = r#"
id = "shop"
name = "Shop"
currency = "EUR"
[[groups]]
id = "case"
options = [{ id = "black", price = 0 }, { id = "white", price = 0 }]
[[groups]]
id = "cables"
options = [{ id = "black", price = 0 }, { id = "white", price = 0 }]
[[groups]]
id = "fan"
options = [{ id = "quiet", price = 0 }, { id = "loud", price = 0 }]
"#;

    fn history(c: &Compiled, rows: &[(&[&str], usize)]) -> History {
        let mut h = History::default();
        for (names, n) in rows {
            let options: Vec<usize> = names.iter().map(|x| c.index.option(x).unwrap()).collect();
            for _ in 0..*n {
                h.add(options.clone(), None, 1.0);
            }
        }
        h
    }

    #[test]
    fn a_group_that_goes_with_another_tells_about_it() {
        let c = crate::load(SHOP, Format::Toml).unwrap();
        // Case and cables always match; the fan is independent of both.
        let h = history(
            &c,
            &[
                (&["case.black", "cables.black", "fan.quiet"], 10),
                (&["case.black", "cables.black", "fan.loud"], 10),
                (&["case.white", "cables.white", "fan.quiet"], 10),
                (&["case.white", "cables.white", "fan.loud"], 10),
            ],
        );
        let groups = [0, 1, 2];
        let s = spillover(&c, &h, None, &[], &groups);
        // Asking the case settles the cables (and vice versa): about half an error saved.
        assert!(s[0] > 0.3 && s[1] > 0.3, "{s:?}");
        // The fan says nothing about the others.
        assert!(s[2] < 0.05, "{s:?}");
        // Once the case is chosen the cables are predictable: nothing left to gain.
        let chosen = [Choice::select(c.index.option("case.white").unwrap())];
        let s = spillover(&c, &h, None, &chosen, &[1, 2]);
        assert!(s.iter().all(|x| *x < 0.05), "{s:?}");
    }

    #[test]
    fn nothing_to_learn_without_history() {
        let c = crate::load(SHOP, Format::Toml).unwrap();
        assert_eq!(
            spillover(&c, &History::default(), None, &[], &[0, 1, 2]),
            vec![0.0; 3]
        );
    }
}

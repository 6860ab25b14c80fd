//! Minimal conflicts and minimal diagnoses, the two halves of consistency-based diagnosis.
//!
//! - Conflicts: QuickXplain (Junker, "QUICKXPLAIN: Preferred Explanations and Relaxations
//!   for Over-Constrained Problems", AAAI 2004), for "why is this option disabled?".
//! - Diagnoses: FastDiag (Felfernig, Schubert, Zehentner, "An efficient diagnosis algorithm for
//!   inconsistent constraint sets", AI EDAM 26(1), 2012), for "which of my choices must go?",
//!   and the enumeration of all minimal diagnoses by a hitting-set tree over FastDiag results
//!   (Reiter, "A theory of diagnosis from first principles", AI 32, 1987).
//!
//! Given background constraints `B` that always hold and candidate constraints `C` such that
//! `B ∪ C` is inconsistent, QuickXplain returns a minimal conflict `X ⊆ C`: `B ∪ X` is
//! inconsistent and removing any element of `X` makes it consistent. The consistency test is a
//! caller-supplied oracle (in practice a SAT call under assumptions), so the same code explains
//! unsatisfiable catalogs (over rules) and disabled options (over a customer's choices).

use crate::solver::LimitReached;

/// Returns a minimal subset of `candidates` inconsistent together with `background`, or `None`
/// when `background ∪ candidates` is consistent. Elements earlier in `candidates` are preferred
/// to stay out of the conflict (Junker's preference order: the conflict favours later ones).
pub fn quickxplain<T: Clone>(
    background: &[T],
    candidates: &[T],
    consistent: &mut impl FnMut(&[T]) -> Result<bool, LimitReached>,
) -> Result<Option<Vec<T>>, LimitReached> {
    let mut all = background.to_vec();
    all.extend_from_slice(candidates);
    if consistent(&all)? {
        return Ok(None);
    }
    // Junker's algorithm assumes a consistent background; an inconsistent one is its own
    // conflict and needs none of the candidates.
    if candidates.is_empty() || !consistent(background)? {
        return Ok(Some(Vec::new()));
    }
    let mut b = background.to_vec();
    Ok(Some(qx(&mut b, false, candidates, consistent)?))
}

fn qx<T: Clone>(
    background: &mut Vec<T>,
    delta_nonempty: bool,
    c: &[T],
    consistent: &mut impl FnMut(&[T]) -> Result<bool, LimitReached>,
) -> Result<Vec<T>, LimitReached> {
    if delta_nonempty && !consistent(background)? {
        return Ok(Vec::new());
    }
    if c.len() == 1 {
        return Ok(c.to_vec());
    }
    let (c1, c2) = c.split_at(c.len() / 2);
    let base = background.len();
    background.extend_from_slice(c1);
    let d2 = qx(background, !c1.is_empty(), c2, consistent)?;
    background.truncate(base);
    background.extend_from_slice(&d2);
    let d1 = qx(background, !d2.is_empty(), c1, consistent)?;
    background.truncate(base);
    let mut out = d1;
    out.extend(d2);
    Ok(out)
}

/// FastDiag: a minimal diagnosis `D ⊆ candidates` such that `background ∪ (candidates \ D)` is
/// consistent and putting back any element of `D` makes it inconsistent. `None` when even the
/// background alone is inconsistent (nothing in `candidates` can help); `Some(vec![])` when
/// everything is already consistent. Elements earlier in `candidates` are preferred to be
/// dropped.
pub fn fastdiag<T: Clone + PartialEq>(
    background: &[T],
    candidates: &[T],
    consistent: &mut impl FnMut(&[T]) -> Result<bool, LimitReached>,
) -> Result<Option<Vec<T>>, LimitReached> {
    let mut all = background.to_vec();
    all.extend_from_slice(candidates);
    if consistent(&all)? {
        return Ok(Some(Vec::new()));
    }
    if candidates.is_empty() || !consistent(background)? {
        return Ok(None);
    }
    Ok(Some(fd(false, candidates, &all, consistent)?))
}

fn fd<T: Clone + PartialEq>(
    d_nonempty: bool,
    c: &[T],
    ac: &[T],
    consistent: &mut impl FnMut(&[T]) -> Result<bool, LimitReached>,
) -> Result<Vec<T>, LimitReached> {
    if d_nonempty && consistent(ac)? {
        return Ok(Vec::new());
    }
    if c.len() == 1 {
        return Ok(c.to_vec());
    }
    let (c1, c2) = c.split_at(c.len() / 2);
    let ac_c1: Vec<T> = ac.iter().filter(|x| !c1.contains(x)).cloned().collect();
    let d1 = fd(!c1.is_empty(), c2, &ac_c1, consistent)?;
    let ac_d1: Vec<T> = ac.iter().filter(|x| !d1.contains(x)).cloned().collect();
    let d2 = fd(!d1.is_empty(), c1, &ac_d1, consistent)?;
    let mut out = d1;
    out.extend(d2);
    Ok(out)
}

/// All minimal diagnoses (up to `max_nodes` FastDiag calls), by a hitting-set tree: a node
/// keeps a set `K` of candidates for sure; its FastDiag diagnosis `D` of the rest is a minimal
/// diagnosis of the whole problem, and every other minimal diagnosis keeps some element of `D`,
/// so the children keep `K ∪ {d}` for each `d ∈ D`. Breadth first, duplicates pruned.
pub fn all_diagnoses<T: Clone + PartialEq>(
    background: &[T],
    candidates: &[T],
    max_nodes: usize,
    consistent: &mut impl FnMut(&[T]) -> Result<bool, LimitReached>,
) -> Result<Vec<Vec<T>>, LimitReached> {
    let mut found: Vec<Vec<T>> = Vec::new();
    let mut queue: std::collections::VecDeque<Vec<T>> = std::collections::VecDeque::new();
    let mut seen: Vec<Vec<T>> = Vec::new();
    queue.push_back(Vec::new());
    let mut nodes = 0;
    while let Some(kept) = queue.pop_front() {
        if nodes >= max_nodes {
            break;
        }
        nodes += 1;
        let mut bg = background.to_vec();
        bg.extend(kept.iter().cloned());
        let rest: Vec<T> = candidates
            .iter()
            .filter(|c| !kept.contains(c))
            .cloned()
            .collect();
        let Some(d) = fastdiag(&bg, &rest, consistent)? else {
            continue;
        };
        if d.is_empty() {
            continue;
        }
        if !found
            .iter()
            .any(|f| f.len() == d.len() && f.iter().all(|x| d.contains(x)))
        {
            found.push(d.clone());
        }
        for x in &d {
            let mut k = kept.clone();
            k.push(x.clone());
            if !seen
                .iter()
                .any(|s| s.len() == k.len() && s.iter().all(|y| k.contains(y)))
            {
                seen.push(k.clone());
                queue.push_back(k);
            }
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Consistent unless the set contains all of some conflict.
    fn oracle<'a>(
        conflicts: &'a [&'a [u32]],
    ) -> impl FnMut(&[u32]) -> Result<bool, LimitReached> + 'a {
        move |set: &[u32]| Ok(!conflicts.iter().any(|c| c.iter().all(|x| set.contains(x))))
    }

    #[test]
    fn finds_a_minimal_conflict() {
        let conflicts: &[&[u32]] = &[&[2, 5], &[1, 3, 7]];
        let mut o = oracle(conflicts);
        let x = quickxplain(&[], &[1, 2, 3, 4, 5, 6, 7], &mut o)
            .unwrap()
            .unwrap();
        let mut x = x;
        x.sort();
        assert!(x == vec![2, 5] || x == vec![1, 3, 7], "{x:?}");
    }

    #[test]
    fn consistent_sets_have_no_conflict() {
        let conflicts: &[&[u32]] = &[&[8, 9]];
        let mut o = oracle(conflicts);
        assert_eq!(quickxplain(&[], &[1, 2, 3], &mut o).unwrap(), None);
    }

    fn is_diagnosis(conflicts: &[&[u32]], all: &[u32], d: &[u32]) -> bool {
        let kept: Vec<u32> = all.iter().copied().filter(|x| !d.contains(x)).collect();
        !conflicts.iter().any(|c| c.iter().all(|x| kept.contains(x)))
    }

    #[test]
    fn fastdiag_finds_a_minimal_diagnosis() {
        let conflicts: &[&[u32]] = &[&[2, 5], &[1, 3, 7]];
        let all = [1, 2, 3, 4, 5, 6, 7];
        let mut o = oracle(conflicts);
        let d = fastdiag(&[], &all, &mut o).unwrap().unwrap();
        assert!(is_diagnosis(conflicts, &all, &d), "{d:?}");
        for i in 0..d.len() {
            let mut smaller = d.clone();
            smaller.remove(i);
            assert!(
                !is_diagnosis(conflicts, &all, &smaller),
                "{d:?} not minimal"
            );
        }
        // Earlier candidates are dropped first.
        assert!(d.contains(&1) && d.contains(&2), "{d:?}");
    }

    #[test]
    fn fastdiag_without_a_way_out() {
        let conflicts: &[&[u32]] = &[&[0]];
        let mut o = oracle(conflicts);
        assert_eq!(fastdiag(&[0], &[1, 2], &mut o).unwrap(), None);
        let mut o = oracle(&[]);
        assert_eq!(fastdiag(&[0], &[1, 2], &mut o).unwrap(), Some(vec![]));
    }

    #[test]
    fn all_minimal_diagnoses_are_enumerated() {
        // Minimal hitting sets of {2,5} and {1,3,7}: {2,1},{2,3},{2,7},{5,1},{5,3},{5,7}.
        let conflicts: &[&[u32]] = &[&[2, 5], &[1, 3, 7]];
        let all = [1, 2, 3, 4, 5, 6, 7];
        let mut o = oracle(conflicts);
        let mut ds = all_diagnoses(&[], &all, 100, &mut o).unwrap();
        for d in &mut ds {
            d.sort();
        }
        ds.sort();
        assert_eq!(
            ds,
            vec![
                vec![1, 2],
                vec![1, 5],
                vec![2, 3],
                vec![2, 7],
                vec![3, 5],
                vec![5, 7]
            ]
        );
    }

    #[test]
    fn background_counts_but_is_not_returned() {
        let conflicts: &[&[u32]] = &[&[0, 4]];
        let mut o = oracle(conflicts);
        assert_eq!(
            quickxplain(&[0], &[1, 2, 3, 4], &mut o).unwrap(),
            Some(vec![4])
        );
        let conflicts: &[&[u32]] = &[&[0]];
        let mut o = oracle(conflicts);
        assert_eq!(quickxplain(&[0], &[1, 2], &mut o).unwrap(), Some(vec![]));
    }
}

//! Minimal conflicts: QuickXplain (Junker, "QUICKXPLAIN: Preferred Explanations and Relaxations
//! for Over-Constrained Problems", AAAI 2004).
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

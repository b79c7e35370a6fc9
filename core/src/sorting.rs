//! One stable sort for the whole program, so that the browser build carries
//! one copy of the sort code instead of one per call site.
//!
//! The standard library's sorts are generic over the element and the
//! comparison: every `sort_by_key` call site with its own closure gets its
//! own copy of driftsort (about 4 KB of wasm each; 207 copies, 100 KB, in
//! the release page before this module). Here every sort sorts a list of
//! indices with a `dyn` comparison (one copy of the sort code) and then
//! moves the elements into that order (a few swaps per element, generic
//! but small).
//!
//! Contract: the result is exactly the standard library's stable
//! `sort_by` (equal elements keep their order), so a caller's output, and
//! any trace hash built from it, does not change. Never used where a sort
//! runs per simulated event on long lists (it costs a `dyn` call per
//! comparison); the callers sort what a view, a diagnosis or a
//! four-letter word shows, and short lists in the protocol.

use std::cmp::Ordering;

/// Sorts `v` stably by `cmp`, as `v.sort_by(cmp)`.
pub fn sort_by<T>(v: &mut [T], cmp: &dyn Fn(&T, &T) -> Ordering) {
    if v.len() < 2 {
        return;
    }
    let mut idx: Vec<usize> = (0..v.len()).collect();
    sort_indices(&mut idx, &|a, b| cmp(&v[a], &v[b]));
    permute(v, &mut idx);
}

/// Sorts `v` stably by the key `key` gives, as `v.sort_by_key(key)`.
pub fn sort_by_key<T, K: Ord>(v: &mut [T], key: impl Fn(&T) -> K) {
    sort_by(v, &|a, b| key(a).cmp(&key(b)))
}

/// Sorts `v` in its natural order, as `v.sort()` (or `sort_unstable`:
/// with a total order, equal elements are indistinguishable).
pub fn sort<T: Ord>(v: &mut [T]) {
    sort_by(v, &|a, b| a.cmp(b))
}

/// The one instance of the standard library's stable sort.
#[inline(never)]
fn sort_indices(idx: &mut [usize], cmp: &dyn Fn(usize, usize) -> Ordering) {
    idx.sort_by(|&a, &b| cmp(a, b));
}

/// Puts `v` in the order `idx` names (`new[k] = old[idx[k]]`), following
/// each cycle of the permutation once; `idx` is used up (every entry ends
/// as its own position).
fn permute<T>(v: &mut [T], idx: &mut [usize]) {
    for start in 0..idx.len() {
        let mut cur = start;
        loop {
            let next = idx[cur];
            idx[cur] = cur;
            if next == start || next == cur {
                break;
            }
            v.swap(cur, next);
            cur = next;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Pcg32;

    /// Random lists with many equal keys, sorted here and by the standard
    /// library's stable sort: the same order, equal keys included.
    #[test]
    fn same_order_as_the_standard_stable_sort() {
        let mut rng = Pcg32::new(7, 11);
        for n in 0..200 {
            let v: Vec<(u32, usize)> = (0..n)
                .map(|i| (rng.next_u32() % (1 + n as u32 / 3), i))
                .collect();
            let mut ours = v.clone();
            sort_by_key(&mut ours, |x| x.0);
            let mut std = v.clone();
            std.sort_by_key(|x| x.0);
            assert_eq!(ours, std, "n = {n}");
            let mut natural = v.clone();
            sort(&mut natural);
            let mut expect = v;
            expect.sort();
            assert_eq!(natural, expect, "n = {n}");
        }
    }

    #[test]
    fn reversed_and_sorted_inputs() {
        let mut v: Vec<u64> = (0..50).rev().collect();
        sort(&mut v);
        assert_eq!(v, (0..50).collect::<Vec<_>>());
        sort_by(&mut v, &|a, b| b.cmp(a));
        assert_eq!(v, (0..50).rev().collect::<Vec<_>>());
    }
}

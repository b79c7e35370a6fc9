//! The two ways the generator draws from its PCG streams. Every draw of a
//! seed's schedule goes through these, in a fixed order (`generate.rs`):
//! reordering draws changes every seed.

use crate::rng::Pcg32;

/// One of `items`, uniformly.
pub(super) fn pick<T: Clone>(r: &mut Pcg32, items: &[T]) -> T {
    items[r.below(items.len() as u32) as usize].clone()
}

/// A whole number in `lo..=hi` (just `lo` when `hi < lo`).
pub(super) fn range(r: &mut Pcg32, lo: u64, hi: u64) -> u64 {
    r.in_range(lo, hi.max(lo))
}

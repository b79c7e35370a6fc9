//! `Seq<T>`: an append-mostly sequence that is cheap to clone, and
//! `Window<T>`: the same with a front that moves (a bounded queue).
//!
//! Items live in chunks of `C` (full chunks shared behind `Arc`), and full
//! chunks are grouped by `BLOCK` into blocks, also shared behind `Arc`. A
//! clone copies at most one block pointer per `C × BLOCK` items, fewer than
//! `BLOCK` chunk pointers and fewer than `C` items: a million entries clone
//! as about a hundred pointers. The simulator clones whole ensembles for
//! checkpoints (time travel), and every server keeps its txn log and applied
//! history in one of these, so what a checkpoint holds alone is small.
//! Truncation copies at most one chunk. Never panics on a bad index: `get`
//! returns `None`.
//!
//! A `Seq` may forget its oldest whole blocks ([`Seq::forget_before`]):
//! indices stay absolute (`len` counts the forgotten items), `get` of a
//! forgotten index is `None`, `iter` starts at [`Seq::floor`], and
//! `partition_point` takes every forgotten item as true (it is meant for
//! sequences ordered so that the forgotten ones come first). The checks'
//! records use it to stay bounded in a long run (`sim/compact.rs`).

use std::collections::VecDeque;
use std::sync::Arc;

/// Chunks per block.
const BLOCK: usize = 64;

/// A cheaply clonable sequence (see the module doc); `C`: items per chunk.
#[derive(Debug, Clone)]
pub struct Seq<T: Clone, const C: usize = 256> {
    /// Whole blocks forgotten at the front ([`Seq::forget_before`]).
    forgotten: usize,
    /// The blocks after the forgotten ones.
    blocks: Vec<Arc<Vec<Arc<Vec<T>>>>>,
    /// Full chunks of the block being filled (fewer than `BLOCK`).
    chunks: Vec<Arc<Vec<T>>>,
    tail: Vec<T>,
}

impl<T: Clone, const C: usize> Default for Seq<T, C> {
    fn default() -> Self {
        Seq {
            forgotten: 0,
            blocks: Vec::new(),
            chunks: Vec::new(),
            tail: Vec::new(),
        }
    }
}

impl<T: Clone + PartialEq, const C: usize> PartialEq for Seq<T, C> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len()
            && self.forgotten == other.forgotten
            && self.iter().zip(other.iter()).all(|(a, b)| a == b)
    }
}

impl<T: Clone, const C: usize> Seq<T, C> {
    /// Items per block: what [`Seq::forget_before`] forgets at a time.
    pub const PER_BLOCK: usize = C * BLOCK;

    pub fn new() -> Self {
        Seq::default()
    }

    pub fn len(&self) -> usize {
        (self.forgotten + self.blocks.len()) * Self::PER_BLOCK
            + self.chunks.len() * C
            + self.tail.len()
    }

    /// The first index still held (0 unless blocks were forgotten).
    pub fn floor(&self) -> usize {
        self.forgotten * Self::PER_BLOCK
    }

    /// Forget the items before `index`, as far as whole full blocks allow
    /// (a block is `C × 64` items): at most `index` items, and never one of
    /// the block being filled. Returns how many are forgotten now (the new
    /// [`Seq::floor`]). What a clone shares stays with the clone.
    pub fn forget_before(&mut self, index: usize) -> usize {
        let want = (index / Self::PER_BLOCK).min(self.forgotten + self.blocks.len());
        if want > self.forgotten {
            self.blocks.drain(..want - self.forgotten);
            self.forgotten = want;
        }
        self.floor()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn push(&mut self, item: T) {
        if self.tail.capacity() == 0 {
            self.tail.reserve_exact(C);
        }
        self.tail.push(item);
        if self.tail.len() == C {
            let full = std::mem::take(&mut self.tail);
            self.chunks.push(Arc::new(full));
            if self.chunks.len() == BLOCK {
                let block = std::mem::take(&mut self.chunks);
                self.blocks.push(Arc::new(block));
            }
        }
    }

    /// Make every full block, and every full chunk of the block being
    /// filled, that holds the same items as `other`'s at the same positions
    /// share `other`'s storage (one copy instead of two). Returns how many
    /// blocks and chunks it shared now.
    pub fn share_blocks_with(&mut self, other: &Seq<T, C>) -> usize
    where
        T: PartialEq,
    {
        let mut shared = self.share_open_chunks_with(other);
        for (i, block) in self.blocks.iter_mut().enumerate() {
            let Some(j) = (self.forgotten + i).checked_sub(other.forgotten) else {
                continue;
            };
            let Some(theirs) = other.blocks.get(j) else {
                break;
            };
            if !Arc::ptr_eq(block, theirs) && **block == **theirs {
                *block = theirs.clone();
                shared += 1;
            }
        }
        shared
    }

    /// The open block's full chunks that equal `other`'s full chunks at
    /// the same positions share them (see [`Seq::share_blocks_with`]).
    fn share_open_chunks_with(&mut self, other: &Seq<T, C>) -> usize
    where
        T: PartialEq,
    {
        let first = (self.forgotten + self.blocks.len()) * BLOCK;
        let mut shared = 0;
        for (k, chunk) in self.chunks.iter_mut().enumerate() {
            let Some(theirs) = other.full_chunk(first + k) else {
                break;
            };
            if !Arc::ptr_eq(chunk, theirs) && **chunk == **theirs {
                *chunk = theirs.clone();
                shared += 1;
            }
        }
        shared
    }

    /// Full chunk number `c` (absolute), if held.
    fn full_chunk(&self, c: usize) -> Option<&Arc<Vec<T>>> {
        let (b, k) = (c / BLOCK, c % BLOCK);
        let b = b.checked_sub(self.forgotten)?;
        match b.cmp(&self.blocks.len()) {
            std::cmp::Ordering::Less => self.blocks[b].get(k),
            std::cmp::Ordering::Equal => self.chunks.get(k),
            std::cmp::Ordering::Greater => None,
        }
    }

    fn chunk(&self, c: usize) -> Option<&[T]> {
        let (b, k) = (c / BLOCK, c % BLOCK);
        let b = b.checked_sub(self.forgotten)?;
        if b < self.blocks.len() {
            self.blocks[b].get(k).map(|x| x.as_slice())
        } else if b == self.blocks.len() {
            if k < self.chunks.len() {
                Some(&self.chunks[k])
            } else if k == self.chunks.len() {
                Some(&self.tail)
            } else {
                None
            }
        } else {
            None
        }
    }

    pub fn get(&self, index: usize) -> Option<&T> {
        self.chunk(index / C)?.get(index % C)
    }

    pub fn last(&self) -> Option<&T> {
        match self.len() {
            0 => None,
            n => self.get(n - 1),
        }
    }

    /// Keep the first `len` items (a cut below the floor keeps none: the
    /// sequence is then empty, its floor 0).
    pub fn truncate(&mut self, len: usize) {
        if len >= self.len() {
            return;
        }
        let (b, rest) = (len / Self::PER_BLOCK, len % Self::PER_BLOCK);
        let Some(b) = b.checked_sub(self.forgotten) else {
            self.clear();
            return;
        };
        if b < self.blocks.len() {
            // The cut is inside a full block: its chunks before the cut
            // become the open block.
            self.chunks = self.blocks[b][..rest / C].to_vec();
            self.tail = self.blocks[b][rest / C][..rest % C].to_vec();
            self.blocks.truncate(b);
            return;
        }
        let k = rest / C;
        if k < self.chunks.len() {
            self.tail = self.chunks[k][..rest % C].to_vec();
            self.chunks.truncate(k);
        } else {
            self.tail.truncate(rest % C);
        }
    }

    pub fn clear(&mut self) {
        *self = Seq::default();
    }

    /// A copy of the first `len` items (shares the full chunks).
    pub fn prefix(&self, len: usize) -> Seq<T, C> {
        let mut copy = self.clone();
        copy.truncate(len);
        copy
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &T> + '_ {
        self.blocks
            .iter()
            .flat_map(|b| b.iter())
            .chain(self.chunks.iter())
            .flat_map(|c| c.iter())
            .chain(self.tail.iter())
    }

    /// Items from `start` on.
    pub fn iter_from(&self, start: usize) -> impl Iterator<Item = &T> + '_ {
        (start..self.len()).filter_map(move |i| self.get(i))
    }

    /// Index of the first item for which `pred` is false, assuming the
    /// sequence is partitioned (all true, then all false); forgotten items
    /// count as true. The probes are the plain binary search's (`lo + (hi -
    /// lo) / 2`), so a sequence that is not partitioned gives the same
    /// answer as it always did.
    pub fn partition_point(&self, mut pred: impl FnMut(&T) -> bool) -> usize {
        let (mut lo, mut hi) = (self.floor(), self.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match self.get(mid) {
                Some(item) if pred(item) => lo = mid + 1,
                _ => hi = mid,
            }
        }
        lo
    }
}

impl<'a, T: Clone, const C: usize> IntoIterator for &'a Seq<T, C> {
    type Item = &'a T;
    type IntoIter = Box<dyn DoubleEndedIterator<Item = &'a T> + 'a>;

    fn into_iter(self) -> Self::IntoIter {
        Box::new(self.iter())
    }
}

impl<T: Clone, const C: usize> FromIterator<T> for Seq<T, C> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        let mut s = Seq::new();
        for item in iter {
            s.push(item);
        }
        s
    }
}

/// A queue (push at the back, pop at the front) with `Seq`'s cheap clones:
/// full chunks of `C` are shared; a clone copies the chunk pointers and
/// fewer than `C` items.
#[derive(Debug, Clone)]
pub struct Window<T: Clone, const C: usize = 32> {
    chunks: VecDeque<Arc<Vec<T>>>,
    tail: Vec<T>,
    /// Items already popped from the front chunk (or, with no chunks, from
    /// the tail).
    skip: usize,
}

impl<T: Clone, const C: usize> Default for Window<T, C> {
    fn default() -> Self {
        Window {
            chunks: VecDeque::new(),
            tail: Vec::new(),
            skip: 0,
        }
    }
}

impl<T: Clone, const C: usize> Window<T, C> {
    pub fn len(&self) -> usize {
        self.chunks.len() * C + self.tail.len() - self.skip
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn clear(&mut self) {
        *self = Window::default();
    }

    pub fn push_back(&mut self, item: T) {
        if self.tail.capacity() == 0 {
            self.tail.reserve_exact(C);
        }
        self.tail.push(item);
        if self.tail.len() == C {
            let full = std::mem::take(&mut self.tail);
            self.chunks.push_back(Arc::new(full));
        }
    }

    pub fn pop_front(&mut self) {
        if self.is_empty() {
            return;
        }
        self.skip += 1;
        if !self.chunks.is_empty() && self.skip == C {
            self.chunks.pop_front();
            self.skip = 0;
        } else if self.chunks.is_empty() && self.skip == self.tail.len() {
            self.tail.clear();
            self.skip = 0;
        }
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &T> + '_ {
        let skip = self.skip;
        let tail_skip = if self.chunks.is_empty() { skip } else { 0 };
        self.chunks
            .iter()
            .enumerate()
            .flat_map(move |(i, c)| c[if i == 0 { skip } else { 0 }..].iter())
            .chain(self.tail[tail_skip..].iter())
    }

    pub fn front(&self) -> Option<&T> {
        match self.chunks.front() {
            Some(c) => c.get(self.skip),
            None => self.tail.get(self.skip),
        }
    }

    pub fn back(&self) -> Option<&T> {
        match self.tail.last() {
            Some(t) => Some(t),
            None => self.chunks.back().and_then(|c| c.last()),
        }
        .filter(|_| !self.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forgetting_whole_blocks_keeps_indices_absolute() {
        // Blocks of 4 × 64 = 256 items.
        let mut s: Seq<u64, 4> = (0..1000).collect();
        let kept = s.clone();
        assert_eq!(s.forget_before(255), 0, "no whole block before 255");
        assert_eq!(s.forget_before(600), 512);
        assert_eq!((s.floor(), s.len()), (512, 1000));
        assert_eq!(
            (s.get(511), s.get(512), s.get(999)),
            (None, Some(&512), Some(&999))
        );
        assert_eq!(s.iter().next(), Some(&512));
        assert_eq!(s.iter().count(), 488);
        assert_eq!(s.partition_point(|&x| x < 700), 700);
        assert_eq!(
            s.partition_point(|&x| x < 3),
            512,
            "forgotten items count as true"
        );
        // Never past the block being filled, and never back.
        assert_eq!(s.forget_before(5000), 768);
        assert_eq!(s.forget_before(10), 768);
        s.push(1000);
        assert_eq!((s.len(), s.last()), (1001, Some(&1000)));
        s.truncate(900);
        assert_eq!((s.len(), s.get(899), s.get(900)), (900, Some(&899), None));
        s.truncate(100);
        assert_eq!(
            (s.len(), s.floor()),
            (0, 0),
            "a cut below the floor empties it"
        );
        // A clone taken before keeps everything.
        assert_eq!((kept.floor(), kept.get(0)), (0, Some(&0)));
        assert_ne!(kept, s);
    }

    #[test]
    fn equal_blocks_are_shared_and_unequal_ones_are_not() {
        let g: Seq<u64, 4> = (0..1000).collect();
        let mut a: Seq<u64, 4> = (0..1000).map(|x| if x == 300 { 7 } else { x }).collect();
        a.forget_before(256);
        // Block 0 is forgotten in `a`, block 1 differs (item 300), block 2
        // is equal: only it is shared, with the 58 full chunks of the open
        // block (items 768..1000); sharing again does nothing.
        assert_eq!(a.share_blocks_with(&g), 1 + 58);
        assert_eq!(a.share_blocks_with(&g), 0);
        assert_eq!(
            (a.get(300), a.get(600), a.len()),
            (Some(&7), Some(&600), 1000)
        );
    }

    #[test]
    fn the_open_blocks_chunks_are_shared_with_a_longer_sequence() {
        // `g` is ahead (its block 1 is full), `a` behind in block 1 with a
        // tail: its equal full chunks share g's, the differing one and the
        // tail do not, and a clone taken before keeps its own.
        let g: Seq<u64, 4> = (0..600).collect();
        let mut a: Seq<u64, 4> = (0..283).map(|x| if x == 270 { 9 } else { x }).collect();
        let before = a.clone();
        assert_eq!(
            a.share_blocks_with(&g),
            6,
            "block 0, and chunks 64..69 but 67 (item 270)"
        );
        for (k, shared) in [(64, true), (66, true), (67, false), (69, true)] {
            let same = Arc::ptr_eq(a.full_chunk(k).unwrap(), g.full_chunk(k).unwrap());
            assert_eq!(same, shared, "chunk {k}");
        }
        assert!(!Arc::ptr_eq(
            before.full_chunk(64).unwrap(),
            g.full_chunk(64).unwrap()
        ));
        assert_eq!(
            (a.len(), a.get(270), a.get(282)),
            (283, Some(&9), Some(&282))
        );
        assert_eq!(a, before);
    }

    #[test]
    fn push_get_truncate_across_chunks() {
        let mut s: Seq<u64> = (0..3000).collect();
        assert_eq!(s.len(), 3000);
        assert_eq!(s.get(2047), Some(&2047));
        assert_eq!(s.get(3000), None);
        let snapshot = s.clone();
        s.truncate(1500);
        assert_eq!(s.len(), 1500);
        assert_eq!(s.last(), Some(&1499));
        s.push(7);
        assert_eq!(s.get(1500), Some(&7));
        // The clone taken before is untouched by the truncation.
        assert_eq!(snapshot.get(1500), Some(&1500));
        assert_eq!(snapshot.len(), 3000);
        assert_eq!(s.iter().count(), 1501);
        assert_eq!(s.partition_point(|&x| x < 1000), 1000);
        s.truncate(0);
        assert!(s.is_empty());
    }

    #[test]
    fn blocks_are_shared_and_cut_exactly() {
        // Small chunks so that many blocks form.
        let n = 4 * 64 * BLOCK + 77;
        let s: Seq<usize, 4> = (0..n).collect();
        assert_eq!(s.len(), n);
        assert!(s.iter().copied().eq(0..n));
        assert!(s.iter().rev().copied().eq((0..n).rev()));
        assert!((&s).into_iter().copied().eq(0..n));
        for cut in [
            0,
            1,
            3,
            4,
            5,
            4 * BLOCK - 1,
            4 * BLOCK,
            4 * BLOCK + 1,
            n - 78,
            n - 1,
            n,
        ] {
            let p = s.prefix(cut);
            assert_eq!(p.len(), cut, "{cut}");
            assert!(p.iter().copied().eq(0..cut), "{cut}");
            let mut q = p.clone();
            q.push(usize::MAX);
            assert_eq!(q.get(cut), Some(&usize::MAX));
            assert_eq!(q.len(), cut + 1);
            assert_eq!(p.len(), cut, "the clone is untouched");
        }
        assert_eq!(s.partition_point(|&x| x < 12345), 12345);
        assert_eq!(s.get(n), None);
    }

    #[test]
    fn a_window_is_a_queue() {
        let mut w: Window<u32, 4> = Window::default();
        let mut model = VecDeque::new();
        for i in 0..100u32 {
            w.push_back(i);
            model.push_back(i);
            if i % 3 == 0 {
                w.pop_front();
                model.pop_front();
            }
            if model.len() > 10 {
                w.pop_front();
                model.pop_front();
            }
            assert_eq!(w.len(), model.len());
            assert!(w.iter().eq(model.iter()), "{i}");
            assert_eq!(w.front(), model.front());
            assert_eq!(w.back(), model.back());
            let copy = w.clone();
            assert!(copy.iter().eq(model.iter()));
        }
        while !model.is_empty() {
            w.pop_front();
            model.pop_front();
            assert!(w.iter().eq(model.iter()));
            assert_eq!(w.front(), model.front());
            assert_eq!(w.back(), model.back());
        }
        w.pop_front();
        assert!(w.is_empty());
        assert_eq!(w.back(), None);
    }
}

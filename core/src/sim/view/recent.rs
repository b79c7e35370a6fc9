//! `Recent<T>`: the bounded, cheaply cloned sequence the history keeps its
//! messages and state changes in.
//!
//! Contract: append-only, absolute indexes; past its capacity whole
//! chunks of the oldest items are dropped; a clone shares every full
//! chunk (a checkpoint of a long history costs one partial chunk).

use std::collections::VecDeque;
use std::sync::Arc;

const CHUNK: usize = 1024;

/// A bounded, append-only sequence that is cheap to clone: full chunks are
/// shared behind `Arc`; past `capacity` the oldest chunks are dropped.
/// Indexes are absolute (`first()` is the index of the oldest kept item).
#[derive(Debug, Clone)]
pub struct Recent<T: Clone> {
    chunks: VecDeque<Arc<Vec<T>>>,
    tail: Vec<T>,
    dropped: usize,
    max_chunks: usize,
}

impl<T: Clone> Recent<T> {
    /// Keeps at least `capacity` items (rounded up to whole chunks).
    pub fn new(capacity: usize) -> Self {
        Recent {
            chunks: VecDeque::new(),
            tail: Vec::new(),
            dropped: 0,
            max_chunks: capacity.div_ceil(CHUNK),
        }
    }

    /// Absolute index of the oldest kept item.
    pub fn first(&self) -> usize {
        self.dropped
    }

    /// Absolute index one past the newest item (items ever pushed).
    pub fn end(&self) -> usize {
        self.dropped + self.chunks.len() * CHUNK + self.tail.len()
    }

    pub fn is_empty(&self) -> bool {
        self.first() == self.end()
    }

    /// Whether items were dropped for the bound.
    pub fn truncated(&self) -> bool {
        self.dropped > 0
    }

    pub fn push(&mut self, item: T) {
        self.tail.push(item);
        if self.tail.len() == CHUNK {
            let full = std::mem::replace(&mut self.tail, Vec::with_capacity(CHUNK));
            self.chunks.push_back(Arc::new(full));
            while self.chunks.len() > self.max_chunks {
                self.chunks.pop_front();
                self.dropped += CHUNK;
            }
        }
    }

    /// Drops every item kept (indexes go on from `end()`).
    pub fn clear(&mut self) {
        self.dropped = self.end();
        self.chunks.clear();
        self.tail = Vec::new();
    }

    /// The item at absolute index `i`, if it is kept.
    pub fn get(&self, i: usize) -> Option<&T> {
        let rel = i.checked_sub(self.dropped)?;
        let chunk = rel / CHUNK;
        if chunk < self.chunks.len() {
            self.chunks[chunk].get(rel % CHUNK)
        } else {
            self.tail.get(rel - self.chunks.len() * CHUNK)
        }
    }

    /// Items from absolute index `start` on (clamped to what is kept).
    pub fn iter_from(&self, start: usize) -> impl DoubleEndedIterator<Item = &T> + '_ {
        self.range(start, self.end())
    }

    /// Items at absolute indexes `start..end` (clamped to what is kept),
    /// walked a chunk's slice at a time: the space-time diagram counts
    /// tens of thousands of messages per frame this way.
    pub fn range(&self, start: usize, end: usize) -> impl DoubleEndedIterator<Item = &T> + '_ {
        let end = end.clamp(self.first(), self.end()) - self.dropped;
        let start = start
            .clamp(self.first(), self.end())
            .min(end + self.dropped)
            - self.dropped;
        // The chunks (the tail counts as the last) that hold `start..end`.
        let chunks = if start < end {
            start / CHUNK..(end - 1) / CHUNK + 1
        } else {
            0..0
        };
        chunks.flat_map(move |k| {
            let slice = match self.chunks.get(k) {
                Some(c) => c.as_slice(),
                None => self.tail.as_slice(),
            };
            let base = k * CHUNK;
            let lo = start.saturating_sub(base).min(slice.len());
            let hi = (end - base).min(slice.len());
            slice[lo..hi].iter()
        })
    }

    /// First absolute index for which `pred` is false, assuming the kept
    /// items are partitioned (all true, then all false).
    pub fn partition_point(&self, mut pred: impl FnMut(&T) -> bool) -> usize {
        let (mut lo, mut hi) = (self.first(), self.end());
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recent_keeps_the_newest_chunks_and_clones_cheaply() {
        let mut r: Recent<u64> = Recent::new(2 * CHUNK);
        for i in 0..(5 * CHUNK as u64 + 10) {
            r.push(i);
        }
        assert_eq!(r.end(), 5 * CHUNK + 10);
        assert_eq!(r.first(), 3 * CHUNK);
        assert!(r.truncated());
        assert_eq!(r.get(0), None);
        assert_eq!(r.get(3 * CHUNK), Some(&(3 * CHUNK as u64)));
        assert_eq!(r.get(5 * CHUNK + 9), Some(&(5 * CHUNK as u64 + 9)));
        assert_eq!(r.get(5 * CHUNK + 10), None);
        let copy = r.clone();
        r.push(7);
        assert_eq!(copy.end() + 1, r.end());
        assert_eq!(r.partition_point(|&x| x < 4000), 4000);
        assert_eq!(r.iter_from(0).count(), 2 * CHUNK + 11);
        // A range walks the same items as `get` does, either way, across
        // chunks and into the tail, clamped to what is kept.
        for (a, b) in [
            (0, 10),
            (3000, 3 * CHUNK + 5),
            (4000, 5000),
            (4090, 5 * CHUNK + 11),
            (5 * CHUNK, 5 * CHUNK + 3),
            (4100, 4100),
            (9000, 9999),
        ] {
            let by_get: Vec<u64> = (a..b).filter_map(|i| r.get(i).copied()).collect();
            assert_eq!(
                r.range(a, b).copied().collect::<Vec<_>>(),
                by_get,
                "{a}..{b}"
            );
            let mut back: Vec<u64> = r.range(a, b).rev().copied().collect();
            back.reverse();
            assert_eq!(back, by_get, "{a}..{b} backwards");
        }
        assert_eq!(r.range(5000, 4000).count(), 0);
        let mut cleared = r.clone();
        cleared.clear();
        assert_eq!((cleared.first(), cleared.end()), (r.end(), r.end()));
        assert!(cleared.is_empty() && cleared.truncated());
        cleared.push(9);
        assert_eq!(cleared.get(r.end()), Some(&9));
        let mut off: Recent<u8> = Recent::new(0);
        off.push(1);
        assert_eq!(off.end(), 1);
    }
}

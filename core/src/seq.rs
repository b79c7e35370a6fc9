//! `Seq<T>`: an append-mostly sequence that is cheap to clone.
//!
//! Full chunks of `CHUNK` items are shared behind `Arc`, so cloning a
//! sequence of a million entries copies a few hundred pointers, not the
//! entries. The simulator clones whole ensembles for checkpoints (time
//! travel), and every server keeps its txn log and applied history in one of
//! these. Truncation copies at most one chunk. Never panics on a bad index:
//! `get` returns `None`.

use std::sync::Arc;

const CHUNK: usize = 1024;

/// A cheaply clonable sequence (see the module doc).
#[derive(Debug, Clone)]
pub struct Seq<T: Clone> {
    chunks: Vec<Arc<Vec<T>>>,
    tail: Vec<T>,
}

impl<T: Clone> Default for Seq<T> {
    fn default() -> Self {
        Seq {
            chunks: Vec::new(),
            tail: Vec::new(),
        }
    }
}

impl<T: Clone + PartialEq> PartialEq for Seq<T> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().zip(other.iter()).all(|(a, b)| a == b)
    }
}

impl<T: Clone> Seq<T> {
    pub fn new() -> Self {
        Seq::default()
    }

    pub fn len(&self) -> usize {
        self.chunks.len() * CHUNK + self.tail.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn push(&mut self, item: T) {
        self.tail.push(item);
        if self.tail.len() == CHUNK {
            let full = std::mem::replace(&mut self.tail, Vec::with_capacity(CHUNK));
            self.chunks.push(Arc::new(full));
        }
    }

    pub fn get(&self, index: usize) -> Option<&T> {
        let chunk = index / CHUNK;
        if chunk < self.chunks.len() {
            self.chunks[chunk].get(index % CHUNK)
        } else {
            self.tail.get(index - self.chunks.len() * CHUNK)
        }
    }

    pub fn last(&self) -> Option<&T> {
        match self.len() {
            0 => None,
            n => self.get(n - 1),
        }
    }

    /// Keep the first `len` items.
    pub fn truncate(&mut self, len: usize) {
        if len >= self.len() {
            return;
        }
        let keep_chunks = len / CHUNK;
        if keep_chunks < self.chunks.len() {
            let partial = self.chunks[keep_chunks][..len % CHUNK].to_vec();
            self.chunks.truncate(keep_chunks);
            self.tail = partial;
        } else {
            self.tail.truncate(len - keep_chunks * CHUNK);
        }
    }

    pub fn clear(&mut self) {
        self.chunks.clear();
        self.tail.clear();
    }

    /// A copy of the first `len` items (shares the full chunks).
    pub fn prefix(&self, len: usize) -> Seq<T> {
        let mut copy = self.clone();
        copy.truncate(len);
        copy
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &T> + '_ {
        self.chunks
            .iter()
            .flat_map(|c| c.iter())
            .chain(self.tail.iter())
    }

    /// Items from `start` on.
    pub fn iter_from(&self, start: usize) -> impl Iterator<Item = &T> + '_ {
        (start..self.len()).filter_map(move |i| self.get(i))
    }

    /// Index of the first item for which `pred` is false, assuming the
    /// sequence is partitioned (all true, then all false).
    pub fn partition_point(&self, mut pred: impl FnMut(&T) -> bool) -> usize {
        let (mut lo, mut hi) = (0usize, self.len());
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

impl<T: Clone> FromIterator<T> for Seq<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        let mut s = Seq::new();
        for item in iter {
            s.push(item);
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}

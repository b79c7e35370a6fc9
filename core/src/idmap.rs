//! `IdMap<V>`: a map keyed by ids handed out in increasing order (the
//! simulator's `ConnId`s), stored as a run of slots from the oldest id
//! still present to the newest.
//!
//! Contract: the same answers as a `BTreeMap<u64, V>` (`iter` in increasing
//! id order), with a lookup that is an index, not a tree search: the
//! simulator looks a connection up several times for every packet it
//! routes. Leading empty slots are dropped, so the run spans the ids
//! between the oldest live one and the newest (a handful of connections
//! per fault); ids that are never inserted only cost an empty slot while
//! they lie inside that run. Pure data: no order of events depends on it
//! beyond what `BTreeMap` gave.

use std::collections::VecDeque;

/// A map from increasing `u64` ids to values (see the module doc).
#[derive(Debug, Clone)]
pub struct IdMap<V> {
    /// The id of `slots[0]`.
    base: u64,
    slots: VecDeque<Option<V>>,
    len: usize,
}

impl<V> Default for IdMap<V> {
    fn default() -> Self {
        IdMap {
            base: 0,
            slots: VecDeque::new(),
            len: 0,
        }
    }
}

impl<V> IdMap<V> {
    pub fn new() -> Self {
        IdMap::default()
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn at(&self, id: u64) -> Option<usize> {
        let i = id.checked_sub(self.base)?;
        (i < self.slots.len() as u64).then_some(i as usize)
    }

    pub fn get(&self, id: &u64) -> Option<&V> {
        self.at(*id).and_then(|i| self.slots[i].as_ref())
    }

    pub fn get_mut(&mut self, id: &u64) -> Option<&mut V> {
        let i = self.at(*id)?;
        self.slots[i].as_mut()
    }

    pub fn contains_key(&self, id: &u64) -> bool {
        self.get(id).is_some()
    }

    /// The slot of `id`, made if the run does not reach it yet.
    fn slot(&mut self, id: u64) -> &mut Option<V> {
        if self.slots.is_empty() {
            self.base = id;
        }
        while id < self.base {
            self.slots.push_front(None);
            self.base -= 1;
        }
        let i = (id - self.base) as usize;
        while self.slots.len() <= i {
            self.slots.push_back(None);
        }
        &mut self.slots[i]
    }

    /// Inserts `v` at `id`, returning what was there.
    pub fn insert(&mut self, id: u64, v: V) -> Option<V> {
        let old = self.slot(id).replace(v);
        if old.is_none() {
            self.len += 1;
        }
        old
    }

    /// The value at `id`, inserted as `V::default()` if absent
    /// (`BTreeMap::entry(id).or_default()`).
    pub fn get_or_default(&mut self, id: u64) -> &mut V
    where
        V: Default,
    {
        if !self.contains_key(&id) {
            self.len += 1;
        }
        self.slot(id).get_or_insert_with(V::default)
    }

    pub fn remove(&mut self, id: &u64) -> Option<V> {
        let i = self.at(*id)?;
        let old = self.slots[i].take();
        if old.is_some() {
            self.len -= 1;
        }
        while matches!(self.slots.front(), Some(None)) {
            self.slots.pop_front();
            self.base += 1;
        }
        while matches!(self.slots.back(), Some(None)) {
            self.slots.pop_back();
        }
        old
    }

    /// Every (id, value), in increasing id order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (u64, &V)> + '_ {
        let base = self.base;
        self.slots
            .iter()
            .enumerate()
            .filter_map(move |(i, v)| v.as_ref().map(|v| (base + i as u64, v)))
    }

    /// Every id, in increasing order.
    pub fn keys(&self) -> impl DoubleEndedIterator<Item = u64> + '_ {
        self.iter().map(|(id, _)| id)
    }

    /// Every value, in increasing id order.
    pub fn values(&self) -> impl DoubleEndedIterator<Item = &V> + '_ {
        self.iter().map(|(_, v)| v)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::rng::Pcg32;

    #[test]
    fn answers_like_a_btreemap() {
        let mut rng = Pcg32::new(3, 7);
        let mut m: IdMap<u32> = IdMap::new();
        let mut b: BTreeMap<u64, u32> = BTreeMap::new();
        let mut next = 10u64;
        for step in 0..5000u32 {
            match rng.below(5) {
                0 | 1 => {
                    assert_eq!(m.insert(next, step), b.insert(next, step));
                    next += 1 + u64::from(rng.below(3));
                }
                2 => {
                    let id = u64::from(rng.below(next as u32 + 3));
                    assert_eq!(m.remove(&id), b.remove(&id));
                }
                3 => {
                    let id = u64::from(rng.below(next as u32 + 3));
                    *m.get_or_default(id) += 1;
                    *b.entry(id).or_default() += 1;
                }
                _ => {
                    let id = u64::from(rng.below(next as u32 + 3));
                    assert_eq!(m.get(&id), b.get(&id));
                    assert_eq!(m.contains_key(&id), b.contains_key(&id));
                }
            }
            assert_eq!(m.len(), b.len());
            let got: Vec<(u64, u32)> = m.iter().map(|(k, v)| (k, *v)).collect();
            let want: Vec<(u64, u32)> = b.iter().map(|(k, v)| (*k, *v)).collect();
            assert_eq!(got, want);
        }
    }

    #[test]
    fn the_run_spans_only_the_live_ids() {
        let mut m: IdMap<()> = IdMap::new();
        for id in 0..100 {
            m.insert(id, ());
        }
        for id in 0..99 {
            m.remove(&id);
        }
        assert_eq!(m.slots.len(), 1);
        assert_eq!(m.keys().collect::<Vec<_>>(), vec![99]);
        m.remove(&99);
        assert!(m.slots.is_empty() && m.is_empty());
    }
}

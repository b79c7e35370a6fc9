//! The simulator's event queue: events in `(time, class, seq)` order.
//!
//! Contract: `pop` returns the event with the smallest key, exactly the
//! order a `BinaryHeap<Reverse<Scheduled>>` gives (keys are unique: `seq`
//! grows with every push). The heap holds only the key, packed into one
//! `u128`, and a slot number; the events (100+ bytes each) stay put in a
//! slab, so a pop or a push moves 32-byte entries instead of whole events.
//! That is what makes the bare loop cheap (`zablab bench`,
//! `baseline_heap_loop_s`). Cloning it (a checkpoint) clones both.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use super::{Event, Scheduled};

/// `(time, class, seq)` as one number with the same order (class is 0 or
/// 1, seq below 2^63).
fn key(time_ms: u64, class: u8, seq: u64) -> u128 {
    debug_assert!(class <= 1 && seq < 1 << 63);
    ((time_ms as u128) << 64) | ((class as u128) << 63) | seq as u128
}

fn unpack(k: u128) -> (u64, u8, u64) {
    (
        (k >> 64) as u64,
        ((k >> 63) & 1) as u8,
        (k as u64) & ((1 << 63) - 1),
    )
}

/// A heap entry: the packed key and the slot of its event. Ordered by the
/// key alone, reversed (the heap's greatest is the least key): keys are
/// unique, so this is the order of `Reverse((key, slot))` without the
/// tie-break on the slot number that never decides.
#[derive(Debug, Clone, Copy)]
struct Entry {
    key: u128,
    slot: u32,
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}

impl Eq for Entry {}

impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        other.key.cmp(&self.key)
    }
}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[derive(Debug, Clone)]
struct Slot {
    event: Event,
    sent_ms: u64,
}

/// A queued event, seen in place (for the views).
pub(super) struct Queued<'a> {
    pub time_ms: u64,
    pub class: u8,
    pub seq: u64,
    pub event: &'a Event,
    pub sent_ms: u64,
}

#[derive(Debug, Default)]
pub(super) struct Queue {
    heap: BinaryHeap<Entry>,
    slots: Vec<Option<Slot>>,
    free: Vec<u32>,
}

/// A clone holds only the queued events, in a slab as long as the queue
/// (the original's slab keeps the length of its busiest moment).
impl Clone for Queue {
    fn clone(&self) -> Queue {
        let mut slots = Vec::with_capacity(self.heap.len());
        let heap = self
            .heap
            .iter()
            .map(|e| {
                slots.push(self.slots[e.slot as usize].clone());
                Entry {
                    key: e.key,
                    slot: (slots.len() - 1) as u32,
                }
            })
            .collect::<Vec<_>>();
        Queue {
            // The heap's own order is kept: the entries are the same keys in
            // the same places, only the slot numbers differ.
            heap: BinaryHeap::from(heap),
            slots,
            free: Vec::new(),
        }
    }
}

impl Queue {
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    pub fn push(&mut self, s: Scheduled) {
        let slot = Slot {
            event: s.event,
            sent_ms: s.sent_ms,
        };
        let at = match self.free.pop() {
            Some(i) => {
                self.slots[i as usize] = Some(slot);
                i
            }
            None => {
                self.slots.push(Some(slot));
                (self.slots.len() - 1) as u32
            }
        };
        self.heap.push(Entry {
            key: key(s.time_ms, s.class, s.seq),
            slot: at,
        });
    }

    pub fn pop(&mut self) -> Option<Scheduled> {
        let Entry { key: k, slot: at } = self.heap.pop()?;
        let slot = self.slots[at as usize]
            .take()
            .expect("a queued slot holds its event");
        self.free.push(at);
        let (time_ms, class, seq) = unpack(k);
        Some(Scheduled {
            time_ms,
            class,
            seq,
            event: slot.event,
            sent_ms: slot.sent_ms,
        })
    }

    fn view(&self, k: u128, at: u32) -> Queued<'_> {
        let (time_ms, class, seq) = unpack(k);
        let slot = self.slots[at as usize]
            .as_ref()
            .expect("a queued slot holds its event");
        Queued {
            time_ms,
            class,
            seq,
            event: &slot.event,
            sent_ms: slot.sent_ms,
        }
    }

    /// The next event to pop.
    pub fn peek(&self) -> Option<Queued<'_>> {
        self.heap.peek().map(|e| self.view(e.key, e.slot))
    }

    /// The time of the next event.
    pub fn next_time_ms(&self) -> Option<u64> {
        self.heap.peek().map(|e| (e.key >> 64) as u64)
    }

    /// Every queued event, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = Queued<'_>> + '_ {
        self.heap.iter().map(|e| self.view(e.key, e.slot))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_order_like_the_tuples() {
        let tuples = [
            (0, 0, 5),
            (0, 1, 0),
            (1, 0, 9),
            (1, 1, 1),
            (u64::MAX, 1, (1 << 63) - 1),
        ];
        for w in tuples.windows(2) {
            let (a, b) = (w[0], w[1]);
            assert!(key(a.0, a.1, a.2) < key(b.0, b.1, b.2), "{a:?} {b:?}");
        }
        for t in tuples {
            assert_eq!(unpack(key(t.0, t.1, t.2)), t);
        }
    }

    #[test]
    fn pops_in_key_order_and_reuses_slots() {
        let mut q = Queue::default();
        let mut seq = 0;
        let mut push = |q: &mut Queue, t: u64, class: u8| {
            seq += 1;
            q.push(Scheduled {
                time_ms: t,
                class,
                seq,
                event: Event::ExpectDeadline(seq as usize),
                sent_ms: 0,
            });
        };
        for (t, c) in [(5, 1), (3, 1), (5, 0), (3, 1), (9, 0)] {
            push(&mut q, t, c);
        }
        assert_eq!(q.next_time_ms(), Some(3));
        let order: Vec<(u64, u8, u64)> = std::iter::from_fn(|| q.pop())
            .map(|s| (s.time_ms, s.class, s.seq))
            .collect();
        assert_eq!(
            order,
            [(3, 1, 2), (3, 1, 4), (5, 0, 3), (5, 1, 1), (9, 0, 5)]
        );
        push(&mut q, 1, 1);
        assert_eq!(q.slots.len(), 5, "a freed slot is reused");
        assert_eq!(q.len(), 1);
        push(&mut q, 0, 1);
        let mut copy = q.clone();
        assert_eq!(copy.slots.len(), 2, "a clone holds only what is queued");
        let a: Vec<u64> = std::iter::from_fn(|| q.pop()).map(|s| s.seq).collect();
        let b: Vec<u64> = std::iter::from_fn(|| copy.pop()).map(|s| s.seq).collect();
        assert_eq!(a, b);
    }
}

//! Each delivery against the committed order and the proposals: a server
//! delivers only what a leader proposed (Integrity), in the one committed
//! order (PrefixConsistency, Agreement, TotalOrder), an epoch's txns in
//! their proposal order (LocalPrimaryOrder) and no older epoch after a
//! newer (GlobalPrimaryOrder). Deliveries are checked incrementally; a
//! server whose delivered sequence was rebuilt is checked from the start.
//!
//! It extends the committed order G and never reads a server beyond its
//! observation.

use super::{Checker, Ctx, ServerObs};
use crate::txn::TxnId;
use crate::zxid::Zxid;

impl Checker {
    /// The deliveries of one server since its last check (all of them when
    /// its history was rebuilt).
    pub(super) fn deliveries(&mut self, ctx: &Ctx, s: &ServerObs<'_>, slot: usize) {
        let p = self.progress[slot].1;
        let mut start = p.checked;
        let end = s.delivered.min(s.applied.len());
        if start == end && start > 0 && start <= s.delivered {
            // Nothing new, unless the history was rebuilt under the same
            // length (restart, SNAP): then it is checked from the start.
            if s.applied.get(start - 1).copied() == p.last {
                return;
            }
        }
        let rebuilt =
            start > s.delivered || (start > 0 && s.applied.get(start - 1).copied() != p.last);
        if rebuilt {
            // From the start, or from where the records are still held
            // (below both floors it was checked already: `sim/compact.rs`).
            start = s.applied.floor().max(self.committed.floor());
        }
        for pos in start..end {
            let Some(t) = s.applied.get(pos).copied() else {
                break;
            };
            self.check_delivery(ctx, s, pos, t, !rebuilt);
        }
        let last = if end > 0 {
            s.applied.get(end - 1).copied()
        } else {
            None
        };
        let p = &mut self.progress[slot].1;
        p.checked = end;
        p.last = last;
    }

    /// One delivery at position `pos`; `new` is false when a rebuilt
    /// history is re-checked (then only its agreement with G counts).
    fn check_delivery(&mut self, ctx: &Ctx, s: &ServerObs<'_>, pos: usize, t: TxnId, new: bool) {
        let sid = s.sid;
        if !self.proposed(&t) {
            self.fire(
                ctx,
                "Integrity",
                vec![sid],
                vec![t.zxid],
                format!("server {sid} delivered {} that no leader proposed", t.zxid),
            );
        }
        if new {
            self.primary_order(ctx, s, pos, t);
        }
        self.against_committed(ctx, sid, pos, t);
    }

    /// GlobalPrimaryOrder (no older epoch after a newer) and
    /// LocalPrimaryOrder (the txn proposed before it in its epoch was
    /// delivered before it).
    fn primary_order(&mut self, ctx: &Ctx, s: &ServerObs<'_>, pos: usize, t: TxnId) {
        let sid = s.sid;
        let (e, c) = (t.zxid.epoch(), t.zxid.counter());
        if pos > 0 {
            if let Some(prev) = s.applied.get(pos - 1) {
                if prev.zxid.epoch() > e {
                    self.fire(
                        ctx,
                        "GlobalPrimaryOrder",
                        vec![sid],
                        vec![prev.zxid, t.zxid],
                        format!(
                            "server {sid} delivered {} (epoch {e}) after {} of a later epoch",
                            t.zxid, prev.zxid
                        ),
                    );
                }
            }
        }
        if c > 1 {
            let before = Zxid::new(e, c - 1);
            let was_proposed = self
                .proposals
                .get(&e)
                .is_some_and(|s| s.len() >= (c - 1) as usize);
            if was_proposed && !delivered_before(s, pos, before) {
                self.fire(
                    ctx,
                    "LocalPrimaryOrder",
                    vec![sid],
                    vec![before, t.zxid],
                    format!("server {sid} delivered {} without first delivering {before}, proposed before it by the same leader", t.zxid),
                );
            }
        }
    }

    /// The delivery against G at the same position: the same txn, or a
    /// disagreement (PrefixConsistency, then Agreement when the txn is not
    /// in G at all, TotalOrder when it is elsewhere); a delivery just past
    /// G's end extends it.
    fn against_committed(&mut self, ctx: &Ctx, sid: u32, pos: usize, t: TxnId) {
        match self.committed.get(pos).copied() {
            Some(g) if g == t => {}
            Some(g) => {
                self.fire(
                    ctx,
                    "PrefixConsistency",
                    vec![sid],
                    vec![g.zxid, t.zxid],
                    format!(
                        "server {sid} delivered {} at position {pos}, where {} was delivered",
                        t.zxid, g.zxid
                    ),
                );
                match self.committed_index(&t) {
                    None => self.fire(
                        ctx,
                        "Agreement",
                        vec![sid],
                        vec![g.zxid, t.zxid],
                        format!("server {sid} delivered {} but not {}; whoever delivered {} did not deliver {}", t.zxid, g.zxid, g.zxid, t.zxid),
                    ),
                    Some(q) => self.fire(
                        ctx,
                        "TotalOrder",
                        vec![sid],
                        vec![g.zxid, t.zxid],
                        format!("server {sid} delivered {} at position {pos}, others delivered it at position {q}", t.zxid),
                    ),
                }
            }
            None if pos == self.committed.len() => self.committed.push(t),
            None => {}
        }
    }
}

/// Whether `s` delivered `before` (the zxid just below the one at `pos`)
/// before position `pos`: where a binary search over `applied` for the
/// first zxid not below `before` lands, if that is below `pos` and holds
/// `before`. When every zxid is above the one before it, that is exactly
/// whether `pos - 1` holds `before` (no zxid lies between `before` and the
/// one at `pos`), read without the search.
fn delivered_before(s: &ServerObs<'_>, pos: usize, before: Zxid) -> bool {
    let searched = || {
        let i = s.applied.partition_point(|x| x.zxid < before);
        i < pos && s.applied.get(i).is_some_and(|x| x.zxid == before)
    };
    if s.applied_increasing {
        let read = pos > 0 && s.applied.get(pos - 1).is_some_and(|x| x.zxid == before);
        // Tests: every run's every delivery confirms the shortcut.
        #[cfg(test)]
        assert_eq!(
            read,
            searched(),
            "delivered_before at {pos} of server {}",
            s.sid
        );
        return read;
    }
    searched()
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{id, proposed, run, Fake};
    use crate::server::GhostEvent;

    #[test]
    fn prefix_consistency_and_agreement_fire_on_divergent_deliveries() {
        let a = [id(1, 1, 1), id(1, 2, 2)];
        let b = [id(1, 1, 1), id(1, 2, 9)];
        let mut g = proposed(&a);
        g.push((
            2,
            GhostEvent::Proposed {
                epoch: 1,
                txn: b[1],
            },
        ));
        let v = run(&g, &[&Fake::new(1, &a, 2), &Fake::new(2, &b, 2)]);
        assert!(v.contains(&"PrefixConsistency".to_string()), "{v:?}");
        assert!(v.contains(&"Agreement".to_string()), "{v:?}");
    }

    #[test]
    fn total_order_fires_on_the_same_txns_in_another_order() {
        let a = [id(1, 1, 1), id(1, 2, 2)];
        let b = [id(1, 2, 2), id(1, 1, 1)];
        let v = run(&proposed(&a), &[&Fake::new(1, &a, 2), &Fake::new(2, &b, 2)]);
        assert!(v.contains(&"TotalOrder".to_string()), "{v:?}");
    }

    #[test]
    fn integrity_fires_on_an_unproposed_delivery() {
        let a = [id(1, 1, 1)];
        let v = run(&[], &[&Fake::new(1, &a, 1)]);
        assert_eq!(v, vec!["Integrity".to_string()]);
    }

    #[test]
    fn local_primary_order_fires_on_a_skipped_proposal() {
        let all = [id(1, 1, 1), id(1, 2, 2), id(1, 3, 3)];
        let skip = [id(1, 1, 1), id(1, 3, 3)];
        let v = run(&proposed(&all), &[&Fake::new(1, &skip, 2)]);
        assert!(v.contains(&"LocalPrimaryOrder".to_string()), "{v:?}");
    }

    #[test]
    fn global_primary_order_fires_on_an_older_epoch_after_a_newer() {
        let a = [id(2, 1, 1), id(1, 1, 2)];
        let v = run(&proposed(&a), &[&Fake::new(1, &a, 2)]);
        assert!(v.contains(&"GlobalPrimaryOrder".to_string()), "{v:?}");
    }
}

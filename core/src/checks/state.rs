//! The servers' states after an event: two leaders of one epoch
//! (Leadership1), a server's own epochs and disk sanity (LocalSanity), a
//! leader whose acceptedEpoch is below an epoch it announced
//! (LeaderPromise), a BROADCAST follower that delivered an older-epoch txn
//! its leader lacks (PrimaryIntegrity). With one changed server only what
//! involves it is evaluated, in the order checking everything would use.
//!
//! Observation only; it never extends the committed order.

use super::{broadcast_leader, leading, Checker, Ctx, ServerObs};
use crate::proto::{Sid, ZabState};
use crate::zxid::Zxid;

impl Checker {
    /// Every check of one server's own state (LocalSanity, LeaderPromise).
    fn own_state(&mut self, ctx: &Ctx, s: &ServerObs<'_>) {
        if s.accepted_epoch < s.current_epoch {
            self.fire(
                ctx,
                "LocalSanity",
                vec![s.sid],
                vec![],
                format!(
                    "server {}: acceptedEpoch {} < currentEpoch {}",
                    s.sid, s.accepted_epoch, s.current_epoch
                ),
            );
        }
        // LeaderPromise (ZOOKEEPER-1291): a leader persists
        // acceptedEpoch := e before any handler announces e, so after a
        // restart it can never promise an epoch it already proposed.
        if let Some(&e) = self.announced.get(&s.sid) {
            if s.accepted_epoch < e {
                self.fire(
                    ctx,
                    "LeaderPromise",
                    vec![s.sid],
                    vec![Zxid::epoch_start(e)],
                    format!(
                        "server {} announced epoch {e} in LEADERINFO but its acceptedEpoch is {}",
                        s.sid, s.accepted_epoch
                    ),
                );
            }
        }
        if s.non_increasing_appends > 0 {
            self.fire(
                ctx,
                "LocalSanity",
                vec![s.sid],
                vec![],
                format!(
                    "server {}: a zxid was logged that is not above the previous one",
                    s.sid
                ),
            );
        }
        if s.rollover_appends > 0 {
            self.fire(
                ctx,
                "LocalSanity",
                vec![s.sid],
                vec![],
                format!("server {}: a txn with counter 0xffffffff was logged", s.sid),
            );
        }
        if s.apply_mismatches > 0 {
            self.fire(
                ctx,
                "LocalSanity",
                vec![s.sid],
                vec![],
                format!("server {}: a txn did not fit its data tree", s.sid),
            );
        }
    }

    /// Leadership1 over every server: two leaders of one epoch.
    fn leadership1<'a>(&mut self, ctx: &Ctx, n: usize, obs: &dyn Fn(usize) -> ServerObs<'a>) {
        let mut leaders: Vec<(u32, Sid)> = Vec::new();
        for s in (0..n).map(obs) {
            if leading(&s).is_some() {
                match leaders.iter_mut().find(|(e, _)| *e == s.current_epoch) {
                    Some((_, other)) => {
                        let o = *other;
                        *other = s.sid;
                        self.fire(
                            ctx,
                            "Leadership1",
                            vec![o, s.sid],
                            vec![Zxid::epoch_start(s.current_epoch)],
                            format!(
                                "servers {o} and {} both lead epoch {}",
                                s.sid, s.current_epoch
                            ),
                        );
                    }
                    None => leaders.push((s.current_epoch, s.sid)),
                }
            }
        }
    }

    /// The state checks with every server changed (the reference order:
    /// Leadership1, each server's own state, PrimaryIntegrity).
    pub(super) fn state_checks_all<'a>(
        &mut self,
        ctx: &Ctx,
        n: usize,
        obs: &dyn Fn(usize) -> ServerObs<'a>,
    ) {
        if !self.leadership1_fired {
            self.leadership1(ctx, n, obs);
        }
        for s in (0..n).map(obs) {
            self.own_state(ctx, &s);
        }
        // PrimaryIntegrity: a BROADCAST follower has delivered no older-epoch
        // txn its BROADCAST leader lacks.
        for l in (0..n).map(obs) {
            if broadcast_leader(&l).is_some() {
                for f in (0..n).map(obs) {
                    self.primary_integrity(ctx, &l, &f);
                }
            }
        }
        for s in (0..n).map(obs) {
            let slot = self.slot(s.sid);
            let p = &mut self.progress[slot].1;
            p.leading = leading(&s);
            p.broadcast_leader = broadcast_leader(&s);
        }
    }

    /// Everything after an event that changed server `i` only. The other
    /// servers are as they were at the previous check, where every property
    /// held (or had fired already), so only what involves `i` can newly
    /// fail, and it is reported in the order `state_checks_all` would:
    /// - Leadership1 only when `i` starts leading an epoch;
    /// - PrimaryIntegrity with `i` as the leader only when its epoch or
    ///   delivered count changed, with `i` as a follower for its leader.
    pub(super) fn check_one<'a>(
        &mut self,
        ctx: &Ctx,
        n: usize,
        obs: &dyn Fn(usize) -> ServerObs<'a>,
        i: usize,
    ) {
        let s = obs(i);
        let slot = self.slot(s.sid);
        self.deliveries(ctx, &s, slot);
        let lead = leading(&s);
        let bl = broadcast_leader(&s);
        let p = &mut self.progress[slot].1;
        let (was_leading, was_bl) = (p.leading, p.broadcast_leader);
        p.leading = lead;
        p.broadcast_leader = bl;
        if !self.leadership1_fired && lead.is_some() && lead != was_leading {
            self.leadership1(ctx, n, obs);
        }
        self.own_state(ctx, &s);
        if bl.is_some() {
            if bl != was_bl {
                for f in (0..n).map(obs) {
                    self.primary_integrity(ctx, &s, &f);
                }
            }
        } else if let (true, ZabState::Broadcast, Some(leader)) = (s.up, s.zab_state, s.following) {
            if let Some(l) = self.find_leader(n, obs, leader) {
                if broadcast_leader(&l).is_some() {
                    self.primary_integrity(ctx, &l, &s);
                }
            }
        }
    }

    /// The observation of server `leader`: where the leader was last time
    /// (the usual case), else by binary search, the servers being sorted by
    /// sid (the simulator's order).
    fn find_leader<'a>(
        &mut self,
        n: usize,
        obs: &dyn Fn(usize) -> ServerObs<'a>,
        leader: Sid,
    ) -> Option<ServerObs<'a>> {
        let hint = self.leader_hint;
        let at = if hint < n && obs(hint).sid == leader {
            Some(hint)
        } else {
            let (mut lo, mut hi) = (0, n);
            while lo < hi {
                let mid = lo + (hi - lo) / 2;
                if obs(mid).sid < leader {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            (lo < n).then_some(lo)
        };
        let li = at?;
        let l = obs(li);
        if l.sid != leader {
            return None;
        }
        self.leader_hint = li;
        Some(l)
    }

    /// PrimaryIntegrity for leader `l` and server `f`.
    fn primary_integrity(&mut self, ctx: &Ctx, l: &ServerObs<'_>, f: &ServerObs<'_>) {
        let epoch = l.current_epoch;
        if f.up
            && f.following == Some(l.sid)
            && f.zab_state == ZabState::Broadcast
            && f.current_epoch == epoch
            && f.delivered > l.delivered
        {
            if let Some(t) = f.applied.get(l.delivered) {
                if t.zxid.epoch() < epoch {
                    self.fire(
                        ctx,
                        "PrimaryIntegrity",
                        vec![l.sid, f.sid],
                        vec![t.zxid],
                        format!(
                            "follower {} delivered {} of an older epoch that its leader {} has not",
                            f.sid, t.zxid, l.sid
                        ),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{id, proposed, run, Fake};
    use super::super::Checker;
    use crate::proto::{ServerState, ZabState};
    use crate::server::GhostEvent;

    #[test]
    fn leadership1_fires_on_two_leaders_of_one_epoch() {
        let mut l1 = Fake::new(1, &[], 0);
        l1.state = ServerState::Leading;
        let mut l2 = Fake::new(2, &[], 0);
        l2.state = ServerState::Leading;
        l2.zab = ZabState::Synchronization;
        assert_eq!(run(&[], &[&l1, &l2]), vec!["Leadership1".to_string()]);
        l2.epochs = (2, 2);
        assert!(run(&[], &[&l1, &l2]).is_empty());
    }

    #[test]
    fn primary_integrity_fires_when_a_follower_delivered_more_of_an_old_epoch() {
        let a = [id(1, 1, 1), id(1, 2, 2)];
        let mut l = Fake::new(1, &a[..1], 1);
        l.state = ServerState::Leading;
        l.epochs = (2, 2);
        let mut f = Fake::new(2, &a, 2);
        f.epochs = (2, 2);
        f.following = Some(1);
        let v = run(&proposed(&a), &[&l, &f]);
        assert!(v.contains(&"PrimaryIntegrity".to_string()), "{v:?}");
    }

    #[test]
    fn leader_promise_fires_when_an_announced_epoch_is_not_accepted() {
        let g = vec![(1, GhostEvent::Announced { epoch: 2 })];
        let mut l = Fake::new(1, &[], 0);
        l.state = ServerState::Leading;
        l.epochs = (2, 1);
        assert!(run(&g, &[&l]).is_empty());
        // The same announcement from a leader whose acceptedEpoch is still 1
        // (it crashed before persisting it).
        l.epochs = (1, 1);
        let mut c = Checker::new();
        c.after_event(0, 0, &[l.obs()], &g);
        assert_eq!(c.violations[0].property, "LeaderPromise");
        assert_eq!(c.violations[0].servers, vec![1]);
    }

    #[test]
    fn local_sanity_fires() {
        let mut f = Fake::new(1, &[], 0);
        f.epochs = (1, 2);
        assert_eq!(run(&[], &[&f]), vec!["LocalSanity".to_string()]);
        let mut f = Fake::new(1, &[], 0);
        f.bad_appends = 1;
        assert_eq!(run(&[], &[&f]), vec!["LocalSanity".to_string()]);
    }
}

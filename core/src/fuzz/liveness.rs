//! The liveness phase of a seed: everything heals, every server restarts
//! except at most a minority of voters; a leader must be established and
//! every running server synced within [`liveness_bound_ms`], then a fresh
//! client's writes must commit within ten ticks (`expect` actions). With
//! recipes, the group membership must converge too.
//!
//! Draws from the main stream after the safety phase, in a fixed order.
//! Never adds a fault.

use super::draw::{pick, range};
use super::schedule::Schedule;
use crate::rng::Pcg32;
use crate::scenario::{Action, ActionKind, Ensemble, Expectation, ServerRef};

/// How long after the heal a leader (and every running server) must be in
/// BROADCAST: the longest FLE notification timeout (60 s), three
/// `initLimit` rounds of discovery and sync, and ten ticks of slack. A
/// server still waiting out its back-off then gets until its next send
/// (`expect`'s election grace, `sim/expect.rs`).
pub fn liveness_bound_ms(e: &Ensemble) -> u64 {
    60_000 + 3 * e.init_limit * e.tick_ms + 10 * e.tick_ms
}

impl Schedule {
    /// Appends the liveness phase; returns the scenario's `until_ms`.
    pub(super) fn liveness(&mut self, r: &mut Pcg32, e: &Ensemble, recipes: bool) -> u64 {
        let tick = self.tick;
        let heal_at = self.safety_ms + tick;
        let keep_down = keep_down(r, &e.participants);
        self.heal_all(heal_at, &keep_down);
        let at = |kind| Action {
            at_ms: heal_at,
            kind,
        };
        let bound = liveness_bound_ms(e);
        for what in [Expectation::Leader, Expectation::AllSynced] {
            self.actions.push(at(ActionKind::Expect {
                what,
                within_ms: bound,
                client: None,
            }));
        }
        if recipes {
            // Clients may need a session timeout and a reconnect round on top.
            self.actions.push(at(ActionKind::Expect {
                what: Expectation::GroupConverged,
                within_ms: bound + 40 * tick,
                client: None,
            }));
        }
        let live_at = heal_at + bound;
        let up: Vec<u32> = self
            .all
            .iter()
            .copied()
            .filter(|s| !keep_down.contains(s))
            .collect();
        // With the zxid counter started near 2^32 every epoch holds only a
        // few dozen txns, and a lock client retaking its lock uses them up:
        // leaders keep stepping down at the rollover, and ZooKeeper then
        // promises another client's writes nothing (20 of the 100,000
        // --recipes seeds failed so, all with this hook). The writes still
        // run; only their commit is not expected.
        let expect_commit = !(recipes && e.initial_zxid_counter != 0);
        let (write_at, within) = self.fresh_client_writes(r, live_at, &up, expect_commit);
        if recipes {
            (write_at + within + tick).max(heal_at + bound + 40 * tick + tick)
        } else {
            write_at + within + tick
        }
    }

    /// At `heal_at`: heal, links and disks back to normal, every server
    /// restarted but `keep_down` (crashed).
    fn heal_all(&mut self, heal_at: u64, keep_down: &[u32]) {
        let at = |kind| Action {
            at_ms: heal_at,
            kind,
        };
        self.actions.push(at(ActionKind::Heal));
        crate::sorting::sort(&mut self.slowed_links);
        self.slowed_links.dedup();
        for &(from, to) in &self.slowed_links {
            self.actions.push(at(ActionKind::SlowLink {
                from,
                to,
                latency_ms: 0,
            }));
        }
        crate::sorting::sort(&mut self.slowed_disks);
        self.slowed_disks.dedup();
        for &s in &self.slowed_disks {
            self.actions.push(at(ActionKind::SlowDisk {
                server: ServerRef::Sid(s),
                fsync_ms: 0,
            }));
        }
        for &s in &self.all {
            self.actions.push(at(if keep_down.contains(&s) {
                ActionKind::Crash {
                    server: ServerRef::Sid(s),
                    power_loss: false,
                }
            } else {
                ActionKind::Restart {
                    server: ServerRef::Sid(s),
                }
            }));
        }
    }

    /// A fresh client `live` on one of the `up` servers at `live_at`, three
    /// writes a tick later and the expectation that they commit; returns
    /// (the writes' time, the expectation's bound).
    fn fresh_client_writes(
        &mut self,
        r: &mut Pcg32,
        live_at: u64,
        up: &[u32],
        expect_commit: bool,
    ) -> (u64, u64) {
        let tick = self.tick;
        self.actions.push(Action {
            at_ms: live_at,
            kind: ActionKind::Connect {
                client: "live".to_string(),
                server: ServerRef::Sid(pick(r, up)),
                session_timeout_ms: Some(20 * tick),
            },
        });
        let write_at = live_at + tick;
        let within = 10 * tick + 2_000;
        self.actions.push(Action {
            at_ms: write_at,
            kind: ActionKind::Write {
                client: Some("live".to_string()),
                count: 3,
                op: None,
                path: None,
                data: None,
                version: None,
            },
        });
        if expect_commit {
            self.actions.push(Action {
                at_ms: write_at,
                kind: ActionKind::Expect {
                    what: Expectation::WritesCommit,
                    within_ms: within,
                    client: Some("live".to_string()),
                },
            });
        }
        (write_at, within)
    }
}

/// In three seeds out of ten, a minority of voters stays down.
fn keep_down(r: &mut Pcg32, participants: &[u32]) -> Vec<u32> {
    let mut keep_down: Vec<u32> = Vec::new();
    if r.below(10) < 3 {
        let voters = participants.len() as u64;
        let n = range(r, 1, (voters - 1) / 2) as usize;
        while keep_down.len() < n {
            let s = pick(r, participants);
            if !keep_down.contains(&s) {
                keep_down.push(s);
            }
        }
        crate::sorting::sort(&mut keep_down);
    }
    keep_down
}

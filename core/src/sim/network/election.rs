//! The election port (`QuorumCnxManager`): one TCP connection per pair of
//! servers carrying FastLeaderElection's notifications.
//!
//! Contract:
//! - FIFO per ordered pair (`election_arrival`); a notification to oneself
//!   goes straight into one's own queue; to a server that is down it is not
//!   delivered and the sender logs `Cannot open channel to …`
//!   (`QuorumCnxManager.connectOne`).
//! - A cut is silence, not a closed connection: the connections outlive
//!   any partition (`QuorumCnxManager.RecvWorker` sets `setSoTimeout(0)`,
//!   "OK to wait until socket disconnects while reading", and
//!   `zookeeper.tcpKeepAlive` is off by default), so what a `SendWorker`
//!   wrote across a cut waits in TCP's retransmission (`election_held`).
//!   After the cut heals it is delivered, in order, once the connection
//!   carries data again: at the first retransmission of either direction
//!   (one connection serves both; TCP doubles its retransmission timeout
//!   from 200 ms, Linux's minimum, up to 120 s, counted from the first
//!   segment that was held), as a real ensemble showed (`wake_at`). A
//!   crash of either end closes the connection and what it held is gone,
//!   also what a heal released that has not left the sender yet (at its
//!   retransmission) and what queued behind it (`election_buffered`).
//! - A `drop`ped notification is not lost: the reset connection costs two
//!   more latencies, and the `SendWorker` on the new connection resends
//!   its last message.
//! - Not modelled: who dials whom, the smaller sid's connection being
//!   dropped, the receiver's queue of 100, a later cut catching what was
//!   already retransmitted, and a fresh notification (nothing held its
//!   way) waking the other direction's held data before its back-off.
//! - Draws only through `latency`, once per notification put on the wire
//!   (twice for a dropped one), in send order; a release draws for each
//!   held notification in pair order, then send order.

use std::collections::VecDeque;

use crate::proto::{Notification, Sid};
use crate::server::Input;
use crate::sim::{Event, Simulation};

/// Notifications held on one election connection across a cut, at most:
/// a bound of the model's, to keep memory bounded (a real socket's send
/// buffer holds more). Beyond it the newest replaces the last, as the
/// `SendWorker`'s queue of one does once the socket blocks.
const HELD_MAX: usize = 64;

/// TCP's first retransmission timeout and its ceiling (Linux's
/// `TCP_RTO_MIN` and `TCP_RTO_MAX`).
const RTO_MIN_MS: u64 = 200;
const RTO_MAX_MS: u64 = 120_000;

/// What one election connection holds at a cut.
#[derive(Debug, Clone, Default)]
pub(in crate::sim) struct HeldNotes {
    /// When the first held notification was written (the retransmission
    /// timer runs from there).
    since_ms: u64,
    notes: VecDeque<Notification>,
}

impl HeldNotes {
    /// The waiting notifications, oldest first.
    pub(in crate::sim) fn iter(&self) -> impl Iterator<Item = &Notification> {
        self.notes.iter()
    }
}

/// When TCP next retransmits, at or after `now`, data held since
/// `since`: `since + 200 + 400 + 800 + …`, each step at most 120 s.
fn next_retransmission(since: u64, now: u64) -> u64 {
    let (mut t, mut rto) = (since + RTO_MIN_MS, RTO_MIN_MS);
    while t < now {
        rto = (rto * 2).min(RTO_MAX_MS);
        t += rto;
    }
    t
}

impl Simulation {
    /// A notification from `sid` to `to`: to itself at once, across the
    /// network after a latency; held while a cut separates them.
    pub(in crate::sim) fn send_notification(
        &mut self,
        sid: Sid,
        inc: u32,
        to: Sid,
        n: Notification,
    ) {
        self.messages += 1;
        let now = self.now_ms;
        if to == sid {
            self.schedule(
                now,
                Event::Server {
                    sid,
                    inc,
                    input: Input::Election(n),
                },
            );
            return;
        }
        let Ok(j) = self.idx(to) else { return };
        if !self.nodes[j].up {
            self.obs_channel_refused(sid, to);
            return;
        }
        if self.cut(sid, to) {
            let held = self.election_held.entry((sid, to)).or_insert(HeldNotes {
                since_ms: now,
                notes: VecDeque::new(),
            });
            if held.notes.len() >= HELD_MAX {
                held.notes.pop_back();
            }
            held.notes.push_back(n);
            return;
        }
        self.put_notification(sid, to, n, now);
    }

    /// Puts a notification on the wire from `sid` to `to` at `not_before`
    /// or later: it arrives one latency after, FIFO per pair.
    fn put_notification(&mut self, sid: Sid, to: Sid, n: Notification, not_before: u64) {
        let Ok(j) = self.idx(to) else { return };
        let tinc = self.nodes[j].inc;
        let mut lat = self.latency(sid, to);
        if self.drop_next.remove(&(sid, to)) {
            lat += 2 * self.latency(sid, to);
        }
        let last = self.election_arrival.get(&(sid, to)).copied().unwrap_or(0);
        let at = (not_before + lat).max(last);
        self.election_arrival.insert((sid, to), at);
        if at > self.now_ms + lat {
            if let Ok(i) = self.idx(sid) {
                let inc = self.nodes[i].inc;
                self.election_buffered.insert(self.next_seq, (sid, inc));
            }
        }
        self.schedule(
            at,
            Event::Server {
                sid: to,
                inc: tinc,
                input: Input::Election(n),
            },
        );
    }

    /// Notifications held at a cut that no longer exists go on, in order,
    /// at the connection's next retransmission.
    pub(in crate::sim) fn release_election_held(&mut self) {
        let pairs: Vec<(Sid, Sid)> = self
            .election_held
            .keys()
            .copied()
            .filter(|&(a, b)| !self.cut(a, b))
            .collect();
        let now = self.now_ms;
        let ats: Vec<u64> = pairs.iter().map(|&p| self.wake_at(p, now)).collect();
        for (pair, at) in pairs.into_iter().zip(ats) {
            let Some(held) = self.election_held.remove(&pair) else {
                continue;
            };
            for n in held.notes {
                self.put_notification(pair.0, pair.1, n, at);
            }
        }
    }

    /// When the connection between `pair.0` and `pair.1` carries data
    /// again after a heal at `now`: the first retransmission of either
    /// direction that is no longer cut. One TCP connection serves both
    /// directions (`QuorumCnxManager` keeps one per pair of servers), and
    /// once a segment gets through the other side's held data follows:
    /// on a real 3.8.0 ensemble (docs/PROTOCOL.md §3, "Failures, as TCP
    /// shows them") the majority's notifications, held since 13 s before
    /// the heal, reached the isolated ex-leader 0.47 s after the heal,
    /// 8 ms after it wrote to them again (its own back-off, held since
    /// 12.2 s before the heal, was due then), not at their own back-off
    /// 12 s later.
    fn wake_at(&self, (a, b): (Sid, Sid), now: u64) -> u64 {
        [(a, b), (b, a)]
            .into_iter()
            .filter(|&(x, y)| !self.cut(x, y))
            .filter_map(|d| self.election_held.get(&d))
            .map(|h| next_retransmission(h.since_ms, now))
            .min()
            .unwrap_or(now)
    }

    /// `sid` was killed: its election connections close, and what they
    /// held is gone, also what a heal released that has not left yet
    /// ([`Simulation::lost_with_its_sender`]); a new connection keeps no
    /// order with the old one.
    pub(in crate::sim) fn drop_election_held(&mut self, sid: Sid) {
        self.election_held.retain(|&(a, b), _| a != sid && b != sid);
        self.election_arrival
            .retain(|&(a, b), _| a != sid && b != sid);
    }

    /// Whether the event `seq` is a notification that was still in its
    /// sender's TCP buffer when the sender was killed.
    pub(in crate::sim) fn lost_with_its_sender(&mut self, seq: u64) -> bool {
        let Some((sid, inc)) = self.election_buffered.remove(&seq) else {
            return false;
        };
        self.idx(sid).is_ok_and(|i| self.nodes[i].inc != inc)
    }
}

#[cfg(test)]
mod tests {
    use super::next_retransmission;
    use crate::scenario::Scenario;
    use crate::sim::Simulation;

    /// The leader of three is cut off for 23 s, then the cut heals. On a
    /// real 3.8.0 ensemble (same shape) it was `Mode: follower` 0.58 s
    /// after the heal; with each direction waiting for its own back-off it
    /// took 11.7 s in the model (the majority had sent its votes 14 s
    /// before the heal).
    #[test]
    fn a_healed_minority_leader_hears_the_held_votes_at_once() {
        let text = include_str!("../../../../tests/reference/partition-minority-leader.json")
            .replace("\"within_ms\": 10000", "\"within_ms\": 2000");
        assert!(text.contains("\"within_ms\": 2000"));
        let mut sim = Simulation::new(Scenario::from_json(&text).unwrap()).unwrap();
        sim.run_to_end();
        assert!(sim.violations().is_empty(), "{:#?}", sim.violations());
    }

    /// Server 2 writes its votes to 1 across a partition; the heal at 20 s
    /// releases them for the connection's next retransmission (20.5 s),
    /// but 2 is killed at 20.1 s: they die with it (were delivered, 7 of
    /// them, after the kill).
    #[test]
    fn held_votes_released_by_a_heal_die_with_their_sender() {
        let text = r#"{ "zablab": 1, "name": "held notes die with their sender", "seed": 1,
  "ensemble": { "participants": [1, 2, 3] }, "until_ms": 40000,
  "actions": [
    { "at_ms": 0, "do": "start", "servers": [1, 2, 3] },
    { "at_ms": 5000, "do": "partition", "groups": [[1], [2, 3]] },
    { "at_ms": 6000, "do": "crash", "server": 3 },
    { "at_ms": 20000, "do": "heal" },
    { "at_ms": 20100, "do": "crash", "server": 2 } ] }"#;
        let mut sim = Simulation::new(Scenario::from_json(text).unwrap()).unwrap();
        sim.run_to_end();
        let late: Vec<u64> = sim
            .log()
            .iter()
            .filter(|e| e.sid == 1 && e.at_ms > 20_100 && e.text.contains("n.sid:2,"))
            .map(|e| e.at_ms)
            .collect();
        assert!(
            late.is_empty(),
            "server 1 heard the dead server 2 at {late:?}"
        );
    }

    #[test]
    fn retransmissions_back_off_from_200_ms_to_120_s() {
        assert_eq!(next_retransmission(1000, 1000), 1200);
        assert_eq!(next_retransmission(1000, 1200), 1200);
        // 200 + 400 + 800 + 1600 + 3200 + 6400 = 12600
        assert_eq!(next_retransmission(16_334, 25_000), 28_934);
        // 200 ... 102400 = 204600, then steps of 120 s.
        assert_eq!(next_retransmission(0, 204_601), 324_600);
    }
}

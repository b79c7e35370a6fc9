//! Clock skew between servers, from causally paired lines: a receive
//! cannot precede its send.
//!
//! Pairs (ZooKeeper's sync, `LearnerHandler.syncFollower` ↔
//! `Learner.syncWithLeader`):
//! - leader → learner: the leader's `Sending DIFF zxid=Z` / `Sending
//!   TRUNC zxid=Z` and the learner's `Getting a diff from the leader Z` /
//!   `Truncating log … Z` (same learner, mode and zxid); for a SNAP, the
//!   leader's `Synchronizing with Learner sid: N` before its `Sending
//!   snapshot … send zxid of db as Z` (logged after the SNAP is written)
//!   and the learner's `Getting a snapshot from leader Z`; without a send
//!   line (3.8 logs no TRUNC), the leader's `Synchronizing with Learner
//!   sid: N` nearest to the learner's line;
//! - learner → leader: the learner's `Learner received NEWLEADER message`
//!   (then it ACKs) and the leader's `Have quorum of supporters` naming it;
//!   the learner's `Successfully connected to leader` (then FOLLOWERINFO)
//!   and the leader's `Follower sid: N : info`.
//!
//! A leader → learner pair bounds the learner's offset from above, a
//! learner → leader pair from below. The estimate is the smallest
//! correction that makes every pair causal: 0 when the bounds allow it,
//! else the nearer bound; the midpoint when they contradict each other
//! (a clock that jumped). Offsets chain from the reference server (the one
//! with most pairs). Contract: pure, deterministic, never panics.

use std::collections::{BTreeMap, BTreeSet};

use super::model::{EventKind, LogLine, Skew, SkewPair, SyncMode};

/// How far apart (raw ms) a sync's start and the learner's line may be to
/// pair without a send line.
const NEAR_MS: i64 = 60_000;

type Ev<'a> = (usize, &'a EventKind);

/// The events the pairs are made of, by kind, with their lines.
struct Index<'a> {
    lines: &'a [LogLine],
    sent: Vec<Ev<'a>>,
    starts: Vec<Ev<'a>>,
    received: Vec<Ev<'a>>,
    newleader: Vec<Ev<'a>>,
    established: Vec<Ev<'a>>,
    connected: Vec<Ev<'a>>,
    infos: Vec<Ev<'a>>,
}

impl<'a> Index<'a> {
    fn new(lines: &'a [LogLine], evs: &'a [(usize, EventKind)]) -> Index<'a> {
        let of = |f: &dyn Fn(&EventKind) -> bool| -> Vec<Ev> {
            evs.iter()
                .filter(|(_, e)| f(e))
                .map(|(i, e)| (*i, e))
                .collect()
        };
        Index {
            lines,
            sent: of(&|e| matches!(e, EventKind::SyncSent { .. })),
            starts: of(&|e| matches!(e, EventKind::SyncStart { .. })),
            received: of(&|e| matches!(e, EventKind::SyncReceived { .. })),
            newleader: of(
                &|e| matches!(e, EventKind::LearnerReceived { packet } if packet == "NEWLEADER"),
            ),
            established: of(&|e| matches!(e, EventKind::Established { .. })),
            connected: of(&|e| matches!(e, EventKind::ConnectedToLeader { .. })),
            infos: of(&|e| matches!(e, EventKind::LearnerInfo { .. })),
        }
    }

    fn sid(&self, i: usize) -> u32 {
        self.lines[i].sid
    }

    fn t(&self, i: usize) -> i64 {
        self.lines[i].raw_ms
    }

    /// Of `cands`, the line nearest in raw time to `at`.
    fn nearest(&self, cands: impl Iterator<Item = usize>, at: i64) -> Option<usize> {
        cands.min_by_key(|&i| ((self.t(i) - at).abs(), i))
    }

    /// The leader's line that sent what the learner's line `r` received.
    fn send_of(&self, r: usize, mode: SyncMode, zxid: Option<u64>) -> Option<usize> {
        let learner = self.sid(r);
        let by_send = self.nearest(
            self.sent.iter().filter_map(|(s, se)| match se {
                EventKind::SyncSent {
                    learner: l,
                    mode: m,
                    zxid: z,
                    ..
                } if *l == learner && *m == mode && *z == zxid && self.sid(*s) != learner => {
                    Some(*s)
                }
                _ => None,
            }),
            self.t(r),
        );
        let start_of = |l: u32, e: &EventKind| matches!(e, EventKind::SyncStart { learner, .. } if *learner == l);
        let Some(s) = by_send else {
            return self.nearest(
                self.starts
                    .iter()
                    .filter(|(s, se)| {
                        start_of(learner, se)
                            && self.sid(*s) != learner
                            && (self.t(*s) - self.t(r)).abs() <= NEAR_MS
                    })
                    .map(|(s, _)| *s),
                self.t(r),
            );
        };
        if mode != SyncMode::Snap {
            return Some(s);
        }
        // The leader logs `Sending snapshot` after writing the SNAP header
        // (`LearnerHandler.syncFollower`): its sync's start is the send.
        self.starts
            .iter()
            .filter(|(i, se)| *i < s && self.sid(*i) == self.sid(s) && start_of(learner, se))
            .map(|(i, _)| *i)
            .max()
    }

    /// The learner's `NEWLEADER` after its sync `r` (before its next one)
    /// and the leader's `Have quorum` naming it after its send `s`.
    fn newleader_pair(&self, s: usize, r: usize) -> Option<(usize, usize)> {
        let (leader, learner) = (self.sid(s), self.sid(r));
        let next_sync = self
            .received
            .iter()
            .map(|(i, _)| *i)
            .filter(|&i| i > r && self.sid(i) == learner)
            .min();
        let nl = self
            .newleader
            .iter()
            .map(|(i, _)| *i)
            .filter(|&i| i > r && self.sid(i) == learner && next_sync.is_none_or(|n| i < n))
            .min()?;
        let est = self
            .established
            .iter()
            .filter(|(i, e)| {
                *i > s
                    && self.sid(*i) == leader
                    && matches!(e, EventKind::Established { supporters, .. } if supporters.contains(&learner))
            })
            .map(|(i, _)| *i)
            .min()?;
        ((self.t(est) - self.t(nl)).abs() <= NEAR_MS).then_some((nl, est))
    }

    /// The learner's connect before its sync `r` and the leader's
    /// `Follower sid: N : info` before its send `s`.
    fn connect_pair(&self, s: usize, r: usize) -> Option<(usize, usize)> {
        let (leader, learner) = (self.sid(s), self.sid(r));
        let conn = self
            .connected
            .iter()
            .map(|(i, _)| *i)
            .filter(|&i| i < r && self.sid(i) == learner)
            .max()?;
        let info = self
            .infos
            .iter()
            .filter(|(i, e)| {
                *i < s
                    && self.sid(*i) == leader
                    && matches!(e, EventKind::LearnerInfo { learner: l, .. } if *l == learner)
            })
            .map(|(i, _)| *i)
            .max()?;
        ((self.t(info) - self.t(conn)).abs() <= NEAR_MS).then_some((conn, info))
    }
}

/// (sender line, receiver line) pairs.
fn pairs(lines: &[LogLine], evs: &[(usize, EventKind)]) -> Vec<(usize, usize)> {
    let ix = Index::new(lines, evs);
    let mut out = Vec::new();
    for (r, e) in &ix.received {
        let EventKind::SyncReceived { mode, zxid } = e else {
            continue;
        };
        let Some(s) = ix.send_of(*r, *mode, *zxid) else {
            continue;
        };
        out.push((s, *r));
        out.extend(ix.newleader_pair(s, *r));
        out.extend(ix.connect_pair(s, *r));
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// Offsets of every server reached from `reference` through its pairs.
fn chain(
    lines: &[LogLine],
    between: &BTreeMap<(u32, u32), Vec<(usize, usize)>>,
    reference: u32,
) -> BTreeMap<u32, Skew> {
    let mut out: BTreeMap<u32, Skew> = BTreeMap::new();
    out.insert(reference, unpaired(reference, reference));
    let mut queue = std::collections::VecDeque::from([reference]);
    while let Some(x) = queue.pop_front() {
        let off_x = out[&x].offset_ms;
        for (&(a, b), prs) in between {
            let y = if a == x {
                b
            } else if b == x {
                a
            } else {
                continue;
            };
            if out.contains_key(&y) {
                continue;
            }
            // Bounds on off_y - off_x: a pair x→y gives off_y - off_x <= delta,
            // a pair y→x gives off_x - off_y <= delta.
            let (mut lo, mut hi) = (None::<i64>, None::<i64>);
            let mut evidence = Vec::new();
            for &(s, r) in prs {
                let delta = lines[r].raw_ms - lines[s].raw_ms;
                if lines[r].sid == y {
                    hi = Some(hi.map_or(delta, |h| h.min(delta)));
                } else {
                    lo = Some(lo.map_or(-delta, |l| l.max(-delta)));
                }
                evidence.push(SkewPair {
                    send: s,
                    receive: r,
                    delta_ms: delta,
                });
            }
            let rel = match (lo, hi) {
                (Some(l), Some(h)) if l > h => (l + h).div_euclid(2),
                (l, h) => 0i64.max(l.unwrap_or(i64::MIN)).min(h.unwrap_or(i64::MAX)),
            };
            out.insert(
                y,
                Skew {
                    sid: y,
                    reference,
                    offset_ms: off_x + rel,
                    lower_ms: lo.map(|l| off_x + l),
                    upper_ms: hi.map(|h| off_x + h),
                    pairs: evidence,
                },
            );
            queue.push_back(y);
        }
    }
    out
}

fn unpaired(sid: u32, reference: u32) -> Skew {
    Skew {
        sid,
        reference,
        offset_ms: 0,
        lower_ms: None,
        upper_ms: None,
        pairs: Vec::new(),
    }
}

/// Each server's offset against the reference: of the servers with pairs,
/// the one whose clock needs the least correction of the others (sum of
/// offsets), then one that led an epoch, then the lower sid.
pub fn estimate(lines: &[LogLine], evs: &[(usize, EventKind)]) -> Vec<Skew> {
    let sids: BTreeSet<u32> = lines.iter().map(|l| l.sid).collect();
    let Some(&first) = sids.iter().next() else {
        return Vec::new();
    };
    let mut between: BTreeMap<(u32, u32), Vec<(usize, usize)>> = BTreeMap::new();
    for (s, r) in pairs(lines, evs) {
        let (a, b) = (lines[s].sid, lines[r].sid);
        if a != b {
            between
                .entry((a.min(b), a.max(b)))
                .or_default()
                .push((s, r));
        }
    }
    let led: BTreeSet<u32> = evs
        .iter()
        .filter(|(_, e)| matches!(e, EventKind::Established { .. }))
        .map(|(i, _)| lines[*i].sid)
        .collect();
    let paired: BTreeSet<u32> = between.keys().flat_map(|&(a, b)| [a, b]).collect();
    let mut out = paired
        .iter()
        .map(|&r| chain(lines, &between, r))
        .min_by_key(|m| {
            let r = m.values().next().map_or(0, |k| k.reference);
            let cost: i64 = m.values().map(|k| k.offset_ms.abs()).sum();
            (cost, !led.contains(&r), r)
        })
        .unwrap_or_default();
    let reference = out.values().next().map_or(first, |k| k.reference);
    for &s in &sids {
        out.entry(s).or_insert_with(|| unpaired(s, reference));
    }
    out.into_values().collect()
}

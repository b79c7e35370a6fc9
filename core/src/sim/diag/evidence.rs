//! The evidence every family of findings shares: how to say a time or a
//! count, where to look in the servers' logs, the settings a finding
//! cites, and what the simulator knows for sure about the ensemble (who
//! is up, paused or leading, which links are cut or slow, which disks are
//! slow, the faults of the run's history from the scenario's actions).
//!
//! Contract: read-only helpers on `&Simulation`, answering about the state
//! as it is now (or, for the history helpers, as the scenario's actions
//! made it); they build no finding and decide no verdict (the family files
//! beside this one do). The whole `diag` subtree may use them
//! (`pub(super)`); nothing outside it does.

use std::collections::BTreeSet;

use crate::diagnosis::{Link, Setting};
use crate::proto::{ServerState, Sid};
use crate::scenario::{ActionKind, ServerRef};
use crate::server::LeaderState;
use crate::sim::{LogEntry, Simulation};

/// A link this much slower than the network's worst is slow.
pub(super) const SLOW_LINK_MS: u64 = 50;
/// `zookeeper.fastleader.maxNotificationInterval`.
pub(super) const MAX_NOTIFICATION_INTERVAL_MS: u64 = 60_000;

// ----- wording -----

pub(super) fn ms(t: u64) -> String {
    format!("{t} ms")
}

/// `once`, `twice`, `3 times`.
pub(super) fn times(n: u64) -> String {
    match n {
        1 => "once".to_string(),
        2 => "twice".to_string(),
        n => format!("{n} times"),
    }
}

/// The log lines of one server (first line of the text).
pub(super) fn first_line(l: &LogEntry) -> &str {
    l.text.lines().next().unwrap_or("")
}

/// A cut link, as a finding names it.
pub(super) fn cut_link(from: Sid, to: Sid) -> Link {
    Link {
        from,
        to,
        state: "cut",
        latency_ms: None,
    }
}

/// A slow link, as a finding names it.
pub(super) fn slow_link(from: Sid, to: Sid, latency_ms: u64) -> Link {
    Link {
        from,
        to,
        state: "slow",
        latency_ms: Some(latency_ms),
    }
}

/// `1→2, 3→1`.
pub(super) fn arrows(links: &[Link]) -> String {
    let l: Vec<String> = links
        .iter()
        .map(|l| format!("{}→{}", l.from, l.to))
        .collect();
    l.join(", ")
}

// ----- the run's history, from the scenario's actions -----

/// The cut set after action `k` (`Simulation`'s rules: a partition
/// replaces the cuts, a cut adds one, heal clears them).
pub(super) fn apply_cuts(cuts: &mut BTreeSet<(Sid, Sid)>, k: &ActionKind) {
    match k {
        ActionKind::Partition { groups, .. } => {
            cuts.clear();
            for (g, x) in groups.iter().enumerate() {
                for (h, y) in groups.iter().enumerate() {
                    if g != h {
                        for &p in x {
                            for &q in y {
                                cuts.insert((p, q));
                            }
                        }
                    }
                }
            }
        }
        ActionKind::Cut { from, to, .. } => {
            cuts.insert((*from, *to));
        }
        ActionKind::Heal => cuts.clear(),
        _ => {}
    }
}

/// A fault in the run's history, from the scenario's actions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Pause {
    pub(super) sid: Sid,
    pub(super) from: u64,
    pub(super) to: u64,
}

impl Simulation {
    // ----- the servers' logs -----

    /// The newest line of `sid` that starts with `prefix`.
    pub(super) fn last_line(&self, sid: Sid, prefix: &str) -> Option<&LogEntry> {
        self.log
            .iter()
            .rev()
            .find(|l| l.sid == sid && l.text.starts_with(prefix))
    }

    /// The lines of `sid` since `from` that start with `prefix`, oldest
    /// first.
    pub(super) fn lines_since(&self, sid: Sid, from: u64, prefix: &str) -> Vec<&LogEntry> {
        self.log
            .iter()
            .filter(|l| l.sid == sid && l.at_ms >= from && l.text.starts_with(prefix))
            .collect()
    }

    /// When `sid` last stopped (killed, exited or lost power) at or
    /// before `before`, from the run's records (its lines may have rolled
    /// away), and how: "was killed" or "lost power".
    pub(super) fn stopped_at(&self, sid: Sid, before: u64) -> Option<(u64, &'static str)> {
        self.stops
            .iter()
            .rev()
            .find(|r| r.sid == sid && r.at_ms <= before)
            .map(|r| {
                let how = if r.power_loss {
                    "lost power"
                } else {
                    "was killed"
                };
                (r.at_ms, how)
            })
    }

    /// Why `sid` exited at `at`, if the stop at `at` was an exit (not
    /// a kill at another time after an earlier exit).
    fn exit_reason(&self, sid: Sid, at: u64) -> Option<String> {
        let prefix = format!("server {sid} exited: ");
        self.action_errors
            .iter()
            .rev()
            .filter(|e| e.at_ms == at)
            .find_map(|e| e.error.strip_prefix(&prefix).map(str::to_string))
    }

    // ----- the settings a finding cites -----

    pub(super) fn tick(&self) -> u64 {
        self.scenario.ensemble.tick_ms
    }

    pub(super) fn sync_timeout(&self) -> u64 {
        self.scenario.ensemble.sync_limit * self.tick()
    }

    pub(super) fn setting_tick(&self) -> Setting {
        Setting {
            name: "tickTime",
            value: ms(self.tick()),
            why: "the unit of every ZooKeeper timeout".into(),
        }
    }

    pub(super) fn setting_sync_limit(&self, why: &str) -> Setting {
        Setting {
            name: "syncLimit",
            value: format!(
                "{} ticks ({})",
                self.scenario.ensemble.sync_limit,
                ms(self.sync_timeout())
            ),
            why: why.into(),
        }
    }

    pub(super) fn setting_init_limit(&self, why: &str) -> Setting {
        let e = &self.scenario.ensemble;
        Setting {
            name: "initLimit",
            value: format!("{} ticks ({})", e.init_limit, ms(e.init_limit * e.tick_ms)),
            why: why.into(),
        }
    }

    // ----- who is there -----

    /// The voters, in sid order.
    pub(super) fn voters(&self) -> Vec<Sid> {
        let mut v = self.scenario.ensemble.participants.clone();
        crate::sorting::sort(&mut v);
        v
    }

    pub(super) fn quorum(&self) -> usize {
        self.scenario.ensemble.participants.len() / 2 + 1
    }

    pub(super) fn running(&self, sid: Sid) -> bool {
        self.node(sid).is_some_and(|n| n.up && n.server.running)
    }

    /// Started, but it stopped at start-up (`loadDataBase` refused).
    pub(super) fn failed_start(&self, sid: Sid) -> bool {
        self.node(sid)
            .is_some_and(|n| n.up && !n.server.running && n.server.start_failure.is_some())
    }

    pub(super) fn paused(&self, sid: Sid) -> Option<u64> {
        self.node(sid).and_then(|n| n.paused_until)
    }

    /// Up, running and not paused.
    pub(super) fn alive(&self, sid: Sid) -> bool {
        self.running(sid) && self.paused(sid).is_none()
    }

    /// Why `sid` is not there, in a few words (or None when it is).
    pub(super) fn absence(&self, sid: Sid) -> Option<String> {
        if !self.running(sid) {
            return Some(match self.stopped_at(sid, self.now_ms) {
                Some((t, "lost power")) => format!("{sid} is down (power lost at {})", ms(t)),
                Some((t, _)) => match self.exit_reason(sid, t) {
                    Some(r) => format!("{sid} is down (exited at {}: {r})", ms(t)),
                    None => format!("{sid} is down (killed at {})", ms(t)),
                },
                None => match self.node(sid).and_then(|n| n.server.start_failure.clone()) {
                    Some(r) => format!("{sid} failed to start ({r})"),
                    None => format!("{sid} is not started"),
                },
            });
        }
        self.paused(sid)
            .map(|t| format!("{sid} is paused (a GC stall) until {}", ms(t)))
    }

    // ----- leaders -----

    /// The established leader of the newest epoch (a deposed leader may
    /// still say it leads; `Simulation::established_leader` takes the
    /// first in sid order, which the actions' `"leader"` relies on).
    pub(super) fn current_leader(&self) -> Option<Sid> {
        self.nodes
            .iter()
            .filter(|n| n.up && n.server.running && n.server.state == ServerState::Leading)
            .filter_map(|n| {
                n.server
                    .leader()
                    .filter(|l| l.established_ms.is_some())
                    .map(|l| (l.epoch, n.sid))
            })
            .max()
            .map(|(_, sid)| sid)
    }

    pub(super) fn established(&self) -> Option<(Sid, &LeaderState)> {
        let sid = self.current_leader()?;
        self.node(sid)
            .and_then(|n| n.server.leader())
            .map(|l| (sid, l))
    }

    /// The established leader at `t`, from the leader records.
    pub(super) fn leader_at(&self, t: u64) -> Option<Sid> {
        self.leaders
            .iter()
            .rev()
            .find(|l| l.established_ms <= t)
            .map(|l| l.sid)
    }

    // ----- links and disks -----

    /// The latency of link `from`→`to` when it is slow.
    pub(super) fn link_latency_of(&self, from: Sid, to: Sid) -> Option<u64> {
        let worst = self.scenario.network.latency_ms[1];
        self.link_latency
            .get(&(from, to))
            .copied()
            .filter(|&l| l >= worst + SLOW_LINK_MS)
    }

    /// The fsync time of `sid`'s disk when it is slow.
    pub(super) fn fsync_of(&self, sid: Sid) -> Option<u64> {
        let worst = self.scenario.network.fsync_ms[1];
        self.node(sid)
            .and_then(|n| n.fsync_ms)
            .filter(|&f| f > worst)
    }

    pub(super) fn cut_links_among(&self, sids: &[Sid]) -> Vec<Link> {
        self.cuts
            .iter()
            .filter(|(a, b)| sids.contains(a) && sids.contains(b))
            .map(|&(from, to)| cut_link(from, to))
            .collect()
    }

    /// The largest group of usable voters that can all reach each other
    /// (both ways); ties go to the lowest sids.
    pub(super) fn largest_connected_group(&self) -> Vec<Sid> {
        let usable: Vec<Sid> = self
            .voters()
            .into_iter()
            .filter(|&s| self.alive(s))
            .collect();
        let n = usable.len().min(16);
        let mut best: Vec<Sid> = Vec::new();
        for mask in 0u32..(1u32 << n) {
            let group: Vec<Sid> = (0..n)
                .filter(|i| mask & (1 << i) != 0)
                .map(|i| usable[i])
                .collect();
            if group.len() < best.len() {
                continue;
            }
            let ok = group.iter().all(|&a| {
                group.iter().all(|&b| {
                    a == b || (!self.cuts.contains(&(a, b)) && !self.cuts.contains(&(b, a)))
                })
            });
            if ok && (group.len() > best.len() || group < best) {
                best = group;
            }
        }
        best
    }

    // ----- the run's history -----

    /// The scenario's actions in time order, with their index.
    pub(super) fn timeline(&self) -> Vec<(u64, usize, &ActionKind)> {
        let mut v: Vec<(u64, usize, &ActionKind)> = self
            .scenario
            .actions
            .iter()
            .enumerate()
            .filter(|(_, a)| a.at_ms <= self.now_ms)
            .map(|(i, a)| (a.at_ms, i, &a.kind))
            .collect();
        crate::sorting::sort_by_key(&mut v, |x| (x.0, x.1));
        v
    }

    /// The pauses (GC stalls) of the run so far.
    pub(super) fn pauses(&self) -> Vec<Pause> {
        let mut v = Vec::new();
        for (t, _, a) in self.timeline() {
            if let ActionKind::Pause { server, for_ms, .. } = a {
                let sid = match server {
                    ServerRef::Sid(s) => Some(*s),
                    ServerRef::Leader => self.leader_at(t),
                };
                if let Some(sid) = sid {
                    v.push(Pause {
                        sid,
                        from: t,
                        to: t + for_ms,
                    });
                }
            }
        }
        v
    }

    /// Whether nothing from `a` reached `b` at some time in `[from, to]`.
    pub(super) fn cut_during(&self, a: Sid, b: Sid, from: u64, to: u64) -> bool {
        let mut cuts: BTreeSet<(Sid, Sid)> = BTreeSet::new();
        let mut was = false;
        for (t, _, k) in self.timeline() {
            if t > to {
                break;
            }
            if t >= from && cuts.contains(&(a, b)) {
                was = true;
            }
            apply_cuts(&mut cuts, k);
            if t >= from && cuts.contains(&(a, b)) {
                was = true;
            }
        }
        was || cuts.contains(&(a, b))
    }
}

//! The run's faults as episodes: what the scenario (or the user) did to
//! the servers and the network, from the observer's fault records
//! (`sim/observe.rs`, with `"leader"` resolved when the action ran) and the
//! servers that exited: a server down (killed or exited, until it is
//! started again), paused (a GC stall), a partition or one-way cut (until
//! healed or replaced), a slow disk or a slow link (until set back to
//! normal), a dropped message. Each episode has a key (its kind, servers
//! and start: `pause:5@10000`), which the fault's card carries and every
//! finding it explains names as its `cause`.
//!
//! Contract: read-only; an episode list is a pure function of the run so
//! far. Actions of one kind at one instant (three crashes at 8000 ms) are
//! one episode. The `blame_*` helpers answer "which fault explains this?"
//! for a server or a link over a time window, the most recent first; they
//! never guess beyond the faults the run injected. The whole `diag`
//! subtree may use this module, like `evidence`.

use crate::proto::Sid;
use crate::scenario::ActionKind;
use crate::sim::Simulation;

/// What kind of fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Fault {
    Down,
    Paused,
    Partition,
    SlowDisk,
    SlowLink,
    Dropped,
}

impl Fault {
    fn word(self) -> &'static str {
        match self {
            Fault::Down => "down",
            Fault::Paused => "pause",
            Fault::Partition => "partition",
            Fault::SlowDisk => "slow_disk",
            Fault::SlowLink => "slow_link",
            Fault::Dropped => "drop",
        }
    }
}

/// One fault of the run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Episode {
    pub(super) key: String,
    pub(super) kind: Fault,
    /// The servers it hit: down, paused or with a slow disk; both ends of
    /// a slow link or a dropped message; every server on a cut link.
    pub(super) servers: Vec<Sid>,
    /// Directed links: cut (a partition), slow, or the dropped message's.
    pub(super) links: Vec<(Sid, Sid)>,
    /// A partition's groups (empty for one-way cuts).
    pub(super) groups: Vec<Vec<Sid>>,
    pub(super) from: u64,
    /// When it ended; `None` while it is on.
    pub(super) to: Option<u64>,
    /// Down: when each server was started again.
    pub(super) back: Vec<(Sid, Option<u64>)>,
    /// The established leader when it began.
    pub(super) leader: Option<Sid>,
    /// A pause's planned length, a slow link's latency, a slow disk's
    /// fsync time (ms).
    pub(super) figure: u64,
    /// Down: why a server exited (a fatal error, not a kill).
    pub(super) exit: Option<String>,
}

impl Episode {
    fn new(kind: Fault, servers: Vec<Sid>, from: u64, leader: Option<Sid>) -> Episode {
        Episode {
            key: String::new(),
            kind,
            servers,
            links: Vec::new(),
            groups: Vec::new(),
            from,
            to: None,
            back: Vec::new(),
            leader,
            figure: 0,
            exit: None,
        }
    }

    /// On at time `t`.
    pub(super) fn on_at(&self, t: u64) -> bool {
        self.from <= t && self.to.is_none_or(|e| t < e || (e == self.from && t == e))
    }

    /// On at some time in `[from, to]`.
    pub(super) fn overlaps(&self, from: u64, to: u64) -> bool {
        self.from <= to && self.to.is_none_or(|e| e >= from)
    }

    pub(super) fn hits(&self, sid: Sid) -> bool {
        self.servers.contains(&sid)
    }

    /// Whether it cuts, slows or drops traffic between `a` and `b` (either
    /// way).
    pub(super) fn between(&self, a: Sid, b: Sid) -> bool {
        self.links
            .iter()
            .any(|&(x, y)| (x, y) == (a, b) || (x, y) == (b, a))
    }

    /// Whether the leader of the time was among the servers it hit.
    pub(super) fn hit_leader(&self) -> bool {
        self.leader.is_some_and(|l| self.hits(l)) && self.kind != Fault::Partition
    }

    fn finish_key(&mut self) {
        let who = match self.kind {
            Fault::Partition => String::new(),
            Fault::SlowLink | Fault::Dropped => {
                let (a, b) = self.links.first().copied().unwrap_or((0, 0));
                format!(":{a}-{b}")
            }
            _ => {
                let s: Vec<String> = self.servers.iter().map(|x| x.to_string()).collect();
                format!(":{}", s.join(","))
            }
        };
        self.key = format!("{}{who}@{}", self.kind.word(), self.from);
    }
}

/// An event of the fault history: a record of the observer, or an exit.
enum Step<'a> {
    Action(&'a ActionKind, Option<Sid>),
    Exit(Sid, String),
}

impl Simulation {
    /// The run's faults so far, in the order they began.
    pub(super) fn episodes(&self) -> Vec<Episode> {
        let mut steps: Vec<(u64, Option<Sid>, Step)> = self
            .obs
            .faults
            .iter()
            .map(|r| {
                let kind = &self.scenario.actions[r.action].kind;
                (r.at_ms, r.leader, Step::Action(kind, r.sid))
            })
            .collect();
        for e in &self.action_errors {
            let Some(rest) = e.error.strip_prefix("server ") else {
                continue;
            };
            let Some((sid, reason)) = rest.split_once(" exited: ") else {
                continue;
            };
            if let Ok(sid) = sid.parse::<Sid>() {
                steps.push((e.at_ms, None, Step::Exit(sid, reason.to_string())));
            }
        }
        crate::sorting::sort_by_key(&mut steps, |s| s.0);
        let mut b = Builder {
            eps: Vec::new(),
            slow_link_ms: self.scenario.network.latency_ms[1] + super::evidence::SLOW_LINK_MS,
            normal_fsync_ms: self.scenario.network.fsync_ms[1],
        };
        for (t, leader, step) in steps {
            match step {
                Step::Action(kind, sid) => b.action(t, leader, kind, sid),
                Step::Exit(sid, reason) => {
                    b.down(t, leader, sid);
                    if let Some(e) = b.eps.last_mut() {
                        e.exit = Some(reason);
                    }
                }
            }
        }
        let mut eps = b.eps;
        for e in &mut eps {
            e.finish_key();
        }
        eps
    }
}

/// Builds the episodes from the history, in time order.
struct Builder {
    eps: Vec<Episode>,
    slow_link_ms: u64,
    normal_fsync_ms: u64,
}

impl Builder {
    fn open(&mut self, kind: Fault) -> impl Iterator<Item = &mut Episode> {
        self.eps
            .iter_mut()
            .filter(move |e| e.kind == kind && e.to.is_none())
    }

    /// A new episode, or the one of the same kind that began at the same
    /// instant (several servers at once are one fault).
    fn begin(&mut self, kind: Fault, t: u64, leader: Option<Sid>) -> &mut Episode {
        let same = self
            .eps
            .iter()
            .rposition(|e| e.kind == kind && e.from == t && e.to.is_none_or(|x| x > t));
        let i = match same {
            Some(i) => i,
            None => {
                self.eps.push(Episode::new(kind, Vec::new(), t, leader));
                self.eps.len() - 1
            }
        };
        &mut self.eps[i]
    }

    fn down(&mut self, t: u64, leader: Option<Sid>, sid: Sid) {
        // A crash ends a pause.
        for e in self.open(Fault::Paused).filter(|e| e.hits(sid)) {
            e.to = Some(t);
        }
        let e = self.begin(Fault::Down, t, leader);
        if !e.hits(sid) {
            e.servers.push(sid);
            e.back.push((sid, None));
        }
    }

    fn up(&mut self, t: u64, sid: Sid) {
        for e in self.open(Fault::Down).filter(|e| e.hits(sid)) {
            for b in e.back.iter_mut().filter(|b| b.0 == sid) {
                b.1.get_or_insert(t);
            }
            if e.back.iter().all(|b| b.1.is_some()) {
                e.to = e.back.iter().filter_map(|b| b.1).max();
            }
        }
    }

    fn action(&mut self, t: u64, leader: Option<Sid>, kind: &ActionKind, sid: Option<Sid>) {
        match kind {
            ActionKind::Crash { .. } => {
                if let Some(s) = sid {
                    self.down(t, leader, s);
                }
            }
            ActionKind::Restart { .. } => {
                if let Some(s) = sid {
                    self.up(t, s);
                }
            }
            ActionKind::Start { servers } => {
                for &s in servers {
                    self.up(t, s);
                }
            }
            ActionKind::Pause { for_ms, .. } => {
                if let Some(s) = sid {
                    let e = self.begin(Fault::Paused, t, leader);
                    e.servers.push(s);
                    e.figure = *for_ms;
                    e.to = Some(t + for_ms);
                }
            }
            ActionKind::Partition { groups, .. } => {
                for e in self.open(Fault::Partition) {
                    e.to = Some(t);
                }
                let links = cross_links(groups);
                if !links.is_empty() {
                    let e = self.begin(Fault::Partition, t, leader);
                    e.groups = groups.clone();
                    e.links = links;
                    e.servers = servers_of(&e.links);
                }
            }
            ActionKind::Cut { from, to } => {
                let open = self
                    .eps
                    .iter()
                    .rposition(|e| e.kind == Fault::Partition && e.to.is_none());
                let e = match open {
                    Some(i) => &mut self.eps[i],
                    None => self.begin(Fault::Partition, t, leader),
                };
                if !e.links.contains(&(*from, *to)) {
                    e.links.push((*from, *to));
                }
                e.servers = servers_of(&e.links);
            }
            ActionKind::Heal => {
                for e in self.open(Fault::Partition) {
                    e.to = Some(t);
                }
            }
            ActionKind::SlowLink {
                from,
                to,
                latency_ms,
            } => self.slow_link(t, leader, (*from, *to), *latency_ms),
            ActionKind::SlowDisk { fsync_ms, .. } => {
                if let Some(s) = sid {
                    self.slow_disk(t, leader, s, *fsync_ms);
                }
            }
            ActionKind::Drop { from, to } => {
                let mut e = Episode::new(Fault::Dropped, vec![*from, *to], t, leader);
                e.links = vec![(*from, *to)];
                e.to = Some(t);
                self.eps.push(e);
            }
            _ => {}
        }
    }

    fn slow_link(&mut self, t: u64, leader: Option<Sid>, (a, b): (Sid, Sid), latency: u64) {
        let slow = latency >= self.slow_link_ms;
        // The same link set again: a new latency, or back to normal.
        for e in self
            .open(Fault::SlowLink)
            .filter(|e| e.links.contains(&(a, b)))
        {
            if e.from == t && slow {
                continue;
            }
            e.links.retain(|&l| l != (a, b));
            if e.links.is_empty() {
                e.to = Some(t);
            }
        }
        if !slow {
            return;
        }
        // Both directions of one pair at one instant are one slow link.
        let same = self.eps.iter().rposition(|e| {
            e.kind == Fault::SlowLink
                && e.from == t
                && e.to.is_none()
                && e.links.iter().all(|&(x, y)| (x, y) == (b, a))
        });
        let e = match same {
            Some(i) => &mut self.eps[i],
            None => {
                self.eps.push(Episode::new(
                    Fault::SlowLink,
                    vec![a.min(b), a.max(b)],
                    t,
                    leader,
                ));
                self.eps.last_mut().expect("just pushed")
            }
        };
        e.links.push((a, b));
        e.figure = e.figure.max(latency);
    }

    fn slow_disk(&mut self, t: u64, leader: Option<Sid>, sid: Sid, fsync: u64) {
        let slow = fsync > self.normal_fsync_ms;
        let mut still = false;
        for e in self.open(Fault::SlowDisk).filter(|e| e.hits(sid)) {
            if slow {
                // Slower or faster, but still slow: the same episode.
                e.figure = e.figure.max(fsync);
                still = true;
            } else {
                e.to = Some(t);
            }
        }
        if slow && !still {
            let e = self.begin(Fault::SlowDisk, t, leader);
            e.servers.push(sid);
            e.figure = e.figure.max(fsync);
        }
    }
}

/// Every directed link between two groups of a partition.
fn cross_links(groups: &[Vec<Sid>]) -> Vec<(Sid, Sid)> {
    let mut links = Vec::new();
    for (g, x) in groups.iter().enumerate() {
        for (h, y) in groups.iter().enumerate() {
            if g != h {
                for &p in x {
                    for &q in y {
                        links.push((p, q));
                    }
                }
            }
        }
    }
    links
}

fn servers_of(links: &[(Sid, Sid)]) -> Vec<Sid> {
    let mut v: Vec<Sid> = links.iter().flat_map(|&(a, b)| [a, b]).collect();
    crate::sorting::sort(&mut v);
    v.dedup();
    v
}

// ----- which fault explains a finding -----

/// The most recent fault on server `sid` (down, paused or a slow disk) on
/// at some time in `[from, to]`, among `kinds`.
pub(super) fn blame_server<'a>(
    eps: &'a [Episode],
    kinds: &[Fault],
    sid: Sid,
    from: u64,
    to: u64,
) -> Option<&'a Episode> {
    eps.iter()
        .rev()
        .find(|e| kinds.contains(&e.kind) && e.hits(sid) && e.overlaps(from, to))
}

/// The most recent fault between `a` and `b` (a cut, a slow link or a
/// dropped message) on at some time in `[from, to]`.
pub(super) fn blame_link(eps: &[Episode], a: Sid, b: Sid, from: u64, to: u64) -> Option<&Episode> {
    eps.iter().rev().find(|e| {
        matches!(e.kind, Fault::Partition | Fault::SlowLink | Fault::Dropped)
            && e.between(a, b)
            && e.overlaps(from, to)
    })
}

/// The faults that silence a server or a link (it is down, paused, cut
/// off, or lost a message), as against the ones that only slow it (a slow
/// disk or link, which explain a drop only when nothing silenced it).
const SILENCING: [Fault; 4] = [Fault::Down, Fault::Paused, Fault::Partition, Fault::Dropped];

/// What explains trouble between a server `sid` and its peer `peer` in
/// `[from, to]`: the peer down or paused, `sid` itself down or paused (a
/// leader that resumes from a GC stall drops its followers), the link cut
/// or a message dropped; only then something slow (the peer's disk, the
/// link, `sid`'s disk).
pub(super) fn blame_pair(
    eps: &[Episode],
    sid: Sid,
    peer: Sid,
    from: u64,
    to: u64,
) -> Option<String> {
    let stop = [Fault::Paused, Fault::Down];
    let link = |e: &&Episode| SILENCING.contains(&e.kind);
    blame_server(eps, &stop, peer, from, to)
        .or_else(|| blame_server(eps, &stop, sid, from, to))
        .or_else(|| blame_link(eps, sid, peer, from, to).filter(link))
        .or_else(|| blame_server(eps, &[Fault::SlowDisk], peer, from, to))
        .or_else(|| blame_link(eps, sid, peer, from, to))
        .or_else(|| blame_server(eps, &[Fault::SlowDisk], sid, from, to))
        .map(|e| e.key.clone())
}

/// The most recent fault on at some time in `[from, to]` that hit one of
/// `sids` (or a link of one of them): one that silences first, else one
/// that slows.
pub(super) fn blame_any(eps: &[Episode], sids: &[Sid], from: u64, to: u64) -> Option<String> {
    let hit = |e: &&Episode| {
        e.overlaps(from, to)
            && (sids
                .iter()
                .any(|&s| e.hits(s) && e.kind != Fault::Partition)
                || e.links
                    .iter()
                    .any(|&(a, b)| sids.contains(&a) || sids.contains(&b)))
    };
    eps.iter()
        .rev()
        .filter(hit)
        .find(|e| SILENCING.contains(&e.kind))
        .or_else(|| eps.iter().rev().find(hit))
        .map(|e| e.key.clone())
}

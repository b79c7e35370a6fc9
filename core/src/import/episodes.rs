//! The faults an import's lines betray, as episodes both the diagnosis
//! and the replay use: a **crash** (a JVM's log stops without an exit and
//! the server starts again, or its peers' connections to it are refused:
//! `QuorumCnxManager`'s `Cannot open channel to N … Connection refused`),
//! a **pause** (a server silent for longer than syncLimit × tickTime while
//! its peers time out on it — `Follower`'s `Exception when following the
//! leader` or a `LearnerHandler`'s `Read timed out` — and whose first lines
//! after the silence are not its own time-outs: it was not running), and a
//! **partition** (peers time out on each other while both sides keep
//! logging; the sides are the next leader's supporters and the rest).
//!
//! Contract: pure over a [`View`]; an episode cites positions in
//! `View.lines`. What logs cannot tell apart is said, never guessed:
//! ZooKeeper 3.8 logs nothing when it is stopped, so `kill -9` and a
//! plain stop look the same (both are "crash" here, and the wording says
//! so); a pause's start is only bounded (the peers' time-out minus
//! syncLimit × tickTime, not before the server's last line).

use super::evidence::{is_process_start, Est, View};

/// What kind of fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    Crash,
    Pause,
    Partition,
}

/// One fault, with its evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Episode {
    pub fault: Fault,
    /// Crash or pause: the server.
    pub sid: u32,
    /// Best estimate of its start (ms after the first line).
    pub from: u64,
    /// Its end: a crash's restart (its start line), a pause's wake-up
    /// (its first line after the silence), a partition's first contact
    /// across it; `None` while it lasts to the end of the logs.
    pub until: Option<u64>,
    /// Partition: the two sides (the next leader's side first).
    pub groups: Vec<Vec<u32>>,
    /// Partition: who timed out on whom.
    pub pairs: Vec<(u32, u32)>,
    /// The server led when it began.
    pub was_leader: bool,
    /// Crash: position of the last line before it; pause: of the last
    /// line before the silence.
    pub last: usize,
    /// Crash: position of the restart's first line; pause: the wake-up.
    pub next: Option<usize>,
    /// Positions of the lines that show it, most telling first.
    pub cites: Vec<usize>,
    /// Partition: its cut-off side then stopped (its peers timed out on
    /// it, then were refused): a crash while cut off.
    pub then_crashed: bool,
}

/// A peer's time-out or break, read from one line: `(who, on whom, how)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reaction {
    pub pos: usize,
    pub by: u32,
    pub on: u32,
    /// `Read timed out` (a silent peer) rather than EOF/reset/refused.
    pub timed_out: bool,
    /// `Connection refused` (nothing listens: the process is gone).
    pub refused: bool,
}

/// Every line where one server reports losing another.
pub fn reactions(v: &View) -> Vec<Reaction> {
    let mut out = Vec::new();
    for (p, l) in v.lines.iter().enumerate() {
        let timed_out = l.cont.contains("timed out");
        let refused = l.cont.contains("Connection refused");
        let on = if l.text.starts_with("Exception when following the leader")
            || l.text.starts_with("Exception when observing the leader")
        {
            v.leader_of(l.sid, p)
        } else if l.text.starts_with("Unexpected exception in LearnerHandler") {
            v.handler_learner(l.sid, &l.thread, p)
        } else if l.text.starts_with("Cannot open channel to ") {
            super::events::num_after(&l.text, "Cannot open channel to ").map(|n| n as u32)
        } else if l.text.starts_with("Connection broken for id ") {
            super::events::num_after(&l.text, "Connection broken for id ").map(|n| n as u32)
        } else {
            None
        };
        if let Some(on) = on.filter(|&o| o != l.sid) {
            out.push(Reaction {
                pos: p,
                by: l.sid,
                on,
                timed_out,
                refused,
            });
        }
    }
    out
}

/// ZooKeeper's words for a JVM that exits on purpose (`ServiceUtils`).
fn is_clean_exit(text: &str) -> bool {
    text.starts_with("Exiting JVM with code")
}

/// Every episode, in time order.
pub fn episodes(v: &View) -> Vec<Episode> {
    let reacts = reactions(v);
    let mut out = crashes(v, &reacts);
    out.extend(pauses(v, &reacts, &out));
    let p = partitions(v, &reacts, &out);
    out.extend(p);
    crate::sorting::sort_by_key(&mut out, |e| (e.from, e.sid));
    out
}

fn crashes(v: &View, reacts: &[Reaction]) -> Vec<Episode> {
    let runs = v.runs();
    let mut out = Vec::new();
    for (k, r) in runs.iter().enumerate() {
        let next = runs[k + 1..].iter().find(|x| x.sid == r.sid);
        if is_clean_exit(&v.lines[r.last].text) {
            continue;
        }
        let last_at = v.lines[r.last].at;
        let window_end = next.map_or(u64::MAX, |n| v.lines[n.first].at);
        let after: Vec<&Reaction> = reacts
            .iter()
            .filter(|x| x.on == r.sid && x.pos > r.last && v.lines[x.pos].at < window_end)
            .collect();
        let refused = after.iter().any(|x| x.refused);
        // A log that simply ends with everyone's is the end of the
        // evidence, not a crash: without a restart, only peers refused
        // by it say it was gone.
        if next.is_none() && !refused {
            continue;
        }
        let first_react = after.iter().find(|x| !x.refused);
        let mut from = first_react.map_or(last_at, |x| v.lines[x.pos].at.max(last_at));
        // Its peers timed out on it instead of seeing its connections
        // close: it was cut off first, then stopped (a crash closes its
        // sockets at once; a cut leaves them silent).
        if let Some(t) = first_react.filter(|x| x.timed_out) {
            let t_at = v.lines[t.pos].at;
            let cut_from = t_at.saturating_sub(v.settings.sync_timeout()).max(last_at);
            let healed = after
                .iter()
                .find(|x| x.refused && x.pos > t.pos)
                .map(|x| v.lines[x.pos].at);
            from = (cut_from + v.settings.tick()).min(t_at).max(last_at);
            let others: Vec<u32> = v
                .settings
                .participants
                .iter()
                .chain(&v.settings.observers)
                .copied()
                .filter(|&x| x != r.sid)
                .collect();
            let timeouts: Vec<&&Reaction> = after.iter().filter(|x| x.timed_out).collect();
            out.push(Episode {
                fault: Fault::Partition,
                sid: 0,
                from: cut_from,
                until: healed.or(next.map(|n| v.lines[n.first].at)),
                groups: vec![others, vec![r.sid]],
                pairs: timeouts.iter().map(|x| (x.by, x.on)).collect(),
                was_leader: v.leading_at(r.sid, r.last),
                last: r.last,
                next: None,
                cites: timeouts.iter().take(3).map(|x| x.pos).collect(),
                then_crashed: true,
            });
        }
        let mut cites = vec![r.last];
        if let Some(n) = next {
            cites.push(n.first);
        }
        cites.extend(after.iter().filter(|x| !x.refused).take(2).map(|x| x.pos));
        cites.extend(after.iter().filter(|x| x.refused).take(1).map(|x| x.pos));
        out.push(Episode {
            fault: Fault::Crash,
            sid: r.sid,
            from,
            until: next.map(|n| v.lines[n.first].at),
            groups: Vec::new(),
            pairs: Vec::new(),
            was_leader: v.leading_at(r.sid, r.last),
            last: r.last,
            next: next.map(|n| n.first),
            cites,
            then_crashed: false,
        });
    }
    out
}

fn pauses(v: &View, reacts: &[Reaction], crashes: &[Episode]) -> Vec<Episode> {
    let limit = v.settings.sync_timeout();
    let mut out = Vec::new();
    for &sid in &v.sids {
        let own: Vec<usize> = v.of_sid(sid).collect();
        for w in own.windows(2) {
            let (p, q) = (w[0], w[1]);
            let (a, b) = (v.lines[p].at, v.lines[q].at);
            if b - a <= limit || is_process_start(&v.lines[q]) {
                continue;
            }
            if crashes.iter().any(|c| c.sid == sid && c.last == p) {
                continue;
            }
            let inside = |x: &&Reaction| x.on == sid && x.pos > p && x.pos < q;
            let timeouts: Vec<&Reaction> = reacts
                .iter()
                .filter(inside)
                .filter(|x| x.timed_out)
                .collect();
            let refused = reacts.iter().filter(inside).any(|x| x.refused);
            let Some(first) = timeouts.first() else {
                continue;
            };
            // Its own time-outs on waking: it was running, cut off.
            let woke_timing_out = reacts
                .iter()
                .any(|x| x.by == sid && x.timed_out && x.pos >= q && v.lines[x.pos].at <= b + 50);
            if refused || woke_timing_out {
                continue;
            }
            let t = v.lines[first.pos].at;
            let from = t.saturating_sub(limit).max(a);
            let mut cites = vec![p, q];
            cites.extend(timeouts.iter().take(3).map(|x| x.pos));
            if let Some(sd) = (q..v.lines.len()).find(|&x| {
                v.lines[x].sid == sid
                    && v.lines[x].at <= b + limit
                    && v.lines[x].text.starts_with("Shutdown called")
            }) {
                cites.push(sd);
            }
            out.push(Episode {
                fault: Fault::Pause,
                sid,
                from,
                until: Some(b),
                groups: Vec::new(),
                pairs: timeouts.iter().map(|x| (x.by, x.on)).collect(),
                was_leader: v.leading_at(sid, p),
                last: p,
                next: Some(q),
                cites,
                then_crashed: false,
            });
        }
    }
    out
}

/// Whether `sid` logged anything within `slack` of `t`.
fn alive_near(v: &View, sid: u32, t: u64, slack: u64) -> bool {
    v.lines
        .iter()
        .any(|l| l.sid == sid && l.at + slack >= t && l.at <= t + slack)
}

fn partitions(v: &View, reacts: &[Reaction], faults: &[Episode]) -> Vec<Episode> {
    let limit = v.settings.sync_timeout();
    let slack = limit + v.settings.tick();
    let explained = |r: &Reaction| {
        let t = v.lines[r.pos].at;
        faults.iter().any(|f| {
            (f.sid == r.on || f.sid == r.by)
                && t + slack >= f.from
                && f.until.is_none_or(|u| t <= u + slack)
        })
    };
    let cut: Vec<&Reaction> = reacts
        .iter()
        .filter(|r| r.timed_out && !explained(r))
        .filter(|r| alive_near(v, r.on, v.lines[r.pos].at, slack))
        .collect();
    // Time-outs within 2 × syncLimit × tickTime of each other are one cut.
    let mut clusters: Vec<Vec<&Reaction>> = Vec::new();
    for r in cut {
        let t = v.lines[r.pos].at;
        match clusters.last_mut() {
            Some(c) if t <= v.lines[c[c.len() - 1].pos].at + 2 * limit => c.push(r),
            _ => clusters.push(vec![r]),
        }
    }
    let leaders = v.established();
    clusters
        .into_iter()
        .map(|c| partition_of(v, &c, &leaders, limit))
        .collect()
}

fn partition_of(v: &View, c: &[&Reaction], leaders: &[Est], limit: u64) -> Episode {
    let t0 = v.lines[c[0].pos].at;
    let from = t0.saturating_sub(limit);
    let mut pairs: Vec<(u32, u32)> = c.iter().map(|r| (r.by, r.on)).collect();
    crate::sorting::sort(&mut pairs);
    pairs.dedup();
    let involved: Vec<u32> = {
        let mut s: Vec<u32> = pairs.iter().flat_map(|&(a, b)| [a, b]).collect();
        crate::sorting::sort(&mut s);
        s.dedup();
        s
    };
    // The side that went on: the next leader's supporters.
    let next = leaders.iter().find(|e| e.at > t0);
    let mut side: Vec<u32> = next
        .map(|e| supporters(&v.lines[e.pos].text))
        .unwrap_or_default();
    if side.is_empty() {
        side = pairs.iter().map(|p| p.0).collect();
    }
    crate::sorting::sort(&mut side);
    side.dedup();
    let all: Vec<u32> = v
        .settings
        .participants
        .iter()
        .chain(&v.settings.observers)
        .copied()
        .collect();
    let others: Vec<u32> = all.iter().copied().filter(|x| !side.contains(x)).collect();
    let until = heal_time(v, &side, &others, t0);
    let mut cites: Vec<usize> = c.iter().take(4).map(|r| r.pos).collect();
    if let Some(e) = next {
        cites.push(e.pos);
    }
    Episode {
        fault: Fault::Partition,
        sid: 0,
        from,
        until,
        groups: vec![side, others],
        pairs,
        was_leader: involved.iter().any(|&s| v.leading_at(s, c[0].pos)),
        last: c[0].pos,
        next: None,
        cites,
        then_crashed: false,
    }
}

/// `sids: [[1, 3]]` of a `Have quorum of supporters` line.
pub fn supporters(text: &str) -> Vec<u32> {
    let Some(a) = text.find("[[") else {
        return Vec::new();
    };
    let rest = &text[a + 2..];
    let end = rest.find("]]").unwrap_or(rest.len());
    rest[..end]
        .split(',')
        .filter_map(|x| x.trim().parse().ok())
        .collect()
}

/// The first contact across the cut after `t0`: a notification from the
/// other side, or a leader registering a learner of the other side.
fn heal_time(v: &View, a: &[u32], b: &[u32], t0: u64) -> Option<u64> {
    let across =
        |x: u32, y: u32| (a.contains(&x) && b.contains(&y)) || (b.contains(&x) && a.contains(&y));
    v.lines.iter().filter(|l| l.at > t0).find_map(|l| {
        let peer = if l.text.starts_with("Notification:") {
            super::events::num_after(&l.text, "n.sid:")
        } else if l.text.starts_with("Follower sid:") {
            super::events::num_after(&l.text, "Follower sid:")
        } else {
            None
        }?;
        across(l.sid, peer as u32).then_some(l.at)
    })
}

#[cfg(test)]
mod tests {
    use super::super::evidence::testing::{settings, view};
    use super::*;

    #[test]
    fn a_silent_leader_whose_followers_time_out_was_paused() {
        let v = view(
            &[
                (0, 2, "INFO", "QuorumPeer", "LEADING"),
                (10, 2, "INFO", "LearnerHandler", "LearnerHandler-/x:1|Follower sid: 1 : info : h:1:2:participant"),
                (20, 1, "INFO", "QuorumPeer", "FOLLOWING"),
                (1000, 2, "INFO", "Leader", "Have quorum of supporters, sids: [[1, 2]]; starting up and setting last processed zxid: 0x100000000"),
                (4600, 1, "WARN", "Follower", "Exception when following the leader\njava.net.SocketTimeoutException: Read timed out"),
                (7000, 2, "ERROR", "LearnerHandler", "LearnerHandler-/x:1|Unexpected exception in LearnerHandler: \njava.net.SocketException: Connection reset"),
                (7010, 2, "INFO", "Leader", "Shutdown called. For the reason Not sufficient followers synced, only synced with sids: [ [2] ]"),
            ],
            settings(500),
        );
        let e = episodes(&v);
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!(
            (e[0].fault, e[0].sid, e[0].from, e[0].until),
            (Fault::Pause, 2, 2100, Some(7000))
        );
        assert!(e[0].was_leader);
        assert!(e[0].cites.contains(&4) && e[0].cites.contains(&6));
    }

    #[test]
    fn a_leader_that_times_out_itself_was_cut_off_not_paused() {
        let v = view(
            &[
                (0, 2, "INFO", "QuorumPeer", "LEADING"),
                (10, 2, "INFO", "LearnerHandler", "LearnerHandler-/x:1|Follower sid: 1 : info : h:1:2:participant"),
                (20, 1, "INFO", "QuorumPeer", "FOLLOWING"),
                (30, 3, "INFO", "QuorumPeer", "FOLLOWING"),
                (40, 2, "INFO", "LearnerHandler", "LearnerHandler-/x:3|Follower sid: 3 : info : h:1:2:participant"),
                (1000, 2, "INFO", "Leader", "Have quorum of supporters, sids: [[1, 2, 3]]; starting up and setting last processed zxid: 0x100000000"),
                (4600, 1, "WARN", "Follower", "Exception when following the leader\njava.net.SocketTimeoutException: Read timed out"),
                (4601, 2, "ERROR", "LearnerHandler", "LearnerHandler-/x:1|Unexpected exception in LearnerHandler: \njava.net.SocketTimeoutException: Read timed out"),
                (4602, 3, "WARN", "Follower", "Exception when following the leader\njava.net.SocketTimeoutException: Read timed out"),
                (4610, 2, "INFO", "Leader", "Shutdown called. For the reason Not sufficient followers synced, only synced with sids: [ [2] ]"),
                (5000, 3, "INFO", "Leader", "Have quorum of supporters, sids: [[1, 3]]; starting up and setting last processed zxid: 0x200000000"),
                (9000, 3, "INFO", "LearnerHandler", "Follower sid: 2 : info : h:1:2:participant"),
            ],
            settings(500),
        );
        let e = episodes(&v);
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!(e[0].fault, Fault::Partition);
        assert_eq!(e[0].groups, vec![vec![1, 3], vec![2]]);
        assert_eq!(e[0].until, Some(9000));
    }

    #[test]
    fn a_restart_without_an_exit_line_is_a_crash() {
        let v = view(
            &[
                (0, 1, "INFO", "QuorumPeerConfig", "Reading configuration from: /c/zoo.cfg"),
                (100, 1, "INFO", "QuorumPeer", "LOOKING"),
                (500, 1, "INFO", "QuorumPeer", "LEADING"),
                (900, 2, "WARN", "Follower", "Exception when following the leader\njava.io.EOFException"),
                (950, 2, "WARN", "QuorumCnxManager", "Cannot open channel to 1 at election address /h:3\njava.net.ConnectException: Connection refused"),
                (3000, 1, "INFO", "QuorumPeerConfig", "Reading configuration from: /c/zoo.cfg"),
            ],
            settings(500),
        );
        let e = episodes(&v);
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!(
            (e[0].fault, e[0].sid, e[0].until),
            (Fault::Crash, 1, Some(3000))
        );
        assert_eq!(e[0].last, 2);
        assert_eq!(e[0].next, Some(5));
    }
}

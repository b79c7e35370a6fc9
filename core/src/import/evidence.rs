//! The imported lines as the diagnosis and the replay read them: every
//! parsed line of every server in time order ([`Ln`], its index into
//! `Import.lines` kept for citations), the ensemble's settings (from
//! zoo.cfg when given, else from the lines ZooKeeper logs at start:
//! `tickTime set to`, `initLimit set to`, `syncLimit set to`,
//! `zookeeper.commitLogCount=`, `zookeeper.snapshotSizeFactor =`), and
//! the small questions both ask of the lines: each server's process runs
//! (`QuorumPeerMain`'s `Starting quorum peer` / `QuorumPeerConfig`'s
//! `Reading configuration from`), the leaders established (`Leader`'s
//! `Have quorum of supporters`), which learner a `LearnerHandler` thread
//! serves (its `Follower sid: N : info` line), whom a follower follows.
//!
//! Contract: pure and read-only over the lines it is given; it builds no
//! finding and no scenario (`diagnose` and `replay` do). Times are ms
//! after the first line (after the importer's skew correction).

use std::collections::BTreeMap;

use super::events::{hex_after, num_after};
use super::model::{Import, LogLine};

/// One log line, as the analyses read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ln {
    /// Index into `Import.lines`.
    pub i: usize,
    /// ms after the import's first line.
    pub at: u64,
    pub sid: u32,
    pub level: String,
    pub thread: String,
    pub class: String,
    /// The message's first line.
    pub text: String,
    /// The first continuation line (an exception's class and message:
    /// `java.net.SocketTimeoutException: Read timed out`), or empty.
    pub cont: String,
}

impl Ln {
    /// Line `i` of an import whose first moment is `t0`.
    pub fn of(i: usize, l: &LogLine, t0: i64) -> Ln {
        let mut parts = l.text.lines();
        let text = parts.next().unwrap_or("").to_string();
        let cont = parts
            .next()
            .or(l.more.first().map(|m| m.as_str()))
            .unwrap_or("")
            .trim()
            .to_string();
        Ln {
            i,
            at: (l.at_ms - t0).max(0) as u64,
            sid: l.sid,
            level: l.level.name().to_string(),
            thread: l.thread.clone(),
            class: l.class.clone(),
            text,
            cont,
        }
    }
}

/// The ensemble's settings as far as the import shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub participants: Vec<u32>,
    pub observers: Vec<u32>,
    pub tick_ms: Option<u64>,
    pub init_limit: Option<u64>,
    pub sync_limit: Option<u64>,
    pub snap_count: Option<u64>,
    pub commit_log_count: Option<u64>,
    /// `zookeeper.snapshotSizeFactor` in hundredths.
    pub snapshot_size_factor_pct: Option<i64>,
    /// Where the server list came from: `zoo.cfg` or `logs`.
    pub servers_from: &'static str,
    /// Where the timing settings came from: `zoo.cfg`, `logs` or `defaults`.
    pub limits_from: &'static str,
}

impl Settings {
    pub fn tick(&self) -> u64 {
        self.tick_ms.unwrap_or(2000)
    }
    pub fn sync_limit(&self) -> u64 {
        self.sync_limit.unwrap_or(5)
    }
    pub fn init_limit(&self) -> u64 {
        self.init_limit.unwrap_or(10)
    }
    /// `syncLimit × tickTime`: how long a follower and its leader wait
    /// for each other.
    pub fn sync_timeout(&self) -> u64 {
        self.tick() * self.sync_limit()
    }
}

/// The lines, sorted, with the settings.
#[derive(Debug, Clone)]
pub struct View {
    pub lines: Vec<Ln>,
    pub settings: Settings,
    /// Every server with a line, ascending.
    pub sids: Vec<u32>,
    /// Per learner sid, each `Follower sid: N …` line registering it:
    /// (position, the registering server), in position order. An index
    /// for [`View::leader_of`], which a scan back from every reaction made
    /// quadratic (85 % of a 100 MB import's analysis).
    registrations: BTreeMap<u32, Vec<(usize, u32)>>,
}

/// One JVM of one server: from its start line to its last line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProcRun {
    pub sid: u32,
    /// Position (in `View.lines`) of its first line.
    pub first: usize,
    /// Position of its last line.
    pub last: usize,
    /// Whether its first line is a process start (false for a log that
    /// begins mid-run).
    pub started: bool,
}

/// A leader established.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Est {
    pub sid: u32,
    pub epoch: u32,
    /// Position in `View.lines` of its `Have quorum of supporters` line.
    pub pos: usize,
    pub at: u64,
}

/// Lines that open a JVM's log (3.5–3.9).
pub fn is_process_start(l: &Ln) -> bool {
    l.text.starts_with("Reading configuration from")
        || (l.text.starts_with("Starting quorum peer") && l.class == "QuorumPeerMain")
}

/// `1.234 s` or `850 ms`.
pub fn dur(ms: u64) -> String {
    if ms >= 10_000 {
        format!("{:.1} s", ms as f64 / 1000.0)
    } else if ms >= 1000 {
        format!("{:.2} s", ms as f64 / 1000.0)
    } else {
        format!("{ms} ms")
    }
}

/// A cited line as evidence: `s2 +31.122 s WARN Follower - text`.
pub fn cite(l: &Ln) -> String {
    let mut s = format!(
        "s{} at {} {} {} - {}",
        l.sid,
        dur(l.at),
        l.level,
        l.class,
        l.text.trim_end()
    );
    if !l.cont.is_empty() {
        s.push_str(" (");
        s.push_str(l.cont.trim());
        s.push(')');
    }
    s
}

impl View {
    /// The view of an import.
    pub fn of(imp: &Import) -> View {
        let t0 = View::origin(imp);
        let lines = imp
            .lines
            .iter()
            .enumerate()
            .map(|(i, l)| Ln::of(i, l, t0))
            .collect();
        View::of_lines(imp, lines)
    }

    /// The import's first moment (what [`Ln::of`] counts from).
    pub fn origin(imp: &Import) -> i64 {
        imp.lines.iter().map(|l| l.at_ms).min().unwrap_or(0)
    }

    /// [`View::of`] from the import's lines already made [`Ln`]s (any
    /// order; a caller that must yield makes them in slices).
    pub fn of_lines(imp: &Import, mut lines: Vec<Ln>) -> View {
        crate::sorting::sort_by_key(&mut lines, |l| (l.at, l.i));
        View::new(lines, settings_of(imp))
    }

    /// A view of lines already in time order with known settings (the
    /// settings' gaps filled from the lines).
    pub fn new(lines: Vec<Ln>, mut settings: Settings) -> View {
        let mut sids: Vec<u32> = lines.iter().map(|l| l.sid).collect();
        crate::sorting::sort(&mut sids);
        sids.dedup();
        fill_from_lines(&mut settings, &lines, &sids);
        let registrations = registrations(&lines);
        View {
            lines,
            settings,
            sids,
            registrations,
        }
    }

    /// The end of the evidence: the last line's time.
    pub fn end(&self) -> u64 {
        self.lines.last().map_or(0, |l| l.at)
    }

    /// Positions of one server's lines.
    pub fn of_sid(&self, sid: u32) -> impl Iterator<Item = usize> + '_ {
        (0..self.lines.len()).filter(move |&p| self.lines[p].sid == sid)
    }

    /// Each server's JVMs, in order. A JVM opens with `Reading
    /// configuration from` (or, when a log lacks it, `Starting quorum
    /// peer`; the one after `Reading configuration` is the same JVM).
    pub fn runs(&self) -> Vec<ProcRun> {
        let mut out: Vec<ProcRun> = Vec::new();
        // Per sid: its open run, and whether that run is still starting.
        let mut open: BTreeMap<u32, (usize, bool)> = BTreeMap::new();
        for (p, l) in self.lines.iter().enumerate() {
            let reading = l.text.starts_with("Reading configuration from");
            let starting =
                reading || (is_process_start(l) && !open.get(&l.sid).is_some_and(|o| o.1));
            match open.get_mut(&l.sid) {
                Some(o) if !starting => {
                    out[o.0].last = p;
                    if is_role_line(&l.text) {
                        o.1 = false;
                    }
                }
                _ => {
                    out.push(ProcRun {
                        sid: l.sid,
                        first: p,
                        last: p,
                        started: starting,
                    });
                    open.insert(l.sid, (out.len() - 1, starting));
                }
            }
        }
        out
    }

    /// Leaders established, in order.
    pub fn established(&self) -> Vec<Est> {
        self.lines
            .iter()
            .enumerate()
            .filter(|(_, l)| l.text.starts_with("Have quorum of supporters"))
            .filter_map(|(p, l)| {
                let z = hex_after(&l.text, "setting last processed zxid:")?;
                Some(Est {
                    sid: l.sid,
                    epoch: (z >> 32) as u32,
                    pos: p,
                    at: l.at,
                })
            })
            .collect()
    }

    /// The learner a leader's `LearnerHandler-…` thread serves (from the
    /// thread's `Follower sid: N : info` line at or before `pos`).
    pub fn handler_learner(&self, leader: u32, thread: &str, pos: usize) -> Option<u32> {
        self.lines[..=pos.min(self.lines.len().saturating_sub(1))]
            .iter()
            .rev()
            .find(|l| l.sid == leader && l.thread == thread && l.text.starts_with("Follower sid:"))
            .and_then(|l| num_after(&l.text, "Follower sid:").map(|n| n as u32))
    }

    /// The server `sid` followed (or observed) at `pos`: the last other
    /// server whose learner handler registered it (`Follower sid: N`).
    pub fn leader_of(&self, sid: u32, pos: usize) -> Option<u32> {
        let upto = pos.min(self.lines.len().saturating_sub(1));
        let regs = self.registrations.get(&sid)?;
        let end = regs.partition_point(|&(p, _)| p <= upto);
        regs[..end]
            .iter()
            .rev()
            .find(|&&(_, by)| by != sid)
            .map(|&(_, by)| by)
    }

    /// Whether `sid` was leading at `pos` (its last role line before it).
    pub fn leading_at(&self, sid: u32, pos: usize) -> bool {
        self.lines[..=pos.min(self.lines.len().saturating_sub(1))]
            .iter()
            .rev()
            .filter(|l| l.sid == sid)
            .find(|l| is_role_line(&l.text) || is_process_start(l))
            .is_some_and(|l| l.text == "LEADING")
    }
}

/// The index behind [`View::leader_of`]: every line reading `Follower
/// sid: N ` (N written as ZooKeeper writes a number, then a space), under N.
fn registrations(lines: &[Ln]) -> BTreeMap<u32, Vec<(usize, u32)>> {
    let mut out: BTreeMap<u32, Vec<(usize, u32)>> = BTreeMap::new();
    for (p, l) in lines.iter().enumerate() {
        let Some(rest) = l.text.strip_prefix("Follower sid: ") else {
            continue;
        };
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        if digits == 0 || !rest[digits..].starts_with(' ') {
            continue;
        }
        let Ok(n) = rest[..digits].parse::<u32>() else {
            continue;
        };
        // "Follower sid: 01 " never matched `format!("… {sid} ")`.
        if n.to_string().len() == digits {
            out.entry(n).or_default().push((p, l.sid));
        }
    }
    out
}

/// `LOOKING`, `FOLLOWING`, `LEADING`, `OBSERVING` (QuorumPeer's run loop).
pub fn is_role_line(text: &str) -> bool {
    matches!(text, "LOOKING" | "FOLLOWING" | "LEADING" | "OBSERVING")
}

/// The settings zoo.cfg gives.
fn settings_of(imp: &Import) -> Settings {
    let mut s = Settings {
        participants: Vec::new(),
        observers: Vec::new(),
        tick_ms: None,
        init_limit: None,
        sync_limit: None,
        snap_count: None,
        commit_log_count: None,
        snapshot_size_factor_pct: None,
        servers_from: "logs",
        limits_from: "defaults",
    };
    if let Some(c) = &imp.config {
        for srv in &c.servers {
            if srv.observer {
                s.observers.push(srv.sid);
            } else {
                s.participants.push(srv.sid);
            }
        }
        if !c.servers.is_empty() {
            s.servers_from = "zoo.cfg";
        }
        s.tick_ms = c.tick_time;
        s.init_limit = c.init_limit;
        s.sync_limit = c.sync_limit;
        s.snap_count = c.snap_count;
        if s.tick_ms.is_some() {
            s.limits_from = "zoo.cfg";
        }
    }
    s
}

/// What the start-up lines say, where zoo.cfg said nothing.
fn fill_from_lines(s: &mut Settings, lines: &[Ln], sids: &[u32]) {
    for l in lines {
        let t = &l.text;
        if s.tick_ms.is_none() && t.starts_with("tickTime set to") {
            s.tick_ms = num_after(t, "tickTime set to");
            s.limits_from = "logs";
        }
        if s.init_limit.is_none() && t.starts_with("initLimit set to") {
            s.init_limit = num_after(t, "initLimit set to");
        }
        if s.sync_limit.is_none() && t.starts_with("syncLimit set to") {
            s.sync_limit = num_after(t, "syncLimit set to");
        }
        if s.commit_log_count.is_none() && t.starts_with("zookeeper.commitLogCount=") {
            s.commit_log_count = num_after(t, "zookeeper.commitLogCount=");
        }
        if s.snapshot_size_factor_pct.is_none() && t.starts_with("zookeeper.snapshotSizeFactor = ")
        {
            let v = t["zookeeper.snapshotSizeFactor = ".len()..].trim();
            s.snapshot_size_factor_pct = v.parse::<f64>().ok().map(|f| (f * 100.0).round() as i64);
        }
        if s.servers_from == "logs" && (t.ends_with(":observer") && t.starts_with("Follower sid:"))
        {
            if let Some(n) = num_after(t, "Follower sid:") {
                if !s.observers.contains(&(n as u32)) {
                    s.observers.push(n as u32);
                }
            }
        }
        if s.servers_from == "logs" && t == "OBSERVING" && !s.observers.contains(&l.sid) {
            s.observers.push(l.sid);
        }
    }
    if s.servers_from == "logs" {
        s.participants = sids
            .iter()
            .copied()
            .filter(|x| !s.observers.contains(x))
            .collect();
    }
    crate::sorting::sort(&mut s.observers);
}

#[cfg(test)]
pub(crate) mod testing {
    //! Lines for the unit tests, written as ZooKeeper logs them.
    use super::*;

    /// `(at, sid, level, class, text)`; a `text` with `\n` carries its
    /// continuation line; a `thread|text` prefix sets the thread.
    pub fn view(rows: &[(u64, u32, &str, &str, &str)], settings: Settings) -> View {
        let lines = rows
            .iter()
            .enumerate()
            .map(|(i, &(at, sid, level, class, text))| {
                let (thread, text) = match text.split_once('|') {
                    Some((th, t)) => (th.to_string(), t),
                    None => (format!("QuorumPeer[myid={sid}]"), text),
                };
                let mut parts = text.splitn(2, '\n');
                Ln {
                    i,
                    at,
                    sid,
                    level: level.into(),
                    thread,
                    class: class.into(),
                    text: parts.next().unwrap_or("").into(),
                    cont: parts.next().unwrap_or("").into(),
                }
            })
            .collect();
        View::new(lines, settings)
    }

    pub fn settings(tick: u64) -> Settings {
        Settings {
            participants: vec![],
            observers: vec![],
            tick_ms: Some(tick),
            init_limit: Some(10),
            sync_limit: Some(5),
            snap_count: None,
            commit_log_count: None,
            snapshot_size_factor_pct: None,
            servers_from: "logs",
            limits_from: "zoo.cfg",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::testing::{settings, view};
    use super::*;

    /// The scan `leader_of` was before its index: the last line up to
    /// `pos` of another server starting `Follower sid: {sid} `.
    fn scanned(v: &View, sid: u32, pos: usize) -> Option<u32> {
        let want = format!("Follower sid: {sid} ");
        v.lines[..=pos.min(v.lines.len().saturating_sub(1))]
            .iter()
            .rev()
            .find(|l| l.sid != sid && l.text.starts_with(&want))
            .map(|l| l.sid)
    }

    #[test]
    fn leader_of_by_its_index_is_the_scan_back() {
        let text = |n: &str| {
            format!("LearnerHandler-/127.0.0.1:4|Follower sid: {n} : info : 127.0.0.1:2888")
        };
        let rows_text = [
            (100, 2, text("1")),
            (110, 3, text("1")),
            (120, 3, text("12")),
            (130, 1, text("1")),
            (140, 2, text("01")),
            (150, 2, "LEADING".to_string()),
            (
                160,
                3,
                "LearnerHandler-/127.0.0.1:5|Follower sid:  1 : info".to_string(),
            ),
            (170, 2, text("3")),
            (180, 1, text("3")),
        ];
        let rows: Vec<(u64, u32, &str, &str, &str)> = rows_text
            .iter()
            .map(|(at, sid, t)| (*at, *sid, "INFO", "LearnerHandler", t.as_str()))
            .collect();
        let v = view(&rows, settings(2000));
        let mut seen = 0;
        for sid in 0..=13 {
            for pos in 0..rows.len() + 2 {
                let want = scanned(&v, sid, pos);
                assert_eq!(v.leader_of(sid, pos), want, "sid {sid} at {pos}");
                seen += usize::from(want.is_some());
            }
        }
        // Found where it should be: 1 under 2 then 3 (never itself), 3
        // under 2 then 1; none for 12's or 01's line.
        assert_eq!(v.leader_of(1, 0), Some(2));
        assert_eq!(v.leader_of(1, 4), Some(3));
        assert_eq!(v.leader_of(3, 8), Some(1));
        assert_eq!(v.leader_of(12, 8), Some(3));
        assert!(seen > 20, "{seen}");
    }
}

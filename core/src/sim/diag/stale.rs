//! Stale reads: a serving follower or observer behind the leader now
//! (`stale_follower`, and why: paused, following an old leader, a cut or
//! slow link, a slow disk), and the reads of the run's history that
//! returned older data than the leader had already committed
//! (`stale_read`); see `docs/PROTOCOL.md §10` (ZooKeeper's reads are
//! sequentially consistent, not linearizable).
//!
//! Contract: a stale read is judged against the leader's last processed
//! zxid when the answer reached the client (the observer's read marks);
//! whether it was served by a deposed leader is read from the
//! `deposed_leader` findings already on the list (`deposed.rs` runs
//! first). Of its siblings it uses only `evidence`.

use std::collections::BTreeMap;

use super::episodes::{blame_any, blame_link, blame_server, Fault};
use super::evidence::{cut_link, ms, slow_link};
use crate::diagnosis::{Finding, Severity};
use crate::proto::Sid;
use crate::sim::{Node, Role, Simulation};
use crate::zxid::Zxid;

/// A serving learner this many txns behind is stale even with no fault.
const STALE_TXNS: u64 = 20;

/// How many txns `behind` is behind `ahead` (all of `ahead`'s epoch when
/// the epochs differ).
fn lag(behind: Zxid, ahead: Zxid) -> u64 {
    if behind.epoch() == ahead.epoch() {
        u64::from(ahead.counter() - behind.counter())
    } else {
        u64::from(ahead.counter())
    }
}

/// One client's stale reads from one server: (reads, first at, worst
/// lag, what it saw at worst, what the leader had committed then).
type Stale = (u64, u64, u64, Zxid, Zxid);

impl Simulation {
    /// Serving learners behind the current leader.
    pub(super) fn diag_stale_followers(&self, out: &mut Vec<Finding>) {
        let Some((lsid, _)) = self.established() else {
            return;
        };
        let lz = self
            .node(lsid)
            .map_or(Zxid::ZERO, |n| n.server.tree.last_processed_zxid);
        for n in &self.nodes {
            if n.sid == lsid || !self.running(n.sid) || !n.server.serving {
                continue;
            }
            out.extend(self.stale_follower(n, lsid, lz));
        }
    }

    /// `stale_follower` for learner `n`, when it is behind leader `lsid`
    /// (at `lz`) for a reason, or by [`STALE_TXNS`] or more.
    fn stale_follower(&self, n: &Node, lsid: Sid, lz: Zxid) -> Option<Finding> {
        let sid = n.sid;
        let follows = n.server.learner().map(|l| l.leader)?;
        let z = n.server.tree.last_processed_zxid;
        if z >= lz {
            return None;
        }
        let lag = lag(z, lz);
        if lag == 0 {
            return None; // the leader's new epoch has no txn yet
        }
        let mut why = self.behind_reasons(sid, follows, lsid);
        if why.is_empty() && lag < STALE_TXNS {
            return None;
        }
        if why.is_empty() {
            why.push("commits reach it later than they are made".to_string());
        }
        let role = if n.role == Role::Observer {
            "observer"
        } else {
            "follower"
        };
        let text = match self.paused(sid) {
            Some(until) => format!(
                "Server {sid} ({role}) is paused until {}, {lag} txn(s) behind leader {lsid} ({z} vs {lz}): it answers nothing now; when it resumes it applies what waits in its socket buffers (or rejoins, if its leader dropped it meanwhile).",
                ms(until)
            ),
            None => format!(
                "Server {sid} ({role}) serves reads {lag} txn(s) behind leader {lsid} ({z} vs {lz}): {}. ZooKeeper reads are sequentially consistent; a client that must see the latest write calls sync() first.",
                why.join("; ")
            ),
        };
        let mut f = Finding::new("stale_follower", Severity::Warning, self.now_ms, text);
        f.server = Some(sid);
        f.servers = vec![sid, lsid];
        f.zxids = vec![z, lz];
        if self.cuts.contains(&(lsid, sid)) {
            f.links.push(cut_link(lsid, sid));
        }
        if let Some(l) = self.link_latency_of(lsid, sid) {
            f.links.push(slow_link(lsid, sid, l));
        }
        f.settings =
            vec![self
                .setting_sync_limit("how long a follower serves without hearing from its leader")];
        let eps = self.episodes();
        let now = self.now_ms;
        f.cause = blame_server(&eps, &[Fault::Paused, Fault::SlowDisk], sid, now, now)
            .or_else(|| blame_link(&eps, lsid, sid, now, now))
            .map(|e| e.key.clone())
            .or_else(|| blame_any(&eps, &[sid, follows], 0, now).filter(|_| follows != lsid));
        f.advice = vec![
            "A client that must see the latest write calls sync() before reading: the server it is connected to then catches up with the leader first. Reads without it are sequentially consistent: in order, possibly behind.".to_string(),
        ];
        Some(f)
    }

    /// Why learner `sid` (following `follows`) is behind leader `lsid`.
    fn behind_reasons(&self, sid: Sid, follows: Sid, lsid: Sid) -> Vec<String> {
        let mut why = Vec::new();
        if let Some(t) = self.paused(sid) {
            why.push(format!("it is paused until {}", ms(t)));
        }
        if follows != lsid {
            why.push(format!(
                "it still follows {follows}, not the current leader {lsid}"
            ));
        }
        if self.cuts.contains(&(lsid, sid)) {
            why.push(format!(
                "link {lsid}→{sid} is cut: it gets no commits, yet serves until syncLimit×tickTime ({}) of silence",
                ms(self.sync_timeout())
            ));
        }
        if let Some(l) = self.link_latency_of(lsid, sid) {
            why.push(format!("link {lsid}→{sid} is slow ({})", ms(l)));
        }
        if let Some(f) = self.fsync_of(sid) {
            why.push(format!(
                "its disk is slow (fsync {}): it applies a commit only after logging the proposal",
                ms(f)
            ));
        }
        why
    }

    /// Reads in the run's history that returned older data than the
    /// leader had already committed when the answer arrived; after the
    /// `deposed_leader` findings (whose past episodes it reads in `out`).
    pub(super) fn diag_stale_reads(&self, out: &mut Vec<Finding>) {
        // The deposed-leader episodes (server, from, to) found before.
        let deposed: Vec<(Sid, u64, u64)> = out
            .iter()
            .filter(|f| f.id == "deposed_leader" && !f.now)
            .filter_map(|f| Some((f.server?, f.at_ms, f.until_ms?)))
            .collect();
        for ((client, server), stale) in self.stale_reads() {
            let on_deposed = self.reads.iter().any(|r| {
                r.client == client
                    && r.server == server
                    && deposed
                        .iter()
                        .any(|&(s, a, b)| s == server && r.at_ms >= a && r.at_ms <= b)
            });
            let mut f = stale_read(&client, server, stale, on_deposed);
            let eps = self.episodes();
            let first = f.at_ms;
            f.cause = blame_server(&eps, &[Fault::Paused], server, 0, self.now_ms)
                .filter(|_| on_deposed)
                .map(|e| e.key.clone())
                .or_else(|| blame_any(&eps, &[server], first, first));
            f.advice = vec![
                "Call sync() before a read that must see every write completed before it; on a deposed leader even that is no guarantee until it steps down (syncLimit ticks).".to_string(),
            ];
            out.push(f);
        }
    }

    /// The stale reads by (client, server).
    fn stale_reads(&self) -> BTreeMap<(String, Sid), Stale> {
        let mut by: BTreeMap<(String, Sid), Stale> = BTreeMap::new();
        for (r, &committed) in self.reads.iter().zip(&self.obs.read_marks) {
            if r.zxid >= committed {
                continue;
            }
            let lag = lag(r.zxid, committed);
            if lag == 0 {
                continue;
            }
            let e = by
                .entry((r.client.clone(), r.server))
                .or_insert((0, r.at_ms, 0, r.zxid, committed));
            e.0 += 1;
            if lag > e.2 {
                e.2 = lag;
                e.3 = r.zxid;
                e.4 = committed;
            }
        }
        by
    }
}

/// `stale_read` for `client`'s reads from `server` (`on_deposed`: some
/// were served by a deposed leader).
fn stale_read(client: &str, server: Sid, stale: Stale, on_deposed: bool) -> Finding {
    let (count, first, worst, saw, was) = stale;
    let remedy = if on_deposed {
        format!(
            " Server {server} was a deposed leader at the time (see deposed_leader): there even sync() returns stale data, since the deposed leader answers the sync itself; only its stepping down (syncLimit ticks) ends it."
        )
    } else {
        " Allowed by ZooKeeper's sequential consistency; sync() before a read closes the gap."
            .to_string()
    };
    let mut f = Finding::new(
        "stale_read",
        if on_deposed {
            Severity::Warning
        } else {
            Severity::Info
        },
        first,
        format!(
            "Client {client} read from server {server} data older than the leader had already committed {count} time(s), at worst {worst} txn(s) behind (it saw {saw} when the leader was at {was}).{remedy}"
        ),
    );
    f.now = false;
    f.server = Some(server);
    f.servers = vec![server];
    f.zxids = vec![saw, was];
    f
}

//! Deposed leaders (`deposed_leader`): a leader of an older epoch, or one
//! cut off from its quorum, that still serves now; and, in the run's
//! history, a leader that kept leading after a partition or a pause cut it
//! off, until its tick check stepped it down (`Shutdown called. For the
//! reason Not sufficient followers synced`, ZooKeeper's `Leader.lead`);
//! see `docs/PROTOCOL.md §8`.
//!
//! Contract: the past episodes are pushed as findings with `now` false,
//! `server`, `at_ms` and `until_ms` set: `stale.rs` reads them back from
//! the list to tell a stale read on a deposed leader (so this family runs
//! before it). Of its siblings it uses only `evidence`.

use std::collections::BTreeSet;

use super::episodes::{blame_any, blame_server, Fault};
use super::evidence::{apply_cuts, ms};
use crate::diagnosis::{list_sids, Finding, Setting, Severity};
use crate::proto::Sid;
use crate::server::LeaderState;
use crate::sim::{LeaderRecord, Node, Simulation};

impl Simulation {
    /// Leaders that serve now without a quorum, or under a newer epoch.
    pub(super) fn diag_deposed(&self, out: &mut Vec<Finding>) {
        let top_epoch = self.leaders.iter().map(|l| l.epoch).max().unwrap_or(0);
        for n in &self.nodes {
            let s = &n.server;
            let Some(l) = s.leader() else {
                continue;
            };
            if !self.running(n.sid) || !s.serving {
                continue;
            }
            out.extend(self.deposed_now(n, l, top_epoch));
        }
    }

    /// `deposed_leader` for serving leader `n` (state `l`), when its epoch
    /// is older than `top_epoch` or it reaches fewer than a quorum. A
    /// paused one answers nothing: what it will do when it resumes.
    fn deposed_now(&self, n: &Node, l: &LeaderState, top_epoch: u32) -> Option<Finding> {
        let sid = n.sid;
        let alive = self.alive(sid);
        let reach: Vec<Sid> = self
            .voters()
            .into_iter()
            .filter(|&v| {
                alive
                    && (v == sid
                        || (self.alive(v)
                            && !self.cuts.contains(&(sid, v))
                            && !self.cuts.contains(&(v, sid))))
            })
            .collect();
        let followers: Vec<Sid> = self
            .nodes
            .iter()
            .filter(|x| x.sid != sid && self.alive(x.sid))
            .filter(|x| x.server.learner().is_some_and(|ls| ls.leader == sid))
            .map(|x| x.sid)
            .collect();
        let older = l.epoch < top_epoch;
        let paused = self.paused(sid);
        // A paused leader nobody replaced yet is still the leader: its
        // pause's card says what happens.
        if !older && (reach.len() >= self.quorum() || paused.is_some()) {
            return None;
        }
        let newer = self
            .leaders
            .iter()
            .rev()
            .find(|r| r.epoch > l.epoch)
            .map(|r| {
                format!(
                    " Server {} leads epoch {} since {}.",
                    r.sid,
                    r.epoch,
                    ms(r.established_ms)
                )
            })
            .unwrap_or_default();
        let step_down = format!(
            "a tick check finds fewer than a quorum of followers heard from within syncLimit ticks ({}) and it steps down",
            ms(self.sync_timeout())
        );
        let text = if let Some(until) = paused {
            format!(
                "Server {sid} still believes it leads epoch {}, but it is paused until {} and answers nothing now.{newer} When it resumes it will serve its clients' reads from stale data, and fail their writes, until its next tick check (within a tick: its followers' syncLimit deadlines have long passed) finds no synced quorum and it steps down.",
                l.epoch,
                ms(until)
            )
        } else if reach.len() < self.quorum() {
            format!(
                "Server {sid} still leads epoch {} and answers reads, but it reaches only {} of the {} voters ({}), fewer than a quorum ({}).{newer} Its clients read stale data and their writes fail until {step_down}.",
                l.epoch,
                reach.len(),
                self.voters().len(),
                list_sids(&reach),
                self.quorum()
            )
        } else {
            format!(
                "Server {sid} still leads epoch {} and answers reads, but {} of its followers still follow it ({}).{newer} Its clients read stale data and their writes fail until {step_down}.",
                l.epoch,
                followers.len(),
                list_sids(&followers)
            )
        };
        let mut f = Finding::new("deposed_leader", Severity::Critical, self.now_ms, text);
        f.server = Some(sid);
        f.servers = vec![sid];
        f.links = self
            .cut_links_among(&self.voters())
            .into_iter()
            .filter(|k| k.from == sid || k.to == sid)
            .collect();
        f.settings = self.deposed_settings();
        let since = self
            .leaders
            .iter()
            .rev()
            .find(|r| r.sid == sid && r.epoch == l.epoch)
            .map_or(0, |r| r.established_ms);
        let eps = self.episodes();
        f.cause = blame_server(&eps, &[Fault::Paused], sid, since, self.now_ms)
            .map(|e| e.key.clone())
            .or_else(|| blame_any(&eps, &[sid], since, self.now_ms));
        f.advice = self.deposed_advice();
        Some(f)
    }

    fn deposed_advice(&self) -> Vec<String> {
        vec![
            self.advice_nothing_lost(),
            self.advice_stale_reads(),
            "Lowering syncLimit shortens the time a deposed leader lingers, at the price of dropping followers on shorter stalls.".to_string(),
        ]
    }

    /// Past: a leader that kept leading after a partition cut it off
    /// from its quorum, until its tick check made it step down.
    pub(super) fn diag_deposed_past(&self, out: &mut Vec<Finding>) {
        for rec in &self.leaders {
            out.extend(self.deposed_episode(rec));
        }
    }

    fn deposed_episode(&self, rec: &LeaderRecord) -> Option<Finding> {
        // Its first step-down line must not have rolled away.
        if !self.log_complete_since(rec.established_ms) {
            return None;
        }
        let down = self.log.iter().find(|l| {
            l.sid == rec.sid
                && l.at_ms >= rec.established_ms
                && l.text
                    .starts_with("Shutdown called. For the reason Not sufficient followers synced")
        })?;
        // When it lost a quorum it could reach: a partition or cut that
        // left it with fewer than a quorum of voters (both ways), or a
        // pause it resumed from, still leading.
        let resumed = self
            .pauses()
            .into_iter()
            .rev()
            .find(|p| p.sid == rec.sid && p.from >= rec.established_ms && p.to <= down.at_ms);
        let (from, how) = match (self.cut_off_since(rec, down.at_ms), resumed) {
            (Some(t), _) => (t, format!("was cut off from its quorum at {}", ms(t))),
            (None, Some(p)) => (
                p.to,
                format!(
                    "was paused (a GC stall) from {} to {}; its followers gave up on it meanwhile, but it resumed still the leader",
                    ms(p.from),
                    ms(p.to)
                ),
            ),
            (None, None) => return None,
        };
        let newer = self
            .leaders
            .iter()
            .find(|r| r.epoch > rec.epoch && r.established_ms <= down.at_ms)
            .map(|r| {
                format!(
                    " Meanwhile server {} was elected for epoch {} at {}: two servers said they led.",
                    r.sid,
                    r.epoch,
                    ms(r.established_ms)
                )
            })
            .unwrap_or_default();
        let mut f = Finding::new(
            "deposed_leader",
            Severity::Warning,
            from,
            format!(
                "Leader {} (epoch {}) {how}: it kept leading, and answering its clients' reads, until {}, when its tick check found too few followers in sync and it stepped down.{newer} Reads it served in between could be stale; its clients' writes could not commit.",
                rec.sid,
                rec.epoch,
                ms(down.at_ms)
            ),
        );
        f.now = false;
        f.until_ms = Some(down.at_ms);
        f.server = Some(rec.sid);
        f.servers = vec![rec.sid];
        f.evidence = vec![format!("server {}: {}", rec.sid, down.text)];
        f.settings = self.deposed_settings();
        let eps = self.episodes();
        f.cause = match resumed {
            Some(p) => {
                blame_server(&eps, &[Fault::Paused], rec.sid, p.from, p.to).map(|e| e.key.clone())
            }
            None => None,
        }
        .or_else(|| blame_any(&eps, &[rec.sid], from, down.at_ms));
        f.advice = self.deposed_advice();
        Some(f)
    }

    /// Since when (up to `until`) leader `rec` could reach fewer than a
    /// quorum of voters both ways, by the scenario's partitions and cuts.
    fn cut_off_since(&self, rec: &LeaderRecord, until: u64) -> Option<u64> {
        let q = self.quorum();
        let mut cuts: BTreeSet<(Sid, Sid)> = BTreeSet::new();
        let mut cut_from: Option<u64> = None;
        for (t, _, k) in self.timeline() {
            if t > until {
                break;
            }
            apply_cuts(&mut cuts, k);
            let reach = self
                .voters()
                .into_iter()
                .filter(|&v| {
                    v == rec.sid || (!cuts.contains(&(rec.sid, v)) && !cuts.contains(&(v, rec.sid)))
                })
                .count();
            if t < rec.established_ms {
                continue;
            }
            if reach < q {
                cut_from.get_or_insert(t);
            } else {
                cut_from = None;
            }
        }
        cut_from
    }

    fn deposed_settings(&self) -> Vec<Setting> {
        vec![
            self.setting_sync_limit(
                "how many ticks a leader keeps leading without a synced quorum",
            ),
            self.setting_tick(),
        ]
    }
}

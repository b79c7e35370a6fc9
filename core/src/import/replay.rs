//! "Replay in the simulator": a scenario v1 built from an import
//! ([`replay_scenario`]), every action it holds explained by an
//! [`Inference`] that lists its evidence (indices into `Import.lines`),
//! and the comparison of the replay with what the real ensemble did
//! (`replay/compare.rs`).
//!
//! What is inferred from what:
//! - the ensemble (ids, observers) from zoo.cfg, else from the servers
//!   that logged and the `OBSERVING` / `…:observer` lines; tickTime,
//!   initLimit, syncLimit from zoo.cfg, else from the start-up lines;
//!   snapCount from zoo.cfg only (ZooKeeper does not log it);
//! - starts from each JVM's first `LOOKING` (servers that were all looking
//!   before any of them heard another start together, at the first
//!   contact: they met then); crashes, restarts, pauses and partitions
//!   from `crate::import::episodes`;
//! - sessions from `Committing global session 0x…` (the owner server is
//!   the id's top byte), closes from `Submitting global closeSession`;
//! - writes from the zxids the servers logged (`replay/txns.rs`): each
//!   epoch's counter as it was seen to grow, less the session txns.
//!
//! What logs cannot give: the real writes' paths and data, exactly when a
//! write was issued (only when its zxid was first seen), clients' own
//! partitions and stalls (a session expiry is listed, not replayed), a
//! pause's exact start, anything a server logged at DEBUG.
//!
//! Contract: pure; the scenario passes `Scenario::check`. Disabling an
//! inference ([`Replay::to_scenario`]) drops exactly its actions.

mod compare;
mod txns;

pub use compare::{compare, compare_facts, compare_sim, Facts, Row};

use serde::Serialize;

use super::episodes::{episodes, Episode, Fault};
use super::evidence::{dur, is_process_start, View};
use super::model::Import;
use crate::scenario::{Action, ActionKind, Ensemble, Network, Scenario, ServerRef};

/// One thing the replay assumed, with the lines it rests on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Inference {
    /// `ensemble`, `settings`, `start`, `crash`, `restart`, `pause`,
    /// `partition`, `session`, `close`, `writes`, `unacked`, `not_replayed`.
    pub kind: &'static str,
    /// What was inferred, in one sentence.
    pub what: String,
    /// Indices into `Import.lines`.
    pub lines: Vec<usize>,
    /// Indices into `Replay.scenario.actions` (empty: it shapes the
    /// ensemble, or nothing could be replayed).
    pub actions: Vec<usize>,
}

/// A scenario built from an import, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Replay {
    pub scenario: Scenario,
    pub inferences: Vec<Inference>,
}

impl Replay {
    /// The scenario with only the actions of the inferences `enabled`
    /// (one flag per inference; missing flags count as enabled).
    pub fn to_scenario(&self, enabled: &[bool]) -> Scenario {
        let mut drop = vec![false; self.scenario.actions.len()];
        for (k, inf) in self.inferences.iter().enumerate() {
            if !enabled.get(k).copied().unwrap_or(true) {
                for &a in &inf.actions {
                    if let Some(d) = drop.get_mut(a) {
                        *d = true;
                    }
                }
            }
        }
        let mut s = self.scenario.clone();
        s.actions = s
            .actions
            .iter()
            .zip(&drop)
            .filter(|(_, d)| !**d)
            .map(|(a, _)| a.clone())
            .collect();
        s
    }
}

/// Actions being collected, each with the inference it belongs to.
pub(crate) struct Plan {
    pub acts: Vec<(u64, ActionKind, usize)>,
    pub infs: Vec<Inference>,
}

impl Plan {
    /// A new inference; returns its index.
    pub fn infer(
        &mut self,
        kind: &'static str,
        what: String,
        v: &View,
        positions: &[usize],
    ) -> usize {
        let mut lines: Vec<usize> = Vec::new();
        for l in positions.iter().filter_map(|&p| v.lines.get(p)) {
            if !lines.contains(&l.i) {
                lines.push(l.i);
            }
        }
        self.infs.push(Inference {
            kind,
            what,
            lines,
            actions: Vec::new(),
        });
        self.infs.len() - 1
    }

    pub fn act(&mut self, at: u64, kind: ActionKind, inf: usize) {
        self.acts.push((at, kind, inf));
    }
}

/// The scenario an import suggests, with its inferences.
pub fn replay_scenario(imp: &Import) -> Replay {
    replay_view(&View::of(imp), imp.config.is_some())
}

/// [`replay_scenario`] over a view.
pub fn replay_view(v: &View, had_cfg: bool) -> Replay {
    let mut plan = Plan {
        acts: Vec::new(),
        infs: Vec::new(),
    };
    let ensemble = ensemble(v, had_cfg, &mut plan);
    let eps = episodes(v);
    starts(v, &mut plan);
    faults(v, &eps, &mut plan);
    txns::sessions_and_writes(v, &eps, &mut plan);
    // Actions in time order (stable: the order found within one ms).
    let mut order: Vec<usize> = (0..plan.acts.len()).collect();
    crate::sorting::sort_by_key(&mut order, |&k| plan.acts[k].0);
    let mut actions = Vec::new();
    for k in order {
        let (at, kind, inf) = plan.acts[k].clone();
        plan.infs[inf].actions.push(actions.len());
        actions.push(Action { at_ms: at, kind });
    }
    let until = v.end().max(actions.last().map_or(0, |a| a.at_ms)) + 1000;
    Replay {
        scenario: Scenario {
            zablab: 1,
            name: "Replay of imported ZooKeeper logs".into(),
            seed: 1,
            ensemble,
            network: Network::default(),
            until_ms: until,
            actions,
            museum: None,
            conform: None,
        },
        inferences: plan.infs,
    }
}

fn ensemble(v: &View, had_cfg: bool, plan: &mut Plan) -> Ensemble {
    let s = &v.settings;
    let mut participants = s.participants.clone();
    if participants.is_empty() {
        participants = v.sids.clone();
    }
    let from = if s.servers_from == "zoo.cfg" {
        "zoo.cfg's server.N lines".to_string()
    } else {
        format!(
            "the servers whose logs were given{} (no zoo.cfg{})",
            if s.observers.is_empty() {
                ""
            } else {
                " and the lines naming observers"
            },
            if had_cfg { " server lines" } else { "" }
        )
    };
    plan.infer(
        "ensemble",
        format!(
            "Voters {} and observers {} from {from}.",
            crate::diagnosis::list_sids(&participants),
            crate::diagnosis::list_sids(&s.observers)
        ),
        v,
        &[],
    );
    let settings_lines: Vec<usize> = (0..v.lines.len())
        .filter(|&p| {
            let t = &v.lines[p].text;
            t.starts_with("tickTime set to")
                || t.starts_with("syncLimit set to")
                || t.starts_with("initLimit set to")
        })
        .take(3)
        .collect();
    let rolls = snap_count_from_rolls(v);
    let snap_count = s.snap_count.or(rolls.as_ref().map(|r| r.0));
    let snap_words = match (s.snap_count, &rolls) {
        (Some(n), _) => format!("{n} from zoo.cfg"),
        (None, Some((n, _))) => format!(
            "about {n}, from the txn-log rolls (`Creating new log file`: a log rolls after snapCount/2 to snapCount txns, and the most txns one file held was {n})"
        ),
        (None, None) => "100000 (ZooKeeper's default: it does not log snapCount, and too few log rolls show it)".into(),
    };
    let mut cites = settings_lines;
    cites.extend(rolls.iter().flat_map(|r| r.1.iter().copied()));
    plan.infer(
        "settings",
        format!(
            "tickTime {} ms, initLimit {}, syncLimit {} from {}; snapCount {snap_words}.",
            s.tick(),
            s.init_limit(),
            s.sync_limit(),
            s.limits_from,
        ),
        v,
        &cites,
    );
    Ensemble {
        participants,
        observers: s.observers.clone(),
        tick_ms: s.tick(),
        init_limit: s.init_limit(),
        sync_limit: s.sync_limit(),
        commit_log_count: s.commit_log_count.unwrap_or(500),
        snap_count: snap_count.unwrap_or(100_000),
        variants: Vec::new(),
        snapshot_size_factor_pct: s.snapshot_size_factor_pct.unwrap_or(33),
        initial_zxid_counter: 0,
        autopurge_snap_retain_count: 3,
        autopurge_purge_interval: 0,
    }
}

/// snapCount from the txn-log rolls (`FileTxnLog`'s `Creating new log
/// file: log.<first zxid>`): `SyncRequestProcessor` rolls after
/// snapCount/2 + a random share of snapCount/2 txns, so the most txns
/// one file of an epoch held is close to snapCount. Needs three rolls of
/// one server in one epoch; returns the estimate and its two lines.
fn snap_count_from_rolls(v: &View) -> Option<(u64, Vec<usize>)> {
    let mut best: Option<(u64, Vec<usize>)> = None;
    for &sid in &v.sids {
        let rolls: Vec<(usize, u64)> = v
            .of_sid(sid)
            .filter_map(|p| {
                let t = &v.lines[p].text;
                t.starts_with("Creating new log file: log.")
                    .then(|| super::events::hex_after(t, "log."))
                    .flatten()
                    .map(|z| (p, z))
            })
            .collect();
        if rolls.len() < 3 {
            continue;
        }
        for w in rolls.windows(2) {
            let ((p, a), (q, b)) = (w[0], w[1]);
            if a >> 32 == b >> 32 && b > a && best.as_ref().is_none_or(|x| b - a > x.0) {
                best = Some((b - a, vec![p, q]));
            }
        }
    }
    best
}

/// Position of the first `LOOKING` of the JVM starting at `first`.
fn first_looking(v: &View, sid: u32, first: usize) -> Option<usize> {
    (first..v.lines.len())
        .filter(|&p| v.lines[p].sid == sid)
        .take_while(|&p| p == first || !is_process_start(&v.lines[p]))
        .find(|&p| v.lines[p].text == "LOOKING")
}

/// The time of the first notification any server got from another.
fn first_contact(v: &View) -> Option<usize> {
    v.lines.iter().position(|l| {
        l.text.starts_with("Notification:")
            && super::events::num_after(&l.text, "n.sid:").is_some_and(|n| n as u32 != l.sid)
    })
}

fn starts(v: &View, plan: &mut Plan) {
    let runs = v.runs();
    let contact = first_contact(v);
    let contact_at = contact.map(|p| v.lines[p].at);
    let mut firsts: Vec<(u64, u32, Vec<usize>)> = Vec::new();
    for &sid in &v.sids {
        let Some(r) = runs.iter().find(|r| r.sid == sid) else {
            continue;
        };
        if !r.started {
            firsts.push((0, sid, vec![r.first]));
            continue;
        }
        let look = first_looking(v, sid, r.first);
        let own = look.map_or(v.lines[r.first].at, |p| v.lines[p].at);
        let mut cites = vec![r.first];
        cites.extend(look);
        let at = match contact_at {
            Some(c) if own <= c => {
                cites.extend(contact);
                c
            }
            _ => own,
        };
        firsts.push((at, sid, cites));
    }
    crate::sorting::sort(&mut firsts);
    let mut k = 0;
    while k < firsts.len() {
        let at = firsts[k].0;
        let group: Vec<&(u64, u32, Vec<usize>)> =
            firsts[k..].iter().take_while(|x| x.0 == at).collect();
        let sids: Vec<u32> = group.iter().map(|x| x.1).collect();
        let cites: Vec<usize> = group.iter().flat_map(|x| x.2.iter().copied()).collect();
        let what = if group.len() > 1 && contact_at == Some(at) {
            format!(
                "Servers {} start together at {}: each was LOOKING before any of them heard another (their first contact), so they met then.",
                crate::diagnosis::list_sids(&sids),
                dur(at)
            )
        } else if at == 0 && cites.iter().all(|&p| !is_process_start(&v.lines[p])) {
            format!(
                "Server(s) {} already running when the logs begin.",
                crate::diagnosis::list_sids(&sids)
            )
        } else {
            format!(
                "Server(s) {} start at {} (their first LOOKING after the JVM's start).",
                crate::diagnosis::list_sids(&sids),
                dur(at)
            )
        };
        let inf = plan.infer("start", what, v, &cites);
        plan.act(at, ActionKind::Start { servers: sids }, inf);
        k += group.len();
    }
}

fn faults(v: &View, eps: &[Episode], plan: &mut Plan) {
    for e in eps {
        match e.fault {
            Fault::Crash => {
                let inf = plan.infer(
                    "crash",
                    format!(
                        "Server {} crashes at {}: its log stops (last line at {}) and its peers lose it{}.",
                        e.sid,
                        dur(e.from),
                        dur(v.lines[e.last].at),
                        if e.until.is_some() { "; it starts again later" } else { " for good" }
                    ),
                    v,
                    &e.cites,
                );
                plan.act(
                    e.from,
                    ActionKind::Crash {
                        server: ServerRef::Sid(e.sid),
                        power_loss: false,
                    },
                    inf,
                );
                if let (Some(n), Some(_)) = (e.next, e.until) {
                    let look = first_looking(v, e.sid, n).unwrap_or(n);
                    let at = v.lines[look].at.max(e.from + 1);
                    let inf = plan.infer(
                        "restart",
                        format!(
                            "Server {} restarts at {} (its new JVM's first LOOKING).",
                            e.sid,
                            dur(at)
                        ),
                        v,
                        &[n, look],
                    );
                    plan.act(
                        at,
                        ActionKind::Restart {
                            server: ServerRef::Sid(e.sid),
                        },
                        inf,
                    );
                }
            }
            Fault::Pause => {
                let until = e.until.unwrap_or(e.from);
                let inf = plan.infer(
                    "pause",
                    format!(
                        "Server {} is paused from {} for {}: silent after {}, its peers timed out on it, and it woke at {} (the start is bounded: the peers' time-out minus syncLimit × tickTime).",
                        e.sid,
                        dur(e.from),
                        dur(until - e.from),
                        dur(v.lines[e.last].at),
                        dur(until)
                    ),
                    v,
                    &e.cites,
                );
                plan.act(
                    e.from,
                    ActionKind::Pause {
                        server: ServerRef::Sid(e.sid),
                        for_ms: (until - e.from).max(1),
                    },
                    inf,
                );
            }
            Fault::Partition => {
                let groups: Vec<Vec<u32>> =
                    e.groups.iter().filter(|g| !g.is_empty()).cloned().collect();
                let inf = plan.infer(
                    "partition",
                    format!(
                        "A partition {} from {}{}: peers timed out on each other while both sides kept logging; the sides are the next leader's supporters and the rest.",
                        groups.iter().map(|g| format!("{{{}}}", crate::diagnosis::list_sids(g))).collect::<Vec<_>>().join(" | "),
                        dur(e.from),
                        e.until.map_or(" to the end".to_string(), |u| format!(", healed at {} (the first contact across it)", dur(u)))
                    ),
                    v,
                    &e.cites,
                );
                plan.act(
                    e.from,
                    ActionKind::Partition {
                        groups,
                        clients: Vec::new(),
                    },
                    inf,
                );
                if let Some(u) = e.until {
                    plan.act(u, ActionKind::Heal, inf);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;

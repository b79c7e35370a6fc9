//! The same scenario in the simulator, reported in conform's vocabulary
//! (`facts.rs`), and what the real driver waits for before each action.
//!
//! Contract: runs `zablab-core` only. Steps the simulation to just before
//! each action's time to note which server a `"leader"` names (for the
//! faults list), then runs it to its end; how far it had come before each
//! action ([`Ready`]) is read from its log. The facts come from the
//! simulator's own log lines through the same `facts::derive` as the
//! real logs; writes, reads and four-letter words from its records; the end state from its `srvr`/`mntr`; each
//! tree from each server's own data tree; where each client attached
//! ([`Attach`], read from the client views after every event). Never
//! changes the run.

use std::collections::BTreeMap;

use zablab_core::sim::{FourLwRecord, ReadRecord, WriteRecord};
use zablab_core::{ActionKind, Scenario, ServerRef, Simulation};

use super::facts::{self, EndState, Fault, FourLw, Line, Outcome, ReadRec, TreeNode, WriteRec};
use super::real::{Attach, Ready};

/// The simulator's side.
pub struct SimReport {
    pub outcome: Outcome,
    pub ready: Vec<Ready>,
    pub violations: Vec<String>,
    pub action_errors: Vec<String>,
    pub trace_hash: String,
    pub attach: Attach,
}

/// Follows the client views from event to event.
#[derive(Default)]
struct Watch {
    attach: Attach,
    /// Handle id → (name, handle ordinal, connected to).
    seen: BTreeMap<u64, (String, usize, Option<u32>)>,
}

impl Watch {
    /// Runs `sim` through every event up to and including `t`, noting each
    /// new attach.
    fn run_until(&mut self, sim: &mut Simulation, t: u64) {
        while sim.next_event_ms().is_some_and(|n| n <= t) {
            sim.step();
            self.look(sim);
        }
        sim.run_until(t);
    }

    fn look(&mut self, sim: &Simulation) {
        for c in sim.clients_view() {
            let id = c.id as u64;
            let (name, k, on) = self.seen.entry(id).or_insert_with(|| {
                let handles = self.attach.entry(c.name.clone()).or_default();
                handles.push(Vec::new());
                (c.name.clone(), handles.len() - 1, None)
            });
            let now = (c.state == "CONNECTED").then_some(c.server);
            if now != *on {
                let list = &mut self.attach.get_mut(name.as_str()).unwrap()[*k];
                if let (Some(_), Some(last)) = (*on, list.last_mut()) {
                    last.1 = sim.now_ms();
                }
                if let Some(sid) = now {
                    list.push((sim.now_ms(), u64::MAX, sid));
                }
            }
            *on = now;
        }
    }
}

pub fn run(s: &Scenario) -> Result<SimReport, String> {
    let mut sim = Simulation::new(s.clone()).map_err(|e| e.to_string())?;
    // Every line is compared with the real servers' logs.
    sim.keep_log_lines(usize::MAX);
    let mut order: Vec<(u64, usize)> = s
        .actions
        .iter()
        .enumerate()
        .map(|(i, a)| (a.at_ms, i))
        .collect();
    order.sort();
    let mut ready = vec![Ready::default(); s.actions.len()];
    let mut faults = Vec::new();
    let mut watch = Watch::default();
    for &(t, i) in &order {
        if t > 0 {
            watch.run_until(&mut sim, t - 1);
        }
        let leader = sim.established_leader();
        let resolve = |r: ServerRef| match r {
            ServerRef::Sid(s) => Some(s),
            ServerRef::Leader => leader,
        };
        let mut push = |sid: Option<u32>, kind: &str, at: u64| {
            if let Some(sid) = sid {
                faults.push(Fault {
                    at_ms: at as i64,
                    sid,
                    kind: kind.to_string(),
                });
            }
        };
        match &s.actions[i].kind {
            ActionKind::Start { servers } => {
                for &sid in servers {
                    push(Some(sid), "start", t);
                }
            }
            ActionKind::Crash { server, .. } => push(resolve(*server), "crash", t),
            ActionKind::Restart { server } => push(resolve(*server), "restart", t),
            ActionKind::Pause { server, for_ms } => {
                push(resolve(*server), "pause", t);
                push(resolve(*server), "resume", t + for_ms);
            }
            _ => {}
        }
    }
    watch.run_until(&mut sim, s.until_ms);
    faults.sort_by_key(|f| f.at_ms);
    let mut out = Outcome {
        side: "sim".into(),
        faults,
        ..Outcome::default()
    };
    out.writes = sim.writes().iter().map(write_rec).collect();
    out.reads = sim.reads().iter().map(read_rec).collect();
    out.fourlw = fourlw(s, sim.fourlw_records());
    let lines: Vec<Line> = sim
        .log()
        .iter()
        .map(|l| Line {
            at_ms: l.at_ms as i64,
            sid: l.sid,
            level: l.level.name().to_string(),
            class: l.class.to_string(),
            text: l.text.clone(),
        })
        .collect();
    facts::derive(&mut out, &lines);
    for (i, a) in s.actions.iter().enumerate() {
        ready[i] = progress(&lines, a.at_ms as i64);
    }
    end_states(&sim, &mut out);
    Ok(SimReport {
        outcome: out,
        ready,
        violations: sim
            .violations()
            .iter()
            .map(|v| format!("{} at {} ms: {}", v.property, v.at_ms, v.detail))
            .collect(),
        action_errors: sim
            .action_errors()
            .iter()
            .map(|e| format!("{} at {} ms: {}", e.action, e.at_ms, e.error))
            .collect(),
        trace_hash: format!("0x{:016x}", sim.trace_hash()),
        attach: watch.attach,
    })
}

/// How far the simulated ensemble had come before `t`: the highest
/// established epoch, each server's count of broadcast phases.
fn progress(lines: &[Line], t: i64) -> Ready {
    let before = lines.iter().filter(|l| l.at_ms < t);
    let mut r = Ready::default();
    let mut counts = std::collections::BTreeMap::new();
    for l in before {
        if let Some(state) = l.text.strip_prefix("Peer state changed: ") {
            if state.ends_with("- broadcast") {
                *counts.entry(l.sid).or_insert(0) += 1;
            }
        }
        if l.text.starts_with("Have quorum of supporters") {
            if let Some(e) = facts::epoch_of(&l.text) {
                r.epoch = r.epoch.max(e);
            }
        }
    }
    r.broadcasts = counts.into_iter().collect();
    r
}

fn write_rec(w: &WriteRecord) -> WriteRec {
    WriteRec {
        client: w.client.clone(),
        op: w.op.to_string(),
        path: w.path.clone(),
        zxid: w.zxid.map(|z| format!("0x{:x}", z.0)),
        result: w.result.clone(),
        at_ms: w.at_ms,
    }
}

fn read_rec(r: &ReadRecord) -> ReadRec {
    ReadRec {
        client: r.client.clone(),
        server: r.server,
        op: r.op.to_string(),
        path: r.path.clone(),
        zxid: format!("0x{:x}", r.zxid.0),
        result: r.result.clone(),
        data: r.data.clone(),
        at_ms: r.at_ms,
    }
}

/// Each `4lw` action's answer; an action the simulator could not do (its
/// server down) answered nothing.
fn fourlw(s: &Scenario, records: &[FourLwRecord]) -> Vec<FourLw> {
    let mut used = vec![false; records.len()];
    let mut out = Vec::new();
    for (i, a) in s.actions.iter().enumerate() {
        let ActionKind::FourLetterWord { cmd, .. } = &a.kind else {
            continue;
        };
        let found = records
            .iter()
            .enumerate()
            .find(|(k, r)| !used[*k] && r.at_ms == a.at_ms && &r.cmd == cmd);
        let (server, output) = match found {
            Some((k, r)) => {
                used[k] = true;
                (r.server, Some(r.output.clone()))
            }
            None => match a.kind {
                ActionKind::FourLetterWord {
                    server: ServerRef::Sid(sid),
                    ..
                } => (sid, None),
                _ => (0, None),
            },
        };
        out.push(FourLw {
            action: i,
            server,
            cmd: cmd.clone(),
            at_ms: a.at_ms as i64,
            output,
        });
    }
    out
}

fn end_states(sim: &Simulation, out: &mut Outcome) {
    let mut views = sim.servers();
    views.sort_by_key(|v| v.sid);
    for v in views {
        let end = if !v.up {
            EndState::down(v.sid, "down")
        } else if v.paused {
            EndState::down(v.sid, "paused")
        } else {
            let srvr = sim.four_letter_word_now(v.sid, "srvr").unwrap_or_default();
            let mntr = sim.four_letter_word_now(v.sid, "mntr").unwrap_or_default();
            EndState::from_4lw(v.sid, &srvr, &mntr)
        };
        if end.mode != "not serving" && end.zxid.is_some() {
            if let Some(server) = sim.server_state(v.sid) {
                let nodes = server
                    .tree
                    .nodes
                    .iter()
                    .filter(|(p, _)| {
                        let p: &str = p;
                        p != "/" && p != "/zookeeper" && !p.starts_with("/zookeeper/")
                    })
                    .map(|(p, n)| TreeNode {
                        path: p.to_string(),
                        data: n.data.to_string(),
                        czxid: format!("0x{:x}", n.czxid.0),
                        mzxid: format!("0x{:x}", n.mzxid.0),
                    })
                    .collect();
                out.trees.insert(v.sid, nodes);
            }
        }
        out.ends.push(end);
    }
}

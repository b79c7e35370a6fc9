//! "Replay in the simulator": what the app lets the user check and edit
//! before an imported run is replayed, and the scenario v1 it opens. The
//! plan is the ensemble (from zoo.cfg or the start-up lines: ids,
//! observers, tickTime, initLimit, syncLimit) and the inferences, each
//! with the lines that show it: every server's first start, then the
//! faults the core's `import::episodes` read from the logs (a crash and
//! its restart, a pause, a partition and its end). The user may switch an
//! inference off, move its time, and change the three settings.
//!
//! Then [`Plan::scenario`] is the scenario file (built as its JSON, so
//! the one parser validates it) and [`compare`] puts the real facts
//! (leaders, epochs, sync modes) beside the replay's, marking each
//! difference. Pure, tested natively; it never runs the simulation (the
//! model opens the scenario like any file).

use zablab_core::import::episodes::{episodes, Fault};
use zablab_core::import::evidence::View;
use zablab_core::import::Import;
use zablab_core::Scenario;

/// What the logs say happened, as a scenario action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Act {
    /// The server's first JVM start.
    Start(u32),
    /// Crashed at `at`, started again at `until` (None: not in the logs).
    Crash { sid: u32, until: Option<u64> },
    /// Paused (a GC stall, SIGSTOP) until `until`.
    Pause { sid: u32, until: Option<u64> },
    /// The two sides cut apart until `until`.
    Partition {
        groups: Vec<Vec<u32>>,
        until: Option<u64>,
    },
}

/// One inference, with its evidence (indices into `Import::lines`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inference {
    pub act: Act,
    /// When (ms after the first line), editable.
    pub at: u64,
    pub on: bool,
    pub cites: Vec<usize>,
}

/// A setting the user may change before replaying.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Knob {
    TickMs,
    InitLimit,
    SyncLimit,
}

/// What will be replayed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub participants: Vec<u32>,
    pub observers: Vec<u32>,
    pub tick_ms: u64,
    pub init_limit: u64,
    pub sync_limit: u64,
    /// Where the settings came from (`zoo.cfg`, the start-up lines, or
    /// ZooKeeper's defaults), as the core says.
    pub settings_from: String,
    pub inferences: Vec<Inference>,
    /// The logs' length: the replay runs a little past it.
    pub span_ms: u64,
}

/// The time after the last inference the replay keeps running.
const AFTER_MS: u64 = 5_000;

impl Plan {
    /// The plan the logs of `imp` support.
    pub fn of(imp: &Import) -> Plan {
        let v = View::of(imp);
        let s = &v.settings;
        let mut inferences: Vec<Inference> = Vec::new();
        for r in v.runs() {
            if inferences
                .iter()
                .any(|i| matches!(i.act, Act::Start(x) if x == r.sid))
            {
                continue;
            }
            let first = &v.lines[r.first];
            inferences.push(Inference {
                act: Act::Start(r.sid),
                at: first.at,
                on: true,
                cites: vec![first.i],
            });
        }
        for e in episodes(&v) {
            let act = match e.fault {
                Fault::Crash => Act::Crash {
                    sid: e.sid,
                    until: e.until,
                },
                Fault::Pause => Act::Pause {
                    sid: e.sid,
                    until: e.until,
                },
                Fault::Partition => Act::Partition {
                    groups: e.groups.clone(),
                    until: e.until,
                },
            };
            let cites = e
                .cites
                .iter()
                .filter_map(|&p| v.lines.get(p))
                .map(|l| l.i)
                .collect();
            inferences.push(Inference {
                act,
                at: e.from,
                on: true,
                cites,
            });
        }
        zablab_core::sorting::sort_by_key(&mut inferences, |i| i.at);
        let mut participants = s.participants.clone();
        if participants.is_empty() {
            participants = v.sids.clone();
        }
        Plan {
            participants,
            observers: s.observers.clone(),
            tick_ms: s.tick(),
            init_limit: s.init_limit(),
            sync_limit: s.sync_limit(),
            settings_from: s.limits_from.to_string(),
            inferences,
            span_ms: v.end(),
        }
    }

    pub fn set(&mut self, knob: Knob, v: u64) {
        let v = v.max(1);
        match knob {
            Knob::TickMs => self.tick_ms = v,
            Knob::InitLimit => self.init_limit = v,
            Knob::SyncLimit => self.sync_limit = v,
        }
    }

    /// The scenario v1 to replay, or the parser's reason it is not one.
    pub fn scenario(&self, name: &str) -> Result<Scenario, String> {
        Scenario::from_json(&self.json(name)).map_err(|e| e.to_string())
    }

    /// The scenario's text.
    pub fn json(&self, name: &str) -> String {
        let mut actions: Vec<(u64, serde_json::Value)> = Vec::new();
        for i in self.inferences.iter().filter(|i| i.on) {
            let at = i.at;
            use serde_json::json;
            match &i.act {
                Act::Start(sid) => actions.push((at, json!({"do": "start", "servers": [sid]}))),
                Act::Crash { sid, until } => {
                    actions.push((at, json!({"do": "crash", "server": sid})));
                    if let Some(u) = until.filter(|&u| u > at) {
                        actions.push((u, json!({"do": "restart", "server": sid})));
                    }
                }
                Act::Pause { sid, until } => {
                    let until = until.unwrap_or(self.span_ms).max(at + 1);
                    actions.push((
                        at,
                        json!({"do": "pause", "server": sid, "for_ms": until - at}),
                    ));
                }
                Act::Partition { groups, until } => {
                    actions.push((at, json!({"do": "partition", "groups": groups})));
                    if let Some(u) = until.filter(|&u| u > at) {
                        actions.push((u, json!({"do": "heal"})));
                    }
                }
            }
        }
        zablab_core::sorting::sort_by_key(&mut actions, |(t, _)| *t);
        let last = actions.iter().map(|(t, _)| *t).max().unwrap_or(0);
        let actions: Vec<serde_json::Value> = actions
            .into_iter()
            .map(|(t, mut a)| {
                a["at_ms"] = t.into();
                a
            })
            .collect();
        let mut ensemble = serde_json::json!({
            "participants": self.participants,
            "tick_ms": self.tick_ms,
            "init_limit": self.init_limit,
            "sync_limit": self.sync_limit,
        });
        if !self.observers.is_empty() {
            ensemble["observers"] = self.observers.clone().into();
        }
        serde_json::json!({
            "zablab": 1,
            "name": name,
            "seed": 1,
            "ensemble": ensemble,
            "until_ms": self.span_ms.max(last) + AFTER_MS,
            "actions": actions,
        })
        .to_string()
    }
}

/// One row of the comparison: what the logs show and what the replay did
/// (a leader: its sid and epoch; a sync: the learner and the mode).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub leader: bool,
    pub real: Option<(u32, String)>,
    pub replay: Option<(u32, String)>,
}

impl Row {
    pub fn differs(&self) -> bool {
        self.real != self.replay
    }
}

/// One side's facts: leaders `(sid, epoch)` and syncs `(learner, mode)`,
/// each in time order.
pub type Facts<'a> = (&'a [(u32, u32)], &'a [(u32, String)]);

/// The real facts beside the replay's, row by row.
pub fn compare(real: Facts, replay: Facts) -> Vec<Row> {
    let mut rows = Vec::new();
    let epoch = |v: &[(u32, u32)], i: usize| v.get(i).map(|(s, e)| (*s, e.to_string()));
    for i in 0..real.0.len().max(replay.0.len()) {
        rows.push(Row {
            leader: true,
            real: epoch(real.0, i),
            replay: epoch(replay.0, i),
        });
    }
    for i in 0..real.1.len().max(replay.1.len()) {
        rows.push(Row {
            leader: false,
            real: real.1.get(i).cloned(),
            replay: replay.1.get(i).cloned(),
        });
    }
    rows
}

#[cfg(test)]
mod tests;

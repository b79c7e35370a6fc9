//! Shrinking a failing scenario to a small one that `zablab run` replays
//! to the same property: remove actions (chunks, then single ones), then
//! whole servers, then trim the end time, keeping each step that still
//! fails with the same property.
//!
//! The search may pass through scenarios a file could not hold (a write
//! whose client's `connect` was dropped: the simulator reports it as an
//! action error); what it returns is the smallest failing candidate that
//! passes `Scenario::check`, so the file written loads. Never changes a
//! seed's generated scenario.

use crate::scenario::{Action, ActionKind, Scenario, ServerRef};
use crate::sim::Simulation;

/// Whether `scenario` still fails with `property`.
pub(super) fn fails_with(scenario: &Scenario, property: &str) -> bool {
    match Simulation::new(scenario.clone()) {
        Ok(mut sim) => {
            sim.run_to_end();
            sim.violations().iter().any(|v| v.property == property)
        }
        Err(_) => false,
    }
}

/// The scenario without server `sid`: out of the ensemble, out of every
/// action (an action that only concerned it is dropped).
pub(super) fn without_server(s: &Scenario, sid: u32) -> Option<Scenario> {
    let mut out = s.clone();
    let e = &mut out.ensemble;
    e.participants.retain(|&x| x != sid);
    e.observers.retain(|&x| x != sid);
    if e.participants.is_empty() {
        return None;
    }
    let all: Vec<u32> = out.sids().collect();
    let first = all[0];
    out.actions = s
        .actions
        .iter()
        .filter_map(|a| {
            let kind = match &a.kind {
                ActionKind::Start { servers } => ActionKind::Start {
                    servers: servers.iter().copied().filter(|&x| x != sid).collect(),
                },
                ActionKind::Partition { groups, clients } => {
                    let groups: Vec<Vec<u32>> = groups
                        .iter()
                        .map(|g| g.iter().copied().filter(|&x| x != sid).collect())
                        .filter(|g: &Vec<u32>| !g.is_empty())
                        .collect();
                    if groups.len() < 2 || !clients.is_empty() {
                        return None;
                    }
                    ActionKind::Partition {
                        groups,
                        clients: Vec::new(),
                    }
                }
                ActionKind::SlowLink { from, to, .. }
                | ActionKind::Cut { from, to }
                | ActionKind::Drop { from, to }
                    if *from == sid || *to == sid =>
                {
                    return None
                }
                ActionKind::Crash { server, .. }
                | ActionKind::Restart { server }
                | ActionKind::Pause { server, .. }
                | ActionKind::SlowDisk { server, .. }
                | ActionKind::FourLetterWord { server, .. }
                    if *server == ServerRef::Sid(sid) =>
                {
                    return None
                }
                ActionKind::Connect {
                    client,
                    server,
                    session_timeout_ms,
                } if *server == ServerRef::Sid(sid) => ActionKind::Connect {
                    client: client.clone(),
                    server: ServerRef::Sid(first),
                    session_timeout_ms: *session_timeout_ms,
                },
                other => other.clone(),
            };
            Some(Action {
                at_ms: a.at_ms,
                kind,
            })
        })
        .collect();
    Some(out)
}

/// Shrinks a failing scenario: fewest actions and servers that still fail
/// with `property`, then the earliest end. `budget` caps the runs tried.
///
/// A liveness failure keeps its liveness phase (everything from the first
/// `expect` on): without it the failure would only say that nothing was
/// restarted.
pub fn shrink(failing: &Scenario, property: &str, budget: u32) -> Scenario {
    let keep_from_ms = if property.starts_with("Liveness") {
        failing
            .actions
            .iter()
            .find(|a| matches!(a.kind, ActionKind::Expect { .. }))
            .map_or(u64::MAX, |a| a.at_ms)
    } else {
        u64::MAX
    };
    let mut s = Shrinker {
        best: failing.clone(),
        valid: failing.clone(),
        property,
        budget,
        keep_from_ms,
    };
    loop {
        let before = (s.best.actions.len(), s.best.sids().count());
        s.drop_actions();
        s.drop_servers();
        if (s.best.actions.len(), s.best.sids().count()) == before || s.budget == 0 {
            break;
        }
    }
    s.trim_end();
    let mut best = s.valid;
    best.name = format!("{} (shrunk)", failing.name);
    best
}

/// The smallest failing scenario so far and what is left to spend.
struct Shrinker<'a> {
    best: Scenario,
    /// The smallest failing scenario so far that a file can hold.
    valid: Scenario,
    property: &'a str,
    budget: u32,
    /// Actions from this time on are kept (a liveness failure's phase).
    keep_from_ms: u64,
}

impl Shrinker<'_> {
    /// Keeps `candidate` if it still fails.
    fn try_it(&mut self, candidate: Scenario) -> bool {
        if self.budget == 0 {
            return false;
        }
        self.budget -= 1;
        if fails_with(&candidate, self.property) {
            if candidate.check().is_ok() {
                self.valid = candidate.clone();
            }
            self.best = candidate;
            true
        } else {
            false
        }
    }

    /// Removes chunks of actions, halving the chunk size (ddmin-like).
    fn drop_actions(&mut self) {
        let mut chunk = (self.best.actions.len() / 2).max(1);
        loop {
            let mut i = 0;
            while i < self.best.actions.len() {
                let mut candidate = self.best.clone();
                let end = (i + chunk).min(candidate.actions.len());
                if candidate.actions[i..end]
                    .iter()
                    .any(|a| a.at_ms >= self.keep_from_ms)
                {
                    i += chunk;
                    continue;
                }
                candidate.actions.drain(i..end);
                if !self.try_it(candidate) {
                    i += chunk;
                }
            }
            if chunk == 1 {
                break;
            }
            chunk /= 2;
        }
    }

    /// Removes servers: observers first, then voters, highest sid first.
    /// A liveness failure keeps its voters: the healed phase relies on a
    /// quorum of them being up.
    fn drop_servers(&mut self) {
        let mut sids: Vec<u32> = self.best.ensemble.observers.clone();
        if self.keep_from_ms == u64::MAX {
            let mut voters = self.best.ensemble.participants.clone();
            voters.reverse();
            sids.extend(voters);
        }
        for sid in sids {
            if let Some(candidate) = without_server(&self.best, sid) {
                self.try_it(candidate);
            }
        }
    }

    /// Ends the scenario just after the failure.
    fn trim_end(&mut self) {
        let Ok(mut sim) = Simulation::new(self.best.clone()) else {
            return;
        };
        sim.run_to_end();
        if let Some(v) = sim
            .violations()
            .iter()
            .find(|v| v.property == self.property)
        {
            let mut candidate = self.best.clone();
            candidate.until_ms = v
                .at_ms
                .max(candidate.actions.iter().map(|a| a.at_ms).max().unwrap_or(0));
            candidate.actions.retain(|a| a.at_ms <= candidate.until_ms);
            self.try_it(candidate);
        }
    }
}

//! Recipe hazards: what the run's lock and sync+read recipes showed
//! (`Simulation::hazards`, recorded by `sim/recipes.rs`), ZooKeeper
//! behaving as specified in a way an application must defend against: a
//! lock holder whose session expired (`lock_fencing`), a sync then read
//! answered by a deposed leader (`sync_not_linearizable`).
//!
//! Contract: one past finding per hazard recorded; the hazard's own
//! detail is the finding's text (with the advice for a lock holder).
//! Of its siblings it uses only `evidence`.

use super::episodes::blame_any;
use super::evidence::ms;
use crate::diagnosis::{Finding, Setting, Severity};
use crate::sim::Simulation;

impl Simulation {
    pub(super) fn diag_hazards(&self, f: &mut Vec<Finding>) {
        for h in self.hazards() {
            let (id, text, settings) = match h.kind {
                "LockHolderExpired" => {
                    let timeout = h
                        .clients
                        .first()
                        .and_then(|n| self.clients.iter().find(|c| &c.name == n))
                        .map_or("per session".to_string(), |c| ms(c.timeout_ms));
                    (
                        "lock_fencing",
                        format!(
                            "{}. A client learns that its session expired only when it reaches a server again, so a careful holder treats Disconnected as a possible loss of the lock.",
                            h.detail
                        ),
                        vec![Setting {
                            name: "session timeout",
                            value: timeout,
                            why: "how long a cut-off holder keeps its lock node before the leader expires it".into(),
                        }],
                    )
                }
                "SyncReadNotLinearizable" => (
                    "sync_not_linearizable",
                    h.detail.clone(),
                    vec![
                        self.setting_sync_limit("how many ticks a deposed leader keeps leading, and answering sync, before it notices"),
                        self.setting_tick(),
                    ],
                ),
                _ => continue,
            };
            let mut x = Finding::new(id, Severity::Warning, h.at_ms, text);
            x.now = false;
            x.settings = settings;
            let window = self
                .clients
                .iter()
                .filter(|c| h.clients.contains(&c.name))
                .map(|c| c.timeout_ms)
                .max()
                .unwrap_or(0)
                .max(self.sync_timeout());
            x.cause = blame_any(
                &self.episodes(),
                &self.voters(),
                h.at_ms.saturating_sub(window),
                h.at_ms,
            );
            x.advice = match id {
                "lock_fencing" => vec![
                    "Fence the resource: each lock grant carries a number that only grows (the lock node's czxid, or its sequence number) and the resource refuses requests with an older one. A holder treats Disconnected as a possible loss of the lock, and a short sessionTimeout shortens the window (a longer one survives longer stalls).".to_string(),
                ],
                _ => vec![self.advice_stale_reads()],
            };
            f.push(x);
        }
    }
}

//! The plain facts about the servers: which is down (killed, exited) and
//! which is paused (a GC stall), as `server_down` and `server_paused`.
//!
//! Contract: states a fact of now, with the time it began; it explains
//! nothing else (what a down or paused server causes is the other
//! families' business). Of its siblings it uses only `evidence`.

use super::evidence::ms;
use crate::diagnosis::{Finding, Severity};
use crate::proto::Sid;
use crate::sim::Simulation;

impl Simulation {
    pub(super) fn diag_facts(&self, out: &mut Vec<Finding>) {
        for n in &self.nodes {
            let sid = n.sid;
            if !self.running(sid) {
                out.extend(self.server_down(sid));
            } else if let Some(until) = n.paused_until {
                out.push(self.server_paused(sid, until));
            }
        }
    }

    /// `server_down`, unless `sid` was never started.
    fn server_down(&self, sid: Sid) -> Option<Finding> {
        let why = self.absence(sid)?;
        if why.ends_with("is not started") {
            return None;
        }
        let at = self.killed_at(sid, self.now_ms).unwrap_or(0);
        let mut f = Finding::new(
            "server_down",
            Severity::Warning,
            at,
            format!(
                "Server {why}. Its clients moved to other servers; its sessions live on while they reconnect within their timeout."
            ),
        );
        f.server = Some(sid);
        f.servers = vec![sid];
        Some(f)
    }

    fn server_paused(&self, sid: Sid, until: u64) -> Finding {
        let from = self
            .pauses()
            .iter()
            .rev()
            .find(|p| p.sid == sid && p.to == until)
            .map_or(self.now_ms, |p| p.from);
        let mut f = Finding::new(
            "server_paused",
            Severity::Warning,
            from,
            format!(
                "Server {sid} is paused (a GC stall) from {} until {}: it holds its connections but answers nothing; peers notice only by their timeouts (a follower is dropped after syncLimit×tickTime = {} of silence, a session expires after its timeout).",
                ms(from),
                ms(until),
                ms(self.sync_timeout())
            ),
        );
        f.server = Some(sid);
        f.servers = vec![sid];
        f.until_ms = Some(until);
        f.settings = vec![
            self.setting_sync_limit("how long peers wait on a silent server"),
            self.setting_tick(),
        ];
        f
    }
}

//! Sessions: why a session expired (`session_expired`), from the leader's
//! `Expiring session 0x…, timeout of … ms exceeded` line (ZooKeeper's
//! `SessionTrackerImpl`) and what kept its heartbeats from the leader
//! during the timeout before it: its server killed or paused, the leader
//! paused, a cut between its server and the leader, no connection, or the
//! client itself; see `docs/PROTOCOL.md §10`.
//!
//! Contract: one past finding per expiry line; the client's connection is
//! read from the observer's client records. Of its siblings it uses only
//! `evidence`.

use super::episodes::{blame_any, blame_link, blame_server, Fault};
use super::evidence::ms;
use crate::diagnosis::{Finding, Setting, Severity};
use crate::proto::Sid;
use crate::sim::observe::ClientRecord;
use crate::sim::{LogEntry, Simulation};

/// The session and its timeout (ms) of an `Expiring session` line.
fn expiry(l: &LogEntry) -> Option<(u64, u64)> {
    let rest = l.text.strip_prefix("Expiring session 0x")?;
    let hex: String = rest.chars().take_while(|c| c.is_ascii_hexdigit()).collect();
    let session = u64::from_str_radix(&hex, 16).ok()?;
    let timeout: u64 = rest
        .split("timeout of ")
        .nth(1)
        .and_then(|t| t.split("ms").next())
        .and_then(|t| t.parse().ok())
        .unwrap_or(0);
    Some((session, timeout))
}

impl Simulation {
    pub(super) fn diag_sessions(&self, out: &mut Vec<Finding>) {
        for l in &self.log {
            if let Some((session, timeout)) = expiry(l) {
                out.push(self.session_expired(l, session, timeout));
            }
        }
    }

    /// `session_expired` for the expiry line `l` (on the leader).
    fn session_expired(&self, l: &LogEntry, session: u64, timeout: u64) -> Finding {
        let (t, leader) = (l.at_ms, l.sid);
        let from = t.saturating_sub(timeout);
        let rec = self
            .obs
            .clients
            .iter()
            .rev()
            .find(|r| r.session == session && r.at_ms <= from.max(1));
        let rec = rec.or_else(|| self.obs.clients.iter().rev().find(|r| r.session == session));
        let mut servers = vec![leader];
        let client = rec.map(|r| r.client.clone());
        let mut reasons = match rec {
            Some(r) => {
                servers.push(r.server);
                self.expiry_reasons(r, leader, t, timeout)
            }
            None => Vec::new(),
        };
        if reasons.is_empty() {
            reasons.push(match rec {
                Some(r) if r.state == "connected" => format!(
                    "its client was connected to server {}, which was up and could reach the leader, yet sent nothing within the timeout (a client pings every third of it): the client itself stalled",
                    r.server
                ),
                _ => "no ping of the session reached the leader".to_string(),
            });
        }
        // A leader that a newer epoch had already replaced expires the
        // session on its own tracker, but cannot commit the closeSession.
        let epoch = self
            .leaders
            .iter()
            .rev()
            .find(|r| r.sid == leader && r.established_ms <= t)
            .map(|r| r.epoch);
        let newer = self
            .leaders
            .iter()
            .find(|r| epoch.is_some_and(|e| r.epoch > e) && r.established_ms <= t);
        let outcome = match newer {
            Some(r) => format!(
                "Server {leader} had been deposed (server {} led epoch {} since {}): its closeSession cannot commit without a quorum, so the session lives on under the new leader unless that one expires it too.",
                r.sid,
                r.epoch,
                ms(r.established_ms)
            ),
            None => "Its ephemeral nodes are deleted (closeSession).".to_string(),
        };
        let mut f = Finding::new(
            "session_expired",
            if newer.is_some() {
                Severity::Warning
            } else {
                Severity::Critical
            },
            t,
            format!(
                "Session 0x{session:x}{} expired at {} on leader {leader}: no heartbeat reached the leader for its timeout of {}: {}. {outcome}",
                client.map(|c| format!(" (client {c})")).unwrap_or_default(),
                ms(t),
                ms(timeout),
                reasons.join("; ")
            ),
        );
        f.now = false;
        f.server = Some(leader);
        crate::sorting::sort(&mut servers);
        servers.dedup();
        f.servers = servers;
        f.sessions = vec![format!("0x{session:x}")];
        f.evidence = vec![format!("server {leader}: {}", l.text)];
        f.settings = self.session_settings(timeout);
        f.cause = rec.and_then(|r| self.expiry_cause(r, leader, t, timeout));
        f.advice = self.advice_session(timeout);
        f
    }

    /// The fault that kept the heartbeats of `r`'s client from `leader`:
    /// its server or the leader down or paused, a cut between them, else
    /// any fault of the ensemble in the timeout.
    fn expiry_cause(&self, r: &ClientRecord, leader: Sid, t: u64, timeout: u64) -> Option<String> {
        let eps = self.episodes();
        let from = t.saturating_sub(timeout);
        let server = [Fault::Down, Fault::Paused];
        blame_server(&eps, &server, r.server, from, t)
            .or_else(|| blame_server(&eps, &server, leader, from, t))
            .or_else(|| blame_link(&eps, r.server, leader, from, t))
            .map(|e| e.key.clone())
            .or_else(|| blame_any(&eps, &self.voters(), from, t))
    }

    /// What kept the heartbeats of the client of `r` from `leader` during
    /// the `timeout` before the expiry at `t`.
    fn expiry_reasons(&self, r: &ClientRecord, leader: Sid, t: u64, timeout: u64) -> Vec<String> {
        let from = t.saturating_sub(timeout);
        let mut reasons = Vec::new();
        let s = r.server;
        if let Some((k, how)) = self.stopped_at(s, t).filter(|&(k, _)| k + timeout >= t) {
            reasons.push(format!(
                "its server {s} {how} at {} and the client did not re-attach the session to another server in time",
                ms(k)
            ));
        }
        for p in self.pauses().iter().filter(|p| p.from < t && p.to > from) {
            if p.sid == s || p.sid == leader {
                let who = if p.sid == leader {
                    format!("the leader {leader}")
                } else {
                    format!("its server {s}")
                };
                reasons.push(format!(
                    "{who} was paused (a GC stall) from {} to {}",
                    ms(p.from),
                    ms(p.to)
                ));
            }
        }
        if s != leader
            && (self.cut_during(s, leader, from, t) || self.cut_during(leader, s, from, t))
        {
            reasons.push(format!(
                "its server {s} was cut off from the leader {leader}: a learner passes its sessions' pings to the leader only in its PING replies"
            ));
        }
        if r.state == "connecting" {
            reasons.push(format!(
                "the client had no connection since {} (no server would take it)",
                ms(r.at_ms)
            ));
        }
        reasons
    }

    /// The settings that bound a session's timeout.
    fn session_settings(&self, timeout: u64) -> Vec<Setting> {
        let e = &self.scenario.ensemble;
        vec![
            Setting {
                name: "session timeout",
                value: ms(timeout),
                why: format!(
                    "negotiated between minSessionTimeout ({}) and maxSessionTimeout ({}); the leader expires sessions at tick boundaries",
                    ms(2 * e.tick_ms),
                    ms(20 * e.tick_ms)
                ),
            },
            Setting {
                name: "maxSessionTimeout",
                value: ms(20 * e.tick_ms),
                why: "the longest timeout a client can get (20 ticks by default)".into(),
            },
            self.setting_tick(),
        ]
    }
}

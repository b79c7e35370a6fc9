//! The quorum's shape: many voters (`large_quorum`: every write and
//! election needs a bigger quorum) or observers (`observers`: servers that
//! serve reads without voting), with the current leader's quorum-ACK
//! latency and election time as figures; see `docs/PROTOCOL.md §11`.
//!
//! Contract: judged from the configured ensemble, not from faults; at most
//! one finding. Of its siblings it uses only `evidence`.

use crate::diagnosis::{list_sids, Finding, Setting, Severity};
use crate::fourlw::java_double;
use crate::sim::Simulation;

/// More voters than this make a large quorum.
const MANY_VOTERS: usize = 5;

impl Simulation {
    pub(super) fn diag_quorum_shape(&self, out: &mut Vec<Finding>) {
        let voters = self.voters();
        let observers = &self.scenario.ensemble.observers;
        let q = self.quorum();
        let figures = self.leader_figures();
        if voters.len() > MANY_VOTERS {
            let mut f = Finding::new(
                "large_quorum",
                Severity::Warning,
                self.now_ms,
                format!(
                    "{} voters: every write needs {q} ACKs (each after a follower's fsync) and every election {q} agreeing votes, so writes and elections get slower as voters are added, and more of them can stall a quorum.{figures} Observers (peerType=observer) add read capacity without joining the quorum.",
                    voters.len()
                ),
            );
            f.servers = voters.clone();
            f.settings = vec![Setting {
                name: "peerType",
                value: "participant".into(),
                why: "make the extra servers observers to keep the quorum small".into(),
            }];
            f.key = "large_quorum".to_string();
            f.advice = vec![
                format!("Keep 3 or 5 voters, in one low-latency site, and make the other servers observers (peerType=observer in their zoo.cfg, :observer on their server.N line): they serve reads and take writes to the leader, but never hold up a commit or an election. {} voters survive {} of them down; 5 survive 2.", voters.len(), (voters.len() - 1) / 2),
            ];
            out.push(f);
        } else if !observers.is_empty() {
            let mut obs = observers.clone();
            crate::sorting::sort(&mut obs);
            let mut f = Finding::new(
                "observers",
                Severity::Info,
                self.now_ms,
                format!(
                    "{} voter{} and {} observer{} ({}): writes wait for {q} of {} voters' ACKs and elections for {q} votes; observers get each commit (INFORM) without voting and serve reads.{figures}",
                    voters.len(),
                    if voters.len() == 1 { "" } else { "s" },
                    obs.len(),
                    if obs.len() == 1 { "" } else { "s" },
                    list_sids(&obs),
                    voters.len()
                ),
            );
            f.servers = obs;
            f.key = "observers".to_string();
            f.settings = vec![Setting {
                name: "peerType",
                value: "observer".into(),
                why: "observers scale reads without growing the quorum".into(),
            }];
            out.push(f);
        }
    }

    /// The current leader's quorum-ACK latency and how long its election
    /// took, as sentences (empty when unknown).
    fn leader_figures(&self) -> String {
        let leader = self.current_leader();
        let ack = leader
            .and_then(|l| self.node(l))
            .map(|n| &n.server.metrics.quorum_ack_latency.summary)
            .filter(|s| s.count > 0)
            .map(|s| {
                format!(
                    " Leader {}'s proposals took {} ms on average from creation to a quorum of ACKs (max {}).",
                    leader.unwrap_or(0),
                    java_double(s.avg()),
                    s.max_or_zero()
                )
            })
            .unwrap_or_default();
        let election = leader
            .and_then(|l| self.last_line(l, "LEADING - LEADER ELECTION TOOK - "))
            .map(|x| {
                format!(
                    " Its election took {}.",
                    x.text["LEADING - LEADER ELECTION TOOK - ".len()..].to_lowercase()
                )
            })
            .unwrap_or_default();
        format!("{ack}{election}")
    }
}

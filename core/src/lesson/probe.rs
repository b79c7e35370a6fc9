//! What a lesson's question asks of the simulation ([`Probe`]), how a
//! probe is read from a lesson file (strictly: unknown kinds, missing and
//! extra fields are errors that name them) and its value on a run
//! ([`probe`]).
//!
//! A probe only reads the simulation; it never acts on it. Values are plain
//! strings so a question's choices compare exactly.

use serde::{Deserialize, Serialize};

use crate::proto::SyncMode;
use crate::sim::Simulation;

/// What a question asks of the simulation. Values are plain strings (a
/// sid as "2", "none", "yes"/"no", a state name) so choices compare
/// exactly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "what", rename_all = "snake_case", try_from = "RawProbe")]
pub enum Probe {
    /// The established leader's sid, or "none".
    Leader,
    /// The established leader's epoch, or "none".
    LeaderEpoch,
    /// A server's state: LOOKING, FOLLOWING, LEADING, OBSERVING, DOWN.
    State {
        server: u32,
    },
    /// Whether a server serves clients: "yes"/"no".
    Serving {
        server: u32,
    },
    /// The mode of a learner's last sync: DIFF, TRUNC, SNAP or "none".
    SyncMode {
        server: u32,
    },
    /// A server's last zxid (its data tree's lastProcessedZxid), as `0x…`.
    LastZxid {
        server: u32,
    },
    /// The last zxid in a server's txn log (appended, fsynced or not).
    LogEnd {
        server: u32,
    },
    /// A server's acceptedEpoch / currentEpoch (its epoch files).
    AcceptedEpoch {
        server: u32,
    },
    CurrentEpoch {
        server: u32,
    },
    /// Whether a property was violated so far: "yes"/"no".
    Violated {
        property: String,
    },
    /// The first property violated, or "none".
    FirstViolation,
    /// Whether a hazard of this kind was seen: "yes"/"no".
    Hazard {
        kind: String,
    },
    /// The client whose recipe believes it holds the lock on `path`, or
    /// "none" (several: their names joined by ",").
    LockHolder {
        path: String,
    },
    /// The data the client's last getData of `path` returned ("none": no
    /// such node or no read).
    ReadData {
        client: String,
        path: String,
    },
    /// The result of the client's last write ("OK", "NodeExists", ...).
    WriteResult {
        client: String,
    },
    /// How many servers are in this state ("LOOKING", "FOLLOWING", ...).
    CountInState {
        state: String,
    },
    /// Whether a server's log has a line containing `text`: "yes"/"no".
    LogContains {
        server: u32,
        text: String,
    },
}

/// A probe as written: `what` and the fields probes take, read flat and
/// then checked by `TryFrom` (the same format and strictness as an
/// internally tagged enum with `deny_unknown_fields`, without serde's
/// buffering of every probe through its generic content, which cost the
/// browser build about 25 KB).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProbe {
    what: String,
    #[serde(default)]
    server: Option<u32>,
    #[serde(default)]
    property: Option<String>,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    path: Option<String>,
    #[serde(default)]
    client: Option<String>,
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    text: Option<String>,
}

/// Every probe's `what`, for the error that names an unknown one.
const PROBES: &str = "leader, leader_epoch, state, serving, sync_mode, last_zxid, log_end, \
                      accepted_epoch, current_epoch, violated, first_violation, hazard, lock_holder, read_data, write_result, \
                      count_in_state, log_contains";

impl TryFrom<RawProbe> for Probe {
    type Error = String;

    fn try_from(r: RawProbe) -> Result<Probe, String> {
        let RawProbe {
            what,
            server,
            property,
            kind,
            path,
            client,
            state,
            text,
        } = r;
        let mut f = Fields {
            what: &what,
            server,
            property,
            kind,
            path,
            client,
            state,
            text,
        };
        let p = f.probe()?;
        f.none_left()?;
        Ok(p)
    }
}

/// A probe's fields as read, taken one by one as its kind needs them.
struct Fields<'a> {
    what: &'a str,
    server: Option<u32>,
    property: Option<String>,
    kind: Option<String>,
    path: Option<String>,
    client: Option<String>,
    state: Option<String>,
    text: Option<String>,
}

/// Takes a field the probe needs, or names it in the error.
fn need<T>(what: &str, name: &str, v: &mut Option<T>) -> Result<T, String> {
    v.take()
        .ok_or_else(|| format!("probe `{what}` needs `{name}`"))
}

impl Fields<'_> {
    /// The probe `what` names, with the fields it takes.
    fn probe(&mut self) -> Result<Probe, String> {
        let w = self.what;
        Ok(match w {
            "leader" => Probe::Leader,
            "leader_epoch" => Probe::LeaderEpoch,
            "first_violation" => Probe::FirstViolation,
            "state" => Probe::State {
                server: need(w, "server", &mut self.server)?,
            },
            "serving" => Probe::Serving {
                server: need(w, "server", &mut self.server)?,
            },
            "sync_mode" => Probe::SyncMode {
                server: need(w, "server", &mut self.server)?,
            },
            "last_zxid" => Probe::LastZxid {
                server: need(w, "server", &mut self.server)?,
            },
            "log_end" => Probe::LogEnd {
                server: need(w, "server", &mut self.server)?,
            },
            "accepted_epoch" => Probe::AcceptedEpoch {
                server: need(w, "server", &mut self.server)?,
            },
            "current_epoch" => Probe::CurrentEpoch {
                server: need(w, "server", &mut self.server)?,
            },
            "violated" => Probe::Violated {
                property: need(w, "property", &mut self.property)?,
            },
            "hazard" => Probe::Hazard {
                kind: need(w, "kind", &mut self.kind)?,
            },
            "lock_holder" => Probe::LockHolder {
                path: need(w, "path", &mut self.path)?,
            },
            "read_data" => Probe::ReadData {
                client: need(w, "client", &mut self.client)?,
                path: need(w, "path", &mut self.path)?,
            },
            "write_result" => Probe::WriteResult {
                client: need(w, "client", &mut self.client)?,
            },
            "count_in_state" => Probe::CountInState {
                state: need(w, "state", &mut self.state)?,
            },
            "log_contains" => Probe::LogContains {
                server: need(w, "server", &mut self.server)?,
                text: need(w, "text", &mut self.text)?,
            },
            other => {
                return Err(format!(
                    "unknown probe `{other}`, expected one of: {PROBES}"
                ))
            }
        })
    }

    /// A field the probe did not take is an error that names it.
    fn none_left(&self) -> Result<(), String> {
        let left = [
            ("server", self.server.is_some()),
            ("property", self.property.is_some()),
            ("kind", self.kind.is_some()),
            ("path", self.path.is_some()),
            ("client", self.client.is_some()),
            ("state", self.state.is_some()),
            ("text", self.text.is_some()),
        ];
        match left.iter().find(|(_, set)| *set) {
            Some((name, _)) => Err(format!("probe `{}` takes no `{name}`", self.what)),
            None => Ok(()),
        }
    }
}

/// The probe's value on `sim` now.
pub fn probe(sim: &Simulation, p: &Probe) -> String {
    match p {
        Probe::Leader
        | Probe::LeaderEpoch
        | Probe::SyncMode { .. }
        | Probe::CountInState { .. } => ensemble_probe(sim, p),
        Probe::Violated { .. } | Probe::FirstViolation | Probe::Hazard { .. } => {
            verdict_probe(sim, p)
        }
        Probe::LockHolder { .. } | Probe::ReadData { .. } | Probe::WriteResult { .. } => {
            client_probe(sim, p)
        }
        _ => server_probe(sim, p),
    }
}

fn yes(b: bool) -> String {
    if b { "yes" } else { "no" }.to_string()
}

/// The probes of the ensemble as a whole: its leader and epoch, the last
/// sync of a learner, how many servers are in a state.
fn ensemble_probe(sim: &Simulation, p: &Probe) -> String {
    match p {
        Probe::Leader => sim
            .established_leader()
            .map_or("none".to_string(), |s| s.to_string()),
        Probe::LeaderEpoch => match sim.established_leader() {
            Some(sid) => sim
                .leaders()
                .iter()
                .rev()
                .find(|l| l.sid == sid)
                .map_or("none".to_string(), |l| l.epoch.to_string()),
            None => "none".to_string(),
        },
        Probe::SyncMode { server } => sim
            .syncs()
            .iter()
            .rev()
            .find(|s| s.learner == *server)
            .map_or("none".to_string(), |s| {
                match s.mode {
                    SyncMode::Diff => "DIFF",
                    SyncMode::Trunc => "TRUNC",
                    SyncMode::Snap => "SNAP",
                    SyncMode::None => "none",
                }
                .to_string()
            }),
        Probe::CountInState { state } => sim
            .servers()
            .iter()
            .filter(|v| &v.state == state)
            .count()
            .to_string(),
        _ => "none".to_string(),
    }
}

/// The probes of one server: its state, whether it serves, its zxids,
/// epochs and log.
fn server_probe(sim: &Simulation, p: &Probe) -> String {
    match p {
        Probe::State { server } => sim
            .server(*server)
            .map_or("none".to_string(), |v| v.state.clone()),
        Probe::Serving { server } => yes(sim.server(*server).is_some_and(|v| v.serving)),
        Probe::LastZxid { server } => sim
            .server(*server)
            .map_or("none".to_string(), |v| v.last_zxid.to_string()),
        Probe::LogEnd { server } => sim
            .server_state(*server)
            .and_then(|s| s.disk.log.last().map(|t| t.zxid.to_string()))
            .unwrap_or_else(|| "none".to_string()),
        Probe::AcceptedEpoch { server } => sim
            .server(*server)
            .map_or("none".to_string(), |v| v.accepted_epoch.to_string()),
        Probe::CurrentEpoch { server } => sim
            .server(*server)
            .map_or("none".to_string(), |v| v.current_epoch.to_string()),
        Probe::LogContains { server, text } => yes(sim
            .log()
            .iter()
            .any(|l| l.sid == *server && l.text.contains(text.as_str()))),
        _ => "none".to_string(),
    }
}

/// The checks' verdicts so far: violated properties and hazards.
fn verdict_probe(sim: &Simulation, p: &Probe) -> String {
    match p {
        Probe::Violated { property } => {
            yes(sim.violations().iter().any(|v| &v.property == property))
        }
        Probe::FirstViolation => sim
            .violations()
            .iter()
            .min_by_key(|v| v.event)
            .map_or("none".to_string(), |v| v.property.clone()),
        Probe::Hazard { kind } => yes(sim.hazards().iter().any(|h| h.kind == kind)),
        _ => "none".to_string(),
    }
}

/// What the clients saw: a recipe's lock holders, a client's last read
/// and write.
fn client_probe(sim: &Simulation, p: &Probe) -> String {
    match p {
        Probe::LockHolder { path } => {
            let holders: Vec<String> = sim
                .recipe_views()
                .into_iter()
                .filter(|v| v.holds && &v.path == path)
                .map(|v| v.client)
                .collect();
            if holders.is_empty() {
                "none".to_string()
            } else {
                holders.join(",")
            }
        }
        Probe::ReadData { client, path } => sim
            .reads()
            .iter()
            .rev()
            .find(|r| &r.client == client && &r.path == path && r.op == "getData")
            .and_then(|r| r.data.clone())
            .unwrap_or_else(|| "none".to_string()),
        Probe::WriteResult { client } => sim
            .writes()
            .iter()
            .rev()
            .find(|w| &w.client == client)
            .map_or("none".to_string(), |w| w.result.clone()),
        _ => "none".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probes_are_read_strictly_and_round_trip() {
        let p = |j: &str| serde_json::from_str::<Probe>(j).map_err(|e| e.to_string());
        assert_eq!(p(r#"{"what":"leader"}"#), Ok(Probe::Leader));
        assert_eq!(
            p(r#"{"what":"log_contains","server":2,"text":"LEADING"}"#),
            Ok(Probe::LogContains {
                server: 2,
                text: "LEADING".into()
            })
        );
        assert!(p(r#"{"what":"state"}"#)
            .unwrap_err()
            .contains("probe `state` needs `server`"));
        assert!(p(r#"{"what":"leader","server":1}"#)
            .unwrap_err()
            .contains("probe `leader` takes no `server`"));
        assert!(p(r#"{"what":"leeder"}"#)
            .unwrap_err()
            .contains("unknown probe `leeder`"));
        assert!(p(r#"{"what":"leader","sever":1}"#)
            .unwrap_err()
            .contains("unknown field `sever`"));
        for probe in [
            Probe::Leader,
            Probe::State { server: 3 },
            Probe::ReadData {
                client: "a".into(),
                path: "/x".into(),
            },
        ] {
            let text = serde_json::to_string(&probe).unwrap();
            assert_eq!(p(&text), Ok(probe), "{text}");
        }
    }
}

//! From a parsed log line (and the lines of its stack trace) to ZabLab's
//! events ([`EventKind`]), by ZooKeeper's own message texts.
//!
//! Contract: one file's lines are given in file order to one [`Context`]
//! (the learner a `LearnerHandler` thread serves is known from its earlier
//! lines); the messages are those of ZooKeeper 3.5–3.9 (`QuorumPeer`,
//! `FastLeaderElection`, `Leader`, `LearnerHandler`, `Learner`, `Follower`,
//! `Observer`, `QuorumCnxManager`, `ZooKeeperServer`, `FileTxnLog`,
//! `DataTree`), which the simulator prints too (`core/src/server`). Never
//! panics; a line matching nothing gives no event.

use std::collections::BTreeMap;

use super::model::{EventKind, PeerState, SyncMode, SyncReason, ZabState};

/// What earlier lines of one file say about later ones.
#[derive(Debug, Default, Clone)]
pub struct Context {
    /// `LearnerHandler` thread name → the learner it serves.
    learner_of_thread: BTreeMap<String, u32>,
}

/// The hex number after `marker` (`0x` optional).
pub fn hex_after(text: &str, marker: &str) -> Option<u64> {
    let at = text.find(marker)? + marker.len();
    let s = text[at..].trim_start();
    let s = s.strip_prefix("0x").unwrap_or(s);
    let end = s.find(|c: char| !c.is_ascii_hexdigit()).unwrap_or(s.len());
    u64::from_str_radix(&s[..end], 16).ok()
}

/// The decimal number after `marker`.
pub fn num_after(text: &str, marker: &str) -> Option<u64> {
    let at = text.find(marker)? + marker.len();
    let s = text[at..].trim_start();
    let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    s[..end].parse().ok()
}

fn sid_after(text: &str, marker: &str) -> Option<u32> {
    num_after(text, marker).and_then(|n| u32::try_from(n).ok())
}

/// `LOOKING` … `OBSERVING` (any case).
pub fn peer_state(s: &str) -> Option<PeerState> {
    Some(match s.trim().to_ascii_uppercase().as_str() {
        "LOOKING" => PeerState::Looking,
        "FOLLOWING" => PeerState::Following,
        "LEADING" => PeerState::Leading,
        "OBSERVING" => PeerState::Observing,
        _ => return None,
    })
}

fn zab_state(s: &str) -> Option<ZabState> {
    Some(match s.trim() {
        "election" => ZabState::Election,
        "discovery" => ZabState::Discovery,
        "synchronization" => ZabState::Synchronization,
        "broadcast" => ZabState::Broadcast,
        _ => return None,
    })
}

fn sync_mode(s: &str) -> Option<SyncMode> {
    Some(match s.trim() {
        "none" => SyncMode::None,
        "diff" => SyncMode::Diff,
        "snap" => SyncMode::Snap,
        "trunc" => SyncMode::Trunc,
        _ => return None,
    })
}

/// `Peer state changed: following - synchronization - diff`.
fn zab_change(rest: &str) -> Option<EventKind> {
    let mut parts = rest.split(" - ");
    let state = peer_state(parts.next()?)?;
    let zab = match parts.next() {
        Some(z) => Some(zab_state(z)?),
        None => None,
    };
    let sync = match parts.next() {
        Some(m) => Some(sync_mode(m)?),
        None => None,
    };
    Some(EventKind::ZabState { state, zab, sync })
}

/// `Notification: my state:LOOKING; n.sid:2, n.state:LOOKING, n.leader:3,
/// n.round:0x1, n.peerEpoch:0x0, n.zxid:0x0, …`.
fn notification(text: &str) -> Option<EventKind> {
    let field = |name: &str| {
        let at = text.find(name)? + name.len();
        let s = &text[at..];
        Some(&s[..s.find([',', ';']).unwrap_or(s.len())])
    };
    let hex = |name: &str| {
        let v = field(name)?.trim();
        u64::from_str_radix(v.strip_prefix("0x").unwrap_or(v), 16).ok()
    };
    Some(EventKind::Notification {
        my_state: peer_state(field("my state:")?)?,
        from: field("n.sid:")?.trim().parse().ok()?,
        state: peer_state(field("n.state:")?)?,
        leader: field("n.leader:")?.trim().parse().ok()?,
        round: hex("n.round:")?,
        peer_epoch: hex("n.peerEpoch:")?,
        zxid: hex("n.zxid:")?,
    })
}

/// The 3.4–3.5 form: `Notification: 2 (message format version), 3
/// (n.leader), 0x0 (n.zxid), 0x1 (n.round), LOOKING (n.state), 3 (n.sid),
/// 0x0 (n.peerEPoch), FOLLOWING (my state)0 (n.config version)`.
fn notification_paren(text: &str) -> Option<EventKind> {
    let field = |name: &str| {
        let at = text.find(&format!(" ({name})"))?;
        let before = text[..at].trim_end();
        let start = before.rfind([' ', ',', ')']).map_or(0, |i| i + 1);
        Some(before[start..].trim())
    };
    let hex = |name: &str| {
        let v = field(name)?;
        u64::from_str_radix(v.strip_prefix("0x").unwrap_or(v), 16).ok()
    };
    Some(EventKind::Notification {
        my_state: peer_state(field("my state")?)?,
        from: field("n.sid")?.parse().ok()?,
        state: peer_state(field("n.state")?)?,
        leader: field("n.leader")?.parse().ok()?,
        round: hex("n.round")?,
        peer_epoch: hex("n.peerEpoch").or_else(|| hex("n.peerEPoch"))?,
        zxid: hex("n.zxid")?,
    })
}

/// `sids: [[1, 2]]` (or `[1, 2]`) as numbers.
fn supporters(text: &str) -> Vec<u32> {
    let Some(at) = text.find("sids: ") else {
        return Vec::new();
    };
    let s = &text[at + 6..];
    let end = s.find(';').unwrap_or(s.len());
    s[..end]
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .collect()
}

/// The first line of a stack trace's exception (`java.net.…: message`).
fn cause_of(more: &[String]) -> String {
    more.iter()
        .find(|l| !l.starts_with(['\t', ' ']))
        .map(|l| l.chars().take(200).collect())
        .unwrap_or_default()
}

fn timed_out(more: &[String]) -> bool {
    more.iter()
        .any(|l| l.contains("SocketTimeoutException") || l.contains("Read timed out"))
}

impl Context {
    fn learner(&self, thread: &str) -> Option<u32> {
        self.learner_of_thread.get(thread).copied()
    }

    /// The events of one line (`more`: its continuation lines).
    pub fn events(
        &mut self,
        thread: &str,
        class: &str,
        text: &str,
        more: &[String],
    ) -> Vec<EventKind> {
        let mut out = Vec::new();
        self.push(&mut out, thread, class, text, more);
        if timed_out(more) {
            let peer = if class == "LearnerHandler" {
                self.learner(thread)
            } else {
                None
            };
            out.push(EventKind::ReadTimeout { peer });
        }
        out
    }

    fn push(
        &mut self,
        out: &mut Vec<EventKind>,
        thread: &str,
        class: &str,
        text: &str,
        more: &[String],
    ) {
        if let Some(e) = self.election(text) {
            out.push(e);
        } else if let Some(e) = self.leader_side(thread, text, more) {
            out.push(e);
        } else if let Some(e) = learner_side(class, text, more) {
            out.push(e);
        } else if let Some(e) = elsewhere(class, text) {
            out.push(e);
        }
    }

    fn election(&self, text: &str) -> Option<EventKind> {
        if let Some(s) = peer_state(text).filter(|s| s.name() == text) {
            return Some(EventKind::State { state: s });
        }
        if let Some(rest) = text.strip_prefix("Peer state changed: ") {
            return zab_change(rest);
        }
        if text.starts_with("Notification: my state:") {
            return notification(text);
        }
        if text.starts_with("Notification: ") && text.contains("(n.leader)") {
            return notification_paren(text);
        }
        if text.starts_with("New election. My id") {
            return Some(EventKind::NewElection {
                proposed_zxid: hex_after(text, "proposed zxid=")?,
            });
        }
        if let Some(rest) = text.strip_prefix("Notification time out: ") {
            return Some(EventKind::NotificationTimeout {
                ms: num_after(rest, "")?,
            });
        }
        if let Some((state, rest)) = text.split_once(" - LEADER ELECTION TOOK - ") {
            return Some(EventKind::ElectionTook {
                state: peer_state(state)?,
                ms: num_after(rest, "")?,
            });
        }
        if text.starts_with("Starting quorum peer") {
            return Some(EventKind::ProcessStart);
        }
        None
    }

    fn leader_side(&mut self, thread: &str, text: &str, more: &[String]) -> Option<EventKind> {
        if text.starts_with("Have quorum of supporters") {
            let zxid = hex_after(text, "setting last processed zxid:")?;
            return Some(EventKind::Established {
                epoch: (zxid >> 32) as u32,
                zxid,
                supporters: supporters(text),
            });
        }
        if let Some(rest) = text.strip_prefix("Follower sid: ") {
            let learner = sid_after(rest, "")?;
            self.learner_of_thread.insert(thread.to_string(), learner);
            return Some(EventKind::LearnerInfo {
                learner,
                observer: rest.trim_end().ends_with(":observer"),
            });
        }
        if text.starts_with("Synchronizing with Learner sid:") {
            let learner = sid_after(text, "Learner sid:")?;
            self.learner_of_thread.insert(thread.to_string(), learner);
            return Some(EventKind::SyncStart {
                learner,
                max_committed: hex_after(text, "maxCommittedLog="),
                min_committed: hex_after(text, "minCommittedLog="),
                last_processed: hex_after(text, "lastProcessedZxid="),
                peer_last: hex_after(text, "peerLastZxid="),
            });
        }
        let reason = |r: SyncReason, learner: Option<u32>| {
            Some(EventKind::SyncReason {
                learner: learner.unwrap_or(0),
                reason: r,
            })
        };
        let named = sid_after(text, "peer sid:").or_else(|| self.learner(thread));
        if text.starts_with("Using committedLog for peer") {
            return reason(SyncReason::CommittedLog, named);
        }
        if text.starts_with("Use txnlog and committedLog for peer") {
            return reason(SyncReason::TxnLogAndCommittedLog, named);
        }
        if text.starts_with("Detected gap between end of txnlog") {
            return reason(SyncReason::GapInTxnLog, self.learner(thread));
        }
        if text.starts_with("Cannot send TRUNC to peer") {
            return reason(SyncReason::TruncRefusedAcrossEpochs, named);
        }
        if text.starts_with("Unhandled scenario for peer") {
            return reason(SyncReason::Fallback, named);
        }
        if text.starts_with("Forcing snapshot sync") {
            return reason(SyncReason::ForcedSnap, self.learner(thread));
        }
        for (prefix, mode) in [
            ("Sending DIFF", SyncMode::Diff),
            ("Sending TRUNC", SyncMode::Trunc),
        ] {
            if text.starts_with(prefix) {
                return Some(EventKind::SyncSent {
                    learner: named?,
                    mode,
                    zxid: hex_after(text, "zxid=").or_else(|| hex_after(text, "zxidToSend=")),
                    peer_zxid: None,
                });
            }
        }
        if text.starts_with("Sending snapshot last zxid of peer is") {
            return Some(EventKind::SyncSent {
                learner: self.learner(thread)?,
                mode: SyncMode::Snap,
                zxid: hex_after(text, "send zxid of db as"),
                peer_zxid: hex_after(text, "last zxid of peer is"),
            });
        }
        if text.starts_with("Unexpected exception in LearnerHandler")
            || text.contains("******* GOODBYE")
        {
            return Some(EventKind::LearnerGone {
                learner: self.learner(thread),
                cause: cause_of(more),
            });
        }
        if let Some(rest) = text.strip_prefix("Shutdown called") {
            let reason = match rest.strip_prefix(". For the reason ") {
                Some(r) => r.to_string(),
                None => more
                    .iter()
                    .find_map(|l| l.split_once("reason: ").map(|(_, r)| r.to_string()))
                    .unwrap_or_default(),
            };
            return Some(EventKind::StepDown { reason });
        }
        None
    }
}

fn learner_side(class: &str, text: &str, more: &[String]) -> Option<EventKind> {
    for (prefix, mode) in [
        ("Getting a diff from the leader", SyncMode::Diff),
        ("Getting a snapshot from leader", SyncMode::Snap),
        (
            "Truncating log to get in sync with the leader",
            SyncMode::Trunc,
        ),
    ] {
        if let Some(rest) = text.strip_prefix(prefix) {
            return Some(EventKind::SyncReceived {
                mode,
                zxid: hex_after(rest, ""),
            });
        }
    }
    if let Some(rest) = text.strip_prefix("Learner received ") {
        return Some(EventKind::LearnerReceived {
            packet: rest.split(' ').next().unwrap_or("").to_string(),
        });
    }
    if text.starts_with("Exception when following the leader")
        || text.starts_with("Exception when observing the leader")
    {
        let inline = text.split_once('\n').map(|(_, r)| r.to_string());
        return Some(EventKind::LostLeader {
            cause: inline.unwrap_or_else(|| cause_of(more)),
        });
    }
    if text.starts_with("Disconnected from leader") {
        return Some(EventKind::Disconnected {
            connected_ms: num_after(text, "Was connected for "),
        });
    }
    if let Some(rest) = text.strip_prefix("Observing new leader sid=") {
        return Some(EventKind::ConnectedToLeader {
            leader: sid_after(rest, ""),
        });
    }
    if text.starts_with("Successfully connected to leader") {
        return Some(EventKind::ConnectedToLeader { leader: None });
    }
    if text.starts_with("Got zxid") {
        return Some(EventKind::ZxidGap {
            got: hex_after(text, "Got zxid")?,
            expected: hex_after(text, "expected")?,
        });
    }
    if (class == "Follower" || class == "Observer") && text.starts_with("shutdown ") {
        return Some(EventKind::Shutdown {
            what: text["shutdown ".len()..].to_string(),
        });
    }
    None
}

/// Sessions, disks, digests, connections, snapshots.
fn elsewhere(class: &str, text: &str) -> Option<EventKind> {
    if let Some(rest) = text.strip_prefix("Expiring session") {
        return Some(EventKind::SessionExpired {
            id: hex_after(rest, "")?,
            timeout_ms: num_after(rest, "timeout of ")?,
        });
    }
    if let Some(rest) = text.strip_prefix("Established session") {
        return Some(EventKind::SessionCreated {
            id: hex_after(rest, "")?,
            timeout_ms: num_after(rest, "negotiated timeout "),
        });
    }
    if let Some(rest) = text.strip_prefix("Committing global session") {
        return Some(EventKind::SessionCreated {
            id: hex_after(rest, "")?,
            timeout_ms: None,
        });
    }
    if text.starts_with("Submitting global closeSession request for session") {
        return Some(EventKind::SessionClosed {
            id: hex_after(text, "for session")?,
        });
    }
    if text.starts_with("fsync-ing the write ahead log") {
        return Some(EventKind::SlowFsync {
            ms: num_after(text, " took ")?,
        });
    }
    if text.contains("Digests are not matching") {
        return Some(EventKind::DigestMismatch {
            zxid: num_after(text, "Value:"),
        });
    }
    if let Some(rest) = text.strip_prefix("First digest mismatch on txn: ") {
        // `sessionId,cxid,zxid,time,type`: the zxid is the third, decimal.
        return Some(EventKind::DigestMismatch {
            zxid: rest.split(',').nth(2).and_then(|z| z.trim().parse().ok()),
        });
    }
    if let Some(rest) = text.strip_prefix("Connection broken for id ") {
        return Some(EventKind::ConnectionBroken {
            peer: sid_after(rest, "")?,
        });
    }
    if let Some(rest) = text.strip_prefix("Cannot open channel to ") {
        return Some(EventKind::CannotOpenChannel {
            peer: sid_after(rest, "")?,
        });
    }
    if let Some(rest) = text.strip_prefix("Snapshotting: ") {
        return Some(EventKind::Snapshot {
            zxid: hex_after(rest, "")?,
        });
    }
    if class == "ZooKeeperServer" && text == "shutting down" {
        return Some(EventKind::Shutdown {
            what: "ZooKeeperServer".into(),
        });
    }
    None
}

#[cfg(test)]
mod tests;

//! The remaining findings of an imported run, each from ZooKeeper's own
//! lines: `sync_snap` and `sync_trunc` (the leader's `LearnerHandler`
//! decision: `Synchronizing with Learner sid: N maxCommittedLog=…
//! minCommittedLog=… peerLastZxid=…` and its reason lines), `session_expired`
//! (`SessionTrackerImpl`'s `Expiring session 0x…, timeout of Nms
//! exceeded`), `slow_disk` (`FileTxnLog`'s `fsync-ing the write ahead log
//! in SyncThread:N took Nms`), `digest_mismatch` (`Digests are not
//! matching`, `First digest mismatch on txn`).
//!
//! Contract: one family per function; reads the view only.

use super::advice;
use super::{finish, Out};
use crate::diagnosis::{Finding, Severity};
use crate::import::events::{hex_after, num_after};
use crate::import::evidence::{dur, View};

fn z(v: Option<u64>) -> String {
    v.map_or("?".into(), |z| format!("0x{z:x}"))
}

/// Why the leader sent a SNAP, from its lines between its `Synchronizing
/// with Learner` and the send.
fn snap_reason(v: &View, sync: usize, learner: u32, upto: usize) -> (String, Vec<usize>) {
    let leader = v.lines[sync].sid;
    let t = &v.lines[sync].text;
    let (maxc, minc) = (
        hex_after(t, "maxCommittedLog="),
        hex_after(t, "minCommittedLog="),
    );
    let (last, peer) = (
        hex_after(t, "lastProcessedZxid="),
        hex_after(t, "peerLastZxid="),
    );
    let peer_tag = format!("peer sid: {learner}");
    let mut cites = vec![sync];
    for p in sync + 1..=upto {
        let l = &v.lines[p];
        if l.sid != leader {
            continue;
        }
        let r = if l.text.starts_with("Cannot send TRUNC") && l.text.contains(&peer_tag) {
            Some(format!(
                "it had txns past {} of an epoch no quorum committed ({}), and the leader had written in its new epoch: ZooKeeper does not TRUNC across epochs, so it sent a whole snapshot",
                z(maxc), z(peer)
            ))
        } else if l.text.starts_with("Detected gap between end of txnlog") {
            Some(format!("the leader's txn log and its committed log had a gap ({}), so neither could bring it from {}", l.text, z(peer)))
        } else if l.text.starts_with("Txnlog size:") {
            Some(format!("the txns it lacked, read from the leader's txn log, were larger than snapshotSizeFactor × the snapshot ({})", l.text))
        } else if l.text.starts_with("Unhandled scenario") && l.text.contains(&peer_tag) {
            Some(format!("its zxid {} fit neither the committed log ({}..{}) nor the txn log: ZooKeeper fell back to a snapshot", z(peer), z(minc), z(maxc)))
        } else if l.text.contains("txnLogSyncEnabled=false")
            || l.text.contains("sync with the txn log is disabled")
        {
            Some("syncing from the txn log is off (zookeeper.snapshotSizeFactor negative)".into())
        } else {
            None
        };
        if let Some(r) = r {
            cites.push(p);
            return (r, cites);
        }
    }
    let r = match (peer, minc, maxc) {
        (Some(0), _, _) => format!("it had no data (zxid 0x0: a new or wiped server) while the leader had state up to {}", z(last)),
        (Some(p), Some(mn), _) if p < mn => format!("its zxid {} was older than the leader's committed log ({}..{}) and the txn log could not serve it", z(Some(p)), z(minc), z(maxc)),
        (_, _, Some(0)) | (_, None, None) => format!("the leader's committed log was empty (a new epoch's leader with no proposals in memory) and its zxid {} differed from the leader's {}", z(peer), z(last)),
        _ => format!("its zxid {} could not be brought up to the leader's {} from the committed log ({}..{})", z(peer), z(last), z(minc), z(maxc)),
    };
    (r, cites)
}

/// `sync_snap` / `sync_trunc` for each learner's line.
pub fn syncs(v: &View, out: &mut Out) {
    for (p, l) in v.lines.iter().enumerate() {
        let snap = l.text.starts_with("Getting a snapshot from leader");
        let trunc = l.text.starts_with("Truncating log to get in sync");
        if !snap && !trunc {
            continue;
        }
        let learner = l.sid;
        let want = format!("Synchronizing with Learner sid: {learner} ");
        // The leader's decision up to the learner's millisecond.
        let end = p + v.lines[p..].iter().take_while(|x| x.at == l.at).count() - 1;
        let Some(s) = (0..=end)
            .rev()
            .find(|&x| v.lines[x].sid != learner && v.lines[x].text.starts_with(&want))
        else {
            continue;
        };
        let leader = v.lines[s].sid;
        let mut f = if snap {
            let (why, mut cites) = snap_reason(v, s, learner, end);
            cites.push(p);
            let mut f = Finding::new(
                "sync_snap",
                Severity::Info,
                l.at,
                format!("Server {learner} got a full snapshot (SNAP) from leader {leader} at {}: {why}.", dur(l.at)),
            );
            f.settings = advice::sync_choice(&v.settings);
            f.settings.push(advice::init_limit(&v.settings));
            f.advice = advice::snap();
            finish(v, &mut f, &cites);
            f
        } else {
            let mut f = Finding::new(
                "sync_trunc",
                Severity::Info,
                l.at,
                format!(
                    "Server {learner} truncated its txn log to {} to follow leader {leader} at {}: it had logged txns no quorum committed (proposals of a leader that lost its quorum), and they are gone.",
                    z(hex_after(&l.text, "leader")), dur(l.at)
                ),
            );
            finish(v, &mut f, &[s, p]);
            f
        };
        f.now = false;
        f.server = Some(learner);
        f.servers = vec![learner, leader];
        out.push(f);
    }
}

/// `session_expired` for each expiry.
pub fn sessions(v: &View, out: &mut Out) {
    for (p, l) in v.lines.iter().enumerate() {
        if !l.text.starts_with("Expiring session") {
            continue;
        }
        let id = hex_after(&l.text, "Expiring session");
        let timeout = num_after(&l.text, "timeout of ").unwrap_or(0);
        let owner = id.map(|x| (x >> 56) as u32).filter(|&s| s != 0);
        let mut f = Finding::new(
            "session_expired",
            Severity::Warning,
            l.at,
            format!(
                "Session {} expired at {} on leader {}: no heartbeat reached it for its timeout of {}{}; its ephemeral nodes were deleted.",
                z(id),
                dur(l.at),
                l.sid,
                dur(timeout),
                owner.map_or(String::new(), |o| format!(" (the session was created through server {o})"))
            ),
        );
        f.now = false;
        f.server = Some(l.sid);
        f.servers = vec![l.sid];
        f.sessions = vec![z(id)];
        f.settings = vec![advice::tick(&v.settings)];
        f.settings.extend(advice::session_bounds(&v.settings));
        f.advice = advice::session(&v.settings, timeout);
        finish(v, &mut f, &[p]);
        out.push(f);
    }
}

/// `slow_disk`: one finding per server with slow fsyncs.
pub fn disks(v: &View, out: &mut Out) {
    for &sid in &v.sids {
        let slow: Vec<usize> = v
            .of_sid(sid)
            .filter(|&p| v.lines[p].text.starts_with("fsync-ing the write ahead log"))
            .collect();
        let Some(&first) = slow.first() else {
            continue;
        };
        let worst = slow
            .iter()
            .filter_map(|&p| num_after(&v.lines[p].text, " took ").map(|ms| (ms, p)))
            .max()
            .unwrap_or((0, first));
        let mut f = Finding::new(
            "slow_disk",
            Severity::Warning,
            v.lines[first].at,
            format!(
                "Server {sid}'s txn-log fsync was slow {} time(s), the worst {} (at {}): every write it ACKs waits for that fsync, so commits stall{}.",
                slow.len(),
                dur(worst.0),
                dur(v.lines[worst.1].at),
                if worst.0 >= v.settings.sync_timeout() {
                    format!(", and past syncLimit × tickTime ({}) its leader may drop it", dur(v.settings.sync_timeout()))
                } else {
                    String::new()
                }
            ),
        );
        f.now = false;
        f.server = Some(sid);
        f.servers = vec![sid];
        f.settings = vec![advice::sync_limit(&v.settings)];
        f.advice = advice::disk();
        let mut cites = vec![first];
        if worst.1 != first {
            cites.push(worst.1);
        }
        finish(v, &mut f, &cites);
        out.push(f);
    }
}

/// `digest_mismatch`: one finding per server that logged one.
pub fn digests(v: &View, out: &mut Out) {
    for &sid in &v.sids {
        let lines: Vec<usize> = v
            .of_sid(sid)
            .filter(|&p| {
                let t = &v.lines[p].text;
                t.contains("Digests are not matching") || t.starts_with("First digest mismatch")
            })
            .collect();
        let Some(&first) = lines.first() else {
            continue;
        };
        let zxid = v.lines[first..]
            .iter()
            .find(|l| l.sid == sid && l.text.contains("Value is Zxid"))
            .and_then(|l| num_after(&l.text, "Value:"));
        let mut f = Finding::new(
            "digest_mismatch",
            Severity::Critical,
            v.lines[first].at,
            format!(
                "Server {sid}'s data tree does not match the digest recorded with txn {}: ZooKeeper's own signal that this server applied different data than the others for the same zxid (the servers have diverged).",
                z(zxid)
            ),
        );
        f.now = false;
        f.server = Some(sid);
        f.servers = vec![sid];
        f.zxids = zxid.map(crate::zxid::Zxid).into_iter().collect();
        f.advice = advice::digest();
        finish(
            v,
            &mut f,
            &lines.iter().copied().take(3).collect::<Vec<_>>(),
        );
        out.push(f);
    }
}

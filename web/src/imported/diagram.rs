//! The space-time diagram of an imported run, as the same
//! [`spacetime::Diagram`] the simulation's is (so the canvas, the hover
//! text and the SVG export draw it unchanged): a lane per server banded
//! by its ZabState from the phases the lines give, and an arrow where two
//! servers' lines pair up — a leader's `Sending DIFF/TRUNC/snapshot … for
//! peer sid: N` and that learner's next `Getting a diff / snapshot`,
//! `Truncating log` (`LearnerHandler.syncFollower` →
//! `Learner.syncWithLeader`). It reads the import only.

use zablab_core::import::{EventKind, PeerState, SyncMode, ZabState};
use zablab_core::sim::{MsgDetail, MsgKind, Outcome};
use zablab_core::zxid::Zxid;

use super::{Imported, Phase};
use crate::spacetime::{self, Arrow, Segment, Shade};

/// How far after a leader's send its learner's receipt is looked for.
const PAIR_WITHIN_MS: u64 = 30_000;

fn shade(p: &Phase) -> Shade {
    if !p.up {
        return Shade::Down;
    }
    if p.paused {
        return Shade::Paused;
    }
    match (p.state, p.zab) {
        (None, _) => Shade::Unknown,
        (Some(PeerState::Looking), _) | (_, Some(ZabState::Election)) => Shade::Election,
        (_, Some(ZabState::Discovery)) | (_, None) => Shade::Discovery,
        (_, Some(ZabState::Synchronization)) => Shade::Synchronization,
        (Some(PeerState::Leading), Some(ZabState::Broadcast)) => Shade::Leading,
        (_, Some(ZabState::Broadcast)) => Shade::Broadcast,
    }
}

fn sync_kind(mode: SyncMode) -> MsgKind {
    match mode {
        SyncMode::Snap => MsgKind::Snap,
        SyncMode::Trunc => MsgKind::Trunc,
        SyncMode::Diff | SyncMode::None => MsgKind::Diff,
    }
}

/// The diagram of `[now - window_ms, now]` (ms after the first line).
pub fn diagram(run: &Imported, now: f64, window_ms: f64) -> spacetime::Diagram {
    let t1 = now.max(window_ms);
    let t0 = t1 - window_ms;
    // After the last line nothing is known: the lanes stop there.
    let end = (run.span_ms as f64).min(t1);
    let mut segments = Vec::new();
    for (lane, &sid) in run.sids.iter().enumerate() {
        let ph = run.phases(sid);
        for (i, p) in ph.iter().enumerate() {
            let a = p.at as f64;
            let b = ph.get(i + 1).map_or(end, |n| n.at as f64);
            if b <= t0 || a >= end {
                continue;
            }
            segments.push(Segment {
                lane,
                t0: a.max(t0),
                t1: b.min(end),
                shade: shade(p),
            });
        }
    }
    let arrows: Vec<Arrow> = sync_pairs(run)
        .into_iter()
        .filter(|a| a.at >= t0 && a.sent <= t1)
        .collect();
    spacetime::Diagram {
        t0,
        t1,
        now,
        lanes: run.sids.clone(),
        segments,
        omitted: 0,
        truncated: false,
        arrows,
    }
}

/// Every leader's sync send paired with its learner's receipt.
pub fn sync_pairs(run: &Imported) -> Vec<Arrow> {
    let events = &run.import.events;
    let mut out = Vec::new();
    for (i, e) in events.iter().enumerate() {
        let EventKind::SyncSent {
            learner,
            mode,
            zxid,
            ..
        } = &e.kind
        else {
            continue;
        };
        let sent = run.rel(e.at_ms);
        let receipt = events[i..].iter().find(|r| {
            r.sid == *learner
                && matches!(&r.kind, EventKind::SyncReceived { mode: m, .. } if m == mode)
                && run.rel(r.at_ms) <= sent + PAIR_WITHIN_MS
        });
        let (Some(r), Some(from), Some(to)) = (receipt, run.lane(e.sid), run.lane(*learner)) else {
            continue;
        };
        out.push(Arrow {
            from,
            to,
            sent: sent as f64,
            at: run.rel(r.at_ms) as f64,
            reach: 1.0,
            kind: sync_kind(*mode),
            outcome: Outcome::Handled,
            detail: zxid.map_or(MsgDetail::None, |z| MsgDetail::Zxid(Zxid(z))),
        });
    }
    out
}

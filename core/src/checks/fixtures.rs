//! Test fixtures of the checks: fake server observations, proposals as
//! ghost events, and one-shot or stepped checker runs. Test-only.

use std::sync::Arc;

use super::{Checker, ServerObs};
use crate::proto::{ServerState, Sid, ZabState};
use crate::seq::Seq;
use crate::server::GhostEvent;
use crate::txn::{Txn, TxnId};
use crate::zxid::Zxid;

pub(super) fn id(e: u32, c: u32, d: u64) -> TxnId {
    TxnId {
        zxid: Zxid::new(e, c),
        digest: d,
    }
}

pub(super) struct Fake {
    pub(super) sid: Sid,
    pub(super) state: ServerState,
    pub(super) zab: ZabState,
    pub(super) epochs: (u32, u32),
    pub(super) following: Option<Sid>,
    pub(super) applied: Seq<TxnId>,
    pub(super) delivered: usize,
    pub(super) log: Seq<Arc<Txn>>,
    pub(super) bad_appends: u64,
}

impl Fake {
    pub(super) fn new(sid: Sid, applied: &[TxnId], delivered: usize) -> Fake {
        Fake {
            sid,
            state: ServerState::Following,
            zab: ZabState::Broadcast,
            epochs: (1, 1),
            following: None,
            applied: applied.iter().copied().collect(),
            delivered,
            log: Seq::new(),
            bad_appends: 0,
        }
    }
    pub(super) fn obs(&self) -> ServerObs<'_> {
        ServerObs {
            sid: self.sid,
            up: true,
            state: self.state,
            zab_state: self.zab,
            accepted_epoch: self.epochs.0,
            current_epoch: self.epochs.1,
            following: self.following,
            applied: &self.applied,
            applied_increasing: self
                .applied
                .iter()
                .zip(self.applied.iter().skip(1))
                .all(|(a, b)| a.zxid < b.zxid),
            delivered: self.delivered,
            last_processed: self.applied.last().map(|t| t.zxid).unwrap_or_default(),
            log: &self.log,
            non_increasing_appends: self.bad_appends,
            rollover_appends: 0,
            apply_mismatches: 0,
        }
    }
}

pub(super) fn proposed(ids: &[TxnId]) -> Vec<(Sid, GhostEvent)> {
    ids.iter()
        .map(|t| {
            (
                1,
                GhostEvent::Proposed {
                    epoch: t.zxid.epoch(),
                    txn: *t,
                },
            )
        })
        .collect()
}

pub(super) fn run(ghost: &[(Sid, GhostEvent)], fakes: &[&Fake]) -> Vec<String> {
    let mut c = Checker::new();
    let obs: Vec<ServerObs<'_>> = fakes.iter().map(|f| f.obs()).collect();
    c.after_event(0, 0, &obs, ghost);
    c.violations.iter().map(|v| v.property.clone()).collect()
}

pub(super) fn run_seq(ghost: &[(Sid, GhostEvent)], steps: &[Vec<&Fake>]) -> Vec<String> {
    let mut c = Checker::new();
    for (i, fakes) in steps.iter().enumerate() {
        let obs: Vec<ServerObs<'_>> = fakes.iter().map(|f| f.obs()).collect();
        let g = if i == 0 { ghost } else { &[] };
        c.after_event(i as u64, i as u64, &obs, g);
    }
    c.violations.iter().map(|v| v.property.clone()).collect()
}

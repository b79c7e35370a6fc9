//! Each server's vote as the app shows it during an election, and why it
//! last changed (`FastLeaderElection.totalOrderPredicate`: a higher
//! peerEpoch, else a higher zxid, else a higher sid; or a newer round).
//!
//! - A LOOKING server stands for its proposal (`proposedLeader`,
//!   `proposedZxid`, `proposedEpoch`) in round `logicalclock`; any other
//!   server for `QuorumPeer.currentVote`, which it sends to LOOKING peers.
//! - The last change of each server's vote is noted by the history hooks
//!   (`view/history.rs`): the vote before and after each event, and the
//!   notification being handled, if any, as the cause. With the history
//!   off there is no change to show.
//!
//! Contract: read-only; the reason is computed from the two votes and the
//! cause, in the order ZooKeeper compares votes, never from a log line.

use super::super::Simulation;
use crate::proto::{ServerState, Sid, Vote};
use crate::server::Server;

/// What a vote says: for whom, with which peerEpoch and zxid, in which
/// round (election epoch, `logicalclock`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ballot {
    pub leader: i64,
    pub peer_epoch: i64,
    pub zxid: i64,
    pub round: u64,
}

/// Why a vote changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VoteReason {
    /// `lookForLeader` began: a new round, voting for itself.
    NewElection,
    /// A notification of a newer round: the server moved to that round
    /// with the better of that vote and its own.
    NewerRound,
    /// The same round, a better vote: a higher peerEpoch.
    HigherEpoch,
    /// The same peerEpoch, a higher zxid.
    HigherZxid,
    /// The same peerEpoch and zxid, a higher sid.
    HigherSid,
    /// It stopped looking and follows the leader a quorum already follows.
    JoinedLeader,
    /// The leader was established: `updateElectionVote` sets the vote's
    /// peerEpoch to the new epoch.
    EpochUpdated,
}

/// The last change of one server's vote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VoteChange {
    pub at_ms: u64,
    pub from: Ballot,
    pub to: Ballot,
    pub reason: VoteReason,
    /// The sender of the notification that caused it, if one did.
    pub cause: Option<Sid>,
}

/// A running server's vote now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoteView {
    pub sid: Sid,
    pub state: ServerState,
    pub ballot: Ballot,
    /// While LOOKING: the voters whose latest vote this round equals ours
    /// (`recvset`, ourselves included once our own notification arrived).
    pub agreeing: Vec<Sid>,
    /// How many voters make a quorum.
    pub quorum: usize,
    /// In the finalize wait (a quorum agrees).
    pub finalizing: bool,
    /// Its last change, with the history on.
    pub change: Option<VoteChange>,
}

/// The vote a server stands for now (see the module doc).
pub(in crate::sim) fn ballot_of(s: &Server) -> Ballot {
    if s.state == ServerState::Looking {
        let e = &s.election;
        Ballot {
            leader: e.proposed_leader,
            peer_epoch: e.proposed_epoch,
            zxid: e.proposed_zxid,
            round: e.logicalclock,
        }
    } else {
        let v = s.current_vote;
        Ballot {
            leader: v.leader,
            peer_epoch: v.peer_epoch,
            zxid: v.zxid,
            round: v.round,
        }
    }
}

/// Why `from` became `to` on a server now in `state`, `cause` being the
/// notification handled (sender, round), if any.
pub(in crate::sim) fn reason(
    from: Ballot,
    to: Ballot,
    was_looking: bool,
    state: ServerState,
    cause: Option<(Sid, u64)>,
) -> VoteReason {
    let looking = state == ServerState::Looking;
    if was_looking && !looking {
        return VoteReason::JoinedLeader;
    }
    if to.round != from.round {
        return match cause {
            Some((_, r)) if r == to.round && looking => VoteReason::NewerRound,
            _ => VoteReason::NewElection,
        };
    }
    if !looking && (to.leader, to.zxid) == (from.leader, from.zxid) {
        return VoteReason::EpochUpdated;
    }
    if to.peer_epoch != from.peer_epoch {
        VoteReason::HigherEpoch
    } else if to.zxid != from.zxid {
        VoteReason::HigherZxid
    } else {
        VoteReason::HigherSid
    }
}

impl Simulation {
    /// The vote of every running server, by sid.
    pub fn votes(&self) -> Vec<VoteView> {
        self.nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| n.up && n.server.running)
            .map(|(i, n)| {
                let s = &n.server;
                let ballot = ballot_of(s);
                let looking = s.state == ServerState::Looking;
                let mine = Vote {
                    leader: ballot.leader,
                    zxid: ballot.zxid,
                    round: ballot.round,
                    peer_epoch: ballot.peer_epoch,
                    state: ServerState::Looking,
                };
                let agreeing = if looking {
                    s.election
                        .recvset
                        .iter()
                        .filter(|(_, v)| v.same_as(&mine, true))
                        .map(|(sid, _)| *sid)
                        .collect()
                } else {
                    Vec::new()
                };
                VoteView {
                    sid: n.sid,
                    state: s.state,
                    ballot,
                    agreeing,
                    quorum: s.cfg.quorum_size(),
                    finalizing: looking && s.election.finalizing,
                    change: self.history.vote_change(i),
                }
            })
            .collect()
    }
}

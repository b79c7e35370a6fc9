//! What the cluster view and the diagram say, in words: a vote (for whom,
//! peerEpoch, zxid, round) and why it changed, a deadline and how much of
//! it is left, a message's label (ZooKeeper's packet name with the epoch
//! or zxid it carries) and its hover text. Pure: from the core's views to
//! strings, through the translation table (`i18n.rs`); no layout, no DOM.
//!
//! Notation: a vote is `vote → 3` over `e0 · 0x0 · r1` (peerEpoch,
//! zxid, round: the order in which `FastLeaderElection.totalOrderPredicate`
//! compares, then the round it was cast in); the hover and accessible
//! texts spell it out.

use zablab_core::proto::ServerState;
use zablab_core::server::LeaderPhase;
use zablab_core::sim::{
    Ballot, Deadline, DeadlineKind, InFlight, MsgDetail, MsgKind, Peer, VoteChange, VoteReason,
};

use crate::i18n::{tr, trf, Lang, T};

/// A span of time, short: `120 ms`, `1.4 s`, `45 s`.
pub fn span(ms: f64) -> String {
    let ms = ms.max(0.0);
    if ms < 1000.0 {
        format!("{} ms", crate::dec(ms, 0))
    } else if ms < 10_000.0 {
        format!("{} s", crate::dec(ms / 1000.0, 1))
    } else {
        format!("{} s", crate::dec(ms / 1000.0, 0))
    }
}

/// A vote's zxid (a Java long): hex, or `—` for an observer's
/// `Long.MIN_VALUE` and FLE's -1 before the first proposal.
fn zxid(z: i64) -> String {
    if z < 0 {
        "—".to_string()
    } else {
        format!("0x{z:x}")
    }
}

fn whom(v: i64) -> String {
    if v < 0 {
        "—".to_string()
    } else {
        v.to_string()
    }
}

/// `vote → 3`.
pub fn vote_head(l: Lang, b: &Ballot) -> String {
    trf(l, T::VoteHead, &[&whom(b.leader)])
}

/// `e0 · 0x0 · r1`.
pub fn vote_ballot(l: Lang, b: &Ballot) -> String {
    trf(
        l,
        T::VoteBallot,
        &[&whom(b.peer_epoch), &zxid(b.zxid), &b.round.to_string()],
    )
}

/// The vote spelled out (hover, screen readers).
pub fn vote_words(l: Lang, b: &Ballot) -> String {
    trf(
        l,
        T::VoteWords,
        &[
            &whom(b.leader),
            &whom(b.peer_epoch),
            &zxid(b.zxid),
            &b.round.to_string(),
        ],
    )
}

/// Why a vote changed, in a few words.
pub fn reason(l: Lang, c: &VoteChange) -> String {
    match c.reason {
        VoteReason::HigherEpoch => tr(l, T::ReasonHigherEpoch).to_string(),
        VoteReason::HigherZxid => tr(l, T::ReasonHigherZxid).to_string(),
        VoteReason::HigherSid => tr(l, T::ReasonHigherSid).to_string(),
        VoteReason::NewerRound => trf(
            l,
            T::ReasonNewerRound,
            &[&c.cause.map_or_else(String::new, |s| s.to_string())],
        ),
        VoteReason::NewElection => tr(l, T::ReasonNewElection).to_string(),
        VoteReason::JoinedLeader => tr(l, T::ReasonJoinedLeader).to_string(),
        VoteReason::EpochUpdated => tr(l, T::ReasonEpochUpdated).to_string(),
    }
}

/// `was → 1: higher sid`.
pub fn vote_was(l: Lang, c: &VoteChange) -> String {
    trf(l, T::VoteWas, &[&whom(c.from.leader), &reason(l, c)])
}

/// The change spelled out: when, from what, why, and the rule.
pub fn change_words(l: Lang, c: &VoteChange) -> String {
    let mut s = trf(
        l,
        T::VoteChanged,
        &[
            &crate::fmt_ms(c.at_ms),
            &vote_words(l, &c.from),
            &reason(l, c),
        ],
    );
    if let (Some(from), VoteReason::HigherEpoch | VoteReason::HigherZxid | VoteReason::HigherSid) =
        (c.cause, c.reason)
    {
        s.push_str(&trf(l, T::ReasonFrom, &[&from.to_string()]));
        s.push_str(". ");
        s.push_str(tr(l, T::ReasonOrder));
    }
    s
}

/// A deadline in a few words at virtual time `now` (what is left, or how
/// much has passed of how much).
pub fn deadline_short(l: Lang, d: &Deadline, now: f64) -> String {
    let left = span(d.due_ms as f64 - now);
    let passed = span(now - d.start_ms as f64);
    let whole = span((d.due_ms - d.start_ms) as f64);
    match d.kind {
        DeadlineKind::NotificationTimeout { .. } => trf(l, T::DlResend, &[&left]),
        DeadlineKind::FinalizeWait => trf(l, T::DlFinalize, &[&left]),
        DeadlineKind::ObserverDelay => trf(l, T::DlObserverDelay, &[&left]),
        DeadlineKind::ConnectRetry { .. } => trf(l, T::DlConnectRetry, &[&left]),
        DeadlineKind::LearnerInitLimit => trf(l, T::DlInitLimit, &[&passed, &whole]),
        DeadlineKind::LearnerSyncLimit => trf(l, T::DlSyncLimit, &[&passed, &whole]),
        DeadlineKind::LeaderWait { .. } => trf(l, T::DlLeaderWait, &[&passed, &whole]),
        DeadlineKind::TickCheck { .. } => trf(l, T::DlTickCheck, &[&left]),
        DeadlineKind::SyncedQuorum { .. } => trf(l, T::DlSyncedQuorum, &[&left]),
        DeadlineKind::SessionExpiry { session, .. } => {
            trf(l, T::DlSession, &[&format!("0x{session:x}"), &left])
        }
        DeadlineKind::Resume => trf(l, T::DlResume, &[&left]),
        DeadlineKind::HandlerRead { learner, .. } => trf(
            l,
            T::DlHandler,
            &[
                &learner.map_or_else(|| "?".into(), |s| s.to_string()),
                &passed,
                &whole,
            ],
        ),
    }
}

fn leader_wait_name(p: LeaderPhase) -> &'static str {
    match p {
        LeaderPhase::WaitEpoch => "getEpochToPropose",
        LeaderPhase::WaitEpochAck => "waitForEpochAck",
        LeaderPhase::WaitNewLeaderAck | LeaderPhase::Broadcast => "waitForNewLeaderAck",
    }
}

/// A deadline spelled out: the rule in ZooKeeper's names.
pub fn deadline_title(l: Lang, d: &Deadline) -> String {
    let whole = span((d.due_ms - d.start_ms) as f64);
    let due = crate::fmt_ms(d.due_ms);
    match d.kind {
        DeadlineKind::NotificationTimeout { interval_ms } => {
            trf(l, T::DlResendTitle, &[&span(interval_ms as f64)])
        }
        DeadlineKind::FinalizeWait => tr(l, T::DlFinalizeTitle).to_string(),
        DeadlineKind::ObserverDelay => tr(l, T::DlObserverDelayTitle).to_string(),
        DeadlineKind::ConnectRetry { tries } => {
            trf(l, T::DlConnectRetryTitle, &[&tries.to_string()])
        }
        DeadlineKind::LearnerInitLimit => trf(l, T::DlInitLimitTitle, &[&whole]),
        DeadlineKind::LearnerSyncLimit => trf(l, T::DlSyncLimitTitle, &[&whole]),
        DeadlineKind::LeaderWait { phase } => {
            trf(l, T::DlLeaderWaitTitle, &[leader_wait_name(phase), &whole])
        }
        DeadlineKind::TickCheck { .. } => trf(l, T::DlTickCheckTitle, &[&whole]),
        DeadlineKind::SyncedQuorum { synced } => {
            trf(l, T::DlSyncedQuorumTitle, &[&synced.to_string(), &due])
        }
        DeadlineKind::SessionExpiry {
            session,
            timeout_ms,
        } => trf(
            l,
            T::DlSessionTitle,
            &[&format!("0x{session:x}"), &span(timeout_ms as f64)],
        ),
        DeadlineKind::Resume => trf(l, T::DlResumeTitle, &[&due]),
        DeadlineKind::HandlerRead { learner, .. } => trf(
            l,
            T::DlHandlerTitle,
            &[&learner.map_or_else(|| "?".into(), |s| s.to_string()), &due],
        ),
    }
}

/// A message's label: ZooKeeper's packet name with the epoch or zxid it
/// carries; a notification's vote when `detailed` (paused or slow), else
/// `vote`.
pub fn message_label(l: Lang, m: &InFlight, detailed: bool) -> String {
    let name = m.kind.name();
    match (m.kind, m.detail) {
        (MsgKind::Notification, MsgDetail::Vote { .. }) if !detailed => {
            tr(l, T::VoteShort).to_string()
        }
        (
            MsgKind::Notification,
            MsgDetail::Vote {
                state,
                leader,
                zxid: z,
                round,
                peer_epoch,
            },
        ) => {
            let b = Ballot {
                leader,
                peer_epoch,
                zxid: z,
                round,
            };
            let ballot = format!("→ {} · {}", whom(leader), vote_ballot(l, &b));
            if state == ServerState::Looking {
                ballot
            } else {
                format!("{} {ballot}", state.name())
            }
        }
        (
            MsgKind::FollowerInfo | MsgKind::ObserverInfo | MsgKind::LeaderInfo,
            MsgDetail::Zxid(z),
        ) => {
            format!("{name} e{}", z.epoch())
        }
        (
            _,
            MsgDetail::AckEpoch {
                current_epoch,
                last_zxid,
            },
        ) if current_epoch >= 0 => format!("{name} e{current_epoch} · {last_zxid}"),
        (_, MsgDetail::AckEpoch { last_zxid, .. }) => format!("{name} · {last_zxid}"),
        (
            MsgKind::NewLeader
            | MsgKind::Diff
            | MsgKind::Trunc
            | MsgKind::Snap
            | MsgKind::Proposal
            | MsgKind::Commit
            | MsgKind::Inform
            | MsgKind::Ack,
            MsgDetail::Zxid(z),
        ) => format!("{name} {z}"),
        _ => name.to_string(),
    }
}

/// What a message carries, spelled out (after its name).
pub fn detail_text(l: Lang, d: &MsgDetail) -> String {
    match *d {
        MsgDetail::Zxid(z) => format!(" · zxid {z}"),
        MsgDetail::AckEpoch {
            current_epoch,
            last_zxid,
        } => format!(" · currentEpoch {current_epoch} · lastZxid {last_zxid}"),
        MsgDetail::Vote {
            state,
            leader,
            zxid: z,
            round,
            peer_epoch,
        } => trf(
            l,
            T::VoteDetail,
            &[
                state.name(),
                &whom(leader),
                &zxid(z),
                &round.to_string(),
                &whom(peer_epoch),
            ],
        ),
        MsgDetail::Client { cxid, zxid } => format!(" · cxid {cxid} · zxid {zxid}"),
        MsgDetail::None => String::new(),
    }
}

/// A message in flight spelled out: kind, ends, what it carries, when.
pub fn message_title(l: Lang, m: &InFlight) -> String {
    let who = |p: Peer| match p {
        Peer::Server(s) => trf(l, T::ServerN, &[&s.to_string()]),
        Peer::Client(c) => trf(l, T::ClientN, &[&c.to_string()]),
    };
    let mut s = format!("{} {} → {}", m.kind.name(), who(m.from), who(m.to));
    s.push_str(&detail_text(l, &m.detail));
    match (m.sent_ms, m.deliver_ms) {
        (Some(a), Some(b)) => s.push_str(&trf(
            l,
            T::SentDelivered,
            &[&crate::fmt_ms(a), &crate::fmt_ms(b)],
        )),
        _ => s.push_str(&format!(" · {}", tr(l, T::HeldAtCut))),
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use zablab_core::zxid::Zxid;

    fn msg(kind: MsgKind, detail: MsgDetail) -> InFlight {
        InFlight {
            id: 1,
            from: Peer::Server(1),
            to: Peer::Server(2),
            kind,
            sent_ms: Some(10),
            deliver_ms: Some(50),
            detail,
        }
    }

    #[test]
    fn spans_are_short() {
        assert_eq!(span(120.0), "120 ms");
        assert_eq!(span(1449.0), "1.4 s");
        assert_eq!(span(45_000.0), "45 s");
        assert_eq!(span(-3.0), "0 ms");
    }

    #[test]
    fn votes_read_in_the_order_zookeeper_compares() {
        let b = Ballot {
            leader: 3,
            peer_epoch: 1,
            zxid: 0x1_0000_0002,
            round: 2,
        };
        assert_eq!(vote_head(Lang::En, &b), "vote → 3");
        assert_eq!(vote_ballot(Lang::En, &b), "e1 · 0x100000002 · r2");
        assert_eq!(
            vote_words(Lang::En, &b),
            "votes for 3 with peerEpoch 1, zxid 0x100000002, in round 2"
        );
        let c = VoteChange {
            at_ms: 31,
            from: Ballot { leader: 1, ..b },
            to: b,
            reason: VoteReason::HigherSid,
            cause: Some(3),
        };
        assert_eq!(vote_was(Lang::En, &c), "was → 1: higher sid");
        assert!(change_words(Lang::En, &c).contains("notification from 3"));
        assert!(change_words(Lang::En, &c).contains("totalOrderPredicate"));
        assert!(vote_was(Lang::Zh, &c).contains("sid 更大"));
    }

    #[test]
    fn discovery_and_sync_messages_carry_full_names_and_what_matters() {
        let z = |e: u32, c: u32| Zxid::new(e, c);
        let label = |k, d| message_label(Lang::En, &msg(k, d), false);
        assert_eq!(
            label(MsgKind::LeaderInfo, MsgDetail::Zxid(z(2, 0))),
            "LEADERINFO e2"
        );
        assert_eq!(
            label(MsgKind::FollowerInfo, MsgDetail::Zxid(z(1, 0))),
            "FOLLOWERINFO e1"
        );
        assert_eq!(
            label(
                MsgKind::AckEpoch,
                MsgDetail::AckEpoch {
                    current_epoch: 1,
                    last_zxid: z(1, 3)
                }
            ),
            "ACKEPOCH e1 · 0x100000003"
        );
        assert_eq!(
            label(MsgKind::NewLeader, MsgDetail::Zxid(z(2, 0))),
            "NEWLEADER 0x200000000"
        );
        assert_eq!(
            label(MsgKind::Proposal, MsgDetail::Zxid(z(2, 1))),
            "PROPOSAL 0x200000001"
        );
        assert_eq!(
            label(MsgKind::UpToDate, MsgDetail::Zxid(Zxid::ZERO)),
            "UPTODATE"
        );
        assert_eq!(label(MsgKind::Ping, MsgDetail::Zxid(z(2, 1))), "PING");
        let vote = MsgDetail::Vote {
            state: ServerState::Looking,
            leader: 3,
            zxid: 0,
            round: 1,
            peer_epoch: 0,
        };
        assert_eq!(label(MsgKind::Notification, vote), "vote");
        let m = msg(MsgKind::Notification, vote);
        assert_eq!(message_label(Lang::En, &m, true), "→ 3 · e0 · 0x0 · r1");
        assert!(message_title(Lang::En, &m).starts_with("notification server 1 → server 2"));
    }

    #[test]
    fn every_deadline_has_words_in_both_languages() {
        let kinds = [
            DeadlineKind::NotificationTimeout { interval_ms: 400 },
            DeadlineKind::FinalizeWait,
            DeadlineKind::ObserverDelay,
            DeadlineKind::ConnectRetry { tries: 2 },
            DeadlineKind::LearnerInitLimit,
            DeadlineKind::LearnerSyncLimit,
            DeadlineKind::LeaderWait {
                phase: LeaderPhase::WaitEpochAck,
            },
            DeadlineKind::TickCheck { tick: 4 },
            DeadlineKind::SyncedQuorum { synced: 2 },
            DeadlineKind::SessionExpiry {
                session: 0x10,
                timeout_ms: 4000,
            },
            DeadlineKind::Resume,
            DeadlineKind::HandlerRead {
                learner: Some(2),
                init: false,
            },
        ];
        for kind in kinds {
            let d = Deadline {
                sid: 1,
                kind,
                start_ms: 1000,
                due_ms: 11_000,
                decides: true,
            };
            for l in [Lang::En, Lang::Zh] {
                assert!(!deadline_short(l, &d, 3000.0).is_empty());
                assert!(deadline_title(l, &d).len() > 20);
            }
        }
        let d = Deadline {
            sid: 2,
            kind: DeadlineKind::LearnerSyncLimit,
            start_ms: 1000,
            due_ms: 11_000,
            decides: true,
        };
        assert_eq!(
            deadline_short(Lang::En, &d, 8300.0),
            "leader silent 7.3 s / 10 s"
        );
    }
}

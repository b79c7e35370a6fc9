//! The operator's questions answered from a real ensemble's logs
//! ([`diagnose`]): why there was no leader and for how long, why a server
//! stayed LOOKING, why a learner needed a SNAP, a paused leader, a
//! partition, a crash, slow disks, expired sessions, digest mismatches.
//!
//! The findings are the simulator's [`Finding`]s (`crate::diagnosis`: the
//! same kinds, severities, settings, advice and rendering), each citing
//! the lines it rests on (`Finding.cites`, indices into `Import.lines`;
//! `evidence` holds them as text). One file per family: `faults.rs`
//! (`server_down`, `server_paused`, `partition`, from
//! `crate::import::episodes`), `leaders.rs` (`leader_change`, `no_quorum`,
//! `server_looking`), `others.rs` (`sync_snap`, `sync_trunc`,
//! `session_expired`, `slow_disk`, `digest_mismatch`), `advice.rs`.
//!
//! Contract: a pure function of the [`Import`]; it never guesses what the
//! logs cannot show (each sentence says what a line showed, and "about"
//! where a time is only bounded). `crate::diagnosis` knows nothing of
//! imports; this module uses it, never the reverse. Ranking: the faults'
//! cards first (time order), each with the leader changes it caused folded
//! under it; then the other findings, most severe first, then in time
//! order.

mod advice;
mod faults;
mod leaders;
mod others;

use super::episodes::{episodes, Episode};
use super::evidence::{cite, View};
use super::model::Import;
use crate::diagnosis::{Diagnosis, Finding};

/// The findings being built.
pub(crate) type Out = Vec<Finding>;

/// Everything the logs of `imp` answer, ranked.
pub fn diagnose(imp: &Import) -> Vec<Finding> {
    diagnose_view(&View::of(imp))
}

/// The same as a [`Diagnosis`] at the end of the logs (for its
/// `render()`, as `zablab run --diagnose` prints).
pub fn diagnosis(imp: &Import) -> Diagnosis {
    let v = View::of(imp);
    Diagnosis {
        at_ms: v.end(),
        findings: diagnose_view(&v),
    }
}

/// [`diagnose`] over a view.
pub fn diagnose_view(v: &View) -> Vec<Finding> {
    diagnose_with(v, &episodes(v))
}

/// [`diagnose_view`] with the view's episodes already found.
pub fn diagnose_with(v: &View, eps: &[Episode]) -> Vec<Finding> {
    let mut cards = Vec::new();
    faults::cards(v, eps, &mut cards);
    let mut rest = Vec::new();
    leaders::leader_changes(v, eps, &mut rest);
    leaders::looking(v, &mut rest);
    others::syncs(v, &mut rest);
    others::sessions(v, &mut rest);
    others::disks(v, &mut rest);
    others::digests(v, &mut rest);
    rank(cards, rest)
}

/// Sets a finding's citations (view positions → `Import.lines` indices)
/// and its evidence text, in the order given, without repeats.
pub(crate) fn finish(v: &View, f: &mut Finding, positions: &[usize]) {
    for &p in positions {
        let Some(l) = v.lines.get(p) else {
            continue;
        };
        if !f.cites.contains(&l.i) {
            f.cites.push(l.i);
            f.evidence.push(cite(l));
        }
    }
}

/// Consequences under their cause's card; the others after the cards.
fn rank(mut cards: Vec<Finding>, rest: Vec<Finding>) -> Vec<Finding> {
    let mut loose = Vec::new();
    for (k, mut f) in rest.into_iter().enumerate() {
        if f.key.is_empty() {
            f.key = format!("{}:{}@{}#{k}", f.id, f.server.unwrap_or(0), f.at_ms);
        }
        match f
            .cause
            .clone()
            .and_then(|c| cards.iter_mut().find(|x| x.key == c))
        {
            Some(card) => card.consequences.push(f),
            None => {
                f.cause = None;
                loose.push(f);
            }
        }
    }
    crate::sorting::sort_by_key(&mut loose, |f| (std::cmp::Reverse(f.severity), f.at_ms));
    cards.extend(loose);
    cards
}

#[cfg(test)]
mod tests;

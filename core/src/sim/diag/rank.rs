//! From findings to cards: each finding that names a cause (`cause`, the
//! key of a fault's card) is folded under that card, one card per cause;
//! then the cards are ranked.
//!
//! Contract: a pure function of the list. Keys: a finding without one gets
//! `<id>:<server or ensemble>@<at_ms>` (`#2`, `#3` … when that is taken by
//! another finding without a key); a key a family set is kept as it is, so
//! two cards of the same fault stay visible as a contradiction (the rules
//! test looks for it). A cause that names no card is dropped (the finding
//! becomes a card of its own). Order of cards, by group: what happens now
//! (the card or one of its consequences holds now, and it is not about
//! what is configured); then the run's past faults (a GC pause over by now
//! still explains the leader changes an operator asks about); then what is
//! configured (`large_quorum`, `observers`); then other past findings.
//! Within a group: the most severe first (a card is as severe as its worst
//! consequence that holds now); then the run's faults before other
//! findings; then the most recent; then the families' order.
//! Consequences under a card: what holds now first, the most severe
//! first; then the past ones in time order (the story of the fault).

use std::cmp::Reverse;
use std::collections::BTreeSet;

use crate::diagnosis::{Finding, Severity};

/// The ids of the cards that are a fault of the run.
pub(super) const FAULT_KINDS: [&str; 6] = [
    "server_down",
    "server_paused",
    "partition",
    "slow_disk",
    "slow_link",
    "message_dropped",
];

/// The ids of findings about the ensemble's configuration, not about what
/// happens: they rank after every other card.
pub(super) const SHAPE_KINDS: [&str; 2] = ["large_quorum", "observers"];

/// Gives every finding without a key its own.
fn name(findings: &mut [Finding]) {
    let taken: BTreeSet<String> = findings
        .iter()
        .filter(|f| !f.key.is_empty())
        .map(|f| f.key.clone())
        .collect();
    let mut given: BTreeSet<String> = BTreeSet::new();
    for f in findings.iter_mut().filter(|f| f.key.is_empty()) {
        let who = f.server.map_or("ensemble".to_string(), |s| s.to_string());
        let base = format!("{}:{who}@{}", f.id, f.at_ms);
        let mut key = base.clone();
        let mut n = 1;
        while taken.contains(&key) || given.contains(&key) {
            n += 1;
            key = format!("{base}#{n}");
        }
        given.insert(key.clone());
        f.key = key;
    }
}

/// Folds the consequences under their causes and ranks the cards.
pub(super) fn cards(mut findings: Vec<Finding>) -> Vec<Finding> {
    name(&mut findings);
    let roots: BTreeSet<String> = findings
        .iter()
        .filter(|f| f.cause.is_none())
        .map(|f| f.key.clone())
        .collect();
    // Each finding with its place in the families' order (the last tie).
    type Placed = Vec<(usize, Finding)>;
    let (mut cards, folded): (Placed, Placed) = findings
        .into_iter()
        .map(|mut f| {
            if f.cause
                .as_ref()
                .is_some_and(|c| !roots.contains(c) || *c == f.key)
            {
                f.cause = None;
            }
            f
        })
        .enumerate()
        .partition(|(_, f)| f.cause.is_none());
    for (i, f) in folded {
        if let Some(card) = cards
            .iter_mut()
            .find(|c| Some(&c.1.key) == f.cause.as_ref())
        {
            card.1.consequences.push(f);
        } else {
            cards.push((i, f));
        }
    }
    for (_, c) in &mut cards {
        // What holds now, the most severe first; then the story, in order.
        crate::sorting::sort_by_key(&mut c.consequences, |x| {
            let sev = if x.now { x.severity } else { Severity::Info };
            (!x.now, Reverse(sev), x.at_ms)
        });
    }
    crate::sorting::sort_by_key(&mut cards, |(i, c)| {
        (
            group(c),
            Reverse(c.card_severity()),
            !FAULT_KINDS.contains(&c.id),
            Reverse(c.at_ms),
            *i,
        )
    });
    cards.into_iter().map(|(_, c)| c).collect()
}

/// A card's group in the ranking (see the module doc): 0 happening now,
/// 1 a past fault, 2 what is configured, 3 any other past finding.
fn group(c: &Finding) -> u8 {
    let shape = SHAPE_KINDS.contains(&c.id);
    match (c.card_now(), shape, FAULT_KINDS.contains(&c.id)) {
        (true, false, _) => 0,
        (false, false, true) => 1,
        (_, true, _) => 2,
        _ => 3,
    }
}

//! Leadership in an imported run: `leader_change` (a leader lost, why,
//! and how long the ensemble went without one, from `Have quorum of
//! supporters` to the next), `no_quorum` (no leader at the end of the
//! logs, or ever), `server_looking` (a server that stayed LOOKING: whose
//! notifications it heard — `FastLeaderElection`'s `Notification:` lines
//! — and whose it never did, with the connections refused or broken).
//!
//! Contract: reads the view and the episodes (to name a lost leader's
//! cause by its card's key); builds only these kinds.

use super::advice;
use super::{finish, Out};
use crate::diagnosis::{list_sids, Finding, Severity};
use crate::import::episodes::{Episode, Fault};
use crate::import::events::num_after;
use crate::import::evidence::{dur, is_process_start, is_role_line, Est, View};

/// What ended leader `old` before `next_at` (or the end): a position of
/// the line showing it, its time, and the episode that explains it.
fn lost<'a>(
    v: &View,
    old: &Est,
    next_at: Option<u64>,
    eps: &'a [Episode],
) -> Option<(usize, u64, Option<&'a Episode>)> {
    let end = next_at.unwrap_or(u64::MAX);
    let ep = eps.iter().find(|e| {
        e.from >= old.at
            && e.from <= end
            && match e.fault {
                Fault::Crash | Fault::Pause => e.sid == old.sid,
                Fault::Partition => e.groups.iter().skip(1).any(|g| g.contains(&old.sid)),
            }
    });
    let line = (old.pos + 1..v.lines.len())
        .take_while(|&p| v.lines[p].at <= end)
        .find(|&p| {
            let l = &v.lines[p];
            (l.sid == old.sid && (l.text.starts_with("Shutdown called") || is_process_start(l)))
                || (l.sid != old.sid
                    && l.text.starts_with("Exception when following the leader")
                    && v.leader_of(l.sid, p) == Some(old.sid))
        });
    match (ep, line) {
        (Some(e), Some(p)) => Some((p, e.from.min(v.lines[p].at), Some(e))),
        (Some(e), None) => Some((e.cites[0], e.from, Some(e))),
        (None, Some(p)) => Some((p, v.lines[p].at, None)),
        (None, None) => None,
    }
}

fn why(e: Option<&Episode>, v: &View, p: usize) -> String {
    match e.map(|e| e.fault) {
        Some(Fault::Crash) => "its process stopped".into(),
        Some(Fault::Pause) => "it stalled (a pause) and its followers gave up on it".into(),
        Some(Fault::Partition) => "the network cut it off from a quorum".into(),
        None if v.lines[p].text.starts_with("Shutdown called") => {
            format!("it stepped down (\"{}\")", v.lines[p].text)
        }
        None => "its followers lost it".into(),
    }
}

/// `leader_change` for every leader lost, `no_quorum` at the end.
pub fn leader_changes(v: &View, eps: &[Episode], out: &mut Out) {
    let est = v.established();
    for (k, old) in est.iter().enumerate() {
        let next = est.get(k + 1);
        let Some((p, t, e)) = lost(v, old, next.map(|n| n.at), eps) else {
            continue;
        };
        let mut cites = vec![p];
        let text = match next {
            Some(n) => {
                cites.push(n.pos);
                format!(
                    "No leader for {}: leader {} (epoch {}) was lost at {} because {}; server {} established epoch {} at {}.",
                    dur(n.at.saturating_sub(t)), old.sid, old.epoch, dur(t), why(e, v, p), n.sid, n.epoch, dur(n.at)
                )
            }
            None => format!(
                "No leader since {}: leader {} (epoch {}) was lost because {}, and no quorum established another by the end of the logs ({} later).",
                dur(t), old.sid, old.epoch, why(e, v, p), dur(v.end().saturating_sub(t))
            ),
        };
        let (id, sev) = if next.is_some() {
            ("leader_change", Severity::Warning)
        } else {
            ("no_quorum", Severity::Critical)
        };
        let mut f = Finding::new(id, sev, t, text);
        f.now = next.is_none();
        f.until_ms = next.map(|n| n.at);
        f.server = Some(old.sid);
        f.servers = vec![old.sid];
        f.servers.extend(next.map(|n| n.sid));
        f.cause = e.map(super::faults::key);
        f.settings = vec![
            advice::tick(&v.settings),
            advice::sync_limit(&v.settings),
            advice::init_limit(&v.settings),
        ];
        f.advice = vec!["A new leader needs an election (a quorum of voters' notifications) and then a quorum of learners synced within initLimit × tickTime; see the cause for what to fix.".into()];
        finish(v, &mut f, &cites);
        out.push(f);
    }
    if est.is_empty() && !v.lines.is_empty() {
        let mut f = Finding::new(
            "no_quorum",
            Severity::Critical,
            0,
            "No leader was established in these logs (no `Have quorum of supporters` line): not enough voters reached each other, or the leader's log is missing.".into(),
        );
        f.advice = advice::looking(&v.settings);
        f.settings = vec![advice::tick(&v.settings), advice::init_limit(&v.settings)];
        out.push(f);
    }
}

/// One stretch of LOOKING: positions of its `LOOKING` line and of the
/// line that ended it (a role line, a JVM's end), or the end.
fn stretches(v: &View, sid: u32) -> Vec<(usize, Option<usize>)> {
    let mut out = Vec::new();
    let mut open: Option<usize> = None;
    let mut last = None;
    for p in v.of_sid(sid) {
        let l = &v.lines[p];
        if let Some(s) = open {
            if (is_role_line(&l.text) && l.text != "LOOKING") || is_process_start(l) {
                out.push((
                    s,
                    Some(if is_process_start(l) {
                        last.unwrap_or(p)
                    } else {
                        p
                    }),
                ));
                open = None;
            }
        }
        if l.text == "LOOKING" && open.is_none() {
            open = Some(p);
        }
        last = Some(p);
    }
    if let Some(s) = open {
        out.push((s, None));
    }
    out
}

/// Whom `sid` heard (its `Notification:` lines, itself included, sorted),
/// whom it was refused by (`Cannot open channel to N … refused`), and
/// the lines that show them, in its stretch from `a` to `b`.
fn heard_in(v: &View, sid: u32, a: usize, b: Option<usize>) -> (Vec<u32>, Vec<u32>, Vec<usize>) {
    let mut heard: Vec<u32> = vec![sid];
    let mut refused: Vec<u32> = Vec::new();
    let mut cites = vec![a];
    for p in a..b.map_or(v.lines.len(), |b| b + 1) {
        let l = &v.lines[p];
        if l.sid != sid {
            continue;
        }
        if l.text.starts_with("Notification:") {
            heard.extend(num_after(&l.text, "n.sid:").map(|n| n as u32));
        }
        if l.text.starts_with("Cannot open channel to ") && l.cont.contains("refused") {
            if let Some(n) = num_after(&l.text, "Cannot open channel to ").map(|n| n as u32) {
                if !refused.contains(&n) {
                    refused.push(n);
                    cites.push(p);
                }
            }
        }
    }
    crate::sorting::sort(&mut heard);
    heard.dedup();
    (heard, refused, cites)
}

/// `server_looking` for each long LOOKING stretch.
pub fn looking(v: &View, out: &mut Out) {
    let threshold = v.settings.sync_timeout().max(2000);
    let voters = &v.settings.participants;
    let quorum = voters.len() / 2 + 1;
    for &sid in &v.sids {
        for (a, b) in stretches(v, sid) {
            let t0 = v.lines[a].at;
            let t1 = b.map_or(v.end(), |b| v.lines[b].at);
            if t1 - t0 < threshold {
                continue;
            }
            let (heard, refused, mut cites) = heard_in(v, sid, a, b);
            let heard_voters: Vec<u32> = heard
                .iter()
                .copied()
                .filter(|x| voters.contains(x))
                .collect();
            let never: Vec<u32> = voters
                .iter()
                .copied()
                .filter(|x| !heard.contains(x))
                .collect();
            if heard_voters.len() >= quorum && b.is_some() {
                continue; // it heard a quorum: a slow election, not a lost one
            }
            let refused_never: Vec<u32> = never
                .iter()
                .copied()
                .filter(|x| refused.contains(x))
                .collect();
            let silent: Vec<u32> = never
                .iter()
                .copied()
                .filter(|x| !refused.contains(x))
                .collect();
            let mut why = format!(
                "it heard notifications from {} of the {} voters ({}; a quorum is {})",
                heard_voters.len(),
                voters.len(),
                list_sids(&heard_voters),
                quorum
            );
            if !refused_never.is_empty() {
                why.push_str(&format!(
                    "; connections to {} were refused (not running, or not yet started)",
                    list_sids(&refused_never)
                ));
            }
            if !silent.is_empty() {
                why.push_str(&format!(
                    "; nothing came from {} (unreachable, or not electing)",
                    list_sids(&silent)
                ));
            }
            let text = format!(
                "Server {sid} stayed LOOKING for {} (from {}{}): {why}.",
                dur(t1 - t0),
                dur(t0),
                b.map_or(" to the end of the logs".to_string(), |_| format!(
                    " to {}",
                    dur(t1)
                ))
            );
            let now = b.is_none();
            let sev = if now {
                Severity::Warning
            } else {
                Severity::Info
            };
            let mut f = Finding::new("server_looking", sev, t0, text);
            f.now = now;
            f.until_ms = b.map(|_| t1);
            f.server = Some(sid);
            f.servers = never.clone();
            f.servers.insert(0, sid);
            if let Some(b) = b {
                cites.push(b);
            }
            f.settings = vec![advice::tick(&v.settings), advice::init_limit(&v.settings)];
            f.advice = advice::looking(&v.settings);
            finish(v, &mut f, &cites);
            out.push(f);
        }
    }
}

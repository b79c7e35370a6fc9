//! The fault cards of an imported run: `server_down` (a crash, or a stop:
//! the logs cannot tell), `server_paused` (a stall such as a GC pause),
//! `partition` (peers timing out on each other while both keep logging),
//! each from an [`Episode`] with the lines it rests on.
//!
//! Contract: one finding per episode, built from the episode and the
//! view only; never another family's finding.

use super::advice;
use super::{finish, Out};
use crate::diagnosis::{list_sids, Finding, Link, Severity};
use crate::import::episodes::{Episode, Fault};
use crate::import::evidence::{dur, View};

/// The card of one episode; its key names it (`crash:2@5400`).
pub fn card(v: &View, e: &Episode) -> Finding {
    let s = &v.settings;
    let mut f = match e.fault {
        Fault::Crash => {
            let text = match e.until {
                Some(u) => format!(
                    "Server {} ({}) stopped at about {} without a line saying why (killed, crashed or stopped: ZooKeeper logs nothing then) and started again at {}; its peers' connections to it broke or were refused meanwhile.",
                    e.sid, role_word(e), dur(e.from), dur(u)
                ),
                None => format!(
                    "Server {} ({}) stopped at about {} without a line saying why and did not start again: its peers' connections to it are refused (nothing listens on its ports).",
                    e.sid, role_word(e), dur(e.from)
                ),
            };
            let sev = if e.was_leader || e.until.is_none() {
                Severity::Critical
            } else {
                Severity::Warning
            };
            let mut f = Finding::new("server_down", sev, e.from, text);
            f.server = Some(e.sid);
            f.servers = vec![e.sid];
            f.advice = advice::restart();
            f.settings = vec![advice::tick(s), advice::init_limit(s)];
            f
        }
        Fault::Pause => {
            let text = format!(
                "Server {} ({}) went silent from {} to {} — longer than syncLimit × tickTime ({}) — while its peers timed out on it (Read timed out), and it was not restarted: a stall such as a stop-the-world GC pause{}.",
                e.sid,
                role_word(e),
                dur(v.lines[e.last].at),
                dur(e.until.unwrap_or(e.from)),
                dur(s.sync_timeout()),
                if e.was_leader {
                    "; on waking it found no synced quorum and stepped down"
                } else {
                    ""
                }
            );
            let mut f = Finding::new("server_paused", Severity::Critical, e.from, text);
            f.server = Some(e.sid);
            f.servers = vec![e.sid];
            f.advice = advice::gc(s);
            f.settings = vec![advice::tick(s), advice::sync_limit(s)];
            f
        }
        Fault::Partition => {
            let sides = e
                .groups
                .iter()
                .map(|g| format!("{{{}}}", list_sids(g)))
                .collect::<Vec<_>>()
                .join(" | ");
            let pairs = e
                .pairs
                .iter()
                .map(|(a, b)| format!("{a}→{b}"))
                .collect::<Vec<_>>()
                .join(", ");
            let span = e.until.map_or(" to the end of the logs".to_string(), |u| {
                format!(" to {}", dur(u))
            });
            let text = if e.then_crashed {
                format!(
                    "A network partition is suspected from about {}{span}: its peers timed out on server {} ({pairs}: who gave up on whom) instead of seeing its connections close, and only later were its ports refused: it was cut off first, then stopped; the sides were {sides}.",
                    dur(e.from),
                    crate::diagnosis::list_sids(e.groups.last().map_or(&[][..], |g| &g[..]))
                )
            } else {
                format!(
                    "A network partition is suspected from about {}{span}: servers timed out on each other ({pairs}: who gave up on whom) while both sides kept logging, so none was down or stalled; the sides were {sides}.",
                    dur(e.from)
                )
            };
            let mut f = Finding::new("partition", Severity::Critical, e.from, text);
            let mut all: Vec<u32> = e.groups.concat();
            crate::sorting::sort(&mut all);
            f.servers = all;
            f.links = e
                .pairs
                .iter()
                .map(|&(a, b)| Link {
                    from: b,
                    to: a,
                    state: "cut",
                    latency_ms: None,
                })
                .collect();
            f.advice = advice::network(s);
            f.settings = vec![advice::tick(s), advice::sync_limit(s)];
            f
        }
    };
    f.key = key(e);
    f.now = e.until.is_none();
    f.until_ms = e.until;
    finish(v, &mut f, &e.cites);
    f
}

fn role_word(e: &Episode) -> &'static str {
    if e.was_leader {
        "the leader"
    } else {
        "not the leader"
    }
}

/// The key of an episode's card.
pub fn key(e: &Episode) -> String {
    match e.fault {
        Fault::Crash => format!("crash:{}@{}", e.sid, e.from),
        Fault::Pause => format!("pause:{}@{}", e.sid, e.from),
        Fault::Partition => format!("partition@{}", e.from),
    }
}

/// Every episode's card.
pub fn cards(v: &View, eps: &[Episode], out: &mut Out) {
    for e in eps {
        out.push(card(v, e));
    }
}

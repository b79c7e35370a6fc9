//! `dump` (`DumpCommand`): the session tracker (`SessionTrackerImpl`'s or
//! `LearnerSessionTracker`'s), the ephemeral nodes by session and the
//! connection expiry queue (`ExpiryQueue.dump`), with [`DumpData`], what the
//! caller hands in for them.
//!
//! Pure formatting from [`Stats`]; connections print as `cons` prints them
//! ([`ClientConn`](super::ClientConn)). Never panics.

use std::fmt::Write as _;

use super::java::java_date;
use super::Stats;

/// One bucket of an `ExpiryQueue` (`dump`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExpiryBucket {
    /// Wall-clock expiry time of the bucket, ms since the epoch.
    pub expire_at_ms: i64,
    /// Session ids (session tracker) or indexes into [`Stats::connections`]
    /// (connection expiry queue; an index out of range is left out, also
    /// from the counts).
    pub members: Vec<u64>,
}

/// The session tracker part of `dump`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SessionDump {
    /// Leader or standalone (`SessionTrackerImpl`, local sessions off):
    /// sessions by expiry bucket, ascending time.
    Expiry(Vec<ExpiryBucket>),
    /// Follower or observer (`LearnerSessionTracker`): the global sessions
    /// this learner knows, `(session id, timeout ms)`.
    Learner(Vec<(u64, u64)>),
}

impl Default for SessionDump {
    fn default() -> Self {
        SessionDump::Expiry(Vec::new())
    }
}

/// What `dump` prints besides the header lines.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DumpData {
    /// The session tracker.
    pub sessions: SessionDump,
    /// Sessions holding ephemeral nodes, with their paths.
    pub ephemerals: Vec<(u64, Vec<String>)>,
    /// The NIO connection expiry queue, ascending time.
    pub connection_expiry: Vec<ExpiryBucket>,
}
/// `ExpiryQueue.dump` after its caller's prefix word.
fn expiry_dump(buckets: &[ExpiryBucket], out: &mut String, elem: impl Fn(u64, &mut String)) {
    let elems: usize = buckets.iter().map(|b| b.members.len()).sum();
    let _ = writeln!(out, "Sets ({})/({}):", buckets.len(), elems);
    for b in buckets {
        let _ = writeln!(
            out,
            "{} expire at {}:",
            b.members.len(),
            java_date(b.expire_at_ms)
        );
        for &e in &b.members {
            out.push('\t');
            elem(e, out);
            out.push('\n');
        }
    }
}
/// `DumpCommand`.
pub(super) fn dump(s: &Stats, out: &mut String) {
    out.push_str("SessionTracker dump:\n");
    match &s.dump.sessions {
        SessionDump::Expiry(buckets) => {
            out.push_str("Session ");
            expiry_dump(buckets, out, |sid, o| {
                let _ = write!(o, "0x{sid:x}");
            });
        }
        SessionDump::Learner(sessions) => {
            let mut sorted = sessions.clone();
            crate::sorting::sort(&mut sorted);
            let _ = writeln!(out, "Global Sessions({}):", sorted.len());
            for (sid, timeout) in sorted {
                let _ = writeln!(out, "0x{sid:x}\t{timeout}ms");
            }
        }
    }
    out.push_str("ephemeral nodes dump:\n");
    let _ = writeln!(
        out,
        "Sessions with Ephemerals ({}):",
        s.dump.ephemerals.len()
    );
    for (sid, paths) in &s.dump.ephemerals {
        let _ = writeln!(out, "0x{sid:x}:");
        for p in paths {
            let _ = writeln!(out, "\t{p}");
        }
    }
    out.push_str("Connections dump:\n");
    out.push_str("Connections ");
    let conn = |idx: u64| usize::try_from(idx).ok().and_then(|i| s.connections.get(i));
    let buckets: Vec<ExpiryBucket> = s
        .dump
        .connection_expiry
        .iter()
        .map(|b| ExpiryBucket {
            expire_at_ms: b.expire_at_ms,
            members: b
                .members
                .iter()
                .copied()
                .filter(|&i| conn(i).is_some())
                .collect(),
        })
        .collect();
    expiry_dump(&buckets, out, |idx, o| {
        if let Some(c) = conn(idx) {
            c.dump(false, o);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{follower_sid1, leader_sid3};
    use super::super::run;
    use super::*;

    #[test]
    fn dump_of_a_leader_and_a_follower() {
        let mut s = leader_sid3();
        s.dump = DumpData {
            sessions: SessionDump::Expiry(vec![ExpiryBucket {
                expire_at_ms: 1_795_574_896_000,
                members: vec![0x0030_000f_9537_0000],
            }]),
            ephemerals: vec![(0x0030_000f_9537_0000, vec!["/e".to_string()])],
            connection_expiry: vec![ExpiryBucket {
                expire_at_ms: 1_795_574_905_000,
                members: vec![0, 7],
            }],
        };
        assert_eq!(
            run("dump", &s, true),
            "SessionTracker dump:
Session Sets (1)/(1):
1 expire at Wed Nov 25 02:48:16 UTC 2026:
\t0x30000f95370000
ephemeral nodes dump:
Sessions with Ephemerals (1):
0x30000f95370000:
\t/e
Connections dump:
Connections Sets (1)/(1):
1 expire at Wed Nov 25 02:48:25 UTC 2026:
\t /127.0.0.1:51668[0](queued=0,recved=1,sent=0)
"
        );
        let mut f = follower_sid1();
        f.dump.sessions = SessionDump::Learner(vec![(0x2, 8000), (0x1, 4000)]);
        assert_eq!(
            run("dump", &f, true),
            "SessionTracker dump:
Global Sessions(2):
0x1\t4000ms
0x2\t8000ms
ephemeral nodes dump:
Sessions with Ephemerals (0):
Connections dump:
Connections Sets (0)/(0):
"
        );
    }
}

//! Watches: `wchs` (`WatchCommand`), `wchc` (`WatchesByConnectionCommand`)
//! and `wchp` (`WatchesByPathCommand`), from the data watches
//! (`getData`/`exists`) the caller lists in [`Stats`] in its own order.
//!
//! Pure formatting. Never panics.

use std::fmt::Write as _;

use super::Stats;

/// A data watch (`getData`/`exists` watch) set by a connection's session:
/// what `wchc` and `wchp` list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Watch {
    /// The watching connection's session id.
    pub session_id: u64,
    /// The watched path.
    pub path: String,
}
/// `wchs`: the counts, from `WatchManager.toString`.
pub(super) fn wchs(s: &Stats, out: &mut String) {
    let _ = writeln!(
        out,
        "{} connections watching {} paths\nTotal watches:{}",
        s.watching_connections, s.watched_paths, s.total_watches
    );
}

/// `wchc`: data watches by session, then the command's blank line.
pub(super) fn wchc(s: &Stats, out: &mut String) {
    let mut sessions: Vec<u64> = Vec::new();
    for w in &s.data_watches {
        if !sessions.contains(&w.session_id) {
            sessions.push(w.session_id);
        }
    }
    for sid in sessions {
        let _ = writeln!(out, "0x{sid:x}");
        for w in s.data_watches.iter().filter(|w| w.session_id == sid) {
            let _ = writeln!(out, "\t{}", w.path);
        }
    }
    out.push('\n');
}

/// `wchp`: data watches by path, then the command's blank line.
pub(super) fn wchp(s: &Stats, out: &mut String) {
    let mut paths: Vec<&str> = Vec::new();
    for w in &s.data_watches {
        if !paths.contains(&w.path.as_str()) {
            paths.push(&w.path);
        }
    }
    for path in paths {
        let _ = writeln!(out, "{path}");
        for w in s.data_watches.iter().filter(|w| w.path == path) {
            let _ = writeln!(out, "\t0x{:x}", w.session_id);
        }
    }
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{follower_sid1, leader_sid3};
    use super::super::run;
    use super::*;

    #[test]
    fn wchs_is_byte_exact() {
        assert_eq!(
            run("wchs", &leader_sid3(), true),
            "0 connections watching 0 paths\nTotal watches:0\n"
        );
        assert_eq!(
            run("wchs", &follower_sid1(), true),
            "1 connections watching 1 paths\nTotal watches:1\n"
        );
    }

    #[test]
    fn wchc_and_wchp_group_the_data_watches() {
        let mut s = follower_sid1();
        s.data_watches.push(Watch {
            session_id: 0x2,
            path: "/a".to_string(),
        });
        s.data_watches.push(Watch {
            session_id: 0x2,
            path: "/b".to_string(),
        });
        assert_eq!(
            run("wchc", &s, true),
            "0x100000e16330000\n\t/a\n0x2\n\t/a\n\t/b\n\n"
        );
        assert_eq!(
            run("wchp", &s, true),
            "/a\n\t0x100000e16330000\n\t0x2\n/b\n\t0x2\n\n"
        );
        s.data_watches.clear();
        assert_eq!(run("wchc", &s, true), "\n");
    }
}

//! The servers' log lines, rolled: `Simulation::log` keeps the newest
//! [`LOG_LINES_KEPT`] lines at least (and fewer than a block of 4,096
//! more), as ZooKeeper's log4j rolling file keeps its newest files. A run
//! of 24 virtual hours at 200 writes/s writes ~40,000 lines (~200 bytes
//! each), and every one stayed: the part of the app's memory that grew
//! with the run's length (`bench/README.md`, "Seventh round").
//!
//! Contract: every line goes through `push_log`, which is the only place
//! lines roll away, in whole blocks (`Seq::forget_before`: a checkpoint
//! taken before keeps the block it shares). Rolling never changes a run:
//! no protocol rule and no check reads the log, and the trace hashes each
//! line when it is written, not what is kept. What reads old lines (the
//! diagnosis) asks `log_complete_since` first, and the facts it needs for
//! the whole run (when a server stopped) are records (`stops`), not lines.

use super::{LogEntry, Simulation};

/// The lines a simulation keeps at least, unless told otherwise
/// ([`Simulation::keep_log_lines`]): ~18 virtual hours of the benchmark
/// hour looped, ~7 MB.
pub const LOG_LINES_KEPT: usize = 32_768;

impl Simulation {
    /// Keep at least `lines` of the newest log lines from now on
    /// (`usize::MAX`: every line, as `zablab run --log` and conform do;
    /// they print or compare every line of a short run).
    pub fn keep_log_lines(&mut self, lines: usize) {
        self.log_keep = lines;
    }

    /// The time of the oldest line kept, once older ones have rolled away
    /// (None while every line of the run is there).
    pub fn log_rolled_before(&self) -> Option<u64> {
        if self.log.floor() == 0 {
            return None;
        }
        self.log.iter().next().map(|l| l.at_ms)
    }

    /// Whether every line written at or after `t` is still kept. Lines of
    /// the oldest kept line's instant may have rolled in part, so `t` must
    /// be later than it.
    pub(super) fn log_complete_since(&self, t: u64) -> bool {
        self.log_rolled_before().is_none_or(|first| t > first)
    }

    /// Appends one line (its text's spare capacity given back) and rolls
    /// whole blocks past the bound away.
    pub(super) fn push_log(&mut self, mut line: LogEntry) {
        line.text.shrink_to_fit();
        self.log.push(line);
        let over = self.log.len() - self.log.floor();
        if over
            >= self
                .log_keep
                .saturating_add(crate::seq::Seq::<LogEntry, 64>::PER_BLOCK)
        {
            self.log.forget_before(self.log.len() - self.log_keep);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::LogEntry;
    use crate::sim::Simulation;
    use crate::Scenario;

    /// A 3-server run with a restart every 10 s, so it writes lines steadily.
    fn churny(until_ms: u64) -> Simulation {
        let mut actions =
            vec![serde_json::json!({"at_ms": 0, "do": "start", "servers": [1, 2, 3]})];
        for k in 1..until_ms / 10_000 {
            actions
                .push(serde_json::json!({"at_ms": k * 10_000, "do": "crash", "server": 1 + k % 3}));
            actions.push(serde_json::json!({"at_ms": k * 10_000 + 5_000, "do": "restart", "server": 1 + k % 3}));
        }
        let sc = serde_json::json!({
            "zablab": 1, "name": "rolling", "seed": 7,
            "ensemble": {"participants": [1, 2, 3], "tick_ms": 2000, "init_limit": 10, "sync_limit": 5},
            "until_ms": until_ms,
            "actions": actions,
        });
        Simulation::new(Scenario::from_json(&sc.to_string()).unwrap()).unwrap()
    }

    fn lines(sim: &Simulation) -> Vec<(u64, u32, String)> {
        sim.log()
            .iter()
            .map(|l: &LogEntry| (l.at_ms, l.sid, l.text.clone()))
            .collect()
    }

    #[test]
    fn lines_roll_in_whole_blocks_and_keep_the_newest() {
        let mut all = churny(1_200_000);
        all.keep_log_lines(usize::MAX);
        let mut rolled = churny(1_200_000);
        rolled.keep_log_lines(5000);
        // Minute by minute: at least the bound (or every line), less than
        // a block more, and always the newest ones.
        for t in (60_000..=1_200_000).step_by(60_000) {
            all.run_until(t);
            rolled.run_until(t);
            let (a, r) = (lines(&all), lines(&rolled));
            assert!(
                r.len() >= a.len().min(5000),
                "at {t}: {} of {}",
                r.len(),
                a.len()
            );
            assert!(r.len() < 5000 + 4096, "at {t}: {}", r.len());
            assert_eq!(r[..], a[a.len() - r.len()..], "at {t}");
            assert_eq!(rolled.log().floor(), a.len() - r.len());
        }
        let (a, r) = (lines(&all), lines(&rolled));
        assert!(
            a.len() > 2 * 4096,
            "the run writes enough lines: {}",
            a.len()
        );
        // Rolling changes nothing else.
        assert_eq!(all.trace_hash(), rolled.trace_hash());
        assert_eq!(all.log_rolled_before(), None);
        let first = r[0].0;
        assert_eq!(rolled.log_rolled_before(), Some(first));
        assert!(!rolled.log_complete_since(first) && rolled.log_complete_since(first + 1));
        assert!(all.log_complete_since(0));
    }
}

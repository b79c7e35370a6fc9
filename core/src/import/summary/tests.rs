//! The indexed derivation against the direct one it replaced (the rules of
//! `src/conform/facts.rs`, kept here as the oracle), on random line
//! sequences of the words it reads.

use super::*;
use crate::rng::Pcg32;

struct L {
    at: i64,
    sid: u32,
    text: String,
}

impl FactLine for L {
    fn at_ms(&self) -> i64 {
        self.at
    }
    fn sid(&self) -> u32 {
        self.sid
    }
    fn text(&self) -> &str {
        &self.text
    }
}

/// The direct rules: a scan of every line for each sync.
fn oracle_epoch(lines: &[L], leader: u32, t: i64) -> Option<u32> {
    let start = lines
        .iter()
        .filter(|x| x.sid == leader && x.at <= t && x.text == "LEADING")
        .map(|x| x.at)
        .next_back()?;
    lines
        .iter()
        .filter(|x| x.sid == leader && x.at >= start)
        .take_while(|x| x.text != "LEADING" || x.at == start)
        .find(|x| x.text.starts_with("Have quorum of supporters"))
        .and_then(|x| epoch_of(&x.text))
}

fn oracle_syncs(lines: &[L]) -> Vec<(u32, u32, Option<u32>, SyncMode, String)> {
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let mode = if l.text.starts_with("Getting a diff") {
            SyncMode::Diff
        } else if l.text.starts_with("Getting a snapshot") {
            SyncMode::Snap
        } else {
            continue;
        };
        let end = i + lines[i..].iter().take_while(|x| x.at == l.at).count();
        let start = lines[..end].iter().rposition(|x| {
            x.sid != l.sid
                && x.text.starts_with("Synchronizing with Learner sid:")
                && names_sid(&x.text, "Learner sid: ", l.sid)
        });
        let (leader, how) = match start {
            Some(s) => (
                lines[s].sid,
                how(&lines[s..end], lines[s].sid, l.sid).to_string(),
            ),
            None => (0, String::new()),
        };
        out.push((l.sid, leader, oracle_epoch(lines, leader, l.at), mode, how));
    }
    out
}

fn random_lines(rng: &mut Pcg32) -> Vec<L> {
    let mut at = 0i64;
    (0..rng.below(120))
        .map(|_| {
            at += i64::from(rng.below(3));
            let sid = 1 + rng.below(4);
            let peer = 1 + rng.below(12);
            let text = match rng.below(7) {
                0 => "LEADING".to_string(),
                1 => format!(
                    "Have quorum of supporters, sids: [[1, 2]]; starting up and setting last processed zxid: 0x{}00000000",
                    1 + rng.below(5)
                ),
                2 => format!("Synchronizing with Learner sid: {peer} maxCommittedLog=0x0"),
                3 => format!("Using committedLog for peer sid: {peer}"),
                4 => "Getting a diff from the leader 0x0".to_string(),
                5 => "Getting a snapshot from leader 0x0".to_string(),
                _ => "FOLLOWING".to_string(),
            };
            L { at, sid, text }
        })
        .collect()
}

#[test]
fn the_indexed_syncs_equal_the_direct_scan() {
    let mut compared = 0;
    for seed in 0..3000 {
        let lines = random_lines(&mut Pcg32::new(seed, 3));
        let got: Vec<_> = syncs(&lines)
            .into_iter()
            .map(|y| (y.learner, y.leader, y.epoch, y.mode, y.how))
            .collect();
        let want = oracle_syncs(&lines);
        assert_eq!(got, want, "seed {seed}");
        compared += want.len();
    }
    assert!(compared > 10_000, "{compared}");
}

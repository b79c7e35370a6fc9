//! The "new ensemble" form: voters, observers, seed and link latency
//! become a scenario v1 that starts every server at 0 ms.
//!
//! [`random_seed`] is the app's one source of fresh entropy (`getrandom`:
//! the browser's `crypto.getRandomValues`, the OS natively). It only fills
//! the form's seed field, where the user sees it: the scenario, its trace
//! hash and a share link carry the seed as a number, so a run started
//! from a random seed replays like any other. The core never draws
//! entropy (its runs are functions of the scenario).

use zablab_core::scenario::{Action, Ensemble, Network};
use zablab_core::{ActionKind, Scenario};

pub const MIN_VOTERS: usize = 3;
pub const MAX_VOTERS: usize = 9;
pub const MAX_OBSERVERS: usize = 42;
/// Random seeds are drawn from `1..=RANDOM_SEED_MAX`: nine digits, easy
/// to read aloud or copy by hand, and exact in JavaScript numbers.
pub const RANDOM_SEED_MAX: u64 = 999_999_999;

/// A fresh seed for the form, or why the platform has no random source.
pub fn random_seed() -> Result<u64, getrandom::Error> {
    let mut bytes = [0u8; 8];
    getrandom::getrandom(&mut bytes)?;
    Ok(u64::from_le_bytes(bytes) % RANDOM_SEED_MAX + 1)
}

/// What the form asks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setup {
    pub voters: usize,
    pub observers: usize,
    pub seed: u64,
    /// One-way link latency range in ms. Slower than a LAN by default, so
    /// that messages can be seen travelling at classroom speeds.
    pub latency_ms: [u64; 2],
}

impl Default for Setup {
    fn default() -> Self {
        Setup {
            voters: 3,
            observers: 0,
            seed: 1,
            latency_ms: [20, 60],
        }
    }
}

impl Setup {
    /// Clamped to what the app offers (3–9 voters, 0–42 observers).
    pub fn clamped(&self) -> Setup {
        let lo = self.latency_ms[0].min(10_000);
        Setup {
            voters: self.voters.clamp(MIN_VOTERS, MAX_VOTERS),
            observers: self.observers.min(MAX_OBSERVERS),
            seed: self.seed,
            latency_ms: [lo, self.latency_ms[1].clamp(lo, 10_000)],
        }
    }

    /// The scenario's name (English, as a file keeps it; the app shows
    /// the badge in the user's language): "3 servers and 1 observer".
    pub fn name(&self) -> String {
        let s = self.clamped();
        match s.observers {
            0 => format!("{} servers", s.voters),
            1 => format!("{} servers and 1 observer", s.voters),
            o => format!("{} servers and {o} observers", s.voters),
        }
    }

    /// The scenario: sids 1..=voters, observers after them; ZooKeeper's
    /// sample limits; every server started at 0 ms.
    pub fn scenario(&self) -> Scenario {
        let s = self.clamped();
        let participants: Vec<u32> = (1..=s.voters as u32).collect();
        let observers: Vec<u32> = (s.voters as u32 + 1..=(s.voters + s.observers) as u32).collect();
        let all: Vec<u32> = participants.iter().chain(&observers).copied().collect();
        Scenario {
            zablab: 1,
            name: s.name(),
            seed: s.seed,
            ensemble: Ensemble::new(participants, observers),
            network: Network {
                latency_ms: s.latency_ms,
                fsync_ms: [1, 3],
            },
            // A sandbox: the run goes on as long as the user plays; the
            // timeline grows with it, and an export ends where it is.
            until_ms: 10_000,
            actions: vec![Action {
                at_ms: 0,
                kind: ActionKind::Start { servers: all },
            }],
            museum: None,
            conform: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_makes_a_valid_scenario_for_every_size() {
        for (v, o) in [(3, 0), (9, 42), (1, 100)] {
            let s = Setup {
                voters: v,
                observers: o,
                ..Setup::default()
            }
            .scenario();
            let again = Scenario::from_json(&s.to_json()).unwrap();
            assert_eq!(again, s);
            assert!((3..=9).contains(&s.ensemble.participants.len()));
            assert!(s.ensemble.observers.len() <= 42);
        }
    }

    #[test]
    fn the_name_counts_in_english() {
        let named = |o| {
            Setup {
                observers: o,
                ..Setup::default()
            }
            .scenario()
            .name
        };
        assert_eq!(named(0), "3 servers");
        assert_eq!(named(1), "3 servers and 1 observer");
        assert_eq!(named(2), "3 servers and 2 observers");
    }

    #[test]
    fn random_seeds_are_fresh_and_in_range() {
        let draws: Vec<u64> = (0..8).map(|_| random_seed().unwrap()).collect();
        assert!(draws.iter().all(|s| (1..=RANDOM_SEED_MAX).contains(s)));
        // Eight equal draws from a billion values: never, unless the source
        // is not random at all.
        assert!(draws.iter().any(|&s| s != draws[0]), "{draws:?}");
        // The seed drawn is the scenario's seed: the run replays.
        let form = Setup {
            seed: draws[0],
            ..Setup::default()
        };
        assert_eq!(form.scenario().seed, draws[0]);
    }
}

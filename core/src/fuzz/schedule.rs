//! The safety phase of a seed: the start, the first clients (and with
//! `--recipes` the lock and group clients), then random faults mixed with
//! client work, each at a random time before `safety_ms`. The checker runs
//! after every event, the client-history checks on every answer.
//!
//! Faults: crash, crash the leader, restart, pause, partition, one-way
//! cut, heal, slow link, slow disk, dropped message, whole-ensemble crash.
//! Client work: writes, reads, steady load, sessions opened and closed.
//!
//! Draws from the main stream `r` in a fixed order; the recipe stream
//! `rr` only for recipe clients, so a seed's schedule is the same with or
//! without them. Never reorders a draw: the fuzz smoke tests and every
//! seed named in `docs/FINDINGS.md` depend on it.

use super::draw::{pick, range};
use crate::rng::Pcg32;
use crate::scenario::{Action, ActionKind, Ensemble, RecipeKind, ServerRef};

/// A seed's schedule as it is drawn.
pub(super) struct Schedule {
    /// Every sid, voters first.
    pub(super) all: Vec<u32>,
    pub(super) tick: u64,
    /// `syncLimit` in ms.
    sync_ms: u64,
    /// The end of the safety phase.
    pub(super) safety_ms: u64,
    first_connect: u64,
    pub(super) actions: Vec<Action>,
    /// The clients connected so far (`c1`, `c2`, ...).
    clients: Vec<String>,
    next_client: u32,
    /// The recipe clients (`l1`, `l2`, ...).
    lockers: Vec<String>,
    /// What the liveness phase puts back to normal.
    pub(super) slowed_links: Vec<(u32, u32)>,
    pub(super) slowed_disks: Vec<u32>,
}

impl Schedule {
    /// The start of every server at 0 and one or two clients.
    pub(super) fn opening(r: &mut Pcg32, e: &Ensemble) -> Schedule {
        let all: Vec<u32> = e.participants.iter().chain(&e.observers).copied().collect();
        let tick = e.tick_ms;
        let safety_ms = tick * range(r, 20, 60) + 2_000;
        let mut s = Schedule {
            actions: vec![Action {
                at_ms: 0,
                kind: ActionKind::Start {
                    servers: all.clone(),
                },
            }],
            all,
            tick,
            sync_ms: e.sync_limit * tick,
            safety_ms,
            first_connect: 0,
            clients: Vec::new(),
            next_client: 1,
            lockers: Vec::new(),
            slowed_links: Vec::new(),
            slowed_disks: Vec::new(),
        };
        s.first_connect = range(r, tick, 3 * tick).max(500);
        for _ in 0..range(r, 1, 2) {
            s.connect(r, s.first_connect);
        }
        s
    }

    /// A new client `c<n>` on a random server.
    fn connect(&mut self, r: &mut Pcg32, at_ms: u64) {
        let name = format!("c{}", self.next_client);
        self.next_client += 1;
        self.clients.push(name.clone());
        let kind = ActionKind::Connect {
            client: name,
            server: ServerRef::Sid(pick(r, &self.all)),
            session_timeout_ms: Some(self.tick * range(r, 2, 20)),
        };
        self.actions.push(Action { at_ms, kind });
    }

    /// Two or three clients, each running a repeating lock on `/lock` and
    /// joining the group `/group` (drawn from the recipe stream).
    pub(super) fn recipe_clients(&mut self, rr: &mut Pcg32) {
        let (tick, first) = (self.tick, self.first_connect);
        for k in 1..=range(rr, 2, 3) {
            let name = format!("l{k}");
            let connect = ActionKind::Connect {
                client: name.clone(),
                server: ServerRef::Sid(pick(rr, &self.all)),
                session_timeout_ms: Some(tick * range(rr, 3, 20)),
            };
            self.actions.push(Action {
                at_ms: first,
                kind: connect,
            });
            let start = first + range(rr, tick / 2, 2 * tick);
            let lock = ActionKind::Recipe {
                client: name.clone(),
                recipe: RecipeKind::Lock,
                path: "/lock".to_string(),
                hold_ms: Some(range(rr, tick / 2, 4 * tick)),
                size: None,
                repeat: true,
            };
            let group = ActionKind::Recipe {
                client: name.clone(),
                recipe: RecipeKind::Group,
                path: "/group".to_string(),
                hold_ms: None,
                size: None,
                repeat: false,
            };
            for kind in [lock, group] {
                self.actions.push(Action { at_ms: start, kind });
            }
            self.lockers.push(name);
        }
    }

    /// 4 to 24 faults or client actions at random times of the safety
    /// phase, in time order.
    pub(super) fn faults(&mut self, r: &mut Pcg32, rr: &mut Pcg32) {
        let faults = range(r, 4, 24);
        let mut times: Vec<u64> = (0..faults)
            .map(|_| range(r, self.first_connect + 1, self.safety_ms))
            .collect();
        crate::sorting::sort(&mut times);
        for t in times {
            let roll = r.below(100);
            let kind = match roll {
                0..=35 | 69..=70 => self.server_fault(r, roll, t),
                36..=68 => self.network_fault(r, rr, roll),
                _ => self.client_work(r, roll, t),
            };
            if let Some(kind) = kind {
                self.actions.push(Action { at_ms: t, kind });
            }
        }
    }

    /// Crash, crash the leader, restart, pause, or (`None`, pushed here)
    /// a whole-ensemble crash and restart.
    fn server_fault(&mut self, r: &mut Pcg32, roll: u32, t: u64) -> Option<ActionKind> {
        let tick = self.tick;
        Some(match roll {
            0..=11 => ActionKind::Crash {
                server: ServerRef::Sid(pick(r, &self.all)),
                power_loss: false,
            },
            12..=17 => ActionKind::Crash {
                server: ServerRef::Leader,
                power_loss: false,
            },
            18..=29 => ActionKind::Restart {
                server: ServerRef::Sid(pick(r, &self.all)),
            },
            30..=35 => ActionKind::Pause {
                server: ServerRef::Sid(pick(r, &self.all)),
                for_ms: range(r, tick / 2, 2 * self.sync_ms),
            },
            _ => {
                // Whole-ensemble crash: everyone down, everyone back.
                let back = t + range(r, tick, 5 * tick);
                for &s in &self.all {
                    self.actions.push(Action {
                        at_ms: t,
                        kind: ActionKind::Crash {
                            server: ServerRef::Sid(s),
                            power_loss: false,
                        },
                    });
                    self.actions.push(Action {
                        at_ms: back.min(self.safety_ms),
                        kind: ActionKind::Restart {
                            server: ServerRef::Sid(s),
                        },
                    });
                }
                return None;
            }
        })
    }

    /// Partition, one-way cut, heal, slow link, slow disk, dropped message.
    fn network_fault(&mut self, r: &mut Pcg32, rr: &mut Pcg32, roll: u32) -> Option<ActionKind> {
        let tick = self.tick;
        Some(match roll {
            36..=43 => self.partition(r, rr),
            44..=48 => {
                let (from, to) = self.two(r);
                ActionKind::Cut { from, to }
            }
            49..=56 => ActionKind::Heal,
            57..=60 => {
                let (from, to) = self.two(r);
                self.slowed_links.push((from, to));
                ActionKind::SlowLink {
                    from,
                    to,
                    latency_ms: range(r, tick / 4, self.sync_ms + self.sync_ms / 2),
                }
            }
            61..=63 => {
                let s = pick(r, &self.all);
                self.slowed_disks.push(s);
                ActionKind::SlowDisk {
                    server: ServerRef::Sid(s),
                    fsync_ms: range(r, tick / 4, 2 * tick),
                }
            }
            _ => {
                let (from, to) = self.two(r);
                ActionKind::Drop { from, to }
            }
        })
    }

    /// Two sides of a random split. With recipes, half the partitions also
    /// cut the lock clients off from one side (the fencing hazard).
    fn partition(&self, r: &mut Pcg32, rr: &mut Pcg32) -> ActionKind {
        let mut shuffled = self.all.clone();
        for i in (1..shuffled.len()).rev() {
            let j = r.below(i as u32 + 1) as usize;
            shuffled.swap(i, j);
        }
        let k = range(r, 1, shuffled.len() as u64 - 1) as usize;
        let rest = shuffled.split_off(k);
        let mut sides: Vec<Vec<String>> = Vec::new();
        if !self.lockers.is_empty() && rr.below(2) == 0 {
            sides = vec![Vec::new(), Vec::new()];
            for l in &self.lockers {
                sides[rr.below(2) as usize].push(l.clone());
            }
        }
        ActionKind::Partition {
            groups: vec![shuffled, rest],
            clients: sides,
        }
    }

    /// Two different servers.
    fn two(&self, r: &mut Pcg32) -> (u32, u32) {
        let a = pick(r, &self.all);
        let mut b = pick(r, &self.all);
        while b == a {
            b = pick(r, &self.all);
        }
        (a, b)
    }

    /// Writes, reads, a steady load, a close, or (`None`, pushed here) a
    /// new client.
    fn client_work(&mut self, r: &mut Pcg32, roll: u32, t: u64) -> Option<ActionKind> {
        let tick = self.tick;
        Some(match roll {
            71..=79 => ActionKind::Write {
                client: Some(pick(r, &self.clients)),
                count: range(r, 1, 40),
                op: None,
                path: None,
                data: None,
                version: None,
            },
            80..=84 => {
                let client = pick(r, &self.clients);
                let path = match r.below(3) {
                    0 => "/".to_string(),
                    _ => format!("/{}-{}", pick(r, &self.clients), range(r, 1, 20)),
                };
                ActionKind::Read {
                    client,
                    path,
                    op: Some(pick(r, &["get", "exists", "children"]).to_string()),
                    count: range(r, 1, 5),
                    watch: false,
                }
            }
            85..=89 => ActionKind::Load {
                client: pick(r, &self.clients),
                rate_per_s: range(r, 20, 300),
                for_ms: range(r, tick, 10 * tick).min(8_000),
                reads_per_s: 0,
            },
            90..=93 => ActionKind::Close {
                client: pick(r, &self.clients),
            },
            _ => {
                self.connect(r, t);
                return None;
            }
        })
    }
}

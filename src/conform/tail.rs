//! Where each real server is, read from its own log as it grows: the last
//! `Peer state changed: …` line (`looking`, `following - broadcast`,
//! `leading - broadcast`, …), how many times it reached ZAB's broadcast
//! phase, whether its election port accepts connections yet
//! (`QuorumCnxManager.Listener`'s `… is accepting connections now, my
//! election bind port`), and the highest epoch a leader established
//! (`Have quorum of supporters … 0x<epoch>00000000`). The driver waits on them and resolves
//! `"leader"` with it, so that watching the ensemble sends it nothing
//! (a four-letter word would be a connection, a log line and a packet
//! count on the server).
//!
//! Contract: reads the log files only (new bytes since the last poll);
//! whether a process is alive or paused is `procs.rs`'s to say. A server
//! restarted on the same log starts again from `looking`.

use std::collections::BTreeMap;
use std::io::{Read, Seek, SeekFrom};
use std::path::PathBuf;

/// One server's log as followed so far.
struct Follow {
    path: PathBuf,
    pos: u64,
    partial: String,
    state: String,
    broadcasts: u32,
    listening: bool,
}

/// Every server's last peer state.
pub struct Tail {
    logs: BTreeMap<u32, Follow>,
    epoch: u32,
}

const MARK: &str = " - Peer state changed: ";
const QUORUM: &str = "starting up and setting last processed zxid:";
const LISTENING: &str = "is accepting connections now, my election bind port";

impl Tail {
    pub fn new(paths: Vec<(u32, PathBuf)>) -> Tail {
        Tail {
            logs: paths
                .into_iter()
                .map(|(sid, path)| {
                    (
                        sid,
                        Follow {
                            path,
                            pos: 0,
                            partial: String::new(),
                            state: String::new(),
                            broadcasts: 0,
                            listening: false,
                        },
                    )
                })
                .collect(),
            epoch: 0,
        }
    }

    /// Reads what each log gained since the last call.
    pub fn poll(&mut self) {
        for f in self.logs.values_mut() {
            let Ok(mut file) = std::fs::File::open(&f.path) else {
                continue;
            };
            if file.seek(SeekFrom::Start(f.pos)).is_err() {
                continue;
            }
            let mut bytes = Vec::new();
            if file.read_to_end(&mut bytes).is_err() {
                continue;
            }
            f.pos += bytes.len() as u64;
            f.partial.push_str(&String::from_utf8_lossy(&bytes));
            let complete = match f.partial.rfind('\n') {
                Some(i) => {
                    let rest = f.partial.split_off(i + 1);
                    std::mem::replace(&mut f.partial, rest)
                }
                None => continue,
            };
            for line in complete.lines() {
                if let Some(i) = line.find(MARK) {
                    f.state = line[i + MARK.len()..].trim().to_string();
                    if serving(&f.state) {
                        f.broadcasts += 1;
                    }
                }
                if line.contains(LISTENING) {
                    f.listening = true;
                }
                if let Some(i) = line.find(QUORUM) {
                    let hex = line[i + QUORUM.len()..].trim().trim_start_matches("0x");
                    if let Ok(z) = u64::from_str_radix(hex, 16) {
                        self.epoch = self.epoch.max((z >> 32) as u32);
                    }
                }
            }
        }
    }

    /// A server's last peer state (`""` before its first).
    pub fn state(&self, sid: u32) -> &str {
        self.logs.get(&sid).map_or("", |f| f.state.as_str())
    }

    /// How many times a server reached the broadcast phase so far.
    pub fn broadcasts(&self, sid: u32) -> u32 {
        self.logs.get(&sid).map_or(0, |f| f.broadcasts)
    }

    /// Whether a server's election port accepts connections (since its
    /// last start).
    pub fn listening(&self, sid: u32) -> bool {
        self.logs.get(&sid).is_some_and(|f| f.listening)
    }

    /// The highest epoch a leader established so far.
    pub fn epoch(&self) -> u32 {
        self.epoch
    }

    /// A server restarted: forget its state until it logs a new one.
    pub fn restarted(&mut self, sid: u32) {
        self.poll();
        if let Some(f) = self.logs.get_mut(&sid) {
            f.state = String::new();
            f.listening = false;
        }
    }
}

/// In ZAB's broadcast phase: a synced learner or an established leader.
pub fn serving(state: &str) -> bool {
    state.ends_with("- broadcast")
}

//! What to look at and what to do, in ZooKeeper 3.8's own names, with the
//! imported ensemble's values where the import shows them (zoo.cfg, or
//! the `tickTime set to` / `syncLimit set to` lines a server logs at
//! start). The same advice as the simulator's (`sim/diag/advice.rs`),
//! worded for a real cluster.
//!
//! Contract: builds settings and sentences, never a finding; reads only
//! [`Settings`].

use crate::diagnosis::Setting;
use crate::import::evidence::{dur, Settings};

fn val(v: Option<u64>, unit: &str, default: &str) -> String {
    match v {
        Some(v) => format!("{v}{unit}"),
        None => format!("not in the logs (default {default})"),
    }
}

pub fn tick(s: &Settings) -> Setting {
    Setting {
        name: "tickTime",
        value: val(s.tick_ms, " ms", "2000 ms"),
        why: "the unit of every limit below".into(),
    }
}

pub fn sync_limit(s: &Settings) -> Setting {
    Setting {
        name: "syncLimit",
        value: val(s.sync_limit, " ticks", "5"),
        why: format!(
            "a follower and its leader give up on each other after syncLimit × tickTime = {} of silence",
            dur(s.sync_timeout())
        ),
    }
}

pub fn init_limit(s: &Settings) -> Setting {
    Setting {
        name: "initLimit",
        value: val(s.init_limit, " ticks", "10"),
        why: format!(
            "a learner must connect and sync within initLimit × tickTime = {}",
            dur(s.tick() * s.init_limit())
        ),
    }
}

pub fn session_bounds(s: &Settings) -> Vec<Setting> {
    vec![
        Setting {
            name: "minSessionTimeout",
            value: format!("{} (2 × tickTime unless set)", dur(2 * s.tick())),
            why: "the shortest session timeout a client is granted".into(),
        },
        Setting {
            name: "maxSessionTimeout",
            value: format!("{} (20 × tickTime unless set)", dur(20 * s.tick())),
            why: "the longest session timeout a client is granted".into(),
        },
    ]
}

pub fn sync_choice(s: &Settings) -> Vec<Setting> {
    vec![
        Setting {
            name: "zookeeper.commitLogCount",
            value: val(s.commit_log_count, " txns", "500"),
            why: "the proposals a leader keeps in memory to send as a DIFF".into(),
        },
        Setting {
            name: "zookeeper.snapshotSizeFactor",
            value: s
                .snapshot_size_factor_pct
                .map_or("not in the logs (default 0.33)".into(), |p| {
                    format!("{:.2}", p as f64 / 100.0)
                }),
            why:
                "a DIFF read from the txn log must be smaller than this × the snapshot, else a SNAP"
                    .into(),
        },
        Setting {
            name: "snapCount",
            value: val(s.snap_count, " txns", "100000"),
            why: "how often a snapshot is taken and the txn log rolled".into(),
        },
    ]
}

pub fn gc(s: &Settings) -> Vec<String> {
    vec![
        "Find the pause: with jvm.pause.monitor=true ZooKeeper logs \"Detected pause in JVM or host machine (eg GC)\" for every stall past jvm.pause.warn-threshold.ms; a GC log (-Xlog:gc* in SERVER_JVMFLAGS) says which collection it was; check the host for swapping or a stopped VM.".into(),
        "Shorten it: a heap that fits the data tree with room to spare (ZK_SERVER_HEAP or -Xmx), a low-pause collector (G1 with -XX:MaxGCPauseMillis, or ZGC), no swap.".into(),
        format!(
            "Or tolerate it: peers give up on a silent server after syncLimit × tickTime (here {}). Raising syncLimit or tickTime survives longer stalls, but a real failure is then noticed that much later.",
            dur(s.sync_timeout())
        ),
    ]
}

pub fn network(s: &Settings) -> Vec<String> {
    vec![
        "Fix the network between the two sides: each server.N line's quorum port (2888 by convention) and election port (3888) must be open both ways between every pair of voters; look for a firewall rule, a security group, a switch or a DNS change at that time.".into(),
        format!(
            "A leader on the minority side keeps believing it leads until its tick check (at most syncLimit × tickTime = {}) and may serve stale reads meanwhile: clients that need the latest data call sync() first; a connect string with every server lets clients move to the majority.",
            dur(s.sync_timeout())
        ),
    ]
}

pub fn restart() -> Vec<String> {
    vec![
        "Find why the process ended: the JVM's stdout/stderr (zookeeper.out), the kernel log (an OOM kill: dmesg), a supervisor or an operator; ZooKeeper 3.8 logs nothing when it is killed or stopped.".into(),
        "Once restarted it rejoins by an election and syncs from the leader (DIFF, TRUNC or SNAP); nothing committed is lost while a quorum stays up.".into(),
    ]
}

pub fn looking(s: &Settings) -> Vec<String> {
    vec![
        "A server elects only with a quorum of voters' notifications: check that the peers it never heard are running and that their election ports (the server.N lines' second port) are reachable from it, both ways.".into(),
        format!(
            "Elections back off (zookeeper.fastleader.maxNotificationInterval, 60 s) while no quorum answers; once one does, the winner must be followed within initLimit × tickTime (here {}).",
            dur(s.tick() * s.init_limit())
        ),
    ]
}

pub fn snap() -> Vec<String> {
    vec![
        "A learner further behind than the leader's committed log (zookeeper.commitLogCount) gets the gap from the txn log when it is smaller than zookeeper.snapshotSizeFactor × the snapshot, else a full snapshot: raise them to DIFF more often, at the price of memory and of reading old logs.".into(),
        "A SNAP of a large tree must arrive within initLimit × tickTime; keep learners from falling far behind (restart them promptly), and size snapCount so that txn logs stay readable.".into(),
    ]
}

pub fn session(s: &Settings, timeout: u64) -> Vec<String> {
    vec![
        format!(
            "The session's {} passed with no heartbeat reaching the leader: the client was cut off, stalled (its own GC), or its server could not forward pings. A longer sessionTimeout (bounded by minSessionTimeout and maxSessionTimeout, here {} and {} by default) rides out longer stalls; a client that really died then keeps its ephemeral nodes longer.",
            dur(timeout),
            dur(2 * s.tick()),
            dur(20 * s.tick())
        ),
        "The application learns of the expiry when it reconnects (Expired): it must create a new session and its ephemeral nodes again.".into(),
    ]
}

pub fn disk() -> Vec<String> {
    vec![
        "Give the txn log its own device (dataLogDir, apart from dataDir's snapshots and other I/O): every ACK waits for its fsync. mntr's zk_max_fsynctime and zk_avg_fsynctime show the trend; fsync.warningthresholdms (1000 ms) sets when this line is logged.".into(),
        "Do not turn fsync off (zookeeper.forceSync=no): a power loss could then lose acknowledged txns.".into(),
    ]
}

pub fn digest() -> Vec<String> {
    vec![
        "Compare the servers' data: the 4lw `hash` (zookeeper.digest.enabled) lists each server's digest by zxid; a server whose tree differs should be stopped, its dataDir's version-2 moved away, and restarted to take a SNAP from the leader.".into(),
        "Keep the evidence (the txn logs and snapshots of every server around the zxid named) for a bug report: a digest mismatch means the servers applied different txns for the same zxid (ZOOKEEPER-3911's family).".into(),
    ]
}

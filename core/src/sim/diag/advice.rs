//! What an operator can do, in ZooKeeper 3.8's own names: the advice the
//! findings share (a GC pause, the syncLimit/tickTime trade-off, what a
//! partition or a lost leader costs and what it does not, a dedicated txn
//! log device, the session timeout's bounds, the sync choice's settings,
//! a restart, the network's ports). Each piece is one or two sentences
//! with this run's values filled in.
//!
//! Contract: every name here is ZooKeeper's (checked against 3.8.0's
//! source: `zoo.cfg` keys as `QuorumPeerConfig` reads them, system
//! properties as the classes read them, `bin/zkEnv.sh` variables, the
//! client API); defaults are 3.8.0's. Read-only on `&Simulation`; it
//! builds sentences, never a finding. The `diag` subtree uses it like
//! `evidence`.

use super::evidence::ms;
use crate::server::FSYNC_WARNING_THRESHOLD_MS;
use crate::sim::Simulation;

impl Simulation {
    /// `syncLimit × tickTime`, with the values.
    fn sync_limit_words(&self) -> String {
        let e = &self.scenario.ensemble;
        format!(
            "syncLimit × tickTime (here {} × {} = {})",
            e.sync_limit,
            ms(e.tick_ms),
            ms(self.sync_timeout())
        )
    }

    /// A stop-the-world pause: find it, then shorten it.
    pub(super) fn advice_gc(&self) -> Vec<String> {
        vec![
            "Find the pause: with jvm.pause.monitor=true in zoo.cfg ZooKeeper logs \"Detected pause in JVM or host machine (eg GC)\" for every stall past jvm.pause.warn-threshold.ms (default 10000 ms; INFO past jvm.pause.info-threshold.ms, 1000 ms), and a GC log (-Xlog:gc* on Java 11, -verbose:gc on Java 8, in SERVER_JVMFLAGS) says which collection it was.".to_string(),
            "Shorten it: give the JVM a heap that fits the data tree with room to spare (ZK_SERVER_HEAP in conf/zookeeper-env.sh, 1000 MB by default, or -Xmx in SERVER_JVMFLAGS), use a low-pause collector (G1 with -XX:MaxGCPauseMillis, or ZGC), and keep the host from swapping.".to_string(),
            format!(
                "Or tolerate it: peers give up on a silent server after {}. Raising syncLimit or tickTime survives longer pauses, but every real failure (a crashed or cut-off leader) is then detected that much later, and tickTime also scales initLimit and the session timeouts' bounds (minSessionTimeout = 2 × tickTime, maxSessionTimeout = 20 × tickTime by default).",
                self.sync_limit_words()
            ),
        ]
    }

    /// The trade-off of raising syncLimit or tickTime, alone.
    pub(super) fn advice_sync_limit(&self) -> String {
        format!(
            "A follower and its leader give up on each other after {} of silence: raising syncLimit (or tickTime) tolerates longer stalls and slower links, at the price of noticing a dead or cut-off server that much later.",
            self.sync_limit_words()
        )
    }

    /// A lost leader, or a minority: what is safe, and how to read safely.
    pub(super) fn advice_nothing_lost(&self) -> String {
        "Nothing committed is lost: a write commits only once a quorum has logged it, so any server that can be elected has every committed txn; proposals no quorum logged are discarded when their server rejoins (TRUNC, or a SNAP).".to_string()
    }

    pub(super) fn advice_stale_reads(&self) -> String {
        format!(
            "Reads on the cut-off side may be stale until its servers stop serving (a follower after {} without its leader, a leader at its next tick check without a synced quorum). A client that must see the latest write calls sync() before reading, on a server of the majority side: a deposed leader answers a sync itself. A connect string that lists every server lets clients move to the majority side.",
            self.sync_limit_words()
        )
    }

    /// The network between voters.
    pub(super) fn advice_network(&self) -> String {
        "Fix the network: the two ports of each server.N line (the quorum port, 2888 by convention, and the election port, 3888) must be open both ways between every pair of voters; a firewall rule that blocks one direction makes a server drop out and fail to rejoin.".to_string()
    }

    /// A slow txn-log device.
    pub(super) fn advice_disk(&self) -> Vec<String> {
        vec![
            format!(
                "Give the txn log its own device: dataLogDir (separate from the snapshots in dataDir, and from other I/O), because every ACK waits for its fsync. ZooKeeper logs \"fsync-ing the write ahead log in SyncThread:… took …ms which will adversely effect operation latency\" past fsync.warningthresholdms ({} by default); mntr's zk_max_fsynctime and zk_avg_fsynctime show the trend.",
                ms(FSYNC_WARNING_THRESHOLD_MS)
            ),
            "Check the device (iostat, a disk shared with logs or snapshots of other services); do not turn fsync off (zookeeper.forceSync=no): a power loss or a kernel crash could then lose txns the server had acknowledged.".to_string(),
        ]
    }

    /// A slow link between servers.
    pub(super) fn advice_link(&self) -> Vec<String> {
        vec![
            "Keep the voters close: every write waits for a quorum's round trips. Servers in a far site can be observers (peerType=observer in zoo.cfg, :observer on their server.N line): they serve reads there and never hold up a commit or an election.".to_string(),
            self.advice_sync_limit(),
        ]
    }

    /// A server that is down.
    pub(super) fn advice_restart(&self) -> String {
        let n = self.scenario.ensemble.participants.len();
        format!(
            "Start it again (zkServer.sh start): it rejoins by an election round and syncs from the leader (DIFF, TRUNC or SNAP). {n} voters (server.N lines) survive {} of them down.",
            (n.saturating_sub(1)) / 2
        )
    }

    /// Clients of a server that went away.
    pub(super) fn advice_clients_move(&self) -> String {
        "Its clients see Disconnected and reconnect to another server of their connect string; their sessions (and ephemeral nodes) survive if they do within their session timeout.".to_string()
    }

    /// A session's timeout and its bounds.
    pub(super) fn advice_session(&self, timeout: u64) -> Vec<String> {
        let t = self.tick();
        vec![
            format!(
                "A session survives a stall shorter than its timeout ({}): the client asks for one (sessionTimeout), and the server clamps it between minSessionTimeout and maxSessionTimeout, by default 2 × and 20 × tickTime (here {} and {}). A longer timeout rides out longer pauses and partitions, but a client that really died keeps its ephemeral nodes (and its locks) that much longer.",
                ms(timeout),
                ms(2 * t),
                ms(20 * t)
            ),
            "The client pings every third of its timeout and moves to another server after two thirds of it without an answer: a connect string with every server gives it somewhere to go. An application learns of the expiry only when it reconnects (the Expired event to its Watcher): it must then create a new session and its ephemeral nodes again.".to_string(),
        ]
    }

    /// How a leader chooses DIFF, TRUNC or SNAP.
    pub(super) fn advice_snap(&self) -> Vec<String> {
        vec![
            "A learner further behind than the leader's committed log (zookeeper.commitLogCount txns in memory, 500 by default) gets the gap from the txn log if it is smaller than zookeeper.snapshotSizeFactor × the snapshot (0.33 by default; negative turns this off), else a full snapshot: raise them to DIFF more often, at the price of memory and of reading old logs.".to_string(),
            "snapCount (100000 txns by default) sets how often a snapshot is taken and the txn log rolled; a SNAP of a large tree must fit in initLimit × tickTime, or the learner gives up and tries again.".to_string(),
        ]
    }
}

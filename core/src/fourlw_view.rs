//! Four-letter words answered from a server's live state: builds the
//! plain [`crate::fourlw::Stats`] the formatter reads, from the server and
//! its simulated connections. The whitelist is `*` (every command), as in
//! docs/REAL-ZK.md's ensemble: ZabLab is for looking inside.
//!
//! What only the simulator knows (the querying 4lw connection itself, the
//! packets queued to each learner) is added by `Simulation` before the
//! command runs (`sim::four_letter_word`).

use crate::fourlw::{self, ClientConn, Conf, Mode, ProposalSizes, Stats, Summary, Watch};
use crate::proto::ServerState;
use crate::server::{Counters, Server};

pub use fourlw::NOT_SERVING;

/// Wall-clock time of virtual time 0, ms since the epoch (2026-11-25
/// 00:00 UTC, the day of docs/REAL-ZK.md's runs): what `cons` prints as a
/// connection's `est=`.
pub const WALL_CLOCK_ORIGIN_MS: i64 = 1_795_564_800_000;

/// The remote address of client `id`'s connection, as Java prints it.
pub fn client_addr(id: u32) -> String {
    format!("/127.0.0.1:{}", 50000 + id)
}

/// The answer of `cmd` on server `s` at `now_ms` (a running process),
/// without the querying connection (see [`stats`]).
pub fn answer(s: &Server, observer: bool, cmd: &str, now_ms: u64) -> String {
    fourlw::run(cmd, &stats(s, observer, now_ms), true)
}

/// What the four-letter words read of one server.
pub fn stats(s: &Server, observer: bool, now_ms: u64) -> Stats {
    let mode = match s.state {
        ServerState::Leading => Mode::Leader,
        _ if observer => Mode::Observer,
        _ => Mode::Follower,
    };
    let c = &s.counters;
    let mut st = Stats {
        serving: s.running && s.serving,
        mode,
        peer_state: s.detailed_peer_state(),
        zxid: s.tree.last_processed_zxid.0,
        latency: latency(c),
        packets_received: c.packets_received,
        packets_sent: c.packets_sent,
        outstanding_requests: s.outstanding_requests(),
        node_count: s.tree.node_count() as u64,
        connections: connections(s),
        ephemerals_count: s.tree.ephemerals_count() as u64,
        // `DataTree.approximateDataSize` counts `/zookeeper/config`'s data
        // too (the members' text `ZKDatabase.initConfigInZKDatabase`
        // wrote), which the simulated tree leaves empty.
        approximate_data_size: s.tree.approximate_data_size()
            + crate::storage::sizes::config_node_bytes(&s.cfg.participants, &s.cfg.observers),
        global_sessions: s.tree.sessions.len() as u64,
        quorum_size: s.cfg.participants.len() as u64,
        uptime_ms: now_ms.saturating_sub(s.book.role_started_ms),
        proposal_sizes: proposal_sizes(c),
        client_response_sizes: s.book.response_sizes,
        open_file_descriptor_count: s.open_file_descriptors(),
        metrics: s.metrics.clone(),
        conf: conf(s),
        ..Stats::default()
    };
    watches(s, &mut st);
    leader_gauges(s, now_ms, &mut st);
    st
}

/// `ServerStats`' request latencies (`Latency min/avg/max`), empty before
/// the first request.
fn latency(c: &Counters) -> Summary {
    if c.latency_count == 0 {
        return Summary::default();
    }
    Summary {
        count: c.latency_count,
        total: c.latency_total_ms,
        min: c.latency_min_ms.unwrap_or(0),
        max: c.latency_max_ms,
    }
}

/// The leader's proposal sizes, `-1` each before the first proposal.
fn proposal_sizes(c: &Counters) -> ProposalSizes {
    if c.proposals == 0 {
        return ProposalSizes::default();
    }
    ProposalSizes {
        last: c.proposal_size_last,
        min: c.proposal_size_min,
        max: c.proposal_size_max,
    }
}

/// The server's client connections (`ServerCnxn`), as `cons` lists them.
fn connections(s: &Server) -> Vec<ClientConn> {
    s.cnxns
        .iter()
        .map(|(id, cn)| {
            let mut conn = ClientConn::four_letter_word(&client_addr(*id));
            conn.interest_ops = 1;
            conn.queued = s.book.in_process.range((*id, 0)..=(*id, u32::MAX)).count() as u64;
            conn.recved = cn.received;
            conn.sent = cn.sent;
            conn.session_id = cn.session;
            conn.timeout_ms = cn.timeout_ms;
            conn.last_zxid = cn.last_zxid.0 as i64;
            if let Some(cs) = s.book.cnxn.get(id) {
                conn.last_op = cs.last_op.to_string();
                conn.established_ms = WALL_CLOCK_ORIGIN_MS + cs.established_ms as i64;
                conn.last_cxid = cs.last_cxid.map_or(-1, i64::from);
                conn.last_response_ms = cs.last_response_ms as i64;
                conn.last_latency_ms = cs.last_latency_ms as i64;
                conn.latency = cs.latency;
            }
            conn
        })
        .collect()
}

/// The configuration `conf` prints, with the simulated disk's directory
/// sizes.
fn conf(s: &Server) -> Conf {
    let participants: Vec<u64> = s.cfg.participants.iter().map(|&x| x as u64).collect();
    let observers: Vec<u64> = s.cfg.observers.iter().map(|&x| x as u64).collect();
    let mut conf = Conf::loopback(s.sid() as u64, &participants, &observers);
    conf.tick_time = s.cfg.tick_ms;
    conf.init_limit = s.cfg.init_limit;
    conf.sync_limit = s.cfg.sync_limit;
    conf.min_session_timeout = s.cfg.min_session_timeout_ms;
    conf.max_session_timeout = s.cfg.max_session_timeout_ms;
    // `version-2` holds the txn log files (preallocated), the snapshot
    // files and the epoch files; dataDir and dataLogDir are one directory.
    conf.data_log_size = s.disk.dir_bytes();
    conf.data_dir_size = conf.data_log_size;
    conf
}

/// `wchs`/`wchc`/`wchp` list the data watches (getData, exists);
/// `zk_watch_count` counts child watches too (`DataTree.getWatchCount`).
fn watches(s: &Server, st: &mut Stats) {
    let mut watchers = std::collections::BTreeSet::new();
    for (path, clients) in &s.watches.data {
        for c in clients {
            watchers.insert(*c);
            st.data_watches.push(Watch {
                session_id: s.cnxns.get(c).map_or(0, |cn| cn.session),
                path: path.to_string(),
            });
        }
    }
    st.watching_connections = watchers.len() as u64;
    st.watched_paths = s.watches.data.len() as u64;
    st.total_watches = st.data_watches.len() as u64;
    st.watch_count = s.watches.count() as u64;
    st.watch_bytes = s
        .watches
        .data
        .iter()
        .chain(s.watches.child.iter())
        .map(|(p, c)| p.len() as u64 * c.len() as u64)
        .sum();
}

/// The leader-only gauges (`zk_learners`, `zk_synced_*`,
/// `zk_leader_uptime`).
fn leader_gauges(s: &Server, now_ms: u64, st: &mut Stats) {
    if let Some(l) = s.leader() {
        st.learners = l.handlers.len() as u64;
        st.synced_followers = l.forwarding().count() as u64;
        st.synced_observers = l
            .handlers
            .values()
            .filter(|h| h.observer && h.sending_started)
            .count() as u64;
        st.leader_uptime_ms = l.established_ms.map_or(0, |t| now_ms.saturating_sub(t));
    }
}

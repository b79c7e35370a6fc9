//! `mntr` (`MonitorCommand`) of ZooKeeper 3.8.0: every key a real server
//! printed (docs/REAL-ZK.md, LEADING and FOLLOWING), in its order: the gauges
//! and counters, the summaries (`avg_/min_/max_/cnt_/sum_`, plus
//! `p50_/p95_/p99_/p999_` for the percentile ones), then the summary sets
//! (`<key>_learner_handler_qp_size`, `<ns>_read_per_namespace`,
//! `<ns>_write_per_namespace`, `<key>_learner_handler_qp_time_ms`).
//!
//! Every value comes from [`Stats`]. A few metrics measure machinery this
//! model does not have (TLS, SASL, the response cache, request throttling,
//! watches' dead-watcher cleaner, the thread pools between the request
//! processors): [`UNMODELLED`] lists them with the reason; they print as
//! ZooKeeper prints a metric that never moved (0, or an empty summary),
//! which is also what this simulated server did.

use std::fmt::Write as _;

use super::{java_double, Mode, Stats, ZK_VERSION};
use crate::metrics::{PctSummary, Summary};

/// One entry of the `mntr` layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Item {
    /// A gauge or counter: one `zk_<name>` line.
    Val(&'static str),
    /// An `AvgMinMaxCounter`: five lines.
    Sum(&'static str),
    /// An `AvgMinMaxPercentileCounter`: nine lines.
    Pct(&'static str),
}

/// The 3.8.0 order (docs/REAL-ZK.md's LEADING output; a follower prints the
/// same keys less the leader's gauges).
pub(crate) const LAYOUT: &[Item] = &[
    Item::Val("version"),
    Item::Val("server_state"),
    Item::Val("peer_state"),
    Item::Val("ephemerals_count"),
    Item::Val("num_alive_connections"),
    Item::Val("avg_latency"),
    Item::Val("min_proposal_size"),
    Item::Val("outstanding_requests"),
    Item::Val("znode_count"),
    Item::Val("global_sessions"),
    Item::Val("non_mtls_remote_conn_count"),
    Item::Val("last_client_response_size"),
    Item::Val("packets_sent"),
    Item::Val("packets_received"),
    Item::Val("max_proposal_size"),
    Item::Val("max_client_response_size"),
    Item::Val("synced_followers"),
    Item::Val("connection_drop_probability"),
    Item::Val("watch_count"),
    Item::Val("synced_non_voting_followers"),
    Item::Val("synced_observers"),
    Item::Val("auth_failed_count"),
    Item::Val("min_latency"),
    Item::Val("max_file_descriptor_count"),
    Item::Val("approximate_data_size"),
    Item::Val("open_file_descriptor_count"),
    Item::Val("last_proposal_size"),
    Item::Val("pending_syncs"),
    Item::Val("leader_uptime"),
    Item::Val("local_sessions"),
    Item::Val("uptime"),
    Item::Val("max_latency"),
    Item::Val("outstanding_tls_handshake"),
    Item::Val("learners"),
    Item::Val("min_client_response_size"),
    Item::Val("non_mtls_local_conn_count"),
    Item::Val("quorum_size"),
    Item::Val("proposal_count"),
    Item::Val("watch_bytes"),
    Item::Val("outstanding_changes_removed"),
    Item::Val("throttled_ops"),
    Item::Val("stale_requests_dropped"),
    Item::Val("large_requests_rejected"),
    Item::Val("insecure_admin_count"),
    Item::Val("connection_rejected"),
    Item::Val("cnxn_closed_without_zk_server_running"),
    Item::Val("sessionless_connections_expired"),
    Item::Val("looking_count"),
    Item::Val("dead_watchers_queued"),
    Item::Val("stale_requests"),
    Item::Val("connection_drop_count"),
    Item::Val("learner_proposal_received_count"),
    Item::Val("digest_mismatches_count"),
    Item::Val("dead_watchers_cleared"),
    Item::Val("response_packet_cache_hits"),
    Item::Val("bytes_received_count"),
    Item::Val("add_dead_watcher_stall_time"),
    Item::Val("request_throttle_wait_count"),
    Item::Val("requests_not_forwarded_to_commit_processor"),
    Item::Val("response_packet_cache_misses"),
    Item::Val("ensemble_auth_success"),
    Item::Val("prep_processor_request_queued"),
    Item::Val("learner_commit_received_count"),
    Item::Val("stale_replies"),
    Item::Val("connection_request_count"),
    Item::Val("response_bytes"),
    Item::Val("ensemble_auth_fail"),
    Item::Val("diff_count"),
    Item::Val("response_packet_get_children_cache_misses"),
    Item::Val("connection_revalidate_count"),
    Item::Val("quit_leading_due_to_disloyal_voter"),
    Item::Val("snap_count"),
    Item::Val("unrecoverable_error_count"),
    Item::Val("unsuccessful_handshake"),
    Item::Val("commit_count"),
    Item::Val("stale_sessions_expired"),
    Item::Val("response_packet_get_children_cache_hits"),
    Item::Val("sync_processor_request_queued"),
    Item::Val("outstanding_changes_queued"),
    Item::Val("request_commit_queued"),
    Item::Val("ensemble_auth_skip"),
    Item::Val("skip_learner_request_to_next_processor_count"),
    Item::Val("tls_handshake_exceeded"),
    Item::Val("revalidate_count"),
    Item::Sum("socket_closing_time"),
    Item::Sum("proposal_process_time"),
    Item::Sum("leader_unavailable_time"),
    Item::Sum("node_created_watch_count"),
    Item::Sum("session_queues_drained"),
    Item::Sum("write_commit_proc_req_queued"),
    Item::Sum("connection_token_deficit"),
    Item::Sum("read_commit_proc_req_queued"),
    Item::Sum("node_deleted_watch_count"),
    Item::Sum("startup_txns_load_time"),
    Item::Sum("sync_processor_queue_size"),
    Item::Sum("follower_sync_time"),
    Item::Sum("prep_processor_queue_size"),
    Item::Sum("fsynctime"),
    Item::Sum("inflight_snap_count"),
    Item::Sum("reads_issued_from_session_queue"),
    Item::Sum("learner_request_processor_queue_size"),
    Item::Sum("snapshottime"),
    Item::Sum("unavailable_time"),
    Item::Sum("startup_txns_loaded"),
    Item::Sum("reads_after_write_in_session_queue"),
    Item::Sum("requests_in_session_queue"),
    Item::Sum("write_commit_proc_issued"),
    Item::Sum("prep_process_time"),
    Item::Sum("pending_session_queue_size"),
    Item::Sum("time_waiting_empty_pool_in_commit_processor_read_ms"),
    Item::Sum("commit_process_time"),
    Item::Sum("dbinittime"),
    Item::Sum("inflight_diff_count"),
    Item::Sum("netty_queued_buffer_capacity"),
    Item::Sum("election_time"),
    Item::Sum("commit_commit_proc_req_queued"),
    Item::Sum("sync_processor_batch_size"),
    Item::Sum("node_children_watch_count"),
    Item::Sum("write_batch_time_in_commit_processor"),
    Item::Sum("read_commit_proc_issued"),
    Item::Sum("concurrent_request_processing_in_commit_processor"),
    Item::Sum("observer_sync_time"),
    Item::Sum("node_changed_watch_count"),
    Item::Sum("sync_process_time"),
    Item::Sum("startup_snap_load_time"),
    Item::Pct("prep_processor_queue_time_ms"),
    Item::Pct("jvm_pause_time_ms"),
    Item::Pct("close_session_prep_time"),
    Item::Pct("read_commitproc_time_ms"),
    Item::Pct("updatelatency"),
    Item::Pct("local_write_committed_time_ms"),
    Item::Pct("request_throttle_queue_time_ms"),
    Item::Pct("readlatency"),
    Item::Pct("quorum_ack_latency"),
    Item::Pct("om_commit_process_time_ms"),
    Item::Pct("read_final_proc_time_ms"),
    Item::Pct("commit_propagation_latency"),
    Item::Pct("dead_watchers_cleaner_latency"),
    Item::Pct("write_final_proc_time_ms"),
    Item::Pct("proposal_ack_creation_latency"),
    Item::Pct("proposal_latency"),
    Item::Pct("om_proposal_process_time_ms"),
    Item::Pct("sync_processor_queue_and_flush_time_ms"),
    Item::Pct("propagation_latency"),
    Item::Pct("server_write_committed_time_ms"),
    Item::Pct("sync_processor_queue_time_ms"),
    Item::Pct("sync_processor_queue_flush_time_ms"),
    Item::Pct("write_commitproc_time_ms"),
];

/// Metrics of machinery ZabLab does not model, and why they stay at zero.
pub const UNMODELLED: &[(&str, &str)] = &[
    (
        "non_mtls_remote_conn_count",
        "no TLS: client connections are plain",
    ),
    (
        "non_mtls_local_conn_count",
        "no TLS: client connections are plain",
    ),
    ("auth_failed_count", "no SASL or digest authentication"),
    (
        "local_sessions",
        "local sessions are off (ZooKeeper's default)",
    ),
    ("outstanding_tls_handshake", "no TLS"),
    (
        "throttled_ops",
        "no request throttling (ZooKeeper's default)",
    ),
    ("stale_requests_dropped", "no request throttling"),
    (
        "large_requests_rejected",
        "no jute.maxbuffer request limit check",
    ),
    ("insecure_admin_count", "no AdminServer"),
    ("connection_rejected", "no connection throttling"),
    (
        "sessionless_connections_expired",
        "clients send their connect request at once",
    ),
    ("dead_watchers_queued", "no dead-watcher cleaner"),
    ("stale_requests", "no request throttling"),
    ("connection_drop_count", "no connection throttling"),
    ("digest_mismatches_count", "no tree digest"),
    ("dead_watchers_cleared", "no dead-watcher cleaner"),
    ("response_packet_cache_hits", "no response cache"),
    ("add_dead_watcher_stall_time", "no dead-watcher cleaner"),
    ("request_throttle_wait_count", "no request throttling"),
    (
        "requests_not_forwarded_to_commit_processor",
        "no request throttling",
    ),
    ("response_packet_cache_misses", "no response cache"),
    ("ensemble_auth_success", "no quorum authentication"),
    ("stale_replies", "no request throttling"),
    (
        "connection_request_count",
        "NIO connection factory (Netty counts these)",
    ),
    ("ensemble_auth_fail", "no quorum authentication"),
    (
        "response_packet_get_children_cache_misses",
        "no response cache",
    ),
    ("connection_revalidate_count", "no reconfiguration"),
    ("quit_leading_due_to_disloyal_voter", "no reconfiguration"),
    (
        "unrecoverable_error_count",
        "no unrecoverable errors are modelled",
    ),
    ("unsuccessful_handshake", "no TLS"),
    ("stale_sessions_expired", "local sessions are off"),
    (
        "response_packet_get_children_cache_hits",
        "no response cache",
    ),
    ("ensemble_auth_skip", "no quorum authentication"),
    (
        "skip_learner_request_to_next_processor_count",
        "no observer masters",
    ),
    ("tls_handshake_exceeded", "no TLS"),
    ("revalidate_count", "no reconfiguration"),
    ("socket_closing_time", "sockets close at once"),
    (
        "proposal_process_time",
        "no thread hand-off between the request processors",
    ),
    (
        "session_queues_drained",
        "the CommitProcessor has no worker pool",
    ),
    (
        "write_commit_proc_req_queued",
        "the CommitProcessor has no worker pool",
    ),
    ("connection_token_deficit", "no connection throttling"),
    (
        "read_commit_proc_req_queued",
        "the CommitProcessor has no worker pool",
    ),
    (
        "prep_processor_queue_size",
        "no thread hand-off between the request processors",
    ),
    (
        "reads_issued_from_session_queue",
        "the CommitProcessor has no worker pool",
    ),
    (
        "learner_request_processor_queue_size",
        "no thread hand-off between the request processors",
    ),
    (
        "reads_after_write_in_session_queue",
        "the CommitProcessor has no worker pool",
    ),
    (
        "requests_in_session_queue",
        "the CommitProcessor has no worker pool",
    ),
    (
        "write_commit_proc_issued",
        "the CommitProcessor has no worker pool",
    ),
    (
        "prep_process_time",
        "no thread hand-off between the request processors",
    ),
    (
        "pending_session_queue_size",
        "the CommitProcessor has no worker pool",
    ),
    (
        "time_waiting_empty_pool_in_commit_processor_read_ms",
        "the CommitProcessor has no worker pool",
    ),
    (
        "commit_process_time",
        "no thread hand-off between the request processors",
    ),
    ("netty_queued_buffer_capacity", "NIO connection factory"),
    (
        "commit_commit_proc_req_queued",
        "the CommitProcessor has no worker pool",
    ),
    (
        "write_batch_time_in_commit_processor",
        "the CommitProcessor has no worker pool",
    ),
    (
        "read_commit_proc_issued",
        "the CommitProcessor has no worker pool",
    ),
    (
        "concurrent_request_processing_in_commit_processor",
        "the CommitProcessor has no worker pool",
    ),
    (
        "sync_process_time",
        "no thread hand-off between the request processors",
    ),
    (
        "prep_processor_queue_time_ms",
        "no thread hand-off between the request processors",
    ),
    (
        "jvm_pause_time_ms",
        "JvmPauseMonitor is off (jvm.pause.monitor, ZooKeeper's default)",
    ),
    (
        "close_session_prep_time",
        "no thread hand-off between the request processors",
    ),
    ("request_throttle_queue_time_ms", "no request throttling"),
    ("om_commit_process_time_ms", "no observer masters"),
    (
        "read_final_proc_time_ms",
        "no thread hand-off between the request processors",
    ),
    ("dead_watchers_cleaner_latency", "no dead-watcher cleaner"),
    (
        "write_final_proc_time_ms",
        "no thread hand-off between the request processors",
    ),
    ("om_proposal_process_time_ms", "no observer masters"),
];

fn line(out: &mut String, key: &str, value: &str) {
    let _ = writeln!(out, "zk_{key}\t{value}");
}

fn summary_lines(out: &mut String, name: &str, s: &Summary) {
    line(out, &format!("avg_{name}"), &java_double(s.avg()));
    line(out, &format!("min_{name}"), &s.min_or_zero().to_string());
    line(out, &format!("max_{name}"), &s.max_or_zero().to_string());
    line(out, &format!("cnt_{name}"), &s.count.to_string());
    line(out, &format!("sum_{name}"), &s.total.to_string());
}

fn pct_lines(out: &mut String, name: &str, p: &PctSummary) {
    summary_lines(out, name, &p.summary);
    let [p50, p95, p99, p999] = p.percentiles();
    line(out, &format!("p50_{name}"), &p50.to_string());
    line(out, &format!("p95_{name}"), &p95.to_string());
    line(out, &format!("p99_{name}"), &p99.to_string());
    line(out, &format!("p999_{name}"), &p999.to_string());
}

/// A gauge or counter: `None` when this server does not register it (the
/// leader's gauges on a learner, the quorum gauges standalone).
fn value(s: &Stats, name: &str) -> Option<String> {
    let leader = s.mode == Mode::Leader;
    let quorum = matches!(s.mode, Mode::Leader | Mode::Follower | Mode::Observer);
    let m = &s.metrics;
    let n = |v: u64| Some(v.to_string());
    let lead = |v: i64| leader.then(|| v.to_string());
    let p = s.proposal_sizes;
    let r = s.client_response_sizes;
    match name {
        "version" => Some(ZK_VERSION.to_string()),
        "server_state" => Some(s.mode.as_str().to_string()),
        "peer_state" => quorum.then(|| s.peer_state.clone()),
        "ephemerals_count" => n(s.ephemerals_count),
        "num_alive_connections" => n(s.connections.len() as u64),
        "avg_latency" => Some(java_double(s.latency.avg())),
        "min_latency" => n(s.latency.min_or_zero()),
        "max_latency" => n(s.latency.max_or_zero()),
        "min_proposal_size" => lead(p.min),
        "max_proposal_size" => lead(p.max),
        "last_proposal_size" => lead(p.last),
        "outstanding_requests" => n(s.outstanding_requests),
        "znode_count" => n(s.node_count),
        "global_sessions" => n(s.global_sessions),
        "last_client_response_size" => Some(r.last.to_string()),
        "min_client_response_size" => Some(r.min.to_string()),
        "max_client_response_size" => Some(r.max.to_string()),
        "packets_sent" => n(s.packets_sent),
        "packets_received" => n(s.packets_received),
        "synced_followers" => lead(s.synced_followers as i64),
        "synced_non_voting_followers" => lead(s.synced_non_voting_followers as i64),
        "synced_observers" => lead(s.synced_observers as i64),
        "pending_syncs" => lead(s.pending_syncs as i64),
        "leader_uptime" => lead(s.leader_uptime_ms as i64),
        "learners" => lead(s.learners as i64),
        "connection_drop_probability" => Some(java_double(
            s.conf.connection_drop_probability_milli as f64 / 1000.0,
        )),
        "watch_count" => n(s.watch_count),
        "watch_bytes" => n(s.watch_bytes),
        "max_file_descriptor_count" => n(s.conf.max_file_descriptor_count),
        "open_file_descriptor_count" => n(s.open_file_descriptor_count),
        "approximate_data_size" => n(s.approximate_data_size),
        "uptime" => n(s.uptime_ms),
        "quorum_size" => quorum.then(|| s.quorum_size.to_string()),
        "proposal_count" => n(m.proposal_count),
        "looking_count" => n(m.looking_count),
        "learner_proposal_received_count" => n(m.learner_proposal_received_count),
        "learner_commit_received_count" => n(m.learner_commit_received_count),
        "diff_count" => n(m.diff_count),
        "snap_count" => n(m.snap_count),
        "commit_count" => n(m.commit_count),
        "prep_processor_request_queued" => n(m.prep_processor_request_queued),
        "sync_processor_request_queued" => n(m.sync_processor_request_queued),
        "outstanding_changes_queued" => n(m.outstanding_changes_queued),
        "outstanding_changes_removed" => n(m.outstanding_changes_removed),
        "request_commit_queued" => n(m.request_commit_queued),
        "bytes_received_count" => n(m.bytes_received_count),
        "response_bytes" => n(m.response_bytes),
        "cnxn_closed_without_zk_server_running" => n(m.cnxn_closed_without_zk_server_running),
        _ if UNMODELLED.iter().any(|(u, _)| *u == name) => Some("0".to_string()),
        _ => None,
    }
}

fn summary<'a>(s: &'a Stats, name: &str) -> Option<&'a Summary> {
    let m = &s.metrics;
    Some(match name {
        "leader_unavailable_time" => &m.leader_unavailable_time,
        "unavailable_time" => &m.unavailable_time,
        "election_time" => &m.election_time,
        "node_created_watch_count" => &m.node_created_watch_count,
        "node_deleted_watch_count" => &m.node_deleted_watch_count,
        "node_changed_watch_count" => &m.node_changed_watch_count,
        "node_children_watch_count" => &m.node_children_watch_count,
        "follower_sync_time" => &m.follower_sync_time,
        "observer_sync_time" => &m.observer_sync_time,
        "fsynctime" => &m.fsynctime,
        "snapshottime" => &m.snapshottime,
        "dbinittime" => &m.dbinittime,
        "startup_snap_load_time" => &m.startup_snap_load_time,
        "startup_txns_load_time" => &m.startup_txns_load_time,
        "startup_txns_loaded" => &m.startup_txns_loaded,
        "sync_processor_batch_size" => &m.sync_processor_batch_size,
        "sync_processor_queue_size" => &m.sync_processor_queue_size,
        "inflight_diff_count" => &m.inflight_diff_count,
        "inflight_snap_count" => &m.inflight_snap_count,
        _ => return None,
    })
}

fn pct<'a>(s: &'a Stats, name: &str) -> Option<&'a PctSummary> {
    let m = &s.metrics;
    Some(match name {
        "updatelatency" => &m.updatelatency,
        "readlatency" => &m.readlatency,
        "quorum_ack_latency" => &m.quorum_ack_latency,
        "proposal_ack_creation_latency" => &m.proposal_ack_creation_latency,
        "propagation_latency" => &m.propagation_latency,
        "commit_propagation_latency" => &m.commit_propagation_latency,
        "proposal_latency" => &m.proposal_latency,
        "sync_processor_queue_time_ms" => &m.sync_processor_queue_time_ms,
        "sync_processor_queue_flush_time_ms" => &m.sync_processor_queue_flush_time_ms,
        "sync_processor_queue_and_flush_time_ms" => &m.sync_processor_queue_and_flush_time_ms,
        "write_commitproc_time_ms" => &m.write_commitproc_time_ms,
        "read_commitproc_time_ms" => &m.read_commitproc_time_ms,
        "local_write_committed_time_ms" => &m.local_write_committed_time_ms,
        "server_write_committed_time_ms" => &m.server_write_committed_time_ms,
        _ => return None,
    })
}

/// `MonitorCommand`: the whole 3.8.0 key set, in its order.
pub(crate) fn mntr(s: &Stats, out: &mut String) {
    let empty = Summary::default();
    let empty_pct = PctSummary::default();
    for item in LAYOUT {
        match *item {
            Item::Val(name) => {
                if let Some(v) = value(s, name) {
                    line(out, name, &v);
                }
            }
            Item::Sum(name) => summary_lines(out, name, summary(s, name).unwrap_or(&empty)),
            Item::Pct(name) => pct_lines(out, name, pct(s, name).unwrap_or(&empty_pct)),
        }
    }
    let m = &s.metrics;
    for (sid, q) in &m.learner_handler_qp_size {
        summary_lines(out, &format!("{sid}_learner_handler_qp_size"), q);
    }
    for (ns, r) in &m.read_per_namespace {
        summary_lines(out, &format!("{ns}_read_per_namespace"), r);
    }
    for (ns, w) in &m.write_per_namespace {
        summary_lines(out, &format!("{ns}_write_per_namespace"), w);
    }
    for (sid, t) in &m.learner_handler_qp_time_ms {
        pct_lines(out, &format!("{sid}_learner_handler_qp_time_ms"), t);
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{follower_sid1, leader_sid3};
    use super::super::run;
    use super::*;

    /// Every layout entry is either fed from the model or listed as not
    /// modelled, never both, and a leader prints every gauge.
    #[test]
    fn every_key_is_fed_or_listed_as_unmodelled() {
        let s = Stats {
            mode: Mode::Leader,
            ..Stats::default()
        };
        let listed = |n: &str| UNMODELLED.iter().any(|(u, _)| *u == n);
        let mut unmodelled = 0;
        for item in LAYOUT {
            match *item {
                Item::Val(n) => {
                    assert!(value(&s, n).is_some(), "{n} prints nothing");
                    unmodelled += usize::from(listed(n));
                }
                Item::Sum(n) => assert!(summary(&s, n).is_some() ^ listed(n), "{n}"),
                Item::Pct(n) => assert!(pct(&s, n).is_some() ^ listed(n), "{n}"),
            }
        }
        for (u, _) in UNMODELLED {
            assert!(
                LAYOUT
                    .iter()
                    .any(|i| matches!(i, Item::Val(n) | Item::Sum(n) | Item::Pct(n) if n == u)),
                "{u} is not an mntr key"
            );
        }
        assert_eq!(LAYOUT.len(), 148);
        assert_eq!(unmodelled, 36);
        assert_eq!(UNMODELLED.len(), 36 + 31);
    }

    #[test]
    fn mntr_of_a_leader() {
        let out = run("mntr", &leader_sid3(), true);
        for line in [
            "zk_version\t3.8.0-zablab, built on 2026-11-25 00:00 UTC\n",
            "zk_server_state\tleader\n",
            "zk_peer_state\tleading - broadcast\n",
            "zk_learners\t2\n",
            "zk_synced_followers\t2\n",
            "zk_synced_non_voting_followers\t0\n",
            "zk_synced_observers\t0\n",
            "zk_pending_syncs\t0\n",
            "zk_leader_uptime\t455\n",
            "zk_last_proposal_size\t60\n",
            "zk_min_proposal_size\t48\n",
            "zk_max_proposal_size\t88\n",
            "zk_avg_latency\t0.0\n",
            "zk_num_alive_connections\t1\n",
            "zk_quorum_size\t3\n",
            "zk_znode_count\t6\n",
            "zk_approximate_data_size\t186\n",
            "zk_global_sessions\t1\n",
            "zk_uptime\t771\n",
            "zk_proposal_count\t11\n",
            "zk_diff_count\t2\n",
            "zk_avg_election_time\t0.0\n",
        ] {
            assert!(out.contains(line), "missing {line:?} in\n{out}");
        }
        assert!(out.starts_with("zk_version\t"));
        for line in out.lines() {
            let (key, value) = line.split_once('\t').expect("tab");
            assert!(key.starts_with("zk_") && !value.is_empty(), "{line}");
        }
        // The real server's relative order (docs/REAL-ZK.md): spot checks.
        let pos = |k: &str| out.find(&format!("\n{k}\t")).expect(k);
        assert!(pos("zk_avg_latency") < pos("zk_min_proposal_size"));
        assert!(pos("zk_leader_uptime") < pos("zk_uptime"));
        assert!(pos("zk_learners") < pos("zk_quorum_size"));
        assert!(pos("zk_quorum_size") < pos("zk_proposal_count"));
    }

    #[test]
    fn mntr_of_a_follower_has_no_leader_keys() {
        let out = run("mntr", &follower_sid1(), true);
        assert!(out.contains("zk_server_state\tfollower\n"));
        assert!(out.contains("zk_peer_state\tfollowing - broadcast\n"));
        assert!(out.contains("zk_avg_latency\t9.4615\n"));
        assert!(out.contains("zk_min_latency\t4\n"));
        assert!(out.contains("zk_max_latency\t31\n"));
        assert!(out.contains("zk_num_alive_connections\t2\n"));
        assert!(out.contains("zk_watch_count\t1\n"));
        assert!(out.contains("zk_learner_commit_received_count\t11\n"));
        for key in [
            "zk_learners",
            "zk_synced_followers",
            "zk_synced_non_voting_followers",
            "zk_synced_observers",
            "zk_pending_syncs",
            "zk_leader_uptime",
            "zk_last_proposal_size",
            "zk_min_proposal_size",
            "zk_max_proposal_size",
        ] {
            assert!(!out.contains(&format!("{key}\t")), "{key} in\n{out}");
        }
    }
}

//! Server statistics: `srvr` and `stat` (`StatCommand`, `ServerStats.toString`)
//! and `srst` (`StatResetCommand`).
//!
//! Pure formatting from [`Stats`]; the reset itself (server counters,
//! metrics, proposal sizes) is the caller's. `stat` lists the connections
//! in `cons`' brief form
//! ([`ClientConn`](super::ClientConn)). Never panics.

use std::fmt::Write as _;

use super::java::java_double;
use super::{Mode, Stats, ZK_VERSION};

/// `StatCommand`: `srvr` (no client list) and `stat`.
pub(super) fn stat(s: &Stats, with_clients: bool, out: &mut String) {
    let _ = writeln!(out, "Zookeeper version: {ZK_VERSION}");
    if s.mode == Mode::ReadOnly {
        out.push_str("READ-ONLY mode; serving only read-only clients\n");
    }
    if with_clients {
        out.push_str("Clients:\n");
        for c in &s.connections {
            c.dump(true, out);
            out.push('\n');
        }
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "Latency min/avg/max: {}/{}/{}",
        s.latency.min_or_zero(),
        java_double(s.latency.avg()),
        s.latency.max_or_zero()
    );
    let _ = writeln!(out, "Received: {}", s.packets_received);
    let _ = writeln!(out, "Sent: {}", s.packets_sent);
    let _ = writeln!(out, "Connections: {}", s.connections.len());
    let _ = writeln!(out, "Outstanding: {}", s.outstanding_requests);
    let _ = writeln!(out, "Zxid: 0x{:x}", s.zxid);
    let _ = writeln!(out, "Mode: {}", s.mode.as_str());
    let _ = writeln!(out, "Node count: {}", s.node_count);
    if s.mode == Mode::Leader {
        let p = s.proposal_sizes;
        let _ = writeln!(
            out,
            "Proposal sizes last/min/max: {}/{}/{}",
            p.last, p.min, p.max
        );
    }
}

/// `StatResetCommand`.
pub(super) fn srst(out: &mut String) {
    out.push_str("Server stats reset.\n");
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{follower_sid1, leader_sid3, real};
    use super::super::{run, ClientConn};

    #[test]
    fn leader_srvr_is_byte_exact() {
        let want = real(
            "Zookeeper version: 3.8.0-${mvngit.commit.id}, built on 2024-12-29 17:54 UTC
Latency min/avg/max: 0/0.0/0
Received: 3
Sent: 2
Connections: 1
Outstanding: 0
Zxid: 0x10000000b
Mode: leader
Node count: 6
Proposal sizes last/min/max: 60/48/88
",
        );
        assert_eq!(run("srvr", &leader_sid3(), true), want);
        // Default whitelist: srvr is always enabled.
        assert_eq!(run("srvr", &leader_sid3(), false), want);
    }

    #[test]
    fn leader_stat_is_byte_exact() {
        let mut s = leader_sid3();
        s.packets_received = 4;
        s.packets_sent = 3;
        let want = real(
            "Zookeeper version: 3.8.0-${mvngit.commit.id}, built on 2024-12-29 17:54 UTC
Clients:
 /127.0.0.1:51668[0](queued=0,recved=1,sent=0)

Latency min/avg/max: 0/0.0/0
Received: 4
Sent: 3
Connections: 1
Outstanding: 0
Zxid: 0x10000000b
Mode: leader
Node count: 6
Proposal sizes last/min/max: 60/48/88
",
        );
        assert_eq!(run("stat", &s, true), want);
    }

    #[test]
    fn follower_srvr_and_stat_are_byte_exact() {
        let s = follower_sid1();
        let want = real(
            "Zookeeper version: 3.8.0-${mvngit.commit.id}, built on 2024-12-29 17:54 UTC
Latency min/avg/max: 4/9.4615/31
Received: 16
Sent: 15
Connections: 2
Outstanding: 0
Zxid: 0x10000000b
Mode: follower
Node count: 6
",
        );
        assert_eq!(run("srvr", &s, true), want);
        let mut s = s;
        s.packets_received = 17;
        s.packets_sent = 16;
        s.connections = vec![
            ClientConn::four_letter_word("/127.0.0.1:59020"),
            s.connections[0].clone(),
        ];
        let want = real(
            "Zookeeper version: 3.8.0-${mvngit.commit.id}, built on 2024-12-29 17:54 UTC
Clients:
 /127.0.0.1:59020[0](queued=0,recved=1,sent=0)
 /127.0.0.1:58988[1](queued=0,recved=13,sent=13)

Latency min/avg/max: 4/9.4615/31
Received: 17
Sent: 16
Connections: 2
Outstanding: 0
Zxid: 0x10000000b
Mode: follower
Node count: 6
",
        );
        assert_eq!(run("stat", &s, true), want);
    }

    #[test]
    fn srst_answers() {
        assert_eq!(run("srst", &leader_sid3(), true), "Server stats reset.\n");
    }
}

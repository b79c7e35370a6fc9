//! Client connections: `cons` (`ConsCommand`) and `crst`
//! (`CnxnStatResetCommand`), and [`ClientConn`], one connection as
//! `ServerCnxn.dumpConnectionInfo` prints it (also `stat`'s and `dump`'s
//! lines).
//!
//! Pure formatting; resetting each connection's counters is the caller's.
//! Never panics.

use std::fmt::Write as _;

use super::{Stats, Summary};

/// One client connection (`ServerCnxn`), as `stat` and `cons` list it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientConn {
    /// Remote address as Java prints an `InetSocketAddress`:
    /// `/127.0.0.1:51668`.
    pub addr: String,
    /// Selector interest ops: `0` once a 4lw connection stopped reading,
    /// `1` (OP_READ) for a normal idle session; printed in hex.
    pub interest_ops: u32,
    /// Outstanding requests of this connection.
    pub queued: u64,
    /// Packets received on it (a 4lw connection: 1).
    pub recved: u64,
    /// Packets sent on it.
    pub sent: u64,
    /// Session id; `0` (no session, e.g. a 4lw connection) prints the brief
    /// form even in `cons`.
    pub session_id: u64,
    /// Last operation's short name (`GETD`, `CREA`, `PING`, `SESS`, ...);
    /// `NA` before any.
    pub last_op: String,
    /// Wall-clock time the connection was accepted, ms since the epoch.
    pub established_ms: i64,
    /// Negotiated session timeout, ms.
    pub timeout_ms: u64,
    /// Last client xid; `-1` before any (then `lcxid` is not printed).
    pub last_cxid: i64,
    /// Zxid of the last response; `-1` before any.
    pub last_zxid: i64,
    /// Time of the last response on ZooKeeper's elapsed (monotonic) clock,
    /// ms; `0` before any.
    pub last_response_ms: i64,
    /// Latency of the last response, ms.
    pub last_latency_ms: i64,
    /// This connection's response latencies: `minlat`, `maxlat` and
    /// `avglat` (an integer division here, unlike the server's average).
    pub latency: Summary,
}

impl Default for ClientConn {
    fn default() -> Self {
        ClientConn {
            addr: String::new(),
            interest_ops: 0,
            queued: 0,
            recved: 0,
            sent: 0,
            session_id: 0,
            last_op: "NA".to_string(),
            established_ms: 0,
            timeout_ms: 0,
            last_cxid: -1,
            last_zxid: -1,
            last_response_ms: 0,
            last_latency_ms: 0,
            latency: Summary::default(),
        }
    }
}

impl ClientConn {
    /// The connection a 4lw itself arrives on, as it shows while its command
    /// runs: `[0](queued=0,recved=1,sent=0)`.
    pub fn four_letter_word(addr: &str) -> Self {
        ClientConn {
            addr: addr.to_string(),
            recved: 1,
            ..ClientConn::default()
        }
    }

    /// `ServerCnxn.dumpConnectionInfo(pw, brief)`, without a line end.
    pub(super) fn dump(&self, brief: bool, out: &mut String) {
        out.push(' ');
        out.push_str(&self.addr);
        out.push('[');
        let _ = write!(out, "{:x}", self.interest_ops);
        let _ = write!(
            out,
            "](queued={},recved={},sent={}",
            self.queued, self.recved, self.sent
        );
        if !brief && self.session_id != 0 {
            let _ = write!(
                out,
                ",sid=0x{:x},lop={},est={},to={}",
                self.session_id, self.last_op, self.established_ms, self.timeout_ms
            );
            if self.last_cxid >= 0 {
                let _ = write!(out, ",lcxid=0x{:x}", self.last_cxid);
            }
            let avg = self
                .latency
                .total
                .checked_div(self.latency.count)
                .unwrap_or(0);
            let _ = write!(
                out,
                ",lzxid=0x{:x},lresp={},llat={},minlat={},avglat={},maxlat={}",
                self.last_zxid as u64,
                self.last_response_ms,
                self.last_latency_ms,
                self.latency.min_or_zero(),
                avg,
                self.latency.max_or_zero()
            );
        }
        out.push(')');
    }
}

/// `ConsCommand`: every connection in full, then a blank line (so just
/// `\n` with no connection).
pub(super) fn cons(s: &Stats, out: &mut String) {
    for c in &s.connections {
        c.dump(false, out);
        out.push('\n');
    }
    out.push('\n');
}

/// `CnxnStatResetCommand`.
pub(super) fn crst(out: &mut String) {
    out.push_str("Connection stats reset.\n");
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{follower_sid1, leader_sid3};
    use super::super::run;
    use super::*;

    #[test]
    fn cons_lines_are_byte_exact_with_the_trailing_blank_line() {
        // docs/REAL-ZK.md trims the end; ConsCommand println()s after the list.
        let mut s = leader_sid3();
        s.connections = vec![ClientConn::four_letter_word("/127.0.0.1:51684")];
        assert_eq!(
            run("cons", &s, true),
            " /127.0.0.1:51684[0](queued=0,recved=1,sent=0)\n\n"
        );
        let want = " /127.0.0.1:58988[1](queued=0,recved=13,sent=13,sid=0x100000e16330000,lop=GETD,est=1795574895490,to=10000,lcxid=0xc,lzxid=0x10000000b,lresp=923605,llat=4,minlat=0,avglat=9,maxlat=31)
 /127.0.0.1:59034[0](queued=0,recved=1,sent=0)

";
        assert_eq!(run("cons", &follower_sid1(), true), want);
        s.connections.clear();
        assert_eq!(run("cons", &s, true), "\n");
    }

    #[test]
    fn cons_without_a_cxid_and_before_any_response() {
        let mut s = leader_sid3();
        s.connections = vec![ClientConn {
            addr: "/127.0.0.1:1".to_string(),
            interest_ops: 1,
            session_id: 0x3000_0000_0000_0001,
            timeout_ms: 4000,
            ..ClientConn::default()
        }];
        assert_eq!(
            run("cons", &s, true),
            " /127.0.0.1:1[1](queued=0,recved=0,sent=0,sid=0x3000000000000001,lop=NA,est=0,to=4000,lzxid=0xffffffffffffffff,lresp=0,llat=0,minlat=0,avglat=0,maxlat=0)\n\n"
        );
    }

    #[test]
    fn crst_answers() {
        assert_eq!(
            run("crst", &leader_sid3(), true),
            "Connection stats reset.\n"
        );
    }
}

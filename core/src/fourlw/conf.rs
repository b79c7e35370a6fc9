//! Configuration and environment: `conf` (`ConfCommand`, the serving
//! subclass's `dumpConf`, `QuorumMaj.toString`) and `envi` (`EnvCommand`),
//! with [`Conf`], the configuration they print.
//!
//! Pure formatting from [`Stats`]. Never panics.

use std::fmt::Write as _;

use super::{Mode, Stats, ZK_VERSION};

/// `LearnerType`: a server's role in the configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PeerType {
    /// Voting member (`peerType=0`, `:participant`).
    Participant,
    /// Non-voting observer (`peerType=1`, `:observer`).
    Observer,
}

impl PeerType {
    pub(super) fn ordinal(self) -> u8 {
        match self {
            PeerType::Participant => 0,
            PeerType::Observer => 1,
        }
    }

    pub(super) fn as_str(self) -> &'static str {
        match self {
            PeerType::Participant => "participant",
            PeerType::Observer => "observer",
        }
    }
}
/// One server of the configuration (`QuorumServer`), a `server.N=` line of
/// `conf`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    /// Server id.
    pub sid: u64,
    /// Host of both ports (IPv6 is printed in brackets).
    pub host: String,
    /// Quorum (learner) port.
    pub quorum_port: u32,
    /// Election port.
    pub election_port: u32,
    /// Participant or observer.
    pub peer_type: PeerType,
}

/// The configuration `conf` prints.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Conf {
    /// `clientPort`.
    pub client_port: i64,
    /// `secureClientPort` (-1: none).
    pub secure_client_port: i64,
    /// `dataDir` (the snapshot directory, `.../version-2`).
    pub data_dir: String,
    /// `dataDirSize`, bytes (also `dirs`' `datadir_size`).
    pub data_dir_size: u64,
    /// `dataLogDir` (the txn log directory, `.../version-2`).
    pub data_log_dir: String,
    /// `dataLogSize`, bytes (also `dirs`' `logdir_size`).
    pub data_log_size: u64,
    /// `tickTime`, ms.
    pub tick_time: u64,
    /// `maxClientCnxns` (per host).
    pub max_client_cnxns: u64,
    /// `minSessionTimeout`, ms (default 2 ticks).
    pub min_session_timeout: u64,
    /// `maxSessionTimeout`, ms (default 20 ticks).
    pub max_session_timeout: u64,
    /// `clientPortListenBacklog` (-1: the OS default).
    pub client_port_listen_backlog: i64,
    /// `serverId` (ZooKeeper prints 0 for a standalone server).
    pub server_id: u64,
    /// `initLimit`, ticks.
    pub init_limit: u64,
    /// `syncLimit`, ticks.
    pub sync_limit: u64,
    /// `electionAlg` (3: fast leader election over TCP).
    pub election_alg: u32,
    /// `electionPort` of this server.
    pub election_port: u32,
    /// `quorumPort` of this server.
    pub quorum_port: u32,
    /// `peerType` of this server.
    pub peer_type: PeerType,
    /// The members of the current configuration, printed in this order
    /// (ZooKeeper's order is ascending sid).
    pub members: Vec<Member>,
    /// The configuration's version (`version=`, hex; 0 for a static config).
    pub config_version: u64,
    /// `readonlymode.enabled`: puts `isro` in the default whitelist.
    pub readonly_mode_enabled: bool,
    /// The host's `ulimit -n` (`zk_max_file_descriptor_count`).
    pub max_file_descriptor_count: u64,
    /// `zookeeper.connection_throttle_drop_probability`, in thousandths
    /// (`zk_connection_drop_probability`; 0: throttling off).
    pub connection_drop_probability_milli: u64,
}

impl Default for Conf {
    fn default() -> Self {
        Conf {
            client_port: 2181,
            secure_client_port: -1,
            data_dir: String::new(),
            data_dir_size: 0,
            data_log_dir: String::new(),
            data_log_size: 0,
            tick_time: 2000,
            max_client_cnxns: 60,
            min_session_timeout: 4000,
            max_session_timeout: 40000,
            client_port_listen_backlog: -1,
            server_id: 0,
            init_limit: 10,
            sync_limit: 5,
            election_alg: 3,
            election_port: 3888,
            quorum_port: 2888,
            peer_type: PeerType::Participant,
            members: Vec::new(),
            config_version: 0,
            readonly_mode_enabled: false,
            max_file_descriptor_count: 20_000,
            connection_drop_probability_milli: 0,
        }
    }
}

impl Conf {
    /// The loopback layout of docs/REAL-ZK.md for server `server_id`: client port
    /// `21810+N`, quorum port `28880+N`, election port `38880+N`, host
    /// `127.0.0.1`, data in `/var/lib/zookeeper/sN/data/version-2`;
    /// `participants` and `observers` are the members' sids. Other fields
    /// keep their defaults (tickTime 2000, initLimit 10, syncLimit 5).
    pub fn loopback(server_id: u64, participants: &[u64], observers: &[u64]) -> Self {
        let port =
            |base: u32, sid: u64| base.saturating_add(u32::try_from(sid).unwrap_or(u32::MAX));
        let mut members: Vec<Member> = participants
            .iter()
            .map(|&sid| (sid, PeerType::Participant))
            .chain(observers.iter().map(|&sid| (sid, PeerType::Observer)))
            .map(|(sid, peer_type)| Member {
                sid,
                host: "127.0.0.1".to_string(),
                quorum_port: port(28880, sid),
                election_port: port(38880, sid),
                peer_type,
            })
            .collect();
        crate::sorting::sort_by_key(&mut members, |m| m.sid);
        let dir = format!("/var/lib/zookeeper/s{server_id}/data/version-2");
        Conf {
            client_port: i64::from(port(21810, server_id)),
            data_dir: dir.clone(),
            data_log_dir: dir,
            server_id,
            election_port: port(38880, server_id),
            quorum_port: port(28880, server_id),
            peer_type: if observers.contains(&server_id) {
                PeerType::Observer
            } else {
                PeerType::Participant
            },
            members,
            ..Conf::default()
        }
    }
}
/// `dumpConf` of the serving subclass.
pub(super) fn conf(s: &Stats, out: &mut String) {
    let c = &s.conf;
    let _ = writeln!(out, "clientPort={}", c.client_port);
    let _ = writeln!(out, "secureClientPort={}", c.secure_client_port);
    let _ = writeln!(out, "dataDir={}", c.data_dir);
    let _ = writeln!(out, "dataDirSize={}", c.data_dir_size);
    let _ = writeln!(out, "dataLogDir={}", c.data_log_dir);
    let _ = writeln!(out, "dataLogSize={}", c.data_log_size);
    let _ = writeln!(out, "tickTime={}", c.tick_time);
    let _ = writeln!(out, "maxClientCnxns={}", c.max_client_cnxns);
    let _ = writeln!(out, "minSessionTimeout={}", c.min_session_timeout);
    let _ = writeln!(out, "maxSessionTimeout={}", c.max_session_timeout);
    let _ = writeln!(
        out,
        "clientPortListenBacklog={}",
        c.client_port_listen_backlog
    );
    let _ = writeln!(out, "serverId={}", c.server_id);
    if s.mode == Mode::Standalone {
        return;
    }
    let _ = writeln!(out, "initLimit={}", c.init_limit);
    let _ = writeln!(out, "syncLimit={}", c.sync_limit);
    let _ = writeln!(out, "electionAlg={}", c.election_alg);
    let _ = writeln!(out, "electionPort={}", c.election_port);
    let _ = writeln!(out, "quorumPort={}", c.quorum_port);
    let _ = writeln!(out, "peerType={}", c.peer_type.ordinal());
    if !s.mode.is_quorum() {
        // ReadOnlyZooKeeperServer stops after peerType.
        return;
    }
    out.push_str("membership: \n");
    for m in &c.members {
        let host = if m.host.contains(':') {
            format!("[{}]", m.host)
        } else {
            m.host.clone()
        };
        let _ = writeln!(
            out,
            "server.{}={}:{}:{}:{}",
            m.sid,
            host,
            m.quorum_port,
            m.election_port,
            m.peer_type.as_str()
        );
    }
    let _ = write!(out, "version={:x}", c.config_version);
}
/// `EnvCommand`.
pub(super) fn envi(s: &Stats) -> String {
    let mut out = format!("Environment:\nzookeeper.version={ZK_VERSION}\n");
    for (k, v) in &s.env {
        let _ = writeln!(out, "{k}={v}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{follower_sid1, leader_sid3};
    use super::super::run;
    use super::*;

    #[test]
    fn leader_conf_is_byte_exact_and_has_no_final_newline() {
        // docs/REAL-ZK.md cannot show the end; QuorumMaj.toString ends in
        // `version=0` and dumpConf print()s it without a line end.
        let want = "clientPort=21813
secureClientPort=-1
dataDir=/var/lib/zookeeper/s3/data/version-2
dataDirSize=67109477
dataLogDir=/var/lib/zookeeper/s3/data/version-2
dataLogSize=67109477
tickTime=2000
maxClientCnxns=60
minSessionTimeout=4000
maxSessionTimeout=40000
clientPortListenBacklog=-1
serverId=3
initLimit=10
syncLimit=5
electionAlg=3
electionPort=38883
quorumPort=28883
peerType=0
membership: 
server.1=127.0.0.1:28881:38881:participant
server.2=127.0.0.1:28882:38882:participant
server.3=127.0.0.1:28883:38883:participant
version=0";
        assert_eq!(run("conf", &leader_sid3(), true), want);
    }

    #[test]
    fn observer_conf_lines() {
        let mut s = follower_sid1();
        s.mode = Mode::Observer;
        s.conf = Conf::loopback(4, &[1, 2, 3], &[4]);
        let conf = run("conf", &s, true);
        assert!(conf.contains("peerType=1\nmembership: \n"));
        assert!(conf.ends_with("server.4=127.0.0.1:28884:38884:observer\nversion=0"));
        s.conf.config_version = 0x1_0000_0003;
        assert!(run("conf", &s, true).ends_with("\nversion=100000003"));
    }

    #[test]
    fn envi_lists_the_environment_after_the_version() {
        let mut e = leader_sid3();
        e.env = vec![("host.name".to_string(), "localhost".to_string())];
        assert_eq!(
            run("envi", &e, true),
            format!("Environment:\nzookeeper.version={ZK_VERSION}\nhost.name=localhost\n")
        );
    }
}

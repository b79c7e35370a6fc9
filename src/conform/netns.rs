//! The run's private network and its faults: a network namespace of the
//! tool's own, and iptables rules inside it that cut links between the
//! real servers (and between a client and servers).
//!
//! Contract:
//! - [`enter_private_netns`] moves the whole tool into a new network
//!   namespace (`unshare(CLONE_NEWNET)`) and brings its `lo` up. It must be
//!   called while the process has one thread (a namespace belongs to the
//!   thread that unshares; threads started later inherit it): `main.rs`
//!   calls it first thing for `conform`. The host's firewall and
//!   interfaces are never touched: every `iptables` and `ip` command here
//!   runs inside that namespace, which vanishes with the tool and its
//!   children.
//! - Telling servers apart on one address: every JVM runs under a uid of
//!   its own ([`server_uid`]), every client thread creates its sockets
//!   under a fsuid of its own ([`client_uid`]). A mangle rule marks each
//!   new connection with its creator (`-m owner --uid-owner` then
//!   `CONNMARK --set-mark`), so both directions of every connection carry
//!   the mark of the side that opened it, whatever its ephemeral port.
//! - A cut `from -> to` drops, in the `ZABLAB` chain of `filter/OUTPUT`,
//!   the packets from `from` to `to` on both the connections `from`
//!   opened to `to`'s quorum and election ports and those `to` opened to
//!   `from`'s: data already in flight on open connections stops too, as
//!   on a link that loses packets (TCP retransmits; nothing is reset).
//!   A partition is a cut both ways between every two groups; `heal`
//!   flushes the chain.
//! - A gate ([`Firewall::gate`]) for a simultaneous start: while it is
//!   shut, a new connection to a gated server's election port, or from a
//!   gated server to any election port, is refused with a TCP reset
//!   (`REJECT --reject-with tcp-reset`), exactly what a peer whose JVM is
//!   not listening yet answers; [`Firewall::open_gate`] lets every one
//!   through at once. It lives in its own `ZABGATE` chain: a heal never
//!   opens it.
//! - Slow links need `sch_netem`; [`netem_available`] says whether this
//!   kernel has it. conform does not shape links (see the report's
//!   "not supported" lines).

use std::collections::BTreeMap;
use std::process::Command;

/// The uid a server's JVM runs under (no passwd entry is needed).
pub fn server_uid(sid: u32) -> u32 {
    47_000 + sid
}

/// The fsuid a client thread opens its sockets under.
pub fn client_uid(index: usize) -> u32 {
    47_300 + index as u32
}

/// The connmark of a client's connections (servers use their sid, 1..=255).
pub fn client_mark(index: usize) -> u32 {
    0x1000 + index as u32
}

/// One server's ports on 127.0.0.1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ports {
    pub client: u16,
    pub quorum: u16,
    pub election: u16,
}

/// Ports below the ephemeral range (32768..), so that no outgoing
/// connection's source port can take a listener's port on a restart.
pub fn ports_of(sid: u32) -> Ports {
    let s = sid as u16;
    Ports {
        client: 11_000 + s,
        quorum: 12_000 + s,
        election: 13_000 + s,
    }
}

/// Moves this process into a fresh network namespace with `lo` up.
/// Call before any thread is started.
pub fn enter_private_netns() -> Result<(), String> {
    // SAFETY: unshare takes a flag word and touches only this task.
    let rc = unsafe { libc::unshare(libc::CLONE_NEWNET) };
    if rc != 0 {
        return Err(format!(
            "cannot create a private network namespace (unshare(CLONE_NEWNET): {}); conform needs root",
            std::io::Error::last_os_error()
        ));
    }
    run("ip", &["link", "set", "lo", "up"])?;
    Ok(())
}

/// Runs a command inside the namespace; its stderr is the error.
fn run(cmd: &str, args: &[&str]) -> Result<String, String> {
    let out = Command::new(cmd)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run {cmd}: {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(format!(
            "{cmd} {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

fn iptables(args: &[&str]) -> Result<String, String> {
    run("iptables", args)
}

/// Whether this kernel can shape a link (`tc qdisc … netem`): tried on
/// `lo` inside the namespace and removed at once.
pub fn netem_available() -> bool {
    let ok = run(
        "tc",
        &["qdisc", "add", "dev", "lo", "root", "netem", "delay", "1ms"],
    )
    .is_ok();
    if ok {
        let _ = run("tc", &["qdisc", "del", "dev", "lo", "root"]);
    }
    ok
}

/// The run's firewall: who is who, and the cuts in force.
pub struct Firewall {
    servers: BTreeMap<u32, Ports>,
    clients: usize,
    /// Directed server cuts in force (from, to).
    cuts: Vec<(u32, u32)>,
    /// Clients cut from servers (client index, sid).
    client_cuts: Vec<(usize, u32)>,
}

impl Firewall {
    /// Marks every connection by its creator: servers by uid, `clients`
    /// client threads by fsuid. Installs the empty `ZABLAB` chain (after
    /// removing an earlier scenario's rules from this namespace).
    pub fn new(servers: &[u32], clients: usize) -> Result<Firewall, String> {
        // The namespace is the tool's own: an earlier scenario's rules go.
        let _ = iptables(&["-t", "mangle", "-F", "OUTPUT"]);
        let _ = iptables(&["-F", "OUTPUT"]);
        for chain in ["ZABGATE", "ZABLAB"] {
            let _ = iptables(&["-F", chain]);
            let _ = iptables(&["-X", chain]);
            iptables(&["-N", chain])?;
            iptables(&["-A", "OUTPUT", "-j", chain])?;
        }
        let mut marks: Vec<(u32, u32)> = servers.iter().map(|&s| (server_uid(s), s)).collect();
        marks.extend((0..clients).map(|c| (client_uid(c), client_mark(c))));
        for (uid, mark) in marks {
            iptables(&[
                "-t",
                "mangle",
                "-A",
                "OUTPUT",
                "-m",
                "conntrack",
                "--ctstate",
                "NEW",
                "-m",
                "owner",
                "--uid-owner",
                &uid.to_string(),
                "-j",
                "CONNMARK",
                "--set-mark",
                &mark.to_string(),
            ])?;
        }
        Ok(Firewall {
            servers: servers.iter().map(|&s| (s, ports_of(s))).collect(),
            clients,
            cuts: Vec::new(),
            client_cuts: Vec::new(),
        })
    }

    fn drop_rule(mark: u32, dir: &str, ports: &str) -> Result<(), String> {
        iptables(&[
            "-A",
            "ZABLAB",
            "-p",
            "tcp",
            "-m",
            "connmark",
            "--mark",
            &mark.to_string(),
            "-m",
            "multiport",
            dir,
            ports,
            "-j",
            "DROP",
        ])
        .map(|_| ())
    }

    /// Nothing from `from` reaches `to` (quorum and election ports, open
    /// connections included).
    pub fn cut(&mut self, from: u32, to: u32) -> Result<(), String> {
        if self.cuts.contains(&(from, to)) {
            return Ok(());
        }
        let (Some(pf), Some(pt)) = (self.servers.get(&from), self.servers.get(&to)) else {
            return Err(format!("no server {from} or {to} in this run"));
        };
        let to_ports = format!("{},{}", pt.quorum, pt.election);
        let from_ports = format!("{},{}", pf.quorum, pf.election);
        // `from` opened it: its packets go to `to`'s listening ports.
        Self::drop_rule(from, "--dports", &to_ports)?;
        // `to` opened it: `from`'s packets leave from its listening ports.
        Self::drop_rule(to, "--sports", &from_ports)?;
        self.cuts.push((from, to));
        Ok(())
    }

    /// Client `index` cannot reach server `sid` (its client port), both ways.
    pub fn cut_client(&mut self, index: usize, sid: u32) -> Result<(), String> {
        if index >= self.clients || self.client_cuts.contains(&(index, sid)) {
            return Ok(());
        }
        let Some(p) = self.servers.get(&sid) else {
            return Err(format!("no server {sid} in this run"));
        };
        let port = p.client.to_string();
        let mark = client_mark(index);
        Self::drop_rule(mark, "--dports", &port)?;
        Self::drop_rule(mark, "--sports", &port)?;
        self.client_cuts.push((index, sid));
        Ok(())
    }

    /// Servers in different groups cannot reach each other; clients named
    /// on side `i` reach only the servers of `groups[i]`. Replaces every
    /// earlier cut.
    pub fn partition(
        &mut self,
        groups: &[Vec<u32>],
        client_sides: &[Vec<usize>],
    ) -> Result<(), String> {
        self.heal()?;
        for (i, a) in groups.iter().enumerate() {
            for (j, b) in groups.iter().enumerate() {
                if i == j {
                    continue;
                }
                for &x in a {
                    for &y in b {
                        self.cut(x, y)?;
                    }
                }
            }
        }
        let all: Vec<u32> = self.servers.keys().copied().collect();
        for (side, clients) in client_sides.iter().enumerate() {
            let reach = groups.get(side).cloned().unwrap_or_default();
            for &c in clients {
                for &s in all.iter().filter(|s| !reach.contains(s)) {
                    self.cut_client(c, s)?;
                }
            }
        }
        Ok(())
    }

    /// Every cut removed.
    pub fn heal(&mut self) -> Result<(), String> {
        iptables(&["-F", "ZABLAB"])?;
        self.cuts.clear();
        self.client_cuts.clear();
        Ok(())
    }

    /// Shuts the gate for `sids` (see the contract): until
    /// [`open_gate`](Self::open_gate), their election connections are
    /// refused as if their JVMs were not listening yet.
    pub fn gate(&mut self, sids: &[u32]) -> Result<(), String> {
        let all: Vec<String> = self
            .servers
            .values()
            .map(|p| p.election.to_string())
            .collect();
        let all = all.join(",");
        let refuse = |extra: &[&str]| {
            let mut args = vec!["-A", "ZABGATE", "-p", "tcp", "--syn"];
            args.extend_from_slice(extra);
            args.extend_from_slice(&["-j", "REJECT", "--reject-with", "tcp-reset"]);
            iptables(&args).map(|_| ())
        };
        for &sid in sids {
            let Some(p) = self.servers.get(&sid) else {
                return Err(format!("no server {sid} in this run"));
            };
            refuse(&["--dport", &p.election.to_string()])?;
            let uid = server_uid(sid).to_string();
            refuse(&[
                "-m",
                "owner",
                "--uid-owner",
                &uid,
                "-m",
                "multiport",
                "--dports",
                &all,
            ])?;
        }
        Ok(())
    }

    /// Every gated server's election port reachable again.
    pub fn open_gate(&mut self) -> Result<(), String> {
        iptables(&["-F", "ZABGATE"]).map(|_| ())
    }

    /// The rules in force (`iptables -S` and the mangle table), for the
    /// run's directory.
    pub fn rules(&self) -> String {
        let filter = iptables(&["-S"]).unwrap_or_else(|e| e);
        let mangle = iptables(&["-t", "mangle", "-S"]).unwrap_or_else(|e| e);
        format!("# filter\n{filter}# mangle\n{mangle}")
    }
}

/// Sets this thread's fsuid: sockets it creates from now on are owned by
/// `uid` for `-m owner` (the fsuid is per thread on Linux).
pub fn set_thread_fsuid(uid: u32) {
    // The raw system call: it changes the calling thread only (glibc's
    // set*id wrappers may broadcast to every thread).
    // SAFETY: setfsuid takes a number and changes this thread's fsuid.
    unsafe {
        libc::syscall(libc::SYS_setfsuid, uid as libc::c_long);
    }
}

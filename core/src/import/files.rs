//! What a file is and the files that are not logs: `zoo.cfg` and the
//! dynamic config file (`QuorumPeerConfig.parseProperties`,
//! `QuorumServer`'s `server.N=host:quorumPort:electionPort[:role][;[clientAddress:]clientPort]`),
//! saved four-letter words (`srvr`/`stat`: `Key: value`, `mntr`:
//! `zk_key<TAB>value`, `conf`: `key=value`), and the server a file name
//! hints at.
//!
//! Contract: pure functions over text; never panics; unknown keys are kept
//! as written (`entries`, `fields`), not dropped.

use super::model::{CfgServer, FileKind, FourLwCapture, ZooCfg};

/// The command a name hints at (`…srvr…`, `mntr.txt`, `0012637-stat.txt`).
fn fourlw_in_name(name: &str) -> Option<&'static str> {
    let base = base_name(name).to_ascii_lowercase();
    ["srvr", "stat", "mntr", "conf"]
        .into_iter()
        .find(|w| base.contains(w) && !base.contains(".cfg"))
}

/// A ZooKeeper data file by its name (not read): `snapshot.<hex>`,
/// `log.<hex>`, `acceptedEpoch`, `currentEpoch`, `myid`,
/// `updatingEpoch`.
pub fn data_file(name: &str) -> Option<&'static str> {
    let base = base_name(name);
    let hex_after = |p: &str| {
        base.strip_prefix(p)
            .is_some_and(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_hexdigit()))
    };
    Some(match base {
        "acceptedEpoch" | "currentEpoch" | "updatingEpoch" => "epoch file",
        "myid" => "myid",
        _ if hex_after("snapshot.") => "snapshot",
        _ if hex_after("log.") => "txn log",
        _ => return None,
    })
}

/// The folder part of a name (`a/b/c.log` → `a/b`; `c.log` → ``).
pub fn dir_name(name: &str) -> &str {
    name.rfind(['/', '\\']).map_or("", |i| &name[..i])
}

/// The last path component (`/` or `\`).
pub fn base_name(name: &str) -> &str {
    name.rsplit(['/', '\\']).next().unwrap_or(name)
}

fn is_cfg_key(key: &str) -> bool {
    key.starts_with("server.")
        || matches!(
            key,
            "tickTime" | "initLimit" | "syncLimit" | "dataDir" | "clientPort" | "dynamicConfigFile"
        )
}

/// A file with no log line: its kind from its first lines and its name.
pub fn kind_of<'a>(name: &str, lines: impl Iterator<Item = &'a str> + Clone) -> FileKind {
    let has = |p: &str| lines.clone().any(|l| l.starts_with(p));
    let base = base_name(name).to_ascii_lowercase();
    let named_cfg = base.ends_with(".cfg") || base.contains(".cfg.") || base.contains("dynamic");
    if has("zk_version") || has("zk_server_state") {
        return FileKind::FourLw {
            command: "mntr".into(),
        };
    }
    if has("Zookeeper version:") {
        let stat = has("Clients:") || fourlw_in_name(name) == Some("stat");
        return FileKind::FourLw {
            command: if stat { "stat" } else { "srvr" }.into(),
        };
    }
    let kv = lines
        .clone()
        .filter(|l| l.split_once('=').is_some_and(|(k, _)| is_cfg_key(k.trim())));
    if kv.count() > 0 {
        let conf_words = has("serverId=") || has("dataDirSize=") || has("membership:");
        if conf_words || (!named_cfg && fourlw_in_name(name) == Some("conf")) {
            return FileKind::FourLw {
                command: "conf".into(),
            };
        }
        return FileKind::Config;
    }
    FileKind::Other
}

fn port(s: &str) -> Option<u16> {
    s.trim().parse().ok()
}

/// `host:quorum:election[:participant|observer][;[clientHost:]clientPort]`.
pub fn cfg_server(sid: u32, v: &str) -> Option<CfgServer> {
    let (addr, client) = match v.split_once(';') {
        Some((a, c)) => (a, Some(c)),
        None => (v, None),
    };
    // A bracketed IPv6 host keeps its colons.
    let (host, rest) = match addr.trim().strip_prefix('[') {
        Some(r) => {
            let (h, rest) = r.split_once(']')?;
            (h.to_string(), rest.strip_prefix(':').unwrap_or(rest))
        }
        None => match addr.trim().split_once(':') {
            Some((h, rest)) => (h.to_string(), rest),
            None => (addr.trim().to_string(), ""),
        },
    };
    let mut parts = rest.split(':');
    let quorum_port = parts.next().and_then(port);
    let election_port = parts.next().and_then(port);
    let observer = parts.next().is_some_and(|r| r.trim() == "observer");
    let client_port = client.and_then(|c| port(c.rsplit(':').next().unwrap_or(c)));
    Some(CfgServer {
        sid,
        host,
        quorum_port,
        election_port,
        observer,
        client_port,
    })
}

/// One config file's `key=value` lines into `cfg` (a later file's value of
/// the same key wins; servers are replaced by sid).
pub fn read_cfg(cfg: &mut ZooCfg, file: usize, text: &str) {
    cfg.files.push(file);
    for l in text.lines() {
        let l = l.trim();
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        let Some((k, v)) = l.split_once('=') else {
            continue;
        };
        let (k, v) = (k.trim(), v.trim());
        cfg.entries.push((k.to_string(), v.to_string()));
        let n = || v.parse::<u64>().ok();
        match k {
            "tickTime" => cfg.tick_time = n(),
            "initLimit" => cfg.init_limit = n(),
            "syncLimit" => cfg.sync_limit = n(),
            "snapCount" => cfg.snap_count = n(),
            "clientPort" => cfg.client_port = port(v),
            "dataDir" => cfg.data_dir = Some(v.to_string()),
            "autopurge.snapRetainCount" => cfg.autopurge_snap_retain_count = n(),
            "autopurge.purgeInterval" => cfg.autopurge_purge_interval = n(),
            "minSessionTimeout" => cfg.min_session_timeout = n(),
            "maxSessionTimeout" => cfg.max_session_timeout = n(),
            "dynamicConfigFile" => cfg.dynamic_config_file = Some(v.to_string()),
            _ => {
                let Some(sid) = k.strip_prefix("server.").and_then(|s| s.parse().ok()) else {
                    continue;
                };
                let Some(s) = cfg_server(sid, v) else {
                    continue;
                };
                cfg.servers.retain(|x| x.sid != sid);
                cfg.servers.push(s);
                cfg.servers.sort_by_key(|s| s.sid);
            }
        }
    }
}

/// A saved four-letter word's fields.
pub fn read_fourlw(file: usize, name: &str, command: &str, text: &str) -> FourLwCapture {
    let mut fields = Vec::new();
    for l in text.lines() {
        let split = match command {
            "mntr" => l.split_once('\t'),
            "conf" => l.split_once('='),
            _ => l.split_once(": ").or_else(|| l.split_once(':')),
        };
        if let Some((k, v)) = split {
            fields.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    let get = |keys: &[&str]| {
        fields
            .iter()
            .find(|(k, _)| keys.contains(&k.as_str()))
            .map(|(_, v)| v.clone())
    };
    let zxid = get(&["Zxid", "zk_zxid"]).and_then(|z| {
        let z = z.trim();
        match z.strip_prefix("0x") {
            Some(h) => u64::from_str_radix(h, 16).ok(),
            None => z.parse().ok(),
        }
    });
    let sid = get(&["serverId"])
        .and_then(|s| s.parse().ok())
        .or_else(|| sid_from_name(name));
    FourLwCapture {
        file,
        command: command.to_string(),
        sid,
        mode: get(&["Mode", "zk_server_state"]),
        zxid,
        fields,
    }
}

/// The number right after `word` in `s` (`server3`, `zk-3`, `s3`), when
/// `word` starts `s` or follows a separator.
fn number_after(s: &str, word: &str) -> Option<u32> {
    let mut from = 0;
    while let Some(i) = s[from..].find(word) {
        let at = from + i;
        from = at + word.len();
        let before_ok = at == 0 || !s.as_bytes()[at - 1].is_ascii_alphanumeric();
        let tail = s[from..].trim_start_matches(['-', '_', '.']);
        let end = tail
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(tail.len());
        let after_ok = tail[end..]
            .chars()
            .next()
            .is_none_or(|c| !c.is_ascii_alphabetic());
        if before_ok && end > 0 && after_ok {
            if let Ok(n) = tail[..end].parse::<u32>() {
                if n > 0 {
                    return Some(n);
                }
            }
        }
    }
    None
}

/// The server a file name hints at: `s3/zookeeper.log`, `zookeeper-3.log`,
/// `zk3.log`, `…server3…`, `myid3`, `node-3/…` (the base name first, then
/// each folder from the nearest). A rolled suffix (`.log.2`) and `.gz`
/// are no hint. Sid 0 is never guessed.
pub fn sid_from_name(name: &str) -> Option<u32> {
    let lower = name.to_ascii_lowercase();
    let mut parts: Vec<&str> = lower.split(['/', '\\']).collect();
    parts.reverse();
    for (i, part) in parts.iter().enumerate() {
        let mut p = part.trim_end_matches(".gz");
        if i == 0 {
            // `zookeeper.log.2` → `zookeeper`.
            if let Some(at) = p.find(".log") {
                p = &p[..at];
            }
            p = p.trim_end_matches(".out").trim_end_matches(".txt");
        }
        for word in ["zookeeper", "server", "myid", "node", "zoo", "zk", "s"] {
            if let Some(n) = number_after(p, word) {
                return Some(n);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_hint_at_servers() {
        for (name, sid) in [
            ("tests/real-zk/runs/trunc/s3/zookeeper.log", Some(3)),
            ("logs/zookeeper-2.log", Some(2)),
            ("zookeeper-2.log.1", Some(2)),
            ("/var/log/zk3/zookeeper.log.4.gz", Some(3)),
            ("prod-server12-zookeeper.out", Some(12)),
            ("node_5/zookeeper.log", Some(5)),
            ("myid7.log", Some(7)),
            ("zookeeper.log.3", None),
            ("zookeeper.log", None),
            ("zk-0.log", None),
            ("sessions/zookeeper.log", None),
        ] {
            assert_eq!(sid_from_name(name), sid, "{name}");
        }
        assert_eq!(
            data_file("s1/data/version-2/log.100000001"),
            Some("txn log")
        );
        assert_eq!(data_file("s1/data/version-2/snapshot.0"), Some("snapshot"));
        assert_eq!(data_file("s1/data/myid"), Some("myid"));
        assert_eq!(data_file("zookeeper.log.1"), None);
        assert_eq!(data_file("log.txt"), None);
        assert_eq!(dir_name("a/b/c.log"), "a/b");
    }

    #[test]
    fn a_zoo_cfg_and_a_dynamic_file_are_read() {
        // As `zablab conform` writes them (tests/real-zk) and a 3.5+ dynamic file.
        let mut cfg = ZooCfg::default();
        read_cfg(
            &mut cfg,
            0,
            "tickTime=2000\ninitLimit=10\nsyncLimit=5\ndataDir=/data\nclientPort=2181\n# c\nserver.1=127.0.0.1:12001:13001\nautopurge.purgeInterval=1\n",
        );
        read_cfg(
            &mut cfg,
            1,
            "server.2=10.0.0.2:2888:3888:participant;2181\nserver.4=[::1]:2888:3888:observer;0.0.0.0:2181\n",
        );
        assert_eq!(
            (cfg.tick_time, cfg.init_limit, cfg.sync_limit),
            (Some(2000), Some(10), Some(5))
        );
        assert_eq!(cfg.autopurge_purge_interval, Some(1));
        assert_eq!(cfg.servers.len(), 3);
        assert_eq!(cfg.servers[0].quorum_port, Some(12001));
        assert_eq!(cfg.servers[1].client_port, Some(2181));
        assert!(!cfg.servers[1].observer);
        assert_eq!(cfg.servers[2].host, "::1");
        assert!(cfg.servers[2].observer);
        assert_eq!(cfg.files, vec![0, 1]);
    }

    #[test]
    fn fourlw_outputs_are_told_apart_and_read() {
        // Verbatim: tests/real-zk/runs/kill-leader-after-writes/s1/4lw/end-srvr.txt.
        let srvr = "Zookeeper version: 3.8.0-${mvngit.commit.id}, built on 2024-12-29 17:54 UTC\nLatency min/avg/max: 27/34.75/56\nReceived: 7\nSent: 6\nConnections: 2\nOutstanding: 0\nZxid: 0x200000003\nMode: follower\nNode count: 18\n";
        let kind = kind_of("s1/4lw/end-srvr.txt", srvr.lines());
        assert_eq!(
            kind,
            FileKind::FourLw {
                command: "srvr".into()
            }
        );
        let c = read_fourlw(3, "s1/4lw/end-srvr.txt", "srvr", srvr);
        assert_eq!(
            (c.mode.as_deref(), c.zxid, c.sid),
            (Some("follower"), Some(0x2_0000_0003), Some(1))
        );
        let mntr = "zk_version\t3.8.0\nzk_server_state\tleader\nzk_zxid\t8589934595\n";
        assert_eq!(
            kind_of("x", mntr.lines()),
            FileKind::FourLw {
                command: "mntr".into()
            }
        );
        let c = read_fourlw(0, "x", "mntr", mntr);
        assert_eq!(
            (c.mode.as_deref(), c.zxid),
            (Some("leader"), Some(8589934595))
        );
        let conf = "clientPort=2181\ndataDir=/data\nserverId=2\ninitLimit=10\n";
        assert_eq!(
            kind_of("a.txt", conf.lines()),
            FileKind::FourLw {
                command: "conf".into()
            }
        );
        assert_eq!(read_fourlw(0, "a.txt", "conf", conf).sid, Some(2));
        assert_eq!(
            kind_of("zoo.cfg", "tickTime=2000\n".lines()),
            FileKind::Config
        );
        assert_eq!(kind_of("x.log", "hello\nworld\n".lines()), FileKind::Other);
    }
}

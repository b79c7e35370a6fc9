//! Four-letter-word answers with only what differs by nature masked, so
//! that the rest compares exactly: ports and session ids, paths and
//! sizes of directories, timestamps, latencies and timings, packet and
//! byte counts, file descriptors, JVM, queue and batch statistics (the
//! `avg_`/`min_`/…/`p999_` summaries), and the
//! `mntr` keys the simulator declares unmodelled
//! (`zablab_core::fourlw::MNTR_UNMODELLED`). A masked value prints `*`.
//!
//! Contract: a pure function of (word, answer); every key and every other
//! value stays as it was.

use zablab_core::fourlw::MNTR_UNMODELLED;

/// `mntr` keys (without `zk_`) whose values differ by nature.
fn mntr_masked(key: &str) -> bool {
    const NATURE: &[&str] = &[
        "latency",
        "time",
        "uptime",
        "packets",
        "bytes_received",
        "file_descriptor",
        "queue",
        "fsync",
        "jvm",
        "batch",
        "startup",
    ];
    const STATS: &[&str] = &[
        "avg_", "min_", "max_", "cnt_", "sum_", "p50_", "p95_", "p99_", "p999_",
    ];
    STATS.iter().any(|p| key.starts_with(p))
        || NATURE.iter().any(|n| key.contains(n))
        || MNTR_UNMODELLED
            .iter()
            .any(|(k, _)| *k == key && key != "digest_mismatches_count")
}

/// `127.0.0.1:12345` → `127.0.0.1:*`.
fn mask_ports(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(i) = rest.find("127.0.0.1:") {
        let after = i + "127.0.0.1:".len();
        out.push_str(&rest[..after]);
        let digits = rest[after..]
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len() - after);
        if digits > 0 {
            out.push('*');
        }
        rest = &rest[after + digits..];
    }
    out.push_str(rest);
    out
}

/// `key=value` pairs inside `(…)` of a connection line, values masked
/// for the listed keys.
fn mask_pairs(line: &str, keys: &[&str]) -> String {
    let mut out = String::new();
    for (n, part) in line.split(',').enumerate() {
        if n > 0 {
            out.push(',');
        }
        let masked = keys.iter().find_map(|k| {
            let at = part.find(&format!("{k}="))?;
            if at > 0 && part.as_bytes()[at - 1].is_ascii_alphanumeric() {
                return None;
            }
            let end = part[at..].find(')').map_or(part.len(), |e| at + e);
            Some(format!("{}{k}=*{}", &part[..at], &part[end..]))
        });
        out.push_str(&masked.unwrap_or_else(|| part.to_string()));
    }
    out
}

const CONN_KEYS: &[&str] = &[
    "queued", "recved", "sent", "sid", "lop", "est", "to", "lcxid", "lzxid", "lresp", "llat",
    "minlat", "avglat", "maxlat",
];

fn mask_line(cmd: &str, line: &str) -> String {
    let line = mask_ports(line);
    let kv = |key: &str| line.strip_prefix(key).is_some();
    match cmd {
        "srvr" | "stat" | "srst" => {
            if kv("Latency min/avg/max:") {
                "Latency min/avg/max: *".into()
            } else if kv("Received:") {
                "Received: *".into()
            } else if kv("Sent:") {
                "Sent: *".into()
            } else if kv("Zookeeper version:") {
                "Zookeeper version: *".into()
            } else if line.starts_with(" /") {
                mask_pairs(&line, CONN_KEYS)
            } else {
                line
            }
        }
        "cons" => mask_pairs(&line, CONN_KEYS),
        "conf" | "envi" => {
            for k in [
                "dataDir=",
                "dataLogDir=",
                "dataDirSize=",
                "dataLogSize=",
                "clientPort=",
                "electionPort=",
                "quorumPort=",
            ] {
                if line.starts_with(k) {
                    return format!("{k}*");
                }
            }
            if line.starts_with("server.") {
                if let Some((head, tail)) = line.split_once('=') {
                    let role = tail.rsplit(':').next().unwrap_or("");
                    return format!("{head}=127.0.0.1:*:*:{role}");
                }
            }
            line
        }
        "mntr" => match line.split_once('\t') {
            Some((k, _)) if k == "zk_version" => format!("{k}\t*"),
            Some((k, _)) if mntr_masked(k.trim_start_matches("zk_")) => format!("{k}\t*"),
            _ => line,
        },
        _ => line,
    }
}

/// The answer with what differs by nature masked.
pub fn mask(cmd: &str, output: &str) -> String {
    let mut out: Vec<String> = output.split('\n').map(|l| mask_line(cmd, l)).collect();
    if cmd == "mntr" {
        // Which of the masked keys are present still counts; not their order.
        out.sort_by(|a, b| (a.is_empty(), a).cmp(&(b.is_empty(), b)));
    }
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_latencies_and_counts_are_masked_the_rest_kept() {
        let srvr = "Zookeeper version: 3.8.0-x\nLatency min/avg/max: 0/0.5/3\nReceived: 7\nSent: 6\nConnections: 1\nOutstanding: 0\nZxid: 0x10000000b\nMode: leader\nNode count: 6\n";
        let m = mask("srvr", srvr);
        assert!(m.contains("Latency min/avg/max: *\nReceived: *\nSent: *\nConnections: 1\n"));
        assert!(m.contains("Zxid: 0x10000000b\nMode: leader\nNode count: 6"));
        let cons = " /127.0.0.1:51684[1](queued=0,recved=5,sent=5,sid=0x100,lop=PING,est=1,to=10000,lcxid=0x3,lzxid=0x10000000b,lresp=9,llat=0,minlat=0,avglat=0.1,maxlat=2)";
        assert_eq!(
            mask("cons", cons),
            " /127.0.0.1:*[1](queued=*,recved=*,sent=*,sid=*,lop=*,est=*,to=*,lcxid=*,lzxid=*,lresp=*,llat=*,minlat=*,avglat=*,maxlat=*)"
        );
        let mntr = "zk_server_state\tleader\nzk_avg_latency\t0.5\nzk_znode_count\t6\nzk_packets_sent\t4\nzk_digest_mismatches_count\t9";
        let m = mask("mntr", mntr);
        assert!(m.contains("zk_server_state\tleader"));
        assert!(m.contains("zk_avg_latency\t*"));
        assert!(m.contains("zk_packets_sent\t*"));
        assert!(m.contains("zk_znode_count\t6"));
        assert!(m.contains("zk_digest_mismatches_count\t9"));
        assert_eq!(
            mask("conf", "server.1=127.0.0.1:12001:13001:participant"),
            "server.1=127.0.0.1:*:*:participant"
        );
    }
}

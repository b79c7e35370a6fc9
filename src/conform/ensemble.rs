//! The real ensemble's files and command lines: a scenario's ensemble
//! mapped to one `zoo.cfg`, `myid`, `log4j.properties` and JVM per server
//! under the run's directory, and what cannot be mapped.
//!
//! Contract: writes only under `run_dir/s<sid>/` (conf, `data/`, log) and
//! hands each directory to the server's uid. Starts nothing (`procs.rs`
//! does); the command line it builds names the run's directory, which is
//! how a later run recognises a leftover JVM. Uses Debian's `zookeeper`
//! package (3.8.0) as installed by `scripts/setup conform`: the jar's
//! manifest brings its dependencies; `slf4j-log4j12.jar` and
//! `log4j-1.2.jar` are added so that the server logs at all.

use std::path::{Path, PathBuf};
use std::process::Command;

use zablab_core::Scenario;

use super::netns::{ports_of, server_uid};
use super::procs::Spawn;

const JARS: &[&str] = &[
    "/usr/share/java/zookeeper.jar",
    "/usr/share/java/slf4j-log4j12.jar",
    "/usr/share/java/log4j-1.2.jar",
];

/// The log layout of docs/REAL-ZK.md (the importer of real logs reads it).
pub const LOG_PATTERN: &str = "%d{ISO8601} - %-5p [%t:%C{1}@%L] - %m%n";

/// Why this machine cannot run a real ensemble (exit 2), if it cannot.
pub fn check_host() -> Result<(), String> {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return Err("conform needs root (a private network namespace, iptables inside it, a uid per server); run it as root".to_string());
    }
    let java = Command::new("java").arg("-version").output();
    if !java.is_ok_and(|o| o.status.success()) {
        return Err("no java here: run `scripts/setup conform` (Debian default-jre)".to_string());
    }
    for jar in JARS {
        if !Path::new(jar).exists() {
            return Err(format!(
                "{jar} is missing: run `scripts/setup conform` (Debian zookeeper 3.8.0)"
            ));
        }
    }
    for tool in ["iptables", "ip"] {
        let ok = Command::new(tool).arg("--version").output().is_ok()
            || Command::new(tool).arg("-V").output().is_ok();
        if !ok {
            return Err(format!(
                "no {tool} here: run `scripts/setup conform` (Debian iptables, iproute2)"
            ));
        }
    }
    Ok(())
}

pub fn server_dir(run_dir: &Path, sid: u32) -> PathBuf {
    run_dir.join(format!("s{sid}"))
}

pub fn log_path(run_dir: &Path, sid: u32) -> PathBuf {
    server_dir(run_dir, sid).join("zookeeper.log")
}

/// Every server of the ensemble, participants then observers (the order
/// the simulator's nodes and its client rotation use).
pub fn sids(s: &Scenario) -> Vec<u32> {
    let mut v = s.ensemble.participants.clone();
    v.extend(&s.ensemble.observers);
    v
}

/// How each setting reaches the real servers (or why it cannot).
pub fn mapping(s: &Scenario) -> Vec<(String, String)> {
    let e = &s.ensemble;
    let mut m = vec![
        ("tick_ms".into(), format!("zoo.cfg tickTime={}", e.tick_ms)),
        (
            "init_limit".into(),
            format!("zoo.cfg initLimit={}", e.init_limit),
        ),
        (
            "sync_limit".into(),
            format!("zoo.cfg syncLimit={}", e.sync_limit),
        ),
        (
            "snap_count".into(),
            format!("-Dzookeeper.snapCount={}", e.snap_count),
        ),
        (
            "commit_log_count".into(),
            format!(
                "-Dzookeeper.commitLogCount={} (ZooKeeper uses 500 when it is lower)",
                e.commit_log_count
            ),
        ),
        (
            "snapshot_size_factor_pct".into(),
            format!(
                "-Dzookeeper.snapshotSizeFactor={}",
                size_factor(e.snapshot_size_factor_pct)
            ),
        ),
        (
            "observers".into(),
            "zoo.cfg server.N=…:observer, and peerType=observer on each observer".into(),
        ),
        (
            "4lw".into(),
            "zoo.cfg 4lw.commands.whitelist=* (the simulator answers every word too)".into(),
        ),
        (
            "session timeouts".into(),
            "ZooKeeper's defaults, 2 and 20 ticks (as the simulator)".into(),
        ),
    ];
    if e.autopurge_purge_interval > 0 {
        m.push((
            "autopurge".into(),
            format!(
                "zoo.cfg autopurge.snapRetainCount={} autopurge.purgeInterval={}",
                e.autopurge_snap_retain_count, e.autopurge_purge_interval
            ),
        ));
    }
    if e.initial_zxid_counter > 0 {
        m.push((
            "initial_zxid_counter".into(),
            format!(
                "-Dzookeeper.testingonly.initialZxid={}",
                e.initial_zxid_counter
            ),
        ));
    }
    m.push((
        "network.latency_ms".into(),
        "cannot be mapped: loopback's own latency (tens of µs)".into(),
    ));
    m.push((
        "network.fsync_ms".into(),
        "cannot be mapped: this disk's own fsync".into(),
    ));
    m.push((
        "seed".into(),
        "cannot be mapped: the real ensemble's timing is its own".into(),
    ));
    if !e.variants.is_empty() {
        m.push((
            "variants".into(),
            format!(
                "cannot be mapped: {} are the simulator's bug-museum flags; the real servers run ZooKeeper 3.8.0 as it is",
                e.variants.join(", ")
            ),
        ));
    }
    m
}

fn size_factor(pct: i64) -> String {
    if pct < 0 {
        "-1".to_string()
    } else {
        format!("{}.{:02}", pct / 100, pct % 100)
    }
}

/// One server's zoo.cfg: the scenario's tick and limits, its own data
/// directory and client port, observers' peerType, autopurge when the
/// scenario turns it on, then the members' lines.
fn zoo_cfg(s: &Scenario, sid: u32, data: &Path, members: &str) -> String {
    let e = &s.ensemble;
    let p = ports_of(sid);
    let mut cfg = format!(
        "# written by zablab conform for {}\ntickTime={}\ninitLimit={}\nsyncLimit={}\ndataDir={}\nclientPort={}\nclientPortAddress=127.0.0.1\n4lw.commands.whitelist=*\nadmin.enableServer=false\n",
        s.name,
        e.tick_ms,
        e.init_limit,
        e.sync_limit,
        data.display(),
        p.client
    );
    if e.observers.contains(&sid) {
        cfg.push_str("peerType=observer\n");
    }
    if e.autopurge_purge_interval > 0 {
        // DatadirCleanupManager: the simulator's server/purge.rs.
        cfg.push_str(&format!(
            "autopurge.snapRetainCount={}\nautopurge.purgeInterval={}\n",
            e.autopurge_snap_retain_count, e.autopurge_purge_interval
        ));
    }
    cfg.push_str(members);
    cfg
}

/// Writes every server's conf, `myid`, log4j configuration and data
/// directory, and hands each server's directory to its uid.
pub fn prepare(run_dir: &Path, s: &Scenario) -> Result<(), String> {
    let e = &s.ensemble;
    let mut members = String::new();
    for &sid in &sids(s) {
        let p = ports_of(sid);
        let role = if e.observers.contains(&sid) {
            ":observer"
        } else {
            ""
        };
        members.push_str(&format!(
            "server.{sid}=127.0.0.1:{}:{}{role}\n",
            p.quorum, p.election
        ));
    }
    for &sid in &sids(s) {
        let dir = server_dir(run_dir, sid);
        let data = dir.join("data");
        std::fs::create_dir_all(&data)
            .map_err(|e| format!("cannot create {}: {e}", data.display()))?;
        let cfg = zoo_cfg(s, sid, &data, &members);
        write(&dir.join("zoo.cfg"), &cfg)?;
        write(&data.join("myid"), &format!("{sid}\n"))?;
        let log4j = format!(
            "log4j.rootLogger=INFO, FILE\nlog4j.appender.FILE=org.apache.log4j.FileAppender\nlog4j.appender.FILE.File={}\nlog4j.appender.FILE.Append=true\nlog4j.appender.FILE.ImmediateFlush=true\nlog4j.appender.FILE.layout=org.apache.log4j.PatternLayout\nlog4j.appender.FILE.layout.ConversionPattern={LOG_PATTERN}\n",
            log_path(run_dir, sid).display()
        );
        write(&dir.join("log4j.properties"), &log4j)?;
        chown_tree(&dir, server_uid(sid))?;
    }
    Ok(())
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn chown_tree(dir: &Path, uid: u32) -> Result<(), String> {
    let st = Command::new("chown")
        .args(["-R", &format!("{uid}:{uid}")])
        .arg(dir)
        .status()
        .map_err(|e| format!("cannot run chown: {e}"))?;
    if st.success() {
        Ok(())
    } else {
        Err(format!("chown -R {uid} {} failed", dir.display()))
    }
}

/// The JVM of server `sid`: a small heap, quick start-up, UTC log
/// stamps, the settings that are system properties.
pub fn jvm(run_dir: &Path, s: &Scenario, sid: u32) -> (Vec<String>, Vec<(String, String)>) {
    let e = &s.ensemble;
    let dir = server_dir(run_dir, sid);
    let mut args: Vec<String> = [
        "-Xms16m",
        "-Xmx128m",
        "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1",
        "-XX:-UsePerfData",
        "-Djava.net.preferIPv4Stack=true",
        "-Duser.timezone=UTC",
        "-Dzookeeper.admin.enableServer=false",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.push(format!(
        "-Dlog4j.configuration=file:{}",
        dir.join("log4j.properties").display()
    ));
    args.push(format!("-Dzookeeper.snapCount={}", e.snap_count));
    args.push(format!("-Dzookeeper.commitLogCount={}", e.commit_log_count));
    args.push(format!(
        "-Dzookeeper.snapshotSizeFactor={}",
        size_factor(e.snapshot_size_factor_pct)
    ));
    if e.initial_zxid_counter > 0 {
        args.push(format!(
            "-Dzookeeper.testingonly.initialZxid={}",
            e.initial_zxid_counter
        ));
    }
    args.push("-cp".to_string());
    args.push(JARS.join(":"));
    args.push("org.apache.zookeeper.server.quorum.QuorumPeerMain".to_string());
    args.push(dir.join("zoo.cfg").display().to_string());
    let env = vec![
        ("PATH".to_string(), "/usr/bin:/bin".to_string()),
        ("HOME".to_string(), dir.display().to_string()),
        ("TZ".to_string(), "UTC".to_string()),
        ("LANG".to_string(), "C.UTF-8".to_string()),
    ];
    (args, env)
}

/// What to hand to `Procs::spawn` for server `sid`.
pub fn spawn<'a>(
    run_dir: &Path,
    s: &Scenario,
    sid: u32,
    dir: &'a Path,
    out: &'a Path,
) -> Spawn<'a> {
    let (args, env) = jvm(run_dir, s, sid);
    Spawn {
        program: "/usr/bin/java",
        args,
        env,
        uid: server_uid(sid),
        cwd: dir,
        output: out,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario(extra: &str) -> Scenario {
        Scenario::from_json(&format!(
            r#"{{"zablab":1,"seed":1,"ensemble":{{"participants":[1,2,3]{extra}}},
            "until_ms":1000,"actions":[{{"at_ms":0,"do":"start","servers":[1,2,3]}}]}}"#
        ))
        .unwrap()
    }

    #[test]
    fn autopurge_reaches_zoo_cfg_only_when_the_scenario_turns_it_on() {
        let on = scenario(r#","autopurge_purge_interval":1,"autopurge_snap_retain_count":5"#);
        let cfg = zoo_cfg(&on, 2, Path::new("/d"), "server.1=x\n");
        assert!(
            cfg.contains("autopurge.snapRetainCount=5\nautopurge.purgeInterval=1\n"),
            "{cfg}"
        );
        assert!(
            cfg.contains("dataDir=/d\n") && cfg.ends_with("server.1=x\n"),
            "{cfg}"
        );
        let off = scenario("");
        assert!(!zoo_cfg(&off, 2, Path::new("/d"), "").contains("autopurge"));
    }
}

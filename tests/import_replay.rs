//! The diagnosis and the replay of imported logs, on the real ZooKeeper
//! 3.8.0 runs of `tests/real-zk/runs/` (each run's `scenario.json` says
//! what was injected, `real.json` what the conform harness saw):
//! (a) the diagnosis names each injected fault by kind, citing a line of
//! the right server; (b) the replay's leaders, epochs and sync modes are
//! the real ones, up to the timing ties the scenario declares
//! (`conform.either`, the same declarations `zablab conform` uses).

use std::path::Path;

use serde_json::Value;
use zablab_core::import::diagnose::diagnose;
use zablab_core::import::replay::{compare_facts, replay_scenario, Facts, Row};
use zablab_core::import::{import, Import, InputFile};
use zablab_core::Scenario;

const RUNS: &str = "tests/real-zk/runs";

/// A run's logs and its zoo.cfg, imported as an operator would.
fn load(run: &str) -> Import {
    let dir = Path::new(RUNS).join(run);
    let mut files = Vec::new();
    let mut sids: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    sids.sort();
    for s in &sids {
        let log = s.join("zookeeper.log");
        files.push(InputFile {
            name: log.display().to_string(),
            bytes: std::fs::read(&log).unwrap(),
        });
    }
    let cfg = sids[0].join("zoo.cfg");
    if cfg.exists() {
        files.push(InputFile {
            name: cfg.display().to_string(),
            bytes: std::fs::read(&cfg).unwrap(),
        });
    }
    import(&files)
}

fn json(run: &str, file: &str) -> Value {
    let text = std::fs::read_to_string(Path::new(RUNS).join(run).join(file)).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// real.json's leaders and syncs.
fn real_facts(run: &str) -> Facts {
    let r = json(run, "real.json");
    let n = |v: &Value| v.as_u64().unwrap() as u32;
    Facts {
        leaders: r["leaders"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| (n(&l["sid"]), n(&l["epoch"])))
            .collect(),
        syncs: r["syncs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|y| {
                (
                    n(&y["learner"]),
                    y["epoch"].as_u64().map(|e| e as u32),
                    y["mode"].as_str().unwrap().to_string(),
                )
            })
            .collect(),
    }
}

/// The runs checked, each with a different fault (or none).
const CHECKED: &[&str] = &[
    "gc-pause-leader",
    "kill-leader-after-writes",
    "observer-failover",
    "partition-5-leader-minority",
    "restart-ex-leader-diff",
    "session-expiry-ephemeral",
    "silent-partition-leader",
    "stale-log-after-snap-5",
    "stale-log-nothing-after-snap",
    "stale-log-restarted-after-snap",
    "start-together",
    "trunc",
    "trunc-refused-across-epochs",
    "writes-while-down-diff",
    "writes-while-down-snap",
];

/// What a run injected: `(finding kind, servers it may cite)`, from
/// scenario.json's actions (a `"leader"` resolved by real.json's faults).
fn injected(run: &str) -> Vec<(&'static str, Vec<u32>)> {
    let scenario = json(run, "scenario.json");
    let real = json(run, "real.json");
    let sid_of = |a: &Value, kind: &str| -> u32 {
        match a["server"].as_u64() {
            Some(s) => s as u32,
            None => {
                let at = a["at_ms"].as_i64().unwrap();
                real["faults"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|f| f["kind"] == kind)
                    .min_by_key(|f| (f["at_ms"].as_i64().unwrap() - at).abs())
                    .map(|f| f["sid"].as_u64().unwrap() as u32)
                    .unwrap()
            }
        }
    };
    let mut out = Vec::new();
    for a in scenario["actions"].as_array().unwrap() {
        match a["do"].as_str().unwrap() {
            "crash" => out.push(("server_down", vec![sid_of(a, "crash")])),
            "pause" => out.push(("server_paused", vec![sid_of(a, "pause")])),
            "partition" => {
                let groups: Vec<Vec<u32>> = a["groups"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|g| {
                        g.as_array()
                            .unwrap()
                            .iter()
                            .map(|x| x.as_u64().unwrap() as u32)
                            .collect()
                    })
                    .filter(|g: &Vec<u32>| !g.is_empty())
                    .collect();
                if groups.len() < 2 {
                    // Only clients cut off: their sessions expire on the
                    // leader, the one line the servers log of it.
                    out.push(("session_expired", groups.concat()));
                } else {
                    let smaller = groups.iter().min_by_key(|g| g.len()).unwrap().clone();
                    out.push(("partition", smaller));
                }
            }
            _ => {}
        }
    }
    out
}

/// (a) Each injected fault has a finding of its kind citing a line of
/// one of its servers.
#[test]
fn the_diagnosis_names_each_injected_fault() {
    let mut faults = 0;
    for run in CHECKED {
        let imp = load(run);
        let d = diagnose(&imp);
        let all: Vec<_> = d
            .iter()
            .flat_map(|c| std::iter::once(c).chain(c.consequences.iter()))
            .collect();
        for (kind, sids) in injected(run) {
            faults += 1;
            let hit = all.iter().any(|f| {
                let cited = f.cites.iter().any(|&i| sids.contains(&imp.lines[i].sid));
                // A cut-off side may be silent: its peers' time-outs on
                // it are the lines, and the cut must touch it.
                let about = kind == "partition"
                    && f.links
                        .iter()
                        .any(|l| sids.contains(&l.from) || sids.contains(&l.to))
                    && f.cites.iter().any(|&i| {
                        imp.lines[i].text.starts_with("Exception when following")
                            && !sids.contains(&imp.lines[i].sid)
                    });
                f.id == kind && (cited || about)
            });
            assert!(
                hit,
                "{run}: no {kind} finding citing a line of server(s) {sids:?}:\n{}",
                zablab_core::diagnosis::Diagnosis {
                    at_ms: 0,
                    findings: d.clone()
                }
                .render()
            );
        }
    }
    assert!(faults >= 16, "{faults} faults checked");
}

/// A row that differs, unless the run declares it a timing tie
/// (`conform.either`) and both values are among the declared ones.
fn undeclared<'a>(run: &str, rows: &'a [Row]) -> Vec<&'a Row> {
    let scenario = json(run, "scenario.json");
    let either = scenario["conform"]["either"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    rows.iter()
        .filter(|r| !r.same)
        .filter(|r| {
            !either.iter().any(|e| {
                let of: Vec<&str> = e["of"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|x| x.as_str().unwrap())
                    .collect();
                e["fact"] == r.fact.as_str()
                    && of.contains(&r.real.as_str())
                    && of.contains(&r.replay.as_str())
            })
        })
        .collect()
}

/// (b) The replay's leaders, epochs and sync modes are the real ones.
#[test]
fn the_replay_elects_the_same_leaders_and_syncs_the_same_way() {
    let mut rows_checked = 0;
    for run in CHECKED {
        let imp = load(run);
        let r = replay_scenario(&imp);
        r.scenario.check().unwrap_or_else(|e| panic!("{run}: {e}"));
        // The scenario file reads back as it was written.
        assert_eq!(
            Scenario::from_json(&r.scenario.to_json()).unwrap(),
            r.scenario,
            "{run}"
        );
        let mut sim = zablab_core::Simulation::new(r.scenario.clone()).unwrap();
        sim.run_to_end();
        let rows = compare_facts(&real_facts(run), &Facts::of_sim(&sim));
        assert!(rows.iter().any(|r| r.fact.starts_with("leader")), "{run}");
        let bad = undeclared(run, &rows);
        assert!(
            bad.is_empty(),
            "{run}: {bad:#?}\ninferences: {:#?}",
            r.inferences
        );
        rows_checked += rows.len();
    }
    eprintln!("{rows_checked} rows of {} runs agree", CHECKED.len());
    assert!(rows_checked >= 60, "{rows_checked} rows");
}

/// The real side of (b) is the importer's own summary too: what it
/// reconstructs agrees with the conform report's real side.
#[test]
fn the_imports_summary_is_the_conform_reports_real_side() {
    for run in CHECKED {
        let imp = load(run);
        let ours = Facts::of_summary(&zablab_core::import::summary(&imp));
        let rows = compare_facts(&real_facts(run), &ours);
        let bad: Vec<&Row> = rows.iter().filter(|r| !r.same).collect();
        assert!(bad.is_empty(), "{run}: {bad:#?}");
    }
}

/// Not a check: prints every real run's findings, inferences and replay
/// rows, to see what a change did (`cargo test --release --test
/// import_replay explore -- --ignored --nocapture`). One run's replay:
/// `zablab import DIR --replay OUT.json`, then `zablab run OUT.json --log`.
#[test]
#[ignore]
fn explore() {
    let mut runs: Vec<String> = std::fs::read_dir(RUNS)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .collect();
    runs.sort();
    for run in runs {
        let imp = load(&run);
        println!(
            "===== {run}: {} lines, faults {}",
            imp.lines.len(),
            json(&run, "real.json")["faults"]
        );
        let d = diagnose(&imp);
        for f in d
            .iter()
            .flat_map(|c| std::iter::once(c).chain(c.consequences.iter()))
        {
            println!(
                "  [{}] {} s{:?} {}: {}",
                f.severity.name(),
                f.id,
                f.server,
                f.at_ms,
                f.text
            );
        }
        let r = replay_scenario(&imp);
        for i in &r.inferences {
            println!("    inf {}: {}", i.kind, i.what);
        }
        if let Err(e) = r.scenario.check() {
            println!("  SCENARIO ERROR {e}");
            continue;
        }
        let mut sim = zablab_core::Simulation::new(r.scenario.clone()).unwrap();
        sim.run_to_end();
        let rows: Vec<Row> = compare_facts(&real_facts(&run), &Facts::of_sim(&sim));
        for row in rows {
            println!(
                "   {} {}: real {} replay {}",
                if row.same { "  " } else { "XX" },
                row.fact,
                row.real,
                row.replay
            );
        }
        let _ = Scenario::from_json;
    }
}

/// `zablab import --diagnose --replay OUT.json`: the diagnosis printed,
/// the replay written as a scenario `zablab run` plays.
#[test]
fn the_command_line_diagnoses_and_writes_the_replay() {
    let out_file = std::env::temp_dir().join(format!("zablab-replay-{}.json", std::process::id()));
    let bin = env!("CARGO_BIN_EXE_zablab");
    let o = std::process::Command::new(bin)
        .args([
            "import",
            "tests/real-zk/runs/kill-leader-after-writes",
            "--diagnose",
            "--replay",
        ])
        .arg(&out_file)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout.contains(
            "[CRIT] server_down (server 2, now): Server 2 (the leader) stopped at about 7.86 s"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("evidence: s1 at "), "{stdout}");
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("crash: Server 2 crashes at 7.86 s"),
        "{stderr}"
    );
    let text = std::fs::read_to_string(&out_file).unwrap();
    Scenario::from_json(&text).unwrap();
    let run = std::process::Command::new(bin)
        .arg("run")
        .arg(&out_file)
        .output()
        .unwrap();
    std::fs::remove_file(&out_file).ok();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stdout)
    );
}

/// ZooKeeper's own data-inconsistency signal in a real run: the finding's
/// stale-log run logs a digest mismatch on s1 (docs/FINDINGS.md).
#[test]
fn a_real_digest_mismatch_is_named_on_its_server() {
    for (run, sid) in [
        ("stale-log-after-snap-5", 1),
        ("stale-log-restarted-after-snap", 1),
    ] {
        let imp = load(run);
        let d = diagnose(&imp);
        let f = d
            .iter()
            .find(|f| f.id == "digest_mismatch")
            .unwrap_or_else(|| panic!("{run}"));
        assert_eq!(f.server, Some(sid), "{run}");
        assert!(f.cites.iter().all(|&i| imp.lines[i].sid == sid), "{run}");
        assert!(
            f.cites
                .iter()
                .any(|&i| imp.lines[i].text.contains("Digests are not matching")),
            "{run}"
        );
    }
}

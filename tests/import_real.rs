//! `zablab import` on the real ZooKeeper 3.8.0 runs of
//! `tests/real-zk/runs/`: for every run with a `real.json` (the conform
//! report's real side), the import of its server logs gives the same
//! leaders (sid, epoch) and the same syncs (learner, leader, epoch, mode,
//! the leader's reason), in the same order, at the same times up to one
//! constant (real.json counts from the run's spawn, the import from its
//! first line) within one second. At least 8 runs with different faults.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

const ALLOWANCE_MS: i64 = 1000;

fn runs() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/real-zk/runs");
    let mut v: Vec<PathBuf> = std::fs::read_dir(root)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("real.json").is_file())
        .collect();
    v.sort();
    v
}

fn server_dirs(run: &Path) -> Vec<String> {
    let mut v: Vec<String> = (1..=9)
        .map(|s| run.join(format!("s{s}")))
        .filter(|p| p.is_dir())
        .map(|p| p.display().to_string())
        .collect();
    v.sort();
    v
}

fn imported(run: &Path) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_zablab"))
        .arg("import")
        .args(server_dirs(run))
        .arg("--json")
        .output()
        .expect("the zablab binary runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("--json prints JSON")
}

fn n(v: &Value, k: &str) -> i64 {
    v[k].as_i64().unwrap_or(-1)
}

/// (what, import ms, real ms) of each fact, and the facts' identities.
fn compare(run: &Path) -> Result<Vec<(String, i64, i64)>, String> {
    let real: Value =
        serde_json::from_str(&std::fs::read_to_string(run.join("real.json")).unwrap()).unwrap();
    let imp = imported(run);
    let leaders = |v: &Value, at: &str| -> Vec<(i64, i64, i64)> {
        v["leaders"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| (n(l, "sid"), n(l, "epoch"), n(l, at)))
            .collect()
    };
    let (li, lr) = (leaders(&imp, "established_ms"), leaders(&real, "at_ms"));
    let ids = |v: &[(i64, i64, i64)]| v.iter().map(|l| (l.0, l.1)).collect::<Vec<_>>();
    if ids(&li) != ids(&lr) {
        return Err(format!(
            "leaders (sid, epoch): import {:?}, real {:?}",
            ids(&li),
            ids(&lr)
        ));
    }
    let syncs = |v: &Value| -> Vec<(i64, i64, i64, String, String, i64)> {
        v["syncs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|y| {
                (
                    n(y, "learner"),
                    n(y, "leader"),
                    n(y, "epoch"),
                    y["mode"].as_str().unwrap_or("").to_string(),
                    y["how"].as_str().unwrap_or("").to_string(),
                    n(y, "at_ms"),
                )
            })
            .collect()
    };
    let (si, sr) = (syncs(&imp), syncs(&real));
    let sid = |v: &[(i64, i64, i64, String, String, i64)]| {
        v.iter()
            .map(|y| (y.0, y.1, y.2, y.3.clone(), y.4.clone()))
            .collect::<Vec<_>>()
    };
    if sid(&si) != sid(&sr) {
        return Err(format!(
            "syncs (learner, leader, epoch, mode, how):\n import {:?}\n real   {:?}",
            sid(&si),
            sid(&sr)
        ));
    }
    let mut times: Vec<(String, i64, i64)> = li
        .iter()
        .zip(&lr)
        .map(|(a, b)| (format!("leader s{} epoch {}", a.0, a.1), a.2, b.2))
        .collect();
    times.extend(
        si.iter()
            .zip(&sr)
            .map(|(a, b)| (format!("{} sync of s{} epoch {}", a.3, a.0, a.2), a.5, b.5)),
    );
    Ok(times)
}

#[test]
fn the_import_of_every_real_run_gives_its_leaders_epochs_and_sync_modes() {
    let runs = runs();
    let mut faults = std::collections::BTreeSet::new();
    let mut failures = Vec::new();
    for run in &runs {
        let name = run.file_name().unwrap().to_string_lossy().to_string();
        let times = match compare(run) {
            Ok(t) => t,
            Err(e) => {
                failures.push(format!("{name}: {e}"));
                continue;
            }
        };
        // One constant between the two clocks: the first fact's.
        if let Some((_, i0, r0)) = times.first() {
            let shift = r0 - i0;
            if !(0..=10_000).contains(&shift) {
                failures.push(format!(
                    "{name}: the import's time 0 is {shift} ms after the spawn"
                ));
            }
            for (what, i, r) in &times {
                if (i + shift - r).abs() > ALLOWANCE_MS {
                    failures.push(format!(
                        "{name}: {what} at {} ms in the import, {r} ms in real.json",
                        i + shift
                    ));
                }
            }
        }
        let real: Value =
            serde_json::from_str(&std::fs::read_to_string(run.join("real.json")).unwrap()).unwrap();
        for f in real["faults"].as_array().into_iter().flatten() {
            let kind = f["kind"].as_str().unwrap_or("");
            if kind != "start" {
                faults.insert(format!("{name}/{kind}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(runs.len() >= 8, "only {} runs have a real.json", runs.len());
    let kinds: std::collections::BTreeSet<&str> =
        faults.iter().filter_map(|f| f.split('/').nth(1)).collect();
    println!("{} runs compared; faults: {kinds:?}", runs.len());
}

/// `text` with every line's stamp moved by `ms`.
fn shifted(text: &str, ms: i64) -> String {
    use zablab_core::import::line::{format_stamp, parse_stamp};
    text.lines()
        .map(|l| match parse_stamp(l) {
            Some(t) => format!("{}{}\n", format_stamp(t + ms), &l[23..]),
            None => format!("{l}\n"),
        })
        .collect()
}

#[test]
fn a_real_servers_clock_seven_seconds_ahead_is_found_and_the_facts_stay() {
    use zablab_core::import::{import, summary, InputFile};
    let run =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/real-zk/runs/kill-leader-after-writes");
    let logs: Vec<(String, String)> = (1..=3)
        .map(|s| {
            let name = format!("s{s}/zookeeper.log");
            (
                name.clone(),
                std::fs::read_to_string(run.join(&name)).unwrap(),
            )
        })
        .collect();
    let files = |shift_s3: i64| -> Vec<InputFile> {
        logs.iter()
            .map(|(name, text)| InputFile {
                name: name.clone(),
                bytes: if name.starts_with("s3") {
                    shifted(text, shift_s3)
                } else {
                    text.clone()
                }
                .into_bytes(),
            })
            .collect()
    };
    let (plain, ahead) = (import(&files(0)), import(&files(7_000)));
    let k = ahead.skew.iter().find(|k| k.sid == 3).unwrap();
    assert!(!k.pairs.is_empty());
    let (lo, hi) = (k.lower_ms.unwrap(), k.upper_ms.unwrap());
    assert!(lo <= k.offset_ms && k.offset_ms <= hi, "{k:?}");
    assert!((6_900..=7_100).contains(&k.offset_ms), "{k:?}");
    let facts = |i: &zablab_core::import::Import| {
        let s = summary(i);
        let l: Vec<_> = s.leaders.iter().map(|l| (l.sid, l.epoch)).collect();
        let y: Vec<_> = s
            .syncs
            .iter()
            .map(|y| (y.learner, y.leader, y.epoch, y.mode))
            .collect();
        (l, y)
    };
    assert_eq!(facts(&ahead), facts(&plain));
    assert!(
        plain.skew.iter().all(|k| k.offset_ms == 0),
        "{:?}",
        plain.skew
    );
}

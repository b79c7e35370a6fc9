//! The diagnosis never contradicts itself or the run: every preset
//! (`static/scenarios/*.json`), every bug-museum file and every ZabLab
//! finding is diagnosed at several moments (before anything happens, at
//! time 0, early in and half-way through each injected fault, a while
//! after it ends, at the end) and each diagnosis is checked against the
//! rules of `docs/DIAGNOSIS.md` ("The rules"), which this file implements
//! one function per rule, under the same names. The rules read only what
//! a person can read (the cards, their consequences, their sentences and
//! advice) and the simulator's public state at that moment; the faults a
//! scenario injected are read from its actions here, independently of the
//! diagnosis's own account of them.
//!
//! Each rule is also shown a diagnosis that breaks it (`each_rule_rejects_…`
//! below), so none of them passes by never looking.
//!
//! Run with `--nocapture` for the table of first cards per preset and
//! moment (`docs/DIAGNOSIS.md` shows it).

use std::collections::BTreeSet;

use zablab_core::diagnosis::{Diagnosis, Finding, Severity};
use zablab_core::proto::Sid;
use zablab_core::{ActionKind, Scenario, ServerRef, Simulation};

/// Presets longer than this are diagnosed only this far (the hour-long
/// load preset).
const MAX_MS: u64 = 120_000;

/// The ids of the findings that are a fault the run injected.
const FAULT_KINDS: [&str; 6] = [
    "server_down",
    "server_paused",
    "partition",
    "slow_disk",
    "slow_link",
    "message_dropped",
];

/// The ids of the findings about the ensemble's configuration.
const SHAPE_KINDS: [&str; 2] = ["large_quorum", "observers"];

/// Names an operator finds in ZooKeeper's configuration, its scripts or
/// its client API: every card's advice uses at least one.
const ZK_NAMES: [&str; 26] = [
    "tickTime",
    "syncLimit",
    "initLimit",
    "server.",
    "peerType",
    "dataLogDir",
    "dataDir",
    "snapCount",
    "zookeeper.commitLogCount",
    "zookeeper.snapshotSizeFactor",
    "minSessionTimeout",
    "maxSessionTimeout",
    "fsync.warningthresholdms",
    "jvm.pause.monitor",
    "SERVER_JVMFLAGS",
    "ZK_SERVER_HEAP",
    "globalOutstandingLimit",
    "zookeeper.fastleader.maxNotificationInterval",
    "connectToLearnerMasterLimit",
    "sync()",
    "zkServer.sh",
    "mntr",
    "srvr",
    "sessionTimeout",
    "Watcher",
    "multi()",
];

/// A broken rule: its name (as in docs/DIAGNOSIS.md) and what broke it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Broken {
    rule: &'static str,
    detail: String,
}

fn broken(rule: &'static str, detail: String) -> Broken {
    Broken { rule, detail }
}

// ----- what the scenario injected, from its actions -----

/// A fault the scenario's actions injected.
#[derive(Debug, Clone)]
struct Fault {
    /// The finding id that names it.
    kind: &'static str,
    /// The servers it hit (a partition: every server on a cut link).
    servers: Vec<Sid>,
    from: u64,
    /// When it ended (`None`: still on at the end of the run).
    to: Option<u64>,
}

impl Fault {
    fn on_at(&self, t: u64) -> bool {
        self.from <= t && self.to.is_none_or(|e| t < e)
    }
}

/// The slow thresholds the diagnosis uses (`network` ranges of the file).
fn slow_link_ms(s: &Scenario) -> u64 {
    s.network.latency_ms[1] + 50
}

/// The faults of `s`, resolving `"leader"` with `leaders` (the leader
/// established just before each action, by action index).
fn faults(s: &Scenario, leaders: &[Option<Sid>]) -> Vec<Fault> {
    let mut out: Vec<Fault> = Vec::new();
    let mut order: Vec<usize> = (0..s.actions.len()).collect();
    order.sort_by_key(|&i| (s.actions[i].at_ms, i));
    let resolve = |r: &ServerRef, i: usize| match r {
        ServerRef::Sid(x) => Some(*x),
        ServerRef::Leader => leaders[i],
    };
    let end_open = |out: &mut Vec<Fault>, pred: &dyn Fn(&Fault) -> bool, t: u64| {
        for f in out.iter_mut().filter(|f| f.to.is_none() && pred(f)) {
            f.to = Some(t);
        }
    };
    for i in order {
        let a = &s.actions[i];
        let t = a.at_ms;
        match &a.kind {
            ActionKind::Crash { server, .. } => {
                if let Some(x) = resolve(server, i) {
                    out.push(Fault {
                        kind: "server_down",
                        servers: vec![x],
                        from: t,
                        to: None,
                    });
                }
            }
            ActionKind::Restart { server } => {
                if let Some(x) = resolve(server, i) {
                    end_open(
                        &mut out,
                        &|f| f.kind == "server_down" && f.servers == [x],
                        t,
                    );
                }
            }
            ActionKind::Pause { server, for_ms } => {
                if let Some(x) = resolve(server, i) {
                    out.push(Fault {
                        kind: "server_paused",
                        servers: vec![x],
                        from: t,
                        to: Some(t + for_ms),
                    });
                }
            }
            ActionKind::Partition { groups, .. } => {
                end_open(&mut out, &|f| f.kind == "partition", t);
                let mut servers: Vec<Sid> = groups.iter().flatten().copied().collect();
                servers.sort_unstable();
                out.push(Fault {
                    kind: "partition",
                    servers,
                    from: t,
                    to: None,
                });
            }
            ActionKind::Cut { from, to } => add_cut(&mut out, *from, *to, t),
            ActionKind::Heal => end_open(&mut out, &|f| f.kind == "partition", t),
            ActionKind::SlowLink {
                from,
                to,
                latency_ms,
            } => {
                let pair = vec![*from.min(to), *from.max(to)];
                end_open(&mut out, &|f| f.kind == "slow_link" && f.servers == pair, t);
                if *latency_ms >= slow_link_ms(s) {
                    out.push(Fault {
                        kind: "slow_link",
                        servers: pair,
                        from: t,
                        to: None,
                    });
                }
            }
            ActionKind::SlowDisk { server, fsync_ms } => {
                if let Some(x) = resolve(server, i) {
                    end_open(&mut out, &|f| f.kind == "slow_disk" && f.servers == [x], t);
                    if *fsync_ms > s.network.fsync_ms[1] {
                        out.push(Fault {
                            kind: "slow_disk",
                            servers: vec![x],
                            from: t,
                            to: None,
                        });
                    }
                }
            }
            ActionKind::Drop { from, to } => out.push(Fault {
                kind: "message_dropped",
                servers: vec![*from, *to],
                from: t,
                to: Some(t),
            }),
            _ => {}
        }
    }
    merge_same_instant(out)
}

/// A one-way cut joins the open partition (or opens one of its two ends).
fn add_cut(out: &mut Vec<Fault>, from: Sid, to: Sid, t: u64) {
    let open = out
        .iter_mut()
        .find(|f| f.kind == "partition" && f.to.is_none());
    match open {
        Some(f) => {
            f.servers.extend([from, to]);
            f.servers.sort_unstable();
            f.servers.dedup();
        }
        None => out.push(Fault {
            kind: "partition",
            servers: vec![from.min(to), from.max(to)],
            from: t,
            to: None,
        }),
    }
}

/// Several faults of one kind at one instant are one fault (slow links
/// stay per pair).
fn merge_same_instant(mut out: Vec<Fault>) -> Vec<Fault> {
    out.sort_by_key(|f| (f.from, f.kind));
    let mut merged: Vec<Fault> = Vec::new();
    for f in out {
        match merged.last_mut() {
            Some(m) if m.from == f.from && m.kind == f.kind && m.kind != "slow_link" => {
                m.servers.extend(f.servers);
                m.servers.sort_unstable();
                m.servers.dedup();
                m.to = match (m.to, f.to) {
                    (Some(a), Some(b)) => Some(a.max(b)),
                    _ => None,
                };
            }
            _ => merged.push(f),
        }
    }
    merged
}

/// The moments to diagnose: (time, label, handle the events at that time
/// first). Time 0 twice: as the app shows a preset before it plays
/// (nothing handled), and after the events at 0.
fn moments(s: &Scenario, faults: &[Fault]) -> Vec<(u64, String)> {
    let end = s.until_ms.min(MAX_MS);
    let mut v = vec![(0, "t=0".to_string())];
    for f in faults.iter().filter(|f| f.from < end) {
        let what = format!("{} {:?}@{}", f.kind, f.servers, f.from);
        v.push((f.from + 1000, format!("early in {what}")));
        if let Some(e) = f.to.filter(|&e| e > f.from + 2000) {
            v.push((
                f.from + (e - f.from) / 2,
                format!("half-way through {what}"),
            ));
        }
        if f.to.is_none() {
            v.push((
                f.from + (end - f.from) / 2,
                format!("half-way through {what}"),
            ));
        }
        if let Some(e) = f.to {
            v.push((e + 5000, format!("after {what}")));
        }
    }
    v.push((end, "end".to_string()));
    v.retain(|m| m.0 <= end);
    v.sort_by_key(|m| m.0);
    v.dedup_by_key(|m| m.0);
    v
}

// ----- reading the text -----

/// The sentences of a text (split at `. `, `; ` and `: `).
fn sentences(text: &str) -> Vec<&str> {
    text.split(". ")
        .flat_map(|s| s.split("; "))
        .flat_map(|s| s.split(": "))
        .collect()
}

/// The servers a sentence names (`server 3`, `Servers 1, 2 and 3`,
/// `leader 3`, `learners 2 and 4`), in order, each with the index of the
/// word that names it.
fn named_servers_at(sentence: &str) -> Vec<(usize, Sid)> {
    let words: Vec<&str> = sentence.split_whitespace().collect();
    let mut out = Vec::new();
    let nouns = [
        "server",
        "servers",
        "leader",
        "learner",
        "learners",
        "follower",
        "followers",
    ];
    for (i, w) in words.iter().enumerate() {
        if !nouns.contains(&w.to_lowercase().as_str()) {
            continue;
        }
        // The numbers that follow: `3`, or `1, 2 and 4`.
        let mut k = i + 1;
        while let Some(x) = words.get(k) {
            let t = x
                .trim_end_matches([',', '.', ')', ';', ':'])
                .trim_end_matches("'s");
            let Ok(n) = t.parse::<Sid>() else { break };
            out.push((i, n));
            if x.ends_with(',') {
                k += 1;
            } else if words.get(k + 1) == Some(&"and") {
                k += 2;
            } else {
                break;
            }
        }
    }
    out
}

fn named_servers(sentence: &str) -> Vec<Sid> {
    named_servers_at(sentence)
        .into_iter()
        .map(|x| x.1)
        .collect()
}

/// The servers a sentence is about: named in its first three words
/// (`Server 5 …`, `The leader 5 …`, `Servers 1 and 2 …`).
fn subjects(sentence: &str) -> Vec<Sid> {
    named_servers_at(sentence)
        .into_iter()
        .filter(|x| x.0 < 3)
        .map(|x| x.1)
        .collect()
}

/// Whether a sentence says its subject answers, serves or reaches
/// something (not negated, not in the future).
fn claims_activity(sentence: &str) -> bool {
    let s = sentence.to_lowercase();
    let verbs = [
        " answers",
        " answering",
        " serves",
        " serving",
        " can reach",
        " reaches",
        " reach ",
    ];
    let negations = [
        "nothing",
        " not ",
        "n't",
        "never",
        "no longer",
        "until it resumes",
        "when it resumes",
        "once it resumes",
        "after it resumes",
        "will ",
    ];
    verbs.iter().any(|v| s.contains(v)) && !negations.iter().any(|n| s.contains(n))
}

/// The servers a text names as the current leader (`leader N` that is not
/// history: not `Leader N (epoch …)`, not old, former, deposed, last or
/// previous).
fn current_leaders(text: &str) -> Vec<Sid> {
    let mut out = Vec::new();
    let words: Vec<&str> = text.split_whitespace().collect();
    for (i, w) in words.iter().enumerate() {
        if !w.eq_ignore_ascii_case("leader") {
            continue;
        }
        let Some(n) = words.get(i + 1).and_then(|x| {
            x.trim_end_matches([',', '.', ')', ';', ':', '\'', 's'])
                .parse::<Sid>()
                .ok()
        }) else {
            continue;
        };
        let history = words.get(i + 2).is_some_and(|x| x.starts_with("(epoch"));
        let before = if i > 0 {
            words[i - 1].to_lowercase()
        } else {
            String::new()
        };
        let qualified = [
            "old", "former", "deposed", "last", "previous", "paused", "crashed", "first",
        ]
        .contains(&before.as_str());
        if !history && !qualified {
            out.push(n);
        }
    }
    out
}

fn severity_rank(s: Severity) -> u8 {
    match s {
        Severity::Info => 0,
        Severity::Warning => 1,
        Severity::Critical => 2,
    }
}

/// A card's severity: its own, or a consequence's that holds now.
fn card_severity(c: &Finding) -> Severity {
    c.consequences
        .iter()
        .filter(|x| x.now)
        .map(|x| x.severity)
        .chain(std::iter::once(c.severity))
        .max()
        .unwrap_or(Severity::Info)
}

fn card_now(c: &Finding) -> bool {
    c.now || c.consequences.iter().any(|x| x.now)
}

fn all(d: &Diagnosis) -> Vec<&Finding> {
    d.findings
        .iter()
        .flat_map(|c| std::iter::once(c).chain(c.consequences.iter()))
        .collect()
}

// ----- the state the rules compare with -----

/// What the simulator says of the ensemble at the moment.
struct Now {
    t: u64,
    sids: Vec<Sid>,
    paused: Vec<Sid>,
    down: Vec<Sid>,
    looking: Vec<Sid>,
    leading: Vec<Sid>,
    leader: Option<Sid>,
}

fn now_of(sim: &Simulation) -> Now {
    let mut sids: Vec<Sid> = sim.scenario().sids().collect();
    sids.sort_unstable();
    let views: Vec<_> = sids.iter().filter_map(|&s| sim.server(s)).collect();
    Now {
        t: sim.now_ms(),
        paused: views
            .iter()
            .filter(|v| v.up && v.paused)
            .map(|v| v.sid)
            .collect(),
        down: views.iter().filter(|v| !v.up).map(|v| v.sid).collect(),
        looking: views
            .iter()
            .filter(|v| v.up && v.state == "LOOKING")
            .map(|v| v.sid)
            .collect(),
        leading: views
            .iter()
            .filter(|v| v.up && v.state == "LEADING")
            .map(|v| v.sid)
            .collect(),
        leader: sim.established_leader(),
        sids,
    }
}

#[path = "diagnosis_rules/rules.rs"]
mod rules;
use rules::check;

// ----- running every file -----

fn scenario_files() -> Vec<String> {
    let mut files = Vec::new();
    for dir in [
        "static/scenarios",
        "static/scenarios/museum",
        "static/scenarios/findings",
    ] {
        let mut f: Vec<String> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("{dir}: {e}"))
            .filter_map(|e| e.ok())
            .map(|e| format!("{dir}/{}", e.file_name().to_string_lossy()))
            .filter(|n| n.ends_with(".json") && !n.ends_with("/index.json"))
            .collect();
        f.sort();
        files.extend(f);
    }
    files
}

/// The leader established just before each action (for `"leader"`).
fn leaders_at_actions(s: &Scenario) -> Vec<Option<Sid>> {
    let mut sim = Simulation::new(s.clone()).expect("loads");
    let mut order: Vec<usize> = (0..s.actions.len()).collect();
    order.sort_by_key(|&i| (s.actions[i].at_ms, i));
    let mut out = vec![None; s.actions.len()];
    for i in order {
        sim.run_until(s.actions[i].at_ms.saturating_sub(1));
        out[i] = sim.established_leader();
    }
    out
}

fn first_card(d: &Diagnosis) -> String {
    match d.findings.first() {
        None => "(nothing to report)".to_string(),
        Some(f) => {
            let text: String = f.text.chars().take(110).collect();
            format!(
                "{} {} — {}",
                f.severity.name(),
                f.id,
                text.replace('|', "/")
            )
        }
    }
}

#[test]
fn no_diagnosis_breaks_a_rule() {
    let mut failures = Vec::new();
    let mut table = String::from("| file | moment | first card |\n|---|---|---|\n");
    let mut count = 0;
    for file in scenario_files() {
        let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{file}: {e}"));
        let s = Scenario::from_json(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
        let faults = faults(&s, &leaders_at_actions(&s));
        let mut sim = Simulation::new(s.clone()).expect("loads");
        let short = file.trim_start_matches("static/scenarios/");
        // Time 0 as the app shows a preset before it plays (nothing
        // handled yet), then each moment after its events.
        let mut at = vec![(None, "before the start".to_string())];
        at.extend(moments(&s, &faults).into_iter().map(|(t, l)| (Some(t), l)));
        for (t, label) in at {
            if let Some(t) = t {
                sim.run_until(t);
            }
            let d = sim.diagnose();
            let n = now_of(&sim);
            table.push_str(&format!(
                "| {short} | {label} ({} ms) | {} |\n",
                n.t,
                first_card(&d)
            ));
            count += 1;
            for b in check(&n, &d, &faults, t.is_none()) {
                failures.push((
                    b.rule,
                    format!("{short} at {} ms ({label}): [{}] {}", n.t, b.rule, b.detail),
                ));
            }
        }
    }
    println!("{table}\n{count} diagnoses checked");
    let mut by_rule: std::collections::BTreeMap<&str, usize> = Default::default();
    for (rule, _) in &failures {
        *by_rule.entry(rule).or_default() += 1;
    }
    let failures: Vec<String> = failures.into_iter().map(|f| f.1).collect();
    assert!(
        failures.is_empty(),
        "{} broken rules ({by_rule:?}):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

// ----- each rule, shown a diagnosis that breaks it -----

/// The GC-pause preset at `t`: its state, diagnosis and faults.
fn gc_pause_at(t: u64) -> (Now, Diagnosis, Vec<Fault>) {
    let text = std::fs::read_to_string("static/scenarios/gc-pause-leader.json").unwrap();
    let s = Scenario::from_json(&text).unwrap();
    let faults = faults(&s, &leaders_at_actions(&s));
    let mut sim = Simulation::new(s).unwrap();
    sim.run_until(t);
    (now_of(&sim), sim.diagnose(), faults)
}

/// The rules `check` reports for `d`, by name.
fn rules_broken(n: &Now, d: &Diagnosis, faults: &[Fault]) -> BTreeSet<&'static str> {
    check(n, d, faults, false)
        .into_iter()
        .map(|b| b.rule)
        .collect()
}

#[test]
fn the_gc_pause_diagnosis_keeps_every_rule_and_names_the_pause_first() {
    for t in [11_000, 25_000, 45_000, 60_000] {
        let (n, d, faults) = gc_pause_at(t);
        assert_eq!(
            rules_broken(&n, &d, &faults),
            BTreeSet::new(),
            "at {t} ms:\n{}",
            d.render()
        );
        let first = &d.findings[0];
        assert_eq!(
            (first.id, first.server),
            ("server_paused", Some(5)),
            "at {t} ms"
        );
        assert_eq!(
            d.findings
                .iter()
                .filter(|c| c.id == "server_paused")
                .count(),
            1
        );
        // One card for the pause: the followers' drops are under it.
        assert!(
            d.findings.iter().all(|c| c.id != "follower_dropped"),
            "{}",
            d.render()
        );
    }
    let (_, d, _) = gc_pause_at(25_000);
    let ids: Vec<&str> = d.findings[0].consequences.iter().map(|c| c.id).collect();
    for id in ["deposed_leader", "leader_change", "follower_dropped"] {
        assert!(ids.contains(&id), "{id} not under the pause: {ids:?}");
    }
}

/// Changes the GC-pause diagnosis at 25 s with `edit` and returns the
/// rules that broke.
fn broken_by(edit: impl Fn(&mut Diagnosis)) -> BTreeSet<&'static str> {
    let (n, mut d, faults) = gc_pause_at(25_000);
    edit(&mut d);
    rules_broken(&n, &d, &faults)
}

#[test]
fn each_rule_rejects_a_diagnosis_that_breaks_it() {
    let one = |r: &'static str| BTreeSet::from([r]);
    // 1. Nothing to report while the leader is paused.
    let (n, _, faults) = gc_pause_at(25_000);
    let empty = Diagnosis {
        at_ms: n.t,
        findings: Vec::new(),
    };
    assert!(rules_broken(&n, &empty, &faults).contains("quiet_only_when_healthy"));
    // 2. The paused leader said to answer.
    assert!(
        broken_by(|d| d.findings[0].text.push_str(" Server 5 answers reads."))
            .contains("silent_when_paused_or_down")
    );
    // 3. A follower named as the leader.
    assert_eq!(
        broken_by(|d| d.findings[0].consequences[0]
            .text
            .push_str(" Writes go to leader 3.")),
        one("leader_named_is_leading")
    );
    // 4. A consequence listed as a card of its own.
    assert!(broken_by(|d| {
        let c = d.findings[0].consequences.remove(0);
        d.findings.push(c);
    })
    .contains("consequence_under_its_cause"));
    // 5. The same cause twice.
    assert!(broken_by(|d| {
        let c = d.findings[0].clone();
        d.findings.push(c);
    })
    .contains("one_card_per_cause"));
    // 6. A server outside the ensemble.
    assert_eq!(
        broken_by(|d| d.findings[0].servers.push(9)),
        one("only_the_ensembles_servers")
    );
    // 7. A warning without advice, and a card whose advice names no setting.
    assert_eq!(
        broken_by(|d| d.findings[0].consequences[0].advice.clear()),
        one("advice_on_every_warning")
    );
    assert_eq!(
        broken_by(|d| d.findings[0].advice = vec!["Be careful.".to_string()]),
        one("advice_on_every_warning")
    );
    // 8. A finding from the future.
    assert_eq!(
        broken_by(|d| d.findings[0].consequences[1].at_ms = 26_000),
        one("nothing_from_the_future")
    );
    // 9. A past card ranked before one that holds now.
    assert!(broken_by(|d| {
        let mut past = d.findings[0].consequences[1].clone();
        assert!(!past.now);
        past.key = "past".into();
        past.cause = None;
        d.findings.insert(0, past);
    })
    .contains("ranked"));
    // 10. "No leader" while leader 4 leads.
    assert!(broken_by(|d| {
        let mut f = d.findings[0].clone();
        f.id = "no_quorum";
        f.key = "no_quorum".into();
        f.consequences.clear();
        f.severity = Severity::Info;
        d.findings.push(f);
    })
    .contains("leader_or_no_leader"));
    // 11. A running server said to be down.
    assert!(broken_by(|d| {
        let mut f = d.findings[0].clone();
        f.id = "server_down";
        f.key = "down:1".into();
        f.servers = vec![1];
        f.consequences.clear();
        f.severity = Severity::Info;
        d.findings.push(f);
    })
    .contains("down_or_paused"));
    // 12. The pause's card not first.
    assert!(broken_by(|d| {
        let mut f = d.findings[0].consequences.pop().unwrap();
        f.cause = None;
        f.now = true;
        f.severity = Severity::Critical;
        f.advice = vec!["syncLimit".into()];
        d.findings.insert(0, f);
    })
    .contains("first_card_names_the_fault"));
}

#[test]
fn reading_the_text() {
    assert_eq!(
        named_servers("Servers 1, 2 and 3 gave up on leader 5 (4 times"),
        [1, 2, 3, 5]
    );
    assert_eq!(
        named_servers("Every ACK from 1 reaches leader 2 500 ms late"),
        [2]
    );
    assert_eq!(
        subjects("Server 5 still leads epoch 1 and answers reads"),
        [5]
    );
    assert!(subjects("Every ACK (and every forwarded write) from 1 reaches leader 2").is_empty());
    assert!(claims_activity(
        "Server 5 still leads epoch 1 and answers reads, but it can reach only 5"
    ));
    assert!(!claims_activity("Server 5 is paused and answers nothing"));
    assert!(!claims_activity(
        "When it resumes it will serve its clients' reads"
    ));
    assert_eq!(
        current_leaders("Leader 5 (epoch 1) was lost; leader 4 leads, old leader 3 is down"),
        [4]
    );
    assert_eq!(
        current_leaders("it forwards writes to leader 2's queue"),
        [2]
    );
}

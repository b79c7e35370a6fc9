//! The rules of `docs/DIAGNOSIS.md` ("The rules"), one function per rule
//! under the same name, and `check`, which runs them all on one diagnosis.
//! Each reads only the cards as a person reads them and the simulator's
//! public state at that moment (`Now`), plus the faults the scenario
//! injected (`Fault`, read from its actions by the driver).

use super::*;

/// Rule 1: Quiet only when healthy.
fn quiet_only_when_healthy(n: &Now, d: &Diagnosis) -> Vec<Broken> {
    if !d.findings.is_empty() {
        return Vec::new();
    }
    let mut why = Vec::new();
    if !n.down.is_empty() {
        why.push(format!("servers {:?} are down", n.down));
    }
    if !n.paused.is_empty() {
        why.push(format!("servers {:?} are paused", n.paused));
    }
    if !n.looking.is_empty() {
        why.push(format!("servers {:?} are LOOKING", n.looking));
    }
    if n.leader.is_none() {
        why.push("no leader is established".to_string());
    }
    if why.is_empty() {
        return Vec::new();
    }
    vec![broken(
        "quiet_only_when_healthy",
        format!("nothing to report, yet {}", why.join(", ")),
    )]
}

/// Rule 2: A paused or down server is silent.
fn silent_when_paused_or_down(n: &Now, d: &Diagnosis) -> Vec<Broken> {
    let mut out = Vec::new();
    for f in all(d).into_iter().filter(|f| f.now) {
        for s in sentences(&f.text) {
            for subject in subjects(s) {
                let state = if n.paused.contains(&subject) {
                    "PAUSED"
                } else if n.down.contains(&subject) {
                    "DOWN"
                } else {
                    continue;
                };
                if claims_activity(s) {
                    out.push(broken(
                        "silent_when_paused_or_down",
                        format!("{}: server {subject} is {state}, yet: \"{s}\"", f.id),
                    ));
                }
            }
        }
    }
    out
}

/// Rule 3: The leader named is LEADING.
fn leader_named_is_leading(n: &Now, d: &Diagnosis) -> Vec<Broken> {
    let mut out = Vec::new();
    for f in all(d).into_iter().filter(|f| f.now) {
        for l in current_leaders(&f.text) {
            if !n.leading.contains(&l) {
                out.push(broken(
                    "leader_named_is_leading",
                    format!(
                        "{}: names leader {l}, which is not LEADING: {}",
                        f.id, f.text
                    ),
                ));
            }
        }
    }
    out
}

/// Rule 4: A consequence sits under its cause.
fn consequence_under_its_cause(_: &Now, d: &Diagnosis) -> Vec<Broken> {
    let mut out = Vec::new();
    for c in &d.findings {
        if let Some(k) = &c.cause {
            out.push(broken(
                "consequence_under_its_cause",
                format!(
                    "card {} ({}) is a consequence of {k}, listed on its own",
                    c.key, c.id
                ),
            ));
        }
        for x in &c.consequences {
            if x.cause.as_deref() != Some(c.key.as_str()) {
                out.push(broken(
                    "consequence_under_its_cause",
                    format!("{} under {} says its cause is {:?}", x.key, c.key, x.cause),
                ));
            }
            if !x.consequences.is_empty() {
                out.push(broken(
                    "consequence_under_its_cause",
                    format!("{} has consequences of its own: one level only", x.key),
                ));
            }
        }
    }
    out
}

/// Rule 5: One card per cause.
fn one_card_per_cause(_: &Now, d: &Diagnosis) -> Vec<Broken> {
    let mut out = Vec::new();
    let mut keys = BTreeSet::new();
    for f in all(d) {
        if f.key.is_empty() || !keys.insert(f.key.as_str()) {
            out.push(broken(
                "one_card_per_cause",
                format!("key {:?} ({}) is not unique", f.key, f.id),
            ));
        }
    }
    let mut faults = BTreeSet::new();
    for c in d.findings.iter().filter(|c| FAULT_KINDS.contains(&c.id)) {
        let mut servers = c.servers.clone();
        servers.sort_unstable();
        if !faults.insert((c.id, servers.clone(), c.at_ms)) {
            out.push(broken(
                "one_card_per_cause",
                format!(
                    "two {} cards for servers {servers:?} at {} ms",
                    c.id, c.at_ms
                ),
            ));
        }
    }
    out
}

/// Rule 6: Only the ensemble's servers.
fn only_the_ensembles_servers(n: &Now, d: &Diagnosis) -> Vec<Broken> {
    let mut out = Vec::new();
    for f in all(d) {
        let mut cited: Vec<Sid> = f.servers.clone();
        cited.extend(f.server);
        cited.extend(f.links.iter().flat_map(|l| [l.from, l.to]));
        for s in sentences(&f.text) {
            cited.extend(named_servers(s));
        }
        for x in cited {
            if !n.sids.contains(&x) {
                out.push(broken(
                    "only_the_ensembles_servers",
                    format!("{} cites server {x}, not in {:?}: {}", f.id, n.sids, f.text),
                ));
            }
        }
    }
    out
}

/// Rule 7: Advice on every warning.
fn advice_on_every_warning(_: &Now, d: &Diagnosis) -> Vec<Broken> {
    let mut out = Vec::new();
    for f in all(d) {
        if f.severity != Severity::Info && f.advice.iter().all(|a| a.trim().is_empty()) {
            out.push(broken(
                "advice_on_every_warning",
                format!("{} ({:?}) has no advice", f.key, f.severity),
            ));
        }
    }
    for c in d
        .findings
        .iter()
        .filter(|c| card_severity(c) != Severity::Info)
    {
        let text = c.advice.join(" ");
        if !ZK_NAMES.iter().any(|n| text.contains(n)) {
            out.push(broken(
                "advice_on_every_warning",
                format!(
                    "card {} names no ZooKeeper setting in its advice: {text:?}",
                    c.key
                ),
            ));
        }
    }
    out
}

/// Rule 8: Nothing from the future.
fn nothing_from_the_future(n: &Now, d: &Diagnosis) -> Vec<Broken> {
    let mut out = Vec::new();
    if d.at_ms != n.t {
        out.push(broken(
            "nothing_from_the_future",
            format!("diagnosis at {} ms, shown at {} ms", d.at_ms, n.t),
        ));
    }
    for f in all(d) {
        if f.at_ms > n.t {
            out.push(broken(
                "nothing_from_the_future",
                format!("{} begins at {} ms > {} ms", f.key, f.at_ms, n.t),
            ));
        }
        if !f.now && f.until_ms.is_some_and(|u| u > n.t) {
            out.push(broken(
                "nothing_from_the_future",
                format!(
                    "{} is past but ends at {:?} > {} ms",
                    f.key, f.until_ms, n.t
                ),
            ));
        }
    }
    out
}

/// Rule 9: Ranked: what holds now first, what happens before how the ensemble
/// is configured, the most severe first.
fn ranked(_: &Now, d: &Diagnosis) -> Vec<Broken> {
    let mut out = Vec::new();
    // Higher ranks first: what happens now; then a past fault (it still
    // explains what an operator asks about); then what is configured; then
    // any other past finding; within each, the more severe first.
    let rank = |c: &Finding| {
        let shape = SHAPE_KINDS.contains(&c.id);
        let group = match (card_now(c), shape, FAULT_KINDS.contains(&c.id)) {
            (true, false, _) => 3,
            (false, false, true) => 2,
            (_, true, _) => 1,
            _ => 0,
        };
        (group, severity_rank(card_severity(c)))
    };
    for w in d.findings.windows(2) {
        let (a, b) = (&w[0], &w[1]);
        if rank(b) > rank(a) {
            out.push(broken(
                "ranked",
                format!(
                    "{} {:?} is listed after {} {:?}",
                    b.key,
                    rank(b),
                    a.key,
                    rank(a)
                ),
            ));
        }
    }
    out
}

/// Rule 10: Leader or no leader, not both.
fn leader_or_no_leader(n: &Now, d: &Diagnosis) -> Vec<Broken> {
    let no_leader: Vec<&Finding> = all(d)
        .into_iter()
        .filter(|f| {
            f.now
                && (["no_quorum", "leader_not_established"].contains(&f.id)
                    || (f.id == "not_started" && f.servers.len() == n.sids.len()))
        })
        .collect();
    match (n.leader, no_leader.first()) {
        (Some(l), Some(f)) => vec![broken(
            "leader_or_no_leader",
            format!("{} while leader {l} is established: {}", f.id, f.text),
        )],
        (None, None) if !d.findings.is_empty() => vec![broken(
            "leader_or_no_leader",
            "no leader is established and no finding says so".to_string(),
        )],
        _ => Vec::new(),
    }
}

/// Rule 11: Down or paused, as they are.
fn down_or_paused(n: &Now, d: &Diagnosis) -> Vec<Broken> {
    let mut out = Vec::new();
    for f in all(d).into_iter().filter(|f| f.now) {
        let (is, not) = match f.id {
            "server_down" => (&n.down, &n.paused),
            "server_paused" => (&n.paused, &n.down),
            _ => continue,
        };
        if !f.servers.iter().any(|s| is.contains(s)) || f.servers.iter().any(|s| not.contains(s)) {
            out.push(broken(
                "down_or_paused",
                format!(
                    "{} now for {:?}: down {:?}, paused {:?}",
                    f.id, f.servers, n.down, n.paused
                ),
            ));
        }
    }
    out
}

/// Rule 12: The first card names the fault.
fn first_card_names_the_fault(
    n: &Now,
    d: &Diagnosis,
    faults: &[Fault],
    fresh: bool,
) -> Vec<Broken> {
    let first = d.findings.first();
    if fresh && n.down.len() == n.sids.len() {
        return match first {
            Some(f) if f.id == "not_started" => Vec::new(),
            _ => vec![broken(
                "first_card_names_the_fault",
                format!(
                    "before the start the first card is {:?}, not not_started",
                    first.map(|f| f.id)
                ),
            )],
        };
    }
    let on: Vec<&Fault> = faults.iter().filter(|f| f.on_at(n.t)).collect();
    let past: Vec<&Fault> = faults.iter().filter(|f| f.from <= n.t).collect();
    let expected = if on.is_empty() { past } else { on };
    if expected.is_empty() {
        return Vec::new();
    }
    let names = |c: &Finding, f: &Fault| {
        c.id == f.kind && c.at_ms == f.from && f.servers.iter().all(|s| c.servers.contains(s))
    };
    match first {
        Some(c) if expected.iter().any(|f| names(c, f)) => Vec::new(),
        _ => vec![broken(
            "first_card_names_the_fault",
            format!(
                "the first card is {:?}, not one of {:?}",
                first.map(|c| (c.id, c.servers.clone(), c.at_ms)),
                expected
                    .iter()
                    .map(|f| (f.kind, f.servers.clone(), f.from))
                    .collect::<Vec<_>>()
            ),
        )],
    }
}

/// Every rule on one diagnosis.
pub(super) fn check(n: &Now, d: &Diagnosis, faults: &[Fault], fresh: bool) -> Vec<Broken> {
    let mut out = Vec::new();
    for rule in [
        quiet_only_when_healthy,
        silent_when_paused_or_down,
        leader_named_is_leading,
        consequence_under_its_cause,
        one_card_per_cause,
        only_the_ensembles_servers,
        advice_on_every_warning,
        nothing_from_the_future,
        ranked,
        leader_or_no_leader,
        down_or_paused,
    ] {
        out.extend(rule(n, d));
    }
    out.extend(first_card_names_the_fault(n, d, faults, fresh));
    out
}

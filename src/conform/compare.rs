//! The comparison: one row per fact, the real ensemble's value beside the
//! simulator's, and a verdict.
//!
//! Contract:
//! - Categories, each keyed the same way on both sides: `leaders` (`leader
//!   e<N>`: who led epoch N), `no leader` (`no leader before e<N>`: time
//!   from what ended the previous leader to epoch N's establishment, equal
//!   within one tick plus [`JVM_ALLOWANCE_MS`]; the first election after
//!   the spawn is shown, never compared: it is mostly JVM start-up),
//!   `writes` and `reads` (`write <client> #k`, in each session's order:
//!   op, path, result, reply zxid), `syncs` (`sync s<L> e<N>`: mode and the
//!   leader's reason), `not serving` and `4lw` (each `4lw` action's answer,
//!   masked by `mask.rs`), `end` (each server's mode, zxid, znode count,
//!   digest mismatches) and `trees` (each server's own znodes: path, data,
//!   czxid, mzxid).
//! - A difference is a divergence unless the scenario declares the fact
//!   timing-dependent (`conform.either`, both values among `of`): then the
//!   row says `either`. One tie is built in, since every fresh ensemble
//!   has it ([`FIRST_EPOCH_SYNC_TIE`]): a learner's first-epoch sync that
//!   is a plain DIFF on one side and a SNAP on the other, and what it
//!   leaves: that learner's zxid `0x100000000` (the SNAP's) against `0x0`
//!   (the empty DIFF's) until something is committed after it, at the end
//!   and in a `srvr`/`stat` answer; and a later epoch's DIFF against SNAP
//!   that follows it ([`FOLLOWED_SYNC_TIE`]: the same leader on both
//!   sides, the learner or the leader tied, no write answered before it on
//!   either side), whose learner then carries the tie. Nothing else is
//!   loosened.
//! - A fact at or after an action the real ensemble could not do (a
//!   `Skipped` that affects later facts) is `skipped`, with that action
//!   named; facts before it are compared.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use zablab_core::Scenario;

use super::facts::{fmt_ms, Outcome, TreeNode};
use super::mask::mask;
use super::real::RealReport;
use super::simrun::SimReport;

/// What a JVM may add to a time without a leader beyond one tick
/// (thread scheduling, GC, a loaded machine), stated, never tuned per run.
pub const JVM_ALLOWANCE_MS: i64 = 1500;

/// Why a learner's sync in epoch 1 may be a plain DIFF or a SNAP on a
/// real ensemble, whatever the simulator says: ZooKeeper's code, not the
/// scenario, makes it timing-dependent.
pub const FIRST_EPOCH_SYNC_TIE: &str = "timing tie in every fresh ensemble: \
    Leader.lead() goes on once a quorum has acked NEWLEADER; a learner whose \
    LearnerHandler reaches syncFollower before Leader.startZkServer sets \
    lastProcessedZxid to the new epoch gets an empty DIFF, one that reaches it \
    after gets a SNAP (an empty committedLog, no txn log); the simulator's \
    startup takes no time";

/// Why a learner's end zxid may follow [`FIRST_EPOCH_SYNC_TIE`].
pub const FIRST_EPOCH_END_TIE: &str = "follows this learner's epoch-1 sync \
    tie: a SNAP leaves it at the leader's snapshot zxid 0x100000000, an empty \
    DIFF at 0x0, until a txn is committed";

/// Whether an end state (`zxid 0x…`) or a 4lw answer (`Zxid: 0x…`)
/// differs only by the zxid an epoch-1 sync tie leaves (see
/// [`FIRST_EPOCH_END_TIE`]).
fn first_epoch_zxid_tie(real: &str, sim: &str) -> bool {
    // Word by word, the SNAP's zxid read as the DIFF's (a whole word only:
    // `0x1000000001` is another zxid).
    fn at_zero(v: &str) -> Vec<&str> {
        v.split_whitespace()
            .map(|w| if w == "0x100000000" { "0x0" } else { w })
            .collect()
    }
    real != sim && at_zero(real) == at_zero(sim)
}

/// Why a later sync may follow [`FIRST_EPOCH_SYNC_TIE`].
pub const FOLLOWED_SYNC_TIE: &str = "follows an epoch-1 sync tie: its learner \
    or its leader was tied, so one side held 0x100000000 where the other held \
    0x0, and nothing had been committed since; the leader then finds the \
    learner out of its committedLog on one side (SNAP) and level with it on \
    the other (an empty DIFF)";

/// Whether `real` and `sim` are one plain `DIFF` (the leader found nothing
/// to send) and one `SNAP`.
fn diff_against_snap(real: &str, sim: &str) -> bool {
    let pair = [real, sim];
    pair.contains(&"DIFF") && pair.contains(&"SNAP")
}

/// Whether a side had a write answered with a zxid at or before `at_ms`
/// (something may have been committed: no tie carries over it).
fn wrote_by(o: &Outcome, at_ms: i64) -> bool {
    o.writes
        .iter()
        .any(|w| w.zxid.is_some() && w.at_ms as i64 <= at_ms)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Agree,
    Differ,
    /// Different, and declared timing-dependent by the scenario.
    Either,
    /// Depends on an action the real ensemble could not do.
    Skipped,
    /// Shown, not compared.
    Info,
}

impl Verdict {
    pub fn word(self) -> &'static str {
        match self {
            Verdict::Agree => "agree",
            Verdict::Differ => "DIFFER",
            Verdict::Either => "either",
            Verdict::Skipped => "skipped",
            Verdict::Info => "info",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub category: &'static str,
    pub fact: String,
    pub real: String,
    pub sim: String,
    pub verdict: Verdict,
    pub note: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    pub rows: Vec<Row>,
    pub divergences: Vec<String>,
}

struct Ctx<'a> {
    either: BTreeMap<&'a str, &'a [String]>,
    /// Scenario time from which facts are skipped, and why.
    skip_from: Option<(u64, String)>,
    tick: i64,
    rows: Vec<Row>,
    /// Servers whose zxid may differ by [`FIRST_EPOCH_SYNC_TIE`]: learners
    /// whose epoch-1 sync was that tie, or whose later sync followed one
    /// ([`FOLLOWED_SYNC_TIE`]).
    tied_in_e1: BTreeSet<u32>,
}

impl Ctx<'_> {
    /// A row at scenario time `at` (None: the end of the run), equal when
    /// the two values are.
    fn row(
        &mut self,
        category: &'static str,
        fact: String,
        real: String,
        sim: String,
        at: Option<i64>,
    ) {
        let same = real == sim;
        self.judge(category, fact, real, sim, at, same, "");
    }

    /// A row whose sameness the caller decided (`note` says how).
    #[allow(clippy::too_many_arguments)]
    fn judge(
        &mut self,
        category: &'static str,
        fact: String,
        real: String,
        sim: String,
        at: Option<i64>,
        same: bool,
        how: &str,
    ) {
        let (verdict, note) = if let Some(why) = self.skipped(at) {
            (Verdict::Skipped, why)
        } else if same {
            (Verdict::Agree, how.to_string())
        } else if self
            .either
            .get(fact.as_str())
            .is_some_and(|of| of.contains(&real) && of.contains(&sim))
        {
            (
                Verdict::Either,
                "declared timing-dependent (conform.either)".into(),
            )
        } else {
            (Verdict::Differ, String::new())
        };
        self.push(category, fact, (real, sim), verdict, note);
    }

    fn push(
        &mut self,
        category: &'static str,
        fact: String,
        (real, sim): (String, String),
        verdict: Verdict,
        note: String,
    ) {
        self.rows.push(Row {
            category,
            fact,
            real,
            sim,
            verdict,
            note,
        });
    }

    /// Facts at scenario time `at` or later are skipped: why, if so.
    fn skipped(&self, at: Option<i64>) -> Option<String> {
        self.skip_from
            .as_ref()
            .filter(|(t, _)| at.is_none_or(|a| a >= *t as i64))
            .map(|(_, why)| why.clone())
    }

    /// A row whose difference ZooKeeper's code makes timing-dependent in
    /// every scenario (`why`): `either`, unless skipped.
    fn tie(
        &mut self,
        category: &'static str,
        fact: String,
        (real, sim): (String, String),
        at: Option<i64>,
        why: &str,
    ) {
        let (verdict, note) = match self.skipped(at) {
            Some(skip) => (Verdict::Skipped, skip),
            None => (Verdict::Either, why.to_string()),
        };
        self.push(category, fact, (real, sim), verdict, note);
    }

    fn info(
        &mut self,
        category: &'static str,
        fact: String,
        real: String,
        sim: String,
        note: &str,
    ) {
        self.push(category, fact, (real, sim), Verdict::Info, note.to_string());
    }
}

fn dash(v: Option<String>) -> String {
    v.unwrap_or_else(|| "-".to_string())
}

pub fn compare(s: &Scenario, real: &RealReport, sim: &SimReport) -> Comparison {
    let either = s
        .conform
        .iter()
        .flat_map(|c| c.either.iter())
        .map(|e| (e.fact.as_str(), e.of.as_slice()))
        .collect();
    let skip_from = real
        .skipped
        .iter()
        .filter(|k| k.affects_later)
        .min_by_key(|k| k.at_ms)
        .map(|k| {
            (
                k.at_ms,
                format!(
                    "after actions[{}] {} at {} ms: {}",
                    k.action, k.kind, k.at_ms, k.why
                ),
            )
        });
    let mut c = Ctx {
        either,
        skip_from,
        tick: s.ensemble.tick_ms as i64,
        rows: Vec::new(),
        tied_in_e1: BTreeSet::new(),
    };
    let (r, m) = (&real.outcome, &sim.outcome);
    leaders(&mut c, r, m);
    gaps(&mut c, r, m);
    syncs(&mut c, r, m);
    writes(&mut c, r, m);
    reads(&mut c, r, m);
    fourlw(&mut c, r, m);
    ends(&mut c, r, m);
    trees(&mut c, r, m);
    let divergences = c
        .rows
        .iter()
        .filter(|r| r.verdict == Verdict::Differ)
        .map(|r| {
            format!(
                "{}: real {} / sim {}",
                r.fact,
                one_line(&r.real),
                one_line(&r.sim)
            )
        })
        .collect();
    Comparison {
        rows: c.rows,
        divergences,
    }
}

fn one_line(v: &str) -> String {
    let first = v.lines().next().unwrap_or("");
    if v.lines().count() > 1 {
        format!("{first} …")
    } else {
        first.to_string()
    }
}

fn leaders(c: &mut Ctx, r: &Outcome, m: &Outcome) {
    c.info(
        "leaders",
        "first leader after the spawn".into(),
        dash(r.first_leader_ms.map(|t| format!("{} s", fmt_ms(t)))),
        dash(m.first_leader_ms.map(|t| format!("{} s", fmt_ms(t)))),
        "includes JVM start-up on the real side: not compared",
    );
    let epochs: BTreeSet<u32> = r
        .leaders
        .iter()
        .chain(&m.leaders)
        .map(|l| l.epoch)
        .collect();
    for e in epochs {
        let who = |o: &Outcome| {
            let v: Vec<String> = o
                .leaders
                .iter()
                .filter(|l| l.epoch == e)
                .map(|l| format!("s{}", l.sid))
                .collect();
            if v.is_empty() {
                "-".to_string()
            } else {
                v.join(", ")
            }
        };
        let at = m.leaders.iter().find(|l| l.epoch == e).map(|l| l.at_ms);
        c.row("leaders", format!("leader e{e}"), who(r), who(m), at);
    }
}

fn gaps(c: &mut Ctx, r: &Outcome, m: &Outcome) {
    let by_epoch = |o: &Outcome| -> BTreeMap<u32, (i64, String, i64)> {
        o.gaps
            .iter()
            .map(|g| (o.leaders[g.next].epoch, (g.ms, g.why.clone(), g.lost_ms)))
            .collect()
    };
    let (rg, mg) = (by_epoch(r), by_epoch(m));
    let epochs: BTreeSet<u32> = rg.keys().chain(mg.keys()).copied().collect();
    for e in epochs {
        let show = |g: Option<&(i64, String, i64)>| {
            g.map_or("-".to_string(), |(ms, why, _)| format!("{ms} ms ({why})"))
        };
        let (a, b) = (rg.get(&e), mg.get(&e));
        let fact = format!("no leader before e{e}");
        let at = b.map(|g| g.2);
        let close =
            matches!((a, b), (Some(x), Some(y)) if (x.0 - y.0).abs() <= c.tick + JVM_ALLOWANCE_MS);
        let how = format!("within one tick ({} ms) + {JVM_ALLOWANCE_MS} ms", c.tick);
        c.judge("no leader", fact, show(a), show(b), at, close, &how);
    }
}

fn syncs(c: &mut Ctx, r: &Outcome, m: &Outcome) {
    // (learner, epoch) → (modes, when, leader)
    type Syncs = BTreeMap<(u32, Option<u32>), (Vec<String>, i64, u32)>;
    let by_key = |o: &Outcome| -> Syncs {
        let mut map: Syncs = BTreeMap::new();
        for y in &o.syncs {
            let v = if y.how.is_empty() {
                y.mode.clone()
            } else {
                format!("{} ({})", y.mode, y.how)
            };
            let e = map
                .entry((y.learner, y.epoch))
                .or_insert((Vec::new(), y.at_ms, y.leader));
            e.0.push(v);
        }
        map
    };
    let (rs, ms) = (by_key(r), by_key(m));
    let keys: BTreeSet<(u32, Option<u32>)> = rs.keys().chain(ms.keys()).copied().collect();
    let mut keys: Vec<_> = keys.into_iter().collect();
    keys.sort_by_key(|(l, e)| (e.unwrap_or(u32::MAX), *l));
    for (l, e) in keys {
        let show =
            |v: Option<&(Vec<String>, i64, u32)>| v.map_or("-".to_string(), |x| x.0.join(", "));
        let epoch = e.map_or("e?".to_string(), |e| format!("e{e}"));
        let at = ms.get(&(l, e)).map(|x| x.1);
        let (real, sim) = (show(rs.get(&(l, e))), show(ms.get(&(l, e))));
        let fact = format!("sync s{l} {epoch}");
        let follows = |c: &Ctx| {
            let (Some(x), Some(y)) = (rs.get(&(l, e)), ms.get(&(l, e))) else {
                return false;
            };
            let tied = |s: u32| c.tied_in_e1.contains(&s);
            x.2 == y.2 && (tied(l) || tied(y.2)) && !wrote_by(r, x.1) && !wrote_by(m, y.1)
        };
        if diff_against_snap(&real, &sim) && e == Some(1) {
            c.tied_in_e1.insert(l);
            c.tie("syncs", fact, (real, sim), at, FIRST_EPOCH_SYNC_TIE);
        } else if diff_against_snap(&real, &sim) && follows(c) {
            c.tied_in_e1.insert(l);
            c.tie("syncs", fact, (real, sim), at, FOLLOWED_SYNC_TIE);
        } else {
            c.row("syncs", fact, real, sim, at);
        }
    }
}

fn writes(c: &mut Ctx, r: &Outcome, m: &Outcome) {
    let per = |o: &Outcome| -> BTreeMap<String, Vec<(String, u64)>> {
        let mut map: BTreeMap<String, Vec<(String, u64)>> = BTreeMap::new();
        for w in &o.writes {
            let v = format!("{} {} {} {}", w.op, w.path, w.result, dash(w.zxid.clone()));
            map.entry(w.client.clone())
                .or_default()
                .push((v.trim().to_string(), w.at_ms));
        }
        map
    };
    pair_lists(c, "writes", "write", &per(r), &per(m));
}

fn reads(c: &mut Ctx, r: &Outcome, m: &Outcome) {
    let per = |o: &Outcome| -> BTreeMap<String, Vec<(String, u64)>> {
        let mut map: BTreeMap<String, Vec<(String, u64)>> = BTreeMap::new();
        for x in &o.reads {
            let data = x
                .data
                .as_deref()
                .map_or(String::new(), |d| format!(" data={d:?}"));
            let v = format!(
                "{} {} on s{} {}{data} zxid {}",
                x.op, x.path, x.server, x.result, x.zxid
            );
            map.entry(x.client.clone()).or_default().push((v, x.at_ms));
        }
        map
    };
    pair_lists(c, "reads", "read", &per(r), &per(m));
}

/// Per client, the k-th answer of one side beside the k-th of the other.
fn pair_lists(
    c: &mut Ctx,
    category: &'static str,
    word: &str,
    r: &BTreeMap<String, Vec<(String, u64)>>,
    m: &BTreeMap<String, Vec<(String, u64)>>,
) {
    let clients: BTreeSet<&String> = r.keys().chain(m.keys()).collect();
    for client in clients {
        let (a, b) = (r.get(client), m.get(client));
        let n = a.map_or(0, |v| v.len()).max(b.map_or(0, |v| v.len()));
        for k in 0..n {
            let x = a.and_then(|v| v.get(k));
            let y = b.and_then(|v| v.get(k));
            let at = y.map(|y| y.1 as i64);
            c.row(
                category,
                format!("{word} {client} #{}", k + 1),
                dash(x.map(|x| x.0.clone())),
                dash(y.map(|y| y.0.clone())),
                at,
            );
        }
    }
}

const NOT_SERVING: &str = "This ZooKeeper instance is not currently serving requests";

fn fourlw(c: &mut Ctx, r: &Outcome, m: &Outcome) {
    for y in &m.fourlw {
        let x = r.fourlw.iter().find(|x| x.action == y.action);
        let show = |o: Option<&String>, cmd: &str| match o {
            None => "(no answer)".to_string(),
            Some(text) if text.contains(NOT_SERVING) => text.trim_end().to_string(),
            Some(text) => mask(cmd, text),
        };
        let real = show(x.and_then(|x| x.output.as_ref()), &y.cmd);
        let sim = show(y.output.as_ref(), &y.cmd);
        let category = if real.contains(NOT_SERVING) || sim.contains(NOT_SERVING) {
            "not serving"
        } else {
            "4lw"
        };
        let server = x.map_or(y.server, |x| x.server);
        let fact = format!("4lw {} s{server} (actions[{}])", y.cmd, y.action);
        if c.tied_in_e1.contains(&server) && first_epoch_zxid_tie(&real, &sim) {
            c.tie(
                category,
                fact,
                (real, sim),
                Some(y.at_ms),
                FIRST_EPOCH_END_TIE,
            );
        } else {
            c.row(category, fact, real, sim, Some(y.at_ms));
        }
    }
}

fn ends(c: &mut Ctx, r: &Outcome, m: &Outcome) {
    let show = |o: &Outcome, sid: u32| {
        o.ends
            .iter()
            .find(|e| e.sid == sid)
            .map_or("-".to_string(), |e| {
                let mut v = e.mode.clone();
                if let Some(z) = &e.zxid {
                    v.push_str(&format!(" zxid {z}"));
                }
                if let Some(n) = e.znodes {
                    v.push_str(&format!(" znodes {n}"));
                }
                v
            })
    };
    let sids: BTreeSet<u32> = r.ends.iter().chain(&m.ends).map(|e| e.sid).collect();
    for &sid in &sids {
        let (real, sim, fact) = (show(r, sid), show(m, sid), format!("end s{sid}"));
        if c.tied_in_e1.contains(&sid) && first_epoch_zxid_tie(&real, &sim) {
            c.tie("end", fact, (real, sim), None, FIRST_EPOCH_END_TIE);
        } else {
            c.row("end", fact, real, sim, None);
        }
    }
    // The simulator keeps no tree digest (its mntr declares
    // digest_mismatches_count unmodelled): shown, never compared.
    for &sid in &sids {
        let real = r
            .ends
            .iter()
            .find(|e| e.sid == sid)
            .and_then(|e| e.digest_mismatches);
        if let Some(n) = real.filter(|&n| n > 0) {
            c.info(
                "end",
                format!("digest mismatches s{sid}"),
                n.to_string(),
                "-".to_string(),
                "zk_digest_mismatches_count; the simulator has no tree digest (MNTR_UNMODELLED): not compared",
            );
        }
    }
}

fn trees(c: &mut Ctx, r: &Outcome, m: &Outcome) {
    let sids: BTreeSet<u32> = r.trees.keys().chain(m.trees.keys()).copied().collect();
    for sid in sids {
        let (a, b) = (r.trees.get(&sid), m.trees.get(&sid));
        let show = |t: Option<&Vec<TreeNode>>| {
            t.map_or("(not read)".to_string(), |t| {
                t.iter()
                    .map(|n| format!("{} {:?} c{} m{}", n.path, n.data, n.czxid, n.mzxid))
                    .collect::<Vec<_>>()
                    .join("\n")
            })
        };
        let before = c.rows.len();
        c.row("trees", format!("tree s{sid}"), show(a), show(b), None);
        if let (Some(a), Some(b), Some(row)) = (a, b, c.rows.get_mut(before)) {
            row.note = tree_diff(a, b);
        }
    }
}

/// What differs between two trees, in words.
fn tree_diff(a: &[TreeNode], b: &[TreeNode]) -> String {
    let am: BTreeMap<&str, &TreeNode> = a.iter().map(|n| (n.path.as_str(), n)).collect();
    let bm: BTreeMap<&str, &TreeNode> = b.iter().map(|n| (n.path.as_str(), n)).collect();
    let mut notes = Vec::new();
    let only = |x: &BTreeMap<&str, &TreeNode>, y: &BTreeMap<&str, &TreeNode>| -> Vec<String> {
        x.iter()
            .filter(|(p, _)| !y.contains_key(*p))
            .map(|(p, n)| format!("{p} (czxid {})", n.czxid))
            .collect()
    };
    let (ra, sb) = (only(&am, &bm), only(&bm, &am));
    if !ra.is_empty() {
        notes.push(format!("only real: {}", ra.join(", ")));
    }
    if !sb.is_empty() {
        notes.push(format!("only sim: {}", sb.join(", ")));
    }
    for (p, x) in &am {
        if let Some(y) = bm.get(p) {
            if x != y {
                notes.push(format!(
                    "{p}: real {:?} c{} m{} / sim {:?} c{} m{}",
                    x.data, x.czxid, x.mzxid, y.data, y.czxid, y.mzxid
                ));
            }
        }
    }
    if notes.is_empty() {
        format!("{} znodes", a.len())
    } else {
        notes.join("; ")
    }
}

#[cfg(test)]
mod tests;

//! A scenario played on the real ensemble, in real time.
//!
//! Contract:
//! - Time 0 is the spawn of the first JVMs. Each action runs at its
//!   `at_ms` plus the run's shift. Before each action the driver waits
//!   (bounded by [`wait_bound_ms`]) until the real ensemble has come as
//!   far as the simulator had just before that action ([`Ready`]: the
//!   same epoch established, each server in broadcast as many times):
//!   JVMs start slowly, and a start or a fault done too early would test
//!   something else. Only the first action of a time waits. Every wait
//!   adds to the shift and is recorded ([`Wait`]).
//! - Faults by real mechanisms: crash = SIGKILL, restart = a new JVM on
//!   the same data directory, pause = SIGSTOP then SIGCONT `for_ms` of
//!   real time later (a wait meanwhile never lengthens it), partition /
//!   cut / heal = the run's firewall (`netns.rs`). A power loss is a
//!   SIGKILL recorded as skipped. `slow_link`, `slow_disk` and `drop`
//!   cannot be done here, `load` and `recipe` are
//!   not driven by conform, `expect` is a simulator check: each is
//!   recorded as skipped ([`Skipped`]) and the comparison leaves out what
//!   follows it.
//! - Clients are `zkclient.rs` threads; four-letter words go over TCP.
//! - At the end: `srvr` and `mntr` of every live server, each one's own
//!   tree read through a fresh session on it, then every process ended by
//!   its PID and every log parsed (`facts.rs`). Never touches the
//!   simulator.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde::Serialize;
use zablab_core::{ActionKind, Scenario, ServerRef};

use super::ensemble::{self, server_dir};
use super::facts::{self, EndState, Fault, FourLw, Outcome};
use super::netns::{ports_of, Firewall};
use super::procs::{stop_requested, Procs};
use super::tail::{serving, Tail};
use super::tree;
use super::zkclient::{Client, Spec, State};
use super::zkwire::{four_letter_word, Op};

/// How far the simulator had come just before an action: the highest
/// epoch a leader established, and how many times each server reached
/// the broadcast phase. The real ensemble is waited for until it has come
/// as far (never for a state it has already left).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Ready {
    pub epoch: u32,
    pub broadcasts: Vec<(u32, u32)>,
}

/// Per client name, per handle (in the order its connects made them), the
/// servers it attached to in order, each as (scenario time it attached,
/// time it left or `u64::MAX`, sid): the real client re-attaches where the
/// simulator's did (`zkclient.rs`).
pub type Attach = BTreeMap<String, Vec<Vec<(u64, u64, u32)>>>;

/// A wait before an action.
#[derive(Debug, Clone, Serialize)]
pub struct Wait {
    pub action: usize,
    pub at_ms: i64,
    pub waited_ms: i64,
    pub for_what: String,
    pub reached: bool,
}

/// An action the real ensemble could not or did not do.
#[derive(Debug, Clone, Serialize)]
pub struct Skipped {
    pub action: usize,
    /// Scenario time (the simulator's clock).
    pub at_ms: u64,
    pub kind: String,
    pub why: String,
    /// Whether facts after it depend on it (false for `expect`).
    pub affects_later: bool,
}

/// The real side's report.
#[derive(Debug, Clone, Serialize)]
pub struct RealReport {
    pub outcome: Outcome,
    pub shift_ms: i64,
    pub waits: Vec<Wait>,
    pub skipped: Vec<Skipped>,
    pub action_errors: Vec<String>,
    pub t0_unix_ms: i64,
}

/// How long a wait may last: ten seconds plus initLimit ticks.
pub fn wait_bound_ms(s: &Scenario) -> u64 {
    10_000 + s.ensemble.init_limit * s.ensemble.tick_ms
}

struct Driver<'a> {
    s: &'a Scenario,
    run_dir: PathBuf,
    t0: Instant,
    shift_ms: i64,
    /// The shift as the client threads read it (scenario time = elapsed
    /// minus shift).
    shift: Arc<AtomicI64>,
    procs: Procs,
    fw: Firewall,
    tail: Tail,
    clients: BTreeMap<String, Client>,
    client_index: Vec<String>,
    writes_made: BTreeMap<String, u64>,
    /// The simulator's attaches, each handle's taken by its connect.
    attach: Attach,
    out: Outcome,
    report_waits: Vec<Wait>,
    skipped: Vec<Skipped>,
    errors: Vec<String>,
    retired: Vec<Client>,
    /// Paused servers' SIGCONT times (real ms since time 0).
    resumes: Vec<(i64, u32)>,
}

/// Every client name the scenario uses, in order of first use (a client's
/// index is its firewall mark).
pub fn client_names(s: &Scenario) -> Vec<String> {
    let mut v: Vec<String> = Vec::new();
    for a in &s.actions {
        let name = match &a.kind {
            ActionKind::Connect { client, .. } => client.clone(),
            ActionKind::Write { client: None, .. } => zablab_core::scenario::BUILTIN_CLIENT.into(),
            _ => continue,
        };
        if !v.contains(&name) {
            v.push(name);
        }
    }
    v
}

/// Plays `s` on a real ensemble under `run_dir`; `ready[i]` is what the
/// simulator showed just before action `i`.
/// `attach`: where the simulator's clients attached ([`Attach`]).
pub fn run(
    s: &Scenario,
    run_dir: &Path,
    ready: &[Ready],
    attach: &Attach,
) -> Result<RealReport, String> {
    ensemble::prepare(run_dir, s)?;
    let sids = ensemble::sids(s);
    let names = client_names(s);
    let fw = Firewall::new(&sids, names.len())?;
    std::fs::write(run_dir.join("iptables-start.txt"), fw.rules()).ok();
    let tail = Tail::new(
        sids.iter()
            .map(|&sid| (sid, ensemble::log_path(run_dir, sid)))
            .collect(),
    );
    let t0_unix_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64);
    let mut d = Driver {
        s,
        run_dir: run_dir.to_path_buf(),
        t0: Instant::now(),
        shift_ms: 0,
        shift: Arc::new(AtomicI64::new(0)),
        procs: Procs::new(run_dir),
        fw,
        tail,
        clients: BTreeMap::new(),
        client_index: names,
        writes_made: BTreeMap::new(),
        attach: attach.clone(),
        out: Outcome {
            side: "real".into(),
            ..Outcome::default()
        },
        report_waits: Vec::new(),
        skipped: Vec::new(),
        errors: Vec::new(),
        retired: Vec::new(),
        resumes: Vec::new(),
    };
    let result = d.play(ready);
    let end = if result.is_ok() { d.end() } else { Ok(()) };
    d.procs.end_all();
    for (_, c) in std::mem::take(&mut d.clients) {
        d.retired.push(c);
    }
    for c in std::mem::take(&mut d.retired) {
        let (w, r, notes) = c.finish();
        d.out.writes.extend(w);
        d.out.reads.extend(r);
        d.out.notes.extend(notes);
    }
    result?;
    end?;
    d.out.writes.sort_by_key(|w| w.at_ms);
    d.out.reads.sort_by_key(|r| r.at_ms);
    let mut lines = Vec::new();
    for &sid in &sids {
        let text = std::fs::read_to_string(ensemble::log_path(run_dir, sid)).unwrap_or_default();
        lines.extend(facts::parse_log(&text, sid, t0_unix_ms));
    }
    lines.sort_by_key(|l| l.at_ms);
    facts::derive(&mut d.out, &lines);
    Ok(RealReport {
        outcome: d.out,
        shift_ms: d.shift_ms,
        waits: d.report_waits,
        skipped: d.skipped,
        action_errors: d.errors,
        t0_unix_ms,
    })
}

impl Driver<'_> {
    fn now_ms(&self) -> i64 {
        self.t0.elapsed().as_millis() as i64
    }

    /// Sleeps until real time `t` (ms from time 0), watching for a stop.
    fn sleep_until(&mut self, t: i64) -> Result<(), String> {
        loop {
            if stop_requested() {
                return Err("interrupted by a signal: every server was ended".into());
            }
            self.due_resumes();
            let left = t - self.now_ms();
            if left <= 0 {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(left.min(20) as u64));
        }
    }

    fn play(&mut self, ready: &[Ready]) -> Result<(), String> {
        let mut order: Vec<(u64, usize)> = self
            .s
            .actions
            .iter()
            .enumerate()
            .map(|(i, a)| (a.at_ms, i))
            .collect();
        order.sort();
        let mut waited_at = None;
        for (t, i) in order {
            self.sleep_until(t as i64 + self.shift_ms)?;
            // The simulator's state just before a time is the state
            // before all its actions: wait before the first.
            if waited_at != Some(t) {
                self.wait_ready(i, &ready[i])?;
                waited_at = Some(t);
            }
            if let Some((sid, for_ms)) = self.act(i)? {
                let at = self.now_ms() + for_ms as i64;
                self.resumes.push((at, sid));
            }
        }
        let last = self.resumes.iter().map(|r| r.0).max().unwrap_or(0);
        self.sleep_until((self.s.until_ms as i64 + self.shift_ms).max(last))
    }

    /// SIGCONT for every pause whose real time has come: a pause lasts
    /// its `for_ms` of real time, whatever the run waits meanwhile (a
    /// longer stall would be another fault: sessions expire on it).
    fn due_resumes(&mut self) {
        let now = self.now_ms();
        let due: Vec<u32> = self
            .resumes
            .iter()
            .filter(|r| r.0 <= now)
            .map(|r| r.1)
            .collect();
        self.resumes.retain(|r| r.0 > now);
        for sid in due {
            if self.procs.resume(sid).is_ok() {
                self.fault(sid, "resume");
            }
        }
    }

    fn fault(&mut self, sid: u32, kind: &str) {
        let at_ms = self.now_ms();
        self.out.faults.push(Fault {
            at_ms,
            sid,
            kind: kind.to_string(),
        });
    }

    fn alive(&mut self, sid: u32) -> bool {
        self.procs.pid(sid).is_some() && !self.procs.is_paused(sid)
    }

    /// What is missing for `r`, if anything.
    fn missing(&mut self, r: &Ready) -> Option<String> {
        self.tail.poll();
        if self.tail.epoch() < r.epoch {
            return Some(format!("a leader established in epoch {}", r.epoch));
        }
        for &(sid, n) in &r.broadcasts {
            if self.tail.broadcasts(sid) < n {
                return Some(format!("s{sid} in broadcast (time {n})"));
            }
        }
        None
    }

    fn wait_ready(&mut self, i: usize, r: &Ready) -> Result<(), String> {
        let Some(first) = self.missing(r) else {
            return Ok(());
        };
        let start = self.now_ms();
        let bound = wait_bound_ms(self.s) as i64;
        let mut what = first;
        let reached = loop {
            if stop_requested() {
                return Err("interrupted by a signal: every server was ended".into());
            }
            std::thread::sleep(Duration::from_millis(20));
            self.due_resumes();
            match self.missing(r) {
                None => break true,
                Some(m) => what = m,
            }
            if self.now_ms() - start >= bound {
                break false;
            }
        };
        let waited = self.now_ms() - start;
        self.shift_ms += waited;
        self.shift.store(self.shift_ms, Ordering::Relaxed);
        self.report_waits.push(Wait {
            action: i,
            at_ms: start,
            waited_ms: waited,
            for_what: what,
            reached,
        });
        Ok(())
    }

    /// The established leader as the simulator names it: the lowest sid
    /// alive, not paused, in `leading - broadcast`.
    fn leader(&mut self) -> Option<u32> {
        let sids = ensemble::sids(self.s);
        let mut sorted = sids.clone();
        sorted.sort();
        sorted
            .into_iter()
            .find(|&sid| self.tail.state(sid) == "leading - broadcast" && self.alive(sid))
    }

    fn resolve(&mut self, r: ServerRef) -> Result<u32, String> {
        match r {
            ServerRef::Sid(s) => Ok(s),
            ServerRef::Leader => {
                self.tail.poll();
                self.leader().ok_or_else(|| {
                    format!("there is no established leader at {} ms", self.now_ms())
                })
            }
        }
    }

    fn start(&mut self, sid: u32) -> Result<(), String> {
        let dir = server_dir(&self.run_dir, sid);
        let out = dir.join(format!("stdout-{}.txt", self.now_ms()));
        let spec = ensemble::spawn(&self.run_dir, self.s, sid, &dir, &out);
        self.tail.restarted(sid);
        self.procs.spawn(sid, &spec)?;
        Ok(())
    }

    /// A simultaneous start (action `i`): the scenario's servers all start
    /// at one instant; JVMs cannot, but they can meet at one. Their
    /// election ports stay refused (`Firewall::gate`) until every one of
    /// them listens on its own (bounded by [`wait_bound_ms`]), then open
    /// together: that moment is the action's time (the wait joins the
    /// shift). Until then each one's `lookForLeader` only meets refused
    /// connections, as with peers not started yet; from then on the first
    /// notification time-out (`notTimeout`, at most the newest JVM's few
    /// hundred ms) connects them all, and the highest (zxid, sid) wins as
    /// in the simulator's start at one instant (docs/CONFORM.md, "A
    /// simultaneous start").
    fn start_together(&mut self, i: usize, servers: &[u32]) -> Result<(), String> {
        self.fw.gate(servers)?;
        std::fs::write(self.run_dir.join("iptables-gate.txt"), self.fw.rules()).ok();
        let start = self.now_ms();
        let spawned = servers.iter().try_for_each(|&sid| self.start(sid));
        let bound = wait_bound_ms(self.s) as i64;
        let reached = loop {
            if spawned.is_err() || stop_requested() {
                break false;
            }
            self.tail.poll();
            self.due_resumes();
            if servers.iter().all(|&sid| self.tail.listening(sid)) {
                break true;
            }
            if self.now_ms() - start >= bound {
                break false;
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        self.fw.open_gate()?;
        spawned?;
        if stop_requested() {
            return Err("interrupted by a signal: every server was ended".into());
        }
        let waited = self.now_ms() - start;
        self.shift_ms += waited;
        self.shift.store(self.shift_ms, Ordering::Relaxed);
        self.report_waits.push(Wait {
            action: i,
            at_ms: start,
            waited_ms: waited,
            for_what: "every server of the simultaneous start listening on its election port (election ports refused until then)".into(),
            reached,
        });
        for &sid in servers {
            self.fault(sid, "start");
        }
        Ok(())
    }

    fn skip(&mut self, i: usize, why: &str, affects_later: bool) {
        let a = &self.s.actions[i];
        self.skipped.push(Skipped {
            action: i,
            at_ms: a.at_ms,
            kind: a.kind.name().to_string(),
            why: why.to_string(),
            affects_later,
        });
    }

    /// Does action `i`; a pause returns its server and length.
    fn act(&mut self, i: usize) -> Result<Option<(u32, u64)>, String> {
        let kind = self.s.actions[i].kind.clone();
        let r = self.act_kind(i, kind);
        match r {
            Ok(v) => Ok(v),
            Err(e) => {
                let at = self.now_ms();
                self.errors.push(format!("actions[{i}] at {at} ms: {e}"));
                Ok(None)
            }
        }
    }

    fn act_kind(&mut self, i: usize, kind: ActionKind) -> Result<Option<(u32, u64)>, String> {
        match kind {
            ActionKind::Start { servers } if servers.len() > 1 => self.start_together(i, &servers)?,
            ActionKind::Start { servers } => {
                for sid in servers {
                    self.start(sid)?;
                    self.fault(sid, "start");
                }
            }
            ActionKind::Restart { server } => {
                let sid = self.resolve(server)?;
                self.start(sid)?;
                self.fault(sid, "restart");
            }
            ActionKind::Crash { server, power_loss } => {
                let sid = self.resolve(server)?;
                self.procs.kill(sid)?;
                self.fault(sid, "crash");
                if power_loss {
                    self.skip(
                        i,
                        "power loss: played as kill -9 (the harness cannot cut a real disk's power; unsynced txns may survive)",
                        true,
                    );
                }
            }
            ActionKind::Pause { server, for_ms } => {
                let sid = self.resolve(server)?;
                self.procs.pause(sid)?;
                self.fault(sid, "pause");
                return Ok(Some((sid, for_ms)));
            }
            ActionKind::Partition { groups, clients } => {
                let sides: Vec<Vec<usize>> = clients
                    .iter()
                    .map(|side| {
                        side.iter()
                            .filter_map(|c| self.client_index.iter().position(|n| n == c))
                            .collect()
                    })
                    .collect();
                self.fw.partition(&groups, &sides)?;
            }
            ActionKind::Heal => self.fw.heal()?,
            ActionKind::Cut { from, to } => self.fw.cut(from, to)?,
            ActionKind::SlowLink { .. } => self.skip(
                i,
                "slow link: not supported here (this kernel has no sch_netem; conform does not shape links)",
                true,
            ),
            ActionKind::SlowDisk { .. } => self.skip(i, "slow disk: not supported on a real ensemble", true),
            ActionKind::Drop { .. } => self.skip(
                i,
                "dropping one chosen message: not supported on a real ensemble",
                true,
            ),
            ActionKind::Load { .. } => self.skip(i, "load: not driven by conform", true),
            ActionKind::Recipe { .. } => self.skip(i, "recipes: not driven by conform", true),
            ActionKind::Expect { .. } => {
                self.skip(i, "expect: a simulator liveness check, not an action", false)
            }
            ActionKind::FourLetterWord { server, cmd } => {
                let sid = self.resolve(server)?;
                self.four_letter_word(i, sid, &cmd);
            }
            ActionKind::Connect {
                client,
                server,
                session_timeout_ms,
            } => {
                let sid = self.resolve(server)?;
                self.connect(&client, sid, session_timeout_ms.unwrap_or(30_000))?;
            }
            other => self.request(other)?,
        }
        Ok(None)
    }

    fn four_letter_word(&mut self, i: usize, sid: u32, cmd: &str) {
        let at_ms = self.now_ms();
        let output = if self.alive(sid) {
            four_letter_word(ports_of(sid).client, cmd, Duration::from_secs(3))
        } else {
            None
        };
        let dir = server_dir(&self.run_dir, sid).join("4lw");
        let _ = std::fs::create_dir_all(&dir);
        if let Some(o) = &output {
            let _ = std::fs::write(dir.join(format!("{at_ms:07}-{cmd}.txt")), o);
        }
        self.out.fourlw.push(FourLw {
            action: i,
            server: sid,
            cmd: cmd.to_string(),
            at_ms,
            output,
        });
    }

    fn connect(&mut self, name: &str, sid: u32, timeout_ms: u64) -> Result<(), String> {
        if let Some(c) = self.clients.get(name) {
            if matches!(c.state(), Some(State::Connected | State::Connecting)) {
                return Err(format!("client {name} is already connected"));
            }
            let old = self.clients.remove(name).unwrap();
            self.retired.push(old);
        }
        let mut servers: Vec<(u32, u16)> = ensemble::sids(self.s)
            .into_iter()
            .map(|s| (s, ports_of(s).client))
            .collect();
        servers.sort();
        let index = self
            .client_index
            .iter()
            .position(|n| n == name)
            .unwrap_or(0);
        let handles = self.attach.get_mut(name);
        let attach = handles
            .filter(|h| !h.is_empty())
            .map(|h| h.remove(0))
            .unwrap_or_default();
        if !attach.is_empty() {
            let list: Vec<String> = attach
                .iter()
                .map(|(t, _, s)| format!("s{s} at {t} ms"))
                .collect();
            self.out.notes.push(format!(
                "{name}: re-attaches where the simulator's client attached: {}",
                list.join(", ")
            ));
        }
        let spec = Spec {
            name: name.to_string(),
            index,
            servers,
            first: sid,
            timeout_ms,
            attach,
            shift: self.shift.clone(),
        };
        self.clients
            .insert(name.to_string(), Client::start(spec, self.t0));
        Ok(())
    }

    fn client(&mut self, name: Option<String>) -> Result<String, String> {
        let name = match name {
            Some(n) => n,
            None => {
                let builtin = zablab_core::scenario::BUILTIN_CLIENT.to_string();
                if !self.clients.contains_key(&builtin) {
                    self.tail.poll();
                    let mut sids = ensemble::sids(self.s);
                    sids.sort();
                    let first = sids
                        .into_iter()
                        .find(|&s| serving(self.tail.state(s)) && self.alive(s))
                        .ok_or("no serving server for the built-in client")?;
                    self.connect(&builtin, first, 30_000)?;
                }
                builtin
            }
        };
        match self.clients.get(&name).and_then(|c| c.state()) {
            Some(State::Connected | State::Connecting) => Ok(name),
            Some(state) => Err(format!("client {name} is {state:?}")),
            None => Err(format!("client {name} is not connected")),
        }
    }

    fn request(&mut self, kind: ActionKind) -> Result<(), String> {
        match kind {
            ActionKind::Write {
                client,
                count,
                op,
                path,
                data,
                version,
            } => {
                let name = self.client(client)?;
                for _ in 0..count {
                    let n = self.writes_made.entry(name.clone()).or_insert(0);
                    *n += 1;
                    let n = *n;
                    let p = path.clone().unwrap_or_else(|| format!("/{name}-{n}"));
                    let d = data.clone().unwrap_or_else(|| format!("v{n}"));
                    let op = write_op(op.as_deref().unwrap_or("create"), p, d, version);
                    self.clients[&name].submit(op);
                }
            }
            ActionKind::Read {
                client,
                path,
                op,
                count,
                watch,
            } => {
                let name = self.client(Some(client))?;
                for _ in 0..count {
                    let path = path.clone();
                    let op = match op.as_deref() {
                        Some("exists") => Op::Exists { path, watch },
                        Some("children") => Op::GetChildren { path, watch },
                        _ => Op::GetData { path, watch },
                    };
                    self.clients[&name].submit(op);
                }
            }
            ActionKind::Sync { client, path } => {
                let name = self.client(Some(client))?;
                self.clients[&name].submit(Op::Sync { path });
            }
            ActionKind::Multi { client, ops } => {
                let name = self.client(Some(client))?;
                let ops = ops
                    .into_iter()
                    .map(|o| {
                        if o.op == "check" {
                            Op::Check {
                                path: o.path,
                                version: o.version.unwrap_or(-1),
                            }
                        } else {
                            write_op(&o.op, o.path, o.data.unwrap_or_default(), o.version)
                        }
                    })
                    .collect();
                self.clients[&name].submit(Op::Multi(ops));
            }
            ActionKind::Close { client } => {
                let name = self.client(Some(client))?;
                self.clients[&name].close();
            }
            other => return Err(format!("{} is not a request", other.name())),
        }
        Ok(())
    }

    /// The end of the run: each live server's `srvr` and `mntr` first
    /// (before any reading session adds a txn), then each one's tree.
    fn end(&mut self) -> Result<(), String> {
        self.tail.poll();
        let mut sids = ensemble::sids(self.s);
        sids.sort();
        for &sid in &sids {
            let state = if self.procs.pid(sid).is_none() {
                EndState::down(sid, "down")
            } else if self.procs.is_paused(sid) {
                EndState::down(sid, "paused")
            } else {
                let port = ports_of(sid).client;
                let wait = Duration::from_secs(3);
                let srvr = four_letter_word(port, "srvr", wait).unwrap_or_default();
                let mntr = four_letter_word(port, "mntr", wait).unwrap_or_default();
                let dir = server_dir(&self.run_dir, sid).join("4lw");
                let _ = std::fs::create_dir_all(&dir);
                let _ = std::fs::write(dir.join("end-srvr.txt"), &srvr);
                let _ = std::fs::write(dir.join("end-mntr.txt"), &mntr);
                EndState::from_4lw(sid, &srvr, &mntr)
            };
            self.out.ends.push(state);
        }
        for &sid in &sids {
            let readable = self
                .out
                .ends
                .iter()
                .any(|e| e.sid == sid && e.zxid.is_some());
            if !readable {
                continue;
            }
            match tree::read(ports_of(sid).client, Duration::from_secs(10)) {
                Ok(t) => {
                    self.out.trees.insert(sid, t);
                }
                Err(e) => self.out.notes.push(format!("s{sid}: tree not read: {e}")),
            }
        }
        Ok(())
    }
}

fn write_op(op: &str, path: String, data: String, version: Option<i32>) -> Op {
    let version = version.unwrap_or(-1);
    match op {
        "set" => Op::SetData {
            path,
            data,
            version,
        },
        "delete" => Op::Delete { path, version },
        other => Op::Create {
            path,
            data,
            flags: match other {
                "create_ephemeral" => 1,
                "create_sequential" => 2,
                "create_ephemeral_sequential" => 3,
                _ => 0,
            },
        },
    }
}

impl EndState {
    pub fn down(sid: u32, mode: &str) -> EndState {
        EndState {
            sid,
            mode: mode.to_string(),
            zxid: None,
            znodes: None,
            digest_mismatches: None,
        }
    }

    /// From a server's `srvr` and `mntr` answers.
    pub fn from_4lw(sid: u32, srvr: &str, mntr: &str) -> EndState {
        let field = |text: &str, key: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(key))
                .map(|v| v.trim().to_string())
        };
        if srvr.trim().is_empty() || srvr.contains("not currently serving") {
            return EndState::down(sid, "not serving");
        }
        EndState {
            sid,
            mode: field(srvr, "Mode:").unwrap_or_default(),
            zxid: field(srvr, "Zxid:"),
            znodes: field(mntr, "zk_znode_count").and_then(|v| v.parse().ok()),
            digest_mismatches: field(mntr, "zk_digest_mismatches_count")
                .and_then(|v| v.parse().ok()),
        }
    }
}

//! The txns of a replay: sessions (`LearnerSessionTracker` /
//! `LeaderSessionTracker`'s `Committing global session 0x…`; the owner is
//! the id's top byte, ZooKeeper's `SessionTrackerImpl.initializeNextSessionId`),
//! closes (`Submitting global closeSession request for session 0x…`), and
//! writes: each epoch's zxid counter as the servers logged it
//! (`New election … proposed zxid`, `Snapshotting: 0x…`, `Creating new log
//! file: log.…`, `Got zxid`, `Synchronizing with Learner … lastProcessedZxid
//! … peerLastZxid`, `Getting a diff from the leader 0x…`), less the
//! session txns the replay's own connects and closes make. A leader's
//! txns beyond what any other server of its epoch logged, when a later
//! epoch exists, were never committed ("unacked"): they are written
//! through a client of that leader once it is cut off.
//!
//! Contract: adds actions and inferences to the plan; never reorders the
//! evidence. Writes of a step are issued as early as the evidence allows
//! (after the previous zxid seen, and after any session opened in between
//! and any crash of a follower that came back without them), never after
//! their epoch's leader was lost.

use super::Plan;
use crate::import::episodes::{Episode, Fault};
use crate::import::events::hex_after;
use crate::import::evidence::{dur, Est, View};
use crate::scenario::{ActionKind, ServerRef};

/// A zxid a server had at a moment.
#[derive(Debug, Clone, Copy)]
struct Obs {
    at: u64,
    sid: u32,
    zxid: u64,
    pos: usize,
    /// What its disk held when it (re)joined, before any sync: its own
    /// `New election … proposed zxid`, or the `peerLastZxid` a leader
    /// read from it.
    held: bool,
}

fn observations(v: &View) -> Vec<Obs> {
    let mut out = Vec::new();
    for (p, l) in v.lines.iter().enumerate() {
        let t = &l.text;
        let mut push = |sid: u32, z: Option<u64>, held: bool| {
            if let Some(z) = z.filter(|z| z & 0xffff_ffff != 0) {
                out.push(Obs {
                    at: l.at,
                    sid,
                    zxid: z,
                    pos: p,
                    held,
                });
            }
        };
        if t.starts_with("New election.") {
            push(l.sid, hex_after(t, "proposed zxid="), true);
        } else if t.starts_with("Snapshotting:") {
            push(l.sid, hex_after(t, "Snapshotting:"), false);
        } else if t.starts_with("Creating new log file: log.") {
            push(l.sid, hex_after(t, "log."), false);
        } else if t.starts_with("Got zxid") {
            push(l.sid, hex_after(t, "Got zxid"), false);
        } else if t.starts_with("Synchronizing with Learner sid:") {
            push(l.sid, hex_after(t, "lastProcessedZxid="), false);
            let learner = crate::import::events::num_after(t, "Learner sid:").unwrap_or(0) as u32;
            push(learner, hex_after(t, "peerLastZxid="), true);
        } else if t.starts_with("Getting a diff from the leader") {
            push(l.sid, hex_after(t, "leader"), false);
        }
    }
    out
}

/// A client session of the replay.
struct Client {
    name: String,
    owner: u32,
    created: u64,
    closed: Option<u64>,
}

/// Session actions; returns the clients and the times of the txns they make.
fn sessions(v: &View, plan: &mut Plan) -> (Vec<Client>, Vec<u64>) {
    let mut clients: Vec<Client> = Vec::new();
    let mut ids: Vec<u64> = Vec::new();
    let mut txn_at = Vec::new();
    for (p, l) in v.lines.iter().enumerate() {
        if let Some(id) = hex_after(&l.text, "Committing global session") {
            if ids.contains(&id) {
                continue;
            }
            let owner = (id >> 56) as u32;
            if !v.sids.contains(&owner) && !v.settings.participants.contains(&owner) {
                continue;
            }
            ids.push(id);
            let name = format!("c{}", clients.len() + 1);
            let at = l.at.saturating_sub(30);
            let timeout = v.lines.iter().find_map(|x| {
                (hex_after(&x.text, "Expiring session") == Some(id))
                    .then(|| crate::import::events::num_after(&x.text, "timeout of "))
                    .flatten()
            });
            let inf = plan.infer(
                "session",
                format!(
                    "Client {name} opens session 0x{id:x} on server {owner} at {} (its creation committed at {}){}.",
                    dur(at),
                    dur(l.at),
                    timeout.map_or(String::new(), |t| format!(", timeout {t} ms (from its expiry)"))
                ),
                v,
                &[p],
            );
            plan.act(
                at,
                ActionKind::Connect {
                    client: name.clone(),
                    server: ServerRef::Sid(owner),
                    session_timeout_ms: timeout,
                },
                inf,
            );
            // Its txn: a follower's `Got zxid` for it may precede the
            // `Committing` line, so it counts from the connect.
            txn_at.push(at);
            clients.push(Client {
                name,
                owner,
                created: at,
                closed: None,
            });
        } else if let Some(id) = hex_after(
            &l.text,
            "Submitting global closeSession request for session",
        ) {
            let Some(k) = ids.iter().position(|&x| x == id) else {
                continue;
            };
            if clients[k].closed.is_some() {
                continue;
            }
            let name = clients[k].name.clone();
            let inf = plan.infer(
                "close",
                format!("Client {name} closes its session at {}.", dur(l.at)),
                v,
                &[p],
            );
            plan.act(l.at, ActionKind::Close { client: name }, inf);
            clients[k].closed = Some(l.at);
            txn_at.push(l.at + 5);
        }
    }
    (clients, txn_at)
}

/// When epoch `k`'s leader stopped leading (a fault of it, or the next
/// epoch's establishment).
fn epoch_end(est: &[Est], k: usize, eps: &[Episode]) -> u64 {
    let e = &est[k];
    let next = est.get(k + 1).map_or(u64::MAX, |n| n.at);
    let lost = eps
        .iter()
        .filter(|x| x.from > e.at && x.from < next)
        .filter(|x| match x.fault {
            Fault::Crash | Fault::Pause => x.sid == e.sid,
            Fault::Partition => x.groups.iter().skip(1).any(|g| g.contains(&e.sid)),
        })
        .map(|x| x.from)
        .min();
    lost.unwrap_or(next).min(next)
}

/// A client able to write at `at` (its server up and on the majority
/// side): the latest opened.
fn writer<'a>(
    clients: &'a [Client],
    at: u64,
    eps: &[Episode],
    only: Option<u32>,
) -> Option<&'a Client> {
    let blocked = |sid: u32| {
        eps.iter().any(|e| {
            e.from <= at
                && e.until.is_none_or(|u| u > at)
                && match e.fault {
                    Fault::Crash | Fault::Pause => e.sid == sid,
                    Fault::Partition => e.groups.iter().skip(1).any(|g| g.contains(&sid)),
                }
        })
    };
    clients
        .iter()
        .filter(|c| c.created < at && c.closed.is_none_or(|x| x > at))
        .filter(|c| match only {
            Some(s) => c.owner == s,
            None => !blocked(c.owner),
        })
        .max_by_key(|c| c.created)
}

/// What the write steps share: the clients and the session txns so far.
struct Txns {
    clients: Vec<Client>,
    session_txns: Vec<u64>,
}

/// One step of an epoch's counter: `n` txns between `prev_t` and the
/// observation `o`, of which the sessions opened then are some.
struct Step<'a> {
    e: &'a Est,
    o: &'a Obs,
    /// Every observation of the logs.
    obs: &'a [Obs],
    prev_t: u64,
    n: u64,
    end: u64,
}

/// Every session, close and write of the replay.
pub fn sessions_and_writes(v: &View, eps: &[Episode], plan: &mut Plan) {
    let (clients, session_txns) = sessions(v, plan);
    let mut tx = Txns {
        clients,
        session_txns,
    };
    let obs = observations(v);
    let est = v.established();
    for (k, e) in est.iter().enumerate() {
        let end = epoch_end(&est, k, eps);
        let mine: Vec<&Obs> = obs
            .iter()
            .filter(|o| (o.zxid >> 32) as u32 == e.epoch)
            .collect();
        let last_epoch = est.iter().all(|x| x.epoch <= e.epoch);
        let counter = |o: &&Obs| o.zxid & 0xffff_ffff;
        let others_max = mine
            .iter()
            .filter(|o| o.sid != e.sid)
            .map(counter)
            .max()
            .unwrap_or(0);
        let all_max = mine.iter().map(counter).max().unwrap_or(0);
        // Without a later epoch (or any other server's zxid of this one)
        // nothing tells committed txns from the leader's own.
        let committed = if last_epoch || others_max == 0 {
            all_max
        } else {
            others_max
        };
        // The counter as it was seen to grow.
        let (mut prev_t, mut prev_c) = (e.at, 0u64);
        for o in mine.iter().filter(|o| counter(o) <= committed) {
            let c = counter(o);
            if c <= prev_c {
                continue;
            }
            let step = Step {
                e,
                o,
                obs: &obs,
                prev_t,
                n: c - prev_c,
                end,
            };
            write_step(v, eps, plan, &mut tx, &step);
            prev_t = o.at;
            prev_c = c;
        }
        unacked(v, e, &mine, committed, end, eps, &tx.clients, plan);
    }
}

/// The writes of one step, issued as early as the evidence allows.
fn write_step(v: &View, eps: &[Episode], plan: &mut Plan, tx: &mut Txns, s: &Step) {
    let (e, o, prev_t, end) = (s.e, s.o, s.prev_t, s.end);
    let sess = tx
        .session_txns
        .iter()
        .filter(|&&t| t > prev_t && t <= o.at.max(prev_t + 1))
        .count() as u64;
    let writes = s.n.saturating_sub(sess);
    if writes == 0 {
        return;
    }
    // A follower that crashed in between and came back without these
    // txns on its disk missed them: they come after its crash. One that
    // came back with them had them before it.
    let had_them = |sid: u32, after: u64| {
        s.obs.iter().any(|b| {
            b.held
                && b.sid == sid
                && b.at > after
                && b.zxid >> 32 == o.zxid >> 32
                && b.zxid >= o.zxid
        })
    };
    let floor = eps
        .iter()
        .filter(|x| x.fault == Fault::Crash && x.from > prev_t && x.from < o.at && x.sid != e.sid)
        .filter(|x| !had_them(x.sid, x.from))
        .map(|x| x.from + 1)
        .chain(
            tx.session_txns
                .iter()
                .filter(|&&t| t > prev_t && t <= o.at)
                .map(|t| t + 1),
        )
        .max()
        .unwrap_or(prev_t + 1);
    let at = floor.min(end.saturating_sub(1)).min(o.at).max(prev_t + 1);
    let mut w = writer(&tx.clients, at, eps, None).map(|c| c.name.clone());
    let mut count = writes;
    if w.is_none() {
        // No session known yet: a client of the replay's own, on this
        // epoch's leader; its session is one of the txns.
        let name = format!("r{}", tx.clients.len() + 1);
        let inf = plan.infer(
            "session",
            format!("Client {name} (the replay's own: no session of the logs was open) opens a session on leader {} at {} to make the writes below; its session is one of their txns.", e.sid, dur(at)),
            v,
            &[o.pos],
        );
        let connect = ActionKind::Connect {
            client: name.clone(),
            server: ServerRef::Sid(e.sid),
            session_timeout_ms: None,
        };
        plan.act(at, connect, inf);
        tx.session_txns.push(at);
        count -= 1;
        tx.clients.push(Client {
            name: name.clone(),
            owner: e.sid,
            created: at,
            closed: None,
        });
        w = Some(name);
    }
    let inf = plan.infer(
        "writes",
        format!(
            "{} txn(s) of epoch {} between {} and {} (zxid 0x{:x} seen at {}), {} of them sessions: {count} write(s) by {} at {}.",
            s.n,
            e.epoch,
            dur(prev_t),
            dur(o.at),
            o.zxid,
            dur(o.at),
            s.n - writes,
            w.as_deref().unwrap_or("-"),
            dur(at)
        ),
        v,
        &[o.pos],
    );
    if count > 0 {
        let write = ActionKind::Write {
            client: w,
            count,
            op: None,
            path: None,
            data: None,
            version: None,
        };
        plan.act(at, write, inf);
    }
}

/// A leader's txns no other server of its epoch had: written through a
/// client of that leader once it is cut off.
#[allow(clippy::too_many_arguments)]
fn unacked(
    v: &View,
    e: &Est,
    mine: &[&Obs],
    committed: u64,
    end: u64,
    eps: &[Episode],
    clients: &[Client],
    plan: &mut Plan,
) {
    let Some(top) = mine
        .iter()
        .filter(|o| o.zxid & 0xffff_ffff > committed)
        .max_by_key(|o| o.zxid)
    else {
        return;
    };
    let extra = (top.zxid & 0xffff_ffff) - committed;
    let at = end + 1;
    match writer(clients, at, eps, Some(e.sid)) {
        Some(c) => {
            let inf = plan.infer(
                "unacked",
                format!(
                    "Leader {} logged {extra} txn(s) past 0x{:x} that no other server had (0x{:x} seen at {}): writes it took once cut off, never committed; {} writes them at {}.",
                    e.sid,
                    ((e.epoch as u64) << 32) | committed,
                    top.zxid,
                    dur(top.at),
                    c.name,
                    dur(at)
                ),
                v,
                &[top.pos],
            );
            plan.act(
                at,
                ActionKind::Write {
                    client: Some(c.name.clone()),
                    count: extra,
                    op: None,
                    path: None,
                    data: None,
                    version: None,
                },
                inf,
            );
        }
        None => {
            plan.infer(
                "not_replayed",
                format!("Leader {} logged {extra} txn(s) no quorum had, but no client of it is known: not replayed.", e.sid),
                v,
                &[top.pos],
            );
        }
    }
}

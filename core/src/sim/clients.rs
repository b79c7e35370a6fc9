//! Client sessions as ZooKeeper's Java client library (`ClientCnxn`) runs
//! them: connect and reconnect, requests and their answers, pings and the
//! read timeout, watches re-set after a reconnect, and the client-history
//! checks on every answer.
//!
//! Contract:
//! - Owns `Client`, `ClientState` and `PendingOp`: a session's queue (sent
//!   on connect, in cxid order), its in-flight requests, its last seen
//!   zxid and its watches.
//! - Requests go out through `client_send` (counted as messages; the
//!   transport and its partitions are `network.rs`). Answers come back as
//!   `Event::Client` and are handled by `client_event`; a `gen` from an
//!   older connection is dropped.
//! - Records the run's writes and reads (`WriteRecord`, `ReadRecord`) and
//!   checks ClientSessionOrder and ClientWriteLinearizability
//!   (`check_client_history`); expectations waiting for a write hear of it
//!   through `answered_write` (`expect.rs`), recipes through `recipe_*`.
//! - Draws from `self.rng` itself only in `client_lost` (the reconnect
//!   pause); every latency is drawn by the transport in `network.rs`.
//!   Never reads a server's state.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::Arc;

use super::{ClientEv, Event, ReadRecord, Simulation, WatchRecord, WriteRecord};
use crate::proto::{ClientId, ClientReply, ReadResult, RequestOp, Sid, WatchKind, WatchedEvent};
use crate::server::{ClientEvent, Input};
use crate::zxid::Zxid;

/// Where a client handle is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ClientState {
    Connecting,
    Connected,
    Closing,
    Closed,
    Expired,
}

/// A request a client has queued or sent and not had answered.
#[derive(Debug, Clone)]
pub(super) struct PendingOp {
    pub(super) cxid: u32,
    pub(super) op: RequestOp,
    pub(super) record: bool,
    /// The recipe that sent it, if any.
    pub(super) recipe: Option<usize>,
    /// A read right after a sync: the sync's `lin_floor`.
    pub(super) sync_floor: Option<Zxid>,
    /// Client-history checks: the highest zxid this session had seen, and
    /// the highest zxid of any write completed anywhere, when it was sent.
    pub(super) seen_at_invoke: Zxid,
    pub(super) lin_floor: Zxid,
}

/// One client handle (a `ZooKeeper` object of the Java client).
#[derive(Debug, Clone)]
pub(super) struct Client {
    pub(super) name: String,
    pub(super) id: ClientId,
    pub(super) server: Sid,
    pub(super) gen: u32,
    pub(super) session: u64,
    pub(super) timeout_ms: u64,
    pub(super) state: ClientState,
    pub(super) last_zxid: Zxid,
    pub(super) next_cxid: u32,
    pub(super) queue: VecDeque<PendingOp>,
    pub(super) in_flight: BTreeMap<u32, PendingOp>,
    pub(super) last_heard_ms: u64,
    pub(super) writes: u64,
    pub(super) load_until_ms: Option<u64>,
    pub(super) load_interval_us: u64,
    pub(super) load_created: bool,
    /// The load node's path and the data each setData writes, made once:
    /// every txn of a load shares them (`load.rs`).
    pub(super) load_payload: Option<(Arc<str>, Arc<str>)>,
    pub(super) load_done: u64,
    pub(super) read_until_ms: Option<u64>,
    pub(super) read_interval_us: u64,
    /// FIFO arrival times of the current TCP connection (to, from server).
    pub(super) up_arrival: u64,
    pub(super) down_arrival: u64,
    /// The watches this client has set (re-sent as SetWatches after a
    /// reconnect, as the client library does).
    pub(super) watches: BTreeSet<(WatchKind, Arc<str>)>,
    /// A sync completed: the next read's linearizability floor.
    pub(super) after_sync: Option<Zxid>,
    /// When the current ping/timeout tick is due (a tick at another time
    /// belongs to a replaced chain).
    pub(super) next_tick_ms: u64,
}

impl Simulation {
    pub(super) fn client_idx(&self, name: &str) -> Option<usize> {
        self.clients.iter().position(|c| c.name == name)
    }

    // ----- sessions and connections -----

    pub(super) fn client_connect_new(&mut self, name: &str, sid: Sid, timeout_ms: u64) {
        let c = match self.client_idx(name) {
            Some(c) => c,
            None => {
                let id = self.clients.len() as ClientId + 1;
                self.clients.push(Client {
                    name: name.to_string(),
                    id,
                    server: sid,
                    gen: 0,
                    session: 0,
                    timeout_ms,
                    state: ClientState::Connecting,
                    last_zxid: Zxid::ZERO,
                    next_cxid: 1,
                    queue: VecDeque::new(),
                    in_flight: BTreeMap::new(),
                    last_heard_ms: self.now_ms,
                    writes: 0,
                    load_until_ms: None,
                    load_interval_us: 0,
                    load_created: false,
                    load_payload: None,
                    load_done: 0,
                    read_until_ms: None,
                    read_interval_us: 0,
                    up_arrival: 0,
                    down_arrival: 0,
                    watches: BTreeSet::new(),
                    after_sync: None,
                    next_tick_ms: 0,
                });
                self.clients.len() - 1
            }
        };
        let cl = &mut self.clients[c];
        cl.session = 0;
        cl.timeout_ms = timeout_ms;
        cl.server = sid;
        self.client_dial(c);
    }

    /// Open a connection from client `c` to its current server.
    fn client_dial(&mut self, c: usize) {
        let now = self.now_ms;
        let cl = &mut self.clients[c];
        cl.gen += 1;
        cl.state = ClientState::Connecting;
        cl.last_heard_ms = now;
        let (id, sid, gen) = (cl.id, cl.server, cl.gen);
        let input = Input::ClientConnect {
            client: id,
            session: cl.session,
            timeout_ms: cl.timeout_ms,
            last_zxid_seen: cl.last_zxid,
        };
        self.client_send(id, gen, sid, input);
        let tick = (self.clients[c].timeout_ms / 3).max(1);
        self.clients[c].next_tick_ms = now + tick;
        self.schedule(
            now + tick,
            Event::Client {
                id,
                gen,
                ev: ClientEv::Tick,
            },
        );
    }

    fn client_send(&mut self, id: ClientId, gen: u32, sid: Sid, input: Input) {
        self.messages += 1;
        self.client_send_now(id, gen, sid, input);
    }

    /// The connection is gone: in-flight requests fail with
    /// ConnectionLoss; try the next server after a random pause.
    fn client_lost(&mut self, c: usize, _reason: String) {
        // A closed or expired handle is dead for good (ZooKeeper.close()
        // ends it whether or not closeSession got through); a late event
        // of its last connection must not bring it back.
        if matches!(
            self.clients[c].state,
            ClientState::Closed | ClientState::Expired
        ) {
            return;
        }
        let pending: Vec<PendingOp> = {
            let cl = &mut self.clients[c];
            let v: Vec<PendingOp> = std::mem::take(&mut cl.in_flight).into_values().collect();
            v
        };
        for p in pending {
            self.record_write(c, &p, None, "ConnectionLoss".to_string());
        }
        let delay = self.rng.below(1000) as u64;
        let cl = &mut self.clients[c];
        if cl.state == ClientState::Closing {
            cl.state = ClientState::Closed;
            cl.gen += 1;
            return;
        }
        cl.state = ClientState::Connecting;
        cl.gen += 1;
        let (id, gen) = (cl.id, cl.gen);
        self.schedule(
            self.now_ms + delay,
            Event::Client {
                id,
                gen,
                ev: ClientEv::Reconnect,
            },
        );
    }

    // ----- requests -----

    pub(super) fn client_submit(&mut self, c: usize, op: RequestOp, record: bool) {
        self.client_submit_tagged(c, op, record, None);
    }

    pub(super) fn client_submit_tagged(
        &mut self,
        c: usize,
        op: RequestOp,
        record: bool,
        recipe: Option<usize>,
    ) {
        let lin_floor = self.max_completed_write;
        let cl = &mut self.clients[c];
        let cxid = cl.next_cxid;
        cl.next_cxid += 1;
        let sync_floor = if op.is_read() {
            cl.after_sync.take()
        } else {
            None
        };
        cl.queue.push_back(PendingOp {
            cxid,
            op,
            record,
            recipe,
            sync_floor,
            seen_at_invoke: cl.last_zxid,
            lin_floor,
        });
        if cl.state == ClientState::Connected || cl.state == ClientState::Closing {
            self.client_flush(c);
        }
    }

    fn client_flush(&mut self, c: usize) {
        while let Some(p) = self.clients[c].queue.pop_front() {
            let cl = &mut self.clients[c];
            let (id, gen, sid) = (cl.id, cl.gen, cl.server);
            let input = Input::ClientRequest {
                client: id,
                cxid: p.cxid,
                op: p.op.clone(),
            };
            cl.in_flight.insert(p.cxid, p);
            self.client_send(id, gen, sid, input);
        }
    }

    // ----- answers -----

    /// A client's event: a load or recipe tick (whatever its connection),
    /// or an event of its current connection (an older `gen` is dropped).
    pub(super) fn client_event(&mut self, id: ClientId, gen: u32, ev: ClientEv) {
        let Some(c) = self.clients.iter().position(|c| c.id == id) else {
            return;
        };
        if ev == ClientEv::LoadTick {
            self.client_load_tick(c);
            return;
        }
        if ev == ClientEv::ReadTick {
            self.client_read_tick(c);
            return;
        }
        if let ClientEv::RecipeTimer(ri, timer) = ev {
            self.recipe_timer_fired(ri, timer);
            return;
        }
        if self.clients[c].gen != gen {
            return;
        }
        match ev {
            ClientEv::LoadTick | ClientEv::ReadTick | ClientEv::RecipeTimer(..) => {}
            ClientEv::Tick => self.client_tick(c),
            ClientEv::Reconnect => {
                let cl = &self.clients[c];
                if cl.state != ClientState::Connecting {
                    return;
                }
                let all: Vec<Sid> = self.nodes.iter().map(|n| n.sid).collect();
                let cur = all.iter().position(|s| *s == cl.server).unwrap_or(0);
                self.clients[c].server = all[(cur + 1) % all.len()];
                self.client_dial(c);
            }
            ClientEv::FromServer(sid, e) => {
                if self.clients[c].server != sid {
                    return;
                }
                self.clients[c].last_heard_ms = self.now_ms;
                match e {
                    ClientEvent::Connected {
                        session,
                        timeout_ms,
                        ..
                    } => self.client_connected(c, session, timeout_ms),
                    ClientEvent::Pong { .. } => {}
                    ClientEvent::Reply(r) => self.client_reply(c, r),
                    ClientEvent::Watch(w) => self.client_watch(c, sid, w),
                    ClientEvent::Closed { reason, .. } => self.client_closed(c, reason),
                }
            }
        }
    }

    /// The ping and read-timeout tick (every third of the session timeout):
    /// a connection silent for two thirds of it is lost.
    fn client_tick(&mut self, c: usize) {
        let now = self.now_ms;
        let cl = &self.clients[c];
        if cl.next_tick_ms != now {
            // A tick of the chain the negotiated timeout replaced.
            return;
        }
        if !matches!(
            cl.state,
            ClientState::Connected | ClientState::Connecting | ClientState::Closing
        ) {
            return;
        }
        let read_timeout = cl.timeout_ms * 2 / 3;
        if now.saturating_sub(cl.last_heard_ms) >= read_timeout {
            self.client_lost(c, "read timeout".to_string());
            return;
        }
        let (id, gen, sid, timeout) = (cl.id, cl.gen, cl.server, cl.timeout_ms);
        if cl.state != ClientState::Connecting {
            self.client_send(id, gen, sid, Input::ClientPing { client: id });
        }
        self.clients[c].next_tick_ms = now + (timeout / 3).max(1);
        self.schedule(
            now + (timeout / 3).max(1),
            Event::Client {
                id,
                gen,
                ev: ClientEv::Tick,
            },
        );
    }

    /// The session is (re)established: SetWatches, then what was queued.
    fn client_connected(&mut self, c: usize, session: u64, timeout_ms: u64) {
        let now = self.now_ms;
        let cl = &mut self.clients[c];
        let reattached = cl.session == session && session != 0;
        cl.session = session;
        if cl.timeout_ms != timeout_ms {
            // The server negotiated another timeout (clamped
            // to [2, 20] ticks): ping and time out by it.
            cl.timeout_ms = timeout_ms;
            let at = now + (timeout_ms / 3).max(1);
            cl.next_tick_ms = at;
            let (cid, cgen) = (cl.id, cl.gen);
            self.schedule(
                at,
                Event::Client {
                    id: cid,
                    gen: cgen,
                    ev: ClientEv::Tick,
                },
            );
        }
        let cl = &mut self.clients[c];
        if cl.state == ClientState::Connecting {
            cl.state = ClientState::Connected;
        }
        if reattached && !cl.watches.is_empty() {
            // The client library's SetWatches, before
            // anything else on the new connection.
            let pick = |k: WatchKind| -> Vec<Arc<str>> {
                cl.watches
                    .iter()
                    .filter(|(kind, _)| *kind == k)
                    .map(|(_, p)| p.clone())
                    .collect()
            };
            let input = Input::ClientSetWatches {
                client: cl.id,
                relative_zxid: cl.last_zxid,
                data: pick(WatchKind::Data),
                exist: pick(WatchKind::Exist),
                child: pick(WatchKind::Child),
            };
            let (cid, cgen, csid) = (cl.id, cl.gen, cl.server);
            self.client_send(cid, cgen, csid, input);
        }
        self.client_flush(c);
        if reattached {
            for ri in self.recipes_of(c) {
                self.recipe_reconnected(ri);
            }
        }
    }

    /// The answer to one of the client's requests.
    fn client_reply(&mut self, c: usize, r: ClientReply) {
        let Some(p) = self.clients[c].in_flight.remove(&r.cxid) else {
            return;
        };
        self.check_client_history(c, &p, &r);
        let cl = &mut self.clients[c];
        cl.last_zxid = cl.last_zxid.max(r.zxid);
        if let Some(kind) = watch_set_by(&p.op, &r) {
            cl.watches.insert((kind, Arc::from(p.op.path())));
        }
        if let Some(ri) = p.recipe {
            self.recipe_reply(ri, &p.op, &r);
        }
        if let Some(floor) = p.sync_floor {
            self.check_sync_read(c, floor, r.zxid, &p.op);
        }
        if let RequestOp::Sync { .. } = p.op {
            self.clients[c].after_sync = Some(p.lin_floor);
            if p.record {
                let read = ReadResult {
                    data: None,
                    version: -1,
                    children: Vec::new(),
                };
                self.record_read(c, &p, r.zxid, r.err, read);
            }
            return;
        }
        if let Some(read) = r.read {
            if p.record {
                self.record_read(c, &p, r.zxid, r.err, read);
            }
            return;
        }
        self.max_completed_write = self.max_completed_write.max(r.zxid);
        let closing = p.op == RequestOp::CloseSession;
        self.record_write_created(
            c,
            &p,
            Some(r.zxid),
            crate::txn::code::name(r.err).to_string(),
            &r.created,
        );
        if closing {
            self.clients[c].state = ClientState::Closed;
            self.clients[c].gen += 1;
            for ri in self.recipes_of(c) {
                self.recipe_end(ri, "the client closed its session".to_string());
            }
        }
    }

    /// A watch fired (one-shot: the client's watch on that path is gone).
    fn client_watch(&mut self, c: usize, sid: Sid, w: WatchedEvent) {
        let now = self.now_ms;
        let cl = &mut self.clients[c];
        // One-shot: whatever watch of this client fired is gone.
        cl.watches.retain(|(_, p)| *p != w.path);
        self.watch_events.push(WatchRecord {
            client: cl.name.clone(),
            server: sid,
            event: w.kind.name(),
            path: w.path.to_string(),
            zxid: w.zxid,
            at_ms: now,
        });
        for ri in self.recipes_of(c) {
            self.recipe_watch(ri, &w);
        }
    }

    /// The server closed the connection: the session expired (the handle
    /// is dead), or the connection is lost (reconnect elsewhere).
    fn client_closed(&mut self, c: usize, reason: String) {
        if reason == "session expired" {
            let pending: Vec<PendingOp> = {
                let cl = &mut self.clients[c];
                cl.state = ClientState::Expired;
                cl.gen += 1;
                let mut v: Vec<PendingOp> =
                    std::mem::take(&mut cl.in_flight).into_values().collect();
                v.extend(cl.queue.drain(..));
                v
            };
            for p in pending {
                self.record_write(c, &p, None, "SessionExpired".to_string());
            }
            for ri in self.recipes_of(c) {
                self.recipe_end(ri, "its session expired".to_string());
            }
        } else {
            self.client_lost(c, reason);
        }
    }

    // ----- records and history checks -----

    fn record_write(&mut self, c: usize, p: &PendingOp, zxid: Option<Zxid>, result: String) {
        self.record_write_created(c, p, zxid, result, &[]);
    }

    fn record_write_created(
        &mut self,
        c: usize,
        p: &PendingOp,
        zxid: Option<Zxid>,
        result: String,
        created: &[Arc<str>],
    ) {
        if zxid.is_none() {
            if let Some(ri) = p.recipe {
                self.recipe_lost(ri, &p.op);
            }
        }
        self.answered_write(c, p, zxid.is_some(), &result);
        let cl = &mut self.clients[c];
        if !p.record {
            if zxid.is_some() && p.recipe.is_none() {
                cl.load_done += 1;
            }
            return;
        }
        let (op, path) = match &p.op {
            RequestOp::Create { path, .. } => (
                "create",
                created
                    .first()
                    .map_or_else(|| path.to_string(), |c| c.to_string()),
            ),
            RequestOp::SetData { path, .. } => ("setData", path.to_string()),
            RequestOp::Delete { path, .. } => ("delete", path.to_string()),
            RequestOp::CloseSession => ("closeSession", String::new()),
            RequestOp::CreateSession { .. } => ("createSession", String::new()),
            RequestOp::Multi { ops } => (
                "multi",
                ops.iter().map(|o| o.path()).collect::<Vec<_>>().join(","),
            ),
            RequestOp::GetData { .. }
            | RequestOp::Exists { .. }
            | RequestOp::GetChildren { .. }
            | RequestOp::Check { .. }
            | RequestOp::Sync { .. } => {
                return;
            }
        };
        self.writes.push(WriteRecord {
            client: cl.name.clone(),
            op,
            path,
            zxid,
            result,
            at_ms: self.now_ms,
        });
    }

    /// ZooKeeper's client guarantees, checked on every answer (the
    /// client-history checker):
    /// - ClientSessionOrder: a session's answers come in the order it sent
    ///   the requests, and a read never returns state older than the
    ///   session had seen when it sent the read;
    /// - ClientWriteLinearizability: a write's zxid is above every write
    ///   that had completed before it was sent (real-time order).
    ///
    /// Reads are only sequentially consistent in ZooKeeper, so a read older
    /// than another session's completed write is not a violation (that is
    /// a stale read, which the diagnosis explains).
    fn check_client_history(&mut self, c: usize, p: &PendingOp, r: &ClientReply) {
        let name = self.clients[c].name.clone();
        let server = self.clients[c].server;
        if let Some(&earlier) = self.clients[c].in_flight.keys().next() {
            if earlier < p.cxid {
                self.checker.report(
                    "ClientSessionOrder",
                    self.now_ms,
                    self.events,
                    vec![server],
                    vec![r.zxid],
                    format!(
                        "{name}: the answer to request {} ({}) came before the answer to its earlier request {earlier}",
                        p.cxid,
                        p.op.name()
                    ),
                );
            }
        }
        if r.read.is_some() && r.zxid < p.seen_at_invoke {
            self.checker.report(
                "ClientSessionOrder",
                self.now_ms,
                self.events,
                vec![server],
                vec![r.zxid, p.seen_at_invoke],
                format!(
                    "{name}: {} read state as of {} after the session had seen {}",
                    p.op.name(),
                    r.zxid,
                    p.seen_at_invoke
                ),
            );
        }
        if r.read.is_none()
            && r.zxid <= p.lin_floor
            && !matches!(
                p.op,
                RequestOp::CreateSession { .. } | RequestOp::Sync { .. }
            )
        {
            self.checker.report(
                "ClientWriteLinearizability",
                self.now_ms,
                self.events,
                vec![server],
                vec![r.zxid, p.lin_floor],
                format!(
                    "{name}: {} got zxid {}, but {} had already completed before it was sent",
                    p.op.name(),
                    r.zxid,
                    p.lin_floor
                ),
            );
        }
    }

    fn record_read(&mut self, c: usize, p: &PendingOp, zxid: Zxid, err: i32, read: ReadResult) {
        let path = p.op.path().to_string();
        self.reads.push(ReadRecord {
            client: self.clients[c].name.clone(),
            server: self.clients[c].server,
            op: p.op.name(),
            path,
            zxid,
            result: crate::txn::code::name(err).to_string(),
            data: read.data.map(|d| d.to_string()),
            version: read.version,
            children: read.children.iter().map(|c| c.to_string()).collect(),
            at_ms: self.now_ms,
        });
    }
}

/// Which watch a read's answer left on its server (mirrors
/// `Server::answer_read`: exists always, getData/getChildren only on a
/// node that exists).
fn watch_set_by(op: &RequestOp, r: &ClientReply) -> Option<WatchKind> {
    let exists = r.read.as_ref().is_some_and(|x| x.data.is_some());
    match op {
        RequestOp::Exists { watch: true, .. } if exists => Some(WatchKind::Data),
        RequestOp::Exists { watch: true, .. } => Some(WatchKind::Exist),
        RequestOp::GetData { watch: true, .. } if exists => Some(WatchKind::Data),
        RequestOp::GetChildren { watch: true, .. } if exists => Some(WatchKind::Child),
        _ => None,
    }
}

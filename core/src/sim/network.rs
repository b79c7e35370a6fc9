//! The world between the servers: links, TCP connections, partitions and
//! the process faults (start, kill -9, GC pause, slow disk).
//!
//! Contract:
//! - Owns every delay a message or a disk write takes: `latency` (one
//!   draw of `self.rng` per call, raised to a slow link's latency) and
//!   `fsync_later` (one draw, raised to a slow disk's latency). The number
//!   and order of these draws is part of the trace: never add, drop or
//!   reorder one.
//! - The quorum port is TCP (ZooKeeper's `Learner.connectToLeader` and
//!   `LearnerHandler`): `connect` is the handshake, `transmit` keeps each
//!   direction FIFO, a cut holds data (`Conn::held`) and `release_held`
//!   sends it on in order when the cut heals, `reset_conn` is a lost
//!   segment (both ends see the connection close), `close_conn` is one
//!   end's FIN. `conn_input` applies these rules when an input arrives.
//! - The election port (`QuorumCnxManager`) is in `network/election.rs`:
//!   FIFO per pair, held at a cut and retransmitted after it heals.
//! - Client connections: `client_send_now` and `client_deliver` keep each
//!   direction FIFO; a partition that separates a client from a server
//!   holds its traffic (`ClientHeld`) until `heal`.
//! - Process faults: `start_node`, `crash_node` (a kill or a power loss:
//!   volatile state lost, sockets closed, peers and clients see it one
//!   latency later),
//!   `pause_node`/`resume_node` (a paused server handles nothing; what
//!   arrives waits in `Node::held` and goes first when it resumes).
//! - Never decides what a server does with an input (`crate::server`): it
//!   starts one (`Input::Start`), kills one (`Server::crash`) and asks
//!   whether one accepts learners (the handshake), nothing more.

use std::collections::VecDeque;

use super::{ClientEv, ClientState, Event, LogEntry, Simulation, StopRecord};
use crate::proto::{ClientId, Packet, Sid};
use crate::server::{ClientEvent, ConnId, Input, Level};

mod election;

pub(super) use election::HeldNotes;

/// A quorum-port connection: `a` dialed (the learner), `b` accepted.
#[derive(Debug, Clone)]
pub(super) struct Conn {
    pub(super) a: Sid,
    pub(super) b: Sid,
    pub(super) a_inc: u32,
    pub(super) b_inc: u32,
    pub(super) open: [bool; 2],
    pub(super) last_arrival: [u64; 2],
    /// Data held at a cut, per direction (0: a→b, 1: b→a); `None` = FIN.
    pub(super) held: [VecDeque<Option<Packet>>; 2],
}

/// Client traffic held at a partition: to a server, or from one.
#[derive(Debug, Clone)]
pub(super) enum ClientHeld {
    Up(ClientId, u32, Sid, Input),
    Down(ClientId, u32, Sid, ClientEvent),
}

/// Packets (not FINs) held at a cut on `c`, per direction.
fn held_packets(c: &Conn) -> [u64; 2] {
    [0, 1].map(|d| c.held[d].iter().filter(|p| p.is_some()).count() as u64)
}

impl Simulation {
    // ----- process faults -----

    pub(super) fn start_node(&mut self, i: usize) {
        let entropy = self.rng.next_u64();
        let n = &mut self.nodes[i];
        n.up = true;
        n.inc += 1;
        n.paused_until = None;
        n.held.clear();
        let sid = n.sid;
        self.deliver(sid, Input::Start { entropy });
    }

    /// `kill -9` of server `i`'s process, or with `power_loss` its
    /// machine losing power (`Server::crash`).
    pub(super) fn crash_node(&mut self, i: usize, power_loss: bool) {
        let n = &mut self.nodes[i];
        n.server.crash(power_loss);
        n.up = false;
        n.inc += 1;
        n.paused_until = None;
        n.held.clear();
        let sid = n.sid;
        self.stops.push(StopRecord {
            sid,
            at_ms: self.now_ms,
            power_loss,
        });
        self.push_log(LogEntry {
            at_ms: self.now_ms,
            sid,
            level: Level::Warn,
            class: "zablab",
            text: if power_loss {
                "power lost: the machine stops, what was not fsynced is lost, sockets closed"
            } else {
                "process killed (kill -9): volatile state lost, sockets closed"
            }
            .to_string(),
        });
        self.obs_crashed(sid);
        self.drop_election_held(sid);
        let conns: Vec<ConnId> = self
            .conns
            .iter()
            .filter(|(_, c)| c.a == sid || c.b == sid)
            .map(|(id, _)| id)
            .collect();
        for id in conns {
            self.close_conn(id, sid);
        }
        let clients: Vec<usize> = (0..self.clients.len())
            .filter(|&c| {
                self.clients[c].server == sid
                    && matches!(
                        self.clients[c].state,
                        ClientState::Connected | ClientState::Connecting | ClientState::Closing
                    )
            })
            .collect();
        for c in clients {
            let (id, gen) = (self.clients[c].id, self.clients[c].gen);
            let at = self.now_ms + self.latency(sid, sid);
            self.client_closed_at(at, id, gen, sid, "connection reset");
        }
    }

    /// A GC stall: the server handles nothing until `now + for_ms`.
    pub(super) fn pause_node(&mut self, i: usize, for_ms: u64) {
        let until = self.now_ms + for_ms;
        let (sid, inc) = (self.nodes[i].sid, self.nodes[i].inc);
        self.nodes[i].paused_until = Some(until);
        self.schedule(until, Event::Resume { sid, inc });
    }

    /// A paused server wakes up: what waited is handled first, in order.
    pub(super) fn resume_node(&mut self, sid: Sid, inc: u32) {
        let Ok(i) = self.idx(sid) else {
            return;
        };
        if self.nodes[i].inc != inc || self.nodes[i].paused_until.is_none() {
            return;
        }
        self.nodes[i].paused_until = None;
        self.trace.event(self.now_ms, 3, sid as u64);
        // What waited goes first, in order: ahead of anything else
        // due at this instant (FIFO links stay FIFO across a pause).
        let held: Vec<Event> = self.nodes[i].held.drain(..).collect();
        let now = self.now_ms;
        for e in held {
            self.schedule_in_class(now, 0, e);
        }
    }

    /// An fsync of the log up to `upto` completes after the disk's latency
    /// (a `slow_disk` raises it).
    pub(super) fn fsync_later(&mut self, i: usize, upto: usize) {
        let (sid, inc) = (self.nodes[i].sid, self.nodes[i].inc);
        let [lo, hi] = self.scenario.network.fsync_ms;
        let base = self.rng.in_range(lo, hi);
        let lat = self.nodes[i].fsync_ms.map_or(base, |f| f.max(base));
        self.schedule(
            self.now_ms + lat,
            Event::Server {
                sid,
                inc,
                input: Input::FsyncDone { upto },
            },
        );
    }

    // ----- partitions and cuts -----

    /// A `partition` action: nothing crosses between groups, servers or
    /// clients (a client in no group reaches every server).
    pub(super) fn partition(&mut self, groups: &[Vec<Sid>], clients: &[Vec<String>]) {
        self.cuts.clear();
        self.client_cuts.clear();
        for (g, names) in clients.iter().enumerate() {
            for name in names {
                for (h, b) in groups.iter().enumerate() {
                    if g != h {
                        for &y in b {
                            self.client_cuts.insert((name.clone(), y));
                        }
                    }
                }
            }
        }
        self.release_client_held();
        for (g, a) in groups.iter().enumerate() {
            for (h, b) in groups.iter().enumerate() {
                if g != h {
                    for &x in a {
                        for &y in b {
                            self.cuts.insert((x, y));
                        }
                    }
                }
            }
        }
        self.release_held();
        self.release_election_held();
    }

    pub(super) fn heal(&mut self) {
        self.cuts.clear();
        self.client_cuts.clear();
        self.release_client_held();
        self.release_held();
        self.release_election_held();
    }

    /// Data held at a cut that no longer exists goes on, in order.
    fn release_held(&mut self) {
        let ids: Vec<ConnId> = self.conns.keys().collect();
        for id in ids {
            for dir in 0..2 {
                let held: Vec<Option<Packet>> = match self.conns.get_mut(&id) {
                    Some(c) => {
                        let (from, to) = if dir == 0 { (c.a, c.b) } else { (c.b, c.a) };
                        if self.cuts.contains(&(from, to)) {
                            continue;
                        }
                        c.held[dir].drain(..).collect()
                    }
                    None => continue,
                };
                for item in held {
                    self.transmit(id, dir, item);
                }
            }
        }
    }

    fn latency(&mut self, from: Sid, to: Sid) -> u64 {
        let [lo, hi] = self.scenario.network.latency_ms;
        let base = self.rng.in_range(lo, hi);
        match self.link_latency.get(&(from, to)) {
            Some(&l) => l.max(base),
            None => base,
        }
    }

    fn cut(&self, from: Sid, to: Sid) -> bool {
        self.cuts.contains(&(from, to))
    }

    // ----- the quorum port (TCP) -----

    pub(super) fn connect(&mut self, from: Sid, from_inc: u32, to: Sid) {
        let now = self.now_ms;
        let Ok(j) = self.idx(to) else { return };
        let lat = self.latency(from, to);
        let back = self.latency(to, from);
        if self.cut(from, to) || self.cut(to, from) {
            let wait = self.scenario.ensemble.init_limit * self.scenario.ensemble.tick_ms;
            self.schedule(
                now + wait,
                Event::Server {
                    sid: from,
                    inc: from_inc,
                    input: Input::ConnectResult { to, conn: None },
                },
            );
            return;
        }
        let target = &self.nodes[j];
        // A paused leader's kernel still completes the handshake.
        if !target.up || !target.server.accepts_learners() {
            self.schedule(
                now + lat + back,
                Event::Server {
                    sid: from,
                    inc: from_inc,
                    input: Input::ConnectResult { to, conn: None },
                },
            );
            return;
        }
        let id = self.next_conn;
        self.next_conn += 1;
        let tinc = target.inc;
        self.conns.insert(
            id,
            Conn {
                a: from,
                b: to,
                a_inc: from_inc,
                b_inc: tinc,
                open: [true, true],
                last_arrival: [now + lat + back, now + lat],
                held: [VecDeque::new(), VecDeque::new()],
            },
        );
        self.schedule(
            now + lat,
            Event::Server {
                sid: to,
                inc: tinc,
                input: Input::Accepted { conn: id, from },
            },
        );
        self.schedule(
            now + lat + back,
            Event::Server {
                sid: from,
                inc: from_inc,
                input: Input::ConnectResult { to, conn: Some(id) },
            },
        );
    }

    /// A server sends a packet on one of its connections.
    pub(super) fn send_packet(&mut self, sid: Sid, conn: ConnId, packet: Packet) {
        self.messages += 1;
        let Some(c) = self.conns.get(&conn) else {
            return;
        };
        let dir = if c.a == sid { 0 } else { 1 };
        if !c.open[dir] {
            return;
        }
        let to = if dir == 0 { c.b } else { c.a };
        if self.drop_next.remove(&(sid, to)) {
            // TCP cannot lose one segment and go on: the lost
            // packet ends the connection (both ends see a reset).
            self.reset_conn(conn);
            return;
        }
        self.obs_sent(conn, dir);
        self.transmit(conn, dir, Some(packet));
    }

    /// Put data (or a FIN) on the wire in direction `dir`.
    fn transmit(&mut self, id: ConnId, dir: usize, item: Option<Packet>) {
        let Some(c) = self.conns.get(&id) else { return };
        let (from, to, to_inc) = if dir == 0 {
            (c.a, c.b, c.b_inc)
        } else {
            (c.b, c.a, c.a_inc)
        };
        if self.cut(from, to) {
            if let Some(c) = self.conns.get_mut(&id) {
                c.held[dir].push_back(item);
            }
            return;
        }
        let lat = self.latency(from, to);
        let Some(c) = self.conns.get_mut(&id) else {
            return;
        };
        let at = (self.now_ms + lat).max(c.last_arrival[dir]);
        c.last_arrival[dir] = at;
        let input = match item {
            Some(packet) => Input::Packet { conn: id, packet },
            None => Input::Closed { conn: id },
        };
        self.schedule(
            at,
            Event::Server {
                sid: to,
                inc: to_inc,
                input,
            },
        );
    }

    /// The connection breaks under both ends: each sees it closed.
    fn reset_conn(&mut self, id: ConnId) {
        let Some(c) = self.conns.get_mut(&id) else {
            return;
        };
        let held = held_packets(c);
        c.held[0].clear();
        c.held[1].clear();
        let ends = [(c.a, c.a_inc, c.open[0]), (c.b, c.b_inc, c.open[1])];
        c.open = [false, false];
        self.conns.remove(&id);
        self.obs_discarded(id, 0, held[0]);
        self.obs_discarded(id, 1, held[1]);
        let now = self.now_ms;
        for (sid, inc, open) in ends {
            if open {
                let lat = self.latency(sid, sid);
                self.schedule(
                    now + lat,
                    Event::Server {
                        sid,
                        inc,
                        input: Input::Closed { conn: id },
                    },
                );
            }
        }
    }

    /// `sid` closes its end: held data is gone, the peer sees a FIN.
    pub(super) fn close_conn(&mut self, id: ConnId, sid: Sid) {
        let Some(c) = self.conns.get_mut(&id) else {
            return;
        };
        let side = if c.a == sid { 0 } else { 1 };
        if !c.open[side] {
            return;
        }
        c.open[side] = false;
        let held = held_packets(c);
        c.held[0].clear();
        c.held[1].clear();
        let peer_open = c.open[1 - side];
        self.obs_discarded(id, 0, held[0]);
        self.obs_discarded(id, 1, held[1]);
        if peer_open {
            self.transmit(id, side, None);
        } else {
            self.conns.remove(&id);
        }
    }

    /// What of an arriving input a server may see: a handshake whose far
    /// end died (or reset) meanwhile ends in a refused connection, not in a
    /// socket nobody serves; data or a FIN on a connection this
    /// incarnation no longer has open is gone (`None`); a FIN closes the
    /// receiver's end.
    pub(super) fn conn_input(&mut self, sid: Sid, inc: u32, input: Input) -> Option<Input> {
        let input = match input {
            Input::ConnectResult { to, conn: Some(c) }
                if !self.conns.get(&c).is_some_and(|x| x.open[0] && x.open[1]) =>
            {
                self.conns.remove(&c);
                Input::ConnectResult { to, conn: None }
            }
            other => other,
        };
        match &input {
            Input::Packet { conn, .. } | Input::Closed { conn } => {
                let reset = matches!(input, Input::Closed { .. }) && !self.conns.contains_key(conn);
                let open = reset
                    || self.conns.get(conn).is_some_and(|c| {
                        (c.a == sid && c.open[0] && c.a_inc == inc)
                            || (c.b == sid && c.open[1] && c.b_inc == inc)
                    });
                if !open {
                    return None;
                }
                if let Input::Closed { conn } = &input {
                    let conn = *conn;
                    if let Some(c) = self.conns.get_mut(&conn) {
                        let side = if c.a == sid { 0 } else { 1 };
                        c.open[side] = false;
                        if !c.open[0] && !c.open[1] {
                            self.conns.remove(&conn);
                        }
                    }
                }
            }
            _ => {}
        }
        Some(input)
    }

    // ----- client connections -----

    /// A server's output for a client goes to it if it is still that
    /// client's server.
    pub(super) fn send_to_client(&mut self, sid: Sid, ev: ClientEvent) {
        self.messages += 1;
        let id = ev.client();
        let Some(c) = self.clients.iter().find(|c| c.id == id) else {
            return;
        };
        if c.server != sid {
            return;
        }
        let gen = c.gen;
        self.client_deliver(id, gen, sid, ev);
    }

    /// Whether a partition separates client `id` from server `sid`.
    fn client_cut(&self, id: ClientId, sid: Sid) -> bool {
        !self.client_cuts.is_empty()
            && self
                .clients
                .iter()
                .any(|c| c.id == id && self.client_cuts.contains(&(c.name.clone(), sid)))
    }

    /// Data a partition holds between clients and servers goes on, in
    /// order, once the cut is gone, if its connection still exists (as TCP
    /// retransmissions would deliver it); what a closed connection held is
    /// gone.
    fn release_client_held(&mut self) {
        let held = std::mem::take(&mut self.client_held);
        for h in held {
            let (id, gen, sid) = match &h {
                ClientHeld::Up(id, gen, sid, _) | ClientHeld::Down(id, gen, sid, _) => {
                    (*id, *gen, *sid)
                }
            };
            if self.client_cut(id, sid) {
                self.client_held.push(h);
                continue;
            }
            let current = self
                .clients
                .iter()
                .any(|c| c.id == id && c.gen == gen && c.server == sid);
            if !current {
                continue;
            }
            match h {
                ClientHeld::Up(_, _, _, input) => self.client_send_now(id, gen, sid, input),
                ClientHeld::Down(_, _, _, ev) => self.client_deliver(id, gen, sid, ev),
            }
        }
    }

    /// A server's event for a client, after one latency (FIFO).
    fn client_deliver(&mut self, id: ClientId, gen: u32, sid: Sid, ev: ClientEvent) {
        if self.client_cut(id, sid) {
            self.client_held.push(ClientHeld::Down(id, gen, sid, ev));
            return;
        }
        let lat = self.latency(sid, sid);
        let now = self.now_ms;
        let Some(c) = self.clients.iter_mut().find(|c| c.id == id) else {
            return;
        };
        let at = (now + lat).max(c.down_arrival);
        c.down_arrival = at;
        self.schedule(
            at,
            Event::Client {
                id,
                gen,
                ev: ClientEv::FromServer(sid, ev),
            },
        );
    }

    pub(super) fn client_send_now(&mut self, id: ClientId, gen: u32, sid: Sid, input: Input) {
        if self.client_cut(id, sid) {
            // A partition: the data waits at the cut (TCP retransmits).
            self.client_held.push(ClientHeld::Up(id, gen, sid, input));
            return;
        }
        let lat = self.latency(sid, sid);
        let mut now = self.now_ms;
        if let Some(c) = self.clients.iter_mut().find(|c| c.id == id) {
            // TCP: nothing overtakes on one connection.
            let at = (now + lat).max(c.up_arrival);
            c.up_arrival = at;
            now = at - lat;
        }
        match self.idx(sid) {
            Ok(j) if self.nodes[j].up => {
                let inc = self.nodes[j].inc;
                self.schedule(now + lat, Event::Server { sid, inc, input });
            }
            _ => self.client_closed_at(now + lat, id, gen, sid, "connection refused"),
        }
    }

    /// The client's connection to `sid` ends at `at_ms` for `reason`.
    fn client_closed_at(&mut self, at_ms: u64, id: ClientId, gen: u32, sid: Sid, reason: &str) {
        let ev = ClientEvent::Closed {
            client: id,
            reason: reason.to_string(),
        };
        self.schedule(
            at_ms,
            Event::Client {
                id,
                gen,
                ev: ClientEv::FromServer(sid, ev),
            },
        );
    }
}

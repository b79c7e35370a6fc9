//! One scenario client on the real ensemble: a ZooKeeper session driven by
//! a thread of its own, as the simulator's client (and Java's
//! `ClientCnxn`) runs it.
//!
//! Contract:
//! - Requests are queued by the driver ([`Client::submit`]) and sent as
//!   soon as the session is connected, without waiting for earlier
//!   answers (pipelined, in submission order).
//! - Every answer is recorded with its reply header's zxid and error code
//!   ([`WriteRec`], [`ReadRec`]); requests in flight when the connection
//!   is lost are recorded as `ConnectionLoss` (zxid none); a session the
//!   server refuses as expired fails what is queued with
//!   `SessionExpired`.
//! - Losing the connection (EOF, reset, or silence for two thirds of the
//!   session timeout) re-attaches the same session (id and password)
//!   elsewhere after a short pause. Where: the k-th attach goes to the
//!   server the simulator's client attached to the k-th time
//!   ([`Spec::attach`]), retried there (a server not serving yet closes
//!   the connection) for up to the session timeout; without one, or after
//!   that, the next server of the ensemble in order. Which server a
//!   client library picks is its own choice (Java's `ClientCnxn` shuffles
//!   the list and sleeps a random 0-1 s), not the ensemble's, so the real
//!   client makes the simulator's choice and the servers' facts (sessions
//!   and connections per server) compare. Pings every third of the
//!   timeout.
//! - The thread creates its sockets under the client's own fsuid, so the
//!   run's firewall can cut a client from servers (`netns.rs`). It never
//!   starts a process and never reads a server's files.

use std::collections::VecDeque;
use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::mpsc::{channel, Receiver, Sender, TryRecvError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde::Serialize;

use super::facts::{ReadRec, WriteRec};
use super::netns::{client_uid, set_thread_fsuid};
use super::zkwire::{
    code_name, connect_request, connect_response, ping, reply_body, take_frame, In, Op,
    XID_NOTIFICATION, XID_PING,
};

/// What the driver asks of a client thread.
enum Cmd {
    Submit(Op),
    Close,
    Stop,
}

/// Where the session is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum State {
    Connecting,
    Connected,
    Closed,
    Expired,
}

#[derive(Default)]
struct Shared {
    writes: Vec<WriteRec>,
    reads: Vec<ReadRec>,
    state: Option<State>,
    session: i64,
    server: u32,
    notes: Vec<String>,
}

/// How to reach the ensemble: `(sid, client port)` in the ensemble's
/// order, and where to connect first.
#[derive(Clone)]
pub struct Spec {
    pub name: String,
    pub index: usize,
    pub servers: Vec<(u32, u16)>,
    pub first: u32,
    pub timeout_ms: u64,
    /// The servers the simulator's client attached to, in order (its
    /// first connect included), each as (scenario time it attached, time
    /// it left or `u64::MAX`, sid); empty: `first`, then in order.
    pub attach: Vec<(u64, u64, u32)>,
    /// The run's shift (scenario time = time since `t0` minus it).
    pub shift: Arc<AtomicI64>,
}

/// The driver's handle on one client thread.
pub struct Client {
    tx: Sender<Cmd>,
    shared: Arc<Mutex<Shared>>,
    thread: Option<JoinHandle<()>>,
}

impl Client {
    /// Starts the thread, which connects at once. `t0` is the run's time 0.
    pub fn start(spec: Spec, t0: Instant) -> Client {
        let (tx, rx) = channel();
        let shared = Arc::new(Mutex::new(Shared::default()));
        let sh = shared.clone();
        let name = spec.name.clone();
        let thread = std::thread::Builder::new()
            .name(format!("client-{name}"))
            .spawn(move || {
                set_thread_fsuid(client_uid(spec.index));
                Session::new(spec, t0, sh, rx).run();
            })
            .expect("a client thread starts");
        Client {
            tx,
            shared,
            thread: Some(thread),
        }
    }

    pub fn submit(&self, op: Op) {
        let _ = self.tx.send(Cmd::Submit(op));
    }

    pub fn close(&self) {
        let _ = self.tx.send(Cmd::Close);
    }

    pub fn state(&self) -> Option<State> {
        self.shared.lock().unwrap().state
    }

    /// Stops the thread (the session is left to expire, like a process
    /// that ends without closing) and returns its records and notes.
    pub fn finish(mut self) -> (Vec<WriteRec>, Vec<ReadRec>, Vec<String>) {
        let _ = self.tx.send(Cmd::Stop);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        let mut s = self.shared.lock().unwrap();
        (
            std::mem::take(&mut s.writes),
            std::mem::take(&mut s.reads),
            std::mem::take(&mut s.notes),
        )
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.tx.send(Cmd::Stop);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

struct Pending {
    xid: i32,
    op: Op,
}

/// The thread's side.
struct Session {
    spec: Spec,
    t0: Instant,
    shared: Arc<Mutex<Shared>>,
    rx: Receiver<Cmd>,
    state: State,
    session: i64,
    passwd: Vec<u8>,
    timeout_ms: u64,
    last_zxid: i64,
    cur: usize,
    /// Successful attaches so far, and since when the current target
    /// (`spec.attach[attaches]`) has been tried.
    attaches: usize,
    target_since: Instant,
    next_xid: i32,
    queue: VecDeque<Op>,
    in_flight: VecDeque<Pending>,
    conn: Option<TcpStream>,
    buf: Vec<u8>,
    last_heard: Instant,
    last_sent: Instant,
}

/// The pause before trying the next server.
const RECONNECT_PAUSE: Duration = Duration::from_millis(300);

impl Session {
    fn new(spec: Spec, t0: Instant, shared: Arc<Mutex<Shared>>, rx: Receiver<Cmd>) -> Session {
        let first = spec.attach.first().map_or(spec.first, |a| a.2);
        let cur = spec
            .servers
            .iter()
            .position(|(s, _)| *s == first)
            .unwrap_or(0);
        let timeout_ms = spec.timeout_ms;
        Session {
            spec,
            t0,
            shared,
            rx,
            state: State::Connecting,
            session: 0,
            passwd: Vec::new(),
            timeout_ms,
            last_zxid: 0,
            cur,
            attaches: 0,
            target_since: Instant::now(),
            next_xid: 1,
            queue: VecDeque::new(),
            in_flight: VecDeque::new(),
            conn: None,
            buf: Vec::new(),
            last_heard: Instant::now(),
            last_sent: Instant::now(),
        }
    }

    fn now_ms(&self) -> u64 {
        self.t0.elapsed().as_millis() as u64
    }

    fn publish(&self) {
        let mut s = self.shared.lock().unwrap();
        s.state = Some(self.state);
        s.session = self.session;
        s.server = self.spec.servers[self.cur].0;
    }

    fn note(&self, text: String) {
        let at = self.now_ms();
        self.shared
            .lock()
            .unwrap()
            .notes
            .push(format!("{at} ms {}: {text}", self.spec.name));
    }

    fn run(mut self) {
        self.publish();
        loop {
            if super::procs::stop_requested() {
                return;
            }
            loop {
                match self.rx.try_recv() {
                    Ok(Cmd::Submit(op)) => self.queue.push_back(op),
                    Ok(Cmd::Close) => self.queue.push_back(Op::CloseSession),
                    Ok(Cmd::Stop) | Err(TryRecvError::Disconnected) => return,
                    Err(TryRecvError::Empty) => break,
                }
            }
            match self.state {
                State::Connecting => self.dial(),
                State::Connected => self.pump(),
                State::Closed | State::Expired => {
                    // A closed or expired handle answers nothing more.
                    for op in std::mem::take(&mut self.queue) {
                        self.record(&op, None, -112, None, None);
                    }
                    std::thread::sleep(Duration::from_millis(20));
                }
            }
        }
    }

    fn server_addr(&self) -> (u32, SocketAddr) {
        let (sid, port) = self.spec.servers[self.cur];
        (sid, SocketAddr::from(([127, 0, 0, 1], port)))
    }

    /// Connects (or re-attaches) to the current server; on failure moves
    /// on to the next one after a pause.
    fn dial(&mut self) {
        let (sid, addr) = self.server_addr();
        let handshake = Duration::from_millis((self.timeout_ms * 2 / 3).max(200));
        let attempt = (|| -> Result<(i32, i64, Vec<u8>), String> {
            let mut s = TcpStream::connect_timeout(&addr, Duration::from_millis(1000))
                .map_err(|e| e.to_string())?;
            s.set_nodelay(true).ok();
            s.set_read_timeout(Some(handshake)).ok();
            s.write_all(&connect_request(
                self.last_zxid,
                self.timeout_ms as i32,
                self.session,
                &self.passwd,
            ))
            .map_err(|e| e.to_string())?;
            let mut len = [0u8; 4];
            s.read_exact(&mut len).map_err(|e| e.to_string())?;
            let n = i32::from_be_bytes(len).max(0) as usize;
            let mut body = vec![0u8; n];
            s.read_exact(&mut body).map_err(|e| e.to_string())?;
            let r = connect_response(&body)?;
            s.set_read_timeout(Some(Duration::from_millis(20))).ok();
            self.conn = Some(s);
            Ok(r)
        })();
        match attempt {
            Ok((timeout, _, _)) if timeout <= 0 => {
                self.note(format!("s{sid} refused the session as expired"));
                self.conn = None;
                self.state = State::Expired;
                for op in std::mem::take(&mut self.queue) {
                    self.record(&op, None, -112, None, None);
                }
            }
            Ok((timeout, session, passwd)) => {
                if self.session != 0 && self.session != session {
                    self.note(format!("s{sid} gave a new session 0x{session:x}"));
                }
                self.session = session;
                self.passwd = passwd;
                self.timeout_ms = timeout as u64;
                self.state = State::Connected;
                self.attaches += 1;
                self.buf.clear();
                self.last_heard = Instant::now();
                self.last_sent = Instant::now();
                self.note(format!(
                    "connected to s{sid}, session 0x{session:x}, timeout {timeout} ms"
                ));
            }
            Err(e) => {
                self.note(format!("cannot connect to s{sid}: {e}"));
                self.conn = None;
                self.advance();
                std::thread::sleep(RECONNECT_PAUSE);
            }
        }
        self.publish();
    }

    /// The server to try next (see the contract): the simulator's next
    /// attach, skipping those its client had already left by this
    /// scenario time (an attach the simulator made in the last moments
    /// before its server stopped serving is not waited for); after the
    /// session timeout, or without one, the next server in order.
    fn advance(&mut self) {
        let due = self.target_since.elapsed() < Duration::from_millis(self.timeout_ms);
        let shift = self.spec.shift.load(Ordering::Relaxed).max(0) as u64;
        let now = (self.t0.elapsed().as_millis() as u64).saturating_sub(shift);
        let want = self
            .spec
            .attach
            .iter()
            .skip(self.attaches)
            .find(|a| a.1 > now)
            .filter(|_| due);
        self.cur = want
            .and_then(|w| self.spec.servers.iter().position(|(s, _)| *s == w.2))
            .unwrap_or((self.cur + 1) % self.spec.servers.len());
    }

    /// Sends what is queued, reads what came, pings, and notices a dead
    /// or silent connection.
    fn pump(&mut self) {
        while let Some(op) = self.queue.pop_front() {
            let xid = self.next_xid;
            self.next_xid += 1;
            let frame = op.request(xid);
            self.in_flight.push_back(Pending { xid, op });
            if self.send(&frame).is_err() {
                return self.lost("write failed");
            }
        }
        let third = Duration::from_millis((self.timeout_ms / 3).max(1));
        if self.last_sent.elapsed() >= third && self.send(&ping()).is_err() {
            return self.lost("write failed");
        }
        let mut chunk = [0u8; 65536];
        let read = self.conn.as_mut().map(|c| c.read(&mut chunk));
        match read {
            Some(Ok(0)) => return self.lost("the server closed the connection"),
            Some(Ok(n)) => {
                self.buf.extend_from_slice(&chunk[..n]);
                self.last_heard = Instant::now();
            }
            // EINTR is not a lost connection (a signal reached the tool).
            Some(Err(e))
                if matches!(
                    e.kind(),
                    ErrorKind::WouldBlock | ErrorKind::TimedOut | ErrorKind::Interrupted
                ) => {}
            Some(Err(e)) => return self.lost(&e.to_string()),
            None => return self.lost("no connection"),
        }
        while let Some(frame) = take_frame(&mut self.buf) {
            if let Err(e) = self.answer(&frame) {
                return self.lost(&format!("bad reply: {e}"));
            }
            if self.state != State::Connected {
                return;
            }
        }
        if self.last_heard.elapsed() >= Duration::from_millis(self.timeout_ms * 2 / 3) {
            self.lost("read timeout");
        }
    }

    fn send(&mut self, frame: &[u8]) -> std::io::Result<()> {
        self.last_sent = Instant::now();
        match self.conn.as_mut() {
            Some(c) => c.write_all(frame),
            None => Err(ErrorKind::NotConnected.into()),
        }
    }

    /// One reply frame: header, then the body for the op it answers.
    fn answer(&mut self, frame: &[u8]) -> Result<(), String> {
        let mut r = In::new(frame);
        let (xid, zxid, err) = (r.int()?, r.long()?, r.int()?);
        if xid == XID_PING || xid == XID_NOTIFICATION {
            return Ok(());
        }
        let Some(p) = self.in_flight.pop_front() else {
            return Err(format!("a reply to xid {xid} that was not sent"));
        };
        if p.xid != xid {
            return Err(format!("reply xid {xid}, expected {}", p.xid));
        }
        if zxid > 0 {
            self.last_zxid = self.last_zxid.max(zxid);
        }
        let body = if err == 0 {
            Some(reply_body(&p.op, &frame[frame.len() - r.remaining()..])?)
        } else {
            None
        };
        let created = body.as_ref().and_then(|b| b.path.clone());
        let data = body.as_ref().and_then(|b| b.data.clone());
        self.record(&p.op, Some(zxid), err, created, data);
        if p.op == Op::CloseSession {
            self.conn = None;
            self.state = State::Closed;
            self.publish();
        }
        Ok(())
    }

    /// The connection is gone: what was in flight failed with
    /// ConnectionLoss; re-attach elsewhere (or stop, when closing).
    fn lost(&mut self, why: &str) {
        let (sid, _) = self.server_addr();
        self.note(format!("lost s{sid}: {why}"));
        self.conn = None;
        for p in std::mem::take(&mut self.in_flight) {
            let closing = p.op == Op::CloseSession;
            self.record(&p.op, None, -4, None, None);
            if closing {
                self.state = State::Closed;
                self.publish();
                return;
            }
        }
        self.state = State::Connecting;
        self.target_since = Instant::now();
        self.advance();
        self.publish();
        std::thread::sleep(RECONNECT_PAUSE);
    }

    fn record(
        &self,
        op: &Op,
        zxid: Option<i64>,
        err: i32,
        created: Option<String>,
        data: Option<String>,
    ) {
        let at_ms = self.now_ms();
        let result = code_name(err);
        let client = self.spec.name.clone();
        let mut sh = self.shared.lock().unwrap();
        let (name, path) = match op {
            Op::Create { path, .. } => ("create", created.unwrap_or_else(|| path.clone())),
            Op::SetData { path, .. } => ("setData", path.clone()),
            Op::Delete { path, .. } => ("delete", path.clone()),
            Op::CloseSession => ("closeSession", String::new()),
            Op::Multi(ops) => (
                "multi",
                ops.iter().map(op_path).collect::<Vec<_>>().join(","),
            ),
            Op::GetData { path, .. }
            | Op::Exists { path, .. }
            | Op::GetChildren { path, .. }
            | Op::Sync { path } => {
                if zxid.is_none() {
                    // As the simulator: a read never answered is not a read.
                    return;
                }
                let name = match op {
                    Op::GetData { .. } => "getData",
                    Op::Exists { .. } => "exists",
                    Op::GetChildren { .. } => "getChildren",
                    _ => "sync",
                };
                sh.reads.push(ReadRec {
                    client,
                    server: self.spec.servers[self.cur].0,
                    op: name.to_string(),
                    path: path.clone(),
                    zxid: format!("0x{:x}", zxid.unwrap_or(0)),
                    result,
                    data,
                    at_ms,
                });
                return;
            }
            Op::Check { .. } => return,
        };
        sh.writes.push(WriteRec {
            client,
            op: name.to_string(),
            path,
            zxid: zxid.map(|z| format!("0x{z:x}")),
            result,
            at_ms,
        });
    }
}

fn op_path(op: &Op) -> String {
    match op {
        Op::Create { path, .. }
        | Op::Delete { path, .. }
        | Op::SetData { path, .. }
        | Op::Check { path, .. }
        | Op::GetData { path, .. }
        | Op::Exists { path, .. }
        | Op::GetChildren { path, .. }
        | Op::Sync { path } => path.clone(),
        Op::Multi(_) | Op::CloseSession => String::new(),
    }
}

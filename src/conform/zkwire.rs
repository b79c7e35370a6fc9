//! ZooKeeper's client wire format (jute), the part conform's client
//! speaks, and four-letter words over TCP.
//!
//! Why our own and not the `zookeeper-client` crate: conform must record
//! the zxid of every reply's header (a failed create's error txn has one;
//! a delete or a closeSession answers nothing else), send a batch of
//! requests without waiting for any answer (the stale-log scenario's two
//! creates on a leader about to lose its quorum), and re-attach a session
//! by id and password to a server it chooses, the way the scenario's
//! client rotates. That crate hides the reply header, owns reconnection,
//! and brings a tokio runtime; this file is about 300 lines of framing.
//!
//! Contract: pure encoding and decoding (`ConnectRequest`,
//! `RequestHeader` + the request records, `ReplyHeader` + the response
//! records, `Stat`, `MultiHeader`), as `zookeeper.jute` defines them
//! (3.8.0), plus [`four_letter_word`]. No state, no threads.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// `ZooDefs.OpCode` values conform sends.
pub mod op {
    pub const CREATE: i32 = 1;
    pub const DELETE: i32 = 2;
    pub const EXISTS: i32 = 3;
    pub const GET_DATA: i32 = 4;
    pub const SET_DATA: i32 = 5;
    pub const GET_CHILDREN: i32 = 8;
    pub const SYNC: i32 = 9;
    pub const PING: i32 = 11;
    pub const CHECK: i32 = 13;
    pub const MULTI: i32 = 14;
    pub const CLOSE_SESSION: i32 = -11;
    pub const ERROR: i32 = -1;
}

/// Special xids (`ClientCnxn`).
pub const XID_NOTIFICATION: i32 = -1;
pub const XID_PING: i32 = -2;

/// `KeeperException.Code` names, as the simulator's records print them.
pub fn code_name(err: i32) -> String {
    match err {
        0 => "OK",
        -2 => "RuntimeInconsistency",
        -4 => "ConnectionLoss",
        -101 => "NoNode",
        -102 => "NoAuth",
        -103 => "BadVersion",
        -108 => "NoChildrenForEphemerals",
        -110 => "NodeExists",
        -111 => "NotEmpty",
        -112 => "SessionExpired",
        -118 => "SessionMoved",
        _ => return format!("Error({err})"),
    }
    .to_string()
}

/// A jute record being written.
#[derive(Default)]
pub struct Out(pub Vec<u8>);

impl Out {
    pub fn int(&mut self, v: i32) -> &mut Self {
        self.0.extend_from_slice(&v.to_be_bytes());
        self
    }
    pub fn long(&mut self, v: i64) -> &mut Self {
        self.0.extend_from_slice(&v.to_be_bytes());
        self
    }
    pub fn boolean(&mut self, v: bool) -> &mut Self {
        self.0.push(v as u8);
        self
    }
    pub fn buffer(&mut self, v: &[u8]) -> &mut Self {
        self.int(v.len() as i32);
        self.0.extend_from_slice(v);
        self
    }
    pub fn string(&mut self, v: &str) -> &mut Self {
        self.buffer(v.as_bytes())
    }
    /// `ZooDefs.Ids.OPEN_ACL_UNSAFE`: one ACL, all permissions, world:anyone.
    pub fn open_acl(&mut self) -> &mut Self {
        self.int(1).int(31).string("world").string("anyone")
    }
    /// The frame: a 4-byte length, then the record.
    pub fn framed(&self) -> Vec<u8> {
        let mut f = (self.0.len() as i32).to_be_bytes().to_vec();
        f.extend_from_slice(&self.0);
        f
    }
}

/// A jute record being read.
pub struct In<'a> {
    buf: &'a [u8],
    at: usize,
}

impl<'a> In<'a> {
    pub fn new(buf: &'a [u8]) -> In<'a> {
        In { buf, at: 0 }
    }
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        if self.at + n > self.buf.len() {
            return Err(format!(
                "short record: {} bytes, need {}",
                self.buf.len(),
                self.at + n
            ));
        }
        let s = &self.buf[self.at..self.at + n];
        self.at += n;
        Ok(s)
    }
    pub fn int(&mut self) -> Result<i32, String> {
        Ok(i32::from_be_bytes(self.take(4)?.try_into().unwrap()))
    }
    pub fn long(&mut self) -> Result<i64, String> {
        Ok(i64::from_be_bytes(self.take(8)?.try_into().unwrap()))
    }
    pub fn boolean(&mut self) -> Result<bool, String> {
        Ok(self.take(1)?[0] != 0)
    }
    /// A buffer; `None` for jute's null (length -1).
    pub fn buffer(&mut self) -> Result<Option<Vec<u8>>, String> {
        let n = self.int()?;
        if n < 0 {
            return Ok(None);
        }
        Ok(Some(self.take(n as usize)?.to_vec()))
    }
    pub fn string(&mut self) -> Result<String, String> {
        Ok(String::from_utf8_lossy(&self.buffer()?.unwrap_or_default()).into_owned())
    }
    pub fn remaining(&self) -> usize {
        self.buf.len() - self.at
    }
}

/// `Stat`: the fields conform compares and shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stat {
    pub czxid: i64,
    pub mzxid: i64,
    pub version: i32,
    pub ephemeral_owner: i64,
    pub num_children: i32,
}

pub fn read_stat(r: &mut In) -> Result<Stat, String> {
    let czxid = r.long()?;
    let mzxid = r.long()?;
    let _ctime = r.long()?;
    let _mtime = r.long()?;
    let version = r.int()?;
    let _cversion = r.int()?;
    let _aversion = r.int()?;
    let ephemeral_owner = r.long()?;
    let _data_length = r.int()?;
    let num_children = r.int()?;
    let _pzxid = r.long()?;
    Ok(Stat {
        czxid,
        mzxid,
        version,
        ephemeral_owner,
        num_children,
    })
}

/// `ConnectRequest` (protocol version 0): a new session (`session` 0) or
/// a re-attach with its id and password.
pub fn connect_request(last_zxid: i64, timeout_ms: i32, session: i64, passwd: &[u8]) -> Vec<u8> {
    let mut o = Out::default();
    let pw = if passwd.is_empty() {
        vec![0u8; 16]
    } else {
        passwd.to_vec()
    };
    o.int(0)
        .long(last_zxid)
        .int(timeout_ms)
        .long(session)
        .buffer(&pw)
        .boolean(false);
    o.framed()
}

/// `ConnectResponse`: negotiated timeout (0: the session expired), id,
/// password.
pub fn connect_response(body: &[u8]) -> Result<(i32, i64, Vec<u8>), String> {
    let mut r = In::new(body);
    let _proto = r.int()?;
    let timeout = r.int()?;
    let session = r.long()?;
    let passwd = r.buffer()?.unwrap_or_default();
    Ok((timeout, session, passwd))
}

/// One op of a request (alone, or inside a multi).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    Create {
        path: String,
        data: String,
        flags: i32,
    },
    Delete {
        path: String,
        version: i32,
    },
    SetData {
        path: String,
        data: String,
        version: i32,
    },
    Check {
        path: String,
        version: i32,
    },
    GetData {
        path: String,
        watch: bool,
    },
    Exists {
        path: String,
        watch: bool,
    },
    GetChildren {
        path: String,
        watch: bool,
    },
    Sync {
        path: String,
    },
    Multi(Vec<Op>),
    CloseSession,
}

impl Op {
    pub fn code(&self) -> i32 {
        match self {
            Op::Create { .. } => op::CREATE,
            Op::Delete { .. } => op::DELETE,
            Op::SetData { .. } => op::SET_DATA,
            Op::Check { .. } => op::CHECK,
            Op::GetData { .. } => op::GET_DATA,
            Op::Exists { .. } => op::EXISTS,
            Op::GetChildren { .. } => op::GET_CHILDREN,
            Op::Sync { .. } => op::SYNC,
            Op::Multi(_) => op::MULTI,
            Op::CloseSession => op::CLOSE_SESSION,
        }
    }

    fn body(&self, o: &mut Out) {
        match self {
            Op::Create { path, data, flags } => {
                o.string(path)
                    .buffer(data.as_bytes())
                    .open_acl()
                    .int(*flags);
            }
            Op::Delete { path, version } | Op::Check { path, version } => {
                o.string(path).int(*version);
            }
            Op::SetData {
                path,
                data,
                version,
            } => {
                o.string(path).buffer(data.as_bytes()).int(*version);
            }
            Op::GetData { path, watch }
            | Op::Exists { path, watch }
            | Op::GetChildren { path, watch } => {
                o.string(path).boolean(*watch);
            }
            Op::Sync { path } => {
                o.string(path);
            }
            Op::Multi(ops) => {
                for op in ops {
                    o.int(op.code()).boolean(false).int(-1);
                    op.body(o);
                }
                o.int(-1).boolean(true).int(-1);
            }
            Op::CloseSession => {}
        }
    }

    /// The framed request with its header.
    pub fn request(&self, xid: i32) -> Vec<u8> {
        let mut o = Out::default();
        o.int(xid).int(self.code());
        self.body(&mut o);
        o.framed()
    }
}

/// A ping (xid -2).
pub fn ping() -> Vec<u8> {
    let mut o = Out::default();
    o.int(XID_PING).int(op::PING);
    o.framed()
}

/// What a reply's body held, decoded for the op it answers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Body {
    /// create's (and a multi's first create's) path.
    pub path: Option<String>,
    pub data: Option<String>,
    pub stat: Option<Stat>,
    pub children: Vec<String>,
}

/// Decodes the body of a successful reply to `op`.
pub fn reply_body(op: &Op, body: &[u8]) -> Result<Body, String> {
    let mut r = In::new(body);
    let mut b = Body::default();
    match op {
        Op::Create { .. } | Op::Sync { .. } => b.path = Some(r.string()?),
        Op::GetData { .. } => {
            b.data = r
                .buffer()?
                .map(|d| String::from_utf8_lossy(&d).into_owned());
            b.stat = Some(read_stat(&mut r)?);
        }
        Op::Exists { .. } | Op::SetData { .. } => b.stat = Some(read_stat(&mut r)?),
        Op::GetChildren { .. } => {
            let n = r.int()?;
            for _ in 0..n.max(0) {
                b.children.push(r.string()?);
            }
        }
        Op::Multi(ops) => {
            for op in ops {
                let (t, _done, _err) = (r.int()?, r.boolean()?, r.int()?);
                match t {
                    op::CREATE if b.path.is_none() => b.path = Some(r.string()?),
                    op::CREATE => {
                        r.string()?;
                    }
                    op::SET_DATA => {
                        read_stat(&mut r)?;
                    }
                    op::ERROR => {
                        r.int()?;
                    }
                    _ => {}
                }
                let _ = op;
            }
        }
        Op::Delete { .. } | Op::Check { .. } | Op::CloseSession => {}
    }
    Ok(b)
}

/// Reads one frame (length-prefixed) from `buf`, if complete.
pub fn take_frame(buf: &mut Vec<u8>) -> Option<Vec<u8>> {
    if buf.len() < 4 {
        return None;
    }
    let n = i32::from_be_bytes(buf[..4].try_into().unwrap()).max(0) as usize;
    if buf.len() < 4 + n {
        return None;
    }
    let frame = buf[4..4 + n].to_vec();
    buf.drain(..4 + n);
    Some(frame)
}

/// `echo cmd | nc 127.0.0.1 port`: the whole answer, verbatim, read until
/// the server closes. `None` when nothing answered within `wait` (a
/// stopped JVM accepts but never answers; a dead one refuses).
pub fn four_letter_word(port: u16, cmd: &str, wait: Duration) -> Option<String> {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let mut s = TcpStream::connect_timeout(&addr, wait).ok()?;
    s.set_read_timeout(Some(wait)).ok()?;
    s.set_write_timeout(Some(wait)).ok()?;
    s.write_all(cmd.as_bytes()).ok()?;
    let mut out = Vec::new();
    match s.read_to_end(&mut out) {
        Ok(_) => Some(String::from_utf8_lossy(&out).into_owned()),
        Err(_) if !out.is_empty() => Some(String::from_utf8_lossy(&out).into_owned()),
        Err(_) => None,
    }
}

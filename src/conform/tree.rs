//! A real server's own data tree, read at the end of a run through a fresh
//! session on that server: `getChildren` and `getData` are answered from
//! the server's local tree (no `sync`), so a learner's divergent tree
//! shows as it is.
//!
//! Contract: blocking, one request at a time, on the calling thread (the
//! main thread, whose sockets carry no firewall mark). The session it
//! opens adds a createSession and a closeSession txn after the scenario's
//! end; neither changes a znode's czxid or mzxid. The `/zookeeper`
//! subtree (quota, config) is left out, as in the simulator's view.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use super::facts::TreeNode;
use super::zkwire::{connect_request, connect_response, reply_body, In, Op, XID_PING};

struct Conn {
    s: TcpStream,
    xid: i32,
}

impl Conn {
    fn frame(&mut self) -> Result<Vec<u8>, String> {
        let mut len = [0u8; 4];
        self.s.read_exact(&mut len).map_err(|e| e.to_string())?;
        let n = i32::from_be_bytes(len).max(0) as usize;
        let mut body = vec![0u8; n];
        self.s.read_exact(&mut body).map_err(|e| e.to_string())?;
        Ok(body)
    }

    /// Sends `op`, returns (error code, body) of its reply.
    fn call(&mut self, op: &Op) -> Result<(i32, Vec<u8>), String> {
        self.xid += 1;
        self.s
            .write_all(&op.request(self.xid))
            .map_err(|e| e.to_string())?;
        loop {
            let f = self.frame()?;
            let mut r = In::new(&f);
            let (xid, _zxid, err) = (r.int()?, r.long()?, r.int()?);
            if xid == self.xid {
                return Ok((err, f[f.len() - r.remaining()..].to_vec()));
            }
            if xid != XID_PING && xid >= 0 {
                return Err(format!("reply to xid {xid}, expected {}", self.xid));
            }
        }
    }
}

/// Every znode of the server on `port` but `/` and `/zookeeper…`, sorted
/// by path.
pub fn read(port: u16, wait: Duration) -> Result<Vec<TreeNode>, String> {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let mut s = TcpStream::connect_timeout(&addr, wait).map_err(|e| e.to_string())?;
    s.set_read_timeout(Some(wait)).ok();
    s.write_all(&connect_request(0, 10_000, 0, &[]))
        .map_err(|e| e.to_string())?;
    let mut c = Conn { s, xid: 0 };
    let (timeout, _, _) = connect_response(&c.frame()?)?;
    if timeout <= 0 {
        return Err("the server refused a session".into());
    }
    let mut out = Vec::new();
    let mut todo = vec!["/".to_string()];
    while let Some(path) = todo.pop() {
        let op = Op::GetChildren {
            path: path.clone(),
            watch: false,
        };
        let (err, body) = c.call(&op)?;
        if err != 0 {
            continue;
        }
        for child in reply_body(&op, &body)?.children {
            let full = if path == "/" {
                format!("/{child}")
            } else {
                format!("{path}/{child}")
            };
            if full == "/zookeeper" {
                continue;
            }
            let get = Op::GetData {
                path: full.clone(),
                watch: false,
            };
            let (err, body) = c.call(&get)?;
            if err == 0 {
                let b = reply_body(&get, &body)?;
                let st = b.stat.unwrap_or_default();
                out.push(TreeNode {
                    path: full.clone(),
                    data: b.data.unwrap_or_default(),
                    czxid: format!("0x{:x}", st.czxid),
                    mzxid: format!("0x{:x}", st.mzxid),
                });
            }
            todo.push(full);
        }
    }
    let _ = c.call(&Op::CloseSession);
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

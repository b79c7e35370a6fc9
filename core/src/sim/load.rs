//! The `load` action: a client that writes (`rate_per_s`) and reads
//! (`reads_per_s`) at a steady rate for `for_ms`, as a busy application
//! does.
//!
//! - The write side creates the client's load node `/<client>-load`, then
//!   sets its data, one request per tick. Its answers are not listed in
//!   the run's `writes` (they count in `load_done`).
//! - The read side reads the load node (or `/` before it exists). The
//!   reads are answered by the client's own server from its tree and are
//!   not listed in the run's `reads` (they show in the servers'
//!   `srvr`/`mntr` figures: latency, packets, `readlatency`,
//!   `read_per_namespace`).
//!
//! Contract: each side is a chain of `Event::Client` ticks (`LoadTick`,
//! `ReadTick`, with `gen` `u32::MAX`: a reconnect does not end a load),
//! one request per tick, until `for_ms` is over or the client closes or
//! expires. Never draws from the RNG.

use std::sync::Arc;

use super::{Client, ClientEv, ClientState, Event, Simulation};
use crate::proto::RequestOp;

impl Simulation {
    /// Whether a load's next tick (the write side's `load_until_ms` or
    /// the read side's `read_until_ms`, picked by `until`) happens: its
    /// end not reached and its client not closing or gone. If not, the
    /// load ends.
    pub(super) fn load_goes_on(
        &mut self,
        c: usize,
        until: fn(&mut Client) -> &mut Option<u64>,
    ) -> bool {
        let now = self.now_ms;
        let cl = &mut self.clients[c];
        let done = matches!(
            cl.state,
            ClientState::Expired | ClientState::Closed | ClientState::Closing
        );
        let end = until(cl);
        match *end {
            Some(t) if now < t && !done => true,
            Some(_) => {
                *end = None;
                false
            }
            None => false,
        }
    }

    /// Starts `rate_per_s` writes per second for `for_ms` (nothing for 0).
    pub(super) fn start_write_load(&mut self, c: usize, rate_per_s: u64, for_ms: u64) {
        if rate_per_s == 0 {
            return;
        }
        let cl = &mut self.clients[c];
        cl.load_until_ms = Some(self.now_ms + for_ms);
        cl.load_interval_us = 1_000_000 / rate_per_s;
        let id = cl.id;
        self.schedule(
            self.now_ms,
            Event::Client {
                id,
                gen: u32::MAX,
                ev: ClientEv::LoadTick,
            },
        );
    }

    /// The load node's path and the setData's data, shared by every
    /// request of client `c`'s load: a long run keeps up to a million txns
    /// in its servers' logs, and a fresh copy of the same two strings in
    /// each was about a quarter of a logged txn's bytes.
    fn load_payload(&mut self, c: usize) -> (Arc<str>, Arc<str>) {
        let cl = &mut self.clients[c];
        let name = &cl.name;
        cl.load_payload
            .get_or_insert_with(|| (Arc::from(format!("/{name}-load")), Arc::from("x")))
            .clone()
    }

    /// One write of the load (the create, then setData), then the next tick.
    pub(super) fn client_load_tick(&mut self, c: usize) {
        let now = self.now_ms;
        if !self.load_goes_on(c, |cl| &mut cl.load_until_ms) {
            return;
        }
        let (path, data) = self.load_payload(c);
        let op = if !self.clients[c].load_created {
            self.clients[c].load_created = true;
            RequestOp::Create {
                path,
                data: Arc::from("0"),
                ephemeral: false,
                sequential: false,
            }
        } else {
            RequestOp::SetData {
                path,
                data,
                version: -1,
            }
        };
        self.client_submit(c, op, false);
        let cl = &self.clients[c];
        let interval_ms = (cl.load_interval_us / 1000).max(1);
        let id = cl.id;
        self.schedule(
            now + interval_ms,
            Event::Client {
                id,
                gen: u32::MAX,
                ev: ClientEv::LoadTick,
            },
        );
    }

    /// Starts `reads_per_s` reads per second for `for_ms` (nothing for 0).
    pub(super) fn start_read_load(&mut self, c: usize, reads_per_s: u64, for_ms: u64) {
        if reads_per_s == 0 {
            return;
        }
        let now = self.now_ms;
        let cl = &mut self.clients[c];
        cl.read_until_ms = Some(now + for_ms);
        cl.read_interval_us = 1_000_000 / reads_per_s;
        let id = cl.id;
        self.schedule(
            now,
            Event::Client {
                id,
                gen: u32::MAX,
                ev: ClientEv::ReadTick,
            },
        );
    }

    /// One read of the load, then the next tick.
    pub(super) fn client_read_tick(&mut self, c: usize) {
        let now = self.now_ms;
        if !self.load_goes_on(c, |cl| &mut cl.read_until_ms) {
            return;
        }
        let path: Arc<str> = if self.clients[c].load_created {
            self.load_payload(c).0
        } else {
            Arc::from("/")
        };
        self.client_submit(c, RequestOp::GetData { path, watch: false }, false);
        let cl = &self.clients[c];
        let interval_ms = (cl.read_interval_us / 1000).max(1);
        let id = cl.id;
        self.schedule(
            now + interval_ms,
            Event::Client {
                id,
                gen: u32::MAX,
                ev: ClientEv::ReadTick,
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::{Scenario, Simulation};

    fn scenario(load: &str) -> String {
        format!(
            r#"{{ "zablab": 1, "name": "read load", "seed": 2,
  "ensemble": {{ "participants": [1, 2, 3] }}, "until_ms": 8000,
  "actions": [
    {{ "at_ms": 0, "do": "start", "servers": [1, 2, 3] }},
    {{ "at_ms": 3000, "do": "connect", "client": "r", "server": 2 }},
    {{ "at_ms": 4000, "do": "load", "client": "r", {load}, "for_ms": 2000 }} ] }}"#
        )
    }

    #[test]
    fn a_read_load_shows_in_the_servers_figures_not_in_the_reads() {
        let text = scenario(r#""reads_per_s": 100"#);
        let mut sim = Simulation::new(Scenario::from_json(&text).unwrap()).unwrap();
        sim.run_to_end();
        assert!(sim.violations().is_empty());
        let s = sim.summary();
        assert!(s.reads.is_empty());
        assert!(s.writes.is_empty(), "{:?}", s.writes);
        let two = sim.load_stats().into_iter().find(|l| l.sid == 2).unwrap();
        // 100/s for 2 s: 200 reads, plus the connect and a few pings.
        assert!((200..=215).contains(&two.read_latency.count), "{two:?}");
        assert_eq!(two.write_latency.count, 1, "createSession only");
        let m = &sim.server_state(2).unwrap().metrics;
        assert!(m.readlatency.summary.count >= 200);
        // A mixed load: writes and reads.
        let text = scenario(r#""rate_per_s": 50, "reads_per_s": 50"#);
        let mut sim = Simulation::new(Scenario::from_json(&text).unwrap()).unwrap();
        sim.run_to_end();
        let two = sim.load_stats().into_iter().find(|l| l.sid == 2).unwrap();
        assert!(two.write_latency.count >= 100, "{two:?}");
        assert!(two.read_latency.count >= 100, "{two:?}");
        assert!(sim
            .server_state(2)
            .unwrap()
            .metrics
            .read_per_namespace
            .contains_key("r-load"));
    }

    #[test]
    fn a_load_needs_a_rate() {
        let err = Scenario::from_json(&scenario(r#""reads_per_s": 0"#)).unwrap_err();
        assert!(err.to_string().contains("actions[2].rate_per_s"), "{err}");
        let err = Scenario::from_json(&scenario(r#""reads_per_s": 1001"#)).unwrap_err();
        assert!(err.to_string().contains("actions[2].reads_per_s"), "{err}");
    }
}

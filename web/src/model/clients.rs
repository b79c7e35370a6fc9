//! The clients tab: connect a client (a session on a server), and what a
//! ZooKeeper client does through its API — writes, reads (get, exists,
//! children, with or without a one-shot watch), sync, sequential
//! creates, a create+check multi, close — the recipes (lock, election,
//! group, config, barrier) and a steady load, each a scenario action at
//! the shown moment (`docs/SCENARIO.md`; `docs/PROTOCOL.md` §10 for the
//! client side). It checks a znode path and the form's numbers before
//! asking the core, and never reads a client's session state except
//! through `Simulation::clients_view`.

use zablab_core::proto::Sid;
use zablab_core::scenario::{MultiOp, RecipeKind};
use zablab_core::{ActionKind, ServerRef};

use crate::i18n::{tr, trf, T};
use crate::model::Model;

/// The ZooKeeper read calls the clients panel offers.
pub const READ_OPS: [&str; 3] = ["get", "exists", "children"];

/// A recipe's default path: `/lock`, `/election`, ...
pub fn recipe_path(k: RecipeKind) -> String {
    format!("/{}", k.name())
}

/// The clients tab's messages: the operations name their client.
#[derive(Debug, Clone, PartialEq)]
pub enum ClientMsg {
    SetClientName(String),
    SetClientServer(Sid),
    Connect,
    SetWriteCount(u64),
    Write(String),
    SetReadPath(String),
    SetReadOp(&'static str),
    Read(String),
    Close(String),
    /// The client the operations act on.
    OpClient(String),
    /// A read that leaves a one-shot watch.
    ReadWatch(String),
    Sync(String),
    CreateSequential(String),
    /// `multi`: create the path, and check `check_path`'s version.
    Multi(String),
    SetCheckPath(String),
    SetCheckVersion(u64),
    SetRecipe(RecipeKind),
    SetRecipePath(String),
    SetHoldMs(u64),
    SetRepeat(bool),
    SetBarrierSize(u64),
    RunRecipe(String),
    SetLoadWrites(u64),
    SetLoadReads(u64),
    SetLoadSecs(u64),
    /// A steady load from the client (`load` with `rate_per_s` and
    /// `reads_per_s`).
    StartLoad(String),
}

impl ClientMsg {
    /// The operations are scenario actions; the fields are not.
    pub fn acts(&self) -> bool {
        use ClientMsg::*;
        matches!(
            self,
            Connect
                | Write(_)
                | Read(_)
                | ReadWatch(_)
                | Sync(_)
                | CreateSequential(_)
                | Multi(_)
                | RunRecipe(_)
                | StartLoad(_)
                | Close(_)
        )
    }
}

/// The clients tab's fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientForm {
    pub client_name: String,
    pub client_server: Sid,
    pub write_count: u64,
    pub read_path: String,
    pub read_op: &'static str,
    /// The client the operations act on ("" until one is picked: the
    /// first live one).
    pub op_client: String,
    pub check_path: String,
    pub check_version: u64,
    pub recipe: RecipeKind,
    pub recipe_path: String,
    pub hold_ms: u64,
    pub repeat: bool,
    pub barrier_size: u64,
    pub load_writes: u64,
    pub load_reads: u64,
    pub load_secs: u64,
}

impl ClientForm {
    /// The form with new clients connecting to `server`.
    pub fn new(server: Sid) -> ClientForm {
        ClientForm {
            client_name: "c1".to_string(),
            client_server: server,
            write_count: 5,
            read_path: "/".to_string(),
            read_op: READ_OPS[0],
            op_client: String::new(),
            check_path: "/".to_string(),
            check_version: 0,
            recipe: RecipeKind::Lock,
            recipe_path: recipe_path(RecipeKind::Lock),
            hold_ms: 5000,
            repeat: true,
            barrier_size: 2,
            load_writes: 100,
            load_reads: 100,
            load_secs: 10,
        }
    }

    /// A field edit (the operations leave the form as it is).
    fn set(&mut self, msg: ClientMsg) {
        use ClientMsg::*;
        match msg {
            SetClientName(n) => {
                self.client_name = n.chars().filter(|c| !c.is_control()).take(24).collect()
            }
            SetClientServer(s) => self.client_server = s,
            SetWriteCount(n) => self.write_count = n.clamp(1, 1000),
            SetReadPath(p) => self.read_path = p,
            SetReadOp(op) => self.read_op = op,
            OpClient(c) => self.op_client = c,
            SetCheckPath(p) => self.check_path = p,
            SetCheckVersion(v) => self.check_version = v.min(i32::MAX as u64),
            SetRecipe(k) => {
                // A path still at the old kind's default follows the kind.
                if self.recipe_path == recipe_path(self.recipe) {
                    self.recipe_path = recipe_path(k);
                }
                self.recipe = k;
            }
            SetRecipePath(p) => self.recipe_path = p,
            SetHoldMs(v) => self.hold_ms = v.clamp(1, 3_600_000),
            SetRepeat(b) => self.repeat = b,
            SetBarrierSize(n) => self.barrier_size = n.clamp(1, 100),
            SetLoadWrites(n) => self.load_writes = n.min(5000),
            SetLoadReads(n) => self.load_reads = n.min(5000),
            SetLoadSecs(n) => self.load_secs = n.clamp(1, 3600),
            _ => {}
        }
    }
}

impl Model {
    pub(super) fn client(&mut self, msg: ClientMsg) {
        use ClientMsg::*;
        match msg {
            Connect => self.connect(),
            Write(client) => self.act(ActionKind::Write {
                client: Some(client),
                count: self.clients.write_count,
                op: None,
                path: None,
                data: None,
                version: None,
            }),
            Read(client) => self.read(client, false),
            ReadWatch(client) => self.read(client, true),
            Sync(client) => {
                if let Some(path) = self.path_ok(&self.clients.read_path.clone()) {
                    self.act(ActionKind::Sync { client, path });
                }
            }
            CreateSequential(client) => self.create_sequential(client),
            Multi(client) => self.multi(client),
            RunRecipe(client) => self.run_recipe(client),
            StartLoad(client) => self.start_load(client),
            Close(client) => self.act(ActionKind::Close { client }),
            field => self.clients.set(field),
        }
    }

    /// The client the operations act on: the one picked, else the first
    /// with a session.
    pub fn op_client(&self) -> Option<String> {
        let clients = self.engine.sim().clients_view();
        let live = |c: &&zablab_core::sim::ClientView| !matches!(c.state, "CLOSED" | "EXPIRED");
        clients
            .iter()
            .filter(live)
            .find(|c| c.name == self.clients.op_client)
            .or_else(|| clients.iter().find(live))
            .map(|c| c.name.clone())
    }

    /// `p` if it is a znode path, else says why not.
    fn path_ok(&mut self, p: &str) -> Option<String> {
        let p = p.trim();
        let valid = p.starts_with('/') && !p.contains("//") && (p.len() == 1 || !p.ends_with('/'));
        if valid {
            Some(p.to_string())
        } else {
            self.say(trf(self.lang, T::BadPath, &[p]), true);
            None
        }
    }

    /// A session for the named client on the picked server; the name
    /// field then counts up (c1 → c2).
    fn connect(&mut self) {
        let f = &self.clients;
        let name = f.client_name.trim().to_string();
        if name.is_empty() {
            self.say(tr(self.lang, T::ClientNameNeeded).to_string(), true);
            return;
        }
        self.act(ActionKind::Connect {
            client: name,
            server: ServerRef::Sid(f.client_server),
            session_timeout_ms: Some(10_000),
        });
        if self.notice.as_ref().is_none_or(|n| !n.error) {
            self.clients.client_name = next_client_name(&self.clients.client_name);
        }
    }

    fn read(&mut self, client: String, watch: bool) {
        if let Some(path) = self.path_ok(&self.clients.read_path.clone()) {
            let op = self.clients.read_op;
            self.act(ActionKind::Read {
                client,
                path,
                op: (op != READ_OPS[0]).then(|| op.to_string()),
                count: 1,
                watch,
            });
        }
    }

    fn create_sequential(&mut self, client: String) {
        if let Some(path) = self.path_ok(&self.clients.read_path.clone()) {
            self.act(ActionKind::Write {
                client: Some(client),
                count: self.clients.write_count,
                op: Some("create_sequential".to_string()),
                path: Some(path),
                data: None,
                version: None,
            });
        }
    }

    fn multi(&mut self, client: String) {
        let (Some(path), Some(check)) = (
            self.path_ok(&self.clients.read_path.clone()),
            self.path_ok(&self.clients.check_path.clone()),
        ) else {
            return;
        };
        let op = |op: &str, path: String, version| MultiOp {
            op: op.to_string(),
            path,
            data: None,
            version,
        };
        let version = self.clients.check_version.min(i32::MAX as u64) as i32;
        self.act(ActionKind::Multi {
            client,
            ops: vec![op("create", path, None), op("check", check, Some(version))],
        });
    }

    fn run_recipe(&mut self, client: String) {
        let Some(path) = self.path_ok(&self.clients.recipe_path.clone()) else {
            return;
        };
        let f = &self.clients;
        let k = f.recipe;
        let lock = k == RecipeKind::Lock;
        self.act(ActionKind::Recipe {
            client,
            recipe: k,
            path,
            hold_ms: lock.then_some(f.hold_ms),
            size: (k == RecipeKind::Barrier).then_some(f.barrier_size as u32),
            repeat: lock && f.repeat,
        });
    }

    fn start_load(&mut self, client: String) {
        let f = &self.clients;
        if f.load_writes == 0 && f.load_reads == 0 {
            self.say(tr(self.lang, T::LoadNeedsRate).to_string(), true);
        } else {
            self.act(ActionKind::Load {
                client,
                rate_per_s: f.load_writes,
                for_ms: f.load_secs * 1000,
                reads_per_s: f.load_reads,
            });
        }
    }
}

/// c1 → c2, load → load2.
fn next_client_name(name: &str) -> String {
    let digits = name.len() - name.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    let (stem, num) = name.split_at(name.len() - digits);
    let n: u64 = num.parse().unwrap_or(1);
    format!("{stem}{}", n.saturating_add(1))
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{last_action, seek};
    use super::*;

    /// The opening ensemble with clients c1 and c2 connected, at `t`.
    fn two_clients_at(t: u64) -> Model {
        let mut m = Model::opening().unwrap();
        m.apply(ClientMsg::Connect.into());
        m.apply(ClientMsg::Connect.into());
        seek(&mut m, t);
        m
    }

    fn notice(m: &Model) -> &str {
        &m.notice.as_ref().unwrap().text
    }

    #[test]
    fn the_operations_act_on_the_first_live_client_until_one_is_picked() {
        let mut m = Model::opening().unwrap();
        m.apply(ClientMsg::Connect.into());
        m.apply(ClientMsg::Connect.into());
        assert_eq!(
            m.op_client().as_deref(),
            Some("c1"),
            "the first live client"
        );
        m.apply(ClientMsg::OpClient("c2".into()).into());
        assert_eq!(m.op_client().as_deref(), Some("c2"));
    }

    #[test]
    fn a_watch_set_by_a_read_fires_when_a_multi_creates_the_path() {
        let mut m = two_clients_at(2500);
        m.apply(ClientMsg::SetReadPath("/x".into()).into());
        m.apply(ClientMsg::SetReadOp("exists").into());
        m.apply(ClientMsg::ReadWatch("c2".into()).into());
        assert_eq!(
            last_action(&m),
            ActionKind::Read {
                client: "c2".into(),
                path: "/x".into(),
                op: Some("exists".into()),
                count: 1,
                watch: true
            }
        );
        m.apply(ClientMsg::SetCheckVersion(0).into());
        m.apply(ClientMsg::Multi("c1".into()).into());
        match last_action(&m) {
            ActionKind::Multi { client, ops } => {
                assert_eq!(client, "c1");
                assert_eq!((ops[0].op.as_str(), ops[0].path.as_str()), ("create", "/x"));
                assert_eq!((ops[1].op.as_str(), ops[1].version), ("check", Some(0)));
            }
            other => panic!("{other:?}"),
        }
        seek(&mut m, 3000);
        // The exists watch on /x fired when the multi created it.
        let w = m.engine.sim().watch_events();
        assert!(
            w.iter()
                .any(|w| w.client == "c2" && w.path == "/x" && w.event == "NodeCreated"),
            "{w:?}"
        );
    }

    #[test]
    fn sync_takes_the_read_path_and_a_bad_path_is_refused_in_words() {
        let mut m = two_clients_at(2500);
        m.apply(ClientMsg::SetReadPath("/x".into()).into());
        m.apply(ClientMsg::Sync("c2".into()).into());
        assert!(matches!(last_action(&m), ActionKind::Sync { path, .. } if path == "/x"));
        m.apply(ClientMsg::SetReadPath("nope".into()).into());
        m.apply(ClientMsg::Sync("c1".into()).into());
        assert!(notice(&m).contains("not a znode path"));
    }

    #[test]
    fn a_sequential_create_numbers_its_path() {
        let mut m = two_clients_at(3000);
        m.apply(ClientMsg::SetReadPath("/job-".into()).into());
        m.apply(ClientMsg::SetWriteCount(2).into());
        m.apply(ClientMsg::CreateSequential("c1".into()).into());
        seek(&mut m, 3500);
        let seq: Vec<_> = m
            .engine
            .sim()
            .writes()
            .iter()
            .map(|w| w.path.clone())
            .collect();
        assert!(seq.contains(&"/job-0000000001".to_string()), "{seq:?}");
    }

    #[test]
    fn one_client_holds_the_lock_and_a_recipe_runs_once_on_a_path() {
        let mut m = two_clients_at(3500);
        // The path follows the kind until the user edits it.
        m.apply(ClientMsg::SetRecipe(RecipeKind::Barrier).into());
        assert_eq!(m.clients.recipe_path, "/barrier");
        m.apply(ClientMsg::SetRecipe(RecipeKind::Lock).into());
        m.apply(ClientMsg::SetHoldMs(1000).into());
        m.apply(ClientMsg::RunRecipe("c1".into()).into());
        m.apply(ClientMsg::RunRecipe("c2".into()).into());
        assert_eq!(
            last_action(&m),
            ActionKind::Recipe {
                client: "c2".into(),
                recipe: RecipeKind::Lock,
                path: "/lock".into(),
                hold_ms: Some(1000),
                size: None,
                repeat: true
            }
        );
        seek(&mut m, 6000);
        let views = m.engine.sim().recipe_views();
        assert_eq!(views.iter().filter(|v| v.holds).count(), 1, "{views:?}");
        // The same recipe twice on one path is refused, in words.
        m.apply(ClientMsg::RunRecipe("c2".into()).into());
        assert!(notice(&m).contains("already runs a recipe"));
        m.apply(ClientMsg::SetRecipePath("/mine".into()).into());
        m.apply(ClientMsg::SetRecipe(RecipeKind::Barrier).into());
        assert_eq!(m.clients.recipe_path, "/mine", "an edited path stays");
    }

    #[test]
    fn a_load_needs_a_rate_and_becomes_a_load_action() {
        let mut m = two_clients_at(6000);
        m.apply(ClientMsg::SetLoadWrites(0).into());
        m.apply(ClientMsg::SetLoadReads(0).into());
        m.apply(ClientMsg::StartLoad("c2".into()).into());
        assert!(notice(&m).contains("writes or reads per second"));
        m.apply(ClientMsg::SetLoadReads(50).into());
        m.apply(ClientMsg::SetLoadSecs(2).into());
        m.apply(ClientMsg::StartLoad("c2".into()).into());
        assert_eq!(
            last_action(&m),
            ActionKind::Load {
                client: "c2".into(),
                rate_per_s: 0,
                for_ms: 2000,
                reads_per_s: 50
            }
        );
    }

    #[test]
    fn connecting_counts_the_name_up_and_needs_a_name() {
        let mut m = Model::opening().unwrap();
        m.apply(ClientMsg::SetClientName(" \u{7}".into()).into());
        m.apply(ClientMsg::Connect.into());
        assert!(m.notice.as_ref().unwrap().error);
        m.apply(ClientMsg::SetClientName("load".into()).into());
        m.apply(ClientMsg::Connect.into());
        assert_eq!(m.clients.client_name, "load2");
        assert!(matches!(last_action(&m), ActionKind::Connect { client, .. } if client == "load"));
    }

    #[test]
    fn client_names_count_up() {
        assert_eq!(next_client_name("c1"), "c2");
        assert_eq!(next_client_name("c9"), "c10");
        assert_eq!(next_client_name("load"), "load2");
    }
}

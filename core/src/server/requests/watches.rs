//! `WatchManager` and the watch parts of `DataTree`: one-shot data and
//! child watches of this server's client connections, fired by the txns
//! this server applies (`triggerWatch`) and set again after a reconnect
//! (`setWatches`).
//!
//! It owns [`Watches`]; it never changes the tree, and a watch fires only
//! to a connection still open here.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use crate::proto::{ClientId, WatchEventType, WatchedEvent};
use crate::server::{ClientEvent, Server};
use crate::txn::Txn;
use crate::zxid::Zxid;

/// `WatchManager`: path -> watching connections, for data watches
/// (getData, exists) and child watches (getChildren).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Watches {
    pub data: BTreeMap<Arc<str>, BTreeSet<ClientId>>,
    pub child: BTreeMap<Arc<str>, BTreeSet<ClientId>>,
}

impl Watches {
    /// How many (path, connection) watches are set (`wchs` total).
    pub fn count(&self) -> usize {
        self.data
            .values()
            .chain(self.child.values())
            .map(|s| s.len())
            .sum()
    }

    /// Paths watched (`wchs`: "watching N paths").
    pub fn paths(&self) -> usize {
        let mut paths: BTreeSet<&Arc<str>> = self.data.keys().collect();
        paths.extend(self.child.keys());
        paths.len()
    }

    /// Connections with at least one watch.
    pub fn connections(&self) -> usize {
        let mut c: BTreeSet<ClientId> = BTreeSet::new();
        for s in self.data.values().chain(self.child.values()) {
            c.extend(s);
        }
        c.len()
    }

    /// Sets a data watch (`child` false) or a child watch on `path`.
    pub fn add(&mut self, child: bool, path: &Arc<str>, client: ClientId) {
        let table = if child {
            &mut self.child
        } else {
            &mut self.data
        };
        table.entry(path.clone()).or_default().insert(client);
    }

    pub fn remove_client(&mut self, client: ClientId) {
        for table in [&mut self.data, &mut self.child] {
            table.retain(|_, s| {
                s.remove(&client);
                !s.is_empty()
            });
        }
    }
}

impl Server {
    fn fire(&mut self, client: ClientId, kind: WatchEventType, path: Arc<str>, zxid: Zxid) {
        if self.cnxns.contains_key(&client) {
            self.client_out(ClientEvent::Watch(WatchedEvent {
                client,
                kind,
                path,
                zxid,
            }));
        }
    }

    /// `WatchManager.triggerWatch` for what `txn` changed: each watch
    /// fires once and is gone; a connection gets one event per path even
    /// if it had both a data and a child watch there.
    pub(super) fn trigger_watches(&mut self, txn: &Txn) {
        if self.watches.data.is_empty() && self.watches.child.is_empty() {
            return;
        }
        for (path, kind) in txn.op.watch_triggers() {
            let mut who: BTreeSet<ClientId> = BTreeSet::new();
            if kind != WatchEventType::NodeChildrenChanged {
                who.extend(self.watches.data.remove(&path).unwrap_or_default());
            }
            if kind == WatchEventType::NodeChildrenChanged || kind == WatchEventType::NodeDeleted {
                who.extend(self.watches.child.remove(&path).unwrap_or_default());
            }
            if who.is_empty() {
                continue;
            }
            let m = &mut self.metrics;
            match kind {
                WatchEventType::NodeCreated => m.node_created_watch_count.add(who.len() as u64),
                WatchEventType::NodeDeleted => m.node_deleted_watch_count.add(who.len() as u64),
                WatchEventType::NodeDataChanged => m.node_changed_watch_count.add(who.len() as u64),
                WatchEventType::NodeChildrenChanged => {
                    m.node_children_watch_count.add(who.len() as u64)
                }
            }
            for client in who {
                self.fire(client, kind, path.clone(), txn.zxid);
            }
        }
    }

    /// `DataTree.setWatches`: after a reconnect, each watch is set again,
    /// or fires at once if its node changed after what the client saw.
    pub(in crate::server) fn client_set_watches(
        &mut self,
        client: ClientId,
        relative_zxid: Zxid,
        data: &[Arc<str>],
        exist: &[Arc<str>],
        child: &[Arc<str>],
    ) {
        if !self.cnxns.contains_key(&client) {
            return;
        }
        let zxid = self.tree.last_processed_zxid;
        for path in data {
            match self.tree.nodes.get(&**path) {
                None => self.fire(client, WatchEventType::NodeDeleted, path.clone(), zxid),
                Some(n) if n.mzxid > relative_zxid => {
                    self.fire(client, WatchEventType::NodeDataChanged, path.clone(), zxid)
                }
                Some(_) => {
                    self.watches.add(false, path, client);
                }
            }
        }
        for path in exist {
            if self.tree.nodes.contains_key(&**path) {
                self.fire(client, WatchEventType::NodeCreated, path.clone(), zxid);
            } else {
                self.watches.add(false, path, client);
            }
        }
        for path in child {
            match self.tree.nodes.get(&**path) {
                None => self.fire(client, WatchEventType::NodeDeleted, path.clone(), zxid),
                Some(n) if n.pzxid > relative_zxid => self.fire(
                    client,
                    WatchEventType::NodeChildrenChanged,
                    path.clone(),
                    zxid,
                ),
                Some(_) => {
                    self.watches.add(true, path, client);
                }
            }
        }
    }
}

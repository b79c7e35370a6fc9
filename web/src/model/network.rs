//! The network tab: a partition (servers in up to three groups, clients
//! placed on a side), heal, and one link's faults (a one-way cut, a slow
//! link, dropping the next message), each a scenario action at the shown
//! moment (`partition`, `heal`, `cut`, `slow_link`, `drop` in
//! `docs/SCENARIO.md`). It checks what the core cannot word for the user
//! (a side with clients but no server, one group only, a link to itself)
//! and never reaches into the simulation's network state.

use std::collections::BTreeMap;

use zablab_core::proto::Sid;
use zablab_core::ActionKind;

use crate::i18n::{tr, trf, T};
use crate::model::Model;

/// The network tab's messages.
#[derive(Debug, Clone, PartialEq)]
pub enum NetMsg {
    /// The group (0..3) a server goes to in the next partition.
    GroupOf(Sid, u8),
    ApplyPartition,
    Heal,
    /// The side of a partition a client is put on (None: it reaches every
    /// server).
    ClientGroup(String, Option<u8>),
    SetLinkFrom(Sid),
    SetLinkTo(Sid),
    SetSlowMs(u64),
    Cut,
    SlowLink,
    DropNext,
}

impl NetMsg {
    /// The faults are scenario actions; the fields are not.
    pub fn acts(&self) -> bool {
        matches!(
            self,
            NetMsg::ApplyPartition
                | NetMsg::Heal
                | NetMsg::Cut
                | NetMsg::SlowLink
                | NetMsg::DropNext
        )
    }
}

/// The network tab's fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetForm {
    /// Servers' groups for the next partition (absent: group A).
    pub groups: BTreeMap<Sid, u8>,
    /// Clients placed on a partition's side (group 0..3).
    pub client_groups: BTreeMap<String, u8>,
    pub link_from: Sid,
    pub link_to: Sid,
    /// The latency Slow link sets, in ms.
    pub slow_ms: u64,
}

impl NetForm {
    /// The link fields on the first two servers.
    pub fn new(first: Sid, second: Sid) -> NetForm {
        NetForm {
            groups: BTreeMap::new(),
            client_groups: BTreeMap::new(),
            link_from: first,
            link_to: second,
            slow_ms: 500,
        }
    }

    /// A field edit (the other messages leave the form as it is).
    fn set(&mut self, msg: NetMsg) {
        match msg {
            NetMsg::GroupOf(s, g) => {
                self.groups.insert(s, g.min(2));
            }
            NetMsg::ClientGroup(name, Some(g)) => {
                self.client_groups.insert(name, g.min(2));
            }
            NetMsg::ClientGroup(name, None) => {
                self.client_groups.remove(&name);
            }
            NetMsg::SetLinkFrom(s) => self.link_from = s,
            NetMsg::SetLinkTo(s) => self.link_to = s,
            NetMsg::SetSlowMs(v) => self.slow_ms = v.min(600_000),
            _ => {}
        }
    }
}

impl Model {
    pub(super) fn network(&mut self, msg: NetMsg) {
        let (from, to) = (self.net.link_from, self.net.link_to);
        match msg {
            NetMsg::ApplyPartition => self.apply_partition(),
            NetMsg::Heal => {
                self.net.groups.clear();
                self.net.client_groups.clear();
                self.act(ActionKind::Heal);
            }
            NetMsg::Cut | NetMsg::SlowLink | NetMsg::DropNext if from == to => {
                self.say(tr(self.lang, T::LinkNeedsTwo).to_string(), true);
            }
            NetMsg::Cut => self.act(ActionKind::Cut { from, to }),
            NetMsg::SlowLink => self.act(ActionKind::SlowLink {
                from,
                to,
                latency_ms: self.net.slow_ms,
            }),
            NetMsg::DropNext => self.act(ActionKind::Drop { from, to }),
            field => self.net.set(field),
        }
    }

    /// The groups picked (empty ones dropped), with the live clients
    /// placed on them, as one `partition` action.
    fn apply_partition(&mut self) {
        let sids: Vec<Sid> = self.engine.sim().servers().iter().map(|s| s.sid).collect();
        let mut groups: Vec<Vec<Sid>> = vec![Vec::new(); 3];
        for &s in &sids {
            let g = self.net.groups.get(&s).copied().unwrap_or(0) as usize;
            groups[g].push(s);
        }
        // Clients go with their group, wherever it lands once the
        // empty groups are dropped.
        let mut clients: Vec<Vec<String>> = vec![Vec::new(); 3];
        let live: Vec<String> = self
            .engine
            .sim()
            .clients_view()
            .into_iter()
            .filter(|c| !matches!(c.state, "CLOSED" | "EXPIRED"))
            .map(|c| c.name)
            .collect();
        for (name, &g) in &self.net.client_groups {
            if live.contains(name) {
                clients[g as usize].push(name.clone());
            }
        }
        if let Some(g) = (0..3).find(|&g| groups[g].is_empty() && !clients[g].is_empty()) {
            let letter = ((b'A' + g as u8) as char).to_string();
            self.say(
                trf(self.lang, T::ClientSideEmpty, &[&clients[g][0], &letter]),
                true,
            );
            return;
        }
        let (groups, mut clients): (Vec<_>, Vec<_>) = groups
            .into_iter()
            .zip(clients)
            .filter(|(g, _)| !g.is_empty())
            .unzip();
        while clients.last().is_some_and(|c| c.is_empty()) {
            clients.pop();
        }
        if groups.len() < 2 {
            self.say(tr(self.lang, T::PartitionNeedsTwo).to_string(), true);
        } else {
            self.act(ActionKind::Partition { groups, clients });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit::last_action;
    use super::*;
    use crate::model::ClientMsg;

    #[test]
    fn a_partition_places_clients_on_their_side() {
        let mut m = Model::opening().unwrap();
        m.apply(ClientMsg::Connect.into());
        m.apply(ClientMsg::Connect.into());
        m.apply(ClientMsg::Connect.into());
        m.apply(NetMsg::GroupOf(1, 2).into());
        m.apply(NetMsg::ClientGroup("c1".into(), Some(2)).into());
        m.apply(NetMsg::ClientGroup("c2".into(), Some(0)).into());
        // Side B has no server: refused, said.
        m.apply(NetMsg::ClientGroup("c3".into(), Some(1)).into());
        m.apply(NetMsg::ApplyPartition.into());
        assert!(m
            .notice
            .as_ref()
            .unwrap()
            .text
            .contains("which has no server"));
        m.apply(NetMsg::ClientGroup("c3".into(), None).into());
        m.apply(NetMsg::ApplyPartition.into());
        assert_eq!(
            last_action(&m),
            ActionKind::Partition {
                groups: vec![vec![2, 3], vec![1]],
                clients: vec![vec!["c2".into()], vec!["c1".into()]],
            }
        );
        m.apply(NetMsg::Heal.into());
        assert!(m.net.client_groups.is_empty());
    }

    #[test]
    fn one_group_or_a_link_to_itself_is_refused_in_words() {
        let mut m = Model::opening().unwrap();
        m.apply(NetMsg::ApplyPartition.into());
        assert!(m.notice.as_ref().unwrap().error);
        m.apply(NetMsg::SetLinkTo(m.net.link_from).into());
        m.apply(NetMsg::Cut.into());
        assert!(m.notice.as_ref().unwrap().error);
        assert_eq!(m.engine.export().actions.len(), 1, "nothing taken");
        m.apply(NetMsg::SetLinkTo(3).into());
        m.apply(NetMsg::SetSlowMs(250).into());
        m.apply(NetMsg::SlowLink.into());
        assert_eq!(
            last_action(&m),
            ActionKind::SlowLink {
                from: 1,
                to: 3,
                latency_ms: 250
            }
        );
    }
}

//! The timeline's marks, shared by the timeline (`transport.rs`) and the
//! legend (`help.rs`): each kind has a shape of its own (a diamond, a
//! triangle, a circle, a square, a bar, a flag, a cross), so they are told
//! apart without their colour, and a line of the legend.
//!
//! [`gather`] decides which buttons the timeline draws: the marks of one
//! row (protocol marks above; what happened to the run and violations,
//! which the CSS draws over that row, below) that are closer than a marker's width are one button, shaped
//! as its most important kind, whose label lists them all, so no marker
//! hides another from the mouse and none is dropped unseen. Pure; tested
//! natively.

use yew::prelude::*;

use crate::i18n::{trf, Lang, T};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Mark {
    Election,
    Leader,
    Sync,
    Fault,
    Client,
    Hazard,
    Violation,
}

impl Mark {
    pub const ALL: [Mark; 7] = [
        Mark::Election,
        Mark::Leader,
        Mark::Sync,
        Mark::Fault,
        Mark::Client,
        Mark::Hazard,
        Mark::Violation,
    ];

    pub fn class(self) -> &'static str {
        match self {
            Mark::Election => "mk-election",
            Mark::Leader => "mk-leader",
            Mark::Sync => "mk-sync",
            Mark::Fault => "mk-fault",
            Mark::Client => "mk-client",
            Mark::Hazard => "mk-hazard",
            Mark::Violation => "mk-violation",
        }
    }

    /// The legend's words for this kind.
    pub fn legend(self) -> T {
        match self {
            Mark::Election => T::MarkElection,
            Mark::Leader => T::MarkLeader,
            Mark::Sync => T::MarkSync,
            Mark::Fault => T::MarkFault,
            Mark::Client => T::MarkClient,
            Mark::Hazard => T::MarkHazard,
            Mark::Violation => T::MarkViolation,
        }
    }

    /// The mark's shape (CSS draws it from the kind's class).
    pub fn shape(self) -> Html {
        html! { <span class="shape" aria-hidden="true" /> }
    }
}

/// A mark: its moment, kind, label and, for a violation, its index.
pub type Marker = (u64, Mark, String, Option<usize>);

/// How many markers side by side a timeline has room for: a marker is
/// 12 px wide and the timeline measured 715 px (1280×720), 764 px
/// (1366×768) and 786 px (1280×720, presenter mode), so two buttons of a
/// row are at least 11.9 px apart.
pub const ROOM: u64 = 60;

/// Labels listed in one button before "and N more".
const LISTED: usize = 8;

/// One button on the timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// Where it is drawn: its first mark's moment.
    pub at: u64,
    /// Its shape: the most important kind among its marks.
    pub mark: Mark,
    /// Where it seeks: that mark's moment.
    pub seek: u64,
    /// A violation among its marks: the first one's index.
    pub violation: Option<usize>,
    /// Every mark, "moment · text", one per line (at most [`LISTED`]).
    pub label: String,
    /// How many marks it stands for.
    pub count: usize,
}

impl Mark {
    /// The timeline's row of this kind (the CSS puts each row at its height).
    fn row(self) -> u8 {
        match self {
            Mark::Election | Mark::Leader | Mark::Sync => 0,
            Mark::Fault | Mark::Client | Mark::Hazard | Mark::Violation => 1,
        }
    }

    /// Which kind a button of several shows (lower first).
    fn weight(self) -> u8 {
        match self {
            Mark::Violation => 0,
            Mark::Leader => 1,
            Mark::Fault => 2,
            Mark::Sync => 3,
            Mark::Hazard => 4,
            Mark::Election => 5,
            Mark::Client => 6,
        }
    }
}

/// The timeline's buttons for `marks` over `span` ms: per row, marks less
/// than `span / ROOM` after the first of a button join it.
pub fn gather(l: Lang, mut marks: Vec<Marker>, span: u64) -> Vec<Group> {
    let gap = (span / ROOM).max(1);
    zablab_core::sorting::sort_by_key(&mut marks, |(t, k, _, _)| (k.row(), *t, k.weight()));
    let mut out: Vec<Group> = Vec::new();
    let mut members: Vec<Marker> = Vec::new();
    for m in marks {
        let joins = members
            .first()
            .is_some_and(|f| f.1.row() == m.1.row() && m.0 < f.0 + gap);
        if !joins && !members.is_empty() {
            out.push(group(l, std::mem::take(&mut members)));
        }
        members.push(m);
    }
    if !members.is_empty() {
        out.push(group(l, members));
    }
    out
}

/// One button from the marks that share it (in time order).
fn group(l: Lang, members: Vec<Marker>) -> Group {
    let first = members[0].0;
    let lead = members
        .iter()
        .min_by_key(|(t, k, _, _)| (k.weight(), *t))
        .map_or((first, Mark::Election), |(t, k, _, _)| (*t, *k));
    let mut lines: Vec<String> = members
        .iter()
        .take(LISTED)
        .map(|(t, _, text, _)| format!("{} · {}", crate::fmt_ms(*t), text))
        .collect();
    if members.len() > LISTED {
        let more = (members.len() - LISTED).to_string();
        lines.push(trf(l, T::MarksMore, &[&more]));
    }
    Group {
        at: first,
        mark: lead.1,
        seek: lead.0,
        violation: members.iter().find_map(|m| m.3),
        label: lines.join("\n"),
        count: members.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mk(t: u64, k: Mark, text: &str) -> Marker {
        (t, k, text.to_string(), None)
    }

    #[test]
    fn marks_closer_than_a_marker_share_one_button_per_row() {
        // Span 60 s: a marker's width is 1 s.
        let marks = vec![
            mk(10_000, Mark::Sync, "sync 1"),
            mk(10_003, Mark::Leader, "leader 3"),
            mk(10_500, Mark::Election, "looking 2"),
            mk(10_200, Mark::Fault, "crash 2"),
            mk(11_000, Mark::Sync, "sync 2"),
            (10_100, Mark::Violation, "Agreement".to_string(), Some(0)),
        ];
        let g = gather(Lang::En, marks, 60_000);
        let row = |g: &Group| g.mark.row();
        // Top row: {sync 1, leader 3, looking 2} then {sync 2} (1 s later).
        let top: Vec<&Group> = g.iter().filter(|g| row(g) == 0).collect();
        assert_eq!(top.len(), 2, "{g:?}");
        assert_eq!(
            (top[0].at, top[0].mark, top[0].seek, top[0].count),
            (10_000, Mark::Leader, 10_003, 3)
        );
        assert_eq!(
            top[0].label,
            "10.000 s · sync 1\n10.003 s · leader 3\n10.500 s · looking 2"
        );
        assert_eq!((top[1].at, top[1].mark), (11_000, Mark::Sync));
        // Below: the violation and the fault 0.1 s later, shown as the
        // violation (a click goes to it), labelled with both.
        let low: Vec<&Group> = g.iter().filter(|g| row(g) == 1).collect();
        assert_eq!(low.len(), 1, "{g:?}");
        assert_eq!(
            (low[0].at, low[0].mark, low[0].violation),
            (10_100, Mark::Violation, Some(0))
        );
        assert_eq!(low[0].label, "10.100 s · Agreement\n10.200 s · crash 2");
    }

    #[test]
    fn buttons_of_a_row_never_overlap_and_every_mark_is_in_one() {
        let span = 3_600_000;
        let gap = span / ROOM;
        let kinds = Mark::ALL;
        let marks: Vec<Marker> = (0..5_000u64)
            .map(|i| {
                let t = (i * 7_919 * 13) % span;
                (t, kinds[(i % 7) as usize], format!("m{i}"), None)
            })
            .collect();
        let g = gather(Lang::En, marks, span);
        assert_eq!(g.iter().map(|g| g.count).sum::<usize>(), 5_000);
        for r in 0..2 {
            let at: Vec<u64> = g
                .iter()
                .filter(|g| g.mark.row() == r)
                .map(|g| g.at)
                .collect();
            assert!(at.windows(2).all(|w| w[1] >= w[0] + gap), "row {r}: {at:?}");
        }
        let long = g
            .iter()
            .find(|g| g.count > LISTED)
            .expect("a crowded button");
        assert_eq!(long.label.lines().count(), LISTED + 1);
        assert!(long.label.ends_with("more here"), "{}", long.label);
    }
}

//! The timeline's marks, shared by the timeline (`transport.rs`) and the
//! legend (`help.rs`): each kind has a shape of its own (a diamond, a
//! triangle, a circle, a square, a bar, a flag, a cross), so they are told
//! apart without their colour, and a line of the legend.

use yew::prelude::*;

use crate::i18n::T;

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

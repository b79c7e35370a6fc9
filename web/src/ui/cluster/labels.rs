//! Draws the labels `captions` placed (each line a `<text>` at its size,
//! centred in its box, with a white halo over links), the deadline ring's
//! arc, and a server's accessible name and hover text, which hold every
//! text the server shows.

use yew::prelude::*;
use zablab_core::sim::DeadlineKind;

use super::f;
use crate::captions::{Label, Owner, Role};
use crate::i18n::{trf, Lang, T};
use crate::layout::{self, ServerDot};
use crate::words;

fn role_class(r: Role) -> &'static str {
    match r {
        Role::Crown => "crown",
        Role::State => "state-label",
        Role::Vote => "vote",
        Role::Ballot => "ballot",
        Role::Change => "vote-change",
        Role::Deadline => "deadline-text",
        Role::Zab => "zab",
        Role::Facts => "facts",
        Role::Waiting => "waiting",
        Role::SlowDisk => "disk-mark",
        Role::Message => "msg-label",
        Role::Held => "held-badge",
        Role::Link => "link-label",
        Role::Group => "group-label",
    }
}

/// The test id of a server's line, by what it says.
fn test_id(owner: Owner, r: Role) -> Option<String> {
    let Owner::Server(sid) = owner else {
        return None;
    };
    match r {
        Role::Crown => Some(format!("leader-{sid}")),
        Role::State => Some(format!("server-{sid}-state")),
        Role::Facts => Some(format!("server-{sid}-facts")),
        Role::Change => Some(format!("server-{sid}-change")),
        Role::Deadline => Some(format!("server-{sid}-deadline")),
        _ => None,
    }
}

/// One placed label. A server's vote (its two lines) is one group, the
/// `server-N-vote` the checks read; `zxid_mark`: a lesson points at the
/// last zxid its facts line shows.
pub fn label_node(lb: &Label, zxid_mark: bool) -> Html {
    let text = |i: usize| {
        let t = &lb.lines[i];
        let mark = (zxid_mark && t.role == Role::Facts).then_some("zxid-mark");
        html! {
            <text class={classes!(role_class(t.role), mark)} x={f(t.x)} y={f(t.y)} font-size={f(t.px)}
                  font-weight={if t.bold { "700" } else { "400" }} data-testid={test_id(lb.owner, t.role)}>
                { t.text.clone() }
            </text>
        }
    };
    let vote: Vec<usize> = (0..lb.lines.len())
        .filter(|&i| matches!(lb.lines[i].role, Role::Vote | Role::Ballot))
        .collect();
    let rest = (0..lb.lines.len()).filter(|i| !vote.contains(i)).map(text);
    let kind = match lb.owner {
        Owner::Server(_) => "server-label",
        Owner::Message(_) => "message-label",
        Owner::Held(_) => "held-label",
        Owner::Link(_) => "link-mark",
        Owner::Group(_) => "group-mark",
    };
    let vote_id = match lb.owner {
        Owner::Server(sid) => format!("server-{sid}-vote"),
        _ => String::new(),
    };
    html! {
        <g class={classes!("label", kind)}>
            if let Some(t) = &lb.title {
                <title>{ t.clone() }</title>
            }
            if !vote.is_empty() {
                <g class="vote-lines" data-testid={vote_id}>{ for vote.iter().map(|&i| text(i)) }</g>
            }
            { for rest }
        </g>
    }
}

/// A server's accessible name (every text it shows, then its vote and
/// last change spelled out) and its hover text.
pub fn server_label_text(l: Lang, s: &ServerDot, mine: &[&Label]) -> (String, String) {
    let mut shown: Vec<String> = Vec::new();
    if s.inner_state {
        shown.push(layout::state_word(&s.view));
    }
    for lb in mine {
        for t in &lb.lines {
            shown.push(t.text.clone());
        }
    }
    if !shown.iter().any(|t| *t == layout::state_word(&s.view)) {
        shown.insert(0, layout::state_word(&s.view));
    }
    let mut aria = shown.join(" · ");
    let mut title = format!(
        "{} · {}",
        trf(l, T::ServerN, &[&s.view.sid.to_string()]),
        s.view.peer_state
    );
    if let Some((d, _)) = s.deadline {
        title.push('\n');
        title.push_str(&words::deadline_title(l, &d));
    }
    let aria_label = {
        aria.push('.');
        trf(
            l,
            T::ServerLabel,
            &[&s.view.sid.to_string(), aria.trim_end_matches('.')],
        )
    };
    (aria_label, title)
}

/// The CSS class of a deadline ring, by what it is.
pub fn deadline_class(k: DeadlineKind) -> &'static str {
    match k {
        DeadlineKind::NotificationTimeout { .. } | DeadlineKind::ObserverDelay => "dl-election",
        DeadlineKind::FinalizeWait => "dl-finalize",
        DeadlineKind::ConnectRetry { .. }
        | DeadlineKind::LearnerInitLimit
        | DeadlineKind::LeaderWait { .. } => "dl-init",
        DeadlineKind::LearnerSyncLimit
        | DeadlineKind::SyncedQuorum { .. }
        | DeadlineKind::HandlerRead { .. } => "dl-sync",
        DeadlineKind::TickCheck { .. } => "dl-tick",
        DeadlineKind::SessionExpiry { .. } => "dl-session",
        DeadlineKind::Resume => "dl-resume",
    }
}

/// An arc around (x, y) from the top, clockwise, over `frac` of the turn
/// (a whole circle at 1).
pub fn arc(x: f64, y: f64, r: f64, frac: f64) -> String {
    let frac = frac.clamp(0.0, 1.0);
    if frac >= 0.999 {
        return format!(
            "M{} {}a{r} {r} 0 1 1 0 {}a{r} {r} 0 1 1 0 -{}",
            f(x),
            f(y - r),
            f(2.0 * r),
            f(2.0 * r),
            r = f(r)
        );
    }
    let a = -std::f64::consts::FRAC_PI_2 + frac * std::f64::consts::TAU;
    let (ex, ey) = (x + r * crate::math::cos(a), y + r * crate::math::sin(a));
    let large = if frac > 0.5 { 1 } else { 0 };
    format!(
        "M{} {}A{r} {r} 0 {large} 1 {} {}",
        f(x),
        f(y - r),
        f(ex),
        f(ey),
        r = f(r)
    )
}

//! Transport and time travel: play, pause, step forward and back, speed,
//! seek (by time or event), the branch picker, a violation's Go button,
//! and the frame clock that advances virtual time by wall time × speed.
//! It pauses the run on a violation (showing the state right after the
//! breaking event) and announces hazards without pausing; it pauses a
//! run whose page nears wasm32's 4 GB, saying why (`memory`).
//!
//! It moves only through the engine's time travel (`zablab_core::timetravel`,
//! re-exported as `crate::engine`); it never takes a scenario action.

use crate::i18n::{trf, T};
use crate::model::{Model, Tab};

/// Wasm memory (MB) at which a playing run pauses with a warning: three
/// quarters of the 4,096 MB a wasm32 page can have, where an allocation
/// that fails would end the page without a word.
pub const MEMORY_WARN_MB: u32 = 3072;

/// Slices of the engine's replay (`timetravel`'s 128 events each) that a
/// seek within what is computed runs at once, in the input's own task:
/// 2,000 slices, 256,000 events, about a tenth of a second in wasm. A
/// longer replay (an old moment of a long run replays from a checkpoint
/// hours back) goes on frame by frame, as a jump beyond the frontier
/// does: the page keeps answering, the clock shows how far the replay
/// got, and Play or Pause gives it up.
pub const SEEK_AT_ONCE_SLICES: u32 = 2_000;

pub const SPEEDS: [f64; 10] = [0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 25.0, 50.0, 100.0];

/// The transport's and time travel's messages.
#[derive(Debug, Clone, PartialEq)]
pub enum TransportMsg {
    TogglePlay,
    Play,
    Pause,
    StepForward,
    StepBack,
    /// Steps this many events forward (or back, negative).
    StepBy(i64),
    SetSpeed(f64),
    FasterSlower(bool),
    Seek(u64),
    SeekEvent(u64),
    /// Wall-clock time since the last frame (the app measures it).
    Frame(f64),
    /// Jumps to the frontier's violation `i` (the Go button).
    FocusViolation(usize),
    SelectBranch(usize),
}

impl TransportMsg {
    /// Picking a branch changes the run the app would report.
    pub fn acts(&self) -> bool {
        matches!(self, TransportMsg::SelectBranch(_))
    }
}

impl Model {
    pub(super) fn transport(&mut self, msg: TransportMsg) {
        if self.showing_import {
            // The imported run's clock (`import.rs`); the engine waits.
            self.import_transport(msg);
            return;
        }
        match msg {
            TransportMsg::TogglePlay => self.set_playing(!self.playing),
            TransportMsg::Play => self.set_playing(true),
            TransportMsg::Pause => self.set_playing(false),
            TransportMsg::StepForward => {
                self.set_playing(false);
                self.engine.step_forward();
                self.vt = self.engine.now_ms() as f64;
                self.check_violations();
                self.check_hazards();
            }
            TransportMsg::StepBack => {
                self.set_playing(false);
                self.engine.step_back();
                self.after_jump();
            }
            TransportMsg::StepBy(n) if n >= 0 => {
                self.set_playing(false);
                for _ in 0..n {
                    if !self.engine.step_forward() {
                        break;
                    }
                }
                self.vt = self.engine.now_ms() as f64;
                self.check_violations();
                self.check_hazards();
            }
            TransportMsg::StepBy(n) => {
                self.set_playing(false);
                let events = self.engine.sim().events();
                self.engine
                    .seek_event(events.saturating_sub(n.unsigned_abs()));
                self.after_jump();
            }
            TransportMsg::SetSpeed(s) => self.speed = s.clamp(SPEEDS[0], SPEEDS[SPEEDS.len() - 1]),
            TransportMsg::FasterSlower(faster) => {
                let i = SPEEDS.iter().position(|&s| s >= self.speed).unwrap_or(0);
                let j = if faster {
                    (i + 1).min(SPEEDS.len() - 1)
                } else {
                    i.saturating_sub(1)
                };
                self.speed = SPEEDS[j];
            }
            TransportMsg::Seek(t) => self.seek(t),
            TransportMsg::SeekEvent(n) => {
                self.set_playing(false);
                self.engine.seek_event(n);
                self.after_jump();
            }
            TransportMsg::Frame(dt) => self.frame(dt, &mut || true),
            TransportMsg::FocusViolation(i) => {
                if let Some(v) = self.engine.head().violations().get(i).cloned() {
                    self.focus = Some(i);
                    self.set_playing(false);
                    self.engine.seek_event(v.event);
                    self.after_jump();
                    self.selected = v.servers.first().copied().or(self.selected);
                }
            }
            TransportMsg::SelectBranch(id) => {
                if self.engine.select_branch(id) {
                    self.set_playing(false);
                    self.after_jump();
                }
            }
        }
    }

    /// Plays or pauses; either way, a jump under way is given up.
    fn set_playing(&mut self, on: bool) {
        self.playing = on;
        self.target = None;
    }

    fn seek(&mut self, t: u64) {
        self.playing = false;
        self.target = None;
        // Within what is computed: at once, unless the replay is long.
        // Beyond, or a long replay: frame by frame (`frame`).
        if t <= self.engine.frontier_ms() + 2_000 {
            let mut slices = 0u32;
            let mut budget = || {
                slices += 1;
                slices <= SEEK_AT_ONCE_SLICES
            };
            if self.engine.seek(t, &mut budget) {
                self.after_jump();
                return;
            }
            self.vt = self.engine.now_ms() as f64;
        }
        self.target = Some(t);
    }

    /// One animation frame: `wall_dt_ms` of wall time passed; `more()` says
    /// whether there is time left in this frame for more simulation.
    pub fn frame(&mut self, wall_dt_ms: f64, more: &mut dyn FnMut() -> bool) {
        let dt = wall_dt_ms.clamp(0.0, 100.0);
        if self.showing_import {
            self.import_frame(dt);
            return;
        }
        self.lagging = false;
        if let Some(t) = self.target {
            // A jump (a link's moment, a file's end, a far seek) goes where
            // it was asked to; violations found on the way are announced.
            if self.engine.seek(t, more) {
                self.target = None;
                if self.engine.live() {
                    self.vt = t as f64;
                    self.announce_violations();
                } else {
                    // A long replay into the past (`seek`): as if at once.
                    self.after_jump();
                }
            } else {
                self.vt = self.engine.now_ms() as f64;
            }
        } else if self.playing {
            self.play_frame(dt, more);
        }
    }

    /// Plays `dt` ms of wall time. A lesson's run stops at its goal, at
    /// least as fast as it must to get there in `player::RUN_WALL_MS`.
    fn play_frame(&mut self, dt: f64, more: &mut dyn FnMut() -> bool) {
        let goal = self.lesson_goal();
        let speed = goal.map_or(self.speed, |(_, min)| self.speed.max(min));
        let mut want = self.vt + dt * speed;
        if let Some((g, _)) = goal {
            want = want.min(g as f64);
        }
        if self.engine.seek(want.floor() as u64, more) {
            self.vt = want;
        } else {
            self.vt = self.engine.now_ms() as f64;
            self.lagging = true;
        }
        self.check_violations();
        self.check_hazards();
        if let (Some((g, _)), true) = (goal, self.playing) {
            if self.engine.now_ms() >= g {
                self.playing = false;
                self.lesson_goal_reached();
            }
        }
    }

    /// The page's wasm memory is `mb`: at the warning mark, once per run,
    /// pauses and says why and what to do (an error notice: it stays).
    pub fn memory(&mut self, mb: u32) {
        if self.memory_warned || mb < self.memory_warn_mb {
            return;
        }
        self.memory_warned = true;
        self.playing = false;
        let purging = self
            .engine
            .sim()
            .scenario()
            .ensemble
            .autopurge_purge_interval
            > 0;
        // Presenter mode says it in two lines, so the ensemble keeps its room.
        let (high, why) = match (self.presenter, purging) {
            (false, true) => (T::MemoryHigh, T::MemoryLong),
            (false, false) => (T::MemoryHigh, T::MemoryNoPurge),
            (true, true) => (T::MemoryHighShort, T::MemoryLongShort),
            (true, false) => (T::MemoryHighShort, T::MemoryNoPurgeShort),
        };
        let why = crate::i18n::tr(self.lang, why);
        let text = trf(self.lang, high, &[&mb.to_string(), why]);
        self.say(text, true);
    }

    /// Pauses on a violation the shown run (or the frontier) just reached,
    /// showing the state right after the event that broke the property.
    pub(crate) fn check_violations(&mut self) {
        let shown = self.engine.sim().violations().len();
        let head = self.engine.head().violations().len();
        let new_head = head > self.head_seen;
        self.head_seen = head;
        if shown > self.seen || new_head {
            let index = if shown > self.seen {
                self.seen
            } else {
                head - 1
            };
            let v = if shown > self.seen {
                self.engine.sim().violations()[index].clone()
            } else {
                self.engine.head().violations()[index].clone()
            };
            self.playing = false;
            self.target = None;
            self.engine.seek_event(v.event);
            self.vt = self.engine.now_ms() as f64;
            self.focus = Some(index);
            self.tab = Tab::Invariants;
            if let Some(&s) = v.servers.first() {
                self.selected = Some(s);
            }
            self.say(
                trf(
                    self.lang,
                    T::ViolationFound,
                    &[&v.property, &crate::fmt_ms(v.at_ms)],
                ),
                true,
            );
        }
        self.seen = self.engine.sim().violations().len();
    }

    /// After a jump: says that the run broke a property on the way (the
    /// Invariants tab has the Go button), without moving.
    pub(crate) fn announce_violations(&mut self) {
        let head = self.engine.head().violations();
        if head.len() > self.head_seen {
            let (index, v) = (self.head_seen, head[self.head_seen].clone());
            self.focus = Some(index);
            self.tab = Tab::Invariants;
            self.say(
                trf(
                    self.lang,
                    T::ViolationOnTheWay,
                    &[&v.property, &crate::fmt_ms(v.at_ms)],
                ),
                true,
            );
        }
        self.head_seen = self.engine.head().violations().len();
        self.seen = self.engine.sim().violations().len();
    }

    /// Says (without pausing) that the shown run just met a hazard:
    /// ZooKeeper behaviour an application must know, not a bug.
    pub(crate) fn check_hazards(&mut self) {
        let hazards = self.engine.sim().hazards();
        if let Some(h) = hazards.get(self.hazards_seen) {
            let text = trf(
                self.lang,
                T::HazardFound,
                &[h.kind, &crate::fmt_ms(h.at_ms)],
            );
            if self.notice.as_ref().is_none_or(|n| !n.error) {
                self.say(text, false);
            }
        }
        self.hazards_seen = self.engine.sim().hazards().len();
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{play_to, preset, seek};
    use super::*;
    use crate::model::{FileMsg, Msg, Source, AT_END};

    #[test]
    fn playing_advances_virtual_time_by_wall_time_times_speed() {
        let mut m = Model::opening().unwrap();
        m.apply(TransportMsg::SetSpeed(2.0).into());
        m.apply(TransportMsg::Play.into());
        m.frame(16.0, &mut || true);
        m.frame(16.0, &mut || true);
        assert!((m.vt - (Model::OPENING_MS as f64 + 64.0)).abs() < 1e-9);
        assert_eq!(m.engine.now_ms(), Model::OPENING_MS + 64);
        // A long pause of the page does not jump far ahead.
        m.frame(10_000.0, &mut || true);
        assert!((m.vt - (Model::OPENING_MS as f64 + 264.0)).abs() < 1e-9);
    }

    #[test]
    fn a_long_replay_goes_on_frame_by_frame_and_ends_where_at_once_would() {
        use zablab_core::Scenario;
        let mut sc = Scenario::from_json(include_str!(
            "../../../static/scenarios/bench/bench-1h.json"
        ))
        .unwrap();
        sc.until_ms = 120_000;
        let mut m = Model::with(sc.clone()).unwrap();
        // A checkpoint at the start only: every seek back replays from 0,
        // ~370,000 events for 90 s, more than `SEEK_AT_ONCE_SLICES` allow.
        m.engine = crate::engine::Engine::with_checkpoints_every(sc.clone(), u64::MAX).unwrap();
        seek(&mut m, 100_000);
        m.apply(TransportMsg::Seek(90_000).into());
        assert_eq!(m.target, Some(90_000), "not done at once");
        assert!(m.engine.now_ms() < 90_000 && !m.engine.live());
        assert_eq!(m.vt, m.engine.now_ms() as f64, "the clock shows how far");
        let mut frames = 0;
        while m.target.is_some() {
            let mut slices = 0;
            m.frame(16.0, &mut || {
                slices += 1;
                slices <= 200
            });
            frames += 1;
        }
        assert!(frames > 1, "{frames} frames");
        assert_eq!(m.engine.now_ms(), 90_000);
        assert_eq!(m.vt, 90_000.0);
        let mut at_once = crate::engine::Engine::new(sc).unwrap();
        at_once.seek(90_000, &mut || true);
        assert_eq!(m.engine.sim().events(), at_once.sim().events());
        assert_eq!(m.engine.sim().trace_hash(), at_once.sim().trace_hash());
        // A short replay (on from the moment shown) is still at once.
        m.apply(TransportMsg::Seek(91_000).into());
        assert_eq!((m.target, m.engine.now_ms()), (None, 91_000));
        // Play gives a long one up.
        m.apply(TransportMsg::Seek(80_000).into());
        assert!(m.target.is_some());
        m.apply(TransportMsg::Play.into());
        assert_eq!(m.target, None);
    }

    #[test]
    fn near_the_wasm_ceiling_a_playing_run_pauses_once_and_says_why() {
        let mut m = Model::opening().unwrap();
        m.apply(TransportMsg::Play.into());
        m.memory(MEMORY_WARN_MB - 1);
        assert!(
            m.playing && m.notice.is_none(),
            "below the mark nothing happens"
        );
        m.memory(MEMORY_WARN_MB);
        assert!(!m.playing, "paused at the mark");
        let n = m.notice.clone().expect("a notice");
        assert!(n.error, "it stays until dismissed");
        assert!(n.text.contains("3072 MB"), "{}", n.text);
        // The opening ensemble runs without autopurge, ZooKeeper's default.
        assert!(n.text.contains("autopurge.purgeInterval = 0"), "{}", n.text);
        // Once per run: the user may play on.
        m.notice = None;
        m.apply(TransportMsg::Play.into());
        m.memory(MEMORY_WARN_MB + 100);
        assert!(m.playing && m.notice.is_none());
        // What a playing model says at the mark.
        let warned = |mut m: Model| {
            m.apply(TransportMsg::Play.into());
            m.memory(MEMORY_WARN_MB);
            m.notice.expect("a notice").text
        };
        // A run with autopurge on is told what else keeps memory.
        let mut s = crate::setup::Setup::default().scenario();
        s.ensemble.autopurge_purge_interval = 1;
        let mut m = Model::with(s).unwrap();
        m.lang = crate::i18n::Lang::Zh;
        let text = warned(m);
        assert!(
            text.contains("3072 MB") && text.contains("时间旅行"),
            "{text}"
        );
        // Presenter mode says it shorter, with the same facts.
        let mut m = Model::opening().unwrap();
        m.presenter = true;
        let text = warned(m);
        assert!(
            text.contains("3072 of a tab's 4,096 MB") && text.contains("Autopurge is off"),
            "{text}"
        );
        assert!(text.len() < 140, "two lines at presenter size: {text}");
    }

    #[test]
    fn faster_and_slower_walk_the_speeds() {
        let mut m = Model::opening().unwrap();
        assert_eq!(m.speed, 0.5);
        m.apply(TransportMsg::FasterSlower(true).into());
        assert_eq!(m.speed, 1.0);
        m.apply(TransportMsg::FasterSlower(false).into());
        m.apply(TransportMsg::FasterSlower(false).into());
        assert_eq!(m.speed, 0.25);
        m.apply(TransportMsg::SetSpeed(1000.0).into());
        assert_eq!(m.speed, 100.0);
        m.apply(TransportMsg::FasterSlower(true).into());
        assert_eq!(m.speed, 100.0, "the fastest stays");
    }

    #[test]
    fn stepping_back_and_forth_moves_one_event() {
        let mut m = Model::opening().unwrap();
        let events = m.engine.sim().events();
        m.apply(TransportMsg::StepForward.into());
        assert_eq!(m.engine.sim().events(), events + 1);
        m.apply(TransportMsg::StepBack.into());
        assert_eq!(m.engine.sim().events(), events);
        assert!(!m.playing);
        m.apply(TransportMsg::StepBy(10).into());
        assert_eq!(m.engine.sim().events(), events + 10);
        m.apply(TransportMsg::StepBy(-3).into());
        assert_eq!(m.engine.sim().events(), events + 7);
        m.apply(TransportMsg::StepBy(-1_000_000).into());
        assert_eq!(m.engine.sim().events(), 0, "not before the start");
    }

    #[test]
    fn a_museum_violation_pauses_the_run_at_the_breaking_event() {
        let json = include_str!("../../../static/scenarios/museum/bug_zk2845_no_fast_forward.json");
        let mut m = preset(json);
        m.apply(TransportMsg::SetSpeed(100.0).into());
        m.apply(TransportMsg::Play.into());
        for _ in 0..100_000 {
            m.frame(100.0, &mut || true);
            if !m.playing {
                break;
            }
        }
        assert!(!m.playing, "paused by the violation");
        let v = m.engine.sim().violations();
        assert_eq!(m.focus, Some(0));
        assert_eq!(
            m.engine.sim().events(),
            v[0].event,
            "shown right after the event"
        );
        assert_eq!(m.tab, Tab::Invariants);
    }

    #[test]
    fn a_jump_goes_where_asked_and_announces_violations_on_the_way() {
        let json = include_str!("../../../static/scenarios/museum/bug_zk2845_no_fast_forward.json");
        let mut m = Model::opening().unwrap();
        m.apply(Msg::File(FileMsg::Load {
            source: Source::File,
            json: json.to_string(),
            at: Some(AT_END),
        }));
        let end = m.engine.head().scenario().until_ms;
        assert_eq!(m.target, Some(end));
        while m.target.is_some() {
            m.frame(16.0, &mut || true);
        }
        assert_eq!(
            m.engine.now_ms(),
            end,
            "at the file's end, not at the violation"
        );
        assert!(!m.engine.sim().violations().is_empty());
        let n = m.notice.clone().unwrap();
        assert!(
            n.error && n.text.contains("see the Invariants tab"),
            "{}",
            n.text
        );
        assert_eq!(m.focus, Some(0));
        // Go jumps to it.
        m.apply(TransportMsg::FocusViolation(0).into());
        assert_eq!(
            m.engine.sim().events(),
            m.engine.head().violations()[0].event
        );
    }

    #[test]
    fn the_lock_hazard_is_announced_without_pausing() {
        let json = include_str!("../../../static/scenarios/lock-fencing-hazard.json");
        let mut m = preset(json);
        m.apply(TransportMsg::SetSpeed(100.0).into());
        m.apply(TransportMsg::Play.into());
        let mut said = false;
        while m.engine.now_ms() < 40_000 {
            m.frame(100.0, &mut || true);
            said |= m
                .notice
                .as_ref()
                .is_some_and(|n| n.text.starts_with("Hazard LockHolderExpired"));
            assert!(m.playing, "a hazard does not pause");
        }
        assert!(said);
        assert_eq!(m.engine.sim().hazards()[0].kind, "LockHolderExpired");
        let b = m
            .engine
            .sim()
            .recipe_views()
            .into_iter()
            .find(|v| v.client == "b")
            .unwrap();
        assert!(b.holds, "{b:?}");
    }

    #[test]
    fn the_stale_sync_read_is_a_hazard_too() {
        let json = include_str!("../../../static/scenarios/sync-stale-leader.json");
        let mut m = preset(json);
        play_to(&mut m, 20_000);
        let h = m.engine.sim().hazards();
        assert_eq!(h[0].kind, "SyncReadNotLinearizable", "{h:?}");
        assert!(m.engine.sim().violations().is_empty());
        assert!(m.engine.sim().reads().iter().any(|r| r.op == "sync"));
    }

    #[test]
    fn a_far_seek_is_computed_frame_by_frame() {
        let mut m = Model::opening().unwrap();
        let far = m.engine.frontier_ms() + 10_000;
        m.apply(TransportMsg::Seek(far).into());
        assert_eq!(m.target, Some(far), "beyond the frontier: a target");
        seek(&mut m, far);
        assert!(!m.busy());
    }
}

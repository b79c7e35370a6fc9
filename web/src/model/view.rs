//! What is shown, not what runs: the selected server, the side panel's
//! tab, the language, presenter mode, the dialogs (help, the first
//! visit's welcome; Esc closes the topmost of every dialog), the
//! diagram's window, the log's filter, notices, a diagnosis finding
//! marked in the cluster view and the page of a lesson step shown in
//! presenter mode. None of these messages touches the engine.

use zablab_core::proto::Sid;
use zablab_core::server::Level;

use crate::i18n::Lang;
use crate::model::Model;

pub const WINDOWS_MS: [u64; 7] = [100, 500, 2_000, 5_000, 20_000, 60_000, 300_000];

/// The panels of the side area.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Server,
    Network,
    Clients,
    Log,
    Invariants,
    Diagnosis,
}

/// A diagnosis finding the user clicked: what the cluster view marks.
/// A copy, so it stays while the diagnosis changes with time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiagFocus {
    pub id: &'static str,
    pub server: Option<Sid>,
    pub servers: Vec<Sid>,
    /// `(from, to)` of the finding's links.
    pub links: Vec<(Sid, Sid)>,
}

/// The pages of the lesson step shown in presenter mode (`crate::pages`):
/// the first piece of each page, measured by the lesson panel, and the
/// page shown.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pages {
    pub starts: Vec<usize>,
    pub at: usize,
}

impl Pages {
    pub fn count(&self) -> usize {
        self.starts.len().max(1)
    }

    /// Whether a page follows the one shown.
    pub fn more(&self) -> bool {
        self.at + 1 < self.count()
    }
}

/// The view's messages.
#[derive(Debug, Clone, PartialEq)]
pub enum ViewMsg {
    Select(Option<Sid>),
    Tab(Tab),
    SetLang(Lang),
    TogglePresenter,
    ToggleHelp,
    SetWindow(u64),
    LogServer(Option<Sid>),
    LogLevel(Level),
    /// Hides the notice.
    DismissNotice,
    /// Esc: closes the topmost dialog (help, the course outline, the new
    /// ensemble form, the welcome), else the notice.
    Escape,
    /// The welcome's "Explore": closed (the app remembers it).
    CloseWelcome,
    /// The welcome's "Start the course": closed, the course outline open.
    StartCourse,
    /// The lesson panel measured its pages (presenter mode).
    Pages(Pages),
    /// Shows page `n` of the lesson step (presenter mode).
    Page(usize),
    /// An information for the user, already in their language.
    Notice(String),
    /// Marks (or unmarks) a diagnosis finding's servers and links.
    FocusFinding(Option<DiagFocus>),
}

impl Model {
    pub(super) fn view(&mut self, msg: ViewMsg) {
        match msg {
            ViewMsg::Select(s) => {
                self.selected = s;
                if s.is_some() {
                    self.tab = Tab::Server;
                }
            }
            ViewMsg::Tab(t) => self.tab = t,
            ViewMsg::SetLang(l) => self.lang = l,
            ViewMsg::TogglePresenter => self.presenter = !self.presenter,
            ViewMsg::ToggleHelp => self.help = !self.help,
            ViewMsg::SetWindow(w) => {
                self.window_ms = w.clamp(WINDOWS_MS[0], WINDOWS_MS[WINDOWS_MS.len() - 1]);
                // A seek replays at least the window, so the diagram is full.
                self.engine.set_context_ms(self.window_ms);
            }
            ViewMsg::LogServer(s) => self.log_server = s,
            ViewMsg::LogLevel(l) => self.log_level = l,
            ViewMsg::DismissNotice => self.notice = None,
            ViewMsg::Escape => self.escape(),
            ViewMsg::CloseWelcome => self.welcome = false,
            ViewMsg::StartCourse => {
                self.welcome = false;
                self.course_open = true;
            }
            ViewMsg::Pages(p) => self.pages = p,
            ViewMsg::Page(n) => self.pages.at = n.min(self.pages.count() - 1),
            ViewMsg::Notice(text) => self.say(text, false),
            ViewMsg::FocusFinding(f) => {
                let same = f.as_ref().is_some_and(|f| {
                    self.diag_focus
                        .as_ref()
                        .is_some_and(|d| d.id == f.id && d.server == f.server)
                });
                self.diag_focus = if same { None } else { f };
            }
        }
    }
}

impl Model {
    /// Which dialog is open, topmost first (what Esc closes and where the
    /// focus is kept): "help", "course", "setup" or "welcome".
    pub fn dialog(&self) -> Option<&'static str> {
        if self.help {
            Some("help")
        } else if self.course_open {
            Some("course")
        } else if self.setup_open {
            Some("setup")
        } else if self.import.open {
            Some("import")
        } else if self.import.plan_open {
            Some("replay")
        } else if self.welcome {
            Some("welcome")
        } else {
            None
        }
    }

    fn escape(&mut self) {
        match self.dialog() {
            Some("help") => self.help = false,
            Some("course") => self.course_open = false,
            Some("setup") => self.setup_open = false,
            Some("import") => self.import.open = false,
            Some("replay") => self.import.plan_open = false,
            Some(_) => self.welcome = false,
            None => self.notice = None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{play_to, preset, seek};
    use super::*;
    use crate::engine::Engine;
    use zablab_core::Scenario;

    #[test]
    fn a_finding_is_marked_and_unmarked() {
        let json = include_str!("../../../static/scenarios/node-failure-majority.json");
        let mut m = preset(json);
        play_to(&mut m, 15_000);
        let d = m.engine.sim().diagnose();
        let f = d.of("no_quorum").next().expect("no quorum at 15 s");
        let focus = DiagFocus {
            id: f.id,
            server: f.server,
            servers: f.servers.clone(),
            links: Vec::new(),
        };
        m.apply(ViewMsg::FocusFinding(Some(focus.clone())).into());
        assert_eq!(m.diag_focus.as_ref(), Some(&focus));
        m.apply(ViewMsg::FocusFinding(Some(focus)).into());
        assert_eq!(m.diag_focus, None, "a second click unmarks");
    }

    #[test]
    fn selecting_a_server_opens_its_inspector_and_the_window_stays_in_range() {
        let mut m = Model::opening().unwrap();
        m.apply(ViewMsg::Tab(Tab::Log).into());
        m.apply(ViewMsg::Select(None).into());
        assert_eq!(m.tab, Tab::Log);
        m.apply(ViewMsg::Select(Some(2)).into());
        assert_eq!((m.selected, m.tab), (Some(2), Tab::Server));
        m.apply(ViewMsg::SetWindow(1).into());
        assert_eq!(m.window_ms, WINDOWS_MS[0]);
        m.apply(ViewMsg::Notice("hello".into()).into());
        m.apply(ViewMsg::DismissNotice.into());
        assert!(m.notice.is_none());
    }

    #[test]
    fn esc_closes_the_topmost_dialog_then_the_notice() {
        let mut m = Model::opening().unwrap();
        m.welcome = true;
        m.setup_open = true;
        m.course_open = true;
        m.help = true;
        m.apply(ViewMsg::Notice("hello".into()).into());
        let mut closed = Vec::new();
        while let Some(d) = m.dialog() {
            closed.push(d);
            m.apply(ViewMsg::Escape.into());
        }
        assert_eq!(closed, ["help", "course", "setup", "welcome"]);
        assert!(m.notice.is_some(), "the notice outlives the dialogs");
        m.apply(ViewMsg::Escape.into());
        assert!(m.notice.is_none());
    }

    #[test]
    fn the_welcome_starts_the_course_or_lets_explore() {
        let mut m = Model::opening().unwrap();
        m.welcome = true;
        m.apply(ViewMsg::StartCourse.into());
        assert!(!m.welcome && m.course_open);
        m.welcome = true;
        m.course_open = false;
        m.apply(ViewMsg::CloseWelcome.into());
        assert!(!m.welcome && !m.course_open);
    }

    #[test]
    fn a_page_stays_within_the_pages() {
        let mut m = Model::opening().unwrap();
        m.apply(
            ViewMsg::Pages(Pages {
                starts: vec![0, 3],
                at: 0,
            })
            .into(),
        );
        assert!(m.pages.more());
        m.apply(ViewMsg::Page(5).into());
        assert_eq!(m.pages.at, 1);
        assert!(!m.pages.more());
    }

    #[test]
    fn after_a_seek_back_the_diagram_reaches_across_the_whole_window() {
        // Under load, where checkpoints are about a second apart and keep
        // no messages: the replay must start a whole window back.
        let json = include_str!("../../../static/scenarios/load-1h-5srv.json");
        let mut m = preset(json);
        play_to(&mut m, 60_000);
        m.apply(ViewMsg::SetWindow(WINDOWS_MS[3]).into());
        let t = 45_000;
        seek(&mut m, t);
        let h = m.engine.sim().message_history();
        let first = h.get(h.first()).expect("messages").at_ms;
        assert!(
            first + WINDOWS_MS[3] <= t + 100,
            "first at {first}, shown {t}"
        );
    }

    /// The diagnosis's cost on the one-hour load preset (run with
    /// `cargo test -p zablab-web --release -- --ignored --nocapture`).
    #[test]
    #[ignore]
    fn diagnosis_cost_on_the_one_hour_preset() {
        let json = include_str!("../../../static/scenarios/load-1h-5srv.json");
        let mut e = Engine::new(Scenario::from_json(json).unwrap()).unwrap();
        for t in [60_000u64, 600_000, 1_800_000, 3_600_000] {
            e.seek(t, &mut || true);
            let t0 = std::time::Instant::now();
            let n = 20;
            let mut findings = 0;
            for _ in 0..n {
                findings = e.sim().diagnose().findings.len();
            }
            let per = t0.elapsed().as_secs_f64() * 1000.0 / n as f64;
            println!(
                "diagnose at {t} ms: {per:.3} ms per call, {findings} findings, {} events",
                e.sim().events()
            );
        }
    }
}

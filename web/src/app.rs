//! The app root: owns the [`Model`] and the browser effects around it —
//! the `requestAnimationFrame` loop (virtual_dt = wall_dt × speed, with a
//! per-frame work budget), keyboard shortcuts (`keys.rs` maps them; here
//! they are read whatever has focus), the focus around dialogs
//! (`app/focus.rs`), the opening and the first visit's welcome
//! (`app/first.rs`), the URL fragment (share links, lesson links, `lang=`;
//! `app/url.rs`), file import/export, loading presets and the course
//! (`app/files.rs`) — and renders the panels. A lesson in presenter mode
//! shows only the cluster view and the lesson.
//!
//! Children get a [`Shared`] handle on the model plus a revision number:
//! a child re-renders only when its revision changes. The cluster view,
//! transport, timeline and diagram follow every frame; the side panels
//! (log, inspector, invariants) at most five times a second while playing.
//!
//! It never changes the model but through `Model::apply` and
//! `Model::frame` (the one exception: an info notice's timeout).

use gloo_events::EventListener;
use gloo_render::AnimationFrame;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::browser;
use crate::i18n::{tr, trf, Lang, T};
use crate::model::{FileMsg, Model, Msg, Notice, ViewMsg};
use crate::perf::FrameStats;
use crate::ui::{
    course_dialog, import_dialog, Cluster, Diagram, FileActions, Header, ImportActions,
    LessonPanel, Shared, SidePanel, Transport,
};

mod files;
mod first;
mod focus;
mod import;
mod url;

/// ARIA role and test id of an info (0) and an error (1) notice.
const NOTICE_ROLE: [&str; 2] = ["status", "alert"];
const NOTICE_ID: [&str; 2] = ["info", "error"];
/// Work budget per animation frame for the simulation, in ms.
const FRAME_BUDGET_MS: f64 = 9.0;
/// The side panels refresh at most this often while playing, in ms.
const SLOW_REFRESH_MS: f64 = 200.0;

/// What the root component handles.
pub enum AppMsg {
    Do(Msg),
    /// An animation frame at this `performance.now()`.
    Tick(f64),
    Key(web_sys::KeyboardEvent),
    HashChanged,
    Export,
    ExportSvg,
    Share,
    Import(web_sys::File),
    LoadPreset(String),
    TestPanic,
    /// Hide the info notice if it is still this one.
    NoticeTimeout(String),
    /// The course index arrived: fetch its lessons.
    CourseIndex(Result<Vec<String>, String>),
    /// Logs dropped or picked in "Import logs" (`app/import.rs`).
    ImportFiles(Vec<web_sys::File>),
    /// The user said which server file `index` is.
    ImportSid(usize, Option<u32>),
    ImportForget,
}

/// `course`: lesson texts to use instead of fetching `lessons/` (the
/// browser tests' fixture).
#[derive(Properties, PartialEq, Default)]
pub struct AppProps {
    #[prop_or_default]
    pub course: Option<Vec<String>>,
}

pub struct App {
    model: Shared,
    send: Callback<Msg>,
    files: FileActions,
    import_actions: ImportActions,
    /// The imported files (read again when more are added).
    imports: import::ImportFiles,
    export_svg: Callback<()>,
    frame: Option<AnimationFrame>,
    last_tick: Option<f64>,
    frame_start: Option<f64>,
    rev: u64,
    slow_rev: u64,
    slow_at: f64,
    stats: FrameStats,
    share_link: Option<String>,
    /// The fragment this page set itself (a share), not to be reloaded.
    own_fragment: String,
    /// Hides an info notice after a while (errors stay until dismissed).
    notice_timer: Option<gloo_timers::callback::Timeout>,
    notice_shown: Option<String>,
    /// What the URL fragment last said of the language and lesson.
    url_state: Option<(Lang, Option<(String, usize)>)>,
    /// Focus moves around dialogs, and the 4lw answer's scroll.
    focus: focus::Focus,
    _keys: Option<EventListener>,
    _hash: Option<EventListener>,
}

impl App {
    fn m(&self) -> std::cell::Ref<'_, Model> {
        self.model.0.borrow()
    }

    fn schedule(&mut self, ctx: &Context<Self>) {
        if self.frame.is_none() && self.m().busy() {
            let link = ctx.link().clone();
            self.frame = Some(gloo_render::request_animation_frame(move |_| {
                link.send_message(AppMsg::Tick(browser::now()));
            }));
        }
        if !self.m().busy() {
            self.frame = None;
            self.last_tick = None;
        }
    }

    /// One animation frame: the model computes within the frame's budget.
    fn tick(&mut self, now: f64) {
        self.frame = None;
        self.frame_start = Some(now);
        let dt = self.last_tick.map_or(16.7, |t| now - t);
        self.last_tick = Some(now);
        let deadline = now + FRAME_BUDGET_MS;
        let mut m = self.model.0.borrow_mut();
        m.frame(dt, &mut || browser::now() < deadline);
        if m.playing {
            m.memory(browser::wasm_memory_mb());
        }
        drop(m);
        if !self.m().busy() {
            self.remember();
        }
    }

    /// Info notices go away after a few seconds; errors stay.
    fn arm_notice_timer(&mut self, ctx: &Context<Self>) {
        let current = self
            .m()
            .notice
            .as_ref()
            .filter(|n| !n.error)
            .map(|n| n.text.clone());
        if current != self.notice_shown {
            self.notice_shown = current.clone();
            self.notice_timer = current.map(|text| {
                let link = ctx.link().clone();
                gloo_timers::callback::Timeout::new(6_000, move || {
                    link.send_message(AppMsg::NoticeTimeout(text))
                })
            });
        }
    }

    /// Hides the info notice `text` if it is still shown; false if not.
    fn notice_timeout(&mut self, text: &str) -> bool {
        let same = self
            .m()
            .notice
            .as_ref()
            .is_some_and(|n| !n.error && n.text == text);
        if same {
            self.model.0.borrow_mut().notice = None;
        }
        same
    }

    fn remember(&self) {
        let m = self.m();
        crate::panic::remember(&m.engine.export(), m.lang);
    }

    fn do_msg(&mut self, msg: Msg) {
        let (replaced, acts) = (msg.replaces_run(), msg.acts());
        let lang_or_presenter = matches!(
            msg,
            Msg::View(ViewMsg::SetLang(_) | ViewMsg::TogglePresenter)
        );
        if matches!(msg, Msg::Fault(crate::model::FaultMsg::FourLw(..))) {
            self.focus.answer_asked();
        }
        // Frame statistics describe one playing session at a time.
        let (was_playing, dialog, welcome) = {
            let m = self.m();
            (m.playing, m.dialog(), m.welcome)
        };
        self.model.0.borrow_mut().apply(msg);
        let (now_dialog, now_welcome) = (self.m().dialog(), self.m().welcome);
        self.focus.dialog_changed(dialog, now_dialog);
        if welcome && !now_welcome {
            first::welcome_seen();
        }
        if !was_playing && self.m().playing {
            self.stats = FrameStats::default();
        }
        if replaced || acts {
            self.remember();
        }
        if replaced {
            self.share_link = None;
        }
        if lang_or_presenter {
            let m = self.m();
            browser::set_root_state(m.lang, m.presenter);
        }
    }

    /// A key's shortcut (false: none, the key is the page's). Tab in a
    /// modal dialog stays inside it.
    fn key(&mut self, e: &web_sys::KeyboardEvent) -> bool {
        if e.key() == "Tab" {
            if self.m().dialog().is_some() && focus::trap_tab(e.shift_key()) {
                e.prevent_default();
            }
            return false;
        }
        let mut at = crate::keys::at(e);
        {
            let m = self.m();
            at.dialog = m.dialog().is_some();
            at.lesson = (m.presenter && m.lesson.is_some()).then(|| m.pages.clone());
            at.frontier_ms = m.engine.frontier_ms();
        }
        let Some(msg) = crate::keys::message_for(&e.key(), &at) else {
            return false;
        };
        // Also keeps Space from clicking the focused button again and the
        // timeline from moving by 1 ms.
        e.prevent_default();
        self.do_msg(msg);
        true
    }

    /// After a change: children's revisions, the notice timer, the next
    /// frame, the URL.
    fn after_update(&mut self, ctx: &Context<Self>) {
        self.rev += 1;
        self.arm_notice_timer(ctx);
        let now = browser::now();
        let playing = self.m().playing;
        if !playing || now - self.slow_at >= SLOW_REFRESH_MS {
            self.slow_rev = self.rev;
            self.slow_at = now;
        }
        self.schedule(ctx);
        self.sync_url();
    }

    /// The document's key and hash listeners.
    fn listeners(ctx: &Context<Self>) -> (Option<EventListener>, Option<EventListener>) {
        let keys = {
            let link = ctx.link().clone();
            browser::document().map(|d| {
                let opts = gloo_events::EventListenerOptions::enable_prevent_default();
                EventListener::new_with_options(&d, "keydown", opts, move |e| {
                    if let Some(k) = e.dyn_ref::<web_sys::KeyboardEvent>() {
                        link.send_message(AppMsg::Key(k.clone()));
                    }
                })
            })
        };
        let hash = {
            let link = ctx.link().clone();
            web_sys::window().map(|w| {
                EventListener::new(&w, "hashchange", move |_| {
                    link.send_message(AppMsg::HashChanged)
                })
            })
        };
        (keys, hash)
    }

    /// The notice, with its dismiss button.
    fn notice(&self, lang: Lang, n: Notice) -> Html {
        let dismiss = {
            let send = self.send.clone();
            Callback::from(move |_| send.emit(ViewMsg::DismissNotice.into()))
        };
        html! {
            <div class={classes!("notice", n.error.then_some("error"))}
                 role={NOTICE_ROLE[n.error as usize]} data-testid="notice">
                <span data-testid={NOTICE_ID[n.error as usize]}>{ n.text }</span>
                <button class="dismiss" aria-label={tr(lang, T::Dismiss)} onclick={dismiss}>{ "×" }</button>
            </div>
        }
    }
}

impl Component for App {
    type Message = AppMsg;
    type Properties = AppProps;

    fn create(ctx: &Context<Self>) -> Self {
        let fragment = browser::fragment();
        // A link opens what it says (and no welcome over it).
        let mut model = if App::fragment_opens_run(&fragment) {
            Model::opening().expect("the opening ensemble is valid (tested natively)")
        } else {
            first::opening()
        };
        App::open_fragment(&mut model, &fragment);
        let shared = Shared::new(model);
        let link = ctx.link().clone();
        let send = Callback::from(move |m: Msg| link.send_message(AppMsg::Do(m)));
        let (keys, hash) = App::listeners(ctx);
        let files = App::file_actions(ctx);
        let app = App {
            model: shared,
            send,
            export_svg: files.export_svg.clone(),
            files,
            import_actions: ImportActions {
                files: ctx.link().callback(AppMsg::ImportFiles),
                sid: ctx
                    .link()
                    .callback(|(name, sid)| AppMsg::ImportSid(name, sid)),
                forget: ctx.link().callback(|_| AppMsg::ImportForget),
            },
            imports: import::ImportFiles::default(),
            frame: None,
            last_tick: None,
            frame_start: None,
            rev: 0,
            slow_rev: 0,
            slow_at: 0.0,
            stats: FrameStats::default(),
            share_link: None,
            own_fragment: String::new(),
            notice_timer: None,
            notice_shown: None,
            url_state: None,
            focus: focus::Focus::default(),
            _keys: keys,
            _hash: hash,
        };
        app.remember();
        // Tests reach the memory warning without 3 GB of memory.
        if let Some(mb) = browser::query_value("memory-warn-mb").and_then(|v| v.parse().ok()) {
            app.model.0.borrow_mut().memory_warn_mb = mb;
        }
        browser::set_root_state(app.m().lang, app.m().presenter);
        if browser::query_has("test-panic") {
            ctx.link().send_message(AppMsg::TestPanic);
        }
        let link = ctx.link().clone();
        browser::fetch_text("scenarios/index.json", move |r| {
            let presets = r.and_then(|text| crate::presets::parse_index(&text));
            link.send_message(AppMsg::Do(FileMsg::Presets(presets).into()))
        });
        App::fetch_course(ctx);
        app
    }

    fn update(&mut self, ctx: &Context<Self>, msg: AppMsg) -> bool {
        let changed = match msg {
            AppMsg::NoticeTimeout(text) => self.notice_timeout(&text),
            AppMsg::TestPanic => {
                panic!("test-panic: a deliberate panic (?test-panic) to show the report overlay")
            }
            AppMsg::Do(msg) => {
                self.do_msg(msg);
                true
            }
            AppMsg::Tick(now) => {
                self.tick(now);
                true
            }
            AppMsg::CourseIndex(r) => {
                self.course_index(ctx, r);
                true
            }
            AppMsg::Key(e) => self.key(&e),
            AppMsg::HashChanged => self.hash_changed(),
            AppMsg::Export => {
                self.export();
                true
            }
            AppMsg::ExportSvg => {
                self.export_svg();
                true
            }
            AppMsg::Share => {
                self.share();
                true
            }
            AppMsg::Import(file) => {
                App::import(ctx, file);
                false
            }
            AppMsg::LoadPreset(path) => {
                App::load_preset(ctx, &path);
                false
            }
            AppMsg::ImportFiles(files) => {
                self.import_files(ctx, files);
                false
            }
            AppMsg::ImportSid(i, sid) => {
                self.import_sid(ctx, i, sid);
                false
            }
            AppMsg::ImportForget => {
                self.import_clear();
                self.do_msg(crate::model::ImportMsg::Clear.into());
                true
            }
        };
        if changed {
            self.after_update(ctx);
        }
        changed
    }

    fn view(&self, _ctx: &Context<Self>) -> Html {
        let m = self.m();
        // Presenter outside a lesson and an imported run: the stage takes
        // what the header and a notice leave of the screen (style.css).
        let fit = m.presenter && !m.showing_import;
        let class = classes!(
            "zablab",
            m.presenter.then_some("presenter"),
            fit.then_some("screen-fit")
        );
        let lang = m.lang;
        let notice = m.notice.clone().map(|n| self.notice(lang, n));
        let help = m.help.then(|| crate::ui::help(lang, &self.send));
        let welcome = m.welcome.then(|| crate::ui::welcome(lang, &self.send));
        let in_lesson = m.lesson.is_some();
        let presented = in_lesson && m.presenter;
        let course = m.course_open.then(|| course_dialog(&m, &self.send));
        let import = m
            .import
            .open
            .then(|| import_dialog(&m, &self.send, &self.import_actions));
        let replay = m
            .import
            .plan_open
            .then(|| crate::ui::replay_dialog(&m, &self.send));
        let beside = (m.import.replaying && !m.showing_import)
            .then(|| crate::ui::replay_beside(&m, &self.send));
        drop(m);
        let lesson = in_lesson.then(|| {
            html! { <LessonPanel model={self.model.clone()} rev={self.rev} send={self.send.clone()} /> }
        });
        let showing_import = self.m().showing_import && !presented;
        let diagram = html! {
            <Diagram model={self.model.clone()} rev={self.rev} send={self.send.clone()}
                     export={self.export_svg.clone()} />
        };
        let cluster = if showing_import {
            // The imported run where the cluster view is.
            crate::ui::imported_stage(&self.m(), &self.send)
        } else {
            html! { <Cluster model={self.model.clone()} rev={self.rev} send={self.send.clone()} /> }
        };
        if presented {
            // Only the ensemble and the narration, large, for a room.
            return html! {
                <div class={classes!(class, "lesson-presenter")} lang={lang.code()}>
                    { for notice }
                    <main class="stage">
                        <section class="left">{ cluster }</section>
                        { for lesson }
                    </main>
                    <div class="dialogs">
                        { for course }
                        { for help }
                    </div>
                </div>
            };
        }
        html! {
            <div class={class} lang={lang.code()}>
                // What a presenter keeps on the screen (`screen-fit`);
                // otherwise no box of its own (`display: contents`).
                <div class="screen">
                <Header model={self.model.clone()} rev={self.rev} send={self.send.clone()}
                        files={self.files.clone()} share_link={self.share_link.clone()} />
                { for notice }
                <main class="stage">
                    <section class="left">
                        { cluster }
                        <Transport model={self.model.clone()} rev={self.rev} send={self.send.clone()} />
                        // An import's stage is short: its lanes come up, on screen.
                        if showing_import { { diagram.clone() } }
                    </section>
                    <div class="right">
                        { for beside }
                        { for lesson }
                        <SidePanel model={self.model.clone()} rev={self.slow_rev} send={self.send.clone()} />
                    </div>
                </main>
                </div>
                if !showing_import { { diagram } }
                // One stable element holds the dialogs: a dialog that
                // appears never makes the page's elements before it be
                // drawn anew (the header was, and its button lost the
                // focus it must get back when the dialog closes).
                <div class="dialogs">
                    { for welcome }
                    { for course }
                    { for import }
                    { for replay }
                    { for help }
                </div>
                <span hidden=true data-testid="frame-stats">{ self.stats.summary() }</span>
                <footer class="foot">{ trf(lang, T::Footer, &[]) }</footer>
            </div>
        }
    }

    fn rendered(&mut self, ctx: &Context<Self>, first: bool) {
        if let Some(start) = self.frame_start.take() {
            self.stats.push(browser::now() - start);
        }
        if first {
            // The opening may play from the start (`app/first.rs`), and
            // the welcome takes the focus.
            let dialog = self.m().dialog();
            self.focus.dialog_changed(None, dialog);
            self.schedule(ctx);
        }
        self.focus.after_render();
    }
}

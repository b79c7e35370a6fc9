//! The app root: owns the [`Model`] and the browser effects around it —
//! the `requestAnimationFrame` loop (virtual_dt = wall_dt × speed, with a
//! per-frame work budget), keyboard shortcuts, the URL fragment (share
//! links, lesson links, `lang=`), file import/export, loading presets and
//! the course — and renders the panels. A lesson in presenter mode shows
//! only the cluster view and the lesson.
//!
//! Children get a [`Shared`] handle on the model plus a revision number:
//! a child re-renders only when its revision changes. The cluster view,
//! transport, timeline and diagram follow every frame; the side panels
//! (log, inspector, invariants) at most five times a second while playing.

use gloo_events::EventListener;
use gloo_render::AnimationFrame;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::browser;
use crate::i18n::{tr, trf, Lang, T};
use crate::model::{Model, Msg, Source, AT_END};
use crate::perf::FrameStats;
use crate::ui::{
    course_dialog, Cluster, Diagram, FileActions, Header, LessonPanel, Shared, SidePanel, Transport,
};
use crate::{course, share};

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

    fn remember(&self) {
        let m = self.m();
        crate::panic::remember(&m.engine.export(), m.lang);
    }

    fn do_msg(&mut self, msg: Msg) {
        let replaced = matches!(
            msg,
            Msg::Load { .. }
                | Msg::NewEnsemble
                | Msg::OpenLesson(..)
                | Msg::LessonLink(_)
                | Msg::LessonText(..)
                | Msg::LessonNext
                | Msg::LessonSkip
        );
        let acts = matches!(
            msg,
            Msg::Crash(_)
                | Msg::Restart(_)
                | Msg::PauseServer(_)
                | Msg::SlowDisk(_)
                | Msg::CrashLeader
                | Msg::ApplyPartition
                | Msg::Heal
                | Msg::Cut
                | Msg::SlowLink
                | Msg::DropNext
                | Msg::Connect
                | Msg::Write(_)
                | Msg::Read(_)
                | Msg::ReadWatch(_)
                | Msg::Sync(_)
                | Msg::CreateSequential(_)
                | Msg::Multi(_)
                | Msg::RunRecipe(_)
                | Msg::StartLoad(_)
                | Msg::Close(_)
                | Msg::SelectBranch(_)
        );
        let lang_or_presenter = matches!(msg, Msg::SetLang(_) | Msg::TogglePresenter);
        // Frame statistics describe one playing session at a time.
        let was_playing = self.m().playing;
        self.model.0.borrow_mut().apply(msg);
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

    /// Keeps the URL fragment saying the language (`lang=`, once it is
    /// not English or a link named one) and, in a lesson, the lesson and
    /// step: a reload or a copied address opens the same place.
    fn sync_url(&mut self) {
        let state = {
            let m = self.m();
            (
                m.lang,
                m.lesson.as_ref().map(|p| (p.lesson.id.clone(), p.step)),
            )
        };
        if self.url_state.as_ref() == Some(&state) {
            return;
        }
        let had_lesson = self.url_state.as_ref().is_some_and(|s| s.1.is_some());
        let (lang, lesson) = state.clone();
        self.url_state = Some(state);
        let frag = browser::fragment();
        let want = match &lesson {
            Some((id, step)) => course::encode_link(id, step + 1, lang),
            None => {
                let mut f = frag.clone();
                if had_lesson || share::param(&f, "lesson").is_some() {
                    f = share::with_param(&f, "lesson", None);
                    f = share::with_param(&f, "step", None);
                }
                if lang != Lang::En || share::param(&f, "lang").is_some() {
                    f = share::with_param(&f, "lang", Some(lang.code()));
                }
                f
            }
        };
        if want != frag {
            browser::set_fragment(&want);
            self.own_fragment = want;
        }
    }

    /// Follows what a fragment asks for: a language, a lesson, a run.
    fn open_fragment(model: &mut Model, fragment: &str) {
        if let Some(l) = share::param(fragment, "lang") {
            model.apply(Msg::SetLang(Lang::from_code(l)));
        }
        match course::lesson_link(fragment) {
            Some(Ok(link)) => return model.apply(Msg::LessonLink(link)),
            Some(Err(e)) => {
                let text = match e {
                    course::LinkProblem::BadStep(s) => trf(model.lang, T::LessonLinkBadStep, &[&s]),
                    course::LinkProblem::BadId => tr(model.lang, T::LessonLinkBadId).to_string(),
                };
                return model.apply(Msg::LoadFailed(Source::Link, text));
            }
            None => {}
        }
        if share::is_share(fragment) {
            match share::decode(fragment) {
                Ok((json, at)) => model.apply(Msg::Load {
                    source: Source::Link,
                    json,
                    at: Some(at.unwrap_or(AT_END)),
                }),
                Err(e) => model.apply(Msg::LoadFailed(Source::Link, e.to_string())),
            }
        }
    }

    fn fetch_course(ctx: &Context<Self>) {
        if let Some(texts) = &ctx.props().course {
            let names: Vec<String> = (0..texts.len())
                .map(|i| format!("fixture-{i}.json"))
                .collect();
            let link = ctx.link();
            link.send_message(AppMsg::Do(Msg::CourseIndex(Ok(names.clone()))));
            for (name, text) in names.into_iter().zip(texts.iter().cloned()) {
                link.send_message(AppMsg::Do(Msg::LessonText(name, Ok(text))));
            }
            return;
        }
        let link = ctx.link().clone();
        browser::fetch_text("lessons/index.json", move |r| {
            let files = r.and_then(|text| course::parse_index(&text));
            link.send_message(AppMsg::CourseIndex(files))
        });
    }
}

impl Component for App {
    type Message = AppMsg;
    type Properties = AppProps;

    fn create(ctx: &Context<Self>) -> Self {
        let fragment = browser::fragment();
        let mut model = Model::opening().expect("the opening ensemble is valid (tested natively)");
        App::open_fragment(&mut model, &fragment);
        let shared = Shared::new(model);
        let link = ctx.link().clone();
        let send = Callback::from(move |m: Msg| link.send_message(AppMsg::Do(m)));
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
        let files = FileActions {
            export: ctx.link().callback(|_| AppMsg::Export),
            export_svg: ctx.link().callback(|_| AppMsg::ExportSvg),
            share: ctx.link().callback(|_| AppMsg::Share),
            import: ctx.link().callback(AppMsg::Import),
            preset: ctx.link().callback(AppMsg::LoadPreset),
        };
        let app = App {
            model: shared,
            send,
            export_svg: files.export_svg.clone(),
            files,
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
            _keys: keys,
            _hash: hash,
        };
        app.remember();
        browser::set_root_state(app.m().lang, app.m().presenter);
        if browser::query_has("test-panic") {
            ctx.link().send_message(AppMsg::TestPanic);
        }
        let link = ctx.link().clone();
        browser::fetch_text("scenarios/index.json", move |r| {
            let presets = r.and_then(|text| crate::presets::parse_index(&text));
            link.send_message(AppMsg::Do(Msg::Presets(presets)))
        });
        App::fetch_course(ctx);
        app
    }

    fn update(&mut self, ctx: &Context<Self>, msg: AppMsg) -> bool {
        match msg {
            AppMsg::NoticeTimeout(text) => {
                let same = self
                    .m()
                    .notice
                    .as_ref()
                    .is_some_and(|n| !n.error && n.text == text);
                if !same {
                    return false;
                }
                self.model.0.borrow_mut().notice = None;
            }
            AppMsg::TestPanic => {
                panic!("test-panic: a deliberate panic (?test-panic) to show the report overlay")
            }
            AppMsg::Do(msg) => self.do_msg(msg),
            AppMsg::Tick(now) => {
                self.frame = None;
                self.frame_start = Some(now);
                let dt = self.last_tick.map_or(16.7, |t| now - t);
                self.last_tick = Some(now);
                let deadline = now + FRAME_BUDGET_MS;
                self.model
                    .0
                    .borrow_mut()
                    .frame(dt, &mut || browser::now() < deadline);
                if !self.m().busy() {
                    self.remember();
                }
            }
            AppMsg::CourseIndex(r) => {
                if let Ok(files) = &r {
                    for f in files {
                        let (link, name) = (ctx.link().clone(), f.clone());
                        browser::fetch_text(&format!("lessons/{f}"), move |r| {
                            link.send_message(AppMsg::Do(Msg::LessonText(name, r)))
                        });
                    }
                }
                self.do_msg(Msg::CourseIndex(r));
            }
            AppMsg::Key(e) => {
                let lesson = {
                    let m = self.m();
                    m.presenter && m.lesson.is_some()
                };
                if let Some(msg) = crate::keys::shortcut(&e, lesson) {
                    e.prevent_default();
                    self.do_msg(msg);
                } else {
                    return false;
                }
            }
            AppMsg::HashChanged => {
                let fragment = browser::fragment();
                if fragment == self.own_fragment {
                    return false;
                }
                self.own_fragment = fragment.clone();
                let mut m = self.model.0.borrow_mut();
                App::open_fragment(&mut m, &fragment);
                drop(m);
                self.remember();
                let m = self.m();
                browser::set_root_state(m.lang, m.presenter);
            }
            AppMsg::Export => {
                let m = self.m();
                let s = m.engine.export();
                let name = crate::file_name(&s.name, "json");
                browser::download(&name, "application/json", &s.to_json());
            }
            AppMsg::ExportSvg => {
                let m = self.m();
                let d = crate::spacetime::build(m.engine.sim(), m.vt, m.window_ms as f64);
                let title = format!("{} · {}", m.title, crate::fmt_ms(m.vt as u64));
                let svg = crate::spacetime::to_svg(&d, &title, m.lang);
                browser::download(&crate::file_name(&m.title, "svg"), "image/svg+xml", &svg);
            }
            AppMsg::Share => {
                let (frag, lang) = {
                    let m = self.m();
                    let frag = match &m.lesson {
                        Some(p) => course::encode_link(&p.lesson.id, p.step + 1, m.lang),
                        None => {
                            let json =
                                serde_json::to_string(&m.engine.export()).unwrap_or_default();
                            let f = share::encode(&json, m.engine.now_ms());
                            let lang = (m.lang != Lang::En).then_some(m.lang.code());
                            share::with_param(&f, "lang", lang)
                        }
                    };
                    (frag, m.lang)
                };
                let link = browser::set_fragment(&frag);
                self.own_fragment = frag;
                browser::copy(&link);
                self.share_link = Some(link);
                self.do_msg(Msg::Notice(tr(lang, T::LinkCopied).to_string()));
            }
            AppMsg::Import(file) => {
                let name = file.name();
                let link = ctx.link().clone();
                browser::read_file(file, move |r| {
                    link.send_message(AppMsg::Do(match r {
                        Ok(json) => Msg::Load {
                            source: Source::File,
                            json,
                            at: Some(AT_END),
                        },
                        Err(e) => Msg::LoadFailed(Source::File, format!("{name}: {e}")),
                    }))
                });
                return false;
            }
            AppMsg::LoadPreset(path) => {
                let link = ctx.link().clone();
                browser::fetch_text(&format!("scenarios/{path}"), move |r| {
                    link.send_message(AppMsg::Do(match r {
                        Ok(json) => Msg::Load {
                            source: Source::Preset,
                            json,
                            at: None,
                        },
                        Err(e) => Msg::LoadFailed(Source::Preset, e),
                    }))
                });
                return false;
            }
        }
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
        true
    }

    fn view(&self, _ctx: &Context<Self>) -> Html {
        let m = self.m();
        let class = classes!("zablab", m.presenter.then_some("presenter"));
        let lang = m.lang;
        let notice = m.notice.clone();
        let help = m.help;
        let in_lesson = m.lesson.is_some();
        let presented = in_lesson && m.presenter;
        let course = m.course_open.then(|| course_dialog(&m, &self.send));
        drop(m);
        let dismiss = {
            let send = self.send.clone();
            Callback::from(move |_| send.emit(Msg::DismissNotice))
        };
        let notice = notice.map(|n| {
            html! {
                <div class={classes!("notice", n.error.then_some("error"))}
                     role={NOTICE_ROLE[n.error as usize]} data-testid="notice">
                    <span data-testid={NOTICE_ID[n.error as usize]}>{ n.text }</span>
                    <button class="dismiss" aria-label={tr(lang, T::Dismiss)} onclick={dismiss}>{ "×" }</button>
                </div>
            }
        });
        let lesson = in_lesson.then(|| {
            html! { <LessonPanel model={self.model.clone()} rev={self.rev} send={self.send.clone()} /> }
        });
        let cluster = html! { <Cluster model={self.model.clone()} rev={self.rev} send={self.send.clone()} /> };
        let help = help.then(|| crate::ui::help(lang, &self.send));
        if presented {
            // Only the ensemble and the narration, large, for a room.
            return html! {
                <div class={classes!(class, "lesson-presenter")} lang={lang.code()}>
                    { for notice }
                    <main class="stage">
                        <section class="left">{ cluster }</section>
                        { for lesson }
                    </main>
                    { for course }
                    { for help }
                </div>
            };
        }
        html! {
            <div class={class} lang={lang.code()}>
                <Header model={self.model.clone()} rev={self.rev} send={self.send.clone()}
                        files={self.files.clone()} share_link={self.share_link.clone()} />
                { for notice }
                <main class="stage">
                    <section class="left">
                        { cluster }
                        <Transport model={self.model.clone()} rev={self.rev} send={self.send.clone()} />
                    </section>
                    <div class="right">
                        { for lesson }
                        <SidePanel model={self.model.clone()} rev={self.slow_rev} send={self.send.clone()} />
                    </div>
                </main>
                <Diagram model={self.model.clone()} rev={self.rev} send={self.send.clone()}
                         export={self.export_svg.clone()} />
                { for course }
                { for help }
                <span hidden=true data-testid="frame-stats">{ self.stats.summary() }</span>
                <footer class="foot">{ trf(lang, T::Footer, &[]) }</footer>
            </div>
        }
    }

    fn rendered(&mut self, _ctx: &Context<Self>, _first: bool) {
        if let Some(start) = self.frame_start.take() {
            self.stats.push(browser::now() - start);
        }
    }
}

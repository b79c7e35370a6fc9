//! The app root: owns the [`Model`] and the browser effects around it —
//! the `requestAnimationFrame` loop (virtual_dt = wall_dt × speed, with a
//! per-frame work budget), keyboard shortcuts, the URL fragment (share
//! links), file import/export, loading presets — and renders the panels.
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
use crate::i18n::{tr, trf, T};
use crate::model::{Model, Msg, Source, AT_END};
use crate::perf::FrameStats;
use crate::ui::{Cluster, Diagram, FileActions, Header, Shared, SidePanel, Transport};

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
        let replaced = matches!(msg, Msg::Load { .. } | Msg::NewEnsemble);
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
}

impl Component for App {
    type Message = AppMsg;
    type Properties = ();

    fn create(ctx: &Context<Self>) -> Self {
        let fragment = browser::fragment();
        let mut notice = None;
        let mut model = Model::opening().expect("the opening ensemble is valid (tested natively)");
        if crate::share::is_share(&fragment) {
            match crate::share::decode(&fragment) {
                Ok((json, at)) => model.apply(Msg::Load {
                    source: Source::Link,
                    json,
                    at: Some(at.unwrap_or(AT_END)),
                }),
                Err(e) => notice = Some(e.to_string()),
            }
        }
        if let Some(e) = notice {
            model.apply(Msg::LoadFailed(Source::Link, e));
        }
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
            AppMsg::Key(e) => {
                if let Some(msg) = crate::keys::shortcut(&e) {
                    e.prevent_default();
                    self.do_msg(msg);
                } else {
                    return false;
                }
            }
            AppMsg::HashChanged => {
                let fragment = browser::fragment();
                if !crate::share::is_share(&fragment) || fragment == self.own_fragment {
                    return false;
                }
                match crate::share::decode(&fragment) {
                    Ok((json, at)) => self.do_msg(Msg::Load {
                        source: Source::Link,
                        json,
                        at: Some(at.unwrap_or(AT_END)),
                    }),
                    Err(e) => self.do_msg(Msg::LoadFailed(Source::Link, e.to_string())),
                }
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
                    let json = serde_json::to_string(&m.engine.export()).unwrap_or_default();
                    (crate::share::encode(&json, m.engine.now_ms()), m.lang)
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
        true
    }

    fn view(&self, _ctx: &Context<Self>) -> Html {
        let m = self.m();
        let class = classes!("zablab", m.presenter.then_some("presenter"));
        let lang = m.lang;
        let notice = m.notice.clone();
        let help = m.help;
        drop(m);
        let dismiss = {
            let send = self.send.clone();
            Callback::from(move |_| send.emit(Msg::DismissNotice))
        };
        html! {
            <div class={class} lang={lang.code()}>
                <Header model={self.model.clone()} rev={self.rev} send={self.send.clone()}
                        files={self.files.clone()} share_link={self.share_link.clone()} />
                if let Some(n) = notice {
                    <div class={classes!("notice", n.error.then_some("error"))}
                         role={NOTICE_ROLE[n.error as usize]} data-testid="notice">
                        <span data-testid={NOTICE_ID[n.error as usize]}>{ n.text }</span>
                        <button class="dismiss" aria-label={tr(lang, T::Dismiss)} onclick={dismiss}>{ "×" }</button>
                    </div>
                }
                <main class="stage">
                    <section class="left">
                        <Cluster model={self.model.clone()} rev={self.rev} send={self.send.clone()} />
                        <Transport model={self.model.clone()} rev={self.rev} send={self.send.clone()} />
                    </section>
                    <SidePanel model={self.model.clone()} rev={self.slow_rev} send={self.send.clone()} />
                </main>
                <Diagram model={self.model.clone()} rev={self.rev} send={self.send.clone()}
                         export={self.export_svg.clone()} />
                if help {
                    { crate::ui::help(lang, &self.send) }
                }
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

//! The root's browser effects on files and fetches: export the run as a
//! scenario file, export the diagram as SVG, share a link (copied and
//! shown), import a file, load a preset, and fetch the course (its index,
//! then each lesson). What arrives becomes a message for the model
//! (`FileMsg`, `LessonMsg`); the model never fetches or reads.

use yew::prelude::*;

use crate::app::{App, AppMsg};
use crate::browser;
use crate::i18n::{tr, Lang, T};
use crate::model::{FileMsg, LessonMsg, Source, ViewMsg, AT_END};
use crate::ui::FileActions;
use crate::{course, share};

impl App {
    /// The callbacks the header's file buttons call.
    pub(super) fn file_actions(ctx: &Context<Self>) -> FileActions {
        FileActions {
            export: ctx.link().callback(|_| AppMsg::Export),
            export_svg: ctx.link().callback(|_| AppMsg::ExportSvg),
            share: ctx.link().callback(|_| AppMsg::Share),
            import: ctx.link().callback(AppMsg::Import),
            preset: ctx.link().callback(AppMsg::LoadPreset),
        }
    }

    /// Downloads the run as a scenario file.
    pub(super) fn export(&self) {
        let m = self.m();
        let s = m.engine.export();
        let name = crate::file_name(&s.name, "json");
        browser::download(&name, "application/json", &s.to_json());
    }

    /// Downloads the diagram's window as an SVG document.
    pub(super) fn export_svg(&self) {
        let m = self.m();
        let d = match m.imported.as_ref().filter(|_| m.showing_import) {
            Some(run) => crate::imported::diagram(run, m.import_vt, m.window_ms as f64),
            None => crate::spacetime::build(m.engine.sim(), m.vt, m.window_ms as f64),
        };
        let title = format!("{} · {}", m.title, crate::fmt_ms(m.shown_vt() as u64));
        let svg = crate::spacetime::to_svg(&d, &title, m.lang);
        browser::download(&crate::file_name(&m.title, "svg"), "image/svg+xml", &svg);
    }

    /// Puts a link to this moment (or to the lesson's step) in the URL,
    /// copies it and shows it.
    pub(super) fn share(&mut self) {
        let (frag, lang) = {
            let m = self.m();
            let frag = match &m.lesson {
                Some(p) => course::encode_link(&p.lesson.id, p.step + 1, m.lang),
                None => {
                    let json = serde_json::to_string(&m.engine.export()).unwrap_or_default();
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
        self.do_msg(ViewMsg::Notice(tr(lang, T::LinkCopied).to_string()).into());
    }

    /// Reads a chosen file; the model opens it at its end.
    pub(super) fn import(ctx: &Context<Self>, file: web_sys::File) {
        let name = file.name();
        let link = ctx.link().clone();
        browser::read_file(file, move |r| {
            let msg = match r {
                Ok(json) => FileMsg::Load {
                    source: Source::File,
                    json,
                    at: Some(AT_END),
                },
                Err(e) => FileMsg::LoadFailed(Source::File, format!("{name}: {e}")),
            };
            link.send_message(AppMsg::Do(msg.into()))
        });
    }

    /// Fetches a preset; the model opens it at 0 ms.
    pub(super) fn load_preset(ctx: &Context<Self>, path: &str) {
        let link = ctx.link().clone();
        browser::fetch_text(&format!("scenarios/{path}"), move |r| {
            let msg = match r {
                Ok(json) => FileMsg::Load {
                    source: Source::Preset,
                    json,
                    at: None,
                },
                Err(e) => FileMsg::LoadFailed(Source::Preset, e),
            };
            link.send_message(AppMsg::Do(msg.into()))
        });
    }

    /// Fetches the course index (or, in the browser tests, takes the
    /// fixture texts given as props).
    pub(super) fn fetch_course(ctx: &Context<Self>) {
        if let Some(texts) = &ctx.props().course {
            let names: Vec<String> = (0..texts.len())
                .map(|i| format!("fixture-{i}.json"))
                .collect();
            let link = ctx.link();
            link.send_message(AppMsg::Do(LessonMsg::CourseIndex(Ok(names.clone())).into()));
            for (name, text) in names.into_iter().zip(texts.iter().cloned()) {
                link.send_message(AppMsg::Do(LessonMsg::Text(name, Ok(text)).into()));
            }
            return;
        }
        let link = ctx.link().clone();
        browser::fetch_text("lessons/index.json", move |r| {
            let files = r.and_then(|text| course::parse_index(&text));
            link.send_message(AppMsg::CourseIndex(files))
        });
    }

    /// The course index arrived: fetch each lesson it lists.
    pub(super) fn course_index(&mut self, ctx: &Context<Self>, r: Result<Vec<String>, String>) {
        if let Ok(files) = &r {
            for f in files {
                let (link, name) = (ctx.link().clone(), f.clone());
                browser::fetch_text(&format!("lessons/{f}"), move |r| {
                    link.send_message(AppMsg::Do(LessonMsg::Text(name, r).into()))
                });
            }
        }
        self.do_msg(LessonMsg::CourseIndex(r).into());
    }
}

//! The URL fragment: what a fragment asks for when the page opens or the
//! hash changes (a language, a lesson link, a share link), and keeping it
//! saying the language and the lesson's step while the user moves. The
//! link formats are `crate::share`'s and `crate::course`'s; this file only
//! reads and writes `location.hash` through `crate::browser`.

use crate::app::App;
use crate::browser;
use crate::i18n::{tr, trf, Lang, T};
use crate::model::{FileMsg, LessonMsg, Model, Source, ViewMsg, AT_END};
use crate::{course, share};

impl App {
    /// Keeps the URL fragment saying the language (`lang=`, once it is
    /// not English or a link named one) and, in a lesson, the lesson and
    /// step: a reload or a copied address opens the same place.
    pub(super) fn sync_url(&mut self) {
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

    /// Whether a fragment opens a run of its own (a lesson or share link).
    pub(super) fn fragment_opens_run(fragment: &str) -> bool {
        course::lesson_link(fragment).is_some() || share::is_share(fragment)
    }

    /// Follows what a fragment asks for: a language, a lesson, a run.
    pub(super) fn open_fragment(model: &mut Model, fragment: &str) {
        if let Some(l) = share::param(fragment, "lang") {
            model.apply(ViewMsg::SetLang(Lang::from_code(l)).into());
        }
        match course::lesson_link(fragment) {
            Some(Ok(link)) => return model.apply(LessonMsg::Link(link).into()),
            Some(Err(e)) => {
                let text = match e {
                    course::LinkProblem::BadStep(s) => trf(model.lang, T::LessonLinkBadStep, &[&s]),
                    course::LinkProblem::BadId => tr(model.lang, T::LessonLinkBadId).to_string(),
                };
                return model.apply(FileMsg::LoadFailed(Source::Link, text).into());
            }
            None => {}
        }
        if share::is_share(fragment) {
            match share::decode(fragment) {
                Ok((json, at)) => model.apply(
                    FileMsg::Load {
                        source: Source::Link,
                        json,
                        at: Some(at.unwrap_or(AT_END)),
                    }
                    .into(),
                ),
                Err(e) => model.apply(FileMsg::LoadFailed(Source::Link, e.to_string()).into()),
            }
        }
    }

    /// The hash changed: follow it, unless this page set it (false).
    pub(super) fn hash_changed(&mut self) -> bool {
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
        true
    }
}

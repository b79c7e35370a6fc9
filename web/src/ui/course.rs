//! The course outline dialog: every lesson (title, minutes, summary) in
//! the chosen language, the bug-museum ones apart, those finished in
//! this session marked, and the lesson files that could not be read. It
//! reads `Model::course` and sends `LessonMsg`s.

use yew::prelude::*;
use zablab_core::lesson::Text;

use super::widgets::on_click;
use crate::i18n::{tr, trf, Lang, T};
use crate::model::{LessonMsg, Model, Msg};

/// A lesson text in `l`, the controls it names labelled as the app
/// labels them (`{control:crash}` → "Crash" / "崩溃").
pub(super) fn txt(t: &Text, l: Lang) -> String {
    crate::i18n::fill_controls(t.get(l.code()), l)
}

/// The course outline: every lesson (title, minutes, summary) in the
/// chosen language, the bug-museum ones apart.
pub fn course_dialog(m: &Model, send: &Callback<Msg>) -> Html {
    let l = m.lang;
    let c = &m.course;
    let item = |e: &crate::course::Entry| {
        let id = e.lesson.id.clone();
        let done = m.done.contains(&id);
        html! {
            <li class={classes!("course-item", done.then_some("done"))}>
                <button type="button" data-testid={format!("open-{id}")}
                        onclick={on_click(send, LessonMsg::Open(id.clone(), 0))}>
                    <strong>{ format!("{}. {}", e.lesson.order, txt(&e.lesson.title, l)) }</strong>
                    <span class="minutes">{ trf(l, T::Minutes, &[&e.lesson.minutes.to_string()]) }</span>
                    if done { <span class="done-mark" title={tr(l, T::LessonDone)}>{ " ✔" }</span> }
                </button>
                <p>{ txt(&e.lesson.summary, l) }</p>
            </li>
        }
    };
    let main: Vec<Html> = c.lessons.iter().filter(|e| !e.museum).map(item).collect();
    let museum: Vec<Html> = c.lessons.iter().filter(|e| e.museum).map(item).collect();
    html! {
        <div class="dialog-backdrop">
            <div class="dialog course" role="dialog" aria-modal="true" aria-labelledby="course-title"
                 data-dialog="course" data-testid="course-outline">
                <h2 id="course-title">{ tr(l, T::CourseTitle) }</h2>
                <p>{ tr(l, T::CourseIntro) }</p>
                if let Some(e) = &c.error {
                    <p class="error" role="alert">{ trf(l, T::CourseUnreadable, &[e]) }</p>
                } else if !c.ready() {
                    <p class="hint">{ tr(l, T::CourseLoading) }</p>
                } else if c.lessons.is_empty() {
                    <p class="hint" data-testid="course-empty">{ tr(l, T::CourseEmpty) }</p>
                }
                if !main.is_empty() {
                    <ol class="lessons" data-testid="course-lessons">{ for main }</ol>
                }
                if !museum.is_empty() {
                    <h3>{ tr(l, T::CourseMuseum) }</h3>
                    <ol class="lessons" data-testid="course-museum">{ for museum }</ol>
                }
                if !c.broken.is_empty() {
                    <h3>{ tr(l, T::CourseBroken) }</h3>
                    <ul class="mono">{ for c.broken.iter().map(|b| html! { <li>{ b.clone() }</li> }) }</ul>
                }
                <button type="button" onclick={on_click(send, LessonMsg::ToggleCourse)}>{ tr(l, T::Close) }</button>
            </div>
        </div>
    }
}

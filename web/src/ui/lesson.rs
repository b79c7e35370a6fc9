//! The lesson panel (narration, outline and progress, the question and its
//! computed answer, try-it, the step buttons) and the course outline
//! dialog. They only read the model's [`Player`](crate::player::Player)
//! and send its messages; the highlights are drawn by the other views.

use yew::prelude::*;
use zablab_core::lesson::Text;

use super::PanelProps;
use crate::i18n::{tr, trf, Lang, T};
use crate::model::{Model, Msg};
use crate::player::Phase;

fn txt(t: &Text, l: Lang) -> String {
    t.get(l.code()).to_string()
}

fn on(send: &Callback<Msg>, m: Msg) -> Callback<MouseEvent> {
    let send = send.clone();
    Callback::from(move |_| send.emit(m.clone()))
}

#[component]
pub fn LessonPanel(p: &PanelProps) -> Html {
    let m = p.model.get();
    // A long step can outgrow the panel (presenter mode at 1280x720 most
    // of all, where the presenter has only the keyboard): a new step shows
    // its narration from the top; choices, a try-it and an answer appear
    // at the bottom, so the panel scrolls down to them.
    let panel = use_node_ref();
    let moment = m
        .lesson
        .as_ref()
        .map(|pl| (pl.lesson.id.clone(), pl.step, pl.phase.name(), m.presenter));
    {
        let panel = panel.clone();
        use_effect_with(moment, move |moment| {
            if let (Some((_, _, phase, _)), Some(el)) = (moment, panel.cast::<web_sys::Element>()) {
                match *phase {
                    "asking" | "revealed" | "trying" => el.set_scroll_top(el.scroll_height()),
                    _ => el.set_scroll_top(0),
                }
            }
        });
    }
    let Some(pl) = &m.lesson else {
        return html! {};
    };
    let l = m.lang;
    let send = &p.send;
    let lesson = &pl.lesson;
    let step = pl.current();
    let n = lesson.steps.len();
    let phase = pl.phase;

    let outline = (0..n).map(|k| {
        let class = classes!(
            "dot",
            (k < pl.step).then_some("done"),
            (k == pl.step).then_some("current")
        );
        html! {
            <li><button type="button" {class} disabled={k > pl.reached}
                        aria-current={(k == pl.step).then_some("step")}
                        aria-label={trf(l, T::LessonGotoAria, &[&(k + 1).to_string()])}
                        data-testid={format!("lesson-step-{}", k + 1)}
                        onclick={on(send, Msg::LessonGoto(k))}>{ k + 1 }</button></li>
        }
    });

    let running = match phase {
        Phase::Running { goal, .. } => {
            let key = if m.playing {
                T::LessonRunning
            } else {
                T::LessonPausedRun
            };
            Some(
                html! { <p class="running" data-testid="lesson-running">{ trf(l, key, &[&crate::fmt_ms(goal)]) }</p> },
            )
        }
        _ => None,
    };

    let try_it = step.try_it.as_ref().map(|t| {
        html! {
            <div class="try-it" data-testid="lesson-try">
                <h3>{ tr(l, T::LessonTry) }</h3>
                <p>{ txt(&t.prompt, l) }</p>
                if phase == Phase::Trying {
                    <button type="button" class="primary" data-testid="lesson-skip"
                            aria-label={tr(l, T::LessonSkipAria)}
                            onclick={on(send, Msg::LessonSkip)}>{ tr(l, T::LessonSkip) }</button>
                } else if pl.acted {
                    <p class="hint">{ tr(l, T::LessonActed) }</p>
                }
            </div>
        }
    });

    let revealed = phase == Phase::Revealed;
    let asking = phase == Phase::Asking;
    let question = step.question.as_ref().filter(|_| !matches!(phase, Phase::Trying)).map(|q| {
        let correct = pl.correct();
        let choices = q.choices.iter().enumerate().map(|(i, c)| {
            let is_correct = revealed && correct == Some(i);
            let wrong = revealed && pl.picked == Some(i) && correct != Some(i);
            let class = classes!(
                "choice",
                (pl.picked == Some(i)).then_some("picked"),
                is_correct.then_some("correct"),
                wrong.then_some("wrong")
            );
            let mark = if is_correct { "✔ " } else if wrong { "✖ " } else { "" };
            let label = txt(&c.label, l);
            html! {
                <li><button type="button" {class} disabled={!asking}
                            aria-pressed={(pl.picked == Some(i)).to_string()}
                            aria-label={trf(l, T::LessonPickAria, &[&format!("{}. {label}", i + 1)])}
                            data-testid={format!("choice-{i}")} data-value={c.value.clone()}
                            onclick={on(send, Msg::LessonPick(i))}>
                    <span class="num">{ i + 1 }</span>{ mark }{ label.clone() }
                </button></li>
            }
        });
        let answer = pl.answer.clone().unwrap_or_default();
        let label_of = |v: &str| q.choices.iter().find(|c| c.value == v).map(|c| txt(&c.label, l));
        let verdict = match (pl.picked, correct) {
            (_, None) => trf(l, T::LessonOffChoices, &[&answer]),
            (Some(a), Some(b)) if a == b => trf(l, T::LessonRight, &[&label_of(&answer).unwrap_or_default()]),
            _ => trf(l, T::LessonSimSays, &[&label_of(&answer).unwrap_or_default()]),
        };
        html! {
            <div class="question" data-testid="lesson-question">
                <p class="prompt">{ txt(&q.prompt, l) }</p>
                <ol class="choices">{ for choices }</ol>
                if revealed {
                    <p class="answer" data-testid="lesson-answer" data-value={answer.clone()}>{ verdict }</p>
                    <p class="explanation" data-testid="lesson-explanation">{ txt(&q.explanation, l) }</p>
                    if answer != q.expect {
                        <p class="differs" data-testid="lesson-differs">
                            { trf(l, T::LessonDiffers, &[&label_of(&q.expect).unwrap_or_default()]) }
                        </p>
                    }
                }
            </div>
        }
    });

    // The log lines the highlight points at (also in presenter mode,
    // where the log panel is hidden).
    let evidence = m
        .lesson_highlight()
        .and_then(|h| h.log.clone())
        .map(|needle| {
            let lines: Vec<String> = m
                .engine
                .sim()
                .log()
                .iter()
                .rev()
                .filter(|e| e.text.contains(needle.as_str()))
                .take(3)
                .map(|e| e.render())
                .collect();
            html! {
                <div class="evidence-log">
                    <p class="hint">{ trf(l, T::LessonEvidence, &[&needle]) }</p>
                    <ul class="mono" data-testid="lesson-log">
                        { for lines.into_iter().rev().map(|t| html! { <li>{ t }</li> }) }
                    </ul>
                </div>
            }
        });

    let next_label = match phase {
        Phase::Running { goal, .. } => trf(l, T::LessonSkipAhead, &[&crate::fmt_ms(goal)]),
        Phase::Asking => tr(l, T::LessonReveal).to_string(),
        _ if !pl.last() => tr(l, T::LessonNextStep).to_string(),
        _ => match m.course.after(&lesson.id) {
            Some(next) => trf(l, T::LessonNextLesson, &[&txt(&next.title, l)]),
            None => tr(l, T::LessonBackToCourse).to_string(),
        },
    };

    html! {
        <section ref={panel} class="lesson" aria-label={tr(l, T::Lesson)} data-testid="lesson"
                 data-phase={phase.name()} data-step={(pl.step + 1).to_string()}
                 data-playing={m.playing.to_string()}>
            <div class="lesson-head">
                <h2 data-testid="lesson-title">{ txt(&lesson.title, l) }</h2>
                <span class="of" data-testid="lesson-position">
                    { trf(l, T::LessonStepOf, &[&(pl.step + 1).to_string(), &n.to_string()]) }
                </span>
            </div>
            <ol class="outline" aria-label={tr(l, T::LessonOutline)}>{ for outline }</ol>
            <p class="narration" data-testid="lesson-text">{ txt(&step.text, l) }</p>
            { for running }
            { for try_it }
            { for question }
            { for evidence }
            <nav class="lesson-nav">
                <button type="button" data-testid="lesson-back" aria-label={tr(l, T::LessonBackAria)}
                        onclick={on(send, Msg::LessonBack)}>{ tr(l, T::LessonBack) }</button>
                <button type="button" data-testid="lesson-rewind" aria-label={tr(l, T::LessonRewindAria)}
                        onclick={on(send, Msg::LessonRewind)}>{ tr(l, T::LessonRewind) }</button>
                if phase != Phase::Trying {
                    <button type="button" class="primary" data-testid="lesson-next"
                            onclick={on(send, Msg::LessonNext)}>{ next_label }</button>
                }
                if m.presenter {
                    <button type="button" data-testid="lesson-exit-presenter"
                            onclick={on(send, Msg::TogglePresenter)}>{ tr(l, T::LessonExitPresenter) }</button>
                } else {
                    <button type="button" data-testid="lesson-close"
                            onclick={on(send, Msg::CloseLesson)}>{ tr(l, T::LessonClose) }</button>
                }
            </nav>
        </section>
    }
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
                        onclick={on(send, Msg::OpenLesson(id.clone(), 0))}>
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
            <div class="dialog course" role="dialog" aria-modal="true" aria-labelledby="course-title" data-testid="course-outline">
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
                <button type="button" onclick={on(send, Msg::ToggleCourse)}>{ tr(l, T::Close) }</button>
            </div>
        </div>
    }
}

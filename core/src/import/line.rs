//! The line grammar of ZooKeeper's server logs: one physical line in, its
//! fields out, or `None`.
//!
//! Layouts (ZooKeeper's `conf/log4j.properties` in 3.5–3.7, `conf/logback.xml`
//! in 3.8+, and Debian's `/etc/zookeeper/conf/log4j.properties`):
//! - `%d{ISO8601} [myid:%X{myid}] - %-5p [%t:%C{1}@%L] - %m%n`
//!   (`[myid:]` when the MDC has no myid yet);
//! - `%d{ISO8601} - %-5p [%t:%C{1}@%L] - %m%n`.
//!
//! `%d{ISO8601}` is `2026-12-06 11:19:49,713` (log4j and logback); a `T`
//! for the space and a `.` for the comma are accepted too. The time has no
//! zone: it is read as UTC. Contract: never panics, allocates nothing, one
//! pass over the line; also used by the conform layer (`src/conform/facts.rs`).
//! Continuation lines (stack traces) are the caller's: see [`is_continuation`].

use super::model::Level;

/// One parsed line, borrowing from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parsed<'a> {
    /// Ms since the Unix epoch (the wall clock as written, read as UTC).
    pub ms: i64,
    /// `None`: the layout has no `[myid:]`; `Some(None)`: `[myid:]` empty.
    pub myid: Option<Option<u32>>,
    pub level: Level,
    pub thread: &'a str,
    pub class: &'a str,
    pub src_line: u32,
    pub text: &'a str,
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date and time of ms since the Unix epoch:
/// `2026-12-06 11:19:49,713` (the inverse of [`parse_stamp`]).
pub fn format_stamp(ms: i64) -> String {
    let days = ms.div_euclid(86_400_000);
    let rem = ms.rem_euclid(86_400_000);
    // Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02},{:03}",
        rem / 3_600_000,
        rem / 60_000 % 60,
        rem / 1000 % 60,
        rem % 1000
    )
}

fn digits(b: &[u8]) -> Option<i64> {
    if b.is_empty() || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(b.iter().fold(0i64, |n, &c| n * 10 + i64::from(c - b'0')))
}

/// `2026-12-06 09:50:06,123` (read as UTC) as ms since the Unix epoch.
pub fn parse_stamp(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() < 23
        || b[4] != b'-'
        || b[7] != b'-'
        || !(b[10] == b' ' || b[10] == b'T')
        || b[13] != b':'
        || b[16] != b':'
        || !(b[19] == b',' || b[19] == b'.')
    {
        return None;
    }
    let (y, mo, d) = (digits(&b[0..4])?, digits(&b[5..7])?, digits(&b[8..10])?);
    let (h, mi, sec) = (
        digits(&b[11..13])?,
        digits(&b[14..16])?,
        digits(&b[17..19])?,
    );
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    let days = days_from_civil(y, mo, d);
    Some((days * 86_400 + h * 3600 + mi * 60 + sec) * 1000 + digits(&b[20..23])?)
}

fn parse_level(s: &str) -> Option<Level> {
    Some(match s {
        "TRACE" => Level::Trace,
        "DEBUG" => Level::Debug,
        "INFO" => Level::Info,
        "WARN" => Level::Warn,
        "ERROR" => Level::Error,
        "FATAL" => Level::Fatal,
        _ => return None,
    })
}

/// `[myid:N]` or `[myid:]` after the stamp, then ` - `.
fn strip_myid(rest: &str) -> Option<(Option<Option<u32>>, &str)> {
    if let Some(r) = rest.strip_prefix(" - ") {
        return Some((None, r));
    }
    let r = rest.strip_prefix(" [myid:")?;
    let close = r.find(']')?;
    let id = &r[..close];
    let myid = if id.is_empty() {
        None
    } else {
        Some(u32::try_from(digits(id.as_bytes())?).ok()?)
    };
    let r = r[close + 1..].strip_prefix(" - ")?;
    Some((Some(myid), r))
}

/// `thread:Class@123] - message`: the thread name may hold `:` and `]`,
/// so the location ends at the first `@<digits or ?>] - `.
fn split_location(rest: &str) -> Option<(&str, &str, u32, &str)> {
    for (i, _) in rest.match_indices("] - ") {
        let head = &rest[..i];
        let Some(at) = head.rfind('@') else {
            continue;
        };
        let num = &head[at + 1..];
        let src_line = if num == "?" {
            0
        } else if let Some(n) = digits(num.as_bytes()) {
            u32::try_from(n).unwrap_or(u32::MAX)
        } else {
            continue;
        };
        let colon = head[..at].rfind(':');
        let (thread, class) = match colon {
            Some(c) => (&head[..c], &head[c + 1..at]),
            None => ("", &head[..at]),
        };
        return Some((thread, class, src_line, &rest[i + 4..]));
    }
    None
}

/// One physical line (without its line end) in either layout.
pub fn parse_line(line: &str) -> Option<Parsed<'_>> {
    let ms = parse_stamp(line)?;
    let rest = line.get(23..)?;
    let (myid, rest) = strip_myid(rest)?;
    let sp = rest.find(' ')?;
    let level = parse_level(&rest[..sp])?;
    let rest = rest[sp..].trim_start_matches(' ').strip_prefix('[')?;
    let (thread, class, src_line, text) = split_location(rest)?;
    Some(Parsed {
        ms,
        myid,
        level,
        thread,
        class,
        src_line,
        text,
    })
}

/// A line that belongs to the log line above it: a stack trace's `\tat …`,
/// `Caused by: …`, `... 12 more`, an exception's first line
/// (`java.net.SocketTimeoutException: Read timed out`), an indented or
/// empty line.
pub fn is_continuation(line: &str) -> bool {
    let Some(first) = line.chars().next() else {
        return true;
    };
    if first == ' ' || first == '\t' || line.starts_with("Caused by") || line.starts_with("...") {
        return true;
    }
    // `a.b.SomeException` or `a.b.SomeError`, optionally `: message`.
    let head = line.split(": ").next().unwrap_or(line);
    head.contains('.')
        && !head.contains(' ')
        && head.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && head
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '$' || c == '_')
        && (head.ends_with("Exception") || head.ends_with("Error") || head.ends_with("Throwable"))
}

/// The number after `myid=` in a thread name (`QuorumPeer[myid=3](…)`,
/// `WorkerReceiver[myid=3]`, `QuorumConnectionThread-[myid=3]-2`).
pub fn myid_in(s: &str) -> Option<u32> {
    let at = s.find("myid=")? + 5;
    let tail = &s.as_bytes()[at..];
    let end = tail
        .iter()
        .position(|c| !c.is_ascii_digit())
        .unwrap_or(tail.len());
    u32::try_from(digits(&tail[..end])?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    // Verbatim from tests/real-zk/runs/kill-leader-after-writes/s1/zookeeper.log.
    const DEBIAN: &str =
        "2026-12-06 11:19:50,221 - INFO  [main:QuorumPeerMain@152] - Starting quorum peer, myid=1";
    const THREAD: &str = "2026-12-06 11:24:37,918 - INFO  [LearnerHandler-/127.0.0.1:55070:LearnerHandler@850] - Sending DIFF zxid=0x0 for peer sid: 1";

    #[test]
    fn the_debian_layout_parses() {
        let p = parse_line(DEBIAN).unwrap();
        assert_eq!(p.myid, None);
        assert_eq!(p.level, Level::Info);
        assert_eq!(
            (p.thread, p.class, p.src_line),
            ("main", "QuorumPeerMain", 152)
        );
        assert_eq!(p.text, "Starting quorum peer, myid=1");
        assert_eq!(format_stamp(p.ms), "2026-12-06 11:19:50,221");
        let p = parse_line(THREAD).unwrap();
        assert_eq!(p.thread, "LearnerHandler-/127.0.0.1:55070");
        assert_eq!(p.class, "LearnerHandler");
    }

    #[test]
    fn the_myid_layouts_parse() {
        // ZooKeeper's conf/logback.xml (3.8+) and conf/log4j.properties (3.5-3.7).
        let l = "2024-01-15 08:01:02,003 [myid:3] - WARN  [QuorumPeer[myid=3](plain=0.0.0.0:2181)(secure=disabled):Follower@131] - Exception when following the leader";
        let p = parse_line(l).unwrap();
        assert_eq!(p.myid, Some(Some(3)));
        assert_eq!(p.level, Level::Warn);
        assert_eq!(p.class, "Follower");
        assert_eq!(myid_in(p.thread), Some(3));
        let l = "2024-01-15 08:01:02,003 [myid:] - INFO  [main:QuorumPeerConfig@174] - Reading configuration from: /conf/zoo.cfg";
        assert_eq!(parse_line(l).unwrap().myid, Some(None));
        let l = "2024-01-15T08:01:02.003 [myid:1] - ERROR [main:ZooKeeperServerMain@?] - x";
        assert_eq!(parse_line(l).unwrap().src_line, 0);
    }

    #[test]
    fn broken_lines_do_not_parse() {
        for l in [
            "",
            "2026-12-06 11:19:50,22",
            "2026-13-06 11:19:50,221 - INFO  [main:X@1] - m",
            "2026-12-06 11:19:50,221 - NOTE  [main:X@1] - m",
            "2026-12-06 11:19:50,221 - INFO  [main:X@a] - m",
            "2026-12-06 11:19:50,221 [myid:x] - INFO  [main:X@1] - m",
            "2026-12-06 11:19:50,221 - INFO  main:X@1 - m",
            "Dec  6 11:19:50 host kernel: [1.2] usb 1-1: new device",
        ] {
            assert_eq!(parse_line(l), None, "{l}");
        }
    }

    #[test]
    fn stack_traces_continue_and_other_lines_do_not() {
        assert!(is_continuation(
            "java.net.SocketTimeoutException: Read timed out"
        ));
        assert!(is_continuation(
            "\tat java.base/sun.nio.ch.NioSocketImpl.timedRead(NioSocketImpl.java:288)"
        ));
        assert!(is_continuation("Caused by: java.io.EOFException"));
        assert!(is_continuation("java.io.EOFException"));
        assert!(!is_continuation("Dec  6 11:19:50 host kernel: usb"));
        assert!(!is_continuation("GET /index.html HTTP/1.1"));
    }

    #[test]
    fn stamps_are_civil_utc() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(
            parse_stamp("2000-03-01 00:00:00,000"),
            Some(951_868_800_000)
        );
        assert_eq!(format_stamp(951_868_800_000), "2000-03-01 00:00:00,000");
        for s in [
            "2026-12-06 23:59:59,999",
            "1969-12-31 23:59:59,987",
            "2024-02-29 12:34:56,078",
        ] {
            assert_eq!(parse_stamp(s).map(format_stamp).as_deref(), Some(s));
        }
    }
}

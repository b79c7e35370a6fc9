//! The importer against messy input: 100,000 generated files, each made of
//! real lines of `tests/real-zk/runs/*/s*/zookeeper.log` mutated (cut short,
//! bytes flipped, inserted or dropped, CRLF, a BOM, Latin-1, binary noise,
//! other programs' lines, stack traces, config and 4lw lines) and fed in a
//! random split, then finished at once or in steps of a few lines
//! (`Importer::finishing`, as the app does). None may panic, and every
//! split must give the same `Import` as the whole file. Seeded (PCG32): a failure names its seed and
//! reproduces.

use std::path::Path;

use zablab_core::import::{self, line, summary, Import, Importer, InputFile};
use zablab_core::rng::Pcg32;

const INPUTS: u64 = 100_000;

/// Every line of every real run's logs (deduplicated, sorted: stable).
fn corpus() -> Vec<Vec<u8>> {
    let runs = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/real-zk/runs");
    let mut lines = std::collections::BTreeSet::new();
    let mut dirs: Vec<_> = std::fs::read_dir(runs)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .collect();
    dirs.sort();
    for run in dirs.iter().filter(|d| d.is_dir()) {
        for s in 1..=5 {
            if let Ok(bytes) = std::fs::read(run.join(format!("s{s}/zookeeper.log"))) {
                for l in bytes.split(|&b| b == b'\n') {
                    lines.insert(l.to_vec());
                }
            }
        }
    }
    assert!(lines.len() > 1000, "the real runs' logs are missing");
    lines.into_iter().collect()
}

const OTHERS: &[&str] = &[
    "Dec  6 11:19:50 host kernel: [ 1.234] usb 1-1: new high-speed USB device",
    "127.0.0.1 - - [06/Dec/2026:11:19:50 +0000] \"GET / HTTP/1.1\" 200 612",
    "{\"ts\":\"2026-12-06T11:19:50Z\",\"level\":\"info\",\"msg\":\"x\"}",
    "tickTime=2000",
    "server.3=127.0.0.1:12003:13003:observer;11003",
    "Zookeeper version: 3.8.0-${mvngit.commit.id}, built on 2024-12-29 17:54 UTC",
    "zk_server_state\tleader",
    "\tat java.base/java.lang.Thread.run(Thread.java:833)",
    "2026-12-06 11:19:50,221 [myid:] - INFO  [main:QuorumPeerMain@152] - Starting quorum peer, myid=4",
    "2026-12-06 11:19:50,221 [myid:7] - WARN  [SyncThread:7:FileTxnLog@291] - fsync-ing the write ahead log in SyncThread:7 took 2400ms which will adversely effect operation latency.",
    "",
];

fn mutate(rng: &mut Pcg32, l: &[u8]) -> Vec<u8> {
    let mut v = l.to_vec();
    match rng.below(13) {
        0 if !v.is_empty() => v.truncate(rng.below(v.len() as u32) as usize),
        1 if !v.is_empty() => {
            for _ in 0..=rng.below(4) {
                let i = rng.below(v.len() as u32) as usize;
                v[i] ^= 1 << rng.below(8);
            }
        }
        2 => {
            let i = rng.below(v.len() as u32 + 1) as usize;
            let noise: Vec<u8> = (0..rng.below(16)).map(|_| rng.next_u32() as u8).collect();
            v.splice(i..i, noise);
        }
        3 if !v.is_empty() => {
            let i = rng.below(v.len() as u32) as usize;
            let n = (rng.below(8) as usize).min(v.len() - i);
            v.drain(i..i + n);
        }
        4 => v.extend_from_slice(b" caf\xe9 na\xefve"),
        5 => v.push(b'\r'),
        6 => v = (0..rng.below(200)).map(|_| rng.next_u32() as u8).collect(),
        7 => {
            v = OTHERS[rng.below(OTHERS.len() as u32) as usize]
                .as_bytes()
                .to_vec()
        }
        // A long line of multi-byte characters (where cutting may split one).
        8 => {
            let rep = v.clone();
            for _ in 0..=rng.below(6) {
                v.extend_from_slice("é€ü".repeat(1 + rng.below(3) as usize).as_bytes());
                v.extend_from_slice(&rep);
            }
        }
        _ => {}
    }
    v
}

/// One generated file: 1 to 24 lines, maybe a BOM, maybe no last line end.
fn generate(rng: &mut Pcg32, corpus: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::new();
    if rng.below(20) == 0 {
        out.extend_from_slice(b"\xEF\xBB\xBF");
    }
    for _ in 0..=rng.below(24) {
        let l = &corpus[rng.below(corpus.len() as u32) as usize];
        let m = mutate(rng, l);
        // The grammar alone, on every line made.
        let _ = line::parse_line(&String::from_utf8_lossy(&m));
        out.extend_from_slice(&m);
        out.push(b'\n');
    }
    if rng.below(4) == 0 {
        out.pop();
    }
    out
}

const NAMES: &[&str] = &[
    "s1/zookeeper.log",
    "zookeeper-2.log.1",
    "zoo.cfg",
    "x",
    "srvr.txt",
    "node3/log.gz",
    "s1/data/myid",
    "s1/data/version-2/log.100000001",
];

/// The same files fed in random slices, interleaved.
fn fed_in_pieces(rng: &mut Pcg32, files: &[InputFile]) -> Import {
    let mut im = Importer::new();
    let ids: Vec<usize> = files.iter().map(|f| im.add_file(&f.name, None)).collect();
    let mut at = vec![0usize; files.len()];
    while at.iter().zip(files).any(|(a, f)| *a < f.bytes.len()) {
        let k = rng.below(files.len() as u32) as usize;
        let left = files[k].bytes.len() - at[k];
        let n = (rng.below(64) as usize).min(left);
        im.feed(ids[k], &files[k].bytes[at[k]..at[k] + n]);
        at[k] += n;
    }
    // Finished in steps of 1 to 8 lines (the app's way), or at once.
    if rng.below(2) == 0 {
        return im.finish();
    }
    let mut f = im.finishing();
    let mut steps = 0;
    while !f.step(1 + rng.below(8) as usize) {
        steps += 1;
        assert!(steps < 10_000_000, "finishing never said done");
    }
    f.into_import()
}

fn consistent(imp: &Import) -> Result<(), String> {
    if !imp.lines.windows(2).all(|w| w[0].at_ms <= w[1].at_ms) {
        return Err("lines out of time order".into());
    }
    if let Some(e) = imp
        .events
        .iter()
        .find(|e| e.line >= imp.lines.len() || imp.lines[e.line].sid != e.sid)
    {
        return Err(format!("an event points at no line of its server: {e:?}"));
    }
    let per_file: u64 = imp
        .files
        .iter()
        .filter(|f| f.kind != import::FileKind::Other)
        .map(|f| f.unknown)
        .sum();
    if per_file != imp.unknown.total {
        return Err(format!(
            "unknown lines: {per_file} in files, {} in total",
            imp.unknown.total
        ));
    }
    let lines: u64 = imp.files.iter().map(|f| f.lines).sum();
    let accounted: u64 = imp
        .files
        .iter()
        .map(|f| f.parsed + f.continued + f.unknown)
        .sum();
    let other: u64 = imp
        .files
        .iter()
        .filter(|f| {
            !matches!(
                f.kind,
                import::FileKind::Log { .. } | import::FileKind::Other
            )
        })
        .map(|f| f.lines)
        .sum();
    if accounted + other != lines {
        return Err(format!(
            "{lines} lines read, {} accounted for",
            accounted + other
        ));
    }
    Ok(())
}

#[test]
fn a_hundred_thousand_messy_inputs_never_panic_and_any_split_equals_the_whole() {
    let corpus = corpus();
    let mut made = 0u64;
    let mut seed = 0u64;
    while made < INPUTS {
        seed += 1;
        let mut r = Pcg32::new(seed, 7);
        let n = 1 + r.below(3) as usize;
        let files: Vec<InputFile> = (0..n)
            .map(|_| InputFile {
                name: NAMES[r.below(NAMES.len() as u32) as usize].to_string(),
                bytes: generate(&mut r, &corpus),
            })
            .collect();
        made += n as u64;
        let whole = std::panic::catch_unwind(|| import::import(&files)).unwrap_or_else(|_| {
            panic!("seed {seed}: the importer panicked (reproduce: Pcg32::new({seed}, 7))")
        });
        let pieces = fed_in_pieces(&mut Pcg32::new(seed, 8), &files);
        assert!(
            pieces == whole,
            "seed {seed}: a split feed gave another import"
        );
        if let Err(e) = consistent(&whole) {
            panic!("seed {seed}: {e}");
        }
        let _ = summary(&whole);
    }
    println!("{made} generated files through the importer, {seed} seeds");
}

//! `zablab bench --only import`: the importer's parse throughput, natively.
//!
//! The input is every real run's server logs (`tests/real-zk/runs/*/s*/
//! zookeeper.log`, ZooKeeper 3.8.0) repeated until about 50 MB (`--quick`:
//! 5 MB), each copy a file of its own, fed in 1 MiB slices to one
//! `Importer` as `zablab import` feeds it; then `summary`. Prints `name:
//! value unit` lines ([`IMPORT_LINES`]). Wall times depend on the machine's
//! load; the line and event counts do not.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Instant;

use zablab_core::import::{summary, Importer};

use crate::Usage;

/// Every line `zablab bench --only import` prints, in order.
pub const IMPORT_LINES: &[&str] = &[
    "import_input_mb",
    "import_files",
    "import_lines",
    "import_events",
    "import_s",
    "import_mb_per_s",
    "import_summary_s",
    "import_leaders",
];

/// The real runs' logs: (name, bytes), sorted by name.
pub fn real_logs() -> Result<Vec<(String, Vec<u8>)>, Usage> {
    let here = Path::new("tests/real-zk/runs");
    let root = if here.is_dir() {
        here.to_path_buf()
    } else {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/real-zk/runs")
    };
    let mut out = Vec::new();
    let runs = std::fs::read_dir(&root).map_err(|e| {
        Usage(format!(
            "{}: {e} (bench --only import reads the real runs' logs)",
            root.display()
        ))
    })?;
    for run in runs.filter_map(|e| e.ok()) {
        for s in 1..=9 {
            let p = run.path().join(format!("s{s}/zookeeper.log"));
            if let Ok(bytes) = std::fs::read(&p) {
                out.push((p.display().to_string(), bytes));
            }
        }
    }
    out.sort();
    if out.is_empty() {
        return Err(Usage(format!("no server logs under {}", root.display())));
    }
    Ok(out)
}

pub fn import_figures(quick: bool, line: fn(&str, String, &str)) -> Result<(), Usage> {
    let logs = real_logs()?;
    let target: usize = if quick { 5 << 20 } else { 50 << 20 };
    let mut files: Vec<(String, &[u8])> = Vec::new();
    let mut total = 0usize;
    'fill: for rep in 0.. {
        for (name, bytes) in &logs {
            if total >= target {
                break 'fill;
            }
            files.push((format!("copy{rep}/{name}"), bytes));
            total += bytes.len();
        }
    }
    let started = Instant::now();
    let mut im = Importer::new();
    for (name, bytes) in &files {
        let i = im.add_file(name, None);
        for slice in bytes.chunks(1 << 20) {
            im.feed(i, slice);
        }
    }
    let imp = im.finish();
    let secs = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let s = black_box(summary(&imp));
    let summary_secs = started.elapsed().as_secs_f64();
    let mb = total as f64 / (1 << 20) as f64;
    line("import_input_mb", format!("{mb:.1}"), "MiB");
    line("import_files", files.len().to_string(), "files");
    line("import_lines", imp.lines.len().to_string(), "lines");
    line("import_events", imp.events.len().to_string(), "events");
    line("import_s", format!("{secs:.3}"), "s");
    line("import_mb_per_s", format!("{:.1}", mb / secs), "MiB/s");
    line("import_summary_s", format!("{summary_secs:.3}"), "s");
    line("import_leaders", s.leaders.len().to_string(), "leaders");
    Ok(())
}

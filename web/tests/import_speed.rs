//! The log importer in wasm32 (Chromium, as the app runs it): real
//! ZooKeeper 3.8.0 logs (`tests/real-zk/runs`, embedded) repeated to about
//! 20 MB, fed in 1 MiB slices as the app's drop zone feeds them. Checks
//! that the copies import as the one does (leaders counted once per copy)
//! and prints the parse throughput (`import_wasm_mb_per_s`; a figure, not
//! an assertion: wall time depends on the machine's load).
#![cfg(target_arch = "wasm32")]

use wasm_bindgen_test::*;
use zablab_core::import::{summary, Importer};

wasm_bindgen_test_configure!(run_in_browser);

macro_rules! logs {
    ($($run:literal),*) => {
        &[$(
            (concat!($run, "/s1/zookeeper.log"), include_bytes!(concat!("../../tests/real-zk/runs/", $run, "/s1/zookeeper.log")).as_slice()),
            (concat!($run, "/s2/zookeeper.log"), include_bytes!(concat!("../../tests/real-zk/runs/", $run, "/s2/zookeeper.log")).as_slice()),
            (concat!($run, "/s3/zookeeper.log"), include_bytes!(concat!("../../tests/real-zk/runs/", $run, "/s3/zookeeper.log")).as_slice()),
        )*]
    };
}

const LOGS: &[(&str, &[u8])] = logs!(
    "gc-pause-leader",
    "kill-leader-after-writes",
    "restart-ex-leader-diff",
    "trunc",
    "writes-while-down-snap"
);

fn import_copies(copies: usize) -> (zablab_core::import::Import, usize) {
    let mut im = Importer::new();
    let mut bytes = 0;
    for k in 0..copies {
        for (name, log) in LOGS {
            let i = im.add_file(&format!("copy{k}/{name}"), None);
            for slice in log.chunks(1 << 20) {
                im.feed(i, slice);
            }
            bytes += log.len();
        }
    }
    (im.finish(), bytes)
}

#[wasm_bindgen_test]
fn twenty_megabytes_of_real_logs_import_in_wasm() {
    let (one, size) = import_copies(1);
    let leaders = summary(&one).leaders.len();
    assert!(leaders >= 5, "{leaders}");
    let copies = (20 << 20) / size + 1;
    let started = js_sys::Date::now();
    let (all, bytes) = import_copies(copies);
    let ms = js_sys::Date::now() - started;
    assert_eq!(all.lines.len(), one.lines.len() * copies);
    assert_eq!(summary(&all).leaders.len(), leaders * copies);
    let mb = bytes as f64 / (1 << 20) as f64;
    console_log!(
        "import_wasm_input_mb: {mb:.1} MiB\nimport_wasm_lines: {}\nimport_wasm_s: {:.3} s\nimport_wasm_mb_per_s: {:.1} MiB/s",
        all.lines.len(),
        ms / 1000.0,
        mb / (ms / 1000.0)
    );
}

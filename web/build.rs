//! Embeds the reference scenarios (`tests/reference/`) for the browser test
//! `tests/reference_hashes.rs`: writes `$OUT_DIR/reference_scenarios.rs`
//! with one `include_str!` per scenario file, listed from the directory so
//! no hand-written list can drift from it.

use std::path::{Path, PathBuf};

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let dir = manifest.join("../tests/reference");
    // A directory: cargo reruns this when any file in it changes or appears.
    println!("cargo:rerun-if-changed={}", dir.display());
    println!("cargo:rerun-if-changed=build.rs");
    let fixture = "hashes.json";
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json") && !p.ends_with(fixture))
        .collect();
    files.sort();
    let include = |p: &Path| format!("include_str!({:?})", p.display().to_string());
    let mut out = String::from(
        "/// `(file name, text)` of every reference scenario, sorted by name.\n\
         pub const SCENARIOS: &[(&str, &str)] = &[\n",
    );
    for p in &files {
        let name = p
            .file_name()
            .and_then(|n| n.to_str())
            .expect("a UTF-8 name");
        out.push_str(&format!("    ({name:?}, {}),\n", include(p)));
    }
    out.push_str(
        "];\n\n/// The fixture the native build wrote (`zablab fixture tests/reference`).\n",
    );
    out.push_str(&format!(
        "pub const FIXTURE: &str = {};\n",
        include(&dir.join(fixture))
    ));
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").expect("set by cargo"));
    std::fs::write(out_dir.join("reference_scenarios.rs"), out).expect("OUT_DIR is writable");
}

//! `zablab fixture DIR`: the reference-hash fixture (README, "Reference
//! hashes"): runs every `DIR/*.json` scenario and writes their hashes to
//! `DIR/hashes.json`. `zablab_core::reference` does the work; this file
//! reads the directory and prints.

use std::path::Path;
use std::process::ExitCode;

use zablab_core::reference::{self, FIXTURE_FILE};

use crate::Usage;

pub fn fixture(dir: &Path) -> Result<ExitCode, Usage> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| Usage(format!("cannot read directory `{}`: {e}", dir.display())))?;
    let mut files = Vec::new();
    for entry in entries {
        let path = entry
            .map_err(|e| Usage(format!("cannot read directory `{}`: {e}", dir.display())))?
            .path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if name.ends_with(".json") && name != FIXTURE_FILE {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| Usage(format!("cannot read scenario `{}`: {e}", path.display())))?;
            files.push((name.to_string(), text));
        }
    }
    let fixture = reference::fixture(&files).map_err(Usage)?;
    let out = dir.join(FIXTURE_FILE);
    std::fs::write(&out, fixture.to_json())
        .map_err(|e| Usage(format!("cannot write `{}`: {e}", out.display())))?;
    for e in &fixture.scenarios {
        println!("{:<40} {} {:>8} events", e.file, e.trace_hash, e.events);
    }
    println!(
        "wrote {} scenarios to {}",
        fixture.scenarios.len(),
        out.display()
    );
    Ok(ExitCode::SUCCESS)
}

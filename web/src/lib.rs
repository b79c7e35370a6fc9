//! # zablab-web
//!
//! The browser app: renders the `zablab-core` simulation and forwards user
//! actions to it as scenario actions. It owns no protocol logic.
//!
//! - [`model`]: the state and its reducer; [`engine`]: time travel
//!   (checkpoints, seek, step back, fork). Pure, tested natively.
//! - [`layout`], [`spacetime`]: what the cluster view and the space-time
//!   diagram draw, as numbers (pure); [`share`]: share-link codec;
//!   [`setup`]: the new-ensemble form; [`presets`]: the scenario index;
//!   [`i18n`]: the one translation table.
//! - [`app`] and [`ui`]: the Yew components (tested in Chromium by
//!   `wasm-pack test`); [`browser`]: DOM helpers; [`panic`]: the report
//!   overlay; [`keys`]: shortcuts; [`perf`]: frame-time statistics.

pub mod app;
pub mod browser;
pub mod engine;
pub mod i18n;
pub mod keys;
pub mod layout;
pub mod model;
pub mod panic;
pub mod perf;
pub mod presets;
pub mod setup;
pub mod share;
pub mod spacetime;
pub mod ui;

pub use app::App;

/// Mounts the app on the page's `<body>` (with the panic overlay hook).
pub fn start() {
    panic::install();
    yew::Renderer::<App>::new().render();
}

/// `12.345 s`.
pub fn fmt_ms(ms: u64) -> String {
    format!("{}.{:03} s", ms / 1000, ms % 1000)
}

/// A download name from a scenario name: `kill-the-leader.json`.
pub fn file_name(title: &str, ext: &str) -> String {
    let mut s: String = title
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    while s.contains("--") {
        s = s.replace("--", "-");
    }
    let s = s.trim_matches('-');
    let s = if s.is_empty() { "zablab" } else { s };
    format!("{}.{ext}", &s[..s.len().min(60)])
}

#[cfg(test)]
mod tests {
    #[test]
    fn times_and_file_names() {
        assert_eq!(super::fmt_ms(12_345), "12.345 s");
        assert_eq!(
            super::file_name("Kill the leader!", "json"),
            "kill-the-leader.json"
        );
        assert_eq!(super::file_name("中文", "svg"), "zablab.svg");
    }
}

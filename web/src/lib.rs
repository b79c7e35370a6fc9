//! # zablab-web
//!
//! The browser app: renders the `zablab-core` simulation and forwards user
//! actions to it as scenario actions. It owns no protocol logic.
//!
//! - [`model`]: the state and its reducers, one per area (`model/*.rs`,
//!   each with its message enum); [`player`]: the lesson player, a state
//!   machine over the engine that the lessons reducer drives;
//!   [`engine`]: time travel (checkpoints, seek, step back, fork);
//!   [`course`]: the lessons and lesson links; [`pages`]: a lesson step's
//!   pages in presenter mode. Pure, tested natively.
//! - [`layout`], [`spacetime`]: what the cluster view and the space-time
//!   diagram draw, as numbers (pure); [`captions`]: the cluster view's
//!   labels (votes, deadlines, message names) placed by [`placer`] so that
//!   none covers another, sized by [`textfit`], worded by [`words`] (all
//!   pure); [`share`]: share-link codec;
//!   [`setup`]: the new-ensemble form; [`presets`]: the scenario index;
//!   [`i18n`]: the one translation table.
//! - [`app`] (the root component and its browser effects: `app/url.rs`,
//!   `app/files.rs`) and [`ui`] (one file per view area): the Yew
//!   components (tested in Chromium by `wasm-pack test`, `tests/browser/`);
//!   [`browser`]: DOM helpers; [`panic`]: the report overlay; [`keys`]:
//!   shortcuts; [`perf`]: frame-time statistics; [`bench`]: the browser
//!   benchmark's `?bench-sim=` hook.

pub mod app;
pub mod bench;
pub mod browser;
pub mod captions;
pub mod course;
pub mod engine;
pub mod i18n;
pub mod imported;
pub mod keys;
pub mod layout;
pub mod math;
pub mod model;
pub mod pages;
pub mod panic;
pub mod perf;
pub mod placer;
pub mod player;
pub mod presets;
pub mod replay;
pub mod setup;
pub mod share;
pub mod spacetime;
pub mod textfit;
pub mod ui;
pub mod words;

pub use app::App;

/// Mounts the app on the page's `<body>` (with the panic overlay hook).
pub fn start() {
    panic::install();
    if bench::start() {
        return;
    }
    yew::Renderer::<App>::new().render();
}

/// `32,768`: a count with its thousands grouped.
pub fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `12.345 s`.
pub fn fmt_ms(ms: u64) -> String {
    format!("{}.{:03} s", ms / 1000, ms % 1000)
}

/// `v` with `places` decimals (0–3), by integer rounding: the app never
/// needs float formatting with a precision (which costs wasm size).
pub fn dec(v: f64, places: u32) -> String {
    let m = 10i64.pow(places.min(3));
    let n = (v * m as f64).round() as i64;
    let sign = if n < 0 { "-" } else { "" };
    let n = n.unsigned_abs();
    if places == 0 {
        return format!("{sign}{n}");
    }
    let m = m as u64;
    format!("{sign}{}.{:0w$}", n / m, n % m, w = places.min(3) as usize)
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
        assert_eq!(super::grouped(32_768), "32,768");
        assert_eq!(super::grouped(999), "999");
        assert_eq!(super::grouped(1_000_000), "1,000,000");
        assert_eq!(super::dec(1.23456, 1), "1.2");
        assert_eq!(super::dec(-0.05, 1), "-0.1");
        assert_eq!(super::dec(2.0, 3), "2.000");
        assert_eq!(super::dec(0.0049, 2), "0.00");
        assert_eq!(super::dec(-3.6, 0), "-4");
        assert_eq!(
            super::file_name("Kill the leader!", "json"),
            "kill-the-leader.json"
        );
        assert_eq!(super::file_name("中文", "svg"), "zablab.svg");
    }
}

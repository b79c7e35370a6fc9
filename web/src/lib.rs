//! # zablab-web
//!
//! The browser app: renders the `zablab-core` simulation and forwards user
//! actions to it as scenario actions. It owns no protocol logic.
//!
//! - [`model`]: the state and its reducer (pure, tested natively).
//! - [`app`]: the Yew components (tested in Chromium by `wasm-pack test`).

pub mod app;
pub mod model;

pub use app::App;

/// Mounts the app on the page's `<body>`.
pub fn start() {
    yew::Renderer::<App>::new().render();
}

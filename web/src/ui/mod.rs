//! The Yew components, one view area per file. Each gets a [`Shared`]
//! handle on the model, a revision (it re-renders only when that
//! changes) and the `send` callback that turns a click into a [`Msg`]
//! (each area's message enum converts into it). No component computes
//! protocol state: they read the simulation and the pure `layout` and
//! `spacetime` modules.
//!
//! - the page: [`Header`] (`header.rs`), [`Cluster`] (`cluster.rs`),
//!   [`Transport`] (`transport.rs`), [`Diagram`] (`diagram.rs`, drawing
//!   in `canvas.rs`), [`LessonPanel`] (`lesson.rs`), the course outline
//!   (`course.rs`), the help dialog with the legend (`help.rs`) and the
//!   first visit's welcome (`welcome.rs`);
//! - the side panel (`side.rs`) and its tabs: `server.rs`, `network.rs`,
//!   `clients.rs`, `log.rs` (with `real_log.rs`: a real ensemble's lines
//!   beside the simulated ones), `invariants.rs`, `diagnosis.rs`;
//! - `import.rs`: the "Import logs" dialog (drop zone, picker, progress,
//!   the files and their servers, what could not be read); an imported
//!   run is drawn by the same components, from `crate::imported`;
//! - `replay.rs`: "Replay in the simulator" (the plan's dialog, and the
//!   real run beside the replay);
//! - `widgets.rs`: the small pieces they share; `marks.rs`: the timeline
//!   marks' kinds and shapes (the timeline and the legend draw them);
//!   `observed.rs`: an element's on-screen size (cluster, diagram).
//!
//! A new view area is a new file here with its own component or view
//! function; sibling files never import each other except `widgets`,
//! `marks` and `observed`.

use std::cell::{Ref, RefCell};
use std::rc::Rc;

use yew::prelude::*;

use crate::model::{Model, Msg};

mod canvas;
mod clients;
mod cluster;
mod course;
mod diagnosis;
mod diagram;
mod header;
mod help;
mod import;
mod imported;
mod invariants;
mod lesson;
mod log;
mod marks;
mod network;
mod observed;
mod real_log;
mod replay;
mod seed;
mod server;
mod side;
mod transport;
mod welcome;
mod widgets;

pub use cluster::Cluster;
pub use course::course_dialog;
pub use diagram::Diagram;
pub use header::Header;
pub use help::help;
pub use import::{import_dialog, ImportActions};
pub use imported::stage as imported_stage;
pub use lesson::LessonPanel;
pub use replay::{beside as replay_beside, replay_dialog};
pub use side::SidePanel;
pub use transport::Transport;
pub use welcome::welcome;

/// The model, shared by the root (which mutates it in `update`) and the
/// children (which read it while rendering). Equal when it is the same
/// model: children decide to re-render on their `rev` prop.
#[derive(Clone)]
pub struct Shared(pub Rc<RefCell<Model>>);

impl Shared {
    pub fn new(m: Model) -> Shared {
        Shared(Rc::new(RefCell::new(m)))
    }

    pub fn get(&self) -> Ref<'_, Model> {
        self.0.borrow()
    }
}

impl PartialEq for Shared {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// Props of every panel.
#[derive(Properties, PartialEq, Clone)]
pub struct PanelProps {
    pub model: Shared,
    pub rev: u64,
    pub send: Callback<Msg>,
}

/// File and link actions the root performs (they touch the browser).
#[derive(Clone, PartialEq)]
pub struct FileActions {
    pub export: Callback<()>,
    pub export_svg: Callback<()>,
    pub share: Callback<()>,
    pub import: Callback<web_sys::File>,
    pub preset: Callback<String>,
}

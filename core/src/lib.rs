//! # zablab-core
//!
//! ZooKeeper's atomic broadcast (ZAB) as a deterministic simulation: pure
//! Rust, no browser, no clock, no OS randomness. The same scenario gives the
//! same trace natively and in wasm.
//!
//! ## The drive loop
//! 1. Read a scenario: [`Scenario::from_json`] (strict v1, errors name the
//!    field).
//! 2. Build the run: [`Simulation::new`] schedules the scenario's actions
//!    (one at a time, each queueing the next when it is due).
//! 3. Advance virtual time: [`Simulation::step`] handles one event,
//!    [`Simulation::run_until`] every event up to a time,
//!    [`Simulation::run_to_end`] up to the scenario's `until_ms`.
//! 4. Act live (the UI): [`Simulation::act`] stamps an action at the current
//!    virtual time and records it, so [`Simulation::scenario`] always replays
//!    the session.
//! 5. Read: [`Simulation::servers`], [`Simulation::trace_hash`],
//!    [`Simulation::summary`] (the `zablab run --json` output).
//!
//! A clone of a [`Simulation`] is a checkpoint: it continues identically.
//!
//! ## Modules
//! - [`rng`]: PCG32, the one seeded PRNG.
//! - [`scenario`]: scenario file v1 (the contract in `docs/SCENARIO.md`).
//! - [`sim`]: event queue, virtual clock, actions.
//! - [`timetravel`]: checkpoints, seek, step back and fork over a session
//!   (the browser app's time travel).
//! - [`trace`]: the trace hash.
//! - [`reference`]: the reference-scenario fixture (native == wasm).
//! - [`sorting`]: the one stable sort (one copy of the sort code in wasm).

pub mod checks;
pub mod diagnosis;
pub mod fourlw;
pub mod fourlw_view;
pub mod fuzz;
pub mod idmap;
pub mod import;
pub mod lesson;
pub mod metrics;
pub mod proto;
pub mod reference;
pub mod rng;
pub mod scenario;
pub mod seq;
pub mod server;
pub mod sim;
pub mod sorting;
pub mod storage;
pub mod timetravel;
pub mod trace;
pub mod txn;
pub mod zxid;

pub use checks::Violation;
pub use scenario::{Action, ActionKind, Scenario, ScenarioError, ServerRef};
pub use sim::{ActionError, Role, RunSummary, ServerView, SimError, Simulation, KNOWN_VARIANTS};

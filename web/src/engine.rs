//! Time travel (branches, checkpoints every K events and after each action,
//! seek = restore + replay, fork): the policy lives in the core
//! (`zablab_core::timetravel`) so that `zablab bench` measures the app's
//! seeks natively with the same code.

pub use zablab_core::timetravel::*;

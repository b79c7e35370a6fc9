//! The inspector's server controls: crash (`kill -9`), power off, restart, pause for some
//! seconds, slow the disk's fsync, crash the leader (each a scenario
//! action at the shown moment, as `docs/SCENARIO.md` names them), with the
//! fields they read; and the four-letter-word console, which asks a
//! server (`Simulation::four_letter_word_now`, ZooKeeper's
//! `FourLetterCommands`) and never changes the run.

use zablab_core::proto::Sid;
use zablab_core::{ActionKind, ServerRef};

use crate::i18n::{tr, T};
use crate::model::{action_error, Model};

/// The server controls' messages.
#[derive(Debug, Clone, PartialEq)]
pub enum FaultMsg {
    Crash(Sid),
    /// The server's machine loses power (`"power_loss": true`).
    PowerOff(Sid),
    Restart(Sid),
    PauseServer(Sid),
    SlowDisk(Sid),
    CrashLeader,
    SetPauseSecs(u64),
    SetDiskMs(u64),
    /// A four-letter word typed in the console for a server.
    FourLw(Sid, String),
}

impl FaultMsg {
    /// Every fault is a scenario action; the fields and the console are not.
    pub fn acts(&self) -> bool {
        !matches!(
            self,
            FaultMsg::SetPauseSecs(_) | FaultMsg::SetDiskMs(_) | FaultMsg::FourLw(..)
        )
    }
}

/// The server controls' fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultForm {
    /// How long Pause stops a server, in s.
    pub pause_secs: u64,
    /// The fsync time Slow disk sets, in ms.
    pub disk_ms: u64,
}

impl Default for FaultForm {
    fn default() -> Self {
        FaultForm {
            pause_secs: 12,
            disk_ms: 2000,
        }
    }
}

/// A 4lw typed in the console and its answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FourLwLine {
    pub sid: Sid,
    pub cmd: String,
    pub at_ms: u64,
    pub output: String,
}

/// Console lines kept (the newest).
const CONSOLE_LINES: usize = 20;

impl Model {
    pub(super) fn fault(&mut self, msg: FaultMsg) {
        let server = ServerRef::Sid;
        match msg {
            FaultMsg::Crash(s) => self.act(ActionKind::Crash {
                server: server(s),
                power_loss: false,
            }),
            FaultMsg::PowerOff(s) => self.act(ActionKind::Crash {
                server: server(s),
                power_loss: true,
            }),
            FaultMsg::Restart(s) => self.act(ActionKind::Restart { server: server(s) }),
            FaultMsg::PauseServer(s) => self.act(ActionKind::Pause {
                server: server(s),
                for_ms: self.faults.pause_secs.max(1) * 1000,
            }),
            FaultMsg::SlowDisk(s) => self.act(ActionKind::SlowDisk {
                server: server(s),
                fsync_ms: self.faults.disk_ms,
            }),
            FaultMsg::CrashLeader => self.act(ActionKind::Crash {
                server: ServerRef::Leader,
                power_loss: false,
            }),
            FaultMsg::SetPauseSecs(v) => self.faults.pause_secs = v.clamp(1, 3600),
            FaultMsg::SetDiskMs(v) => self.faults.disk_ms = v.min(600_000),
            FaultMsg::FourLw(sid, cmd) => self.four_letter_word(sid, cmd),
        }
    }

    /// Asks `sid` the word at the shown moment; the answer goes to the
    /// console (a paused server's silence, a running server's closed
    /// connection on a word it does not know, or the error, in words).
    fn four_letter_word(&mut self, sid: Sid, cmd: String) {
        let cmd = cmd.trim().to_string();
        if cmd.is_empty() {
            return;
        }
        let sim = self.engine.sim();
        let output = match sim.four_letter_word_now(sid, &cmd) {
            Ok(out) if out.is_empty() && sim.paused_until(sid).is_some() => {
                tr(self.lang, T::NoAnswerPaused).to_string()
            }
            // A running server closes the connection on an unknown word.
            Ok(out) if out.is_empty() => tr(self.lang, T::NoAnswerClosed).to_string(),
            Ok(out) => out,
            Err(e) => action_error(self.lang, &e),
        };
        self.console.push(FourLwLine {
            sid,
            cmd,
            at_ms: sim.now_ms(),
            output,
        });
        if self.console.len() > CONSOLE_LINES {
            self.console.remove(0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit::seek;
    use super::*;

    #[test]
    fn crash_then_restart_goes_through_the_core() {
        let mut m = Model::opening().unwrap();
        m.apply(FaultMsg::Crash(2).into());
        assert!(!m.engine.sim().server(2).unwrap().up);
        assert_eq!(
            m.engine.export().actions.len(),
            2,
            "recorded as a scenario action"
        );
        seek(&mut m, 3000);
        m.apply(FaultMsg::Restart(2).into());
        assert!(m.engine.sim().server(2).unwrap().up);
        let o = Model::OPENING_MS;
        let crash_at = m.engine.export().actions[1].at_ms;
        assert!((o..=o + 1).contains(&crash_at), "{crash_at}");
        assert_eq!(m.notice, None);
    }

    #[test]
    fn a_refused_action_is_shown_not_applied() {
        let mut m = Model::opening().unwrap();
        m.apply(FaultMsg::Restart(1).into());
        assert_eq!(
            m.notice.as_ref().map(|n| n.text.as_str()),
            Some("Server 1 is already running.")
        );
        assert_eq!(m.engine.export().actions.len(), 1);
    }

    #[test]
    fn crashing_the_leader_elects_another_in_a_new_epoch() {
        let mut m = Model::opening().unwrap();
        let old = m.engine.sim().established_leader().unwrap();
        let epoch = m.engine.sim().server(old).unwrap().current_epoch;
        m.apply(FaultMsg::CrashLeader.into());
        seek(&mut m, 8000);
        let new = m.engine.sim().established_leader().unwrap();
        assert_ne!(new, old);
        assert!(m.engine.sim().server(new).unwrap().current_epoch > epoch);
        // Back before the crash: the old leader again.
        seek(&mut m, 1990);
        assert_eq!(m.engine.sim().established_leader(), Some(old));
    }

    #[test]
    fn the_console_answers_without_acting_and_keeps_the_newest_lines() {
        let mut m = Model::opening().unwrap();
        let hash = m.engine.sim().trace_hash();
        m.apply(FaultMsg::FourLw(1, "  ".into()).into());
        assert!(m.console.is_empty(), "nothing typed, nothing asked");
        for _ in 0..CONSOLE_LINES + 2 {
            m.apply(FaultMsg::FourLw(1, " srvr ".into()).into());
        }
        assert_eq!(m.console.len(), CONSOLE_LINES);
        let line = m.console.last().unwrap();
        assert_eq!((line.sid, line.cmd.as_str()), (1, "srvr"));
        assert!(line.output.contains("Zookeeper version"), "{}", line.output);
        assert_eq!(m.engine.sim().trace_hash(), hash);
        assert_eq!(m.engine.export().actions.len(), 1);
    }

    #[test]
    fn the_fields_are_kept_in_range() {
        let mut m = Model::opening().unwrap();
        m.apply(FaultMsg::SetPauseSecs(0).into());
        assert_eq!(m.faults.pause_secs, 1);
        m.apply(FaultMsg::SetDiskMs(10_000_000).into());
        assert_eq!(m.faults.disk_ms, 600_000);
    }
}

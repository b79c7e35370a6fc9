//! The processes a conform run starts, and the guarantee that none
//! outlives it.
//!
//! Contract:
//! - Every child is started here ([`Procs::spawn`]), from the main thread,
//!   under its own uid, in a process group of its own (a Ctrl-C at the
//!   terminal reaches only the tool), with `PR_SET_PDEATHSIG = SIGKILL` set
//!   in the child before `exec` (after the uid change, which would clear
//!   it): if the tool dies, even by SIGKILL, the kernel kills its JVMs.
//! - Every child is ended by its own PID: [`Procs::kill`] (a crash),
//!   [`Procs::end_all`] (the run's end, an error, `Drop`). Never by name.
//! - SIGINT, SIGTERM and SIGHUP only raise a flag ([`install_signal_flag`],
//!   [`stop_requested`]); every wait of the run polls it and unwinds, and
//!   `Drop` ends the children.
//! - Each run writes `pids` in its directory (`PID SID` per start). The
//!   next run reads the `pids` of earlier runs ([`end_leftovers`]) and
//!   kills only a PID whose `/proc/PID/cmdline` names that run's
//!   directory (a reused PID of another program is left alone).

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};

static STOP: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(_sig: libc::c_int) {
    STOP.store(true, Ordering::SeqCst);
}

/// SIGINT, SIGTERM and SIGHUP set the stop flag instead of ending the tool.
pub fn install_signal_flag() {
    for sig in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
        // SAFETY: a zeroed sigaction with a handler that only stores an
        // atomic is a valid, async-signal-safe disposition.
        unsafe {
            let mut sa: libc::sigaction = std::mem::zeroed();
            sa.sa_sigaction = on_signal as *const () as usize;
            // Interrupted system calls restart: only the flag tells.
            sa.sa_flags = libc::SA_RESTART;
            libc::sigemptyset(&mut sa.sa_mask);
            libc::sigaction(sig, &sa, std::ptr::null_mut());
        }
    }
}

/// A stop signal arrived: unwind and end every child.
pub fn stop_requested() -> bool {
    STOP.load(Ordering::SeqCst)
}

/// What to start: a program, its arguments and environment, the uid it
/// runs under and where its stdout and stderr go.
pub struct Spawn<'a> {
    pub program: &'a str,
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
    pub uid: u32,
    pub cwd: &'a Path,
    pub output: &'a Path,
}

/// The children of one run.
pub struct Procs {
    pidfile: PathBuf,
    live: BTreeMap<u32, Child>,
    paused: BTreeSet<u32>,
}

impl Procs {
    /// `run_dir/pids` records every start.
    pub fn new(run_dir: &Path) -> Procs {
        Procs {
            pidfile: run_dir.join("pids"),
            live: BTreeMap::new(),
            paused: BTreeSet::new(),
        }
    }

    /// Starts server `sid`'s process (from the main thread).
    pub fn spawn(&mut self, sid: u32, s: &Spawn) -> Result<u32, String> {
        if let Some(pid) = self.pid(sid) {
            return Err(format!("server {sid} is already running (pid {pid})"));
        }
        let out = File::create(s.output)
            .map_err(|e| format!("cannot create {}: {e}", s.output.display()))?;
        let err = out
            .try_clone()
            .map_err(|e| format!("cannot open {}: {e}", s.output.display()))?;
        let parent = std::process::id() as libc::pid_t;
        let uid = s.uid;
        let mut cmd = Command::new(s.program);
        cmd.args(&s.args)
            .env_clear()
            .envs(s.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .current_dir(s.cwd)
            .stdin(Stdio::null())
            .stdout(Stdio::from(out))
            .stderr(Stdio::from(err))
            .process_group(0);
        // SAFETY: only async-signal-safe system calls between fork and
        // exec: drop root's groups, take the server's uid, then ask to be
        // SIGKILLed when the tool's main thread dies (set after setuid,
        // which clears it), and leave if the tool is already gone.
        unsafe {
            cmd.pre_exec(move || {
                if libc::setgroups(0, std::ptr::null()) != 0
                    || libc::setgid(uid) != 0
                    || libc::setuid(uid) != 0
                    || libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0) != 0
                {
                    return Err(std::io::Error::last_os_error());
                }
                if libc::getppid() != parent {
                    libc::_exit(1);
                }
                Ok(())
            });
        }
        let child = cmd
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", s.program))?;
        let pid = child.id();
        let mut f = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.pidfile)
            .map_err(|e| format!("cannot write {}: {e}", self.pidfile.display()))?;
        let _ = writeln!(f, "{pid} {sid}");
        self.live.insert(sid, child);
        self.paused.remove(&sid);
        Ok(pid)
    }

    /// Server `sid`'s PID, if its process is alive.
    pub fn pid(&mut self, sid: u32) -> Option<u32> {
        let child = self.live.get_mut(&sid)?;
        match child.try_wait() {
            Ok(None) => Some(child.id()),
            _ => {
                self.live.remove(&sid);
                None
            }
        }
    }

    pub fn is_paused(&self, sid: u32) -> bool {
        self.paused.contains(&sid)
    }

    fn signal(&mut self, sid: u32, sig: libc::c_int) -> Result<u32, String> {
        let pid = self
            .pid(sid)
            .ok_or_else(|| format!("server {sid} is not running"))?;
        // SAFETY: kill with a PID this run started and still owns (not
        // yet reaped, so the PID cannot have been reused).
        if unsafe { libc::kill(pid as libc::pid_t, sig) } != 0 {
            return Err(format!(
                "kill({pid}, {sig}): {}",
                std::io::Error::last_os_error()
            ));
        }
        Ok(pid)
    }

    /// `kill -9` by PID, then reap it.
    pub fn kill(&mut self, sid: u32) -> Result<u32, String> {
        let pid = self.signal(sid, libc::SIGKILL)?;
        if let Some(mut child) = self.live.remove(&sid) {
            let _ = child.wait();
        }
        self.paused.remove(&sid);
        Ok(pid)
    }

    /// SIGSTOP: the JVM stalls, its sockets stay open (a long GC pause).
    pub fn pause(&mut self, sid: u32) -> Result<u32, String> {
        let pid = self.signal(sid, libc::SIGSTOP)?;
        self.paused.insert(sid);
        Ok(pid)
    }

    /// SIGCONT.
    pub fn resume(&mut self, sid: u32) -> Result<u32, String> {
        let pid = self.signal(sid, libc::SIGCONT)?;
        self.paused.remove(&sid);
        Ok(pid)
    }

    /// Every live child killed by its PID and reaped.
    pub fn end_all(&mut self) {
        let sids: Vec<u32> = self.live.keys().copied().collect();
        for sid in sids {
            let _ = self.kill(sid);
        }
    }
}

impl Drop for Procs {
    fn drop(&mut self) {
        self.end_all();
    }
}

/// Ends what earlier runs under `root` left running (a tool killed before
/// its children could be reaped, on a kernel that missed the death
/// signal): for each `root/*/pids`, a PID is killed only if its command
/// line names that run's directory. Returns what it did, one line each.
pub fn end_leftovers(root: &Path) -> Vec<String> {
    let mut done = Vec::new();
    let Ok(runs) = std::fs::read_dir(root) else {
        return done;
    };
    for run in runs.flatten() {
        let pidfile = run.path().join("pids");
        let Ok(text) = std::fs::read_to_string(&pidfile) else {
            continue;
        };
        let dir = run.path();
        let needle = dir.to_string_lossy().into_owned();
        for line in text.lines() {
            let Some(pid) = line
                .split_whitespace()
                .next()
                .and_then(|p| p.parse::<i32>().ok())
            else {
                continue;
            };
            let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
            let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
            if cmdline.contains(&needle) {
                // SAFETY: a PID whose command line names that run's
                // directory is one of that run's JVMs.
                unsafe {
                    libc::kill(pid, libc::SIGKILL);
                }
                done.push(format!("ended pid {pid} left running by {}", dir.display()));
            }
        }
        let _ = std::fs::rename(&pidfile, dir.join("pids.ended"));
    }
    done
}

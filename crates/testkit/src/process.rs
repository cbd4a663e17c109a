//! Processes a test or benchmark starts: each is killed and reaped when its handle drops,
//! so a failing test (a panic unwinds through it) leaves nothing running, and its output
//! goes to a log file the failure message can point to.

use std::fs::OpenOptions;
use std::io;
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;

/// A running child process, killed when dropped.
pub struct Spawned {
    child: Child,
    pub name: String,
    /// Where its stdout and stderr go (appended, so a restart keeps the earlier output).
    pub log: PathBuf,
}

impl Spawned {
    /// Starts `command` with its output appended to `log` and no stdin.
    pub fn start(
        mut command: Command,
        name: impl Into<String>,
        log: PathBuf,
    ) -> io::Result<Spawned> {
        let out = OpenOptions::new().create(true).append(true).open(&log)?;
        let child = command
            .stdin(Stdio::null())
            .stdout(out.try_clone()?)
            .stderr(out)
            .spawn()?;
        Ok(Spawned {
            child,
            name: name.into(),
            log,
        })
    }

    pub fn pid(&self) -> Pid {
        Pid::from_raw(self.child.id() as i32)
    }

    /// Sends `signal` (SIGTERM to stop gracefully, SIGSTOP/SIGCONT to hang and resume).
    pub fn signal(&self, signal: Signal) -> nix::Result<()> {
        kill(self.pid(), signal)
    }

    /// The exit status, if the process has exited.
    pub fn exited(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    /// Waits for the process to exit by itself.
    pub fn wait(&mut self) -> io::Result<ExitStatus> {
        self.child.wait()
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Kills the process at once, as a crash or an outage would, and reaps it.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Spawned {
    fn drop(&mut self) {
        self.kill();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dropped_handle_kills_its_process_and_output_reaches_the_log() {
        let dir = tempfile::tempdir().unwrap();
        let mut command = Command::new("sh");
        command.args(["-c", "echo started; exec sleep 30"]);
        let process = Spawned::start(command, "sleeper", dir.path().join("sleeper.log")).unwrap();
        let pid = process.pid();
        for _ in 0..50 {
            if process.log_text().contains("started") {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        assert!(process.log_text().contains("started"));
        drop(process);
        // Reaped: the pid no longer names a process of ours.
        assert!(kill(pid, None).is_err(), "the process outlived its handle");
    }
}

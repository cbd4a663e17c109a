//! `civicpulse` processes of a test: killed when dropped (the test kit's `Spawned`), with
//! waits that do not block the test's runtime.

use std::time::{Duration, Instant};

use civicpulse_testkit::process::Spawned;
use nix::sys::signal::Signal;

/// A running `civicpulse` subcommand; killed when dropped.
pub struct Process(pub(crate) Spawned);

impl Process {
    pub fn signal(&self, signal: Signal) {
        self.0.signal(signal).expect("signal delivered");
    }

    /// Waits for the process to exit by itself; returns whether it exited successfully.
    pub async fn wait_exit(&mut self, timeout: Duration) -> bool {
        let started = Instant::now();
        while started.elapsed() < timeout {
            if let Some(status) = self.0.exited() {
                return status.success();
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!(
            "{} did not exit within {timeout:?}; log: {}",
            self.0.name,
            self.0.log.display()
        );
    }

    /// Waits for the process to finish and asserts it succeeded; returns its log.
    pub fn wait_success(mut self) -> String {
        let status = self.0.wait().expect("process ran");
        let log = self.log_text();
        assert!(status.success(), "{} failed: {log}", self.0.name);
        log
    }

    pub fn log_text(&self) -> String {
        self.0.log_text()
    }

    /// Where the process writes its output.
    pub fn log_path(&self) -> &std::path::Path {
        &self.0.log
    }
}

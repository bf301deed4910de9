//! End-to-end tests: the real `hf` binary as a process, against `hf-testhub` over loopback,
//! with `HF_HOME` in a temp dir.

mod auth;
mod cache;
mod cli;
mod download;
mod interop;
mod repo;
mod terminal;
mod upload;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use hf_testhub::{BlockingTestHub, TestHub};

/// The write token of user `alice` on every test hub.
pub(crate) const ALICE_TOKEN: &str = "hf_alice_write_token";

/// Environment variables that would leak the developer's setup into a test.
const SCRUBBED: [&str; 23] = [
    // `hf cache ls` fits its table to it.
    "COLUMNS",
    "HF_TOKEN",
    "HUGGING_FACE_HUB_TOKEN",
    "HF_TOKEN_PATH",
    "HF_HUB_CACHE",
    "HUGGINGFACE_HUB_CACHE",
    "HF_HUB_OFFLINE",
    "HF_HUB_DISABLE_IMPLICIT_TOKEN",
    "HF_HUB_DISABLE_PROGRESS_BARS",
    "HUGGINGFACE_CO_STAGING",
    "XDG_CACHE_HOME",
    "RUST_LOG",
    "HF_ENDPOINT",
    "HF_HOME",
    "HF_ASSETS_CACHE",
    // The emulator is on loopback: a proxy of the caller's must not intercept it.
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "ALL_PROXY",
    "all_proxy",
    "NO_PROXY",
    "no_proxy",
];

/// A hub with user `alice` (write token [`ALICE_TOKEN`]).
pub(crate) fn hub() -> BlockingTestHub {
    TestHub::builder()
        .user("alice", ALICE_TOKEN)
        .start_blocking()
        .expect("the test hub starts")
}

/// One `hf` run's result.
#[derive(Debug)]
pub(crate) struct Run {
    pub(crate) code: Option<i32>,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

impl Run {
    fn from(out: Output) -> Run {
        Run {
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Asserts success and returns stdout.
    #[track_caller]
    pub(crate) fn ok(&self) -> &str {
        assert_eq!(self.code, Some(0), "hf failed: {self:#?}");
        &self.stdout
    }

    /// Asserts a failure with exactly one `hf: error:` line on stderr, and returns it.
    #[track_caller]
    pub(crate) fn err_line(&self) -> &str {
        assert_ne!(self.code, Some(0), "hf should have failed: {self:#?}");
        let lines: Vec<&str> = self
            .stderr
            .lines()
            .filter(|l| l.starts_with("hf: error: "))
            .collect();
        assert_eq!(lines.len(), 1, "one error line expected: {self:#?}");
        lines[0]
    }
}

/// A sandbox: its own `HF_HOME`, an endpoint, nothing from the developer's environment.
pub(crate) struct Sandbox {
    pub(crate) home: tempfile::TempDir,
    pub(crate) endpoint: String,
    extra: Vec<(String, String)>,
}

impl Sandbox {
    pub(crate) fn new(endpoint: &str) -> Sandbox {
        Sandbox {
            home: tempfile::tempdir().unwrap(),
            endpoint: endpoint.to_owned(),
            extra: Vec::new(),
        }
    }

    /// Sets an extra environment variable for every later run.
    pub(crate) fn set(&mut self, name: &str, value: &str) {
        self.extra.push((name.to_owned(), value.to_owned()));
    }

    /// `$HF_HOME`.
    pub(crate) fn hf_home(&self) -> PathBuf {
        self.home.path().join("hf")
    }

    /// The hub cache, `$HF_HOME/hub`.
    pub(crate) fn cache(&self) -> PathBuf {
        self.hf_home().join("hub")
    }

    /// The `hf` command with the sandbox's environment.
    pub(crate) fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_hf"));
        cmd.args(args);
        for name in SCRUBBED {
            cmd.env_remove(name);
        }
        cmd.env("HOME", self.home.path())
            .env("HF_HOME", self.hf_home())
            .env("HF_ENDPOINT", &self.endpoint)
            .env("NO_COLOR", "1");
        for (k, v) in &self.extra {
            cmd.env(k, v);
        }
        cmd.stdin(Stdio::null());
        cmd
    }

    /// Runs `hf args...`.
    pub(crate) fn run(&self, args: &[&str]) -> Run {
        Run::from(self.command(args).output().expect("hf runs"))
    }

    /// Runs `hf args...` with `input` on stdin.
    pub(crate) fn run_with_stdin(&self, args: &[&str], input: &str) -> Run {
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("hf runs");
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        Run::from(child.wait_with_output().unwrap())
    }
}

/// Reads a file to a string.
pub(crate) fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

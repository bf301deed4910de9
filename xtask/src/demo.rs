//! `cargo xtask demo`: a round trip through the `hf` CLI against a local `hf-testhub`.
//!
//! Builds both binaries, serves the emulator from a temp data dir with a user and a token,
//! then drives `hf` as a user would (log in, create a repo, upload a folder with an
//! LFS-sized file, tag, list, download into a fresh cache and compare, scan the cache),
//! printing one readable line per step. Any failing
//! step stops the demo with its stderr and a non-zero exit.

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context as _, Result, bail};

use crate::util::{cargo, loopback_without_proxy, root, run as run_cmd, step};

const USER: &str = "demo";
const TOKEN: &str = "hf_demo_write_token";
const REPO: &str = "demo/round-trip";
/// Above the Hub's 10 MB threshold, so the file goes through LFS.
const LARGE_FILE_BYTES: usize = 12 * 1024 * 1024;

/// Environment variables of the caller that would change what the demo does.
const SCRUBBED: [&str; 10] = [
    "HF_TOKEN",
    "HUGGING_FACE_HUB_TOKEN",
    "HF_TOKEN_PATH",
    "HF_HUB_CACHE",
    "HUGGINGFACE_HUB_CACHE",
    "HF_HUB_OFFLINE",
    "HF_HUB_DISABLE_IMPLICIT_TOKEN",
    "HF_ENDPOINT",
    "HF_HOME",
    "XDG_CACHE_HOME",
];

/// Kills the emulator and removes the scratch folder, however the demo ends.
struct Scratch {
    dir: PathBuf,
    hub: Option<Child>,
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if let Some(mut hub) = self.hub.take() {
            let _ = hub.kill();
            let _ = hub.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// One `hf` user: its own `HF_HOME`.
struct User<'a> {
    hf: &'a Path,
    endpoint: &'a str,
    home: PathBuf,
}

impl User<'_> {
    /// Runs `hf args...`; returns stdout, or fails with the command and its stderr.
    fn hf(&self, args: &[&str]) -> Result<String> {
        let mut cmd = Command::new(self.hf);
        cmd.args(args);
        for name in SCRUBBED {
            cmd.env_remove(name);
        }
        loopback_without_proxy(&mut cmd);
        cmd.env("HF_HOME", &self.home)
            .env("HF_ENDPOINT", self.endpoint)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null());
        let out = cmd
            .output()
            .with_context(|| format!("could not run {}", self.hf.display()))?;
        if !out.status.success() {
            bail!(
                "`hf {}` failed ({}):\n{}",
                args.join(" "),
                out.status,
                String::from_utf8_lossy(&out.stderr).trim_end()
            );
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }
}

/// Deterministic bytes that do not compress (xorshift).
fn noise(len: usize) -> Vec<u8> {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        out.extend_from_slice(&state.to_le_bytes());
    }
    out.truncate(len);
    out
}

fn say(what: &str, detail: impl std::fmt::Display) {
    println!("  {what:<10} {detail}");
}

pub(crate) fn run() -> Result<()> {
    let root = root();
    step("building hf and hf-testhub");
    run_cmd(cargo().current_dir(&root).args([
        "build",
        "--locked",
        "-p",
        "hf-cli",
        "--bin",
        "hf",
        "-p",
        "hf-testhub",
        "--bin",
        "hf-testhub",
    ]))?;
    let bin_dir = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| root.join("target"), PathBuf::from)
        .join("debug");
    let hf = bin_dir.join("hf");
    let testhub = bin_dir.join("hf-testhub");

    let stamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let dir = std::env::temp_dir().join(format!("hf-demo-{}-{stamp}", std::process::id()));
    std::fs::create_dir_all(&dir).with_context(|| format!("could not create {}", dir.display()))?;
    let mut scratch = Scratch {
        dir: dir.clone(),
        hub: None,
    };

    step("starting hf-testhub");
    let mut hub = Command::new(&testhub)
        .args(["serve", "--data"])
        .arg(dir.join("hub-data"))
        .args(["--user", USER, "--token", TOKEN])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .with_context(|| format!("could not start {}", testhub.display()))?;
    let stdout = hub.stdout.take().context("no stdout from hf-testhub")?;
    scratch.hub = Some(hub);
    let mut first = String::new();
    BufReader::new(stdout)
        .read_line(&mut first)
        .context("could not read the emulator's address")?;
    let endpoint = first
        .trim()
        .strip_prefix("listening on ")
        .with_context(|| format!("unexpected first line from hf-testhub: {first:?}"))?
        .to_owned();

    step(&format!("round trip through `hf` against {endpoint}"));
    let alice = User {
        hf: &hf,
        endpoint: &endpoint,
        home: dir.join("uploader-home"),
    };
    alice.hf(&["auth", "login", "--token", TOKEN])?;
    let me = alice.hf(&["auth", "whoami"])?;
    say(
        "login",
        format!("logged in as {}", me.lines().next().unwrap_or("?")),
    );

    let url = alice.hf(&["repo", "create", REPO])?;
    say("create", url.trim());

    // The folder a user would upload: a README, a config and an LFS-sized weights file.
    let folder = dir.join("to-upload");
    std::fs::create_dir_all(folder.join("weights"))?;
    std::fs::write(folder.join("README.md"), "# round trip\n")?;
    std::fs::write(folder.join("config.json"), "{\"hidden\": 8}\n")?;
    std::fs::write(folder.join("weights/model.bin"), noise(LARGE_FILE_BYTES))?;
    std::fs::write(folder.join("scratch.tmp"), "not uploaded")?;
    let folder_s = folder.display().to_string();
    let commit = alice.hf(&[
        "upload",
        REPO,
        &folder_s,
        "--exclude",
        "*.tmp",
        "-m",
        "demo upload",
    ])?;
    say(
        "upload",
        format!(
            "README.md, config.json, weights/model.bin ({} MiB, via LFS) -> {}",
            LARGE_FILE_BYTES / (1024 * 1024),
            commit.trim()
        ),
    );

    alice.hf(&["repo", "tag", "create", REPO, "v1", "-m", "demo tag"])?;
    let tags = alice.hf(&["repo", "tag", "list", REPO])?;
    say(
        "tag",
        format!(
            "tags now: {}",
            tags.split_whitespace().collect::<Vec<_>>().join(", ")
        ),
    );

    let listing = alice.hf(&["ls", REPO, "-R"])?;
    let entries: Vec<&str> = listing.lines().map(str::trim).collect();
    say(
        "list",
        format!(
            "{} {}: {}",
            entries.len(),
            if entries.len() == 1 {
                "entry"
            } else {
                "entries"
            },
            entries.join("; ")
        ),
    );

    // A second user with a fresh cache downloads the repo.
    let bob = User {
        hf: &hf,
        endpoint: &endpoint,
        home: dir.join("downloader-home"),
    };
    let snapshot = bob.hf(&["download", REPO, "--revision", "v1", "--quiet"])?;
    let snapshot = PathBuf::from(snapshot.trim());
    for name in ["README.md", "config.json", "weights/model.bin"] {
        let (sent, got) = (folder.join(name), snapshot.join(name));
        let same = std::fs::read(&sent)?
            == std::fs::read(&got).with_context(|| format!("{name} was not downloaded"))?;
        if !same {
            bail!(
                "{name} differs after the round trip ({} vs {})",
                sent.display(),
                got.display()
            );
        }
    }
    if snapshot.join("scratch.tmp").exists() {
        bail!("scratch.tmp was uploaded although --exclude '*.tmp' was given");
    }
    say(
        "download",
        format!(
            "{} file(s) into a fresh cache, identical to what was uploaded: {}",
            count_files(&snapshot)?,
            snapshot.display()
        ),
    );

    // Cached now: a dry run finds nothing to fetch, and the files match the Hub's
    // checksums.
    let plan = bob.hf(&["download", REPO, "--revision", "v1", "--dry-run"])?;
    let summary = plan.lines().next().unwrap_or_default();
    if !summary.starts_with("[dry-run] Will download 0 files") {
        bail!("the dry run after the download should find nothing to fetch:\n{plan}");
    }
    say("dry run", summary);
    let verified = bob.hf(&["cache", "verify", REPO, "--revision", "v1"])?;
    say("verify", verified.trim());

    let scan = bob.hf(&["cache", "scan"])?;
    say("scan", "the downloader's cache:");
    for line in scan.lines().filter(|l| !l.is_empty()) {
        println!("             {line}");
    }

    drop(scratch);
    println!("\ndemo finished: every step worked");
    Ok(())
}

fn count_files(dir: &Path) -> Result<usize> {
    let mut n = 0;
    for entry in
        std::fs::read_dir(dir).with_context(|| format!("could not read {}", dir.display()))?
    {
        let entry = entry?;
        if entry.path().is_dir() {
            n += count_files(&entry.path())?;
        } else {
            n += 1;
        }
    }
    Ok(n)
}

//! `cargo xtask interop`: drives the official Python client against `hf-testhub`.
//!
//! For each client version it creates (once) a virtualenv under `target/interop/`, then
//! runs the pytest suite in `tests/interop/` with `HF_TESTHUB_BIN` naming the emulator
//! binary. The suite starts its own emulator process.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::util::run as run_cmd;
use crate::util::{cargo, loopback_without_proxy, root, step};

/// The client versions the suite runs against: the one our spec describes, and the newest.
const VERSIONS: &[(&str, &str)] = &[
    ("0.26.5", "huggingface_hub==0.26.5"),
    ("latest", "huggingface_hub"),
];

/// Options of `cargo xtask interop`.
#[derive(clap::Args, Debug, Default)]
pub(crate) struct Args {
    /// Run only against this client version label (`0.26.5` or `latest`).
    #[arg(long)]
    pub(crate) only: Option<String>,
    /// Extra arguments passed to pytest (e.g. `-k upload`).
    #[arg(last = true)]
    pub(crate) pytest_args: Vec<String>,
    /// The test step has just built the emulator (`cargo xtask ci`): use its binary. A
    /// build of the binary alone would compile part of the tree again, since the test
    /// build's dependencies carry the dev-dependencies' features.
    #[arg(skip)]
    pub(crate) testhub_built: bool,
}

/// Builds the emulator, prepares the venvs and runs the suite for each version.
pub(crate) fn run(args: &Args) -> Result<()> {
    let root = root();
    let bin = target_dir(&root).join("debug").join("hf-testhub");
    if !args.testhub_built || !bin.is_file() {
        step("building hf-testhub");
        run_cmd(cargo().current_dir(&root).args([
            "build",
            "--locked",
            "-p",
            "hf-testhub",
            "--bin",
            "hf-testhub",
        ]))?;
    }
    if !bin.is_file() {
        bail!("hf-testhub binary not found at {}", bin.display());
    }
    let mut failed = Vec::new();
    for (label, requirement) in VERSIONS {
        if args.only.as_deref().is_some_and(|only| only != *label) {
            continue;
        }
        let python = venv(&root, label, requirement)?;
        step(&format!("interop suite against huggingface_hub {label}"));
        let status = loopback_without_proxy(&mut Command::new(&python))
            .current_dir(root.join("tests/interop"))
            .env("HF_TESTHUB_BIN", &bin)
            .env("HF_HUB_DISABLE_XET", "1")
            .args(["-m", "pytest", "-q", "-p", "no:cacheprovider", "--color=no"])
            .args(&args.pytest_args)
            .status()
            .context("could not run pytest")?;
        if !status.success() {
            failed.push(*label);
        }
    }
    if !failed.is_empty() {
        bail!(
            "interop suite failed for huggingface_hub {}",
            failed.join(", ")
        );
    }
    Ok(())
}

fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from)
}

/// The python of the pinned 0.26.5 venv (created if needed), for Rust tests that run
/// the Python client themselves (they read `HF_INTEROP_PYTHON`).
pub(crate) fn pinned_python() -> Result<PathBuf> {
    let (label, requirement) = VERSIONS[0];
    venv(&root(), label, requirement)
}

/// The python of the newest release's venv (created if needed), for Rust tests of
/// features the pinned release does not have (they read `HF_INTEROP_PYTHON_LATEST`).
pub(crate) fn latest_python() -> Result<PathBuf> {
    let (label, requirement) = VERSIONS[1];
    venv(&root(), label, requirement)
}

/// Creates `target/interop/venv-<label>` with the client and pytest, once; returns its python.
fn venv(root: &Path, label: &str, requirement: &str) -> Result<PathBuf> {
    let dir = target_dir(root)
        .join("interop")
        .join(format!("venv-{label}"));
    let python = dir.join("bin").join("python");
    let marker = dir.join(".installed");
    if marker.is_file() {
        return Ok(python);
    }
    step(&format!("creating {}", dir.display()));
    run_cmd(Command::new("python3").args(["-m", "venv"]).arg(&dir))?;
    run_cmd(Command::new(&python).args([
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        requirement,
        "pytest",
    ]))?;
    std::fs::write(&marker, requirement).context("could not write the venv marker")?;
    Ok(python)
}

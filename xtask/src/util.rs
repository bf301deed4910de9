//! Small process helpers shared by the xtask commands.

use std::path::PathBuf;
use std::process::Command;

use anyhow::{Context, Result, bail};

/// The workspace root (the parent of `xtask/`).
pub(crate) fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives inside the workspace")
        .to_path_buf()
}

/// A `cargo` command using the same toolchain that runs xtask.
pub(crate) fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// Keeps `cmd` (and its children) off any proxy for loopback, where every emulator of
/// the tests, demo and benchmarks listens: our client and Python's both honour
/// `http_proxy`, which a company machine may set. The lowercase name wins, so both are
/// set, keeping the caller's exceptions.
pub(crate) fn loopback_without_proxy(cmd: &mut Command) -> &mut Command {
    let mut list = "127.0.0.1,localhost".to_owned();
    for name in ["no_proxy", "NO_PROXY"] {
        if let Some(v) = std::env::var_os(name).and_then(|v| v.into_string().ok())
            && !v.trim().is_empty()
        {
            list.push(',');
            list.push_str(v.trim());
        }
    }
    cmd.env("no_proxy", &list).env("NO_PROXY", &list)
}

/// Runs `cmd`, failing with the command line when it exits non-zero.
pub(crate) fn run(cmd: &mut Command) -> Result<()> {
    let status = cmd
        .status()
        .with_context(|| format!("could not start {cmd:?}"))?;
    if !status.success() {
        bail!("{cmd:?} failed with {status}");
    }
    Ok(())
}

/// Prints a step banner so CI logs are easy to scan.
#[allow(clippy::print_stderr)]
pub(crate) fn step(name: &str) {
    eprintln!("\n==> {name}");
}

fn has_cargo_subcommand(name: &str) -> bool {
    cargo()
        .args([name, "--version"])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Installs cargo-nextest and cargo-deny when they are missing.
pub(crate) fn ensure_tools() -> Result<()> {
    for (sub, krate) in [("nextest", "cargo-nextest"), ("deny", "cargo-deny")] {
        if !has_cargo_subcommand(sub) {
            step(&format!("installing {krate}"));
            run(cargo().args(["install", "--locked", krate]))?;
        }
    }
    Ok(())
}

/// Builds `what` from a benchmark project (`manifest`, with `extra` arguments such as
/// `--bin X`) into `cargo_target` and returns the folder of its binaries. Measured runs
/// use `release`; the quick smoke run (whose numbers are not judged) uses the `smoke`
/// profile the benchmark projects define, unoptimised apart from the hashing crates,
/// which compiles in half the time.
pub(crate) fn build_bench(
    what: &str,
    cargo_target: &std::path::Path,
    quick: bool,
    manifest: &std::path::Path,
    extra: &[&str],
) -> Result<PathBuf> {
    let profile = if quick { "smoke" } else { "release" };
    step(&format!("{profile} build of {what}"));
    run(cargo()
        .env("CARGO_TARGET_DIR", cargo_target)
        .args(["build", "--profile", profile])
        .args(extra)
        .arg("--manifest-path")
        .arg(manifest))?;
    Ok(cargo_target.join(profile))
}

//! Project automation, run as `cargo xtask <command>`.
//!
//! - `ci`: everything CI checks, in order: fmt, clippy, tests, rustdoc, cargo-deny, interop.
//! - `interop`: the official Python client against `hf-testhub` (creates its own venvs).
//! - `demo`: a round trip through the `hf` CLI against an embedded emulator.
//! - `bench`: side-by-side benchmarks against other clients.

mod bench;
mod bench_upload;
mod demo;
mod interop;
mod util;

use anyhow::Result;
use clap::{Parser, Subcommand};

use crate::util::{cargo, loopback_without_proxy, root, run};

#[derive(Parser)]
#[command(name = "xtask", about = "Project automation for the hf-* workspace")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run every CI check: fmt, clippy, tests, rustdoc, cargo-deny, interop.
    Ci {
        /// Skip everything that needs Python (the interop suite, the Rust-side interop
        /// tests and the benchmark smoke runs).
        #[arg(long)]
        no_interop: bool,
    },
    /// Run the Python-client interop suite against hf-testhub.
    Interop(interop::Args),
    /// Install the cargo tools CI needs when they are missing.
    Tools,
    /// A round trip through the `hf` CLI against a local hf-testhub.
    Demo,
    /// Side-by-side benchmarks against other clients.
    #[command(subcommand)]
    Bench(Bench),
}

#[derive(Subcommand)]
enum Bench {
    /// Uploads: one 2 GiB LFS file, 2000 files of 4 KiB, 20 files of 50 MiB.
    Upload(bench_upload::Args),
    /// Downloads: ours vs Python (0.26.5, newest, hf_transfer) and hf-hub 1.0.0; writes
    /// docs/benchmarks.md.
    Download(bench::Args),
}

fn main() -> Result<()> {
    match Cli::parse().command {
        Command::Ci { no_interop } => ci(no_interop),
        Command::Interop(args) => interop::run(&args),
        Command::Tools => util::ensure_tools(),
        Command::Demo => demo::run(),
        Command::Bench(Bench::Upload(args)) => bench_upload::run_bench(&args),
        Command::Bench(Bench::Download(args)) => bench::run_bench(&args),
    }
}

fn ci(no_interop: bool) -> Result<()> {
    let root = root();
    util::ensure_tools()?;
    // Rust tests that drive the Python client read HF_INTEROP_PYTHON (0.26.5) and
    // HF_INTEROP_PYTHON_LATEST (the newest release, for features 0.26.5 lacks); with
    // HF_INTEROP_REQUIRED they fail instead of skipping when it is missing.
    let python = if no_interop {
        None
    } else {
        util::step("python venvs for interop");
        Some((interop::pinned_python()?, interop::latest_python()?))
    };
    util::step("fmt");
    run(cargo()
        .current_dir(&root)
        .args(["fmt", "--all", "--", "--check"]))?;
    util::step("clippy");
    run(cargo().current_dir(&root).args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--locked",
        "--",
        "-D",
        "warnings",
    ]))?;
    util::step("tests");
    let mut tests = cargo();
    loopback_without_proxy(&mut tests);
    tests.current_dir(&root).args([
        "nextest",
        "run",
        "--workspace",
        "--locked",
        "--no-fail-fast",
    ]);
    if let Some((pinned, latest)) = &python {
        tests
            .env("HF_INTEROP_PYTHON", pinned)
            .env("HF_INTEROP_PYTHON_LATEST", latest)
            .env("HF_INTEROP_REQUIRED", "1");
    }
    run(&mut tests)?;
    util::step("doctests");
    run(cargo()
        .current_dir(&root)
        .args(["test", "--workspace", "--doc", "--locked"]))?;
    util::step("rustdoc");
    run(cargo()
        .current_dir(&root)
        .env("RUSTDOCFLAGS", "-D warnings")
        .args(["doc", "--workspace", "--no-deps", "--locked"]))?;
    util::step("cargo deny");
    run(cargo().current_dir(&root).args([
        "deny",
        "--log-level",
        "error",
        "check",
        "licenses",
        "bans",
        "sources",
    ]))?;
    if !no_interop {
        util::step("interop");
        interop::run(&interop::Args {
            testhub_built: true,
            ..interop::Args::default()
        })?;
        // The benchmarks as smoke runs (small sizes, one run each): they prove the bench
        // tooling and every comparator still work; the numbers are not judged here.
        let xtask = std::env::current_exe()?;
        util::step("benchmark smoke: downloads");
        run(std::process::Command::new(&xtask).args(["bench", "download", "--quick"]))?;
        util::step("benchmark smoke: uploads");
        run(std::process::Command::new(&xtask).args(["bench", "upload", "--quick"]))?;
    }
    util::step("all checks passed");
    Ok(())
}

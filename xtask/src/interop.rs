//! `cargo xtask interop`: runs the official Python client against hf-testhub.

use anyhow::Result;

/// Options of `cargo xtask interop`.
#[derive(clap::Args, Debug, Default)]
pub(crate) struct Args {}

/// Runs the interop suite.
pub(crate) fn run(_args: &Args) -> Result<()> {
    Ok(())
}

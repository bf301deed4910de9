//! `hf`: the command-line tool for the Hugging Face Hub.
//!
//! Command names and flags follow the Python client's CLI (`huggingface-cli` / `hf`), and
//! it shares the Python client's files: the token files under `$HF_HOME` and the hub
//! cache, so a login or a download made by either tool is seen by the other.

mod commands;
mod progress;
mod report;
mod table;

use std::io::IsTerminal as _;
use std::process::ExitCode;

use clap::{CommandFactory, Parser};

use crate::commands::{Command, Ctx};

const AFTER_HELP: &str = "\
Examples:
  hf auth login --token hf_xxx          store a token (also read by the Python client)
  hf download gpt2 config.json          download one file into the cache, print its path
  hf download gpt2 --local-dir ./gpt2   download a whole repo into a folder
  hf cache scan -v                      list what the cache holds, per revision
  hf env                                print versions, paths and the endpoint

Environment: HF_ENDPOINT, HF_HOME, HF_HUB_CACHE, HF_TOKEN, HF_HUB_OFFLINE,
HF_HUB_DOWNLOAD_TIMEOUT, HF_HUB_ETAG_TIMEOUT, HF_HUB_DISABLE_PROGRESS_BARS,
HTTPS_PROXY, HTTP_PROXY, ALL_PROXY, NO_PROXY, REQUESTS_CA_BUNDLE,
RUST_LOG (e.g. RUST_LOG=hf_http=debug).

Exit status: 0 on success, 1 when the command failed (one `hf: error:` line on stderr),
2 on a usage error.";

/// The command line.
#[derive(Debug, Parser)]
#[command(
    name = "hf",
    version,
    about = "The Hugging Face Hub from the command line",
    after_help = AFTER_HELP,
    propagate_version = true
)]
struct Cli {
    /// Show the request trail on stderr (-v: requests, -vv: everything). In `hf cache scan`
    /// it also selects the per-revision table.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
    /// Print only the essential result (no progress bars, no status lines).
    #[arg(short, long, global = true)]
    quiet: bool,
    #[command(subcommand)]
    command: Command,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing(cli.verbose);
    let ctx = Ctx::from_process(cli.verbose, cli.quiet);
    let command = cli.command;
    if let Command::Completions { shell } = command {
        clap_complete::generate(shell, &mut Cli::command(), "hf", &mut std::io::stdout());
        return ExitCode::SUCCESS;
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(hf_api::runtime_worker_threads())
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            report::print(&anyhow::Error::new(e).context("could not start the async runtime"));
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(commands::run(&ctx, command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) if err.is::<report::Interrupted>() => {
            eprintln!("hf: {err}");
            // Not waiting for work in blocking threads (a hash in progress) to finish.
            runtime.shutdown_background();
            ExitCode::from(130)
        }
        Err(err) => {
            report::print(&err);
            ExitCode::FAILURE
        }
    }
}

/// Logs go to stderr: `RUST_LOG` when set, else warnings, or debug (`-v`) / trace (`-vv`)
/// for our crates.
fn init_tracing(verbose: u8) {
    use tracing_subscriber::EnvFilter;
    let rust_log = std::env::var("RUST_LOG").ok().filter(|v| !v.is_empty());
    let trail = verbose > 0 || rust_log.is_some();
    let filter = match rust_log {
        Some(v) => EnvFilter::new(v),
        None => EnvFilter::new(match verbose {
            0 => "warn",
            1 => "warn,hf_http=debug,hf_api=debug,hf_cache=debug,hf_lfs=debug,hf_cli=debug",
            _ => "info,hf_http=trace,hf_api=trace,hf_cache=trace,hf_lfs=trace,hf_cli=trace",
        }),
    };
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(color)
        .with_writer(|| progress::LogWriter)
        .with_target(verbose > 0);
    // A warning for a person ("WARN the Hub cannot be reached; ...") needs no timestamp;
    // a request trail (-v) does.
    if trail {
        logs.init();
    } else {
        logs.without_time().init();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_definition_is_valid() {
        Cli::command().debug_assert();
    }
}

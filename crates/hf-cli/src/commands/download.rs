//! `hf download REPO [FILES...]`: one file (`hf_hub_download`) or a snapshot
//! (`snapshot_download`), printing the local path.

use std::path::PathBuf;

use super::{Ctx, RepoTypeArg, TokenArg, repo_url};
use crate::progress::Bars;
use crate::report;
use crate::table::{Cell, tabulate};
use clap::Args;
use hf_api::{DownloadOptions, DownloadRequest, DryRunFileInfo, SnapshotRequest};
use hf_cache::format_size;

/// Arguments of `hf download`.
#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  hf download gpt2                               the whole repo, into the cache
  hf download gpt2 config.json                   one file; prints its path
  hf download gpt2 config.json vocab.json        several files (a snapshot folder)
  hf download gpt2 --include '*.json' --exclude 'onnx/*'
  hf download squad --repo-type dataset --revision refs/convert/parquet
  hf download gpt2 --local-dir ./gpt2 --quiet    prints only the path
  hf download gpt2 --dry-run                     what would be fetched, and its size")]
pub(crate) struct DownloadArgs {
    /// The repo id, e.g. `gpt2` or `org/name`.
    repo_id: String,
    /// Files to download (default: the whole repo, filtered by --include/--exclude).
    files: Vec<String>,
    #[command(flatten)]
    repo_type: RepoTypeArg,
    /// A branch, tag or commit (default: main).
    #[arg(long, value_name = "REVISION")]
    revision: Option<String>,
    /// Only files matching these glob patterns (ignored when FILES are given).
    #[arg(long, num_args = 1.., value_name = "PATTERN")]
    include: Vec<String>,
    /// Skip files matching these glob patterns (ignored when FILES are given).
    #[arg(long, num_args = 1.., value_name = "PATTERN")]
    exclude: Vec<String>,
    /// The cache directory (default: HF_HUB_CACHE, else $HF_HOME/hub).
    #[arg(long, value_name = "DIR")]
    cache_dir: Option<PathBuf>,
    /// Put the files in this folder instead of the cache's snapshot folder.
    #[arg(long, value_name = "DIR")]
    local_dir: Option<PathBuf>,
    /// Download again even when the files are cached.
    #[arg(long)]
    force_download: bool,
    /// Show what would be downloaded (files, sizes, what is already cached) without
    /// downloading or writing anything.
    #[arg(long)]
    dry_run: bool,
    /// How many files to download at once.
    #[arg(long, default_value_t = 8, value_name = "N")]
    max_workers: usize,
    #[command(flatten)]
    token: TokenArg,
}

pub(crate) async fn run(ctx: &Ctx, args: DownloadArgs) -> anyhow::Result<()> {
    let api = ctx.api(&args.token)?;
    let repo_type = args.repo_type.get();
    let patterns_given = !args.include.is_empty() || !args.exclude.is_empty();
    if !args.files.is_empty() && patterns_given {
        eprintln!("warning: --include and --exclude are ignored because files are named");
    }
    let url = repo_url(&api, repo_type, &args.repo_id);
    let mut options = DownloadOptions::default()
        .with_repo_type(repo_type)
        .with_force_download(args.force_download);
    if let Some(r) = &args.revision {
        options = options.with_revision(r);
    }
    if let Some(d) = &args.cache_dir {
        options = options.with_cache_dir(d);
    }
    if let Some(d) = &args.local_dir {
        options = options.with_local_dir(d);
    }
    let request = if let [file] = args.files.as_slice() {
        Request::File(api.hf_hub_download(&args.repo_id, file))
    } else {
        let (allow, ignore) = if args.files.is_empty() {
            (args.include.clone(), args.exclude.clone())
        } else {
            (args.files.clone(), Vec::new())
        };
        Request::Snapshot(
            api.snapshot_download(&args.repo_id)
                .allow_patterns(allow)
                .ignore_patterns(ignore)
                .max_workers(args.max_workers.max(1)),
        )
    };
    if args.dry_run {
        let plan = match request {
            Request::File(r) => r.options(options).dry_run().await.map(|i| vec![i]),
            Request::Snapshot(r) => r.options(options).dry_run().await,
        }
        .map_err(|e| report::repo_error(e, &url))?;
        print_plan(plan, ctx.quiet);
        return Ok(());
    }
    let bars = Bars::handler(ctx.progress_on());
    if let Some((_, handler)) = &bars {
        options = options.with_progress(handler.clone());
    }
    let result = match request {
        Request::File(r) => r.options(options).await,
        Request::Snapshot(r) => r.options(options).await,
    };
    if let Some((bars, _)) = &bars {
        bars.finish();
    }
    let path = result.map_err(|e| report::repo_error(e, &url))?;
    println!("{}", path.display());
    Ok(())
}

/// One file or a snapshot.
enum Request {
    File(DownloadRequest),
    Snapshot(SnapshotRequest),
}

/// What a dry run found, as the Python CLI prints it: a summary line, then each file
/// with its size when it would be fetched (`-` when it is cached). `--quiet` prints
/// only the names of the files that would be fetched.
fn print_plan(mut plan: Vec<DryRunFileInfo>, quiet: bool) {
    plan.sort_by(|a, b| a.filename.cmp(&b.filename));
    if quiet {
        for info in plan.iter().filter(|i| i.will_download) {
            println!("{}", info.filename);
        }
        return;
    }
    let fetched: u64 = plan
        .iter()
        .filter(|i| i.will_download)
        .map(|i| i.file_size)
        .sum();
    let count = plan.iter().filter(|i| i.will_download).count();
    println!(
        "[dry-run] Will download {count} files (out of {}) totalling {}.",
        plan.len(),
        format_size(fetched)
    );
    let rows = plan
        .iter()
        .map(|i| {
            let size = if i.will_download {
                format_size(i.file_size)
            } else {
                "-".to_owned()
            };
            vec![Cell::Text(i.filename.clone()), Cell::Text(size)]
        })
        .collect();
    println!("{}", tabulate(rows, &["FILE", "SIZE"]));
}

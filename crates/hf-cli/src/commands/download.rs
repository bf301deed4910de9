//! `hf download REPO [FILES...]`: one file (`hf_hub_download`) or a snapshot
//! (`snapshot_download`), printing the local path.

use std::path::PathBuf;

use super::{Ctx, RepoTypeArg, TokenArg, repo_url};
use crate::progress::Bars;
use crate::report;
use clap::Args;

/// Arguments of `hf download`.
#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  hf download gpt2                               the whole repo, into the cache
  hf download gpt2 config.json                   one file; prints its path
  hf download gpt2 config.json vocab.json        several files (a snapshot folder)
  hf download gpt2 --include '*.json' --exclude 'onnx/*'
  hf download squad --repo-type dataset --revision refs/convert/parquet
  hf download gpt2 --local-dir ./gpt2 --quiet    prints only the path")]
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
    let bars = Bars::handler(ctx.progress_on());
    let progress = bars.as_ref().map(|(_, h)| h.clone());
    let result = if let [file] = args.files.as_slice() {
        let mut req = api
            .hf_hub_download(&args.repo_id, file)
            .repo_type(repo_type)
            .force_download(args.force_download);
        if let Some(r) = &args.revision {
            req = req.revision(r);
        }
        if let Some(d) = &args.cache_dir {
            req = req.cache_dir(d);
        }
        if let Some(d) = &args.local_dir {
            req = req.local_dir(d);
        }
        if let Some(p) = progress {
            req = req.progress(p);
        }
        req.await
    } else {
        let (allow, ignore) = if args.files.is_empty() {
            (args.include.clone(), args.exclude.clone())
        } else {
            (args.files.clone(), Vec::new())
        };
        let mut req = api
            .snapshot_download(&args.repo_id)
            .repo_type(repo_type)
            .force_download(args.force_download)
            .max_workers(args.max_workers.max(1));
        if !allow.is_empty() {
            req = req.allow_patterns(allow);
        }
        if !ignore.is_empty() {
            req = req.ignore_patterns(ignore);
        }
        if let Some(r) = &args.revision {
            req = req.revision(r);
        }
        if let Some(d) = &args.cache_dir {
            req = req.cache_dir(d);
        }
        if let Some(d) = &args.local_dir {
            req = req.local_dir(d);
        }
        if let Some(p) = progress {
            req = req.progress(p);
        }
        req.await
    };
    if let Some((bars, _)) = &bars {
        bars.finish();
    }
    let path =
        result.map_err(|e| report::repo_error(e, &repo_url(&api, repo_type, &args.repo_id)))?;
    println!("{}", path.display());
    Ok(())
}

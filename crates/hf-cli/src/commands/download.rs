//! `hf download REPO [FILES...]`: one file (`hf_hub_download`) or a snapshot
//! (`snapshot_download`), printing the local path.

use std::path::PathBuf;

use super::{Ctx, RepoTypeArg, TokenArg, repo_url};
use crate::progress::Bars;
use crate::report::{self, Hint};
use crate::table::{Cell, tabulate};
use anyhow::{anyhow, bail};
use clap::Args;
use hf_api::{DownloadOptions, DownloadRequest, DryRunFileInfo, SnapshotRequest};
use hf_cache::format_size;
use hf_types::{HfUri, RepoType};

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
  hf download gpt2 --dry-run                     what would be fetched, and its size
  hf download org/data train/ --type dataset     a folder (a name ending in /)
  hf download hf://datasets/org/data@v1/train/   the same as an hf:// URI, at a revision")]
pub(crate) struct DownloadArgs {
    /// The repo id, e.g. `gpt2` or `org/name`, or an `hf://` URI that may also name a
    /// revision and a file or folder (`hf://datasets/org/name@v1/train/`).
    repo_id: String,
    /// Files to download (default: the whole repo, filtered by --include/--exclude); a
    /// name ending in `/` is a folder.
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

/// What to download, once an `hf://` URI is taken apart.
struct Target {
    repo_id: String,
    repo_type: RepoType,
    revision: Option<String>,
    /// Files, and folders (ending in `/`).
    names: Vec<String>,
}

impl Target {
    fn of(args: &DownloadArgs) -> anyhow::Result<Target> {
        if args.local_dir.is_some() && args.cache_dir.is_some() {
            return Err(
                anyhow!("--local-dir and --cache-dir cannot be used together").context(Hint(
                    "use --cache-dir (or HF_HOME) for the shared cache, or --local-dir for a \
                     one-off copy in a folder"
                        .into(),
                )),
            );
        }
        if !args.repo_id.starts_with("hf://") {
            return Ok(Target {
                repo_id: args.repo_id.clone(),
                repo_type: args.repo_type.get(),
                revision: args.revision.clone(),
                names: args.files.clone(),
            });
        }
        if args.repo_type.given() {
            bail!("--repo-type cannot be used with an hf:// URI: the URI names the type");
        }
        if args.revision.is_some() {
            bail!("--revision cannot be used with an hf:// URI: write it after '@' in the URI");
        }
        let uri = HfUri::parse(&args.repo_id)?;
        let mut names = args.files.clone();
        if !uri.path_in_repo().is_empty() {
            if !names.is_empty() {
                bail!(
                    "the URI names a path ('{}'): it cannot be combined with FILES",
                    uri.path_in_repo()
                );
            }
            let slash = if args.repo_id.ends_with('/') { "/" } else { "" };
            names.push(format!("{}{slash}", uri.path_in_repo()));
        }
        Ok(Target {
            repo_id: uri.repo_id().to_string(),
            repo_type: uri.repo_type(),
            revision: uri.revision().map(|r| r.as_str().to_owned()),
            names,
        })
    }
}

pub(crate) async fn run(ctx: &Ctx, args: DownloadArgs) -> anyhow::Result<()> {
    let api = ctx.api(&args.token)?;
    let target = Target::of(&args)?;
    let repo_type = target.repo_type;
    let (folders, files): (Vec<&String>, Vec<&String>) =
        target.names.iter().partition(|n| n.ends_with('/'));
    if let Some(folder) = folders.first() {
        if !args.include.is_empty() {
            bail!(
                "a folder ('{folder}') cannot be combined with --include: use --include \"{folder}*\" instead"
            );
        }
        if !args.exclude.is_empty() {
            bail!(
                "a folder ('{folder}') cannot be combined with --exclude: use --include \"{folder}*\" with --exclude instead"
            );
        }
    }
    let patterns_given = !args.include.is_empty() || !args.exclude.is_empty();
    if !files.is_empty() && patterns_given {
        eprintln!("warning: --include and --exclude are ignored because files are named");
    }
    let url = repo_url(&api, repo_type, &target.repo_id);
    let mut options = DownloadOptions::default()
        .with_repo_type(repo_type)
        .with_force_download(args.force_download);
    if let Some(r) = &target.revision {
        options = options.with_revision(r);
    }
    if let Some(d) = &args.cache_dir {
        options = options.with_cache_dir(d);
    }
    if let Some(d) = &args.local_dir {
        options = options.with_local_dir(d);
    }
    let request = if let ([file], []) = (files.as_slice(), folders.as_slice()) {
        Request::File(api.hf_hub_download(&target.repo_id, file.as_str()))
    } else {
        let (allow, ignore) = if target.names.is_empty() {
            (args.include.clone(), args.exclude.clone())
        } else {
            // A folder is everything under it.
            let under = folders
                .iter()
                .map(|f| format!("{}/**", f.trim_end_matches('/')));
            (
                files.iter().map(|f| (*f).clone()).chain(under).collect(),
                Vec::new(),
            )
        };
        Request::Snapshot(
            api.snapshot_download(&target.repo_id)
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
    let download = async {
        match request {
            Request::File(r) => r.options(options).await,
            Request::Snapshot(r) => r.options(options).await,
        }
    };
    // Ctrl-C drops the download (partial files stay, and locks are released) so that the
    // bars are cleared and the user learns that nothing is lost.
    let kept = "what was downloaded is kept; the same command resumes from there";
    let result = super::until_ctrl_c(download, kept).await;
    if let Some((bars, _)) = &bars {
        bars.finish();
    }
    let path = result?.map_err(|e| report::repo_error(e, &url))?;
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

//! `hf upload REPO [LOCAL_PATH] [PATH_IN_REPO]` and `hf upload-large-folder`.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context as _, bail};
use clap::Args;
use hf_api::upload::TransferOptions;
use hf_api::{Error, HfApi};
use hf_types::RepoType;

use super::{Ctx, RepoTypeArg, TokenArg, repo_url};
use crate::progress::Bars;
use crate::report::{self, Hint};

/// Arguments of `hf upload`.
#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  hf upload me/model ./out                       the folder's content at the repo root
  hf upload me/model ./out checkpoints/v2        under a folder of the repo
  hf upload me/model config.json                 one file, same name in the repo
  hf upload me/model . --include '*.safetensors' --delete '*.bin'
  hf upload me/model ./out --create-pr -m 'new weights'
  hf upload me/data ./logs --repo-type dataset --every 10   push changes every 10 minutes

The repo is created when missing; a missing --revision branch is created too.
Prints the commit's URL (the pull request's with --create-pr).")]
pub(crate) struct UploadArgs {
    /// The repo id.
    repo_id: String,
    /// The local file or folder (default: the file or folder named like the repo).
    local_path: Option<PathBuf>,
    /// Where it goes in the repo (default: the file's name, or the root for a folder).
    path_in_repo: Option<String>,
    #[command(flatten)]
    repo_type: RepoTypeArg,
    /// The branch to commit to (or to open the pull request against).
    #[arg(long, value_name = "REVISION")]
    revision: Option<String>,
    /// Create the repo as private when it does not exist.
    #[arg(long)]
    private: bool,
    /// Only upload files matching these glob patterns.
    #[arg(long, num_args = 1.., value_name = "PATTERN")]
    include: Vec<String>,
    /// Do not upload files matching these glob patterns.
    #[arg(long, num_args = 1.., value_name = "PATTERN")]
    exclude: Vec<String>,
    /// Delete remote files matching these patterns (under PATH_IN_REPO) in the same commit.
    #[arg(long, num_args = 1.., value_name = "PATTERN")]
    delete: Vec<String>,
    /// The commit message.
    #[arg(short = 'm', long, value_name = "MESSAGE")]
    commit_message: Option<String>,
    /// The commit description.
    #[arg(long, value_name = "TEXT")]
    commit_description: Option<String>,
    /// Open a pull request instead of committing to the branch.
    #[arg(long)]
    create_pr: bool,
    /// Keep running and push the changed files every this many minutes (Ctrl-C stops
    /// after a last push).
    #[arg(long, value_name = "MINUTES")]
    every: Option<f64>,
    #[command(flatten)]
    token: TokenArg,
}

/// Arguments of `hf upload-large-folder`.
#[derive(Debug, Args)]
#[command(after_help = "\
Example:
  hf upload-large-folder me/big-data ./data --repo-type dataset --num-workers 8

Resumable: progress is kept in LOCAL_PATH/.cache/huggingface/, so running the same
command again continues where it stopped. Files are committed in several commits.")]
pub(crate) struct UploadLargeFolderArgs {
    /// The repo id.
    repo_id: String,
    /// The local folder.
    local_path: PathBuf,
    /// The repo type (required: a mistake here is expensive).
    #[arg(long, value_name = "TYPE", required = true, value_parser = super::repo_type_parser())]
    repo_type: RepoType,
    /// The branch to commit to.
    #[arg(long, value_name = "REVISION")]
    revision: Option<String>,
    /// Create the repo as private when it does not exist.
    #[arg(long)]
    private: bool,
    /// Only upload files matching these glob patterns.
    #[arg(long, num_args = 1.., value_name = "PATTERN")]
    include: Vec<String>,
    /// Do not upload files matching these glob patterns.
    #[arg(long, num_args = 1.., value_name = "PATTERN")]
    exclude: Vec<String>,
    /// Workers that hash, upload and commit.
    #[arg(long, value_name = "N")]
    num_workers: Option<usize>,
    /// Do not print the periodic status report.
    #[arg(long)]
    no_report: bool,
    #[command(flatten)]
    token: TokenArg,
}

/// Python's rules for the optional LOCAL_PATH and PATH_IN_REPO.
fn resolve_paths(
    repo_id: &str,
    local: Option<&Path>,
    in_repo: Option<&str>,
) -> anyhow::Result<(PathBuf, String)> {
    let name = repo_id.rsplit('/').next().unwrap_or(repo_id);
    let file_name = |p: &Path| {
        p.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    Ok(match (local, in_repo) {
        (None, _) => {
            let guess = PathBuf::from(name);
            if guess.is_file() {
                (guess, name.to_owned())
            } else if guess.is_dir() {
                (guess, String::new())
            } else {
                return Err(anyhow::anyhow!("'{name}' is not a local file or folder")
                    .context(Hint("give LOCAL_PATH explicitly".into())));
            }
        }
        (Some(p), None) if p.is_file() => (p.to_path_buf(), file_name(p)),
        (Some(p), None) => (p.to_path_buf(), String::new()),
        (Some(p), Some(r)) => (p.to_path_buf(), r.trim_matches('/').replace('\\', "/")),
    })
}

/// Progress for the LFS transfers of a commit.
fn transfer_options(ctx: &Ctx) -> (Option<Arc<Bars>>, TransferOptions) {
    match Bars::handler(ctx.progress_on()) {
        Some((bars, _)) => {
            let hook = bars.clone();
            let options = TransferOptions::default().on_progress(move |e| hook.on_transfer(e));
            (Some(bars), options)
        }
        None => (None, TransferOptions::default()),
    }
}

pub(crate) async fn run(ctx: &Ctx, args: UploadArgs) -> anyhow::Result<()> {
    let (local, path_in_repo) = resolve_paths(
        &args.repo_id,
        args.local_path.as_deref(),
        args.path_in_repo.as_deref(),
    )?;
    let api = ctx.api(&args.token)?;
    let repo_type = args.repo_type.get();
    let url = repo_url(&api, repo_type, &args.repo_id);
    if let Some(minutes) = args.every {
        return scheduled(ctx, &api, &args, &local, &path_in_repo, minutes).await;
    }
    if !local.exists() {
        bail!("no such file or folder: {}", local.display());
    }
    let is_file = local.is_file();
    if is_file && !(args.include.is_empty() && args.exclude.is_empty() && args.delete.is_empty()) {
        eprintln!("warning: --include, --exclude and --delete are ignored for a single file");
    }

    let mut create = api
        .create_repo(&args.repo_id)
        .repo_type(repo_type)
        .private(args.private)
        .exist_ok(true);
    if repo_type == RepoType::Space {
        create = create.space_sdk("gradio");
    }
    create.await.map_err(|e| report::repo_error(e, &url))?;
    if let Some(branch) = args.revision.as_deref().filter(|_| !args.create_pr) {
        match api
            .repo_info(&args.repo_id)
            .repo_type(repo_type)
            .revision(branch)
            .await
        {
            Err(Error::RevisionNotFound(_)) => {
                ctx.status(format!("Branch '{branch}' not found; creating it."));
                api.create_branch(&args.repo_id, branch)
                    .repo_type(repo_type)
                    .exist_ok(true)
                    .await?;
            }
            Err(e) => return Err(report::repo_error(e, &url)),
            Ok(_) => {}
        }
    }

    let (bars, transfer) = transfer_options(ctx);
    let spinner = bars
        .as_ref()
        .map(|b| b.spinner(format!("Uploading {} to {}", local.display(), args.repo_id)));
    // The commit's own arguments, set alike on the file and the folder request.
    macro_rules! with_commit_args {
        ($req:expr) => {{
            let mut req = $req
                .repo_type(repo_type)
                .create_pr(args.create_pr)
                .transfer_options(transfer);
            if let Some(r) = &args.revision {
                req = req.revision(r);
            }
            if let Some(m) = &args.commit_message {
                req = req.commit_message(m);
            }
            if let Some(d) = &args.commit_description {
                req = req.commit_description(d);
            }
            req
        }};
    }
    let upload = async {
        if is_file {
            let req = api.upload_file(&args.repo_id, &path_in_repo, local.clone());
            with_commit_args!(req).await
        } else {
            let req = api
                .upload_folder(&args.repo_id, local.clone())
                .path_in_repo(&path_in_repo);
            let mut req = with_commit_args!(req);
            if !args.include.is_empty() {
                req = req.allow_patterns(args.include.clone());
            }
            if !args.exclude.is_empty() {
                req = req.ignore_patterns(args.exclude.clone());
            }
            if !args.delete.is_empty() {
                req = req.delete_patterns(args.delete.clone());
            }
            req.await
        }
    };
    // Dropped on Ctrl-C: the LFS files sent so far stay on the Hub, and the same command
    // does not send them again.
    let kept = "no commit was made (unless its request had reached the Hub already); the LFS \
                files uploaded so far stay on the Hub, and the same command does not send them \
                again";
    let result = super::until_ctrl_c(upload, kept).await;
    if let Some(spinner) = spinner {
        spinner.finish_and_clear();
    }
    if let Some(bars) = &bars {
        bars.finish();
    }
    let commit = result?.map_err(|e| report::repo_error(e, &url))?;
    match &commit.pull_request_url {
        Some(pr) => {
            ctx.status(format!(
                "Opened a pull request with commit {}.",
                commit.commit_oid
            ));
            println!("{pr}");
        }
        None => println!("{}", commit.commit_url),
    }
    Ok(())
}

/// `--every`: a commit scheduler until Ctrl-C, then a last push.
async fn scheduled(
    ctx: &Ctx,
    api: &HfApi,
    args: &UploadArgs,
    local: &Path,
    path_in_repo: &str,
    minutes: f64,
) -> anyhow::Result<()> {
    if !(minutes.is_finite() && minutes > 0.0) {
        bail!("--every must be a positive number of minutes (got {minutes})");
    }
    if args.create_pr || !args.delete.is_empty() {
        eprintln!("warning: --create-pr and --delete are ignored with --every");
    }
    // A single file: watch its folder, upload only that file.
    let (folder, allow, ignore, path_in_repo) = if local.is_file() {
        let parent = local
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf();
        let name = local
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let dir_in_repo = path_in_repo
            .strip_suffix(name.as_str())
            .unwrap_or(path_in_repo)
            .trim_end_matches('/')
            .to_owned();
        (parent, vec![name], Vec::new(), dir_in_repo)
    } else if local.is_dir() {
        (
            local.to_path_buf(),
            args.include.clone(),
            args.exclude.clone(),
            path_in_repo.to_owned(),
        )
    } else {
        bail!("no such file or folder: {}", local.display());
    };
    let mut builder = api
        .commit_scheduler(&args.repo_id, folder)
        .every(Duration::from_secs_f64(minutes * 60.0))
        .path_in_repo(path_in_repo)
        .repo_type(args.repo_type.get())
        .private(args.private);
    if !allow.is_empty() {
        builder = builder.allow_patterns(allow);
    }
    if !ignore.is_empty() {
        builder = builder.ignore_patterns(ignore);
    }
    if let Some(r) = &args.revision {
        builder = builder.revision(r);
    }
    let scheduler = builder
        .start()
        .await
        .map_err(|e| report::repo_error(e, &repo_url(api, args.repo_type.get(), &args.repo_id)))?;
    // Listen before telling the user to press Ctrl-C, so an early one is not lost.
    let stop = stop_signal()?;
    ctx.status(format!(
        "Scheduling commits every {minutes} minutes to {}. Press Ctrl-C to stop.",
        args.repo_id
    ));
    stop.await;
    ctx.status("Stopping: pushing the last changes...");
    let last = scheduler.stop().await?;
    if let Some(commit) = last {
        println!("{}", commit.commit_url);
    }
    ctx.status("Stopped scheduled commits.");
    Ok(())
}

/// Resolves on Ctrl-C (or SIGTERM on Unix); the handlers are installed before it returns.
#[cfg(unix)]
fn stop_signal() -> anyhow::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut int = signal(SignalKind::interrupt()).context("could not listen for Ctrl-C")?;
    let mut term = signal(SignalKind::terminate()).context("could not listen for SIGTERM")?;
    Ok(async move {
        tokio::select! {
            _ = int.recv() => {}
            _ = term.recv() => {}
        }
    })
}

/// Resolves on Ctrl-C.
#[cfg(not(unix))]
fn stop_signal() -> anyhow::Result<impl std::future::Future<Output = ()>> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
    })
}

pub(crate) async fn run_large(ctx: &Ctx, args: UploadLargeFolderArgs) -> anyhow::Result<()> {
    let api = ctx.api(&args.token)?;
    let repo_type = args.repo_type;
    if !args.local_path.is_dir() {
        bail!("not a folder: {}", args.local_path.display());
    }
    let mut req = api
        .upload_large_folder(&args.repo_id, args.local_path.clone(), repo_type)
        .private(args.private);
    if let Some(r) = &args.revision {
        req = req.revision(r);
    }
    if !args.include.is_empty() {
        req = req.allow_patterns(args.include.clone());
    }
    if !args.exclude.is_empty() {
        req = req.ignore_patterns(args.exclude.clone());
    }
    if let Some(n) = args.num_workers {
        req = req.num_workers(n.max(1));
    }
    if !(args.no_report || ctx.quiet) {
        req = req.on_report(|r| eprintln!("{r}"));
    }
    // Dropped on Ctrl-C, the upload keeps its state in the folder, as when it is killed.
    let kept = "the upload's progress is kept in the folder's .cache/huggingface/upload; the \
                same command goes on from there";
    let report = super::until_ctrl_c(req.into_future(), kept)
        .await?
        .map_err(|e| report::repo_error(e, &repo_url(&api, repo_type, &args.repo_id)))?;
    ctx.status(format!("Done: {report}"));
    println!("{}", repo_url(&api, repo_type, &args.repo_id));
    Ok(())
}

//! `hf cache verify`: a cached snapshot or a `local_dir` against the Hub's checksums
//! (the newest Python CLI's command, with its messages and exit codes).

use std::path::PathBuf;

use clap::Args;

use super::super::{RepoTypeArg, TokenArg, repo_url};
use super::Ctx;
use crate::report;

/// Arguments of `hf cache verify`.
#[derive(Debug, Args)]
pub(crate) struct VerifyArgs {
    /// The repo id, e.g. `gpt2` or `org/name`.
    repo_id: String,
    #[command(flatten)]
    repo_type: RepoTypeArg,
    /// A branch, tag or commit (default: the cached `main`, else the only snapshot).
    #[arg(long, value_name = "REVISION")]
    revision: Option<String>,
    /// The cache to check (default: HF_HUB_CACHE, else $HF_HOME/hub).
    #[arg(long, value_name = "DIR", conflicts_with = "local_dir")]
    cache_dir: Option<PathBuf>,
    /// Check this folder (a `--local-dir` download) instead of the cache.
    #[arg(long, value_name = "DIR")]
    local_dir: Option<PathBuf>,
    /// Fail when files of the revision are missing on disk.
    #[arg(long)]
    fail_on_missing_files: bool,
    /// Fail when files on disk are not in the revision.
    #[arg(long)]
    fail_on_extra_files: bool,
    #[command(flatten)]
    token: TokenArg,
}

pub(super) async fn run(ctx: &Ctx, args: VerifyArgs) -> anyhow::Result<()> {
    let api = ctx.api(&args.token)?;
    let repo_type = args.repo_type.get();
    let mut req = api
        .verify_repo_checksums(&args.repo_id)
        .repo_type(repo_type);
    if let Some(r) = &args.revision {
        req = req.revision(r);
    }
    if let Some(d) = &args.cache_dir {
        req = req.cache_dir(d);
    }
    if let Some(d) = &args.local_dir {
        req = req.local_dir(d);
    }
    let result = req
        .await
        .map_err(|e| report::repo_error(e, &repo_url(&api, repo_type, &args.repo_id)))?;

    let mut failed = false;
    if !result.mismatches.is_empty() {
        println!("[FAIL] Checksum verification failed for the following file(s):");
        for m in &result.mismatches {
            println!(
                "  - {}: expected {} ({}), got {}",
                m.path, m.expected, m.algorithm, m.actual
            );
        }
        failed = true;
    }
    for (paths, fail, what, flag) in [
        (
            &result.missing_paths,
            args.fail_on_missing_files,
            (
                "Missing files (present remotely, absent locally)",
                "remote file(s) are missing locally",
            ),
            "--fail-on-missing-files",
        ),
        (
            &result.extra_paths,
            args.fail_on_extra_files,
            (
                "Extra files (present locally, absent remotely)",
                "local file(s) do not exist on the remote repo",
            ),
            "--fail-on-extra-files",
        ),
    ] {
        if paths.is_empty() {
            continue;
        }
        if fail {
            println!("[FAIL] {}:", what.0);
            for p in paths {
                println!("  - {p}");
            }
            failed = true;
        } else {
            eprintln!(
                "warning: {} {}. Use {flag} for details.",
                paths.len(),
                what.1
            );
        }
    }
    if failed {
        anyhow::bail!(
            "verification failed for '{}' ({repo_type}) in {} at revision {}",
            args.repo_id,
            result.verified_path.display(),
            result.revision
        );
    }
    println!(
        "Verified {} file(s) for {repo_type} '{}'. All checksums match.",
        result.checked_count, args.repo_id
    );
    Ok(())
}

//! `hf cache prune`: detached revisions, partial downloads and unlinked shared contents
//! (the newest Python CLI's command).

use std::collections::BTreeMap;

use clap::Args;
use hf_cache::{CacheInfo, CachedRepoInfo, HfCache, PrunePlan, format_size};

use super::delete::{check, confirmed};
use super::{CacheDirArg, Ctx};

/// Arguments of `hf cache prune`.
#[derive(Debug, Args)]
pub(crate) struct PruneArgs {
    #[command(flatten)]
    dir: CacheDirArg,
    /// Show what would be deleted and how much it frees, and delete nothing.
    #[arg(long)]
    dry_run: bool,
    /// Do not ask for confirmation.
    #[arg(short, long)]
    yes: bool,
}

pub(super) fn run(ctx: &Ctx, args: &PruneArgs) -> anyhow::Result<()> {
    let root = args.dir.resolve(ctx);
    let info = HfCache::new(&root).scan()?;
    let plan = info.prune();
    if plan.is_empty() {
        println!(
            "No unreferenced revisions, incomplete downloads or shared blobs found. Nothing to prune."
        );
        return Ok(());
    }
    let summary = summary(&plan);
    let total = format_size(plan.expected_freed_size);
    println!("About to delete {summary} ({total} total).");
    print_revisions(&info, &plan);
    if args.dry_run {
        println!("Dry run: no files were deleted.");
        return Ok(());
    }
    if !confirmed(args.yes, "Proceed?")? {
        println!("Pruning is cancelled. Do nothing.");
        return Ok(());
    }
    let outcome = plan.execute();
    if !outcome.in_use.is_empty() {
        eprintln!(
            "warning: kept {} incomplete download(s) that a running download is writing",
            outcome.in_use.len()
        );
    }
    check(&outcome.failures)?;
    println!("Deleted {summary}; freed {total}.");
    Ok(())
}

/// "2 unreferenced revision(s), 1 incomplete download(s) and 1 unreferenced shared
/// blob(s)", leaving out what is zero.
fn summary(plan: &PrunePlan) -> String {
    let parts: Vec<String> = [
        (plan.revisions.len(), "unreferenced revision(s)"),
        (plan.incomplete_files.len(), "incomplete download(s)"),
        (plan.shared_contents.len(), "unreferenced shared blob(s)"),
    ]
    .into_iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, what)| format!("{n} {what}"))
    .collect();
    match parts.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => parts.concat(),
    }
}

/// The detached revisions, per repo (a repo whose every revision goes is one line).
fn print_revisions(info: &CacheInfo, plan: &PrunePlan) {
    let mut by_repo: BTreeMap<(String, String), &CachedRepoInfo> = BTreeMap::new();
    for repo in &info.repos {
        if repo
            .revisions
            .iter()
            .any(|r| plan.revisions.contains(&r.commit_hash))
        {
            by_repo.insert(
                (repo.repo_type.to_string(), repo.repo_id.to_lowercase()),
                repo,
            );
        }
    }
    for ((kind, _), repo) in by_repo {
        let key = format!("{kind}/{}", repo.repo_id);
        let selected: Vec<_> = repo
            .revisions
            .iter()
            .filter(|r| plan.revisions.contains(&r.commit_hash))
            .collect();
        if selected.len() == repo.revisions.len() {
            println!("  - {key} (entire repo)");
            continue;
        }
        println!("  - {key}:");
        for revision in selected {
            println!(
                "      {} [(detached)] {}",
                revision.commit_hash,
                format_size(revision.size_on_disk)
            );
        }
    }
}

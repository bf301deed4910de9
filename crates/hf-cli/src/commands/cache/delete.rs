//! `hf cache delete`: plan with `hf-cache`'s `DeleteCacheStrategy`, show it, then run it.

use std::collections::BTreeSet;
use std::io::IsTerminal as _;
use std::time::SystemTime;

use anyhow::{Context as _, bail};
use clap::Args;
use hf_cache::{CacheInfo, HfCache, format_size, format_timesince};
use hf_types::RepoType;

use super::{CacheDirArg, Ctx};
use crate::report::Hint;

/// Arguments of `hf cache delete`.
#[derive(Debug, Args)]
pub(crate) struct DeleteArgs {
    #[command(flatten)]
    dir: CacheDirArg,
    /// Delete every cached revision of this repo (repeatable).
    #[arg(long = "repo", value_name = "REPO_ID")]
    repos: Vec<String>,
    /// Only match --repo against repos of this type (default: any type).
    #[arg(long, value_name = "TYPE", value_parser = super::super::repo_type_parser())]
    repo_type: Option<RepoType>,
    /// Delete this revision: a commit hash, or a unique prefix of at least 4 characters
    /// (repeatable; `hf cache scan -v` lists them).
    #[arg(long = "revision", value_name = "COMMIT")]
    revisions: Vec<String>,
    /// Show what would be deleted and how much it frees, and delete nothing.
    #[arg(long)]
    dry_run: bool,
    /// Do not ask for confirmation.
    #[arg(short, long)]
    yes: bool,
}

fn interactive() -> bool {
    std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

/// Whether to go on: yes with `--yes` or without a terminal to ask on, else the
/// answer to `prompt` (default no).
pub(super) fn confirmed(yes: bool, prompt: &str) -> anyhow::Result<bool> {
    if yes || !interactive() {
        return Ok(true);
    }
    dialoguer::Confirm::new()
        .with_prompt(prompt)
        .default(false)
        .interact()
        .context("could not read the answer from the terminal")
}

/// An error naming the first path a deletion could not remove, if any.
pub(super) fn check(failures: &[hf_cache::DeleteFailure]) -> anyhow::Result<()> {
    match failures.first() {
        Some(first) => bail!(
            "{} path(s) could not be deleted, first {}: {}",
            failures.len(),
            first.path.display(),
            first.error
        ),
        None => Ok(()),
    }
}

pub(super) fn run(ctx: &Ctx, args: &DeleteArgs) -> anyhow::Result<()> {
    let root = args.dir.resolve(ctx);
    let info = HfCache::new(&root).scan()?;
    let selected = if args.repos.is_empty() && args.revisions.is_empty() {
        if !interactive() {
            return Err(anyhow::anyhow!("nothing selected to delete").context(Hint(
                "choose with --repo or --revision (the interactive picker needs a terminal)".into(),
            )));
        }
        let Some(hashes) = pick(&info)? else {
            println!("Deletion is cancelled. Do nothing.");
            return Ok(());
        };
        hashes
    } else {
        select(&info, args)?
    };
    if selected.is_empty() {
        println!("No revision selected. Do nothing.");
        return Ok(());
    }
    let strategy = info.delete_revisions(&selected);
    let freed = format_size(strategy.expected_freed_size);
    println!(
        "{} revision(s) selected counting for {freed}.",
        selected.len()
    );
    if args.dry_run {
        let groups = [
            ("repo", &strategy.repos),
            ("snapshot", &strategy.snapshots),
            ("ref", &strategy.refs),
            ("blob", &strategy.blobs),
        ];
        for (kind, paths) in groups {
            for path in paths {
                println!("  would delete {kind} {}", path.display());
            }
        }
        println!("Dry run: nothing was deleted; {freed} would be freed.");
        return Ok(());
    }
    if !confirmed(args.yes, "Confirm deletion?")? {
        println!("Deletion is cancelled. Do nothing.");
        return Ok(());
    }
    println!("Start deletion.");
    check(&strategy.execute())?;
    println!(
        "Done. Deleted {} repo(s) and {} revision(s) for a total of {freed}.",
        strategy.repos.len(),
        strategy.snapshots.len()
    );
    Ok(())
}

/// The commit hashes chosen by `--repo` and `--revision`.
fn select(info: &CacheInfo, args: &DeleteArgs) -> anyhow::Result<BTreeSet<String>> {
    let repo_type = args.repo_type;
    let mut hashes = BTreeSet::new();
    for wanted in &args.repos {
        let mut found = false;
        for repo in &info.repos {
            if repo.repo_id == *wanted && repo_type.is_none_or(|t| t == repo.repo_type) {
                found = true;
                hashes.extend(repo.revisions.iter().map(|r| r.commit_hash.clone()));
            }
        }
        if !found {
            return Err(anyhow::anyhow!("repo {wanted} is not in the cache")
                .context(Hint("`hf cache scan` lists the cached repos".into())));
        }
    }
    for wanted in &args.revisions {
        if wanted.len() < 4 {
            bail!("revision {wanted:?} is too short: give at least 4 characters of the hash");
        }
        let matches: BTreeSet<&str> = info
            .repos
            .iter()
            .flat_map(|r| &r.revisions)
            .map(|r| r.commit_hash.as_str())
            .filter(|h| h.starts_with(wanted.as_str()))
            .collect();
        match matches.len() {
            0 => {
                return Err(anyhow::anyhow!("revision {wanted} is not in the cache")
                    .context(Hint("`hf cache scan -v` lists the cached revisions".into())));
            }
            1 => hashes.extend(matches.into_iter().map(str::to_owned)),
            n => {
                bail!("revision prefix {wanted} matches {n} cached revisions; give more characters")
            }
        }
    }
    Ok(hashes)
}

/// The interactive picker; `None` when cancelled.
fn pick(info: &CacheInfo) -> anyhow::Result<Option<BTreeSet<String>>> {
    let now = SystemTime::now();
    let mut labels = Vec::new();
    let mut hashes = Vec::new();
    for repo in &info.repos {
        for rev in &repo.revisions {
            let mut refs: Vec<&str> = rev.refs.iter().map(String::as_str).collect();
            refs.sort_unstable();
            let refs = if refs.is_empty() {
                "(detached)".to_owned()
            } else {
                refs.join(", ")
            };
            labels.push(format!(
                "{} {} {}: {refs}, {}, modified {}",
                repo.repo_type,
                repo.repo_id,
                &rev.commit_hash[..rev.commit_hash.len().min(8)],
                format_size(rev.size_on_disk),
                format_timesince(rev.last_modified, now),
            ));
            hashes.push(rev.commit_hash.clone());
        }
    }
    if labels.is_empty() {
        println!("The cache is empty.");
        return Ok(Some(BTreeSet::new()));
    }
    let chosen = dialoguer::MultiSelect::new()
        .with_prompt("Select revisions to delete (space to toggle, enter to confirm)")
        .items(&labels)
        .interact_opt()
        .context("could not read the selection from the terminal")?;
    Ok(chosen.map(|idx| idx.into_iter().map(|i| hashes[i].clone()).collect()))
}

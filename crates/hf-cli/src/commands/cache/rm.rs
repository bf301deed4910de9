//! `hf cache rm`: the newest Python CLI's deletion by name: repos (`model/gpt2`,
//! `hf://datasets/org/ds`), revisions (commit hashes) or single files
//! (`hf://org/model/model.safetensors`, in every cached revision).

use std::collections::{BTreeMap, BTreeSet};

use anyhow::bail;
use clap::Args;
use hf_cache::{
    CacheInfo, CachedFileInfo, CachedRepoInfo, DeleteCacheStrategy, HfCache, format_size,
};
use hf_types::HfUri;

use super::delete::{check, confirmed};
use super::{CacheDirArg, Ctx, cache_id, cache_id_of};

/// Arguments of `hf cache rm`.
#[derive(Debug, Args)]
pub(crate) struct RmArgs {
    /// What to delete: repos (`model/gpt2`, `dataset/org/ds` as `hf cache ls` names
    /// them, or `hf://org/model`), revisions (40-character commit hashes, as
    /// `hf cache ls --revisions` lists them) or files (`hf://org/model/file.bin`).
    #[arg(required = true, value_name = "TARGET")]
    targets: Vec<String>,
    #[command(flatten)]
    dir: CacheDirArg,
    /// Do not ask for confirmation.
    #[arg(short, long)]
    yes: bool,
    /// Show what would be deleted and how much it frees, and delete nothing.
    #[arg(long)]
    dry_run: bool,
}

/// A target in the `hf://` form.
#[derive(Debug, PartialEq, Eq)]
struct Uri {
    /// `type/id`, as [`cache_id`] spells it.
    cache_id: String,
    /// A file in the repo; empty for the repo itself.
    path: String,
}

/// An `hf://` target. A revision is refused: a file goes from every cached revision, and
/// a revision is named by its hash.
fn parse_uri(target: &str) -> anyhow::Result<Uri> {
    let uri = HfUri::parse(target)?;
    if uri.revision().is_some() {
        let hint = if uri.path_in_repo().is_empty() {
            "Pass the revision hash instead, see 'hf cache ls --revisions'."
        } else {
            "Drop '@<revision>' to delete the file from all cached revisions."
        };
        bail!("revisions in hf:// URIs are not supported by `hf cache rm`. {hint}");
    }
    Ok(Uri {
        cache_id: cache_id_of(uri.repo_type(), uri.repo_id().as_str()),
        path: uri.path_in_repo().to_owned(),
    })
}

/// What the targets name in the cache.
#[derive(Default)]
struct Resolution<'a> {
    /// Selected revisions, by repo (keyed by cache id).
    revisions: BTreeMap<String, (&'a CachedRepoInfo, BTreeSet<&'a str>)>,
    /// Selected files, with their labels (`type/id@commit/path`).
    files: Vec<(&'a CachedFileInfo, String)>,
    /// Targets that match nothing.
    missing: Vec<String>,
}

fn resolve<'a>(info: &'a CacheInfo, targets: &[String]) -> anyhow::Result<Resolution<'a>> {
    let targets: Vec<&str> = targets
        .iter()
        .map(|t| t.trim())
        .filter(|t| !t.is_empty())
        .collect();
    let mut uris = BTreeMap::new();
    for target in &targets {
        if target.starts_with("hf://") {
            uris.insert(*target, parse_uri(target)?);
        }
    }
    let repo_named = |id: &str| {
        info.repos
            .iter()
            .find(|r| cache_id(r).to_lowercase() == id.to_lowercase())
    };
    let mut found = Resolution::default();
    let file_uris: Vec<(&str, &Uri)> = uris
        .iter()
        .filter(|(_, u)| !u.path.is_empty())
        .map(|(t, u)| (*t, u))
        .collect();
    if !file_uris.is_empty() {
        let distinct: BTreeSet<&str> = targets.iter().copied().collect();
        if file_uris.len() != distinct.len() {
            bail!("file targets cannot be mixed with repository or revision targets");
        }
        for (target, uri) in file_uris {
            let before = found.files.len();
            if let Some(repo) = repo_named(&uri.cache_id) {
                for revision in &repo.revisions {
                    let wanted = revision.snapshot_path.join(&uri.path);
                    for file in revision.files.iter().filter(|f| f.file_path == wanted) {
                        let label =
                            format!("{}@{}/{}", cache_id(repo), revision.commit_hash, uri.path);
                        found.files.push((file, label));
                    }
                }
            }
            if found.files.len() == before {
                found.missing.push(target.to_owned());
            }
        }
        return Ok(found);
    }
    for target in targets {
        let selected: Vec<(&CachedRepoInfo, Vec<&str>)> =
            if target.len() == 40 && target.chars().all(|c| c.is_ascii_hexdigit()) {
                let hash = target.to_ascii_lowercase();
                info.repos
                    .iter()
                    .filter_map(|repo| {
                        let revision = repo.revisions.iter().find(|r| r.commit_hash == hash)?;
                        Some((repo, vec![revision.commit_hash.as_str()]))
                    })
                    .take(1)
                    .collect()
            } else {
                let id = uris.get(target).map_or(target, |u| u.cache_id.as_str());
                repo_named(id)
                    .map(|repo| {
                        let all = repo.revisions.iter().map(|r| r.commit_hash.as_str());
                        (repo, all.collect())
                    })
                    .into_iter()
                    .collect()
            };
        if selected.is_empty() {
            found.missing.push(target.to_owned());
        }
        for (repo, hashes) in selected {
            let entry = found
                .revisions
                .entry(cache_id(repo))
                .or_insert_with(|| (repo, BTreeSet::new()));
            entry.1.extend(hashes);
        }
    }
    Ok(found)
}

pub(super) fn run(ctx: &Ctx, args: &RmArgs) -> anyhow::Result<()> {
    let root = args.dir.resolve(ctx);
    let info = match HfCache::new(&root).scan() {
        Ok(info) => info,
        Err(hf_cache::Error::CacheNotFound { path }) => {
            bail!("cache directory not found: {}", path.display())
        }
        Err(e) => return Err(e.into()),
    };
    let found = resolve(&info, &args.targets)?;
    if !found.missing.is_empty() {
        let list: Vec<String> = found.missing.iter().map(|t| format!("  - {t}")).collect();
        eprintln!("Warning: Could not find in cache:\n{}", list.join("\n"));
    }
    if !found.files.is_empty() {
        return remove_files(args, &info, &found.files);
    }
    if found.revisions.is_empty() {
        println!("Nothing to delete.");
        return Ok(());
    }
    let hashes: BTreeSet<&str> = found
        .revisions
        .values()
        .flat_map(|(_, hashes)| hashes.iter().copied())
        .collect();
    let strategy = info.delete_revisions(&hashes);
    let freed = format_size(strategy.expected_freed_size);
    let whole =
        |repo: &CachedRepoInfo, hashes: &BTreeSet<&str>| hashes.len() == repo.revisions.len();
    let repo_count = found
        .revisions
        .values()
        .filter(|(r, h)| whole(r, h))
        .count();
    let partial: usize = found
        .revisions
        .values()
        .filter(|(r, h)| !whole(r, h))
        .map(|(_, h)| h.len())
        .sum();
    let mut parts = Vec::new();
    if repo_count > 0 {
        parts.push(format!("{repo_count} repo(s)"));
    }
    if partial > 0 || parts.is_empty() {
        parts.push(format!("{partial} revision(s)"));
    }
    println!("About to delete {} totalling {freed}.", parts.join(" and "));
    let mut repos: Vec<_> = found.revisions.values().collect();
    repos.sort_by_key(|(repo, _)| (repo.repo_type.to_string(), repo.repo_id.to_lowercase()));
    for (repo, hashes) in repos {
        if whole(repo, hashes) {
            println!("  - {} (entire repo)", cache_id(repo));
            continue;
        }
        println!("  - {}:", cache_id(repo));
        for revision in repo
            .revisions
            .iter()
            .filter(|r| hashes.contains(r.commit_hash.as_str()))
        {
            let refs: Vec<&str> = revision.refs.iter().map(String::as_str).collect();
            let refs = if refs.is_empty() {
                "(detached)".to_owned()
            } else {
                refs.join(" ")
            };
            println!(
                "      {} [{refs}] {}",
                revision.commit_hash,
                format_size(revision.size_on_disk)
            );
        }
    }
    if carry_out(args, &strategy)? {
        println!(
            "Deleted {repo_count} repo(s) and {} revision(s); freed {freed}.",
            hashes.len()
        );
    }
    Ok(())
}

/// After the plan is shown: nothing on `--dry-run`, else asks (unless `--yes`) and
/// deletes. True when it deleted.
fn carry_out(args: &RmArgs, strategy: &DeleteCacheStrategy) -> anyhow::Result<bool> {
    if args.dry_run {
        println!("Dry run: no files were deleted.");
        return Ok(false);
    }
    if !confirmed(args.yes, "Proceed with deletion?")? {
        println!("Deletion is cancelled. Do nothing.");
        return Ok(false);
    }
    check(&strategy.execute())?;
    Ok(true)
}

fn remove_files(
    args: &RmArgs,
    info: &CacheInfo,
    files: &[(&CachedFileInfo, String)],
) -> anyhow::Result<()> {
    let strategy = info.delete_files(files.iter().map(|(f, _)| *f));
    let freed = format_size(strategy.expected_freed_size);
    println!("About to delete {} file(s) totalling {freed}.", files.len());
    let mut labels: Vec<&str> = files.iter().map(|(_, l)| l.as_str()).collect();
    labels.sort_unstable();
    for label in labels {
        println!("  - {label}");
    }
    if carry_out(args, &strategy)? {
        println!("Deleted {} file(s); freed {freed}.", files.len());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_name_repos_and_files_like_python() {
        let uri = |s| parse_uri(s).unwrap();
        assert_eq!(
            uri("hf://org/model"),
            Uri {
                cache_id: "model/org/model".into(),
                path: String::new()
            }
        );
        assert_eq!(
            uri("hf://datasets/org/ds/data/train.csv").path,
            "data/train.csv"
        );
        assert_eq!(uri("hf://datasets/org/ds/").cache_id, "dataset/org/ds");
        assert_eq!(uri("hf://spaces/a/b").cache_id, "space/a/b");
        assert_eq!(uri("hf://org/m/file@1.txt").path, "file@1.txt");
        for (bad, why) in [
            ("hf://", "nothing follows"),
            ("hf://datasets", "no repository id"),
            ("hf://gpt2", "'namespace/name'"),
            ("hf://model/org/m", "must be plural"),
            ("hf://org/m@main", "Pass the revision hash"),
            ("hf://org/m@main/f.txt", "Drop '@<revision>'"),
        ] {
            let err = parse_uri(bad).unwrap_err().to_string();
            assert!(err.contains(why), "{bad}: {err}");
        }
    }
}

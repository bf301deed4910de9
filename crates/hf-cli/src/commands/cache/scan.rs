//! `hf cache scan`: the Python CLI's `scan-cache` table.

use std::time::{Instant, SystemTime};

use clap::Args;
use hf_cache::{CacheInfo, HfCache, format_size, format_timesince};

use super::{CacheDirArg, Ctx, Paint};
use crate::table::{Cell, tabulate};

/// Arguments of `hf cache scan`.
#[derive(Debug, Args)]
pub(crate) struct ScanArgs {
    #[command(flatten)]
    dir: CacheDirArg,
}

pub(super) fn run(ctx: &Ctx, args: &ScanArgs) -> anyhow::Result<()> {
    let root = args.dir.resolve(ctx);
    let started = Instant::now();
    let info = match HfCache::new(&root).scan() {
        Ok(info) => info,
        Err(hf_cache::Error::CacheNotFound { path }) => {
            println!("Cache directory not found: {}", path.display());
            return Ok(());
        }
        Err(e) => return Err(e.into()),
    };
    let elapsed = started.elapsed().as_secs_f64();
    println!("{}", table(&info, ctx.verbose, SystemTime::now()));
    let paint = Paint::stdout(ctx);
    println!(
        "\nDone in {elapsed:.1}s. Scanned {} repo(s) for a total of {}.",
        info.repos.len(),
        paint.red(&format_size(info.size_on_disk))
    );
    if !info.warnings.is_empty() {
        let message = format!("Got {} warning(s) while scanning.", info.warnings.len());
        if ctx.verbose >= 3 {
            println!("{}", paint.gray(&message));
            for w in &info.warnings {
                println!("{}", paint.gray(&w.message));
            }
        } else {
            println!(
                "{}",
                paint.gray(&format!("{message} Use -vvv to print details."))
            );
        }
    }
    Ok(())
}

/// The table of `scan-cache` at this verbosity (0: per repo, more: per revision).
pub(crate) fn table(info: &CacheInfo, verbosity: u8, now: SystemTime) -> String {
    let mut repos: Vec<_> = info.repos.iter().collect();
    repos.sort_by(|a, b| a.repo_path.cmp(&b.repo_path));
    let size = |bytes: u64| Cell::Text(format!("{:>12}", format_size(bytes)));
    let ago = |t: SystemTime| Cell::Text(format_timesince(t, now));
    let refs = |names: Vec<&str>| {
        let mut names = names;
        names.sort_unstable();
        Cell::Text(names.join(", "))
    };
    if verbosity == 0 {
        let rows = repos
            .iter()
            .map(|repo| {
                vec![
                    Cell::Text(repo.repo_id.clone()),
                    Cell::Text(repo.repo_type.to_string()),
                    size(repo.size_on_disk),
                    Cell::Num(repo.nb_files),
                    ago(repo.last_accessed),
                    ago(repo.last_modified),
                    refs(repo.refs().into_keys().collect()),
                    Cell::Text(repo.repo_path.display().to_string()),
                ]
            })
            .collect();
        tabulate(
            rows,
            &[
                "REPO ID",
                "REPO TYPE",
                "SIZE ON DISK",
                "NB FILES",
                "LAST_ACCESSED",
                "LAST_MODIFIED",
                "REFS",
                "LOCAL PATH",
            ],
        )
    } else {
        let mut rows = Vec::new();
        for repo in repos {
            let mut revisions: Vec<_> = repo.revisions.iter().collect();
            revisions.sort_by(|a, b| a.commit_hash.cmp(&b.commit_hash));
            for rev in revisions {
                rows.push(vec![
                    Cell::Text(repo.repo_id.clone()),
                    Cell::Text(repo.repo_type.to_string()),
                    Cell::Text(rev.commit_hash.clone()),
                    size(rev.size_on_disk),
                    Cell::Num(rev.nb_files()),
                    ago(rev.last_modified),
                    refs(rev.refs.iter().map(String::as_str).collect()),
                    Cell::Text(rev.snapshot_path.display().to_string()),
                ]);
            }
        }
        tabulate(
            rows,
            &[
                "REPO ID",
                "REPO TYPE",
                "REVISION",
                "SIZE ON DISK",
                "NB FILES",
                "LAST_MODIFIED",
                "REFS",
                "LOCAL PATH",
            ],
        )
    }
}

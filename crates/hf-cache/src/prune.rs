//! Pruning: what no ref and no running download needs (`hf cache prune`, as in the
//! newest Python CLI).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::delete::{DeleteCacheStrategy, DeleteFailure};
use hf_types::{ETag, RepoId};

use crate::entry::HfCache;
use crate::layout::{INCOMPLETE_SUFFIX, parse_repo_folder_name};
use crate::lock::{LockMode, LockedFile};
use crate::scan::{CacheInfo, CachedIncompleteFile};
use crate::shared;

/// What pruning a cache removes, computed by [`CacheInfo::prune`]. Nothing is touched
/// until [`PrunePlan::execute`].
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct PrunePlan {
    /// The detached revisions (no ref points to them), as commit hashes.
    pub revisions: BTreeSet<String>,
    /// Their deletion.
    pub strategy: DeleteCacheStrategy,
    /// Partial downloads. Each is removed only if no download holds its lock when the
    /// plan runs, so a download in progress (by either client) keeps its file; a
    /// lock-less temporary one (`{etag}.{random}.incomplete`, a small file being
    /// written) only once it is a minute old.
    pub incomplete_files: Vec<CachedIncompleteFile>,
    /// Contents of the newest Python clients' shared store that no repo links to any
    /// more, with their sizes.
    pub shared_contents: Vec<(PathBuf, u64)>,
    /// Bytes the plan frees, if no partial download is in use.
    pub expected_freed_size: u64,
}

/// What [`PrunePlan::execute`] did not do.
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct PruneOutcome {
    /// Paths that could not be removed.
    pub failures: Vec<DeleteFailure>,
    /// Partial downloads kept because a download holds their lock.
    pub in_use: Vec<PathBuf>,
}

impl CacheInfo {
    /// The contents of the newest Python clients' shared store that no repo links to any
    /// more, with their sizes (Python's `unreferenced_shared_blobs`); empty without a
    /// store.
    pub fn unreferenced_shared_contents(&self) -> Vec<(PathBuf, u64)> {
        shared::unreferenced(&self.cache_dir)
    }

    /// Plans a prune (the newest Python CLI's `hf cache prune`): every detached
    /// revision, every partial download, and every shared content nothing links to.
    pub fn prune(&self) -> PrunePlan {
        let revisions: BTreeSet<String> = self
            .repos
            .iter()
            .flat_map(|r| &r.revisions)
            .filter(|r| r.refs.is_empty())
            .map(|r| r.commit_hash.clone())
            .collect();
        let strategy = if revisions.is_empty() {
            DeleteCacheStrategy {
                cache_dir: Some(self.cache_dir.clone()),
                ..DeleteCacheStrategy::default()
            }
        } else {
            self.delete_revisions(&revisions)
        };
        let shared_contents = self.unreferenced_shared_contents();
        let expected_freed_size = strategy.expected_freed_size
            + self
                .incomplete_files
                .iter()
                .map(|f| f.size_on_disk)
                .sum::<u64>()
            + shared_contents.iter().map(|(_, size)| size).sum::<u64>();
        PrunePlan {
            revisions,
            strategy,
            incomplete_files: self.incomplete_files.clone(),
            shared_contents,
            expected_freed_size,
        }
    }
}

impl PrunePlan {
    /// Whether there is nothing to prune.
    pub fn is_empty(&self) -> bool {
        self.revisions.is_empty()
            && self.incomplete_files.is_empty()
            && self.shared_contents.is_empty()
    }

    /// Removes what was planned: the revisions, then each partial download that no
    /// download holds the lock of (with the byte-range record of a parallel one), then
    /// the shared contents still without a link (checked again under their lock).
    pub fn execute(&self) -> PruneOutcome {
        let mut outcome = PruneOutcome {
            failures: self.strategy.execute(),
            in_use: Vec::new(),
        };
        for file in &self.incomplete_files {
            match remove_incomplete(&file.file_path) {
                Ok(true) => {}
                Ok(false) => outcome.in_use.push(file.file_path.clone()),
                Err(error) => outcome.failures.push(DeleteFailure {
                    path: file.file_path.clone(),
                    error,
                }),
            }
        }
        if let Some(root) = &self.strategy.cache_dir {
            for (content, _) in &self.shared_contents {
                shared::sweep(content, root);
            }
        }
        outcome
    }
}

/// How old a lock-less temporary blob must be to count as abandoned.
const UNLOCKED_TEMP_GRACE: std::time::Duration = std::time::Duration::from_secs(60);

/// Removes `{cache}/{repo}/blobs/{etag}….incomplete` under the blob's lock, the one a
/// download of that blob holds (Python's too). `Ok(false)` when a download holds it.
fn remove_incomplete(file: &Path) -> std::io::Result<bool> {
    let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("");
    // The blob's lock, as a download of it names it; a file outside a repo folder this
    // cache knows, or not named after an etag, is left alone.
    let repo_dir = file.parent().and_then(Path::parent);
    let folder = repo_dir.and_then(|d| d.file_name()?.to_str());
    let lock_path = (|| {
        let root = repo_dir?.parent()?;
        let (repo_type, id) = parse_repo_folder_name(folder?)?;
        let etag = ETag::new(name.split('.').next()?).ok()?;
        HfCache::new(root)
            .repo(repo_type, &RepoId::new(id).ok()?)
            .lock_path(&etag)
            .ok()
    })();
    let Some(lock_path) = lock_path else {
        return Ok(false);
    };
    // `{etag}.{random}.incomplete` is written without the lock (a small file, in one go)
    // and renamed within moments: one that recent may be in flight.
    let unlocked_temp = name.matches('.').count() == 2 && !name.contains(".parallel.");
    let age = std::fs::metadata(file)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.elapsed().ok());
    if unlocked_temp && age.is_none_or(|a| a < UNLOCKED_TEMP_GRACE) {
        return Ok(false);
    }
    let lock = match LockedFile::try_acquire(&lock_path, LockMode::Exclusive) {
        Ok(Some(lock)) => lock,
        Ok(None) => return Ok(false),
        Err(e) => return Err(std::io::Error::other(e)),
    };
    let mut removed = vec![file.to_path_buf()];
    // A parallel download's record of the ranges it finished goes with its file.
    if let Some(stem) = name.strip_suffix(&format!(".parallel{INCOMPLETE_SUFFIX}")) {
        removed.push(file.with_file_name(format!("{stem}.parallel.ranges")));
    }
    for path in removed {
        match std::fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
    }
    drop(lock);
    Ok(true)
}

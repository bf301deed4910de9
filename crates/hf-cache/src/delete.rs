//! Freeing space: a [`DeleteCacheStrategy`] computed from a scan, shown or executed.

use std::collections::BTreeSet;
use std::io;
use std::path::{Path, PathBuf};

use crate::scan::{CacheInfo, CachedRevisionInfo};

/// What deleting some revisions would remove, computed by
/// [`CacheInfo::delete_revisions`]. Nothing is touched until [`DeleteCacheStrategy::execute`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeleteCacheStrategy {
    /// Bytes the deletion frees (blobs only).
    pub expected_freed_size: u64,
    /// Blob files no remaining revision uses.
    pub blobs: BTreeSet<PathBuf>,
    /// Ref files pointing to deleted revisions.
    pub refs: BTreeSet<PathBuf>,
    /// Whole repo folders (every revision of the repo is deleted).
    pub repos: BTreeSet<PathBuf>,
    /// Snapshot folders.
    pub snapshots: BTreeSet<PathBuf>,
    /// Requested commit hashes found in no cached repo (ignored).
    pub not_found: BTreeSet<String>,
}

/// A path [`DeleteCacheStrategy::execute`] could not remove.
#[derive(Debug)]
#[non_exhaustive]
pub struct DeleteFailure {
    /// The path.
    pub path: PathBuf,
    /// Why.
    pub error: io::Error,
}

impl CacheInfo {
    /// Plans the deletion of the given revisions (commit hashes), like Python's
    /// `HFCacheInfo.delete_revisions`:
    ///
    /// * when every revision of a repo is selected, the whole repo folder goes;
    /// * otherwise each selected snapshot folder and the refs pointing to it go, and a
    ///   blob goes only if no remaining revision of the repo uses it;
    /// * unknown hashes are listed in [`DeleteCacheStrategy::not_found`] and ignored.
    ///
    /// `.no_exist` markers and `.locks` are never touched. A hash cached in several repos
    /// is deleted from each of them (Python picks one).
    pub fn delete_revisions<I, S>(&self, commit_hashes: I) -> DeleteCacheStrategy
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let wanted: BTreeSet<String> = commit_hashes
            .into_iter()
            .map(|h| h.as_ref().to_owned())
            .collect();
        let mut strategy = DeleteCacheStrategy::default();
        let mut found = BTreeSet::new();

        for repo in &self.repos {
            let (selected, remaining): (Vec<&CachedRevisionInfo>, Vec<&CachedRevisionInfo>) = repo
                .revisions
                .iter()
                .partition(|r| wanted.contains(&r.commit_hash));
            if selected.is_empty() {
                continue;
            }
            found.extend(selected.iter().map(|r| r.commit_hash.clone()));

            if remaining.is_empty() {
                strategy.repos.insert(repo.repo_path.clone());
                strategy.expected_freed_size += repo.size_on_disk;
                continue;
            }

            let still_used: BTreeSet<&Path> = remaining
                .iter()
                .flat_map(|r| r.files.iter().map(|f| f.blob_path.as_path()))
                .collect();
            for revision in selected {
                strategy.snapshots.insert(revision.snapshot_path.clone());
                for name in &revision.refs {
                    strategy.refs.insert(repo.repo_path.join("refs").join(name));
                }
                for file in &revision.files {
                    if !still_used.contains(file.blob_path.as_path())
                        && strategy.blobs.insert(file.blob_path.clone())
                    {
                        strategy.expected_freed_size += file.size_on_disk;
                    }
                }
            }
        }

        strategy.not_found = wanted.difference(&found).cloned().collect();
        if !strategy.not_found.is_empty() {
            let list: Vec<&str> = strategy.not_found.iter().map(String::as_str).collect();
            tracing::warn!(revisions = %list.join(", "), "revision(s) not found in the cache; cannot delete them");
        }
        strategy
    }
}

impl DeleteCacheStrategy {
    /// Deletes everything planned, in the order repos, snapshots, refs, blobs, so an
    /// interruption never leaves a ref or a snapshot pointing at a missing blob.
    ///
    /// Paths that cannot be removed (already gone, permission denied) are logged and
    /// returned; the rest of the plan still runs.
    pub fn execute(&self) -> Vec<DeleteFailure> {
        let mut failures = Vec::new();
        let groups = [
            ("repo", &self.repos),
            ("snapshot", &self.snapshots),
            ("ref", &self.refs),
            ("blob", &self.blobs),
        ];
        for (kind, paths) in groups {
            for path in paths {
                tracing::info!(kind, path = %path.display(), "deleting");
                if let Err(error) = delete_path(path) {
                    tracing::warn!(kind, path = %path.display(), %error, "could not delete");
                    failures.push(DeleteFailure {
                        path: path.clone(),
                        error,
                    });
                }
            }
        }
        failures
    }
}

fn delete_path(path: &Path) -> io::Result<()> {
    let meta = fs_err::symlink_metadata(path)?;
    if meta.is_dir() {
        fs_err::remove_dir_all(path)
    } else {
        fs_err::remove_file(path)
    }
}

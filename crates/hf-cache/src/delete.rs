//! Freeing space: a [`DeleteCacheStrategy`] computed from a scan, shown or executed.

use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::path::{Path, PathBuf};

use crate::scan::{CacheInfo, CachedFileInfo, CachedRevisionInfo};
use crate::shared;

/// What deleting some revisions (or files) would remove, computed by
/// [`CacheInfo::delete_revisions`] or [`CacheInfo::delete_files`]. Nothing is touched
/// until [`DeleteCacheStrategy::execute`].
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
    /// Single snapshot entries (links, or copies where the cache has no symlinks), from
    /// [`CacheInfo::delete_files`]. They go first; a blob one of them links to is kept
    /// if the entry cannot be removed.
    pub files: BTreeSet<PathBuf>,
    /// Requested commit hashes found in no cached repo (ignored).
    pub not_found: BTreeSet<String>,
    /// The cache the plan applies to. With it, [`execute`](Self::execute) also
    /// collects the contents of the cache-wide store (see
    /// [`CachedFileInfo::blob_path`](crate::CachedFileInfo::blob_path)) that no repo
    /// links to any more.
    pub cache_dir: Option<PathBuf>,
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
        let mut strategy = DeleteCacheStrategy {
            cache_dir: Some(self.cache_dir.clone()),
            ..DeleteCacheStrategy::default()
        };
        let mut found = BTreeSet::new();
        // Every blob the plan removes (also inside whole repos), with its size.
        let mut unlinked: BTreeMap<PathBuf, u64> = BTreeMap::new();

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
                for file in repo.revisions.iter().flat_map(|r| &r.files) {
                    unlinked.insert(file.blob_path.clone(), file.size_on_disk);
                }
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
                    // A file copied into the snapshot (no symlinks) goes with it.
                    if file.blob_path.starts_with(&revision.snapshot_path) {
                        unlinked.insert(file.blob_path.clone(), file.size_on_disk);
                    } else if !still_used.contains(file.blob_path.as_path()) {
                        strategy.blobs.insert(file.blob_path.clone());
                        unlinked.insert(file.blob_path.clone(), file.size_on_disk);
                    }
                }
            }
        }
        strategy.expected_freed_size = freed_by(&unlinked, &self.cache_dir);

        strategy.not_found = wanted.difference(&found).cloned().collect();
        if !strategy.not_found.is_empty() {
            let list: Vec<&str> = strategy.not_found.iter().map(String::as_str).collect();
            tracing::warn!(revisions = %list.join(", "), "revision(s) not found in the cache; cannot delete them");
        }
        strategy
    }
}

impl CacheInfo {
    /// Plans the deletion of single cached files, like the newest Python client's
    /// `HFCacheInfo.delete_files` (`hf cache rm hf://org/model/file`).
    ///
    /// Only the snapshot entries go. A blob goes too unless another cached file (of any
    /// revision) still uses it. Refs and snapshot folders stay, even a snapshot left
    /// empty; [`delete_revisions`](Self::delete_revisions) removes whole revisions.
    ///
    /// ```no_run
    /// # fn main() -> Result<(), hf_cache::Error> {
    /// let info = hf_cache::HfCache::from_env().scan()?;
    /// let ggufs = info
    ///     .repos
    ///     .iter()
    ///     .filter(|r| r.repo_id == "org/model")
    ///     .flat_map(|r| &r.revisions)
    ///     .flat_map(|rev| &rev.files)
    ///     .filter(|f| f.file_name.ends_with(".gguf"));
    /// let plan = info.delete_files(ggufs);
    /// println!("frees {}", hf_cache::format_size(plan.expected_freed_size));
    /// plan.execute();
    /// # Ok(())
    /// # }
    /// ```
    pub fn delete_files<'a, I>(&self, files: I) -> DeleteCacheStrategy
    where
        I: IntoIterator<Item = &'a CachedFileInfo>,
    {
        let selected: BTreeMap<&Path, &CachedFileInfo> = files
            .into_iter()
            .map(|f| (f.file_path.as_path(), f))
            .collect();
        let retained: BTreeSet<&Path> = self
            .repos
            .iter()
            .flat_map(|r| &r.revisions)
            .flat_map(|r| &r.files)
            .filter(|f| !selected.contains_key(f.file_path.as_path()))
            .map(|f| f.blob_path.as_path())
            .collect();
        let unlinked: BTreeMap<PathBuf, u64> = selected
            .values()
            .filter(|f| !retained.contains(f.blob_path.as_path()))
            .map(|f| (f.blob_path.clone(), f.size_on_disk))
            .collect();
        let files: BTreeSet<PathBuf> = selected.keys().map(|p| p.to_path_buf()).collect();
        DeleteCacheStrategy {
            expected_freed_size: freed_by(&unlinked, &self.cache_dir),
            // A copy (no symlinks) is its own blob: it goes as a file.
            blobs: unlinked
                .into_keys()
                .filter(|b| !files.contains(b))
                .collect(),
            files,
            cache_dir: Some(self.cache_dir.clone()),
            ..DeleteCacheStrategy::default()
        }
    }
}

impl DeleteCacheStrategy {
    /// Deletes everything planned, in the order files, repos, snapshots, refs, blobs, so
    /// an interruption never leaves a ref or a snapshot pointing at a missing blob.
    ///
    /// Paths that cannot be removed (already gone, permission denied) are logged and
    /// returned; the rest of the plan still runs.
    pub fn execute(&self) -> Vec<DeleteFailure> {
        // The stored contents the deleted blobs link to, found before the links go.
        let stored: BTreeSet<PathBuf> = match &self.cache_dir {
            Some(root) if shared::is_store(&root.join(shared::STORE_DIR)) => self
                .blobs
                .iter()
                .cloned()
                .chain(
                    self.repos
                        .iter()
                        .flat_map(|r| shared::read_dir(&r.join("blobs"))),
                )
                .filter_map(|blob| shared::target(&blob, root))
                .collect(),
            _ => BTreeSet::new(),
        };
        let mut failures = Vec::new();
        // Snapshot entries first; the blob of one that stays must stay too.
        let mut kept_blobs = BTreeSet::new();
        for path in &self.files {
            tracing::info!(kind = "file", path = %path.display(), "deleting");
            match fs_err::remove_file(path) {
                Ok(()) => {}
                Err(error) if error.kind() == io::ErrorKind::NotFound => {}
                Err(error) => {
                    tracing::warn!(kind = "file", path = %path.display(), %error, "could not delete");
                    // The entry stays, so its link can still be read.
                    if let Ok(link) = fs_err::read_link(path) {
                        let parent = path.parent().unwrap_or(path);
                        kept_blobs.insert(shared::lexical(&parent.join(link)));
                    }
                    failures.push(DeleteFailure {
                        path: path.clone(),
                        error,
                    });
                }
            }
        }
        let groups = [
            ("repo", &self.repos),
            ("snapshot", &self.snapshots),
            ("ref", &self.refs),
            ("blob", &self.blobs),
        ];
        for (kind, paths) in groups {
            for path in paths.iter().filter(|p| !kept_blobs.contains(*p)) {
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
        if let Some(root) = &self.cache_dir {
            for content in &stored {
                shared::sweep(content, root);
            }
        }
        failures
    }
}

/// Bytes freed by removing the blobs of `unlinked`: their sizes, except that a link
/// into the cache-wide store frees its content only when every link to it goes.
fn freed_by(unlinked: &BTreeMap<PathBuf, u64>, root: &Path) -> u64 {
    if !shared::is_store(&root.join(shared::STORE_DIR)) {
        return unlinked.values().sum();
    }
    let mut total = 0;
    let mut stored = BTreeSet::new();
    for (blob, size) in unlinked {
        match shared::target(blob, root) {
            Some(content) => {
                stored.insert(content);
            }
            None => total += size,
        }
    }
    let deleting: BTreeSet<PathBuf> = unlinked.keys().cloned().collect();
    total
        + stored
            .iter()
            .map(|c| shared::freed_by(c, &deleting, root))
            .sum::<u64>()
}

fn delete_path(path: &Path) -> io::Result<()> {
    let meta = fs_err::symlink_metadata(path)?;
    if meta.is_dir() {
        fs_err::remove_dir_all(path)
    } else {
        fs_err::remove_file(path)
    }
}

//! Dry runs: what a download would do, found without downloading or writing anything
//! (Python's `dry_run=True`, added after 0.26).

use std::path::PathBuf;

use futures_util::StreamExt as _;
use hf_cache::{CachedFile, LocalDir, RepoCache};
use hf_types::{CommitOid, RepoId, Revision};

use super::file::{Found, cache_for, metadata_or_local};
use super::metadata::{Attempts, FileMetadata};
use super::patterns::PatternSet;
use super::snapshot::{entry_metadata, list_revision, tree_folder};
use super::url::FileTarget;
use super::{DownloadOptions, blocking, cache_error};
use crate::client::HfApi;
use crate::error::Error;

/// What downloading one file would do (Python's `DryRunFileInfo`), from
/// [`DownloadRequest::dry_run`](crate::DownloadRequest::dry_run) or
/// [`SnapshotRequest::dry_run`](crate::SnapshotRequest::dry_run).
///
/// A dry run sends the download's metadata requests (one `HEAD`, or one listing for a
/// snapshot) but fetches no content and changes nothing on disk: no ref, no
/// `.no_exist` marker, no lock file, no `local_dir` metadata. Unlike Python's, which
/// writes some of these.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DryRunFileInfo {
    /// The file's path in the repo.
    pub filename: String,
    /// The commit the file would come from. `None` only when the Hub cannot be reached
    /// and an existing `local_dir` file without download metadata would be returned as
    /// it is.
    pub commit_hash: Option<CommitOid>,
    /// The file's size in bytes (of the content, for an LFS file, not of its pointer).
    pub file_size: u64,
    /// Where the download would put the file, or where it already is: the snapshot
    /// entry in the cache, or `{local_dir}/{filename}`.
    pub local_path: PathBuf,
    /// Whether the content is already on disk: the snapshot entry or the blob (shared
    /// with another revision) in the cache; in `local_dir` mode, the up-to-date file
    /// or the same file in the cache, which would be copied.
    pub is_cached: bool,
    /// Whether the download would fetch the content: when it is not cached, or with
    /// `force_download`.
    pub will_download: bool,
}

/// The dry run of one file; `known` comes from a snapshot listing and saves the `HEAD`.
pub(crate) async fn file(
    api: &HfApi,
    target: FileTarget,
    options: &DownloadOptions,
    known: Option<FileMetadata>,
) -> Result<DryRunFileInfo, Error> {
    if let Some(dir) = options.local_dir.clone() {
        return in_local_dir(api, target, options, known, LocalDir::new(dir)).await;
    }
    let repo = cache_for(api, options).repo(target.repo_type, &target.repo_id);
    in_cache(api, target, options, known, repo).await
}

async fn in_cache(
    api: &HfApi,
    target: FileTarget,
    options: &DownloadOptions,
    known: Option<FileMetadata>,
    repo: RepoCache,
) -> Result<DryRunFileInfo, Error> {
    let force = options.force_download;
    let root = repo.cache().root().to_owned();
    let already = |commit: CommitOid, (pointer, file_size): (PathBuf, u64)| DryRunFileInfo {
        filename: target.path.as_str().to_owned(),
        commit_hash: Some(commit),
        file_size,
        local_path: pointer,
        is_cached: true,
        will_download: force,
    };
    // A cached commit needs no network (a forced download would still fetch it).
    if let Some(commit) = commit_of(&target.revision) {
        let (r, c, p) = (repo.clone(), commit.clone(), target.path.clone());
        let found = blocking(move || with_size(r.cached_pointer(&c, &p)?)).await?;
        if let Some(found) = found {
            return Ok(already(commit, found));
        }
    }
    // When the Hub cannot help, the download would return the cached file, if any.
    let cached = async || {
        if force {
            return Ok(None);
        }
        let (r, rev, p) = (repo.clone(), target.revision.clone(), target.path.clone());
        blocking(move || {
            let Some(commit) = r.resolve_revision(&rev)? else {
                return Ok(None);
            };
            Ok(with_size(r.cached_pointer(&commit, &p)?)?.map(|f| (commit, f)))
        })
        .await
    };
    let meta = match metadata_or_local(api, &target, options, known, &root, cached).await? {
        Found::Hub(meta) => meta,
        Found::Local((commit, found)) => return Ok(already(commit, found)),
    };
    let (r, c, p, e) = (
        repo.clone(),
        meta.commit_hash.clone(),
        target.path.clone(),
        meta.etag.clone(),
    );
    let (pointer, is_cached) = blocking(move || {
        let pointer = r.snapshot_path(&c, &p).map_err(|e| cache_error(e, &root))?;
        let cached = pointer.exists() || r.has_blob(&e).map_err(|e| cache_error(e, &root))?;
        Ok((pointer, cached))
    })
    .await?;
    Ok(DryRunFileInfo {
        filename: target.path.as_str().to_owned(),
        commit_hash: Some(meta.commit_hash),
        file_size: meta.size,
        local_path: pointer,
        is_cached,
        will_download: force || !is_cached,
    })
}

async fn in_local_dir(
    api: &HfApi,
    target: FileTarget,
    options: &DownloadOptions,
    known: Option<FileMetadata>,
    local: LocalDir,
) -> Result<DryRunFileInfo, Error> {
    let force = options.force_download;
    let root = local.root().to_owned();
    let (dir, path, at) = (local.clone(), target.path.clone(), root.clone());
    // `stored` is `Some` when the file exists, with its valid metadata if any.
    let (file_path, size, stored) = blocking(move || {
        let file = dir
            .paths_of(&path)
            .map_err(|e| cache_error(e, &at))?
            .file_path;
        match with_size(Some(file.clone()).filter(|f| f.is_file()))? {
            Some((_, size)) => Ok((file, size, Some(dir.peek_download_metadata(&path)?))),
            None => Ok((file, 0, None)),
        }
    })
    .await?;
    let info = |commit_hash, file_size, is_cached, will_download| DryRunFileInfo {
        filename: target.path.as_str().to_owned(),
        commit_hash,
        file_size,
        local_path: file_path.clone(),
        is_cached,
        will_download,
    };
    // Up to date at this commit: no network.
    if let (Some(commit), Some(Some(m))) = (commit_of(&target.revision), &stored)
        && m.commit_hash == commit.as_str()
    {
        return Ok(info(Some(commit), size, true, force));
    }
    // When the Hub cannot help, the download would return the existing file as it is.
    let existing = async || {
        Ok(match (force, &stored) {
            (false, Some(stored)) => Some(
                stored
                    .as_ref()
                    .and_then(|m| CommitOid::new(m.commit_hash.clone()).ok()),
            ),
            _ => None,
        })
    };
    let meta = match metadata_or_local(api, &target, options, known, &root, existing).await? {
        Found::Hub(meta) => meta,
        Found::Local(commit) => return Ok(info(commit, size, true, false)),
    };
    let reused = if force {
        false
    } else {
        let cache = cache_for(api, options);
        let (l, p, e, c) = (
            local.clone(),
            target.path.clone(),
            meta.etag.clone(),
            meta.commit_hash.clone(),
        );
        let (rt, id) = (target.repo_type, target.repo_id.clone());
        blocking(move || {
            // The local file holds this content, or the cache does and would be copied.
            if l.holds(&p, &e).map_err(|e| cache_error(e, &root))? {
                return Ok(true);
            }
            let rev = Revision::from(c);
            Ok(matches!(
                cache.try_to_load_from_cache(rt, &id, &p, Some(&rev)),
                CachedFile::Found(_)
            ))
        })
        .await?
    };
    Ok(info(
        Some(meta.commit_hash),
        meta.size,
        reused || stored.is_some(),
        !reused,
    ))
}

/// The dry run of a snapshot: the revision's listing (the Hub must answer it), then
/// every matching file, in the listing's order.
pub(crate) async fn snapshot(
    api: &HfApi,
    repo_id: &RepoId,
    revision: &Revision,
    patterns: &PatternSet,
    max_workers: usize,
    options: &DownloadOptions,
) -> Result<Vec<DryRunFileInfo>, Error> {
    let what = || {
        format!(
            "a dry run needs the Hub's list of the files of {} ({}) at {}",
            repo_id.as_str(),
            options.repo_type,
            revision.as_str()
        )
    };
    if options.local_files_only {
        return Err(Error::invalid_argument(
            format!("{}, and local_files_only forbids asking for it", what()),
            None,
        ));
    }
    if options.is_offline(api) {
        return Err(Error::OfflineMode {
            message: format!(
                "{}, but offline mode is on; unset HF_HUB_OFFLINE or build the client with \
                 .offline(false)",
                what()
            ),
        });
    }
    let repo = cache_for(api, options).repo(options.repo_type, repo_id);
    let folder = tree_folder(&repo, options);
    let listed = list_revision(api, repo_id, revision, options, &folder, Attempts::Retried).await?;
    let (sha, mut files, _) = listed.files(repo_id, revision, &folder)?;
    files.retain(|(path, _)| patterns.is_match(path.as_str()));
    let at_commit = Revision::from(sha.clone());
    futures_util::stream::iter(files.into_iter().map(|(path, entry)| {
        let target = FileTarget {
            repo_type: options.repo_type,
            repo_id: repo_id.clone(),
            path,
            revision: at_commit.clone(),
        };
        let known = entry.and_then(|e| entry_metadata(api, &target, &sha, &e));
        file(api, target, options, known)
    }))
    .buffered(max_workers)
    .collect::<Vec<_>>()
    .await
    .into_iter()
    .collect()
}

fn commit_of(revision: &Revision) -> Option<CommitOid> {
    if revision.is_commit_hash() {
        CommitOid::new(revision.as_str()).ok()
    } else {
        None
    }
}

/// The file with its size (a snapshot entry's symlink is followed to its blob).
fn with_size(path: Option<PathBuf>) -> Result<Option<(PathBuf, u64)>, Error> {
    let Some(path) = path else { return Ok(None) };
    let size = std::fs::metadata(&path)
        .map_err(|e| super::io_error(&path, "cannot read the size of", e))?
        .len();
    Ok(Some((path, size)))
}

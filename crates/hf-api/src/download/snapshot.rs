//! `snapshot_download`: every file of a revision (hub-protocol §5.7).

use std::future::IntoFuture;
use std::path::PathBuf;
use std::sync::Arc;

use futures_util::StreamExt as _;
use hf_cache::tree::{TreeEntry, TreeListing};
use hf_http::http::Method;
use hf_http::retry::{BackoffBudget, RetryBudget};
use hf_types::{CommitOid, ETag, RepoId, RepoPath, RepoSibling, RepoType, Revision};
use serde::Deserialize;

use super::file::{Known, Listing, cache_for, download, is_final, listed_metadata};
use super::metadata::{Attempts, request};
use super::patterns::PatternSet;
use super::url::{FileTarget, parse_repo_id, parse_revision};
use super::{DownloadOptions, blocking, cache_error};
use crate::client::HfApi;
use crate::error::Error;
use crate::progress::{ProgressEvent, Reporter};
use crate::request::BoxFuture;

/// How many more times a listing that came whole but unreadable is asked for, once nothing
/// cached can stand in for it.
const UNREADABLE_LISTINGS_ASKED_AGAIN: u32 = 3;

impl HfApi {
    /// Downloads every file of a revision (Python's `snapshot_download`) and returns
    /// the snapshot folder `{cache}/{repo folder}/snapshots/{commit}`, or the real path
    /// of [`local_dir`](SnapshotRequest::local_dir).
    ///
    /// One request lists the revision's files with their blob ids, sizes and LFS
    /// details (`/api/{type}s/{id}/revision/{rev}?blobs=true`); files are then fetched
    /// by commit hash, [`max_workers`](SnapshotRequest::max_workers) at a time over
    /// pooled connections, without a `HEAD` per file (large files, which are fetched
    /// with parallel range requests, get one `HEAD` to learn their CDN location).
    /// The listing is kept in the cache (`trees/{commit}.json`, Python 2.x's tree
    /// cache), so a later snapshot at that commit sends no request at all when its
    /// files are cached. Without network (or with `local_files_only`) a cached snapshot
    /// of the revision is returned, unless the kept listing shows that files asked for
    /// are missing from it ([`Error::LocalEntryNotFound`] then names them).
    ///
    /// A listing naming a path that would leave the target folder (`../x`, `/etc/x`)
    /// is refused before anything is written.
    ///
    /// ```no_run
    /// # async fn demo(api: hf_api::HfApi) -> Result<(), hf_api::Error> {
    /// let dir = api.snapshot_download("gpt2")
    ///     .allow_patterns(["*.json", "*.safetensors"])
    ///     .await?;
    /// println!("{}", dir.display());
    /// # Ok(()) }
    /// ```
    pub fn snapshot_download(&self, repo_id: impl Into<String>) -> SnapshotRequest {
        SnapshotRequest {
            api: self.clone(),
            repo_id: repo_id.into(),
            allow: Vec::new(),
            ignore: Vec::new(),
            max_workers: 8,
            options: DownloadOptions::default(),
        }
    }
}

/// The request built by [`HfApi::snapshot_download`]; `.await` it to download.
#[must_use = "a download does nothing until it is awaited"]
#[derive(Debug, Clone)]
pub struct SnapshotRequest {
    api: HfApi,
    repo_id: String,
    allow: Vec<String>,
    ignore: Vec<String>,
    max_workers: usize,
    options: DownloadOptions,
}

impl SnapshotRequest {
    /// Only files matching at least one of these fnmatch patterns (see [`PatternSet`]).
    pub fn allow_patterns<I, S>(mut self, patterns: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.allow.extend(patterns.into_iter().map(Into::into));
        self
    }

    /// No file matching any of these fnmatch patterns.
    pub fn ignore_patterns<I, S>(mut self, patterns: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.ignore.extend(patterns.into_iter().map(Into::into));
        self
    }

    /// Files downloaded at once (default 8).
    pub fn max_workers(mut self, n: usize) -> Self {
        self.max_workers = n.max(1);
        self
    }

    /// What this snapshot would download, without downloading or writing anything
    /// (Python's `dry_run=True`): one entry per matching file, in the listing's
    /// order. Needs the revision's listing (from the Hub, or kept in the cache for a
    /// commit hash), so it fails offline or with `local_files_only`; a file the listing
    /// does not describe fully gets a `HEAD`.
    ///
    /// ```no_run
    /// # async fn demo(api: hf_api::HfApi) -> Result<(), hf_api::Error> {
    /// let plan = api.snapshot_download("gpt2").allow_patterns(["*.json"]).dry_run().await?;
    /// let bytes: u64 = plan.iter().filter(|f| f.will_download).map(|f| f.file_size).sum();
    /// println!("{bytes} bytes to fetch");
    /// # Ok(()) }
    /// ```
    pub fn dry_run(self) -> BoxFuture<Vec<super::DryRunFileInfo>> {
        Box::pin(async move {
            let patterns = PatternSet::new(&self.allow, &self.ignore)?;
            let repo_id = parse_repo_id(&self.repo_id)?;
            let revision = parse_revision(self.options.revision.as_deref())?;
            super::dry_run::snapshot(
                &self.api,
                &repo_id,
                &revision,
                &patterns,
                self.max_workers,
                &self.options,
            )
            .await
        })
    }

    super::download_option_setters!();
}

/// The part of a repo info answer a snapshot needs.
#[derive(Debug, Deserialize)]
pub(super) struct RevisionInfo {
    sha: Option<String>,
    siblings: Option<Vec<RepoSibling>>,
}

async fn revision_info(
    api: &HfApi,
    repo_type: RepoType,
    repo_id: &RepoId,
    revision: &Revision,
    options: &DownloadOptions,
    query: &str,
    attempts: Attempts,
) -> Result<RevisionInfo, Error> {
    let path = format!(
        "/api/{}/{}/revision/{}?{query}",
        repo_type.plural(),
        repo_id.as_str(),
        revision.url_segment()
    );
    let uri = api.http().url(&path)?;
    let mut req = request(Method::GET, uri, options);
    req.headers_mut()
        .remove(hf_http::http::header::ACCEPT_ENCODING);
    req.extensions_mut()
        .insert(hf_http::hub_error::NotFoundHint::Revision);
    // The listing is part of the download: a body that stops coming for
    // `HF_HUB_DOWNLOAD_TIMEOUT` is given up on (and retried, as it is read within the
    // attempt), as a file's content is.
    req.extensions_mut()
        .insert(hf_http::timeout::ReadTimeout(Some(api.download_timeout())));
    // Retried, the retries it decides on stop within `etag_timeout`, as for the `HEAD` of
    // one file: a snapshot that cannot be listed fails in seconds, not after the client's
    // whole retry budget. A throttled listing still waits as long as the Hub asks.
    if attempts == Attempts::Once {
        req.extensions_mut().insert(RetryBudget::NONE);
    } else {
        let limit = options.etag_timeout.unwrap_or(api.etag_timeout());
        req.extensions_mut().insert(BackoffBudget(limit));
    }
    Ok(api.http().send_json::<RevisionInfo>(req).await?)
}

/// The commit `revision` designates on the Hub now.
pub(crate) async fn resolve_commit(
    api: &HfApi,
    repo_type: RepoType,
    repo_id: &RepoId,
    revision: &Revision,
    options: &DownloadOptions,
) -> Result<CommitOid, Error> {
    let retried = Attempts::Retried;
    let info = revision_info(
        api,
        repo_type,
        repo_id,
        revision,
        options,
        "expand=sha",
        retried,
    )
    .await?;
    info.sha
        .and_then(|s| CommitOid::new(s).ok())
        .ok_or_else(|| Error::InvalidResponse {
            message: format!(
                "the Hub did not give the commit of {} at {}",
                repo_id.as_str(),
                revision.as_str()
            ),
        })
}

impl IntoFuture for SnapshotRequest {
    type Output = Result<PathBuf, Error>;
    type IntoFuture = BoxFuture<PathBuf>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(snapshot(self))
    }
}

async fn snapshot(req: SnapshotRequest) -> Result<PathBuf, Error> {
    let SnapshotRequest {
        api,
        repo_id,
        allow,
        ignore,
        max_workers,
        options,
    } = req;
    let patterns = PatternSet::new(&allow, &ignore)?;
    let repo_id = parse_repo_id(&repo_id)?;
    let revision = parse_revision(options.revision.as_deref())?;
    let repo_type = options.repo_type;
    let cache = cache_for(&api, &options);
    let repo = cache.repo(repo_type, &repo_id);

    let tree_folder = tree_folder(&repo, &options);
    let listed = if options.local_files_only {
        Err(None)
    } else if options.is_offline(&api) {
        Err(Some(Error::OfflineMode {
            message: String::new(),
        }))
    } else {
        list_revision(
            &api,
            &repo_id,
            &revision,
            &options,
            &tree_folder,
            Attempts::Once,
        )
        .await
        .map_err(Some)
    };
    let listed = match listed {
        Ok(listed) => listed,
        // A missing revision or a refused certificate or proxy is raised, not hidden
        // behind the cache.
        Err(Some(e)) if is_final(&e) => return Err(e),
        Err(cause) => {
            let wanted = Wanted {
                repo: &repo,
                repo_id: &repo_id,
                revision: &revision,
                patterns: &patterns,
                tree_folder: &tree_folder,
            };
            // The cached snapshot answers at once; without one, a failure that may pass
            // is retried (as `metadata_or_local` does for one file).
            let again = cause.as_ref().is_some_and(super::file::worth_asking_again);
            let cached = cached_snapshot(&wanted, &options, cause).await;
            if cached.is_ok() || !again {
                return cached;
            }
            // The stack retries failed requests; an answer that arrived whole by HTTP's
            // rules but is not the JSON it should be (a proxy ended the chunked body
            // early) is asked for again here, a few times.
            let mut unreadable = 0;
            loop {
                let retried = Attempts::Retried;
                match list_revision(&api, &repo_id, &revision, &options, &tree_folder, retried)
                    .await
                {
                    Ok(listed) => break listed,
                    Err(e) if is_final(&e) => return Err(e),
                    Err(Error::Decode(_)) if unreadable < UNREADABLE_LISTINGS_ASKED_AGAIN => {
                        unreadable += 1;
                    }
                    Err(e) => return cached_snapshot(&wanted, &options, Some(e)).await,
                }
            }
        }
    };
    let (sha, mut files, from_hub) = listed.files(&repo_id, &revision, &tree_folder)?;
    {
        let (r, rev, c) = (repo.clone(), revision.clone(), sha.clone());
        let root = cache.root().to_owned();
        // A listing from the Hub is kept for offline checks and later snapshots at this
        // commit (Python 2.x's tree cache), when it describes every file.
        let tree: Option<TreeListing> = from_hub
            .then(|| {
                files
                    .iter()
                    .map(|(p, e)| Some((p.as_str().to_owned(), e.clone()?)))
                    .collect()
            })
            .flatten();
        let folder = tree_folder.clone();
        let local = options.local_dir.clone().map(hf_cache::LocalDir::new);
        blocking(move || {
            r.write_ref(&rev, &c).map_err(|e| cache_error(e, &root))?;
            if let Some(tree) = tree {
                // In a local_dir, the bookkeeping folder gets its `.gitignore` first.
                let written = local
                    .map_or(Ok(PathBuf::new()), |l| l.init())
                    .and_then(|_| hf_cache::tree::write_tree(&folder, &c, &tree));
                if let Err(err) = written {
                    tracing::warn!(%err, "could not cache the revision's file list");
                }
            }
            Ok(())
        })
        .await?;
    }
    files.retain(|(path, _)| patterns.is_match(path.as_str()));
    let reporter = Reporter::new(options.progress.clone());
    let total_bytes = files
        .iter()
        .map(|(_, e)| e.as_ref().map(|e| e.lfs_size.unwrap_or(e.size)))
        .sum::<Option<u64>>();
    reporter.emit(ProgressEvent::Snapshot {
        files: files.len(),
        total_bytes,
    });
    let mut options = options;
    options.range_budget = Some(Arc::new(tokio::sync::Semaphore::new(
        options.parallel.total_connections.max(1),
    )));
    let options = Arc::new(options);
    let commit_rev = Revision::from(sha.clone());
    let jobs: Vec<(FileTarget, Option<Known>)> = files
        .into_iter()
        .map(|(path, entry)| {
            let target = FileTarget {
                repo_type,
                repo_id: repo_id.clone(),
                path,
                revision: commit_rev.clone(),
            };
            let known = entry
                .and_then(|e| known_metadata(&api, &target, &sha, &e, &options))
                .map(|meta| Known {
                    meta,
                    not_cached: false,
                });
            (target, known)
        })
        .collect();
    let jobs = if options.local_dir.is_none() && !options.force_download {
        let (r, c, root) = (repo.clone(), sha.clone(), cache.root().to_owned());
        blocking(move || skip_cached(&r, &c, jobs).map_err(|e| cache_error(e, &root))).await?
    } else {
        jobs
    };
    let mut downloads = futures_util::stream::iter(jobs.into_iter().map(|(target, known)| {
        let api = api.clone();
        let options = options.clone();
        async move { download(api, target, options, Listing::Given(known)).await }
    }))
    .buffer_unordered(max_workers);
    while let Some(res) = downloads.next().await {
        res?;
    }
    match &options.local_dir {
        Some(dir) => {
            let dir = dir.clone();
            blocking(move || {
                std::fs::canonicalize(&dir)
                    .or_else(|_| Ok(dir.clone()))
                    .map_err(|e: std::io::Error| super::io_error(&dir, "cannot resolve", e))
            })
            .await
        }
        None => Ok(repo.snapshot_dir(&sha)),
    }
}

/// A revision's files, each with its tree entry when known (the listing gives it with
/// `blobs=true`).
pub(super) type FileList = Vec<(RepoPath, Option<TreeEntry>)>;

/// Where a revision's files come from.
pub(super) enum Listed {
    /// The tree listing cached for a commit.
    Cached(CommitOid, TreeListing),
    /// The Hub's answer.
    Hub(RevisionInfo),
}

/// Lists `revision`: from the tree listing cached for it when it is a commit hash (no
/// request; not with `force_download`), else from the Hub.
pub(super) async fn list_revision(
    api: &HfApi,
    repo_id: &RepoId,
    revision: &Revision,
    options: &DownloadOptions,
    tree_folder: &std::path::Path,
    attempts: Attempts,
) -> Result<Listed, Error> {
    if revision.is_commit_hash() && !options.force_download {
        let commit = CommitOid::new(revision.as_str()).expect("checked hash");
        let (folder, c) = (tree_folder.to_owned(), commit.clone());
        if let Some(tree) = blocking(move || Ok(hf_cache::tree::read_tree(&folder, &c))).await? {
            return Ok(Listed::Cached(commit, tree));
        }
    }
    let info = revision_info(
        api,
        options.repo_type,
        repo_id,
        revision,
        options,
        "blobs=true",
        attempts,
    )
    .await?;
    Ok(Listed::Hub(info))
}

impl Listed {
    /// The commit and every file, each path checked (none may leave the target folder),
    /// with its tree entry when known; the flag says the Hub answered.
    pub(super) fn files(
        self,
        repo_id: &RepoId,
        revision: &Revision,
        tree_folder: &std::path::Path,
    ) -> Result<(CommitOid, FileList, bool), Error> {
        match self {
            Listed::Hub(info) => {
                let (sha, files) = listed_files(info, repo_id, revision)?;
                Ok((sha, files, true))
            }
            Listed::Cached(commit, tree) => {
                let mut files = Vec::with_capacity(tree.len());
                for (path, entry) in tree {
                    let path =
                        RepoPath::new(path.as_str()).map_err(|e| Error::InvalidResponse {
                            message: format!(
                                "the cached file list of {} at {} names an unsafe path ({e}); \
                             delete {} to list the files again",
                                repo_id.as_str(),
                                commit.as_str(),
                                hf_cache::tree::tree_path(tree_folder, &commit).display()
                            ),
                        })?;
                    files.push((path, Some(entry)));
                }
                Ok((commit, files, false))
            }
        }
    }
}

/// The listing's commit and every file it names with its tree entry. Every path is
/// checked first, before anything is written: none may leave the target folder.
fn listed_files(
    info: RevisionInfo,
    repo_id: &RepoId,
    revision: &Revision,
) -> Result<(CommitOid, FileList), Error> {
    let invalid = |what: &str| Error::InvalidResponse {
        message: format!(
            "the Hub's file listing of {} at {} {what}; refusing to download it",
            repo_id.as_str(),
            revision.as_str()
        ),
    };
    let sha = info
        .sha
        .and_then(|s| CommitOid::new(s).ok())
        .ok_or_else(|| invalid("has no valid commit hash"))?;
    let siblings = info.siblings.ok_or_else(|| invalid("has no file list"))?;
    let mut files = Vec::new();
    for s in siblings {
        let path = RepoPath::new(s.rfilename.as_str())
            .map_err(|e| invalid(&format!("names an unsafe path ({e})")))?;
        let entry = match (&s.blob_id, s.size) {
            (Some(blob), Some(size)) => Some(TreeEntry::new(
                size,
                blob.clone(),
                s.lfs.as_ref().map(|l| (l.sha256.clone(), l.size)),
            )),
            _ => None,
        };
        files.push((path, entry));
    }
    Ok((sha, files))
}

/// Where the tree listing of this download is cached: the repo's cache folder, or the
/// `local_dir`'s bookkeeping folder (as Python 2.x).
pub(super) fn tree_folder(repo: &hf_cache::RepoCache, options: &DownloadOptions) -> PathBuf {
    match &options.local_dir {
        Some(dir) => hf_cache::LocalDir::new(dir).huggingface_dir(),
        None => repo.path().to_owned(),
    }
}

/// Looks up every listed file in the cache in one pass (a blocking task per file costs
/// more than the lookups): files whose entry exists are dropped, files whose blob
/// another revision already has are linked, and the rest are marked as not cached so
/// their download skips the same checks.
fn skip_cached(
    repo: &hf_cache::RepoCache,
    commit: &CommitOid,
    jobs: Vec<(FileTarget, Option<Known>)>,
) -> Result<Vec<(FileTarget, Option<Known>)>, hf_cache::Error> {
    // A repo folder with neither blobs nor this snapshot (the first download) has
    // nothing to find: two look-ups instead of two per file.
    let nothing_cached = !repo.blobs_dir().is_dir() && !repo.snapshot_dir(commit).is_dir();
    if nothing_cached {
        return Ok(jobs
            .into_iter()
            .map(|(target, known)| {
                let known = known.map(|mut k| {
                    k.not_cached = true;
                    k
                });
                (target, known)
            })
            .collect());
    }
    let mut todo = Vec::with_capacity(jobs.len());
    for (target, known) in jobs {
        match known {
            Some(mut k) => {
                if repo
                    .pointer_from_cache(commit, &target.path, &k.meta.etag)?
                    .is_none()
                {
                    k.not_cached = true;
                    todo.push((target, Some(k)));
                }
            }
            None => todo.push((target, None)),
        }
    }
    Ok(todo)
}

/// What the listing says about a file, when it says enough to skip the `HEAD`.
pub(super) fn known_metadata(
    api: &HfApi,
    target: &FileTarget,
    commit: &CommitOid,
    entry: &TreeEntry,
    options: &DownloadOptions,
) -> Option<super::FileMetadata> {
    // Large files use parallel range requests, which need the CDN location a `HEAD`
    // gives (one redirect instead of one per range).
    entry_metadata(api, target, commit, entry).filter(|m| m.size < options.parallel.threshold)
}

/// The metadata a listing gives for a file: its etag and size at `commit`.
pub(super) fn entry_metadata(
    api: &HfApi,
    target: &FileTarget,
    commit: &CommitOid,
    entry: &TreeEntry,
) -> Option<super::FileMetadata> {
    let etag = ETag::new(entry.etag().to_owned()).ok()?;
    let size = entry.lfs_size.unwrap_or(entry.size);
    listed_metadata(api, target, commit, etag, size).ok()
}

/// The files the tree listing cached for `commit` names (of those `patterns` select)
/// that are not files under `dir`; none when no listing is cached.
fn missing_files(
    folder: &std::path::Path,
    commit: &CommitOid,
    patterns: &PatternSet,
    dir: &std::path::Path,
) -> Vec<String> {
    let Some(tree) = hf_cache::tree::read_tree(folder, commit) else {
        return Vec::new();
    };
    tree.into_keys()
        .filter(|p| patterns.is_match(p))
        .filter(|p| hf_cache::layout::relative_fs_path(p).is_ok_and(|rel| !dir.join(rel).is_file()))
        .collect()
}

/// What an offline snapshot looks for.
struct Wanted<'a> {
    repo: &'a hf_cache::RepoCache,
    repo_id: &'a RepoId,
    revision: &'a Revision,
    patterns: &'a PatternSet,
    tree_folder: &'a std::path::Path,
}

/// §5.7 step 3: the Hub gave nothing; return what is cached, or the right error. A
/// cached folder is returned only if the tree listing cached for its commit (when
/// there is one) shows that no wanted file is missing, as Python 2.x does.
async fn cached_snapshot(
    wanted: &Wanted<'_>,
    options: &DownloadOptions,
    cause: Option<Error>,
) -> Result<PathBuf, Error> {
    let (repo, repo_id, revision) = (wanted.repo, wanted.repo_id, wanted.revision);
    let (r, rev) = (repo.clone(), revision.clone());
    let local = options.local_dir.clone();
    let (patterns, folder) = (wanted.patterns.clone(), wanted.tree_folder.to_owned());
    let found = blocking(move || {
        let commit = r.resolve_revision(&rev).ok().flatten();
        let missing = |dir: &std::path::Path| {
            commit
                .as_ref()
                .map(|c| missing_files(&folder, c, &patterns, dir))
                .unwrap_or_default()
        };
        if local.is_none()
            && let Some(c) = &commit
        {
            let dir = r.snapshot_dir(c);
            if dir.is_dir() {
                let missing = missing(&dir);
                return Ok(Some((dir, commit.clone(), missing)));
            }
        }
        if let Some(local) = local
            && local.is_dir()
            && std::fs::read_dir(&local).is_ok_and(|mut d| d.next().is_some())
        {
            let missing = missing(&local);
            if missing.is_empty() {
                tracing::warn!(dir = %local.display(), "the Hub cannot be reached; returning the existing local_dir, which may be outdated");
            }
            let dir = std::fs::canonicalize(&local).unwrap_or(local);
            return Ok(Some((dir, commit.clone(), missing)));
        }
        Ok(None)
    })
    .await?;
    if let Some((dir, commit, missing)) = found {
        if missing.is_empty() {
            return Ok(dir);
        }
        let mut sample = missing
            .iter()
            .take(3)
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join(", ");
        if missing.len() > 3 {
            sample = format!("{sample}, ... ({} more)", missing.len() - 3);
        }
        let reason = if cause.is_none() {
            "local_files_only forbids asking the Hub"
        } else {
            "the Hub cannot be reached (or offline mode is on)"
        };
        return Err(Error::LocalEntryNotFound {
            message: format!(
                "the cached snapshot of {} at revision {} (commit {}) in {} is incomplete: {} \
                 file(s) are missing ({sample}), and {reason}; download it again with network \
                 access to complete it",
                repo_id.as_str(),
                revision.as_str(),
                commit.as_ref().map_or("unknown", CommitOid::as_str),
                dir.display(),
                missing.len()
            ),
            source: cause.map(|e| Box::new(e) as _),
        });
    }
    let what = format!(
        "no snapshot of {} ({}) at revision {} is in the local cache ({})",
        repo_id.as_str(),
        options.repo_type,
        revision.as_str(),
        repo.cache().root().display()
    );
    Err(match cause {
        None => Error::LocalEntryNotFound {
            message: format!(
                "{what}, and local_files_only forbids asking the Hub; download it once \
                 without local_files_only"
            ),
            source: None,
        },
        Some(Error::OfflineMode { .. }) => Error::OfflineMode {
            message: format!(
                "offline mode is on and {what}; unset HF_HUB_OFFLINE or build the client \
                 with .offline(false), or download it first while online"
            ),
        },
        Some(e @ (Error::RepositoryNotFound(_) | Error::GatedRepo(_) | Error::Unauthorized(_))) => {
            e
        }
        Some(e) => {
            let (failed, advice) = super::file::hub_failure(&e);
            Error::LocalEntryNotFound {
                message: format!("{failed} and {what}; {advice}"),
                source: Some(Box::new(e)),
            }
        }
    })
}

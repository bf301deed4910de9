//! `hf_hub_download`: one file into the cache or a `local_dir` (hub-protocol §5.4–§5.6,
//! §7.3).

use std::future::IntoFuture;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use hf_cache::{BlobOrigin, CachedFile, HfCache, LocalDir, RepoCache};
use hf_http::http::Uri;
use hf_types::{CommitOid, ETag, Revision};

use super::metadata::{Attempts, FileMetadata, head, offline_error};
use super::transfer::{self, Job, PartialPaths, Small};
use super::url::{FileTarget, resolve_path};
use super::{DownloadOptions, blocking, cache_error, io_error};
use crate::client::HfApi;
use crate::error::Error;
use crate::fs_task::serial;
use crate::progress::{ProgressEvent, Reporter};
use crate::request::BoxFuture;

impl HfApi {
    /// Downloads one file and returns its local path (Python's `hf_hub_download`).
    ///
    /// In the cache (the default) the path is the snapshot entry
    /// `{cache}/{repo folder}/snapshots/{commit}/{filename}`, a symlink to the blob; with
    /// [`local_dir`](DownloadRequest::local_dir) it is `{local_dir}/{filename}`. Cached
    /// copies are reused: a commit-hash revision already cached sends no request at all,
    /// otherwise one `HEAD` checks the revision's current commit; when it fails, the
    /// cached file answers at once (see [the module docs](crate::download)). At a commit hash whose
    /// file list a snapshot kept (`trees/{commit}.json`), a file below the parallel
    /// threshold is fetched without the `HEAD`. Interrupted downloads
    /// resume; content is verified (see [`crate::download`]).
    ///
    /// Errors: [`Error::RepositoryNotFound`], [`Error::GatedRepo`],
    /// [`Error::RevisionNotFound`], [`Error::EntryNotFound`] (and the absence is recorded
    /// in `.no_exist/`), [`Error::LocalEntryNotFound`] when the Hub cannot be reached
    /// (or `local_files_only`) and nothing is cached, [`Error::OfflineMode`], and
    /// [`Error::Cache`] / [`Error::NoSpace`] for local problems.
    ///
    /// ```no_run
    /// # async fn demo(api: hf_api::HfApi) -> Result<(), hf_api::Error> {
    /// let path = api.hf_hub_download("gpt2", "config.json").revision("main").await?;
    /// println!("{}", path.display());
    /// # Ok(()) }
    /// ```
    pub fn hf_hub_download(
        &self,
        repo_id: impl Into<String>,
        filename: impl Into<String>,
    ) -> DownloadRequest {
        DownloadRequest {
            api: self.clone(),
            repo_id: repo_id.into(),
            filename: filename.into(),
            subfolder: None,
            options: DownloadOptions::default(),
        }
    }
}

/// The request built by [`HfApi::hf_hub_download`]; `.await` it to download.
#[must_use = "a download does nothing until it is awaited"]
#[derive(Debug, Clone)]
pub struct DownloadRequest {
    api: HfApi,
    repo_id: String,
    filename: String,
    subfolder: Option<String>,
    options: DownloadOptions,
}

impl DownloadRequest {
    /// A folder inside the repo that holds the file.
    pub fn subfolder(mut self, subfolder: impl Into<String>) -> Self {
        self.subfolder = Some(subfolder.into());
        self
    }

    /// What this download would do, without downloading or writing anything
    /// (Python's `dry_run=True`): where the file would be, its size, whether it is
    /// already cached and whether it would be fetched. Sends the same `HEAD` as the
    /// download (none for a commit-hash revision already cached), and fails as the
    /// download would, without recording a missing file in `.no_exist/`.
    ///
    /// ```no_run
    /// # async fn demo(api: hf_api::HfApi) -> Result<(), hf_api::Error> {
    /// let plan = api.hf_hub_download("gpt2", "model.safetensors").dry_run().await?;
    /// if plan.will_download {
    ///     println!("{} bytes to fetch into {}", plan.file_size, plan.local_path.display());
    /// }
    /// # Ok(()) }
    /// ```
    pub fn dry_run(self) -> BoxFuture<super::DryRunFileInfo> {
        Box::pin(async move {
            let target = self.target()?;
            super::dry_run::file(&self.api, target, &self.options, None).await
        })
    }

    fn target(&self) -> Result<FileTarget, Error> {
        FileTarget::new(
            self.options.repo_type,
            &self.repo_id,
            &self.filename,
            self.subfolder.as_deref(),
            self.options.revision.as_deref(),
        )
    }

    super::download_option_setters!();
}

impl IntoFuture for DownloadRequest {
    type Output = Result<PathBuf, Error>;
    type IntoFuture = BoxFuture<PathBuf>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let target = self.target()?;
            download(self.api, target, Arc::new(self.options), Listing::LookUp).await
        })
    }
}

/// Why no metadata is available.
enum NoMetadata {
    LocalOnly,
    Offline,
    Failed(Error),
}

/// An answer no cached file may stand in for: the file or the revision does not exist,
/// or the client is misconfigured (a refused certificate or proxy, which Python re-raises
/// as `SSLError` and `ProxyError` too). Other failures fall back on the cache.
pub(super) fn is_final(err: &Error) -> bool {
    matches!(
        err,
        Error::EntryNotFound(_) | Error::RevisionNotFound(_) | Error::Config(_)
    )
}

/// Where a file's answer came from.
pub(super) enum Found<T> {
    /// The Hub gave (or a listing gave) the file's metadata.
    Hub(FileMetadata),
    /// The Hub could not; this local answer stands in for it.
    Local(T),
}

/// The file's metadata, from `known` or one `HEAD`; when the Hub cannot help (and the
/// error is not [final](is_final)), `local()` is asked for what stands in for it (`None`:
/// nothing). Only when nothing local does and the failure may pass is the `HEAD` sent
/// again, with retries. So a cached file is returned at once without network, as
/// Python does, and a file that is not cached still rides out a 503 or a flaky link.
pub(super) async fn metadata_or_local<T>(
    api: &HfApi,
    target: &FileTarget,
    options: &DownloadOptions,
    known: Option<FileMetadata>,
    dir: &Path,
    local: impl AsyncFnOnce() -> Result<Option<T>, Error>,
) -> Result<Found<T>, Error> {
    let why = match metadata(api, target, options, known).await {
        Ok(meta) => return Ok(Found::Hub(meta)),
        Err(NoMetadata::Failed(e)) if is_final(&e) => return Err(e),
        Err(why) => why,
    };
    if let Some(found) = local().await? {
        return Ok(Found::Local(found));
    }
    let why = match why {
        NoMetadata::Failed(e) if worth_asking_again(&e) => {
            match head(api, target, options, Attempts::Retried).await {
                Ok(meta) => return Ok(Found::Hub(meta)),
                Err(e) if is_final(&e) => return Err(e),
                Err(e) => NoMetadata::Failed(e),
            }
        }
        why => why,
    };
    Err(unavailable(target, options, why, dir))
}

pub(crate) fn cache_for(api: &HfApi, options: &DownloadOptions) -> HfCache {
    HfCache::new(
        options
            .cache_dir
            .clone()
            .unwrap_or_else(|| api.cache_dir().to_owned()),
    )
}

/// What a snapshot listing at a commit already says about one file.
pub(crate) struct Known {
    /// The metadata the `HEAD` would give.
    pub(crate) meta: FileMetadata,
    /// Neither the snapshot entry nor the blob is in the cache (checked just before).
    pub(crate) not_cached: bool,
}

/// What the caller knows of a file from a listing.
pub(crate) enum Listing {
    /// A snapshot's listing said this (`None`: not enough to skip the `HEAD`).
    Given(Option<Known>),
    /// Nothing yet: look for the file in the listing kept for its commit, if the file
    /// is not cached (`hf_hub_download` at a commit hash).
    LookUp,
}

/// Downloads `target`; metadata known from a listing at a commit skips the `HEAD`.
pub(crate) async fn download(
    api: HfApi,
    target: FileTarget,
    options: Arc<DownloadOptions>,
    listing: Listing,
) -> Result<PathBuf, Error> {
    let cache = cache_for(&api, &options);
    let repo = cache.repo(target.repo_type, &target.repo_id);
    let (known, look_up) = match listing {
        Listing::Given(known) => (known, false),
        Listing::LookUp => (None, true),
    };
    if let Some(dir) = options.local_dir.clone() {
        let known = known.map(|k| k.meta);
        let local = LocalDir::new(dir);
        return download_to_local_dir(api, target, options, (known, look_up), repo, local).await;
    }
    let force = options.force_download;
    // A snapshot already looked for this file (and its blob) in the cache, for all of
    // its files in one blocking task: skip the per-file checks.
    if let Some(Known {
        meta,
        not_cached: true,
    }) = known
    {
        return download_blob(&api, &target, &options, &repo, &meta).await;
    }
    let mut known = known.map(|k| k.meta);
    // 1. A cached commit needs no network.
    if target.revision.is_commit_hash() && !force {
        let commit = CommitOid::new(target.revision.as_str()).expect("checked hash");
        let (r, p) = (repo.clone(), target.path.clone());
        if let Some(pointer) = blocking(move || Ok(r.cached_pointer(&commit, &p)?)).await? {
            return Ok(pointer);
        }
        if look_up {
            known = from_kept_listing(&api, &target, &options, repo.path()).await?;
        }
    }
    // 4. When the Hub cannot help, the cached file does.
    let cached = async || {
        if force {
            return Ok(None);
        }
        let (r, rev, p) = (repo.clone(), target.revision.clone(), target.path.clone());
        blocking(move || Ok(r.cached_file(&rev, &p)?)).await
    };
    let found = metadata_or_local(&api, &target, &options, known, cache.root(), cached).await;
    let meta = match found {
        Ok(Found::Hub(meta)) => meta,
        Ok(Found::Local(pointer)) => return Ok(pointer),
        Err(e @ Error::EntryNotFound(_)) => {
            record_missing(&api, &target, &options, &repo).await;
            return Err(e);
        }
        Err(e) => return Err(e),
    };
    // 6. Record the revision's commit, then reuse what is cached (one blocking task:
    // snapshots of many small files pay per task).
    {
        let (r, rev, c, p, e) = (
            repo.clone(),
            target.revision.clone(),
            meta.commit_hash.clone(),
            target.path.clone(),
            meta.etag.clone(),
        );
        let root = cache.root().to_owned();
        let cached = blocking(move || {
            r.write_ref(&rev, &c).map_err(|e| cache_error(e, &root))?;
            if force {
                return Ok(None);
            }
            r.pointer_from_cache(&c, &p, &e)
                .map_err(|e| cache_error(e, &root))
        })
        .await?;
        if let Some(pointer) = cached {
            return Ok(pointer);
        }
    }
    download_blob(&api, &target, &options, &repo, &meta).await
}

async fn metadata(
    api: &HfApi,
    target: &FileTarget,
    options: &DownloadOptions,
    known: Option<FileMetadata>,
) -> Result<FileMetadata, NoMetadata> {
    if let Some(meta) = known {
        return Ok(meta);
    }
    if options.local_files_only {
        return Err(NoMetadata::LocalOnly);
    }
    if options.is_offline(api) {
        return Err(NoMetadata::Offline);
    }
    head(api, target, options, Attempts::Once)
        .await
        .map_err(NoMetadata::Failed)
}

/// The error when neither the Hub nor the cache can provide the file (§5.6 step 5).
fn unavailable(
    target: &FileTarget,
    options: &DownloadOptions,
    why: NoMetadata,
    dir: &Path,
) -> Error {
    let what = format!(
        "{} in {} ({}) at revision {}",
        target.path.as_str(),
        target.repo_id.as_str(),
        target.repo_type,
        target.revision.as_str()
    );
    if options.force_download {
        return match why {
            NoMetadata::LocalOnly => Error::invalid_argument(
                "force_download and local_files_only contradict each other: drop one",
                None,
            ),
            NoMetadata::Offline => Error::invalid_argument(
                "force_download needs the Hub, but offline mode is on (HF_HUB_OFFLINE or .offline(true))",
                None,
            ),
            NoMetadata::Failed(e) => e,
        };
    }
    match why {
        NoMetadata::LocalOnly => Error::LocalEntryNotFound {
            message: format!(
                "{what} is not in the local cache ({}), and local_files_only forbids asking \
                 the Hub; download it once without local_files_only",
                dir.display()
            ),
            source: None,
        },
        NoMetadata::Offline => match offline_error(target) {
            Error::OfflineMode { message } => Error::OfflineMode {
                message: format!("{message} (it is not in the cache at {})", dir.display()),
            },
            other => other,
        },
        NoMetadata::Failed(
            e @ (Error::RepositoryNotFound(_) | Error::GatedRepo(_) | Error::Unauthorized(_)),
        ) => e,
        NoMetadata::Failed(e) => {
            let (failed, advice) = hub_failure(&e);
            Error::LocalEntryNotFound {
                message: format!(
                    "{failed} to locate {what}, and it is not in the local cache ({}); {advice}",
                    dir.display()
                ),
                source: Some(Box::new(e)),
            }
        }
    }
}

/// Whether a metadata request that failed, with nothing cached to answer instead, is
/// sent again (with retries): after a failure that may pass (the network, a timeout, 429
/// or a 5xx), and after an answer that could not be read (cut short or garbled on the
/// way by a proxy), which may come whole the next time.
pub(super) fn worth_asking_again(err: &Error) -> bool {
    err.is_transient() || matches!(err, Error::Decode(_))
}

/// What went wrong with the Hub, and what to do, for an error that no cached file could
/// stand in for: a status (429, a 5xx) is not a network problem.
pub(super) fn hub_failure(err: &Error) -> (String, &'static str) {
    const LATER: &str = "try again later, or set HF_HUB_OFFLINE=1 to use cached files only";
    if let Error::Http(e) = err
        && let Some(status) = e.status()
    {
        return (format!("the Hub answered {status}"), LATER);
    }
    match err {
        // An answer cut short by a proxy, or garbled on the way.
        Error::Decode(_) | Error::InvalidResponse { .. } => {
            ("the Hub's answer could not be read".to_owned(), LATER)
        }
        _ => (
            "the Hub could not be reached".to_owned(),
            "check your connection, or set HF_HUB_OFFLINE=1 to use cached files only",
        ),
    }
}

/// Records `.no_exist/{commit}/{path}` after a 404 for the file. The commit of a branch
/// is looked up with one small request, since the error does not carry it.
async fn record_missing(
    api: &HfApi,
    target: &FileTarget,
    options: &DownloadOptions,
    repo: &RepoCache,
) {
    let commit = if target.revision.is_commit_hash() {
        CommitOid::new(target.revision.as_str()).ok()
    } else {
        super::snapshot::resolve_commit(
            api,
            target.repo_type,
            &target.repo_id,
            &target.revision,
            options,
        )
        .await
        .ok()
    };
    let Some(commit) = commit else { return };
    let (r, rev, p) = (repo.clone(), target.revision.clone(), target.path.clone());
    let res = blocking(move || {
        r.write_ref(&rev, &commit)?;
        r.mark_no_exist(&commit, &p)?;
        Ok(())
    })
    .await;
    if let Err(err) = res {
        tracing::debug!(%err, "could not record the missing file in the cache");
    }
}

/// The URL to `GET`: the CDN location when the Hub gave one, else the resolve URL at
/// the commit (so a branch moving meanwhile cannot mix contents).
fn download_url(api: &HfApi, target: &FileTarget, meta: &FileMetadata) -> Result<Uri, Error> {
    let at_revision = api.http().url(&target.resolve_path(&target.revision))?;
    if meta.location != at_revision.to_string()
        && let Ok(uri) = meta.location.parse::<Uri>()
        && uri.scheme().is_some()
    {
        return Ok(uri);
    }
    let commit = Revision::from(meta.commit_hash.clone());
    Ok(api.http().url(&resolve_path(
        target.repo_type,
        &target.repo_id,
        &commit,
        &target.path,
    ))?)
}

fn job_for(
    api: &HfApi,
    target: &FileTarget,
    options: &Arc<DownloadOptions>,
    meta: &FileMetadata,
) -> Result<Job, Error> {
    Ok(Job {
        api: api.clone(),
        url: download_url(api, target, meta)?,
        size: meta.size,
        etag: meta.etag.clone(),
        display: Arc::from(target.path.as_str()),
        options: options.clone(),
        reporter: Reporter::new(options.progress.clone()),
    })
}

/// Fetches; on a full disk, removes the partial files (keeping them would only hold
/// the space; other failures keep them for a resume).
async fn fetch_or_clean(job: &Job, paths: &PartialPaths) -> Result<PathBuf, Error> {
    match transfer::fetch(job, paths).await {
        Err(e @ Error::NoSpace { .. }) => {
            let p = paths.clone();
            if let Err(err) = blocking(move || {
                p.discard()
                    .map_err(|e| io_error(&p.single, "cannot remove", e))
            })
            .await
            {
                tracing::debug!(%err, "could not remove a partial download");
            }
            Err(e)
        }
        other => other,
    }
}

/// A small file: fetched and verified in memory first, then written under a
/// process-unique name, renamed into `blobs/` and linked in one job on the
/// [`serial`] file-system thread (a blob
/// another process finished meanwhile is reused). `None` when the in-memory fetch did
/// not work out: the caller takes the resumable path (a partial body is kept for it).
async fn download_small(
    target: &FileTarget,
    options: &Arc<DownloadOptions>,
    repo: &RepoCache,
    meta: &FileMetadata,
    job: &Job,
) -> Result<Option<PathBuf>, Error> {
    job.reporter.emit(ProgressEvent::Start {
        path: &job.display,
        total: job.size,
        resumed: 0,
    });
    let (data, complete) = match transfer::fetch_small(job).await? {
        Small::Complete(data) => (data, true),
        Small::Partial(data) if !data.is_empty() => (data, false),
        Small::Partial(_) | Small::Unusable => return Ok(None),
    };
    let force = options.force_download;
    let root = repo.cache().root().to_owned();
    let (r, c, p, e) = (
        repo.clone(),
        meta.commit_hash.clone(),
        target.path.clone(),
        meta.etag.clone(),
    );
    if !complete {
        // Keep what arrived for the resumable path, under the blob lock so that no other
        // process's partial file is clobbered (on the blocking pool: the lock may wait).
        blocking(move || {
            let lock = r.lock_blob(&e).map_err(|e| cache_error(e, &root))?;
            if force || !lock.is_complete() {
                let path = lock.incomplete_path();
                let dir = path.parent().unwrap_or(Path::new(""));
                hf_cache::in_existing_dir(dir, || std::fs::write(path, &data))
                    .map_err(|e| io_error(path, "cannot write", e))?;
            }
            Ok(())
        })
        .await?;
        return Ok(None);
    }
    // Verified bytes in memory need no lock: they land under a process-unique name and
    // are renamed into place. The caller found no blob just before; one that another
    // process finished meanwhile holds the same bytes, so it is simply replaced (cheaper
    // than looking for it in a folder of thousands of blobs). These folder updates go
    // one after another on one thread (`fs_task::serial`): concurrent creates in one
    // folder spin on its lock in the kernel, and a blocking task per file costs more
    // than the writes themselves.
    let pointer = serial(move || {
        r.write_blob(&e, &data).map_err(|e| cache_error(e, &root))?;
        // A partial file of an earlier, interrupted try (ours or Python's) is removed,
        // unless someone holds the lock and may be writing it.
        let incomplete = r.incomplete_path(&e).map_err(|e| cache_error(e, &root))?;
        if incomplete.exists()
            && let Ok(Some(_lock)) = r.try_lock_blob(&e)
        {
            PartialPaths::from_incomplete(incomplete).discard_leftovers(None);
        }
        r.link_snapshot(&c, &p, &e, BlobOrigin::New)
            .map_err(|e| cache_error(e, &root))
    })
    .await?;
    job.reporter.emit(ProgressEvent::Advance {
        path: &job.display,
        bytes: job.size,
    });
    job.reporter.emit(ProgressEvent::Done {
        path: target.path.as_str(),
    });
    Ok(Some(pointer))
}

/// §5.4: under the blob lock, fetch into `.incomplete`, verify, move to `blobs/`, link.
async fn download_blob(
    api: &HfApi,
    target: &FileTarget,
    options: &Arc<DownloadOptions>,
    repo: &RepoCache,
    meta: &FileMetadata,
) -> Result<PathBuf, Error> {
    if meta.size <= transfer::SMALL_MAX {
        let job = job_for(api, target, options, meta)?;
        if let Some(pointer) = download_small(target, options, repo, meta, &job).await? {
            return Ok(pointer);
        }
    }
    let force = options.force_download;
    let root = repo.cache().root().to_owned();
    let lock = {
        let (r, e, root) = (repo.clone(), meta.etag.clone(), root.clone());
        blocking(move || r.lock_blob(&e).map_err(|e| cache_error(e, &root))).await?
    };
    let link = |origin: BlobOrigin| {
        let (r, c, p, e) = (
            repo.clone(),
            meta.commit_hash.clone(),
            target.path.clone(),
            meta.etag.clone(),
        );
        let root = root.clone();
        blocking(move || {
            r.link_snapshot(&c, &p, &e, origin)
                .map_err(|e| cache_error(e, &root))
        })
    };
    let paths = PartialPaths::from_incomplete(lock.incomplete_path().to_owned());
    // Another process may have finished the blob while we waited for the lock (what was
    // left of our own attempt, or of theirs, is of no use any more).
    if !force && lock.is_complete() {
        let p = paths.clone();
        let pointer = link(BlobOrigin::Existing).await?;
        blocking(move || {
            p.discard_leftovers(None);
            Ok(())
        })
        .await?;
        drop(lock);
        return Ok(pointer);
    }
    if force {
        let p = paths.clone();
        blocking(move || {
            p.discard()
                .map_err(|e| io_error(&p.single, "cannot remove", e))
        })
        .await?;
    }
    let job = job_for(api, target, options, meta)?;
    let done = fetch_or_clean(&job, &paths).await?;
    let blob = lock.blob_path().to_owned();
    let pointer = {
        let (r, c, p, e) = (
            repo.clone(),
            meta.commit_hash.clone(),
            target.path.clone(),
            meta.etag.clone(),
        );
        let root = root.clone();
        blocking(move || {
            std::fs::rename(&done, &blob)
                .map_err(|e| io_error(&blob, "cannot move the download to", e))?;
            r.link_snapshot(&c, &p, &e, BlobOrigin::New)
                .map_err(|e| cache_error(e, &root))
        })
        .await?
    };
    drop(lock);
    job.reporter.emit(ProgressEvent::Done {
        path: target.path.as_str(),
    });
    Ok(pointer)
}

/// §7.3: `hf_hub_download(..., local_dir=...)`.
async fn download_to_local_dir(
    api: HfApi,
    target: FileTarget,
    options: Arc<DownloadOptions>,
    (mut known, look_up): (Option<FileMetadata>, bool),
    repo: RepoCache,
    local: LocalDir,
) -> Result<PathBuf, Error> {
    let force = options.force_download;
    let root = local.root().to_owned();
    let paths = {
        let (l, p, root) = (local.clone(), target.path.clone(), root.clone());
        blocking(move || l.download_paths(&p).map_err(|e| cache_error(e, &root))).await?
    };
    // 1. Up to date at this commit: no network.
    if target.revision.is_commit_hash() && !force {
        let (l, p, r) = (local.clone(), target.path.clone(), target.revision.clone());
        if let Some(file) = blocking(move || Ok(l.up_to_date_at_commit(&p, &r)?)).await? {
            return Ok(file);
        }
        if look_up {
            known = from_kept_listing(&api, &target, &options, &local.huggingface_dir()).await?;
        }
    }
    // 2. When the Hub cannot help, the existing local file does.
    let existing = async || {
        let file = paths.file_path.clone();
        if force || !blocking(move || Ok(file.is_file())).await? {
            return Ok(None);
        }
        tracing::warn!(file = %paths.file_path.display(), "the Hub cannot be reached; returning the existing local file, which may be outdated");
        Ok(Some(paths.file_path.clone()))
    };
    let meta = match metadata_or_local(&api, &target, &options, known, &root, existing).await? {
        Found::Hub(meta) => meta,
        Found::Local(file) => return Ok(file),
    };
    // 3. The local file already has this content.
    if !force {
        let (l, p, e, c) = (
            local.clone(),
            target.path.clone(),
            meta.etag.clone(),
            meta.commit_hash.clone(),
        );
        if blocking(move || Ok(l.refresh_if_up_to_date(&p, &e, &c)?)).await? {
            return Ok(paths.file_path);
        }
        // 4. The same file at that commit is in the cache: copy it.
        let cache = repo.cache().clone();
        let (l, p, e, c) = (
            local.clone(),
            target.path.clone(),
            meta.etag.clone(),
            meta.commit_hash.clone(),
        );
        let (rt, id) = (target.repo_type, target.repo_id.clone());
        let root2 = root.clone();
        let copied = blocking(move || {
            let rev = Revision::from(c.clone());
            match cache.try_to_load_from_cache(rt, &id, &p, Some(&rev)) {
                CachedFile::Found(cached) => l
                    .copy_from_cache(&p, &cached, &c, &e)
                    .map(Some)
                    .map_err(|e| cache_error(e, &root2)),
                _ => Ok(None),
            }
        })
        .await?;
        if let Some(file) = copied {
            return Ok(file);
        }
    }
    // 5. Download under the file's lock.
    let lock = {
        let (l, p, root) = (local.clone(), target.path.clone(), root.clone());
        blocking(move || l.lock(&p).map_err(|e| cache_error(e, &root))).await?
    };
    let partial = PartialPaths::from_incomplete(paths.incomplete_path(&meta.etag));
    if force {
        let p = partial.clone();
        blocking(move || {
            p.discard()
                .map_err(|e| io_error(&p.single, "cannot remove", e))
        })
        .await?;
    }
    let job = job_for(&api, &target, &options, &meta)?;
    let done = fetch_or_clean(&job, &partial).await?;
    {
        let file = paths.file_path.clone();
        blocking(move || {
            // Replace the old file (rename over it is atomic on Unix).
            std::fs::rename(&done, &file)
                .map_err(|e| io_error(&file, "cannot move the download to", e))
        })
        .await?;
    }
    drop(lock);
    {
        let (l, p, e, c) = (
            local,
            target.path.clone(),
            meta.etag.clone(),
            meta.commit_hash.clone(),
        );
        let root = root.clone();
        blocking(move || {
            l.write_download_metadata(&p, &c, &e)
                .map_err(|e| cache_error(e, &root))
        })
        .await?;
    }
    job.reporter.emit(ProgressEvent::Done {
        path: target.path.as_str(),
    });
    Ok(paths.file_path)
}

/// The metadata of a file at a commit hash from the listing a snapshot kept for that
/// commit under `folder` (none for a file too large to skip the `HEAD`, which gives
/// the CDN location parallel ranges need): the `HEAD` is then not needed.
async fn from_kept_listing(
    api: &HfApi,
    target: &FileTarget,
    options: &DownloadOptions,
    folder: &Path,
) -> Result<Option<FileMetadata>, Error> {
    let commit = CommitOid::new(target.revision.as_str()).expect("checked hash");
    let (f, c, p) = (folder.to_owned(), commit.clone(), target.path.clone());
    let entry = blocking(move || {
        Ok(hf_cache::tree::read_tree(&f, &c).and_then(|mut t| t.remove(p.as_str())))
    })
    .await?;
    Ok(entry.and_then(|e| super::snapshot::known_metadata(api, target, &commit, &e, options)))
}

/// The etag and size a listing gives for a file, as download metadata at `commit`.
pub(crate) fn listed_metadata(
    api: &HfApi,
    target: &FileTarget,
    commit: &CommitOid,
    etag: ETag,
    size: u64,
) -> Result<FileMetadata, Error> {
    let rev = Revision::from(commit.clone());
    let url = api.http().url(&target.resolve_path(&rev))?;
    Ok(FileMetadata {
        commit_hash: commit.clone(),
        etag,
        size,
        location: url.to_string(),
    })
}

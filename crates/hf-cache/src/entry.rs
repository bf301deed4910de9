//! Typed handles on the cache: [`HfCache`] (the root), [`RepoCache`] (one repo folder),
//! [`BlobLock`] (the right to write one blob) and [`IncompleteFile`] (a partial download).

use std::io::{self, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use hf_types::{CommitOid, ETag, RepoId, RepoPath, RepoType, Revision};

use crate::atomic;
use crate::env::CacheLocations;
use crate::error::{Error, Result};
use crate::layout::{self, INCOMPLETE_SUFFIX, LOCKS_DIR};
use crate::lock::{LockMode, LockedFile};

/// The hub cache directory (`HF_HUB_CACHE`), shared with the Python client.
///
/// Cheap to clone. Creating a handle touches nothing on disk; directories are created
/// by the first write that needs them.
#[derive(Debug, Clone)]
pub struct HfCache {
    root: PathBuf,
    lock_timeout: Option<Duration>,
    use_symlinks: bool,
    warn_without_symlinks: bool,
    state: Arc<SharedState>,
}

#[derive(Debug, Default)]
struct SharedState {
    // Set once a symlink attempt failed because the filesystem refuses symlinks; later
    // pointers are copied directly, and the warning is emitted only once.
    symlinks_unsupported: AtomicBool,
}

/// What [`HfCache::try_to_load_from_cache`] found: Python's three outcomes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CachedFile {
    /// The file is cached; the path is the snapshot entry (`snapshots/{commit}/{path}`).
    Found(PathBuf),
    /// The cache records that the file does not exist at that commit (a `.no_exist`
    /// marker; Python's `_CACHED_NO_EXIST`).
    NonExistent,
    /// Nothing is known locally.
    NotCached,
}

impl HfCache {
    /// A cache rooted at `root` (a hub cache directory such as `~/.cache/huggingface/hub`).
    pub fn new(root: impl Into<PathBuf>) -> HfCache {
        HfCache {
            root: root.into(),
            lock_timeout: None,
            use_symlinks: true,
            warn_without_symlinks: true,
            state: Arc::default(),
        }
    }

    /// The cache the environment designates (`HF_HUB_CACHE` and friends, see
    /// [`CacheLocations`]), honouring `HF_HUB_DISABLE_SYMLINKS_WARNING` and
    /// `HF_HUB_DISABLE_SYMLINKS`.
    pub fn from_env() -> HfCache {
        HfCache::from_locations(&CacheLocations::from_env())
    }

    /// The cache described by already resolved locations.
    pub fn from_locations(locations: &CacheLocations) -> HfCache {
        HfCache::new(locations.hub_cache.clone())
            .with_symlinks(!locations.disable_symlinks)
            .with_symlinks_warning(!locations.disable_symlinks_warning)
    }

    /// How long to wait for a blob lock held by another process before failing with
    /// [`Error::LockTimeout`]. `None` (the default, like Python) waits as long as the
    /// holder works: OS locks die with their process, so a wait always ends.
    pub fn with_lock_timeout(mut self, timeout: Option<Duration>) -> HfCache {
        self.lock_timeout = timeout;
        self
    }

    /// Whether snapshot entries may be symlinks (the default). When `false`, files are
    /// copied (or moved, for a fresh download) into `snapshots/` instead, as Python does
    /// on filesystems without symlinks.
    pub fn with_symlinks(mut self, enabled: bool) -> HfCache {
        self.use_symlinks = enabled;
        self
    }

    /// Whether to warn (through `tracing`) when the filesystem refuses symlinks.
    pub fn with_symlinks_warning(mut self, enabled: bool) -> HfCache {
        self.warn_without_symlinks = enabled;
        self
    }

    /// The cache root.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The lock timeout in effect.
    pub fn lock_timeout(&self) -> Option<Duration> {
        self.lock_timeout
    }

    /// The `.locks` directory.
    pub fn locks_dir(&self) -> PathBuf {
        self.root.join(LOCKS_DIR)
    }

    /// The handle on one repo's folder.
    pub fn repo(&self, repo_type: RepoType, repo_id: &RepoId) -> RepoCache {
        let folder = layout::repo_folder_name(repo_type, repo_id);
        RepoCache {
            path: self.root.join(&folder),
            cache: self.clone(),
            repo_type,
            repo_id: repo_id.clone(),
            folder,
        }
    }

    /// Looks a file up without any network access, exactly like Python's
    /// `try_to_load_from_cache`: `revision` (default `main`) is resolved through
    /// `refs/`, a `.no_exist` marker wins, and only the snapshot of that very commit is
    /// consulted.
    pub fn try_to_load_from_cache(
        &self,
        repo_type: RepoType,
        repo_id: &RepoId,
        filename: &RepoPath,
        revision: Option<&Revision>,
    ) -> CachedFile {
        self.repo(repo_type, repo_id).lookup(filename, revision)
    }
}

/// One repo's folder in the cache (`models--ns--name`, `datasets--…`, `spaces--…`).
#[derive(Debug, Clone)]
pub struct RepoCache {
    cache: HfCache,
    repo_type: RepoType,
    repo_id: RepoId,
    folder: String,
    path: PathBuf,
}

/// Where the blob behind a new snapshot entry comes from; decides move versus copy when
/// symlinks are unavailable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlobOrigin {
    /// The blob was just downloaded for this entry: without symlinks it is moved.
    New,
    /// The blob was already cached and may back other entries: without symlinks it is
    /// copied.
    Existing,
}

impl RepoCache {
    /// The repo folder.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The repo folder's name (`models--ns--name`).
    pub fn folder_name(&self) -> &str {
        &self.folder
    }

    /// The repo type.
    pub fn repo_type(&self) -> RepoType {
        self.repo_type
    }

    /// The repo id.
    pub fn repo_id(&self) -> &RepoId {
        &self.repo_id
    }

    /// The cache this repo belongs to.
    pub fn cache(&self) -> &HfCache {
        &self.cache
    }

    /// `blobs/`.
    pub fn blobs_dir(&self) -> PathBuf {
        self.path.join("blobs")
    }

    /// `refs/`.
    pub fn refs_dir(&self) -> PathBuf {
        self.path.join("refs")
    }

    /// `snapshots/`.
    pub fn snapshots_dir(&self) -> PathBuf {
        self.path.join("snapshots")
    }

    /// `.no_exist/`.
    pub fn no_exist_dir(&self) -> PathBuf {
        self.path.join(".no_exist")
    }

    /// `blobs/{etag}`.
    pub fn blob_path(&self, etag: &ETag) -> Result<PathBuf> {
        layout::check_blob_name(etag)?;
        Ok(self.blobs_dir().join(etag.as_str()))
    }

    /// `blobs/{etag}.incomplete`.
    pub fn incomplete_path(&self, etag: &ETag) -> Result<PathBuf> {
        layout::check_blob_name(etag)?;
        Ok(self
            .blobs_dir()
            .join(format!("{}{INCOMPLETE_SUFFIX}", etag.as_str())))
    }

    /// Stores `data`, the verified content of `blobs/{etag}`, without the blob lock and
    /// returns the blob's path. The bytes go to a process-unique
    /// `blobs/{etag}.{random}.incomplete` (the naming of the Python client's 2.x) that is
    /// renamed into place: concurrent writers of one blob write the same bytes, and
    /// nobody ever sees a partial `blobs/{etag}`. For contents held in memory (small
    /// files); resumable downloads use [`RepoCache::lock_blob`].
    pub fn write_blob(&self, etag: &ETag, data: &[u8]) -> Result<PathBuf> {
        let blob = self.blob_path(etag)?;
        let prefix = format!("{}.", etag.as_str());
        atomic::write_renamed(&self.blobs_dir(), (&prefix, INCOMPLETE_SUFFIX), data, &blob)?;
        Ok(blob)
    }

    /// `{cache}/.locks/{repo folder}/{etag}.lock`, the lock Python takes too.
    pub fn lock_path(&self, etag: &ETag) -> Result<PathBuf> {
        layout::check_blob_name(etag)?;
        Ok(self
            .cache
            .locks_dir()
            .join(&self.folder)
            .join(format!("{}.lock", etag.as_str())))
    }

    /// Whether `blobs/{etag}` exists.
    pub fn has_blob(&self, etag: &ETag) -> Result<bool> {
        Ok(self.blob_path(etag)?.is_file())
    }

    /// `snapshots/{commit}/`.
    pub fn snapshot_dir(&self, commit: &CommitOid) -> PathBuf {
        self.snapshots_dir().join(commit.as_str())
    }

    /// `snapshots/{commit}/{path}`, the entry (pointer) a download returns.
    pub fn snapshot_path(&self, commit: &CommitOid, path: &RepoPath) -> Result<PathBuf> {
        Ok(self
            .snapshot_dir(commit)
            .join(layout::relative_fs_path(path.as_str())?))
    }

    /// The snapshot entry of `path` at `commit` if it exists (a broken symlink does not
    /// count), the first shortcut of a download.
    pub fn cached_pointer(&self, commit: &CommitOid, path: &RepoPath) -> Result<Option<PathBuf>> {
        let pointer = self.snapshot_path(commit, path)?;
        Ok(pointer.exists().then_some(pointer))
    }

    /// The snapshot entry of `path` at `revision` (a commit hash, or a branch/tag
    /// resolved through `refs/`) if it is cached: the offline fallback of a download.
    pub fn cached_file(&self, revision: &Revision, path: &RepoPath) -> Result<Option<PathBuf>> {
        match self.resolve_revision(revision)? {
            Some(commit) => self.cached_pointer(&commit, path),
            None => Ok(None),
        }
    }

    /// After the metadata request, returns the entry for `path` at `commit` without
    /// downloading when possible: the existing entry, or a new one linked to an already
    /// cached `blobs/{etag}` (shared by another revision). `None` means download.
    pub fn pointer_from_cache(
        &self,
        commit: &CommitOid,
        path: &RepoPath,
        etag: &ETag,
    ) -> Result<Option<PathBuf>> {
        if let Some(pointer) = self.cached_pointer(commit, path)? {
            return Ok(Some(pointer));
        }
        if self.has_blob(etag)? {
            return self
                .link_snapshot(commit, path, etag, BlobOrigin::Existing)
                .map(Some);
        }
        Ok(None)
    }

    /// `refs/{revision}`; `refs/pr/1` nests as `refs/refs/pr/1`.
    pub fn ref_path(&self, revision: &Revision) -> Result<PathBuf> {
        Ok(self
            .refs_dir()
            .join(layout::relative_fs_path(revision.as_str())?))
    }

    /// The commit `refs/{revision}` points to, if the ref is cached.
    ///
    /// The file is read as-is (no trimming), as Python reads it; content that is not a
    /// 40-hex commit hash is reported as [`Error::Corrupted`].
    pub fn read_ref(&self, revision: &Revision) -> Result<Option<CommitOid>> {
        let path = self.ref_path(revision)?;
        if !path.is_file() {
            return Ok(None);
        }
        let content = fs_err::read(&path)?;
        let corrupted = |reason: &str| Error::Corrupted {
            path: path.clone(),
            reason: reason.to_owned(),
        };
        let text = String::from_utf8(content).map_err(|_| corrupted("the ref is not UTF-8"))?;
        CommitOid::new(text)
            .map(Some)
            .map_err(|e| corrupted(&e.to_string()))
    }

    /// Records that `revision` points to `commit`, atomically, and only when it changes
    /// (so a read-only cache that is already up to date keeps working). Nothing is
    /// written when `revision` is the commit itself. Returns whether the file was written.
    pub fn write_ref(&self, revision: &Revision, commit: &CommitOid) -> Result<bool> {
        if revision.as_str() == commit.as_str() {
            return Ok(false);
        }
        let path = self.ref_path(revision)?;
        if path.is_file() && fs_err::read(&path)? == commit.as_str().as_bytes() {
            return Ok(false);
        }
        atomic::create_dir_all(&self.path)?;
        atomic::write_atomic(&path, &self.path, commit.as_str().as_bytes())?;
        Ok(true)
    }

    /// The commit a revision designates locally: itself when it is a full commit hash,
    /// else the content of its ref.
    pub fn resolve_revision(&self, revision: &Revision) -> Result<Option<CommitOid>> {
        if revision.is_commit_hash() {
            return Ok(CommitOid::new(revision.as_str()).ok());
        }
        self.read_ref(revision)
    }

    /// `.no_exist/{commit}/{path}`.
    pub fn no_exist_path(&self, commit: &CommitOid, path: &RepoPath) -> Result<PathBuf> {
        Ok(self
            .no_exist_dir()
            .join(commit.as_str())
            .join(layout::relative_fs_path(path.as_str())?))
    }

    /// Records that `path` does not exist at `commit` (an empty marker file).
    pub fn mark_no_exist(&self, commit: &CommitOid, path: &RepoPath) -> Result<()> {
        let marker = self.no_exist_path(commit, path)?;
        if let Some(parent) = marker.parent() {
            atomic::create_dir_all(parent)?;
        }
        fs_err::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&marker)
            .map_err(|e| Error::from_write(&marker, e))?;
        Ok(())
    }

    /// Whether the cache records that `path` does not exist at `commit`.
    pub fn is_no_exist(&self, commit: &CommitOid, path: &RepoPath) -> Result<bool> {
        Ok(self.no_exist_path(commit, path)?.is_file())
    }

    /// Takes the per-blob lock (`.locks/{repo folder}/{etag}.lock`), waiting up to the
    /// cache's lock timeout. Re-check [`BlobLock::is_complete`] once it is held: another
    /// process may have finished the blob while we waited.
    pub fn lock_blob(&self, etag: &ETag) -> Result<BlobLock> {
        let lock = LockedFile::acquire(
            self.lock_path(etag)?,
            LockMode::Exclusive,
            self.cache.lock_timeout,
        )?;
        Ok(BlobLock {
            lock,
            blob: self.blob_path(etag)?,
            incomplete: self.incomplete_path(etag)?,
        })
    }

    /// Like [`RepoCache::lock_blob`] but never waits: `Ok(None)` when the lock is held.
    pub fn try_lock_blob(&self, etag: &ETag) -> Result<Option<BlobLock>> {
        let Some(lock) = LockedFile::try_acquire(self.lock_path(etag)?, LockMode::Exclusive)?
        else {
            return Ok(None);
        };
        Ok(Some(BlobLock {
            lock,
            blob: self.blob_path(etag)?,
            incomplete: self.incomplete_path(etag)?,
        }))
    }

    /// Creates the snapshot entry `snapshots/{commit}/{path}` for `blobs/{etag}` and
    /// returns its path.
    ///
    /// The entry is a relative symlink (`../../blobs/{etag}`, deeper for nested paths)
    /// swapped in atomically. If the filesystem refuses symlinks, a warning is logged
    /// once and the blob is moved ([`BlobOrigin::New`]) or copied
    /// ([`BlobOrigin::Existing`]) into place instead, like Python does.
    pub fn link_snapshot(
        &self,
        commit: &CommitOid,
        path: &RepoPath,
        etag: &ETag,
        origin: BlobOrigin,
    ) -> Result<PathBuf> {
        let relative = layout::relative_fs_path(path.as_str())?;
        let pointer = self.snapshot_dir(commit).join(&relative);
        let blob = self.blob_path(etag)?;
        let state = &self.cache.state;
        if self.cache.use_symlinks && !state.symlinks_unsupported.load(Ordering::Relaxed) {
            let target = layout::pointer_target(&relative, etag);
            match atomic::symlink_atomic(&target, &pointer, &self.path) {
                Ok(()) => return Ok(pointer),
                Err(err) if symlinks_refused(&err) => {
                    if !state.symlinks_unsupported.swap(true, Ordering::Relaxed)
                        && self.cache.warn_without_symlinks
                    {
                        tracing::warn!(
                            cache = %self.cache.root.display(),
                            error = %err,
                            "the filesystem of the Hugging Face cache does not support symlinks; \
                             files are moved or copied into snapshots instead, which works but can use \
                             more disk space when revisions share files (on Windows, enable \
                             Developer Mode to allow symlinks; set \
                             HF_HUB_DISABLE_SYMLINKS_WARNING=1 to silence this warning)"
                        );
                    }
                }
                Err(err) => return Err(Error::from_write(&pointer, err)),
            }
        }
        if let Some(parent) = pointer.parent() {
            atomic::create_dir_all(parent)?;
        }
        match origin {
            BlobOrigin::New => {
                tracing::debug!(from = %blob.display(), to = %pointer.display(), "moving blob into snapshot (no symlinks)");
                fs_err::rename(&blob, &pointer).map_err(|e| Error::from_write(&pointer, e))?;
            }
            BlobOrigin::Existing => {
                tracing::debug!(from = %blob.display(), to = %pointer.display(), "copying blob into snapshot (no symlinks)");
                atomic::copy_atomic(&blob, &pointer, &self.path)?;
            }
        }
        Ok(pointer)
    }

    fn lookup(&self, filename: &RepoPath, revision: Option<&Revision>) -> CachedFile {
        if !self.path.is_dir() {
            return CachedFile::NotCached;
        }
        let mut revision = revision.map_or("main", Revision::as_str).to_owned();
        // Resolve through refs/ as Python does: the ref content is used verbatim.
        if let Ok(rel) = layout::relative_fs_path(&revision) {
            let ref_file = self.refs_dir().join(rel);
            if ref_file.is_file() {
                match fs_err::read_to_string(&ref_file) {
                    Ok(content) => revision = content,
                    Err(err) => {
                        tracing::debug!(error = %err, "unreadable ref, treating the file as not cached");
                        return CachedFile::NotCached;
                    }
                }
            }
        }
        // Anything that could leave the repo folder is simply not in the cache.
        let (Ok(rev_rel), Ok(file_rel)) = (
            layout::relative_fs_path(&revision),
            layout::relative_fs_path(filename.as_str()),
        ) else {
            return CachedFile::NotCached;
        };
        if self.no_exist_dir().join(&rev_rel).join(&file_rel).is_file() {
            return CachedFile::NonExistent;
        }
        // Python requires the revision to be an exact entry name of snapshots/.
        let snapshots = self.snapshots_dir();
        let Ok(entries) = fs_err::read_dir(&snapshots) else {
            return CachedFile::NotCached;
        };
        let listed = entries
            .filter_map(io::Result::ok)
            .any(|entry| entry.file_name().to_str() == Some(revision.as_str()));
        if !listed {
            return CachedFile::NotCached;
        }
        let file = snapshots.join(rev_rel).join(file_rel);
        if file.is_file() {
            CachedFile::Found(file)
        } else {
            CachedFile::NotCached
        }
    }
}

/// Whether a symlink creation failed because the filesystem (or OS policy) refuses
/// symlinks, as opposed to an ordinary write failure.
fn symlinks_refused(err: &io::Error) -> bool {
    // EPERM: FAT/exFAT and some FUSE mounts on Unix.
    const EPERM: i32 = 1;
    // ERROR_PRIVILEGE_NOT_HELD: Windows without Developer Mode or elevation.
    const ERROR_PRIVILEGE_NOT_HELD: i32 = 1314;
    if err.kind() == io::ErrorKind::Unsupported {
        return true;
    }
    let raw = err.raw_os_error();
    if cfg!(windows) {
        raw == Some(ERROR_PRIVILEGE_NOT_HELD)
    } else {
        raw == Some(EPERM)
    }
}

/// The exclusive right to write one blob, held until dropped.
///
/// ```no_run
/// # fn demo(repo: &hf_cache::RepoCache, etag: &hf_types::ETag) -> hf_cache::Result<()> {
/// let lock = repo.lock_blob(etag)?;
/// if !lock.is_complete() {
///     let mut partial = lock.open_incomplete()?;
///     let _resume_at = partial.resume_offset(); // send `Range: bytes={resume_at}-`
///     // ... write the body into `partial` ...
///     partial.finish(None)?;
/// }
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct BlobLock {
    lock: LockedFile,
    blob: PathBuf,
    incomplete: PathBuf,
}

impl BlobLock {
    /// Whether the blob is already complete. Call it after acquiring the lock: another
    /// process may have finished the download while we waited.
    pub fn is_complete(&self) -> bool {
        self.blob.is_file()
    }

    /// `blobs/{etag}`.
    pub fn blob_path(&self) -> &Path {
        &self.blob
    }

    /// `blobs/{etag}.incomplete`.
    pub fn incomplete_path(&self) -> &Path {
        &self.incomplete
    }

    /// The lock file.
    pub fn lock_path(&self) -> &Path {
        self.lock.path()
    }

    /// Opens (or creates) `blobs/{etag}.incomplete`, positioned at its end: its current
    /// length is the offset to resume from. Keep this lock alive until
    /// [`IncompleteFile::finish`] returns.
    pub fn open_incomplete(&self) -> Result<IncompleteFile> {
        IncompleteFile::open(self.incomplete.clone(), self.blob.clone())
    }

    /// Deletes a partial download (for a forced re-download).
    pub fn discard_incomplete(&self) -> Result<()> {
        remove_if_exists(&self.incomplete)
    }
}

/// A partially written file (`*.incomplete`), renamed into place by
/// [`IncompleteFile::finish`] once complete.
#[derive(Debug)]
pub struct IncompleteFile {
    file: fs_err::File,
    path: PathBuf,
    destination: PathBuf,
    resume_offset: u64,
}

impl IncompleteFile {
    pub(crate) fn open(path: PathBuf, destination: PathBuf) -> Result<IncompleteFile> {
        if let Some(parent) = path.parent() {
            atomic::create_dir_all(parent)?;
        }
        // Not O_APPEND: positioned writes (parallel range downloads into one file) must
        // land where they say. Sequential writes start at the end instead.
        let mut file = fs_err::OpenOptions::new()
            .create(true)
            .write(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| Error::from_write(&path, e))?;
        let resume_offset = file.seek(SeekFrom::End(0))?;
        Ok(IncompleteFile {
            file,
            path,
            destination,
            resume_offset,
        })
    }

    /// The length the file had when it was opened: resume the download from there.
    pub fn resume_offset(&self) -> u64 {
        self.resume_offset
    }

    /// The `.incomplete` file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Where the file goes once complete.
    pub fn destination(&self) -> &Path {
        &self.destination
    }

    /// The open file, positioned at its end, e.g. to `try_clone` it for an async writer
    /// or for positioned writes (`FileExt::write_at`) of parallel range requests.
    pub fn as_file(&self) -> &std::fs::File {
        self.file.file()
    }

    /// Drops everything written so far and starts over (the server ignored a `Range`).
    pub fn restart(&mut self) -> Result<()> {
        self.file
            .set_len(0)
            .map_err(|e| Error::from_write(&self.path, e))?;
        self.file.seek(SeekFrom::Start(0))?;
        self.resume_offset = 0;
        Ok(())
    }

    /// Flushes to disk, checks the size against `expected_size` (when known) and renames
    /// the file to its destination. Returns the destination.
    pub fn finish(mut self, expected_size: Option<u64>) -> Result<PathBuf> {
        self.file.flush()?;
        self.file
            .sync_all()
            .map_err(|e| Error::from_write(&self.path, e))?;
        let actual = self.file.metadata()?.len();
        if let Some(expected) = expected_size
            && actual != expected
        {
            return Err(Error::SizeMismatch {
                path: self.path,
                expected,
                actual,
            });
        }
        drop(self.file);
        fs_err::rename(&self.path, &self.destination)
            .map_err(|e| Error::from_write(&self.destination, e))?;
        Ok(self.destination)
    }
}

impl Write for IncompleteFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.file.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

pub(crate) fn remove_if_exists(path: &Path) -> Result<()> {
    match fs_err::remove_file(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        other => other.map_err(|e| Error::from_write(path, e)),
    }
}

#[cfg(test)]
mod tests {
    use super::symlinks_refused;
    use std::io;

    #[test]
    fn symlink_refusals_are_told_apart_from_write_failures() {
        assert!(symlinks_refused(&io::Error::from(
            io::ErrorKind::Unsupported
        )));
        if cfg!(unix) {
            assert!(
                symlinks_refused(&io::Error::from_raw_os_error(1)),
                "EPERM: FAT, some FUSE mounts"
            );
            assert!(
                !symlinks_refused(&io::Error::from_raw_os_error(13)),
                "EACCES is a permission problem"
            );
            assert!(
                !symlinks_refused(&io::Error::from_raw_os_error(30)),
                "EROFS is a read-only cache"
            );
        }
        assert!(!symlinks_refused(&io::Error::from(
            io::ErrorKind::AlreadyExists
        )));
    }
}

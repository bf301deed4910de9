//! `local_dir` mode: repo files written as plain files under a user folder, with the
//! bookkeeping Python keeps in `.cache/huggingface/`.
//!
//! ```text
//! {local_dir}/
//! ├── config.json                              real files, never symlinks
//! ├── sub/model.safetensors
//! └── .cache/huggingface/
//!     ├── .gitignore                           "*"
//!     ├── download/
//!     │   ├── config.json.metadata             commit, etag, timestamp
//!     │   ├── config.json.lock
//!     │   ├── config.json.{etag}.incomplete    partial download
//!     │   └── sub/model.safetensors.metadata
//!     └── upload/
//!         ├── {path}.metadata                  upload_large_folder progress
//!         └── {path}.lock
//! ```
//!
//! # Format
//!
//! A download metadata file is three `\n`-terminated lines: the commit hash, the etag,
//! and the Unix time it was written as Python prints a float (`1712656091.123`). It is
//! trusted only while the file it describes has not been modified since (its mtime is
//! at most one second after the timestamp).

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hf_types::{CommitOid, ETag, RepoPath, Revision};
use sha2::Digest as _;

use crate::atomic;
use crate::entry::{IncompleteFile, remove_if_exists};
use crate::error::{Error, Result};
use crate::layout::{self, with_suffix};
use crate::lock::{LockMode, LockedFile};

/// After this long, an uploaded-but-uncommitted LFS object is assumed garbage-collected
/// by the storage backend and must be uploaded again (Python's rule).
const UPLOAD_EXPIRY: Duration = Duration::from_secs(20 * 3600);

/// A folder receiving repo files in `local_dir` mode.
#[derive(Debug, Clone)]
pub struct LocalDir {
    root: PathBuf,
    lock_timeout: Option<Duration>,
}

/// The paths involved in downloading one file into a [`LocalDir`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LocalDownloadPaths {
    /// Where the file lands: `{local_dir}/{path}`.
    pub file_path: PathBuf,
    /// `.cache/huggingface/download/{path}.lock`.
    pub lock_path: PathBuf,
    /// `.cache/huggingface/download/{path}.metadata`.
    pub metadata_path: PathBuf,
}

impl LocalDownloadPaths {
    /// `.cache/huggingface/download/{path}.{etag}.incomplete`.
    pub fn incomplete_path(&self, etag: &ETag) -> PathBuf {
        replace_metadata_suffix(
            &self.metadata_path,
            &format!(".{}.incomplete", etag.as_str()),
        )
    }
}

/// The paths involved in uploading one file from a [`LocalDir`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LocalUploadPaths {
    /// The file being uploaded: `{local_dir}/{path}`.
    pub file_path: PathBuf,
    /// `.cache/huggingface/upload/{path}.lock`.
    pub lock_path: PathBuf,
    /// `.cache/huggingface/upload/{path}.metadata`.
    pub metadata_path: PathBuf,
}

/// What `.cache/huggingface/download/{path}.metadata` records.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct DownloadMetadata {
    /// The commit the file was downloaded from, as written.
    pub commit_hash: String,
    /// The file's etag at that commit, as written.
    pub etag: String,
    /// Unix time (seconds) the metadata was written.
    pub timestamp: f64,
}

/// Upload mode negotiated with the Hub for one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UploadMode {
    /// Sent inline in the commit.
    Regular,
    /// Uploaded to LFS storage.
    Lfs,
}

/// What `.cache/huggingface/upload/{path}.metadata` records (used by
/// `upload_large_folder` to resume).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct UploadMetadata {
    /// File size when the metadata was computed.
    pub size: u64,
    /// Unix time the metadata was saved; `None` for fresh metadata never saved.
    pub timestamp: Option<f64>,
    /// Whether the Hub said to ignore the file.
    pub should_ignore: Option<bool>,
    /// The file's sha256, once computed.
    pub sha256: Option<String>,
    /// The negotiated upload mode.
    pub upload_mode: Option<UploadMode>,
    /// Whether the content was uploaded.
    pub is_uploaded: bool,
    /// Whether it was committed.
    pub is_committed: bool,
}

impl UploadMetadata {
    /// Fresh metadata for a file of `size` bytes: nothing known yet.
    pub fn new(size: u64) -> UploadMetadata {
        UploadMetadata {
            size,
            timestamp: None,
            should_ignore: None,
            sha256: None,
            upload_mode: None,
            is_uploaded: false,
            is_committed: false,
        }
    }
}

impl LocalDir {
    /// A handle on `root`; nothing is created until used.
    pub fn new(root: impl Into<PathBuf>) -> LocalDir {
        LocalDir {
            root: root.into(),
            lock_timeout: None,
        }
    }

    /// How long to wait for a lock held by another process (default: no limit, like
    /// Python).
    pub fn with_lock_timeout(mut self, timeout: Option<Duration>) -> LocalDir {
        self.lock_timeout = timeout;
        self
    }

    /// The folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `{local_dir}/.cache/huggingface`.
    pub fn huggingface_dir(&self) -> PathBuf {
        self.root.join(".cache").join("huggingface")
    }

    /// Creates `.cache/huggingface/` and its `.gitignore` (content `*`, so the bookkeeping
    /// never ends up in a git repo), as Python does on first use. Idempotent.
    pub fn init(&self) -> Result<PathBuf> {
        let dir = self.huggingface_dir();
        atomic::create_dir_all(&dir)?;
        let gitignore = dir.join(".gitignore");
        if !gitignore.exists() {
            let lock_path = dir.join(".gitignore.lock");
            let lock = LockedFile::acquire(&lock_path, LockMode::Exclusive, self.lock_timeout)?;
            if !gitignore.exists() {
                atomic::write_atomic(&gitignore, &dir, b"*")?;
            }
            drop(lock);
            // Python removes this lock after use; do the same so the folder looks alike.
            let _ = std::fs::remove_file(&lock_path);
        }
        Ok(dir)
    }

    /// The paths for downloading `path`; creates their parent folders (and the
    /// `.gitignore`), like Python.
    pub fn download_paths(&self, path: &RepoPath) -> Result<LocalDownloadPaths> {
        self.init()?;
        let paths = self.paths_of(path)?;
        for dir in [paths.file_path.parent(), paths.metadata_path.parent()]
            .into_iter()
            .flatten()
        {
            atomic::create_dir_all(dir)?;
        }
        Ok(paths)
    }

    /// The paths for downloading `path`, creating nothing (for a dry run, which
    /// must leave the folder as it is).
    pub fn paths_of(&self, path: &RepoPath) -> Result<LocalDownloadPaths> {
        let relative = layout::relative_fs_path(path.as_str())?;
        let file_path = self.root.join(&relative);
        let metadata_path = with_suffix(
            &self.huggingface_dir().join("download").join(&relative),
            ".metadata",
        );
        let lock_path = replace_metadata_suffix(&metadata_path, ".lock");
        Ok(LocalDownloadPaths {
            file_path,
            lock_path,
            metadata_path,
        })
    }

    /// The paths for uploading `path`; creates their parent folders like Python.
    pub fn upload_paths(&self, path: &RepoPath) -> Result<LocalUploadPaths> {
        let relative = layout::relative_fs_path(path.as_str())?;
        let hf_dir = self.init()?;
        let file_path = self.root.join(&relative);
        let metadata_path = with_suffix(&hf_dir.join("upload").join(&relative), ".metadata");
        let lock_path = replace_metadata_suffix(&metadata_path, ".lock");
        for dir in [file_path.parent(), metadata_path.parent()]
            .into_iter()
            .flatten()
        {
            atomic::create_dir_all(dir)?;
        }
        Ok(LocalUploadPaths {
            file_path,
            lock_path,
            metadata_path,
        })
    }

    /// Takes the lock guarding `path`'s file and metadata (hold it while replacing the
    /// file).
    pub fn lock(&self, path: &RepoPath) -> Result<LockedFile> {
        let paths = self.download_paths(path)?;
        LockedFile::acquire(paths.lock_path, LockMode::Exclusive, self.lock_timeout)
    }

    /// Opens `path`'s partial download for `etag` for appending (resume from its
    /// length); [`IncompleteFile::finish`] moves it to the file's place. Hold
    /// [`LocalDir::lock`] meanwhile.
    pub fn open_incomplete(&self, path: &RepoPath, etag: &ETag) -> Result<IncompleteFile> {
        let paths = self.download_paths(path)?;
        IncompleteFile::open(paths.incomplete_path(etag), paths.file_path)
    }

    /// Copies a file already in the hub cache (`cached`, e.g. a
    /// [`crate::CachedFile::Found`] path) to `path` in this folder under its lock, then
    /// records `commit` and `etag` (§7.3 step 4: no download needed). Returns the file.
    pub fn copy_from_cache(
        &self,
        path: &RepoPath,
        cached: &Path,
        commit: &CommitOid,
        etag: &ETag,
    ) -> Result<PathBuf> {
        let paths = self.download_paths(path)?;
        {
            let _lock =
                LockedFile::acquire(&paths.lock_path, LockMode::Exclusive, self.lock_timeout)?;
            // The temporary copy lives next to the metadata (same filesystem), never in
            // the user's own folders.
            let tmp_dir = paths.metadata_path.parent().unwrap_or(&self.root);
            atomic::copy_atomic(cached, &paths.file_path, tmp_dir)?;
        }
        self.write_download_metadata(path, commit, etag)?;
        Ok(paths.file_path)
    }

    /// Reads `path`'s download metadata, under its lock.
    ///
    /// Returns `None` when there is none, when the file itself is missing, or when the
    /// file was modified after the metadata was written (mtime more than 1 s after the
    /// timestamp). Unparsable metadata is deleted and treated as absent.
    pub fn read_download_metadata(&self, path: &RepoPath) -> Result<Option<DownloadMetadata>> {
        let paths = self.download_paths(path)?;
        let _lock = LockedFile::acquire(&paths.lock_path, LockMode::Exclusive, self.lock_timeout)?;
        let Some(text) = read_optional(&paths.metadata_path)? else {
            return Ok(None);
        };
        let Some(metadata) = parse_download_metadata(&text) else {
            tracing::warn!(path = %paths.metadata_path.display(), "invalid metadata file; removing it");
            if let Err(err) = remove_if_exists(&paths.metadata_path) {
                tracing::warn!(%err, "could not remove the corrupted metadata file");
            }
            return Ok(None);
        };
        trusted(metadata, &paths.file_path)
    }

    /// [`read_download_metadata`](Self::read_download_metadata) that changes nothing:
    /// no lock taken, no folder created, invalid metadata left in place. For a dry run.
    pub fn peek_download_metadata(&self, path: &RepoPath) -> Result<Option<DownloadMetadata>> {
        let paths = self.paths_of(path)?;
        match read_optional(&paths.metadata_path)?.and_then(|t| parse_download_metadata(&t)) {
            Some(metadata) => trusted(metadata, &paths.file_path),
            None => Ok(None),
        }
    }

    /// Writes `path`'s download metadata with the current time, under its lock.
    pub fn write_download_metadata(
        &self,
        path: &RepoPath,
        commit: &CommitOid,
        etag: &ETag,
    ) -> Result<DownloadMetadata> {
        let paths = self.download_paths(path)?;
        let _lock = LockedFile::acquire(&paths.lock_path, LockMode::Exclusive, self.lock_timeout)?;
        let metadata = DownloadMetadata {
            commit_hash: commit.as_str().to_owned(),
            etag: etag.as_str().to_owned(),
            timestamp: now_secs(),
        };
        let text = format!(
            "{}\n{}\n{}\n",
            metadata.commit_hash,
            metadata.etag,
            python_float(metadata.timestamp)
        );
        write_in_place(&paths.metadata_path, text.as_bytes())?;
        Ok(metadata)
    }

    /// The no-network shortcut (§7.3 step 1): when `revision` is a commit hash, the file
    /// exists and its valid metadata names that commit, the local file can be used as is.
    pub fn up_to_date_at_commit(
        &self,
        path: &RepoPath,
        revision: &Revision,
    ) -> Result<Option<PathBuf>> {
        if !revision.is_commit_hash() {
            return Ok(None);
        }
        let paths = self.download_paths(path)?;
        if !paths.file_path.is_file() {
            return Ok(None);
        }
        Ok(self
            .read_download_metadata(path)?
            .filter(|m| m.commit_hash == revision.as_str())
            .map(|_| paths.file_path))
    }

    /// After the metadata request (§7.3 step 3): whether the local file already holds
    /// the content with `etag`. When it does, the metadata is refreshed with `commit`.
    ///
    /// Up to date means: valid metadata with the same etag, or, when there is no valid
    /// metadata and the etag is a sha256 (an LFS file), a local file whose sha256 equals
    /// it. Otherwise the file must be downloaded again.
    pub fn refresh_if_up_to_date(
        &self,
        path: &RepoPath,
        etag: &ETag,
        commit: &CommitOid,
    ) -> Result<bool> {
        let paths = self.download_paths(path)?;
        if !paths.file_path.is_file() {
            return Ok(false);
        }
        let same = holds_content(self.read_download_metadata(path)?, &paths.file_path, etag)?;
        if same {
            self.write_download_metadata(path, commit, etag)?;
        }
        Ok(same)
    }

    /// Whether the local file already holds the content with `etag`, by the rules of
    /// [`refresh_if_up_to_date`](Self::refresh_if_up_to_date), changing nothing. For a
    /// dry run. May hash the file (an LFS file without valid metadata).
    pub fn holds(&self, path: &RepoPath, etag: &ETag) -> Result<bool> {
        let file_path = self.paths_of(path)?.file_path;
        if !file_path.is_file() {
            return Ok(false);
        }
        holds_content(self.peek_download_metadata(path)?, &file_path, etag)
    }

    /// Reads `path`'s upload metadata under its lock, applying Python's rules: metadata
    /// older than the file's last modification is discarded, an upload not committed
    /// within 20 hours is considered lost, unparsable metadata is deleted. Returns fresh
    /// metadata (only the size) when nothing valid is stored.
    pub fn read_upload_metadata(&self, path: &RepoPath) -> Result<UploadMetadata> {
        let paths = self.upload_paths(path)?;
        let _lock = LockedFile::acquire(&paths.lock_path, LockMode::Exclusive, self.lock_timeout)?;
        if let Some(text) = read_optional(&paths.metadata_path)? {
            if let Some(mut metadata) = parse_upload_metadata(&text) {
                let timestamp = metadata.timestamp.unwrap_or(f64::NEG_INFINITY);
                if metadata.is_uploaded
                    && !metadata.is_committed
                    && now_secs() - timestamp > UPLOAD_EXPIRY.as_secs_f64()
                {
                    metadata.is_uploaded = false;
                }
                if mtime_secs(&paths.file_path)?.is_some_and(|mtime| mtime <= timestamp) {
                    return Ok(metadata);
                }
                tracing::info!(file = %paths.file_path.display(), "ignoring outdated upload metadata");
            } else {
                tracing::warn!(path = %paths.metadata_path.display(), "invalid metadata file; removing it");
                if let Err(err) = remove_if_exists(&paths.metadata_path) {
                    tracing::warn!(%err, "could not remove the corrupted metadata file");
                }
            }
        }
        let size = fs_err::metadata(&paths.file_path)?.len();
        Ok(UploadMetadata::new(size))
    }

    /// Saves `metadata` for `path` under its lock, stamping it with the current time
    /// (stored back into `metadata.timestamp`).
    pub fn write_upload_metadata(
        &self,
        path: &RepoPath,
        metadata: &mut UploadMetadata,
    ) -> Result<()> {
        let paths = self.upload_paths(path)?;
        let _lock = LockedFile::acquire(&paths.lock_path, LockMode::Exclusive, self.lock_timeout)?;
        let timestamp = now_secs();
        let flag = |b: bool| if b { "1" } else { "0" };
        let text = format!(
            "{}\n{}\n{}\n{}\n{}\n{}\n{}\n",
            python_float(timestamp),
            metadata.size,
            metadata.should_ignore.map_or("", flag),
            metadata.sha256.as_deref().unwrap_or(""),
            match metadata.upload_mode {
                None => "",
                Some(UploadMode::Regular) => "regular",
                Some(UploadMode::Lfs) => "lfs",
            },
            flag(metadata.is_uploaded),
            flag(metadata.is_committed),
        );
        write_in_place(&paths.metadata_path, text.as_bytes())?;
        metadata.timestamp = Some(timestamp);
        Ok(())
    }
}

/// `metadata` if the file it describes was not modified after it was written (its
/// mtime at most one second after the timestamp, as some filesystems store coarse
/// mtimes) and still exists.
fn trusted(metadata: DownloadMetadata, file_path: &Path) -> Result<Option<DownloadMetadata>> {
    let Some(mtime) = mtime_secs(file_path)? else {
        return Ok(None);
    };
    if mtime - 1.0 <= metadata.timestamp {
        Ok(Some(metadata))
    } else {
        tracing::info!(file = %file_path.display(), "ignoring outdated metadata (file modified since)");
        Ok(None)
    }
}

/// Valid metadata with the same etag, or none and an LFS file (sha256 etag) whose
/// content hashes to it.
fn holds_content(
    metadata: Option<DownloadMetadata>,
    file_path: &Path,
    etag: &ETag,
) -> Result<bool> {
    Ok(match metadata {
        Some(metadata) => metadata.etag == etag.as_str(),
        None => etag.is_sha256() && sha256_file(file_path)? == etag.as_str(),
    })
}

/// Parses the three-line download metadata; `None` if malformed.
pub fn parse_download_metadata(text: &str) -> Option<DownloadMetadata> {
    let mut lines = python_lines(text);
    let commit_hash = lines.next().unwrap_or("").trim().to_owned();
    let etag = lines.next().unwrap_or("").trim().to_owned();
    let timestamp = parse_python_float(lines.next().unwrap_or(""))?;
    Some(DownloadMetadata {
        commit_hash,
        etag,
        timestamp,
    })
}

fn parse_upload_metadata(text: &str) -> Option<UploadMetadata> {
    let mut lines = python_lines(text).map(str::trim);
    let mut next = || lines.next().unwrap_or("");
    let timestamp = parse_python_float(next())?;
    let size = next().parse().ok()?;
    let should_ignore = match next() {
        "" => None,
        v => Some(parse_python_int_bool(v)?),
    };
    let sha256 = Some(next()).filter(|s| !s.is_empty()).map(str::to_owned);
    let upload_mode = match next() {
        "" => None,
        "regular" => Some(UploadMode::Regular),
        "lfs" => Some(UploadMode::Lfs),
        _ => return None,
    };
    let is_uploaded = parse_python_int_bool(next())?;
    let is_committed = parse_python_int_bool(next())?;
    Some(UploadMetadata {
        size,
        timestamp: Some(timestamp),
        should_ignore,
        sha256,
        upload_mode,
        is_uploaded,
        is_committed,
    })
}

/// Lines as Python's `readline` splits them (keeping nothing of the terminator).
fn python_lines(text: &str) -> impl Iterator<Item = &str> {
    text.split_inclusive('\n')
        .map(|l| l.strip_suffix('\n').unwrap_or(l))
}

fn parse_python_float(line: &str) -> Option<f64> {
    line.trim().parse::<f64>().ok()
}

/// `bool(int(v))`.
fn parse_python_int_bool(v: &str) -> Option<bool> {
    v.trim().parse::<i64>().ok().map(|n| n != 0)
}

/// Formats like Python's `str(float)` for the values we write (Unix times): the
/// shortest round-tripping decimal, always with a fractional part.
fn python_float(value: f64) -> String {
    // Rust's `Debug` for f64 is the shortest round-trip form with a `.0` for integral
    // values, which is what `repr(float)` prints in this range.
    format!("{value:?}")
}

fn now_secs() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

fn mtime_secs(path: &Path) -> Result<Option<f64>> {
    match fs_err::metadata(path) {
        Ok(meta) => Ok(Some(system_time_secs(meta.modified()?))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e.into()),
    }
}

fn system_time_secs(time: SystemTime) -> f64 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_secs_f64(),
        Err(e) => -e.duration().as_secs_f64(),
    }
}

fn read_optional(path: &Path) -> Result<Option<String>> {
    match fs_err::read(path) {
        Ok(bytes) => Ok(Some(String::from_utf8_lossy(&bytes).into_owned())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Metadata files are rewritten in place, like Python (readers hold the same lock).
fn write_in_place(path: &Path, contents: &[u8]) -> Result<()> {
    fs_err::write(path, contents).map_err(|e| Error::from_write(path, e))
}

fn sha256_file(path: &Path) -> Result<String> {
    let mut file = fs_err::File::open(path)?;
    let mut hasher = sha2::Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}

/// Replaces the trailing `.metadata` of `metadata_path` by `suffix` (Python's
/// `Path.with_suffix`).
fn replace_metadata_suffix(metadata_path: &Path, suffix: &str) -> PathBuf {
    let name = metadata_path
        .file_name()
        .unwrap_or_default()
        .to_string_lossy();
    let stem = name.strip_suffix(".metadata").unwrap_or(&name);
    metadata_path.with_file_name(format!("{stem}{suffix}"))
}

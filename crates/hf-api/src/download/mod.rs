//! Downloads into the shared cache (or a `local_dir`): [`HfApi::hf_hub_url`](crate::HfApi::hf_hub_url),
//! [`HfApi::get_hf_file_metadata`](crate::HfApi::get_hf_file_metadata), [`HfApi::hf_hub_download`](crate::HfApi::hf_hub_download) and
//! [`HfApi::snapshot_download`](crate::HfApi::snapshot_download), with the Python client's parameters and cache layout.
//!
//! # How a file is fetched
//!
//! 1. A commit-hash revision already in the cache answers without any request.
//! 2. Otherwise a `HEAD` on the resolve URL gives the commit, the etag (which names the
//!    blob) and the size; a snapshot gets the same facts for every file from one
//!    listing (`/revision/{rev}?blobs=true`), so it sends no per-file `HEAD`.
//! 3. The blob is written to `blobs/{etag}.incomplete` under the per-blob lock that
//!    Python takes too, then renamed into place and linked from `snapshots/`. Files of
//!    at most 1 MiB are fetched and verified in memory first, then written to a
//!    process-unique `blobs/{etag}.{random}.incomplete` and renamed, without the lock.
//!
//! Files of at least [`ParallelConfig::threshold`] bytes are fetched with concurrent
//! range requests of [`ParallelConfig::chunk_size`] bytes (smaller ones at the start
//! and at the end of the file, see [`ParallelConfig::chunk_size`]), written in place at
//! their offsets by one writer thread: [`ParallelConfig::initial_connections`] at first,
//! doubled while that raises the throughput, up to [`ParallelConfig::connections`], or
//! halved while that keeps it (an unpaced link needs few streams). Their partial file
//! is `{etag}.parallel.incomplete` with a `{etag}.parallel.ranges` record of the byte
//! ranges finished, so an interrupted download resumes chunk by chunk, and a Python
//! client (which resumes `.incomplete` files by appending) never sees a file with holes.
//! Smaller files use one stream and Python's `.incomplete` file, resumed with
//! `Range: bytes={len}-`.
//!
//! Before the first byte is fetched, the partial file's disk blocks are reserved
//! (`fallocate` on Linux; for `.incomplete` beyond its length, which stays the resume
//! point). A file that does not fit fails at once with [`Error::NoSpace`],
//! and the file system allocates the file in one step instead of on every write. An
//! interrupted download's partial file thus takes the whole file's space until it is
//! resumed, or discarded by a forced download of the same file.
//!
//! # When the Hub cannot be reached
//!
//! The metadata request (the `HEAD`, or a snapshot's listing) is sent once, without
//! retries. If it fails for a reason other than a missing file or revision or a
//! misconfiguration (a refused certificate or proxy), the cached file (the snapshot,
//! the existing `local_dir` file) is returned at once, as Python does, so a machine
//! without network does not wait through retries for what it has. Only when nothing
//! cached can answer and the failure may pass (a network failure, a timeout, 429 or
//! a 5xx) is the request sent again with the client's retries, which stop within
//! `etag_timeout` (10 s by default, `HF_HUB_ETAG_TIMEOUT`). A snapshot's listing still
//! waits as long as a throttling Hub asks with `Retry-After` (up to the client's
//! [`max_retry_after`](hf_http::RetryConfig::max_retry_after)); a file's `HEAD` is bound
//! by `etag_timeout` as a whole.
//!
//! # Verification
//!
//! The size is always checked. The content is hashed while it is written: the sha256
//! for LFS files (64-hex etags), the git blob sha1 for regular files (40-hex etags).
//! Parallel chunks are hashed in file order by a task that follows the contiguous
//! finished prefix and re-reads it from the page cache, so hashing overlaps the
//! transfer and memory stays bounded. A mismatch deletes the partial file and the
//! transfer is retried from scratch (twice); nothing unverified ever lands in `blobs/`.
//!
//! # Dry runs
//!
//! `.dry_run()` on either request ([`DownloadRequest::dry_run`],
//! [`SnapshotRequest::dry_run`]) answers what `.await` would do, one
//! [`DryRunFileInfo`] per file: where it would be, its size, whether it is cached and
//! whether it would be fetched. It sends the same metadata requests, fetches no
//! content and writes nothing (Python's `dry_run=True` writes refs and `local_dir`
//! metadata; ours does not).
//!
//! # Blocking work
//!
//! `hf-cache` is synchronous; every filesystem call runs off the async threads: under
//! `tokio::task::spawn_blocking`, except the folder updates of verified small files,
//! which go one after another on one file-system thread of their own (it ends after
//! half a second without work).
//!
//! # Cancel safety
//!
//! Dropping a download future stops it. Bytes already written stay in the partial file
//! and a later call resumes from them; locks are released when the future is dropped.

mod checksums;
mod dry_run;
mod file;
mod metadata;
mod patterns;
mod snapshot;
mod transfer;
mod url;
mod verify;

use std::path::PathBuf;
use std::time::Duration;

use hf_http::Token;
use hf_http::http::{HeaderName, HeaderValue};
use hf_types::RepoType;

pub use checksums::{ChecksumMismatch, FolderVerification, HashAlgorithm, VerifyRequest};
pub use dry_run::DryRunFileInfo;
pub use file::DownloadRequest;
pub use metadata::{FileMetadata, FileMetadataRequest};
pub use patterns::PatternSet;
pub use snapshot::SnapshotRequest;
pub use url::HubUrl;

use crate::error::Error;
use crate::progress::ProgressHandler;

/// How large files are split into concurrent range requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ParallelConfig {
    /// Most concurrent connections per file. Default 32: CDNs often pace each
    /// connection, so the aggregate grows with the connection count.
    pub connections: usize,
    /// Connections a file starts with. Default 16. Every 250 ms the count doubles (up to
    /// [`connections`](Self::connections)) while each doubling raised the throughput by
    /// at least 40% (20% for the one that reaches the maximum); when one did not, it
    /// goes back to the previous count. When each
    /// connection carries more than about 100 MB/s, or the first doubling did not pay,
    /// the count halves instead (down to one) while that keeps 90% of the throughput
    /// (if the first halving does not, doubling is tried). Once settled, two windows in
    /// a row below half the best throughput start the search upwards again.
    /// A paced link thus gets many connections and a fast one few.
    pub initial_connections: usize,
    /// Bytes per range request. Default 16 MiB. The first
    /// [`connections`](Self::connections) requests of a file grow to this size in equal
    /// steps (from 1 MiB at least) and the last ones shrink from it the same way, so
    /// that the connections do not all finish a chunk at the same moment: the hash,
    /// which follows the finished prefix of the file, then starts at once and has
    /// little left to do after the last byte.
    pub chunk_size: u64,
    /// Files of at least this size are fetched in parallel. Default 64 MiB.
    pub threshold: u64,
    /// Most range requests a snapshot has in flight across all its files. Default 64:
    /// up to [`max_workers`](crate::SnapshotRequest::max_workers) large files each
    /// ramping to [`connections`](Self::connections) would otherwise open hundreds of
    /// connections. Waiting requests are served in turn, so every file keeps moving.
    pub total_connections: usize,
}

impl Default for ParallelConfig {
    fn default() -> Self {
        ParallelConfig {
            connections: 32,
            initial_connections: 16,
            chunk_size: 16 << 20,
            threshold: 64 << 20,
            total_connections: 64,
        }
    }
}

impl ParallelConfig {
    /// Sets the most connections per file (at least 1).
    pub fn with_connections(mut self, n: usize) -> Self {
        self.connections = n.max(1);
        self
    }

    /// Sets the connections a file starts with (at least 1, at most
    /// [`connections`](Self::connections)).
    pub fn with_initial_connections(mut self, n: usize) -> Self {
        self.initial_connections = n.max(1);
        self
    }

    /// The connections a file starts with.
    pub(crate) fn first_connections(&self) -> usize {
        self.initial_connections.clamp(1, self.connections.max(1))
    }

    /// Sets the bytes per range request (at least 64 KiB).
    pub fn with_chunk_size(mut self, bytes: u64) -> Self {
        self.chunk_size = bytes.max(64 << 10);
        self
    }

    /// Sets the most range requests a snapshot has in flight across its files (at
    /// least 1).
    pub fn with_total_connections(mut self, n: usize) -> Self {
        self.total_connections = n.max(1);
        self
    }

    /// Sets the size from which files are fetched in parallel.
    pub fn with_threshold(mut self, bytes: u64) -> Self {
        self.threshold = bytes;
        self
    }

    /// Never split files.
    pub fn disabled() -> Self {
        ParallelConfig {
            threshold: u64::MAX,
            ..ParallelConfig::default()
        }
    }
}

/// Options shared by [`HfApi::hf_hub_download`](crate::HfApi::hf_hub_download) and
/// [`HfApi::snapshot_download`](crate::HfApi::snapshot_download), named after the
/// Python client's parameters. Both request builders have a setter for each, and
/// `.options(..)` to pass a whole set.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct DownloadOptions {
    /// `repo_type` (default model).
    pub repo_type: RepoType,
    /// `revision`: branch, tag, `refs/pr/N` or commit hash (default `main`).
    pub revision: Option<String>,
    /// `cache_dir` (default: the client's, from `HF_HUB_CACHE`).
    pub cache_dir: Option<PathBuf>,
    /// `local_dir`: plain files in this folder instead of the cache.
    pub local_dir: Option<PathBuf>,
    /// `force_download`: ignore every cached copy.
    pub force_download: bool,
    /// `etag_timeout`: limit of the metadata request (a file's `HEAD` with its retries;
    /// a snapshot's listing retries only within it). `None` (the default) takes the
    /// client's ([`HfApiBuilder::etag_timeout`](crate::HfApiBuilder::etag_timeout):
    /// `HF_HUB_ETAG_TIMEOUT`, else 10 s). Unlike Python, where a non-default
    /// `HF_HUB_ETAG_TIMEOUT` overrides even an explicit value, a value set here wins.
    pub etag_timeout: Option<Duration>,
    /// `token`: overrides the client's token.
    pub token: Option<Token>,
    /// `local_files_only`: never send a request.
    pub local_files_only: bool,
    /// Offline mode: `None` follows the client
    /// ([`HfApiBuilder::offline`](crate::HfApiBuilder::offline), default
    /// `HF_HUB_OFFLINE`). An offline client sends no request whatever this says, so
    /// `Some(false)` cannot bring one online.
    pub offline: Option<bool>,
    /// `headers`: extra headers for every request.
    pub headers: Vec<(HeaderName, HeaderValue)>,
    /// Parallel range requests for large files.
    pub parallel: ParallelConfig,
    /// Where progress events go.
    pub progress: Option<ProgressHandler>,
    /// The snapshot's budget of range requests in flight (see
    /// [`ParallelConfig::total_connections`]).
    pub(crate) range_budget: Option<std::sync::Arc<tokio::sync::Semaphore>>,
}

impl Default for DownloadOptions {
    fn default() -> Self {
        DownloadOptions {
            repo_type: RepoType::Model,
            revision: None,
            cache_dir: None,
            local_dir: None,
            force_download: false,
            etag_timeout: None,
            token: None,
            local_files_only: false,
            offline: None,
            headers: Vec::new(),
            parallel: ParallelConfig::default(),
            progress: None,
            range_budget: None,
        }
    }
}

impl DownloadOptions {
    /// Sets `repo_type`.
    pub fn with_repo_type(mut self, repo_type: RepoType) -> Self {
        self.repo_type = repo_type;
        self
    }

    /// Sets `revision`.
    pub fn with_revision(mut self, revision: impl Into<String>) -> Self {
        self.revision = Some(revision.into());
        self
    }

    /// Sets `cache_dir`.
    pub fn with_cache_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.cache_dir = Some(dir.into());
        self
    }

    /// Sets `local_dir`.
    pub fn with_local_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.local_dir = Some(dir.into());
        self
    }

    /// Sets `force_download`.
    pub fn with_force_download(mut self, force: bool) -> Self {
        self.force_download = force;
        self
    }

    /// Sets `etag_timeout`.
    pub fn with_etag_timeout(mut self, timeout: Duration) -> Self {
        self.etag_timeout = Some(timeout);
        self
    }

    /// Sets `token`.
    pub fn with_token(mut self, token: Token) -> Self {
        self.token = Some(token);
        self
    }

    /// Sets `local_files_only`.
    pub fn with_local_files_only(mut self, local_only: bool) -> Self {
        self.local_files_only = local_only;
        self
    }

    /// Sets offline mode for this download (default: the client's; `false` cannot
    /// bring an offline client online).
    pub fn with_offline(mut self, offline: bool) -> Self {
        self.offline = Some(offline);
        self
    }

    /// Adds a header to every request.
    pub fn with_header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.push((name, value));
        self
    }

    /// Sets the parallel range-request settings.
    pub fn with_parallel(mut self, parallel: ParallelConfig) -> Self {
        self.parallel = parallel;
        self
    }

    /// Sets the progress handler.
    pub fn with_progress(mut self, progress: ProgressHandler) -> Self {
        self.progress = Some(progress);
        self
    }

    /// Whether offline mode is on for a download by `api`.
    pub(crate) fn is_offline(&self, api: &crate::HfApi) -> bool {
        self.offline.unwrap_or_else(|| api.is_offline())
    }
}

/// Generates the setters of [`DownloadOptions`] on a request builder with an
/// `options` field.
macro_rules! download_option_setters {
    () => {
        /// Replaces every download option at once.
        pub fn options(mut self, options: $crate::DownloadOptions) -> Self {
            self.options = options;
            self
        }

        /// The repo type (default model).
        pub fn repo_type(mut self, repo_type: hf_types::RepoType) -> Self {
            self.options.repo_type = repo_type;
            self
        }

        /// A branch, tag, `refs/pr/N` or commit hash (default `main`).
        pub fn revision(mut self, revision: impl Into<String>) -> Self {
            self.options.revision = Some(revision.into());
            self
        }

        /// The hub cache directory (default: the client's).
        pub fn cache_dir(mut self, dir: impl Into<std::path::PathBuf>) -> Self {
            self.options.cache_dir = Some(dir.into());
            self
        }

        /// Writes plain files into this folder instead of the cache (with the
        /// `.cache/huggingface/download` metadata Python writes).
        pub fn local_dir(mut self, dir: impl Into<std::path::PathBuf>) -> Self {
            self.options.local_dir = Some(dir.into());
            self
        }

        /// Downloads again even when a cached copy exists.
        pub fn force_download(mut self, force: bool) -> Self {
            self.options.force_download = force;
            self
        }

        /// Time limit of the metadata request (default 10 s).
        pub fn etag_timeout(mut self, timeout: std::time::Duration) -> Self {
            self.options.etag_timeout = Some(timeout);
            self
        }

        /// Uses this token instead of the client's.
        pub fn token(mut self, token: hf_http::Token) -> Self {
            self.options.token = Some(token);
            self
        }

        /// Sends no request at all; only the cache answers.
        pub fn local_files_only(mut self, local_only: bool) -> Self {
            self.options.local_files_only = local_only;
            self
        }

        /// Offline mode for this download (default: the client's, see
        /// [`HfApiBuilder::offline`](crate::HfApiBuilder::offline); `false` cannot bring
        /// an offline client online).
        pub fn offline(mut self, offline: bool) -> Self {
            self.options.offline = Some(offline);
            self
        }

        /// Adds a header to every request.
        pub fn header(
            mut self,
            name: hf_http::http::HeaderName,
            value: hf_http::http::HeaderValue,
        ) -> Self {
            self.options.headers.push((name, value));
            self
        }

        /// Parallel range requests for large files.
        pub fn parallel(mut self, parallel: $crate::download::ParallelConfig) -> Self {
            self.options.parallel = parallel;
            self
        }

        /// Reports progress to this handler.
        pub fn progress(mut self, progress: $crate::progress::ProgressHandler) -> Self {
            self.options.progress = Some(progress);
            self
        }
    };
}
pub(crate) use download_option_setters;

pub(crate) use crate::fs_task::blocking;

/// Maps a cache error, telling a full disk (while writing under `dir`) apart.
pub(crate) fn cache_error(err: hf_cache::Error, dir: &std::path::Path) -> Error {
    match err {
        hf_cache::Error::Io(io)
            if matches!(
                io.kind(),
                std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded
            ) =>
        {
            Error::NoSpace {
                path: dir.to_owned(),
                source: io,
            }
        }
        other => Error::Cache(other),
    }
}

/// Maps an io error on `path`.
pub(crate) fn io_error(path: &std::path::Path, what: &str, err: std::io::Error) -> Error {
    match err.kind() {
        std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded => Error::NoSpace {
            path: path.to_owned(),
            source: err,
        },
        std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem => {
            Error::Cache(hf_cache::Error::ReadOnly {
                path: path.to_owned(),
                source: err,
            })
        }
        _ => Error::Io {
            context: format!("{what} {}", path.display()),
            source: err,
        },
    }
}

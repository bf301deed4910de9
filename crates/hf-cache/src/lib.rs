//! The Hugging Face Hub cache on disk, byte-compatible with the Python client's
//! (`huggingface_hub` 0.26.5): a file downloaded by either client is found by the other,
//! offline.
//!
//! This crate only knows the filesystem (std::fs through [`fs_err`], so io errors name
//! their path); the HTTP side of downloads lives in `hf-api`. It is synchronous: async
//! callers run it under `spawn_blocking`.
//!
//! # Layout
//!
//! ```text
//! {HF_HUB_CACHE}/                              default ~/.cache/huggingface/hub
//! ├── .locks/
//! │   └── models--{ns}--{name}/
//! │       └── {etag}.lock                      held while a blob is written
//! ├── models--{ns}--{name}/                    RepoCache (datasets--, spaces--, kernels-- alike)
//! │   ├── blobs/
//! │   │   ├── {etag}                           file content
//! │   │   └── {etag}.incomplete                partial download, resumable
//! │   ├── refs/
//! │   │   ├── main                             commit hash, no newline
//! │   │   └── refs/pr/1
//! │   ├── snapshots/
//! │   │   └── {commit}/
//! │   │       ├── config.json -> ../../blobs/{etag}
//! │   │       └── sub/w.bin -> ../../../blobs/{etag}
//! │   ├── .no_exist/
//! │   │   └── {commit}/missing.json            known to be absent at {commit}
//! │   └── trees/
//! │       └── {commit}.json                    the files at {commit} (Python 2.x; see [`tree`])
//! └── datasets--{ns}--{name}/ ...
//! ```
//!
//! [`local_dir`] describes the layout of `local_dir` downloads.
//!
//! The newest Python clients (2.x) may add two entries at the root: `CACHEDIR.TAG` (for
//! backup tools) and `blobs/`, a store of Xet file contents that repo blobs link to
//! (`models--{ns}--{name}/blobs/{etag} -> ../../blobs/ab/ab12…`), so that repos sharing
//! a file keep one copy. This crate writes neither; it reads such a cache: scans skip
//! both, count a stored content once, and deletions remove a repo's link and free the
//! content only once no other repo links to it (see [`CachedFileInfo::blob_path`]).
//!
//! # Quick start
//!
//! ```no_run
//! use hf_cache::{BlobOrigin, CachedFile, HfCache};
//! use hf_types::{CommitOid, ETag, RepoId, RepoPath, RepoType, Revision};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let cache = HfCache::from_env();
//! let id = RepoId::new("gpt2")?;
//! let file = RepoPath::new("config.json")?;
//!
//! // Offline lookup, Python's `try_to_load_from_cache`.
//! match cache.try_to_load_from_cache(RepoType::Model, &id, &file, None) {
//!     CachedFile::Found(path) => println!("cached at {}", path.display()),
//!     CachedFile::NonExistent => println!("known to be missing"),
//!     CachedFile::NotCached => println!("not cached"),
//! }
//!
//! // Storing a download (the etag and commit come from the metadata request).
//! let repo = cache.repo(RepoType::Model, &id);
//! let commit = CommitOid::new("0123456789abcdef0123456789abcdef01234567")?;
//! let etag = ETag::from_header("\"a1b2c3\"")?;
//! repo.write_ref(&Revision::main(), &commit)?;
//! let lock = repo.lock_blob(&etag)?;
//! if !lock.is_complete() {
//!     let mut partial = lock.open_incomplete()?;
//!     // resume with `Range: bytes={partial.resume_offset()}-`, write the body, then:
//!     partial.finish(None)?;
//! }
//! let pointer = repo.link_snapshot(&commit, &file, &etag, BlobOrigin::New)?;
//! drop(lock);
//! # let _ = pointer; Ok(()) }
//! ```
//!
//! # Concurrency
//!
//! Blob writes hold `.locks/{repo folder}/{etag}.lock`, the same OS lock (`flock` on
//! Unix) the Python client takes, so Rust and Python processes sharing a cache never
//! write the same blob at once. Refs and snapshot entries are replaced atomically
//! (temporary entry, then rename), so readers never see a half-written one. Temporary
//! entries are created in the repo folder itself, never in `refs/` or `snapshots/`,
//! so a crash cannot leave a stray ref for a scan to trip on.
//!
//! # Why no default lock timeout
//!
//! Another process holding a blob lock is downloading that blob, possibly for many
//! minutes; an OS lock is released by the kernel when its holder dies, so waiting
//! always ends. Like Python we wait (logging every 10 s) unless
//! [`HfCache::with_lock_timeout`] sets a bound.

mod atomic;
mod delete;
mod entry;
pub mod env;
mod error;
pub mod layout;
pub mod local_dir;
mod lock;
mod prune;
mod scan;
mod shared;
pub mod tree;

pub use atomic::in_existing_dir;
pub use delete::{DeleteCacheStrategy, DeleteFailure};
pub use entry::{BlobLock, BlobOrigin, CachedFile, HfCache, IncompleteFile, RepoCache};
pub use env::CacheLocations;
pub use error::{Error, Result};
pub use local_dir::{
    DownloadMetadata, LocalDir, LocalDownloadPaths, LocalUploadPaths, UploadMetadata, UploadMode,
};
pub use lock::{LockMode, LockedFile};
pub use prune::{PruneOutcome, PrunePlan};
pub use scan::{
    CacheInfo, CachedFileInfo, CachedIncompleteFile, CachedRepoInfo, CachedRevisionInfo,
    CorruptedCacheEntry, format_size, format_timesince,
};

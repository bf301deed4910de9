//! The crate's error type.

use std::io;
use std::path::PathBuf;
use std::time::Duration;

/// Result alias used throughout `hf-cache`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong while reading or writing the cache.
///
/// Io errors come from [`fs_err`], so their text already names the path and the
/// operation that failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A filesystem operation failed.
    #[error(transparent)]
    Io(#[from] io::Error),

    /// The cache (or local dir) cannot be written: read-only filesystem or missing
    /// permissions. Reads keep working; only writes fail.
    #[error(
        "cannot write to {path}: the cache is read-only for this user; point HF_HUB_CACHE \
         (or the cache/local dir you passed) at a writable directory, or only read from it"
    )]
    ReadOnly {
        /// The path that could not be written.
        path: PathBuf,
        /// The underlying io error.
        #[source]
        source: io::Error,
    },

    /// Another process or thread kept a lock longer than the configured timeout.
    #[error(
        "timed out after {waited:?} waiting for the lock {path}: another process is writing \
         the same file; let it finish and retry, or raise the lock timeout"
    )]
    LockTimeout {
        /// The lock file.
        path: PathBuf,
        /// How long we waited.
        waited: Duration,
    },

    /// The cache directory does not exist (scan only; writes create it).
    #[error("cache directory not found: {path}; pass the right directory or set HF_HUB_CACHE")]
    CacheNotFound {
        /// The missing directory.
        path: PathBuf,
    },

    /// The cache directory is a file.
    #[error(
        "expected a cache directory but found a file: {path}; pass a directory or set HF_HUB_CACHE"
    )]
    NotADirectory {
        /// The offending path.
        path: PathBuf,
    },

    /// An etag cannot name a blob file (see [`hf_types::ETag`] for the base rules).
    #[error("invalid etag {etag:?}: {reason}; the server response cannot be cached safely")]
    InvalidEtag {
        /// The rejected value.
        etag: String,
        /// Why.
        reason: &'static str,
    },

    /// A repo file name or revision would escape its cache folder or is not a
    /// portable relative path.
    #[error(
        "refusing to use {path:?} as a path inside the cache: {reason}; ask the repository \
         owner to rename it"
    )]
    UnsafePath {
        /// The rejected value.
        path: String,
        /// Why.
        reason: &'static str,
    },

    /// A partial download does not have the size the server announced.
    #[error("{path} has {actual} bytes but {expected} were expected; delete it and download again")]
    SizeMismatch {
        /// The incomplete file.
        path: PathBuf,
        /// The announced size.
        expected: u64,
        /// The size on disk.
        actual: u64,
    },

    /// A cache entry exists but its content is invalid (for example a ref that is not a
    /// commit hash).
    #[error("corrupted cache entry {path}: {reason}; delete it and download again")]
    Corrupted {
        /// The corrupted entry.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
}

impl Error {
    /// Maps an io error from a write to [`Error::ReadOnly`] when it means "not writable".
    pub(crate) fn from_write(path: impl Into<PathBuf>, err: io::Error) -> Error {
        if matches!(
            err.kind(),
            io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem
        ) {
            Error::ReadOnly {
                path: path.into(),
                source: err,
            }
        } else {
            Error::Io(err)
        }
    }

    /// Whether this is a lock timeout.
    pub fn is_lock_timeout(&self) -> bool {
        matches!(self, Error::LockTimeout { .. })
    }

    /// Whether the cache could not be written because it is read-only.
    pub fn is_read_only(&self) -> bool {
        matches!(self, Error::ReadOnly { .. })
    }
}

impl From<Error> for io::Error {
    fn from(err: Error) -> io::Error {
        let kind = match &err {
            Error::Io(_) => io::ErrorKind::Other,
            Error::ReadOnly { source, .. } => source.kind(),
            Error::LockTimeout { .. } => io::ErrorKind::TimedOut,
            Error::CacheNotFound { .. } => io::ErrorKind::NotFound,
            Error::NotADirectory { .. } => io::ErrorKind::NotADirectory,
            Error::InvalidEtag { .. } | Error::UnsafePath { .. } => io::ErrorKind::InvalidInput,
            Error::SizeMismatch { .. } | Error::Corrupted { .. } => io::ErrorKind::InvalidData,
        };
        match err {
            Error::Io(e) => e,
            other => io::Error::new(kind, other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_failures_for_lack_of_permission_become_read_only_errors() {
        for kind in [
            io::ErrorKind::PermissionDenied,
            io::ErrorKind::ReadOnlyFilesystem,
        ] {
            let err = Error::from_write("/cache/models--x/refs/main", io::Error::from(kind));
            assert!(err.is_read_only(), "{kind:?}");
            let msg = err.to_string();
            assert!(
                msg.contains("/cache/models--x/refs/main") && msg.contains("HF_HUB_CACHE"),
                "{msg}"
            );
            assert_eq!(
                io::Error::from(err).kind(),
                kind,
                "the io kind survives conversion"
            );
        }
        let other = Error::from_write("/x", io::Error::from(io::ErrorKind::StorageFull));
        assert!(matches!(other, Error::Io(_)));
    }
}

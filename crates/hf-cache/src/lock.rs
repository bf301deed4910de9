//! OS advisory file locks, compatible with the Python client's `filelock.FileLock`.
//!
//! Both sides use `flock(2)` on Unix (`LockFileEx` on Windows) on the same lock file
//! paths, so a Rust process and a Python process exclude each other. Lock files are
//! never deleted after use: deleting one while another process waits on it would let
//! two holders lock two different inodes.

use std::fs::TryLockError;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};

/// How often a waiter logs that it is still waiting (Python logs every 10 s too).
const LOG_EVERY: Duration = Duration::from_secs(10);
/// First and largest pause between two `try_lock` attempts.
const FIRST_BACKOFF: Duration = Duration::from_millis(1);
const MAX_BACKOFF: Duration = Duration::from_millis(100);

/// Shared (many readers) or exclusive (one writer) lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockMode {
    /// Many holders at once; excludes exclusive holders.
    Shared,
    /// A single holder.
    Exclusive,
}

/// A held lock on a lock file; released when dropped.
#[derive(Debug)]
pub struct LockedFile {
    // `None` when the filesystem does not support locks (we then proceed unlocked,
    // as the warning at acquisition says).
    file: Option<std::fs::File>,
    path: PathBuf,
}

impl LockedFile {
    /// Acquires `path` in `mode`, creating the file and its parent directories.
    ///
    /// Polls `try_lock` with exponential backoff (1 ms up to 100 ms) instead of blocking,
    /// so that `timeout` is honoured and no thread is left waiting after it fires.
    /// `None` waits as long as it takes, like the Python client (an OS lock is released
    /// by the kernel when its holder dies, so it cannot go stale). While waiting, an
    /// info event is logged every 10 seconds.
    pub fn acquire(
        path: impl Into<PathBuf>,
        mode: LockMode,
        timeout: Option<Duration>,
    ) -> Result<LockedFile> {
        let path = path.into();
        let file = open_lock_file(&path)?;
        let start = Instant::now();
        let mut backoff = FIRST_BACKOFF;
        let mut next_log = LOG_EVERY;
        loop {
            match try_lock(&file, mode) {
                Ok(()) => {
                    return Ok(LockedFile {
                        file: Some(file),
                        path,
                    });
                }
                Err(TryLockError::WouldBlock) => {}
                Err(TryLockError::Error(err)) => return unsupported_or_error(path, err),
            }
            let waited = start.elapsed();
            if let Some(timeout) = timeout {
                if waited >= timeout {
                    return Err(Error::LockTimeout { path, waited });
                }
                backoff = backoff.min(timeout.saturating_sub(waited));
            }
            if waited >= next_log {
                tracing::info!(lock = %path.display(), "still waiting to acquire lock");
                next_log += LOG_EVERY;
            }
            std::thread::sleep(backoff);
            backoff = (backoff * 2).min(MAX_BACKOFF);
        }
    }

    /// Tries once; `Ok(None)` when someone else holds the lock.
    pub fn try_acquire(path: impl Into<PathBuf>, mode: LockMode) -> Result<Option<LockedFile>> {
        let path = path.into();
        let file = open_lock_file(&path)?;
        match try_lock(&file, mode) {
            Ok(()) => Ok(Some(LockedFile {
                file: Some(file),
                path,
            })),
            Err(TryLockError::WouldBlock) => Ok(None),
            Err(TryLockError::Error(err)) => unsupported_or_error(path, err).map(Some),
        }
    }

    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for LockedFile {
    fn drop(&mut self) {
        if let Some(file) = &self.file {
            // Closing the descriptor releases the lock anyway; unlocking first makes the
            // release independent of descriptors duplicated elsewhere.
            let _ = file.unlock();
        }
    }
}

fn open_lock_file(path: &Path) -> Result<std::fs::File> {
    let parent = path.parent().unwrap_or(Path::new(""));
    let file = crate::atomic::in_existing_dir(parent, || {
        fs_err::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
    })
    .map_err(|e| Error::from_write(path, e))?;
    Ok(file.into_file())
}

fn try_lock(file: &std::fs::File, mode: LockMode) -> Result<(), TryLockError> {
    match mode {
        LockMode::Shared => file.try_lock_shared(),
        LockMode::Exclusive => file.try_lock(),
    }
}

/// Filesystems without lock support (some network mounts) answer `Unsupported` (or
/// `ENOLCK`). Python falls back to an existence-based lock there; we log a warning and
/// proceed without mutual exclusion rather than fail every download: blobs are still
/// written to `.incomplete` and size-checked before being renamed into place.
fn unsupported_or_error(path: PathBuf, err: std::io::Error) -> Result<LockedFile> {
    const ENOLCK: i32 = 37;
    let unsupported = err.kind() == std::io::ErrorKind::Unsupported
        || (cfg!(target_os = "linux") && err.raw_os_error() == Some(ENOLCK));
    if unsupported {
        tracing::warn!(
            lock = %path.display(),
            error = %err,
            "the filesystem does not support file locks; continuing without a lock, so \
             concurrent downloads of the same file into this cache are not serialized"
        );
        Ok(LockedFile { file: None, path })
    } else {
        Err(Error::Io(std::io::Error::new(
            err.kind(),
            format!("failed to lock {}: {err}", path.display()),
        )))
    }
}

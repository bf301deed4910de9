//! Download progress, reported to a handler you supply; the library itself prints
//! nothing (the `hf` CLI turns these events into progress bars).
//!
//! # When
//!
//! For each file that is actually transferred (nothing is reported for a file served
//! from the cache):
//!
//! 1. [`ProgressEvent::Start`] once, before the first byte, with the total size and the
//!    bytes already on disk from an interrupted download;
//! 2. [`ProgressEvent::Advance`] many times, as bytes reach the disk (from several
//!    tasks at once for a file fetched with parallel range requests);
//! 3. [`ProgressEvent::Done`] once the file is verified and in place. A file that fails
//!    gets no `Done`; a file whose transfer is retried from scratch (a corrupted body)
//!    gets [`ProgressEvent::Restart`].
//!
//! `snapshot_download` additionally sends [`ProgressEvent::Snapshot`] once, before any
//! file, with the number of files and bytes it may fetch.
//!
//! # Available information
//!
//! Events borrow the file's path in the repo and carry plain integers: reporting
//! allocates nothing, whatever the chunk rate.
//!
//! # Errors
//!
//! A handler cannot fail a download; it should return quickly (it runs on the
//! download's tasks).
//!
//! ```
//! use std::sync::atomic::{AtomicU64, Ordering};
//! use hf_api::progress::{Progress, ProgressEvent};
//!
//! #[derive(Debug, Default)]
//! struct Bytes(AtomicU64);
//!
//! impl Progress for Bytes {
//!     fn on_event(&self, event: ProgressEvent<'_>) {
//!         if let ProgressEvent::Advance { bytes, .. } = event {
//!             self.0.fetch_add(bytes, Ordering::Relaxed);
//!         }
//!     }
//! }
//! ```

use std::fmt;
use std::sync::Arc;

/// One step of a download; see the [module docs](self) for the sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProgressEvent<'a> {
    /// A snapshot is about to fetch up to `files` files totalling `total_bytes` (files
    /// already cached are then skipped without events).
    Snapshot {
        /// Files selected by the patterns.
        files: usize,
        /// Their total size, when the listing gave every size.
        total_bytes: Option<u64>,
    },
    /// A file transfer starts.
    Start {
        /// The file's path in the repo.
        path: &'a str,
        /// Its size in bytes.
        total: u64,
        /// Bytes already downloaded by an earlier, interrupted attempt.
        resumed: u64,
    },
    /// `bytes` more bytes of the file are on disk.
    Advance {
        /// The file's path in the repo.
        path: &'a str,
        /// Newly written bytes (not a running total).
        bytes: u64,
    },
    /// The transfer starts over from `resumed` bytes (a corrupted body was discarded);
    /// progress already reported for the file is void.
    Restart {
        /// The file's path in the repo.
        path: &'a str,
        /// Bytes still valid on disk.
        resumed: u64,
    },
    /// The file is verified and in place.
    Done {
        /// The file's path in the repo.
        path: &'a str,
    },
}

/// Receives [`ProgressEvent`]s; implement it to draw progress bars.
pub trait Progress: Send + Sync + fmt::Debug {
    /// Called for every event.
    fn on_event(&self, event: ProgressEvent<'_>);
}

/// A shared progress handler, as stored in [`DownloadOptions`](crate::DownloadOptions).
pub type ProgressHandler = Arc<dyn Progress>;

/// Sends events to an optional handler.
#[derive(Debug, Clone, Default)]
pub(crate) struct Reporter {
    handler: Option<ProgressHandler>,
}

impl Reporter {
    pub(crate) fn new(handler: Option<ProgressHandler>) -> Self {
        Reporter { handler }
    }

    pub(crate) fn emit(&self, event: ProgressEvent<'_>) {
        if let Some(h) = &self.handler {
            h.on_event(event);
        }
    }
}

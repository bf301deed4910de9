//! Uploads and commits: `create_commit`, `preupload_lfs_files`, `upload_file`,
//! `upload_folder`, `delete_file`, `delete_files`, `delete_folder`,
//! `upload_large_folder`, `create_commits_on_pr` (with [`plan_multi_commits`]), a
//! [`CommitScheduler`] and a [`BackgroundQueue`] (Python's `run_as_future`).
//!
//! Every commit runs the steps of [`hf_lfs`]: hash the additions (once, files in
//! parallel), ask the Hub how each one is stored (`preupload`), upload LFS content
//! (basic or multipart, retried), then send the NDJSON commit. Nothing holds a whole
//! file in memory.
//!
//! ```no_run
//! use hf_api::upload::{CommitOperationAdd, CommitOperationDelete};
//! # async fn demo(api: hf_api::HfApi) -> Result<(), hf_api::Error> {
//! let commit = api
//!     .create_commit(
//!         "alice/tiny",
//!         vec![
//!             CommitOperationAdd::from_path("model.safetensors", "out/model.safetensors")?.into(),
//!             CommitOperationDelete::new("old/")?.into(),
//!         ],
//!         "Replace the model",
//!     )
//!     .create_pr(true)
//!     .await?;
//! println!("{} (PR {:?})", commit.commit_url, commit.pr_num());
//! # Ok(()) }
//! ```
//!
//! # Errors
//!
//! Checked before anything is sent: an empty commit message, a path that leaves the
//! repository or writes under `.git/` ([`Error::InvalidArgument`]). Reported by the Hub:
//! a missing repository ([`Error::RepositoryNotFound`]), a `parent_commit` that is no
//! longer the branch head ([`Error::PreconditionFailed`], HTTP 412). A commit over the
//! Hub's limits fails with [`Error::CommitTooLarge`] before the commit request (files
//! are negotiated in groups, so LFS content of earlier groups may already be uploaded;
//! a later commit reuses it).
//! Failures of local reads and transfers are [`Error::Upload`] and name the file.
//!
//! # Cancel safety
//!
//! Dropping a commit future stops its transfers; LFS objects already uploaded stay on
//! the Hub (a later commit skips them) and no commit is made unless the commit request
//! was already sent.

mod background;
pub(crate) mod commit;
mod files;
pub(crate) mod folder;
mod large_folder;
mod multi_commits;
mod scheduler;

pub use background::{BackgroundQueue, JoinHandle};
pub use commit::{CreateCommitRequest, PreuploadLfsFilesRequest};
pub use files::{
    DeleteFileRequest, DeleteFilesRequest, DeleteFolderRequest, FileSource, UploadFileRequest,
};
pub use folder::{UploadFolderMultiCommitsRequest, UploadFolderRequest};
pub use large_folder::{LargeFolderReport, UploadLargeFolderRequest};
pub use multi_commits::{
    CreateCommitsOnPrRequest, MultiCommitLimits, MultiCommitPlan, plan_multi_commits,
};
pub use scheduler::{CommitScheduler, CommitSchedulerBuilder};

pub use hf_lfs::{
    CommitOperation, CommitOperationAdd, CommitOperationCopy, CommitOperationDelete, TransferEvent,
    TransferOptions,
};

use crate::error::Error;

/// Ignore patterns always added by `upload_folder`, `upload_large_folder` and the
/// scheduler: git internals and the local `.cache/huggingface/` folder.
pub const DEFAULT_IGNORE_PATTERNS: [&str; 8] = [
    ".git",
    ".git/*",
    "*/.git",
    "**/.git/**",
    ".cache/huggingface",
    ".cache/huggingface/*",
    "*/.cache/huggingface",
    "**/.cache/huggingface/**",
];

/// LFS files one commit may reference (the Hub's documented limit).
pub const MAX_LFS_FILES_PER_COMMIT: usize = 25_000;
/// Bytes of inline (regular) content one commit may carry (the Hub's documented limit).
pub const MAX_REGULAR_BYTES_PER_COMMIT: u64 = 1_000_000_000;

impl From<hf_lfs::Error> for Error {
    fn from(e: hf_lfs::Error) -> Self {
        match e {
            hf_lfs::Error::InvalidPath { .. }
            | hf_lfs::Error::InvalidCommit(_)
            | hf_lfs::Error::NotAFile { .. } => Error::InvalidArgument {
                message: e.to_string(),
                source: Some(Box::new(e)),
            },
            // Typed Hub answers (missing repo, 412, auth) keep their own variant; the
            // transfer context is in the logs.
            hf_lfs::Error::Http { source, .. } if is_typed(&source) => Error::from(source),
            other => Error::Upload(Box::new(other)),
        }
    }
}

/// Whether a Hub answer has its own [`Error`] variant worth more than the upload step's
/// context (the step is still logged).
fn is_typed(e: &hf_http::Error) -> bool {
    use hf_http::ErrorKind as K;
    matches!(
        e.kind(),
        K::RepositoryNotFound
            | K::RevisionNotFound
            | K::EntryNotFound
            | K::GatedRepo
            | K::DisabledRepo
            | K::Unauthorized
            | K::Forbidden
            | K::Conflict
            | K::BadRequest
    ) || e.status() == Some(http::StatusCode::PRECONDITION_FAILED)
}

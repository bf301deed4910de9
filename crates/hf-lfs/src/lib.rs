//! Uploads to the Hub: commit operations (add, delete, copy), sha256 hashing, upload-mode
//! negotiation (preupload), LFS batch transfers (basic and multipart) and the NDJSON
//! commit payload.

mod batch;
mod body;
mod commit;
mod error;
mod hash;
mod json;
mod operation;
mod preupload;
mod source;
mod target;
mod transfer;

pub use batch::{LFS_BATCH_SIZE, upload_lfs_objects};
pub use commit::{CommitHeader, CommitPayload, PayloadStream, send_commit};
pub use error::{Error, LfsObjectError, Result};
pub use hash::{
    SAMPLE_SIZE, git_blob_sha1, hash_additions, hash_additions_blocking, hash_source, hash_sources,
    sha256,
};
pub use operation::{
    AddSource, CommitOperation, CommitOperationAdd, CommitOperationCopy, CommitOperationDelete,
    CopySource, UploadInfo, UploadMode, normalize_path_in_repo,
};
pub use preupload::{PREUPLOAD_BATCH_SIZE, preupload};
pub use target::UploadTarget;
pub use transfer::TransferOptions;

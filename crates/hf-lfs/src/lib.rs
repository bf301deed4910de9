//! Uploads to the Hub: commit operations (add, delete, copy), sha256 hashing, upload-mode
//! negotiation (preupload), LFS batch transfers (basic and multipart) and the NDJSON
//! commit payload.

mod commit;
mod error;
mod hash;
mod json;
mod operation;
mod source;

pub use commit::{CommitHeader, CommitPayload, PayloadStream, commit_query};
pub use error::{Error, LfsObjectError, Result};
pub use hash::{
    SAMPLE_SIZE, git_blob_sha1, hash_additions, hash_additions_blocking, hash_source, hash_sources,
    sha256,
};
pub use operation::{
    AddSource, CommitOperation, CommitOperationAdd, CommitOperationCopy, CommitOperationDelete,
    CopySource, UploadInfo, UploadMode, normalize_path_in_repo,
};

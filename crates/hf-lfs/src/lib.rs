//! Uploads to the Hugging Face Hub: commit operations, hashing, upload-mode negotiation,
//! LFS transfers and the NDJSON commit request.
//!
//! This is the layer under `hf-api`'s `create_commit`, `upload_file` and `upload_folder`.
//! Use it directly to drive a commit step by step (for example to hash once and commit
//! several times, or to upload LFS objects ahead of the commit).
//!
//! # The steps of a commit
//!
//! 1. Build [`CommitOperation`]s: [`CommitOperationAdd`] (from a path, bytes or a
//!    seekable reader), [`CommitOperationDelete`] (file or folder),
//!    [`CommitOperationCopy`]. Paths are normalised as the Python client does
//!    ([`normalize_path_in_repo`]).
//! 2. [`hash_additions`]: size, sha256 and the 512-byte sample of every addition, in one
//!    pass over each file, files in parallel on the blocking pool.
//! 3. [`preupload`]: the Hub says, per file, `regular` (inline) or `lfs`, whether it is
//!    git-ignored, and whether it is unchanged. 256 files per request.
//! 4. [`upload_lfs_objects`]: the LFS batch API (256 objects per request), then a basic
//!    transfer (one streamed `PUT`) or a multipart transfer (parts in parallel, each
//!    retried, then a completion call) per object, then verification if asked.
//! 5. [`send_commit`] (or [`CommitPayload`] to send it yourself): the NDJSON payload,
//!    streamed, with regular files base64-encoded on the fly.
//!
//! Copies need their source looked up first (`paths-info`, and a download for regular
//! files), which is the facade's job: it then calls [`CommitOperationCopy::resolve`].
//!
//! ```no_run
//! use hf_lfs::{
//!     CommitHeader, CommitOperation, CommitOperationAdd, CommitOperationDelete,
//!     TransferOptions, UploadTarget,
//! };
//! use hf_types::{RepoId, RepoType};
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let client = hf_http::HubClient::builder("https://huggingface.co")
//!     .token(hf_http::Token::new("hf_..."))
//!     .build()?;
//! let target = UploadTarget::new(RepoType::Model, RepoId::new("alice/tiny")?);
//! let mut ops: Vec<CommitOperation> = vec![
//!     CommitOperationAdd::from_path("model.safetensors", "out/model.safetensors")?.into(),
//!     CommitOperationAdd::from_bytes("README.md", "# tiny\n")?.into(),
//!     CommitOperationDelete::new("old-checkpoints/")?.into(),
//! ];
//! hf_lfs::hash_additions(&mut ops).await?;
//! hf_lfs::preupload(&client, &target, &mut ops, None).await?;
//! hf_lfs::upload_lfs_objects(&client, &target, &mut ops, &TransferOptions::default()).await?;
//! let all_unchanged = ops
//!     .iter()
//!     .all(|op| op.as_add().is_some_and(|a| a.is_unchanged()));
//! if !all_unchanged {
//!     let commit = hf_lfs::send_commit(&client, &target, &CommitHeader::new("Add model"), &ops).await?;
//!     println!("{}", commit.commit_url);
//! }
//! # Ok(()) }
//! ```
//!
//! # Memory
//!
//! Nothing holds a whole file. Hashing reads 2 MiB blocks; basic transfers, multipart
//! parts and the commit payload stream 2 MiB blocks from the source, so an upload holds
//! about two blocks per request in flight (at most `max_concurrent_requests` of them,
//! see [`TransferOptions`]); the blocks are reused once sent. Retries read the content
//! again from the source.
//!
//! # Credentials
//!
//! All requests go through an `hf_http::HubClient`, whose auth layer adds the token only
//! for the endpoint's origin: pre-signed storage URLs (part and basic uploads, usually on
//! another host) never receive it.
//!
//! # Cancel safety
//!
//! Dropping a future of this crate cancels its requests and aborts its spawned
//! transfers. An LFS object whose upload was cut may be incomplete on the storage side;
//! the operation is not marked uploaded, so the next attempt uploads it again.

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
pub use commit::{CommitHeader, CommitPayload, PayloadStream, create_commit, send_commit};
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
pub use transfer::{TransferEvent, TransferOptions};

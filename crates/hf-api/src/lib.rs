//! A Rust client for the Hugging Face Hub: `HfApi` with the Python client's methods,
//! downloads into the shared cache, uploads and commits, and a blocking mirror.
//!
//! # Quick start
//!
//! ```no_run
//! # async fn demo() -> Result<(), hf_api::Error> {
//! let api = hf_api::HfApi::builder().build()?; // HF_ENDPOINT, HF_TOKEN, ... as in Python
//! let me = api.whoami().await?;
//! println!("hello, {}", me.name);
//! # Ok(()) }
//! ```
//!
//! Every method returns a request builder: required arguments are positional, optional
//! ones are builder methods, and awaiting the builder sends the request (its future is
//! boxed, `Send` and `'static`, so it can be spawned).
//!
//! Listings (`list_models`, `list_repo_tree`, ...) are lazy [`Stream`](futures_util::Stream)s
//! that follow the Hub's pagination; see [`Listing`]. The methods are grouped by area in
//! [`api`].
//!
//! # Features
//!
//! | feature | default | what it adds |
//! |---|---|---|
//! | `blocking` | no | `hf_api::blocking::HfApi`: every method for synchronous code (`.send()` instead of `.await`, iterators instead of streams), on a dedicated runtime thread |
//!
//! # Configuration
//!
//! [`HfApi::builder`] reads the same environment variables as the Python client (see
//! [`config`]); [`HfApiBuilder::new`] reads none. Extra tower layers and a custom
//! transport plug in with [`HfApiBuilder::layer`] and [`HfApiBuilder::transport`].
//!
//! # Errors
//!
//! [`Error`] has the Hub's typed cases as variants ([`Error::RepositoryNotFound`],
//! [`Error::GatedRepo`], ...) and answers [`Error::status`], [`Error::request_id`] and
//! [`Error::is_not_found`]. Messages say what to do next.
//!
//! # Cancel safety
//!
//! Dropping a request future cancels the request; a request already sent may still take
//! effect on the Hub.
//!
//! # Layers
//!
//! The layer crates are re-exported: [`http`] (`hf-http`, the tower stack) and [`types`]
//! (`hf-types`, the payloads).

pub mod api;
#[cfg(feature = "blocking")]
pub mod blocking;
mod client;
pub mod config;
pub mod download;
mod error;
mod fs_task;
pub mod progress;
mod request;
pub mod upload;

pub use api::Listing;
pub use api::info::RepoInfo;
pub use api::users::WhoAmIRequest;
pub use client::{HfApi, HfApiBuilder};
pub use download::{
    ChecksumMismatch, DownloadOptions, DownloadRequest, DryRunFileInfo, FileMetadata,
    FileMetadataRequest, FolderVerification, HashAlgorithm, HubUrl, ParallelConfig,
    SnapshotRequest, VerifyRequest,
};
pub use error::{Error, HttpError};
pub use hf_http::{Token, TokenSource};
pub use request::BoxFuture;
pub use upload::{BackgroundQueue, CommitOperation, FileSource};

/// How many worker threads suit a tokio runtime that mostly runs transfers: one fewer
/// than the cores, and at least one. The `hf` CLI builds its runtime this way.
///
/// Downloads and uploads hash and write files on threads of their own (tokio's
/// blocking pool). With a worker per core, the network workers share every core with
/// those threads, and the sha256 that the end of a download waits for gets a fraction
/// of one. On 2 cores, a 2 GiB download over 32 paced connections took 5% longer with
/// 2 workers than with 1; unpaced and small-file downloads took the same time.
///
/// ```
/// let runtime = tokio::runtime::Builder::new_multi_thread()
///     .worker_threads(hf_api::runtime_worker_threads())
///     .enable_all()
///     .build()?;
/// # drop(runtime);
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn runtime_worker_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().saturating_sub(1).max(1))
}

/// The transport layers (`hf-http`).
pub use hf_http as http;
/// The Hub's data types (`hf-types`).
pub use hf_types as types;

/// The README's examples, compiled (not run) as doctests so they cannot go stale.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;

//! Plain data of the Hugging Face Hub: repo ids, repo types, revisions and every payload
//! the Hub API returns. Serde only: no I/O, no HTTP, no async runtime.
//!
//! Identifiers are validated newtypes ([`RepoId`], [`Revision`], [`CommitOid`],
//! [`RepoPath`], [`LfsOid`], [`ETag`]) with one checking constructor each, so a value
//! that exists is safe to put in a URL or under a cache directory.

mod encode;
mod oid;
mod path;
mod repo;
mod revision;
mod time;

pub use oid::{ETag, InvalidETag, InvalidLfsOid, LfsOid};
pub use path::{InvalidRepoPath, RepoPath, RepoPathRule};
pub use repo::{InvalidRepoId, InvalidRepoType, RepoId, RepoIdRule, RepoType};
pub use revision::{CommitOid, InvalidCommitOid, InvalidRevision, Revision};
pub use time::{InvalidTimestamp, Timestamp};

//! Plain data of the Hugging Face Hub: repo ids, repo types, revisions and every payload
//! the Hub API returns. Serde only: no I/O, no HTTP, no async runtime.
//!
//! Identifiers are validated newtypes ([`RepoId`], [`Revision`], [`CommitOid`],
//! [`RepoPath`], [`LfsOid`], [`ETag`]) with one checking constructor each, so a value
//! that exists is safe to put in a URL or under a cache directory.
//!
//! Payload types ([`ModelInfo`], [`RepoTreeEntry`], [`CommitInfo`], [`WhoAmI`], ...)
//! follow the Hub's field names, ignore unknown fields, make every field the Hub may
//! omit optional, and keep unknown values of open-ended string enums (Space stages,
//! hardware, statuses, ...) in an `Unknown(String)` case, so a new Hub field or value
//! never breaks parsing.
//!
//! ```
//! let info: hf_types::ModelInfo =
//!     serde_json::from_str(r#"{"id": "gpt2", "gated": false, "unknownKey": 1}"#)?;
//! assert_eq!(info.id, "gpt2");
//! assert!(info.siblings.is_none());
//! # Ok::<(), serde_json::Error>(())
//! ```

mod de;
mod encode;
mod models;
mod oid;
mod open_enum;
mod path;
mod repo;
mod revision;
mod time;
mod uri;

pub use de::{OneOrMany, SecretString};
pub use models::*;
pub use oid::{ETag, InvalidETag, InvalidLfsOid, LfsOid};
pub use path::{InvalidRepoPath, RepoPath, RepoPathRule};
pub use repo::{
    InvalidRepoId, InvalidRepoType, InvalidRepoUrl, RepoId, RepoIdRule, RepoType, RepoUrl,
};
pub use revision::{CommitOid, InvalidCommitOid, InvalidRevision, Revision};
pub use time::{InvalidTimestamp, Timestamp};
pub use uri::{HfUri, InvalidHfUri};

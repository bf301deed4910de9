//! The one error type of the upload layer.

use std::io;
use std::path::PathBuf;

use http::StatusCode;

/// Everything that can go wrong while preparing or uploading a commit.
///
/// Variants that concern one file name it (`path_in_repo`); network failures keep the
/// transport error as their `source()`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A `path_in_repo` was rejected before anything was sent.
    #[error("invalid path_in_repo {path:?}: {reason}")]
    InvalidPath {
        /// The path as given.
        path: String,
        /// Which rule it broke.
        reason: String,
    },

    /// A local path given to [`CommitOperationAdd::from_path`](crate::CommitOperationAdd::from_path)
    /// is not an existing regular file.
    #[error("{path:?} is not a file on the local file system; pass a path to an existing file")]
    NotAFile {
        /// The local path.
        path: PathBuf,
    },

    /// Reading the content of an addition failed.
    #[error("could not read the content of {path_in_repo:?}")]
    Read {
        /// The addition whose content could not be read.
        path_in_repo: String,
        /// The underlying I/O error (it names the local file when there is one).
        #[source]
        source: io::Error,
    },

    /// The content of an addition changed between hashing and uploading.
    #[error(
        "the content of {path_in_repo:?} changed after it was hashed (expected {expected} bytes); \
         do not modify files while they are being uploaded, then retry"
    )]
    ContentChanged {
        /// The addition.
        path_in_repo: String,
        /// The size measured when hashing.
        expected: u64,
    },

    /// An operation was used before the step that fills it in (hashing, preupload, or
    /// resolving a copy source).
    #[error("{path_in_repo:?}: {missing}")]
    NotPrepared {
        /// The operation's path.
        path_in_repo: String,
        /// What is missing and which function provides it.
        missing: &'static str,
    },

    /// The commit arguments are invalid (empty summary, bad parent commit, ...).
    #[error("invalid commit: {0}")]
    InvalidCommit(String),

    /// A request (preupload, LFS batch, part upload, completion, verify, commit) failed.
    #[error("{what} failed")]
    Http {
        /// Which call failed, e.g. `"preupload request"` or `"upload of part 3"`.
        what: String,
        /// The transport or Hub error (status, Hub error code, request id, redacted URL).
        #[source]
        source: hf_http::Error,
    },
    /// A response did not have the expected shape.
    #[error("malformed response to the {what}: {detail}")]
    MalformedResponse {
        /// Which call answered.
        what: String,
        /// What was wrong.
        detail: String,
    },

    /// The LFS batch endpoint reported errors for some objects.
    #[error(
        "the LFS batch endpoint returned errors:{}",
        format_batch_errors(errors)
    )]
    LfsBatch {
        /// One entry per rejected object.
        errors: Vec<LfsObjectError>,
    },

    /// Uploading the LFS object of one file failed.
    #[error("uploading {path_in_repo:?} (LFS oid {oid}) failed")]
    Upload {
        /// The file whose upload failed.
        path_in_repo: String,
        /// Its sha256.
        oid: String,
        /// What went wrong.
        #[source]
        source: Box<Error>,
    },
}

/// One object the LFS batch endpoint refused, see [`Error::LfsBatch`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LfsObjectError {
    /// The file in the commit, when it could be matched to the object.
    pub path_in_repo: Option<String>,
    /// The object's sha256.
    pub oid: String,
    /// The error code the server gave.
    pub code: i64,
    /// The server's message.
    pub message: String,
}

fn format_batch_errors(errors: &[LfsObjectError]) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    for e in errors {
        let _ = write!(out, "\n  ");
        if let Some(p) = &e.path_in_repo {
            let _ = write!(out, "{p:?} ");
        }
        let _ = write!(out, "(oid {}): {} (code {})", e.oid, e.message, e.code);
    }
    out
}

impl Error {
    pub(crate) fn invalid_path(path: &str, reason: impl Into<String>) -> Self {
        Error::InvalidPath {
            path: path.to_owned(),
            reason: reason.into(),
        }
    }

    pub(crate) fn malformed(what: &str, detail: impl Into<String>) -> Self {
        Error::MalformedResponse {
            what: what.to_owned(),
            detail: detail.into(),
        }
    }

    /// The HTTP status behind this error, if it came from a response.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Http { source, .. } => source.status(),
            Error::Upload { source, .. } => source.status(),
            _ => None,
        }
    }

    /// The transport error behind this error, if any (to reach the Hub's error code,
    /// request id and server message).
    pub fn http_error(&self) -> Option<&hf_http::Error> {
        match self {
            Error::Http { source, .. } => Some(source),
            Error::Upload { source, .. } => source.http_error(),
            _ => None,
        }
    }

    pub(crate) fn http(what: impl Into<String>, source: hf_http::Error) -> Self {
        Error::Http {
            what: what.into(),
            source,
        }
    }
}

/// A result with the upload layer's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The URL without its query string and fragment: pre-signed upload URLs carry their
/// signature there, and it must not reach logs or error messages.
pub(crate) fn redact_url(url: &str) -> String {
    match url.find(['?', '#']) {
        Some(i) => format!("{}?<redacted>", &url[..i]),
        None => url.to_owned(),
    }
}

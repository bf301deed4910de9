//! The error of `hf-api`.

use http::StatusCode;

/// The transport-level error, with status, request id and server message.
pub use hf_http::Error as HttpError;

/// Everything that can go wrong in `hf-api`.
///
/// The Hub's typed cases are variants you can match; each holds the
/// [`HttpError`] with the details (status, request id, server message, URL). `Display`
/// says what to do next; the source chain is intact and never repeated in the text.
///
/// ```
/// # fn demo(err: hf_api::Error) {
/// match &err {
///     hf_api::Error::RepositoryNotFound(e) => eprintln!("no such repo ({:?})", e.request_id()),
///     e if e.is_not_found() => eprintln!("not found"),
///     e => eprintln!("{e}"),
/// }
/// # }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The repository does not exist, is private, or needs authentication.
    #[error(transparent)]
    RepositoryNotFound(HttpError),
    /// The repository is gated and this account has no access.
    #[error(transparent)]
    GatedRepo(HttpError),
    /// The branch, tag or commit does not exist.
    #[error(transparent)]
    RevisionNotFound(HttpError),
    /// The file does not exist at this revision.
    #[error(transparent)]
    EntryNotFound(HttpError),
    /// Access to the repository was disabled.
    #[error(transparent)]
    DisabledRepo(HttpError),
    /// HTTP 400.
    #[error(transparent)]
    BadRequest(HttpError),
    /// HTTP 401 not about a repository: the token is missing, invalid or expired.
    #[error(transparent)]
    Unauthorized(HttpError),
    /// HTTP 403: the token lacks the permission.
    #[error(transparent)]
    Forbidden(HttpError),
    /// HTTP 409: already exists, or an operation is in progress.
    #[error(transparent)]
    Conflict(HttpError),
    /// The response was not the expected JSON (the message names the JSON path).
    #[error(transparent)]
    Decode(HttpError),
    /// Any other HTTP status, timeout or network failure.
    #[error(transparent)]
    Http(HttpError),
    /// The client could not be configured (endpoint, TLS roots, ...).
    #[error(transparent)]
    Config(HttpError),
    /// The file is not in the local cache, and the Hub could not be asked or did not
    /// answer (`local_files_only`, a network failure, ...). The source, if any, is why
    /// the Hub could not help.
    #[error("{message}")]
    LocalEntryNotFound {
        /// What was looked for and what to do.
        message: String,
        /// Why the Hub was not reachable, if it was asked.
        #[source]
        source: Option<Box<Error>>,
    },
    /// Offline mode (`HF_HUB_OFFLINE`, or a client built with
    /// [`offline(true)`](crate::HfApiBuilder::offline)) forbids the request, and the cache
    /// cannot answer. Nothing was sent.
    #[error("{message}")]
    OfflineMode {
        /// What was needed and what to do.
        message: String,
    },
    /// The cache or `local_dir` could not be read or written (read-only directory,
    /// lock timeout, ...).
    #[error(transparent)]
    Cache(#[from] hf_cache::Error),
    /// The disk is full.
    #[error(
        "no space left on the device while writing {}: free some space, or point \
         HF_HUB_CACHE (or `cache_dir`/`local_dir`) at a larger disk", path.display()
    )]
    NoSpace {
        /// The file being written.
        path: std::path::PathBuf,
        /// The io error.
        #[source]
        source: std::io::Error,
    },
    /// A local filesystem operation failed (outside the cache's own checks).
    #[error("{context}")]
    Io {
        /// What was being done, and on which path.
        context: String,
        /// The io error.
        #[source]
        source: std::io::Error,
    },
    /// Downloaded content did not match its size or checksum, even after retrying.
    #[error("{message}")]
    Integrity {
        /// Which file, what was expected and what arrived.
        message: String,
    },
    /// The Hub answered something that cannot be used safely (a file path that would
    /// leave the target folder, a missing header, ...).
    #[error("{message}")]
    InvalidResponse {
        /// What is wrong and what to do.
        message: String,
    },
    /// An Inference Endpoint ended in a failed state while being waited for (Python's
    /// `InferenceEndpointError`).
    #[error("{message}")]
    InferenceEndpointFailed {
        /// Which endpoint, its message and what to do.
        message: String,
    },
    /// Waiting for an Inference Endpoint took longer than allowed (Python's
    /// `InferenceEndpointTimeoutError`).
    #[error("{message}")]
    InferenceEndpointTimeout {
        /// Which endpoint, its last state and what to do.
        message: String,
    },
    /// A safetensors header could not be read: too big, truncated or not the expected
    /// JSON.
    #[error("cannot parse the safetensors header of {file}: {message}")]
    SafetensorsParsing {
        /// The file in the repo.
        file: String,
        /// What is wrong.
        message: String,
    },
    /// The repo has neither `model.safetensors` nor `model.safetensors.index.json`.
    #[error(
        "{repo_id} is not a safetensors repo: it has neither model.safetensors nor model.safetensors.index.json at this revision"
    )]
    NotASafetensorsRepo {
        /// The repo.
        repo_id: String,
    },
    /// HTTP 412: the branch moved since the `parent_commit` given to a commit (someone
    /// else committed). Nothing was committed: refresh the head and try again.
    #[error(transparent)]
    PreconditionFailed(HttpError),
    /// An upload step failed (reading a local file, the LFS batch API, a transfer, a
    /// malformed answer); the source says which file and which call.
    #[error(transparent)]
    Upload(Box<hf_lfs::Error>),
    /// A commit would exceed the Hub's limits (number of LFS files, size of the inline
    /// payload); nothing was committed. Split it into several commits or use
    /// `upload_large_folder`.
    #[error("{message}")]
    CommitTooLarge {
        /// Which limit, the actual value, and what to do.
        message: String,
    },
    /// A multi-commit pull request ([`HfApi::create_commits_on_pr`](crate::HfApi::create_commits_on_pr))
    /// is not in the state its plan expects: its comment lists other steps, or other
    /// commits were pushed to it. Nothing more was pushed; close it to start over.
    #[error("{message}")]
    MultiCommit {
        /// What does not match, and what to do.
        message: String,
    },
    /// The blocking API's runtime thread could not run the request (it could not start,
    /// or the request panicked).
    #[error("{message}")]
    BlockingRuntime {
        /// What happened and what to do.
        message: String,
    },
    /// An argument was rejected before anything was sent.
    #[error("invalid argument: {message}")]
    InvalidArgument {
        /// What is wrong and how to fix it.
        message: String,
        /// The underlying validation error, if any.
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
    },
}

impl Error {
    /// The [`HttpError`] behind this error, if it came from the transport.
    pub fn http(&self) -> Option<&HttpError> {
        match self {
            Error::RepositoryNotFound(e)
            | Error::GatedRepo(e)
            | Error::RevisionNotFound(e)
            | Error::EntryNotFound(e)
            | Error::DisabledRepo(e)
            | Error::BadRequest(e)
            | Error::Unauthorized(e)
            | Error::Forbidden(e)
            | Error::Conflict(e)
            | Error::Decode(e)
            | Error::Http(e)
            | Error::Config(e)
            | Error::PreconditionFailed(e) => Some(e),
            Error::Upload(e) => e.http_error(),
            Error::LocalEntryNotFound { .. }
            | Error::CommitTooLarge { .. }
            | Error::OfflineMode { .. }
            | Error::Cache(_)
            | Error::NoSpace { .. }
            | Error::Io { .. }
            | Error::Integrity { .. }
            | Error::InvalidResponse { .. }
            | Error::InferenceEndpointFailed { .. }
            | Error::InferenceEndpointTimeout { .. }
            | Error::SafetensorsParsing { .. }
            | Error::NotASafetensorsRepo { .. }
            | Error::BlockingRuntime { .. }
            | Error::MultiCommit { .. }
            | Error::InvalidArgument { .. } => None,
        }
    }

    /// The HTTP status, when the Hub answered with an error status.
    pub fn status(&self) -> Option<StatusCode> {
        self.http()?.status()
    }

    /// The Hub's request id, for support requests.
    pub fn request_id(&self) -> Option<&str> {
        self.http()?.request_id()
    }

    /// Whether a repository, revision, file or other resource was not found (a gated repo
    /// exists, so it is not).
    pub fn is_not_found(&self) -> bool {
        // A file missing from the local cache is "not found" too, as in Python
        // (`LocalEntryNotFoundError` is an `EntryNotFoundError`).
        matches!(self, Error::LocalEntryNotFound { .. })
            || self.http().is_some_and(HttpError::is_not_found)
    }

    /// Whether a timeout caused this.
    pub fn is_timeout(&self) -> bool {
        self.http().is_some_and(HttpError::is_timeout)
    }

    /// Whether trying again later may succeed: the request failed on the network, timed
    /// out, or got 429 or a 5xx (after the client's own retries), including a download
    /// that found nothing cached for that reason. A missing repo or file, a refused
    /// token or bad input is not transient.
    ///
    /// ```
    /// # async fn demo(api: hf_api::HfApi) -> Result<(), hf_api::Error> {
    /// let path = loop {
    ///     match api.hf_hub_download("gpt2", "config.json").await {
    ///         Err(e) if e.is_transient() => {
    ///             tokio::time::sleep(std::time::Duration::from_secs(30)).await;
    ///         }
    ///         other => break other?,
    ///     }
    /// };
    /// # let _ = path; Ok(()) }
    /// ```
    pub fn is_transient(&self) -> bool {
        match self {
            Error::LocalEntryNotFound {
                source: Some(source),
                ..
            } => source.is_transient(),
            _ => self.http().is_some_and(HttpError::is_transient),
        }
    }

    /// The [`HttpError`] behind this error, by value; `Err(self)` when there is none.
    pub fn into_http(self) -> Result<HttpError, Self> {
        match self {
            Error::RepositoryNotFound(e)
            | Error::GatedRepo(e)
            | Error::RevisionNotFound(e)
            | Error::EntryNotFound(e)
            | Error::DisabledRepo(e)
            | Error::BadRequest(e)
            | Error::Unauthorized(e)
            | Error::Forbidden(e)
            | Error::Conflict(e)
            | Error::Decode(e)
            | Error::Http(e)
            | Error::Config(e)
            | Error::PreconditionFailed(e) => Ok(e),
            other => Err(other),
        }
    }

    #[allow(dead_code)] // for request builders that validate their arguments
    pub(crate) fn invalid_argument(
        message: impl Into<String>,
        source: impl Into<Option<Box<dyn std::error::Error + Send + Sync + 'static>>>,
    ) -> Self {
        Error::InvalidArgument {
            message: message.into(),
            source: source.into(),
        }
    }
}

impl Error {
    pub(crate) fn safetensors_parsing(file: &str, message: impl Into<String>) -> Self {
        Error::SafetensorsParsing {
            file: file.to_owned(),
            message: message.into(),
        }
    }
}

impl From<HttpError> for Error {
    fn from(e: HttpError) -> Self {
        use hf_http::ErrorKind as K;
        if e.kind() == K::InvalidRequest
            && let Some(offline) = find_source::<crate::client::OfflineRequest>(&e)
        {
            return Error::OfflineMode {
                message: offline.to_string(),
            };
        }
        match e.kind() {
            K::RepositoryNotFound => Error::RepositoryNotFound(e),
            K::GatedRepo => Error::GatedRepo(e),
            K::RevisionNotFound => Error::RevisionNotFound(e),
            K::EntryNotFound => Error::EntryNotFound(e),
            K::DisabledRepo => Error::DisabledRepo(e),
            K::BadRequest => Error::BadRequest(e),
            K::Unauthorized => Error::Unauthorized(e),
            K::Forbidden => Error::Forbidden(e),
            K::Conflict => Error::Conflict(e),
            K::Decode => Error::Decode(e),
            K::Config => Error::Config(e),
            _ if e.status() == Some(http::StatusCode::PRECONDITION_FAILED) => {
                Error::PreconditionFailed(e)
            }
            _ => Error::Http(e),
        }
    }
}

/// The first error of type `T` in the source chain of `err`.
fn find_source<'a, T: std::error::Error + 'static>(
    err: &'a (dyn std::error::Error + 'static),
) -> Option<&'a T> {
    let mut cur = err.source();
    while let Some(e) = cur {
        if let Some(found) = e.downcast_ref::<T>() {
            return Some(found);
        }
        cur = e.source();
    }
    None
}

impl From<Error> for std::io::Error {
    fn from(e: Error) -> Self {
        match e.into_http() {
            Ok(http) => http.into(),
            Err(other) => std::io::Error::new(std::io::ErrorKind::InvalidInput, other),
        }
    }
}

//! The one error type of this crate.

use std::error::Error as StdError;
use std::fmt;
use std::time::Duration;

use http::{Method, StatusCode, Uri};

use crate::redact::RedactedUrl;

/// A boxed error, as carried by `source()` and accepted from custom transports and layers.
pub type BoxError = Box<dyn StdError + Send + Sync + 'static>;

/// What went wrong, as a matchable category.
///
/// The first group are typed Hub failures (an HTTP response with an error status, mapped
/// with the Hub's `X-Error-Code` rules); the second group are failures to get a usable
/// response at all.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The repository does not exist, is private, or needs authentication
    /// (`X-Error-Code: RepoNotFound`, or a 401 on a repo URL).
    RepositoryNotFound,
    /// The repository is gated and this account was not granted access
    /// (`X-Error-Code: GatedRepo`).
    GatedRepo,
    /// The branch, tag or commit does not exist (`X-Error-Code: RevisionNotFound`).
    RevisionNotFound,
    /// The file does not exist at this revision (`X-Error-Code: EntryNotFound`).
    EntryNotFound,
    /// Access to the repository was disabled (`X-Error-Message: Access to this resource is disabled.`).
    DisabledRepo,
    /// HTTP 400.
    BadRequest,
    /// HTTP 401 that is not about a repository: missing, expired or invalid token.
    Unauthorized,
    /// HTTP 403: the token lacks the permission.
    Forbidden,
    /// HTTP 409: the resource already exists or an operation is in progress.
    Conflict,
    /// Any other HTTP error status (see [`Error::status`]).
    Http,
    /// The connection, an attempt or the whole request timed out.
    Timeout,
    /// No connection could be made; the request was never sent.
    Connect,
    /// The connection failed after the request may have been sent.
    Transport,
    /// Reading the response body failed.
    Body,
    /// The response body was not the expected JSON.
    Decode,
    /// More redirects than the configured limit.
    TooManyRedirects,
    /// The request could not be built (bad URL, bad header value, ...).
    InvalidRequest,
    /// The client could not be configured (TLS roots, endpoint, ...).
    Config,
}

impl ErrorKind {
    /// Whether this kind is a typed Hub failure (an HTTP error status).
    pub fn is_hub(self) -> bool {
        matches!(
            self,
            ErrorKind::RepositoryNotFound
                | ErrorKind::GatedRepo
                | ErrorKind::RevisionNotFound
                | ErrorKind::EntryNotFound
                | ErrorKind::DisabledRepo
                | ErrorKind::BadRequest
                | ErrorKind::Unauthorized
                | ErrorKind::Forbidden
                | ErrorKind::Conflict
                | ErrorKind::Http
        )
    }
}

/// What the Hub said in an error response.
#[non_exhaustive]
#[derive(Debug, Clone)]
pub struct HubErrorContext {
    /// The HTTP status.
    pub status: StatusCode,
    /// The `X-Error-Code` header, if any.
    pub error_code: Option<String>,
    /// The server's message: `X-Error-Message`, then the JSON `error`/`errors`, or the
    /// plain-text body, de-duplicated and joined with newlines.
    pub server_message: Option<String>,
    /// `X-Request-Id`, or `X-Amzn-Trace-Id` when the former is absent.
    pub request_id: Option<String>,
    /// The URL that answered (after redirects), redacted.
    pub url: RedactedUrl,
}

/// How many times a request was retried before this outcome, and for how long.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryStats {
    /// Retries performed (attempts minus one).
    pub retries: u32,
    /// Time from the first attempt to the final outcome.
    pub elapsed: Duration,
}

impl RetryStats {
    /// Builds the statistics.
    pub fn new(retries: u32, elapsed: Duration) -> Self {
        RetryStats { retries, elapsed }
    }
}

impl fmt::Display for RetryStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plural = if self.retries == 1 {
            "retry"
        } else {
            "retries"
        };
        write!(
            f,
            "after {} {plural} in {:.1}s",
            self.retries,
            self.elapsed.as_secs_f64()
        )
    }
}

/// The error of every layer in this crate.
///
/// It is opaque: ask [`kind`](Error::kind), [`status`](Error::status),
/// [`request_id`](Error::request_id), [`is_not_found`](Error::is_not_found) and the other
/// predicates. `Display` describes this level only and never repeats `source()`; print the
/// chain with a reporter to see the cause. The message text is not a stable API.
pub struct Error {
    inner: Box<Inner>,
}

struct Inner {
    kind: ErrorKind,
    method: Option<Method>,
    url: Option<RedactedUrl>,
    hub: Option<HubErrorContext>,
    detail: Option<String>,
    maybe_sent: bool,
    retries: Option<RetryStats>,
    source: Option<BoxError>,
}

impl Error {
    /// An error of `kind` caused by `source`. For custom transports and layers that want
    /// to classify their own failures (a `Connect` error is retried even for POSTs, so use
    /// it only when the request was certainly not sent).
    pub fn new(kind: ErrorKind, source: impl Into<BoxError>) -> Self {
        Error::bare(kind).with_source(source)
    }

    pub(crate) fn bare(kind: ErrorKind) -> Self {
        Error {
            inner: Box::new(Inner {
                kind,
                method: None,
                url: None,
                hub: None,
                detail: None,
                maybe_sent: !matches!(
                    kind,
                    ErrorKind::Connect | ErrorKind::InvalidRequest | ErrorKind::Config
                ),
                retries: None,
                source: None,
            }),
        }
    }

    pub(crate) fn with_source(mut self, source: impl Into<BoxError>) -> Self {
        self.inner.source = Some(source.into());
        self
    }

    /// Adds a detail, shown in parentheses after the headline (what exactly failed, and
    /// what to do about it); after a detail already there, it follows a `; `.
    ///
    /// ```
    /// use hf_http::{Error, ErrorKind};
    /// let err = Error::new(ErrorKind::Timeout, "elapsed")
    ///     .with_detail("no answer within 10s; raise the limit")
    ///     .with_request(&http::Method::HEAD, &"https://hub.example/x".parse().unwrap());
    /// let text = err.to_string();
    /// assert!(text.contains("(no answer within 10s; raise the limit): HEAD https://hub.example/x"));
    /// ```
    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        let detail = detail.into();
        self.inner.detail = Some(match self.inner.detail.take() {
            Some(first) => format!("{first}; {detail}"),
            None => detail,
        });
        self
    }

    /// Names the request that failed (its URL is shown redacted: no query string).
    pub fn with_request(mut self, method: &Method, uri: &Uri) -> Self {
        self.inner.method = Some(method.clone());
        self.inner.url = Some(RedactedUrl::new(uri));
        self
    }

    pub(crate) fn with_request_if_missing(self, method: &Method, uri: &Uri) -> Self {
        if self.inner.url.is_some() {
            self
        } else {
            self.with_request(method, uri)
        }
    }

    #[cfg_attr(not(feature = "hyper-client"), allow(dead_code))]
    pub(crate) fn not_sent(mut self) -> Self {
        self.inner.maybe_sent = false;
        self
    }

    pub(crate) fn hub(kind: ErrorKind, method: &Method, ctx: HubErrorContext) -> Self {
        let mut err = Error::bare(kind);
        err.inner.method = Some(method.clone());
        err.inner.url = Some(ctx.url.clone());
        err.inner.hub = Some(ctx);
        err
    }

    pub(crate) fn set_retries(&mut self, stats: RetryStats) {
        self.inner.retries = Some(stats);
    }

    /// Converts any boxed error into an [`Error`], keeping ours as they are and
    /// classifying the rest (tower's `Elapsed` and `io::ErrorKind::TimedOut` become
    /// [`ErrorKind::Timeout`], anything else [`ErrorKind::Transport`]).
    pub fn from_boxed(err: BoxError) -> Self {
        let err = match err.downcast::<Error>() {
            Ok(ours) => return *ours,
            Err(other) => other,
        };
        if err.is::<tower::timeout::error::Elapsed>()
            || err.is::<tower_http::timeout::TimeoutError>()
        {
            return Error::new(ErrorKind::Timeout, err);
        }
        let mut cur: Option<&(dyn StdError + 'static)> = Some(&*err);
        while let Some(e) = cur {
            if let Some(io) = e.downcast_ref::<std::io::Error>()
                && io.kind() == std::io::ErrorKind::TimedOut
            {
                return Error::new(ErrorKind::Timeout, err);
            }
            cur = e.source();
        }
        Error::new(ErrorKind::Transport, err)
    }

    /// The category of this error.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }

    /// The HTTP status, when the Hub answered with an error status.
    pub fn status(&self) -> Option<StatusCode> {
        self.inner.hub.as_ref().map(|h| h.status)
    }

    /// The Hub's request id (`X-Request-Id`, else `X-Amzn-Trace-Id`), for support requests.
    pub fn request_id(&self) -> Option<&str> {
        self.inner.hub.as_ref()?.request_id.as_deref()
    }

    /// What the Hub said, for typed Hub failures.
    pub fn hub_context(&self) -> Option<&HubErrorContext> {
        self.inner.hub.as_ref()
    }

    /// The server's own message, if any.
    pub fn server_message(&self) -> Option<&str> {
        self.inner.hub.as_ref()?.server_message.as_deref()
    }

    /// The redacted URL of the failed request, when known.
    pub fn url(&self) -> Option<&RedactedUrl> {
        self.inner.url.as_ref()
    }

    /// The method of the failed request, when known.
    pub fn method(&self) -> Option<&Method> {
        self.inner.method.as_ref()
    }

    /// Retries performed before giving up, if any were.
    pub fn retries(&self) -> Option<RetryStats> {
        self.inner.retries
    }

    /// Whether something was not found: a missing repository, revision or file, or any
    /// other 404. A gated repository exists, so it is not "not found".
    pub fn is_not_found(&self) -> bool {
        matches!(
            self.inner.kind,
            ErrorKind::RepositoryNotFound | ErrorKind::RevisionNotFound | ErrorKind::EntryNotFound
        ) || (self.inner.kind == ErrorKind::Http && self.status() == Some(StatusCode::NOT_FOUND))
    }

    /// Whether a connection, attempt or request timed out.
    pub fn is_timeout(&self) -> bool {
        self.inner.kind == ErrorKind::Timeout
    }

    /// Whether the failure happened while connecting (including a connect timeout), so
    /// the request never left this machine.
    pub fn is_connect(&self) -> bool {
        self.inner.kind == ErrorKind::Connect
            || (self.inner.kind == ErrorKind::Timeout && !self.inner.maybe_sent)
    }

    /// Whether the failure may pass if the request is sent again later: a connection,
    /// timeout or network failure, or a retryable status (408, 429, 5xx gateway and
    /// server errors, see [`is_retryable_status`](crate::retry::is_retryable_status)).
    /// A caller that sent a request without retries, to fall back on something local
    /// quickly, retries it when the fallback is not there and this holds.
    pub fn is_transient(&self) -> bool {
        match self.inner.kind {
            ErrorKind::Timeout | ErrorKind::Connect | ErrorKind::Transport | ErrorKind::Body => {
                true
            }
            ErrorKind::Http => self.status().is_some_and(crate::retry::is_retryable_status),
            _ => false,
        }
    }

    /// Whether the request may have reached the server (so re-sending a non-idempotent
    /// request could repeat its side effect).
    pub fn request_may_have_been_sent(&self) -> bool {
        self.inner.maybe_sent
    }

    fn hint(&self) -> Option<&'static str> {
        let status = self.status();
        Some(match self.inner.kind {
            ErrorKind::RepositoryNotFound => {
                "Check the repo id and repo type; for a private or gated repo, make sure you are \
                 authenticated (run `hf auth login` or set HF_TOKEN)"
            }
            ErrorKind::GatedRepo => {
                "The repo is gated: request access on its Hub page, then authenticate with a \
                 token of the account that was granted access (`hf auth login` or HF_TOKEN)"
            }
            ErrorKind::RevisionNotFound => "Check that the branch, tag or commit exists",
            ErrorKind::EntryNotFound => "Check the file path and the revision",
            ErrorKind::DisabledRepo => "Access to this repository has been disabled",
            ErrorKind::Unauthorized => {
                "The token is missing, invalid or expired: run `hf auth login` or set HF_TOKEN"
            }
            ErrorKind::Forbidden => {
                "Make sure your token has the permission this needs (for example write access)"
            }
            ErrorKind::Conflict => {
                "The resource already exists or another operation on it is in progress"
            }
            ErrorKind::Http if status == Some(StatusCode::TOO_MANY_REQUESTS) => {
                "Rate limited by the Hub: wait a moment and try again"
            }
            ErrorKind::Http if status.is_some_and(|s| s.is_server_error()) => {
                "The Hub had a server error: try again later"
            }
            ErrorKind::Timeout => {
                "Check your network connection, or raise the timeout if the server is slow"
            }
            ErrorKind::Connect => "Check your network connection and the endpoint (HF_ENDPOINT)",
            _ => return None,
        })
    }

    fn headline(&self) -> &'static str {
        match self.inner.kind {
            ErrorKind::RepositoryNotFound => "repository not found",
            ErrorKind::GatedRepo => "cannot access gated repository",
            ErrorKind::RevisionNotFound => "revision not found",
            ErrorKind::EntryNotFound => "entry not found",
            ErrorKind::DisabledRepo => "repository disabled",
            ErrorKind::BadRequest => "bad request",
            ErrorKind::Unauthorized => "unauthorized",
            ErrorKind::Forbidden => "forbidden",
            ErrorKind::Conflict => "conflict",
            ErrorKind::Http => "HTTP error",
            ErrorKind::Timeout => "timed out",
            ErrorKind::Connect => "could not connect",
            ErrorKind::Transport => "connection failed",
            ErrorKind::Body => "reading the response body failed",
            ErrorKind::Decode => "unexpected response body",
            ErrorKind::TooManyRedirects => "too many redirects",
            ErrorKind::InvalidRequest => "invalid request",
            ErrorKind::Config => "invalid configuration",
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &*self.inner;
        f.write_str(self.headline())?;
        if let Some(detail) = &inner.detail {
            write!(f, " ({detail})")?;
        }
        match (&inner.method, &inner.url) {
            (Some(m), Some(u)) => write!(f, ": {m} {u}")?,
            (None, Some(u)) => write!(f, ": {u}")?,
            _ => {}
        }
        if let Some(hub) = &inner.hub {
            write!(f, " returned {}", hub.status)?;
        }
        if let Some(stats) = &inner.retries {
            write!(f, " {stats}")?;
        }
        if let Some(hub) = &inner.hub {
            if let Some(id) = &hub.request_id {
                write!(f, " (request id: {id})")?;
            }
            if let Some(msg) = &hub.server_message {
                write!(f, "; the Hub said: {msg:?}")?;
            }
        }
        if let Some(hint) = self.hint() {
            write!(f, ". {hint}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &*self.inner;
        let mut d = f.debug_struct("hf_http::Error");
        d.field("kind", &inner.kind);
        if let Some(m) = &inner.method {
            d.field("method", m);
        }
        if let Some(u) = &inner.url {
            d.field("url", u);
        }
        if let Some(h) = &inner.hub {
            d.field("hub", h);
        }
        if let Some(detail) = &inner.detail {
            d.field("detail", detail);
        }
        if let Some(r) = &inner.retries {
            d.field("retries", r);
        }
        if let Some(s) = &inner.source {
            d.field("source", s);
        }
        d.finish()
    }
}

impl StdError for Error {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.inner
            .source
            .as_deref()
            .map(|e| e as &(dyn StdError + 'static))
    }
}

impl From<Error> for std::io::Error {
    fn from(err: Error) -> Self {
        use std::io::ErrorKind as Io;
        let kind = match err.kind() {
            ErrorKind::Timeout => Io::TimedOut,
            ErrorKind::Connect => Io::ConnectionRefused,
            ErrorKind::Unauthorized | ErrorKind::Forbidden | ErrorKind::GatedRepo => {
                Io::PermissionDenied
            }
            ErrorKind::Conflict => Io::AlreadyExists,
            ErrorKind::InvalidRequest | ErrorKind::BadRequest => Io::InvalidInput,
            ErrorKind::Decode => Io::InvalidData,
            _ if err.is_not_found() => Io::NotFound,
            _ => Io::Other,
        };
        std::io::Error::new(kind, err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_is_one_pointer_wide() {
        assert_eq!(std::mem::size_of::<Error>(), std::mem::size_of::<usize>());
    }

    #[test]
    fn from_boxed_keeps_ours_and_classifies_timeouts() {
        let ours: BoxError = Box::new(Error::bare(ErrorKind::Conflict));
        assert_eq!(Error::from_boxed(ours).kind(), ErrorKind::Conflict);
        let io: BoxError = Box::new(std::io::Error::new(std::io::ErrorKind::TimedOut, "slow"));
        assert_eq!(Error::from_boxed(io).kind(), ErrorKind::Timeout);
        let other: BoxError = "boom".into();
        assert_eq!(Error::from_boxed(other).kind(), ErrorKind::Transport);
    }

    #[test]
    fn transient_failures_are_network_ones_and_retryable_statuses() {
        let with_status = |status: u16| {
            let mut err = Error::bare(ErrorKind::Http);
            err.inner.hub = Some(HubErrorContext {
                status: StatusCode::from_u16(status).unwrap(),
                error_code: None,
                server_message: None,
                request_id: None,
                url: RedactedUrl::new(&"https://h/x".parse().unwrap()),
            });
            err
        };
        assert!(with_status(503).is_transient());
        assert!(with_status(429).is_transient());
        assert!(!with_status(418).is_transient());
        for kind in [ErrorKind::Connect, ErrorKind::Timeout, ErrorKind::Transport] {
            assert!(Error::bare(kind).is_transient(), "{kind:?}");
        }
        for kind in [
            ErrorKind::Config,
            ErrorKind::Unauthorized,
            ErrorKind::Decode,
        ] {
            assert!(!Error::bare(kind).is_transient(), "{kind:?}");
        }
    }

    #[test]
    fn display_does_not_repeat_source() {
        let err = Error::new(ErrorKind::Transport, "inner cause text")
            .with_request(&Method::GET, &"https://h/x?sig=1".parse().unwrap());
        let shown = err.to_string();
        assert!(!shown.contains("inner cause text"), "{shown}");
        assert!(shown.contains("GET https://h/x?sig=[redacted]"), "{shown}");
        assert!(err.source().is_some());
    }
}

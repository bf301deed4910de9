//! The retry decision, as a pure function of the request and its outcome.

use std::time::{Duration, SystemTime};

use http::{Method, Request, Response, StatusCode};

use super::retry_after;
use crate::error::{Error, ErrorKind};

/// Why a retry is allowed.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryReason {
    /// A retryable status (408, 429, 500, 502, 503, 504).
    Status(StatusCode),
    /// The connection could not be made (including a connect timeout).
    Connect,
    /// The attempt timed out after the request may have been sent.
    Timeout,
    /// The connection broke after the request may have been sent.
    Transport,
}

/// What failed, in words: `answered 503 Service Unavailable`, `could not connect`, ...
impl std::fmt::Display for RetryReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RetryReason::Status(status) => write!(f, "answered {status}"),
            RetryReason::Connect => f.write_str("could not connect"),
            RetryReason::Timeout => f.write_str("no answer in time"),
            RetryReason::Transport => f.write_str("the connection broke"),
        }
    }
}

/// The classifier's verdict.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Classification {
    /// Retrying is allowed; `after` is the server's `Retry-After`, if it sent one.
    Retry {
        /// Why.
        reason: RetryReason,
        /// The delay the server asked for.
        after: Option<Duration>,
    },
    /// Do not retry (success, a permanent failure, or a retry that could repeat a
    /// side effect).
    DoNotRetry,
}

/// Per-request idempotency, as a request extension; overrides the default by method.
///
/// Mark an idempotent POST (for example a read-only query sent as POST) with
/// `Idempotency::Idempotent`; mark a request with side effects as `NotIdempotent` to
/// forbid every retry that could send it twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Idempotency {
    /// Safe to send twice.
    Idempotent,
    /// Must not be sent twice.
    NotIdempotent,
}

/// Whether the request may be sent twice: the [`Idempotency`] extension if present,
/// else true for GET, HEAD, OPTIONS, TRACE, PUT and DELETE (RFC 9110 §9.2.2).
pub fn is_idempotent<B>(req: &Request<B>) -> bool {
    match req.extensions().get::<Idempotency>() {
        Some(Idempotency::Idempotent) => true,
        Some(Idempotency::NotIdempotent) => false,
        None => matches!(
            *req.method(),
            Method::GET
                | Method::HEAD
                | Method::OPTIONS
                | Method::TRACE
                | Method::PUT
                | Method::DELETE
        ),
    }
}

/// Whether a response status is worth retrying: 408 (the server gave up waiting for the
/// request), 429 (throttled), and 500, 502, 503 and 504 (transient server or gateway
/// failures).
pub fn is_retryable_status(status: StatusCode) -> bool {
    matches!(
        status,
        StatusCode::REQUEST_TIMEOUT
            | StatusCode::TOO_MANY_REQUESTS
            | StatusCode::INTERNAL_SERVER_ERROR
            | StatusCode::BAD_GATEWAY
            | StatusCode::SERVICE_UNAVAILABLE
            | StatusCode::GATEWAY_TIMEOUT
    )
}

/// Decides whether `result` of `req` may be retried. `now` is used for HTTP-date
/// `Retry-After` values.
pub fn classify<B, R>(
    req: &Request<B>,
    result: &Result<Response<R>, Error>,
    now: SystemTime,
) -> Classification {
    let idempotent = is_idempotent(req);
    match result {
        Ok(res) => {
            let status = res.status();
            // The request reached the server: only idempotent ones may be sent again,
            // except after 429, which says the request was refused, not carried out.
            if is_retryable_status(status)
                && (idempotent || status == StatusCode::TOO_MANY_REQUESTS)
            {
                Classification::Retry {
                    reason: RetryReason::Status(status),
                    after: retry_after::parse(res.headers(), now),
                }
            } else {
                Classification::DoNotRetry
            }
        }
        Err(err) => {
            // Never sent (no connection was made): always safe to send.
            if !err.request_may_have_been_sent() && err.is_connect() {
                return Classification::Retry {
                    reason: RetryReason::Connect,
                    after: None,
                };
            }
            let reason = match err.kind() {
                // The server may have processed it but we never saw the answer.
                ErrorKind::Timeout => RetryReason::Timeout,
                // Reset, broken pipe, closed mid-response: transient network trouble. A body
                // error reaches the retry layer only from a body read within the attempt
                // (`BufferBody`): the connection broke off after the headers.
                ErrorKind::Transport | ErrorKind::Body => RetryReason::Transport,
                _ => return Classification::DoNotRetry,
            };
            if idempotent {
                Classification::Retry {
                    reason,
                    after: None,
                }
            } else {
                Classification::DoNotRetry
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(method: Method) -> Request<()> {
        Request::builder()
            .method(method)
            .uri("http://h/")
            .body(())
            .unwrap()
    }

    fn res(status: u16) -> Result<Response<()>, Error> {
        Ok(Response::builder().status(status).body(()).unwrap())
    }

    #[test]
    fn statuses() {
        let now = SystemTime::now();
        for s in [408, 429, 500, 502, 503, 504] {
            assert!(matches!(
                classify(&req(Method::GET), &res(s), now),
                Classification::Retry { .. }
            ));
        }
        for s in [408, 500, 502, 503, 504] {
            assert_eq!(
                classify(&req(Method::POST), &res(s), now),
                Classification::DoNotRetry
            );
        }
        // 429 refused the request: even one with side effects may be sent again.
        let mut commit = req(Method::POST);
        commit.extensions_mut().insert(Idempotency::NotIdempotent);
        assert!(matches!(
            classify(&commit, &res(429), now),
            Classification::Retry { .. }
        ));
        for s in [200, 301, 400, 401, 403, 404, 409, 501] {
            assert_eq!(
                classify(&req(Method::GET), &res(s), now),
                Classification::DoNotRetry
            );
        }
        let mut post = req(Method::POST);
        post.extensions_mut().insert(Idempotency::Idempotent);
        assert!(matches!(
            classify(&post, &res(503), now),
            Classification::Retry { .. }
        ));
        let mut get = req(Method::GET);
        get.extensions_mut().insert(Idempotency::NotIdempotent);
        assert_eq!(classify(&get, &res(503), now), Classification::DoNotRetry);
    }

    #[test]
    fn errors() {
        let now = SystemTime::now();
        let connect: Result<Response<()>, Error> = Err(Error::bare(ErrorKind::Connect));
        assert!(matches!(
            classify(&req(Method::POST), &connect, now),
            Classification::Retry {
                reason: RetryReason::Connect,
                ..
            }
        ));
        let timeout: Result<Response<()>, Error> = Err(Error::bare(ErrorKind::Timeout));
        assert!(matches!(
            classify(&req(Method::GET), &timeout, now),
            Classification::Retry { .. }
        ));
        assert_eq!(
            classify(&req(Method::POST), &timeout, now),
            Classification::DoNotRetry
        );
        let connect_timeout: Result<Response<()>, Error> =
            Err(Error::bare(ErrorKind::Timeout).not_sent());
        assert!(matches!(
            classify(&req(Method::POST), &connect_timeout, now),
            Classification::Retry {
                reason: RetryReason::Connect,
                ..
            }
        ));
        let decode: Result<Response<()>, Error> = Err(Error::bare(ErrorKind::Decode));
        assert_eq!(
            classify(&req(Method::GET), &decode, now),
            Classification::DoNotRetry
        );
    }
}

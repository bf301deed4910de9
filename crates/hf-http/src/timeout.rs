//! Timeouts as typed errors.
//!
//! [`TimeoutLayer`] bounds the time until the response *headers* arrive, failing with
//! [`crate::ErrorKind::Timeout`] (unlike tower-http's server-side
//! `TimeoutLayer`, which answers 408). Placed inside the retry layer it bounds each
//! attempt; placed outside it bounds the whole request. Stalled bodies are caught by the
//! transport's read timeout (which [`ReadTimeout`] overrides per request), and the connect
//! timeout lives in the transport too.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! use std::time::Duration;
//! use hf_http::{HfBody, ResponseBody};
//! use hf_http::timeout::TimeoutLayer;
//! use tower::{ServiceBuilder, ServiceExt};
//!
//! let svc = ServiceBuilder::new()
//!     .layer(TimeoutLayer::new(Duration::from_millis(10)))
//!     .service_fn(|_req: http::Request<HfBody>| async {
//!         std::future::pending::<()>().await; // a server that never answers
//!         Ok::<_, hf_http::Error>(http::Response::new(ResponseBody::empty()))
//!     });
//! let req = http::Request::get("https://hub.example/slow").body(HfBody::empty()).unwrap();
//! assert!(svc.oneshot(req).await.unwrap_err().is_timeout());
//! # }
//! ```

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use http::{Method, Request, Uri};
use pin_project_lite::pin_project;
use tower_layer::Layer;
use tower_service::Service;

use crate::error::{Error, ErrorKind};

/// A request extension that replaces the per-attempt limit of [`TimeoutLayer`] for one
/// request: `Some(limit)`, or `None` for no limit. Large uploads need it, since their
/// response headers only come once the whole body has been sent.
///
/// ```
/// use std::time::Duration;
/// use hf_http::timeout::AttemptTimeout;
/// let mut req = http::Request::put("https://storage.example/part/1")
///     .body(hf_http::HfBody::empty())
///     .unwrap();
/// req.extensions_mut().insert(AttemptTimeout(Some(Duration::from_secs(3600))));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttemptTimeout(pub Option<Duration>);

/// A request extension that replaces the transport's body read timeout (the longest wait
/// between two frames of the response body, see
/// [`TransportConfig::read_timeout`](crate::transport::TransportConfig::read_timeout))
/// for one request: `Some(limit)`, or `None` for no limit. Downloads use it to apply
/// `HF_HUB_DOWNLOAD_TIMEOUT` to file content only, as the Python client does.
///
/// ```
/// use std::time::Duration;
/// use hf_http::timeout::ReadTimeout;
/// let mut req = http::Request::get("https://cdn.example/blob")
///     .body(hf_http::HfBody::empty())
///     .unwrap();
/// req.extensions_mut().insert(ReadTimeout(Some(Duration::from_secs(10))));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadTimeout(pub Option<Duration>);

/// What "no limit" waits for: long enough to never fire.
const NO_LIMIT: Duration = Duration::from_secs(100 * 365 * 24 * 3600);

/// Fails a request with a timeout error when its response takes longer than the limit.
#[derive(Debug, Clone, Copy)]
pub struct TimeoutLayer {
    timeout: Duration,
}

impl TimeoutLayer {
    /// A layer with this limit.
    pub fn new(timeout: Duration) -> Self {
        TimeoutLayer { timeout }
    }
}

impl<S> Layer<S> for TimeoutLayer {
    type Service = Timeout<S>;

    fn layer(&self, inner: S) -> Timeout<S> {
        Timeout {
            inner,
            timeout: self.timeout,
        }
    }
}

/// The service of [`TimeoutLayer`].
pub struct Timeout<S> {
    inner: S,
    timeout: Duration,
}

inner_service_accessors!(Timeout);

impl<S: Clone> Clone for Timeout<S> {
    fn clone(&self) -> Self {
        Timeout {
            inner: self.inner.clone(),
            timeout: self.timeout,
        }
    }
}

impl<S> fmt::Debug for Timeout<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Timeout")
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl<S, B> Service<Request<B>> for Timeout<S>
where
    S: Service<Request<B>, Error = Error>,
{
    type Response = S::Response;
    type Error = Error;
    type Future = ResponseFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request<B>) -> Self::Future {
        let method = req.method().clone();
        let uri = req.uri().clone();
        let timeout = match req.extensions().get::<AttemptTimeout>() {
            Some(AttemptTimeout(limit)) => limit.unwrap_or(NO_LIMIT),
            None => self.timeout,
        };
        ResponseFuture {
            inner: self.inner.call(req),
            sleep: tokio::time::sleep(timeout),
            timeout,
            method,
            uri,
        }
    }
}

pin_project! {
    /// Response future of [`Timeout`].
    pub struct ResponseFuture<F> {
        #[pin]
        inner: F,
        #[pin]
        sleep: tokio::time::Sleep,
        timeout: Duration,
        method: Method,
        uri: Uri,
    }
}

impl<F> fmt::Debug for ResponseFuture<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseFuture")
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl<F, T> Future for ResponseFuture<F>
where
    F: Future<Output = Result<T, Error>>,
{
    type Output = Result<T, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        if let Poll::Ready(out) = this.inner.poll(cx) {
            return Poll::Ready(out);
        }
        match this.sleep.poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(Error::bare(ErrorKind::Timeout)
                .with_detail(format!("no response within {:?}", this.timeout))
                .with_request(this.method, this.uri))),
            Poll::Pending => Poll::Pending,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{HfBody, ResponseBody};
    use tower::{ServiceBuilder, ServiceExt};

    async fn call(ext: Option<AttemptTimeout>) -> Result<(), Error> {
        let svc = ServiceBuilder::new()
            .layer(TimeoutLayer::new(Duration::from_millis(20)))
            .service_fn(|_req: Request<HfBody>| async {
                tokio::time::sleep(Duration::from_millis(200)).await;
                Ok::<_, Error>(http::Response::new(ResponseBody::empty()))
            });
        let mut req = Request::put("https://storage.example/x")
            .body(HfBody::empty())
            .unwrap();
        if let Some(e) = ext {
            req.extensions_mut().insert(e);
        }
        svc.oneshot(req).await.map(drop)
    }

    #[tokio::test(start_paused = true)]
    async fn a_request_can_override_the_attempt_timeout() {
        assert!(call(None).await.unwrap_err().is_timeout());
        call(Some(AttemptTimeout(Some(Duration::from_secs(1)))))
            .await
            .unwrap();
        call(Some(AttemptTimeout(None))).await.unwrap();
        let err = call(Some(AttemptTimeout(Some(Duration::from_millis(5)))))
            .await
            .unwrap_err();
        assert!(err.is_timeout());
    }
}

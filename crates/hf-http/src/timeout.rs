//! Timeouts as typed errors.
//!
//! [`TimeoutLayer`] bounds the time until the response *headers* arrive, failing with
//! [`crate::ErrorKind::Timeout`] (unlike tower-http's server-side
//! `TimeoutLayer`, which answers 408). Placed inside the retry layer it bounds each
//! attempt; placed outside it bounds the whole request. Stalled bodies are caught by the
//! transport's read timeout, and the connect timeout lives in the transport too.
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
        ResponseFuture {
            inner: self.inner.call(req),
            sleep: tokio::time::sleep(self.timeout),
            timeout: self.timeout,
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

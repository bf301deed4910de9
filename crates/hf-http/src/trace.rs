//! One `tracing` span per execution, with the method and the redacted URL.
//!
//! tower-http's `TraceLayer` would put the raw URI (with signed query strings) in its
//! default span and re-wrap the response body; this layer records only redacted data and
//! leaves the body alone. Headers are never recorded, so the token cannot reach the logs.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use http::{Request, Response};
use pin_project_lite::pin_project;
use tower_layer::Layer;
use tower_service::Service;

use crate::error::Error;
use crate::redact::RedactedUrl;

/// Opens a `hf_http.request` span per request and logs its outcome at debug level.
#[derive(Debug, Clone, Copy, Default)]
pub struct TraceLayer {
    _priv: (),
}

impl TraceLayer {
    /// The layer.
    pub fn new() -> Self {
        TraceLayer { _priv: () }
    }
}

impl<S> Layer<S> for TraceLayer {
    type Service = Trace<S>;

    fn layer(&self, inner: S) -> Trace<S> {
        Trace { inner }
    }
}

/// The service of [`TraceLayer`].
pub struct Trace<S> {
    inner: S,
}

inner_service_accessors!(Trace);

impl<S: Clone> Clone for Trace<S> {
    fn clone(&self) -> Self {
        Trace {
            inner: self.inner.clone(),
        }
    }
}

impl<S> fmt::Debug for Trace<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Trace").finish_non_exhaustive()
    }
}

impl<S, B, R> Service<Request<B>> for Trace<S>
where
    S: Service<Request<B>, Response = Response<R>, Error = Error>,
{
    type Response = Response<R>;
    type Error = Error;
    type Future = ResponseFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request<B>) -> Self::Future {
        let span = tracing::debug_span!(
            "hf_http.request",
            method = %req.method(),
            url = %RedactedUrl::new(req.uri()),
            status = tracing::field::Empty,
        );
        let inner = {
            let _enter = span.enter();
            self.inner.call(req)
        };
        ResponseFuture {
            inner,
            span,
            start: tokio::time::Instant::now(),
        }
    }
}

pin_project! {
    /// Response future of [`Trace`].
    pub struct ResponseFuture<F> {
        #[pin]
        inner: F,
        span: tracing::Span,
        start: tokio::time::Instant,
    }
}

impl<F> fmt::Debug for ResponseFuture<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseFuture").finish_non_exhaustive()
    }
}

impl<F, R> Future for ResponseFuture<F>
where
    F: Future<Output = Result<Response<R>, Error>>,
{
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let _enter = this.span.enter();
        let out = match this.inner.poll(cx) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(out) => out,
        };
        let elapsed = this.start.elapsed();
        match &out {
            Ok(res) => {
                this.span.record("status", res.status().as_u16());
                tracing::debug!(status = res.status().as_u16(), ?elapsed, "response");
            }
            Err(err) => {
                if let Some(status) = err.status() {
                    this.span.record("status", status.as_u16());
                }
                tracing::debug!(error = %err, ?elapsed, "request failed");
            }
        }
        Poll::Ready(out)
    }
}

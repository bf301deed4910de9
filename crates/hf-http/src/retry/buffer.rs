//! [`BufferBody`]: the whole response body read within the attempt, so that a body that
//! breaks or stalls half-way is retried as a failed attempt.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use http::{Request, Response};
use tower_layer::Layer;
use tower_service::Service;

use crate::body::{HfBody, ResponseBody};
use crate::error::Error;

/// A request extension: read the whole response body inside each attempt (the stack's
/// [`BufferBodyLayer`] sits inside the retry layer), so that a connection that breaks,
/// or a body that stalls past the read timeout, after the headers is retried like a
/// failure before them. For bodies read whole anyway, such as JSON answers:
/// [`HubClient::send_json`](crate::HubClient::send_json) and the paginated listings set
/// it. The response comes back with its body in memory.
///
/// ```
/// use hf_http::retry::BufferBody;
/// let mut req = http::Request::get("https://hub.example/api/models/gpt2")
///     .body(hf_http::HfBody::empty())
///     .unwrap();
/// req.extensions_mut().insert(BufferBody);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BufferBody;

/// The layer that honours [`BufferBody`].
#[derive(Debug, Clone, Copy, Default)]
pub struct BufferBodyLayer;

impl<S> Layer<S> for BufferBodyLayer {
    type Service = BufferBodyService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        BufferBodyService { inner }
    }
}

/// The service of [`BufferBodyLayer`].
#[derive(Debug, Clone)]
pub struct BufferBodyService<S> {
    inner: S,
}

impl<S> Service<Request<HfBody>> for BufferBodyService<S>
where
    S: Service<Request<HfBody>, Response = Response<ResponseBody>, Error = Error>,
    S::Future: Send + 'static,
{
    type Response = Response<ResponseBody>;
    type Error = Error;
    type Future = Pin<Box<dyn Future<Output = Result<Response<ResponseBody>, Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request<HfBody>) -> Self::Future {
        let buffer = req.extensions().get::<BufferBody>().is_some();
        let fut = self.inner.call(req);
        Box::pin(async move {
            let res = fut.await?;
            if !buffer {
                return Ok(res);
            }
            let (parts, body) = res.into_parts();
            // A body that broke off or stalled is an `ErrorKind::Body` or `Timeout` error,
            // which the classifier retries like a connection lost before the headers.
            let bytes = body.bytes().await?;
            Ok(Response::from_parts(parts, ResponseBody::full(bytes)))
        })
    }
}

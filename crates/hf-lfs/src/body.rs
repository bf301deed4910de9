//! A one-shot request body of known length, from a stream of chunks.

use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use http_body::{Body, Frame, SizeHint};

use crate::error::Error;

/// Streams `len` bytes and tells hyper so: the request goes out with a
/// `Content-Length` instead of chunked encoding (pre-signed storage URLs reject chunked
/// uploads, and the Python client never sends them).
///
/// When the stream fails (the local file could not be read or changed size), the real
/// error is kept in a [`BodyFailure`] slot and the transport only sees a marker: the
/// caller reports the real error instead of a vague "connection failed", and does not
/// retry it.
pub(crate) struct SizedBody {
    stream: BoxStream<'static, Result<Bytes, Error>>,
    remaining: u64,
    failure: BodyFailure,
}

/// Where a [`SizedBody`] leaves the error that stopped it.
#[derive(Clone, Default)]
pub(crate) struct BodyFailure(Arc<Mutex<Option<Error>>>);

impl BodyFailure {
    /// The error that stopped the body, if any.
    pub(crate) fn take(&self) -> Option<Error> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).take()
    }
}

/// What the transport sees when the body stream fails.
#[derive(Debug, thiserror::Error)]
#[error("the request body could not be produced")]
pub(crate) struct BodyAborted;

impl SizedBody {
    pub(crate) fn new(
        stream: BoxStream<'static, Result<Bytes, Error>>,
        len: u64,
    ) -> (Self, BodyFailure) {
        let failure = BodyFailure::default();
        (Self::with_failure(stream, len, failure.clone()), failure)
    }

    /// Like [`new`](Self::new), reporting into `failure` (shared by the copies of a
    /// body that is made again for each sending).
    pub(crate) fn with_failure(
        stream: BoxStream<'static, Result<Bytes, Error>>,
        len: u64,
        failure: BodyFailure,
    ) -> Self {
        SizedBody {
            stream,
            remaining: len,
            failure,
        }
    }
}

impl Body for SizedBody {
    type Data = Bytes;
    type Error = BodyAborted;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BodyAborted>>> {
        match self.stream.poll_next_unpin(cx) {
            Poll::Ready(Some(Ok(chunk))) => {
                self.remaining = self.remaining.saturating_sub(chunk.len() as u64);
                Poll::Ready(Some(Ok(Frame::data(chunk))))
            }
            Poll::Ready(Some(Err(e))) => {
                *self
                    .failure
                    .0
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner) = Some(e);
                Poll::Ready(Some(Err(BodyAborted)))
            }
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.remaining == 0
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.remaining)
    }
}

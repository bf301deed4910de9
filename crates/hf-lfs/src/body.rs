//! A one-shot request body of known length, from a stream of chunks.

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use http_body::{Body, Frame, SizeHint};

use crate::error::Error;

/// Streams `len` bytes and tells hyper so: the request goes out with a
/// `Content-Length` instead of chunked encoding (pre-signed storage URLs reject chunked
/// uploads, and the Python client never sends them).
pub(crate) struct SizedBody {
    stream: BoxStream<'static, Result<Bytes, Error>>,
    remaining: u64,
}

impl SizedBody {
    pub(crate) fn new(stream: BoxStream<'static, Result<Bytes, Error>>, len: u64) -> Self {
        SizedBody {
            stream,
            remaining: len,
        }
    }
}

impl Body for SizedBody {
    type Data = Bytes;
    type Error = Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Error>>> {
        match self.stream.poll_next_unpin(cx) {
            Poll::Ready(Some(Ok(chunk))) => {
                self.remaining = self.remaining.saturating_sub(chunk.len() as u64);
                Poll::Ready(Some(Ok(Frame::data(chunk))))
            }
            Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(e))),
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

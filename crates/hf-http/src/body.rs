//! Request and response bodies.
//!
//! [`HfBody`] is the request body of the whole stack. It is either empty, a buffer of
//! [`Bytes`] (cheap to clone, so the request can be retried or re-sent to a redirect
//! target), a stream made again for each sending (replayable too, in bounded memory), or
//! a one-shot stream (sent once; a request carrying one is never retried).
//!
//! [`ResponseBody`] is the response body every layer passes outward: a boxed body whose
//! errors are already [`Error`]s.

use std::fmt;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_core::Stream;
use futures_util::TryStreamExt;
use http_body::{Body, Frame, SizeHint};
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, StreamBody};

use crate::error::{BoxError, Error, ErrorKind};

/// The request body of the stack.
///
/// ```
/// use hf_http::HfBody;
/// let body = HfBody::full("hello");
/// assert!(body.try_clone().is_some()); // buffered bodies can be replayed
///
/// let chunks = futures_util::stream::iter([Ok::<_, std::io::Error>(bytes::Bytes::from("a"))]);
/// let body = HfBody::from_stream(chunks);
/// assert!(body.try_clone().is_none()); // streams are sent once
///
/// // A stream that can be made again is replayable, without holding it in memory.
/// let body = HfBody::replayable(|| {
///     let chunks = [Ok::<_, std::io::Error>(bytes::Bytes::from("a"))];
///     http_body_util::StreamBody::new(futures_util::stream::iter(chunks).map_ok(http_body::Frame::data))
/// });
/// assert!(body.try_clone().is_some());
/// # use futures_util::TryStreamExt as _;
/// ```
pub struct HfBody {
    kind: Kind,
}

enum Kind {
    Empty,
    Full {
        data: Bytes,
        sent: bool,
    },
    Stream(UnsyncBoxBody<Bytes, BoxError>),
    Replay {
        make: MakeBody,
        body: UnsyncBoxBody<Bytes, BoxError>,
    },
}

/// Makes a fresh copy of a replayable stream.
type MakeBody = Arc<dyn Fn() -> UnsyncBoxBody<Bytes, BoxError> + Send + Sync>;

impl HfBody {
    /// An empty body.
    pub fn empty() -> Self {
        HfBody { kind: Kind::Empty }
    }

    /// A buffered body; replayable.
    pub fn full(data: impl Into<Bytes>) -> Self {
        let data = data.into();
        if data.is_empty() {
            return HfBody::empty();
        }
        HfBody {
            kind: Kind::Full { data, sent: false },
        }
    }

    /// A one-shot body from a stream of chunks; not replayable.
    pub fn from_stream<S, E>(stream: S) -> Self
    where
        S: Stream<Item = Result<Bytes, E>> + Send + 'static,
        E: Into<BoxError> + 'static,
    {
        let body = StreamBody::new(stream.map_ok(Frame::data).map_err(Into::into));
        HfBody {
            kind: Kind::Stream(UnsyncBoxBody::new(body)),
        }
    }

    /// A one-shot body from any [`http_body::Body`]; not replayable.
    pub fn from_body<B>(body: B) -> Self
    where
        B: Body<Data = Bytes> + Send + 'static,
        B::Error: Into<BoxError>,
    {
        HfBody {
            kind: Kind::Stream(body.map_err(Into::into).boxed_unsync()),
        }
    }

    /// A stream that `make` produces afresh for every sending: the request can be
    /// retried or redirected like a buffered one, while only one chunk at a time is in
    /// memory. `make` is called once now and once per copy, and should be cheap (open
    /// files when first polled, not when called).
    pub fn replayable<F, B>(make: F) -> Self
    where
        F: Fn() -> B + Send + Sync + 'static,
        B: Body<Data = Bytes> + Send + 'static,
        B::Error: Into<BoxError>,
    {
        let make: MakeBody = Arc::new(move || make().map_err(Into::into).boxed_unsync());
        let body = make();
        HfBody {
            kind: Kind::Replay { make, body },
        }
    }

    /// A copy of this body for re-sending, or `None` for a one-shot stream.
    ///
    /// A buffered body is copied whole, even if it was already (partly) sent.
    pub fn try_clone(&self) -> Option<Self> {
        match &self.kind {
            Kind::Empty => Some(HfBody::empty()),
            Kind::Full { data, .. } => Some(HfBody {
                kind: Kind::Full {
                    data: data.clone(),
                    sent: false,
                },
            }),
            Kind::Replay { make, .. } => Some(HfBody {
                kind: Kind::Replay {
                    make: make.clone(),
                    body: make(),
                },
            }),
            Kind::Stream(_) => None,
        }
    }

    /// Whether [`try_clone`](HfBody::try_clone) would succeed.
    pub fn is_replayable(&self) -> bool {
        !matches!(self.kind, Kind::Stream(_))
    }

    /// The buffered bytes, if this body is buffered.
    pub fn as_bytes(&self) -> Option<&Bytes> {
        match &self.kind {
            Kind::Full { data, .. } => Some(data),
            _ => None,
        }
    }
}

impl Default for HfBody {
    fn default() -> Self {
        HfBody::empty()
    }
}

impl fmt::Debug for HfBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::Empty => f.write_str("HfBody::Empty"),
            Kind::Full { data, .. } => write!(f, "HfBody::Full({} bytes)", data.len()),
            Kind::Stream(_) => f.write_str("HfBody::Stream"),
            Kind::Replay { .. } => f.write_str("HfBody::Replay"),
        }
    }
}

impl From<Bytes> for HfBody {
    fn from(b: Bytes) -> Self {
        HfBody::full(b)
    }
}

impl From<Vec<u8>> for HfBody {
    fn from(b: Vec<u8>) -> Self {
        HfBody::full(b)
    }
}

impl From<String> for HfBody {
    fn from(s: String) -> Self {
        HfBody::full(s)
    }
}

impl From<&'static str> for HfBody {
    fn from(s: &'static str) -> Self {
        HfBody::full(s)
    }
}

impl From<()> for HfBody {
    fn from((): ()) -> Self {
        HfBody::empty()
    }
}

impl Body for HfBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        match &mut self.get_mut().kind {
            Kind::Empty => Poll::Ready(None),
            Kind::Full { data, sent } => {
                if *sent {
                    Poll::Ready(None)
                } else {
                    *sent = true;
                    Poll::Ready(Some(Ok(Frame::data(data.clone()))))
                }
            }
            Kind::Stream(body) | Kind::Replay { body, .. } => Pin::new(body).poll_frame(cx),
        }
    }

    fn is_end_stream(&self) -> bool {
        match &self.kind {
            Kind::Empty => true,
            Kind::Full { sent, .. } => *sent,
            Kind::Stream(body) | Kind::Replay { body, .. } => body.is_end_stream(),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match &self.kind {
            Kind::Empty => SizeHint::with_exact(0),
            Kind::Full { data, sent } => {
                SizeHint::with_exact(if *sent { 0 } else { data.len() as u64 })
            }
            Kind::Stream(body) | Kind::Replay { body, .. } => body.size_hint(),
        }
    }
}

/// The response body passed outward through the stack; its errors are [`Error`]s.
pub struct ResponseBody {
    inner: UnsyncBoxBody<Bytes, Error>,
}

impl ResponseBody {
    /// Wraps any body; its errors are converted with [`Error::from_boxed`] unless they
    /// already are [`Error`]s.
    pub fn new<B>(body: B) -> Self
    where
        B: Body<Data = Bytes> + Send + 'static,
        B::Error: Into<BoxError>,
    {
        ResponseBody {
            inner: body
                .map_err(|e| {
                    let err = Error::from_boxed(e.into());
                    if err.kind() == ErrorKind::Transport {
                        // a failure while streaming the body
                        Error::new(ErrorKind::Body, err)
                    } else {
                        err
                    }
                })
                .boxed_unsync(),
        }
    }

    /// Like [`ResponseBody::new`], naming the request in body errors.
    #[cfg_attr(not(feature = "hyper-client"), allow(dead_code))]
    pub(crate) fn with_request<B>(body: B, method: &http::Method, uri: &http::Uri) -> Self
    where
        B: Body<Data = Bytes> + Send + 'static,
        B::Error: Into<BoxError>,
    {
        let method = method.clone();
        let uri = uri.clone();
        ResponseBody::from_ours(
            ResponseBody::new(body).map_err(move |e| e.with_request_if_missing(&method, &uri)),
        )
    }

    /// Wraps a body whose errors are already ours, without re-boxing them.
    pub(crate) fn from_ours<B>(body: B) -> Self
    where
        B: Body<Data = Bytes, Error = Error> + Send + 'static,
    {
        ResponseBody {
            inner: body.boxed_unsync(),
        }
    }

    /// An empty body.
    pub fn empty() -> Self {
        ResponseBody::from_ours(http_body_util::Empty::new().map_err(|never| match never {}))
    }

    /// A body with these bytes.
    pub fn full(data: impl Into<Bytes>) -> Self {
        ResponseBody::from_ours(
            http_body_util::Full::new(data.into()).map_err(|never| match never {}),
        )
    }

    /// Reads the whole body into memory.
    pub async fn bytes(self) -> Result<Bytes, Error> {
        Ok(self.inner.collect().await?.to_bytes())
    }

    /// The body as a stream of data chunks (trailers are skipped).
    pub fn into_stream(self) -> impl Stream<Item = Result<Bytes, Error>> + Send + 'static {
        http_body_util::BodyDataStream::new(self.inner)
    }
}

impl Default for ResponseBody {
    fn default() -> Self {
        ResponseBody::empty()
    }
}

impl fmt::Debug for ResponseBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseBody").finish_non_exhaustive()
    }
}

impl Body for ResponseBody {
    type Data = Bytes;
    type Error = Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Error>>> {
        Pin::new(&mut self.get_mut().inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

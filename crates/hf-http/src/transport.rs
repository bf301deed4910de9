//! The default transport: hyper-util's pooled client over hyper-rustls.
//!
//! HTTP/1.1 and HTTP/2 (negotiated with ALPN), connection pooling, rustls with the ring
//! provider and the system's certificate roots (loaded with the first `https://`
//! connection). The connect timeout lives here (in
//! hyper-util's `HttpConnector`), as does the response-body read timeout (the longest
//! wait between two body frames). Errors are classified once, right here.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};
use std::time::Duration;

use http::{Method, Request, Response, Uri};
use hyper_rustls::{HttpsConnector, MaybeHttpsStream};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use pin_project_lite::pin_project;
use tokio::net::TcpStream;
use tower_service::Service;

use crate::body::{HfBody, ResponseBody};
use crate::error::{Error, ErrorKind};
use crate::timeout::ReadTimeout;

/// Largest read buffer of an HTTP/1 connection (hyper's default is about 400 KiB).
/// Body frames are slices of it that keep it alive until they are consumed, so with
/// many parallel range requests the buffers add up; reads of 128 KiB drain a socket as
/// fast (one frame fills one of the download's 128 KiB write blocks).
const READ_BUF_MAX: usize = 128 << 10;

/// Settings of the default transport.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct TransportConfig {
    /// Longest time to open a TCP connection (default 10 s). A connect timeout is a
    /// [`ErrorKind::Timeout`] for which [`Error::is_connect`] is true.
    pub connect_timeout: Option<Duration>,
    /// Longest wait between two frames of a response body (default 60 s); a stalled
    /// download fails with [`ErrorKind::Timeout`] instead of hanging. A request can
    /// carry its own limit as a [`ReadTimeout`] extension.
    pub read_timeout: Option<Duration>,
    /// How long an idle pooled connection is kept (default 90 s).
    pub pool_idle_timeout: Option<Duration>,
    /// Most idle connections kept per host (default 32).
    pub pool_max_idle_per_host: usize,
}

impl Default for TransportConfig {
    fn default() -> Self {
        TransportConfig {
            connect_timeout: Some(Duration::from_secs(10)),
            read_timeout: Some(Duration::from_secs(60)),
            pool_idle_timeout: Some(Duration::from_secs(90)),
            pool_max_idle_per_host: 32,
        }
    }
}

impl TransportConfig {
    /// Sets the connect timeout (`None` disables it).
    pub fn connect_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Sets the body read timeout (`None` disables it).
    pub fn read_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.read_timeout = timeout;
        self
    }
}

/// The default transport service (`Request<HfBody>` -> `Response<ResponseBody>`).
///
/// Cheap to clone; clones share the connection pool.
#[derive(Clone)]
pub struct HyperTransport {
    client: Client<LazyTls, HfBody>,
    read_timeout: Option<Duration>,
}

impl fmt::Debug for HyperTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HyperTransport")
            .field("read_timeout", &self.read_timeout)
            .finish_non_exhaustive()
    }
}

impl HyperTransport {
    /// Builds the transport. The system's certificate roots are loaded when the first
    /// `https://` connection is opened (a request then fails with
    /// [`ErrorKind::Config`] if they cannot be loaded); this never fails today.
    pub fn new(config: &TransportConfig) -> Result<Self, Error> {
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_nodelay(true);
        http.set_connect_timeout(config.connect_timeout);
        let https = LazyTls {
            http,
            tls: Arc::new(OnceLock::new()),
        };
        let client = Client::builder(TokioExecutor::new())
            .http1_max_buf_size(READ_BUF_MAX)
            .pool_timer(TokioTimer::new())
            .timer(TokioTimer::new())
            .pool_idle_timeout(config.pool_idle_timeout)
            .pool_max_idle_per_host(config.pool_max_idle_per_host)
            .build(https);
        Ok(HyperTransport {
            client,
            read_timeout: config.read_timeout,
        })
    }
}

impl Service<Request<HfBody>> for HyperTransport {
    type Response = Response<ResponseBody>;
    type Error = Error;
    type Future = ResponseFuture;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        // hyper-util's client is always ready (it queues on the pool).
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: Request<HfBody>) -> ResponseFuture {
        let method = req.method().clone();
        let uri = req.uri().clone();
        let read_timeout = match req.extensions().get::<ReadTimeout>() {
            Some(ReadTimeout(limit)) => *limit,
            None => self.read_timeout,
        };
        ResponseFuture {
            inner: self.client.request(req),
            method,
            uri,
            read_timeout,
        }
    }
}

pin_project! {
    /// Response future of [`HyperTransport`].
    pub struct ResponseFuture {
        #[pin]
        inner: hyper_util::client::legacy::ResponseFuture,
        method: Method,
        uri: Uri,
        read_timeout: Option<Duration>,
    }
}

impl fmt::Debug for ResponseFuture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseFuture").finish_non_exhaustive()
    }
}

impl Future for ResponseFuture {
    type Output = Result<Response<ResponseBody>, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        match this.inner.poll(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Ok(res)) => {
                let read_timeout = *this.read_timeout;
                let (method, uri) = (&*this.method, &*this.uri);
                Poll::Ready(Ok(res.map(|body| match read_timeout {
                    Some(t) => ResponseBody::with_request(
                        tower_http::timeout::TimeoutBody::new(t, body),
                        method,
                        uri,
                    ),
                    None => ResponseBody::with_request(body, method, uri),
                })))
            }
            Poll::Ready(Err(e)) => {
                Poll::Ready(Err(classify(e).with_request(this.method, this.uri)))
            }
        }
    }
}

/// The connector: plain `http://` connects directly, and the TLS connector, whose
/// construction reads the system's certificate roots (a file per root, some 15 ms), is
/// built with the first `https://` connection. A process that only talks to a local
/// Hub, or only reads the cache, never pays for it.
#[derive(Clone)]
struct LazyTls {
    http: HttpConnector,
    tls: Arc<OnceLock<Result<HttpsConnector<HttpConnector>, TlsSetupError>>>,
}

impl fmt::Debug for LazyTls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LazyTls")
            .field("tls_ready", &self.tls.get().is_some())
            .finish_non_exhaustive()
    }
}

/// The system's certificate roots could not be loaded.
#[derive(Debug, Clone)]
struct TlsSetupError(String);

impl fmt::Display for TlsSetupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "cannot load the system's TLS certificate roots ({}); install the CA \
             certificates package (ca-certificates)",
            self.0
        )
    }
}

impl std::error::Error for TlsSetupError {}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

impl Service<Uri> for LazyTls {
    type Response = MaybeHttpsStream<TokioIo<TcpStream>>;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        // Both connectors are always ready.
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, uri: Uri) -> Self::Future {
        if uri.scheme() == Some(&http::uri::Scheme::HTTP) {
            let connecting = self.http.call(uri);
            return Box::pin(async move { Ok(MaybeHttpsStream::Http(connecting.await?)) });
        }
        let http = self.http.clone();
        let tls = self.tls.get_or_init(|| {
            let builder = hyper_rustls::HttpsConnectorBuilder::new()
                .with_provider_and_native_roots(rustls::crypto::ring::default_provider())
                .map_err(|e| TlsSetupError(e.to_string()))?;
            Ok(builder
                .https_or_http()
                .enable_all_versions()
                .wrap_connector(http))
        });
        match tls {
            Ok(tls) => tls.clone().call(uri),
            Err(e) => {
                let e = e.clone();
                Box::pin(async move { Err(e.into()) })
            }
        }
    }
}

/// Classifies a hyper-util client error once, so the retry policy never downcasts.
fn classify(err: hyper_util::client::legacy::Error) -> Error {
    if let Some(setup) = chain_find::<TlsSetupError>(&err) {
        let setup = setup.clone();
        return Error::new(ErrorKind::Config, setup).not_sent();
    }
    let connect = err.is_connect();
    let timed_out = chain_has_timeout(&err);
    match (connect, timed_out) {
        (true, true) => Error::new(ErrorKind::Timeout, err)
            .with_detail("while connecting")
            .not_sent(),
        (true, false) => Error::new(ErrorKind::Connect, err),
        (false, true) => Error::new(ErrorKind::Timeout, err),
        (false, false) => Error::new(ErrorKind::Transport, err),
    }
}

/// `err` and its sources, outermost first.
fn chain<'a>(
    err: &'a (dyn std::error::Error + 'static),
) -> impl Iterator<Item = &'a (dyn std::error::Error + 'static)> {
    std::iter::successors(Some(err), |e| e.source())
}

fn chain_find<'a, E: std::error::Error + 'static>(
    err: &'a (dyn std::error::Error + 'static),
) -> Option<&'a E> {
    chain(err).find_map(|e| e.downcast_ref::<E>())
}

fn chain_has_timeout(err: &(dyn std::error::Error + 'static)) -> bool {
    chain(err).any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::TimedOut)
    })
}

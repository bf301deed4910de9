//! The default transport: hyper-util's pooled client over hyper-rustls.
//!
//! HTTP/1.1 (HTTP/2 when asked for, see [`TransportConfig::http2`]), connection pooling,
//! rustls with the ring provider and the system's certificate roots, or those of a CA
//! bundle (see [`TransportConfig::ca_bundle`]), loaded with the first `https://`
//! connection. The connect timeout lives here (in hyper-util's `HttpConnector`), as does
//! the response-body read timeout (the longest wait between two body frames). Errors are
//! classified once, right here.
//!
//! Proxies ([`ProxyConfig`]): an `http://` destination is reached by sending the
//! request to the proxy in absolute form, an `https://` one through a `CONNECT` tunnel
//! (TLS runs end to end, the proxy sees only the host name); `socks5://`, `socks5h://`,
//! `socks4://` and `socks4a://` proxies tunnel both.

use std::fmt;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};
use std::time::Duration;

use http::{Method, Request, Response, Uri};
use hyper_rustls::{HttpsConnector, MaybeHttpsStream};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::proxy::{SocksV4, SocksV5, Tunnel};
use hyper_util::client::legacy::connect::{Connected, Connection, HttpConnector};
use hyper_util::client::proxy::matcher::Matcher;
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
    /// Proxies (default none).
    pub proxy: ProxyConfig,
    /// Trust only the certificates in this PEM file (or in the PEM files of this
    /// folder) instead of the system's roots, as Python's `REQUESTS_CA_BUNDLE` does
    /// (default `None`: the system's roots, which also honour `SSL_CERT_FILE` and
    /// `SSL_CERT_DIR`). Read with the first `https://` connection.
    pub ca_bundle: Option<PathBuf>,
    /// Offer HTTP/2 to `https://` servers (default `false`: HTTP/1.1 only, as Python's
    /// `requests` and `hf_transfer` speak). HTTP/2 puts every request to a host on one
    /// TCP connection, so a download's parallel ranges would share one flow, and a CDN
    /// that limits each connection would limit them all together.
    pub http2: bool,
}

impl Default for TransportConfig {
    fn default() -> Self {
        TransportConfig {
            connect_timeout: Some(Duration::from_secs(10)),
            read_timeout: Some(Duration::from_secs(60)),
            pool_idle_timeout: Some(Duration::from_secs(90)),
            pool_max_idle_per_host: 32,
            proxy: ProxyConfig::none(),
            ca_bundle: None,
            http2: false,
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

    /// Sets the proxies.
    pub fn proxy(mut self, proxy: ProxyConfig) -> Self {
        self.proxy = proxy;
        self
    }

    /// Sets the CA bundle that replaces the system's roots (`None`: the system's).
    pub fn ca_bundle(mut self, bundle: Option<PathBuf>) -> Self {
        self.ca_bundle = bundle;
        self
    }

    /// Offers HTTP/2 to `https://` servers, or not (the default).
    pub fn http2(mut self, enabled: bool) -> Self {
        self.http2 = enabled;
        self
    }
}

/// Which proxy each request goes through, with the meaning `requests` and curl give
/// `ALL_PROXY`, `HTTP_PROXY`, `HTTPS_PROXY` and `NO_PROXY`.
///
/// A proxy is a URL: `http://[user:password@]host[:port]` (no scheme means `http://`),
/// or `socks5://` / `socks5h://` (`socks5h` leaves name resolution to the proxy), or
/// `socks4://` / `socks4a://` (the same difference; SOCKS4 has no credentials).
/// Credentials in it are sent as `Proxy-Authorization: Basic` (HTTP proxies) or in the
/// SOCKS handshake, never to the destination. The exceptions list is comma-separated:
/// host names (each also covers its subdomains), IP addresses, CIDR blocks, or `*`.
/// Requests to an `http://` destination, headers included, are readable by the proxy
/// that forwards them; an `https://` destination (the Hub's) is tunnelled, encrypted.
///
/// ```
/// use hf_http::transport::{ProxyConfig, TransportConfig};
/// let proxy = ProxyConfig::none()
///     .https("http://user:secret@proxy.corp:3128")
///     .no_proxy("localhost,.internal.corp");
/// assert!(!format!("{proxy:?}").contains("secret"));
/// assert_eq!(
///     proxy.to_string(),
///     "https=http://proxy.corp:3128, no_proxy=localhost,.internal.corp"
/// );
/// let config = TransportConfig::default().proxy(proxy);
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ProxyConfig {
    all: Option<String>,
    http: Option<String>,
    https: Option<String>,
    no_proxy: Option<String>,
}

impl fmt::Debug for ProxyConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Proxy URLs may carry a password: show only where they point.
        let shown = |v: &Option<String>| v.as_deref().map(without_credentials);
        f.debug_struct("ProxyConfig")
            .field("all", &shown(&self.all))
            .field("http", &shown(&self.http))
            .field("https", &shown(&self.https))
            .field("no_proxy", &self.no_proxy)
            .finish()
    }
}

/// `none`, or the proxies set, without credentials:
/// `https=http://proxy:3128, no_proxy=localhost`.
impl fmt::Display for ProxyConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_none() {
            return f.write_str("none");
        }
        let mut parts = Vec::new();
        for (name, value) in [
            ("all", &self.all),
            ("http", &self.http),
            ("https", &self.https),
        ] {
            if let Some(url) = value {
                parts.push(format!("{name}={}", without_credentials(url)));
            }
        }
        if let Some(list) = &self.no_proxy {
            parts.push(format!("no_proxy={list}"));
        }
        f.write_str(&parts.join(", "))
    }
}

impl ProxyConfig {
    /// No proxy: every connection is direct.
    pub fn none() -> Self {
        ProxyConfig::default()
    }

    /// The proxy for every destination that has no proxy of its own (`ALL_PROXY`).
    pub fn all(mut self, url: impl Into<String>) -> Self {
        self.all = non_empty(url.into());
        self
    }

    /// The proxy for `http://` destinations (`HTTP_PROXY`).
    pub fn http(mut self, url: impl Into<String>) -> Self {
        self.http = non_empty(url.into());
        self
    }

    /// The proxy for `https://` destinations (`HTTPS_PROXY`).
    pub fn https(mut self, url: impl Into<String>) -> Self {
        self.https = non_empty(url.into());
        self
    }

    /// The destinations reached directly (`NO_PROXY`).
    pub fn no_proxy(mut self, list: impl Into<String>) -> Self {
        self.no_proxy = non_empty(list.into());
        self
    }

    /// Whether no proxy is set.
    pub fn is_none(&self) -> bool {
        self.all.is_none() && self.http.is_none() && self.https.is_none()
    }

    /// Checks every proxy URL and builds the matcher (`None` without proxies).
    fn matcher(&self) -> Result<Option<Matcher>, Error> {
        if self.is_none() {
            return Ok(None);
        }
        // Each URL, checked; an empty one leaves that proxy unset.
        let checked = |name: &str, value: &Option<String>| -> Result<String, Error> {
            let Some(url) = value else {
                return Ok(String::new());
            };
            // Without a scheme, `http://` is meant (as `requests` reads it).
            let url = if url.contains("://") {
                url.clone()
            } else {
                format!("http://{url}")
            };
            check_proxy_url(&url).map_err(|why| {
                Error::new(ErrorKind::Config, "invalid proxy URL")
                    .with_detail(format!("{name}={}: {why}", without_credentials(&url)))
            })?;
            Ok(url)
        };
        let mut builder = Matcher::builder()
            .all(checked("ALL_PROXY", &self.all)?)
            .http(checked("HTTP_PROXY", &self.http)?)
            .https(checked("HTTPS_PROXY", &self.https)?);
        if let Some(list) = &self.no_proxy {
            builder = builder.no(list.clone());
        }
        Ok(Some(builder.build()))
    }
}

fn non_empty(s: String) -> Option<String> {
    (!s.trim().is_empty()).then(|| s.trim().to_owned())
}

/// `url` without its `user:password@` part.
fn without_credentials(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").map_or(("", url), |(s, r)| (s, r));
    let rest = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
    if scheme.is_empty() {
        rest.to_owned()
    } else {
        format!("{scheme}://{rest}")
    }
}

/// Why a proxy URL cannot be used, if it cannot.
fn check_proxy_url(url: &str) -> Result<(), String> {
    let uri: Uri = url
        .parse()
        .map_err(|_| "not a URL (expected http://host:port)".to_owned())?;
    match uri.scheme_str() {
        Some("http" | "socks5" | "socks5h") => {}
        Some("socks4" | "socks4a") => {
            if uri.authority().is_some_and(|a| a.as_str().contains('@')) {
                return Err(
                    "SOCKS4 takes no user or password; use socks5:// for a proxy \
                            that asks for them"
                        .to_owned(),
                );
            }
        }
        Some("https") => {
            return Err(
                "proxies spoken to over TLS (https://) are not supported; use \
                        http://, the tunnel to an https:// destination is encrypted anyway"
                    .to_owned(),
            );
        }
        other => {
            return Err(format!(
                "the {}:// scheme is not supported (use http://, socks5://, socks5h://, \
                 socks4:// or socks4a://)",
                other.unwrap_or_default()
            ));
        }
    }
    match uri.authority() {
        Some(a) if !a.host().is_empty() => Ok(()),
        _ => Err("no host (expected http://host:port)".to_owned()),
    }
}

/// The default transport service (`Request<HfBody>` -> `Response<ResponseBody>`).
///
/// Cheap to clone; clones share the connection pool.
#[derive(Clone)]
pub struct HyperTransport {
    client: Client<LazyTls, HfBody>,
    read_timeout: Option<Duration>,
    proxy: Option<Arc<Matcher>>,
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
    /// [`ErrorKind::Config`] if they cannot be loaded). Fails with
    /// [`ErrorKind::Config`] on a proxy URL that cannot be used.
    pub fn new(config: &TransportConfig) -> Result<Self, Error> {
        let proxy = config.proxy.matcher()?.map(Arc::new);
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_nodelay(true);
        http.set_connect_timeout(config.connect_timeout);
        let https = LazyTls {
            connector: ProxyConnector {
                http,
                proxy: proxy.clone(),
            },
            ca_bundle: config.ca_bundle.clone(),
            http2: config.http2,
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
            proxy,
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

    fn call(&mut self, mut req: Request<HfBody>) -> ResponseFuture {
        let method = req.method().clone();
        let uri = req.uri().clone();
        let via = self.proxy.as_ref().and_then(|m| m.intercept(&uri));
        if let Some(proxy) = &via
            && uri.scheme() == Some(&http::uri::Scheme::HTTP)
            && proxy.uri().scheme() == Some(&http::uri::Scheme::HTTP)
            && let Some(auth) = proxy.basic_auth()
        {
            // Forwarded in the clear: the proxy reads its credentials from the request.
            req.headers_mut()
                .insert(http::header::PROXY_AUTHORIZATION, auth.clone());
        }
        let via = via.map(|p| p.uri().clone());
        let read_timeout = match req.extensions().get::<ReadTimeout>() {
            Some(ReadTimeout(limit)) => *limit,
            None => self.read_timeout,
        };
        ResponseFuture {
            inner: self.client.request(req),
            method,
            uri,
            read_timeout,
            via,
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
        // The proxy the request goes through (no credentials in it), for error messages.
        via: Option<Uri>,
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
                let mut err = classify(e);
                if let Some(proxy) = this.via.as_ref() {
                    err = err.with_detail(format!(
                        "through the proxy {}; check it and NO_PROXY",
                        without_credentials(&proxy.to_string()).trim_end_matches('/')
                    ));
                }
                Poll::Ready(Err(err.with_request(this.method, this.uri)))
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
    connector: ProxyConnector,
    ca_bundle: Option<PathBuf>,
    http2: bool,
    tls: Arc<OnceLock<Result<HttpsConnector<ProxyConnector>, TlsSetupError>>>,
}

impl fmt::Debug for LazyTls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LazyTls")
            .field("tls_ready", &self.tls.get().is_some())
            .finish_non_exhaustive()
    }
}

/// The TLS roots could not be loaded (the message says which and what to do).
#[derive(Debug, Clone)]
struct TlsSetupError(String);

impl fmt::Display for TlsSetupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A TLS client configuration that trusts the certificates of `bundle` only.
fn bundle_config(bundle: &Path) -> Result<rustls::ClientConfig, TlsSetupError> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject as _;
    let fail = |why: String| {
        TlsSetupError(format!(
            "cannot use the CA bundle {} ({why}); point REQUESTS_CA_BUNDLE (or the \
             client's ca_bundle) at a PEM file of certificates",
            bundle.display()
        ))
    };
    let files = if bundle.is_dir() {
        let mut files: Vec<PathBuf> = std::fs::read_dir(bundle)
            .map_err(|e| fail(e.to_string()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file())
            .collect();
        files.sort();
        files
    } else {
        vec![bundle.to_owned()]
    };
    let mut roots = rustls::RootCertStore::empty();
    for file in &files {
        let certs = match CertificateDer::pem_file_iter(file) {
            Ok(certs) => certs,
            // In a folder, files that are not PEM are skipped, as OpenSSL does.
            Err(_) if files.len() > 1 => continue,
            Err(e) => return Err(fail(e.to_string())),
        };
        for cert in certs.flatten() {
            roots.add(cert).map_err(|e| fail(e.to_string()))?;
        }
    }
    if roots.is_empty() {
        return Err(fail("no certificate found in it".to_owned()));
    }
    Ok(rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| fail(e.to_string()))?
    .with_root_certificates(roots)
    .with_no_client_auth())
}

impl std::error::Error for TlsSetupError {}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

impl Service<Uri> for LazyTls {
    type Response = MaybeHttpsStream<ProxiedIo>;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        // Both connectors are always ready.
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, uri: Uri) -> Self::Future {
        if uri.scheme() == Some(&http::uri::Scheme::HTTP) {
            let connecting = self.connector.call(uri);
            return Box::pin(async move { Ok(MaybeHttpsStream::Http(connecting.await?)) });
        }
        let http = self.connector.clone();
        let bundle = self.ca_bundle.as_deref();
        let http2 = self.http2;
        let tls = self.tls.get_or_init(|| {
            let builder = match bundle {
                Some(bundle) => hyper_rustls::HttpsConnectorBuilder::new()
                    .with_tls_config(bundle_config(bundle)?),
                None => hyper_rustls::HttpsConnectorBuilder::new()
                    .with_provider_and_native_roots(rustls::crypto::ring::default_provider())
                    .map_err(|e| {
                        TlsSetupError(format!(
                            "cannot load the system's TLS certificate roots ({e}); install \
                             the CA certificates package (ca-certificates), or set \
                             REQUESTS_CA_BUNDLE to a PEM file of certificates"
                        ))
                    })?,
            };
            let builder = builder.https_or_http().enable_http1();
            Ok(if http2 {
                builder.enable_http2().wrap_connector(http)
            } else {
                builder.wrap_connector(http)
            })
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

/// Connects to a destination directly or through its proxy; under TLS for `https://`
/// destinations (the TLS layer wraps it).
#[derive(Clone)]
struct ProxyConnector {
    http: HttpConnector,
    proxy: Option<Arc<Matcher>>,
}

impl Service<Uri> for ProxyConnector {
    type Response = ProxiedIo;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<ProxiedIo, BoxError>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, dst: Uri) -> Self::Future {
        let Some(proxy) = self.proxy.as_ref().and_then(|m| m.intercept(&dst)) else {
            let connecting = self.http.call(dst);
            return Box::pin(async move { Ok(ProxiedIo::direct(connecting.await?)) });
        };
        let proxy_uri = proxy.uri().clone();
        match proxy_uri.scheme_str() {
            Some(scheme @ ("socks5" | "socks5h")) => {
                let mut socks = SocksV5::new(proxy_uri.clone(), self.http.clone())
                    .local_dns(scheme == "socks5");
                if let Some((user, password)) = proxy.raw_auth() {
                    socks = socks.with_auth(user.to_owned(), password.to_owned());
                }
                let connecting = socks.call(with_default_port(dst));
                Box::pin(async move { Ok(ProxiedIo::direct(connecting.await?)) })
            }
            Some(scheme @ ("socks4" | "socks4a")) => {
                let mut socks = SocksV4::new(proxy_uri.clone(), self.http.clone())
                    .local_dns(scheme == "socks4");
                let connecting = socks.call(with_default_port(dst));
                Box::pin(async move { Ok(ProxiedIo::direct(connecting.await?)) })
            }
            _ if dst.scheme() == Some(&http::uri::Scheme::HTTP) => {
                // To the proxy itself; hyper then sends requests in absolute form.
                let connecting = self.http.call(proxy_uri);
                Box::pin(async move {
                    Ok(ProxiedIo {
                        io: connecting.await?,
                        forward: true,
                    })
                })
            }
            _ => {
                let mut tunnel = Tunnel::new(proxy_uri, self.http.clone());
                if let Some(auth) = proxy.basic_auth() {
                    tunnel = tunnel.with_auth(auth.clone());
                }
                let connecting = tunnel.call(dst);
                Box::pin(async move { Ok(ProxiedIo::direct(connecting.await?)) })
            }
        }
    }
}

/// `dst` with its port spelled out: hyper-util's SOCKS handshakes take 443 for a
/// destination without one, `http://` ones included.
fn with_default_port(dst: Uri) -> Uri {
    let (Some(host), None) = (dst.host(), dst.port()) else {
        return dst;
    };
    let port = if dst.scheme() == Some(&http::uri::Scheme::HTTP) {
        80
    } else {
        443
    };
    let Ok(authority) = format!("{host}:{port}").parse() else {
        return dst;
    };
    let mut parts = dst.clone().into_parts();
    parts.authority = Some(authority);
    Uri::from_parts(parts).unwrap_or(dst)
}

/// A TCP connection that tells hyper whether it leads to a forwarding proxy (whose
/// requests must carry absolute URLs).
struct ProxiedIo {
    io: TokioIo<TcpStream>,
    forward: bool,
}

impl ProxiedIo {
    fn direct(io: TokioIo<TcpStream>) -> Self {
        ProxiedIo { io, forward: false }
    }
}

impl Connection for ProxiedIo {
    fn connected(&self) -> Connected {
        self.io.connected().proxy(self.forward)
    }
}

impl hyper::rt::Read for ProxiedIo {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_read(cx, buf)
    }
}

impl hyper::rt::Write for ProxiedIo {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_shutdown(cx)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write_vectored(cx, bufs)
    }
}

/// Classifies a hyper-util client error once, so the retry policy never downcasts.
fn classify(err: hyper_util::client::legacy::Error) -> Error {
    if let Some(setup) = chain_find::<TlsSetupError>(&err) {
        let setup = setup.clone();
        return Error::new(ErrorKind::Config, setup).not_sent();
    }
    if let Some(why) = certificate_refusal(&err) {
        // A refused certificate stays refused: failing at once beats retrying until a
        // deadline and reporting a timeout.
        return Error::new(ErrorKind::Config, err)
            .with_detail(why)
            .not_sent();
    }
    if let Some(why) = proxy_refusal(&err) {
        // Sending again cannot help: a configuration error, not retried.
        return Error::new(ErrorKind::Config, err)
            .with_detail(why)
            .not_sent();
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

/// Why the server's certificate was refused, when it was. The TLS error sits in
/// `io::Error`s nested in one another (an `io::Error`'s `source` skips its inner error),
/// so each link is unwrapped down to the innermost error.
fn certificate_refusal(err: &(dyn std::error::Error + 'static)) -> Option<String> {
    chain(err).find_map(|e| {
        let mut inner: &(dyn std::error::Error + 'static) = e;
        while let Some(wrapped) = inner
            .downcast_ref::<std::io::Error>()
            .and_then(std::io::Error::get_ref)
        {
            inner = wrapped;
        }
        match inner.downcast_ref::<rustls::Error>()? {
            rustls::Error::InvalidCertificate(why) => Some(format!(
                "the server's TLS certificate was refused ({why:?}); if a proxy or a private \
                 endpoint uses its own certificate authority, point REQUESTS_CA_BUNDLE (or \
                 CURL_CA_BUNDLE) at its PEM file"
            )),
            _ => None,
        }
    })
}

/// Why the proxy refused us, when it refused our credentials (or the lack of them).
/// hyper-util does not export its tunnel and SOCKS error types, so their messages are
/// matched; should they change, the failure stays a (retried) connect error.
fn proxy_refusal(err: &(dyn std::error::Error + 'static)) -> Option<&'static str> {
    chain(err).find_map(|e| {
        let text = e.to_string();
        if text.ends_with("proxy authorization required") {
            Some(
                "the proxy answered 407 Proxy Authentication Required: put the user and \
                 password in the proxy URL (http://user:password@host:port)",
            )
        } else if text.contains("credentials not accepted")
            || text.contains("does not support user/pass authentication")
            || text.contains("implements authentication incorrectly")
        {
            Some(
                "the SOCKS proxy refused the authentication: check the user and password \
                 in the proxy URL (socks5://user:password@host:port)",
            )
        } else {
            None
        }
    })
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

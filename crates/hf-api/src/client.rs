//! [`HfApi`] and its builder.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use hf_http::auth::{TokenOrigin, resolve_token};
use hf_http::http::{HeaderName, HeaderValue, Request, Response};
use hf_http::transport::{ProxyConfig, TransportConfig};
use hf_http::{
    BoxError, HfBody, HttpService, HubClient, ResponseBody, RetryConfig, StackBuilder, Token,
    TokenSource, UserAgent,
};
use tower_layer::Layer;
use tower_service::Service;

use crate::config::{Environment, Settings};
use crate::error::Error;

type StackFn = Box<dyn FnOnce(StackBuilder) -> StackBuilder + Send>;

/// Builder of [`HfApi`]; consuming setters, then [`build`](HfApiBuilder::build).
///
/// Defaults come from the environment given to it ([`HfApi::builder`]: the process
/// environment; [`HfApiBuilder::new`]: none), resolved by
/// [`Settings::resolve`](crate::config::Settings::resolve).
#[must_use]
pub struct HfApiBuilder {
    env: Environment,
    endpoint: Option<String>,
    token: TokenSource,
    library_name: Option<String>,
    library_version: Option<String>,
    user_agent: Vec<String>,
    headers: Vec<(HeaderName, HeaderValue)>,
    cache_dir: Option<PathBuf>,
    offline: Option<bool>,
    inference_endpoints_url: Option<String>,
    etag_timeout: Option<Duration>,
    download_timeout: Option<Duration>,
    proxy: Option<ProxyConfig>,
    ca_bundle: CaBundle,
    http2: bool,
    read_timeout: ReadTimeout,
    stack: Vec<StackFn>,
}

/// The builder's body read timeout.
#[derive(Debug, Clone, Copy)]
enum ReadTimeout {
    /// The transport's default (60 s).
    Default,
    /// Set on the builder (`None`: no limit).
    Given(Option<Duration>),
}

/// Where the builder's CA bundle comes from.
#[derive(Debug)]
enum CaBundle {
    /// `REQUESTS_CA_BUNDLE` / `CURL_CA_BUNDLE`, else the system's roots.
    FromEnvironment,
    /// Set on the builder (`None`: the system's roots).
    Given(Option<PathBuf>),
}

impl fmt::Debug for HfApiBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HfApiBuilder")
            .field("env", &self.env)
            .field("endpoint", &self.endpoint)
            .field("token", &self.token)
            .field("library_name", &self.library_name)
            .field("library_version", &self.library_version)
            .field("user_agent", &self.user_agent)
            .field("cache_dir", &self.cache_dir)
            .field("offline", &self.offline)
            .field("etag_timeout", &self.etag_timeout)
            .field("download_timeout", &self.download_timeout)
            .field("proxy", &self.proxy)
            .field("ca_bundle", &self.ca_bundle)
            .field("http2", &self.http2)
            .field("read_timeout", &self.read_timeout)
            .field("stack_changes", &self.stack.len())
            .finish_non_exhaustive()
    }
}

impl Default for HfApiBuilder {
    fn default() -> Self {
        HfApiBuilder::new()
    }
}

impl HfApiBuilder {
    /// A builder that reads no environment variable and no token file: endpoint
    /// `https://huggingface.co`, no token unless [`token`](HfApiBuilder::token) is called,
    /// cache under `~/.cache/huggingface/hub` (only the home directory is looked up).
    pub fn new() -> Self {
        HfApiBuilder::with_environment(Environment::empty()).no_token()
    }

    /// A builder whose defaults come from `env` (as the Python client reads them).
    pub fn with_environment(env: Environment) -> Self {
        HfApiBuilder {
            env,
            endpoint: None,
            token: TokenSource::Implicit,
            library_name: None,
            library_version: None,
            user_agent: Vec::new(),
            headers: Vec::new(),
            cache_dir: None,
            offline: None,
            inference_endpoints_url: None,
            etag_timeout: None,
            download_timeout: None,
            proxy: None,
            ca_bundle: CaBundle::FromEnvironment,
            http2: false,
            read_timeout: ReadTimeout::Default,
            stack: Vec::new(),
        }
    }

    /// The Hub endpoint (default: `HF_ENDPOINT`, else `https://huggingface.co`).
    pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = Some(endpoint.into());
        self
    }

    /// Sends this token (to the endpoint's origin only).
    pub fn token(mut self, token: Token) -> Self {
        self.token = TokenSource::Explicit(token);
        self
    }

    /// Chooses where the token comes from (default [`TokenSource::Implicit`]: `HF_TOKEN`,
    /// `HUGGING_FACE_HUB_TOKEN`, then the token file, unless
    /// `HF_HUB_DISABLE_IMPLICIT_TOKEN`).
    pub fn token_source(mut self, source: TokenSource) -> Self {
        self.token = source;
        self
    }

    /// Sends no token at all.
    pub fn no_token(mut self) -> Self {
        self.token = TokenSource::None;
        self
    }

    /// Your library's name, first in the user agent (`name/version`).
    pub fn library_name(mut self, name: impl Into<String>) -> Self {
        self.library_name = Some(name.into());
        self
    }

    /// Your library's version (shown only with a [`library_name`](HfApiBuilder::library_name)).
    pub fn library_version(mut self, version: impl Into<String>) -> Self {
        self.library_version = Some(version.into());
        self
    }

    /// An extra user-agent part (`key/value` or free text), appended after ours.
    pub fn user_agent(mut self, part: impl Into<String>) -> Self {
        self.user_agent.push(part.into());
        self
    }

    /// A header sent with every request (it overrides generated ones). Credential headers
    /// (`Authorization`, `Cookie`) go only to the endpoint's origin.
    pub fn header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.push((name, value));
        self
    }

    /// The hub cache directory (default: `HF_HUB_CACHE`, else `$HF_HOME/hub`). Stored only;
    /// nothing is created.
    pub fn cache_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.cache_dir = Some(dir.into());
        self
    }

    /// The Inference Endpoints API (default
    /// [`INFERENCE_ENDPOINTS_URL`](crate::api::endpoints::INFERENCE_ENDPOINTS_URL); like
    /// Python, `HF_ENDPOINT` does not change it). The client's token is sent there too.
    pub fn inference_endpoints_url(mut self, url: impl Into<String>) -> Self {
        self.inference_endpoints_url = Some(url.into().trim_end_matches('/').to_owned());
        self
    }

    /// Offline mode (default: `HF_HUB_OFFLINE`, read once here, at build time).
    ///
    /// An offline client sends nothing: downloads answer from the cache only, and every
    /// other call fails with [`Error::OfflineMode`] before a request leaves the client,
    /// as Python's client does under `HF_HUB_OFFLINE`. A download's own
    /// `.offline(false)` cannot override it (its requests would be refused too).
    pub fn offline(mut self, offline: bool) -> Self {
        self.offline = Some(offline);
        self
    }

    /// The retry settings.
    pub fn retry(mut self, config: RetryConfig) -> Self {
        self.stack.push(Box::new(move |s| s.retry(config)));
        self
    }

    /// Default limit of a download's metadata request (`etag_timeout`; default
    /// `HF_HUB_ETAG_TIMEOUT` or 10 s). A download's own
    /// [`etag_timeout`](crate::DownloadOptions::etag_timeout) takes precedence.
    pub fn etag_timeout(mut self, timeout: Duration) -> Self {
        self.etag_timeout = Some(timeout);
        self
    }

    /// Limit on the wait for a file's content, both for the response headers and between
    /// two reads of the body (default `HF_HUB_DOWNLOAD_TIMEOUT` or 10 s). A download whose
    /// body stalls longer than this resumes from the byte where it stopped.
    pub fn download_timeout(mut self, timeout: Duration) -> Self {
        self.download_timeout = Some(timeout);
        self
    }

    /// The proxies (default: from `HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY` and
    /// `NO_PROXY`, see [`Settings`](crate::config::Settings)); `ProxyConfig::none()`
    /// connects directly whatever the environment says. A proxy URL that cannot be used
    /// fails [`build`](HfApiBuilder::build).
    ///
    /// ```
    /// use hf_api::http::transport::ProxyConfig;
    /// let api = hf_api::HfApi::builder()
    ///     .proxy(ProxyConfig::none().all("http://proxy.corp:3128").no_proxy("localhost"))
    ///     .build()?;
    /// # Ok::<(), hf_api::Error>(())
    /// ```
    pub fn proxy(mut self, proxy: ProxyConfig) -> Self {
        self.proxy = Some(proxy);
        self
    }

    /// The certificates to trust instead of the system's roots: a PEM file, or a folder
    /// of them (default: `REQUESTS_CA_BUNDLE`, else `CURL_CA_BUNDLE`, else the system's
    /// roots); `None` uses the system's roots whatever the environment says.
    pub fn ca_bundle(mut self, bundle: Option<PathBuf>) -> Self {
        self.ca_bundle = CaBundle::Given(bundle);
        self
    }

    /// Offers HTTP/2 to `https://` servers (default: HTTP/1.1 only, as Python). With
    /// HTTP/2, every request to a host shares one TCP connection, a download's parallel
    /// ranges included, so a CDN that limits each connection limits them all.
    pub fn http2(mut self, enabled: bool) -> Self {
        self.http2 = enabled;
        self
    }

    /// Longest wait between two reads of a response body (default 60 s; `None`: no
    /// limit). An answer that stalls longer fails with a timeout, and is retried when
    /// the request may be sent again (an API call's JSON answer is read within the
    /// retried attempt). File downloads use
    /// [`download_timeout`](HfApiBuilder::download_timeout) instead.
    ///
    /// ```
    /// use std::time::Duration;
    /// let api = hf_api::HfApi::builder()
    ///     .read_timeout(Some(Duration::from_secs(20)))
    ///     .build()?;
    /// # Ok::<(), hf_api::Error>(())
    /// ```
    pub fn read_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.read_timeout = ReadTimeout::Given(timeout);
        self
    }

    /// Time limit of each attempt until the response headers arrive.
    pub fn attempt_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.stack
            .push(Box::new(move |s| s.attempt_timeout(timeout)));
        self
    }

    /// Adds a tower layer inside the stack: it sees every request on the wire (each retry
    /// and redirect hop). See [`StackBuilder::layer`].
    pub fn layer<L>(mut self, layer: L) -> Self
    where
        L: Layer<HttpService> + Send + 'static,
        L::Service: Service<Request<HfBody>, Response = Response<ResponseBody>>
            + Clone
            + Send
            + Sync
            + 'static,
        <L::Service as Service<Request<HfBody>>>::Error: Into<BoxError>,
        <L::Service as Service<Request<HfBody>>>::Future: Send + 'static,
    {
        self.stack.push(Box::new(move |s| s.layer(layer)));
        self
    }

    /// Replaces the HTTP transport. See [`StackBuilder::transport`].
    pub fn transport<S, B>(mut self, service: S) -> Self
    where
        S: Service<Request<HfBody>, Response = Response<B>> + Clone + Send + Sync + 'static,
        S::Error: Into<BoxError>,
        S::Future: Send + 'static,
        B: hf_http::http_body::Body<Data = bytes::Bytes> + Send + 'static,
        B::Error: Into<BoxError>,
    {
        self.stack.push(Box::new(move |s| s.transport(service)));
        self
    }

    /// Builds the blocking client ([`crate::blocking::HfApi`]).
    #[cfg(feature = "blocking")]
    pub fn build_blocking(self) -> Result<crate::blocking::HfApi, Error> {
        self.build().map(crate::blocking::HfApi::from)
    }

    /// Builds the client. Fails on an invalid endpoint or when TLS roots cannot load.
    pub fn build(self) -> Result<HfApi, Error> {
        let settings = Settings::resolve(&self.env);
        let lookup = |name: &str| self.env.get(name);
        let resolved = resolve_token(&self.token, &lookup);
        // `whoami` falls back to the stored token even when implicit tokens are disabled
        // (Python: `token or self.token or True`).
        let whoami_token = match (&resolved, &self.token) {
            (None, TokenSource::Implicit) => resolve_token(&TokenSource::Stored, &lookup),
            _ => None,
        };
        let endpoint = self.endpoint.unwrap_or(settings.endpoint);
        let offline = self.offline.unwrap_or(settings.offline);
        let mut ua = UserAgent::new();
        if let Some(name) = self.library_name {
            ua = ua.library(name, self.library_version);
        }
        for part in self.user_agent {
            ua = ua.push(part);
        }
        let inference_endpoints = self
            .inference_endpoints_url
            .unwrap_or_else(|| crate::api::endpoints::INFERENCE_ENDPOINTS_URL.to_owned());
        let transport = TransportConfig::default()
            .proxy(self.proxy.unwrap_or(settings.proxy))
            .ca_bundle(match self.ca_bundle {
                CaBundle::FromEnvironment => settings.ca_bundle,
                CaBundle::Given(bundle) => bundle,
            })
            .http2(self.http2);
        let transport = match self.read_timeout {
            ReadTimeout::Given(limit) => transport.read_timeout(limit),
            ReadTimeout::Default => transport,
        };
        let mut stack = HubClient::builder(endpoint)
            .transport_config(transport)
            .token(resolved.as_ref().map(|(t, _)| t.clone()))
            .token_also_for(inference_endpoints.clone())
            .user_agent(ua);
        for (name, value) in self.headers {
            stack = stack.header(name, value);
        }
        if offline {
            // First of the inner layers: user layers below it never see a request.
            stack = stack.layer(OfflineLayer);
        }
        for change in self.stack {
            stack = change(stack);
        }
        let client = stack.build()?;
        Ok(HfApi {
            inner: Arc::new(Inner {
                client,
                cache_dir: self.cache_dir.unwrap_or(settings.cache_dir),
                token_origin: resolved.map(|(_, o)| o),
                whoami_token: whoami_token.map(|(t, _)| t),
                offline,
                inference_endpoints,
                etag_timeout: self.etag_timeout.unwrap_or(settings.etag_timeout),
                download_timeout: self.download_timeout.unwrap_or(settings.download_timeout),
            }),
        })
    }
}

/// The Hub client. Cheap to clone (an `Arc`); clones share connections.
///
/// ```no_run
/// # async fn demo() -> Result<(), hf_api::Error> {
/// let api = hf_api::HfApi::builder().library_name("my-app").build()?;
/// let me = api.whoami().await?;
/// println!("logged in as {}", me.name);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct HfApi {
    inner: Arc<Inner>,
}

struct Inner {
    client: HubClient,
    cache_dir: PathBuf,
    token_origin: Option<TokenOrigin>,
    whoami_token: Option<Token>,
    offline: bool,
    inference_endpoints: String,
    etag_timeout: Duration,
    download_timeout: Duration,
}

impl fmt::Debug for HfApi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HfApi")
            .field("endpoint", &self.endpoint())
            .field("cache_dir", &self.inner.cache_dir)
            .field("token", &self.inner.token_origin)
            .field("offline", &self.inner.offline)
            .finish_non_exhaustive()
    }
}

impl HfApi {
    /// A builder with defaults from the process environment.
    pub fn builder() -> HfApiBuilder {
        HfApiBuilder::with_environment(Environment::from_process())
    }

    /// A client with every default from the process environment.
    pub fn new() -> Result<HfApi, Error> {
        HfApi::builder().build()
    }

    /// The endpoint, without a trailing slash.
    pub fn endpoint(&self) -> &str {
        self.inner.client.endpoint()
    }

    /// The hub cache directory.
    pub fn cache_dir(&self) -> &Path {
        &self.inner.cache_dir
    }

    /// Where the token this client sends came from (`None`: it sends none).
    pub fn token_origin(&self) -> Option<&TokenOrigin> {
        self.inner.token_origin.as_ref()
    }

    /// The HTTP client underneath, for endpoints this crate does not wrap.
    pub fn http(&self) -> &HubClient {
        &self.inner.client
    }

    /// The default limit of a download's metadata request (see
    /// [`HfApiBuilder::etag_timeout`]).
    pub fn etag_timeout(&self) -> Duration {
        self.inner.etag_timeout
    }

    /// The limit on the wait for a file's content (see
    /// [`HfApiBuilder::download_timeout`]).
    pub fn download_timeout(&self) -> Duration {
        self.inner.download_timeout
    }

    /// Whether this client is in offline mode (see [`HfApiBuilder::offline`]).
    pub fn is_offline(&self) -> bool {
        self.inner.offline
    }

    /// Fails with [`Error::OfflineMode`] when this client is offline; `what` names the
    /// call, for calls that check before doing any local work.
    pub(crate) fn ensure_online(&self, what: &str) -> Result<(), Error> {
        if self.inner.offline {
            return Err(Error::OfflineMode {
                message: format!("offline mode is on, so {what} cannot run; {OFFLINE_HINT}"),
            });
        }
        Ok(())
    }

    /// The Inference Endpoints API base (no trailing `/`).
    pub(crate) fn inference_endpoints_url(&self) -> &str {
        &self.inner.inference_endpoints
    }

    pub(crate) fn whoami_fallback_token(&self) -> Option<&Token> {
        self.inner.whoami_token.as_ref()
    }
}

/// What to do about an offline client.
const OFFLINE_HINT: &str = "unset HF_HUB_OFFLINE or build the client with .offline(false)";

/// Why a request of an offline client was not sent. It travels as the source of an
/// [`hf_http::Error`] and becomes [`Error::OfflineMode`].
#[derive(Debug)]
pub(crate) struct OfflineRequest {
    method: hf_http::http::Method,
    url: hf_http::RedactedUrl,
}

impl fmt::Display for OfflineRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "offline mode is on, so {} {} was not sent; {OFFLINE_HINT}",
            self.method, self.url
        )
    }
}

impl std::error::Error for OfflineRequest {}

/// Refuses every request (offline mode). Every request of the client, whichever
/// builder or download step made it, passes through the client's stack, so this is
/// the one place where offline mode is enforced for all of them.
#[derive(Debug, Clone, Copy)]
struct OfflineLayer;

impl<S> Layer<S> for OfflineLayer {
    type Service = OfflineService;

    fn layer(&self, _inner: S) -> OfflineService {
        OfflineService
    }
}

/// The service of [`OfflineLayer`].
#[derive(Debug, Clone, Copy)]
struct OfflineService;

impl Service<Request<HfBody>> for OfflineService {
    type Response = Response<ResponseBody>;
    type Error = hf_http::Error;
    type Future = std::future::Ready<Result<Response<ResponseBody>, hf_http::Error>>;

    fn poll_ready(
        &mut self,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), hf_http::Error>> {
        std::task::Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: Request<HfBody>) -> Self::Future {
        // `InvalidRequest`: never retried, and known not to have been sent.
        std::future::ready(Err(hf_http::Error::new(
            hf_http::ErrorKind::InvalidRequest,
            OfflineRequest {
                method: req.method().clone(),
                url: hf_http::RedactedUrl::new(req.uri()),
            },
        )))
    }
}

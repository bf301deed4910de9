//! Assembling the stack: [`StackBuilder`] and [`HubClient`].

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures_core::Stream;
use http::header::{AUTHORIZATION, COOKIE, HeaderName, HeaderValue, PROXY_AUTHORIZATION};
use http::{HeaderMap, Request, Response, Uri};
use http_body::Body;
use serde::de::DeserializeOwned;
use tower::ServiceBuilder;
use tower::ServiceExt;
use tower::util::BoxCloneSyncService;
use tower_layer::Layer;
use tower_service::Service;

use crate::auth::{AddHubTokenLayer, Token};
use crate::body::{HfBody, ResponseBody};
use crate::error::{BoxError, Error, ErrorKind};
use crate::hub_error::MapHubErrorLayer;
use crate::redirect::HubRedirectPolicy;
use crate::retry::{HubRetryPolicy, RetryConfig};
use crate::timeout::TimeoutLayer;
use crate::trace::TraceLayer;
use crate::user_agent::UserAgent;

/// The type-erased stack (and the type of every slot in it): clone, send and share it.
pub type HttpService = BoxCloneSyncService<Request<HfBody>, Response<ResponseBody>, Error>;

type LayerFn = Box<dyn FnOnce(HttpService) -> HttpService + Send>;

/// Builds a [`HubClient`]: the fixed default layer order with a slot for your layers and a
/// replaceable transport. See the [crate docs](crate) for the order.
///
/// ```no_run
/// # async fn demo() -> Result<(), hf_http::Error> {
/// use std::time::Duration;
/// let client = hf_http::HubClient::builder("https://huggingface.co")
///     .token(hf_http::Token::new("hf_..."))
///     .attempt_timeout(Some(Duration::from_secs(30)))
///     .build()?;
/// let res = client.send(http::Request::get(client.url("/api/whoami-v2")?).body(hf_http::HfBody::empty()).unwrap()).await?;
/// # let _ = res; Ok(()) }
/// ```
pub struct StackBuilder {
    endpoint: String,
    token: Option<Token>,
    headers: HeaderMap,
    user_agent: UserAgent,
    retry: RetryConfig,
    max_redirects: usize,
    attempt_timeout: Option<Duration>,
    request_timeout: Option<Duration>,
    #[cfg(feature = "hyper-client")]
    transport_config: crate::transport::TransportConfig,
    transport: Option<HttpService>,
    layers: Vec<LayerFn>,
    token_also_for: Vec<String>,
}

impl fmt::Debug for StackBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StackBuilder")
            .field("endpoint", &self.endpoint)
            .field("token", &self.token)
            .field("user_agent", &self.user_agent)
            .field("retry", &self.retry)
            .field("max_redirects", &self.max_redirects)
            .field("attempt_timeout", &self.attempt_timeout)
            .field("request_timeout", &self.request_timeout)
            .field("custom_transport", &self.transport.is_some())
            .field("layers", &self.layers.len())
            .finish_non_exhaustive()
    }
}

impl StackBuilder {
    /// A builder for this endpoint (e.g. `https://huggingface.co`); a trailing `/` is
    /// dropped. The endpoint is validated by [`build`](StackBuilder::build).
    pub fn new(endpoint: impl Into<String>) -> Self {
        StackBuilder {
            endpoint: endpoint.into(),
            token: None,
            headers: HeaderMap::new(),
            user_agent: UserAgent::new(),
            retry: RetryConfig::default(),
            max_redirects: 10,
            attempt_timeout: Some(Duration::from_secs(300)),
            request_timeout: None,
            #[cfg(feature = "hyper-client")]
            transport_config: crate::transport::TransportConfig::default(),
            transport: None,
            layers: Vec::new(),
            token_also_for: Vec::new(),
        }
    }

    /// Also sends the token (not the credential headers) to `url`'s origin: a second
    /// service of the same account, such as the Inference Endpoints API.
    pub fn token_also_for(mut self, url: impl Into<String>) -> Self {
        self.token_also_for.push(url.into());
        self
    }

    /// The token sent to the endpoint's origin (and nowhere else). `None`: no token.
    pub fn token(mut self, token: Option<Token>) -> Self {
        self.token = token;
        self
    }

    /// A header added to every request (overriding generated ones such as the user
    /// agent). Credential headers (`Authorization`, `Cookie`, `Proxy-Authorization`) are
    /// sent only to the endpoint's origin, like the token.
    pub fn header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.insert(name, value);
        self
    }

    /// The user agent.
    pub fn user_agent(mut self, user_agent: UserAgent) -> Self {
        self.user_agent = user_agent;
        self
    }

    /// The retry settings ([`RetryConfig::disabled`] to never retry).
    pub fn retry(mut self, config: RetryConfig) -> Self {
        self.retry = config;
        self
    }

    /// The most redirects followed per request (default 10).
    pub fn max_redirects(mut self, hops: usize) -> Self {
        self.max_redirects = hops;
        self
    }

    /// Time limit of each attempt until the response headers arrive (default 300 s).
    pub fn attempt_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.attempt_timeout = timeout;
        self
    }

    /// Time limit of the whole request, retries and their waits included (default none).
    pub fn request_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// Settings of the default transport (connect and body read timeouts, pool).
    #[cfg(feature = "hyper-client")]
    pub fn transport_config(mut self, config: crate::transport::TransportConfig) -> Self {
        self.transport_config = config;
        self
    }

    /// Replaces the default transport with any service (a test double, a client with a
    /// proxy, another TLS setup). Its errors are classified with [`Error::from_boxed`].
    pub fn transport<S, B>(mut self, service: S) -> Self
    where
        S: Service<Request<HfBody>, Response = Response<B>> + Clone + Send + Sync + 'static,
        S::Error: Into<BoxError>,
        S::Future: Send + 'static,
        B: Body<Data = Bytes> + Send + 'static,
        B::Error: Into<BoxError>,
    {
        let svc = ServiceBuilder::new()
            .map_err(|e: S::Error| Error::from_boxed(e.into()))
            .map_response(|res: Response<B>| res.map(ResponseBody::new))
            .service(service);
        self.transport = Some(BoxCloneSyncService::new(svc));
        self
    }

    /// Adds your own tower layer between the header layers and the per-attempt timeout.
    /// It sees every request on the wire: each attempt and each redirect hop, with the
    /// token and user agent already set. Layers added first are outermost.
    ///
    /// ```no_run
    /// use std::sync::{Arc, atomic::{AtomicUsize, Ordering}};
    /// let seen = Arc::new(AtomicUsize::new(0));
    /// let counter = seen.clone();
    /// let client = hf_http::HubClient::builder("https://huggingface.co")
    ///     .layer(tower::util::MapRequestLayer::new(move |req: http::Request<hf_http::HfBody>| {
    ///         counter.fetch_add(1, Ordering::Relaxed);
    ///         req
    ///     }))
    ///     .build()
    ///     .unwrap();
    /// # let _ = client;
    /// ```
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
        self.layers.push(Box::new(move |inner: HttpService| {
            let svc = ServiceBuilder::new()
                .map_err(|e: <L::Service as Service<Request<HfBody>>>::Error| {
                    Error::from_boxed(e.into())
                })
                .service(layer.layer(inner));
            BoxCloneSyncService::new(svc)
        }));
        self
    }

    /// Assembles the stack.
    pub fn build(self) -> Result<HubClient, Error> {
        let endpoint_text = self.endpoint.trim_end_matches('/').to_owned();
        let endpoint: Uri = endpoint_text.parse().map_err(|e| {
            Error::new(ErrorKind::Config, e)
                .with_detail(format!("the endpoint {endpoint_text:?} is not a valid URL"))
        })?;
        if !matches!(endpoint.scheme_str(), Some("http" | "https")) || endpoint.host().is_none() {
            return Err(Error::bare(ErrorKind::Config).with_detail(format!(
                "the endpoint {endpoint_text:?} must be an absolute http or https URL"
            )));
        }

        let mut svc = match self.transport {
            Some(t) => t,
            #[cfg(feature = "hyper-client")]
            None => BoxCloneSyncService::new(crate::transport::HyperTransport::new(
                &self.transport_config,
            )?),
            #[cfg(not(feature = "hyper-client"))]
            None => {
                return Err(Error::bare(ErrorKind::Config).with_detail(
                    "no transport: enable the `hyper-client` feature or call `transport(..)`",
                ));
            }
        };
        if let Some(t) = self.attempt_timeout {
            svc = BoxCloneSyncService::new(TimeoutLayer::new(t).layer(svc));
        }
        for layer in self.layers.into_iter().rev() {
            svc = layer(svc);
        }

        let (credentials, plain): (Vec<_>, Vec<_>) = self
            .headers
            .into_iter()
            .filter_map(|(k, v)| k.map(|k| (k, v)))
            .partition(|(k, _)| *k == AUTHORIZATION || *k == COOKIE || *k == PROXY_AUTHORIZATION);
        let plain: Arc<HeaderMap> = Arc::new(plain.into_iter().collect());
        let mut auth = AddHubTokenLayer::new(&endpoint, self.token.as_ref())?
            .credentials(credentials.into_iter().collect());
        for url in &self.token_also_for {
            let uri: Uri = url.parse().map_err(|e| {
                Error::new(ErrorKind::Config, e).with_detail("a token origin is not a valid URL")
            })?;
            auth = auth.also_for(&uri)?;
        }

        let inner = ServiceBuilder::new()
            .layer(MapHubErrorLayer::new())
            .layer(HubRetryPolicy::layer(self.retry.clone()))
            .layer(crate::retry::BufferBodyLayer)
            .layer(HubRedirectPolicy::new(self.max_redirects).layer())
            .layer(auth)
            .map_request(move |mut req: Request<HfBody>| {
                for (name, value) in plain.iter() {
                    req.headers_mut().insert(name.clone(), value.clone());
                }
                req
            })
            .layer(self.user_agent.layer())
            .service(svc);
        let mut svc = BoxCloneSyncService::new(inner);
        if let Some(t) = self.request_timeout {
            svc = BoxCloneSyncService::new(TimeoutLayer::new(t).layer(svc));
        }
        let svc = BoxCloneSyncService::new(TraceLayer::new().layer(svc));
        Ok(HubClient {
            inner: Arc::new(ClientInner {
                service: svc,
                endpoint,
                endpoint_text,
                retry: self.retry,
            }),
        })
    }
}

/// A ready-to-use Hub HTTP client: the assembled stack plus its endpoint.
///
/// Cheap to clone (an `Arc`); clones share the connection pool.
#[derive(Clone)]
pub struct HubClient {
    inner: Arc<ClientInner>,
}

struct ClientInner {
    service: HttpService,
    endpoint: Uri,
    endpoint_text: String,
    retry: RetryConfig,
}

impl fmt::Debug for HubClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HubClient")
            .field("endpoint", &self.inner.endpoint_text)
            .finish_non_exhaustive()
    }
}

impl HubClient {
    /// A [`StackBuilder`] for `endpoint`.
    pub fn builder(endpoint: impl Into<String>) -> StackBuilder {
        StackBuilder::new(endpoint)
    }

    /// The endpoint, without a trailing slash.
    pub fn endpoint(&self) -> &str {
        &self.inner.endpoint_text
    }

    /// The endpoint as a URI.
    pub fn endpoint_uri(&self) -> &Uri {
        &self.inner.endpoint
    }

    /// The retry settings of the stack, for retry loops of its users that cannot go
    /// through it (a streamed upload body can be sent only once, so its caller re-reads
    /// it and sends it again), so that they wait and report alike.
    pub fn retry_config(&self) -> &RetryConfig {
        &self.inner.retry
    }

    /// `endpoint + path_and_query` as a URI (`path_and_query` starts with `/`).
    pub fn url(&self, path_and_query: &str) -> Result<Uri, Error> {
        let text = format!("{}{}", self.inner.endpoint_text, path_and_query);
        text.parse().map_err(|e| {
            Error::new(ErrorKind::InvalidRequest, e).with_detail("the URL is not valid")
        })
    }

    /// The type-erased service, to wrap further or call directly.
    pub fn service(&self) -> HttpService {
        self.inner.service.clone()
    }

    /// Sends a request through the stack. The future is `Send + 'static`.
    pub fn send(
        &self,
        req: Request<HfBody>,
    ) -> impl Future<Output = Result<Response<ResponseBody>, Error>> + Send + 'static {
        self.inner.service.clone().oneshot(req)
    }

    /// Sends a request and decodes its JSON body. The body is read within each attempt
    /// ([`BufferBody`](crate::retry::BufferBody)): one that breaks off half-way is retried
    /// as the retry policy allows.
    pub fn send_json<T: DeserializeOwned + Send + 'static>(
        &self,
        req: Request<HfBody>,
    ) -> impl Future<Output = Result<T, Error>> + Send + 'static {
        let method = req.method().clone();
        let uri = req.uri().clone();
        let mut req = req;
        req.extensions_mut().insert(crate::retry::BufferBody);
        let fut = self.send(req);
        async move {
            let body = fut.await?.into_body().bytes().await?;
            crate::pagination::decode_json(&body).map_err(|e| e.with_request(&method, &uri))
        }
    }

    /// A lazy stream of the items of every page of a `Link`-paginated listing.
    pub fn paginate<T: DeserializeOwned + Send + 'static>(
        &self,
        first: Request<()>,
    ) -> impl Stream<Item = Result<T, Error>> + Send + 'static {
        crate::pagination::paginate(self.clone(), first)
    }
}

impl Service<Request<HfBody>> for HubClient {
    type Response = Response<ResponseBody>;
    type Error = Error;
    type Future = <HttpService as Service<Request<HfBody>>>::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        // The boxed stack is always ready (hyper-util queues on its pool), and the
        // inner service is shared; call it through a clone.
        let _ = cx;
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: Request<HfBody>) -> Self::Future {
        let mut svc = self.inner.service.clone();
        Box::pin(async move {
            std::future::poll_fn(|cx| svc.poll_ready(cx)).await?;
            svc.call(req).await
        })
    }
}

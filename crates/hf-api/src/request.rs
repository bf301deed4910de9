//! Shared machinery of the request builders: building the HTTP request, query strings,
//! per-request settings, and JSON decoding (through `serde_path_to_error`, in
//! [`hf_http::HubClient::send_json`], so a bad payload names the failing JSON path).
//!
//! Every method of [`HfApi`] returns a small `#[must_use]` builder that owns a clone of
//! the client (no lifetimes) and implements `IntoFuture` with a boxed `Send + 'static`
//! future, so `api.method(args).option(x).await` sends it and the future can be spawned.

use std::future::Future;
use std::pin::Pin;

use hf_http::auth::RequestAuth;
use hf_http::http::{Method, Request};
use hf_http::{HfBody, Idempotency};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::client::HfApi;
use crate::error::Error;

/// The future of every request builder: boxed, `Send` and `'static`.
pub type BoxFuture<T> = Pin<Box<dyn Future<Output = Result<T, Error>> + Send + 'static>>;

/// One API call being prepared.
#[derive(Debug)]
pub(crate) struct ApiRequest {
    api: HfApi,
    method: Method,
    path: String,
    query: Option<String>,
    body: HfBody,
    auth: Option<RequestAuth>,
    idempotency: Option<Idempotency>,
    extensions: hf_http::http::Extensions,
    headers: Vec<(hf_http::http::HeaderName, hf_http::http::HeaderValue)>,
    timeout: Option<std::time::Duration>,
}

impl ApiRequest {
    /// A request for `endpoint + path` (`path` starts with `/`, already URL-encoded).
    pub(crate) fn new(api: &HfApi, method: Method, path: impl Into<String>) -> Self {
        ApiRequest {
            api: api.clone(),
            method,
            path: path.into(),
            query: None,
            body: HfBody::empty(),
            auth: None,
            idempotency: None,
            extensions: hf_http::http::Extensions::new(),
            headers: Vec::new(),
            timeout: None,
        }
    }

    /// A GET request.
    pub(crate) fn get(api: &HfApi, path: impl Into<String>) -> Self {
        ApiRequest::new(api, Method::GET, path)
    }

    /// Sets the query string from a serializable value (fields that are `None` should be
    /// skipped with `skip_serializing_if`; sequences repeat the key).
    #[allow(dead_code)] // used by the listing builders
    pub(crate) fn query<Q: Serialize>(mut self, query: &Q) -> Result<Self, Error> {
        let text = serde_urlencoded::to_string(query).map_err(|e| {
            Error::invalid_argument(
                "the query parameters cannot be encoded",
                Some(Box::new(e) as Box<dyn std::error::Error + Send + Sync>),
            )
        })?;
        self.query = (!text.is_empty()).then_some(text);
        Ok(self)
    }

    /// A JSON body.
    #[allow(dead_code)] // used by the mutation builders
    pub(crate) fn json_body<B: Serialize>(mut self, body: &B) -> Result<Self, Error> {
        let bytes = serde_json::to_vec(body).map_err(|e| {
            Error::invalid_argument(
                "the request body cannot be encoded as JSON",
                Some(Box::new(e) as Box<dyn std::error::Error + Send + Sync>),
            )
        })?;
        self.body = HfBody::full(bytes);
        Ok(self)
    }

    /// Overrides the client's token for this request.
    pub(crate) fn auth(mut self, auth: Option<RequestAuth>) -> Self {
        self.auth = auth;
        self
    }

    /// Marks the request (non-)idempotent for the retry policy.
    #[allow(dead_code)] // used by the mutation builders
    pub(crate) fn idempotency(mut self, idempotency: Idempotency) -> Self {
        self.idempotency = Some(idempotency);
        self
    }

    /// An `application/x-www-form-urlencoded` body (sequences repeat the key).
    #[allow(dead_code)] // used by the API builders
    pub(crate) fn form_body<B: Serialize>(mut self, body: &B) -> Result<Self, Error> {
        let text = serde_urlencoded::to_string(body).map_err(|e| {
            Error::invalid_argument(
                "the form body cannot be encoded",
                Some(Box::new(e) as Box<dyn std::error::Error + Send + Sync>),
            )
        })?;
        self.body = HfBody::full(text);
        self.extensions.insert(FormBody);
        Ok(self)
    }

    /// Adds a request extension (a `NotFoundHint`, a `RedirectMode`, ...).
    #[allow(dead_code)] // used by the API builders
    pub(crate) fn extension<T: Clone + Send + Sync + 'static>(mut self, value: T) -> Self {
        self.extensions.insert(value);
        self
    }

    /// Adds a header.
    #[allow(dead_code)] // used by the API builders
    pub(crate) fn header(
        mut self,
        name: hf_http::http::HeaderName,
        value: hf_http::http::HeaderValue,
    ) -> Self {
        self.headers.push((name, value));
        self
    }

    /// Bounds the whole call (all attempts) by `timeout`.
    #[allow(dead_code)] // used by the API builders
    pub(crate) fn timeout(mut self, timeout: Option<std::time::Duration>) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sends the request; the response (status < 400) is returned as is.
    #[allow(dead_code)] // used by the API builders
    pub(crate) fn send(self) -> BoxFuture<hf_http::http::Response<hf_http::ResponseBody>> {
        let timeout = self.timeout;
        Box::pin(async move {
            let (api, req) = self.build()?;
            let (method, uri) = (req.method().clone(), req.uri().clone());
            let fut = api.http().send(req);
            Ok(with_timeout(timeout, &method, &uri, fut).await?)
        })
    }

    /// Sends the request and ignores the response body.
    #[allow(dead_code)] // used by the API builders
    pub(crate) fn send_unit(self) -> BoxFuture<()> {
        let fut = self.send();
        Box::pin(async move {
            fut.await?;
            Ok(())
        })
    }

    /// The HTTP request.
    pub(crate) fn build(self) -> Result<(HfApi, Request<HfBody>), Error> {
        let mut path_and_query = self.path;
        if let Some(q) = &self.query {
            path_and_query.push('?');
            path_and_query.push_str(q);
        }
        // Absolute URLs are for the account's other services (Inference Endpoints).
        let uri = if path_and_query.starts_with("http://") || path_and_query.starts_with("https://")
        {
            path_and_query.parse().map_err(|e| Error::InvalidArgument {
                message: format!("{path_and_query} is not a valid URL"),
                source: Some(Box::new(e)),
            })?
        } else {
            self.api.http().url(&path_and_query)?
        };
        let mut req = Request::new(self.body);
        *req.method_mut() = self.method;
        *req.uri_mut() = uri;
        let form = self.extensions.get::<FormBody>().is_some();
        req.extensions_mut().extend(self.extensions);
        for (name, value) in self.headers {
            req.headers_mut().insert(name, value);
        }
        if req.body().as_bytes().is_some() {
            req.headers_mut().insert(
                hf_http::http::header::CONTENT_TYPE,
                hf_http::http::HeaderValue::from_static(if form {
                    "application/x-www-form-urlencoded"
                } else {
                    "application/json"
                }),
            );
        }
        if let Some(auth) = self.auth {
            req.extensions_mut().insert(auth);
        }
        if let Some(i) = self.idempotency {
            req.extensions_mut().insert(i);
        }
        if let Some(limit) = self.timeout {
            // Retries stop before the call's deadline, so its error is the last
            // attempt's (a refused connection, a 503) rather than a bare timeout.
            req.extensions_mut()
                .insert(hf_http::retry::RetryBudget(limit));
        }
        Ok((self.api, req))
    }

    /// Sends the request and decodes the JSON response.
    pub(crate) fn send_json<T: DeserializeOwned + Send + 'static>(self) -> BoxFuture<T> {
        let timeout = self.timeout;
        Box::pin(async move {
            let (api, req) = self.build()?;
            let (method, uri) = (req.method().clone(), req.uri().clone());
            let fut = api.http().send_json::<T>(req);
            Ok(with_timeout(timeout, &method, &uri, fut).await?)
        })
    }
}

/// Marks a request whose body is a form (for its `Content-Type`).
#[derive(Debug, Clone, Copy)]
struct FormBody;

/// Runs `fut` within `timeout` (if any); running out is a [`hf_http::ErrorKind::Timeout`].
async fn with_timeout<T>(
    timeout: Option<std::time::Duration>,
    method: &Method,
    uri: &hf_http::http::Uri,
    fut: impl Future<Output = Result<T, hf_http::Error>>,
) -> Result<T, hf_http::Error> {
    let Some(limit) = timeout else {
        return fut.await;
    };
    match tokio::time::timeout(limit, fut).await {
        Ok(out) => out,
        Err(_elapsed) => Err(hf_http::Error::new(
            hf_http::ErrorKind::Timeout,
            std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                format!(
                    "{method} {} got no answer within this call's {limit:?} timeout; raise it or retry later",
                    hf_http::RedactedUrl::new(uri)
                ),
            ),
        )),
    }
}

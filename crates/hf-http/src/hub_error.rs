//! Mapping of Hub error responses to typed [`Error`]s.
//!
//! [`MapHubErrorLayer`] turns every final response with status ≥ 400 into an [`Error`]
//! whose [`ErrorKind`] follows the Python client's rules (first match wins):
//!
//! 1. `X-Error-Code: RevisionNotFound` → [`ErrorKind::RevisionNotFound`]
//! 2. `X-Error-Code: EntryNotFound` → [`ErrorKind::EntryNotFound`]
//! 3. `X-Error-Code: GatedRepo` (on a 401 or a 403) → [`ErrorKind::GatedRepo`]
//! 4. `X-Error-Message: Access to this resource is disabled.` → [`ErrorKind::DisabledRepo`]
//! 5. `X-Error-Code: RepoNotFound`, or a 401 on a repo URL (`/api/{models,datasets,spaces}/…`
//!    or `/…/resolve/…`) → [`ErrorKind::RepositoryNotFound`]
//! 6. 400 → [`ErrorKind::BadRequest`]; 401 → [`ErrorKind::Unauthorized`];
//!    403 → [`ErrorKind::Forbidden`]; 409 → [`ErrorKind::Conflict`]
//! 7. anything else → [`ErrorKind::Http`] (a 404 without code is [`Error::is_not_found`]),
//!    except that a 404 without code on a request carrying a [`NotFoundHint`] extension
//!    becomes the hinted kind (the call site knows what a 404 means there)
//!
//! A 416 error also names the request's `Range` and the response's `Content-Range`.
//!
//! Two deliberate differences from Python 0.26.5: the 401 repo-URL rule does not require
//! `https://` (so a local emulator over plain HTTP behaves like the Hub), and, as in the
//! Python client 2.x, it is skipped when `X-Error-Message` is
//! `Invalid credentials in Authorization header` (a bad token, reported as
//! [`ErrorKind::Unauthorized`]).
//!
//! The server message is assembled like Python's: `X-Error-Message`, then the JSON
//! `error` (string or list) and `errors[].message`, or a non-HTML text body; stripped,
//! de-duplicated, joined with newlines. At most 64 KiB of the body is read.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! use hf_http::{ErrorKind, HfBody, MapHubErrorLayer, ResponseBody};
//! use tower::{ServiceBuilder, ServiceExt};
//!
//! let svc = ServiceBuilder::new()
//!     .layer(MapHubErrorLayer::new())
//!     .service_fn(|_req: http::Request<HfBody>| async {
//!         let res = http::Response::builder()
//!             .status(404)
//!             .header("x-error-code", "EntryNotFound")
//!             .body(ResponseBody::full(r#"{"error": "Entry not found"}"#))
//!             .unwrap();
//!         Ok::<_, hf_http::Error>(res)
//!     });
//! let req = http::Request::get("https://hub.example/a/b/resolve/main/x").body(HfBody::empty()).unwrap();
//! let err = svc.oneshot(req).await.unwrap_err();
//! assert_eq!(err.kind(), ErrorKind::EntryNotFound);
//! assert_eq!(err.server_message(), Some("Entry not found"));
//! # }
//! ```

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use http::header::CONTENT_TYPE;
use http::{HeaderMap, Method, Request, Response, StatusCode, Uri};
use http_body::Body;
use pin_project_lite::pin_project;
use tower_layer::Layer;
use tower_service::Service;

use crate::body::ResponseBody;
use crate::error::{Error, ErrorKind, HubErrorContext};
use crate::redact::RedactedUrl;

const MAX_ERROR_BODY: usize = 64 * 1024;

/// What a 404 without `X-Error-Code` means for this request, as a request extension.
///
/// ```
/// let mut req = http::Request::new(hf_http::HfBody::empty());
/// req.extensions_mut().insert(hf_http::hub_error::NotFoundHint::Entry);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum NotFoundHint {
    /// The repository is missing: [`ErrorKind::RepositoryNotFound`].
    Repository,
    /// The revision is missing: [`ErrorKind::RevisionNotFound`].
    Revision,
    /// The file is missing: [`ErrorKind::EntryNotFound`].
    Entry,
}

impl NotFoundHint {
    fn kind(self) -> ErrorKind {
        match self {
            NotFoundHint::Repository => ErrorKind::RepositoryNotFound,
            NotFoundHint::Revision => ErrorKind::RevisionNotFound,
            NotFoundHint::Entry => ErrorKind::EntryNotFound,
        }
    }
}

/// What the mapping needs to remember about the request.
#[derive(Debug, Clone)]
struct RequestInfo {
    method: Method,
    uri: Uri,
    hint: Option<NotFoundHint>,
    range: Option<http::HeaderValue>,
}

/// Classifies an error response. `request_url` is the URL that produced the response
/// (after redirects).
pub fn classify_response(
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
    request_url: &Uri,
) -> (ErrorKind, HubErrorContext) {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let code = header("x-error-code");
    let message = header("x-error-message");
    let kind = match (code.as_deref(), message.as_deref()) {
        (Some("RevisionNotFound"), _) => ErrorKind::RevisionNotFound,
        (Some("EntryNotFound"), _) => ErrorKind::EntryNotFound,
        (Some("GatedRepo"), _) => ErrorKind::GatedRepo,
        (_, Some("Access to this resource is disabled.")) => ErrorKind::DisabledRepo,
        (Some("RepoNotFound"), _) => ErrorKind::RepositoryNotFound,
        _ if status == StatusCode::UNAUTHORIZED
            && message.as_deref() != Some("Invalid credentials in Authorization header")
            && is_repo_url(request_url.path()) =>
        {
            ErrorKind::RepositoryNotFound
        }
        _ => match status {
            StatusCode::BAD_REQUEST => ErrorKind::BadRequest,
            StatusCode::UNAUTHORIZED => ErrorKind::Unauthorized,
            StatusCode::FORBIDDEN => ErrorKind::Forbidden,
            StatusCode::CONFLICT => ErrorKind::Conflict,
            _ => ErrorKind::Http,
        },
    };
    let request_id = header("x-request-id").or_else(|| header("x-amzn-trace-id"));
    let content_type = header(CONTENT_TYPE.as_str()).unwrap_or_default();
    let ctx = HubErrorContext {
        status,
        error_code: code,
        server_message: server_message(message.as_deref(), body, &content_type),
        request_id: request_id.filter(|s| !s.is_empty()),
        url: RedactedUrl::new(request_url),
    };
    (kind, ctx)
}

/// Whether `path` is `/api/{models,datasets,spaces}/<something>` or
/// `/<something>/resolve/<something>` (Python's `REPO_API_REGEX`).
fn is_repo_url(path: &str) -> bool {
    for prefix in ["/api/models/", "/api/datasets/", "/api/spaces/"] {
        if path
            .strip_prefix(prefix)
            .is_some_and(|rest| !rest.is_empty())
        {
            return true;
        }
    }
    // `/(.+)/resolve/(.+)`: some non-empty text, then `/resolve/`, then non-empty text.
    path.match_indices("/resolve/")
        .any(|(i, m)| i > 1 && path.len() > i + m.len())
}

fn server_message(from_header: Option<&str>, body: &[u8], content_type: &str) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    if let Some(m) = from_header {
        parts.push(m.to_owned());
    }
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(json) => {
            match json.get("error") {
                Some(serde_json::Value::String(s)) => parts.push(s.clone()),
                Some(serde_json::Value::Array(items)) => {
                    parts.extend(items.iter().filter_map(|i| i.as_str().map(str::to_owned)));
                }
                _ => {}
            }
            if let Some(serde_json::Value::Array(errors)) = json.get("errors") {
                parts.extend(
                    errors
                        .iter()
                        .filter_map(|e| e.get("message")?.as_str().map(str::to_owned)),
                );
            }
        }
        Err(_) => {
            if !body.is_empty() && !content_type.to_ascii_lowercase().contains("html") {
                parts.push(String::from_utf8_lossy(body).into_owned());
            }
        }
    }
    let mut seen: Vec<String> = Vec::new();
    for p in parts {
        let p = p.trim();
        if !p.is_empty() && !seen.iter().any(|s| s == p) {
            seen.push(p.to_owned());
        }
    }
    (!seen.is_empty()).then(|| seen.join("\n"))
}

/// Maps final error responses (status ≥ 400) to typed [`Error`]s.
#[derive(Debug, Clone, Copy, Default)]
pub struct MapHubErrorLayer {
    _priv: (),
}

impl MapHubErrorLayer {
    /// The layer.
    pub fn new() -> Self {
        MapHubErrorLayer { _priv: () }
    }
}

impl<S> Layer<S> for MapHubErrorLayer {
    type Service = MapHubError<S>;

    fn layer(&self, inner: S) -> MapHubError<S> {
        MapHubError { inner }
    }
}

/// The service of [`MapHubErrorLayer`].
pub struct MapHubError<S> {
    inner: S,
}

inner_service_accessors!(MapHubError);

impl<S: Clone> Clone for MapHubError<S> {
    fn clone(&self) -> Self {
        MapHubError {
            inner: self.inner.clone(),
        }
    }
}

impl<S> fmt::Debug for MapHubError<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MapHubError").finish_non_exhaustive()
    }
}

impl<S, B> Service<Request<B>> for MapHubError<S>
where
    S: Service<Request<B>, Response = Response<ResponseBody>, Error = Error>,
{
    type Response = Response<ResponseBody>;
    type Error = Error;
    type Future = ResponseFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request<B>) -> Self::Future {
        let info = RequestInfo {
            method: req.method().clone(),
            uri: req.uri().clone(),
            hint: req.extensions().get::<NotFoundHint>().copied(),
            range: req.headers().get(http::header::RANGE).cloned(),
        };
        ResponseFuture {
            state: State::Waiting {
                inner: self.inner.call(req),
            },
            info,
        }
    }
}

pin_project! {
    /// Response future of [`MapHubError`].
    pub struct ResponseFuture<F> {
        #[pin]
        state: State<F>,
        info: RequestInfo,
    }
}

pin_project! {
    #[project = StateProj]
    enum State<F> {
        Waiting { #[pin] inner: F },
        Reading {
            parts: Option<http::response::Parts>,
            #[pin]
            body: ResponseBody,
            buf: BytesMut,
        },
    }
}

impl<F> fmt::Debug for ResponseFuture<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseFuture").finish_non_exhaustive()
    }
}

impl<F> Future for ResponseFuture<F>
where
    F: Future<Output = Result<Response<ResponseBody>, Error>>,
{
    type Output = Result<Response<ResponseBody>, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        loop {
            match this.state.as_mut().project() {
                StateProj::Waiting { inner } => {
                    let res = match inner.poll(cx) {
                        Poll::Pending => return Poll::Pending,
                        Poll::Ready(Err(e)) => {
                            return Poll::Ready(Err(
                                e.with_request_if_missing(&this.info.method, &this.info.uri)
                            ));
                        }
                        Poll::Ready(Ok(res)) => res,
                    };
                    if !(res.status().is_client_error() || res.status().is_server_error()) {
                        return Poll::Ready(Ok(res));
                    }
                    let (parts, body) = res.into_parts();
                    this.state.set(State::Reading {
                        parts: Some(parts),
                        body,
                        buf: BytesMut::new(),
                    });
                }
                StateProj::Reading {
                    parts,
                    mut body,
                    buf,
                } => {
                    // Read up to the cap; a broken error body still yields the error.
                    while buf.len() < MAX_ERROR_BODY {
                        match body.as_mut().poll_frame(cx) {
                            Poll::Pending => return Poll::Pending,
                            Poll::Ready(Some(Ok(frame))) => {
                                if let Ok(data) = frame.into_data() {
                                    buf.extend_from_slice(&data);
                                }
                            }
                            Poll::Ready(Some(Err(_)) | None) => break,
                        }
                    }
                    buf.truncate(MAX_ERROR_BODY);
                    let parts = parts.take().expect("polled after completion");
                    let body: Bytes = std::mem::take(buf).freeze();
                    return Poll::Ready(Err(build_error(this.info, &parts, &body)));
                }
            }
        }
    }
}

fn build_error(info: &RequestInfo, parts: &http::response::Parts, body: &[u8]) -> Error {
    // The URL that answered, after redirects (tower-http records it).
    let final_uri = parts
        .extensions
        .get::<tower_http::follow_redirect::RequestUri>()
        .map_or(&info.uri, |u| &u.0);
    let (mut kind, ctx) = classify_response(parts.status, &parts.headers, body, final_uri);
    if kind == ErrorKind::Http
        && parts.status == StatusCode::NOT_FOUND
        && let Some(hint) = info.hint
    {
        kind = hint.kind();
    }
    let mut err = Error::hub(kind, &info.method, ctx);
    if parts.status == StatusCode::RANGE_NOT_SATISFIABLE {
        let show = |v: Option<&http::HeaderValue>| {
            v.and_then(|v| v.to_str().ok()).unwrap_or("none").to_owned()
        };
        err = err.with_detail(format!(
            "requested range {}, Content-Range {}",
            show(info.range.as_ref()),
            show(parts.headers.get(http::header::CONTENT_RANGE))
        ));
    }
    if let Some(stats) = parts.extensions.get::<crate::RetryStats>() {
        err.set_retries(*stats);
    }
    tracing::debug!(error = %err, "Hub error response");
    err
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classify(
        status: u16,
        headers: &[(&str, &str)],
        body: &str,
        url: &str,
    ) -> (ErrorKind, HubErrorContext) {
        let mut h = HeaderMap::new();
        for (k, v) in headers {
            h.insert(
                http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        classify_response(
            StatusCode::from_u16(status).unwrap(),
            &h,
            body.as_bytes(),
            &url.parse().unwrap(),
        )
    }

    #[test]
    fn rules_in_order() {
        let u = "https://hub/api/models/a/b";
        assert_eq!(
            classify(404, &[("x-error-code", "RevisionNotFound")], "", u).0,
            ErrorKind::RevisionNotFound
        );
        assert_eq!(
            classify(404, &[("x-error-code", "EntryNotFound")], "", u).0,
            ErrorKind::EntryNotFound
        );
        assert_eq!(
            classify(403, &[("x-error-code", "GatedRepo")], "", u).0,
            ErrorKind::GatedRepo
        );
        assert_eq!(
            classify(401, &[("x-error-code", "GatedRepo")], "", u).0,
            ErrorKind::GatedRepo
        );
        assert_eq!(
            classify(
                403,
                &[("x-error-message", "Access to this resource is disabled.")],
                "",
                u
            )
            .0,
            ErrorKind::DisabledRepo
        );
        assert_eq!(
            classify(404, &[("x-error-code", "RepoNotFound")], "", u).0,
            ErrorKind::RepositoryNotFound
        );
        assert_eq!(classify(401, &[], "", u).0, ErrorKind::RepositoryNotFound);
        assert_eq!(
            classify(401, &[], "", "http://h/a/b/resolve/main/f").0,
            ErrorKind::RepositoryNotFound
        );
        assert_eq!(
            classify(401, &[], "", "http://h/api/whoami-v2").0,
            ErrorKind::Unauthorized
        );
        assert_eq!(
            classify(
                401,
                &[(
                    "x-error-message",
                    "Invalid credentials in Authorization header"
                )],
                "",
                u
            )
            .0,
            ErrorKind::Unauthorized
        );
        assert_eq!(classify(400, &[], "", u).0, ErrorKind::BadRequest);
        assert_eq!(classify(403, &[], "", u).0, ErrorKind::Forbidden);
        assert_eq!(classify(409, &[], "", u).0, ErrorKind::Conflict);
        assert_eq!(classify(404, &[], "", u).0, ErrorKind::Http);
        assert_eq!(classify(500, &[], "", u).0, ErrorKind::Http);
    }

    #[test]
    fn server_message_assembly() {
        let (_, ctx) = classify(
            400,
            &[("x-error-message", "bad thing"), ("x-request-id", "rid")],
            r#"{"error": ["bad thing", " other "], "errors": [{"message": "third"}, {"x": 1}]}"#,
            "http://h/x",
        );
        assert_eq!(
            ctx.server_message.as_deref(),
            Some("bad thing\nother\nthird")
        );
        assert_eq!(ctx.request_id.as_deref(), Some("rid"));
        let mut h = HeaderMap::new();
        h.insert(CONTENT_TYPE, "text/html".parse().unwrap());
        h.insert("x-amzn-trace-id", "amzn".parse().unwrap());
        let (_, ctx) = classify_response(
            StatusCode::BAD_GATEWAY,
            &h,
            b"<html>oops</html>",
            &"http://h/".parse().unwrap(),
        );
        assert_eq!(ctx.server_message, None);
        assert_eq!(ctx.request_id.as_deref(), Some("amzn"));
        let (_, ctx) = classify(500, &[], "plain failure", "http://h/");
        assert_eq!(ctx.server_message.as_deref(), Some("plain failure"));
    }
}

//! The transport of the Hub client: a tower `Service` stack over hyper-util and
//! hyper-rustls, one layer per concern.
//!
//! Most users reach this crate through `hf-api`. Use it directly to talk to Hub
//! endpoints that `hf-api` does not wrap, or to plug your own tower layers or transport.
//!
//! # Quick start
//!
//! ```no_run
//! # async fn demo() -> Result<(), hf_http::Error> {
//! use hf_http::{HubClient, HfBody, Token};
//! let client = HubClient::builder("https://huggingface.co")
//!     .token(Token::new("hf_..."))
//!     .build()?;
//! let req = http::Request::get(client.url("/api/whoami-v2")?).body(HfBody::empty()).unwrap();
//! let me: serde_json::Value = client.send_json(req).await?;
//! # let _ = me; Ok(()) }
//! ```
//!
//! # The stack
//!
//! Outer to inner. "Execution" = one call; "attempt" = one try on the wire.
//!
//! ```text
//!  request ──►  Trace              one span per execution (method, redacted URL)
//!               [request timeout]  optional limit on the whole execution
//!               MapHubError        final status ≥ 400 → typed Error (X-Error-Code rules)
//!               Retry              HubRetryPolicy: backoff, Retry-After, count + time budget
//!               BufferBody         reads the body within the attempt, when the request asks
//!               FollowRedirect     HubRedirectPolicy: modes, hop limit, credential filtering
//!               AddHubToken        Authorization only for the endpoint's origin (every hop)
//!               headers + UA       custom headers, then User-Agent (tower-http SetRequestHeader)
//!               YOUR LAYERS        see every attempt and every redirect hop, as sent
//!               attempt timeout    per attempt, until the response headers
//!               transport          hyper-util + hyper-rustls (connect + body read timeouts)
//! ```
//!
//! Retry sits outside redirects, so a retried download fetches a fresh signed CDN URL.
//! Auth sits inside redirects, so it is decided again on every hop and never reaches
//! another origin. Every layer is usable alone (`XLayer` + `X<S>` + `ResponseFuture`,
//! tower-http style); [`StackBuilder`] assembles them and erases the result to a
//! [`HttpService`] (`BoxCloneSyncService`).
//!
//! # Modules
//!
//! | module | concern |
//! |---|---|
//! | [`body`] | [`HfBody`] (empty, buffered = replayable, one-shot stream) and [`ResponseBody`] |
//! | [`auth`] | [`Token`], token resolution as in Python, [`AddHubTokenLayer`] |
//! | [`user_agent`] | [`UserAgent`]: `unknown/None; hf-rs/0.1.0; rust/1.x; ...` |
//! | [`retry`] | [`HubRetryPolicy`], the classifier, `Retry-After` |
//! | [`redirect`] | [`HubRedirectPolicy`], per-request [`RedirectMode`] |
//! | [`timeout`] | typed per-attempt / per-request timeouts |
//! | [`hub_error`] | [`MapHubErrorLayer`]: status + `X-Error-Code` → [`ErrorKind`] |
//! | [`pagination`] | `Link: <..>; rel="next"` → lazy `Stream` |
//! | [`stack`] | [`StackBuilder`], [`HubClient`] |
//!
//! # Features
//!
//! | feature | default | what it adds |
//! |---|---|---|
//! | `hyper-client` | yes | [`transport::HyperTransport`]: hyper-util's pooled client, HTTP/1.1 (HTTP/2 on request, with ALPN), rustls with ring and the system's certificate roots or a CA bundle, proxies |
//!
//! Without `hyper-client`, pass your own transport to [`StackBuilder::transport`].
//!
//! # Errors
//!
//! One [`Error`] type, opaque, with [`Error::kind`], [`Error::status`],
//! [`Error::request_id`] and [`Error::is_not_found`]. Its `Display` says what to do next
//! and never repeats its `source()`. URLs in errors and logs are redacted
//! ([`RedactedUrl`]): query strings of signed URLs are dropped. The token never
//! appears in `Debug` output or logs.
//!
//! # Cancel safety
//!
//! Dropping a response future cancels the request: nothing is retried or followed after
//! the drop, and the connection is closed or returned to the pool by hyper. A request
//! that was already written may still have reached the server (for a POST, its effect
//! may or may not have happened). Dropping a [`ResponseBody`] stops reading it. Dropping
//! a pagination stream stops before the next page is requested.

/// `get_ref`, `get_mut` and `into_inner` for a middleware service with an `inner` field.
macro_rules! inner_service_accessors {
    ($ty:ident) => {
        impl<S> $ty<S> {
            /// The inner service.
            pub fn get_ref(&self) -> &S {
                &self.inner
            }

            /// The inner service, mutably.
            pub fn get_mut(&mut self) -> &mut S {
                &mut self.inner
            }

            /// Consumes this, returning the inner service.
            pub fn into_inner(self) -> S {
                self.inner
            }
        }
    };
}

pub mod auth;
pub mod body;
mod error;
pub mod hub_error;
pub mod pagination;
mod redact;
pub mod redirect;
pub mod retry;
pub mod stack;
pub mod timeout;
pub mod trace;
#[cfg(feature = "hyper-client")]
pub mod transport;
pub mod user_agent;

pub use auth::{AddHubTokenLayer, Token, TokenSource};
pub use body::{HfBody, ResponseBody};
pub use error::{BoxError, Error, ErrorKind, HubErrorContext, RetryStats};
pub use hub_error::MapHubErrorLayer;
pub use redact::RedactedUrl;
pub use redirect::{HubRedirectPolicy, RedirectMode};
pub use retry::{HubRetryPolicy, Idempotency, RetryConfig};
pub use stack::{HttpService, HubClient, StackBuilder};
pub use user_agent::UserAgent;

// Vocabulary crates of the public API, re-exported for convenience.
pub use bytes;
pub use http;
pub use http_body;

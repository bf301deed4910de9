//! Redirects: tower-http's `FollowRedirect` driven by [`HubRedirectPolicy`].
//!
//! - Same-origin redirects (a renamed repo answers with a relative `Location`) are
//!   followed; the inner auth layer re-adds the token for them.
//! - Cross-origin redirects (to a CDN) are followed without credentials: the auth layer
//!   does not add the token to another origin, and this policy strips `Authorization`,
//!   `Cookie` and `Proxy-Authorization` set on the request itself, from the first
//!   cross-origin hop on (cumulatively, like tower-http's `FilterCredentials`).
//! - [`RedirectMode`], a request extension, chooses per request: follow none, same-origin
//!   only (the metadata `HEAD` of a download, whose CDN redirect carries the metadata),
//!   or all (the default).
//! - More than [`HubRedirectPolicy::max_hops`] hops fail with
//!   [`crate::ErrorKind::TooManyRedirects`].
//!
//! tower-http builds each hop's request anew (without extensions); this policy carries the
//! first request's extensions over to every hop, so inner layers see per-request
//! settings on every hop.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! use hf_http::{AddHubTokenLayer, HfBody, HubRedirectPolicy, ResponseBody, Token};
//! use tower::{ServiceBuilder, ServiceExt};
//!
//! let endpoint: http::Uri = "https://hub.example".parse().unwrap();
//! let token = Token::new("hf_secret");
//! let svc = ServiceBuilder::new()
//!     .layer(HubRedirectPolicy::default().layer())
//!     .layer(AddHubTokenLayer::new(&endpoint, token.as_ref()).unwrap())
//!     .service_fn(|req: http::Request<HfBody>| async move {
//!         let authorized = req.headers().contains_key("authorization");
//!         let res = match req.uri().host() {
//!             // the Hub sends the client to a CDN
//!             Some("hub.example") => {
//!                 assert!(authorized);
//!                 http::Response::builder().status(302).header("location", "https://cdn.example/blob")
//!             }
//!             // the CDN never sees the token
//!             _ => {
//!                 assert!(!authorized);
//!                 http::Response::builder().status(200)
//!             }
//!         };
//!         Ok::<_, hf_http::Error>(res.body(ResponseBody::empty()).unwrap())
//!     });
//! let req = http::Request::get("https://hub.example/m/resolve/main/f").body(HfBody::empty()).unwrap();
//! assert_eq!(svc.oneshot(req).await.unwrap().status(), 200);
//! # }
//! ```

use http::header::{AUTHORIZATION, COOKIE, PROXY_AUTHORIZATION};
use http::{Extensions, Request};
use tower_http::follow_redirect::FollowRedirectLayer;
use tower_http::follow_redirect::policy::{Action, Attempt, Policy};

use crate::auth::Origin;
use crate::body::HfBody;
use crate::error::{Error, ErrorKind};

/// Which redirects to follow, as a request extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum RedirectMode {
    /// Return the redirect response itself.
    None,
    /// Follow redirects to the same origin only (relative ones included).
    SameOrigin,
    /// Follow every redirect (credentials are dropped on cross-origin hops).
    #[default]
    All,
}

/// The redirect policy of the Hub stack.
#[derive(Debug, Clone)]
pub struct HubRedirectPolicy {
    max_hops: usize,
    hops: usize,
    mode: RedirectMode,
    crossed_origin: bool,
    extensions: Option<Extensions>,
}

impl Default for HubRedirectPolicy {
    fn default() -> Self {
        HubRedirectPolicy::new(10)
    }
}

impl HubRedirectPolicy {
    /// A policy following at most `max_hops` redirects per request.
    pub fn new(max_hops: usize) -> Self {
        HubRedirectPolicy {
            max_hops,
            hops: 0,
            mode: RedirectMode::All,
            crossed_origin: false,
            extensions: None,
        }
    }

    /// The hop limit.
    pub fn max_hops(&self) -> usize {
        self.max_hops
    }

    /// tower-http's `FollowRedirectLayer` with this policy.
    pub fn layer(self) -> FollowRedirectLayer<HubRedirectPolicy> {
        FollowRedirectLayer::with_policy(self)
    }
}

impl Policy<HfBody, Error> for HubRedirectPolicy {
    fn redirect(&mut self, attempt: &Attempt<'_>) -> Result<Action, Error> {
        let same_origin = match (
            Origin::of(attempt.previous()),
            Origin::of(attempt.location()),
        ) {
            (Some(a), Some(b)) => a == b,
            _ => false,
        };
        let follow = match self.mode {
            RedirectMode::None => false,
            RedirectMode::SameOrigin => same_origin,
            RedirectMode::All => true,
        };
        if !follow {
            return Ok(Action::Stop);
        }
        if self.hops >= self.max_hops {
            return Err(Error::bare(ErrorKind::TooManyRedirects)
                .with_detail(format!("more than {}", self.max_hops))
                .with_request(attempt.method(), attempt.previous()));
        }
        self.hops += 1;
        if !same_origin {
            self.crossed_origin = true;
        }
        tracing::debug!(
            status = attempt.status().as_u16(),
            to = %crate::RedactedUrl::new(attempt.location()),
            "following redirect"
        );
        Ok(Action::Follow)
    }

    fn on_request(&mut self, request: &mut Request<HfBody>) {
        match &self.extensions {
            None => {
                // The first request: remember its settings.
                self.mode = request
                    .extensions()
                    .get::<RedirectMode>()
                    .copied()
                    .unwrap_or_default();
                self.extensions = Some(request.extensions().clone());
            }
            Some(ext) => {
                *request.extensions_mut() = ext.clone();
            }
        }
        if self.crossed_origin {
            let headers = request.headers_mut();
            headers.remove(AUTHORIZATION);
            headers.remove(COOKIE);
            headers.remove(PROXY_AUTHORIZATION);
        }
    }

    fn clone_body(&self, body: &HfBody) -> Option<HfBody> {
        body.try_clone()
    }
}

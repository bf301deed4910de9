//! Users and identity: `whoami`.

use std::future::IntoFuture;

use hf_http::Token;
use hf_http::auth::RequestAuth;
use hf_types::WhoAmI;

use crate::client::HfApi;
use crate::request::{ApiRequest, BoxFuture};

impl HfApi {
    /// Who the token belongs to: `GET /api/whoami-v2`.
    ///
    /// Uses the client's token; when the client has none because
    /// `HF_HUB_DISABLE_IMPLICIT_TOKEN` is set, the stored token is used anyway (as in the
    /// Python client). Without any token the Hub answers 401, reported as
    /// [`Error::Unauthorized`](crate::Error::Unauthorized) with a hint to log in.
    ///
    /// ```no_run
    /// # async fn demo(api: hf_api::HfApi) -> Result<(), hf_api::Error> {
    /// let me = api.whoami().await?;
    /// println!("{} ({:?})", me.name, me.token_role());
    /// # Ok(()) }
    /// ```
    pub fn whoami(&self) -> WhoAmIRequest {
        WhoAmIRequest {
            api: self.clone(),
            token: None,
        }
    }
}

/// The request built by [`HfApi::whoami`]; `.await` it to send it.
#[must_use = "a request does nothing until it is awaited"]
#[derive(Debug, Clone)]
pub struct WhoAmIRequest {
    api: HfApi,
    token: Option<Token>,
}

impl WhoAmIRequest {
    /// Asks about this token instead of the client's.
    pub fn token(mut self, token: Token) -> Self {
        self.token = Some(token);
        self
    }
}

impl IntoFuture for WhoAmIRequest {
    type Output = Result<WhoAmI, crate::Error>;
    type IntoFuture = BoxFuture<WhoAmI>;

    fn into_future(self) -> Self::IntoFuture {
        let auth = self
            .token
            .or_else(|| self.api.whoami_fallback_token().cloned())
            .map(RequestAuth::Token);
        ApiRequest::get(&self.api, "/api/whoami-v2")
            .auth(auth)
            .send_json()
    }
}

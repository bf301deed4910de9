//! Users and identity: `whoami`, `get_token_permission`, `get_user_overview`,
//! `list_user_followers`, `list_user_following`, `list_organization_members`.

use std::future::IntoFuture;

use hf_http::Token;
use hf_http::auth::RequestAuth;
use hf_types::{TokenRole, User, WhoAmI};

use super::{BoxStream, StreamSlot, listing, paginate, token_auth};

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

/// The request built by [`HfApi::get_token_permission`]; resolves to the token's role,
/// or `None` when there is no token or the Hub rejects it.
#[must_use = "a request does nothing until it is awaited"]
#[derive(Debug, Clone)]
pub struct TokenPermissionRequest {
    whoami: WhoAmIRequest,
}

impl HfApi {
    /// The role of the token (`read`, `write` or `fineGrained`), from `whoami`. Only
    /// network failures are errors: a missing or rejected token gives `None`.
    pub fn get_token_permission(&self) -> TokenPermissionRequest {
        TokenPermissionRequest {
            whoami: self.whoami(),
        }
    }
}

impl TokenPermissionRequest {
    /// Asks about this token instead of the client's.
    pub fn token(mut self, token: Token) -> Self {
        self.whoami = self.whoami.token(token);
        self
    }
}

impl IntoFuture for TokenPermissionRequest {
    type Output = Result<Option<TokenRole>, crate::Error>;
    type IntoFuture = BoxFuture<Option<TokenRole>>;

    fn into_future(self) -> Self::IntoFuture {
        let fut = self.whoami.into_future();
        Box::pin(async move {
            match fut.await {
                Ok(me) => Ok(me.token_role().cloned()),
                // Python answers None for any HTTP error status.
                Err(e) if e.status().is_some() => Ok(None),
                Err(e) => Err(e),
            }
        })
    }
}

/// The request built by [`HfApi::get_user_overview`].
#[must_use = "a request does nothing until it is awaited"]
#[derive(Debug, Clone)]
pub struct UserOverviewRequest {
    api: HfApi,
    username: String,
    token: Option<Token>,
}

impl HfApi {
    /// A user's public profile: `GET /api/users/{username}/overview`.
    ///
    /// Errors: a 404 ([`Error::is_not_found`](crate::Error::is_not_found)) for an unknown user.
    pub fn get_user_overview(&self, username: &str) -> UserOverviewRequest {
        UserOverviewRequest {
            api: self.clone(),
            username: username.to_owned(),
            token: None,
        }
    }
}

impl UserOverviewRequest {
    /// Uses this token instead of the client's.
    pub fn token(mut self, token: Token) -> Self {
        self.token = Some(token);
        self
    }
}

impl IntoFuture for UserOverviewRequest {
    type Output = Result<User, crate::Error>;
    type IntoFuture = BoxFuture<User>;

    fn into_future(self) -> Self::IntoFuture {
        ApiRequest::get(
            &self.api,
            format!("/api/users/{}/overview", path_segment(&self.username)),
        )
        .auth(token_auth(self.token.as_ref()))
        .send_json()
    }
}

/// An account name as one URL segment (names are `[\w.-]`; anything else is encoded).
fn path_segment(name: &str) -> String {
    hf_types::Revision::new(name).map_or_else(|_| name.to_owned(), |r| r.url_segment())
}

/// Which user listing a [`UserListRequest`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum UserList {
    Followers,
    Following,
    Members,
}

/// The listing built by [`HfApi::list_user_followers`], [`HfApi::list_user_following`]
/// and [`HfApi::list_organization_members`]: a lazy stream of [`User`].
#[must_use = "a listing does nothing until it is polled"]
#[derive(Debug, Clone)]
pub struct UserListRequest {
    api: HfApi,
    which: UserList,
    name: String,
    token: Option<Token>,
    started: StreamSlot<User>,
}

impl HfApi {
    fn user_list(&self, which: UserList, name: &str) -> UserListRequest {
        UserListRequest {
            api: self.clone(),
            which,
            name: name.to_owned(),
            token: None,
            started: StreamSlot::default(),
        }
    }

    /// The followers of a user: `GET /api/users/{username}/followers`, paginated.
    pub fn list_user_followers(&self, username: &str) -> UserListRequest {
        self.user_list(UserList::Followers, username)
    }

    /// The accounts a user follows: `GET /api/users/{username}/following`, paginated.
    pub fn list_user_following(&self, username: &str) -> UserListRequest {
        self.user_list(UserList::Following, username)
    }

    /// The members of an organization: `GET /api/organizations/{organization}/members`,
    /// paginated.
    pub fn list_organization_members(&self, organization: &str) -> UserListRequest {
        self.user_list(UserList::Members, organization)
    }
}

impl UserListRequest {
    /// Uses this token instead of the client's.
    pub fn token(mut self, token: Token) -> Self {
        self.token = Some(token);
        self
    }

    fn make_stream(&self) -> BoxStream<User> {
        let name = path_segment(&self.name);
        let path = match self.which {
            UserList::Followers => format!("/api/users/{name}/followers"),
            UserList::Following => format!("/api/users/{name}/following"),
            UserList::Members => format!("/api/organizations/{name}/members"),
        };
        paginate(
            &self.api,
            &path,
            &[],
            token_auth(self.token.as_ref()),
            None,
            None,
        )
    }
}

listing!(UserListRequest, User);

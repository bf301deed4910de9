//! Likes: `like`, `unlike`, `list_liked_repos`, `list_repo_likers`.

use std::future::IntoFuture;

use futures_util::TryStreamExt;
use hf_http::Token;
use hf_types::{AccountType, LikedRepo, RepoLiker, RepoType, UserLikes};

use super::{
    BoxStream, StreamSlot, error_stream, listing, paginate, parse_repo_id, repo_api_path,
    token_auth,
};
use crate::client::HfApi;
use crate::error::Error;
use crate::request::{ApiRequest, BoxFuture};

/// The request built by [`HfApi::like`] and [`HfApi::unlike`].
#[must_use = "a request does nothing until it is awaited"]
#[derive(Debug, Clone)]
pub struct LikeRequest {
    api: HfApi,
    repo_id: String,
    repo_type: RepoType,
    like: bool,
    token: Option<Token>,
}

impl HfApi {
    /// Likes a repo: `POST /api/{type}s/{repo_id}/like`.
    pub fn like(&self, repo_id: &str) -> LikeRequest {
        LikeRequest {
            api: self.clone(),
            repo_id: repo_id.to_owned(),
            repo_type: RepoType::Model,
            like: true,
            token: None,
        }
    }

    /// Removes a like: `DELETE /api/{type}s/{repo_id}/like`.
    pub fn unlike(&self, repo_id: &str) -> LikeRequest {
        LikeRequest {
            like: false,
            ..self.like(repo_id)
        }
    }
}

impl LikeRequest {
    /// The repo type (default: model).
    pub fn repo_type(mut self, repo_type: RepoType) -> Self {
        self.repo_type = repo_type;
        self
    }

    /// Uses this token instead of the client's.
    pub fn token(mut self, token: Token) -> Self {
        self.token = Some(token);
        self
    }
}

impl IntoFuture for LikeRequest {
    type Output = Result<(), Error>;
    type IntoFuture = BoxFuture<()>;

    fn into_future(self) -> Self::IntoFuture {
        let req = parse_repo_id(&self.repo_id).map(|id| {
            let method = if self.like {
                hf_http::http::Method::POST
            } else {
                hf_http::http::Method::DELETE
            };
            ApiRequest::new(
                &self.api,
                method,
                format!("{}/like", repo_api_path(self.repo_type, &id)),
            )
            .auth(token_auth(self.token.as_ref()))
        });
        Box::pin(async move { req?.send_unit().await })
    }
}

/// The request built by [`HfApi::list_liked_repos`]; resolves to the liked repos grouped
/// by type.
#[must_use = "a request does nothing until it is awaited"]
#[derive(Debug, Clone)]
pub struct LikedReposRequest {
    api: HfApi,
    user: Option<String>,
    token: Option<Token>,
}

impl HfApi {
    /// The repos a user likes: `GET /api/users/{user}/likes`, every page. Without
    /// [`user`](LikedReposRequest::user), the token's owner (one `whoami` call; it must be
    /// a user, not an organization or app).
    pub fn list_liked_repos(&self) -> LikedReposRequest {
        LikedReposRequest {
            api: self.clone(),
            user: None,
            token: None,
        }
    }
}

impl LikedReposRequest {
    /// Whose likes to list.
    pub fn user(mut self, user: impl Into<String>) -> Self {
        self.user = Some(user.into());
        self
    }

    /// Uses this token instead of the client's.
    pub fn token(mut self, token: Token) -> Self {
        self.token = Some(token);
        self
    }
}

impl IntoFuture for LikedReposRequest {
    type Output = Result<UserLikes, Error>;
    type IntoFuture = BoxFuture<UserLikes>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let user = if let Some(u) = self.user {
                u
            } else {
                let who = self.api.whoami();
                let who = match &self.token {
                    Some(t) => who.token(t.clone()),
                    None => who,
                };
                let me = who.await?;
                if me.account_type != Some(AccountType::User) {
                    return Err(Error::invalid_argument(
                        "cannot list liked repos of this token's owner (not a user): pass `.user(..)`",
                        None,
                    ));
                }
                me.name
            };
            let likes: Vec<LikedRepo> = paginate(
                &self.api,
                &format!("/api/users/{user}/likes"),
                &[],
                token_auth(self.token.as_ref()),
                None,
                None,
            )
            .try_collect()
            .await?;
            Ok(UserLikes::from_likes(user, &likes))
        })
    }
}

/// The listing built by [`HfApi::list_repo_likers`]: a lazy stream of [`RepoLiker`].
#[must_use = "a listing does nothing until it is polled"]
#[derive(Debug, Clone)]
pub struct RepoLikersRequest {
    api: HfApi,
    repo_id: String,
    repo_type: RepoType,
    token: Option<Token>,
    started: StreamSlot<RepoLiker>,
}

impl HfApi {
    /// The users who like a repo: `GET /api/{type}s/{repo_id}/likers`, paginated.
    pub fn list_repo_likers(&self, repo_id: &str) -> RepoLikersRequest {
        RepoLikersRequest {
            api: self.clone(),
            repo_id: repo_id.to_owned(),
            repo_type: RepoType::Model,
            token: None,
            started: StreamSlot::default(),
        }
    }
}

impl RepoLikersRequest {
    /// The repo type (default: model).
    pub fn repo_type(mut self, repo_type: RepoType) -> Self {
        self.repo_type = repo_type;
        self
    }

    /// Uses this token instead of the client's.
    pub fn token(mut self, token: Token) -> Self {
        self.token = Some(token);
        self
    }

    fn make_stream(&self) -> BoxStream<RepoLiker> {
        match parse_repo_id(&self.repo_id) {
            Ok(id) => paginate(
                &self.api,
                &format!("{}/likers", repo_api_path(self.repo_type, &id)),
                &[],
                token_auth(self.token.as_ref()),
                None,
                None,
            ),
            Err(e) => error_stream(e),
        }
    }
}

listing!(RepoLikersRequest, RepoLiker);

//! Papers: `list_papers` (search) and `paper_info`.

use std::future::IntoFuture;

use hf_http::Token;
use hf_http::auth::RequestAuth;
use hf_types::PaperInfo;

use super::token_auth;
use crate::client::HfApi;
use crate::error::Error;
use crate::request::{ApiRequest, BoxFuture};

/// The request built by [`HfApi::list_papers`].
#[must_use = "a request does nothing until it is awaited"]
#[derive(Debug, Clone)]
pub struct ListPapersRequest {
    api: HfApi,
    query: Option<String>,
    token: Option<Token>,
}

impl HfApi {
    /// Searches the papers on the Hub: `GET /api/papers/search?q=...`.
    pub fn list_papers(&self) -> ListPapersRequest {
        ListPapersRequest {
            api: self.clone(),
            query: None,
            token: None,
        }
    }

    /// One paper, by arXiv id: `GET /api/papers/{id}` (sent without a token).
    ///
    /// Errors: a 404 ([`Error::is_not_found`]) for an unknown paper.
    pub fn paper_info(&self, id: &str) -> PaperInfoRequest {
        PaperInfoRequest {
            api: self.clone(),
            id: id.to_owned(),
        }
    }
}

impl ListPapersRequest {
    /// The search text (default: every paper).
    pub fn query(mut self, query: impl Into<String>) -> Self {
        self.query = Some(query.into());
        self
    }

    /// Uses this token instead of the client's.
    pub fn token(mut self, token: Token) -> Self {
        self.token = Some(token);
        self
    }
}

impl IntoFuture for ListPapersRequest {
    type Output = Result<Vec<PaperInfo>, Error>;
    type IntoFuture = BoxFuture<Vec<PaperInfo>>;

    fn into_future(self) -> Self::IntoFuture {
        let q: Vec<(&str, &str)> = self
            .query
            .as_deref()
            .filter(|q| !q.is_empty())
            .map(|q| vec![("q", q)])
            .unwrap_or_default();
        match ApiRequest::get(&self.api, "/api/papers/search")
            .auth(token_auth(self.token.as_ref()))
            .query(&q)
        {
            Ok(req) => req.send_json(),
            Err(e) => Box::pin(std::future::ready(Err(e))),
        }
    }
}

/// The request built by [`HfApi::paper_info`].
#[must_use = "a request does nothing until it is awaited"]
#[derive(Debug, Clone)]
pub struct PaperInfoRequest {
    api: HfApi,
    id: String,
}

impl IntoFuture for PaperInfoRequest {
    type Output = Result<PaperInfo, Error>;
    type IntoFuture = BoxFuture<PaperInfo>;

    fn into_future(self) -> Self::IntoFuture {
        let id = hf_types::Revision::new(self.id.as_str())
            .map_or_else(|_| self.id.clone(), |r| r.url_segment());
        ApiRequest::get(&self.api, format!("/api/papers/{id}"))
            .auth(Some(RequestAuth::Disabled))
            .send_json()
    }
}

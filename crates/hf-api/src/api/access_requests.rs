//! Gated-repo access requests: `list_pending_access_requests`,
//! `list_accepted_access_requests`, `list_rejected_access_requests`,
//! `cancel_access_request`, `accept_access_request`, `reject_access_request`,
//! `grant_access`. All need write access to the repo.
//!
//! Hub errors: [`Error::BadRequest`] when the repo is not gated (or, for `grant_access`,
//! the user already has access); [`Error::Forbidden`] with read access only; a 404
//! ([`Error::is_not_found`]) when the user or the request does not exist, or the request
//! is already in the target list.

use std::future::IntoFuture;

use hf_http::{Idempotency, Token};
use hf_types::{AccessRequest, RepoType};
use serde_json::json;

use super::{parse_repo_id, repo_api_path, token_auth};
use crate::client::HfApi;
use crate::error::Error;
use crate::request::{ApiRequest, BoxFuture};

/// The request built by the three `list_*_access_requests` methods.
#[must_use = "a request does nothing until it is awaited"]
#[derive(Debug, Clone)]
pub struct AccessRequestsRequest {
    api: HfApi,
    repo_id: String,
    status: &'static str,
    repo_type: RepoType,
    token: Option<Token>,
}

impl HfApi {
    fn access_requests(&self, repo_id: &str, status: &'static str) -> AccessRequestsRequest {
        AccessRequestsRequest {
            api: self.clone(),
            repo_id: repo_id.to_owned(),
            status,
            repo_type: RepoType::Model,
            token: None,
        }
    }

    /// Access requests waiting for a decision:
    /// `GET /api/{type}s/{repo_id}/user-access-request/pending`.
    pub fn list_pending_access_requests(&self, repo_id: &str) -> AccessRequestsRequest {
        self.access_requests(repo_id, "pending")
    }

    /// Accepted access requests: `GET .../user-access-request/accepted`.
    pub fn list_accepted_access_requests(&self, repo_id: &str) -> AccessRequestsRequest {
        self.access_requests(repo_id, "accepted")
    }

    /// Rejected access requests: `GET .../user-access-request/rejected`.
    pub fn list_rejected_access_requests(&self, repo_id: &str) -> AccessRequestsRequest {
        self.access_requests(repo_id, "rejected")
    }
}

impl AccessRequestsRequest {
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

impl IntoFuture for AccessRequestsRequest {
    type Output = Result<Vec<AccessRequest>, Error>;
    type IntoFuture = BoxFuture<Vec<AccessRequest>>;

    fn into_future(self) -> Self::IntoFuture {
        let checked = super::not_for_kernels(self.repo_type, "access requests")
            .and_then(|()| parse_repo_id(&self.repo_id));
        match checked {
            Ok(id) => ApiRequest::get(
                &self.api,
                format!(
                    "{}/user-access-request/{}",
                    repo_api_path(self.repo_type, &id),
                    self.status
                ),
            )
            .auth(token_auth(self.token.as_ref()))
            .send_json(),
            Err(e) => Box::pin(std::future::ready(Err(e))),
        }
    }
}

/// What an [`AccessRequestAction`] does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Cancel,
    Accept,
    Reject,
    Grant,
}

/// The request built by `cancel_access_request`, `accept_access_request`,
/// `reject_access_request` and `grant_access`.
#[must_use = "a request does nothing until it is awaited"]
#[derive(Debug, Clone)]
pub struct AccessRequestAction {
    api: HfApi,
    repo_id: String,
    user: String,
    action: Action,
    repo_type: RepoType,
    token: Option<Token>,
}

impl HfApi {
    fn access_action(&self, repo_id: &str, user: &str, action: Action) -> AccessRequestAction {
        AccessRequestAction {
            api: self.clone(),
            repo_id: repo_id.to_owned(),
            user: user.to_owned(),
            action,
            repo_type: RepoType::Model,
            token: None,
        }
    }

    /// Moves a user's accepted or rejected request back to pending:
    /// `POST .../user-access-request/handle` with `status: pending`.
    pub fn cancel_access_request(&self, repo_id: &str, user: &str) -> AccessRequestAction {
        self.access_action(repo_id, user, Action::Cancel)
    }

    /// Accepts a user's access request (`status: accepted`).
    pub fn accept_access_request(&self, repo_id: &str, user: &str) -> AccessRequestAction {
        self.access_action(repo_id, user, Action::Accept)
    }

    /// Rejects a user's access request (`status: rejected`).
    pub fn reject_access_request(&self, repo_id: &str, user: &str) -> AccessRequestAction {
        self.access_action(repo_id, user, Action::Reject)
    }

    /// Gives a user access without a request: `POST .../user-access-request/grant`.
    pub fn grant_access(&self, repo_id: &str, user: &str) -> AccessRequestAction {
        self.access_action(repo_id, user, Action::Grant)
    }
}

impl AccessRequestAction {
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

impl IntoFuture for AccessRequestAction {
    type Output = Result<(), Error>;
    type IntoFuture = BoxFuture<()>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            super::not_for_kernels(self.repo_type, "access requests")?;
            let id = parse_repo_id(&self.repo_id)?;
            let base = format!("{}/user-access-request", repo_api_path(self.repo_type, &id));
            let (path, body) = match self.action {
                Action::Grant => (format!("{base}/grant"), json!({"user": self.user})),
                other => {
                    let status = match other {
                        Action::Cancel => "pending",
                        Action::Accept => "accepted",
                        _ => "rejected",
                    };
                    (
                        format!("{base}/handle"),
                        json!({"user": self.user, "status": status}),
                    )
                }
            };
            ApiRequest::new(&self.api, hf_http::http::Method::POST, path)
                .auth(token_auth(self.token.as_ref()))
                .idempotency(Idempotency::NotIdempotent)
                .json_body(&body)?
                .send_unit()
                .await
        })
    }
}

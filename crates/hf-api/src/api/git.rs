//! Git references and history: `list_repo_refs`, `list_repo_commits`, `create_branch`,
//! `delete_branch`, `create_tag`, `delete_tag`, `super_squash_history`.

use std::future::IntoFuture;

use hf_http::hub_error::NotFoundHint;
use hf_http::{Idempotency, Token};
use hf_types::{GitCommitInfo, GitRefs, RepoType};
use serde_json::{Map, Value, json};

use super::{
    BoxStream, StreamSlot, error_stream, listing, paginate, parse_repo_id, parse_revision,
    repo_api_path, token_auth,
};
use crate::client::HfApi;
use crate::error::Error;
use crate::request::{ApiRequest, BoxFuture};

/// The request built by [`HfApi::list_repo_refs`].
#[must_use = "a request does nothing until it is awaited"]
#[derive(Debug, Clone)]
pub struct ListRepoRefsRequest {
    api: HfApi,
    repo_id: String,
    repo_type: RepoType,
    include_pull_requests: bool,
    token: Option<Token>,
}

impl HfApi {
    /// Branches, tags, converts (and pull requests on request) of a repo:
    /// `GET /api/{type}s/{repo_id}/refs`.
    pub fn list_repo_refs(&self, repo_id: &str) -> ListRepoRefsRequest {
        ListRepoRefsRequest {
            api: self.clone(),
            repo_id: repo_id.to_owned(),
            repo_type: RepoType::Model,
            include_pull_requests: false,
            token: None,
        }
    }
}

impl ListRepoRefsRequest {
    /// The repo type (default: model).
    pub fn repo_type(mut self, repo_type: RepoType) -> Self {
        self.repo_type = repo_type;
        self
    }

    /// Also lists pull-request refs (`refs/pr/N`).
    pub fn include_pull_requests(mut self, yes: bool) -> Self {
        self.include_pull_requests = yes;
        self
    }

    /// Uses this token instead of the client's.
    pub fn token(mut self, token: Token) -> Self {
        self.token = Some(token);
        self
    }
}

impl IntoFuture for ListRepoRefsRequest {
    type Output = Result<GitRefs, Error>;
    type IntoFuture = BoxFuture<GitRefs>;

    fn into_future(self) -> Self::IntoFuture {
        let req = parse_repo_id(&self.repo_id).and_then(|id| {
            let query: Vec<(&str, &str)> = if self.include_pull_requests {
                vec![("include_prs", "1")]
            } else {
                Vec::new()
            };
            ApiRequest::get(
                &self.api,
                format!("{}/refs", repo_api_path(self.repo_type, &id)),
            )
            .auth(token_auth(self.token.as_ref()))
            .query(&query)
        });
        match req {
            Ok(req) => req.send_json(),
            Err(e) => Box::pin(std::future::ready(Err(e))),
        }
    }
}

/// The listing built by [`HfApi::list_repo_commits`]: a lazy stream of commits, newest
/// first.
#[must_use = "a listing does nothing until it is polled"]
#[derive(Debug, Clone)]
pub struct ListRepoCommitsRequest {
    api: HfApi,
    repo_id: String,
    repo_type: RepoType,
    revision: Option<String>,
    formatted: bool,
    token: Option<Token>,
    started: StreamSlot<GitCommitInfo>,
}

impl HfApi {
    /// The history of a revision: `GET /api/{type}s/{repo_id}/commits/{rev}`, paginated.
    pub fn list_repo_commits(&self, repo_id: &str) -> ListRepoCommitsRequest {
        ListRepoCommitsRequest {
            api: self.clone(),
            repo_id: repo_id.to_owned(),
            repo_type: RepoType::Model,
            revision: None,
            formatted: false,
            token: None,
            started: StreamSlot::default(),
        }
    }
}

impl ListRepoCommitsRequest {
    /// The repo type (default: model).
    pub fn repo_type(mut self, repo_type: RepoType) -> Self {
        self.repo_type = repo_type;
        self
    }

    /// A branch, tag or commit (default `main`).
    pub fn revision(mut self, revision: impl Into<String>) -> Self {
        self.revision = Some(revision.into());
        self
    }

    /// Also returns HTML-formatted titles and messages.
    pub fn formatted(mut self, yes: bool) -> Self {
        self.formatted = yes;
        self
    }

    /// Uses this token instead of the client's.
    pub fn token(mut self, token: Token) -> Self {
        self.token = Some(token);
        self
    }

    fn make_stream(&self) -> BoxStream<GitCommitInfo> {
        let path = parse_repo_id(&self.repo_id).and_then(|id| {
            let rev = parse_revision(self.revision.as_deref())?;
            Ok(format!(
                "{}/commits/{}",
                repo_api_path(self.repo_type, &id),
                rev.url_segment()
            ))
        });
        let query = if self.formatted {
            vec![("expand[]".to_owned(), "formatted".to_owned())]
        } else {
            Vec::new()
        };
        match path {
            Ok(path) => paginate(
                &self.api,
                &path,
                &query,
                token_auth(self.token.as_ref()),
                Some(NotFoundHint::Revision),
                None,
            ),
            Err(e) => error_stream(e),
        }
    }
}

listing!(ListRepoCommitsRequest, GitCommitInfo);

/// What a [`RefRequest`] does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RefOp {
    CreateBranch,
    DeleteBranch,
    CreateTag,
    DeleteTag,
}

/// The request built by [`HfApi::create_branch`], [`HfApi::delete_branch`],
/// [`HfApi::create_tag`] and [`HfApi::delete_tag`].
#[must_use = "a request does nothing until it is awaited"]
#[derive(Debug, Clone)]
pub struct RefRequest {
    api: HfApi,
    op: RefOp,
    repo_id: String,
    name: String,
    repo_type: RepoType,
    revision: Option<String>,
    tag_message: Option<String>,
    exist_ok: bool,
    token: Option<Token>,
}

/// The request built by [`HfApi::create_branch`].
pub type CreateBranchRequest = RefRequest;
/// The request built by [`HfApi::create_tag`].
pub type CreateTagRequest = RefRequest;

impl HfApi {
    fn ref_request(&self, op: RefOp, repo_id: &str, name: &str) -> RefRequest {
        RefRequest {
            api: self.clone(),
            op,
            repo_id: repo_id.to_owned(),
            name: name.to_owned(),
            repo_type: RepoType::Model,
            revision: None,
            tag_message: None,
            exist_ok: false,
            token: None,
        }
    }

    /// Creates a branch (from `revision`, default the head of `main`):
    /// `POST /api/{type}s/{repo_id}/branch/{branch}`.
    ///
    /// Errors: [`Error::Conflict`] when it exists (unless `exist_ok`),
    /// [`Error::RevisionNotFound`] for a bad starting point.
    pub fn create_branch(&self, repo_id: &str, branch: &str) -> RefRequest {
        self.ref_request(RefOp::CreateBranch, repo_id, branch)
    }

    /// Deletes a branch: `DELETE /api/{type}s/{repo_id}/branch/{branch}`.
    pub fn delete_branch(&self, repo_id: &str, branch: &str) -> RefRequest {
        self.ref_request(RefOp::DeleteBranch, repo_id, branch)
    }

    /// Tags a revision (default `main`): `POST /api/{type}s/{repo_id}/tag/{revision}`.
    ///
    /// Errors: [`Error::Conflict`] when the tag exists (unless `exist_ok`).
    pub fn create_tag(&self, repo_id: &str, tag: &str) -> RefRequest {
        self.ref_request(RefOp::CreateTag, repo_id, tag)
    }

    /// Deletes a tag: `DELETE /api/{type}s/{repo_id}/tag/{tag}`.
    pub fn delete_tag(&self, repo_id: &str, tag: &str) -> RefRequest {
        self.ref_request(RefOp::DeleteTag, repo_id, tag)
    }
}

impl RefRequest {
    /// The repo type (default: model).
    pub fn repo_type(mut self, repo_type: RepoType) -> Self {
        self.repo_type = repo_type;
        self
    }

    /// Where a new branch or tag points (default: `main`); ignored by deletions.
    pub fn revision(mut self, revision: impl Into<String>) -> Self {
        self.revision = Some(revision.into());
        self
    }

    /// The message of an annotated tag (`create_tag` only).
    pub fn tag_message(mut self, message: impl Into<String>) -> Self {
        self.tag_message = Some(message.into());
        self
    }

    /// Succeeds when the branch or tag already exists (creations only).
    pub fn exist_ok(mut self, exist_ok: bool) -> Self {
        self.exist_ok = exist_ok;
        self
    }

    /// Uses this token instead of the client's.
    pub fn token(mut self, token: Token) -> Self {
        self.token = Some(token);
        self
    }

    fn request(&self) -> Result<ApiRequest, Error> {
        let id = parse_repo_id(&self.repo_id)?;
        let base = repo_api_path(self.repo_type, &id);
        let name = parse_revision(Some(&self.name))?;
        let (method, path, body) = match self.op {
            RefOp::CreateBranch => {
                let mut body = Map::new();
                if let Some(rev) = &self.revision {
                    body.insert("startingPoint".into(), json!(rev));
                }
                (
                    hf_http::http::Method::POST,
                    format!("{base}/branch/{}", name.url_segment()),
                    Some(Value::Object(body)),
                )
            }
            RefOp::DeleteBranch => (
                hf_http::http::Method::DELETE,
                format!("{base}/branch/{}", name.url_segment()),
                None,
            ),
            RefOp::CreateTag => {
                let rev = parse_revision(self.revision.as_deref())?;
                let mut body = json!({"tag": self.name});
                if let Some(m) = &self.tag_message {
                    body["message"] = json!(m);
                }
                (
                    hf_http::http::Method::POST,
                    format!("{base}/tag/{}", rev.url_segment()),
                    Some(body),
                )
            }
            RefOp::DeleteTag => (
                hf_http::http::Method::DELETE,
                format!("{base}/tag/{}", name.url_segment()),
                None,
            ),
        };
        let mut req = ApiRequest::new(&self.api, method, path)
            .auth(token_auth(self.token.as_ref()))
            .idempotency(Idempotency::NotIdempotent);
        if matches!(self.op, RefOp::CreateTag | RefOp::CreateBranch) {
            req = req.extension(NotFoundHint::Revision);
        }
        match body {
            Some(b) => req.json_body(&b),
            None => Ok(req),
        }
    }
}

impl IntoFuture for RefRequest {
    type Output = Result<(), Error>;
    type IntoFuture = BoxFuture<()>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let creating = matches!(self.op, RefOp::CreateBranch | RefOp::CreateTag);
            match self.request()?.send_unit().await {
                Err(Error::Conflict(_)) if creating && self.exist_ok => Ok(()),
                Err(Error::Forbidden(e)) if self.op == RefOp::CreateBranch && self.exist_ok => {
                    // Without the right to create, an existing branch is still fine.
                    let refs = self
                        .api
                        .list_repo_refs(&self.repo_id)
                        .repo_type(self.repo_type);
                    let refs = match &self.token {
                        Some(t) => refs.token(t.clone()),
                        None => refs,
                    };
                    match refs.await {
                        Ok(r) if r.branches.iter().any(|b| b.name == self.name) => Ok(()),
                        _ => Err(Error::Forbidden(e)),
                    }
                }
                other => other,
            }
        })
    }
}

/// The request built by [`HfApi::super_squash_history`].
#[must_use = "a request does nothing until it is awaited"]
#[derive(Debug, Clone)]
pub struct SuperSquashRequest {
    api: HfApi,
    repo_id: String,
    branch: Option<String>,
    commit_message: Option<String>,
    repo_type: RepoType,
    token: Option<Token>,
}

impl HfApi {
    /// Rewrites a branch (default `main`) into a single commit with its current files:
    /// `POST /api/{type}s/{repo_id}/super-squash/{branch}`. Cannot be undone.
    pub fn super_squash_history(&self, repo_id: &str) -> SuperSquashRequest {
        SuperSquashRequest {
            api: self.clone(),
            repo_id: repo_id.to_owned(),
            branch: None,
            commit_message: None,
            repo_type: RepoType::Model,
            token: None,
        }
    }
}

impl SuperSquashRequest {
    /// The branch to squash (default `main`).
    pub fn branch(mut self, branch: impl Into<String>) -> Self {
        self.branch = Some(branch.into());
        self
    }

    /// The message of the squashed commit.
    pub fn commit_message(mut self, message: impl Into<String>) -> Self {
        self.commit_message = Some(message.into());
        self
    }

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

impl IntoFuture for SuperSquashRequest {
    type Output = Result<(), Error>;
    type IntoFuture = BoxFuture<()>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            super::not_for_kernels(self.repo_type, "history squashing")?;
            let id = parse_repo_id(&self.repo_id)?;
            let branch = parse_revision(self.branch.as_deref())?;
            let message = self.commit_message.clone().unwrap_or_else(|| {
                format!(
                    "Super-squash branch '{}' using huggingface_hub",
                    branch.as_str()
                )
            });
            ApiRequest::new(
                &self.api,
                hf_http::http::Method::POST,
                format!(
                    "{}/super-squash/{}",
                    repo_api_path(self.repo_type, &id),
                    branch.url_segment()
                ),
            )
            .auth(token_auth(self.token.as_ref()))
            .idempotency(Idempotency::NotIdempotent)
            .extension(NotFoundHint::Revision)
            .json_body(&json!({ "message": message }))?
            .send_unit()
            .await
        })
    }
}

//! Discussions and pull requests: `get_repo_discussions`, `get_discussion_details`,
//! `create_discussion`, `create_pull_request`, `comment_discussion`,
//! `rename_discussion`, `change_discussion_status`, `merge_pull_request`,
//! `edit_discussion_comment`, `hide_discussion_comment`.
//!
//! A pull request numbered `n` is backed by the git ref `refs/pr/{n}`: commit to it with
//! `revision("refs/pr/n")`.

use std::future::IntoFuture;

use futures_util::StreamExt;
use hf_http::{Idempotency, Token};
use hf_types::{Discussion, DiscussionEvent, DiscussionWithDetails, DiscussionsPage, RepoType};
use serde_json::{Value, json};

use super::{
    BoxStream, StreamSlot, error_stream, listing, parse_repo_id, repo_api_path, token_auth,
};
use crate::client::HfApi;
use crate::error::Error;
use crate::request::{ApiRequest, BoxFuture};

/// Which discussions [`HfApi::get_repo_discussions`] lists (`type=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DiscussionType {
    /// Discussions and pull requests.
    All,
    /// Discussions only.
    Discussion,
    /// Pull requests only.
    PullRequest,
}

impl DiscussionType {
    fn as_str(self) -> &'static str {
        match self {
            DiscussionType::All => "all",
            DiscussionType::Discussion => "discussion",
            DiscussionType::PullRequest => "pull_request",
        }
    }
}

/// Which statuses [`HfApi::get_repo_discussions`] lists (`status=`), and the targets of
/// [`HfApi::change_discussion_status`] (`Open` or `Closed`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DiscussionStatusFilter {
    /// Every status (listings only).
    All,
    /// Open (and draft) discussions.
    Open,
    /// Closed (and merged) discussions.
    Closed,
}

impl DiscussionStatusFilter {
    fn as_str(self) -> &'static str {
        match self {
            DiscussionStatusFilter::All => "all",
            DiscussionStatusFilter::Open => "open",
            DiscussionStatusFilter::Closed => "closed",
        }
    }
}

/// `{type}s/{repo_id}/discussions` of a repo.
fn discussions_path(repo_type: RepoType, repo_id: &str) -> Result<String, Error> {
    super::not_for_kernels(repo_type, "discussions or pull requests")?;
    let id = parse_repo_id(repo_id)?;
    Ok(format!("{}/discussions", repo_api_path(repo_type, &id)))
}

fn check_num(num: u64) -> Result<(), Error> {
    if num == 0 {
        return Err(Error::invalid_argument(
            "discussion numbers start at 1",
            None,
        ));
    }
    Ok(())
}

/// The listing built by [`HfApi::get_repo_discussions`]: a lazy stream of
/// [`Discussion`], one page (`p=0, 1, ...`) at a time.
#[must_use = "a listing does nothing until it is polled"]
#[derive(Debug, Clone)]
pub struct RepoDiscussionsRequest {
    api: HfApi,
    repo_id: String,
    author: Option<String>,
    discussion_type: Option<DiscussionType>,
    discussion_status: Option<DiscussionStatusFilter>,
    repo_type: RepoType,
    token: Option<Token>,
    started: StreamSlot<Discussion>,
}

impl HfApi {
    /// The discussions and pull requests of a repo: `GET /api/{type}s/{repo_id}/discussions?p=N`.
    pub fn get_repo_discussions(&self, repo_id: &str) -> RepoDiscussionsRequest {
        RepoDiscussionsRequest {
            api: self.clone(),
            repo_id: repo_id.to_owned(),
            author: None,
            discussion_type: None,
            discussion_status: None,
            repo_type: RepoType::Model,
            token: None,
            started: StreamSlot::default(),
        }
    }
}

impl RepoDiscussionsRequest {
    /// Only those opened by this user.
    pub fn author(mut self, author: impl Into<String>) -> Self {
        self.author = Some(author.into());
        self
    }

    /// Discussions, pull requests or both.
    pub fn discussion_type(mut self, t: DiscussionType) -> Self {
        self.discussion_type = Some(t);
        self
    }

    /// Open, closed or both.
    pub fn discussion_status(mut self, s: DiscussionStatusFilter) -> Self {
        self.discussion_status = Some(s);
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

    fn make_stream(&self) -> BoxStream<Discussion> {
        let path = match discussions_path(self.repo_type, &self.repo_id) {
            Ok(p) => p,
            Err(e) => return error_stream(e),
        };
        let mut query: Vec<(String, String)> = Vec::new();
        if let Some(t) = self.discussion_type {
            query.push(("type".into(), t.as_str().into()));
        }
        if let Some(s) = self.discussion_status {
            query.push(("status".into(), s.as_str().into()));
        }
        if let Some(a) = &self.author {
            query.push(("author".into(), a.clone()));
        }
        let api = self.api.clone();
        let auth = token_auth(self.token.as_ref());
        // state: the next page index, or None when done
        let pages = futures_util::stream::try_unfold(Some(0u64), move |page| {
            let (api, path, mut query, auth) =
                (api.clone(), path.clone(), query.clone(), auth.clone());
            async move {
                let Some(p) = page else { return Ok(None) };
                query.push(("p".into(), p.to_string()));
                let body: DiscussionsPage = ApiRequest::get(&api, path)
                    .auth(auth)
                    .query(&query)?
                    .send_json()
                    .await?;
                let more = body.start + (body.discussions.len() as u64) < body.count
                    && !body.discussions.is_empty();
                let next = more.then_some(p + 1);
                Ok::<_, Error>(Some((body.discussions, next)))
            }
        });
        Box::pin(
            pages
                .map(|page: Result<Vec<Discussion>, Error>| match page {
                    Ok(items) => {
                        futures_util::stream::iter(items.into_iter().map(Ok)).left_stream()
                    }
                    Err(e) => futures_util::stream::once(std::future::ready(Err(e))).right_stream(),
                })
                .flatten(),
        )
    }
}

listing!(RepoDiscussionsRequest, Discussion);

/// The request built by [`HfApi::get_discussion_details`].
#[must_use = "a request does nothing until it is awaited"]
#[derive(Debug, Clone)]
pub struct DiscussionDetailsRequest {
    api: HfApi,
    repo_id: String,
    num: u64,
    repo_type: RepoType,
    token: Option<Token>,
}

impl HfApi {
    /// One discussion or pull request with its events (and, for a pull request, its
    /// diff): `GET /api/{type}s/{repo_id}/discussions/{num}?diff=1`.
    pub fn get_discussion_details(&self, repo_id: &str, num: u64) -> DiscussionDetailsRequest {
        DiscussionDetailsRequest {
            api: self.clone(),
            repo_id: repo_id.to_owned(),
            num,
            repo_type: RepoType::Model,
            token: None,
        }
    }
}

impl DiscussionDetailsRequest {
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

impl IntoFuture for DiscussionDetailsRequest {
    type Output = Result<DiscussionWithDetails, Error>;
    type IntoFuture = BoxFuture<DiscussionWithDetails>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            check_num(self.num)?;
            let path = format!(
                "{}/{}",
                discussions_path(self.repo_type, &self.repo_id)?,
                self.num
            );
            ApiRequest::get(&self.api, path)
                .auth(token_auth(self.token.as_ref()))
                .query(&[("diff", "1")])?
                .send_json()
                .await
        })
    }
}

/// The request built by [`HfApi::create_discussion`] and [`HfApi::create_pull_request`];
/// resolves to the new discussion's details.
#[must_use = "a request does nothing until it is awaited"]
#[derive(Debug, Clone)]
pub struct CreateDiscussionRequest {
    api: HfApi,
    repo_id: String,
    title: String,
    description: Option<String>,
    pull_request: bool,
    repo_type: RepoType,
    token: Option<Token>,
}

impl HfApi {
    /// Opens a discussion: `POST /api/{type}s/{repo_id}/discussions`.
    pub fn create_discussion(&self, repo_id: &str, title: &str) -> CreateDiscussionRequest {
        CreateDiscussionRequest {
            api: self.clone(),
            repo_id: repo_id.to_owned(),
            title: title.to_owned(),
            description: None,
            pull_request: false,
            repo_type: RepoType::Model,
            token: None,
        }
    }

    /// Opens a (draft) pull request; push to `refs/pr/{num}` to add changes.
    pub fn create_pull_request(&self, repo_id: &str, title: &str) -> CreateDiscussionRequest {
        self.create_discussion(repo_id, title).pull_request(true)
    }
}

impl CreateDiscussionRequest {
    /// The opening message (Markdown).
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Opens a pull request instead of a discussion.
    pub fn pull_request(mut self, yes: bool) -> Self {
        self.pull_request = yes;
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

#[derive(serde::Deserialize)]
struct Created {
    num: u64,
}

impl IntoFuture for CreateDiscussionRequest {
    type Output = Result<DiscussionWithDetails, Error>;
    type IntoFuture = BoxFuture<DiscussionWithDetails>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let path = discussions_path(self.repo_type, &self.repo_id)?;
            let description = self
                .description
                .as_deref()
                .map(str::trim)
                .filter(|d| !d.is_empty())
                .map_or_else(
                    || {
                        format!(
                            "{} opened with the hf-rs Rust client",
                            if self.pull_request {
                                "Pull Request"
                            } else {
                                "Discussion"
                            }
                        )
                    },
                    str::to_owned,
                );
            let body = json!({
                "title": self.title.trim(),
                "description": description,
                "pullRequest": self.pull_request,
            });
            let created: Created = ApiRequest::new(&self.api, hf_http::http::Method::POST, path)
                .auth(token_auth(self.token.as_ref()))
                .idempotency(Idempotency::NotIdempotent)
                .json_body(&body)?
                .send_json()
                .await?;
            let details = self
                .api
                .get_discussion_details(&self.repo_id, created.num)
                .repo_type(self.repo_type);
            match self.token {
                Some(t) => details.token(t).await,
                None => details.await,
            }
        })
    }
}

/// What a [`DiscussionChangeRequest`] does.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Change {
    Comment(String),
    Rename(String),
    Status(DiscussionStatusFilter, Option<String>),
    Edit(String, String),
    Hide(String),
}

/// The request built by [`HfApi::comment_discussion`], [`HfApi::rename_discussion`],
/// [`HfApi::change_discussion_status`], [`HfApi::edit_discussion_comment`] and
/// [`HfApi::hide_discussion_comment`]; resolves to the event it created or changed.
#[must_use = "a request does nothing until it is awaited"]
#[derive(Debug, Clone)]
pub struct DiscussionChangeRequest {
    api: HfApi,
    repo_id: String,
    num: u64,
    change: Change,
    repo_type: RepoType,
    token: Option<Token>,
}

impl HfApi {
    fn discussion_change(
        &self,
        repo_id: &str,
        num: u64,
        change: Change,
    ) -> DiscussionChangeRequest {
        DiscussionChangeRequest {
            api: self.clone(),
            repo_id: repo_id.to_owned(),
            num,
            change,
            repo_type: RepoType::Model,
            token: None,
        }
    }

    /// Adds a comment: `POST .../discussions/{num}/comment`.
    pub fn comment_discussion(
        &self,
        repo_id: &str,
        num: u64,
        comment: &str,
    ) -> DiscussionChangeRequest {
        self.discussion_change(repo_id, num, Change::Comment(comment.to_owned()))
    }

    /// Renames a discussion: `POST .../discussions/{num}/title`.
    pub fn rename_discussion(
        &self,
        repo_id: &str,
        num: u64,
        new_title: &str,
    ) -> DiscussionChangeRequest {
        self.discussion_change(repo_id, num, Change::Rename(new_title.to_owned()))
    }

    /// Opens or closes a discussion: `POST .../discussions/{num}/status`
    /// (`DiscussionStatusFilter::Open` or `Closed`).
    pub fn change_discussion_status(
        &self,
        repo_id: &str,
        num: u64,
        new_status: DiscussionStatusFilter,
    ) -> DiscussionChangeRequest {
        self.discussion_change(repo_id, num, Change::Status(new_status, None))
    }

    /// Replaces a comment's text: `POST .../discussions/{num}/comment/{id}/edit`.
    pub fn edit_discussion_comment(
        &self,
        repo_id: &str,
        num: u64,
        comment_id: &str,
        new_content: &str,
    ) -> DiscussionChangeRequest {
        self.discussion_change(
            repo_id,
            num,
            Change::Edit(comment_id.to_owned(), new_content.to_owned()),
        )
    }

    /// Hides a comment (cannot be undone): `POST .../discussions/{num}/comment/{id}/hide`.
    pub fn hide_discussion_comment(
        &self,
        repo_id: &str,
        num: u64,
        comment_id: &str,
    ) -> DiscussionChangeRequest {
        self.discussion_change(repo_id, num, Change::Hide(comment_id.to_owned()))
    }
}

impl DiscussionChangeRequest {
    /// A comment posted with a status change (`change_discussion_status` only).
    pub fn comment(mut self, comment: impl Into<String>) -> Self {
        if let Change::Status(_, c) = &mut self.change {
            *c = Some(comment.into());
        }
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

impl IntoFuture for DiscussionChangeRequest {
    type Output = Result<DiscussionEvent, Error>;
    type IntoFuture = BoxFuture<DiscussionEvent>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            check_num(self.num)?;
            let base = format!(
                "{}/{}",
                discussions_path(self.repo_type, &self.repo_id)?,
                self.num
            );
            let (path, body, key) = match &self.change {
                Change::Comment(c) => (
                    format!("{base}/comment"),
                    Some(json!({"comment": c})),
                    "newMessage",
                ),
                Change::Rename(t) => (
                    format!("{base}/title"),
                    Some(json!({"title": t})),
                    "newTitle",
                ),
                Change::Status(s, comment) => {
                    if *s == DiscussionStatusFilter::All {
                        return Err(Error::invalid_argument(
                            "a discussion's new status is Open or Closed",
                            None,
                        ));
                    }
                    let mut body = json!({"status": s.as_str()});
                    if let Some(c) = comment.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
                        body["comment"] = json!(c);
                    }
                    (format!("{base}/status"), Some(body), "newStatus")
                }
                Change::Edit(id, content) => (
                    format!("{base}/comment/{}/edit", id.to_lowercase()),
                    Some(json!({"content": content})),
                    "updatedComment",
                ),
                Change::Hide(id) => (
                    format!("{base}/comment/{}/hide", id.to_lowercase()),
                    None,
                    "updatedComment",
                ),
            };
            let mut req = ApiRequest::new(&self.api, hf_http::http::Method::POST, path)
                .auth(token_auth(self.token.as_ref()))
                .idempotency(Idempotency::NotIdempotent);
            if let Some(b) = body {
                req = req.json_body(&b)?;
            }
            let mut answer: serde_json::Map<String, Value> = req.send_json().await?;
            let event = answer.remove(key).ok_or_else(|| Error::InvalidResponse {
                message: format!("the Hub's answer has no `{key}` event"),
            })?;
            serde_json::from_value(event).map_err(|e| Error::InvalidResponse {
                message: format!("the Hub's `{key}` event cannot be read: {e}"),
            })
        })
    }
}

/// The request built by [`HfApi::merge_pull_request`].
#[must_use = "a request does nothing until it is awaited"]
#[derive(Debug, Clone)]
pub struct MergePullRequestRequest {
    api: HfApi,
    repo_id: String,
    num: u64,
    comment: Option<String>,
    repo_type: RepoType,
    token: Option<Token>,
}

impl HfApi {
    /// Merges a pull request into its base branch: `POST .../discussions/{num}/merge`.
    pub fn merge_pull_request(&self, repo_id: &str, num: u64) -> MergePullRequestRequest {
        MergePullRequestRequest {
            api: self.clone(),
            repo_id: repo_id.to_owned(),
            num,
            comment: None,
            repo_type: RepoType::Model,
            token: None,
        }
    }
}

impl MergePullRequestRequest {
    /// A comment posted with the merge.
    pub fn comment(mut self, comment: impl Into<String>) -> Self {
        self.comment = Some(comment.into());
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

impl IntoFuture for MergePullRequestRequest {
    type Output = Result<(), Error>;
    type IntoFuture = BoxFuture<()>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            check_num(self.num)?;
            let path = format!(
                "{}/{}/merge",
                discussions_path(self.repo_type, &self.repo_id)?,
                self.num
            );
            let mut req = ApiRequest::new(&self.api, hf_http::http::Method::POST, path)
                .auth(token_auth(self.token.as_ref()))
                .idempotency(Idempotency::NotIdempotent);
            // Python sends no body at all without a comment.
            if let Some(c) = self
                .comment
                .as_deref()
                .map(str::trim)
                .filter(|c| !c.is_empty())
            {
                req = req.json_body(&json!({ "comment": c }))?;
            }
            req.send_unit().await
        })
    }
}

//! Files and trees: `list_repo_files`, `list_repo_tree`, `get_paths_info`.

use std::future::IntoFuture;

use futures_util::StreamExt;
use hf_http::Token;
use hf_types::{RepoTreeEntry, RepoType};

use super::{
    BoxStream, StreamSlot, error_stream, listing, paginate, parse_path, parse_repo_id,
    parse_revision, py_bool, repo_api_path, token_auth,
};
use crate::client::HfApi;
use crate::error::Error;
use crate::request::{ApiRequest, BoxFuture};

/// The listing built by [`HfApi::list_repo_tree`]: a lazy [`Stream`](futures_util::Stream)
/// of [`RepoTreeEntry`].
#[must_use = "a listing does nothing until it is polled"]
#[derive(Debug, Clone)]
pub struct ListRepoTreeRequest {
    api: HfApi,
    repo_id: String,
    path_in_repo: Option<String>,
    recursive: bool,
    expand: bool,
    revision: Option<String>,
    repo_type: RepoType,
    token: Option<Token>,
    started: StreamSlot<RepoTreeEntry>,
}

impl HfApi {
    /// The files and folders of a repo at a revision:
    /// `GET /api/{type}s/{repo_id}/tree/{rev}[/{path}]`, paginated.
    ///
    /// ```no_run
    /// # async fn demo(api: hf_api::HfApi) -> Result<(), hf_api::Error> {
    /// use futures_util::TryStreamExt;
    /// let entries: Vec<_> = api.list_repo_tree("gpt2").recursive(true).try_collect().await?;
    /// # let _ = entries; Ok(()) }
    /// ```
    pub fn list_repo_tree(&self, repo_id: &str) -> ListRepoTreeRequest {
        ListRepoTreeRequest {
            api: self.clone(),
            repo_id: repo_id.to_owned(),
            path_in_repo: None,
            recursive: false,
            expand: false,
            revision: None,
            repo_type: RepoType::Model,
            token: None,
            started: StreamSlot::default(),
        }
    }
}

impl ListRepoTreeRequest {
    /// Lists this folder instead of the root.
    pub fn path_in_repo(mut self, path: impl Into<String>) -> Self {
        self.path_in_repo = Some(path.into());
        self
    }

    /// Lists sub-folders too (default `false`: direct children only).
    pub fn recursive(mut self, recursive: bool) -> Self {
        self.recursive = recursive;
        self
    }

    /// Adds the last commit and security status of each entry (slower; smaller pages).
    pub fn expand(mut self, expand: bool) -> Self {
        self.expand = expand;
        self
    }

    /// A branch, tag or commit (default `main`).
    pub fn revision(mut self, revision: impl Into<String>) -> Self {
        self.revision = Some(revision.into());
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

    fn make_stream(&self) -> BoxStream<RepoTreeEntry> {
        let build = || -> Result<String, Error> {
            let id = parse_repo_id(&self.repo_id)?;
            let rev = parse_revision(self.revision.as_deref())?;
            let mut path = format!(
                "{}/tree/{}",
                repo_api_path(self.repo_type, &id),
                rev.url_segment()
            );
            if let Some(p) = self.path_in_repo.as_deref().map(|p| p.trim_matches('/'))
                && !p.is_empty()
            {
                path.push('/');
                path.push_str(&parse_path(p)?.url_segment());
            }
            Ok(path)
        };
        match build() {
            Ok(path) => paginate(
                &self.api,
                &path,
                &[
                    ("recursive".to_owned(), py_bool(self.recursive)),
                    ("expand".to_owned(), py_bool(self.expand)),
                ],
                token_auth(self.token.as_ref()),
                None,
                None,
            ),
            Err(e) => error_stream(e),
        }
    }
}

listing!(ListRepoTreeRequest, RepoTreeEntry);

/// The listing built by [`HfApi::list_repo_files`]: a lazy stream of the path of every
/// file (folders are left out).
#[must_use = "a listing does nothing until it is polled"]
#[derive(Debug, Clone)]
pub struct ListRepoFilesRequest {
    tree: ListRepoTreeRequest,
    started: StreamSlot<String>,
}

impl HfApi {
    /// The path of every file of a repo at a revision (a recursive tree listing).
    pub fn list_repo_files(&self, repo_id: &str) -> ListRepoFilesRequest {
        ListRepoFilesRequest {
            tree: self.list_repo_tree(repo_id).recursive(true),
            started: StreamSlot::default(),
        }
    }
}

impl ListRepoFilesRequest {
    /// A branch, tag or commit (default `main`).
    pub fn revision(mut self, revision: impl Into<String>) -> Self {
        self.tree = self.tree.revision(revision);
        self
    }

    /// The repo type (default: model).
    pub fn repo_type(mut self, repo_type: RepoType) -> Self {
        self.tree = self.tree.repo_type(repo_type);
        self
    }

    /// Uses this token instead of the client's.
    pub fn token(mut self, token: Token) -> Self {
        self.tree = self.tree.token(token);
        self
    }

    fn make_stream(&self) -> BoxStream<String> {
        Box::pin(self.tree.make_stream().filter_map(|entry| {
            std::future::ready(match entry {
                Ok(RepoTreeEntry::File(f)) => Some(Ok(f.path)),
                Ok(RepoTreeEntry::Folder(_)) => None,
                Err(e) => Some(Err(e)),
            })
        }))
    }
}

listing!(ListRepoFilesRequest, String);

/// The request built by [`HfApi::get_paths_info`]; resolves to the entries of the paths
/// that exist (unknown paths are left out).
#[must_use = "a request does nothing until it is awaited"]
#[derive(Debug, Clone)]
pub struct PathsInfoRequest {
    api: HfApi,
    repo_id: String,
    paths: Vec<String>,
    expand: bool,
    revision: Option<String>,
    repo_type: RepoType,
    token: Option<Token>,
}

impl HfApi {
    /// Information about some files or folders:
    /// `POST /api/{type}s/{repo_id}/paths-info/{rev}` (form body).
    pub fn get_paths_info<I, S>(&self, repo_id: &str, paths: I) -> PathsInfoRequest
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        PathsInfoRequest {
            api: self.clone(),
            repo_id: repo_id.to_owned(),
            paths: super::strings(paths),
            expand: false,
            revision: None,
            repo_type: RepoType::Model,
            token: None,
        }
    }
}

impl PathsInfoRequest {
    /// Adds the last commit and security status of each entry.
    pub fn expand(mut self, expand: bool) -> Self {
        self.expand = expand;
        self
    }

    /// A branch, tag or commit (default `main`).
    pub fn revision(mut self, revision: impl Into<String>) -> Self {
        self.revision = Some(revision.into());
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

    fn request(&self) -> Result<ApiRequest, Error> {
        let id = parse_repo_id(&self.repo_id)?;
        let rev = parse_revision(self.revision.as_deref())?;
        let mut form: Vec<(&str, String)> =
            self.paths.iter().map(|p| ("paths", p.clone())).collect();
        form.push(("expand", py_bool(self.expand)));
        ApiRequest::new(
            &self.api,
            hf_http::http::Method::POST,
            format!(
                "{}/paths-info/{}",
                repo_api_path(self.repo_type, &id),
                rev.url_segment()
            ),
        )
        .auth(token_auth(self.token.as_ref()))
        // a read: safe to send twice
        .idempotency(hf_http::Idempotency::Idempotent)
        .form_body(&form)
    }
}

impl IntoFuture for PathsInfoRequest {
    type Output = Result<Vec<RepoTreeEntry>, Error>;
    type IntoFuture = BoxFuture<Vec<RepoTreeEntry>>;

    fn into_future(self) -> Self::IntoFuture {
        match self.request() {
            Ok(req) => req.send_json(),
            Err(e) => Box::pin(std::future::ready(Err(e))),
        }
    }
}

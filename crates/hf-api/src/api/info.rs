//! Repository information and existence checks: `repo_info` (`model_info`,
//! `dataset_info`, `space_info`, `kernel_info`), `repo_exists`, `revision_exists`, `file_exists`,
//! `auth_check`.

use std::future::IntoFuture;
use std::marker::PhantomData;
use std::time::Duration;

use hf_http::hub_error::NotFoundHint;
use hf_http::{RedirectMode, Token};
use hf_types::{DatasetInfo, KernelInfo, ModelInfo, RepoSibling, RepoType, SpaceInfo};

use super::expand::{
    ExpandDatasetProperty, ExpandModelProperty, ExpandProperty, ExpandSpaceProperty, names,
};
use super::{parse_path, parse_repo_id, parse_revision, py_bool, repo_api_path, token_auth};
use crate::client::HfApi;
use crate::error::Error;
use crate::request::{ApiRequest, BoxFuture};

/// What [`HfApi::repo_info`] returns: the info of a model, dataset, Space or kernel.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum RepoInfo {
    /// A model.
    Model(Box<ModelInfo>),
    /// A dataset.
    Dataset(Box<DatasetInfo>),
    /// A Space.
    Space(Box<SpaceInfo>),
    /// A kernel.
    Kernel(Box<KernelInfo>),
}

impl RepoInfo {
    /// The repo id.
    pub fn id(&self) -> &str {
        match self {
            RepoInfo::Model(i) => &i.id,
            RepoInfo::Dataset(i) => &i.id,
            RepoInfo::Space(i) => &i.id,
            RepoInfo::Kernel(i) => &i.id,
        }
    }

    /// The commit of the requested revision, when the Hub sent it.
    pub fn sha(&self) -> Option<&hf_types::CommitOid> {
        match self {
            RepoInfo::Model(i) => i.sha.as_ref(),
            RepoInfo::Dataset(i) => i.sha.as_ref(),
            RepoInfo::Space(i) => i.sha.as_ref(),
            RepoInfo::Kernel(i) => i.sha.as_ref(),
        }
    }

    /// The files, when the Hub sent them.
    pub fn siblings(&self) -> Option<&[RepoSibling]> {
        match self {
            RepoInfo::Model(i) => i.siblings.as_deref(),
            RepoInfo::Dataset(i) => i.siblings.as_deref(),
            RepoInfo::Space(i) => i.siblings.as_deref(),
            RepoInfo::Kernel(i) => i.siblings.as_deref(),
        }
    }

    /// The repo type.
    pub fn repo_type(&self) -> RepoType {
        match self {
            RepoInfo::Model(_) => RepoType::Model,
            RepoInfo::Dataset(_) => RepoType::Dataset,
            RepoInfo::Space(_) => RepoType::Space,
            RepoInfo::Kernel(_) => RepoType::Kernel,
        }
    }
}

/// What an [`InfoRequest`] returns; implemented for [`ModelInfo`], [`DatasetInfo`],
/// [`SpaceInfo`], [`KernelInfo`] and [`RepoInfo`].
pub trait InfoKind: Sized + Send + 'static + private::Sealed {
    /// The repo type of this kind (`None`: chosen with `.repo_type(..)`).
    #[doc(hidden)]
    fn fixed_type() -> Option<RepoType>;
    /// Picks this kind out of a decoded info.
    #[doc(hidden)]
    fn from_info(info: RepoInfo) -> Option<Self>;
}

mod private {
    pub trait Sealed {}
    impl Sealed for hf_types::ModelInfo {}
    impl Sealed for hf_types::DatasetInfo {}
    impl Sealed for hf_types::SpaceInfo {}
    impl Sealed for hf_types::KernelInfo {}
    impl Sealed for super::RepoInfo {}
}

macro_rules! info_kind {
    ($ty:ty, $variant:ident) => {
        impl InfoKind for $ty {
            fn fixed_type() -> Option<RepoType> {
                Some(RepoType::$variant)
            }
            fn from_info(info: RepoInfo) -> Option<Self> {
                match info {
                    RepoInfo::$variant(i) => Some(*i),
                    _ => None,
                }
            }
        }
    };
}
info_kind!(ModelInfo, Model);
info_kind!(DatasetInfo, Dataset);
info_kind!(SpaceInfo, Space);
info_kind!(KernelInfo, Kernel);

impl InfoKind for RepoInfo {
    fn fixed_type() -> Option<RepoType> {
        None
    }
    fn from_info(info: RepoInfo) -> Option<Self> {
        Some(info)
    }
}

fn fetch_info(req: ApiRequest, repo_type: RepoType) -> BoxFuture<RepoInfo> {
    Box::pin(async move {
        Ok(match repo_type {
            RepoType::Model => RepoInfo::Model(Box::new(req.send_json().await?)),
            RepoType::Dataset => RepoInfo::Dataset(Box::new(req.send_json().await?)),
            RepoType::Space => RepoInfo::Space(Box::new(req.send_json().await?)),
            RepoType::Kernel => RepoInfo::Kernel(Box::new(req.send_json().await?)),
        })
    })
}

/// The request built by [`HfApi::model_info`], [`HfApi::dataset_info`],
/// [`HfApi::space_info`] and [`HfApi::repo_info`]: `GET /api/{type}s/{repo_id}[/revision/{rev}]`.
#[must_use = "a request does nothing until it is awaited"]
#[derive(Debug, Clone)]
pub struct InfoRequest<T> {
    api: HfApi,
    repo_id: String,
    repo_type: RepoType,
    revision: Option<String>,
    timeout: Option<Duration>,
    files_metadata: bool,
    security_status: bool,
    expand: Vec<String>,
    token: Option<Token>,
    kind: PhantomData<fn() -> T>,
}

/// The request built by [`HfApi::model_info`].
pub type ModelInfoRequest = InfoRequest<ModelInfo>;
/// The request built by [`HfApi::dataset_info`].
pub type DatasetInfoRequest = InfoRequest<DatasetInfo>;
/// The request built by [`HfApi::space_info`].
pub type SpaceInfoRequest = InfoRequest<SpaceInfo>;
/// The request built by [`HfApi::kernel_info`].
pub type KernelInfoRequest = InfoRequest<KernelInfo>;
/// The request built by [`HfApi::repo_info`].
pub type RepoInfoRequest = InfoRequest<RepoInfo>;

impl HfApi {
    fn info<T: InfoKind>(&self, repo_id: &str) -> InfoRequest<T> {
        InfoRequest {
            api: self.clone(),
            repo_id: repo_id.to_owned(),
            repo_type: T::fixed_type().unwrap_or_default(),
            revision: None,
            timeout: None,
            files_metadata: false,
            security_status: false,
            expand: Vec::new(),
            token: None,
            kind: PhantomData,
        }
    }

    /// Information about a model: `GET /api/models/{repo_id}[/revision/{rev}]`.
    ///
    /// Errors: [`Error::RepositoryNotFound`] (missing, or private without access),
    /// [`Error::RevisionNotFound`], [`Error::InvalidArgument`] when `expand` is combined
    /// with `files_metadata` or `securityStatus`.
    ///
    /// ```no_run
    /// # async fn demo(api: hf_api::HfApi) -> Result<(), hf_api::Error> {
    /// let info = api.model_info("gpt2").revision("main").files_metadata(true).await?;
    /// println!("{} at {:?}", info.id, info.sha);
    /// # Ok(()) }
    /// ```
    pub fn model_info(&self, repo_id: &str) -> ModelInfoRequest {
        self.info(repo_id)
    }

    /// Information about a dataset: `GET /api/datasets/{repo_id}[/revision/{rev}]`.
    pub fn dataset_info(&self, repo_id: &str) -> DatasetInfoRequest {
        self.info(repo_id)
    }

    /// Information about a Space: `GET /api/spaces/{repo_id}[/revision/{rev}]`.
    pub fn space_info(&self, repo_id: &str) -> SpaceInfoRequest {
        self.info(repo_id)
    }

    /// Information about a kernel repo: `GET /api/kernels/{repo_id}[/revision/{rev}]`
    /// (the newest Python clients' `kernel_info`). The kernel API has no options:
    /// `files_metadata` (and `expand`, through [`repo_info`](Self::repo_info)) are not
    /// sent for kernels, as in Python.
    pub fn kernel_info(&self, repo_id: &str) -> KernelInfoRequest {
        self.info(repo_id)
    }

    /// Information about a repo of any type (a model unless `.repo_type(..)` says
    /// otherwise).
    pub fn repo_info(&self, repo_id: &str) -> RepoInfoRequest {
        self.info(repo_id)
    }
}

impl<T: InfoKind> InfoRequest<T> {
    /// A branch, tag or commit (default: the Hub's `main`, requested without a revision).
    pub fn revision(mut self, revision: impl Into<String>) -> Self {
        self.revision = Some(revision.into());
        self
    }

    /// Gives up after this long (default: no limit).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Also returns size, blob id and LFS details of every file (`blobs=True`).
    pub fn files_metadata(mut self, yes: bool) -> Self {
        self.files_metadata = yes;
        self
    }

    /// Uses this token instead of the client's.
    pub fn token(mut self, token: Token) -> Self {
        self.token = Some(token);
        self
    }
}

impl InfoRequest<ModelInfo> {
    /// Also returns the security scan status (`securityStatus=True`).
    #[allow(non_snake_case)]
    pub fn securityStatus(mut self, yes: bool) -> Self {
        self.security_status = yes;
        self
    }

    /// Returns only these properties (and the id).
    pub fn expand(mut self, props: impl IntoIterator<Item = ExpandModelProperty>) -> Self {
        self.expand = names(props);
        self
    }
}

impl InfoRequest<DatasetInfo> {
    /// Returns only these properties (and the id).
    pub fn expand(mut self, props: impl IntoIterator<Item = ExpandDatasetProperty>) -> Self {
        self.expand = names(props);
        self
    }
}

impl InfoRequest<SpaceInfo> {
    /// Returns only these properties (and the id).
    pub fn expand(mut self, props: impl IntoIterator<Item = ExpandSpaceProperty>) -> Self {
        self.expand = names(props);
        self
    }
}

impl InfoRequest<RepoInfo> {
    /// The repo type (default: model).
    pub fn repo_type(mut self, repo_type: RepoType) -> Self {
        self.repo_type = repo_type;
        self
    }

    /// Returns only these properties (and the id); use the enum of the repo type.
    pub fn expand<P: ExpandProperty>(mut self, props: impl IntoIterator<Item = P>) -> Self {
        self.expand = names(props);
        self
    }
}

impl<T: InfoKind> InfoRequest<T> {
    fn request(&self) -> Result<ApiRequest, Error> {
        let id = parse_repo_id(&self.repo_id)?;
        if !self.expand.is_empty() && (self.files_metadata || self.security_status) {
            return Err(Error::invalid_argument(
                "`expand` cannot be used together with `files_metadata` or `securityStatus`; \
                 add `siblings` to `expand` instead",
                None,
            ));
        }
        let mut path = repo_api_path(self.repo_type, &id);
        if let Some(rev) = &self.revision {
            let rev = parse_revision(Some(rev))?;
            path.push_str("/revision/");
            path.push_str(&rev.url_segment());
        }
        let mut query = Vec::new();
        if self.repo_type == RepoType::Kernel {
            // The kernel API has none of the options (Python drops them too).
            return ApiRequest::get(&self.api, path)
                .auth(token_auth(self.token.as_ref()))
                .timeout(self.timeout)
                .query(&query);
        }
        if self.security_status {
            query.push(("securityStatus".to_owned(), py_bool(true)));
        }
        if self.files_metadata {
            query.push(("blobs".to_owned(), py_bool(true)));
        }
        super::push_all(&mut query, "expand", &self.expand);
        ApiRequest::get(&self.api, path)
            .auth(token_auth(self.token.as_ref()))
            .timeout(self.timeout)
            .query(&query)
    }
}

impl<T: InfoKind> IntoFuture for InfoRequest<T> {
    type Output = Result<T, Error>;
    type IntoFuture = BoxFuture<T>;

    fn into_future(self) -> Self::IntoFuture {
        let req = self.request();
        let repo_type = self.repo_type;
        Box::pin(async move {
            let info = fetch_info(req?, repo_type).await?;
            T::from_info(info).ok_or_else(|| {
                Error::invalid_argument("the repo type does not match the requested info", None)
            })
        })
    }
}

/// The request built by [`HfApi::repo_exists`] and [`HfApi::revision_exists`]; resolves to
/// a `bool`.
#[must_use = "a request does nothing until it is awaited"]
#[derive(Debug, Clone)]
pub struct RepoExistsRequest {
    inner: RepoInfoRequest,
    with_revision: bool,
}

impl HfApi {
    /// Whether a repo exists and is visible to this token (a gated repo counts as
    /// existing). Other failures (network, server errors) are returned.
    pub fn repo_exists(&self, repo_id: &str) -> RepoExistsRequest {
        RepoExistsRequest {
            inner: self.repo_info(repo_id),
            with_revision: false,
        }
    }

    /// Whether a revision (branch, tag or commit) exists in a visible repo.
    pub fn revision_exists(&self, repo_id: &str, revision: &str) -> RepoExistsRequest {
        RepoExistsRequest {
            inner: self.repo_info(repo_id).revision(revision),
            with_revision: true,
        }
    }
}

impl RepoExistsRequest {
    /// The repo type (default: model).
    pub fn repo_type(mut self, repo_type: RepoType) -> Self {
        self.inner = self.inner.repo_type(repo_type);
        self
    }

    /// Uses this token instead of the client's.
    pub fn token(mut self, token: Token) -> Self {
        self.inner = self.inner.token(token);
        self
    }
}

impl IntoFuture for RepoExistsRequest {
    type Output = Result<bool, Error>;
    type IntoFuture = BoxFuture<bool>;

    fn into_future(self) -> Self::IntoFuture {
        let with_revision = self.with_revision;
        let fut = self.inner.into_future();
        Box::pin(async move {
            match fut.await {
                Ok(_) => Ok(true),
                Err(Error::GatedRepo(_)) if !with_revision => Ok(true),
                Err(Error::RepositoryNotFound(_)) => Ok(false),
                Err(Error::RevisionNotFound(_)) if with_revision => Ok(false),
                Err(e) => Err(e),
            }
        })
    }
}

/// The request built by [`HfApi::file_exists`]; resolves to a `bool`.
#[must_use = "a request does nothing until it is awaited"]
#[derive(Debug, Clone)]
pub struct FileExistsRequest {
    api: HfApi,
    repo_id: String,
    filename: String,
    repo_type: RepoType,
    revision: Option<String>,
    token: Option<Token>,
}

impl HfApi {
    /// Whether a file exists at a revision: `HEAD /{prefix}{repo_id}/resolve/{rev}/{filename}`.
    ///
    /// A missing repo, revision or file is `false`; a gated repo without access is
    /// [`Error::GatedRepo`] (the file may exist, but this token cannot see it).
    pub fn file_exists(&self, repo_id: &str, filename: &str) -> FileExistsRequest {
        FileExistsRequest {
            api: self.clone(),
            repo_id: repo_id.to_owned(),
            filename: filename.to_owned(),
            repo_type: RepoType::Model,
            revision: None,
            token: None,
        }
    }
}

impl FileExistsRequest {
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

    /// Uses this token instead of the client's.
    pub fn token(mut self, token: Token) -> Self {
        self.token = Some(token);
        self
    }

    fn request(&self) -> Result<ApiRequest, Error> {
        let id = parse_repo_id(&self.repo_id)?;
        let rev = parse_revision(self.revision.as_deref())?;
        let path = parse_path(&self.filename)?;
        let url = format!(
            "/{}{}/resolve/{}/{}",
            self.repo_type.url_prefix(),
            id.as_str(),
            rev.url_segment(),
            path.url_encoded()
        );
        Ok(ApiRequest::new(&self.api, hf_http::http::Method::HEAD, url)
            .auth(token_auth(self.token.as_ref()))
            .extension(NotFoundHint::Entry)
            // Renames answer with relative redirects; the CDN is never needed to
            // know that a file exists.
            .extension(RedirectMode::SameOrigin))
    }
}

impl IntoFuture for FileExistsRequest {
    type Output = Result<bool, Error>;
    type IntoFuture = BoxFuture<bool>;

    fn into_future(self) -> Self::IntoFuture {
        let req = self.request();
        Box::pin(async move {
            match req?.send().await {
                Ok(_) => Ok(true),
                Err(
                    Error::RepositoryNotFound(_)
                    | Error::EntryNotFound(_)
                    | Error::RevisionNotFound(_),
                ) => Ok(false),
                Err(e) => Err(e),
            }
        })
    }
}

/// The request built by [`HfApi::auth_check`].
#[must_use = "a request does nothing until it is awaited"]
#[derive(Debug, Clone)]
pub struct AuthCheckRequest {
    api: HfApi,
    repo_id: String,
    repo_type: RepoType,
    token: Option<Token>,
}

impl HfApi {
    /// Checks that this token can read a repo: `GET /api/{type}s/{repo_id}/auth-check`.
    ///
    /// Errors: [`Error::GatedRepo`] when the repo is gated and access was not granted,
    /// [`Error::RepositoryNotFound`] when it does not exist or is private to others.
    pub fn auth_check(&self, repo_id: &str) -> AuthCheckRequest {
        AuthCheckRequest {
            api: self.clone(),
            repo_id: repo_id.to_owned(),
            repo_type: RepoType::Model,
            token: None,
        }
    }
}

impl AuthCheckRequest {
    /// The repo type (default: model).
    pub fn repo_type(mut self, repo_type: RepoType) -> Self {
        self.repo_type = repo_type;
        self
    }

    /// Checks this token instead of the client's.
    pub fn token(mut self, token: Token) -> Self {
        self.token = Some(token);
        self
    }
}

impl IntoFuture for AuthCheckRequest {
    type Output = Result<(), Error>;
    type IntoFuture = BoxFuture<()>;

    fn into_future(self) -> Self::IntoFuture {
        let req = parse_repo_id(&self.repo_id).map(|id| {
            ApiRequest::get(
                &self.api,
                format!("{}/auth-check", repo_api_path(self.repo_type, &id)),
            )
            .auth(token_auth(self.token.as_ref()))
            .extension(NotFoundHint::Repository)
        });
        Box::pin(async move { req?.send_unit().await })
    }
}

//! `hf_hub_url`: the resolve URL of a file, and the validated coordinates of a file.

use hf_types::{RepoId, RepoPath, RepoType, Revision};

use crate::client::HfApi;
use crate::error::Error;

/// A repo file, validated: repo, path (subfolder included) and revision.
#[derive(Debug, Clone)]
pub(crate) struct FileTarget {
    pub(crate) repo_type: RepoType,
    pub(crate) repo_id: RepoId,
    pub(crate) path: RepoPath,
    pub(crate) revision: Revision,
}

impl FileTarget {
    pub(crate) fn new(
        repo_type: RepoType,
        repo_id: &str,
        filename: &str,
        subfolder: Option<&str>,
        revision: Option<&str>,
    ) -> Result<FileTarget, Error> {
        let repo_id = parse_repo_id(repo_id)?;
        let joined = match subfolder.filter(|s| !s.is_empty()) {
            Some(sub) => format!("{}/{filename}", sub.trim_end_matches('/')),
            None => filename.to_owned(),
        };
        let path = RepoPath::new(joined).map_err(|e| {
            Error::invalid_argument(
                "the file name cannot be used: give a relative path inside the repo",
                Some(Box::new(e) as Box<dyn std::error::Error + Send + Sync>),
            )
        })?;
        Ok(FileTarget {
            repo_type,
            repo_id,
            path,
            revision: parse_revision(revision)?,
        })
    }

    /// `/{prefix}{repo_id}/resolve/{revision}/{path}` at `revision`.
    pub(crate) fn resolve_path(&self, revision: &Revision) -> String {
        resolve_path(self.repo_type, &self.repo_id, revision, &self.path)
    }
}

pub(crate) fn parse_repo_id(repo_id: &str) -> Result<RepoId, Error> {
    RepoId::new(repo_id).map_err(|e| {
        Error::invalid_argument(
            "the repo id is not valid: use `name` or `namespace/name`",
            Some(Box::new(e) as Box<dyn std::error::Error + Send + Sync>),
        )
    })
}

pub(crate) fn parse_revision(revision: Option<&str>) -> Result<Revision, Error> {
    match revision {
        None => Ok(Revision::main()),
        Some(r) => Revision::new(r).map_err(|e| {
            Error::invalid_argument(
                "the revision is not valid: give a branch, tag or commit hash",
                Some(Box::new(e) as Box<dyn std::error::Error + Send + Sync>),
            )
        }),
    }
}

/// `/{prefix}{repo_id}/resolve/{quote(revision, safe="")}/{quote(path)}`.
pub(crate) fn resolve_path(
    repo_type: RepoType,
    repo_id: &RepoId,
    revision: &Revision,
    path: &RepoPath,
) -> String {
    format!(
        "/{}{}/resolve/{}/{}",
        repo_type.url_prefix(),
        repo_id.as_str(),
        revision.url_segment(),
        path.url_encoded()
    )
}

impl HfApi {
    /// The URL of a file, Python's `hf_hub_url`:
    /// `{endpoint}/{prefix}{repo_id}/resolve/{revision}/{subfolder/}{filename}`.
    ///
    /// ```
    /// # fn demo() -> Result<(), hf_api::Error> {
    /// let api = hf_api::HfApiBuilder::new().build()?;
    /// let url = api.hf_hub_url("user/ds", "data/train.parquet")
    ///     .repo_type(hf_api::types::RepoType::Dataset)
    ///     .revision("refs/convert/parquet")
    ///     .to_url()?;
    /// assert_eq!(url, "https://huggingface.co/datasets/user/ds/resolve/refs%2Fconvert%2Fparquet/data/train.parquet");
    /// # Ok(()) }
    /// ```
    pub fn hf_hub_url(&self, repo_id: impl Into<String>, filename: impl Into<String>) -> HubUrl {
        HubUrl {
            endpoint: self.endpoint().to_owned(),
            repo_id: repo_id.into(),
            filename: filename.into(),
            subfolder: None,
            repo_type: RepoType::Model,
            revision: None,
        }
    }
}

/// Builder of a resolve URL, made by [`HfApi::hf_hub_url`].
#[derive(Debug, Clone)]
#[must_use = "call `to_url` to get the URL"]
pub struct HubUrl {
    endpoint: String,
    repo_id: String,
    filename: String,
    subfolder: Option<String>,
    repo_type: RepoType,
    revision: Option<String>,
}

impl HubUrl {
    /// A folder inside the repo that holds the file.
    pub fn subfolder(mut self, subfolder: impl Into<String>) -> Self {
        self.subfolder = Some(subfolder.into());
        self
    }

    /// The repo type (default model).
    pub fn repo_type(mut self, repo_type: RepoType) -> Self {
        self.repo_type = repo_type;
        self
    }

    /// The revision (default `main`).
    pub fn revision(mut self, revision: impl Into<String>) -> Self {
        self.revision = Some(revision.into());
        self
    }

    /// Another endpoint than the client's.
    pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
        let endpoint = endpoint.into();
        endpoint
            .trim_end_matches('/')
            .clone_into(&mut self.endpoint);
        self
    }

    /// The URL; fails on an invalid repo id, path or revision.
    pub fn to_url(&self) -> Result<String, Error> {
        let target = FileTarget::new(
            self.repo_type,
            &self.repo_id,
            &self.filename,
            self.subfolder.as_deref(),
            self.revision.as_deref(),
        )?;
        Ok(format!(
            "{}{}",
            self.endpoint,
            target.resolve_path(&target.revision)
        ))
    }
}

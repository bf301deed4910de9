//! `upload_folder`, and the folder listing shared with `upload_large_folder` and the
//! commit scheduler.

use crate::fs_task::blocking;
use std::collections::HashSet;
use std::future::IntoFuture;
use std::path::{Path, PathBuf};

use hf_lfs::{CommitOperation, CommitOperationAdd};
use hf_types::CommitInfo;

use super::DEFAULT_IGNORE_PATTERNS;
use super::commit::{CommitOptions, commit_setters, run_commit};
use super::files::deletions_matching;
use super::multi_commits::CreateCommitsOnPrRequest;
use crate::client::HfApi;
use crate::download::PatternSet;
use crate::error::Error;
use crate::request::BoxFuture;

/// One local file selected for upload.
#[derive(Debug, Clone)]
pub(crate) struct LocalFile {
    /// The POSIX path relative to the folder.
    pub(crate) rel: String,
    /// The file on disk.
    pub(crate) abs: PathBuf,
}

/// Every regular file under `folder` (symlinks followed), sorted by path components,
/// keeping those selected by `allow` / `ignore` plus [`DEFAULT_IGNORE_PATTERNS`]
/// (matched on the path relative to `folder`). Blocking.
pub(crate) fn list_folder(
    folder: &Path,
    allow: &[String],
    ignore: &[String],
) -> Result<Vec<LocalFile>, Error> {
    if !folder.is_dir() {
        return Err(Error::invalid_argument(
            format!(
                "{} is not a directory; pass the folder to upload",
                folder.display()
            ),
            None,
        ));
    }
    let set = PatternSet::new(
        allow.iter().map(String::as_str),
        ignore
            .iter()
            .map(String::as_str)
            .chain(DEFAULT_IGNORE_PATTERNS.iter().copied()),
    )?;
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(folder)
        .follow_links(true)
        .sort_by_file_name()
    {
        let entry = entry.map_err(|e| Error::Io {
            context: format!("could not list {}", folder.display()),
            source: e.into(),
        })?;
        if !entry.file_type().is_file() {
            continue;
        }
        let Ok(rel) = entry.path().strip_prefix(folder) else {
            continue;
        };
        let parts: Option<Vec<&str>> = rel.components().map(|c| c.as_os_str().to_str()).collect();
        let Some(parts) = parts else {
            tracing::warn!(path = %rel.display(), "skipping a file whose name is not UTF-8");
            continue;
        };
        let rel = parts.join("/");
        if set.is_match(&rel) {
            out.push(LocalFile {
                rel,
                abs: entry.into_path(),
            });
        }
    }
    Ok(out)
}

/// `path_in_repo` as a prefix (`""` or `dir/`).
pub(crate) fn repo_prefix(path_in_repo: &str) -> String {
    let trimmed = path_in_repo.trim_matches('/');
    if trimmed.is_empty() || trimmed == "." {
        String::new()
    } else {
        format!("{trimmed}/")
    }
}

/// The request built by [`HfApi::upload_folder`].
#[must_use = "a commit does nothing until it is awaited"]
#[derive(Debug, Clone)]
pub struct UploadFolderRequest {
    api: HfApi,
    repo_id: String,
    folder: PathBuf,
    options: CommitOptions,
    path_in_repo: String,
    allow: Vec<String>,
    ignore: Vec<String>,
    delete: Option<Vec<String>>,
}

impl HfApi {
    /// Uploads every file of a local folder in one commit (default message
    /// `Upload folder using huggingface_hub`).
    ///
    /// Patterns follow Python's `fnmatch` rules, on the path relative to the folder:
    /// `*` also matches `/`, a pattern ending in `/` selects the whole folder.
    /// `.git/` and `.cache/huggingface/` are never uploaded. `delete_patterns` removes
    /// the remote files under `path_in_repo` that match (except `.gitattributes`, and
    /// except files being uploaded), in the same commit.
    ///
    /// ```no_run
    /// # async fn demo(api: hf_api::HfApi) -> Result<(), hf_api::Error> {
    /// api.upload_folder("alice/tiny", "out/")
    ///     .path_in_repo("checkpoints/v2")
    ///     .allow_patterns(["*.safetensors", "*.json"])
    ///     .delete_patterns(["*.bin"])
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn upload_folder(
        &self,
        repo_id: &str,
        folder_path: impl Into<PathBuf>,
    ) -> UploadFolderRequest {
        UploadFolderRequest {
            api: self.clone(),
            repo_id: repo_id.to_owned(),
            folder: folder_path.into(),
            options: CommitOptions::default(),
            path_in_repo: String::new(),
            allow: Vec::new(),
            ignore: Vec::new(),
            delete: None,
        }
    }
}

impl UploadFolderRequest {
    commit_setters!();

    /// The commit message (default `Upload folder using huggingface_hub`).
    pub fn commit_message(mut self, message: impl Into<String>) -> Self {
        self.options.commit_message = Some(message.into());
        self
    }

    /// The folder in the repo to upload into (default: the root).
    pub fn path_in_repo(mut self, path: impl Into<String>) -> Self {
        self.path_in_repo = path.into();
        self
    }

    /// Uploads only files matching at least one pattern.
    pub fn allow_patterns<I, S>(mut self, patterns: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.allow = patterns.into_iter().map(Into::into).collect();
        self
    }

    /// Skips files matching any pattern.
    pub fn ignore_patterns<I, S>(mut self, patterns: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.ignore = patterns.into_iter().map(Into::into).collect();
        self
    }

    /// Deletes remote files under `path_in_repo` matching any pattern.
    pub fn delete_patterns<I, S>(mut self, patterns: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.delete = Some(patterns.into_iter().map(Into::into).collect());
        self
    }

    /// Pushes the folder as several commits on a pull request, one per step of
    /// [`plan_multi_commits`](super::plan_multi_commits) (default limits), merged at the
    /// end unless [`create_pr`](Self::create_pr) is set: Python's experimental
    /// `upload_folder(multi_commits=True)`. Resolves to the pull request's URL; a run that
    /// stops part-way resumes when called again (see [`HfApi::create_commits_on_pr`]).
    /// Only the main branch can be the target.
    pub fn multi_commits(self) -> UploadFolderMultiCommitsRequest {
        UploadFolderMultiCommitsRequest(self)
    }

    /// The operations of the upload: deletions (when asked for), then additions.
    async fn operations(&mut self) -> Result<Vec<CommitOperation>, Error> {
        if self.options.commit_message.is_none() {
            self.options.commit_message = Some("Upload folder using huggingface_hub".to_owned());
        }
        // Checked before listing anything, as the commit itself would.
        super::commit::header(&self.options)?;
        let prefix = repo_prefix(&self.path_in_repo);
        let (folder, allow, ignore) =
            (self.folder.clone(), self.allow.clone(), self.ignore.clone());
        let files = blocking(move || list_folder(&folder, &allow, &ignore)).await?;
        if files.len() > 30 {
            tracing::info!(
                files = files.len(),
                "uploading a large folder in one commit; upload_large_folder resumes and splits commits"
            );
        }
        let mut additions = Vec::with_capacity(files.len());
        for f in &files {
            additions.push(CommitOperationAdd::from_path(
                &format!("{prefix}{}", f.rel),
                &f.abs,
            )?);
        }
        let mut ops: Vec<CommitOperation> = Vec::new();
        if let Some(patterns) = &self.delete {
            // With a pull request, the files to delete are listed on the default branch.
            let revision = if self.options.create_pr {
                None
            } else {
                self.options.revision.clone()
            };
            let uploading: HashSet<&str> = additions
                .iter()
                .map(CommitOperationAdd::path_in_repo)
                .collect();
            let deletions = deletions_matching(
                &self.api,
                &self.repo_id,
                &self.options,
                revision,
                &self.path_in_repo,
                patterns,
            )
            .await?;
            ops.extend(
                deletions
                    .into_iter()
                    .filter(|d| !uploading.contains(d.path_in_repo())),
            );
        }
        ops.extend(additions.into_iter().map(CommitOperation::from));
        Ok(ops)
    }

    async fn run(mut self) -> Result<CommitInfo, Error> {
        let ops = self.operations().await?;
        run_commit(self.api, self.repo_id, self.options, ops).await
    }
}

/// The request built by [`UploadFolderRequest::multi_commits`]; resolves to the pull
/// request's URL.
#[must_use = "an upload does nothing until it is awaited"]
#[derive(Debug, Clone)]
pub struct UploadFolderMultiCommitsRequest(UploadFolderRequest);

impl UploadFolderMultiCommitsRequest {
    async fn run(self) -> Result<String, Error> {
        let mut folder = self.0;
        if folder
            .options
            .revision
            .as_deref()
            .is_some_and(|r| r != "main")
        {
            return Err(Error::invalid_argument(
                "multi-commit uploads go to the main branch only; leave revision unset",
                None,
            ));
        }
        let ops = folder.operations().await?;
        let plan = super::plan_multi_commits(ops, super::MultiCommitLimits::default()).await?;
        CreateCommitsOnPrRequest::with_options(folder.api, &folder.repo_id, plan, folder.options)
            .await
    }
}

impl IntoFuture for UploadFolderMultiCommitsRequest {
    type Output = Result<String, Error>;
    type IntoFuture = BoxFuture<String>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.run())
    }
}

impl IntoFuture for UploadFolderRequest {
    type Output = Result<CommitInfo, Error>;
    type IntoFuture = BoxFuture<CommitInfo>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.run())
    }
}

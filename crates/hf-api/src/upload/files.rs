//! `upload_file`, `delete_file`, `delete_folder` and `delete_files`.

use std::future::IntoFuture;
use std::path::{Path, PathBuf};

use bytes::Bytes;
use futures_util::TryStreamExt;
use hf_lfs::{CommitOperation, CommitOperationAdd, CommitOperationDelete};
use hf_types::CommitInfo;

use super::commit::{CommitOptions, commit_setters, run_commit};
use crate::client::HfApi;
use crate::download::PatternSet;
use crate::error::Error;
use crate::request::BoxFuture;

/// The content of [`HfApi::upload_file`]: a local file (streamed, never loaded whole)
/// or bytes in memory.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum FileSource {
    /// A local file.
    Path(PathBuf),
    /// Content in memory.
    Bytes(Bytes),
}

impl From<PathBuf> for FileSource {
    fn from(p: PathBuf) -> Self {
        FileSource::Path(p)
    }
}

impl From<&Path> for FileSource {
    fn from(p: &Path) -> Self {
        FileSource::Path(p.to_owned())
    }
}

impl From<Bytes> for FileSource {
    fn from(b: Bytes) -> Self {
        FileSource::Bytes(b)
    }
}

impl From<Vec<u8>> for FileSource {
    fn from(b: Vec<u8>) -> Self {
        FileSource::Bytes(b.into())
    }
}

impl From<&'static [u8]> for FileSource {
    fn from(b: &'static [u8]) -> Self {
        FileSource::Bytes(Bytes::from_static(b))
    }
}

impl From<&'static str> for FileSource {
    fn from(s: &'static str) -> Self {
        FileSource::Bytes(Bytes::from_static(s.as_bytes()))
    }
}

/// Defines a commit builder with `api`, `repo_id`, `options` and extra fields, its
/// setters, and an `IntoFuture` running `$run`.
macro_rules! commit_builder {
    (
        $(#[$doc:meta])*
        $name:ident { $($field:ident : $ty:ty),* $(,)? }
    ) => {
        $(#[$doc])*
        #[must_use = "a commit does nothing until it is awaited"]
        #[derive(Debug, Clone)]
        pub struct $name {
            api: HfApi,
            repo_id: String,
            options: CommitOptions,
            $($field: $ty,)*
        }

        impl $name {
            commit_setters!();

            /// The commit message (default: a message naming the operation, as in Python).
            pub fn commit_message(mut self, message: impl Into<String>) -> Self {
                self.options.commit_message = Some(message.into());
                self
            }
        }

        impl IntoFuture for $name {
            type Output = Result<CommitInfo, Error>;
            type IntoFuture = BoxFuture<CommitInfo>;

            fn into_future(self) -> Self::IntoFuture {
                Box::pin(self.run())
            }
        }
    };
}

commit_builder!(
    /// The request built by [`HfApi::upload_file`].
    UploadFileRequest {
        path_in_repo: String,
        source: FileSource,
    }
);

commit_builder!(
    /// The request built by [`HfApi::delete_file`].
    DeleteFileRequest { path_in_repo: String }
);

commit_builder!(
    /// The request built by [`HfApi::delete_folder`].
    DeleteFolderRequest { path_in_repo: String }
);

commit_builder!(
    /// The request built by [`HfApi::delete_files`].
    DeleteFilesRequest {
        patterns: Vec<String>,
    }
);

impl HfApi {
    /// Uploads one file (a local path or bytes) as `path_in_repo`, in one commit
    /// (default message `Upload {path_in_repo} with huggingface_hub`).
    ///
    /// ```no_run
    /// # async fn demo(api: hf_api::HfApi) -> Result<(), hf_api::Error> {
    /// let commit = api
    ///     .upload_file("alice/tiny", "config.json", std::path::Path::new("out/config.json"))
    ///     .await?;
    /// api.upload_file("alice/tiny", "README.md", "# tiny\n").create_pr(true).await?;
    /// # Ok(()) }
    /// ```
    pub fn upload_file(
        &self,
        repo_id: &str,
        path_in_repo: &str,
        source: impl Into<FileSource>,
    ) -> UploadFileRequest {
        UploadFileRequest {
            api: self.clone(),
            repo_id: repo_id.to_owned(),
            options: CommitOptions::default(),
            path_in_repo: path_in_repo.to_owned(),
            source: source.into(),
        }
    }

    /// Deletes one file, or a folder when `path_in_repo` ends with `/` (default message
    /// `Delete {path_in_repo} with huggingface_hub`). A missing path is
    /// [`Error::EntryNotFound`].
    pub fn delete_file(&self, repo_id: &str, path_in_repo: &str) -> DeleteFileRequest {
        DeleteFileRequest {
            api: self.clone(),
            repo_id: repo_id.to_owned(),
            options: CommitOptions::default(),
            path_in_repo: path_in_repo.to_owned(),
        }
    }

    /// Deletes a folder and everything under it (default message
    /// `Delete folder {path_in_repo} with huggingface_hub`).
    pub fn delete_folder(&self, repo_id: &str, path_in_repo: &str) -> DeleteFolderRequest {
        DeleteFolderRequest {
            api: self.clone(),
            repo_id: repo_id.to_owned(),
            options: CommitOptions::default(),
            path_in_repo: path_in_repo.to_owned(),
        }
    }

    /// Deletes every file of the revision whose path matches one of `delete_patterns`
    /// (`fnmatch` rules as in Python: `*` crosses `/`, a trailing `/` means the whole
    /// folder); `.gitattributes` is never deleted. Default message
    /// `Delete files {patterns} with huggingface_hub`.
    pub fn delete_files<I, S>(&self, repo_id: &str, delete_patterns: I) -> DeleteFilesRequest
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        DeleteFilesRequest {
            api: self.clone(),
            repo_id: repo_id.to_owned(),
            options: CommitOptions::default(),
            patterns: delete_patterns.into_iter().map(Into::into).collect(),
        }
    }
}

fn default_message(options: &mut CommitOptions, message: impl FnOnce() -> String) {
    if options.commit_message.is_none() {
        options.commit_message = Some(message());
    }
}

impl UploadFileRequest {
    async fn run(mut self) -> Result<CommitInfo, Error> {
        let add = match self.source {
            FileSource::Path(p) => CommitOperationAdd::from_path(&self.path_in_repo, p)?,
            FileSource::Bytes(b) => CommitOperationAdd::from_bytes(&self.path_in_repo, b)?,
        };
        let path = add.path_in_repo().to_owned();
        default_message(&mut self.options, || {
            format!("Upload {path} with huggingface_hub")
        });
        run_commit(self.api, self.repo_id, self.options, vec![add.into()]).await
    }
}

impl DeleteFileRequest {
    async fn run(mut self) -> Result<CommitInfo, Error> {
        let op = CommitOperationDelete::new(&self.path_in_repo)?;
        let path = self.path_in_repo.clone();
        default_message(&mut self.options, || {
            format!("Delete {path} with huggingface_hub")
        });
        run_commit(self.api, self.repo_id, self.options, vec![op.into()]).await
    }
}

impl DeleteFolderRequest {
    async fn run(mut self) -> Result<CommitInfo, Error> {
        let op = CommitOperationDelete::folder(&self.path_in_repo)?;
        let path = self.path_in_repo.clone();
        default_message(&mut self.options, || {
            format!("Delete folder {path} with huggingface_hub")
        });
        run_commit(self.api, self.repo_id, self.options, vec![op.into()]).await
    }
}

impl DeleteFilesRequest {
    async fn run(mut self) -> Result<CommitInfo, Error> {
        let patterns = self.patterns.join(" ");
        default_message(&mut self.options, || {
            format!("Delete files {patterns} with huggingface_hub")
        });
        let ops = deletions_matching(
            &self.api,
            &self.repo_id,
            &self.options,
            self.options.revision.clone(),
            "",
            &self.patterns,
        )
        .await?;
        run_commit(self.api, self.repo_id, self.options, ops).await
    }
}

/// Python's `_prepare_folder_deletions`: the files of `revision` under `path_in_repo`
/// whose path relative to it matches `patterns`, except `.gitattributes`.
pub(crate) async fn deletions_matching(
    api: &HfApi,
    repo_id: &str,
    options: &CommitOptions,
    revision: Option<String>,
    path_in_repo: &str,
    patterns: &[String],
) -> Result<Vec<CommitOperation>, Error> {
    // An empty allow-list selects nothing here (PatternSet would select everything).
    if patterns.is_empty() {
        return Ok(Vec::new());
    }
    let set = PatternSet::new(
        patterns.iter().map(String::as_str),
        std::iter::empty::<&str>(),
    )?;
    let mut listing = api.list_repo_files(repo_id).repo_type(options.repo_type);
    if let Some(token) = &options.token {
        listing = listing.token(token.clone());
    }
    if let Some(rev) = revision {
        listing = listing.revision(rev);
    }
    let files: Vec<String> = listing.try_collect().await?;
    let prefix = if path_in_repo.is_empty() || path_in_repo == "." || path_in_repo == "./" {
        String::new()
    } else {
        format!("{}/", path_in_repo.trim_matches('/'))
    };
    let mut ops = Vec::new();
    for file in files {
        let Some(rel) = file.strip_prefix(&prefix) else {
            continue;
        };
        if file == ".gitattributes" || !set.is_match(rel) {
            continue;
        }
        ops.push(CommitOperationDelete::file(&file)?.into());
    }
    Ok(ops)
}

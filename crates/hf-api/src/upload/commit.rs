//! `create_commit` and `preupload_lfs_files`, and the commit pipeline every upload
//! method shares.

use crate::fs_task::blocking;
use std::future::IntoFuture;

use bytes::Bytes;
use hf_http::Token;
use hf_http::auth::RequestAuth;
use hf_lfs::{
    CommitHeader, CommitOperation, CommitOperationAdd, CopySource, TransferOptions, UploadMode,
    UploadTarget,
};
use hf_types::{CommitInfo, LfsOid, RepoId, RepoTreeEntry, RepoType, Revision};

use super::{MAX_LFS_FILES_PER_COMMIT, MAX_REGULAR_BYTES_PER_COMMIT};
use crate::api::{parse_repo_id, parse_revision};
use crate::client::HfApi;
use crate::error::Error;
use crate::request::{ApiRequest, BoxFuture};

/// The settings of one commit, shared by every upload builder.
#[derive(Debug, Clone)]
pub(crate) struct CommitOptions {
    pub(crate) repo_type: RepoType,
    pub(crate) revision: Option<String>,
    pub(crate) commit_message: Option<String>,
    pub(crate) commit_description: Option<String>,
    pub(crate) create_pr: bool,
    pub(crate) parent_commit: Option<String>,
    pub(crate) transfer: TransferOptions,
    /// Overrides the client's token for every request of the call.
    pub(crate) token: Option<Token>,
}

impl Default for CommitOptions {
    fn default() -> Self {
        CommitOptions {
            repo_type: RepoType::Model,
            revision: None,
            commit_message: None,
            commit_description: None,
            create_pr: false,
            parent_commit: None,
            transfer: TransferOptions::default(),
            token: None,
        }
    }
}

/// The setters every commit builder has (a builder with an `options: CommitOptions`
/// field).
macro_rules! commit_setters {
    () => {
        /// The repo type (default: model).
        pub fn repo_type(mut self, repo_type: hf_types::RepoType) -> Self {
            self.options.repo_type = repo_type;
            self
        }

        /// The branch to commit to, or to open the pull request against (default `main`).
        pub fn revision(mut self, revision: impl Into<String>) -> Self {
            self.options.revision = Some(revision.into());
            self
        }

        /// The commit's description (the body of the message).
        pub fn commit_description(mut self, description: impl Into<String>) -> Self {
            self.options.commit_description = Some(description.into());
            self
        }

        /// Opens a pull request with the commit instead of committing to the branch.
        pub fn create_pr(mut self, create_pr: bool) -> Self {
            self.options.create_pr = create_pr;
            self
        }

        /// Commits only if the branch head is still this commit (5 to 40 hex digits);
        /// otherwise the Hub answers 412 ([`Error::PreconditionFailed`](crate::Error::PreconditionFailed))
        /// and nothing is committed. With `create_pr`, the pull request starts from it.
        pub fn parent_commit(mut self, oid: impl Into<String>) -> Self {
            self.options.parent_commit = Some(oid.into());
            self
        }

        /// LFS files uploaded at once (default 5, as Python's `num_threads`).
        pub fn num_threads(mut self, n: usize) -> Self {
            self.options.transfer = self.options.transfer.max_concurrent_files(n);
            self
        }

        /// Transfer settings (concurrency, retries, progress hook) of the LFS uploads.
        pub fn transfer_options(mut self, options: hf_lfs::TransferOptions) -> Self {
            self.options.transfer = options;
            self
        }

        /// Uses this token instead of the client's for every request of this call
        /// (still sent to the endpoint's origin only).
        pub fn token(mut self, token: hf_http::Token) -> Self {
            self.options.token = Some(token);
            self
        }
    };
}
pub(crate) use commit_setters;

/// The request built by [`HfApi::create_commit`]; `.await` it to run the commit.
#[must_use = "a commit does nothing until it is awaited"]
#[derive(Debug, Clone)]
pub struct CreateCommitRequest {
    api: HfApi,
    repo_id: String,
    operations: Vec<CommitOperation>,
    options: CommitOptions,
}

impl HfApi {
    /// Commits `operations` (additions, deletions, copies) to a repo in one commit:
    /// hashing, `preupload`, LFS uploads, then `POST /api/{type}s/{repo_id}/commit/{rev}`.
    ///
    /// `commit_message` must not be empty. When every operation is an addition whose
    /// content the branch already has, no commit is made and the branch head is
    /// returned (as in Python). Additions already uploaded by
    /// [`preupload_lfs_files`](HfApi::preupload_lfs_files) are not uploaded again.
    ///
    /// The result has the commit URL and id, and for a pull request its URL,
    /// [`pr_num`](CommitInfo::pr_num) and [`pr_revision`](CommitInfo::pr_revision).
    pub fn create_commit(
        &self,
        repo_id: &str,
        operations: Vec<CommitOperation>,
        commit_message: impl Into<String>,
    ) -> CreateCommitRequest {
        CreateCommitRequest {
            api: self.clone(),
            repo_id: repo_id.to_owned(),
            operations,
            options: CommitOptions {
                commit_message: Some(commit_message.into()),
                ..CommitOptions::default()
            },
        }
    }
}

impl CreateCommitRequest {
    commit_setters!();
}

impl IntoFuture for CreateCommitRequest {
    type Output = Result<CommitInfo, Error>;
    type IntoFuture = BoxFuture<CommitInfo>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(run_commit(
            self.api,
            self.repo_id,
            self.options,
            self.operations,
        ))
    }
}

/// The request built by [`HfApi::preupload_lfs_files`]; resolves to the additions,
/// hashed, negotiated and with their LFS content uploaded.
#[must_use = "a request does nothing until it is awaited"]
#[derive(Debug, Clone)]
pub struct PreuploadLfsFilesRequest {
    api: HfApi,
    repo_id: String,
    additions: Vec<CommitOperationAdd>,
    options: CommitOptions,
    gitignore_content: Option<String>,
}

impl HfApi {
    /// Uploads the LFS content of `additions` ahead of a commit (Python's
    /// `preupload_lfs_files`): hashes them, asks the Hub how each is stored, uploads
    /// the LFS ones. Pass the returned additions to
    /// [`create_commit`](HfApi::create_commit) later; it will not upload them again.
    pub fn preupload_lfs_files(
        &self,
        repo_id: &str,
        additions: Vec<CommitOperationAdd>,
    ) -> PreuploadLfsFilesRequest {
        PreuploadLfsFilesRequest {
            api: self.clone(),
            repo_id: repo_id.to_owned(),
            additions,
            options: CommitOptions::default(),
            gitignore_content: None,
        }
    }
}

impl PreuploadLfsFilesRequest {
    /// The repo type (default: model).
    pub fn repo_type(mut self, repo_type: RepoType) -> Self {
        self.options.repo_type = repo_type;
        self
    }

    /// The branch the files will be committed to (default `main`).
    pub fn revision(mut self, revision: impl Into<String>) -> Self {
        self.options.revision = Some(revision.into());
        self
    }

    /// Whether the files will be committed in a pull request (then no write access to
    /// the branch is needed).
    pub fn create_pr(mut self, create_pr: bool) -> Self {
        self.options.create_pr = create_pr;
        self
    }

    /// LFS files uploaded at once (default 5).
    pub fn num_threads(mut self, n: usize) -> Self {
        self.options.transfer = self.options.transfer.max_concurrent_files(n);
        self
    }

    /// Transfer settings (concurrency, retries, progress hook).
    pub fn transfer_options(mut self, options: TransferOptions) -> Self {
        self.options.transfer = options;
        self
    }

    /// Uses this token instead of the client's for every request of this call
    /// (still sent to the endpoint's origin only).
    pub fn token(mut self, token: Token) -> Self {
        self.options.token = Some(token);
        self
    }

    /// The `.gitignore` the Hub should apply (default: the content of a `.gitignore`
    /// among the additions, if any).
    pub fn gitignore_content(mut self, content: impl Into<String>) -> Self {
        self.gitignore_content = Some(content.into());
        self
    }
}

impl IntoFuture for PreuploadLfsFilesRequest {
    type Output = Result<Vec<CommitOperationAdd>, Error>;
    type IntoFuture = BoxFuture<Vec<CommitOperationAdd>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            self.api.ensure_online("preupload_lfs_files")?;
            let target = target(&self.repo_id, &self.options)?;
            let mut ops: Vec<CommitOperation> =
                self.additions.into_iter().map(Into::into).collect();
            let client = self.api.http();
            hf_lfs::hash_additions(&mut ops).await?;
            hf_lfs::preupload(client, &target, &mut ops, self.gitignore_content.as_deref()).await?;
            check_limits(&ops)?;
            hf_lfs::upload_lfs_objects(client, &target, &mut ops, &self.options.transfer).await?;
            Ok(ops
                .into_iter()
                .filter_map(|op| match op {
                    CommitOperation::Add(add) => Some(add),
                    _ => None,
                })
                .collect())
        })
    }
}

/// The upload target of a commit.
pub(crate) fn target(repo_id: &str, options: &CommitOptions) -> Result<UploadTarget, Error> {
    let id: RepoId = parse_repo_id(repo_id)?;
    let rev: Revision = parse_revision(options.revision.as_deref())?;
    let target = UploadTarget::new(options.repo_type, id)
        .revision(rev)
        .create_pr(options.create_pr);
    // hf-lfs attaches it to every request it sends to the Hub; hf-api's own requests
    // of the commit take it from the target too (`call_token`).
    Ok(match &options.token {
        Some(token) => target.auth(RequestAuth::Token(token.clone())),
        None => target,
    })
}

/// The per-call token of an upload, if one was given.
pub(crate) fn call_token(target: &UploadTarget) -> Option<Token> {
    match target.get_auth() {
        Some(RequestAuth::Token(token)) => Some(token.clone()),
        _ => None,
    }
}

/// The commit header, validated (non-empty message, well-formed parent commit).
pub(crate) fn header(options: &CommitOptions) -> Result<CommitHeader, Error> {
    let message = options.commit_message.as_deref().unwrap_or_default();
    if message.trim().is_empty() {
        return Err(Error::invalid_argument(
            "the commit message is empty; pass a non-empty commit message",
            None,
        ));
    }
    let mut header = CommitHeader::new(message);
    if let Some(d) = &options.commit_description {
        header = header.description(d.clone());
    }
    if let Some(p) = &options.parent_commit {
        header = header.parent_commit(p.clone())?;
    }
    Ok(header)
}

/// Refuses a commit over the Hub's documented limits. Only additions whose upload mode is
/// known count (checked again as more are negotiated).
pub(crate) fn check_limits(ops: &[CommitOperation]) -> Result<(), Error> {
    let mut lfs = 0usize;
    let mut regular = 0u64;
    for add in ops.iter().filter_map(CommitOperation::as_add) {
        if add.should_ignore() {
            continue;
        }
        let size = add.upload_info().map_or(0, |i| i.size);
        match add.upload_mode() {
            Some(UploadMode::Lfs) if size > 0 => lfs += 1,
            Some(_) => regular += size,
            None => {}
        }
    }
    if lfs > MAX_LFS_FILES_PER_COMMIT {
        return Err(Error::CommitTooLarge {
            message: format!(
                "this commit has {lfs} LFS files; the Hub accepts at most {MAX_LFS_FILES_PER_COMMIT} per commit: split it into several commits or use upload_large_folder"
            ),
        });
    }
    if regular > MAX_REGULAR_BYTES_PER_COMMIT {
        return Err(Error::CommitTooLarge {
            message: format!(
                "this commit carries {regular} bytes of regular (non-LFS) files; the Hub accepts at most {MAX_REGULAR_BYTES_PER_COMMIT} per commit: split it into several commits, or track the large files with LFS in .gitattributes"
            ),
        });
    }
    Ok(())
}

/// Runs a whole commit. Every upload method ends here.
pub(crate) async fn run_commit(
    api: HfApi,
    repo_id: String,
    options: CommitOptions,
    mut ops: Vec<CommitOperation>,
) -> Result<CommitInfo, Error> {
    // Fail with the typed offline error before reading or hashing anything (the
    // client's stack would refuse the first request anyway).
    api.ensure_online("a commit")?;
    let header = header(&options)?;
    let target = target(&repo_id, &options)?;
    let client = api.http();
    warn_on_data_files(options.repo_type, &ops);
    validate_readme(&api, &target, &ops).await?;
    warn_on_overwriting_operations(&ops);
    upload_pipelined(&api, &target, &options.transfer, &mut ops).await?;
    let ignored = ops
        .iter()
        .filter_map(CommitOperation::as_add)
        .filter(|a| a.should_ignore())
        .count();
    if ignored > 0 {
        tracing::info!(
            files = ignored,
            "skipped {ignored} file(s) in the commit: the repo's .gitignore ignores them"
        );
    }

    let unchanged = ops
        .iter()
        .filter(|op| op.as_add().is_some_and(CommitOperationAdd::is_unchanged))
        .count();
    if unchanged > 0 {
        tracing::info!(
            files = unchanged,
            "leaving {unchanged} file(s) that have not changed out of the commit"
        );
    }
    let nothing_to_do = unchanged == ops.len();
    if nothing_to_do {
        tracing::warn!("no file changed since the last commit; skipping the empty commit");
        return head_commit(&api, &target).await;
    }
    resolve_copies(&api, &target, &mut ops).await?;
    let info = hf_lfs::send_commit(client, &target, &header, &ops).await?;
    Ok(info)
}

/// Warns about additions that look like dataset files (`.arrow`, `.parquet`) in a repo
/// that is not a dataset, as Python's `create_commit` does.
fn warn_on_data_files(repo_type: RepoType, ops: &[CommitOperation]) {
    if repo_type == RepoType::Dataset {
        return;
    }
    for add in ops.iter().filter_map(CommitOperation::as_add) {
        let path = add.path_in_repo();
        // Case-sensitive, as in Python.
        #[allow(clippy::case_sensitive_file_extension_comparisons)]
        if path.ends_with(".arrow") || path.ends_with(".parquet") {
            tracing::warn!(
                path,
                %repo_type,
                "{path} looks like a data file but is committed to a {repo_type} repo; if this \
                 is a dataset, upload it with repo_type dataset"
            );
        }
    }
}

/// Warns when a commit overwrites itself, with the rules of Python's
/// `_warn_on_overwriting_operations`: a path added twice, or a file (or a folder
/// holding files) added and later deleted in the same commit. Deleting first and
/// adding afterwards is fine (re-filling a folder).
fn warn_on_overwriting_operations(ops: &[CommitOperation]) {
    let mut added: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for op in ops {
        match op {
            CommitOperation::Add(add) => {
                let path = add.path_in_repo();
                let n = added.entry(path).or_default();
                if *n > 0 {
                    tracing::warn!(
                        path,
                        "{path} is added more than once in the same commit; only one version \
                         will be kept, which may not be the one you expect"
                    );
                }
                *n += 1;
                // Count the file in each of its folders, so deleting one of them warns.
                let mut parent = path;
                while let Some((p, _)) = parent.rsplit_once('/') {
                    *added.entry(p).or_default() += 1;
                    parent = p;
                }
                *added.entry(".").or_default() += 1;
            }
            CommitOperation::Delete(delete) => {
                let path = delete.path_in_repo().trim_end_matches('/');
                let key = if path.is_empty() { "." } else { path };
                if added.get(key).copied().unwrap_or(0) > 0 {
                    if delete.is_folder() {
                        tracing::warn!(
                            path = delete.path_in_repo(),
                            "the folder {} is deleted after files in it were added in the same \
                             commit; those files will not be in the repo",
                            delete.path_in_repo()
                        );
                    } else {
                        tracing::warn!(
                            path = delete.path_in_repo(),
                            "{} is deleted after being added in the same commit; it will not be \
                             in the repo",
                            delete.path_in_repo()
                        );
                    }
                }
            }
            _ => {}
        }
    }
}

/// Bytes of additions hashed ahead while the previous group uploads.
const GROUP_BYTES: u64 = 256 * 1024 * 1024;
/// The first group is smaller: nothing is sent until it is hashed.
const FIRST_GROUP_BYTES: u64 = 64 * 1024 * 1024;

/// Hashes, negotiates and uploads the additions of `ops` group by group (contiguous
/// groups of at most 256 files and about 256 MiB, the first about 64 MiB), hashing the next group while the
/// current one uploads, so reading and sending overlap. The limits are checked on each
/// group before its content is sent: a commit over them fails before the commit
/// request, possibly after some LFS uploads.
async fn upload_pipelined(
    api: &HfApi,
    target: &UploadTarget,
    transfer: &TransferOptions,
    ops: &mut [CommitOperation],
) -> Result<(), Error> {
    let client = api.http();
    let sizes = local_sizes(ops).await?;
    let mut ranges = Vec::new();
    let (mut start, mut files, mut bytes) = (0, 0usize, 0u64);
    for (i, size) in sizes.iter().enumerate() {
        let Some(size) = size else { continue };
        files += 1;
        bytes += size;
        let limit = if ranges.is_empty() {
            FIRST_GROUP_BYTES
        } else {
            GROUP_BYTES
        };
        if files >= hf_lfs::PREUPLOAD_BATCH_SIZE || bytes >= limit {
            ranges.push(start..i + 1);
            (start, files, bytes) = (i + 1, 0, 0);
        }
    }
    if start < ops.len() {
        ranges.push(start..ops.len());
    }
    // With several groups, every preupload call needs the `.gitignore` of the commit.
    let gitignore = if ranges.len() > 1 {
        gitignore_content(ops).await?
    } else {
        None
    };
    if let Some(first) = ranges.first() {
        hf_lfs::hash_additions(&mut ops[first.clone()]).await?;
    }
    for (k, range) in ranges.iter().enumerate() {
        let (done, rest) = ops.split_at_mut(range.end);
        let next = ranges.get(k + 1).map(|r| &mut rest[..r.end - range.end]);
        let upload = async {
            hf_lfs::preupload(
                client,
                target,
                &mut done[range.clone()],
                gitignore.as_deref(),
            )
            .await?;
            check_limits(done)?;
            hf_lfs::upload_lfs_objects(client, target, &mut done[range.clone()], transfer).await?;
            Ok::<(), Error>(())
        };
        let hash_next = async {
            if let Some(next) = next {
                hf_lfs::hash_additions(next).await?;
            }
            Ok::<(), Error>(())
        };
        let (uploaded, hashed) = tokio::join!(upload, hash_next);
        uploaded?;
        hashed?;
    }
    Ok(())
}

/// The size of every addition's content (`None` for other operations), from the
/// file system or the buffer (0 for readers: they are not split into groups).
async fn local_sizes(ops: &[CommitOperation]) -> Result<Vec<Option<u64>>, Error> {
    let sources: Vec<Option<hf_lfs::AddSource>> = ops
        .iter()
        .map(|op| op.as_add().map(|a| a.source().clone()))
        .collect();
    blocking(move || {
        Ok(sources
            .into_iter()
            .map(|s| {
                s.map(|s| {
                    if let Some(b) = s.bytes() {
                        b.len() as u64
                    } else if let Some(p) = s.local_path() {
                        std::fs::metadata(p).map_or(0, |m| m.len())
                    } else {
                        0
                    }
                })
            })
            .collect())
    })
    .await
}

/// The text of a `.gitignore` among the additions (from a buffer or a file).
async fn gitignore_content(ops: &[CommitOperation]) -> Result<Option<String>, Error> {
    let Some(add) = ops
        .iter()
        .filter_map(CommitOperation::as_add)
        .find(|a| a.path_in_repo() == ".gitignore")
    else {
        return Ok(None);
    };
    read_text(add).await
}

/// The content of a small addition as text (`None` for a reader source).
async fn read_text(add: &CommitOperationAdd) -> Result<Option<String>, Error> {
    if let Some(b) = add.source().bytes() {
        return Ok(Some(String::from_utf8_lossy(b).into_owned()));
    }
    let Some(p) = add.source().local_path() else {
        return Ok(None);
    };
    let p = p.to_owned();
    blocking(move || {
        std::fs::read(&p)
            .map(|b| Some(String::from_utf8_lossy(&b).into_owned()))
            .map_err(|source| Error::Io {
                context: format!("could not read {}", p.display()),
                source,
            })
    })
    .await
}

/// Checks the metadata of an added `README.md` with the Hub (`POST /api/validate-yaml`)
/// before anything is uploaded, as Python does.
async fn validate_readme(
    api: &HfApi,
    target: &UploadTarget,
    ops: &[CommitOperation],
) -> Result<(), Error> {
    let Some(add) = ops
        .iter()
        .filter_map(CommitOperation::as_add)
        .find(|a| a.path_in_repo() == "README.md")
    else {
        return Ok(());
    };
    let Some(content) = read_text(add).await? else {
        // A reader is only read by the upload itself.
        return Ok(());
    };
    let body = serde_json::json!({"content": content, "repoType": target.repo_type().as_str()});
    match ApiRequest::new(api, hf_http::http::Method::POST, "/api/validate-yaml")
        .auth(target.get_auth().cloned())
        .json_body(&body)?
        .idempotency(hf_http::Idempotency::Idempotent)
        .send()
        .await
    {
        Ok(_) => Ok(()),
        Err(Error::BadRequest(e)) => Err(Error::invalid_argument(
            "invalid metadata in README.md: fix its YAML header (see the source for the Hub's message)",
            Some(Box::new(e) as Box<dyn std::error::Error + Send + Sync>),
        )),
        Err(e) => Err(e),
    }
}

/// The branch head as a commit result (for a commit that changed nothing).
async fn head_commit(api: &HfApi, target: &UploadTarget) -> Result<CommitInfo, Error> {
    let mut request = api
        .repo_info(target.repo_id().as_str())
        .repo_type(target.repo_type())
        .revision(target.get_revision().as_str());
    if let Some(token) = call_token(target) {
        request = request.token(token);
    }
    let info = request.await?;
    let sha = info.sha().cloned().ok_or_else(|| Error::InvalidResponse {
        message: format!(
            "the Hub did not report the head commit of {}; retry later",
            target.repo_id()
        ),
    })?;
    let prefix = match target.repo_type() {
        RepoType::Model => String::new(),
        t => format!("/{}", t.plural()),
    };
    Ok(CommitInfo::new(
        format!(
            "{}{prefix}/{}/commit/{}",
            api.endpoint(),
            target.repo_id(),
            sha.as_str()
        ),
        sha,
    ))
}

/// Looks up the source of every copy (`paths-info`), downloading regular files to
/// embed them again.
async fn resolve_copies(
    api: &HfApi,
    target: &UploadTarget,
    ops: &mut [CommitOperation],
) -> Result<(), Error> {
    for op in ops.iter_mut() {
        let CommitOperation::Copy(copy) = op else {
            continue;
        };
        if copy.resolved().is_some() {
            continue;
        }
        let rev = copy
            .get_src_revision()
            .unwrap_or(target.get_revision())
            .clone();
        let src = copy.src_path_in_repo().to_owned();
        let mut request = api
            .get_paths_info(target.repo_id().as_str(), [src.clone()])
            .repo_type(target.repo_type())
            .revision(rev.as_str());
        if let Some(token) = call_token(target) {
            request = request.token(token);
        }
        let entries = request.await?;
        let file = entries.into_iter().find_map(|e| match e {
            RepoTreeEntry::File(f) if f.path == src => Some(f),
            _ => None,
        });
        let Some(file) = file else {
            return Err(Error::invalid_argument(
                format!(
                    "cannot copy {src:?}: no such file at revision {rev} (folders cannot be copied)"
                ),
                None,
            ));
        };
        let source = if let Some(lfs) = file.lfs {
            let oid = LfsOid::new(lfs.sha256).map_err(|e| Error::InvalidResponse {
                message: format!("the Hub gave an invalid sha256 for {src:?}: {e}"),
            })?;
            CopySource::Lfs { oid }
        } else {
            CopySource::Regular(download_regular(api, target, &rev, &src).await?)
        };
        copy.resolve(source);
    }
    Ok(())
}

/// The content of a regular (small) file, to embed it in a copy.
async fn download_regular(
    api: &HfApi,
    target: &UploadTarget,
    rev: &Revision,
    path: &str,
) -> Result<Bytes, Error> {
    let encoded: String = path
        .split('/')
        .map(percent_encode)
        .collect::<Vec<_>>()
        .join("/");
    let url = format!(
        "/{}{}/resolve/{}/{encoded}",
        target.repo_type().url_prefix(),
        target.repo_id(),
        rev.url_segment()
    );
    let res = ApiRequest::get(api, url)
        .auth(target.get_auth().cloned())
        .send()
        .await?;
    Ok(res.into_body().bytes().await?)
}

/// Percent-encodes one path segment (everything but unreserved characters).
pub(crate) fn percent_encode(segment: &str) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(segment.len());
    for b in segment.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use hf_lfs::UploadInfo;

    fn prepared(path: &str, size: u64, mode: UploadMode) -> CommitOperation {
        let mut add = CommitOperationAdd::from_bytes(path, Bytes::new()).unwrap();
        let oid = LfsOid::new("a".repeat(64)).unwrap();
        add.set_upload_info(UploadInfo::new(size, oid, Bytes::new()));
        add.set_upload_mode(mode);
        add.into()
    }

    #[test]
    fn commits_over_the_hub_limits_are_refused() {
        let ok: Vec<_> = (0..MAX_LFS_FILES_PER_COMMIT)
            .map(|i| prepared(&format!("f{i}"), 10, UploadMode::Lfs))
            .collect();
        assert!(check_limits(&ok).is_ok());
        let mut too_many = ok;
        too_many.push(prepared("one-more", 10, UploadMode::Lfs));
        let err = check_limits(&too_many).unwrap_err();
        assert!(matches!(err, Error::CommitTooLarge { .. }), "{err:?}");
        assert!(err.to_string().contains("25000"), "{err}");

        let big = vec![
            prepared(
                "a.txt",
                MAX_REGULAR_BYTES_PER_COMMIT / 2,
                UploadMode::Regular,
            ),
            prepared(
                "b.txt",
                MAX_REGULAR_BYTES_PER_COMMIT / 2 + 1,
                UploadMode::Regular,
            ),
        ];
        let err = check_limits(&big).unwrap_err();
        assert!(matches!(err, Error::CommitTooLarge { .. }), "{err:?}");
    }

    #[test]
    fn empty_messages_and_bad_parents_are_refused() {
        let mut o = CommitOptions::default();
        assert!(header(&o).is_err());
        o.commit_message = Some("x".into());
        o.parent_commit = Some("zz".into());
        assert!(matches!(header(&o), Err(Error::InvalidArgument { .. })));
        o.parent_commit = Some("abcdef1".into());
        assert_eq!(header(&o).unwrap().get_parent_commit(), Some("abcdef1"));
    }
}

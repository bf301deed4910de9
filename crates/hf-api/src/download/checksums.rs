//! `verify_repo_checksums` (the newest Python client's, behind `hf cache verify`):
//! are the files of a cached snapshot, or of a `local_dir`, the ones on the Hub?

use std::collections::BTreeMap;
use std::fmt;
use std::future::IntoFuture;
use std::path::{Path, PathBuf};

use futures_util::{StreamExt as _, TryStreamExt as _};
use hf_http::Token;
use hf_types::{RepoFile, RepoId, RepoType, Revision};

use super::url::{parse_repo_id, parse_revision};
use super::verify::{Check, hash_file};
use super::{blocking, io_error};
use crate::client::HfApi;
use crate::error::Error;
use crate::request::BoxFuture;
use crate::upload::folder::list_folder;

impl HfApi {
    /// Checks a repo's files on disk against the Hub's checksums (the newest Python
    /// client's `verify_repo_checksums`): the cached snapshot of a revision, or a
    /// [`local_dir`](VerifyRequest::local_dir).
    ///
    /// Every file present on both sides is hashed (the sha256 of an LFS file, the git
    /// blob sha1 of a regular one, several files at once) and compared with the
    /// revision's recursive tree listing. Files only on one side are listed, not
    /// errors. In the cache, the revision is resolved locally (a commit hash, a ref, or
    /// `main`, else the only snapshot); in a `local_dir` it is `main` unless given.
    ///
    /// ```no_run
    /// # async fn demo(api: hf_api::HfApi) -> Result<(), hf_api::Error> {
    /// let report = api.verify_repo_checksums("gpt2").await?;
    /// for m in &report.mismatches {
    ///     println!("{}: expected {} ({}), got {}", m.path, m.expected, m.algorithm, m.actual);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn verify_repo_checksums(&self, repo_id: impl Into<String>) -> VerifyRequest {
        VerifyRequest {
            api: self.clone(),
            repo_id: repo_id.into(),
            repo_type: RepoType::Model,
            revision: None,
            cache_dir: None,
            local_dir: None,
            token: None,
        }
    }
}

/// The request built by [`HfApi::verify_repo_checksums`]; `.await` it to run it.
#[must_use = "a request does nothing until it is awaited"]
#[derive(Debug, Clone)]
pub struct VerifyRequest {
    api: HfApi,
    repo_id: String,
    repo_type: RepoType,
    revision: Option<String>,
    cache_dir: Option<PathBuf>,
    local_dir: Option<PathBuf>,
    token: Option<Token>,
}

impl VerifyRequest {
    /// The repo type (default: model).
    pub fn repo_type(mut self, repo_type: RepoType) -> Self {
        self.repo_type = repo_type;
        self
    }

    /// A branch, tag or commit.
    pub fn revision(mut self, revision: impl Into<String>) -> Self {
        self.revision = Some(revision.into());
        self
    }

    /// The cache to look in (default: the client's).
    pub fn cache_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.cache_dir = Some(dir.into());
        self
    }

    /// Checks this folder (a `local_dir` download) instead of the cache.
    pub fn local_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.local_dir = Some(dir.into());
        self
    }

    /// Uses this token instead of the client's.
    pub fn token(mut self, token: Token) -> Self {
        self.token = Some(token);
        self
    }
}

/// What [`HfApi::verify_repo_checksums`] found (Python's `FolderVerification`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FolderVerification {
    /// The revision compared with (a commit hash, for the cache).
    pub revision: String,
    /// How many files were hashed: those present on both sides.
    pub checked_count: usize,
    /// Files whose content differs from the Hub's, sorted by path.
    pub mismatches: Vec<ChecksumMismatch>,
    /// Files of the revision that are not on disk, sorted.
    pub missing_paths: Vec<String>,
    /// Files on disk that the revision does not have, sorted.
    pub extra_paths: Vec<String>,
    /// The folder checked: the snapshot folder, or the `local_dir`.
    pub verified_path: PathBuf,
}

impl FolderVerification {
    /// Whether every file on both sides matches.
    pub fn all_match(&self) -> bool {
        self.mismatches.is_empty()
    }
}

/// A file whose content differs from the Hub's.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ChecksumMismatch {
    /// The file's path in the repo.
    pub path: String,
    /// The checksum the Hub lists.
    pub expected: String,
    /// The checksum of the file on disk.
    pub actual: String,
    /// How both were computed.
    pub algorithm: HashAlgorithm,
}

/// The checksum of a file, as the Hub lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum HashAlgorithm {
    /// The sha256 of the content (LFS files).
    Sha256,
    /// The git blob id: `sha1("blob {size}\0" + content)` (regular files).
    GitSha1,
}

impl fmt::Display for HashAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            HashAlgorithm::Sha256 => "sha256",
            HashAlgorithm::GitSha1 => "git-sha1",
        })
    }
}

impl IntoFuture for VerifyRequest {
    type Output = Result<FolderVerification, Error>;
    type IntoFuture = BoxFuture<FolderVerification>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(verify(self))
    }
}

async fn verify(req: VerifyRequest) -> Result<FolderVerification, Error> {
    if req.local_dir.is_some() && req.cache_dir.is_some() {
        return Err(Error::invalid_argument(
            "pass either local_dir or cache_dir, not both",
            None,
        ));
    }
    let repo_id = parse_repo_id(&req.repo_id)?;
    parse_revision(req.revision.as_deref())?;
    let (local, repo_type, revision) = (req.local_dir.clone(), req.repo_type, req.revision.clone());
    let cache = req
        .cache_dir
        .clone()
        .unwrap_or_else(|| req.api.cache_dir().to_owned());
    let (root, remote_revision, local_files) = blocking(move || {
        let (root, revision) = match local {
            Some(dir) => local_root(&dir, revision)?,
            None => snapshot_root(&cache, repo_type, &repo_id, revision.as_deref())?,
        };
        let files: BTreeMap<String, PathBuf> = list_folder(&root, &[], &[])?
            .into_iter()
            .map(|f| (f.rel, f.abs))
            .collect();
        Ok((root, revision, files))
    })
    .await?;

    let mut listing = req
        .api
        .list_repo_tree(&req.repo_id)
        .recursive(true)
        .revision(&remote_revision)
        .repo_type(req.repo_type);
    if let Some(token) = req.token {
        listing = listing.token(token);
    }
    let remote: BTreeMap<String, RepoFile> = listing
        .try_filter_map(|e| async move { Ok(e.as_file().cloned()) })
        .map_ok(|f| (f.path.clone(), f))
        .try_collect()
        .await?;

    let missing_paths = remote
        .keys()
        .filter(|p| !local_files.contains_key(*p))
        .cloned()
        .collect();
    let extra_paths = local_files
        .keys()
        .filter(|p| !remote.contains_key(*p))
        .cloned()
        .collect();
    let checks: Vec<(String, PathBuf, HashAlgorithm, String)> = remote
        .values()
        .filter_map(|f| {
            let local = local_files.get(&f.path)?.clone();
            let (algorithm, expected) = match &f.lfs {
                Some(lfs) if !lfs.sha256.is_empty() => (HashAlgorithm::Sha256, &lfs.sha256),
                _ => (HashAlgorithm::GitSha1, &f.blob_id),
            };
            Some((f.path.clone(), local, algorithm, expected.to_lowercase()))
        })
        .collect();
    let checked_count = checks.len();
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    let mut mismatches: Vec<ChecksumMismatch> = futures_util::stream::iter(checks.into_iter().map(
        |(path, local, algorithm, expected)| {
            blocking(move || {
                let check = match algorithm {
                    HashAlgorithm::Sha256 => Check::Sha256,
                    HashAlgorithm::GitSha1 => Check::GitSha1,
                };
                let actual = hash_file(&local, check)
                    .map_err(|e| io_error(&local, "cannot read", e))?
                    .unwrap_or_default();
                Ok((actual != expected).then_some(ChecksumMismatch {
                    path,
                    expected,
                    actual,
                    algorithm,
                }))
            })
        },
    ))
    .buffer_unordered(threads)
    .try_filter_map(|m| async move { Ok(m) })
    .try_collect()
    .await?;
    mismatches.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(FolderVerification {
        revision: remote_revision,
        checked_count,
        mismatches,
        missing_paths,
        extra_paths,
        verified_path: root,
    })
}

/// A `local_dir` to check, resolved, with the revision to compare with (`main`).
fn local_root(dir: &Path, revision: Option<String>) -> Result<(PathBuf, String), Error> {
    let root = std::fs::canonicalize(dir)
        .ok()
        .filter(|r| r.is_dir())
        .ok_or_else(|| {
            Error::invalid_argument(
                format!("{} does not exist or is not a folder", dir.display()),
                None,
            )
        })?;
    Ok((root, revision.unwrap_or_else(|| "main".to_owned())))
}

/// The snapshot folder of the revision in the cache, and its commit: the revision
/// itself if it is a commit hash, else its ref (`main` by default), else the only
/// snapshot.
fn snapshot_root(
    cache: &Path,
    repo_type: RepoType,
    repo_id: &RepoId,
    revision: Option<&str>,
) -> Result<(PathBuf, String), Error> {
    let not_found = |message: String| Error::LocalEntryNotFound {
        message,
        source: None,
    };
    let cache = std::fs::canonicalize(cache).unwrap_or_else(|_| cache.to_owned());
    let repo = hf_cache::HfCache::new(&cache).repo(repo_type, repo_id);
    if !repo.path().exists() {
        return Err(not_found(format!(
            "{} ({repo_type}) is not in the cache ({}); download it first, or check a local_dir",
            repo_id.as_str(),
            repo.path().display()
        )));
    }
    let rev = parse_revision(revision)?;
    let commit = match repo.resolve_revision(&rev)? {
        Some(commit) => commit.as_str().to_owned(),
        None if revision.is_some() => {
            return Err(not_found(format!(
                "revision {} of {} is not in the cache (no {})",
                rev.as_str(),
                repo_id.as_str(),
                repo.ref_path(&rev)?.display()
            )));
        }
        None => only_snapshot(&repo.snapshots_dir())?,
    };
    let dir = repo.snapshots_dir().join(&commit);
    if !dir.is_dir() {
        return Err(not_found(format!(
            "the snapshot of {commit} is not in the cache ({})",
            dir.display()
        )));
    }
    Ok((dir, commit))
}

/// The one snapshot of a repo without a `main` ref.
fn only_snapshot(snapshots: &Path) -> Result<String, Error> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(snapshots).map_err(|e| io_error(snapshots, "cannot list", e))? {
        let entry = entry.map_err(|e| io_error(snapshots, "cannot list", e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.path().is_dir() && Revision::new(name.as_str()).is_ok_and(|r| r.is_commit_hash()) {
            found.push(name);
        }
    }
    match found.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(Error::LocalEntryNotFound {
            message: format!("no snapshot in {}", snapshots.display()),
            source: None,
        }),
        _ => Err(Error::invalid_argument(
            format!(
                "{} snapshots and no main ref in {}: choose one with a revision",
                found.len(),
                snapshots.display()
            ),
            None,
        )),
    }
}

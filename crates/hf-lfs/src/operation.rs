//! Commit operations: what a commit adds, deletes or copies.

use std::fmt;
use std::io::{Read, Seek};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use hf_types::{LfsOid, RepoPath, Revision};

use crate::error::{Error, Result};

/// Folder names a commit may not write under (anywhere in the path), as in the Python
/// client: the Hub would treat them as git internals or as a local cache.
const FORBIDDEN_FOLDERS: [&str; 2] = [".git", ".cache"];

/// Normalises and validates a `path_in_repo` the way the Python client does, then
/// applies the stricter rules of [`RepoPath`].
///
/// Python's steps, in order: one leading `/` is dropped; `.`, `..` and paths starting
/// with `../` are rejected; one leading `./` is dropped; a `.git` or `.cache` segment
/// anywhere is rejected. On top of that, what remains must be a valid [`RepoPath`]
/// (no empty, `.` or `..` segment anywhere, no leading `/`, no backslash, no NUL), except
/// that `allow_trailing_slash` lets one trailing `/` through (folder deletes).
///
/// ```
/// use hf_lfs::normalize_path_in_repo;
/// assert_eq!(normalize_path_in_repo("/./a/b.txt", false)?, "a/b.txt");
/// assert_eq!(normalize_path_in_repo("logs/", true)?, "logs/");
/// assert!(normalize_path_in_repo("../x", false).is_err());
/// assert!(normalize_path_in_repo("a/.git/config", false).is_err());
/// # Ok::<(), hf_lfs::Error>(())
/// ```
pub fn normalize_path_in_repo(path: &str, allow_trailing_slash: bool) -> Result<String> {
    let mut p = path.strip_prefix('/').unwrap_or(path);
    if p == "." || p == ".." || p.starts_with("../") {
        return Err(Error::invalid_path(
            path,
            "it points outside the repository ('.', '..' or '../...')",
        ));
    }
    if let Some(rest) = p.strip_prefix("./") {
        p = rest;
    }
    for forbidden in FORBIDDEN_FOLDERS {
        if p.split('/').any(|segment| segment == forbidden) {
            return Err(Error::invalid_path(
                path,
                format!("cannot update files under a '{forbidden}/' folder"),
            ));
        }
    }
    let core = if allow_trailing_slash {
        p.strip_suffix('/').unwrap_or(p)
    } else {
        p
    };
    RepoPath::new(core).map_err(|e| Error::invalid_path(path, e.to_string()))?;
    Ok(p.to_owned())
}

/// How the Hub stores an added file, as decided by the preupload endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum UploadMode {
    /// A git blob: the content travels base64-encoded inside the commit payload.
    Regular,
    /// An LFS object: uploaded through the LFS batch API, referenced by sha256.
    Lfs,
}

impl UploadMode {
    /// The wire name: `"regular"` or `"lfs"`.
    pub fn as_str(self) -> &'static str {
        match self {
            UploadMode::Regular => "regular",
            UploadMode::Lfs => "lfs",
        }
    }
}

/// Size, sha256 and leading sample of an addition's content, computed once by
/// [`hash_additions`](crate::hash_additions).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct UploadInfo {
    /// Content length in bytes.
    pub size: u64,
    /// sha256 of the content (the LFS oid).
    pub sha256: LfsOid,
    /// The first 512 bytes (fewer for smaller content), sent to the preupload endpoint.
    pub sample: Bytes,
}

impl UploadInfo {
    /// Info computed earlier, e.g. stored by an interrupted upload that is being resumed.
    /// `sample` is the content's first 512 bytes (all of it when shorter).
    pub fn new(size: u64, sha256: LfsOid, sample: Bytes) -> Self {
        UploadInfo {
            size,
            sha256,
            sample,
        }
    }
}

/// A seekable reader usable as the content of an addition.
pub(crate) trait ReadSeek: Read + Seek + Send {}
impl<T: Read + Seek + Send> ReadSeek for T {}

/// Where the content of an addition comes from.
///
/// Cloning is cheap: bytes are reference-counted and a reader is shared.
#[derive(Clone)]
pub struct AddSource(pub(crate) SourceKind);

#[derive(Clone)]
pub(crate) enum SourceKind {
    Path(PathBuf),
    Bytes(Bytes),
    Reader(Arc<Mutex<Box<dyn ReadSeek>>>),
}

impl AddSource {
    /// The local file, when the content comes from one.
    pub fn local_path(&self) -> Option<&Path> {
        match &self.0 {
            SourceKind::Path(p) => Some(p),
            _ => None,
        }
    }

    /// The in-memory content, when the content is a buffer.
    pub fn bytes(&self) -> Option<&Bytes> {
        match &self.0 {
            SourceKind::Bytes(b) => Some(b),
            _ => None,
        }
    }
}

impl fmt::Debug for AddSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            SourceKind::Path(p) => f.debug_tuple("Path").field(p).finish(),
            SourceKind::Bytes(b) => write!(f, "Bytes({} bytes)", b.len()),
            SourceKind::Reader(_) => f.write_str("Reader"),
        }
    }
}

/// Adds (or overwrites) one file.
///
/// Built from a local path, a buffer or a seekable reader. The content is hashed once by
/// [`hash_additions`](crate::hash_additions); [`preupload`](crate::preupload) then records
/// the server's decision (regular or LFS, ignored, unchanged) and
/// [`upload_lfs_objects`](crate::upload_lfs_objects) marks LFS content as uploaded, so a
/// second commit with the same operation does not upload it again.
#[derive(Debug, Clone)]
pub struct CommitOperationAdd {
    pub(crate) path_in_repo: String,
    pub(crate) source: AddSource,
    pub(crate) info: Option<UploadInfo>,
    pub(crate) upload_mode: Option<UploadMode>,
    pub(crate) should_ignore: bool,
    pub(crate) remote_oid: Option<String>,
    pub(crate) unchanged: bool,
    pub(crate) uploaded: bool,
}

impl CommitOperationAdd {
    fn with_source(path_in_repo: &str, source: SourceKind) -> Result<Self> {
        Ok(CommitOperationAdd {
            path_in_repo: normalize_path_in_repo(path_in_repo, false)?,
            source: AddSource(source),
            info: None,
            upload_mode: None,
            should_ignore: false,
            remote_oid: None,
            unchanged: false,
            uploaded: false,
        })
    }

    /// Adds the local file `local_path` as `path_in_repo`. The file must exist; it is read
    /// (not loaded whole) when hashing and again when uploading.
    pub fn from_path(path_in_repo: &str, local_path: impl Into<PathBuf>) -> Result<Self> {
        let local_path = local_path.into();
        if !local_path.is_file() {
            return Err(Error::NotAFile { path: local_path });
        }
        Self::with_source(path_in_repo, SourceKind::Path(local_path))
    }

    /// Adds in-memory content as `path_in_repo`.
    pub fn from_bytes(path_in_repo: &str, content: impl Into<Bytes>) -> Result<Self> {
        Self::with_source(path_in_repo, SourceKind::Bytes(content.into()))
    }

    /// Adds the content of a seekable reader as `path_in_repo`: everything from offset 0
    /// to its end, whatever its current position (as the Python client does). The reader
    /// is read again (seeking) when uploading.
    pub fn from_reader<R>(path_in_repo: &str, reader: R) -> Result<Self>
    where
        R: Read + Seek + Send + 'static,
    {
        Self::with_source(
            path_in_repo,
            SourceKind::Reader(Arc::new(Mutex::new(Box::new(reader)))),
        )
    }

    /// The normalised destination path.
    pub fn path_in_repo(&self) -> &str {
        &self.path_in_repo
    }

    /// Where the content comes from.
    pub fn source(&self) -> &AddSource {
        &self.source
    }

    /// Size, sha256 and sample, once hashed.
    pub fn upload_info(&self) -> Option<&UploadInfo> {
        self.info.as_ref()
    }

    /// The server's decision, once [`preupload`](crate::preupload) ran.
    pub fn upload_mode(&self) -> Option<UploadMode> {
        self.upload_mode
    }

    /// Whether the server said this path is git-ignored (it is then neither uploaded nor
    /// committed).
    pub fn should_ignore(&self) -> bool {
        self.should_ignore
    }

    /// The oid of the file currently at this path on the target revision, as reported
    /// by the preupload endpoint (sha256 for LFS files, git sha1 for regular files).
    pub fn remote_oid(&self) -> Option<&str> {
        self.remote_oid.as_deref()
    }

    /// Whether the file at this path on the target revision already has this exact
    /// content (the server's oid equals the local sha256 for LFS files, the local git
    /// blob sha1 for regular files). Known after [`preupload`](crate::preupload).
    ///
    /// The Python client still lists unchanged additions in the commit payload; it only
    /// skips the commit when *every* operation is an unchanged addition.
    pub fn is_unchanged(&self) -> bool {
        self.unchanged
    }

    /// Whether the LFS content has already been uploaded.
    pub fn is_uploaded(&self) -> bool {
        self.uploaded
    }

    /// Records size and sha256 computed earlier, so [`hash_additions`](crate::hash_additions)
    /// does not read the content again. The caller vouches that they match the content.
    pub fn set_upload_info(&mut self, info: UploadInfo) {
        self.info = Some(info);
    }

    /// Marks the LFS content as already on the Hub (uploaded by an earlier run), so
    /// [`preupload`](crate::preupload) and [`upload_lfs_objects`](crate::upload_lfs_objects)
    /// skip it. Needs [`set_upload_mode`](CommitOperationAdd::set_upload_mode) too.
    pub fn mark_uploaded(&mut self) {
        self.uploaded = true;
    }

    /// Sets the upload mode by hand, for callers that negotiate it without
    /// [`preupload`](crate::preupload). Empty content is always regular.
    pub fn set_upload_mode(&mut self, mode: UploadMode) {
        let empty = self.info.as_ref().is_some_and(|i| i.size == 0);
        self.upload_mode = Some(if empty { UploadMode::Regular } else { mode });
    }

    pub(crate) fn info_or_err(&self) -> Result<&UploadInfo> {
        self.info.as_ref().ok_or_else(|| Error::NotPrepared {
            path_in_repo: self.path_in_repo.clone(),
            missing: "content not hashed yet; call hf_lfs::hash_additions first",
        })
    }

    pub(crate) fn mode_or_err(&self) -> Result<UploadMode> {
        self.upload_mode.ok_or_else(|| Error::NotPrepared {
            path_in_repo: self.path_in_repo.clone(),
            missing: "upload mode unknown; call hf_lfs::preupload first",
        })
    }
}

/// Deletes a file or a folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitOperationDelete {
    path_in_repo: String,
    is_folder: bool,
}

impl CommitOperationDelete {
    /// Deletes `path_in_repo`: a folder when it ends with `/`, else a file (Python's
    /// `is_folder="auto"`).
    pub fn new(path_in_repo: &str) -> Result<Self> {
        let path = normalize_path_in_repo(path_in_repo, true)?;
        let is_folder = path.ends_with('/');
        Ok(CommitOperationDelete {
            path_in_repo: path,
            is_folder,
        })
    }

    /// Deletes the file `path_in_repo`.
    pub fn file(path_in_repo: &str) -> Result<Self> {
        Ok(CommitOperationDelete {
            path_in_repo: normalize_path_in_repo(path_in_repo, false)?,
            is_folder: false,
        })
    }

    /// Deletes the folder `path_in_repo` and everything under it (a trailing `/` is
    /// optional and kept as given).
    pub fn folder(path_in_repo: &str) -> Result<Self> {
        Ok(CommitOperationDelete {
            path_in_repo: normalize_path_in_repo(path_in_repo, true)?,
            is_folder: true,
        })
    }

    /// The normalised path.
    pub fn path_in_repo(&self) -> &str {
        &self.path_in_repo
    }

    /// Whether a folder is deleted.
    pub fn is_folder(&self) -> bool {
        self.is_folder
    }
}

/// What the source of a copy is, once looked up on the Hub (the caller resolves it, e.g.
/// with `paths-info`, and downloads regular files).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CopySource {
    /// The source is an LFS file: the copy references its sha256.
    Lfs {
        /// The source's sha256.
        oid: LfsOid,
    },
    /// The source is a regular file: its content is embedded again.
    Regular(Bytes),
}

/// Copies a file of the same repository to a new path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitOperationCopy {
    src_path_in_repo: String,
    path_in_repo: String,
    src_revision: Option<Revision>,
    resolved: Option<CopySource>,
}

impl CommitOperationCopy {
    /// Copies `src_path_in_repo` to `path_in_repo`, from the commit's own revision.
    pub fn new(src_path_in_repo: &str, path_in_repo: &str) -> Result<Self> {
        Ok(CommitOperationCopy {
            src_path_in_repo: normalize_path_in_repo(src_path_in_repo, false)?,
            path_in_repo: normalize_path_in_repo(path_in_repo, false)?,
            src_revision: None,
            resolved: None,
        })
    }

    /// Copies from `revision` instead of the commit's revision.
    pub fn src_revision(mut self, revision: Revision) -> Self {
        self.src_revision = Some(revision);
        self
    }

    /// The normalised source path.
    pub fn src_path_in_repo(&self) -> &str {
        &self.src_path_in_repo
    }

    /// The normalised destination path.
    pub fn path_in_repo(&self) -> &str {
        &self.path_in_repo
    }

    /// The revision to copy from, if not the commit's.
    pub fn get_src_revision(&self) -> Option<&Revision> {
        self.src_revision.as_ref()
    }

    /// Records what the source is; required before building the commit payload.
    pub fn resolve(&mut self, source: CopySource) {
        self.resolved = Some(source);
    }

    /// The resolved source, if any.
    pub fn resolved(&self) -> Option<&CopySource> {
        self.resolved.as_ref()
    }
}

/// One operation of a commit.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum CommitOperation {
    /// Add or overwrite a file.
    Add(CommitOperationAdd),
    /// Delete a file or folder.
    Delete(CommitOperationDelete),
    /// Copy a file within the repository.
    Copy(CommitOperationCopy),
}

impl CommitOperation {
    /// The (destination) path of the operation.
    pub fn path_in_repo(&self) -> &str {
        match self {
            CommitOperation::Add(op) => op.path_in_repo(),
            CommitOperation::Delete(op) => op.path_in_repo(),
            CommitOperation::Copy(op) => op.path_in_repo(),
        }
    }

    /// The addition, if this is one.
    pub fn as_add(&self) -> Option<&CommitOperationAdd> {
        match self {
            CommitOperation::Add(op) => Some(op),
            _ => None,
        }
    }
}

impl From<CommitOperationAdd> for CommitOperation {
    fn from(op: CommitOperationAdd) -> Self {
        CommitOperation::Add(op)
    }
}

impl From<CommitOperationDelete> for CommitOperation {
    fn from(op: CommitOperationDelete) -> Self {
        CommitOperation::Delete(op)
    }
}

impl From<CommitOperationCopy> for CommitOperation {
    fn from(op: CommitOperationCopy) -> Self {
        CommitOperation::Copy(op)
    }
}

/// The additions among `ops`, mutably.
pub(crate) fn additions_mut(
    ops: &mut [CommitOperation],
) -> impl Iterator<Item = &mut CommitOperationAdd> {
    ops.iter_mut().filter_map(|op| match op {
        CommitOperation::Add(add) => Some(add),
        _ => None,
    })
}

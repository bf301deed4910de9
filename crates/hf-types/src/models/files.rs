//! Files of a repository: siblings in repo info, tree entries, LFS and security info.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::{CommitOid, InvalidRepoPath, RepoPath, Timestamp};

/// LFS pointer details of a file.
///
/// Found as `lfs` in `siblings` of `GET /api/{models,datasets,spaces}/{repo_id}?blobs=True`
/// (hash key `sha256`) and in entries of `GET .../tree/{rev}` and `POST .../paths-info/{rev}`
/// (hash key `oid`, accepted as an alias; serialized back as `sha256`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct BlobLfsInfo {
    /// Size of the real (large) file, in bytes.
    pub size: u64,
    /// Sha256 of the real file, 64 hex digits.
    #[serde(alias = "oid")]
    pub sha256: String,
    /// Size of the git pointer file, in bytes.
    pub pointer_size: u64,
}

/// One file listed in the `siblings` of a model, dataset or Space info
/// (`GET /api/{models,datasets,spaces}/{repo_id}`); `size`, `blobId` and `lfs` only
/// come with `?blobs=True`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct RepoSibling {
    /// Path of the file from the repo root.
    pub rfilename: String,
    /// Size in bytes (the real size for LFS files).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// Git blob sha1 of the file (of the pointer for LFS files).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blob_id: Option<String>,
    /// LFS details, for LFS files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lfs: Option<BlobLfsInfo>,
}

impl RepoSibling {
    /// The file path as a validated [`RepoPath`] (the Hub's value is kept raw so that
    /// one odd name cannot make the whole repo info unreadable).
    pub fn path(&self) -> Result<RepoPath, InvalidRepoPath> {
        RepoPath::new(self.rfilename.as_str())
    }
}

/// The last commit that touched a tree entry (`lastCommit`, with `expand=True`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct LastCommitInfo {
    /// Commit hash (wire key `id`).
    #[serde(rename = "id")]
    pub oid: CommitOid,
    /// Commit title.
    pub title: String,
    /// Commit date.
    pub date: Timestamp,
}

/// Security scan result of a file (`securityFileStatus`, with `expand=True`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct BlobSecurityInfo {
    /// Overall status, e.g. `"safe"`, `"unscanned"`, `"caution"` or `"unsafe"`.
    pub status: String,
    /// Antivirus scan details, as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub av_scan: Option<serde_json::Value>,
    /// Pickle import scan details, as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pickle_import_scan: Option<serde_json::Value>,
}

impl BlobSecurityInfo {
    /// Whether the Hub considers the file safe.
    pub fn is_safe(&self) -> bool {
        self.status == "safe"
    }
}

/// A file entry of `GET /api/{rt}/{repo_id}/tree/{rev}[/{path}]` or
/// `POST /api/{rt}/{repo_id}/paths-info/{rev}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct RepoFile {
    /// Full path from the repo root.
    pub path: String,
    /// Size in bytes (the real size for LFS files).
    pub size: u64,
    /// Git blob sha1 of the file (of the pointer for LFS files); wire key `oid`.
    #[serde(rename = "oid")]
    pub blob_id: String,
    /// LFS details, for LFS files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lfs: Option<BlobLfsInfo>,
    /// Last commit touching the file (with `expand=True`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_commit: Option<LastCommitInfo>,
    /// Security scan status (with `expand=True`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_file_status: Option<BlobSecurityInfo>,
    /// Xet content hash, on Xet-backed repos.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub xet_hash: Option<String>,
}

/// A directory entry of `GET /api/{rt}/{repo_id}/tree/{rev}` or `paths-info`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct RepoFolder {
    /// Full path from the repo root.
    pub path: String,
    /// Git tree sha1 of the folder; wire key `oid`.
    #[serde(rename = "oid")]
    pub tree_id: String,
    /// Last commit touching the folder (with `expand=True`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_commit: Option<LastCommitInfo>,
}

/// One entry of a tree listing, told apart by its `type` field: `"file"` or
/// `"directory"` (like the Python client, any type other than `"file"` is a folder).
#[derive(Debug, Clone, PartialEq)]
pub enum RepoTreeEntry {
    /// A file.
    File(RepoFile),
    /// A directory.
    Folder(RepoFolder),
}

impl RepoTreeEntry {
    /// Path of the entry from the repo root.
    pub fn path(&self) -> &str {
        match self {
            RepoTreeEntry::File(f) => &f.path,
            RepoTreeEntry::Folder(d) => &d.path,
        }
    }

    /// The file, if this entry is one.
    pub fn as_file(&self) -> Option<&RepoFile> {
        match self {
            RepoTreeEntry::File(f) => Some(f),
            RepoTreeEntry::Folder(_) => None,
        }
    }
}

impl<'de> Deserialize<'de> for RepoTreeEntry {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let value = serde_json::Value::deserialize(deserializer)?;
        let kind = value
            .get("type")
            .and_then(serde_json::Value::as_str)
            .ok_or_else(|| D::Error::missing_field("type"))?
            .to_owned();
        if kind == "file" {
            RepoFile::deserialize(value)
                .map(RepoTreeEntry::File)
                .map_err(|e| D::Error::custom(format!("file entry: {e}")))
        } else {
            RepoFolder::deserialize(value)
                .map(RepoTreeEntry::Folder)
                .map_err(|e| D::Error::custom(format!("{kind} entry: {e}")))
        }
    }
}

impl Serialize for RepoTreeEntry {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        #[serde(tag = "type")]
        enum Tagged<'a> {
            #[serde(rename = "file")]
            File(&'a RepoFile),
            #[serde(rename = "directory")]
            Folder(&'a RepoFolder),
        }
        match self {
            RepoTreeEntry::File(f) => Tagged::File(f),
            RepoTreeEntry::Folder(d) => Tagged::Folder(d),
        }
        .serialize(serializer)
    }
}

//! Upload negotiation: the preupload response and the LFS batch response.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::CommitOid;
use crate::open_enum::open_enum;

open_enum! {
    /// Where the Hub wants a file's content (`uploadMode`).
    pub enum UploadMode {
        /// Through LFS: batch request, then upload to storage.
        Lfs = "lfs",
        /// Inline, base64 in the commit payload.
        Regular = "regular",
    }
}

/// One file of a [`PreuploadResponse`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PreuploadFile {
    /// Path in the repo, as sent in the request.
    pub path: String,
    /// Where the content must go.
    pub upload_mode: UploadMode,
    /// Whether the path matches the repo's `.gitignore` (skip it).
    pub should_ignore: bool,
    /// The blob currently at that path on the revision (sha256 for LFS files, git sha1
    /// otherwise), or `None`. Equal to the local value means "unchanged".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oid: Option<String>,
}

/// Response of `POST /api/{rt}/{repo_id}/preupload/{rev}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PreuploadResponse {
    /// One entry per requested path.
    pub files: Vec<PreuploadFile>,
    /// Head commit of the revision, when sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit_oid: Option<CommitOid>,
}

/// One action of an LFS batch object (`actions.upload` or `actions.verify`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct LfsAction {
    /// URL to call.
    pub href: String,
    /// Action headers. For a multipart upload they carry `chunk_size` and one pre-signed
    /// URL per part number (`"1"`, `"2"`, ...); numbers are kept as strings.
    #[serde(
        default,
        deserialize_with = "crate::de::string_or_number_map",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub header: BTreeMap<String, String>,
    /// Expiry of the URL, when sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    /// Lifetime of the URL in seconds, when sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_in: Option<u64>,
}

impl LfsAction {
    /// Part size of a multipart upload (`header.chunk_size`), if this is one.
    pub fn chunk_size(&self) -> Option<u64> {
        self.header.get("chunk_size")?.trim().parse().ok()
    }

    /// Pre-signed part URLs of a multipart upload, sorted by part number.
    pub fn part_urls(&self) -> Vec<(u32, &str)> {
        let mut parts: Vec<(u32, &str)> = self
            .header
            .iter()
            .filter(|(k, _)| !k.is_empty() && k.bytes().all(|b| b.is_ascii_digit()))
            .filter_map(|(k, v)| Some((k.parse().ok()?, v.as_str())))
            .collect();
        parts.sort_by_key(|(n, _)| *n);
        parts
    }
}

/// Actions of an LFS batch object.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct LfsActions {
    /// Where to upload the content.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upload: Option<LfsAction>,
    /// Where to confirm the upload.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify: Option<LfsAction>,
    /// Where to download the content (download batches).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub download: Option<LfsAction>,
}

/// A per-object error of an LFS batch response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct LfsObjectError {
    /// HTTP-like status code, e.g. 422.
    pub code: i64,
    /// Message.
    #[serde(default)]
    pub message: String,
}

/// One object of an [`LfsBatchResponse`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct LfsBatchObject {
    /// Sha256 of the object.
    pub oid: String,
    /// Size in bytes.
    pub size: u64,
    /// What to do; `None` means the server already has the object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actions: Option<LfsActions>,
    /// Why the object cannot be uploaded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<LfsObjectError>,
    /// Whether the server wants the action hrefs called with credentials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authenticated: Option<bool>,
}

/// Response of `POST {endpoint}/{prefix}{repo_id}.git/info/lfs/objects/batch`
/// (`application/vnd.git-lfs+json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct LfsBatchResponse {
    /// Transfer adapter chosen by the server (`basic` or `multipart`), when sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transfer: Option<String>,
    /// One entry per requested object.
    pub objects: Vec<LfsBatchObject>,
    /// Hash algorithm, when sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hash_algo: Option<String>,
}

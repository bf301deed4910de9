//! Cached tree listings, as the newest Python clients (2.x) keep them: the files of a
//! repo at a commit, in `{folder}/trees/{commit}.json`, where the folder is the repo's
//! cache folder, or `{local_dir}/.cache/huggingface` for a `local_dir` download.
//!
//! ```json
//! {
//!  "format_version": 1,
//!  "files": {
//!   "config.json": {"size": 519, "blob_id": "<git sha1>"},
//!   "model.safetensors": {"size": 1234, "blob_id": "…", "lfs_sha256": "…", "lfs_size": 1234}
//!  }
//! }
//! ```
//!
//! A commit never changes, so neither does its listing: it tells offline whether a
//! cached snapshot is complete, and lets a snapshot at a commit skip the Hub.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use hf_types::CommitOid;
use serde::{Deserialize, Serialize};

use crate::atomic;
use crate::error::Result;

const FORMAT_VERSION: u64 = 1;

/// One file of a cached tree listing (the `/tree` endpoint's fields).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TreeEntry {
    /// Size in bytes (of the content, for an LFS file).
    pub size: u64,
    /// The git blob id (of the pointer, for an LFS file).
    pub blob_id: String,
    /// The LFS content's sha256, for an LFS file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lfs_sha256: Option<String>,
    /// The LFS content's size, for an LFS file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lfs_size: Option<u64>,
    /// The Xet hash, on Xet-backed repos.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub xet_hash: Option<String>,
}

impl TreeEntry {
    /// A file's entry: its size, blob id and, for an LFS file, its sha256 and size.
    pub fn new(size: u64, blob_id: impl Into<String>, lfs: Option<(String, u64)>) -> TreeEntry {
        let (lfs_sha256, lfs_size) =
            lfs.map_or((None, None), |(sha, size)| (Some(sha), Some(size)));
        TreeEntry {
            size,
            blob_id: blob_id.into(),
            lfs_sha256,
            lfs_size,
            xet_hash: None,
        }
    }

    /// The etag a download of this file gets (the blob's name in the cache): the LFS
    /// sha256, else the blob id.
    pub fn etag(&self) -> &str {
        self.lfs_sha256.as_deref().unwrap_or(&self.blob_id)
    }
}

/// The files of a repo at a commit, by path.
pub type TreeListing = BTreeMap<String, TreeEntry>;

#[derive(Deserialize)]
struct TreeFile {
    format_version: u64,
    files: TreeListing,
}

/// [`TreeFile`] to write, borrowing the listing.
#[derive(Serialize)]
struct TreeFileRef<'a> {
    format_version: u64,
    files: &'a TreeListing,
}

/// `{folder}/trees/{commit}.json`.
pub fn tree_path(folder: &Path, commit: &CommitOid) -> PathBuf {
    folder
        .join("trees")
        .join(format!("{}.json", commit.as_str()))
}

/// The listing cached under `folder` for `commit`; `None` when there is none, or when
/// it is unreadable, of another format version, or names an invalid Xet hash (as
/// Python, which then lists the files again).
pub fn read_tree(folder: &Path, commit: &CommitOid) -> Option<TreeListing> {
    let path = tree_path(folder, commit);
    let text = match std::fs::read(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
        Err(err) => {
            tracing::warn!(path = %path.display(), %err, "ignoring an unreadable tree listing");
            return None;
        }
    };
    let file: TreeFile = match serde_json::from_slice(&text) {
        Ok(file) => file,
        Err(err) => {
            tracing::warn!(path = %path.display(), %err, "ignoring a corrupted tree listing");
            return None;
        }
    };
    let valid_xet = |h: &str| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit());
    (file.format_version == FORMAT_VERSION
        && file
            .files
            .values()
            .all(|e| e.xet_hash.as_deref().is_none_or(valid_xet)))
    .then_some(file.files)
}

/// Caches `listing` under `folder` for `commit` (replacing the file atomically), in
/// Python's layout.
pub fn write_tree(folder: &Path, commit: &CommitOid, listing: &TreeListing) -> Result<()> {
    let path = tree_path(folder, commit);
    let dir = path.parent().unwrap_or(folder);
    let file = TreeFileRef {
        format_version: FORMAT_VERSION,
        files: listing,
    };
    // Python's `json.dump(..., indent=1)`.
    let mut text = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(
        &mut text,
        serde_json::ser::PrettyFormatter::with_indent(b" "),
    );
    file.serialize(&mut ser)
        .map_err(|e| crate::Error::from_write(&path, std::io::Error::other(e)))?;
    // No sync: a lost listing is listed again (Python does not sync it either), and a
    // snapshot of many small files should not wait on the disk for it.
    let prefix = format!(".{}.", commit.as_str());
    atomic::write_renamed(dir, (&prefix, ".tmp"), &text, &path)
}

//! Git references of a repo: `GET /api/{rt}/{repo_id}/refs`.

use serde::{Deserialize, Serialize};

use crate::CommitOid;

/// One git reference (branch, tag, convert or pull request).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct GitRefInfo {
    /// Short name, e.g. `main`, `v1.0`, `parquet` or `refs/pr/1`.
    pub name: String,
    /// Full reference, e.g. `refs/heads/main`.
    #[serde(rename = "ref")]
    pub git_ref: String,
    /// Commit the reference points to.
    pub target_commit: CommitOid,
}

/// Response of `GET /api/{rt}/{repo_id}/refs[?include_prs=1]`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct GitRefs {
    /// Branches (`refs/heads/*`).
    #[serde(default, deserialize_with = "crate::de::null_default")]
    pub branches: Vec<GitRefInfo>,
    /// Conversion branches (`refs/convert/*`, e.g. parquet).
    #[serde(default, deserialize_with = "crate::de::null_default")]
    pub converts: Vec<GitRefInfo>,
    /// Tags (`refs/tags/*`).
    #[serde(default, deserialize_with = "crate::de::null_default")]
    pub tags: Vec<GitRefInfo>,
    /// Pull requests (`refs/pr/*`); `None` unless requested with `include_prs=1`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pull_requests: Option<Vec<GitRefInfo>>,
}

//! [`KernelInfo`]: `GET /api/kernels/{repo_id}`.

use serde::{Deserialize, Serialize};

use crate::models::{GatedMode, RepoSibling};
use crate::{CommitOid, InvalidRepoId, RepoId, Timestamp};

/// Information about a kernel repo: `GET /api/kernels/{repo_id}[/revision/{rev}]` (the
/// newest Python clients' `kernel_info`). Everything but `id` is optional.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct KernelInfo {
    /// Full repo id.
    pub id: String,
    /// Owner (user or organization).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// Commit hash of the requested revision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha: Option<CommitOid>,
    /// Date of the last commit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<Timestamp>,
    /// Whether the repo is private.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private: Option<bool>,
    /// Gating mode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gated: Option<GatedMode>,
    /// Downloads over the last 30 days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub downloads: Option<u64>,
    /// Number of likes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub likes: Option<u64>,
    /// Files of the repo; `None` when the response did not list them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub siblings: Option<Vec<RepoSibling>>,
}

impl KernelInfo {
    /// The `id` as a validated [`RepoId`].
    pub fn repo_id(&self) -> Result<RepoId, InvalidRepoId> {
        RepoId::new(self.id.as_str())
    }
}

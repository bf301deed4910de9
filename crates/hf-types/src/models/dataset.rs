//! [`DatasetInfo`]: `GET /api/datasets/{repo_id}` and the elements of `GET /api/datasets`.

use serde::{Deserialize, Serialize};

use crate::models::{DatasetCardData, GatedMode, RepoSibling};
use crate::{CommitOid, InvalidRepoId, RepoId, Timestamp};

/// Information about a dataset repo: `GET /api/datasets/{repo_id}[/revision/{rev}]`, and
/// each element of the `GET /api/datasets` listing. Everything but `id` is optional.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DatasetInfo {
    /// Full repo id.
    pub id: String,
    /// Internal object id (`_id`).
    #[serde(rename = "_id", default, skip_serializing_if = "Option::is_none")]
    pub object_id: Option<String>,
    /// Owner (user or organization).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// Commit hash of the requested revision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha: Option<CommitOid>,
    /// Creation date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Timestamp>,
    /// Date of the last commit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<Timestamp>,
    /// Whether the repo is private.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private: Option<bool>,
    /// Gating mode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gated: Option<GatedMode>,
    /// Whether the repo is disabled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disabled: Option<bool>,
    /// Downloads over the last 30 days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub downloads: Option<u64>,
    /// Downloads since creation (only when expanded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub downloads_all_time: Option<u64>,
    /// Number of likes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub likes: Option<u64>,
    /// Papers with Code id (`paperswithcode_id`).
    #[serde(
        rename = "paperswithcode_id",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub paperswithcode_id: Option<String>,
    /// Tags.
    #[serde(
        default,
        deserialize_with = "crate::de::null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub tags: Vec<String>,
    /// Trending score.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trending_score: Option<f64>,
    /// README metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_data: Option<DatasetCardData>,
    /// Files of the repo; `None` when the response did not list them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub siblings: Option<Vec<RepoSibling>>,
    /// BibTeX citation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub citation: Option<String>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Size of the main data, as sent (when expanded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub main_size: Option<serde_json::Value>,
    /// Storage used by the repo, in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub used_storage: Option<u64>,
}

impl DatasetInfo {
    /// The `id` as a validated [`RepoId`].
    pub fn repo_id(&self) -> Result<RepoId, InvalidRepoId> {
        RepoId::new(self.id.as_str())
    }
}

//! Spaces: [`SpaceInfo`], [`SpaceRuntime`] and Space variables.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::models::{GatedMode, RepoSibling, SpaceCardData};
use crate::open_enum::open_enum;
use crate::{CommitOid, InvalidRepoId, RepoId, Timestamp};

open_enum! {
    /// Lifecycle stage of a Space (`stage` of its runtime).
    pub enum SpaceStage {
        /// The repo has no app file yet.
        NoAppFile = "NO_APP_FILE",
        /// The Space configuration is invalid.
        ConfigError = "CONFIG_ERROR",
        /// The image is being built.
        Building = "BUILDING",
        /// The build failed.
        BuildError = "BUILD_ERROR",
        /// The app is starting.
        AppStarting = "APP_STARTING",
        /// Running.
        Running = "RUNNING",
        /// Running while a new version builds.
        RunningBuilding = "RUNNING_BUILDING",
        /// Running while a new version starts.
        RunningAppStarting = "RUNNING_APP_STARTING",
        /// The app crashed.
        RuntimeError = "RUNTIME_ERROR",
        /// Being deleted.
        Deleting = "DELETING",
        /// Stopped (asleep).
        Stopped = "STOPPED",
        /// Paused by its owner.
        Paused = "PAUSED",
    }
}

open_enum! {
    /// Hardware flavor of a Space (`hardware.current` / `hardware.requested`).
    pub enum SpaceHardware {
        /// Free CPU.
        CpuBasic = "cpu-basic",
        /// Upgraded CPU.
        CpuUpgrade = "cpu-upgrade",
        /// Nvidia T4, small.
        T4Small = "t4-small",
        /// Nvidia T4, medium.
        T4Medium = "t4-medium",
        /// One Nvidia L4.
        L4x1 = "l4x1",
        /// Four Nvidia L4.
        L4x4 = "l4x4",
        /// ZeroGPU (shared A10G / H200).
        ZeroA10g = "zero-a10g",
        /// Nvidia A10G, small.
        A10gSmall = "a10g-small",
        /// Nvidia A10G, large.
        A10gLarge = "a10g-large",
        /// Two Nvidia A10G.
        A10gLargex2 = "a10g-largex2",
        /// Four Nvidia A10G.
        A10gLargex4 = "a10g-largex4",
        /// Nvidia A100.
        A100Large = "a100-large",
        /// One Nvidia L40S.
        L40sx1 = "l40sx1",
        /// Four Nvidia L40S.
        L40sx4 = "l40sx4",
        /// Eight Nvidia L40S.
        L40sx8 = "l40sx8",
        /// TPU v5e 1x1.
        V5e1x1 = "v5e-1x1",
        /// TPU v5e 2x2.
        V5e2x2 = "v5e-2x2",
        /// TPU v5e 2x4.
        V5e2x4 = "v5e-2x4",
    }
}

open_enum! {
    /// Persistent storage tier of a Space (`storage`).
    pub enum SpaceStorage {
        /// Small tier.
        Small = "small",
        /// Medium tier.
        Medium = "medium",
        /// Large tier.
        Large = "large",
    }
}

open_enum! {
    /// SDK of a Space (`sdk`).
    pub enum SpaceSdk {
        /// Gradio.
        Gradio = "gradio",
        /// Streamlit.
        Streamlit = "streamlit",
        /// Docker.
        Docker = "docker",
        /// Static HTML.
        Static = "static",
    }
}

/// Current and requested hardware of a Space (`hardware` of its runtime).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SpaceHardwareState {
    /// Hardware in use; `None` while none is assigned.
    #[serde(default)]
    pub current: Option<SpaceHardware>,
    /// Hardware requested by the owner.
    #[serde(default)]
    pub requested: Option<SpaceHardware>,
}

/// Current and requested replica counts of a Space (`replicas`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SpaceReplicas {
    /// Replicas running.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current: Option<u64>,
    /// Replicas requested.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requested: Option<u64>,
}

/// A domain serving a Space (`domains[]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SpaceDomain {
    /// Host name, e.g. `user-space.hf.space`.
    pub domain: String,
    /// Domain state, e.g. `READY`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
}

/// Runtime state of a Space: `GET /api/spaces/{repo_id}/runtime`, and the response of the
/// `hardware`, `sleeptime`, `pause`, `restart` and `storage` calls; also `runtime` in
/// [`SpaceInfo`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SpaceRuntime {
    /// Lifecycle stage.
    pub stage: SpaceStage,
    /// Current and requested hardware.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hardware: Option<SpaceHardwareState>,
    /// Seconds of inactivity before the Space sleeps (`gcTimeout`); `None` = never.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gc_timeout: Option<u64>,
    /// Persistent storage tier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage: Option<SpaceStorage>,
    /// Replica counts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicas: Option<SpaceReplicas>,
    /// Whether dev mode is on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dev_mode: Option<bool>,
    /// Domains serving the Space.
    #[serde(
        default,
        deserialize_with = "crate::de::null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub domains: Vec<SpaceDomain>,
    /// Error message, when the Space failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
}

impl SpaceRuntime {
    /// Hardware in use.
    pub fn current_hardware(&self) -> Option<&SpaceHardware> {
        self.hardware.as_ref()?.current.as_ref()
    }

    /// Hardware requested.
    pub fn requested_hardware(&self) -> Option<&SpaceHardware> {
        self.hardware.as_ref()?.requested.as_ref()
    }
}

/// One Space variable (a value of `GET /api/spaces/{repo_id}/variables`; the key is the
/// map key, see [`SpaceVariables`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SpaceVariable {
    /// Value.
    pub value: String,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Last update.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<Timestamp>,
}

/// Space variables by key: the response of `GET`, `POST` and `DELETE
/// /api/spaces/{repo_id}/variables`.
pub type SpaceVariables = BTreeMap<String, SpaceVariable>;

/// Information about a Space: `GET /api/spaces/{repo_id}[/revision/{rev}]`, and each
/// element of the `GET /api/spaces` listing. Everything but `id` is optional.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SpaceInfo {
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
    /// Host serving the app, e.g. `https://user-space.hf.space`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// Subdomain of the app.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subdomain: Option<String>,
    /// Number of likes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub likes: Option<u64>,
    /// SDK.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sdk: Option<SpaceSdk>,
    /// Tags.
    #[serde(
        default,
        deserialize_with = "crate::de::null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub tags: Vec<String>,
    /// Files of the repo; `None` when the response did not list them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub siblings: Option<Vec<RepoSibling>>,
    /// Trending score.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trending_score: Option<f64>,
    /// README metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_data: Option<SpaceCardData>,
    /// Runtime state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runtime: Option<SpaceRuntime>,
    /// Models used by the Space.
    #[serde(
        default,
        deserialize_with = "crate::de::null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub models: Vec<String>,
    /// Datasets used by the Space.
    #[serde(
        default,
        deserialize_with = "crate::de::null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub datasets: Vec<String>,
    /// Storage used by the repo, in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub used_storage: Option<u64>,
}

impl SpaceInfo {
    /// The `id` as a validated [`RepoId`].
    pub fn repo_id(&self) -> Result<RepoId, InvalidRepoId> {
        RepoId::new(self.id.as_str())
    }
}

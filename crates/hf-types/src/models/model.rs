//! [`ModelInfo`]: `GET /api/models/{repo_id}` and the elements of `GET /api/models`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::models::{GatedMode, ModelCardData, RepoSibling, SafeTensorsInfo};
use crate::open_enum::open_enum;
use crate::{CommitOid, InvalidRepoId, RepoId, Timestamp};

open_enum! {
    /// Serverless inference state of a model (`inference`).
    pub enum InferenceStatus {
        /// Loaded and ready.
        Warm = "warm",
        /// Loadable on demand.
        Cold = "cold",
        /// Not available.
        Frozen = "frozen",
    }
}

/// How to load the model with `transformers` (`transformersInfo`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TransformersInfo {
    /// The `AutoModel` class, e.g. `AutoModelForMaskedLM`.
    pub auto_model: String,
    /// A custom class, for remote code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_class: Option<String>,
    /// Task.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pipeline_tag: Option<String>,
    /// Processor class, e.g. `AutoTokenizer`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub processor: Option<String>,
}

/// GGUF summary of a model (`gguf`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct GgufInfo {
    /// Total number of parameters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<u64>,
    /// Architecture, e.g. `llama`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub architecture: Option<String>,
    /// Context length.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context_length: Option<u64>,
    /// Other keys (chat template, special tokens, ...).
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// Information about a model repo: `GET /api/models/{repo_id}[/revision/{rev}]`, and each
/// element of the `GET /api/models` listing.
///
/// Listings and `expand=` requests return only `id` (and `_id`) plus what was asked
/// for, so everything but `id` is optional.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ModelInfo {
    /// Full repo id, e.g. `google-bert/bert-base-uncased`.
    pub id: String,
    /// Internal object id (`_id`).
    #[serde(rename = "_id", default, skip_serializing_if = "Option::is_none")]
    pub object_id: Option<String>,
    /// Legacy duplicate of `id` (`modelId`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_id: Option<String>,
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
    /// Library, e.g. `transformers` (`library_name`).
    #[serde(
        rename = "library_name",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub library_name: Option<String>,
    /// Task, e.g. `text-generation` (`pipeline_tag`).
    #[serde(
        rename = "pipeline_tag",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub pipeline_tag: Option<String>,
    /// Mask token of fill-mask models (`mask_token`).
    #[serde(
        rename = "mask_token",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub mask_token: Option<String>,
    /// Serverless inference state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inference: Option<InferenceStatus>,
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
    pub card_data: Option<ModelCardData>,
    /// Widget examples, as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub widget_data: Option<serde_json::Value>,
    /// Evaluation results, as sent (`model-index`).
    #[serde(
        rename = "model-index",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub model_index: Option<serde_json::Value>,
    /// The model's `config.json` summary, as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<serde_json::Map<String, serde_json::Value>>,
    /// How to load the model with `transformers`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transformers_info: Option<TransformersInfo>,
    /// Files of the repo; `None` when the response did not list them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub siblings: Option<Vec<RepoSibling>>,
    /// Spaces using this model.
    #[serde(
        default,
        deserialize_with = "crate::de::null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub spaces: Vec<String>,
    /// Safetensors parameter counts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub safetensors: Option<SafeTensorsInfo>,
    /// GGUF summary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gguf: Option<GgufInfo>,
    /// Security scan of the repo (with `securityStatus=True`), as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_repo_status: Option<serde_json::Value>,
    /// Base models, as sent (when expanded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_models: Option<serde_json::Value>,
    /// Number of models derived from this one (when expanded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub children_model_count: Option<u64>,
    /// Storage used by the repo, in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub used_storage: Option<u64>,
    /// Inference providers serving this model, by provider name (when expanded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inference_provider_mapping: Option<InferenceProviderMappings>,
    /// Resource group, as sent (when expanded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_group: Option<serde_json::Value>,
}

impl ModelInfo {
    /// The `id` as a validated [`RepoId`].
    pub fn repo_id(&self) -> Result<RepoId, InvalidRepoId> {
        RepoId::new(self.id.as_str())
    }
}

/// The `inferenceProviderMapping` of a model: an object keyed by provider name, or (on
/// newer Hub versions) a list whose elements name their provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum InferenceProviderMappings {
    /// Keyed by provider name.
    ByProvider(BTreeMap<String, InferenceProviderMapping>),
    /// A list; each element's `provider` names it.
    List(Vec<InferenceProviderMapping>),
}

impl InferenceProviderMappings {
    /// The mapping of one provider.
    pub fn get(&self, provider: &str) -> Option<&InferenceProviderMapping> {
        match self {
            InferenceProviderMappings::ByProvider(map) => map.get(provider),
            InferenceProviderMappings::List(list) => list
                .iter()
                .find(|m| m.provider.as_deref() == Some(provider)),
        }
    }

    /// Number of providers.
    pub fn len(&self) -> usize {
        match self {
            InferenceProviderMappings::ByProvider(map) => map.len(),
            InferenceProviderMappings::List(list) => list.len(),
        }
    }

    /// Whether no provider serves the model.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// How one inference provider serves a model (an entry of `inferenceProviderMapping`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct InferenceProviderMapping {
    /// Provider name (only in the list form).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// `live` or `staging`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// The model's id at the provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_id: Option<String>,
    /// Task served, e.g. `conversational`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<String>,
}

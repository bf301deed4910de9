//! The task catalogue: `GET /api/tasks`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A model, dataset, Space or metric suggested for a task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TaskResource {
    /// Repo or metric id.
    pub id: String,
    /// Why it is suggested.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// One task of `GET /api/tasks` (the response is a [`TasksCatalog`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TaskInfo {
    /// Task id, e.g. `text-classification`.
    pub id: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Libraries implementing it.
    #[serde(default, deserialize_with = "crate::de::null_default")]
    pub libraries: Vec<String>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// Whether the task page is a placeholder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_placeholder: Option<bool>,
    /// Suggested models.
    #[serde(default, deserialize_with = "crate::de::null_default")]
    pub models: Vec<TaskResource>,
    /// Suggested datasets.
    #[serde(default, deserialize_with = "crate::de::null_default")]
    pub datasets: Vec<TaskResource>,
    /// Suggested Spaces.
    #[serde(default, deserialize_with = "crate::de::null_default")]
    pub spaces: Vec<TaskResource>,
    /// Suggested metrics.
    #[serde(default, deserialize_with = "crate::de::null_default")]
    pub metrics: Vec<TaskResource>,
    /// Models used by the task page widget.
    #[serde(default, deserialize_with = "crate::de::null_default")]
    pub widget_models: Vec<String>,
    /// YouTube video id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub youtube_id: Option<String>,
    /// Demo inputs and outputs, as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub demo: Option<serde_json::Value>,
}

/// Response of `GET /api/tasks`: tasks by id.
pub type TasksCatalog = BTreeMap<String, TaskInfo>;

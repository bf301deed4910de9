//! Inference Endpoints as the emulator stores them (served under `/v2/endpoint/`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One Inference Endpoint; its namespace and name are the keys it is stored under.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct EndpointRec {
    /// `type`: `public`, `protected`, `private` (or 2.x's `authenticated`).
    pub(crate) kind: String,
    pub(crate) account_id: Option<String>,
    pub(crate) accelerator: String,
    pub(crate) instance_size: String,
    pub(crate) instance_type: String,
    pub(crate) min_replica: u64,
    pub(crate) max_replica: u64,
    pub(crate) scale_to_zero_timeout: Option<u64>,
    pub(crate) repository: String,
    pub(crate) framework: String,
    pub(crate) revision: Option<String>,
    pub(crate) task: Option<String>,
    /// `{"huggingface": {}}` or `{"custom": {...}}`, as sent.
    pub(crate) image: serde_json::Value,
    pub(crate) secrets: BTreeMap<String, String>,
    pub(crate) region: String,
    pub(crate) vendor: String,
    /// `status.state`: the emulator uses `running`, `paused` and `scaledToZero`.
    pub(crate) state: String,
    pub(crate) created_at: String,
    pub(crate) created_by: String,
    pub(crate) updated_at: String,
    pub(crate) updated_by: String,
}

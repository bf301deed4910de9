//! Inference Endpoints (`https://api.endpoints.huggingface.cloud/v2`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::Timestamp;
use crate::de::SecretString;
use crate::open_enum::open_enum;

open_enum! {
    /// State of an Inference Endpoint (`status.state`).
    pub enum InferenceEndpointStatus {
        /// Waiting to be scheduled.
        Pending = "pending",
        /// Starting.
        Initializing = "initializing",
        /// Applying an update.
        Updating = "updating",
        /// An update failed.
        UpdateFailed = "updateFailed",
        /// Serving.
        Running = "running",
        /// Paused by its owner.
        Paused = "paused",
        /// Failed.
        Failed = "failed",
        /// Scaled to zero replicas after inactivity.
        ScaledToZero = "scaledToZero",
    }
}

open_enum! {
    /// Access level of an Inference Endpoint (`type`).
    pub enum InferenceEndpointType {
        /// Anyone can call it.
        Public = "public",
        /// Callers need a Hub token.
        Protected = "protected",
        /// Reachable only through a private link.
        Private = "private",
        /// Callers need a Hub token (newer name of `protected`).
        Authenticated = "authenticated",
    }
}

/// Cloud vendor and region of an endpoint (`provider`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct EndpointProvider {
    /// Vendor, e.g. `aws`.
    pub vendor: String,
    /// Region, e.g. `us-east-1`.
    pub region: String,
}

/// Autoscaling settings (`compute.scaling`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct EndpointScaling {
    /// Minimum replicas.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_replica: Option<u64>,
    /// Maximum replicas.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_replica: Option<u64>,
    /// Minutes of inactivity before scaling to zero.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale_to_zero_timeout: Option<u64>,
}

/// Hardware of an endpoint (`compute`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct EndpointCompute {
    /// `cpu` or `gpu`.
    pub accelerator: String,
    /// Instance type, e.g. `intel-icl` or `nvidia-a10g`.
    pub instance_type: String,
    /// Instance size, e.g. `x2`.
    pub instance_size: String,
    /// Autoscaling.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scaling: Option<EndpointScaling>,
}

/// The model served by an endpoint (`model`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct EndpointModel {
    /// Repo id of the model.
    pub repository: String,
    /// Framework, e.g. `pytorch`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub framework: Option<String>,
    /// Revision served.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<String>,
    /// Task, e.g. `text-generation`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<String>,
    /// Container image, as sent (`{"huggingface": {}}` or `{"custom": {...}}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<serde_json::Value>,
    /// Environment secrets; values are redacted from `Debug`.
    #[serde(
        default,
        deserialize_with = "crate::de::null_default",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub secrets: BTreeMap<String, SecretString>,
}

/// A user reference in an endpoint status (`createdBy`, `updatedBy`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct EndpointUser {
    /// Internal id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Username.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// Deployment state of an endpoint (`status`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct EndpointStatus {
    /// State.
    pub state: InferenceEndpointStatus,
    /// Creation date.
    pub created_at: Timestamp,
    /// Last update.
    pub updated_at: Timestamp,
    /// Creator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<EndpointUser>,
    /// Last updater.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_by: Option<EndpointUser>,
    /// Human-readable status message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// URL to call once running.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Private link details, as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private: Option<serde_json::Value>,
    /// Replicas ready.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ready_replica: Option<u64>,
    /// Replicas wanted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_replica: Option<u64>,
}

/// An Inference Endpoint: `GET/POST/PUT {IE}/endpoint/{namespace}[/{name}]` and the
/// `pause`, `resume` and `scale-to-zero` calls.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct InferenceEndpoint {
    /// Name, unique in its namespace.
    pub name: String,
    /// Access level (wire key `type`).
    #[serde(rename = "type")]
    pub endpoint_type: InferenceEndpointType,
    /// Cloud account, for private endpoints.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    /// Vendor and region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<EndpointProvider>,
    /// Hardware.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compute: Option<EndpointCompute>,
    /// Served model.
    pub model: EndpointModel,
    /// Deployment state.
    pub status: EndpointStatus,
    /// Health check route.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health_route: Option<String>,
}

/// Response of `GET {IE}/endpoint/{namespace}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct InferenceEndpointList {
    /// Endpoints of the namespace.
    #[serde(default, deserialize_with = "crate::de::null_default")]
    pub items: Vec<InferenceEndpoint>,
}

/// Accelerator quota of a compute option (`quota`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ComputeQuota {
    /// Maximum accelerators.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_accelerators: Option<u64>,
    /// Accelerators in use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub used_accelerators: Option<u64>,
}

/// One hardware option of a region (`computes[]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ComputeOption {
    /// Option id, e.g. `aws-us-east-1-nvidia-l4-x1`.
    pub id: String,
    /// `cpu` or `gpu`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accelerator: Option<String>,
    /// Number of accelerators.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub num_accelerators: Option<u64>,
    /// Number of CPUs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub num_cpus: Option<u64>,
    /// Memory, in GB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_gb: Option<f64>,
    /// GPU memory, in GB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gpu_memory_gb: Option<f64>,
    /// Instance type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_type: Option<String>,
    /// Instance size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_size: Option<String>,
    /// Hardware description, e.g. `Nvidia L4`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub architecture: Option<String>,
    /// Availability.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Price in USD per hour.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price_per_hour: Option<f64>,
    /// Quota.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quota: Option<ComputeQuota>,
}

/// A region of a vendor (`regions[]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ProviderRegion {
    /// Region name, e.g. `us-east-1`.
    pub name: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Availability.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Hardware options.
    #[serde(default, deserialize_with = "crate::de::null_default")]
    pub computes: Vec<ComputeOption>,
}

/// A cloud vendor (`vendors[]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ProviderVendor {
    /// Vendor name, e.g. `aws`.
    pub name: String,
    /// Availability.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Regions.
    #[serde(default, deserialize_with = "crate::de::null_default")]
    pub regions: Vec<ProviderRegion>,
}

/// Hardware catalogue of Inference Endpoints: `GET {IE}/provider/{namespace}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct InferenceEndpointProviders {
    /// Vendors.
    #[serde(default, deserialize_with = "crate::de::null_default")]
    pub vendors: Vec<ProviderVendor>,
}

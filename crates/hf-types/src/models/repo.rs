//! Pieces shared by repo infos, and the small repo lifecycle responses.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::{InvalidRepoUrl, RepoUrl};

/// Whether and how access to a repo is gated (`gated`: `false`, `"auto"` or `"manual"`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum GatedMode {
    /// Not gated (`false`).
    #[default]
    Off,
    /// Requests are approved automatically (`"auto"`).
    Auto,
    /// Requests are approved by the owners (`"manual"`).
    Manual,
    /// A value this version does not know (`true` is kept as `"true"`).
    Unknown(String),
}

impl GatedMode {
    /// Whether users must request access.
    pub fn is_gated(&self) -> bool {
        !matches!(self, GatedMode::Off)
    }
}

impl Serialize for GatedMode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            GatedMode::Off => serializer.serialize_bool(false),
            GatedMode::Auto => serializer.serialize_str("auto"),
            GatedMode::Manual => serializer.serialize_str("manual"),
            GatedMode::Unknown(s) => serializer.serialize_str(s),
        }
    }
}

impl<'de> Deserialize<'de> for GatedMode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Bool(bool),
            Str(String),
        }
        Ok(match Raw::deserialize(deserializer)? {
            Raw::Bool(false) => GatedMode::Off,
            Raw::Bool(true) => GatedMode::Unknown("true".to_owned()),
            Raw::Str(s) => match s.as_str() {
                "auto" => GatedMode::Auto,
                "manual" => GatedMode::Manual,
                _ => GatedMode::Unknown(s),
            },
        })
    }
}

/// Response of `POST /api/repos/create` (also the body of its 409 "already exists"
/// answer, which carries the `url` too).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CreateRepoResponse {
    /// Web URL of the repo, e.g. `https://huggingface.co/datasets/user/data`.
    pub url: String,
    /// Full repo id, when sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Internal object id, when sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

impl CreateRepoResponse {
    /// The `url` split into endpoint, repo type and repo id.
    pub fn repo_url(&self) -> Result<RepoUrl, InvalidRepoUrl> {
        RepoUrl::parse(&self.url)
    }
}

/// The JSON body of a Hub error response, e.g. `{"error": "Repository not found"}`;
/// some errors add `url` (409 on repo creation) or `slug` (409 on collection creation).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ErrorBody {
    /// The server message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Further messages, on some endpoints.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "crate::de::null_default"
    )]
    pub errors: Vec<serde_json::Value>,
    /// URL of the conflicting repo (409 on `POST /api/repos/create`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Slug of the conflicting collection (409 on `POST /api/collections`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slug: Option<String>,
}

//! Webhooks: their settings (`/api/settings/webhooks`) and the payloads they deliver.

use serde::{Deserialize, Serialize};

use crate::de::SecretString;
use crate::open_enum::open_enum;

open_enum! {
    /// Kind of item a webhook watches.
    pub enum WebhookWatchedType {
        /// A dataset.
        Dataset = "dataset",
        /// A model.
        Model = "model",
        /// An organization.
        Org = "org",
        /// A Space.
        Space = "space",
        /// A user.
        User = "user",
    }
}

open_enum! {
    /// Event domain a webhook listens to.
    pub enum WebhookDomain {
        /// Repo changes.
        Repo = "repo",
        /// Discussions (0.26.5 spelling).
        Discussions = "discussions",
        /// Discussions (newer spelling).
        Discussion = "discussion",
    }
}

/// One item a webhook watches (`watched[]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct WebhookWatchedItem {
    /// Kind of item.
    #[serde(rename = "type")]
    pub item_type: WebhookWatchedType,
    /// User, organization or repo name.
    pub name: String,
}

impl WebhookWatchedItem {
    /// Builds a watched item (for create and update requests).
    pub fn new(item_type: WebhookWatchedType, name: impl Into<String>) -> WebhookWatchedItem {
        WebhookWatchedItem {
            item_type,
            name: name.into(),
        }
    }
}

/// A webhook: elements of `GET /api/settings/webhooks`, and `webhook` of the
/// get/create/update/enable/disable responses (see [`WebhookEnvelope`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct WebhookInfo {
    /// Webhook id.
    pub id: String,
    /// Target URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Watched items.
    #[serde(default, deserialize_with = "crate::de::null_default")]
    pub watched: Vec<WebhookWatchedItem>,
    /// Domains listened to.
    #[serde(default, deserialize_with = "crate::de::null_default")]
    pub domains: Vec<WebhookDomain>,
    /// Secret sent in `X-Webhook-Secret`; redacted from `Debug`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<SecretString>,
    /// Whether the webhook is disabled.
    #[serde(default)]
    pub disabled: bool,
}

/// Response of the single-webhook calls: `{"webhook": {...}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct WebhookEnvelope {
    /// The webhook.
    pub webhook: WebhookInfo,
}

open_enum! {
    /// What happened, in a webhook delivery (`event.action`).
    pub enum WebhookAction {
        /// Something was created.
        Create = "create",
        /// Something was deleted.
        Delete = "delete",
        /// Something was moved.
        Move = "move",
        /// Something was updated.
        Update = "update",
    }
}

/// The event of a webhook delivery (`event`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct WebhookEvent {
    /// Action.
    pub action: WebhookAction,
    /// Scope, e.g. `repo`, `repo.content`, `discussion`, `discussion.comment`.
    pub scope: String,
}

/// An object id reference (`{"id": ...}`) in webhook deliveries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ObjectRef {
    /// Internal id.
    pub id: String,
}

/// Web and API URLs of an object in webhook deliveries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct WebhookUrls {
    /// Web URL.
    pub web: String,
    /// API URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api: Option<String>,
}

/// The repo of a webhook delivery (`repo`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct WebhookPayloadRepo {
    /// Internal id.
    pub id: String,
    /// Repo id.
    pub name: String,
    /// Repo kind: `model`, `dataset` or `space`.
    #[serde(rename = "type")]
    pub repo_type: String,
    /// Whether the repo is private.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private: Option<bool>,
    /// Owner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<ObjectRef>,
    /// URLs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<WebhookUrls>,
    /// Head commit after the event (`headSha`; the Python model spells it `head_sha`).
    #[serde(default, alias = "head_sha", skip_serializing_if = "Option::is_none")]
    pub head_sha: Option<String>,
    /// Subdomain, for Spaces.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subdomain: Option<String>,
    /// Tags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
}

/// Pull request target of a webhook delivery (`discussion.changes`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct WebhookPayloadChanges {
    /// Target branch ref.
    pub base: String,
    /// Merge commit, once merged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merge_commit_id: Option<String>,
}

/// The discussion of a webhook delivery (`discussion`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct WebhookPayloadDiscussion {
    /// Internal id.
    pub id: String,
    /// Number.
    pub num: u64,
    /// Title.
    pub title: String,
    /// Status, e.g. `open`, `closed`, `merged`, `draft`.
    pub status: String,
    /// Whether it is a pull request.
    pub is_pull_request: bool,
    /// Author.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<ObjectRef>,
    /// URLs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<WebhookUrls>,
    /// Pull request target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changes: Option<WebhookPayloadChanges>,
    /// Whether it is pinned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pinned: Option<bool>,
}

/// The comment of a webhook delivery (`comment`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct WebhookPayloadComment {
    /// Comment id.
    pub id: String,
    /// Author.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<ObjectRef>,
    /// Whether it is hidden.
    #[serde(default)]
    pub hidden: bool,
    /// Markdown content.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// URLs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<WebhookUrls>,
}

/// The webhook that sent a delivery (`webhook`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct WebhookPayloadWebhook {
    /// Webhook id.
    pub id: String,
    /// Payload version (3).
    pub version: u64,
}

/// Where a repo moved to (`movedTo`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct WebhookPayloadMovedTo {
    /// New repo id.
    pub name: String,
    /// New owner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<ObjectRef>,
}

/// A ref changed by a push (`updatedRefs[]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct WebhookPayloadUpdatedRef {
    /// Full ref, e.g. `refs/heads/main`.
    #[serde(rename = "ref")]
    pub git_ref: String,
    /// Previous commit; `None` for a new ref.
    #[serde(default)]
    pub old_sha: Option<String>,
    /// New commit; `None` for a deleted ref.
    #[serde(default)]
    pub new_sha: Option<String>,
}

/// The JSON body the Hub POSTs to a webhook URL (payload version 3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct WebhookPayload {
    /// What happened.
    pub event: WebhookEvent,
    /// The repo concerned.
    pub repo: WebhookPayloadRepo,
    /// The discussion, for discussion events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discussion: Option<WebhookPayloadDiscussion>,
    /// The comment, for comment events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<WebhookPayloadComment>,
    /// The webhook that sent it.
    pub webhook: WebhookPayloadWebhook,
    /// Destination of a move.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub moved_to: Option<WebhookPayloadMovedTo>,
    /// Refs changed by a push.
    #[serde(
        default,
        deserialize_with = "crate::de::null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub updated_refs: Vec<WebhookPayloadUpdatedRef>,
}

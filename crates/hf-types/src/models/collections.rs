//! Collections: `GET /api/collections[/{slug}]` and the collection mutations.

use serde::{Deserialize, Serialize};

use crate::Timestamp;
use crate::open_enum::open_enum;

open_enum! {
    /// Kind of item in a collection (`type`).
    pub enum CollectionItemType {
        /// A model.
        Model = "model",
        /// A dataset.
        Dataset = "dataset",
        /// A Space.
        Space = "space",
        /// A paper.
        Paper = "paper",
        /// Another collection.
        Collection = "collection",
    }
}

/// A note attached to a collection item (`note`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CollectionItemNote {
    /// Markdown text.
    pub text: String,
    /// Rendered HTML.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub html: Option<String>,
}

/// One item of a [`Collection`] (`items[]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CollectionItem {
    /// Id of the item inside the collection (`_id`), used to update or remove it.
    #[serde(rename = "_id")]
    pub item_object_id: String,
    /// Repo id, paper id or collection slug (`id`).
    #[serde(rename = "id")]
    pub item_id: String,
    /// Kind of item (`type`).
    #[serde(rename = "type")]
    pub item_type: CollectionItemType,
    /// Position in the collection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<i64>,
    /// Note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<CollectionItemNote>,
}

/// The owner of a collection (`owner`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CollectionOwner {
    /// User or organization name.
    pub name: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fullname: Option<String>,
    /// Avatar URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar_url: Option<String>,
    /// `user` or `org`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub owner_type: Option<String>,
}

/// A collection: `GET /api/collections/{slug}`, `POST /api/collections`,
/// `POST /api/collections/{slug}/items`, `data` of `PATCH /api/collections/{slug}`, and
/// elements of `GET /api/collections` (which carry no `position`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Collection {
    /// Slug, `{namespace}/{title-slug}-{24 hex id}`.
    pub slug: String,
    /// Title.
    pub title: String,
    /// Owner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<CollectionOwner>,
    /// Items (listings may truncate them).
    #[serde(default, deserialize_with = "crate::de::null_default")]
    pub items: Vec<CollectionItem>,
    /// Last update.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_updated: Option<Timestamp>,
    /// Position on the owner's page (single-collection responses only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<i64>,
    /// Whether the collection is private.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private: Option<bool>,
    /// Colour theme.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub theme: Option<String>,
    /// Number of upvotes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upvotes: Option<u64>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

impl Collection {
    /// The collection's web URL under `endpoint`.
    pub fn url(&self, endpoint: &str) -> String {
        format!(
            "{}/collections/{}",
            endpoint.trim_end_matches('/'),
            self.slug
        )
    }
}

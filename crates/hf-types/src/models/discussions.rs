//! Discussions and pull requests: `GET /api/{rt}/{repo_id}/discussions[/{num}]`.

use serde::{Deserialize, Serialize};

use crate::Timestamp;
use crate::open_enum::open_enum;

open_enum! {
    /// State of a discussion or pull request.
    pub enum DiscussionStatus {
        /// Open.
        Open = "open",
        /// Closed without merging.
        Closed = "closed",
        /// Merged (pull requests).
        Merged = "merged",
        /// Draft (new pull requests start here).
        Draft = "draft",
    }
}

open_enum! {
    /// Kind of repo a discussion belongs to (`repo.type`).
    pub enum DiscussionRepoType {
        /// A model.
        Model = "model",
        /// A dataset.
        Dataset = "dataset",
        /// A Space.
        Space = "space",
    }
}

/// The repo of a discussion (`repo`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DiscussionRepo {
    /// Repo id.
    pub name: String,
    /// Repo kind.
    #[serde(rename = "type")]
    pub repo_type: DiscussionRepoType,
}

/// The author of a discussion, event or comment (`author`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DiscussionAuthor {
    /// Username.
    pub name: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fullname: Option<String>,
    /// Avatar URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar_url: Option<String>,
    /// Account type, e.g. `user`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub author_type: Option<String>,
    /// Whether the author has a PRO subscription.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_pro: Option<bool>,
    /// Whether the author works at Hugging Face.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_hf: Option<bool>,
}

/// A discussion or pull request, as listed by `GET /api/{rt}/{repo_id}/discussions`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Discussion {
    /// Number, unique within the repo; a pull request `n` lives on `refs/pr/n`.
    pub num: u64,
    /// Title.
    pub title: String,
    /// State.
    pub status: DiscussionStatus,
    /// Creation date.
    pub created_at: Timestamp,
    /// Whether this is a pull request.
    pub is_pull_request: bool,
    /// The repo.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repo: Option<DiscussionRepo>,
    /// The author; `None` for a deleted account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<DiscussionAuthor>,
    /// Whether the discussion is pinned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pinned: Option<bool>,
    /// Number of comments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub num_comments: Option<u64>,
}

impl Discussion {
    /// The author's username, or `"deleted"` like the Python client when absent.
    pub fn author_name(&self) -> &str {
        self.author.as_ref().map_or("deleted", |a| a.name.as_str())
    }
}

/// One page of `GET /api/{rt}/{repo_id}/discussions?p={page}`; fetch the next page while
/// `start + discussions.len() < count`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DiscussionsPage {
    /// Discussions of this page.
    #[serde(default, deserialize_with = "crate::de::null_default")]
    pub discussions: Vec<Discussion>,
    /// Total number of matching discussions.
    pub count: u64,
    /// Index of the first discussion of this page.
    pub start: u64,
    /// Number of closed discussions, when sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub num_closed_discussions: Option<u64>,
}

/// Target and merge state of a pull request (`changes`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DiscussionChanges {
    /// Target branch ref, e.g. `refs/heads/main`.
    pub base: String,
    /// Merge commit, once merged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merge_commit_id: Option<String>,
}

/// Files of a pull request that conflict with its base (`filesWithConflicts`): a list
/// of paths, or `true` when the Hub could not compute them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum FilesWithConflicts {
    /// Paths in conflict.
    Paths(Vec<String>),
    /// A flag only.
    Flag(bool),
}

/// A discussion with its events: `GET /api/{rt}/{repo_id}/discussions/{num}?diff=1`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DiscussionWithDetails {
    /// The list fields.
    #[serde(flatten)]
    pub discussion: Discussion,
    /// Events, oldest first.
    #[serde(default, deserialize_with = "crate::de::null_default")]
    pub events: Vec<DiscussionEvent>,
    /// Target branch and merge commit (pull requests).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changes: Option<DiscussionChanges>,
    /// Conflicting files (pull requests).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub files_with_conflicts: Option<FilesWithConflicts>,
    /// Unified diff of a pull request (with `diff=1`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diff: Option<String>,
}

/// The latest version of a comment (`data.latest`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CommentContent {
    /// Markdown source.
    pub raw: String,
    /// Rendered HTML.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub html: Option<String>,
    /// Last edit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<Timestamp>,
    /// Who edited it last.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<DiscussionAuthor>,
}

/// Data of a `comment` event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DiscussionComment {
    /// Whether the comment was edited.
    #[serde(default)]
    pub edited: bool,
    /// Whether the comment was hidden by a moderator.
    #[serde(default)]
    pub hidden: bool,
    /// Latest version.
    pub latest: CommentContent,
    /// Earlier versions, as sent.
    #[serde(
        default,
        deserialize_with = "crate::de::null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub history: Vec<serde_json::Value>,
}

/// Data of a `status-change` event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DiscussionStatusChange {
    /// New state.
    pub status: DiscussionStatus,
}

/// Data of a `title-change` event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DiscussionTitleChange {
    /// Previous title.
    pub from: String,
    /// New title.
    pub to: String,
}

/// Data of a `commit` event (a commit pushed to a pull request).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DiscussionCommit {
    /// Commit title.
    pub subject: String,
    /// Commit hash.
    pub oid: String,
}

/// What happened in a [`DiscussionEvent`], by its `type`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DiscussionEventKind {
    /// `comment`.
    Comment(DiscussionComment),
    /// `status-change`.
    StatusChange(DiscussionStatusChange),
    /// `title-change`.
    TitleChange(DiscussionTitleChange),
    /// `commit`.
    Commit(DiscussionCommit),
    /// Any other event type, with its `data` as sent.
    Other {
        /// The event `type`.
        event_type: String,
        /// The event `data`.
        data: serde_json::Value,
    },
}

/// One event of a discussion (`events[]`), also returned by the comment, title and
/// status mutations (`newMessage`, `newTitle`, `newStatus`, `updatedComment`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawEvent", into = "RawEvent")]
#[non_exhaustive]
pub struct DiscussionEvent {
    /// Event id (for comments, the comment id).
    pub id: String,
    /// When it happened.
    pub created_at: Timestamp,
    /// Who did it.
    pub author: Option<DiscussionAuthor>,
    /// What happened.
    pub kind: DiscussionEventKind,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawEvent {
    id: String,
    #[serde(rename = "type")]
    event_type: String,
    created_at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    author: Option<DiscussionAuthor>,
    #[serde(default)]
    data: serde_json::Value,
}

impl TryFrom<RawEvent> for DiscussionEvent {
    type Error = String;

    fn try_from(raw: RawEvent) -> Result<Self, Self::Error> {
        fn parse<T: serde::de::DeserializeOwned>(
            kind: &str,
            data: serde_json::Value,
        ) -> Result<T, String> {
            serde_json::from_value(data).map_err(|e| format!("data of a {kind:?} event: {e}"))
        }
        let kind = match raw.event_type.as_str() {
            "comment" => DiscussionEventKind::Comment(parse("comment", raw.data)?),
            "status-change" => DiscussionEventKind::StatusChange(parse("status-change", raw.data)?),
            "title-change" => DiscussionEventKind::TitleChange(parse("title-change", raw.data)?),
            "commit" => DiscussionEventKind::Commit(parse("commit", raw.data)?),
            _ => DiscussionEventKind::Other {
                event_type: raw.event_type,
                data: raw.data,
            },
        };
        Ok(DiscussionEvent {
            id: raw.id,
            created_at: raw.created_at,
            author: raw.author,
            kind,
        })
    }
}

impl From<DiscussionEvent> for RawEvent {
    fn from(event: DiscussionEvent) -> Self {
        let to_value = |v: Result<serde_json::Value, serde_json::Error>| v.unwrap_or_default();
        let (event_type, data) = match event.kind {
            DiscussionEventKind::Comment(c) => {
                ("comment".to_owned(), to_value(serde_json::to_value(c)))
            }
            DiscussionEventKind::StatusChange(s) => (
                "status-change".to_owned(),
                to_value(serde_json::to_value(s)),
            ),
            DiscussionEventKind::TitleChange(t) => {
                ("title-change".to_owned(), to_value(serde_json::to_value(t)))
            }
            DiscussionEventKind::Commit(c) => {
                ("commit".to_owned(), to_value(serde_json::to_value(c)))
            }
            DiscussionEventKind::Other { event_type, data } => (event_type, data),
        };
        RawEvent {
            id: event.id,
            event_type,
            created_at: event.created_at,
            author: event.author,
            data,
        }
    }
}

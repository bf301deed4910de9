//! Papers: `GET /api/papers/{id}` and `GET /api/papers/search`.

use serde::{Deserialize, Serialize};

use crate::Timestamp;
use crate::models::User;

/// An author of a paper (`authors[]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PaperAuthor {
    /// Author name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Internal id (`_id`).
    #[serde(rename = "_id", default, skip_serializing_if = "Option::is_none")]
    pub object_id: Option<String>,
    /// Whether the author is hidden.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hidden: Option<bool>,
}

/// The nested `paper` object of search results and daily papers; its fields take
/// precedence over the top-level ones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PaperDetails {
    /// arXiv id, e.g. `2311.12983`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Authors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authors: Option<Vec<PaperAuthor>>,
    /// Publication date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published_at: Option<Timestamp>,
    /// Abstract.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// Number of upvotes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upvotes: Option<u64>,
    /// Id of the paper's discussion.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discussion_id: Option<String>,
}

/// A paper: `GET /api/papers/{id}`, and elements of `GET /api/papers/search`.
///
/// Use the accessor methods to read values the way the Python client does (nested
/// `paper` first, then top level).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PaperInfo {
    /// arXiv id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Authors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authors: Option<Vec<PaperAuthor>>,
    /// Publication date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published_at: Option<Timestamp>,
    /// Abstract.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// Number of upvotes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upvotes: Option<u64>,
    /// Id of the paper's discussion.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discussion_id: Option<String>,
    /// Where the paper comes from, e.g. `arxiv`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Number of comments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub num_comments: Option<u64>,
    /// When it was submitted to Daily Papers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub submitted_on_daily_at: Option<Timestamp>,
    /// Who submitted it (`submittedBy`, or `submittedOnDailyBy`).
    #[serde(
        default,
        alias = "submittedOnDailyBy",
        skip_serializing_if = "Option::is_none"
    )]
    pub submitted_by: Option<User>,
    /// Nested paper details, in search results.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paper: Option<Box<PaperDetails>>,
}

impl PaperInfo {
    fn nested(&self) -> Option<&PaperDetails> {
        self.paper.as_deref()
    }

    /// arXiv id (top level first, like the Python client).
    pub fn paper_id(&self) -> Option<&str> {
        self.id.as_deref().or_else(|| self.nested()?.id.as_deref())
    }

    /// Author names (nested `paper` first).
    pub fn author_names(&self) -> Vec<&str> {
        self.nested()
            .and_then(|p| p.authors.as_ref())
            .or(self.authors.as_ref())
            .map(|a| a.iter().filter_map(|a| a.name.as_deref()).collect())
            .unwrap_or_default()
    }

    /// Publication date (nested `paper` first).
    pub fn published(&self) -> Option<Timestamp> {
        self.nested()
            .and_then(|p| p.published_at)
            .or(self.published_at)
    }

    /// Abstract (nested `paper` first).
    pub fn abstract_text(&self) -> Option<&str> {
        self.nested()
            .and_then(|p| p.summary.as_deref())
            .or(self.summary.as_deref())
    }

    /// Upvotes (nested `paper` first).
    pub fn upvote_count(&self) -> Option<u64> {
        self.nested().and_then(|p| p.upvotes).or(self.upvotes)
    }
}

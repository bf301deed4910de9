//! Commits: the commit endpoint's response ([`CommitInfo`]) and history entries
//! ([`GitCommitInfo`]).

use serde::{Deserialize, Serialize};

use crate::{CommitOid, InvalidRepoUrl, RepoUrl, Revision, Timestamp};

/// Response of `POST /api/{rt}/{repo_id}/commit/{rev}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CommitInfo {
    /// Web URL of the new commit, `{endpoint}/{prefix}{repo_id}/commit/{oid}`.
    pub commit_url: String,
    /// Hash of the new commit.
    pub commit_oid: CommitOid,
    /// URL of the pull request opened by a `create_pr=1` commit, ending in
    /// `/discussions/{num}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pull_request_url: Option<String>,
    /// Success flag, when sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub success: Option<bool>,
    /// Output of server-side hooks, when sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hook_output: Option<String>,
}

impl CommitInfo {
    /// Builds a commit result (for example for a commit that turned out to be a no-op,
    /// reported with the parent commit's URL and hash).
    pub fn new(commit_url: impl Into<String>, commit_oid: CommitOid) -> CommitInfo {
        CommitInfo {
            commit_url: commit_url.into(),
            commit_oid,
            pull_request_url: None,
            success: None,
            hook_output: None,
        }
    }

    /// The repo the commit belongs to, read from `commitUrl` (the part before
    /// `/commit/`).
    pub fn repo_url(&self) -> Result<RepoUrl, InvalidRepoUrl> {
        let repo_part = self
            .commit_url
            .split_once("/commit/")
            .map_or(self.commit_url.as_str(), |(repo, _)| repo);
        RepoUrl::parse(repo_part)
    }

    /// Number of the pull request opened by this commit, if any (the trailing digits of
    /// `pullRequestUrl`).
    pub fn pr_num(&self) -> Option<u64> {
        let url = self.pull_request_url.as_deref()?.trim_end_matches('/');
        let (head, num) = url.rsplit_once('/')?;
        if !head.ends_with("/discussions")
            || num.is_empty()
            || !num.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        num.parse().ok()
    }

    /// Git revision of the pull request opened by this commit, `refs/pr/{num}`.
    pub fn pr_revision(&self) -> Option<Revision> {
        self.pr_num()
            .and_then(|n| Revision::new(format!("refs/pr/{n}")).ok())
    }
}

/// An author of a history entry (`authors[]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct GitCommitAuthor {
    /// Username (or git author name when not a Hub user).
    pub user: String,
    /// Avatar URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar: Option<String>,
}

/// HTML renderings of a commit's title and message (`formatted`, with
/// `expand[]=formatted`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FormattedCommit {
    /// Title as HTML.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Message as HTML.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// One entry of `GET /api/{rt}/{repo_id}/commits/{rev}` (newest first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct GitCommitInfo {
    /// Commit hash.
    pub id: CommitOid,
    /// Authors.
    #[serde(default, deserialize_with = "crate::de::null_default")]
    pub authors: Vec<GitCommitAuthor>,
    /// Commit date.
    pub date: Timestamp,
    /// Title (first line of the message).
    pub title: String,
    /// Full message.
    #[serde(default)]
    pub message: String,
    /// HTML renderings, when requested.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub formatted: Option<FormattedCommit>,
}

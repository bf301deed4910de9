//! Users, organizations, identity (`whoami`), likes and gated-repo access requests.

use serde::{Deserialize, Serialize};

use crate::Timestamp;
use crate::open_enum::open_enum;

open_enum! {
    /// Kind of Hub account (`type`).
    pub enum AccountType {
        /// A user.
        User = "user",
        /// An organization.
        Org = "org",
        /// An application (OAuth app token).
        App = "app",
    }
}

open_enum! {
    /// Role of an access token (`auth.accessToken.role`).
    pub enum TokenRole {
        /// Read-only token.
        Read = "read",
        /// Read-write token.
        Write = "write",
        /// Fine-grained token; see its scopes.
        FineGrained = "fineGrained",
    }
}

/// An organization, as listed in a user's `orgs` or returned by
/// `GET /api/organizations/{org}/overview`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Organization {
    /// Organization name (its namespace).
    pub name: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fullname: Option<String>,
    /// Avatar URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar_url: Option<String>,
    /// Profile text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
    /// Whether the organization is verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_verified: Option<bool>,
    /// Whether the caller follows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_following: Option<bool>,
    /// Number of members.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub num_users: Option<u64>,
    /// Number of models.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub num_models: Option<u64>,
    /// Number of Spaces.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub num_spaces: Option<u64>,
    /// Number of datasets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub num_datasets: Option<u64>,
    /// Number of followers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub num_followers: Option<u64>,
    /// Number of papers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub num_papers: Option<u64>,
    /// Subscription plan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<String>,
}

/// A Hub user: `GET /api/users/{username}/overview`, and elements of the members,
/// followers and following listings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct User {
    /// Username (wire key `user`).
    #[serde(rename = "user", default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fullname: Option<String>,
    /// Avatar URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar_url: Option<String>,
    /// Profile text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
    /// Whether the caller follows this user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_following: Option<bool>,
    /// Whether the user has a PRO subscription.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_pro: Option<bool>,
    /// Number of models.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub num_models: Option<u64>,
    /// Number of datasets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub num_datasets: Option<u64>,
    /// Number of Spaces.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub num_spaces: Option<u64>,
    /// Number of discussions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub num_discussions: Option<u64>,
    /// Number of papers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub num_papers: Option<u64>,
    /// Number of upvotes given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub num_upvotes: Option<u64>,
    /// Number of likes given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub num_likes: Option<u64>,
    /// Number of accounts followed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub num_following: Option<u64>,
    /// Number of followers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub num_followers: Option<u64>,
    /// Account type (wire key `type`).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub user_type: Option<AccountType>,
    /// Organizations the user belongs to.
    #[serde(
        default,
        deserialize_with = "crate::de::null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub orgs: Vec<Organization>,
}

/// An organization in the `orgs` of [`WhoAmI`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct WhoAmIOrg {
    /// Organization name.
    pub name: String,
    /// Internal id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fullname: Option<String>,
    /// Contact email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Avatar URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar_url: Option<String>,
    /// The caller's role in the organization, e.g. `admin`, `write`, `read`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_in_org: Option<String>,
    /// Whether it is an Enterprise organization.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_enterprise: Option<bool>,
}

/// The entity a fine-grained scope applies to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ScopeEntity {
    /// Entity kind, e.g. `user`, `org`, `model`, `dataset`, `space`.
    #[serde(rename = "type")]
    pub entity_type: String,
    /// Entity name (a user, org or repo id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Internal id (`_id`).
    #[serde(rename = "_id", default, skip_serializing_if = "Option::is_none")]
    pub object_id: Option<String>,
}

/// Permissions of a fine-grained token on one entity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ScopedPermissions {
    /// The entity.
    pub entity: ScopeEntity,
    /// Permissions, e.g. `repo.content.read`, `repo.write`.
    #[serde(default, deserialize_with = "crate::de::null_default")]
    pub permissions: Vec<String>,
}

/// Scopes of a fine-grained token (`auth.accessToken.fineGrained`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct FineGrainedScopes {
    /// Permissions that apply everywhere, e.g. `discussion.write`.
    #[serde(default, deserialize_with = "crate::de::null_default")]
    pub global: Vec<String>,
    /// Permissions per entity.
    #[serde(default, deserialize_with = "crate::de::null_default")]
    pub scoped: Vec<ScopedPermissions>,
    /// Whether the token may read gated repos the user has access to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub can_read_gated_repos: Option<bool>,
}

/// The access token that authenticated a `whoami` call (`auth.accessToken`); never holds
/// the token itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AccessTokenInfo {
    /// Name the user gave the token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Role of the token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<TokenRole>,
    /// Creation date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Timestamp>,
    /// Scopes, for fine-grained tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fine_grained: Option<FineGrainedScopes>,
}

/// How a `whoami` call was authenticated (`auth`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct WhoAmIAuth {
    /// Authentication kind, e.g. `access_token`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub auth_type: Option<String>,
    /// The access token's details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_token: Option<AccessTokenInfo>,
}

/// Response of `GET /api/whoami-v2`: the account behind the token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct WhoAmI {
    /// Account kind (wire key `type`).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub account_type: Option<AccountType>,
    /// Account name (the default namespace).
    pub name: String,
    /// Internal id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fullname: Option<String>,
    /// Email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Whether the email is verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_verified: Option<bool>,
    /// Whether the account can pay.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub can_pay: Option<bool>,
    /// Whether the account has a PRO subscription.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_pro: Option<bool>,
    /// Avatar URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar_url: Option<String>,
    /// End of the billing period, as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period_end: Option<serde_json::Value>,
    /// Organizations.
    #[serde(
        default,
        deserialize_with = "crate::de::null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub orgs: Vec<WhoAmIOrg>,
    /// How the call was authenticated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth: Option<WhoAmIAuth>,
}

impl WhoAmI {
    /// Role of the token used, if reported.
    pub fn token_role(&self) -> Option<&TokenRole> {
        self.auth.as_ref()?.access_token.as_ref()?.role.as_ref()
    }
}

open_enum! {
    /// Kind of repo in a like (`repo.type`).
    pub enum LikedRepoType {
        /// A model.
        Model = "model",
        /// A dataset.
        Dataset = "dataset",
        /// A Space.
        Space = "space",
        /// A kernel.
        Kernel = "kernel",
    }
}

/// The repo of a [`LikedRepo`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct LikedRepoRef {
    /// Repo id.
    pub name: String,
    /// Repo kind.
    #[serde(rename = "type")]
    pub repo_type: LikedRepoType,
}

/// One element of `GET /api/users/{user}/likes`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct LikedRepo {
    /// When the like was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Timestamp>,
    /// The liked repo.
    pub repo: LikedRepoRef,
}

/// The repos a user likes, grouped by kind (built by the client from
/// `GET /api/users/{user}/likes`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UserLikes {
    /// The user.
    pub user: String,
    /// Number of likes.
    pub total: u64,
    /// Liked model ids.
    pub models: Vec<String>,
    /// Liked dataset ids.
    pub datasets: Vec<String>,
    /// Liked Space ids.
    pub spaces: Vec<String>,
    /// Liked kernel ids.
    #[serde(default)]
    pub kernels: Vec<String>,
}

impl UserLikes {
    /// Groups a like listing by repo kind (likes of unknown kinds are only counted).
    pub fn from_likes(user: impl Into<String>, likes: &[LikedRepo]) -> UserLikes {
        let mut out = UserLikes {
            user: user.into(),
            total: likes.len() as u64,
            ..UserLikes::default()
        };
        for like in likes {
            let bucket = match like.repo.repo_type {
                LikedRepoType::Model => &mut out.models,
                LikedRepoType::Dataset => &mut out.datasets,
                LikedRepoType::Space => &mut out.spaces,
                LikedRepoType::Kernel => &mut out.kernels,
                LikedRepoType::Unknown(_) => continue,
            };
            bucket.push(like.repo.name.clone());
        }
        out
    }
}

/// One element of `GET /api/{rt}/{repo_id}/likers`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct RepoLiker {
    /// Username.
    pub user: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fullname: Option<String>,
    /// Avatar URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar_url: Option<String>,
}

open_enum! {
    /// State of a gated-repo access request.
    pub enum AccessRequestStatus {
        /// Waiting for a decision.
        Pending = "pending",
        /// Granted.
        Accepted = "accepted",
        /// Refused.
        Rejected = "rejected",
    }
}

/// The requester of an [`AccessRequest`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AccessRequestUser {
    /// Username.
    pub user: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fullname: Option<String>,
    /// Email (absent when access was granted manually).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Avatar URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar_url: Option<String>,
}

/// One element of `GET /api/{rt}/{repo_id}/user-access-request/{pending,accepted,rejected}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AccessRequest {
    /// The requester (may be hidden on newer Hub versions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<AccessRequestUser>,
    /// State of the request.
    pub status: AccessRequestStatus,
    /// When the request was made.
    pub timestamp: Timestamp,
    /// Answers to the gate form, as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fields: Option<serde_json::Map<String, serde_json::Value>>,
    /// Request id, on newer Hub versions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

impl AccessRequest {
    /// The requester's username, if visible.
    pub fn username(&self) -> Option<&str> {
        self.user.as_ref().map(|u| u.user.as_str())
    }
}

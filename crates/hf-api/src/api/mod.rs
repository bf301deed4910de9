//! The API methods of [`HfApi`], one file per area.
//!
//! Every method returns an owned, `#[must_use]` request builder. Required arguments are
//! positional; optional ones are builder methods named like the Python client's
//! parameters. Single calls implement `IntoFuture` (await them); listings implement
//! [`Stream`] directly and follow `Link` pagination lazily (see [`Listing`]).
//!
//! | area | methods |
//! |---|---|
//! | [`repos`] | `create_repo`, `delete_repo`, `move_repo`, `update_repo_settings`, `update_repo_visibility`, `get_full_repo_name` |
//! | [`info`] | `repo_info`, `model_info`, `dataset_info`, `space_info`, `repo_exists`, `revision_exists`, `file_exists`, `auth_check` |
//! | [`files`] | `list_repo_files`, `list_repo_tree`, `get_paths_info` |
//! | [`git`] | `list_repo_refs`, `list_repo_commits`, `create_branch`, `delete_branch`, `create_tag`, `delete_tag`, `super_squash_history` |
//! | [`listings`] | `list_models`, `list_datasets`, `list_spaces` |
//! | [`users`] | `whoami`, `get_token_permission`, `get_user_overview`, `list_user_followers`, `list_user_following`, `list_organization_members` |
//! | [`likes`] | `like`, `unlike`, `list_liked_repos`, `list_repo_likers` |
//! | [`access_requests`] | `list_{pending,accepted,rejected}_access_requests`, `{cancel,accept,reject}_access_request`, `grant_access` |
//! | [`discussions`] | `get_repo_discussions`, `get_discussion_details`, `create_discussion`, `create_pull_request`, `comment_discussion`, `rename_discussion`, `change_discussion_status`, `merge_pull_request`, `edit_discussion_comment`, `hide_discussion_comment` |
//! | [`spaces`] | `add_space_secret`, `delete_space_secret`, `get_space_variables`, `add_space_variable`, `delete_space_variable`, `get_space_runtime`, `request_space_hardware`, `set_space_sleep_time`, `pause_space`, `restart_space`, `duplicate_space`, `request_space_storage`, `delete_space_storage` |
//! | [`papers`] | `list_papers`, `paper_info` |
//! | [`webhooks`] | `list_webhooks`, `get_webhook`, `create_webhook`, `update_webhook`, `enable_webhook`, `disable_webhook`, `delete_webhook` |
//! | [`collections`] | `list_collections`, `get_collection`, `create_collection`, `update_collection_metadata`, `delete_collection`, `add_collection_item`, `update_collection_item`, `delete_collection_item` |
//! | [`catalogs`] | `get_model_tags`, `get_dataset_tags`, `list_metrics` |
//! | [`safetensors`] | `parse_safetensors_file_metadata`, `get_safetensors_metadata` |

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::{Stream, StreamExt};
use hf_http::auth::RequestAuth;
use hf_http::hub_error::NotFoundHint;
use hf_types::{RepoId, RepoPath, RepoType, Revision};
use serde::de::DeserializeOwned;

use crate::client::HfApi;
use crate::error::Error;

pub mod access_requests;
pub mod catalogs;
pub mod collections;
pub mod discussions;
pub mod endpoints;
pub mod expand;
pub mod files;
pub mod git;
pub mod info;
pub mod likes;
pub mod listings;
pub mod papers;
pub mod repos;
pub mod safetensors;
pub mod spaces;
pub mod users;
pub mod webhooks;

/// The stream of a listing: boxed, `Send` and `'static`.
pub type BoxStream<T> = Pin<Box<dyn Stream<Item = Result<T, Error>> + Send + 'static>>;

/// A listing request: a builder that is also a lazy [`Stream`] of its items.
///
/// Pages are fetched only when their items are wanted; `limit` (where offered) stops
/// without requesting another page. Options set after the first poll are ignored.
/// [`into_stream`](Listing::into_stream) gives the boxed stream (the blocking mirror
/// turns it into an `Iterator`).
pub trait Listing: Stream<Item = Result<Self::Entry, Error>> + Send + Unpin + 'static {
    /// One item of the listing.
    type Entry: Send + 'static;

    /// The stream of every item.
    fn into_stream(self) -> BoxStream<Self::Entry>;
}

/// The stream slot of a listing builder: empty until first polled.
pub(crate) struct StreamSlot<T>(Option<BoxStream<T>>);

impl<T> Default for StreamSlot<T> {
    fn default() -> Self {
        StreamSlot(None)
    }
}

impl<T> Clone for StreamSlot<T> {
    /// A clone starts over (it has not been polled).
    fn clone(&self) -> Self {
        StreamSlot(None)
    }
}

impl<T> fmt::Debug for StreamSlot<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_some() {
            "started"
        } else {
            "not started"
        })
    }
}

/// Implements [`Stream`] and [`Listing`] for a builder with a `started: StreamSlot<Item>`
/// field and a `fn make_stream(&self) -> BoxStream<Item>`.
macro_rules! listing {
    ($ty:ty, $item:ty) => {
        impl ::futures_util::Stream for $ty {
            type Item = ::std::result::Result<$item, $crate::Error>;

            fn poll_next(
                mut self: ::std::pin::Pin<&mut Self>,
                cx: &mut ::std::task::Context<'_>,
            ) -> ::std::task::Poll<Option<Self::Item>> {
                let this = &mut *self;
                if this.started.0.is_none() {
                    this.started.0 = Some(this.make_stream());
                }
                $crate::api::poll_slot(&mut this.started, cx)
            }
        }

        impl $crate::api::Listing for $ty {
            type Entry = $item;

            fn into_stream(mut self) -> $crate::api::BoxStream<$item> {
                match self.started.0.take() {
                    Some(s) => s,
                    None => self.make_stream(),
                }
            }
        }
    };
}
pub(crate) use listing;

pub(crate) fn poll_slot<T>(
    slot: &mut StreamSlot<T>,
    cx: &mut Context<'_>,
) -> Poll<Option<Result<T, Error>>> {
    match slot.0.as_mut() {
        Some(s) => s.as_mut().poll_next(cx),
        None => Poll::Ready(None),
    }
}

/// A stream yielding one error.
pub(crate) fn error_stream<T: Send + 'static>(err: Error) -> BoxStream<T> {
    Box::pin(futures_util::stream::once(async move { Err(err) }))
}

/// Validates a repo id.
pub(crate) fn parse_repo_id(id: &str) -> Result<RepoId, Error> {
    RepoId::new(id).map_err(|e| {
        Error::invalid_argument(
            format!("{id:?} is not a valid repo id; use `name` or `namespace/name` and give the type with `.repo_type(..)`"),
            Some(Box::new(e) as Box<dyn std::error::Error + Send + Sync>),
        )
    })
}

/// Validates a revision (default `main`).
pub(crate) fn parse_revision(rev: Option<&str>) -> Result<Revision, Error> {
    match rev {
        None => Ok(Revision::main()),
        Some(r) => Revision::new(r).map_err(|e| {
            Error::invalid_argument(
                format!("{r:?} is not a valid revision"),
                Some(Box::new(e) as Box<dyn std::error::Error + Send + Sync>),
            )
        }),
    }
}

/// Validates a path inside a repo.
pub(crate) fn parse_path(p: &str) -> Result<RepoPath, Error> {
    RepoPath::new(p).map_err(|e| {
        Error::invalid_argument(
            format!("{p:?} is not a valid path inside a repository"),
            Some(Box::new(e) as Box<dyn std::error::Error + Send + Sync>),
        )
    })
}

/// Refuses a kernel repo for what the Hub offers only models, datasets and Spaces
/// (the newest Python client refuses the same operations).
pub(crate) fn not_for_kernels(repo_type: RepoType, what: &str) -> Result<(), Error> {
    if repo_type == RepoType::Kernel {
        return Err(Error::invalid_argument(
            format!("kernel repos have no {what}: it applies to models, datasets and Spaces"),
            None,
        ));
    }
    Ok(())
}

/// `/api/{models|datasets|spaces|kernels}/{repo_id}` (the id is inserted raw, as Python does).
pub(crate) fn repo_api_path(repo_type: RepoType, id: &RepoId) -> String {
    format!("/api/{}/{}", repo_type.plural(), id.as_str())
}

/// A boolean as the 0.26.5 client writes it in queries and forms (`True` / `False`).
pub(crate) fn py_bool(b: bool) -> String {
    if b { "True" } else { "False" }.to_owned()
}

/// The per-request auth override of a builder's `token` option.
pub(crate) fn token_auth(token: Option<&hf_http::Token>) -> Option<RequestAuth> {
    token.cloned().map(RequestAuth::Token)
}

/// A lazy stream over a `Link`-paginated listing at `path?query`, stopping after
/// `limit` items without fetching another page.
pub(crate) fn paginate<T: DeserializeOwned + Send + 'static>(
    api: &HfApi,
    path: &str,
    query: &[(String, String)],
    auth: Option<RequestAuth>,
    hint: Option<NotFoundHint>,
    limit: Option<usize>,
) -> BoxStream<T> {
    let mut path_and_query = path.to_owned();
    if !query.is_empty() {
        match serde_urlencoded::to_string(query) {
            Ok(q) => {
                path_and_query.push('?');
                path_and_query.push_str(&q);
            }
            Err(e) => {
                return error_stream(Error::invalid_argument(
                    "the query parameters cannot be encoded",
                    Some(Box::new(e) as Box<dyn std::error::Error + Send + Sync>),
                ));
            }
        }
    }
    let uri = match api.http().url(&path_and_query) {
        Ok(u) => u,
        Err(e) => return error_stream(e.into()),
    };
    let mut req = hf_http::http::Request::new(());
    *req.uri_mut() = uri;
    if let Some(auth) = auth {
        req.extensions_mut().insert(auth);
    }
    if let Some(hint) = hint {
        req.extensions_mut().insert(hint);
    }
    let stream = api
        .http()
        .paginate::<T>(req)
        .map(|r| r.map_err(Error::from));
    match limit {
        Some(n) => Box::pin(stream.take(n)),
        None => Box::pin(stream),
    }
}

/// Pushes `(key, value)` for each value.
pub(crate) fn push_all(query: &mut Vec<(String, String)>, key: &str, values: &[String]) {
    for v in values {
        query.push((key.to_owned(), v.clone()));
    }
}

/// Collects string-like values.
pub(crate) fn strings<I, S>(values: I) -> Vec<String>
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    values.into_iter().map(Into::into).collect()
}

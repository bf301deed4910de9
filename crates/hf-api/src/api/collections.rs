//! Collections: `list_collections`, `get_collection`, `create_collection`,
//! `update_collection_metadata`, `delete_collection`, `add_collection_item`,
//! `update_collection_item`, `delete_collection_item` (`/api/collections`).
//!
//! Slugs (`{namespace}/{title-slug}-{24 hex id}`) are inserted in URLs as they are.

use std::future::IntoFuture;

use futures_util::{StreamExt, TryStreamExt};
use hf_http::http::Method;
use hf_http::{Idempotency, Token};
use hf_types::{Collection, CollectionItemType};
use serde_json::{Map, Value, json};

use super::{BoxStream, StreamSlot, listing, paginate, strings, token_auth};
use crate::client::HfApi;
use crate::error::Error;
use crate::request::{ApiRequest, BoxFuture};

fn slug_path(slug: &str) -> String {
    format!("/api/collections/{}", slug.trim_matches('/'))
}

/// The listing built by [`HfApi::list_collections`].
#[must_use = "a listing does nothing until it is polled"]
#[derive(Debug, Clone)]
pub struct ListCollectionsRequest {
    api: HfApi,
    owner: Vec<String>,
    item: Vec<String>,
    sort: Option<String>,
    limit: Option<usize>,
    token: Option<Token>,
    started: StreamSlot<Collection>,
}

impl HfApi {
    /// Collections on the Hub: `GET /api/collections`, paginated. Each listed collection
    /// carries at most 4 items; use [`get_collection`](HfApi::get_collection) for all.
    pub fn list_collections(&self) -> ListCollectionsRequest {
        ListCollectionsRequest {
            api: self.clone(),
            owner: Vec::new(),
            item: Vec::new(),
            sort: None,
            limit: None,
            token: None,
            started: StreamSlot::default(),
        }
    }
}

impl ListCollectionsRequest {
    /// Only collections of these users or organizations.
    pub fn owner<I: IntoIterator<Item = S>, S: Into<String>>(mut self, owner: I) -> Self {
        self.owner = strings(owner);
        self
    }

    /// Only collections containing these items (`models/{id}`, `datasets/{id}`,
    /// `spaces/{id}`, `papers/{arxiv id}`).
    pub fn item<I: IntoIterator<Item = S>, S: Into<String>>(mut self, item: I) -> Self {
        self.item = strings(item);
        self
    }

    /// `lastModified`, `trending` or `upvotes`.
    pub fn sort(mut self, sort: impl Into<String>) -> Self {
        self.sort = Some(sort.into());
        self
    }

    /// Stops after this many collections (also sent to the Hub).
    pub fn limit(mut self, limit: usize) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Uses this token instead of the client's.
    pub fn token(mut self, token: Token) -> Self {
        self.token = Some(token);
        self
    }

    fn make_stream(&self) -> BoxStream<Collection> {
        let mut q = Vec::new();
        super::push_all(&mut q, "owner", &self.owner);
        super::push_all(&mut q, "item", &self.item);
        if let Some(s) = &self.sort {
            q.push(("sort".to_owned(), s.clone()));
        }
        if let Some(l) = self.limit {
            q.push(("limit".to_owned(), l.to_string()));
        }
        let stream = paginate::<Collection>(
            &self.api,
            "/api/collections",
            &q,
            token_auth(self.token.as_ref()),
            None,
            self.limit,
        );
        // Listed collections carry no position; the Python client numbers them.
        Box::pin(stream.enumerate().map(|(i, c)| {
            c.map(|mut c| {
                if c.position.is_none() {
                    c.position = i64::try_from(i).ok();
                }
                c
            })
        }))
    }
}

listing!(ListCollectionsRequest, Collection);

/// What a [`CollectionRequest`] does.
#[derive(Debug, Clone)]
enum Op {
    Get,
    Create {
        title: String,
    },
    Update,
    AddItem {
        item_id: String,
        item_type: CollectionItemType,
    },
}

/// The request built by [`HfApi::get_collection`], [`HfApi::create_collection`],
/// [`HfApi::update_collection_metadata`] and [`HfApi::add_collection_item`]; resolves
/// to the collection.
#[must_use = "a request does nothing until it is awaited"]
#[derive(Debug, Clone)]
pub struct CollectionRequest {
    api: HfApi,
    op: Op,
    slug: String,
    namespace: Option<String>,
    title: Option<String>,
    description: Option<String>,
    position: Option<i64>,
    private: Option<bool>,
    theme: Option<String>,
    note: Option<String>,
    exists_ok: bool,
    token: Option<Token>,
}

impl HfApi {
    fn collection(&self, op: Op, slug: &str) -> CollectionRequest {
        CollectionRequest {
            api: self.clone(),
            op,
            slug: slug.to_owned(),
            namespace: None,
            title: None,
            description: None,
            position: None,
            private: None,
            theme: None,
            note: None,
            exists_ok: false,
            token: None,
        }
    }

    /// One collection with all its items: `GET /api/collections/{slug}`.
    pub fn get_collection(&self, slug: &str) -> CollectionRequest {
        self.collection(Op::Get, slug)
    }

    /// Creates a collection (in the token owner's namespace unless `namespace` is set):
    /// `POST /api/collections`.
    pub fn create_collection(&self, title: &str) -> CollectionRequest {
        self.collection(
            Op::Create {
                title: title.to_owned(),
            },
            "",
        )
    }

    /// Changes title, description, position, visibility or theme:
    /// `PATCH /api/collections/{slug}`.
    pub fn update_collection_metadata(&self, slug: &str) -> CollectionRequest {
        self.collection(Op::Update, slug)
    }

    /// Adds a model, dataset, Space or paper: `POST /api/collections/{slug}/items`.
    pub fn add_collection_item(
        &self,
        slug: &str,
        item_id: &str,
        item_type: CollectionItemType,
    ) -> CollectionRequest {
        self.collection(
            Op::AddItem {
                item_id: item_id.to_owned(),
                item_type,
            },
            slug,
        )
    }
}

impl CollectionRequest {
    /// The namespace of a new collection (`create_collection`).
    pub fn namespace(mut self, namespace: impl Into<String>) -> Self {
        self.namespace = Some(namespace.into());
        self
    }

    /// A new title (`update_collection_metadata`).
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// The description (`create_collection`, `update_collection_metadata`).
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// The position among the owner's collections (`update_collection_metadata`).
    pub fn position(mut self, position: i64) -> Self {
        self.position = Some(position);
        self
    }

    /// Visibility (`create_collection` default `false`, `update_collection_metadata`).
    pub fn private(mut self, private: bool) -> Self {
        self.private = Some(private);
        self
    }

    /// The color theme (`update_collection_metadata`).
    pub fn theme(mut self, theme: impl Into<String>) -> Self {
        self.theme = Some(theme.into());
        self
    }

    /// A note shown with the item (`add_collection_item`).
    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }

    /// Succeeds when the collection (`create_collection`) or the item
    /// (`add_collection_item`) already exists.
    pub fn exists_ok(mut self, exists_ok: bool) -> Self {
        self.exists_ok = exists_ok;
        self
    }

    /// Uses this token instead of the client's.
    pub fn token(mut self, token: Token) -> Self {
        self.token = Some(token);
        self
    }

    fn get(&self, slug: &str) -> BoxFuture<Collection> {
        ApiRequest::get(&self.api, slug_path(slug))
            .auth(token_auth(self.token.as_ref()))
            .send_json()
    }

    async fn create(&self, title: &str) -> Result<Collection, Error> {
        let namespace = if let Some(ns) = &self.namespace {
            ns.clone()
        } else {
            let who = self.api.whoami();
            let who = match &self.token {
                Some(t) => who.token(t.clone()),
                None => who,
            };
            who.await?.name
        };
        let mut body = json!({
            "title": title,
            "namespace": namespace,
            "private": self.private.unwrap_or(false),
        });
        if let Some(d) = &self.description {
            body["description"] = json!(d);
        }
        let res = ApiRequest::new(&self.api, Method::POST, "/api/collections")
            .auth(token_auth(self.token.as_ref()))
            .idempotency(Idempotency::NotIdempotent)
            .json_body(&body)?
            .send_json::<Collection>()
            .await;
        match res {
            Err(Error::Conflict(e)) if self.exists_ok => {
                // The Hub's 409 body names the slug; find it by owner and title instead.
                let mut found = self
                    .api
                    .list_collections()
                    .owner([namespace.as_str()])
                    .try_filter(|c| std::future::ready(c.title == title));
                match found.try_next().await? {
                    Some(c) => self.get(&c.slug).await,
                    None => Err(Error::Conflict(e)),
                }
            }
            other => other,
        }
    }
}

impl IntoFuture for CollectionRequest {
    type Output = Result<Collection, Error>;
    type IntoFuture = BoxFuture<Collection>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            match &self.op {
                Op::Get => self.get(&self.slug).await,
                Op::Create { title } => self.create(title).await,
                Op::Update => {
                    let mut body = Map::new();
                    if let Some(p) = self.position {
                        body.insert("position".into(), json!(p));
                    }
                    if let Some(p) = self.private {
                        body.insert("private".into(), json!(p));
                    }
                    if let Some(t) = &self.theme {
                        body.insert("theme".into(), json!(t));
                    }
                    if let Some(t) = &self.title {
                        body.insert("title".into(), json!(t.trim()));
                    }
                    if let Some(d) = &self.description {
                        body.insert("description".into(), json!(d.trim()));
                    }
                    #[derive(serde::Deserialize)]
                    struct Data {
                        data: Collection,
                    }
                    let d: Data = ApiRequest::new(&self.api, Method::PATCH, slug_path(&self.slug))
                        .auth(token_auth(self.token.as_ref()))
                        .json_body(&Value::Object(body))?
                        .send_json()
                        .await?;
                    Ok(d.data)
                }
                Op::AddItem { item_id, item_type } => {
                    let mut body = json!({"item": {"id": item_id, "type": item_type}});
                    if let Some(n) = &self.note {
                        body["note"] = json!(n);
                    }
                    let res = ApiRequest::new(
                        &self.api,
                        Method::POST,
                        format!("{}/items", slug_path(&self.slug)),
                    )
                    .auth(token_auth(self.token.as_ref()))
                    .idempotency(Idempotency::NotIdempotent)
                    .json_body(&body)?
                    .send_json::<Collection>()
                    .await;
                    match res {
                        Err(Error::Conflict(_)) if self.exists_ok => self.get(&self.slug).await,
                        other => other,
                    }
                }
            }
        })
    }
}

/// What a [`CollectionChangeRequest`] does.
#[derive(Debug, Clone)]
enum Change {
    Delete,
    UpdateItem(String),
    DeleteItem(String),
}

/// The request built by [`HfApi::delete_collection`], [`HfApi::update_collection_item`]
/// and [`HfApi::delete_collection_item`].
#[must_use = "a request does nothing until it is awaited"]
#[derive(Debug, Clone)]
pub struct CollectionChangeRequest {
    api: HfApi,
    slug: String,
    change: Change,
    note: Option<String>,
    position: Option<i64>,
    missing_ok: bool,
    token: Option<Token>,
}

impl HfApi {
    fn collection_change(&self, slug: &str, change: Change) -> CollectionChangeRequest {
        CollectionChangeRequest {
            api: self.clone(),
            slug: slug.to_owned(),
            change,
            note: None,
            position: None,
            missing_ok: false,
            token: None,
        }
    }

    /// Deletes a collection: `DELETE /api/collections/{slug}`.
    pub fn delete_collection(&self, slug: &str) -> CollectionChangeRequest {
        self.collection_change(slug, Change::Delete)
    }

    /// Changes an item's note or position:
    /// `PATCH /api/collections/{slug}/items/{item_object_id}`.
    pub fn update_collection_item(
        &self,
        slug: &str,
        item_object_id: &str,
    ) -> CollectionChangeRequest {
        self.collection_change(slug, Change::UpdateItem(item_object_id.to_owned()))
    }

    /// Removes an item: `DELETE /api/collections/{slug}/items/{item_object_id}`.
    pub fn delete_collection_item(
        &self,
        slug: &str,
        item_object_id: &str,
    ) -> CollectionChangeRequest {
        self.collection_change(slug, Change::DeleteItem(item_object_id.to_owned()))
    }
}

impl CollectionChangeRequest {
    /// The item's new note (`update_collection_item`).
    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }

    /// The item's new position (`update_collection_item`).
    pub fn position(mut self, position: i64) -> Self {
        self.position = Some(position);
        self
    }

    /// Succeeds when the collection or item does not exist (deletions).
    pub fn missing_ok(mut self, missing_ok: bool) -> Self {
        self.missing_ok = missing_ok;
        self
    }

    /// Uses this token instead of the client's.
    pub fn token(mut self, token: Token) -> Self {
        self.token = Some(token);
        self
    }
}

impl IntoFuture for CollectionChangeRequest {
    type Output = Result<(), Error>;
    type IntoFuture = BoxFuture<()>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let base = slug_path(&self.slug);
            let (method, path, body) = match &self.change {
                Change::Delete => (Method::DELETE, base, None),
                Change::DeleteItem(id) => (Method::DELETE, format!("{base}/items/{id}"), None),
                Change::UpdateItem(id) => {
                    let mut body = Map::new();
                    if let Some(p) = self.position {
                        body.insert("position".into(), json!(p));
                    }
                    if let Some(n) = &self.note {
                        body.insert("note".into(), json!(n));
                    }
                    (
                        Method::PATCH,
                        format!("{base}/items/{id}"),
                        Some(Value::Object(body)),
                    )
                }
            };
            let deleting = method == Method::DELETE;
            let mut req =
                ApiRequest::new(&self.api, method, path).auth(token_auth(self.token.as_ref()));
            if let Some(b) = body {
                req = req.json_body(&b)?;
            }
            match req.send_unit().await {
                Err(e) if deleting && self.missing_ok && e.is_not_found() => Ok(()),
                other => other,
            }
        })
    }
}

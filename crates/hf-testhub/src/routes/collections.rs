//! Collections: `/api/collections[/{namespace}/{slug}[/items[/{item_object_id}]]]`.

use std::sync::Arc;

use axum::body::Body;
use axum::response::IntoResponse;
use http::{Method, StatusCode};
use serde_json::{Value, json};

use super::{Ctx, HubErr, HubResult, json_response, ok_json, paginate, read_json, with_link};
use crate::Shared;
use crate::state::{CollectionItem, CollectionRec, HubState, RepoType, now, object_id, repo_key};

fn visible(st: &HubState, ctx: &Ctx, c: &CollectionRec) -> bool {
    !c.private
        || ctx
            .caller
            .as_ref()
            .is_some_and(|u| st.is_member(&u.user, &c.namespace))
}

fn writable(st: &HubState, ctx: &Ctx, ns: &str) -> bool {
    ctx.caller.as_ref().is_some_and(|c| st.can_create_in(c, ns))
}

fn to_json(st: &HubState, c: &CollectionRec, with_position: bool) -> Value {
    let is_org = st.accounts.get(&c.namespace).is_some_and(|a| a.is_org);
    let items: Vec<Value> = c
        .items
        .iter()
        .enumerate()
        .map(|(i, it)| {
            let mut v = json!({"_id": it.object_id, "id": it.id, "type": it.kind, "position": i});
            if it.kind != "paper" {
                v["repoType"] = json!(it.kind);
            }
            if let Some(n) = &it.note {
                v["note"] = json!({"text": n, "html": n});
            }
            v
        })
        .collect();
    let mut v = json!({
        "slug": c.slug,
        "title": c.title,
        "description": c.description,
        "owner": {"name": c.namespace, "fullname": c.namespace, "type": if is_org { "org" } else { "user" }, "avatarUrl": "/avatars/default.svg"},
        "items": items,
        "lastUpdated": c.last_updated,
        "private": c.private,
        "theme": c.theme,
        "upvotes": 0,
        "isUpvotedByUser": false,
        "shareUrl": format!("https://huggingface.co/collections/{}", c.slug),
    });
    if with_position {
        v["position"] = json!(c.position);
    }
    v
}

fn slugify(title: &str) -> String {
    let s: String = title
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let s = s
        .split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    if s.is_empty() {
        "collection".to_owned()
    } else {
        s
    }
}

fn not_found(slug: &str) -> HubErr {
    HubErr::not_found(&format!("Collection {slug} not found"))
}

/// Dispatches everything under `/api/collections`.
pub(super) async fn route(
    shared: &Arc<Shared>,
    ctx: &Ctx,
    rest: &[&str],
    raw_path: &str,
    body: Body,
) -> HubResult {
    match (ctx.method.clone(), rest) {
        (Method::GET, []) => list(shared, ctx, raw_path),
        (Method::POST, []) => create(shared, ctx, body).await,
        (m, [ns, name, more @ ..]) => {
            let slug = format!("{ns}/{name}");
            one(shared, ctx, &m, &slug, more, body).await
        }
        _ => Err(HubErr::not_found(
            "Sorry, we can't find the page you are looking for",
        )),
    }
}

fn list(shared: &Arc<Shared>, ctx: &Ctx, raw_path: &str) -> HubResult {
    let st = shared.state();
    let owners = ctx.q_all("owner");
    let items_filter = ctx.q_all("item");
    let mut found: Vec<&CollectionRec> = st
        .collections
        .values()
        .filter(|c| visible(&st, ctx, c))
        .filter(|c| owners.is_empty() || owners.contains(&c.namespace.as_str()))
        .filter(|c| {
            items_filter.iter().all(|want| {
                c.items
                    .iter()
                    .any(|it| format!("{}s/{}", it.kind, it.id) == *want)
            })
        })
        .collect();
    found.sort_by(|a, b| b.last_updated.cmp(&a.last_updated));
    // List elements must not carry `position` (the 0.26.5 client injects it).
    let items: Vec<Value> = found.iter().map(|c| to_json(&st, c, false)).collect();
    let mut size = shared.page_size(1000);
    if let Some(l) = ctx
        .q("limit")
        .and_then(|l| l.parse::<usize>().ok())
        .filter(|l| *l > 0)
    {
        size = size.min(l);
    }
    let (page, link) = paginate(ctx, raw_path, &items, size, "cursor");
    Ok(with_link(
        json_response(StatusCode::OK, &Value::Array(page)),
        link,
    ))
}

async fn create(shared: &Arc<Shared>, ctx: &Ctx, body: Body) -> HubResult {
    let body = read_json(body).await?;
    let Some(caller) = ctx.caller.clone() else {
        return Err(HubErr::new(
            StatusCode::UNAUTHORIZED,
            None,
            "You must be authenticated to create a collection",
        ));
    };
    let title = body
        .get("title")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .trim()
        .to_owned();
    if title.is_empty() {
        return Err(HubErr::bad_request("\"title\" is required"));
    }
    let ns = body
        .get("namespace")
        .and_then(Value::as_str)
        .unwrap_or(&caller.user)
        .to_owned();
    let mut st = shared.state();
    if !writable(&st, ctx, &ns) {
        return Err(HubErr::forbidden(&format!(
            "You don't have the rights to create a collection under \"{ns}\""
        )));
    }
    if let Some(c) = st
        .collections
        .values()
        .find(|c| c.namespace == ns && c.title == title)
    {
        return Ok((
            StatusCode::CONFLICT,
            axum::Json(
                json!({"error": "A collection with this title already exists", "slug": c.slug}),
            ),
        )
            .into_response());
    }
    let (date, _) = now();
    let id = object_id(&format!("collection:{ns}:{title}:{date}"));
    let slug = format!("{ns}/{}-{id}", slugify(&title));
    let position = st
        .collections
        .values()
        .filter(|c| c.namespace == ns)
        .count() as u64;
    let rec = CollectionRec {
        slug: slug.clone(),
        title,
        namespace: ns,
        description: body
            .get("description")
            .and_then(Value::as_str)
            .map(str::to_owned),
        private: body
            .get("private")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        theme: "default".to_owned(),
        position,
        last_updated: date,
        items: Vec::new(),
    };
    let out = to_json(&st, &rec, true);
    st.collections.insert(slug, rec);
    shared.persist(&st)?;
    ok_json(&out)
}

async fn one(
    shared: &Arc<Shared>,
    ctx: &Ctx,
    m: &Method,
    slug: &str,
    more: &[&str],
    body: Body,
) -> HubResult {
    let body = if *m == Method::GET || *m == Method::DELETE {
        json!({})
    } else {
        read_json(body).await?
    };
    let mut st = shared.state();
    let Some(c) = st.collections.get(slug).filter(|c| visible(&st, ctx, c)) else {
        return Err(not_found(slug));
    };
    if *m == Method::GET && more.is_empty() {
        return ok_json(&to_json(&st, c, true));
    }
    if !writable(&st, ctx, &c.namespace.clone()) {
        return Err(HubErr::forbidden(
            "You don't have the rights to modify this collection",
        ));
    }
    let st_ref = &mut *st;
    let (date, _) = now();
    let out = match (m.clone(), more) {
        (Method::PATCH, []) => {
            let c = st_ref.collections.get_mut(slug).expect("found above");
            if let Some(t) = body.get("title").and_then(Value::as_str) {
                t.clone_into(&mut c.title);
            }
            if let Some(d) = body.get("description").and_then(Value::as_str) {
                c.description = Some(d.to_owned());
            }
            if let Some(p) = body.get("private").and_then(Value::as_bool) {
                c.private = p;
            }
            if let Some(t) = body.get("theme").and_then(Value::as_str) {
                t.clone_into(&mut c.theme);
            }
            if let Some(p) = body.get("position").and_then(Value::as_u64) {
                c.position = p;
            }
            c.last_updated = date;
            let c = c.clone();
            json!({"data": to_json(st_ref, &c, true)})
        }
        (Method::DELETE, []) => {
            st_ref.collections.remove(slug);
            json!({})
        }
        (Method::POST, ["items"]) => {
            let item = &body["item"];
            let (Some(id), Some(kind)) = (item["id"].as_str(), item["type"].as_str()) else {
                return Err(HubErr::bad_request("\"item\" needs \"id\" and \"type\""));
            };
            if let Some(t) = RepoType::from_singular(kind) {
                let visible_repo = st_ref
                    .repos
                    .get(&repo_key(t, id))
                    .is_some_and(|r| st_ref.can_read(ctx.caller.as_ref(), r));
                if !visible_repo {
                    return Err(HubErr::repo_not_found(ctx.caller.as_ref()));
                }
            } else if kind != "paper" && kind != "collection" {
                return Err(HubErr::bad_request(&format!("Invalid item type {kind}")));
            }
            let c = st_ref.collections.get_mut(slug).expect("found above");
            if c.items.iter().any(|it| it.id == id && it.kind == kind) {
                return Err(HubErr::conflict("This item is already in the collection"));
            }
            c.items.push(CollectionItem {
                object_id: object_id(&format!("item:{slug}:{kind}:{id}:{date}")),
                id: id.to_owned(),
                kind: kind.to_owned(),
                note: body.get("note").and_then(Value::as_str).map(str::to_owned),
            });
            c.last_updated = date;
            let c = c.clone();
            to_json(st_ref, &c, true)
        }
        (m @ (Method::PATCH | Method::DELETE), ["items", item_id]) => {
            let c = st_ref.collections.get_mut(slug).expect("found above");
            let Some(pos) = c.items.iter().position(|it| it.object_id == *item_id) else {
                return Err(HubErr::not_found(&format!("Item {item_id} not found")));
            };
            if m == Method::DELETE {
                c.items.remove(pos);
            } else {
                if let Some(n) = body.get("note").and_then(Value::as_str) {
                    c.items[pos].note = Some(n.to_owned());
                }
                if let Some(p) = body.get("position").and_then(Value::as_u64) {
                    let it = c.items.remove(pos);
                    let p = (p as usize).min(c.items.len());
                    c.items.insert(p, it);
                }
            }
            c.last_updated = date;
            json!({})
        }
        _ => {
            return Err(HubErr::not_found(
                "Sorry, we can't find the page you are looking for",
            ));
        }
    };
    shared.persist(&st)?;
    ok_json(&out)
}

//! User and organization pages: `GET /api/users/{name}/overview`,
//! `/api/users/{name}/followers`, `/api/users/{name}/following` and
//! `/api/organizations/{org}/members` (the last three `Link`-paginated).
//!
//! The emulator has no follow relation, so follower and following lists are empty for
//! every known user; organization members come from the organization's member list.

use std::sync::Arc;

use http::{Method, StatusCode};
use serde_json::{Value, json};

use super::{Ctx, HubErr, HubResult, json_response, ok_json, paginate, with_link};
use crate::Shared;
use crate::state::{Account, HubState, RepoType};

/// Answers the routes of this module; `None` when the path is not one of them.
pub(crate) fn route(shared: &Arc<Shared>, ctx: &Ctx) -> Option<HubResult> {
    if ctx.method != Method::GET {
        return None;
    }
    let segs: Vec<&str> = ctx.segs.iter().map(String::as_str).collect();
    let st = shared.state();
    Some(match segs.as_slice() {
        ["api", "users", name, "overview"] => overview(&st, name),
        ["api", "users", name, "followers" | "following"] => {
            let path = format!("/{}", ctx.segs.join("/"));
            user(&st, name).and_then(|_| list(shared, ctx, &path, Vec::new()))
        }
        ["api", "organizations", org, "members"] => {
            let path = format!("/{}", ctx.segs.join("/"));
            members(&st, org).and_then(|m| list(shared, ctx, &path, m))
        }
        _ => return None,
    })
}

fn user<'a>(st: &'a HubState, name: &str) -> Result<&'a Account, HubErr> {
    st.accounts
        .get(name)
        .filter(|a| !a.is_org)
        .ok_or_else(|| HubErr::not_found(&format!("User {name} not found")))
}

/// The short user object of listings.
fn short_user(a: &Account) -> Value {
    json!({
        "_id": a.object_id,
        "user": a.name,
        "fullname": a.fullname,
        "avatarUrl": "/avatars/default.svg",
        "type": "user",
        "isPro": false,
    })
}

fn count(st: &HubState, name: &str, t: RepoType) -> usize {
    st.repos
        .values()
        .filter(|r| r.repo_type == t && r.namespace() == name && !r.private)
        .count()
}

fn overview(st: &HubState, name: &str) -> HubResult {
    let a = user(st, name)?;
    let orgs: Vec<Value> = st
        .orgs_of(name)
        .into_iter()
        .map(|o| json!({"name": o.name, "fullname": o.fullname, "avatarUrl": "/avatars/default-org.svg"}))
        .collect();
    ok_json(&json!({
        "_id": a.object_id,
        "user": a.name,
        "fullname": a.fullname,
        "avatarUrl": "/avatars/default.svg",
        "type": "user",
        "isPro": false,
        "isFollowing": false,
        "details": "",
        "numModels": count(st, name, RepoType::Model),
        "numDatasets": count(st, name, RepoType::Dataset),
        "numSpaces": count(st, name, RepoType::Space),
        "numDiscussions": 0,
        "numPapers": 0,
        "numUpvotes": 0,
        "numLikes": 0,
        "numFollowing": 0,
        "numFollowers": 0,
        "orgs": orgs,
    }))
}

fn members(st: &HubState, org: &str) -> Result<Vec<Value>, HubErr> {
    let o = st
        .accounts
        .get(org)
        .filter(|a| a.is_org)
        .ok_or_else(|| HubErr::not_found(&format!("Organization {org} not found")))?;
    Ok(o.members
        .iter()
        .filter_map(|m| st.accounts.get(m))
        .map(short_user)
        .collect())
}

fn list(shared: &Arc<Shared>, ctx: &Ctx, path: &str, items: Vec<Value>) -> HubResult {
    let size = shared.page_size(500);
    let (page, link) = paginate(ctx, path, &items, size, "cursor");
    Ok(with_link(
        json_response(StatusCode::OK, &Value::Array(page)),
        link,
    ))
}

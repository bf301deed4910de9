//! Likes, users and organizations.

use std::sync::Arc;

use http::StatusCode;
use serde_json::{Value, json};

use super::{
    Ctx, HubErr, HubResult, RepoRef, find_repo, json_response, ok_json, paginate, with_link,
};
use crate::Shared;
use crate::state::{Account, HubState, now};

fn need_user(ctx: &Ctx) -> Result<String, HubErr> {
    ctx.caller.as_ref().map(|c| c.user.clone()).ok_or_else(|| {
        HubErr::new(
            StatusCode::UNAUTHORIZED,
            None,
            "You must be authenticated to do this",
        )
    })
}

/// `POST`/`DELETE /api/{type}s/{id}/like`
pub(super) fn like(shared: &Arc<Shared>, ctx: &Ctx, r: &RepoRef, on: bool) -> HubResult {
    let user = need_user(ctx)?;
    let mut st = shared.state();
    find_repo(&st, ctx, r)?;
    let repo = st.repos.get_mut(&r.key()).expect("found above");
    if on {
        repo.likers.entry(user).or_insert_with(|| now().0);
    } else {
        repo.likers.remove(&user);
    }
    repo.likes = repo.likers.len() as u64;
    shared.persist(&st)?;
    ok_json(&json!({}))
}

fn user_json(st: &HubState, a: &Account) -> Value {
    let count = |t: crate::state::RepoType| {
        st.repos
            .values()
            .filter(|r| r.repo_type == t && r.namespace() == a.name && !r.private)
            .count()
    };
    let orgs: Vec<Value> = st
        .orgs_of(&a.name)
        .into_iter()
        .map(|o| json!({"name": o.name, "fullname": o.fullname, "avatarUrl": "/avatars/default-org.svg"}))
        .collect();
    let likes = st
        .repos
        .values()
        .filter(|r| r.likers.contains_key(&a.name))
        .count();
    json!({
        "_id": a.object_id,
        "user": a.name,
        "fullname": a.fullname,
        "avatarUrl": "/avatars/default.svg",
        "type": if a.is_org { "org" } else { "user" },
        "isPro": false,
        "isFollowing": false,
        "details": "",
        "numModels": count(crate::state::RepoType::Model),
        "numDatasets": count(crate::state::RepoType::Dataset),
        "numSpaces": count(crate::state::RepoType::Space),
        "numDiscussions": 0,
        "numPapers": 0,
        "numUpvotes": 0,
        "numLikes": likes,
        "numFollowers": 0,
        "numFollowing": 0,
        "orgs": orgs,
        "createdAt": "2024-01-01T00:00:00.000Z",
    })
}

/// `GET /api/{type}s/{id}/likers`
pub(super) fn likers(shared: &Arc<Shared>, ctx: &Ctx, r: &RepoRef, raw_path: &str) -> HubResult {
    let st = shared.state();
    let repo = find_repo(&st, ctx, r)?;
    let items: Vec<Value> = repo
        .likers
        .keys()
        .map(|u| json!({"user": u, "fullname": u, "avatarUrl": "/avatars/default.svg", "type": "user", "isPro": false}))
        .collect();
    let (page, link) = paginate(ctx, raw_path, &items, shared.page_size(1000), "cursor");
    Ok(with_link(
        json_response(StatusCode::OK, &Value::Array(page)),
        link,
    ))
}

/// `GET /api/users/{user}/...` and `GET /api/organizations/{org}/...`
pub(super) fn account_route(
    shared: &Arc<Shared>,
    ctx: &Ctx,
    org: bool,
    name: &str,
    what: &str,
    raw_path: &str,
) -> HubResult {
    let st = shared.state();
    let Some(acct) = st.accounts.get(name).filter(|a| a.is_org == org) else {
        return Err(HubErr::not_found(&format!(
            "{} {name} not found",
            if org { "Organization" } else { "User" }
        )));
    };
    let items: Vec<Value> = match what {
        "overview" if org => {
            return ok_json(&json!({
                "_id": acct.object_id,
                "name": acct.name,
                "fullname": acct.fullname,
                "avatarUrl": "/avatars/default-org.svg",
                "type": "org",
                "isVerified": false,
                "isFollowing": false,
                "isEnterprise": false,
                "details": "",
                "numUsers": acct.members.len(),
                "numModels": 0,
                "numSpaces": 0,
                "numDatasets": 0,
                "numFollowers": 0,
                "numPapers": 0,
                "plan": "team",
            }));
        }
        "overview" => return ok_json(&user_json(&st, acct)),
        "members" if org => acct
            .members
            .iter()
            .filter_map(|m| st.accounts.get(m))
            .map(|a| user_json(&st, a))
            .collect(),
        "likes" if !org => st
            .repos
            .values()
            .filter(|r| st.can_read(ctx.caller.as_ref(), r))
            .filter_map(|r| {
                r.likers.get(name).map(|date| {
                    json!({"createdAt": date, "repo": {"name": r.id, "type": r.repo_type.as_str()}})
                })
            })
            .collect(),
        "followers" | "following" => Vec::new(),
        _ => {
            return Err(HubErr::not_found(
                "Sorry, we can't find the page you are looking for",
            ));
        }
    };
    let (page, link) = paginate(ctx, raw_path, &items, shared.page_size(1000), "cursor");
    Ok(with_link(
        json_response(StatusCode::OK, &Value::Array(page)),
        link,
    ))
}

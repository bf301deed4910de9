//! Refs: listing, branches, tags, super-squash.

use std::sync::Arc;

use axum::body::Body;
use serde_json::{Value, json};

use super::{Ctx, HubErr, HubResult, RepoRef, find_repo, find_repo_write, ok_json, read_json};
use crate::Shared;
use crate::state::{TagRec, new_commit};

/// `GET /api/{type}s/{id}/refs[?include_prs=1]`
pub(super) fn list_refs(shared: &Arc<Shared>, ctx: &Ctx, r: &RepoRef) -> HubResult {
    let st = shared.state();
    let repo = find_repo(&st, ctx, r)?;
    let mk = |name: &str, full: String, target: &str| json!({"name": name, "ref": full, "targetCommit": target});
    let branches: Vec<Value> = repo
        .branches
        .iter()
        .map(|(n, c)| mk(n, format!("refs/heads/{n}"), c))
        .collect();
    let tags: Vec<Value> = repo
        .tag_refs
        .iter()
        .map(|(n, t)| mk(n, format!("refs/tags/{n}"), &t.target))
        .collect();
    let converts: Vec<Value> = repo
        .converts
        .iter()
        .map(|(n, c)| mk(n, format!("refs/convert/{n}"), c))
        .collect();
    let mut out = json!({"branches": branches, "converts": converts, "tags": tags});
    if ctx.flag("include_prs") {
        let prs: Vec<Value> = repo
            .prs
            .iter()
            .map(|(n, c)| mk(&n.to_string(), format!("refs/pr/{n}"), c))
            .collect();
        out["pullRequests"] = json!(prs);
    }
    ok_json(&out)
}

fn valid_ref_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with("refs/")
        && !name.contains("..")
        && !name.starts_with(['-', '/', '.'])
        && !name.ends_with(['/', '.'])
        && !name.to_ascii_lowercase().ends_with(".lock")
        && name.chars().all(|c| {
            !c.is_control() && !matches!(c, ' ' | '~' | '^' | ':' | '?' | '*' | '[' | '\\')
        })
}

/// `POST /api/{type}s/{id}/branch/{branch}` with `{"startingPoint"?: rev}`
pub(super) async fn create_branch(
    shared: &Arc<Shared>,
    ctx: &Ctx,
    r: &RepoRef,
    branch: &str,
    body: Body,
) -> HubResult {
    let body = read_json(body).await?;
    if !valid_ref_name(branch) {
        return Err(HubErr::bad_request(&format!(
            "Invalid branch name: {branch}"
        )));
    }
    let mut st = shared.state();
    let repo = find_repo_write(&mut st, ctx, r)?;
    if repo.branches.contains_key(branch) || repo.tag_refs.contains_key(branch) {
        return Err(HubErr::conflict(&format!(
            "Reference {branch} already exists"
        )));
    }
    let start = body
        .get("startingPoint")
        .and_then(Value::as_str)
        .unwrap_or("main");
    let target = repo
        .resolve_id(start)
        .ok_or_else(|| HubErr::revision_not_found(start))?;
    repo.branches.insert(branch.to_owned(), target);
    shared.persist(&st)?;
    ok_json(&json!({}))
}

/// `DELETE /api/{type}s/{id}/branch/{branch}`
pub(super) fn delete_branch(
    shared: &Arc<Shared>,
    ctx: &Ctx,
    r: &RepoRef,
    branch: &str,
) -> HubResult {
    let mut st = shared.state();
    let repo = find_repo_write(&mut st, ctx, r)?;
    if branch == "main" {
        return Err(HubErr::forbidden("You cannot delete the default branch"));
    }
    if repo.branches.remove(branch).is_none() {
        return Err(HubErr::revision_not_found(branch));
    }
    shared.persist(&st)?;
    ok_json(&json!({}))
}

/// `POST /api/{type}s/{id}/tag/{revision}` with `{"tag": .., "message"?: ..}`
pub(super) async fn create_tag(
    shared: &Arc<Shared>,
    ctx: &Ctx,
    r: &RepoRef,
    rev: &str,
    body: Body,
) -> HubResult {
    let body = read_json(body).await?;
    let tag = body
        .get("tag")
        .and_then(Value::as_str)
        .ok_or_else(|| HubErr::bad_request("\"tag\" is required"))?
        .to_owned();
    if !valid_ref_name(&tag) {
        return Err(HubErr::bad_request(&format!("Invalid tag name: {tag}")));
    }
    let message = body
        .get("message")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let mut st = shared.state();
    let repo = find_repo_write(&mut st, ctx, r)?;
    if repo.tag_refs.contains_key(&tag) {
        return Err(HubErr::conflict(&format!("Tag {tag} already exists")));
    }
    let target = repo
        .resolve_id(rev)
        .ok_or_else(|| HubErr::revision_not_found(rev))?;
    repo.tag_refs.insert(tag, TagRec { target, message });
    shared.persist(&st)?;
    ok_json(&json!({}))
}

/// `DELETE /api/{type}s/{id}/tag/{tag}`
pub(super) fn delete_tag(shared: &Arc<Shared>, ctx: &Ctx, r: &RepoRef, tag: &str) -> HubResult {
    let mut st = shared.state();
    let repo = find_repo_write(&mut st, ctx, r)?;
    if repo.tag_refs.remove(tag).is_none() {
        return Err(HubErr::revision_not_found(tag));
    }
    shared.persist(&st)?;
    ok_json(&json!({}))
}

/// `POST /api/{type}s/{id}/super-squash/{branch}` with `{"message"?: ..}`
pub(super) async fn super_squash(
    shared: &Arc<Shared>,
    ctx: &Ctx,
    r: &RepoRef,
    branch: &str,
    body: Body,
) -> HubResult {
    let body = read_json(body).await?;
    let user = ctx
        .caller
        .as_ref()
        .map(|c| c.user.clone())
        .unwrap_or_default();
    let mut st = shared.state();
    let repo = find_repo_write(&mut st, ctx, r)?;
    let head = repo
        .branches
        .get(branch)
        .cloned()
        .ok_or_else(|| HubErr::revision_not_found(branch))?;
    let files = repo.commits[&head].files.clone();
    let message = body
        .get("message")
        .and_then(Value::as_str)
        .map_or_else(|| format!("Super-squash branch '{branch}'"), str::to_owned);
    let (title, rest) = message.split_once('\n').unwrap_or((&message, ""));
    let id = new_commit(repo, vec![], &user, title, rest.trim(), files);
    repo.branches.insert(branch.to_owned(), id.clone());
    shared.persist(&st)?;
    ok_json(&json!({"commitId": id}))
}

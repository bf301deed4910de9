//! Identity and repo lifecycle: whoami, create, delete, move, settings, auth-check, grants.

use std::sync::Arc;

use axum::body::Body;
use axum::response::IntoResponse;
use http::StatusCode;
use serde_json::{Value, json};

use super::{Ctx, HubErr, HubResult, RepoRef, find_repo, find_repo_write, ok_json, read_json};
use crate::Shared;
use crate::state::{Gated, RepoType, Role, ScopeTarget, repo_key};

fn need_caller(ctx: &Ctx) -> Result<&crate::state::Caller, HubErr> {
    ctx.caller.as_ref().ok_or_else(|| {
        HubErr::new(
            StatusCode::UNAUTHORIZED,
            None,
            "Invalid username or password.",
        )
    })
}

/// `GET /api/whoami-v2`
pub(super) fn whoami(shared: &Arc<Shared>, ctx: &Ctx) -> HubResult {
    let caller = need_caller(ctx)?;
    let st = shared.state();
    let acct = st.accounts.get(&caller.user).ok_or_else(|| {
        HubErr::new(
            StatusCode::UNAUTHORIZED,
            None,
            "Invalid username or password.",
        )
    })?;
    let token = st
        .tokens
        .values()
        .find(|t| t.user == caller.user && t.role == caller.role);
    let orgs: Vec<Value> = st
        .orgs_of(&caller.user)
        .into_iter()
        .map(|o| {
            json!({
                "type": "org",
                "id": o.object_id,
                "name": o.name,
                "fullname": o.fullname,
                "email": null,
                "canPay": false,
                "periodEnd": null,
                "avatarUrl": "/avatars/default-org.svg",
                "roleInOrg": "admin",
                "isEnterprise": false,
            })
        })
        .collect();
    let mut access = json!({
        "displayName": token.map_or("token", |t| t.display_name.as_str()),
        "role": match caller.role { Role::Read => "read", Role::Write => "write", Role::FineGrained(_) => "fineGrained" },
        "createdAt": token.map_or("1970-01-01T00:00:00.000Z", |t| t.created_at.as_str()),
    });
    if let Role::FineGrained(scopes) = &caller.role {
        let scoped: Vec<Value> = scopes
            .iter()
            .map(|s| {
                let entity = match &s.target {
                    ScopeTarget::Repo(t, id) => json!({"type": t.as_str(), "name": id}),
                    ScopeTarget::Namespace(ns) => json!({
                        "type": if st.accounts.get(ns).is_some_and(|a| a.is_org) { "org" } else { "user" },
                        "name": ns,
                    }),
                };
                let perms: Vec<&str> = if s.write {
                    vec!["repo.content.read", "repo.write"]
                } else {
                    vec!["repo.content.read"]
                };
                json!({"entity": entity, "permissions": perms})
            })
            .collect();
        access["fineGrained"] = json!({"canReadGatedRepos": false, "global": [], "scoped": scoped});
    }
    ok_json(&json!({
        "type": "user",
        "id": acct.object_id,
        "name": acct.name,
        "fullname": acct.fullname,
        "email": format!("{}@example.com", acct.name),
        "emailVerified": true,
        "canPay": false,
        "isPro": false,
        "periodEnd": null,
        "avatarUrl": "/avatars/default.svg",
        "orgs": orgs,
        "auth": {"type": "access_token", "accessToken": access},
    }))
}

fn repo_url(ctx: &Ctx, t: RepoType, id: &str) -> String {
    format!("{}/{}{id}", ctx.base, t.web_prefix())
}

fn body_type(body: &Value) -> Result<RepoType, HubErr> {
    match body.get("type").and_then(Value::as_str) {
        None => Ok(RepoType::Model),
        Some(s) => RepoType::from_singular(s)
            .ok_or_else(|| HubErr::bad_request(&format!("Invalid repo type: {s}"))),
    }
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 96
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && !name.starts_with(['-', '.'])
        && !name.ends_with(['-', '.'])
        && !name.contains("--")
        && !name.contains("..")
        && !name.to_ascii_lowercase().ends_with(".git")
}

/// `POST /api/repos/create`
pub(super) async fn create(shared: &Arc<Shared>, ctx: &Ctx, body: Body) -> HubResult {
    let caller = need_caller(ctx)?.clone();
    let body = read_json(body).await?;
    let name = body
        .get("name")
        .and_then(Value::as_str)
        .ok_or_else(|| HubErr::bad_request("\"name\" is required"))?;
    let ns = body
        .get("organization")
        .and_then(Value::as_str)
        .unwrap_or(&caller.user)
        .to_owned();
    if !valid_name(name) || !valid_name(&ns) {
        return Err(HubErr::bad_request(&format!(
            "Invalid repo name {ns}/{name}: use letters, digits, '-', '_' and '.'"
        )));
    }
    let t = body_type(&body)?;
    let private = match body.get("visibility").and_then(Value::as_str) {
        Some(v) => v != "public",
        None => body
            .get("private")
            .and_then(Value::as_bool)
            .unwrap_or(false),
    };
    let sdk = body.get("sdk").and_then(Value::as_str).map(str::to_owned);
    if t == RepoType::Space && sdk.is_none() {
        return Err(HubErr::bad_request(
            "\"sdk\" is required for a Space (gradio, streamlit, docker or static)",
        ));
    }
    let id = format!("{ns}/{name}");
    let mut st = shared.state();
    if !st.can_create_in(&caller, &ns) {
        return Err(HubErr::forbidden(&format!(
            "You don't have the rights to create a {} under the namespace \"{ns}\"",
            t.as_str()
        )));
    }
    let url = repo_url(ctx, t, &id);
    // The Hub compares names case-insensitively.
    let lower = repo_key(t, &id).to_lowercase();
    if st.repos.keys().any(|k| k.to_lowercase() == lower) {
        return Ok((
            StatusCode::CONFLICT,
            axum::Json(json!({
                "error": format!("You already created this {} repo", t.as_str()),
                "url": url,
            })),
        )
            .into_response());
    }
    st.create_repo(&shared.objects, t, &id, private, &caller.user, sdk)?;
    if t == RepoType::Space {
        let repo = st.repos.get_mut(&repo_key(t, &id)).expect("just created");
        apply_space_options(&mut repo.space, &body);
    }
    shared.persist(&st)?;
    ok_json(&json!({"url": url, "name": id}))
}

fn body_repo(body: &Value, ctx: &Ctx) -> Result<RepoRef, HubErr> {
    let name = body
        .get("name")
        .and_then(Value::as_str)
        .ok_or_else(|| HubErr::bad_request("\"name\" is required"))?;
    let ns = body
        .get("organization")
        .and_then(Value::as_str)
        .or(ctx.caller.as_ref().map(|c| c.user.as_str()))
        .unwrap_or_default();
    Ok(RepoRef {
        repo_type: body_type(body)?,
        id: format!("{ns}/{name}"),
    })
}

/// `DELETE /api/repos/delete`
pub(super) async fn delete(shared: &Arc<Shared>, ctx: &Ctx, body: Body) -> HubResult {
    need_caller(ctx)?;
    let body = read_json(body).await?;
    let r = body_repo(&body, ctx)?;
    let mut st = shared.state();
    find_repo_write(&mut st, ctx, &r)?;
    st.repos.remove(&r.key());
    shared.persist(&st)?;
    Ok((StatusCode::OK, "OK").into_response())
}

/// `POST /api/repos/move`
pub(super) async fn move_repo(shared: &Arc<Shared>, ctx: &Ctx, body: Body) -> HubResult {
    let caller = need_caller(ctx)?.clone();
    let body = read_json(body).await?;
    let get = |k: &str| {
        body.get(k)
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| HubErr::bad_request(&format!("\"{k}\" is required")))
    };
    let (from, to) = (get("fromRepo")?, get("toRepo")?);
    let t = body_type(&body)?;
    let Some((to_ns, to_name)) = to.split_once('/') else {
        return Err(HubErr::bad_request("toRepo must be namespace/name"));
    };
    if !valid_name(to_name) {
        return Err(HubErr::bad_request(&format!("Invalid repo name {to}")));
    }
    let mut st = shared.state();
    let from_ref = RepoRef {
        repo_type: t,
        id: from.clone(),
    };
    find_repo_write(&mut st, ctx, &from_ref)?;
    if !st.can_create_in(&caller, to_ns) {
        return Err(HubErr::forbidden(&format!(
            "You don't have the rights to create a {} under the namespace \"{to_ns}\"",
            t.as_str()
        )));
    }
    let to_key = repo_key(t, &to);
    if st.repos.contains_key(&to_key) {
        return Err(HubErr::conflict(&format!(
            "A {} repo named {to} already exists",
            t.as_str()
        )));
    }
    let mut repo = st.repos.remove(&from_ref.key()).expect("checked");
    repo.id.clone_from(&to);
    st.repos.insert(to_key.clone(), repo);
    st.redirects.remove(&to_key);
    for target in st.redirects.values_mut() {
        if *target == from {
            target.clone_from(&to);
        }
    }
    st.redirects.insert(from_ref.key(), to);
    shared.persist(&st)?;
    Ok((StatusCode::OK, "OK").into_response())
}

/// `PUT /api/{type}s/{id}/settings`
pub(super) async fn settings(
    shared: &Arc<Shared>,
    ctx: &Ctx,
    r: &RepoRef,
    body: Body,
) -> HubResult {
    let body = read_json(body).await?;
    let mut st = shared.state();
    let repo = find_repo_write(&mut st, ctx, r)?;
    if let Some(p) = body.get("private").and_then(Value::as_bool) {
        repo.private = p;
    }
    if let Some(v) = body.get("visibility").and_then(Value::as_str) {
        repo.private = v != "public";
    }
    match body.get("gated") {
        None | Some(Value::Null) => {}
        Some(Value::Bool(false)) => repo.gated = Gated::No,
        Some(Value::String(s)) if s == "auto" => repo.gated = Gated::Auto,
        Some(Value::String(s)) if s == "manual" => repo.gated = Gated::Manual,
        Some(other) => {
            return Err(HubErr::bad_request(&format!(
                "Invalid gated value {other}: use false, \"auto\" or \"manual\""
            )));
        }
    }
    let out = json!({"private": repo.private, "gated": repo.gated.to_json()});
    shared.persist(&st)?;
    ok_json(&out)
}

/// `GET /api/{type}s/{id}/auth-check[/write]`
pub(super) fn auth_check(shared: &Arc<Shared>, ctx: &Ctx, r: &RepoRef, write: bool) -> HubResult {
    let st = shared.state();
    let repo = find_repo(&st, ctx, r)?;
    if write && !st.can_write(ctx.caller.as_ref(), repo) {
        return Err(HubErr::forbidden(
            "You don't have write access to this repo",
        ));
    }
    if !st.passes_gate(ctx.caller.as_ref(), repo) {
        return Err(HubErr::gated(ctx.caller.as_ref(), repo));
    }
    ok_json(&json!({}))
}

/// `POST /api/{type}s/{id}/user-access-request/grant`
pub(super) async fn grant_access_route(
    shared: &Arc<Shared>,
    ctx: &Ctx,
    r: &RepoRef,
    body: Body,
) -> HubResult {
    let body = read_json(body).await?;
    let user = body
        .get("user")
        .and_then(Value::as_str)
        .ok_or_else(|| HubErr::bad_request("\"user\" is required"))?
        .to_owned();
    let mut st = shared.state();
    if !st.accounts.contains_key(&user) {
        return Err(HubErr::not_found(&format!("User {user} not found")));
    }
    let repo = find_repo_write(&mut st, ctx, r)?;
    if repo.gated == Gated::No {
        return Err(HubErr::bad_request("This repo is not gated"));
    }
    if repo.granted.contains(&user) {
        return Err(HubErr::bad_request(
            "This user already has access to this repo",
        ));
    }
    repo.set_access(&user, "accepted");
    shared.persist(&st)?;
    ok_json(&json!({}))
}

/// `GET /api/{type}s/{id}/user-access-request/{pending,accepted,rejected}`
pub(super) fn list_access_requests(
    shared: &Arc<Shared>,
    ctx: &Ctx,
    r: &RepoRef,
    status: &str,
) -> HubResult {
    let mut st = shared.state();
    let repo = find_repo_write(&mut st, ctx, r)?;
    if repo.gated == Gated::No {
        return Err(HubErr::bad_request("This repo is not gated"));
    }
    let items: Vec<Value> = repo
        .access_requests
        .iter()
        .filter(|(_, a)| a.status == status)
        .map(|(user, a)| {
            json!({
                "requestId": a.id,
                "user": {"user": user, "fullname": user, "email": format!("{user}@example.com"), "avatarUrl": "/avatars/default.svg", "type": "user"},
                "status": a.status,
                "timestamp": a.timestamp,
                "fields": {},
            })
        })
        .collect();
    ok_json(&Value::Array(items))
}

/// `POST /api/{type}s/{id}/user-access-request/handle` with `{"user"|"requestId", "status"}`
pub(super) async fn handle_access_request(
    shared: &Arc<Shared>,
    ctx: &Ctx,
    r: &RepoRef,
    body: Body,
) -> HubResult {
    let body = read_json(body).await?;
    let status = body
        .get("status")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    if !matches!(status.as_str(), "pending" | "accepted" | "rejected") {
        return Err(HubErr::bad_request(
            "status must be pending, accepted or rejected",
        ));
    }
    let mut st = shared.state();
    let repo = find_repo_write(&mut st, ctx, r)?;
    if repo.gated == Gated::No {
        return Err(HubErr::bad_request("This repo is not gated"));
    }
    let user = match (
        body.get("user").and_then(Value::as_str),
        body.get("requestId").and_then(Value::as_str),
    ) {
        (Some(u), _) => Some(u.to_owned()),
        (None, Some(id)) => repo
            .access_requests
            .iter()
            .find(|(_, a)| a.id == id)
            .map(|(u, _)| u.clone()),
        (None, None) => None,
    };
    let Some(user) = user.filter(|u| {
        repo.access_requests
            .get(u)
            .is_some_and(|a| a.status != status)
    }) else {
        return Err(HubErr::not_found(
            "No such access request (or it already has that status)",
        ));
    };
    repo.set_access(&user, &status);
    shared.persist(&st)?;
    ok_json(&json!({}))
}

/// Space options of `repos/create`: hardware, sleep time, storage, secrets, variables.
fn apply_space_options(sp: &mut crate::state::SpaceState, body: &Value) {
    let date = crate::state::now().0;
    if let Some(h) = body.get("hardware").and_then(Value::as_str) {
        h.clone_into(&mut sp.hardware);
    }
    if let Some(s) = body.get("sleepTimeSeconds").and_then(Value::as_u64) {
        sp.sleep_time = Some(s);
    }
    if let Some(s) = body.get("storageTier").and_then(Value::as_str) {
        sp.storage = Some(s.to_owned());
    }
    let entries = |k: &str| {
        body.get(k)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    for v in entries("variables") {
        if let (Some(key), Some(value)) = (v["key"].as_str(), v["value"].as_str()) {
            let d = v["description"].as_str().map(str::to_owned);
            sp.variables
                .insert(key.to_owned(), (value.to_owned(), d, date.clone()));
        }
    }
    for v in entries("secrets") {
        if let Some(key) = v["key"].as_str() {
            let d = v["description"].as_str().map(str::to_owned);
            sp.secrets.insert(key.to_owned(), (d, date.clone()));
        }
    }
}

//! Spaces: runtime, hardware, sleep time, pause/restart, storage, dev mode, variables,
//! secrets; and repo duplication (`/duplicate`, any repo type).

use std::sync::Arc;

use axum::body::Body;
use axum::response::IntoResponse;
use http::{Method, StatusCode};
use serde_json::{Map, Value, json};

use super::info::space_runtime_json;
use super::{Ctx, HubErr, HubResult, RepoRef, find_repo, find_repo_write, ok_json, read_json};
use crate::Shared;
use crate::state::{Repo, RepoType, new_commit, now, repo_key};

fn variables_json(repo: &Repo) -> Value {
    let m: Map<String, Value> = repo
        .space
        .variables
        .iter()
        .map(|(k, (value, description, updated))| {
            let mut v = json!({"value": value, "updatedAt": updated});
            if let Some(d) = description {
                v["description"] = json!(d);
            }
            (k.clone(), v)
        })
        .collect();
    Value::Object(m)
}

fn key_of(body: &Value) -> Result<String, HubErr> {
    body.get("key")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| HubErr::bad_request("\"key\" is required"))
}

/// Whether `/api/spaces/{id}/{what}` is a Space route for this method.
pub(super) fn is_route(m: &Method, what: &str) -> bool {
    matches!(
        (m, what),
        (&Method::GET, "runtime" | "variables" | "secrets")
            | (
                &Method::POST,
                "secrets"
                    | "variables"
                    | "hardware"
                    | "sleeptime"
                    | "pause"
                    | "restart"
                    | "storage"
                    | "dev-mode"
            )
            | (&Method::DELETE, "secrets" | "variables" | "storage")
    )
}

/// Handles a Space route (see [`is_route`]).
pub(super) async fn handle(
    shared: &Arc<Shared>,
    ctx: &Ctx,
    r: &RepoRef,
    what: &str,
    body: Body,
) -> HubResult {
    let m = &ctx.method;
    if *m == Method::GET {
        let st = shared.state();
        let repo = find_repo(&st, ctx, r)?;
        return match what {
            "runtime" => ok_json(&space_runtime_json(repo)),
            "variables" => ok_json(&variables_json(repo)),
            _ => {
                if !st.can_write(ctx.caller.as_ref(), repo) {
                    return Err(HubErr::forbidden("You need write access to list secrets"));
                }
                let m: Map<String, Value> = repo
                    .space
                    .secrets
                    .iter()
                    .map(|(k, (d, u))| (k.clone(), json!({"description": d, "updatedAt": u})))
                    .collect();
                ok_json(&Value::Object(m))
            }
        };
    }
    let body = read_json(body).await?;
    let mut st = shared.state();
    let repo = find_repo_write(&mut st, ctx, r)?;
    let sp = &mut repo.space;
    let (date, _) = now();
    let out = match (m.clone(), what) {
        (Method::POST, "secrets") => {
            let key = key_of(&body)?;
            let d = body
                .get("description")
                .and_then(Value::as_str)
                .map(str::to_owned);
            sp.secrets.insert(key, (d, date));
            json!({})
        }
        (Method::DELETE, "secrets") => {
            sp.secrets.remove(&key_of(&body)?);
            json!({})
        }
        (Method::POST, "variables") => {
            let key = key_of(&body)?;
            let value = body
                .get("value")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            let d = body
                .get("description")
                .and_then(Value::as_str)
                .map(str::to_owned);
            sp.variables.insert(key, (value, d, date));
            variables_json(repo)
        }
        (Method::DELETE, "variables") => {
            sp.variables.remove(&key_of(&body)?);
            variables_json(repo)
        }
        (Method::POST, "hardware") => {
            let flavor = body
                .get("flavor")
                .and_then(Value::as_str)
                .ok_or_else(|| HubErr::bad_request("\"flavor\" is required"))?;
            flavor.clone_into(&mut sp.hardware);
            if let Some(s) = body.get("sleepTimeSeconds").and_then(Value::as_u64) {
                sp.sleep_time = Some(s);
            }
            sp.paused = false;
            space_runtime_json(repo)
        }
        (Method::POST, "sleeptime") => {
            sp.sleep_time = body.get("seconds").and_then(Value::as_u64);
            space_runtime_json(repo)
        }
        (Method::POST, "pause") => {
            sp.paused = true;
            space_runtime_json(repo)
        }
        (Method::POST, "restart") => {
            sp.paused = false;
            space_runtime_json(repo)
        }
        (Method::POST, "storage") => {
            let tier = body
                .get("tier")
                .and_then(Value::as_str)
                .ok_or_else(|| HubErr::bad_request("\"tier\" is required"))?;
            sp.storage = Some(tier.to_owned());
            space_runtime_json(repo)
        }
        (Method::DELETE, "storage") => {
            sp.storage = None;
            space_runtime_json(repo)
        }
        (Method::POST, "dev-mode") => {
            sp.dev_mode = body
                .get("enabled")
                .and_then(Value::as_bool)
                .unwrap_or(false);
            space_runtime_json(repo)
        }
        _ => return Err(HubErr::not_found("unknown Space route")),
    };
    shared.persist(&st)?;
    ok_json(&out)
}

/// `POST /api/{type}s/{id}/duplicate` with `{"repository": "ns/name", "private"?|"visibility"?, ...}`
pub(super) async fn duplicate(
    shared: &Arc<Shared>,
    ctx: &Ctx,
    r: &RepoRef,
    body: Body,
) -> HubResult {
    let caller = ctx.caller.clone().ok_or_else(|| {
        HubErr::new(
            StatusCode::UNAUTHORIZED,
            None,
            "You must be authenticated to duplicate a repo",
        )
    })?;
    let body = read_json(body).await?;
    let to = body
        .get("repository")
        .and_then(Value::as_str)
        .ok_or_else(|| HubErr::bad_request("\"repository\" is required"))?
        .to_owned();
    let Some((ns, _)) = to.split_once('/') else {
        return Err(HubErr::bad_request("repository must be namespace/name"));
    };
    let mut st = shared.state();
    let src = find_repo(&st, ctx, r)?.clone();
    let url = format!("{}/{}{to}", ctx.base, r.repo_type.web_prefix());
    if !st.can_create_in(&caller, ns) {
        return Err(HubErr::forbidden(&format!(
            "You don't have the rights to create a {} under the namespace \"{ns}\"",
            r.repo_type.as_str()
        )));
    }
    if st.repos.contains_key(&repo_key(r.repo_type, &to)) {
        return Ok((
            StatusCode::CONFLICT,
            axum::Json(json!({"error": format!("You already created this {} repo", r.repo_type.as_str()), "url": url})),
        )
            .into_response());
    }
    let private = match body.get("visibility").and_then(Value::as_str) {
        Some(v) => v != "public",
        None => body
            .get("private")
            .and_then(Value::as_bool)
            .unwrap_or(src.private),
    };
    let files = src.main_head().map(|c| c.files.clone()).unwrap_or_default();
    let repo = st.create_repo(
        &shared.objects,
        r.repo_type,
        &to,
        private,
        &caller.user,
        src.sdk.clone(),
    )?;
    let head = repo.branches["main"].clone();
    let repo = st
        .repos
        .get_mut(&repo_key(r.repo_type, &to))
        .expect("just created");
    let id = new_commit(
        repo,
        vec![head],
        &caller.user,
        &format!("Duplicate from {}", src.id),
        "",
        files,
    );
    repo.branches.insert("main".to_owned(), id);
    if r.repo_type == RepoType::Space {
        repo.space.variables.clone_from(&src.space.variables);
        if let Some(h) = body.get("hardware").and_then(Value::as_str) {
            h.clone_into(&mut repo.space.hardware);
        }
    }
    shared.persist(&st)?;
    ok_json(&json!({"url": url, "filesCopyPending": false}))
}

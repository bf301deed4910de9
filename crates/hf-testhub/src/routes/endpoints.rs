//! Inference Endpoints (`/v2/endpoint/{ns}[/{name}[/pause|/resume|/scale-to-zero]]`), the
//! API the real service serves at `https://api.endpoints.huggingface.cloud/v2`.
//!
//! Nothing is deployed: a new endpoint is `running` at once and only the calls change its
//! state, so tests never wait. A running endpoint's `status.url` points at
//! `/_endpoints/{ns}/{name}` on the main listener, which answers 200 (for a client's
//! `wait()` probe) while the endpoint is running and 503 otherwise.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Body;
use axum::response::IntoResponse;
use http::{Method, StatusCode};
use serde_json::{Value, json};

use super::{Ctx, HubErr, HubResult, ok_json, read_json};
use crate::Shared;
use crate::state::endpoints::EndpointRec;
use crate::state::{HubState, RepoType, now, object_id, repo_key};

const ACTIONS: &[&str] = &["pause", "resume", "scale-to-zero"];

/// Whether the segments after `/v2/endpoint/` name an endpoint route (anything else falls
/// through to the repo routes, so a repo `v2/endpoint` still resolves).
pub(super) fn is_route(rest: &[&str]) -> bool {
    match rest {
        [_] | [_, _] => true,
        [_, _, action] => ACTIONS.contains(action),
        _ => false,
    }
}

/// Dispatches `/v2/endpoint/{ns}/...` (`rest` starts with the namespace).
pub(super) async fn route(shared: &Arc<Shared>, ctx: &Ctx, rest: &[&str], body: Body) -> HubResult {
    let Some(caller) = ctx.caller.as_ref() else {
        return Err(HubErr::new(
            StatusCode::UNAUTHORIZED,
            None,
            "Inference Endpoints need a token: pass `Authorization: Bearer <token>`",
        ));
    };
    let m = if ctx.method == Method::HEAD {
        Method::GET
    } else {
        ctx.method.clone()
    };
    let (ns, rest) = rest.split_first().expect("is_route checked the length");
    let ns = *ns;
    let body = match (&m, rest) {
        (&Method::POST, []) | (&Method::PUT, [_]) => read_json(body).await?,
        _ => Value::Null,
    };
    let mut st = shared.state();
    if !st.is_member(&caller.user, ns) {
        return Err(HubErr::forbidden(&format!(
            "User {} cannot access Inference Endpoints of namespace {ns}",
            caller.user
        )));
    }
    if m != Method::GET && !st.can_create_in(caller, ns) {
        return Err(HubErr::forbidden(&format!(
            "This token cannot manage Inference Endpoints of namespace {ns}: use a token with write access"
        )));
    }
    let user = caller.user.clone();
    let out = match (m, rest) {
        (Method::GET, []) => {
            let items: Vec<Value> = st
                .endpoints
                .get(ns)
                .into_iter()
                .flatten()
                .map(|(name, e)| endpoint_json(&st, &ctx.base, ns, name, e))
                .collect();
            return ok_json(&json!({ "items": items }));
        }
        (Method::GET, [name]) => {
            let e = find(&st, ns, name)?;
            return ok_json(&endpoint_json(&st, &ctx.base, ns, name, e));
        }
        (Method::POST, []) => {
            let (name, rec) = parse_create(&st, &body, &user)?;
            if st.endpoints.get(ns).is_some_and(|m| m.contains_key(&name)) {
                return Err(HubErr::conflict(&format!(
                    "An Inference Endpoint named {name} already exists in namespace {ns}"
                )));
            }
            let out = endpoint_json(&st, &ctx.base, ns, &name, &rec);
            st.endpoints
                .entry(ns.to_owned())
                .or_default()
                .insert(name, rec);
            out
        }
        (Method::PUT, [name]) => {
            let mut rec = find(&st, ns, name)?.clone();
            apply_update(&st, &mut rec, &body, &user)?;
            replace(&mut st, &ctx.base, ns, name, rec)
        }
        (Method::DELETE, [name]) => {
            find(&st, ns, name)?;
            let list = st.endpoints.get_mut(ns).expect("found above");
            list.remove(*name);
            if list.is_empty() {
                st.endpoints.remove(ns);
            }
            json!({})
        }
        (Method::POST, [name, action]) => {
            let mut rec = find(&st, ns, name)?.clone();
            let target = match *action {
                "pause" => "paused",
                "resume" if rec.state == "running" => {
                    return Err(HubErr::bad_request(&format!(
                        "Inference Endpoint {name} is already running"
                    )));
                }
                "resume" => "running",
                _ => "scaledToZero",
            };
            target.clone_into(&mut rec.state);
            touch(&mut rec, &user);
            replace(&mut st, &ctx.base, ns, name, rec)
        }
        _ => {
            return Err(HubErr::new(
                StatusCode::METHOD_NOT_ALLOWED,
                None,
                &format!("{} is not allowed here", ctx.method),
            ));
        }
    };
    shared.persist(&st)?;
    ok_json(&out)
}

/// `GET /_endpoints/{ns}/{name}`: what a deployed endpoint's URL answers to a probe.
pub(super) fn probe(shared: &Arc<Shared>, ctx: &Ctx, ns: &str, name: &str) -> HubResult {
    let st = shared.state();
    let e = find(&st, ns, name)?;
    if e.kind != "public" && ctx.caller.is_none() {
        return Err(HubErr::new(
            StatusCode::UNAUTHORIZED,
            None,
            "This Inference Endpoint is not public: pass a token",
        ));
    }
    if e.state == "running" {
        Ok(StatusCode::OK.into_response())
    } else {
        Err(HubErr::new(
            StatusCode::SERVICE_UNAVAILABLE,
            None,
            &format!("Inference Endpoint {name} is {}", e.state),
        ))
    }
}

fn find<'a>(st: &'a HubState, ns: &str, name: &str) -> Result<&'a EndpointRec, HubErr> {
    st.endpoints
        .get(ns)
        .and_then(|m| m.get(name))
        .ok_or_else(|| {
            HubErr::not_found(&format!(
                "Inference Endpoint {name} not found in namespace {ns}"
            ))
        })
}

/// Stores the changed copy of an existing endpoint; returns its JSON.
fn replace(st: &mut HubState, base: &str, ns: &str, name: &str, rec: EndpointRec) -> Value {
    let out = endpoint_json(st, base, ns, name, &rec);
    st.endpoints
        .get_mut(ns)
        .expect("the caller found it")
        .insert(name.to_owned(), rec);
    out
}

fn touch(rec: &mut EndpointRec, user: &str) {
    rec.updated_at = now().0;
    user.clone_into(&mut rec.updated_by);
}

/// The endpoint in the API's shape (see the fixtures `inference-endpoint__*.json`).
fn endpoint_json(st: &HubState, base: &str, ns: &str, name: &str, e: &EndpointRec) -> Value {
    let who = |user: &str| {
        let id = st.accounts.get(user).map_or_else(
            || object_id(&format!("account:{user}")),
            |a| a.object_id.clone(),
        );
        json!({"id": id, "name": user})
    };
    let running = e.state == "running";
    let replicas = if running { e.min_replica.max(1) } else { 0 };
    let message = match e.state.as_str() {
        "running" => "Endpoint is ready",
        "paused" => "Endpoint is paused",
        "scaledToZero" => "Endpoint is scaled to zero",
        _ => "",
    };
    let mut model = json!({
        "repository": e.repository,
        "revision": e.revision,
        "task": e.task,
        "framework": e.framework,
        "image": e.image,
    });
    if !e.secrets.is_empty() {
        model["secrets"] = json!(e.secrets);
    }
    let mut status = json!({
        "createdAt": e.created_at,
        "createdBy": who(&e.created_by),
        "updatedAt": e.updated_at,
        "updatedBy": who(&e.updated_by),
        "private": null,
        "state": e.state,
        "message": message,
        "readyReplica": replicas,
        "targetReplica": replicas,
    });
    if running {
        status["url"] = json!(format!("{base}/_endpoints/{ns}/{name}"));
    }
    json!({
        "name": name,
        "type": e.kind,
        "accountId": e.account_id,
        "provider": {"vendor": e.vendor, "region": e.region},
        "healthRoute": "/health",
        "compute": {
            "accelerator": e.accelerator,
            "instanceType": e.instance_type,
            "instanceSize": e.instance_size,
            "scaling": {
                "minReplica": e.min_replica,
                "maxReplica": e.max_replica,
                "scaleToZeroTimeout": e.scale_to_zero_timeout,
            },
        },
        "model": model,
        "status": status,
    })
}

/// `body.a.b...`, treating `null` as absent.
fn at<'a>(body: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter()
        .try_fold(body, |v, k| v.get(k))
        .filter(|v| !v.is_null())
}

fn wrong_type(path: &[&str], what: &str) -> HubErr {
    HubErr::bad_request(&format!(
        "Invalid request body: `{}` must be {what}",
        path.join(".")
    ))
}

fn opt_str(body: &Value, path: &[&str]) -> Result<Option<String>, HubErr> {
    at(body, path)
        .map(|v| {
            v.as_str()
                .map(str::to_owned)
                .ok_or_else(|| wrong_type(path, "a string"))
        })
        .transpose()
}

fn opt_u64(body: &Value, path: &[&str]) -> Result<Option<u64>, HubErr> {
    at(body, path)
        .map(|v| {
            v.as_u64()
                .ok_or_else(|| wrong_type(path, "a non-negative integer"))
        })
        .transpose()
}

fn required<T>(v: Option<T>, path: &[&str]) -> Result<T, HubErr> {
    v.ok_or_else(|| {
        HubErr::bad_request(&format!(
            "Invalid request body: missing required field `{}`",
            path.join(".")
        ))
    })
}

fn req_str(body: &Value, path: &[&str]) -> Result<String, HubErr> {
    required(opt_str(body, path)?, path)
}

fn opt_image(body: &Value) -> Result<Option<Value>, HubErr> {
    let path = ["model", "image"];
    match at(body, &path) {
        None => Ok(None),
        Some(v @ Value::Object(m))
            if m.len() == 1 && (m.contains_key("huggingface") || m.contains_key("custom")) =>
        {
            Ok(Some(v.clone()))
        }
        Some(_) => Err(wrong_type(
            &path,
            "`{\"huggingface\": {}}` or `{\"custom\": {...}}`",
        )),
    }
}

fn opt_secrets(body: &Value) -> Result<Option<BTreeMap<String, String>>, HubErr> {
    let path = ["model", "secrets"];
    at(body, &path)
        .map(|v| {
            let bad = || wrong_type(&path, "an object of strings");
            v.as_object()
                .ok_or_else(bad)?
                .iter()
                .map(|(k, v)| Ok((k.clone(), v.as_str().ok_or_else(bad)?.to_owned())))
                .collect()
        })
        .transpose()
}

fn check_kind(kind: &str) -> Result<(), HubErr> {
    if matches!(kind, "public" | "protected" | "private" | "authenticated") {
        Ok(())
    } else {
        Err(HubErr::bad_request(&format!(
            "Invalid request body: `type` must be one of public, protected, private, authenticated (got {kind})"
        )))
    }
}

fn check_replicas(min: u64, max: u64) -> Result<(), HubErr> {
    if min > max {
        return Err(HubErr::bad_request(&format!(
            "Invalid request body: `compute.scaling.minReplica` ({min}) is greater than `maxReplica` ({max})"
        )));
    }
    Ok(())
}

/// The service's name rule: 1 to 32 lowercase letters, digits and dashes.
fn check_name(name: &str) -> Result<(), HubErr> {
    let ok = (1..=32).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-');
    if ok {
        Ok(())
    } else {
        Err(HubErr::bad_request(&format!(
            "Invalid endpoint name {name:?}: use 1 to 32 lowercase letters, digits and dashes (not at either end)"
        )))
    }
}

/// The `main` head of a model repo the emulator holds, as the service pins a revision.
fn default_revision(st: &HubState, repository: &str) -> Option<String> {
    st.repos
        .get(&repo_key(RepoType::Model, repository))
        .and_then(|r| r.main_head())
        .map(|c| c.id.clone())
}

fn parse_create(st: &HubState, body: &Value, user: &str) -> Result<(String, EndpointRec), HubErr> {
    if !body.is_object() {
        return Err(HubErr::bad_request(
            "Invalid request body: expected a JSON object",
        ));
    }
    let name = req_str(body, &["name"])?;
    check_name(&name)?;
    let kind = req_str(body, &["type"])?;
    check_kind(&kind)?;
    let scaling = |k: &str| opt_u64(body, &["compute", "scaling", k]);
    let min_replica = required(
        scaling("minReplica")?,
        &["compute", "scaling", "minReplica"],
    )?;
    let max_replica = required(
        scaling("maxReplica")?,
        &["compute", "scaling", "maxReplica"],
    )?;
    check_replicas(min_replica, max_replica)?;
    let repository = req_str(body, &["model", "repository"])?;
    let revision = match opt_str(body, &["model", "revision"])? {
        Some(r) => Some(r),
        None => default_revision(st, &repository),
    };
    let (date, _) = now();
    let rec = EndpointRec {
        kind,
        account_id: opt_str(body, &["accountId"])?,
        accelerator: req_str(body, &["compute", "accelerator"])?,
        instance_size: req_str(body, &["compute", "instanceSize"])?,
        instance_type: req_str(body, &["compute", "instanceType"])?,
        min_replica,
        max_replica,
        scale_to_zero_timeout: scaling("scaleToZeroTimeout")?,
        framework: req_str(body, &["model", "framework"])?,
        repository,
        revision,
        task: opt_str(body, &["model", "task"])?,
        image: opt_image(body)?.unwrap_or_else(|| json!({"huggingface": {}})),
        secrets: opt_secrets(body)?.unwrap_or_default(),
        region: req_str(body, &["provider", "region"])?,
        vendor: req_str(body, &["provider", "vendor"])?,
        state: "running".to_owned(),
        created_at: date.clone(),
        created_by: user.to_owned(),
        updated_at: date,
        updated_by: user.to_owned(),
    };
    Ok((name, rec))
}

/// Applies the fields a `PUT` provides (absent and `null` ones keep their value).
fn apply_update(
    st: &HubState,
    rec: &mut EndpointRec,
    body: &Value,
    user: &str,
) -> Result<(), HubErr> {
    if !body.is_object() {
        return Err(HubErr::bad_request(
            "Invalid request body: expected a JSON object",
        ));
    }
    let mut next = rec.clone();
    for (path, field) in [
        (["compute", "accelerator"], &mut next.accelerator),
        (["compute", "instanceSize"], &mut next.instance_size),
        (["compute", "instanceType"], &mut next.instance_type),
        (["model", "framework"], &mut next.framework),
    ] {
        if let Some(v) = opt_str(body, &path)? {
            *field = v;
        }
    }
    for (key, field) in [
        ("minReplica", &mut next.min_replica),
        ("maxReplica", &mut next.max_replica),
    ] {
        if let Some(v) = opt_u64(body, &["compute", "scaling", key])? {
            *field = v;
        }
    }
    check_replicas(next.min_replica, next.max_replica)?;
    if let Some(v) = opt_u64(body, &["compute", "scaling", "scaleToZeroTimeout"])? {
        next.scale_to_zero_timeout = Some(v);
    }
    let revision = opt_str(body, &["model", "revision"])?;
    if let Some(repository) = opt_str(body, &["model", "repository"])? {
        // A new repository without a revision is pinned afresh, not to the old one's commit.
        if repository != next.repository && revision.is_none() {
            next.revision = default_revision(st, &repository);
        }
        next.repository = repository;
    }
    if revision.is_some() {
        next.revision = revision;
    }
    if let Some(task) = opt_str(body, &["model", "task"])? {
        next.task = Some(task);
    }
    if let Some(image) = opt_image(body)? {
        next.image = image;
    }
    if let Some(secrets) = opt_secrets(body)? {
        next.secrets = secrets;
    }
    touch(&mut next, user);
    *rec = next;
    Ok(())
}

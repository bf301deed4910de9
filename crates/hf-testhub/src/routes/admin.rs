//! The control API under `/_testhub/` on the main listener, so that tests driving the
//! binary from another process (the Python interop suite) can do what the library API does.
//! It needs no token, is never logged and never faulted.
//!
//! The routes are documented in the crate docs ("Out-of-process use").

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::response::IntoResponse as _;
use http::{Method, StatusCode};
use serde_json::{Value, json};

use super::{HubErr, HubResult, ok_json, read_json};
use crate::log::Listener;
use crate::state::{RepoType, Role, TokenRec, now};
use crate::{FaultRule, Shared};

fn rule_from_json(v: &Value) -> Result<FaultRule, HubErr> {
    let method = match v.get("method").and_then(Value::as_str) {
        Some(m) => Some(
            Method::from_bytes(m.to_ascii_uppercase().as_bytes())
                .map_err(|_| HubErr::bad_request(&format!("invalid method {m}")))?,
        ),
        None => None,
    };
    let mut rule = if let Some(re) = v.get("regex").and_then(Value::as_str) {
        FaultRule::regex(method, re)
            .map_err(|e| HubErr::bad_request(&format!("invalid regex: {e}")))?
    } else {
        let prefix = v.get("path").and_then(Value::as_str).unwrap_or("/");
        match method {
            Some(m) => FaultRule::new(m, prefix),
            None => FaultRule::any_method(prefix),
        }
    };
    let num = |k: &str| v.get(k).and_then(Value::as_u64);
    match v.get("listener").and_then(Value::as_str) {
        Some("main") => rule = rule.on(Listener::Main),
        Some("cdn") => rule = rule.on(Listener::Cdn),
        Some(other) => return Err(HubErr::bad_request(&format!("unknown listener {other}"))),
        None => {}
    }
    if let Some(n) = num("times") {
        rule = rule.times(u32::try_from(n).unwrap_or(u32::MAX));
    }
    if let Some(s) = num("status") {
        rule = rule.fail(u16::try_from(s).unwrap_or(503));
    }
    if let Some(s) = num("retry_after") {
        rule = rule.retry_after(s);
    }
    if let Some(ms) = num("delay_ms") {
        rule = rule.delay(Duration::from_millis(ms));
    }
    if let Some(n) = num("drop_after") {
        rule = rule.drop_after(n);
    }
    if let Some(n) = num("stall_after") {
        rule = rule.stall_after(n);
    }
    if let Some(n) = num("truncate_after") {
        rule = rule.truncate_after(n);
    }
    if let Some(n) = num("corrupt_at") {
        rule = rule.corrupt_at(n);
    }
    if let Some(n) = num("throttle_bps") {
        rule = rule.throttle(n);
    }
    if let Some(p) = v.get("chaos").and_then(Value::as_f64) {
        rule = rule.chaos(p, num("seed").unwrap_or(0));
    }
    Ok(rule)
}

/// Handles `/_testhub/...`.
pub(super) async fn handle(
    shared: &Arc<Shared>,
    method: &Method,
    what: &str,
    body: Body,
) -> HubResult {
    match (method.clone(), what) {
        (Method::POST, "faults") => {
            let rule = rule_from_json(&read_json(body).await?)?;
            shared.faults.lock().expect("faults lock").push(rule);
            ok_json(&json!({}))
        }
        (Method::DELETE, "faults") => {
            shared.faults.lock().expect("faults lock").clear();
            ok_json(&json!({}))
        }
        (Method::GET, "requests") => {
            let log = shared.log.lock().expect("log lock");
            let items: Vec<Value> = log
                .iter()
                .map(|r| {
                    let headers: serde_json::Map<String, Value> = r
                        .headers
                        .iter()
                        .map(|(k, v)| {
                            let value = if k == http::header::AUTHORIZATION {
                                "***".to_owned()
                            } else {
                                String::from_utf8_lossy(v.as_bytes()).into_owned()
                            };
                            (k.as_str().to_owned(), json!(value))
                        })
                        .collect();
                    json!({
                        "listener": match r.listener { Listener::Main => "main", Listener::Cdn => "cdn" },
                        "method": r.method.as_str(),
                        "path": r.path_and_query,
                        "headers": headers,
                        "body_bytes": r.body_bytes,
                        "status": r.status.as_u16(),
                        "peer": r.peer.map(|p| p.to_string()),
                    })
                })
                .collect();
            ok_json(&Value::Array(items))
        }
        (Method::DELETE, "requests") => {
            shared.log.lock().expect("log lock").clear();
            ok_json(&json!({}))
        }
        (Method::POST, "users") => {
            let v = read_json(body).await?;
            let name = v
                .get("name")
                .and_then(Value::as_str)
                .ok_or_else(|| HubErr::bad_request("\"name\" is required"))?;
            let is_org = v.get("org").and_then(Value::as_bool).unwrap_or(false);
            let members: Vec<&str> = v
                .get("members")
                .and_then(Value::as_array)
                .map(|m| m.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let mut st = shared.state();
            st.add_account(name, is_org, &members);
            if let Some(token) = v.get("token").and_then(Value::as_str) {
                let role = match v.get("role").and_then(Value::as_str) {
                    Some("read") => Role::Read,
                    _ => Role::Write,
                };
                st.tokens.insert(
                    token.to_owned(),
                    TokenRec {
                        user: name.to_owned(),
                        role,
                        display_name: format!("{name}-token"),
                        created_at: now().0,
                    },
                );
            }
            shared.persist(&st)?;
            ok_json(&json!({}))
        }
        (Method::POST, what @ ("grant" | "request-access")) => {
            let v = read_json(body).await?;
            let t = v
                .get("repo_type")
                .and_then(Value::as_str)
                .map_or(Some(RepoType::Model), RepoType::from_singular)
                .ok_or_else(|| HubErr::bad_request("invalid repo_type"))?;
            let (Some(id), Some(user)) = (
                v.get("repo_id").and_then(Value::as_str),
                v.get("user").and_then(Value::as_str),
            ) else {
                return Err(HubErr::bad_request("\"repo_id\" and \"user\" are required"));
            };
            let mut st = shared.state();
            let repo = st
                .repos
                .get_mut(&crate::state::repo_key(t, id))
                .ok_or_else(|| HubErr::not_found(&format!("no {} {id}", t.as_str())))?;
            let status = if what == "grant" || repo.gated == crate::state::Gated::Auto {
                "accepted"
            } else {
                "pending"
            };
            repo.set_access(user, status);
            shared.persist(&st)?;
            ok_json(&json!({}))
        }
        (Method::POST, "papers") => {
            let v = read_json(body).await?;
            let text = |k: &str| {
                v.get(k)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned()
            };
            let id = text("id");
            if id.is_empty() {
                return Err(HubErr::bad_request("\"id\" is required"));
            }
            let authors: Vec<Value> = v
                .get("authors")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(|n| json!({"name": n, "hidden": false}))
                        .collect()
                })
                .unwrap_or_default();
            let date = now().0;
            let mut st = shared.state();
            st.papers.insert(
                id.clone(),
                json!({
                    "id": id, "title": text("title"), "summary": text("summary"), "authors": authors,
                    "publishedAt": date, "submittedOnDailyAt": date, "upvotes": 0, "numComments": 0,
                    "discussionId": crate::state::object_id(&format!("paper:{id}")),
                }),
            );
            shared.persist(&st)?;
            ok_json(&json!({}))
        }
        (Method::POST, "check-lfs") => {
            let root = shared.objects.lfs_dir();
            let report = tokio::task::spawn_blocking(move || super::cdn::check_lfs_objects(&root))
                .await
                .map_err(HubErr::internal)??;
            // A status says it all to scripts: 409 when any object is not what it claims.
            let clean = report["bad"].as_array().is_some_and(Vec::is_empty);
            let status = if clean {
                StatusCode::OK
            } else {
                StatusCode::CONFLICT
            };
            Ok((status, axum::Json(report)).into_response())
        }
        (Method::POST, "page-size") => {
            let v = read_json(body).await?;
            let n = v.get("page_size").and_then(Value::as_u64).unwrap_or(0);
            shared.cfg.page_size.store(
                usize::try_from(n).unwrap_or(0),
                std::sync::atomic::Ordering::Relaxed,
            );
            ok_json(&json!({}))
        }
        _ => Err(HubErr::new(
            StatusCode::NOT_FOUND,
            None,
            &format!("unknown control route {method} /_testhub/{what}"),
        )),
    }
}

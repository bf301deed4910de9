//! Webhooks (`/api/settings/webhooks[/{id}[/enable|/disable]]`): stored and listed per
//! user; the emulator never delivers them.

use std::sync::Arc;

use axum::body::Body;
use http::{Method, StatusCode};
use serde_json::{Value, json};

use super::{Ctx, HubErr, HubResult, ok_json, read_json};
use crate::Shared;
use crate::state::{now, object_id};

/// Dispatches everything under `/api/settings/webhooks`.
pub(super) async fn route(shared: &Arc<Shared>, ctx: &Ctx, rest: &[&str], body: Body) -> HubResult {
    let Some(user) = ctx.caller.as_ref().map(|c| c.user.clone()) else {
        return Err(HubErr::new(
            StatusCode::UNAUTHORIZED,
            None,
            "You must be authenticated to manage webhooks",
        ));
    };
    let body = match ctx.method {
        Method::POST => read_json(body).await?,
        _ => json!({}),
    };
    let mut st = shared.state();
    let out = match (ctx.method.clone(), rest) {
        (Method::GET, []) => {
            let list: Vec<Value> = st
                .webhooks
                .values()
                .filter(|(owner, _)| *owner == user)
                .map(|(_, w)| w.clone())
                .collect();
            return ok_json(&Value::Array(list));
        }
        (Method::POST, []) => {
            let id = object_id(&format!("webhook:{user}:{}:{body}", now().0));
            let w = json!({
                "id": id,
                "url": body.get("url").cloned().unwrap_or(Value::Null),
                "watched": body.get("watched").cloned().unwrap_or_else(|| json!([])),
                "domains": body.get("domains").filter(|d| !d.is_null()).cloned().unwrap_or_else(|| json!(["repo", "discussion"])),
                "secret": body.get("secret").cloned().unwrap_or(Value::Null),
                "disabled": false,
            });
            st.webhooks.insert(id, (user, w.clone()));
            json!({"webhook": w})
        }
        (m, [id, action @ ..]) => {
            let Some((_, w)) = st.webhooks.get_mut(*id).filter(|(owner, _)| *owner == user) else {
                return Err(HubErr::not_found(&format!("Webhook {id} not found")));
            };
            match (m, action) {
                (Method::GET, []) => json!({"webhook": w}),
                (Method::POST, []) => {
                    for key in ["url", "watched", "domains", "secret"] {
                        if let Some(v) = body.get(key).filter(|v| !v.is_null()) {
                            w[key] = v.clone();
                        }
                    }
                    json!({"webhook": w})
                }
                (Method::POST, ["enable" | "disable"]) => {
                    w["disabled"] = json!(action[0] == "disable");
                    json!({"webhook": w})
                }
                (Method::DELETE, []) => {
                    st.webhooks.remove(*id);
                    json!({})
                }
                _ => {
                    return Err(HubErr::not_found(
                        "Sorry, we can't find the page you are looking for",
                    ));
                }
            }
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

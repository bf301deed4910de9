//! The git-LFS batch API (`POST /{prefix}{id}.git/info/lfs/objects/batch`) and verify.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::body::Body;
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode, header};
use serde_json::{Value, json};

use super::{Ctx, HubErr, HubResult, RepoRef, find_repo, read_json};
use crate::Shared;

const LFS_JSON: &str = "application/vnd.git-lfs+json";

fn lfs_response(v: &Value) -> Response {
    let mut resp = (StatusCode::OK, axum::Json(v)).into_response();
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(LFS_JSON));
    resp
}

/// `POST {prefix}{id}.git/info/lfs/objects/batch`
pub(super) async fn batch(shared: &Arc<Shared>, ctx: &Ctx, r: &RepoRef, body: Body) -> HubResult {
    let body = read_json(body).await?;
    let operation = body
        .get("operation")
        .and_then(Value::as_str)
        .unwrap_or("download");
    let has_ref = body.get("ref").is_some_and(|v| !v.is_null());
    {
        let st = shared.state();
        let repo = find_repo(&st, ctx, r)?;
        // Without `ref` the upload is for a pull request: read access is enough.
        if operation == "upload" && has_ref && !st.can_write(ctx.caller.as_ref(), repo) {
            return Err(HubErr::forbidden(&format!(
                "You don't have the rights to write to {} {}",
                repo.repo_type.as_str(),
                repo.id
            )));
        }
        if operation == "download" && !st.passes_gate(ctx.caller.as_ref(), repo) {
            return Err(HubErr::gated(ctx.caller.as_ref(), repo));
        }
    }
    let multipart_ok = body
        .get("transfers")
        .and_then(Value::as_array)
        .is_some_and(|t| t.iter().any(|v| v == "multipart"));
    let chunk = shared.cfg.chunk_size.load(Ordering::Relaxed);
    let verify_href = format!(
        "{}/{}{}.git/info/lfs/objects/verify",
        ctx.base,
        r.repo_type.web_prefix(),
        r.id
    );
    let mut transfer = "basic";
    let mut out = Vec::new();
    for obj in body
        .get("objects")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let oid = obj
            .get("oid")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let size = obj.get("size").and_then(Value::as_u64);
        let valid = oid.len() == 64
            && oid
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase());
        let Some(size) = size.filter(|_| valid) else {
            out.push(json!({"oid": oid, "size": obj.get("size"), "error": {"code": 422, "message": "Invalid oid or size"}}));
            continue;
        };
        let present = shared.objects.lfs_size(&oid);
        if operation == "download" {
            match present {
                Some(s) => out.push(json!({
                    "oid": oid, "size": s,
                    "actions": {"download": {"href": shared.signed_cdn_url(&format!("/lfs/{oid}"), &[]), "header": {}}},
                })),
                None => out.push(json!({"oid": oid, "size": size, "error": {"code": 404, "message": "Object does not exist"}})),
            }
            continue;
        }
        if present == Some(size) {
            // Already stored: no `actions` at all (an explicit null breaks 0.26.5).
            out.push(json!({"oid": oid, "size": size}));
            continue;
        }
        let verify = json!({"href": verify_href});
        if multipart_ok && size > chunk {
            transfer = "multipart";
            let extra = [("size", size.to_string()), ("chunk", chunk.to_string())];
            let mut header = serde_json::Map::new();
            header.insert("chunk_size".into(), json!(chunk.to_string()));
            for n in 1..=size.div_ceil(chunk) {
                header.insert(
                    n.to_string(),
                    json!(shared.signed_cdn_url(&format!("/multipart/{oid}/{n}"), &extra)),
                );
            }
            let complete = shared.signed_cdn_url(&format!("/multipart/{oid}/complete"), &extra);
            out.push(json!({
                "oid": oid, "size": size,
                "actions": {"upload": {"href": complete, "header": header}, "verify": verify},
            }));
        } else {
            let href =
                shared.signed_cdn_url(&format!("/upload/{oid}"), &[("size", size.to_string())]);
            out.push(json!({
                "oid": oid, "size": size,
                "actions": {"upload": {"href": href}, "verify": verify},
            }));
        }
    }
    Ok(lfs_response(
        &json!({"transfer": transfer, "objects": out, "hash_algo": "sha256"}),
    ))
}

/// `POST {prefix}{id}.git/info/lfs/objects/verify` with `{"oid", "size"}`
pub(super) async fn verify(shared: &Arc<Shared>, ctx: &Ctx, r: &RepoRef, body: Body) -> HubResult {
    let body = read_json(body).await?;
    {
        let st = shared.state();
        find_repo(&st, ctx, r)?;
    }
    let oid = body.get("oid").and_then(Value::as_str).unwrap_or_default();
    let size = body.get("size").and_then(Value::as_u64);
    match shared.objects.lfs_size(oid) {
        Some(s) if size.is_none_or(|want| want == s) => Ok(lfs_response(&json!({}))),
        Some(s) => Err(HubErr::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            &format!(
                "Object {oid} has size {s}, not {}",
                size.unwrap_or_default()
            ),
        )),
        None => Err(HubErr::not_found(&format!(
            "Object {oid} was not uploaded; upload it before verifying"
        ))),
    }
}

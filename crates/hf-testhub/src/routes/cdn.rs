//! The "CDN" listener: signed downloads of LFS objects and pre-signed upload targets
//! (basic `PUT`, multipart part `PUT`s and the completion `POST`). Nothing here reads
//! `Authorization`; the signature in the query is the only credential.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use super::{HubErr, HubResult, read_json};
use crate::Shared;

/// A streamed upload in a temp file, with its size and sha256.
pub(crate) struct Spooled {
    pub(crate) file: tempfile::NamedTempFile,
    pub(crate) size: u64,
    pub(crate) sha256: String,
}

/// Streams a request body to a temp file in `dir`, hashing it on the way.
pub(crate) async fn spool(body: Body, dir: &Path) -> Result<Spooled, HubErr> {
    let tmp = tempfile::NamedTempFile::new_in(dir)?;
    let std_file = tmp.as_file().try_clone()?;
    let mut out = tokio::io::BufWriter::with_capacity(1 << 20, tokio::fs::File::from_std(std_file));
    let mut hasher = Sha256::new();
    let mut size = 0u64;
    let mut stream = body.into_data_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| HubErr::bad_request(&format!("upload interrupted: {e}")))?;
        hasher.update(&chunk);
        size += chunk.len() as u64;
        out.write_all(&chunk).await?;
    }
    out.flush().await?;
    Ok(Spooled {
        file: tmp,
        size,
        sha256: hex::encode(hasher.finalize()),
    })
}

fn is_sha256(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

fn query_u64(query: &[(String, String)], key: &str) -> Option<u64> {
    query
        .iter()
        .find(|(k, _)| k == key)
        .and_then(|(_, v)| v.parse().ok())
}

fn part_dir(shared: &Shared, oid: &str) -> PathBuf {
    shared.objects.tmp_dir().join(format!("multipart-{oid}"))
}

/// The fallback handler of the CDN listener.
pub(crate) async fn cdn_dispatch(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let path = parts.uri.path().to_owned();
    let raw_query = parts.uri.query().unwrap_or("").to_owned();
    if let Err(why) = shared.verify_signed(&path, &raw_query) {
        return HubErr::new(
            StatusCode::FORBIDDEN,
            None,
            &format!("Access denied: {why}"),
        )
        .into_response();
    }
    let query: Vec<(String, String)> = serde_urlencoded::from_str(&raw_query).unwrap_or_default();
    let segs: Vec<&str> = path.split('/').skip(1).collect();
    let result = match (parts.method.clone(), segs.as_slice()) {
        (Method::GET | Method::HEAD, ["lfs", oid]) if is_sha256(oid) => {
            download(&shared, oid, &parts.headers, parts.method == Method::HEAD).await
        }
        (Method::PUT, ["upload", oid]) if is_sha256(oid) => {
            upload_basic(&shared, oid, query_u64(&query, "size"), body).await
        }
        (Method::PUT, ["multipart", oid, part]) if is_sha256(oid) => {
            upload_part(&shared, oid, part, body).await
        }
        (Method::POST, ["multipart", oid, "complete"]) if is_sha256(oid) => {
            complete(
                &shared,
                oid,
                query_u64(&query, "size"),
                query_u64(&query, "chunk"),
                body,
            )
            .await
        }
        _ => Err(HubErr::not_found("No such object")),
    };
    match result {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

async fn download(shared: &Shared, oid: &str, headers: &HeaderMap, head: bool) -> HubResult {
    let Some(size) = shared.objects.lfs_size(oid) else {
        return Err(HubErr::not_found("No such object"));
    };
    let mut h = HeaderMap::new();
    h.insert(
        header::ETAG,
        HeaderValue::from_str(&format!("\"{oid}\"")).expect("hex"),
    );
    Ok(super::resolve::serve_file(&shared.objects.lfs_path(oid), size, headers, head, h).await)
}

/// Verifies a spooled upload against the announced oid/size and stores it.
fn store(shared: &Shared, oid: &str, size: Option<u64>, spooled: Spooled) -> HubResult {
    if spooled.sha256 != oid {
        return Err(HubErr::bad_request(&format!(
            "Uploaded content has sha256 {} but {oid} was announced",
            spooled.sha256
        )));
    }
    if size.is_some_and(|s| s != spooled.size) {
        return Err(HubErr::bad_request(&format!(
            "Uploaded {} bytes but {} were announced",
            spooled.size,
            size.unwrap_or_default()
        )));
    }
    spooled
        .file
        .persist(shared.objects.lfs_path(oid))
        .map_err(|e| HubErr::internal(e.error))?;
    Ok(StatusCode::OK.into_response())
}

async fn upload_basic(shared: &Shared, oid: &str, size: Option<u64>, body: Body) -> HubResult {
    let spooled = spool(body, &shared.objects.tmp_dir()).await?;
    store(shared, oid, size, spooled)
}

async fn upload_part(shared: &Shared, oid: &str, part: &str, body: Body) -> HubResult {
    let n: u32 = part
        .parse()
        .ok()
        .filter(|n| *n >= 1)
        .ok_or_else(|| HubErr::bad_request("part numbers start at 1"))?;
    let dir = part_dir(shared, oid);
    tokio::fs::create_dir_all(&dir).await?;
    let spooled = spool(body, &dir).await?;
    let etag = format!("\"{}\"", &spooled.sha256[..32]);
    spooled
        .file
        .persist(dir.join(format!("part-{n}")))
        .map_err(|e| HubErr::internal(e.error))?;
    tokio::fs::write(dir.join(format!("part-{n}.etag")), &etag).await?;
    let mut resp = StatusCode::OK.into_response();
    resp.headers_mut()
        .insert(header::ETAG, HeaderValue::from_str(&etag).expect("hex"));
    Ok(resp)
}

async fn complete(
    shared: &Shared,
    oid: &str,
    size: Option<u64>,
    chunk: Option<u64>,
    body: Body,
) -> HubResult {
    let body = read_json(body).await?;
    let (Some(size), Some(chunk)) = (size, chunk) else {
        return Err(HubErr::bad_request("completion URL lacks size/chunk"));
    };
    if body.get("oid").and_then(Value::as_str) != Some(oid) {
        return Err(HubErr::bad_request("completion body names another oid"));
    }
    let expected = size.div_ceil(chunk) as usize;
    let parts = body
        .get("parts")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if parts.len() != expected {
        return Err(HubErr::bad_request(&format!(
            "expected {expected} parts, got {}",
            parts.len()
        )));
    }
    let dir = part_dir(shared, oid);
    let mut files = Vec::new();
    for (i, p) in parts.iter().enumerate() {
        let n = p.get("partNumber").and_then(Value::as_u64).unwrap_or(0);
        if n != i as u64 + 1 {
            return Err(HubErr::bad_request("parts must be listed in order from 1"));
        }
        let etag = p.get("etag").and_then(Value::as_str).unwrap_or_default();
        let stored = tokio::fs::read_to_string(dir.join(format!("part-{n}.etag")))
            .await
            .map_err(|_| HubErr::bad_request(&format!("part {n} was never uploaded")))?;
        if stored != etag {
            return Err(HubErr::bad_request(&format!(
                "etag of part {n} does not match"
            )));
        }
        files.push(dir.join(format!("part-{n}")));
    }
    let tmp_dir = shared.objects.tmp_dir();
    let spooled = tokio::task::spawn_blocking(move || -> std::io::Result<Spooled> {
        let mut tmp = tempfile::NamedTempFile::new_in(tmp_dir)?;
        let mut hasher = Sha256::new();
        let mut total = 0u64;
        let mut buf = vec![0u8; 1 << 20];
        for f in &files {
            let mut input = std::fs::File::open(f)?;
            loop {
                let n = input.read(&mut buf)?;
                if n == 0 {
                    break;
                }
                hasher.update(&buf[..n]);
                tmp.write_all(&buf[..n])?;
                total += n as u64;
            }
        }
        tmp.flush()?;
        Ok(Spooled {
            file: tmp,
            size: total,
            sha256: hex::encode(hasher.finalize()),
        })
    })
    .await
    .map_err(HubErr::internal)??;
    let resp = store(shared, oid, Some(size), spooled)?;
    let _ = tokio::fs::remove_dir_all(&dir).await;
    let _ = resp;
    Ok(axum::Json(json!({})).into_response())
}

//! The "CDN" listener: signed downloads of LFS objects and pre-signed upload targets
//! (basic `PUT`, multipart part `PUT`s and the completion `POST`). Nothing here reads
//! `Authorization`; the signature in the query is the only credential.

use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::{HubErr, HubResult, read_json};
use crate::Shared;

/// A streamed upload in a temp file, with its size and (when asked for) its sha256.
pub(crate) struct Spooled {
    pub(crate) file: tempfile::NamedTempFile,
    pub(crate) size: u64,
    pub(crate) sha256: Option<String>,
}

/// Streams a request body to a temp file in `dir`, hashing it on the way if `hash`.
///
/// Hashing and disk writes run on a blocking thread fed through a small channel, so the
/// network keeps flowing while the previous chunks are hashed and written.
pub(crate) async fn spool(body: Body, dir: &Path, hash: bool) -> Result<Spooled, HubErr> {
    let tmp = tempfile::NamedTempFile::new_in(dir)?;
    let file = tmp.as_file().try_clone()?;
    let (tx, mut rx) = tokio::sync::mpsc::channel::<bytes::Bytes>(64);
    let worker = tokio::task::spawn_blocking(move || -> std::io::Result<(u64, Option<String>)> {
        let mut out = std::io::BufWriter::with_capacity(4 << 20, file);
        let mut hasher = hash.then(Sha256::new);
        let mut size = 0u64;
        while let Some(chunk) = rx.blocking_recv() {
            if let Some(h) = &mut hasher {
                h.update(&chunk);
            }
            size += chunk.len() as u64;
            out.write_all(&chunk)?;
        }
        out.flush()?;
        Ok((size, hasher.map(|h| hex::encode(h.finalize()))))
    });
    let mut stream = body.into_data_stream();
    let mut failure = None;
    while let Some(chunk) = stream.next().await {
        match chunk {
            Ok(c) => {
                if tx.send(c).await.is_err() {
                    break;
                }
            }
            Err(e) => {
                failure = Some(HubErr::bad_request(&format!("upload interrupted: {e}")));
                break;
            }
        }
    }
    drop(tx);
    let (size, sha256) = worker.await.map_err(HubErr::internal)??;
    if let Some(e) = failure {
        return Err(e);
    }
    Ok(Spooled {
        file: tmp,
        size,
        sha256,
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
            upload_part(&shared, oid, part, query_u64(&query, "chunk"), body).await
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

/// Verifies a spooled upload against the announced oid (unless the check is deferred)
/// and size, and stores it.
fn store(shared: &Shared, oid: &str, size: Option<u64>, spooled: Spooled) -> HubResult {
    if let Some(sha) = spooled.sha256.as_deref().filter(|sha| *sha != oid) {
        return Err(HubErr::bad_request(&format!(
            "Uploaded content has sha256 {sha} but {oid} was announced"
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
    let spooled = spool(
        body,
        &shared.objects.tmp_dir(),
        !shared.cfg.defer_upload_check,
    )
    .await?;
    store(shared, oid, size, spooled)
}

/// Parts kept in memory, out of order, before the in-order hash gives up and leaves
/// the rest to completion (which then reads it back from disk).
const MAX_WAITING_PARTS: usize = 32;

/// Parts received but not yet taken by the in-order hash. Small, so that what is left
/// to hash when completion comes (and the client waits) stays small too.
const HASH_QUEUE_PARTS: usize = 4;

/// A multipart object being hashed in part order while its parts arrive, so that
/// completion does not have to read the whole object again (the Hub does not keep
/// clients waiting for that either). Completion falls back on hashing from disk for
/// whatever this did not cover (out-of-order overflow, an emulator restart).
pub(crate) struct Assembly {
    /// The in-order hash; none when the sha256 check is deferred.
    hash: Option<InOrderHash>,
    /// Parts are written one at a time. Writers of one file otherwise wait on its inode
    /// lock in the kernel by spinning, burning CPU that the client shares.
    write_lock: Arc<std::sync::Mutex<()>>,
}

/// Parts go in through `tx`; `task` ends with the hash of the parts it could take in order.
struct InOrderHash {
    tx: tokio::sync::mpsc::Sender<(u64, Arc<Vec<bytes::Bytes>>)>,
    task: tokio::task::JoinHandle<Hashed>,
}

/// The sha256 state over the first `bytes` bytes of an object.
struct Hashed {
    hasher: Sha256,
    bytes: u64,
}

/// Hashes parts in order from 1; stops (keeping what it hashed) once too many parts
/// wait for a missing one.
async fn hash_parts(mut rx: tokio::sync::mpsc::Receiver<(u64, Arc<Vec<bytes::Bytes>>)>) -> Hashed {
    let mut state = Hashed {
        hasher: Sha256::new(),
        bytes: 0,
    };
    let mut next = 1;
    let mut waiting = std::collections::BTreeMap::new();
    let mut gave_up = false;
    while let Some((n, data)) = rx.recv().await {
        if gave_up || n < next {
            continue;
        }
        waiting.insert(n, data);
        let mut run = Vec::new();
        while let Some(d) = waiting.remove(&next) {
            run.push(d);
            next += 1;
        }
        if !run.is_empty() {
            let mut s = state;
            state = match tokio::task::spawn_blocking(move || {
                for frame in run.iter().flat_map(|part| part.iter()) {
                    s.hasher.update(frame);
                    s.bytes += frame.len() as u64;
                }
                s
            })
            .await
            {
                Ok(s) => s,
                // Only a panic gets here; completion re-hashes everything from disk.
                Err(_) => Hashed {
                    hasher: Sha256::new(),
                    bytes: 0,
                },
            };
        }
        if waiting.len() > MAX_WAITING_PARTS {
            gave_up = true;
            waiting.clear();
        }
    }
    state
}

/// Writes part `n` into place (offset `(n-1) * chunk`) of the object being assembled,
/// and hands it to the object's in-order hash.
async fn upload_part(
    shared: &Shared,
    oid: &str,
    part: &str,
    chunk: Option<u64>,
    body: Body,
) -> HubResult {
    let n: u64 = part
        .parse()
        .ok()
        .filter(|n| *n >= 1)
        .ok_or_else(|| HubErr::bad_request("part numbers start at 1"))?;
    let chunk = chunk.ok_or_else(|| HubErr::bad_request("part URL lacks chunk"))?;
    let dir = part_dir(shared, oid);
    // One part (the Hub's chunk size, 10 MiB by default) is gathered in memory, as the
    // frames hyper hands over (no copy into one buffer), and written with vectored
    // writes in one blocking task with its etag record.
    let mut frames = Vec::new();
    let mut stream = body.into_data_stream();
    while let Some(frame) = stream.next().await {
        frames.push(
            frame.map_err(|e| HubErr::bad_request(&format!("part upload interrupted: {e}")))?,
        );
    }
    let len: u64 = frames.iter().map(|f| f.len() as u64).sum();
    let nonce: u32 = rand::random();
    let etag = format!("\"{n}-{len}-{nonce:08x}\"");
    let frames = Arc::new(frames);
    let (tx, write_lock) = {
        let mut assemblies = shared
            .assemblies
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let entry = assemblies
            .entry(oid.to_owned())
            .or_insert_with(|| Assembly {
                hash: (!shared.cfg.defer_upload_check).then(|| {
                    let (tx, rx) = tokio::sync::mpsc::channel(HASH_QUEUE_PARTS);
                    InOrderHash {
                        tx,
                        task: tokio::spawn(hash_parts(rx)),
                    }
                }),
                write_lock: Arc::default(),
            });
        (
            entry.hash.as_ref().map(|h| h.tx.clone()),
            entry.write_lock.clone(),
        )
    };
    let (to_write, record) = (frames.clone(), format!("{len} {etag}"));
    tokio::task::spawn_blocking(move || -> std::io::Result<()> {
        std::fs::create_dir_all(&dir)?;
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(dir.join("data"))?;
        f.seek(SeekFrom::Start((n - 1) * chunk))?;
        {
            let _one_writer = write_lock
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            write_all_frames(&mut f, &to_write)?;
        }
        std::fs::write(dir.join(format!("part-{n}.etag")), record)
    })
    .await
    .map_err(HubErr::internal)??;
    // The part is acknowledged once the hash has it queued: a hash running behind slows
    // the uploads down (as a busy server does) instead of leaving the rest of the object
    // to be read back and hashed from disk at completion, which keeps the client waiting.
    // The queue is only ever closed by completion (which then reads the disk).
    if let Some(tx) = tx {
        let _ = tx.send((n, frames)).await;
    }
    let mut resp = StatusCode::OK.into_response();
    resp.headers_mut()
        .insert(header::ETAG, HeaderValue::from_str(&etag).expect("ascii"));
    Ok(resp)
}

/// Writes every frame, several per call.
fn write_all_frames(f: &mut std::fs::File, frames: &[bytes::Bytes]) -> std::io::Result<()> {
    let mut slices: Vec<std::io::IoSlice<'_>> =
        frames.iter().map(|b| std::io::IoSlice::new(b)).collect();
    let mut rest = &mut slices[..];
    while !rest.is_empty() {
        let n = f.write_vectored(rest)?;
        if n == 0 {
            return Err(std::io::ErrorKind::WriteZero.into());
        }
        std::io::IoSlice::advance_slices(&mut rest, n);
    }
    Ok(())
}

/// Hashes `data` from byte `from` to its end into `hasher`; returns the total size.
fn hash_file_from(data: &Path, mut hasher: Sha256, from: u64) -> std::io::Result<(u64, String)> {
    let mut input = std::fs::File::open(data)?;
    input.seek(SeekFrom::Start(from))?;
    let mut total = from;
    let mut buf = vec![0u8; 4 << 20];
    loop {
        let n = input.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        total += n as u64;
    }
    Ok((total, hex::encode(hasher.finalize())))
}

/// Hashes every object in the LFS store `dir` (blocking): how many there are, and those
/// whose content does not hash to their name.
pub(crate) fn check_lfs_objects(dir: &Path) -> std::io::Result<Value> {
    let (mut checked, mut bad) = (0u64, Vec::new());
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let oid = entry.file_name().to_string_lossy().into_owned();
        let (_, sha) = hash_file_from(&entry.path(), Sha256::new(), 0)?;
        checked += 1;
        if sha != oid {
            bad.push(json!({"oid": oid, "sha256": sha}));
        }
    }
    Ok(json!({"checked": checked, "bad": bad}))
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
    let expected = size.div_ceil(chunk);
    let parts = body
        .get("parts")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if parts.len() as u64 != expected {
        return Err(HubErr::bad_request(&format!(
            "expected {expected} parts, got {}",
            parts.len()
        )));
    }
    let dir = part_dir(shared, oid);
    for (i, p) in parts.iter().enumerate() {
        let n = p.get("partNumber").and_then(Value::as_u64).unwrap_or(0);
        if n != i as u64 + 1 {
            return Err(HubErr::bad_request("parts must be listed in order from 1"));
        }
        let etag = p.get("etag").and_then(Value::as_str).unwrap_or_default();
        let stored = tokio::fs::read_to_string(dir.join(format!("part-{n}.etag")))
            .await
            .map_err(|_| HubErr::bad_request(&format!("part {n} was never uploaded")))?;
        let (len, stored_etag) = stored.split_once(' ').unwrap_or_default();
        if stored_etag != etag {
            return Err(HubErr::bad_request(&format!(
                "etag of part {n} does not match"
            )));
        }
        let want = chunk.min(size - (n - 1) * chunk);
        if len.parse::<u64>().ok() != Some(want) {
            return Err(HubErr::bad_request(&format!(
                "part {n} has {len} bytes, expected {want}"
            )));
        }
    }
    let data = dir.join("data");
    let assembly = shared
        .assemblies
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .remove(oid);
    let problem = if shared.cfg.defer_upload_check {
        let stored = tokio::fs::metadata(&data).await?.len();
        (stored != size).then(|| format!("assembled object has {stored} bytes, expected {size}"))
    } else {
        let partial = match assembly.and_then(|a| a.hash) {
            Some(InOrderHash { tx, task }) => {
                drop(tx);
                task.await.ok()
            }
            None => None,
        };
        let (expected_oid, data) = (oid.to_owned(), data.clone());
        let (hashed_size, sha) = tokio::task::spawn_blocking(move || {
            let (hasher, from) = partial.map_or((Sha256::new(), 0), |h| (h.hasher, h.bytes));
            let fresh = from == 0;
            let result = hash_file_from(&data, hasher, from)?;
            // A part re-sent after it was hashed may differ: trust only the disk.
            if !fresh && (result.0 != size || result.1 != expected_oid) {
                return hash_file_from(&data, Sha256::new(), 0);
            }
            Ok::<_, std::io::Error>(result)
        })
        .await
        .map_err(HubErr::internal)??;
        (hashed_size != size || sha != oid).then(|| {
            format!(
                "assembled object has sha256 {sha} and {hashed_size} bytes, expected {oid} and {size}"
            )
        })
    };
    if let Some(problem) = problem {
        let _ = tokio::fs::remove_dir_all(&dir).await;
        return Err(HubErr::bad_request(&problem));
    }
    tokio::fs::rename(&data, shared.objects.lfs_path(oid)).await?;
    let _ = tokio::fs::remove_dir_all(&dir).await;
    Ok(axum::Json(json!({})).into_response())
}

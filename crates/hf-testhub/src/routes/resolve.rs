//! Downloads: `HEAD`/`GET /{prefix}{id}/resolve/{rev}/{path}`, and the shared file server
//! with `Range` support used by both listeners.

use std::io::SeekFrom;
use std::path::Path;
use std::sync::Arc;

use axum::body::Body;
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, HeaderValue, StatusCode, header};
use tokio::io::{AsyncReadExt, AsyncSeekExt};

use super::{Ctx, HubErr, HubResult, RepoRef, find_repo};
use crate::Shared;

/// Read size when streaming files: large enough that the emulator is never the bottleneck.
const READ_BUF: usize = 1 << 20;
/// Answers up to this size are read in one blocking task instead of streamed.
const INLINE_MAX: u64 = 256 << 10;

/// Parses a single `bytes=` range against `size`; `Err(())` means unsatisfiable,
/// `Ok(None)` means "serve everything" (absent or unsupported header).
pub(crate) fn parse_range(value: Option<&str>, size: u64) -> Result<Option<(u64, u64)>, ()> {
    let Some(v) = value else { return Ok(None) };
    let Some(spec) = v.trim().strip_prefix("bytes=") else {
        return Ok(None);
    };
    if spec.contains(',') {
        return Ok(None);
    }
    let Some((a, b)) = spec.split_once('-') else {
        return Ok(None);
    };
    let (a, b) = (a.trim(), b.trim());
    let (start, end) = if a.is_empty() {
        let n: u64 = b.parse().map_err(|_| ())?;
        if n == 0 {
            return Err(());
        }
        (size.saturating_sub(n), size.saturating_sub(1))
    } else {
        let start: u64 = a.parse().map_err(|_| ())?;
        let end = if b.is_empty() {
            size.saturating_sub(1)
        } else {
            b.parse::<u64>()
                .map_err(|_| ())?
                .min(size.saturating_sub(1))
        };
        (start, end)
    };
    if start >= size || end < start {
        return Err(());
    }
    Ok(Some((start, end)))
}

/// Serves `file` (of `size` bytes) honouring `Range`; `extra` headers are added to every
/// answer, including the 416.
pub(crate) async fn serve_file(
    file: &Path,
    size: u64,
    req_headers: &HeaderMap,
    head: bool,
    mut extra: HeaderMap,
) -> Response {
    let range = req_headers.get(header::RANGE).and_then(|v| v.to_str().ok());
    extra.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    let (status, start, len) = match parse_range(range, size) {
        Err(()) => {
            let mut resp = HubErr::new(
                StatusCode::RANGE_NOT_SATISFIABLE,
                None,
                "Requested range not satisfiable",
            )
            .into_response();
            resp.headers_mut().extend(extra);
            resp.headers_mut().insert(
                header::CONTENT_RANGE,
                HeaderValue::from_str(&format!("bytes */{size}")).expect("ascii"),
            );
            return resp;
        }
        Ok(None) => (StatusCode::OK, 0, size),
        Ok(Some((s, e))) => {
            extra.insert(
                header::CONTENT_RANGE,
                HeaderValue::from_str(&format!("bytes {s}-{e}/{size}")).expect("ascii"),
            );
            (StatusCode::PARTIAL_CONTENT, s, e - s + 1)
        }
    };
    extra.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    extra
        .entry(header::CONTENT_TYPE)
        .or_insert(HeaderValue::from_static("application/octet-stream"));
    let body = if head || len == 0 {
        Body::empty()
    } else if len <= INLINE_MAX {
        // Small answers are read in one blocking task (open, seek, read): one thread
        // hand-off instead of one per read of a stream, and no 1 MiB buffer.
        let path = file.to_owned();
        match tokio::task::spawn_blocking(move || read_range(&path, start, len))
            .await
            .unwrap_or_else(|e| Err(std::io::Error::other(e)))
        {
            Ok(bytes) => Body::from(bytes),
            Err(e) => {
                return HubErr::internal(format!("object {} unreadable: {e}", file.display()))
                    .into_response();
            }
        }
    } else {
        let mut f = match tokio::fs::File::open(file).await {
            Ok(f) => f,
            Err(e) => {
                return HubErr::internal(format!("object {} missing: {e}", file.display()))
                    .into_response();
            }
        };
        if start > 0
            && let Err(e) = f.seek(SeekFrom::Start(start)).await
        {
            return HubErr::internal(e).into_response();
        }
        let reader = f.take(len);
        Body::from_stream(tokio_util::io::ReaderStream::with_capacity(
            reader, READ_BUF,
        ))
    };
    let mut resp = (status, body).into_response();
    resp.headers_mut().extend(extra);
    resp
}

/// Bytes `[start, start + len)` of `file`, read synchronously (small ranges only).
fn read_range(file: &Path, start: u64, len: u64) -> std::io::Result<Vec<u8>> {
    use std::io::{Read as _, Seek as _};
    let mut f = std::fs::File::open(file)?;
    if start > 0 {
        f.seek(SeekFrom::Start(start))?;
    }
    let mut buf = vec![0; usize::try_from(len).map_err(std::io::Error::other)?];
    f.read_exact(&mut buf)?;
    Ok(buf)
}

fn quoted(s: &str) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{s}\"")).expect("hex etag")
}

/// `HEAD`/`GET /{prefix}{id}/resolve/{rev}/{path}`
pub(super) async fn resolve(
    shared: &Arc<Shared>,
    ctx: &Ctx,
    r: &RepoRef,
    rev: &str,
    path: &str,
) -> HubResult {
    let (commit_id, rec) = {
        let st = shared.state();
        let repo = find_repo(&st, ctx, r)?;
        if !st.passes_gate(ctx.caller.as_ref(), repo) {
            return Err(HubErr::gated(ctx.caller.as_ref(), repo));
        }
        let commit = repo
            .resolve(rev)
            .ok_or_else(|| HubErr::revision_not_found(rev))?;
        let rec = commit
            .files
            .get(path)
            .cloned()
            .ok_or_else(|| HubErr::entry_not_found(Some(&commit.id)))?;
        (commit.id.clone(), rec)
    };
    let mut h = HeaderMap::new();
    h.insert(
        "x-repo-commit",
        HeaderValue::from_str(&commit_id).expect("hex"),
    );
    let name = path.rsplit('/').next().unwrap_or(path);
    let encoded = percent_encoding::utf8_percent_encode(name, percent_encoding::NON_ALPHANUMERIC);
    if let Ok(v) = HeaderValue::from_str(&format!(
        "inline; filename*=UTF-8''{encoded}; filename=\"{}\";",
        name.replace(|c: char| !c.is_ascii() || c == '"', "_")
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    if let Some(sha) = &rec.lfs {
        let loc = shared.signed_cdn_url(&format!("/lfs/{sha}"), &[("filename", name.to_owned())]);
        let text = format!("Found. Redirecting to {loc}");
        h.insert(
            header::LOCATION,
            HeaderValue::from_str(&loc).expect("ascii url"),
        );
        h.insert("x-linked-etag", quoted(sha));
        h.insert("x-linked-size", HeaderValue::from(rec.size));
        h.insert(header::ETAG, quoted(&rec.oid));
        h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
        h.insert(header::CONTENT_LENGTH, HeaderValue::from(text.len()));
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
        let body = if ctx.is_head() {
            Body::empty()
        } else {
            Body::from(text)
        };
        let mut resp = (StatusCode::FOUND, body).into_response();
        resp.headers_mut().extend(h);
        return Ok(resp);
    }
    h.insert(header::ETAG, quoted(&rec.oid));
    let file = shared.objects.content_path(&rec);
    Ok(serve_file(&file, rec.size, &ctx.headers, ctx.is_head(), h).await)
}

#[cfg(test)]
mod tests {
    use super::parse_range;

    #[test]
    fn ranges() {
        assert_eq!(parse_range(None, 10), Ok(None));
        assert_eq!(parse_range(Some("bytes=2-"), 10), Ok(Some((2, 9))));
        assert_eq!(parse_range(Some("bytes=2-4"), 10), Ok(Some((2, 4))));
        assert_eq!(parse_range(Some("bytes=-3"), 10), Ok(Some((7, 9))));
        assert_eq!(parse_range(Some("bytes=2-100"), 10), Ok(Some((2, 9))));
        assert_eq!(parse_range(Some("bytes=10-"), 10), Err(()));
        assert_eq!(parse_range(Some("bytes=0-1,3-4"), 10), Ok(None));
    }
}

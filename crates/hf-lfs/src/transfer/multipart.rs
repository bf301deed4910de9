//! Multipart transfer: parts `PUT` in parallel to pre-signed URLs, ETags collected by
//! part number, then one completion call.

use futures_util::{StreamExt, TryStreamExt};
use hf_http::{HfBody, HubClient, RetryConfig};
use http::header::{CONTENT_LENGTH, ETAG};
use http::{HeaderValue, Method, Request};
use serde::Serialize;
use tokio::sync::OwnedSemaphorePermit;
use tokio::task::JoinSet;

use super::{CallShared, TransferEvent, TransferOptions, next_retry};
use crate::batch::PendingObject;
use crate::body::SizedBody;
use crate::error::{Error, Result};
use crate::operation::AddSource;
use crate::source::{BLOCK_SIZE, BlockPool, stream_range};
use crate::target::{LFS_MEDIA_TYPE, json_request, parse_uri, send_discard};

#[derive(Serialize)]
struct Completion<'a> {
    oid: &'a str,
    parts: Vec<CompletedPart<'a>>,
}

#[derive(Serialize)]
struct CompletedPart<'a> {
    #[serde(rename = "partNumber")]
    part_number: usize,
    etag: &'a str,
}

/// Collects part ETags by index; finishing fails if one is missing.
struct Parts {
    etags: Vec<Option<String>>,
}

impl Parts {
    fn new(count: usize) -> Self {
        Parts {
            etags: vec![None; count],
        }
    }

    fn set(&mut self, index: usize, etag: String) {
        self.etags[index] = Some(etag);
    }

    fn finish(self) -> Result<Vec<String>> {
        self.etags
            .into_iter()
            .enumerate()
            .map(|(i, e)| {
                e.ok_or_else(|| {
                    Error::malformed("multipart upload", format!("part {} has no ETag", i + 1))
                })
            })
            .collect()
    }
}

/// The multipart upload action of a batch answer.
pub(super) struct Action<'a> {
    /// The completion URL.
    pub(super) href: &'a str,
    /// Bytes per part (the last one may be shorter).
    pub(super) chunk_size: u64,
    /// The part URLs, sorted by part number.
    pub(super) part_urls: Vec<String>,
}

/// Uploads the parts of `object` to `part_urls` (sorted by part number), at most
/// `options.max_concurrent_parts` at a time, then gives back `slot` (see
/// [`upload_lfs_objects`](crate::upload_lfs_objects)) and calls the completion URL `href`.
pub(super) async fn upload(
    client: &HubClient,
    object: &PendingObject,
    action: Action<'_>,
    options: &TransferOptions,
    auth: Option<&hf_http::auth::RequestAuth>,
    slot: OwnedSemaphorePermit,
    shared: &CallShared,
) -> Result<()> {
    let Action {
        href,
        chunk_size,
        part_urls,
    } = action;
    let expected = object.size.div_ceil(chunk_size);
    if part_urls.len() as u64 != expected {
        return Err(Error::malformed(
            "LFS batch request",
            format!(
                "{} part URLs for {} bytes in parts of {chunk_size} bytes; expected {expected}",
                part_urls.len(),
                object.size
            ),
        ));
    }
    let completion_uri = parse_uri("LFS batch request", href)?;

    let mut parts = Parts::new(part_urls.len());
    let mut tasks: JoinSet<Result<(usize, String)>> = JoinSet::new();
    for (index, url) in part_urls.into_iter().enumerate() {
        // Back-pressure: never more than `max_concurrent_parts` parts in flight.
        while tasks.len() >= options.max_concurrent_parts.max(1) {
            let (i, etag) = join_part(&mut tasks).await?;
            part_done(options, object, chunk_size, i);
            parts.set(i, etag);
        }
        // And room in the budget of the whole call, shared with the other objects.
        let permit = shared.request_permit().await;
        let offset = index as u64 * chunk_size;
        let len = chunk_size.min(object.size - offset);
        let part = put_part(
            client.clone(),
            object.source.clone(),
            object.path_in_repo.clone(),
            url,
            (index, offset, len),
            options.retry_for(client),
            shared.blocks.clone(),
        );
        tasks.spawn(async move {
            let done = part.await;
            drop(permit);
            done
        });
    }
    while !tasks.is_empty() {
        let (i, etag) = join_part(&mut tasks).await?;
        part_done(options, object, chunk_size, i);
        parts.set(i, etag);
    }
    let etags = parts.finish()?;
    // Everything is sent: the next object may start while this one is completed.
    drop(slot);

    let body = Completion {
        oid: object.oid.as_str(),
        parts: etags
            .iter()
            .enumerate()
            .map(|(i, etag)| CompletedPart {
                part_number: i + 1,
                etag,
            })
            .collect(),
    };
    // Retried on 429, a 5xx or a broken connection, so that a hiccup at the very end
    // does not throw away every part. An attempt whose answer was lost may have
    // completed the upload, and a retry of a finished upload is refused: the caller then
    // asks whether the object is there (`completion_may_have_succeeded`).
    let mut req = json_request(
        Method::POST,
        completion_uri,
        crate::json::to_vec(&body),
        LFS_MEDIA_TYPE,
        Some(LFS_MEDIA_TYPE),
        true,
    );
    crate::target::authorize(&mut req, auth);
    send_discard(client, COMPLETION, req).await?;
    Ok(())
}

const COMPLETION: &str = "multipart upload completion";

/// Whether `err` is a completion call that failed after retries: one of the earlier
/// attempts may have completed the upload without its answer coming back.
pub(crate) fn completion_may_have_succeeded(err: &Error) -> bool {
    matches!(err, Error::Http { what, source } if what == COMPLETION
        && source.retries().is_some_and(|r| r.retries > 0))
}

fn part_done(options: &TransferOptions, object: &PendingObject, chunk_size: u64, index: usize) {
    let offset = index as u64 * chunk_size;
    options.emit(TransferEvent::Progress {
        path_in_repo: &object.path_in_repo,
        bytes: chunk_size.min(object.size - offset),
    });
}

/// Waits for one part; an error drops the set, which aborts the other parts.
async fn join_part(tasks: &mut JoinSet<Result<(usize, String)>>) -> Result<(usize, String)> {
    match tasks.join_next().await {
        Some(Ok(result)) => result,
        Some(Err(join)) if join.is_panic() => std::panic::resume_unwind(join.into_panic()),
        Some(Err(join)) => Err(Error::malformed(
            "multipart upload",
            format!("a part upload was cancelled: {join}"),
        )),
        None => unreachable!("join_part is only called on a non-empty set"),
    }
}

/// Streams one part from the source and `PUT`s it; returns its index and ETag.
///
/// The part is read in blocks as it is sent (memory: one block per part in flight, not
/// the whole part). Such a body cannot be replayed by the stack, so retryable failures
/// (5xx, broken connections, including one cut while the answer was read) send the
/// part again from the source here, up to `retry.max_retries` times.
async fn put_part(
    client: HubClient,
    source: AddSource,
    path_in_repo: String,
    url: String,
    (index, offset, len): (usize, u64, u64),
    retry: RetryConfig,
    pool: BlockPool,
) -> Result<(usize, String)> {
    let what = format!("upload of part {}", index + 1);
    let uri = parse_uri("LFS batch request", &url)?;
    let mut retries = 0;
    let headers = loop {
        let read_path = path_in_repo.clone();
        let stream = stream_range(source.clone(), offset, len, BLOCK_SIZE, pool.clone())
            .map_err(move |e| {
                if e.kind() == std::io::ErrorKind::UnexpectedEof {
                    Error::ContentChanged {
                        path_in_repo: read_path.clone(),
                        expected: offset + len,
                    }
                } else {
                    Error::Read {
                        path_in_repo: read_path.clone(),
                        source: e,
                    }
                }
            })
            .boxed();
        let (body, failure) = SizedBody::new(stream, len);
        let mut req = Request::new(HfBody::from_body(body));
        *req.method_mut() = Method::PUT;
        *req.uri_mut() = uri.clone();
        req.headers_mut()
            .insert(CONTENT_LENGTH, HeaderValue::from(len));
        req.extensions_mut().insert(super::upload_timeout(len));
        let result = send_discard(&client, &what, req).await;
        // A local read failure is reported as itself and never retried.
        if let Some(local) = failure.take() {
            return Err(local);
        }
        match result {
            Ok(headers) => break headers,
            Err(Error::Http { source, what }) => {
                let Some(delay) = next_retry(&retry, retries, &source, &uri) else {
                    return Err(Error::Http { source, what });
                };
                retries += 1;
                tracing::debug!(part = index + 1, error = %source, retry = retries, ?delay, "sending a part again");
                tokio::time::sleep(delay).await;
            }
            Err(e) => return Err(e),
        }
    };
    let etag = headers
        .get(ETAG)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty())
        .ok_or_else(|| Error::malformed(&what, "the response has no ETag header"))?;
    Ok((index, etag.to_owned()))
}

//! Basic transfer: one `PUT` of the whole content to a pre-signed URL.

use futures_util::{StreamExt, TryStreamExt};
use hf_http::{HfBody, HubClient};
use http::header::CONTENT_LENGTH;
use http::{HeaderValue, Method, Request};

use super::{CallShared, TransferEvent, TransferOptions, next_retry};
use crate::batch::PendingObject;
use crate::body::SizedBody;
use crate::error::{Error, Result};
use crate::source::{BLOCK_SIZE, stream_range};
use crate::target::{parse_uri, send_discard};

/// `PUT`s the content to `href`, streamed from the source in blocks. The body is
/// one-shot, so the stack does not retry it; retryable failures re-read the content
/// from the start here instead, up to `options.retry.max_retries` times.
pub(super) async fn upload(
    client: &HubClient,
    object: &PendingObject,
    href: &str,
    options: &TransferOptions,
    shared: &CallShared,
) -> Result<()> {
    let uri = parse_uri("LFS batch request", href)?;
    // One request for the whole upload, retries included.
    let _permit = shared.request_permit().await;
    let retry = options.retry_for(client);
    let mut retries = 0;
    loop {
        let path_in_repo = object.path_in_repo.clone();
        let size = object.size;
        let progress = options.clone();
        let progress_path = object.path_in_repo.clone();
        let stream = stream_range(
            object.source.clone(),
            0,
            size,
            BLOCK_SIZE,
            shared.blocks.clone(),
        )
        .inspect_ok(move |block| {
            progress.emit(TransferEvent::Progress {
                path_in_repo: &progress_path,
                bytes: block.len() as u64,
            });
        })
        .map_err(move |e| {
            if e.kind() == std::io::ErrorKind::UnexpectedEof {
                Error::ContentChanged {
                    path_in_repo: path_in_repo.clone(),
                    expected: size,
                }
            } else {
                Error::Read {
                    path_in_repo: path_in_repo.clone(),
                    source: e,
                }
            }
        })
        .boxed();
        let (body, failure) = SizedBody::new(stream, size);
        let mut req = Request::new(HfBody::from_body(body));
        *req.method_mut() = Method::PUT;
        *req.uri_mut() = uri.clone();
        req.headers_mut()
            .insert(CONTENT_LENGTH, HeaderValue::from(size));
        req.extensions_mut().insert(super::upload_timeout(size));
        let result = send_discard(client, "basic LFS upload", req).await;
        // A local read failure is reported as itself and never retried.
        if let Some(local) = failure.take() {
            return Err(local);
        }
        match result {
            Ok(_) => return Ok(()),
            Err(Error::Http { source, what }) => {
                let Some(delay) = next_retry(&retry, retries, &source, &uri) else {
                    return Err(Error::Http { source, what });
                };
                retries += 1;
                tracing::debug!(%what, error = %source, retry = retries, ?delay, "retrying a streamed LFS upload");
                tokio::time::sleep(delay).await;
                options.emit(TransferEvent::Restarted {
                    path_in_repo: &object.path_in_repo,
                });
            }
            Err(e) => return Err(e),
        }
    }
}

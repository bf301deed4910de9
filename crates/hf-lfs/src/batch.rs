//! Step 2 of a commit: the LFS batch API, then the transfers it asks for.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use hf_http::HubClient;
use hf_types::{LfsBatchObject, LfsBatchResponse, LfsOid};
use http::Method;
use serde::Serialize;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::error::{Error, LfsObjectError, Result};
use crate::operation::{AddSource, CommitOperation, UploadMode, additions_mut};
use crate::target::{LFS_MEDIA_TYPE, UploadTarget, json_request, send_json};
use crate::transfer::{CallShared, TransferEvent, TransferOptions, upload_object};

/// Objects per LFS batch request, as in the Python client.
pub const LFS_BATCH_SIZE: usize = 256;

const WHAT: &str = "LFS batch request";

#[derive(Serialize)]
struct BatchRequest<'a> {
    operation: &'static str,
    transfers: [&'static str; 2],
    objects: Vec<BatchObject<'a>>,
    hash_algo: &'static str,
    #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
    git_ref: Option<RefName<'a>>,
}

#[derive(Serialize)]
struct BatchObject<'a> {
    oid: &'a str,
    size: u64,
}

#[derive(Serialize)]
struct RefName<'a> {
    name: &'a str,
}

/// One LFS object to upload: content, size, and the file it belongs to (for errors).
#[derive(Debug, Clone)]
pub(crate) struct PendingObject {
    pub(crate) oid: LfsOid,
    pub(crate) size: u64,
    pub(crate) source: AddSource,
    pub(crate) path_in_repo: String,
}

/// Asks the LFS batch endpoint what to do with `objects`, 256 per request. Fails with
/// [`Error::LfsBatch`] if the server refuses any object of a request.
pub(crate) async fn request_batch(
    client: &HubClient,
    target: &UploadTarget,
    objects: &[PendingObject],
) -> Result<Vec<LfsBatchObject>> {
    let uri = client
        .url(&target.lfs_batch_path())
        .map_err(|e| Error::http(WHAT, e))?;
    let mut out = Vec::with_capacity(objects.len());
    for chunk in objects.chunks(LFS_BATCH_SIZE) {
        let body = BatchRequest {
            operation: "upload",
            transfers: ["basic", "multipart"],
            objects: chunk
                .iter()
                .map(|o| BatchObject {
                    oid: o.oid.as_str(),
                    size: o.size,
                })
                .collect(),
            hash_algo: "sha256",
            // Without a ref the server does not check write access to the branch, which
            // is what lets users without it open pull requests.
            git_ref: (!target.is_create_pr()).then(|| RefName {
                name: target.get_revision().as_str(),
            }),
        };
        // The batch call only hands out URLs: retrying it is harmless.
        let mut req = json_request(
            Method::POST,
            uri.clone(),
            crate::json::to_vec(&body),
            LFS_MEDIA_TYPE,
            Some(LFS_MEDIA_TYPE),
            true,
        );
        crate::target::authorize(&mut req, target.get_auth());
        let response: LfsBatchResponse = send_json(client, WHAT, req).await?;
        let errors: Vec<LfsObjectError> = response
            .objects
            .iter()
            .filter_map(|o| {
                let e = o.error.as_ref()?;
                Some(LfsObjectError {
                    path_in_repo: chunk
                        .iter()
                        .find(|p| p.oid.as_str() == o.oid)
                        .map(|p| p.path_in_repo.clone()),
                    oid: o.oid.clone(),
                    code: e.code,
                    message: e.message.clone(),
                })
            })
            .collect();
        if !errors.is_empty() {
            return Err(Error::LfsBatch { errors });
        }
        out.extend(response.objects);
    }
    Ok(out)
}

/// Uploads the LFS content of every addition of `ops` that the preupload step marked
/// `lfs`, is not ignored and not uploaded yet, then marks those additions uploaded.
///
/// Identical contents are uploaded once. Objects the server already has (no `actions`
/// in the batch answer) are skipped. Up to [`TransferOptions::max_concurrent_files`]
/// objects are transferred at once; basic transfers stream the file, multipart
/// transfers send parts in parallel (see [`TransferOptions`]). The first failure stops
/// the other transfers and is returned as [`Error::Upload`], naming the file.
pub async fn upload_lfs_objects(
    client: &HubClient,
    target: &UploadTarget,
    ops: &mut [CommitOperation],
    options: &TransferOptions,
) -> Result<()> {
    let mut seen = HashSet::new();
    let mut pending = Vec::new();
    for add in additions_mut(ops) {
        if add.uploaded || add.should_ignore || add.upload_mode != Some(UploadMode::Lfs) {
            continue;
        }
        let info = add.info_or_err()?;
        if seen.insert(info.sha256.clone()) {
            pending.push(PendingObject {
                oid: info.sha256.clone(),
                size: info.size,
                source: add.source.clone(),
                path_in_repo: add.path_in_repo.clone(),
            });
        }
    }
    if pending.is_empty() {
        return Ok(());
    }

    let answers = request_batch(client, target, &pending).await?;
    let by_oid: HashMap<&str, &PendingObject> =
        pending.iter().map(|p| (p.oid.as_str(), p)).collect();

    let mut tasks = JoinSet::new();
    let mut queue = Vec::new();
    for answer in answers {
        let Some(object) = by_oid.get(answer.oid.as_str()) else {
            return Err(Error::malformed(
                WHAT,
                format!(
                    "the answer lists object {} that was not requested",
                    answer.oid
                ),
            ));
        };
        if !needs_upload(&answer) {
            tracing::debug!(path = %object.path_in_repo, "LFS object already present upstream; skipping");
            options.emit(TransferEvent::Skipped {
                path_in_repo: &object.path_in_repo,
                size: object.size,
            });
            continue;
        }
        queue.push(((*object).clone(), answer));
    }

    // At most `max_concurrent_files` objects send content at once. A slot is given back
    // once the content is sent, before the completion call, whose answer can take a
    // while (the server assembles the object): the next object starts sending meanwhile.
    let slots = Arc::new(Semaphore::new(options.max_concurrent_files.max(1)));
    let call = CallShared::new(options);
    for (object, answer) in queue {
        let call = call.clone();
        let client = client.clone();
        let options = options.clone();
        let slots = slots.clone();
        let auth = target.get_auth().cloned();
        let target = target.clone();
        tasks.spawn(async move {
            let path_in_repo = object.path_in_repo.clone();
            let oid = object.oid.as_str().to_owned();
            let slot = slots
                .acquire_owned()
                .await
                .expect("the semaphore is never closed");
            let sent = upload_object(
                &client,
                &object,
                answer,
                &options,
                auth.as_ref(),
                slot,
                &call,
            )
            .await;
            let sent = match sent {
                Err(e) if crate::transfer::completion_may_have_succeeded(&e) => {
                    if is_stored(&client, &target, &object).await {
                        tracing::debug!(path = %object.path_in_repo, "the completion's answer was lost but the object is there");
                        options.emit(TransferEvent::Finished {
                            path_in_repo: &object.path_in_repo,
                        });
                        Ok(())
                    } else {
                        Err(e)
                    }
                }
                other => other,
            };
            sent.map_err(|source| Error::Upload {
                path_in_repo,
                oid,
                source: Box::new(source),
            })
        });
    }
    while !tasks.is_empty() {
        join_one(&mut tasks).await?;
    }

    for add in additions_mut(ops) {
        if let Some(info) = &add.info
            && seen.contains(&info.sha256)
            && add.upload_mode == Some(UploadMode::Lfs)
            && !add.should_ignore
        {
            add.uploaded = true;
        }
    }
    Ok(())
}

/// Whether the batch answer asks for the object's content (it does not for an object
/// the server already has).
fn needs_upload(answer: &LfsBatchObject) -> bool {
    answer
        .actions
        .as_ref()
        .and_then(|a| a.upload.as_ref())
        .is_some()
}

/// Whether the server has `object` now, by the batch endpoint's answer.
async fn is_stored(client: &HubClient, target: &UploadTarget, object: &PendingObject) -> bool {
    request_batch(client, target, std::slice::from_ref(object))
        .await
        .is_ok_and(|answers| !answers.iter().any(needs_upload))
}

/// Waits for one task; on failure the remaining tasks are aborted when the set drops.
async fn join_one(tasks: &mut JoinSet<Result<()>>) -> Result<()> {
    match tasks.join_next().await {
        Some(Ok(result)) => result,
        Some(Err(join)) if join.is_panic() => std::panic::resume_unwind(join.into_panic()),
        Some(Err(_)) | None => Ok(()),
    }
}

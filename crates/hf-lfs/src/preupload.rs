//! Step 1 of a commit: asking the Hub how each addition must be uploaded.

use std::collections::HashMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use hf_http::HubClient;
use hf_types::{PreuploadFile, PreuploadResponse};
use http::Method;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::hash::git_blob_sha1_source;
use crate::operation::{CommitOperation, CommitOperationAdd, UploadMode, additions_mut};
use crate::target::{UploadTarget, json_request, send_json};

/// Files per preupload request, as in the Python client.
pub const PREUPLOAD_BATCH_SIZE: usize = 256;

const WHAT: &str = "preupload request";

#[derive(Serialize)]
struct PreuploadRequest<'a> {
    files: Vec<PreuploadEntry<'a>>,
    #[serde(rename = "gitIgnore", skip_serializing_if = "Option::is_none")]
    git_ignore: Option<&'a str>,
}

#[derive(Serialize)]
struct PreuploadEntry<'a> {
    path: &'a str,
    sample: String,
    size: u64,
}

/// Asks the Hub, 256 files per request, whether each addition of `ops` that is not
/// uploaded yet goes to LFS or inline, whether it is git-ignored, and what oid the file
/// currently has on the target revision; records the answers on the operations
/// ([`upload_mode`](CommitOperationAdd::upload_mode),
/// [`should_ignore`](CommitOperationAdd::should_ignore),
/// [`is_unchanged`](CommitOperationAdd::is_unchanged)).
///
/// `gitignore_content` is sent as `gitIgnore`; when `None` and one of the additions is
/// `.gitignore`, its content is sent instead (as the Python client does). Empty files are
/// always regular. Additions must be hashed first ([`hash_additions`](crate::hash_additions)).
pub async fn preupload(
    client: &HubClient,
    target: &UploadTarget,
    ops: &mut [CommitOperation],
    gitignore_content: Option<&str>,
) -> Result<()> {
    let gitignore = match gitignore_content {
        Some(text) => Some(text.to_owned()),
        None => read_gitignore(ops).await?,
    };
    let pending: Vec<&mut CommitOperationAdd> =
        additions_mut(ops).filter(|a| !a.uploaded).collect();
    if pending.is_empty() {
        return Ok(());
    }
    for add in &pending {
        add.info_or_err()?;
    }
    let uri = client
        .url(&target.preupload_path())
        .map_err(|e| Error::http(WHAT, e))?;

    let mut answers: HashMap<String, PreuploadFile> = HashMap::with_capacity(pending.len());
    for chunk in pending.chunks(PREUPLOAD_BATCH_SIZE) {
        let request = PreuploadRequest {
            files: chunk
                .iter()
                .map(|add| {
                    let info = add.info.as_ref().expect("checked above");
                    PreuploadEntry {
                        path: &add.path_in_repo,
                        sample: BASE64.encode(&info.sample),
                        size: info.size,
                    }
                })
                .collect(),
            git_ignore: gitignore.as_deref(),
        };
        // Preupload only reads repository state, so it may be retried.
        let mut req = json_request(
            Method::POST,
            uri.clone(),
            crate::json::to_vec(&request),
            "application/json",
            None,
            true,
        );
        crate::target::authorize(&mut req, target.get_auth());
        let response: PreuploadResponse = send_json(client, WHAT, req).await?;
        answers.extend(response.files.into_iter().map(|f| (f.path.clone(), f)));
    }

    let mut regular_to_compare = Vec::new();
    for add in pending {
        let Some(answer) = answers.get(&add.path_in_repo) else {
            return Err(Error::malformed(
                WHAT,
                format!("no entry for {:?} in the response", add.path_in_repo),
            ));
        };
        let mode = match answer.upload_mode {
            hf_types::UploadMode::Lfs => UploadMode::Lfs,
            hf_types::UploadMode::Regular => UploadMode::Regular,
            ref other => {
                return Err(Error::malformed(
                    WHAT,
                    format!("unknown uploadMode {other:?} for {:?}", add.path_in_repo),
                ));
            }
        };
        let info = add.info.as_ref().expect("checked above");
        // Storage backends reject empty multipart objects: empty files stay regular.
        add.upload_mode = Some(if info.size == 0 {
            UploadMode::Regular
        } else {
            mode
        });
        add.should_ignore = answer.should_ignore;
        add.remote_oid.clone_from(&answer.oid);
        add.unchanged = false;
        match (add.upload_mode, add.remote_oid.as_deref()) {
            (Some(UploadMode::Lfs), Some(remote)) => add.unchanged = remote == info.sha256.as_str(),
            (Some(UploadMode::Regular), Some(_)) => regular_to_compare.push(add),
            _ => {}
        }
    }

    // Regular files compare by git blob sha1, computed only when the server has a file
    // at that path (regular files are small, but still read in blocks).
    for add in regular_to_compare {
        let source = add.source.clone();
        let size = add.info.as_ref().expect("checked above").size;
        let sha1 = tokio::task::spawn_blocking(move || git_blob_sha1_source(&source, size))
            .await
            .map_err(std::io::Error::other)
            .and_then(|r| r)
            .map_err(|source| Error::Read {
                path_in_repo: add.path_in_repo.clone(),
                source,
            })?;
        add.unchanged = add.remote_oid.as_deref() == Some(sha1.as_str());
    }
    Ok(())
}

/// The content of a `.gitignore` among the additions, if any.
async fn read_gitignore(ops: &[CommitOperation]) -> Result<Option<String>> {
    let Some(add) = ops
        .iter()
        .filter_map(CommitOperation::as_add)
        .find(|a| a.path_in_repo == ".gitignore")
    else {
        return Ok(None);
    };
    let source = add.source.clone();
    let path_in_repo = add.path_in_repo.clone();
    let bytes = tokio::task::spawn_blocking(move || -> std::io::Result<Vec<u8>> {
        let mut reader = source.open()?;
        let pool = crate::source::BlockPool::default();
        let mut out = Vec::new();
        loop {
            let block = reader.read_at(out.len() as u64, crate::source::BLOCK_SIZE, &pool)?;
            if block.is_empty() {
                return Ok(out);
            }
            out.extend_from_slice(&block);
        }
    })
    .await
    .map_err(std::io::Error::other)
    .and_then(|r| r)
    .map_err(|source| Error::Read {
        path_in_repo: path_in_repo.clone(),
        source,
    })?;
    String::from_utf8(bytes).map(Some).map_err(|e| Error::Read {
        path_in_repo,
        source: std::io::Error::new(std::io::ErrorKind::InvalidData, e),
    })
}

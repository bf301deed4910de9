//! Safetensors metadata read from the Hub without downloading weights:
//! `parse_safetensors_file_metadata` and `get_safetensors_metadata`.
//!
//! # Format
//!
//! A safetensors file starts with an 8-byte little-endian `u64` `N`, then `N` bytes of
//! JSON (the header: tensor name → dtype, shape, data offsets, plus an optional
//! `__metadata__` object of strings), then the tensor data. Only the header is fetched,
//! with range requests: first bytes `0..=100000` (which usually hold the whole header),
//! then the rest of the header if it is longer. Headers above 25,000,000 bytes are
//! refused, as the Python client does.

use std::collections::BTreeMap;
use std::future::IntoFuture;

use bytes::{Bytes, BytesMut};
use futures_util::{StreamExt, TryStreamExt};
use hf_http::Token;
use hf_http::http::{HeaderValue, header};
use hf_http::hub_error::NotFoundHint;
use hf_types::{RepoType, SafetensorsFileMetadata, SafetensorsIndex, SafetensorsRepoMetadata};

use super::{parse_path, parse_repo_id, parse_revision, token_auth};
use crate::client::HfApi;
use crate::error::Error;
use crate::request::{ApiRequest, BoxFuture};

/// The file of a single-file safetensors repo.
pub const SAFETENSORS_SINGLE_FILE: &str = "model.safetensors";
/// The index of a sharded safetensors repo.
pub const SAFETENSORS_INDEX_FILE: &str = "model.safetensors.index.json";
/// The largest header accepted, in bytes (the Python client's limit).
pub const SAFETENSORS_MAX_HEADER_LENGTH: u64 = 25_000_000;
/// Bytes asked for in the first range request (`bytes=0-100000`).
const FIRST_RANGE_END: u64 = 100_000;
/// How many shards are parsed at once.
const SHARD_CONCURRENCY: usize = 8;

/// Where a file is: repo, type, revision, path, token.
#[derive(Debug, Clone)]
struct FileRef {
    api: HfApi,
    repo_id: String,
    repo_type: RepoType,
    revision: Option<String>,
    token: Option<Token>,
}

impl FileRef {
    fn resolve_path(&self, filename: &str) -> Result<String, Error> {
        let id = parse_repo_id(&self.repo_id)?;
        let rev = parse_revision(self.revision.as_deref())?;
        let path = parse_path(filename)?;
        Ok(format!(
            "/{}{}/resolve/{}/{}",
            self.repo_type.url_prefix(),
            id.as_str(),
            rev.url_segment(),
            path.url_encoded()
        ))
    }

    /// `GET` of the resolve URL with `Range: bytes={start}-{end}`; at most
    /// `end - start + 1` bytes are read even if the server ignores the range.
    async fn get_range(&self, filename: &str, start: u64, end: u64) -> Result<Bytes, Error> {
        let range = HeaderValue::from_str(&format!("bytes={start}-{end}"))
            .map_err(|e| Error::invalid_argument("bad range", Some(Box::new(e) as _)))?;
        let res = ApiRequest::get(&self.api, self.resolve_path(filename)?)
            .auth(token_auth(self.token.as_ref()))
            .extension(NotFoundHint::Entry)
            .header(header::RANGE, range)
            .send()
            .await?;
        let partial = res.status() == hf_http::http::StatusCode::PARTIAL_CONTENT;
        // A server that ignores `Range` sends the file from its start.
        let skip = if partial { 0 } else { start };
        let want = (end - start + 1) as usize;
        let mut out = BytesMut::new();
        let mut seen: u64 = 0;
        let mut stream = std::pin::pin!(res.into_body().into_stream());
        while let Some(chunk) = stream.try_next().await? {
            let chunk_start = seen;
            seen += chunk.len() as u64;
            if seen <= skip {
                continue;
            }
            let from = skip.saturating_sub(chunk_start) as usize;
            let take = (chunk.len() - from).min(want - out.len());
            out.extend_from_slice(&chunk[from..from + take]);
            if out.len() >= want {
                break;
            }
        }
        Ok(out.freeze())
    }

    async fn parse_file(&self, filename: &str) -> Result<SafetensorsFileMetadata, Error> {
        let first = self.get_range(filename, 0, FIRST_RANGE_END).await?;
        if first.len() < 8 {
            return Err(Error::safetensors_parsing(
                filename,
                format!(
                    "the file is {} bytes long, shorter than the 8-byte header length",
                    first.len()
                ),
            ));
        }
        let mut len_bytes = [0u8; 8];
        len_bytes.copy_from_slice(&first[..8]);
        let header_len = u64::from_le_bytes(len_bytes);
        if header_len > SAFETENSORS_MAX_HEADER_LENGTH {
            return Err(Error::safetensors_parsing(
                filename,
                format!(
                    "the header is too big ({header_len} bytes; at most {SAFETENSORS_MAX_HEADER_LENGTH} are accepted)"
                ),
            ));
        }
        let header = if header_len <= (first.len() - 8) as u64 {
            first.slice(8..8 + header_len as usize)
        } else {
            self.get_range(filename, 8, header_len + 7).await?
        };
        if (header.len() as u64) < header_len {
            return Err(Error::safetensors_parsing(
                filename,
                format!(
                    "the header should be {header_len} bytes but only {} came back",
                    header.len()
                ),
            ));
        }
        // Invalid UTF-8 is dropped, as the Python client does (`errors="ignore"`).
        let text = String::from_utf8_lossy(&header).replace('\u{FFFD}', "");
        serde_json::from_str(&text).map_err(|e| {
            Error::safetensors_parsing(filename, format!("the header is not valid JSON: {e}"))
        })
    }
}

/// The request built by [`HfApi::parse_safetensors_file_metadata`].
#[must_use = "a request does nothing until it is awaited"]
#[derive(Debug, Clone)]
pub struct SafetensorsFileRequest {
    file: FileRef,
    filename: String,
}

/// The request built by [`HfApi::get_safetensors_metadata`].
#[must_use = "a request does nothing until it is awaited"]
#[derive(Debug, Clone)]
pub struct SafetensorsRepoRequest {
    file: FileRef,
}

impl HfApi {
    fn file_ref(&self, repo_id: &str) -> FileRef {
        FileRef {
            api: self.clone(),
            repo_id: repo_id.to_owned(),
            repo_type: RepoType::Model,
            revision: None,
            token: None,
        }
    }

    /// The header of one safetensors file, read with range requests (no weights are
    /// downloaded).
    ///
    /// Errors: [`Error::SafetensorsParsing`] when the header is too big or malformed,
    /// [`Error::EntryNotFound`], [`Error::RepositoryNotFound`], [`Error::RevisionNotFound`].
    pub fn parse_safetensors_file_metadata(
        &self,
        repo_id: &str,
        filename: &str,
    ) -> SafetensorsFileRequest {
        SafetensorsFileRequest {
            file: self.file_ref(repo_id),
            filename: filename.to_owned(),
        }
    }

    /// The safetensors metadata of a repo: `model.safetensors`, or every shard listed in
    /// `model.safetensors.index.json` (parsed concurrently). Parameter counts per dtype
    /// come from [`SafetensorsRepoMetadata::parameter_count`].
    ///
    /// Errors: [`Error::NotASafetensorsRepo`] when neither file exists,
    /// [`Error::SafetensorsParsing`] for a bad header or index.
    ///
    /// ```no_run
    /// # async fn demo(api: hf_api::HfApi) -> Result<(), hf_api::Error> {
    /// let meta = api.get_safetensors_metadata("bigscience/bloomz-560m").await?;
    /// println!("{:?}", meta.parameter_count());
    /// # Ok(()) }
    /// ```
    pub fn get_safetensors_metadata(&self, repo_id: &str) -> SafetensorsRepoRequest {
        SafetensorsRepoRequest {
            file: self.file_ref(repo_id),
        }
    }
}

macro_rules! file_ref_setters {
    ($ty:ty) => {
        impl $ty {
            /// The repo type (default: model).
            pub fn repo_type(mut self, repo_type: RepoType) -> Self {
                self.file.repo_type = repo_type;
                self
            }

            /// A branch, tag or commit (default `main`).
            pub fn revision(mut self, revision: impl Into<String>) -> Self {
                self.file.revision = Some(revision.into());
                self
            }

            /// Uses this token instead of the client's.
            pub fn token(mut self, token: Token) -> Self {
                self.file.token = Some(token);
                self
            }
        }
    };
}
file_ref_setters!(SafetensorsFileRequest);
file_ref_setters!(SafetensorsRepoRequest);

impl IntoFuture for SafetensorsFileRequest {
    type Output = Result<SafetensorsFileMetadata, Error>;
    type IntoFuture = BoxFuture<SafetensorsFileMetadata>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move { self.file.parse_file(&self.filename).await })
    }
}

impl IntoFuture for SafetensorsRepoRequest {
    type Output = Result<SafetensorsRepoMetadata, Error>;
    type IntoFuture = BoxFuture<SafetensorsRepoMetadata>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let f = &self.file;
            let exists = |name: &str| {
                let mut req = f.api.file_exists(&f.repo_id, name).repo_type(f.repo_type);
                if let Some(r) = &f.revision {
                    req = req.revision(r.clone());
                }
                if let Some(t) = &f.token {
                    req = req.token(t.clone());
                }
                req
            };
            if exists(SAFETENSORS_SINGLE_FILE).await? {
                let meta = f.parse_file(SAFETENSORS_SINGLE_FILE).await?;
                let weight_map = meta
                    .tensors
                    .keys()
                    .map(|k| (k.clone(), SAFETENSORS_SINGLE_FILE.to_owned()))
                    .collect();
                let files = BTreeMap::from([(SAFETENSORS_SINGLE_FILE.to_owned(), meta)]);
                return Ok(SafetensorsRepoMetadata::new(None, false, weight_map, files));
            }
            if !exists(SAFETENSORS_INDEX_FILE).await? {
                return Err(Error::NotASafetensorsRepo {
                    repo_id: f.repo_id.clone(),
                });
            }
            let index_bytes = ApiRequest::get(&f.api, f.resolve_path(SAFETENSORS_INDEX_FILE)?)
                .auth(token_auth(f.token.as_ref()))
                .extension(NotFoundHint::Entry)
                .send()
                .await?
                .into_body()
                .bytes()
                .await?;
            let index: SafetensorsIndex = serde_json::from_slice(&index_bytes).map_err(|e| {
                Error::safetensors_parsing(
                    SAFETENSORS_INDEX_FILE,
                    format!("the index is not valid JSON with a `weight_map`: {e}"),
                )
            })?;
            let mut shards: Vec<String> = index.weight_map.values().cloned().collect();
            shards.sort();
            shards.dedup();
            let files: BTreeMap<String, SafetensorsFileMetadata> =
                futures_util::stream::iter(shards)
                    .map(|name| async move {
                        let meta = f.parse_file(&name).await?;
                        Ok::<_, Error>((name, meta))
                    })
                    .buffer_unordered(SHARD_CONCURRENCY)
                    .try_collect()
                    .await?;
            Ok(SafetensorsRepoMetadata::new(
                index.metadata,
                true,
                index.weight_map,
                files,
            ))
        })
    }
}

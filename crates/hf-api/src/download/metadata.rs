//! `get_hf_file_metadata`: the `HEAD` on a resolve URL (hub-protocol §5.2).

use std::future::IntoFuture;

use hf_http::auth::RequestAuth;
use hf_http::http::header::{ACCEPT_ENCODING, CONTENT_LENGTH, LOCATION, RANGE};
use hf_http::http::{HeaderMap, HeaderValue, Method, Request, Uri};
use hf_http::{HfBody, RedirectMode};
use hf_types::{CommitOid, ETag};

use super::DownloadOptions;
use super::url::FileTarget;
use crate::client::HfApi;
use crate::error::Error;
use crate::request::BoxFuture;

/// What the metadata request says about a file.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FileMetadata {
    /// The commit the revision resolved to (`X-Repo-Commit`).
    pub commit_hash: CommitOid,
    /// The normalized etag (`X-Linked-Etag`, else `ETag`): the git blob sha1 of a regular
    /// file, the sha256 of an LFS file. It names the blob in the cache.
    pub etag: ETag,
    /// The size in bytes (`X-Linked-Size`, else `Content-Length`).
    pub size: u64,
    /// Where the content is: the CDN URL of an LFS file (`Location`), else the resolve
    /// URL itself.
    pub location: String,
}

impl HfApi {
    /// The metadata of a file without downloading it (Python's
    /// `get_hf_file_metadata`): `HEAD` on its resolve URL, following same-origin
    /// redirects (a renamed repo) but not the CDN redirect, whose headers carry the
    /// metadata.
    ///
    /// ```no_run
    /// # async fn demo(api: hf_api::HfApi) -> Result<(), hf_api::Error> {
    /// let meta = api.get_hf_file_metadata("gpt2", "config.json").revision("main").await?;
    /// println!("{} bytes at {}", meta.size, meta.commit_hash);
    /// # Ok(()) }
    /// ```
    pub fn get_hf_file_metadata(
        &self,
        repo_id: impl Into<String>,
        filename: impl Into<String>,
    ) -> FileMetadataRequest {
        FileMetadataRequest {
            api: self.clone(),
            repo_id: repo_id.into(),
            filename: filename.into(),
            subfolder: None,
            options: DownloadOptions::default(),
        }
    }
}

/// The request built by [`HfApi::get_hf_file_metadata`]; `.await` it to send it.
///
/// Of the [`DownloadOptions`], it uses `repo_type`, `revision`, `etag_timeout`,
/// `token`, `headers` and offline mode.
#[must_use = "a request does nothing until it is awaited"]
#[derive(Debug, Clone)]
pub struct FileMetadataRequest {
    api: HfApi,
    repo_id: String,
    filename: String,
    subfolder: Option<String>,
    options: DownloadOptions,
}

impl FileMetadataRequest {
    /// A folder inside the repo that holds the file.
    pub fn subfolder(mut self, subfolder: impl Into<String>) -> Self {
        self.subfolder = Some(subfolder.into());
        self
    }

    super::download_option_setters!();
}

impl IntoFuture for FileMetadataRequest {
    type Output = Result<FileMetadata, Error>;
    type IntoFuture = BoxFuture<FileMetadata>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let target = FileTarget::new(
                self.options.repo_type,
                &self.repo_id,
                &self.filename,
                self.subfolder.as_deref(),
                self.options.revision.as_deref(),
            )?;
            if self.options.is_offline(&self.api) {
                return Err(offline_error(&target));
            }
            head(&self.api, &target, &self.options, Attempts::Retried).await
        })
    }
}

pub(crate) fn offline_error(target: &FileTarget) -> Error {
    Error::OfflineMode {
        message: format!(
            "offline mode is on, so {} in {} cannot be looked up on the Hub; unset \
             HF_HUB_OFFLINE or build the client with .offline(false), or download the file \
             first while online",
            target.path.as_str(),
            target.repo_id.as_str()
        ),
    }
}

/// A request with the download options applied (token, headers).
pub(crate) fn request(method: Method, uri: Uri, options: &DownloadOptions) -> Request<HfBody> {
    let mut req = Request::new(HfBody::empty());
    *req.method_mut() = method;
    *req.uri_mut() = uri;
    let headers = req.headers_mut();
    for (name, value) in &options.headers {
        headers.insert(name.clone(), value.clone());
    }
    // The real byte size, and never a compressed body written to disk.
    headers.insert(ACCEPT_ENCODING, HeaderValue::from_static("identity"));
    if let Some(token) = &options.token {
        req.extensions_mut()
            .insert(RequestAuth::Token(token.clone()));
    }
    req
}

/// How many times a request whose failure may have a local answer is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Attempts {
    /// Once: when it fails, the cached file (or folder) is returned at once, as Python
    /// does, and a machine without network does not wait through retries for it.
    Once,
    /// With the client's retries (within the deadline): nothing local can answer.
    Retried,
}

impl Attempts {
    /// The request extension that bounds the retries.
    pub(crate) fn budget(self, deadline: std::time::Duration) -> hf_http::retry::RetryBudget {
        match self {
            Attempts::Once => hf_http::retry::RetryBudget::NONE,
            Attempts::Retried => hf_http::retry::RetryBudget(deadline),
        }
    }
}

/// `HEAD` on the resolve URL of `target` at its revision.
pub(crate) async fn head(
    api: &HfApi,
    target: &FileTarget,
    options: &DownloadOptions,
    attempts: Attempts,
) -> Result<FileMetadata, Error> {
    let path = target.resolve_path(&target.revision);
    let uri = api.http().url(&path)?;
    let mut req = request(Method::HEAD, uri.clone(), options);
    req.headers_mut().remove(RANGE);
    req.extensions_mut().insert(RedirectMode::SameOrigin);
    let limit = options.etag_timeout.unwrap_or(api.etag_timeout());
    // Retries stop before the deadline, so a refused connection is reported as such.
    req.extensions_mut().insert(attempts.budget(limit));
    let fut = api.http().send(req);
    let res = match tokio::time::timeout(limit, fut).await {
        Ok(res) => res?,
        Err(elapsed) => {
            return Err(Error::Http(
                hf_http::Error::new(hf_http::ErrorKind::Timeout, elapsed)
                    .with_detail(format!(
                        "no answer to the metadata request within {limit:?}; raise \
                         `etag_timeout` (or HF_HUB_ETAG_TIMEOUT) on a slow connection"
                    ))
                    .with_request(&Method::HEAD, &uri),
            ));
        }
    };
    parse_metadata(res.headers(), &uri.to_string()).map_err(|what| Error::InvalidResponse {
        message: format!(
            "the Hub's answer for {} in {} lacks {what}; check that the endpoint ({}) is a \
             Hugging Face Hub and that no proxy strips headers",
            target.path.as_str(),
            target.repo_id.as_str(),
            api.endpoint()
        ),
    })
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

fn parse_metadata(headers: &HeaderMap, requested: &str) -> Result<FileMetadata, &'static str> {
    let commit = header(headers, "x-repo-commit")
        .and_then(|c| CommitOid::new(c).ok())
        .ok_or("a valid X-Repo-Commit header")?;
    let etag = header(headers, "x-linked-etag")
        .or_else(|| header(headers, "etag"))
        .and_then(|e| ETag::from_header(e).ok())
        .ok_or("a valid ETag header")?;
    let size = header(headers, "x-linked-size")
        .or_else(|| header(headers, CONTENT_LENGTH.as_str()))
        .and_then(|s| s.trim().parse::<u64>().ok())
        .ok_or("a size (X-Linked-Size or Content-Length)")?;
    let location =
        header(headers, LOCATION.as_str()).map_or_else(|| requested.to_owned(), str::to_owned);
    Ok(FileMetadata {
        commit_hash: commit,
        etag,
        size,
        location,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linked_headers_win() {
        let mut h = HeaderMap::new();
        h.insert(
            "x-repo-commit",
            HeaderValue::from_static("0123456789abcdef0123456789abcdef01234567"),
        );
        h.insert("etag", HeaderValue::from_static("\"pointer\""));
        h.insert("x-linked-etag", HeaderValue::from_static("W/\"abc\""));
        h.insert("content-length", HeaderValue::from_static("12"));
        h.insert("x-linked-size", HeaderValue::from_static("99"));
        let m = parse_metadata(&h, "http://h/x").unwrap();
        assert_eq!(m.etag.as_str(), "abc");
        assert_eq!(m.size, 99);
        assert_eq!(m.location, "http://h/x");
        h.remove("x-repo-commit");
        assert!(parse_metadata(&h, "http://h/x").is_err());
    }
}

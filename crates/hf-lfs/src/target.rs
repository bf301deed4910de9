//! Where an upload goes, and the small HTTP helpers every step shares.

use bytes::Bytes;
use hf_http::auth::RequestAuth;
use hf_http::retry::Idempotency;
use hf_http::{HfBody, HubClient};
use hf_types::{RepoId, RepoType, Revision};
use http::header::{ACCEPT, CONTENT_LENGTH, CONTENT_TYPE};
use http::{HeaderValue, Method, Request, Uri};
use serde::de::DeserializeOwned;

use crate::error::{Error, Result};

/// Media type of LFS batch requests and responses.
pub(crate) const LFS_MEDIA_TYPE: &str = "application/vnd.git-lfs+json";

/// The repository, revision and mode of a commit: everything the upload steps need to
/// build their URLs.
///
/// ```
/// use hf_lfs::UploadTarget;
/// use hf_types::{RepoId, RepoType, Revision};
/// let target = UploadTarget::new(RepoType::Dataset, RepoId::new("alice/ds")?)
///     .revision(Revision::new("refs/pr/1")?)
///     .create_pr(false);
/// assert_eq!(target.preupload_path(), "/api/datasets/alice/ds/preupload/refs%2Fpr%2F1");
/// assert_eq!(target.lfs_batch_path(), "/datasets/alice/ds.git/info/lfs/objects/batch");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct UploadTarget {
    repo_type: RepoType,
    repo_id: RepoId,
    revision: Revision,
    create_pr: bool,
    auth: Option<RequestAuth>,
}

impl PartialEq for UploadTarget {
    fn eq(&self, other: &Self) -> bool {
        let auth = |t: &UploadTarget| match &t.auth {
            None | Some(RequestAuth::Default) => (0, None),
            Some(RequestAuth::Disabled) => (1, None),
            Some(RequestAuth::Token(t)) => (2, t.to_header_value()),
            Some(_) => (3, None),
        };
        self.repo_type == other.repo_type
            && self.repo_id == other.repo_id
            && self.revision == other.revision
            && self.create_pr == other.create_pr
            && auth(self) == auth(other)
    }
}

impl Eq for UploadTarget {}

impl UploadTarget {
    /// Uploads to `repo_id` of type `repo_type`, on `main`, without opening a pull request.
    pub fn new(repo_type: RepoType, repo_id: RepoId) -> Self {
        UploadTarget {
            repo_type,
            repo_id,
            revision: Revision::main(),
            create_pr: false,
            auth: None,
        }
    }

    /// The credentials of every request sent to the Hub for this upload (preupload, LFS
    /// batch, verify, multipart completion, commit), instead of the client's token, e.g.
    /// [`RequestAuth::Token`] for a per-call token. The client's auth layer still sends
    /// it to the endpoint's origin only.
    pub fn auth(mut self, auth: RequestAuth) -> Self {
        self.auth = Some(auth);
        self
    }

    /// The credentials set with [`auth`](UploadTarget::auth).
    pub fn get_auth(&self) -> Option<&RequestAuth> {
        self.auth.as_ref()
    }

    /// The branch to commit to (or to open the pull request against).
    pub fn revision(mut self, revision: Revision) -> Self {
        self.revision = revision;
        self
    }

    /// Whether the commit opens a pull request (`?create_pr=1`; the LFS batch then
    /// carries no `ref`, so users without write access to the branch can upload).
    pub fn create_pr(mut self, create_pr: bool) -> Self {
        self.create_pr = create_pr;
        self
    }

    /// The repo type.
    pub fn repo_type(&self) -> RepoType {
        self.repo_type
    }

    /// The repo id.
    pub fn repo_id(&self) -> &RepoId {
        &self.repo_id
    }

    /// The target revision.
    pub fn get_revision(&self) -> &Revision {
        &self.revision
    }

    /// Whether a pull request is opened.
    pub fn is_create_pr(&self) -> bool {
        self.create_pr
    }

    fn query(&self) -> &'static str {
        if self.create_pr { "?create_pr=1" } else { "" }
    }

    /// Path and query of the preupload call.
    pub fn preupload_path(&self) -> String {
        format!(
            "/api/{}/{}/preupload/{}{}",
            self.repo_type.plural(),
            self.repo_id,
            self.revision.url_segment(),
            self.query()
        )
    }

    /// Path and query of the commit call.
    pub fn commit_path(&self) -> String {
        format!(
            "/api/{}/{}/commit/{}{}",
            self.repo_type.plural(),
            self.repo_id,
            self.revision.url_segment(),
            self.query()
        )
    }

    /// Path of the LFS batch endpoint.
    pub fn lfs_batch_path(&self) -> String {
        format!(
            "/{}{}.git/info/lfs/objects/batch",
            self.repo_type.url_prefix(),
            self.repo_id
        )
    }
}

/// Replaces the public Hub's origin in a server-provided URL by the configured endpoint
/// (Python's `fix_hf_endpoint_in_url`), so a mirror or emulator that echoes
/// `https://huggingface.co/...` URLs still receives the follow-up calls.
pub(crate) fn fix_endpoint(url: &str, endpoint: &str) -> String {
    const DEFAULT: &str = "https://huggingface.co";
    const STAGING: &str = "https://hub-ci.huggingface.co";
    if endpoint == DEFAULT || endpoint == STAGING {
        return url.to_owned();
    }
    url.replace(DEFAULT, endpoint).replace(STAGING, endpoint)
}

pub(crate) fn parse_uri(what: &str, url: &str) -> Result<Uri> {
    url.parse().map_err(|e: http::uri::InvalidUri| {
        Error::malformed(
            what,
            format!("invalid URL {}: {e}", crate::error::redact_url(url)),
        )
    })
}

/// A JSON request. `idempotent` marks POSTs without side effects so the stack may
/// retry them.
pub(crate) fn json_request(
    method: Method,
    uri: Uri,
    body: Vec<u8>,
    content_type: &'static str,
    accept: Option<&'static str>,
    idempotent: bool,
) -> Request<HfBody> {
    let len = body.len();
    let mut req = Request::new(HfBody::full(Bytes::from(body)));
    *req.method_mut() = method;
    *req.uri_mut() = uri;
    let headers = req.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(CONTENT_LENGTH, HeaderValue::from(len));
    if let Some(accept) = accept {
        headers.insert(ACCEPT, HeaderValue::from_static(accept));
    }
    if idempotent {
        req.extensions_mut().insert(Idempotency::Idempotent);
    }
    req
}

/// Attaches the per-upload credentials (if any) to a request for the Hub.
pub(crate) fn authorize(req: &mut Request<HfBody>, auth: Option<&RequestAuth>) {
    if let Some(auth) = auth {
        req.extensions_mut().insert(auth.clone());
    }
}

/// Sends `req` and decodes its JSON answer; errors name `what`.
pub(crate) async fn send_json<T: DeserializeOwned>(
    client: &HubClient,
    what: &str,
    mut req: Request<HfBody>,
) -> Result<T> {
    // Read within the attempt, so that an answer broken off half-way is retried.
    req.extensions_mut().insert(hf_http::retry::BufferBody);
    let res = client.send(req).await.map_err(|e| Error::http(what, e))?;
    let body = res
        .into_body()
        .bytes()
        .await
        .map_err(|e| Error::http(what, e))?;
    serde_json::from_slice(&body).map_err(|e| Error::malformed(what, e.to_string()))
}

/// Sends `req` and drains its answer (only the status matters).
pub(crate) async fn send_discard(
    client: &HubClient,
    what: &str,
    mut req: Request<HfBody>,
) -> Result<http::HeaderMap> {
    // Read within the attempt, so that an answer broken off half-way is retried.
    req.extensions_mut().insert(hf_http::retry::BufferBody);
    let res = client.send(req).await.map_err(|e| Error::http(what, e))?;
    let (parts, body) = res.into_parts();
    body.bytes().await.map_err(|e| Error::http(what, e))?;
    Ok(parts.headers)
}

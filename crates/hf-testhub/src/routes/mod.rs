//! HTTP routing. Repo ids have one or two segments and revisions are one percent-encoded
//! segment, so paths are split and dispatched by hand rather than with axum's router.

mod admin;
pub(crate) mod cdn;
mod collections;
mod commits;
mod discussions;
mod endpoints;
mod info;
mod lfs;
mod refs;
mod repos;
mod resolve;
mod spaces;
mod tree;
mod upload;
mod users;
mod webhooks;

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures_util::{StreamExt as _, TryStreamExt};
use http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use serde_json::{Value, json};

use crate::Shared;
use crate::log::{Listener, LoggedRequest};
use crate::state::{Caller, HubState, Repo, RepoType, repo_key};

/// Handler result: both arms are complete responses.
pub(crate) type HubResult = Result<Response, HubErr>;

/// An error response in the Hub's shape: JSON `{"error": ...}` plus `X-Error-Code` /
/// `X-Error-Message` headers.
#[derive(Debug)]
pub(crate) struct HubErr(pub(crate) Box<Response>);

impl IntoResponse for HubErr {
    fn into_response(self) -> Response {
        *self.0
    }
}

impl HubErr {
    pub(crate) fn new(status: StatusCode, code: Option<&str>, message: &str) -> Self {
        let mut resp = (status, axum::Json(json!({ "error": message }))).into_response();
        let h = resp.headers_mut();
        if let Some(code) = code {
            h.insert(
                "x-error-code",
                HeaderValue::from_str(code).expect("ascii code"),
            );
        }
        let ascii: String = message
            .chars()
            .map(|c| {
                if c.is_ascii() && !c.is_ascii_control() {
                    c
                } else {
                    ' '
                }
            })
            .collect();
        if let Ok(v) = HeaderValue::from_str(&ascii) {
            h.insert("x-error-message", v);
        }
        Self(Box::new(resp))
    }

    pub(crate) fn with_header(mut self, name: &'static str, value: &str) -> Self {
        if let Ok(v) = HeaderValue::from_str(value) {
            self.0.headers_mut().insert(name, v);
        }
        self
    }

    pub(crate) fn bad_request(msg: &str) -> Self {
        Self::new(StatusCode::BAD_REQUEST, None, msg)
    }

    pub(crate) fn forbidden(msg: &str) -> Self {
        Self::new(StatusCode::FORBIDDEN, None, msg)
    }

    pub(crate) fn conflict(msg: &str) -> Self {
        Self::new(StatusCode::CONFLICT, None, msg)
    }

    pub(crate) fn not_found(msg: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, None, msg)
    }

    pub(crate) fn internal(e: impl std::fmt::Display) -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            None,
            &format!("emulator error: {e}"),
        )
    }

    /// Missing or invisible repo: 401 for anonymous callers, 404 otherwise, as the Hub does.
    pub(crate) fn repo_not_found(caller: Option<&Caller>) -> Self {
        match caller {
            None => Self::new(
                StatusCode::UNAUTHORIZED,
                Some("RepoNotFound"),
                "Invalid username or password.",
            ),
            Some(_) => Self::new(
                StatusCode::NOT_FOUND,
                Some("RepoNotFound"),
                "Repository not found",
            ),
        }
    }

    pub(crate) fn revision_not_found(rev: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            Some("RevisionNotFound"),
            &format!("Invalid rev id: {rev}"),
        )
    }

    pub(crate) fn entry_not_found(commit: Option<&str>) -> Self {
        let e = Self::new(
            StatusCode::NOT_FOUND,
            Some("EntryNotFound"),
            "Entry not found",
        );
        match commit {
            Some(c) => e.with_header("x-repo-commit", c),
            None => e,
        }
    }

    pub(crate) fn gated(caller: Option<&Caller>, repo: &Repo) -> Self {
        let what = format!("{} {}", repo.repo_type.as_str(), repo.id);
        match caller {
            None => Self::new(
                StatusCode::UNAUTHORIZED,
                Some("GatedRepo"),
                &format!(
                    "Access to {what} is restricted. You must have access to it and be authenticated to access it. Please log in."
                ),
            ),
            Some(_) => Self::new(
                StatusCode::FORBIDDEN,
                Some("GatedRepo"),
                &format!(
                    "Access to {what} is restricted and you are not in the authorized list. Visit https://huggingface.co/{}{} to ask for access.",
                    repo.repo_type.web_prefix(),
                    repo.id
                ),
            ),
        }
    }
}

impl From<std::io::Error> for HubErr {
    fn from(e: std::io::Error) -> Self {
        Self::internal(e)
    }
}

/// A parsed request: decoded path segments, query pairs, caller and base URL.
#[derive(Debug)]
pub(crate) struct Ctx {
    pub(crate) method: Method,
    pub(crate) segs: Vec<String>,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) raw_query: String,
    pub(crate) headers: HeaderMap,
    pub(crate) caller: Option<Caller>,
    /// `http://host:port` as the client addressed us.
    pub(crate) base: String,
}

impl Ctx {
    pub(crate) fn q(&self, key: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn q_all(&self, key: &str) -> Vec<&str> {
        self.query
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// A boolean query flag in any of the client spellings (`True`, `true`, `1`).
    pub(crate) fn flag(&self, key: &str) -> bool {
        self.q(key).is_some_and(truthy)
    }

    pub(crate) fn is_head(&self) -> bool {
        self.method == Method::HEAD
    }
}

pub(crate) fn truthy(v: &str) -> bool {
    matches!(v.to_ascii_lowercase().as_str(), "1" | "true" | "yes" | "on")
}

pub(crate) fn json_response(status: StatusCode, v: &Value) -> Response {
    (status, axum::Json(v)).into_response()
}

pub(crate) fn ok_json(v: &Value) -> HubResult {
    Ok(json_response(StatusCode::OK, v))
}

fn decode(seg: &str) -> String {
    percent_encoding::percent_decode_str(seg)
        .decode_utf8_lossy()
        .into_owned()
}

/// Repo resolved for a route: key and id, after following moves.
#[derive(Debug, Clone)]
pub(crate) struct RepoRef {
    pub(crate) repo_type: RepoType,
    pub(crate) id: String,
}

impl RepoRef {
    pub(crate) fn key(&self) -> String {
        repo_key(self.repo_type, &self.id)
    }
}

/// Looks a repo up with read access; moved repos are reported through `Err(Redirect)`.
pub(crate) enum Lookup {
    Found,
    Moved(String),
}

pub(crate) fn find_repo<'a>(st: &'a HubState, ctx: &Ctx, r: &RepoRef) -> Result<&'a Repo, HubErr> {
    match st.repos.get(&r.key()) {
        Some(repo) if st.can_read(ctx.caller.as_ref(), repo) => Ok(repo),
        _ => Err(HubErr::repo_not_found(ctx.caller.as_ref())),
    }
}

pub(crate) fn find_repo_write<'a>(
    st: &'a mut HubState,
    ctx: &Ctx,
    r: &RepoRef,
) -> Result<&'a mut Repo, HubErr> {
    let key = r.key();
    let Some(repo) = st.repos.get(&key) else {
        return Err(HubErr::repo_not_found(ctx.caller.as_ref()));
    };
    if !st.can_read(ctx.caller.as_ref(), repo) {
        return Err(HubErr::repo_not_found(ctx.caller.as_ref()));
    }
    if ctx.caller.is_none() {
        return Err(HubErr::new(
            StatusCode::UNAUTHORIZED,
            None,
            "You must be authenticated to do this (pass a token)",
        ));
    }
    if !st.can_write(ctx.caller.as_ref(), repo) {
        return Err(HubErr::forbidden(&format!(
            "You don't have the rights to write to {} {}",
            repo.repo_type.as_str(),
            repo.id
        )));
    }
    Ok(st.repos.get_mut(&key).expect("checked above"))
}

fn lookup(st: &HubState, t: RepoType, id: &str) -> Option<Lookup> {
    let key = repo_key(t, id);
    if st.repos.contains_key(&key) {
        Some(Lookup::Found)
    } else {
        st.redirects.get(&key).map(|n| Lookup::Moved(n.clone()))
    }
}

/// Words that may follow a repo id in `/api/{type}s/{id}/...`.
const API_KEYWORDS: &[&str] = &[
    "revision",
    "tree",
    "refs",
    "commits",
    "commit",
    "preupload",
    "paths-info",
    "discussions",
    "settings",
    "branch",
    "tag",
    "super-squash",
    "auth-check",
    "user-access-request",
    "runtime",
    "like",
    "likers",
];

/// Splits `segs` (after the type) into a repo id and the rest.
fn split_repo<'a>(st: &HubState, t: RepoType, segs: &'a [String]) -> (String, &'a [String]) {
    if segs.len() >= 2 {
        let single_exists = lookup(st, t, &segs[0]).is_some();
        if !(single_exists && API_KEYWORDS.contains(&segs[1].as_str())) {
            return (format!("{}/{}", segs[0], segs[1]), &segs[2..]);
        }
    }
    (segs[0].clone(), &segs[1..])
}

/// A 307 to the repo's new name, in the Hub's words.
fn moved(ctx: &Ctx, raw_path: &str, old: &str, new: &str) -> Response {
    let mut loc = raw_path.replacen(old, new, 1);
    if !ctx.raw_query.is_empty() {
        loc = format!("{loc}?{}", ctx.raw_query);
    }
    let mut resp = (
        StatusCode::TEMPORARY_REDIRECT,
        format!("Temporary Redirect. Redirecting to {loc}"),
    )
        .into_response();
    if let Ok(v) = HeaderValue::from_str(&loc) {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    resp
}

/// The fallback handler of the main listener.
pub(crate) async fn main_dispatch(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let body = match read_small_body(&parts.headers, body).await {
        Ok(body) => body,
        Err(e) => return e.into_response(),
    };
    let raw_path = parts.uri.path().to_owned();
    let raw_query = parts.uri.query().unwrap_or("").to_owned();
    if let Some(what) = raw_path.strip_prefix("/_testhub/") {
        return match admin::handle(&shared, &parts.method, what, body).await {
            Ok(r) => r,
            Err(e) => e.into_response(),
        };
    }
    let host = parts
        .headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map_or_else(|| shared.main_addr.to_string(), str::to_owned);
    let query: Vec<(String, String)> = serde_urlencoded::from_str(&raw_query).unwrap_or_default();
    let token = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned);
    let caller = match &token {
        None => None,
        Some(t) => match shared.state().caller(t) {
            Some(c) => Some(c),
            None => {
                return HubErr::new(
                    StatusCode::UNAUTHORIZED,
                    None,
                    "Invalid credentials in Authorization header",
                )
                .into_response();
            }
        },
    };
    let segs: Vec<String> = raw_path.split('/').skip(1).map(decode).collect();
    let ctx = Ctx {
        method: parts.method.clone(),
        segs,
        query,
        raw_query,
        headers: parts.headers,
        caller,
        base: format!("{}://{host}", shared.scheme),
    };
    match route(&shared, ctx, &raw_path, body).await {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

/// Request bodies up to this size are read before routing.
const BUFFERED_BODY_LIMIT: usize = 32 * 1024 * 1024;

/// Reads a body of known, small size up front. An answer sent without reading the body
/// (an early error, `validate-yaml`) would otherwise make hyper close the keep-alive
/// connection, and a client reusing it at that moment fails with "connection closed
/// without response" (seen with the Python client after `POST /api/validate-yaml`).
async fn read_small_body(headers: &http::HeaderMap, body: Body) -> Result<Body, HubErr> {
    let len = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    match len {
        Some(len) if len <= BUFFERED_BODY_LIMIT => axum::body::to_bytes(body, len)
            .await
            .map(Body::from)
            .map_err(|e| HubErr::bad_request(&format!("could not read the request body: {e}"))),
        _ => Ok(body),
    }
}

async fn route(shared: &Arc<Shared>, ctx: Ctx, raw_path: &str, body: Body) -> HubResult {
    let segs: Vec<&str> = ctx.segs.iter().map(String::as_str).collect();
    // API routes answer HEAD like GET (hyper drops the body).
    let m = if ctx.method == Method::HEAD {
        Method::GET
    } else {
        ctx.method.clone()
    };
    match segs.as_slice() {
        ["api", "whoami-v2"] if m == Method::GET => return repos::whoami(shared, &ctx),
        ["api", "repos", "create"] if m == Method::POST => {
            return repos::create(shared, &ctx, body).await;
        }
        ["api", "repos", "delete"] if m == Method::DELETE => {
            return repos::delete(shared, &ctx, body).await;
        }
        ["api", "repos", "move"] if m == Method::POST => {
            return repos::move_repo(shared, &ctx, body).await;
        }
        ["api", kind @ ("users" | "organizations"), name, what] if m == Method::GET => {
            return users::account_route(
                shared,
                &ctx,
                *kind == "organizations",
                name,
                what,
                raw_path,
            );
        }
        ["api", "settings", "webhooks", rest @ ..] => {
            return webhooks::route(shared, &ctx, rest, body).await;
        }
        ["v2", "endpoint", rest @ ..] if endpoints::is_route(rest) => {
            return endpoints::route(shared, &ctx, rest, body).await;
        }
        ["_endpoints", ns, name] if m == Method::GET => {
            return endpoints::probe(shared, &ctx, ns, name);
        }
        ["api", "collections", rest @ ..] => {
            return collections::route(shared, &ctx, rest, raw_path, body).await;
        }
        ["api", "models-tags-by-type" | "datasets-tags-by-type"] => return ok_json(&json!({})),
        ["api", "papers", "search"] if m == Method::GET => {
            let q = ctx.q("q").unwrap_or("").to_lowercase();
            let st = shared.state();
            let hits: Vec<Value> = st
                .papers
                .values()
                .filter(|p| {
                    ["title", "summary"]
                        .iter()
                        .any(|k| p[*k].as_str().is_some_and(|t| t.to_lowercase().contains(&q)))
                })
                .map(|p| json!({"paper": p, "title": p["title"], "publishedAt": p["publishedAt"], "numComments": 0}))
                .collect();
            return ok_json(&Value::Array(hits));
        }
        ["api", "papers", id] if m == Method::GET => {
            let st = shared.state();
            return match st.papers.get(*id) {
                Some(p) => ok_json(p),
                None => Err(HubErr::not_found(&format!("Paper {id} not found"))),
            };
        }
        ["api", "daily_papers"] if m == Method::GET => {
            let st = shared.state();
            let items: Vec<Value> = st
                .papers
                .values()
                .map(|p| json!({"paper": p, "title": p["title"], "publishedAt": p["publishedAt"], "numComments": 0}))
                .collect();
            return ok_json(&Value::Array(items));
        }
        ["api", "metrics"] => return ok_json(&json!([])),
        ["api", "validate-yaml"] => return ok_json(&json!({"errors": [], "warnings": []})),
        ["api", "telemetry", ..] => return Ok(StatusCode::OK.into_response()),
        ["api", kind] if m == Method::GET => {
            if let Some(t) = RepoType::from_plural(kind) {
                return info::list(shared, &ctx, t);
            }
        }
        ["api", kind, rest @ ..] if !rest.is_empty() => {
            if let Some(t) = RepoType::from_plural(kind) {
                return api_repo_route(shared, &ctx, raw_path, t, body).await;
            }
        }
        _ => {}
    }
    web_route(shared, &ctx, raw_path, body).await
}

async fn api_repo_route(
    shared: &Arc<Shared>,
    ctx: &Ctx,
    raw_path: &str,
    t: RepoType,
    body: Body,
) -> HubResult {
    let (id, rest) = {
        let st = shared.state();
        let (id, rest) = split_repo(&st, t, &ctx.segs[2..]);
        if let Some(Lookup::Moved(new)) = lookup(&st, t, &id) {
            return Ok(moved(ctx, raw_path, &id, &new));
        }
        (id, rest.to_vec())
    };
    let r = RepoRef { repo_type: t, id };
    let rest: Vec<&str> = rest.iter().map(String::as_str).collect();
    if t == RepoType::Space
        && let [what] = rest.as_slice()
        && spaces::is_route(&ctx.method, what)
    {
        return spaces::handle(shared, ctx, &r, what, body).await;
    }
    let m = if ctx.method == Method::HEAD {
        Method::GET
    } else {
        ctx.method.clone()
    };
    match (m, rest.as_slice()) {
        (Method::GET, []) => info::repo_info(shared, ctx, &r, None),
        (Method::GET, ["revision", rev]) => info::repo_info(shared, ctx, &r, Some(rev)),
        (Method::GET, ["tree", rev, path @ ..]) => {
            tree::list_tree(shared, ctx, &r, rev, &path.join("/"))
        }
        (Method::POST, ["paths-info", rev]) => tree::paths_info(shared, ctx, &r, rev, body).await,
        (Method::GET, ["refs"]) => refs::list_refs(shared, ctx, &r),
        (Method::GET, ["commits", rev]) => commits::list_commits(shared, ctx, &r, rev),
        (Method::POST, ["branch", b]) => refs::create_branch(shared, ctx, &r, b, body).await,
        (Method::DELETE, ["branch", b]) => refs::delete_branch(shared, ctx, &r, b),
        (Method::POST, ["tag", rev]) => refs::create_tag(shared, ctx, &r, rev, body).await,
        (Method::DELETE, ["tag", tag]) => refs::delete_tag(shared, ctx, &r, tag),
        (Method::POST, ["super-squash", b @ ..]) if !b.is_empty() => {
            refs::super_squash(shared, ctx, &r, &b.join("/"), body).await
        }
        (Method::PUT, ["settings"]) => repos::settings(shared, ctx, &r, body).await,
        (Method::GET, ["auth-check", ..]) => repos::auth_check(shared, ctx, &r, rest.len() > 1),
        (Method::POST, ["preupload", rev]) => upload::preupload(shared, ctx, &r, rev, body).await,
        (Method::POST, ["commit", rev]) => upload::commit(shared, ctx, &r, rev, body).await,
        (Method::POST, ["duplicate"]) => spaces::duplicate(shared, ctx, &r, body).await,
        (Method::POST, ["like"]) => users::like(shared, ctx, &r, true),
        (Method::DELETE, ["like"]) => users::like(shared, ctx, &r, false),
        (Method::GET, ["likers"]) => users::likers(shared, ctx, &r, raw_path),
        (_, ["discussions", more @ ..]) => discussions::route(shared, ctx, &r, more, body).await,
        (
            Method::GET,
            [
                "user-access-request",
                status @ ("pending" | "accepted" | "rejected"),
            ],
        ) => repos::list_access_requests(shared, ctx, &r, status),
        (Method::POST, ["user-access-request", "handle"]) => {
            repos::handle_access_request(shared, ctx, &r, body).await
        }
        (Method::POST, ["user-access-request", "grant"]) => {
            repos::grant_access_route(shared, ctx, &r, body).await
        }
        _ => Err(HubErr::not_found(&format!(
            "Sorry, we can't find the page you are looking for ({} {raw_path})",
            ctx.method
        ))),
    }
}

/// `/{prefix}{id}/resolve/...` and `/{prefix}{id}.git/info/lfs/...`.
async fn web_route(shared: &Arc<Shared>, ctx: &Ctx, raw_path: &str, body: Body) -> HubResult {
    let segs = &ctx.segs;
    let (t, rest) = match segs.first().map(String::as_str) {
        Some("datasets") if segs.len() > 2 => (RepoType::Dataset, &segs[1..]),
        Some("spaces") if segs.len() > 2 => (RepoType::Space, &segs[1..]),
        Some("kernels") if segs.len() > 2 => (RepoType::Kernel, &segs[1..]),
        _ => (RepoType::Model, &segs[..]),
    };
    // resolve: the keyword follows a one- or two-segment id.
    for n in [2usize, 1] {
        if rest.len() > n + 2 && rest[n] == "resolve" {
            let id = rest[..n].join("/");
            if let Some(Lookup::Moved(new)) = lookup(&shared.state(), t, &id) {
                return Ok(moved(ctx, raw_path, &id, &new));
            }
            let r = RepoRef { repo_type: t, id };
            let rev = rest[n + 1].clone();
            let path = rest[n + 2..].join("/");
            return resolve::resolve(shared, ctx, &r, &rev, &path).await;
        }
    }
    // LFS: {id}.git/info/lfs/objects/{batch,verify}
    let tail: Vec<&str> = rest.iter().map(String::as_str).collect();
    if let Some(git_idx) = tail
        .iter()
        .position(|s| s.to_ascii_lowercase().ends_with(".git"))
        && (1..=2).contains(&(git_idx + 1))
        && tail.get(git_idx + 1..git_idx + 4) == Some(&["info", "lfs", "objects"][..])
    {
        let mut id_parts: Vec<&str> = tail[..=git_idx].to_vec();
        let last = id_parts.pop().unwrap_or_default();
        id_parts.push(last.trim_end_matches(".git"));
        let id = id_parts.join("/");
        if let Some(Lookup::Moved(new)) = lookup(&shared.state(), t, &id) {
            return Ok(moved(ctx, raw_path, &id, &new));
        }
        let r = RepoRef { repo_type: t, id };
        match (ctx.method.clone(), tail.get(git_idx + 4).copied()) {
            (Method::POST, Some("batch")) => return lfs::batch(shared, ctx, &r, body).await,
            (Method::POST, Some("verify")) => return lfs::verify(shared, ctx, &r, body).await,
            _ => {}
        }
    }
    Err(HubErr::not_found(&format!(
        "Sorry, we can't find the page you are looking for ({} {raw_path})",
        ctx.method
    )))
}

/// Reads a whole (small) request body.
pub(crate) async fn read_body(body: Body) -> Result<bytes::Bytes, HubErr> {
    axum::body::to_bytes(body, 256 * 1024 * 1024)
        .await
        .map_err(|e| HubErr::bad_request(&format!("could not read the request body: {e}")))
}

pub(crate) async fn read_json(body: Body) -> Result<Value, HubErr> {
    let bytes = read_body(body).await?;
    if bytes.is_empty() {
        return Ok(json!({}));
    }
    serde_json::from_slice(&bytes)
        .map_err(|e| HubErr::bad_request(&format!("invalid JSON body: {e}")))
}

/// The logging and fault-injection middleware shared by both listeners.
pub(crate) async fn observe(
    State((shared, listener)): State<(Arc<Shared>, Listener)>,
    mut req: Request,
    next: Next,
) -> Response {
    if listener == Listener::Main && req.uri().path().starts_with("/_testhub/") {
        return next.run(req).await;
    }
    let method = req.method().clone();
    let path_and_query = req
        .uri()
        .path_and_query()
        .map_or_else(|| req.uri().path().to_owned(), |p| p.as_str().to_owned());
    let headers = req.headers().clone();
    let peer = req
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0);
    let counter = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let rules: Vec<_> = {
        let mut faults = shared.faults.lock().expect("faults lock");
        let hits = faults
            .iter()
            .filter(|r| r.take(listener, &method, &path_and_query))
            .cloned()
            .collect::<Vec<_>>();
        faults.retain(|r| !r.is_spent());
        hits.into_iter().filter_map(|r| r.draw(&method)).collect()
    };
    for r in &rules {
        if let Some(d) = r.delay {
            tokio::time::sleep(d).await;
        }
    }
    let failure = rules
        .iter()
        .find_map(|r| r.status.map(|s| (s, r.retry_after)));
    let mut resp = if let Some((status, retry_after)) = failure {
        // The request body is read (and dropped) first, as a server with a lingering
        // close (nginx's default) lets a client finish sending: the client then reads
        // the answer instead of failing to write the rest to a closed socket (a hyper
        // server closes at once when the body is left unread, hyperium/hyper#2384).
        let mut body = req.into_body().into_data_stream();
        while let Some(Ok(chunk)) = body.next().await {
            counter.fetch_add(chunk.len() as u64, std::sync::atomic::Ordering::Relaxed);
        }
        let mut e = HubErr::new(status, None, &format!("Injected fault: {status}"));
        if let Some(secs) = retry_after {
            e = e.with_header("retry-after", &secs.to_string());
        }
        e.into_response()
    } else {
        let c = counter.clone();
        if rules.iter().any(|r| r.ignore_range) {
            req.headers_mut().remove(header::RANGE);
        }
        let req = req.map(|b| {
            Body::from_stream(b.into_data_stream().inspect_ok(move |chunk| {
                c.fetch_add(chunk.len() as u64, std::sync::atomic::Ordering::Relaxed);
            }))
        });
        next.run(req).await
    };
    for r in &rules {
        if r.body.truncate_after.is_some() {
            resp.headers_mut().remove(header::CONTENT_LENGTH);
        }
        let (parts, body) = resp.into_parts();
        resp = Response::from_parts(parts, crate::faults::wrap_body(body, r.body.clone()));
    }
    // Every Hub answer names its request; clients quote it in error messages.
    if let Ok(v) = HeaderValue::from_str(&format!(
        "Root=1-{:08x}-{:024x}",
        jiff::Timestamp::now().as_second(),
        rand::random::<u128>() >> 32
    )) {
        resp.headers_mut().entry("x-request-id").or_insert(v);
    }
    let mut log = shared.log.lock().expect("log lock");
    if log.len() >= shared.log_capacity {
        log.pop_front();
    }
    log.push_back(LoggedRequest {
        listener,
        method,
        path_and_query,
        headers,
        body_bytes: counter.load(std::sync::atomic::Ordering::Relaxed),
        status: resp.status(),
        peer,
    });
    resp
}

/// Builds `Link: <...>; rel="next"` for the page after `offset + len` if there is one.
pub(crate) fn paginate<T: Clone>(
    ctx: &Ctx,
    path: &str,
    items: &[T],
    page_size: usize,
    cursor_key: &str,
) -> (Vec<T>, Option<HeaderValue>) {
    let start: usize = ctx.q(cursor_key).and_then(|c| c.parse().ok()).unwrap_or(0);
    let end = (start + page_size).min(items.len());
    let page = items.get(start..end).unwrap_or_default().to_vec();
    let link = (end < items.len()).then(|| {
        let mut q: Vec<(String, String)> = ctx
            .query
            .iter()
            .filter(|(k, _)| k != cursor_key)
            .cloned()
            .collect();
        q.push((cursor_key.to_owned(), end.to_string()));
        let qs = serde_urlencoded::to_string(&q).unwrap_or_default();
        HeaderValue::from_str(&format!("<{}{path}?{qs}>; rel=\"next\"", ctx.base))
            .expect("ascii link")
    });
    (page, link)
}

pub(crate) fn with_link(mut resp: Response, link: Option<HeaderValue>) -> Response {
    if let Some(l) = link {
        resp.headers_mut().insert(header::LINK, l);
    }
    resp
}

pub(crate) use cdn::cdn_dispatch;
pub(crate) use upload::lfs_rules;

//! A small scripted Hub + storage pair on loopback that records every request.
//!
//! The "hub" answers preupload, LFS batch, verify and commit; the "storage" server (a
//! different port, so a different origin) accepts basic `PUT`s, part `PUT`s and
//! multipart completions, like pre-signed object-store URLs.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde_json::{Value, json};

pub(crate) const TOKEN: &str = "hf_test_secret_token";

#[derive(Debug, Clone)]
pub(crate) struct Recorded {
    pub(crate) method: Method,
    pub(crate) path: String,
    pub(crate) query: Option<String>,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

impl Recorded {
    pub(crate) fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }

    pub(crate) fn text(&self) -> &str {
        std::str::from_utf8(&self.body).unwrap()
    }

    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().unwrap())
    }
}

/// What the servers do.
#[derive(Debug, Clone)]
pub(crate) struct Script {
    /// Preupload answers `lfs` from this size up.
    pub(crate) lfs_from: u64,
    /// LFS batch answers multipart from this size up.
    pub(crate) multipart_from: u64,
    pub(crate) chunk_size: u64,
    /// Objects the storage already has (no `actions`).
    pub(crate) present: HashSet<String>,
    /// Objects the batch refuses with an error.
    pub(crate) refused: HashSet<String>,
    /// (part number, failures before success, status) for every multipart object.
    pub(crate) failing_part: Option<(u32, u32, u16)>,
    /// (failures before success, status) for every basic upload.
    pub(crate) failing_basic: Option<(u32, u16)>,
    /// Paths the preupload marks as ignored.
    pub(crate) ignored: HashSet<String>,
    /// Remote oids reported by the preupload.
    pub(crate) remote_oids: HashMap<String, String>,
    /// Whether batch answers carry a verify action.
    pub(crate) verify: bool,
    /// Use `https://huggingface.co` in verify hrefs, to check endpoint rewriting.
    pub(crate) verify_on_public_hub: bool,
}

impl Default for Script {
    fn default() -> Self {
        Script {
            lfs_from: 1024,
            multipart_from: 8 * 1024 * 1024,
            chunk_size: 4 * 1024 * 1024,
            present: HashSet::new(),
            refused: HashSet::new(),
            failing_part: None,
            failing_basic: None,
            ignored: HashSet::new(),
            remote_oids: HashMap::new(),
            verify: true,
            verify_on_public_hub: false,
        }
    }
}

struct Inner {
    script: Script,
    hub_url: String,
    storage_url: String,
    requests: Mutex<Vec<(&'static str, Recorded)>>,
    part_failures: Mutex<HashMap<String, u32>>,
    /// Part PUTs being received right now, and the most seen at once.
    parts_in_flight: Mutex<(usize, usize)>,
}

#[derive(Clone)]
pub(crate) struct Servers {
    inner: Arc<Inner>,
}

impl Servers {
    pub(crate) async fn start(script: Script) -> Servers {
        let hub = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let storage = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let inner = Arc::new(Inner {
            script,
            hub_url: format!("http://{}", hub.local_addr().unwrap()),
            storage_url: format!("http://{}", storage.local_addr().unwrap()),
            requests: Mutex::new(Vec::new()),
            part_failures: Mutex::new(HashMap::new()),
            parts_in_flight: Mutex::new((0, 0)),
        });
        let servers = Servers { inner };
        let hub_app = Router::new()
            .fallback(hub_handler)
            .with_state(servers.clone());
        let storage_app = Router::new()
            .fallback(storage_handler)
            .with_state(servers.clone());
        tokio::spawn(async move { axum::serve(hub, hub_app).await.unwrap() });
        tokio::spawn(async move { axum::serve(storage, storage_app).await.unwrap() });
        servers
    }

    pub(crate) fn hub_url(&self) -> &str {
        &self.inner.hub_url
    }

    /// A client for the hub with a token and fast retries.
    pub(crate) fn client(&self) -> hf_http::HubClient {
        hf_http::HubClient::builder(self.hub_url())
            .token(hf_http::Token::new(TOKEN))
            .retry(
                hf_http::RetryConfig::default()
                    .backoff(Duration::from_millis(1), Duration::from_millis(4)),
            )
            .build()
            .unwrap()
    }

    /// Requests received by `server` ("hub" or "storage"), in order.
    pub(crate) fn requests(&self, server: &str) -> Vec<Recorded> {
        self.inner
            .requests
            .lock()
            .unwrap()
            .iter()
            .filter(|(s, _)| *s == server)
            .map(|(_, r)| r.clone())
            .collect()
    }

    /// The most part uploads the storage server saw in flight at once.
    pub(crate) fn max_parts_in_flight(&self) -> usize {
        self.inner.parts_in_flight.lock().unwrap().1
    }

    fn record(&self, server: &'static str, r: Recorded) {
        self.inner.requests.lock().unwrap().push((server, r));
    }
}

async fn read(req: Request) -> Recorded {
    let (parts, body) = req.into_parts();
    // A client that aborts its body mid-way leaves an empty record.
    let body = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    Recorded {
        method: parts.method,
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().map(str::to_owned),
        headers: parts.headers,
        body,
    }
}

fn json_response(value: &Value) -> Response {
    (
        [("content-type", "application/json")],
        serde_json::to_vec(value).unwrap(),
    )
        .into_response()
}

async fn hub_handler(State(s): State<Servers>, req: Request) -> Response {
    let r = read(req).await;
    s.record("hub", r.clone());
    let script = &s.inner.script;
    if r.path.contains("/preupload/") {
        let body = r.json();
        let files: Vec<Value> = body["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                let path = f["path"].as_str().unwrap();
                let size = f["size"].as_u64().unwrap();
                json!({
                    "path": path,
                    "uploadMode": if size >= script.lfs_from { "lfs" } else { "regular" },
                    "shouldIgnore": script.ignored.contains(path),
                    "oid": script.remote_oids.get(path),
                })
            })
            .collect();
        return json_response(&json!({ "files": files }));
    }
    if r.path.ends_with(".git/info/lfs/objects/batch") {
        let body = r.json();
        let objects: Vec<Value> = body["objects"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| {
                let oid = o["oid"].as_str().unwrap();
                let size = o["size"].as_u64().unwrap();
                if script.refused.contains(oid) {
                    return json!({"oid": oid, "size": size, "error": {"code": 422, "message": "object refused"}});
                }
                if script.present.contains(oid) {
                    return json!({"oid": oid, "size": size});
                }
                let storage = &s.inner.storage_url;
                let upload = if size >= script.multipart_from {
                    let mut header = serde_json::Map::new();
                    header.insert("chunk_size".into(), json!(script.chunk_size.to_string()));
                    for n in 1..=size.div_ceil(script.chunk_size) {
                        header.insert(n.to_string(), json!(format!("{storage}/part/{oid}/{n}?X-Signature=secret")));
                    }
                    json!({"href": format!("{storage}/complete/{oid}?X-Signature=secret"), "header": header})
                } else {
                    json!({"href": format!("{storage}/basic/{oid}?X-Signature=secret"), "header": {}})
                };
                let mut actions = json!({ "upload": upload });
                if script.verify {
                    let base = if script.verify_on_public_hub { "https://huggingface.co" } else { s.hub_url() };
                    actions["verify"] = json!({"href": format!("{base}/verify/{oid}")});
                }
                json!({"oid": oid, "size": size, "actions": actions})
            })
            .collect();
        return (
            [("content-type", "application/vnd.git-lfs+json")],
            serde_json::to_vec(&json!({"transfer": "basic", "objects": objects})).unwrap(),
        )
            .into_response();
    }
    if r.path.starts_with("/verify/") {
        return json_response(&json!({"success": true}));
    }
    if r.path.contains("/commit/") {
        let oid = "c0ffee0000000000000000000000000000000001";
        let mut answer = json!({
            "success": true,
            "commitOid": oid,
            "commitUrl": format!("{}/alice/repo/commit/{oid}", s.hub_url()),
        });
        if r.query.as_deref() == Some("create_pr=1") {
            answer["pullRequestUrl"] = json!(format!("{}/alice/repo/discussions/7", s.hub_url()));
        }
        return json_response(&answer);
    }
    (StatusCode::NOT_FOUND, "no such route").into_response()
}

async fn storage_handler(State(s): State<Servers>, req: Request) -> Response {
    let is_part = req.method() == Method::PUT && req.uri().path().starts_with("/part/");
    if is_part {
        // Counted from the request head to the response: an upper bound of what the
        // client had in flight.
        let mut g = s.inner.parts_in_flight.lock().unwrap();
        g.0 += 1;
        g.1 = g.1.max(g.0);
    }
    let response = storage_route(&s, req).await;
    if is_part {
        s.inner.parts_in_flight.lock().unwrap().0 -= 1;
    }
    response
}

async fn storage_route(s: &Servers, req: Request) -> Response {
    let r = read(req).await;
    s.record("storage", r.clone());
    let segments: Vec<&str> = r.path.trim_start_matches('/').split('/').collect();
    match (r.method.clone(), segments.as_slice()) {
        (Method::PUT, ["basic", oid]) => {
            if let Some((failures, status)) = s.inner.script.failing_basic {
                let mut seen = s.inner.part_failures.lock().unwrap();
                let count = seen.entry(format!("basic/{oid}")).or_default();
                if *count < failures {
                    *count += 1;
                    return (StatusCode::from_u16(status).unwrap(), "injected failure")
                        .into_response();
                }
            }
            StatusCode::OK.into_response()
        }
        (Method::PUT, ["part", oid, n]) => {
            let n: u32 = n.parse().unwrap();
            if let Some((part, failures, status)) = s.inner.script.failing_part
                && part == n
            {
                let mut seen = s.inner.part_failures.lock().unwrap();
                let count = seen.entry(format!("{oid}/{n}")).or_default();
                if *count < failures {
                    *count += 1;
                    return (StatusCode::from_u16(status).unwrap(), "injected failure")
                        .into_response();
                }
            }
            Response::builder()
                .status(StatusCode::OK)
                .header("ETag", format!("\"etag-{n}\""))
                .body(Body::empty())
                .unwrap()
        }
        (Method::POST, ["complete", _oid]) => json_response(&json!({})),
        _ => (StatusCode::NOT_FOUND, "no such route").into_response(),
    }
}

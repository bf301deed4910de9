//! A tiny HTTP client over hyper-util and helpers to drive the emulator's protocol by hand.

use bytes::Bytes;
use http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::Value;

pub(crate) const ALICE: &str = "hf_alice_write";

/// A response with its whole body (or the error that cut the body short).
#[derive(Debug)]
pub(crate) struct Resp {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Result<Bytes, String>,
}

impl Resp {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub(crate) fn bytes(&self) -> &Bytes {
        self.body.as_ref().expect("body read completely")
    }

    pub(crate) fn json(&self) -> Value {
        serde_json::from_slice(self.bytes()).expect("JSON body")
    }

    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(self.bytes()).into_owned()
    }

    /// The URL of `Link: <...>; rel="next"`, if any.
    pub(crate) fn next_link(&self) -> Option<String> {
        let link = self.header("link")?;
        let (url, rel) = link.split_once(';')?;
        rel.contains("rel=\"next\"").then(|| {
            url.trim()
                .trim_start_matches('<')
                .trim_end_matches('>')
                .to_owned()
        })
    }
}

/// Request builder state.
#[derive(Clone)]
pub(crate) struct Http {
    client: Client<HttpConnector, Full<Bytes>>,
}

impl Http {
    pub(crate) fn new() -> Self {
        Self {
            client: Client::builder(TokioExecutor::new()).build_http(),
        }
    }

    pub(crate) async fn send(
        &self,
        method: Method,
        url: &str,
        token: Option<&str>,
        headers: &[(&str, &str)],
        body: impl Into<Bytes>,
    ) -> Resp {
        let mut b = Request::builder().method(method).uri(url);
        if let Some(t) = token {
            b = b.header("authorization", format!("Bearer {t}"));
        }
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        let req = b.body(Full::new(body.into())).expect("valid request");
        let resp = self.client.request(req).await.expect("response headers");
        let (parts, body) = resp.into_parts();
        let body = body
            .collect()
            .await
            .map(http_body_util::Collected::to_bytes)
            .map_err(|e| format!("{e:?}"));
        Resp {
            status: parts.status,
            headers: parts.headers,
            body,
        }
    }

    pub(crate) async fn get(&self, url: &str, token: Option<&str>) -> Resp {
        self.send(Method::GET, url, token, &[], Bytes::new()).await
    }

    /// A `GET` whose body is left to the caller, frame by frame.
    pub(crate) async fn get_streaming(
        &self,
        url: &str,
    ) -> (
        StatusCode,
        http_body_util::combinators::BoxBody<Bytes, String>,
    ) {
        let req = Request::get(url)
            .body(Full::new(Bytes::new()))
            .expect("valid request");
        let resp = self.client.request(req).await.expect("response headers");
        let status = resp.status();
        (status, resp.into_body().map_err(|e| e.to_string()).boxed())
    }

    pub(crate) async fn head(&self, url: &str, token: Option<&str>) -> Resp {
        self.send(Method::HEAD, url, token, &[], Bytes::new()).await
    }

    pub(crate) async fn post_json(&self, url: &str, token: Option<&str>, body: &Value) -> Resp {
        self.send(
            Method::POST,
            url,
            token,
            &[("content-type", "application/json")],
            serde_json::to_vec(body).expect("json"),
        )
        .await
    }

    /// Sends an NDJSON commit (`lines` after the header) to `{base}/api/{rt}/{id}/commit/{rev}`.
    pub(crate) async fn commit(
        &self,
        base: &str,
        repo: &str,
        rev: &str,
        token: Option<&str>,
        header: &Value,
        lines: &[Value],
    ) -> Resp {
        let mut body = String::new();
        for v in
            std::iter::once(&serde_json::json!({"key": "header", "value": header})).chain(lines)
        {
            body.push_str(&serde_json::to_string(v).expect("json"));
            body.push('\n');
        }
        self.send(
            Method::POST,
            &format!("{base}/api/models/{repo}/commit/{rev}"),
            token,
            &[("content-type", "application/x-ndjson")],
            body,
        )
        .await
    }
}

/// A regular-file add line.
pub(crate) fn add_line(path: &str, content: &[u8]) -> Value {
    use base64::Engine;
    serde_json::json!({"key": "file", "value": {
        "content": base64::engine::general_purpose::STANDARD.encode(content),
        "path": path,
        "encoding": "base64",
    }})
}

/// Commits regular files to `main` of a model repo; returns the new commit id.
pub(crate) async fn commit_files(
    http: &Http,
    base: &str,
    repo: &str,
    title: &str,
    files: &[(&str, &[u8])],
) -> String {
    let lines: Vec<Value> = files.iter().map(|(p, c)| add_line(p, c)).collect();
    let r = http
        .commit(
            base,
            repo,
            "main",
            Some(ALICE),
            &serde_json::json!({"summary": title, "description": ""}),
            &lines,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()["commitOid"]
        .as_str()
        .expect("commitOid")
        .to_owned()
}

/// A hub with user alice (write token [`ALICE`]) and a repo `alice/repo`.
pub(crate) async fn hub_with_repo() -> hf_testhub::TestHub {
    let hub = hf_testhub::TestHub::builder()
        .user("alice", ALICE)
        .start()
        .await
        .expect("hub starts");
    hub.create_repo(hf_testhub::RepoType::Model, "alice/repo", false)
        .expect("repo");
    hub
}

pub(crate) fn sha256_hex(data: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(data))
}

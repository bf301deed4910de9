//! Integration tests of hf-api against an in-test HTTP server on 127.0.0.1.

mod api_access_requests;
mod api_collections;
mod api_coverage;
mod api_discussions;
mod api_endpoints;
mod api_files;
mod api_git;
mod api_info;
mod api_interop;
mod api_likes;
mod api_listings;
mod api_papers_webhooks;
mod api_repos;
mod api_safetensors;
mod api_spaces;
mod api_support;
mod api_users;
mod blocking;
mod commit_warnings;
mod download;
mod download_chaos;
mod download_dry_run;
mod download_interop;
mod download_process;
mod multi_commits;
mod offline;
mod patterns;
mod upload;
mod upload_chaos;
mod upload_interop;
mod upload_large;
mod upload_scheduler;
mod upload_token;
mod verify_checksums;
mod whoami;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::Response;
use http::HeaderMap;

/// The whoami payload recorded from the Hub (a copy of shared/fixtures/hub-payloads/whoami-v2__1.json).
const WHOAMI: &str = include_str!("fixtures/whoami-v2.json");

/// A tiny Hub: `/api/whoami-v2` answers for `Bearer hf_good` and 401s otherwise;
/// `/api/whoami-v2` with `Bearer hf_badjson` returns a payload of the wrong shape.
pub(crate) struct Hub {
    pub(crate) addr: SocketAddr,
    seen: Arc<Mutex<Vec<HeaderMap>>>,
}

impl Hub {
    pub(crate) async fn start() -> Hub {
        let seen: Arc<Mutex<Vec<HeaderMap>>> = Arc::default();
        let app = axum::Router::new()
            .route("/api/whoami-v2", axum::routing::get(whoami))
            .with_state(seen.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Hub { addr, seen }
    }

    pub(crate) fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub(crate) fn seen(&self) -> Vec<HeaderMap> {
        self.seen.lock().unwrap().clone()
    }
}

async fn whoami(State(seen): State<Arc<Mutex<Vec<HeaderMap>>>>, req: Request) -> Response {
    seen.lock().unwrap().push(req.headers().clone());
    let auth = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let json = |status: u16, body: &str| {
        Response::builder()
            .status(status)
            .header("content-type", "application/json")
            .header("x-request-id", "rid-1")
            .body(Body::from(body.to_owned()))
            .unwrap()
    };
    match auth {
        "Bearer hf_good" => json(200, WHOAMI),
        "Bearer hf_badjson" => json(200, r#"{"name": 5}"#),
        _ => json(
            401,
            r#"{"error": "Invalid credentials in Authorization header"}"#,
        ),
    }
}

/// The Python named by `HF_INTEROP_PYTHON`, or `None` (the caller skips `what`, unless
/// `HF_INTEROP_REQUIRED` is set, which makes a missing Python a failure).
pub(crate) fn interop_python(what: &str) -> Option<std::path::PathBuf> {
    python_from("HF_INTEROP_PYTHON", what)
}

/// [`interop_python`] for the newest release of the Python client
/// (`HF_INTEROP_PYTHON_LATEST`), for features 0.26.5 does not have.
pub(crate) fn interop_python_latest(what: &str) -> Option<std::path::PathBuf> {
    python_from("HF_INTEROP_PYTHON_LATEST", what)
}

fn python_from(var: &str, what: &str) -> Option<std::path::PathBuf> {
    let python = std::env::var_os(var).map(std::path::PathBuf::from);
    if python.is_none() {
        assert!(
            std::env::var_os("HF_INTEROP_REQUIRED").is_none(),
            "HF_INTEROP_REQUIRED is set but {var} is not"
        );
        eprintln!("{var} is not set: skipping the {what}");
    }
    python
}

/// Runs `python -c script` against the hub at `endpoint` with `token` (in a fresh
/// `HF_HOME`, telemetry and progress bars off), `stdin` as its input; blocks until it
/// exits and returns its output.
pub(crate) fn python_script(
    python: &std::path::Path,
    script: &str,
    endpoint: &str,
    token: &str,
    stdin: &[u8],
) -> std::process::Output {
    use std::io::Write as _;
    use std::process::Stdio;
    let home = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new(python)
        .args(["-c", script])
        .env("HF_ENDPOINT", endpoint)
        .env("HF_TOKEN", token)
        .env("HF_HOME", home.path())
        .env("HF_HUB_DISABLE_TELEMETRY", "1")
        .env("HF_HUB_DISABLE_IMPLICIT_TOKEN", "0")
        .env("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the interop python starts");
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

//! The `/_testhub/` control API and the blocking handle.

use http::{Method, StatusCode};
use serde_json::json;

use crate::support::{ALICE, Http};
use hf_testhub::{RepoType, TestHub};

#[tokio::test]
async fn control_api_scripts_faults_users_grants_and_reads_the_log() {
    let hub = TestHub::builder()
        .user("alice", ALICE)
        .start()
        .await
        .unwrap();
    hub.create_repo(RepoType::Model, "alice/g", false).unwrap();
    hub.upload_file(RepoType::Model, "alice/g", "main", "a.txt", b"a")
        .unwrap();
    hub.set_gated(RepoType::Model, "alice/g", hf_testhub::Gated::Auto)
        .unwrap();
    let http = Http::new();
    let base = hub.url();
    let ctl = |what: &str| format!("{base}/_testhub/{what}");

    let r = http
        .post_json(
            &ctl("users"),
            None,
            &json!({"name": "dave", "token": "hf_dave", "role": "read"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let who = http
        .get(&format!("{base}/api/whoami-v2"), Some("hf_dave"))
        .await
        .json();
    assert_eq!(who["auth"]["accessToken"]["role"], "read");
    let url = format!("{base}/alice/g/resolve/main/a.txt");
    assert_eq!(
        http.get(&url, Some("hf_dave")).await.status,
        StatusCode::FORBIDDEN
    );
    http.post_json(
        &ctl("grant"),
        None,
        &json!({"repo_id": "alice/g", "user": "dave"}),
    )
    .await;
    assert_eq!(http.get(&url, Some("hf_dave")).await.status, StatusCode::OK);

    http.post_json(
        &ctl("faults"),
        None,
        &json!({"method": "GET", "path": "/alice/g/", "status": 429, "retry_after": 3, "times": 1}),
    )
    .await;
    http.send(Method::DELETE, &ctl("requests"), None, &[], "")
        .await;
    let r = http.get(&url, Some("hf_dave")).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.header("retry-after"), Some("3"));
    let log = http.get(&ctl("requests"), None).await.json();
    assert_eq!(
        log.as_array().unwrap().len(),
        1,
        "control calls are not logged: {log}"
    );
    assert_eq!(log[0]["status"], 429);
    assert_eq!(log[0]["headers"]["authorization"], "***");
    assert_eq!(log[0]["listener"], "main");
    let peer = log[0]["peer"].as_str().unwrap_or_default();
    assert!(
        peer.starts_with("127.0.0.1:"),
        "the client's address: {log}"
    );
    let r = http
        .post_json(&ctl("faults"), None, &json!({"regex": "("}))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

#[test]
fn blocking_handle_serves_from_its_own_runtime() {
    let hub = TestHub::builder()
        .user("alice", ALICE)
        .start_blocking()
        .unwrap();
    hub.create_repo(RepoType::Dataset, "alice/d", false)
        .unwrap();
    let url = format!("{}/api/datasets/alice/d", hub.url());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let r = rt.block_on(Http::new().get(&url, None));
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["id"], "alice/d");
}

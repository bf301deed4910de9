//! Discussions and pull requests: create, comment, status, merge.

use http::StatusCode;
use serde_json::json;

use crate::support::{ALICE, Http, add_line, hub_with_repo};

#[tokio::test]
async fn pull_request_lifecycle() {
    let hub = hub_with_repo().await;
    let http = Http::new();
    let base = hub.url();
    let api = format!("{base}/api/models/alice/repo/discussions");
    let r = http
        .post_json(
            &api,
            Some(ALICE),
            &json!({"title": "Add a file", "description": "", "pullRequest": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let num = r.json()["num"].as_u64().unwrap();
    let d = http.get(&format!("{api}/{num}?diff=1"), None).await.json();
    assert_eq!(d["status"], "draft");
    assert_eq!(d["isPullRequest"], true);
    assert_eq!(d["changes"]["base"], "refs/heads/main");

    // Merging without changes is refused in the Hub's words.
    let r = http
        .post_json(&format!("{api}/{num}/merge"), Some(ALICE), &json!({}))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(
        r.json()["error"]
            .as_str()
            .unwrap()
            .contains("no associated changes")
    );

    let rev = format!("refs%2Fpr%2F{num}");
    let c = http
        .commit(
            &base,
            "alice/repo",
            &rev,
            Some(ALICE),
            &json!({"summary": "add f"}),
            &[add_line("f", b"f")],
        )
        .await;
    assert_eq!(c.status, StatusCode::OK);
    let r = http
        .post_json(
            &format!("{api}/{num}/comment"),
            Some(ALICE),
            &json!({"comment": "looks good"}),
        )
        .await;
    assert_eq!(
        r.json()["newMessage"]["data"]["latest"]["raw"],
        "looks good"
    );
    let r = http
        .post_json(&format!("{api}/{num}/merge"), Some(ALICE), &json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let d = http.get(&format!("{api}/{num}"), None).await.json();
    assert_eq!(d["status"], "merged");
    let types: Vec<&str> = d["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["comment", "commit", "comment", "status-change"]);
    let f = http
        .get(&format!("{base}/alice/repo/resolve/main/f"), None)
        .await;
    assert_eq!(f.text(), "f");
    assert_eq!(
        f.header("x-repo-commit"),
        d["changes"]["mergeCommitId"].as_str()
    );

    let list = http
        .get(&format!("{api}?type=pull_request&status=closed"), None)
        .await
        .json();
    assert_eq!(list["count"], 1);
    assert_eq!(list["discussions"][0]["num"], num);
}

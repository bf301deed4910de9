//! Commit semantics: parentCommit conflicts, deletes, pull requests, LFS references, moves.

use http::StatusCode;
use serde_json::json;

use crate::support::{ALICE, Http, add_line, commit_files, hub_with_repo};

#[tokio::test]
async fn parent_commit_mismatch_is_412() {
    let hub = hub_with_repo().await;
    let http = Http::new();
    let base = hub.url();
    let c1 = commit_files(&http, &base, "alice/repo", "one", &[("a", b"1")]).await;
    let c2 = commit_files(&http, &base, "alice/repo", "two", &[("a", b"2")]).await;
    let stale = http
        .commit(
            &base,
            "alice/repo",
            "main",
            Some(ALICE),
            &json!({"summary": "x", "parentCommit": c1}),
            &[add_line("a", b"3")],
        )
        .await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);
    let fresh = http
        .commit(
            &base,
            "alice/repo",
            "main",
            Some(ALICE),
            &json!({"summary": "x", "parentCommit": &c2[..8]}),
            &[add_line("a", b"3")],
        )
        .await;
    assert_eq!(fresh.status, StatusCode::OK, "{}", fresh.text());
    let body = fresh.json();
    let oid = body["commitOid"].as_str().unwrap();
    assert_eq!(oid.len(), 40);
    assert_eq!(body["commitUrl"], format!("{base}/alice/repo/commit/{oid}"));
    // Committing to a tag or a commit id is refused; unknown branches are RevisionNotFound.
    let r = http
        .commit(
            &base,
            "alice/repo",
            &c1,
            Some(ALICE),
            &json!({"summary": "x"}),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = http
        .commit(
            &base,
            "alice/repo",
            "nope",
            Some(ALICE),
            &json!({"summary": "x"}),
            &[],
        )
        .await;
    assert_eq!(r.header("x-error-code"), Some("RevisionNotFound"));
}

#[tokio::test]
async fn deletes_copies_and_pull_requests() {
    let hub = hub_with_repo().await;
    let http = Http::new();
    let base = hub.url();
    commit_files(
        &http,
        &base,
        "alice/repo",
        "seed",
        &[("d/a", b"a"), ("d/b", b"b"), ("keep", b"k")],
    )
    .await;
    let r = http
        .commit(
            &base,
            "alice/repo",
            "main",
            Some(ALICE),
            &json!({"summary": "rm"}),
            &[json!({"key": "deletedFile", "value": {"path": "missing"}})],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.header("x-error-code"), Some("EntryNotFound"));
    assert!(
        r.json()["error"]
            .as_str()
            .unwrap()
            .contains("A file with this name doesn't exist")
    );
    let r = http
        .commit(
            &base,
            "alice/repo",
            "main",
            Some(ALICE),
            &json!({"summary": "rm"}),
            &[json!({"key": "deletedFolder", "value": {"path": "d/"}})],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let files = http
        .get(&format!("{base}/api/models/alice/repo"), None)
        .await
        .json()["siblings"]
        .clone();
    let names: Vec<&str> = files
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["rfilename"].as_str().unwrap())
        .collect();
    assert_eq!(names, [".gitattributes", "keep"]);

    // An lfsFile line must name an uploaded object.
    let r = http
        .commit(&base, "alice/repo", "main", Some(ALICE), &json!({"summary": "lfs"}), &[json!({"key": "lfsFile", "value": {"path": "w.bin", "algo": "sha256", "oid": "0".repeat(64), "size": 3}})])
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);

    // Pull requests: refs/pr/N, listed with include_prs, further commits on the PR ref.
    let pr = http
        .commit(
            &base,
            "alice/repo",
            "main?create_pr=1",
            Some(ALICE),
            &json!({"summary": "pr"}),
            &[add_line("p", b"1")],
        )
        .await;
    assert_eq!(
        pr.json()["pullRequestUrl"],
        format!("{base}/alice/repo/discussions/1")
    );
    let more = http
        .commit(
            &base,
            "alice/repo",
            "refs%2Fpr%2F1",
            Some(ALICE),
            &json!({"summary": "more"}),
            &[add_line("p", b"2")],
        )
        .await;
    assert_eq!(more.status, StatusCode::OK);
    let refs = http
        .get(
            &format!("{base}/api/models/alice/repo/refs?include_prs=1"),
            None,
        )
        .await
        .json();
    assert_eq!(refs["pullRequests"][0]["ref"], "refs/pr/1");
    assert_eq!(
        refs["pullRequests"][0]["targetCommit"],
        more.json()["commitOid"]
    );
    assert!(
        http.get(&format!("{base}/api/models/alice/repo/refs"), None)
            .await
            .json()
            .get("pullRequests")
            .is_none()
    );
    assert_eq!(
        http.get(&format!("{base}/alice/repo/resolve/main/p"), None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn moved_repos_redirect_and_branches_tags_squash() {
    let hub = hub_with_repo().await;
    let http = Http::new();
    let base = hub.url();
    commit_files(&http, &base, "alice/repo", "one", &[("a", b"1")]).await;
    commit_files(&http, &base, "alice/repo", "two", &[("a", b"2")]).await;
    let r = http
        .post_json(
            &format!("{base}/api/models/alice/repo/branch/dev"),
            Some(ALICE),
            &json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = http
        .post_json(
            &format!("{base}/api/models/alice/repo/branch/dev"),
            Some(ALICE),
            &json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let r = http
        .post_json(
            &format!("{base}/api/models/alice/repo/super-squash/main"),
            Some(ALICE),
            &json!({"message": "squashed"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let commits = http
        .get(&format!("{base}/api/models/alice/repo/commits/main"), None)
        .await
        .json();
    assert_eq!(commits.as_array().unwrap().len(), 1);
    assert_eq!(commits[0]["title"], "squashed");
    // dev still has the full history.
    let commits = http
        .get(&format!("{base}/api/models/alice/repo/commits/dev"), None)
        .await
        .json();
    assert_eq!(commits.as_array().unwrap().len(), 3);

    let r = http
        .post_json(
            &format!("{base}/api/repos/move"),
            Some(ALICE),
            &json!({"fromRepo": "alice/repo", "toRepo": "alice/renamed", "type": "model"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let old = http
        .get(&format!("{base}/api/models/alice/repo?expand=sha"), None)
        .await;
    assert_eq!(old.status, StatusCode::TEMPORARY_REDIRECT);
    assert_eq!(
        old.header("location"),
        Some("/api/models/alice/renamed?expand=sha")
    );
    assert_eq!(
        old.text(),
        "Temporary Redirect. Redirecting to /api/models/alice/renamed?expand=sha"
    );
    let old = http
        .head(&format!("{base}/alice/repo/resolve/main/a"), None)
        .await;
    assert_eq!(old.status, StatusCode::TEMPORARY_REDIRECT);
    assert_eq!(
        old.header("location"),
        Some("/alice/renamed/resolve/main/a")
    );
    let r = http
        .send(
            http::Method::DELETE,
            &format!("{base}/api/repos/delete"),
            Some(ALICE),
            &[],
            json!({"name": "renamed", "organization": "alice"}).to_string(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.text(), "OK");
    let gone = http
        .get(&format!("{base}/api/models/alice/renamed"), Some(ALICE))
        .await;
    assert_eq!(gone.header("x-error-code"), Some("RepoNotFound"));
}

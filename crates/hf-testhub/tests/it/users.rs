//! Likes, user overviews and organization members.

use http::{Method, StatusCode};

use crate::support::{ALICE, Http};
use hf_testhub::{RepoType, TestHub};

#[tokio::test]
async fn likes_overviews_and_members() {
    let hub = TestHub::builder()
        .user("alice", ALICE)
        .page_size(1)
        .start()
        .await
        .unwrap();
    hub.add_user("bob");
    hub.add_org("acme", &["alice", "bob"]);
    hub.create_repo(RepoType::Dataset, "acme/d", false).unwrap();
    let http = Http::new();
    let base = hub.url();
    let like = format!("{base}/api/datasets/acme/d/like");
    assert_eq!(
        http.send(Method::POST, &like, None, &[], "").await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        http.send(Method::POST, &like, Some(ALICE), &[], "")
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        http.get(&format!("{base}/api/datasets/acme/d"), None)
            .await
            .json()["likes"],
        1
    );
    let likers = http
        .get(&format!("{base}/api/datasets/acme/d/likers"), None)
        .await
        .json();
    assert_eq!(likers[0]["user"], "alice");
    let likes = http
        .get(&format!("{base}/api/users/alice/likes"), None)
        .await
        .json();
    assert_eq!(likes[0]["repo"]["name"], "acme/d");
    assert_eq!(likes[0]["repo"]["type"], "dataset");
    let me = http
        .get(&format!("{base}/api/users/alice/overview"), None)
        .await
        .json();
    assert_eq!(me["numLikes"], 1);
    assert_eq!(me["orgs"][0]["name"], "acme");
    // Members are Link-paginated (page size 1 here).
    let first = http
        .get(&format!("{base}/api/organizations/acme/members"), None)
        .await;
    assert_eq!(first.json()[0]["user"], "alice");
    let second = http.get(&first.next_link().expect("next page"), None).await;
    assert_eq!(second.json()[0]["user"], "bob");
    assert!(second.next_link().is_none());
    assert_eq!(
        http.get(&format!("{base}/api/users/nobody/overview"), None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        http.get(&format!("{base}/api/users/alice/followers"), None)
            .await
            .json(),
        serde_json::json!([])
    );
    assert_eq!(
        http.send(Method::DELETE, &like, Some(ALICE), &[], "")
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        http.get(&format!("{base}/api/datasets/acme/d"), None)
            .await
            .json()["likes"],
        0
    );
}

#[tokio::test]
async fn seeded_papers_are_served_and_searchable() {
    let hub = TestHub::builder().start().await.unwrap();
    hub.add_paper(
        "2311.12983",
        "GAIA: a benchmark",
        "General AI assistants",
        &["Grégoire"],
    );
    let http = Http::new();
    let base = hub.url();
    let p = http
        .get(&format!("{base}/api/papers/2311.12983"), None)
        .await
        .json();
    assert_eq!(p["title"], "GAIA: a benchmark");
    assert_eq!(p["authors"][0]["name"], "Grégoire");
    assert!(p["publishedAt"].as_str().unwrap().ends_with('Z'));
    let hits = http
        .get(&format!("{base}/api/papers/search?q=gaia"), None)
        .await
        .json();
    assert_eq!(hits[0]["paper"]["id"], "2311.12983");
    assert_eq!(
        http.get(&format!("{base}/api/papers/search?q=zzz"), None)
            .await
            .json(),
        serde_json::json!([])
    );
    assert_eq!(
        http.get(&format!("{base}/api/papers/0000.00000"), None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

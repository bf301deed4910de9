//! Collections: create (409 with slug), items, update, list without `position`, delete.

use http::{Method, StatusCode};
use serde_json::json;

use crate::support::{ALICE, Http};
use hf_testhub::{RepoType, TestHub};

#[tokio::test]
async fn collection_lifecycle() {
    let hub = TestHub::builder()
        .user("alice", ALICE)
        .start()
        .await
        .unwrap();
    hub.create_repo(RepoType::Dataset, "alice/d", false)
        .unwrap();
    let http = Http::new();
    let api = format!("{}/api/collections", hub.url());
    let c = http
        .post_json(
            &api,
            Some(ALICE),
            &json!({"title": "Best of", "namespace": "alice", "private": false}),
        )
        .await;
    assert_eq!(c.status, StatusCode::OK, "{}", c.text());
    let slug = c.json()["slug"].as_str().unwrap().to_owned();
    assert!(slug.starts_with("alice/best-of-"), "{slug}");
    assert_eq!(c.json()["position"], 0);
    let dup = http
        .post_json(
            &api,
            Some(ALICE),
            &json!({"title": "Best of", "namespace": "alice", "private": false}),
        )
        .await;
    assert_eq!(dup.status, StatusCode::CONFLICT);
    assert_eq!(dup.json()["slug"], slug);

    let one = format!("{api}/{slug}");
    let added = http
        .post_json(
            &format!("{one}/items"),
            Some(ALICE),
            &json!({"item": {"id": "alice/d", "type": "dataset"}, "note": "n"}),
        )
        .await;
    assert_eq!(added.json()["items"][0]["id"], "alice/d");
    let again = http
        .post_json(
            &format!("{one}/items"),
            Some(ALICE),
            &json!({"item": {"id": "alice/d", "type": "dataset"}}),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    let missing = http
        .post_json(
            &format!("{one}/items"),
            Some(ALICE),
            &json!({"item": {"id": "alice/none", "type": "model"}}),
        )
        .await;
    assert_eq!(missing.header("x-error-code"), Some("RepoNotFound"));

    let list = http
        .get(&format!("{api}?owner=alice&item=datasets/alice/d"), None)
        .await
        .json();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert!(
        list[0].get("position").is_none(),
        "list elements carry no position"
    );
    let patched = http
        .send(
            Method::PATCH,
            &one,
            Some(ALICE),
            &[],
            json!({"private": true}).to_string(),
        )
        .await
        .json();
    assert_eq!(patched["data"]["private"], true);
    assert_eq!(http.get(&one, None).await.status, StatusCode::NOT_FOUND);
    let item = http.get(&one, Some(ALICE)).await.json()["items"][0]["_id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        http.send(
            Method::DELETE,
            &format!("{one}/items/{item}"),
            Some(ALICE),
            &[],
            ""
        )
        .await
        .status,
        StatusCode::OK
    );
    assert_eq!(
        http.send(Method::DELETE, &one, Some(ALICE), &[], "")
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        http.get(&one, Some(ALICE)).await.status,
        StatusCode::NOT_FOUND
    );
}

//! Webhook CRUD, scoped to the caller.

use http::{Method, StatusCode};
use serde_json::json;

use crate::support::{ALICE, Http};
use hf_testhub::{Role, TestHub};

#[tokio::test]
async fn webhooks_are_stored_per_user() {
    let hub = TestHub::builder()
        .user("alice", ALICE)
        .start()
        .await
        .unwrap();
    hub.add_user("bob");
    hub.add_token("bob", "hf_bob", Role::Write).unwrap();
    let http = Http::new();
    let api = format!("{}/api/settings/webhooks", hub.url());
    let body = json!({"watched": [{"type": "user", "name": "alice"}], "url": "https://example.com/h", "domains": null, "secret": null});
    let w = http.post_json(&api, Some(ALICE), &body).await.json()["webhook"].clone();
    let id = w["id"].as_str().unwrap().to_owned();
    assert_eq!(w["disabled"], false);
    assert_eq!(
        http.get(&api, Some(ALICE))
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(http.get(&api, Some("hf_bob")).await.json(), json!([]));
    assert_eq!(
        http.get(&format!("{api}/{id}"), Some("hf_bob"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let d = http
        .post_json(&format!("{api}/{id}/disable"), Some(ALICE), &json!({}))
        .await
        .json();
    assert_eq!(d["webhook"]["disabled"], true);
    assert_eq!(
        http.send(Method::DELETE, &format!("{api}/{id}"), Some(ALICE), &[], "")
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(http.get(&api, None).await.status, StatusCode::UNAUTHORIZED);
}

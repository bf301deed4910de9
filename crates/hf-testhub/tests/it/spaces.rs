//! Space runtime, variables, secrets and duplication.

use http::{Method, StatusCode};
use serde_json::json;

use crate::support::{ALICE, Http};
use hf_testhub::TestHub;

#[tokio::test]
async fn space_runtime_variables_secrets_and_duplicate() {
    let hub = TestHub::builder()
        .user("alice", ALICE)
        .start()
        .await
        .unwrap();
    let http = Http::new();
    let base = hub.url();
    let r = http
        .post_json(
            &format!("{base}/api/repos/create"),
            Some(ALICE),
            &json!({"name": "s", "organization": "alice", "private": false, "type": "space", "sdk": "gradio",
                    "variables": [{"key": "A", "value": "1"}], "hardware": "cpu-upgrade"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["url"], format!("{base}/spaces/alice/s"));
    let api = format!("{base}/api/spaces/alice/s");
    let rt = http.get(&format!("{api}/runtime"), None).await.json();
    assert_eq!(rt["stage"], "RUNNING");
    assert_eq!(rt["hardware"]["requested"], "cpu-upgrade");
    assert_eq!(
        http.get(&format!("{api}/variables"), None).await.json()["A"]["value"],
        "1"
    );
    let vars = http
        .post_json(
            &format!("{api}/variables"),
            Some(ALICE),
            &json!({"key": "B", "value": "2"}),
        )
        .await
        .json();
    assert_eq!(vars["B"]["value"], "2");
    let vars = http
        .send(
            Method::DELETE,
            &format!("{api}/variables"),
            Some(ALICE),
            &[],
            json!({"key": "A"}).to_string(),
        )
        .await
        .json();
    assert!(vars.get("A").is_none());
    http.post_json(
        &format!("{api}/secrets"),
        Some(ALICE),
        &json!({"key": "S", "value": "hidden"}),
    )
    .await;
    let secrets = http.get(&format!("{api}/secrets"), Some(ALICE)).await;
    assert!(
        !secrets.text().contains("hidden"),
        "secret values are never returned"
    );
    assert!(secrets.json().get("S").is_some());
    assert_eq!(
        http.post_json(&format!("{api}/pause"), Some(ALICE), &json!({}))
            .await
            .json()["stage"],
        "PAUSED"
    );
    let rt = http
        .post_json(
            &format!("{api}/hardware"),
            Some(ALICE),
            &json!({"flavor": "t4-small", "sleepTimeSeconds": 60}),
        )
        .await
        .json();
    assert_eq!(
        (
            rt["stage"].as_str(),
            rt["hardware"]["current"].as_str(),
            rt["gcTimeout"].as_u64()
        ),
        (Some("RUNNING"), Some("t4-small"), Some(60))
    );
    // Writes need write access.
    assert_eq!(
        http.post_json(&format!("{api}/pause"), None, &json!({}))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );

    let dup = http
        .post_json(
            &format!("{api}/duplicate"),
            Some(ALICE),
            &json!({"repository": "alice/s2"}),
        )
        .await;
    assert_eq!(dup.json()["url"], format!("{base}/spaces/alice/s2"));
    let again = http
        .post_json(
            &format!("{api}/duplicate"),
            Some(ALICE),
            &json!({"repository": "alice/s2"}),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.json()["url"], format!("{base}/spaces/alice/s2"));
    let info = http
        .get(&format!("{base}/api/spaces/alice/s2"), None)
        .await
        .json();
    assert_eq!(info["sdk"], "gradio");
    // Other single-segment routes still reach the generic handlers.
    assert_eq!(
        http.get(&format!("{api}/refs"), None).await.status,
        StatusCode::OK
    );
}

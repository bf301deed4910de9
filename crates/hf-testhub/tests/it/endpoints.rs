//! Inference Endpoints under `/v2/endpoint/`: CRUD, state changes, access checks.

use http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::{ALICE, Http, Resp, hub_with_repo};
use hf_testhub::{Role, TestHub};

/// The body `create_inference_endpoint` sends (0.26.5).
fn create_body(name: &str) -> Value {
    json!({
        "accountId": null,
        "compute": {"accelerator": "gpu", "instanceSize": "x1", "instanceType": "nvidia-a10g",
                    "scaling": {"maxReplica": 1, "minReplica": 0, "scaleToZeroTimeout": 15}},
        "model": {"framework": "pytorch", "repository": "alice/repo", "revision": null,
                  "task": "text-generation", "image": {"huggingface": {}}, "secrets": {"K": "V"}},
        "name": name,
        "provider": {"region": "us-east-1", "vendor": "aws"},
        "type": "protected",
    })
}

/// [`hub_with_repo`] plus bob (write token `hf_bob`), a read token of alice and the
/// org acme (alice a member).
async fn hub() -> TestHub {
    let hub = hub_with_repo().await;
    hub.add_user("bob");
    hub.add_token("bob", "hf_bob", Role::Write).unwrap();
    hub.add_token("alice", "hf_alice_read", Role::Read).unwrap();
    hub.add_org("acme", &["alice"]);
    hub
}

async fn send(http: &Http, method: Method, url: &str, token: Option<&str>, body: &Value) -> Resp {
    http.send(
        method,
        url,
        token,
        &[("content-type", "application/json")],
        serde_json::to_vec(body).unwrap(),
    )
    .await
}

fn assert_status(r: &Resp, status: StatusCode) {
    assert_eq!(r.status, status, "{}", r.text());
}

#[tokio::test]
async fn endpoint_lifecycle() {
    let hub = hub().await;
    let http = Http::new();
    let api = format!("{}/v2/endpoint/alice", hub.url());
    let ep = format!("{api}/my-endpoint");

    let r = http
        .post_json(&api, Some(ALICE), &create_body("my-endpoint"))
        .await;
    assert_status(&r, StatusCode::OK);
    let e = r.json();
    assert_eq!(e["name"], "my-endpoint");
    assert_eq!(e["type"], "protected");
    assert_eq!(e["accountId"], Value::Null);
    assert_eq!(
        e["provider"],
        json!({"vendor": "aws", "region": "us-east-1"})
    );
    assert_eq!(
        e["compute"],
        json!({"accelerator": "gpu", "instanceType": "nvidia-a10g", "instanceSize": "x1",
               "scaling": {"minReplica": 0, "maxReplica": 1, "scaleToZeroTimeout": 15}})
    );
    assert_eq!(e["model"]["repository"], "alice/repo");
    assert_eq!(e["model"]["framework"], "pytorch");
    assert_eq!(e["model"]["task"], "text-generation");
    assert_eq!(e["model"]["image"], json!({"huggingface": {}}));
    assert_eq!(e["model"]["secrets"], json!({"K": "V"}));
    // No revision given: pinned to the repo's main head, as the service does.
    let revision = e["model"]["revision"].as_str().unwrap();
    assert_eq!(revision.len(), 40);
    assert_eq!(e["status"]["state"], "running");
    assert_eq!(e["status"]["message"], "Endpoint is ready");
    assert_eq!(e["status"]["createdBy"]["name"], "alice");
    assert_eq!(e["status"]["readyReplica"], 1);
    let url = e["status"]["url"].as_str().unwrap().to_owned();
    assert_eq!(url, format!("{}/_endpoints/alice/my-endpoint", hub.url()));
    let created = e["status"]["createdAt"].as_str().unwrap();
    created
        .parse::<jiff::Timestamp>()
        .expect("RFC 3339 createdAt");
    assert_eq!(e["status"]["updatedAt"], created);

    // The endpoint URL answers a probe while running (with a token: it is protected).
    assert_status(&http.get(&url, Some(ALICE)).await, StatusCode::OK);
    assert_status(&http.get(&url, None).await, StatusCode::UNAUTHORIZED);

    assert_eq!(http.get(&ep, Some(ALICE)).await.json(), e);
    let list = http.get(&api, Some(ALICE)).await.json();
    assert_eq!(list, json!({"items": [e]}));

    // Update: only the fields sent change.
    let r = send(
        &http,
        Method::PUT,
        &ep,
        Some(ALICE),
        &json!({"compute": {"instanceSize": "x4", "scaling": {"maxReplica": 3}},
                "model": {"revision": "abc", "image": {"custom": {"url": "ghcr.io/x:1"}}}}),
    )
    .await;
    assert_status(&r, StatusCode::OK);
    let updated = r.json();
    assert_eq!(updated["compute"]["instanceSize"], "x4");
    assert_eq!(updated["compute"]["instanceType"], "nvidia-a10g");
    assert_eq!(
        updated["compute"]["scaling"],
        json!({"minReplica": 0, "maxReplica": 3, "scaleToZeroTimeout": 15})
    );
    assert_eq!(updated["model"]["revision"], "abc");
    assert_eq!(updated["model"]["task"], "text-generation");
    assert_eq!(updated["model"]["secrets"], json!({"K": "V"}));
    assert_eq!(
        updated["model"]["image"],
        json!({"custom": {"url": "ghcr.io/x:1"}})
    );
    assert_eq!(updated["status"]["state"], "running");
    assert_eq!(updated["status"]["createdAt"], created);
    let bad = send(
        &http,
        Method::PUT,
        &ep,
        Some(ALICE),
        &json!({"compute": {"scaling": {"minReplica": 5}}}),
    )
    .await;
    assert_status(&bad, StatusCode::BAD_REQUEST);

    // Pause, resume, "already running", scale to zero.
    let p = http
        .post_json(&format!("{ep}/pause"), Some(ALICE), &json!({}))
        .await;
    assert_status(&p, StatusCode::OK);
    let p = p.json();
    assert_eq!(p["status"]["state"], "paused");
    assert!(p["status"].get("url").is_none(), "{p}");
    assert_eq!(p["status"]["readyReplica"], 0);
    assert_status(
        &http.get(&url, Some(ALICE)).await,
        StatusCode::SERVICE_UNAVAILABLE,
    );
    let resume = format!("{ep}/resume");
    let r = http.send(Method::POST, &resume, Some(ALICE), &[], "").await;
    assert_status(&r, StatusCode::OK);
    assert_eq!(r.json()["status"]["state"], "running");
    let again = http.send(Method::POST, &resume, Some(ALICE), &[], "").await;
    assert_status(&again, StatusCode::BAD_REQUEST);
    assert!(again.text().contains("already running"), "{}", again.text());
    let zero = http
        .send(
            Method::POST,
            &format!("{ep}/scale-to-zero"),
            Some(ALICE),
            &[],
            "",
        )
        .await;
    assert_status(&zero, StatusCode::OK);
    assert_eq!(zero.json()["status"]["state"], "scaledToZero");
    assert_eq!(
        http.get(&ep, Some(ALICE)).await.json()["status"]["state"],
        "scaledToZero"
    );

    let del = http.send(Method::DELETE, &ep, Some(ALICE), &[], "").await;
    assert_status(&del, StatusCode::OK);
    assert_status(&http.get(&ep, Some(ALICE)).await, StatusCode::NOT_FOUND);
    assert_eq!(
        http.get(&api, Some(ALICE)).await.json(),
        json!({"items": []})
    );
    let del = http.send(Method::DELETE, &ep, Some(ALICE), &[], "").await;
    assert_status(&del, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn endpoint_errors() {
    let hub = hub().await;
    let http = Http::new();
    let api = format!("{}/v2/endpoint/alice", hub.url());
    let body = create_body("ep1");

    // 401 without a token or with an unknown one.
    assert_status(&http.get(&api, None).await, StatusCode::UNAUTHORIZED);
    assert_status(
        &http.post_json(&api, None, &body).await,
        StatusCode::UNAUTHORIZED,
    );
    assert_status(
        &http.get(&api, Some("hf_nobody")).await,
        StatusCode::UNAUTHORIZED,
    );

    assert_status(
        &http.post_json(&api, Some(ALICE), &body).await,
        StatusCode::OK,
    );
    // 409 for a second endpoint with the same name.
    assert_status(
        &http.post_json(&api, Some(ALICE), &body).await,
        StatusCode::CONFLICT,
    );

    // 403 in another user's namespace, either way round; a read token cannot create.
    assert_status(&http.get(&api, Some("hf_bob")).await, StatusCode::FORBIDDEN);
    assert_status(
        &http.get(&format!("{api}/ep1"), Some("hf_bob")).await,
        StatusCode::FORBIDDEN,
    );
    let bob_api = format!("{}/v2/endpoint/bob", hub.url());
    assert_status(
        &http.post_json(&bob_api, Some(ALICE), &body).await,
        StatusCode::FORBIDDEN,
    );
    assert_status(
        &http
            .post_json(&api, Some("hf_alice_read"), &create_body("ep2"))
            .await,
        StatusCode::FORBIDDEN,
    );
    assert_eq!(
        http.get(&api, Some("hf_alice_read")).await.json()["items"][0]["name"],
        "ep1"
    );

    // Organizations the caller belongs to are allowed.
    let org_api = format!("{}/v2/endpoint/acme", hub.url());
    let r = http.post_json(&org_api, Some(ALICE), &body).await;
    assert_status(&r, StatusCode::OK);
    assert_eq!(
        http.get(&org_api, Some(ALICE)).await.json()["items"][0]["name"],
        "ep1"
    );
    assert_status(
        &http.get(&org_api, Some("hf_bob")).await,
        StatusCode::FORBIDDEN,
    );

    // 404 for unknown endpoints, on every route.
    let missing = format!("{api}/nope");
    assert_status(
        &http.get(&missing, Some(ALICE)).await,
        StatusCode::NOT_FOUND,
    );
    assert_status(
        &send(&http, Method::PUT, &missing, Some(ALICE), &json!({})).await,
        StatusCode::NOT_FOUND,
    );
    for action in ["pause", "resume", "scale-to-zero"] {
        let r = http
            .send(
                Method::POST,
                &format!("{missing}/{action}"),
                Some(ALICE),
                &[],
                "",
            )
            .await;
        assert_status(&r, StatusCode::NOT_FOUND);
    }

    // 400 for a missing required field, a wrong type, a bad name or type.
    for (path, value) in [
        (&["name"][..], Value::Null),
        (&["compute", "accelerator"][..], Value::Null),
        (&["compute", "scaling", "maxReplica"][..], Value::Null),
        (&["model", "repository"][..], Value::Null),
        (&["model", "framework"][..], Value::Null),
        (&["provider", "vendor"][..], Value::Null),
        (&["compute", "instanceSize"][..], json!(3)),
        (&["name"][..], json!("Bad_Name")),
        (&["type"][..], json!("everyone")),
    ] {
        let mut b = create_body("ep3");
        let (last, parents) = path.split_last().unwrap();
        let obj = parents.iter().fold(&mut b, |v, k| &mut v[*k]);
        if value.is_null() {
            obj.as_object_mut().unwrap().remove(*last);
        } else {
            obj[*last] = value;
        }
        let r = http.post_json(&api, Some(ALICE), &b).await;
        assert_status(&r, StatusCode::BAD_REQUEST);
        assert!(r.text().contains(path.join(".").as_str()), "{}", r.text());
    }
    assert_eq!(
        http.get(&api, Some(ALICE)).await.json()["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn endpoints_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let http = Http::new();
    let first = TestHub::builder()
        .user("alice", ALICE)
        .data_dir(dir.path())
        .start()
        .await
        .unwrap();
    let api = format!("{}/v2/endpoint/alice", first.url());
    let r = http
        .post_json(&api, Some(ALICE), &create_body("kept"))
        .await;
    assert_status(&r, StatusCode::OK);
    let r = http
        .post_json(&format!("{api}/kept/pause"), Some(ALICE), &json!({}))
        .await;
    assert_status(&r, StatusCode::OK);
    drop(first);

    let second = TestHub::builder()
        .user("alice", ALICE)
        .data_dir(dir.path())
        .start()
        .await
        .unwrap();
    let e = http
        .get(
            &format!("{}/v2/endpoint/alice/kept", second.url()),
            Some(ALICE),
        )
        .await
        .json();
    assert_eq!(e["status"]["state"], "paused");
    assert_eq!(e["model"]["secrets"], json!({"K": "V"}));
    // alice/repo does not exist in this hub, so the revision stays unset.
    assert_eq!(e["model"]["revision"], Value::Null);
}

//! Private repos (invisible), gated repos (401/403 + grants), token roles and scopes.

use http::StatusCode;
use serde_json::json;

use crate::support::{ALICE, Http, commit_files};
use hf_testhub::{Gated, RepoType, Role, TestHub, TokenScope};

#[tokio::test]
async fn private_repos_are_invisible_without_access() {
    let hub = TestHub::builder()
        .user("alice", ALICE)
        .start()
        .await
        .unwrap();
    hub.add_user("bob");
    hub.add_token("bob", "hf_bob", Role::Write).unwrap();
    hub.add_token("alice", "hf_alice_read", Role::Read).unwrap();
    hub.create_repo(RepoType::Model, "alice/secret", true)
        .unwrap();
    let http = Http::new();
    let base = hub.url();
    commit_files(&http, &base, "alice/secret", "add", &[("a.txt", b"a")]).await;

    for url in [
        format!("{base}/api/models/alice/secret"),
        format!("{base}/alice/secret/resolve/main/a.txt"),
        format!("{base}/api/models/alice/secret/tree/main"),
    ] {
        let anon = http.get(&url, None).await;
        assert_eq!(anon.status, StatusCode::UNAUTHORIZED, "{url}");
        assert_eq!(anon.header("x-error-code"), Some("RepoNotFound"));
        let other = http.get(&url, Some("hf_bob")).await;
        assert_eq!(other.status, StatusCode::NOT_FOUND, "{url}");
        assert_eq!(other.header("x-error-code"), Some("RepoNotFound"));
        let owner = http.get(&url, Some("hf_alice_read")).await;
        assert_eq!(owner.status, StatusCode::OK, "{url}");
    }
    // The same answer as a repo that does not exist.
    let none = http
        .get(&format!("{base}/api/models/alice/nothing"), Some("hf_bob"))
        .await;
    assert_eq!(none.status, StatusCode::NOT_FOUND);
    assert_eq!(none.header("x-error-code"), Some("RepoNotFound"));
    // Listings hide it too.
    let list = http
        .get(&format!("{base}/api/models"), Some("hf_bob"))
        .await;
    assert_eq!(list.json().as_array().unwrap().len(), 0);

    // A read token cannot write.
    let r = http
        .commit(
            &base,
            "alice/secret",
            "main",
            Some("hf_alice_read"),
            &json!({"summary": "x"}),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // An unknown token is rejected outright.
    let r = http
        .get(&format!("{base}/api/models/alice/secret"), Some("hf_nope"))
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        r.json()["error"],
        "Invalid credentials in Authorization header"
    );
}

#[tokio::test]
async fn gated_repos_refuse_downloads_until_access_is_granted() {
    let hub = TestHub::builder()
        .user("alice", ALICE)
        .start()
        .await
        .unwrap();
    hub.add_user("bob");
    hub.add_token("bob", "hf_bob", Role::Read).unwrap();
    hub.create_repo(RepoType::Model, "alice/gated", false)
        .unwrap();
    hub.upload_file(RepoType::Model, "alice/gated", "main", "w.txt", b"weights")
        .unwrap();
    hub.set_gated(RepoType::Model, "alice/gated", Gated::Manual)
        .unwrap();
    let http = Http::new();
    let base = hub.url();
    let url = format!("{base}/alice/gated/resolve/main/w.txt");

    let anon = http.head(&url, None).await;
    assert_eq!(anon.status, StatusCode::UNAUTHORIZED);
    assert_eq!(anon.header("x-error-code"), Some("GatedRepo"));
    assert!(
        anon.header("x-error-message")
            .unwrap()
            .contains("restricted")
    );
    let bob = http.get(&url, Some("hf_bob")).await;
    assert_eq!(bob.status, StatusCode::FORBIDDEN);
    assert_eq!(bob.header("x-error-code"), Some("GatedRepo"));
    // Info stays visible and reports the gate.
    let info = http
        .get(&format!("{base}/api/models/alice/gated"), None)
        .await;
    assert_eq!(info.json()["gated"], "manual");
    // The owner passes; bob passes once granted.
    assert_eq!(http.get(&url, Some(ALICE)).await.status, StatusCode::OK);
    hub.grant_access(RepoType::Model, "alice/gated", "bob")
        .unwrap();
    let bob = http.get(&url, Some("hf_bob")).await;
    assert_eq!(bob.status, StatusCode::OK);
    assert_eq!(bob.text(), "weights");
}

#[tokio::test]
async fn fine_grained_tokens_and_orgs() {
    let hub = TestHub::builder()
        .user("alice", ALICE)
        .start()
        .await
        .unwrap();
    hub.add_org("acme", &["alice"]);
    hub.add_token(
        "alice",
        "hf_scoped",
        Role::FineGrained(vec![TokenScope::repo(RepoType::Model, "acme/one", true)]),
    )
    .unwrap();
    let http = Http::new();
    let base = hub.url();
    // Alice creates repos in her org with her write token.
    for name in ["one", "two"] {
        let r = http
            .post_json(
                &format!("{base}/api/repos/create"),
                Some(ALICE),
                &json!({"name": name, "organization": "acme", "private": true}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!(r.json()["url"], format!("{base}/acme/{name}"));
    }
    // The scoped token writes to acme/one only, and cannot even see private acme/two.
    let ok = http
        .commit(
            &base,
            "acme/one",
            "main",
            Some("hf_scoped"),
            &json!({"summary": "s"}),
            &[crate::support::add_line("a", b"a")],
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text());
    let no = http
        .commit(
            &base,
            "acme/two",
            "main",
            Some("hf_scoped"),
            &json!({"summary": "s"}),
            &[],
        )
        .await;
    assert_eq!(no.status, StatusCode::NOT_FOUND);
    let who = http
        .get(&format!("{base}/api/whoami-v2"), Some("hf_scoped"))
        .await
        .json();
    assert_eq!(who["name"], "alice");
    assert_eq!(who["orgs"][0]["name"], "acme");
    assert_eq!(who["auth"]["accessToken"]["role"], "fineGrained");
    assert_eq!(
        who["auth"]["accessToken"]["fineGrained"]["scoped"][0]["entity"]["name"],
        "acme/one"
    );
    // Creating in someone else's namespace is forbidden; a duplicate is a 409 with the url.
    let r = http
        .post_json(
            &format!("{base}/api/repos/create"),
            Some(ALICE),
            &json!({"name": "x", "organization": "other"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = http
        .post_json(
            &format!("{base}/api/repos/create"),
            Some(ALICE),
            &json!({"name": "one", "organization": "acme", "private": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(
        r.json(),
        json!({"error": "You already created this model repo", "url": format!("{base}/acme/one")})
    );
    let anon = http.get(&format!("{base}/api/whoami-v2"), None).await;
    assert_eq!(anon.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn access_requests_are_listed_and_handled_by_writers() {
    let hub = TestHub::builder()
        .user("alice", ALICE)
        .start()
        .await
        .unwrap();
    hub.add_user("bob");
    hub.add_token("bob", "hf_bob", Role::Read).unwrap();
    hub.create_repo(RepoType::Model, "alice/g", false).unwrap();
    hub.upload_file(RepoType::Model, "alice/g", "main", "w.txt", b"w")
        .unwrap();
    let http = Http::new();
    let base = hub.url();
    let api = format!("{base}/api/models/alice/g/user-access-request");
    // Not gated yet: 400.
    assert_eq!(
        http.get(&format!("{api}/pending"), Some(ALICE))
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    hub.set_gated(RepoType::Model, "alice/g", Gated::Manual)
        .unwrap();
    hub.request_access(RepoType::Model, "alice/g", "bob")
        .unwrap();
    let pending = http
        .get(&format!("{api}/pending"), Some(ALICE))
        .await
        .json();
    assert_eq!(pending[0]["user"]["user"], "bob");
    assert_eq!(pending[0]["status"], "pending");
    assert!(pending[0]["timestamp"].as_str().unwrap().ends_with('Z'));
    // Readers cannot list; bob still cannot download.
    assert_eq!(
        http.get(&format!("{api}/pending"), Some("hf_bob"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let url = format!("{base}/alice/g/resolve/main/w.txt");
    assert_eq!(
        http.get(&url, Some("hf_bob")).await.status,
        StatusCode::FORBIDDEN
    );
    let r = http
        .post_json(
            &format!("{api}/handle"),
            Some(ALICE),
            &json!({"user": "bob", "status": "accepted"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(http.get(&url, Some("hf_bob")).await.status, StatusCode::OK);
    // Same status again: 404, as the Hub answers.
    let r = http
        .post_json(
            &format!("{api}/handle"),
            Some(ALICE),
            &json!({"user": "bob", "status": "accepted"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let id = http
        .get(&format!("{api}/accepted"), Some(ALICE))
        .await
        .json()[0]["requestId"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = http
        .post_json(
            &format!("{api}/handle"),
            Some(ALICE),
            &json!({"requestId": id, "status": "rejected"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        http.get(&url, Some("hf_bob")).await.status,
        StatusCode::FORBIDDEN
    );
    let r = http
        .post_json(
            &format!("{api}/grant"),
            Some(ALICE),
            &json!({"user": "bob"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(http.get(&url, Some("hf_bob")).await.status, StatusCode::OK);
}

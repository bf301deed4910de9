//! Branches, tags, refs, history and squashing against the emulator.

use futures_util::TryStreamExt;
use hf_api::Error;
use hf_testhub::RepoType as HubType;
use hf_types::GitCommitInfo;

use crate::api_support::{ALICE, BOB, client, hub, requests};

#[tokio::test]
async fn branches_and_tags_with_conflicts_and_exist_ok() {
    let hub = hub(50).await;
    let first = hub.create_repo(HubType::Model, "alice/g", false).unwrap();
    let head = hub
        .upload_file(HubType::Model, "alice/g", "main", "f", b"1")
        .unwrap();
    let api = client(&hub, Some(ALICE));

    api.create_branch("alice/g", "dev").await.unwrap();
    api.create_branch("alice/g", "old")
        .revision(&first)
        .await
        .unwrap();
    api.create_branch("alice/g", "feature/x").await.unwrap();
    let err = api.create_branch("alice/g", "dev").await.unwrap_err();
    assert!(matches!(err, Error::Conflict(_)), "{err:?}");
    api.create_branch("alice/g", "dev")
        .exist_ok(true)
        .await
        .unwrap();
    let err = api
        .create_branch("alice/g", "x")
        .revision("nope")
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    assert!(
        requests(&hub)
            .iter()
            .any(|r| r == "POST /api/models/alice/g/branch/feature%2Fx")
    );

    api.create_tag("alice/g", "v1")
        .tag_message("first")
        .await
        .unwrap();
    api.create_tag("alice/g", "v0")
        .revision("old")
        .await
        .unwrap();
    let err = api.create_tag("alice/g", "v1").await.unwrap_err();
    assert!(matches!(err, Error::Conflict(_)), "{err:?}");
    api.create_tag("alice/g", "v1")
        .exist_ok(true)
        .await
        .unwrap();

    let refs = api.list_repo_refs("alice/g").await.unwrap();
    let branch = |n: &str| {
        refs.branches
            .iter()
            .find(|b| b.name == n)
            .map(|b| b.target_commit.to_string())
    };
    assert_eq!(branch("main"), Some(head.clone()));
    assert_eq!(branch("dev"), Some(head.clone()));
    assert_eq!(branch("old"), Some(first.clone()));
    let tag = |n: &str| {
        refs.tags
            .iter()
            .find(|b| b.name == n)
            .map(|b| (b.git_ref.clone(), b.target_commit.to_string()))
    };
    assert_eq!(tag("v1"), Some(("refs/tags/v1".into(), head)));
    assert_eq!(tag("v0"), Some(("refs/tags/v0".into(), first)));
    assert!(refs.pull_requests.is_none());
    let with_prs = api
        .list_repo_refs("alice/g")
        .include_pull_requests(true)
        .await
        .unwrap();
    assert_eq!(with_prs.pull_requests, Some(Vec::new()));

    api.delete_branch("alice/g", "dev").await.unwrap();
    api.delete_tag("alice/g", "v0").await.unwrap();
    let refs = api.list_repo_refs("alice/g").await.unwrap();
    assert!(refs.branches.iter().all(|b| b.name != "dev"));
    assert!(refs.tags.iter().all(|b| b.name != "v0"));
    let err = api.delete_branch("alice/g", "dev").await.unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    let err = api.delete_tag("alice/g", "v0").await.unwrap_err();
    assert!(err.is_not_found(), "{err:?}");

    // no write access
    let bob = client(&hub, Some(BOB));
    let err = bob.create_branch("alice/g", "b").await.unwrap_err();
    assert!(matches!(err, Error::Forbidden(_)), "{err:?}");
    // ... but an existing branch is fine with exist_ok
    bob.create_branch("alice/g", "main")
        .exist_ok(true)
        .await
        .unwrap();
    let err = api.list_repo_refs("alice/none").await.unwrap_err();
    assert!(matches!(err, Error::RepositoryNotFound(_)), "{err:?}");
}

#[tokio::test]
async fn list_repo_commits_pages_newest_first_and_squash() {
    let hub = hub(2).await;
    let first = hub.create_repo(HubType::Model, "alice/h", false).unwrap();
    let mut ids = vec![first];
    for i in 0..4 {
        ids.push(
            hub.upload_file(HubType::Model, "alice/h", "main", &format!("f{i}"), b"x")
                .unwrap(),
        );
    }
    let api = client(&hub, Some(ALICE));
    let commits: Vec<GitCommitInfo> = api
        .list_repo_commits("alice/h")
        .try_collect()
        .await
        .unwrap();
    let got: Vec<String> = commits.iter().map(|c| c.id.to_string()).collect();
    ids.reverse();
    assert_eq!(got, ids);
    let pages = requests(&hub)
        .iter()
        .filter(|r| r.starts_with("GET /api/models/alice/h/commits/main"))
        .count();
    assert_eq!(pages, 3);

    let formatted: Vec<GitCommitInfo> = api
        .list_repo_commits("alice/h")
        .formatted(true)
        .try_collect()
        .await
        .unwrap();
    assert!(formatted[0].formatted.is_some());
    assert!(
        requests(&hub)
            .iter()
            .any(|r| r.contains("/commits/main?expand%5B%5D=formatted"))
    );
    let err = api
        .list_repo_commits("alice/h")
        .revision("nope")
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::RevisionNotFound(_)), "{err:?}");

    api.super_squash_history("alice/h")
        .commit_message("squashed")
        .await
        .unwrap();
    let commits: Vec<GitCommitInfo> = api
        .list_repo_commits("alice/h")
        .try_collect()
        .await
        .unwrap();
    assert_eq!(commits.len(), 1);
    assert_eq!(commits[0].title, "squashed");
    let files: Vec<String> = api.list_repo_files("alice/h").try_collect().await.unwrap();
    assert_eq!(files.len(), 5);
    let err = api
        .super_squash_history("alice/h")
        .branch("nope")
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
}

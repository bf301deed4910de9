//! Likes and the tag/metric catalogues against the emulator.

use futures_util::TryStreamExt;
use hf_api::Error;
use hf_testhub::RepoType as HubType;
use hf_types::{RepoLiker, RepoType};

use crate::api_support::{ALICE, BOB, client, hub, requests};

#[tokio::test]
async fn like_unlike_likers_and_liked_repos() {
    let hub = hub(2).await;
    hub.create_repo(HubType::Model, "alice/m", false).unwrap();
    hub.create_repo(HubType::Dataset, "alice/d", false).unwrap();
    for u in ["u1", "u2", "u3"] {
        hub.add_user(u);
        hub.add_token(u, &format!("hf_{u}"), hf_testhub::Role::Write)
            .unwrap();
        client(&hub, Some(&format!("hf_{u}")))
            .like("alice/m")
            .await
            .unwrap();
    }
    let bob = client(&hub, Some(BOB));
    bob.like("alice/m").await.unwrap();
    bob.like("alice/d")
        .repo_type(RepoType::Dataset)
        .await
        .unwrap();

    let likers: Vec<RepoLiker> = bob.list_repo_likers("alice/m").try_collect().await.unwrap();
    let mut names: Vec<String> = likers.into_iter().map(|l| l.user).collect();
    names.sort();
    assert_eq!(names, ["bob", "u1", "u2", "u3"]);
    let pages = requests(&hub)
        .iter()
        .filter(|r| r.starts_with("GET /api/models/alice/m/likers"))
        .count();
    assert_eq!(pages, 2);

    let mine = bob.list_liked_repos().await.unwrap();
    assert_eq!(mine.user, "bob");
    assert_eq!(mine.total, 2);
    assert_eq!(mine.models, ["alice/m"]);
    assert_eq!(mine.datasets, ["alice/d"]);
    let theirs = client(&hub, None)
        .list_liked_repos()
        .user("u1")
        .await
        .unwrap();
    assert_eq!(theirs.models, ["alice/m"]);

    bob.unlike("alice/m").await.unwrap();
    assert_eq!(bob.list_liked_repos().await.unwrap().total, 1);
    assert_eq!(
        bob.model_info("alice/m").await.unwrap().likes,
        Some(3),
        "the repo's like count follows"
    );

    let err = bob.like("alice/none").await.unwrap_err();
    assert!(matches!(err, Error::RepositoryNotFound(_)), "{err:?}");
    let err = client(&hub, None).like("alice/m").await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(401), "{err:?}");
    let err = client(&hub, None).list_liked_repos().await.unwrap_err();
    assert!(matches!(err, Error::Unauthorized(_)), "{err:?}");
    let err = bob
        .list_repo_likers("alice/none")
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::RepositoryNotFound(_)), "{err:?}");
}

#[tokio::test]
async fn catalogues_are_fetched_without_a_token() {
    let hub = hub(2).await;
    let api = client(&hub, Some(ALICE));
    api.get_model_tags().await.unwrap();
    api.get_dataset_tags().await.unwrap();
    let metrics = api.list_metrics().await.unwrap();
    assert!(metrics.is_empty());
    for r in hub.requests() {
        assert!(
            r.headers.get("authorization").is_none(),
            "{}",
            r.path_and_query
        );
    }
}

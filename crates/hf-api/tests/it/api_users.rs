//! Token permission, user overview, followers and organization members.

use futures_util::TryStreamExt;
use hf_api::Token;
use hf_testhub::{RepoType as HubType, Role};
use hf_types::{TokenRole, User};

use crate::api_support::{ALICE, client, hub, requests};

#[tokio::test]
async fn get_token_permission_reads_the_role() {
    let hub = hub(50).await;
    hub.add_token("alice", "hf_alice_read", Role::Read).unwrap();
    let api = client(&hub, Some(ALICE));
    assert_eq!(
        api.get_token_permission().await.unwrap(),
        Some(TokenRole::Write)
    );
    assert_eq!(
        api.get_token_permission()
            .token(Token::new("hf_alice_read").unwrap())
            .await
            .unwrap(),
        Some(TokenRole::Read)
    );
    assert_eq!(
        client(&hub, None).get_token_permission().await.unwrap(),
        None
    );
    assert_eq!(
        client(&hub, Some("hf_bogus"))
            .get_token_permission()
            .await
            .unwrap(),
        None
    );
}

#[tokio::test]
async fn user_overview_and_lists() {
    let hub = hub(2).await;
    hub.create_repo(HubType::Model, "alice/m", false).unwrap();
    hub.create_repo(HubType::Dataset, "alice/d", false).unwrap();
    for u in ["u1", "u2", "u3", "u4"] {
        hub.add_user(u);
    }
    hub.add_org("acme", &["alice", "u1", "u2", "u3", "u4"]);
    let api = client(&hub, Some(ALICE));

    let me = api.get_user_overview("alice").await.unwrap();
    assert_eq!(me.username.as_deref(), Some("alice"));
    assert_eq!((me.num_models, me.num_datasets), (Some(1), Some(1)));
    assert_eq!(me.orgs.first().map(|o| o.name.as_str()), Some("acme"));
    let err = api.get_user_overview("nobody").await.unwrap_err();
    assert!(err.is_not_found(), "{err:?}");

    let members: Vec<User> = api
        .list_organization_members("acme")
        .try_collect()
        .await
        .unwrap();
    let mut names: Vec<String> = members.into_iter().filter_map(|u| u.username).collect();
    names.sort();
    assert_eq!(names, ["alice", "u1", "u2", "u3", "u4"]);
    let pages = requests(&hub)
        .iter()
        .filter(|r| r.starts_with("GET /api/organizations/acme/members"))
        .count();
    assert_eq!(pages, 3);
    let err = api
        .list_organization_members("nope")
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err:?}");

    let followers: Vec<User> = api
        .list_user_followers("alice")
        .try_collect()
        .await
        .unwrap();
    assert!(followers.is_empty());
    let following: Vec<User> = api
        .list_user_following("alice")
        .try_collect()
        .await
        .unwrap();
    assert!(following.is_empty());
    let err = api
        .list_user_followers("nobody")
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
}

//! Repo lifecycle against the emulator: create, delete, move, settings, full names.

use hf_api::Error;
use hf_api::api::repos::SpaceEntry;
use hf_testhub::RepoType as HubType;
use hf_types::{GatedMode, RepoType, SpaceSdk};

use crate::api_support::{ALICE, BOB, client, hub, requests};

#[tokio::test]
async fn create_repo_of_each_type_and_conflicts_with_and_without_exist_ok() {
    let hub = hub(50).await;
    let api = client(&hub, Some(ALICE));

    let url = api.create_repo("alice/m1").await.unwrap();
    assert_eq!(url.repo_id().as_str(), "alice/m1");
    assert_eq!(url.repo_type(), RepoType::Model);
    assert_eq!(url.url(), format!("{}/alice/m1", hub.url()));

    let url = api
        .create_repo("alice/d1")
        .repo_type(RepoType::Dataset)
        .private(true)
        .await
        .unwrap();
    assert_eq!(url.repo_type(), RepoType::Dataset);
    let info = api.dataset_info("alice/d1").await.unwrap();
    assert_eq!(info.private, Some(true));
    // anonymous callers cannot see it
    let anon = client(&hub, None);
    assert!(matches!(
        anon.dataset_info("alice/d1").await,
        Err(Error::RepositoryNotFound(_))
    ));

    let url = api
        .create_repo("alice/s1")
        .repo_type(RepoType::Space)
        .space_sdk(SpaceSdk::Gradio)
        .space_secrets([SpaceEntry::new("K", "v").description("a secret")])
        .space_variables([SpaceEntry::new("V", "1")])
        .space_sleep_time(300)
        .await
        .unwrap();
    assert_eq!(url.repo_type(), RepoType::Space);
    assert_eq!(
        api.space_info("alice/s1").await.unwrap().sdk,
        Some(SpaceSdk::Gradio)
    );

    // a Space without SDK is refused before sending
    let before = requests(&hub).len();
    let err = api
        .create_repo("alice/s2")
        .repo_type(RepoType::Space)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidArgument { .. }), "{err}");
    assert_eq!(requests(&hub).len(), before);

    // conflict, then exist_ok
    let err = api.create_repo("alice/m1").await.unwrap_err();
    assert!(matches!(err, Error::Conflict(_)), "{err:?}");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(409));
    let url = api.create_repo("alice/m1").exist_ok(true).await.unwrap();
    assert_eq!(url.repo_id().as_str(), "alice/m1");
}

#[tokio::test]
async fn create_repo_in_someone_elses_namespace_is_forbidden_unless_it_exists_with_exist_ok() {
    let hub = hub(50).await;
    hub.create_repo(HubType::Model, "bob/public", false)
        .unwrap();
    let api = client(&hub, Some(ALICE));
    let err = api.create_repo("bob/new").await.unwrap_err();
    assert!(matches!(err, Error::Forbidden(_)), "{err:?}");
    let err = api.create_repo("bob/new").exist_ok(true).await.unwrap_err();
    assert!(matches!(err, Error::Forbidden(_)), "{err:?}");
    // exists and is readable: fine with exist_ok
    let url = api.create_repo("bob/public").exist_ok(true).await.unwrap();
    assert_eq!(url.repo_id().as_str(), "bob/public");
    // without a token: unauthorized
    let err = client(&hub, None).create_repo("alice/x").await.unwrap_err();
    assert!(matches!(err, Error::Unauthorized(_)), "{err:?}");
}

#[tokio::test]
async fn create_repo_sends_pythons_body() {
    let hub = hub(50).await;
    let api = client(&hub, Some(ALICE));
    api.create_repo("alice/b").await.unwrap();
    let log = hub.requests();
    let create = log
        .iter()
        .find(|r| r.path_and_query == "/api/repos/create")
        .unwrap();
    assert_eq!(create.method, http::Method::POST);
    assert_eq!(
        create.headers["content-type"].to_str().unwrap(),
        "application/json"
    );
}

#[tokio::test]
async fn delete_repo_with_and_without_missing_ok() {
    let hub = hub(50).await;
    let api = client(&hub, Some(ALICE));
    api.create_repo("alice/gone")
        .repo_type(RepoType::Dataset)
        .await
        .unwrap();
    api.delete_repo("alice/gone")
        .repo_type(RepoType::Dataset)
        .await
        .unwrap();
    assert!(
        !api.repo_exists("alice/gone")
            .repo_type(RepoType::Dataset)
            .await
            .unwrap()
    );
    let err = api
        .delete_repo("alice/gone")
        .repo_type(RepoType::Dataset)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::RepositoryNotFound(_)), "{err:?}");
    api.delete_repo("alice/gone")
        .repo_type(RepoType::Dataset)
        .missing_ok(true)
        .await
        .unwrap();
    // someone else's repo: forbidden, even with missing_ok
    hub.create_repo(HubType::Model, "bob/keep", false).unwrap();
    let err = api
        .delete_repo("bob/keep")
        .missing_ok(true)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Forbidden(_)), "{err:?}");
}

#[tokio::test]
async fn move_repo_renames_and_reports_conflicts() {
    let hub = hub(50).await;
    let api = client(&hub, Some(ALICE));
    api.create_repo("alice/old").await.unwrap();
    api.create_repo("alice/taken").await.unwrap();
    api.move_repo("alice/old", "alice/new").await.unwrap();
    assert_eq!(api.model_info("alice/new").await.unwrap().id, "alice/new");
    let err = api.move_repo("alice/new", "alice/taken").await.unwrap_err();
    assert!(matches!(err, Error::Conflict(_)), "{err:?}");
    let err = api.move_repo("alice/new", "nonamespace").await.unwrap_err();
    assert!(matches!(err, Error::InvalidArgument { .. }), "{err:?}");
    let err = api
        .move_repo("alice/missing", "alice/other")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::RepositoryNotFound(_)), "{err:?}");
}

#[tokio::test]
async fn update_repo_settings_and_visibility() {
    let hub = hub(50).await;
    let api = client(&hub, Some(ALICE));
    api.create_repo("alice/s").await.unwrap();
    api.update_repo_settings("alice/s")
        .gated(GatedMode::Manual)
        .await
        .unwrap();
    assert_eq!(
        api.model_info("alice/s").await.unwrap().gated,
        Some(GatedMode::Manual)
    );
    api.update_repo_settings("alice/s")
        .gated(GatedMode::Off)
        .private(true)
        .await
        .unwrap();
    let info = api.model_info("alice/s").await.unwrap();
    assert_eq!(
        (info.gated, info.private),
        (Some(GatedMode::Off), Some(true))
    );
    api.update_repo_visibility("alice/s", false).await.unwrap();
    assert_eq!(
        api.model_info("alice/s").await.unwrap().private,
        Some(false)
    );

    let err = api.update_repo_settings("alice/s").await.unwrap_err();
    assert!(matches!(err, Error::InvalidArgument { .. }), "{err:?}");
    let bob = client(&hub, Some(BOB));
    let err = bob
        .update_repo_settings("alice/s")
        .private(true)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Forbidden(_)), "{err:?}");
    let err = api
        .update_repo_settings("alice/none")
        .private(true)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::RepositoryNotFound(_)), "{err:?}");
}

#[tokio::test]
async fn get_full_repo_name_uses_whoami_only_when_needed() {
    let hub = hub(50).await;
    let api = client(&hub, Some(ALICE));
    assert_eq!(api.get_full_repo_name("m").await.unwrap(), "alice/m");
    assert_eq!(
        api.get_full_repo_name("m")
            .organization("org")
            .await
            .unwrap(),
        "org/m"
    );
    assert_eq!(api.get_full_repo_name("x/m").await.unwrap(), "x/m");
    let whoamis = requests(&hub)
        .iter()
        .filter(|r| r.contains("whoami"))
        .count();
    assert_eq!(whoamis, 1);
    let err = client(&hub, None)
        .get_full_repo_name("m")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Unauthorized(_)), "{err:?}");
}

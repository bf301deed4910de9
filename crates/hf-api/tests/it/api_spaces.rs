//! Space management against the emulator.

use hf_api::Error;
use hf_api::api::repos::SpaceEntry;
use hf_testhub::RepoType as HubType;
use hf_types::{RepoType, SpaceHardware, SpaceStage, SpaceStorage};

use crate::api_support::{ALICE, BOB, client, hub};

#[tokio::test]
async fn secrets_variables_runtime_and_duplication() {
    let hub = hub(50).await;
    hub.create_repo(HubType::Space, "alice/app", false).unwrap();
    let api = client(&hub, Some(ALICE));

    api.add_space_secret("alice/app", "TOKEN", "s3cret")
        .description("api key")
        .await
        .unwrap();
    api.delete_space_secret("alice/app", "TOKEN").await.unwrap();

    let vars = api
        .add_space_variable("alice/app", "MODEL", "gpt2")
        .description("which model")
        .await
        .unwrap();
    assert_eq!(vars["MODEL"].value, "gpt2");
    assert_eq!(vars["MODEL"].description.as_deref(), Some("which model"));
    api.add_space_variable("alice/app", "N", "3").await.unwrap();
    let vars = api.delete_space_variable("alice/app", "N").await.unwrap();
    assert_eq!(vars.keys().collect::<Vec<_>>(), ["MODEL"]);
    assert_eq!(api.get_space_variables("alice/app").await.unwrap().len(), 1);

    let rt = api.get_space_runtime("alice/app").await.unwrap();
    assert_eq!(rt.stage, SpaceStage::Running);
    let rt = api
        .request_space_hardware("alice/app", SpaceHardware::T4Small)
        .sleep_time(600)
        .await
        .unwrap();
    assert_eq!(
        rt.hardware.and_then(|h| h.requested),
        Some(SpaceHardware::T4Small)
    );
    assert_eq!(rt.gc_timeout, Some(600));
    let rt = api.set_space_sleep_time("alice/app", 3600).await.unwrap();
    assert_eq!(rt.gc_timeout, Some(3600));
    let rt = api
        .request_space_storage("alice/app", SpaceStorage::Small)
        .await
        .unwrap();
    assert_eq!(rt.storage, Some(SpaceStorage::Small));
    let rt = api.delete_space_storage("alice/app").await.unwrap();
    assert_eq!(rt.storage, None);
    let rt = api.pause_space("alice/app").await.unwrap();
    assert_eq!(rt.stage, SpaceStage::Paused);
    let rt = api
        .restart_space("alice/app")
        .factory_reboot(true)
        .await
        .unwrap();
    assert_ne!(rt.stage, SpaceStage::Paused);
    assert!(
        hub.requests()
            .iter()
            .any(|r| r.path_and_query == "/api/spaces/alice/app/restart?factory=true")
    );

    // duplication: default target is the token owner's namespace
    let bob = client(&hub, Some(BOB));
    let url = bob
        .duplicate_space("alice/app")
        .private(true)
        .variables([SpaceEntry::new("X", "1")])
        .await
        .unwrap();
    assert_eq!(url.repo_id().as_str(), "bob/app");
    assert_eq!(url.repo_type(), RepoType::Space);
    let err = bob.duplicate_space("alice/app").await.unwrap_err();
    assert!(matches!(err, Error::Conflict(_)), "{err:?}");
    let url = bob
        .duplicate_space("alice/app")
        .exist_ok(true)
        .await
        .unwrap();
    assert_eq!(url.repo_id().as_str(), "bob/app");
    let url = bob
        .duplicate_space("alice/app")
        .to_id("copy2")
        .await
        .unwrap();
    assert_eq!(url.repo_id().as_str(), "bob/copy2");

    // typed errors
    let err = bob
        .add_space_secret("alice/app", "K", "v")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Forbidden(_)), "{err:?}");
    let err = api.get_space_runtime("alice/none").await.unwrap_err();
    assert!(matches!(err, Error::RepositoryNotFound(_)), "{err:?}");
}

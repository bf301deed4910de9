//! Offline mode on the client (`HfApiBuilder::offline`, default `HF_HUB_OFFLINE`): no
//! request leaves it, API calls fail with `Error::OfflineMode`, downloads answer from
//! the cache.

use hf_api::config::Environment;
use hf_api::upload::CommitOperationAdd;
use hf_api::{Error, HfApi, HfApiBuilder};

use crate::download::{fast_retry, fixture};

fn offline_client(hub_url: &str, cache: &std::path::Path) -> HfApi {
    HfApiBuilder::new()
        .endpoint(hub_url)
        .cache_dir(cache)
        .retry(fast_retry())
        .offline(true)
        .build()
        .unwrap()
}

fn assert_offline(err: &Error) {
    match err {
        Error::OfflineMode { message } => {
            assert!(
                message.contains("unset HF_HUB_OFFLINE or build the client with .offline(false)"),
                "{message}"
            );
        }
        other => panic!("expected Error::OfflineMode, got {other:?}"),
    }
}

#[tokio::test]
async fn offline_client_sends_nothing() {
    let fx = fixture().await;
    let api = offline_client(&fx.hub.url(), fx.cache.path());
    assert!(api.is_offline());
    fx.hub.clear_requests();

    let err = api.model_info("alice/m").await.unwrap_err();
    assert_offline(&err);
    assert!(err.to_string().contains("/api/models/alice/m"), "{err}");
    assert_eq!(err.http().map(hf_api::HttpError::kind), None);

    let ops = vec![CommitOperationAdd::from_bytes("x.txt", "x").unwrap().into()];
    let err = api
        .create_commit("alice/m", ops, "offline")
        .await
        .unwrap_err();
    assert_offline(&err);
    let err = api.upload_file("alice/m", "y.txt", "y").await.unwrap_err();
    assert_offline(&err);
    let folder = tempfile::tempdir().unwrap();
    std::fs::write(folder.path().join("z.txt"), "z").unwrap();
    let err = api
        .upload_large_folder("alice/m", folder.path(), hf_api::types::RepoType::Model)
        .await
        .unwrap_err();
    assert_offline(&err);
    assert!(
        !folder.path().join(".cache").exists(),
        "nothing is written to the folder"
    );

    assert!(
        fx.hub.requests().is_empty(),
        "requests reached the emulator: {:?}",
        fx.hub
            .requests()
            .iter()
            .map(|r| r.path().to_owned())
            .collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn hf_hub_offline_is_read_at_build() {
    let fx = fixture().await;
    let env = Environment::from_pairs([
        ("HF_HUB_OFFLINE", "1"),
        ("HF_ENDPOINT", fx.hub.url().as_str()),
    ]);
    let api = HfApiBuilder::with_environment(env.clone())
        .no_token()
        .build()
        .unwrap();
    assert!(api.is_offline());
    fx.hub.clear_requests();
    assert_offline(&api.model_info("alice/m").await.unwrap_err());
    assert!(fx.hub.requests().is_empty());

    // `.offline(false)` wins over the environment.
    let api = HfApiBuilder::with_environment(env)
        .no_token()
        .offline(false)
        .build()
        .unwrap();
    assert!(!api.is_offline());
    api.model_info("alice/m").await.unwrap();
    assert_eq!(fx.hub.requests().len(), 1);
}

#[tokio::test]
async fn offline_client_downloads_from_the_cache() {
    let fx = fixture().await;
    let online = fx.api();
    let cached = online
        .hf_hub_download("alice/m", "config.json")
        .await
        .unwrap();
    let snapshot = online.snapshot_download("alice/m").await.unwrap();
    fx.hub.clear_requests();

    let api = offline_client(&fx.hub.url(), fx.cache.path());
    let path = api.hf_hub_download("alice/m", "config.json").await.unwrap();
    assert_eq!(path, cached);
    assert_eq!(std::fs::read(&path).unwrap(), fx.config);
    assert_eq!(api.snapshot_download("alice/m").await.unwrap(), snapshot);

    // Not in the cache: an error, still without a request.
    let empty = tempfile::tempdir().unwrap();
    let api = offline_client(&fx.hub.url(), empty.path());
    let err = api
        .hf_hub_download("alice/m", "config.json")
        .await
        .unwrap_err();
    assert_offline(&err);
    let err = api.snapshot_download("alice/m").await.unwrap_err();
    assert_offline(&err);
    let err = api
        .get_hf_file_metadata("alice/m", "config.json")
        .await
        .unwrap_err();
    assert_offline(&err);
    assert!(fx.hub.requests().is_empty());
}

//! Model, dataset and Space listings against the emulator, across several pages.

use futures_util::{StreamExt, TryStreamExt};
use hf_api::Error;
use hf_api::api::expand::{ExpandDatasetProperty, ExpandModelProperty, ExpandSpaceProperty};
use hf_testhub::RepoType as HubType;
use hf_types::{DatasetInfo, ModelInfo, SpaceInfo};

use crate::api_support::{ALICE, BOB, client, hub, requests};

fn listing_calls(hub: &hf_testhub::TestHub, path: &str) -> Vec<String> {
    requests(hub)
        .into_iter()
        .filter(|r| r.starts_with(&format!("GET {path}")))
        .collect()
}

#[tokio::test]
async fn list_models_follows_pages_and_limit_stops_early() {
    let hub = hub(2).await;
    for i in 0..5 {
        hub.create_repo(HubType::Model, &format!("alice/m{i}"), false)
            .unwrap();
    }
    hub.create_repo(HubType::Model, "bob/private", true)
        .unwrap();
    let api = client(&hub, Some(ALICE));
    let all: Vec<ModelInfo> = api.list_models().try_collect().await.unwrap();
    let ids: Vec<&str> = all.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(
        ids,
        ["alice/m0", "alice/m1", "alice/m2", "alice/m3", "alice/m4"]
    );
    assert_eq!(listing_calls(&hub, "/api/models").len(), 3);

    hub.clear_requests();
    let some: Vec<ModelInfo> = api.list_models().limit(3).try_collect().await.unwrap();
    assert_eq!(some.len(), 3);
    let calls = listing_calls(&hub, "/api/models");
    assert_eq!(calls.len(), 2, "{calls:?}");
    assert_eq!(calls[0], "GET /api/models?limit=3");

    // dropping a listing after one item fetches one page only
    hub.clear_requests();
    let mut s = api.list_models();
    assert!(s.next().await.unwrap().is_ok());
    drop(s);
    assert_eq!(listing_calls(&hub, "/api/models").len(), 1);

    // the owner sees their private model
    let bob = client(&hub, Some(BOB));
    let n = bob.list_models().author("bob").count().await;
    assert_eq!(n, 1);
    let n = api.list_models().author("bob").count().await;
    assert_eq!(n, 0);
}

#[tokio::test]
async fn list_models_filters_and_query_encoding() {
    let hub = hub(2).await;
    hub.create_repo(HubType::Model, "alice/bert-small", false)
        .unwrap();
    hub.create_repo(HubType::Model, "alice/gpt-small", false)
        .unwrap();
    hub.create_repo(HubType::Model, "bob/bert-large", false)
        .unwrap();
    hub.set_repo_tags(
        HubType::Model,
        "alice/bert-small",
        &["pytorch", "en", "dataset:squad"],
    )
    .unwrap();
    hub.set_repo_tags(HubType::Model, "bob/bert-large", &["pytorch"])
        .unwrap();
    let api = client(&hub, Some(ALICE));

    let ids = |v: Vec<ModelInfo>| v.into_iter().map(|m| m.id).collect::<Vec<_>>();
    let got = api
        .list_models()
        .library(["pytorch"])
        .language(["en"])
        .trained_dataset(["squad"])
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids(got), ["alice/bert-small"]);
    assert!(
        listing_calls(&hub, "/api/models")
            .iter()
            .any(|r| r == "GET /api/models?filter=pytorch&filter=dataset%3Asquad&filter=en")
    );
    let got = api
        .list_models()
        .search("bert")
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids(got), ["alice/bert-small", "bob/bert-large"]);
    let got = api
        .list_models()
        .author("alice")
        .model_name("small")
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids(got), ["alice/bert-small", "alice/gpt-small"]);
    let got = api
        .list_models()
        .gated(false)
        .filter(["pytorch"])
        .tags(["en"]);
    let got = ids(got.try_collect().await.unwrap());
    assert_eq!(got, ["alice/bert-small"]);

    let sorted: Vec<ModelInfo> = api
        .list_models()
        .sort("last_modified")
        .direction(-1)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(sorted.len(), 3);
    assert!(
        listing_calls(&hub, "/api/models")
            .iter()
            .any(|r| r == "GET /api/models?sort=lastModified&direction=-1")
    );

    let expanded: Vec<ModelInfo> = api
        .list_models()
        .expand([ExpandModelProperty::Sha, ExpandModelProperty::Siblings])
        .try_collect()
        .await
        .unwrap();
    assert!(
        expanded
            .iter()
            .all(|m| m.sha.is_some() && m.siblings.is_some())
    );
    let full: Vec<ModelInfo> = api.list_models().full(true).try_collect().await.unwrap();
    assert!(full.iter().all(|m| m.sha.is_some()));
    api.list_models()
        .cardData(true)
        .fetch_config(true)
        .pipeline_tag("fill-mask")
        .inference("warm")
        .try_collect::<Vec<_>>()
        .await
        .unwrap();
    assert!(
        listing_calls(&hub, "/api/models").iter().any(|r| r
            == "GET /api/models?inference=warm&pipeline_tag=fill-mask&config=True&cardData=True")
    );

    // emissions are read from cards: the emulator sends none, so nothing matches
    let green: Vec<ModelInfo> = api
        .list_models()
        .cardData(true)
        .emissions_thresholds(None, Some(100.0))
        .try_collect()
        .await
        .unwrap();
    assert!(green.is_empty());

    hub.clear_requests();
    for bad in [
        api.list_models()
            .expand([ExpandModelProperty::Sha])
            .full(true),
        api.list_models()
            .expand([ExpandModelProperty::Sha])
            .cardData(true),
        api.list_models().emissions_thresholds(Some(1.0), None),
    ] {
        let err = bad.try_collect::<Vec<_>>().await.unwrap_err();
        assert!(matches!(err, Error::InvalidArgument { .. }), "{err}");
    }
    assert!(listing_calls(&hub, "/api/models").is_empty());
}

#[tokio::test]
async fn list_datasets_prefixes_filters_and_pages() {
    let hub = hub(2).await;
    for i in 0..3 {
        hub.create_repo(HubType::Dataset, &format!("alice/d{i}"), false)
            .unwrap();
    }
    hub.set_repo_tags(
        HubType::Dataset,
        "alice/d1",
        &[
            "language:en",
            "task_categories:text-classification",
            "fiftyone",
        ],
    )
    .unwrap();
    let api = client(&hub, Some(ALICE));
    let all: Vec<DatasetInfo> = api.list_datasets().try_collect().await.unwrap();
    assert_eq!(all.len(), 3);
    let got: Vec<DatasetInfo> = api
        .list_datasets()
        .language(["en"])
        .task_categories(["task_categories:text-classification"])
        .tags(["fiftyone"])
        .try_collect()
        .await
        .unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].id, "alice/d1");
    assert!(listing_calls(&hub, "/api/datasets").iter().any(|r| r
        == "GET /api/datasets?filter=language%3Aen&filter=task_categories%3Atext-classification&filter=fiftyone"));
    let got: Vec<DatasetInfo> = api
        .list_datasets()
        .dataset_name("d")
        .search("2")
        .expand([ExpandDatasetProperty::Downloads])
        .limit(5)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].id, "alice/d2");
    assert!(got[0].downloads.is_some());
    let err = api
        .list_datasets()
        .expand([ExpandDatasetProperty::Sha])
        .full(true)
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidArgument { .. }));
}

#[tokio::test]
async fn list_spaces_query_and_pages() {
    let hub = hub(2).await;
    for i in 0..3 {
        hub.create_repo(HubType::Space, &format!("alice/s{i}"), false)
            .unwrap();
    }
    let api = client(&hub, Some(ALICE));
    let all: Vec<SpaceInfo> = api
        .list_spaces()
        .author("alice")
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 3);
    assert!(all.iter().all(|s| s.sdk.is_some()));
    let _: Vec<SpaceInfo> = api
        .list_spaces()
        .datasets(["a/d"])
        .models(["a/m", "b/m"])
        .linked(true)
        .try_collect()
        .await
        .unwrap();
    assert!(
        listing_calls(&hub, "/api/spaces")
            .iter()
            .any(|r| r == "GET /api/spaces?linked=True&datasets=a%2Fd&models=a%2Fm&models=b%2Fm")
    );
    let e: Vec<SpaceInfo> = api
        .list_spaces()
        .expand([ExpandSpaceProperty::Runtime])
        .try_collect()
        .await
        .unwrap();
    assert!(e.iter().all(|s| s.runtime.is_some()));
    let err = api
        .list_spaces()
        .expand([ExpandSpaceProperty::Sdk])
        .full(true)
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidArgument { .. }));
}

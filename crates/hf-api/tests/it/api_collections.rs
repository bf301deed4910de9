//! Collections against the emulator.

use futures_util::TryStreamExt;
use hf_api::Error;
use hf_testhub::RepoType as HubType;
use hf_types::{Collection, CollectionItemType};

use crate::api_support::{ALICE, BOB, client, hub};

#[tokio::test]
async fn collections_lifecycle_items_and_listing() {
    let hub = hub(2).await;
    hub.create_repo(HubType::Model, "alice/m", false).unwrap();
    hub.create_repo(HubType::Dataset, "alice/d", false).unwrap();
    let api = client(&hub, Some(ALICE));

    let c = api
        .create_collection("My picks")
        .description("the best")
        .await
        .unwrap();
    assert_eq!(c.title, "My picks");
    assert!(c.slug.starts_with("alice/my-picks-"), "{}", c.slug);
    let err = api.create_collection("My picks").await.unwrap_err();
    assert!(matches!(err, Error::Conflict(_)), "{err:?}");
    let again = api
        .create_collection("My picks")
        .exists_ok(true)
        .await
        .unwrap();
    assert_eq!(again.slug, c.slug);

    let c = api
        .add_collection_item(&c.slug, "alice/m", CollectionItemType::Model)
        .note("start here")
        .await
        .unwrap();
    assert_eq!(c.items.len(), 1);
    let c = api
        .add_collection_item(&c.slug, "alice/d", CollectionItemType::Dataset)
        .await
        .unwrap();
    assert_eq!(c.items.len(), 2);
    let err = api
        .add_collection_item(&c.slug, "alice/m", CollectionItemType::Model)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Conflict(_)), "{err:?}");
    api.add_collection_item(&c.slug, "alice/m", CollectionItemType::Model)
        .exists_ok(true)
        .await
        .unwrap();

    let item = c.items[0].item_object_id.clone();
    api.update_collection_item(&c.slug, &item)
        .note("updated")
        .position(1)
        .await
        .unwrap();
    let c = api
        .update_collection_metadata(&c.slug)
        .title("Top picks")
        .private(true)
        .await
        .unwrap();
    assert_eq!((c.title.as_str(), c.private), ("Top picks", Some(true)));
    let got = api.get_collection(&c.slug).await.unwrap();
    assert_eq!(got.items.len(), 2);
    assert!(got.position.is_some());

    // listing across pages; private collections are the owner's only
    for i in 0..3 {
        api.create_collection(&format!("List {i}")).await.unwrap();
    }
    let mine: Vec<Collection> = api
        .list_collections()
        .owner(["alice"])
        .try_collect()
        .await
        .unwrap();
    assert_eq!(mine.len(), 4);
    assert!(mine.iter().all(|c| c.position.is_some()));
    let some: Vec<Collection> = api.list_collections().limit(2).try_collect().await.unwrap();
    assert_eq!(some.len(), 2);
    let theirs: Vec<Collection> = client(&hub, Some(BOB))
        .list_collections()
        .owner(["alice"])
        .try_collect()
        .await
        .unwrap();
    assert_eq!(theirs.len(), 3);
    let with_item: Vec<Collection> = api
        .list_collections()
        .item(["datasets/alice/d"])
        .try_collect()
        .await
        .unwrap();
    assert_eq!(with_item.len(), 1);

    api.delete_collection_item(&c.slug, &item).await.unwrap();
    let err = api
        .delete_collection_item(&c.slug, &item)
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    api.delete_collection_item(&c.slug, &item)
        .missing_ok(true)
        .await
        .unwrap();
    let err = client(&hub, Some(BOB))
        .delete_collection(&c.slug)
        .await
        .unwrap_err();
    assert!(
        err.status().is_some_and(|s| s == 403 || s == 404),
        "{err:?}"
    );
    api.delete_collection(&c.slug).await.unwrap();
    let err = api.get_collection(&c.slug).await.unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    api.delete_collection(&c.slug)
        .missing_ok(true)
        .await
        .unwrap();
}

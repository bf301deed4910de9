//! Papers and webhooks against the emulator.

use hf_api::Error;
use hf_types::{WebhookDomain, WebhookWatchedItem, WebhookWatchedType};

use crate::api_support::{ALICE, BOB, client, hub};

#[tokio::test]
async fn papers_search_and_info() {
    let hub = hub(50).await;
    hub.add_paper(
        "2401.00001",
        "Tiny transformers",
        "small models",
        &["Ada", "Alan"],
    );
    hub.add_paper("2401.00002", "Big diffusion", "large images", &["Grace"]);
    let api = client(&hub, Some(ALICE));
    let all = api.list_papers().await.unwrap();
    assert_eq!(all.len(), 2);
    let hits = api.list_papers().query("transformers").await.unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].paper_id(), Some("2401.00001"));
    let p = api.paper_info("2401.00002").await.unwrap();
    assert_eq!(p.title.as_deref(), Some("Big diffusion"));
    assert_eq!(p.author_names(), ["Grace"]);
    let err = api.paper_info("9999.99999").await.unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    let paper_call = hub
        .requests()
        .into_iter()
        .find(|r| r.path_and_query == "/api/papers/2401.00002")
        .unwrap();
    assert!(paper_call.headers.get("authorization").is_none());
}

#[tokio::test]
async fn webhooks_lifecycle() {
    let hub = hub(50).await;
    let api = client(&hub, Some(ALICE));
    let w = api
        .create_webhook(
            "https://example.com/hook",
            [WebhookWatchedItem::new(WebhookWatchedType::User, "alice")],
        )
        .domains([WebhookDomain::Repo])
        .secret("shh")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(w.url.as_deref(), Some("https://example.com/hook"));
    assert_eq!(w.domains, [WebhookDomain::Repo]);
    assert!(!w.disabled);
    let listed = api.list_webhooks().await.unwrap();
    assert_eq!(listed.len(), 1);
    assert!(
        client(&hub, Some(BOB))
            .list_webhooks()
            .await
            .unwrap()
            .is_empty()
    );

    let w2 = api
        .update_webhook(&w.id)
        .url("https://example.com/other")
        .watched([WebhookWatchedItem::new(
            WebhookWatchedType::Model,
            "alice/m",
        )])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(w2.url.as_deref(), Some("https://example.com/other"));
    assert_eq!(w2.watched[0].name, "alice/m");
    assert!(api.disable_webhook(&w.id).await.unwrap().unwrap().disabled);
    assert!(!api.enable_webhook(&w.id).await.unwrap().unwrap().disabled);
    assert_eq!(api.get_webhook(&w.id).await.unwrap().unwrap().id, w.id);
    assert!(api.delete_webhook(&w.id).await.unwrap().is_none());
    let err = api.get_webhook(&w.id).await.unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    let err = client(&hub, None).list_webhooks().await.unwrap_err();
    assert!(matches!(err, Error::Unauthorized(_)), "{err:?}");
}

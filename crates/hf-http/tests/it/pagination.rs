use futures_util::{StreamExt, TryStreamExt};
use hf_http::ErrorKind;
use http::Request;

use crate::builder;
use crate::server::TestServer;

#[derive(serde::Deserialize, Debug, PartialEq)]
struct Item {
    id: u32,
}

#[tokio::test]
async fn follows_link_headers_over_three_pages() {
    let hub = TestServer::start().await;
    let page2 = hub.url("/api/models?cursor=two");
    hub.push(
        200,
        &[("link", &format!("<{page2}>; rel=\"next\""))],
        r#"[{"id":1},{"id":2}]"#,
    );
    // a relative next link, resolved against the page URL
    hub.push(
        200,
        &[("link", "</api/models?cursor=three>; rel=\"next\"")],
        r#"[{"id":3}]"#,
    );
    hub.push(200, &[], r#"[{"id":4},{"id":5}]"#);
    let client = builder(&hub.base()).build().unwrap();
    let first = Request::get(hub.url("/api/models?limit=2"))
        .header("x-page-header", "kept")
        .body(())
        .unwrap();
    let stream = client.paginate::<Item>(first);
    // 'static and Send: it can move into a task
    let items: Vec<Item> = tokio::spawn(stream.try_collect()).await.unwrap().unwrap();
    assert_eq!(
        items.iter().map(|i| i.id).collect::<Vec<_>>(),
        [1, 2, 3, 4, 5]
    );
    let reqs = hub.requests();
    assert_eq!(reqs.len(), 3);
    assert_eq!(reqs[1].uri.query(), Some("cursor=two"));
    assert_eq!(reqs[2].uri.query(), Some("cursor=three"));
    assert!(
        reqs.iter()
            .all(|r| r.headers.get("x-page-header").is_some())
    );
}

#[tokio::test]
async fn is_lazy_and_maps_errors() {
    let hub = TestServer::start().await;
    hub.push(
        200,
        &[("link", "</p2>; rel=\"next\"")],
        r#"[{"id":1},{"id":2}]"#,
    );
    let client = builder(&hub.base()).build().unwrap();
    let first = || Request::get(hub.url("/p1")).body(()).unwrap();

    let taken: Vec<Item> = client
        .paginate(first())
        .take(2)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(taken.len(), 2);
    assert_eq!(
        hub.requests().len(),
        1,
        "no page is fetched before it is needed"
    );

    hub.push(200, &[("link", "</p2>; rel=\"next\"")], r#"[{"id":1}]"#);
    hub.push(404, &[("x-error-code", "RepoNotFound")], "");
    let all: Vec<Result<Item, hf_http::Error>> = client.paginate(first()).collect().await;
    assert_eq!(all.len(), 2);
    assert_eq!(
        all[1].as_ref().unwrap_err().kind(),
        ErrorKind::RepositoryNotFound
    );

    hub.push(200, &[], r#"[{"id":"x"}]"#);
    let err = client
        .paginate::<Item>(first())
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert!(err.to_string().contains("[0].id"), "{err}");
}

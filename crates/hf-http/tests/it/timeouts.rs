use std::time::Duration;

use hf_http::transport::TransportConfig;
use hf_http::{ErrorKind, RetryConfig};

use crate::server::TestServer;
use crate::{builder, get};

#[tokio::test]
async fn attempt_timeout_is_a_typed_timeout_and_is_retried_for_get() {
    let hub = TestServer::start().await;
    hub.push_hang();
    hub.push(200, &[], "ok");
    let client = builder(&hub.base())
        .attempt_timeout(Some(Duration::from_millis(200)))
        .build()
        .unwrap();
    let res = client.send(get(&hub.url("/slow"))).await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(hub.requests().len(), 2);

    hub.push_hang();
    let client = builder(&hub.base())
        .retry(RetryConfig::disabled())
        .attempt_timeout(Some(Duration::from_millis(200)))
        .build()
        .unwrap();
    let err = client.send(get(&hub.url("/slow"))).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert!(err.is_timeout());
    assert!(!err.is_connect());
    assert!(err.request_may_have_been_sent());
}

#[tokio::test]
async fn request_timeout_bounds_the_whole_execution() {
    let hub = TestServer::start().await;
    hub.push(503, &[("retry-after", "30")], "");
    let client = builder(&hub.base())
        .request_timeout(Some(Duration::from_millis(300)))
        .build()
        .unwrap();
    let err = client.send(get(&hub.url("/x"))).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout);
}

#[tokio::test]
async fn stalled_body_fails_with_read_timeout() {
    let hub = TestServer::start().await;
    hub.push_stalled_body();
    let client = builder(&hub.base())
        .transport_config(TransportConfig::default().read_timeout(Some(Duration::from_millis(200))))
        .build()
        .unwrap();
    let res = client.send(get(&hub.url("/big"))).await.unwrap();
    let err = res.into_body().bytes().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout);
}

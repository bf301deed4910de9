use std::time::Duration;

use hf_http::timeout::ReadTimeout;
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

#[tokio::test]
async fn a_request_can_carry_its_own_read_timeout() {
    let hub = TestServer::start().await;
    // The transport's limit is far off; the request's own limit fires.
    let client = builder(&hub.base())
        .transport_config(TransportConfig::default().read_timeout(Some(Duration::from_secs(600))))
        .build()
        .unwrap();
    hub.push_stalled_body();
    let mut req = get(&hub.url("/big"));
    req.extensions_mut()
        .insert(ReadTimeout(Some(Duration::from_millis(200))));
    let res = client.send(req).await.unwrap();
    let err = res.into_body().bytes().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout);

    // And `None` lifts the transport's limit.
    let client = builder(&hub.base())
        .transport_config(TransportConfig::default().read_timeout(Some(Duration::from_millis(50))))
        .build()
        .unwrap();
    hub.push_fn(|_| async {
        let slow = futures_util::stream::once(async {
            tokio::time::sleep(Duration::from_millis(300)).await;
            Ok::<_, std::io::Error>(bytes::Bytes::from("late"))
        });
        axum::response::Response::new(axum::body::Body::from_stream(slow))
    });
    let mut req = get(&hub.url("/slow-body"));
    req.extensions_mut().insert(ReadTimeout(None));
    let res = client.send(req).await.unwrap();
    assert_eq!(&res.into_body().bytes().await.unwrap()[..], b"late");
}

#[tokio::test]
async fn connect_timeout_is_a_typed_timeout_that_never_sent_the_request() {
    // A listener that never accepts, with its accept queue filled: the kernel drops
    // further SYNs, so connecting hangs until the connect timeout.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let addr = socket.local_addr().unwrap();
    let _listener = socket.listen(1).unwrap();
    // Connect until one connection hangs: from then on the queue is full.
    let mut fillers = Vec::new();
    let mut full = false;
    for _ in 0..8 {
        let connect = tokio::net::TcpStream::connect(addr);
        if let Ok(Ok(stream)) = tokio::time::timeout(Duration::from_millis(300), connect).await {
            fillers.push(stream);
        } else {
            full = true;
            break;
        }
    }
    assert!(full, "the accept queue never filled up");
    let client = builder(&format!("http://{addr}"))
        .retry(RetryConfig::disabled())
        .attempt_timeout(Some(Duration::from_secs(10)))
        .transport_config(
            TransportConfig::default().connect_timeout(Some(Duration::from_millis(200))),
        )
        .build()
        .unwrap();
    let err = client
        .send(get(&format!("http://{addr}/x")))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err:?}");
    assert!(err.is_connect());
    assert!(!err.request_may_have_been_sent());
    assert!(err.to_string().contains("while connecting"), "{err}");
}

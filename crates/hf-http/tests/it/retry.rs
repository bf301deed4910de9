use std::time::{Duration, SystemTime};

use bytes::Bytes;
use hf_http::retry::RetryReason;
use hf_http::{ErrorKind, HfBody, Idempotency};
use http::{Method, Request};

use crate::server::TestServer;
use crate::{builder, get, recording_retry};

#[tokio::test]
async fn retries_503_503_then_succeeds() {
    let server = TestServer::start().await;
    server.push(503, &[], "busy");
    server.push(503, &[], "busy");
    server.push(200, &[], "ok");
    let (retry, events) = recording_retry();
    let client = builder(&server.base()).retry(retry).build().unwrap();
    let res = client.send(get(&server.url("/api/x"))).await.unwrap();
    assert_eq!(res.status(), 200);
    let stats = res
        .extensions()
        .get::<hf_http::RetryStats>()
        .copied()
        .unwrap();
    assert_eq!(stats.retries, 2);
    assert_eq!(res.into_body().bytes().await.unwrap(), "ok");
    assert_eq!(server.requests().len(), 3);
    let events = events.lock().unwrap();
    assert_eq!(events.len(), 2);
    assert_eq!(
        events[0].reason,
        RetryReason::Status(http::StatusCode::SERVICE_UNAVAILABLE)
    );
    // exponential backoff without jitter: 1 ms then 2 ms
    assert_eq!(events[0].delay, Duration::from_millis(1));
    assert_eq!(events[1].delay, Duration::from_millis(2));
}

#[tokio::test]
async fn waits_for_retry_after_seconds() {
    let server = TestServer::start().await;
    server.push(429, &[("retry-after", "1")], "slow down");
    server.push(200, &[], "ok");
    let (retry, events) = recording_retry();
    let client = builder(&server.base()).retry(retry).build().unwrap();
    let res = client.send(get(&server.url("/api/x"))).await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(server.requests().len(), 2);
    let events = events.lock().unwrap();
    assert_eq!(events[0].retry_after, Some(Duration::from_secs(1)));
    assert_eq!(events[0].delay, Duration::from_secs(1));
}

#[tokio::test]
async fn waits_for_retry_after_http_date() {
    let server = TestServer::start().await;
    let date = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(2));
    server.push(503, &[("retry-after", date.as_str())], "");
    server.push(200, &[], "ok");
    let (retry, events) = recording_retry();
    let client = builder(&server.base()).retry(retry).build().unwrap();
    let res = client.send(get(&server.url("/api/x"))).await.unwrap();
    assert_eq!(res.status(), 200);
    let events = events.lock().unwrap();
    let delay = events[0].delay;
    // the date has one-second resolution: the wait is what remains of it
    assert!(
        delay > Duration::ZERO && delay <= Duration::from_secs(2),
        "{delay:?}"
    );
    assert_eq!(events[0].retry_after, Some(delay));
}

#[tokio::test]
async fn too_long_retry_after_is_not_waited_for() {
    let server = TestServer::start().await;
    server.push(429, &[("retry-after", "3600")], "");
    let client = builder(&server.base()).build().unwrap();
    let err = client.send(get(&server.url("/api/x"))).await.unwrap_err();
    assert_eq!(err.status(), Some(http::StatusCode::TOO_MANY_REQUESTS));
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn post_with_one_shot_stream_is_not_retried() {
    let server = TestServer::start().await;
    server.push(503, &[], "");
    server.push(200, &[], "");
    let client = builder(&server.base()).build().unwrap();
    let chunks = futures_util::stream::iter([Ok::<_, std::io::Error>(Bytes::from("payload"))]);
    let mut req = Request::post(server.url("/api/upload"))
        .body(HfBody::from_stream(chunks))
        .unwrap();
    // even marked idempotent: a one-shot body cannot be replayed
    req.extensions_mut().insert(Idempotency::Idempotent);
    let err = client.send(req).await.unwrap_err();
    assert_eq!(err.status(), Some(http::StatusCode::SERVICE_UNAVAILABLE));
    let reqs = server.requests();
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].body, "payload");
}

#[tokio::test]
async fn a_replayable_stream_is_made_again_for_each_attempt() {
    use futures_util::StreamExt as _;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let server = TestServer::start().await;
    server.push(429, &[("retry-after", "0")], "");
    server.push(503, &[], "");
    server.push(200, &[], "done");
    let client = builder(&server.base()).build().unwrap();
    let made = std::sync::Arc::new(AtomicUsize::new(0));
    let counter = made.clone();
    let body = HfBody::replayable(move || {
        counter.fetch_add(1, Ordering::SeqCst);
        let chunks = ["pay", "load"].map(|c| Ok::<_, std::io::Error>(Bytes::from(c)));
        http_body_util::StreamBody::new(
            futures_util::stream::iter(chunks).map(|c| c.map(http_body::Frame::data)),
        )
    });
    let mut req = Request::post(server.url("/api/commit")).body(body).unwrap();
    req.extensions_mut().insert(Idempotency::Idempotent);
    let res = client.send(req).await.unwrap();
    assert_eq!(res.status(), 200);
    let reqs = server.requests();
    assert_eq!(reqs.len(), 3);
    assert!(reqs.iter().all(|r| r.body == "payload"), "{reqs:?}");
    // A stream per sending, and one for each copy the retry layer keeps for the next.
    assert!(made.load(Ordering::SeqCst) >= 3);

    // Not idempotent: a 429 (refused, not carried out) is sent again, a 503 is not.
    server.push(429, &[("retry-after", "0")], "");
    server.push(503, &[], "");
    let body = HfBody::replayable(|| http_body_util::Full::new(Bytes::from("commit")));
    let req = Request::post(server.url("/api/commit")).body(body).unwrap();
    let err = client.send(req).await.unwrap_err();
    assert_eq!(err.status(), Some(http::StatusCode::SERVICE_UNAVAILABLE));
    let reqs = server.requests();
    assert_eq!(reqs.len(), 5);
    assert_eq!(reqs[4].body, "commit");
}

#[tokio::test]
async fn non_idempotent_post_is_not_retried_unless_marked() {
    let server = TestServer::start().await;
    server.push(503, &[], "");
    let client = builder(&server.base()).build().unwrap();
    let post = || {
        Request::post(server.url("/api/commit"))
            .body(HfBody::full("{}"))
            .unwrap()
    };
    let err = client.send(post()).await.unwrap_err();
    assert_eq!(err.status(), Some(http::StatusCode::SERVICE_UNAVAILABLE));
    assert_eq!(server.requests().len(), 1);

    server.push(503, &[], "");
    server.push(200, &[], "done");
    let mut marked = post();
    marked.extensions_mut().insert(Idempotency::Idempotent);
    let res = client.send(marked).await.unwrap();
    assert_eq!(res.status(), 200);
    let reqs = server.requests();
    assert_eq!(reqs.len(), 3);
    assert_eq!(reqs[2].method, Method::POST);
    assert_eq!(reqs[2].body, "{}", "the buffered body is replayed");
}

#[tokio::test]
async fn final_error_says_after_n_retries() {
    let server = TestServer::start().await;
    for _ in 0..3 {
        server.push(502, &[], "bad gateway");
    }
    let client = builder(&server.base())
        .retry(crate::fast_retry().max_retries(2))
        .build()
        .unwrap();
    let err = client.send(get(&server.url("/api/x"))).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Http);
    assert_eq!(err.retries().unwrap().retries, 2);
    let text = err.to_string();
    assert!(text.contains("after 2 retries in"), "{text}");
    assert!(text.contains("try again later"), "{text}");
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn connection_refused_is_retried_even_for_post_then_fails_typed() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let (retry, events) = recording_retry();
    let client = builder(&format!("http://{addr}"))
        .retry(retry.max_retries(2))
        .build()
        .unwrap();
    let req = Request::post(format!("http://{addr}/api/commit"))
        .body(HfBody::full("x"))
        .unwrap();
    let err = client.send(req).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Connect);
    assert!(err.is_connect());
    assert!(!err.request_may_have_been_sent());
    assert!(err.to_string().contains("after 2 retries"), "{err}");
    assert!(std::error::Error::source(&err).is_some());
    assert!(
        events
            .lock()
            .unwrap()
            .iter()
            .all(|e| e.reason == RetryReason::Connect)
    );
}

/// A JSON answer broken off after its headers is retried when its body is read within
/// the attempt (`send_json` asks for that); a response handed back to the caller as a
/// stream is not, and a non-idempotent request is never sent twice.
#[tokio::test]
async fn a_body_broken_off_is_retried_when_read_within_the_attempt() {
    use std::sync::atomic::Ordering::SeqCst;
    let json = r#"{"id": "gpt2", "sha": "0123456789abcdef"}"#;
    let (addr, served) = crate::server::raw_server(vec![
        crate::server::raw_json(json, true),
        crate::server::raw_json(json, false),
        crate::server::raw_json(json, true),
        crate::server::raw_json(json, true),
    ])
    .await;
    let (retry, events) = recording_retry();
    let client = builder(&format!("http://{addr}"))
        .retry(retry)
        .build()
        .unwrap();
    let url = format!("http://{addr}/api/models/gpt2");
    let value: serde_json::Value = client.send_json(get(&url)).await.unwrap();
    assert_eq!(value["sha"], "0123456789abcdef");
    assert_eq!(served.load(SeqCst), 2);
    assert_eq!(events.lock().unwrap()[0].reason, RetryReason::Transport);

    // Streamed to the caller: the broken body is the caller's error, not retried.
    let res = client.send(get(&url)).await.unwrap();
    let err = res.into_body().bytes().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Body);
    assert_eq!(served.load(SeqCst), 3);

    // A POST that may have had its effect is not sent again.
    let post = Request::post(format!("http://{addr}/api/repos/create"))
        .body(HfBody::full("{}"))
        .unwrap();
    let err = client
        .send_json::<serde_json::Value>(post)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Body, "{err}");
    assert_eq!(served.load(SeqCst), 4);
    assert_eq!(events.lock().unwrap().len(), 1);
}

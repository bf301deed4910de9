//! Every fault kind, on both listeners.

use std::time::Duration;

use http::{Method, StatusCode};
use http_body_util::BodyExt;

use crate::support::{ALICE, Http};
use hf_testhub::{FaultRule, Listener, RepoType, TestHub};

async fn hub() -> TestHub {
    let hub = TestHub::builder()
        .user("alice", ALICE)
        .start()
        .await
        .unwrap();
    hub.create_repo(RepoType::Model, "alice/m", false).unwrap();
    hub.upload_file(RepoType::Model, "alice/m", "main", "a.txt", b"0123456789")
        .unwrap();
    hub.upload_file(RepoType::Model, "alice/m", "main", "w.bin", &[7u8; 4096])
        .unwrap();
    hub
}

#[tokio::test]
async fn fail_times_then_recover_with_retry_after() {
    let hub = hub().await;
    let http = Http::new();
    hub.fault(
        FaultRule::new(Method::GET, "/api/models")
            .fail_times(2, 503)
            .retry_after(1),
    );
    let url = format!("{}/api/models/alice/m", hub.url());
    for _ in 0..2 {
        let r = http.get(&url, None).await;
        assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(r.header("retry-after"), Some("1"));
    }
    assert_eq!(http.get(&url, None).await.status, StatusCode::OK);
    // Other methods and paths were never affected; the log shows all three attempts.
    let statuses: Vec<u16> = hub.requests().iter().map(|r| r.status.as_u16()).collect();
    assert_eq!(statuses, [503, 503, 200]);
}

#[tokio::test]
async fn regex_rules_and_listener_filters() {
    let hub = hub().await;
    let http = Http::new();
    hub.fault(
        FaultRule::regex(None, r"/resolve/main/a\.txt$")
            .unwrap()
            .fail_times(1, 500),
    );
    hub.fault(
        FaultRule::any_method("/lfs/")
            .on(Listener::Cdn)
            .fail_times(1, 502),
    );
    let base = hub.url();
    assert_eq!(
        http.get(&format!("{base}/alice/m/resolve/main/a.txt"), None)
            .await
            .status,
        StatusCode::INTERNAL_SERVER_ERROR
    );
    assert_eq!(
        http.get(&format!("{base}/alice/m/resolve/main/a.txt"), None)
            .await
            .status,
        StatusCode::OK
    );
    let loc = http
        .head(&format!("{base}/alice/m/resolve/main/w.bin"), None)
        .await
        .header("location")
        .unwrap()
        .to_owned();
    assert_eq!(http.get(&loc, None).await.status, StatusCode::BAD_GATEWAY);
    assert_eq!(http.get(&loc, None).await.bytes().len(), 4096);
}

#[tokio::test]
async fn body_faults_drop_truncate_corrupt_throttle_delay() {
    let hub = hub().await;
    let http = Http::new();
    let url = format!("{}/alice/m/resolve/main/a.txt", hub.url());

    hub.fault(
        FaultRule::new(Method::GET, "/alice/m/resolve")
            .drop_after(4)
            .times(1),
    );
    let r = http.get(&url, None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("content-length"), Some("10"));
    assert!(r.body.is_err(), "the connection must break: {:?}", r.body);

    hub.fault(
        FaultRule::new(Method::GET, "/alice/m/resolve")
            .truncate_after(4)
            .times(1),
    );
    let r = http.get(&url, None).await;
    assert_eq!(r.header("content-length"), None);
    assert_eq!(r.text(), "0123");

    hub.fault(
        FaultRule::new(Method::GET, "/alice/m/resolve")
            .corrupt_at(2)
            .times(1),
    );
    let r = http.get(&url, None).await;
    let mut expected = b"0123456789".to_vec();
    expected[2] ^= 0xFF;
    assert_eq!(r.bytes().as_ref(), expected.as_slice());

    hub.fault(
        FaultRule::new(Method::GET, "/alice/m/resolve")
            .throttle(40)
            .delay(Duration::from_millis(10))
            .times(1),
    );
    let r = http.get(&url, None).await;
    assert_eq!(r.text(), "0123456789");

    hub.fault(
        FaultRule::new(Method::GET, "/alice/m/resolve")
            .stall_after(4)
            .times(1),
    );
    // On a client of its own: its connection is left broken.
    let (status, mut body) = Http::new().get_streaming(&url).await;
    assert_eq!(status, StatusCode::OK);
    let mut got = Vec::new();
    while got.len() < 4 {
        let frame = body.frame().await.unwrap().unwrap();
        got.extend_from_slice(frame.data_ref().unwrap());
    }
    assert_eq!(got, b"0123");
    // Nothing more comes (a short wait: the stall is forever, so any limit would do).
    let next = tokio::time::timeout(Duration::from_millis(100), body.frame()).await;
    assert!(next.is_err(), "the body must stall: {next:?}");
    drop(body);

    // Spent rules are gone: a normal answer again.
    assert_eq!(http.get(&url, None).await.text(), "0123456789");

    // Drop on the CDN listener.
    let loc = http
        .head(&format!("{}/alice/m/resolve/main/w.bin", hub.url()), None)
        .await
        .header("location")
        .unwrap()
        .to_owned();
    hub.fault(
        FaultRule::any_method("/lfs/")
            .on(Listener::Cdn)
            .drop_after(1000)
            .times(1),
    );
    assert!(http.get(&loc, None).await.body.is_err());
    assert_eq!(http.get(&loc, None).await.bytes().len(), 4096);
    hub.clear_faults();
}

#[tokio::test]
async fn chaos_rules_draw_faults_at_their_rate_and_count_them() {
    let hub = hub().await;
    let http = Http::new();
    let url = format!("{}/alice/m/resolve/main/a.txt", hub.url());
    // Never: nothing drawn.
    let never = FaultRule::new(Method::HEAD, "/alice/m/").chaos(0.0, 1);
    hub.fault(never.clone());
    for _ in 0..5 {
        assert_eq!(http.head(&url, None).await.status, StatusCode::OK);
    }
    assert!(never.chaos_drawn().is_empty());
    hub.clear_faults();

    // Always: a `HEAD` only gets statuses (it has no body to break), the ones a Hub
    // under strain answers; 429 asks to come back at once.
    let always = FaultRule::new(Method::HEAD, "/alice/m/").chaos(1.0, 1);
    hub.fault(always.clone());
    for _ in 0..20 {
        let r = http.head(&url, None).await;
        assert!(
            [429, 500, 502, 503, 504].contains(&r.status.as_u16()),
            "{}",
            r.status
        );
        if r.status == StatusCode::TOO_MANY_REQUESTS {
            assert_eq!(r.header("retry-after"), Some("0"));
        }
    }
    let drawn = always.chaos_drawn();
    assert_eq!(drawn.values().sum::<u32>(), 20, "{drawn:?}");
    assert!(drawn.keys().all(|k| k.starts_with("status ")), "{drawn:?}");
    hub.clear_faults();

    // Through the control API; other requests get their bodies broken too, the kinds in turn:
    // every fifth is a status.
    let r = http
        .post_json(
            &format!("{}/_testhub/faults", hub.url()),
            None,
            &serde_json::json!({"method": "GET", "path": "/alice/m/", "chaos": 1.0, "seed": 3}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = http.get(&url, None).await;
    assert!(r.status.as_u16() >= 429, "{}", r.status);
}

//! LFS downloads through the CDN listener: redirect headers, signed URLs, Range.

use std::time::Duration;

use http::StatusCode;

use crate::support::{ALICE, Http, sha256_hex};
use hf_testhub::{Listener, RepoType, TestHub};

fn content(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i % 251) as u8).collect()
}

#[tokio::test]
async fn lfs_files_redirect_to_a_signed_cdn_url_that_needs_no_token() {
    let hub = TestHub::builder()
        .user("alice", ALICE)
        .start()
        .await
        .unwrap();
    hub.create_repo(RepoType::Model, "alice/m", true).unwrap();
    let data = content(100_000);
    let commit = hub
        .upload_file(RepoType::Model, "alice/m", "main", "w.safetensors", &data)
        .unwrap();
    let http = Http::new();
    let url = format!("{}/alice/m/resolve/main/w.safetensors", hub.url());

    let head = http.head(&url, Some(ALICE)).await;
    assert_eq!(head.status, StatusCode::FOUND);
    assert_eq!(head.header("x-repo-commit"), Some(commit.as_str()));
    assert_eq!(
        head.header("x-linked-etag"),
        Some(format!("\"{}\"", sha256_hex(&data)).as_str())
    );
    assert_eq!(head.header("x-linked-size"), Some("100000"));
    let loc = head.header("location").unwrap().to_owned();
    assert!(loc.starts_with(&hub.cdn_url()), "{loc}");

    hub.clear_requests();
    let got = http.get(&loc, None).await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.bytes().as_ref(), data.as_slice());
    assert_eq!(
        got.header("etag"),
        Some(format!("\"{}\"", sha256_hex(&data)).as_str())
    );
    let log = hub.requests();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].listener, Listener::Cdn);
    assert!(!log[0].has_authorization());

    // Range on the CDN: 206 with Content-Range, 416 past the end.
    let part = http
        .send(
            http::Method::GET,
            &loc,
            None,
            &[("range", "bytes=99990-")],
            bytes::Bytes::new(),
        )
        .await;
    assert_eq!(part.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        part.header("content-range"),
        Some("bytes 99990-99999/100000")
    );
    assert_eq!(part.bytes().as_ref(), &data[99_990..]);
    let bad = http
        .send(
            http::Method::GET,
            &loc,
            None,
            &[("range", "bytes=100000-")],
            bytes::Bytes::new(),
        )
        .await;
    assert_eq!(bad.status, StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(bad.header("content-range"), Some("bytes */100000"));

    // Tampering with the path or the expiry breaks the signature.
    let other = "0".repeat(64);
    let tampered = loc.replacen(&sha256_hex(&data), &other, 1);
    assert_eq!(
        http.get(&tampered, None).await.status,
        StatusCode::FORBIDDEN
    );
    let tampered = loc.replacen("exp=", "exp=9", 1);
    assert_eq!(
        http.get(&tampered, None).await.status,
        StatusCode::FORBIDDEN
    );
    let unsigned = loc.split("&sig=").next().unwrap().to_owned();
    assert_eq!(
        http.get(&unsigned, None).await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn expired_signed_urls_are_refused() {
    let hub = TestHub::builder()
        .user("alice", ALICE)
        .signed_url_ttl(Duration::ZERO)
        .start()
        .await
        .unwrap();
    hub.create_repo(RepoType::Model, "alice/m", false).unwrap();
    hub.upload_file(RepoType::Model, "alice/m", "main", "w.bin", b"lfs content")
        .unwrap();
    let http = Http::new();
    let head = http
        .head(&format!("{}/alice/m/resolve/main/w.bin", hub.url()), None)
        .await;
    let loc = head.header("location").unwrap();
    let r = http.get(loc, None).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.json()["error"].as_str().unwrap().contains("expired"));
}

#[tokio::test]
async fn regular_files_honour_range_on_the_main_listener() {
    let hub = TestHub::builder()
        .user("alice", ALICE)
        .start()
        .await
        .unwrap();
    hub.create_repo(RepoType::Model, "alice/m", false).unwrap();
    hub.upload_file(RepoType::Model, "alice/m", "main", "a.txt", b"0123456789")
        .unwrap();
    let http = Http::new();
    let url = format!("{}/alice/m/resolve/main/a.txt", hub.url());
    for (range, status, body, content_range) in [
        ("bytes=3-", 206, "3456789", Some("bytes 3-9/10")),
        ("bytes=2-4", 206, "234", Some("bytes 2-4/10")),
        ("bytes=-2", 206, "89", Some("bytes 8-9/10")),
        ("bytes=10-", 416, "", Some("bytes */10")),
    ] {
        let r = http
            .send(
                http::Method::GET,
                &url,
                None,
                &[("range", range)],
                bytes::Bytes::new(),
            )
            .await;
        assert_eq!(r.status.as_u16(), status, "{range}");
        assert_eq!(r.header("content-range"), content_range, "{range}");
        if status == 206 {
            assert_eq!(r.text(), body);
            assert_eq!(
                r.header("content-length"),
                Some(body.len().to_string().as_str())
            );
        }
    }
}

#[tokio::test]
async fn signed_urls_survive_percent_encoding_normalisation() {
    let hub = TestHub::builder()
        .user("alice", ALICE)
        .start()
        .await
        .unwrap();
    hub.create_repo(RepoType::Model, "alice/m", false).unwrap();
    hub.upload_file(
        RepoType::Model,
        "alice/m",
        "main",
        "dir/a~b (1).bin",
        b"payload",
    )
    .unwrap();
    let http = Http::new();
    let head = http
        .head(
            &format!("{}/alice/m/resolve/main/dir/a~b%20%281%29.bin", hub.url()),
            None,
        )
        .await;
    assert_eq!(head.status, StatusCode::FOUND);
    let loc = head.header("location").unwrap();
    assert!(loc.contains("%7E"), "{loc}");
    // `requests` unquotes unreserved characters such as `~` before sending.
    let normalised = loc.replace("%7E", "~");
    assert_eq!(http.get(&normalised, None).await.text(), "payload");
}

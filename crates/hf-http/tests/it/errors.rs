use hf_http::ErrorKind;
use http::StatusCode;

use crate::server::TestServer;
use crate::{builder, get};

#[tokio::test]
async fn every_error_code_maps_to_its_typed_error() {
    let hub = TestServer::start().await;
    let client = builder(&hub.base()).build().unwrap();
    type Case<'a> = (u16, &'a [(&'a str, &'a str)], &'a str, ErrorKind);
    let cases: &[Case<'_>] = &[
        (
            404,
            &[("x-error-code", "RepoNotFound")],
            "/api/models/a/b",
            ErrorKind::RepositoryNotFound,
        ),
        (
            401,
            &[("x-error-code", "RepoNotFound")],
            "/api/models/a/b",
            ErrorKind::RepositoryNotFound,
        ),
        (401, &[], "/api/datasets/a/b", ErrorKind::RepositoryNotFound),
        (
            401,
            &[],
            "/a/b/resolve/main/config.json",
            ErrorKind::RepositoryNotFound,
        ),
        (
            401,
            &[(
                "x-error-message",
                "Invalid credentials in Authorization header",
            )],
            "/api/models/a/b",
            ErrorKind::Unauthorized,
        ),
        (401, &[], "/api/whoami-v2", ErrorKind::Unauthorized),
        (
            403,
            &[("x-error-code", "GatedRepo")],
            "/a/b/resolve/main/f",
            ErrorKind::GatedRepo,
        ),
        (
            401,
            &[("x-error-code", "GatedRepo")],
            "/a/b/resolve/main/f",
            ErrorKind::GatedRepo,
        ),
        (
            404,
            &[("x-error-code", "RevisionNotFound")],
            "/api/models/a/b/revision/x",
            ErrorKind::RevisionNotFound,
        ),
        (
            404,
            &[("x-error-code", "EntryNotFound")],
            "/a/b/resolve/main/nope",
            ErrorKind::EntryNotFound,
        ),
        (
            403,
            &[("x-error-message", "Access to this resource is disabled.")],
            "/api/models/a/b",
            ErrorKind::DisabledRepo,
        ),
        (400, &[], "/api/models", ErrorKind::BadRequest),
        (403, &[], "/api/repos/create", ErrorKind::Forbidden),
        (409, &[], "/api/repos/create", ErrorKind::Conflict),
        (404, &[], "/api/nothing-here", ErrorKind::Http),
        (416, &[], "/a/b/resolve/main/f", ErrorKind::Http),
    ];
    for (status, headers, path, kind) in cases {
        hub.push(*status, headers, r#"{"error": "server says no"}"#);
        let err = client.send(get(&hub.url(path))).await.unwrap_err();
        assert_eq!(err.kind(), *kind, "{status} {headers:?} {path}");
        assert_eq!(err.status(), Some(StatusCode::from_u16(*status).unwrap()));
        assert!(err.server_message().unwrap().contains("server says no"));
        assert!(err.kind().is_hub());
    }
}

#[tokio::test]
async fn not_found_request_id_and_messages() {
    let hub = TestServer::start().await;
    let client = builder(&hub.base()).build().unwrap();

    hub.push(404, &[("x-request-id", "req-42")], "Not Found");
    let err = client
        .send(get(&hub.url("/nothing?sig=SECRETSIG")))
        .await
        .unwrap_err();
    assert!(err.is_not_found());
    assert_eq!(err.request_id(), Some("req-42"));
    assert_eq!(err.server_message(), Some("Not Found"));
    let text = err.to_string();
    assert!(text.contains("(request id: req-42)"), "{text}");
    assert!(!text.contains("SECRETSIG"), "{text}");
    assert!(text.contains("?sig=[redacted]"), "{text}");

    hub.push(
        401,
        &[(
            "x-error-message",
            "Invalid credentials in Authorization header",
        )],
        "",
    );
    let err = client
        .send(get(&hub.url("/api/whoami-v2")))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unauthorized);
    assert!(!err.is_not_found());
    assert!(
        err.to_string()
            .contains("run `hf auth login` or set HF_TOKEN"),
        "{err}"
    );

    hub.push(404, &[("x-error-code", "RepoNotFound")], "");
    let err = client
        .send(get(&hub.url("/api/models/a/b")))
        .await
        .unwrap_err();
    assert!(err.is_not_found());
    assert!(
        err.to_string().contains("Check the repo id and repo type"),
        "{err}"
    );

    hub.push(403, &[("x-error-code", "GatedRepo")], "");
    let err = client
        .send(get(&hub.url("/a/b/resolve/main/f")))
        .await
        .unwrap_err();
    assert!(!err.is_not_found(), "a gated repo exists");
    assert!(err.to_string().contains("request access"), "{err}");

    // HEAD responses have no body: the message comes from the header
    hub.push(
        404,
        &[
            ("x-error-code", "EntryNotFound"),
            ("x-error-message", "Entry not found"),
        ],
        "",
    );
    let req = http::Request::head(hub.url("/a/b/resolve/main/f"))
        .body(hf_http::HfBody::empty())
        .unwrap();
    let err = client.send(req).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::EntryNotFound);
    assert_eq!(err.server_message(), Some("Entry not found"));
    let io: std::io::Error = err.into();
    assert_eq!(io.kind(), std::io::ErrorKind::NotFound);
}

#[tokio::test]
async fn error_after_redirect_reports_the_final_url() {
    let hub = TestServer::start().await;
    hub.push(307, &[("location", "/api/models/new/name")], "");
    hub.push(404, &[("x-error-code", "RepoNotFound")], "");
    let client = builder(&hub.base()).build().unwrap();
    let err = client
        .send(get(&hub.url("/api/models/old/name")))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RepositoryNotFound);
    assert!(
        err.url()
            .unwrap()
            .as_str()
            .ends_with("/api/models/new/name")
    );
}

#[tokio::test]
async fn not_found_hint_and_range_not_satisfiable() {
    let hub = TestServer::start().await;
    let client = builder(&hub.base()).build().unwrap();

    hub.push(404, &[], "");
    let mut req = get(&hub.url("/a/b/resolve/main/missing.bin"));
    req.extensions_mut()
        .insert(hf_http::hub_error::NotFoundHint::Entry);
    let err = client.send(req).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::EntryNotFound);

    // an explicit X-Error-Code wins over the hint
    hub.push(404, &[("x-error-code", "RepoNotFound")], "");
    let mut req = get(&hub.url("/a/b/resolve/main/missing.bin"));
    req.extensions_mut()
        .insert(hf_http::hub_error::NotFoundHint::Entry);
    let err = client.send(req).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RepositoryNotFound);

    hub.push(416, &[("content-range", "bytes */10")], "");
    let mut req = get(&hub.url("/a/b/resolve/main/f"));
    req.headers_mut()
        .insert(http::header::RANGE, "bytes=20-".parse().unwrap());
    let err = client.send(req).await.unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("requested range bytes=20-, Content-Range bytes */10"),
        "{text}"
    );
}

/// The TLS connector is only built for the first `https://` URL: the same client then
/// speaks TLS (here to a server that is not a TLS server, so the handshake fails as a
/// transport or connect failure, not as a configuration error).
#[tokio::test]
async fn https_builds_tls_on_first_use() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = tokio::spawn(async move {
        use tokio::io::AsyncWriteExt as _;
        while let Ok((mut sock, _)) = listener.accept().await {
            let _ = sock.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n").await;
        }
    });
    let client = crate::builder(&format!("https://127.0.0.1:{port}"))
        .retry(hf_http::retry::RetryConfig::default().max_retries(0))
        .build()
        .unwrap();
    let err = client
        .send(crate::get(&format!("https://127.0.0.1:{port}/api/x")))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err.kind(),
            hf_http::ErrorKind::Connect | hf_http::ErrorKind::Transport
        ),
        "{err:?}"
    );
    server.abort();
}

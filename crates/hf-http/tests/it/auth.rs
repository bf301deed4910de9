use std::io::Write;
use std::sync::{Arc, Mutex};

use hf_http::auth::RequestAuth;
use hf_http::{Token, UserAgent};
use http::header::{AUTHORIZATION, COOKIE, USER_AGENT};

use crate::server::TestServer;
use crate::{builder, get};

const SECRET: &str = "hf_TopSecretTokenValue123";

#[tokio::test]
async fn token_goes_only_to_the_endpoint_origin() {
    let hub = TestServer::start().await;
    let other = TestServer::start().await;
    hub.push(200, &[], "");
    other.push(200, &[], "");
    hub.push(200, &[], "");
    hub.push(200, &[], "");
    let client = builder(&hub.base())
        .token(Token::new(SECRET))
        .header(COOKIE, "session=abc".parse().unwrap())
        .build()
        .unwrap();
    client.send(get(&hub.url("/api/whoami-v2"))).await.unwrap();
    client.send(get(&other.url("/elsewhere"))).await.unwrap();
    let mut disabled = get(&hub.url("/public"));
    disabled.extensions_mut().insert(RequestAuth::Disabled);
    client.send(disabled).await.unwrap();
    let mut overridden = get(&hub.url("/other-token"));
    overridden
        .extensions_mut()
        .insert(RequestAuth::Token(Token::new("hf_other").unwrap()));
    client.send(overridden).await.unwrap();

    let hub_reqs = hub.requests();
    assert_eq!(
        hub_reqs[0].headers.get(AUTHORIZATION).unwrap(),
        &format!("Bearer {SECRET}")
    );
    assert_eq!(hub_reqs[0].headers.get(COOKIE).unwrap(), "session=abc");
    assert!(hub_reqs[1].headers.get(AUTHORIZATION).is_none());
    assert_eq!(
        hub_reqs[2].headers.get(AUTHORIZATION).unwrap(),
        "Bearer hf_other"
    );
    let other_reqs = other.requests();
    assert!(other_reqs[0].headers.get(AUTHORIZATION).is_none());
    assert!(other_reqs[0].headers.get(COOKIE).is_none());
}

/// A second service of the account (the Inference Endpoints API) gets the token but not
/// the Hub's extra credential headers; a third origin gets neither.
#[tokio::test]
async fn token_also_goes_to_a_declared_second_origin() {
    let hub = TestServer::start().await;
    let endpoints = TestServer::start().await;
    let other = TestServer::start().await;
    endpoints.push(200, &[], "");
    other.push(200, &[], "");
    let client = builder(&hub.base())
        .token(Token::new(SECRET))
        .header(COOKIE, "session=abc".parse().unwrap())
        .token_also_for(format!("{}/v2", endpoints.base()))
        .build()
        .unwrap();
    client
        .send(get(&endpoints.url("/v2/endpoint/me")))
        .await
        .unwrap();
    client.send(get(&other.url("/elsewhere"))).await.unwrap();
    let e = &endpoints.requests()[0];
    assert_eq!(
        e.headers.get(AUTHORIZATION).unwrap(),
        &format!("Bearer {SECRET}")
    );
    assert!(e.headers.get(COOKIE).is_none());
    let o = &other.requests()[0];
    assert!(o.headers.get(AUTHORIZATION).is_none());
    assert!(o.headers.get(COOKIE).is_none());
    assert!(
        builder(&hub.base())
            .token_also_for("not a url")
            .build()
            .is_err()
    );
}

#[tokio::test]
async fn user_agent_format_and_custom_headers() {
    let hub = TestServer::start().await;
    hub.push(200, &[], "");
    hub.push(200, &[], "");
    let ua = UserAgent::new()
        .library("my-lib", Some("2.0"))
        .push_kv("session", "s1");
    let client = builder(&hub.base())
        .user_agent(ua)
        .header("x-custom".parse().unwrap(), "yes".parse().unwrap())
        .build()
        .unwrap();
    client.send(get(&hub.url("/a"))).await.unwrap();
    let mut own_ua = get(&hub.url("/b"));
    own_ua
        .headers_mut()
        .insert(USER_AGENT, "caller/1".parse().unwrap());
    client.send(own_ua).await.unwrap();
    let reqs = hub.requests();
    let sent = reqs[0].headers.get(USER_AGENT).unwrap().to_str().unwrap();
    let expected = format!(
        "my-lib/2.0; hf-rs/{}; rust/{}; session/s1",
        hf_http::user_agent::LIBRARY_VERSION,
        hf_http::user_agent::RUST_VERSION
    );
    assert_eq!(sent, expected);
    assert!(hf_http::user_agent::RUST_VERSION.starts_with("1."));
    assert_eq!(reqs[0].headers.get("x-custom").unwrap(), "yes");
    assert_eq!(reqs[1].headers.get(USER_AGENT).unwrap(), "caller/1");
}

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn token_never_in_debug_output_or_logs() {
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let hub = TestServer::start().await;
    hub.push(503, &[], "");
    hub.push(
        401,
        &[("x-error-code", "RepoNotFound")],
        r#"{"error": "Repository not found"}"#,
    );
    let token = Token::new(SECRET).unwrap();
    let builder = builder(&hub.base()).token(Some(token.clone()));
    let builder_debug = format!("{builder:?}");
    let client = builder.build().unwrap();
    let err = client
        .send(get(&hub.url("/api/models/a/b?token=query-secret")))
        .await
        .unwrap_err();
    let texts = [
        format!("{token:?}"),
        builder_debug,
        format!("{client:?}"),
        format!("{err:?}"),
        err.to_string(),
        String::from_utf8(capture.0.lock().unwrap().clone()).unwrap(),
    ];
    assert_eq!(texts[0], "Token(***)");
    let logs = &texts[5];
    assert!(
        logs.contains("hf_http.request"),
        "logs were captured: {logs}"
    );
    assert!(logs.contains("retrying request"), "{logs}");
    for text in &texts {
        assert!(!text.contains(SECRET), "token leaked: {text}");
        assert!(
            !text.contains("query-secret"),
            "query string leaked: {text}"
        );
    }
    // the server did get it
    assert!(hub.requests()[0].headers.get(AUTHORIZATION).is_some());
}

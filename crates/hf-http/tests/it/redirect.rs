use hf_http::{ErrorKind, RedirectMode, Token};
use http::header::AUTHORIZATION;

use crate::server::TestServer;
use crate::{builder, get};

fn auth_of(r: &crate::server::Recorded) -> Option<String> {
    r.headers
        .get(AUTHORIZATION)
        .map(|v| v.to_str().unwrap().to_owned())
}

#[tokio::test]
async fn cross_origin_redirect_drops_authorization_same_origin_keeps_it() {
    let hub = TestServer::start().await;
    let cdn = TestServer::start().await; // another port: another origin
    hub.push(307, &[("location", "/api/models/new-name")], "");
    hub.push(
        302,
        &[("location", &cdn.url("/blob?X-Amz-Signature=sig"))],
        "",
    );
    cdn.push(200, &[], "file bytes");
    let client = builder(&hub.base())
        .token(Token::new("hf_redirect_secret"))
        .build()
        .unwrap();
    let res = client
        .send(get(&hub.url("/api/models/old-name")))
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.into_body().bytes().await.unwrap(), "file bytes");

    let hub_reqs = hub.requests();
    assert_eq!(hub_reqs.len(), 2);
    assert_eq!(hub_reqs[1].uri.path(), "/api/models/new-name");
    assert_eq!(
        auth_of(&hub_reqs[0]).as_deref(),
        Some("Bearer hf_redirect_secret")
    );
    assert_eq!(
        auth_of(&hub_reqs[1]).as_deref(),
        Some("Bearer hf_redirect_secret"),
        "a same-origin relative redirect keeps the token"
    );
    let cdn_reqs = cdn.requests();
    assert_eq!(cdn_reqs.len(), 1);
    assert_eq!(cdn_reqs[0].uri.query(), Some("X-Amz-Signature=sig"));
    assert_eq!(
        auth_of(&cdn_reqs[0]),
        None,
        "the token never reaches another origin"
    );
    assert!(cdn_reqs[0].headers.contains_key("user-agent"));
}

#[tokio::test]
async fn request_level_authorization_is_stripped_after_crossing_origin() {
    let hub = TestServer::start().await;
    let cdn = TestServer::start().await;
    hub.push(302, &[("location", &cdn.url("/x"))], "");
    cdn.push(302, &[("location", &hub.url("/back"))], "");
    hub.push(200, &[], "");
    let client = builder(&hub.base()).build().unwrap();
    let mut req = get(&hub.url("/start"));
    req.headers_mut()
        .insert(AUTHORIZATION, "Bearer per-request".parse().unwrap());
    client.send(req).await.unwrap();
    assert_eq!(
        auth_of(&hub.requests()[0]).as_deref(),
        Some("Bearer per-request")
    );
    assert_eq!(auth_of(&cdn.requests()[0]), None);
    // cumulative: once the chain left the origin, the request's own credential is gone
    assert_eq!(auth_of(&hub.requests()[1]), None);
}

#[tokio::test]
async fn redirect_modes() {
    let hub = TestServer::start().await;
    let cdn = TestServer::start().await;
    let client = builder(&hub.base()).build().unwrap();

    hub.push(302, &[("location", &cdn.url("/blob"))], "");
    let mut req = get(&hub.url("/m/resolve/main/f"));
    req.extensions_mut().insert(RedirectMode::SameOrigin);
    let res = client.send(req).await.unwrap();
    assert_eq!(res.status(), 302, "metadata HEADs stop at the CDN redirect");
    assert!(cdn.requests().is_empty());

    hub.push(307, &[("location", "/renamed/resolve/main/f")], "");
    hub.push(200, &[], "");
    let mut req = get(&hub.url("/m/resolve/main/f"));
    req.extensions_mut().insert(RedirectMode::SameOrigin);
    assert_eq!(client.send(req).await.unwrap().status(), 200);

    hub.push(307, &[("location", "/elsewhere")], "");
    let mut req = get(&hub.url("/x"));
    req.extensions_mut().insert(RedirectMode::None);
    assert_eq!(client.send(req).await.unwrap().status(), 307);
    assert_eq!(hub.requests().len(), 4);
}

#[tokio::test]
async fn too_many_redirects_is_an_error() {
    let hub = TestServer::start().await;
    for i in 0..5 {
        hub.push(302, &[("location", &format!("/hop{i}"))], "");
    }
    let client = builder(&hub.base()).max_redirects(3).build().unwrap();
    let err = client.send(get(&hub.url("/start"))).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TooManyRedirects);
    assert_eq!(hub.requests().len(), 4);
}

#[tokio::test]
async fn post_body_is_replayed_on_307() {
    let hub = TestServer::start().await;
    hub.push(307, &[("location", "/api/new")], "");
    hub.push(200, &[], "");
    let client = builder(&hub.base()).build().unwrap();
    let req = http::Request::post(hub.url("/api/old"))
        .body(hf_http::HfBody::full("data"))
        .unwrap();
    client.send(req).await.unwrap();
    let reqs = hub.requests();
    assert_eq!(reqs[1].method, http::Method::POST);
    assert_eq!(reqs[1].body, "data");
}

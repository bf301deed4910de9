//! The default transport behind a proxy (`hf_testhub::TestProxy`): forwarding for
//! `http://`, `CONNECT` tunnels for `https://`, SOCKS5, `NO_PROXY`, credentials.

use hf_http::retry::RetryConfig;
use hf_http::transport::{ProxyConfig, TransportConfig};
use hf_http::{ErrorKind, HubClient};
use hf_testhub::TestProxy;

use crate::server::TestServer;
use crate::{builder, get};

/// `user:p@ss`, as `Proxy-Authorization` carries it.
const BASIC: &str = "Basic dXNlcjpwQHNz";

fn client_via(base: &str, proxy: ProxyConfig) -> HubClient {
    builder(base)
        .retry(RetryConfig::disabled())
        .transport_config(TransportConfig::default().proxy(proxy))
        .build()
        .unwrap()
}

async fn body(client: &HubClient, url: &str) -> String {
    let res = client.send(get(url)).await.unwrap();
    String::from_utf8(res.into_body().bytes().await.unwrap().to_vec()).unwrap()
}

#[tokio::test]
async fn http_destinations_are_forwarded_with_the_proxy_credentials() {
    let hub = TestServer::start().await;
    hub.push(200, &[], "one");
    hub.push(200, &[], "two");
    let proxy = TestProxy::with_credentials("user", "p@ss").await.unwrap();
    // The password is percent-encoded in the URL, as in curl's and Python's.
    let url = proxy.url_with_credentials("user", "p%40ss");
    let client = client_via(&hub.base(), ProxyConfig::none().http(url));
    assert_eq!(body(&client, &hub.url("/x?y=1")).await, "one");
    assert_eq!(body(&client, &hub.url("/x?y=1")).await, "two");
    let seen = proxy.requests();
    assert_eq!(seen.len(), 2, "{seen:?}");
    for r in &seen {
        assert_eq!((r.method.as_str(), r.socks), ("GET", false));
        assert_eq!(r.target, hub.url("/x?y=1"));
        assert_eq!(r.proxy_authorization.as_deref(), Some(BASIC));
    }
    // The destination never sees the proxy's credentials.
    assert_eq!(hub.requests().len(), 2);
    assert!(
        hub.requests()
            .iter()
            .all(|r| !r.headers.contains_key("proxy-authorization"))
    );
}

#[tokio::test]
async fn no_proxy_and_scheme_specific_proxies_are_respected() {
    let hub = TestServer::start().await;
    hub.push(200, &[], "direct");
    hub.push(200, &[], "direct too");
    hub.push(200, &[], "through all");
    let proxy = TestProxy::start().await.unwrap();
    // Listed in NO_PROXY: direct.
    let client = client_via(
        &hub.base(),
        ProxyConfig::none()
            .all(proxy.url())
            .no_proxy("example.org, 127.0.0.1"),
    );
    assert_eq!(body(&client, &hub.url("/a")).await, "direct");
    // Only an https:// proxy: an http:// destination is reached directly.
    let client = client_via(&hub.base(), ProxyConfig::none().https(proxy.url()));
    assert_eq!(body(&client, &hub.url("/b")).await, "direct too");
    assert!(proxy.requests().is_empty());
    // ALL_PROXY covers both schemes (and a proxy without a scheme is an http:// one).
    let bare = proxy.url().trim_start_matches("http://").to_owned();
    let client = client_via(&hub.base(), ProxyConfig::none().all(bare));
    assert_eq!(body(&client, &hub.url("/c")).await, "through all");
    assert_eq!(proxy.requests().len(), 1);
}

#[tokio::test]
async fn https_destinations_are_tunnelled_with_connect() {
    // The destination is a plain HTTP server, so the TLS handshake inside the tunnel
    // fails; what matters is that the proxy got `CONNECT` for the destination.
    let hub = TestServer::start().await;
    let proxy = TestProxy::with_credentials("user", "p@ss").await.unwrap();
    let url = proxy.url_with_credentials("user", "p%40ss");
    let https_base = hub.base().replace("http://", "https://");
    let client = client_via(&https_base, ProxyConfig::none().https(url));
    let err = client
        .send(get(&format!("{https_base}/api/x")))
        .await
        .unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::Connect | ErrorKind::Transport),
        "{err:?}"
    );
    let authority = https_base.trim_start_matches("https://");
    let seen = proxy.requests();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0].method, "CONNECT");
    assert_eq!(seen[0].target, authority);
    assert_eq!(seen[0].proxy_authorization.as_deref(), Some(BASIC));
    assert!(hub.requests().is_empty());
}

#[tokio::test]
async fn a_refusing_proxy_is_a_config_error_sent_once_without_its_password() {
    let proxy = TestProxy::with_credentials("user", "right").await.unwrap();
    for scheme in ["http", "socks5h"] {
        let url = proxy
            .url_with_credentials("user", "wrong-secret")
            .replace("http://", &format!("{scheme}://"));
        // Retries on: a refusal is still asked once only.
        let client = builder("https://hub.example")
            .transport_config(
                TransportConfig::default().proxy(ProxyConfig::none().https(url.clone())),
            )
            .build()
            .unwrap();
        let (before, opened) = (proxy.requests().len(), proxy.connections());
        let err = client
            .send(get("https://hub.example/api/x"))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Config, "{scheme}: {err:?}");
        let text = format!("{err} {err:?}");
        assert!(text.contains("user:password@host:port"), "{text}");
        assert!(
            text.contains(&format!(
                "through the proxy {}",
                proxy.url().replace("http://", &format!("{scheme}://"))
            )),
            "{text}"
        );
        assert!(!text.contains("wrong-secret"), "{text}");
        assert_eq!(proxy.connections() - opened, 1, "{scheme}: retried");
        // (A SOCKS client refused at authentication sends no request.)
        let seen = &proxy.requests()[before..];
        if scheme == "http" {
            assert_eq!(seen.len(), 1, "{seen:?}");
            assert_eq!(seen[0].target, "hub.example:443");
        } else {
            assert!(seen.is_empty(), "{seen:?}");
        }
    }
}

#[tokio::test]
async fn socks5_proxies_tunnel_with_local_or_remote_name_resolution() {
    let hub = TestServer::start().await;
    hub.push(200, &[], "remote dns");
    hub.push(200, &[], "local dns");
    let proxy = TestProxy::with_credentials("user", "p@ss").await.unwrap();
    let port = hub.base().rsplit(':').next().unwrap().to_owned();
    let local = format!("http://localhost:{port}");
    let socks = |scheme: &str| {
        proxy
            .url_with_credentials("user", "p%40ss")
            .replace("http://", &format!("{scheme}://"))
    };
    // socks5h: the proxy resolves the name.
    let client = client_via(&local, ProxyConfig::none().all(socks("socks5h")));
    assert_eq!(body(&client, &format!("{local}/a")).await, "remote dns");
    // socks5: the client does, and sends the address.
    let client = client_via(&local, ProxyConfig::none().all(socks("socks5")));
    assert_eq!(body(&client, &format!("{local}/b")).await, "local dns");
    let seen = proxy.requests();
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert!(seen.iter().all(|r| r.socks && r.method == "CONNECT"));
    assert!(
        seen.iter()
            .all(|r| r.proxy_authorization.as_deref() == Some(BASIC))
    );
    assert_eq!(seen[0].target, format!("localhost:{port}"));
    assert!(
        [format!("127.0.0.1:{port}"), format!("[::1]:{port}")].contains(&seen[1].target),
        "{seen:?}"
    );
}

#[tokio::test]
async fn socks4_proxies_tunnel_with_local_or_remote_name_resolution() {
    let hub = TestServer::start().await;
    hub.push(200, &[], "remote dns");
    hub.push(200, &[], "local dns");
    let proxy = TestProxy::start().await.unwrap();
    let port = hub.base().rsplit(':').next().unwrap().to_owned();
    let local = format!("http://localhost:{port}");
    let socks = |scheme: &str| proxy.url().replace("http://", &format!("{scheme}://"));
    // socks4a: the proxy resolves the name.
    let client = client_via(&local, ProxyConfig::none().all(socks("socks4a")));
    assert_eq!(body(&client, &format!("{local}/a")).await, "remote dns");
    // socks4: the client does, and sends the (IPv4) address.
    let client = client_via(&local, ProxyConfig::none().all(socks("socks4")));
    assert_eq!(body(&client, &format!("{local}/b")).await, "local dns");
    let seen = proxy.requests();
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert!(seen.iter().all(|r| r.socks && r.method == "CONNECT"));
    assert!(seen.iter().all(|r| r.proxy_authorization.is_none()));
    assert_eq!(seen[0].target, format!("localhost:{port}"));
    assert_eq!(seen[1].target, format!("127.0.0.1:{port}"));

    // A destination without a port is reached on its scheme's (hyper-util's SOCKS
    // handshake alone would take 443 for http:// too). Nothing listens there.
    for scheme in ["socks4a", "socks5h"] {
        let client = client_via("http://localhost", ProxyConfig::none().all(socks(scheme)));
        let before = proxy.requests().len();
        client.send(get("http://localhost/x")).await.unwrap_err();
        let targets: Vec<_> = proxy.requests()[before..]
            .iter()
            .map(|r| r.target.clone())
            .collect();
        assert!(
            !targets.is_empty() && targets.iter().all(|t| t == "localhost:80"),
            "{scheme}: {targets:?}"
        );
    }

    // A SOCKS4 proxy that refuses the connection: an error naming the proxy.
    let refusing = TestProxy::with_credentials("user", "right").await.unwrap();
    let url = refusing.url().replace("http://", "socks4a://");
    let client = builder("https://hub.example")
        .transport_config(TransportConfig::default().proxy(ProxyConfig::none().https(url)))
        .build()
        .unwrap();
    let err = client
        .send(get("https://hub.example/api/x"))
        .await
        .unwrap_err();
    let text = format!("{err}");
    assert!(text.contains("through the proxy socks4a://"), "{text}");
    assert!(
        refusing.requests().iter().all(|r| r.socks),
        "{:?}",
        refusing.requests()
    );
}

#[tokio::test]
async fn unusable_proxy_urls_fail_the_build_without_showing_the_password() {
    for (url, why) in [
        ("https://u:secret@proxy:3128", "over TLS"),
        ("ftp://u:secret@proxy:21", "ftp:// scheme"),
        ("socks4://u:secret@proxy:1080", "SOCKS4 takes no user"),
        ("http://u:secret@", "not a URL"),
        ("http://u:secret@:3128", "no host"),
        ("http://u:secret@proxy:3128 extra", "not a URL"),
    ] {
        let err = builder("https://hub.example")
            .transport_config(TransportConfig::default().proxy(ProxyConfig::none().https(url)))
            .build()
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Config, "{url}: {err:?}");
        let text = err.to_string();
        assert!(
            text.contains("HTTPS_PROXY=") && text.contains(why),
            "{url}: {text}"
        );
        assert!(!text.contains("secret"), "{url}: {text}");
    }
    // Debug output hides the password too.
    let config = ProxyConfig::none().all("http://u:secret@proxy:3128");
    assert!(!format!("{config:?}").contains("secret"));
}

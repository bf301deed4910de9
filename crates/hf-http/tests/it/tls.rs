//! TLS roots: a CA bundle that replaces the system's (Python's `REQUESTS_CA_BUNDLE`),
//! against an HTTPS server whose certificate comes from the test CA in `tests/it/tls/`
//! (valid for `localhost` and `127.0.0.1` until 2126).

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use hf_http::retry::RetryConfig;
use hf_http::transport::{ProxyConfig, TransportConfig};
use hf_http::{ErrorKind, HubClient};
use hf_testhub::TestProxy;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_rustls::rustls;

use crate::{builder, get};

/// The emulator's test certificates (`ca.pem`, `server.pem`, `server.key`).
fn fixture(name: &str) -> PathBuf {
    hf_testhub::TlsIdentity::test_files_dir().join(name)
}

/// The protocol each TLS connection negotiated with ALPN (`None`: the client offered none).
type Alpns = Arc<Mutex<Vec<Option<Vec<u8>>>>>;

/// An HTTPS server on 127.0.0.1 that answers every request with `200` and `ok` (in
/// HTTP/1.1, though it offers HTTP/2 too); returns its `https://127.0.0.1:{port}` base.
/// It stops with the test's runtime.
async fn https_server() -> String {
    https_server_recording().await.0
}

async fn https_server_recording() -> (String, Alpns) {
    use rustls::pki_types::pem::PemObject as _;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(fixture("server.pem"))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let key = PrivateKeyDer::from_pem_file(fixture("server.key")).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(certs, key)
    .unwrap();
    let mut config = config;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let alpns = Alpns::default();
    let seen = alpns.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("https://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let (acceptor, seen) = (acceptor.clone(), seen.clone());
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let alpn = tls.get_ref().1.alpn_protocol().map(<[u8]>::to_vec);
                seen.lock().unwrap().push(alpn);
                // One request per connection: read its head, answer, close.
                let mut head = Vec::new();
                let mut buf = [0u8; 1024];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match tls.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                let _ = tls
                    .write_all(
                        b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok",
                    )
                    .await;
                let _ = tls.shutdown().await;
            });
        }
    });
    (base, alpns)
}

fn client(base: &str, config: TransportConfig) -> HubClient {
    builder(base)
        .retry(RetryConfig::disabled())
        .transport_config(config)
        .build()
        .unwrap()
}

async fn fetch(client: &HubClient, url: &str) -> Result<String, hf_http::Error> {
    let res = client.send(get(url)).await?;
    let bytes = res.into_body().bytes().await?;
    Ok(String::from_utf8(bytes.to_vec()).unwrap())
}

#[tokio::test]
async fn a_ca_bundle_is_trusted_instead_of_the_system_roots() {
    let base = https_server().await;
    let url = format!("{base}/api/x");
    // The system's roots do not know the test CA: a configuration error (never retried)
    // that names the certificate and the variable to set.
    let err = fetch(&client(&base, TransportConfig::default()), &url)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Config, "{err:?}");
    assert!(!err.request_may_have_been_sent(), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("TLS certificate was refused (UnknownIssuer)")
            && text.contains("REQUESTS_CA_BUNDLE"),
        "{text}"
    );
    // The bundle (a file, or the folder holding it) does.
    for bundle in [fixture("ca.pem"), fixture("")] {
        let config = TransportConfig::default().ca_bundle(Some(bundle));
        assert_eq!(fetch(&client(&base, config), &url).await.unwrap(), "ok");
    }
    // By name too.
    let local = base.replace("127.0.0.1", "localhost");
    let config = TransportConfig::default().ca_bundle(Some(fixture("ca.pem")));
    let got = fetch(&client(&local, config), &format!("{local}/api/x")).await;
    assert_eq!(got.unwrap(), "ok");
}

#[tokio::test]
async fn http2_is_offered_only_when_asked_for() {
    // HTTP/2 would carry a download's parallel ranges on one TCP connection.
    let (base, alpns) = https_server_recording().await;
    let url = format!("{base}/api/x");
    let bundle = TransportConfig::default().ca_bundle(Some(fixture("ca.pem")));
    assert_eq!(
        fetch(&client(&base, bundle.clone()), &url).await.unwrap(),
        "ok"
    );
    assert_eq!(alpns.lock().unwrap().as_slice(), [None]);
    // Asked for, the server picks it (and then our HTTP/1.1-only server cannot answer).
    let _ = fetch(&client(&base, bundle.http2(true)), &url).await;
    assert_eq!(alpns.lock().unwrap()[1].as_deref(), Some(&b"h2"[..]));
}

#[tokio::test]
async fn https_goes_end_to_end_through_a_connect_tunnel() {
    let base = https_server().await;
    let proxy = TestProxy::start().await.unwrap();
    let config = TransportConfig::default()
        .ca_bundle(Some(fixture("ca.pem")))
        .proxy(ProxyConfig::none().https(proxy.url()));
    let client = client(&base, config);
    assert_eq!(
        fetch(&client, &format!("{base}/api/x")).await.unwrap(),
        "ok"
    );
    let seen = proxy.requests();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0].method, "CONNECT");
    assert_eq!(seen[0].target, base.trim_start_matches("https://"));
}

#[tokio::test]
async fn an_unusable_bundle_is_a_config_error_that_names_it() {
    let base = https_server().await;
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let empty = dir.join("empty.pem");
    std::fs::write(&empty, "not a certificate\n").unwrap();
    for bundle in [dir.join("missing.pem"), empty] {
        let config = TransportConfig::default().ca_bundle(Some(bundle.clone()));
        let err = fetch(&client(&base, config), &format!("{base}/api/x"))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Config, "{err:?}");
        assert!(!err.request_may_have_been_sent());
        let text = format!(
            "{err} {:?}",
            std::error::Error::source(&err).map(ToString::to_string)
        );
        assert!(text.contains(&bundle.display().to_string()), "{text}");
        assert!(text.contains("REQUESTS_CA_BUNDLE"), "{text}");
    }
}

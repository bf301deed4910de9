//! HTTPS for both listeners ([`TestHubBuilder::tls`](crate::TestHubBuilder::tls)): the
//! Hub and its CDN serve TLS, so clients are tested (and benchmarked) through their TLS
//! stack and certificate checks.

use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

/// A certificate chain and its private key (PEM) for the emulator's HTTPS listeners.
#[derive(Clone)]
pub struct TlsIdentity {
    cert_pem: Vec<u8>,
    key_pem: Vec<u8>,
}

impl std::fmt::Debug for TlsIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsIdentity").finish_non_exhaustive()
    }
}

impl TlsIdentity {
    /// An identity from PEM text: the certificate chain (leaf first) and the key.
    pub fn from_pem(cert_pem: impl Into<Vec<u8>>, key_pem: impl Into<Vec<u8>>) -> TlsIdentity {
        TlsIdentity {
            cert_pem: cert_pem.into(),
            key_pem: key_pem.into(),
        }
    }

    /// The test identity: a certificate for `127.0.0.1` and `localhost`, valid until
    /// 2126, issued by the CA in `ca.pem` of [`TlsIdentity::test_files_dir`]. Clients
    /// trust it through that file (`REQUESTS_CA_BUNDLE`, `SSL_CERT_FILE`).
    pub fn test() -> TlsIdentity {
        TlsIdentity::from_pem(
            include_bytes!("../tls/server.pem").as_slice(),
            include_bytes!("../tls/server.key").as_slice(),
        )
    }

    /// The folder of the test identity's files: `ca.pem` (the CA to trust),
    /// `server.pem` and `server.key`.
    pub fn test_files_dir() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tls")
    }

    /// A TLS acceptor offering HTTP/2 and HTTP/1.1, as the Hub's servers do.
    pub(crate) fn acceptor(&self) -> io::Result<TlsAcceptor> {
        let invalid = |what: &str, e: &dyn std::fmt::Display| {
            io::Error::new(io::ErrorKind::InvalidInput, format!("{what}: {e}"))
        };
        let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&self.cert_pem)
            .collect::<Result<_, _>>()
            .map_err(|e| invalid("unreadable certificate PEM", &e))?;
        let key = PrivateKeyDer::from_pem_slice(&self.key_pem)
            .map_err(|e| invalid("unreadable private key PEM", &e))?;
        let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .map_err(|e| invalid("TLS versions", &e))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| invalid("certificate and key", &e))?;
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Ok(TlsAcceptor::from(Arc::new(config)))
    }
}

/// A TCP listener whose connections are TLS after a handshake (a client that does not
/// complete one within 10 s is dropped).
pub(crate) struct TlsListener {
    pub(crate) tcp: TcpListener,
    pub(crate) acceptor: TlsAcceptor,
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let (tcp, addr) = axum::serve::Listener::accept(&mut self.tcp).await;
            // No Nagle delay between response headers and a streamed body.
            let _ = tcp.set_nodelay(true);
            let handshake = self.acceptor.accept(tcp);
            if let Ok(Ok(tls)) = tokio::time::timeout(Duration::from_secs(10), handshake).await {
                return (tls, addr);
            }
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.tcp.local_addr()
    }
}

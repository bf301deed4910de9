//! [`TestProxy`]: a logging HTTP proxy on 127.0.0.1, for testing clients behind one.
//!
//! It forwards absolute-form requests (`GET http://host:port/path`, what a client sends
//! to an `http://` destination through a proxy) and tunnels `CONNECT host:port` (what it
//! sends for `https://`). Every request it receives is logged with its
//! `Proxy-Authorization`, and it can demand credentials (answering `407` without them).
//! It speaks SOCKS5 on the same port too (`CONNECT` only, with or without
//! user/password authentication), and SOCKS4 and SOCKS4a (`CONNECT`, no authentication). A forwarded request is sent upstream with `Connection: close`, so that each of a
//! client's requests arrives on a connection of its own and is logged.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// Longest request head the proxy reads.
const MAX_HEAD: usize = 64 << 10;

/// One request the proxy received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxyRequest {
    /// `GET`, `CONNECT`, ...
    pub method: String,
    /// The request target as sent: an absolute URL, or `host:port` for `CONNECT`.
    pub target: String,
    /// The `Proxy-Authorization` header, if any (for SOCKS5, the user and password of
    /// the handshake in the same `Basic` form).
    pub proxy_authorization: Option<String>,
    /// Whether it came over SOCKS (5, 4 or 4a; its method is then `CONNECT`). A SOCKS4
    /// target is an IP address (the client resolved the name); SOCKS4a and SOCKS5 may
    /// carry the host name.
    pub socks: bool,
}

/// A running proxy; stops when dropped.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let proxy = hf_testhub::TestProxy::start().await.unwrap();
/// assert!(proxy.url().starts_with("http://127.0.0.1:"));
/// assert!(proxy.requests().is_empty());
/// # }
/// ```
#[derive(Debug)]
pub struct TestProxy {
    url: String,
    log: Arc<Mutex<Vec<ProxyRequest>>>,
    connections: Arc<AtomicUsize>,
    task: JoinHandle<()>,
}

impl TestProxy {
    /// Starts a proxy that lets every request through.
    pub async fn start() -> std::io::Result<TestProxy> {
        TestProxy::serve(None).await
    }

    /// Starts a proxy that answers `407` unless the request carries these credentials
    /// (`Proxy-Authorization: Basic ...`).
    pub async fn with_credentials(user: &str, password: &str) -> std::io::Result<TestProxy> {
        let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
        TestProxy::serve(Some(format!("Basic {token}"))).await
    }

    async fn serve(expected_auth: Option<String>) -> std::io::Result<TestProxy> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}", listener.local_addr()?);
        let log = Arc::new(Mutex::new(Vec::new()));
        let connections = Arc::new(AtomicUsize::new(0));
        let shared = (log.clone(), Arc::new(expected_auth), connections.clone());
        let task = tokio::spawn(async move {
            while let Ok((conn, _)) = listener.accept().await {
                shared.2.fetch_add(1, Ordering::Relaxed);
                let (log, auth) = (shared.0.clone(), shared.1.clone());
                tokio::spawn(async move {
                    // A failed exchange only ends that connection.
                    let _ = handle(conn, &log, auth.as_deref()).await;
                });
            }
        });
        Ok(TestProxy {
            url,
            log,
            connections,
            task,
        })
    }

    /// `http://127.0.0.1:{port}`.
    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// The proxy's URL with credentials in it: `http://{user}:{password}@127.0.0.1:{port}`.
    pub fn url_with_credentials(&self, user: &str, password: &str) -> String {
        self.url
            .replacen("http://", &format!("http://{user}:{password}@"), 1)
    }

    /// How many connections clients opened to the proxy so far (a SOCKS5 client refused
    /// at authentication opens one but sends no request).
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::Relaxed)
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<ProxyRequest> {
        self.log.lock().expect("proxy log").clone()
    }
}

impl Drop for TestProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn handle(
    mut conn: TcpStream,
    log: &Mutex<Vec<ProxyRequest>>,
    expected_auth: Option<&str>,
) -> std::io::Result<()> {
    let mut version = [0u8; 1];
    if conn.peek(&mut version).await? == 1 {
        match version[0] {
            5 => return socks5(conn, log, expected_auth).await,
            4 => return socks4(conn, log, expected_auth).await,
            _ => {}
        }
    }
    let (head, rest) = read_head(&mut conn).await?;
    let text = String::from_utf8_lossy(&head).into_owned();
    let mut lines = text.split("\r\n");
    let mut request_line = lines.next().unwrap_or_default().split(' ');
    let method = request_line.next().unwrap_or_default().to_owned();
    let target = request_line.next().unwrap_or_default().to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let proxy_authorization = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("proxy-authorization"))
        .map(|(_, v)| v.clone());
    log.lock().expect("proxy log").push(ProxyRequest {
        method: method.clone(),
        target: target.clone(),
        proxy_authorization: proxy_authorization.clone(),
        socks: false,
    });
    if expected_auth.is_some() && proxy_authorization.as_deref() != expected_auth {
        conn.write_all(
            b"HTTP/1.1 407 Proxy Authentication Required\r\n\
              Proxy-Authenticate: Basic realm=\"test\"\r\nContent-Length: 0\r\n\r\n",
        )
        .await?;
        return Ok(());
    }
    if method == "CONNECT" {
        let Some(mut upstream) = upstream_or_502(&mut conn, &target).await? else {
            return Ok(());
        };
        conn.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
            .await?;
        upstream.write_all(&rest).await?;
        tokio::io::copy_bidirectional(&mut conn, &mut upstream).await?;
        return Ok(());
    }
    // Absolute form: `http://host[:port]/path`.
    let authority = target
        .strip_prefix("http://")
        .and_then(|t| t.split('/').next())
        .filter(|a| !a.is_empty());
    let Some(authority) = authority else {
        conn.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
            .await?;
        return Ok(());
    };
    let addr = if authority.contains(':') {
        authority.to_owned()
    } else {
        format!("{authority}:80")
    };
    let Some(mut upstream) = upstream_or_502(&mut conn, &addr).await? else {
        return Ok(());
    };
    // The head as received (servers take absolute-form targets), minus hop-by-hop
    // headers, with `Connection: close`.
    let mut out = format!("{method} {target} HTTP/1.1\r\n");
    for (k, v) in &headers {
        if !k.eq_ignore_ascii_case("connection") && !k.eq_ignore_ascii_case("proxy-authorization") {
            let _ = write!(out, "{k}: {v}\r\n");
        }
    }
    out.push_str("connection: close\r\n\r\n");
    upstream.write_all(out.as_bytes()).await?;
    upstream.write_all(&rest).await?;
    tokio::io::copy_bidirectional(&mut conn, &mut upstream).await?;
    Ok(())
}

/// Connects to `addr`; when that fails, answers the client `502` and gives `None`.
async fn upstream_or_502(conn: &mut TcpStream, addr: &str) -> std::io::Result<Option<TcpStream>> {
    if let Ok(upstream) = TcpStream::connect(addr).await {
        return Ok(Some(upstream));
    }
    conn.write_all(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
        .await?;
    Ok(None)
}

/// Serves one SOCKS5 `CONNECT` (RFC 1928, with RFC 1929 user/password authentication).
async fn socks5(
    mut conn: TcpStream,
    log: &Mutex<Vec<ProxyRequest>>,
    expected_auth: Option<&str>,
) -> std::io::Result<()> {
    let mut greeting = [0u8; 2];
    conn.read_exact(&mut greeting).await?;
    let mut methods = vec![0u8; usize::from(greeting[1])];
    conn.read_exact(&mut methods).await?;
    let wants_password = methods.contains(&2);
    let mut authorization = None;
    if wants_password {
        conn.write_all(&[5, 2]).await?;
        let mut ver_len = [0u8; 2];
        conn.read_exact(&mut ver_len).await?;
        let mut user = vec![0u8; usize::from(ver_len[1])];
        conn.read_exact(&mut user).await?;
        let mut plen = [0u8; 1];
        conn.read_exact(&mut plen).await?;
        let mut password = vec![0u8; usize::from(plen[0])];
        conn.read_exact(&mut password).await?;
        let pair = format!(
            "{}:{}",
            String::from_utf8_lossy(&user),
            String::from_utf8_lossy(&password)
        );
        authorization = Some(format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(pair)
        ));
        let ok = expected_auth.is_none() || authorization.as_deref() == expected_auth;
        // Status 0 is success, anything else a refusal.
        conn.write_all(&[1, u8::from(!ok)]).await?;
        if !ok {
            return Ok(());
        }
    } else if expected_auth.is_some() {
        // No acceptable method.
        return conn.write_all(&[5, 0xFF]).await;
    } else {
        conn.write_all(&[5, 0]).await?;
    }
    let mut req = [0u8; 4];
    conn.read_exact(&mut req).await?;
    let host = match req[3] {
        1 => {
            let mut ip = [0u8; 4];
            conn.read_exact(&mut ip).await?;
            std::net::Ipv4Addr::from(ip).to_string()
        }
        3 => {
            let mut len = [0u8; 1];
            conn.read_exact(&mut len).await?;
            let mut name = vec![0u8; usize::from(len[0])];
            conn.read_exact(&mut name).await?;
            String::from_utf8_lossy(&name).into_owned()
        }
        4 => {
            let mut ip = [0u8; 16];
            conn.read_exact(&mut ip).await?;
            format!("[{}]", std::net::Ipv6Addr::from(ip))
        }
        _ => return Err(std::io::Error::other("unknown SOCKS5 address type")),
    };
    let mut port = [0u8; 2];
    conn.read_exact(&mut port).await?;
    let target = format!("{host}:{}", u16::from_be_bytes(port));
    log_socks_connect(log, &target, authorization);
    let Ok(mut upstream) = TcpStream::connect(&target).await else {
        // Host unreachable.
        return conn.write_all(&[5, 4, 0, 1, 0, 0, 0, 0, 0, 0]).await;
    };
    conn.write_all(&[5, 0, 0, 1, 0, 0, 0, 0, 0, 0]).await?;
    tokio::io::copy_bidirectional(&mut conn, &mut upstream).await?;
    Ok(())
}

/// Logs a SOCKS `CONNECT` to `target`.
fn log_socks_connect(log: &Mutex<Vec<ProxyRequest>>, target: &str, authorization: Option<String>) {
    log.lock().expect("proxy log").push(ProxyRequest {
        method: "CONNECT".to_owned(),
        target: target.to_owned(),
        proxy_authorization: authorization,
        socks: true,
    });
}

/// Serves one SOCKS4 `CONNECT`, or SOCKS4a when the address is `0.0.0.x` and a host name
/// follows the user id. SOCKS4 has no password: a proxy that wants credentials refuses.
async fn socks4(
    mut conn: TcpStream,
    log: &Mutex<Vec<ProxyRequest>>,
    expected_auth: Option<&str>,
) -> std::io::Result<()> {
    // Version, command, port, IPv4 address.
    let mut req = [0u8; 8];
    conn.read_exact(&mut req).await?;
    let port = u16::from_be_bytes([req[2], req[3]]);
    let ip = std::net::Ipv4Addr::new(req[4], req[5], req[6], req[7]);
    let _user_id = read_nul_terminated(&mut conn).await?;
    let host = if req[4..7] == [0, 0, 0] && req[7] != 0 {
        String::from_utf8_lossy(&read_nul_terminated(&mut conn).await?).into_owned()
    } else {
        ip.to_string()
    };
    let target = format!("{host}:{port}");
    log_socks_connect(log, &target, None);
    // Reply: version 0, then 0x5A granted or 0x5B rejected, then port and address.
    let refused = [0, 0x5B, 0, 0, 0, 0, 0, 0];
    if req[1] != 1 || expected_auth.is_some() {
        return conn.write_all(&refused).await;
    }
    let Ok(mut upstream) = TcpStream::connect(&target).await else {
        return conn.write_all(&refused).await;
    };
    conn.write_all(&[0, 0x5A, 0, 0, 0, 0, 0, 0]).await?;
    tokio::io::copy_bidirectional(&mut conn, &mut upstream).await?;
    Ok(())
}

/// Reads bytes up to a NUL (dropped), at most 255 of them.
async fn read_nul_terminated(conn: &mut TcpStream) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let byte = conn.read_u8().await?;
        if byte == 0 {
            return Ok(out);
        }
        if out.len() == 255 {
            return Err(std::io::Error::other("SOCKS4 field too long"));
        }
        out.push(byte);
    }
}

/// Reads up to the end of the request head; returns the head (without the blank line)
/// and the bytes read after it.
async fn read_head(conn: &mut TcpStream) -> std::io::Result<(Vec<u8>, Vec<u8>)> {
    let mut buf = Vec::with_capacity(4096);
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let rest = buf.split_off(end + 4);
            buf.truncate(end);
            return Ok((buf, rest));
        }
        if buf.len() > MAX_HEAD {
            return Err(std::io::Error::other("request head too long"));
        }
        let n = conn.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

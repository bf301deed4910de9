//! A scripted HTTP server on 127.0.0.1: a queue of responses and a log of requests.

use std::collections::VecDeque;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::Response;
use bytes::Bytes;
use http::{HeaderMap, Method, StatusCode, Uri};
use http_body_util::BodyExt;

type Reply = Box<dyn FnOnce(&Recorded) -> Pin<Box<dyn Future<Output = Response> + Send>> + Send>;

/// One request as the server received it.
#[derive(Debug, Clone)]
pub(crate) struct Recorded {
    pub(crate) method: Method,
    pub(crate) uri: Uri,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

#[derive(Default)]
struct Shared {
    script: Mutex<VecDeque<Reply>>,
    log: Mutex<Vec<Recorded>>,
}

pub(crate) struct TestServer {
    pub(crate) addr: SocketAddr,
    shared: Arc<Shared>,
}

impl TestServer {
    pub(crate) async fn start() -> TestServer {
        let shared = Arc::new(Shared::default());
        let app = axum::Router::new()
            .fallback(handle)
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        TestServer { addr, shared }
    }

    /// `http://127.0.0.1:<port>`
    pub(crate) fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{}", self.base(), path)
    }

    pub(crate) fn push_fn<F, Fut>(&self, f: F)
    where
        F: FnOnce(&Recorded) -> Fut + Send + 'static,
        Fut: Future<Output = Response> + Send + 'static,
    {
        self.shared
            .script
            .lock()
            .unwrap()
            .push_back(Box::new(move |r| Box::pin(f(r))));
    }

    pub(crate) fn push(&self, status: u16, headers: &[(&str, &str)], body: &str) {
        let mut builder = Response::builder().status(status);
        for (k, v) in headers {
            builder = builder.header(*k, *v);
        }
        let res = builder.body(Body::from(body.to_owned())).unwrap();
        self.push_fn(move |_| async move { res });
    }

    /// A response that never comes.
    pub(crate) fn push_hang(&self) {
        self.push_fn(|_| async {
            std::future::pending::<()>().await;
            unreachable!()
        });
    }

    /// Headers, one chunk, then a body that stalls forever.
    pub(crate) fn push_stalled_body(&self) {
        self.push_fn(|_| async {
            let stream = futures_util::stream::once(async {
                Ok::<_, std::io::Error>(Bytes::from("partial"))
            })
            .chain(futures_util::stream::pending());
            Response::builder()
                .status(200)
                .body(Body::from_stream(stream))
                .unwrap()
        });
    }

    pub(crate) fn requests(&self) -> Vec<Recorded> {
        self.shared.log.lock().unwrap().clone()
    }
}

use futures_util::StreamExt;

async fn handle(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let body = body
        .collect()
        .await
        .map(http_body_util::Collected::to_bytes)
        .unwrap_or_default();
    let rec = Recorded {
        method: parts.method,
        uri: parts.uri,
        headers: parts.headers,
        body,
    };
    shared.log.lock().unwrap().push(rec.clone());
    let reply = shared.script.lock().unwrap().pop_front();
    match reply {
        Some(reply) => reply(&rec).await,
        None => Response::builder()
            .status(StatusCode::IM_A_TEAPOT)
            .body(Body::from("no scripted response left"))
            .unwrap(),
    }
}

/// A server on 127.0.0.1 that answers each connection it accepts with the next of
/// `answers` (raw bytes, written whole, then the connection is closed), and counts them.
pub(crate) async fn raw_server(
    answers: Vec<Vec<u8>>,
) -> (SocketAddr, Arc<std::sync::atomic::AtomicUsize>) {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let served = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let count = served.clone();
    tokio::spawn(async move {
        for answer in answers {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            // Read the request head (these requests have no body).
            let mut head = Vec::new();
            let mut buf = [0u8; 1024];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                match socket.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => head.extend_from_slice(&buf[..n]),
                }
            }
            count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let _ = socket.write_all(&answer).await;
            let _ = socket.shutdown().await;
        }
    });
    (addr, served)
}

/// A `200` JSON answer: whole, or (`broken`) announcing all of `body` but ending half-way.
pub(crate) fn raw_json(body: &str, broken: bool) -> Vec<u8> {
    let sent = if broken {
        &body[..body.len() / 2]
    } else {
        body
    };
    format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{sent}",
        body.len()
    )
    .into_bytes()
}

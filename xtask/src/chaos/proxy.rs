//! The fault injector: an HTTP/1.1 proxy on loopback between the diners'
//! browsers and the server (or nginx). Every fault is one a browser really
//! meets: a port nobody listens on, a request nobody answers, a `503` from a
//! gateway, a connection that closes after the server committed the order,
//! a slow network. Built on hyper, so requests and streamed answers (SSE)
//! pass through unchanged when no fault is in force.

use std::collections::{BTreeMap, HashMap};
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;
use http_body_util::{BodyExt, Full, combinators::BoxBody};
use hyper::body::{Bytes, Incoming};
use hyper::header::{self, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use wendan_protocol::idempotency_key::HEADER as IDEMPOTENCY_KEY;
use wendan_protocol::{Problem, ProblemType};

use super::schedule::{Fault, Schedule};

const ORDERS_PATH: &str = "/api/v1/orders";

/// How long a black hole holds a request: past the widget's 15 s send
/// timeout, so the browser gives up first, as it would on a dead link.
const BLACK_HOLE_HOLD: Duration = Duration::from_secs(20);

type ProxyBody = BoxBody<Bytes, hyper::Error>;

/// What the proxy saw and did, for the report.
#[derive(Debug, Default)]
pub struct Stats {
    pub requests: AtomicU64,
    /// Requests (or, for refusals, windows) each fault hit.
    pub faults: Mutex<BTreeMap<&'static str, u64>>,
    /// Requests that found no server behind the proxy (killed, restarting).
    pub upstream_down: AtomicU64,
    /// `POST /api/v1/orders` per idempotency key: retries are the excess.
    pub order_posts: Mutex<HashMap<String, u64>>,
}

impl Stats {
    fn hit(&self, fault: Fault) {
        if let Ok(mut faults) = self.faults.lock() {
            *faults.entry(fault.name()).or_default() += 1;
        }
    }
}

struct Shared {
    schedule: Schedule,
    started: Instant,
    calm: AtomicBool,
    upstream: SocketAddr,
    stats: Stats,
}

impl Shared {
    fn fault_now(&self) -> Option<Fault> {
        if self.calm.load(Ordering::Relaxed) {
            return None;
        }
        self.schedule.fault_at(self.started.elapsed())
    }
}

/// The running proxy; it stops when dropped (with its runtime).
pub struct Proxy {
    pub port: u16,
    shared: Arc<Shared>,
    _runtime: tokio::runtime::Runtime,
}

impl Proxy {
    /// Listens on a free loopback port; the schedule's clock starts now.
    pub fn start(upstream: SocketAddr, schedule: Schedule) -> anyhow::Result<Self> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .context("cannot start the proxy's runtime")?;
        let listener = runtime.block_on(async { bind("127.0.0.1:0".parse()?) })?;
        let address = listener.local_addr()?;
        let shared = Arc::new(Shared {
            schedule,
            started: Instant::now(),
            calm: AtomicBool::new(false),
            upstream,
            stats: Stats::default(),
        });
        runtime.spawn(accept_loop(listener, address, Arc::clone(&shared)));
        Ok(Self {
            port: address.port(),
            shared,
            _runtime: runtime,
        })
    }

    /// From now on every request passes untouched.
    pub fn calm(&self) {
        self.shared.calm.store(true, Ordering::Relaxed);
    }

    pub fn elapsed(&self) -> Duration {
        self.shared.started.elapsed()
    }

    pub fn stats(&self) -> &Stats {
        &self.shared.stats
    }
}

/// A listener that can be closed and opened again on the same port.
fn bind(address: SocketAddr) -> anyhow::Result<TcpListener> {
    let socket = TcpSocket::new_v4()?;
    socket.set_reuseaddr(true)?;
    socket.bind(address)?;
    Ok(socket.listen(1024)?)
}

/// Accepts connections; during a refusal window the port is closed, so the
/// kernel itself refuses (ECONNREFUSED), exactly as with a dead server.
async fn accept_loop(listener: TcpListener, address: SocketAddr, shared: Arc<Shared>) {
    let mut listener = Some(listener);
    loop {
        let now = shared.started.elapsed();
        let refusal = (!shared.calm.load(Ordering::Relaxed))
            .then(|| shared.schedule.next_refusal(now))
            .flatten();
        if let Some(window) = refusal.filter(|window| window.start <= now) {
            shared.stats.hit(Fault::Refuse);
            listener = None;
            while shared.started.elapsed() < window.end && !shared.calm.load(Ordering::Relaxed) {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
        let Some(open) = listener
            .take()
            .map(Ok)
            .unwrap_or_else(|| bind(address))
            .ok()
        else {
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        let until_refusal = refusal.map_or(Duration::from_millis(200), |window| {
            window
                .start
                .saturating_sub(now)
                .min(Duration::from_millis(200))
        });
        tokio::select! {
            accepted = open.accept() => {
                if let Ok((stream, _)) = accepted {
                    tokio::spawn(serve_connection(stream, Arc::clone(&shared)));
                }
            }
            () = tokio::time::sleep(until_refusal) => {}
        }
        listener = Some(open);
    }
}

async fn serve_connection(stream: TcpStream, shared: Arc<Shared>) {
    let service = service_fn(move |request| handle(request, Arc::clone(&shared)));
    // An error here is the connection closing, often on purpose (a fault).
    let _ = http1::Builder::new()
        .serve_connection(TokioIo::new(stream), service)
        .await;
}

/// Returning an error closes the client's connection without a response.
async fn handle(
    request: Request<Incoming>,
    shared: Arc<Shared>,
) -> io::Result<Response<ProxyBody>> {
    let stats = &shared.stats;
    stats.requests.fetch_add(1, Ordering::Relaxed);
    let is_order = request.method() == Method::POST && request.uri().path() == ORDERS_PATH;
    if is_order {
        let key = request
            .headers()
            .get(IDEMPOTENCY_KEY)
            .and_then(|value| value.to_str().ok())
            .map(|value| value.trim_matches('"').to_owned())
            .unwrap_or_default();
        if let Ok(mut posts) = stats.order_posts.lock() {
            *posts.entry(key).or_default() += 1;
        }
    }
    let fault = shared.fault_now();
    match fault {
        Some(Fault::Refuse) => {
            // A kept-alive connection from before the port closed.
            stats.hit(Fault::Refuse);
            return Err(io::Error::other("refused"));
        }
        Some(Fault::BlackHole) => {
            stats.hit(Fault::BlackHole);
            tokio::time::sleep(BLACK_HOLE_HOLD).await;
            return Err(io::Error::other("black hole"));
        }
        Some(unavailable @ Fault::Unavailable { retry_after_secs }) => {
            stats.hit(unavailable);
            return Ok(service_unavailable(retry_after_secs));
        }
        Some(latency @ Fault::Latency { millis }) => {
            stats.hit(latency);
            tokio::time::sleep(Duration::from_millis(millis)).await;
        }
        Some(Fault::DropAfterCommit) | None => {}
    }
    let response = match forward(request, shared.upstream).await {
        Ok(response) => response,
        Err(error) => {
            // No server: the browser sees the connection fail, as it would.
            stats.upstream_down.fetch_add(1, Ordering::Relaxed);
            return Err(error);
        }
    };
    if is_order && fault == Some(Fault::DropAfterCommit) {
        // Read the whole answer, so the server surely finished, then hang up.
        let _ = response.into_body().collect().await;
        stats.hit(Fault::DropAfterCommit);
        return Err(io::Error::other("answer dropped after commit"));
    }
    Ok(response.map(BodyExt::boxed))
}

/// One upstream connection per request: simple, and loopback is cheap.
async fn forward(
    request: Request<Incoming>,
    upstream: SocketAddr,
) -> io::Result<Response<Incoming>> {
    let stream = TcpStream::connect(upstream).await?;
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(io::Error::other)?;
    tokio::spawn(connection);
    sender.send_request(request).await.map_err(io::Error::other)
}

/// What a gateway says when the restaurant is busy: RFC 9457, Retry-After.
fn service_unavailable(retry_after_secs: u32) -> Response<ProxyBody> {
    let problem = Problem::new(ProblemType::Overloaded)
        .with_detail("the chaos proxy sheds this request; retry after Retry-After");
    let body = serde_json::to_vec(&problem).unwrap_or_default();
    let mut response = Response::new(
        Full::new(Bytes::from(body))
            .map_err(|never| match never {})
            .boxed(),
    );
    *response.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    headers.insert(header::RETRY_AFTER, retry_after_secs.into());
    response
}

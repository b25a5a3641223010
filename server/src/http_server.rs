//! Serving connections: hyper's HTTP/1.1 connection with a deadline for the
//! request head, and a graceful stop.
//!
//! `axum::serve` gives hyper no timer, so hyper's header-read timeout never
//! fires, and the listener's idle timeout restarts on every byte: one byte
//! every few seconds held a connection for ever. So connections are served
//! here with hyper's own builder (as axum's `serve-with-hyper` example does),
//! a Tokio timer and `header_read_timeout`: a request head must arrive whole
//! within the deadline, and a kept-alive connection waiting for its next
//! request is closed after it too. Request bodies have their own deadline
//! (`limits::request_body`); responses (live-status streams) have none.
//! HTTP/1.1 only, as before: the widget and nginx speak it.

use std::future::Future;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use axum::serve::Listener;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tower::ServiceExt;

use crate::limits::LimitedListener;
use crate::limits::connections::Peer;

/// Serves `router` on `listener` until `shutdown` resolves, then stops
/// accepting, lets every connection finish its request (idle ones close at
/// once) and returns when all have closed.
pub async fn serve(
    mut listener: LimitedListener,
    router: Router,
    head_deadline: Duration,
    shutdown: impl Future<Output = ()>,
) {
    let mut connections = hyper::server::conn::http1::Builder::new();
    connections
        .timer(TokioTimer::new())
        .header_read_timeout(head_deadline);
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut shutdown => break,
        };
        // Handlers read the client's address as `ConnectInfo<Peer>`.
        let service =
            router
                .clone()
                .map_request(move |mut request: axum::http::Request<Incoming>| {
                    request.extensions_mut().insert(ConnectInfo(Peer(peer)));
                    request
                });
        let connection =
            connections.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                // A head that missed its deadline, a client that went away.
                tracing::debug!(%error, %peer, "connection ended with an error");
            }
        });
    }
    drop(listener);
    graceful.shutdown().await;
}

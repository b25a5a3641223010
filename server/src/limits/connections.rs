//! Connection limits at accept time: a cap in all, a cap per address, and an
//! idle timeout.
//!
//! An idle or slow connection holds a file descriptor; a flood of them
//! would exhaust them and starve order intake. `tower` layers run only once
//! a request has arrived, too late for that, so the limits live in the
//! listener. An idle timeout counts both directions: a live status stream
//! writes a keep-alive comment every 15 s and stays open, a connection that
//! neither sends nor receives for the timeout is closed. (The deadlines for
//! a request's head and body, which a trickle of bytes cannot extend, are
//! `http_server`'s and `request_body`'s.)

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::serve::Listener;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::{Instant, Sleep};

use super::per_address::{PerAddress, Slot};

pub struct LimitedListener {
    inner: TcpListener,
    total: Arc<Semaphore>,
    max_connections: usize,
    per_address: PerAddress,
    idle_timeout: Duration,
}

impl LimitedListener {
    pub fn new(
        inner: TcpListener,
        max_connections: usize,
        max_per_address: usize,
        idle_timeout: Duration,
    ) -> Self {
        Self {
            inner,
            total: Arc::new(Semaphore::new(max_connections.max(1))),
            max_connections: max_connections.max(1),
            per_address: PerAddress::new(max_per_address),
            idle_timeout,
        }
    }
}

impl LimitedListener {
    /// Reads how many connections are open now, for a metrics gauge.
    pub fn open_connections(&self) -> impl Fn() -> i64 + Send + Sync + 'static {
        let (total, max) = (Arc::clone(&self.total), self.max_connections);
        move || (max - total.available_permits()) as i64
    }
}

impl Listener for LimitedListener {
    type Io = LimitedStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            // At the total cap, new connections wait in the kernel's backlog
            // until one closes (idle ones close within the timeout).
            let Ok(permit) = Arc::clone(&self.total).acquire_owned().await else {
                // The semaphore is never closed; if it were, accept nothing.
                return std::future::pending().await;
            };
            let (stream, address) = Listener::accept(&mut self.inner).await;
            match self.per_address.take(address.ip()) {
                Some(slot) => {
                    let stream = LimitedStream::new(stream, permit, slot, self.idle_timeout);
                    return (stream, address);
                }
                // One address holding too many: close this one at once, so
                // the others still get through.
                None => {
                    tracing::debug!(%address, "connection refused: too many from this address");
                    drop(stream);
                }
            }
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.inner.local_addr()
    }
}

/// A connection that gives its places back when it closes, and closes
/// itself when idle.
pub struct LimitedStream {
    stream: TcpStream,
    idle_timeout: Duration,
    idle: Pin<Box<Sleep>>,
    _total: OwnedSemaphorePermit,
    _address: Slot,
}

impl LimitedStream {
    fn new(
        stream: TcpStream,
        total: OwnedSemaphorePermit,
        address: Slot,
        idle_timeout: Duration,
    ) -> Self {
        Self {
            stream,
            idle_timeout,
            idle: Box::pin(tokio::time::sleep(idle_timeout)),
            _total: total,
            _address: address,
        }
    }

    fn active(&mut self) {
        self.idle.as_mut().reset(Instant::now() + self.idle_timeout);
    }
}

impl AsyncRead for LimitedStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        match Pin::new(&mut self.stream).poll_read(cx, buf) {
            Poll::Ready(result) => {
                if buf.filled().len() > before {
                    self.active();
                }
                Poll::Ready(result)
            }
            Poll::Pending => match self.idle.as_mut().poll(cx) {
                Poll::Ready(()) => Poll::Ready(Err(io::ErrorKind::TimedOut.into())),
                Poll::Pending => Poll::Pending,
            },
        }
    }
}

impl AsyncWrite for LimitedStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let written = Pin::new(&mut self.stream).poll_write(cx, buf);
        if matches!(written, Poll::Ready(Ok(n)) if n > 0) {
            self.active();
        }
        written
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let written = Pin::new(&mut self.stream).poll_write_vectored(cx, bufs);
        if matches!(written, Poll::Ready(Ok(n)) if n > 0) {
            self.active();
        }
        written
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

/// The TCP peer of a request, as `ConnectInfo<Peer>` (`http_server` puts it
/// on every request).
#[derive(Debug, Clone, Copy)]
pub struct Peer(pub SocketAddr);

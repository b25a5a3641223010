//! Request bodies that are too big or too slow.
//!
//! A body announced bigger than its route takes (`Content-Length`) is
//! answered 413 at once by tower-http's `RequestBodyLimitLayer`, before a
//! byte of it is read; [`problem_for_bare_413`] turns that layer's plain-text
//! answer into the problem document every client here reads (the widget
//! would retry a 413 it cannot read as ours).
//!
//! A body must arrive whole within a deadline counted from the request's
//! head. The connection's idle timeout restarts on every byte, so without
//! it one byte every few seconds would hold a connection and an intake slot
//! for ever. tower-http's body timeout restarts on every frame too, which
//! is the same hole; hence [`DeadlineBody`], a few lines of our own. Only
//! request bodies are timed: a live-status stream is a response and runs as
//! long as it likes.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body::{Frame, SizeHint};
use tokio::time::{Instant, Sleep};
use wendan_protocol::ProblemType;

use crate::problem::{ApiError, PROBLEM_JSON};

/// How long a request's body may take to arrive, from its head.
#[derive(Debug, Clone, Copy)]
pub struct BodyDeadline(pub Duration);

/// Gives every request body [`BodyDeadline`] to arrive; a request whose body
/// missed it is answered 408 (whatever its handler made of the cut body)
/// and its connection closed.
pub async fn enforce_body_deadline(
    State(BodyDeadline(allowed)): State<BodyDeadline>,
    request: Request,
    next: Next,
) -> Response {
    // Most requests (every GET) have no body: no timer for them.
    if request.body().is_end_stream() {
        return next.run(request).await;
    }
    let missed = Arc::new(AtomicBool::new(false));
    let deadline = Instant::now() + allowed;
    let request = request.map(|body| {
        Body::new(DeadlineBody {
            inner: body,
            deadline,
            timer: None,
            missed: Arc::clone(&missed),
        })
    });
    let response = next.run(request).await;
    if !missed.load(Ordering::Acquire) {
        return response;
    }
    let mut response = ApiError::new(ProblemType::RequestTimeout)
        .detail(format!(
            "the request body did not arrive within {} s",
            allowed.as_secs()
        ))
        .into_response();
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

/// The body did not arrive by its deadline.
#[derive(Debug, thiserror::Error)]
#[error("the request body did not arrive in time")]
pub struct BodyTooSlow;

/// A body that fails once its deadline has passed and it is still waiting
/// for bytes. Bytes already received are never refused: a handler that is
/// slow to read does not make the client late.
struct DeadlineBody {
    inner: Body,
    deadline: Instant,
    /// Made on the first wait, so a body that arrives at once sets no timer.
    timer: Option<Pin<Box<Sleep>>>,
    missed: Arc<AtomicBool>,
}

impl HttpBody for DeadlineBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        if let Poll::Ready(frame) = Pin::new(&mut self.inner).poll_frame(cx) {
            return Poll::Ready(frame);
        }
        let deadline = self.deadline;
        let timer = self
            .timer
            .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
        match timer.as_mut().poll(cx) {
            Poll::Ready(()) => {
                self.missed.store(true, Ordering::Release);
                Poll::Ready(Some(Err(axum::Error::new(BodyTooSlow))))
            }
            Poll::Pending => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// Every 413 is a problem document: `RequestBodyLimitLayer` answers an
/// announced oversized body in plain text.
pub async fn problem_for_bare_413(response: Response) -> Response {
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes().starts_with(PROBLEM_JSON.as_bytes()));
    if response.status() != StatusCode::PAYLOAD_TOO_LARGE || is_problem {
        return response;
    }
    ApiError::new(ProblemType::PayloadTooLarge)
        .detail("the request body is larger than this endpoint takes")
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_body_still_arriving_at_its_deadline_fails() {
        let (mut sender, body, missed) = body_due_in(Duration::from_millis(200));
        sender.send(Bytes::from_static(b"{")).await;
        let collected = tokio::spawn(axum::body::to_bytes(Body::new(body), usize::MAX));
        // The client keeps the body open and sends nothing more.
        tokio::time::sleep(Duration::from_millis(400)).await;
        let result = collected.await.expect("task");
        assert!(result.is_err(), "the late body fails");
        assert!(missed.load(Ordering::Acquire));
        drop(sender);
    }

    #[tokio::test]
    async fn a_body_that_arrived_is_read_even_after_the_deadline() {
        let (mut sender, body, missed) = body_due_in(Duration::from_millis(200));
        sender.send(Bytes::from_static(b"{}")).await;
        drop(sender);
        tokio::time::sleep(Duration::from_millis(400)).await;
        let bytes = axum::body::to_bytes(Body::new(body), usize::MAX)
            .await
            .expect("whole body");
        assert_eq!(&bytes[..], b"{}");
        assert!(!missed.load(Ordering::Acquire));
    }

    /// A body due within `allowed`, fed from a channel as hyper feeds one
    /// from the socket, and its "missed" flag.
    fn body_due_in(allowed: Duration) -> (Feeder, DeadlineBody, Arc<AtomicBool>) {
        let (sender, receiver) = tokio::sync::mpsc::channel::<Result<Bytes, axum::Error>>(8);
        let stream = tokio_stream::wrappers::ReceiverStream::new(receiver);
        let missed = Arc::new(AtomicBool::new(false));
        let body = DeadlineBody {
            inner: Body::from_stream(stream),
            deadline: Instant::now() + allowed,
            timer: None,
            missed: Arc::clone(&missed),
        };
        (Feeder(sender), body, missed)
    }

    struct Feeder(tokio::sync::mpsc::Sender<Result<Bytes, axum::Error>>);

    impl Feeder {
        async fn send(&mut self, bytes: Bytes) {
            self.0.send(Ok(bytes)).await.expect("body open");
        }
    }
}

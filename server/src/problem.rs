//! Every error answer is an RFC 9457 problem document, built here once.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use wendan_protocol::{Problem, ProblemType};

use crate::request_log::RequestId;
use crate::storage::StorageError;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// An error a handler returns; it knows its status and its `type`.
#[derive(Debug)]
pub struct ApiError {
    pub problem: Box<Problem>,
    pub retry_after_secs: Option<u64>,
}

impl ApiError {
    pub fn new(kind: ProblemType) -> Self {
        Self {
            problem: Box::new(Problem::new(kind)),
            retry_after_secs: None,
        }
    }

    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.problem.detail = Some(detail.into());
        self
    }

    pub fn retry_after(mut self, secs: u64) -> Self {
        self.retry_after_secs = Some(secs);
        self
    }
}

impl From<Box<Problem>> for ApiError {
    fn from(problem: Box<Problem>) -> Self {
        Self {
            problem,
            retry_after_secs: None,
        }
    }
}

/// A JSON body that could not be read: one answer for every endpoint.
impl From<axum::extract::rejection::JsonRejection> for ApiError {
    fn from(rejection: axum::extract::rejection::JsonRejection) -> Self {
        ApiError::new(ProblemType::MalformedRequest).detail(rejection.body_text())
    }
}

/// A query string that could not be read (`query_string::AppQuery`).
impl From<axum::extract::rejection::QueryRejection> for ApiError {
    fn from(rejection: axum::extract::rejection::QueryRejection) -> Self {
        ApiError::new(ProblemType::MalformedRequest).detail(rejection.body_text())
    }
}

impl From<StorageError> for ApiError {
    fn from(error: StorageError) -> Self {
        match error {
            StorageError::QueueFull => ApiError::new(ProblemType::Overloaded).retry_after(1),
            StorageError::NotFound(id) => {
                ApiError::new(ProblemType::NotFound).detail(format!("no order {id}"))
            }
            StorageError::InvalidTransition { from, to } => {
                ApiError::new(ProblemType::InvalidTransition).detail(format!(
                    "an order cannot go from {} to {}",
                    from.as_str(),
                    to.as_str()
                ))
            }
            other => {
                // As an error, so the log shows its causes (`error.sources`).
                tracing::error!(error = &other as &dyn std::error::Error, "storage failed");
                ApiError::new(ProblemType::Internal)
            }
        }
    }
}

/// The problem document, with the request's id as its `instance` (RFC 9457:
/// "identifies the specific occurrence") when one is being answered, so the
/// id a diner or cook reports finds the request's log lines.
fn with_instance(problem: &Problem) -> Vec<u8> {
    let mut document = serde_json::to_value(problem).unwrap_or_default();
    if let (Some(id), Some(fields)) = (RequestId::current(), document.as_object_mut()) {
        fields.insert(
            "instance".to_owned(),
            format!("urn:wendan:request:{}", id.as_str()).into(),
        );
    }
    serde_json::to_vec(&document).unwrap_or_default()
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = with_instance(&self.problem);
        let mut response = (status, [(header::CONTENT_TYPE, PROBLEM_JSON)], body).into_response();
        if let Some(secs) = self.retry_after_secs {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use wendan_protocol::OrderStatus;

    use super::*;

    fn answer(error: StorageError) -> (u16, Option<u64>) {
        let error = ApiError::from(error);
        (error.problem.status, error.retry_after_secs)
    }

    #[test]
    fn storage_errors_answer_as_their_kind_says() {
        assert_eq!(answer(StorageError::QueueFull), (503, Some(1)));
        assert_eq!(answer(StorageError::NotFound("a1".into())), (404, None));
        let refused = StorageError::InvalidTransition {
            from: OrderStatus::Ready,
            to: OrderStatus::Received,
        };
        assert_eq!(answer(refused), (409, None));
        let failed = StorageError::database(std::io::Error::other("disk on fire"));
        assert_eq!(answer(failed), (500, None), "the cause is logged, not told");
        assert_eq!(answer(StorageError::corrupt("a bad row")), (500, None));
    }
}

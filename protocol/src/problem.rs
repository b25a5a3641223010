//! RFC 9457 problem details: every error the server sends, typed.
//!
//! `type` is stable per kind, so the widget shows each in the diner's language
//! from the type and codes, never by parsing English `title`s.

use serde::{Deserialize, Serialize};

/// Where problem type URIs live; relative, so they resolve against the
/// server that sent them.
pub const PROBLEM_TYPE_PREFIX: &str = "/problems/";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProblemType {
    IdempotencyKeyMissing,
    IdempotencyKeyMalformed,
    IdempotencyKeyReused,
    IdempotencyKeyInUse,
    MalformedRequest,
    PayloadTooLarge,
    InvalidOrder,
    OrderExpired,
    RestaurantClosed,
    MenuChanged,
    Overloaded,
    RateLimited,
    NotFound,
    MethodNotAllowed,
    Unauthorized,
    InvalidTransition,
    CrossOriginRequest,
    UnsupportedMediaType,
    RequestTimeout,
    PaymentRefused,
    PaymentProviderUnavailable,
    TableCodeRefused,
    TableNotOpen,
    /// The table's visit the request names has ended (staff cleared the
    /// table): the phone starts again with the table's new visit.
    VisitEnded,
    Internal,
}

impl ProblemType {
    pub const ALL: [ProblemType; 25] = [
        ProblemType::IdempotencyKeyMissing,
        ProblemType::IdempotencyKeyMalformed,
        ProblemType::IdempotencyKeyReused,
        ProblemType::IdempotencyKeyInUse,
        ProblemType::MalformedRequest,
        ProblemType::PayloadTooLarge,
        ProblemType::InvalidOrder,
        ProblemType::OrderExpired,
        ProblemType::RestaurantClosed,
        ProblemType::MenuChanged,
        ProblemType::Overloaded,
        ProblemType::RateLimited,
        ProblemType::NotFound,
        ProblemType::MethodNotAllowed,
        ProblemType::Unauthorized,
        ProblemType::InvalidTransition,
        ProblemType::CrossOriginRequest,
        ProblemType::UnsupportedMediaType,
        ProblemType::RequestTimeout,
        ProblemType::PaymentRefused,
        ProblemType::PaymentProviderUnavailable,
        ProblemType::TableCodeRefused,
        ProblemType::TableNotOpen,
        ProblemType::VisitEnded,
        ProblemType::Internal,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            ProblemType::IdempotencyKeyMissing => "idempotency-key-missing",
            ProblemType::IdempotencyKeyMalformed => "idempotency-key-malformed",
            ProblemType::IdempotencyKeyReused => "idempotency-key-reused",
            ProblemType::IdempotencyKeyInUse => "idempotency-key-in-use",
            ProblemType::MalformedRequest => "malformed-request",
            ProblemType::PayloadTooLarge => "payload-too-large",
            ProblemType::InvalidOrder => "invalid-order",
            ProblemType::OrderExpired => "order-expired",
            ProblemType::RestaurantClosed => "restaurant-closed",
            ProblemType::MenuChanged => "menu-changed",
            ProblemType::Overloaded => "overloaded",
            ProblemType::RateLimited => "rate-limited",
            ProblemType::NotFound => "not-found",
            ProblemType::MethodNotAllowed => "method-not-allowed",
            ProblemType::Unauthorized => "unauthorized",
            ProblemType::InvalidTransition => "invalid-transition",
            ProblemType::CrossOriginRequest => "cross-origin-request",
            ProblemType::UnsupportedMediaType => "unsupported-media-type",
            ProblemType::RequestTimeout => "request-timeout",
            ProblemType::PaymentRefused => "payment-refused",
            ProblemType::PaymentProviderUnavailable => "payment-provider-unavailable",
            ProblemType::TableCodeRefused => "table-code-refused",
            ProblemType::TableNotOpen => "table-not-open",
            ProblemType::VisitEnded => "visit-ended",
            ProblemType::Internal => "internal",
        }
    }

    pub fn uri(self) -> String {
        format!("{PROBLEM_TYPE_PREFIX}{}", self.slug())
    }

    pub fn from_uri(uri: &str) -> Option<ProblemType> {
        let slug = uri.rsplit('/').next()?;
        ProblemType::ALL
            .into_iter()
            .find(|kind| kind.slug() == slug)
    }

    pub fn status(self) -> u16 {
        match self {
            ProblemType::IdempotencyKeyMissing
            | ProblemType::IdempotencyKeyMalformed
            | ProblemType::MalformedRequest => 400,
            ProblemType::Unauthorized => 401,
            ProblemType::CrossOriginRequest => 403,
            ProblemType::NotFound => 404,
            ProblemType::MethodNotAllowed => 405,
            ProblemType::RequestTimeout => 408,
            ProblemType::PaymentRefused => 409,
            ProblemType::PaymentProviderUnavailable => 502,
            ProblemType::IdempotencyKeyInUse
            | ProblemType::InvalidTransition
            | ProblemType::VisitEnded => 409,
            ProblemType::PayloadTooLarge => 413,
            ProblemType::UnsupportedMediaType => 415,
            ProblemType::IdempotencyKeyReused
            | ProblemType::InvalidOrder
            | ProblemType::OrderExpired
            | ProblemType::RestaurantClosed
            | ProblemType::MenuChanged
            | ProblemType::TableCodeRefused
            | ProblemType::TableNotOpen => 422,
            ProblemType::RateLimited => 429,
            ProblemType::Internal => 500,
            ProblemType::Overloaded => 503,
        }
    }

    /// A short English summary; the widget translates by type instead.
    pub fn title(self) -> &'static str {
        match self {
            ProblemType::IdempotencyKeyMissing => "Idempotency-Key header is required",
            ProblemType::IdempotencyKeyMalformed => "Idempotency-Key header is malformed",
            ProblemType::IdempotencyKeyReused => {
                "Idempotency-Key was already used for a different request"
            }
            ProblemType::IdempotencyKeyInUse => {
                "A request with this Idempotency-Key is still being processed"
            }
            ProblemType::MalformedRequest => "The request body could not be read",
            ProblemType::PayloadTooLarge => "The request body is too large",
            ProblemType::InvalidOrder => "The order is not valid",
            ProblemType::OrderExpired => "The order is too old to send",
            ProblemType::RestaurantClosed => "The restaurant is not taking orders",
            ProblemType::MenuChanged => "Prices have changed since the order was made",
            ProblemType::Overloaded => "The restaurant is very busy; try again shortly",
            ProblemType::RateLimited => "Too many requests",
            ProblemType::NotFound => "Not found",
            ProblemType::MethodNotAllowed => "Method not allowed",
            ProblemType::Unauthorized => "A valid token is required",
            ProblemType::InvalidTransition => "That status change is not allowed",
            ProblemType::CrossOriginRequest => "A page on another origin may not make this request",
            ProblemType::UnsupportedMediaType => "The request body must be JSON",
            ProblemType::RequestTimeout => "The request took too long to arrive",
            ProblemType::PaymentRefused => "This payment step is not possible now",
            ProblemType::PaymentProviderUnavailable => {
                "The payment provider could not be reached; nothing new was charged"
            }
            ProblemType::TableCodeRefused => {
                "This table's code has changed or is not valid; scan the code on the table"
            }
            ProblemType::TableNotOpen => {
                "This table is not open yet; ask staff to open it (the restaurant opens tables as it seats diners)"
            }
            ProblemType::VisitEnded => {
                "The table was cleared since this cart was made; the cart starts again"
            }
            ProblemType::Internal => "Internal server error",
        }
    }
}

/// One `application/problem+json` document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Problem {
    #[serde(rename = "type")]
    pub type_uri: String,
    pub title: String,
    pub status: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// One entry per problem in an invalid order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// `menu-changed`: what the order costs now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_total_minor: Option<i64>,
    /// `menu-changed`: the lines whose price is not what the diner saw.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changed_lines: Vec<ChangedLine>,
    /// `restaurant-closed`: the restaurant's own words, if it paused intake.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

impl Problem {
    pub fn new(kind: ProblemType) -> Self {
        Problem {
            type_uri: kind.uri(),
            title: kind.title().to_owned(),
            status: kind.status(),
            detail: None,
            errors: Vec::new(),
            new_total_minor: None,
            changed_lines: Vec::new(),
            message: None,
        }
    }

    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    pub fn kind(&self) -> Option<ProblemType> {
        ProblemType::from_uri(&self.type_uri)
    }
}

/// A single problem in a request body, located by JSON Pointer (RFC 6901).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    pub pointer: String,
    pub code: String,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangedLine {
    pub pointer: String,
    pub item_id: String,
    pub unit_price_minor: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_round_trips_through_its_uri() {
        for kind in ProblemType::ALL {
            assert_eq!(ProblemType::from_uri(&kind.uri()), Some(kind));
        }
    }

    #[test]
    fn serializes_as_rfc_9457() {
        let problem = Problem::new(ProblemType::IdempotencyKeyReused).with_detail("x");
        let json = serde_json::to_value(&problem).expect("serializable");
        assert_eq!(json["type"], "/problems/idempotency-key-reused");
        assert_eq!(json["status"], 422);
        assert!(json.get("errors").is_none(), "empty lists are omitted");
    }
}

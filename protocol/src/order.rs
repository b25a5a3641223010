//! What a diner's device sends: `POST /api/v1/orders`.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum OrderMode {
    DineIn,
    Pickup,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrderRequest {
    pub mode: OrderMode,
    /// Required for dine-in, and only there: the id of a table the
    /// restaurant created, as its QR code names it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table: Option<String>,
    /// Dine-in: the table's secret code, as its QR code carries it in
    /// `?code=` (at most 64 characters). The server takes a dine-in order
    /// only with the table's current code, so a table id read off a receipt
    /// or guessed cannot order to the table from elsewhere.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table_code: Option<String>,
    /// Required for pickup, and only there: the name called out at the
    /// counter (at most 40 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pickup_name: Option<String>,
    pub items: Vec<OrderLine>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub client: ClientInfo,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrderLine {
    pub item_id: String,
    /// Signed so that a nonsensical quantity is a validation error the diner
    /// can read, not a parse failure.
    pub qty: i64,
    #[serde(default)]
    pub options: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Facts from the diner's device. Both timestamps come from the same device
/// clock, so their difference is trustworthy even when the clock is wrong
/// (see `device_clock` for how far from the server's it may be).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClientInfo {
    /// The phone's own random id, 1–64 of `[A-Za-z0-9_-]` (the widget makes a
    /// UUID): it scopes the idempotency key and keys the per-device limit.
    pub device_id: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// Set anew on every attempt; excluded from the idempotency fingerprint.
    #[serde(with = "time::serde::rfc3339")]
    pub sent_at: OffsetDateTime,
    pub menu_version: String,
    /// The total the diner was shown and agreed to.
    pub total_minor: i64,
}

impl OrderRequest {
    /// How long the order waited on the device before this attempt.
    pub fn age_on_device(&self) -> time::Duration {
        self.client.sent_at - self.client.created_at
    }
}

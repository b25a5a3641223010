//! Sample orders for the tests of every crate in the workspace, so each
//! test names only what it is about. Not used at run time.

use time::OffsetDateTime;

use crate::OrderRequest;
use crate::order::{ClientInfo, OrderLine, OrderMode};

/// `qty` of `item_id` with the given option ids and no note.
pub fn line(item_id: &str, qty: i64, options: &[&str]) -> OrderLine {
    OrderLine {
        item_id: item_id.to_owned(),
        qty,
        options: options.iter().map(|id| (*id).to_owned()).collect(),
        note: None,
    }
}

/// A dine-in order for table A12, placed and sent at `created_at`, with the
/// total the diner was shown.
pub fn dine_in(
    items: Vec<OrderLine>,
    created_at: OffsetDateTime,
    total_minor: i64,
) -> OrderRequest {
    OrderRequest {
        mode: OrderMode::DineIn,
        table: Some("A12".into()),
        table_code: None,
        pickup_name: None,
        items,
        note: None,
        client: ClientInfo {
            device_id: "test-device".into(),
            created_at,
            sent_at: created_at,
            menu_version: "v1".into(),
            total_minor,
        },
    }
}

//! What a phone at the table sends the server and hears back. Every request
//! carries the table's code (the diner's proof of sitting there, as for a
//! dine-in order) and the visit the phone's cart belongs to: a phone that
//! kept changes from before the table was cleared must not put them into
//! the next party's cart, so a visit that ended is refused (409
//! `visit-ended`) and the phone starts again with the table's new visit.

use serde::{Deserialize, Serialize};
use wendan_protocol::PlacedOrder;

use crate::mutation::Mutation;
use crate::round::{RoundOutcome, SendRequest};
use crate::snapshot::CartSnapshot;

/// `POST /api/v1/tables/{table}/cart`: this phone's next changes, in its
/// sequence, at most [`crate::KEPT_OUTCOMES`] at a time
/// ([`crate::PhoneCart::to_send`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CartPush {
    pub code: String,
    pub visit_id: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub mutations: Vec<Mutation>,
}

/// The table's cart as the server holds it: the answer to a push and to a
/// read, and each event of the table's live stream. The answer to each of
/// the phone's mutations is in `cart.acks` under its phone id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CartState {
    pub visit_id: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub cart: CartSnapshot,
}

/// `POST /api/v1/tables/{table}/cart/rounds`: "Send to kitchen" (送厨房) for
/// the round on this phone's screen. The round's number is the key: the
/// same press again, or another phone's, is answered with the same round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoundPress {
    pub code: String,
    pub visit_id: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub request: SendRequest,
}

/// The answer to a press: what happened to the round, the kitchen's order
/// for it when one was cut (now or by an earlier press), and the cart after.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoundSent {
    pub visit_id: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub outcome: RoundOutcome,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<PlacedOrder>,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub cart: CartSnapshot,
}

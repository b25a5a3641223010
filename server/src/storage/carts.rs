//! The shared cart of a table visit as stored (`wendan_tablecart`): one
//! document on the visit's row, read and written whole inside the store's
//! transaction. What both backends share lives here: reading and writing
//! the document, and the one sequence of steps a press of "Send to kitchen"
//! takes, so the two backends can differ only in how they lock and insert.

use time::OffsetDateTime;
use wendan_protocol::{PlacedOrder, Problem};
use wendan_tablecart::{Mutation, Round, RoundOrder, RoundOutcome, SendRequest, TableCart};

use super::{NewOrder, StorageError};

/// Prices a round into the order the kitchen gets, or says why it cannot
/// be sent (sold out since, the restaurant paused, prices changed). Run by
/// the store inside the transaction that cuts the round, so a refusal cuts
/// nothing.
pub type RoundPricer = Box<dyn FnOnce(&Round) -> Result<NewOrder, Box<Problem>> + Send>;

/// What a change to a table's cart did. One per request, moved once from
/// the store to the handler: its size costs nothing worth a box.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)]
pub enum CartWrite {
    /// The phone's mutations were applied (or answered as before): the cart after.
    Changed(TableCart),
    /// A press of "Send to kitchen" was answered; `order` is the round's
    /// order when the press names a round that was cut (now or before).
    Round {
        outcome: RoundOutcome,
        order: Option<PlacedOrder>,
        cart: TableCart,
    },
    /// The round could not be made into an order: nothing was cut.
    Refused(Box<Problem>),
    /// The visit is closed (the table was cleared): nothing changed.
    VisitEnded,
}

/// A visit's stored cart, or a new one if no phone has changed it yet.
pub fn read_cart(stored: Option<&str>, line_ttl_secs: u32) -> Result<TableCart, StorageError> {
    match stored {
        None => Ok(TableCart::new(line_ttl_secs)),
        Some(text) => serde_json::from_str(text)
            .map_err(|error| StorageError::corrupt_because("a table's cart", error)),
    }
}

pub fn encode_cart(cart: &TableCart) -> Result<String, StorageError> {
    serde_json::to_string(cart)
        .map_err(|error| StorageError::corrupt_because("cannot encode a table's cart", error))
}

/// Applies a phone's push in order; each answer lands in the cart's log.
pub fn apply_all(cart: &mut TableCart, mutations: &[Mutation], now: OffsetDateTime) {
    for mutation in mutations {
        cart.apply(mutation, now);
    }
}

/// What a press asks of the backend after the cart has decided.
pub enum PressStep {
    /// A round was cut: insert `order` in this transaction, then
    /// [`PressStep::finish`] with what the store gave it.
    Insert { round: u32, order: Box<NewOrder> },
    /// Round `round` was cut before: read its order (`order_id`) to answer.
    Answer {
        outcome: RoundOutcome,
        order_id: Option<String>,
    },
    /// Nothing was cut (empty, not yet, unknown round, malformed).
    Nothing(RoundOutcome),
    /// The round could not be priced: roll back, answer this.
    Refused(Box<Problem>),
}

/// The cart's decision on a press, and the order to make if it cut one.
pub fn press(
    cart: &mut TableCart,
    request: &SendRequest,
    now: OffsetDateTime,
    price: RoundPricer,
) -> PressStep {
    match cart.send_round(request, now) {
        RoundOutcome::Sent(round) => match price(&round) {
            Ok(order) => PressStep::Insert {
                round: round.number,
                order: Box::new(order),
            },
            Err(problem) => PressStep::Refused(problem),
        },
        RoundOutcome::AlreadySent(round) => PressStep::Answer {
            order_id: round.order.as_ref().map(|order| order.id.clone()),
            outcome: RoundOutcome::AlreadySent(round),
        },
        other => PressStep::Nothing(other),
    }
}

/// Attaches the stored order to its round and answers the press.
pub fn finish(
    cart: &mut TableCart,
    round: u32,
    order: PlacedOrder,
) -> Result<CartWrite, StorageError> {
    cart.attach_order(
        round,
        RoundOrder {
            id: order.id.clone(),
            number: order.number,
        },
    );
    let index = usize::try_from(round).unwrap_or(usize::MAX);
    let cut = index.checked_sub(1).and_then(|i| cart.rounds().get(i));
    let cut =
        cut.ok_or_else(|| StorageError::corrupt(format!("round {round} vanished as it was cut")))?;
    Ok(CartWrite::Round {
        outcome: RoundOutcome::Sent(cut.clone()),
        order: Some(order),
        cart: cart.clone(),
    })
}

//! Reading a [`DeliveryState`] back from storage.
//!
//! The state is stored internally tagged (`{"state": "saved", …}`), but
//! serde's derived reader for that form buffers the whole object first and
//! then compiles a second reader for every type inside it, which costs the
//! widget's wasm tens of kilobytes. This flat struct reads the very same
//! JSON in one pass; [`TryFrom`] then checks that the fields the tag needs
//! are there.

use serde::Deserialize;
use time::OffsetDateTime;
use wendan_protocol::{PlacedOrder, Problem};

use crate::DeliveryState;

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum StateName {
    Saved,
    Sending,
    Received,
    Rejected,
    PriceChanged,
    Expired,
}

/// Every field any state has; which ones must be present depends on `state`.
#[derive(Deserialize)]
pub(crate) struct StoredState {
    state: StateName,
    #[serde(default, with = "time::serde::rfc3339::option")]
    next_attempt_at: Option<OffsetDateTime>,
    #[serde(default)]
    last_error: Option<String>,
    #[serde(default)]
    server_said_wait: bool,
    #[serde(default, with = "time::serde::rfc3339::option")]
    since: Option<OffsetDateTime>,
    #[serde(default)]
    order: Option<PlacedOrder>,
    #[serde(default)]
    problem: Option<Problem>,
}

#[derive(Debug, thiserror::Error)]
#[error("a stored delivery state lacks `{0}`")]
pub struct MissingField(&'static str);

fn required<T>(value: Option<T>, name: &'static str) -> Result<T, MissingField> {
    value.ok_or(MissingField(name))
}

impl TryFrom<StoredState> for DeliveryState {
    type Error = MissingField;

    fn try_from(stored: StoredState) -> Result<Self, Self::Error> {
        Ok(match stored.state {
            StateName::Saved => DeliveryState::Saved {
                next_attempt_at: required(stored.next_attempt_at, "next_attempt_at")?,
                last_error: stored.last_error,
                server_said_wait: stored.server_said_wait,
            },
            StateName::Sending => DeliveryState::Sending {
                since: required(stored.since, "since")?,
            },
            StateName::Received => DeliveryState::Received {
                order: required(stored.order, "order")?,
            },
            StateName::Rejected => DeliveryState::Rejected {
                problem: required(stored.problem, "problem")?,
            },
            StateName::PriceChanged => DeliveryState::PriceChanged {
                problem: required(stored.problem, "problem")?,
            },
            StateName::Expired => DeliveryState::Expired,
        })
    }
}

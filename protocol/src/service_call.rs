//! Service for the table: 催单 (hurry an order) and 呼叫服务员 (call staff,
//! with a reason). A call belongs to the table's visit, shows on the
//! kitchen display until staff clear it, and is idempotent twice over: the
//! phone's key makes a retry the same call, and a table has at most one
//! open call per reason (and per order, for a hurry), so pressing five
//! times, or two phones pressing, is one call.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// Why the table calls. The words are what the database stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CallReason {
    /// 催单: an order is taking long (the call names it).
    Hurry,
    Water,
    /// 加汤: more broth for the hotpot.
    Broth,
    /// 买单: the table wants to pay.
    Bill,
    /// Anything else: staff come and ask.
    Other,
}

impl CallReason {
    pub const ALL: [CallReason; 5] = [
        CallReason::Hurry,
        CallReason::Water,
        CallReason::Broth,
        CallReason::Bill,
        CallReason::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CallReason::Hurry => "hurry",
            CallReason::Water => "water",
            CallReason::Broth => "broth",
            CallReason::Bill => "bill",
            CallReason::Other => "other",
        }
    }

    pub fn parse(word: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|reason| reason.as_str() == word)
    }

    /// A hurry names the order it is about; the others name none.
    pub fn names_an_order(self) -> bool {
        self == CallReason::Hurry
    }
}

/// A diner's call, as the phone sends it (`POST /api/v1/tables/{table}/calls`
/// with an `Idempotency-Key`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CallRequest {
    pub reason: CallReason,
    /// The table's code from its QR link: the proof of sitting there.
    pub code: String,
    /// The phone's id, which scopes its idempotency keys.
    pub device_id: String,
    /// For a hurry: the order (one of this table's visit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_id: Option<String>,
}

/// A call as the kitchen display and the phone see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServiceCall {
    pub id: String,
    /// Where the party sits now.
    pub table: String,
    pub visit_id: String,
    pub reason: CallReason,
    /// For a hurry: the order's number for the day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_number: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_id: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub called_at: OffsetDateTime,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "time::serde::rfc3339::option"
    )]
    pub cleared_at: Option<OffsetDateTime>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reason_reads_back_from_its_word_and_only_a_hurry_names_an_order() {
        for reason in CallReason::ALL {
            assert_eq!(CallReason::parse(reason.as_str()), Some(reason));
            let json = serde_json::to_string(&reason).expect("json");
            assert_eq!(json, format!("\"{}\"", reason.as_str()));
        }
        let naming: Vec<CallReason> = CallReason::ALL
            .into_iter()
            .filter(|reason| reason.names_an_order())
            .collect();
        assert_eq!(naming, [CallReason::Hurry]);
        assert_eq!(CallReason::parse("dessert"), None);
    }
}

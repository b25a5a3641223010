//! A table's visit (开台 → 清台): one party's time at a table, from the
//! first scan (or staff opening it) until staff clear it or settle its
//! bill. The table's orders of one visit are one party's rounds (加菜) and
//! one bill; the next party at the same table starts a new visit.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// Who opened a visit. The words are what the database stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum VisitOpener {
    /// A diner scanned the table's code (or ordered with it).
    Scan,
    /// Staff opened the table from the kitchen display or the admin area.
    Staff,
}

/// Why a visit ended. The words are what the database stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum VisitCloser {
    /// Staff cleared the table (清台).
    Staff,
    /// The bill was settled, which clears the table.
    Bill,
}

impl VisitOpener {
    pub const ALL: [VisitOpener; 2] = [VisitOpener::Scan, VisitOpener::Staff];

    pub fn as_str(self) -> &'static str {
        match self {
            VisitOpener::Scan => "scan",
            VisitOpener::Staff => "staff",
        }
    }

    pub fn parse(word: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|opener| opener.as_str() == word)
    }
}

impl VisitCloser {
    pub const ALL: [VisitCloser; 2] = [VisitCloser::Staff, VisitCloser::Bill];

    pub fn as_str(self) -> &'static str {
        match self {
            VisitCloser::Staff => "staff",
            VisitCloser::Bill => "bill",
        }
    }

    pub fn parse(word: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|closer| closer.as_str() == word)
    }
}

/// One visit, as the staff pages and the diner's bill show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TableVisit {
    pub id: String,
    /// The table the party sits at now (a move changes it).
    pub table: String,
    #[serde(with = "time::serde::rfc3339")]
    pub opened_at: OffsetDateTime,
    pub opened_by: VisitOpener,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "time::serde::rfc3339::option"
    )]
    pub closed_at: Option<OffsetDateTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_by: Option<VisitCloser>,
}

impl TableVisit {
    pub fn is_open(&self) -> bool {
        self.closed_at.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_word_reads_back_as_its_variant() {
        for opener in VisitOpener::ALL {
            assert_eq!(VisitOpener::parse(opener.as_str()), Some(opener));
            let json = serde_json::to_string(&opener).expect("json");
            assert_eq!(json, format!("\"{}\"", opener.as_str()));
        }
        for closer in VisitCloser::ALL {
            assert_eq!(VisitCloser::parse(closer.as_str()), Some(closer));
            let json = serde_json::to_string(&closer).expect("json");
            assert_eq!(json, format!("\"{}\"", closer.as_str()));
        }
        assert_eq!(VisitOpener::parse("walk_in"), None);
    }
}

//! Every failure the widget tells a diner about, each raised by one layer
//! (`api`, `store`, `actions`) and put into words by `i18n`.
//!
//! They live here, in a leaf, so that the words can name them without
//! importing the layers that raise them: words sit below state and actions,
//! never beside them in a circle. Failures that are only logged (a host
//! page refused, in `embed::host`) stay beside their code.

/// The server's HTTP API did not give what was asked (`api`).
#[derive(Debug, Clone, thiserror::Error)]
pub enum ApiError {
    #[error("the network request failed: {0}")]
    Network(String),
    #[error("the server answered {0}")]
    Status(u16),
    /// The server refused with a problem document of this kind.
    #[error("the server refused: {0:?}")]
    Refused(wendan_protocol::ProblemType),
    #[error("the server's answer could not be read: {0}")]
    Decode(String),
}

/// The phone's storage failed (`store`).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StoreError {
    #[error("storage is unavailable: {0}")]
    Unavailable(String),
    #[error("the phone's storage for this site is full")]
    Quota,
    #[error("record {key} could not be read: {why}")]
    Corrupt { key: String, why: String },
    #[error("could not encode a record: {0}")]
    Encode(String),
    #[error("this order is already saved")]
    AlreadyPlaced,
    #[error("the cart changed (perhaps ordered in another tab)")]
    CartChanged,
    #[error("storage failed: {0}")]
    Failed(String),
}

impl StoreError {
    /// Classifies a browser storage error by its DOMException name.
    pub fn from_browser(message: String) -> Self {
        if message.contains("QuotaExceeded") {
            StoreError::Quota
        } else if message.contains("ConstraintError") {
            StoreError::AlreadyPlaced
        } else {
            StoreError::Failed(message)
        }
    }
}

/// Why "Place order" saved nothing; the cart stays as it was (`actions`).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PlaceError {
    #[error("storage is not open")]
    NoStorage,
    #[error("no menu")]
    NoMenu,
    #[error("no random source for the order key")]
    NoRandomSource,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Why "Pay" did not hand the diner to a provider (`payment`). Nothing was
/// charged in either case.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PayError {
    #[error("the payment could not be started: {0}")]
    CouldNotStart(String),
    #[error("this way of paying cannot be started from this page")]
    NotHere,
    /// WeChat's Moments snapshot of the page (朋友圈快照页) has no real
    /// WeChat user, so it cannot pay until the diner opens the page itself.
    #[error("a WeChat snapshot page cannot pay")]
    WechatSnapshot,
}

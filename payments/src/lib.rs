//! Payments (WIP)
pub mod alipay;
pub mod merchant_ref;
pub mod money;
pub mod observation;
pub mod payment;
pub mod query_schedule;
pub mod rsa_sha256;
pub mod state;
pub mod wechat;

pub use merchant_ref::{MerchantRef, MerchantRefError};
pub use money::{Amount, Currency, MoneyError};
pub use observation::{Observation, ProviderOutcome, Source};
pub use payment::{Begin, Capture, Change, FollowUp, Payment, Refusal};
pub use query_schedule::{NextCheck, QuerySchedule};
pub use state::PaymentState;

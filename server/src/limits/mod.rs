//! Limits that keep order intake alive when someone misbehaves: a script
//! posting orders (`rate`), a flood of idle or slow connections
//! (`connections`), and more live-status streams than the server can feed
//! (`streams`). Each is sized so that a real lunch rush never reaches it.

pub mod address_key;
pub mod client_ip;
pub mod connections;
pub mod per_address;
pub mod rate;
pub mod request_body;
pub mod streams;

pub use address_key::AddressKey;
pub use connections::LimitedListener;
pub use rate::OrderRateLimits;
pub use streams::EventStreamLimits;

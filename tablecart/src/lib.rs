//! One shared cart per table (多人点餐, issue 18): every phone that scanned
//! the table's code edits the same cart, and anyone sends it to the kitchen
//! in rounds (送厨房).
//!
//! Plain Rust with the clock passed in, so the widget (wasm) and the server
//! run the very same rules, and tests replay any interleaving exactly.
//! The model is Replicache's, not a CRDT's: see `docs/tablecart.md`.
//!
//! - [`ids`]: who and what: phones, lines, diners.
//! - [`mutation`]: one change to the cart, numbered per phone.
//! - [`line`]: a line of the cart, as priced by the phone.
//! - [`outcome`]: what applying a mutation did, and why one was refused.
//! - `rules`: how a mutation changes lines, the same on phone and server.
//! - [`round`]: a cut of the cart sent to the kitchen, and asking for one.
//! - [`snapshot`]: the cart as the server broadcasts it.
//! - [`table`]: the server's side: applies in its own order, exactly once.
//! - [`phone`]: the phone's side: optimistic queue rebased on each snapshot.
//! - [`wire`]: what a phone sends the server and hears back.
//! - [`calls`]: the phone's calls for service (催单, 呼叫服务员) until acknowledged.

pub mod calls;
pub mod ids;
pub mod line;
pub mod mutation;
pub mod outcome;
pub mod phone;
pub mod round;
mod rules;
pub mod snapshot;
pub mod table;
pub mod wire;

pub use calls::{CallQueue, PendingCall};
pub use ids::{Diner, LineId, PhoneId};
pub use line::{Line, NewLine, total_minor};
pub use mutation::{Change, Mutation};
pub use outcome::{Field, Gone, Outcome, Rejection};
pub use phone::{Notice, Pending, PhoneCart, VisitCart};
pub use round::{Round, RoundOrder, RoundOutcome, RoundSummary, SendRequest};
pub use snapshot::{CartSnapshot, ExpiredLine, PhoneLog};
pub use table::TableCart;
pub use wire::{CartPush, CartState, RoundPress, RoundSent};

/// The most of one dish on one line: a slip of a thumb, not a banquet.
pub const MAX_LINE_QTY: u32 = 99;
/// Lines in one table's cart: bounds the stored document and the broadcast.
pub const MAX_LINES: usize = 200;
/// Phones one table remembers: a table of six with room for friends who
/// drop by, and a bound on the stored document against a script.
pub const MAX_PHONES: usize = 32;
/// Outcomes the table keeps per phone, so a re-delivered mutation gets its
/// original answer. A phone pushes at most this many mutations at a time
/// ([`PhoneCart::to_send`]), so it always learns every outcome of a push.
pub const KEPT_OUTCOMES: usize = 32;
/// Expired lines a snapshot still lists, so phones can say what went.
pub const KEPT_EXPIRED: usize = 16;
/// How long a line nobody touches stays in the cart. One Chinese product
/// uses 10 minutes; the server may pass its own to [`TableCart::new`].
pub const DEFAULT_LINE_TTL_SECS: u32 = 10 * 60;

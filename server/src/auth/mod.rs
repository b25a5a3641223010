//! Who may use the kitchen and the admin.
//!
//! Each part (`Scope`) has a token, set at start and validated then
//! (`token`): never empty, and outside `--demo` long and not guessable.
//! A bearer header carries it; a browser, which cannot send one on a plain
//! navigation (nor `EventSource` at all), trades it once for a random
//! server-side session (`session`) held in an HttpOnly, SameSite=Strict
//! cookie (`cookie`). Wrong tokens and unknown sessions are counted per
//! address, and a script guessing is held back (`throttle`). `gate` puts
//! these together; `guards` are the types handlers ask for. Tokens and
//! session ids are compared in constant time and never logged.

pub mod cookie;
pub mod gate;
pub mod guards;
pub mod scope;
pub mod session;
pub mod throttle;
pub mod token;

pub use gate::{Gate, Refusal};
pub use guards::{Admin, Kitchen};
pub use scope::Scope;
pub use token::{Token, TokenError, Tokens};

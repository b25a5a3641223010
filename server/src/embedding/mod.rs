//! Embedding the widget in restaurants' own sites: which origins may frame
//! it (`--frame-ancestors`), the restaurant's brand, the Content-Security-
//! Policy and hardening headers on every response, and where browsers report
//! a policy violation (`violation` reads the reports).

pub mod headers;
pub mod routes;
pub mod settings;
pub mod violation;

pub use headers::harden;
pub use settings::EmbedArgs;

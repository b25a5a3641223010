//! The one IndexedDB schema, shared by the page and the service worker.
//!
//! rexie's upgrades are declarative: every store named here exists after
//! opening, and stores not named are deleted. So this file is the only place
//! the schema lives, and a new version only ever adds stores; the stores it
//! keeps keep their records (tests/store.rs opens a version 1 database with
//! this schema and finds its queued order). Records are
//! `{key, json}`: the JSON is our own serde form, so decoding is the same
//! code natively and in wasm, and a corrupt record is one failed parse.

use rexie::{ObjectStore, Rexie};

pub const DB_NAME: &str = "wendan";
/// Raise when a store is added; never remove one a released widget used.
/// 1: cart, outbox, menu, quarantine. 2: `profile`, the remembered pickup name.
/// 3: `payments`, each order's payment as last known.
pub const DB_VERSION: u32 = 3;

pub const CART: &str = "cart";
pub const OUTBOX: &str = "outbox";
pub const MENU: &str = "menu";
/// Records that could not be read, set aside instead of crashing the widget.
pub const QUARANTINE: &str = "quarantine";
/// What the widget remembers about the diner on this phone (since version 2).
pub const PROFILE: &str = "profile";
/// Each order's payment as the phone last knew it, by order id (since
/// version 3): the receipt says "paid" offline, and a payment in flight is
/// written here before the diner leaves for the provider.
pub const PAYMENTS: &str = "payments";

/// The key of the single record in `cart`, `menu` and `profile`.
pub const CURRENT: &str = "current";

/// The key of a table's shared cart in `cart`, beside the phone's own
/// cart ([`CURRENT`]): one record per table the phone has sat at.
pub fn table_cart_key(table: &str) -> String {
    format!("table:{table}")
}

/// Opens (creating or upgrading) the database named `name`; the widget
/// uses [`DB_NAME`], tests their own.
pub async fn open(name: &str) -> Result<Rexie, rexie::Error> {
    Rexie::builder(name)
        .version(DB_VERSION)
        .add_object_store(ObjectStore::new(CART).key_path("key"))
        .add_object_store(ObjectStore::new(OUTBOX).key_path("key"))
        .add_object_store(ObjectStore::new(MENU).key_path("key"))
        .add_object_store(ObjectStore::new(QUARANTINE).key_path("key"))
        .add_object_store(ObjectStore::new(PROFILE).key_path("key"))
        .add_object_store(ObjectStore::new(PAYMENTS).key_path("key"))
        .build()
        .await
}

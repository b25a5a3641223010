//! Everything the widget keeps on the phone: the cart, the outbox of orders,
//! the last menu seen, the diner's remembered pickup name, each order's
//! payment as last known. IndexedDB through rexie, with localStorage
//! (through gloo-storage) as the fallback where IndexedDB is blocked.

mod indexed;
mod local;
pub mod record;
pub mod schema;

use serde::{Deserialize, Serialize};
use wendan_outbox::OutboxEntry;
use wendan_payments::wire::PaymentView;
use wendan_protocol::Menu;
use wendan_tablecart::VisitCart;

use crate::cart::Cart;
use crate::errors::StoreError;
use crate::profile::Profile;

/// The menu as last fetched, with what is needed to refresh it cheaply.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CachedMenu {
    pub menu: Menu,
    pub etag: Option<String>,
    /// Milliseconds since the epoch, by the device clock.
    pub fetched_at_ms: f64,
}

/// The outbox as read, with any records that had to be set aside.
#[derive(Debug, Clone, Default)]
pub struct OutboxLoad {
    pub entries: Vec<OutboxEntry>,
    pub set_aside: Vec<StoreError>,
}

#[derive(Clone)]
pub enum Store {
    Indexed(indexed::IndexedStore),
    /// IndexedDB is blocked (some private modes, some web-views).
    Local(local::LocalStore),
}

/// Calls the same method on whichever backend is open.
macro_rules! dispatch {
    ($self:ident.$method:ident($($arg:expr),*)) => {
        match $self {
            Store::Indexed(store) => store.$method($($arg),*).await,
            Store::Local(store) => store.$method($($arg),*).await,
        }
    };
}

impl Store {
    /// IndexedDB if it opens, else localStorage (and the diner is told).
    pub async fn open() -> Result<Self, StoreError> {
        match Self::open_indexed(schema::DB_NAME).await {
            Ok(store) => Ok(store),
            Err(error) => {
                log::warn(&format!(
                    "IndexedDB unavailable, using localStorage: {error}"
                ));
                Self::open_local()
            }
        }
    }

    /// IndexedDB only, under a given database name.
    pub async fn open_indexed(name: &str) -> Result<Self, StoreError> {
        indexed::IndexedStore::open(name).await.map(Store::Indexed)
    }

    /// localStorage only, as where IndexedDB is blocked.
    pub fn open_local() -> Result<Self, StoreError> {
        local::LocalStore::open().map(Store::Local)
    }

    pub fn is_fallback(&self) -> bool {
        matches!(self, Store::Local(_))
    }

    pub async fn load_cart(&self) -> Result<Cart, StoreError> {
        dispatch!(self.load_cart())
    }

    pub async fn save_cart(&self, cart: &Cart) -> Result<(), StoreError> {
        dispatch!(self.save_cart(cart))
    }

    /// The phone's share of a table's cart (`wendan_tablecart::VisitCart`),
    /// kept beside the phone's own cart, one record per table.
    pub async fn load_table_cart(&self, table: &str) -> Result<Option<VisitCart>, StoreError> {
        dispatch!(self.load_table_cart(table))
    }

    /// Keeps the table's cart with its queue of unsent changes, after every
    /// change and before it is sent, so the queue survives a reload.
    pub async fn save_table_cart(&self, table: &str, cart: &VisitCart) -> Result<(), StoreError> {
        dispatch!(self.save_table_cart(table, cart))
    }

    /// Saves a placed order and empties the cart, together: after a crash
    /// there is either the order or the cart, never both and never neither.
    /// Refused unless the stored cart is still at `cart_revision`, so a tap
    /// in a second tab cannot order the same cart again. The order's pickup
    /// name is remembered and already filled in the empty cart returned.
    pub async fn place(&self, entry: &OutboxEntry, cart_revision: u64) -> Result<Cart, StoreError> {
        dispatch!(self.place(entry, cart_revision))
    }

    /// What is remembered about the diner; nothing yet is the default.
    pub async fn load_profile(&self) -> Result<Profile, StoreError> {
        dispatch!(self.load_profile())
    }

    pub async fn outbox(&self) -> Result<OutboxLoad, StoreError> {
        dispatch!(self.outbox())
    }

    pub async fn put_entry(&self, entry: &OutboxEntry) -> Result<(), StoreError> {
        dispatch!(self.put_entry(entry))
    }

    pub async fn load_menu(&self) -> Result<Option<CachedMenu>, StoreError> {
        dispatch!(self.load_menu())
    }

    pub async fn save_menu(&self, menu: &CachedMenu) -> Result<(), StoreError> {
        dispatch!(self.save_menu(menu))
    }

    /// Every order's payment as last known on this phone.
    pub async fn payments(&self) -> Result<Vec<PaymentView>, StoreError> {
        dispatch!(self.payments())
    }

    /// Keeps an order's payment, replacing what was known of it.
    pub async fn put_payment(&self, payment: &PaymentView) -> Result<(), StoreError> {
        dispatch!(self.put_payment(payment))
    }
}

/// Console logging that works in windows and workers alike.
pub mod log {
    pub fn warn(message: &str) {
        web_sys::console::warn_1(&message.into());
    }
}

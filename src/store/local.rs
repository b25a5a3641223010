//! The localStorage fallback, for browsers that block IndexedDB. Small and
//! synchronous; the outbox is one JSON map so placing an order is one write.
//!
//! The map's entries are kept as raw JSON and read one by one: one bad
//! entry is reported while the others are delivered, and an unreadable map
//! is moved aside rather than overwritten by the next order.

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

use gloo_storage::errors::StorageError;
use gloo_storage::{LocalStorage, Storage};
use wendan_outbox::OutboxEntry;
use wendan_payments::wire::PaymentView;
use wendan_tablecart::VisitCart;

use super::{CachedMenu, OutboxLoad};
use crate::cart::Cart;
use crate::errors::StoreError;
use crate::profile::Profile;

const CART_KEY: &str = "wendan.cart";
const OUTBOX_KEY: &str = "wendan.outbox";
const MENU_KEY: &str = "wendan.menu";
const PROFILE_KEY: &str = "wendan.profile";
/// Followed by the table's id: the phone's share of that table's cart.
const TABLE_CART_KEY_PREFIX: &str = "wendan.tablecart.";
/// Each order's payment, by order id.
const PAYMENTS_KEY: &str = "wendan.payments";
/// Where an unreadable outbox map is kept, for support.
const QUARANTINE_KEY: &str = "wendan.quarantine.outbox";

type RawEntries = BTreeMap<String, Box<RawValue>>;

#[derive(Clone)]
pub struct LocalStore;

fn failed(error: StorageError) -> StoreError {
    StoreError::from_browser(error.to_string())
}

impl LocalStore {
    pub fn open() -> Result<Self, StoreError> {
        LocalStorage::raw()
            .length()
            .map_err(|_| StoreError::Unavailable("localStorage is blocked too".into()))?;
        Ok(LocalStore)
    }

    /// The outbox map, entry by entry still as JSON. A map that is not JSON
    /// is moved to [`QUARANTINE_KEY`] and reported, never silently emptied.
    fn entries(&self) -> Result<RawEntries, StoreError> {
        let Some(json) = LocalStorage::raw().get_item(OUTBOX_KEY).ok().flatten() else {
            return Ok(RawEntries::new());
        };
        serde_json::from_str(&json).or_else(|error| {
            let raw = LocalStorage::raw();
            raw.set_item(QUARANTINE_KEY, &json)
                .and_then(|()| raw.remove_item(OUTBOX_KEY))
                .map_err(|error| StoreError::from_browser(format!("{error:?}")))?;
            Err(StoreError::Corrupt {
                key: OUTBOX_KEY.into(),
                why: error.to_string(),
            })
        })
    }

    fn save_entries(&self, entries: &RawEntries) -> Result<(), StoreError> {
        LocalStorage::set(OUTBOX_KEY, entries).map_err(failed)
    }

    pub async fn load_cart(&self) -> Result<Cart, StoreError> {
        read(CART_KEY).map(Option::unwrap_or_default)
    }

    pub async fn save_cart(&self, cart: &Cart) -> Result<(), StoreError> {
        LocalStorage::set(CART_KEY, cart).map_err(failed)
    }

    pub async fn load_table_cart(&self, table: &str) -> Result<Option<VisitCart>, StoreError> {
        read(&format!("{TABLE_CART_KEY_PREFIX}{table}"))
    }

    pub async fn save_table_cart(&self, table: &str, cart: &VisitCart) -> Result<(), StoreError> {
        LocalStorage::set(format!("{TABLE_CART_KEY_PREFIX}{table}"), cart).map_err(failed)
    }

    pub async fn place(&self, entry: &OutboxEntry, cart_revision: u64) -> Result<Cart, StoreError> {
        let stored: Cart = read(CART_KEY)?.unwrap_or_default();
        if Cart::superseded(&stored, cart_revision) {
            return Err(StoreError::CartChanged);
        }
        let mut entries = self.entries()?;
        if entries.contains_key(entry.key.as_str()) {
            return Err(StoreError::AlreadyPlaced);
        }
        entries.insert(entry.key.to_string(), raw_entry(entry)?);
        let mut empty = Cart::emptied(cart_revision);
        // No transactions here: the name goes first, so if its write fails
        // nothing of the order has been written.
        if let Some(profile) = Profile::remembered_from(&entry.request) {
            LocalStorage::set(PROFILE_KEY, &profile).map_err(failed)?;
            empty.prefill(&profile);
        }
        self.save_entries(&entries)?;
        LocalStorage::set(CART_KEY, &empty).map_err(failed)?;
        Ok(empty)
    }

    pub async fn outbox(&self) -> Result<OutboxLoad, StoreError> {
        let mut load = OutboxLoad::default();
        for (key, value) in self.entries()? {
            match serde_json::from_str::<OutboxEntry>(value.get()) {
                Ok(entry) => load.entries.push(entry),
                Err(error) => load.set_aside.push(StoreError::Corrupt {
                    key,
                    why: error.to_string(),
                }),
            }
        }
        Ok(load)
    }

    pub async fn put_entry(&self, entry: &OutboxEntry) -> Result<(), StoreError> {
        let mut entries = self.entries()?;
        entries.insert(entry.key.to_string(), raw_entry(entry)?);
        self.save_entries(&entries)
    }

    pub async fn load_profile(&self) -> Result<Profile, StoreError> {
        read(PROFILE_KEY).map(Option::unwrap_or_default)
    }

    pub async fn load_menu(&self) -> Result<Option<CachedMenu>, StoreError> {
        read(MENU_KEY)
    }

    pub async fn payments(&self) -> Result<Vec<PaymentView>, StoreError> {
        let kept: Option<BTreeMap<String, PaymentView>> = read(PAYMENTS_KEY)?;
        Ok(kept.unwrap_or_default().into_values().collect())
    }

    pub async fn put_payment(&self, payment: &PaymentView) -> Result<(), StoreError> {
        let mut kept: BTreeMap<String, PaymentView> = read(PAYMENTS_KEY)?.unwrap_or_default();
        kept.insert(payment.order_id.clone(), payment.clone());
        LocalStorage::set(PAYMENTS_KEY, &kept).map_err(failed)
    }

    pub async fn save_menu(&self, menu: &CachedMenu) -> Result<(), StoreError> {
        LocalStorage::set(MENU_KEY, menu).map_err(failed)
    }
}

/// A stored value: `None` when absent, `Corrupt` when unreadable (shown to
/// the diner, and replaced by the next save).
fn read<T: DeserializeOwned>(key: &str) -> Result<Option<T>, StoreError> {
    match LocalStorage::get(key) {
        Ok(value) => Ok(Some(value)),
        Err(StorageError::KeyNotFound(_)) => Ok(None),
        Err(StorageError::SerdeError(error)) => Err(StoreError::Corrupt {
            key: key.into(),
            why: error.to_string(),
        }),
        Err(error) => Err(failed(error)),
    }
}

fn raw_entry(entry: &OutboxEntry) -> Result<Box<RawValue>, StoreError> {
    serde_json::to_string(entry)
        .and_then(RawValue::from_string)
        .map_err(|error| StoreError::Encode(error.to_string()))
}

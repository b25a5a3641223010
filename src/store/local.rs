//! The localStorage fallback, for browsers that block IndexedDB. Small and
//! synchronous; the outbox is one JSON map so placing an order is one write.

use std::collections::BTreeMap;

use gloo_storage::errors::StorageError;
use gloo_storage::{LocalStorage, Storage};
use wendan_outbox::OutboxEntry;

use super::{CachedMenu, OutboxLoad, StoreError};
use crate::cart::Cart;
use crate::profile::Profile;

const CART_KEY: &str = "wendan.cart";
const OUTBOX_KEY: &str = "wendan.outbox";
const MENU_KEY: &str = "wendan.menu";
const PROFILE_KEY: &str = "wendan.profile";

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

    fn entries(&self) -> BTreeMap<String, serde_json::Value> {
        LocalStorage::get(OUTBOX_KEY).unwrap_or_default()
    }

    pub async fn load_cart(&self) -> Result<Cart, StoreError> {
        Ok(LocalStorage::get(CART_KEY).unwrap_or_default())
    }

    pub async fn save_cart(&self, cart: &Cart) -> Result<(), StoreError> {
        LocalStorage::set(CART_KEY, cart).map_err(failed)
    }

    pub async fn place(&self, entry: &OutboxEntry, cart_revision: u64) -> Result<Cart, StoreError> {
        let stored: Cart = LocalStorage::get(CART_KEY).unwrap_or_default();
        if Cart::superseded(&stored, cart_revision) {
            return Err(StoreError::CartChanged);
        }
        let mut entries = self.entries();
        if entries.contains_key(entry.key.as_str()) {
            return Err(StoreError::AlreadyPlaced);
        }
        let value = serde_json::to_value(entry).map_err(|e| StoreError::Encode(e.to_string()))?;
        entries.insert(entry.key.to_string(), value);
        let mut empty = Cart::emptied(cart_revision);
        // No transactions here: the name goes first, so if its write fails
        // nothing of the order has been written.
        if let Some(profile) = Profile::remembered_from(&entry.request) {
            LocalStorage::set(PROFILE_KEY, &profile).map_err(failed)?;
            empty.prefill(&profile);
        }
        LocalStorage::set(OUTBOX_KEY, &entries).map_err(failed)?;
        LocalStorage::set(CART_KEY, &empty).map_err(failed)?;
        Ok(empty)
    }

    pub async fn outbox(&self) -> Result<OutboxLoad, StoreError> {
        let mut load = OutboxLoad::default();
        for (key, value) in self.entries() {
            match serde_json::from_value::<OutboxEntry>(value) {
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
        let mut entries = self.entries();
        let value = serde_json::to_value(entry).map_err(|e| StoreError::Encode(e.to_string()))?;
        entries.insert(entry.key.to_string(), value);
        LocalStorage::set(OUTBOX_KEY, &entries).map_err(failed)
    }

    pub async fn load_profile(&self) -> Result<Profile, StoreError> {
        match LocalStorage::get(PROFILE_KEY) {
            Ok(profile) => Ok(profile),
            Err(StorageError::KeyNotFound(_)) => Ok(Profile::default()),
            Err(StorageError::SerdeError(error)) => Err(StoreError::Corrupt {
                key: PROFILE_KEY.into(),
                why: error.to_string(),
            }),
            Err(error) => Err(failed(error)),
        }
    }

    pub async fn load_menu(&self) -> Result<Option<CachedMenu>, StoreError> {
        Ok(LocalStorage::get(MENU_KEY).ok())
    }

    pub async fn save_menu(&self, menu: &CachedMenu) -> Result<(), StoreError> {
        LocalStorage::set(MENU_KEY, menu).map_err(failed)
    }
}

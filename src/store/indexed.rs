//! The IndexedDB backend.

use std::rc::Rc;

use rexie::{Rexie, TransactionMode};
use wasm_bindgen::JsValue;
use wendan_outbox::OutboxEntry;
use wendan_payments::wire::PaymentView;
use wendan_tablecart::VisitCart;

use super::record::Record;
use super::schema::{self, CART, CURRENT, MENU, OUTBOX, PAYMENTS, PROFILE, QUARANTINE};
use super::{CachedMenu, OutboxLoad};
use crate::cart::Cart;
use crate::errors::StoreError;
use crate::profile::Profile;

#[derive(Clone)]
pub struct IndexedStore {
    db: Rc<Rexie>,
}

fn failed(error: rexie::Error) -> StoreError {
    StoreError::from_browser(format!("{error:?}"))
}

impl IndexedStore {
    pub async fn open(name: &str) -> Result<Self, StoreError> {
        let db = schema::open(name)
            .await
            .map_err(|error| StoreError::Unavailable(format!("{error:?}")))?;
        Ok(Self { db: Rc::new(db) })
    }

    async fn get(&self, store: &str, key: &str) -> Result<Option<Record>, StoreError> {
        let transaction = self
            .db
            .transaction(&[store], TransactionMode::ReadOnly)
            .map_err(failed)?;
        let value = transaction
            .store(store)
            .map_err(failed)?
            .get(JsValue::from_str(key))
            .await
            .map_err(failed)?;
        value.map(Record::from_js).transpose()
    }

    async fn put(&self, store: &str, record: &Record) -> Result<(), StoreError> {
        let transaction = self
            .db
            .transaction(&[store], TransactionMode::ReadWrite)
            .map_err(failed)?;
        transaction
            .store(store)
            .map_err(failed)?
            .put(&record.to_js()?, None)
            .await
            .map_err(failed)?;
        transaction.done().await.map_err(failed)?;
        Ok(())
    }

    /// Moves an unreadable record out of the way, keeping it for support.
    async fn set_aside(&self, store: &str, key: JsValue, raw: JsValue) -> Result<(), StoreError> {
        let transaction = self
            .db
            .transaction(&[store, QUARANTINE], TransactionMode::ReadWrite)
            .map_err(failed)?;
        let label = format!("{store}:{}", key.as_string().unwrap_or_default());
        let json = js_sys::JSON::stringify(&raw)
            .map(String::from)
            .unwrap_or_default();
        let kept = Record { key: label, json };
        transaction
            .store(QUARANTINE)
            .map_err(failed)?
            .put(&kept.to_js()?, None)
            .await
            .map_err(failed)?;
        transaction
            .store(store)
            .map_err(failed)?
            .delete(key)
            .await
            .map_err(failed)?;
        transaction.done().await.map_err(failed)?;
        Ok(())
    }

    pub async fn load_cart(&self) -> Result<Cart, StoreError> {
        match self.get(CART, CURRENT).await? {
            Some(record) => record.decode(),
            None => Ok(Cart::default()),
        }
    }

    pub async fn save_cart(&self, cart: &Cart) -> Result<(), StoreError> {
        self.put(CART, &Record::of(CURRENT, cart)?).await
    }

    pub async fn load_table_cart(&self, table: &str) -> Result<Option<VisitCart>, StoreError> {
        self.get(CART, &schema::table_cart_key(table))
            .await?
            .map(|record| record.decode())
            .transpose()
    }

    pub async fn save_table_cart(&self, table: &str, cart: &VisitCart) -> Result<(), StoreError> {
        self.put(CART, &Record::of(&schema::table_cart_key(table), cart)?)
            .await
    }

    pub async fn place(&self, entry: &OutboxEntry, cart_revision: u64) -> Result<Cart, StoreError> {
        let order = Record::of(entry.key.as_str(), entry)?.to_js()?;
        let remembered = Profile::remembered_from(&entry.request);
        let mut empty = Cart::emptied(cart_revision);
        if let Some(profile) = &remembered {
            empty.prefill(profile);
        }
        let empty_record = Record::of(CURRENT, &empty)?.to_js()?;
        let profile_record = match &remembered {
            Some(profile) => Some(Record::of(CURRENT, profile)?.to_js()?),
            None => None,
        };
        let transaction = self
            .db
            .transaction(&[OUTBOX, CART, PROFILE], TransactionMode::ReadWrite)
            .map_err(failed)?;
        let carts = transaction.store(CART).map_err(failed)?;
        let stored = carts
            .get(JsValue::from_str(CURRENT))
            .await
            .map_err(failed)?;
        let stored: Cart = match stored {
            Some(raw) => Record::from_js(raw)?.decode()?,
            None => Cart::default(),
        };
        if Cart::superseded(&stored, cart_revision) {
            transaction.abort().await.map_err(failed)?;
            return Err(StoreError::CartChanged);
        }
        // `add`, not `put`: a second "place" of the same order fails.
        transaction
            .store(OUTBOX)
            .map_err(failed)?
            .add(&order, None)
            .await
            .map_err(failed)?;
        transaction
            .store(CART)
            .map_err(failed)?
            .put(&empty_record, None)
            .await
            .map_err(failed)?;
        if let Some(profile) = profile_record {
            transaction
                .store(PROFILE)
                .map_err(failed)?
                .put(&profile, None)
                .await
                .map_err(failed)?;
        }
        transaction.done().await.map_err(failed)?;
        Ok(empty)
    }

    pub async fn outbox(&self) -> Result<OutboxLoad, StoreError> {
        let (entries, set_aside) = self.all(OUTBOX).await?;
        Ok(OutboxLoad { entries, set_aside })
    }

    /// Every record of `store`; unreadable ones are set aside and reported.
    async fn all<T: serde::de::DeserializeOwned>(
        &self,
        store: &str,
    ) -> Result<(Vec<T>, Vec<StoreError>), StoreError> {
        let transaction = self
            .db
            .transaction(&[store], TransactionMode::ReadOnly)
            .map_err(failed)?;
        let rows = transaction
            .store(store)
            .map_err(failed)?
            .scan(None, None, None, None)
            .await
            .map_err(failed)?;
        drop(transaction);
        let (mut values, mut set_aside) = (Vec::new(), Vec::new());
        for (key, raw) in rows {
            match Record::from_js(raw.clone()).and_then(|record| record.decode::<T>()) {
                Ok(value) => values.push(value),
                Err(error) => {
                    self.set_aside(store, key, raw).await?;
                    set_aside.push(error);
                }
            }
        }
        Ok((values, set_aside))
    }

    pub async fn payments(&self) -> Result<Vec<PaymentView>, StoreError> {
        let (payments, set_aside) = self.all(PAYMENTS).await?;
        match set_aside.into_iter().next() {
            Some(error) => Err(error),
            None => Ok(payments),
        }
    }

    pub async fn put_payment(&self, payment: &PaymentView) -> Result<(), StoreError> {
        self.put(PAYMENTS, &Record::of(&payment.order_id, payment)?)
            .await
    }

    pub async fn put_entry(&self, entry: &OutboxEntry) -> Result<(), StoreError> {
        self.put(OUTBOX, &Record::of(entry.key.as_str(), entry)?)
            .await
    }

    pub async fn load_profile(&self) -> Result<Profile, StoreError> {
        match self.get(PROFILE, CURRENT).await? {
            Some(record) => record.decode(),
            None => Ok(Profile::default()),
        }
    }

    pub async fn load_menu(&self) -> Result<Option<CachedMenu>, StoreError> {
        match self.get(MENU, CURRENT).await? {
            Some(record) => record.decode().map(Some),
            None => Ok(None),
        }
    }

    pub async fn save_menu(&self, menu: &CachedMenu) -> Result<(), StoreError> {
        self.put(MENU, &Record::of(CURRENT, menu)?).await
    }
}

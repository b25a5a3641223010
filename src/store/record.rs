//! `{key, json}` records, as IndexedDB and localStorage hold them.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsValue;

use crate::errors::StoreError;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Record {
    pub key: String,
    pub json: String,
}

impl Record {
    pub fn of<T: Serialize>(key: &str, value: &T) -> Result<Self, StoreError> {
        Ok(Self {
            key: key.to_owned(),
            json: serde_json::to_string(value).map_err(|e| StoreError::Encode(e.to_string()))?,
        })
    }

    pub fn decode<T: DeserializeOwned>(&self) -> Result<T, StoreError> {
        serde_json::from_str(&self.json).map_err(|error| StoreError::Corrupt {
            key: self.key.clone(),
            why: error.to_string(),
        })
    }

    /// `{key, json}` as a plain object, built by hand: two strings do not
    /// need a serde format (and the wasm does not need its code).
    pub fn to_js(&self) -> Result<JsValue, StoreError> {
        let object = js_sys::Object::new();
        for (field, value) in [("key", &self.key), ("json", &self.json)] {
            js_sys::Reflect::set(&object, &field.into(), &value.into())
                .map_err(|error| StoreError::Encode(format!("{error:?}")))?;
        }
        Ok(object.into())
    }

    /// A record read back; anything that is not `{key, json}` is corrupt.
    pub fn from_js(value: JsValue) -> Result<Self, StoreError> {
        let field = |name: &str| {
            js_sys::Reflect::get(&value, &name.into())
                .ok()
                .and_then(|field| field.as_string())
        };
        match (field("key"), field("json")) {
            (Some(key), Some(json)) => Ok(Self { key, json }),
            (key, _) => Err(StoreError::Corrupt {
                key: key.unwrap_or_else(|| "?".into()),
                why: "not a {key, json} record".into(),
            }),
        }
    }
}

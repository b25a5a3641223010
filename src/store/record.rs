//! `{key, json}` records, as IndexedDB and localStorage hold them.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsValue;

use super::StoreError;

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

    pub fn to_js(&self) -> Result<JsValue, StoreError> {
        serde_wasm_bindgen::to_value(self).map_err(|e| StoreError::Encode(e.to_string()))
    }

    /// A record read back; anything that is not `{key, json}` is corrupt.
    pub fn from_js(value: JsValue) -> Result<Self, StoreError> {
        serde_wasm_bindgen::from_value(value).map_err(|error| StoreError::Corrupt {
            key: "?".into(),
            why: error.to_string(),
        })
    }
}

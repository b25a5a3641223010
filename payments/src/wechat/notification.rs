//! Payment and refund notifications (支付/退款结果通知): a signed POST whose
//! `resource` is encrypted with AEAD_AES_256_GCM under the merchant's APIv3
//! key. The server answers HTTP 200 or 204 with no body to acknowledge;
//! anything else and WeChat resends (15 s, 15 s, 30 s, 3 m, … over 24 h).

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::WechatError;
use super::auth::{PlatformKeys, WechatpayHeaders};
use super::refund::Refund;
use super::transaction::Transaction;

/// The only algorithm APIv3 uses for resources.
pub const ALGORITHM: &str = "AEAD_AES_256_GCM";

/// The merchant's APIv3 key: 32 bytes, set in the merchant platform.
#[derive(Clone)]
pub struct ApiV3Key([u8; 32]);

impl std::fmt::Debug for ApiV3Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ApiV3Key(…)")
    }
}

impl ApiV3Key {
    /// The key as the merchant platform shows it (32 ASCII characters).
    pub fn new(key: &str) -> Result<Self, WechatError> {
        key.as_bytes()
            .try_into()
            .map(ApiV3Key)
            .map_err(|_| WechatError::ApiV3Key)
    }

    fn cipher(&self) -> Result<Aes256Gcm, WechatError> {
        Aes256Gcm::new_from_slice(&self.0).map_err(|_| WechatError::ApiV3Key)
    }
}

/// The notification as posted (before decryption).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope {
    pub id: String,
    pub create_time: String,
    /// `TRANSACTION.SUCCESS`, `REFUND.SUCCESS`, `REFUND.ABNORMAL`, `REFUND.CLOSED`.
    pub event_type: String,
    pub resource_type: String,
    #[serde(default)]
    pub summary: String,
    pub resource: EncryptedResource,
}

/// The encrypted `resource`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EncryptedResource {
    pub algorithm: String,
    pub ciphertext: String,
    #[serde(default)]
    pub associated_data: String,
    pub nonce: String,
    /// `transaction` or `refund`.
    pub original_type: String,
}

impl Envelope {
    /// Parses the body, nothing more (no trust yet): the fuzzing entry point.
    pub fn from_bytes(body: &[u8]) -> Result<Self, WechatError> {
        Ok(serde_json::from_slice(body)?)
    }
}

impl EncryptedResource {
    /// The plaintext JSON, or [`WechatError::Decrypt`] when the tag does not
    /// verify (a forged resource, or the wrong key).
    pub fn decrypt(&self, key: &ApiV3Key) -> Result<Vec<u8>, WechatError> {
        if self.algorithm != ALGORITHM {
            return Err(WechatError::Algorithm(self.algorithm.clone()));
        }
        let ciphertext = BASE64
            .decode(&self.ciphertext)
            .map_err(|e| WechatError::Encoding(e.to_string()))?;
        let nonce = Nonce::try_from(self.nonce.as_bytes())
            .map_err(|_| WechatError::Encoding("the nonce must be 12 bytes".into()))?;
        key.cipher()?
            .decrypt(
                &nonce,
                Payload {
                    msg: &ciphertext,
                    aad: self.associated_data.as_bytes(),
                },
            )
            .map_err(|_| WechatError::Decrypt)
    }

    /// Encrypts a resource (the sandbox plays WeChat Pay). `nonce` is 12
    /// ASCII characters, fresh for every message.
    pub fn encrypt(
        key: &ApiV3Key,
        nonce: &str,
        associated_data: &str,
        original_type: &str,
        plaintext: &[u8],
    ) -> Result<Self, WechatError> {
        let nonce_bytes = Nonce::try_from(nonce.as_bytes())
            .map_err(|_| WechatError::Encoding("the nonce must be 12 bytes".into()))?;
        let ciphertext = key
            .cipher()?
            .encrypt(
                &nonce_bytes,
                Payload {
                    msg: plaintext,
                    aad: associated_data.as_bytes(),
                },
            )
            .map_err(|_| WechatError::Decrypt)?;
        Ok(EncryptedResource {
            algorithm: ALGORITHM.to_owned(),
            ciphertext: BASE64.encode(ciphertext),
            associated_data: associated_data.to_owned(),
            nonce: nonce.to_owned(),
            original_type: original_type.to_owned(),
        })
    }
}

/// A verified, decrypted notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notification {
    /// `TRANSACTION.*`: the payment's state (map it with
    /// [`Transaction::observation`]).
    Transaction {
        id: String,
        transaction: Transaction,
    },
    /// `REFUND.*`: a refund's outcome.
    Refund { id: String, refund: Refund },
}

/// Verifies the signature (platform key, within the time tolerance), then
/// decrypts and parses the resource. Nothing in an unverified body is used.
pub fn verify_and_decrypt(
    headers: &WechatpayHeaders,
    body: &[u8],
    platform: &PlatformKeys,
    key: &ApiV3Key,
    now: OffsetDateTime,
) -> Result<Notification, WechatError> {
    headers.verify(body, platform, now)?;
    let envelope = Envelope::from_bytes(body)?;
    let plaintext = envelope.resource.decrypt(key)?;
    if envelope.resource.original_type == "refund" || envelope.event_type.starts_with("REFUND.") {
        Ok(Notification::Refund {
            id: envelope.id,
            refund: serde_json::from_slice(&plaintext)?,
        })
    } else {
        Ok(Notification::Transaction {
            id: envelope.id,
            transaction: serde_json::from_slice(&plaintext)?,
        })
    }
}

//! Signatures both ways: the merchant signs each request
//! (`METHOD\nURL\ntimestamp\nnonce\nbody\n`), WeChat signs each answer and
//! notification (`timestamp\nnonce\nbody\n`) with its platform key, named by
//! `Wechatpay-Serial`.

use time::OffsetDateTime;

use super::{TIMESTAMP_TOLERANCE, WechatError};
use crate::rsa_sha256::{SigningKey, VerifyingKey};

/// The scheme word of the `Authorization` header.
pub const SCHEME: &str = "WECHATPAY2-SHA256-RSA2048";

/// What a merchant signs a request over. `canonical_url` is the path with
/// its query string (`/v3/pay/transactions/out-trade-no/X?mchid=Y`); `body` is
/// empty for GET.
pub fn request_message(
    method: &str,
    canonical_url: &str,
    timestamp: i64,
    nonce: &str,
    body: &str,
) -> String {
    format!("{method}\n{canonical_url}\n{timestamp}\n{nonce}\n{body}\n")
}

/// The merchant's signing identity: 商户号, the serial of its API
/// certificate, and its private key (`apiclient_key.pem`).
#[derive(Debug, Clone)]
pub struct MerchantSigner {
    pub mchid: String,
    pub serial_no: String,
    key: SigningKey,
}

impl MerchantSigner {
    pub fn new(mchid: impl Into<String>, serial_no: impl Into<String>, key: SigningKey) -> Self {
        MerchantSigner {
            mchid: mchid.into(),
            serial_no: serial_no.into(),
            key,
        }
    }

    /// The base64 SHA256withRSA signature of `message` under the merchant key.
    pub fn sign(&self, message: &str) -> Result<String, WechatError> {
        Ok(self.key.sign_base64(message.as_bytes())?)
    }

    /// The `Authorization` header value for one request.
    pub fn authorization(
        &self,
        method: &str,
        canonical_url: &str,
        body: &str,
        timestamp: i64,
        nonce: &str,
    ) -> Result<String, WechatError> {
        let signature = self.sign(&request_message(
            method,
            canonical_url,
            timestamp,
            nonce,
            body,
        ))?;
        Ok(Authorization {
            mchid: self.mchid.clone(),
            nonce_str: nonce.to_owned(),
            timestamp,
            serial_no: self.serial_no.clone(),
            signature,
        }
        .to_header())
    }
}

/// A parsed `Authorization` header (the sandbox checks merchants with it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorization {
    pub mchid: String,
    pub nonce_str: String,
    pub timestamp: i64,
    pub serial_no: String,
    pub signature: String,
}

impl Authorization {
    /// The header as the official SDKs write it (quoted values).
    pub fn to_header(&self) -> String {
        format!(
            "{SCHEME} mchid=\"{}\",nonce_str=\"{}\",timestamp=\"{}\",serial_no=\"{}\",signature=\"{}\"",
            self.mchid, self.nonce_str, self.timestamp, self.serial_no, self.signature
        )
    }

    /// Reads the header, in any order of its fields, quoted or not.
    pub fn parse(header: &str) -> Result<Self, WechatError> {
        let bad = |why: &str| WechatError::Authorization(why.to_owned());
        let fields = header
            .strip_prefix(SCHEME)
            .and_then(|rest| rest.strip_prefix(' '))
            .ok_or_else(|| bad("not WECHATPAY2-SHA256-RSA2048"))?;
        let mut found: [Option<String>; 5] = Default::default();
        const NAMES: [&str; 5] = ["mchid", "nonce_str", "timestamp", "serial_no", "signature"];
        for field in fields.split(',') {
            let (name, value) = field
                .trim()
                .split_once('=')
                .ok_or_else(|| bad("field without ="))?;
            let value = value.trim_matches('"').to_owned();
            let slot = NAMES
                .iter()
                .position(|known| *known == name)
                .ok_or_else(|| bad("unknown field"))?;
            if found[slot].replace(value).is_some() {
                return Err(bad("repeated field"));
            }
        }
        let [mchid, nonce_str, timestamp, serial_no, signature] =
            found.map(|value| value.ok_or_else(|| bad("missing field")));
        let timestamp = timestamp?;
        Ok(Authorization {
            mchid: mchid?,
            nonce_str: nonce_str?,
            timestamp: timestamp
                .parse()
                .map_err(|_| WechatError::Timestamp(timestamp))?,
            serial_no: serial_no?,
            signature: signature?,
        })
    }

    /// Checks the signature over this request with the merchant's public key.
    pub fn verify(
        &self,
        method: &str,
        canonical_url: &str,
        body: &str,
        merchant_key: &VerifyingKey,
        now: OffsetDateTime,
    ) -> Result<(), WechatError> {
        check_fresh(self.timestamp, now)?;
        let message = request_message(method, canonical_url, self.timestamp, &self.nonce_str, body);
        Ok(merchant_key.verify_base64(message.as_bytes(), &self.signature)?)
    }
}

/// WeChat Pay's platform keys, by serial (`Wechatpay-Serial`): a platform
/// certificate serial, or a `PUB_KEY_ID_…` for the newer platform public key.
#[derive(Debug, Clone, Default)]
pub struct PlatformKeys(Vec<(String, VerifyingKey)>);

impl PlatformKeys {
    pub fn new() -> Self {
        PlatformKeys::default()
    }

    pub fn with(mut self, serial: impl Into<String>, key: VerifyingKey) -> Self {
        self.0.push((serial.into(), key));
        self
    }

    pub fn get(&self, serial: &str) -> Option<&VerifyingKey> {
        self.0
            .iter()
            .find(|(known, _)| known == serial)
            .map(|(_, key)| key)
    }
}

/// The `Wechatpay-Signature`, `-Timestamp`, `-Nonce` and `-Serial` headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WechatpayHeaders {
    pub signature: String,
    pub timestamp: String,
    pub nonce: String,
    pub serial: String,
}

impl WechatpayHeaders {
    pub const SIGNATURE: &'static str = "Wechatpay-Signature";
    pub const TIMESTAMP: &'static str = "Wechatpay-Timestamp";
    pub const NONCE: &'static str = "Wechatpay-Nonce";
    pub const SERIAL: &'static str = "Wechatpay-Serial";

    /// Reads them through `get`, a case-insensitive header lookup.
    pub fn from_headers<'a>(get: impl Fn(&str) -> Option<&'a str>) -> Result<Self, WechatError> {
        let header = |name: &'static str| {
            get(name)
                .map(str::to_owned)
                .ok_or(WechatError::MissingHeader(name))
        };
        Ok(WechatpayHeaders {
            signature: header(Self::SIGNATURE)?,
            timestamp: header(Self::TIMESTAMP)?,
            nonce: header(Self::NONCE)?,
            serial: header(Self::SERIAL)?,
        })
    }

    /// Signs an answer or notification body (the sandbox plays WeChat Pay).
    pub fn sign(
        key: &SigningKey,
        serial: &str,
        timestamp: i64,
        nonce: &str,
        body: &[u8],
    ) -> Result<Self, WechatError> {
        let timestamp = timestamp.to_string();
        let signature = key.sign_base64(&answer_message(&timestamp, nonce, body))?;
        Ok(WechatpayHeaders {
            signature,
            timestamp,
            nonce: nonce.to_owned(),
            serial: serial.to_owned(),
        })
    }

    /// Checks that WeChat Pay signed `body` recently with a key we trust.
    pub fn verify(
        &self,
        body: &[u8],
        platform: &PlatformKeys,
        now: OffsetDateTime,
    ) -> Result<(), WechatError> {
        let timestamp: i64 = self
            .timestamp
            .parse()
            .map_err(|_| WechatError::Timestamp(self.timestamp.clone()))?;
        check_fresh(timestamp, now)?;
        let key = platform
            .get(&self.serial)
            .ok_or_else(|| WechatError::UnknownSerial(self.serial.clone()))?;
        Ok(key.verify_base64(
            &answer_message(&self.timestamp, &self.nonce, body),
            &self.signature,
        )?)
    }
}

fn answer_message(timestamp: &str, nonce: &str, body: &[u8]) -> Vec<u8> {
    let mut message = Vec::with_capacity(body.len() + 64);
    message.extend_from_slice(timestamp.as_bytes());
    message.push(b'\n');
    message.extend_from_slice(nonce.as_bytes());
    message.push(b'\n');
    message.extend_from_slice(body);
    message.push(b'\n');
    message
}

fn check_fresh(timestamp: i64, now: OffsetDateTime) -> Result<(), WechatError> {
    let now = now.unix_timestamp();
    if now.abs_diff(timestamp) >= TIMESTAMP_TOLERANCE.whole_seconds().unsigned_abs() {
        return Err(WechatError::Expired { timestamp, now });
    }
    Ok(())
}

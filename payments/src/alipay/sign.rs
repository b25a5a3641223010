//! The string Alipay signs: every parameter with a non-empty value, sorted by
//! name, as `name=value` joined by `&`, values not URL-encoded. Requests leave
//! out only `sign` (alipay-sdk-java `AlipaySignature.getSignContent`);
//! notifications leave out `sign` and `sign_type` (`getSignCheckContentV1`,
//! the rule for 异步通知验签).

use std::collections::BTreeMap;

use super::AlipayError;
use crate::rsa_sha256::{SigningKey, VerifyingKey};

/// Which parameters stay out of the signed string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Content {
    /// A request the merchant signs (and `rsaCheckV2`): without `sign`.
    Request,
    /// An asynchronous notification: without `sign` and `sign_type`.
    Notification,
}

/// The signed string of `params`.
pub fn content(params: &BTreeMap<String, String>, kind: Content) -> String {
    params
        .iter()
        .filter(|(name, value)| {
            let left_out = match name.as_str() {
                "sign" => true,
                "sign_type" => kind == Content::Notification,
                _ => false,
            };
            !(left_out || name.is_empty() || value.is_empty())
        })
        .map(|(name, value)| format!("{name}={value}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// Adds `sign` to `params` (which already hold `sign_type=RSA2`).
pub fn sign(params: &mut BTreeMap<String, String>, key: &SigningKey) -> Result<(), AlipayError> {
    let signature = key.sign_base64(content(params, Content::Request).as_bytes())?;
    params.insert("sign".into(), signature);
    Ok(())
}

/// Checks `params[sign]` over `params`, read as `kind`.
pub fn verify(
    params: &BTreeMap<String, String>,
    kind: Content,
    key: &VerifyingKey,
) -> Result<(), AlipayError> {
    if let Some(sign_type) = params.get("sign_type")
        && sign_type != "RSA2"
    {
        return Err(AlipayError::SignType(sign_type.clone()));
    }
    let signature = params.get("sign").ok_or(AlipayError::Missing("sign"))?;
    Ok(key.verify_base64(content(params, kind).as_bytes(), signature)?)
}

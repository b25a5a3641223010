//! The parameters the page hands to
//! `WeixinJSBridge.invoke('getBrandWCPayRequest', …)` (or a mini-program's
//! `wx.requestPayment`): signed by the merchant over
//! `appId\ntimeStamp\nnonceStr\npackage\n` (JSAPI 调起支付, signType `RSA`).

use super::WechatError;
use super::auth::MerchantSigner;
use crate::rsa_sha256::VerifyingKey;

pub use crate::wire::BridgePayment;

fn message(app_id: &str, time_stamp: &str, nonce_str: &str, package: &str) -> String {
    format!("{app_id}\n{time_stamp}\n{nonce_str}\n{package}\n")
}

/// Signs the bridge parameters for `prepay_id`.
pub fn bridge_payment(
    signer: &MerchantSigner,
    app_id: &str,
    prepay_id: &str,
    timestamp: i64,
    nonce: &str,
) -> Result<BridgePayment, WechatError> {
    let time_stamp = timestamp.to_string();
    let package = format!("prepay_id={prepay_id}");
    let pay_sign = signer.sign(&message(app_id, &time_stamp, nonce, &package))?;
    Ok(BridgePayment {
        app_id: app_id.to_owned(),
        time_stamp,
        nonce_str: nonce.to_owned(),
        package,
        sign_type: "RSA".to_owned(),
        pay_sign,
    })
}

impl BridgePayment {
    /// Checks `paySign` with the merchant's public key (the sandbox's
    /// stand-in for the WeChat client does this).
    pub fn verify(&self, merchant_key: &VerifyingKey) -> Result<(), WechatError> {
        let signed = message(
            &self.app_id,
            &self.time_stamp,
            &self.nonce_str,
            &self.package,
        );
        Ok(merchant_key.verify_base64(signed.as_bytes(), &self.pay_sign)?)
    }

    /// The `prepay_id` inside `package`.
    pub fn prepay_id(&self) -> Option<&str> {
        self.package.strip_prefix("prepay_id=")
    }
}

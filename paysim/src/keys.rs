//! The sandbox's keys, made at start (or read back from a directory), and
//! written where the merchant's server can point its configuration.
//!
//! Both halves of every pair are here because the sandbox plays both the
//! provider (its platform key, Alipay's key, the webhook secret) and the
//! registry where a merchant uploads its public key.

use std::path::Path;

use anyhow::Context;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use wendan_payments::{SigningKey, VerifyingKey};

/// RSA size the providers require of merchants (2048).
const BITS: usize = 2048;

#[derive(Debug, Clone)]
pub struct SandboxKeys {
    /// The merchant's WeChat Pay API key (`apiclient_key.pem`) and its
    /// certificate serial; the sandbox checks requests with the public half.
    pub wechat_merchant: SigningKey,
    pub wechat_merchant_serial: String,
    /// WeChat Pay's platform key, named by `Wechatpay-Serial`.
    pub wechat_platform: SigningKey,
    pub wechat_platform_serial: String,
    /// The merchant's APIv3 key (32 characters).
    pub wechat_api_v3_key: String,
    /// The merchant's Alipay application private key.
    pub alipay_app: SigningKey,
    /// Alipay's own key (the merchant holds its public half).
    pub alipay: SigningKey,
    /// Stripe's secret API key and the webhook endpoint's signing secret.
    pub stripe_secret_key: String,
    pub stripe_webhook_secret: String,
}

const FILES: [&str; 9] = [
    "wechat_merchant_key.pem",
    "wechat_merchant_serial.txt",
    "wechat_platform_key.pem",
    "wechat_platform_serial.txt",
    "wechat_apiv3_key.txt",
    "alipay_app_private_key.pem",
    "alipay_key.pem",
    "stripe_secret_key.txt",
    "stripe_webhook_secret.txt",
];

fn token(rng: &mut StdRng, len: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    (0..len)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect()
}

impl SandboxKeys {
    /// Fresh keys from `seed`: the same seed gives the same keys.
    pub fn generate(seed: u64) -> anyhow::Result<Self> {
        let mut rng = StdRng::seed_from_u64(seed);
        Ok(SandboxKeys {
            wechat_merchant: SigningKey::generate(&mut rng, BITS)?,
            wechat_merchant_serial: token(&mut rng, 40).to_uppercase(),
            wechat_platform: SigningKey::generate(&mut rng, BITS)?,
            wechat_platform_serial: format!("PUB_KEY_ID_{}", token(&mut rng, 20)),
            wechat_api_v3_key: token(&mut rng, 32),
            alipay_app: SigningKey::generate(&mut rng, BITS)?,
            alipay: SigningKey::generate(&mut rng, BITS)?,
            stripe_secret_key: format!("sk_test_sandbox_{}", token(&mut rng, 24)),
            stripe_webhook_secret: format!("whsec_{}", token(&mut rng, 32)),
        })
    }

    /// Reads keys written by [`SandboxKeys::write`].
    pub fn read(dir: &Path) -> anyhow::Result<Self> {
        let read = |name: &str| {
            std::fs::read_to_string(dir.join(name))
                .with_context(|| format!("reading {}", dir.join(name).display()))
                .map(|text| text.trim().to_owned())
        };
        let key = |name: &str| -> anyhow::Result<SigningKey> {
            SigningKey::from_pem(&read(name)?).with_context(|| format!("{name} is not a key"))
        };
        Ok(SandboxKeys {
            wechat_merchant: key(FILES[0])?,
            wechat_merchant_serial: read(FILES[1])?,
            wechat_platform: key(FILES[2])?,
            wechat_platform_serial: read(FILES[3])?,
            wechat_api_v3_key: read(FILES[4])?,
            alipay_app: key(FILES[5])?,
            alipay: key(FILES[6])?,
            stripe_secret_key: read(FILES[7])?,
            stripe_webhook_secret: read(FILES[8])?,
        })
    }

    /// Writes every key, and the public halves a merchant's server needs
    /// (`wechat_platform_public.pem`, `alipay_public_key.pem`).
    pub fn write(&self, dir: &Path) -> anyhow::Result<()> {
        std::fs::create_dir_all(dir)?;
        let contents = [
            self.wechat_merchant.to_pkcs8_pem()?,
            self.wechat_merchant_serial.clone(),
            self.wechat_platform.to_pkcs8_pem()?,
            self.wechat_platform_serial.clone(),
            self.wechat_api_v3_key.clone(),
            self.alipay_app.to_pkcs8_pem()?,
            self.alipay.to_pkcs8_pem()?,
            self.stripe_secret_key.clone(),
            self.stripe_webhook_secret.clone(),
        ];
        for (name, content) in FILES.iter().zip(contents) {
            std::fs::write(dir.join(name), content)?;
        }
        std::fs::write(
            dir.join("wechat_platform_public.pem"),
            self.wechat_platform.verifying_key().to_pem()?,
        )?;
        std::fs::write(
            dir.join("alipay_public_key.pem"),
            self.alipay.verifying_key().to_pem()?,
        )?;
        Ok(())
    }

    pub fn wechat_merchant_public(&self) -> VerifyingKey {
        self.wechat_merchant.verifying_key()
    }

    pub fn alipay_app_public(&self) -> VerifyingKey {
        self.alipay_app.verifying_key()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_keys_read_back_the_same() {
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/keys");
        let keys = SandboxKeys::read(&fixtures).unwrap();
        let dir = std::env::temp_dir().join(format!("paysim-keys-{}", std::process::id()));
        keys.write(&dir).unwrap();
        let again = SandboxKeys::read(&dir).unwrap();
        assert_eq!(
            again.wechat_merchant_public(),
            keys.wechat_merchant_public()
        );
        assert_eq!(again.alipay.verifying_key(), keys.alipay.verifying_key());
        assert_eq!(again.wechat_api_v3_key, keys.wechat_api_v3_key);
        assert_eq!(again.stripe_webhook_secret, keys.stripe_webhook_secret);
        let public = std::fs::read_to_string(dir.join("alipay_public_key.pem")).unwrap();
        assert_eq!(
            VerifyingKey::from_pem(&public).unwrap(),
            keys.alipay.verifying_key()
        );
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(SandboxKeys::read(&dir).is_err());
    }
}

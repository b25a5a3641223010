//! SHA256withRSA (RSASSA-PKCS1-v1_5 over SHA-256), base64 signatures: what
//! WeChat Pay v3 and Alipay RSA2 both specify. One definition for both.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use rsa::pkcs1::{DecodeRsaPrivateKey, DecodeRsaPublicKey};
use rsa::pkcs8::{
    DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey, LineEnding,
};
use rsa::rand_core::TryCryptoRng;
use rsa::{PrivateKey, PublicKey};
use sha2::Sha256;

/// Why a key could not be read or made.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("not an RSA private key in PKCS#8 or PKCS#1 PEM, or base64 DER")]
    PrivateKey,
    #[error("not an RSA public key in SubjectPublicKeyInfo or PKCS#1 PEM, or base64 DER")]
    PublicKey,
    #[error("could not generate or encode an RSA key: {0}")]
    Rsa(#[from] rsa::Error),
    #[error("could not encode the key: {0}")]
    Encoding(String),
}

/// Why a signature was not made or not accepted.
#[derive(Debug, thiserror::Error)]
pub enum SignatureError {
    #[error("the signature is not base64")]
    NotBase64(#[source] base64::DecodeError),
    #[error("the signature does not match the message")]
    Mismatch,
    #[error("signing failed: {0}")]
    Sign(#[source] rsa::Error),
}

/// A private key that signs (the merchant's, or the sandbox's platform key).
#[derive(Clone)]
pub struct SigningKey(PrivateKey);

/// A public key that checks signatures (the platform's, Alipay's, or the
/// merchant's in the sandbox).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyingKey(PublicKey);

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningKey(…)")
    }
}

impl SigningKey {
    /// Reads `-----BEGIN PRIVATE KEY-----` (PKCS#8, WeChat's
    /// `apiclient_key.pem`), `-----BEGIN RSA PRIVATE KEY-----` (PKCS#1), or
    /// the bare base64 PKCS#8 that Alipay's key tool prints.
    pub fn from_pem(text: &str) -> Result<Self, KeyError> {
        let text = text.trim();
        let key = if text.contains("BEGIN RSA PRIVATE KEY") {
            PrivateKey::from_pkcs1_pem(text).ok()
        } else if text.contains("BEGIN") {
            PrivateKey::from_pkcs8_pem(text).ok()
        } else {
            bare_der(text).and_then(|der| {
                PrivateKey::from_pkcs8_der(&der)
                    .ok()
                    .or_else(|| PrivateKey::from_pkcs1_der(&der).ok())
            })
        };
        key.map(SigningKey).ok_or(KeyError::PrivateKey)
    }

    /// A fresh key (the sandbox makes its own at start).
    pub fn generate<R: TryCryptoRng + ?Sized>(rng: &mut R, bits: usize) -> Result<Self, KeyError> {
        Ok(SigningKey(PrivateKey::new(rng, bits)?))
    }

    pub fn to_pkcs8_pem(&self) -> Result<String, KeyError> {
        self.0
            .to_pkcs8_pem(LineEnding::LF)
            .map(|pem| pem.to_string())
            .map_err(|e| KeyError::Encoding(e.to_string()))
    }

    pub fn verifying_key(&self) -> VerifyingKey {
        VerifyingKey(self.0.to_public_key())
    }

    /// The base64 signature of `message`.
    pub fn sign_base64(&self, message: &[u8]) -> Result<String, SignatureError> {
        let signature = self
            .0
            .pkcs1v15_sign::<Sha256>(message)
            .map_err(SignatureError::Sign)?;
        Ok(BASE64.encode(signature))
    }
}

impl VerifyingKey {
    /// Reads `-----BEGIN PUBLIC KEY-----` (WeChat's platform public key),
    /// `-----BEGIN RSA PUBLIC KEY-----`, or Alipay's bare base64 public key.
    pub fn from_pem(text: &str) -> Result<Self, KeyError> {
        let text = text.trim();
        let key = if text.contains("BEGIN RSA PUBLIC KEY") {
            PublicKey::from_pkcs1_pem(text).ok()
        } else if text.contains("BEGIN") {
            PublicKey::from_public_key_pem(text).ok()
        } else {
            bare_der(text).and_then(|der| {
                PublicKey::from_public_key_der(&der)
                    .ok()
                    .or_else(|| PublicKey::from_pkcs1_der(&der).ok())
            })
        };
        key.map(VerifyingKey).ok_or(KeyError::PublicKey)
    }

    pub fn to_pem(&self) -> Result<String, KeyError> {
        self.0
            .to_public_key_pem(LineEnding::LF)
            .map_err(|e| KeyError::Encoding(e.to_string()))
    }

    /// Alipay's spelling: the DER as one base64 line, no PEM armour.
    pub fn to_bare_base64(&self) -> Result<String, KeyError> {
        let der = self
            .0
            .to_public_key_der()
            .map_err(|e| KeyError::Encoding(e.to_string()))?;
        Ok(BASE64.encode(der.as_bytes()))
    }

    /// Checks a base64 signature of `message`.
    pub fn verify_base64(&self, message: &[u8], signature: &str) -> Result<(), SignatureError> {
        let signature = BASE64
            .decode(signature.trim())
            .map_err(SignatureError::NotBase64)?;
        self.0
            .pkcs1v15_verify::<Sha256>(message, &signature)
            .map_err(|_| SignatureError::Mismatch)
    }
}

fn bare_der(text: &str) -> Option<Vec<u8>> {
    let joined: String = text.split_whitespace().collect();
    BASE64.decode(joined).ok()
}

#[cfg(test)]
pub(crate) mod test_keys {
    //! Published test keys, so the known answers below are the publishers'.

    /// wechatpay-apiv3/wechatpay-go `utils/sign_test.go` and
    /// `core/auth/signers/sha256withrsa_signer_test.go`: the SDK's test
    /// merchant key (PKCS#8; the SDK spells its armour `TESTING KEY`).
    pub const WECHATPAY_GO_PRIVATE_KEY: &str = "-----BEGIN PRIVATE KEY-----
MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQDZUJN33V+dSfvd
fL0Mu+39XrZNXFFMQSy1V15FpncHeV47SmV0TzTqZc7hHB0ddqAdDi8Z5k3TKqb7
6sOwYr5TcAfuR6PIPaleyE0/0KrljBum2Isa2Nyq7Dgc3ElBQ6YN4l/a+DpvKaz1
FSKmKrhLNskqokWVSlu4g8OlKlbPXQ9ibII14MZRQrrkTmHYHzfi7GXXM0thAKuR
0HNvyhTHBh4/lrYM3GaMvmWwkwvsMavnOex6+eioZHBOb1/EIZ/LzC6zuHArPpyW
3daGaZ1rtQB1vVzTyERAVVFsXXgBHvfFud3w3ShsJYk8JvMwK2RpJ5/gV0QSARcm
LDRUAlPzAgMBAAECggEBAMc7rDeUaXiWv6bMGbZ3BTXpg1FhdddnWUnYE8HfX/km
OFI7XtBHXcgYFpcjYz4D5787pcsk7ezPidAj58zqenuclmjKnUmT3pfbI5eCA2v4
C9HnbYDrmUPK1ZcADtka4D6ScDccpNYNa1g2TFHzkIrEa6H+q7S3O2fqxY/DRVtN
0JIXalBb8daaqL5QVzSmM2BMVnHy+YITJWIkP2a3pKs9C0W65JGDsnG0wVrHinHF
+cnhFZIbaPEI//DAFMc9NkrWOKVRTEgcCUxCFaHOZVNxDWZD7A2ZfJB2rK6eg//y
gEiFDR2h6mTaDowMB4YF2n2dsIO4/dCG8vPHI20jn4ECgYEA/ZGu6lEMlO0XZnam
AZGtiNgLcCfM/C2ZERZE7QTRPZH1WdK92Al9ndldsswFw4baJrJLCmghjF/iG4zi
hhBvLnOLksnZUfjdumxoHDWXo2QBWbI5QsWIE7AuTiWgWj1I7X4fCXSQf6i+M/y2
6TogQ7d0ANpZFyOkTNMn/tiJvLECgYEA22XqlamG/yfAGWery5KNH2DGlTIyd6xJ
WtJ9j3jU99lZ0bCQ5xhiBbU9ImxCi3zgTsoqLWgA/p00HhNFNoUcTl9ofc0G3zwT
D1y0ZzcnVKxGJdZ6ohW52V0hJStAigtjYAsUgjm7//FH7PiQDBDP1Wa6xSRkDQU/
aSbQxvEE8+MCgYEA3bb8krW7opyM0XL9RHH0oqsFlVO30Oit5lrqebS0oHl3Zsr2
ZGgoBlWBsEzk3UqUhTFwm/DhJLTSJ/TQPRkxnhQ5/mewNhS9C7yua7wQkzVmWN+V
YeUGTvDGDF6qDz12/vJAgSwDDRym8x4NcXD5tTw7mmNRcwIfL22SkysThIECgYAV
BgccoEoXWS/HP2/u6fQr9ZIR6eV8Ij5FPbZacTG3LlS1Cz5XZra95UgebFFUHHtC
EY1JHJY7z8SWvTH8r3Su7eWNaIAoFBGffzqqSVazfm6aYZsOvRY6BfqPHT3p/H1h
Tq6AbBffxrcltgvXnCTORjHPglU0CjSxVs7awW3AEQKBgB5WtaC8VLROM7rkfVIq
+RXqE5vtJfa3e3N7W3RqxKp4zHFAPfr82FK5CX2bppEaxY7SEZVvVInKDc5gKdG/
jWNRBmvvftZhY59PILHO2X5vO4FXh7suEjy6VIh0gsnK36mmRboYIBGsNuDHjXLe
BDa+8mDLkWu5nHEhOxy2JJZl
-----END PRIVATE KEY-----";

    /// wechatpay-go `core/auth/verifiers/sha256withrsa_pubkey_verifier_test.go`:
    /// the public half of the key above (also the SDK's test platform key).
    pub const WECHATPAY_GO_PUBLIC_KEY: &str = "-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA2VCTd91fnUn73Xy9DLvt
/V62TVxRTEEstVdeRaZ3B3leO0pldE806mXO4RwdHXagHQ4vGeZN0yqm++rDsGK+
U3AH7kejyD2pXshNP9Cq5YwbptiLGtjcquw4HNxJQUOmDeJf2vg6byms9RUipiq4
SzbJKqJFlUpbuIPDpSpWz10PYmyCNeDGUUK65E5h2B834uxl1zNLYQCrkdBzb8oU
xwYeP5a2DNxmjL5lsJML7DGr5znsevnoqGRwTm9fxCGfy8wus7hwKz6clt3Whmmd
a7UAdb1c08hEQFVRbF14AR73xbnd8N0obCWJPCbzMCtkaSef4FdEEgEXJiw0VAJT
8wIDAQAB
-----END PUBLIC KEY-----";
}

#[cfg(test)]
mod tests {
    use super::test_keys::*;
    use super::*;

    /// wechatpay-go `utils/sign_test.go` `TestSha256WithRsa`: "source" signed
    /// with the SDK's test key gives exactly this.
    const WECHATPAY_GO_SIGNATURE_OF_SOURCE: &str = "BKyAfU4iMCuvXMXS0Wzam3V/cnxZ+JaqigPM5OhljS2iOT95OO6Fsuml2JkFANJU9K6q9bLlDhPXuoVz+pp4hAm6pHU4ld815U4jsKu1RkyaII+1CYBUYC8TK0XtJ8FwUXXz8vZHh58rrAVN1XwNyvD1vfpxrMT4SL536GLwvpUHlCqIMzoZUguLli/K8V29QiOhuH6IEqLNJn8e9b3nwNcQ7be3CzYGpDAKBfDGPCqCv8Rw5zndhlffk2FEA70G4hvMwe51qMN/RAJbknXG23bSlObuTCN7Ndj1aJGH6/L+hdwfLpUtJm4QYVazzW7DFD27EpSQEqA8bX9+8m1rLg==";

    #[test]
    fn signs_exactly_as_the_wechatpay_go_sdk_test_expects() {
        let key = SigningKey::from_pem(WECHATPAY_GO_PRIVATE_KEY).unwrap();
        assert_eq!(
            key.sign_base64(b"source").unwrap(),
            WECHATPAY_GO_SIGNATURE_OF_SOURCE
        );
    }

    #[test]
    fn verifies_the_sdk_signature_and_rejects_another_message() {
        let key = VerifyingKey::from_pem(WECHATPAY_GO_PUBLIC_KEY).unwrap();
        key.verify_base64(b"source", WECHATPAY_GO_SIGNATURE_OF_SOURCE)
            .unwrap();
        assert!(matches!(
            key.verify_base64(b"wrong source", WECHATPAY_GO_SIGNATURE_OF_SOURCE),
            Err(SignatureError::Mismatch)
        ));
        assert!(matches!(
            key.verify_base64(b"source", "not base64!"),
            Err(SignatureError::NotBase64(_))
        ));
    }

    #[test]
    fn keys_read_back_in_every_spelling_the_providers_use() {
        let key = SigningKey::from_pem(WECHATPAY_GO_PRIVATE_KEY).unwrap();
        let public = key.verifying_key();
        assert_eq!(
            VerifyingKey::from_pem(WECHATPAY_GO_PUBLIC_KEY).unwrap(),
            public
        );
        let bare = public.to_bare_base64().unwrap();
        assert_eq!(VerifyingKey::from_pem(&bare).unwrap(), public);
        let pem = key.to_pkcs8_pem().unwrap();
        let again = SigningKey::from_pem(&pem).unwrap();
        assert_eq!(again.verifying_key(), public);
        let bare_private: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        assert_eq!(
            SigningKey::from_pem(&bare_private).unwrap().verifying_key(),
            public
        );
        assert!(SigningKey::from_pem("garbage").is_err());
        assert!(
            VerifyingKey::from_pem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----")
                .is_err()
        );
    }
}

//! Stable pseudonyms for the people and companies in a capture: each is a keyed HMAC-SHA256 of the
//! original, so the same customer gets the same pseudonym wherever it appears (its Oro account and
//! its Cin7 customer) within one capture, and nobody without the key can link it back. SKUs,
//! prices and quantities are kept: they are what a rehearsal exercises.

use concord_core::scenario::{Cin7Seed, OroSeed};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// The secret the pseudonyms are keyed with; never printed.
#[derive(Clone)]
pub struct Key(HmacSha256);

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Key(..)")
    }
}

#[derive(Debug, thiserror::Error)]
#[error("the anonymisation key cannot be used: {0}")]
pub struct KeyError(String);

impl Key {
    /// A key given by the operator (`--anonymise-key`): the same key gives the same pseudonyms
    /// across captures.
    pub fn from_text(text: &str) -> Result<Key, KeyError> {
        if text.is_empty() {
            return Err(KeyError("it is empty".into()));
        }
        HmacSha256::new_from_slice(text.as_bytes())
            .map(Key)
            .map_err(|e| KeyError(e.to_string()))
    }

    /// A fresh random key: pseudonyms are stable within this capture only.
    pub fn random() -> Result<Key, KeyError> {
        let mut bytes = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut bytes);
        HmacSha256::new_from_slice(&bytes)
            .map(Key)
            .map_err(|e| KeyError(e.to_string()))
    }

    /// Hex digits of the keyed hash of `kind` and `original` (the kind keeps a name and an
    /// e-mail that happen to be equal apart).
    fn digest(&self, kind: &str, original: &str, digits: usize) -> String {
        let mut mac = self.0.clone();
        mac.update(kind.as_bytes());
        mac.update(&[0]);
        mac.update(original.trim().as_bytes());
        let hex = hex::encode(mac.finalize().into_bytes());
        hex[..digits.min(hex.len())].to_owned()
    }

    /// A company or person's name: `Account 3f9a2c1b`.
    pub fn name(&self, original: &str) -> String {
        format!("Account {}", self.digest("name", original, 8))
    }

    /// An e-mail address, case-insensitively the same person: `buyer-3f9a2c1b0d@example.invalid`.
    pub fn email(&self, original: &str) -> String {
        let digest = self.digest("email", &original.to_lowercase(), 10);
        format!("buyer-{digest}@example.invalid")
    }
}

/// Replaces every customer name and customer-user e-mail of both systems.
pub fn apply(key: &Key, cin7: &mut Cin7Seed, oro: &mut OroSeed) {
    for c in &mut cin7.customers {
        c.name = key.name(&c.name);
    }
    for c in &mut oro.customers {
        c.name = key.name(&c.name);
    }
    for u in &mut oro.customer_users {
        u.email = key.email(&u.email);
    }
}

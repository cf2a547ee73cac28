//! Oro webhook signatures: hex HMAC-SHA256 of the raw body with the shared secret, compared in
//! constant time so a forger learns nothing from response timing.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

type HmacSha256 = Hmac<Sha256>;

/// The signature Oro sends for `body` (lower-case hex).
pub fn sign(secret: &[u8], body: &[u8]) -> String {
    match HmacSha256::new_from_slice(secret) {
        Ok(mut mac) => {
            mac.update(body);
            hex::encode(mac.finalize().into_bytes())
        }
        Err(_) => String::new(),
    }
}

/// True only for a present signature that matches the body exactly.
pub fn verify_signature(secret: &[u8], body: &[u8], signature: Option<&str>) -> bool {
    let Some(given) = signature else { return false };
    let given = given
        .trim()
        .trim_start_matches("sha256=")
        .to_ascii_lowercase();
    let expected = sign(secret, body);
    !expected.is_empty() && expected.as_bytes().ct_eq(given.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_correct_signature_verifies() {
        let sig = sign(b"k", b"{\"a\":1}");
        assert!(verify_signature(b"k", b"{\"a\":1}", Some(&sig)));
        assert!(verify_signature(
            b"k",
            b"{\"a\":1}",
            Some(&sig.to_ascii_uppercase())
        ));
    }

    #[test]
    fn a_wrong_or_missing_signature_is_refused() {
        let sig = sign(b"k", b"body");
        assert!(!verify_signature(b"other", b"body", Some(&sig)));
        assert!(!verify_signature(b"k", b"body2", Some(&sig)));
        assert!(!verify_signature(b"k", b"body", None));
        assert!(!verify_signature(b"k", b"body", Some("")));
    }
}

//! Oro decoders reachable from outside the connector: the order webhook body
//! (`parse_order_webhook`) and the HMAC check every Oro delivery passes first (`verify_signature`).
//!
//! Properties: neither panics; a correct signature (plain, `sha256=`-prefixed or upper-case hex)
//! always verifies; a missing one never does; any other string verifies only if it is, after the
//! documented normalisation, exactly the expected hex digest.
#![no_main]

use concord::connectors::oro::{parse_order_webhook, verify_signature};
use hmac::{Hmac, Mac};
use libfuzzer_sys::fuzz_target;
use sha2::Sha256;

fn expected(secret: &[u8], body: &[u8]) -> String {
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret) {
        Ok(m) => m,
        Err(_) => return String::new(),
    };
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

fuzz_target!(|data: &[u8]| {
    if let Some((id, updated)) = parse_order_webhook(data) {
        let _ = (id, updated.map(|u| u.len()));
    }
    // Layout: [secret length][secret][body]; the body is also tried as a signature header.
    let Some((&n, rest)) = data.split_first() else {
        return;
    };
    let n = (n as usize).min(rest.len());
    let (secret, body) = rest.split_at(n);
    let good = expected(secret, body);
    assert!(verify_signature(secret, body, Some(&good)));
    assert!(verify_signature(secret, body, Some(&format!("sha256={good}"))));
    assert!(verify_signature(secret, body, Some(&good.to_ascii_uppercase())));
    assert!(!verify_signature(secret, body, None));
    if let Ok(given) = std::str::from_utf8(body) {
        if verify_signature(secret, body, Some(given)) {
            let norm = given
                .trim()
                .trim_start_matches("sha256=")
                .to_ascii_lowercase();
            assert_eq!(norm, good, "a forged signature verified");
        }
    }
});

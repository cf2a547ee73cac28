//! Who may do what. API tokens are known only by their SHA-256 and compared in constant time;
//! roles nest (viewer < operator < admin). A browser signs in once with its token and then holds
//! a session cookie `<token-id>.<expires>.<nonce>.<hmac>`: HMAC-SHA256 under a key that lives in
//! memory (or comes from the config), so a cookie never carries the token or its hash, cannot be
//! forged, and ends after [`SESSION_HOURS`] or when the process restarts without a configured key.
//! Each session's CSRF token is an HMAC of the cookie payload, sent in forms as `csrf`.

use super::error::WebError;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use subtle::ConstantTimeEq;

pub const SESSION_COOKIE: &str = "concord_session";
pub const SESSION_HOURS: i64 = 12;

/// What a token may do. Each role includes the ones before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Reads every page and API.
    Viewer,
    /// Also acts on exceptions: acknowledge, resolve, ignore, retry.
    Operator,
    /// Also replays dead jobs.
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Operator => "operator",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        [Role::Viewer, Role::Operator, Role::Admin]
            .into_iter()
            .find(|r| r.as_str() == s)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The SHA-256 of a token in lower-case hex: the form the configuration stores.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A configured token: its digest, its role, and the name the audit log records.
#[derive(Clone)]
pub struct ApiToken {
    pub name: String,
    pub role: Role,
    digest: [u8; 32],
}

impl fmt::Debug for ApiToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiToken")
            .field("name", &self.name)
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

impl ApiToken {
    /// From the SHA-256 hex of the token; `None` if it is not 64 hex digits. Without a name the
    /// token is called `token-<first 8 hex>` in the audit log.
    pub fn from_hash(sha256_hex: &str, role: Role, name: Option<String>) -> Option<ApiToken> {
        let bytes = hex::decode(sha256_hex.trim()).ok()?;
        let digest: [u8; 32] = bytes.try_into().ok()?;
        let name = name.unwrap_or_else(|| format!("token-{}", &hex::encode(digest)[..8]));
        Some(ApiToken { name, role, digest })
    }

    /// Identifies the token inside a session cookie without revealing its digest.
    fn id(&self, key: &[u8; 32]) -> String {
        hex::encode(&mac(key, &[b"id|", &self.digest[..]])[..8])
    }
}

/// Who is making a request and how they proved it.
#[derive(Debug, Clone)]
pub struct Principal {
    pub name: String,
    pub role: Role,
    /// The session's CSRF token; `None` for bearer-token calls, which CSRF cannot forge.
    pub csrf: Option<String>,
}

impl Principal {
    pub fn require(&self, need: Role) -> Result<(), WebError> {
        if self.role >= need {
            Ok(())
        } else {
            Err(WebError::Forbidden {
                have: self.role,
                need,
            })
        }
    }

    /// Payload bodies name buyers (people, addresses, e-mails): operators and above read them,
    /// viewers see the calls' metadata only.
    pub fn may_read_bodies(&self) -> bool {
        self.role >= Role::Operator
    }

    pub fn csrf_token(&self) -> &str {
        self.csrf.as_deref().unwrap_or("")
    }
}

/// The token list and the session key.
#[derive(Clone)]
pub struct Keyring {
    tokens: Vec<ApiToken>,
    /// Signs session cookies and derives CSRF tokens; random per process unless configured.
    key: [u8; 32],
    /// Signatures of sessions signed out before they expired, with their expiry: a copied cookie
    /// is worthless once its owner signs out.
    revoked: Arc<Mutex<HashMap<String, i64>>>,
}

/// HMAC-SHA256 (RFC 2104) over the concatenated parts, written out so it cannot fail: the key
/// is always 32 bytes, shorter than SHA-256's 64-byte block.
fn mac(key: &[u8; 32], parts: &[&[u8]]) -> [u8; 32] {
    let mut block = [0u8; 64];
    block[..32].copy_from_slice(key);
    let mut inner = Sha256::new();
    inner.update(block.map(|b| b ^ 0x36));
    for p in parts {
        inner.update(p);
    }
    let mut outer = Sha256::new();
    outer.update(block.map(|b| b ^ 0x5c));
    outer.update(inner.finalize());
    outer.finalize().into()
}

impl Keyring {
    pub fn new(tokens: Vec<ApiToken>, key: Option<[u8; 32]>) -> Self {
        Keyring {
            tokens,
            key: key.unwrap_or_else(rand::random),
            revoked: Arc::default(),
        }
    }

    /// Ends a session server-side: `verify` refuses its cookie from now on. Revocations are
    /// forgotten once the session would have expired anyway.
    pub fn revoke(&self, cookie: &str, now: i64) {
        let Some((sig, expires)) = Self::session_id(cookie, now) else {
            return;
        };
        if let Ok(mut revoked) = self.revoked.lock() {
            revoked.retain(|_, until| *until > now);
            revoked.insert(sig, expires);
        }
    }

    /// The cookie's signature and expiry, as a revocation record names them.
    pub fn session_id(cookie: &str, now: i64) -> Option<(String, i64)> {
        let (payload, sig) = cookie.rsplit_once('.')?;
        let expires = payload
            .split('.')
            .nth(1)
            .and_then(|e| e.parse::<i64>().ok())
            .unwrap_or(now + SESSION_HOURS * 3600);
        Some((sig.to_owned(), expires))
    }

    fn is_revoked(&self, sig: &str) -> bool {
        self.revoked
            .lock()
            .map_or(true, |revoked| revoked.contains_key(sig))
    }

    pub fn tokens(&self) -> &[ApiToken] {
        &self.tokens
    }

    /// The token whose digest matches, checking every configured token in constant time.
    pub fn find_token(&self, presented: &str) -> Option<&ApiToken> {
        let digest: [u8; 32] = Sha256::digest(presented.trim().as_bytes()).into();
        let mut found = None;
        for t in &self.tokens {
            if bool::from(t.digest.ct_eq(&digest)) {
                found = Some(t);
            }
        }
        found
    }

    /// A new session cookie value for `token`, valid until `now + SESSION_HOURS`.
    pub fn issue(&self, token: &ApiToken, now: i64) -> String {
        let nonce: [u8; 8] = rand::random();
        let payload = format!(
            "{}.{}.{}",
            token.id(&self.key),
            now + SESSION_HOURS * 3600,
            hex::encode(nonce)
        );
        let sig = hex::encode(mac(&self.key, &[payload.as_bytes()]));
        format!("{payload}.{sig}")
    }

    /// The principal of a valid, unexpired session cookie.
    pub fn verify(&self, cookie: &str, now: i64) -> Option<Principal> {
        let (payload, sig_hex) = cookie.rsplit_once('.')?;
        if self.is_revoked(sig_hex) {
            return None;
        }
        let sig = hex::decode(sig_hex).ok()?;
        let expected = mac(&self.key, &[payload.as_bytes()]);
        if !bool::from(expected.as_slice().ct_eq(&sig)) {
            return None;
        }
        let mut parts = payload.split('.');
        let (id, expires) = (parts.next()?, parts.next()?.parse::<i64>().ok()?);
        if expires <= now {
            return None;
        }
        let token = self.tokens.iter().find(|t| t.id(&self.key) == id)?;
        let csrf = hex::encode(&mac(&self.key, &[b"csrf|", payload.as_bytes()])[..16]);
        Some(Principal {
            name: token.name.clone(),
            role: token.role,
            csrf: Some(csrf),
        })
    }

    pub fn principal(token: &ApiToken) -> Principal {
        Principal {
            name: token.name.clone(),
            role: token.role,
            csrf: None,
        }
    }
}

/// Compares a presented CSRF token with the session's, in constant time.
pub fn csrf_matches(expected: &str, presented: &str) -> bool {
    !expected.is_empty() && bool::from(expected.as_bytes().ct_eq(presented.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ring() -> Keyring {
        let t =
            ApiToken::from_hash(&hash_token("s3cret"), Role::Operator, Some("ops".into())).unwrap();
        Keyring::new(vec![t], None)
    }

    #[test]
    fn tokens_are_found_by_their_hash_only() {
        let ring = ring();
        assert_eq!(
            ring.find_token("s3cret").map(|t| t.role),
            Some(Role::Operator)
        );
        assert!(ring.find_token("wrong").is_none());
        assert!(ApiToken::from_hash("not-hex", Role::Admin, None).is_none());
    }

    #[test]
    fn sessions_verify_until_they_expire_and_reject_tampering() {
        let ring = ring();
        let token = ring.find_token("s3cret").unwrap().clone();
        let cookie = ring.issue(&token, 1_000);
        let p = ring.verify(&cookie, 1_001).unwrap();
        assert_eq!((p.name.as_str(), p.role), ("ops", Role::Operator));
        assert!(p.csrf.as_deref().is_some_and(|c| c.len() == 32));
        assert!(ring.verify(&cookie, 1_000 + SESSION_HOURS * 3600).is_none());
        let forged = cookie.replacen('.', ".9", 1);
        assert!(ring.verify(&forged, 1_001).is_none());
        assert!(Keyring::new(vec![token], None)
            .verify(&cookie, 1_001)
            .is_none());
    }

    #[test]
    fn a_revoked_session_no_longer_verifies_and_others_still_do() {
        let ring = ring();
        let token = ring.find_token("s3cret").unwrap().clone();
        let (a, b) = (ring.issue(&token, 1_000), ring.issue(&token, 1_000));
        ring.revoke(&a, 1_001);
        assert!(ring.verify(&a, 1_002).is_none());
        assert!(ring.verify(&b, 1_002).is_some());
    }

    #[test]
    fn the_mac_is_hmac_sha256() {
        // RFC 4231 test case 2 uses a short key; pad ours the same way HMAC does (zeros).
        let mut key = [0u8; 32];
        key[..4].copy_from_slice(b"Jefe");
        let out = hex::encode(mac(&key, &[b"what do ya want ", b"for nothing?"]));
        assert_eq!(
            out,
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn roles_nest() {
        let p = Principal {
            name: "v".into(),
            role: Role::Viewer,
            csrf: None,
        };
        assert!(p.require(Role::Viewer).is_ok());
        assert!(matches!(
            p.require(Role::Operator),
            Err(WebError::Forbidden { .. })
        ));
    }
}

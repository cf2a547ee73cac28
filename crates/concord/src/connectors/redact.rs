//! Secret redaction for everything Concord writes down (payload log, error text, config errors).
//! A key is secret by its normalised name (lower case, separators dropped), so `clientSecret`,
//! `client-secret` and `CLIENT_SECRET` are one key; key/value lists such as Cin7's
//! `ExternalHeaders: [{Key: "Authorization", Value: …}]` are redacted by the name they carry.

use serde_json::Value;

pub const REDACTED: &str = "[redacted]";

/// Normalised names that are secret whatever precedes them (`client` + `secret`, `refresh` + `token`).
const SECRET_SUFFIXES: [&str; 10] = [
    "secret",
    "password",
    "passwd",
    "passphrase",
    "token",
    "apikey",
    "applicationkey",
    "privatekey",
    "credential",
    "credentials",
];

/// Normalised names that are secret only as a whole.
const SECRET_NAMES: [&str; 5] = [
    "authorization",
    "proxyauthorization",
    "cookie",
    "setcookie",
    "apiauthapplicationkey",
];

/// Stems that any text holding a secret key contains once normalised; see [`may_hold_secret`].
const STEMS: [&str; 9] = [
    "secret",
    "passw",
    "passphrase",
    "token",
    "apikey",
    "applicationkey",
    "privatekey",
    "credential",
    "cookie",
];

/// Lower case, ASCII letters and digits only: `Client-Secret` → `clientsecret`.
pub fn normalise(key: &str) -> String {
    key.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Whether a field of this name holds a secret, in any case or separator style.
pub fn is_secret_key(key: &str) -> bool {
    let n = normalise(key);
    SECRET_NAMES.contains(&n.as_str()) || SECRET_SUFFIXES.iter().any(|s| n.ends_with(s))
}

/// In a key/value pair object, the fields that carry the pair's name and its value.
fn is_name_field(key: &str) -> bool {
    matches!(normalise(key).as_str(), "key" | "name" | "header" | "field")
}

fn is_value_field(key: &str) -> bool {
    matches!(normalise(key).as_str(), "value" | "values")
}

/// Replaces the value of every secret key, and the value of every key/value pair whose name is
/// secret, at any depth.
pub fn redact(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let pair_is_secret = map
                .iter()
                .any(|(k, v)| is_name_field(k) && v.as_str().is_some_and(is_secret_key));
            Value::Object(
                map.iter()
                    .map(|(k, v)| {
                        let secret = is_secret_key(k) || (pair_is_secret && is_value_field(k));
                        let v = if secret {
                            Value::String(REDACTED.into())
                        } else {
                            redact(v)
                        };
                        (k.clone(), v)
                    })
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.iter().map(redact).collect()),
        other => other.clone(),
    }
}

/// Each byte as [`may_hold_secret`] keeps it: an ASCII letter (lower-cased) or digit; 0 for the
/// rest, which it drops.
const KEEP: [u8; 256] = {
    let mut table = [0_u8; 256];
    let mut b = 0;
    while b < 256 {
        let byte = b as u8;
        if byte.is_ascii_alphanumeric() {
            table[b] = byte.to_ascii_lowercase();
        }
        b += 1;
    }
    table
};

/// Whether `text` may name a secret key. May say yes for an innocent body (the word "token" in
/// a description); never says no for a body holding one.
pub fn may_hold_secret(text: &str) -> bool {
    // Bytes, not chars: a non-ASCII character is never a letter or digit here, so this is
    // [`normalise`] without decoding UTF-8, and the stems are found with SIMD (`memmem`). A
    // kept body is 64 KiB, and this runs on every call Concord logs.
    static FINDERS: std::sync::LazyLock<Vec<memchr::memmem::Finder<'static>>> =
        std::sync::LazyLock::new(|| {
            std::iter::once("authorization")
                .chain(STEMS)
                .map(memchr::memmem::Finder::new)
                .collect()
        });
    // Written unconditionally and kept by advancing past it, without a branch per byte.
    let mut normalised = vec![0_u8; text.len()];
    let mut kept = 0;
    for &b in text.as_bytes() {
        let k = KEEP[usize::from(b)];
        normalised[kept] = k;
        kept += usize::from(k != 0);
    }
    normalised.truncate(kept);
    FINDERS
        .iter()
        .any(|finder| finder.find(&normalised).is_some())
}

/// Redacts a body that may or may not be JSON; non-JSON text naming a credential is withheld.
pub fn redact_text(text: &str) -> String {
    // Most bodies (product pages, level lists) name no secret key at all: parsing megabytes of
    // JSON only to learn that was a fifth of Concord's CPU in a soak.
    if !may_hold_secret(text) {
        return text.to_owned();
    }
    match serde_json::from_str::<Value>(text) {
        Ok(v) => redact(&v).to_string(),
        // Not JSON, so the secret cannot be cut out by key: keep none of it.
        Err(_) => "[body withheld: not JSON and it names a credential field]".to_owned(),
    }
}

/// Cuts secrets out of free text (error messages, URLs): the value after a secret key and `=`
/// or `:` (quoted or not), and the credential after `Bearer` or `Basic`.
pub fn redact_free_text(text: &str) -> String {
    if !may_hold_secret(text) && !text.to_ascii_lowercase().contains("bearer") {
        return text.to_owned();
    }
    let text = redact_embedded_json(text);
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if !is_word(chars[i]) {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && is_word(chars[i]) {
            i += 1;
        }
        let word: String = chars[start..i].iter().collect();
        out.push_str(&word);
        let scheme = matches!(word.to_ascii_lowercase().as_str(), "bearer" | "basic");
        if scheme && chars.get(i) == Some(&' ') {
            out.push(' ');
            i = skip_value(&chars, i + 1, &mut out);
        } else if is_secret_key(&word) {
            i = skip_separator_and_value(&chars, i, &mut out);
        }
    }
    out
}

/// Error text often quotes a body (`Cin7 answered 400: {…}`): each JSON object or array in it
/// is redacted as JSON, so key/value lists are caught too.
fn redact_embedded_json(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(pos) = rest.find(['{', '[']) {
        out.push_str(&rest[..pos]);
        let tail = &rest[pos..];
        let mut stream = serde_json::Deserializer::from_str(tail).into_iter::<Value>();
        match stream.next() {
            Some(Ok(v)) if stream.byte_offset() > 0 => {
                out.push_str(&redact(&v).to_string());
                rest = &tail[stream.byte_offset()..];
            }
            _ => {
                out.push_str(&tail[..1]);
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '-' | '.')
}

/// After a secret key: copies `"`, spaces and one `=` or `:`, then replaces the value.
fn skip_separator_and_value(chars: &[char], mut i: usize, out: &mut String) -> usize {
    while chars.get(i).is_some_and(|c| *c == '"' || *c == '\'') {
        out.push(chars[i]);
        i += 1;
    }
    while chars.get(i) == Some(&' ') {
        out.push(' ');
        i += 1;
    }
    match chars.get(i) {
        Some(&c) if c == '=' || c == ':' => {
            out.push(c);
            i += 1;
        }
        _ => return i,
    }
    while chars.get(i) == Some(&' ') {
        out.push(' ');
        i += 1;
    }
    skip_value(chars, i, out)
}

/// Replaces one value (quoted, or up to a delimiter) with [`REDACTED`]; a scheme word such as
/// `Bearer` before it is kept.
fn skip_value(chars: &[char], mut i: usize, out: &mut String) -> usize {
    if let Some(&q) = chars.get(i).filter(|c| **c == '"' || **c == '\'') {
        out.push(q);
        i += 1;
        while chars.get(i).is_some_and(|c| *c != q) {
            i += 1;
        }
        out.push_str(REDACTED);
        return i;
    }
    let word_end = (i..chars.len())
        .find(|&j| !is_word(chars[j]))
        .unwrap_or(chars.len());
    let word: String = chars[i..word_end].iter().collect();
    if matches!(word.to_ascii_lowercase().as_str(), "bearer" | "basic")
        && chars.get(word_end) == Some(&' ')
    {
        out.push_str(&word);
        out.push(' ');
        i = word_end + 1;
    }
    let end = (i..chars.len())
        .find(|&j| chars[j].is_whitespace() || matches!(chars[j], '&' | ',' | ';' | '}' | ')'))
        .unwrap_or(chars.len());
    if end > i {
        out.push_str(REDACTED);
    }
    end
}

#[cfg(test)]
#[path = "redact_tests.rs"]
mod tests;

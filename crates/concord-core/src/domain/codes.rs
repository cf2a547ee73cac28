//! Identifiers that travel between the systems: SKUs, unit codes and currency codes.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Why a value could not become a domain value; names what was wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    #[error("{what} is empty")]
    Empty { what: &'static str },
    #[error("{what} {value:?} is longer than {max} characters")]
    TooLong {
        what: &'static str,
        value: String,
        max: usize,
    },
    #[error("{what} {value:?} is not valid: {why}")]
    Invalid {
        what: &'static str,
        value: String,
        why: &'static str,
    },
}

fn checked(what: &'static str, raw: &str, max: usize) -> Result<String, DomainError> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err(DomainError::Empty { what });
    }
    if trimmed.chars().count() > max {
        return Err(DomainError::TooLong {
            what,
            value: trimmed.to_owned(),
            max,
        });
    }
    if trimmed.chars().any(char::is_control) {
        return Err(DomainError::Invalid {
            what,
            value: trimmed.to_owned(),
            why: "contains a control character",
        });
    }
    Ok(trimmed.to_owned())
}

/// A stock-keeping unit. Cin7 caps SKUs at 50 characters; they match case-sensitively.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Sku(String);

impl Sku {
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        checked("SKU", raw, 50).map(Sku)
    }
}

/// An Oro product unit code (`each`, `case`, `kg`). Oro compares them exactly.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct UnitCode(String);

impl UnitCode {
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        checked("unit code", raw, 255).map(UnitCode)
    }
}

/// An ISO 4217 currency code, upper case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CurrencyCode(String);

impl CurrencyCode {
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let code = raw.trim().to_ascii_uppercase();
        if code.len() == 3 && code.chars().all(|c| c.is_ascii_alphabetic()) {
            Ok(CurrencyCode(code))
        } else {
            Err(DomainError::Invalid {
                what: "currency code",
                value: raw.to_owned(),
                why: "expected three letters",
            })
        }
    }
}

macro_rules! string_newtype_impls {
    ($t:ty) => {
        impl TryFrom<String> for $t {
            type Error = DomainError;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                <$t>::parse(&s)
            }
        }
        impl From<$t> for String {
            fn from(v: $t) -> String {
                v.0
            }
        }
        impl AsRef<str> for $t {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

string_newtype_impls!(Sku);
string_newtype_impls!(UnitCode);
string_newtype_impls!(CurrencyCode);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sku_is_trimmed_and_bounded() {
        assert_eq!(Sku::parse(" TEE-BLK-M ").unwrap().as_ref(), "TEE-BLK-M");
        assert!(matches!(Sku::parse(""), Err(DomainError::Empty { .. })));
        assert!(matches!(
            Sku::parse(&"X".repeat(51)),
            Err(DomainError::TooLong { .. })
        ));
        assert!(matches!(
            Sku::parse("A\u{7}B"),
            Err(DomainError::Invalid { .. })
        ));
    }

    #[test]
    fn a_currency_code_is_three_letters_in_upper_case() {
        assert_eq!(CurrencyCode::parse("gbp").unwrap().as_ref(), "GBP");
        assert!(CurrencyCode::parse("GB").is_err());
        assert!(CurrencyCode::parse("G1P").is_err());
    }
}

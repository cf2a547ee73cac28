//! Serde helpers that read decimals written as strings (the scenario's and Oro's way) or as JSON
//! numbers (Cin7's way), so no money ever passes through a float we keep.

use rust_decimal::Decimal;
use serde::de::{self, Deserializer, Visitor};
use std::fmt;
use std::str::FromStr;

/// Parses a decimal from text, accepting surrounding blanks and a leading `+`.
pub fn parse(text: &str) -> Option<Decimal> {
    let trimmed = text.trim().trim_start_matches('+');
    Decimal::from_str(trimmed)
        .or_else(|_| Decimal::from_scientific(trimmed))
        .ok()
}

struct LenientDecimal;

impl Visitor<'_> for LenientDecimal {
    type Value = Decimal;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a decimal, as a string such as \"10.50\" or a number")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Decimal, E> {
        parse(v).ok_or_else(|| E::custom(format!("{v:?} is not a decimal")))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Decimal, E> {
        Ok(Decimal::from(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Decimal, E> {
        Ok(Decimal::from(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Decimal, E> {
        // Whole numbers (most quantities: `"OnHand": 12.0`) are exact as integers; formatting
        // each float was 2 % of the engine's CPU on the 600-order day.
        if v.fract() == 0.0 && v.abs() <= MAX_EXACT_INTEGER {
            return Ok(Decimal::from(v as i64));
        }
        // The shortest text that round-trips the float is what the sender meant (43.2, not 43.2000000001).
        parse(&v.to_string()).ok_or_else(|| E::custom(format!("{v} is not a finite decimal")))
    }
}

/// 2^53: every whole float up to this is exactly the integer it shows.
const MAX_EXACT_INTEGER: f64 = 9_007_199_254_740_992.0;

/// `#[serde(deserialize_with = "concord_core::decimal::lenient")]`
pub fn lenient<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
    d.deserialize_any(LenientDecimal)
}

/// As [`lenient`], for an optional field that may be absent or `null`.
pub fn lenient_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
    struct Opt;
    impl<'de> Visitor<'de> for Opt {
        type Value = Option<Decimal>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a decimal or null")
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            lenient(d).map(Some)
        }
    }
    d.deserialize_option(Opt)
}

/// Strict variant for scenario files: a decimal must be written as a string.
pub fn string_only<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
    struct Strict;
    impl Visitor<'_> for Strict {
        type Value = Decimal;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a decimal written as a string, such as \"10.50\"")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Decimal, E> {
            LenientDecimal.visit_str(v)
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Decimal, E> {
            Ok(Decimal::from(v))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Decimal, E> {
            Ok(Decimal::from(v))
        }
    }
    d.deserialize_any(Strict)
}

/// As [`string_only`], for an optional field.
pub fn string_only_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
    #[derive(serde::Deserialize)]
    struct Wrap(#[serde(deserialize_with = "string_only")] Decimal);
    let v: Option<Wrap> = serde::Deserialize::deserialize(d)?;
    Ok(v.map(|w| w.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[derive(serde::Deserialize)]
    struct Holder {
        #[serde(deserialize_with = "lenient")]
        v: Decimal,
    }

    #[test]
    fn lenient_reads_strings_integers_and_floats_exactly() {
        for (json, want) in [
            (r#"{"v":"10.50"}"#, dec!(10.50)),
            (r#"{"v":43.2}"#, dec!(43.2)),
            (r#"{"v":497.0000}"#, dec!(497)),
            (r#"{"v":12}"#, dec!(12)),
            (r#"{"v":" 3.1 "}"#, dec!(3.1)),
        ] {
            let h: Holder = serde_json::from_str(json).unwrap();
            assert_eq!(h.v, want, "{json}");
        }
    }

    proptest::proptest! {
        /// The whole-number shortcut gives what the text path gives, for every float: whole or
        /// not, small or past 2^53 (where the text path takes over).
        #[test]
        fn a_float_reads_as_its_shortest_text(v in -1.0e18..1.0e18_f64) {
            let read = LenientDecimal.visit_f64::<serde::de::value::Error>(v).ok();
            proptest::prop_assert_eq!(read, parse(&v.to_string()));
        }

        #[test]
        fn a_whole_float_reads_as_its_integer(i in -(1_i64 << 53)..=(1_i64 << 53)) {
            #[allow(clippy::cast_precision_loss)] // exact up to 2^53, the range drawn from
            let v = i as f64;
            let read = LenientDecimal.visit_f64::<serde::de::value::Error>(v).ok();
            proptest::prop_assert_eq!(read, Some(Decimal::from(i)));
        }
    }

    #[test]
    fn lenient_names_the_bad_text() {
        let err = serde_json::from_str::<Holder>(r#"{"v":"lots"}"#)
            .err()
            .unwrap();
        assert!(
            err.to_string().contains("\"lots\" is not a decimal"),
            "{err}"
        );
    }
}

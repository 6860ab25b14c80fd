//! Exact decimal numbers for attribute values and prices.
//!
//! Rules compare and add attribute values, and the solver encodes those sums as pseudo-Boolean
//! constraints over integers. Floating point would make `0.1 + 0.2 <= 0.3` depend on rounding,
//! so every number is kept as a whole count of millionths (six decimal digits), parsed once.

use serde::{de, Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A decimal number with six fractional digits, stored as an integer count of millionths.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Decimal(i64);

/// Millionths per unit.
pub const SCALE: i64 = 1_000_000;
/// Largest magnitude accepted, in units (keeps sums of thousands of values far from overflow).
pub const MAX_UNITS: i64 = 1_000_000_000_000;

impl Decimal {
    pub const ZERO: Decimal = Decimal(0);

    /// The number of millionths.
    pub fn raw(self) -> i64 {
        self.0
    }

    pub fn from_raw(raw: i64) -> Self {
        Decimal(raw)
    }

    pub fn from_int(v: i64) -> Option<Self> {
        if v.abs() > MAX_UNITS {
            return None;
        }
        Some(Decimal(v * SCALE))
    }

    /// Converts a float read from TOML/JSON; `None` when it is not finite, too large, or has
    /// more than six significant decimal digits after the point.
    pub fn from_f64(v: f64) -> Option<Self> {
        if !v.is_finite() || v.abs() > MAX_UNITS as f64 {
            return None;
        }
        let scaled = v * SCALE as f64;
        let rounded = scaled.round();
        if (scaled - rounded).abs() > 1e-6 * scaled.abs().max(1.0) {
            return None;
        }
        Some(Decimal(rounded as i64))
    }

    /// Parses `12`, `-3.25`, `0.000001` exactly.
    pub fn parse(text: &str) -> Option<Self> {
        let (neg, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (int_part, frac_part) = match digits.split_once('.') {
            Some((i, f)) => (i, f),
            None => (digits, ""),
        };
        if int_part.is_empty() || frac_part.len() > 6 {
            return None;
        }
        if !int_part.bytes().all(|b| b.is_ascii_digit())
            || !frac_part.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let units: i64 = int_part.parse().ok()?;
        if units > MAX_UNITS {
            return None;
        }
        let mut frac: i64 = 0;
        for i in 0..6 {
            let d = frac_part.as_bytes().get(i).map_or(0, |b| (b - b'0') as i64);
            frac = frac * 10 + d;
        }
        let raw = units * SCALE + frac;
        Some(Decimal(if neg { -raw } else { raw }))
    }

    pub fn to_f64(self) -> f64 {
        self.0 as f64 / SCALE as f64
    }

    pub fn is_integer(self) -> bool {
        self.0 % SCALE == 0
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let units = abs / SCALE as u64;
        let frac = abs % SCALE as u64;
        if frac == 0 {
            write!(f, "{sign}{units}")
        } else {
            let frac = format!("{frac:06}");
            write!(f, "{sign}{units}.{}", frac.trim_end_matches('0'))
        }
    }
}

impl Serialize for Decimal {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.is_integer() {
            s.serialize_i64(self.0 / SCALE)
        } else {
            s.serialize_f64(self.to_f64())
        }
    }
}

/// Reads numbers from TOML/JSON; also used for number-valued attributes.
pub(crate) struct DecimalVisitor;

impl de::Visitor<'_> for DecimalVisitor {
    type Value = Decimal;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a number with at most 6 decimal digits")
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Decimal, E> {
        Decimal::from_int(v).ok_or_else(|| E::custom(format!("number {v} is too large")))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Decimal, E> {
        i64::try_from(v)
            .ok()
            .and_then(Decimal::from_int)
            .ok_or_else(|| E::custom(format!("number {v} is too large")))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Decimal, E> {
        Decimal::from_f64(v).ok_or_else(|| {
            E::custom(format!(
                "number {v} is not finite, too large, or has more than 6 decimal digits"
            ))
        })
    }
}

impl<'de> Deserialize<'de> for Decimal {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(DecimalVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_exactly() {
        assert_eq!(Decimal::parse("12").unwrap().raw(), 12_000_000);
        assert_eq!(Decimal::parse("-3.25").unwrap().raw(), -3_250_000);
        assert_eq!(Decimal::parse("0.000001").unwrap().raw(), 1);
        assert!(Decimal::parse("0.0000001").is_none());
        assert!(Decimal::parse("1e5").is_none());
        assert!(Decimal::parse(".5").is_none());
        assert_eq!(Decimal::parse("199.90").unwrap().to_string(), "199.9");
        assert_eq!(
            Decimal::from_f64(0.1).unwrap().raw() * 3,
            Decimal::parse("0.3").unwrap().raw()
        );
        assert!(Decimal::from_f64(f64::NAN).is_none());
        assert!(Decimal::from_f64(1e300).is_none());
    }
}

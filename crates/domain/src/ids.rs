//! Identifiers, quantities and amounts.

use std::fmt;

use crate::{InvalidValue, KstDate};

/// A supply vendor id (`splVenId`, `lrnkSplVenId`): exactly ten ASCII digits.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct VendorId(String);

impl VendorId {
    pub const LEN: usize = 10;

    pub fn parse(field: &str, value: &str) -> Result<Self, InvalidValue> {
        let value = value.trim();
        if value.len() == Self::LEN && value.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(value.to_owned()))
        } else {
            Err(InvalidValue::new(
                field,
                format!("must be exactly 10 digits (like 0000012345), got {value:?}"),
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An original order's number (`orordNo`, and `ordNo` where SSG names the order itself): 1
/// to 20 ASCII letters, digits, `-` or `_`, given by the storefront.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OrderNo(String);

/// A claim's own number (`ordNo` of an inquiry row, `clmNo` in the store): written like an
/// order number, and made by [`claim_number`] for the claims this service records. A type
/// of its own, so that a claim number is never taken for the order it cancels.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ClaimNo(String);

impl ClaimNo {
    pub fn parse(field: &str, value: &str) -> Result<Self, InvalidValue> {
        parse_number(field, value).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl OrderNo {
    pub const MAX_LEN: usize = 20;

    pub fn parse(field: &str, value: &str) -> Result<Self, InvalidValue> {
        parse_number(field, value).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The rules of an order or claim number.
fn parse_number(field: &str, value: &str) -> Result<String, InvalidValue> {
    let value = value.trim();
    if value.is_empty() {
        return Err(InvalidValue::new(field, "must not be empty"));
    }
    if value.len() > OrderNo::MAX_LEN {
        return Err(InvalidValue::new(
            field,
            format!("is {} characters long; at most 20 allowed", value.len()),
        ));
    }
    if let Some(bad) = value
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'))
    {
        return Err(InvalidValue::new(
            field,
            format!("may hold only letters, digits, '-' and '_', found {bad:?}"),
        ));
    }
    Ok(value.to_owned())
}

/// Length of a claim number: the KST date `yyyymmdd` and six base-36 characters.
pub const CLAIM_NUMBER_LEN: usize = 14;

/// The number space of the six base-36 characters of a claim number.
const CLAIM_SUFFIX_SPACE: u64 = 36u64.pow(6);

/// The number of a claim: the KST date of the cancellation followed by `sequence`
/// written as six upper-case base-36 digits (`20261122000B07`).
///
/// `sequence` is issued by the store, one per claim and never reused, so two claims get
/// the same number only if 36⁶ (about 2.2 billion) claims lie between them and they fall
/// on the same day.
pub fn claim_number(date: KstDate, sequence: u64) -> ClaimNo {
    const DIGITS: &[u8; 36] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut suffix = [b'0'; 6];
    let mut rest = sequence % CLAIM_SUFFIX_SPACE;
    for slot in suffix.iter_mut().rev() {
        *slot = DIGITS[(rest % 36) as usize];
        rest /= 36;
    }
    let mut number = date.compact();
    number.extend(suffix.iter().map(|&b| b as char));
    ClaimNo(number)
}

/// A customer id as the storefront knows it: 1 to 64 visible ASCII characters.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct CustomerId(String);

/// A service-center agent id: 1 to 64 visible ASCII characters.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct AgentId(String);

fn parse_label(field: &str, value: &str) -> Result<String, InvalidValue> {
    let value = value.trim();
    if value.is_empty() {
        return Err(InvalidValue::new(field, "must not be empty"));
    }
    if value.len() > 64 {
        return Err(InvalidValue::new(
            field,
            format!("is {} characters long; at most 64 allowed", value.len()),
        ));
    }
    if !value.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(InvalidValue::new(
            field,
            "may hold only visible ASCII characters, without spaces",
        ));
    }
    Ok(value.to_owned())
}

impl CustomerId {
    pub fn parse(field: &str, value: &str) -> Result<Self, InvalidValue> {
        parse_label(field, value).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl AgentId {
    pub fn parse(field: &str, value: &str) -> Result<Self, InvalidValue> {
        parse_label(field, value).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// `value` as a `u32` when it lies in `1..=max`.
fn positive_up_to(field: &str, value: i64, max: u32) -> Result<u32, InvalidValue> {
    if (1..=i64::from(max)).contains(&value) {
        Ok(value as u32)
    } else {
        Err(InvalidValue::new(
            field,
            format!("must be between 1 and {max}, got {value}"),
        ))
    }
}

/// A position in an order or a claim (`ordItemSeq`, `orordItemSeq`): 1 to 999,999.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ItemSeq(u32);

impl ItemSeq {
    pub const MAX: u32 = 999_999;

    pub fn new(field: &str, value: i64) -> Result<Self, InvalidValue> {
        positive_up_to(field, value, Self::MAX).map(Self)
    }

    pub fn get(self) -> u32 {
        self.0
    }
}

/// A number of units: 1 to 1,000,000.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Quantity(u32);

impl Quantity {
    pub const MAX: u32 = 1_000_000;

    pub fn new(field: &str, value: i64) -> Result<Self, InvalidValue> {
        positive_up_to(field, value, Self::MAX).map(Self)
    }

    pub fn get(self) -> u32 {
        self.0
    }
}

/// An amount in whole won, never negative and at most one trillion.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Won(i64);

impl Won {
    pub const ZERO: Won = Won(0);
    pub const MAX: i64 = 1_000_000_000_000;

    pub fn new(field: &str, value: i64) -> Result<Self, InvalidValue> {
        if (0..=Self::MAX).contains(&value) {
            Ok(Self(value))
        } else {
            Err(InvalidValue::new(
                field,
                format!(
                    "must be a whole number of won between 0 and {}, got {value}",
                    Self::MAX
                ),
            ))
        }
    }

    pub fn get(self) -> i64 {
        self.0
    }
}

/// Declares a random id: a prefix and 16 lowercase hex digits (`creq_0123456789abcdef`),
/// made from 8 random bytes and parsed back, printed as itself. Cancel requests, webhooks
/// and credentials are named this way.
#[macro_export]
macro_rules! random_id {
    ($(#[$meta:meta])* $name:ident, $prefix:literal) => {
        $(#[$meta])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            pub const PREFIX: &'static str = $prefix;

            pub fn parse(field: &str, value: &str) -> Result<Self, $crate::InvalidValue> {
                let value = value.trim();
                let digits = value.strip_prefix($prefix).unwrap_or("");
                if digits.len() == 16
                    && digits
                        .bytes()
                        .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
                {
                    Ok(Self(value.to_owned()))
                } else {
                    Err($crate::InvalidValue::new(
                        field,
                        format!(
                            concat!("must look like ", $prefix, "0123456789abcdef, got {:?}"),
                            value
                        ),
                    ))
                }
            }

            /// An id from 8 random bytes.
            pub fn from_random(bytes: [u8; 8]) -> Self {
                let mut id = String::from($prefix);
                for byte in bytes {
                    id.push_str(&format!("{byte:02x}"));
                }
                Self(id)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl ::std::fmt::Debug for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

macro_rules! debug_display {
    ($($ty:ty),*) => {$(
        impl fmt::Debug for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(&self.0, f)
            }
        }
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }
    )*};
}

debug_display!(
    VendorId, OrderNo, ClaimNo, CustomerId, AgentId, ItemSeq, Quantity, Won
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vendor_ids_are_ten_digits() {
        assert_eq!(
            VendorId::parse("splVenId", " 0000012345 ")
                .unwrap()
                .as_str(),
            "0000012345"
        );
        for bad in [
            "",
            "12345",
            "00000123456",
            "000001234a",
            "０００００１２３４５",
        ] {
            let err = VendorId::parse("splVenId", bad).unwrap_err();
            assert_eq!(err.field, "splVenId");
        }
    }

    #[test]
    fn order_numbers_are_short_and_plain() {
        assert!(OrderNo::parse("ordNo", "20261120000A3F").is_ok());
        assert!(OrderNo::parse("ordNo", "A-1_b").is_ok());
        assert!(OrderNo::parse("ordNo", "").is_err());
        assert!(OrderNo::parse("ordNo", "123456789012345678901").is_err());
        assert!(OrderNo::parse("ordNo", "20261120 0A3F").is_err());
        assert!(OrderNo::parse("ordNo", "주문1").is_err());
        assert!(OrderNo::parse("ordNo", "a<b").is_err());
    }

    #[test]
    fn claim_numbers_are_the_date_and_six_base36_digits() {
        let date = KstDate::parse_compact("20261122").unwrap();
        assert_eq!(claim_number(date, 0).as_str(), "20261122000000");
        assert_eq!(claim_number(date, 14_263).as_str(), "20261122000B07");
        assert_eq!(
            claim_number(date, 36u64.pow(6) - 1).as_str(),
            "20261122ZZZZZZ"
        );
        assert_eq!(claim_number(date, 36u64.pow(6)).as_str(), "20261122000000");
        assert_eq!(claim_number(date, 5).as_str().len(), CLAIM_NUMBER_LEN);
    }

    #[test]
    fn numbers_have_bounds() {
        assert!(ItemSeq::new("ordItemSeq", 0).is_err());
        assert!(ItemSeq::new("ordItemSeq", 1).is_ok());
        assert!(ItemSeq::new("ordItemSeq", 1_000_000).is_err());
        assert!(Quantity::new("qty", 0).is_err());
        assert!(Quantity::new("qty", -3).is_err());
        assert!(Quantity::new("qty", 1_000_000).is_ok());
        assert!(Won::new("amount", -1).is_err());
        assert!(Won::new("amount", 0).is_ok());
        assert!(Won::new("amount", Won::MAX + 1).is_err());
    }

    #[test]
    fn labels_refuse_spaces_and_non_ascii() {
        assert!(CustomerId::parse("customerId", "c-1001").is_ok());
        assert!(CustomerId::parse("customerId", "c 1001").is_err());
        assert!(AgentId::parse("agentId", "상담원").is_err());
        assert!(AgentId::parse("agentId", &"a".repeat(65)).is_err());
    }
}

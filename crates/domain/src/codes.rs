//! SSG's code tables, with their names exactly as SSG writes them.

use crate::InvalidValue;

macro_rules! code_table {
    (
        $(#[$meta:meta])*
        $name:ident, $what:literal {
            $($variant:ident = $code:literal, $label:literal, $english:literal;)*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $($variant,)*
        }

        impl $name {
            /// Every value of the table, in the table's order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            /// The code as it appears on the wire.
            pub const fn code(self) -> &'static str {
                match self {
                    $($name::$variant => $code,)*
                }
            }

            /// The name SSG gives the code.
            pub const fn name(self) -> &'static str {
                match self {
                    $($name::$variant => $label,)*
                }
            }

            /// The name in English, for people who do not read Korean (not on SSG's wire).
            pub const fn english(self) -> &'static str {
                match self {
                    $($name::$variant => $english,)*
                }
            }

            /// Looks up a wire code; `None` when the table has no such code.
            pub fn from_code(code: &str) -> Option<Self> {
                match code {
                    $($code => Some($name::$variant),)*
                    _ => None,
                }
            }

            /// Like [`Self::from_code`], with an error naming the field and the allowed codes.
            pub fn parse(field: &str, code: &str) -> Result<Self, InvalidValue> {
                Self::from_code(code.trim()).ok_or_else(|| {
                    let allowed: Vec<&str> = Self::ALL.iter().map(|c| c.code()).collect();
                    InvalidValue::new(
                        field,
                        format!(
                            concat!("is not a known ", $what, " ({:?}); use one of {}"),
                            code,
                            allowed.join(", ")
                        ),
                    )
                })
            }
        }
    };
}

code_table! {
    /// Where the order was received (`ordRcpMediaCd`).
    MediaCode, "receipt media code" {
        PcWeb = "10", "PC웹", "PC web";
        MobileWeb = "20", "모바일웹", "mobile web";
        MobileAppIos = "30", "모바일앱(iOS)", "mobile app (iOS)";
        MobileAppAndroid = "40", "모바일앱(안드로이드)", "mobile app (Android)";
        PadAppIos = "50", "패드앱(iOS)", "tablet app (iOS)";
        PadAppAndroid = "60", "패드앱(안드로이드)", "tablet app (Android)";
        SmartDevice = "70", "스마트기기", "smart device";
        Affiliate = "80", "제휴채널", "affiliate channel";
        Store = "90", "점포", "store";
        CallCenter = "99", "콜센터", "call center";
    }
}

code_table! {
    /// Why the item was canceled (`clmRsnCd`).
    ReasonCode, "claim reason code" {
        SimpleCancel = "251", "단순취소", "changed mind";
        OptionChange = "252", "사이즈/색상 옵션 변경", "size or color change";
        Reorder = "253", "재주문", "reordering";
        AddressChange = "258", "배송지 변경", "address change";
        NotLowestPrice = "259", "최저가아님", "found a lower price";
        DeliveryTimeChange = "260", "배송시간변경", "delivery time change";
        OutOfStock = "270", "결품", "out of stock";
        WrongProductInfo = "271", "상품정보오류", "wrong product information";
    }
}

impl ReasonCode {
    /// The reasons a customer or an agent may give.
    pub const BY_PEOPLE: &'static [ReasonCode] = &[
        ReasonCode::SimpleCancel,
        ReasonCode::OptionChange,
        ReasonCode::Reorder,
        ReasonCode::AddressChange,
        ReasonCode::NotLowestPrice,
        ReasonCode::DeliveryTimeChange,
    ];

    /// Whether only the vendor's own cancellation (an out-of-stock registration executed)
    /// carries the reason.
    pub fn is_vendors(self) -> bool {
        !Self::BY_PEOPLE.contains(&self)
    }
}

code_table! {
    /// Why a vendor gives up an item (`shortgRsnCd` of an out-of-stock registration).
    NoSellReason, "out-of-stock reason code" {
        WrongProductInfo = "08", "상품정보오류", "wrong product information";
        OutOfStock = "09", "결품", "out of stock";
    }
}

impl NoSellReason {
    /// The reason the cancellation that executes the registration carries.
    pub const fn claim_reason(self) -> ReasonCode {
        match self {
            NoSellReason::OutOfStock => ReasonCode::OutOfStock,
            NoSellReason::WrongProductInfo => ReasonCode::WrongProductInfo,
        }
    }
}

code_table! {
    /// Why a release is late (`shortgRsnCd` of a delay notice).
    DelayReason, "delay reason code" {
        SupplyDelay = "01", "공급/출고 지연", "supply or release delay";
        MadeToOrder = "03", "주문제작", "made to order";
    }
}

code_table! {
    /// Who is at fault for the cancellation (`imptDivCd`).
    Fault, "imputation division code" {
        Customer = "10", "고객", "customer";
        Vendor = "20", "업체", "vendor";
    }
}

/// The status every claim row carries (`ordItemStatCd`): 180, order canceled.
pub const CANCELED_STATUS_CODE: &str = "180";
/// The name of [`CANCELED_STATUS_CODE`] (`ordItemStatNm`).
pub const CANCELED_STATUS_NAME: &str = "주문취소";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for media in MediaCode::ALL {
            assert_eq!(MediaCode::from_code(media.code()), Some(*media));
        }
        for reason in ReasonCode::ALL {
            assert_eq!(ReasonCode::from_code(reason.code()), Some(*reason));
        }
        assert_eq!(MediaCode::ALL.len(), 10);
        assert_eq!(ReasonCode::ALL.len(), 8);
        assert_eq!(ReasonCode::BY_PEOPLE.len(), 6);
        assert!(ReasonCode::OutOfStock.is_vendors());
        assert!(!ReasonCode::SimpleCancel.is_vendors());
        assert_eq!(
            NoSellReason::OutOfStock.claim_reason(),
            ReasonCode::OutOfStock
        );
        assert_eq!(NoSellReason::WrongProductInfo.claim_reason().code(), "271");
        assert_eq!(DelayReason::MadeToOrder.name(), "주문제작");
    }

    #[test]
    fn names_are_ssgs() {
        assert_eq!(MediaCode::MobileAppIos.name(), "모바일앱(iOS)");
        assert_eq!(ReasonCode::OptionChange.name(), "사이즈/색상 옵션 변경");
        assert_eq!(Fault::Vendor.name(), "업체");
    }

    #[test]
    fn unknown_codes_name_the_choices() {
        let err = ReasonCode::parse("clmRsnCd", "254").unwrap_err();
        assert_eq!(err.field, "clmRsnCd");
        assert!(err.problem.contains("251, 252, 253, 258, 259, 260"));
    }
}

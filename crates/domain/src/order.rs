//! Orders as the storefront places them.

use std::collections::BTreeSet;

use crate::text::TextRule;
use crate::{
    CustomerId, InvalidValue, ItemSeq, KstDateTime, MediaCode, OrderNo, Quantity, Text, VendorId,
    Won,
};

/// The most items one order may hold.
pub const MAX_ITEMS: usize = 500;

/// Field rules shared by everyone who builds order items.
pub mod rules {
    use super::TextRule;

    pub const ORDERER_NAME: TextRule = TextRule::line(100);
    pub const ITEM_ID: TextRule = TextRule::line(40);
    pub const ITEM_NAME: TextRule = TextRule::line(200);
    pub const UNIT_ITEM_ID: TextRule = TextRule::optional_line(40);
    pub const UNIT_ITEM_NAME: TextRule = TextRule::optional_line(200);
    pub const REASON_TEXT: TextRule = TextRule::paragraph(1000);
    pub const RECIPIENT_NAME: TextRule = TextRule::optional_line(100);
    pub const PHONE: TextRule = TextRule::optional_line(30);
    pub const ADDRESS: TextRule = TextRule::optional_line(300);
    pub const POSTAL_CODE: TextRule = TextRule::optional_line(10);
    pub const MEMO: TextRule = TextRule::paragraph(500);
    /// What a platform token is for, as its creator describes it (optional).
    pub const LABEL: TextRule = TextRule::optional_line(100);
}

/// Who receives the order and where, as the storefront took it: every field optional
/// (empty when not given), shown to the vendor in its shipping lists.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Recipient {
    /// `rcptpeNm`.
    pub name: Text,
    /// `rcptpeHpno`.
    pub phone: Text,
    /// `shpplocBascAddr`.
    pub base_address: Text,
    /// `shpplocDtlAddr`.
    pub detail_address: Text,
    /// `shpplocZpCd`.
    pub postal_code: Text,
    /// `ordMemoCntt`: the customer's note for the delivery.
    pub memo: Text,
}

/// One line of an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOrderItem {
    pub seq: ItemSeq,
    pub item_id: Text,
    pub item_nm: Text,
    pub uitem_id: Text,
    pub uitem_nm: Text,
    pub qty: Quantity,
    pub unit_price: Won,
    pub vendor: VendorId,
    /// The lower-rank vendor that fulfils the line, if any.
    pub lower_rank: Option<VendorId>,
    /// The discount on the whole line that the vendor bears (`splVenBdnDcAmt`).
    pub discount: Won,
}

/// The shipping fee a vendor charged on an order, and its return and exchange fees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShippingFee {
    pub vendor: VendorId,
    pub amount: Won,
    /// The fee a return at the customer's fault pays (`retShppcst`); `None`: `amount`.
    pub return_fee: Option<Won>,
    /// The fee an exchange at the customer's fault pays (`exchShppcst`); `None`: twice
    /// `amount`.
    pub exchange_fee: Option<Won>,
}

impl ShippingFee {
    /// The outbound fee only (return and exchange fees by default).
    pub fn outbound(vendor: VendorId, amount: Won) -> Self {
        Self {
            vendor,
            amount,
            return_fee: None,
            exchange_fee: None,
        }
    }

    /// The return fee, as given or by default.
    pub fn return_fee(&self) -> Won {
        self.return_fee.unwrap_or(self.amount)
    }

    /// The exchange fee, as given or by default.
    pub fn exchange_fee(&self) -> Won {
        self.exchange_fee.unwrap_or_else(|| {
            Won::new("exchShppcst", self.amount.get().saturating_mul(2)).unwrap_or(self.amount)
        })
    }
}

/// A complete, consistent order: items with distinct sequence numbers in ascending order,
/// at most one shipping fee per vendor and only for vendors with items in the order, and no
/// line discounted by more than its price.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOrder {
    ord_no: OrderNo,
    ordpe_nm: Text,
    customer_id: CustomerId,
    media: MediaCode,
    received_at: KstDateTime,
    shipping_fees: Vec<ShippingFee>,
    items: Vec<NewOrderItem>,
    recipient: Recipient,
}

impl NewOrder {
    pub fn new(
        ord_no: OrderNo,
        ordpe_nm: Text,
        customer_id: CustomerId,
        media: MediaCode,
        received_at: KstDateTime,
        mut shipping_fees: Vec<ShippingFee>,
        mut items: Vec<NewOrderItem>,
    ) -> Result<Self, InvalidValue> {
        if items.is_empty() {
            return Err(InvalidValue::new(
                "items",
                "an order needs at least one item",
            ));
        }
        if items.len() > MAX_ITEMS {
            return Err(InvalidValue::new(
                "items",
                format!("has {} items; at most {MAX_ITEMS} allowed", items.len()),
            ));
        }
        let mut seen = BTreeSet::new();
        for (index, item) in items.iter().enumerate() {
            if !seen.insert(item.seq) {
                return Err(InvalidValue::new(
                    format!("items[{index}].ordItemSeq"),
                    format!("ordItemSeq {} appears more than once", item.seq),
                ));
            }
            let price = i128::from(item.unit_price.get()) * i128::from(item.qty.get());
            if i128::from(item.discount.get()) > price {
                return Err(InvalidValue::new(
                    format!("items[{index}].splVenBdnDcAmt"),
                    format!(
                        "discount {} exceeds the line's price {} ({} x {})",
                        item.discount, price, item.unit_price, item.qty
                    ),
                ));
            }
        }
        let vendors: BTreeSet<&VendorId> = items.iter().map(|item| &item.vendor).collect();
        let mut fee_vendors = BTreeSet::new();
        for (index, fee) in shipping_fees.iter().enumerate() {
            if !fee_vendors.insert(&fee.vendor) {
                return Err(InvalidValue::new(
                    format!("shippingFees[{index}].splVenId"),
                    format!("vendor {} has more than one shipping fee", fee.vendor),
                ));
            }
            if !vendors.contains(&fee.vendor) {
                return Err(InvalidValue::new(
                    format!("shippingFees[{index}].splVenId"),
                    format!("vendor {} has no item in this order", fee.vendor),
                ));
            }
        }
        items.sort_by_key(|item| item.seq);
        shipping_fees.sort_by(|a, b| a.vendor.cmp(&b.vendor));
        Ok(Self {
            ord_no,
            ordpe_nm,
            customer_id,
            media,
            received_at,
            shipping_fees,
            items,
            recipient: Recipient::default(),
        })
    }

    /// The order with its recipient.
    pub fn with_recipient(self, recipient: Recipient) -> Self {
        Self { recipient, ..self }
    }

    pub fn recipient(&self) -> &Recipient {
        &self.recipient
    }

    pub fn ord_no(&self) -> &OrderNo {
        &self.ord_no
    }

    pub fn ordpe_nm(&self) -> &Text {
        &self.ordpe_nm
    }

    pub fn customer_id(&self) -> &CustomerId {
        &self.customer_id
    }

    pub fn media(&self) -> MediaCode {
        self.media
    }

    pub fn received_at(&self) -> KstDateTime {
        self.received_at
    }

    /// Shipping fees, ordered by vendor id.
    pub fn shipping_fees(&self) -> &[ShippingFee] {
        &self.shipping_fees
    }

    /// The fee `vendor` charged on this order (zero when none was given).
    pub fn shipping_fee(&self, vendor: &VendorId) -> Won {
        self.shipping_fees
            .iter()
            .find(|fee| &fee.vendor == vendor)
            .map_or(Won::ZERO, |fee| fee.amount)
    }

    /// Items, ordered by sequence number.
    pub fn items(&self) -> &[NewOrderItem] {
        &self.items
    }

    /// The item with this sequence number.
    pub fn item(&self, seq: ItemSeq) -> Option<&NewOrderItem> {
        self.items.iter().find(|item| item.seq == seq)
    }

    /// Every vendor and lower-rank vendor id the order names, for the store to look up.
    pub fn vendor_ids(&self) -> BTreeSet<&VendorId> {
        self.items
            .iter()
            .flat_map(|item| std::iter::once(&item.vendor).chain(item.lower_rank.as_ref()))
            .collect()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn item(seq: i64, vendor: &str, qty: i64, discount: i64) -> NewOrderItem {
        NewOrderItem {
            seq: ItemSeq::new("ordItemSeq", seq).unwrap(),
            item_id: Text::parse("itemId", "1000028463390", rules::ITEM_ID).unwrap(),
            item_nm: Text::parse("itemNm", "유기농 우유 1L", rules::ITEM_NAME).unwrap(),
            uitem_id: Text::parse("uitemId", "00001", rules::UNIT_ITEM_ID).unwrap(),
            uitem_nm: Text::default(),
            qty: Quantity::new("qty", qty).unwrap(),
            unit_price: Won::new("unitPrice", 4500).unwrap(),
            vendor: VendorId::parse("splVenId", vendor).unwrap(),
            lower_rank: None,
            discount: Won::new("splVenBdnDcAmt", discount).unwrap(),
        }
    }

    pub(crate) fn order(
        items: Vec<NewOrderItem>,
        fees: &[(&str, i64)],
    ) -> Result<NewOrder, InvalidValue> {
        NewOrder::new(
            OrderNo::parse("ordNo", "20261120000A3F").unwrap(),
            Text::parse("ordpeNm", "홍길동", rules::ORDERER_NAME).unwrap(),
            CustomerId::parse("customerId", "c-1001").unwrap(),
            MediaCode::MobileAppIos,
            KstDateTime::parse("ordRcpDts", "2026-11-20 09:50:17").unwrap(),
            fees.iter()
                .map(|(vendor, amount)| ShippingFee {
                    vendor: VendorId::parse("splVenId", vendor).unwrap(),
                    amount: Won::new("amount", *amount).unwrap(),
                    return_fee: None,
                    exchange_fee: None,
                })
                .collect(),
            items,
        )
    }

    #[test]
    fn items_are_kept_in_sequence_order() {
        let order = order(
            vec![item(2, "0000012345", 1, 0), item(1, "0000012345", 2, 0)],
            &[("0000012345", 3000)],
        )
        .unwrap();
        let seqs: Vec<u32> = order.items().iter().map(|i| i.seq.get()).collect();
        assert_eq!(seqs, [1, 2]);
        assert_eq!(
            order
                .shipping_fee(&VendorId::parse("v", "0000012345").unwrap())
                .get(),
            3000
        );
        assert_eq!(
            order
                .shipping_fee(&VendorId::parse("v", "0000099999").unwrap())
                .get(),
            0
        );
    }

    #[test]
    fn inconsistent_orders_are_refused_naming_the_field() {
        let err = order(vec![], &[]).unwrap_err();
        assert_eq!(err.field, "items");

        let err = order(
            vec![item(1, "0000012345", 1, 0), item(1, "0000012345", 1, 0)],
            &[],
        )
        .unwrap_err();
        assert_eq!(err.field, "items[1].ordItemSeq");

        let err = order(vec![item(1, "0000012345", 2, 9001)], &[]).unwrap_err();
        assert_eq!(err.field, "items[0].splVenBdnDcAmt");

        let err = order(vec![item(1, "0000012345", 1, 0)], &[("0000099999", 3000)]).unwrap_err();
        assert_eq!(err.field, "shippingFees[0].splVenId");

        let err = order(
            vec![item(1, "0000012345", 1, 0)],
            &[("0000012345", 3000), ("0000012345", 2500)],
        )
        .unwrap_err();
        assert_eq!(err.field, "shippingFees[1].splVenId");
    }

    #[test]
    fn equal_orders_compare_equal_whatever_the_item_order() {
        let a = order(
            vec![item(1, "0000012345", 1, 0), item(2, "0000023456", 1, 0)],
            &[("0000012345", 3000), ("0000023456", 2500)],
        )
        .unwrap();
        let b = order(
            vec![item(2, "0000023456", 1, 0), item(1, "0000012345", 1, 0)],
            &[("0000023456", 2500), ("0000012345", 3000)],
        )
        .unwrap();
        assert_eq!(a, b);
    }
}

//! A realistic, reproducible dataset of any size: 1,000 vendors (every tenth with two
//! lower-rank vendors), orders spread evenly over 90 days, 1.5 items per order, about one
//! claim line per nine orders, most of the rest shipped.
//!
//! Besides, one "stream" vendor has a very large week: `stream_rows` one-item orders, all
//! canceled in the dataset's last week, so that one inquiry answers that many rows. One in
//! [`STREAM_LOWER_RANK_EVERY`] of them is fulfilled by its lower-rank vendor, whose key
//! must read its own few rows of that week as cheaply as any vendor's.
//!
//! Claims and shipments are decided by the domain's own rules (`plan_cancellation`,
//! `plan_shipment`), so a loaded dataset is exactly what the service would have produced.

use claims_domain::order::rules;
use claims_domain::{
    Actor, AgentId, CancelCommand, Claim, CustomerId, Fault, ItemSeq, ItemState, KstDate,
    KstDateTime, MediaCode, NewOrder, NewOrderItem, OrderNo, OrderState, Quantity, ReasonCode,
    Scope, ShippingFee, ShippingNo, Text, VendorId, Won, claim_number, plan_cancellation,
    plan_shipment,
};
use claims_store::bulk::BulkOrder;
use claims_store::{NewVendor, OrderRecord};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};

/// What to generate.
#[derive(Debug, Clone)]
pub struct Plan {
    pub orders: u64,
    pub vendors: u32,
    pub days: i64,
    /// The end of the period; every time in the dataset is before it.
    pub end: KstDateTime,
    /// Share of orders with a cancellation.
    pub cancel_share: f64,
    /// Claim lines of the stream vendor in the last week.
    pub stream_rows: u64,
    pub seed: u64,
}

impl Plan {
    /// The default shape at `orders` orders, ending at 2026-10-01 00:00:00 KST: in the past,
    /// so that claims a benchmark makes (stamped with the current time) never land in the
    /// weeks it measures.
    pub fn new(orders: u64) -> Self {
        Self {
            orders,
            // 1,000 vendors at 10 million orders; fewer for smaller datasets, so that a
            // vendor's week holds about as many rows (about 95) whatever the size.
            vendors: (orders / 10_000).clamp(10, 1_000) as u32,
            days: 90,
            end: KstDate::from_ymd(2026, 10, 1).expect("a real date").start(),
            cancel_share: 0.11,
            stream_rows: 100_000,
            seed: 7,
        }
    }

    pub fn start(&self) -> KstDateTime {
        self.end.plus_seconds(-self.days * 86_400)
    }

    /// The id of top-level vendor `index` (0-based).
    pub fn vendor_id(&self, index: u32) -> VendorId {
        VendorId::parse("splVenId", &format!("{:010}", 1_000_000 + index)).expect("ten digits")
    }

    /// The lower-rank vendors of vendor `index`: every tenth vendor has two.
    pub fn lower_ranks(&self, index: u32) -> Vec<VendorId> {
        if index % 10 == 0 {
            (1..=2)
                .map(|n| {
                    VendorId::parse(
                        "lrnkSplVenId",
                        &format!("{:010}", 5_000_000 + index * 10 + n),
                    )
                    .expect("ten digits")
                })
                .collect()
        } else {
            Vec::new()
        }
    }

    /// The vendor with one very large week.
    pub fn stream_vendor(&self) -> VendorId {
        VendorId::parse("splVenId", "0009999999").expect("ten digits")
    }

    /// The stream vendor's lower-rank vendor, which fulfils one in
    /// [`STREAM_LOWER_RANK_EVERY`] of its orders.
    pub fn stream_lower_rank(&self) -> VendorId {
        VendorId::parse("lrnkSplVenId", "0009999990").expect("ten digits")
    }

    /// Every vendor, top-level ones first.
    pub fn all_vendors(&self) -> Vec<NewVendor> {
        let mut vendors = vec![NewVendor {
            id: self.stream_vendor(),
            name: text("대용량 스트림 공급업체", rules::ORDERER_NAME),
            parent: None,
        }];
        vendors.push(NewVendor {
            id: self.stream_lower_rank(),
            name: text("대용량 스트림 공급업체 센터", rules::ORDERER_NAME),
            parent: Some(self.stream_vendor()),
        });
        for index in 0..self.vendors {
            vendors.push(NewVendor {
                id: self.vendor_id(index),
                name: text(&format!("벤치 공급업체 {index:04}"), rules::ORDERER_NAME),
                parent: None,
            });
        }
        for index in 0..self.vendors {
            for lower in self.lower_ranks(index) {
                vendors.push(NewVendor {
                    id: lower,
                    name: text(
                        &format!("벤치 공급업체 {index:04} 센터"),
                        rules::ORDERER_NAME,
                    ),
                    parent: Some(self.vendor_id(index)),
                });
            }
        }
        vendors
    }

    /// The order number of order `index`.
    pub fn ord_no(index: u64) -> OrderNo {
        OrderNo::parse("ordNo", &format!("B{index:013}")).expect("a valid order number")
    }
}

fn text(value: &str, rule: claims_domain::text::TextRule) -> Text {
    Text::parse("text", value, rule).expect("generated text is valid")
}

const SURNAMES: &[&str] = &["김", "이", "박", "최", "정", "강", "조", "윤", "장", "임"];
const GIVEN_NAMES: &[&str] = &[
    "민준", "서연", "도윤", "지우", "하준", "서윤", "시우", "하은", "지호", "수아",
];
const ITEMS: &[(&str, &str, i64)] = &[
    ("유기농 우유 1L", "", 4_500),
    ("제주 감귤 3kg", "로얄과", 18_900),
    ("M&M's 초콜릿 <대용량> 1kg", "", 15_900),
    ("무선 청소기 V12", "실버", 459_000),
    ("남성 러닝화", "화이트 / 260mm", 79_000),
    ("햇반 210g x 24", "", 23_900),
    ("친환경 세제 3L", "", 12_900),
    ("블루투스 이어폰", "화이트", 89_000),
];

/// One in this many of the stream vendor's orders is its lower-rank vendor's.
pub const STREAM_LOWER_RANK_EVERY: u64 = 1_000;

/// Makes the dataset batch by batch, in order-number order.
#[derive(Debug)]
pub struct Generator {
    plan: Plan,
    rng: StdRng,
    next_order: u64,
    next_claim_id: u64,
    /// The last shipping number issued.
    last_shipping_no: u64,
}

/// Issues the shipping number after `last`, as the store does.
fn next_shipping_no(last: &mut u64) -> ShippingNo {
    *last += 1;
    ShippingNo::new("shppNo", *last).expect("far below the largest shipping number")
}

impl Generator {
    pub fn new(plan: Plan) -> Self {
        let rng = StdRng::seed_from_u64(plan.seed);
        Self {
            plan,
            rng,
            next_order: 0,
            next_claim_id: 1,
            last_shipping_no: 0,
        }
    }

    pub fn done(&self) -> bool {
        self.next_order >= self.plan.orders + self.plan.stream_rows
    }

    /// Up to `size` more orders: the ordinary ones first, then the stream vendor's.
    pub fn batch(&mut self, size: usize) -> Vec<BulkOrder> {
        let mut out = Vec::with_capacity(size);
        while out.len() < size && !self.done() {
            if self.next_order < self.plan.orders {
                out.push(self.order());
            } else {
                out.push(self.stream_order(self.next_order - self.plan.orders));
            }
            self.next_order += 1;
        }
        out
    }

    /// A one-item order of the stream vendor, fully canceled during the last week.
    fn stream_order(&mut self, index: u64) -> BulkOrder {
        let plan = &self.plan;
        let (week_start, week_end) = crate::scenarios::last_week(plan).bounds();
        let span = week_end.unix_seconds() - week_start.unix_seconds();
        let offset = (span as u128 * index as u128 / plan.stream_rows.max(1) as u128) as i64;
        let canceled_at = week_start.plus_seconds(offset);
        let received = canceled_at.plus_seconds(-3_600);
        let customer = CustomerId::parse("customerId", "c-stream").expect("valid");
        let lower_rank = (index % STREAM_LOWER_RANK_EVERY == 0).then(|| plan.stream_lower_rank());
        let order = NewOrder::new(
            OrderNo::parse("ordNo", &format!("S{index:013}")).expect("valid"),
            text("김스트림", rules::ORDERER_NAME),
            customer.clone(),
            MediaCode::MobileAppAndroid,
            received,
            Vec::new(),
            vec![NewOrderItem {
                seq: ItemSeq::new("ordItemSeq", 1).expect("valid"),
                item_id: text("1000099999999", rules::ITEM_ID),
                item_nm: text("대용량 테스트 상품 <묶음> & 사은품", rules::ITEM_NAME),
                uitem_id: text("00001", rules::UNIT_ITEM_ID),
                uitem_nm: Text::default(),
                qty: Quantity::new("qty", 1).expect("valid"),
                unit_price: Won::new("unitPrice", 9_900).expect("valid"),
                vendor: plan.stream_vendor(),
                lower_rank: lower_rank.clone(),
                discount: Won::new("splVenBdnDcAmt", 990).expect("valid"),
            }],
        )
        .expect("consistent");
        let state = OrderState {
            ord_no: order.ord_no().clone(),
            customer_id: customer.clone(),
            items: vec![ItemState {
                seq: order.items()[0].seq,
                vendor: plan.stream_vendor(),
                lower_rank,
                ordered: 1,
                canceled: 0,
                shipped: 0,
                discount: order.items()[0].discount,
                refunded_discount: Won::ZERO,
                shipped_at: None,
                last_canceled_at: None,
                shpp_no: next_shipping_no(&mut self.last_shipping_no),
                confirmed_at: None,
                waybill: None,
                no_sell: None,
                delay: None,
                delivered_at: None,
            }],
            shipping_fees: Vec::new(),
        };
        let command = CancelCommand::new(
            Actor::Customer(customer),
            vec![(order.items()[0].seq, order.items()[0].qty)],
            ReasonCode::SimpleCancel,
            Text::default(),
            None,
        )
        .expect("well-formed");
        let claim_plan = plan_cancellation(&state, &command).expect("the rules allow it");
        let mut item = state.items[0].clone();
        item.canceled = 1;
        item.refunded_discount = claim_plan.lines[0].refunded_discount_after;
        item.last_canceled_at = Some(canceled_at);
        let id = self.next_claim_id;
        self.next_claim_id += 1;
        let claim = claim_plan.into_claim(
            claim_number(KstDate::of(canceled_at), id),
            order.ord_no().clone(),
            canceled_at,
            &command,
        );
        BulkOrder {
            record: OrderRecord {
                order,
                items: vec![item],
                claims: vec![claim],
                cancel_requests: Vec::new(),
                pickups: Vec::new(),
            },
            claim_ids: vec![id],
            placed_at: received,
        }
    }

    fn order(&mut self) -> BulkOrder {
        let plan = &self.plan;
        let index = self.next_order;
        let span = plan.days * 86_400;
        let rng = &mut self.rng;
        let offset = (span as u128 * index as u128 / plan.orders.max(1) as u128) as i64;
        let received = plan.start().plus_seconds(offset + rng.random_range(0..30));

        let item_count = if rng.random_bool(0.5) { 1 } else { 2 };
        let mut items = Vec::with_capacity(item_count);
        let mut fees: Vec<ShippingFee> = Vec::new();
        for n in 0..item_count {
            let vendor_index = rng.random_range(0..plan.vendors);
            let vendor = plan.vendor_id(vendor_index);
            let lower_rank = plan
                .lower_ranks(vendor_index)
                .choose(rng)
                .cloned()
                .filter(|_| rng.random_bool(0.7));
            let &(name, option, price) = ITEMS.choose(rng).expect("non-empty");
            let qty = rng.random_range(1..=3);
            let discount = if rng.random_bool(0.4) {
                price * i64::from(qty) / 10
            } else {
                0
            };
            if !fees.iter().any(|fee| fee.vendor == vendor) && rng.random_bool(0.5) {
                fees.push(ShippingFee {
                    vendor: vendor.clone(),
                    amount: Won::new("amount", 3_000).expect("small"),
                    return_fee: None,
                    exchange_fee: None,
                });
            }
            items.push(NewOrderItem {
                seq: ItemSeq::new("ordItemSeq", n as i64 + 1).expect("small"),
                item_id: text(
                    &format!("{}", 1_000_028_463_390u64 + (price as u64 % 97)),
                    rules::ITEM_ID,
                ),
                item_nm: text(name, rules::ITEM_NAME),
                uitem_id: text("00001", rules::UNIT_ITEM_ID),
                uitem_nm: Text::parse("uitemNm", option, rules::UNIT_ITEM_NAME).expect("valid"),
                qty: Quantity::new("qty", i64::from(qty)).expect("small"),
                unit_price: Won::new("unitPrice", price).expect("small"),
                vendor,
                lower_rank,
                discount: Won::new("splVenBdnDcAmt", discount).expect("small"),
            });
        }
        let customer = CustomerId::parse(
            "customerId",
            &format!("c-{}", rng.random_range(1..2_000_000)),
        )
        .expect("valid");
        let name = format!(
            "{}{}",
            SURNAMES.choose(rng).expect("non-empty"),
            GIVEN_NAMES.choose(rng).expect("non-empty")
        );
        let order = NewOrder::new(
            Plan::ord_no(index),
            text(&name, rules::ORDERER_NAME),
            customer.clone(),
            *MediaCode::ALL.choose(rng).expect("non-empty"),
            received,
            fees,
            items,
        )
        .expect("generated orders are consistent");

        let mut state = OrderState {
            ord_no: order.ord_no().clone(),
            customer_id: customer.clone(),
            items: order
                .items()
                .iter()
                .map(|item| ItemState::placed(item, next_shipping_no(&mut self.last_shipping_no)))
                .collect(),
            shipping_fees: order.shipping_fees().to_vec(),
        };

        let mut claims: Vec<Claim> = Vec::new();
        let mut claim_ids = Vec::new();
        if rng.random_bool(plan.cancel_share) {
            let at = received.plus_seconds(rng.random_range(300..86_400));
            if at < plan.end {
                let mut lines: Vec<(ItemSeq, Quantity)> = Vec::new();
                for item in &state.items {
                    if item_count > 1 && !rng.random_bool(0.6) {
                        continue;
                    }
                    let units = if item.ordered > 1 && rng.random_bool(0.4) {
                        rng.random_range(1..item.ordered)
                    } else {
                        item.ordered
                    };
                    lines.push((
                        item.seq,
                        Quantity::new("qty", i64::from(units)).expect("positive"),
                    ));
                }
                if !lines.is_empty() {
                    let by_agent = rng.random_bool(0.3);
                    let actor = if by_agent {
                        Actor::Agent(AgentId::parse("agentId", "agent-bench").expect("valid"))
                    } else {
                        Actor::Customer(customer)
                    };
                    let fault = (by_agent && rng.random_bool(0.4)).then_some(Fault::Vendor);
                    let command = CancelCommand::new(
                        actor,
                        lines,
                        *ReasonCode::BY_PEOPLE.choose(rng).expect("non-empty"),
                        Text::default(),
                        fault,
                    )
                    .expect("well-formed");
                    let claim_plan = plan_cancellation(&state, &command)
                        .expect("the generator follows the rules");
                    for line in &claim_plan.lines {
                        let item = state
                            .items
                            .iter_mut()
                            .find(|item| item.seq == line.item_seq)
                            .expect("the plan names the order's items");
                        item.canceled = line.canceled_after;
                        item.refunded_discount = line.refunded_discount_after;
                        item.last_canceled_at = Some(at);
                    }
                    let id = self.next_claim_id;
                    self.next_claim_id += 1;
                    claims.push(claim_plan.into_claim(
                        claim_number(KstDate::of(at), id),
                        order.ord_no().clone(),
                        at,
                        &command,
                    ));
                    claim_ids.push(id);
                }
            }
        }
        for item in &mut state.items {
            let at = received.plus_seconds(rng.random_range(6 * 3_600..72 * 3_600));
            if at < plan.end && rng.random_bool(0.85) {
                let scope = Scope {
                    vendor: item.vendor.clone(),
                    lower_rank: item.lower_rank.clone(),
                };
                if let Ok(shipment) = plan_shipment(item, &scope, at) {
                    item.shipped = shipment.qty.get();
                    item.shipped_at = Some(shipment.shipped_at);
                    item.confirmed_at = shipment.confirms.or(item.confirmed_at);
                }
            }
        }
        BulkOrder {
            record: OrderRecord {
                order,
                items: state.items,
                claims,
                cancel_requests: Vec::new(),
                pickups: Vec::new(),
            },
            claim_ids,
            placed_at: received,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dataset_has_the_intended_shape_and_is_consistent() {
        let plan = Plan {
            stream_rows: 0,
            ..Plan::new(20_000)
        };
        let mut generator = Generator::new(plan.clone());
        let orders = generator.batch(100_000);
        assert_eq!(orders.len(), 20_000);
        assert!(generator.done());
        let items: usize = orders.iter().map(|o| o.record.items.len()).sum();
        let lines: usize = orders
            .iter()
            .flat_map(|o| &o.record.claims)
            .map(|c| c.lines.len())
            .sum();
        assert!((28_000..32_000).contains(&items), "{items} items");
        // About 1.2 million claim lines per 10 million orders.
        assert!((2_100..2_700).contains(&lines), "{lines} claim lines");
        for order in &orders {
            order.check().unwrap();
            assert!(order.record.order.received_at() < plan.end);
            for claim in &order.record.claims {
                assert!(claim.canceled_at < plan.end);
            }
        }
        // Reproducible.
        let again = Generator::new(plan).batch(10);
        assert_eq!(again, orders[..10].to_vec());
    }

    #[test]
    fn the_stream_vendor_has_one_very_large_week() {
        let plan = Plan {
            stream_rows: 5_000,
            ..Plan::new(100)
        };
        let orders = Generator::new(plan.clone()).batch(10_000);
        assert_eq!(orders.len(), 5_100);
        let week = crate::scenarios::last_week(&plan);
        let stream: Vec<_> = orders
            .iter()
            .filter(|o| o.record.order.items()[0].vendor == plan.stream_vendor())
            .collect();
        assert_eq!(stream.len(), 5_000);
        for order in stream {
            order.check().unwrap();
            assert!(week.contains(order.record.claims[0].canceled_at));
        }
    }
}

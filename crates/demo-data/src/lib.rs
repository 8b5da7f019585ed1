//! Realistic sample data, made the way real data is: vendors are registered, customers
//! place orders through the store, vendors confirm and ship, customers and service-center
//! agents cancel — directly while an item is only instructed, through a cancel request once
//! its vendor confirmed it, which the vendor approves, the customer withdraws, or the
//! shipment rejects — each through the same [`Store`] calls and domain rules the service
//! uses. Requests the rules refuse (a cancellation after shipping, say) are refused here
//! too and simply leave no trace, as they would in production.
//!
//! Invariant: the data depends only on the seed and the `now` passed in, never on a clock or
//! global randomness, so a run can be repeated exactly.

use std::collections::BTreeMap;

use claims_domain::order::rules;
use claims_domain::{
    Actor, AgentId, CancelCommand, CancelRejection, CustomerId, DelayReason, Fault, ItemSeq,
    KstDate, KstDateTime, MediaCode, NewOrder, NewOrderItem, NoSellReason, OrderNo, Quantity,
    ReasonCode, Recipient, RequestId, Scope, ShippingFee, Text, VendorId, Won,
};
use claims_store::{ItemRef, NewVendor, Store, StoreError};
use rand::rngs::StdRng;
use rand::seq::{IndexedRandom, SliceRandom};
use rand::{Rng, SeedableRng};

mod returns;

/// A vendor of the sample data: (id, name, parent).
pub const VENDORS: &[(&str, &str, Option<&str>)] = &[
    ("0000012345", "(주)한빛유통", None),
    ("0000012346", "한빛유통 신선센터", Some("0000012345")),
    ("0000012347", "한빛유통 생활센터", Some("0000012345")),
    ("0000023456", "바른생활가전", None),
    ("0000034567", "초록마켓", None),
    ("0000045678", "스타일코리아", None),
];

/// What one vendor sells: (item id, item name, unit item id, unit item name, unit price,
/// lower-rank vendor that ships it).
type CatalogItem = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    i64,
    Option<&'static str>,
);

fn catalog(vendor: &str) -> &'static [CatalogItem] {
    match vendor {
        "0000012345" => &[
            (
                "1000028463390",
                "유기농 우유 1L",
                "00001",
                "",
                4500,
                Some("0000012346"),
            ),
            (
                "1000028463391",
                "제주 감귤 3kg",
                "00001",
                "로얄과",
                18900,
                Some("0000012346"),
            ),
            (
                "1000028463392",
                "한우 불고기 500g",
                "00001",
                "",
                24900,
                Some("0000012346"),
            ),
            (
                "1000031827754",
                "M&M's 초콜릿 <대용량> 1kg",
                "00001",
                "",
                15900,
                None,
            ),
            (
                "1000031827755",
                "신라면 멀티팩 5입",
                "00001",
                "",
                4380,
                None,
            ),
            ("1000031827756", "햇반 210g x 24", "00001", "", 23900, None),
            (
                "1000040011223",
                "고급 수건 세트 (4매)",
                "00002",
                "네이비",
                19800,
                Some("0000012347"),
            ),
            (
                "1000040011224",
                "주방세제 1.2L 리필",
                "00001",
                "",
                6900,
                Some("0000012347"),
            ),
        ],
        "0000023456" => &[
            (
                "1000051234501",
                "무선 청소기 V12",
                "00001",
                "실버",
                459000,
                None,
            ),
            ("1000051234502", "전기밥솥 6인용", "00001", "", 189000, None),
            (
                "1000051234503",
                "블루투스 이어폰",
                "00003",
                "화이트",
                89000,
                None,
            ),
            ("1000051234504", "공기청정기 필터", "00001", "", 32000, None),
        ],
        "0000034567" => &[
            ("1000062200011", "친환경 세제 3L", "00001", "", 12900, None),
            ("1000062200012", "유기농 현미 4kg", "00001", "", 21500, None),
            (
                "1000062200013",
                "무첨가 두유 190ml x 24",
                "00001",
                "",
                16900,
                None,
            ),
        ],
        _ => &[
            (
                "1000073300021",
                "남성 러닝화",
                "00004",
                "화이트 / 260mm",
                79000,
                None,
            ),
            (
                "1000073300022",
                "여성 니트 가디건",
                "00002",
                "베이지 / M",
                49900,
                None,
            ),
            ("1000073300023", "캔버스 에코백", "00001", "", 19900, None),
            (
                "1000073300024",
                "겨울 패딩 점퍼",
                "00005",
                "블랙 / L",
                129000,
                None,
            ),
        ],
    }
}

const TOP_VENDORS: &[&str] = &["0000012345", "0000023456", "0000034567", "0000045678"];
const SHIPPING_FEES: &[i64] = &[0, 2500, 3000, 3000, 3500];

const SURNAMES: &[&str] = &[
    "김", "이", "박", "최", "정", "강", "조", "윤", "장", "임", "한", "오", "서", "신", "권", "황",
    "안", "송", "류", "홍",
];
const GIVEN_NAMES: &[&str] = &[
    "민준", "서연", "도윤", "지우", "하준", "서윤", "시우", "하은", "주원", "지민", "예준", "수아",
    "지호", "지유", "준서", "채원", "현우", "다은", "은우", "소율",
];
/// (base address, postal code) of sample recipients.
const ADDRESSES: &[(&str, &str)] = &[
    ("서울특별시 중구 소공로 63", "04530"),
    ("서울특별시 강남구 테헤란로 152", "06236"),
    ("부산광역시 해운대구 센텀남대로 35", "48058"),
    ("경기도 성남시 분당구 판교역로 166", "13529"),
    ("대구광역시 중구 동성로 12", "41937"),
    ("광주광역시 서구 상무중앙로 110", "61949"),
];
const DETAIL_ADDRESSES: &[&str] = &["101동 1203호", "2층", "B동 305호", "상가 1층 관리실", ""];
const MEMOS: &[&str] = &[
    "부재 시 경비실에 맡겨주세요",
    "문 앞에 놓아주세요",
    "배송 전 연락 바랍니다",
    "",
    "",
];

const CUSTOMER_REASONS: &[&str] = &[
    "",
    "",
    "다른 상품으로 다시 주문할게요",
    "배송지를 잘못 입력했어요",
    "더 저렴한 곳을 찾았어요",
    "옵션을 잘못 선택했습니다",
];
const AGENT_REASONS: &[&str] = &[
    "고객 요청으로 상담원 취소",
    "재고 부족으로 업체 요청 취소",
    "배송 지연 안내 후 고객 동의 취소",
    "고객 통화 후 부분 취소\n남은 수량은 정상 출고",
];

/// How much data to make.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Orders placed over the period.
    pub orders: usize,
    /// Days back from `now` the orders spread over.
    pub days: i64,
    /// Share of orders with at least one cancellation request.
    pub cancel_share: f64,
    pub seed: u64,
}

impl Default for Plan {
    fn default() -> Self {
        Self {
            orders: 3_000,
            days: 30,
            cancel_share: 0.35,
            seed: 20_261_128,
        }
    }
}

/// What was made.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub vendors: usize,
    pub orders: usize,
    pub claims: usize,
    pub claim_lines: usize,
    /// Items their vendor confirmed (주문확인).
    pub confirmations: usize,
    pub shipments: usize,
    /// Cancel requests filed for confirmed items, and how their lines ended.
    pub cancel_requests: usize,
    pub approved: usize,
    pub withdrawn: usize,
    pub rejected: usize,
    /// Requests the rules refused (a cancellation after shipping, for example).
    pub refused: usize,
    pub by_customers: usize,
    pub by_agents: usize,
    /// Claims made by executing a vendor's out-of-stock registration.
    pub by_vendors: usize,
    /// Out-of-stock registrations executed, and waiting for their 17:00.
    pub no_sells_executed: usize,
    pub no_sells_pending: usize,
    /// Delay notices sent.
    pub delays: usize,
    /// Shipments delivered (배송완료), and returns and exchanges filed.
    pub deliveries: usize,
    pub returns: usize,
    pub exchanges: usize,
}

/// Something to do to an order at a time.
enum Event {
    Confirm(ItemSeq, Scope),
    /// A cancellation as the customer or agent asks for it; once the items are confirmed,
    /// the service center files it as a cancel request instead.
    Cancel(CancelCommand),
    Ship(ItemSeq, Scope),
    /// The vendor approves the pending request line of an item, if there is one.
    Approve(ItemSeq, Scope),
    /// The customer withdraws the order's latest cancel request, if it is still pending.
    Withdraw,
}

/// Registers the sample vendors and fills the store according to `plan`, with every event
/// at or before `now`.
pub async fn populate(
    store: &dyn Store,
    now: KstDateTime,
    plan: &Plan,
) -> Result<Summary, StoreError> {
    let mut rng = StdRng::seed_from_u64(plan.seed);
    let mut summary = Summary::default();
    let registered_at = now.plus_seconds(-(plan.days + 1) * 86_400);
    for &(id, name, parent) in VENDORS {
        let id = vendor(id);
        if store.vendor(&id).await?.is_none() {
            store
                .add_vendor(
                    NewVendor {
                        id,
                        name: text(name, rules::ORDERER_NAME),
                        parent: parent.map(vendor),
                    },
                    registered_at,
                )
                .await?;
            summary.vendors += 1;
        }
    }

    let span = plan.days * 86_400;
    let mut cancel_requests = 0usize;
    let mut shipped = Vec::new();
    // Spread order times evenly with jitter, so their numbers come out in time order.
    for index in 0..plan.orders {
        let slot = span * index as i64 / plan.orders.max(1) as i64;
        let jitter = rng.random_range(0..(span / plan.orders.max(1) as i64).max(1));
        let received = now.plus_seconds(-span + slot + jitter - 3_600);
        let order = make_order(&mut rng, index, received);
        store.place_order(order.clone(), received).await?;
        summary.orders += 1;

        let mut latest_request: Option<RequestId> = None;
        for (at, event) in events(&mut rng, &order, received, now, plan, &mut cancel_requests) {
            let outcome = match &event {
                Event::Confirm(seq, scope) => store
                    .confirm(&ItemRef::Order(order.ord_no().clone(), *seq), scope, at)
                    .await
                    .map(|_| summary.confirmations += 1),
                Event::Cancel(command) => match store.cancel(order.ord_no(), command, at).await {
                    Ok(claim) => {
                        summary.claims += 1;
                        summary.claim_lines += claim.lines.len();
                        match command.actor() {
                            Actor::Customer(_) => summary.by_customers += 1,
                            Actor::Agent(_) => summary.by_agents += 1,
                            Actor::Vendor(_) => summary.by_vendors += 1,
                        }
                        Ok(())
                    }
                    // Confirmed: the service center files the same as a cancel request.
                    Err(StoreError::Cancel(
                        CancelRejection::NeedsServiceCenter { .. }
                        | CancelRejection::UseCancelRequest { .. },
                    )) => {
                        let id = request_id(&mut rng);
                        store
                            .file_cancel_request(order.ord_no(), &as_request(command), id, at)
                            .await
                            .map(|request| {
                                summary.cancel_requests += 1;
                                latest_request = Some(request.id);
                            })
                    }
                    Err(other) => Err(other),
                },
                Event::Ship(seq, scope) => {
                    store
                        .ship(order.ord_no(), *seq, scope, at)
                        .await
                        .map(|shipment| {
                            summary.shipments += 1;
                            summary.rejected += shipment.rejected.len();
                            shipped.push(returns::Shipped {
                                ord_no: shipment.ord_no.clone(),
                                customer: order.customer_id().clone(),
                                seq: *seq,
                                scope: scope.clone(),
                                at,
                            });
                        })
                }
                Event::Approve(seq, scope) => store
                    .approve_cancel_request(order.ord_no(), *seq, scope, at)
                    .await
                    .map(|claim| {
                        summary.approved += 1;
                        summary.claims += 1;
                        summary.claim_lines += claim.lines.len();
                        summary.by_agents += 1;
                    }),
                Event::Withdraw => match &latest_request {
                    Some(id) => {
                        let customer = Actor::Customer(order.customer_id().clone());
                        store
                            .withdraw_cancel_request(id, &customer, at)
                            .await
                            .map(|request| {
                                summary.withdrawn += request
                                    .lines
                                    .iter()
                                    .filter(|line| line.ended_at == Some(at))
                                    .count();
                            })
                    }
                    None => Ok(()),
                },
            };
            match outcome {
                Ok(()) => {}
                Err(StoreError::Cancel(_) | StoreError::Ship(_)) => summary.refused += 1,
                Err(other) => return Err(other),
            }
        }
    }
    waiting_requests(store, &mut rng, now, &mut summary).await?;
    vendor_notices(store, &mut rng, now, &mut summary).await?;
    returns::returns_and_exchanges(store, &mut rng, &shipped, TOP_VENDORS, now, &mut summary)
        .await?;
    Ok(summary)
}

/// Gives each top-level vendor its own notices, as vendors send them: two items registered
/// out of stock two days ago and executed yesterday at 17:00 (one for each reason), one
/// registered an hour or so ago and waiting for its 17:00, and a delay notice on a
/// confirmed item.
async fn vendor_notices(
    store: &dyn Store,
    rng: &mut StdRng,
    now: KstDateTime,
    summary: &mut Summary,
) -> Result<(), StoreError> {
    let today = KstDate::of(now);
    let month = claims_domain::Period::spanning(today.plus_days(-30), today, 31).expect("31 days");
    let two_days_ago = today.plus_days(-2).start().plus_seconds(10 * 3600);
    for vendor_id in TOP_VENDORS {
        let scope = Scope {
            vendor: vendor(vendor_id),
            lower_rank: None,
        };
        let instructed = store
            .shipping_items(
                &scope,
                claims_domain::ShippingStatus::Instructed,
                month,
                200,
            )
            .await?;
        let mut candidates = instructed.iter().filter(|item| item.state.open() > 0);
        let reasons = [NoSellReason::OutOfStock, NoSellReason::WrongProductInfo];
        let words = ["입고 지연으로 결품", "상품 상세의 용량 표기 오류"];
        for (reason, words) in reasons.into_iter().zip(words) {
            let at = two_days_ago.plus_seconds(rng.random_range(0..4 * 3600));
            let Some(item) = candidates.find(|item| item.received_at < at) else {
                break;
            };
            let item_ref = ItemRef::Order(item.ord_no.clone(), item.item.seq);
            let registered = store
                .register_no_sell(
                    &item_ref,
                    item.item.item_id.as_str(),
                    &scope,
                    reason,
                    &text(words, rules::REASON_TEXT),
                    at,
                )
                .await?;
            let Some(no_sell) = registered.no_sell else {
                continue;
            };
            if no_sell.executes_at > now {
                summary.no_sells_pending += 1;
                continue;
            }
            if let Some(executed) = store
                .execute_no_sell(&item.ord_no, item.item.seq, no_sell.executes_at)
                .await?
            {
                for claim in executed.approved.iter().chain(&executed.claim) {
                    summary.claims += 1;
                    summary.claim_lines += claim.lines.len();
                }
                summary.approved += usize::from(executed.approved.is_some());
                summary.by_agents += usize::from(executed.approved.is_some());
                summary.by_vendors += usize::from(executed.claim.is_some());
                summary.no_sells_executed += 1;
            }
        }
        let at = now.plus_seconds(-rng.random_range(600..2 * 3600));
        if let Some(item) = candidates.find(|item| item.received_at < at) {
            store
                .register_no_sell(
                    &ItemRef::Order(item.ord_no.clone(), item.item.seq),
                    item.item.item_id.as_str(),
                    &scope,
                    NoSellReason::OutOfStock,
                    &text("공급처 재고 소진", rules::REASON_TEXT),
                    at,
                )
                .await?;
            summary.no_sells_pending += 1;
        }
        let confirmed = store
            .shipping_items(&scope, claims_domain::ShippingStatus::Confirmed, month, 200)
            .await?;
        let at = now.plus_seconds(-rng.random_range(600..3 * 3600));
        if let Some(item) = confirmed
            .iter()
            .find(|item| item.state.delay.is_none() && item.received_at < at)
        {
            let reason = *[DelayReason::SupplyDelay, DelayReason::MadeToOrder]
                .choose(rng)
                .expect("two reasons");
            match store
                .notify_delay(
                    &ItemRef::Order(item.ord_no.clone(), item.item.seq),
                    item.item.item_id.as_str(),
                    &scope,
                    reason,
                    today.plus_days(rng.random_range(3..8)),
                    at,
                )
                .await
            {
                Ok(_) => summary.delays += 1,
                Err(StoreError::Ship(_)) => summary.refused += 1,
                Err(other) => return Err(other),
            }
        }
    }
    Ok(())
}

/// Makes sure each top-level vendor has cancel requests waiting for it: for up to two of its
/// confirmed, unshipped items of the last week with nothing pending, the service center
/// asks to cancel one unit.
async fn waiting_requests(
    store: &dyn Store,
    rng: &mut StdRng,
    now: KstDateTime,
    summary: &mut Summary,
) -> Result<(), StoreError> {
    let today = KstDate::of(now);
    let week = claims_domain::Period::spanning(today.plus_days(-7), today, 8).expect("eight days");
    for vendor_id in TOP_VENDORS {
        let scope = Scope {
            vendor: vendor(vendor_id),
            lower_rank: None,
        };
        let pending = store.pending_cancel_lines(&scope, week, 10).await?;
        if pending.len() >= 2 {
            continue;
        }
        let confirmed = store
            .shipping_items(&scope, claims_domain::ShippingStatus::Confirmed, week, 50)
            .await?;
        let mut filed = pending.len();
        for item in confirmed.iter().rev() {
            if filed >= 2 {
                break;
            }
            if pending
                .iter()
                .any(|line| line.shpp_no == item.state.shpp_no)
            {
                continue;
            }
            let command = CancelCommand::new(
                Actor::Agent(AgentId::parse("agentId", "agent-desk").expect("valid")),
                vec![(item.item.seq, Quantity::new("qty", 1).expect("one"))],
                ReasonCode::AddressChange,
                text("배송지 변경 요청, 업체 확인 대기", rules::REASON_TEXT),
                None,
            )
            .expect("well-formed");
            let at = now.plus_seconds(-rng.random_range(600..3 * 3600));
            match store
                .file_cancel_request(&item.ord_no, &command, request_id(rng), at)
                .await
            {
                Ok(_) => {
                    summary.cancel_requests += 1;
                    filed += 1;
                }
                Err(StoreError::Cancel(_)) => summary.refused += 1,
                Err(other) => return Err(other),
            }
        }
    }
    Ok(())
}

/// A request id from the sample's own random source, so that a run repeats exactly.
fn request_id(rng: &mut StdRng) -> RequestId {
    RequestId::from_random(rng.random())
}

/// The cancellation `command` asks for, as the service center files it as a request: the
/// agent's own, or on the customer's behalf.
fn as_request(command: &CancelCommand) -> CancelCommand {
    let agent = match command.actor() {
        Actor::Agent(agent) => agent.clone(),
        Actor::Customer(_) | Actor::Vendor(_) => {
            AgentId::parse("agentId", "agent-desk").expect("valid")
        }
    };
    CancelCommand::new(
        Actor::Agent(agent),
        command.lines().to_vec(),
        command.reason(),
        command.reason_text().clone(),
        Some(command.fault()),
    )
    .expect("a command that was well-formed stays so")
}

fn vendor(id: &str) -> VendorId {
    VendorId::parse("splVenId", id).expect("sample vendor ids are valid")
}

fn text(value: &str, rule: claims_domain::text::TextRule) -> Text {
    Text::parse("text", value, rule).expect("sample text is valid")
}

fn make_order(rng: &mut StdRng, index: usize, received: KstDateTime) -> NewOrder {
    let date = KstDate::of(received).compact();
    let ord_no = OrderNo::parse("ordNo", &format!("{date}{:06}", 500_000 + index % 500_000))
        .expect("sample order numbers are valid");
    let name = format!(
        "{}{}",
        SURNAMES.choose(rng).expect("non-empty"),
        GIVEN_NAMES.choose(rng).expect("non-empty")
    );
    // Every receipt medium appears; apps and the web most often.
    let media = if index < 200 {
        MediaCode::ALL[index % MediaCode::ALL.len()]
    } else {
        *[
            MediaCode::PcWeb,
            MediaCode::MobileWeb,
            MediaCode::MobileAppIos,
            MediaCode::MobileAppAndroid,
            MediaCode::MobileAppAndroid,
            MediaCode::MobileAppIos,
        ]
        .choose(rng)
        .expect("non-empty")
    };

    let vendor_count = *[1, 1, 1, 2, 2, 3].choose(rng).expect("non-empty");
    let mut vendors: Vec<&str> = TOP_VENDORS.to_vec();
    vendors.shuffle(rng);
    vendors.truncate(vendor_count);

    let mut items = Vec::new();
    let mut fees = Vec::new();
    for vendor_id in &vendors {
        let lines = rng.random_range(1..=3);
        for _ in 0..lines {
            let &(item_id, item_nm, uitem_id, uitem_nm, price, lower) =
                catalog(vendor_id).choose(rng).expect("non-empty catalog");
            let qty = *[1, 1, 1, 2, 2, 3, 4, 6].choose(rng).expect("non-empty");
            let discount = if rng.random_bool(0.4) {
                (price * i64::from(qty) / 10 / 100) * 100
            } else {
                0
            };
            items.push(NewOrderItem {
                seq: ItemSeq::new("ordItemSeq", items.len() as i64 + 1).expect("small"),
                item_id: text(item_id, rules::ITEM_ID),
                item_nm: text(item_nm, rules::ITEM_NAME),
                uitem_id: text(uitem_id, rules::UNIT_ITEM_ID),
                uitem_nm: Text::parse("uitemNm", uitem_nm, rules::UNIT_ITEM_NAME).expect("valid"),
                qty: Quantity::new("qty", i64::from(qty)).expect("small"),
                unit_price: Won::new("unitPrice", price).expect("small"),
                vendor: vendor(vendor_id),
                lower_rank: lower.map(vendor),
                discount: Won::new("splVenBdnDcAmt", discount).expect("small"),
            });
        }
        fees.push(ShippingFee {
            vendor: vendor(vendor_id),
            amount: Won::new("amount", *SHIPPING_FEES.choose(rng).expect("non-empty"))
                .expect("small"),
            return_fee: None,
            exchange_fee: None,
        });
    }
    // Most orders name the recipient; some are gifts to someone else.
    let recipient = if rng.random_bool(0.9) {
        let (address, postal_code) = *ADDRESSES.choose(rng).expect("non-empty");
        let receiver = if rng.random_bool(0.8) {
            name.clone()
        } else {
            format!(
                "{}{}",
                SURNAMES.choose(rng).expect("non-empty"),
                GIVEN_NAMES.choose(rng).expect("non-empty")
            )
        };
        let optional = |value: &str, rule| Text::parse("recipient", value, rule).expect("valid");
        Recipient {
            name: optional(&receiver, rules::RECIPIENT_NAME),
            phone: optional(
                &format!(
                    "010-{:04}-{:04}",
                    rng.random_range(1000..10_000),
                    rng.random_range(0..10_000)
                ),
                rules::PHONE,
            ),
            base_address: optional(address, rules::ADDRESS),
            detail_address: optional(
                DETAIL_ADDRESSES.choose(rng).expect("non-empty"),
                rules::ADDRESS,
            ),
            postal_code: optional(postal_code, rules::POSTAL_CODE),
            memo: optional(MEMOS.choose(rng).expect("non-empty"), rules::MEMO),
        }
    } else {
        Recipient::default()
    };
    NewOrder::new(
        ord_no,
        text(&name, rules::ORDERER_NAME),
        CustomerId::parse(
            "customerId",
            &format!("c-{:06}", rng.random_range(1..40_000)),
        )
        .expect("valid"),
        media,
        received,
        fees,
        items,
    )
    .expect("sample orders are consistent")
    .with_recipient(recipient)
}

/// What happens to an order after it is placed, in time order, up to `now`.
fn events(
    rng: &mut StdRng,
    order: &NewOrder,
    received: KstDateTime,
    now: KstDateTime,
    plan: &Plan,
    requests_so_far: &mut usize,
) -> Vec<(KstDateTime, Event)> {
    let mut events: BTreeMap<(i64, usize), Event> = BTreeMap::new();
    let mut next = 0usize;
    let mut push = |events: &mut BTreeMap<(i64, usize), Event>, at: KstDateTime, event: Event| {
        if at <= now {
            events.insert((at.unix_seconds(), next), event);
            next += 1;
        }
    };

    // Vendors confirm most lines within hours, and ship them a day or two later.
    for item in order.items() {
        let scope = Scope {
            vendor: item.vendor.clone(),
            lower_rank: item.lower_rank.clone(),
        };
        if rng.random_bool(0.85) {
            let at = received.plus_seconds(rng.random_range(3600..8 * 3600));
            push(&mut events, at, Event::Confirm(item.seq, scope.clone()));
        }
        if rng.random_bool(0.9) {
            let at = received.plus_seconds(rng.random_range(12 * 3600..72 * 3600));
            push(&mut events, at, Event::Ship(item.seq, scope));
        }
    }

    if rng.random_bool(plan.cancel_share) {
        let requests = *[1, 1, 1, 2, 3].choose(rng).expect("non-empty");
        let customer = order.customer_id().clone();
        for _ in 0..requests {
            let at = received.plus_seconds(rng.random_range(300..14 * 3600));
            let mut lines: Vec<(ItemSeq, Quantity)> = Vec::new();
            let wanted = if rng.random_bool(0.3) {
                2.min(order.items().len())
            } else {
                1
            };
            let mut candidates: Vec<&NewOrderItem> = order.items().iter().collect();
            candidates.shuffle(rng);
            for item in candidates.into_iter().take(wanted) {
                let units = if item.qty.get() > 1 && rng.random_bool(0.5) {
                    rng.random_range(1..item.qty.get())
                } else {
                    item.qty.get()
                };
                lines.push((
                    item.seq,
                    Quantity::new("qty", i64::from(units)).expect("positive"),
                ));
            }
            // Every reason appears; simple cancellations most often.
            *requests_so_far += 1;
            let reason = if *requests_so_far <= 4 * ReasonCode::BY_PEOPLE.len() {
                ReasonCode::BY_PEOPLE[*requests_so_far % ReasonCode::BY_PEOPLE.len()]
            } else {
                *[
                    ReasonCode::SimpleCancel,
                    ReasonCode::SimpleCancel,
                    ReasonCode::SimpleCancel,
                    ReasonCode::OptionChange,
                    ReasonCode::Reorder,
                    ReasonCode::AddressChange,
                    ReasonCode::NotLowestPrice,
                    ReasonCode::DeliveryTimeChange,
                ]
                .choose(rng)
                .expect("non-empty")
            };
            let by_agent = rng.random_bool(0.3);
            let command = if by_agent {
                let fault = if rng.random_bool(0.4) {
                    Fault::Vendor
                } else {
                    Fault::Customer
                };
                CancelCommand::new(
                    Actor::Agent(
                        AgentId::parse("agentId", &format!("agent-{:03}", rng.random_range(1..40)))
                            .expect("valid"),
                    ),
                    lines,
                    reason,
                    text(
                        AGENT_REASONS.choose(rng).expect("non-empty"),
                        rules::REASON_TEXT,
                    ),
                    Some(fault),
                )
            } else {
                CancelCommand::new(
                    Actor::Customer(customer.clone()),
                    lines,
                    reason,
                    Text::parse(
                        "clmRsnCntt",
                        CUSTOMER_REASONS.choose(rng).expect("non-empty"),
                        rules::REASON_TEXT,
                    )
                    .expect("valid"),
                    None,
                )
            };
            let command = command.expect("sample commands are well-formed");
            // Should it become a cancel request, the vendor mostly approves it within hours,
            // unless the customer withdraws it first or it ships before; the last day's
            // requests still wait for the vendor.
            let waiting = at > now.plus_seconds(-86_400);
            for &(seq, _) in command.lines() {
                if !waiting && rng.random_bool(0.65) {
                    let item = order.item(seq).expect("a line names an item of the order");
                    let scope = Scope {
                        vendor: item.vendor.clone(),
                        lower_rank: item.lower_rank.clone(),
                    };
                    let later = at.plus_seconds(rng.random_range(1800..10 * 3600));
                    push(&mut events, later, Event::Approve(seq, scope));
                }
            }
            if rng.random_bool(0.15) {
                let later = at.plus_seconds(rng.random_range(600..3 * 3600));
                push(&mut events, later, Event::Withdraw);
            }
            push(&mut events, at, Event::Cancel(command));
        }
    }
    events
        .into_iter()
        .map(|((seconds, _), event)| {
            (
                KstDateTime::from_unix_seconds(seconds).expect("in range"),
                event,
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use claims_domain::{InquiryQuery, Period};
    use claims_store_sqlite::{Durability, SqliteOptions, SqliteStore};

    use super::*;

    #[tokio::test]
    async fn sample_data_covers_every_code_and_both_kinds_of_canceler() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(
            dir.path().join("demo.db"),
            SqliteOptions {
                durability: Durability::Normal,
                ..SqliteOptions::default()
            },
        )
        .await
        .unwrap();
        let now = KstDateTime::parse("now", "2026-11-28 15:00:00").unwrap();
        let plan = Plan {
            orders: 600,
            ..Plan::default()
        };
        let summary = populate(&store, now, &plan).await.unwrap();
        assert_eq!(summary.orders, 600);
        assert!(
            summary.by_customers > 0 && summary.by_agents > 0,
            "{summary:?}"
        );
        assert!(
            summary.claim_lines > summary.claims,
            "some claims have several lines"
        );
        assert!(summary.refused > 0, "some requests come too late");
        assert!(
            summary.confirmations > 0 && summary.cancel_requests > 0,
            "{summary:?}"
        );
        assert!(
            summary.approved > 0 && summary.withdrawn > 0 && summary.rejected > 0,
            "requests end every way: {summary:?}"
        );
        assert!(
            summary.by_vendors >= 4 && summary.no_sells_pending >= 2 && summary.delays >= 2,
            "vendors' notices of every kind: {summary:?}"
        );
        assert!(
            summary.returns >= 4 * 5 && summary.exchanges >= 4 * 3 && summary.deliveries > 0,
            "{summary:?}"
        );
        // Every vendor meets returns and exchanges in every state.
        for vendor_id in TOP_VENDORS {
            let scope = Scope {
                vendor: vendor(vendor_id),
                lower_rank: None,
            };
            let today = KstDate::of(now);
            let query = claims_domain::PickupQuery {
                by: claims_domain::PickupDate::Filed,
                period: Some(Period::spanning(today.plus_days(-30), today, 31).unwrap()),
                kinds: Vec::new(),
                statuses: Vec::new(),
                lookup: None,
            };
            let listed = store.pickups(&scope, &query, 1000).await.unwrap();
            let states: BTreeSet<(&str, &str, &str)> = listed
                .iter()
                .map(|listing| {
                    let line = listing.pickup();
                    (
                        listing.claim.kind.as_str(),
                        line.status.as_str(),
                        line.replacement
                            .as_ref()
                            .map_or("", |r| r.shipping_status(&line.cost.vendor).as_str()),
                    )
                })
                .collect();
            for expected in [
                ("return", "requested", ""),
                ("return", "confirmed", ""),
                ("return", "completed", ""),
                ("return", "refused", ""),
                ("return", "withdrawn", ""),
                ("exchange", "requested", "instructed"),
                ("exchange", "completed", "instructed"),
                ("exchange", "completed", "delivered"),
            ] {
                assert!(
                    states.contains(&expected),
                    "{vendor_id}: {expected:?} in {states:?}"
                );
            }
        }

        let mut media = BTreeSet::new();
        let mut reasons = BTreeSet::new();
        let mut faults = BTreeSet::new();
        let mut partial = false;
        let mut lower_rank = false;
        let mut rows = 0;
        for (vendor_id, _, parent) in VENDORS {
            if parent.is_some() {
                continue;
            }
            let scope = Scope {
                vendor: vendor(vendor_id),
                lower_rank: None,
            };
            for week in 0..5 {
                let end = KstDate::of(now).plus_days(-7 * week);
                let query = InquiryQuery::by_period(Period::new(end.plus_days(-6), end).unwrap());
                for row in store
                    .canceled_rows(&scope, &query, None, 100_000)
                    .await
                    .unwrap()
                {
                    rows += 1;
                    assert!(row.canceled_at <= now);
                    media.insert(row.media);
                    reasons.insert(row.reason);
                    faults.insert(row.fault);
                    partial |= row.qty < row.ordered_qty;
                    lower_rank |= row.cost[0].lower_rank.is_some();
                }
            }
        }
        assert_eq!(rows, summary.claim_lines);
        assert_eq!(media.len(), MediaCode::ALL.len());
        assert_eq!(reasons.len(), ReasonCode::ALL.len());
        assert_eq!(faults.len(), 2);
        assert!(partial && lower_rank);
    }
}

//! The scenarios every [`Store`] backend must pass, written once.
//!
//! A backend's test file calls [`conformance_tests!`](crate::conformance_tests) with a
//! function that opens a fresh, empty store; the macro makes one test per scenario, each on
//! its own store. Scenarios panic on the first broken expectation.

pub mod isolation;

use std::any::Any;
use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use claims_domain::order::rules;
use claims_domain::{
    Actor, AgentId, CancelCommand, CancelRejection, CustomerId, Fault, InquiryQuery, ItemSeq,
    ItemSeqs, KstDate, KstDateTime, MediaCode, NewOrder, NewOrderItem, OrderNo, OriginalOrder,
    Period, Quantity, ReasonCode, Scope, ShipRejection, ShippingFee, Text, VendorId, Won,
};

use crate::idempotency::{
    Begin, Completion, Fingerprint, IdempotencyKey, Quota, StoredAnswer, Usage, Window,
};
use crate::{
    Conflict, KeyId, NewApiKey, NewToken, NewVendor, NotFound, Placed, Role, SecretHash, Store,
    StoreError, TokenId,
};

/// A fresh store for one scenario, and whatever must live as long as it (a temporary
/// directory, a database to drop).
pub struct Fixture {
    store: Arc<dyn Store>,
    _guard: Box<dyn Any + Send + Sync>,
}

impl std::fmt::Debug for Fixture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fixture")
            .field("store", &self.store)
            .finish()
    }
}

impl Fixture {
    pub fn new(store: Arc<dyn Store>, guard: impl Any + Send + Sync) -> Self {
        Self {
            store,
            _guard: Box::new(guard),
        }
    }

    pub fn store(&self) -> &dyn Store {
        &*self.store
    }

    pub fn shared(&self) -> Arc<dyn Store> {
        Arc::clone(&self.store)
    }
}

/// Makes one `#[tokio::test]` per conformance scenario. `$fresh` is an async function
/// returning `Option<Fixture>`; `None` skips the test (it should say why on stderr).
#[macro_export]
macro_rules! conformance_tests {
    ($fresh:path) => {
        $crate::conformance_tests!(@each $fresh;
            a_store_reports_its_schema_and_pools_and_closes,
            vendors_and_their_lower_rank_vendors,
            api_keys_are_issued_listed_and_revoked,
            platform_tokens_carry_a_role_and_are_revocable,
            orders_are_placed_once,
            orders_must_name_known_vendors,
            cancellation_records_a_numbered_claim,
            refused_cancellations_change_nothing,
            shipping_closes_the_cancellation_window,
            inquiry_by_period_in_answer_order,
            inquiry_period_edges_are_kst_days,
            inquiry_by_original_order,
            inquiry_is_scoped_to_the_key,
            inquiry_pages_and_counts,
            inquiry_pages_for_a_key_check_the_key_and_stream_rows,
            concurrent_cancels_never_over_cancel,
            concurrent_claims_get_distinct_numbers,
            concurrent_cancel_and_ship_never_overlap,
            idempotency_keys_claim_replay_and_refuse,
            idempotent_writes_keep_their_answer_with_their_effect,
            concurrent_claims_of_one_idempotency_key_let_one_through,
            idempotency_keys_are_held_to_a_quota_and_purged
        );
    };
    (@each $fresh:path; $($scenario:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $scenario() {
                let Some(fixture) = $fresh().await else { return };
                $crate::conformance::$scenario(&fixture).await;
            }
        )*
    };
}

// ---------------------------------------------------------------------------------------
// Building blocks

/// A KST date-time from its wire form.
pub fn at(text: &str) -> KstDateTime {
    KstDateTime::parse("at", text).expect("a valid KST date-time")
}

fn vendor_id(id: &str) -> VendorId {
    VendorId::parse("splVenId", id).expect("a valid vendor id")
}

fn seq(n: u32) -> ItemSeq {
    ItemSeq::new("ordItemSeq", i64::from(n)).expect("a valid sequence")
}

fn qty(n: u32) -> Quantity {
    Quantity::new("qty", i64::from(n)).expect("a valid quantity")
}

fn order_no(no: &str) -> OrderNo {
    OrderNo::parse("ordNo", no).expect("a valid order number")
}

/// Vendor A with two lower-rank vendors.
pub const VENDOR_A: &str = "0000012345";
pub const LOWER_A1: &str = "0000012346";
pub const LOWER_A2: &str = "0000012347";
/// Vendor B, unrelated to A.
pub const VENDOR_B: &str = "0000023456";

fn scope(vendor: &str, lower: Option<&str>) -> Scope {
    Scope {
        vendor: vendor_id(vendor),
        lower_rank: lower.map(vendor_id),
    }
}

/// Registers vendors A (with lower-rank A1 and A2) and B.
pub async fn register_vendors(store: &dyn Store) {
    let now = at("2026-11-01 09:00:00");
    for (id, name, parent) in [
        (VENDOR_A, "(주)한빛유통", None),
        (LOWER_A1, "한빛유통 신선센터", Some(VENDOR_A)),
        (LOWER_A2, "한빛유통 생활센터", Some(VENDOR_A)),
        (VENDOR_B, "바른생활가전", None),
    ] {
        store
            .add_vendor(
                NewVendor {
                    id: vendor_id(id),
                    name: Text::parse("name", name, rules::ORDERER_NAME).unwrap(),
                    parent: parent.map(vendor_id),
                },
                now,
            )
            .await
            .expect("registering a vendor");
    }
}

/// An item line: (seq, vendor, lower-rank vendor, quantity, discount).
pub type ItemSpec<'a> = (u32, &'a str, Option<&'a str>, u32, i64);

/// An order of customer `c-1001` received at `received`.
pub fn order(
    ord_no: &str,
    received: &str,
    items: &[ItemSpec<'_>],
    fees: &[(&str, i64)],
) -> NewOrder {
    NewOrder::new(
        order_no(ord_no),
        Text::parse("ordpeNm", "홍길동", rules::ORDERER_NAME).unwrap(),
        CustomerId::parse("customerId", "c-1001").unwrap(),
        MediaCode::MobileAppIos,
        at(received),
        fees.iter()
            .map(|(vendor, amount)| ShippingFee {
                vendor: vendor_id(vendor),
                amount: Won::new("amount", *amount).unwrap(),
            })
            .collect(),
        items
            .iter()
            .map(|&(n, vendor, lower, units, discount)| NewOrderItem {
                seq: seq(n),
                item_id: Text::parse("itemId", &format!("10000284633{n:02}"), rules::ITEM_ID)
                    .unwrap(),
                item_nm: Text::parse("itemNm", &format!("M&M's 초콜릿 <{n}호>"), rules::ITEM_NAME)
                    .unwrap(),
                uitem_id: Text::parse("uitemId", "00001", rules::UNIT_ITEM_ID).unwrap(),
                uitem_nm: Text::default(),
                qty: qty(units),
                unit_price: Won::new("unitPrice", 4500).unwrap(),
                vendor: vendor_id(vendor),
                lower_rank: lower.map(vendor_id),
                discount: Won::new("splVenBdnDcAmt", discount).unwrap(),
            })
            .collect(),
    )
    .expect("a consistent order")
}

/// A cancellation by agent `agent-7`.
pub fn by_agent(lines: &[(u32, u32)], fault: Fault) -> CancelCommand {
    CancelCommand::new(
        Actor::Agent(AgentId::parse("agentId", "agent-7").unwrap()),
        lines.iter().map(|&(s, q)| (seq(s), qty(q))).collect(),
        ReasonCode::OptionChange,
        Text::parse("clmRsnCntt", "색상 변경\n요청", rules::REASON_TEXT).unwrap(),
        Some(fault),
    )
    .expect("a well-formed command")
}

/// A cancellation by customer `customer`.
pub fn by_customer(customer: &str, lines: &[(u32, u32)]) -> CancelCommand {
    CancelCommand::new(
        Actor::Customer(CustomerId::parse("customerId", customer).unwrap()),
        lines.iter().map(|&(s, q)| (seq(s), qty(q))).collect(),
        ReasonCode::SimpleCancel,
        Text::default(),
        None,
    )
    .expect("a well-formed command")
}

fn period(start: &str, end: &str) -> InquiryQuery {
    InquiryQuery::by_period(
        Period::new(
            KstDate::parse_compact(start).unwrap(),
            KstDate::parse_compact(end).unwrap(),
        )
        .unwrap(),
    )
}

async fn place(store: &dyn Store, order: NewOrder) {
    match store.place_order(order, at("2026-11-20 09:50:17")).await {
        Ok(Placed::Created(_)) => {}
        other => panic!("expected a new order, got {other:?}"),
    }
}

async fn rows(
    store: &dyn Store,
    scope: &Scope,
    query: &InquiryQuery,
) -> Vec<claims_domain::CancelRow> {
    store
        .canceled_rows(scope, query, None, 10_000)
        .await
        .expect("reading rows")
}

fn claim_numbers(rows: &[claims_domain::CancelRow]) -> Vec<(String, u32)> {
    rows.iter()
        .map(|r| (r.clm_no.as_str().to_owned(), r.clm_item_seq.get()))
        .collect()
}

// ---------------------------------------------------------------------------------------
// Scenarios

pub async fn a_store_reports_its_schema_and_pools_and_closes(fixture: &Fixture) {
    let store = fixture.store();
    let schema = store.readiness().await.expect("a fresh store answers");
    assert!(schema.is_current(), "{schema:?}");
    assert!(schema.expected >= 1);
    let pools = store.pools();
    assert!(!pools.is_empty());
    for pool in &pools {
        assert!(pool.max >= 1, "{pool:?}");
        assert!(pool.in_use <= pool.max && pool.idle <= pool.max, "{pool:?}");
        assert_eq!(pool.waiting, 0, "{pool:?}");
    }
    register_vendors(store).await;

    store.close().await;
    match store.vendors().await {
        Err(StoreError::Unavailable(_)) => {}
        other => panic!("a closed store is unavailable, got {other:?}"),
    }
    assert!(matches!(
        store.readiness().await,
        Err(StoreError::Unavailable(_))
    ));
}

pub async fn vendors_and_their_lower_rank_vendors(fixture: &Fixture) {
    let store = fixture.store();
    register_vendors(store).await;
    let a1 = store.vendor(&vendor_id(LOWER_A1)).await.unwrap().unwrap();
    assert_eq!(a1.parent, Some(vendor_id(VENDOR_A)));
    assert_eq!(a1.name.as_str(), "한빛유통 신선센터");
    assert_eq!(a1.created_at, at("2026-11-01 09:00:00"));
    assert!(
        store
            .vendor(&vendor_id("0000099999"))
            .await
            .unwrap()
            .is_none()
    );
    let all: Vec<String> = store
        .vendors()
        .await
        .unwrap()
        .into_iter()
        .map(|v| v.id.as_str().to_owned())
        .collect();
    assert_eq!(all, [VENDOR_A, LOWER_A1, LOWER_A2, VENDOR_B]);

    let again = NewVendor {
        id: vendor_id(VENDOR_A),
        name: Text::parse("name", "다른 이름", rules::ORDERER_NAME).unwrap(),
        parent: None,
    };
    assert!(matches!(
        store.add_vendor(again, at("2026-11-02 00:00:00")).await,
        Err(StoreError::Conflict(Conflict::VendorExists(_)))
    ));
    let orphan = NewVendor {
        id: vendor_id("0000034567"),
        name: Text::parse("name", "고아", rules::ORDERER_NAME).unwrap(),
        parent: Some(vendor_id("0000099999")),
    };
    assert!(matches!(
        store.add_vendor(orphan, at("2026-11-02 00:00:00")).await,
        Err(StoreError::Invalid(err)) if err.field == "parentSplVenId"
    ));
    let grandchild = NewVendor {
        id: vendor_id("0000034567"),
        name: Text::parse("name", "손자", rules::ORDERER_NAME).unwrap(),
        parent: Some(vendor_id(LOWER_A1)),
    };
    assert!(matches!(
        store.add_vendor(grandchild, at("2026-11-02 00:00:00")).await,
        Err(StoreError::Invalid(err)) if err.field == "parentSplVenId"
    ));
}

pub async fn api_keys_are_issued_listed_and_revoked(fixture: &Fixture) {
    let store = fixture.store();
    register_vendors(store).await;
    let whole = NewApiKey {
        id: KeyId::from_random([1; 8]),
        hash: SecretHash([1; 32]),
        scope: scope(VENDOR_A, None),
    };
    let narrow = NewApiKey {
        id: KeyId::from_random([2; 8]),
        hash: SecretHash([2; 32]),
        scope: scope(VENDOR_A, Some(LOWER_A1)),
    };
    store
        .add_api_key(whole.clone(), at("2026-11-02 10:00:00"))
        .await
        .unwrap();
    store
        .add_api_key(narrow.clone(), at("2026-11-02 11:00:00"))
        .await
        .unwrap();

    assert_eq!(
        store.scope_for_key(&SecretHash([1; 32])).await.unwrap(),
        Some(whole.scope.clone())
    );
    assert_eq!(
        store.scope_for_key(&SecretHash([2; 32])).await.unwrap(),
        Some(narrow.scope.clone())
    );
    assert_eq!(
        store.scope_for_key(&SecretHash([3; 32])).await.unwrap(),
        None
    );

    let revoked = store
        .revoke_api_key(&whole.id, at("2026-11-03 00:00:00"))
        .await
        .unwrap();
    assert_eq!(revoked.revoked_at, Some(at("2026-11-03 00:00:00")));
    assert_eq!(
        store.scope_for_key(&SecretHash([1; 32])).await.unwrap(),
        None
    );
    // Revoking again keeps the first revocation time.
    let again = store
        .revoke_api_key(&whole.id, at("2026-11-04 00:00:00"))
        .await
        .unwrap();
    assert_eq!(again.revoked_at, Some(at("2026-11-03 00:00:00")));

    let listed = store.api_keys(&vendor_id(VENDOR_A)).await.unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0].id, whole.id);
    assert!(listed[0].revoked_at.is_some());
    assert_eq!(listed[1].scope, narrow.scope);
    assert!(listed[1].revoked_at.is_none());
    assert!(
        store
            .api_keys(&vendor_id(VENDOR_B))
            .await
            .unwrap()
            .is_empty()
    );

    assert!(matches!(
        store
            .revoke_api_key(&KeyId::from_random([9; 8]), at("2026-11-03 00:00:00"))
            .await,
        Err(StoreError::NotFound(NotFound::ApiKey(_)))
    ));
    let unknown_vendor = NewApiKey {
        id: KeyId::from_random([4; 8]),
        hash: SecretHash([4; 32]),
        scope: scope("0000099999", None),
    };
    assert!(matches!(
        store
            .add_api_key(unknown_vendor, at("2026-11-02 00:00:00"))
            .await,
        Err(StoreError::NotFound(NotFound::Vendor(_)))
    ));
    let foreign_lower = NewApiKey {
        id: KeyId::from_random([5; 8]),
        hash: SecretHash([5; 32]),
        scope: scope(VENDOR_B, Some(LOWER_A1)),
    };
    assert!(matches!(
        store.add_api_key(foreign_lower, at("2026-11-02 00:00:00")).await,
        Err(StoreError::Invalid(err)) if err.field == "lrnkSplVenId"
    ));
    let lower_as_top = NewApiKey {
        id: KeyId::from_random([6; 8]),
        hash: SecretHash([6; 32]),
        scope: scope(LOWER_A1, None),
    };
    assert!(matches!(
        store.add_api_key(lower_as_top, at("2026-11-02 00:00:00")).await,
        Err(StoreError::Invalid(err)) if err.field == "splVenId"
    ));
}

pub async fn platform_tokens_carry_a_role_and_are_revocable(fixture: &Fixture) {
    let store = fixture.store();
    let mut ids = Vec::new();
    for (n, role) in Role::ALL.into_iter().enumerate() {
        let token = NewToken {
            id: TokenId::from_random([n as u8; 8]),
            hash: SecretHash([n as u8 + 10; 32]),
            role,
        };
        let info = store
            .add_token(token.clone(), at("2026-11-02 10:00:00"))
            .await
            .unwrap();
        assert_eq!((info.role, info.revoked_at), (role, None));
        ids.push(token.id);
    }
    assert_eq!(
        store.role_for_token(&SecretHash([11; 32])).await.unwrap(),
        Some(Role::Storefront)
    );
    assert_eq!(
        store.role_for_token(&SecretHash([99; 32])).await.unwrap(),
        None
    );
    let revoked = store
        .revoke_token(&ids[1], at("2026-11-03 00:00:00"))
        .await
        .unwrap();
    assert_eq!(revoked.revoked_at, Some(at("2026-11-03 00:00:00")));
    assert_eq!(
        store.role_for_token(&SecretHash([11; 32])).await.unwrap(),
        None
    );
    assert_eq!(
        store.role_for_token(&SecretHash([10; 32])).await.unwrap(),
        Some(Role::Admin)
    );
    let listed = store.tokens().await.unwrap();
    assert_eq!(listed.len(), 3);
    assert_eq!(listed.iter().filter(|t| t.revoked_at.is_some()).count(), 1);
    assert!(matches!(
        store
            .revoke_token(&TokenId::from_random([42; 8]), at("2026-11-03 00:00:00"))
            .await,
        Err(StoreError::NotFound(NotFound::Token(_)))
    ));
}

pub async fn orders_are_placed_once(fixture: &Fixture) {
    let store = fixture.store();
    register_vendors(store).await;
    let first = order(
        "20261120000A3F",
        "2026-11-20 09:50:17",
        &[
            (1, VENDOR_A, None, 2, 1000),
            (2, VENDOR_B, None, 1, 0),
            (3, VENDOR_A, Some(LOWER_A1), 1, 0),
        ],
        &[(VENDOR_A, 3000), (VENDOR_B, 2500)],
    );
    let created = match store
        .place_order(first.clone(), at("2026-11-20 09:50:18"))
        .await
        .unwrap()
    {
        Placed::Created(record) => record,
        other => panic!("expected Created, got {other:?}"),
    };
    assert_eq!(created.order, first);
    assert_eq!(created.items.len(), 3);
    assert!(
        created
            .items
            .iter()
            .all(|i| i.canceled == 0 && i.shipped == 0)
    );
    assert_eq!(created.items[2].lower_rank, Some(vendor_id(LOWER_A1)));
    assert!(created.claims.is_empty());

    match store
        .place_order(first.clone(), at("2026-11-20 09:51:00"))
        .await
        .unwrap()
    {
        Placed::Existing(record) => assert_eq!(record, created),
        other => panic!("expected Existing, got {other:?}"),
    }
    let different = order(
        "20261120000A3F",
        "2026-11-20 09:50:17",
        &[(1, VENDOR_A, None, 3, 1000)],
        &[],
    );
    assert!(matches!(
        store
            .place_order(different, at("2026-11-20 09:52:00"))
            .await,
        Err(StoreError::Conflict(Conflict::OrderDiffers(_)))
    ));
    let read = store
        .order(&order_no("20261120000A3F"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(read, created);
    assert!(store.order(&order_no("NOPE")).await.unwrap().is_none());
}

pub async fn orders_must_name_known_vendors(fixture: &Fixture) {
    let store = fixture.store();
    register_vendors(store).await;
    let cases: [(&[ItemSpec<'_>], &str); 4] = [
        (
            &[(1, VENDOR_A, None, 1, 0), (2, "0000099999", None, 1, 0)],
            "items[1].splVenId",
        ),
        (&[(1, LOWER_A1, None, 1, 0)], "items[0].splVenId"),
        (
            &[(1, VENDOR_B, Some(LOWER_A1), 1, 0)],
            "items[0].lrnkSplVenId",
        ),
        (
            &[(1, VENDOR_A, Some("0000099999"), 1, 0)],
            "items[0].lrnkSplVenId",
        ),
    ];
    for (items, field) in cases {
        let result = store
            .place_order(
                order("BADVENDOR1", "2026-11-20 09:50:17", items, &[]),
                at("2026-11-20 10:00:00"),
            )
            .await;
        match result {
            Err(StoreError::Invalid(err)) => assert_eq!(err.field, field),
            other => panic!("expected Invalid({field}), got {other:?}"),
        }
    }
    assert!(
        store
            .order(&order_no("BADVENDOR1"))
            .await
            .unwrap()
            .is_none()
    );
}

pub async fn cancellation_records_a_numbered_claim(fixture: &Fixture) {
    let store = fixture.store();
    register_vendors(store).await;
    place(
        store,
        order(
            "20261120000A3F",
            "2026-11-20 09:50:17",
            &[
                (1, VENDOR_A, None, 3, 1000),
                (2, VENDOR_A, None, 1, 0),
                (3, VENDOR_B, None, 1, 300),
            ],
            &[(VENDOR_A, 3000), (VENDOR_B, 2500)],
        ),
    )
    .await;
    let ord_no = order_no("20261120000A3F");

    let first = store
        .cancel(
            &ord_no,
            &by_customer("c-1001", &[(1, 1)]),
            at("2026-11-22 10:02:11"),
        )
        .await
        .unwrap();
    assert_eq!(first.clm_no.as_str().len(), 14);
    assert!(first.clm_no.as_str().starts_with("20261122"));
    assert!(
        first.clm_no.as_str()[8..]
            .bytes()
            .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
    );
    assert_eq!(first.oror_no, ord_no);
    assert_eq!(first.fault, Fault::Customer);
    assert_eq!(first.canceled_at, at("2026-11-22 10:02:11"));
    assert_eq!(first.lines.len(), 1);
    assert_eq!(first.lines[0].line_seq, seq(1));
    assert_eq!(first.lines[0].cost.spl_ven_bdn_dc_amt.get(), 333);
    assert_eq!(first.lines[0].cost.shpmt_shppcst.get(), 0);

    // The rest of item 1, item 2 and item 3: A's and B's goods are all canceled now.
    let second = store
        .cancel(
            &ord_no,
            &by_agent(&[(3, 1), (1, 2), (2, 1)], Fault::Vendor),
            at("2026-11-22 10:05:00"),
        )
        .await
        .unwrap();
    assert_ne!(second.clm_no, first.clm_no);
    let lines: Vec<(u32, u32, u32, i64, i64)> = second
        .lines
        .iter()
        .map(|l| {
            (
                l.line_seq.get(),
                l.item_seq.get(),
                l.qty.get(),
                l.cost.spl_ven_bdn_dc_amt.get(),
                l.cost.shpmt_shppcst.get(),
            )
        })
        .collect();
    assert_eq!(
        lines,
        [(1, 1, 2, 667, 3000), (2, 2, 1, 0, 0), (3, 3, 1, 300, 2500)]
    );

    let record = store.order(&ord_no).await.unwrap().unwrap();
    assert_eq!(record.claims, vec![first.clone(), second.clone()]);
    let canceled: Vec<u32> = record.items.iter().map(|i| i.canceled).collect();
    assert_eq!(canceled, [3, 1, 1]);
    assert_eq!(record.items[0].refunded_discount.get(), 1000);

    // The inquiry shows the same claim lines, with what the vendor needs.
    let a_rows = rows(
        store,
        &scope(VENDOR_A, None),
        &period("20261122", "20261122"),
    )
    .await;
    assert_eq!(
        claim_numbers(&a_rows),
        [
            (first.clm_no.as_str().to_owned(), 1),
            (second.clm_no.as_str().to_owned(), 1),
            (second.clm_no.as_str().to_owned(), 2),
        ]
    );
    let row = &a_rows[1];
    assert_eq!(row.oror_no, ord_no);
    assert_eq!(row.oror_item_seq, seq(1));
    assert_eq!(row.qty, qty(2));
    assert_eq!(row.ordered_qty, qty(3));
    assert_eq!(row.reason, ReasonCode::OptionChange);
    assert_eq!(row.reason_text.as_str(), "색상 변경\n요청");
    assert_eq!(row.fault, Fault::Vendor);
    assert_eq!(row.ordpe_nm.as_str(), "홍길동");
    assert_eq!(row.item_nm.as_str(), "M&M's 초콜릿 <1호>");
    assert_eq!(row.received_at, at("2026-11-20 09:50:17"));
    assert_eq!(row.media, MediaCode::MobileAppIos);
    assert_eq!(row.cost, vec![second.lines[0].cost.clone()]);
    let b_rows = rows(
        store,
        &scope(VENDOR_B, None),
        &period("20261122", "20261122"),
    )
    .await;
    assert_eq!(
        claim_numbers(&b_rows),
        [(second.clm_no.as_str().to_owned(), 3)]
    );
    assert_eq!(b_rows[0].cost[0].shpmt_shppcst.get(), 2500);
}

pub async fn refused_cancellations_change_nothing(fixture: &Fixture) {
    let store = fixture.store();
    register_vendors(store).await;
    place(
        store,
        order(
            "ORDER-1",
            "2026-11-20 09:50:17",
            &[(1, VENDOR_A, None, 2, 0), (2, VENDOR_A, None, 1, 0)],
            &[],
        ),
    )
    .await;
    let ord_no = order_no("ORDER-1");
    let before = store.order(&ord_no).await.unwrap().unwrap();
    let now = at("2026-11-21 12:00:00");

    let attempts = [
        (
            by_customer("c-2002", &[(1, 1)]),
            CancelRejection::NotYourOrder,
        ),
        (
            by_agent(&[(1, 1), (2, 2)], Fault::Customer),
            CancelRejection::ExceedsOpen {
                seq: seq(2),
                requested: 2,
                open: 1,
            },
        ),
        (
            by_agent(&[(1, 1), (9, 1)], Fault::Customer),
            CancelRejection::UnknownItem { seq: seq(9) },
        ),
    ];
    for (command, expected) in attempts {
        match store.cancel(&ord_no, &command, now).await {
            Err(StoreError::Cancel(rejection)) => assert_eq!(rejection, expected),
            other => panic!("expected {expected:?}, got {other:?}"),
        }
    }
    assert!(matches!(
        store
            .cancel(
                &order_no("NO-SUCH-ORDER"),
                &by_agent(&[(1, 1)], Fault::Customer),
                now
            )
            .await,
        Err(StoreError::NotFound(NotFound::Order(_)))
    ));
    assert_eq!(store.order(&ord_no).await.unwrap().unwrap(), before);
    assert!(
        rows(
            store,
            &scope(VENDOR_A, None),
            &period("20261121", "20261121")
        )
        .await
        .is_empty()
    );
}

pub async fn shipping_closes_the_cancellation_window(fixture: &Fixture) {
    let store = fixture.store();
    register_vendors(store).await;
    place(
        store,
        order(
            "ORDER-2",
            "2026-11-20 09:50:17",
            &[
                (1, VENDOR_A, None, 3, 0),
                (2, VENDOR_A, None, 1, 0),
                (3, VENDOR_A, Some(LOWER_A1), 1, 0),
            ],
            &[],
        ),
    )
    .await;
    let ord_no = order_no("ORDER-2");
    store
        .cancel(
            &ord_no,
            &by_agent(&[(1, 1), (2, 1)], Fault::Customer),
            at("2026-11-20 10:00:00"),
        )
        .await
        .unwrap();

    assert!(matches!(
        store
            .ship(
                &ord_no,
                seq(1),
                &scope(VENDOR_B, None),
                at("2026-11-20 11:00:00")
            )
            .await,
        Err(StoreError::Ship(ShipRejection::NotYourItem))
    ));
    assert!(matches!(
        store
            .ship(
                &ord_no,
                seq(3),
                &scope(VENDOR_A, Some(LOWER_A2)),
                at("2026-11-20 11:00:00")
            )
            .await,
        Err(StoreError::Ship(ShipRejection::NotYourItem))
    ));
    let shipment = store
        .ship(
            &ord_no,
            seq(1),
            &scope(VENDOR_A, None),
            at("2026-11-20 11:00:00"),
        )
        .await
        .unwrap();
    assert_eq!(shipment.qty, qty(2));
    assert_eq!(shipment.shipped_at, at("2026-11-20 11:00:00"));
    assert!(matches!(
        store
            .ship(
                &ord_no,
                seq(1),
                &scope(VENDOR_A, None),
                at("2026-11-20 11:01:00")
            )
            .await,
        Err(StoreError::Ship(ShipRejection::AlreadyShipped))
    ));
    assert!(matches!(
        store
            .ship(
                &ord_no,
                seq(2),
                &scope(VENDOR_A, None),
                at("2026-11-20 11:01:00")
            )
            .await,
        Err(StoreError::Ship(ShipRejection::FullyCanceled))
    ));
    assert!(matches!(
        store
            .ship(
                &ord_no,
                seq(9),
                &scope(VENDOR_A, None),
                at("2026-11-20 11:01:00")
            )
            .await,
        Err(StoreError::NotFound(NotFound::Item(..)))
    ));
    assert!(matches!(
        store
            .cancel(
                &ord_no,
                &by_agent(&[(1, 1)], Fault::Customer),
                at("2026-11-20 12:00:00")
            )
            .await,
        Err(StoreError::Cancel(CancelRejection::AlreadyShipped { .. }))
    ));
    store
        .ship(
            &ord_no,
            seq(3),
            &scope(VENDOR_A, Some(LOWER_A1)),
            at("2026-11-20 11:02:00"),
        )
        .await
        .unwrap();
    let record = store.order(&ord_no).await.unwrap().unwrap();
    let states: Vec<(u32, u32, Option<KstDateTime>)> = record
        .items
        .iter()
        .map(|i| (i.canceled, i.shipped, i.shipped_at))
        .collect();
    assert_eq!(
        states,
        [
            (1, 2, Some(at("2026-11-20 11:00:00"))),
            (1, 0, None),
            (0, 1, Some(at("2026-11-20 11:02:00")))
        ]
    );
}

/// Places `count` one-item orders of `vendor` and cancels each at the given times.
async fn cancel_at_times(
    store: &dyn Store,
    prefix: &str,
    vendor: &str,
    lower: Option<&str>,
    times: &[&str],
) {
    for (i, time) in times.iter().enumerate() {
        let no = format!("{prefix}{i:04}");
        place(
            store,
            order(&no, "2026-11-01 08:00:00", &[(1, vendor, lower, 1, 0)], &[]),
        )
        .await;
        store
            .cancel(
                &order_no(&no),
                &by_agent(&[(1, 1)], Fault::Customer),
                at(time),
            )
            .await
            .unwrap();
    }
}

pub async fn inquiry_by_period_in_answer_order(fixture: &Fixture) {
    let store = fixture.store();
    register_vendors(store).await;
    // Cancel in an order different from the answer's, with two claims in the same second.
    cancel_at_times(
        store,
        "P",
        VENDOR_A,
        None,
        &[
            "2026-11-23 10:00:00",
            "2026-11-22 09:00:00",
            "2026-11-23 10:00:00",
            "2026-11-22 08:59:59",
        ],
    )
    .await;
    let found = rows(
        store,
        &scope(VENDOR_A, None),
        &period("20261122", "20261128"),
    )
    .await;
    let keys: Vec<_> = found.iter().map(|r| r.key()).collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted, "rows come in answer order");
    let origins: Vec<&str> = found.iter().map(|r| r.oror_no.as_str()).collect();
    assert_eq!(origins[0], "P0003");
    assert_eq!(origins[1], "P0001");
    assert_eq!(found.len(), 4);
}

pub async fn inquiry_period_edges_are_kst_days(fixture: &Fixture) {
    let store = fixture.store();
    register_vendors(store).await;
    cancel_at_times(
        store,
        "E",
        VENDOR_A,
        None,
        &[
            "2026-11-21 23:59:59",
            "2026-11-22 00:00:00",
            "2026-11-28 23:59:59",
            "2026-11-29 00:00:00",
        ],
    )
    .await;
    let found = rows(
        store,
        &scope(VENDOR_A, None),
        &period("20261122", "20261128"),
    )
    .await;
    let times: Vec<String> = found.iter().map(|r| r.canceled_at.to_wire()).collect();
    assert_eq!(times, ["2026-11-22 00:00:00", "2026-11-28 23:59:59"]);
    let day_before = rows(
        store,
        &scope(VENDOR_A, None),
        &period("20261121", "20261121"),
    )
    .await;
    assert_eq!(day_before.len(), 1);
    assert_eq!(day_before[0].canceled_at.to_wire(), "2026-11-21 23:59:59");
}

pub async fn inquiry_by_original_order(fixture: &Fixture) {
    let store = fixture.store();
    register_vendors(store).await;
    place(
        store,
        order(
            "ORIG-1",
            "2026-11-20 09:50:17",
            &[
                (1, VENDOR_A, None, 2, 0),
                (2, VENDOR_A, None, 2, 0),
                (3, VENDOR_B, None, 2, 0),
            ],
            &[],
        ),
    )
    .await;
    let ord_no = order_no("ORIG-1");
    store
        .cancel(
            &ord_no,
            &by_agent(&[(1, 1), (3, 1)], Fault::Customer),
            at("2026-11-21 10:00:00"),
        )
        .await
        .unwrap();
    store
        .cancel(
            &ord_no,
            &by_agent(&[(2, 1)], Fault::Customer),
            at("2026-11-25 10:00:00"),
        )
        .await
        .unwrap();
    store
        .cancel(
            &ord_no,
            &by_agent(&[(1, 1)], Fault::Customer),
            at("2026-12-10 10:00:00"),
        )
        .await
        .unwrap();

    let original = |seqs: Option<&[u32]>| OriginalOrder {
        ord_no: ord_no.clone(),
        item_seqs: seqs.map(|s| ItemSeqs::from_seqs(s.iter().map(|&n| seq(n)).collect()).unwrap()),
    };
    let a = scope(VENDOR_A, None);
    let all = rows(
        store,
        &a,
        &InquiryQuery::new(None, Some(original(None))).unwrap(),
    )
    .await;
    let items: Vec<u32> = all.iter().map(|r| r.oror_item_seq.get()).collect();
    assert_eq!(
        items,
        [1, 2, 1],
        "A sees its own lines of the order, in cancel order, from any date"
    );

    let only_two = rows(
        store,
        &a,
        &InquiryQuery::new(None, Some(original(Some(&[2, 7])))).unwrap(),
    )
    .await;
    assert_eq!(only_two.len(), 1);
    assert_eq!(only_two[0].oror_item_seq, seq(2));

    let both = InquiryQuery::new(
        Some(
            Period::new(
                KstDate::parse_compact("20261120").unwrap(),
                KstDate::parse_compact("20261126").unwrap(),
            )
            .unwrap(),
        ),
        Some(original(Some(&[1]))),
    )
    .unwrap();
    let found = rows(store, &a, &both).await;
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].canceled_at, at("2026-11-21 10:00:00"));

    let b = rows(
        store,
        &scope(VENDOR_B, None),
        &InquiryQuery::new(None, Some(original(None))).unwrap(),
    )
    .await;
    assert_eq!(b.len(), 1);
    assert_eq!(b[0].oror_item_seq, seq(3));
}

pub async fn inquiry_is_scoped_to_the_key(fixture: &Fixture) {
    let store = fixture.store();
    register_vendors(store).await;
    place(
        store,
        order(
            "MIXED-1",
            "2026-11-20 09:50:17",
            &[
                (1, VENDOR_A, None, 1, 0),
                (2, VENDOR_A, Some(LOWER_A1), 1, 0),
                (3, VENDOR_A, Some(LOWER_A2), 1, 0),
                (4, VENDOR_B, None, 1, 0),
            ],
            &[],
        ),
    )
    .await;
    store
        .cancel(
            &order_no("MIXED-1"),
            &by_agent(&[(1, 1), (2, 1), (3, 1), (4, 1)], Fault::Customer),
            at("2026-11-22 10:00:00"),
        )
        .await
        .unwrap();
    let week = period("20261122", "20261128");
    let by_order = InquiryQuery::new(
        None,
        Some(OriginalOrder {
            ord_no: order_no("MIXED-1"),
            item_seqs: None,
        }),
    )
    .unwrap();
    let cases: [(Scope, &[u32]); 5] = [
        (scope(VENDOR_A, None), &[1, 2, 3]),
        (scope(VENDOR_A, Some(LOWER_A1)), &[2]),
        (scope(VENDOR_A, Some(LOWER_A2)), &[3]),
        (scope(VENDOR_B, None), &[4]),
        (scope("0000099999", None), &[]),
    ];
    for (key_scope, expected) in cases {
        for query in [&week, &by_order] {
            let found = rows(store, &key_scope, query).await;
            let items: Vec<u32> = found.iter().map(|r| r.oror_item_seq.get()).collect();
            assert_eq!(items, expected, "{key_scope:?} {query:?}");
            for row in &found {
                let (vendor, lower) = row.owner().unwrap();
                assert!(key_scope.covers(vendor, lower));
            }
            let count = store
                .count_canceled_rows(&key_scope, query, 100)
                .await
                .unwrap();
            assert_eq!(count, expected.len());
        }
    }
}

pub async fn inquiry_pages_and_counts(fixture: &Fixture) {
    let store = fixture.store();
    register_vendors(store).await;
    let times: Vec<String> = (0..23)
        .map(|i| format!("2026-11-2{} {:02}:00:00", 2 + i % 3, i % 2))
        .collect();
    let times: Vec<&str> = times.iter().map(String::as_str).collect();
    cancel_at_times(store, "G", VENDOR_A, None, &times).await;
    let a = scope(VENDOR_A, None);
    let week = period("20261122", "20261128");
    let everything = rows(store, &a, &week).await;
    assert_eq!(everything.len(), 23);

    let mut paged = Vec::new();
    let mut after = None;
    loop {
        let page = store
            .canceled_rows(&a, &week, after.as_ref(), 5)
            .await
            .unwrap();
        assert!(page.len() <= 5);
        let done = page.len() < 5;
        after = page.last().map(|r| r.key());
        paged.extend(page);
        if done {
            break;
        }
    }
    assert_eq!(paged, everything);
    assert_eq!(
        store.count_canceled_rows(&a, &week, 1000).await.unwrap(),
        23
    );
    assert_eq!(store.count_canceled_rows(&a, &week, 10).await.unwrap(), 10);
    assert_eq!(store.count_canceled_rows(&a, &week, 23).await.unwrap(), 23);
}

pub async fn inquiry_pages_for_a_key_check_the_key_and_stream_rows(fixture: &Fixture) {
    let store = fixture.store();
    register_vendors(store).await;
    place(
        store,
        order(
            "KEYED-1",
            "2026-11-20 09:50:17",
            &[
                (1, VENDOR_A, None, 3, 300),
                (2, VENDOR_A, Some(LOWER_A1), 2, 0),
                (3, VENDOR_B, None, 1, 0),
            ],
            &[],
        ),
    )
    .await;
    let ord_no = order_no("KEYED-1");
    for (lines, time) in [
        (&[(1, 1), (2, 1), (3, 1)][..], "2026-11-22 10:00:00"),
        (&[(1, 1)][..], "2026-11-23 10:00:00"),
        (&[(1, 1), (2, 1)][..], "2026-11-24 10:00:00"),
    ] {
        store
            .cancel(&ord_no, &by_agent(lines, Fault::Customer), at(time))
            .await
            .unwrap();
    }
    let add = |n: u8, scope: Scope| NewApiKey {
        id: KeyId::from_random([n; 8]),
        hash: SecretHash([n; 32]),
        scope,
    };
    let now = at("2026-11-01 00:00:00");
    store
        .add_api_key(add(1, scope(VENDOR_A, None)), now)
        .await
        .unwrap();
    store
        .add_api_key(add(2, scope(VENDOR_A, Some(LOWER_A1))), now)
        .await
        .unwrap();
    store
        .add_api_key(add(3, scope(VENDOR_B, None)), now)
        .await
        .unwrap();
    let revoked = add(4, scope(VENDOR_A, None));
    store.add_api_key(revoked.clone(), now).await.unwrap();
    store.revoke_api_key(&revoked.id, now).await.unwrap();

    let week = period("20261122", "20261128");
    let by_order = InquiryQuery::new(
        None,
        Some(OriginalOrder {
            ord_no: ord_no.clone(),
            item_seqs: None,
        }),
    )
    .unwrap();
    for (key, key_scope) in [
        (SecretHash([1; 32]), scope(VENDOR_A, None)),
        (SecretHash([2; 32]), scope(VENDOR_A, Some(LOWER_A1))),
        (SecretHash([3; 32]), scope(VENDOR_B, None)),
    ] {
        for query in [&week, &by_order] {
            let expected = rows(store, &key_scope, query).await;
            // Pages of two, continued from each page's last row.
            let mut collected: Vec<claims_domain::CancelRow> = Vec::new();
            let mut after = None;
            loop {
                let (page, sink) = store
                    .inquiry_page(
                        &key,
                        query,
                        after.as_ref(),
                        2,
                        Box::new(Vec::<claims_domain::CancelRow>::new()),
                    )
                    .await
                    .unwrap();
                assert_eq!(page.scope.as_ref(), Some(&key_scope));
                let sink: Box<dyn Any + Send> = sink;
                let got = *sink.downcast::<Vec<claims_domain::CancelRow>>().unwrap();
                assert_eq!(got.len(), page.rows);
                assert_eq!(page.last, got.last().map(|row| row.key()));
                collected.extend(got);
                if page.rows < 2 {
                    break;
                }
                after = page.last;
            }
            assert_eq!(collected, expected, "{key_scope:?} {query:?}");
        }
    }
    // A live key with nothing to see: its scope, no rows.
    let (empty, _) = store
        .inquiry_page(
            &SecretHash([3; 32]),
            &period("20260101", "20260107"),
            None,
            10,
            Box::new(Vec::<claims_domain::CancelRow>::new()),
        )
        .await
        .unwrap();
    assert_eq!(
        (empty.scope, empty.rows, empty.last),
        (Some(scope(VENDOR_B, None)), 0, None)
    );
    // Unknown and revoked keys read nothing.
    for key in [SecretHash([9; 32]), SecretHash([4; 32])] {
        let (page, _) = store
            .inquiry_page(
                &key,
                &week,
                None,
                10,
                Box::new(Vec::<claims_domain::CancelRow>::new()),
            )
            .await
            .unwrap();
        assert_eq!((page.scope, page.rows), (None, 0));
    }
}

// ---------------------------------------------------------------------------------------
// Concurrency

pub async fn concurrent_cancels_never_over_cancel(fixture: &Fixture) {
    let store = fixture.shared();
    register_vendors(&*store).await;
    place(
        &*store,
        order(
            "HOT-1",
            "2026-11-20 09:50:17",
            &[(1, VENDOR_A, None, 10, 999), (2, VENDOR_A, None, 5, 0)],
            &[(VENDOR_A, 3000)],
        ),
    )
    .await;
    let mut tasks = Vec::new();
    for i in 0..40u32 {
        let store = Arc::clone(&store);
        tasks.push(tokio::spawn(async move {
            let lines: &[(u32, u32)] = if i % 3 == 0 {
                &[(1, 1), (2, 1)]
            } else {
                &[(1, 1)]
            };
            store
                .cancel(
                    &order_no("HOT-1"),
                    &by_agent(lines, Fault::Customer),
                    at("2026-11-21 10:00:00"),
                )
                .await
        }));
    }
    let mut succeeded = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => succeeded += 1,
            Err(StoreError::Cancel(CancelRejection::ExceedsOpen { .. })) => {}
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    let record = store.order(&order_no("HOT-1")).await.unwrap().unwrap();
    assert_eq!(record.items[0].canceled, 10);
    assert!(record.items[1].canceled <= 5);
    assert_eq!(record.claims.len(), succeeded);
    let mut per_item: BTreeMap<u32, (u32, i64)> = BTreeMap::new();
    let mut shipping = 0;
    for claim in &record.claims {
        for line in &claim.lines {
            let entry = per_item.entry(line.item_seq.get()).or_default();
            entry.0 += line.qty.get();
            entry.1 += line.cost.spl_ven_bdn_dc_amt.get();
            shipping += line.cost.shpmt_shppcst.get();
        }
    }
    assert_eq!(
        per_item[&1],
        (10, 999),
        "the full discount, returned exactly once"
    );
    assert_eq!(per_item[&2].0, record.items[1].canceled);
    let expected_shipping = if record.items[1].canceled == 5 {
        3000
    } else {
        0
    };
    assert_eq!(shipping, expected_shipping);
}

pub async fn concurrent_claims_get_distinct_numbers(fixture: &Fixture) {
    let store = fixture.shared();
    register_vendors(&*store).await;
    let items: Vec<ItemSpec<'_>> = (1..=32).map(|n| (n, VENDOR_A, None, 1, 0)).collect();
    place(&*store, order("MANY-1", "2026-11-20 09:50:17", &items, &[])).await;
    let mut tasks = Vec::new();
    for n in 1..=32u32 {
        let store = Arc::clone(&store);
        tasks.push(tokio::spawn(async move {
            store
                .cancel(
                    &order_no("MANY-1"),
                    &by_agent(&[(n, 1)], Fault::Customer),
                    at("2026-11-21 10:00:00"),
                )
                .await
                .expect("each item is canceled once")
                .clm_no
        }));
    }
    let mut numbers = HashSet::new();
    for task in tasks {
        assert!(numbers.insert(task.await.unwrap()));
    }
    assert_eq!(numbers.len(), 32);
}

pub async fn concurrent_cancel_and_ship_never_overlap(fixture: &Fixture) {
    let store = fixture.shared();
    register_vendors(&*store).await;
    for round in 0..8 {
        let no = format!("RACE-{round}");
        place(
            &*store,
            order(
                &no,
                "2026-11-20 09:50:17",
                &[(1, VENDOR_A, None, 4, 0)],
                &[],
            ),
        )
        .await;
        let mut tasks = Vec::new();
        for i in 0..12u32 {
            let store = Arc::clone(&store);
            let no = order_no(&no);
            tasks.push(tokio::spawn(async move {
                let now = at("2026-11-21 10:00:00").plus_seconds(i64::from(i));
                if i % 4 == 1 {
                    store
                        .ship(&no, seq(1), &scope(VENDOR_A, None), now)
                        .await
                        .map(|_| ())
                } else {
                    store
                        .cancel(&no, &by_agent(&[(1, 1)], Fault::Customer), now)
                        .await
                        .map(|_| ())
                }
            }));
        }
        for task in tasks {
            match task.await.unwrap() {
                Ok(())
                | Err(StoreError::Cancel(_))
                | Err(StoreError::Ship(
                    ShipRejection::AlreadyShipped | ShipRejection::FullyCanceled,
                )) => {}
                Err(other) => panic!("unexpected {other:?}"),
            }
        }
        let record = store.order(&order_no(&no)).await.unwrap().unwrap();
        let item = &record.items[0];
        assert!(item.canceled + item.shipped <= item.ordered);
        let canceled: u32 = record
            .claims
            .iter()
            .flat_map(|c| &c.lines)
            .map(|l| l.qty.get())
            .sum();
        assert_eq!(canceled, item.canceled);
        if let Some(shipped_at) = item.shipped_at {
            assert_eq!(item.shipped, item.ordered - item.canceled);
            for claim in &record.claims {
                assert!(
                    claim.canceled_at <= shipped_at,
                    "no cancellation after shipping"
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Idempotency keys

fn idem(owner: u8, key: &str) -> IdempotencyKey {
    IdempotencyKey {
        owner: SecretHash([owner; 32]),
        key: key.to_owned(),
    }
}

/// A window at `now`: keys lapse after a day, requests are abandoned after two minutes, and
/// a credential may keep far more than any scenario claims.
fn window(now: &str) -> Window {
    window_with(
        now,
        Quota {
            max_keys: 1_000_000,
            max_bytes: 1 << 30,
        },
    )
}

fn window_with(now: &str, quota: Quota) -> Window {
    let now = at(now);
    Window {
        now,
        lapsed_before: now.plus_seconds(-86_400),
        abandoned_before: now.plus_seconds(-120),
        quota,
    }
}

fn answer(status: u16, body: &str) -> StoredAnswer {
    StoredAnswer {
        status,
        content_type: "application/json".into(),
        location: None,
        body: body.as_bytes().to_vec(),
    }
}

pub async fn idempotency_keys_claim_replay_and_refuse(fixture: &Fixture) {
    let store = fixture.store();
    let key = idem(1, "retry-me");
    let mine = Fingerprint([7; 32]);
    let other = Fingerprint([8; 32]);
    let begin = |key: IdempotencyKey, fingerprint, now: &'static str| async move {
        store
            .idempotency_begin(&key, fingerprint, window(now))
            .await
            .expect("claiming a key")
    };
    assert_eq!(
        begin(key.clone(), mine, "2026-11-20 10:00:00").await,
        Begin::Proceed
    );
    assert_eq!(
        begin(key.clone(), mine, "2026-11-20 10:00:01").await,
        Begin::InFlight
    );
    assert_eq!(
        begin(key.clone(), other, "2026-11-20 10:00:01").await,
        Begin::Reused
    );
    // Another caller's key of the same name is its own.
    assert_eq!(
        begin(idem(2, "retry-me"), other, "2026-11-20 10:00:01").await,
        Begin::Proceed
    );

    // A refusal is kept and replayed byte for byte; the key stays bound to its request.
    let refused = answer(409, r#"{"type":"urn:ssg-claims:problem:already-shipped"}"#);
    store
        .idempotency_finish(&key, refused.clone(), at("2026-11-20 10:00:02"))
        .await
        .unwrap();
    assert_eq!(
        begin(key.clone(), mine, "2026-11-20 11:00:00").await,
        Begin::Replay(refused.clone())
    );
    assert_eq!(
        begin(key.clone(), other, "2026-11-20 11:00:00").await,
        Begin::Reused
    );
    // Kept for a day; after that the key may serve a new request.
    assert_eq!(
        begin(key.clone(), mine, "2026-11-21 09:59:59").await,
        Begin::Replay(refused)
    );
    assert_eq!(
        begin(key.clone(), other, "2026-11-21 10:00:01").await,
        Begin::Proceed
    );

    // A released key runs again.
    let released = idem(1, "released");
    assert_eq!(
        begin(released.clone(), mine, "2026-11-20 10:00:00").await,
        Begin::Proceed
    );
    store.idempotency_release(&released).await.unwrap();
    assert_eq!(
        begin(released.clone(), mine, "2026-11-20 10:00:05").await,
        Begin::Proceed
    );
    // One in flight for longer than any request takes was abandoned: it runs again.
    assert_eq!(
        begin(released.clone(), mine, "2026-11-20 10:00:30").await,
        Begin::InFlight
    );
    assert_eq!(
        begin(released, mine, "2026-11-20 10:03:00").await,
        Begin::Proceed
    );
}

pub async fn idempotent_writes_keep_their_answer_with_their_effect(fixture: &Fixture) {
    let store = fixture.store();
    register_vendors(store).await;
    let fingerprint = Fingerprint([3; 32]);
    let now = "2026-11-20 10:00:00";

    // An order placed under a key keeps the answer rendered from it.
    let placing = idem(1, "place-1");
    store
        .idempotency_begin(&placing, fingerprint, window(now))
        .await
        .unwrap();
    let placed = store
        .place_order_once(
            order("IDEM-1", now, &[(1, VENDOR_A, None, 3, 300)], &[]),
            at(now),
            Completion {
                key: placing.clone(),
                render: Box::new(|placed: &Placed| match placed {
                    Placed::Created(record) => answer(201, record.order.ord_no().as_str()),
                    Placed::Existing(record) => answer(200, record.order.ord_no().as_str()),
                }),
            },
        )
        .await
        .unwrap();
    assert!(matches!(placed, Placed::Created(_)));
    assert_eq!(
        store
            .idempotency_begin(&placing, fingerprint, window(now))
            .await
            .unwrap(),
        Begin::Replay(answer(201, "IDEM-1"))
    );

    // A cancellation likewise, rendered from the claim the transaction wrote.
    let canceling = idem(1, "cancel-1");
    store
        .idempotency_begin(&canceling, fingerprint, window(now))
        .await
        .unwrap();
    let claim = store
        .cancel_once(
            &order_no("IDEM-1"),
            &by_customer("c-1001", &[(1, 1)]),
            at("2026-11-20 10:00:01"),
            Completion {
                key: canceling.clone(),
                render: Box::new(|claim: &claims_domain::Claim| answer(201, claim.clm_no.as_str())),
            },
        )
        .await
        .unwrap();
    assert_eq!(
        store
            .idempotency_begin(&canceling, fingerprint, window(now))
            .await
            .unwrap(),
        Begin::Replay(answer(201, claim.clm_no.as_str()))
    );

    // A cancellation refused by the rules writes nothing, answer included: the key stays in
    // flight until the caller records the refusal or releases the key.
    let refused = idem(1, "cancel-2");
    store
        .idempotency_begin(&refused, fingerprint, window(now))
        .await
        .unwrap();
    let error = store
        .cancel_once(
            &order_no("IDEM-1"),
            &by_customer("c-1001", &[(1, 5)]),
            at("2026-11-20 10:00:02"),
            Completion {
                key: refused.clone(),
                render: Box::new(|_: &claims_domain::Claim| answer(201, "never")),
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(
        error,
        StoreError::Cancel(CancelRejection::ExceedsOpen { .. })
    ));
    assert_eq!(
        store
            .idempotency_begin(&refused, fingerprint, window(now))
            .await
            .unwrap(),
        Begin::InFlight
    );
    let record = store.order(&order_no("IDEM-1")).await.unwrap().unwrap();
    assert_eq!(record.items[0].canceled, 1, "only the first claim");
    assert_eq!(record.claims.len(), 1);
}

pub async fn concurrent_claims_of_one_idempotency_key_let_one_through(fixture: &Fixture) {
    let store = fixture.shared();
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let store = Arc::clone(&store);
        tasks.push(tokio::spawn(async move {
            store
                .idempotency_begin(
                    &idem(9, "at-once"),
                    Fingerprint([9; 32]),
                    window("2026-11-20 10:00:00"),
                )
                .await
                .unwrap()
        }));
    }
    let mut outcomes = Vec::new();
    for task in tasks {
        outcomes.push(task.await.unwrap());
    }
    let proceeding = outcomes.iter().filter(|b| **b == Begin::Proceed).count();
    let waiting = outcomes.iter().filter(|b| **b == Begin::InFlight).count();
    assert_eq!((proceeding, waiting), (1, 15), "{outcomes:?}");
}

pub async fn idempotency_keys_are_held_to_a_quota_and_purged(fixture: &Fixture) {
    let store = fixture.store();
    let quota = Quota {
        max_keys: 3,
        max_bytes: 40,
    };
    let begin = |key: IdempotencyKey, now: &'static str| async move {
        store
            .idempotency_begin(&key, Fingerprint([5; 32]), window_with(now, quota))
            .await
            .expect("claiming a key")
    };
    let usage = |owner: u8| async move {
        store
            .idempotency_usage(&SecretHash([owner; 32]))
            .await
            .unwrap()
    };
    assert_eq!(usage(1).await, Usage::default());
    for key in ["k-1", "k-2"] {
        assert_eq!(
            begin(idem(1, key), "2026-11-20 10:00:00").await,
            Begin::Proceed
        );
    }
    let kept = answer(201, "twenty bytes of body");
    store
        .idempotency_finish(&idem(1, "k-1"), kept.clone(), at("2026-11-20 10:00:01"))
        .await
        .unwrap();
    assert_eq!(usage(1).await, Usage { keys: 2, bytes: 20 });

    // Released keys no longer count.
    assert_eq!(
        begin(idem(1, "k-3"), "2026-11-20 10:00:02").await,
        Begin::Proceed
    );
    store.idempotency_release(&idem(1, "k-3")).await.unwrap();
    assert_eq!(usage(1).await, Usage { keys: 2, bytes: 20 });

    // At the byte limit, a new key is refused; a kept answer is still replayed, and another
    // credential has its own quota.
    assert_eq!(
        begin(idem(1, "k-3"), "2026-11-20 10:00:03").await,
        Begin::Proceed
    );
    store
        .idempotency_finish(&idem(1, "k-3"), kept.clone(), at("2026-11-20 10:00:04"))
        .await
        .unwrap();
    assert_eq!(usage(1).await, Usage { keys: 3, bytes: 40 });
    assert_eq!(
        begin(idem(1, "k-4"), "2026-11-20 10:00:05").await,
        Begin::OverQuota(Usage { keys: 3, bytes: 40 })
    );
    assert_eq!(
        begin(idem(1, "k-1"), "2026-11-20 10:00:05").await,
        Begin::Replay(kept.clone())
    );
    assert_eq!(
        begin(idem(2, "k-4"), "2026-11-20 10:00:05").await,
        Begin::Proceed
    );

    // Purged once lapsed, in batches, oldest first: the quota frees up.
    assert_eq!(
        store
            .purge_idempotency_keys(at("2026-11-20 10:00:00"), 10)
            .await
            .unwrap(),
        0,
        "nothing is older than the cut-off"
    );
    // A day after 10:00:03, keys first used before 10:00:03 have lapsed.
    let cut_off = at("2026-11-20 10:00:03");
    assert_eq!(store.purge_idempotency_keys(cut_off, 1).await.unwrap(), 1);
    assert_eq!(store.purge_idempotency_keys(cut_off, 10).await.unwrap(), 1);
    assert_eq!(
        usage(1).await,
        Usage { keys: 1, bytes: 20 },
        "k-3 is younger"
    );
    assert_eq!(usage(2).await, Usage { keys: 1, bytes: 0 });
    assert_eq!(
        begin(idem(1, "k-4"), "2026-11-21 10:00:05").await,
        Begin::Proceed
    );
}

//! The scenarios every [`Store`] backend must pass, written once.
//!
//! A backend's test file calls [`conformance_tests!`](crate::conformance_tests) with a
//! function that opens a fresh, empty store; the macro makes one test per scenario, each on
//! its own store. Scenarios panic on the first broken expectation.

mod cancellation;
mod console;
mod credentials;
mod delivery;
mod flow;
mod idempotency;
mod inquiry;
pub mod isolation;
mod nosell;
mod operations;
mod orders;
mod returns;
mod webhooks;

pub use cancellation::*;
pub use console::*;
pub use credentials::*;
pub use delivery::*;
pub use flow::*;
pub use idempotency::*;
pub use inquiry::*;
pub use nosell::*;
pub use operations::*;
pub use orders::*;
pub use returns::*;
pub use webhooks::*;

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
    Conflict, KeyId, NewApiKey, NewToken, NewVendor, NotFound, Placed, Role, SandboxEntry,
    SecretHash, Store, StoreError, TokenId,
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
            nodes_are_counted_by_their_heartbeats,
            a_sandbox_log_keeps_entries_in_order_per_vendor,
            vendors_and_their_lower_rank_vendors,
            api_keys_are_issued_listed_and_revoked,
            platform_tokens_carry_a_role_and_are_revocable,
            a_keys_version_moves_with_its_vendors_changes,
            orders_are_placed_once,
            orders_must_name_known_vendors,
            claims_and_a_customers_orders_are_looked_up,
            a_page_of_events_reads_its_orders_and_rows_at_once,
            cancellation_records_a_numbered_claim,
            refused_cancellations_change_nothing,
            shipping_closes_the_cancellation_window,
            inquiry_by_period_in_answer_order,
            inquiry_period_edges_are_kst_days,
            inquiry_by_original_order,
            inquiry_is_scoped_to_the_key,
            inquiry_pages_and_counts,
            inquiry_pages_for_a_key_check_the_key_and_stream_rows,
            inquiry_pages_for_a_sink_that_keeps_rows_read_only_what_it_lacks,
            concurrent_cancels_never_over_cancel,
            concurrent_claims_get_distinct_numbers,
            concurrent_cancel_and_ship_never_overlap,
            items_are_confirmed_given_a_waybill_and_released,
            the_console_ships_in_one_step_and_never_rejects_a_request_unasked,
            cancel_requests_end_approved_withdrawn_or_rejected,
            concurrent_flow_steps_end_each_line_once,
            changes_are_told_as_events_in_each_vendors_sequence,
            idempotency_keys_claim_replay_and_refuse,
            idempotent_writes_keep_their_answer_with_their_effect,
            concurrent_claims_of_one_idempotency_key_let_one_through,
            idempotency_keys_are_held_to_a_quota_and_purged,
            webhooks_are_registered_rotated_and_removed,
            webhook_leases_go_to_one_node_and_attempts_move_the_cursor,
            concurrent_leases_never_share_an_endpoint,
            console_users_sign_in_and_sessions_lapse,
            orders_are_found_by_the_orderers_name,
            orders_are_found_by_part_of_a_number_name_or_phone,
            what_waits_for_a_vendor_is_counted,
            an_agents_recent_orders_are_listed,
            vendors_register_and_withdraw_out_of_stock,
            registrations_execute_once_at_five_the_next_day,
            delay_notices_move_the_date_and_open_direct_cancellation,
            concurrent_executions_keep_the_invariants,
            the_sandbox_clock_moves_only_forward,
            released_items_are_delivered_once_and_listed,
            returns_are_filed_priced_and_end_once,
            exchanges_ship_their_replacement_after_the_pickup,
            confirmed_pickups_complete_by_themselves_once,
            concurrent_pickups_keep_the_invariants
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
                return_fee: None,
                exchange_fee: None,
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

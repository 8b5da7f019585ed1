//! The vendor's own cancellations and delays: out-of-stock registrations made, refused,
//! withdrawn and executed exactly once at 17:00 the next day (pending cancel request lines
//! approved first), delay notices, the sandbox clock — and the invariants under concurrent
//! customers, agents, approvals, shipments and executions.

use super::*;
use crate::{DueNoSell, ItemRef};
use claims_domain::{
    ClockAnchor, ClockMove, DelayReason, EventType, LineStatus, NoSellReason, NoSellStatus,
    Release, RequestId, ShippingStatus, Waybill,
};

fn waybill() -> Waybill {
    Waybill::new("0000033011", "6012345678901").unwrap()
}

fn item(ord_no: &str, n: u32) -> ItemRef {
    ItemRef::Order(order_no(ord_no), seq(n))
}

/// The `itemId` the scenarios' orders give item `n`.
fn item_id(n: u32) -> String {
    format!("10000284633{n:02}")
}

fn words(text: &str) -> Text {
    Text::parse("shortgProcDtlc", text, rules::REASON_TEXT).unwrap()
}

fn day(compact: &str) -> KstDate {
    KstDate::parse_compact(compact).unwrap()
}

async fn register(
    store: &dyn Store,
    ord_no: &str,
    n: u32,
    reason: NoSellReason,
    now: &str,
) -> Result<claims_domain::ItemState, StoreError> {
    store
        .register_no_sell(
            &item(ord_no, n),
            &item_id(n),
            &scope(VENDOR_A, None),
            reason,
            &words("입고 지연으로 결품"),
            at(now),
        )
        .await
}

async fn kinds_after(store: &dyn Store, vendor: &str, after: u64) -> Vec<EventType> {
    store
        .events_after(&scope(vendor, None), after, 1_000)
        .await
        .unwrap()
        .events
        .into_iter()
        .map(|event| event.event.kind)
        .collect()
}

pub async fn vendors_register_and_withdraw_out_of_stock(fixture: &Fixture) {
    let store = fixture.store();
    register_vendors(store).await;
    place(
        store,
        order(
            "NS-1",
            "2026-11-20 09:50:17",
            &[
                (1, VENDOR_A, None, 3, 0),
                (2, VENDOR_A, None, 1, 0),
                (3, VENDOR_B, None, 1, 0),
                (4, VENDOR_A, None, 1, 0),
            ],
            &[],
        ),
    )
    .await;
    let a = scope(VENDOR_A, None);
    let head = store.event_head(&vendor_id(VENDOR_A)).await.unwrap().last;

    // Only the vendor's own item, named with its own itemId.
    let wrong_id = store
        .register_no_sell(
            &item("NS-1", 1),
            "9999999999999",
            &a,
            NoSellReason::OutOfStock,
            &Text::default(),
            at("2026-11-21 10:00:00"),
        )
        .await;
    assert!(
        matches!(wrong_id, Err(StoreError::NotFound(NotFound::Item(..)))),
        "{wrong_id:?}"
    );
    let others = store
        .register_no_sell(
            &item("NS-1", 3),
            &item_id(3),
            &a,
            NoSellReason::OutOfStock,
            &Text::default(),
            at("2026-11-21 10:00:00"),
        )
        .await;
    assert!(matches!(
        others,
        Err(StoreError::Ship(ShipRejection::NotYourItem))
    ));

    let registered = register(
        store,
        "NS-1",
        1,
        NoSellReason::OutOfStock,
        "2026-11-21 23:59:59",
    )
    .await
    .unwrap();
    let no_sell = registered.no_sell.clone().unwrap();
    assert_eq!(no_sell.status, NoSellStatus::Registered);
    assert_eq!(
        no_sell.executes_at,
        at("2026-11-22 17:00:00"),
        "17:00 the next KST day"
    );
    assert_eq!(no_sell.text.as_str(), "입고 지연으로 결품");
    assert!(matches!(
        register(
            store,
            "NS-1",
            1,
            NoSellReason::WrongProductInfo,
            "2026-11-22 09:00:00"
        )
        .await,
        Err(StoreError::Ship(ShipRejection::AlreadyRegistered))
    ));

    // Registered, it cannot ship; customers may still cancel it as its state allows.
    store
        .confirm(&item("NS-1", 1), &a, at("2026-11-22 09:00:00"))
        .await
        .unwrap();
    assert!(matches!(
        store
            .record_waybill(&item("NS-1", 1), &a, &waybill(), at("2026-11-22 09:01:00"))
            .await,
        Err(StoreError::Ship(ShipRejection::NoSellRegistered))
    ));
    assert!(matches!(
        store
            .ship(&order_no("NS-1"), seq(1), &a, at("2026-11-22 09:02:00"))
            .await,
        Err(StoreError::Ship(ShipRejection::NoSellRegistered))
    ));
    assert!(matches!(
        store
            .release(
                &item("NS-1", 1),
                &a,
                Release::OneStep,
                at("2026-11-22 09:02:00")
            )
            .await,
        Err(StoreError::Ship(ShipRejection::NoSellRegistered))
    ));
    store
        .file_cancel_request(
            &order_no("NS-1"),
            &by_agent(&[(1, 1)], Fault::Customer),
            RequestId::from_random([7; 8]),
            at("2026-11-22 09:03:00"),
        )
        .await
        .expect("a registered, confirmed item takes a cancel request");

    // Withdrawn, it is an ordinary item again.
    let withdrawn = store
        .withdraw_no_sell(&item("NS-1", 1), &item_id(1), &a, at("2026-11-22 10:00:00"))
        .await
        .unwrap();
    let ended = withdrawn.no_sell.unwrap();
    assert_eq!(ended.status, NoSellStatus::Withdrawn);
    assert_eq!(ended.ended_at, Some(at("2026-11-22 10:00:00")));
    assert!(matches!(
        store
            .withdraw_no_sell(&item("NS-1", 1), &item_id(1), &a, at("2026-11-22 10:00:01"))
            .await,
        Err(StoreError::Ship(ShipRejection::NotRegistered))
    ));
    assert!(
        store
            .due_no_sells(at("2026-12-31 00:00:00"), 10)
            .await
            .unwrap()
            .is_empty(),
        "a withdrawn registration is never due"
    );
    assert_eq!(
        store
            .execute_no_sell(&order_no("NS-1"), seq(1), at("2026-11-22 17:00:00"))
            .await
            .unwrap(),
        None,
        "nor executed"
    );
    store
        .record_waybill(&item("NS-1", 1), &a, &waybill(), at("2026-11-22 11:00:00"))
        .await
        .expect("it ships again");

    // A released or fully canceled item takes no registration.
    store
        .ship(&order_no("NS-1"), seq(2), &a, at("2026-11-22 11:00:00"))
        .await
        .unwrap();
    assert!(matches!(
        register(
            store,
            "NS-1",
            2,
            NoSellReason::OutOfStock,
            "2026-11-22 12:00:00"
        )
        .await,
        Err(StoreError::Ship(ShipRejection::NotInState {
            status: ShippingStatus::Released
        }))
    ));
    store
        .cancel(
            &order_no("NS-1"),
            &by_customer("c-1001", &[(4, 1)]),
            at("2026-11-22 12:00:00"),
        )
        .await
        .unwrap();
    assert!(matches!(
        register(
            store,
            "NS-1",
            4,
            NoSellReason::OutOfStock,
            "2026-11-22 12:00:01"
        )
        .await,
        Err(StoreError::Ship(ShipRejection::FullyCanceled))
    ));

    let told = kinds_after(store, VENDOR_A, head).await;
    assert_eq!(
        told.iter()
            .filter(|kind| matches!(
                kind,
                EventType::ItemNoSellRegistered | EventType::ItemNoSellWithdrawn
            ))
            .collect::<Vec<_>>(),
        [
            &EventType::ItemNoSellRegistered,
            &EventType::ItemNoSellWithdrawn
        ],
        "each registration and withdrawal is told once: {told:?}"
    );
    let record = store.order(&order_no("NS-1")).await.unwrap().unwrap();
    assert_eq!(
        record.items[0].no_sell.as_ref().map(|n| n.status),
        Some(NoSellStatus::Withdrawn),
        "the order keeps the latest registration"
    );
}

pub async fn registrations_execute_once_at_five_the_next_day(fixture: &Fixture) {
    let store = fixture.store();
    register_vendors(store).await;
    place(
        store,
        order(
            "NS-2",
            "2026-11-20 09:50:17",
            &[(1, VENDOR_A, None, 4, 1000), (2, VENDOR_A, None, 2, 0)],
            &[(VENDOR_A, 3000)],
        ),
    )
    .await;
    let a = scope(VENDOR_A, None);
    // Item 1: confirmed, with a cancel request for one unit pending.
    store
        .confirm(&item("NS-2", 1), &a, at("2026-11-21 09:00:00"))
        .await
        .unwrap();
    store
        .file_cancel_request(
            &order_no("NS-2"),
            &by_agent(&[(1, 1)], Fault::Customer),
            RequestId::from_random([1; 8]),
            at("2026-11-21 09:30:00"),
        )
        .await
        .unwrap();
    register(
        store,
        "NS-2",
        1,
        NoSellReason::OutOfStock,
        "2026-11-21 10:00:00",
    )
    .await
    .unwrap();
    register(
        store,
        "NS-2",
        2,
        NoSellReason::WrongProductInfo,
        "2026-11-21 11:00:00",
    )
    .await
    .unwrap();

    assert!(
        store
            .due_no_sells(at("2026-11-22 16:59:59"), 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store
            .execute_no_sell(&order_no("NS-2"), seq(1), at("2026-11-22 16:59:59"))
            .await
            .unwrap(),
        None,
        "not before it is due"
    );
    let due = store
        .due_no_sells(at("2026-11-22 17:00:00"), 10)
        .await
        .unwrap();
    assert_eq!(
        due,
        [
            DueNoSell {
                ord_no: order_no("NS-2"),
                item_seq: seq(1),
                due: at("2026-11-22 17:00:00")
            },
            DueNoSell {
                ord_no: order_no("NS-2"),
                item_seq: seq(2),
                due: at("2026-11-22 17:00:00")
            },
        ]
    );

    let head = store.event_head(&vendor_id(VENDOR_A)).await.unwrap().last;
    let executed = store
        .execute_no_sell(&order_no("NS-2"), seq(1), at("2026-11-22 17:00:00"))
        .await
        .unwrap()
        .expect("due and in force");
    assert_eq!(executed.status, NoSellStatus::Executed);
    let approved = executed.approved.expect("the customer asked first");
    assert_eq!(approved.lines[0].qty, qty(1));
    let claim = executed
        .claim
        .expect("the open units, as the vendor's claim");
    assert_eq!(claim.lines.len(), 1);
    assert_eq!(claim.lines[0].qty, qty(3));
    assert_eq!(claim.reason, ReasonCode::OutOfStock);
    assert_eq!(claim.reason.code(), "270");
    assert_eq!(claim.fault, Fault::Vendor);
    assert_eq!(claim.actor, Actor::Vendor(vendor_id(VENDOR_A)));
    assert_eq!(claim.reason_text.as_str(), "입고 지연으로 결품");
    assert_eq!(claim.canceled_at, at("2026-11-22 17:00:00"));
    assert_eq!(
        store
            .execute_no_sell(&order_no("NS-2"), seq(1), at("2026-11-22 17:00:01"))
            .await
            .unwrap(),
        None,
        "exactly once"
    );
    let second = store
        .execute_no_sell(&order_no("NS-2"), seq(2), at("2026-11-22 17:00:00"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(second.claim.unwrap().reason.code(), "271");
    assert!(
        store
            .due_no_sells(at("2026-12-31 00:00:00"), 10)
            .await
            .unwrap()
            .is_empty()
    );

    let record = store.order(&order_no("NS-2")).await.unwrap().unwrap();
    assert!(record.items.iter().all(|item| item.open() == 0));
    assert_eq!(
        record.items[0].no_sell.as_ref().unwrap().ended_at,
        Some(at("2026-11-22 17:00:00"))
    );
    assert!(
        record
            .cancel_requests
            .iter()
            .flat_map(|request| &request.lines)
            .all(|line| line.status == LineStatus::Approved)
    );
    // In the inquiry, as any cancellation: the vendor's fault, its words.
    let rows = rows(store, &a, &period("20261122", "20261122")).await;
    let vendors: Vec<_> = rows
        .iter()
        .filter(|row| row.reason.code() == "270" || row.reason.code() == "271")
        .map(|row| (row.reason.code(), row.fault.code(), row.qty.get()))
        .collect();
    assert_eq!(vendors, [("270", "20", 3), ("271", "20", 2)]);
    assert_eq!(
        kinds_after(store, VENDOR_A, head).await,
        [
            EventType::ClaimCreated,
            EventType::ClaimCreated,
            EventType::ClaimCreated
        ],
        "the approval's claim and each execution's"
    );

    // Nothing left open when it runs (the customer canceled it all): void, no claim.
    place(
        store,
        order(
            "NS-3",
            "2026-11-20 09:50:17",
            &[(1, VENDOR_A, None, 2, 0)],
            &[],
        ),
    )
    .await;
    register(
        store,
        "NS-3",
        1,
        NoSellReason::OutOfStock,
        "2026-11-21 10:00:00",
    )
    .await
    .unwrap();
    store
        .cancel(
            &order_no("NS-3"),
            &by_customer("c-1001", &[(1, 2)]),
            at("2026-11-21 12:00:00"),
        )
        .await
        .expect("a registered item may still be canceled by its customer");
    let void = store
        .execute_no_sell(&order_no("NS-3"), seq(1), at("2026-11-22 17:00:00"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (void.status, void.claim, void.approved),
        (NoSellStatus::Void, None, None)
    );
}

pub async fn delay_notices_move_the_date_and_open_direct_cancellation(fixture: &Fixture) {
    let store = fixture.store();
    register_vendors(store).await;
    place(
        store,
        order(
            "NS-4",
            "2026-11-20 09:50:17",
            &[(1, VENDOR_A, None, 3, 0), (2, VENDOR_A, None, 1, 0)],
            &[],
        ),
    )
    .await;
    let a = scope(VENDOR_A, None);
    store
        .confirm(&item("NS-4", 1), &a, at("2026-11-21 09:00:00"))
        .await
        .unwrap();
    let now = at("2026-11-21 10:00:00");
    let (target, id) = (item("NS-4", 1), item_id(1));
    let notify =
        |until: &str, reason| store.notify_delay(&target, &id, &a, reason, day(until), now);
    for refused in ["20261121", "20261120", "20261222"] {
        assert!(
            matches!(
                notify(refused, DelayReason::SupplyDelay).await,
                Err(StoreError::Invalid(ref invalid)) if invalid.field == "whinExpcDt"
            ),
            "{refused}: after today and at most 30 days ahead"
        );
    }
    let head = store.event_head(&vendor_id(VENDOR_A)).await.unwrap().last;
    let delayed = notify("20261125", DelayReason::SupplyDelay).await.unwrap();
    assert_eq!(delayed.shipping_status(), ShippingStatus::Delayed);
    assert_eq!(delayed.delay.as_ref().unwrap().notices, 1);
    let again = notify("20261125", DelayReason::SupplyDelay).await.unwrap();
    assert_eq!(
        again.delay.as_ref().unwrap().notices,
        1,
        "the same notice is told once"
    );
    let moved = notify("20261221", DelayReason::MadeToOrder).await.unwrap();
    let delay = moved.delay.unwrap();
    assert_eq!(
        (delay.notices, delay.until, delay.reason),
        (2, day("20261221"), DelayReason::MadeToOrder)
    );
    assert_eq!(
        kinds_after(store, VENDOR_A, head).await,
        [EventType::ItemDelayed, EventType::ItemDelayed]
    );

    // Listed with the confirmed items, not with those to confirm; confirmed for the vendor.
    let period = Period::spanning(day("20261101"), day("20261130"), 181).unwrap();
    let listed = |stage| {
        let a = a.clone();
        async move {
            store
                .shipping_items(&a, stage, period, 100)
                .await
                .unwrap()
                .iter()
                .map(|item| (item.item.seq.get(), item.state.shipping_status()))
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        listed(ShippingStatus::Confirmed).await,
        [(1, ShippingStatus::Delayed)]
    );
    assert_eq!(
        listed(ShippingStatus::Instructed).await,
        [(2, ShippingStatus::Instructed)]
    );
    assert!(matches!(
        store.confirm(&item("NS-4", 1), &a, now).await,
        Err(StoreError::Ship(ShipRejection::NotInState {
            status: ShippingStatus::Delayed
        }))
    ));

    // The customer told of the delay may cancel at once, without a request.
    assert!(matches!(
        store
            .file_cancel_request(
                &order_no("NS-4"),
                &by_agent(&[(1, 1)], Fault::Vendor),
                RequestId::from_random([4; 8]),
                now,
            )
            .await,
        Err(StoreError::Cancel(CancelRejection::CancelDirectly { .. }))
    ));
    store
        .cancel(&order_no("NS-4"), &by_customer("c-1001", &[(1, 1)]), now)
        .await
        .expect("a delayed item is canceled directly");
    // And the vendor ships it as a confirmed item.
    store
        .record_waybill(&item("NS-4", 1), &a, &waybill(), now)
        .await
        .unwrap();
    let shipped = store
        .release(&item("NS-4", 1), &a, Release::Vendor { qty: qty(2) }, now)
        .await
        .unwrap();
    assert_eq!(shipped.qty, qty(2));
    assert!(matches!(
        notify("20261125", DelayReason::SupplyDelay).await,
        Err(StoreError::Ship(ShipRejection::NotInState {
            status: ShippingStatus::Released
        }))
    ));
}

/// Customers' cancellations, agents' cancel requests, approvals, waybills, releases and the
/// 17:00 execution (three at once, as three nodes would try), interleaved on registered
/// items. Afterwards: no registration executed twice, no unit of a registered item shipped,
/// no open unit left after execution, every claim adding up.
pub async fn concurrent_executions_keep_the_invariants(fixture: &Fixture) {
    let store = fixture.shared();
    register_vendors(&*store).await;
    let a = scope(VENDOR_A, None);
    for round in 0..8u8 {
        let no = format!("NS-RACE-{round}");
        place(
            &*store,
            order(
                &no,
                "2026-11-20 09:50:17",
                &[(1, VENDOR_A, None, 6, 600)],
                &[],
            ),
        )
        .await;
        let ord_no = order_no(&no);
        let confirmed = round % 2 == 0;
        if confirmed {
            store
                .confirm(&item(&no, 1), &a, at("2026-11-21 09:00:00"))
                .await
                .unwrap();
        }
        register(
            &*store,
            &no,
            1,
            NoSellReason::OutOfStock,
            "2026-11-21 10:00:00",
        )
        .await
        .unwrap();
        let due = at("2026-11-22 17:00:00");
        let mut tasks = Vec::new();
        for i in 0..15u8 {
            let (store, ord_no, no, a) =
                (Arc::clone(&store), ord_no.clone(), no.clone(), a.clone());
            tasks.push(tokio::spawn(async move {
                let now = due.plus_seconds(i64::from(i % 3) - 1);
                let result = match i % 5 {
                    // In half the rounds the vendor tries to withdraw just before and just
                    // after 17:00: before, it may win the race; after, it is too late.
                    _ if round >= 4 && (i == 7 || i == 8) => store
                        .withdraw_no_sell(
                            &item(&no, 1),
                            &item_id(1),
                            &a,
                            due.plus_seconds(if i == 7 { -1 } else { 1 }),
                        )
                        .await
                        .map(|_| ()),
                    0 => store
                        .execute_no_sell(&ord_no, seq(1), due)
                        .await
                        .map(|_| ()),
                    1 if confirmed => store
                        .file_cancel_request(
                            &ord_no,
                            &by_agent(&[(1, 1)], Fault::Customer),
                            RequestId::from_random([round, i, 9, 0, 0, 0, 0, 1]),
                            now,
                        )
                        .await
                        .map(|_| ()),
                    1 => store
                        .cancel(&ord_no, &by_customer("c-1001", &[(1, 1)]), now)
                        .await
                        .map(|_| ()),
                    2 => store
                        .approve_cancel_request(&ord_no, seq(1), &a, now)
                        .await
                        .map(|_| ()),
                    3 => store
                        .record_waybill(&item(&no, 1), &a, &waybill(), now)
                        .await
                        .map(|_| ()),
                    _ => store
                        .release(&item(&no, 1), &a, Release::OneStep, now)
                        .await
                        .map(|_| ()),
                };
                match result {
                    Ok(())
                    | Err(StoreError::Cancel(_))
                    | Err(StoreError::Ship(
                        ShipRejection::NoSellRegistered
                        | ShipRejection::NotRegistered
                        // Once a withdrawal won the race, the item ships as any other.
                        | ShipRejection::AlreadyShipped
                        | ShipRejection::FullyCanceled
                        | ShipRejection::NotConfirmed
                        | ShipRejection::NoWaybill,
                    )) => {}
                    Err(other) => panic!("unexpected {other:?}"),
                }
            }));
        }
        for task in tasks {
            task.await.unwrap();
        }
        // Whatever did not run yet runs now, as the next node's scheduler would.
        store.execute_no_sell(&ord_no, seq(1), due).await.unwrap();
        assert_eq!(
            store.execute_no_sell(&ord_no, seq(1), due).await.unwrap(),
            None
        );

        let record = store.order(&ord_no).await.unwrap().unwrap();
        let state = &record.items[0];
        let status = state.no_sell.as_ref().map(|n| n.status);
        let by_vendor = record
            .claims
            .iter()
            .filter(|claim| matches!(claim.actor, Actor::Vendor(_)))
            .count();
        let claimed: u32 = record
            .claims
            .iter()
            .flat_map(|claim| &claim.lines)
            .map(|line| line.qty.get())
            .sum();
        assert_eq!(claimed, state.canceled, "{no}: every claim adds up");
        if status == Some(NoSellStatus::Withdrawn) {
            // The withdrawal won the race: nothing of the vendor's was canceled.
            assert_eq!(by_vendor, 0, "{no}: a withdrawn registration never runs");
            assert!(state.canceled + state.shipped <= state.ordered, "{no}");
            continue;
        }
        assert_eq!(state.shipped, 0, "{no}: no unit of a registered item ships");
        assert_eq!(state.open(), 0, "{no}: nothing open after execution");
        assert!(
            matches!(status, Some(NoSellStatus::Executed | NoSellStatus::Void)),
            "{no}: {status:?}"
        );
        assert_eq!(
            by_vendor,
            usize::from(status == Some(NoSellStatus::Executed)),
            "{no}: executed exactly once"
        );
        assert_eq!(state.canceled, state.ordered, "{no}");
        let discounts: i64 = record
            .claims
            .iter()
            .flat_map(|claim| &claim.lines)
            .map(|line| line.cost.spl_ven_bdn_dc_amt.get())
            .sum();
        assert_eq!(
            discounts, 600,
            "{no}: the discount is refunded once, in full"
        );
        assert!(
            record
                .cancel_requests
                .iter()
                .flat_map(|request| &request.lines)
                .all(|line| line.status != LineStatus::Requested),
            "{no}: no request line is left pending"
        );
    }
}

pub async fn the_sandbox_clock_moves_only_forward(fixture: &Fixture) {
    let store = fixture.shared();
    assert_eq!(store.sandbox_clock().await.unwrap(), None);
    let start = ClockAnchor {
        real_ms: 1_000_000,
        at: at("2026-12-08 09:00:00"),
        speed_milli: 1000,
    };
    assert_eq!(store.start_sandbox_clock(start).await.unwrap(), start);
    let later = ClockAnchor {
        real_ms: 2_000_000,
        ..start
    };
    assert_eq!(
        store.start_sandbox_clock(later).await.unwrap(),
        start,
        "a started clock keeps running"
    );
    // Ten real seconds after its anchor it shows 09:00:10; a day and an hour ahead.
    let moved = store
        .move_sandbox_clock(ClockMove::By(90_000), 1_010_000, later)
        .await
        .unwrap();
    assert_eq!(moved.from, at("2026-12-08 09:00:10"));
    assert_eq!(moved.to.now_at(1_010_000), at("2026-12-09 10:00:10"));
    assert_eq!(store.sandbox_clock().await.unwrap(), Some(moved.to));
    let back = store
        .move_sandbox_clock(ClockMove::To(at("2026-12-09 10:00:09")), 1_010_000, later)
        .await;
    assert!(
        matches!(
            back,
            Err(StoreError::Conflict(Conflict::ClockBackwards { .. }))
        ),
        "{back:?}"
    );
    // Moves at once all count: each is decided under the clock's lock.
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let store = Arc::clone(&store);
        tasks.push(tokio::spawn(async move {
            store
                .move_sandbox_clock(ClockMove::By(60), 1_010_000, later)
                .await
                .unwrap()
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let clock = store.sandbox_clock().await.unwrap().unwrap();
    assert_eq!(clock.now_at(1_010_000), at("2026-12-09 10:08:10"));
}

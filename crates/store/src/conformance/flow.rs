//! SSG's flow from shipping direction to release: confirming, waybills and releases, the
//! vendor's shipping lists; cancel requests filed, withdrawn, approved and rejected; and
//! concurrent steps on one item that end each request line exactly once.

use super::*;
use crate::{ItemRef, Shipment};
use claims_domain::{LineStatus, Release, RequestId, RequestStatus, ShippingStatus, Waybill};

fn waybill() -> Waybill {
    Waybill::new("0000033011", "6012345678901").unwrap()
}

pub fn by_order(ord_no: &str, n: u32) -> ItemRef {
    ItemRef::Order(order_no(ord_no), seq(n))
}

pub fn request_id(n: u8) -> RequestId {
    RequestId::from_random([n; 8])
}

fn days(start: &str, end: &str) -> Period {
    Period::spanning(
        KstDate::parse_compact(start).unwrap(),
        KstDate::parse_compact(end).unwrap(),
        181,
    )
    .unwrap()
}

pub async fn items_are_confirmed_given_a_waybill_and_released(fixture: &Fixture) {
    let store = fixture.store();
    register_vendors(store).await;
    place(
        store,
        order(
            "FLOW-1",
            "2026-11-20 09:50:17",
            &[
                (1, VENDOR_A, None, 3, 0),
                (2, VENDOR_A, Some(LOWER_A1), 1, 0),
                (3, VENDOR_B, None, 1, 0),
            ],
            &[(VENDOR_A, 3000)],
        ),
    )
    .await;
    let record = store.order(&order_no("FLOW-1")).await.unwrap().unwrap();
    let numbers: HashSet<u64> = record.items.iter().map(|i| i.shpp_no.get()).collect();
    assert_eq!(numbers.len(), 3, "each item has its own shipping number");
    assert!(
        record
            .items
            .iter()
            .all(|i| i.shipping_status() == ShippingStatus::Instructed)
    );
    let by_number = ItemRef::Shipping(record.items[0].shpp_no);
    let (a, now) = (scope(VENDOR_A, None), at("2026-11-21 09:00:00"));

    // The vendor's shipping lists, within its scope and the period.
    let list = |stage, scope: Scope, period| async move {
        store
            .shipping_items(&scope, stage, period, 100)
            .await
            .unwrap()
            .iter()
            .map(|item| (item.ord_no.to_string(), item.item.seq.get()))
            .collect::<Vec<_>>()
    };
    let november = days("20261101", "20261130");
    assert_eq!(
        list(ShippingStatus::Instructed, a.clone(), november).await,
        [("FLOW-1".to_owned(), 1), ("FLOW-1".to_owned(), 2)]
    );
    assert_eq!(
        list(
            ShippingStatus::Instructed,
            scope(VENDOR_A, Some(LOWER_A1)),
            november
        )
        .await,
        [("FLOW-1".to_owned(), 2)]
    );
    assert!(
        list(
            ShippingStatus::Instructed,
            a.clone(),
            days("20261121", "20261130")
        )
        .await
        .is_empty(),
        "filtered on the order date"
    );
    let listed = store
        .shipping_items(&a, ShippingStatus::Instructed, november, 100)
        .await
        .unwrap();
    assert_eq!(listed[0].shipping_fee.get(), 3000);
    assert_eq!(listed[0].ordpe_nm.as_str(), "홍길동");
    assert_eq!(
        store
            .shipping_items(&a, ShippingStatus::Instructed, november, 1)
            .await
            .unwrap()
            .len(),
        1,
        "at most the limit"
    );

    // Another vendor's item, a shipping number that names nothing.
    assert!(matches!(
        store.confirm(&by_number, &scope(VENDOR_B, None), now).await,
        Err(StoreError::Ship(ShipRejection::NotYourItem))
    ));
    let nothing = ItemRef::Shipping(claims_domain::ShippingNo::new("shppNo", 999_999).unwrap());
    assert!(matches!(
        store.confirm(&nothing, &a, now).await,
        Err(StoreError::NotFound(NotFound::Shipping(_)))
    ));

    // Nothing ships before it is confirmed and has a waybill.
    assert!(matches!(
        store.record_waybill(&by_number, &a, &waybill(), now).await,
        Err(StoreError::Ship(ShipRejection::NotConfirmed))
    ));
    let confirmed = store.confirm(&by_number, &a, now).await.unwrap();
    assert_eq!(confirmed.confirmed_at, Some(now));
    assert!(
        matches!(
            store
                .confirm(&by_number, &a, at("2026-11-21 10:00:00"))
                .await,
            Err(StoreError::Ship(ShipRejection::NotInState {
                status: ShippingStatus::Confirmed
            }))
        ),
        "a confirmed item is refused naming its state, as SSG answers"
    );
    let kept = store.order(&order_no("FLOW-1")).await.unwrap().unwrap();
    assert_eq!(
        kept.items[0].confirmed_at,
        Some(now),
        "the refusal changed nothing"
    );
    assert_eq!(
        list(ShippingStatus::Confirmed, a.clone(), november).await,
        [("FLOW-1".to_owned(), 1)]
    );
    let release = |units| Release::Vendor { qty: qty(units) };
    assert!(matches!(
        store.release(&by_number, &a, release(3), now).await,
        Err(StoreError::Ship(ShipRejection::NoWaybill))
    ));
    let recorded = store
        .record_waybill(&by_number, &a, &waybill(), now)
        .await
        .unwrap();
    assert_eq!(
        recorded.shipment, None,
        "no request pending: the waybill alone"
    );
    assert_eq!(recorded.state.waybill, Some(waybill()));
    assert!(matches!(
        store.release(&by_number, &a, release(2), now).await,
        Err(StoreError::Ship(ShipRejection::WrongQuantity {
            asked: 2,
            open: 3
        }))
    ));
    let shipment = store
        .release(&by_number, &a, release(3), at("2026-11-21 11:00:00"))
        .await
        .unwrap();
    assert_eq!(shipment.qty, qty(3));
    assert!(shipment.rejected.is_empty());
    assert!(matches!(
        store.release(&by_number, &a, release(3), now).await,
        Err(StoreError::Ship(ShipRejection::AlreadyShipped))
    ));
    assert!(matches!(
        store.confirm(&by_number, &a, now).await,
        Err(StoreError::Ship(ShipRejection::NotInState {
            status: ShippingStatus::Released
        }))
    ));
    assert!(
        list(ShippingStatus::Confirmed, a.clone(), november)
            .await
            .is_empty()
    );

    // The platform's one-step shipment confirms on the way.
    let one_step = store
        .ship(
            &order_no("FLOW-1"),
            seq(2),
            &scope(VENDOR_A, Some(LOWER_A1)),
            at("2026-11-21 12:00:00"),
        )
        .await
        .unwrap();
    assert_eq!(one_step.qty, qty(1));
    let record = store.order(&order_no("FLOW-1")).await.unwrap().unwrap();
    assert_eq!(record.items[0].shipping_status(), ShippingStatus::Released);
    assert_eq!(record.items[0].waybill, Some(waybill()));
    assert_eq!(
        record.items[1].confirmed_at,
        Some(at("2026-11-21 12:00:00"))
    );
    assert_eq!(
        record.items[2].shipping_status(),
        ShippingStatus::Instructed
    );
}

pub async fn cancel_requests_end_approved_withdrawn_or_rejected(fixture: &Fixture) {
    let store = fixture.store();
    register_vendors(store).await;
    place(
        store,
        order(
            "FLOW-2",
            "2026-11-20 09:50:17",
            &[
                (1, VENDOR_A, None, 2, 1000),
                (2, VENDOR_A, None, 1, 0),
                (3, VENDOR_A, None, 1, 0),
                (4, VENDOR_B, None, 1, 0),
            ],
            &[(VENDOR_A, 3000)],
        ),
    )
    .await;
    let ord_no = order_no("FLOW-2");
    let a = scope(VENDOR_A, None);
    let now = at("2026-11-21 09:00:00");

    // An instructed item is canceled directly, not requested.
    assert!(matches!(
        store
            .file_cancel_request(
                &ord_no,
                &by_agent(&[(1, 1)], Fault::Customer),
                request_id(1),
                now
            )
            .await,
        Err(StoreError::Cancel(CancelRejection::CancelDirectly { .. }))
    ));
    for n in 1..=3 {
        store
            .confirm(&by_order("FLOW-2", n), &a, now)
            .await
            .unwrap();
    }
    // Confirmed: direct cancellation is refused, to the customer and to an agent.
    assert!(matches!(
        store
            .cancel(&ord_no, &by_customer("c-1001", &[(1, 1)]), now)
            .await,
        Err(StoreError::Cancel(
            CancelRejection::NeedsServiceCenter { .. }
        ))
    ));
    assert!(matches!(
        store
            .cancel(&ord_no, &by_agent(&[(1, 1)], Fault::Customer), now)
            .await,
        Err(StoreError::Cancel(CancelRejection::UseCancelRequest { .. }))
    ));

    let filed_at = at("2026-11-21 10:00:00");
    let first = store
        .file_cancel_request(
            &ord_no,
            &by_agent(&[(1, 2), (2, 1)], Fault::Vendor),
            request_id(1),
            filed_at,
        )
        .await
        .unwrap();
    assert_eq!(first.status(), RequestStatus::Requested);
    assert_eq!(first.filed_at, filed_at);
    // One pending line per item; a whole request is refused when any line is.
    assert!(matches!(
        store
            .file_cancel_request(
                &ord_no,
                &by_agent(&[(3, 1), (2, 1)], Fault::Customer),
                request_id(2),
                filed_at
            )
            .await,
        Err(StoreError::Cancel(CancelRejection::AlreadyRequested { .. }))
    ));
    let second = store
        .file_cancel_request(
            &ord_no,
            &by_agent(&[(3, 1)], Fault::Customer),
            request_id(3),
            filed_at,
        )
        .await
        .unwrap();

    // The vendor's pending lines, by filing time, in its scope.
    let pending = store
        .pending_cancel_lines(&a, days("20261121", "20261121"), 100)
        .await
        .unwrap();
    let lines: Vec<(u32, u32)> = pending
        .iter()
        .map(|p| (p.line.item_seq.get(), p.line.qty.get()))
        .collect();
    assert_eq!(lines, [(1, 2), (2, 1), (3, 1)]);
    assert!(
        store
            .pending_cancel_lines(&scope(VENDOR_B, None), days("20261121", "20261121"), 100)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .pending_cancel_lines(&a, days("20261122", "20261128"), 100)
            .await
            .unwrap()
            .is_empty(),
        "filtered on the filing date"
    );

    // Approval: another vendor finds nothing; the item's vendor makes a claim of it.
    let approved_at = at("2026-11-21 11:00:00");
    assert!(matches!(
        store
            .approve_cancel_request(&ord_no, seq(1), &scope(VENDOR_B, None), approved_at)
            .await,
        Err(StoreError::Cancel(CancelRejection::NothingPending))
    ));
    let claim = store
        .approve_cancel_request(&ord_no, seq(1), &a, approved_at)
        .await
        .unwrap();
    assert_eq!(claim.canceled_at, approved_at);
    assert_eq!(claim.fault, Fault::Vendor);
    assert_eq!(claim.lines.len(), 1);
    assert_eq!(claim.lines[0].qty, qty(2));
    assert_eq!(claim.lines[0].cost.spl_ven_bdn_dc_amt.get(), 1000);
    assert_eq!(
        claim.lines[0].cost.shpmt_shppcst.get(),
        0,
        "A still has goods open"
    );
    assert!(matches!(
        store
            .approve_cancel_request(&ord_no, seq(1), &a, approved_at)
            .await,
        Err(StoreError::Cancel(CancelRejection::NothingPending))
    ));

    // Withdrawal: only the order's customer, or an agent; what is pending of it ends.
    let stranger = Actor::Customer(CustomerId::parse("customerId", "c-9999").unwrap());
    assert!(matches!(
        store
            .withdraw_cancel_request(&first.id, &stranger, approved_at)
            .await,
        Err(StoreError::Cancel(CancelRejection::NotYourOrder))
    ));
    let customer = Actor::Customer(CustomerId::parse("customerId", "c-1001").unwrap());
    let withdrawn = store
        .withdraw_cancel_request(&first.id, &customer, at("2026-11-21 11:30:00"))
        .await
        .unwrap();
    let statuses: Vec<LineStatus> = withdrawn.lines.iter().map(|l| l.status).collect();
    assert_eq!(statuses, [LineStatus::Approved, LineStatus::Withdrawn]);
    assert_eq!(withdrawn.status(), RequestStatus::Closed);
    assert_eq!(withdrawn.lines[0].claim.as_ref(), Some(&claim.clm_no));
    assert!(matches!(
        store
            .withdraw_cancel_request(&first.id, &customer, approved_at)
            .await,
        Err(StoreError::Cancel(CancelRejection::NothingPending))
    ));
    assert!(matches!(
        store
            .withdraw_cancel_request(&request_id(99), &customer, approved_at)
            .await,
        Err(StoreError::NotFound(NotFound::CancelRequest(_)))
    ));

    // A waybill on item 3, whose request is pending, ships it and rejects the line.
    let shipped_at = at("2026-11-21 12:00:00");
    let recorded = store
        .record_waybill(&by_order("FLOW-2", 3), &a, &waybill(), shipped_at)
        .await
        .unwrap();
    let shipment: Shipment = recorded.shipment.expect("the waybill shipped the item");
    assert_eq!(shipment.rejected, std::slice::from_ref(&second.id));
    assert_eq!(shipment.shipped_at, shipped_at);

    // Item 2 (its line withdrawn) is requested again and approved: A's last open goods,
    // so this claim refunds A's shipping fee.
    store
        .file_cancel_request(
            &ord_no,
            &by_agent(&[(2, 1)], Fault::Customer),
            request_id(4),
            at("2026-11-21 12:30:00"),
        )
        .await
        .unwrap();
    let last = store
        .approve_cancel_request(&ord_no, seq(2), &a, at("2026-11-21 13:00:00"))
        .await
        .unwrap();
    assert_eq!(
        last.lines[0].cost.shpmt_shppcst.get(),
        0,
        "item 3 shipped: A's goods are not all canceled"
    );

    let record = store.order(&ord_no).await.unwrap().unwrap();
    let summary: Vec<(String, RequestStatus)> = record
        .cancel_requests
        .iter()
        .map(|r| (r.id.to_string(), r.status()))
        .collect();
    assert_eq!(
        summary,
        [
            (first.id.to_string(), RequestStatus::Closed),
            (second.id.to_string(), RequestStatus::Rejected),
            (request_id(4).to_string(), RequestStatus::Approved),
        ]
    );
    assert_eq!(
        record.cancel_requests[1].lines[0].ended_at,
        Some(shipped_at)
    );
    assert_eq!(record.items[0].canceled, 2);
    assert_eq!(record.items[1].canceled, 1);
    assert_eq!(record.items[2].shipped, 1);
    assert_eq!(record.claims.len(), 2);
    // The approvals are in the inquiry, like any cancellation.
    let answered = rows(store, &a, &period("20261121", "20261121")).await;
    assert_eq!(answered.len(), 2);
}

/// Approvals, withdrawals and shipments of one item race; each line ends exactly once, and
/// a shipment rejects exactly the line pending when it ran.
pub async fn concurrent_flow_steps_end_each_line_once(fixture: &Fixture) {
    let store = fixture.shared();
    register_vendors(&*store).await;
    let a = scope(VENDOR_A, None);
    for round in 0..6u8 {
        let no = format!("FLOW-RACE-{round}");
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
        let ord_no = order_no(&no);
        let item = ItemRef::Order(ord_no.clone(), seq(1));
        store
            .confirm(&item, &a, at("2026-11-21 09:00:00"))
            .await
            .unwrap();
        store
            .record_waybill(&item, &a, &waybill(), at("2026-11-21 09:00:00"))
            .await
            .unwrap();
        let mut tasks = Vec::new();
        for i in 0..12u8 {
            let (store, ord_no, item, a) =
                (Arc::clone(&store), ord_no.clone(), item.clone(), a.clone());
            tasks.push(tokio::spawn(async move {
                let now = at("2026-11-21 10:00:00").plus_seconds(i64::from(i));
                let result = match i % 4 {
                    0 => store
                        .file_cancel_request(
                            &ord_no,
                            &by_agent(&[(1, 1)], Fault::Customer),
                            RequestId::from_random([round, i, 0, 0, 0, 0, 0, 1]),
                            now,
                        )
                        .await
                        .map(|_| ()),
                    1 => store
                        .approve_cancel_request(&ord_no, seq(1), &a, now)
                        .await
                        .map(|_| ()),
                    2 if i > 4 => store
                        .release(&item, &a, Release::OneStep, now)
                        .await
                        .map(|_| ()),
                    _ => store
                        .file_cancel_request(
                            &ord_no,
                            &by_agent(&[(1, 2)], Fault::Vendor),
                            RequestId::from_random([round, i, 0, 0, 0, 0, 0, 2]),
                            now,
                        )
                        .await
                        .map(|_| ()),
                };
                match result {
                    Ok(())
                    | Err(StoreError::Cancel(_))
                    | Err(StoreError::Ship(
                        ShipRejection::AlreadyShipped | ShipRejection::FullyCanceled,
                    )) => {}
                    Err(other) => panic!("unexpected {other:?}"),
                }
            }));
        }
        for task in tasks {
            task.await.unwrap();
        }
        let record = store.order(&ord_no).await.unwrap().unwrap();
        let state = &record.items[0];
        assert!(state.canceled + state.shipped <= state.ordered);
        let approved: u32 = record
            .cancel_requests
            .iter()
            .flat_map(|r| &r.lines)
            .filter(|l| l.status == LineStatus::Approved)
            .map(|l| l.qty.get())
            .sum();
        assert_eq!(
            approved, state.canceled,
            "every canceled unit is an approved line"
        );
        let pending = record
            .cancel_requests
            .iter()
            .flat_map(|r| &r.lines)
            .filter(|l| l.status == LineStatus::Requested)
            .count();
        assert!(pending <= 1);
        if state.shipped > 0 {
            assert_eq!(pending, 0, "a shipment leaves nothing pending");
            for line in record.cancel_requests.iter().flat_map(|r| &r.lines) {
                if line.status == LineStatus::Rejected {
                    assert_eq!(line.ended_at, state.shipped_at);
                }
            }
        }
    }
}

/// Every change a vendor must act on is an event of its vendor, in the change's own
/// transaction, numbered in the vendor's sequence; narrowed scopes see their own.
pub async fn changes_are_told_as_events_in_each_vendors_sequence(fixture: &Fixture) {
    use claims_domain::EventType;
    let store = fixture.store();
    register_vendors(store).await;
    let now = at("2026-11-21 09:00:00");
    place(
        store,
        order(
            "EVT-1",
            "2026-11-20 09:50:17",
            &[
                (1, VENDOR_A, None, 2, 0),
                (2, VENDOR_A, Some(LOWER_A1), 1, 0),
                (3, VENDOR_B, None, 1, 0),
            ],
            &[],
        ),
    )
    .await;
    let ord_no = order_no("EVT-1");
    let a = scope(VENDOR_A, None);
    let kinds = |events: &[crate::StoredEvent]| -> Vec<(u64, EventType, Option<String>)> {
        events
            .iter()
            .map(|e| {
                (
                    e.sequence,
                    e.event.kind,
                    e.event.lower_rank.as_ref().map(ToString::to_string),
                )
            })
            .collect()
    };
    let placed = store.events_after(&a, 0, 100).await.unwrap().events;
    assert_eq!(
        kinds(&placed),
        [
            (1, EventType::OrderInstructed, None),
            (2, EventType::OrderInstructed, Some(LOWER_A1.to_owned())),
        ]
    );
    assert_eq!(
        kinds(
            &store
                .events_after(&scope(VENDOR_B, None), 0, 100)
                .await
                .unwrap()
                .events
        ),
        [(1, EventType::OrderInstructed, None)],
        "each vendor has its own sequence"
    );

    store
        .cancel(&ord_no, &by_agent(&[(1, 1), (2, 1)], Fault::Customer), now)
        .await
        .unwrap();
    store.confirm(&by_order("EVT-1", 1), &a, now).await.unwrap();
    let request = store
        .file_cancel_request(
            &ord_no,
            &by_agent(&[(1, 1)], Fault::Customer),
            request_id(7),
            now,
        )
        .await
        .unwrap();
    store
        .record_waybill(&by_order("EVT-1", 1), &a, &waybill(), now)
        .await
        .unwrap();
    let told = store.events_after(&a, 2, 100).await.unwrap().events;
    assert_eq!(
        kinds(&told),
        [
            (3, EventType::ClaimCreated, None),
            (4, EventType::ClaimCreated, Some(LOWER_A1.to_owned())),
            (5, EventType::CancelRequestCreated, None),
            (6, EventType::CancelRequestRejected, None),
        ],
        "one claim split by lower-rank vendor; the request filed, then rejected by the waybill"
    );
    match &told[3].event.subject {
        claims_domain::Subject::Request {
            request: id,
            items,
            status,
            ..
        } => {
            assert_eq!(
                (id, items.as_slice(), *status),
                (&request.id, &[seq(1)][..], LineStatus::Rejected)
            );
        }
        other => panic!("{other:?}"),
    }
    // A narrowed scope sees only its lower-rank vendor's events; reading resumes after any.
    assert_eq!(
        kinds(
            &store
                .events_after(&scope(VENDOR_A, Some(LOWER_A1)), 0, 100)
                .await
                .unwrap()
                .events
        ),
        [
            (2, EventType::OrderInstructed, Some(LOWER_A1.to_owned())),
            (4, EventType::ClaimCreated, Some(LOWER_A1.to_owned())),
        ]
    );
    assert_eq!(
        kinds(&store.events_after(&a, 4, 1).await.unwrap().events),
        [(5, EventType::CancelRequestCreated, None)]
    );
    // How far a page read: to the last event of a full page; to the head otherwise — a
    // narrowed scope whose parent's later events are none of its own is read past them,
    // so its cursor never reads them again.
    assert_eq!(store.events_after(&a, 4, 1).await.unwrap().through, 5);
    assert_eq!(store.events_after(&a, 2, 100).await.unwrap().through, 6);
    let narrowed = store
        .events_after(&scope(VENDOR_A, Some(LOWER_A1)), 4, 100)
        .await
        .unwrap();
    assert_eq!((narrowed.events.len(), narrowed.through), (0, 6));
    let at_head = store.events_after(&a, 6, 100).await.unwrap();
    assert_eq!((at_head.events.len(), at_head.through), (0, 6));
    assert_eq!(
        store.event_head(&vendor_id(VENDOR_A)).await.unwrap(),
        crate::EventHead {
            last: 6,
            purged_through: 0
        }
    );

    // Retention removes the old ones and remembers how far.
    assert_eq!(
        store
            .purge_events(at("2026-11-21 00:00:00"), 100)
            .await
            .unwrap(),
        3,
        "the placement's"
    );
    let head = store.event_head(&vendor_id(VENDOR_A)).await.unwrap();
    assert_eq!((head.last, head.purged_through), (6, 2));
    assert_eq!(
        store.events_after(&a, 0, 100).await.unwrap().events.len(),
        4
    );
}

/// The console's one-step shipment: an instructed item is confirmed, given its waybill and
/// released in one call; an item the customer asked to cancel is left alone unless the
/// caller agrees to reject the request; another vendor's item is refused as ever.
pub async fn the_console_ships_in_one_step_and_never_rejects_a_request_unasked(fixture: &Fixture) {
    use crate::{Dispatch, Dispatched};
    let store = fixture.store();
    register_vendors(store).await;
    place(
        store,
        order(
            "FLOW-D",
            "2026-11-20 09:50:17",
            &[
                (1, VENDOR_A, None, 2, 0),
                (2, VENDOR_A, None, 1, 0),
                (3, VENDOR_B, None, 1, 0),
            ],
            &[],
        ),
    )
    .await;
    let ord_no = order_no("FLOW-D");
    let (a, now) = (scope(VENDOR_A, None), at("2026-11-21 09:00:00"));
    let with_waybill = Dispatch {
        waybill: Some(waybill()),
        reject_request: false,
    };

    // Instructed → confirmed, waybilled and released at once.
    let shipped = store
        .dispatch(&by_order("FLOW-D", 1), &a, &with_waybill, now)
        .await
        .unwrap();
    let Dispatched::Shipped(shipment) = shipped else {
        panic!("item 1 ships: {shipped:?}");
    };
    assert_eq!((shipment.qty.get(), shipment.rejected.len()), (2, 0));
    let record = store.order(&ord_no).await.unwrap().unwrap();
    let one = record.items.iter().find(|i| i.seq == seq(1)).unwrap();
    assert_eq!(one.shipping_status(), ShippingStatus::Released);
    assert_eq!(one.waybill.as_ref(), Some(&waybill()));
    // Shipping it again is refused by the rules, and changes nothing.
    assert!(matches!(
        store
            .dispatch(&by_order("FLOW-D", 1), &a, &with_waybill, now)
            .await,
        Err(StoreError::Ship(_))
    ));

    // A pending cancel request: left alone, then rejected only when agreed to.
    store
        .confirm(&by_order("FLOW-D", 2), &a, now)
        .await
        .unwrap();
    store
        .file_cancel_request(
            &ord_no,
            &by_agent(&[(2, 1)], Fault::Customer),
            request_id(9),
            now,
        )
        .await
        .unwrap();
    assert_eq!(
        store
            .dispatch(&by_order("FLOW-D", 2), &a, &with_waybill, now)
            .await
            .unwrap(),
        Dispatched::Requested
    );
    let record = store.order(&ord_no).await.unwrap().unwrap();
    let two = record.items.iter().find(|i| i.seq == seq(2)).unwrap();
    assert_eq!(two.shipping_status(), ShippingStatus::Confirmed);
    assert_eq!(two.waybill, None, "nothing was written");
    assert_eq!(record.pending_items(), [seq(2)]);
    let agreed = Dispatch {
        waybill: None,
        reject_request: true,
    };
    let Dispatched::Shipped(shipment) = store
        .dispatch(&by_order("FLOW-D", 2), &a, &agreed, now)
        .await
        .unwrap()
    else {
        panic!("item 2 ships once the rejection is agreed");
    };
    assert_eq!(shipment.rejected, [request_id(9)]);
    let request = store.cancel_request(&request_id(9)).await.unwrap().unwrap();
    assert_eq!(request.status(), RequestStatus::Rejected);

    // Another vendor's item.
    assert!(matches!(
        store
            .dispatch(&by_order("FLOW-D", 3), &a, &with_waybill, now)
            .await,
        Err(StoreError::Ship(ShipRejection::NotYourItem))
    ));
}

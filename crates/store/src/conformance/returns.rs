//! Returns and exchanges after release: filed as numbered claims of pickups with every
//! amount fixed, confirmed, completed or refused once by their vendor, completed by
//! themselves when due, withdrawn while still 61; an exchange's replacement waits for its
//! pickup and then ships as any item. Under any concurrency no unit is returned twice.

use super::*;
use crate::{ItemRef, PickupStep};
use claims_domain::{
    Blame, PickupCarrier, PickupClaim, PickupCommand, PickupDate, PickupKind, PickupQuery,
    PickupReason, PickupRejection, PickupRequestLine, PickupStatus, RefusalReason, Release,
    ReplacementStatus, ShippingStatus, Waybill, returnable,
};

fn customer() -> Actor {
    Actor::Customer(CustomerId::parse("customerId", "c-1001").unwrap())
}

fn agent() -> Actor {
    Actor::Agent(AgentId::parse("agentId", "agent-7").unwrap())
}

/// A return or exchange of `lines` (item, units) for `reason` by `actor`.
pub fn pickup_command(
    actor: Actor,
    kind: PickupKind,
    reason: &str,
    lines: &[(u32, u32)],
) -> PickupCommand {
    PickupCommand {
        actor,
        reason: PickupReason::parse(kind, reason).unwrap(),
        reason_text: Text::parse("clmRsnCntt", "사이즈가 작아요", rules::REASON_TEXT).unwrap(),
        lines: lines
            .iter()
            .map(|&(n, units)| PickupRequestLine {
                item_seq: seq(n),
                qty: qty(units),
                uitem_id: None,
                uitem_nm: None,
            })
            .collect(),
    }
}

fn courier() -> PickupStep {
    PickupStep::Confirm {
        carrier: PickupCarrier::Courier(Waybill::new("0000033011", "6012345678901").unwrap()),
        resell: true,
        blame: Some(Blame::Customer),
    }
}

/// Places `ord_no` (item 1: three units, discount 300, vendor A; item 2: one unit of A's
/// lower-rank A1; item 3: one unit of B; A's fee 3000) and releases every item.
async fn shipped_order(store: &dyn Store, ord_no: &str) {
    place(
        store,
        order(
            ord_no,
            "2026-11-20 09:50:17",
            &[
                (1, VENDOR_A, None, 3, 300),
                (2, VENDOR_A, Some(LOWER_A1), 1, 0),
                (3, VENDOR_B, None, 1, 0),
            ],
            &[(VENDOR_A, 3000)],
        ),
    )
    .await;
    for (n, vendor) in [(1, VENDOR_A), (2, VENDOR_A), (3, VENDOR_B)] {
        store
            .ship(
                &order_no(ord_no),
                seq(n),
                &scope(vendor, None),
                at("2026-11-21 18:00:00"),
            )
            .await
            .unwrap();
    }
}

pub async fn returns_are_filed_priced_and_end_once(fixture: &Fixture) {
    let store = fixture.store();
    register_vendors(store).await;
    place(
        store,
        order(
            "RET-0",
            "2026-11-20 09:50:17",
            &[(1, VENDOR_A, None, 1, 0)],
            &[],
        ),
    )
    .await;
    let a = scope(VENDOR_A, None);
    let filing = at("2026-11-25 10:00:00");
    assert!(
        matches!(
            store
                .file_pickup(
                    &order_no("RET-0"),
                    &pickup_command(customer(), PickupKind::Return, "351", &[(1, 1)]),
                    filing
                )
                .await,
            Err(StoreError::Pickup(PickupRejection::NotReleased { .. }))
        ),
        "nothing released: cancel instead"
    );

    shipped_order(store, "RET-1").await;
    // Three units of item 1 at the customer's fault: one now, its share of the discount,
    // A's return fee (the outbound fee by default) taken from its refund.
    let first = store
        .file_pickup(
            &order_no("RET-1"),
            &pickup_command(customer(), PickupKind::Return, "351", &[(1, 1)]),
            filing,
        )
        .await
        .unwrap();
    assert_eq!(first.kind, PickupKind::Return);
    assert_eq!(first.status(), "requested");
    let line = &first.lines[0];
    assert_eq!(line.line_seq, seq(1));
    assert_eq!(line.cost.spl_ven_bdn_dc_amt.get(), 100);
    assert_eq!(line.cost.ret_shppcst.get(), 3000);
    assert_eq!(line.cost.shpmt_shppcst.get(), 0);
    assert_eq!(line.refund.get(), 4500 - 100 - 3000);
    // More than is returnable is refused and changes nothing.
    assert!(matches!(
        store
            .file_pickup(
                &order_no("RET-1"),
                &pickup_command(agent(), PickupKind::Return, "354", &[(1, 3)]),
                filing
            )
            .await,
        Err(StoreError::Pickup(PickupRejection::ExceedsReturnable {
            asked: 3,
            returnable: 2,
            ..
        }))
    ));
    // The vendor's fault, everything else of A back: the remainder of the discount, A's
    // outbound fee refunded, no return fee; two lines, one claim number.
    let second = store
        .file_pickup(
            &order_no("RET-1"),
            &pickup_command(agent(), PickupKind::Return, "354", &[(1, 2), (2, 1)]),
            filing,
        )
        .await
        .unwrap();
    assert_ne!(first.clm_no, second.clm_no);
    assert_eq!(second.lines.len(), 2);
    assert_eq!(
        second.lines[0].cost.spl_ven_bdn_dc_amt.get(),
        200,
        "the remainder"
    );
    assert_eq!(second.lines[0].cost.ret_shppcst.get(), 0);
    assert_eq!(second.lines[0].cost.shpmt_shppcst.get(), 3000);
    assert_eq!(second.lines[0].refund.get(), 9000 - 200 + 3000);
    assert_eq!(
        second.lines[1].cost.shpmt_shppcst.get(),
        0,
        "once per vendor"
    );
    assert_ne!(second.lines[0].shpp_no, second.lines[1].shpp_no);

    // The vendor confirms, then completes: refunded once.
    let b = scope(VENDOR_B, None);
    let pickup = first.lines[0].shpp_no;
    assert!(
        matches!(
            store
                .pickup_step(pickup, &b, 1, &courier(), at("2026-11-26 09:00:00"))
                .await,
            Err(StoreError::NotFound(NotFound::Pickup(_)))
        ),
        "another vendor's pickup is none of its business"
    );
    assert!(
        matches!(
            store
                .pickup_step(
                    pickup,
                    &a,
                    1,
                    &PickupStep::Complete,
                    at("2026-11-26 09:00:00")
                )
                .await,
            Err(StoreError::Pickup(PickupRejection::PickupNotInState {
                status: PickupStatus::Requested
            }))
        ),
        "not before confirmation"
    );
    assert!(matches!(
        store
            .pickup_step(pickup, &a, 2, &courier(), at("2026-11-26 09:00:00"))
            .await,
        Err(StoreError::Pickup(PickupRejection::WrongQuantity {
            asked: 2,
            qty: 1
        }))
    ));
    let confirmed = store
        .pickup_step(pickup, &a, 1, &courier(), at("2026-11-26 09:00:00"))
        .await
        .unwrap();
    assert_eq!(confirmed.lines[0].status, PickupStatus::Confirmed);
    assert!(
        matches!(
            store
                .pickup_step(pickup, &a, 1, &courier(), at("2026-11-26 09:00:01"))
                .await,
            Err(StoreError::Pickup(PickupRejection::PickupNotInState {
                status: PickupStatus::Confirmed
            }))
        ),
        "confirming twice"
    );
    // A confirmed pickup can no longer be withdrawn.
    assert!(matches!(
        store
            .withdraw_pickup(&first.clm_no, &customer(), at("2026-11-26 10:00:00"))
            .await,
        Err(StoreError::Pickup(PickupRejection::PickupConfirmed))
    ));
    let completed = store
        .pickup_step(
            pickup,
            &a,
            1,
            &PickupStep::Complete,
            at("2026-11-27 09:00:00"),
        )
        .await
        .unwrap();
    assert_eq!(completed.lines[0].status, PickupStatus::Completed);
    assert_eq!(completed.refunded().get(), 1400);
    assert!(
        matches!(
            store
                .pickup_step(
                    pickup,
                    &a,
                    1,
                    &PickupStep::Complete,
                    at("2026-11-27 09:00:01")
                )
                .await,
            Err(StoreError::Pickup(PickupRejection::PickupNotInState {
                status: PickupStatus::Completed
            }))
        ),
        "completing twice"
    );

    // The second claim: withdrawn by an agent while 61; its units returnable again.
    let withdrawn = store
        .withdraw_pickup(&second.clm_no, &agent(), at("2026-11-26 11:00:00"))
        .await
        .unwrap();
    assert!(
        withdrawn
            .lines
            .iter()
            .all(|l| l.status == PickupStatus::Withdrawn)
    );
    assert!(matches!(
        store
            .withdraw_pickup(&second.clm_no, &agent(), at("2026-11-26 11:00:01"))
            .await,
        Err(StoreError::Pickup(PickupRejection::NotWithdrawable { .. }))
    ));
    assert!(
        matches!(
            store
                .pickup_step(
                    second.lines[0].shpp_no,
                    &a,
                    2,
                    &courier(),
                    at("2026-11-26 12:00:00")
                )
                .await,
            Err(StoreError::NotFound(NotFound::Pickup(_)))
        ),
        "a withdrawn pickup is not found"
    );
    let record = store.order(&order_no("RET-1")).await.unwrap().unwrap();
    assert_eq!(returnable(&record.items[0], &record.pickups), 2);
    assert_eq!(record.pickups.len(), 2);

    // Another customer cannot return this order; a refusal gives the units back.
    assert!(matches!(
        store
            .file_pickup(
                &order_no("RET-1"),
                &pickup_command(
                    Actor::Customer(CustomerId::parse("customerId", "c-2002").unwrap()),
                    PickupKind::Return,
                    "351",
                    &[(1, 1)]
                ),
                filing
            )
            .await,
        Err(StoreError::Pickup(PickupRejection::NotYourOrder))
    ));
    let third = store
        .file_pickup(
            &order_no("RET-1"),
            &pickup_command(customer(), PickupKind::Return, "352", &[(1, 2)]),
            at("2026-11-27 10:00:00"),
        )
        .await
        .unwrap();
    let refuse = PickupStep::Refuse {
        reason: RefusalReason::Damaged,
        memo: Text::parse("retProcMemoCntt", "포장 훼손", rules::REASON_TEXT).unwrap(),
    };
    let third_pickup = third.lines[0].shpp_no;
    assert!(
        matches!(
            store
                .pickup_step(third_pickup, &a, 2, &refuse, at("2026-11-27 11:00:00"))
                .await,
            Err(StoreError::Pickup(PickupRejection::PickupNotInState {
                status: PickupStatus::Requested
            }))
        ),
        "refusing at 61"
    );
    store
        .pickup_step(third_pickup, &a, 2, &courier(), at("2026-11-27 11:00:00"))
        .await
        .unwrap();
    let refused = store
        .pickup_step(third_pickup, &a, 2, &refuse, at("2026-11-27 12:00:00"))
        .await
        .unwrap();
    assert_eq!(refused.lines[0].status, PickupStatus::Refused);
    assert_eq!(refused.refunded().get(), 0);
    let record = store.order(&order_no("RET-1")).await.unwrap().unwrap();
    assert_eq!(returnable(&record.items[0], &record.pickups), 2);

    // The vendor's list: by filing date, by state, by number; each vendor its own.
    let query = |by, statuses: &[&str], lookup| PickupQuery {
        by,
        period: Some(
            Period::new(
                KstDate::parse_compact("20261125").unwrap(),
                KstDate::parse_compact("20261127").unwrap(),
            )
            .unwrap(),
        ),
        kinds: Vec::new(),
        statuses: statuses.iter().map(|s| (*s).to_owned()).collect(),
        lookup,
    };
    let listed = |scope: Scope, query: PickupQuery| async move {
        store
            .pickups(&scope, &query, 100)
            .await
            .unwrap()
            .iter()
            .map(|listing| {
                (
                    listing.claim.clm_no.clone(),
                    listing.pickup().line_seq.get(),
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(
        listed(a.clone(), query(PickupDate::Filed, &[], None)).await,
        [
            (first.clm_no.clone(), 1),
            (second.clm_no.clone(), 1),
            (second.clm_no.clone(), 2),
            (third.clm_no.clone(), 1)
        ]
    );
    assert_eq!(
        listed(a.clone(), query(PickupDate::Filed, &["66"], None))
            .await
            .len(),
        2
    );
    assert_eq!(
        listed(a.clone(), query(PickupDate::Ended, &["64"], None)).await,
        [(first.clm_no.clone(), 1), (third.clm_no.clone(), 1)]
    );
    assert_eq!(
        listed(
            scope(VENDOR_A, Some(LOWER_A1)),
            query(PickupDate::Filed, &[], None)
        )
        .await,
        [(second.clm_no.clone(), 2)],
        "a lower-rank key sees its own"
    );
    assert!(
        listed(b.clone(), query(PickupDate::Filed, &[], None))
            .await
            .is_empty()
    );
    let by_claim = PickupQuery {
        period: None,
        ..query(
            PickupDate::Filed,
            &[],
            Some(claims_domain::PickupLookup::Order(
                OrderNo::parse("ordNo", third.clm_no.as_str()).unwrap(),
            )),
        )
    };
    assert_eq!(
        listed(a.clone(), by_claim).await,
        [(third.clm_no.clone(), 1)]
    );
    assert!(
        listed(a.clone(), query(PickupDate::Held, &[], None))
            .await
            .is_empty()
    );

    // Each change was told to the vendor whose pickups it concerns.
    let page = store.events_after(&a, 0, 1000).await.unwrap();
    let kinds: Vec<&str> = page
        .events
        .iter()
        .map(|event| event.event.kind.name())
        .filter(|name| name.starts_with("return."))
        .collect();
    assert_eq!(
        kinds,
        [
            "return.created",
            "return.created",
            "return.created",
            "return.completed",
            "return.withdrawn",
            "return.withdrawn",
            "return.created",
            "return.refused"
        ]
    );
}

pub async fn exchanges_ship_their_replacement_after_the_pickup(fixture: &Fixture) {
    let store = fixture.store();
    register_vendors(store).await;
    shipped_order(store, "EXC-1").await;
    let a = scope(VENDOR_A, None);
    let mut command = pickup_command(customer(), PickupKind::Exchange, "451", &[(1, 2)]);
    command.lines[0].uitem_id = Some(Text::parse("uitemId", "00002", rules::UNIT_ITEM_ID).unwrap());
    let exchange = store
        .file_pickup(&order_no("EXC-1"), &command, at("2026-11-25 10:00:00"))
        .await
        .unwrap();
    let line = &exchange.lines[0];
    assert_eq!(line.cost.spl_ven_bdn_dc_amt.get(), 0, "the discount stays");
    assert_eq!(
        line.cost.exch_shppcst.get(),
        6000,
        "twice the fee by default"
    );
    assert_eq!(line.refund.get(), 0);
    let replacement = line.replacement.clone().expect("a replacement");
    assert_eq!(replacement.line_seq, seq(2), "after the pickups");
    assert_eq!(replacement.status, ReplacementStatus::Waiting);
    assert_eq!(replacement.uitem_id.as_str(), "00002");

    // Listed among new items, waiting; it cannot be confirmed yet.
    let listed = store
        .shipping_items(
            &a,
            ShippingStatus::Instructed,
            Period::new(
                KstDate::parse_compact("20261125").unwrap(),
                KstDate::parse_compact("20261125").unwrap(),
            )
            .unwrap(),
            100,
        )
        .await
        .unwrap();
    let listed: Vec<_> = listed
        .iter()
        .filter(|item| item.exchange.is_some())
        .collect();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].ord_no.as_str(), exchange.clm_no.as_str());
    assert_eq!(listed[0].item.seq, seq(2));
    assert_eq!(listed[0].state.shpp_no, replacement.shpp_no);
    assert_eq!(
        listed[0].exchange.as_ref().unwrap().status,
        ReplacementStatus::Waiting
    );
    let item = ItemRef::Shipping(replacement.shpp_no);
    assert!(matches!(
        store.confirm(&item, &a, at("2026-11-25 11:00:00")).await,
        Err(StoreError::Ship(ShipRejection::AwaitingPickup))
    ));
    // An exchange cannot be refused.
    let pickup = line.shpp_no;
    store
        .pickup_step(
            pickup,
            &a,
            2,
            &PickupStep::Confirm {
                carrier: PickupCarrier::Own,
                resell: false,
                blame: None,
            },
            at("2026-11-26 09:00:00"),
        )
        .await
        .unwrap();
    assert!(matches!(
        store
            .pickup_step(
                pickup,
                &a,
                2,
                &PickupStep::Refuse {
                    reason: RefusalReason::Other,
                    memo: Text::default()
                },
                at("2026-11-26 10:00:00")
            )
            .await,
        Err(StoreError::Pickup(PickupRejection::ExchangeNotRefusable))
    ));
    let done = store
        .pickup_step(
            pickup,
            &a,
            2,
            &PickupStep::Complete,
            at("2026-11-26 11:00:00"),
        )
        .await
        .unwrap();
    assert_eq!(
        done.lines[0].replacement.as_ref().unwrap().status,
        ReplacementStatus::Normal
    );
    // Now an ordinary item for the shipping calls: confirm, waybill, release, deliver.
    store
        .confirm(&item, &a, at("2026-11-26 12:00:00"))
        .await
        .unwrap();
    store
        .record_waybill(
            &item,
            &a,
            &Waybill::new("0000033011", "6012345678999").unwrap(),
            at("2026-11-26 12:00:00"),
        )
        .await
        .unwrap();
    let shipped = store
        .release(
            &item,
            &a,
            Release::Vendor { qty: qty(2) },
            at("2026-11-26 18:00:00"),
        )
        .await
        .unwrap();
    assert_eq!(shipped.ord_no.as_str(), exchange.clm_no.as_str());
    assert!(matches!(
        store
            .release(
                &item,
                &a,
                Release::Vendor { qty: qty(2) },
                at("2026-11-26 18:00:01")
            )
            .await,
        Err(StoreError::Ship(ShipRejection::AlreadyShipped))
    ));
    let delivered = store
        .deliver(&item, None, at("2026-11-27 10:00:00"))
        .await
        .unwrap();
    assert_eq!(delivered.shipping_status(), ShippingStatus::Delivered);
    let record = store.order(&order_no("EXC-1")).await.unwrap().unwrap();
    let stored = &record.pickups[0].lines[0];
    assert!(stored.replacement.as_ref().unwrap().delivered_at.is_some());
    assert_eq!(returnable(&record.items[0], &record.pickups), 1);

    // A withdrawn exchange cancels its replacement, which leaves the lists.
    let second = store
        .file_pickup(
            &order_no("EXC-1"),
            &pickup_command(agent(), PickupKind::Exchange, "453", &[(1, 1)]),
            at("2026-11-27 10:00:00"),
        )
        .await
        .unwrap();
    assert_eq!(
        second.lines[0].cost.exch_shppcst.get(),
        0,
        "the vendor's fault"
    );
    store
        .withdraw_pickup(&second.clm_no, &customer(), at("2026-11-27 11:00:00"))
        .await
        .unwrap();
    let replacement = second.lines[0].replacement.clone().unwrap();
    assert!(matches!(
        store
            .confirm(
                &ItemRef::Shipping(replacement.shpp_no),
                &a,
                at("2026-11-27 12:00:00")
            )
            .await,
        Err(StoreError::Ship(ShipRejection::FullyCanceled))
    ));
    let listed = store
        .shipping_items(
            &a,
            ShippingStatus::Instructed,
            Period::new(
                KstDate::parse_compact("20261127").unwrap(),
                KstDate::parse_compact("20261127").unwrap(),
            )
            .unwrap(),
            100,
        )
        .await
        .unwrap();
    assert!(listed.iter().all(|item| item.exchange.is_none()));
    // Its completion was told, with the replacement as a new item to ship.
    let kinds: Vec<&str> = store
        .events_after(&a, 0, 1000)
        .await
        .unwrap()
        .events
        .iter()
        .map(|event| event.event.kind.name())
        .filter(|name| name.starts_with("exchange.") || *name == "order.instructed")
        .collect();
    assert_eq!(
        kinds,
        [
            "order.instructed",
            "order.instructed",
            "exchange.created",
            "exchange.completed",
            "order.instructed",
            "exchange.created",
            "exchange.withdrawn"
        ]
    );
}

pub async fn confirmed_pickups_complete_by_themselves_once(fixture: &Fixture) {
    let store = fixture.store();
    register_vendors(store).await;
    shipped_order(store, "AUTO-1").await;
    let a = scope(VENDOR_A, None);
    let claim = store
        .file_pickup(
            &order_no("AUTO-1"),
            &pickup_command(customer(), PickupKind::Return, "351", &[(1, 3)]),
            at("2026-11-25 10:00:00"),
        )
        .await
        .unwrap();
    let pickup = claim.lines[0].shpp_no;
    // Confirmed on a Friday: due 00:00 on the Wednesday after (Mon, Tue, Wed).
    let confirmed = store
        .pickup_step(pickup, &a, 3, &courier(), at("2026-11-27 15:00:00"))
        .await
        .unwrap();
    let due = at("2026-12-02 00:00:00");
    assert_eq!(
        confirmed.lines[0]
            .confirmation
            .as_ref()
            .unwrap()
            .auto_completes_at,
        due
    );
    assert!(
        store
            .due_pickups(at("2026-12-01 23:59:59"), 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .auto_complete_pickup(pickup, at("2026-12-01 23:59:59"))
            .await
            .unwrap()
            .is_none(),
        "not before it is due"
    );
    let listed = store.due_pickups(due, 10).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].due, due);
    // Many nodes at once: one completion.
    let tasks: Vec<_> = (0..6)
        .map(|_| {
            let store = fixture.shared();
            tokio::spawn(async move { store.auto_complete_pickup(pickup, due).await })
        })
        .collect();
    let mut completed = 0;
    for task in tasks {
        if task.await.unwrap().unwrap().is_some() {
            completed += 1;
        }
    }
    assert_eq!(completed, 1);
    let record = store.order(&order_no("AUTO-1")).await.unwrap().unwrap();
    let line = &record.pickups[0].lines[0];
    assert_eq!(line.status, PickupStatus::Completed);
    assert_eq!(line.ended_at, Some(due));
    assert!(store.due_pickups(due, 10).await.unwrap().is_empty());
    let told = store
        .events_after(&a, 0, 1000)
        .await
        .unwrap()
        .events
        .iter()
        .filter(|event| event.event.kind.name() == "return.completed")
        .count();
    assert_eq!(told, 1);
}

/// Checks every invariant of returns and exchanges on `record`.
pub fn assert_pickup_invariants(record: &crate::OrderRecord) {
    for item in &record.items {
        let lines: Vec<_> = record
            .pickups
            .iter()
            .flat_map(|claim| claim.lines.iter().map(move |line| (claim, line)))
            .filter(|(_, line)| line.item_seq == item.seq)
            .collect();
        let held: u32 = lines
            .iter()
            .filter(|(_, line)| line.holds_units())
            .map(|(_, line)| line.qty.get())
            .sum();
        assert!(
            held <= item.shipped,
            "item {}: {held} units returned, exchanged or on their way back of {} shipped",
            item.seq,
            item.shipped
        );
        let discount: i64 = lines
            .iter()
            .filter(|(claim, line)| claim.kind == PickupKind::Return && line.holds_units())
            .map(|(_, line)| line.cost.spl_ven_bdn_dc_amt.get())
            .sum();
        assert!(
            discount + item.refunded_discount.get() <= item.discount.get(),
            "item {}: discount returned {discount} beyond {}",
            item.seq,
            item.discount.get()
        );
        for (claim, line) in &lines {
            let ended = [line.ended_at.is_some(), line.withdrawn_at.is_some()];
            match line.status {
                PickupStatus::Completed | PickupStatus::Refused => {
                    assert_eq!(ended, [true, false], "{}: ended once", line.shpp_no)
                }
                PickupStatus::Withdrawn => {
                    assert_eq!(ended, [false, true], "{}: withdrawn once", line.shpp_no)
                }
                _ => assert_eq!(ended, [false, false]),
            }
            if let Some(replacement) = &line.replacement {
                assert_eq!(replacement.qty, line.qty);
                if replacement.shipped_at.is_some()
                    || replacement.status == ReplacementStatus::Normal
                {
                    assert_eq!(
                        line.status,
                        PickupStatus::Completed,
                        "shipped only after its pickup"
                    );
                }
            }
            if claim.kind == PickupKind::Exchange {
                assert!(line.replacement.is_some());
            }
        }
    }
    for claim in &record.pickups {
        let sum: i64 = claim
            .lines
            .iter()
            .filter(|line| line.status == PickupStatus::Completed)
            .map(|line| line.refund.get())
            .sum();
        assert_eq!(claim.refunded().get(), sum);
    }
}

/// Customers filing and withdrawing, the vendor confirming, completing and refusing, the
/// automatic completion, all at once on one order: no unit returned twice, each pickup ended
/// once, the discount returned never above the item's.
pub async fn concurrent_pickups_keep_the_invariants(fixture: &Fixture) {
    let store = fixture.store();
    register_vendors(store).await;
    shipped_order(store, "RACE-R").await;
    let a = scope(VENDOR_A, None);
    let mut tasks = Vec::new();
    // Meanwhile, the order's other item — two units of A, not released — is canceled in
    // part by the customer, released by the vendor and returned once it is: whichever
    // comes first, in any order.
    place(
        store,
        order(
            "RACE-R2",
            "2026-11-20 09:50:17",
            &[(1, VENDOR_A, None, 2, 100)],
            &[(VENDOR_A, 3000)],
        ),
    )
    .await;
    for round in 0..4u32 {
        let store = fixture.shared();
        let a = a.clone();
        tasks.push(tokio::spawn(async move {
            let now = at("2026-11-25 10:00:00");
            match round {
                0 => {
                    let _ = store
                        .cancel(&order_no("RACE-R2"), &by_customer("c-1001", &[(1, 1)]), now)
                        .await;
                }
                1 => {
                    let _ = store.ship(&order_no("RACE-R2"), seq(1), &a, now).await;
                }
                _ => {
                    let _ = store
                        .file_pickup(
                            &order_no("RACE-R2"),
                            &pickup_command(customer(), PickupKind::Return, "351", &[(1, 1)]),
                            now,
                        )
                        .await;
                }
            }
        }));
    }
    for round in 0..6u32 {
        let store = fixture.shared();
        let a = a.clone();
        tasks.push(tokio::spawn(async move {
            let now = at("2026-11-25 10:00:00");
            let (kind, reason) = if round % 2 == 0 {
                (PickupKind::Return, "351")
            } else {
                (PickupKind::Exchange, "453")
            };
            let filed: Result<PickupClaim, _> = store
                .file_pickup(
                    &order_no("RACE-R"),
                    &pickup_command(customer(), kind, reason, &[(1, 1 + round % 2)]),
                    now,
                )
                .await;
            let Ok(claim) = filed else { return };
            let pickup = claim.lines[0].shpp_no;
            let units = claim.lines[0].qty.get();
            match round % 3 {
                0 => {
                    let _ = store.withdraw_pickup(&claim.clm_no, &customer(), now).await;
                    let _ = store.pickup_step(pickup, &a, units, &courier(), now).await;
                }
                1 => {
                    let _ = store.pickup_step(pickup, &a, units, &courier(), now).await;
                    let _ = store.withdraw_pickup(&claim.clm_no, &customer(), now).await;
                    let _ = store
                        .auto_complete_pickup(pickup, at("2026-12-01 00:00:00"))
                        .await;
                    let _ = store
                        .pickup_step(pickup, &a, units, &PickupStep::Complete, now)
                        .await;
                }
                _ => {
                    let _ = store.pickup_step(pickup, &a, units, &courier(), now).await;
                    let refuse = PickupStep::Refuse {
                        reason: RefusalReason::TooLate,
                        memo: Text::default(),
                    };
                    let _ = store.pickup_step(pickup, &a, units, &refuse, now).await;
                    let _ = store
                        .pickup_step(pickup, &a, units, &PickupStep::Complete, now)
                        .await;
                }
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let record = store.order(&order_no("RACE-R")).await.unwrap().unwrap();
    assert!(!record.pickups.is_empty());
    assert_pickup_invariants(&record);
    let other = store.order(&order_no("RACE-R2")).await.unwrap().unwrap();
    assert_pickup_invariants(&other);
    let item = &other.items[0];
    assert!(item.canceled + item.shipped <= item.ordered);
    if item.shipped == 0 {
        assert!(
            other.pickups.is_empty(),
            "nothing released, nothing returned"
        );
    }
    // Whatever is left returnable can still be returned, and no more.
    let left = returnable(&record.items[0], &record.pickups);
    if left > 0 {
        store
            .file_pickup(
                &order_no("RACE-R"),
                &pickup_command(agent(), PickupKind::Return, "355", &[(1, left)]),
                at("2026-11-28 10:00:00"),
            )
            .await
            .unwrap();
    }
    assert!(matches!(
        store
            .file_pickup(
                &order_no("RACE-R"),
                &pickup_command(agent(), PickupKind::Return, "355", &[(1, 1)]),
                at("2026-11-28 10:00:00"),
            )
            .await,
        Err(StoreError::Pickup(
            PickupRejection::ExceedsReturnable { .. }
        ))
    ));
    let record = store.order(&order_no("RACE-R")).await.unwrap().unwrap();
    assert_pickup_invariants(&record);
    // Numbers stay distinct across cancellations, returns and exchanges.
    let mut numbers: Vec<_> = record.pickups.iter().map(|c| c.clm_no.clone()).collect();
    numbers.extend(record.claims.iter().map(|c| c.clm_no.clone()));
    let distinct: HashSet<_> = numbers.iter().collect();
    assert_eq!(distinct.len(), numbers.len());
    let mut shipping: Vec<u64> = record.items.iter().map(|i| i.shpp_no.get()).collect();
    for line in record.pickups.iter().flat_map(|c| &c.lines) {
        shipping.push(line.shpp_no.get());
        if let Some(r) = &line.replacement {
            shipping.push(r.shpp_no.get());
        }
    }
    let distinct: HashSet<_> = shipping.iter().collect();
    assert_eq!(distinct.len(), shipping.len());
}

/// A page of events reads its orders and claim rows at once: the same records as one
/// order at a time (items, claims, cancel requests, returns each with their own order),
/// each order once, in the order first named, missing ones left out; and every vendor's
/// inquiry rows of the claims' orders, as the inquiry by original order lists them.
pub async fn a_page_of_events_reads_its_orders_and_rows_at_once(fixture: &Fixture) {
    let store = fixture.store();
    register_vendors(store).await;
    shipped_order(store, "SRC-1").await;
    shipped_order(store, "SRC-2").await;
    store
        .file_pickup(
            &order_no("SRC-1"),
            &pickup_command(customer(), PickupKind::Return, "351", &[(1, 1), (3, 1)]),
            at("2026-11-25 10:00:00"),
        )
        .await
        .unwrap();
    store
        .file_pickup(
            &order_no("SRC-2"),
            &pickup_command(agent(), PickupKind::Exchange, "451", &[(2, 1)]),
            at("2026-11-25 11:00:00"),
        )
        .await
        .unwrap();
    place(
        store,
        order(
            "SRC-3",
            "2026-11-22 09:00:00",
            &[
                (1, VENDOR_A, None, 3, 0),
                (2, VENDOR_A, Some(LOWER_A1), 2, 0),
                (3, VENDOR_B, None, 1, 0),
            ],
            &[(VENDOR_A, 2500), (VENDOR_B, 3000)],
        ),
    )
    .await;
    for (lines, minute) in [(&[(1, 1), (3, 1)][..], 10), (&[(2, 1)][..], 20)] {
        store
            .cancel(
                &order_no("SRC-3"),
                &by_customer("c-1001", lines),
                at(&format!("2026-11-22 10:{minute}:00")),
            )
            .await
            .unwrap();
    }
    store
        .confirm(
            &by_order("SRC-3", 1),
            &scope(VENDOR_A, None),
            at("2026-11-22 10:30:00"),
        )
        .await
        .unwrap();
    store
        .file_cancel_request(
            &order_no("SRC-3"),
            &by_agent(&[(1, 1)], Fault::Vendor),
            request_id(3),
            at("2026-11-22 11:00:00"),
        )
        .await
        .unwrap();

    let named: Vec<OrderNo> = ["SRC-3", "SRC-1", "NOPE-1", "SRC-3", "SRC-2"]
        .into_iter()
        .map(order_no)
        .collect();
    let read = store
        .event_sources(&named, &[order_no("SRC-3"), order_no("SRC-1")])
        .await
        .unwrap();
    let mut one_by_one = Vec::new();
    for no in ["SRC-3", "SRC-1", "SRC-2"] {
        one_by_one.push(store.order(&order_no(no)).await.unwrap().unwrap());
    }
    assert_eq!(read.orders, one_by_one);
    assert_eq!(read.orders[0].claims.len(), 2);
    assert_eq!(read.orders[0].cancel_requests.len(), 1);
    assert_eq!(read.orders[1].pickups.len(), 1);
    assert_eq!(read.orders[2].pickups.len(), 1);

    let mut rows = Vec::new();
    for vendor in [VENDOR_A, VENDOR_B] {
        let query = InquiryQuery::new(
            None,
            Some(OriginalOrder {
                ord_no: order_no("SRC-3"),
                item_seqs: None,
            }),
        )
        .unwrap();
        rows.extend(
            store
                .canceled_rows(&scope(vendor, None), &query, None, 100)
                .await
                .unwrap(),
        );
    }
    rows.sort_by_key(|row| row.key());
    assert_eq!(rows.len(), 3, "A's, its lower-rank vendor's and B's");
    assert_eq!(read.claim_rows, rows);

    let nothing = store.event_sources(&[], &[]).await.unwrap();
    assert!(nothing.orders.is_empty() && nothing.claim_rows.is_empty());
}

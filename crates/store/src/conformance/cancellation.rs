//! Cancellations: numbered claims with their cost lines, refusals that change nothing,
//! and concurrent cancellations and shipments that never overlap.

use super::*;

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

//! Placing orders, and shipping, which closes the cancellation window.

use super::*;

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

pub async fn claims_and_a_customers_orders_are_looked_up(fixture: &Fixture) {
    let store = fixture.store();
    register_vendors(store).await;
    for (no, received) in [
        ("LOOK-1", "2026-11-20 09:00:00"),
        ("LOOK-3", "2026-11-21 09:00:00"),
        ("LOOK-2", "2026-11-21 09:00:00"),
        ("LOOK-4", "2026-11-22 09:00:00"),
    ] {
        place(
            store,
            order(no, received, &[(1, VENDOR_A, None, 2, 0)], &[]),
        )
        .await;
    }
    let claim = store
        .cancel(
            &order_no("LOOK-2"),
            &by_customer("c-1001", &[(1, 1)]),
            at("2026-11-22 10:00:00"),
        )
        .await
        .unwrap();
    assert_eq!(
        store.claim(&claim.clm_no).await.unwrap(),
        Some(claim.clone())
    );
    let nothing = claims_domain::ClaimNo::parse("ordNo", "20261122ZZZZZZ").unwrap();
    assert_eq!(store.claim(&nothing).await.unwrap(), None);

    let customer = CustomerId::parse("customerId", "c-1001").unwrap();
    let numbers = |orders: &[crate::OrderRecord]| -> Vec<String> {
        orders
            .iter()
            .map(|o| o.order.ord_no().to_string())
            .collect()
    };
    let first = store.orders_of_customer(&customer, None, 2).await.unwrap();
    assert_eq!(
        numbers(&first),
        ["LOOK-4", "LOOK-3"],
        "newest first, then by number"
    );
    let last = &first[1];
    let cursor = crate::OrderCursor {
        received_at: last.order.received_at(),
        ord_no: last.order.ord_no().clone(),
    };
    let rest = store
        .orders_of_customer(&customer, Some(&cursor), 10)
        .await
        .unwrap();
    assert_eq!(numbers(&rest), ["LOOK-2", "LOOK-1"]);
    assert_eq!(rest[0].claims, vec![claim], "each order with its claims");
    let stranger = CustomerId::parse("customerId", "c-9999").unwrap();
    assert!(
        store
            .orders_of_customer(&stranger, None, 10)
            .await
            .unwrap()
            .is_empty()
    );
}

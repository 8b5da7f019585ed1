//! Delivery (배송완료): a released item reaches the customer once, from the KST day after its
//! release; the vendor lists what was delivered by delivery, release or order date, or looks
//! an item up by its order or shipping number.

use super::*;
use crate::ItemRef;
use claims_domain::{DeliveredBy, DeliveredQuery, Lookup, Release, ShippingStatus, Waybill};

fn item(ord_no: &str, n: u32) -> ItemRef {
    ItemRef::Order(order_no(ord_no), seq(n))
}

fn days(start: &str, end: &str) -> Option<Period> {
    Some(
        Period::spanning(
            KstDate::parse_compact(start).unwrap(),
            KstDate::parse_compact(end).unwrap(),
            8,
        )
        .unwrap(),
    )
}

pub async fn released_items_are_delivered_once_and_listed(fixture: &Fixture) {
    let store = fixture.store();
    register_vendors(store).await;
    place(
        store,
        order(
            "DLV-1",
            "2026-11-20 09:50:17",
            &[
                (1, VENDOR_A, None, 2, 0),
                (2, VENDOR_A, Some(LOWER_A1), 1, 0),
                (3, VENDOR_B, None, 1, 0),
            ],
            &[(VENDOR_A, 3000)],
        ),
    )
    .await;
    let (a, b) = (scope(VENDOR_A, None), scope(VENDOR_B, None));
    assert!(matches!(
        store
            .deliver(&item("DLV-1", 1), None, at("2026-11-21 10:00:00"))
            .await,
        Err(StoreError::Ship(ShipRejection::NotReleased))
    ));
    for n in [1, 2] {
        store
            .ship(&order_no("DLV-1"), seq(n), &a, at("2026-11-21 18:00:00"))
            .await
            .unwrap();
    }
    store
        .confirm(&item("DLV-1", 3), &b, at("2026-11-21 09:00:00"))
        .await
        .unwrap();
    store
        .record_waybill(
            &item("DLV-1", 3),
            &b,
            &Waybill::new("0000033011", "6012345678901").unwrap(),
            at("2026-11-21 09:00:00"),
        )
        .await
        .unwrap();
    store
        .release(
            &item("DLV-1", 3),
            &b,
            Release::Vendor { qty: qty(1) },
            at("2026-11-21 19:00:00"),
        )
        .await
        .unwrap();

    // Not on the day of release; not another vendor's; then once.
    assert!(matches!(
        store
            .deliver(&item("DLV-1", 1), Some(&a), at("2026-11-21 23:59:59"))
            .await,
        Err(StoreError::Ship(ShipRejection::DeliveredOnReleaseDay))
    ));
    assert!(matches!(
        store
            .deliver(&item("DLV-1", 1), Some(&b), at("2026-11-22 10:00:00"))
            .await,
        Err(StoreError::Ship(ShipRejection::NotYourItem))
    ));
    let record = store.order(&order_no("DLV-1")).await.unwrap().unwrap();
    let by_number = ItemRef::Shipping(record.items[0].shpp_no);
    let delivered = store
        .deliver(&by_number, Some(&a), at("2026-11-22 10:00:00"))
        .await
        .unwrap();
    assert_eq!(delivered.shipping_status(), ShippingStatus::Delivered);
    assert_eq!(delivered.delivered_at, Some(at("2026-11-22 10:00:00")));
    assert!(matches!(
        store
            .deliver(&item("DLV-1", 1), None, at("2026-11-23 10:00:00"))
            .await,
        Err(StoreError::Ship(ShipRejection::AlreadyDelivered))
    ));
    store
        .deliver(&item("DLV-1", 2), None, at("2026-11-24 08:00:00"))
        .await
        .unwrap();
    store
        .deliver(&item("DLV-1", 3), Some(&b), at("2026-11-22 11:00:00"))
        .await
        .unwrap();
    // Delivered, it is shipped for every rule: no cancellation, no release.
    assert!(matches!(
        store
            .cancel(
                &order_no("DLV-1"),
                &by_customer("c-1001", &[(1, 1)]),
                at("2026-11-25 10:00:00")
            )
            .await,
        Err(StoreError::Cancel(CancelRejection::AlreadyShipped { .. }))
    ));

    let listed = |scope: Scope, query: DeliveredQuery| async move {
        store
            .delivered_items(&scope, &query, 100)
            .await
            .unwrap()
            .iter()
            .map(|item| (item.ord_no.as_str().to_owned(), item.item.seq.get()))
            .collect::<Vec<_>>()
    };
    let by = |by, period, lookup| DeliveredQuery { by, period, lookup };
    assert_eq!(
        listed(
            a.clone(),
            by(DeliveredBy::Delivered, days("20261122", "20261122"), None)
        )
        .await,
        [("DLV-1".to_owned(), 1)],
        "by delivery date"
    );
    assert_eq!(
        listed(
            a.clone(),
            by(DeliveredBy::Delivered, days("20261122", "20261128"), None)
        )
        .await,
        [("DLV-1".to_owned(), 1), ("DLV-1".to_owned(), 2)],
        "in delivery order"
    );
    assert_eq!(
        listed(
            a.clone(),
            by(DeliveredBy::Released, days("20261121", "20261121"), None)
        )
        .await
        .len(),
        2,
        "by release date"
    );
    assert_eq!(
        listed(
            a.clone(),
            by(DeliveredBy::Ordered, days("20261120", "20261120"), None)
        )
        .await
        .len(),
        2,
        "by order date"
    );
    assert!(
        listed(
            a.clone(),
            by(DeliveredBy::Delivered, days("20261125", "20261125"), None)
        )
        .await
        .is_empty()
    );
    assert_eq!(
        listed(
            scope(VENDOR_A, Some(LOWER_A1)),
            by(DeliveredBy::Ordered, days("20261120", "20261120"), None)
        )
        .await,
        [("DLV-1".to_owned(), 2)],
        "a lower-rank key sees its own"
    );
    assert_eq!(
        listed(
            b.clone(),
            by(DeliveredBy::Ordered, days("20261120", "20261120"), None)
        )
        .await,
        [("DLV-1".to_owned(), 3)],
        "each vendor its own"
    );
    // Looked up, with no period.
    assert_eq!(
        listed(
            a.clone(),
            by(
                DeliveredBy::Delivered,
                None,
                Some(Lookup::Order(order_no("DLV-1")))
            )
        )
        .await
        .len(),
        2
    );
    assert_eq!(
        listed(
            a.clone(),
            by(
                DeliveredBy::Delivered,
                None,
                Some(Lookup::Shipping(record.items[1].shpp_no))
            )
        )
        .await,
        [("DLV-1".to_owned(), 2)]
    );
    assert!(
        listed(
            b,
            by(
                DeliveredBy::Delivered,
                None,
                Some(Lookup::Shipping(record.items[1].shpp_no))
            )
        )
        .await
        .is_empty(),
        "another vendor's shipment is nothing"
    );
}

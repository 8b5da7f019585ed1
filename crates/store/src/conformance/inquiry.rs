//! The inquiry: by period and by original order, in answer order, scoped to the key, paged.

use super::*;

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

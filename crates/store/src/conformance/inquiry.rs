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

/// Rows kept by id: vendor, cancel time, claim number and line.
type KeptRows = BTreeMap<(String, i64, String, u32), claims_domain::CancelRow>;

/// A sink that keeps every row it was handed, by id, as a server's kept rows do (shared
/// between sinks), and counts the rows the store read in full.
struct Keeper {
    kept: Arc<std::sync::Mutex<KeptRows>>,
    held: std::collections::VecDeque<claims_domain::CancelRow>,
    out: Vec<claims_domain::CancelRow>,
    read: usize,
}

impl Keeper {
    fn id_key(id: &claims_domain::RowId<'_>) -> (String, i64, String, u32) {
        (
            id.vendor.to_owned(),
            id.canceled_at.unix_seconds(),
            id.clm_no.to_owned(),
            id.clm_item_seq,
        )
    }
}

impl claims_domain::RowSink for Keeper {
    fn row(
        &mut self,
        row: &claims_domain::CancelRowRef<'_>,
    ) -> Result<(), claims_domain::InvalidValue> {
        let owned = row.to_owned_row()?;
        self.kept
            .lock()
            .unwrap()
            .insert(Self::id_key(&claims_domain::RowId::of(row)), owned.clone());
        self.out.push(owned);
        self.read += 1;
        Ok(())
    }

    fn keeps_rows(&self) -> bool {
        true
    }

    fn find_row(&mut self, id: &claims_domain::RowId<'_>) -> bool {
        match self.kept.lock().unwrap().get(&Self::id_key(id)) {
            Some(row) => {
                self.held.push_back(row.clone());
                true
            }
            None => false,
        }
    }

    fn held_row(&mut self) {
        let row = self
            .held
            .pop_front()
            .expect("held_row is called only for a row find_row set aside");
        self.out.push(row);
    }

    fn drop_held(&mut self) {
        self.held.clear();
    }
}

pub async fn inquiry_pages_for_a_sink_that_keeps_rows_read_only_what_it_lacks(fixture: &Fixture) {
    let store = fixture.store();
    register_vendors(store).await;
    let times: Vec<String> = (0..12)
        .map(|i| format!("2026-11-23 {:02}:{:02}:00", 8 + i / 4, (i % 4) * 10))
        .collect();
    let times: Vec<&str> = times.iter().map(String::as_str).collect();
    cancel_at_times(store, "K", VENDOR_A, None, &times).await;
    cancel_at_times(store, "L", VENDOR_A, Some(LOWER_A1), &times[..3]).await;
    let now = at("2026-11-01 00:00:00");
    for (n, key_scope) in [
        (1, scope(VENDOR_A, None)),
        (2, scope(VENDOR_A, Some(LOWER_A1))),
    ] {
        store
            .add_api_key(
                NewApiKey {
                    id: KeyId::from_random([n; 8]),
                    hash: SecretHash([n; 32]),
                    scope: key_scope,
                },
                now,
            )
            .await
            .unwrap();
    }
    let kept = Arc::new(std::sync::Mutex::new(BTreeMap::new()));
    let read_page =
        |key: u8, query: InquiryQuery, after: Option<claims_domain::RowKey>, limit: usize| {
            let kept = Arc::clone(&kept);
            async move {
                let sink = Keeper {
                    kept,
                    held: Default::default(),
                    out: Vec::new(),
                    read: 0,
                };
                let (page, sink) = store
                    .inquiry_page(
                        &SecretHash([key; 32]),
                        &query,
                        after.as_ref(),
                        limit,
                        Box::new(sink),
                    )
                    .await
                    .unwrap();
                let sink: Box<dyn Any + Send> = sink;
                let sink = *sink.downcast::<Keeper>().unwrap();
                assert!(
                    sink.held.is_empty(),
                    "every row set aside is written or dropped"
                );
                assert_eq!(sink.out.len(), page.rows);
                assert_eq!(page.last, sink.out.last().map(|row| row.key()));
                (page, sink.out, sink.read)
            }
        };
    let week = period("20261122", "20261128");
    let a = scope(VENDOR_A, None);
    let expected = rows(store, &a, &week).await;
    assert_eq!(expected.len(), 15);

    // Nothing kept: every row is read; then everything is kept and nothing is read.
    let (page, got, read) = read_page(1, week.clone(), None, 100).await;
    assert_eq!(
        (page.scope, got.as_slice(), read),
        (Some(a.clone()), expected.as_slice(), 15)
    );
    let (_, got, read) = read_page(1, week.clone(), None, 100).await;
    assert_eq!((got.as_slice(), read), (expected.as_slice(), 0));

    // A new claim: only its row is read, in its place.
    cancel_at_times(store, "M", VENDOR_A, None, &["2026-11-23 08:05:00"]).await;
    let expected = rows(store, &a, &week).await;
    let (_, got, read) = read_page(1, week.clone(), None, 100).await;
    assert_eq!((got.as_slice(), read), (expected.as_slice(), 1));

    // Rows no longer kept (pushed out of a bounded cache): the page is whole and in order
    // whether the store reads the missing rows alone or the page again in full.
    let forget = |every: usize| {
        let mut kept = kept.lock().unwrap();
        let ids: Vec<_> = kept.keys().cloned().collect();
        for id in ids.into_iter().step_by(every) {
            kept.remove(&id);
        }
    };
    for every in [8, 2, 1] {
        forget(every);
        let missing = expected.len().div_ceil(every).min(expected.len());
        let (_, got, read) = read_page(1, week.clone(), None, 100).await;
        assert_eq!(got, expected, "every {every}th row forgotten");
        assert!(
            (missing..=expected.len()).contains(&read),
            "{read} rows read for {missing} missing"
        );
    }

    // Pages of five, continued from each page's last row, with some rows kept.
    forget(3);
    let mut collected = Vec::new();
    let mut after = None;
    loop {
        let (page, got, _) = read_page(1, week.clone(), after, 5).await;
        collected.extend(got);
        if page.rows < 5 {
            break;
        }
        after = page.last;
    }
    assert_eq!(collected, expected);

    // A lower-rank key reads its own rows only, kept or not; by original order too.
    let lower = scope(VENDOR_A, Some(LOWER_A1));
    let lower_expected = rows(store, &lower, &week).await;
    assert_eq!(lower_expected.len(), 3);
    for _ in 0..2 {
        let (page, got, _) = read_page(2, week.clone(), None, 100).await;
        assert_eq!(
            (page.scope.as_ref(), got),
            (Some(&lower), lower_expected.clone())
        );
    }
    let by_order = InquiryQuery::new(
        None,
        Some(OriginalOrder {
            ord_no: order_no("K0004"),
            item_seqs: None,
        }),
    )
    .unwrap();
    let (_, got, read) = read_page(1, by_order.clone(), None, 100).await;
    assert_eq!((got, read), (rows(store, &a, &by_order).await, 0));

    // A live key with nothing to see, and an unknown key.
    let (page, got, _) = read_page(1, period("20260101", "20260107"), None, 10).await;
    assert_eq!((page.scope, got.len(), page.last), (Some(a), 0, None));
    let (page, _, _) = read_page(9, week, None, 10).await;
    assert_eq!((page.scope, page.rows), (None, 0));
}

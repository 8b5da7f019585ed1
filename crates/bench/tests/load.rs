//! A dataset loaded through the bulk path reads back exactly as generated, through the
//! store's ordinary reads and the inquiry.

use std::collections::BTreeSet;

use claims_bench::dataset::{Generator, Plan};
use claims_bench::load::{Target, load};
use claims_domain::{InquiryQuery, KstDate, Period, Scope};
use claims_store_postgres::testing::{TestDatabase, server_url};

async fn check(target: Target) {
    // Few vendors and a short period, so a week holds claims of every vendor.
    let plan = Plan {
        vendors: 10,
        days: 30,
        stream_rows: 500,
        ..Plan::new(3_000)
    };
    let report = load(&target, &plan, 700, false).await.unwrap();
    assert_eq!(report.orders, 3_500);
    let store = target.store();
    let expected = Generator::new(plan.clone()).batch(3_500);

    for order in expected.iter().step_by(97) {
        let stored = store
            .order(order.record.order.ord_no())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            stored,
            order.record,
            "order {}",
            order.record.order.ord_no()
        );
    }

    // Every claim line of a busy week, for a few vendors and narrowed keys.
    let end = KstDate::of(plan.end).plus_days(-10);
    let query = InquiryQuery::by_period(Period::new(end.plus_days(-6), end).unwrap());
    let mut seen_any = false;
    for index in [0u32, 3, 7] {
        let mut scopes = vec![Scope {
            vendor: plan.vendor_id(index),
            lower_rank: None,
        }];
        for lower in plan.lower_ranks(index) {
            scopes.push(Scope {
                vendor: plan.vendor_id(index),
                lower_rank: Some(lower),
            });
        }
        for scope in scopes {
            let found: BTreeSet<_> = store
                .canceled_rows(&scope, &query, None, 100_000)
                .await
                .unwrap()
                .into_iter()
                .map(|row| (row.clm_no.to_string(), row.clm_item_seq.get()))
                .collect();
            let wanted: BTreeSet<_> = expected
                .iter()
                .flat_map(|o| &o.record.claims)
                .filter(|claim| query.period().unwrap().contains(claim.canceled_at))
                .flat_map(|claim| claim.lines.iter().map(move |line| (claim, line)))
                .filter(|(_, line)| scope.covers(&line.cost.vendor, line.cost.lower_rank.as_ref()))
                .map(|(claim, line)| (claim.clm_no.to_string(), line.line_seq.get()))
                .collect();
            seen_any |= !wanted.is_empty();
            assert_eq!(found, wanted, "{scope:?}");
        }
    }
    assert!(seen_any, "the week has claims of the vendors looked at");
    let stream = Scope {
        vendor: plan.stream_vendor(),
        lower_rank: None,
    };
    let week = InquiryQuery::by_period(claims_bench::scenarios::last_week(&plan));
    assert_eq!(
        store
            .count_canceled_rows(&stream, &week, 10_000)
            .await
            .unwrap(),
        500
    );
    assert!(
        load(&target, &plan, 700, false).await.is_err(),
        "no loading twice"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_loaded_dataset_reads_back_as_generated_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bench.db");
    check(Target::open(path.to_str().unwrap(), 2).await.unwrap()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_loaded_dataset_reads_back_as_generated_on_postgres() {
    let Some(server) = server_url("the bulk-load test on PostgreSQL") else {
        return;
    };
    let database = TestDatabase::create(&server).await;
    check(Target::open(&database.url, 2).await.unwrap()).await;
}

//! Other nodes' events, heard at once: a node listening on the database is woken when a
//! transaction that appends events commits — not by a write that makes no event — and,
//! when its connection is cut, it listens again.

use std::sync::Arc;
use std::time::Duration;

use claims_store::Store;
use claims_store::conformance::{VENDOR_A, at, order, register_vendors};
use claims_store_postgres::testing::{TestDatabase, server_url};
use claims_store_postgres::{PgOptions, PgStore, listen_for_events};
use tokio::sync::mpsc;

/// Waits for the next wake-up, for at most `within` (a liveness bound, not a speed claim).
async fn woken(rx: &mut mpsc::UnboundedReceiver<()>, within: Duration) -> bool {
    tokio::time::timeout(within, rx.recv()).await.is_ok()
}

#[tokio::test]
async fn a_listening_node_is_woken_by_every_committed_event() {
    let Some(server) = server_url("listening for other nodes' events") else {
        return;
    };
    let database = TestDatabase::create(&server).await;
    let store: Arc<dyn Store> = Arc::new(
        PgStore::open(&database.url, PgOptions::default())
            .await
            .unwrap(),
    );
    register_vendors(&*store).await;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let listening = tokio::spawn(listen_for_events(database.url.clone(), move || {
        let _ = tx.send(());
    }));
    // Once listening, it looks once for what committed while no one listened.
    assert!(woken(&mut rx, Duration::from_secs(20)).await, "it listens");
    // A placed order appends `order.instructed`: heard.
    let placed = order(
        "HEARD-1",
        "2026-11-20 09:00:00",
        &[(1, VENDOR_A, None, 1, 0)],
        &[],
    );
    store
        .place_order(placed.clone(), at("2026-11-20 09:00:01"))
        .await
        .unwrap();
    assert!(
        woken(&mut rx, Duration::from_secs(20)).await,
        "the event is heard"
    );
    // The same order again changes nothing and appends nothing: no wake-up.
    store
        .place_order(placed, at("2026-11-20 09:00:02"))
        .await
        .unwrap();
    assert!(
        !woken(&mut rx, Duration::from_millis(500)).await,
        "no event, no wake-up"
    );
    // The listening connection is cut (a restart, a failover): it listens again, looks once
    // for what it may have missed, and hears the next event.
    let (client, connection) = tokio_postgres::connect(&database.url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    let cut = client
        .query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE application_name = 'ssg-claims events' AND datname = current_database()",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(cut.len(), 1, "one listening connection");
    assert!(
        woken(&mut rx, Duration::from_secs(20)).await,
        "it listens again and looks"
    );
    let placed = order(
        "HEARD-2",
        "2026-11-20 09:00:00",
        &[(1, VENDOR_A, None, 1, 0)],
        &[],
    );
    store
        .place_order(placed, at("2026-11-20 09:00:03"))
        .await
        .unwrap();
    assert!(
        woken(&mut rx, Duration::from_secs(20)).await,
        "and hears the next event"
    );
    listening.abort();
}

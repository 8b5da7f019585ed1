//! Losing the database: the server answers "unavailable" quickly while PostgreSQL cannot be
//! reached, and recovers by itself when it returns. The shared PostgreSQL is never touched:
//! the cut happens in a TCP proxy between the server and the database.

mod support;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use claims_server::{AppState, INQUIRY_PATH, router, serve};
use claims_store::Store;
use claims_store::conformance::{VENDOR_A, at, by_agent, order, register_vendors};
use claims_store_postgres::testing::{TestDatabase, server_url, with_address};
use claims_store_postgres::{PgOptions, PgStore};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Mutex;
use tokio::task::JoinHandle;

/// A TCP proxy that can be cut (every connection dropped, new ones refused) and restored.
struct Proxy {
    address: SocketAddr,
    open: Arc<AtomicBool>,
    links: Arc<Mutex<Vec<JoinHandle<()>>>>,
    accept: JoinHandle<()>,
}

impl Proxy {
    async fn start(upstream: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let open = Arc::new(AtomicBool::new(true));
        let links: Arc<Mutex<Vec<JoinHandle<()>>>> = Arc::default();
        let accept = {
            let open = Arc::clone(&open);
            let links = Arc::clone(&links);
            tokio::spawn(async move {
                while let Ok((mut inbound, _)) = listener.accept().await {
                    if !open.load(Ordering::SeqCst) {
                        drop(inbound); // refused: the client sees the connection close
                        continue;
                    }
                    let link = tokio::spawn(async move {
                        if let Ok(mut outbound) = TcpStream::connect(upstream).await {
                            let _ =
                                tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                        }
                    });
                    links.lock().await.push(link);
                }
            })
        };
        Self {
            address,
            open,
            links,
            accept,
        }
    }

    async fn cut(&self) {
        self.open.store(false, Ordering::SeqCst);
        for link in self.links.lock().await.drain(..) {
            link.abort();
        }
    }

    fn restore(&self) {
        self.open.store(true, Ordering::SeqCst);
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

fn host_port(url: &str) -> SocketAddr {
    let config: tokio_postgres::Config = url.parse().unwrap();
    let host = match &config.get_hosts()[0] {
        tokio_postgres::config::Host::Tcp(host) => host.clone(),
        other => panic!("the test needs a TCP PostgreSQL, not {other:?}"),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let host = if host == "localhost" {
        "127.0.0.1".to_owned()
    } else {
        host
    };
    format!("{host}:{port}").parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_service_answers_503_while_the_database_is_away_and_recovers_alone() {
    let Some(server) = server_url("the database-cut test") else {
        return;
    };
    let database = TestDatabase::create(&server).await;
    let proxy = Proxy::start(host_port(&database.url)).await;
    let through_proxy = with_address(&database.url, &proxy.address.to_string());
    // Migrated first, directly: what the test cuts is a running service's database, and a
    // busy machine may take longer than the short timeouts below to create every table.
    PgStore::open(&database.url, PgOptions::default())
        .await
        .unwrap()
        .close()
        .await;
    let timeout = Duration::from_millis(800);
    let store = PgStore::open(
        &through_proxy,
        PgOptions {
            pool_size: 4,
            timeout,
            connect_timeout: timeout,
            ..PgOptions::default()
        },
    )
    .await
    .unwrap();
    let store: Arc<dyn Store> = Arc::new(store);
    register_vendors(&*store).await;
    store
        .place_order(
            order(
                "CUT-1",
                "2026-11-20 09:50:17",
                &[(1, VENDOR_A, None, 2, 0)],
                &[],
            ),
            at("2026-11-20 09:50:17"),
        )
        .await
        .unwrap();
    store
        .cancel(
            &claims_domain::OrderNo::parse("ordNo", "CUT-1").unwrap(),
            &by_agent(&[(1, 1)], claims_domain::Fault::Customer),
            at("2026-11-22 10:00:00"),
        )
        .await
        .unwrap();
    let (_, key) = claims_server::credentials::issue_api_key(
        &*store,
        claims_domain::Scope {
            vendor: claims_domain::VendorId::parse("v", VENDOR_A).unwrap(),
            lower_rank: None,
        },
        at("2026-11-01 00:00:00"),
    )
    .await
    .unwrap();
    let (_, token) = claims_server::credentials::issue_token(
        &*store,
        claims_store::Role::Admin,
        claims_domain::Text::default(),
        at("2026-11-01 00:00:00"),
    )
    .await
    .unwrap();

    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(serve(
        listener,
        router(AppState::new(Arc::clone(&store), support::http_errors())),
        async move {
            let _ = stopped.await;
        },
    ));
    let client = reqwest::Client::new();
    let inquire = || {
        client
            .post(format!("{base}{INQUIRY_PATH}"))
            .header("authorization", key.expose())
            .header("content-type", "application/json")
            .body(r#"{"request": {"perdStrDts": "20261122", "perdEndDts": "20261128"}}"#)
            .send()
    };
    let show = || {
        client
            .get(format!("{base}/v1/orders/CUT-1"))
            .bearer_auth(token.expose())
            .send()
    };

    let ready = || client.get(format!("{base}/readyz")).send();
    assert_eq!(ready().await.unwrap().status(), 200);

    let before = inquire().await.unwrap();
    assert_eq!(before.status(), 200);
    let expected = before.text().await.unwrap();
    assert!(expected.contains("CUT-1"));

    proxy.cut().await;
    for _ in 0..3 {
        let started = Instant::now();
        let answer = inquire().await.unwrap();
        let waited = started.elapsed();
        assert_eq!(answer.status(), 503);
        let body: serde_json::Value = answer.json().await.unwrap();
        assert_eq!(body["result"]["resultCode"], "90");
        assert!(waited < Duration::from_secs(3), "answered in {waited:?}");
        let started = Instant::now();
        let problem = show().await.unwrap();
        assert_eq!(problem.status(), 503);
        assert_eq!(
            problem.headers()["content-type"],
            "application/problem+json"
        );
        assert_eq!(problem.headers()["retry-after"], "1");
        assert!(started.elapsed() < Duration::from_secs(3));
    }

    // Unready while the database is away, answered within the probe's own deadline; the
    // process itself stays healthy.
    let started = Instant::now();
    let unready = ready().await.unwrap();
    assert_eq!(unready.status(), 503);
    let body: serde_json::Value = unready.json().await.unwrap();
    assert_eq!(body["status"], "unready");
    assert!(started.elapsed() < Duration::from_secs(3));
    let health = client.get(format!("{base}/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);

    proxy.restore();
    // The next requests open new connections by themselves; allow a few for the pool to
    // drop what the cut broke.
    let mut recovered = None;
    for _ in 0..20 {
        let answer = inquire().await.unwrap();
        if answer.status() == 200 {
            recovered = Some(answer.text().await.unwrap());
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        recovered.as_deref(),
        Some(expected.as_str()),
        "the same answer as before the cut"
    );
    assert_eq!(show().await.unwrap().status(), 200);
    assert_eq!(
        ready().await.unwrap().status(),
        200,
        "ready again without a restart"
    );
    let _ = stop.send(());
}

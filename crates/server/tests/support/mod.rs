//! A running server on `127.0.0.1:0` over a fresh SQLite store, with known vendors, keys
//! and claims.

#![allow(dead_code)]

pub mod visitor;

use std::sync::Arc;

use claims_domain::{Fault, Scope, VendorId};
use claims_server::credentials::{issue_api_key, issue_token};
use claims_server::{AppState, Config, Connections, INQUIRY_PATH, router, serve_with};
use claims_store::conformance::{
    LOWER_A1, LOWER_A2, VENDOR_A, VENDOR_B, at, by_agent, order, register_vendors,
};
use claims_store::{Role, Store};
use claims_store_postgres::testing::{TestDatabase, server_url};
use claims_store_postgres::{PgOptions, PgStore};
use claims_store_sqlite::{SqliteOptions, SqliteStore};
use tokio::net::TcpListener;

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub store: Arc<dyn Store>,
    /// The server's clock: the system's, moved on by [`TestClock::advance`].
    pub clock: Arc<TestClock>,
    /// The PostgreSQL database behind the server, when it runs on one.
    pub database_url: Option<String>,
    pub keys: Keys,
    pub tokens: Tokens,
    /// What the server's handlers reach (to run its webhook dispatch beside it).
    pub state: AppState,
    _guard: Box<dyn std::any::Any + Send + Sync>,
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

/// The system's clock, plus however far a test has moved it on.
#[derive(Debug, Default)]
pub struct TestClock {
    ahead_secs: std::sync::atomic::AtomicI64,
}

impl TestClock {
    pub fn advance(&self, seconds: i64) {
        self.ahead_secs
            .fetch_add(seconds, std::sync::atomic::Ordering::SeqCst);
    }
}

impl claims_server::Clock for TestClock {
    fn now(&self) -> claims_domain::KstDateTime {
        claims_server::SystemClock
            .now()
            .plus_seconds(self.ahead_secs.load(std::sync::atomic::Ordering::SeqCst))
    }
}

/// Platform tokens, one per role, in clear.
pub struct Tokens {
    pub admin: String,
    pub storefront: String,
    pub service: String,
}

/// Keys of the seeded vendors, in clear.
pub struct Keys {
    pub a: String,
    pub a1: String,
    pub a2: String,
    pub b: String,
    pub revoked: String,
}

fn vendor(id: &str) -> VendorId {
    VendorId::parse("splVenId", id).unwrap()
}

fn scope(vendor_id: &str, lower: Option<&str>) -> Scope {
    Scope {
        vendor: vendor(vendor_id),
        lower_rank: lower.map(vendor),
    }
}

/// The default settings, but the vendor API answering each error with its own HTTP status
/// (`--errors http`), for tests that check those statuses.
pub fn http_errors() -> Config {
    Config {
        errors: claims_server::ErrorStyle::Http,
        ..Config::default()
    }
}

/// Starts a server with `config` over a store holding:
///
/// - vendor A (`0000012345`) with lower-rank vendors A1 and A2, and vendor B;
/// - order `A-ORDER-1` (items 1: A ×2, 2: A/A1, 3: A/A2) canceled at
///   2026-11-21 23:59:59 (item 1), 2026-11-22 00:00:00 (item 1) and
///   2026-11-28 23:59:59 (items 2 and 3, one claim);
/// - order `A-ORDER-2` (item 1: A) canceled at 2026-11-29 00:00:00;
/// - order `B-ORDER-1` (item 1: B) canceled at 2026-11-25 12:00:00.
pub async fn spawn(config: Config) -> TestApp {
    spawn_on(Backend::Sqlite, config)
        .await
        .expect("SQLite is always there")
}

/// The store behind a test server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Like [`spawn`], with connection limits of its own.
pub async fn spawn_with(config: Config, connections: Connections) -> TestApp {
    start(Backend::Sqlite, config, connections)
        .await
        .expect("SQLite is always there")
}

/// Like [`spawn`], on `backend`; `None` (after saying why) when PostgreSQL is not configured.
pub async fn spawn_on(backend: Backend, config: Config) -> Option<TestApp> {
    start(backend, config, Connections::default()).await
}

async fn start(backend: Backend, config: Config, connections: Connections) -> Option<TestApp> {
    let mut database_url = None;
    let (store, guard): (Arc<dyn Store>, Box<dyn std::any::Any + Send + Sync>) = match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().unwrap();
            let store = SqliteStore::open(dir.path().join("claims.db"), SqliteOptions::default())
                .await
                .unwrap();
            (Arc::new(store), Box::new(dir))
        }
        Backend::Postgres => {
            let server = server_url("this test on PostgreSQL")?;
            let database = TestDatabase::create(&server).await;
            database_url = Some(database.url.clone());
            let store = PgStore::open(&database.url, PgOptions::default())
                .await
                .unwrap();
            (Arc::new(store), Box::new(database))
        }
    };
    seed(&*store).await;
    let now = at("2026-11-01 00:00:00");
    let key = |scope| {
        let store = Arc::clone(&store);
        async move {
            let (_, secret) = issue_api_key(&*store, scope, now).await.unwrap();
            secret.expose().to_owned()
        }
    };
    let keys = Keys {
        a: key(scope(VENDOR_A, None)).await,
        a1: key(scope(VENDOR_A, Some(LOWER_A1))).await,
        a2: key(scope(VENDOR_A, Some(LOWER_A2))).await,
        b: key(scope(VENDOR_B, None)).await,
        revoked: {
            let (info, secret) = issue_api_key(&*store, scope(VENDOR_A, None), now)
                .await
                .unwrap();
            store.revoke_api_key(&info.id, now).await.unwrap();
            secret.expose().to_owned()
        },
    };

    let token = |role| {
        let store = Arc::clone(&store);
        async move {
            let (_, secret) = issue_token(&*store, role, claims_domain::Text::default(), now)
                .await
                .unwrap();
            secret.expose().to_owned()
        }
    };
    let tokens = Tokens {
        admin: token(Role::Admin).await,
        storefront: token(Role::Storefront).await,
        service: token(Role::ServiceCenter).await,
    };

    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let clock = Arc::new(TestClock::default());
    let state = state_of(Arc::clone(&store), config, &clock).await;
    let app = router(state.clone());
    let (shutdown, stop) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        serve_with(listener, app, &connections, async move {
            let _ = stop.await;
        })
        .await
    });
    Some(TestApp {
        base,
        client: reqwest::Client::new(),
        store,
        clock,
        database_url,
        keys,
        tokens,
        state,
        _guard: guard,
        _shutdown: shutdown,
    })
}

/// A node's state: on `clock`, or with `config.sandbox` on the sandbox clock kept in the
/// database (started at the real time, as `serve` starts it).
async fn state_of(store: Arc<dyn Store>, config: Config, clock: &Arc<TestClock>) -> AppState {
    let sandbox = config.sandbox;
    let mut state = AppState::new(Arc::clone(&store), config);
    if sandbox {
        let anchor = claims_server::start_sandbox(&*store).await.unwrap();
        state = state.with_sandbox(claims_server::SandboxClock::new(anchor));
    } else {
        state.clock = clock.clone();
    }
    state
}

async fn seed(store: &dyn Store) {
    register_vendors(store).await;
    let placed = at("2026-11-20 09:50:17");
    store
        .place_order(
            order(
                "A-ORDER-1",
                "2026-11-20 09:50:17",
                &[
                    (1, VENDOR_A, None, 2, 1000),
                    (2, VENDOR_A, Some(LOWER_A1), 1, 0),
                    (3, VENDOR_A, Some(LOWER_A2), 1, 0),
                ],
                &[(VENDOR_A, 3000)],
            ),
            placed,
        )
        .await
        .unwrap();
    store
        .place_order(
            order(
                "A-ORDER-2",
                "2026-11-20 09:50:17",
                &[(1, VENDOR_A, None, 1, 0)],
                &[],
            ),
            placed,
        )
        .await
        .unwrap();
    store
        .place_order(
            order(
                "B-ORDER-1",
                "2026-11-20 09:50:17",
                &[(1, VENDOR_B, None, 1, 0)],
                &[],
            ),
            placed,
        )
        .await
        .unwrap();
    let cancel = |no: &'static str, lines: &'static [(u32, u32)], time: &'static str| async move {
        store
            .cancel(
                &claims_domain::OrderNo::parse("ordNo", no).unwrap(),
                &by_agent(lines, Fault::Customer),
                at(time),
            )
            .await
            .unwrap();
    };
    cancel("A-ORDER-1", &[(1, 1)], "2026-11-21 23:59:59").await;
    cancel("A-ORDER-1", &[(1, 1)], "2026-11-22 00:00:00").await;
    cancel("A-ORDER-1", &[(2, 1), (3, 1)], "2026-11-28 23:59:59").await;
    cancel("A-ORDER-2", &[(1, 1)], "2026-11-29 00:00:00").await;
    cancel("B-ORDER-1", &[(1, 1)], "2026-11-25 12:00:00").await;
}

impl TestApp {
    /// A second server on the same PostgreSQL database, with its own pool, as a
    /// load-balanced deployment runs them; `None` on SQLite.
    pub async fn another_node(&self, config: Config) -> Option<TestApp> {
        let url = self.database_url.clone()?;
        let store: Arc<dyn Store> =
            Arc::new(PgStore::open(&url, PgOptions::default()).await.unwrap());
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let clock = Arc::new(TestClock::default());
        let state = state_of(Arc::clone(&store), config, &clock).await;
        let app = router(state.clone());
        let (shutdown, stop) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            serve_with(listener, app, &Connections::default(), async move {
                let _ = stop.await;
            })
            .await
        });
        Some(TestApp {
            base,
            client: reqwest::Client::new(),
            store,
            clock,
            database_url: Some(url),
            keys: Keys {
                a: self.keys.a.clone(),
                a1: self.keys.a1.clone(),
                a2: self.keys.a2.clone(),
                b: self.keys.b.clone(),
                revoked: self.keys.revoked.clone(),
            },
            tokens: Tokens {
                admin: self.tokens.admin.clone(),
                storefront: self.tokens.storefront.clone(),
                service: self.tokens.service.clone(),
            },
            state,
            _guard: Box::new(()),
            _shutdown: shutdown,
        })
    }

    /// Runs the server's webhook dispatch until the returned guard is dropped.
    pub fn dispatch(&self) -> Dispatching {
        Dispatching(tokio::spawn(claims_server::dispatch(self.state.clone())))
    }
}

/// A running webhook dispatch, stopped (as a killed node stops) when dropped.
pub struct Dispatching(tokio::task::JoinHandle<()>);

impl Dispatching {
    /// Dispatch with `state` (a server's, perhaps with other settings).
    pub fn of(state: AppState) -> Self {
        Dispatching(tokio::spawn(claims_server::dispatch(state)))
    }
}

impl Drop for Dispatching {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// An answer, with its body as text.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub content_type: String,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Answer {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }

    /// A field of the envelope (`resultCode`, `resultDesc`…), read from either format.
    pub fn envelope(&self, name: &str) -> String {
        if self.content_type.starts_with("application/json") {
            self.json()["result"][name]
                .as_str()
                .unwrap_or("")
                .to_owned()
        } else {
            let doc = roxmltree::Document::parse(&self.body).unwrap();
            doc.root_element()
                .children()
                .find(|n| n.has_tag_name(name))
                .and_then(|n| n.text())
                .unwrap_or("")
                .to_owned()
        }
    }

    pub fn code(&self) -> String {
        self.envelope("resultCode")
    }

    pub fn desc(&self) -> String {
        self.envelope("resultDesc")
    }

    /// `(orordNo, orordItemSeq, ordCnclDts)` of each JSON row.
    pub fn json_rows(&self) -> Vec<(String, String, String)> {
        self.json()["result"]["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|row| {
                (
                    row["orordNo"].as_str().unwrap().to_owned(),
                    row["orordItemSeq"].as_str().unwrap().to_owned(),
                    row["ordCnclDts"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    }
}

impl TestApp {
    /// The node's `/metrics`, as Prometheus reads it.
    pub async fn metrics(&self) -> String {
        self.client
            .get(format!("{}/metrics", self.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    pub fn url(&self) -> String {
        format!("{}{INQUIRY_PATH}", self.base)
    }

    /// Posts `body` with the given headers (`None` leaves a header out).
    pub async fn post(&self, headers: &[(&str, &str)], body: impl Into<reqwest::Body>) -> Answer {
        let mut request = self.client.post(self.url()).body(body);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.unwrap();
        Answer {
            status: response.status().as_u16(),
            content_type: response
                .headers()
                .get("content-type")
                .map(|v| v.to_str().unwrap().to_owned())
                .unwrap_or_default(),
            headers: response.headers().clone(),
            body: response.text().await.unwrap(),
        }
    }

    /// A JSON request with `key`.
    pub async fn json(&self, key: &str, body: &str) -> Answer {
        self.post(
            &[
                ("authorization", key),
                ("content-type", "application/json"),
                ("accept", "application/json"),
            ],
            body.to_owned(),
        )
        .await
    }

    /// An XML request with `key`.
    pub async fn xml(&self, key: &str, body: &str) -> Answer {
        self.post(
            &[
                ("authorization", key),
                ("content-type", "application/xml"),
                ("accept", "application/xml"),
            ],
            body.to_owned(),
        )
        .await
    }

    /// A JSON period inquiry.
    pub async fn period(&self, key: &str, start: &str, end: &str) -> Answer {
        self.json(
            key,
            &format!(r#"{{"request": {{"perdStrDts": "{start}", "perdEndDts": "{end}"}}}}"#),
        )
        .await
    }
}

/// An answer of the platform API.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: serde_json::Value,
}

impl Reply {
    /// The last part of a problem's `type`.
    pub fn problem(&self) -> &str {
        assert_eq!(
            self.headers.get("content-type").unwrap(),
            "application/problem+json",
            "{:?}",
            self.body
        );
        self.body["type"]
            .as_str()
            .unwrap()
            .strip_prefix("urn:ssg-claims:problem:")
            .unwrap()
    }
}

impl TestApp {
    /// Calls the platform API with `credential` as a bearer token.
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        credential: &str,
        body: Option<serde_json::Value>,
    ) -> Reply {
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(credential);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap();
        let body = if text.is_empty() {
            serde_json::Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
        };
        Reply {
            status,
            headers,
            body,
        }
    }

    /// Waits (10 s at most) until this node's sandbox clock shows `at` or later: another
    /// node moved it.
    pub async fn wait_for_clock(&self, at: claims_domain::KstDateTime) {
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let read = self.get("/v1/sandbox/clock", &self.keys.a).await;
            let shown = claims_domain::KstDateTime::parse(
                "now",
                read.body["now"].as_str().unwrap_or_default(),
            )
            .unwrap();
            if shown >= at {
                return;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "this node never saw the clock move to {at}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }

    pub async fn post_json(&self, path: &str, credential: &str, body: serde_json::Value) -> Reply {
        self.call(reqwest::Method::POST, path, credential, Some(body))
            .await
    }

    pub async fn get(&self, path: &str, credential: &str) -> Reply {
        self.call(reqwest::Method::GET, path, credential, None)
            .await
    }

    /// One of SSG's shipping or cancel-request calls, in JSON: `(HTTP status, body)`.
    pub async fn ssg(
        &self,
        method: reqwest::Method,
        path: &str,
        key: &str,
        body: Option<serde_json::Value>,
    ) -> (u16, serde_json::Value) {
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.base))
            .header("Authorization", key)
            .header("Accept", "application/json")
            .header("Content-Type", "application/json");
        if let Some(body) = body {
            request = request.body(body.to_string());
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        let value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
        (status, value)
    }
}

/// How a [`Receiver`] answers its `n`th delivery (from 0): a status and a `Retry-After`.
type Answering = Box<dyn Fn(usize) -> (u16, Option<u64>) + Send>;

/// A webhook receiver on `127.0.0.1:0`: keeps every delivery and answers each as
/// [`Receiver::answer`] says.
#[derive(Clone)]
pub struct Receiver {
    pub url: String,
    pub got: Arc<std::sync::Mutex<Vec<Delivery>>>,
    /// The answer to the `n`th delivery (from 0): a status and a `Retry-After`.
    answer: Arc<std::sync::Mutex<Answering>>,
    /// Deliveries in progress now, and the most there ever were at once.
    pub in_flight: Arc<std::sync::atomic::AtomicUsize>,
    pub most_in_flight: Arc<std::sync::atomic::AtomicUsize>,
    /// How long each delivery takes to be answered.
    pub delay: Arc<std::sync::Mutex<std::time::Duration>>,
}

/// A delivery as it arrived.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub headers: axum::http::HeaderMap,
    pub body: bytes::Bytes,
    /// The status it was answered with.
    pub status: u16,
}

impl Delivery {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("a delivery is JSON")
    }

    pub fn id(&self) -> String {
        self.headers["webhook-id"].to_str().unwrap().to_owned()
    }
}

impl Receiver {
    /// A receiver answering 200 to everything.
    pub async fn start() -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let receiver = Receiver {
            url,
            got: Arc::default(),
            answer: Arc::new(std::sync::Mutex::new(Box::new(|_| (200, None)))),
            in_flight: Arc::default(),
            most_in_flight: Arc::default(),
            delay: Arc::default(),
        };
        let state = receiver.clone();
        let app = axum::Router::new().route(
            "/hook",
            axum::routing::post(
                |axum::extract::State(me): axum::extract::State<Receiver>,
                 headers: axum::http::HeaderMap,
                 body: bytes::Bytes| async move {
                    use std::sync::atomic::Ordering;
                    let now = me.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                    me.most_in_flight.fetch_max(now, Ordering::SeqCst);
                    let delay = *me.delay.lock().unwrap();
                    tokio::time::sleep(delay).await;
                    let n = me.got.lock().unwrap().len();
                    let (status, retry_after) = (me.answer.lock().unwrap())(n);
                    me.got.lock().unwrap().push(Delivery {
                        headers,
                        body,
                        status,
                    });
                    me.in_flight.fetch_sub(1, Ordering::SeqCst);
                    let mut response = axum::http::Response::builder().status(status);
                    if let Some(secs) = retry_after {
                        response = response.header("retry-after", secs.to_string());
                    }
                    response.body(axum::body::Body::empty()).unwrap()
                },
            ),
        );
        tokio::spawn(async move {
            axum::serve(listener, app.with_state(state)).await.unwrap();
        });
        receiver
    }

    /// Answers the `n`th delivery (from 0) as `answer` says from now on.
    pub fn answer(&self, answer: impl Fn(usize) -> (u16, Option<u64>) + Send + 'static) {
        *self.answer.lock().unwrap() = Box::new(answer);
    }

    pub fn deliveries(&self) -> Vec<Delivery> {
        self.got.lock().unwrap().clone()
    }

    /// Waits until `done` holds of the deliveries, at most `within`.
    pub async fn wait_for(
        &self,
        within: std::time::Duration,
        done: impl Fn(&[Delivery]) -> bool,
    ) -> Vec<Delivery> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let got = self.deliveries();
            if done(&got) || tokio::time::Instant::now() >= deadline {
                return got;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }
}

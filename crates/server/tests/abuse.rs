//! Abuse and overload: rate limits per credential, load shedding, deadlines, slow and
//! oversized requests. Each is refused in its API's own format and the service keeps
//! serving everyone else.

mod support;

use std::time::{Duration, Instant};

use claims_server::{Config, Connections, ErrorStyle, INQUIRY_PATH, Limits, Rate};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use support::{TestApp, spawn_with};

const PERIOD: &str = r#"{"request": {"perdStrDts": "20261122", "perdEndDts": "20261128"}}"#;

fn limits(change: impl FnOnce(&mut Limits)) -> Config {
    let mut config = support::http_errors();
    change(&mut config.limits);
    config
}

fn header<'a>(answer: &'a support::Answer, name: &str) -> &'a str {
    answer
        .headers
        .get(name)
        .map_or("", |value| value.to_str().unwrap())
}

/// Opens a connection and sends the head of a request whose body never (or only later)
/// comes.
async fn half_request(app: &TestApp, path: &str, headers: &str) -> TcpStream {
    let address = app.base.trim_start_matches("http://");
    let mut stream = TcpStream::connect(address).await.unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {address}\r\n{headers}Content-Type: application/json\r\n\
         Content-Length: 500\r\n\r\n{{\"request\""
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream
}

/// Everything the server sends until it closes the connection (at most 10 s).
async fn read_all(stream: &mut TcpStream) -> String {
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer)).await;
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test]
async fn each_key_has_its_own_bucket_and_overflow_is_code_29_with_retry_after() {
    let app = spawn_with(
        limits(|l| {
            l.per_key = Rate {
                per_second: 1,
                burst: 3,
            }
        }),
        Connections::default(),
    )
    .await;
    for remaining in ["2", "1", "0"] {
        let answer = app.json(&app.keys.a, PERIOD).await;
        assert_eq!(answer.status, 200);
        assert_eq!(header(&answer, "ratelimit-limit"), "3");
        assert_eq!(header(&answer, "ratelimit-remaining"), remaining);
    }
    let limited = app.json(&app.keys.a, PERIOD).await;
    assert_eq!((limited.status, limited.code()), (429, "29".into()));
    assert_eq!(header(&limited, "retry-after"), "1");
    assert_eq!(header(&limited, "ratelimit-remaining"), "0");
    assert!(
        limited.json()["result"].get("data").is_none(),
        "{}",
        limited.body
    );
    // Another vendor's key is not affected.
    let other = app.json(&app.keys.b, PERIOD).await;
    assert_eq!(other.status, 200);

    // The bucket refills: after the advertised wait the key is served again.
    tokio::time::sleep(Duration::from_millis(1_050)).await;
    assert_eq!(app.json(&app.keys.a, PERIOD).await.status, 200);

    let metrics = app.metrics().await;
    assert!(
        metrics.contains(r#"ssg_claims_rate_limited_requests_total{api="vendor"} 1"#),
        "{metrics}"
    );
}

#[tokio::test]
async fn with_ssg_errors_a_rate_limit_is_a_500_that_still_says_29_and_when_to_retry() {
    let mut config = limits(|l| {
        l.per_key = Rate {
            per_second: 1,
            burst: 1,
        }
    });
    config.errors = ErrorStyle::Ssg;
    let app = spawn_with(config, Connections::default()).await;
    assert_eq!(app.json(&app.keys.a, PERIOD).await.status, 200);
    let limited = app.json(&app.keys.a, PERIOD).await;
    assert_eq!((limited.status, limited.code()), (500, "29".into()));
    assert_eq!(header(&limited, "retry-after"), "1");
}

#[tokio::test]
async fn platform_tokens_are_limited_with_a_problem() {
    let app = spawn_with(
        limits(|l| {
            l.per_token = Rate {
                per_second: 1,
                burst: 2,
            }
        }),
        Connections::default(),
    )
    .await;
    let show = || {
        app.client
            .get(format!("{}/v1/orders/A-ORDER-1", app.base))
            .bearer_auth(&app.tokens.service)
            .send()
    };
    for _ in 0..2 {
        assert_eq!(show().await.unwrap().status(), 200);
    }
    let limited = show().await.unwrap();
    assert_eq!(limited.status(), 429);
    assert_eq!(limited.headers()["retry-after"], "1");
    assert_eq!(
        limited.headers()["content-type"],
        "application/problem+json"
    );
    let problem: serde_json::Value = limited.json().await.unwrap();
    assert_eq!(problem["type"], "urn:ssg-claims:problem:rate-limited");
    // Vendor keys used on the platform API have their own buckets.
    let ship = app
        .client
        .post(format!("{}/v1/orders/A-ORDER-1/items/1/shipment", app.base))
        .bearer_auth(&app.keys.a)
        .send()
        .await
        .unwrap();
    assert_ne!(ship.status(), 429);
}

#[tokio::test]
async fn beyond_the_requests_in_flight_limit_requests_are_shed_at_once() {
    let app = spawn_with(limits(|l| l.max_in_flight = 2), Connections::default()).await;
    // Two vendors each hold a request (one credential may hold only its share of the room).
    let mut held = Vec::new();
    for key in [&app.keys.a, &app.keys.b] {
        let auth = format!("Authorization: {key}\r\n");
        held.push(half_request(&app, INQUIRY_PATH, &auth).await);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;

    let started = Instant::now();
    let shed = app.json(&app.keys.a1, PERIOD).await;
    assert_eq!((shed.status, shed.code()), (503, "90".into()));
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "shed at once, not queued"
    );
    let shed = app
        .client
        .get(format!("{}/v1/orders/A-ORDER-1", app.base))
        .bearer_auth(&app.tokens.service)
        .send()
        .await
        .unwrap();
    assert_eq!(shed.status(), 503);
    assert_eq!(shed.headers()["retry-after"], "1");
    // Probes are never shed.
    let health = app
        .client
        .get(format!("{}/healthz", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);

    // Once the held requests go, capacity comes back.
    drop(held);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(app.json(&app.keys.a, PERIOD).await.status, 200);
}

#[tokio::test]
async fn a_request_that_does_not_finish_in_time_is_answered_as_unavailable() {
    let app = spawn_with(
        limits(|l| l.request_timeout = Duration::from_millis(500)),
        Connections::default(),
    )
    .await;
    // The body never completes: the inquiry waits for it until the deadline.
    let auth = format!(
        "Authorization: {}\r\nAccept: application/xml\r\n",
        app.keys.a
    );
    let mut stalled = half_request(&app, INQUIRY_PATH, &auth).await;
    let answer = read_all(&mut stalled).await;
    assert!(
        answer.starts_with("HTTP/1.1 503 Service Unavailable"),
        "{answer}"
    );
    assert!(
        answer.contains("<resultCode>90</resultCode>"),
        "in the format asked for: {answer}"
    );

    let auth = format!("Authorization: Bearer {}\r\n", app.tokens.service);
    let mut stalled = half_request(&app, "/v1/orders/A-ORDER-1/cancellations", &auth).await;
    let answer = read_all(&mut stalled).await;
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(
        answer.contains("urn:ssg-claims:problem:unavailable"),
        "{answer}"
    );
}

#[tokio::test]
async fn slow_and_silent_clients_are_disconnected_and_hold_no_one_up() {
    let app = spawn_with(
        Config::default(),
        Connections {
            max: 40,
            header_read_timeout: Duration::from_secs(1),
            ..Connections::default()
        },
    )
    .await;
    let address = app.base.trim_start_matches("http://").to_owned();
    // Thirty slowloris connections, each dribbling a header a byte at a time, and some
    // that connect and say nothing.
    let mut loris = Vec::new();
    for n in 0..30 {
        let address = address.clone();
        loris.push(tokio::spawn(async move {
            let mut stream = TcpStream::connect(&address).await.unwrap();
            let started = Instant::now();
            let head = format!("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow-{n}: ");
            stream.write_all(head.as_bytes()).await.unwrap();
            while started.elapsed() < Duration::from_secs(10) {
                if stream.write_all(b"a").await.is_err() {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
                let mut probe = [0u8; 1];
                if let Ok(Ok(0)) =
                    tokio::time::timeout(Duration::from_millis(1), stream.read(&mut probe)).await
                {
                    break;
                }
            }
            started.elapsed()
        }));
    }
    let mut silent = Vec::new();
    for _ in 0..5 {
        silent.push(TcpStream::connect(&address).await.unwrap());
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    // Everyone else is served meanwhile.
    for _ in 0..5 {
        assert_eq!(app.json(&app.keys.a, PERIOD).await.status, 200);
    }
    for handle in loris {
        let held = handle.await.unwrap();
        assert!(
            held < Duration::from_secs(9),
            "a slowloris connection was held for {held:?}"
        );
    }
    for mut stream in silent {
        let mut buffer = Vec::new();
        let closed =
            tokio::time::timeout(Duration::from_secs(9), stream.read_to_end(&mut buffer)).await;
        assert!(
            matches!(closed, Ok(Ok(_)) | Ok(Err(_))),
            "a silent connection stays open"
        );
    }
}

#[tokio::test]
async fn too_many_or_too_large_headers_are_refused_with_431() {
    let app = spawn_with(Config::default(), Connections::default()).await;
    let address = app.base.trim_start_matches("http://").to_owned();
    let send = |head: String| {
        let address = address.clone();
        async move {
            let mut stream = TcpStream::connect(&address).await.unwrap();
            stream.write_all(head.as_bytes()).await.unwrap();
            read_all(&mut stream).await
        }
    };
    let many: String = (0..100).map(|n| format!("X-H{n}: v\r\n")).collect();
    let answer = send(format!("GET /healthz HTTP/1.1\r\nHost: x\r\n{many}\r\n")).await;
    assert!(answer.starts_with("HTTP/1.1 431"), "{answer}");
    let large = "v".repeat(20 * 1024);
    let answer = send(format!(
        "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Large: {large}\r\n\r\n"
    ))
    .await;
    assert!(answer.starts_with("HTTP/1.1 431"), "{answer}");
    // Within the limits, fine.
    let answer =
        send("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".to_owned()).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

#[tokio::test]
async fn platform_bodies_over_the_limit_are_refused() {
    let app = spawn_with(
        limits(|l| l.platform_body_bytes = 2048),
        Connections::default(),
    )
    .await;
    let body = serde_json::json!({"items": [{"ordItemSeq": 1, "qty": 1}], "clmRsnCd": "251",
        "agentId": "agent-7", "clmRsnCntt": "x".repeat(4000)});
    let answer = app
        .client
        .post(format!("{}/v1/orders/A-ORDER-1/cancellations", app.base))
        .bearer_auth(&app.tokens.service)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 413);
    let problem: serde_json::Value = answer.json().await.unwrap();
    assert_eq!(problem["type"], "urn:ssg-claims:problem:body-too-large");
    assert!(problem["detail"].as_str().unwrap().contains("2048"));
}

/// Waits until the node counts `nodes` nodes sharing its database.
async fn counted(app: &TestApp, nodes: usize) {
    let wanted = format!("ssg_claims_nodes {nodes}");
    let started = Instant::now();
    loop {
        let metrics = app.metrics().await;
        if metrics.lines().any(|line| line == wanted) {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the node never counted {nodes} nodes"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_keys_budget_holds_across_nodes_not_per_node() {
    let config = || {
        limits(|l| {
            l.per_key = Rate {
                per_second: 1,
                burst: 20,
            }
        })
    };
    let Some(first) = support::spawn_on(support::Backend::Postgres, config()).await else {
        return;
    };
    let second = first.another_node(config()).await.unwrap();
    let beating = [
        tokio::spawn(claims_server::membership::membership(first.state.clone())),
        tokio::spawn(claims_server::membership::membership(second.state.clone())),
    ];
    counted(&first, 2).await;
    counted(&second, 2).await;
    // 60 requests, spread over both nodes as a load balancer spreads them, within a second
    // or two: the key's budget is a burst of 20 (plus about one a second), not 20 per node.
    let mut allowed = 0;
    for n in 0..60 {
        let node = if n % 2 == 0 { &first } else { &second };
        let answer = node.json(&node.keys.a, PERIOD).await;
        match answer.status {
            200 => allowed += 1,
            429 => {}
            other => panic!("unexpected {other}: {}", answer.body),
        }
    }
    eprintln!("two nodes allowed {allowed} of 60 requests of a key with a burst of 20");
    assert!(
        (20..=22).contains(&allowed),
        "allowed {allowed}: the budget must hold across the nodes within 10 %"
    );
    // One node stops: the other takes the whole budget back once it notices.
    beating[1].abort();
    claims_server::membership::leave(&second.state).await;
    counted(&first, 1).await;
    for handle in beating {
        handle.abort();
    }
}

#[tokio::test]
async fn one_credential_holds_at_most_a_quarter_of_the_room_in_flight() {
    let app = spawn_with(limits(|l| l.max_in_flight = 8), Connections::default()).await;
    let auth = format!("Authorization: {}\r\n", app.keys.a);
    let mut held = Vec::new();
    for _ in 0..2 {
        held.push(half_request(&app, INQUIRY_PATH, &auth).await);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    // A third of the same key's is refused as its own excess (429, code 29), at once.
    let refused = app.json(&app.keys.a, PERIOD).await;
    assert_eq!((refused.status, refused.code()), (429, "29".into()));
    // Everyone else still has room.
    assert_eq!(app.json(&app.keys.b, PERIOD).await.code(), "00");
    drop(held);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(app.json(&app.keys.a, PERIOD).await.code(), "00");
}

//! Telling vendors at once: how long an event takes from its write to a webhook receiver,
//! and how fast the change feed reads.
//!
//! Against `ssg-claims serve` run as its own process on a store of its own: a fresh vendor,
//! its key and a storefront token are made with the binary's own commands; a receiver on
//! loopback is registered as the vendor's webhook; orders are placed at a fixed rate through
//! the platform API, and each order's `order.instructed` event is timed from the moment its
//! POST was sent and from the moment its 201 came back (the commit lies between) to its
//! arrival at the receiver. On PostgreSQL a second node shares the database, and a long
//! poll of the vendor's change feed on it times each event from the first node's 201 (the
//! cross-node wake-up: `LISTEN/NOTIFY`, with the periodic look as the fallback). Then the
//! vendor's whole feed is read, page by page, several times over.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde_json::{Value, json};

use crate::measure::Measured;
use crate::server::ServerProcess;

/// What to run.
#[derive(Debug, Clone)]
pub struct EventsSettings {
    /// Orders placed per second while delivery is timed.
    pub rate: f64,
    /// Seconds the paced writes last.
    pub seconds: u64,
    /// Full reads of the feed measured.
    pub reads: usize,
}

/// What was measured.
#[derive(Debug)]
pub struct EventsReport {
    pub store: String,
    /// From the POST's start to the receiver.
    pub from_write: Measured,
    /// From the POST's 201 to the receiver (may be 0: the event can arrive first).
    pub from_answer: Measured,
    /// The POSTs themselves.
    pub writes: Measured,
    /// Events the receiver never got within the wait.
    pub missing: usize,
    /// From the POST's 201 on one node to a long poll of the change feed answering it on
    /// another node sharing the database (`None` on SQLite, which one process serves).
    pub cross_node: Option<Measured>,
    /// Events the other node's long poll never answered within the wait.
    pub cross_node_missing: usize,
    /// Events in the feed when it was read, and how fast.
    pub feed_events: usize,
    pub feed_events_per_second: f64,
    pub feed_pages_per_second: f64,
}

/// Arrivals at the receiver, by order number.
type Arrivals = Arc<Mutex<HashMap<String, Instant>>>;

/// Starts a receiver on loopback that notes when each order's event arrives.
async fn receiver() -> anyhow::Result<(String, Arrivals)> {
    let arrivals: Arrivals = Arc::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/hook", listener.local_addr()?);
    let noted = Arc::clone(&arrivals);
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |body: bytes::Bytes| {
            let noted = Arc::clone(&noted);
            async move {
                let now = Instant::now();
                if let Ok(event) = serde_json::from_slice::<Value>(&body) {
                    if let Some(ord_no) = event["data"][0]["ordNo"].as_str() {
                        noted
                            .lock()
                            .expect("not poisoned")
                            .entry(ord_no.to_owned())
                            .or_insert(now);
                    }
                }
                axum::http::StatusCode::NO_CONTENT
            }
        }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok((url, arrivals))
}

/// Long-polls the vendor's change feed on `base` from its start, noting when each order's
/// event is answered; runs until aborted.
async fn long_poll(client: reqwest::Client, base: String, key: String, polled: Arrivals) {
    let mut after: Option<String> = None;
    loop {
        let mut request = client
            .get(format!("{base}/v1/events"))
            .bearer_auth(&key)
            .query(&[("limit", "1000"), ("wait", "25")]);
        if let Some(cursor) = &after {
            request = request.query(&[("after", cursor)]);
        }
        let Ok(answer) = request.send().await else {
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        };
        let now = Instant::now();
        let Ok(page) = answer.json::<Value>().await else {
            continue;
        };
        for event in page["events"].as_array().into_iter().flatten() {
            if let Some(ord_no) = event["data"][0]["ordNo"].as_str() {
                polled
                    .lock()
                    .expect("not poisoned")
                    .entry(ord_no.to_owned())
                    .or_insert(now);
            }
        }
        if let Some(cursor) = page["nextCursor"].as_str() {
            after = Some(cursor.to_owned());
        }
    }
}

/// Runs a command of the binary against `database`, returning its standard output.
fn command(binary: &Path, database: &str, args: &[&str]) -> anyhow::Result<String> {
    let output = std::process::Command::new(binary)
        .args(args)
        .args(["--database", database])
        .output()
        .with_context(|| format!("cannot run {}", binary.display()))?;
    if !output.status.success() {
        bail!(
            "ssg-claims {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(String::from_utf8(output.stdout)?.trim().to_owned())
}

fn order(ord_no: &str, vendor: &str) -> Value {
    json!({"ordNo": ord_no, "ordpeNm": "홍길동", "customerId": "c-1001", "ordRcpMediaCd": "30",
           "ordRcpDts": "2026-11-20 09:50:17",
           "items": [{"ordItemSeq": 1, "itemId": "1000028463390", "itemNm": "유기농 우유 1L",
                      "qty": 2, "unitPrice": 4500, "splVenId": vendor}]})
}

pub async fn run(
    binary: &Path,
    database: &str,
    settings: &EventsSettings,
) -> anyhow::Result<EventsReport> {
    // A vendor of this run's own, so that any store can be used again.
    let vendor = format!("9{:09}", rand::random::<u32>() % 1_000_000_000);
    command(
        binary,
        database,
        &["vendor", "add", "--id", &vendor, "--name", "벤치 이벤트"],
    )?;
    let key = command(binary, database, &["key", "issue", "--vendor", &vendor])?;
    let token = command(
        binary,
        database,
        &["token", "create", "--role", "storefront"],
    )?;
    // The receiver is on loopback; every node that may deliver to it must be let to.
    let loopback = [("SSG_CLAIMS_WEBHOOKS_ALLOW_INSECURE_TARGETS", "true")];
    let server = ServerProcess::start_with(binary, database, 16, &loopback)?;
    let base = format!("http://{}", server.address);
    let client = reqwest::Client::new();
    let (url, arrivals) = receiver().await?;
    // On PostgreSQL, a second node whose change feed is long-polled while the first takes
    // the writes: how soon one node's write wakes the other.
    let postgres = database.starts_with("postgres");
    let other = if postgres {
        Some(ServerProcess::start_with(binary, database, 8, &loopback)?)
    } else {
        None
    };
    let polled: Arrivals = Arc::default();
    let polling = other.as_ref().map(|other| {
        tokio::spawn(long_poll(
            client.clone(),
            format!("http://{}", other.address),
            key.clone(),
            Arc::clone(&polled),
        ))
    });
    let registered = client
        .post(format!("{base}/v1/webhooks"))
        .bearer_auth(&key)
        .json(&json!({ "url": url, "types": ["order.instructed"] }))
        .send()
        .await?;
    if registered.status() != 201 {
        bail!(
            "the webhook was not registered: {}",
            registered.text().await?
        );
    }

    // Paced writes, each timed from its scheduled start.
    let total = (settings.rate * settings.seconds as f64).round() as usize;
    let interval = Duration::from_secs_f64(1.0 / settings.rate);
    let started = tokio::time::Instant::now();
    let mut tasks = Vec::with_capacity(total);
    let run_id = rand::random::<u32>();
    for n in 0..total {
        tokio::time::sleep_until(started + interval * n as u32).await;
        let client = client.clone();
        let base = base.clone();
        let token = token.clone();
        let ord_no = format!("EV{run_id:08X}{n:06}");
        let body = order(&ord_no, &vendor);
        tasks.push(tokio::spawn(async move {
            let sent = Instant::now();
            let answer = client
                .post(format!("{base}/v1/orders"))
                .bearer_auth(token)
                .json(&body)
                .send()
                .await;
            let answered = Instant::now();
            let status = answer.map(|a| a.status().as_u16()).unwrap_or(0);
            (ord_no, sent, answered, status)
        }));
    }
    let mut writes = Measured::new();
    let mut placed = Vec::with_capacity(total);
    for task in tasks {
        let (ord_no, sent, answered, status) = task.await?;
        writes.record(answered - sent, status);
        if status == 201 {
            placed.push((ord_no, sent, answered));
        }
    }
    writes.elapsed = started.elapsed();

    // Wait (bounded) for the last deliveries.
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        let arrived = arrivals.lock().expect("not poisoned").len();
        if arrived >= placed.len() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let arrivals = arrivals.lock().expect("not poisoned").clone();
    if polling.is_some() {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline && polled.lock().expect("not poisoned").len() < placed.len()
        {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    if let Some(polling) = polling {
        polling.abort();
    }
    drop(other);
    let polled = polled.lock().expect("not poisoned").clone();
    let mut cross_node = Measured::new();
    let mut cross_node_missing = 0;
    for (ord_no, _, answered) in &placed {
        match polled.get(ord_no) {
            Some(arrived) => cross_node.record(arrived.saturating_duration_since(*answered), 200),
            None => cross_node_missing += 1,
        }
    }
    let mut from_write = Measured::new();
    let mut from_answer = Measured::new();
    let mut missing = 0;
    for (ord_no, sent, answered) in &placed {
        match arrivals.get(ord_no) {
            Some(arrived) => {
                from_write.record(arrived.saturating_duration_since(*sent), 200);
                from_answer.record(arrived.saturating_duration_since(*answered), 200);
            }
            None => missing += 1,
        }
    }

    // The feed, read whole from its start, `reads` times.
    let mut feed_events = 0;
    let mut pages = 0;
    let reading = Instant::now();
    for _ in 0..settings.reads {
        let mut after: Option<String> = None;
        feed_events = 0;
        loop {
            let mut request = client
                .get(format!("{base}/v1/events"))
                .bearer_auth(&key)
                .query(&[("limit", "1000")]);
            if let Some(cursor) = &after {
                request = request.query(&[("after", cursor)]);
            }
            let page: Value = request.send().await?.error_for_status()?.json().await?;
            pages += 1;
            feed_events += page["events"].as_array().map_or(0, Vec::len);
            after = page["nextCursor"].as_str().map(str::to_owned);
            if page["hasMore"] != true {
                break;
            }
        }
    }
    let read_secs = reading.elapsed().as_secs_f64().max(1e-9);
    drop(server);
    Ok(EventsReport {
        store: if database.starts_with("postgres") {
            "PostgreSQL".into()
        } else {
            "SQLite".into()
        },
        from_write,
        from_answer,
        writes,
        missing,
        cross_node: postgres.then_some(cross_node),
        cross_node_missing,
        feed_events,
        feed_events_per_second: (feed_events * settings.reads) as f64 / read_secs,
        feed_pages_per_second: pages as f64 / read_secs,
    })
}

/// The reports as a Markdown table.
pub fn render(reports: &[EventsReport], settings: &EventsSettings) -> String {
    let mut out = format!(
        "webhook delivery at {} orders/s for {} s; feed read {} times\n\n\
         | store | delivered | write start → receiver p50 / p99 | 201 → receiver p50 / p99 | 201 on node A → long poll on node B p50 / p99 | write p50 / p99 | feed read |\n\
         |---|---|---|---|---|---|---|\n",
        settings.rate, settings.seconds, settings.reads
    );
    for report in reports {
        out.push_str(&format!(
            "| {} | {} of {} | {:.1} / {:.1} ms | {:.1} / {:.1} ms | {} | {:.1} / {:.1} ms | {:.0} events/s ({} events, {:.1} pages/s) |\n",
            report.store,
            report.from_write.requests(),
            report.from_write.requests() as usize + report.missing,
            report.from_write.millis(0.5),
            report.from_write.millis(0.99),
            report.from_answer.millis(0.5),
            report.from_answer.millis(0.99),
            match &report.cross_node {
                Some(measured) => format!(
                    "{:.1} / {:.1} ms ({} missed)",
                    measured.millis(0.5),
                    measured.millis(0.99),
                    report.cross_node_missing
                ),
                None => "— (one process)".to_owned(),
            },
            report.writes.millis(0.5),
            report.writes.millis(0.99),
            report.feed_events_per_second,
            report.feed_events,
            report.feed_pages_per_second,
        ));
    }
    out
}

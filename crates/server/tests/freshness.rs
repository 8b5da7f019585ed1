//! Freshness is part of correctness: with inquiry answers kept for reuse, no answer may
//! miss a claim that was acknowledged before its request began. Writers cancel one unit at
//! a time while pollers ask for the same week over and over; each poll checks that every
//! claim acknowledged before it was sent is in its answer. On SQLite, on PostgreSQL, and
//! across two nodes sharing one PostgreSQL database (a claim made through one node, polls
//! answered by both). The kept answers must also have been used, or the test proves
//! nothing. With rows kept and answers not, every answer must be the stored rows' encoding,
//! byte for byte, as claims arrive.

mod support;

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use claims_domain::KstDate;
use claims_server::Config;
use claims_server::Rate;
use serde_json::json;
use support::{Backend, TestApp, spawn_on};

/// Claims each run makes.
const CLAIMS: usize = 60;
/// Pollers asking at once.
const POLLERS: usize = 4;

fn unlimited() -> Config {
    let mut config = Config::default();
    config.limits.per_key = Rate {
        per_second: 0,
        burst: 1,
    };
    config.limits.per_token = Rate {
        per_second: 0,
        burst: 1,
    };
    config
}

/// The claim numbers of a JSON answer's rows.
fn claim_numbers(answer: &support::Answer) -> HashSet<String> {
    answer.json()["result"]["data"]
        .as_array()
        .map(|rows| {
            rows.iter()
                .map(|row| row["ordNo"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// The value of counter `metric` with label `result` on `app` (0 when not counted yet).
async fn counted(app: &TestApp, metric: &str, result: &str) -> u64 {
    let text = app.metrics().await;
    let name = format!("{metric}{{result=\"{result}\"}}");
    text.lines()
        .find(|line| line.starts_with(&name))
        .and_then(|line| line.rsplit(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

async fn cache_hits(app: &TestApp) -> u64 {
    counted(app, "ssg_claims_inquiry_cache_total", "hit").await
}

/// Places order `ord_no`: one item of vendor 0000012345, `qty` units.
async fn place(app: &TestApp, ord_no: &str, item_nm: &str, qty: u32) {
    let placed = app
        .post_json(
            "/v1/orders",
            &app.tokens.storefront,
            json!({"ordNo": ord_no, "ordpeNm": "홍길동", "customerId": "c-1001",
                   "ordRcpMediaCd": "10", "ordRcpDts": "2026-11-20 09:50:17",
                   "shippingFees": [{"splVenId": "0000012345", "amount": 3000}],
                   "items": [{"ordItemSeq": 1, "itemId": "1000028463390", "itemNm": item_nm,
                              "qty": qty, "unitPrice": 4500, "splVenId": "0000012345",
                              "splVenBdnDcAmt": 0}]}),
        )
        .await;
    assert_eq!(placed.status, 201, "{:?}", placed.body);
}

async fn no_poll_misses_an_acknowledged_claim(writer: &TestApp, pollers: &[&TestApp]) {
    place(writer, "FRESH-1", "유기농 우유 1L", CLAIMS as u32).await;
    let today = KstDate::of(writer.state.clock.now()).compact();

    // Claim numbers acknowledged so far (a 201 received), in order.
    let acknowledged: Arc<Mutex<Vec<String>>> = Arc::default();
    let writing = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let polls = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for n in 0..POLLERS {
        let app = pollers[n % pollers.len()];
        let (base, client, key) = (app.base.clone(), app.client.clone(), app.keys.a.clone());
        let (acknowledged, writing, polls, today) = (
            acknowledged.clone(),
            writing.clone(),
            polls.clone(),
            today.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let started = Instant::now();
            while writing.load(std::sync::atomic::Ordering::SeqCst)
                && started.elapsed() < Duration::from_secs(60)
            {
                // Everything acknowledged before the request is sent must be in its answer.
                let known: Vec<String> = acknowledged.lock().unwrap().clone();
                let response = client
                    .post(format!("{base}{}", claims_server::INQUIRY_PATH))
                    .header("Authorization", &key)
                    .header("Content-Type", "application/json")
                    .header("Accept", "application/json")
                    .body(format!(
                        r#"{{"request": {{"perdStrDts": "{today}", "perdEndDts": "{today}"}}}}"#
                    ))
                    .send()
                    .await
                    .unwrap();
                let answer = support::Answer {
                    status: response.status().as_u16(),
                    content_type: "application/json".to_owned(),
                    headers: response.headers().clone(),
                    body: response.text().await.unwrap(),
                };
                assert_eq!(answer.code(), "00", "{}", answer.body);
                let seen = claim_numbers(&answer);
                for claim in &known {
                    assert!(
                        seen.contains(claim),
                        "claim {claim} was acknowledged before the poll began, but the answer lacks it"
                    );
                }
                polls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            }
        }));
    }
    for _ in 0..CLAIMS {
        let claim = writer
            .post_json(
                "/v1/orders/FRESH-1/cancellations",
                &writer.tokens.service,
                json!({"items": [{"ordItemSeq": 1, "qty": 1}], "clmRsnCd": "251", "agentId": "agent-7"}),
            )
            .await;
        assert_eq!(claim.status, 201, "{:?}", claim.body);
        acknowledged
            .lock()
            .unwrap()
            .push(claim.body["ordNo"].as_str().unwrap().to_owned());
        // Let the pollers ask a few times between claims, so kept answers get reused.
        tokio::time::sleep(Duration::from_millis(15)).await;
    }
    writing.store(false, std::sync::atomic::Ordering::SeqCst);
    for task in tasks {
        task.await.unwrap();
    }
    let mut hits = 0;
    for app in pollers {
        hits += cache_hits(app).await;
    }
    let polls = polls.load(std::sync::atomic::Ordering::SeqCst);
    eprintln!("{CLAIMS} claims, {polls} polls, {hits} answered from kept answers");
    assert!(polls > CLAIMS, "the pollers asked often enough");
    assert!(hits > 0, "kept answers were used");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn no_poll_misses_an_acknowledged_claim_on_sqlite() {
    let app = spawn_on(Backend::Sqlite, unlimited()).await.unwrap();
    no_poll_misses_an_acknowledged_claim(&app, &[&app]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn no_poll_misses_an_acknowledged_claim_on_postgres() {
    let Some(app) = spawn_on(Backend::Postgres, unlimited()).await else {
        return;
    };
    no_poll_misses_an_acknowledged_claim(&app, &[&app]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn no_poll_on_either_node_misses_a_claim_made_through_the_other() {
    let Some(first) = spawn_on(Backend::Postgres, unlimited()).await else {
        return;
    };
    let second = first.another_node(unlimited()).await.unwrap();
    no_poll_misses_an_acknowledged_claim(&first, &[&second, &first]).await;
}

/// Answers read afresh with their rows kept: every answer must be, byte for byte, what
/// encoding the store's rows gives, in both formats, as claims keep arriving (each poll
/// after a claim writes the kept rows and reads only the new one); and the kept rows must
/// have been used.
async fn answers_written_from_kept_rows_are_the_stored_rows(app: &TestApp) {
    place(app, "ROWS-1", "M&M's <대용량>", 12).await;
    let today = KstDate::of(app.state.clock.now());
    let query =
        claims_domain::InquiryQuery::by_period(claims_domain::Period::new(today, today).unwrap());
    let scope = claims_domain::Scope {
        vendor: claims_domain::VendorId::parse("splVenId", "0000012345").unwrap(),
        lower_rank: None,
    };
    for _ in 0..4 {
        for _ in 0..2 {
            let claim = app
                .post_json(
                    "/v1/orders/ROWS-1/cancellations",
                    &app.tokens.service,
                    json!({"items": [{"ordItemSeq": 1, "qty": 1}], "clmRsnCd": "251", "agentId": "agent-7"}),
                )
                .await;
            assert_eq!(claim.status, 201, "{:?}", claim.body);
        }
        let rows = app
            .store
            .canceled_rows(&scope, &query, None, 10_000)
            .await
            .unwrap();
        for (format, accept) in [
            (claims_wire::Format::Json, "application/json"),
            (claims_wire::Format::Xml, "application/xml"),
        ] {
            let expected = claims_wire::encode_success(format, claims_wire::language(None), &rows);
            for _ in 0..2 {
                let body = app
                    .client
                    .post(format!("{}{}", app.base, claims_server::INQUIRY_PATH))
                    .header("Authorization", &app.keys.a)
                    .header("Content-Type", "application/json")
                    .header("Accept", accept)
                    .body(format!(
                        r#"{{"request": {{"perdStrDts": "{0}", "perdEndDts": "{0}"}}}}"#,
                        today.compact()
                    ))
                    .send()
                    .await
                    .unwrap()
                    .bytes()
                    .await
                    .unwrap();
                assert_eq!(
                    String::from_utf8_lossy(&body),
                    String::from_utf8_lossy(&expected),
                    "{accept}"
                );
            }
        }
    }
    // 8 claims, each row encoded once per format (16 misses at most, more only if the
    // page was read in full when most of it was new); the rest written from kept rows.
    let rows = "ssg_claims_inquiry_row_cache_total";
    let (hits, misses) = (
        counted(app, rows, "hit").await,
        counted(app, rows, "miss").await,
    );
    eprintln!("rows written from kept rows: {hits}, read and encoded: {misses}");
    assert!(hits >= 60, "{hits} rows written from kept rows");
    assert!(misses <= 24, "{misses} rows read and encoded");
}

fn rows_kept_answers_not() -> Config {
    let mut config = unlimited();
    config.inquiry_cache_bytes = 0;
    config
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_written_from_kept_rows_are_the_stored_rows_on_sqlite() {
    let app = spawn_on(Backend::Sqlite, rows_kept_answers_not())
        .await
        .unwrap();
    answers_written_from_kept_rows_are_the_stored_rows(&app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_written_from_kept_rows_are_the_stored_rows_on_postgres() {
    let Some(app) = spawn_on(Backend::Postgres, rows_kept_answers_not()).await else {
        return;
    };
    answers_written_from_kept_rows_are_the_stored_rows(&app).await;
}

//! `ssg-claims cancels`, run as a vendor runs it, against a server on `127.0.0.1:0` holding
//! claims spread over 60 days — with rows at 00:00:00 and 23:59:59 KST on every day, so on
//! every window's edges — and a layer in front of it that fails requests on demand.

use std::process::{Command, Output};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use claims_domain::{
    CancelCommand, Fault, InquiryQuery, KstDate, OrderNo, Period, Scope, VendorId,
};
use claims_server::credentials::issue_api_key;
use claims_server::{AppState, Config, router, serve};
use claims_store::Store;
use claims_store::conformance::{
    LOWER_A1, VENDOR_A, VENDOR_B, at, by_agent, by_customer, order, register_vendors,
};
use claims_store_sqlite::{SqliteOptions, SqliteStore};
use claims_wire::{Failure, Format, Lang, WireRow, decode_answer, encode_failure, encode_success};

/// The 60 days the claims are spread over.
const FIRST_DAY: &str = "20260901";
const LAST_DAY: &str = "20261030";

fn day(compact: &str) -> KstDate {
    KstDate::parse_compact(compact).unwrap()
}

fn vendor(id: &str) -> Scope {
    Scope {
        vendor: VendorId::parse("splVenId", id).unwrap(),
        lower_rank: None,
    }
}

/// What the layer in front of the server does to requests.
#[derive(Default)]
struct Faults {
    /// Requests left to fail, in turn with 503 (code 90), 429 (code 29, `Retry-After: 1`)
    /// and a gateway's bare 502.
    flaky: AtomicU32,
    /// A window (by its `perdStrDts`) that always fails with 503.
    broken: Mutex<Option<String>>,
    /// Every request: its `perdStrDts` (empty for an order search), the status answered
    /// and when.
    log: Mutex<Vec<(String, u16, Instant)>>,
}

impl Faults {
    fn log(&self) -> Vec<(String, u16, Instant)> {
        self.log.lock().unwrap().clone()
    }

    fn clear(&self) {
        self.log.lock().unwrap().clear();
    }
}

/// The `perdStrDts` of a JSON or XML request body: the first 8 digits after the name.
fn window_start(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let Some(at) = text.find("perdStrDts") else {
        return String::new();
    };
    text[at..]
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take(8)
        .collect()
}

async fn inject(State(faults): State<Arc<Faults>>, request: Request, next: Next) -> Response {
    let format = match request.headers().get("accept") {
        Some(accept) if accept.as_bytes().windows(3).any(|w| w == b"xml") => Format::Xml,
        _ => Format::Json,
    };
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, 1 << 16).await.unwrap();
    let start = window_start(&body);
    let broken = faults.broken.lock().unwrap().as_deref() == Some(start.as_str());
    let flaky = faults
        .flaky
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |left| {
            left.checked_sub(1)
        })
        .ok();
    let response = match (broken, flaky) {
        (true, _) | (false, Some(0 | 3 | 6 | 9)) => (
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            encode_failure(format, Lang::Ko, &Failure::Unavailable),
        )
            .into_response(),
        (false, Some(1 | 4 | 7 | 10)) => (
            axum::http::StatusCode::TOO_MANY_REQUESTS,
            [("retry-after", "1")],
            encode_failure(
                format,
                Lang::Ko,
                &Failure::RateLimited {
                    retry_after_secs: 1,
                },
            ),
        )
            .into_response(),
        (false, Some(_)) => (axum::http::StatusCode::BAD_GATEWAY, "Bad Gateway").into_response(),
        (false, None) => next.run(Request::from_parts(parts, Body::from(body))).await,
    };
    faults
        .log
        .lock()
        .unwrap()
        .push((start, response.status().as_u16(), Instant::now()));
    response
}

/// A server with its store, keys and fault layer, on a runtime of its own so that the
/// tests can run the binary synchronously.
struct Site {
    base: String,
    key_a: String,
    key_b: String,
    store: Arc<dyn Store>,
    faults: Arc<Faults>,
    runtime: tokio::runtime::Runtime,
    _dir: tempfile::TempDir,
}

impl Site {
    fn start() -> Site {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let faults = Arc::new(Faults::default());
        let (base, key_a, key_b, store) = runtime.block_on(async {
            let store: Arc<dyn Store> = Arc::new(
                SqliteStore::open(dir.path().join("claims.db"), SqliteOptions::default())
                    .await
                    .unwrap(),
            );
            seed(&*store).await;
            let now = at("2026-08-01 00:00:00");
            let (_, a) = issue_api_key(&*store, vendor(VENDOR_A), now).await.unwrap();
            let (_, b) = issue_api_key(&*store, vendor(VENDOR_B), now).await.unwrap();
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let base = format!("http://{}", listener.local_addr().unwrap());
            let app = router(AppState::new(Arc::clone(&store), Config::default())).layer(
                axum::middleware::from_fn_with_state(Arc::clone(&faults), inject),
            );
            tokio::spawn(serve(listener, app, std::future::pending()));
            (base, a.expose().to_owned(), b.expose().to_owned(), store)
        });
        Site {
            base,
            key_a,
            key_b,
            store,
            faults,
            runtime,
            _dir: dir,
        }
    }

    /// Runs `ssg-claims cancels ARGS` with vendor A's key in the environment.
    fn cancels(&self, args: &[&str]) -> Output {
        self.cancels_with_key(&self.key_a, args)
    }

    fn cancels_with_key(&self, key: &str, args: &[&str]) -> Output {
        let output = Command::new(env!("CARGO_BIN_EXE_ssg-claims"))
            .arg("cancels")
            .args(args)
            .env("SSG_CLAIMS_BASE_URL", &self.base)
            .env("SSG_CLAIMS_KEY", key)
            .env("SSG_CLAIMS_LOG", "info")
            .output()
            .expect("the binary runs");
        for stream in [&output.stdout, &output.stderr] {
            assert!(
                !String::from_utf8_lossy(stream).contains(key),
                "the key was printed"
            );
        }
        output
    }

    /// Cancels items of `ord_no` at `time`, as the customer.
    fn cancel(&self, ord_no: &str, lines: &[(u32, u32)], time: &str) {
        self.runtime.block_on(async {
            self.store
                .cancel(
                    &OrderNo::parse("ordNo", ord_no).unwrap(),
                    &by_customer("c-1001", lines),
                    at(time),
                )
                .await
                .unwrap();
        });
    }

    /// Places a one-item order of vendor A.
    fn place(&self, ord_no: &str) {
        self.runtime.block_on(async {
            let placed = at("2026-08-30 08:00:00");
            self.store
                .place_order(
                    order(
                        ord_no,
                        "2026-08-30 08:00:00",
                        &[(1, VENDOR_A, None, 1, 0)],
                        &[],
                    ),
                    placed,
                )
                .await
                .unwrap();
        });
    }

    /// Vendor A's rows of `first..=last`, read from the store a day at a time — not in the
    /// client's windows, and not over HTTP — and put in their wire form.
    fn truth(&self, first: &str, last: &str) -> Vec<WireRow> {
        let scope = vendor(VENDOR_A);
        let rows = self.runtime.block_on(async {
            let mut rows = Vec::new();
            let mut today = day(first);
            while today <= day(last) {
                let query = InquiryQuery::by_period(Period::new(today, today).unwrap());
                rows.extend(
                    self.store
                        .canceled_rows(&scope, &query, None, 100_000)
                        .await
                        .unwrap(),
                );
                today = today.plus_days(1);
            }
            rows
        });
        decode_answer(Format::Json, &encode_success(Format::Json, Lang::Ko, &rows))
            .unwrap()
            .rows
    }
}

/// Orders `S-00`…`S-59` of vendors A (with lower-rank A1) and B, one per day, each canceled
/// on its day at 00:00:00 (part of item 1), at 23:59:59 (the rest of item 1 with item 2, one
/// claim by an agent) and at noon (vendor B's item 3); every third day item 4 also at
/// 23:59:59. And rows just outside the 60 days: 2026-08-31 23:59:59 and 2026-10-31 00:00:00.
async fn seed(store: &dyn Store) {
    register_vendors(store).await;
    let placed = at("2026-08-30 08:00:00");
    let cancel = |no: String, command: CancelCommand, time: String| async move {
        store
            .cancel(&OrderNo::parse("ordNo", &no).unwrap(), &command, at(&time))
            .await
            .unwrap();
    };
    for n in 0..60 {
        let no = format!("S-{n:02}");
        store
            .place_order(
                order(
                    &no,
                    "2026-08-30 08:00:00",
                    &[
                        (1, VENDOR_A, None, 3, 900),
                        (2, VENDOR_A, Some(LOWER_A1), 1, 0),
                        (3, VENDOR_B, None, 1, 0),
                        (4, VENDOR_A, None, 2, 0),
                    ],
                    &[(VENDOR_A, 3000)],
                ),
                placed,
            )
            .await
            .unwrap();
        let date = day(FIRST_DAY).plus_days(n);
        let time = |clock: &str| {
            let compact = date.compact();
            format!(
                "{}-{}-{} {clock}",
                &compact[..4],
                &compact[4..6],
                &compact[6..]
            )
        };
        cancel(
            no.clone(),
            by_customer("c-1001", &[(1, 1)]),
            time("00:00:00"),
        )
        .await;
        cancel(
            no.clone(),
            by_customer("c-1001", &[(3, 1)]),
            time("12:00:00"),
        )
        .await;
        cancel(
            no.clone(),
            by_agent(&[(1, 2), (2, 1)], Fault::Vendor),
            time("23:59:59"),
        )
        .await;
        if n % 3 == 0 {
            cancel(
                no.clone(),
                by_customer("c-1001", &[(4, 2)]),
                time("23:59:59"),
            )
            .await;
        }
    }
    for (no, time) in [
        ("EDGE-BEFORE", "2026-08-31 23:59:59"),
        ("EDGE-AFTER", "2026-10-31 00:00:00"),
    ] {
        store
            .place_order(
                order(no, "2026-08-30 08:00:00", &[(1, VENDOR_A, None, 1, 0)], &[]),
                placed,
            )
            .await
            .unwrap();
        cancel(no.into(), by_customer("c-1001", &[(1, 1)]), time.into()).await;
    }
}

fn succeeded(output: &Output) -> String {
    assert!(
        output.status.success(),
        "cancels failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn jsonl(text: &str) -> Vec<WireRow> {
    text.lines()
        .map(|line| serde_json::from_str(line).expect("one row per line"))
        .collect()
}

fn keys(rows: &[WireRow]) -> Vec<(String, String)> {
    rows.iter().map(WireRow::key).collect()
}

#[test]
fn a_sixty_day_range_is_read_whole_and_once_in_both_formats() {
    let site = Site::start();
    let truth = site.truth(FIRST_DAY, LAST_DAY);
    assert_eq!(truth.len(), 60 * 3 + 20, "the seeded rows of vendor A");
    let edges = |clock: &str| {
        truth
            .iter()
            .filter(|row| row.ord_cncl_dts.ends_with(clock))
            .count()
    };
    assert_eq!((edges("00:00:00"), edges("23:59:59")), (60, 140));

    for accept in ["json", "xml"] {
        site.faults.clear();
        let rows = jsonl(&succeeded(&site.cancels(&[
            "--from",
            "2026-09-01",
            "--to",
            LAST_DAY,
            "--accept",
            accept,
            "--format",
            "jsonl",
        ])));
        assert_eq!(rows, truth, "asking for {accept}");
        // 60 days are 9 windows, each asked once, none overlapping.
        let mut starts: Vec<String> = site.faults.log().into_iter().map(|(s, ..)| s).collect();
        starts.sort();
        let expected: Vec<String> = (0..9)
            .map(|week| day(FIRST_DAY).plus_days(7 * week).compact())
            .collect();
        assert_eq!(starts, expected);
    }

    // The same rows as one XML answer, and as CSV with one line per cost line.
    let xml = succeeded(&site.cancels(&["--from", FIRST_DAY, "--to", LAST_DAY, "--format", "xml"]));
    assert_eq!(
        decode_answer(Format::Xml, xml.trim_end().as_bytes())
            .unwrap()
            .rows,
        truth
    );
    let csv = succeeded(&site.cancels(&["--from", FIRST_DAY, "--to", LAST_DAY, "--format", "csv"]));
    assert!(
        csv.starts_with('\u{FEFF}'),
        "ready for Korean Excel: a byte-order mark"
    );
    assert!(csv[3..].starts_with("주문자명,"), "Korean headings");
    let plain = succeeded(&site.cancels(&[
        "--from", FIRST_DAY, "--to", LAST_DAY, "--format", "csv", "--plain",
    ]));
    assert!(
        plain.starts_with("ordpeNm,"),
        "for tools: the API's names, no mark"
    );
    assert_eq!(csv.lines().count(), plain.lines().count());
    let cost_lines: usize = truth.iter().map(|row| row.cst_info.len().max(1)).sum();
    let mut reader = csv::Reader::from_reader(plain.as_bytes());
    assert_eq!(&reader.headers().unwrap()[0], "ordpeNm");
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), cost_lines);
    assert!(
        records
            .iter()
            .any(|record| record.iter().any(|field| field == "색상 변경\n요청")),
        "a two-line reason survives as one field"
    );
    let table = succeeded(&site.cancels(&["--from", FIRST_DAY, "--to", LAST_DAY]));
    assert!(table.ends_with("200 row(s)\n"));

    // One original order, whatever its dates, and some of its items.
    let order = jsonl(&succeeded(
        &site.cancels(&["--order", "S-05", "--format", "jsonl"]),
    ));
    let of_order: Vec<WireRow> = truth
        .iter()
        .filter(|row| row.oror_no == "S-05")
        .cloned()
        .collect();
    assert_eq!(order, of_order);
    let items =
        jsonl(&succeeded(&site.cancels(&[
            "--order", "S-05", "--items", "2", "--format", "jsonl",
        ])));
    let item_2: Vec<WireRow> = of_order
        .iter()
        .filter(|row| row.oror_item_seq == "2")
        .cloned()
        .collect();
    assert_eq!((items.len(), items), (1, item_2));

    // Another vendor's key sees none of A's rows.
    let b = jsonl(&succeeded(&site.cancels_with_key(
        &site.key_b,
        &["--from", FIRST_DAY, "--to", LAST_DAY, "--format", "jsonl"],
    )));
    assert_eq!(b.len(), 60);
    assert!(b.iter().all(|row| row.item_id.ends_with("03")));
}

#[test]
fn failures_that_pass_are_retried_to_the_same_complete_result() {
    let site = Site::start();
    let truth = site.truth(FIRST_DAY, LAST_DAY);
    site.faults.flaky.store(9, Ordering::SeqCst);
    let rows = jsonl(&succeeded(&site.cancels(&[
        "--from",
        FIRST_DAY,
        "--to",
        LAST_DAY,
        "--format",
        "jsonl",
        "--retries",
        "10",
    ])));
    assert_eq!(rows, truth);

    let log = site.faults.log();
    let failed: Vec<u16> = log
        .iter()
        .map(|(_, status, _)| *status)
        .filter(|status| *status != 200)
        .collect();
    assert_eq!(failed.len(), 9, "{failed:?}");
    for status in [503, 429, 502] {
        assert_eq!(failed.iter().filter(|s| **s == status).count(), 3);
    }
    assert_eq!(
        log.len(),
        9 + 9,
        "each window answered once, after its failures"
    );
    // After a 429 the window waited at least its Retry-After.
    for (i, (start, status, when)) in log.iter().enumerate() {
        if *status == 429 {
            let (_, _, next) = log[i + 1..]
                .iter()
                .find(|(again, ..)| again == start)
                .expect("the window was asked again");
            assert!(
                next.duration_since(*when) >= Duration::from_millis(990),
                "retried {:?} after a 429 asking for 1 s",
                next.duration_since(*when)
            );
        }
    }
}

#[test]
fn a_window_that_keeps_failing_fails_the_command_and_names_it() {
    let site = Site::start();
    *site.faults.broken.lock().unwrap() = Some("20260915".into());
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("sync.json");
    for args in [
        vec!["--from", FIRST_DAY, "--to", LAST_DAY, "--format", "jsonl"],
        vec![
            "--from",
            FIRST_DAY,
            "--to",
            LAST_DAY,
            "--since-last",
            state.to_str().unwrap(),
        ],
    ] {
        site.faults.clear();
        let mut args = args;
        args.extend(["--retries", "2"]);
        let output = site.cancels(&args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{stderr}");
        assert!(output.stdout.is_empty(), "no partial result on stdout");
        assert!(
            stderr.contains("1 window(s) could not be read")
                && stderr.contains("20260915–20260921")
                && stderr.contains("unavailable through 3 attempts"),
            "{stderr}"
        );
        assert!(!stderr.contains("20260908–20260914"), "{stderr}");
        let tries = site
            .faults
            .log()
            .iter()
            .filter(|(start, ..)| start == "20260915")
            .count();
        assert_eq!(tries, 3, "the first attempt and two retries");
    }
    assert!(!state.exists(), "no state after an incomplete run");

    // A refusal is final: each window is asked once, and the message is said once.
    *site.faults.broken.lock().unwrap() = None;
    site.faults.clear();
    let refused = site.cancels(&[
        "--from", FIRST_DAY, "--to", LAST_DAY, "--order", "S-05", "--items", "x", "--lang", "en",
    ]);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(1));
    assert!(refused.stdout.is_empty());
    assert!(
        stderr.contains("none of the 9 windows 20260901–20261030 could be read")
            && stderr.contains("(result code 11)")
            && stderr.contains("orordItemSeqs"),
        "{stderr}"
    );
    assert_eq!(site.faults.log().len(), 9, "never retried");
}

#[test]
fn incremental_sync_emits_every_row_exactly_once() {
    let site = Site::start();
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("sync.json");
    let state = state.to_str().unwrap();
    let sync = |to: &str| {
        jsonl(&succeeded(&site.cancels(&[
            "--since-last",
            state,
            "--from",
            FIRST_DAY,
            "--to",
            to,
            "--format",
            "jsonl",
        ])))
    };
    for no in ["LATE-1", "LATE-2", "LATE-3", "LATE-4"] {
        site.place(no);
    }

    let mut emitted = sync("20260920");
    assert_eq!(emitted, site.truth(FIRST_DAY, "20260920"));

    // Arriving between runs: a row on the last day already read (recorded late) and one
    // after it.
    site.cancel("LATE-1", &[(1, 1)], "2026-09-20 23:59:59");
    site.cancel("LATE-2", &[(1, 1)], "2026-09-24 00:00:00");
    let second = sync("20260927");
    assert!(
        second.iter().any(|row| row.oror_no == "LATE-1"),
        "the late row on the overlap day was read again and emitted"
    );
    emitted.extend(second);

    site.cancel("LATE-3", &[(1, 1)], "2026-09-27 12:00:00");
    site.cancel("LATE-4", &[(1, 1)], "2026-10-03 00:00:00");
    emitted.extend(sync("20261010"));

    let truth = site.truth(FIRST_DAY, "20261010");
    let mut sorted = keys(&emitted);
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), emitted.len(), "no row emitted twice");
    assert_eq!(emitted.len(), truth.len(), "no row missed");
    let mut expected = keys(&truth);
    expected.sort();
    assert_eq!(sorted, expected);

    // Nothing new: nothing written, and the state still moves on.
    assert!(sync("20261010").is_empty());
    // The state is A's; B's key is refused it.
    let other = site.cancels_with_key(&site.key_b, &["--since-last", state, "--to", "20261010"]);
    assert!(!other.status.success());
    assert!(String::from_utf8_lossy(&other.stderr).contains("another API key"));
}

#[test]
fn incremental_csv_appended_to_one_file_has_one_heading() {
    let site = Site::start();
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("sync.json");
    let state = state.to_str().unwrap();
    let mut file = String::new();
    for to in ["20260920", "20260927", "20261010"] {
        file.push_str(&succeeded(&site.cancels(&[
            "--since-last",
            state,
            "--from",
            FIRST_DAY,
            "--to",
            to,
            "--format",
            "csv",
        ])));
    }
    assert_eq!(
        file.matches('\u{FEFF}').count(),
        1,
        "one byte-order mark, at the start"
    );
    assert_eq!(file.matches("주문자명").count(), 1, "one heading line");
    let mut reader = csv::Reader::from_reader(file.as_bytes());
    let lines = reader.records().map(Result::unwrap).count();
    let truth = site.truth(FIRST_DAY, "20261010");
    let cost_lines: usize = truth.iter().map(|row| row.cst_info.len().max(1)).sum();
    assert_eq!(lines, cost_lines, "every row once");
}

/// `cancels --follow` running in the background: its standard output, line by line.
struct Follower {
    child: std::process::Child,
    lines: Arc<Mutex<Vec<String>>>,
}

impl Follower {
    fn start(site: &Site, state: &str) -> Follower {
        use std::io::BufRead as _;
        let mut child = Command::new(env!("CARGO_BIN_EXE_ssg-claims"))
            .args([
                "cancels",
                "--since-last",
                state,
                "--from",
                FIRST_DAY,
                "--follow",
                "--format",
                "jsonl",
            ])
            .env("SSG_CLAIMS_BASE_URL", &site.base)
            .env("SSG_CLAIMS_KEY", &site.key_a)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let lines = Arc::new(Mutex::new(Vec::new()));
        let kept = Arc::clone(&lines);
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                kept.lock().unwrap().push(line);
            }
        });
        Follower { child, lines }
    }

    /// Waits (at most 30 s) until `count` rows were written, and returns them.
    fn rows(&self, count: usize) -> Vec<WireRow> {
        let started = Instant::now();
        loop {
            let lines = self.lines.lock().unwrap().clone();
            if lines.len() >= count || started.elapsed() > Duration::from_secs(30) {
                return jsonl(&(lines.join("\n") + "\n"));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Follower {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn follow_writes_each_new_cancellation_once_and_resumes_after_a_restart() {
    let site = Site::start();
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("sync.json");
    let state = state.to_str().unwrap();
    for no in ["TAIL-1", "TAIL-2", "TAIL-3"] {
        site.place(no);
    }
    // Everything so far (the catch-up reads through today).
    let truth = site.truth(FIRST_DAY, "20270101");

    // The catch-up through the inquiry, then the claims as they happen.
    let follower = Follower::start(&site, state);
    let caught_up = follower.rows(truth.len());
    assert_eq!(caught_up.len(), truth.len(), "first, everything so far");
    assert!(caught_up == truth, "the catch-up writes the inquiry's rows");
    site.cancel("TAIL-1", &[(1, 1)], "2026-10-20 10:00:00");
    let rows = follower.rows(truth.len() + 1);
    assert_eq!(rows.len(), truth.len() + 1, "the new claim, at once");
    assert_eq!(rows.last().unwrap().oror_no, "TAIL-1");

    // Stopped, a claim meanwhile, restarted: that claim once, nothing again.
    drop(follower);
    site.cancel("TAIL-2", &[(1, 1)], "2026-10-21 10:00:00");
    let follower = Follower::start(&site, state);
    site.cancel("TAIL-3", &[(1, 1)], "2026-10-22 10:00:00");
    let resumed = follower.rows(2);
    std::thread::sleep(Duration::from_millis(500));
    let resumed_all = follower.rows(2);
    assert_eq!(resumed.len(), 2, "{resumed:?}");
    assert_eq!(
        resumed_all.len(),
        2,
        "no repeat of what the first run wrote"
    );
    let numbers: Vec<&str> = resumed.iter().map(|row| row.oror_no.as_str()).collect();
    assert_eq!(numbers, ["TAIL-2", "TAIL-3"]);
}

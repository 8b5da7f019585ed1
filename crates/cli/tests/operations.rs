//! Running the service as an operator does: settings from a file, the environment and flags;
//! JSON logs with a request id on every line; shutting down on SIGTERM.

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use support::{Running, add_vendor, create_token, issue_key, run, ssg_claims, stdout};

/// The line of `config show` for `key`, without its value's comment.
fn shown<'a>(text: &'a str, key: &str) -> &'a str {
    text.lines()
        .find(|line| line.starts_with(&format!("{key} = ")))
        .unwrap_or_else(|| panic!("no {key} in {text}"))
}

#[test]
fn flags_beat_the_environment_which_beats_the_file_which_beats_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("ssg-claims.toml");
    std::fs::write(
        &config,
        r#"
[database]
url = "postgres://claims:s3cret@db.internal:5432/claims"
pool_size = 32
timeout_ms = 2000

[http]
listen = "0.0.0.0:9000"
errors = "ssg"
max_rows = 5000

[log]
format = "json"
"#,
    )
    .unwrap();
    let output = run(ssg_claims("unused.db")
        .env_remove("SSG_CLAIMS_DATABASE")
        .env("SSG_CLAIMS_DB_POOL_SIZE", "8")
        .env("SSG_CLAIMS_MAX_ROWS", "700")
        .args(["config", "show", "--config"])
        .arg(&config)
        .args(["--max-rows", "500", "--log", "debug"]));
    let text = stdout(&output);
    assert_eq!(
        shown(&text, "url"),
        r#"url = "postgres://claims:***@db.internal:5432/claims"  # config file"#
    );
    assert!(!text.contains("s3cret"), "the password is never shown");
    assert_eq!(
        shown(&text, "pool_size"),
        "pool_size = 8  # environment SSG_CLAIMS_DB_POOL_SIZE"
    );
    assert_eq!(
        shown(&text, "timeout_ms"),
        "timeout_ms = 2000  # config file"
    );
    assert_eq!(
        shown(&text, "listen"),
        r#"listen = "0.0.0.0:9000"  # config file"#
    );
    assert_eq!(
        shown(&text, "max_rows"),
        "max_rows = 500  # flag --max-rows"
    );
    assert_eq!(
        shown(&text, "shutdown_grace_secs"),
        "shutdown_grace_secs = 30  # default"
    );
    assert_eq!(shown(&text, "filter"), r#"filter = "debug"  # flag --log"#);
    assert_eq!(shown(&text, "format"), r#"format = "json"  # config file"#);

    // What `config show` prints is itself a valid settings file.
    let again = dir.path().join("shown.toml");
    std::fs::write(&again, &text).unwrap();
    let reread = stdout(&run(ssg_claims("unused.db")
        .env_remove("SSG_CLAIMS_DATABASE")
        .args(["config", "show", "--config"])
        .arg(&again)));
    assert!(reread.contains("max_rows = 500  # config file"), "{reread}");
    assert!(reread.contains("pool_size = 8  # config file"), "{reread}");

    // The environment names the file too.
    let by_env = stdout(&run(ssg_claims("unused.db")
        .env_remove("SSG_CLAIMS_DATABASE")
        .env("SSG_CLAIMS_CONFIG", &config)
        .args(["config", "show"])));
    assert!(
        by_env.contains(r#"errors = "ssg"  # config file"#),
        "{by_env}"
    );
}

#[test]
fn unknown_keys_and_bad_values_in_the_file_are_errors_that_name_them() {
    let dir = tempfile::tempdir().unwrap();
    for (text, named) in [
        (
            "[http]\nlisten = \"127.0.0.1:8080\"\nmax_row = 10\n",
            "max_row",
        ),
        ("[databse]\nurl = \"x.db\"\n", "databse"),
        ("[database]\npool_size = 0\n", "database.pool_size"),
        ("[http]\nerrors = \"loud\"\n", "loud"),
        ("[http]\nlisten = \"nowhere\"\n", "listen"),
    ] {
        let config = dir.path().join("bad.toml");
        std::fs::write(&config, text).unwrap();
        let output = ssg_claims("unused.db")
            .args(["serve", "--config"])
            .arg(&config)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{text}: {stderr}");
        assert!(stderr.contains(named), "{text}: {stderr}");
        assert!(stderr.contains("bad.toml"), "{stderr}");
    }
}

/// A database with one vendor and its key.
fn vendor_database(dir: &std::path::Path) -> (std::path::PathBuf, String) {
    let db = dir.join("claims.db");
    add_vendor(&db, "0000012345", "(주)한빛유통");
    let key = issue_key(&db, "0000012345");
    (db, key)
}

#[test]
fn json_logs_carry_the_request_id_on_every_line_and_never_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let (db, key) = vendor_database(dir.path());
    let order = dir.path().join("order.json");
    std::fs::write(
        &order,
        r#"{"ordNo": "LOG-1", "ordpeNm": "홍길동", "customerId": "c-1001", "ordRcpMediaCd": "10",
            "ordRcpDts": "2026-11-20 09:50:17", "shippingFees": [],
            "items": [{"ordItemSeq": 1, "itemId": "1000028463390", "itemNm": "유기농 우유 1L",
                       "qty": 2, "unitPrice": 4500, "splVenId": "0000012345"}]}"#,
    )
    .unwrap();
    run(ssg_claims(&db).args(["order", "import"]).arg(&order));
    let token = create_token(&db, "service-center");
    let mut server = Running::start(ssg_claims(&db).env("SSG_CLAIMS_LOG", "debug").args([
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--log-format",
        "json",
    ]));
    let client = reqwest::blocking::Client::new();
    let answer = client
        .post(format!("{}/api/clm/cncl/ord/inquiry.ssg", server.base))
        .header("authorization", &key)
        .header("content-type", "application/json")
        .header("x-request-id", "req-test-0001")
        .body(r#"{"request": {"perdStrDts": "20261122", "perdEndDts": "20261128"}}"#)
        .send()
        .unwrap();
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.headers()["x-request-id"], "req-test-0001");
    let refused = client
        .post(format!("{}/api/clm/cncl/ord/inquiry.ssg", server.base))
        .header("authorization", "not-a-key")
        .header("content-type", "application/json")
        .body(r#"{"request": {}}"#)
        .send()
        .unwrap();
    let refused_id = refused.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    let canceled = client
        .post(format!("{}/v1/orders/LOG-1/cancellations", server.base))
        .bearer_auth(&token)
        .header("x-request-id", "req-test-0002")
        .json(&serde_json::json!({
            "items": [{"ordItemSeq": 1, "qty": 1}], "clmRsnCd": "251",
            "agentId": "agent-7", "imptDivCd": "10"
        }))
        .send()
        .unwrap();
    assert_eq!(canceled.status(), 201);

    server.terminate();
    assert!(server.wait_exit(Duration::from_secs(10)).is_some());
    let lines: Vec<serde_json::Value> = server
        .log_lines()
        .iter()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|_| panic!("not JSON: {line}")))
        .collect();
    let of_request = |id: &str| -> Vec<&serde_json::Value> {
        lines
            .iter()
            .filter(|line| {
                line["spans"]
                    .as_array()
                    .is_some_and(|spans| spans.iter().any(|span| span["id"] == id))
            })
            .collect()
    };
    let first = of_request("req-test-0001");
    let access = first
        .iter()
        .find(|line| line["fields"]["message"] == "answered")
        .expect("one access line");
    assert_eq!(access["fields"]["status"], 200);
    assert_eq!(access["fields"]["result_code"], "00");
    assert_eq!(access["fields"]["vendor.id"], "0000012345");
    assert!(access["fields"]["latency_ms"].as_f64().is_some());
    let request_span = &access["spans"][0];
    assert_eq!(request_span["name"], "request");
    assert_eq!(request_span["route"], "/api/clm/cncl/ord/inquiry.ssg");
    assert_eq!(request_span["method"], "POST");

    // A request that logs along the way: each of its lines carries its id.
    let cancel = of_request("req-test-0002");
    let messages: Vec<&str> = cancel
        .iter()
        .map(|line| line["fields"]["message"].as_str().unwrap())
        .collect();
    assert_eq!(messages, ["claim recorded", "answered"], "{cancel:#?}");
    assert_eq!(cancel[0]["spans"][1]["name"], "cancel");
    assert_eq!(cancel[0]["spans"][1]["order.no"], "LOG-1");

    let second = of_request(&refused_id);
    let access = second
        .iter()
        .find(|line| line["fields"]["message"] == "answered")
        .expect("an access line for the refused request");
    assert_eq!(access["fields"]["result_code"], "20");
    assert_eq!(
        access["fields"]["status"], 500,
        "every error a 500, as SSG answers"
    );

    let all = server.log_lines().join("\n");
    assert!(!all.contains(&key), "the key never reaches the log");
    assert!(!all.contains(&token), "nor the token");
    assert!(!all.contains("not-a-key"), "nor a wrong one");
}

/// Sends a request's head and half its body, then returns the stream and the rest.
fn start_slow_inquiry(base: &str, key: &str) -> (TcpStream, Vec<u8>) {
    let address = base.trim_start_matches("http://");
    let mut stream = TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let body = br#"{"request": {"perdStrDts": "20261122", "perdEndDts": "20261128"}}"#;
    let head = format!(
        "POST /api/clm/cncl/ord/inquiry.ssg HTTP/1.1\r\nHost: {address}\r\n\
         Authorization: {key}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    let (first, rest) = body.split_at(body.len() / 2);
    stream.write_all(first).unwrap();
    stream.flush().unwrap();
    (stream, rest.to_vec())
}

#[test]
fn sigterm_lets_the_request_in_flight_finish_then_exits_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let (db, key) = vendor_database(dir.path());
    let mut server = Running::start(ssg_claims(&db).args(["serve", "--listen", "127.0.0.1:0"]));
    let address = server.base.trim_start_matches("http://").to_owned();

    let (mut stream, rest) = start_slow_inquiry(&server.base, &key);
    std::thread::sleep(Duration::from_millis(200));
    server.terminate();

    // It stops taking connections at once, but keeps running for the request in flight.
    let started = Instant::now();
    while TcpStream::connect(&address).is_ok() {
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "still accepting connections after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(500));
    assert!(
        server.server.0.try_wait().unwrap().is_none(),
        "exited with a request in flight"
    );

    stream.write_all(&rest).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200 OK"), "{answer}");
    assert!(answer.contains(r#""resultCode":"00""#), "{answer}");

    let status = server
        .wait_exit(Duration::from_secs(10))
        .expect("exits once the request is done");
    assert_eq!(status.code(), Some(0));
    let log = server.log_lines().join("\n");
    assert!(log.contains("shutting down"), "{log}");
    assert!(log.contains("stopped"), "{log}");
    assert!(!log.contains("cut"), "nothing was cut: {log}");
    // The database was closed cleanly: the write-ahead log was folded back in.
    let wal = db.with_extension("db-wal");
    assert!(
        !wal.exists() || std::fs::metadata(&wal).unwrap().len() == 0,
        "the WAL is empty after a clean close"
    );
}

#[test]
fn a_request_that_outlasts_the_grace_period_is_cut_and_the_process_still_exits() {
    let dir = tempfile::tempdir().unwrap();
    let (db, key) = vendor_database(dir.path());
    let mut server = Running::start(ssg_claims(&db).args([
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--shutdown-grace-secs",
        "1",
    ]));
    let (mut stream, _never_sent) = start_slow_inquiry(&server.base, &key);
    std::thread::sleep(Duration::from_millis(200));
    let signalled = Instant::now();
    server.terminate();
    let status = server
        .wait_exit(Duration::from_secs(10))
        .expect("exits after the grace period");
    let waited = signalled.elapsed();
    assert_eq!(status.code(), Some(0));
    assert!(waited >= Duration::from_millis(900), "waited {waited:?}");
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    assert!(answer.is_empty(), "no answer to a cut request");
    let log = server.log_lines().join("\n");
    assert!(log.contains("were cut"), "{log}");
}

#[test]
fn the_sample_config_is_a_valid_settings_file() {
    let sample = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy/config.toml");
    let shown = stdout(&run(ssg_claims("unused.db")
        .env_remove("SSG_CLAIMS_DATABASE")
        .env_remove("SSG_CLAIMS_LOG")
        .args(["config", "show", "--config"])
        .arg(&sample)));
    for key in [
        "url",
        "pool_size",
        "timeout_ms",
        "listen",
        "errors",
        "max_rows",
        "shutdown_grace_secs",
        "filter",
        "format",
    ] {
        assert!(
            shown.contains(&format!("\n{key} = ")) && shown.contains("# config file"),
            "{key} is not set by the sample: {shown}"
        );
    }
    assert_eq!(
        shown.matches("# config file").count(),
        claims_server::settings::SETTINGS.len(),
        "the sample sets every key: {shown}"
    );
}

/// Forwards every connection to `127.0.0.1:port` to `target`, until the process ends.
fn forward(listener: std::net::TcpListener, target: String) {
    std::thread::spawn(move || {
        for client in listener.incoming() {
            let Ok(client) = client else { continue };
            let target = target.clone();
            std::thread::spawn(move || {
                let Ok(server) = TcpStream::connect(&target) else {
                    return;
                };
                let (mut client_read, mut server_write) =
                    (client.try_clone().unwrap(), server.try_clone().unwrap());
                let (mut server_read, mut client_write) = (server, client);
                std::thread::spawn(move || {
                    let _ = std::io::copy(&mut client_read, &mut server_write);
                    let _ = server_write.shutdown(std::net::Shutdown::Write);
                });
                let _ = std::io::copy(&mut server_read, &mut client_write);
                let _ = client_write.shutdown(std::net::Shutdown::Write);
            });
        }
    });
}

fn status_of(base: &str, path: &str) -> u16 {
    reqwest::blocking::get(format!("{base}{path}"))
        .map(|response| response.status().as_u16())
        .unwrap_or(0)
}

#[test]
fn serve_waits_for_a_database_that_comes_up_late() {
    let Some(server) = claims_store_postgres::testing::server_url("the startup-wait test") else {
        return;
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let database = runtime.block_on(claims_store_postgres::testing::TestDatabase::create(
        &server,
    ));
    // Where the real database listens: the URL's host and port (5432 when it names none).
    let authority = database
        .url
        .split_once("://")
        .map_or("", |(_, rest)| rest.split(['/', '?']).next().unwrap_or(""));
    let host = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    let target = if host.contains(':') {
        host.to_owned()
    } else {
        format!("{host}:5432")
    };
    // A port where, for now, nothing listens: the database is "down".
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url =
        claims_store_postgres::testing::with_address(&database.url, &format!("127.0.0.1:{port}"));
    let running = Running::start(ssg_claims(&url).args([
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--startup-wait-secs",
        "60",
    ]));
    assert_eq!(status_of(&running.base, "/healthz"), 200, "alive at once");
    assert_eq!(
        status_of(&running.base, "/readyz"),
        503,
        "not ready without its database"
    );
    let body = reqwest::blocking::Client::new()
        .post(format!("{}/api/clm/cncl/ord/inquiry.ssg", running.base))
        .header("authorization", "00000000-0000-4000-8000-000000000000")
        .header("content-type", "application/json")
        .body(r#"{"request": {"perdStrDts": "20261122", "perdEndDts": "20261128"}}"#)
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(
        body.contains(r#""resultCode":"90""#),
        "unavailable, not an error: {body}"
    );

    // The database comes up: the server connects by itself and becomes ready.
    forward(
        std::net::TcpListener::bind(("127.0.0.1", port)).unwrap(),
        target,
    );
    let started = Instant::now();
    while status_of(&running.base, "/readyz") != 200 {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "ready once the database is up"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    assert!(
        running
            .log_lines()
            .iter()
            .any(|line| line.contains("not reachable yet"))
    );
}

#[test]
fn serve_gives_up_on_a_database_that_never_comes() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let started = Instant::now();
    let output = ssg_claims(format!("postgres://nobody@127.0.0.1:{port}/none"))
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--startup-wait-secs",
            "2",
        ])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("could not be reached within 2 s"),
        "{stderr}"
    );
    assert!(started.elapsed() < Duration::from_secs(30));
}

//! The `ssg-claims` binary, run as a user runs it.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Output, Stdio};

fn ssg_claims(database: &std::path::Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ssg-claims"));
    command
        .env("SSG_CLAIMS_DATABASE", database)
        .env("SSG_CLAIMS_LOG", "info");
    command
}

fn run(command: &mut Command) -> Output {
    let output = command.output().expect("the binary runs");
    assert!(
        output.status.success(),
        "{command:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

/// Kills the server when the test ends, however it ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `serve` on a free port and returns it with its base URL.
fn serve(database: &std::path::Path) -> (Server, String) {
    let mut child = ssg_claims(database)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut lines = BufReader::new(stderr).lines();
    let address = loop {
        let line = lines.next().expect("the server logs its address").unwrap();
        if let Some(rest) = line.split("address=").nth(1) {
            break rest.split_whitespace().next().unwrap().to_owned();
        }
    };
    // Keep draining the log so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    (Server(child), format!("http://{address}"))
}

#[test]
fn administration_and_serving_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("claims.db");

    let migrated = run(ssg_claims(&db).arg("migrate"));
    assert!(stdout(&migrated).contains("schema version 1"));

    run(ssg_claims(&db).args([
        "vendor",
        "add",
        "--id",
        "0000012345",
        "--name",
        "(주)한빛유통",
    ]));
    run(ssg_claims(&db).args([
        "vendor",
        "add",
        "--id",
        "0000012346",
        "--name",
        "한빛유통 신선센터",
        "--parent",
        "0000012345",
    ]));
    let listed = stdout(&run(ssg_claims(&db).args(["vendor", "list"])));
    assert!(
        listed.contains("0000012346  0000012345  한빛유통 신선센터"),
        "{listed}"
    );

    let duplicate = ssg_claims(&db)
        .args(["vendor", "add", "--id", "0000012345", "--name", "x"])
        .output()
        .unwrap();
    assert!(!duplicate.status.success());
    assert!(String::from_utf8_lossy(&duplicate.stderr).contains("already exists"));
    let bad_id = ssg_claims(&db)
        .args(["vendor", "add", "--id", "12345", "--name", "x"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&bad_id.stderr).contains("--id: must be exactly 10 digits"));

    let issued = run(ssg_claims(&db).args(["key", "issue", "--vendor", "0000012345"]));
    let key = stdout(&issued).trim().to_owned();
    assert_eq!(key.len(), 36, "the key alone on standard output");
    let narrowed = run(ssg_claims(&db).args([
        "key",
        "issue",
        "--vendor",
        "0000012345",
        "--lower-rank",
        "0000012346",
    ]));
    assert_eq!(stdout(&narrowed).trim().len(), 36);
    let wrong = ssg_claims(&db)
        .args(["key", "issue", "--vendor", "0000012346"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("lower-rank vendor of 0000012345"));

    let keys = stdout(&run(ssg_claims(&db).args([
        "key",
        "list",
        "--vendor",
        "0000012345",
    ])));
    let rows: Vec<Vec<&str>> = keys
        .lines()
        .skip(1)
        .map(|line| line.split_whitespace().collect())
        .collect();
    assert_eq!(rows.len(), 2, "{keys}");
    // KEY ID, LOWER, CREATED (date and time), REVOKED.
    let whole_key_id = rows.iter().find(|row| row[1] == "-").unwrap()[0];
    assert!(!keys.contains(&key), "keys are never shown again");

    let (_server, base) = serve(&db);
    let client = http_client::blocking_client();
    let ask = |key: &str| client(&base, key);
    assert_eq!(ask(&key), "00");

    // Revocation from another process takes effect at once.
    run(ssg_claims(&db).args(["key", "revoke", whole_key_id]));
    assert_eq!(ask(&key), "20");
    let after = stdout(&run(ssg_claims(&db).args([
        "key",
        "list",
        "--vendor",
        "0000012345",
    ])));
    let revoked_line = after
        .lines()
        .find(|line| line.starts_with(whole_key_id))
        .unwrap();
    assert_eq!(
        revoked_line.split_whitespace().count(),
        6,
        "a revocation time: {after}"
    );
}

#[test]
fn postgres_urls_are_refused_clearly_until_supported() {
    let dir = tempfile::tempdir().unwrap();
    let output = ssg_claims(&dir.path().join("x.db"))
        .args(["migrate", "--database", "postgres://localhost/claims"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("PostgreSQL"));
}

mod http_client {
    /// A tiny blocking client over a current-thread runtime: posts a JSON inquiry and
    /// returns its result code.
    pub fn blocking_client() -> impl Fn(&str, &str) -> String {
        |base: &str, key: &str| {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async {
                let response = ::reqwest::Client::new()
                    .post(format!("{base}/api/clm/cncl/ord/inquiry.ssg"))
                    .header("authorization", key)
                    .header("content-type", "application/json")
                    .body(r#"{"request": {"perdStrDts": "20261122", "perdEndDts": "20261128"}}"#)
                    .send()
                    .await
                    .unwrap();
                let body: serde_json::Value = response.json().await.unwrap();
                body["result"]["resultCode"].as_str().unwrap().to_owned()
            })
        }
    }
}

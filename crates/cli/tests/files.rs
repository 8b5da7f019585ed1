//! What the service leaves on disk: databases and backups only their owner may read (they
//! hold webhook secrets, password hashes and customers' names and addresses), and webhook
//! secrets sealed at rest when a key is given.

mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use serde_json::{Value, json};
use support::{Running, add_vendor, issue_key, run, ssg_claims};

const KEY: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn databases_and_backups_are_their_owners_alone() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("claims.db");
    run(ssg_claims(&db).arg("migrate"));
    assert_eq!(mode(&db), 0o600, "the database");
    add_vendor(&db, "0000012345", "(주)한빛유통");
    for extra in ["claims.db-wal", "claims.db-shm"] {
        let path = dir.path().join(extra);
        if path.exists() {
            assert_eq!(mode(&path), 0o600, "{extra}");
        }
    }
    let copy = dir.path().join("copy.db");
    run(ssg_claims(&db).args(["backup", "--to"]).arg(&copy));
    assert_eq!(mode(&copy), 0o600, "the backup");
}

fn post(base: &str, key: &str, path: &str, body: Value) -> (u16, Value) {
    let answer = reqwest::blocking::Client::new()
        .post(format!("{base}{path}"))
        .bearer_auth(key)
        .json(&body)
        .send()
        .unwrap();
    (
        answer.status().as_u16(),
        answer.json().unwrap_or(Value::Null),
    )
}

fn get(base: &str, key: &str, path: &str) -> (u16, Value) {
    let answer = reqwest::blocking::Client::new()
        .get(format!("{base}{path}"))
        .bearer_auth(key)
        .send()
        .unwrap();
    (
        answer.status().as_u16(),
        answer.json().unwrap_or(Value::Null),
    )
}

/// The webhook secrets as the database holds them.
fn stored_secrets(db: &Path) -> Vec<String> {
    let connection = rusqlite::Connection::open(db).unwrap();
    let mut statement = connection
        .prepare("SELECT secret, coalesce(previous_secret, '') FROM webhooks")
        .unwrap();
    statement
        .query_map([], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
        })
        .unwrap()
        .flat_map(|row| {
            let (secret, previous) = row.unwrap();
            [secret, previous]
        })
        .filter(|secret| !secret.is_empty())
        .collect()
}

#[test]
fn webhook_secrets_are_sealed_at_rest_with_a_key() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("claims.db");
    run(ssg_claims(&db).arg("migrate"));
    add_vendor(&db, "0000012345", "(주)한빛유통");
    let key = issue_key(&db, "0000012345");
    let running = Running::start(
        ssg_claims(&db)
            .env("SSG_CLAIMS_SECRETS_KEY", KEY)
            .env("SSG_CLAIMS_WEBHOOKS_ALLOW_INSECURE_TARGETS", "true")
            .args(["serve", "--listen", "127.0.0.1:0"]),
    );
    let base = &running.base;
    let (status, made) = post(
        base,
        &key,
        "/v1/webhooks",
        json!({"url": "http://127.0.0.1:9/hook"}),
    );
    assert_eq!(status, 201, "{made}");
    let id = made["id"].as_str().unwrap().to_owned();
    let secret = made["secret"].as_str().unwrap().to_owned();
    let (status, rotated) = post(base, &key, &format!("/v1/webhooks/{id}/secret"), json!({}));
    assert_eq!(status, 201, "{rotated}");
    // Read back (and so opened) to be shown and to sign.
    let (status, shown) = get(base, &key, &format!("/v1/webhooks/{id}"));
    assert_eq!(status, 200, "{shown}");
    drop(running);
    let stored = stored_secrets(&db);
    assert_eq!(stored.len(), 2, "the secret and the one it replaced");
    for kept in &stored {
        assert!(kept.starts_with("sealed:v1:"), "{kept}");
        assert!(!kept.contains("whsec_"), "{kept}");
    }
    assert!(!stored.iter().any(|kept| kept.contains(&secret[6..])));

    // Without the key, the service says what is missing rather than send unsigned.
    let running = Running::start(ssg_claims(&db).env_remove("SSG_CLAIMS_SECRETS_KEY").args([
        "serve",
        "--listen",
        "127.0.0.1:0",
    ]));
    let (status, _) = get(&running.base, &key, &format!("/v1/webhooks/{id}"));
    assert_eq!(status, 500);
    drop(running);
    assert!(
        String::from_utf8_lossy(
            &ssg_claims(&db)
                .env("SSG_CLAIMS_SECRETS_KEY", "not a key")
                .args(["serve", "--listen", "127.0.0.1:0"])
                .output()
                .unwrap()
                .stderr
        )
        .contains("SSG_CLAIMS_SECRETS_KEY"),
        "a bad key is refused naming the variable"
    );
}

#[test]
fn demo_keeps_the_webhook_setting_it_is_given() {
    use std::io::{BufRead, BufReader};
    let mut child = ssg_claims("unused.db")
        .args([
            "demo",
            "--listen",
            "127.0.0.1:0",
            "--webhooks-allow-insecure-targets",
            "false",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let _server = support::Server(child);
    let (mut base, mut key) = (None, None);
    for line in BufReader::new(stdout).lines() {
        let line = line.unwrap();
        if base.is_none() {
            base = line
                .split("http://")
                .nth(1)
                .map(|rest| format!("http://{}", rest.split(['/', ' ']).next().unwrap()));
        }
        if let Some(rest) = line.split("export KEY=").nth(1) {
            key = Some(rest.split_whitespace().next().unwrap().to_owned());
            break;
        }
    }
    let (base, key) = (base.expect("the demo prints its address"), key.unwrap());
    let (status, refused) = post(
        &base,
        &key,
        "/v1/webhooks",
        json!({"url": "http://127.0.0.1:9/hook"}),
    );
    assert_eq!(
        status, 400,
        "a plain-http, loopback target is refused: {refused}"
    );
}

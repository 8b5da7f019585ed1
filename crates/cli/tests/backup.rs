//! `ssg-claims backup` while the server is serving and writing: the copy is a whole,
//! consistent database holding every claim acknowledged before the backup began.

mod support;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::json;
use support::{add_vendor, create_token, run, serve, ssg_claims};

#[test]
fn a_backup_under_write_load_holds_every_acknowledged_claim() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("claims.db");
    add_vendor(&db, "0000012345", "(주)한빛유통");
    let token = create_token(&db, "service-center");
    let order = dir.path().join("order.json");
    std::fs::write(
        &order,
        json!({"ordNo": "LOAD-1", "ordpeNm": "홍길동", "customerId": "c-1001", "ordRcpMediaCd": "99",
               "ordRcpDts": "2026-11-20 09:50:17",
               "items": [{"ordItemSeq": 1, "itemId": "1000028463390", "itemNm": "유기농 우유 1L",
                          "qty": 5000, "unitPrice": 4500, "splVenId": "0000012345"}]})
        .to_string(),
    )
    .unwrap();
    run(ssg_claims(&db).args(["order", "import"]).arg(&order));
    let (_server, base) = serve(&db);

    // One writer cancels a unit at a time, as fast as the server answers, recording each
    // acknowledged claim (bounded: at most 3,000 requests or 20 seconds).
    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (acknowledged, stop, base, token) = (
            acknowledged.clone(),
            stop.clone(),
            base.clone(),
            token.clone(),
        );
        std::thread::spawn(move || {
            let client = reqwest::blocking::Client::new();
            let started = Instant::now();
            for n in 0..3_000 {
                if stop.load(Ordering::SeqCst) || started.elapsed() > Duration::from_secs(20) {
                    break;
                }
                let answer = client
                    .post(format!("{base}/v1/orders/LOAD-1/cancellations"))
                    .bearer_auth(&token)
                    .json(
                        &json!({"items": [{"ordItemSeq": 1, "qty": 1}], "clmRsnCd": "251",
                                  "agentId": format!("agent-{n}")}),
                    )
                    .send()
                    .unwrap();
                assert_eq!(answer.status(), 201);
                let claim: serde_json::Value = answer.json().unwrap();
                acknowledged
                    .lock()
                    .unwrap()
                    .push(claim["ordNo"].as_str().unwrap().to_owned());
            }
        })
    };
    while acknowledged.lock().unwrap().len() < 50 {
        std::thread::sleep(Duration::from_millis(10));
    }
    let before: Vec<String> = acknowledged.lock().unwrap().clone();
    let copy = dir.path().join("copy.db");
    let backed_up = run(ssg_claims(&db).args(["backup", "--to"]).arg(&copy));
    let during = acknowledged.lock().unwrap().len() - before.len();
    std::thread::sleep(Duration::from_millis(200));
    stop.store(true, Ordering::SeqCst);
    writer.join().unwrap();
    let total = acknowledged.lock().unwrap().len();
    eprintln!(
        "{} claims acknowledged before the backup, {during} while it ran, {total} in all: {}",
        before.len(),
        String::from_utf8_lossy(&backed_up.stdout).trim()
    );
    assert!(
        during > 0 || total > before.len(),
        "writes went on while the backup ran"
    );

    let copied = rusqlite::Connection::open(&copy).unwrap();
    let integrity: String = copied
        .query_row("PRAGMA integrity_check", [], |row| row.get(0))
        .unwrap();
    assert_eq!(integrity, "ok");
    let mut statement = copied.prepare("SELECT clm_no FROM claims").unwrap();
    let in_copy: std::collections::HashSet<String> = statement
        .query_map([], |row| row.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for claim in &before {
        assert!(
            in_copy.contains(claim),
            "claim {claim} acknowledged before the backup"
        );
    }
    assert!(
        in_copy.len() <= total,
        "nothing in the copy that was not acknowledged"
    );
    let canceled: i64 = copied
        .query_row(
            "SELECT canceled_qty FROM order_items WHERE ord_no = 'LOAD-1'",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(
        canceled as usize,
        in_copy.len(),
        "the copy is one consistent snapshot"
    );
    assert!(
        !dir.path().join("copy.db-wal").exists(),
        "the copy stands alone"
    );

    // The copy serves: the tool reads it like any database.
    let shown = run(ssg_claims(&copy).args(["order", "show", "LOAD-1", "--json"]));
    let order: serde_json::Value = serde_json::from_slice(&shown.stdout).unwrap();
    assert_eq!(order["items"][0]["canceledQty"], canceled);

    let again = ssg_claims(&db)
        .args(["backup", "--to"])
        .arg(&copy)
        .output()
        .unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
}

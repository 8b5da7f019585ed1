//! The `ssg-claims` binary, run as a user runs it.

mod support;

use std::process::Command;

use support::{add_vendor, create_token, run, serve, ssg_claims, stdout};

#[test]
fn administration_and_serving_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("claims.db");

    let migrated = run(ssg_claims(&db).arg("migrate"));
    assert!(
        stdout(&migrated).contains("created, at schema version"),
        "{}",
        stdout(&migrated)
    );
    let again = run(ssg_claims(&db).arg("migrate"));
    assert!(stdout(&again).contains("nothing to apply"));
    // Only the result on standard output, nothing on standard error (logs are at warn).
    let quiet = Command::new(env!("CARGO_BIN_EXE_ssg-claims"))
        .arg("--database")
        .arg(&db)
        .arg("migrate")
        .output()
        .unwrap();
    assert!(quiet.status.success());
    assert_eq!(
        String::from_utf8_lossy(&quiet.stderr),
        "",
        "--database before the command"
    );

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
    // KEY ID, VENDOR, LOWER, CREATED (date and time), REVOKED.
    let whole_key_id = rows.iter().find(|row| row[2] == "-").unwrap()[0];
    let all = stdout(&run(ssg_claims(&db).args(["key", "list"])));
    assert_eq!(
        all.lines().count(),
        3,
        "every vendor's keys without --vendor: {all}"
    );
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
        7,
        "a revocation time: {after}"
    );

    run(ssg_claims(&db).args([
        "token",
        "create",
        "--role",
        "storefront",
        "--label",
        "스토어 백엔드",
    ]));
    run(ssg_claims(&db).args(["token", "create", "--role", "admin"]));
    let tokens = stdout(&run(ssg_claims(&db).args(["token", "list"])));
    // Columns line up on screen, Korean (two columns a character) included: every row's
    // creation time starts where the CREATED heading does.
    use unicode_width::UnicodeWidthChar;
    let lines: Vec<&str> = tokens.lines().collect();
    let column = lines[0].find("CREATED").unwrap();
    for line in &lines[1..] {
        let mut width = 0;
        let at = line
            .char_indices()
            .find(|(_, c)| {
                let here = width;
                width += c.width().unwrap_or(0);
                here == column
            })
            .map(|(index, _)| index)
            .unwrap_or_else(|| panic!("a row shorter than its headings: {tokens}"));
        assert!(line[at..].starts_with("20"), "misaligned: {tokens}");
    }
    assert!(tokens.contains("스토어 백엔드"), "{tokens}");
}

#[test]
fn orders_cancellations_and_shipments_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("claims.db");
    add_vendor(&db, "0000012345", "(주)한빛유통");
    add_vendor(&db, "0000023456", "바른생활가전");

    let orders = dir.path().join("orders.json");
    std::fs::write(
        &orders,
        r#"[{"ordNo": "CLI-1", "ordpeNm": "홍길동", "customerId": "c-1001", "ordRcpMediaCd": "10",
             "ordRcpDts": "2026-11-20 09:50:17",
             "shippingFees": [{"splVenId": "0000023456", "amount": 2500}],
             "items": [{"ordItemSeq": 1, "itemId": "1000028463390", "itemNm": "유기농 우유 1L",
                        "qty": 3, "unitPrice": 4500, "splVenId": "0000012345", "splVenBdnDcAmt": 900},
                       {"ordItemSeq": 2, "itemId": "1000051234503", "itemNm": "블루투스 이어폰",
                        "qty": 1, "unitPrice": 89000, "splVenId": "0000023456"}]},
            {"ordNo": "CLI-2", "ordpeNm": "김철수", "customerId": "c-2002", "ordRcpMediaCd": "77",
             "ordRcpDts": "2026-11-20 09:50:17",
             "items": [{"ordItemSeq": 1, "itemId": "1", "itemNm": "x", "qty": 1, "unitPrice": 1,
                        "splVenId": "0000012345"}]}]"#,
    )
    .unwrap();
    let imported = ssg_claims(&db)
        .args(["order", "import"])
        .arg(&orders)
        .output()
        .unwrap();
    assert!(!imported.status.success(), "one order is invalid");
    let stderr = String::from_utf8_lossy(&imported.stderr);
    assert!(stderr.contains("CLI-2: refused: ordRcpMediaCd"), "{stderr}");
    assert!(stdout(&imported).contains("CLI-1: placed"));
    let again = ssg_claims(&db)
        .args(["order", "import"])
        .arg(&orders)
        .output()
        .unwrap();
    assert!(stdout(&again).contains("CLI-1: already placed, identical"));

    let by_customer = run(ssg_claims(&db).args([
        "cancel",
        "CLI-1",
        "--item",
        "1:1",
        "--reason",
        "251",
        "--customer",
        "c-1001",
    ]));
    assert!(
        stdout(&by_customer).contains("by customer c-1001"),
        "{}",
        stdout(&by_customer)
    );
    let by_agent = run(ssg_claims(&db).args([
        "cancel",
        "CLI-1",
        "--item",
        "2:1",
        "--item",
        "1:1",
        "--reason",
        "252",
        "--agent",
        "agent-7",
        "--fault",
        "20",
        "--text",
        "색상 변경",
    ]));
    let claim = stdout(&by_agent);
    assert!(claim.contains("imptDivCd 20"), "{claim}");
    assert!(
        claim.contains("2500"),
        "B's shipping fee comes back: {claim}"
    );

    let wrong_customer = ssg_claims(&db)
        .args([
            "cancel",
            "CLI-1",
            "--item",
            "1:1",
            "--reason",
            "251",
            "--customer",
            "c-9",
        ])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&wrong_customer.stderr).contains("another customer"));
    let nobody = ssg_claims(&db)
        .args(["cancel", "CLI-1", "--item", "1:1", "--reason", "251"])
        .output()
        .unwrap();
    assert!(!nobody.status.success());

    run(ssg_claims(&db).args(["ship", "CLI-1", "1", "--vendor", "0000012345"]));
    let late = ssg_claims(&db)
        .args([
            "cancel", "CLI-1", "--item", "1:1", "--reason", "251", "--agent", "agent-7",
        ])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&late.stderr).contains("already shipped"));

    let shown = stdout(&run(ssg_claims(&db).args(["order", "show", "CLI-1"])));
    assert!(shown.contains("shipped"), "{shown}");
    assert_eq!(shown.matches("Claim ").count(), 2, "{shown}");
    let json: serde_json::Value = serde_json::from_slice(
        &run(ssg_claims(&db).args(["order", "show", "CLI-1", "--json"])).stdout,
    )
    .unwrap();
    assert_eq!(json["items"][0]["canceledQty"], 2);
    assert_eq!(json["items"][0]["shippedQty"], 1);
    assert_eq!(json["items"][1]["status"], "canceled");

    let token = create_token(&db, "storefront");
    assert!(token.starts_with("sct_"));
    let tokens = stdout(&run(ssg_claims(&db).args(["token", "list"])));
    assert!(tokens.contains("storefront"));
    assert!(!tokens.contains(token.trim()));

    // Once a command has ended, the database file alone is the whole database: a copy of
    // it, without its write-ahead log, holds everything.
    let wal = dir.path().join("claims.db-wal");
    assert!(
        std::fs::metadata(&wal).map_or(true, |meta| meta.len() == 0),
        "the write-ahead log was folded back into the file"
    );
    let copy_dir = tempfile::tempdir().unwrap();
    let copy = copy_dir.path().join("copy.db");
    std::fs::copy(&db, &copy).unwrap();
    let copied: serde_json::Value = serde_json::from_slice(
        &run(ssg_claims(&copy).args(["order", "show", "CLI-1", "--json"])).stdout,
    )
    .unwrap();
    assert_eq!(copied, json, "the copy holds every claim and shipment");
}

#[test]
fn the_cancellation_flow_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("claims.db");
    add_vendor(&db, "0000012345", "(주)한빛유통");
    let orders = dir.path().join("orders.json");
    std::fs::write(
        &orders,
        r#"{"ordNo": "FLOW-1", "ordpeNm": "홍길동", "customerId": "c-1001", "ordRcpMediaCd": "10",
            "ordRcpDts": "2026-11-20 09:50:17",
            "shippingFees": [{"splVenId": "0000012345", "amount": 3000}],
            "items": [{"ordItemSeq": 1, "itemId": "1000028463390", "itemNm": "유기농 우유 1L",
                       "qty": 3, "unitPrice": 4500, "splVenId": "0000012345", "splVenBdnDcAmt": 900},
                      {"ordItemSeq": 2, "itemId": "1000051234503", "itemNm": "식빵",
                       "qty": 1, "unitPrice": 2500, "splVenId": "0000012345"}]}"#,
    )
    .unwrap();
    run(ssg_claims(&db).args(["order", "import"]).arg(&orders));
    let vendor = ["--vendor", "0000012345"];
    let confirmed = stdout(&run(ssg_claims(&db)
        .args(["confirm", "FLOW-1", "1"])
        .args(vendor)));
    assert!(confirmed.contains("confirmed (피킹완료)"), "{confirmed}");
    let fails = |args: &[&str]| {
        let output = ssg_claims(&db).args(args).output().unwrap();
        assert!(!output.status.success(), "{args:?} should fail");
        String::from_utf8_lossy(&output.stderr).into_owned()
    };
    let unknown = fails(&["confirm", "FLOW-9", "1", "--vendor", "0000012345"]);
    assert!(unknown.contains("FLOW-9 has no item 1"), "{unknown}");
    // Confirmed: canceled only through a request the vendor approves.
    let refused = fails(&[
        "cancel",
        "FLOW-1",
        "--item",
        "1:1",
        "--reason",
        "251",
        "--customer",
        "c-1001",
    ]);
    assert!(refused.contains("only the service center"), "{refused}");
    let filed = stdout(&run(ssg_claims(&db).args([
        "cancel-request",
        "file",
        "FLOW-1",
        "--item",
        "1:2",
        "--reason",
        "258",
        "--agent",
        "agent-7",
    ])));
    assert!(filed.contains("10 취소신청"), "{filed}");
    let approved = stdout(&run(ssg_claims(&db)
        .args(["cancel-request", "approve", "FLOW-1", "1"])
        .args(vendor)));
    assert!(approved.contains("takes effect as claim"), "{approved}");
    assert!(
        approved.contains("600"),
        "two thirds of the 900 discount: {approved}"
    );

    // Item 2: a request, withdrawn by the customer; then shipped with a waybill.
    run(ssg_claims(&db)
        .args(["confirm", "FLOW-1", "2"])
        .args(vendor));
    let filed = stdout(&run(ssg_claims(&db).args([
        "cancel-request",
        "file",
        "FLOW-1",
        "--item",
        "2:1",
        "--reason",
        "251",
        "--agent",
        "agent-7",
    ])));
    let id = filed
        .split_whitespace()
        .find(|word| word.starts_with("creq_"))
        .unwrap()
        .to_owned();
    let withdrawn = stdout(&run(ssg_claims(&db).args([
        "cancel-request",
        "withdraw",
        &id,
        "--customer",
        "c-1001",
    ])));
    assert!(withdrawn.contains("30 취소철회"), "{withdrawn}");
    assert!(
        fails(&[
            "cancel-request",
            "approve",
            "FLOW-1",
            "2",
            "--vendor",
            "0000012345"
        ])
        .contains("no pending line")
    );
    let shipped = stdout(&run(ssg_claims(&db)
        .args([
            "ship",
            "FLOW-1",
            "2",
            "--waybill",
            "0000033011:6012345678901",
        ])
        .args(vendor)));
    assert!(shipped.contains("Released 1 unit(s)"), "{shipped}");
    let bad_waybill = fails(&[
        "ship",
        "FLOW-1",
        "1",
        "--vendor",
        "0000012345",
        "--waybill",
        "6012",
    ]);
    assert!(bad_waybill.contains("CARRIER:NUMBER"), "{bad_waybill}");

    let shown = stdout(&run(ssg_claims(&db).args(["order", "show", "FLOW-1"])));
    assert!(
        shown.contains("released") && shown.contains("confirmed"),
        "{shown}"
    );
    assert!(
        shown.contains("— approved") && shown.contains("— withdrawn"),
        "{shown}"
    );
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

/// A command that reads or changes what is there refuses a database that does not exist
/// (a mistyped path), instead of creating an empty one; a reader that closes the pipe early
/// ends the output quietly.
#[test]
fn reading_commands_need_a_database_and_a_closed_pipe_is_quiet() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("typo.db");
    for args in [
        vec!["order", "show", "20261120000A3F"],
        vec!["vendor", "list"],
        vec!["key", "list"],
        vec!["user", "list"],
        vec!["confirm", "20261120000A3F", "1", "--vendor", "0000012345"],
    ] {
        let output = ssg_claims(&missing).args(&args).output().unwrap();
        assert!(!output.status.success(), "{args:?}");
        let said = String::from_utf8_lossy(&output.stderr);
        assert!(said.contains("there is no database at"), "{args:?}: {said}");
        assert!(!missing.exists(), "{args:?} created nothing");
    }
    // A reader that is gone before the first line is written.
    let db = dir.path().join("claims.db");
    run(ssg_claims(&db).arg("migrate"));
    for n in 0..3 {
        run(ssg_claims(&db).args([
            "vendor",
            "add",
            "--id",
            &format!("0000{:06}", 100_000 + n),
            "--name",
            &format!("업체 {n}"),
        ]));
    }
    let mut child = ssg_claims(&db)
        .args(["vendor", "list"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{said}");
    assert!(!said.contains("panicked"), "{said}");
}

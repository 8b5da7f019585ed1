//! The scenario sandbox graded against two clients written for this test, each playing the
//! same small day in a sandbox of its own on a clock only the test moves (`--speed 0`):
//!
//! - a careful client reads overlapping windows (yesterday and today), reads again after an
//!   answer it cannot trust, and re-reads canceled orders right before it ships;
//! - a careless client reads back-to-back windows (only today), believes a 91 means the
//!   approval failed, and ships from what it knew at its previous poll.
//!
//! The careful one gets no finding at all; the careless one gets exactly the findings its
//! mistakes cause, each naming the order and the step, with lags in sandbox time.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const DAY: &str = r#"
name = "two-clients"
start = "2026-12-08 23:00:00"
end = "+1d 01:00:00"

[[vendor]]
splVenId = "0000012345"
name = "(주)한빛유통"

[[step]]
at = "23:00:05"
place_order = { ordNo = "T1", ordpeNm = "김하나", customerId = "c-1", ordRcpMediaCd = "30", items = [ { ordItemSeq = 1, itemId = "1000000000001", itemNm = "우유", qty = 2, unitPrice = 4500, splVenId = "0000012345" } ] }

[[step]]
at = "23:00:10"
place_order = { ordNo = "T2", ordpeNm = "이두리", customerId = "c-2", ordRcpMediaCd = "30", items = [ { ordItemSeq = 1, itemId = "1000000000002", itemNm = "현미", qty = 1, unitPrice = 19800, splVenId = "0000012345" } ] }

[[step]]
at = "23:00:15"
place_order = { ordNo = "T3", ordpeNm = "박세나", customerId = "c-3", ordRcpMediaCd = "30", items = [ { ordItemSeq = 1, itemId = "1000000000003", itemNm = "감귤", qty = 1, unitPrice = 15900, splVenId = "0000012345" } ] }

[[step]]
on = "approve"
trap = "answer-91-but-done"

[[step]]
at = "23:20:00"
cancel_request = { ordNo = "T2", items = [ { ordItemSeq = 1, qty = 1 } ], clmRsnCd = "251", by = "agent" }

[[step]]
at = "23:59:59"
cancel = { ordNo = "T3", items = [ { ordItemSeq = 1, qty = 1 } ], clmRsnCd = "251", by = "customer" }

[[step]]
at = "+1d 00:20:00"
cancel = { ordNo = "T1", items = [ { ordItemSeq = 1, qty = 2 } ], clmRsnCd = "252", by = "agent" }
"#;

/// `ssg-claims sandbox` playing `scenario` on a clock that stands still, on a free port.
fn still_sandbox(dir: &std::path::Path, scenario: &std::path::Path) -> std::process::Command {
    let mut command = support::ssg_claims(dir.join("unused.db"));
    command
        .args([
            "sandbox",
            "--speed",
            "0",
            "--listen",
            "127.0.0.1:0",
            "--scenario",
        ])
        .arg(scenario);
    command
}

/// A sandbox playing `DAY`, with what its banner tells.
struct Sandbox {
    _server: support::Server,
    _dir: tempfile::TempDir,
    base: String,
    key: String,
    admin: String,
    report: std::path::PathBuf,
    http: reqwest::blocking::Client,
}

impl Sandbox {
    fn start() -> Sandbox {
        let dir = tempfile::tempdir().unwrap();
        let scenario = dir.path().join("day.toml");
        std::fs::write(&scenario, DAY).unwrap();
        let report = dir.path().join("report.json");
        let mut child = still_sandbox(dir.path(), &scenario)
            .arg("--report")
            .arg(&report)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let server = support::Server(child);
        let (mut base, mut key, mut admin) = (None, None, None);
        for line in BufReader::new(stdout).lines() {
            let line = line.unwrap();
            if let Some(rest) = line.split(" at http://").nth(1) {
                base.get_or_insert_with(|| format!("http://{}", rest.trim()));
            }
            if line.trim_start().starts_with("0000012345 ") {
                key = line.split_whitespace().nth(1).map(str::to_owned);
            }
            if line.starts_with("Platform tokens:") {
                admin = line.split(" admin ").nth(1).map(|t| t.trim().to_owned());
            }
            if line.starts_with("The report so far:") {
                break;
            }
        }
        Sandbox {
            _server: server,
            _dir: dir,
            base: base.expect("the banner names the address"),
            key: key.expect("the banner shows the vendor's key"),
            admin: admin.expect("the banner shows the admin token"),
            report,
            http: reqwest::blocking::Client::new(),
        }
    }

    /// Sets the clock; the steps it passes have run when this returns.
    fn set(&self, at: &str) {
        let answer = self
            .http
            .post(format!("{}/v1/sandbox/clock", self.base))
            .bearer_auth(&self.admin)
            .json(&json!({ "set": at }))
            .send()
            .unwrap();
        assert!(answer.status().is_success(), "{:?}", answer.text());
    }

    /// A vendor call: the answer's `result`.
    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}{path}", self.base);
        let request = match method {
            "GET" => self.http.get(url),
            _ => self.http.post(url),
        }
        .header("Authorization", &self.key)
        .header("Accept", "application/json");
        let request = match body {
            Some(body) => request.json(&body),
            None => request,
        };
        let answer: Value = request.send().unwrap().json().unwrap();
        answer["result"].clone()
    }

    fn report(&self) -> Value {
        self.http
            .get(format!(
                "{}/v1/sandbox/report?splVenId=0000012345",
                self.base
            ))
            .bearer_auth(&self.admin)
            .send()
            .unwrap()
            .json()
            .unwrap()
    }
}

/// Every object with an `orordNo` in an answer, however SSG wraps its lists.
fn rows(value: &Value) -> Vec<&Value> {
    let mut found = Vec::new();
    let mut stack = vec![value];
    while let Some(value) = stack.pop() {
        match value {
            Value::Array(values) => stack.extend(values),
            Value::Object(fields) => {
                if fields.contains_key("orordNo") {
                    found.push(value);
                } else {
                    stack.extend(fields.values());
                }
            }
            _ => {}
        }
    }
    found
}

fn text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// A vendor's integration, careful or careless.
struct Client<'a> {
    sandbox: &'a Sandbox,
    careful: bool,
    /// Cancellations seen (claim number, line) and units believed canceled per order.
    seen: BTreeSet<(String, String)>,
    canceled: BTreeMap<String, u64>,
    /// Items as the shipping list showed them: order → (shppNo, units).
    items: BTreeMap<String, (u64, u64)>,
    /// Items it shipped (by shppNo).
    shipped: BTreeSet<u64>,
}

impl Client<'_> {
    fn poll(&mut self, yesterday: &str, today: &str) {
        let from = if self.careful { yesterday } else { today };
        let answer = self.sandbox.call(
            "POST",
            "/api/clm/cncl/ord/inquiry.ssg",
            Some(json!({"request": {"perdStrDts": from, "perdEndDts": today}})),
        );
        assert_eq!(answer["resultCode"], "00", "{answer}");
        for row in rows(&answer["data"]) {
            let claim = (text(&row["ordNo"]), text(&row["ordItemSeq"]));
            if self.seen.insert(claim) {
                let qty: u64 = text(&row["cnclItemQty"]).parse().unwrap();
                *self.canceled.entry(text(&row["orordNo"])).or_default() += qty;
            }
        }
    }

    /// Learns the shipping numbers and confirms `confirm`'s item.
    fn confirm(&mut self, yesterday: &str, today: &str, confirm: &str) {
        let answer = self.sandbox.call(
            "POST",
            "/api/pd/1/listShppDirection.ssg",
            Some(json!({"requestShppDirection": {"perdType": "01", "perdStrDts": yesterday, "perdEndDts": today}})),
        );
        assert_eq!(answer["resultCode"], "00", "{answer}");
        for row in rows(&answer) {
            let shpp_no: u64 = text(&row["shppNo"]).parse().unwrap();
            let units: u64 = text(&row["dircItemQty"]).parse().unwrap();
            self.items.insert(text(&row["orordNo"]), (shpp_no, units));
        }
        let (shpp_no, _) = self.items[confirm];
        let answer = self.sandbox.call(
            "POST",
            "/api/pd/1/updateOrderSubjectManage.ssg",
            Some(json!({"requestOrderSubjectManage": {"shppNo": shpp_no, "shppSeq": 1}})),
        );
        assert_eq!(answer["resultCode"], "00", "{answer}");
    }

    /// Approves every pending cancel request line.
    fn approve(&mut self, yesterday: &str, today: &str) {
        let list =
            format!("/api/claim/v2/cancel/requests?perdStrDts={yesterday}&perdEndDts={today}");
        let pending = self.sandbox.call("GET", &list, None);
        for row in rows(&pending) {
            let (ord_no, seq) = (text(&row["orordNo"]), text(&row["orordItemSeq"]));
            let answer = self.sandbox.call(
                "POST",
                &format!("/api/claim/v2/cancel/request/approve?ordNo={ord_no}&ordItemSeq={seq}"),
                Some(json!({})),
            );
            if answer["resultCode"] == "00" {
                *self.canceled.entry(ord_no).or_default() += 1;
            } else if self.careful {
                // An unclear answer: read what happened before believing anything.
                let again = self.sandbox.call("GET", &list, None);
                if rows(&again)
                    .iter()
                    .all(|row| text(&row["orordNo"]) != ord_no)
                {
                    *self.canceled.entry(ord_no).or_default() += 1;
                }
            } else {
                // It believes the approval failed, takes the request as dead and ships.
                let (shpp_no, units) = self.items[&ord_no];
                self.ship_one(shpp_no, units);
            }
        }
    }

    /// Ships every item it believes open and has not shipped.
    fn ship(&mut self) {
        let items = self.items.clone();
        for (ord_no, (shpp_no, units)) in items {
            let open = units.saturating_sub(self.canceled.get(&ord_no).copied().unwrap_or(0));
            if open > 0 && !self.shipped.contains(&shpp_no) {
                self.ship_one(shpp_no, open);
            }
        }
    }

    /// Ships an item: confirm (when still instructed), waybill, release.
    fn ship_one(&mut self, shpp_no: u64, open: u64) {
        self.shipped.insert(shpp_no);
        self.sandbox.call(
            "POST",
            "/api/pd/1/updateOrderSubjectManage.ssg",
            Some(json!({"requestOrderSubjectManage": {"shppNo": shpp_no, "shppSeq": 1}})),
        );
        self.sandbox.call(
            "POST",
            "/api/pd/1/saveWblNo.ssg",
            Some(json!({"requestWhOutCompleteProcess": {"shppNo": shpp_no, "shppSeq": 1, "wblNo": "123456789012", "delicoVenId": "0000033011", "shppTypeCd": "20", "shppTypeDtlCd": "22"}})),
        );
        self.sandbox.call(
            "POST",
            "/api/pd/1/saveWhOutCompleteProcess.ssg",
            Some(json!({"requestWhOutCompleteProcess": {"shppNo": shpp_no, "shppSeq": 1, "procItemQty": open}})),
        );
    }
}

/// Plays the day against one client; the report the sandbox gives it.
fn play(careful: bool) -> (Value, Value) {
    let sandbox = Sandbox::start();
    let mut client = Client {
        sandbox: &sandbox,
        careful,
        seen: BTreeSet::new(),
        canceled: BTreeMap::new(),
        items: BTreeMap::new(),
        shipped: BTreeSet::new(),
    };
    let (d8, d9) = ("20261208", "20261209");
    sandbox.set("2026-12-08 23:10:00");
    client.poll("20261207", d8);
    client.confirm("20261207", d8, "T2");
    for at in ["2026-12-08 23:30:00", "2026-12-08 23:50:00"] {
        sandbox.set(at);
        client.poll("20261207", d8);
        client.approve("20261207", d8);
    }
    sandbox.set("2026-12-09 00:05:00");
    client.poll(d8, d9);
    sandbox.set("2026-12-09 00:30:00");
    if careful {
        // Re-read right before shipping.
        client.poll(d8, d9);
        client.ship();
    } else {
        client.ship();
        client.poll(d8, d9);
    }
    sandbox.set("2026-12-09 00:50:00");
    client.poll(d8, d9);
    let report = sandbox.report();
    // The day ends with the clock; the report is written to the file.
    sandbox.set("2026-12-09 01:00:00");
    let deadline = Instant::now() + Duration::from_secs(30);
    while !sandbox.report.exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let written: Value =
        serde_json::from_slice(&std::fs::read(&sandbox.report).expect("the report is written"))
            .unwrap();
    (report, written)
}

fn findings(report: &Value) -> Vec<(String, bool, Option<String>, Option<u64>)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["kind"].as_str().unwrap().to_owned(),
                f["harmful"].as_bool().unwrap(),
                f["ordNo"].as_str().map(str::to_owned),
                f["step"].as_u64(),
            )
        })
        .collect()
}

fn lag_of(report: &Value, order: &str) -> Option<i64> {
    report["cancellations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["orordNo"] == order)
        .and_then(|c| c["lagSeconds"].as_i64())
}

#[test]
fn a_careful_client_gets_no_finding() {
    let (report, written) = play(true);
    assert_eq!(findings(&report), vec![], "{report:#}");
    assert_eq!(report["summary"]["cancellations"], 3, "{report:#}");
    assert_eq!(report["summary"]["received"], 3);
    assert_eq!(report["summary"]["harmful"], 0);
    // Lags in sandbox time: T2's approval is received as it is made; T3's cancellation at
    // 23:59:59 by the poll at 00:05:00; T1's at 00:20:00 by the poll at 00:30:00.
    assert_eq!(lag_of(&report, "T2"), Some(0));
    assert_eq!(lag_of(&report, "T3"), Some(301));
    assert_eq!(lag_of(&report, "T1"), Some(600));
    // Every step ran.
    let steps = report["steps"].as_array().unwrap();
    assert!(steps.iter().all(|s| s["outcome"] == "ok"), "{report:#}");
    assert_eq!(steps.len(), 6, "{report:#}");
    assert_eq!(written["summary"], report["summary"]);
}

#[test]
fn a_careless_client_gets_exactly_the_findings_its_mistakes_cause() {
    let (report, written) = play(false);
    let mut got = findings(&report);
    got.sort();
    let want = |kind: &str, harmful, order: Option<&str>, step: Option<u64>| {
        (kind.to_owned(), harmful, order.map(str::to_owned), step)
    };
    let mut expected = vec![
        // Only "today" after midnight: 23:50:01–23:59:59 was never read …
        want("coverage-gap", false, None, None),
        // … and the cancellation at 23:59:59 in it never reached the client.
        want("missed-cancellation", true, Some("T3"), Some(6)),
        // It believed the 91 and shipped the item whose cancel request it had approved.
        want("ship-canceled", true, Some("T2"), Some(5)),
        // It shipped T1 from what it knew before T1 was canceled at 00:20 …
        want("shipped-after-cancel", true, Some("T1"), Some(7)),
        // … and T3, whose cancellation it never received.
        want("shipped-after-cancel", true, Some("T3"), Some(6)),
    ];
    expected.sort();
    assert_eq!(got, expected, "{report:#}");
    assert_eq!(report["summary"]["harmful"], 4);
    assert_eq!(report["summary"]["missed"], 1);
    let gap = &report["coverage"];
    assert_eq!(gap[0]["to"], "2026-12-08 23:50:00", "{gap}");
    assert_eq!(gap[1]["from"], "2026-12-09 00:00:00", "{gap}");
    // The details name the step.
    for finding in report["findings"].as_array().unwrap() {
        if let Some(step) = finding["step"].as_u64() {
            assert!(
                finding["detail"]
                    .as_str()
                    .unwrap()
                    .ends_with(&format!("(step {step})")),
                "{finding}"
            );
        }
    }
    assert_eq!(lag_of(&report, "T3"), None);
    // The file written at the day's end says the same (the clock moved on since).
    assert_eq!(written["summary"]["harmful"], 4);
}

#[test]
fn an_invalid_scenario_is_refused_before_the_day_starts() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("bad.toml");
    std::fs::write(
        &scenario,
        DAY.replace(
            "clmRsnCd = \"251\", by = \"customer\"",
            "clmRsnCd = 251, by = \"customer\"",
        ),
    )
    .unwrap();
    let output = support::ssg_claims(dir.path().join("unused.db"))
        .args(["sandbox", "--listen", "127.0.0.1:0", "--scenario"])
        .arg(&scenario)
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("step 6: cancel.clmRsnCd"),
        "the step and the field are named: {stderr}"
    );
    assert!(output.stdout.is_empty(), "nothing started");
}

#[test]
fn the_client_runs_on_sandbox_time_with_the_sandboxs_address_and_key() {
    let has_faketime = std::env::var_os("PATH").is_some_and(|paths| {
        std::env::split_paths(&paths).any(|dir| dir.join("faketime").is_file())
    });
    if !has_faketime {
        eprintln!(
            "SKIPPED: faketime is not installed (Debian: apt-get install faketime); .ci/run installs it"
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("day.toml");
    // A day years away, on a clock that stands still: the client must see it, not today.
    std::fs::write(
        &scenario,
        DAY.replace("2026-12-08 23:00:00", "2030-01-02 03:04:05"),
    )
    .unwrap();
    let seen = dir.path().join("seen.txt");
    let client = format!(
        "date '+%Y-%m-%d %H:%M' > {0}; echo \"$SSG_BASE_URL\" >> {0}; echo \"$SSG_API_KEY\" >> {0}",
        seen.display()
    );
    let output = still_sandbox(dir.path(), &scenario)
        .args(["--run-client", &client])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    // The client ended at once: the report came then, with nothing missed yet.
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("The client ended"), "{stderr}");
    let seen = std::fs::read_to_string(&seen).unwrap();
    let lines: Vec<&str> = seen.lines().collect();
    assert_eq!(lines[0], "2030-01-02 03:04", "the client's clock: {seen}");
    assert!(lines[1].starts_with("http://127.0.0.1:"), "{seen}");
    assert!(
        stdout.contains(&format!("0000012345             {}", lines[2])),
        "the key the banner printed: {seen} / {stdout}"
    );
}

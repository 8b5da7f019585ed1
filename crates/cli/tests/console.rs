//! The console in a real browser: Debian's Chromium driven through WebDriver
//! (`chromedriver`), against the `ssg-claims` binary serving a SQLite store on port 0.
//!
//! It walks the agent's flow (sign in, find an order, cancel part of it through the preview,
//! see the claim), the vendor's (see the new cancellation, download the week as CSV and XLSX
//! and compare them with the vendor API's rows for the same week, approve a cancel request),
//! the admin's (issue a key that then works on the vendor API), and the refusals (a form
//! without its CSRF token, another vendor's order, a page after signing out). Every page is
//! photographed at 1280 and 375 px wide into `target/console-screenshots/` and checked with
//! axe-core (installed from npm into `target/axe` on first use): no critical or serious
//! violation may remain.
//!
//! Without Chromium and chromedriver the test says so and passes, except under CI
//! (`CI=true`), where `.ci/run` installs them and their absence is a failure.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use claims_wire::{Format, decode_answer};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
use support::{add_vendor, issue_key, run, serve, ssg_claims};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const PASSWORD: &str = "correct horse battery";
const VENDOR_A: &str = "0000012345";
const LOWER_A: &str = "0000012346";
const VENDOR_B: &str = "0000023456";

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Whether this machine can run the test; under CI it must.
fn browser_available() -> bool {
    let found = Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists();
    if !found {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI must have {CHROMIUM} and {CHROMEDRIVER} (.ci/run installs Debian's chromium and chromium-driver)"
        );
        eprintln!(
            "SKIPPED: the console's browser test needs Debian's chromium and chromium-driver \
             (apt-get install chromium chromium-driver fonts-noto-cjk)"
        );
    }
    found
}

/// axe-core's script, installed from npm into `target/axe` the first time.
fn axe_source() -> String {
    let dir = workspace().join("target/axe");
    let script = dir.join("node_modules/axe-core/axe.min.js");
    if !script.exists() {
        std::fs::create_dir_all(&dir).unwrap();
        let status = Command::new("npm")
            .args([
                "install",
                "--no-save",
                "--no-audit",
                "--no-fund",
                "--prefix",
            ])
            .arg(&dir)
            .arg("axe-core@4")
            .status()
            .expect("npm runs (axe-core is installed from npm for the accessibility checks)");
        assert!(status.success(), "npm install axe-core failed");
    }
    std::fs::read_to_string(&script).unwrap()
}

/// chromedriver on a free loopback port, killed when dropped.
struct Driver {
    child: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_driver() -> Driver {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "chromedriver did not listen"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    Driver {
        child,
        url: format!("http://127.0.0.1:{port}"),
    }
}

/// A store with two vendors (the first with a lower-rank vendor), one console user per role,
/// and three orders: one to cancel, one with a confirmed item and a pending cancel request,
/// one of the other vendor's.
fn seed(db: &str) -> String {
    run(ssg_claims(db).arg("migrate"));
    add_vendor(db, VENDOR_A, "(주)한빛유통");
    run(ssg_claims(db).args([
        "vendor",
        "add",
        "--id",
        LOWER_A,
        "--name",
        "한빛유통 신선센터",
        "--parent",
        VENDOR_A,
    ]));
    add_vendor(db, VENDOR_B, "바른생활가전");
    let key = issue_key(db, VENDOR_A);
    for (login, role, vendor) in [
        ("agent.kim", "service-center", None),
        ("hanbit", "vendor", Some(VENDOR_A)),
        ("admin", "admin", None),
    ] {
        let mut command = ssg_claims(db);
        command.args([
            "user",
            "add",
            "--login",
            login,
            "--role",
            role,
            "--password-stdin",
        ]);
        if let Some(vendor) = vendor {
            command.args(["--vendor", vendor]);
        }
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        writeln!(child.stdin.take().unwrap(), "{PASSWORD}").unwrap();
        let output = child.wait_with_output().unwrap();
        assert!(
            output.status.success(),
            "user add {login}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let item = |seq: u32, vendor: &str, qty: u32, price: u32, discount: u32, name: &str| {
        json!({"ordItemSeq": seq, "itemId": format!("10000284633{seq}{qty}"), "itemNm": name,
               "qty": qty, "unitPrice": price, "splVenId": vendor, "splVenBdnDcAmt": discount})
    };
    let orders = json!([
        {"ordNo": "CONSOLE-1", "ordpeNm": "홍길동", "customerId": "c-1001", "ordRcpMediaCd": "20",
         "ordRcpDts": "2026-11-20 09:50:17",
         "shippingFees": [{"splVenId": VENDOR_A, "amount": 3000}],
         "items": [item(1, VENDOR_A, 3, 4500, 1500, "유기농 우유 1L"),
                   item(2, VENDOR_A, 1, 12000, 0, "제주 감귤 3kg")]},
        {"ordNo": "CONSOLE-2", "ordpeNm": "김영희", "customerId": "c-2002", "ordRcpMediaCd": "10",
         "ordRcpDts": "2026-11-20 10:00:00",
         "shippingFees": [{"splVenId": VENDOR_A, "amount": 2500}],
         "items": [item(1, VENDOR_A, 2, 8900, 400, "무항생제 달걀 30구")]},
        {"ordNo": "CONSOLE-R", "ordpeNm": "박민수", "customerId": "c-4004", "ordRcpMediaCd": "30",
         "ordRcpDts": "2026-11-21 08:30:00",
         "shippingFees": [{"splVenId": VENDOR_A, "amount": 3000}],
         "items": [item(1, VENDOR_A, 2, 15900, 600, "유기농 그래놀라 500g"),
                   item(2, VENDOR_A, 1, 32000, 0, "스테인리스 텀블러")]},
        {"ordNo": "CONSOLE-Q", "ordpeNm": "최지우", "customerId": "c-5005", "ordRcpMediaCd": "20",
         "ordRcpDts": "2026-11-21 09:10:00",
         "shippingFees": [{"splVenId": VENDOR_A, "amount": 3000}],
         "items": [item(1, VENDOR_A, 2, 21000, 0, "원목 도마 세트")]},
        {"ordNo": "CONSOLE-W", "ordpeNm": "정수빈", "customerId": "c-6006", "ordRcpMediaCd": "20",
         "ordRcpDts": "2026-11-21 09:20:00",
         "shippingFees": [{"splVenId": VENDOR_A, "amount": 3000}],
         "items": [item(1, VENDOR_A, 1, 9900, 0, "국산 참기름 350ml"),
                   item(2, VENDOR_A, 2, 6500, 0, "볶음 참깨 200g")]},
        {"ordNo": "CONSOLE-B", "ordpeNm": "이철수", "customerId": "c-3003", "ordRcpMediaCd": "10",
         "ordRcpDts": "2026-11-20 11:00:00",
         "shippingFees": [],
         "items": [item(1, VENDOR_B, 1, 259000, 0, "무선 청소기")]}
    ]);
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), orders.to_string()).unwrap();
    run(ssg_claims(db).arg("order").arg("import").arg(file.path()));
    for (ord_no, seq) in [
        ("CONSOLE-2", "1"),
        ("CONSOLE-Q", "1"),
        ("CONSOLE-W", "1"),
        ("CONSOLE-W", "2"),
    ] {
        run(ssg_claims(db).args(["confirm", ord_no, seq, "--vendor", VENDOR_A]));
    }
    // The customer of CONSOLE-Q asked to cancel one of the two units.
    run(ssg_claims(db).args([
        "cancel-request",
        "file",
        "CONSOLE-Q",
        "--item",
        "1:1",
        "--reason",
        "251",
        "--agent",
        "agent.kim",
    ]));
    for seq in ["1", "2"] {
        run(ssg_claims(db).args(["ship", "CONSOLE-R", seq, "--vendor", VENDOR_A]));
    }
    run(ssg_claims(db).args([
        "cancel-request",
        "file",
        "CONSOLE-2",
        "--item",
        "1:1",
        "--reason",
        "258",
        "--agent",
        "agent.kim",
    ]));
    key
}

/// Where screenshots go, and what every page must pass.
struct Camera {
    dir: PathBuf,
    axe: String,
    shots: usize,
}

impl Camera {
    /// Photographs the page at 1280 and 375 px and checks it with axe-core.
    async fn check(&mut self, browser: &Client, name: &str) {
        for (width, height) in [(1280, 900), (375, 812)] {
            browser.set_window_size(width, height).await.unwrap();
            let inner = browser
                .execute("return window.innerWidth;", vec![])
                .await
                .unwrap();
            assert_eq!(
                inner.as_u64(),
                Some(width as u64),
                "{name}: the page is laid out {inner} px wide, not {width}"
            );
            let png = browser.screenshot().await.unwrap();
            std::fs::write(self.dir.join(format!("{name}-{width}.png")), png).unwrap();
            self.shots += 1;
        }
        browser.set_window_size(1280, 900).await.unwrap();
        browser.execute(&self.axe, vec![]).await.unwrap();
        let found = browser
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, { resultTypes: ['violations'] })
                    .then(r => done(r.violations
                        .filter(v => v.impact === 'critical' || v.impact === 'serious')
                        .map(v => v.id + ' (' + v.impact + '): ' + v.help + ' — ' +
                             v.nodes.map(n => n.target.join(' ')).join(', '))))
                    .catch(e => done(['axe failed: ' + e]));",
                vec![],
            )
            .await
            .unwrap();
        let violations: Vec<String> = serde_json::from_value(found).unwrap();
        assert!(
            violations.is_empty(),
            "{name}: accessibility violations: {violations:#?}"
        );
    }
}

async fn sign_in(browser: &Client, base: &str, login: &str) {
    browser
        .goto(&format!("{base}/console/login"))
        .await
        .unwrap();
    type_into(browser, "login", login).await;
    type_into(browser, "password", PASSWORD).await;
    click(browser, "form.sign-in button[type=submit]").await;
    if path(browser).await.starts_with("/console/login") {
        panic!("{login} could not sign in: {}", text(browser, "main").await);
    }
}

/// Types `text` into the input with `id`.
async fn type_into(browser: &Client, id: &str, text: &str) {
    browser
        .find(Locator::Id(id))
        .await
        .unwrap_or_else(|e| panic!("#{id}: {e}"))
        .send_keys(text)
        .await
        .unwrap();
}

/// Picks `value` in the select with `id`.
async fn choose(browser: &Client, id: &str, value: &str) {
    browser
        .find(Locator::Id(id))
        .await
        .unwrap_or_else(|e| panic!("#{id}: {e}"))
        .select_by_value(value)
        .await
        .unwrap();
}

/// `GET path` with the browser's session cookie, outside the browser.
async fn get_with(http: &reqwest::Client, url: String, cookie: &str) -> reqwest::Response {
    http.get(url).header("Cookie", cookie).send().await.unwrap()
}

/// Clicks a link or a submit button and waits for the page it leads to.
async fn click(browser: &Client, css: &str) {
    let element = browser
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"));
    browser
        .execute("window.__leaving = true;", vec![])
        .await
        .unwrap();
    element.click().await.unwrap();
    let started = Instant::now();
    loop {
        let arrived = browser
            .execute(
                "return window.__leaving === undefined && document.readyState === 'complete';",
                vec![],
            )
            .await
            .unwrap_or(Value::Bool(false));
        if arrived == Value::Bool(true) {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "clicking {css} led nowhere"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn text(browser: &Client, css: &str) -> String {
    browser
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .text()
        .await
        .unwrap()
}

async fn path(browser: &Client) -> String {
    let url = browser.current_url().await.unwrap();
    match url.query() {
        Some(query) => format!("{}?{query}", url.path()),
        None => url.path().to_owned(),
    }
}

async fn sign_out(browser: &Client) {
    click(browser, "form[action='/console/logout'] button").await;
    assert_eq!(path(browser).await, "/console/login");
}

/// The browser's session cookie, for fetching downloads as the signed-in user.
async fn session_cookie(browser: &Client) -> String {
    let cookie = browser.get_named_cookie("console_session").await.unwrap();
    format!("console_session={}", cookie.value())
}

#[test]
fn people_work_through_the_console_in_a_real_browser() {
    if !browser_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("claims.db");
    let db = db.to_str().unwrap();
    let key = seed(db);
    let (_server, base) = serve(db);
    let driver = start_driver();
    let shots = workspace().join("target/console-screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let mut camera = Camera {
        dir: shots.clone(),
        axe: axe_source(),
        shots: 0,
    };

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                         "--disable-dev-shm-usage", "--lang=ko-KR", "--window-size=1280,900"],
                "prefs": {"intl.accept_languages": "ko-KR,ko"}
            }
        });
        let browser = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities.as_object().unwrap().clone())
            .connect(&driver.url)
            .await
            .expect("chromedriver starts a session");
        let http = reqwest::Client::new();

        // ---- The agent: find the order, cancel 2 of 3 units through the preview.
        browser
            .goto(&format!("{base}/console/login"))
            .await
            .unwrap();
        camera.check(&browser, "01-sign-in").await;
        sign_in(&browser, &base, "agent.kim").await;
        assert_eq!(path(&browser).await, "/console/orders");
        // Part of a name finds the order: the family name alone.
        type_into(&browser, "q", "홍").await;
        click(&browser, "form[role=search] button").await;
        assert!(
            text(&browser, "main table").await.contains("CONSOLE-1"),
            "a family name finds the order"
        );
        camera.check(&browser, "02-orders-search").await;
        click(&browser, "a[href='/console/orders/CONSOLE-1']").await;
        assert_eq!(path(&browser).await, "/console/orders/CONSOLE-1");
        camera.check(&browser, "03-order").await;
        click(&browser, "a[href='/console/orders/CONSOLE-1/cancel']").await;
        camera.check(&browser, "04-cancel-form").await;
        type_into(&browser, "qty_1", "2").await;
        choose(&browser, "clmRsnCd", "258").await;
        choose(&browser, "imptDivCd", "20").await;
        click(&browser, "form.card > div.actions button[type=submit]").await;
        // The preview: 2 units, two thirds of the 1,500 discount back, no shipping fee (the
        // vendor still has units open); nothing written yet.
        let preview = text(&browser, "section.card table tbody").await;
        assert!(preview.contains("1,000원"), "{preview}");
        assert!(preview.contains("유기농 우유 1L"), "{preview}");
        // What the customer gets back: 2 × 4,500 less the 1,000 discount share.
        assert!(preview.contains("8,000원"), "{preview}");
        camera.check(&browser, "05-cancel-preview").await;
        // The confirmation's fields, to send them again after it (a reload, a retry).
        let confirmation: Value = browser
            .execute(
                "return Array.from(new FormData(document.querySelector('section.card form')).entries());",
                vec![],
            )
            .await
            .unwrap();
        let order: Value = http
            .get(format!("{base}/v1/orders/CONSOLE-1"))
            .bearer_auth(support::create_token(db, "service-center"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(
            order["claims"].as_array().map(Vec::len),
            Some(0),
            "a preview writes nothing"
        );
        click(&browser, "section.card form button[type=submit]").await;
        let done = path(&browser).await;
        assert!(
            done.starts_with("/console/orders/CONSOLE-1?claim="),
            "{done}"
        );
        let notice = text(&browser, "p.notice.ok").await;
        assert!(notice.contains("클레임"), "{notice}");
        camera.check(&browser, "06-order-canceled").await;
        // A reload, and the same confirmation sent again: nothing happens twice.
        browser.refresh().await.unwrap();
        let cookie = session_cookie(&browser).await;
        let fields: Vec<(String, String)> = serde_json::from_value(confirmation).unwrap();
        let again = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
            .post(format!("{base}/console/orders/CONSOLE-1/cancel"))
            .header("Cookie", &cookie)
            .form(&fields)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), 303, "answered with the first one's result");
        let claims = |order: Value| order["claims"].as_array().map(Vec::len);
        let order: Value = http
            .get(format!("{base}/v1/orders/CONSOLE-1"))
            .bearer_auth(support::create_token(db, "service-center"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(claims(order), Some(1), "one claim, however often confirmed");
        // The cancel page, opened again, says what was already done.
        browser
            .goto(&format!("{base}/console/orders/CONSOLE-1/cancel"))
            .await
            .unwrap();
        assert!(text(&browser, "p.notice.warn").await.contains("이미 처리된 취소"));
        camera.check(&browser, "06a-cancel-again-warns").await;

        // ---- The agent files a return of a released item, through its preview.
        browser
            .goto(&format!("{base}/console/orders/CONSOLE-R"))
            .await
            .unwrap();
        click(&browser, "a[href='/console/orders/CONSOLE-R/return']").await;
        camera.check(&browser, "06b-return-form").await;
        type_into(&browser, "qty_1", "1").await;
        choose(&browser, "clmRsnCd", "351").await;
        click(&browser, "form.card > div.actions button[type=submit]").await;
        // One of two units: half the 600 discount back, the 3,000 return fee charged.
        let preview = text(&browser, "section.card table tbody").await;
        assert!(
            preview.contains("12,600원"),
            "15,900 − 300 − 3,000: {preview}"
        );
        camera.check(&browser, "06c-return-preview").await;
        click(&browser, "section.card form button[type=submit]").await;
        let done = path(&browser).await;
        assert!(
            done.starts_with("/console/orders/CONSOLE-R?pickup="),
            "{done}"
        );
        camera.check(&browser, "06d-return-filed").await;

        // Refusal: a form without its CSRF token is refused (403), and nothing is written.
        browser
            .goto(&format!("{base}/console/orders/CONSOLE-1/cancel"))
            .await
            .unwrap();
        browser
            .execute(
                "document.querySelectorAll('input[name=csrf]').forEach(e => e.remove());
                 document.getElementById('qty_2').value = '1';",
                vec![],
            )
            .await
            .unwrap();
        click(&browser, "form.card > div.actions button[type=submit]").await;
        assert_eq!(text(&browser, "h1").await, "허용되지 않습니다");
        camera.check(&browser, "07-refused-without-csrf").await;
        let cookie = session_cookie(&browser).await;
        let forged = http
            .post(format!("{base}/console/orders/CONSOLE-1/cancel"))
            .header("Cookie", &cookie)
            .form(&[
                ("qty_2", "1"),
                ("clmRsnCd", "251"),
                ("imptDivCd", "10"),
                ("confirm", "1"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(forged.status(), 403);

        // Refusal: after signing out, pages send the browser to the sign-in page.
        browser
            .goto(&format!("{base}/console/orders"))
            .await
            .unwrap();
        sign_out(&browser).await;
        browser
            .goto(&format!("{base}/console/orders/CONSOLE-1"))
            .await
            .unwrap();
        assert_eq!(
            path(&browser).await,
            "/console/login?next=/console/orders/CONSOLE-1"
        );
        let stale = get_with(&http, format!("{base}/console/orders/CONSOLE-1"), &cookie).await;
        assert_eq!(
            stale.url().path(),
            "/console/login",
            "the old cookie opens nothing"
        );

        // ---- The vendor's staff: the new cancellation, the week as files, an approval.
        sign_in(&browser, &base, "hanbit").await;
        assert_eq!(path(&browser).await, "/console/today");
        assert_eq!(
            text(&browser, "a.tile strong[data-waiting=requests]").await,
            "2",
            "two cancel requests wait"
        );
        camera.check(&browser, "08a-today").await;
        browser
            .goto(&format!("{base}/console/cancellations"))
            .await
            .unwrap();
        let table = text(&browser, "div.scroll table").await;
        assert!(
            table.contains("CONSOLE-1") && table.contains("원"),
            "{table}"
        );
        camera.check(&browser, "08-cancellations").await;
        let week = browser
            .find(Locator::Css("a[href^='/console/cancellations.csv']"))
            .await
            .unwrap()
            .attr("href")
            .await
            .unwrap()
            .unwrap();
        let query = week.split_once('?').unwrap().1.to_owned();
        let cookie = session_cookie(&browser).await;
        let csv = get_with(
            &http,
            format!("{base}/console/cancellations.csv?{query}"),
            &cookie,
        )
        .await
        .bytes()
        .await
        .unwrap();
        let xlsx = get_with(
            &http,
            format!("{base}/console/cancellations.xlsx?{query}"),
            &cookie,
        )
        .await
        .bytes()
        .await
        .unwrap();
        let (from, to) = {
            let pairs: Vec<(&str, &str)> = query
                .split('&')
                .filter_map(|pair| pair.split_once('='))
                .collect();
            let get = |name| pairs.iter().find(|(k, _)| *k == name).unwrap().1.to_owned();
            (get("from"), get("to"))
        };
        let api = http
            .post(format!("{base}/api/clm/cncl/ord/inquiry.ssg"))
            .header("Authorization", &key)
            .header("Content-Type", "application/json")
            .header("Accept", "application/json")
            .body(json!({"request": {"perdStrDts": from, "perdEndDts": to}}).to_string())
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        let expected = api_lines(&api);
        assert!(!expected.is_empty());
        assert_eq!(
            csv_lines(&csv),
            expected,
            "the CSV holds exactly the API's rows"
        );
        assert_eq!(
            xlsx_lines(&xlsx),
            expected,
            "the XLSX holds exactly the API's rows"
        );

        browser
            .goto(&format!("{base}/console/dashboard"))
            .await
            .unwrap();
        assert!(browser.find(Locator::Css("svg.chart")).await.is_ok());
        camera.check(&browser, "09-dashboard").await;

        browser
            .goto(&format!("{base}/console/shipping"))
            .await
            .unwrap();
        assert!(path(&browser).await.ends_with("/console/shipping"));
        camera.check(&browser, "10-shipping").await;
        click(&browser, "tr:has(a[href='/console/orders/CONSOLE-2']) button[name=only]").await;
        let notice = text(&browser, "p.notice.ok").await;
        assert!(notice.contains("CONSOLE-2"), "{notice}");
        camera.check(&browser, "11-approved").await;
        browser
            .goto(&format!("{base}/console/shipping?tab=confirm"))
            .await
            .unwrap();

        // The vendor's own notices: out of stock on one item, a delay on another.
        browser
            .find(Locator::Css(
                "tr:has(#nosell-text-CONSOLE-1-1) details.notices summary",
            ))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        camera.check(&browser, "11b-notices-open").await;
        type_into(&browser, "nosell-text-CONSOLE-1-1", "입고 지연으로 결품").await;
        click(
            &browser,
            "form[action='/console/shipping/no-sell']:has(#nosell-text-CONSOLE-1-1) button",
        )
        .await;
        let notice = text(&browser, "p.notice.ok").await;
        assert!(notice.contains("판매불가"), "{notice}");
        let badge = text(&browser, "td span.badge.bad").await;
        assert!(badge.contains("자동 취소 예정"), "{badge}");
        camera.check(&browser, "11c-out-of-stock-registered").await;
        browser
            .find(Locator::Css(
                "tr:has(#delay-date-CONSOLE-1-2) details.notices summary",
            ))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        choose(&browser, "delay-reason-CONSOLE-1-2", "03").await;
        click(
            &browser,
            "form[action='/console/shipping/delay']:has(#delay-date-CONSOLE-1-2) button",
        )
        .await;
        let notice = text(&browser, "p.notice.ok").await;
        assert!(notice.contains("출고지연"), "{notice}");
        camera.check(&browser, "11d-delayed").await;

        // The release queue: an item the customer asked to cancel is marked, and releasing
        // it asks first — without the box ticked nothing ships.
        browser
            .goto(&format!("{base}/console/shipping?tab=release"))
            .await
            .unwrap();
        let row = "tr:has(a[href='/console/orders/CONSOLE-Q'])";
        assert!(
            text(&browser, &format!("{row} .badge.bad")).await.contains("취소신청 중")
        );
        camera.check(&browser, "11i-release-queue").await;
        browser
            .find(Locator::Css(&format!("{row} details.notices summary")))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        camera.check(&browser, "11j-release-asks-first").await;
        click(&browser, &format!("{row} details.notices button[name=only]")).await;
        let alert = text(&browser, "p.notice.error").await;
        assert!(alert.contains("취소신청"), "{alert}");
        let service = support::create_token(db, "service-center");
        let shipped = |order: Value| order["items"][0]["shippedQty"].as_u64();
        let order: Value = http
            .get(format!("{base}/v1/orders/CONSOLE-Q"))
            .bearer_auth(&service)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(shipped(order), Some(0), "nothing shipped without the vendor's word");
        camera.check(&browser, "11k-release-refused").await;

        // Waybills from a sheet: two items released at once, each row told.
        let sheet = dir.path().join("waybills.csv");
        std::fs::write(
            &sheet,
            "주문번호,순번,택배사코드,운송장번호\nCONSOLE-W,1,0000033011,601234567801\nCONSOLE-W,2,,601234567802\nCONSOLE-Q,1,,601234567803\n",
        )
        .unwrap();
        browser
            .find(Locator::Css("details.sheet summary"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        browser
            .find(Locator::Id("sheet"))
            .await
            .unwrap()
            .send_keys(sheet.to_str().unwrap())
            .await
            .unwrap();
        camera.check(&browser, "11l-waybill-sheet").await;
        click(&browser, "form[action='/console/shipping/waybills'] button").await;
        let told = text(&browser, "main").await;
        assert!(told.contains("2건 출고했습니다"), "{told}");
        assert!(told.contains("취소신청이 있어 출고하지 않았습니다"), "{told}");
        camera.check(&browser, "11m-waybills-told").await;
        let order: Value = http
            .get(format!("{base}/v1/orders/CONSOLE-W"))
            .bearer_auth(&service)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(shipped(order), Some(1), "{}", "CONSOLE-W #1 released");

        // The return the agent filed: confirmed by courier, then completed (refunded).
        browser
            .goto(&format!("{base}/console/returns"))
            .await
            .unwrap();
        assert!(
            text(&browser, "div.scroll table")
                .await
                .contains("CONSOLE-R")
        );
        camera.check(&browser, "11e-returns").await;
        browser
            .find(Locator::Css("td details.notices summary"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        browser
            .execute(
                "document.querySelector('input[name=wblNo]').value = '6098765432101';",
                vec![],
            )
            .await
            .unwrap();
        camera.check(&browser, "11f-return-confirm-open").await;
        click(
            &browser,
            "form.notice-form[action='/console/returns/step'] button",
        )
        .await;
        let notice = text(&browser, "p.notice.ok").await;
        assert!(notice.contains("회수확인"), "{notice}");
        camera.check(&browser, "11g-return-confirmed").await;
        click(
            &browser,
            "form.inline[action='/console/returns/step'] button",
        )
        .await;
        let notice = text(&browser, "p.notice.ok").await;
        assert!(notice.contains("회수완료"), "{notice}");
        camera.check(&browser, "11h-return-completed").await;

        // Refusal: another vendor's order is answered as a missing one.
        browser
            .goto(&format!("{base}/console/orders/CONSOLE-B"))
            .await
            .unwrap();
        assert_eq!(text(&browser, "h1").await, "찾을 수 없습니다");
        camera.check(&browser, "12-other-vendors-order").await;
        let hidden = get_with(&http, format!("{base}/console/orders/CONSOLE-B"), &cookie).await;
        assert_eq!(hidden.status(), 404);
        browser
            .goto(&format!("{base}/console/orders/CONSOLE-2"))
            .await
            .unwrap();
        let requests = text(&browser, "main").await;
        assert!(requests.contains("취소완료"), "{requests}");
        camera.check(&browser, "13-vendor-order").await;
        sign_out(&browser).await;

        // ---- The operator: a new key, shown once, that works on the vendor API at once.
        sign_in(&browser, &base, "admin").await;
        camera.check(&browser, "14-admin-dashboard").await;
        browser
            .goto(&format!("{base}/console/admin/keys"))
            .await
            .unwrap();
        type_into(&browser, "vendor", VENDOR_B).await;
        click(&browser, "form.card button[type=submit]").await;
        assert_eq!(path(&browser).await, "/console/admin/keys/issued");
        let new_key = text(&browser, "#new-secret").await;
        camera.check(&browser, "15-admin-key-issued").await;
        // Shown once: a reload shows it no more.
        browser.refresh().await.unwrap();
        assert!(text(&browser, "main").await.contains("이미 한 번 보여 드렸습니다"));
        camera.check(&browser, "15b-admin-key-shown-once").await;
        let answer: Value = http
            .post(format!("{base}/api/clm/cncl/ord/inquiry.ssg"))
            .header("Authorization", new_key.trim())
            .header("Content-Type", "application/json")
            .header("Accept", "application/json")
            .body(json!({"request": {"perdStrDts": from, "perdEndDts": to}}).to_string())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(answer["result"]["resultCode"], "00", "{answer}");
        for page in ["vendors", "tokens", "users"] {
            browser
                .goto(&format!("{base}/console/admin/{page}"))
                .await
                .unwrap();
            camera.check(&browser, &format!("16-admin-{page}")).await;
        }
        // In English, on request.
        click(&browser, "a[lang=en]").await;
        assert_eq!(text(&browser, "h1").await, "Console users");
        camera.check(&browser, "17-admin-users-english").await;
        sign_out(&browser).await;
        browser.close().await.unwrap();
    });
    eprintln!(
        "{} screenshots in {}",
        camera.shots,
        shots.canonicalize().unwrap().display()
    );
}

/// The API's answer as lines of cells: each row's fields with one cost line's, as the
/// files write them.
fn api_lines(body: &[u8]) -> Vec<Vec<String>> {
    let answer = decode_answer(Format::Json, body).expect("the API's answer decodes");
    let mut lines = Vec::new();
    for row in &answer.rows {
        let fields: Vec<String> = row.fields().iter().map(|(_, v)| (*v).to_owned()).collect();
        for cost in &row.cst_info {
            let mut line = fields.clone();
            line.extend(cost.fields().iter().map(|(_, v)| (*v).to_owned()));
            lines.push(line);
        }
    }
    lines
}

fn csv_lines(body: &[u8]) -> Vec<Vec<String>> {
    let body = body
        .strip_prefix(b"\xEF\xBB\xBF".as_slice())
        .expect("the CSV starts with a byte-order mark");
    let mut reader = csv::Reader::from_reader(body);
    let headings = reader.headers().unwrap().clone();
    assert_eq!(&headings[0], "주문자명", "Korean headings");
    // As Excel shows them: `="0000012345"` (digits kept as text) reads as its digits.
    let shown = |cell: &str| {
        cell.strip_prefix("=\"")
            .and_then(|rest| rest.strip_suffix('"'))
            .unwrap_or(cell)
            .to_owned()
    };
    reader
        .records()
        .map(|record| record.unwrap().iter().map(shown).collect())
        .collect()
}

fn xlsx_lines(body: &[u8]) -> Vec<Vec<String>> {
    use calamine::{Data, Reader, Xlsx};
    let mut workbook = Xlsx::new(std::io::Cursor::new(body.to_vec())).unwrap();
    let sheet = workbook.worksheet_range_at(0).unwrap().unwrap();
    sheet
        .rows()
        .skip(1)
        .map(|cells| {
            cells
                .iter()
                .map(|cell| match cell {
                    Data::Float(n) => format!("{n}"),
                    Data::Int(n) => n.to_string(),
                    Data::Empty => String::new(),
                    // A date: Excel's serial day (from 1899-12-30) of the KST wall time, read
                    // back as the API writes a time.
                    Data::DateTime(at) => {
                        let wall = ((at.as_f64() - 25_569.0) * 86_400.0).round() as i64;
                        claims_domain::KstDateTime::from_unix_seconds(wall - 9 * 3600)
                            .unwrap()
                            .to_wire()
                    }
                    other => other.to_string(),
                })
                .collect()
        })
        .collect()
}

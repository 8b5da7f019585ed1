//! The console over HTTP, on both stores: a vendor user's week is exactly their API key's,
//! sessions lapse when idle and end at sign-out, failed sign-ins slow down, roles keep to
//! their pages, a session opened on one node is good on another, and forms without their
//! CSRF token change nothing. (The browser test in the CLI crate walks the pages as people
//! do.)

mod support;

use std::collections::HashMap;

use claims_server::Config;
use claims_server::console::hash_password;
use claims_store::conformance::{LOWER_A1, LOWER_A2, VENDOR_A, at, order};
use claims_store::{Login, NewUser, Password, UserRole};
use claims_wire::{Format, decode_answer};
use support::{Backend, TestApp, spawn_on};

const PASSWORD: &str = "correct horse battery";

/// A browser without a browser: keeps cookies, follows no redirects.
struct Visitor {
    base: String,
    client: reqwest::Client,
    cookies: HashMap<String, String>,
}

/// What a page answered.
struct Page {
    status: u16,
    location: String,
    body: String,
}

impl Page {
    /// The CSRF token of the page's first form.
    fn csrf(&self) -> String {
        let at = self
            .body
            .find("name=\"csrf\" value=\"")
            .expect("a form with a token")
            + 19;
        self.body[at..].split('"').next().unwrap().to_owned()
    }
}

impl Visitor {
    fn new(app: &TestApp) -> Visitor {
        Visitor {
            base: app.base.clone(),
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            cookies: HashMap::new(),
        }
    }

    /// The same cookies, against another node.
    fn on(&self, app: &TestApp) -> Visitor {
        Visitor {
            base: app.base.clone(),
            client: self.client.clone(),
            cookies: self.cookies.clone(),
        }
    }

    async fn send(&mut self, request: reqwest::RequestBuilder) -> Page {
        let cookie: Vec<String> = self
            .cookies
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect();
        let response = request
            .header("Cookie", cookie.join("; "))
            .header("Accept-Language", "ko-KR")
            .send()
            .await
            .unwrap();
        for set in response.headers().get_all("set-cookie") {
            let set = set.to_str().unwrap();
            let (pair, attributes) = set.split_once(';').unwrap_or((set, ""));
            let (name, value) = pair.split_once('=').unwrap();
            if value.is_empty() || attributes.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
        Page {
            status: response.status().as_u16(),
            location: response
                .headers()
                .get("location")
                .map_or(String::new(), |l| l.to_str().unwrap().to_owned()),
            body: response.text().await.unwrap(),
        }
    }

    async fn get(&mut self, path: &str) -> Page {
        let request = self.client.get(format!("{}{path}", self.base));
        self.send(request).await
    }

    async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        let request = self.client.post(format!("{}{path}", self.base)).form(form);
        self.send(request).await
    }

    async fn sign_in(&mut self, login: &str, password: &str) -> Page {
        let form = self.get("/console/login").await;
        assert_eq!(form.status, 200);
        let csrf = form.csrf();
        self.post(
            "/console/login",
            &[("login", login), ("password", password), ("csrf", &csrf)],
        )
        .await
    }
}

async fn add_user(app: &TestApp, login: &str, role: UserRole) {
    let password_hash = hash_password(&Password::parse(PASSWORD).unwrap());
    app.store
        .add_console_user(
            NewUser {
                login: Login::parse(login).unwrap(),
                role,
                password_hash,
            },
            at("2026-11-01 00:00:00"),
        )
        .await
        .unwrap();
}

fn scope(lower: Option<&str>) -> claims_domain::Scope {
    claims_domain::Scope {
        vendor: claims_domain::VendorId::parse("v", VENDOR_A).unwrap(),
        lower_rank: lower.map(|l| claims_domain::VendorId::parse("l", l).unwrap()),
    }
}

/// The API's rows as CSV lines (each row's fields with one cost line's).
fn api_lines(body: &str) -> Vec<Vec<String>> {
    let answer = decode_answer(Format::Json, body.as_bytes()).unwrap();
    answer
        .rows
        .iter()
        .flat_map(|row| {
            let fields: Vec<String> = row.fields().iter().map(|(_, v)| (*v).to_owned()).collect();
            row.cst_info.iter().map(move |cost| {
                let mut line = fields.clone();
                line.extend(cost.fields().iter().map(|(_, v)| (*v).to_owned()));
                line
            })
        })
        .collect()
}

fn csv_lines(body: &str) -> Vec<Vec<String>> {
    let body = body.strip_prefix('\u{feff}').expect("a byte-order mark");
    csv::Reader::from_reader(body.as_bytes())
        .records()
        .map(|record| record.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

async fn a_vendor_user_sees_exactly_what_their_key_sees(backend: Backend) {
    let Some(app) = spawn_on(backend, Config::default()).await else {
        return;
    };
    add_user(&app, "hanbit", UserRole::Vendor(scope(None))).await;
    add_user(&app, "fresh", UserRole::Vendor(scope(Some(LOWER_A1)))).await;
    for (login, key) in [("hanbit", &app.keys.a), ("fresh", &app.keys.a1)] {
        let mut visitor = Visitor::new(&app);
        let signed = visitor.sign_in(login, PASSWORD).await;
        assert_eq!(
            (signed.status, signed.location.as_str()),
            (303, "/console/cancellations")
        );
        let api = app.period(key, "20261122", "20261128").await;
        assert_eq!(api.code(), "00");
        let expected = api_lines(&api.body);
        assert!(!expected.is_empty());
        let csv = visitor
            .get("/console/cancellations.csv?from=20261122&to=20261128")
            .await;
        assert_eq!(csv.status, 200);
        assert_eq!(
            csv_lines(&csv.body),
            expected,
            "{login}'s CSV is their key's"
        );
        let page = visitor
            .get("/console/cancellations?from=20261122&to=20261128")
            .await;
        for line in &expected {
            assert!(
                page.body.contains(&line[5]),
                "{login}'s page shows {}",
                line[5]
            );
        }
        // Another vendor's order is answered as a missing one.
        let other = visitor.get("/console/orders/B-ORDER-1").await;
        assert_eq!(other.status, 404);
        // More than 7 days, or another lower-rank vendor than their own, is refused.
        let long = visitor
            .get("/console/cancellations?from=20261120&to=20261128")
            .await;
        assert_eq!(long.status, 400);
        if login == "fresh" {
            let foreign = visitor
                .get(&format!(
                    "/console/cancellations?from=20261122&to=20261128&lrnk={LOWER_A2}"
                ))
                .await;
            assert_eq!(foreign.status, 400);
        }
    }
}

#[tokio::test]
async fn a_vendor_user_sees_exactly_what_their_key_sees_on_sqlite() {
    a_vendor_user_sees_exactly_what_their_key_sees(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_vendor_user_sees_exactly_what_their_key_sees_on_postgres() {
    a_vendor_user_sees_exactly_what_their_key_sees(Backend::Postgres).await;
}

async fn sessions_end_and_sign_ins_slow_down(backend: Backend) {
    let Some(app) = spawn_on(backend, Config::default()).await else {
        return;
    };
    add_user(&app, "agent.kim", UserRole::ServiceCenter).await;
    let mut agent = Visitor::new(&app);
    let signed = agent.sign_in("agent.kim", PASSWORD).await;
    assert_eq!(signed.location, "/console/orders");
    let cookie = agent.cookies.get("console_session").cloned().unwrap();
    assert_eq!(cookie.len(), 64);
    let orders = agent.get("/console/orders?q=A-ORDER-1").await;
    assert_eq!(orders.status, 200);
    assert!(orders.body.contains("/console/orders/A-ORDER-1"));

    // Idle for 29 minutes: still signed in, and the visit counts as use.
    app.clock.advance(29 * 60);
    assert_eq!(agent.get("/console/orders").await.status, 200);
    app.clock.advance(29 * 60);
    assert_eq!(agent.get("/console/orders").await.status, 200);
    // Idle for 31: the session has lapsed.
    app.clock.advance(31 * 60);
    let lapsed = agent.get("/console/orders/A-ORDER-1").await;
    assert_eq!(
        (lapsed.status, lapsed.location.as_str()),
        (303, "/console/login?next=/console/orders/A-ORDER-1")
    );

    // Signing out ends the session at once; a form without its token changes nothing.
    agent.sign_in("agent.kim", PASSWORD).await;
    let page = agent.get("/console/orders").await;
    let refused = agent.post("/console/logout", &[]).await;
    assert_eq!(refused.status, 403);
    assert_eq!(agent.get("/console/orders").await.status, 200);
    let out = agent
        .post("/console/logout", &[("csrf", &page.csrf())])
        .await;
    assert_eq!((out.status, out.location.as_str()), (303, "/console/login"));
    let mut replay = Visitor::new(&app);
    replay.cookies.insert("console_session".into(), cookie);
    assert_eq!(replay.get("/console/orders").await.status, 303);

    // An unknown login is refused in the same words as a wrong password.
    let unknown = Visitor::new(&app).sign_in("nobody", PASSWORD).await;
    assert_eq!(unknown.status, 401);
    assert!(
        unknown
            .body
            .contains("아이디 또는 비밀번호가 맞지 않습니다")
    );

    // Wrong passwords: five failures from one address are free (the unknown login above
    // was one), then each attempt waits — even with the right password, for any login.
    let mut guesser = Visitor::new(&app);
    for _ in 0..4 {
        assert_eq!(
            guesser.sign_in("agent.kim", "wrong password!").await.status,
            401
        );
    }
    let slowed = guesser.sign_in("agent.kim", PASSWORD).await;
    assert_eq!(slowed.status, 429);
    assert!(
        slowed.body.contains("초 뒤에 다시 시도하세요"),
        "{}",
        slowed.body
    );
    let another = Visitor::new(&app).sign_in("nobody", PASSWORD).await;
    assert_eq!(another.status, 429);
}

#[tokio::test]
async fn sessions_end_and_sign_ins_slow_down_on_sqlite() {
    sessions_end_and_sign_ins_slow_down(Backend::Sqlite).await;
}

#[tokio::test]
async fn sessions_end_and_sign_ins_slow_down_on_postgres() {
    sessions_end_and_sign_ins_slow_down(Backend::Postgres).await;
}

#[tokio::test]
async fn each_role_keeps_to_its_pages() {
    let app = support::spawn(Config::default()).await;
    add_user(&app, "agent.kim", UserRole::ServiceCenter).await;
    add_user(&app, "hanbit", UserRole::Vendor(scope(None))).await;
    add_user(&app, "admin", UserRole::Admin).await;
    let mut anonymous = Visitor::new(&app);
    let asked = anonymous.get("/console/dashboard").await;
    assert_eq!(asked.location, "/console/login?next=/console/dashboard");
    for (login, allowed, refused) in [
        (
            "agent.kim",
            &["/console/orders", "/console/orders/A-ORDER-1/cancel"][..],
            &[
                "/console/admin/users",
                "/console/cancellations",
                "/console/shipping",
            ][..],
        ),
        (
            "hanbit",
            &[
                "/console/cancellations",
                "/console/shipping",
                "/console/dashboard",
            ][..],
            &[
                "/console/orders?q=A",
                "/console/admin/keys",
                "/console/orders/A-ORDER-1/cancel",
            ][..],
        ),
        (
            "admin",
            &[
                "/console/dashboard",
                "/console/orders?q=A-ORDER-1",
                "/console/cancellations",
                "/console/admin/vendors",
                "/console/admin/keys",
                "/console/admin/tokens",
                "/console/admin/users",
            ][..],
            &["/console/shipping", "/console/orders/A-ORDER-1/cancel"][..],
        ),
    ] {
        let mut visitor = Visitor::new(&app);
        assert_eq!(visitor.sign_in(login, PASSWORD).await.status, 303);
        for path in allowed {
            let page = visitor.get(path).await;
            assert_eq!(page.status, 200, "{login} may see {path}");
            assert!(
                page.body.contains("<html lang=\"ko\">"),
                "Korean by default"
            );
        }
        for path in refused {
            assert_eq!(
                visitor.get(path).await.status,
                403,
                "{login} may not see {path}"
            );
        }
    }
    // Unknown console addresses get the console's own 404 page; an API path keeps its
    // problem answer.
    let missing = anonymous.get("/console/nowhere").await;
    assert_eq!(missing.status, 404);
    assert!(missing.body.contains("<!DOCTYPE html>"));
    // English when the browser prefers it.
    let english = app
        .client
        .get(format!("{}/console/login", app.base))
        .header("Accept-Language", "en-US,en;q=0.9,ko;q=0.5")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(english.contains("Sign in to the ssg-claims console"));
}

#[tokio::test]
async fn a_session_opened_on_one_node_is_good_on_another() {
    let Some(first) = spawn_on(Backend::Postgres, Config::default()).await else {
        return;
    };
    let second = first.another_node(Config::default()).await.unwrap();
    add_user(&first, "agent.kim", UserRole::ServiceCenter).await;
    let mut visitor = Visitor::new(&first);
    visitor.sign_in("agent.kim", PASSWORD).await;
    let mut elsewhere = visitor.on(&second);
    let page = elsewhere.get("/console/orders/A-ORDER-1").await;
    assert_eq!(page.status, 200);
    // Signing out on the second node ends it on the first.
    elsewhere
        .post("/console/logout", &[("csrf", &page.csrf())])
        .await;
    assert_eq!(visitor.get("/console/orders").await.status, 303);
}

#[tokio::test]
async fn an_agent_cancels_with_a_preview_and_the_claim_records_their_login() {
    let app = support::spawn(Config::default()).await;
    app.store
        .place_order(
            order(
                "C-ORDER-1",
                "2026-11-20 09:50:17",
                &[(1, VENDOR_A, None, 2, 1000)],
                &[(VENDOR_A, 3000)],
            ),
            at("2026-11-20 09:50:17"),
        )
        .await
        .unwrap();
    add_user(&app, "agent.kim", UserRole::ServiceCenter).await;
    let mut agent = Visitor::new(&app);
    agent.sign_in("agent.kim", PASSWORD).await;
    let form = agent.get("/console/orders/C-ORDER-1/cancel").await;
    assert_eq!(form.status, 200);
    let csrf = form.csrf();
    let ask = [
        ("csrf", csrf.as_str()),
        ("qty_1", "1"),
        ("clmRsnCd", "251"),
        ("imptDivCd", "20"),
        ("clmRsnCntt", ""),
    ];
    // Nothing to cancel, a bad reason: said in place.
    let empty = agent
        .post(
            "/console/orders/C-ORDER-1/cancel",
            &[("csrf", &csrf), ("clmRsnCd", "251"), ("imptDivCd", "10")],
        )
        .await;
    assert_eq!(empty.status, 422);
    let bad_reason = agent
        .post(
            "/console/orders/C-ORDER-1/cancel",
            &[
                ("csrf", &csrf),
                ("qty_1", "1"),
                ("clmRsnCd", "999"),
                ("imptDivCd", "10"),
            ],
        )
        .await;
    assert_eq!(bad_reason.status, 422);
    assert!(bad_reason.body.contains("clmRsnCd"), "{}", bad_reason.body);

    let preview = agent.post("/console/orders/C-ORDER-1/cancel", &ask).await;
    assert_eq!(preview.status, 200);
    assert!(preview.body.contains("취소 확정"));
    let claims = app
        .store
        .order(&claims_domain::OrderNo::parse("o", "C-ORDER-1").unwrap())
        .await
        .unwrap()
        .unwrap()
        .claims
        .len();
    let at = preview.body.find("name=\"version\" value=\"").unwrap() + 22;
    let version = preview.body[at..].split('"').next().unwrap().to_owned();
    let mut confirm = ask.to_vec();
    confirm.push(("confirm", "1"));
    confirm.push(("version", &version));
    let done = agent
        .post("/console/orders/C-ORDER-1/cancel", &confirm)
        .await;
    assert_eq!(done.status, 303);
    assert!(
        done.location
            .starts_with("/console/orders/C-ORDER-1?claim=")
    );
    let record = app
        .store
        .order(&claims_domain::OrderNo::parse("o", "C-ORDER-1").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(record.claims.len(), claims + 1);
    let claim = record.claims.last().unwrap();
    assert_eq!(
        claim.actor,
        claims_domain::Actor::Agent(claims_domain::AgentId::parse("a", "agent.kim").unwrap())
    );
    assert_eq!(claim.fault, claims_domain::Fault::Vendor);
    // The same confirmation again (a second click) is refused: the order changed.
    let again = agent
        .post("/console/orders/C-ORDER-1/cancel", &confirm)
        .await;
    assert_eq!(again.status, 409);
    let after = app
        .store
        .order(&claims_domain::OrderNo::parse("o", "C-ORDER-1").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(after.claims.len(), claims + 1);
}

//! One credential flooding what holds a request long — console pages, long polls of the
//! feed, downloads — while another vendor keeps polling its inquiry: the flood is refused
//! or answered at once by its own budget, and the other vendor's answers stay fast. Each
//! test prints what it measured.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use claims_server::console::hash_password;
use claims_server::{Config, Rate};
use claims_store::conformance::{VENDOR_A, at};
use claims_store::{Login, NewUser, Password, UserRole};
use support::TestApp;

const PERIOD: &str = r#"{"request": {"perdStrDts": "20261122", "perdEndDts": "20261128"}}"#;

/// Signs `login` in over HTTP; the session cookie.
async fn session_of(app: &TestApp, login: &str) -> String {
    let password = "correct horse battery";
    app.store
        .add_console_user(
            NewUser {
                login: Login::parse(login).unwrap(),
                role: UserRole::Vendor(claims_domain::Scope {
                    vendor: claims_domain::VendorId::parse("v", VENDOR_A).unwrap(),
                    lower_rank: None,
                }),
                password_hash: hash_password(&Password::parse(password).unwrap()),
            },
            at("2026-11-01 00:00:00"),
        )
        .await
        .unwrap();
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let form = client
        .get(format!("{}/console/login", app.base))
        .send()
        .await
        .unwrap();
    let tie = form
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let body = form.text().await.unwrap();
    let at = body.find("name=\"csrf\" value=\"").unwrap() + 19;
    let csrf = body[at..].split('"').next().unwrap().to_owned();
    let signed = client
        .post(format!("{}/console/login", app.base))
        .header("Cookie", tie)
        .form(&[("login", login), ("password", password), ("csrf", &csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(signed.status(), 303);
    signed
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|value| value.to_str().unwrap())
        .find(|value| value.starts_with("console_session="))
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned()
}

/// Another vendor's inquiry, polled while `flood` runs: the slowest answer and how many
/// were not `00`.
async fn poll_while(app: &TestApp, flood: tokio::task::JoinHandle<()>) -> (Duration, usize) {
    let mut slowest = Duration::ZERO;
    let mut failed = 0;
    while !flood.is_finished() {
        let started = Instant::now();
        let answer = app.json(&app.keys.b, PERIOD).await;
        slowest = slowest.max(started.elapsed());
        if answer.code() != "00" {
            failed += 1;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    flood.await.unwrap();
    (slowest, failed)
}

/// Counts of answers by status.
#[derive(Default)]
struct Tally {
    ok: AtomicUsize,
    limited: AtomicUsize,
    other: AtomicUsize,
}

impl Tally {
    fn count(&self, status: u16) {
        let slot = match status {
            200..=399 => &self.ok,
            429 => &self.limited,
            _ => &self.other,
        };
        slot.fetch_add(1, Ordering::Relaxed);
    }

    fn get(&self) -> (usize, usize, usize) {
        (
            self.ok.load(Ordering::Relaxed),
            self.limited.load(Ordering::Relaxed),
            self.other.load(Ordering::Relaxed),
        )
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_console_session_flooding_pages_does_not_slow_another_vendor() {
    let app = support::spawn(Config::default()).await;
    let cookie = session_of(&app, "hanbit").await;
    let tally = Arc::new(Tally::default());
    let flood = {
        let (base, tally) = (app.base.clone(), Arc::clone(&tally));
        tokio::spawn(async move {
            let client = reqwest::Client::new();
            let deadline = Instant::now() + Duration::from_secs(5);
            let mut clients = tokio::task::JoinSet::new();
            for _ in 0..64 {
                let (client, base, cookie, tally) = (
                    client.clone(),
                    base.clone(),
                    cookie.clone(),
                    Arc::clone(&tally),
                );
                clients.spawn(async move {
                    for _ in 0..400 {
                        if Instant::now() > deadline {
                            break;
                        }
                        let page = client
                            .get(format!(
                                "{base}/console/cancellations?from=20261122&to=20261128"
                            ))
                            .header("Cookie", &cookie)
                            .send()
                            .await
                            .unwrap();
                        tally.count(page.status().as_u16());
                    }
                });
            }
            while clients.join_next().await.is_some() {}
        })
    };
    let (slowest, failed) = poll_while(&app, flood).await;
    let (ok, limited, other) = tally.get();
    println!(
        "console flood: {ok} pages answered, {limited} refused 429, {other} other; \
         another vendor's inquiry: slowest {slowest:?}, {failed} not 00"
    );
    assert!(limited > ok, "the session's budget refuses most of a flood");
    assert!(ok <= 60 + 10 * 6, "burst 60, then 10 a second: {ok}");
    assert_eq!(failed, 0);
    assert!(slowest < Duration::from_secs(1), "{slowest:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_flooding_long_polls_holds_no_room_of_ordinary_calls() {
    // The room in flight is small, so that waits holding it would take all of it.
    let mut config = Config::default();
    config.limits.max_in_flight = 32;
    config.limits.per_key = Rate {
        per_second: 1000,
        burst: 1000,
    };
    let app = support::spawn(config).await;
    let head: serde_json::Value = app
        .client
        .get(format!("{}/v1/events?limit=1000", app.base))
        .bearer_auth(&app.keys.a)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(head["hasMore"], false);
    let cursor = head["nextCursor"].as_str().unwrap().to_owned();
    let tally = Arc::new(Tally::default());
    let waited = Arc::new(AtomicUsize::new(0));
    let flood = {
        let (base, key, tally, waited) = (
            format!("{}/v1/events?after={cursor}&wait=5", app.base),
            app.keys.a.clone(),
            Arc::clone(&tally),
            Arc::clone(&waited),
        );
        tokio::spawn(async move {
            let client = reqwest::Client::new();
            let mut polls = tokio::task::JoinSet::new();
            // 200 at once, then 20 a second up to 600, for at most 20 seconds.
            let started = Instant::now();
            for n in 0..600 {
                if n >= 200 {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                if started.elapsed() > Duration::from_secs(20) {
                    break;
                }
                let (client, base, key, tally, waited) = (
                    client.clone(),
                    base.clone(),
                    key.clone(),
                    Arc::clone(&tally),
                    Arc::clone(&waited),
                );
                polls.spawn(async move {
                    let asked = Instant::now();
                    let answer = client.get(&base).bearer_auth(&key).send().await.unwrap();
                    if asked.elapsed() >= Duration::from_secs(4) {
                        waited.fetch_add(1, Ordering::Relaxed);
                    }
                    tally.count(answer.status().as_u16());
                });
            }
            while polls.join_next().await.is_some() {}
        })
    };
    let (slowest, failed) = poll_while(&app, flood).await;
    let (ok, limited, other) = tally.get();
    let waited = waited.load(Ordering::Relaxed);
    println!(
        "long-poll flood: {ok} answered ({waited} of them after waiting), {limited} refused 429, \
         {other} other; another vendor's inquiry: slowest {slowest:?}, {failed} not 00"
    );
    assert_eq!(failed, 0, "another vendor is always answered 00");
    assert!(slowest < Duration::from_secs(1), "{slowest:?}");
    assert!(waited > 0, "a few polls do wait");
}

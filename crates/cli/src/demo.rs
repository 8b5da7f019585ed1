//! `ssg-claims demo`: a fresh temporary store with realistic data, served at once.

use std::fmt::Write as _;
use std::io::Write as _;
use std::sync::Arc;

use anyhow::Context;
use claims_demo_data::{Plan, populate};
use claims_domain::order::rules;
use claims_domain::{
    DeliveredBy, DeliveredQuery, KstDate, KstDateTime, Period, PickupDate, PickupKind, PickupQuery,
    Scope, ShippingStatus, Text, VendorId,
};
use claims_server::credentials::{Secret, issue_api_key, issue_token};
use claims_server::settings::Settings;
use claims_server::{Clock, INQUIRY_PATH, SystemClock};
use claims_store::{Login, NewUser, Password, Role, Store, UserRole};
use claims_store_sqlite::{Durability, SqliteOptions, SqliteStore};

use crate::DemoArgs;
use crate::serve::{Shutdown, bind, run_server};
use crate::settings::{Effective, Source};

pub async fn run(args: DemoArgs, settings: &Settings, effective: &Effective) -> anyhow::Result<()> {
    let settings = &sandbox_defaults(settings, effective);
    let listener = bind(settings.listen).await?;
    let address = listener.local_addr()?;
    let (dir, store) = temporary_store("ssg-claims-demo-").await?;

    let now = SystemClock.now();
    let plan = Plan {
        orders: args.orders as usize,
        ..Plan::default()
    };
    eprintln!(
        "Filling a fresh demo store ({}) with {} orders over the last {} days...",
        dir.path().display(),
        plan.orders,
        plan.days
    );
    let summary = populate(&*store, now, &plan)
        .await
        .context("cannot fill the demo store")?;
    eprintln!(
        "{} orders, {} claims ({} by customers, {} by agents, {} by vendors' out-of-stock registrations) with {} claim lines, {} confirmations, {} shipments; {} cancel requests (lines: {} approved, {} withdrawn, {} rejected by a shipment, the rest pending); {} out-of-stock registrations waiting for 17:00, {} delay notices; {} requests the rules refused (cancellations too late, approvals with nothing pending).",
        summary.orders,
        summary.claims,
        summary.by_customers,
        summary.by_agents,
        summary.by_vendors,
        summary.claim_lines,
        summary.confirmations,
        summary.shipments,
        summary.cancel_requests,
        summary.approved,
        summary.withdrawn,
        summary.rejected,
        summary.no_sells_pending,
        summary.delays,
        summary.refused
    );
    eprintln!(
        "{} shipments delivered; {} returns and {} exchanges after release, in every state.",
        summary.deliveries, summary.returns, summary.exchanges
    );

    let mut keys = Vec::new();
    for (vendor, lower, label) in [
        ("0000012345", None, "(주)한빛유통, every row of the vendor"),
        (
            "0000012345",
            Some("0000012346"),
            "한빛유통 신선센터 only (a lower-rank key)",
        ),
        ("0000023456", None, "바른생활가전"),
    ] {
        let scope = Scope {
            vendor: VendorId::parse("splVenId", vendor).expect("demo vendor ids are valid"),
            lower_rank: lower.map(|l| VendorId::parse("lrnkSplVenId", l).expect("valid")),
        };
        let (_, secret) = issue_api_key(&*store, scope, now).await?;
        keys.push((vendor, lower, label, secret));
    }

    let mut tokens = Vec::new();
    for role in [Role::Storefront, Role::ServiceCenter, Role::Admin] {
        let label = Text::parse("label", "demo", rules::LABEL).expect("a valid label");
        let (_, secret) = issue_token(&*store, role, label, now).await?;
        tokens.push((role, secret));
    }

    let users = console_users(&*store, now, &demo_people()).await?;
    let examples = Examples::find(&*store, now).await?;
    let shutdown = Shutdown::listen()?;
    // Whoever reads the banner may stop reading (a script that took the key it wanted): the
    // demo keeps serving rather than dying on a closed pipe.
    let _ = writeln!(
        std::io::stdout(),
        "{}",
        banner(address, now, &keys, &tokens, &users, &examples)
    );
    let result = run_server(shutdown, listener, store, settings).await;
    drop(dir);
    result
}

/// A fresh SQLite store in a private temporary directory, removed when the directory is
/// dropped. Its commits do not wait for the disk: it is thrown away at exit.
pub(crate) async fn temporary_store(
    prefix: &str,
) -> anyhow::Result<(tempfile::TempDir, Arc<dyn Store>)> {
    let dir = tempfile::Builder::new()
        .prefix(prefix)
        .tempdir()
        .context("cannot create a temporary directory for the store")?;
    #[cfg(unix)]
    std::fs::set_permissions(
        dir.path(),
        std::os::unix::fs::PermissionsExt::from_mode(0o700),
    )
    .context("cannot make the store's directory private")?;
    let store = SqliteStore::open(
        &dir.path().join("claims.db"),
        SqliteOptions {
            durability: Durability::Normal,
            secrets: crate::database::secrets_key()?,
            ..SqliteOptions::default()
        },
    )
    .await
    .context("cannot create the store")?;
    Ok((dir, Arc::new(store)))
}

/// The demo's console users: one per role, and a lower-rank vendor's.
fn demo_people() -> Vec<(String, String, UserRole)> {
    let vendor = |id: &str| VendorId::parse("splVenId", id).expect("demo vendor ids are valid");
    [
        ("admin", "operator", UserRole::Admin),
        ("agent.kim", "service-center agent", UserRole::ServiceCenter),
        (
            "hanbit",
            "staff of 0000012345 (주)한빛유통",
            UserRole::Vendor(Scope {
                vendor: vendor("0000012345"),
                lower_rank: None,
            }),
        ),
        (
            "hanbit.fresh",
            "staff of its lower-rank 0000012346 only",
            UserRole::Vendor(Scope {
                vendor: vendor("0000012345"),
                lower_rank: Some(vendor("0000012346")),
            }),
        ),
    ]
    .into_iter()
    .map(|(login, what, role)| (login.to_owned(), what.to_owned(), role))
    .collect()
}

/// Console users, each with a fresh random password: (login, what they are, password).
pub(crate) async fn console_users(
    store: &dyn Store,
    now: KstDateTime,
    people: &[(String, String, UserRole)],
) -> anyhow::Result<Vec<(String, String, String)>> {
    let mut users = Vec::new();
    let mut hashing = Vec::new();
    for (login, what, role) in people.iter().cloned() {
        let password = claims_server::console::new_password();
        let parsed = Password::parse(&password).expect("a new password is long enough");
        hashing.push((
            login.clone(),
            role,
            tokio::task::spawn_blocking(move || claims_server::console::hash_password(&parsed)),
        ));
        users.push((login, what, password));
    }
    for (login, role, hash) in hashing {
        let user = NewUser {
            login: Login::parse(&login)
                .map_err(|invalid| anyhow::anyhow!("console user {login:?}: {invalid}"))?,
            role,
            password_hash: hash.await?,
        };
        store.add_console_user(user, now).await?;
    }
    Ok(users)
}

/// Items of the first vendor's that the flow's curls can act on, as the data stands.
struct Examples {
    /// An item to confirm: (shppNo).
    instructed: Option<u64>,
    /// Another instructed item, to ship in one step with the platform API: (ordNo, seq).
    to_ship: Option<(String, u32)>,
    /// A confirmed item to ship: (shppNo, open units).
    confirmed: Option<(u64, u32)>,
    /// An item with a pending cancel request line: (ordNo, ordItemSeq).
    pending: Option<(String, u32)>,
    /// An instructed item to register as out of stock and withdraw again: (shppNo, itemId).
    no_sell: Option<(u64, String)>,
    /// A confirmed item to send a delay notice for: (shppNo, itemId).
    delay: Option<(u64, String)>,
    /// A delivered item with a unit to return: (ordNo, ordItemSeq).
    returnable: Option<(String, u32)>,
    /// A return's pickup filed and waiting for the vendor (61): (shppNo, units).
    pickup: Option<(u64, u32)>,
}

impl Examples {
    async fn find(store: &dyn Store, now: KstDateTime) -> anyhow::Result<Examples> {
        let scope = Scope {
            vendor: VendorId::parse("splVenId", "0000012345").expect("valid"),
            lower_rank: None,
        };
        let today = KstDate::of(now);
        let month = Period::spanning(today.plus_days(-30), today, 31).expect("31 days");
        let week = Period::spanning(today.plus_days(-7), today, 8).expect("8 days");
        let instructed = store
            .shipping_items(&scope, ShippingStatus::Instructed, month, 200)
            .await?;
        let unregistered: Vec<_> = instructed
            .iter()
            .filter(|item| item.state.registered_no_sell().is_none())
            .collect();
        let pending = store.pending_cancel_lines(&scope, week, 50).await?;
        // A confirmed item without a pending request, so that its release goes through.
        let confirmed: Vec<_> = store
            .shipping_items(&scope, ShippingStatus::Confirmed, month, 200)
            .await?
            .into_iter()
            .filter(|item| {
                item.state.registered_no_sell().is_none()
                    && !pending
                        .iter()
                        .any(|line| line.shpp_no == item.state.shpp_no)
            })
            .collect();
        let noticed = |item: &claims_domain::ShippingItem| {
            (item.state.shpp_no.get(), item.item.item_id.to_string())
        };
        // A return filed and waiting for the vendor, to confirm and complete.
        let waiting = store
            .pickups(
                &scope,
                &PickupQuery {
                    by: PickupDate::Filed,
                    period: Some(week),
                    kinds: vec![PickupKind::Return],
                    statuses: vec!["61".to_owned()],
                    lookup: None,
                },
                10,
            )
            .await?;
        let pickup = waiting.first().map(|listing| {
            let line = listing.pickup();
            (line.shpp_no.get(), line.qty.get())
        });
        // A delivered item nothing of which is returned or on its way back.
        let delivered = store
            .delivered_items(
                &scope,
                &DeliveredQuery {
                    by: DeliveredBy::Delivered,
                    period: Some(week),
                    lookup: None,
                },
                50,
            )
            .await?;
        let mut returnable = None;
        for item in &delivered {
            let Some(record) = store.order(&item.ord_no).await? else {
                continue;
            };
            let untouched = !record
                .pickups
                .iter()
                .flat_map(|claim| &claim.lines)
                .any(|line| line.item_seq == item.item.seq);
            if untouched && item.exchange.is_none() {
                returnable = Some((item.ord_no.to_string(), item.item.seq.get()));
                break;
            }
        }
        Ok(Examples {
            returnable,
            pickup,
            no_sell: unregistered.get(2).map(|item| noticed(item)),
            delay: confirmed.get(1).map(noticed),
            instructed: unregistered.first().map(|item| item.state.shpp_no.get()),
            to_ship: unregistered
                .get(1)
                .map(|item| (item.ord_no.to_string(), item.item.seq.get())),
            confirmed: confirmed
                .first()
                .map(|item| (item.state.shpp_no.get(), item.state.open())),
            pending: pending
                .first()
                .map(|line| (line.oror_no.to_string(), line.line.item_seq.get())),
        })
    }
}

fn banner(
    address: std::net::SocketAddr,
    now: KstDateTime,
    keys: &[(&str, Option<&str>, &str, Secret)],
    tokens: &[(Role, Secret)],
    users: &[(String, String, String)],
    examples: &Examples,
) -> String {
    let end = KstDate::of(now);
    let start = end.plus_days(-6);
    let url = format!("http://{address}{INQUIRY_PATH}");
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\nssg-claims demo is serving the SSG vendor API at {url}\n"
    );
    let token = |role: Role| {
        tokens
            .iter()
            .find(|(r, _)| *r == role)
            .map_or("", |(_, secret)| secret.expose())
    };
    let _ = writeln!(
        out,
        "Paste these into another terminal, and the README's curl examples run as they are:\n\n  export KEY={} STOREFRONT={} SERVICE_CENTER={} ADMIN={}\n  export SSG_CLAIMS_KEY=$KEY   # for `ssg-claims cancels`\n",
        keys[0].3.expose(),
        token(Role::Storefront),
        token(Role::ServiceCenter),
        token(Role::Admin)
    );
    let _ = writeln!(out, "API keys (this demo store only):");
    for (vendor, lower, label, secret) in keys {
        let scope = lower.map_or_else(|| (*vendor).to_owned(), |l| format!("{vendor}/{l}"));
        let _ = writeln!(out, "  {:<22} {}  {label}", scope, secret.expose());
    }
    let key = keys[0].3.expose();
    let _ = writeln!(
        out,
        "\nCanceled orders of the last 7 days (KST), in XML:\n\n  curl -sS -X POST '{url}' \\\n    -H 'Authorization: {key}' \\\n    -H 'Content-Type: application/xml' -H 'Accept: application/xml' \\\n    --data '<request><perdStrDts>{s}</perdStrDts><perdEndDts>{e}</perdEndDts></request>'",
        s = start.compact(),
        e = end.compact()
    );
    let _ = writeln!(
        out,
        "\nThe same in JSON:\n\n  curl -sS -X POST '{url}' \\\n    -H 'Authorization: {key}' \\\n    -H 'Content-Type: application/json' -H 'Accept: application/json' \\\n    --data '{{\"request\": {{\"perdStrDts\": \"{s}\", \"perdEndDts\": \"{e}\"}}}}'",
        s = start.compact(),
        e = end.compact()
    );
    let _ = writeln!(
        out,
        "\nThe other vendor's key sees only its own rows:\n\n  curl -sS -X POST '{url}' \\\n    -H 'Authorization: {}' -H 'Content-Type: application/json' \\\n    --data '{{\"request\": {{\"perdStrDts\": \"{s}\", \"perdEndDts\": \"{e}\"}}}}'",
        keys[2].3.expose(),
        s = start.compact(),
        e = end.compact()
    );
    let _ = writeln!(
        out,
        "\nAll 30 days at once, in 7-day windows, as CSV, with the vendor's client:\n\n  SSG_CLAIMS_KEY={key} {program} cancels \\\n    --base-url http://{address} --from {s} --to {e} --format csv > cancels.csv",
        // The path of this very binary, so that the line works without installing it.
        program = std::env::current_exe().map_or_else(
            |_| "ssg-claims".to_owned(),
            |path| path.display().to_string()
        ),
        s = end.plus_days(-29).compact(),
        e = end.compact()
    );
    flow(
        &mut out,
        address,
        now,
        key,
        token(Role::ServiceCenter),
        examples,
    );
    let _ = writeln!(
        out,
        "\nBe told at once — the vendor's change feed, then a webhook (this sandbox lets webhooks call\nplain http:// on this machine; run a receiver on port 9000 first):\n\n  curl -sS 'http://{address}/v1/events?limit=5' -H 'Authorization: Bearer {key}'\n  curl -sS -X POST 'http://{address}/v1/webhooks' \\\n    -H 'Authorization: Bearer {key}' -H 'Content-Type: application/json' \\\n    --data '{{\"url\": \"http://127.0.0.1:9000/ssg-events\"}}'"
    );
    let _ = writeln!(out, "\nPlatform API tokens (Authorization: Bearer ...):");
    for (role, secret) in tokens {
        let _ = writeln!(out, "  {:<15} {}", role.as_str(), secret.expose());
    }
    let _ = writeln!(
        out,
        "\nThe sandbox's clock — any key or token reads it; the admin token moves it forward, and what\nfalls due on the way (out-of-stock registrations at 17:00) runs at its own time first:\n\n  curl -sS 'http://{address}/v1/sandbox/clock' -H 'Authorization: Bearer {key}'\n  curl -sS -X POST 'http://{address}/v1/sandbox/clock' \\\n    -H 'Authorization: Bearer {}' -H 'Content-Type: application/json' \\\n    --data '{{\"advance\": \"PT26H\"}}'",
        token(Role::Admin)
    );
    let _ = writeln!(
        out,
        "\nAn order, its items and claims, as the service center sees it:\n\n  curl -sS 'http://{address}/v1/orders/<orordNo of a row>' \\\n    -H 'Authorization: Bearer {}'",
        tokens[1].1.expose()
    );
    let _ = writeln!(
        out,
        "\nFile a cancel request for a confirmed item (then list and approve it as above):\n\n  curl -sS -X POST 'http://{address}/v1/orders/<ordNo>/cancel-requests' \\\n    -H 'Authorization: Bearer {}' -H 'Content-Type: application/json' \\\n    --data '{{\"items\": [{{\"ordItemSeq\": 1, \"qty\": 1}}], \"clmRsnCd\": \"258\", \"agentId\": \"agent-7\"}}'",
        tokens[1].1.expose()
    );
    let _ = writeln!(
        out,
        "\nThe console, for people: http://{address}/console/ — sign in as"
    );
    for (login, what, password) in users {
        let _ = writeln!(out, "  {login:<13} {password}   {what}");
    }
    let _ = write!(
        out,
        "\nPress Ctrl-C to stop; the demo store is deleted on exit."
    );
    out
}

/// The curls of SSG's cancellation flow, on items of the first vendor's as they stand.
fn flow(
    out: &mut String,
    address: std::net::SocketAddr,
    now: KstDateTime,
    key: &str,
    service: &str,
    examples: &Examples,
) {
    let end = KstDate::of(now);
    let base = format!("http://{address}");
    let post = |path: &str, body: &str| {
        format!(
            "  curl -sS -X POST '{base}{path}' \\\n    -H 'Authorization: {key}' -H 'Content-Type: application/json' \\\n    --data '{body}'"
        )
    };
    let _ = writeln!(
        out,
        "\nSSG's cancellation flow, as an integration calls it:\n\nShipping directions (items to confirm, 배송지시) of the last 30 days:\n\n{}",
        post(
            "/api/pd/1/listShppDirection.ssg",
            &format!(
                "{{\"requestShppDirection\": {{\"perdType\": \"02\", \"perdStrDts\": \"{}\", \"perdEndDts\": \"{}\"}}}}",
                end.plus_days(-30).compact(),
                end.compact()
            )
        )
    );
    if let Some(shpp_no) = examples.instructed {
        let _ = writeln!(
            out,
            "\nConfirm one (주문확인; the customer can no longer cancel it, only the service center can ask):\n\n{}",
            post(
                "/api/pd/1/updateOrderSubjectManage.ssg",
                &format!(
                    "{{\"requestOrderSubjectManage\": {{\"shppNo\": \"{shpp_no}\", \"shppSeq\": \"1\"}}}}"
                )
            )
        );
    }
    let _ = writeln!(
        out,
        "\nPending cancel requests of the last 7 days:\n\n  curl -sS '{base}/api/claim/v2/cancel/requests?perdStrDts={}&perdEndDts={}' \\\n    -H 'Authorization: {key}' -H 'Accept: application/json'",
        end.plus_days(-7).compact(),
        end.compact()
    );
    if let Some((ord_no, seq)) = &examples.pending {
        let _ = writeln!(
            out,
            "\nApprove one (the cancellation takes effect; the inquiry shows it):\n\n  curl -sS -X POST '{base}/api/claim/v2/cancel/request/approve?ordNo={ord_no}&ordItemSeq={seq}' \\\n    -H 'Authorization: {key}' -H 'Content-Type: application/json' --data '{{}}'"
        );
        let _ = writeln!(
            out,
            "\nThe order as the vendor sees it (items, cancellations, pending requests):\n\n  curl -sS '{base}/api/claim/v2/order/{ord_no}' -H 'Authorization: {key}'"
        );
    }
    if let Some((ord_no, seq)) = &examples.to_ship {
        let _ = writeln!(
            out,
            "\nOr ship an item in one step with the platform API (confirm and release; the vendor's own key as bearer):\n\n  curl -sS -X POST '{base}/v1/orders/{ord_no}/items/{seq}/shipment' -H 'Authorization: Bearer {key}'"
        );
    }
    if let Some((shpp_no, open)) = examples.confirmed {
        let _ = writeln!(
            out,
            "\nShip a confirmed item: its waybill, then its release (출고완료):\n\n{}\n\n{}",
            post(
                "/api/pd/1/saveWblNo.ssg",
                &format!(
                    "{{\"requestWhOutCompleteProcess\": {{\"shppNo\": \"{shpp_no}\", \"shppSeq\": \"1\", \"wblNo\": \"6012345678901\", \"delicoVenId\": \"0000033011\", \"shppTypeCd\": \"20\", \"shppTypeDtlCd\": \"22\"}}}}"
                )
            ),
            post(
                "/api/pd/1/saveWhOutCompleteProcess.ssg",
                &format!(
                    "{{\"requestWhOutCompleteProcess\": {{\"shppNo\": \"{shpp_no}\", \"shppSeq\": \"1\", \"procItemQty\": {open}}}}}"
                )
            )
        );
    }
    if let Some((shpp_no, item_id)) = &examples.no_sell {
        let body = |event: &str| {
            format!(
                "{{\"requestNoSellRequestRegist\": {{\"shppNo\": \"{shpp_no}\", \"shppSeq\": \"1\", \"itemId\": \"{item_id}\", \"scEvnt\": \"{event}\", \"shortgRsnCd\": \"09\", \"shortgProcDtlc\": \"입고 지연으로 결품\"}}}}"
            )
        };
        let _ = writeln!(
            out,
            "\nOut of stock (판매불가): register an item — it cannot ship, and is canceled for the customer at\n17:00 tomorrow — then withdraw the registration (scEvnt D) before it runs:\n\n{}\n\n{}",
            post("/api/pd/1/saveNoSellRequestRegist.ssg", &body("I")),
            post("/api/pd/1/saveNoSellRequestRegist.ssg", &body("D")),
        );
    }
    returns(out, &base, &post, end, service, examples);
    if let Some((shpp_no, item_id)) = &examples.delay {
        let _ = writeln!(
            out,
            "\nTell the customer a release will be late (출고지연; the item turns 42):\n\n{}",
            post(
                "/api/pd/1/listShppingDelay.ssg",
                &format!(
                    "{{\"requestShppingDelay\": {{\"shppNo\": \"{shpp_no}\", \"shppSeq\": \"1\", \"itemId\": \"{item_id}\", \"shortgRsnCd\": \"01\", \"whinExpcDt\": \"{}\"}}}}",
                    end.plus_days(3).compact()
                )
            )
        );
    }
}

/// The curls of returns and exchanges after release: filing one, the vendor's pickup list,
/// and confirming and completing a pickup that waits.
fn returns(
    out: &mut String,
    base: &str,
    post: &dyn Fn(&str, &str) -> String,
    end: KstDate,
    service: &str,
    examples: &Examples,
) {
    let _ = writeln!(
        out,
        "\nReturns and exchanges after release (반품, 교환) — the vendor's pickups of the last 7 days:\n\n{}",
        post(
            "/api/pd/1/listExchangeTarget.ssg",
            &format!(
                "{{\"requestExchangeTarget\": {{\"perdType\": \"01\", \"perdStrDts\": \"{}\", \"perdEndDts\": \"{}\", \"shppDivDtlCds\": \"21,22\"}}}}",
                end.plus_days(-7).compact(),
                end.compact()
            )
        )
    );
    if let Some((shpp_no, qty)) = examples.pickup {
        let body = |extra: &str| {
            format!(
                "{{\"requestConfirmRcov\": {{\"shppNo\": \"{shpp_no}\", \"shppSeq\": \"1\", \"procItemQty\": {qty}{extra}}}}}"
            )
        };
        let _ = writeln!(
            out,
            "\nConfirm a return's pickup (회수확인, by courier), then complete it (회수완료: the customer is refunded):\n\n{}\n\n{}",
            post(
                "/api/pd/1/saveConfirmRcov.ssg",
                &body(
                    ", \"shppTypeDtlCd\": \"22\", \"delicoVenId\": \"0000033011\", \"wblNo\": \"6012345678901\""
                )
            ),
            post("/api/pd/1/saveCompleteRcov.ssg", &body("")),
        );
    }
    if let Some((ord_no, seq)) = &examples.returnable {
        let _ = writeln!(
            out,
            "\nFile a return of a delivered item as the service center (the storefront sends customerId;\nan exchange goes to …/exchanges with 451–454):\n\n  curl -sS -X POST '{base}/v1/orders/{ord_no}/returns' \\\n    -H 'Authorization: Bearer {service}' -H 'Content-Type: application/json' \\\n    --data '{{\"items\": [{{\"ordItemSeq\": {seq}, \"qty\": 1}}], \"clmRsnCd\": \"354\", \"agentId\": \"agent-7\"}}'"
        );
    }
}

/// The settings of a local sandbox where the user gave none: webhooks may call a receiver
/// on this machine over plain http, the console's cookie travels over plain http to
/// `127.0.0.1`, and the clock is a sandbox clock the admin token can move. A value the user gave (flag, environment, file) is kept as given.
pub(crate) fn sandbox_defaults(settings: &Settings, effective: &Effective) -> Settings {
    let defaulted = |key: &str| {
        effective
            .shown
            .iter()
            .any(|shown| shown.key == key && shown.source == Source::Default)
    };
    let mut settings = settings.clone();
    if defaulted("webhooks.allow_insecure_targets") {
        settings.webhooks_allow_insecure_targets = true;
    }
    if defaulted("console.secure_cookies") {
        settings.console_secure_cookies = false;
    }
    if defaulted("sandbox.enabled") {
        settings.sandbox = true;
    }
    settings
}

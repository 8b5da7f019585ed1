//! `ssg-claims demo`: a fresh temporary store with realistic data, served at once.

use std::fmt::Write as _;
use std::sync::Arc;

use anyhow::Context;
use claims_demo_data::{Plan, populate};
use claims_domain::{KstDate, KstDateTime, Scope, VendorId};
use claims_server::credentials::{Secret, issue_api_key, issue_token};
use claims_server::settings::Settings;
use claims_server::{Clock, INQUIRY_PATH, SystemClock};
use claims_store::{Role, Store};
use claims_store_sqlite::{Durability, SqliteOptions, SqliteStore};

use crate::DemoArgs;
use crate::serve::{bind, run_server};

pub async fn run(args: DemoArgs, settings: &Settings) -> anyhow::Result<()> {
    let listener = bind(settings.listen).await?;
    let address = listener.local_addr()?;
    let dir = tempfile::Builder::new()
        .prefix("ssg-claims-demo-")
        .tempdir()
        .context("cannot create a temporary directory for the demo store")?;
    let path = dir.path().join("demo.db");
    // The demo's data is thrown away at exit, so commits need not wait for the disk.
    let store = SqliteStore::open(
        &path,
        SqliteOptions {
            durability: Durability::Normal,
            ..SqliteOptions::default()
        },
    )
    .await
    .context("cannot create the demo store")?;
    let store: Arc<dyn Store> = Arc::new(store);

    let now = SystemClock.now();
    let plan = Plan {
        orders: args.orders as usize,
        ..Plan::default()
    };
    eprintln!(
        "Filling a fresh demo store ({}) with {} orders over the last {} days...",
        path.display(),
        plan.orders,
        plan.days
    );
    let summary = populate(&*store, now, &plan)
        .await
        .context("cannot fill the demo store")?;
    eprintln!(
        "{} orders, {} claims ({} by customers, {} by agents) with {} claim lines, {} shipments; {} late requests refused.",
        summary.orders,
        summary.claims,
        summary.by_customers,
        summary.by_agents,
        summary.claim_lines,
        summary.shipments,
        summary.refused
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
        let (_, secret) = issue_token(&*store, role, now).await?;
        tokens.push((role, secret));
    }

    println!("{}", banner(address, now, &keys, &tokens));
    let result = run_server(listener, store, settings).await;
    drop(dir);
    result
}

fn banner(
    address: std::net::SocketAddr,
    now: KstDateTime,
    keys: &[(&str, Option<&str>, &str, Secret)],
    tokens: &[(Role, Secret)],
) -> String {
    let end = KstDate::of(now);
    let start = end.plus_days(-6);
    let url = format!("http://{address}{INQUIRY_PATH}");
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\nssg-claims demo is serving the SSG vendor API at {url}\n"
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
    let _ = writeln!(out, "\nPlatform API tokens (Authorization: Bearer ...):");
    for (role, secret) in tokens {
        let _ = writeln!(out, "  {:<15} {}", role.as_str(), secret.expose());
    }
    let _ = writeln!(
        out,
        "\nAn order, its items and claims, as the service center sees it:\n\n  curl -sS 'http://{address}/v1/orders/<orordNo of a row>' \\\n    -H 'Authorization: Bearer {}'",
        tokens[1].1.expose()
    );
    let _ = write!(
        out,
        "\nPress Ctrl-C to stop; the demo store is deleted on exit."
    );
    out
}

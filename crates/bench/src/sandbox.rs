//! The sandbox's own cost per vendor call: the same period inquiry, with the same key,
//! through the same application in this process, on a node that runs no sandbox and on one
//! that does (its layer reads the request, asks the scenario's hooks, reads the answer back
//! for its rows and writes one entry to the store's log). Calls alternate between the two,
//! one at a time, so that both see the same machine; the difference of their latencies is
//! the sandbox's overhead.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use claims_domain::ClockAnchor;
use claims_server::app::sandbox::hooks::Hooks;
use claims_server::credentials::issue_api_key;
use claims_server::{AppState, Clock, Config, INQUIRY_PATH, SandboxClock, SystemClock, real_ms};
use hyper::Request;
use hyper::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE};

use crate::dataset::Plan;
use crate::load::Target;
use crate::measure::Measured;
use crate::scenarios;

/// What one run found.
#[derive(Debug)]
pub struct Overhead {
    pub plain: Measured,
    pub sandbox: Measured,
    /// Rows in each answer.
    pub rows: usize,
    /// Entries the sandbox's log holds after the run.
    pub logged: usize,
}

impl Overhead {
    /// A Markdown table: latency per call on each node, and the difference.
    pub fn table(&self) -> String {
        let row = |name: &str, m: &Measured| {
            format!(
                "| {name} | {} | {:.3} | {:.3} | {:.3} | {:.0} |\n",
                m.requests(),
                m.latency.mean() / 1_000.0,
                m.millis(0.5),
                m.millis(0.99),
                m.per_second()
            )
        };
        let mut out = String::from(
            "| node | calls | mean ms | p50 ms | p99 ms | calls/s |\n|---|---|---|---|---|---|\n",
        );
        out.push_str(&row("no sandbox", &self.plain));
        out.push_str(&row("sandbox (recording)", &self.sandbox));
        out.push_str(&format!(
            "\nThe sandbox's own cost per call: {:.0} µs at the mean, {:.0} µs at the median ({} rows an answer; {} entries logged).\n",
            self.sandbox.latency.mean() - self.plain.latency.mean(),
            self.sandbox.latency.value_at_quantile(0.5) as f64
                - self.plain.latency.value_at_quantile(0.5) as f64,
            self.rows,
            self.logged
        ));
        out
    }
}

/// Measures `calls` inquiries on each node (at most `limit` long in all).
pub async fn overhead(
    target: &Target,
    plan: &Plan,
    calls: u64,
    limit: Duration,
) -> anyhow::Result<Overhead> {
    let store = target.store();
    let inquiry = scenarios::period(plan, 1);
    let (_, key) = issue_api_key(&*store, inquiry.scope.clone(), SystemClock.now()).await?;
    let key = key.expose().to_owned();
    // Kept answers would hide the read path from both alike; the comparison is of the path.
    let config = Config {
        inquiry_cache_bytes: 0,
        ..Config::default()
    };
    let plain = claims_server::router(AppState::new(Arc::clone(&store), config.clone()));
    let anchor = store
        .start_sandbox_clock(ClockAnchor {
            real_ms: real_ms(),
            at: SystemClock.now(),
            speed_milli: 1000,
        })
        .await?;
    let (hooks, _heard) = Hooks::new();
    let sandbox = claims_server::router(
        AppState::new(Arc::clone(&store), config)
            .with_sandbox(SandboxClock::new(anchor))
            .with_scenario(Arc::new(hooks)),
    );
    let week = scenarios::last_week(plan);
    let body = format!(
        r#"{{"request": {{"perdStrDts": "{}", "perdEndDts": "{}"}}}}"#,
        week.start().compact(),
        week.end().compact()
    );
    let call = |router: axum::Router| {
        let request = Request::builder()
            .method("POST")
            .uri(INQUIRY_PATH)
            .header(AUTHORIZATION, key.clone())
            .header(CONTENT_TYPE, "application/json")
            .header(ACCEPT, "application/json")
            .body(Body::from(body.clone()))
            .expect("a valid request");
        async move {
            let started = Instant::now();
            let response = tower::ServiceExt::oneshot(router, request)
                .await
                .expect("the router never fails");
            let status = response.status().as_u16();
            let bytes = axum::body::to_bytes(response.into_body(), 64 << 20)
                .await
                .unwrap_or_default();
            (started.elapsed(), status, bytes)
        }
    };
    // Warm both up, and count the rows an answer carries.
    let (_, _, warm) = call(plain.clone()).await;
    call(sandbox.clone()).await;
    let rows = claims_wire::decode_answer(claims_wire::Format::Json, &warm)
        .map(|answer| answer.rows.len())
        .unwrap_or(0);
    let (mut on_plain, mut on_sandbox) = (Measured::new(), Measured::new());
    let started = Instant::now();
    for n in 0..calls {
        if started.elapsed() > limit {
            break;
        }
        // Alternate which goes first, so neither always meets a warm cache.
        let order = if n % 2 == 0 {
            [(&plain, false), (&sandbox, true)]
        } else {
            [(&sandbox, true), (&plain, false)]
        };
        for (router, recording) in order {
            let (took, status, _) = call(router.clone()).await;
            let measured = if recording {
                &mut on_sandbox
            } else {
                &mut on_plain
            };
            measured.record(took, status);
            measured.elapsed += took;
        }
    }
    let logged = store.sandbox_log(None, 0, usize::MAX >> 1).await?.len();
    Ok(Overhead {
        plain: on_plain,
        sandbox: on_sandbox,
        rows,
        logged,
    })
}

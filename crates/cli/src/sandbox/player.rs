//! Plays a scenario on the sandbox clock: each timed step when the clock reaches its time,
//! each triggered step once its vendor call came (plus its `after`), a late commit when
//! its delay has passed — every action through the platform API, in this process, with the
//! sandbox's own storefront, service-center and admin tokens, exactly as a storefront or a
//! service center would call it. Every step is written to the sandbox's log as it ran.

use std::collections::BTreeMap;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use claims_domain::KstDateTime;
use claims_server::AppState;
use claims_server::app::sandbox::hooks::{Armed, Fired, Progress};
use claims_server::app::sandbox::log;
use claims_server::app::sandbox::record::{self, StepRecord};
use tokio::sync::mpsc::UnboundedReceiver;

use super::scenario::{By, RECEIPT_AT_STEP, Scenario, Step, Trigger, What, WithdrawTarget};

/// The sandbox's own platform tokens, which the steps act with.
#[derive(Debug, Clone)]
pub struct Tokens {
    pub storefront: String,
    pub service_center: String,
    pub admin: String,
}

/// What the day did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Played {
    pub ran: usize,
    pub refused: usize,
    /// Steps the day ended before (a trigger whose call never came, a time past the end).
    pub left: usize,
}

/// How often the player looks at the clock while it waits (a move of the clock is seen
/// within this much real time).
const LOOK_EVERY: Duration = Duration::from_millis(100);

pub struct Player {
    pub app: AppState,
    pub router: Router,
    pub tokens: Tokens,
    pub scenario: Scenario,
    /// The day's start and end on the sandbox clock.
    pub start: KstDateTime,
    pub end: KstDateTime,
    /// The clock's speed in thousandths of real time (0: it only moves when moved).
    pub speed_milli: u32,
}

/// Work waiting for its time: a fired step, or a late commit.
#[derive(Debug, Clone)]
enum Later {
    Step(usize),
    Commit { step: usize, effective: KstDateTime },
}

impl Player {
    /// Plays the day to its end; `heard` tells of triggered steps whose call came.
    pub async fn play(self, mut heard: UnboundedReceiver<Fired>) -> Played {
        let steps = self.scenario.steps.clone();
        let mut played = Played::default();
        let mut requests: BTreeMap<String, String> = BTreeMap::new();
        let mut later: Vec<(KstDateTime, Later)> = Vec::new();
        let mut next = 0;
        let mut armed = 0usize;
        let hooks = self.app.scenario.clone();
        loop {
            // Triggers are armed once the steps before them have run.
            while let Some(Step {
                when: Trigger::On { kind, vendor, .. },
                what,
                number,
            }) = steps.get(next)
            {
                if let Some(hooks) = &hooks {
                    hooks.arm(Armed {
                        step: *number,
                        on: *kind,
                        vendor: vendor.clone(),
                        trap: match what {
                            What::Trap(trap) => Some(*trap),
                            _ => None,
                        },
                    });
                    armed += 1;
                }
                next += 1;
            }
            let timed = steps.get(next).map(|step| match step.when {
                Trigger::At(when) => when.resolve(self.start),
                Trigger::On { .. } => unreachable!("armed above"),
            });
            let soonest_later = later.iter().map(|(at, _)| *at).min();
            let due = [timed, soonest_later].into_iter().flatten().min();
            let target = due.map_or(self.end, |due| due.min(self.end));
            if let Some(hooks) = &hooks {
                let now = self.app.clock.now();
                if due.is_none_or(|due| due > now) {
                    hooks.progressed(Progress {
                        done_until: Some(now),
                        next_due: due,
                    });
                }
            }
            if let Some(fired) = self.wait_until(target, &mut heard).await {
                let index = fired.step - 1;
                if let Some(Step {
                    when: Trigger::On { after_secs, .. },
                    what,
                    ..
                }) = steps.get(index)
                {
                    armed = armed.saturating_sub(1);
                    if !matches!(what, What::Trap(_)) {
                        later.push((fired.at.plus_seconds(*after_secs), Later::Step(index)));
                    }
                }
                continue;
            }
            // The earliest piece of work due runs (a fired step or a late commit before a
            // timed step of the same second).
            let now = self.app.clock.now();
            let later_due = later
                .iter()
                .enumerate()
                .filter(|(_, (at, _))| *at <= now)
                .min_by_key(|(_, (at, _))| *at)
                .map(|(position, (at, _))| (position, *at));
            let timed_due = timed.filter(|at| *at <= now);
            let ok = match (later_due, timed_due) {
                (Some((position, at)), timed) if timed.is_none_or(|timed| at <= timed) => {
                    match later.remove(position).1 {
                        Later::Step(index) => {
                            self.run(&steps[index], at, &mut requests, &mut later).await
                        }
                        Later::Commit { step, effective } => {
                            self.commit(&steps[step], effective).await
                        }
                    }
                }
                (_, Some(at)) => {
                    next += 1;
                    self.run(&steps[next - 1], at, &mut requests, &mut later)
                        .await
                }
                _ if now >= self.end => break,
                _ => continue,
            };
            played.ran += 1;
            played.refused += usize::from(!ok);
        }
        played.left = steps.len().saturating_sub(next) + later.len() + armed;
        played
    }

    /// Waits until the clock shows `at`, or a triggered step fires (returned).
    async fn wait_until(
        &self,
        at: KstDateTime,
        heard: &mut UnboundedReceiver<Fired>,
    ) -> Option<Fired> {
        loop {
            let now = self.app.clock.now();
            if now >= at {
                return None;
            }
            let wait = if self.speed_milli == 0 {
                LOOK_EVERY
            } else {
                let sandbox_ms = (at.unix_seconds() - now.unix_seconds()) as u64 * 1000;
                Duration::from_millis(sandbox_ms * 1000 / u64::from(self.speed_milli))
                    .min(LOOK_EVERY)
            };
            let woken = async {
                match &self.app.scenario {
                    Some(hooks) => hooks.woken().await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                () = woken => {}
                fired = heard.recv() => {
                    if let Some(fired) = fired {
                        return Some(fired);
                    }
                    tokio::time::sleep(wait).await;
                }
                () = tokio::time::sleep(wait) => {}
            }
        }
    }

    /// Runs a step due at `scheduled` (now, or a moment ago: a fast clock runs on while a
    /// step is made, and what it makes carries its own time); whether the platform API
    /// took it.
    async fn run(
        &self,
        step: &Step,
        scheduled: KstDateTime,
        requests: &mut BTreeMap<String, String>,
        later: &mut Vec<(KstDateTime, Later)>,
    ) -> bool {
        let now = self.app.clock.now();
        let mut record = StepRecord {
            step: step.number,
            action: step.what.name().to_owned(),
            ord_no: step.what.ord_no().map(str::to_owned),
            clm_no: None,
            effective_at: None,
            outcome: "ok".to_owned(),
        };
        let answer = match &step.what {
            What::PlaceOrder(order) => {
                let mut order = order.as_ref().clone();
                if order.ord_rcp_dts == RECEIPT_AT_STEP {
                    order.ord_rcp_dts = scheduled.min(now).to_wire();
                }
                self.post("/v1/orders", &self.tokens.storefront, &order)
                    .await
            }
            What::Cancel {
                ord_no,
                body,
                by,
                commit_after_secs,
            } => {
                let effective = scheduled.min(now);
                if let Some(after) = commit_after_secs {
                    // Recorded when it commits.
                    let index = step.number - 1;
                    let commits = effective.plus_seconds(*after);
                    later.push((
                        commits,
                        Later::Commit {
                            step: index,
                            effective,
                        },
                    ));
                    tracing::info!(step = step.number, commits_at = %commits, "sandbox step: a cancellation that commits late");
                    return true;
                }
                let mut body = body.clone();
                if effective < now {
                    body.effective_at = Some(effective.to_wire());
                    record.effective_at = body.effective_at.clone();
                }
                self.post(
                    &format!("/v1/orders/{ord_no}/cancellations"),
                    self.token(*by),
                    &body,
                )
                .await
            }
            What::CancelRequest { ord_no, body } => {
                let answer = self
                    .post(
                        &format!("/v1/orders/{ord_no}/cancel-requests"),
                        &self.tokens.service_center,
                        body,
                    )
                    .await;
                if let Some(id) = answer.1.get("requestId").and_then(|id| id.as_str()) {
                    requests.insert(ord_no.clone(), id.to_owned());
                }
                answer
            }
            What::Withdraw { target, body, by } => {
                let id = match target {
                    WithdrawTarget::Request(id) => Some(id.clone()),
                    WithdrawTarget::Latest(ord_no) => requests.get(ord_no).cloned(),
                };
                match id {
                    Some(id) => {
                        self.post(
                            &format!("/v1/cancel-requests/{id}/withdrawal"),
                            self.token(*by),
                            body,
                        )
                        .await
                    }
                    None => (
                        StatusCode::NOT_FOUND,
                        serde_json::json!({"detail": "no step filed a cancel request on this order"}),
                    ),
                }
            }
            What::Deliver { ord_no, item_seq } => {
                self.post(
                    &format!("/v1/orders/{ord_no}/items/{item_seq}/delivery"),
                    &self.tokens.admin,
                    &serde_json::json!({}),
                )
                .await
            }
            What::Pickup {
                ord_no,
                exchange,
                body,
                by,
            } => {
                let kind = if *exchange { "exchanges" } else { "returns" };
                self.post(
                    &format!("/v1/orders/{ord_no}/{kind}"),
                    self.token(*by),
                    body,
                )
                .await
            }
            What::Advance(by) => {
                self.post(
                    "/v1/sandbox/clock",
                    &self.tokens.admin,
                    &serde_json::json!({ "advance": by }),
                )
                .await
            }
            What::Trap(_) => return true,
        };
        self.finish(step, &mut record, answer).await
    }

    /// Commits a late cancellation, dated `effective`.
    async fn commit(&self, step: &Step, effective: KstDateTime) -> bool {
        let What::Cancel {
            ord_no, body, by, ..
        } = &step.what
        else {
            return false;
        };
        let mut body = body.clone();
        body.effective_at = Some(effective.to_wire());
        let answer = self
            .post(
                &format!("/v1/orders/{ord_no}/cancellations"),
                self.token(*by),
                &body,
            )
            .await;
        let mut record = StepRecord {
            step: step.number,
            action: "cancel".to_owned(),
            ord_no: Some(ord_no.clone()),
            clm_no: None,
            effective_at: Some(effective.to_wire()),
            outcome: "ok".to_owned(),
        };
        self.finish(step, &mut record, answer).await
    }

    /// Records how a step went; whether it was taken.
    async fn finish(
        &self,
        step: &Step,
        record: &mut StepRecord,
        (status, answer): (StatusCode, serde_json::Value),
    ) -> bool {
        let ok = status.is_success();
        if ok {
            if record.action == "cancel" {
                record.clm_no = answer
                    .get("ordNo")
                    .and_then(|no| no.as_str())
                    .map(str::to_owned);
            }
            tracing::info!(step = step.number, action = %record.action, order = record.ord_no.as_deref().unwrap_or(""), "sandbox step ran");
        } else {
            let why = answer
                .get("detail")
                .and_then(|detail| detail.as_str())
                .unwrap_or("");
            record.outcome = format!("refused: {} {why}", status.as_u16());
            tracing::warn!(step = step.number, action = %record.action, status = status.as_u16(), why, "sandbox step refused");
        }
        log::write(&self.app, None, record::STEP, record).await;
        ok
    }

    fn token(&self, by: By) -> &str {
        match by {
            By::Customer => &self.tokens.storefront,
            By::Agent => &self.tokens.service_center,
        }
    }

    /// Calls the platform API in this process.
    async fn post(
        &self,
        path: &str,
        token: &str,
        body: &impl serde::Serialize,
    ) -> (StatusCode, serde_json::Value) {
        let body = serde_json::to_vec(body).expect("a body serializes");
        let request = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body))
            .expect("a request builds");
        let response = match tower::ServiceExt::oneshot(self.router.clone(), request).await {
            Ok(response) => response,
            Err(never) => match never {},
        };
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .unwrap_or_default();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null),
        )
    }
}

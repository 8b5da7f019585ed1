//! The sandbox clock on the platform API, when the node runs a sandbox: any credential of
//! the sandbox reads it (a vendor's client needs the sandbox's "today"), the admin token
//! moves it forward. Without a sandbox both answer 404 `sandbox-off`.
//!
//! A move answers once the work that fell due within it has run, each piece at its own
//! scheduled time and in order (an out-of-stock registration due at 17:00 is executed at
//! 17:00, not at the time the clock was moved to). Moves take an `Idempotency-Key`: a
//! retried `advance` moves the clock once.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use claims_domain::{ClockMove, KstDateTime, Moved, parse_advance};
use claims_store::{Completion, Role, StoredAnswer};
use serde::{Deserialize, Serialize};

use super::idempotency::{self, Start, json_answer};
use super::problem::{Problem, ProblemKind};
use super::request::{Caller, RawJson, json};
use crate::app::clock::{SandboxClock, SystemClock, real_ms};
use crate::app::due::{At, run_due};
use crate::app::state::AppState;

/// `POST /v1/sandbox/clock`: exactly one of the two.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct MoveBody {
    /// How far ahead: an ISO 8601 duration (`PT26H`, `P1D`).
    advance: Option<String>,
    /// To when: `yyyy-MM-dd HH:mm:ss`, KST.
    set: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ClockView {
    /// What the clock shows, `yyyy-MM-dd HH:mm:ss` KST.
    now: String,
    /// What it showed before the move (moves only).
    #[serde(skip_serializing_if = "Option::is_none")]
    from: Option<String>,
}

fn sandbox(app: &AppState) -> Result<&SandboxClock, Problem> {
    app.sandbox.as_deref().ok_or_else(|| {
        Problem::new(
            ProblemKind::SandboxOff,
            "this service runs no sandbox: its clock is the system's (start it with sandbox.enabled = true)",
        )
        .ko("샌드박스를 쓰지 않는 서비스입니다. 시계는 시스템 시계입니다(sandbox.enabled = true로 시작하세요).")
    })
}

#[tracing::instrument(name = "sandbox_clock", skip_all)]
pub(crate) async fn show(
    State(app): State<AppState>,
    _caller: Caller,
) -> Result<Response, Problem> {
    let clock = sandbox(&app)?;
    let now = crate::app::clock::Clock::now(clock);
    Ok(json(
        StatusCode::OK,
        &ClockView {
            now: now.to_wire(),
            from: None,
        },
    ))
}

fn moved_answer(moved: &Moved) -> StoredAnswer {
    json_answer(
        StatusCode::OK,
        &ClockView {
            now: moved.to.at.to_wire(),
            from: Some(moved.from.to_wire()),
        },
        None,
    )
}

impl MoveBody {
    fn how(&self) -> Result<ClockMove, Problem> {
        match (&self.advance, &self.set) {
            (Some(advance), None) => Ok(ClockMove::By(parse_advance("advance", advance)?)),
            (None, Some(set)) => Ok(ClockMove::To(KstDateTime::parse("set", set)?)),
            _ => Err(Problem::invalid(claims_domain::InvalidValue::new(
                "advance",
                "give exactly one of advance (an ISO 8601 duration such as PT26H) and set (yyyy-MM-dd HH:mm:ss, KST)",
            ))),
        }
    }
}

#[tracing::instrument(name = "sandbox_clock_move", skip_all, fields(from = tracing::field::Empty, to = tracing::field::Empty))]
pub(crate) async fn shift(
    State(app): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: RawJson<MoveBody>,
) -> Result<Response, Problem> {
    let clock = sandbox(&app)?;
    caller.role(&[Role::Admin])?;
    let operation = "POST /v1/sandbox/clock";
    let key = match idempotency::start(&app, &headers, &caller, operation, "", &body.bytes).await? {
        Start::Replay(response) => return Ok(response),
        Start::Run(key) => key,
    };
    let result = async {
        let how = body.value.how()?;
        let real = real_ms();
        let start = claims_domain::ClockAnchor {
            real_ms: real,
            at: crate::app::clock::Clock::now(&SystemClock),
            speed_milli: 1000,
        };
        let moved = match &key {
            Some(key) => {
                let done = Completion {
                    key: key.clone(),
                    render: Box::new(moved_answer),
                };
                app.store
                    .move_sandbox_clock_once(how, real, start, done)
                    .await?
            }
            None => app.store.move_sandbox_clock(how, real, start).await?,
        };
        clock.follow(moved.to);
        let span = tracing::Span::current();
        span.record("from", tracing::field::display(moved.from));
        span.record("to", tracing::field::display(moved.to.at));
        let ran = run_due(&app, moved.to.at, At::Scheduled).await?;
        tracing::info!(
            executed = ran.executed,
            void = ran.void,
            completed = ran.completed,
            "sandbox clock moved; work due within the move ran"
        );
        Ok(idempotency::respond(moved_answer(&moved)))
    }
    .await;
    Ok(idempotency::end(&app, key, result).await)
}

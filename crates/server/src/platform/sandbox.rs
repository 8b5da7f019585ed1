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
use claims_domain::{ClockMove, KstDateTime, Moved, VendorId, parse_advance};
use claims_store::{Completion, Role, StoredAnswer};
use serde::{Deserialize, Serialize};

use super::idempotency::{self, Start, json_answer};
use super::problem::{Problem, ProblemKind};
use super::request::{Caller, Params, RawJson, json};
use crate::app::clock::{SandboxClock, SystemClock, real_ms};
use crate::app::due::{At, run_due};
use crate::app::sandbox::{report, truth};
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
        let from = crate::app::clock::Clock::now(clock);
        let how = match (how, &app.scenario) {
            (how, None) => how,
            (how, Some(hooks)) => {
                let target = match how {
                    ClockMove::By(seconds) => from.plus_seconds(seconds),
                    ClockMove::To(at) => at,
                    ClockMove::Speed(_) => from,
                };
                // A playing scenario's steps that the move passes run at their own time,
                // each before the clock goes on.
                while let Some(next) = hooks.progress().next_due.filter(|next| {
                    *next <= target && *next > crate::app::clock::Clock::now(clock)
                }) {
                    let step = app
                        .store
                        .move_sandbox_clock(ClockMove::To(next), real_ms(), start)
                        .await?;
                    clock.follow(step.to);
                    run_due(&app, next, At::Scheduled).await?;
                    hooks.wake();
                    if !hooks.caught_up(next).await {
                        tracing::warn!(at = %next, "the scenario's player did not catch up with the clock; moving on");
                        break;
                    }
                }
                ClockMove::To(target)
            }
        };
        let real = real_ms();
        let moved = match &key {
            Some(key) => {
                let done = Completion {
                    key: key.clone(),
                    render: Box::new(move |moved: &Moved| {
                        moved_answer(&Moved {
                            from: from.min(moved.from),
                            to: moved.to,
                        })
                    }),
                };
                app.store
                    .move_sandbox_clock_once(how, real, start, done)
                    .await?
            }
            None => app.store.move_sandbox_clock(how, real, start).await?,
        };
        let moved = Moved {
            from: from.min(moved.from),
            to: moved.to,
        };
        clock.follow(moved.to);
        if let Some(hooks) = &app.scenario {
            hooks.wake();
        }
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

/// `?splVenId=` of the report and reconcile: the vendor to report on (a vendor's key
/// reads its own and may leave it out).
#[derive(Debug, Deserialize)]
pub(crate) struct ReportQuery {
    #[serde(rename = "splVenId")]
    spl_ven_id: Option<String>,
}

/// The vendor a report is on: a vendor's own, or the one the admin names.
fn reported_vendor(caller: &Caller, query: &ReportQuery) -> Result<VendorId, Problem> {
    let named = query
        .spl_ven_id
        .as_deref()
        .map(|id| VendorId::parse("splVenId", id.trim()))
        .transpose()?;
    if let Ok(scope) = caller.vendor() {
        return match named {
            Some(named) if named != scope.vendor => Err(Problem::new(
                ProblemKind::Forbidden,
                format!(
                    "a vendor's key reads its own report ({}), not {named}'s",
                    scope.vendor
                ),
            )
            .ko(format!(
                "업체 키로는 자기 보고서({})만 볼 수 있습니다. {named}의 보고서는 볼 수 없습니다.",
                scope.vendor
            ))),
            _ => Ok(scope.vendor.clone()),
        };
    }
    caller.role(&[Role::Admin])?;
    named.ok_or_else(|| {
        Problem::invalid(claims_domain::InvalidValue::new(
            "splVenId",
            "name the vendor to report on (?splVenId=0000012345)",
        ))
    })
}

/// `GET /v1/sandbox/report?splVenId=`: what the vendor's integration received, when, and
/// what it missed or did that would have hurt a customer.
#[tracing::instrument(name = "sandbox_report", skip_all)]
pub(crate) async fn report(
    State(app): State<AppState>,
    caller: Caller,
    Params(query): Params<ReportQuery>,
) -> Result<Response, Problem> {
    sandbox(&app)?;
    let vendor = reported_vendor(&caller, &query)?;
    let facts = truth::facts(&app, &vendor, &[]).await?;
    Ok(json(StatusCode::OK, &report::report(&facts)))
}

/// `POST /v1/sandbox/reconcile?splVenId=`: the report, with what the integration's own
/// view of its lines (a JSON array, or CSV with a header) gets wrong.
#[tracing::instrument(name = "sandbox_reconcile", skip_all)]
pub(crate) async fn reconcile(
    State(app): State<AppState>,
    caller: Caller,
    Params(query): Params<ReportQuery>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, Problem> {
    sandbox(&app)?;
    let vendor = reported_vendor(&caller, &query)?;
    let csv = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|kind| kind.starts_with("text/csv"));
    let believed = believed(&body, csv)?;
    let named: Vec<String> = believed.iter().map(|view| view.oror_no.clone()).collect();
    let facts = truth::facts(&app, &vendor, &named).await?;
    let mut answer = report::report(&facts);
    report::reconcile(&mut answer, &facts.lines, &believed, app.clock.now());
    Ok(json(StatusCode::OK, &answer))
}

/// Reads the integration's view: a JSON array of lines, or CSV with a header row naming
/// the same fields. A line that cannot be read is refused with its number and field.
fn believed(body: &[u8], csv: bool) -> Result<Vec<report::Believed>, Problem> {
    let invalid = |what: String| Problem::invalid(claims_domain::InvalidValue::new("body", what));
    let lines: Vec<report::Believed> = if csv {
        let text = std::str::from_utf8(body).map_err(|_| invalid("the CSV is not UTF-8".into()))?;
        let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        reader
            .deserialize()
            .enumerate()
            .map(|(index, line)| {
                line.map_err(|error| invalid(format!("CSV line {}: {error}", index + 2)))
            })
            .collect::<Result<_, _>>()?
    } else {
        serde_json::from_slice(body).map_err(|error| {
            invalid(format!(
                "send a JSON array of {{\"orordNo\", \"orordItemSeq\", \"status\", \"canceledQty\", \"shippedQty\", \"returnedQty\"}} (or CSV with Content-Type: text/csv): {error}"
            ))
        })?
    };
    for (index, line) in lines.iter().enumerate() {
        if !report::STATUSES.contains(&line.status.as_str()) {
            return Err(invalid(format!(
                "line {}: status {:?} is not one of {}",
                index + 1,
                line.status,
                report::STATUSES.join(", ")
            )));
        }
    }
    Ok(lines)
}

//! A vendor's webhook endpoints, managed with its API key: register, list, show, remove,
//! rotate the secret, resume, replay, and read the delivery log. Another vendor's endpoint
//! (or, for a key narrowed to a lower-rank vendor, an endpoint not narrowed to it) is
//! answered as missing.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use claims_domain::webhooks::{check_target, parse_types};
use claims_domain::{
    DeliveryAttempt, EndpointStatus, EventType, KstDateTime, Scope, Webhook, WebhookId,
};
use claims_store::Replayed;
use serde::{Deserialize, Serialize};

use super::events::{cursor, parse_after};
use super::problem::{Problem, ProblemKind};
use super::request::{Caller, JsonBody, Params, Segments, created, json};
use crate::app::state::AppState;

/// Endpoints one vendor may have.
pub const MAX_ENDPOINTS: usize = 20;
/// How long a rotated-out secret keeps signing beside the new one.
pub const ROTATION_OVERLAP_SECS: i64 = 24 * 3600;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewEndpoint {
    url: String,
    #[serde(default)]
    types: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Replay {
    after: String,
}

#[derive(Debug, Deserialize)]
pub(crate) struct LogQuery {
    limit: Option<String>,
}

/// An endpoint as its vendor sees it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct EndpointView {
    id: String,
    url: String,
    /// The event types it receives (every type when it was registered without any).
    types: Vec<&'static str>,
    status: &'static str,
    /// Seconds since the oldest event it has not received occurred.
    lag: u64,
    /// The feed cursor of the last event it is done with.
    cursor: String,
    /// Failed attempts of the next event.
    failures: u32,
    next_attempt_at: String,
    last_error: Option<String>,
    last_delivered_at: Option<String>,
    created_at: String,
    /// Until when the secret before the last rotation still signs beside the current one.
    previous_secret_expires_at: Option<String>,
    spl_ven_id: String,
    lrnk_spl_ven_id: String,
    /// Only when the secret was just made: it is never shown again.
    #[serde(skip_serializing_if = "Option::is_none")]
    secret: Option<String>,
}

impl EndpointView {
    fn of(hook: &Webhook, lag: u64, now: KstDateTime) -> Self {
        let types = if hook.types.is_empty() {
            EventType::ALL.iter().map(|kind| kind.name()).collect()
        } else {
            hook.types.iter().map(|kind| kind.name()).collect()
        };
        Self {
            id: hook.id.to_string(),
            url: hook.url.as_str().to_owned(),
            types,
            status: hook.status.name(),
            lag,
            cursor: cursor(hook.cursor),
            failures: hook.failures,
            next_attempt_at: hook.next_attempt_at.to_wire(),
            last_error: hook.last_error.clone(),
            last_delivered_at: hook.last_delivered_at.map(KstDateTime::to_wire),
            created_at: hook.created_at.to_wire(),
            previous_secret_expires_at: hook
                .previous_secret
                .as_ref()
                .filter(|(_, until)| now < *until)
                .map(|(_, until)| until.to_wire()),
            spl_ven_id: hook.scope.vendor.to_string(),
            lrnk_spl_ven_id: hook
                .scope
                .lower_rank
                .as_ref()
                .map_or_else(String::new, ToString::to_string),
            secret: None,
        }
    }

    fn with_secret(mut self, hook: &Webhook) -> Self {
        self.secret = Some(hook.secret.expose().to_owned());
        self
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct AttemptView<'a> {
    event_id: &'a str,
    sequence: u64,
    attempt: u32,
    status: Option<u16>,
    error: Option<&'a str>,
    duration_ms: u64,
    at: String,
}

impl<'a> From<&'a DeliveryAttempt> for AttemptView<'a> {
    fn from(attempt: &'a DeliveryAttempt) -> Self {
        Self {
            event_id: &attempt.event_id,
            sequence: attempt.sequence,
            attempt: attempt.attempt,
            status: attempt.status,
            error: attempt.error.as_deref(),
            duration_ms: attempt.duration_ms,
            at: attempt.at.to_wire(),
        }
    }
}

fn not_found(id: &str) -> Problem {
    Problem::new(
        ProblemKind::WebhookNotFound,
        format!("no webhook endpoint {id:?}"),
    )
    .ko(format!("웹훅 엔드포인트 {id:?}이(가) 없습니다."))
}

/// The endpoint `id`, if `scope` may see it.
async fn visible(app: &AppState, scope: &Scope, id: &str) -> Result<Webhook, Problem> {
    let parsed = WebhookId::parse("id", id).map_err(|_| not_found(id))?;
    app.store
        .webhook(&parsed)
        .await?
        .filter(|hook| hook.visible_to(scope))
        .ok_or_else(|| not_found(id))
}

async fn view(app: &AppState, hook: &Webhook) -> Result<EndpointView, Problem> {
    let now = app.clock.now();
    let lag = crate::app::events::lag_secs(app, hook, now).await?;
    Ok(EndpointView::of(hook, lag, now))
}

#[tracing::instrument(name = "register_webhook", skip_all, fields(vendor.id = tracing::field::Empty, webhook.id = tracing::field::Empty))]
pub(crate) async fn register(
    State(app): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody<NewEndpoint>,
) -> Result<Response, Problem> {
    let scope = caller.vendor()?.clone();
    let span = tracing::Span::current();
    span.record("vendor.id", scope.vendor.as_str());
    let url = check_target(&body.url, app.config.webhooks.allow_insecure_targets)?;
    let types = parse_types("types", body.types.as_deref().unwrap_or_default())?;
    let existing = app.store.webhooks(Some(&scope.vendor)).await?;
    if existing.len() >= MAX_ENDPOINTS {
        return Err(Problem::new(
            ProblemKind::TooManyWebhooks,
            format!("a vendor may have {MAX_ENDPOINTS} webhook endpoints; remove one first"),
        )
        .ko(format!(
            "업체당 웹훅 엔드포인트는 {MAX_ENDPOINTS}개까지입니다. 먼저 하나를 지우세요."
        )));
    }
    let now = app.clock.now();
    let hook = Webhook {
        id: crate::app::state::new_webhook_id(),
        scope,
        url,
        types,
        status: EndpointStatus::Active,
        secret: claims_wire::webhook::new_secret(rand::random()),
        previous_secret: None,
        cursor: 0,
        failures: 0,
        next_attempt_at: now,
        last_error: None,
        last_delivered_at: None,
        created_at: now,
    };
    let hook = app.store.add_webhook(hook).await?;
    span.record("webhook.id", hook.id.as_str());
    tracing::info!("webhook endpoint registered");
    Ok(created(
        &format!("/v1/webhooks/{}", hook.id),
        &EndpointView::of(&hook, 0, now).with_secret(&hook),
    ))
}

pub(crate) async fn list(State(app): State<AppState>, caller: Caller) -> Result<Response, Problem> {
    let scope = caller.vendor()?.clone();
    let mut views = Vec::new();
    for hook in app.store.webhooks(Some(&scope.vendor)).await? {
        if hook.visible_to(&scope) {
            views.push(view(&app, &hook).await?);
        }
    }
    Ok(json(
        StatusCode::OK,
        &serde_json::json!({ "webhooks": views }),
    ))
}

pub(crate) async fn show(
    State(app): State<AppState>,
    caller: Caller,
    Segments(id): Segments<String>,
) -> Result<Response, Problem> {
    let hook = visible(&app, caller.vendor()?, &id).await?;
    Ok(json(StatusCode::OK, &view(&app, &hook).await?))
}

#[tracing::instrument(name = "remove_webhook", skip_all, fields(webhook.id = %id))]
pub(crate) async fn remove(
    State(app): State<AppState>,
    caller: Caller,
    Segments(id): Segments<String>,
) -> Result<Response, Problem> {
    let hook = visible(&app, caller.vendor()?, &id).await?;
    if !app.store.delete_webhook(&hook.id).await? {
        return Err(not_found(&id));
    }
    tracing::info!("webhook endpoint removed");
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[tracing::instrument(name = "rotate_webhook_secret", skip_all, fields(webhook.id = %id))]
pub(crate) async fn rotate(
    State(app): State<AppState>,
    caller: Caller,
    Segments(id): Segments<String>,
) -> Result<Response, Problem> {
    let hook = visible(&app, caller.vendor()?, &id).await?;
    let now = app.clock.now();
    let secret = claims_wire::webhook::new_secret(rand::random());
    let hook = app
        .store
        .rotate_webhook_secret(&hook.id, secret, now.plus_seconds(ROTATION_OVERLAP_SECS))
        .await?
        .ok_or_else(|| not_found(&id))?;
    tracing::info!("webhook secret rotated; the previous one signs beside it for 24 hours");
    Ok(created(
        &format!("/v1/webhooks/{}", hook.id),
        &view(&app, &hook).await?.with_secret(&hook),
    ))
}

#[tracing::instrument(name = "resume_webhook", skip_all, fields(webhook.id = %id))]
pub(crate) async fn resume(
    State(app): State<AppState>,
    caller: Caller,
    Segments(id): Segments<String>,
) -> Result<Response, Problem> {
    let hook = visible(&app, caller.vendor()?, &id).await?;
    let head = app.store.event_head(&hook.scope.vendor).await?;
    if head.purged_through > hook.cursor {
        return Err(Problem::new(ProblemKind::CursorExpired, crate::app::events::PURGED)
            .ko("엔드포인트가 받지 못한 이벤트가 보관 기간이 지나 삭제되었습니다. 그 사이는 조회 API로 읽고, 아직 남아 있는 커서부터 재전송(replay)하세요."));
    }
    let hook = app
        .store
        .restart_webhook(&hook.id, EndpointStatus::Active, None, app.clock.now())
        .await?
        .ok_or_else(|| not_found(&id))?;
    tracing::info!("webhook endpoint resumed");
    Ok(json(StatusCode::OK, &view(&app, &hook).await?))
}

#[tracing::instrument(name = "replay_webhook", skip_all, fields(webhook.id = %id))]
pub(crate) async fn replay(
    State(app): State<AppState>,
    caller: Caller,
    Segments(id): Segments<String>,
    JsonBody(body): JsonBody<Replay>,
) -> Result<Response, Problem> {
    let hook = visible(&app, caller.vendor()?, &id).await?;
    let after = parse_after(&app, &hook.scope.vendor, &body.after).await?;
    let now = app.clock.now();
    let cooldown = app.config.webhooks.replay_cooldown.as_secs() as i64;
    let hook = match app
        .store
        .replay_webhook(&hook.id, after, now, now.plus_seconds(-cooldown))
        .await?
        .ok_or_else(|| not_found(&id))?
    {
        Replayed::Done(hook) => *hook,
        Replayed::TooSoon(last) => {
            let wait = (last.unix_seconds() + cooldown - now.unix_seconds()).max(1) as u64;
            return Err(Problem {
                retry_after_secs: Some(wait),
                ..Problem::new(
                    ProblemKind::ReplayTooSoon,
                    format!(
                        "the endpoint was replayed at {} (KST); it may be replayed again in {wait} s",
                        last.to_wire()
                    ),
                )
                .ko(format!(
                    "{}(KST)에 다시 보내기를 했습니다. {wait}초 뒤에 다시 할 수 있습니다.",
                    last.to_wire()
                ))
            });
        }
    };
    tracing::info!(after, "webhook endpoint replays from a cursor");
    Ok(json(StatusCode::OK, &view(&app, &hook).await?))
}

pub(crate) async fn deliveries(
    State(app): State<AppState>,
    caller: Caller,
    Segments(id): Segments<String>,
    Params(query): Params<LogQuery>,
) -> Result<Response, Problem> {
    let hook = visible(&app, caller.vendor()?, &id).await?;
    let limit = super::events::number("limit", query.limit.as_deref(), 50, 1..=1_000)? as usize;
    let attempts = app.store.webhook_deliveries(&hook.id, limit).await?;
    let views: Vec<AttemptView<'_>> = attempts.iter().map(AttemptView::from).collect();
    Ok(json(
        StatusCode::OK,
        &serde_json::json!({ "deliveries": views }),
    ))
}

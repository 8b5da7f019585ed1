//! Returns and exchanges after release: the storefront files them for its customer and the
//! service center for an agent (`POST /v1/orders/{ordNo}/returns`, `…/exchanges`); either
//! withdraws one while every pickup is still 회수지시 (`POST /v1/claims/{clmNo}/withdrawal`).
//! The vendor confirms, completes or refuses the pickups with SSG's calls
//! (`claims_server::ssg_calls`).

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use claims_domain::{ClaimNo, PickupClaim, PickupKind, PickupStatus};
use claims_store::{Completion, Role, StoredAnswer};

use super::dto::{PickupBody, PickupClaimView, WithdrawalBody};
use super::idempotency::{self, Start, json_answer};
use super::orders::order_no;
use super::problem::{Problem, ProblemKind};
use super::request::{Caller, JsonBody, RawJson, Segments, json};
use crate::app::state::AppState;

fn claim_answer(claim: &PickupClaim) -> StoredAnswer {
    json_answer(
        StatusCode::CREATED,
        &PickupClaimView::from(claim),
        Some(format!("/v1/claims/{}", claim.clm_no)),
    )
}

/// Files a return or an exchange of `kind`; a retry with the same `Idempotency-Key` gets the
/// same answer and files nothing more.
async fn file(
    app: AppState,
    caller: Caller,
    ord_no: String,
    headers: HeaderMap,
    body: RawJson<PickupBody>,
    kind: PickupKind,
) -> Result<Response, Problem> {
    let role = caller.role(&[Role::Storefront, Role::ServiceCenter])?;
    let operation = match kind {
        PickupKind::Return => "POST /v1/orders/{ordNo}/returns",
        PickupKind::Exchange => "POST /v1/orders/{ordNo}/exchanges",
    };
    let key =
        match idempotency::start(&app, &headers, &caller, operation, &ord_no, &body.bytes).await? {
            Start::Replay(response) => return Ok(response),
            Start::Run(key) => key,
        };
    let result = async {
        let ord_no = order_no(&ord_no)?;
        tracing::Span::current().record("order.no", tracing::field::display(&ord_no));
        let command = body.value.to_command(kind, role)?;
        let now = app.clock.now();
        let claim = match &key {
            Some(key) => {
                let done = Completion {
                    key: key.clone(),
                    render: Box::new(claim_answer),
                };
                app.store
                    .file_pickup_once(&ord_no, &command, now, done)
                    .await?
            }
            None => app.store.file_pickup(&ord_no, &command, now).await?,
        };
        tracing::Span::current().record("claim.no", tracing::field::display(&claim.clm_no));
        tracing::info!(
            kind = kind.as_str(),
            lines = claim.lines.len(),
            "return or exchange filed"
        );
        Ok(idempotency::respond(claim_answer(&claim)))
    }
    .await;
    Ok(idempotency::end(&app, key, result).await)
}

#[tracing::instrument(name = "file_return", skip_all, fields(order.no = tracing::field::Empty, claim.no = tracing::field::Empty))]
pub(crate) async fn file_return(
    State(app): State<AppState>,
    caller: Caller,
    Segments(ord_no): Segments<String>,
    headers: HeaderMap,
    body: RawJson<PickupBody>,
) -> Result<Response, Problem> {
    file(app, caller, ord_no, headers, body, PickupKind::Return).await
}

#[tracing::instrument(name = "file_exchange", skip_all, fields(order.no = tracing::field::Empty, claim.no = tracing::field::Empty))]
pub(crate) async fn file_exchange(
    State(app): State<AppState>,
    caller: Caller,
    Segments(ord_no): Segments<String>,
    headers: HeaderMap,
    body: RawJson<PickupBody>,
) -> Result<Response, Problem> {
    file(app, caller, ord_no, headers, body, PickupKind::Exchange).await
}

fn claim_not_found(clm_no: &str) -> Problem {
    Problem::new(ProblemKind::ClaimNotFound, format!("no claim {clm_no:?}"))
        .ko(format!("클레임 {clm_no:?}이(가) 없습니다."))
}

/// Withdraws a whole return or exchange while every pickup is still 회수지시 (61): the
/// customer (through the storefront, own orders only) or an agent. Withdrawing again is 409
/// `not-withdrawable`; a pickup the vendor confirmed, 409 `pickup-confirmed`.
#[tracing::instrument(name = "withdraw_pickup", skip_all, fields(claim.no = tracing::field::Empty))]
pub(crate) async fn withdraw(
    State(app): State<AppState>,
    caller: Caller,
    Segments(clm_no): Segments<String>,
    JsonBody(body): JsonBody<WithdrawalBody>,
) -> Result<Response, Problem> {
    let role = caller.role(&[Role::Storefront, Role::ServiceCenter])?;
    let number = ClaimNo::parse("clmNo", &clm_no).map_err(|_| claim_not_found(&clm_no))?;
    tracing::Span::current().record("claim.no", tracing::field::display(&number));
    let actor = body.to_actor(role)?;
    let claim = match app
        .store
        .withdraw_pickup(&number, &actor, app.clock.now())
        .await
    {
        // A storefront asking for another customer's claim learns nothing of it.
        Err(claims_store::StoreError::Pickup(claims_domain::PickupRejection::NotYourOrder)) => {
            return Err(claim_not_found(&clm_no));
        }
        other => other?,
    };
    tracing::info!(
        withdrawn = claim
            .lines
            .iter()
            .filter(|line| line.status == PickupStatus::Withdrawn)
            .count(),
        "return or exchange withdrawn"
    );
    Ok(json(StatusCode::OK, &PickupClaimView::from(&claim)))
}

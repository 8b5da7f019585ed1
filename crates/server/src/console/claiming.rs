//! What the agent's confirmations share: the order a user may see, and the one-time token a
//! preview hands out, claimed on confirmation as an idempotency key of the agent's — recorded
//! in the same transaction as what the confirmation makes, so that a double click, a reload or
//! a second tab is answered with the first one's result, and one sent while the first still
//! runs waits for it.

use std::time::Duration;

use axum::http::StatusCode;
use claims_domain::OrderNo;
use claims_store::{Begin, Fingerprint, IdempotencyKey, OrderRecord, SecretHash, UserRole};
use claims_wire::Lang;

use axum::response::Response;

use super::page::{PageError, see_other};
use super::session::Signed;
use super::text::Words;
use crate::app::credentials::hash_secret;
use crate::app::state::AppState;

/// The order, or a 404 for a number that names none — and, for a vendor user, for an order
/// without any item of theirs.
pub(super) async fn visible_order(
    app: &AppState,
    me: &Signed,
    ord_no: &str,
) -> Result<OrderRecord, PageError> {
    let lang = me.lang;
    let missing = || {
        PageError::not_found(
            lang,
            match lang {
                Lang::Ko => format!("주문 {ord_no}을(를) 찾을 수 없습니다."),
                Lang::En => format!("There is no order {ord_no}."),
            },
        )
    };
    let ord_no = OrderNo::parse("ordNo", ord_no).map_err(|_| missing())?;
    let record = app
        .store
        .order(&ord_no)
        .await
        .map_err(|e| PageError::store(lang, e))?
        .ok_or_else(missing)?;
    if let UserRole::Vendor(scope) = &me.user.role
        && !record
            .items
            .iter()
            .any(|item| scope.covers(&item.vendor, item.lower_rank.as_ref()))
    {
        return Err(missing());
    }
    Ok(record)
}

/// A preview's one-time token: 128 random bits as hex.
pub(super) fn confirmation_token() -> String {
    rand::random::<[u8; 16]>()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// What a confirmation's token found.
enum Claimed {
    /// Confirmed before: where its outcome is shown.
    Answered(String),
    /// Confirmed before with other contents.
    Reused,
    /// This request confirms it.
    Mine,
}

/// The idempotency key a preview's confirmation of `what` (`cancel`, `return`,
/// `exchange`) claims: the agent's, with the token.
fn confirmation_key(me: &Signed, what: &str, token: &str) -> IdempotencyKey {
    IdempotencyKey {
        owner: console_owner(me),
        key: format!(
            "console-{what}:{}",
            token.chars().take(64).collect::<String>()
        ),
    }
}

/// Whose keys a console user's confirmations are: a hash of the login, apart from every
/// API credential's.
fn console_owner(me: &Signed) -> SecretHash {
    hash_secret(&format!("console-user:{}", me.user.login))
}

/// How long a confirmation waits for the same preview's confirmation already running.
const CONFIRMATION_WAIT: Duration = Duration::from_secs(10);

/// Claims a confirmation's key, or learns what became of the one that claimed it first
/// (waiting for it while it runs).
async fn claim_confirmation(
    app: &AppState,
    key: &IdempotencyKey,
    fingerprint: Fingerprint,
) -> Result<Claimed, PageError> {
    let lang_free = |error| PageError::store(Lang::Ko, error);
    let deadline = tokio::time::Instant::now() + CONFIRMATION_WAIT;
    loop {
        let window = app.idempotency_window();
        match app
            .store
            .idempotency_begin(key, fingerprint, window)
            .await
            .map_err(lang_free)?
        {
            Begin::Proceed => return Ok(Claimed::Mine),
            Begin::Replay(answer) => {
                return Ok(Claimed::Answered(
                    answer.location.unwrap_or_else(|| "/console/".to_owned()),
                ));
            }
            Begin::Reused => return Ok(Claimed::Reused),
            Begin::OverQuota(_) => {
                return Err(PageError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    Lang::Ko,
                    "확정 기록이 너무 많습니다. 잠시 뒤 다시 시도하세요. (Too many confirmations kept; try again later.)",
                ));
            }
            Begin::InFlight if tokio::time::Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Begin::InFlight => {
                return Err(PageError::new(
                    StatusCode::CONFLICT,
                    Lang::Ko,
                    "같은 확정이 아직 처리 중입니다. 잠시 뒤 주문을 다시 여세요. (The same confirmation is still being handled; open the order again in a moment.)",
                ));
            }
        }
    }
}

/// Confirms a preview at most once: claims `token` as the agent's key of `what` with
/// `fingerprint`. A confirmation made before (or finishing now) answers with its outcome;
/// one made with other contents answers `reused` with the words to show; otherwise `act`
/// runs with the key — it records its outcome under the key in the same transaction as
/// what it makes, or, having done nothing, answers `Err(page)`, and the key is let go so
/// that the token may confirm again once the agent has read the page.
pub(super) async fn confirm_once<Act, Fut>(
    app: &AppState,
    me: &Signed,
    what: &str,
    token: &str,
    fingerprint: Fingerprint,
    reused: impl FnOnce(String) -> Result<Response, PageError>,
    act: Act,
) -> Result<Response, PageError>
where
    Act: FnOnce(IdempotencyKey) -> Fut,
    Fut: Future<Output = Result<Response, Response>>,
{
    let key = confirmation_key(me, what, token);
    match claim_confirmation(app, &key, fingerprint).await? {
        Claimed::Answered(location) => Ok(see_other(&location)),
        Claimed::Reused => reused(
            me.lang
                .t(
                    "이 미리보기는 다른 내용으로 이미 확정되었습니다. 다시 미리보기하세요.",
                    "This preview was already confirmed with other contents. Preview again.",
                )
                .to_owned(),
        ),
        Claimed::Mine => match act(key.clone()).await {
            Ok(done) => Ok(done),
            Err(refused) => {
                if let Err(error) = app.store.idempotency_release(&key).await {
                    tracing::warn!(%error, "a console confirmation's key could not be released");
                }
                Ok(refused)
            }
        },
    }
}

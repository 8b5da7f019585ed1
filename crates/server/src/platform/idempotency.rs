//! `Idempotency-Key` on the platform API's writes (placing an order, cancelling).
//!
//! A retry with the same key and the same request gets the first answer again — status,
//! headers that matter and body, byte for byte — and no second effect. The same key with a
//! different request is refused (422); while the first request is still running, a retry is
//! told to wait (409 with `Retry-After`). The store keeps the answer in the same transaction
//! as the effect, so what is replayed is exactly what happened. A refusal (4xx) is kept too;
//! a failure that may pass (5xx) forgets the key, so that the retry runs again.

use axum::http::header::{CONTENT_TYPE, LOCATION, RETRY_AFTER};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use claims_store::idempotency::MAX_IDEMPOTENCY_KEY_LEN;
use claims_store::{Begin, Fingerprint, IdempotencyKey, StoredAnswer};
use sha2::{Digest, Sha256};

use super::problem::{Problem, ProblemKind};
use super::request::Caller;
use crate::app::state::AppState;

/// When a credential over its quota is told to try again: keys are purged every minute.
const QUOTA_RETRY_AFTER_SECS: u64 = 60;

static IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");
static REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");

/// How a write goes on after its key was looked at.
pub(crate) enum Start {
    /// Answered before: this is the answer.
    Replay(Response),
    /// Run the write, completing this key (if one was sent).
    Run(Option<IdempotencyKey>),
}

/// The key a request sent, if any: 1 to 255 visible ASCII characters.
fn sent_key(headers: &HeaderMap) -> Result<Option<String>, Problem> {
    let Some(value) = headers.get(&IDEMPOTENCY_KEY) else {
        return Ok(None);
    };
    let invalid = || {
        Problem::invalid(claims_domain::InvalidValue::new(
            "Idempotency-Key",
            format!(
                "must be 1 to {MAX_IDEMPOTENCY_KEY_LEN} visible ASCII characters, such as a UUID"
            ),
        ))
    };
    let key = value.to_str().map_err(|_| invalid())?.trim();
    if key.is_empty()
        || key.len() > MAX_IDEMPOTENCY_KEY_LEN
        || !key.bytes().all(|b| b.is_ascii_graphic())
    {
        return Err(invalid());
    }
    Ok(Some(key.to_owned()))
}

/// What makes a request the same request: the operation, its target and its body. A JSON
/// body is compared by its value (key order and spacing do not matter).
fn fingerprint(operation: &str, target: &str, body: &[u8]) -> Fingerprint {
    let canonical = serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|value| serde_json::to_vec(&sorted(value)).ok());
    let mut hash = Sha256::new();
    hash.update(operation.as_bytes());
    hash.update([0]);
    hash.update(target.as_bytes());
    hash.update([0]);
    hash.update(canonical.as_deref().unwrap_or(body));
    Fingerprint(hash.finalize().into())
}

/// `value` with every object's keys in order, whatever map type `serde_json` was built
/// with (another crate may turn on its insertion-order feature).
fn sorted(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map
                .into_iter()
                .map(|(key, value)| (key, sorted(value)))
                .collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(entries.into_iter().collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sorted).collect()),
        other => other,
    }
}

/// Looks at the request's key: replays a kept answer, refuses a reused or busy key, or
/// claims it for this request.
pub(crate) async fn start(
    app: &AppState,
    headers: &HeaderMap,
    caller: &Caller,
    operation: &str,
    target: &str,
    body: &[u8],
) -> Result<Start, Problem> {
    let Some(key) = sent_key(headers)? else {
        return Ok(Start::Run(None));
    };
    let key = IdempotencyKey {
        owner: caller.credential(),
        key,
    };
    let window = app.idempotency_window();
    let retention = app.config.idempotency_retention.as_secs() as i64;
    match app
        .store
        .idempotency_begin(&key, fingerprint(operation, target, body), window)
        .await?
    {
        Begin::Proceed => Ok(Start::Run(Some(key))),
        Begin::Replay(answer) => {
            let mut response = respond(answer);
            response
                .headers_mut()
                .insert(REPLAYED.clone(), HeaderValue::from_static("true"));
            Ok(Start::Replay(response))
        }
        Begin::InFlight => Err(Problem {
            retry_after_secs: Some(1),
            ..Problem::new(
                ProblemKind::IdempotencyKeyInFlight,
                "a request with this Idempotency-Key is still being handled; retry in a moment",
            )
            .ko("같은 Idempotency-Key의 요청이 아직 처리 중입니다. 잠시 뒤에 다시 시도하세요.")
        }),
        Begin::Reused => Err(Problem::new(
            ProblemKind::IdempotencyKeyReused,
            "this Idempotency-Key was used for a different request; use a new key for a new request",
        )
        .ko("이 Idempotency-Key는 다른 요청에 쓰였습니다. 새 요청에는 새 키를 쓰세요.")),
        Begin::OverQuota(usage) => Err(Problem {
            retry_after_secs: Some(QUOTA_RETRY_AFTER_SECS),
            ..Problem::new(
                ProblemKind::IdempotencyQuotaExceeded,
                format!(
                    "these credentials already keep {} answers ({} KiB) for Idempotency-Key \
                     replays, as many as they may; keys lapse {} hours after their first use: \
                     retry later, or send the request without an Idempotency-Key",
                    usage.keys,
                    usage.bytes / 1024,
                    retention / 3600
                ),
            )
        }),
    }
}

/// Finishes a write that ran: a success was kept with its effect; a refusal is kept now; a
/// failure that may pass releases the key.
pub(crate) async fn end(
    app: &AppState,
    key: Option<IdempotencyKey>,
    result: Result<Response, Problem>,
) -> Response {
    let (Some(key), Err(problem)) = (key, &result) else {
        return result.into_response();
    };
    if problem.kind.status().is_server_error() {
        if let Err(error) = app.store.idempotency_release(&key).await {
            tracing::warn!(%error, "an idempotency key could not be released");
        }
        return result.into_response();
    }
    let answer = super::problem::to_answer(problem);
    if let Err(error) = app
        .store
        .idempotency_finish(&key, answer.clone(), app.clock.now())
        .await
    {
        tracing::warn!(%error, "a refusal could not be kept for its idempotency key");
    }
    let mut response = respond(answer);
    if let Some(secs) = problem.retry_after_secs {
        response
            .headers_mut()
            .insert(RETRY_AFTER, HeaderValue::from(secs));
    }
    response
}

/// The response an answer describes.
pub(crate) fn respond(answer: StoredAnswer) -> Response {
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (status, answer.body).into_response();
    if let Ok(value) = HeaderValue::from_str(&answer.content_type) {
        response.headers_mut().insert(CONTENT_TYPE, value);
    }
    if let Some(location) = answer
        .location
        .as_deref()
        .and_then(|location| HeaderValue::from_str(location).ok())
    {
        response.headers_mut().insert(LOCATION, location);
    }
    response
}

/// A JSON answer, as kept and as sent.
pub(crate) fn json_answer(
    status: StatusCode,
    value: &impl serde::Serialize,
    location: Option<String>,
) -> StoredAnswer {
    StoredAnswer {
        status: status.as_u16(),
        content_type: "application/json".into(),
        location,
        body: serde_json::to_vec(value).expect("answers serialize"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_visible_ascii_of_bounded_length() {
        let mut headers = HeaderMap::new();
        assert_eq!(sent_key(&headers).unwrap(), None);
        headers.insert(&IDEMPOTENCY_KEY, HeaderValue::from_static(" 7f3a-01 "));
        assert_eq!(sent_key(&headers).unwrap().as_deref(), Some("7f3a-01"));
        for bad in ["", "two words", &"k".repeat(MAX_IDEMPOTENCY_KEY_LEN + 1)] {
            headers.insert(&IDEMPOTENCY_KEY, HeaderValue::from_str(bad).unwrap());
            let problem = sent_key(&headers).unwrap_err();
            assert_eq!(problem.field.as_deref(), Some("Idempotency-Key"));
        }
    }

    #[test]
    fn the_same_json_in_another_spelling_is_the_same_request() {
        let a = fingerprint("cancel", "O-1", br#"{"qty": 1, "seq": 2}"#);
        let b = fingerprint("cancel", "O-1", b"{\"seq\":2,\n \"qty\":1}");
        assert_eq!(a, b);
        let nested = |body: &[u8]| fingerprint("cancel", "O-1", body);
        assert_eq!(
            nested(br#"{"items": [{"qty": 1, "seq": 2}], "z": null}"#),
            nested(br#"{"z": null, "items": [{"seq": 2, "qty": 1}]}"#)
        );
        assert_ne!(a, fingerprint("cancel", "O-2", br#"{"qty": 1, "seq": 2}"#));
        assert_ne!(a, fingerprint("place", "O-1", br#"{"qty": 1, "seq": 2}"#));
        assert_ne!(a, fingerprint("cancel", "O-1", br#"{"qty": 2, "seq": 2}"#));
    }
}

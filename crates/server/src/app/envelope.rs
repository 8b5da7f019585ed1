//! SSG's envelope, as every vendor call answers in it: `result.{resultCode, resultMessage,
//! resultDesc, …}` in the negotiated format and language, under the service's error mode.
//! The inquiry (`vendor_api`) and the flow's calls (`ssg_calls`) both answer through a
//! [`Reply`]; the guard refuses their requests through [`refuse`].

use std::sync::Arc;

use axum::body::Body;
use axum::http::header::{ACCEPT, ACCEPT_LANGUAGE, CONTENT_LENGTH, CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use claims_store::{SecretHash, StoreError};
use claims_wire::{
    AuthFailure, Failure, Format, Lang, MAX_BODY_BYTES, Unreadable, encode_failure, language,
    request_format, response_format,
};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use tracing::Span;

use super::config::ErrorStyle;
use super::credentials::{Unusable, hash_secret, presented};
use super::notes::{Cause, Notes};

/// Whether `path` is one a vendor's SSG client may call, whose answers are SSG's envelope:
/// anything under `/api/`, any path ending in `.ssg`, and SSG's other prefixes (`/item/`,
/// `/venInfo/`, `/common/`).
pub fn is_ssg_path(path: &str) -> bool {
    path.starts_with("/api/")
        || path.ends_with(".ssg")
        || ["/item/", "/venInfo/", "/common/"]
            .iter()
            .any(|prefix| path.starts_with(prefix))
}

/// Why a vendor call failed: the result code to answer, and when the failure is ours, its
/// cause for the log (never for the answer).
#[derive(Debug, Clone)]
pub struct CallError {
    pub failure: Failure,
    pub cause: Option<Cause>,
}

impl From<Failure> for CallError {
    fn from(failure: Failure) -> Self {
        CallError {
            failure,
            cause: None,
        }
    }
}

impl From<StoreError> for CallError {
    /// A store failure in the vendor API's codes: 90 when the database cannot be reached,
    /// 91 otherwise. Refusals by the rules are mapped by each call, which knows their words.
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Unavailable(cause) => CallError {
                failure: Failure::Unavailable,
                cause: Some(Cause::unavailable(cause.to_string())),
            },
            other => CallError {
                failure: Failure::Internal,
                cause: Some(Cause::internal(format!("{other:?}"))),
            },
        }
    }
}

/// How the answer is written, once the headers have been read.
#[derive(Debug, Clone)]
pub struct Reply {
    pub format: Format,
    pub lang: Lang,
    pub style: ErrorStyle,
    /// Where the access log learns the result code and the vendor.
    pub notes: Option<Arc<Notes>>,
}

impl Reply {
    /// How to answer a request, by its `Accept`, `Content-Type` and `Accept-Language`; when
    /// nothing it accepts can be written, the refusal, to be answered in JSON.
    pub fn of(
        headers: &HeaderMap,
        style: ErrorStyle,
        notes: Option<Arc<Notes>>,
    ) -> Result<Reply, (Reply, Failure)> {
        let lang = language(header(headers, &ACCEPT_LANGUAGE));
        let sent = request_format(header(headers, &CONTENT_TYPE)).ok();
        let reply = |format| Reply {
            format,
            lang,
            style,
            notes,
        };
        match response_format(header(headers, &ACCEPT), sent) {
            Ok(format) => Ok(reply(format)),
            Err(failure) => Err((reply(Format::Json), failure)),
        }
    }

    pub fn vendor(&self, vendor: &str) {
        Span::current().record("vendor.id", vendor);
        if let Some(notes) = &self.notes {
            notes.vendor(vendor);
        }
    }

    fn result_code(&self, code: &'static str) {
        Span::current().record("result.code", code);
        if let Some(notes) = &self.notes {
            notes.result_code(code);
        }
    }

    /// The failure's envelope, with its cause (if any) left for the access log.
    pub fn error(&self, error: &CallError) -> Response {
        let mut response = self.failure(&error.failure);
        if let Some(cause) = &error.cause {
            response.extensions_mut().insert(cause.clone());
        }
        response
    }

    pub fn failure(&self, failure: &Failure) -> Response {
        let status = match self.style {
            ErrorStyle::Http => StatusCode::from_u16(failure.http_status())
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            ErrorStyle::Ssg => StatusCode::INTERNAL_SERVER_ERROR,
        };
        self.result_code(failure.code().as_str());
        let body = encode_failure(self.format, self.lang, failure);
        let mut response = (
            status,
            [(
                CONTENT_TYPE,
                HeaderValue::from_static(self.format.content_type()),
            )],
            body,
        )
            .into_response();
        if let Some(secs) = failure.retry_after_secs() {
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }

    pub fn success(&self, body: Body) -> Response {
        self.result_code("00");
        (
            StatusCode::OK,
            [(
                CONTENT_TYPE,
                HeaderValue::from_static(self.format.content_type()),
            )],
            body,
        )
            .into_response()
    }
}

/// Refuses a vendor request before it reaches its call (load shedding, rate limits,
/// deadlines), in the format and language its headers ask for (JSON when they ask for
/// nothing usable).
pub fn refuse(
    headers: &HeaderMap,
    style: ErrorStyle,
    notes: Option<Arc<Notes>>,
    failure: &Failure,
) -> Response {
    let reply = Reply::of(headers, style, notes).unwrap_or_else(|(json, _)| json);
    reply.failure(failure)
}

/// A header's value as text; a value that is not visible ASCII reads as the replacement
/// character, which no check accepts.
pub fn header<'a>(headers: &'a HeaderMap, name: &HeaderName) -> Option<&'a str> {
    headers
        .get(name)
        .map(|value| value.to_str().unwrap_or("\u{FFFD}"))
}

/// The hash of the API key in `Authorization` (raw, as SSG sends it, or `Bearer <key>`).
pub fn credential(headers: &HeaderMap) -> Result<SecretHash, Failure> {
    match presented(headers) {
        Ok(key) => Ok(hash_secret(key)),
        Err(Unusable::Missing) => Err(Failure::Auth(AuthFailure::Missing)),
        Err(Unusable::NotText | Unusable::TooLong) => Err(Failure::Auth(AuthFailure::Invalid)),
    }
}

/// Reads the body, refusing one over the limit before reading it whole: at once when its
/// declared length is too large, as soon as the limit is passed otherwise.
pub async fn read_body(headers: &HeaderMap, body: Body) -> Result<Bytes, Failure> {
    let too_large = || {
        Failure::Unreadable(Unreadable::TooLarge {
            limit: MAX_BODY_BYTES,
        })
    };
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().parse::<u64>().ok());
    if declared.is_some_and(|length| length > MAX_BODY_BYTES as u64) {
        return Err(too_large());
    }
    match Limited::new(body, MAX_BODY_BYTES).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(error) if error.downcast_ref::<LengthLimitError>().is_some() => Err(too_large()),
        Err(_) => Err(Failure::Unreadable(Unreadable::Syntax(
            "the body could not be read completely".into(),
        ))),
    }
}

/// How the vendor API refuses what the guard stops: code 90 when the node is busy or the
/// request too slow, 29 with `Retry-After` when the key spent its budget.
pub fn refusal(style: ErrorStyle) -> super::limits::Refuse {
    use super::limits::Refusal;
    Arc::new(move |headers: &HeaderMap, notes, refusal| {
        let failure = match refusal {
            Refusal::Busy | Refusal::TooSlow => Failure::Unavailable,
            Refusal::RateLimited { retry_after_secs } => Failure::RateLimited { retry_after_secs },
        };
        refuse(headers, style, notes, &failure)
    })
}

//! Errors of the platform API as `application/problem+json` (RFC 9457), each with a stable
//! `type`. Every failure of the platform API becomes a [`Problem`] here, and only here.

use axum::http::header::{CONTENT_TYPE, RETRY_AFTER, WWW_AUTHENTICATE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use claims_domain::{CancelRejection, InvalidValue, ShipRejection};
use claims_store::{Conflict, NotFound, StoreError, StoredAnswer};
use serde::Serialize;

/// The kinds of problem, each with a stable `type` URI, a title and a status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemKind {
    InvalidInput,
    UnsupportedMediaType,
    BodyTooLarge,
    Unauthenticated,
    Forbidden,
    NotYourOrder,
    RouteNotFound,
    MethodNotAllowed,
    VendorNotFound,
    OrderNotFound,
    ItemNotFound,
    KeyNotFound,
    TokenNotFound,
    VendorExists,
    ConflictingResubmit,
    AlreadyShipped,
    QuantityExceedsOpen,
    FullyCanceled,
    IdempotencyKeyReused,
    IdempotencyKeyInFlight,
    IdempotencyQuotaExceeded,
    RateLimited,
    Unavailable,
    Internal,
}

impl ProblemKind {
    pub const ALL: &'static [ProblemKind] = &[
        ProblemKind::InvalidInput,
        ProblemKind::UnsupportedMediaType,
        ProblemKind::BodyTooLarge,
        ProblemKind::Unauthenticated,
        ProblemKind::Forbidden,
        ProblemKind::NotYourOrder,
        ProblemKind::RouteNotFound,
        ProblemKind::MethodNotAllowed,
        ProblemKind::VendorNotFound,
        ProblemKind::OrderNotFound,
        ProblemKind::ItemNotFound,
        ProblemKind::KeyNotFound,
        ProblemKind::TokenNotFound,
        ProblemKind::VendorExists,
        ProblemKind::ConflictingResubmit,
        ProblemKind::AlreadyShipped,
        ProblemKind::QuantityExceedsOpen,
        ProblemKind::FullyCanceled,
        ProblemKind::IdempotencyKeyReused,
        ProblemKind::IdempotencyKeyInFlight,
        ProblemKind::IdempotencyQuotaExceeded,
        ProblemKind::RateLimited,
        ProblemKind::Unavailable,
        ProblemKind::Internal,
    ];

    /// The last part of the `type` URI.
    pub const fn slug(self) -> &'static str {
        match self {
            ProblemKind::InvalidInput => "invalid-input",
            ProblemKind::UnsupportedMediaType => "unsupported-media-type",
            ProblemKind::BodyTooLarge => "body-too-large",
            ProblemKind::Unauthenticated => "unauthenticated",
            ProblemKind::Forbidden => "forbidden",
            ProblemKind::NotYourOrder => "not-your-order",
            ProblemKind::RouteNotFound => "route-not-found",
            ProblemKind::MethodNotAllowed => "method-not-allowed",
            ProblemKind::VendorNotFound => "vendor-not-found",
            ProblemKind::OrderNotFound => "order-not-found",
            ProblemKind::ItemNotFound => "item-not-found",
            ProblemKind::KeyNotFound => "key-not-found",
            ProblemKind::TokenNotFound => "token-not-found",
            ProblemKind::VendorExists => "vendor-exists",
            ProblemKind::ConflictingResubmit => "conflicting-resubmit",
            ProblemKind::AlreadyShipped => "already-shipped",
            ProblemKind::QuantityExceedsOpen => "quantity-exceeds-open",
            ProblemKind::FullyCanceled => "fully-canceled",
            ProblemKind::IdempotencyKeyReused => "idempotency-key-reused",
            ProblemKind::IdempotencyKeyInFlight => "idempotency-key-in-flight",
            ProblemKind::IdempotencyQuotaExceeded => "idempotency-quota-exceeded",
            ProblemKind::RateLimited => "rate-limited",
            ProblemKind::Unavailable => "unavailable",
            ProblemKind::Internal => "internal",
        }
    }

    pub const fn title(self) -> &'static str {
        match self {
            ProblemKind::InvalidInput => "The request is invalid",
            ProblemKind::UnsupportedMediaType => "The body must be JSON",
            ProblemKind::BodyTooLarge => "The body is too large",
            ProblemKind::Unauthenticated => "No valid credentials",
            ProblemKind::Forbidden => "Not allowed for these credentials",
            ProblemKind::NotYourOrder => "The order belongs to another customer",
            ProblemKind::RouteNotFound => "No such endpoint",
            ProblemKind::MethodNotAllowed => "Method not allowed on this endpoint",
            ProblemKind::VendorNotFound => "No such vendor",
            ProblemKind::OrderNotFound => "No such order",
            ProblemKind::ItemNotFound => "No such item in the order",
            ProblemKind::KeyNotFound => "No such API key",
            ProblemKind::TokenNotFound => "No such token",
            ProblemKind::VendorExists => "The vendor already exists",
            ProblemKind::ConflictingResubmit => "Resubmitted with different contents",
            ProblemKind::AlreadyShipped => "The item has already shipped",
            ProblemKind::QuantityExceedsOpen => "More units than are still open",
            ProblemKind::FullyCanceled => "Every unit of the item was canceled",
            ProblemKind::IdempotencyKeyReused => {
                "The idempotency key was used for a different request"
            }
            ProblemKind::IdempotencyKeyInFlight => {
                "A request with this idempotency key is still in progress"
            }
            ProblemKind::IdempotencyQuotaExceeded => {
                "These credentials keep as many idempotent answers as they may"
            }
            ProblemKind::RateLimited => "Too many requests",
            ProblemKind::Unavailable => "Temporarily unavailable",
            ProblemKind::Internal => "Internal error",
        }
    }

    pub const fn status(self) -> StatusCode {
        match self {
            ProblemKind::InvalidInput => StatusCode::BAD_REQUEST,
            ProblemKind::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ProblemKind::BodyTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ProblemKind::Unauthenticated => StatusCode::UNAUTHORIZED,
            ProblemKind::Forbidden | ProblemKind::NotYourOrder => StatusCode::FORBIDDEN,
            ProblemKind::RouteNotFound
            | ProblemKind::VendorNotFound
            | ProblemKind::OrderNotFound
            | ProblemKind::ItemNotFound
            | ProblemKind::KeyNotFound
            | ProblemKind::TokenNotFound => StatusCode::NOT_FOUND,
            ProblemKind::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ProblemKind::VendorExists
            | ProblemKind::ConflictingResubmit
            | ProblemKind::AlreadyShipped
            | ProblemKind::QuantityExceedsOpen
            | ProblemKind::FullyCanceled
            | ProblemKind::IdempotencyKeyInFlight => StatusCode::CONFLICT,
            ProblemKind::IdempotencyKeyReused => StatusCode::UNPROCESSABLE_ENTITY,
            ProblemKind::RateLimited | ProblemKind::IdempotencyQuotaExceeded => {
                StatusCode::TOO_MANY_REQUESTS
            }
            ProblemKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ProblemKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The `type` URI.
    pub fn type_uri(self) -> String {
        format!("urn:ssg-claims:problem:{}", self.slug())
    }
}

/// A failure of the platform API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub kind: ProblemKind,
    pub detail: String,
    /// The request field at fault, for invalid input.
    pub field: Option<String>,
    /// Seconds to send in `Retry-After`, for problems that pass.
    pub retry_after_secs: Option<u64>,
}

#[derive(Serialize)]
struct ProblemBody<'a> {
    #[serde(rename = "type")]
    type_uri: String,
    title: &'static str,
    status: u16,
    detail: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<&'a str>,
}

impl Problem {
    pub fn new(kind: ProblemKind, detail: impl Into<String>) -> Self {
        Self {
            kind,
            detail: detail.into(),
            field: None,
            retry_after_secs: match kind {
                ProblemKind::Unavailable => Some(1),
                _ => None,
            },
        }
    }

    /// Too many requests for these credentials; the next may come in `retry_after_secs`.
    pub fn rate_limited(retry_after_secs: u64) -> Self {
        Self {
            retry_after_secs: Some(retry_after_secs),
            ..Problem::new(
                ProblemKind::RateLimited,
                format!("too many requests with these credentials; retry in {retry_after_secs} s"),
            )
        }
    }

    pub fn invalid(invalid: InvalidValue) -> Self {
        Self {
            field: Some(invalid.field.clone()),
            ..Problem::new(ProblemKind::InvalidInput, invalid.to_string())
        }
    }
}

impl From<InvalidValue> for Problem {
    fn from(invalid: InvalidValue) -> Self {
        Problem::invalid(invalid)
    }
}

impl From<StoreError> for Problem {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Invalid(invalid) => Problem::invalid(invalid),
            StoreError::NotFound(missing) => {
                let kind = match &missing {
                    NotFound::Vendor(_) => ProblemKind::VendorNotFound,
                    NotFound::Order(_) => ProblemKind::OrderNotFound,
                    NotFound::Item(..) => ProblemKind::ItemNotFound,
                    NotFound::ApiKey(_) => ProblemKind::KeyNotFound,
                    NotFound::Token(_) => ProblemKind::TokenNotFound,
                };
                Problem::new(kind, missing.to_string())
            }
            StoreError::Conflict(conflict) => {
                let kind = match &conflict {
                    Conflict::VendorExists(_) => ProblemKind::VendorExists,
                    Conflict::OrderDiffers(_) => ProblemKind::ConflictingResubmit,
                };
                Problem::new(kind, conflict.to_string())
            }
            StoreError::Cancel(rejection) => {
                let kind = match &rejection {
                    CancelRejection::NotYourOrder => ProblemKind::NotYourOrder,
                    CancelRejection::UnknownItem { .. } => ProblemKind::ItemNotFound,
                    CancelRejection::AlreadyShipped { .. } => ProblemKind::AlreadyShipped,
                    CancelRejection::ExceedsOpen { .. } => ProblemKind::QuantityExceedsOpen,
                };
                Problem::new(kind, rejection.to_string())
            }
            StoreError::Ship(rejection) => {
                let kind = match &rejection {
                    // Answered as a missing item, so that no vendor learns which items of
                    // other vendors exist (the handler names the item; see `orders::ship`).
                    ShipRejection::NotYourItem => ProblemKind::ItemNotFound,
                    ShipRejection::AlreadyShipped => ProblemKind::AlreadyShipped,
                    ShipRejection::FullyCanceled => ProblemKind::FullyCanceled,
                };
                Problem::new(kind, rejection.to_string())
            }
            StoreError::Unavailable(cause) => {
                tracing::warn!(error = %cause, "database unavailable");
                Problem::new(
                    ProblemKind::Unavailable,
                    "the database cannot be reached; retry in a few seconds",
                )
            }
            StoreError::Internal(cause) => {
                tracing::error!(error = ?cause, "platform request failed");
                Problem::new(
                    ProblemKind::Internal,
                    "an unexpected error occurred; retry, and report it if it persists",
                )
            }
        }
    }
}

impl Problem {
    /// The problem's status and body, as an idempotency key keeps them.
    pub(crate) fn to_answer(&self) -> StoredAnswer {
        let status = self.kind.status();
        let body = ProblemBody {
            type_uri: self.kind.type_uri(),
            title: self.kind.title(),
            status: status.as_u16(),
            detail: &self.detail,
            field: self.field.as_deref(),
        };
        StoredAnswer {
            status: status.as_u16(),
            content_type: PROBLEM_JSON.to_owned(),
            location: None,
            body: serde_json::to_vec(&body).expect("a problem serializes"),
        }
    }
}

const PROBLEM_JSON: &str = "application/problem+json";

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let answer = self.to_answer();
        let mut response = (
            self.kind.status(),
            [(CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON))],
            answer.body,
        )
            .into_response();
        if self.kind == ProblemKind::Unauthenticated {
            response
                .headers_mut()
                .insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let Some(secs) = self.retry_after_secs {
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problem_types_are_distinct_and_stable() {
        let mut slugs: Vec<&str> = ProblemKind::ALL.iter().map(|k| k.slug()).collect();
        slugs.sort();
        slugs.dedup();
        assert_eq!(slugs.len(), ProblemKind::ALL.len());
        assert_eq!(
            ProblemKind::AlreadyShipped.type_uri(),
            "urn:ssg-claims:problem:already-shipped"
        );
    }
}

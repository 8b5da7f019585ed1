//! Errors of the platform API as `application/problem+json` (RFC 9457), each with a stable
//! `type`. Every failure of the platform API becomes a [`Problem`] here, and only here.

use axum::http::header::{CONTENT_TYPE, RETRY_AFTER, WWW_AUTHENTICATE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use claims_domain::{CancelRejection, InvalidValue, ShipRejection};
use claims_store::{Conflict, NotFound, StoreError, StoredAnswer};
use serde::Serialize;

/// Declares the kinds of problem: each with its `type` name, title and status, in one row.
macro_rules! problem_kinds {
    ($($variant:ident = $slug:literal, $status:ident, $title:literal;)+) => {
        /// The kinds of problem, each with a stable `type` URI, a title and a status.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum ProblemKind {
            $($variant,)+
        }

        impl ProblemKind {
            /// Every kind, in the table's order.
            pub const ALL: &'static [ProblemKind] = &[$(ProblemKind::$variant,)+];

            /// The last part of the `type` URI.
            pub const fn slug(self) -> &'static str {
                match self {
                    $(ProblemKind::$variant => $slug,)+
                }
            }

            pub const fn title(self) -> &'static str {
                match self {
                    $(ProblemKind::$variant => $title,)+
                }
            }

            pub const fn status(self) -> StatusCode {
                match self {
                    $(ProblemKind::$variant => StatusCode::$status,)+
                }
            }
        }
    };
}

problem_kinds! {
    InvalidInput = "invalid-input", BAD_REQUEST, "The request is invalid";
    UnsupportedMediaType = "unsupported-media-type", UNSUPPORTED_MEDIA_TYPE, "The body must be JSON";
    BodyTooLarge = "body-too-large", PAYLOAD_TOO_LARGE, "The body is too large";
    Unauthenticated = "unauthenticated", UNAUTHORIZED, "No valid credentials";
    Forbidden = "forbidden", FORBIDDEN, "Not allowed for these credentials";
    NotYourOrder = "not-your-order", FORBIDDEN, "The order belongs to another customer";
    RouteNotFound = "route-not-found", NOT_FOUND, "No such endpoint";
    MethodNotAllowed = "method-not-allowed", METHOD_NOT_ALLOWED, "Method not allowed on this endpoint";
    VendorNotFound = "vendor-not-found", NOT_FOUND, "No such vendor";
    OrderNotFound = "order-not-found", NOT_FOUND, "No such order";
    ItemNotFound = "item-not-found", NOT_FOUND, "No such item in the order";
    KeyNotFound = "key-not-found", NOT_FOUND, "No such API key";
    TokenNotFound = "token-not-found", NOT_FOUND, "No such token";
    VendorExists = "vendor-exists", CONFLICT, "The vendor already exists";
    ConflictingResubmit = "conflicting-resubmit", CONFLICT, "Resubmitted with different contents";
    AlreadyShipped = "already-shipped", CONFLICT, "The item has already shipped";
    QuantityExceedsOpen = "quantity-exceeds-open", CONFLICT, "More units than are still open";
    FullyCanceled = "fully-canceled", CONFLICT, "Every unit of the item was canceled";
    CancelRequestNotFound = "cancel-request-not-found", NOT_FOUND, "No such cancel request";
    ClaimNotFound = "claim-not-found", NOT_FOUND, "No such claim";
    CancelNeedsServiceCenter = "cancel-needs-service-center", CONFLICT, "The vendor confirmed the item: only the service center can ask for its cancellation";
    UseCancelRequest = "use-cancel-request", CONFLICT, "The vendor confirmed the item: file a cancel request";
    CancelDirectly = "cancel-directly", CONFLICT, "The item is not confirmed: cancel it directly";
    AlreadyRequested = "already-requested", CONFLICT, "The item already has a pending cancel request";
    NothingPending = "nothing-pending", CONFLICT, "Nothing of the cancel request is pending";
    IdempotencyKeyReused = "idempotency-key-reused", UNPROCESSABLE_ENTITY, "The idempotency key was used for a different request";
    IdempotencyKeyInFlight = "idempotency-key-in-flight", CONFLICT, "A request with this idempotency key is still in progress";
    IdempotencyQuotaExceeded = "idempotency-quota-exceeded", TOO_MANY_REQUESTS, "These credentials keep as many idempotent answers as they may";
    RateLimited = "rate-limited", TOO_MANY_REQUESTS, "Too many requests";
    Unavailable = "unavailable", SERVICE_UNAVAILABLE, "Temporarily unavailable";
    Internal = "internal", INTERNAL_SERVER_ERROR, "Internal error";
}

impl ProblemKind {
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
                    NotFound::Item(..) | NotFound::Shipping(_) => ProblemKind::ItemNotFound,
                    NotFound::CancelRequest(_) => ProblemKind::CancelRequestNotFound,
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
                    CancelRejection::NeedsServiceCenter { .. } => {
                        ProblemKind::CancelNeedsServiceCenter
                    }
                    CancelRejection::UseCancelRequest { .. } => ProblemKind::UseCancelRequest,
                    CancelRejection::CancelDirectly { .. } => ProblemKind::CancelDirectly,
                    CancelRejection::AlreadyRequested { .. } => ProblemKind::AlreadyRequested,
                    CancelRejection::NothingPending => ProblemKind::NothingPending,
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
                    // The platform's shipment confirms and releases in one step, so these
                    // arise only from SSG's calls; they are kept apart all the same.
                    ShipRejection::NotConfirmed
                    | ShipRejection::NoWaybill
                    | ShipRejection::WrongQuantity { .. } => ProblemKind::InvalidInput,
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

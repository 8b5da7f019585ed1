//! What went wrong, in words: every refusal of the rules and every failure the store
//! reports, as a kind (with a stable name, a title and an HTTP status) and a detail in
//! English and Korean. The platform API writes a [`Problem`] as `application/problem+json`
//! (RFC 9457); the console tells it on a page. Converting never logs: a failure that is
//! ours carries its [`Cause`] to whoever answers, and the access log logs it once.

use axum::http::StatusCode;
use claims_domain::{CancelRejection, InvalidValue, PickupRejection, ShipRejection};
use claims_store::{Conflict, NotFound, StoreError};
use claims_wire::Lang;

use super::notes::Cause;

/// Declares the kinds of problem: each with its `type` name, title and status, in one row.
macro_rules! problem_kinds {
    ($($variant:ident = $slug:literal, $status:ident, $title:literal, $title_ko:literal;)+) => {
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

            /// The title in Korean.
            pub const fn title_ko(self) -> &'static str {
                match self {
                    $(ProblemKind::$variant => $title_ko,)+
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
    InvalidInput = "invalid-input", BAD_REQUEST, "The request is invalid", "요청이 올바르지 않습니다";
    UnsupportedMediaType = "unsupported-media-type", UNSUPPORTED_MEDIA_TYPE, "The body must be JSON", "본문은 JSON이어야 합니다";
    BodyTooLarge = "body-too-large", PAYLOAD_TOO_LARGE, "The body is too large", "본문이 너무 큽니다";
    Unauthenticated = "unauthenticated", UNAUTHORIZED, "No valid credentials", "유효한 인증 정보가 없습니다";
    Forbidden = "forbidden", FORBIDDEN, "Not allowed for these credentials", "이 인증 정보로는 허용되지 않습니다";
    NotYourOrder = "not-your-order", FORBIDDEN, "The order belongs to another customer", "다른 고객의 주문입니다";
    RouteNotFound = "route-not-found", NOT_FOUND, "No such endpoint", "없는 엔드포인트입니다";
    MethodNotAllowed = "method-not-allowed", METHOD_NOT_ALLOWED, "Method not allowed on this endpoint", "이 엔드포인트에서 허용되지 않는 메서드입니다";
    VendorNotFound = "vendor-not-found", NOT_FOUND, "No such vendor", "없는 업체입니다";
    OrderNotFound = "order-not-found", NOT_FOUND, "No such order", "없는 주문입니다";
    ItemNotFound = "item-not-found", NOT_FOUND, "No such item in the order", "주문에 없는 상품입니다";
    KeyNotFound = "key-not-found", NOT_FOUND, "No such API key", "없는 API 키입니다";
    TokenNotFound = "token-not-found", NOT_FOUND, "No such token", "없는 토큰입니다";
    UserNotFound = "user-not-found", NOT_FOUND, "No such console user", "없는 콘솔 사용자입니다";
    VendorExists = "vendor-exists", CONFLICT, "The vendor already exists", "이미 등록된 업체입니다";
    UserExists = "user-exists", CONFLICT, "The console user already exists", "이미 있는 콘솔 사용자입니다";
    ConflictingResubmit = "conflicting-resubmit", CONFLICT, "Resubmitted with different contents", "다른 내용으로 다시 보낸 요청입니다";
    AlreadyShipped = "already-shipped", CONFLICT, "The item has already shipped", "이미 출고된 상품입니다";
    QuantityExceedsOpen = "quantity-exceeds-open", CONFLICT, "More units than are still open", "남은 수량보다 많습니다";
    FullyCanceled = "fully-canceled", CONFLICT, "Every unit of the item was canceled", "모든 수량이 취소된 상품입니다";
    CancelRequestNotFound = "cancel-request-not-found", NOT_FOUND, "No such cancel request", "없는 취소신청입니다";
    ClaimNotFound = "claim-not-found", NOT_FOUND, "No such claim", "없는 클레임입니다";
    WebhookNotFound = "webhook-not-found", NOT_FOUND, "No such webhook endpoint", "없는 웹훅 엔드포인트입니다";
    TooManyWebhooks = "too-many-webhooks", CONFLICT, "The vendor has as many webhook endpoints as it may", "업체가 등록할 수 있는 웹훅 엔드포인트가 가득 찼습니다";
    ReplayTooSoon = "replay-too-soon", TOO_MANY_REQUESTS, "The endpoint was replayed a moment ago", "방금 다시 보내기를 한 엔드포인트입니다";
    CursorExpired = "cursor-expired", GONE, "The cursor is older than the feed keeps", "보관 기간이 지난 커서입니다";
    CancelNeedsServiceCenter = "cancel-needs-service-center", CONFLICT, "The vendor confirmed the item: only the service center can ask for its cancellation", "업체가 주문확인한 상품입니다: 고객센터만 취소를 신청할 수 있습니다";
    UseCancelRequest = "use-cancel-request", CONFLICT, "The vendor confirmed the item: file a cancel request", "업체가 주문확인한 상품입니다: 취소신청을 하세요";
    CancelDirectly = "cancel-directly", CONFLICT, "The item is not confirmed: cancel it directly", "주문확인 전인 상품입니다: 바로 취소하세요";
    AlreadyRequested = "already-requested", CONFLICT, "The item already has a pending cancel request", "이미 취소신청 중인 상품입니다";
    NotInState = "not-in-state", CONFLICT, "The item's shipping status does not allow this", "상품의 배송 상태로는 할 수 없습니다";
    NoSellRegistered = "no-sell-registered", CONFLICT, "The item is registered as out of stock", "판매불가 등록된 상품입니다";
    NoSellNotRegistered = "no-sell-not-registered", CONFLICT, "The item has no out-of-stock registration in force", "판매불가 등록이 없는 상품입니다";
    NotReleased = "not-released", CONFLICT, "The item has not been released", "출고완료되지 않은 상품입니다";
    DeliveredTooSoon = "delivered-too-soon", CONFLICT, "Delivery is recorded from the day after release", "배송완료는 출고일 익일부터 처리할 수 있습니다";
    AlreadyDelivered = "already-delivered", CONFLICT, "The item was already delivered", "이미 배송완료된 상품입니다";
    AwaitingPickup = "awaiting-pickup", CONFLICT, "The exchange's replacement waits for its pickup", "교환 회수를 기다리는 교환출고입니다";
    PickupNotFound = "pickup-not-found", NOT_FOUND, "No such pickup", "없는 회수입니다";
    ExceedsReturnable = "exceeds-returnable", CONFLICT, "More units than may still be returned or exchanged", "반품·교환할 수 있는 수량보다 많습니다";
    PickupConfirmed = "pickup-confirmed", CONFLICT, "The vendor already confirmed a pickup of the claim", "업체가 이미 회수확인했습니다";
    NotWithdrawable = "not-withdrawable", CONFLICT, "The claim can no longer be withdrawn", "철회할 수 없는 클레임입니다";
    PickupNotInState = "pickup-not-in-state", CONFLICT, "The pickup's state does not allow this", "회수 상태로는 할 수 없습니다";
    ClockBackwards = "clock-backwards", CONFLICT, "The sandbox clock moves only forward", "샌드박스 시계는 앞으로만 움직입니다";
    SandboxOff = "sandbox-off", NOT_FOUND, "This service runs no sandbox clock", "샌드박스 시계를 쓰지 않는 서비스입니다";
    NothingPending = "nothing-pending", CONFLICT, "Nothing of the cancel request is pending", "취소신청 중인 것이 없습니다";
    IdempotencyKeyReused = "idempotency-key-reused", UNPROCESSABLE_ENTITY, "The idempotency key was used for a different request", "다른 요청에 쓰인 멱등 키입니다";
    IdempotencyKeyInFlight = "idempotency-key-in-flight", CONFLICT, "A request with this idempotency key is still in progress", "같은 멱등 키의 요청이 아직 처리 중입니다";
    IdempotencyQuotaExceeded = "idempotency-quota-exceeded", TOO_MANY_REQUESTS, "These credentials keep as many idempotent answers as they may", "이 인증 정보가 보관할 수 있는 멱등 응답이 가득 찼습니다";
    RateLimited = "rate-limited", TOO_MANY_REQUESTS, "Too many requests", "요청이 너무 많습니다";
    Unavailable = "unavailable", SERVICE_UNAVAILABLE, "Temporarily unavailable", "일시적으로 사용할 수 없습니다";
    Internal = "internal", INTERNAL_SERVER_ERROR, "Internal error", "서버 오류입니다";
}

impl ProblemKind {
    /// The `type` URI.
    pub fn type_uri(self) -> String {
        format!("urn:ssg-claims:problem:{}", self.slug())
    }
}

/// A refusal or a failure, told in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub kind: ProblemKind,
    pub detail: String,
    /// The detail in Korean, where it was written; otherwise the Korean answer gives the
    /// Korean title with the English detail.
    pub detail_ko: Option<String>,
    /// The request field at fault, for invalid input.
    pub field: Option<String>,
    /// Seconds to send in `Retry-After`, for problems that pass.
    pub retry_after_secs: Option<u64>,
    /// What really happened, when the failure is ours: for the log, never for the caller.
    pub cause: Option<Box<Cause>>,
}

impl Problem {
    pub fn new(kind: ProblemKind, detail: impl Into<String>) -> Self {
        Self {
            kind,
            detail: detail.into(),
            detail_ko: None,
            field: None,
            cause: None,
            retry_after_secs: match kind {
                ProblemKind::Unavailable => Some(1),
                _ => None,
            },
        }
    }

    /// The problem with its detail in Korean too.
    pub fn ko(self, detail: impl Into<String>) -> Self {
        Self {
            detail_ko: Some(detail.into()),
            ..self
        }
    }

    /// The detail in `lang`.
    pub fn detail_in(&self, lang: Lang) -> String {
        match (lang, &self.detail_ko) {
            (Lang::En, _) => self.detail.clone(),
            (Lang::Ko, Some(detail)) => detail.clone(),
            (Lang::Ko, None) => format!("{}. ({})", self.kind.title_ko(), self.detail),
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
            .ko(format!(
                "이 인증 정보로 요청이 너무 많습니다. {retry_after_secs}초 뒤에 다시 시도하세요."
            ))
        }
    }

    /// A failure of ours: told to the caller as such, its `cause` kept for the log.
    pub fn internal(cause: impl Into<String>) -> Self {
        Problem {
            cause: Some(Box::new(Cause::internal(cause))),
            ..Problem::new(
                ProblemKind::Internal,
                "an unexpected error occurred; retry, and report it if it persists",
            )
            .ko("예기치 않은 오류가 발생했습니다. 다시 시도하고, 계속되면 문의하세요.")
        }
    }

    pub fn invalid(invalid: InvalidValue) -> Self {
        Self {
            field: Some(invalid.field.clone()),
            ..Problem::new(ProblemKind::InvalidInput, invalid.to_string()).ko(format!(
                "{} 값이 올바르지 않습니다: {}",
                invalid.field, invalid.problem
            ))
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
                    NotFound::User(_) => ProblemKind::UserNotFound,
                    NotFound::Pickup(_) => ProblemKind::PickupNotFound,
                    NotFound::PickupClaim(_) => ProblemKind::ClaimNotFound,
                };
                let ko = match &missing {
                    NotFound::Vendor(id) => format!("업체 {id}이(가) 없습니다."),
                    NotFound::Order(no) => format!("주문 {no}이(가) 없습니다."),
                    NotFound::Item(no, seq) => format!("주문 {no}에 {seq}번 상품이 없습니다."),
                    NotFound::Shipping(no) => format!("배송번호 {no}인 상품이 없습니다."),
                    NotFound::CancelRequest(id) => format!("취소신청 {id}이(가) 없습니다."),
                    NotFound::ApiKey(id) => format!("API 키 {id}이(가) 없습니다."),
                    NotFound::Token(id) => format!("토큰 {id}이(가) 없습니다."),
                    NotFound::User(login) => format!("콘솔 사용자 {login}이(가) 없습니다."),
                    NotFound::Pickup(no) => format!("배송번호 {no}인 회수가 없습니다."),
                    NotFound::PickupClaim(no) => format!("반품·교환 {no}이(가) 없습니다."),
                };
                Problem::new(kind, missing.to_string()).ko(ko)
            }
            StoreError::Conflict(conflict) => {
                let kind = match &conflict {
                    Conflict::VendorExists(_) => ProblemKind::VendorExists,
                    Conflict::OrderDiffers(_) => ProblemKind::ConflictingResubmit,
                    Conflict::UserExists(_) => ProblemKind::UserExists,
                    Conflict::ClockBackwards { .. } => ProblemKind::ClockBackwards,
                };
                let ko = match &conflict {
                    Conflict::VendorExists(id) => {
                        format!("업체 {id}은(는) 이미 등록되어 있습니다.")
                    }
                    Conflict::OrderDiffers(no) => {
                        format!("주문 {no}은(는) 이미 다른 내용으로 접수되었습니다.")
                    }
                    Conflict::UserExists(login) => {
                        format!("콘솔 사용자 {login}은(는) 이미 있습니다.")
                    }
                    Conflict::ClockBackwards { shown, asked } => {
                        format!("샌드박스 시계는 {shown}이며 {asked}(으)로 되돌릴 수 없습니다.")
                    }
                };
                Problem::new(kind, conflict.to_string()).ko(ko)
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
                Problem::new(kind, rejection.to_string()).ko(cancel_ko(&rejection))
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
                    ShipRejection::NotInState { .. } => ProblemKind::NotInState,
                    ShipRejection::NoSellRegistered | ShipRejection::AlreadyRegistered => {
                        ProblemKind::NoSellRegistered
                    }
                    ShipRejection::NotRegistered => ProblemKind::NoSellNotRegistered,
                    ShipRejection::NotReleased => ProblemKind::NotReleased,
                    ShipRejection::DeliveredOnReleaseDay => ProblemKind::DeliveredTooSoon,
                    ShipRejection::AlreadyDelivered => ProblemKind::AlreadyDelivered,
                    ShipRejection::AwaitingPickup => ProblemKind::AwaitingPickup,
                };
                Problem::new(kind, rejection.to_string()).ko(ship_ko(&rejection))
            }
            StoreError::Pickup(rejection) => {
                let kind = match &rejection {
                    PickupRejection::NotYourOrder => ProblemKind::NotYourOrder,
                    PickupRejection::UnknownItem { .. } => ProblemKind::ItemNotFound,
                    PickupRejection::NotReleased { .. } => ProblemKind::NotReleased,
                    PickupRejection::ExceedsReturnable { .. } => ProblemKind::ExceedsReturnable,
                    PickupRejection::DuplicateItem { .. } | PickupRejection::OptionOnReturn => {
                        ProblemKind::InvalidInput
                    }
                    PickupRejection::NotWithdrawable { .. } => ProblemKind::NotWithdrawable,
                    PickupRejection::PickupConfirmed => ProblemKind::PickupConfirmed,
                    // As a missing pickup: no vendor learns what others have.
                    PickupRejection::NotYourPickup => ProblemKind::PickupNotFound,
                    PickupRejection::PickupNotInState { .. }
                    | PickupRejection::ExchangeNotRefusable => ProblemKind::PickupNotInState,
                    PickupRejection::WrongQuantity { .. } => ProblemKind::InvalidInput,
                };
                Problem::new(kind, rejection.to_string()).ko(pickup_ko(&rejection))
            }
            StoreError::Unavailable(cause) => Problem {
                cause: Some(Box::new(Cause::unavailable(cause.to_string()))),
                ..Problem::new(
                    ProblemKind::Unavailable,
                    "the database cannot be reached; retry in a few seconds",
                )
                .ko("데이터베이스에 연결할 수 없습니다. 잠시 뒤에 다시 시도하세요.")
            },
            StoreError::Internal(cause) => Problem::internal(format!("{cause:?}")),
        }
    }
}

/// A cancellation's refusal, in Korean.
fn cancel_ko(rejection: &CancelRejection) -> String {
    match rejection {
        CancelRejection::NotYourOrder => "다른 고객의 주문은 취소할 수 없습니다.".into(),
        CancelRejection::UnknownItem { seq } => format!("주문에 {seq}번 상품이 없습니다."),
        CancelRejection::AlreadyShipped { seq } => {
            format!("{seq}번 상품은 이미 출고되어 취소할 수 없습니다.")
        }
        CancelRejection::ExceedsOpen {
            seq,
            requested,
            open,
        } => format!("{seq}번 상품은 {open}개 남았는데 {requested}개를 취소하려 했습니다."),
        CancelRejection::NeedsServiceCenter { seq } => format!(
            "{seq}번 상품은 업체가 주문확인했습니다. 이제 고객센터만 취소를 신청할 수 있습니다."
        ),
        CancelRejection::UseCancelRequest { seq } => {
            format!("{seq}번 상품은 업체가 주문확인했습니다. 취소신청을 하면 업체가 승인합니다.")
        }
        CancelRejection::CancelDirectly { seq } => {
            format!("{seq}번 상품은 아직 주문확인 전입니다. 취소신청 대신 바로 취소하세요.")
        }
        CancelRejection::AlreadyRequested { seq } => {
            format!("{seq}번 상품은 이미 취소신청 중입니다.")
        }
        CancelRejection::NothingPending => "취소신청 중인 것이 없습니다.".into(),
    }
}

/// A shipping step's refusal, in Korean.
fn ship_ko(rejection: &ShipRejection) -> String {
    match rejection {
        ShipRejection::NotYourItem => "다른 업체의 상품입니다.".into(),
        ShipRejection::AlreadyShipped => {
            "이미 출고완료된 상품입니다. 피킹완료 상태에서만 출고완료 처리할 수 있습니다.".into()
        }
        ShipRejection::FullyCanceled => "모든 수량이 취소되어 출고할 것이 없습니다.".into(),
        ShipRejection::NotConfirmed => "배송지시 상태입니다. 먼저 주문확인하세요.".into(),
        ShipRejection::NoWaybill => "운송장이 없습니다. 먼저 운송장을 등록하세요.".into(),
        ShipRejection::WrongQuantity { asked, open } => {
            format!("{asked}개는 출고할 수 없습니다. 남은 {open}개를 한 번에 출고합니다.")
        }
        ShipRejection::NotInState { status } => format!(
            "{}({}) 상태의 상품에는 할 수 없습니다.",
            status.name(),
            status.code()
        ),
        ShipRejection::NoSellRegistered => {
            "판매불가 등록된 상품입니다. 출고하려면 먼저 등록을 철회하세요.".into()
        }
        ShipRejection::AlreadyRegistered => "이미 판매불가로 등록된 상품입니다.".into(),
        ShipRejection::NotRegistered => "판매불가 등록이 없는 상품입니다.".into(),
        ShipRejection::NotReleased => {
            "출고완료되지 않은 상품입니다. 출고완료 후 배송완료 처리할 수 있습니다.".into()
        }
        ShipRejection::DeliveredOnReleaseDay => {
            "배송완료는 출고일 익일부터 처리할 수 있습니다.".into()
        }
        ShipRejection::AlreadyDelivered => "이미 배송완료 된 배송번호입니다.".into(),
        ShipRejection::AwaitingPickup => {
            "교환 회수가 완료되지 않아 대기 중인 교환출고입니다. 회수완료 후 출고할 수 있습니다."
                .into()
        }
    }
}

/// A return's or an exchange's refusal, in Korean.
pub fn pickup_ko(rejection: &PickupRejection) -> String {
    match rejection {
        PickupRejection::NotYourOrder => "다른 고객의 주문은 반품·교환할 수 없습니다.".into(),
        PickupRejection::UnknownItem { seq } => format!("주문에 {seq}번 상품이 없습니다."),
        PickupRejection::NotReleased { seq } => {
            format!("{seq}번 상품은 출고되지 않았습니다. 반품·교환 대신 취소하세요.")
        }
        PickupRejection::ExceedsReturnable {
            seq,
            asked,
            returnable,
        } => format!(
            "{seq}번 상품은 {returnable}개까지 반품·교환할 수 있는데 {asked}개를 요청했습니다."
        ),
        PickupRejection::DuplicateItem { seq } => format!("{seq}번 상품을 두 번 적었습니다."),
        PickupRejection::OptionOnReturn => "반품에는 교환 옵션을 적지 않습니다.".into(),
        PickupRejection::NotWithdrawable { .. } => "철회할 수 없는 반품·교환입니다.".into(),
        PickupRejection::PickupConfirmed => "업체가 이미 회수확인하여 철회할 수 없습니다.".into(),
        PickupRejection::NotYourPickup => "대상이 없습니다.".into(),
        PickupRejection::PickupNotInState { status } => format!(
            "{}({}) 상태의 회수에는 할 수 없습니다.",
            status.name(),
            status.code()
        ),
        PickupRejection::WrongQuantity { asked, qty } => {
            format!("회수 수량은 {qty}개입니다. {asked}개로는 처리할 수 없습니다.")
        }
        PickupRejection::ExchangeNotRefusable => "교환은 반품거부할 수 없습니다.".into(),
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
